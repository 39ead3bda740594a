"""Per-instrument evidence of a run: every instrument's comparison table, recomputed from its
stored forecasts, stacked into one long frame with Holm-adjusted p-values beside the raw ones.

The tests are those of :func:`lstmgru.evaluation.comparison_table` on log returns: Clark-West
against the random walk and the drift forecast (nested pairs), DM-HLN of the hybrid against its
non-nested rivals, Pesaran-Timmermann and the exact test against the always-up base rate, the
model confidence set and the minimum detectable effect. Holm's adjustment runs over all
(instrument, model) pairs of one family of tests (:data:`HOLM_FAMILIES`), so "beats the random
walk on some instrument" keeps its family-wise level however many models and instruments a run
has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from lstmgru import evaluation
from lstmgru.runs import StoredResult

__all__ = [
    "BENCHMARK",
    "DRIFT",
    "HOLM_FAMILIES",
    "HYBRID",
    "SEED_MARK",
    "add_holm",
    "collect_evidence",
    "instrument_returns",
    "instrument_table",
    "model_forecasts",
    "return_errors",
]

#: Name of the random-walk forecast, the benchmark of every test.
BENCHMARK = "random_walk"
#: Name of the drift forecast, the second nested benchmark.
DRIFT = "drift"
#: Name of the hybrid network, tested against every non-nested rival.
HYBRID = "lstm_gru"
#: A forecast column whose name contains this mark is one network seed (``lstm#s1``), not a model.
SEED_MARK = "#s"
#: Raw p-value column -> its Holm-adjusted column (adjusted over instruments x models).
HOLM_FAMILIES: Mapping[str, str] = {
    "cw_pvalue_vs_random_walk": "cw_holm_vs_random_walk",
    "cw_pvalue_vs_drift": "cw_holm_vs_drift",
    "dm_pvalue_vs_hybrid": "dm_holm_vs_hybrid",
    "pt_pvalue": "pt_holm",
    "up_pvalue": "up_holm",
}


def model_forecasts(result: StoredResult) -> pd.DataFrame:
    """The models' price forecasts of one stored result (currency units).

    Parameters
    ----------
    result : StoredResult
        Its ``forecasts`` frame has the columns ``actual``, ``previous``, one per model and
        one per network seed (``model#s<seed>``), dates in the index.

    Returns
    -------
    pandas.DataFrame
        One column per model (seed columns, ``actual`` and ``previous`` dropped), in stored
        order.

    Raises
    ------
    ValueError
        ``actual``, ``previous`` or the random walk missing.
    """
    frame = result.forecasts
    missing = [c for c in ("actual", "previous", BENCHMARK) if c not in frame.columns]
    if missing:
        raise ValueError(
            f"stored forecasts in {result.directory} lack column(s) {missing}; every run "
            "stores actual, previous and the random walk"
        )
    models = [
        c for c in frame.columns if c not in ("actual", "previous") and SEED_MARK not in str(c)
    ]
    return frame[models]


def instrument_returns(result: StoredResult) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Realised and forecast daily log returns of one stored result.

    Returns
    -------
    actual : pandas.Series
        :math:`r_t = \\log(P_t / P_{t-1})` on the test days (dimensionless), named ``actual``.
    forecasts : dict of str to pandas.Series
        Per model (seed ensembles; single seeds are left out), :math:`\\hat r_t`.
    """
    frame = result.forecasts
    previous = frame["previous"]

    def series(prices: pd.Series, name: str) -> pd.Series:
        return pd.Series(evaluation.log_returns(prices, previous), index=frame.index, name=name)

    models = model_forecasts(result)
    forecasts = {str(m): series(models[m], str(m)) for m in models.columns}
    return series(frame["actual"], "actual"), forecasts


def return_errors(result: StoredResult) -> pd.DataFrame:
    """Log-return forecast errors :math:`\\hat r_t - r_t` of every model, by date.

    Returns
    -------
    pandas.DataFrame
        Dates in the index, one column per model (log-return units); squared, they are the
        primary loss of every test.
    """
    actual, forecasts = instrument_returns(result)
    return pd.DataFrame({m: f - actual for m, f in forecasts.items()}, index=actual.index)


def instrument_table(
    result: StoredResult,
    *,
    mcs_reps: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """The comparison table of one instrument, recomputed from its stored forecasts.

    Parameters
    ----------
    result : StoredResult
        One instrument's stored result.
    mcs_reps, seed : int
        Bootstrap replications and seed of the model confidence set.
    alpha, power : float
        Level and power of the minimum detectable effect.

    Returns
    -------
    pandas.DataFrame
        As :func:`lstmgru.evaluation.comparison_table`, index ``model``. ``mase`` is the
        return-scale MASE: ``mae_return`` over the stored ``mase_scale`` (the training
        span's mean absolute log return, stored in ``metrics.csv``); NaN when the stored
        metrics lack that scale (results written before it was recorded).
    """
    frame = result.forecasts
    table = evaluation.comparison_table(
        frame["actual"],
        model_forecasts(result),
        previous=frame["previous"],
        mcs_reps=mcs_reps,
        seed=seed,
        alpha=alpha,
        power=power,
    )
    stored = result.metrics
    scale = math.nan
    if isinstance(stored, pd.DataFrame) and "mase_scale" in stored.columns:
        values = pd.to_numeric(stored["mase_scale"], errors="coerce").dropna()
        scale = float(values.iloc[0]) if len(values) else math.nan
    table["mase_scale"] = scale
    table["mase"] = table["mae_return"] / scale if scale > 0 else math.nan
    return table


def add_holm(scores: pd.DataFrame) -> pd.DataFrame:
    """Add the Holm-adjusted column of every family in :data:`HOLM_FAMILIES` present.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame, one row per (ticker, model), with raw p-value columns.

    Returns
    -------
    pandas.DataFrame
        A copy with each adjusted column right after its raw column; NaN (an undefined or
        not applicable test) stays NaN and does not count in the family.
    """
    out = scores.copy()
    for raw, adjusted in HOLM_FAMILIES.items():
        if raw not in out.columns:
            continue
        values = evaluation.holm(pd.to_numeric(out[raw], errors="coerce").to_numpy(float))
        out.insert(out.columns.get_loc(raw) + 1, adjusted, values)
    return out


def collect_evidence(
    results: Mapping[str, StoredResult],
    *,
    mcs_reps: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """The comparison tables of every instrument as one long frame, with Holm adjustments.

    Parameters
    ----------
    results : mapping of str to StoredResult
        Ticker -> its stored result, in run order.
    mcs_reps, seed, alpha, power
        As in :func:`instrument_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``ticker``, ``model``, ``test_days``, the columns of
        :func:`lstmgru.evaluation.comparison_table` and, after each p-value column of
        :data:`HOLM_FAMILIES`, its Holm-adjusted value over all (ticker, model) rows.

    Raises
    ------
    ValueError
        No results, a value that is not a StoredResult, or forecasts without the random walk.
    """
    if not results:
        raise ValueError("no finished tickers to compare; run the experiment first")
    pieces = []
    for ticker, result in results.items():
        if not isinstance(result, StoredResult):
            raise ValueError(
                f"ticker {ticker!r}: the evidence is computed from the stored forecasts; pass "
                f"lstmgru.runs.StoredResult objects, got {type(result).__name__}"
            )
        table = instrument_table(result, mcs_reps=mcs_reps, seed=seed, alpha=alpha, power=power)
        piece = table.reset_index()
        piece.insert(0, "ticker", str(ticker))
        piece.insert(2, "test_days", len(result.forecasts))
        pieces.append(piece)
    scores = pd.concat(pieces, ignore_index=True)
    scores["in_mcs"] = scores["in_mcs"].astype("boolean")
    scores["test_days"] = scores["test_days"].astype(np.int64)
    return add_holm(scores)
