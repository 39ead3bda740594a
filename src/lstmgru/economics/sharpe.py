"""Ledoit & Wolf (2008) test of equal Sharpe ratios of two return series.

References
----------
Ledoit, O. & Wolf, M. (2008). Robust performance hypothesis testing with the Sharpe ratio.
Journal of Empirical Finance 15(5), 850-859. doi:10.1016/j.jempfin.2008.03.002
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3), 703-708. doi:10.2307/1913610
Politis, D. N. & Romano, J. P. (1992). A circular block-resampling procedure for stationary
data. In LePage & Billard (eds.), Exploring the Limits of Bootstrap, Wiley, 263-270.
Politis, D. N. & Romano, J. P. (1994). The stationary bootstrap. JASA 89(428), 1303-1313.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from lstmgru.evaluation._common import (
    PRICE_RTOL,
    DegenerateTestError,
    _as_1d,
    _check_aligned,
    _check_lags,
    newey_west_lags,
)

__all__ = ["SharpeDifferenceResult", "sharpe_difference_test"]


@dataclass(frozen=True)
class SharpeDifferenceResult:
    """Result of :func:`sharpe_difference_test`.

    Attributes
    ----------
    sharpe_a, sharpe_b : float
        Per-period (daily, not annualised) Sharpe ratios at a zero risk-free rate: mean over
        standard deviation with divisor n. Multiply by :math:`\\sqrt{252}` to annualise.
    difference : float
        ``sharpe_a - sharpe_b`` (per period).
    se : float
        Delta-method standard error of ``difference`` with the Newey-West covariance (per
        period).
    statistic : float
        ``difference / se``, approximately standard normal under H0; positive when series A
        has the higher Sharpe ratio.
    pvalue : float
        Two-sided p-value of H0: equal Sharpe ratios; normal (``"hac"``) or studentised
        bootstrap (``"bootstrap"``).
    method : str
        ``"hac"`` or ``"bootstrap"``.
    lags : int
        Newey-West truncation lag of ``se`` (days).
    block_size : int or None
        Bootstrap block length (days; mean length for the stationary bootstrap); None for
        ``"hac"``.
    reps : int or None
        Bootstrap replications; None for ``"hac"``.
    n : int
        Number of days.
    """

    sharpe_a: float
    sharpe_b: float
    difference: float
    se: float
    statistic: float
    pvalue: float
    method: str
    lags: int
    block_size: int | None
    reps: int | None
    n: int


def _moments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The moment series :math:`(a_t, b_t, a_t^2, b_t^2)`, shape (n, 4)."""
    return np.column_stack([a, b, a * a, b * b])


def _difference_and_gradient(means: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """Sharpe ratios, their difference and its gradient in :math:`(\\mu_a, \\mu_b, \\gamma_a,
    \\gamma_b)`."""
    mu_a, mu_b, gamma_a, gamma_b = means
    var_a = gamma_a - mu_a * mu_a
    var_b = gamma_b - mu_b * mu_b
    sr_a = mu_a / math.sqrt(var_a)
    sr_b = mu_b / math.sqrt(var_b)
    gradient = np.array(
        [
            gamma_a / var_a**1.5,
            -gamma_b / var_b**1.5,
            -mu_a / (2.0 * var_a**1.5),
            mu_b / (2.0 * var_b**1.5),
        ]
    )
    return sr_a, sr_b, sr_a - sr_b, gradient


def _bartlett_covariance(moments: np.ndarray, lags: int) -> np.ndarray:
    """Newey-West long-run covariance of the columns (Bartlett weights, divisor n)."""
    n = moments.shape[0]
    centred = moments - moments.mean(axis=0)
    psi = centred.T @ centred / n
    for k in range(1, lags + 1):
        gamma = centred[k:].T @ centred[: n - k] / n
        psi += (1.0 - k / (lags + 1)) * (gamma + gamma.T)
    return psi


def _batch_covariance(moments: np.ndarray, block_size: int) -> np.ndarray:
    """Long-run covariance from sums over consecutive blocks (Ledoit & Wolf 2008, eq. 9)."""
    blocks = moments.shape[0] // block_size
    centred = moments[: blocks * block_size] - moments.mean(axis=0)
    zeta = centred.reshape(blocks, block_size, -1).sum(axis=1) / math.sqrt(block_size)
    return zeta.T @ zeta / blocks


def _se(gradient: np.ndarray, psi: np.ndarray, n: int) -> float:
    return math.sqrt(max(float(gradient @ psi @ gradient), 0.0) / n)


def _check_positive_int(name: str, value: object, upper: int | None = None) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}")
    if upper is not None and value > upper:
        raise ValueError(f"{name}={value} is too large; need at most {upper} (n days)")
    return int(value)


