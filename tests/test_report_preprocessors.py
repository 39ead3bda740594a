"""The report's preprocessors and Markdown handling on tiny in-memory notebooks."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lstmgru import report
from lstmgru.report import chapters, tables
from lstmgru.report.captions import CaptionPreprocessor, HtmlCaptionPreprocessor
from lstmgru.report.preprocessors import (
    LabelPrefixPreprocessor,
    ParameterTablePreprocessor,
    StreamFilterPreprocessor,
)


def _run_preprocessor(preprocessor, nb):
    nb, _ = preprocessor(nb, {})
    return nb


# ----------------------------------------------------------------------------------------------
# Stream filtering
# ----------------------------------------------------------------------------------------------


def test_stream_filter_keeps_content_and_drops_noise() -> None:
    stdout = (
        "Fitting models\n"
        "  0%|          | 0/3 [00:00<?, ?it/s]\r 33%|###3      | 1/3 [00:01<00:02,  1.0it/s]\r"
        "100%|##########| 3/3 [00:03<00:00,  1.0it/s]\n"
        "Epoch 1/3\n"
        "12/12 ━━━━━━━━━━━━━━━━━━━━ 1s 20ms/step - loss: 0.91\n"
        "2024-05-01 12:00:00.123456: I tensorflow/core/platform/cpu_feature_guard.cc:210] AVX\n"
        "W0000 00:00:1714564800.123 1234 gpu_device.cc:2344] Cannot dlopen some GPU libraries.\n"
        "WARNING:tensorflow:5 out of the last 5 calls triggered retracing.\n"
        "/x/site-packages/keras/src/layers/rnn.py:204: UserWarning: Do not pass an input_shape\n"
        "\x1b[1mbest model\x1b[0m: drift\n"
    )
    cell = new_code_cell(
        "run()",
        outputs=[
            new_output("stream", name="stderr", text="Traceback-free warning on stderr\n"),
            new_output("stream", name="stdout", text=stdout),
            new_output("stream", name="stdout", text="\r 50%|#####     | 1/2\r"),
            new_output("display_data", data={"text/plain": "<Figure size 700x400 with 2 Axes>"}),
            new_output(
                "display_data",
                data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}},
            ),
            new_output("error", ename="ValueError", evalue="bad", traceback=["..."]),
        ],
    )
    nb = _run_preprocessor(StreamFilterPreprocessor(), new_notebook(cells=[cell]))
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream", "error"]
    assert outputs[0].name == "stdout"
    assert outputs[0].text == "Fitting models\nbest model: drift\n"


# ----------------------------------------------------------------------------------------------
# Parameter table
# ----------------------------------------------------------------------------------------------

DEFAULTS = """ticker: str = "AAPL"  # instrument to forecast
profile: str = "default"  # quick | default | full
start: str = ""  # first date; "" keeps the profile's value
epochs: int = 0  # maximum training epochs
results_dir: str = ""  # directory for machine-readable results
"""
PARAMETERS = {
    "ticker": "KO",
    "profile": "quick",
    "start": "",
    "epochs": 5,
    "results_dir": "/tmp/run/KO",
    "extra": [1, 2],
}


def _parameter_notebook(parameters=PARAMETERS):
    """A notebook as papermill leaves it: defaults cell, injected cell, values in the metadata."""
    defaults = new_code_cell(DEFAULTS, metadata={"tags": ["parameters", "hide-input"]})
    injected = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    inject = new_code_cell(injected, metadata={"tags": ["injected-parameters"]})
    nb = new_notebook(cells=[new_markdown_cell("# Title"), defaults, inject])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.metadata["papermill"] = {"parameters": dict(parameters)}
    return nb


def test_parameter_rows_show_every_parameter_of_the_run_as_a_reader_reads_it() -> None:
    rows = report.parameter_rows(_parameter_notebook())
    assert rows == [
        ("ticker", "KO", "Instrument to forecast"),
        ("profile", "quick", "quick | default | full"),
        ("start", "profile's value", "First date"),
        ("epochs", "5", "Maximum training epochs"),
        ("extra", "1, 2", ""),
    ]


def test_parameter_table_replaces_the_injected_cell() -> None:
    preprocessor = ParameterTablePreprocessor(label="tab:params", caption="Parameters.")
    nb = _run_preprocessor(preprocessor, _parameter_notebook())
    cell = nb.cells[2]
    assert cell.metadata["label"] == "tab:params"
    assert cell.metadata["caption"] == "Parameters."
    (output,) = cell.outputs
    assert "results_dir" not in output.data["text/html"]
    assert (
        "<th" in output.data["text/html"] and ">Instrument to forecast<" in output.data["text/html"]
    )
    # A booktabs table with its caption and label, as every table of the notebooks.
    latex = output.data["text/latex"]
    assert r"\caption" in latex and "{Parameters.}" in latex and r"\label{tab:params}" in latex
    assert "Parameter & Value & Description" in latex
    assert r"\texttt{ticker} & KO & Instrument to forecast" in latex
    assert r"\texttt{epochs} & 5 & Maximum training epochs" in latex
    assert r"\texttt{start} & profile's value & First date" in latex
    assert r"\toprule" in latex and r"\bottomrule" in latex
    # The caption preprocessor takes the table's LaTeX as it is.
    assert (
        _run_preprocessor(CaptionPreprocessor(), nb).cells[2].outputs[0].data["text/latex"] == latex
    )


def test_parameter_table_is_the_same_for_every_run_and_speaks_of_the_run_only() -> None:
    """A run at the notebook's defaults shows the same rows as any other run."""
    tables_of = []
    for ticker in ("AAPL", "KO"):
        parameters = {"ticker": ticker, "profile": "default", "start": "", "progress": False}
        nb = _run_preprocessor(ParameterTablePreprocessor(), _parameter_notebook(parameters))
        assert len(nb.cells) == 3
        (output,) = nb.cells[2].outputs
        text = output.data["text/latex"] + output.data["text/html"]
        for word in ("papermill", "notebook", "injected", "Set by"):
            assert word not in text
        rows = report.parameter_rows(nb)
        tables_of.append([(name, description) for name, _, description in rows])
        assert [name for name, _, _ in rows] == ["ticker", "profile", "start"]
    assert tables_of[0] == tables_of[1]


