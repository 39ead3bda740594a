"""Shared conventions of :mod:`lstmgru.evaluation`: tolerances, the not-applicable error and
input validation. See the package docstring for the conventions these implement."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "LOSS_ATOL",
    "LOSS_RTOL",
    "PREVIOUS_METRICS",
    "PRICE_METRICS",
    "PRICE_RTOL",
    "TRAIN_METRICS",
    "Alternative",
    "DegenerateTestError",
    "Undefined",
    "newey_west_lags",
]

#: Metrics that :func:`metrics` always returns.
PRICE_METRICS: tuple[str, ...] = ("rmse", "mae", "mape", "smape")
#: Metrics that need the training prices (``train=``) and the previous prices (``previous=``).
TRAIN_METRICS: tuple[str, ...] = ("mase",)
#: Metrics that need the previous day's prices (``previous=``).
PREVIOUS_METRICS: tuple[str, ...] = (
    "theil_u2",
    "directional_accuracy",
    "mse_return",
    "rmse_return",
    "mae_return",
    "r2_oos",
)

Alternative = Literal["two-sided", "less", "greater"]
Undefined = Literal["raise", "nan"]

#: Prices (or price moves) within this fraction of the price are equal: rounding, not a move.
#: float64 resolves about 2e-16 of a price; a tick is 1e-8 of the price or more.
PRICE_RTOL = 1e-12
#: Relative tolerance of equal losses: ``|a - b| <= LOSS_RTOL * max(|a|, |b|) + atol``.
LOSS_RTOL = 1e-9
#: Absolute tolerance of equal losses, as a multiple of the mean absolute loss (loss units).
LOSS_ATOL = 1e-12


class DegenerateTestError(ValueError):
    """The test statistic is undefined for these data (e.g. identical losses)."""


# ---------------------------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------------------------


def _as_1d(name: str, values: object, *, min_length: int = 1) -> np.ndarray:
    """Return ``values`` as a finite float64 vector or raise a ValueError naming ``name``."""
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{name} must be one-dimensional; got a DataFrame with {values.shape[1]} "
                "columns (pass a single column)"
            )
        values = values.iloc[:, 0]
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; need at least {min_length} value(s)")
    if array.size < min_length:
        raise ValueError(f"{name} has {array.size} value(s); need at least {min_length}")
    bad = ~np.isfinite(array)
    if bad.any():
        positions = np.flatnonzero(bad)
        shown = ", ".join(str(p) for p in positions[:5]) + (", ..." if positions.size > 5 else "")
        raise ValueError(
            f"{name} contains {positions.size} NaN or infinite value(s) at position(s) "
            f"{shown}; drop or fill them before scoring"
        )
    return array


def _check_aligned(named: Mapping[str, object]) -> None:
    """Raise if the inputs differ in length or carry different DatetimeIndexes."""
    present = {k: v for k, v in named.items() if v is not None}
    # scalars and other shapeless inputs are left to _as_1d, which names them
    lengths = {k: np.shape(v)[0] for k, v in present.items() if np.ndim(v) >= 1}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k}={n}" for k, n in lengths.items())
        raise ValueError(f"inputs must have the same length; got {listed}")
    dated = {
        k: v.index
        for k, v in present.items()
        if isinstance(v, pd.Series | pd.DataFrame) and isinstance(v.index, pd.DatetimeIndex)
    }
    names = list(dated)
    for other in names[1:]:
        if not dated[names[0]].equals(dated[other]):
            raise ValueError(
                f"{names[0]} and {other} have different DatetimeIndexes (first dates "
                f"{dated[names[0]][0].date()} and {dated[other][0].date()}); align them, "
                "e.g. with forecast.reindex(actual.index), before scoring"
            )


def _loss_scale(*losses: np.ndarray) -> float:
    """Mean absolute loss over all values (loss units): the scale of :data:`LOSS_ATOL`."""
    return float(np.mean(np.abs(np.concatenate(losses))))


def _within(gap: np.ndarray, a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    return bool(np.all(np.abs(gap) <= atol + LOSS_RTOL * np.maximum(np.abs(a), np.abs(b))))


def _equal_losses(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    """``a`` and ``b`` agree to within rounding (see the module conventions)."""
    return _within(a - b, a, b, atol)


def _constant_differential(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    """The loss differential ``a - b`` is constant (zero variance) up to rounding."""
    d = a - b
    return _within(d - np.mean(d), a, b, atol)


def _moves(change: np.ndarray, level: np.ndarray | float) -> np.ndarray:
    """Sign of each price change, 0 where ``|change| <= PRICE_RTOL * level`` (rounding)."""
    return np.where(np.abs(change) <= PRICE_RTOL * np.abs(level), 0.0, np.sign(change))


def _require_positive(name: str, values: np.ndarray, why: str) -> None:
    if (values <= 0).any():
        count = int((values <= 0).sum())
        raise ValueError(
            f"{name} has {count} non-positive value(s); {why} needs strictly positive prices"
        )


def _newey_west_long_run_variance(values: np.ndarray, lags: int) -> float:
    r"""Newey-West (Bartlett kernel) long-run variance of ``values`` (units of ``values`` squared).

    :math:`\hat\gamma_0 + 2 \sum_{k=1}^{L} (1 - k/(L+1)) \hat\gamma_k`, with sample
    autocovariances :math:`\hat\gamma_k` of the centred values (divisor ``n``). Equal to
    ``n * sandwich::NeweyWest(lm(values ~ 1), lag = L, prewhite = FALSE)`` in R.
    """
    n = values.size
    centred = values - np.mean(values)
    total = float(np.dot(centred, centred)) / n
    for k in range(1, lags + 1):
        total += 2.0 * (1.0 - k / (lags + 1)) * float(np.dot(centred[k:], centred[: n - k])) / n
    return total


def _check_lags(lags: object, n: int) -> int:
    if not isinstance(lags, int | np.integer) or isinstance(lags, bool) or lags < 0:
        raise ValueError(f"lags must be an integer >= 0 (days); got {lags!r}")
    if lags >= n:
        raise ValueError(f"lags={lags} is too large for n={n} days; need lags < n")
    return int(lags)


def newey_west_lags(n: int) -> int:
    r"""Default HAC truncation lag for ``n`` daily observations (days).

    :math:`L = \lfloor 4 (n/100)^{2/9} \rfloor`, the Newey & West (1994) rule of thumb for the
    Bartlett kernel (Review of Economic Studies 61(4), 631-653); e.g. 4 for 250 days, 5 for
    490 days, 8 for 2,500 days.
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be an integer >= 1 (days); got {n!r}")
    return math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))
