"""ARIMA baseline on log prices: order by information criterion, fast one-step walk-forward.

The model is fitted to the log closes :math:`y_t = \\log P_t` with statsmodels'
:class:`~statsmodels.tsa.arima.model.ARIMA` (exact Gaussian likelihood, Kalman filter):

.. math:: \\phi(B)\\,(1 - B)^d\\,(y_t - \\mu_t) = \\theta(B)\\,\\varepsilon_t,
          \\qquad \\varepsilon_t \\sim N(0, \\sigma^2),

with :math:`\\mu_t` the trend term (a constant for ``d = 0``, a drift :math:`\\beta t` for
``d = 1``, whose first difference is a constant mean daily log return :math:`\\beta`).

Choosing ``d`` (unit-root tests on the training log prices)
    Starting at ``d = 0``: the series is taken as stationary when the augmented Dickey-Fuller test
    (null: unit root) rejects at ``significance`` **and** the KPSS test (null: level
    stationarity) does not reject at ``significance``; otherwise it is differenced once. For
    ``d >= 1`` the ADF test alone decides (difference again only while it cannot reject the unit
    root), because KPSS also rejects for uncorrelated but heteroscedastic returns, and
    over-differencing returns would plant a unit root in the moving-average polynomial. ``d``
    never exceeds ``max_d``. Daily log prices almost always give ``d = 1``.
Choosing the trend (``trend=None``)
    ``d = 0``: constant (``"c"``). ``d = 1``: the drift ``"t"`` is kept when it lowers the
    criterion of the random walk ARIMA(0, 1, 0) fitted to the training span, that is when the
    likelihood-ratio statistic of a non-zero mean return exceeds the criterion's penalty of one
    parameter (2 for AIC, :math:`\\log n` for BIC; for AIC about :math:`|t| > 1.41` for the mean
    return's t statistic). The decision is closed-form and shared by every order of the grid.
    ``d = 2``: no trend.
Choosing (p, q)
    Every order of the grid :math:`0 \\le p \\le` ``max_p``, :math:`0 \\le q \\le` ``max_q`` is
    fitted by maximum likelihood on the training span only, started from conditional-sum-of-squares
    estimates (several of these likelihoods have more than one local maximum, and the
    conditional least-squares start finds the higher one more often than a zero start); the grid
    fits stop within about :math:`10^{-3}` of the maximum log-likelihood
    (:data:`GRID_TOLERANCE`), the chosen order is then refitted to full precision with standard
    errors.
    The smallest criterion wins; the whole table is recorded.

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

Warnings raised by statsmodels (convergence, starting values, KPSS table bounds) are captured
and counted in ``info["warnings"]``; nothing is silenced or printed.
"""

from __future__ import annotations

import inspect
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import optimize, signal, stats

from lstmgru.models.base import Forecast, Forecaster

CRITERIA = ("aic", "bic")
TRENDS = ("n", "c", "t", "ct")
#: Ljung-Box lags reported for the residuals of the chosen model (trading days).
LJUNG_BOX_LAGS = (10, 20)
#: L-BFGS-B stopping rule of the grid fits (the objective is minus the mean log-likelihood):
#: relative decrease below ``factr * 2.2e-16`` (about 2e-7) or largest gradient component below
#: ``pgtol``. Both leave the log-likelihood within about 1e-3 of its maximum, far below the
#: criterion differences that decide an order; the chosen order is refitted to full precision.
GRID_TOLERANCE = {"factr": 1e9, "pgtol": 1e-3}


# ----------------------------------------------------------------------------------------------
# Warnings
# ----------------------------------------------------------------------------------------------


@contextmanager
def capture_warnings(sink: list[warnings.WarningMessage]) -> Iterator[None]:
    """Record every warning raised inside the block into ``sink`` (none is shown or lost)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            sink.extend(caught)


@contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Limit the BLAS/LAPACK thread pools inside the block (``None``: leave them alone).

    statsmodels' Kalman filter and its stationary initialisation call LAPACK on matrices of a
    few rows thousands of times per fit; OpenBLAS threads only add synchronisation there (on a
    busy 2-core machine a grid search runs several times slower with two threads than with one).
    """
    if limit is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def summarise_warnings(caught: Sequence[warnings.WarningMessage]) -> list[dict[str, Any]]:
    """Distinct warnings as ``{"category", "message", "count"}``, most frequent first."""
    counts = Counter((w.category.__name__, str(w.message)) for w in caught)
    return [
        {"category": category, "message": message, "count": count}
        for (category, message), count in counts.most_common()
    ]