def test_experiment_sections_carry_no_parameter_table_and_chapters_keep_theirs(tmp_path) -> None:
    """An instrument's section of the experiments appendix leaves the parameters out (the same
    for every instrument; the configuration is in the reproducibility appendix), while a chapter
    converted as a whole keeps their table."""
    nb = _parameter_notebook()
    nb.cells.append(new_markdown_cell("## Scores\n\nScores of the instrument."))
    path = tmp_path / "03_experiment.ipynb"
    nbformat.write(nb, path)
    build = tmp_path / "build"
    _, section = chapters._experiment_section(path, "KO", "03_01", build)
    assert "Scores of the instrument." in section
    assert "Parameter & Value" not in section and r"\texttt{ticker}" not in section
    assert re.findall(r"\\label\{([^}]*)\}", section) == ["sec:KO"]
    _, chapter, appendix = chapters.chapter_tex(path, "02_data", "chap:data", build, "Data")
    assert appendix is None  # no part tagged appendix
    assert "Parameter & Value & Description" in chapter
    assert r"\label{tab:02_data:parameters}" in chapter


# ----------------------------------------------------------------------------------------------
# Labels, references, citations, headings
# ----------------------------------------------------------------------------------------------


def test_prefixed_label() -> None:
    assert report.prefixed_label("fig:forecasts", "KO") == "fig:KO:forecasts"
    assert report.prefixed_label("tab:a:b", "KO") == "tab:KO:a:b"
    assert report.prefixed_label("scores", "KO") == "KO:scores"


def test_label_prefix_rewrites_local_labels_and_their_references_only() -> None:
    markdown = (
        "## Scores \\label{sec:scores}\n"
        "Figure~\\ref{fig:forecasts} and Tables~\\ref{tab:scores} and "
        "\\cref{tab:scores,fig:forecasts}"
        " use the forget gate \\eqref{eq:lstm-forget}; see Section~\\ref{sec:scores} and "
        "\\hyperref[fig:forecasts]{the figure}."
    )
    cells = [
        new_markdown_cell(markdown),
        new_code_cell("", metadata={"label": "tab:scores", "caption": "Scores."}),
        new_code_cell(
            "",
            metadata={"label": "fig:forecasts", "caption": "As in Table~\\ref{tab:scores}."},
        ),
    ]
    nb = _run_preprocessor(LabelPrefixPreprocessor(prefix="KO"), new_notebook(cells=cells))
    text = nb.cells[0].source
    assert "\\label{sec:KO:scores}" in text
    assert "Figure~\\ref{fig:KO:forecasts}" in text
    assert "\\cref{tab:KO:scores,fig:KO:forecasts}" in text
    assert "\\eqref{eq:lstm-forget}" in text  # defined in the theory chapter: unchanged
    assert "\\ref{sec:KO:scores}" in text
    assert "\\hyperref[fig:KO:forecasts]" in text
    assert nb.cells[1].metadata["label"] == "tab:KO:scores"
    assert nb.cells[2].metadata["label"] == "fig:KO:forecasts"
    assert nb.cells[2].metadata["caption"] == "KO: As in Table~\\ref{tab:KO:scores}."


