"""Verdicts and generated prose of lstmgru.findings on two small hand-made result frames.

Ticker A: ARIMA and LSTM beat the random walk (U2 < 1, DM p < 0.05), GRU is worse; ticker B:
ARIMA is worse, nothing beats the random walk. Worked out by hand from the frames below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstmgru import findings
from lstmgru.config import MODEL_NAMES

COLUMNS = ["theil_u2", "directional_accuracy", "dm_pvalue_vs_random_walk", "pt_pvalue",
           "mcs_pvalue", "in_mcs"]  # fmt: skip
MODELS = ["random_walk", "drift", "arima", "lstm", "gru"]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS, index=pd.Index(MODELS, name="model"))


@pytest.fixture
def results() -> dict[str, pd.DataFrame]:
    a = _frame([(1.000, 0.01, np.nan, np.nan, 0.40, True), (1.001, 0.52, 0.60, 0.30, 0.35, True),
                (0.980, 0.51, 0.03, 0.20, 1.00, True), (0.970, 0.56, 0.01, 0.04, 0.90, True),
                (1.050, 0.49, 0.02, 0.50, 0.05, False)])  # fmt: skip
    b = _frame([(1.000, 0.00, np.nan, np.nan, 1.00, True), (1.002, 0.50, 0.70, 0.60, 0.50, True),
                (1.010, 0.48, 0.04, 0.70, 0.08, False), (0.990, 0.53, 0.20, 0.01, 0.60, True),
                (0.995, 0.52, 0.30, 0.20, 0.70, True)])  # fmt: skip
    return {"A": a, "B": b}


def test_names_cover_every_model() -> None:
    assert set(findings.DISPLAY_NAMES) == set(MODEL_NAMES)
    assert findings.display_name("lstm_gru_parallel") == "LSTM‖GRU"
    assert findings.display_name("unknown") == "unknown"
    assert findings.METRIC_NAMES["dm_pvalue_vs_random_walk"] == "DM p"


def test_verdicts_and_counts(results) -> None:
    f = findings.collect_findings(results)
    a, b = f.tickers
    assert (a.better, a.worse, b.better, b.worse) == (("arima", "lstm"), ("gru",), (), ("arima",))
    assert f.beats_random_walk["lstm"] == ("A",) and f.worse_than_random_walk["arima"] == ("B",)
    assert f.networks == ("lstm", "gru") and f.others == ("drift", "arima")
    assert f.directional_skill["lstm"] == ("A", "B")  # PT p < 0.05 and DA > 0.5
    assert f.mcs_decided == 2 and f.mcs_counts["random_walk"] == 2 and f.mcs_counts["gru"] == 1
    assert f.mean_rank["lstm"] == 1.0 and f.mean_rank["random_walk"] == 3.0
    assert a.best == "lstm" and a.best_direction == "lstm"
    strict = findings.collect_findings(results, alpha=0.001)
    assert not any(strict.beats_random_walk.values())


def test_conclusion_prose(results) -> None:
    s = findings.conclusion_sentences(
        findings.collect_findings(results, unfinished={"C": "failed"})
    )
    assert s[0] == (
        "The comparison covers two instruments (A and B) and four models besides the random "
        "walk. Left out because they did not finish: C (failed)."
    )
    assert s[1].startswith("One of the two networks (the LSTM) beat the random walk at the 5 %")
    assert "one shows a significantly smaller and one a significantly larger" in s[1]
    assert s[2].startswith(
        "Significantly more accurate than the random walk: ARIMA on A and the LSTM on A (two of eight"
    )
    assert (
        s[3] == "The random walk was significantly more accurate than ARIMA on B and the GRU on A."
    )
    assert (
        s[4]
        == "The drift forecast does not differ significantly from the random walk on either instrument."
    )
    assert s[5] == ("ARIMA beats the random walk significantly on one of the two instruments and "
                    "is significantly worse on one.")  # fmt: skip
    assert "in two of the four network–instrument pairs" in s[-1]


def test_zero_cases_read_as_english(results) -> None:
    s = findings.conclusion_sentences(findings.collect_findings(results, alpha=0.001))
    assert s[1].startswith("Neither of the two networks beat the random walk at the 0.1 % level")
    assert (
        s[2]
        == "No model forecast significantly more accurately than the random walk on any instrument."
    )
    assert "in none of the four network–instrument pairs" in s[-1]
    three = {t: r.assign(dm_pvalue_vs_random_walk=0.9) for t, r in results.items()}
    for t in three.values():
        t.loc["lstm_gru"] = t.loc["lstm"]
    s = findings.conclusion_sentences(findings.collect_findings(three))
    assert s[1].startswith("None of the three networks beat the random walk")
    assert not any(" 0 of " in x or "on 0" in x for x in s)
    cheap = {t: r.loc[["random_walk", "drift"]] for t, r in results.items()}
    s = findings.conclusion_sentences(findings.collect_findings(cheap))
    assert s[1] == "No recurrent network was part of this run."


def test_mcs_not_applicable(results) -> None:
    undecided = results["B"].assign(mcs_pvalue=np.nan, in_mcs=pd.NA)
    f = findings.collect_findings({"A": results["A"], "B": undecided})
    assert f.mcs_decided == 1 and not f.tickers[1].mcs_applicable
    sentence = next(x for x in findings.conclusion_sentences(f) if "confidence set" in x)
    assert sentence == (
        "The random walk is in the 90 % model confidence set on the only instrument where it "
        "applies (not applicable on one more instrument); in the set on every instrument where "
        "it applies: the random walk, the drift forecast, ARIMA, and the LSTM."
    )
    flat = results["A"].assign(theil_u2=np.nan, dm_pvalue_vs_random_walk=np.nan,
                               pt_pvalue=np.nan, mcs_pvalue=np.nan, in_mcs=pd.NA)  # fmt: skip
    s = findings.conclusion_sentences(findings.collect_findings({"FLAT": flat}))
    assert not any("nan" in x for x in s), s
    assert "the models are not ranked" in " ".join(s)
    assert "not applicable on any instrument" in " ".join(s)


def test_summary_and_frame(results) -> None:
    f = findings.collect_findings(results)
    assert findings.summary_sentence(f) == (
        "In the run reported here (two instruments: A and B), a model forecast significantly "
        "more accurately than the random walk (Diebold–Mariano test, 5 % level) in two of "
        "eight model–instrument comparisons, and the most accurate forecasts came from the "
        "LSTM on two instruments."
    )
    frame = findings.findings_frame(f)
    assert (
        frame.loc["A", "model"] == "LSTM"
        and frame.loc["B", "in_mcs"] == "Random walk, Drift, LSTM, GRU"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [(({}, 0.05), "no finished tickers"), (({"A": pd.DataFrame()}, 0.05), "non-empty"),
     (({"A": _frame([(1, 0.5, np.nan, np.nan, 1, True)] * 5)}, 1.5), "alpha")],
)  # fmt: skip
def test_bad_input(args, message) -> None:
    with pytest.raises(ValueError, match=message):
        findings.collect_findings(*args)


def test_needs_the_random_walk(results) -> None:
    with pytest.raises(ValueError, match="no 'random_walk' row"):
        findings.collect_findings({"A": results["A"].drop(index="random_walk")})
