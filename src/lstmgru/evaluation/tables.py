"""The comparison table: one row per model, metrics and tests against the benchmarks."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from lstmgru.evaluation._common import PRICE_RTOL, DegenerateTestError, _as_1d
from lstmgru.evaluation.direction import pesaran_timmermann
from lstmgru.evaluation.mcs import model_confidence_set
from lstmgru.evaluation.metrics import metrics
from lstmgru.evaluation.predictive import diebold_mariano

__all__ = ["comparison_table"]


def _forecast_frame(forecasts: Mapping[str, object] | pd.DataFrame) -> dict[str, object]:
    if isinstance(forecasts, pd.DataFrame):
        return {str(c): forecasts[c] for c in forecasts.columns}
    if isinstance(forecasts, Mapping):
        return {str(k): v for k, v in forecasts.items()}
    raise ValueError(
        "forecasts must be a dict of model name -> forecast prices or a DataFrame with one "
        f"column per model; got {type(forecasts).__name__}"
    )


def _dm_pvalue(errors_a: np.ndarray, errors_b: np.ndarray, atol: float) -> float:
    try:
        return diebold_mariano(errors_a, errors_b, atol=atol).pvalue
    except DegenerateTestError:
        return math.nan


def comparison_table(
    actual: object,
    forecasts: Mapping[str, object] | pd.DataFrame,
    *,
    previous: object,
    train: object,
    benchmark: str = "random_walk",
    arima: str | None = "arima",
    mcs_size: float = 0.10,
    mcs_reps: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per model: accuracy metrics and forecast-comparison tests.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Observed prices on the test days (currency units).
    forecasts : dict of str to array-like, or pandas.DataFrame
        One-step price forecasts per model for the same days. Must include ``benchmark``
        (the random walk, i.e. ``previous``).
    previous : array-like of float, shape (n,)
        Price of the day before each test day (currency units).
    train : array-like of float
        Training prices, for the MASE scale.
    benchmark : str, default "random_walk"
        Name of the random-walk forecast in ``forecasts``.
    arima : str or None, default "arima"
        Name of the ARIMA forecast; when present in ``forecasts`` a ``dm_pvalue_vs_arima``
        column is added.
    mcs_size : float, default 0.10
        Size of the Model Confidence Set over all models (squared price errors).
    mcs_reps : int, default 1000
        Bootstrap replications of the MCS.
    seed : int, default 0
        Seed of the MCS bootstrap.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (input order). Columns: every key of :func:`metrics`; then
        ``dm_pvalue_vs_random_walk`` (two-sided DM-HLN, squared price errors, h=1),
        ``dm_pvalue_vs_arima`` (if ARIMA present), ``pt_pvalue`` (Pesaran-Timmermann on
        log returns :math:`\\log(f/p)` vs :math:`\\log(a/p)`), ``mcs_pvalue`` and ``in_mcs``
        (nullable ``boolean``). A metric or test that is undefined for a row gives NaN (NA in
        ``in_mcs``) and the rest of the table is computed: a model against itself, errors
        identical up to rounding (an ARIMA that reproduces the random walk), constant
        forecast signs (the random walk in PT), constant prices (Theil's U2, ``r2_oos``,
        MASE, every test), an MCS that is not applicable (see
        :func:`model_confidence_set`). Rounding is judged against the price level: errors
        of at most :data:`PRICE_RTOL` times the largest actual price are equal, so DM and
        the MCS get ``atol = (PRICE_RTOL * max(actual)) ** 2`` (squared price units), and a
        log return of at most :data:`PRICE_RTOL` is no direction in PT.

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
    errors: dict[str, np.ndarray] = {}
    a = _as_1d("actual", actual)
    p = _as_1d("previous", previous)
    loss_atol = (PRICE_RTOL * float(np.max(np.abs(a)))) ** 2
    for model, forecast in named.items():
        try:
            rows[model] = metrics(actual, forecast, previous=previous, train=train, undefined="nan")
        except ValueError as exc:
            raise ValueError(f"model {model!r}: {exc}") from exc
        errors[model] = _as_1d(f"forecasts[{model!r}]", forecast) - a
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    table["dm_pvalue_vs_random_walk"] = [
        math.nan if m == benchmark else _dm_pvalue(errors[m], errors[benchmark], loss_atol)
        for m in table.index
    ]
    if arima is not None and arima in named:
        table["dm_pvalue_vs_arima"] = [
            math.nan if m == arima else _dm_pvalue(errors[m], errors[arima], loss_atol)
            for m in table.index
        ]
    actual_return = np.log(a / p)
    pt_values = []
    for model in table.index:
        forecast_return = np.log((errors[model] + a) / p)
        try:
            pt_values.append(
                pesaran_timmermann(actual_return, forecast_return, atol=PRICE_RTOL).pvalue
            )
        except DegenerateTestError:
            pt_values.append(math.nan)
    table["pt_pvalue"] = pt_values
    mcs = model_confidence_set(
        pd.DataFrame({m: e**2 for m, e in errors.items()}),
        size=mcs_size,
        reps=mcs_reps,
        seed=seed,
        atol=loss_atol,
    )
    table["mcs_pvalue"] = mcs.pvalues.reindex(table.index).to_numpy()
    table["in_mcs"] = pd.array(
        [(m in mcs.included) if mcs.applicable else pd.NA for m in table.index],
        dtype="boolean",
    )
    return table
