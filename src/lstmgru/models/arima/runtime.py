"""The fit-time environment of the ARIMA code: captured warnings and BLAS thread limits.

Warnings raised by statsmodels (convergence, starting values, KPSS table bounds) are captured
and counted in ``info["warnings"]``; nothing is silenced or printed.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["blas_threads", "capture_warnings", "summarise_warnings"]


@contextmanager
def capture_warnings(sink: list[warnings.WarningMessage]) -> Iterator[None]:
    """Record every warning raised inside the block into ``sink`` (none is shown or lost)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            sink.extend(caught)


@contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Limit the BLAS/LAPACK thread pools inside the block (``None``: leave them alone).

    statsmodels' Kalman filter and its stationary initialisation call LAPACK on matrices of a
    few rows thousands of times per fit; OpenBLAS threads only add synchronisation there (on a
    busy 2-core machine a grid search runs several times slower with two threads than with one).
    """
    if limit is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def summarise_warnings(caught: Sequence[warnings.WarningMessage]) -> list[dict[str, Any]]:
    """Distinct warnings as ``{"category", "message", "count"}``, most frequent first."""
    counts = Counter((w.category.__name__, str(w.message)) for w in caught)
    return [
        {"category": category, "message": message, "count": count}
        for (category, message), count in counts.most_common()
    ]
