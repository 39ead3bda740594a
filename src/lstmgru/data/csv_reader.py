"""Source ``csv``: reading any CSV file of daily prices, with columns mapped by arguments.

Date format, encoding, separator, thousands and decimal marks are options
(:data:`CSV_OPTIONS`); every problem becomes a :class:`~lstmgru.data.DataError` naming the
option that fixes it.

CSV dates
---------
Every date must fit one format: ``date_format`` when given, else the format inferred from the
first date. The error names the first date that does not fit, and its row. A blank date is an
error naming its row. Dates with a UTC offset (``2020-01-02T16:00:00-05:00``) keep their local
"""

from __future__ import annotations

import codecs
import math
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.config import check_char_option, option_hint
from lstmgru.data.errors import DataError

__all__ = ["COLUMNS", "CSV_OPTIONS"]

COLUMNS = ("open", "high", "low", "close", "volume")
#: Keyword options of source ``csv`` (beside ``max_gap`` and ``suspicious``, which every source takes).
CSV_OPTIONS = (
    "path",
    "date_column",
    "close_column",
    "open_column",
    "high_column",
    "low_column",
    "volume_column",
    "date_format",
    "encoding",
    "sep",
    "thousands",
    "decimal",
)
_EXAMPLE_FORMATS = "e.g. '%Y-%m-%d', '%d/%m/%Y', '%Y%m%d' or '%Y-%m-%d %H:%M:%S%z'"


def _row(position: int) -> str:
    """The file row of a data row (0-based position; the header is row 1)."""
    return f"row {position + 2} of the file, the header being row 1"


def _sep_hint(header: list[str], sep: str) -> str:
    """A note when a one-column header holds another common separator."""
    if len(header) == 1:
        marks = [m for m in (";", "\t", "|", ",") if m != sep and m in header[0]]
        if marks:
            return f"; the header looks {marks[0]!r}-separated, not {sep!r}: {option_hint('sep')}"
    return ""


def _match_column(wanted: str, found: list[str], role: str, path: Path, sep: str) -> str:
    if wanted in found:
        return wanted
    folded = [c for c in found if str(c).strip().lower() == str(wanted).strip().lower()]
    if len(folded) == 1:
        return folded[0]
    hint = _sep_hint(found, sep)
    return_hint = option_hint(f"{role}_column")
    raise DataError(
        f"CSV {path} has no {role} column {wanted!r}; columns found: "
        f"{', '.join(map(str, found))}{hint}. Map it: {return_hint}"
    )


def _check_char(name: str, value: Any, *, optional: bool) -> None:
    try:
        check_char_option(name, value, optional=optional)
    except ValueError as exc:
        raise DataError(str(exc)) from None


