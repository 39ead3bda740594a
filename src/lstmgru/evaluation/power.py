r"""Power of forecast-comparison tests: the smallest effect a test of given length can detect.

A Diebold-Mariano or Clark-West test of a model M against a benchmark B runs on the loss
differential :math:`d_t = L_{B,t} - L_{M,t}` (e.g. squared log-return errors). Its statistic is
:math:`\sqrt n\, \bar d / \sigma_d`, with :math:`\sigma_d^2` the long-run (HAC) variance of
:math:`d_t`. The approximation used throughout this module: the statistic is normal with unit
variance and mean :math:`\sqrt n\, \mu / \sigma_d`, where :math:`\mu = E[d_t]`, and
:math:`\sigma_d` is known (estimated, in practice, by the Newey-West variance). Then a one-sided
test of size :math:`\alpha` has power :math:`1 - \beta` when

.. math::

    \delta = \mu / \sigma_d = (z_{1-\alpha} + z_{1-\beta}) / \sqrt n,

(two-sided: :math:`z_{1-\alpha/2}` in place of :math:`z_{1-\alpha}`, the far tail neglected).
With squared-error losses, :math:`\mu = \mathrm{MSE}_B - \mathrm{MSE}_M`, so the out-of-sample
:math:`R^2 = 1 - \mathrm{MSE}_M / \mathrm{MSE}_B` (Campbell & Thompson 2008) that the test
detects is :math:`R^2_{\min} = \delta\, \sigma_d / \mathrm{MSE}_B` and the relative MSE is
:math:`1 - R^2_{\min}`. The ratio :math:`\sigma_d / \mathrm{MSE}_B` (``sd_ratio``) depends on
the models and the data; :func:`loss_differential_sd_ratio` estimates it from the losses.

References
----------
Campbell, J. Y. & Thompson, S. B. (2008). Predicting excess stock returns out of sample.
Review of Financial Studies 21(4), 1509-1531.
Newey, W. K. & West, K. D. (1987). Econometrica 55(3), 703-708.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from lstmgru.evaluation._common import (
    _as_1d,
    _check_aligned,
    _check_lags,
    _newey_west_long_run_variance,
    newey_west_lags,
)

__all__ = [
    "MinimumDetectableEffect",
    "loss_differential_sd_ratio",
    "minimum_detectable_effect",
    "pooled_minimum_detectable_effect",
]


@dataclass(frozen=True)
class MinimumDetectableEffect:
    """Result of :func:`minimum_detectable_effect` and :func:`pooled_minimum_detectable_effect`.

    Attributes
    ----------
    n_effective : float
        Number of independent-equivalent days behind the test (days).
    standardized_effect : float
        :math:`\\delta = \\mu / \\sigma_d`, dimensionless.
    r2_oos : float
        Smallest out-of-sample :math:`R^2` detected with the stated power (dimensionless;
        0.01 is 1 %).
    relative_mse : float
        ``1 - r2_oos``: the model's MSE relative to the benchmark's at that effect.
    alpha, power : float
        Size and power of the test.
    one_sided : bool
        Whether the test is one-sided (Clark-West) or two-sided (DM).
    sd_ratio : float
        :math:`\\sigma_d / \\mathrm{MSE}_B` used.
    """

    n_effective: float
    standardized_effect: float
    r2_oos: float
    relative_mse: float
    alpha: float
    power: float
    one_sided: bool
    sd_ratio: float


def _check_probability(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be a number in (0, 1); got {value!r}")
    return float(value)


def _effect(
    n_effective: float, alpha: float, power: float, sd_ratio: float, one_sided: bool
) -> MinimumDetectableEffect:
    alpha = _check_probability("alpha", alpha)
    power = _check_probability("power", power)
    if isinstance(sd_ratio, bool) or not isinstance(sd_ratio, int | float) or not sd_ratio > 0:
        raise ValueError(
            "sd_ratio must be > 0 (long-run sd of the loss differential over the benchmark's "
            f"mean loss; see loss_differential_sd_ratio); got {sd_ratio!r}"
        )
    z_alpha = stats.norm.isf(alpha if one_sided else alpha / 2.0)
    delta = (z_alpha + stats.norm.ppf(power)) / math.sqrt(n_effective)
    r2 = delta * float(sd_ratio)
    return MinimumDetectableEffect(
        n_effective=float(n_effective),
        standardized_effect=float(delta),
        r2_oos=float(r2),
        relative_mse=float(1.0 - r2),
        alpha=alpha,
        power=power,
        one_sided=bool(one_sided),
        sd_ratio=float(sd_ratio),
    )


def minimum_detectable_effect(
    n: int,
    *,
    sd_ratio: float,
    alpha: float = 0.05,
    power: float = 0.8,
    one_sided: bool = True,
) -> MinimumDetectableEffect:
    r"""Smallest out-of-sample :math:`R^2` a DM or CW test over ``n`` days detects.

    :math:`\delta = (z_{1-\alpha} + z_{\mathrm{power}})/\sqrt n` and
    :math:`R^2_{\min} = \delta \cdot` ``sd_ratio`` (see the module docstring for the normal
    approximation with a known HAC variance). E.g. ``n = 490``, ``alpha = 0.05`` one-sided,
    80 % power: :math:`\delta = 0.1123`; with ``sd_ratio = 0.5`` the test detects an
    :math:`R^2_{OS}` of 5.6 %, i.e. a relative MSE of 0.944.

    Parameters
    ----------
    n : int
        Test length in days (>= 2).
    sd_ratio : float
        Long-run standard deviation of the loss differential over the benchmark's mean loss,
        :math:`\sigma_d / \mathrm{MSE}_B` (dimensionless, > 0); see
        :func:`loss_differential_sd_ratio`.
    alpha : float, default 0.05
        Size of the test.
    power : float, default 0.8
        Required power.
    one_sided : bool, default True
        One-sided (Clark-West, "the model beats the benchmark") or two-sided (DM).

    Returns
    -------
    MinimumDetectableEffect

    Raises
    ------
    ValueError
        ``n < 2``, ``alpha`` or ``power`` outside (0, 1), ``sd_ratio <= 0``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n must be an integer >= 2 (days); got {n!r}")
    return _effect(float(n), alpha, power, sd_ratio, one_sided)


