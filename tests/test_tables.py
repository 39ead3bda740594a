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
    latex = tables.latex_table(wide, caption="Wide.", label="tab:wide")
    parts = latex.count(r"\begin{tabular}")
    assert parts >= 2 and r"\footnotesize" in latex
    assert latex.count("Model &") == parts  # the index repeats in each part
    # Each part is its own portrait table: the first numbered, the others continue it.
    assert latex.count(r"\captionof{table}[{Wide}]{Wide.}\label{tab:wide}") == 1
    assert latex.count(r"\captionof*{table}{Table~\thetable{} (continued)}") == parts - 1
    assert latex.count(r"\begin{minipage}") == parts
    assert "sideways" not in latex and "rotat" not in latex and "landscape" not in latex
    text = pd.DataFrame({"source": ["skfolio"], "tickers": [", ".join(["AAPL"] * 40)]})
    wrapped = tables.latex_table(text, caption="Text.")
    assert r"\begin{tabularx}{\linewidth}{@{}l>{\raggedright\arraybackslash}X@{}}" in wrapped


def test_long_tables_break_across_pages() -> None:
    latex = tables.latex_table(pd.DataFrame({"x": np.arange(40.0)}), caption="Long.", label="t")
    assert r"\begin{longtable}" in latex and r"\caption[{Long}]{Long.}\label{t} \\" in latex
    # more than about half a page of rows breaks; up to that, the table stays one block
    rows = tables.LONG_ROWS
    assert 15 <= rows <= 25
    above = tables.latex_table(pd.DataFrame({"x": np.arange(rows + 1.0)}), caption="A.")
    block = tables.latex_table(pd.DataFrame({"x": np.arange(float(rows))}), caption="B.")
    assert r"\begin{longtable}" in above and r"\begin{minipage}" not in above
    assert r"\begin{minipage}" in block and r"\begin{longtable}" not in block


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


# ----------------------------------------------------------------------------------------------
# Formats, emphasis and notes
# ----------------------------------------------------------------------------------------------


def _texts(frame: pd.DataFrame, **options) -> pd.DataFrame:
    """The display texts of ``frame`` (what both renderers print), stars appended."""
    cells = tables._cells(
        frame,
        digits=options.pop("digits", 3),
        formats=options.pop("formats", None),
        names=options.pop("names", None),
        index=options.pop("index", None),
        na_rep=tables.NA,
        **options,
    )
    return cells.frame + cells.stars


def test_code_names_become_display_names_without_being_passed() -> None:
    frame = pd.DataFrame(
        {"dm_pvalue_vs_random_walk": [0.5], "first_date": ["2020-01-02"], "in_mcs": [True]},
        index=pd.Index(["lstm_gru"], name="model"),
    )
    texts = _texts(frame)
    assert list(texts.columns) == ["Model", "DM p", "First date", "In MCS"]
    assert texts.iloc[0].tolist() == ["LSTM–GRU", "0.500", "2020-01-02", "yes"]
    # A table's own names take precedence over the registry.
    assert list(_texts(frame, names={"in_mcs": "In the 90 % set"}).columns)[-1] == (
        "In the 90 % set"
    )


def test_pvalues_have_three_decimals_and_stars() -> None:
    frame = pd.DataFrame({"cw_pvalue_vs_random_walk": [0.0004, 0.009, 0.03, 0.07, 0.5, np.nan]})
    assert _texts(frame).iloc[:, 0].tolist() == [
        "<0.001***",
        "0.009***",
        "0.030**",
        "0.070*",
        "0.500",
        "–",
    ]
    assert _texts(frame, stars=False).iloc[:, 0].tolist()[:2] == ["<0.001", "0.009"]
    # A column the registry does not know is a p-value by its label; bounded texts are kept.
    kpss = pd.DataFrame({"KPSS p-value": ["<0.010", ">0.100"]})
    assert _texts(kpss).iloc[:, 0].tolist() == ["<0.010***", ">0.100"]
    latex = tables.latex_table(frame, caption="P.")
    assert r"\textsuperscript{***}" in latex and r"\phantom{\textsuperscript{*}}" in latex
    assert "*, **, ***: p-value below 0.10, 0.05, 0.01." in latex
    html = tables.html_table(frame, caption="P.")
    assert "<sup>***</sup>" in html and "p-value below 0.10, 0.05, 0.01" in html


