"""Multiplicity control: Holm's step-down adjustment of a family of p-values.

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal
of Statistics 6(2), 65-70.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["holm"]


def holm(pvalues: object) -> np.ndarray | pd.Series:
    r"""Holm (1979) step-down adjusted p-values; controls the family-wise error rate.

    With the :math:`m` non-missing p-values sorted ascending, :math:`p_{(1)} \le \dots \le
    p_{(m)}`,

    .. math::

        \tilde p_{(i)} = \max_{j \le i} \min\{1, (m - j + 1)\, p_{(j)}\},

    so rejecting every hypothesis with :math:`\tilde p \le \alpha` keeps the probability of
    any false rejection at most :math:`\alpha`, under any dependence between the tests. Same
    result as R's ``p.adjust(p, method = "holm")``, NaN included: a NaN (a test that is not
    applicable, e.g. a model against itself) stays NaN and does not count in :math:`m`.

    Parameters
    ----------
    pvalues : array-like of float, shape (m,), or pandas.Series
        One family of p-values (e.g. one test over instruments x models), each in [0, 1] or
        NaN.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values in the input order (a Series keeps its index and name).

    Raises
    ------
    ValueError
        Not one-dimensional, non-numeric, infinite, or outside [0, 1].
    """
    try:
        p = np.asarray(pvalues, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"pvalues must be numeric: {exc}") from exc
    if p.ndim != 1:
        raise ValueError(f"pvalues must be one-dimensional; got shape {p.shape}")
    known = ~np.isnan(p)
    if np.any((p[known] < 0.0) | (p[known] > 1.0)):
        bad = p[known][(p[known] < 0.0) | (p[known] > 1.0)]
        raise ValueError(f"p-values must lie in [0, 1] (or be NaN); got {bad[:5].tolist()}")
    adjusted = np.full(p.shape, np.nan)
    m = int(known.sum())
    if m:
        positions = np.flatnonzero(known)
        order = np.argsort(p[known], kind="stable")
        scaled = np.minimum(1.0, (m - np.arange(m)) * p[known][order])
        adjusted[positions[order]] = np.maximum.accumulate(scaled)
    if isinstance(pvalues, pd.Series):
        return pd.Series(adjusted, index=pvalues.index, name=pvalues.name)
    return adjusted