# ----------------------------------------------------------------------------------------------
# Differencing order and trend
# ----------------------------------------------------------------------------------------------


def unit_root_tests(x: np.ndarray) -> dict[str, float]:
    """ADF (constant, lag order by AIC) and KPSS (level, automatic lags) tests of a series.

    Returns
    -------
    dict
        ``adf_statistic``, ``adf_pvalue`` (null: unit root), ``kpss_statistic``, ``kpss_pvalue``
        (null: level stationarity; statsmodels' table bounds it to [0.01, 0.1]).
    """
    from statsmodels.tsa.stattools import adfuller, kpss

    # statsmodels >= 0.15 asks callers to choose the return type; older versions lack the keyword.
    tuple_result = (
        {"result_object": False}
        if "result_object" in inspect.signature(adfuller).parameters
        else {}
    )
    adf_stat, adf_p, *_ = adfuller(x, regression="c", autolag="AIC", **tuple_result)
    kpss_stat, kpss_p, *_ = kpss(x, regression="c", nlags="auto", **tuple_result)
    return {
        "adf_statistic": float(adf_stat),
        "adf_pvalue": float(adf_p),
        "kpss_statistic": float(kpss_stat),
        "kpss_pvalue": float(kpss_p),
    }


def select_d(
    y: np.ndarray, *, max_d: int = 2, significance: float = 0.05
) -> tuple[int, list[dict[str, Any]]]:
    """Order of differencing of ``y`` by the ADF/KPSS rule of the module docstring.

    Parameters
    ----------
    y : ndarray
        The training series (log prices).
    max_d : int
        Upper bound of ``d``.
    significance : float
        Level of both tests.

    Returns
    -------
    d : int
    tests : list of dict
        The tests run at each ``d`` tried, with the decision.
    """
    x = np.asarray(y, dtype="float64")
    if x.size and np.ptp(x) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))):
        raise ValueError(
            "ARIMA: the training series is constant, so no unit-root test or ARIMA model is "
            "defined; choose a span in which the price moves (start/end), or leave 'arima' out "
            "of the models"
        )
    tests: list[dict[str, Any]] = []
    for d in range(max_d + 1):
        result: dict[str, Any] = {"d": d, **unit_root_tests(x)}
        adf_rejects = result["adf_pvalue"] < significance
        kpss_rejects = result["kpss_pvalue"] < significance
        stationary = adf_rejects and (d > 0 or not kpss_rejects)
        result["stationary"] = bool(stationary)
        tests.append(result)
        if stationary or d == max_d:
            return d, tests
        x = np.diff(x)
    raise AssertionError("unreachable")  # pragma: no cover


def select_trend(y: np.ndarray, d: int, criterion: str = "aic") -> tuple[str, dict[str, float]]:
    """Trend term for ``d``: constant, drift-or-none by the criterion of ARIMA(0, 1, 0), or none.

    For ``d = 1`` the two random walks (with and without drift) have closed-form Gaussian
    likelihoods on the ``m`` first differences :math:`r`:
    :math:`\\ell = -\\tfrac{m}{2}(\\log 2\\pi\\hat\\sigma^2 + 1)` with
    :math:`\\hat\\sigma^2 = \\overline{r^2}` (no drift) or the variance of :math:`r` (drift). The
    drift is kept when :math:`m \\log(\\overline{r^2} / \\hat\\sigma^2_r)` exceeds the penalty of
    one parameter.

    Returns
    -------
    trend : {'c', 't', 'n'}
    record : dict
        ``criterion_no_drift`` and ``criterion_drift`` (``d = 1`` only).
    """
    if d == 0:
        return "c", {}
    if d >= 2:
        return "n", {}
    r = np.diff(np.asarray(y, dtype="float64"))
    m = len(r)
    s2_none = float(np.mean(r**2))
    s2_drift = float(np.var(r))
    penalty = 2.0 if criterion == "aic" else float(np.log(m))

    def crit(s2: float, k: int) -> float:
        return m * (np.log(2 * np.pi * s2) + 1.0) + penalty * k

    no_drift, drift = crit(s2_none, 1), crit(s2_drift, 2)
    record = {"criterion_no_drift": float(no_drift), "criterion_drift": float(drift)}
    return ("t" if drift < no_drift else "n"), record