def test_citations_become_natbib_commands() -> None:
    text = (
        '<cite data-cite="werbos1990bptt">(Werbos, 1990)</cite>; '
        '<cite data-cite="cho2014gru">Cho et al. (2014)</cite>; '
        '<cite data-cite="gers2000forget">Gers, Schmidhuber and Cummins (2000)</cite>; '
        "<cite data-cite='diebold1995comparing, harvey1997testing'>(DM; HLN)</cite>; "
        '<cite data-cite="pascanu2013difficulty">(Pascanu, Mikolov and Bengio, 2013)</cite>'
    )
    assert report.citations_to_natbib(text) == (
        "\\citep{werbos1990bptt}; \\citet{cho2014gru}; \\citet*{gers2000forget}; "
        "\\citep{diebold1995comparing,harvey1997testing}; \\citep*{pascanu2013difficulty}"
    )


def test_markdown_normalisation_ties_and_labelled_display_math() -> None:
    text = report.normalise_markdown_latex("See Figure~\\ref{fig:x}.\n\n$$ a = b \\label{eq:ab} $$")
    assert "Figure\u00a0\\ref{fig:x}" in text
    assert "\\begin{equation} a = b \\label{eq:ab} \\end{equation}" in text
    assert "~" not in report.markdown_to_latex(text).replace("Figure~\\ref", "")


def test_experiment_headings_are_one_level_deeper_code_untouched(tmp_path) -> None:
    markdown = "## Part\n\ntext\n\n```python\n# a comment\n```\n\n### Detail\n"
    nb = new_notebook(cells=[new_markdown_cell(markdown)])
    as_chapter = chapters.export_latex(nb, "x", tmp_path, tmp_path)
    assert r"\section{Part}" in as_chapter and r"\subsection{Detail}" in as_chapter
    as_section = chapters.export_latex(nb, "x", tmp_path, tmp_path, heading_shift=1)
    assert r"\subsection{Part}" in as_section and r"\subsubsection{Detail}" in as_section
    assert "# a comment" in as_section


def test_the_appendix_part_of_a_chapter_is_an_appendix_with_its_own_headings(tmp_path) -> None:
    import nbformat

    from lstmgru.report.numbering import APPENDIX_TAG

    heading = new_markdown_cell(
        "## Checks\n\nWhy they matter.\n\n### Layers\n\nSee Table~\\ref{tab:c}."
    )
    heading.metadata["tags"] = [APPENDIX_TAG]
    cells = [
        new_markdown_cell("# Theory\n\nThe models."),
        new_markdown_cell("## Cells\n\nThe cell."),
        heading,
        new_markdown_cell("### Counts\n\n#### Detail\n\nMore."),
    ]
    path = tmp_path / "01_equations.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    title, chapter, appendix = chapters.chapter_tex(
        path, "01_theory", "chap:theory", tmp_path, "Theory"
    )
    assert title == "Theory" and r"\section{Cells}" in chapter
    assert "Checks" not in chapter and "Layers" not in chapter and "Counts" not in chapter
    appendix_title, latex = appendix
    assert appendix_title == "Checks"
    assert latex.startswith("\\chapter{Checks}\\label{app:checks}\n\nWhy they matter.")
    assert r"\section{Layers}" in latex and r"\section{Counts}" in latex  # ### is a section
    assert r"\subsection{Detail}" in latex and r"\ref{tab:c}" in latex
    # the notebook without its tag: one chapter, the checks one of its sections
    del heading.metadata["tags"]
    nbformat.write(new_notebook(cells=cells), path)
    _, whole, none = chapters.chapter_tex(path, "01_theory", "chap:theory", tmp_path, "Theory")
    assert none is None and r"\section{Checks}" in whole and r"\subsection{Layers}" in whole
    # the tagged cell must name the appendix
    heading.metadata["tags"] = [APPENDIX_TAG]
    heading.source = "Why they matter."
    with pytest.raises(ValueError, match=r"cell 2: the cell tagged 'appendix' must be Markdown"):
        chapters.split_appendix(new_notebook(cells=cells), "01_equations.ipynb")