def test_small_values_are_scaled_never_zero_and_never_minus_zero() -> None:
    frame = pd.DataFrame(
        {"mse_return": [0.000371, 0.000368, 0.0004], "x": [-0.00001, 0.5, 0.2]},
        index=pd.Index(["random_walk", "arima", "lstm_gru"], name="model"),
    )
    texts = _texts(frame, digits=3)
    assert list(texts.columns) == ["Model", "MSE (return, ×10⁴)", "x"]
    assert texts["MSE (return, ×10⁴)"].tolist() == ["3.710", "3.680", "4.000"]
    assert texts["x"].tolist() == ["0.000", "0.500", "0.200"]  # no "−0.000"
    # Values that keep two significant digits at the table's precision stay as they are.
    rates = _texts(pd.DataFrame({"learning_rate": [0.001, 0.003]}), digits=4)
    assert rates.iloc[:, 0].tolist() == ["0.0010", "0.0030"] and rates.columns[0] == "learning_rate"
    latex = tables.latex_table(frame, caption="S.")
    assert r"MSE (return, \texttimes{}10\textsuperscript{4})" in latex or (
        r"MSE (return, ×10\textsuperscript{4})" in latex
    )
    assert r"$\times 10^k$" in latex


def test_percent_counts_dates_infinities_and_booleans() -> None:
    frame = pd.DataFrame(
        {
            "r2_oos": [0.00123, -0.0005],
            "rows": [3269.0, 12.0],
            "test_days": [501, 1200],
            "day": pd.to_datetime(["2021-01-04", "2022-03-01"]),
            "theil_u2": [np.inf, -np.inf],
            "in_mcs": pd.array([True, False], dtype="boolean"),
        },
        index=pd.Index(["AAPL", "KO"], name="ticker"),
    )
    texts = _texts(frame)
    assert texts.columns[1] == "R²(OOS) (%)" and texts.columns[0] == "Instrument"
    assert texts.iloc[:, 1].tolist() == ["0.123", "−0.050"]
    assert texts["Rows"].tolist() == ["3,269", "12"]
    assert texts["Test days"].tolist() == ["501", "1,200"]
    assert texts["day"].tolist() == ["2021-01-04", "2022-03-01"]
    assert texts["Theil's U₂"].tolist() == ["–", "–"]
    assert texts["In MCS"].tolist() == ["yes", "no"]


def test_format_strings_in_e_notation_read_as_powers_of_ten() -> None:
    frame = pd.DataFrame({"d": [1.77e-07, 0.0]}, index=["LSTM", "GRU"])
    texts = _texts(frame, formats={"d": "{:.1e}"})
    assert texts["d"].tolist() == ["1.8×10⁻⁷", "0.0"]
    assert r"1.8×10\textsuperscript{−}\textsuperscript{7}" in tables.latex_table(
        frame, formats={"d": "{:.1e}"}
    )


