"""Verdicts and generated prose of lstmgru.findings on synthetic three-ticker runs: one where the
LSTM-GRU forecasts part of the next return, one where no model has any signal."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import synthetic_run

from lstmgru import comparison, findings
from lstmgru.config import MODEL_NAMES


@pytest.fixture(scope="module")
def signal() -> findings.RunFindings:
    evidence = comparison.gather_evidence(synthetic_run(signal=0.5), mcs_reps=100, spa_reps=100)
    return findings.collect_findings(evidence, 0.05)


@pytest.fixture(scope="module")
def noise() -> findings.RunFindings:
    results = synthetic_run(signal=0.0, seed=1)
    evidence = comparison.gather_evidence(results, mcs_reps=100, spa_reps=100)
    return findings.collect_findings(evidence, 0.05, unfinished={"DDD": "failed"})


def test_names_cover_every_model_and_the_new_columns() -> None:
    assert set(findings.DISPLAY_NAMES) == set(MODEL_NAMES)
    assert findings.display_name("lstm_gru_parallel") == "LSTM‖GRU"
    assert findings.display_name("unknown") == "unknown"
    assert findings.METRIC_NAMES["cw_holm_vs_random_walk"] == "CW p (Holm)"
    for column in comparison.HOLM_FAMILIES.values():
        assert column in findings.LABELS


def test_verdicts_rest_on_the_holm_adjusted_tests(signal) -> None:
    assert signal.beats_random_walk["lstm_gru"] == ("AAA", "BBB", "CCC")
    assert signal.beats_random_walk["lstm"] == ()
    assert signal.pooled_winners == ("lstm_gru",)
    assert set(signal.pooled_hybrid_better) == {"arima", "lstm"}
    assert signal.pooled_hybrid_worse == ()
    assert signal.hybrid_better["arima"] == ("AAA", "BBB", "CCC")
    assert signal.spa_rejections == ("AAA", "BBB", "CCC")
    assert signal.mcs_counts["lstm_gru"] == 3


def test_conclusion_prose_of_a_real_signal(signal) -> None:
    s = findings.conclusion_sentences(signal)
    text = " ".join(s)
    assert s[0].startswith("The comparison covers three instruments (AAA, BBB, and CCC)")
    assert "Beating the random walk (Clark–West test" in text
    assert "Holm-adjusted over twelve model–instrument pairs" in text
    assert "the LSTM–GRU (pooled out-of-sample $R^2$" in text
    assert "significantly more accurate than ARIMA" in text
    assert "at 80 % power" in text


def test_zero_counts_read_none(noise) -> None:
    text = " ".join(findings.conclusion_sentences(noise))
    assert "No model beats the random walk on any instrument" in text
    assert "Pooled across the three instruments, no model beats the random walk" in text
    assert "does not reject that no model beats the random walk on any of the three" in text
    assert "directional skill in none of the six network–instrument pairs" in text
    assert "no model reaches it" in text
    assert "Left out because they did not finish: DDD (failed)." in text
    assert not re.search(r"\b(0|zero) of\b", text)
    assert "on 0" not in text and "worse on zero" not in text


def test_summary_and_frame(signal, noise) -> None:
    quiet = findings.summary_sentence(noise)
    assert quiet.startswith(
        "In the run reported here (three instruments: AAA, BBB, and CCC; 300 test days), no "
        "model forecast more accurately than the random walk"
    )
    assert "pooled across instruments no model did" in quiet
    assert "At 80 % power these tests detect only an out-of-sample $R^2$ of about" in quiet
    loud = findings.summary_sentence(signal)
    assert "in three of twelve model–instrument comparisons" in loud
    assert "pooled across instruments the LSTM–GRU did" in loud
    frame = findings.findings_frame(signal)
    assert list(frame.index) == ["AAA", "BBB", "CCC"]
    assert (frame["model"] == "LSTM–GRU").all()
    assert (frame["cw_holm_vs_random_walk"] < 0.05).all()
    assert frame["test_days"].tolist() == [300, 300, 300]


@pytest.mark.parametrize(
    ("args", "message"),
    [(({}, 0.05), "no finished tickers"), (({"A": pd.DataFrame()}, 0.05), "StoredResult"),
     (({"A": pd.DataFrame()}, 1.5), "alpha")],
)  # fmt: skip
def test_bad_input(args, message) -> None:
    with pytest.raises(ValueError, match=message):
        findings.collect_findings(*args)
