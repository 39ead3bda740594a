"""Minimum detectable effects against R (qnorm, power.t.test) and a seeded simulation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from lstmgru import evaluation as ev

CASES = json.loads(
    (Path(__file__).parent / "reference" / "nested_reference.json").read_text(encoding="utf-8")
)["power"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"n={c['n']}-a={c['alpha']}-{c['one_sided']}")
def test_minimum_detectable_effect_matches_r(case: dict) -> None:
    result = ev.minimum_detectable_effect(
        case["n"], sd_ratio=0.5, alpha=case["alpha"], power=0.8, one_sided=case["one_sided"]
    )
    assert result.standardized_effect == pytest.approx(case["delta_normal"], rel=1e-12)
    # power.t.test (non-central t) agrees to the t-versus-normal gap, < 1 % from n = 120 on
    assert result.standardized_effect == pytest.approx(case["delta_t"], rel=1e-2)
    assert result.r2_oos == pytest.approx(0.5 * case["delta_normal"], rel=1e-12)
    assert result.relative_mse == pytest.approx(1.0 - 0.5 * case["delta_normal"], rel=1e-12)
    if case["one_sided"]:
        assert case["power_at_delta_normal"] == pytest.approx(0.8, rel=1e-12)


def test_thesis_window_needs_several_percent_r2() -> None:
    # issue 14: 490 test days, one-sided 5 %, 80 % power -> delta = 0.1123
    result = ev.minimum_detectable_effect(490, sd_ratio=0.5)
    assert result.standardized_effect == pytest.approx(0.112327, abs=1e-6)
    assert result.r2_oos == pytest.approx(0.056164, abs=1e-6)


def test_power_at_the_minimum_detectable_effect_is_eighty_percent_by_simulation() -> None:
    n, reps = 250, 4000
    delta = ev.minimum_detectable_effect(n, sd_ratio=1.0).standardized_effect
    rng = np.random.default_rng(11)
    d = rng.normal(delta, 1.0, (reps, n))
    t = d.mean(axis=1) / (d.std(axis=1) / np.sqrt(n))
    rejected = float(np.mean(t > stats.norm.isf(0.05)))
    assert rejected == pytest.approx(0.80, abs=0.025)  # binomial sd 0.0063


def test_pooled_effective_sample_size() -> None:
    independent = ev.pooled_minimum_detectable_effect(
        490, 4, mean_correlation=0.0, sd_ratio=0.5, one_sided=True
    )
    assert independent.n_effective == pytest.approx(1960.0)
    assert independent.r2_oos == pytest.approx(
        ev.minimum_detectable_effect(1960, sd_ratio=0.5).r2_oos, rel=1e-12
    )
    correlated = ev.pooled_minimum_detectable_effect(490, 4, mean_correlation=0.5, sd_ratio=0.5)
    assert correlated.n_effective == pytest.approx(490 * 4 / 2.5)
    assert correlated.one_sided is False
    same = ev.pooled_minimum_detectable_effect(490, 4, mean_correlation=1.0, sd_ratio=0.5)
    assert same.n_effective == pytest.approx(490.0)


def test_sd_ratio_from_losses_is_hac_sd_over_mean_loss() -> None:
    benchmark = np.array([4.0, 1.0, 9.0, 1.0, 4.0, 0.0])
    model = np.array([3.0, 1.0, 8.0, 2.0, 4.0, 0.0])
    d = benchmark - model  # 1, 0, 1, -1, 0, 0: mean 1/6
    expected = np.sqrt(np.mean((d - d.mean()) ** 2)) / benchmark.mean()
    assert ev.loss_differential_sd_ratio(benchmark, model, lags=0) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 1, "sd_ratio": 0.5}, "n must be"),
        ({"n": 100, "sd_ratio": 0.0}, "sd_ratio"),
        ({"n": 100, "sd_ratio": 0.5, "alpha": 1.2}, "alpha"),
        ({"n": 100, "sd_ratio": 0.5, "power": 0.0}, "power"),
    ],
)
def test_minimum_detectable_effect_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ev.minimum_detectable_effect(**kwargs)


def test_pooled_rejects_impossible_correlation() -> None:
    with pytest.raises(ValueError, match="mean_correlation"):
        ev.pooled_minimum_detectable_effect(490, 4, mean_correlation=-0.5, sd_ratio=0.5)
