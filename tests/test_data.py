"""Data layer: every source loads, every bad input gets a clear error naming the fix."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from lstmgru.data import (
    DataError,
    DataWarning,
    available_tickers,
    describe,
    load_prices,
    provenance,
)


def test_skfolio_default_loads_validated_frame() -> None:
    frame = load_prices("skfolio", "AAPL", start="2020-01-01", end="2020-12-31")
    assert list(frame.columns) == ["close"]
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert frame.index.name == "date"
    # 2020 had 253 NYSE trading days.
    assert len(frame) == 253
    record = provenance(frame)
    assert record["first_date"] == "2020-01-02" and record["last_date"] == "2020-12-31"
    assert record["rows"] == 253 and record["source"] == "skfolio" and record["ticker"] == "AAPL"
    assert len(record["sha256"]) == 64


def test_checksum_is_sha256_of_index_and_values() -> None:
    frame = load_prices("skfolio", "KO", start="2021-01-01", end="2021-03-31")
    digest = hashlib.sha256()
    digest.update(frame.index.asi8.astype("<i8").tobytes())
    digest.update(b"close")
    digest.update(frame["close"].to_numpy("<f8").tobytes())
    assert provenance(frame)["sha256"] == digest.hexdigest()


def test_skfolio_index_and_ticker_list() -> None:
    tickers = available_tickers("skfolio")
    assert len(tickers) == 21 and "SP500" in tickers and "AAPL" in tickers
    frame = load_prices("skfolio", "SP500", start="2022-12-01")
    assert frame.index[-1] == pd.Timestamp("2022-12-28")


def test_arch_source_has_ohlcv() -> None:
    frame = load_prices("arch", "NASDAQ", start="2018-01-01")
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert frame.index[-1] == pd.Timestamp("2018-12-31")
    assert (frame["high"] >= frame["low"]).all()


def test_unknown_ticker_lists_close_matches_and_available() -> None:
    with pytest.raises(DataError, match=r"'APPL' not in skfolio dataset.*Close matches: AAPL"):
        load_prices("skfolio", "APPL")
    with pytest.raises(DataError, match="Available: AAPL, AMD"):
        load_prices("skfolio", "ZZZZ")


def test_unknown_source_names_the_sources() -> None:
    with pytest.raises(DataError, match=r"unknown source 'skfolo'.*'skfolio'.*csv"):
        load_prices("skfolo", "AAPL")


def test_empty_span_and_reversed_dates() -> None:
    with pytest.raises(DataError, match="no prices between 2030-01-01.*cover 1990-01-02"):
        load_prices("skfolio", "AAPL", start="2030-01-01")
    with pytest.raises(DataError, match="start 2021-01-01 is after end 2020-01-01"):
        load_prices("skfolio", "AAPL", start="2021-01-01", end="2020-01-01")


def test_options_for_embedded_sources_are_rejected() -> None:
    with pytest.raises(DataError, match="takes no options"):
        load_prices("skfolio", "AAPL", path="x.csv")


# --- CSV ----------------------------------------------------------------------------------------


def _write(tmp_path, text: str, name: str = "prices.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_chinese_a_share_export_in_gbk(tmp_path) -> None:
    text = (
        ",date,open,close,high,low,volume,code\n"
        "0,2020-01-02,1128.0,1130.0,1145.06,1116.0,148099,600519\n"
        "1,2020-01-03,1117.0,1078.56,1117.0,1076.9,130318,600519\n"
        "2,2020-01-06,1070.86,1077.99,1092.9,1067.3,63414,600519\n"
    )
    path = _write(tmp_path, text, "SH600519.csv", encoding="gbk")
    frame = load_prices(
        "csv", "", path=path, close_column="open", volume_column="volume", encoding="gbk"
    )
    assert provenance(frame)["ticker"] == "SH600519"
    np.testing.assert_allclose(frame["close"], [1128.0, 1117.0, 1070.86])
    assert frame["volume"].iloc[1] == 130318


def test_chinese_column_names(tmp_path) -> None:
    text = "日期,收盘\n2020-01-02,10.5\n2020-01-03,10.7\n"
    path = _write(tmp_path, text, encoding="gbk")
    frame = load_prices(
        "csv", "贵州茅台", path=path, date_column="日期", close_column="收盘", encoding="gbk"
    )
    assert provenance(frame)["ticker"] == "贵州茅台"
    assert frame["close"].tolist() == [10.5, 10.7]


def test_yahoo_style_export_case_insensitive_columns(tmp_path) -> None:
    text = (
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2023-01-03,130.28,130.90,124.17,125.07,124.54,112117500\n"
        "2023-01-04,126.89,128.66,125.08,126.36,125.82,89113600\n"
    )
    path = _write(tmp_path, text)
    frame = load_prices("csv", "AAPL", path=path, close_column="Adj Close")
    assert frame["close"].tolist() == [124.54, 125.82]
    assert frame.index[0] == pd.Timestamp("2023-01-03")


def test_wrong_encoding_names_the_option(tmp_path) -> None:
    path = _write(tmp_path, "日期,收盘\n2020-01-02,10.5\n", encoding="gbk")
    with pytest.raises(DataError, match="encoding=.*gbk"):
        load_prices("csv", "X", path=path, date_column="日期", close_column="收盘")


def test_csv_without_mapped_column_names_the_columns_found(tmp_path) -> None:
    path = _write(tmp_path, "day,price\n2020-01-02,1\n")
    with pytest.raises(DataError, match=r"no date column 'date'; columns found: day, price"):
        load_prices("csv", "X", path=path)


def test_unparseable_dates(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,1\nnot-a-date,2\n")
    with pytest.raises(DataError, match="first bad value: 'not-a-date'.*date_format"):
        load_prices("csv", "X", path=path)


def test_date_format_option(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n20200102,1\n20200103,1.1\n")
    frame = load_prices("csv", "X", path=path, date_format="%Y%m%d")
    assert frame.index[1] == pd.Timestamp("2020-01-03")


def test_duplicate_dates_are_named(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,1\n2020-01-03,2\n2020-01-03,3\n")
    with pytest.raises(DataError, match="1 duplicate date.*2020-01-03"):
        load_prices("csv", "X", path=path)


@pytest.mark.parametrize("value", ["0", "-1.5"])
def test_non_positive_prices(tmp_path, value: str) -> None:
    path = _write(tmp_path, f"date,close\n2020-01-02,1\n2020-01-03,{value}\n")
    with pytest.raises(DataError, match="non-positive or non-finite close.*2020-01-03"):
        load_prices("csv", "X", path=path)


def test_non_numeric_prices(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,1\n2020-01-03,abc\n")
    with pytest.raises(DataError, match="non-numeric values, e.g. abc"):
        load_prices("csv", "X", path=path)


def test_unsorted_csv_is_sorted(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-03,1.1\n2020-01-02,1\n")
    assert load_prices("csv", "X", path=path)["close"].tolist() == [1.0, 1.1]


def test_gap_policy_fills_short_gaps_and_rejects_long_ones(tmp_path) -> None:
    rows = ["date,close"] + [f"2020-01-{d:02d},{'' if d in (3, 6, 7) else d}" for d in range(1, 11)]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    with pytest.warns(DataWarning, match="2 suspicious daily jump"):  # 1 -> 2 -> 4 doubles
        frame = load_prices("csv", "X", path=path, max_gap=2)
    assert frame["close"].tolist() == [1, 2, 2, 4, 5, 5, 5, 8, 9, 10]
    assert provenance(frame)["forward_filled"] == 3
    with pytest.raises(DataError, match="2 consecutive missing closes.*2020-01-06.*max_gap=1"):
        load_prices("csv", "X", path=path, max_gap=1)


def test_missing_first_close(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,\n2020-01-03,2\n")
    with pytest.raises(DataError, match="first close .2020-01-02. is missing"):
        load_prices("csv", "X", path=path)


def test_missing_file_and_missing_path(tmp_path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_prices("csv", "X", path=tmp_path / "nope.csv")
    with pytest.raises(DataError, match="needs path="):
        load_prices("csv", "X")


def test_yfinance_offline_names_offline_sources(tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "yfinance", None)  # import fails like a missing extra
    with pytest.raises(DataError, match="Offline sources: skfolio, arch, csv"):
        load_prices("yfinance", "AAPL", cache_dir=tmp_path)


def test_yfinance_cache_is_read_without_network(tmp_path) -> None:
    cached = tmp_path / "MSFT_2020-01-01_last.csv"
    cached.write_text("date,close,volume\n2020-01-02,160.6,22622100\n2020-01-03,158.6,21116200\n")
    frame = load_prices("yfinance", "MSFT", start="2020-01-01", cache_dir=tmp_path)
    assert frame["close"].tolist() == [160.6, 158.6]


def test_describe_reports_missing_and_range() -> None:
    info = describe(load_prices("skfolio", "KO", start="2022-01-01"))
    assert info["missing_values"] == 0
    # 2022 had 251 NYSE sessions; the data end on 2022-12-28, two sessions early.
    assert info["rows"] == 249 and info["close_min"] < info["close_max"]


# --- Options named by the messages exist (issue: hints named options no command accepted) ---------


def _show_flags() -> set[str]:
    from lstmgru.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    data_commands = next(a for a in commands["data"]._actions if a.dest == "data_command")
    show = data_commands.choices["show"]
    run = commands["run"]
    return {s for a in show._actions for s in a.option_strings}, {
        s for a in run._actions for s in a.option_strings
    }


def test_every_option_a_message_names_exists_in_each_interface() -> None:
    import inspect

    import papermill

    from lstmgru.config import OPTION_INTERFACES, DataConfig, ModelConfig, option_hint
    from lstmgru.data import CSV_OPTIONS, YFINANCE_OPTIONS
    from lstmgru.runs import EXPERIMENT_NOTEBOOK, NOTEBOOK_DIR

    show_flags, run_flags = _show_flags()
    notebook = papermill.inspect_notebook(str(NOTEBOOK_DIR / EXPERIMENT_NOTEBOOK))
    keywords = set(inspect.signature(load_prices).parameters) | set(CSV_OPTIONS)
    keywords |= set(YFINANCE_OPTIONS)
    fields = {f.name for f in dataclasses.fields(DataConfig) + dataclasses.fields(ModelConfig)}
    for name, (show, run) in OPTION_INTERFACES.items():
        assert name in keywords | fields, name
        if show is not None:
            assert show in show_flags, (name, show)
        if run is not None and run.startswith("-p "):
            assert run[3:] in notebook, (name, run)
        elif run is not None:
            assert run in run_flags, (name, run)
    assert option_hint("date_format") == (
        "set date_format=... (data show --date-format, run -p date_format)"
    )
    for name in ("date_format", "sep", "thousands", "decimal", "max_gap", "suspicious", "window"):
        assert name in notebook, f"03_experiment lacks parameter {name}"
    assert notebook["max_gap"]["default"] == "5" and notebook["window"]["default"] == "0"


def test_date_format_sep_thousands_decimal_and_max_gap_in_data_show(tmp_path, capsys) -> None:
    from lstmgru.cli import main

    text = "Datum;Schluss\n02/01/2020;1.234,5\n03/01/2020;\n06/01/2020;1.240,25\n"
    path = _write(tmp_path, text)
    argv = ["data", "show", "DAX", "--source", "csv", "--path", str(path)]
    assert main(argv) == 2
    assert "set sep=... (data show --sep, run -p sep)" in capsys.readouterr().err
    argv += ["--date-column", "Datum", "--close-column", "Schluss", "--sep", ";"]
    argv += ["--thousands", ".", "--decimal", ",", "--date-format", "%d/%m/%Y"]
    assert main([*argv, "--max-gap", "0"]) == 2
    assert "exceed max_gap=0" in capsys.readouterr().err
    assert main([*argv, "--max-gap", "1"]) == 0
    shown = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert shown["first_date"] == "2020-01-02" and shown["close_max"] == "1240.25"
    assert shown["forward_filled"] == "1" and "suspicious_jumps" not in shown
    frame = load_prices(
        "csv",
        "DAX",
        path=path,
        date_column="Datum",
        close_column="Schluss",
        sep=";",
        thousands=".",
        decimal=",",
        date_format="%d/%m/%Y",
        max_gap=1,
    )
    assert frame["close"].tolist() == [1234.5, 1234.5, 1240.25]
    assert frame.index[0] == pd.Timestamp("2020-01-02")


def test_thousands_marks_are_checked(tmp_path) -> None:
    path = _write(tmp_path, 'date,close\n2020-01-02,"1,234.5"\n2020-01-03,"12,34.5"\n')
    with pytest.raises(DataError, match=r"non-numeric values, e.g. 1,234.5.*set thousands="):
        load_prices("csv", "X", path=path)
    with pytest.raises(DataError, match=r"non-numeric values, e.g. 12,34.5 \(first in row 3"):
        load_prices("csv", "X", path=path, thousands=",")


def test_message_hints_use_the_commands_options(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,1\nnot-a-date,2\n")
    with pytest.raises(DataError, match=r"set date_format=\.\.\. \(data show --date-format, run "):
        load_prices("csv", "X", path=path)
    rows = ["date,close", "2020-01-02,1", "2020-01-03,", "2020-01-06,", "2020-01-07,1.1"]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"max_gap=1; raise it \(set max_gap=\.\.\. \(data show "):
        load_prices("csv", "X", path=path, max_gap=1)


def test_short_series_message_names_window_parameter() -> None:
    from conftest import synthetic_prices

    from lstmgru.features import InsufficientDataError, chronological_split

    with pytest.raises(InsufficientDataError, match=r"shorten the window \(set window=\.\.\. "):
        chronological_split(synthetic_prices(12), window=5)


# --- Directory, mixed dates, time zones, encodings, constant prices ------------------------------


def test_directory_as_csv_path_says_directory(tmp_path) -> None:
    _write(tmp_path, "date,close\n2020-01-02,1\n", name="KO.csv")
    with pytest.raises(DataError, match=r"is a directory; give a file in it, e.g. .*KO.csv"):
        load_prices("csv", "X", path=tmp_path)


def test_mixed_date_formats_name_the_first_misfit_without_pandas_warnings(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2019-01-02,1\n2019-01-03,1.1\n04/01/2019,1.2\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DataError) as info:
            load_prices("csv", "X", path=path)
    message = str(info.value)
    assert "'%Y-%m-%d' inferred from the first date '2019-01-02'" in message
    assert "first bad value: '04/01/2019', row 4 of the file" in message
    assert not caught, [str(w.message) for w in caught]
    # the same with a given format: the first value that does not fit it
    with pytest.raises(DataError, match="format '%d/%m/%Y' .first bad value: '2019-01-02', row 2"):
        load_prices("csv", "X", path=path, date_format="%d/%m/%Y")


def test_time_zoned_dates_keep_local_time_with_start_and_end(tmp_path) -> None:
    text = (
        "date,close\n2020-01-02T16:00:00-05:00,10\n2020-01-03T16:00:00-05:00,10.5\n"
        "2020-03-09T16:00:00-04:00,11\n"
    )
    frame = load_prices(
        "csv", "X", start="2020-01-01", end="2020-12-31", path=_write(tmp_path, text)
    )
    assert list(frame.index) == [
        pd.Timestamp("2020-01-02 16:00"),
        pd.Timestamp("2020-01-03 16:00"),
        pd.Timestamp("2020-03-09 16:00"),
    ]
    record = provenance(frame)
    assert record["time_zone"].startswith("UTC-04:00, UTC-05:00 dropped")
    assert record["non_daily"] is None and record["first_date"] == "2020-01-02"


def test_unknown_encoding_is_a_data_error(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,1\n")
    with pytest.raises(DataError, match=r"unknown encoding 'nosuchenc'; set encoding=\.\.\."):
        load_prices("csv", "X", path=path, encoding="nosuchenc")


def test_constant_close_is_a_data_error(tmp_path) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,7\n2020-01-03,7\n2020-01-06,\n2020-01-07,7\n")
    with pytest.raises(DataError, match=r"close is constant \(7\) over 2020-01-02 to 2020-01-07"):
        load_prices("csv", "X", path=path)


# --- Blank dates, suspicious jumps, non-daily timestamps ----------------------------------------


@pytest.mark.parametrize("span", [{}, {"start": "2020-01-01"}, {"end": "2020-12-31"}])
def test_blank_date_is_rejected_with_or_without_a_span(tmp_path, span) -> None:
    path = _write(tmp_path, "date,close\n2020-01-02,1\n,1.1\n2020-01-06,1.2\n")
    with pytest.raises(DataError, match=r"1 row\(s\) have no date in column 'date'.*row 3"):
        load_prices("csv", "X", path=path, **span)


def test_suspicious_jumps_warn_by_default_and_reject_on_request(tmp_path) -> None:
    rows = ["date,close", "2020-01-02,10", "2020-01-03,10000", "2020-01-06,10.1", "2020-01-07,1.02"]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    with pytest.warns(DataWarning, match=r"3 suspicious daily jump.*2020-01-03 \(\+6.91\)"):
        frame = load_prices("csv", "X", path=path)
    record = provenance(frame)
    assert record["suspicious_jumps_total"] == 3
    assert record["suspicious_jumps"][0] == {"date": "2020-01-03", "log_return": 6.9078}
    assert record["suspicious_jumps"][2] == {
        "date": "2020-01-07",
        "log_return": -2.2927,
    }  # log(1.02 / 10.1)
    json.dumps(record)
    with pytest.raises(DataError, match=r"2020-01-03.*set suspicious='warn'"):
        load_prices("csv", "X", path=path, suspicious="reject")
    with pytest.raises(DataError, match="suspicious must be one of warn, reject"):
        load_prices("csv", "X", path=path, suspicious="ignore")


def test_data_show_prints_findings_and_the_warning(tmp_path, capsys) -> None:
    from lstmgru.cli import main

    path = _write(tmp_path, "date,close\n2020-01-02,10\n2020-01-03,10000\n2020-01-06,10000.5\n")
    argv = ["data", "show", "X", "--source", "csv", "--path", str(path)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("warning: 1 suspicious daily jump(s)")
    shown = dict(line.split(None, 1) for line in captured.out.splitlines())
    assert shown["suspicious_jumps"] == "[{'date': '2020-01-03', 'log_return': 6.9078}]"
    assert main([*argv, "--suspicious", "reject"]) == 2
    assert "set suspicious='warn' (data show --suspicious warn" in capsys.readouterr().err


def test_jump_list_is_capped_and_counts_the_total(tmp_path) -> None:
    closes = [10.0 if i % 2 else 1.0 for i in range(30)]  # 29 jumps of +-log 10
    dates = pd.bdate_range("2020-01-01", periods=30)
    text = "date,close\n" + "".join(f"{d.date()},{c}\n" for d, c in zip(dates, closes, strict=True))
    with pytest.warns(DataWarning, match="29 suspicious daily jump.* and 24 more"):
        frame = load_prices("csv", "X", path=_write(tmp_path, text))
    record = provenance(frame)
    assert record["suspicious_jumps_total"] == 29 and len(record["suspicious_jumps"]) == 10


def test_intraday_timestamps_are_not_daily(tmp_path) -> None:
    text = "date,close\n2020-01-02 09:30,1\n2020-01-02 09:31,1.01\n2020-01-03 09:30,1.02\n"
    path = _write(tmp_path, text)
    with pytest.warns(DataWarning, match="not daily: 1 calendar day.*more than one row"):
        frame = load_prices("csv", "X", path=path)
    assert provenance(frame)["non_daily"].startswith("1 calendar day(s) have more than one row")
    with pytest.raises(DataError, match="not daily"):
        load_prices("csv", "X", path=path, suspicious="reject")
    text = "date,close\n2020-01-02 09:30,1\n2020-01-03 16:00,1.01\n"
    with pytest.warns(DataWarning, match="times of day differ across rows"):
        load_prices("csv", "X", path=_write(tmp_path, text))


def test_embedded_series_raise_two_jump_warnings_in_all() -> None:
    """Over 1990-2022 only AAPL 2000-09-29 (-52 %) and RRC 1990-04-10 (stale price) exceed 0.5."""
    flagged = {}
    for source in ("skfolio", "arch"):
        for ticker in available_tickers(source):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                record = provenance(load_prices(source, ticker))
            assert all(issubclass(w.category, DataWarning) for w in caught)
            assert record["non_daily"] is None
            if record["suspicious_jumps_total"]:
                flagged[ticker] = [j["date"] for j in record["suspicious_jumps"]]
    assert flagged == {"AAPL": ["2000-09-29"], "RRC": ["1990-04-10"]}
