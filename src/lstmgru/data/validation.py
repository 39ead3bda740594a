"""Validation of a loaded frame: the date span, duplicates, gaps and unusable closes.


Gap policy
----------
Missing closes (empty cells in a CSV, or NaN) are forward-filled when at most ``max_gap``
consecutive values are missing (default 5 trading days, one week); a longer gap, or a missing
first value, is an error naming the dates. The number of filled values is recorded in the

A duplicate date, a non-positive or non-finite close, a single row or a close that never
changes is a :class:`~lstmgru.data.DataError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmgru.config import option_hint
from lstmgru.data.errors import DataError


def _bound(name: str, value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise DataError(
            f"{name} must be a date like '2015-01-31', got {value!r}; {option_hint('start', 'end')}"
        )
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def _restrict(
    frame: pd.DataFrame, start: str | pd.Timestamp | None, end: str | pd.Timestamp | None
) -> pd.DataFrame:
    start_ts = _bound("start", start)
    end_ts = _bound("end", end)
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise DataError(f"start {start_ts.date()} is after end {end_ts.date()}; swap them")
    frame = frame.copy()
    index = pd.DatetimeIndex(frame.index, name="date")
    if index.tz is not None:  # keep the local date and time
        index = index.tz_localize(None)
    frame.index = index.as_unit("ns")
    if frame.index.hasnans:  # checked before the span drops such rows
        position = int(np.flatnonzero(frame.index.isna())[0])
        raise DataError(
            f"{int(frame.index.isna().sum())} date(s) are missing (NaT), the first in row "
            f"{position + 1} of the data; fix the date column or drop those rows"
        )
    mask = np.ones(len(frame), dtype=bool)
    if start_ts is not None:
        mask &= frame.index >= start_ts
    if end_ts is not None:
        mask &= frame.index <= end_ts
    restricted = frame.loc[mask]
    if restricted.empty:
        if len(frame):
            span = f"{frame.index.min().date()} to {frame.index.max().date()}"
        else:
            span = "no rows at all"
        raise DataError(
            f"no prices between {start_ts.date() if start_ts is not None else 'the start'} and "
            f"{end_ts.date() if end_ts is not None else 'the end'}; the data cover {span}"
        )
    return restricted


def _day(stamp: pd.Timestamp) -> str:
    """A date, with the time of day when it is not midnight."""
    if stamp == stamp.normalize():
        return str(stamp.date())
    return stamp.isoformat(sep=" ")


def _validate(frame: pd.DataFrame, *, max_gap: int) -> tuple[pd.DataFrame, int]:
    if frame.index.has_duplicates:
        dupes = frame.index[frame.index.duplicated()].unique()
        shown = ", ".join(_day(d) for d in dupes[:5])
        raise DataError(
            f"{len(dupes)} duplicate date(s), e.g. {shown}; keep one row per trading day"
        )
    frame = frame.sort_index()
    close = frame["close"]
    missing = close.isna()
    filled = 0
    if missing.any():
        if missing.iloc[0]:
            raise DataError(
                f"the first close ({_day(frame.index[0])}) is missing; start the span later: "
                f"{option_hint('start')}"
            )
        run_id = (missing != missing.shift()).cumsum()
        run_lengths = missing.groupby(run_id).transform("sum")
        too_long = missing & (run_lengths > max_gap)
        if too_long.any():
            first = frame.index[too_long.to_numpy()][0]
            longest = int(run_lengths[missing].max())
            raise DataError(
                f"{longest} consecutive missing closes starting near {_day(first)} exceed "
                f"max_gap={max_gap}; raise it ({option_hint('max_gap')}) or restrict the span "
                f"around the gap ({option_hint('start', 'end')})"
            )
        filled = int(missing.sum())
        frame = frame.ffill(limit=max_gap)
    values = frame["close"].to_numpy()
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        dates = ", ".join(_day(d) for d in frame.index[bad][:5])
        raise DataError(
            f"{int(bad.sum())} non-positive or non-finite close(s), e.g. on {dates}; "
            "prices must be positive for log returns"
        )
    if len(values) < 2:
        raise DataError(
            f"only one row ({_day(frame.index[0])}); nothing to forecast. Widen the span "
            f"({option_hint('start', 'end')})"
        )
    if np.all(values == values[0]):
        raise DataError(
            f"the close is constant ({values[0]:g}) over {_day(frame.index[0])} to "
            f"{_day(frame.index[-1])} ({len(values)} row(s)); nothing to forecast. Is it the "
            f"right column ({option_hint('close_column')}) and span "
            f"({option_hint('start', 'end')})?"
        )
    return frame, filled
