"""Choosing the order of differencing ``d`` and the trend term of the ARIMA baseline.

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
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

__all__ = ["select_d", "select_trend", "unit_root_tests"]


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
