"""Cross-ticker comparison: the tables and the computed conclusion of ``04_comparison``.

Every function is pure: it takes the per-ticker results already read from disk (a mapping of
ticker to :class:`lstmgru.runs.StoredResult`, or to its ``metrics`` frame) or the long frames
built from them, and returns a data frame or text. Reading a run is
:func:`lstmgru.runs.load_run`.

Conventions
-----------
* ``scores`` is the long frame of :func:`collect_metrics`: one row per (ticker, model) with the
  columns of :func:`lstmgru.evaluation.comparison_table` (``theil_u2``,
  ``directional_accuracy``, ``dm_pvalue_vs_random_walk``, ``pt_pvalue``, ``in_mcs``, ...).
* Tables are models × tickers, models in the order they first appear, tickers in run order.
* A model *beats* the random walk on a ticker at level ``alpha`` when its Theil's U2 is below 1
  and the two-sided Diebold-Mariano p-value is below ``alpha``; it is *worse* when U2 is above 1
  and the p-value is below ``alpha``. Other cases (including an undefined test) are "no
  significant difference".
* An undefined statistic is NaN (``in_mcs``: missing), e.g. Theil's U2 of a ticker whose price
  never moves or an MCS that is not applicable (see
  :func:`lstmgru.evaluation.model_confidence_set`); tables skip it and the text says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lstmgru import evaluation
from lstmgru.config import NETWORK_LAYERS
from lstmgru.runs import StoredResult

__all__ = [
    "BENCHMARK",
    "collect_metrics",
    "collect_seed_scores",
    "conclusion_markdown",
    "conclusions",
    "dm_pvalues",
    "mcs_summary",
    "metric_table",
    "model_ranking",
    "seed_summary",
    "seed_table",
    "significance_counts",
    "ticker_overview",
]

#: Name of the random-walk forecast, the benchmark of every test.
BENCHMARK = "random_walk"
DM_COLUMN = "dm_pvalue_vs_random_walk"
#: Readable names of models in generated text.
DISPLAY_NAMES = {
    "random_walk": "random walk",
    "drift": "drift",
    "arima": "ARIMA",
    "lstm": "LSTM",
    "gru": "GRU",
    "lstm_gru": "LSTM-GRU",
    "gru_lstm": "GRU-LSTM",
    "lstm_gru_parallel": "parallel LSTM-GRU",
}


def _display(model: str) -> str:
    return DISPLAY_NAMES.get(model, model)


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


def dm_pvalues(
    scores: pd.DataFrame, *, column: str = DM_COLUMN, benchmark: str = BENCHMARK
) -> pd.DataFrame:
    """Diebold-Mariano p-values against the benchmark, models × tickers (benchmark row dropped).

    The input of :func:`lstmgru.plots.plot_dm_heatmap`.
    """
    table = metric_table(scores, column, mean=False).drop(index=benchmark, errors="ignore")
    if table.empty:
        raise ValueError(f"no model besides {benchmark!r}; nothing was tested against it")
    return table


def _verdicts(scores: pd.DataFrame, alpha: float, benchmark: str) -> pd.DataFrame:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    _require(scores, ["theil_u2", DM_COLUMN])
    rows = scores[scores["model"] != benchmark].copy()
    significant = rows[DM_COLUMN].astype("float64") < alpha
    u2 = rows["theil_u2"].astype("float64")
    rows["verdict"] = np.where(
        significant & (u2 < 1.0), "better", np.where(significant & (u2 > 1.0), "worse", "n.s.")
    )
    return rows


def significance_counts(
    scores: pd.DataFrame, *, alpha: float = 0.05, benchmark: str = BENCHMARK
) -> pd.DataFrame:
    """How often each model beats, or loses to, the random walk significantly.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame of :func:`collect_metrics`.
    alpha : float
        Level of the two-sided Diebold-Mariano test.
    benchmark : str
        The random walk's model name.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (benchmark excluded); columns ``tickers`` (instruments scored),
        ``better`` (U2 < 1 and p < alpha), ``worse`` (U2 > 1 and p < alpha) and
        ``not_significant``.
    """
    rows = _verdicts(scores, alpha, benchmark)
    models = _ordered(rows["model"])
    counts = pd.crosstab(rows["model"], rows["verdict"]).reindex(
        index=models, columns=["better", "worse", "n.s."], fill_value=0
    )
    table = pd.DataFrame(
        {
            "tickers": rows.groupby("model").size().reindex(models),
            "better": counts["better"],
            "worse": counts["worse"],
            "not_significant": counts["n.s."],
        }
    )
    table.index.name = "model"
    return table.astype("int64")


def mcs_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Membership of the model confidence set across tickers.

    Returns
    -------
    pandas.DataFrame
        Index ``model``; columns ``tickers`` (instruments where the MCS was computed; a
        missing ``in_mcs`` means it was not applicable), ``in_mcs`` (instruments where the
        model is in the set), ``share`` (``in_mcs / tickers``, NaN for no ticker) and
        ``mean_mcs_pvalue``.
    """
    _require(scores, ["in_mcs", "mcs_pvalue"])
    text = scores["in_mcs"].astype(str).str.lower()
    member = text.isin(["true", "1", "1.0"])
    decided = member | text.isin(["false", "0", "0.0"])
    frame = scores.assign(member=member, decided=decided)
    grouped = frame.groupby("model", sort=False)
    table = pd.DataFrame(
        {
            "tickers": grouped["decided"].sum().astype("int64"),
            "in_mcs": grouped["member"].sum().astype("int64"),
            "mean_mcs_pvalue": grouped["mcs_pvalue"].mean(),
        }
    ).reindex(_ordered(scores["model"]))
    table.insert(2, "share", table["in_mcs"] / table["tickers"].replace(0, np.nan))
    table.index.name = "model"
    return table


