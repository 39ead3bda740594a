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

Modules
-------
Everything public is re-exported here; import from ``lstmgru.data``.

:mod:`~lstmgru.data.loading`
    :func:`load_prices` and :func:`config_options`.
:mod:`~lstmgru.data.sources`
    ``skfolio``, ``arch`` and ``yfinance``; :func:`available_tickers`.
:mod:`~lstmgru.data.csv_reader`
    Source ``csv``, its options and how CSV dates are read.
:mod:`~lstmgru.data.validation`
    Span, duplicates, the gap policy and unusable closes.
:mod:`~lstmgru.data.suspicious`
    Suspicious prices: jumps above :data:`JUMP_THRESHOLD`, non-daily timestamps.
:mod:`~lstmgru.data.records`
    Provenance records, the SHA-256 checksum, :func:`describe`.
:mod:`~lstmgru.data.errors`
    :class:`DataError` and :class:`DataWarning`.
"""

from __future__ import annotations

from lstmgru.config import SUSPICIOUS
from lstmgru.data.csv_reader import COLUMNS, CSV_OPTIONS
from lstmgru.data.errors import DataError, DataWarning
from lstmgru.data.loading import config_options, load_prices
from lstmgru.data.records import _provenance as _provenance
from lstmgru.data.records import describe, provenance
from lstmgru.data.sources import (
    ARCH_TICKERS,
    DEFAULT_CACHE,
    OFFLINE_SOURCES,
    SKFOLIO_INDEX,
    YFINANCE_OPTIONS,
    available_tickers,
)
from lstmgru.data.suspicious import JUMP_THRESHOLD, MAX_LISTED

__all__ = [
    "ARCH_TICKERS",
    "COLUMNS",
    "CSV_OPTIONS",
    "DEFAULT_CACHE",
    "JUMP_THRESHOLD",
    "MAX_LISTED",
    "OFFLINE_SOURCES",
    "SKFOLIO_INDEX",
    "SUSPICIOUS",
    "YFINANCE_OPTIONS",
    "DataError",
    "DataWarning",
    "available_tickers",
    "config_options",
    "describe",
    "load_prices",
    "provenance",
]
