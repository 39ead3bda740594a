"""Loading and validating daily prices.

:func:`load_prices` returns a frame indexed by a sorted, unique ``DatetimeIndex`` with a ``close``
column (and ``open``, ``high``, ``low``, ``volume`` where the source has them). Its provenance
(source, ticker, first and last date, rows, SHA-256 of the loaded values, forward-filled gaps) is
in ``frame.attrs["provenance"]`` and from :func:`provenance`.

Sources
-------
``skfolio`` (default, offline)
    Adjusted closes of 20 S&P 500 stocks and the ``SP500`` index, 1990-2022.
``arch`` (offline)
    OHLCV of the ``SP500`` and ``NASDAQ`` indices, 1999-2018 (``close`` is the adjusted close).
``csv``
    Any CSV file, columns mapped by arguments (date format and encoding too).
``yfinance`` (optional, online)
    Downloaded once, then read from an on-disk cache.

Gap policy
----------
Missing closes (empty cells in a CSV, or NaN) are forward-filled when at most ``max_gap``
consecutive values are missing (default 5 trading days, one week); a longer gap, or a missing
first value, is an error naming the dates. The number of filled values is recorded in the
provenance. Dates themselves are never invented: a missing trading day is not a gap.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SKFOLIO_INDEX = "SP500"
ARCH_TICKERS = ("NASDAQ", "SP500")
OFFLINE_SOURCES = ("skfolio", "arch", "csv")
COLUMNS = ("open", "high", "low", "close", "volume")
DEFAULT_CACHE = Path("data/cache/yfinance")


class DataError(ValueError):
    """Bad or unusable input data; the message names the fix."""


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
    **options
        Source options. ``csv``: ``path`` (required), ``date_column``, ``close_column``,
        ``open_column``, ``high_column``, ``low_column``, ``volume_column``, ``date_format``,
        ``encoding``, ``sep``. ``yfinance``: ``cache_dir``.

    Returns
    -------
    pandas.DataFrame
        Prices in the instrument's currency, indexed by trading date (name ``date``), with at
        least a ``close`` column; ``attrs["provenance"]`` holds the provenance record.

    Raises
    ------
    DataError
        For any bad input; the message says what to change.
    """
    if source == "skfolio":
        _no_options(source, options)
        frame = _load_skfolio(ticker)
    elif source == "arch":
        _no_options(source, options)
        frame = _load_arch(ticker)
    elif source == "csv":
        frame = _load_csv(**options)
        if not ticker:
            ticker = Path(str(options["path"])).stem
    elif source == "yfinance":
        frame = _load_yfinance(ticker, start, end, **options)
    else:
        options_text = ", ".join((*OFFLINE_SOURCES, "yfinance"))
        close = difflib.get_close_matches(str(source), [*OFFLINE_SOURCES, "yfinance"], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"unknown source {source!r}.{hint} Sources: {options_text}.")
    frame = _restrict(frame, start, end)
    frame, filled = _validate(frame, max_gap=max_gap)
    frame.attrs["provenance"] = _provenance(frame, source, ticker, filled)
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
        )
    return kwargs


def describe(frame: pd.DataFrame) -> dict[str, Any]:
    """Span, rows, missing values and checksum of a loaded frame (for ``data show``)."""
    record = provenance(frame)
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


def _match_column(wanted: str, found: list[str], role: str, path: Path) -> str:
    if wanted in found:
        return wanted
    folded = [c for c in found if str(c).strip().lower() == str(wanted).strip().lower()]
    if len(folded) == 1:
        return folded[0]
    raise DataError(
        f"CSV {path} has no {role} column {wanted!r}; columns found: "
        f"{', '.join(map(str, found))}. Map it with {role}_column=..."
    )


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
) -> pd.DataFrame:
    if path is None:
        raise DataError("source 'csv' needs path= (the CSV file to read)")
    path = Path(path)
    if not path.is_file():
        raise DataError(f"CSV file {path} does not exist")
    try:
        raw = pd.read_csv(path, encoding=encoding, sep=sep, dtype=str)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"CSV {path} is not valid {encoding!r} text ({exc.reason}); pass encoding=... "
            "(e.g. 'gbk' for many Chinese exports, 'utf-8-sig' for Excel)"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"CSV {path} could not be parsed: {exc}") from None
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
    columns = {role: _match_column(name, found, role, path) for role, name in mapping.items()}
    dates = raw[columns["date"]]
    try:
        index = pd.to_datetime(dates, format=date_format)
    except (ValueError, TypeError):
        bad = _first_unparseable(dates, date_format)
        fmt = f" with format {date_format!r}" if date_format else ""
        raise DataError(
            f"CSV {path}: dates in column {columns['date']!r} could not be parsed{fmt} "
            f"(first bad value: {bad!r}). Pass date_format=..., e.g. '%Y-%m-%d' or "
            "'%Y%m%d'"
        ) from None
    frame = pd.DataFrame(index=pd.DatetimeIndex(index, name="date"))
    for role in COLUMNS:
        if role in columns:
            values = pd.to_numeric(raw[columns[role]], errors="coerce")
            bad_mask = values.isna() & raw[columns[role]].notna()
            if bad_mask.any():
                examples = raw.loc[bad_mask, columns[role]].astype(str).head(3).tolist()
                raise DataError(
                    f"CSV {path}: column {columns[role]!r} has non-numeric values, e.g. "
                    f"{', '.join(examples)}; clean the file or map another column"
                )
            frame[role] = values.to_numpy(dtype="float64")
    return frame