def test_join_display_paragraphs() -> None:
    latex = (
        "The cell is\n\n\\begin{equation}\nc\n\\end{equation}\n\nwhere $c$ is the state.\n\n"
        "\\section{Next}\n\n\\begin{equation}\nd\n\\end{equation}\n\nA new paragraph."
    )
    assert report.join_display_paragraphs(latex) == (
        "The cell is\n\\begin{equation}\nc\n\\end{equation}\nwhere $c$ is the state.\n\n"
        "\\section{Next}\n\n\\begin{equation}\nd\n\\end{equation}\n\nA new paragraph."
    )


def test_html_captions_are_numbered_and_references_linked() -> None:
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "F"})
    html = "<table><caption>T.</caption></table>"
    table = new_output("execute_result", data={"text/html": html}, execution_count=1)
    cells = [
        new_markdown_cell("Figure~\\ref{fig:a} and Table~\\ref{tab:b}; eq. \\eqref{eq:c}."),
        new_code_cell("", outputs=[table], metadata={"caption": "T.", "label": "tab:b"}),
        new_code_cell("", outputs=[figure], metadata={"caption": "F.", "label": "fig:a"}),
    ]
    nb = _run_preprocessor(HtmlCaptionPreprocessor(), new_notebook(cells=cells))
    assert (
        nb.cells[0].source
        == "Figure&nbsp;[1](#fig:a) and Table&nbsp;[1](#tab:b); eq. \\eqref{eq:c}."
    )
    assert nb.cells[2].metadata["thesis_html"]["kind"] == "Figure"
    assert nb.cells[1].metadata["thesis_html"]["anchor"] == "tab:b"
    assert nb.cells[1].outputs[0].data["text/html"] == "<table></table>"  # one caption


def test_html_captions_carry_the_thesis_numbers_of_their_chapter() -> None:
    """As the links that lstmgru.report.numbering writes into the theory and data chapters."""
    html = "<table></table>"
    text = new_output("display_data", data={"text/markdown": "Counts (Table~\\ref{tab:b})."})
    cells = [
        new_code_cell("", outputs=[new_output("display_data", data={"text/html": html})]),
        new_code_cell("", outputs=[text]),
        new_code_cell("", metadata={"caption": "A.", "label": "tab:a"}),  # no output: no table
        new_code_cell(
            "",
            outputs=[new_output("display_data", data={"text/html": html})],
            metadata={"caption": "B.", "label": "tab:b"},
        ),
        new_code_cell(
            "",
            outputs=[new_output("display_data", data={"text/html": html})],
            metadata={"caption": "C.", "label": "tab:c"},
        ),
    ]
    cells[0].metadata = {"caption": "Parameters.", "label": "tab:parameters"}
    preprocessor = HtmlCaptionPreprocessor(chapter="3", numbers={"tab:c": "A.1"})
    nb = _run_preprocessor(preprocessor, new_notebook(cells=cells))
    meta = [c.metadata.get("thesis_html", {}) for c in nb.cells]
    assert [m.get("number") for m in meta] == ["3.1", None, None, "3.2", "A.1"]
    assert meta[3]["anchor"] == "tab:b"
    # a reference in a Markdown output (text the code writes) links to the caption too
    assert nb.cells[1].outputs[0].data["text/markdown"] == "Counts (Table&nbsp;[3.2](#tab:b))."


def test_figure_outputs_get_caption_label_and_prefer_pdf() -> None:
    data = {"application/pdf": "JVBERi0=", "image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    cell = new_code_cell(
        "",
        outputs=[
            new_output("display_data", data=dict(data)),
            new_output("display_data", data=dict(data)),
        ],
        metadata={"caption": "Forecasts against $P_t$. Zoomed on the last days.", "label": "fig:f"},
    )
    nb = _run_preprocessor(CaptionPreprocessor(), new_notebook(cells=[cell]))
    first, second = nb.cells[0].outputs
    assert "image/png" not in first.data and "application/pdf" in first.data
    meta = first.metadata["thesis"]
    assert meta["label"] == "fig:f" and second.metadata["thesis"]["label"] == "fig:f-2"
    assert meta["caption"] == r"Forecasts against \(P_t\). Zoomed on the last days."
    assert meta["short_caption"] == r"Forecasts against \(P_t\)"
    cell.metadata["short_caption"] = "Forecasts"
    nb = _run_preprocessor(CaptionPreprocessor(), new_notebook(cells=[cell]))
    assert nb.cells[0].outputs[0].metadata["thesis"]["short_caption"] == "Forecasts"


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------


