"""Summaries of a model's scores over several seeds."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lstmgru.evaluation._common import _as_1d

__all__ = ["summarize_seeds"]


def summarize_seeds(
    scores: pd.DataFrame,
    *,
    by: Sequence[str] = ("model",),
    seed_col: str = "seed",
    metric_cols: Sequence[str] | None = None,
    ensemble_scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean and spread of each metric over seeds, per model (and per any other key).

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame, one row per (``by`` keys, seed): the ``by`` columns, ``seed_col`` and one
        numeric column per metric (e.g. the dicts of :func:`metrics`, one row each).
    by : sequence of str, default ("model",)
        Grouping keys, e.g. ``("ticker", "model")`` for several tickers.
    seed_col : str, default "seed"
        Column holding the seed.
    metric_cols : sequence of str, optional
        Metrics to summarise; default every column other than ``by`` and ``seed_col``.
    ensemble_scores : pandas.DataFrame, optional
        Scores of the seed ensemble (see :func:`lstmgru.models.ensemble`): one row per ``by`` key with
        the ``by`` columns and the metric columns. Adds an ``ensemble`` column, NaN for
        keys it lacks (e.g. single-seed models).

    Returns
    -------
    pandas.DataFrame
        Tidy frame with columns ``*by, "metric", "mean", "std", "min", "max", "n_seeds"``
        (plus ``"ensemble"``), one row per (key, metric), sorted by key and in metric order.
        ``std`` is the sample standard deviation (ddof=1), NaN for a single seed (e.g. a
        deterministic ARIMA); units are those of the metric.

    Raises
    ------
    ValueError
        Empty frame, missing columns, non-numeric or NaN metric values, a (key, seed) pair
        that occurs twice, or ensemble keys without seed scores.
    """
    if not isinstance(scores, pd.DataFrame) or scores.empty:
        raise ValueError("scores must be a non-empty DataFrame (one row per model and seed)")
    by = list(by)
    missing = [c for c in [*by, seed_col] if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; has {list(scores.columns)}")
    if metric_cols is None:
        metric_cols = [c for c in scores.columns if c not in [*by, seed_col]]
    metric_cols = list(metric_cols)
    if not metric_cols:
        raise ValueError("scores has no metric columns besides the keys and the seed")
    absent = [c for c in metric_cols if c not in scores.columns]
    if absent:
        raise ValueError(f"metric column(s) {absent} not in scores")
    for column in metric_cols:
        if not pd.api.types.is_numeric_dtype(scores[column]):
            raise ValueError(f"metric column {column!r} is not numeric")
        _as_1d(f"scores[{column!r}]", scores[column])
    duplicated = scores.duplicated(subset=[*by, seed_col])
    if duplicated.any():
        first = scores.loc[duplicated, [*by, seed_col]].iloc[0].to_dict()
        raise ValueError(f"scores has more than one row for {first}")
    grouped = scores.groupby(by, sort=True)
    pieces = []
    for metric in metric_cols:
        agg = grouped[metric].agg(["mean", "std", "min", "max", "count"]).reset_index()
        agg = agg.rename(columns={"count": "n_seeds"})
        agg.insert(len(by), "metric", metric)
        pieces.append(agg)
    # pieces are in metric order; a stable sort on the keys keeps that order within a key
    summary = pd.concat(pieces, ignore_index=True)
    summary = summary.sort_values(by, kind="stable").reset_index(drop=True)
    if ensemble_scores is not None:
        lacking = [c for c in [*by, *metric_cols] if c not in ensemble_scores.columns]
        if lacking:
            raise ValueError(f"ensemble_scores lacks column(s) {lacking}")
        long = ensemble_scores.melt(
            id_vars=by, value_vars=metric_cols, var_name="metric", value_name="ensemble"
        )
        if long.duplicated(subset=[*by, "metric"]).any():
            raise ValueError("ensemble_scores has more than one row for a key")
        merged = summary.merge(long, on=[*by, "metric"], how="outer", indicator=True)
        orphans = merged[merged["_merge"] == "right_only"]
        if not orphans.empty:
            keys = orphans[by].drop_duplicates().to_dict("records")
            raise ValueError(f"ensemble_scores has keys without seed scores: {keys}")
        summary = summary.merge(long, on=[*by, "metric"], how="left")
    return summary
