"""``python -m lstmgru data ...``: listing and inspecting data from the command line."""

from __future__ import annotations

import subprocess
import sys

from lstmgru.cli import main


def test_data_list_prints_each_offline_source(capsys) -> None:
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "skfolio: AAPL, AMD, BAC" in out and "SP500" in out
    assert "arch: NASDAQ, SP500" in out


def test_data_show_prints_span_rows_missing_and_sha(capsys) -> None:
    assert main(["data", "show", "KO", "--start", "2022-01-01"]) == 0
    out = capsys.readouterr().out
    assert "first_date" in out and "2022-01-03" in out
    assert "rows" in out and "249" in out
    assert "missing_values  0" in out
    assert "sha256" in out


def test_bad_input_is_one_clear_line_and_exit_code_2(capsys) -> None:
    assert main(["data", "show", "APPL"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ticker 'APPL' not in skfolio dataset")
    assert "Traceback" not in err


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lstmgru", "data", "list"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "skfolio:" in result.stdout
