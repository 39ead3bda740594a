"""Cross-ticker tables of ``04_comparison`` (its conclusion is
:func:`lstmgru.findings.conclusion_sentences`).

Every function is pure: it takes the per-ticker results already read from disk (a mapping of
ticker to :class:`lstmgru.runs.StoredResult`, or to its ``metrics`` frame) or the long frames
built from them, and returns a data frame. Reading a run is :func:`lstmgru.runs.load_run`.

Conventions
-----------
* ``scores`` is a long frame with one row per (ticker, model): the stored metrics stacked by
  :func:`collect_metrics`, or the recomputed evidence of
  :func:`lstmgru.comparison.collect_evidence` (the columns of
  :func:`lstmgru.evaluation.comparison_table` plus Holm-adjusted p-values).
* Tables are models × tickers, models in the order they first appear, tickers in run order.
* An undefined statistic is NaN (``in_mcs``: missing), e.g. a Clark-West test of a model that
  reproduces the random walk or an MCS that is not applicable (see
  :func:`lstmgru.evaluation.model_confidence_set`); tables skip it and the text says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lstmgru import evaluation
from lstmgru.runs import StoredResult

__all__ = [
    "BENCHMARK",
    "collect_metrics",
    "collect_seed_scores",
    "family_table",
    "hybrid_table",
    "mcs_summary",
    "mcs_table",
    "metric_table",
    "model_ranking",
    "pvalue_table",
    "seed_summary",
    "seed_table",
    "significance_counts",
    "ticker_overview",
]

#: Name of the random-walk forecast, the benchmark of every test.
BENCHMARK = "random_walk"
CW_HOLM = "cw_holm_vs_random_walk"


def _metrics_frame(ticker: str, value: StoredResult | pd.DataFrame) -> pd.DataFrame:
    frame = value.metrics if isinstance(value, StoredResult) else value
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise ValueError(f"ticker {ticker!r}: metrics must be a non-empty DataFrame")
    return frame


def _require(scores: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(scores, pd.DataFrame) or scores.empty:
        raise ValueError("scores must be a non-empty DataFrame (see collect_metrics)")
    missing = [c for c in ("ticker", "model", *columns) if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; has {list(scores.columns)}")


def collect_metrics(results: Mapping[str, StoredResult | pd.DataFrame]) -> pd.DataFrame:
    """Stack the per-ticker comparison tables into one long frame.

    Parameters
    ----------
    results : mapping of str to StoredResult or pandas.DataFrame
        Ticker -> its stored result (or its ``metrics`` frame, indexed by model).

    Returns
    -------
    pandas.DataFrame
        Columns ``ticker``, ``model`` and every metric column, one row per (ticker, model),
        in ticker order, then model order.

    Raises
    ------
    ValueError
        No results, or a ticker without a random-walk row.
    """
    if not results:
        raise ValueError("no finished tickers to compare; run the experiment first")
    pieces = []
    for ticker, value in results.items():
        frame = _metrics_frame(ticker, value)
        if BENCHMARK not in frame.index:
            raise ValueError(
                f"ticker {ticker!r} has no {BENCHMARK!r} row; every run must include the "
                "random walk (models: random_walk, ...)"
            )
        piece = frame.reset_index().rename(columns={frame.index.name or "index": "model"})
        piece.insert(0, "ticker", ticker)
        pieces.append(piece)
    return pd.concat(pieces, ignore_index=True)


def _ordered(values: pd.Series) -> list[str]:
    return list(dict.fromkeys(values.astype(str)))


def metric_table(scores: pd.DataFrame, metric: str, *, mean: bool = True) -> pd.DataFrame:
    """One metric as a models × tickers table.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame of :func:`collect_metrics`.
    metric : str
        Column of ``scores``, e.g. ``"theil_u2"`` (dimensionless) or ``"directional_accuracy"``
        (share of days, 0..1).
    mean : bool
        Add a ``mean`` column: the mean over the tickers where the model was scored.

    Returns
    -------
    pandas.DataFrame
        Index ``model``, one column per ticker (plus ``mean``); NaN where a model was not run.
    """
    _require(scores, [metric])
    table = scores.pivot(index="model", columns="ticker", values=metric)
    table = table.reindex(index=_ordered(scores["model"]), columns=_ordered(scores["ticker"]))
    table = table.astype("float64")
    if mean:
        table["mean"] = table.mean(axis=1, skipna=True)
    table.columns.name = None
    return table


def pvalue_table(
    scores: pd.DataFrame, column: str = CW_HOLM, *, benchmark: str = BENCHMARK
) -> pd.DataFrame:
    """One p-value column as models × tickers (benchmark row and untested models dropped).

    The input of :func:`lstmgru.plots.plot_dm_heatmap`, e.g. the Holm-adjusted Clark-West
    p-values against the random walk (the default).
    """
    table = metric_table(scores, column, mean=False).drop(index=benchmark, errors="ignore")
    table = table.dropna(how="all")
    if table.empty:
        raise ValueError(f"no model besides {benchmark!r} has a {column!r} value")
    return table


def significance_counts(
    scores: pd.DataFrame, *, alpha: float = 0.05, benchmark: str = BENCHMARK
) -> pd.DataFrame:
    """On how many instruments each model beats the random walk (Clark-West, Holm-adjusted).

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame of :func:`lstmgru.comparison.collect_evidence`.
    alpha : float
        Level of the one-sided, Holm-adjusted Clark-West test.
    benchmark : str
        The random walk's model name.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (benchmark excluded); columns ``tickers`` (instruments where the test
        is defined), ``better`` (Holm-adjusted p below ``alpha``) and ``not_significant``.
    """
    _require(scores, [CW_HOLM])
    if not isinstance(alpha, int | float) or not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    rows = scores[scores["model"] != benchmark]
    p = pd.to_numeric(rows[CW_HOLM], errors="coerce")
    frame = rows.assign(tested=p.notna(), better=p < alpha)
    grouped = frame.groupby("model", sort=False)
    table = pd.DataFrame(
        {"tickers": grouped["tested"].sum(), "better": grouped["better"].sum()}
    ).reindex([m for m in _ordered(scores["model"]) if m != benchmark])
    table["not_significant"] = table["tickers"] - table["better"]
    table.index.name = "model"
    return table.fillna(0).astype("int64")


def _membership(scores: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    text = scores["in_mcs"].astype(str).str.lower()
    member = text.isin(["true", "1", "1.0"])
    return member, member | text.isin(["false", "0", "0.0"])


def mcs_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Membership of the model confidence set across tickers (counts only; MCS p-values are
    per instrument and are never averaged).

    Returns
    -------
    pandas.DataFrame
        Index ``model``; columns ``tickers`` (instruments where the MCS was computed; a
        missing ``in_mcs`` means it was not applicable), ``in_mcs`` (instruments where the
        model is in the set) and ``share`` (``in_mcs / tickers``, NaN for no ticker).
    """
    _require(scores, ["in_mcs"])
    member, decided = _membership(scores)
    frame = scores.assign(member=member, decided=decided)
    grouped = frame.groupby("model", sort=False)
    table = pd.DataFrame(
        {
            "tickers": grouped["decided"].sum().astype("int64"),
            "in_mcs": grouped["member"].sum().astype("int64"),
        }
    ).reindex(_ordered(scores["model"]))
    table["share"] = table["in_mcs"] / table["tickers"].replace(0, np.nan)
    table.index.name = "model"
    return table


