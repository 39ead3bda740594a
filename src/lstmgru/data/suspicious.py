"""Suspicious prices: daily jumps of the close and timestamps that are not daily.

Suspicious prices
-----------------
A daily move of the close with ``|log return| > JUMP_THRESHOLD`` (0.5: a factor of 1.65 up or
down in one day) is suspicious: it catches a price slip (x1000), an unadjusted 2:1 or larger split
and stale-then-corrected prices, while genuine moves of that size are rare (over 1990-2022 the
23 embedded series have two: AAPL on 2000-09-29, -52 % after a profit warning, and a stale-price
step of RRC on 1990-04-10). Timestamps that are not daily (several rows on one calendar day, or
times of day that differ across rows) are suspicious too. ``suspicious='warn'`` (default) issues
a :class:`DataWarning` naming the dates and records them in the provenance
(``suspicious_jumps``, at most :data:`MAX_LISTED`, ``suspicious_jumps_total``, ``non_daily``);
``suspicious='reject'`` makes them a :class:`DataError`. A close that never changes is always an
error: there is nothing to forecast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.data.validation import _day

__all__ = ["JUMP_THRESHOLD", "MAX_LISTED"]

#: A daily ``|log return|`` above this is suspicious (a factor of exp(0.5) = 1.65 in one day).
JUMP_THRESHOLD = 0.5
#: At most this many suspicious jumps are listed in the provenance (the total is recorded too).
MAX_LISTED = 10


def _suspicious(frame: pd.DataFrame) -> tuple[list[dict[str, Any]], int, str | None]:
    """Jumps above :data:`JUMP_THRESHOLD` (first :data:`MAX_LISTED`, total) and non-daily times."""
    log_close = np.log(frame["close"].to_numpy())
    returns = np.diff(log_close)
    positions = np.flatnonzero(np.abs(returns) > JUMP_THRESHOLD) + 1
    jumps = [
        {"date": _day(frame.index[i]), "log_return": round(float(returns[i - 1]), 4)}
        for i in positions[:MAX_LISTED]
    ]
    days = frame.index.normalize()
    non_daily = None
    if days.has_duplicates:
        counts = pd.Series(1, index=days).groupby(level=0).size()
        crowded = counts[counts > 1]
        non_daily = (
            f"{len(crowded)} calendar day(s) have more than one row (up to {int(crowded.max())}), "
            f"e.g. {crowded.index[0].date()}"
        )
    else:
        times = pd.Series(frame.index - days).unique()
        if len(times) > 1:
            shown = ", ".join(str(pd.Timedelta(t)).split(" days ")[-1] for t in times[:3])
            non_daily = f"times of day differ across rows ({len(times)} distinct, e.g. {shown})"
    return jumps, len(positions), non_daily


def _describe_suspicious(jumps: list[dict[str, Any]], total: int, non_daily: str | None) -> str:
    parts = []
    if total:
        shown = ", ".join(f"{j['date']} ({j['log_return']:+.2f})" for j in jumps[:5])
        more = f" and {total - 5} more" if total > 5 else ""
        parts.append(
            f"{total} suspicious daily jump(s) of the close (|log return| > {JUMP_THRESHOLD}, "
            f"a factor of {math.exp(JUMP_THRESHOLD):.2f}) on {shown}{more} (a price slip, an "
            "unadjusted split or the wrong column?)"
        )
    if non_daily:
        parts.append(
            f"the timestamps are not daily: {non_daily}; the models expect one close per "
            "trading day"
        )
    return "; ".join(parts)
