"""Loading and validating daily prices.

:func:`load_prices` returns a frame indexed by a sorted, unique ``DatetimeIndex`` with a ``close``
column (and ``open``, ``high``, ``low``, ``volume`` where the source has them). Its provenance
(source, ticker, first and last date, rows, SHA-256 of the loaded values, forward-filled gaps,
suspicious prices, a dropped time zone) is in ``frame.attrs["provenance"]`` and from
:func:`provenance`.

Sources
-------
``skfolio`` (default, offline)
    Adjusted closes of 20 S&P 500 stocks and the ``SP500`` index, 1990-2022.
``arch`` (offline)
    OHLCV of the ``SP500`` and ``NASDAQ`` indices, 1999-2018 (``close`` is the adjusted close).
``csv``
    Any CSV file: columns mapped by arguments, date format, encoding, separator, thousands and
    decimal marks as options (:data:`CSV_OPTIONS`).
``yfinance`` (optional, online)
    Downloaded once, then read from an on-disk cache.

CSV dates
---------
Every date must fit one format: ``date_format`` when given, else the format inferred from the
first date. The error names the first date that does not fit, and its row. A blank date is an
error naming its row. Dates with a UTC offset (``2020-01-02T16:00:00-05:00``) keep their local
date and time; the dropped zone is recorded in the provenance (``time_zone``).

Gap policy
----------
Missing closes (empty cells in a CSV, or NaN) are forward-filled when at most ``max_gap``
consecutive values are missing (default 5 trading days, one week); a longer gap, or a missing
first value, is an error naming the dates. The number of filled values is recorded in the
provenance. Dates themselves are never invented: a missing trading day is not a gap.

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

import codecs
import difflib
import hashlib
import math
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.config import SUSPICIOUS, check_char_option, option_hint

SKFOLIO_INDEX = "SP500"
ARCH_TICKERS = ("NASDAQ", "SP500")
OFFLINE_SOURCES = ("skfolio", "arch", "csv")
COLUMNS = ("open", "high", "low", "close", "volume")
DEFAULT_CACHE = Path("data/cache/yfinance")
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
#: Keyword options of source ``yfinance``.
YFINANCE_OPTIONS = ("cache_dir",)
#: A daily ``|log return|`` above this is suspicious (a factor of exp(0.5) = 1.65 in one day).
JUMP_THRESHOLD = 0.5
#: At most this many suspicious jumps are listed in the provenance (the total is recorded too).
MAX_LISTED = 10
_EXAMPLE_FORMATS = "e.g. '%Y-%m-%d', '%d/%m/%Y', '%Y%m%d' or '%Y-%m-%d %H:%M:%S%z'"


class DataError(ValueError):
    """Bad or unusable input data; the message names the fix."""


class DataWarning(UserWarning):
    """Data that load but look wrong (suspicious jumps, intraday timestamps); see ``suspicious``."""


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def load_prices(
    source: str = "skfolio",
    ticker: str = "AAPL",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    max_gap: int = 5,
    suspicious: str = "warn",
    **options: Any,
) -> pd.DataFrame:
    """Load daily prices of one instrument, validated.

    Parameters
    ----------
    source : {'skfolio', 'arch', 'csv', 'yfinance'}
        Where the data come from.
    ticker : str
        Ticker within the source; for ``csv`` a label (default: the file stem).
    start, end : str, Timestamp or None
        Inclusive bounds of the span to keep; ``None`` keeps everything.
    max_gap : int
        Longest run of missing closes that is forward-filled (trading days).
    suspicious : {'warn', 'reject'}
        Jumps of the close above :data:`JUMP_THRESHOLD` in absolute log return, and timestamps
        that are not daily: ``warn`` issues a :class:`DataWarning` (and records them in the
        provenance), ``reject`` raises :class:`DataError`.
    **options
        Source options. ``csv``: ``path`` (required), ``date_column``, ``close_column``,
        ``open_column``, ``high_column``, ``low_column``, ``volume_column`` (column names),
        ``date_format`` (``strftime`` format; ``None`` infers it from the first date),
        ``encoding`` (default ``'utf-8'``), ``sep`` (field separator, default ``','``),
        ``thousands`` (thousands mark in numbers, default none), ``decimal`` (decimal mark,
        default ``'.'``). ``yfinance``: ``cache_dir``.

    Returns
    -------
    pandas.DataFrame
        Prices in the instrument's currency, indexed by trading date (name ``date``), with at
        least a ``close`` column; ``attrs["provenance"]`` holds the provenance record.

    Raises
    ------
    DataError
        For any bad input; the message says what to change.

    Warns
    -----
    DataWarning
        For suspicious prices when ``suspicious='warn'``.
    """
    if not isinstance(max_gap, int) or isinstance(max_gap, bool) or max_gap < 0:
        raise DataError(
            f"max_gap must be a non-negative integer, got {max_gap!r}; {option_hint('max_gap')}"
        )
    if suspicious not in SUSPICIOUS:
        raise DataError(
            f"suspicious must be one of {', '.join(SUSPICIOUS)}, got {suspicious!r}; "
            f"{option_hint('suspicious')}"
        )
    time_zone = None
    if source == "skfolio":
        _no_options(source, options)
        frame = _load_skfolio(ticker)
    elif source == "arch":
        _no_options(source, options)
        frame = _load_arch(ticker)
    elif source == "csv":
        _known_options(source, options, CSV_OPTIONS)
        frame, time_zone = _load_csv(**options)
        if not ticker:
            ticker = Path(str(options["path"])).stem
    elif source == "yfinance":
        _known_options(source, options, YFINANCE_OPTIONS)
        frame = _load_yfinance(ticker, start, end, **options)
    else:
        options_text = ", ".join((*OFFLINE_SOURCES, "yfinance"))
        close = difflib.get_close_matches(str(source), [*OFFLINE_SOURCES, "yfinance"], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"unknown source {source!r}.{hint} Sources: {options_text}.")
    frame = _restrict(frame, start, end)
    frame, filled = _validate(frame, max_gap=max_gap)
    jumps, n_jumps, non_daily = _suspicious(frame)
    if n_jumps or non_daily:
        problems = _describe_suspicious(jumps, n_jumps, non_daily)
        if suspicious == "reject":
            raise DataError(
                f"{problems}. Fix the data or restrict the span ({option_hint('start', 'end')}), or "
                f"accept them with a warning: {option_hint('suspicious', value='warn')}"
            )
        warnings.warn(
            f"{problems}. Check the data; to make this an error, "
            f"{option_hint('suspicious', value='reject')}",
            DataWarning,
            stacklevel=2,
        )
    frame.attrs["provenance"] = _provenance(
        frame,
        source,
        ticker,
        filled,
        time_zone=time_zone,
        suspicious_jumps=jumps,
        suspicious_jumps_total=n_jumps,
        non_daily=non_daily,
    )
    return frame


def provenance(frame: pd.DataFrame) -> dict[str, Any]:
    """The provenance record of a frame returned by :func:`load_prices`."""
    try:
        return dict(frame.attrs["provenance"])
    except KeyError:
        raise DataError("frame has no provenance; load it with load_prices()") from None


def available_tickers(source: str = "skfolio") -> tuple[str, ...]:
    """Tickers offered by an embedded (offline) source."""
    if source == "skfolio":
        from skfolio.datasets import load_sp500_dataset

        return (*sorted(load_sp500_dataset().columns), SKFOLIO_INDEX)
    if source == "arch":
        return ARCH_TICKERS
    raise DataError(f"source {source!r} has no fixed ticker list; offline lists: skfolio, arch")


def config_options(data_config: Any) -> dict[str, Any]:
    """Keyword arguments for :func:`load_prices` from a :class:`~lstmgru.config.DataConfig`."""
    kwargs: dict[str, Any] = {
        "source": data_config.source,
        "ticker": data_config.ticker,
        "start": data_config.start,
        "end": data_config.end,
        "max_gap": data_config.max_gap,
        "suspicious": data_config.suspicious,
    }
    if data_config.source == "csv":
        kwargs.update(
            path=data_config.csv_path,
            date_column=data_config.date_column,
            close_column=data_config.close_column,
            open_column=data_config.open_column,
            high_column=data_config.high_column,
            low_column=data_config.low_column,
            volume_column=data_config.volume_column,
            date_format=data_config.date_format,
            encoding=data_config.encoding,
            sep=data_config.sep,
            thousands=data_config.thousands,
            decimal=data_config.decimal,
        )
    return kwargs


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


# ----------------------------------------------------------------------------------------------
# Sources
# ----------------------------------------------------------------------------------------------


def _no_options(source: str, options: Mapping[str, Any]) -> None:
    if options:
        raise DataError(
            f"source {source!r} takes no options, got {', '.join(sorted(options))}; "
            "column mappings and paths are for source 'csv'"
        )


def _known_options(source: str, options: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(k for k in options if k not in known)
    if unknown:
        parts = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            parts.append(repr(key) + (f" (did you mean {close[0]}?)" if close else ""))
        raise DataError(
            f"source {source!r} has no option {', '.join(parts)}; its options: {', '.join(known)}"
        )


def _unknown_ticker(ticker: str, source: str, available: tuple[str, ...]) -> DataError:
    close = difflib.get_close_matches(str(ticker).upper(), available, n=3, cutoff=0.4)
    hint = f" Close matches: {', '.join(close)}." if close else ""
    return DataError(
        f"ticker {ticker!r} not in {source} dataset.{hint} Available: {', '.join(available)}"
    )


def _load_skfolio(ticker: str) -> pd.DataFrame:
    from skfolio.datasets import load_sp500_dataset, load_sp500_index

    if ticker == SKFOLIO_INDEX:
        series = load_sp500_index()[SKFOLIO_INDEX]
    else:
        stocks = load_sp500_dataset()
        if ticker not in stocks.columns:
            raise _unknown_ticker(ticker, "skfolio", (*sorted(stocks.columns), SKFOLIO_INDEX))
        series = stocks[ticker]
    return pd.DataFrame({"close": series.astype("float64")})


def _load_arch(ticker: str) -> pd.DataFrame:
    if ticker not in ARCH_TICKERS:
        raise _unknown_ticker(ticker, "arch", ARCH_TICKERS)
    if ticker == "SP500":
        from arch.data import sp500 as module
    else:
        from arch.data import nasdaq as module
    raw = module.load()
    return pd.DataFrame(
        {
            "open": raw["Open"],
            "high": raw["High"],
            "low": raw["Low"],
            "close": raw["Adj Close"],
            "volume": raw["Volume"],
        }
    ).astype("float64")


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


def _load_yfinance(
    ticker: str,
    start: str | pd.Timestamp | None,
    end: str | pd.Timestamp | None,
    *,
    cache_dir: str | os.PathLike[str] = DEFAULT_CACHE,
) -> pd.DataFrame:
    cache = Path(cache_dir) / f"{ticker}_{start or 'first'}_{end or 'last'}.csv"
    if cache.is_file():
        frame, _ = _load_csv(
            cache, date_column="date", close_column="close", volume_column="volume"
        )
        return frame
    try:
        import yfinance
    except ImportError:
        raise DataError(
            "source 'yfinance' needs the optional package: pip install 'lstmgru[online]'. "
            f"Offline sources: {', '.join(OFFLINE_SOURCES)}"
        ) from None
    try:
        raw = yfinance.download(
            ticker, start=start, end=end, auto_adjust=True, progress=False, threads=False
        )
    except Exception as exc:  # network errors come in many types
        raise DataError(
            f"yfinance download of {ticker!r} failed ({exc}); are you offline? "
            f"Offline sources: {', '.join(OFFLINE_SOURCES)}"
        ) from None
    if raw is None or raw.empty:
        raise DataError(
            f"yfinance returned no data for {ticker!r} (offline, or unknown ticker). "
            f"Offline sources: {', '.join(OFFLINE_SOURCES)}"
        )
    if isinstance(raw.columns, pd.MultiIndex):
        raw.columns = raw.columns.get_level_values(0)
    frame = pd.DataFrame(
        {c.lower(): raw[c] for c in ("Open", "High", "Low", "Close", "Volume") if c in raw}
    ).astype("float64")
    frame.index = pd.DatetimeIndex(raw.index, name="date").tz_localize(None)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    frame.to_csv(tmp, index_label="date")
    tmp.replace(cache)
    return frame


# ----------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------


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