def sharpe_difference_test(
    returns_a: object,
    returns_b: object,
    method: Literal["hac", "bootstrap"] = "hac",
    *,
    lags: int | None = None,
    block_size: int | None = None,
    bootstrap: Literal["circular", "stationary"] = "circular",
    reps: int = 4999,
    seed: int | np.random.Generator | None = 0,
) -> SharpeDifferenceResult:
    """Ledoit & Wolf (2008) test of H0: equal Sharpe ratios of two return series.

    The returns :math:`a_t, b_t` are observed on the same :math:`n` days and may be
    correlated with each other, serially correlated and heteroskedastic. With the sample
    moments :math:`\\hat v = (\\hat\\mu_a, \\hat\\mu_b, \\hat\\gamma_a, \\hat\\gamma_b)`,
    :math:`\\gamma = E[x^2]`, the difference of Sharpe ratios (zero risk-free rate) is

    .. math::

        \\hat\\Delta = f(\\hat v) = \\frac{\\hat\\mu_a}{\\sqrt{\\hat\\gamma_a - \\hat\\mu_a^2}}
        - \\frac{\\hat\\mu_b}{\\sqrt{\\hat\\gamma_b - \\hat\\mu_b^2}}, \\qquad
        \\mathrm{se}(\\hat\\Delta) = \\sqrt{\\nabla f(\\hat v)^\\top \\hat\\Psi\\,
        \\nabla f(\\hat v) / n},

    where :math:`\\hat\\Psi` is the Newey-West (1987) long-run covariance of
    :math:`(a_t, b_t, a_t^2, b_t^2)`: Bartlett weights :math:`1 - k/(L+1)`, ``lags`` = L,
    divisor :math:`n`, no prewhitening, and without the small-sample factor
    :math:`n/(n-4)` of Ledoit & Wolf (2008) (their prewhitened quadratic-spectral kernel is
    not used either). It equals ``sandwich::NeweyWest(lm(cbind(a, b, a^2, b^2) ~ 1), lag =
    L, prewhite = FALSE, adjust = FALSE)`` times :math:`n` in R.

    * ``method="hac"``: :math:`z = \\hat\\Delta / \\mathrm{se}`, two-sided normal p-value.
    * ``method="bootstrap"``: the studentised block bootstrap of Ledoit & Wolf (2008,
      section 3.2). Day pairs :math:`(a_t, b_t)` are resampled jointly in blocks with
      ``arch.bootstrap.CircularBlockBootstrap`` (block length ``block_size``) or
      ``StationaryBootstrap`` (mean block length ``block_size``); each resample gives
      :math:`\\hat\\Delta^*` and its standard error :math:`\\mathrm{se}^*` from the block
      sums of the centred resampled moments, :math:`\\hat\\Psi^* = l^{-1} \\sum_{j=1}^{l}
      \\zeta_j \\zeta_j^\\top`, :math:`\\zeta_j = b^{-1/2} \\sum_{t \\in \\text{block } j}
      y^*_t` over the :math:`l = \\lfloor n/b \\rfloor` consecutive blocks of length
      :math:`b` (their eq. 9; for the circular bootstrap these are exactly the resampled
      blocks). The p-value is :math:`(\\#\\{m : |\\hat\\Delta^*_m - \\hat\\Delta| /
      \\mathrm{se}^*_m \\ge |\\hat\\Delta| / \\mathrm{se}\\} + 1) / (M + 1)` with :math:`M` =
      ``reps`` (their Remark 3.2). A resample whose returns are constant (undefined
      :math:`\\mathrm{se}^*`) counts as at least as extreme, which errs on the conservative
      side. ``se`` and ``statistic`` of the result are the HAC ones.

    Parameters
    ----------
    returns_a, returns_b : array-like of float, shape (n,), or pandas.Series
        Simple returns of the two strategies on the same days (fractions), e.g. the ``net``
        column of :func:`strategy_returns`.
    method : {"hac", "bootstrap"}, default "hac"
        Reference distribution of the statistic.
    lags : int, optional
        Newey-West truncation lag (days); default :func:`~lstmgru.evaluation.newey_west_lags`
        of ``n`` (e.g. 4 for 250 days).
    block_size : int, optional
        Bootstrap block length (days), 1 <= ``block_size`` <= n; default
        :math:`\\lceil n^{1/3} \\rceil` (e.g. 7 for 250 days). Ledoit & Wolf choose it by
        calibration; the block length of the order :math:`n^{1/3}` is the usual rate.
    bootstrap : {"circular", "stationary"}, default "circular"
        Block scheme of ``method="bootstrap"``.
    reps : int, default 4999
        Bootstrap replications.
    seed : int or numpy.random.Generator, optional, default 0
        Seed of the bootstrap; the same seed gives the same p-value.

    Returns
    -------
    SharpeDifferenceResult

    Raises
    ------
    DegenerateTestError
        A series is constant (its Sharpe ratio is undefined), the two series are identical,
        or the standard error is zero.
    ValueError
        Fewer than two days, NaN or infinite values, different lengths or DatetimeIndexes,
        unknown ``method`` or ``bootstrap``, bad ``lags``, ``block_size`` or ``reps``.
    """
    if method not in ("hac", "bootstrap"):
        raise ValueError(f"method must be 'hac' or 'bootstrap'; got {method!r}")
    if bootstrap not in ("circular", "stationary"):
        raise ValueError(f"bootstrap must be 'circular' or 'stationary'; got {bootstrap!r}")
    _check_aligned({"returns_a": returns_a, "returns_b": returns_b})
    a = _as_1d("returns_a", returns_a, min_length=2)
    b = _as_1d("returns_b", returns_b, min_length=2)
    n = a.size
    lags = _check_lags(newey_west_lags(n) if lags is None else lags, n)
    for name, values in (("returns_a", a), ("returns_b", b)):
        if np.ptp(values) <= PRICE_RTOL:
            raise DegenerateTestError(
                f"{name} is constant (e.g. a strategy that never holds a position), so its "
                "standard deviation is zero and its Sharpe ratio is undefined"
            )
    if np.all(np.abs(a - b) <= PRICE_RTOL):
        raise DegenerateTestError(
            "returns_a and returns_b are identical, so the difference of their Sharpe ratios "
            "is zero with zero variance and the test is undefined"
        )
    moments = _moments(a, b)
    sr_a, sr_b, difference, gradient = _difference_and_gradient(moments.mean(axis=0))
    se = _se(gradient, _bartlett_covariance(moments, lags), n)
    if not se > 1e-12 * max(abs(sr_a), abs(sr_b), 1e-3):
        raise DegenerateTestError(
            "the standard error of the Sharpe-ratio difference is zero (the two series move "
            "in lockstep), so the test is undefined"
        )
    statistic = difference / se
    if method == "hac":
        pvalue = float(2.0 * stats.norm.sf(abs(statistic)))
        return SharpeDifferenceResult(
            sr_a, sr_b, difference, se, statistic, pvalue, "hac", lags, None, None, n
        )

    from arch.bootstrap import CircularBlockBootstrap, StationaryBootstrap

    block = _check_positive_int(
        "block_size", math.ceil(n ** (1.0 / 3.0)) if block_size is None else block_size, n
    )
    reps = _check_positive_int("reps", reps)
    scheme = CircularBlockBootstrap if bootstrap == "circular" else StationaryBootstrap
    resampler = scheme(block, np.arange(n), seed=seed)
    threshold = abs(statistic)
    extreme = 0
    for _ in range(reps):
        sample = moments[resampler.update_indices()]
        if np.ptp(sample[:, 0]) <= PRICE_RTOL or np.ptp(sample[:, 1]) <= PRICE_RTOL:
            extreme += 1
            continue
        _, _, diff_star, grad_star = _difference_and_gradient(sample.mean(axis=0))
        se_star = _se(grad_star, _batch_covariance(sample, block), n)
        if se_star <= 0.0 or abs(diff_star - difference) >= threshold * se_star:
            extreme += 1
    pvalue = (extreme + 1) / (reps + 1)
    return SharpeDifferenceResult(
        sr_a, sr_b, difference, se, statistic, pvalue, "bootstrap", lags, block, reps, n
    )