def test_best_value_is_bold_with_ties_at_the_printed_precision() -> None:
    frame = pd.DataFrame(
        {"theil_u2": [1.0, 0.99481, 0.99479, 1.2], "directional_accuracy": [0.5, 0.51, 0.4, 0.3]},
        index=pd.Index(["random_walk", "arima", "lstm", "gru"], name="model"),
    )
    cells = tables._cells(frame, digits=3, formats=None, names=None, index=None, na_rep="–")
    assert cells.bold["Theil's U₂"].tolist() == [False, True, True, False]  # 0.995 twice
    assert cells.bold["DA (share)"].tolist() == [False, True, False, False]
    assert cells.bold["Model"].tolist() == [False] * 4
    latex = tables.latex_table(frame, caption="B.", digits=3)
    assert latex.count(r"\textbf{0.995}") == 2 and "Bold: the best value" in latex
    assert "<strong>0.510</strong>" in tables.html_table(frame, digits=3)
    # A table's direction for columns the registry does not know (instruments as columns).
    by_ticker = pd.DataFrame({"AAPL": [1.0, 0.98], "KO": [1.0, 1.01]}, index=["ar", "gru"])
    bold = tables._cells(
        by_ticker, digits=3, formats=None, names=None, index=None, na_rep="–", best="lower"
    ).bold
    assert bold["AAPL"].tolist() == [False, True] and bold["KO"].tolist() == [True, False]
    none = tables._cells(
        frame, digits=3, formats=None, names=None, index=None, na_rep="–", best={"theil_u2": None}
    ).bold
    assert not none["Theil's U₂"].any()
    with pytest.raises(ValueError, match="best must be"):
        tables.latex_table(frame, best="smallest")


def test_index_is_never_a_pandas_range_but_a_named_index_is_shown() -> None:
    frame = pd.DataFrame({"a": [1.5, 2.5]}, index=[3, 7])  # unnamed integer labels: hidden
    latex = tables.latex_table(frame)
    assert "\n3 &" not in latex and "a \\\\" in latex
    named = pd.DataFrame({"rows": [10, 20]}, index=pd.Index([0, 1], name="fold"))
    assert r"Fold & Rows \\" in tables.latex_table(named)


def test_user_note_comes_first() -> None:
    frame = pd.DataFrame({"pt_pvalue": [0.01, 0.2]})
    latex = tables.latex_table(frame, caption="N.", note="Raw $p$-values.")
    assert r"\emph{Note.} Raw $p$-values. *, **, ***" in latex


@pytest.mark.parametrize(
    ("caption", "short"),
    [
        ("Folds: first and last day.", "Folds"),
        ("Spans of the data and checksum.", "Spans of the data and checksum"),
        (
            "Cumulative squared-error difference against the random walk (above zero: the "
            "model has lost more than the random walk so far).",
            "Cumulative squared-error difference against the random walk",
        ),
        (
            "Clark–West tests against the drift (one-sided; raw and Holm-adjusted).",
            "Clark–West tests against the drift (one-sided; raw and Holm-adjusted)",
        ),
        ("Scores, e.g. RMSE. More.", "Scores, e.g. RMSE"),
        (
            "One-step forecasts against the observed close over the test span, with the last 60 "
            "days enlarged.",
            "One-step forecasts against the observed close over the test span",
        ),
        (
            "Gradient norm $\\lVert \\partial h_T / \\partial s_t \\rVert_2$ against the distance "
            "$T - t$ for a simple RNN, an LSTM and a GRU with random weights ($m = 16$, $n = 1$), "
            "at the Keras initialisation (solid) and with strongly retaining gates, $b_f = 3$.",
            "Gradient norm $\\lVert \\partial h_T / \\partial s_t \\rVert_2$ against the distance "
            "$T - t$ for a simple RNN, an LSTM and a GRU with random weights, at the Keras "
            "initialisation and with strongly retaining gates",
        ),
        ("Norm $x.y: z$ of the gates; more.", "Norm $x.y: z$ of the gates"),
    ],
)
def test_short_caption(caption: str, short: str) -> None:
    assert tables.short_caption(caption) == short


def test_key_value_table_for_records() -> None:
    record = {
        "run_id": "default-x",
        "tickers": ["AAPL", "KO"],
        "data": {"source": "skfolio", "rows": 3269},
        "finished": True,
        "note": None,
    }
    frame = tables.key_value_frame(record)
    assert frame.values.tolist() == [
        ["run_id", "default-x"],
        ["Instruments", "AAPL, KO"],
        ["data.source", "skfolio"],
        ["data.rows", "3269"],
        ["finished", "yes"],
        ["note", "–"],
    ]
    shown = tables.key_value_table(record, caption="Run record.", label="tab:run")
    assert r"\texttt{run\_id}" in shown.latex and r"\label{tab:run}" in shown.latex
    assert "<code>data.source</code>" in shown.html


