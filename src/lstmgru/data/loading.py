"""The entry point of the data layer: :func:`load_prices`, and its options from a config.

It checks the options, dispatches to the source, restricts the span, validates, looks for
suspicious prices and records the provenance.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from lstmgru.config import SUSPICIOUS, option_hint
from lstmgru.data.csv_reader import CSV_OPTIONS, _load_csv
from lstmgru.data.errors import DataError, DataWarning
from lstmgru.data.records import _provenance
from lstmgru.data.sources import (
    OFFLINE_SOURCES,
    YFINANCE_OPTIONS,
    _known_options,
    _load_arch,
    _load_skfolio,
    _load_yfinance,
    _no_options,
)
from lstmgru.data.suspicious import _describe_suspicious, _suspicious
from lstmgru.data.validation import _restrict, _validate

__all__ = ["config_options", "load_prices"]


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
