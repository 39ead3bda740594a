"""Pooled DM test against R (sandwich::NeweyWest), and SPA usage against arch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmgru import evaluation as ev

POOLED = json.loads(
    (Path(__file__).parent / "reference" / "nested_reference.json").read_text(encoding="utf-8")
)["pooled"]


def _panel() -> pd.DataFrame:
    frame = pd.DataFrame(
        {k: [np.nan if v is None else v for v in vs] for k, vs in POOLED["differentials"].items()},
        index=pd.DatetimeIndex(POOLED["dates"]),
    )
    return frame


@pytest.mark.parametrize("case", POOLED["results"], ids=lambda c: f"lags={c['lags']}")
def test_pooled_dm_matches_r_newey_west(case: dict) -> None:
    result = ev.pooled_dm(_panel(), lags=case["lags"])
    assert result.statistic == pytest.approx(case["statistic"], rel=1e-9)
    assert result.pvalue == pytest.approx(case["p_value"], rel=1e-9)
    assert result.mean_loss_differential == pytest.approx(case["mean"], rel=1e-9)
    assert (result.n_days, result.n_instruments) == (300, 4)


def test_pooled_dm_default_lag_rule_and_row_order() -> None:
    frame = _panel()
    default = ev.pooled_dm(frame.iloc[::-1])  # sorted by date before the HAC variance
    assert default.lags == POOLED["lag_rule"] == ev.newey_west_lags(300) == 5
    assert default.statistic == pytest.approx(POOLED["results"][0]["statistic"], rel=1e-9)
    assert ev.pooled_dm(frame, alternative="greater").pvalue == pytest.approx(
        POOLED["results"][0]["p_value"] / 2, rel=1e-9
    )


def test_pooled_dm_drops_days_without_any_instrument() -> None:
    frame = _panel()
    frame.loc[frame.index[5]] = np.nan
    assert ev.pooled_dm(frame).n_days == 299


def test_pooled_dm_bad_input_and_degenerate_panel() -> None:
    frame = _panel()
    with pytest.raises(ValueError, match="no loss differential"):
        ev.pooled_dm(frame.assign(EEE=np.nan))
    with pytest.raises(ValueError, match="infinite"):
        ev.pooled_dm(frame.replace(frame.iloc[0, 0], np.inf))
    with pytest.raises(ValueError, match="duplicate dates"):
        ev.pooled_dm(pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(ValueError, match="DataFrame"):
        ev.pooled_dm(frame["AAA"])
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.pooled_dm(frame * 0.0)


def _spa_losses(shift: float, seed: int = 3) -> tuple[np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    benchmark = rng.normal(0, 0.01, 500) ** 2
    models = pd.DataFrame(
        {
            "better": benchmark * (1.0 - shift) + rng.normal(0, 2e-6, 500) ** 2,
            "worse": benchmark * 1.3 + rng.normal(0, 1e-5, 500) ** 2,
        }
    )
    return benchmark, models


def test_spa_clearly_better_model_gives_small_p_value_and_ordering() -> None:
    benchmark, models = _spa_losses(shift=0.2)
    result = ev.spa_test(benchmark, models, reps=500, block_size=10, seed=1)
    assert result.pvalue_consistent < 0.01
    assert result.pvalue_upper < 0.01
    assert result.pvalue_lower <= result.pvalue_consistent <= result.pvalue_upper


def test_spa_models_no_better_than_the_benchmark_give_p_near_one() -> None:
    benchmark, models = _spa_losses(shift=-0.2)
    result = ev.spa_test(benchmark, models, reps=500, block_size=10, seed=1)
    assert result.pvalue_lower <= result.pvalue_consistent <= result.pvalue_upper
    # the statistic is max(0, ...) = 0 here: the least favourable (upper) p-value is 1, and
    # the recentred ones are the bootstrap share of positive maxima, far from any rejection
    assert result.pvalue_upper > 0.99
    assert result.pvalue_consistent > 0.3


def test_spa_agrees_with_arch_and_sets_aside_identical_models() -> None:
    from arch.bootstrap import SPA

    benchmark, models = _spa_losses(shift=0.02)
    result = ev.spa_test(benchmark, models.assign(copy=benchmark), reps=300, block_size=12, seed=5)
    direct = SPA(
        benchmark, models.to_numpy(), block_size=12, reps=300, seed=np.random.default_rng(5)
    )
    direct.compute()
    assert result.identical == ("copy",)
    assert result.n_models == 3
    assert result.pvalue_consistent == pytest.approx(float(direct.pvalues["consistent"]))
    assert result.pvalue_lower == pytest.approx(float(direct.pvalues["lower"]))
    assert result.pvalue_upper == pytest.approx(float(direct.pvalues["upper"]))
    again = ev.spa_test(benchmark, models, reps=300, block_size=12, seed=5)
    assert again.pvalue_consistent == result.pvalue_consistent
    with pytest.raises(ev.DegenerateTestError, match="benchmark's losses"):
        ev.spa_test(benchmark, pd.DataFrame({"copy": benchmark}))
    with pytest.raises(ValueError, match="block_size"):
        ev.spa_test(benchmark, models, block_size=0)