def model_ranking(
    scores: pd.DataFrame, metric: str = "theil_u2", *, ascending: bool = True
) -> pd.DataFrame:
    """Rank of each model within each ticker by one metric, and the mean rank.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame of :func:`collect_metrics`.
    metric : str
        Ranking metric; Theil's U2 by default (the same order as the RMSE within a ticker,
        but comparable in size across tickers).
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


def _join(names: Sequence[str]) -> str:
    names = [_display(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %" if float(value * 100).is_integer() else f"{100 * value:g} %"


def conclusions(
    scores: pd.DataFrame,
    *,
    alpha: float = 0.05,
    benchmark: str = BENCHMARK,
    networks: Sequence[str] | None = None,
    mcs_level: float = 0.90,
    unfinished: Mapping[str, str] | None = None,
) -> list[str]:
    """Plain-language findings, each sentence computed from ``scores``.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame of :func:`collect_metrics`.
    alpha : float
        Level of the Diebold-Mariano and Pesaran-Timmermann tests.
    benchmark : str
        The random walk's model name.
    networks : sequence of str, optional
        Model names counted as networks; default the recurrent models of
        :data:`lstmgru.config.NETWORK_LAYERS`.
    mcs_level : float
        Confidence level of the model confidence set in the results (for the text).
    unfinished : mapping of str to str, optional
        Tickers of the run left out (ticker -> status), named in the first sentence.

    Returns
    -------
    list of str
        Sentences, in reading order.
    """
    verdicts = _verdicts(scores, alpha, benchmark)
    tickers = _ordered(scores["ticker"])
    n = len(tickers)
    level = _percent(alpha)
    networks = list(NETWORK_LAYERS) if networks is None else list(networks)
    run_models = _ordered(scores["model"])
    nets = [m for m in run_models if m in networks]
    others = [m for m in run_models if m != benchmark and m not in networks]
    instrument = "instrument" if n == 1 else "instruments"
    sentences = [
        f"The comparison covers {n} {instrument} ({', '.join(tickers)}) and "
        f"{len(run_models) - 1} model{'' if len(run_models) == 2 else 's'} besides the random "
        "walk."
    ]
    if unfinished:
        left = ", ".join(f"{t} ({s})" for t, s in unfinished.items())
        sentences[0] += f" Left out because they did not finish: {left}."

    def pair_counts(models: Sequence[str]) -> tuple[int, int, int]:
        part = verdicts[verdicts["model"].isin(models)]
        better = int((part["verdict"] == "better").sum())
        return better, int((part["verdict"] == "worse").sum()), len(part)

    if nets:
        winners = [
            m for m in nets if (verdicts[verdicts["model"] == m]["verdict"] == "better").any()
        ]
        losers = [m for m in nets if (verdicts[verdicts["model"] == m]["verdict"] == "worse").any()]
        better, worse, pairs = pair_counts(nets)
        text = (
            f"{len(winners)} of {len(nets)} networks"
            + (f" ({_join(winners)})" if winners else "")
            + f" beat the random walk at the {level} level (Diebold-Mariano test on squared "
            "errors) on at least one instrument; over all "
            f"{pairs} network-instrument pairs, {better} show a significantly smaller and "
            f"{worse} a significantly larger squared error than the random walk."
        )
        sentences.append(text)
        if losers:
            sentences.append(
                f"Networks significantly worse than the random walk somewhere: {_join(losers)}."
            )
    else:
        sentences.append("No recurrent network was part of this run.")
    for model in others:
        better, worse, pairs = pair_counts([model])
        sentences.append(
            f"The {_display(model)} model beats the random walk significantly on {better} of "
            f"{pairs} instrument{'' if pairs == 1 else 's'} and is significantly worse on {worse}."
        )
    ranking = model_ranking(scores)
    if ranking["mean_rank"].isna().all():
        sentences.append(
            "Theil's U2 is undefined on every instrument (the price never moves), so the "
            "models are not ranked."
        )
    else:
        best_rank = float(ranking["mean_rank"].min())
        best = [str(m) for m in ranking.index if np.isclose(ranking.loc[m, "mean_rank"], best_rank)]
        text = (
            "By mean rank of Theil's U2 across instruments the best "
            + ("model is the " if len(best) == 1 else "models, tied, are the ")
            + f"{_join(best)} (mean rank {best_rank:.2f} of {len(ranking)} models)"
        )
        benchmark_rank = float(ranking.loc[benchmark, "mean_rank"])
        if benchmark in best or np.isnan(benchmark_rank):
            text += "."
        else:
            text += f"; the random walk's mean rank is {benchmark_rank:.2f}."
        sentences.append(text)
    u2 = metric_table(scores, "theil_u2")["mean"].drop(index=benchmark, errors="ignore")
    if not u2.dropna().empty:
        lowest = str(u2.idxmin())
        sentences.append(
            f"The lowest mean Theil's U2 is {u2[lowest]:.3f} ({_display(lowest)}); below 1 "
            "means a smaller root mean squared error than the random walk."
        )
    if "in_mcs" in scores.columns and "mcs_pvalue" in scores.columns:
        mcs = mcs_summary(scores)
        decided = int(mcs.loc[benchmark, "tickers"])
        skipped = n - decided
        if decided == 0:
            sentences.append(
                "The model confidence set is not applicable on any instrument (the models' "
                "losses are identical or differ by a constant)."
            )
        else:
            always = [
                str(m) for m in mcs.index if mcs.loc[m, "in_mcs"] == mcs.loc[m, "tickers"] > 0
            ]
            over = "instrument" if decided == 1 else "instruments"
            every = "every instrument where it applies" if skipped else "every instrument"
            sentences.append(
                f"The random walk is in the {_percent(mcs_level)} model confidence set for "
                f"{int(mcs.loc[benchmark, 'in_mcs'])} of {decided} {over}"
                + (f" (not applicable on {skipped} more)" if skipped else "")
                + "; "
                + (
                    f"in the set for {every}: {_join(always)}."
                    if always
                    else f"no model is in the set for {every}."
                )
            )
    if nets and "pt_pvalue" in scores.columns:
        part = scores[scores["model"].isin(nets)]
        skill = int((part["pt_pvalue"].astype("float64") < alpha).sum())
        mean_da = float(part["directional_accuracy"].astype("float64").mean())
        sentences.append(
            f"The networks' mean directional accuracy is {100 * mean_da:.1f} %; the "
            f"Pesaran-Timmermann test finds directional skill at the {level} level in {skill} "
            f"of {len(part)} network-instrument pairs."
        )
    return sentences


def conclusion_markdown(scores: pd.DataFrame, **options: object) -> str:
    """:func:`conclusions` as a Markdown bullet list (options as there)."""
    return "\n".join(f"- {sentence}" for sentence in conclusions(scores, **options))