def mcs_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Membership of the model confidence set, models × tickers.

    Returns
    -------
    pandas.DataFrame
        Index ``model``, one column per ticker: ``"in"`` (in the set), ``"out"`` or ``"n/a"``
        (the MCS was not applicable or the model was not run), then ``in_mcs`` (count).
    """
    _require(scores, ["in_mcs"])
    member, decided = _membership(scores)
    label = np.where(member, "in", np.where(decided, "out", "n/a"))
    frame = scores.assign(label=label)
    table = frame.pivot(index="model", columns="ticker", values="label")
    table = table.reindex(index=_ordered(scores["model"]), columns=_ordered(scores["ticker"]))
    table = table.fillna("n/a")
    table["in_mcs"] = (table == "in").sum(axis=1).astype("int64")
    table.columns.name = None
    return table


def family_table(scores: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Some columns of the long frame indexed by (ticker, model); rows where all are NaN dropped.

    E.g. ``["r2_oos", "cw_pvalue_vs_random_walk", "cw_holm_vs_random_walk"]`` for the
    Clark-West tests against the random walk.
    """
    _require(scores, columns)
    table = scores.set_index(["ticker", "model"])[list(columns)]
    tests = [c for c in columns if "pvalue" in c or "holm" in c]
    return table.dropna(how="all", subset=tests or None)


