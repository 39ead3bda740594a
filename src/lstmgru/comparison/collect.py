"""Everything the comparison chapter and the conclusion rest on, computed once: :class:`Evidence`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from lstmgru.comparison.evidence import collect_evidence
from lstmgru.comparison.pooled import pooled_hybrid_tests, pooled_random_walk_tests, spa_table
from lstmgru.runs import StoredResult

__all__ = ["Evidence", "gather_evidence"]


@dataclass(frozen=True)
class Evidence:
    """The statistical evidence of a run.

    Attributes
    ----------
    scores : pandas.DataFrame
        Per (ticker, model): :func:`lstmgru.comparison.collect_evidence`.
    pooled : pandas.DataFrame
        Per model, against the random walk across instruments:
        :func:`lstmgru.comparison.pooled_random_walk_tests`.
    pooled_hybrid : pandas.DataFrame
        Per rival, the hybrid against it across instruments:
        :func:`lstmgru.comparison.pooled_hybrid_tests`.
    spa : pandas.DataFrame
        Hansen's SPA per instrument and pooled: :func:`lstmgru.comparison.spa_table`.
    alpha, power : float
        Level of the tests and power of the minimum detectable effects.
    mcs_size : float
        Size of the model confidence set (its level is ``1 - mcs_size``).
    """

    scores: pd.DataFrame
    pooled: pd.DataFrame
    pooled_hybrid: pd.DataFrame
    spa: pd.DataFrame
    alpha: float
    power: float
    mcs_size: float = 0.10


def gather_evidence(
    results: Mapping[str, StoredResult],
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    mcs_reps: int = 1000,
    spa_reps: int = 1000,
    seed: int = 0,
) -> Evidence:
    """Compute the :class:`Evidence` of a run from its stored forecasts.

    Parameters
    ----------
    results : mapping of str to StoredResult
        Ticker -> stored result (``lstmgru.runs.load_run(...).results``), in run order.
    alpha : float, default 0.05
        Level of the tests (strictly between 0 and 1).
    power : float, default 0.8
        Power of the minimum detectable effects.
    mcs_reps, spa_reps : int, default 1000
        Bootstrap replications of the model confidence sets and of the SPA tests.
    seed : int, default 0
        Seed of every bootstrap.

    Returns
    -------
    Evidence

    Raises
    ------
    ValueError
        A bad ``alpha`` or ``power``, or as :func:`lstmgru.comparison.collect_evidence`.
    """
    for name, value in (("alpha", alpha), ("power", power)):
        if not isinstance(value, int | float) or not 0.0 < value < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return Evidence(
        scores=collect_evidence(results, mcs_reps=mcs_reps, seed=seed, alpha=alpha, power=power),
        pooled=pooled_random_walk_tests(results, alpha=alpha, power=power),
        pooled_hybrid=pooled_hybrid_tests(results),
        spa=spa_table(results, reps=spa_reps, seed=seed),
        alpha=float(alpha),
        power=float(power),
    )
