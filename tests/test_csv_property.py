"""Property: any CSV file either loads to a validated frame or raises a DataError naming real options.

Hypothesis writes files with random column names and order, separators, quoting, thousands and
decimal marks, date formats (mixed, garbage, blank, time-zoned, intraday), prices (garbage, blank,
zero, negative, huge), encodings (and a wrong one to read them), empty and header-only files.
Whatever the file, :func:`load_prices` returns a frame with a sorted unique ``DatetimeIndex``
named ``date``, a finite positive ``close`` and a JSON-serialisable provenance, or raises
:class:`DataError` whose message names only options that exist: keywords of ``load_prices``,
flags of ``data show`` and ``run``, parameters of the experiment notebook. Nothing else escapes:
no other exception, no warning but :class:`DataWarning`.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import papermill
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmgru.cli import build_parser
from lstmgru.data import CSV_OPTIONS, DataError, DataWarning, load_prices
from lstmgru.runs import EXPERIMENT_NOTEBOOK, NOTEBOOK_DIR

DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y%m%d",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M",  # intraday when the times differ
    "%Y-%m-%dT%H:%M:%S%z",  # time-zoned
)
GARBAGE_DATES = ("not-a-date", "", " ", "32/13/2020", "2020-02-30", "?", "1.5", "N/A", "0")
GARBAGE_PRICES = ("abc", "", "0", "-1.5", "1e400", "nan", "inf", "1.2.3", "12,34", "--")
DATE_NAMES = ("date", "Date", "日期", "trade day", "d")
CLOSE_NAMES = ("close", "Close", "收盘", "Adj Close", "price")
OTHER_NAMES = ("open", "volume", "code", "note", "x1")
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "latin-1", "utf-16")


def _interfaces() -> tuple[set[str], set[str], set[str]]:
    """Keywords of load_prices, flags of data show and run, parameters of 03_experiment."""
    keywords = set(inspect.signature(load_prices).parameters) | set(CSV_OPTIONS)
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    data = next(a for a in commands["data"]._actions if a.dest == "data_command").choices
    flags = {
        s for cmd in (data["show"], commands["run"]) for a in cmd._actions for s in a.option_strings
    }
    notebook = set(papermill.inspect_notebook(str(NOTEBOOK_DIR / EXPERIMENT_NOTEBOOK)))
    return keywords, flags, notebook


KEYWORDS, FLAGS, NOTEBOOK_PARAMETERS = _interfaces()


def _check_message(message: str) -> None:
    for name in re.findall(r"(?<![\w%-])([a-z][a-z_]*)=(?:\.\.\.|'|\d)", message):
        assert name in KEYWORDS, f"{name!r} is not a keyword of load_prices: {message}"
    for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", message):
        assert flag in FLAGS, f"{flag} is not a flag of data show or run: {message}"
    for name in re.findall(r"(?<![\w-])-p ([a-z_]+)", message):
        assert name in NOTEBOOK_PARAMETERS, f"-p {name} is not a notebook parameter: {message}"


def _number(value: float, thousands: str | None, decimal: str) -> str:
    text = f"{value:,.2f}" if thousands else f"{value:.4f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands or "")


@st.composite
def csv_cases(draw):
    """A CSV file's bytes and the options to read it with; half clean, half with faults."""
    clean = draw(st.booleans())

    def fault(rate: int = 10) -> bool:  # one chance in `rate` of a fault, in a messy case
        return not clean and draw(st.integers(0, rate - 1)) == 0

    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    thousands = draw(st.sampled_from([None, None, ",", ".", " ", "'"]))
    decimal = draw(st.sampled_from([m for m in (".", ",") if m != thousands]))
    if fault():
        decimal = thousands or "."
    date_format = draw(st.sampled_from(DATE_FORMATS))
    date_name = draw(st.sampled_from(DATE_NAMES))
    close_name = draw(st.sampled_from(CLOSE_NAMES))
    others = draw(st.lists(st.sampled_from(OTHER_NAMES), max_size=2, unique=True))
    header = draw(st.permutations([date_name, close_name, *others]))
    kind = "rows" if clean else draw(st.sampled_from(["rows"] * 8 + ["empty", "header"]))
    n_rows = draw(st.integers(2 if clean else 0, 8)) if kind == "rows" else 0
    start = datetime(2020, 1, 2, 16, 0) + timedelta(days=draw(st.integers(-36500, 3650)))
    zone = timezone(timedelta(hours=draw(st.sampled_from([-5, -4, 0, 8]))))
    intraday = date_format == "%Y-%m-%d %H:%M" and draw(st.booleans())
    rows = []
    day = start
    price = draw(st.floats(0.01, 1e7))
    for _ in range(n_rows):
        day += timedelta(days=draw(st.sampled_from([1, 1, 1, 3, 0] if fault(2) else [1, 3])))
        minutes = draw(st.sampled_from([0, 1, 390])) if intraday else 0
        stamp = (day + timedelta(minutes=minutes)).replace(tzinfo=zone)
        if fault():
            date_text = stamp.strftime(draw(st.sampled_from(DATE_FORMATS)))
        elif fault():
            date_text = draw(st.sampled_from(GARBAGE_DATES))
        else:
            date_text = stamp.strftime(date_format)
        price *= float(np.exp(draw(st.sampled_from([0.0, 0.01, -0.02, 0.3, 0.7, -2.3, 6.9]))))
        price_text = _number(price, thousands, decimal)
        if fault():
            price_text = draw(st.sampled_from(GARBAGE_PRICES))
        values = {date_name: date_text, close_name: price_text}
        rows.append([values.get(name, draw(st.sampled_from(["1", "", "x y"]))) for name in header])
    buffer = io.StringIO()
    quoting = csv.QUOTE_NONE if fault() else csv.QUOTE_MINIMAL
    writer = csv.writer(
        buffer,
        delimiter=sep,
        quoting=quoting,
        escapechar="\\" if quoting == csv.QUOTE_NONE else None,
        lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
    )
    if kind != "empty":
        writer.writerow(header)
        writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    payload = buffer.getvalue().encode(encoding, errors="replace")
    options = {
        "date_column": "date" if fault() else date_name,
        "close_column": "close" if fault() else close_name,
        "sep": "," if fault() else sep,
        "thousands": None if fault() else thousands,
        "decimal": "." if fault() else decimal,
        "date_format": draw(
            st.sampled_from([None, date_format, "%d/%m/%Y"] if fault() else [None, date_format])
        ),
        "encoding": "utf-8" if fault() else encoding,
    }
    bounds = {
        "start": draw(
            st.sampled_from(
                [None, str(start.date()), "2020-01-01", "garbage"]
                if fault(3)
                else [None, str(start.date())]
            )
        ),
        "end": draw(
            st.sampled_from(
                [None, "2030-12-31", str(start.date())] if fault(3) else [None, "2030-12-31"]
            )
        ),
        "max_gap": draw(st.integers(0, 5)),
        "suspicious": draw(st.sampled_from(["warn", "reject"])),
    }
    return payload, options, bounds


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=csv_cases())
def test_any_csv_loads_validated_or_raises_a_data_error_naming_real_options(tmp_path, case):
    payload, options, bounds = case
    path = tmp_path / "prices.csv"
    path.write_bytes(payload)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = load_prices("csv", "X", path=path, **options, **bounds)
        except DataError as exc:
            _check_message(str(exc))
            frame = None
    others = [w for w in caught if not issubclass(w.category, DataWarning)]
    assert not others, [f"{w.category.__name__}: {w.message}" for w in others]
    for warning in caught:
        _check_message(str(warning.message))
    if frame is None:
        return
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "date"
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    close = frame["close"].to_numpy()
    assert len(close) >= 2 and np.isfinite(close).all() and (close > 0).all()
    record = frame.attrs["provenance"]
    assert record["rows"] == len(frame) and len(record["sha256"]) == 64
    assert len(record["suspicious_jumps"]) <= 10
    json.dumps(record)


@pytest.mark.parametrize(
    "message",
    [
        "set date_fmt=... (data show --date-format, run -p date_format)",
        "set date_format=... (data show --datefmt, run -p date_format)",
        "set date_format=... (data show --date-format, run -p datefmt)",
    ],
)
def test_the_message_check_catches_options_that_do_not_exist(message) -> None:
    with pytest.raises(AssertionError):
        _check_message(message)
