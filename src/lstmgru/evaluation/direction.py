"""Directional accuracy: the Pesaran-Timmermann test and the always-up base rate.

References
----------
Pesaran, M. H. & Timmermann, A. (1992). A simple nonparametric test of predictive performance.
Journal of Business & Economic Statistics 10(4), 461-465.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from lstmgru.evaluation._common import DegenerateTestError, _as_1d, _check_aligned

__all__ = [
    "DirectionVsAlwaysUpResult",
    "PesaranTimmermannResult",
    "direction_vs_always_up",
    "pesaran_timmermann",
]


@dataclass(frozen=True)
class PesaranTimmermannResult:
    """Result of :func:`pesaran_timmermann`.

    Attributes
    ----------
    statistic : float
        PT statistic, standard normal under H0.
    pvalue : float
        One-sided p-value, :math:`P(Z > S)`; small means directional predictability.
    hit_rate : float
        Share of days (0..1) on which forecast and actual fall in the same class
        (up / not up).
    n : int
        Number of days.
    """

    statistic: float
    pvalue: float
    hit_rate: float
    n: int


def pesaran_timmermann(
    actual: object, forecast: object, *, atol: float | None = None
) -> PesaranTimmermannResult:
    r"""Pesaran-Timmermann (1992) test of directional predictability.

    Takes *changes* (returns or price differences relative to the previous day), not price
    levels; only their signs are used. Each day is classed as up (value > 0) or not up
    (value <= 0); with hit rate :math:`\hat P`, up shares :math:`P_y` (actual) and
    :math:`P_x` (forecast), and :math:`P_* = P_y P_x + (1-P_y)(1-P_x)`,

    .. math::

        S = \frac{\hat P - P_*}{\sqrt{\hat V(\hat P) - \hat V(P_*)}}, \quad
        \hat V(\hat P) = \frac{P_*(1-P_*)}{n},

        \hat V(P_*) = \frac{(2P_y-1)^2 P_x(1-P_x)}{n} + \frac{(2P_x-1)^2 P_y(1-P_y)}{n}
        + \frac{4 P_y P_x (1-P_y)(1-P_x)}{n^2},

    asymptotically standard normal under H0 (signs of forecast and actual independent).
    Without exact zeros this equals rugarch's ``DACTest(test="PT")``; with zeros, a zero
    forecast and a zero actual count as the same class (a hit), which keeps :math:`\hat P`
    consistent with :math:`P_*`. The hit rate can therefore differ from
    :func:`metrics`' ``directional_accuracy``, which treats "flat" as a third class.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Realised changes, e.g. log returns :math:`\log(a_t / a_{t-1})`.
    forecast : array-like of float, shape (n,)
        Forecast changes for the same days, e.g. :math:`\log(f_t / a_{t-1})`.
    atol : float, optional
        Changes with ``|value| <= atol`` are rounding, i.e. zero ("not up"); units of the
        changes. Default ``1e-9 * max(|actual|)``: a forecast a billion times smaller than
        the largest realised move (a log return of 1e-17 from ``exp(log(p))``) is no
        direction. :func:`comparison_table` passes :data:`PRICE_RTOL` for log returns.

    Returns
    -------
    PesaranTimmermannResult

    Raises
    ------
    DegenerateTestError
        When the actual or the forecast signs are all in one class (e.g. the random walk,
        which never forecasts "up", a model whose "up" forecasts are all of rounding size,
        a model that always forecasts "up", or constant prices): the variance is zero and the
        statistic undefined.
    ValueError
        Empty, NaN/inf, different lengths or DatetimeIndexes, negative ``atol``.
    """
    _check_aligned({"actual": actual, "forecast": forecast})
    realised = _as_1d("actual", actual, min_length=2)
    predicted = _as_1d("forecast", forecast, min_length=2)
    if atol is None:
        atol = 1e-9 * float(np.max(np.abs(realised)))
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (units of the changes); got {atol!r}")
    y = realised > atol
    x = predicted > atol
    n = y.size
    hit_rate = float(np.mean(y == x))
    p_y = float(np.mean(y))
    p_x = float(np.mean(x))
    p_star = p_y * p_x + (1 - p_y) * (1 - p_x)
    var_hat = p_star * (1 - p_star) / n
    var_star = (
        (2 * p_y - 1) ** 2 * p_x * (1 - p_x) / n
        + (2 * p_x - 1) ** 2 * p_y * (1 - p_y) / n
        + 4 * p_y * p_x * (1 - p_y) * (1 - p_x) / n**2
    )
    denominator = var_hat - var_star
    if p_y in (0.0, 1.0) or p_x in (0.0, 1.0) or denominator <= 0:
        raise DegenerateTestError(
            f"the signs are constant (share up: actual {p_y:.3f}, forecast {p_x:.3f}), so "
            "the Pesaran-Timmermann statistic is undefined"
        )
    statistic = (hit_rate - p_star) / math.sqrt(denominator)
    return PesaranTimmermannResult(
        statistic=float(statistic),
        pvalue=float(stats.norm.sf(statistic)),
        hit_rate=hit_rate,
        n=n,
    )


@dataclass(frozen=True)
class DirectionVsAlwaysUpResult:
    """Result of :func:`direction_vs_always_up`.

    Attributes
    ----------
    hit_rate : float
        Share of days (0..1) on which the model's class (up / not up) is right.
    base_rate : float
        Hit rate of always forecasting "up" on the same days: the share of up days (0..1).
    difference : float
        ``hit_rate - base_rate``.
    n_model_only : int
        Days only the model gets right: it forecast "not up" and the day was not up.
    n_base_only : int
        Days only "always up" gets right: the model forecast "not up" on an up day.
    pvalue : float
        Exact McNemar (binomial) p-value for ``alternative``.
    n : int
        Number of days.
    alternative : str
        ``"greater"``, ``"less"`` or ``"two-sided"``.
    """

    hit_rate: float
    base_rate: float
    difference: float
    n_model_only: int
    n_base_only: int
    pvalue: float
    n: int
    alternative: str


def direction_vs_always_up(
    actual: object,
    forecast: object,
    *,
    atol: float | None = None,
    alternative: Literal["greater", "less", "two-sided"] = "greater",
) -> DirectionVsAlwaysUpResult:
    r"""Directional accuracy of a model against the always-up base rate (exact McNemar test).

    Classes as in :func:`pesaran_timmermann`: up (value > ``atol``) or not up. The model's hit
    :math:`m_t` and the always-up hit :math:`u_t = 1[y_t > 0]` are paired on each day. They
    differ only on days the model forecasts "not up": :math:`b` of those days were not up
    (the model right, always-up wrong), :math:`c` were up. Under H0 (equal hit rates) each of
    the :math:`b + c` discordant days is the model's with probability 1/2, so
    :math:`b \sim \mathrm{Binomial}(b + c, 1/2)`: McNemar's (1947) test in its exact form,
    with ``hit_rate - base_rate = (b - c) / n``. The default one-sided alternative is that
    the model has the higher hit rate; PT tests a different null (independence of signs),
    so report both.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Realised changes, e.g. log returns (only signs are used).
    forecast : array-like of float, shape (n,)
        Forecast changes for the same days.
    atol : float, optional
        Changes with ``|value| <= atol`` are not up; default as in :func:`pesaran_timmermann`.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        ``"greater"``: the model's hit rate exceeds the base rate.

    Returns
    -------
    DirectionVsAlwaysUpResult

    Raises
    ------
    DegenerateTestError
        When the model forecasts "up" on every day (``b + c = 0``): it *is* the always-up
        forecast and there is nothing to test.
    ValueError
        Empty, NaN/inf, different lengths or DatetimeIndexes, negative ``atol``, unknown
        ``alternative``.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika 12(2), 153-157.
    """
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(
            f"alternative must be 'greater', 'less' or 'two-sided'; got {alternative!r}"
        )
    _check_aligned({"actual": actual, "forecast": forecast})
    realised = _as_1d("actual", actual)
    predicted = _as_1d("forecast", forecast)
    if atol is None:
        atol = 1e-9 * float(np.max(np.abs(realised)))
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (units of the changes); got {atol!r}")
    up = realised > atol
    called_up = predicted > atol
    n = up.size
    model_only = int(np.sum(~called_up & ~up))
    base_only = int(np.sum(~called_up & up))
    if model_only + base_only == 0:
        raise DegenerateTestError(
            "the model forecasts 'up' on every day, so it is the always-up forecast and the "
            "comparison is undefined"
        )
    test = stats.binomtest(model_only, model_only + base_only, 0.5, alternative=alternative)
    hit_rate = float(np.mean(up == called_up))
    base_rate = float(np.mean(up))
    return DirectionVsAlwaysUpResult(
        hit_rate=hit_rate,
        base_rate=base_rate,
        difference=hit_rate - base_rate,
        n_model_only=model_only,
        n_base_only=base_only,
        pvalue=float(test.pvalue),
        n=n,
        alternative=alternative,
    )
