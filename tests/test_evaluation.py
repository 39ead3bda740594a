"""Tests of lstmgru.evaluation: reference values from R, properties, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmgru import evaluation as ev

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "dm_pt_reference.json").read_text(encoding="utf-8")
)
SERIES = {s["name"]: s for s in REFERENCE["error_series"]}
DM_CASES = REFERENCE["diebold_mariano"]
PT_CASES = REFERENCE["pesaran_timmermann"]
R_ALTERNATIVE = {"two.sided": "two-sided", "less": "less", "greater": "greater"}
R_LOSS = {2: "squared", 1: "absolute"}


def _case_id(case: dict) -> str:
    return (
        f"{case['series']}-h{case['h']}-p{case['power']}-{case['varestimator']}-"
        f"{case['alternative']}"
    )


# ---------------------------------------------------------------------------------------------
# reference values (tests/reference/make_dm_pt_reference.R, R forecast::dm.test)
# ---------------------------------------------------------------------------------------------


def test_reference_file_covers_the_documented_cases():
    assert len(DM_CASES) == 54
    assert {c["h"] for c in DM_CASES} == {1, 3}
    assert {c["power"] for c in DM_CASES} == {1, 2}
    assert {c["alternative"] for c in DM_CASES} == set(R_ALTERNATIVE)
    assert len(PT_CASES) == 3


@pytest.mark.parametrize("case", DM_CASES, ids=_case_id)
def test_diebold_mariano_matches_r_forecast_dm_test(case):
    series = SERIES[case["series"]]
    result = ev.diebold_mariano(
        series["e1"],
        series["e2"],
        h=case["h"],
        loss=R_LOSS[case["power"]],
        alternative=R_ALTERNATIVE[case["alternative"]],
        varestimator=case["varestimator"],
    )
    assert result.statistic == pytest.approx(case["statistic"], abs=1e-6)
    assert result.pvalue == pytest.approx(case["p_value"], abs=1e-6)
    assert result.n == len(series["e1"])
    assert result.h == case["h"]


@pytest.mark.parametrize("case", PT_CASES, ids=lambda c: c["name"])
def test_pesaran_timmermann_matches_r_reference(case):
    result = ev.pesaran_timmermann(case["actual"], case["forecast"])
    assert result.statistic == pytest.approx(case["statistic"], abs=1e-6)
    assert result.pvalue == pytest.approx(case["p_value"], abs=1e-6)
    assert result.hit_rate == pytest.approx(case["hit_rate"], abs=1e-12)
    assert result.n == len(case["actual"])


def test_callable_loss_reproduces_r_squared_loss():
    case = next(c for c in DM_CASES if c["series"] == "small_ar" and c["h"] == 3)
    series = SERIES["small_ar"]
    result = ev.diebold_mariano(
        series["e1"],
        series["e2"],
        h=3,
        loss=lambda e: np.abs(e) ** case["power"],
        alternative=R_ALTERNATIVE[case["alternative"]],
        varestimator=case["varestimator"],
    )
    assert result.statistic == pytest.approx(case["statistic"], abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Diebold-Mariano properties
# ---------------------------------------------------------------------------------------------


def test_dm_swapping_models_flips_the_statistic_and_one_sided_pvalues():
    series = SERIES["heavy_tail"]
    ab = ev.diebold_mariano(series["e1"], series["e2"], alternative="less")
    ba = ev.diebold_mariano(series["e2"], series["e1"], alternative="greater")
    assert ba.statistic == pytest.approx(-ab.statistic, abs=1e-12)
    assert ba.pvalue == pytest.approx(ab.pvalue, abs=1e-12)
    assert ba.mean_loss_differential == pytest.approx(-ab.mean_loss_differential, abs=1e-12)
    assert ab.statistic != 0.0


def test_dm_less_means_model_a_more_accurate():
    rng = np.random.default_rng(3)
    good = rng.normal(0, 0.5, 200)
    bad = rng.normal(0, 2.0, 200)
    result = ev.diebold_mariano(good, bad, alternative="less")
    assert result.statistic < 0
    assert result.pvalue < 1e-6
    assert result.mean_loss_differential < 0


def test_dm_mean_loss_differential_by_hand():
    result = ev.diebold_mariano([1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 1.0, 1.0])
    # d = [1, 3, 8, 15]; gamma0 = 116.75 / 4; HLN factor sqrt(3 / 4)
    assert result.mean_loss_differential == pytest.approx(6.75)
    assert result.statistic == pytest.approx(6.75 / math.sqrt(116.75 / 16) * math.sqrt(0.75))


def test_dm_identical_errors_raise_degenerate_test_error():
    errors = np.random.default_rng(0).normal(size=50)
    with pytest.raises(ev.DegenerateTestError, match="identical errors"):
        ev.diebold_mariano(errors, errors.copy())
    assert issubclass(ev.DegenerateTestError, ValueError)


def test_dm_negative_long_run_variance_names_bartlett_and_bartlett_works():
    n = 40
    errors_a = np.where(np.arange(n) % 2 == 0, 2.0, 0.0)  # losses alternate 4, 0
    errors_b = np.ones(n)  # d alternates 3, -1: lag-1 autocovariance = -gamma0 (n-1)/n
    with pytest.raises(ev.DegenerateTestError, match="bartlett"):
        ev.diebold_mariano(errors_a, errors_b, h=2)
    result = ev.diebold_mariano(errors_a, errors_b, h=2, varestimator="bartlett")
    # gamma0 = 4, gamma1 = -4 * 39 / 40, Bartlett weight 1/2: V = 4 / 40
    expected = 1.0 / math.sqrt((4.0 / 40) / n) * math.sqrt((n + 1 - 4 + 2 / n) / n)
    assert result.statistic == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------
# Pesaran-Timmermann properties
# ---------------------------------------------------------------------------------------------


def test_pt_zero_moves_are_the_not_up_class():
    result = ev.pesaran_timmermann([0.01, 0.0, -0.01, 0.02], [0.0, 0.0, 0.01, 0.03])
    # classes up/not up: actual [1, 0, 0, 1], forecast [0, 0, 1, 1] -> hits [0, 1, 0, 1]
    assert result.hit_rate == 0.5
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.pvalue == pytest.approx(0.5)


def test_pt_constant_forecast_signs_raise():
    actual = np.random.default_rng(1).normal(size=30)
    with pytest.raises(ev.DegenerateTestError, match="signs are constant"):
        ev.pesaran_timmermann(actual, np.full(30, 0.001))
    with pytest.raises(ev.DegenerateTestError):
        ev.pesaran_timmermann(actual, np.zeros(30))  # the random walk


def test_pt_perfect_signs_are_significant():
    actual = np.random.default_rng(2).normal(size=100)
    result = ev.pesaran_timmermann(actual, actual * 0.1)
    assert result.hit_rate == 1.0
    assert result.pvalue < 1e-15


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------

ACTUAL = np.array([100.0, 102.0, 99.0, 105.0])
FORECAST = np.array([101.0, 101.0, 100.0, 104.0])
PREVIOUS = np.array([100.0, 100.0, 102.0, 99.0])
TRAIN = np.array([10.0, 11.0, 13.0, 12.0])


def test_metrics_by_hand():
    m = ev.metrics(ACTUAL, FORECAST, previous=PREVIOUS, train=TRAIN)
    assert m["rmse"] == pytest.approx(1.0)
    assert m["mae"] == pytest.approx(1.0)
    assert m["mape"] == pytest.approx(25.0 * (1 / 100 + 1 / 102 + 1 / 99 + 1 / 105))
    assert m["smape"] == pytest.approx(25.0 * (2 / 201 + 2 / 203 + 2 / 199 + 2 / 209))
    assert m["theil_u2"] == pytest.approx(2.0 / 7.0)  # sqrt(4 / (0 + 4 + 9 + 36))
    # signs of f - p: [+, +, -, +]; of a - p: [0, +, -, +]; a flat day is its own class
    assert m["directional_accuracy"] == pytest.approx(0.75)
    r = np.log(ACTUAL / PREVIOUS)
    r_hat = np.log(FORECAST / PREVIOUS)
    assert m["rmse_return"] == pytest.approx(np.sqrt(np.mean((r - r_hat) ** 2)))
    assert m["mae_return"] == pytest.approx(np.mean(np.abs(r - r_hat)))
    assert m["r2_oos"] == pytest.approx(1 - np.sum((r - r_hat) ** 2) / np.sum(r**2))
    assert m["mse_return"] == pytest.approx(np.mean((r - r_hat) ** 2))
    # return-scale MASE: MAE of returns over the in-sample MAE of the zero-return forecast
    scale = np.mean(np.abs(np.diff(np.log(TRAIN))))
    assert m["mase"] == pytest.approx(np.mean(np.abs(r - r_hat)) / scale)


def test_metrics_perfect_forecast():
    m = ev.metrics(ACTUAL, ACTUAL.copy(), previous=PREVIOUS, train=TRAIN)
    for key in ("rmse", "mae", "mape", "smape", "mase", "theil_u2", "rmse_return"):
        assert m[key] == 0.0, key
    assert m["directional_accuracy"] == 1.0
    assert m["r2_oos"] == 1.0


def test_metrics_random_walk_is_the_unit_of_theil_and_zero_of_r2():
    m = ev.metrics(ACTUAL, PREVIOUS, previous=PREVIOUS, train=TRAIN)
    assert m["theil_u2"] == 1.0
    assert m["r2_oos"] == 0.0
    assert m["directional_accuracy"] == 0.25  # only the flat first day is a hit


def test_metrics_leave_out_what_their_arguments_do_not_allow():
    assert set(ev.metrics(ACTUAL, FORECAST)) == set(ev.PRICE_METRICS)
    assert set(ev.metrics(ACTUAL, FORECAST, train=TRAIN)) == set(ev.PRICE_METRICS)
    both = ev.metrics(ACTUAL, FORECAST, previous=PREVIOUS, train=TRAIN)
    assert set(both) == {*ev.PRICE_METRICS, *ev.PREVIOUS_METRICS, *ev.TRAIN_METRICS}
    with_previous = ev.metrics(ACTUAL, FORECAST, previous=PREVIOUS)
    assert set(with_previous) == {*ev.PRICE_METRICS, *ev.PREVIOUS_METRICS}


def test_metrics_accept_aligned_series():
    idx = pd.bdate_range("2022-01-03", periods=4)
    m = ev.metrics(pd.Series(ACTUAL, idx), pd.Series(FORECAST, idx), previous=PREVIOUS)
    assert m["theil_u2"] == pytest.approx(2.0 / 7.0)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


def test_metrics_different_lengths():
    with pytest.raises(ValueError, match=r"same length; got actual=4, forecast=3"):
        ev.metrics(ACTUAL, FORECAST[:3])


def test_metrics_misaligned_datetime_indexes():
    idx = pd.bdate_range("2022-01-03", periods=4)
    shifted = pd.Series(FORECAST, index=idx + pd.Timedelta(days=1))
    with pytest.raises(ValueError, match="different DatetimeIndexes"):
        ev.metrics(pd.Series(ACTUAL, idx), shifted)


def test_metrics_nan():
    with pytest.raises(ValueError, match=r"forecast contains 1 NaN .* position\(s\) 2"):
        ev.metrics(ACTUAL, np.array([101.0, 101.0, np.nan, 104.0]))


def test_metrics_empty():
    with pytest.raises(ValueError, match="actual is empty"):
        ev.metrics([], [])


def test_metrics_non_positive_prices():
    with pytest.raises(ValueError, match="previous has 1 non-positive"):
        ev.metrics(ACTUAL, FORECAST, previous=[0.0, 100.0, 102.0, 99.0])
    with pytest.raises(ValueError, match="forecast has 1 non-positive"):
        ev.metrics(ACTUAL, [-1.0, 101.0, 100.0, 104.0], previous=PREVIOUS)
    with pytest.raises(ValueError, match="actual has 1 non-positive"):
        ev.metrics([0.0, 102.0, 99.0, 105.0], FORECAST)


def test_metrics_constant_train():
    with pytest.raises(ValueError, match="train prices are constant"):
        ev.metrics(ACTUAL, FORECAST, previous=PREVIOUS, train=[5.0, 5.0, 5.0])


def test_metrics_two_dimensional():
    with pytest.raises(ValueError, match="one-dimensional"):
        ev.metrics(np.ones((2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("h", [0, -1, 1.5, True])
def test_dm_bad_horizon(h):
    with pytest.raises(ValueError, match="h must be an integer >= 1"):
        ev.diebold_mariano([1.0, 2.0, 3.0], [2.0, 1.0, 0.0], h=h)


def test_dm_horizon_too_large():
    with pytest.raises(ValueError, match="too large"):
        ev.diebold_mariano([1.0, 2.0, 3.0, 4.0], [2.0, 1.0, 0.0, 1.0], h=4)


def test_dm_bad_loss_and_alternative():
    with pytest.raises(ValueError, match="loss must be"):
        ev.diebold_mariano([1.0, 2.0], [2.0, 1.0], loss="huber")
    with pytest.raises(ValueError, match="alternative must be"):
        ev.diebold_mariano([1.0, 2.0], [2.0, 1.0], alternative="two.sided")
    with pytest.raises(ValueError, match="n errors to n losses"):
        ev.diebold_mariano([1.0, 2.0, 3.0], [2.0, 1.0, 0.0], loss=lambda e: e[:2])


def test_dm_bad_errors():
    with pytest.raises(ValueError, match="same length"):
        ev.diebold_mariano([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="errors_b contains 1 NaN"):
        ev.diebold_mariano([1.0, 2.0, 3.0], [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="errors_a is empty"):
        ev.diebold_mariano([], [])


def test_pt_bad_input():
    with pytest.raises(ValueError, match="same length"):
        ev.pesaran_timmermann([0.1, -0.1, 0.2], [0.1, 0.2])
    idx = pd.bdate_range("2022-01-03", periods=3)
    with pytest.raises(ValueError, match="different DatetimeIndexes"):
        ev.pesaran_timmermann(
            pd.Series([0.1, -0.1, 0.2], idx), pd.Series([0.1, -0.1, 0.2], idx.shift(1))
        )


# ---------------------------------------------------------------------------------------------
# model confidence set
# ---------------------------------------------------------------------------------------------


def _losses_frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 250
    return pd.DataFrame(
        {
            "best": rng.normal(0, 1.0, n) ** 2,
            "close": rng.normal(0, 1.02, n) ** 2,
            "worst": rng.normal(0, 3.0, n) ** 2,
        }
    )


def test_mcs_excludes_the_clearly_worst_and_keeps_the_best():
    result = ev.model_confidence_set(_losses_frame(), size=0.10, reps=300, seed=1)
    assert "worst" in result.excluded
    assert "best" in result.included
    assert result.pvalues["worst"] < 0.01
    assert list(result.pvalues.index) == ["best", "close", "worst"]
    assert result.pvalues.max() == 1.0


def test_mcs_is_reproducible_with_a_seed():
    a = ev.model_confidence_set(_losses_frame(), reps=200, seed=7)
    b = ev.model_confidence_set(_losses_frame(), reps=200, seed=7)
    pd.testing.assert_series_equal(a.pvalues, b.pvalues)
    assert a.included == b.included


def test_mcs_identical_models_share_a_pvalue():
    frame = _losses_frame()
    frame["copy_of_best"] = frame["best"]
    result = ev.model_confidence_set(frame, reps=200, seed=1)
    assert result.pvalues["copy_of_best"] == result.pvalues["best"]
    assert "copy_of_best" in result.included
    assert "worst" in result.excluded


def test_mcs_bad_input():
    with pytest.raises(ValueError, match="at least two model columns"):
        ev.model_confidence_set(pd.DataFrame({"a": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="pandas DataFrame"):
        ev.model_confidence_set(np.ones((5, 2)))
    with pytest.raises(ValueError, match="size must be in"):
        ev.model_confidence_set(_losses_frame(), size=1.5)
    with pytest.raises(ValueError, match=r"losses\['a'\] contains 1 NaN"):
        ev.model_confidence_set(pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 2.0]}))


# ---------------------------------------------------------------------------------------------
# seeds
# ---------------------------------------------------------------------------------------------


def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": ["lstm", "lstm", "lstm", "gru", "gru", "gru"],
            "seed": [0, 1, 2, 0, 1, 2],
            "rmse": [1.0, 2.0, 3.0, 2.0, 2.0, 2.0],
            "mae": [0.5, 0.7, 0.9, 1.0, 1.2, 1.4],
        }
    )


def test_summarize_seeds_mean_spread_and_order():
    summary = ev.summarize_seeds(_scores())
    assert list(summary.columns) == ["model", "metric", "mean", "std", "min", "max", "n_seeds"]
    assert list(zip(summary["model"], summary["metric"], strict=True)) == [
        ("gru", "rmse"),
        ("gru", "mae"),
        ("lstm", "rmse"),
        ("lstm", "mae"),
    ]
    lstm_rmse = summary.iloc[2]
    assert lstm_rmse["mean"] == 2.0
    assert lstm_rmse["std"] == pytest.approx(1.0)  # ddof = 1
    assert (lstm_rmse["min"], lstm_rmse["max"], lstm_rmse["n_seeds"]) == (1.0, 3.0, 3)
    assert summary.iloc[0]["std"] == 0.0


def test_summarize_seeds_with_ensemble_scores_and_single_seed():
    scores = pd.concat(
        [_scores(), pd.DataFrame({"model": ["arima"], "seed": [0], "rmse": [2.5], "mae": [1.1]})]
    )
    ensemble = pd.DataFrame({"model": ["lstm", "gru"], "rmse": [1.5, 1.9], "mae": [0.6, 1.1]})
    summary = ev.summarize_seeds(scores, ensemble_scores=ensemble).set_index(["model", "metric"])
    assert summary.loc[("lstm", "rmse"), "ensemble"] == 1.5
    assert summary.loc[("gru", "mae"), "ensemble"] == 1.1
    assert math.isnan(summary.loc[("arima", "rmse"), "ensemble"])
    assert math.isnan(summary.loc[("arima", "rmse"), "std"])


def test_summarize_seeds_bad_input():
    with pytest.raises(ValueError, match="non-empty DataFrame"):
        ev.summarize_seeds(pd.DataFrame())
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['seed'\]"):
        ev.summarize_seeds(_scores().drop(columns="seed"))
    with pytest.raises(ValueError, match="more than one row"):
        ev.summarize_seeds(pd.concat([_scores(), _scores().iloc[:1]]))
    orphan = pd.DataFrame({"model": ["tcn"], "rmse": [1.0], "mae": [1.0]})
    with pytest.raises(ValueError, match="keys without seed scores"):
        ev.summarize_seeds(_scores(), ensemble_scores=orphan)


# ---------------------------------------------------------------------------------------------
# comparison table and rendering
# ---------------------------------------------------------------------------------------------


def _experiment(n: int = 150, seed: int = 0):
    rng = np.random.default_rng(seed)
    prices = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, 2 * n + 1)))
    idx = pd.bdate_range("2020-01-01", periods=n)
    train = prices[:n]
    previous = pd.Series(prices[n:-1], idx)
    actual = pd.Series(prices[n + 1 :], idx)
    returns = np.log(actual / previous)
    forecasts = {
        "random_walk": previous.copy(),
        "arima": previous.copy(),  # ARIMA(0,1,0): identical to the random walk
        "hybrid": previous * np.exp(0.6 * returns + rng.normal(0, 0.005, n)),
        "noise": previous * np.exp(rng.normal(0, 0.03, n)),
    }
    return actual, forecasts, previous, train


def test_comparison_table_rows_and_tests():
    actual, forecasts, previous, train = _experiment()
    table = ev.comparison_table(
        actual, forecasts, previous=previous, train=train, mcs_reps=200, seed=0
    )
    assert list(table.index) == ["random_walk", "arima", "hybrid", "noise"]
    assert table.loc["random_walk", "theil_u2"] == 1.0
    assert math.isnan(table.loc["random_walk", "cw_pvalue_vs_random_walk"])
    assert math.isnan(table.loc["arima", "cw_pvalue_vs_random_walk"])  # identical forecasts
    assert math.isnan(table.loc["random_walk", "pt_pvalue"])  # never forecasts "up"
    assert math.isnan(table.loc["random_walk", "up_pvalue"])  # calls no direction
    assert table.loc["hybrid", "cw_pvalue_vs_random_walk"] < 0.01
    r = np.log(actual / previous).to_numpy()
    r_hat = np.log(forecasts["hybrid"] / previous).to_numpy()
    direct = ev.clark_west(r, np.zeros_like(r), r_hat)
    assert table.loc["hybrid", "cw_pvalue_vs_random_walk"] == pytest.approx(direct.pvalue)
    assert table.loc["hybrid", "cw_statistic_vs_random_walk"] == pytest.approx(direct.statistic)
    assert "dm_pvalue_vs_hybrid" not in table.columns  # no LSTM-GRU in this table
    assert table["base_rate"].nunique() == 1
    assert table.loc["hybrid", "up_pvalue"] < 0.01
    assert table.loc["hybrid", "mde_r2_oos"] > 0 and math.isnan(
        table.loc["random_walk", "mde_r2_oos"]
    )
    assert table.loc["hybrid", "pt_pvalue"] < 0.01
    assert table.loc["noise", "theil_u2"] > 2.0
    assert table["in_mcs"].tolist() == [False, False, True, False]
    expected = ev.metrics(actual, forecasts["hybrid"], previous=previous, train=train)
    assert table.loc["hybrid", "rmse"] == pytest.approx(expected["rmse"])


def test_comparison_table_without_arima_and_without_benchmark():
    actual, forecasts, previous, train = _experiment()
    del forecasts["arima"]
    table = ev.comparison_table(actual, forecasts, previous=previous, train=train, mcs_reps=100)
    assert "cw_pvalue_vs_drift" not in table.columns  # no drift forecast
    del forecasts["random_walk"]
    with pytest.raises(ValueError, match="benchmark 'random_walk' not among the forecasts"):
        ev.comparison_table(actual, forecasts, previous=previous, train=train)


# ---------------------------------------------------------------------------------------------
# degenerate and near-identical inputs: "not applicable", never a crash
# ---------------------------------------------------------------------------------------------


def _rounding_twin(losses: np.ndarray, days: int = 4, seed: int = 0) -> np.ndarray:
    """``losses`` changed by at most 2e-13 on a few days: a model equal up to rounding."""
    rng = np.random.default_rng(seed)
    twin = losses.copy()
    where = rng.choice(losses.size, days, replace=False)
    twin[where] += np.array([2e-13, -2e-13, 1e-13, -1e-13])[:days]
    return twin


def test_mcs_groups_an_arima_equal_to_the_random_walk_up_to_rounding():
    # The reported case (7,827 test days, 4 of them differing by <= 2e-13): arch's MCS raised
    # "IndexError: arrays used as indices must be of integer or boolean type", because the two
    # mean losses were exactly equal and the zero statistic tied with the diagonal.
    rng = np.random.default_rng(5)
    n = 7827
    random_walk = rng.normal(0, 1.0, n) ** 2
    frame = pd.DataFrame(
        {
            "random_walk": random_walk,
            "arima": _rounding_twin(random_walk),
            "drift": rng.normal(0, 1.01, n) ** 2,
            "lstm": rng.normal(0, 1.5, n) ** 2,
        }
    )
    assert frame["arima"].mean() == frame["random_walk"].mean()  # the tie that broke arch
    assert (frame["arima"] != frame["random_walk"]).sum() == 4
    result = ev.model_confidence_set(frame, reps=200, seed=0)
    assert result.note == ""
    assert result.pvalues["arima"] == result.pvalues["random_walk"]
    assert ("arima" in result.included) == ("random_walk" in result.included)
    assert "lstm" in result.excluded


def test_mcs_of_identical_models_is_not_applicable():
    losses = np.random.default_rng(0).normal(size=100) ** 2
    frame = pd.DataFrame({"a": losses, "b": losses, "c": _rounding_twin(losses)})
    result = ev.model_confidence_set(frame, reps=50)
    assert result.pvalues.isna().all()
    assert list(result.pvalues.index) == ["a", "b", "c"]
    assert result.included == () and result.excluded == ()
    assert "identical" in result.note


def test_mcs_of_one_distinct_model_is_not_applicable():
    losses = np.random.default_rng(1).normal(size=100) ** 2
    result = ev.model_confidence_set(pd.DataFrame({"a": losses, "b": losses + 1e-14}), reps=50)
    assert result.pvalues.isna().all()
    assert result.included == () and result.excluded == ()
    assert "identical" in result.note


def test_mcs_with_a_zero_variance_loss_differential_is_not_applicable():
    losses = np.random.default_rng(2).normal(size=100) ** 2
    noise = np.random.default_rng(3).normal(0, 1e-15, 100)  # variance 1e-30: rounding noise
    frame = pd.DataFrame({"a": losses, "b": losses + 0.5 + noise, "c": losses + 1.0})
    result = ev.model_confidence_set(frame, reps=50)
    assert result.pvalues.isna().all()
    assert result.included == () and result.excluded == ()
    assert "constant" in result.note and "'a'" in result.note


def test_mcs_of_distinct_models_with_exactly_equal_mean_losses_is_not_applicable():
    # Same losses on other days: distinct columns, equal means, and arch's tie failure.
    losses = np.arange(1.0, 41.0)
    shuffled = np.random.default_rng(0).permutation(losses)
    result = ev.model_confidence_set(pd.DataFrame({"a": losses, "b": shuffled}), reps=50)
    assert result.pvalues.isna().all() and not result.applicable
    assert "tie" in result.note


def test_dm_near_identical_losses_raise_degenerate_test_error():
    errors = np.random.default_rng(0).normal(size=500)
    twin = errors + np.random.default_rng(1).normal(0, 1e-15, 500)  # differential variance ~1e-30
    assert np.ptp(twin**2 - errors**2) > 0.0
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.diebold_mariano(errors, twin)
    shifted = np.sqrt(errors**2 + 2.0) + np.random.default_rng(2).normal(0, 1e-15, 500)
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.diebold_mariano(shifted, errors)  # loss differential 2 + rounding noise
    with pytest.raises(ev.DegenerateTestError):
        ev.diebold_mariano(np.full(50, 1.0), np.full(50, 2.0))  # constant errors


def test_dm_atol_makes_rounding_size_errors_a_tie():
    rounding = np.random.default_rng(4).normal(0, 1e-14, 200)  # errors of forecasts = actual
    assert 0.0 <= ev.diebold_mariano(rounding, np.zeros(200)).pvalue <= 1.0  # scale-free: a test
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.diebold_mariano(rounding, np.zeros(200), atol=1e-20)


def test_pt_forecasts_of_rounding_size_are_flat():
    actual = np.random.default_rng(0).normal(0, 0.01, 300)
    noise = np.random.default_rng(1).normal(0, 1e-17, 300)  # an "up" forecast by rounding only
    with pytest.raises(ev.DegenerateTestError, match="signs are constant"):
        ev.pesaran_timmermann(actual, noise)
    with pytest.raises(ev.DegenerateTestError, match="signs are constant"):
        ev.pesaran_timmermann(np.zeros(300), actual)  # constant prices: no actual move
    # A real forecast is unaffected: a hundredth of a basis point is far above rounding.
    assert ev.pesaran_timmermann(actual, 1e-6 * np.sign(actual)).hit_rate == 1.0


def test_metrics_of_constant_prices_raise_or_give_nan():
    flat = np.full(5, 50.0)
    rounding = flat * (1 + np.array([0.0, 1e-15, -1e-15, 0.0, 2e-15]))  # equal up to rounding
    with pytest.raises(ev.DegenerateTestError, match="actual equals previous"):
        ev.metrics(rounding, FORECAST[:1].repeat(5), previous=flat)
    with pytest.raises(ev.DegenerateTestError, match="train prices are constant"):
        ev.metrics(ACTUAL, FORECAST, previous=PREVIOUS, train=[5.0, 5.0 * (1 + 1e-15), 5.0])
    m = ev.metrics(rounding, flat * 1.01, previous=flat, train=rounding, undefined="nan")
    assert math.isnan(m["theil_u2"]) and math.isnan(m["r2_oos"]) and math.isnan(m["mase"])
    assert m["rmse"] == pytest.approx(0.5)
    assert m["directional_accuracy"] == 0.0  # forecast up, actual flat (rounding is flat)
    assert ev.metrics(rounding, flat, previous=flat, undefined="nan")["directional_accuracy"] == 1.0
    with pytest.raises(ValueError, match="undefined must be"):
        ev.metrics(ACTUAL, FORECAST, undefined="ignore")


def test_correlation_of_a_constant_series_is_undefined():
    x = np.array([1.0, 2.0, 4.0, 3.0])
    assert ev.correlation(x, 2 * x + 1) == pytest.approx(1.0)
    assert ev.correlation(x, -x) == pytest.approx(-1.0)
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.correlation(x, np.full(4, 7.0))
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.correlation(np.full(4, 7.0) * (1 + np.array([0, 1e-15, 0, -1e-15])), x)


def _long_experiment(n: int = 3000, seed: int = 0):
    actual, forecasts, previous, train = _experiment(n, seed)
    arima = previous.to_numpy().copy()
    days = np.random.default_rng(seed).choice(n, 4, replace=False)
    arima[days] *= 1 + np.array([4e-16, -4e-16, 2e-16, -2e-16])  # ARIMA = RW up to rounding
    forecasts["arima"] = pd.Series(arima, previous.index)
    return actual, forecasts, previous, train


def test_comparison_table_with_arima_equal_to_the_random_walk_up_to_rounding():
    actual, forecasts, previous, train = _long_experiment()
    assert (forecasts["arima"] != forecasts["random_walk"]).sum() > 0
    table = ev.comparison_table(actual, forecasts, previous=previous, train=train, mcs_reps=100)
    assert math.isnan(table.loc["arima", "cw_pvalue_vs_random_walk"])
    assert math.isnan(table.loc["arima", "pt_pvalue"])  # never "up" beyond rounding
    assert (
        table.loc["arima", "directional_accuracy"]
        == table.loc["random_walk", "directional_accuracy"]
    )
    assert table.loc["arima", "mcs_pvalue"] == table.loc["random_walk", "mcs_pvalue"]
    assert table.loc["hybrid", "cw_pvalue_vs_random_walk"] < 0.01
    assert table.loc["hybrid", "pt_pvalue"] < 0.01
    assert table.loc["hybrid", "in_mcs"]


def test_comparison_table_with_two_identical_networks():
    actual, forecasts, previous, train = _experiment()
    forecasts["twin"] = forecasts["hybrid"] * (1 + 1e-15)  # equal up to rounding
    table = ev.comparison_table(actual, forecasts, previous=previous, train=train, mcs_reps=100)
    assert table.loc["twin", "mcs_pvalue"] == table.loc["hybrid", "mcs_pvalue"]
    assert table.loc["twin", "in_mcs"] and table.loc["hybrid", "in_mcs"]
    assert table.loc["twin", "cw_pvalue_vs_random_walk"] == pytest.approx(
        table.loc["hybrid", "cw_pvalue_vs_random_walk"]
    )


def test_comparison_table_of_a_constant_price_series():
    n = 60
    idx = pd.bdate_range("2020-01-01", periods=n)
    actual = pd.Series(50.0, idx)
    previous = actual.copy()
    noise = np.random.default_rng(0).normal(0, 1e-16, n)
    forecasts = {
        "random_walk": previous.copy(),
        "drift": previous * math.exp(1e-4),
        "arima": previous * np.exp(noise),  # zero return up to rounding
    }
    table = ev.comparison_table(
        actual, forecasts, previous=previous, train=np.full(100, 50.0), mcs_reps=50
    )
    assert list(table.index) == ["random_walk", "drift", "arima"]
    for column in ("theil_u2", "r2_oos", "mase", "pt_pvalue", "mcs_pvalue"):
        assert table[column].isna().all(), column
    assert table["cw_pvalue_vs_random_walk"].isna().all()  # constant loss differentials
    assert table["in_mcs"].isna().all()
    assert table.loc["drift", "rmse"] == pytest.approx(50.0 * (math.exp(1e-4) - 1))
    assert table.loc["random_walk", "directional_accuracy"] == 1.0
    assert table.loc["arima", "directional_accuracy"] == 1.0


def test_comparison_table_tests_the_hybrid_against_its_rivals_on_returns():
    actual, forecasts, previous, train = _experiment()
    forecasts["lstm_gru"] = forecasts.pop("hybrid")
    forecasts["drift"] = previous * math.exp(0.0003)
    table = ev.comparison_table(actual, forecasts, previous=previous, train=train, mcs_reps=50)
    r = np.log(actual / previous).to_numpy()
    r_hat = {m: np.log(f / previous).to_numpy() for m, f in forecasts.items()}
    direct = ev.diebold_mariano(r_hat["lstm_gru"] - r, r_hat["arima"] - r)
    assert table.loc["arima", "dm_statistic_vs_hybrid"] == pytest.approx(direct.statistic)
    assert table.loc["arima", "dm_pvalue_vs_hybrid"] == pytest.approx(direct.pvalue)
    assert table.loc["arima", "dm_statistic_vs_hybrid"] < 0  # the hybrid has the lower loss
    assert table[["dm_pvalue_vs_hybrid"]].drop(index="arima").isna().all().all()  # noise: no rival
    drift = ev.clark_west(r, r_hat["drift"], r_hat["lstm_gru"])
    assert table.loc["lstm_gru", "cw_pvalue_vs_drift"] == pytest.approx(drift.pvalue)
    assert math.isnan(table.loc["drift", "cw_pvalue_vs_drift"])
    assert math.isnan(table.loc["random_walk", "cw_pvalue_vs_drift"])
    assert table.loc["drift", "cw_pvalue_vs_random_walk"] == pytest.approx(
        ev.clark_west(r, np.zeros_like(r), r_hat["drift"]).pvalue
    )
    scale = np.mean(np.abs(np.diff(np.log(train))))
    assert table["mase_scale"].tolist() == pytest.approx([scale] * len(table))
    mae = np.mean(np.abs(r_hat["lstm_gru"] - r))
    assert table.loc["lstm_gru", "mase"] == pytest.approx(mae / scale)
