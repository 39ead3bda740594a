"""Data layer: every source loads, every bad input gets a clear error naming the fix."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from lstmgru.data import DataError, available_tickers, describe, load_prices, provenance


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
    path = _write(tmp_path, "date,close\n20200102,1\n20200103,2\n")
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
    path = _write(tmp_path, "date,close\n2020-01-03,2\n2020-01-02,1\n")
    assert load_prices("csv", "X", path=path)["close"].tolist() == [1.0, 2.0]


def test_gap_policy_fills_short_gaps_and_rejects_long_ones(tmp_path) -> None:
    rows = ["date,close"] + [f"2020-01-{d:02d},{'' if d in (3, 6, 7) else d}" for d in range(1, 11)]
    path = _write(tmp_path, "\n".join(rows) + "\n")
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
