"""Provenance records of loaded frames: source, span, rows, findings and a SHA-256 checksum.

:func:`~lstmgru.data.load_prices` stores the record in ``frame.attrs["provenance"]``;
:func:`provenance` reads it back and :func:`describe` summarises a frame for ``data show``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.data.errors import DataError

__all__ = ["describe", "provenance"]


def provenance(frame: pd.DataFrame) -> dict[str, Any]:
    """The provenance record of a frame returned by :func:`load_prices`."""
    try:
        return dict(frame.attrs["provenance"])
    except KeyError:
        raise DataError("frame has no provenance; load it with load_prices()") from None


def describe(frame: pd.DataFrame) -> dict[str, Any]:
    """Span, rows, missing values and checksum of a loaded frame (for ``data show``).

    The provenance fields of findings (``time_zone``, ``suspicious_jumps``,
    ``suspicious_jumps_total``, ``non_daily``) appear only when there is something to report.
    """
    findings = ("time_zone", "suspicious_jumps", "suspicious_jumps_total", "non_daily")
    record = {k: v for k, v in provenance(frame).items() if k not in findings or v}
    return {
        **record,
        "columns": list(frame.columns),
        "missing_values": int(frame.isna().sum().sum()),
        "close_min": float(frame["close"].min()),
        "close_max": float(frame["close"].max()),
    }


def _checksum(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(np.asarray(frame.index.asi8, dtype="<i8").tobytes())
    for column in sorted(frame.columns):
        digest.update(column.encode())
        digest.update(np.ascontiguousarray(frame[column].to_numpy(dtype="<f8")).tobytes())
    return digest.hexdigest()


def _provenance(
    frame: pd.DataFrame,
    source: str,
    ticker: str,
    filled: int,
    *,
    time_zone: str | None = None,
    suspicious_jumps: list[dict[str, Any]] | None = None,
    suspicious_jumps_total: int = 0,
    non_daily: str | None = None,
) -> dict[str, Any]:
    return {
        "source": source,
        "ticker": ticker,
        "first_date": str(frame.index[0].date()),
        "last_date": str(frame.index[-1].date()),
        "rows": len(frame),
        "forward_filled": filled,
        "time_zone": time_zone,
        "suspicious_jumps": list(suspicious_jumps or []),
        "suspicious_jumps_total": int(suspicious_jumps_total),
        "non_daily": non_daily,
        "sha256": _checksum(frame),
    }
