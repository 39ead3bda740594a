"""Evidence across instruments: pooled Clark-West and DM tests, Hansen's SPA, pooled power.

Instruments are aligned by date (tickers share trading days); a day an instrument was not
tested is NaN and the pooled tests (:func:`lstmgru.evaluation.pooled_dm`) average over the
instruments present on each day. Every loss is the squared log-return error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from lstmgru import evaluation
from lstmgru.comparison.evidence import BENCHMARK, HYBRID, return_errors
from lstmgru.runs import StoredResult

__all__ = [
    "POOLED",
    "error_panels",
    "pooled_hybrid_tests",
    "pooled_random_walk_tests",
    "spa_table",
]

#: Index label of the SPA test on the cross-sectional mean losses.
POOLED = "pooled"


def error_panels(results: Mapping[str, StoredResult]) -> dict[str, pd.DataFrame]:
    """Log-return errors of every model across instruments, aligned by date.

    Returns
    -------
    dict of str to pandas.DataFrame
        Model -> frame with the union of test days in the index and one column per instrument
        that ran the model (log-return units; NaN on a day the instrument was not tested).
        Models in order of first appearance.
    """
    errors = {str(t): return_errors(r) for t, r in results.items()}
    models = list(dict.fromkeys(m for e in errors.values() for m in e.columns))
    return {
        m: pd.DataFrame({t: e[m] for t, e in errors.items() if m in e.columns}).sort_index()
        for m in models
    }


def _pooled(differentials: pd.DataFrame, alternative: str):
    try:
        return evaluation.pooled_dm(differentials, alternative=alternative)
    except evaluation.DegenerateTestError:
        return None


def _mean_correlation(frame: pd.DataFrame) -> float:
    """Mean pairwise correlation of the columns (pairwise complete days), within its range."""
    n = frame.shape[1]
    if n < 2:
        return 0.0
    corr = frame.corr().to_numpy()
    values = corr[~np.eye(n, dtype=bool)]
    values = values[np.isfinite(values)]
    mean = float(values.mean()) if values.size else 0.0
    return min(1.0, max(mean, -1.0 / (n - 1) + 1e-12))


def _pooled_mde(
    losses_rw: pd.DataFrame, losses_model: pd.DataFrame, days: int, alpha: float, power: float
) -> float:
    ratios = []
    for ticker in losses_model.columns:
        both = pd.concat([losses_rw[ticker], losses_model[ticker]], axis=1).dropna()
        if len(both) < 2:
            continue
        try:
            ratios.append(evaluation.loss_differential_sd_ratio(both.iloc[:, 0], both.iloc[:, 1]))
        except ValueError:
            continue
    ratio = float(np.median(ratios)) if ratios else math.nan
    if not ratio > 0.0 or days < 2:
        return math.nan
    effect = evaluation.pooled_minimum_detectable_effect(
        days,
        losses_model.shape[1],
        mean_correlation=_mean_correlation(losses_rw[losses_model.columns] - losses_model),
        sd_ratio=ratio,
        alpha=alpha,
        power=power,
        one_sided=True,
    )
    return effect.r2_oos


def pooled_random_walk_tests(
    results: Mapping[str, StoredResult], *, alpha: float = 0.05, power: float = 0.8
) -> pd.DataFrame:
    """Per model, the pooled evidence against the random walk across instruments.

    The pooled Clark-West test is :func:`lstmgru.evaluation.pooled_dm` (one-sided,
    ``alternative="greater"``) on the Clark-West adjusted differentials
    :math:`f_{i,t} = r_{i,t}^2 - [e_{i,t}^2 - \\hat r_{i,t}^2]` (random-walk loss minus the
    model's adjusted loss, squared log-return units). The pooled out-of-sample :math:`R^2`
    weights instruments as the test does: :math:`1 - \\sum_t \\bar L_{M,t} / \\sum_t \\bar
    L_{RW,t}`, with :math:`\\bar L_{\\cdot,t}` the mean squared error over the instruments
    tested on day :math:`t`. The pooled minimum detectable effect is
    :func:`lstmgru.evaluation.pooled_minimum_detectable_effect` (one-sided) with the median
    over instruments of the loss-differential ``sd_ratio`` and the mean pairwise correlation of
    the instruments' loss differentials.

    Parameters
    ----------
    results : mapping of str to StoredResult
        Ticker -> stored result.
    alpha, power : float
        Level and power of the minimum detectable effect.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (every model but the random walk, in order of appearance); columns
        ``tickers`` (instruments pooled), ``days`` (days with any instrument),
        ``pooled_r2_oos`` (dimensionless), ``pooled_cw_statistic``, ``pooled_cw_pvalue``,
        ``pooled_cw_holm`` (Holm over the models) and ``pooled_mde_r2_oos`` (dimensionless).
        A test that is undefined (a model equal to the random walk) is NaN.
    """
    panels = error_panels(results)
    rw = panels[BENCHMARK]
    losses_rw = rw**2
    rows = {}
    for model, errors in panels.items():
        if model == BENCHMARK:
            continue
        tickers = list(errors.columns)
        actual = -rw[tickers]  # e_RW = 0 - r
        forecast = errors + actual  # r_hat = e + r
        adjusted = actual**2 - (errors**2 - forecast**2)
        test = _pooled(adjusted, "greater")
        losses = errors**2
        mean_model = losses.mean(axis=1, skipna=True)
        mean_rw = losses_rw[tickers].where(losses.notna()).mean(axis=1, skipna=True)
        days = int(losses.notna().any(axis=1).sum())
        rows[model] = {
            "tickers": len(tickers),
            "days": days,
            "pooled_r2_oos": float(1.0 - mean_model.sum() / mean_rw.sum()),
            "pooled_cw_statistic": test.statistic if test else math.nan,
            "pooled_cw_pvalue": test.pvalue if test else math.nan,
            "pooled_mde_r2_oos": _pooled_mde(losses_rw, losses, days, alpha, power),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if table.empty:
        raise ValueError("no model besides the random walk; nothing to pool")
    table.index.name = "model"
    table.insert(5, "pooled_cw_holm", evaluation.holm(table["pooled_cw_pvalue"].to_numpy(float)))
    return table


def pooled_hybrid_tests(
    results: Mapping[str, StoredResult],
    *,
    hybrid: str = HYBRID,
    rivals: tuple[str, ...] = evaluation.DM_RIVALS,
) -> pd.DataFrame:
    """Per rival, the pooled DM test of the hybrid against it across instruments.

    :func:`lstmgru.evaluation.pooled_dm` (two-sided) on :math:`d_{i,t} = e_{H,i,t}^2 -
    e_{R,i,t}^2` (hybrid minus rival, squared log-return errors), on the instruments that ran
    both.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (the rivals present, in order of appearance); columns ``tickers``,
        ``days``, ``mean_loss_differential`` (squared log-return units; negative: the hybrid
        has the lower loss), ``pooled_dm_statistic``, ``pooled_dm_pvalue`` and
        ``pooled_dm_holm`` (Holm over the rivals). Empty without the hybrid or rivals.
    """
    columns = [
        "tickers",
        "days",
        "mean_loss_differential",
        "pooled_dm_statistic",
        "pooled_dm_pvalue",
        "pooled_dm_holm",
    ]
    panels = error_panels(results)
    rows = {}
    if hybrid in panels:
        for model, errors in panels.items():
            if model not in rivals:
                continue
            tickers = [t for t in errors.columns if t in panels[hybrid].columns]
            if not tickers:
                continue
            differentials = panels[hybrid][tickers] ** 2 - errors[tickers] ** 2
            test = _pooled(differentials, "two-sided")
            rows[model] = {
                "tickers": len(tickers),
                "days": int(differentials.notna().any(axis=1).sum()),
                "mean_loss_differential": test.mean_loss_differential if test else math.nan,
                "pooled_dm_statistic": test.statistic if test else math.nan,
                "pooled_dm_pvalue": test.pvalue if test else math.nan,
            }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns[:-1])
    table["pooled_dm_holm"] = (
        evaluation.holm(table["pooled_dm_pvalue"].to_numpy(float)) if len(table) else []
    )
    table.index.name = "model"
    return table


def _spa(benchmark: pd.Series, models: pd.DataFrame, reps: int, seed: int) -> dict[str, float]:
    try:
        result = evaluation.spa_test(benchmark, models, reps=reps, seed=seed)
    except evaluation.DegenerateTestError:
        return {"spa_pvalue": math.nan, "spa_pvalue_lower": math.nan, "spa_pvalue_upper": math.nan}
    return {
        "spa_pvalue": result.pvalue_consistent,
        "spa_pvalue_lower": result.pvalue_lower,
        "spa_pvalue_upper": result.pvalue_upper,
    }


def spa_table(
    results: Mapping[str, StoredResult], *, reps: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Hansen's SPA test of "no model beats the random walk", per instrument and pooled.

    Per instrument: :func:`lstmgru.evaluation.spa_test` with the random walk's squared
    log-return errors as the benchmark and every other model's as the rivals; Holm over the
    instruments. Pooled: the same test on the cross-sectional mean losses over the days common
    to all instruments, with the models every instrument ran.

    Returns
    -------
    pandas.DataFrame
        Index: the tickers, then :data:`POOLED`; columns ``days``, ``models`` (rivals of the
        random walk), ``spa_pvalue`` (Hansen's consistent p-value), ``spa_holm`` (Holm over
        the instruments; NaN on the pooled row), ``spa_pvalue_lower`` and ``spa_pvalue_upper``.
        NaN where every model equals the random walk.
    """
    panels = error_panels(results)
    rows = {}
    for ticker, result in results.items():
        losses = return_errors(result) ** 2
        others = losses.drop(columns=[BENCHMARK])
        rows[str(ticker)] = {
            "days": len(losses),
            "models": others.shape[1],
            **(_spa(losses[BENCHMARK], others, reps, seed) if others.shape[1] else {}),
        }
    common = [m for m, p in panels.items() if p.shape[1] == len(results)]
    means = pd.DataFrame({m: (panels[m] ** 2).mean(axis=1, skipna=False) for m in common})
    means = means.dropna()
    others = means.drop(columns=[BENCHMARK])
    pooled = {"days": len(means), "models": others.shape[1]}
    if others.shape[1] and len(means) >= 2:
        pooled.update(_spa(means[BENCHMARK], others, reps, seed))
    table = pd.DataFrame.from_dict(rows, orient="index")
    for column in ("spa_pvalue", "spa_pvalue_lower", "spa_pvalue_upper"):
        if column not in table.columns:
            table[column] = math.nan
    table.insert(3, "spa_holm", evaluation.holm(table["spa_pvalue"].to_numpy(float)))
    table.loc[POOLED] = pd.Series(pooled)
    table[["days", "models"]] = table[["days", "models"]].astype("int64")
    table.index.name = "ticker"
    return table