def _first_unparseable(dates: pd.Series, date_format: str | None) -> str:
    for value in dates.astype(str):
        try:
            pd.to_datetime(value, format=date_format)
        except (ValueError, TypeError):
            return value
    return str(dates.iloc[0]) if len(dates) else ""


def _load_yfinance(
    ticker: str,
    start: str | pd.Timestamp | None,
    end: str | pd.Timestamp | None,
    *,
    cache_dir: str | os.PathLike[str] = DEFAULT_CACHE,
) -> pd.DataFrame:
    cache = Path(cache_dir) / f"{ticker}_{start or 'first'}_{end or 'last'}.csv"
    if cache.is_file():
        return _load_csv(cache, date_column="date", close_column="close", volume_column="volume")
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


def _restrict(
    frame: pd.DataFrame, start: str | pd.Timestamp | None, end: str | pd.Timestamp | None
) -> pd.DataFrame:
    try:
        start_ts = pd.Timestamp(start) if start is not None else None
        end_ts = pd.Timestamp(end) if end is not None else None
    except (ValueError, TypeError):
        raise DataError(
            f"start/end must be dates like '2015-01-31', got {start!r}, {end!r}"
        ) from None
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise DataError(f"start {start_ts.date()} is after end {end_ts.date()}; swap them")
    frame = frame.copy()
    frame.index = pd.DatetimeIndex(frame.index, name="date").as_unit("ns")
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


def _validate(frame: pd.DataFrame, *, max_gap: int) -> tuple[pd.DataFrame, int]:
    if frame.index.has_duplicates:
        dupes = frame.index[frame.index.duplicated()].unique()
        shown = ", ".join(str(d.date()) for d in dupes[:5])
        raise DataError(
            f"{len(dupes)} duplicate date(s), e.g. {shown}; keep one row per trading day"
        )
    if frame.index.hasnans:
        raise DataError("some dates are missing (NaT); drop those rows or fix the date column")
    frame = frame.sort_index()
    close = frame["close"]
    missing = close.isna()
    filled = 0
    if missing.any():
        if missing.iloc[0]:
            raise DataError(
                f"the first close ({frame.index[0].date()}) is missing; start the span later"
            )
        run_id = (missing != missing.shift()).cumsum()
        run_lengths = missing.groupby(run_id).transform("sum")
        too_long = missing & (run_lengths > max_gap)
        if too_long.any():
            first = frame.index[too_long.to_numpy()][0]
            longest = int(run_lengths[missing].max())
            raise DataError(
                f"{longest} consecutive missing closes starting near {first.date()} exceed "
                f"max_gap={max_gap}; raise max_gap or restrict start/end around the gap"
            )
        filled = int(missing.sum())
        frame = frame.ffill(limit=max_gap)
    values = frame["close"].to_numpy()
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        dates = ", ".join(str(d.date()) for d in frame.index[bad][:5])
        raise DataError(
            f"{int(bad.sum())} non-positive or non-finite close(s), e.g. on {dates}; "
            "prices must be positive for log returns"
        )
    return frame, filled


def _checksum(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(np.asarray(frame.index.asi8, dtype="<i8").tobytes())
    for column in sorted(frame.columns):
        digest.update(column.encode())
        digest.update(np.ascontiguousarray(frame[column].to_numpy(dtype="<f8")).tobytes())
    return digest.hexdigest()


def _provenance(frame: pd.DataFrame, source: str, ticker: str, filled: int) -> dict[str, Any]:
    return {
        "source": source,
        "ticker": ticker,
        "first_date": str(frame.index[0].date()),
        "last_date": str(frame.index[-1].date()),
        "rows": len(frame),
        "forward_filled": filled,
        "sha256": _checksum(frame),
    }
