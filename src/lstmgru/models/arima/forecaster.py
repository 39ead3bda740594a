"""The ARIMA forecaster: fit on the training span, one-step walk-forward over the test span.

The choice of ``d`` and the trend (:mod:`~lstmgru.models.arima.differencing`) and of (p, q)
(:mod:`~lstmgru.models.arima.estimation`) is described with the code that makes it; the
warnings are captured as :mod:`~lstmgru.models.arima.runtime` describes.

Forecasts
    One-step-ahead forecasts over an evaluation span come from **one** Kalman-filter pass of the
    fitted parameters over the extended log-price series (the same as ``results.apply`` followed by
    in-sample one-step predictions): the prediction for date :math:`t` uses :math:`y_{<t}` only.
    With ``refit_every = N`` the parameters (same order and trend) are re-estimated at the first
    date of every block of ``N`` forecast dates on all log prices before that date (expanding
    window; started from the previous parameters, grid tolerance), then applied to the block. The log-return forecast is
    :math:`\\hat r_t = \\hat y_{t|t-1} - y_{t-1}` and the price forecast
    :math:`\\hat P_t = P_{t-1} e^{\\hat r_t} = e^{\\hat y_{t|t-1}}` (the median of the log-normal
    one-step distribution); the ``1 - alpha`` interval is
    :math:`\\exp(\\hat y_{t|t-1} \\pm z_{1-\\alpha/2} F_t^{1/2})` with :math:`F_t` the one-step
    forecast-error variance of the filter.
"""

from __future__ import annotations

import time
import warnings
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import stats

from lstmgru.models.arima.differencing import select_d, select_trend
from lstmgru.models.arima.estimation import (
    GRID_TOLERANCE,
    _arima,
    _converged,
    fit_order,
    select_order,
)
from lstmgru.models.arima.runtime import blas_threads, capture_warnings, summarise_warnings
from lstmgru.models.base import Forecast, Forecaster

__all__ = [
    "CRITERIA",
    "LJUNG_BOX_LAGS",
    "TRENDS",
    "ArimaForecaster",
    "ljung_box",
    "one_step_predictions",
]

CRITERIA = ("aic", "bic")
TRENDS = ("n", "c", "t", "ct")
#: Ljung-Box lags reported for the residuals of the chosen model (trading days).
LJUNG_BOX_LAGS = (10, 20)


def ljung_box(residuals: np.ndarray, model_df: int) -> list[dict[str, float]]:
    """Ljung-Box Q statistics and p-values of residuals at :data:`LJUNG_BOX_LAGS`."""
    from statsmodels.stats.diagnostic import acorr_ljungbox

    lags = [lag for lag in LJUNG_BOX_LAGS if lag > model_df and lag < len(residuals)]
    if not lags:
        return []
    frame = acorr_ljungbox(residuals, lags=lags, model_df=model_df, return_df=True)
    return [
        {"lag": int(lag), "statistic": float(row["lb_stat"]), "pvalue": float(row["lb_pvalue"])}
        for lag, row in frame.iterrows()
    ]