def test_as_printed_makes_ties_at_the_printed_precision_equal() -> None:
    mse = pd.Series(
        [0.00037102, 0.00037104, 0.00040], index=["ar", "lstm", "gru"], name="mse_return"
    )
    shown = tables.as_printed(mse, digits=3)
    assert shown.tolist() == pytest.approx([0.000371, 0.000371, 0.0004])
    assert shown.rank(method="min").tolist() == [1.0, 1.0, 3.0]
    r2 = pd.Series([0.001234, np.nan], name="r2_oos")
    assert tables.as_printed(r2).tolist()[0] == pytest.approx(0.00123)


def test_best_value_is_sought_within_each_instrument() -> None:
    family = pd.DataFrame(
        {"r2_oos": [0.001, -0.002, -0.010, -0.004]},
        index=pd.MultiIndex.from_tuples(
            [("AAPL", "ar"), ("AAPL", "gru"), ("KO", "ar"), ("KO", "gru")],
            names=["ticker", "model"],
        ),
    )
    cells = tables._cells(family, digits=3, formats=None, names=None, index=None, na_rep="–")
    assert cells.bold.iloc[:, 2].tolist() == [True, False, False, True]
    assert cells.frame.iloc[:, 0].tolist() == ["AAPL", "", "KO", ""]  # outer level once


def test_notes_sit_under_the_table_at_its_width() -> None:
    latex = tables.latex_table(pd.DataFrame({"pt_pvalue": [0.01, 0.2]}), caption="N.")
    assert r"\setbox0=\hbox{%" in latex and r"\parbox{\dimen0}" in latex
    long = tables.latex_table(pd.DataFrame({"pt_pvalue": np.linspace(0, 1, 40)}), caption="L.")
    assert r"\begin{longtable}" in long and r"\emph{Note.}" in long and r"\setbox0" not in long


def test_a_long_table_with_long_text_wraps_in_a_paragraph_column() -> None:
    record = {f"key{i}": "/a/long/path/" * 9 + str(i) for i in range(40)}
    latex = tables.key_value_table(record, caption="Run record.", label="tab:run").latex
    assert r"\begin{longtable}" in latex and "X" not in latex.split("\n")[1]
    assert r">{\raggedright\arraybackslash}p{" in latex and "tabularx" not in latex


def test_a_two_level_header_takes_the_format_of_the_level_the_registry_knows() -> None:
    seeds = pd.DataFrame(
        [[0.0004, 0.00001, 0.51], [0.0005, 0.00002, 0.49]],
        columns=pd.MultiIndex.from_tuples(
            [("mse_return", "mean"), ("mse_return", "std"), ("directional_accuracy", "mean")]
        ),
        index=pd.Index(["lstm", "gru"], name="model"),
    )
    texts = _texts(seeds)
    assert list(texts.columns[1]) == ["MSE (return)", "Mean (×10⁴)"]
    assert texts.iloc[:, 1].tolist() == ["4.000", "5.000"]
    assert texts.iloc[:, 3].tolist() == ["0.510", "0.490"]
    bold = tables._cells(seeds, digits=3, formats=None, names=None, index=None, na_rep="–").bold
    assert bold.iloc[:, 1].tolist() == [True, False] and not bold.iloc[:, 2].any()


def test_every_registered_column_has_a_display_name_and_a_known_kind() -> None:
    from lstmgru.names import COLUMN_FORMATS

    kinds = {"number", "pvalue", "statistic", "percent", "count", "ratio"}
    for key, spec in COLUMN_FORMATS.items():
        assert key in LABELS, key
        assert spec.kind in kinds and spec.better in (None, "lower", "higher"), key
        assert not spec.stars or spec.kind == "pvalue", key
