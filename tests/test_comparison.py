"""Cross-ticker tables on small hand-made result frames (the conclusion: test_findings.py).

The expected numbers are worked out by hand from the two frames below (``metrics_a`` and
``metrics_b``): means, ranks and counts of p-values below 5 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstmgru import comparison

COLUMNS = [
    "theil_u2",
    "directional_accuracy",
    "cw_holm_vs_random_walk",
    "pt_pvalue",
    "mcs_pvalue",
    "in_mcs",
]
MODELS = ["random_walk", "drift", "arima", "lstm", "gru"]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS, index=pd.Index(MODELS, name="model"))
    return frame


@pytest.fixture
def results() -> dict[str, pd.DataFrame]:
    metrics_a = _frame(
        [
            (1.000, 0.01, np.nan, np.nan, 0.40, True),
            (1.001, 0.52, 0.60, 0.30, 0.35, True),
            (0.980, 0.51, 0.03, 0.20, 1.00, True),
            (0.970, 0.56, 0.01, 0.04, 0.90, True),
            (1.050, 0.49, 0.02, 0.50, 0.05, False),
        ]
    )
    metrics_b = _frame(
        [
            (1.000, 0.00, np.nan, np.nan, 1.00, True),
            (1.002, 0.50, 0.70, 0.60, 0.50, True),
            (1.010, 0.48, 0.04, 0.70, 0.08, False),
            (0.990, 0.53, 0.20, 0.01, 0.60, True),
            (0.995, 0.52, 0.30, 0.20, 0.70, True),
        ]
    )
    return {"A": metrics_a, "B": metrics_b}


@pytest.fixture
def scores(results) -> pd.DataFrame:
    return comparison.collect_metrics(results)


def test_collect_metrics_is_long_in_ticker_then_model_order(scores) -> None:
    assert list(scores.columns[:2]) == ["ticker", "model"]
    assert scores["ticker"].tolist() == ["A"] * 5 + ["B"] * 5
    assert scores["model"].tolist() == MODELS * 2
    assert scores.loc[7, "theil_u2"] == pytest.approx(1.010)


def test_collect_metrics_needs_the_random_walk(results) -> None:
    with pytest.raises(ValueError, match="no 'random_walk' row"):
        comparison.collect_metrics({"A": results["A"].drop(index="random_walk")})
    with pytest.raises(ValueError, match="no finished tickers"):
        comparison.collect_metrics({})


def test_metric_table_and_means(scores) -> None:
    table = comparison.metric_table(scores, "theil_u2")
    assert list(table.columns) == ["A", "B", "mean"]
    assert list(table.index) == MODELS
    expected = {"random_walk": 1.0, "drift": 1.0015, "arima": 0.995, "lstm": 0.98, "gru": 1.0225}
    for model, value in expected.items():
        assert table.loc[model, "mean"] == pytest.approx(value)
    with pytest.raises(ValueError, match="lacks column"):
        comparison.metric_table(scores, "sharpe")


def test_metric_table_keeps_a_missing_model_as_nan(results) -> None:
    partial = {"A": results["A"], "B": results["B"].drop(index="gru")}
    table = comparison.metric_table(comparison.collect_metrics(partial), "theil_u2")
    assert np.isnan(table.loc["gru", "B"])
    assert table.loc["gru", "mean"] == pytest.approx(1.05)  # mean over the scored ticker only


def test_pvalue_table_drops_the_benchmark(scores) -> None:
    table = comparison.pvalue_table(scores)
    assert list(table.index) == ["drift", "arima", "lstm", "gru"]
    assert table.loc["arima", "B"] == pytest.approx(0.04)


def test_significance_counts_use_the_holm_adjusted_clark_west_level(scores) -> None:
    table = comparison.significance_counts(scores, alpha=0.05)
    assert table.to_dict(orient="index") == {
        "drift": {"tickers": 2, "better": 0, "not_significant": 2},
        "arima": {"tickers": 2, "better": 2, "not_significant": 0},
        "lstm": {"tickers": 2, "better": 1, "not_significant": 1},
        "gru": {"tickers": 2, "better": 1, "not_significant": 1},
    }
    # At 1 % no p-value is below the level (the smallest is exactly 0.01).
    strict = comparison.significance_counts(scores, alpha=0.01)
    assert strict["better"].sum() == 0
    with pytest.raises(ValueError, match="alpha"):
        comparison.significance_counts(scores, alpha=5)


def test_mcs_summary(scores) -> None:
    table = comparison.mcs_summary(scores)
    assert table["in_mcs"].to_dict() == {
        "random_walk": 2,
        "drift": 2,
        "arima": 1,
        "lstm": 2,
        "gru": 1,
    }
    assert table.loc["gru", "share"] == pytest.approx(0.5)
    assert "mean_mcs_pvalue" not in table.columns  # MCS p-values are never averaged
    members = comparison.mcs_table(scores)
    assert members.loc["gru"].tolist() == ["out", "in", 1]


def test_mcs_summary_reads_booleans_written_as_text(scores) -> None:
    as_text = scores.assign(in_mcs=scores["in_mcs"].map({True: "True", False: "False"}))
    assert comparison.mcs_summary(as_text)["in_mcs"].sum() == 8


def test_model_ranking(scores) -> None:
    ranking = comparison.model_ranking(scores, "theil_u2")
    assert list(ranking.index) == ["lstm", "random_walk", "arima", "gru", "drift"]
    assert ranking["mean_rank"].tolist() == [1.0, 3.0, 3.5, 3.5, 4.0]
    assert ranking.loc["gru", "B"] == 2.0
    assert ranking.loc["lstm", "first_places"] == 2
    by_direction = comparison.model_ranking(scores, "directional_accuracy", ascending=False)
    assert by_direction.index[0] == "lstm"  # 0.56 and 0.53: best on both


def test_model_ranking_averages_ties() -> None:
    tied = pd.DataFrame(
        {"theil_u2": [1.0, 0.9, 0.9]},
        index=pd.Index(["random_walk", "drift", "arima"], name="model"),
    )
    ranking = comparison.model_ranking(comparison.collect_metrics({"X": tied}), "theil_u2")
    assert ranking.loc["drift", "X"] == 1.5 and ranking.loc["arima", "X"] == 1.5


def test_seed_scores_and_summary() -> None:
    seeds_a = pd.DataFrame(
        {
            "model": ["lstm", "lstm"],
            "seed": [0, 1],
            "theil_u2": [0.96, 0.98],
            "directional_accuracy": [0.50, 0.54],
        }
    )
    stacked = comparison.collect_seed_scores({"A": seeds_a, "B": None})
    assert list(stacked.columns[:3]) == ["ticker", "model", "seed"]
    assert stacked["ticker"].tolist() == ["A", "A"]
    summary = comparison.seed_summary(stacked)
    row = summary[summary["metric"] == "theil_u2"].iloc[0]
    assert row["mean"] == pytest.approx(0.97)
    assert row["std"] == pytest.approx(0.0141421356, rel=1e-8)
    assert row["n_seeds"] == 2


def test_seed_summary_keeps_the_run_order_and_widens() -> None:
    seeds = pd.DataFrame(
        {
            "model": ["lstm", "lstm", "gru", "gru"],
            "seed": [0, 1, 0, 1],
            "theil_u2": [0.96, 0.98, 1.01, 1.03],
            "directional_accuracy": [0.50, 0.54, 0.49, 0.51],
        }
    )
    summary = comparison.seed_summary(comparison.collect_seed_scores({"B": seeds, "A": seeds}))
    # evaluation.summarize_seeds sorts keys alphabetically; the run's order is restored.
    assert summary["ticker"].tolist()[:4] == ["B"] * 4
    assert summary["model"].tolist()[:4] == ["lstm", "lstm", "gru", "gru"]
    assert summary["metric"].tolist()[:2] == ["theil_u2", "directional_accuracy"]
    table = comparison.seed_table(summary)
    assert list(table.index) == [("lstm", "B"), ("lstm", "A"), ("gru", "B"), ("gru", "A")]
    assert table.loc[("gru", "A"), ("theil_u2", "mean")] == pytest.approx(1.02)
    assert table.loc[("gru", "A"), ("directional_accuracy", "max")] == pytest.approx(0.51)
    assert table.loc[("lstm", "B"), ("n_seeds", "")] == 2
    assert comparison.seed_table(comparison.seed_summary(seeds.iloc[:0])).empty


def test_seed_summary_without_networks_is_empty() -> None:
    empty = comparison.collect_seed_scores({"A": None})
    summary = comparison.seed_summary(empty)
    assert summary.empty
    assert list(summary.columns) == [
        "ticker",
        "model",
        "metric",
        "mean",
        "std",
        "min",
        "max",
        "n_seeds",
    ]


def test_mcs_summary_counts_only_tickers_where_the_mcs_applies(results) -> None:
    # Ticker B as stored after an MCS that was not applicable: NaN p-values, in_mcs missing
    # (NA in memory, an empty cell -- NaN -- after the CSV round trip).
    undecided = results["B"].assign(mcs_pvalue=np.nan, in_mcs=pd.NA)
    scores = comparison.collect_metrics({"A": results["A"], "B": undecided})
    table = comparison.mcs_summary(scores)
    assert table["tickers"].tolist() == [1, 1, 1, 1, 1]
    assert table["in_mcs"].tolist() == [1, 1, 1, 1, 0]
    assert table.loc["gru", "share"] == 0.0 and table.loc["lstm", "share"] == 1.0
    as_csv = scores.assign(in_mcs=scores["in_mcs"].map({True: "True", False: "False"}))
    pd.testing.assert_frame_equal(comparison.mcs_summary(as_csv), table)


def test_mcs_summary_of_a_ticker_whose_price_never_moves(results) -> None:
    # A constant price series: Theil's U2, every test and the MCS are undefined (NaN).
    flat = results["A"].assign(
        theil_u2=np.nan, cw_holm_vs_random_walk=np.nan, pt_pvalue=np.nan, mcs_pvalue=np.nan
    )
    flat["in_mcs"] = pd.array([pd.NA] * len(flat), dtype="boolean")
    assert comparison.mcs_summary(comparison.collect_metrics({"FLAT": flat}))["share"].isna().all()
