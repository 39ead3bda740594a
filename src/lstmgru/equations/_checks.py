"""Shared input handling of the NumPy twins: float64 conversion and shape checks.

Every twin converts its inputs with :func:`_as_float` and checks the Keras weight layout
(described in :mod:`lstmgru.equations`) with :func:`_units` before any arithmetic, so that a
wrong shape raises a ``ValueError`` naming the expected one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["FloatArray"]

FloatArray = NDArray[np.float64]


def _as_float(a: ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)


def _units(
    kernel: FloatArray, recurrent_kernel: FloatArray, n_gates: int, cell: str
) -> tuple[int, int]:
    """Return ``(n_inputs, units)`` after checking the Keras weight layout of ``cell``."""
    if (
        recurrent_kernel.ndim != 2
        or recurrent_kernel.shape[1] != n_gates * recurrent_kernel.shape[0]
    ):
        raise ValueError(
            f"{cell} recurrent_kernel must have shape (m, {n_gates} m); got {recurrent_kernel.shape}"
        )
    m = recurrent_kernel.shape[0]
    if kernel.ndim != 2 or kernel.shape[1] != n_gates * m:
        raise ValueError(
            f"{cell} kernel must have shape (n, {n_gates} m) = (n, {n_gates * m}); got {kernel.shape}"
        )
    return kernel.shape[0], m


def _check_bias(bias: FloatArray, expected: tuple[int, ...], cell: str, hint: str = "") -> None:
    if bias.shape != expected:
        raise ValueError(f"{cell} bias must have shape {expected}; got {bias.shape}{hint}")


def _check_positive_int(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")


def _check_sequence(x: FloatArray, n_inputs: int, cell: str) -> None:
    if x.ndim != 3 or x.shape[2] != n_inputs:
        raise ValueError(
            f"{cell} input must have shape (batch, T, n) with n = {n_inputs}; got {x.shape}"
        )