def one_step_predictions(
    params: np.ndarray,
    y: np.ndarray,
    order: tuple[int, int, int],
    trend: str,
    positions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One-step-ahead predictions of ``y`` at ``positions`` with fixed parameters, one filter pass.

    Parameters
    ----------
    params : ndarray
        Full parameter vector of the model (``sigma2`` last).
    y : ndarray
        Log prices; the prediction at position ``t`` uses ``y[:t]`` only.
    order, trend
        The model specification.
    positions : ndarray of int
        Positions (``>= 1``) to predict.

    Returns
    -------
    mean : ndarray
        :math:`\\hat y_{t|t-1}` (log price units).
    variance : ndarray
        One-step forecast-error variance :math:`F_t` (squared log units).
    """
    model = _arima(y, order, trend)
    result = model.filter(params, cov_type="none")
    filtered = result.filter_results
    mean = np.asarray(filtered.forecasts[0], dtype="float64")[positions]
    variance = np.asarray(filtered.forecasts_error_cov[0, 0], dtype="float64")[positions]
    return mean, variance


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    return value


class ArimaForecaster(Forecaster):
    """ARIMA(p, d, q) on log prices with order chosen on the training span.

    Parameters
    ----------
    max_p, max_q : int
        Largest autoregressive and moving-average orders of the grid.
    criterion : {'aic', 'bic'}
        Information criterion of the order (and drift) choice.
    d : int or None
        Order of differencing; ``None`` chooses it with the ADF/KPSS rule (module docstring).
    refit_every : int
        ``0``: one set of parameters for the whole evaluation span. ``N > 0``: re-estimate the
        parameters (same order and trend) every ``N`` forecast dates on all earlier data.
    trend : {'n', 'c', 't', 'ct'} or None
        statsmodels trend; ``None`` chooses it (module docstring). With ``d = 1`` only ``'n'``
        and ``'t'`` (drift) are valid.
    alpha : float
        The forecast interval covers ``1 - alpha`` (default 95 %).
    max_d : int
        Upper bound of the automatic ``d``.
    blas_threads : int or None
        BLAS threads while fitting and filtering (see :func:`blas_threads`); ``None`` leaves the
        process's setting.

    Attributes
    ----------
    order_ : (p, d, q)
        Chosen order (after :meth:`fit`).
    trend_ : str
        Chosen trend.
    results_ : statsmodels ARIMAResults
        Full-precision fit of the chosen order on the training span.
    info_ : dict
        JSON-serialisable fit record (see :meth:`fit`).
    """

    name = "arima"

    def __init__(
        self,
        max_p: int = 3,
        max_q: int = 3,
        criterion: str = "aic",
        d: int | None = None,
        refit_every: int = 0,
        trend: str | None = None,
        alpha: float = 0.05,
        max_d: int = 2,
        blas_threads: int | None = 1,
    ) -> None:
        for label, value in (("max_p", max_p), ("max_q", max_q), ("refit_every", refit_every)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{label} must be a non-negative integer, got {value!r}")
        if criterion not in CRITERIA:
            raise ValueError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
        if not isinstance(max_d, int) or not 0 <= max_d <= 2:
            raise ValueError(f"max_d must be 0, 1 or 2, got {max_d!r}")
        if d is not None and (not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 2):
            raise ValueError(f"d must be None (automatic), 0, 1 or 2, got {d!r}")
        if trend is not None and trend not in TRENDS:
            raise ValueError(f"trend must be None or one of {', '.join(TRENDS)}, got {trend!r}")
        if d is not None and trend is not None:
            _check_trend(trend, d)
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
        if blas_threads is not None and (not isinstance(blas_threads, int) or blas_threads < 1):
            raise ValueError(
                f"blas_threads must be None or a positive integer, got {blas_threads!r}"
            )
        self.max_p, self.max_q, self.criterion = max_p, max_q, criterion
        self.d, self.refit_every, self.trend = d, refit_every, trend
        self.alpha, self.max_d, self.blas_threads = alpha, max_d, blas_threads
        self.order_: tuple[int, int, int] | None = None
        self.trend_: str | None = None
        self.results_: Any = None
        self.info_: dict[str, Any] = {}

    def fit(self, train: pd.Series, validation: pd.Series | None = None) -> Self:
        """Choose ``d``, the trend and (p, q) on ``train`` and fit the chosen model.

        ``validation`` is not used: ARIMA has no early stopping, and its selection is in-sample
        by the criterion.

        The record ``info_`` holds ``order``, ``trend``, ``criterion``, ``criterion_value``,
        ``grid`` (the criterion of every order), ``d_tests``, ``trend_selection``, ``params``
        and ``bse`` (by name; ``drift`` per day in log units), ``sigma2``, ``llf``, ``nobs``,
        ``ljung_box``, ``converged``, ``fit_seconds`` and ``warnings``.
        """
        y = _log_values(train, "train")
        minimum = max(self.max_p, self.max_q) + 10
        if len(y) < minimum:
            raise ValueError(
                f"ARIMA needs at least {minimum} training closes for max_p={self.max_p}, "
                f"max_q={self.max_q}; got {len(y)}"
            )
        caught: list[warnings.WarningMessage] = []
        started = time.perf_counter()
        with capture_warnings(caught), blas_threads(self.blas_threads):
            if self.d is None:
                d, d_tests = select_d(y, max_d=self.max_d)
            else:
                d, d_tests = self.d, []
            if self.trend is None:
                trend, trend_record = select_trend(y, d, self.criterion)
            else:
                _check_trend(self.trend, d)
                trend, trend_record = self.trend, {}
            order, table, best = select_order(
                y, d, trend, max_p=self.max_p, max_q=self.max_q, criterion=self.criterion
            )
            start = np.r_[np.asarray(best.params, dtype="float64"), float(best.scale)]
            results = fit_order(y, order, trend, start_params=start)
        elapsed = time.perf_counter() - started
        names = [_param_name(n) for n in results.model.param_names]
        params = np.asarray(results.params, dtype="float64")
        bse = np.asarray(results.bse, dtype="float64")
        burn = int(results.loglikelihood_burn)
        residuals = np.asarray(results.resid, dtype="float64")[burn:]
        self.order_, self.trend_, self.results_ = order, trend, results
        self.info_ = _jsonable(
            {
                "order": list(order),
                "trend": trend,
                "criterion": self.criterion,
                "criterion_value": float(getattr(results, self.criterion)),
                "grid": table,
                "d_tests": d_tests,
                "trend_selection": trend_record,
                "params": dict(zip(names, params.tolist(), strict=True)),
                "bse": dict(zip(names, bse.tolist(), strict=True)),
                "sigma2": float(params[-1]),
                "llf": float(results.llf),
                "nobs": int(results.nobs),
                "ljung_box": ljung_box(residuals, model_df=order[0] + order[2]),
                "converged": _converged(results),
                "fit_seconds": elapsed,
                "train_first": str(train.index[0].date()),
                "train_last": str(train.index[-1].date()),
                "warnings": summarise_warnings(caught),
            }
        )
        return self

    def forecast(self, history: pd.Series, dates: pd.DatetimeIndex) -> Forecast:
        """One-step forecasts for ``dates``, each from the log closes before it.

        Parameters
        ----------
        history : pandas.Series
            Closes (price units) covering every date and the day before the first; normally the
            whole train + validation + test span.
        dates : pandas.DatetimeIndex
            Sorted forecast dates in ``history.index``.

        Returns
        -------
        Forecast
            ``log_return`` (log units per day), ``price`` and the ``1 - alpha`` interval
            ``lower``/``upper`` (price units); ``info`` adds ``refits`` (one record per parameter
            set used), ``forecast_seconds`` and the warnings of the refits.
        """
        if self.results_ is None or self.order_ is None or self.trend_ is None:
            raise RuntimeError("call fit() before forecast()")
        dates = pd.DatetimeIndex(dates)
        positions = _positions(history, dates)
        values = _log_values(history, "history")
        if len(dates) == 0:
            return Forecast.from_log_return(self.name, history, dates, np.zeros(0), info=self.info_)
        y = values[: int(positions.max()) + 1]
        started = time.perf_counter()
        caught: list[warnings.WarningMessage] = []
        mean = np.empty(len(dates))
        variance = np.empty(len(dates))
        refits: list[dict[str, Any]] = []
        params = np.asarray(self.results_.params, dtype="float64")
        block = self.refit_every or len(dates)
        with capture_warnings(caught), blas_threads(self.blas_threads):
            for first in range(0, len(dates), block):
                chunk = slice(first, min(first + block, len(dates)))
                begin = int(positions[chunk][0])
                if self.refit_every:
                    refit = fit_order(
                        y[:begin],
                        self.order_,
                        self.trend_,
                        start_params=params,
                        standard_errors=False,
                        tolerance=GRID_TOLERANCE,
                    )
                    params = np.asarray(refit.params, dtype="float64")
                    refits.append(
                        {
                            "first_date": str(dates[first].date()),
                            "observations": begin,
                            "params": params.tolist(),
                            "converged": _converged(refit),
                        }
                    )
                end = int(positions[chunk][-1]) + 1
                mean[chunk], variance[chunk] = one_step_predictions(
                    params, y[:end], self.order_, self.trend_, positions[chunk]
                )
        z = float(stats.norm.ppf(1.0 - self.alpha / 2.0))
        spread = z * np.sqrt(np.maximum(variance, 0.0))
        r_hat = mean - values[positions - 1]
        info = dict(self.info_)
        info.update(
            {
                "refit_every": self.refit_every,
                "refits": refits,
                "interval_level": 1.0 - self.alpha,
                "forecast_seconds": time.perf_counter() - started,
                "forecast_warnings": summarise_warnings(caught),
            }
        )
        return Forecast.from_log_return(
            self.name,
            history,
            dates,
            r_hat,
            lower=np.exp(mean - spread),
            upper=np.exp(mean + spread),
            info=_jsonable(info),
        )


def _check_trend(trend: str, d: int) -> None:
    allowed = {0: ("n", "c", "t", "ct"), 1: ("n", "t"), 2: ("n",)}[d]
    if trend not in allowed:
        raise ValueError(
            f"trend {trend!r} is not identified with d={d} (differencing removes it); "
            f"use one of {', '.join(allowed)}"
        )


def _param_name(name: str) -> str:
    return "drift" if name == "x1" else name


def _log_values(close: pd.Series, label: str) -> np.ndarray:
    values = np.asarray(close, dtype="float64")
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(f"{label} closes must be a 1-D series of positive, finite prices")
    return np.log(values)


def _positions(history: pd.Series, dates: pd.DatetimeIndex) -> np.ndarray:
    if not dates.is_monotonic_increasing or dates.has_duplicates:
        raise ValueError("forecast dates must be sorted and unique")
    positions = history.index.get_indexer(dates)
    if (positions < 0).any():
        missing = ", ".join(str(d.date()) for d in dates[positions < 0][:3])
        raise ValueError(f"forecast dates not in the history: {missing}")
    if (positions < 1).any():
        raise ValueError("every forecast date needs a previous close in the history")
    return positions.astype(int)