def hybrid_table(scores: pd.DataFrame) -> pd.DataFrame:
    """DM-HLN tests of the hybrid against each rival, per instrument, with the direction.

    Returns
    -------
    pandas.DataFrame
        Index (``ticker``, ``model`` = the rival); columns ``dm_statistic_vs_hybrid``
        (negative: the hybrid has the lower squared return error), ``dm_pvalue_vs_hybrid``,
        ``dm_holm_vs_hybrid`` and ``hybrid_loss`` (``"lower"`` or ``"higher"``: the hybrid's
        mean squared return error against the rival's). Empty without the hybrid.
    """
    columns = ["dm_statistic_vs_hybrid", "dm_pvalue_vs_hybrid", "dm_holm_vs_hybrid"]
    if "dm_pvalue_vs_hybrid" not in scores.columns:
        return pd.DataFrame(columns=[*columns, "hybrid_loss"])
    table = family_table(scores, columns)
    table["hybrid_loss"] = np.where(table["dm_statistic_vs_hybrid"] < 0, "lower", "higher")
    return table


def model_ranking(
    scores: pd.DataFrame, metric: str = "mse_return", *, ascending: bool = True
) -> pd.DataFrame:
    """Rank of each model within each ticker by one metric, and the mean rank.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame of :func:`collect_metrics`.
    metric : str
        Ranking metric; the mean squared log-return error by default (the primary loss).
    ascending : bool
        ``True`` when smaller is better (errors); ``False`` for e.g. directional accuracy.

    Returns
    -------
    pandas.DataFrame
        Index ``model``, sorted by mean rank (best first); one column of ranks per ticker
        (1 = best, ties get the average rank), then ``mean_rank`` and ``first_places``.
    """
    table = metric_table(scores, metric, mean=False)
    ranks = table.rank(axis=0, ascending=ascending, method="average")
    ranks["mean_rank"] = ranks.mean(axis=1, skipna=True)
    ranks["first_places"] = (ranks[list(table.columns)] == 1.0).sum(axis=1).astype("int64")
    order = np.argsort(ranks["mean_rank"].to_numpy(), kind="stable")
    ranks = ranks.iloc[order]
    ranks.index.name = "model"
    return ranks


def collect_seed_scores(results: Mapping[str, StoredResult | pd.DataFrame | None]) -> pd.DataFrame:
    """Stack the per-ticker seed scores (networks, seed by seed) into one long frame.

    Parameters
    ----------
    results : mapping of str to StoredResult, DataFrame or None
        Ticker -> its stored result (or its ``seed_scores`` frame; ``None`` for none).

    Returns
    -------
    pandas.DataFrame
        Columns ``ticker``, ``model``, ``seed`` and the metrics; empty (with those three
        columns) when no ticker trained a network.
    """
    pieces = []
    for ticker, value in results.items():
        frame = value.seed_scores if isinstance(value, StoredResult) else value
        if frame is None or frame.empty:
            continue
        pieces.append(frame.assign(ticker=ticker))
    if not pieces:
        return pd.DataFrame(columns=["ticker", "model", "seed"])
    stacked = pd.concat(pieces, ignore_index=True)
    first = ["ticker", "model", "seed"]
    return stacked[first + [c for c in stacked.columns if c not in first]]


