"""Verdicts and generated prose of lstmgru.findings on synthetic three-ticker runs: one where the
LSTM-GRU forecasts part of the next return, one where no model has any signal."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
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
    # the complement of the model confidence set: the models it excluded, or "none"
    for t in signal.tickers:
        outside = [findings.display_name(m) for m in t.models if m not in t.mcs_members]
        assert frame.loc[t.ticker, "outside_mcs"] == (", ".join(outside) or "none")
    assert frame["outside_mcs"].str.contains("Random walk").all()  # the signal excludes it


@pytest.mark.parametrize(
    ("args", "message"),
    [(({}, 0.05), "no finished tickers"), (({"A": pd.DataFrame()}, 0.05), "StoredResult"),
     (({"A": pd.DataFrame()}, 1.5), "alpha")],
)  # fmt: skip
def test_bad_input(args, message) -> None:
    with pytest.raises(ValueError, match=message):
        findings.collect_findings(*args)


# ----------------------------------------------------------------------------------------------
# Counts read as English: zero, one and two of everything
# ----------------------------------------------------------------------------------------------


def _subset(results: dict, tickers, drop=()) -> dict:
    """The synthetic results of ``tickers`` without the models ``drop``."""
    return {
        t: dataclasses.replace(
            results[t],
            forecasts=results[t].forecasts.drop(
                columns=[c for c in results[t].forecasts if c.split("#")[0] in drop]
            ),
            metrics=results[t].metrics.drop(index=list(drop)),
        )
        for t in tickers
    }


def _prose(results: dict) -> str:
    evidence = comparison.gather_evidence(results, mcs_reps=100, spa_reps=100)
    found = findings.collect_findings(evidence, 0.05)
    return " ".join([*findings.conclusion_sentences(found), findings.summary_sentence(found)])


#: Phrases that betray a count not turned into words: "0 of 3", "on 0", "zero models",
#: a plural after "one", "one more instrument".
_BAD_COUNTS = re.compile(
    r"\b0 of\b|\bon 0\b|\bzero\b|\b1 \w+s\b|\bone \w+s\b|\bone more\b|of the one\b"
)


@pytest.fixture(scope="module")
def noise_results() -> dict:
    return synthetic_run(signal=0.0, seed=1)


def test_two_instruments_read_either_and_neither(noise_results) -> None:
    text = _prose(_subset(noise_results, ("AAA", "BBB")))
    assert "Pooled across the two instruments, no model beats the random walk" in text
    assert "does not reject that no model beats the random walk on either of the two" in text
    assert "directional skill in none of the four network–instrument pairs" in text
    assert not _BAD_COUNTS.search(text), _BAD_COUNTS.search(text)


def test_one_instrument_reads_the_only(noise_results) -> None:
    text = _prose(_subset(noise_results, ("AAA",), drop=("lstm",)))
    assert text.startswith("The comparison covers one instrument (AAA) and three models")
    assert "No model beats the random walk on the only instrument" in text
    assert "Nor does the only network, the LSTM–GRU." in text
    assert "does not find directional skill in the only network–instrument pair" in text
    assert "Pooled" not in text  # nothing is pooled over one instrument
    assert "No model beats the drift forecast on the only instrument" in text
    assert "on the only instrument; in the set: the random walk" in text
    assert not _BAD_COUNTS.search(text), _BAD_COUNTS.search(text)


def _equally_noisy(results: dict, seed: int = 2) -> dict:
    """The results with ARIMA, the LSTM and the LSTM-GRU all pure noise of one size, so that no
    Diebold-Mariano test between them rejects."""
    rng = np.random.default_rng(seed)
    out = {}
    for ticker, result in results.items():
        frame = result.forecasts.copy()
        for model in ("arima", "lstm", "lstm_gru"):
            if model in frame:
                frame[model] = frame["previous"] * np.exp(rng.normal(0, 0.002, len(frame)))
        out[ticker] = dataclasses.replace(result, forecasts=frame)
    return out


def test_rivals_that_do_not_differ_read_neither_and_only(noise_results) -> None:
    quiet = _equally_noisy(noise_results)
    two = _prose(_subset(quiet, ("AAA", "BBB", "CCC")))
    assert "differs significantly from neither of its two rivals" in two
    one = _prose(_subset(quiet, ("AAA", "BBB", "CCC"), drop=("lstm",)))
    assert "does not differ significantly from its only rival, ARIMA" in one
    for text in (two, one):
        assert not _BAD_COUNTS.search(text), _BAD_COUNTS.search(text)


def test_bad_count_pattern_catches_the_faults_it_names() -> None:
    for phrase in ("beats 0 of 3 networks", "worse on 0", "zero models", "one instruments",
                   "not applicable on one more instrument", "none of the one rival"):  # fmt: skip
        assert _BAD_COUNTS.search(phrase), phrase
    assert not _BAD_COUNTS.search("one model–instrument pair reaches that; none of the two")