# ----------------------------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------------------------


def _arima(y: np.ndarray, order: tuple[int, int, int], trend: str, **kwargs: Any) -> Any:
    from statsmodels.tsa.arima.model import ARIMA

    return ARIMA(np.asarray(y, dtype="float64"), order=order, trend=trend, **kwargs)


def _is_stationary(ar: np.ndarray) -> bool:
    """Roots of :math:`1 - \\phi_1 z - \\dots - \\phi_p z^p` outside the unit circle."""
    return len(ar) == 0 or bool(np.all(np.abs(np.roots(np.r_[1.0, -ar])) < 1.0 - 1e-6))


def _is_invertible(ma: np.ndarray) -> bool:
    """Roots of :math:`1 + \\theta_1 z + \\dots + \\theta_q z^q` outside the unit circle."""
    return len(ma) == 0 or bool(np.all(np.abs(np.roots(np.r_[1.0, ma])) < 1.0 - 1e-6))


def css_start_params(x: np.ndarray, p: int, q: int, with_mean: bool) -> np.ndarray | None:
    """Conditional-sum-of-squares estimates of an ARMA(p, q) (with mean) of ``x``.

    Residuals :math:`e_t` solve
    :math:`\\theta(B) e_t = \\phi(B)(x_t - \\mu)` for :math:`t > p` with pre-sample
    :math:`e = 0`; :math:`\\sum e_t^2` is minimised by Levenberg-Marquardt.

    Returns
    -------
    ndarray or None
        ``[mu], phi_1..phi_p, theta_1..theta_q``, or ``None`` when the estimate is not
        stationary and invertible (statsmodels' own start is used then).
    """
    x = np.asarray(x, dtype="float64")
    k0 = int(with_mean)
    if p + q == 0:
        return np.array([x.mean()]) if with_mean else np.zeros(0)

    def residuals(theta: np.ndarray) -> np.ndarray:
        mu = theta[0] if with_mean else 0.0
        phi, ma = theta[k0 : k0 + p], theta[k0 + p :]
        z = x - mu
        w = z[p:].copy()
        for i in range(p):
            w -= phi[i] * z[p - 1 - i : len(z) - 1 - i]
        return signal.lfilter([1.0], np.r_[1.0, ma], w)

    start = np.r_[[x.mean()] if with_mean else [], np.zeros(p + q)]
    try:
        solution = optimize.least_squares(residuals, start, method="lm")
    except (ValueError, np.linalg.LinAlgError):
        return None
    theta = solution.x
    if not np.all(np.isfinite(theta)):
        return None
    if not (_is_stationary(theta[k0 : k0 + p]) and _is_invertible(theta[k0 + p :])):
        return None
    return theta


