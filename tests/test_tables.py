"""Tables rendered by lstmgru.report.tables: exact LaTeX snapshots, one table per notebook.

The frames are small fixed copies of the notebooks' tables (02: stationarity, 03: scores,
04: Theil's U2 by instrument). A snapshot is the exact text under tests/snapshots/; to accept a
deliberate change, delete the file and rerun the test once (it then writes the new text and
fails, so the change is reviewed in the diff).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmgru.findings import LABELS
from lstmgru.report import tables

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if not path.is_file():
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"wrote new snapshot {path}; review it and rerun")
    assert text == path.read_text(encoding="utf-8")


def _stationarity() -> pd.DataFrame:  # shaped like features.stationarity_table (02_data)
    return pd.DataFrame(
        {
            "adf_stat": [-1.2345, -20.5],
            "adf_pvalue": [0.6543, 0.0],
            "kpss_stat": [4.21, 0.08],
            "kpss_pvalue": [0.01, 0.1],
        },
        index=pd.Index(["log price", "log return"], name="series"),
    )


def _scores() -> pd.DataFrame:  # shaped like evaluation.comparison_table (03_experiment)
    return pd.DataFrame(
        {
            "rmse": [2.5, 2.4871, 2.61],
            "theil_u2": [1.0, 0.99484, 1.044],
            "directional_accuracy": [0.0, 0.5123, 0.4988],
            "dm_pvalue_vs_random_walk": [np.nan, 0.0004, 0.2315],
            "pt_pvalue": [np.nan, 0.031, 0.77],
            "in_mcs": pd.array([True, True, False], dtype="boolean"),
        },
        index=pd.Index(["random_walk", "arima", "lstm_gru"], name="model"),
    )


def _theil_u2() -> pd.DataFrame:  # shaped like comparison.metric_table (04_comparison)
    return pd.DataFrame(
        {
            "AAPL": [1.0, 0.9981, np.nan],
            "MSFT": [1.0, 1.0123, 0.9876],
            "mean": [1.0, 1.0052, 0.9876],
        },
        index=pd.Index(["random_walk", "arima", "lstm_gru_parallel"], name="model"),
    )


def test_snapshot_02_data_stationarity() -> None:
    latex = tables.latex_table(
        _stationarity(), caption="ADF and KPSS tests.", label="tab:stationarity", digits=4
    )
    _check_snapshot("02_stationarity.tex", latex)


def test_snapshot_03_experiment_scores() -> None:
    latex = tables.latex_table(
        _scores(),
        caption="Forecast accuracy and tests against the random walk on the test span.",
        label="tab:scores",
        digits=4,
        names=LABELS,
    )
    _check_snapshot("03_scores.tex", latex)


def test_snapshot_04_comparison_theil_u2() -> None:
    latex = tables.latex_table(
        _theil_u2(),
        caption="Theil's $U_2$ by model and instrument; below 1 beats the random walk.",
        label="tab:theil-u2",
        names=LABELS,
    )
    _check_snapshot("04_theil_u2.tex", latex)


def test_rules_alignment_and_formats() -> None:
    latex = tables.latex_table(_scores(), caption="c", label="tab:s", digits=4, names=LABELS)
    assert latex.count(r"\toprule") == latex.count(r"\bottomrule") == 1
    assert r"\begin{tabular}{@{}lrrrrrl@{}}" in latex  # model, five numbers, yes/no
    assert r"\textless{}0.001" in latex and "0.9948" in latex and "–" in latex
    assert r"\captionof{table}[{c}]{c}\label{tab:s}" in latex
    assert r"LSTM–GRU" in latex and r"Theil's U\textsubscript{2}" in latex
    html = tables.html_table(_scores(), caption="c", label="tab:s", digits=4, names=LABELS)
    assert "&lt;0.001" in html and "<caption>c</caption>" in html and "LSTM–GRU" in html


def test_caption_escapes_text_but_keeps_math() -> None:
    latex = tables.latex_table(_theil_u2(), caption="The 90 % set of $U_2$ & co. More.")
    assert r"{The 90 \% set of $U_2$ \& co. More.}" in latex
    assert r"[{The 90 \% set of $U_2$ \& co}]" in latex


def test_no_index_for_a_plain_range_and_na_rep() -> None:
    frame = pd.DataFrame({"a": [1.5, np.nan], "b": ["x_y", None]})
    latex = tables.latex_table(frame)
    assert latex.startswith(r"\begin{center}") and r"\captionof" not in latex
    assert "a & b" in latex and r"x\_y" in latex and "– & –" in latex


def test_wide_tables_are_split_and_long_text_wraps() -> None:
    wide = pd.DataFrame(
        np.arange(48.0).reshape(3, 16) * 1000.5,
        columns=[f"TICKER{i}" for i in range(16)],
        index=pd.Index(["a", "b", "c"], name="model"),
    )
    latex = tables.latex_table(wide, caption="Wide.")
    parts = latex.count(r"\begin{tabular}")
    assert parts >= 2 and r"\footnotesize" in latex and r"\par\medskip" in latex
    assert latex.count("model &") == parts  # the index repeats in each part
    text = pd.DataFrame({"source": ["skfolio"], "tickers": [", ".join(["AAPL"] * 40)]})
    wrapped = tables.latex_table(text, caption="Text.")
    assert r"\begin{tabularx}{\linewidth}{@{}l>{\raggedright\arraybackslash}X@{}}" in wrapped


def test_long_tables_break_across_pages() -> None:
    latex = tables.latex_table(pd.DataFrame({"x": np.arange(40.0)}), caption="Long.", label="t")
    assert r"\begin{longtable}" in latex and r"\caption[{Long}]{Long.}\label{t} \\" in latex


def test_show_carries_latex_and_html() -> None:
    table = tables.table(_theil_u2(), caption="U2.", label="tab:u", names=LABELS)
    bundle = table._repr_mimebundle_()
    assert bundle["text/latex"] == table.latex == table._repr_latex_()
    assert bundle["text/html"] == table.html and "<table" in table.html
    with pytest.raises(ValueError, match="unknown table option"):
        tables.table(_theil_u2(), digit=3)


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        (pd.DataFrame(), {}, "non-empty"),
        ([1, 2], {}, "DataFrame"),
        (pd.DataFrame({"a": [1.0]}), {"label": "tab:x"}, "needs a caption"),
        (pd.DataFrame({"a": [1.0]}), {"formats": {"a": 1.5}}, "format of column 'a'"),
    ],
)
def test_bad_input(frame, options, message) -> None:
    with pytest.raises(ValueError, match=message):
        tables.latex_table(frame, **options)


def test_moved_from_evaluation() -> None:
    from lstmgru import evaluation

    for name in ("table_to_latex", "table_to_html", "seed_ensemble"):
        assert not hasattr(evaluation, name)