def seed_summary(
    seed_scores: pd.DataFrame,
    metrics: Sequence[str] = ("theil_u2", "directional_accuracy"),
) -> pd.DataFrame:
    """Mean and spread over seeds per ticker and network (see
    :func:`lstmgru.evaluation.summarize_seeds`); empty when no network was trained.

    Returns
    -------
    pandas.DataFrame
        Columns ``ticker``, ``model``, ``metric``, ``mean``, ``std``, ``min``, ``max``,
        ``n_seeds``, in the order tickers and models appear in ``seed_scores``; the input of
        :func:`lstmgru.plots.plot_metric_over_seeds`.
    """
    columns = ["ticker", "model", "metric", "mean", "std", "min", "max", "n_seeds"]
    if seed_scores.empty:
        return pd.DataFrame(columns=columns)
    missing = [m for m in metrics if m not in seed_scores.columns]
    if missing:
        raise ValueError(f"seed scores lack metric(s) {missing}")
    summary = evaluation.summarize_seeds(
        seed_scores[["ticker", "model", "seed", *metrics]],
        by=("ticker", "model"),
        metric_cols=list(metrics),
    )
    # Back to the run's order: tickers and models as they first appear, metrics as asked.
    ranks = {
        "ticker": {t: i for i, t in enumerate(dict.fromkeys(seed_scores["ticker"]))},
        "model": {m: i for i, m in enumerate(dict.fromkeys(seed_scores["model"]))},
        "metric": {m: i for i, m in enumerate(metrics)},
    }
    return summary.sort_values(
        ["ticker", "model", "metric"], key=lambda column: column.map(ranks[column.name])
    ).reset_index(drop=True)


def seed_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The long :func:`seed_summary` as one row per (model, ticker), for display.

    Returns
    -------
    pandas.DataFrame
        Index (``model``, ``ticker``), models in order of appearance; columns a MultiIndex of
        (metric, statistic) with the statistics ``mean``, ``std``, ``min`` and ``max``, then
        ``n_seeds``. Empty when ``summary`` is.
    """
    if summary.empty:
        return pd.DataFrame()
    stats = ["mean", "std", "min", "max"]
    wide = summary.pivot_table(
        index=["model", "ticker"], columns="metric", values=stats, sort=False, dropna=False
    )
    metrics = list(dict.fromkeys(summary["metric"]))
    wide = wide.swaplevel(axis=1).reindex(
        columns=pd.MultiIndex.from_product([metrics, stats], names=["metric", None])
    )
    seeds = summary.groupby(["model", "ticker"], sort=False)["n_seeds"].max()
    wide[("n_seeds", "")] = seeds.reindex(wide.index).astype("int64")
    order = {m: i for i, m in enumerate(dict.fromkeys(summary["model"]))}
    return wide.sort_index(level="model", key=lambda idx: idx.map(order), sort_remaining=False)


def ticker_overview(results: Mapping[str, StoredResult]) -> pd.DataFrame:
    """Source, span, rows, test days and data checksum of each ticker.

    Returns
    -------
    pandas.DataFrame
        Index ``ticker``; columns ``source``, ``first_date``, ``last_date``, ``rows``,
        ``test_days`` and ``sha256`` (first 12 hexadecimal digits).
    """
    rows = {}
    for ticker, result in results.items():
        record = result.record.get("provenance", {})
        rows[ticker] = {
            "source": record.get("source"),
            "first_date": record.get("first_date"),
            "last_date": record.get("last_date"),
            "rows": record.get("rows"),
            "test_days": len(result.forecasts),
            "sha256": str(record.get("sha256", ""))[:12],
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "ticker"
    return table
