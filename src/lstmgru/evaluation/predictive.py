"""Tests of equal predictive accuracy: Diebold-Mariano with the Harvey-Leybourne-Newbold
correction, and its pooled (panel) version across instruments.

References
----------
Diebold, F. X. & Mariano, R. S. (1995). Comparing predictive accuracy. Journal of Business &
Economic Statistics 13(3), 253-263.
Harvey, D., Leybourne, S. & Newbold, P. (1997). Testing the equality of prediction mean squared
errors. International Journal of Forecasting 13(2), 281-291.
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3), 703-708. doi:10.2307/1913610
Newey, W. K. & West, K. D. (1994). Automatic lag selection in covariance matrix estimation.
Review of Economic Studies 61(4), 631-653.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from lstmgru.evaluation._common import (
    LOSS_ATOL,
    Alternative,
    DegenerateTestError,
    _as_1d,
    _check_aligned,
    _check_lags,
    _constant_differential,
    _loss_scale,
    _newey_west_long_run_variance,
    newey_west_lags,
)

__all__ = ["DieboldMarianoResult", "PooledDieboldMarianoResult", "diebold_mariano", "pooled_dm"]


@dataclass(frozen=True)
class DieboldMarianoResult:
    """Result of :func:`diebold_mariano`.

    Attributes
    ----------
    statistic : float
        HLN-corrected DM statistic; negative when model A has the lower mean loss.
    pvalue : float
        p-value from Student-t with ``n - 1`` degrees of freedom, for ``alternative``.
    mean_loss_differential : float
        Mean of ``loss(errors_a) - loss(errors_b)`` (loss units, e.g. squared currency).
    n : int
        Number of paired forecast errors.
    h : int
        Forecast horizon in steps (days).
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    """

    statistic: float
    pvalue: float
    mean_loss_differential: float
    n: int
    h: int
    alternative: str


def _losses(
    name: str, errors: np.ndarray, loss: str | Callable[[np.ndarray], object]
) -> np.ndarray:
    if callable(loss):
        values = _as_1d(f"loss({name})", loss(errors))
        if values.shape != errors.shape:
            raise ValueError(
                f"loss callable must map n errors to n losses; got {values.shape[0]} "
                f"losses for {errors.shape[0]} errors"
            )
        return values
    if loss == "squared":
        return errors**2
    if loss == "absolute":
        return np.abs(errors)
    raise ValueError(f"loss must be 'squared', 'absolute' or a callable; got {loss!r}")


def diebold_mariano(
    errors_a: object,
    errors_b: object,
    *,
    h: int = 1,
    loss: Literal["squared", "absolute"] | Callable[[np.ndarray], object] = "squared",
    alternative: Alternative = "two-sided",
    varestimator: Literal["acf", "bartlett"] = "acf",
    atol: float = 0.0,
) -> DieboldMarianoResult:
    r"""Diebold-Mariano test of equal predictive accuracy, with the HLN correction.

    With loss differential :math:`d_t = L(e_{A,t}) - L(e_{B,t})`, :math:`t = 1..n`,

    .. math::

        \mathrm{DM} = \bar d / \sqrt{\hat V / n}, \quad
        \hat V = \hat\gamma_0 + 2 \sum_{k=1}^{h-1} w_k \hat\gamma_k, \quad
        \mathrm{DM}^* = \mathrm{DM}\,\sqrt{\frac{n + 1 - 2h + h(h-1)/n}{n}},

    where :math:`\hat\gamma_k` are sample autocovariances of :math:`d` (divisor ``n``),
    :math:`w_k = 1` (``varestimator="acf"``) or :math:`w_k = 1 - k/h` (``"bartlett"``), and
    :math:`\mathrm{DM}^*` is referred to Student-t with ``n - 1`` degrees of freedom
    (Harvey, Leybourne & Newbold 1997). The conventions are those of R's
    ``forecast::dm.test`` (tests pin both against it).

    Parameters
    ----------
    errors_a, errors_b : array-like of float, shape (n,)
        Forecast errors (forecast - actual) of models A and B over the same days, in the
        units of the forecast (e.g. currency units).
    h : int, default 1
        Forecast horizon in steps; ``h - 1`` autocovariance lags enter :math:`\hat V`.
    loss : {"squared", "absolute"} or callable, default "squared"
        Loss applied to each error; a callable maps an error vector to a loss vector of the
        same length.
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: model A has the lower expected loss (more accurate);
        ``"greater"``: model A has the higher expected loss; ``"two-sided"``: they differ.
    varestimator : {"acf", "bartlett"}, default "acf"
        Weights of the autocovariances in :math:`\hat V` (no effect when ``h == 1``).
    atol : float, default 0.0
        Absolute tolerance of equal losses (loss units), used when larger than
        :data:`LOSS_ATOL` times the mean absolute loss. The losses alone cannot tell rounding
        noise from a difference when all errors are of rounding size (forecasts equal to the
        actual prices); a caller who knows the price level passes e.g.
        ``(PRICE_RTOL * price) ** 2`` for squared errors, as :func:`comparison_table` does.

    Returns
    -------
    DieboldMarianoResult

    Raises
    ------
    DegenerateTestError
        When the loss differential has zero variance, i.e. is constant to within rounding
        (see the module conventions; e.g. identical errors, as for an ARIMA(0,1,0) model
        against the random walk, or errors that differ by 1e-15): the statistic is 0/0 and
        no p-value exists. Also when :math:`\hat V \le 0` (or below 1e-12 of
        :math:`\hat\gamma_0`) with ``h > 1``; ``varestimator="bartlett"`` is always
        non-negative.
    ValueError
        Bad input: empty, NaN/inf, different lengths or DatetimeIndexes, ``h < 1``,
        ``h`` too large for ``n``, unknown ``loss`` or ``alternative``, negative ``atol``.
    """
    if not isinstance(h, int | np.integer) or isinstance(h, bool) or h < 1:
        raise ValueError(f"h must be an integer >= 1 (forecast horizon in steps); got {h!r}")
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative must be 'two-sided', 'less' or 'greater'; got {alternative!r}"
        )
    if varestimator not in ("acf", "bartlett"):
        raise ValueError(f"varestimator must be 'acf' or 'bartlett'; got {varestimator!r}")
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (loss units); got {atol!r}")
    _check_aligned({"errors_a": errors_a, "errors_b": errors_b})
    ea = _as_1d("errors_a", errors_a, min_length=2)
    eb = _as_1d("errors_b", errors_b, min_length=2)
    h = int(h)
    n = ea.size
    correction = (n + 1 - 2 * h + h * (h - 1) / n) / n
    if h >= n or correction <= 0:
        raise ValueError(f"h={h} is too large for n={n} errors; need h < n")
    loss_a = _losses("errors_a", ea, loss)
    loss_b = _losses("errors_b", eb, loss)
    d = loss_a - loss_b
    mean_d = float(np.mean(d))
    tolerance = max(atol, LOSS_ATOL * _loss_scale(loss_a, loss_b))
    if _constant_differential(loss_a, loss_b, tolerance):
        raise DegenerateTestError(
            "the loss differential is constant to within rounding (e.g. the two models have "
            "identical errors, or errors equal up to rounding), so its variance is zero and "
            "the Diebold-Mariano statistic is undefined"
        )
    centred = d - mean_d
    gamma = np.array([np.dot(centred[k:], centred[: n - k]) / n for k in range(h)])
    weights = np.ones(h)
    if varestimator == "bartlett":
        weights[1:] = 1.0 - np.arange(1, h) / h
    long_run = gamma[0] + 2.0 * float(np.sum(weights[1:] * gamma[1:]))
    if long_run <= 1e-12 * gamma[0]:
        raise DegenerateTestError(
            f"the long-run variance estimate is {long_run:.3g} <= 0 with h={h}; "
            "use varestimator='bartlett', which cannot be negative"
        )
    statistic = mean_d / math.sqrt(long_run / n) * math.sqrt(correction)
    t = stats.t(df=n - 1)
    if alternative == "two-sided":
        pvalue = 2.0 * t.cdf(-abs(statistic))
    elif alternative == "less":
        pvalue = t.cdf(statistic)
    else:
        pvalue = t.sf(statistic)
    return DieboldMarianoResult(
        statistic=float(statistic),
        pvalue=float(pvalue),
        mean_loss_differential=mean_d,
        n=n,
        h=h,
        alternative=alternative,
    )


@dataclass(frozen=True)
class PooledDieboldMarianoResult:
    """Result of :func:`pooled_dm`.

    Attributes
    ----------
    statistic : float
        Pooled DM statistic, approximately standard normal under H0; negative when model A
        has the lower mean loss across instruments.
    pvalue : float
        p-value from the standard normal, for ``alternative``.
    mean_loss_differential : float
        Mean over days of the cross-sectional mean loss differential (loss units).
    n_days : int
        Days with at least one instrument.
    n_instruments : int
        Instruments (columns) with at least one value.
    lags : int
        Newey-West truncation lag used (days).
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    """

    statistic: float
    pvalue: float
    mean_loss_differential: float
    n_days: int
    n_instruments: int
    lags: int
    alternative: str


def pooled_dm(
    loss_differentials: pd.DataFrame,
    *,
    lags: int | None = None,
    alternative: Alternative = "two-sided",
) -> PooledDieboldMarianoResult:
    r"""Panel test of equal predictive accuracy across instruments (pooled Diebold-Mariano).

    With loss differentials :math:`d_{i,t} = L(e_{A,i,t}) - L(e_{B,i,t})` of instrument
    :math:`i` on day :math:`t`, the test runs on the cross-sectional mean

    .. math::

        \bar d_t = \frac{1}{N_t} \sum_{i \in I_t} d_{i,t}, \qquad
        S = \bar{\bar d} \big/ \sqrt{\hat V / T},

    where :math:`I_t` are the :math:`N_t` instruments with a value on day :math:`t`,
    :math:`\bar{\bar d}` the mean of :math:`\bar d_t` over the :math:`T` days with any value,
    and :math:`\hat V` the Newey & West (1987) long-run variance of :math:`\bar d_t` (Bartlett
    kernel, ``lags`` lags, divisor ``T``). Averaging across instruments first keeps the
    cross-sectional correlation of the losses (common market days) inside :math:`\hat V`, so
    no independence between instruments is assumed; the HAC variance allows for serial
    correlation and heteroskedasticity. H0: :math:`E[\bar d_t] = 0`; :math:`S` is referred to
    the standard normal (no small-sample correction; :math:`T` is in the hundreds or more).

    Parameters
    ----------
    loss_differentials : pandas.DataFrame, shape (T, N)
        Dates in the index, one column per instrument, loss units (e.g. squared log-return
        errors of model A minus those of model B). NaN marks a day without a test value for
        that instrument (different test spans, holidays); rows are sorted by the index.
    lags : int, optional
        Newey-West truncation lag in days; default :math:`\lfloor 4 (T/100)^{2/9} \rfloor`
        (Newey & West 1994 rule of thumb, e.g. 5 for 490 days).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: model A has the lower expected loss; ``"greater"``: the higher.

    Returns
    -------
    PooledDieboldMarianoResult

    Raises
    ------
    DegenerateTestError
        When :math:`\bar d_t` is constant to within rounding (e.g. all differentials zero).
    ValueError
        Not a DataFrame, duplicate dates or instruments, infinite or non-numeric values, an
        instrument without any value, fewer than two days, bad ``lags`` or ``alternative``.
    """
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative must be 'two-sided', 'less' or 'greater'; got {alternative!r}"
        )
    if not isinstance(loss_differentials, pd.DataFrame) or loss_differentials.shape[1] < 1:
        raise ValueError(
            "loss_differentials must be a DataFrame with dates in the index and one column "
            f"per instrument; got {type(loss_differentials).__name__}"
        )
    frame = loss_differentials
    if frame.index.duplicated().any():
        raise ValueError(
            f"loss_differentials has duplicate dates, e.g. {frame.index[frame.index.duplicated()][0]}"
        )
    if frame.columns.duplicated().any():
        raise ValueError("loss_differentials has duplicate instrument columns")
    try:
        values = frame.sort_index().to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"loss_differentials must be numeric: {exc}") from exc
    if np.isinf(values).any():
        raise ValueError("loss_differentials contains infinite values; NaN marks a missing day")
    present = ~np.isnan(values)
    empty = [str(c) for c in frame.columns[~present.any(axis=0)]]
    if empty:
        raise ValueError(f"instrument(s) {empty} have no loss differential; drop the column(s)")
    rows = present.any(axis=1)
    daily = np.nanmean(values[rows], axis=1)
    n_days = daily.size
    if n_days < 2:
        raise ValueError(f"loss_differentials has {n_days} day(s) with values; need at least 2")
    lags = _check_lags(newey_west_lags(n_days) if lags is None else lags, n_days)
    scale = float(np.nanmean(np.abs(values)))
    if np.all(np.abs(daily - np.mean(daily)) <= LOSS_ATOL * scale + 1e-300):
        raise DegenerateTestError(
            "the cross-sectional mean loss differential is constant to within rounding, so "
            "its variance is zero and the pooled test is undefined"
        )
    variance = _newey_west_long_run_variance(daily, lags)
    mean_d = float(np.mean(daily))
    statistic = mean_d / math.sqrt(variance / n_days)
    if alternative == "two-sided":
        pvalue = 2.0 * stats.norm.sf(abs(statistic))
    elif alternative == "less":
        pvalue = stats.norm.cdf(statistic)
    else:
        pvalue = stats.norm.sf(statistic)
    return PooledDieboldMarianoResult(
        statistic=float(statistic),
        pvalue=float(pvalue),
        mean_loss_differential=mean_d,
        n_days=n_days,
        n_instruments=int(frame.shape[1]),
        lags=lags,
        alternative=alternative,
    )
