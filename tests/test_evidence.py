"""The run-level evidence (lstmgru.comparison) on a synthetic three-ticker run: every number
equals the direct call of the evaluation function it comes from."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_run

from lstmgru import comparison, evaluation


@pytest.fixture(scope="module")
def signal_run():
    results = synthetic_run(signal=0.5)
    return results, comparison.gather_evidence(results, mcs_reps=100, spa_reps=100)


@pytest.fixture(scope="module")
def noise_run():
    results = synthetic_run(signal=0.0, seed=1)
    return results, comparison.gather_evidence(results, mcs_reps=100, spa_reps=100)


def _returns(result):
    frame = result.forecasts
    r = np.log(frame["actual"] / frame["previous"]).to_numpy()
    r_hat = {m: np.log(frame[m] / frame["previous"]).to_numpy() for m in frame.columns[2:]}
    return r, r_hat


def test_single_seed_columns_are_not_models(signal_run) -> None:
    results, evidence = signal_run
    assert "lstm_gru#s1" not in set(evidence.scores["model"])
    assert list(comparison.model_forecasts(results["AAA"]).columns) == [
        "random_walk", "drift", "arima", "lstm", "lstm_gru"
    ]  # fmt: skip
    assert "lstm_gru#s1" not in evidence.pooled.index


def test_per_instrument_tests_equal_the_direct_calls(signal_run) -> None:
    results, evidence = signal_run
    scores = evidence.scores.set_index(["ticker", "model"])
    r, r_hat = _returns(results["BBB"])
    zero = np.zeros_like(r)
    cw = evaluation.clark_west(r, zero, r_hat["lstm"])
    assert scores.loc[("BBB", "lstm"), "cw_pvalue_vs_random_walk"] == pytest.approx(cw.pvalue)
    drift = evaluation.clark_west(r, r_hat["drift"], r_hat["arima"])
    assert scores.loc[("BBB", "arima"), "cw_pvalue_vs_drift"] == pytest.approx(drift.pvalue)
    dm = evaluation.diebold_mariano(r_hat["lstm_gru"] - r, r_hat["arima"] - r)
    assert scores.loc[("BBB", "arima"), "dm_statistic_vs_hybrid"] == pytest.approx(dm.statistic)
    assert scores.loc[("BBB", "arima"), "dm_pvalue_vs_hybrid"] == pytest.approx(dm.pvalue)
    pt = evaluation.pesaran_timmermann(r, r_hat["lstm"], atol=evaluation.PRICE_RTOL)
    assert scores.loc[("BBB", "lstm"), "pt_pvalue"] == pytest.approx(pt.pvalue)
    assert scores.loc[("BBB", "lstm_gru"), "mase"] == pytest.approx(
        np.mean(np.abs(r_hat["lstm_gru"] - r)) / 0.008
    )
    assert scores.loc[("BBB", "random_walk"), "test_days"] == len(r)


def test_holm_runs_over_instruments_and_models_within_a_family(signal_run) -> None:
    _, evidence = signal_run
    scores = evidence.scores
    for raw, adjusted in comparison.HOLM_FAMILIES.items():
        expected = evaluation.holm(scores[raw].to_numpy(float))
        np.testing.assert_allclose(scores[adjusted].to_numpy(float), expected)
    family = scores["cw_pvalue_vs_random_walk"].dropna()
    assert len(family) == 12  # three tickers x four models besides the random walk
    smallest = family.idxmin()
    assert scores.loc[smallest, "cw_holm_vs_random_walk"] == pytest.approx(
        min(1.0, 12 * family.min())
    )


def test_pooled_tests_equal_the_direct_calls(signal_run) -> None:
    results, evidence = signal_run
    differentials, hybrid = {}, {}
    for ticker, result in results.items():
        r, r_hat = _returns(result)
        index = result.forecasts.index
        f = r**2 - ((r_hat["lstm"] - r) ** 2 - r_hat["lstm"] ** 2)
        differentials[ticker] = pd.Series(f, index)
        hybrid[ticker] = pd.Series((r_hat["lstm_gru"] - r) ** 2 - (r_hat["arima"] - r) ** 2, index)
    cw = evaluation.pooled_dm(pd.DataFrame(differentials), alternative="greater")
    assert evidence.pooled.loc["lstm", "pooled_cw_pvalue"] == pytest.approx(cw.pvalue)
    assert evidence.pooled.loc["lstm", "days"] == cw.n_days == 310
    dm = evaluation.pooled_dm(pd.DataFrame(hybrid))
    assert evidence.pooled_hybrid.loc["arima", "pooled_dm_statistic"] == pytest.approx(dm.statistic)
    expected = evaluation.holm(evidence.pooled["pooled_cw_pvalue"].to_numpy(float))
    np.testing.assert_allclose(evidence.pooled["pooled_cw_holm"], expected)


def test_spa_per_instrument_and_pooled(signal_run) -> None:
    results, evidence = signal_run
    r, r_hat = _returns(results["CCC"])
    losses = pd.DataFrame({m: (v - r) ** 2 for m, v in r_hat.items() if "#" not in m})
    spa = evaluation.spa_test(losses.pop("random_walk"), losses, reps=100, seed=0)
    assert evidence.spa.loc["CCC", "spa_pvalue"] == pytest.approx(spa.pvalue_consistent)
    np.testing.assert_allclose(
        evidence.spa["spa_holm"].iloc[:3], evaluation.holm(evidence.spa["spa_pvalue"].iloc[:3])
    )
    assert evidence.spa.loc[comparison.POOLED, "days"] == 290  # days common to all three
    assert math.isnan(evidence.spa.loc[comparison.POOLED, "spa_holm"])


def test_a_real_signal_beats_the_random_walk_pooled_and_noise_does_not(
    signal_run, noise_run
) -> None:
    _, evidence = signal_run
    assert evidence.pooled.loc["lstm_gru", "pooled_cw_holm"] < 0.01
    assert evidence.pooled.loc["lstm_gru", "pooled_r2_oos"] > 0.2
    assert evidence.pooled.loc["lstm", "pooled_cw_holm"] > 0.05
    assert (evidence.pooled_hybrid["pooled_dm_statistic"] < 0).all()
    _, noise = noise_run
    assert (noise.pooled["pooled_cw_holm"] > 0.05).all()
    assert (noise.scores["cw_holm_vs_random_walk"].dropna() > 0.05).all()


def test_tables_for_the_notebook(signal_run) -> None:
    _, evidence = signal_run
    hybrid = comparison.hybrid_table(evidence.scores)
    assert set(hybrid.index.get_level_values("model")) == {"arima", "lstm"}
    assert (hybrid["hybrid_loss"] == "lower").all()
    members = comparison.mcs_table(evidence.scores)
    assert members.loc["lstm_gru", "in_mcs"] == 3
    counts = comparison.significance_counts(evidence.scores)
    assert counts.loc["lstm_gru", "better"] == 3


def test_evidence_needs_stored_results() -> None:
    with pytest.raises(ValueError, match="no finished tickers"):
        comparison.collect_evidence({})
    with pytest.raises(ValueError, match="StoredResult"):
        comparison.collect_evidence({"A": pd.DataFrame({"x": [1.0]})})
    with pytest.raises(ValueError, match="alpha"):
        comparison.gather_evidence(synthetic_run(n=30), alpha=2.0)
