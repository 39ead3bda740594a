"""The comparison table: one row per model, metrics and tests against the benchmarks.

Losses are on the return scale: the log return :math:`r_t = \\log(a_t/p_t)` and its forecast
:math:`\\hat r_t = \\log(f_t/p_t)` (actual ``a``, previous close ``p``, forecast price ``f``);
the primary loss is the squared log-return error :math:`(\\hat r_t - r_t)^2`. Price-scale
metrics (RMSE, Theil's U2, ...) are secondary columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from lstmgru.evaluation._common import PRICE_RTOL, DegenerateTestError, _as_1d
from lstmgru.evaluation.direction import direction_vs_always_up, pesaran_timmermann
from lstmgru.evaluation.mcs import model_confidence_set
from lstmgru.evaluation.metrics import metrics
from lstmgru.evaluation.nested import clark_west
from lstmgru.evaluation.power import loss_differential_sd_ratio, minimum_detectable_effect
from lstmgru.evaluation.predictive import diebold_mariano

__all__ = ["DM_RIVALS", "TEST_COLUMNS", "comparison_table", "log_returns"]

#: Models that do not nest the hybrid nor are nested in it: the rivals of its DM-HLN tests.
DM_RIVALS: tuple[str, ...] = (
    "arima",
    "ar",
    "lstm",
    "gru",
    "lstm_lstm",
    "gru_gru",
    "gru_lstm",
    "lstm_gru_parallel",
)

#: Columns of :func:`comparison_table` after the metrics, in table order.
TEST_COLUMNS: tuple[str, ...] = (
    "cw_statistic_vs_random_walk",
    "cw_pvalue_vs_random_walk",
    "cw_pvalue_vs_drift",
    "dm_statistic_vs_hybrid",
    "dm_pvalue_vs_hybrid",
    "base_rate",
    "up_pvalue",
    "pt_pvalue",
    "mcs_pvalue",
    "in_mcs",
    "mde_r2_oos",
    "mde_relative_mse",
)


def _forecast_frame(forecasts: Mapping[str, object] | pd.DataFrame) -> dict[str, object]:
    if isinstance(forecasts, pd.DataFrame):
        return {str(c): forecasts[c] for c in forecasts.columns}
    if isinstance(forecasts, Mapping):
        return {str(k): v for k, v in forecasts.items()}
    raise ValueError(
        "forecasts must be a dict of model name -> forecast prices or a DataFrame with one "
        f"column per model; got {type(forecasts).__name__}"
    )


def log_returns(prices: object, previous: object) -> np.ndarray:
    """Log returns :math:`\\log(\\mathrm{prices} / \\mathrm{previous})` (log-return units).

    Parameters
    ----------
    prices, previous : array-like of float, shape (n,)
        Prices (actual or forecast) and the previous close, currency units, strictly positive.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        Different lengths, NaN/inf or a price that is not positive.
    """
    a = _as_1d("prices", prices)
    p = _as_1d("previous", previous)
    if a.size != p.size:
        raise ValueError(f"prices has {a.size} values, previous {p.size}; they must match")
    if np.any(a <= 0.0) or np.any(p <= 0.0):
        raise ValueError("prices and previous must be strictly positive for log returns")
    return np.log(a / p)


def _or_nan(test: Callable[[], float]) -> float:
    """The test's value, NaN when it is undefined for the data."""
    try:
        return float(test())
    except DegenerateTestError:
        return math.nan


def _mde(losses_benchmark: np.ndarray, losses_model: np.ndarray, alpha: float, power: float):
    """(minimum detectable OOS R^2, relative MSE) of a one-sided test; NaN when undefined."""
    try:
        ratio = loss_differential_sd_ratio(losses_benchmark, losses_model)
    except ValueError:
        return math.nan, math.nan
    if not ratio > 0.0:
        return math.nan, math.nan
    effect = minimum_detectable_effect(
        losses_benchmark.size, sd_ratio=ratio, alpha=alpha, power=power, one_sided=True
    )
    return effect.r2_oos, effect.relative_mse