def test_a_table_output_keeps_its_latex_and_its_labels_get_the_ticker() -> None:
    shown = tables.table(
        pd.DataFrame({"rmse": [0.6719]}, index=pd.Index(["drift"], name="model")),
        caption="Scores; see Figure~\\ref{fig:f}.",
        label="tab:scores",
    )
    output = new_output("display_data", data={"text/latex": shown.latex, "text/html": shown.html})
    cells = [
        new_markdown_cell("Table~\\ref{tab:scores}."),
        new_code_cell("", outputs=[output]),
    ]
    nb = _run_preprocessor(CaptionPreprocessor(), new_notebook(cells=cells))
    assert nb.cells[1].outputs[0].data["text/latex"] == shown.latex
    nb = _run_preprocessor(LabelPrefixPreprocessor(prefix="KO"), nb)
    latex = nb.cells[1].outputs[0].data["text/latex"]
    assert r"\label{tab:KO:scores}" in latex and latex.count("KO") == 3
    assert r"\captionof{table}[{KO: Scores}]{KO: Scores; see" in latex
    assert nb.cells[0].source == "Table~\\ref{tab:KO:scores}."
    assert "<caption>KO: Scores; see" in nb.cells[1].outputs[0].data["text/html"]


def test_captions_name_the_instrument_for_the_pdf_and_the_html() -> None:
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "F"})
    wide = pd.DataFrame(
        np.arange(48.0).reshape(3, 16) * 1000.5,
        columns=[f"TICKER{i}" for i in range(16)],
        index=pd.Index(["a", "b", "c"], name="model"),
    )
    shown = tables.table(wide, caption="Wide scores. More.", label="tab:wide")
    table = new_output("display_data", data={"text/latex": shown.latex, "text/html": shown.html})
    cells = [
        new_code_cell(
            "",
            outputs=[figure],
            metadata={"caption": "Forecasts (last 60 days: zoom).", "label": "fig:f"},
        ),
        new_code_cell(
            "", outputs=[table], metadata={"caption": "Wide scores. More.", "label": "tab:wide"}
        ),
        new_code_cell("", metadata={"caption": "Data of BRK.B only.", "label": "tab:x"}),
    ]
    nb = new_notebook(cells=cells)
    nb = _run_preprocessor(LabelPrefixPreprocessor(prefix="BRK.B"), nb)
    nb = _run_preprocessor(CaptionPreprocessor(), nb)
    meta = nb.cells[0].outputs[0].metadata["thesis"]
    assert meta["caption"] == "BRK.B: Forecasts (last 60 days: zoom)."
    assert meta["short_caption"] == "BRK.B: Forecasts (last 60 days: zoom)"
    latex = nb.cells[1].outputs[0].data["text/latex"]
    assert r"\captionof{table}[{BRK.B: Wide scores}]{BRK.B: Wide scores. More.}" in latex
    assert r"\captionof*{table}{Table~\thetable{} (continued)}" in latex  # not renamed
    assert nb.cells[2].metadata["caption"] == "Data of BRK.B only."  # named already
    html = _run_preprocessor(HtmlCaptionPreprocessor(), nb).cells[1].metadata["thesis_html"]
    assert html["caption"].startswith("BRK.B: Wide scores.")
    # The instrument can differ from the label prefix, or be switched off.
    nb = _run_preprocessor(
        LabelPrefixPreprocessor(prefix="_GSPC", instrument="^GSPC"),
        new_notebook(cells=[new_code_cell("", metadata={"caption": "Scores.", "label": "t"})]),
    )
    assert nb.cells[0].metadata["caption"] == "\\^GSPC: Scores."
    nb = _run_preprocessor(
        LabelPrefixPreprocessor(prefix="KO", instrument=""),
        new_notebook(cells=[new_code_cell("", metadata={"caption": "Scores.", "label": "t"})]),
    )
    assert nb.cells[0].metadata["caption"] == "Scores."


def test_a_table_without_its_latex_is_refused() -> None:
    """No notebook shows a bare DataFrame any more: the HTML table parser is gone."""
    html = pd.DataFrame({"rmse": [0.5]}).to_html()
    cell = new_code_cell(
        "", outputs=[new_output("execute_result", data={"text/html": html}, execution_count=1)]
    )
    with pytest.raises(ValueError, match=r"lstmgru\.report\.tables\.show"):
        _run_preprocessor(CaptionPreprocessor(), new_notebook(cells=[cell]))
