r"""Gate activation of the recurrent cells: the logistic function :math:`\sigma`."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray

__all__ = ["sigmoid"]


def sigmoid(a: ArrayLike) -> FloatArray:
    r"""Logistic function :math:`\sigma(a) = 1 / (1 + e^{-a})`, the gate activation.

    Evaluated as :math:`\tfrac12 (1 + \tanh(a/2))`, which is algebraically identical and does
    not overflow for large :math:`|a|`. The symmetry :math:`1 - \sigma(a) = \sigma(-a)` is
    what relates the GRU update-gate conventions of Cho et al. and Chung et al. (``eq:gru-relabel``).

    Parameters
    ----------
    a : array_like
        Pre-activation, dimensionless.

    Returns
    -------
    numpy.ndarray
        Values in :math:`(0, 1)`, same shape as ``a``, float64.
    """
    a = np.asarray(a, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * a))
