"""Economic evaluation: trading rules, costs, performance, break-even cost, Sharpe tests."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmgru import economics as ec
from lstmgru import evaluation as ev

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "sharpe_reference.json").read_text(encoding="utf-8")
)

# The hand-computed example: six days, 10 bp per side (c = 0.001).
FORECAST = np.array([0.01, -0.02, 0.0, 0.005, 0.003, -0.001])
SIMPLE = np.array([0.02, -0.01, 0.03, -0.02, 0.01, 0.005])  # R_t, day t's simple return
ACTUAL = np.log1p(SIMPLE)  # r_t = log(1 + R_t), the log returns passed in


def test_hand_example_long_flat() -> None:
    frame = ec.strategy_returns(ec.positions(FORECAST, "long_flat"), ACTUAL, cost_bps=10.0)
    # forecast > 0 -> 1, else 0 (day 3's zero forecast is flat)
    assert frame["position"].tolist() == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]
    # |w_t - w_{t-1}| with w_0 = 0: entering on day 1 trades
    assert frame["turnover"].tolist() == [1.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    # w_t * R_t
    np.testing.assert_allclose(frame["gross"], [0.02, 0.0, 0.0, -0.02, 0.01, 0.0], atol=1e-15)
    # 0.001 * turnover
    np.testing.assert_allclose(frame["cost"], [0.001, 0.001, 0.0, 0.001, 0.0, 0.001], atol=1e-15)
    # gross - cost
    np.testing.assert_allclose(frame["net"], [0.019, -0.001, 0.0, -0.021, 0.01, -0.001], atol=1e-15)
    # 1.019; x 0.999 = 1.017981; x 1 = 1.017981; x 0.979 = 1.017981 - 0.021377601 = 0.996603399;
    # x 1.01 = 0.996603399 + 0.00996603399 = 1.00656943299;
    # x 0.999 = 1.00656943299 - 0.00100656943299 = 1.00556286355701
    np.testing.assert_allclose(
        frame["wealth"],
        [1.019, 1.017981, 1.017981, 0.996603399, 1.00656943299, 1.00556286355701],
        rtol=1e-14,
    )


def test_hand_example_long_short() -> None:
    frame = ec.strategy_returns(ec.positions(FORECAST, "long_short"), ACTUAL, cost_bps=10.0)
    # sign of the forecast; the zero forecast of day 3 is flat
    assert frame["position"].tolist() == [1.0, -1.0, 0.0, 1.0, 1.0, -1.0]
    # 0->1, 1->-1 (two sides), -1->0, 0->1, 1->1, 1->-1 (two sides)
    assert frame["turnover"].tolist() == [1.0, 2.0, 1.0, 1.0, 0.0, 2.0]
    np.testing.assert_allclose(frame["gross"], [0.02, 0.01, 0.0, -0.02, 0.01, -0.005], atol=1e-15)
    np.testing.assert_allclose(frame["cost"], [0.001, 0.002, 0.001, 0.001, 0.0, 0.002], atol=1e-15)
    np.testing.assert_allclose(
        frame["net"], [0.019, 0.008, -0.001, -0.021, 0.01, -0.007], atol=1e-15
    )
    # 1.019; x 1.008 = 1.027152; x 0.999 = 1.026124848; x 0.979 = 1.004576226192;
    # x 1.01 = 1.01462198845392; x 0.993 = 1.01462198845392 - 0.00710235391917744
    np.testing.assert_allclose(
        frame["wealth"],
        [1.019, 1.027152, 1.026124848, 1.004576226192, 1.01462198845392, 1.00751963453474256],
        rtol=1e-14,
    )


def test_hand_example_buy_and_hold_and_break_even() -> None:
    frame = ec.strategy_returns(np.ones(6), ACTUAL, cost_bps=10.0)
    assert frame["turnover"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # one entry trade
    np.testing.assert_allclose(frame["net"], [0.019, -0.01, 0.03, -0.02, 0.01, 0.005], atol=1e-15)
    # long/flat: G = 0.02 - 0.02 + 0.01 = 0.01, T = 4; buy-and-hold: G = 0.035, T = 1;
    # c* = (0.01 - 0.035) / (4 - 1) = -0.025 / 3 -> -83.33 bp (behind even at zero cost)
    flat = ec.break_even_cost(ec.positions(FORECAST, "long_flat"), ACTUAL)
    assert flat == pytest.approx(-250.0 / 3.0, rel=1e-12)
    # long/short: G = 0.015, T = 7; c* = (0.015 - 0.035) / 6 -> -33.33 bp
    short = ec.break_even_cost(ec.positions(FORECAST, "long_short"), ACTUAL)
    assert short == pytest.approx(-100.0 / 3.0, rel=1e-12)


def test_performance_by_hand() -> None:
    # four days, one "year" of four periods: wealth 1.1, 0.99, 1.089, 0.9801
    returns = [0.1, -0.1, 0.1, -0.1]
    result = ec.performance(returns, periods_per_year=4, turnover=[1.0, 0.0, 0.0, 0.0])
    assert result.total_return == pytest.approx(-0.0199, rel=1e-12)
    assert result.annual_return == pytest.approx(-0.0199, rel=1e-12)  # exactly one year
    assert result.annual_volatility == pytest.approx(0.2, rel=1e-12)  # 0.1 x sqrt(4)
    assert result.sharpe == pytest.approx(0.0, abs=1e-12)  # mean 0
    assert result.max_drawdown == pytest.approx(1.0 - 0.9801 / 1.1, rel=1e-12)  # 0.109
    assert result.turnover_per_year == pytest.approx(1.0)  # mean 0.25 x 4
    assert result.n_days == 4


def test_performance_reads_a_strategy_frame_and_flags_constant_returns() -> None:
    frame = ec.strategy_returns(ec.positions(FORECAST), ACTUAL)
    result = ec.performance(frame)
    assert result.turnover_per_year == pytest.approx(4 / 6 * 252)
    assert result.total_return == pytest.approx(frame["wealth"].iloc[-1] - 1.0)
    assert result.max_drawdown == pytest.approx(1.0 - 0.996603399 / 1.019, rel=1e-12)
    flat = ec.performance(np.zeros(10))
    assert math.isnan(flat.sharpe) and flat.annual_volatility == 0.0
    assert flat.max_drawdown == 0.0 and math.isnan(flat.turnover_per_year)


def test_positions_ignore_rounding_sized_forecasts_and_keep_the_index() -> None:
    tiny = [1e-13, -1e-13, 2e-12, -2e-12]
    assert ec.positions(tiny, "long_short").tolist() == [0.0, 0.0, 1.0, -1.0]
    index = pd.date_range("2024-01-02", periods=3, freq="B")
    held = ec.positions(pd.Series([0.1, -0.1, 0.0], index=index), "long_flat")
    assert isinstance(held, pd.Series) and held.index.equals(index)
    frame = ec.strategy_returns(held, pd.Series([0.01, 0.02, 0.03], index=index))
    assert frame.index.equals(index)


def test_positions_never_read_the_day_they_trade() -> None:
    rng = np.random.default_rng(1)
    actual = rng.normal(0.0, 0.01, 60)
    forecast = 0.3 * np.roll(actual, 1) + rng.normal(0.0, 0.002, 60)  # uses day t-1 only
    held = ec.positions(forecast, "long_short")
    base = ec.strategy_returns(held, actual)
    k = 30
    perturbed = actual.copy()
    perturbed[k:] += rng.normal(0.0, 0.05, 60 - k)  # change every price from day k on
    moved = ec.strategy_returns(held, perturbed)
    # positions are a function of the forecasts alone: identical on every day, including
    # days k and later whose returns changed
    np.testing.assert_array_equal(moved["position"], base["position"])
    np.testing.assert_array_equal(moved["turnover"], base["turnover"])
    # returns before day k are untouched; from day k on they differ
    np.testing.assert_array_equal(moved["net"].iloc[:k], base["net"].iloc[:k])
    assert not np.allclose(moved["net"].iloc[k:], base["net"].iloc[k:])
    # a forecast shifted by one day trades on different days, so it earns something else
    shifted = ec.strategy_returns(ec.positions(np.roll(forecast, 1), "long_short"), actual)
    assert not np.allclose(shifted["net"], base["net"])


def test_break_even_cost_equates_total_net_returns() -> None:
    rng = np.random.default_rng(5)
    actual = rng.normal(0.0003, 0.01, 500)
    forecast = 0.5 * actual + rng.normal(0.0, 0.01, 500)  # a (cheating) skilled forecaster
    for rule in ec.RULES:
        held = ec.positions(forecast, rule)
        cost = ec.break_even_cost(held, actual)
        assert cost > 0.0  # skilled: ahead of buy-and-hold below this cost
        strategy = ec.strategy_returns(held, actual, cost_bps=cost)
        hold = ec.strategy_returns(np.ones(500), actual, cost_bps=cost)
        assert strategy["net"].sum() == pytest.approx(hold["net"].sum(), abs=1e-10)
        assert ec.performance(strategy, 252).turnover_per_year > 0


def test_break_even_cost_with_equal_turnover() -> None:
    actual = np.log1p([0.01, 0.02, -0.01])
    assert math.isnan(ec.break_even_cost(np.ones(3), actual))  # same as the benchmark
    # both trade twice (turnover 1 + 0 + 1 and 1 + 1 + 0); the first also earns day 2's 2 %
    better = ec.break_even_cost([1.0, 1.0, 0.0], actual, benchmark=[1.0, 0.0, 0.0])
    assert better == math.inf  # +0.02 gross at the same two trades
    assert ec.break_even_cost([1.0, 0.0, 0.0], actual, benchmark=[1.0, 1.0, 0.0]) == -math.inf


@pytest.mark.parametrize("case", REFERENCE["sharpe"], ids=lambda c: c["name"])
def test_sharpe_hac_matches_r_sandwich(case: dict) -> None:
    for expected in case["results"]:
        result = ec.sharpe_difference_test(case["a"], case["b"], lags=expected["lags"])
        for field in ("sharpe_a", "sharpe_b", "difference", "se", "statistic"):
            assert getattr(result, field) == pytest.approx(expected[field], rel=1e-8, abs=1e-12)
        assert result.pvalue == pytest.approx(expected["p_value"], rel=1e-8, abs=1e-12)
        assert (result.n, result.lags, result.method) == (case["n"], expected["lags"], "hac")
    default = ec.sharpe_difference_test(case["a"], case["b"])
    assert default.lags == case["lag_rule"] == ev.newey_west_lags(case["n"])


def test_sharpe_bootstrap_is_seeded_and_near_one_for_equal_sharpe_ratios() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(0.0005, 0.01, 1000)
    # the same returns in reverse order: identical sample Sharpe ratios, not the same days
    result = ec.sharpe_difference_test(a, a[::-1], "bootstrap", reps=199, seed=4)
    assert result.pvalue > 0.95
    again = ec.sharpe_difference_test(a, a[::-1], "bootstrap", reps=199, seed=4)
    assert again == result
    assert (result.block_size, result.reps) == (10, 199)  # ceil(1000^(1/3))
    assert ec.sharpe_difference_test(a, a[::-1]).pvalue > 0.99


def test_sharpe_bootstrap_rejects_for_a_clearly_better_series() -> None:
    rng = np.random.default_rng(3)
    better = rng.normal(0.003, 0.01, 1000)
    base = rng.normal(0.0, 0.01, 1000)
    for scheme in ("circular", "stationary"):
        result = ec.sharpe_difference_test(
            better, base, "bootstrap", reps=199, block_size=5, bootstrap=scheme
        )
        assert result.pvalue == pytest.approx(1 / 200)  # no resample as extreme
        assert result.statistic > 3


def test_sharpe_bootstrap_agrees_with_hac_on_a_long_sample() -> None:
    rng = np.random.default_rng(11)
    market = rng.normal(0.0003, 0.01, 2000)
    a = 0.0003 + 0.8 * market + rng.normal(0.0, 0.006, 2000)
    b = market + rng.normal(0.0, 0.004, 2000)
    hac = ec.sharpe_difference_test(a, b)
    boot = ec.sharpe_difference_test(a, b, "bootstrap", reps=299, seed=3)
    assert 0.05 < hac.pvalue < 0.5
    assert boot.pvalue == pytest.approx(hac.pvalue, abs=0.08)
    assert boot.statistic == hac.statistic  # the bootstrap only changes the p-value


def test_sharpe_test_degenerate_input() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 0.01, 100)
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ec.sharpe_difference_test(np.zeros(100), a)
    with pytest.raises(ev.DegenerateTestError, match="identical"):
        ec.sharpe_difference_test(a, a.copy())


def _panel() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rng = np.random.default_rng(9)
    index = pd.date_range("2023-01-02", periods=300, freq="B")
    actual = pd.DataFrame(rng.normal(0.0003, 0.01, (300, 2)), index=index, columns=["A", "B"])
    skilled = 0.5 * actual + rng.normal(0.0, 0.01, (300, 2))
    noise = pd.DataFrame(rng.normal(0.0, 0.01, (300, 2)), index=index, columns=["A", "B"])
    drift = pd.DataFrame(0.0004, index=index, columns=["A", "B"])
    return actual, {"skilled": skilled, "noise": noise, "drift": drift}


def test_strategy_table_single_instrument() -> None:
    actual, forecasts = _panel()
    series = {k: v["A"] for k, v in forecasts.items()} | {"random_walk": actual["A"] * 0.0}
    table = ec.strategy_table(actual["A"], series)
    assert table.index[0] == (ec.BUY_AND_HOLD, "always_long")
    assert len(table) == 1 + 4 * 2
    hold = ec.performance(ec.strategy_returns(np.ones(300), actual["A"]))
    assert table.loc[ec.BUY_AND_HOLD, "sharpe"].item() == pytest.approx(hold.sharpe)
    row = table.loc[("skilled", "long_short")]
    held = ec.positions(forecasts["skilled"]["A"], "long_short")
    assert row["break_even_bps"] == pytest.approx(ec.break_even_cost(held, actual["A"]))
    test = ec.sharpe_difference_test(
        ec.strategy_returns(held, actual["A"])["net"],
        ec.strategy_returns(np.ones(300), actual["A"])["net"],
    )
    assert row["pvalue"] == pytest.approx(test.pvalue)
    models = table[table["role"] == "model"]
    np.testing.assert_allclose(models["pvalue_holm"], ev.holm(models["pvalue"].to_numpy()))
    assert set(models.index.get_level_values("model")) == {"skilled", "noise"}
    # benchmarks: outside the Holm family; a never-trading rule has no Sharpe test
    assert table.loc[("drift", "long_flat"), "role"] == "benchmark"
    assert np.isnan(table.loc[("drift", "long_flat"), "pvalue_holm"])
    assert np.isnan(table.loc[("random_walk", "long_flat"), "pvalue"])
    assert table.loc[("random_walk", "long_flat"), "turnover_per_year"] == 0.0


def test_strategy_table_pools_an_equal_weight_portfolio_on_common_days() -> None:
    actual, forecasts = _panel()
    actual.iloc[:5, 1] = np.nan  # instrument B starts later
    forecasts["noise"].iloc[100, 0] = np.nan  # a missing forecast
    table = ec.strategy_table(actual, forecasts, rules=["long_flat"])
    common = actual.index[5:].delete(95)
    assert (table["n_days"] == common.size).all()
    held = forecasts["skilled"].loc[common].apply(ec.positions)
    parts = [ec.strategy_returns(held[c], actual.loc[common, c]) for c in ("A", "B")]
    net = (parts[0]["net"] + parts[1]["net"]) / 2
    expected = ec.performance(net, turnover=(parts[0]["turnover"] + parts[1]["turnover"]) / 2)
    row = table.loc[("skilled", "long_flat")]
    assert row["annual_return"] == pytest.approx(expected.annual_return, rel=1e-12)
    assert row["turnover_per_year"] == pytest.approx(expected.turnover_per_year, rel=1e-12)
    assert row["sharpe"] == pytest.approx(expected.sharpe, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ec.positions([0.1, np.nan]), "NaN"),
        (lambda: ec.positions([0.1], rule="short_only"), "rule must be one of"),
        (lambda: ec.strategy_returns([1.0, 0.0], [0.01]), "same length"),
        (lambda: ec.strategy_returns([1.0, 0.0], [0.01, np.nan]), "NaN"),
        (lambda: ec.strategy_returns([1.0], [0.01], cost_bps=-1.0), "cost_bps must be"),
        (lambda: ec.performance([0.01, -1.2]), "-100 %"),
        (lambda: ec.performance([0.01], periods_per_year=0), "periods_per_year"),
        (lambda: ec.sharpe_difference_test([0.01, 0.02, 0.0], [0.01, 0.0]), "same length"),
        (lambda: ec.sharpe_difference_test([0.01, np.nan], [0.01, 0.0]), "NaN"),
        (lambda: ec.sharpe_difference_test([0.01, 0.0], [0.0, 0.01], "gmm"), "method must be"),
        (
            lambda: ec.sharpe_difference_test(
                [0.01, 0.0, 0.02], [0.0, 0.01, 0.03], "bootstrap", block_size=0
            ),
            "block_size must be",
        ),
        (lambda: ec.strategy_table([0.01, 0.02], {"m": [0.1, 0.2]}, rules=["x"]), "rules"),
        (lambda: ec.strategy_table([0.01, 0.02], {"m": [0.1, 0.2]}, cost_bps=-5), "cost_bps"),
        (lambda: ec.strategy_table([0.01, 0.02], {"m": [0.1]}), "same length"),
        (lambda: ec.strategy_table([0.01, 0.02], {}), "non-empty dict"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
