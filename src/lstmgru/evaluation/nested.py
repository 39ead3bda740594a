"""Nested forecast comparisons: the Clark-West test and the out-of-sample R-squared.

The random walk (a zero return forecast) and the drift model (a constant return forecast) are
nested in every other model here: setting the other model's parameters to zero gives them.
Under the null that the nested (restricted) model is correct, the larger model estimates
parameters whose true value is zero, and that noise inflates its squared error; the
Diebold-Mariano statistic is then centred below zero and the test is undersized. Clark & West
(2007) add the noise term back.

References
----------
Clark, T. E. & West, K. D. (2007). Approximately normal tests for equal predictive accuracy in
nested models. Journal of Econometrics 138(1), 291-311. doi:10.1016/j.jeconom.2006.05.023
Campbell, J. Y. & Thompson, S. B. (2008). Predicting excess stock returns out of sample: can
anything beat the historical average? Review of Financial Studies 21(4), 1509-1531.
doi:10.1093/rfs/hhm055
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3), 703-708. doi:10.2307/1913610
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from lstmgru.evaluation._common import (
    LOSS_ATOL,
    DegenerateTestError,
    _as_1d,
    _check_aligned,
    _check_lags,
    _constant_differential,
    _loss_scale,
    _newey_west_long_run_variance,
)

__all__ = ["ClarkWestResult", "OutOfSampleR2Result", "clark_west", "r2_oos"]


@dataclass(frozen=True)
class ClarkWestResult:
    """Result of :func:`clark_west`.

    Attributes
    ----------
    statistic : float
        Clark-West t-statistic, approximately standard normal under H0; positive when the
        unrestricted (larger) model forecasts better than the restricted one after adjustment.
    pvalue : float
        One-sided p-value :math:`P(Z > \\mathrm{CW})`; small means the larger model improves on
        the nested one.
    n : int
        Number of forecast days.
    h : int
        Forecast horizon in steps (days).
    lags : int
        Newey-West truncation lag used in the variance (days).
    mspe_restricted, mspe_unrestricted : float
        Mean squared prediction errors of the two models (units of the forecast, squared).
    adjustment : float
        :math:`\\mathrm{mean}_t (\\hat y_{R,t} - \\hat y_{U,t})^2`, the noise term added back
        (same units as the MSPEs).
    mean_adjusted_differential : float
        :math:`\\bar f = \\mathrm{MSPE}_R - (\\mathrm{MSPE}_U - \\mathrm{adjustment})`.
    """

    statistic: float
    pvalue: float
    n: int
    h: int
    lags: int
    mspe_restricted: float
    mspe_unrestricted: float
    adjustment: float
    mean_adjusted_differential: float


def clark_west(
    actual: object,
    forecast_restricted: object,
    forecast_unrestricted: object,
    *,
    h: int = 1,
    lags: int | None = None,
) -> ClarkWestResult:
    r"""Clark & West (2007) adjusted-MSPE test of a nested model against a larger one.

    With actual values :math:`y_t`, forecasts :math:`\hat y_{R,t}` of the restricted (nested)
    model and :math:`\hat y_{U,t}` of the unrestricted model, and errors
    :math:`e_{\cdot,t} = y_t - \hat y_{\cdot,t}`,

    .. math::

        f_t = e_{R,t}^2 - \left[e_{U,t}^2 - (\hat y_{R,t} - \hat y_{U,t})^2\right], \qquad
        \mathrm{CW} = \bar f \big/ \sqrt{\hat V / n},

    where :math:`\hat V` is the Newey-West (1987) long-run variance of :math:`f` with a
    Bartlett kernel and ``lags`` lags (weights :math:`1 - k/(L+1)`, autocovariances with
    divisor ``n``); for ``h = 1`` and ``lags = 0`` this is the sample variance (divisor ``n``),
    i.e. the t-statistic of a regression of :math:`f_t` on a constant with HC0 standard
    error. CW is referred to the standard normal, one-sided (H0: equal MSPE, i.e. the nested
    model is correct; H1: the larger model has a lower MSPE). Clark & West (2007) show that
    these normal critical values are approximately right (slightly conservative) for
    rolling and recursive estimation.

    Use it for the random walk on returns (``forecast_restricted`` all zeros) and the drift
    model (a constant return) against any model that nests them; use
    :func:`diebold_mariano` for non-nested pairs.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Realised values, e.g. daily log returns (log-return units).
    forecast_restricted : array-like of float, shape (n,)
        Forecasts of the nested model for the same days, same units (zeros for the random
        walk on returns).
    forecast_unrestricted : array-like of float, shape (n,)
        Forecasts of the larger model, same units.
    h : int, default 1
        Forecast horizon in steps (days); the errors of an ``h``-step forecast are MA(h-1).
    lags : int, optional
        Newey-West truncation lag (days); default ``h - 1``, the order of that MA.

    Returns
    -------
    ClarkWestResult

    Raises
    ------
    DegenerateTestError
        When :math:`f_t` is constant to within rounding (e.g. the two forecasts are
        identical, which gives :math:`f_t = 0`): its variance is zero and the statistic is
        undefined.
    ValueError
        Empty, fewer than two days, NaN/inf, different lengths or DatetimeIndexes, ``h < 1``,
        ``lags`` negative or not below ``n``.
    """
    if not isinstance(h, int | np.integer) or isinstance(h, bool) or h < 1:
        raise ValueError(f"h must be an integer >= 1 (forecast horizon in steps); got {h!r}")
    named = {
        "actual": actual,
        "forecast_restricted": forecast_restricted,
        "forecast_unrestricted": forecast_unrestricted,
    }
    _check_aligned(named)
    y, restricted, unrestricted = (_as_1d(k, v, min_length=2) for k, v in named.items())
    n = y.size
    lags = _check_lags(int(h) - 1 if lags is None else lags, n)
    loss_r = (y - restricted) ** 2
    adjustment = (restricted - unrestricted) ** 2
    loss_u_adjusted = (y - unrestricted) ** 2 - adjustment
    tolerance = LOSS_ATOL * _loss_scale(loss_r, loss_u_adjusted)
    if _constant_differential(loss_r, loss_u_adjusted, tolerance):
        raise DegenerateTestError(
            "the adjusted loss differential of the Clark-West test is constant to within "
            "rounding (e.g. the two models forecast the same), so its variance is zero and "
            "the statistic is undefined"
        )
    f = loss_r - loss_u_adjusted
    variance = _newey_west_long_run_variance(f, lags)
    statistic = float(np.mean(f)) / math.sqrt(variance / n)
    return ClarkWestResult(
        statistic=statistic,
        pvalue=float(stats.norm.sf(statistic)),
        n=n,
        h=int(h),
        lags=lags,
        mspe_restricted=float(np.mean(loss_r)),
        mspe_unrestricted=float(np.mean((y - unrestricted) ** 2)),
        adjustment=float(np.mean(adjustment)),
        mean_adjusted_differential=float(np.mean(f)),
    )


@dataclass(frozen=True)
class OutOfSampleR2Result:
    """Result of :func:`r2_oos`.

    Attributes
    ----------
    r2_oos : float
        :math:`1 - \\sum (y - \\hat y)^2 / \\sum (y - \\bar y_B)^2`, dimensionless; positive
        when the model has the lower MSPE than the benchmark, at most 1.
    statistic, pvalue : float
        Clark-West statistic and one-sided p-value of the model against the benchmark
        (see :func:`clark_west`); small p-value: the model improves on the benchmark.
    n : int
        Number of forecast days.
    """

    r2_oos: float
    statistic: float
    pvalue: float
    n: int


def r2_oos(
    actual: object,
    forecast: object,
    benchmark: object = 0.0,
    *,
    h: int = 1,
    lags: int | None = None,
) -> OutOfSampleR2Result:
    r"""Out-of-sample :math:`R^2` (Campbell & Thompson 2008) with its Clark-West test.

    .. math::

        R^2_{OS} = 1 - \frac{\sum_t (y_t - \hat y_t)^2}{\sum_t (y_t - \bar y_{B,t})^2},

    where :math:`\bar y_{B,t}` is the benchmark forecast: zero for the random walk on
    returns (the default), the historical mean for the drift model. The benchmark is nested
    in the model, so the test of :math:`R^2_{OS} \le 0` against :math:`R^2_{OS} > 0` is the
    Clark-West test (Campbell & Thompson 2008 use it the same way).

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Realised values, e.g. daily log returns (log-return units).
    forecast : array-like of float, shape (n,)
        Model forecasts for the same days, same units.
    benchmark : float or array-like of float, shape (n,), default 0.0
        Benchmark forecasts (same units); a scalar is used on every day.
    h, lags : int
        Horizon and Newey-West lag of the test, as in :func:`clark_west`.

    Returns
    -------
    OutOfSampleR2Result

    Raises
    ------
    DegenerateTestError
        When the benchmark is exact on every day (the denominator is zero), or the test is
        undefined (model and benchmark forecast the same; see :func:`clark_west`).
    ValueError
        Bad input, as for :func:`clark_west`.
    """
    _check_aligned({"actual": actual, "forecast": forecast})
    y = _as_1d("actual", actual, min_length=2)
    if np.ndim(benchmark) == 0:
        bench = np.full(y.size, _as_1d("benchmark", [benchmark])[0])
    else:
        _check_aligned({"actual": actual, "benchmark": benchmark})
        bench = _as_1d("benchmark", benchmark, min_length=2)
    denominator = float(np.sum((y - bench) ** 2))
    if denominator <= 0.0:
        raise DegenerateTestError(
            "the benchmark forecasts every value exactly, so the out-of-sample R^2 (relative "
            "to its squared error) is undefined"
        )
    model = _as_1d("forecast", forecast, min_length=2)
    test = clark_west(y, bench, model, h=h, lags=lags)
    return OutOfSampleR2Result(
        r2_oos=float(1.0 - np.sum((y - model) ** 2) / denominator),
        statistic=test.statistic,
        pvalue=test.pvalue,
        n=test.n,
    )