def _load_csv(
    path: str | os.PathLike[str] | None = None,
    *,
    date_column: str = "date",
    close_column: str = "close",
    open_column: str | None = None,
    high_column: str | None = None,
    low_column: str | None = None,
    volume_column: str | None = None,
    date_format: str | None = None,
    encoding: str = "utf-8",
    sep: str = ",",
    thousands: str | None = None,
    decimal: str = ".",
) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV file; returns the frame and the time zone dropped from its dates (or None)."""
    if path is None or str(path) == "":
        raise DataError(f"source 'csv' needs path= (the CSV file to read); {option_hint('path')}")
    thousands = thousands or None
    date_format = date_format or None
    _check_char("sep", sep, optional=False)
    _check_char("thousands", thousands, optional=True)
    _check_char("decimal", decimal, optional=False)
    if thousands is not None and thousands == decimal:
        raise DataError(
            f"thousands and decimal marks must differ, both are {decimal!r}; "
            f"{option_hint('thousands', 'decimal')}"
        )
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise DataError(
            f"unknown encoding {encoding!r}; {option_hint('encoding')}, e.g. 'utf-8', "
            "'utf-8-sig' (Excel), 'gbk' (many Chinese exports) or 'latin-1'"
        ) from None
    path = Path(path)
    if path.is_dir():
        files = sorted(p.name for p in path.glob("*.csv"))
        example = f", e.g. {path / files[0]}" if files else " (it holds no .csv file)"
        raise DataError(f"CSV path {path} is a directory; give a file in it{example}")
    if not path.is_file():
        raise DataError(f"CSV file {path} does not exist")
    try:
        with warnings.catch_warnings():  # every problem becomes a DataError below
            warnings.simplefilter("ignore")
            raw = pd.read_csv(path, encoding=encoding, sep=sep, dtype=str)
    except UnicodeError as exc:
        reason = getattr(exc, "reason", str(exc))
        raise DataError(
            f"CSV {path} is not valid {encoding!r} text ({reason}); {option_hint('encoding')}, "
            "e.g. 'gbk' for many Chinese exports, 'utf-8-sig' for Excel"
        ) from None
    except LookupError as exc:
        raise DataError(
            f"encoding {encoding!r} cannot read text ({exc}); {option_hint('encoding')}"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        detail = str(exc).strip()
        raise DataError(
            f"CSV {path} could not be parsed ({detail}); is {sep!r} its separator? "
            f"{option_hint('sep')}"
        ) from None
    if not isinstance(raw.index, pd.RangeIndex):
        hint = _sep_hint([str(c) for c in raw.columns], sep) or (
            f"; is {sep!r} also inside unquoted values (e.g. '1,234.5' with sep ',')? Quote "
            f"such values or use another separator: {option_hint('sep')}"
        )
        raise DataError(f"CSV {path}: the rows have more fields than the header{hint}")
    found = [str(c) for c in raw.columns]
    raw.columns = found
    mapping = {"date": date_column, "close": close_column}
    for role, name in (
        ("open", open_column),
        ("high", high_column),
        ("low", low_column),
        ("volume", volume_column),
    ):
        if name:
            mapping[role] = name
    columns = {role: _match_column(name, found, role, path, sep) for role, name in mapping.items()}
    if columns["date"] in [c for r, c in columns.items() if r != "date"]:
        role = next(r for r, c in columns.items() if r != "date" and c == columns["date"])
        raise DataError(
            f"CSV {path}: the date and the {role} are both mapped to column "
            f"{columns['date']!r}; {option_hint('date_column', f'{role}_column')}"
        )
    index, time_zone = _parse_dates(raw[columns["date"]], date_format, path, columns["date"])
    frame = pd.DataFrame(index=index)
    for role in COLUMNS:
        if role in columns:
            frame[role] = _parse_numbers(
                raw[columns[role]], role, columns[role], path, thousands=thousands, decimal=decimal
            )
    return frame, time_zone


def _parse_dates(
    values: pd.Series, date_format: str | None, path: Path, column: str
) -> tuple[pd.DatetimeIndex, str | None]:
    """Dates of one CSV column, all in one format; an offset is dropped (local time kept)."""
    cells = [
        "" if (isinstance(v, float) and math.isnan(v)) or v is None else str(v).strip()
        for v in values.tolist()
    ]
    blank = [i for i, cell in enumerate(cells) if not cell]
    if blank:
        raise DataError(
            f"CSV {path}: {len(blank)} row(s) have no date in column {column!r}, the first in "
            f"{_row(blank[0])}; fill in the dates or delete those rows"
        )
    hint = f"{option_hint('date_format')}, {_EXAMPLE_FORMATS}"
    if not cells:
        return pd.DatetimeIndex([], dtype="datetime64[ns]", name="date"), None
    fmt = date_format
    if fmt is None:
        from pandas.tseries.api import guess_datetime_format

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fmt = guess_datetime_format(cells[0])
        if fmt is None:
            raise DataError(
                f"CSV {path}: no date format could be inferred from the first date in column "
                f"{column!r} (first bad value: {cells[0]!r}, {_row(0)}); {hint}"
            )
        used = f"the format {fmt!r} inferred from the first date {cells[0]!r}"
    else:
        used = f"the format {fmt!r}"
    parsed: list[pd.Timestamp] | None = None
    if "%z" not in fmt and "%Z" not in fmt:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                series = pd.to_datetime(pd.Series(cells), format=fmt, errors="coerce")
        except (ValueError, TypeError) as exc:
            if "time zone" not in str(exc).lower() and "timezone" not in str(exc).lower():
                raise DataError(
                    f"date_format {fmt!r} is not a valid format ({exc}); {hint}"
                ) from None
        else:
            parsed = list(series)
    if parsed is None:  # offsets (or mixed offsets): one value at a time, each in local time
        parsed = []
        for cell in cells:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed.append(pd.to_datetime(cell, format=fmt))
            except (ValueError, TypeError, OverflowError):
                parsed.append(pd.NaT)
    bad = [i for i, ts in enumerate(parsed) if pd.isna(ts)]
    if bad:
        raise DataError(
            f"CSV {path}: dates in column {column!r} could not be parsed with {used} "
            f"(first bad value: {cells[bad[0]]!r}, {_row(bad[0])}; {len(bad)} in all); {hint}"
        )
    zones = sorted({str(ts.tz) for ts in parsed if ts.tzinfo is not None})
    local = [ts.tz_localize(None) if ts.tzinfo is not None else ts for ts in parsed]
    try:
        index = pd.DatetimeIndex(local, name="date").as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
        lo, hi = pd.Timestamp.min, pd.Timestamp.max
        first = next(i for i, ts in enumerate(local) if not (lo <= ts <= hi))
        raise DataError(
            f"CSV {path}: date {cells[first]!r} ({_row(first)}) is outside "
            f"{lo.year + 1}-{hi.year - 1}; fix it or the date format ({hint})"
        ) from None
    time_zone = None
    if zones:
        shown = ", ".join(zones[:3]) + (f" and {len(zones) - 3} more" if len(zones) > 3 else "")
        time_zone = f"{shown} dropped; local dates and times kept"
    return index, time_zone


def _parse_numbers(
    values: pd.Series,
    role: str,
    column: str,
    path: Path,
    *,
    thousands: str | None,
    decimal: str,
) -> np.ndarray:
    """Numbers of one CSV column (blank cells are NaN); any other text is an error."""
    text = [
        "" if (isinstance(v, float) and math.isnan(v)) or v is None else str(v).strip()
        for v in values.tolist()
    ]
    grouped = None
    if thousands is not None:
        t, d = re.escape(thousands), re.escape(decimal)
        grouped = re.compile(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d*)?")
    out = np.full(len(text), np.nan)
    bad: list[int] = []
    for i, cell in enumerate(text):
        if not cell:
            continue
        number = cell
        if thousands is not None and thousands in number:
            if not grouped.fullmatch(number):  # type: ignore[union-attr]
                bad.append(i)
                continue
            number = number.replace(thousands, "")
        if decimal != ".":
            if "." in number:
                bad.append(i)
                continue
            number = number.replace(decimal, ".")
        try:
            out[i] = float(number)
        except ValueError:
            bad.append(i)
    if bad:
        examples = ", ".join(text[i] for i in bad[:3])
        raise DataError(
            f"CSV {path}: column {column!r} has non-numeric values, e.g. {examples} (first in "
            f"{_row(bad[0])}); clean the file or map another column "
            f"({option_hint(f'{role}_column')}); for numbers such as '1,234.5' or '1234,5' "
            f"{option_hint('thousands', 'decimal')}"
        )
    return out