def pooled_minimum_detectable_effect(
    n_days: int,
    n_instruments: int,
    *,
    mean_correlation: float,
    sd_ratio: float,
    alpha: float = 0.05,
    power: float = 0.8,
    one_sided: bool = False,
) -> MinimumDetectableEffect:
    r"""Smallest common out-of-sample :math:`R^2` the pooled test (:func:`pooled_dm`) detects.

    Assumes every instrument has the same effect :math:`\mu`, the same long-run variance
    :math:`\sigma_d^2` and an average pairwise correlation :math:`\bar\rho` of the loss
    differentials on the same day. The cross-sectional mean of :math:`N` differentials then
    has variance :math:`\sigma_d^2 (1 + (N-1)\bar\rho) / N`, so the test behaves like a
    single-instrument test over

    .. math::

        n_{\mathrm{eff}} = T \, N / (1 + (N - 1)\bar\rho)

    days, and :func:`minimum_detectable_effect` applies with :math:`n_{\mathrm{eff}}`.
    :math:`\bar\rho = 0` multiplies the days by :math:`N`; :math:`\bar\rho = 1` gains nothing.

    Parameters
    ----------
    n_days : int
        Days in the pooled test (>= 2).
    n_instruments : int
        Instruments pooled (>= 1).
    mean_correlation : float
        Average pairwise correlation of the instruments' loss differentials, in
        :math:`[-1/(N-1), 1]`.
    sd_ratio, alpha, power : float
        As in :func:`minimum_detectable_effect`.
    one_sided : bool, default False
        The pooled DM test is two-sided by default.

    Returns
    -------
    MinimumDetectableEffect

    Raises
    ------
    ValueError
        Counts out of range, ``mean_correlation`` outside its range, or as
        :func:`minimum_detectable_effect`.
    """
    for name, value, least in (("n_days", n_days, 2), ("n_instruments", n_instruments, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ValueError(f"{name} must be an integer >= {least}; got {value!r}")
    lowest = -1.0 / (n_instruments - 1) if n_instruments > 1 else -math.inf
    if not isinstance(mean_correlation, int | float) or not lowest <= mean_correlation <= 1.0:
        raise ValueError(
            f"mean_correlation must lie in [{lowest:.3g}, 1] for {n_instruments} instruments; "
            f"got {mean_correlation!r}"
        )
    design = 1.0 + (n_instruments - 1) * float(mean_correlation)
    if design <= 0.0:
        raise ValueError(
            f"mean_correlation={mean_correlation} makes the pooled variance zero; "
            "the effective sample size is unbounded"
        )
    return _effect(n_days * n_instruments / design, alpha, power, sd_ratio, one_sided)


def loss_differential_sd_ratio(
    losses_benchmark: object, losses_model: object, *, lags: int | None = None
) -> float:
    r"""Estimate ``sd_ratio`` :math:`= \hat\sigma_d / \overline{L_B}` from observed losses.

    :math:`\hat\sigma_d^2` is the Newey-West long-run variance (Bartlett kernel, ``lags``
    lags) of :math:`d_t = L_{B,t} - L_{M,t}`, :math:`\overline{L_B}` the benchmark's mean
    loss.

    Parameters
    ----------
    losses_benchmark, losses_model : array-like of float, shape (n,)
        Per-day losses (e.g. squared log-return errors), same units.
    lags : int, optional
        Newey-West lag in days; default :math:`\lfloor 4 (n/100)^{2/9} \rfloor`.

    Returns
    -------
    float
        Dimensionless ratio, >= 0.

    Raises
    ------
    ValueError
        Bad input, or a benchmark mean loss that is not positive.
    """
    _check_aligned({"losses_benchmark": losses_benchmark, "losses_model": losses_model})
    benchmark = _as_1d("losses_benchmark", losses_benchmark, min_length=2)
    model = _as_1d("losses_model", losses_model, min_length=2)
    mean_loss = float(np.mean(benchmark))
    if not mean_loss > 0.0:
        raise ValueError(f"the benchmark's mean loss must be > 0; got {mean_loss!r}")
    lags = _check_lags(newey_west_lags(benchmark.size) if lags is None else lags, benchmark.size)
    variance = _newey_west_long_run_variance(benchmark - model, lags)
    return math.sqrt(max(variance, 0.0)) / mean_loss
