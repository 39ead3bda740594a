"""The embedded and online sources: ``skfolio``, ``arch`` and ``yfinance``.

Loaders return an unvalidated frame of float64 prices; their option checks and the
unknown-ticker message (with close matches) live here too. Source ``csv`` is in
:mod:`lstmgru.data.csv_reader`; the yfinance cache is a CSV file read through it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from lstmgru.data.csv_reader import _load_csv
from lstmgru.data.errors import DataError

__all__ = [
    "ARCH_TICKERS",
    "DEFAULT_CACHE",
    "OFFLINE_SOURCES",
    "SKFOLIO_INDEX",
    "YFINANCE_OPTIONS",
    "available_tickers",
]

SKFOLIO_INDEX = "SP500"
ARCH_TICKERS = ("NASDAQ", "SP500")
OFFLINE_SOURCES = ("skfolio", "arch", "csv")
DEFAULT_CACHE = Path("data/cache/yfinance")
#: Keyword options of source ``yfinance``.
YFINANCE_OPTIONS = ("cache_dir",)


def available_tickers(source: str = "skfolio") -> tuple[str, ...]:
    """Tickers offered by an embedded (offline) source."""
    if source == "skfolio":
        from skfolio.datasets import load_sp500_dataset

        return (*sorted(load_sp500_dataset().columns), SKFOLIO_INDEX)
    if source == "arch":
        return ARCH_TICKERS
    raise DataError(f"source {source!r} has no fixed ticker list; offline lists: skfolio, arch")


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
