"""AR(p) baseline on daily log returns: order by information criterion, fixed-parameter forecasts.

The model is the autoregression with a constant of the log returns
:math:`r_t = \\log P_t - \\log P_{t-1}`:

.. math:: r_t = c + \\phi_1 r_{t-1} + \\dots + \\phi_p r_{t-p} + \\varepsilon_t,
          \\qquad \\varepsilon_t \\sim N(0, \\sigma^2),

estimated by conditional least squares (statsmodels' :class:`~statsmodels.tsa.ar_model.AutoReg`,
``trend='c'``) on the training span only.

Choosing p
    Every order :math:`0 \\le p \\le` ``max_p`` is fitted to the same sample (the first ``max_p``
    returns held back as lags), so the criteria compare like with like; the smallest criterion
    wins (the smaller order on a tie). This is the rule of statsmodels'
    :func:`~statsmodels.tsa.ar_model.ar_select_order` (``glob=False``); the chosen order is
    then refitted on the whole training span (only its own ``p`` returns held back).
Forecasting
    One step ahead from the returns up to the day before, with the training parameters fixed
    (no refit inside the evaluation span): :math:`\\hat r_t = \\hat c + \\sum_i \\hat\\phi_i
    r_{t-i}`, price :math:`\\hat P_t = P_{t-1} e^{\\hat r_t}`, and the Gaussian interval
    :math:`P_{t-1} e^{\\hat r_t \\pm z_{1-\\alpha/2} \\hat\\sigma}`.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import stats

from lstmgru.models.arima.forecaster import _log_values, _positions
from lstmgru.models.arima.runtime import blas_threads, capture_warnings, summarise_warnings
from lstmgru.models.base import Forecast, Forecaster

__all__ = ["CRITERIA", "ArForecaster", "ar_one_step", "select_ar_order"]

CRITERIA = ("aic", "bic")
#: Training returns needed beyond ``max_p`` (a regression on fewer points says nothing).
MIN_EXTRA_RETURNS = 20


def select_ar_order(
    returns: np.ndarray, max_p: int, criterion: str = "aic"
) -> tuple[int, list[dict[str, float]]]:
    """Order of an AR(p) with constant of ``returns`` by ``criterion`` on a common sample.

    Parameters
    ----------
    returns : ndarray
        Training log returns (log units per day).
    max_p : int
        Largest order tried; the first ``max_p`` returns are held back for every order.
    criterion : {'aic', 'bic'}

    Returns
    -------
    p : int
        Order with the smallest criterion (the smallest such order on a tie).
    table : list of dict
        One row per order: ``p``, the criterion, ``llf`` and ``nobs``.
    """
    from statsmodels.tsa.ar_model import AutoReg

    x = np.asarray(returns, dtype="float64")
    table: list[dict[str, float]] = []
    for p in range(max_p + 1):
        result = AutoReg(x, lags=p, trend="c", hold_back=max_p).fit()
        table.append(
            {
                "p": p,
                criterion: float(getattr(result, criterion)),
                "llf": float(result.llf),
                "nobs": int(result.nobs),
            }
        )
    values = np.array([row[criterion] for row in table])
    return int(np.argmin(values)), table


def ar_one_step(
    log_close: np.ndarray, positions: np.ndarray, const: float, phi: np.ndarray
) -> np.ndarray:
    """One-step forecasts :math:`\\hat r_t = c + \\sum_{i=1}^p \\phi_i r_{t-i}` at ``positions``.

    Parameters
    ----------
    log_close : ndarray
        Log closes :math:`y`; the return of position ``s`` is :math:`y_s - y_{s-1}`.
    positions : ndarray of int
        Positions ``t`` to forecast; each must have ``t >= p + 1`` (``p`` earlier returns).
    const : float
        :math:`c` (log units per day).
    phi : ndarray
        :math:`\\phi_1, \\dots, \\phi_p`.

    Returns
    -------
    ndarray
        :math:`\\hat r_t` (log units per day); reads ``log_close[: t]`` only.
    """
    y = np.asarray(log_close, dtype="float64")
    t = np.asarray(positions, dtype=int)
    phi = np.asarray(phi, dtype="float64").reshape(-1)
    if len(t) and int(t.min()) < len(phi) + 1:
        raise ValueError(
            f"an AR({len(phi)}) forecast needs {len(phi) + 1} closes before its date; the "
            "first forecast date is too early in the history"
        )
    r_hat = np.full(len(t), float(const))
    for i, coefficient in enumerate(phi, start=1):
        r_hat += coefficient * (y[t - i] - y[t - i - 1])
    return r_hat


class ArForecaster(Forecaster):
    """AR(p) with constant on log returns, order chosen on the training span.

    Parameters
    ----------
    max_p : int
        Largest order tried (``ExperimentConfig.ar_max_p``).
    criterion : {'aic', 'bic'}
        Information criterion of the order choice.
    alpha : float
        The forecast interval covers ``1 - alpha`` (default 95 %).
    blas_threads : int or None
        BLAS threads while fitting; ``None`` leaves the process's setting.

    Attributes
    ----------
    order_ : int
        Chosen ``p`` (after :meth:`fit`).
    const_ : float
        Constant :math:`\\hat c` (log units per day).
    phi_ : ndarray
        :math:`\\hat\\phi_1, \\dots, \\hat\\phi_p`.
    sigma_ : float
        Residual standard deviation :math:`\\hat\\sigma` (log units per day).
    info_ : dict
        JSON-serialisable fit record (see :meth:`fit`).
    """

    name = "ar"

    def __init__(
        self,
        max_p: int = 10,
        criterion: str = "aic",
        alpha: float = 0.05,
        blas_threads: int | None = 1,
    ) -> None:
        if not isinstance(max_p, int) or isinstance(max_p, bool) or max_p < 0:
            raise ValueError(f"max_p must be a non-negative integer, got {max_p!r}")
        if criterion not in CRITERIA:
            raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
        if blas_threads is not None and (not isinstance(blas_threads, int) or blas_threads < 1):
            raise ValueError(
                f"blas_threads must be None or a positive integer, got {blas_threads!r}"
            )
        self.max_p, self.criterion, self.alpha = max_p, criterion, alpha
        self.blas_threads = blas_threads
        self.order_: int | None = None
        self.const_: float | None = None
        self.phi_: np.ndarray | None = None
        self.sigma_: float | None = None
        self.info_: dict[str, Any] = {}

    def fit(self, train: pd.Series, validation: pd.Series | None = None) -> Self:
        """Choose ``p`` on the training log returns and fit AR(p) with a constant to them.

        ``validation`` is not used (no early stopping; the order is chosen in-sample by the
        criterion).

        The record ``info_`` holds ``order`` (``p``), ``criterion``, ``criterion_value`` (of
        the final fit), ``grid`` (the criterion of every order on the common sample),
        ``params`` (``const``, ``ar.L1`` ... in log units per day), ``bse``, ``sigma2``,
        ``nobs``, ``fit_seconds``, the training dates and ``warnings``.
        """
        from statsmodels.tsa.ar_model import AutoReg

        y = _log_values(train, "train")
        returns = np.diff(y)
        minimum = self.max_p + MIN_EXTRA_RETURNS
        if len(returns) < minimum:
            raise ValueError(
                f"AR needs at least {minimum + 1} training closes for ar_max_p={self.max_p}; "
                f"got {len(y)} (lower ar_max_p or lengthen the training span)"
            )
        if np.ptp(returns) == 0.0:
            raise ValueError(
                "AR: the training log returns are constant, so no autoregression is defined; "
                "choose a span in which the price moves, or leave 'ar' out of the models"
            )
        caught: list[warnings.WarningMessage] = []
        started = time.perf_counter()
        with capture_warnings(caught), blas_threads(self.blas_threads):
            order, table = select_ar_order(returns, self.max_p, self.criterion)
            result = AutoReg(returns, lags=order, trend="c").fit()
        elapsed = time.perf_counter() - started
        params = np.asarray(result.params, dtype="float64")
        bse = np.asarray(result.bse, dtype="float64")
        names = ["const"] + [f"ar.L{i}" for i in range(1, order + 1)]
        self.order_, self.const_, self.phi_ = order, float(params[0]), params[1:].copy()
        self.sigma_ = float(np.sqrt(result.sigma2))
        self.info_ = {
            "order": order,
            "trend": "c",
            "criterion": self.criterion,
            "max_p": self.max_p,
            "criterion_value": float(getattr(result, self.criterion)),
            "grid": table,
            "params": dict(zip(names, params.tolist(), strict=True)),
            "bse": dict(zip(names, bse.tolist(), strict=True)),
            "sigma2": float(result.sigma2),
            "nobs": int(result.nobs),
            "fit_seconds": elapsed,
            "train_first": str(train.index[0].date()),
            "train_last": str(train.index[-1].date()),
            "warnings": summarise_warnings(caught),
        }
        return self

    def forecast(self, history: pd.Series, dates: pd.DatetimeIndex) -> Forecast:
        """One-step forecasts for ``dates`` from the log returns before each date.

        Parameters
        ----------
        history : pandas.Series
            Closes (price units) covering every date and the ``p + 1`` days before the first.
        dates : pandas.DatetimeIndex
            Sorted forecast dates in ``history.index``.

        Returns
        -------
        Forecast
            ``log_return`` (log units per day), ``price`` and the ``1 - alpha`` Gaussian
            interval ``lower``/``upper`` (price units); ``info`` is the fit record plus
            ``interval_level`` and ``forecast_seconds``.
        """
        if self.order_ is None or self.phi_ is None or self.const_ is None:
            raise RuntimeError("call fit() before forecast()")
        dates = pd.DatetimeIndex(dates)
        started = time.perf_counter()
        positions = _positions(history, dates)
        y = _log_values(history, "history")
        r_hat = ar_one_step(y, positions, self.const_, self.phi_)
        z = float(stats.norm.ppf(1.0 - self.alpha / 2.0))
        previous = np.exp(y[positions - 1])
        info = dict(self.info_)
        info["interval_level"] = 1.0 - self.alpha
        info["forecast_seconds"] = time.perf_counter() - started
        return Forecast.from_log_return(
            self.name,
            history,
            dates,
            r_hat,
            lower=previous * np.exp(r_hat - z * self.sigma_),
            upper=previous * np.exp(r_hat + z * self.sigma_),
            info=info,
        )
