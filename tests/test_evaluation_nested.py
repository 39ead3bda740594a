"""Clark-West, out-of-sample R^2, Holm and direction vs always-up against R references."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmgru import evaluation as ev

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "nested_reference.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", REFERENCE["clark_west"], ids=lambda c: c["name"])
def test_clark_west_matches_r_sandwich(case: dict) -> None:
    result = ev.clark_west(
        case["actual"], case["restricted"], case["unrestricted"], h=case["h"], lags=case["lags"]
    )
    assert result.statistic == pytest.approx(case["statistic"], rel=1e-9, abs=1e-12)
    assert result.pvalue == pytest.approx(case["p_value"], rel=1e-8, abs=1e-15)
    assert result.adjustment == pytest.approx(case["adjustment"], rel=1e-9)
    assert result.mspe_restricted == pytest.approx(case["mspe_restricted"], rel=1e-9)
    assert result.mspe_unrestricted == pytest.approx(case["mspe_unrestricted"], rel=1e-9)
    assert result.n == len(case["actual"])
    assert result.lags == case["lags"]


def test_clark_west_default_lags_follow_the_horizon() -> None:
    case = next(c for c in REFERENCE["clark_west"] if c["name"] == "rw_h3")
    result = ev.clark_west(case["actual"], case["restricted"], case["unrestricted"], h=3)
    assert result.lags == 2
    assert result.statistic == pytest.approx(case["statistic"], rel=1e-9)


@pytest.mark.parametrize("case", REFERENCE["clark_west"], ids=lambda c: c["name"])
def test_r2_oos_matches_r_and_carries_the_clark_west_test(case: dict) -> None:
    benchmark = np.asarray(case["restricted"])
    if np.all(benchmark == 0.0):
        benchmark = 0.0  # the random walk on returns, as a scalar
    result = ev.r2_oos(
        case["actual"], case["unrestricted"], benchmark, h=case["h"], lags=case["lags"]
    )
    assert result.r2_oos == pytest.approx(case["r2_oos"], rel=1e-9)
    assert result.statistic == pytest.approx(case["statistic"], rel=1e-9)
    assert result.pvalue == pytest.approx(case["p_value"], rel=1e-8, abs=1e-15)


def test_clark_west_adjustment_undoes_the_noise_penalty_of_a_nested_model() -> None:
    # H0 true: the larger model adds pure noise. Raw MSPE favours the random walk, while the
    # adjusted differential is centred on zero, so CW is not far in the left tail.
    rng = np.random.default_rng(7)
    actual = rng.normal(0, 0.01, 2000)
    noisy = rng.normal(0, 0.003, 2000)
    result = ev.clark_west(actual, np.zeros(2000), noisy)
    assert result.mspe_unrestricted > result.mspe_restricted
    assert result.adjustment == pytest.approx(np.mean(noisy**2))
    assert abs(result.statistic) < 3.0


def test_clark_west_identical_forecasts_are_not_applicable() -> None:
    y = np.array([0.01, -0.02, 0.005, 0.0, 0.012])
    with pytest.raises(ev.DegenerateTestError, match="constant"):
        ev.clark_west(y, np.zeros(5), np.zeros(5))
    with pytest.raises(ev.DegenerateTestError, match="exactly"):
        ev.r2_oos(np.zeros(5), y, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"h": 0}, "h must be"), ({"lags": -1}, "lags must be"), ({"lags": 5}, "too large")],
)
def test_clark_west_rejects_bad_options(kwargs: dict, match: str) -> None:
    y = [0.01, -0.02, 0.005, 0.003, 0.012]
    with pytest.raises(ValueError, match=match):
        ev.clark_west(y, [0.0] * 5, [0.001, 0.0, -0.001, 0.002, 0.0], **kwargs)


def test_clark_west_rejects_mismatched_and_missing_values() -> None:
    with pytest.raises(ValueError, match="same length"):
        ev.clark_west([0.1, 0.2, 0.3], [0.0, 0.0], [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="NaN"):
        ev.clark_west([0.1, np.nan, 0.3], [0.0] * 3, [0.1, 0.1, 0.1])


@pytest.mark.parametrize("case", REFERENCE["holm"], ids=lambda c: f"m={len(c['p'])}")
def test_holm_matches_r_p_adjust(case: dict) -> None:
    p = np.array([np.nan if v is None else v for v in case["p"]])
    expected = np.array([np.nan if v is None else v for v in case["adjusted"]])
    np.testing.assert_allclose(ev.holm(p), expected, rtol=1e-12, atol=0.0)


def test_holm_keeps_a_series_index_and_rejects_bad_p_values() -> None:
    series = pd.Series([0.04, 0.01, np.nan], index=["a", "b", "c"], name="p")
    adjusted = ev.holm(series)
    assert list(adjusted.index) == ["a", "b", "c"] and adjusted.name == "p"
    np.testing.assert_allclose(adjusted.to_numpy(), [0.04, 0.02, np.nan])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ev.holm([0.2, 1.5])
    with pytest.raises(ValueError, match="one-dimensional"):
        ev.holm([[0.1, 0.2]])


@pytest.mark.parametrize("case", REFERENCE["direction"], ids=lambda c: c["name"])
def test_direction_vs_always_up_matches_r_binom_test(case: dict) -> None:
    result = ev.direction_vs_always_up(case["actual"], case["forecast"], atol=0.0)
    assert result.hit_rate == pytest.approx(case["hit_rate"], rel=1e-12)
    assert result.base_rate == pytest.approx(case["base_rate"], rel=1e-12)
    assert (result.n_model_only, result.n_base_only) == (
        case["n_model_only"],
        case["n_base_only"],
    )
    assert result.difference == pytest.approx(
        (case["n_model_only"] - case["n_base_only"]) / len(case["actual"]), rel=1e-12
    )
    assert result.pvalue == pytest.approx(case["p_greater"], rel=1e-9)
    two_sided = ev.direction_vs_always_up(
        case["actual"], case["forecast"], atol=0.0, alternative="two-sided"
    )
    assert two_sided.pvalue == pytest.approx(case["p_two_sided"], rel=1e-9)


def test_direction_vs_always_up_is_not_applicable_for_an_always_up_model() -> None:
    with pytest.raises(ev.DegenerateTestError, match="always-up"):
        ev.direction_vs_always_up([0.01, -0.02, 0.03], [0.001, 0.002, 0.003])
    with pytest.raises(ValueError, match="alternative"):
        ev.direction_vs_always_up([0.01, -0.02], [0.01, -0.01], alternative="up")
