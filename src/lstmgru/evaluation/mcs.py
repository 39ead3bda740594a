"""Bootstrap comparisons of many models: the Model Confidence Set and the SPA test.

References
----------
Hansen, P. R., Lunde, A. & Nason, J. M. (2011). The model confidence set. Econometrica 79(2),
453-497.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from lstmgru.evaluation._common import (
    LOSS_ATOL,
    DegenerateTestError,
    _as_1d,
    _constant_differential,
    _equal_losses,
    _loss_scale,
)

__all__ = ["ModelConfidenceSetResult", "SPAResult", "model_confidence_set", "spa_test"]


@dataclass(frozen=True)
class ModelConfidenceSetResult:
    """Result of :func:`model_confidence_set`.

    Attributes
    ----------
    included : tuple of str
        Models in the MCS at level ``1 - size`` (in the input's column order); empty when
        the MCS is not applicable (``note``).
    excluded : tuple of str
        Models eliminated (in the input's column order); empty when not applicable.
    pvalues : pandas.Series
        MCS p-value per model, indexed by model in the input's column order; a model is in
        the set when its p-value is > ``size`` (as in ``arch``). Models with identical
        losses (to within rounding) share one p-value. All NaN when not applicable.
    size : float
        Test size used.
    note : str
        Empty when the MCS was computed; otherwise why it is not applicable (e.g. every
        model has the same losses), in which case no model is in or out of the set.
    """

    included: tuple[str, ...]
    excluded: tuple[str, ...]
    pvalues: pd.Series
    size: float
    note: str = ""

    @property
    def applicable(self) -> bool:
        """Whether the MCS was computed (``note`` is empty)."""
        return not self.note


def model_confidence_set(
    losses: pd.DataFrame,
    size: float = 0.10,
    *,
    reps: int = 1000,
    block_size: int | None = None,
    seed: int = 0,
    method: Literal["R", "max"] = "R",
    bootstrap: Literal["stationary", "circular", "moving block"] = "stationary",
    atol: float = 0.0,
) -> ModelConfidenceSetResult:
    """Model Confidence Set of Hansen, Lunde & Nason (2011), via ``arch.bootstrap.MCS``.

    Parameters
    ----------
    losses : pandas.DataFrame, shape (n, k)
        Per-day losses (e.g. squared price errors, currency units squared), one column per
        model, k >= 2, no NaN.
    size : float, default 0.10
        Test size in (0, 1); the set has coverage ``1 - size``.
    reps : int, default 1000
        Bootstrap replications.
    block_size : int, optional
        Mean block length of the bootstrap, in days; default ``ceil(sqrt(n))``.
    seed : int, default 0
        Seed of the bootstrap (NumPy ``default_rng``); equal seeds give equal results.
    method : {"R", "max"}, default "R"
        Elimination statistic, as in ``arch``.
    bootstrap : {"stationary", "circular", "moving block"}, default "stationary"
        Block bootstrap scheme.
    atol : float, default 0.0
        Absolute tolerance of equal losses (loss units), used when larger than
        :data:`LOSS_ATOL` times the mean absolute loss of ``losses`` (see
        :func:`diebold_mariano`).

    Returns
    -------
    ModelConfidenceSetResult
        With NaN p-values, empty ``included`` and ``excluded`` and a ``note`` when the MCS is
        not applicable (see Notes); never an exception from ``arch`` for such data.

    Raises
    ------
    ValueError
        Not a DataFrame, fewer than two models or two rows, duplicate model names, NaN, or
        ``size``/``reps``/``block_size``/``atol`` out of range.

    Notes
    -----
    Two loss columns count as identical when they agree to within rounding,
    ``|a - b| <= LOSS_RTOL * max(|a|, |b|) + max(atol, LOSS_ATOL * scale)`` on every day,
    with ``scale`` the mean absolute loss of the frame -- close to
    ``np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale)`` (e.g. an ARIMA(0,1,0) and the random
    walk, whose losses may differ by 1e-13 on a few days). Identical models cannot be told
    apart: the MCS runs on the first of each group, and the others get its p-value and its
    verdict. Without this, ``arch`` eliminates one of them on rounding noise, or, when their
    mean losses are exactly equal, fails: its elimination rule (method "R") takes the
    position of the largest standardised loss difference, which is then 0 and ties with the
    zero diagonal, and the tie yields a pair of indices where one index is expected
    (``IndexError: arrays used as indices must be of integer or boolean type``).

    The MCS is not applicable, and the result says so in ``note``, when

    * all columns are identical (one distinct model: nothing to compare);
    * two distinct columns have a constant loss differential (to within rounding): its
      bootstrap variance is zero and ``arch``'s statistic is infinite (as in
      :func:`diebold_mariano`, which raises for such pairs);
    * ``arch`` fails on exact ties of its statistic between distinct models, or returns
      non-finite p-values.
    """
    from arch.bootstrap import MCS

    if not isinstance(losses, pd.DataFrame):
        raise ValueError(
            f"losses must be a pandas DataFrame with one column per model; got "
            f"{type(losses).__name__}"
        )
    if losses.shape[1] < 2:
        raise ValueError(f"losses needs at least two model columns; got {list(losses.columns)}")
    if losses.shape[0] < 2:
        raise ValueError(f"losses needs at least two rows (days); got {losses.shape[0]}")
    if losses.columns.duplicated().any():
        dupes = sorted({str(c) for c in losses.columns[losses.columns.duplicated()]})
        raise ValueError(f"losses has duplicate model columns: {dupes}")
    if not 0.0 < size < 1.0:
        raise ValueError(f"size must be in (0, 1); got {size}")
    if reps < 1:
        raise ValueError(f"reps must be >= 1; got {reps}")
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (loss units); got {atol!r}")
    for column in losses.columns:
        _as_1d(f"losses[{column!r}]", losses[column])
    n = losses.shape[0]
    if block_size is None:
        block_size = math.ceil(math.sqrt(n))
    if not 1 <= block_size <= n:
        raise ValueError(f"block_size must be between 1 and n={n}; got {block_size}")
    frame = losses.astype(np.float64)
    frame.columns = [str(c) for c in frame.columns]
    models = pd.Index(frame.columns, name="model")
    values = {m: frame[m].to_numpy() for m in frame.columns}
    tolerance = max(atol, LOSS_ATOL * _loss_scale(*values.values()))

    def not_applicable(note: str) -> ModelConfidenceSetResult:
        pvalues = pd.Series(math.nan, index=models, name="mcs_pvalue")
        return ModelConfidenceSetResult((), (), pvalues, float(size), note)

    # Models with identical losses are indistinguishable (and make arch's statistic 0/0):
    # the MCS runs on one representative of each group, whose verdict the group shares.
    representative: dict[str, str] = {}
    for column in frame.columns:
        representative[column] = next(
            (
                kept
                for kept in dict.fromkeys(representative.values())
                if _equal_losses(values[column], values[kept], tolerance)
            ),
            column,
        )
    unique = list(dict.fromkeys(representative.values()))
    if len(unique) == 1:
        return not_applicable(
            "all models have identical losses (to within rounding), so there is nothing to "
            "compare and no model can be eliminated"
        )
    for i, first in enumerate(unique):
        for second in unique[i + 1 :]:
            if _constant_differential(values[first], values[second], tolerance):
                return not_applicable(
                    f"the loss differential of {first!r} and {second!r} is constant (to "
                    "within rounding), so its variance is zero and the MCS statistic is "
                    "undefined"
                )
    mcs = MCS(
        frame[unique],
        size=size,
        reps=reps,
        block_size=block_size,
        method=method,
        bootstrap=bootstrap,
        seed=np.random.default_rng(seed),
    )
    try:
        mcs.compute()
    except IndexError:
        # arch's elimination expects one largest statistic; exact ties between distinct
        # models (equal mean losses) give it several
        return not_applicable(
            "arch's MCS cannot order models whose standardised loss differences tie exactly "
            "(e.g. equal mean losses)"
        )
    unique_pvalues = mcs.pvalues["Pvalue"].astype(float)
    if not np.isfinite(unique_pvalues.to_numpy()).all():
        return not_applicable("arch's MCS returned non-finite p-values for these losses")
    pvalues = pd.Series(
        [float(unique_pvalues[representative[m]]) for m in frame.columns],
        index=models,
        name="mcs_pvalue",
    )
    included = tuple(m for m in frame.columns if pvalues[m] > size)
    excluded = tuple(m for m in frame.columns if pvalues[m] <= size)
    return ModelConfidenceSetResult(
        included=included, excluded=excluded, pvalues=pvalues, size=float(size)
    )


@dataclass(frozen=True)
class SPAResult:
    """Result of :func:`spa_test`.

    Attributes
    ----------
    pvalue_lower, pvalue_consistent, pvalue_upper : float
        Hansen's (2005) SPA p-values; ``consistent`` is the one to report, ``lower`` and
        ``upper`` bound it (lower <= consistent <= upper). Small: some model has a lower
        expected loss than the benchmark.
    n : int
        Number of days.
    n_models : int
        Models compared with the benchmark (all columns, including any identical to it).
    reps : int
        Bootstrap replications.
    block_size : int
        Mean block length of the stationary bootstrap (days).
    identical : tuple of str
        Models whose losses equal the benchmark's to within rounding: they cannot beat it,
        contribute a zero statistic and are left out of the bootstrap (``arch`` would divide
        0 by 0 for them).
    """

    pvalue_lower: float
    pvalue_consistent: float
    pvalue_upper: float
    n: int
    n_models: int
    reps: int
    block_size: int
    identical: tuple[str, ...] = ()


def spa_test(
    losses_benchmark: object,
    losses_models: pd.DataFrame,
    *,
    reps: int = 1000,
    block_size: int | None = None,
    seed: int = 0,
    studentize: bool = True,
) -> SPAResult:
    r"""Hansen's (2005) test of superior predictive ability: does any model beat the benchmark?

    Wraps ``arch.bootstrap.SPA``. With loss differentials
    :math:`d_{k,t} = L_{0,t} - L_{k,t}` (benchmark minus model :math:`k`), H0 is
    :math:`\max_k E[d_{k,t}] \le 0` (no model is better than the benchmark) against H1: some
    model has a lower expected loss. The statistic is
    :math:`\max(0, \max_k \sqrt n\, \bar d_k / \hat\omega_k)`, its null distribution comes
    from a stationary bootstrap (Politis & Romano 1994) with mean block length
    ``block_size``, and the three p-values recentre the bootstrap differently (lower: at
    zero for all models; consistent: Hansen's threshold rule; upper: the least favourable
    configuration, White's Reality Check when studentised). One test for the whole family, so
    no further multiplicity adjustment is needed.

    Parameters
    ----------
    losses_benchmark : array-like of float, shape (n,)
        Per-day losses of the benchmark (e.g. squared log-return errors of the random walk).
    losses_models : pandas.DataFrame, shape (n, k)
        Per-day losses of the competing models, one column per model, same units and days.
    reps : int, default 1000
        Bootstrap replications.
    block_size : int, optional
        Mean block length in days; default ``ceil(sqrt(n))``.
    seed : int, default 0
        Seed of the bootstrap (NumPy ``default_rng``); equal seeds give equal p-values.
    studentize : bool, default True
        Studentise each differential by its bootstrap standard deviation (Hansen's choice).

    Returns
    -------
    SPAResult

    Raises
    ------
    DegenerateTestError
        When every model's losses equal the benchmark's to within rounding: nothing is tested.
    ValueError
        Bad input: empty, NaN/inf, mismatched lengths, duplicate model names, ``reps < 1``,
        ``block_size`` outside 1..n.

    References
    ----------
    Hansen, P. R. (2005). A test for superior predictive ability. Journal of Business &
    Economic Statistics 23(4), 365-380. doi:10.1198/073500105000000063
    Politis, D. N. & Romano, J. P. (1994). The stationary bootstrap. JASA 89(428), 1303-1313.
    """
    from arch.bootstrap import SPA

    if not isinstance(losses_models, pd.DataFrame) or losses_models.shape[1] < 1:
        raise ValueError(
            "losses_models must be a DataFrame with one column per model; got "
            f"{type(losses_models).__name__}"
        )
    if losses_models.columns.duplicated().any():
        raise ValueError("losses_models has duplicate model columns")
    if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < 1:
        raise ValueError(f"reps must be an integer >= 1; got {reps!r}")
    benchmark = _as_1d("losses_benchmark", losses_benchmark, min_length=2)
    n = benchmark.size
    if losses_models.shape[0] != n:
        raise ValueError(
            f"losses_models has {losses_models.shape[0]} rows; losses_benchmark has {n} days"
        )
    models = {str(c): _as_1d(f"losses_models[{c!r}]", losses_models[c]) for c in losses_models}
    if block_size is None:
        block_size = math.ceil(math.sqrt(n))
    if not 1 <= block_size <= n:
        raise ValueError(f"block_size must be between 1 and n={n}; got {block_size}")
    tolerance = LOSS_ATOL * _loss_scale(benchmark, *models.values())
    identical = tuple(m for m, v in models.items() if _equal_losses(v, benchmark, tolerance))
    tested = [m for m in models if m not in identical]
    if not tested:
        raise DegenerateTestError(
            "every model has the benchmark's losses (to within rounding), so no model can "
            "beat it and the SPA statistic is undefined"
        )
    for m in tested:
        if _constant_differential(benchmark, models[m], tolerance):
            raise DegenerateTestError(
                f"the loss differential of the benchmark and {m!r} is constant (to within "
                "rounding), so its variance is zero and the SPA statistic is undefined"
            )
    spa = SPA(
        benchmark,
        np.column_stack([models[m] for m in tested]),
        block_size=block_size,
        reps=int(reps),
        bootstrap="stationary",
        studentize=studentize,
        seed=np.random.default_rng(seed),
    )
    spa.compute()
    pvalues = spa.pvalues
    return SPAResult(
        pvalue_lower=float(pvalues["lower"]),
        pvalue_consistent=float(pvalues["consistent"]),
        pvalue_upper=float(pvalues["upper"]),
        n=n,
        n_models=len(models),
        reps=int(reps),
        block_size=int(block_size),
        identical=identical,
    )
