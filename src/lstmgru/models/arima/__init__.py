"""ARIMA baseline on log prices: order by information criterion, fast one-step walk-forward.

The model is fitted to the log closes :math:`y_t = \\log P_t` with statsmodels'
:class:`~statsmodels.tsa.arima.model.ARIMA` (exact Gaussian likelihood, Kalman filter):

.. math:: \\phi(B)\\,(1 - B)^d\\,(y_t - \\mu_t) = \\theta(B)\\,\\varepsilon_t,
          \\qquad \\varepsilon_t \\sim N(0, \\sigma^2),

with :math:`\\mu_t` the trend term (a constant for ``d = 0``, a drift :math:`\\beta t` for
``d = 1``, whose first difference is a constant mean daily log return :math:`\\beta`).

Modules
-------
Everything public is re-exported here; import from ``lstmgru.models.arima``.

:mod:`~lstmgru.models.arima.differencing`
    Unit-root tests, the choice of ``d`` and of the trend.
:mod:`~lstmgru.models.arima.estimation`
    Fitting one order (conditional-least-squares starts) and the grid search over (p, q).
:mod:`~lstmgru.models.arima.forecaster`
    :class:`ArimaForecaster`, the Ljung-Box check and the one-pass one-step predictions.
:mod:`~lstmgru.models.arima.runtime`
    Captured warnings and BLAS thread limits.
"""

from __future__ import annotations

from lstmgru.models.arima.differencing import select_d, select_trend, unit_root_tests
from lstmgru.models.arima.estimation import (
    GRID_TOLERANCE,
    css_start_params,
    fit_order,
    select_order,
)
from lstmgru.models.arima.forecaster import (
    CRITERIA,
    LJUNG_BOX_LAGS,
    TRENDS,
    ArimaForecaster,
    ljung_box,
    one_step_predictions,
)
from lstmgru.models.arima.runtime import blas_threads, capture_warnings, summarise_warnings

__all__ = [
    "CRITERIA",
    "GRID_TOLERANCE",
    "LJUNG_BOX_LAGS",
    "TRENDS",
    "ArimaForecaster",
    "blas_threads",
    "capture_warnings",
    "css_start_params",
    "fit_order",
    "ljung_box",
    "one_step_predictions",
    "select_d",
    "select_order",
    "select_trend",
    "summarise_warnings",
    "unit_root_tests",
]