def fit_order(
    y: np.ndarray,
    order: tuple[int, int, int],
    trend: str,
    *,
    fast: bool = False,
    start_params: np.ndarray | None = None,
    standard_errors: bool = True,
    tolerance: dict[str, float] | None = None,
) -> Any:
    """Maximum-likelihood fit of ARIMA(p, d, q) with ``trend`` to ``y`` (statsmodels).

    Parameters
    ----------
    y : ndarray
        Log prices.
    order : (p, d, q)
    trend : {'n', 'c', 't', 'ct'}
    fast : bool
        Grid mode: scale concentrated out, no standard errors, tolerance :data:`GRID_TOLERANCE`.
    start_params : ndarray, optional
        Full parameter vector (``sigma2`` last unless ``fast``); default: conditional least
        squares on the differenced series.
    standard_errors : bool
        Compute standard errors (numerical Hessian); ignored when ``fast``.
    tolerance : dict, optional
        L-BFGS-B ``factr``/``pgtol``; default :data:`GRID_TOLERANCE` when ``fast``, else
        scipy's defaults (``factr=1e7``, ``pgtol=1e-5``).

    Returns
    -------
    statsmodels ARIMAResults

    Notes
    -----
    The white-noise case ``p = q = 0`` with the mean (or drift) as its only trend term has a
    closed-form maximum-likelihood estimate (mean and variance of the differenced series);
    it is evaluated by one filter pass instead of an optimiser that would start at its optimum.
    The finite-difference step of the optimiser's gradient is ``1e-7`` (statsmodels' default
    ``1e-5`` is large next to a daily drift of order ``1e-4``).
    """
    p, d, q = order
    y = np.asarray(y, dtype="float64")
    model = _arima(y, order, trend, concentrate_scale=fast)
    x = np.diff(y, n=d) if d else y
    with_mean = (d == 0 and trend == "c") or (d == 1 and trend == "t")
    closed_form = p == q == 0 and (with_mean or trend == "n")
    if start_params is None or closed_form:
        if closed_form:
            start_params = np.array([x.mean()]) if with_mean else np.zeros(0)
        else:
            start_params = css_start_params(x, p, q, with_mean=with_mean)
        n_params = len(model.param_names) - (0 if fast else 1)
        if start_params is not None and len(start_params) != n_params:
            start_params, closed_form = None, False
        elif start_params is not None and not fast:
            spread = x - x.mean() if with_mean else x
            start_params = np.r_[start_params, np.mean(spread**2)]
    cov_type = "none" if fast or not standard_errors else None
    if closed_form:
        return model.smooth(start_params, cov_type=cov_type or "approx")
    options: dict[str, Any] = {"epsilon": 1e-7}
    options.update(GRID_TOLERANCE if tolerance is None and fast else tolerance or {})
    return model.fit(start_params=start_params, cov_type=cov_type, method_kwargs=options)


def select_order(
    y: np.ndarray,
    d: int,
    trend: str,
    *,
    max_p: int = 3,
    max_q: int = 3,
    criterion: str = "aic",
) -> tuple[tuple[int, int, int], list[dict[str, Any]], Any]:
    """Fit every (p, q) of the grid and return the order with the smallest criterion.

    Returns
    -------
    order : (p, d, q)
    table : list of dict
        One row per grid order: ``p``, ``q``, the criterion, ``llf``, ``converged`` and
        ``error`` (message of a failed fit, criterion ``None`` then).
    best : statsmodels ARIMAResults
        The grid fit of the chosen order (concentrated scale).
    """
    table: list[dict[str, Any]] = []
    best, best_value, best_order = None, np.inf, None
    for p in range(max_p + 1):
        for q in range(max_q + 1):
            row: dict[str, Any] = {"p": p, "q": q}
            try:
                result = fit_order(y, (p, d, q), trend, fast=True)
            except (ValueError, np.linalg.LinAlgError) as exc:
                row.update({criterion: None, "llf": None, "converged": False, "error": str(exc)})
                table.append(row)
                continue
            value = float(getattr(result, criterion))
            row.update(
                {
                    criterion: value,
                    "llf": float(result.llf),
                    "converged": _converged(result),
                    "error": None,
                }
            )
            table.append(row)
            if np.isfinite(value) and value < best_value:
                best, best_value, best_order = result, value, (p, d, q)
    if best is None or best_order is None:
        errors = "; ".join(sorted({str(r["error"]) for r in table}))
        raise RuntimeError(f"no ARIMA order of the grid could be fitted: {errors}")
    return best_order, table, best


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


# ----------------------------------------------------------------------------------------------
# The forecaster
# ----------------------------------------------------------------------------------------------


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


def _converged(results: Any) -> bool:
    """Whether the optimiser reported convergence (closed-form fits have no optimiser)."""
    retvals = getattr(results, "mle_retvals", None) or {}
    return bool(retvals.get("converged", True))


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