def comparison_table(
    actual: object,
    forecasts: Mapping[str, object] | pd.DataFrame,
    *,
    previous: object,
    train: object | None = None,
    benchmark: str = "random_walk",
    drift: str = "drift",
    hybrid: str = "lstm_gru",
    rivals: Sequence[str] = DM_RIVALS,
    mcs_size: float = 0.10,
    mcs_reps: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """One row per model: accuracy metrics and forecast-comparison tests on log returns.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Observed prices on the test days (currency units).
    forecasts : dict of str to array-like, or pandas.DataFrame
        One-step price forecasts per model for the same days. Must include ``benchmark``
        (the random walk, i.e. ``previous``).
    previous : array-like of float, shape (n,)
        Price of the day before each test day (currency units).
    train : array-like of float, optional
        Training prices, for the MASE scale (the in-sample mean absolute log return); without
        them ``mase`` and ``mase_scale`` are NaN.
    benchmark : str, default "random_walk"
        Name of the random-walk forecast in ``forecasts``.
    drift : str, default "drift"
        Name of the drift forecast; when present, every other model except the random walk
        gets a Clark-West test against it.
    hybrid : str, default "lstm_gru"
        Name of the hybrid network; when present, it is tested (DM-HLN) against every model
        of ``rivals`` present.
    rivals : sequence of str, default :data:`DM_RIVALS`
        The non-nested rivals of the hybrid.
    mcs_size : float, default 0.10
        Size of the Model Confidence Set over all models (squared log-return errors).
    mcs_reps : int, default 1000
        Bootstrap replications of the MCS.
    seed : int, default 0
        Seed of the MCS bootstrap.
    alpha, power : float, default 0.05 and 0.8
        Size and power of the minimum detectable effect (one-sided test against the random
        walk over the ``n`` test days).

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (input order). Columns: every key of :func:`metrics` (``mase`` on
        the return scale), ``mase_scale`` (in-sample mean absolute log return of ``train``,
        the same on every row), then :data:`TEST_COLUMNS`:

        * ``cw_statistic_vs_random_walk``, ``cw_pvalue_vs_random_walk`` -- Clark-West test
          (one-sided, the model beats the zero-return forecast; the random walk is nested in
          every model), NaN for the random walk;
        * ``cw_pvalue_vs_drift`` -- Clark-West against the drift forecast, for every model
          but the random walk and the drift (NaN there, and absent without a drift model);
        * ``dm_statistic_vs_hybrid``, ``dm_pvalue_vs_hybrid`` -- on a rival's row, the
          two-sided DM-HLN test of ``hybrid`` (errors A) against that rival (errors B) on
          squared return errors: a negative statistic means the hybrid has the lower loss;
          NaN on other rows (absent without the hybrid);
        * ``base_rate`` -- share of up days (the always-up forecast's hit rate), every row;
        * ``up_pvalue`` -- exact McNemar test of the model's hit rate above the always-up
          base rate (:func:`direction_vs_always_up`); ``pt_pvalue`` -- Pesaran-Timmermann;
        * ``mcs_pvalue``, ``in_mcs`` -- Model Confidence Set on squared log-return errors
          (``in_mcs`` nullable ``boolean``);
        * ``mde_r2_oos``, ``mde_relative_mse`` -- the smallest out-of-sample :math:`R^2`
          (and the relative MSE ``1 - R^2``) that a one-sided test against the random walk
          over these ``n`` days detects with probability ``power`` at level ``alpha``, with
          the model's own loss-differential variance (:func:`minimum_detectable_effect`).

        A test that is undefined for a row is NaN (a model against itself, a model that
        reproduces the random walk up to rounding, constant forecast signs in PT, constant
        prices). A log return of at most :data:`PRICE_RTOL` is no direction.

    Raises
    ------
    ValueError
        ``benchmark`` missing from ``forecasts``, fewer than two models, or any bad input
        caught by :func:`metrics`.
    """
    named = _forecast_frame(forecasts)
    if benchmark not in named:
        raise ValueError(
            f"benchmark {benchmark!r} not among the forecasts (models: {', '.join(named)}); "
            "add the random walk forecast (the previous prices) under that name or pass "
            "benchmark=<name>"
        )
    if len(named) < 2:
        raise ValueError("comparison_table needs at least two models (benchmark and another)")
    rows: dict[str, dict[str, float]] = {}
    for model, forecast in named.items():
        try:
            rows[model] = metrics(actual, forecast, previous=previous, train=train, undefined="nan")
        except ValueError as exc:
            raise ValueError(f"model {model!r}: {exc}") from exc
        rows[model].setdefault("mase", math.nan)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    table["mase_scale"] = (
        float(np.mean(np.abs(np.diff(np.log(_as_1d("train", train, min_length=2))))))
        if train is not None
        else math.nan
    )
    r = log_returns(actual, previous)
    r_hat = {m: log_returns(f, previous) for m, f in named.items()}
    losses = {m: (v - r) ** 2 for m, v in r_hat.items()}
    zero = np.zeros_like(r)
    models = list(table.index)
    cw_rw = {}
    for m in models:
        try:
            cw_rw[m] = None if m == benchmark else clark_west(r, zero, r_hat[m])
        except DegenerateTestError:
            cw_rw[m] = None
    table["cw_statistic_vs_random_walk"] = [
        cw_rw[m].statistic if cw_rw[m] else math.nan for m in models
    ]
    table["cw_pvalue_vs_random_walk"] = [cw_rw[m].pvalue if cw_rw[m] else math.nan for m in models]
    if drift in named:
        table["cw_pvalue_vs_drift"] = [
            math.nan
            if m in (benchmark, drift)
            else _or_nan(lambda m=m: clark_west(r, r_hat[drift], r_hat[m]).pvalue)
            for m in models
        ]
    if hybrid in named:
        dm = {
            m: _dm_vs_hybrid(r_hat, r, hybrid, m) if m in rivals else (math.nan, math.nan)
            for m in models
        }
        table["dm_statistic_vs_hybrid"] = [dm[m][0] for m in models]
        table["dm_pvalue_vs_hybrid"] = [dm[m][1] for m in models]
    table["base_rate"] = float(np.mean(r > PRICE_RTOL))
    # the random walk forecasts no change: it calls no direction, so its direction tests do not
    # apply (NaN), and they do not count in the Holm families of the direction tests
    table["up_pvalue"] = [
        math.nan
        if m == benchmark
        else _or_nan(lambda m=m: direction_vs_always_up(r, r_hat[m], atol=PRICE_RTOL).pvalue)
        for m in models
    ]
    table["pt_pvalue"] = [
        math.nan
        if m == benchmark
        else _or_nan(lambda m=m: pesaran_timmermann(r, r_hat[m], atol=PRICE_RTOL).pvalue)
        for m in models
    ]
    mcs = model_confidence_set(pd.DataFrame(losses), size=mcs_size, reps=mcs_reps, seed=seed)
    table["mcs_pvalue"] = mcs.pvalues.reindex(table.index).to_numpy()
    table["in_mcs"] = pd.array(
        [(m in mcs.included) if mcs.applicable else pd.NA for m in table.index],
        dtype="boolean",
    )
    effects = {
        m: (math.nan, math.nan)
        if m == benchmark
        else _mde(losses[benchmark], losses[m], alpha, power)
        for m in models
    }
    table["mde_r2_oos"] = [effects[m][0] for m in models]
    table["mde_relative_mse"] = [effects[m][1] for m in models]
    return table


def _dm_vs_hybrid(
    r_hat: Mapping[str, np.ndarray],
    r: np.ndarray,
    hybrid: str,
    rival: str,
) -> tuple[float, float]:
    """(statistic, p-value) of DM-HLN, hybrid against rival on squared return errors."""
    try:
        result = diebold_mariano(r_hat[hybrid] - r, r_hat[rival] - r)
    except DegenerateTestError:
        return math.nan, math.nan
    return result.statistic, result.pvalue
