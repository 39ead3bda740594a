"""The written report: preprocessors on tiny notebooks, and the PDF and HTML of the quick run.

The unit tests build small in-memory notebooks. The document tests build the report of the
shared quick-profile run (``quick_run`` in conftest) once per module and check the PDF with
poppler (``pdftotext``, ``pdffonts``, ``pdfinfo``), the LaTeX log and aux, ``equations.tex`` and
the HTML pages. Two more builds use a synthetic one-chapter run: Unicode and CJK text, and a
LaTeX error (the previous PDF must survive).
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lstmgru import cli, report, runs
from lstmgru.report import (
    CaptionPreprocessor,
    HtmlCaptionPreprocessor,
    LabelPrefixPreprocessor,
    ParameterTablePreprocessor,
    ReportBuildError,
    StreamFilterPreprocessor,
)

#: Page count of the quick run's thesis (two tickers): front matter (~6 pages), theory (~11),
#: data (~4), two experiment sections (~4-6 each, a landscape score table included),
#: comparison (~4), conclusion (~3), references (2), appendix (~4). 38 pages when written;
#: the range allows the chapters to grow or shrink by about half without a silent blow-up.
PAGE_RANGE = (25, 80)
#: Overfull boxes tolerated in the final LaTeX log, and the largest excess (pt). The quick run
#: had none when written; a few small ones (a long identifier in running text) are tolerable.
OVERFULL_ALLOWANCE = 3
OVERFULL_MAX_PT = 10.0


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
INJECTED = """# Parameters
ticker = "KO"
profile = "quick"
start = ""
epochs = 5
results_dir = "/tmp/run/KO"
extra = [1, 2]
"""


def _parameter_notebook(injected: str = INJECTED):
    defaults = new_code_cell(DEFAULTS, metadata={"tags": ["parameters", "hide-input"]})
    inject = new_code_cell(injected, metadata={"tags": ["injected-parameters"]})
    return new_notebook(cells=[new_markdown_cell("# Title"), defaults, inject])


def test_parameter_rows_show_values_that_differ_from_the_defaults() -> None:
    rows = report.parameter_rows(INJECTED, DEFAULTS)
    assert rows == [
        ("ticker", "KO", "instrument to forecast"),
        ("profile", "quick", "quick | default | full"),
        ("epochs", "5", "maximum training epochs"),
        ("extra", "[1, 2]", ""),
    ]


def test_parameter_table_replaces_the_injected_cell() -> None:
    preprocessor = ParameterTablePreprocessor(label="tab:params", caption="Parameters.")
    nb = _run_preprocessor(preprocessor, _parameter_notebook())
    cell = nb.cells[2]
    assert cell.metadata["label"] == "tab:params"
    assert cell.metadata["caption"] == "Parameters."
    (output,) = cell.outputs
    table = report.parse_html_table(output.data["text/html"])
    assert [c.text for c in table.head[0]] == ["parameter", "value", "description"]
    assert next([c.text for c in row] for row in table.body) == [
        "ticker",
        "KO",
        "instrument to forecast",
    ]
    assert "results_dir" not in output.data["text/html"]
    # Converted like every other table: booktabs, caption and label, values in typewriter.
    nb = _run_preprocessor(CaptionPreprocessor(), nb)
    latex = nb.cells[2].outputs[0].data["text/latex"]
    assert r"\captionof{table}{Parameters.}\label{tab:params}" in latex
    assert r"\texttt{ticker} & \texttt{KO} & instrument to forecast \\" in latex
    assert r"\toprule" in latex and r"\bottomrule" in latex


def test_parameter_cell_with_only_defaults_is_removed() -> None:
    nb = _run_preprocessor(
        ParameterTablePreprocessor(), _parameter_notebook('ticker = "AAPL"\nprogress = False\n')
    )
    assert len(nb.cells) == 2
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


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
    assert nb.cells[2].metadata["caption"] == "As in Table~\\ref{tab:KO:scores}."


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


def test_shift_headings_leaves_code_alone() -> None:
    markdown = "# Title\n\ntext\n\n```python\n# a comment\n```\n\n## Part\n"
    assert report.shift_headings(markdown, 1) == (
        "## Title\n\ntext\n\n```python\n# a comment\n```\n\n### Part\n"
    )


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
    table = new_output("execute_result", data={"text/html": "<table></table>"}, execution_count=1)
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


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------


def test_dataframe_html_becomes_a_booktabs_table() -> None:
    frame = pd.DataFrame(
        {
            "rmse": [0.6719, 0.6718],
            "dm_pvalue_vs_random_walk": [float("nan"), 0.0312],
            "note": ["benchmark", "x & y"],
        },
        index=pd.Index(["random_walk", "drift"], name="model"),
    )
    frame.loc["drift", "rmse"] = -1.5
    table = report.parse_html_table(frame.to_html())
    assert table.n_index == 1
    assert [c.text for c in table.head[0]] == ["model", "rmse", "dm_pvalue_vs_random_walk", "note"]
    assert len(table.head) == 1  # pandas' row of index names merged into the header
    latex = report.latex_table(table, caption="Scores.", label="tab:scores")
    assert r"\begin{tabular}{@{}lrrl@{}}" in latex
    assert r"random\_walk & 0.6719 & -- & benchmark \\" in latex
    assert r"drift & $-$1.5000 & 0.0312 & x \& y \\" in latex
    assert r"dm\_pvalue\_\\vs\_random\_\\walk" in latex  # long header broken after underscores
    assert r"\captionof{table}{Scores.}\label{tab:scores}" in latex


def test_multiindex_columns_use_multicolumn() -> None:
    columns = pd.MultiIndex.from_product([["KO", "XOM"], ["rmse", "mae"]])
    frame = pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], index=["drift"], columns=columns)
    table = report.parse_html_table(frame.to_html())
    latex = report.latex_table(table)
    assert r"\multicolumn{2}{c}{KO}" in latex and r"\cmidrule(lr){4-5}" in latex
    assert r"drift & 1.0 & 2.0 & 3.0 & 4.0 \\" in latex
    assert r"\begin{center}" in latex and r"\caption" not in latex


def test_table_layout_follows_its_size() -> None:
    wide = pd.DataFrame([[0.123456] * 16], columns=[f"metric_number_{i}" for i in range(16)])
    latex = report.latex_table(report.parse_html_table(wide.to_html()), caption="Wide.")
    assert r"\begin{sidewaystable}" in latex and r"max width=\linewidth" in latex
    prose = pd.DataFrame({"tickers": [", ".join(["AAPL", "AMD", "BAC", "BBY", "CVX"] * 6)]})
    latex = report.latex_table(report.parse_html_table(prose.to_html()), caption="Prose.")
    assert r"\begin{tabularx}{\linewidth}" in latex
    long = pd.DataFrame({"value": range(60)})
    latex = report.latex_table(report.parse_html_table(long.to_html()), caption="Long.")
    assert r"\begin{longtable}" in latex and r"\endhead" in latex


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
    assert meta["short_caption"] == r"Forecasts against \(P_t\)."


# ----------------------------------------------------------------------------------------------
# LaTeX log, aux, equations.tex
# ----------------------------------------------------------------------------------------------


def test_parse_latex_log() -> None:
    log = (
        "LaTeX Warning: Reference `fig:x' on page 3 undefined on input line 12.\n"
        "Package natbib Warning: Citation `smith2000' on page 4 undefined on input line 9.\n"
        "LaTeX Warning: Label `tab:a' multiply defined.\n"
        "Missing character: There is no 贵 (U+8D35) in font lmroman10-regular!\n"
        "Overfull \\hbox (12.5pt too wide) in paragraph at lines 3--4\n"
        "Overfull \\vbox (1.0pt too high) has occurred while \\output is active\n"
    )
    summary = report.parse_latex_log(log)
    assert summary.undefined_references == ("fig:x",)
    assert summary.undefined_citations == ("smith2000",)
    assert summary.multiply_defined == ("tab:a",)
    assert summary.missing_characters == ("贵 (U+8D35)",)
    assert summary.overfull == (12.5, 1.0)


def test_equations_tex_typesets_an_equation_with_its_thesis_number(tmp_path) -> None:
    cells = [
        new_markdown_cell(
            "Forget gate\n\n\\begin{equation}\nf_t = \\sigma(a_t)\n\\label{eq:lstm-forget}\n"
            "\\end{equation}\n\n$$ h_t = o_t \\odot \\tanh(c_t) \\label{eq:lstm-hidden} $$"
        )
    ]
    equations = report.theory_equations(new_notebook(cells=cells))
    assert [e.labels for e in equations] == [("eq:lstm-forget",), ("eq:lstm-hidden",)]
    aux = (
        "\\newlabel{eq:lstm-forget}{{6}{3}{}{equation.6}{}}\n"
        "\\newlabel{eq:lstm-hidden}{{10}{4}{}{equation.10}{}}\n"
    )
    numbers = {k: v[0] for k, v in report.aux_labels(aux).items()}
    (tmp_path / "equations.tex").write_text(report.equations_tex(equations, numbers, "T"))
    (tmp_path / "use.tex").write_text(
        "\\documentclass{article}\\usepackage{amsmath}\\input{equations}\\begin{document}\n"
        "\\thesisequation{eq:lstm-hidden} Gate (\\thesiseqnum{eq:lstm-forget}) and "
        "\\eqref{eq:lstm-hidden}.\\end{document}\n"
    )
    for _ in range(2):  # second pass resolves \eqref
        subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "use.tex"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "use.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "(10)" in text and "Gate (6) and (10)" in text


# ----------------------------------------------------------------------------------------------
# Run discovery and the command line
# ----------------------------------------------------------------------------------------------


def test_no_run_yet_names_the_fix(tmp_path, capsys) -> None:
    with pytest.raises(ValueError, match=r"run `make run` or `python -m lstmgru run \.\.\.` first"):
        report.resolve_run_dir(None, tmp_path)
    code = cli.main(["report", "--runs", str(tmp_path), "--output", str(tmp_path / "out")])
    assert code == 2
    assert "make run" in capsys.readouterr().err
    (tmp_path / "latest").write_text("gone\n")
    with pytest.raises(ValueError, match="names run 'gone'"):
        report.resolve_run_dir(None, tmp_path)


def _synthetic_run(root: Path, markdown: str, outputs=()) -> Path:
    """A run directory with only a data chapter, built from the given cells."""
    run_dir = root / "run"
    run_dir.mkdir(parents=True)
    cells = [new_markdown_cell(markdown)]
    if outputs:
        cells.append(
            new_code_cell(
                "x", outputs=list(outputs), metadata={"caption": "Prices.", "label": "tab:px"}
            )
        )
    nbformat.write(new_notebook(cells=cells), run_dir / report.DATA)
    (run_dir / "run.json").write_text(json.dumps({"run_id": "synthetic", "tickers": []}))
    return run_dir


def test_unicode_and_cjk_render_with_embedded_fonts(tmp_path) -> None:
    frame = pd.DataFrame({"贵州茅台": [1820.5], "σ": [0.21]}, index=["SH600519"])
    output = new_output("execute_result", data={"text/html": frame.to_html()}, execution_count=1)
    run_dir = _synthetic_run(
        tmp_path,
        "# Data 数据\n\nGates combine by $\\odot$ and ⊙; volatility σ of 贵州茅台.",
        [output],
    )
    pdf = report.build_report(run_dir, tmp_path / "out", html=False)
    log = (tmp_path / "out" / "latex" / "thesis.log").read_text(errors="replace")
    assert report.parse_latex_log(log).missing_characters == ()
    text = _pdftotext(pdf)
    assert "贵州茅台" in text and "σ" in text and "⊙" in text and "数据" in text
    fonts = _pdffonts(pdf)
    assert any("CJK" in name for name, _ in fonts)
    assert all(embedded for _, embedded in fonts)


def test_latex_error_keeps_the_previous_pdf(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.pdf").write_bytes(b"%PDF-previous")
    run_dir = _synthetic_run(tmp_path, "# Data\n\nA broken macro: \\undefinedmacroforthetest.")
    with pytest.raises(ReportBuildError, match=r"(?s)first error.*undefinedmacroforthetest"):
        report.build_report(run_dir, out, html=False)
    assert (out / "thesis.pdf").read_bytes() == b"%PDF-previous"
    assert (out / "failed-build" / "thesis.log").is_file()
    assert not list(out.glob(".build-*"))  # the temporary directory is gone
    code = cli.main(["report", "--run", str(run_dir), "--output", str(out)])
    assert code == 1
    assert "undefinedmacroforthetest" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# The quick run's report
# ----------------------------------------------------------------------------------------------


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pdffonts(pdf: Path) -> list[tuple[str, bool]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        # name, type (may contain spaces), encoding, emb, sub, uni, object, ID
        match = re.match(r"^(\S+)\s+.*?\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        assert match, f"unexpected pdffonts line: {line!r}"
        fonts.append((match[1], match[2] == "yes"))
    return fonts


def _executed_notebooks(run_dir: Path) -> list[Path]:
    info = report.RunInfo.load(run_dir)
    paths = [info.theory, info.data, *info.experiments.values(), info.comparison]
    return [p for p in paths if p is not None]


def _figure_outputs(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    count = 0
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or tags & {"remove-cell", "remove-output", "hide-output"}:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(m in data for m in ("application/pdf", "image/png", "image/jpeg")):
                count += 1
    return count


@pytest.fixture(scope="module")
def built(quick_run, tmp_path_factory):
    """The report of the quick run, built once: (output directory, None).

    How long it takes is measured by ``benchmarks/report_wall_time.py``, not asserted here.
    """
    output = tmp_path_factory.mktemp("report")
    pdf = report.build_report(quick_run.run_dir, output)
    assert pdf == output / "thesis.pdf"
    return output, None


@pytest.mark.slow
def test_pdf_has_no_unresolved_references_or_citations(built) -> None:
    output, _ = built
    text = _pdftotext(output / "thesis.pdf")
    assert "??" not in text
    assert "[?]" not in text and "(?)" not in text
    assert "References" in text and "Hochreiter" in text


@pytest.mark.slow
def test_latex_log_is_clean(built) -> None:
    output, _ = built
    summary = report.parse_latex_log((output / "latex" / "thesis.log").read_text(errors="replace"))
    assert summary.undefined_references == ()
    assert summary.undefined_citations == ()
    assert summary.multiply_defined == ()
    assert summary.missing_characters == ()
    assert len(summary.overfull) <= OVERFULL_ALLOWANCE, summary.overfull
    assert all(excess <= OVERFULL_MAX_PT for excess in summary.overfull), summary.overfull


@pytest.mark.slow
def test_every_theory_label_resolves_to_a_number(built, quick_run) -> None:
    output, _ = built
    theory = nbformat.read(quick_run.run_dir / report.THEORY, as_version=4)
    labels = report.theory_labels(theory)
    assert sum(label.startswith("eq:") for label in labels) >= 10
    numbers = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    for label in labels:
        assert label in numbers, label
        assert re.fullmatch(r"[\dA-Z.]+", numbers[label][0]), (label, numbers[label])
    # Numbered 1, 2, ... through the document, as MathJax numbers them in the notebook.
    equation_numbers = [int(numbers[x][0]) for x in labels if x.startswith("eq:")]
    assert equation_numbers[0] == 1
    assert all(b > a for a, b in itertools.pairwise(equation_numbers))


@pytest.mark.slow
def test_every_figure_of_the_run_is_included(built, quick_run) -> None:
    output, _ = built
    produced = sum(_figure_outputs(p) for p in _executed_notebooks(quick_run.run_dir))
    assert produced > 0, "the run produced no figure output (is the inline backend active?)"
    included = sum(
        len(re.findall(r"\\includegraphics", p.read_text()))
        for p in (output / "latex" / "chapters").glob("*.tex")
    )
    assert included == produced
    figures = list((output / "latex" / "figures").iterdir())
    assert len(figures) == produced


@pytest.mark.slow
def test_fonts_are_embedded(built) -> None:
    output, _ = built
    fonts = _pdffonts(output / "thesis.pdf")
    assert fonts
    assert [name for name, embedded in fonts if not embedded] == []


@pytest.mark.slow
def test_page_count_is_sane(built) -> None:
    output, _ = built
    info = subprocess.run(
        ["pdfinfo", str(output / "thesis.pdf")], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    assert PAGE_RANGE[0] <= pages <= PAGE_RANGE[1], pages


@pytest.mark.slow
def test_document_structure(built, quick_run) -> None:
    output, _ = built
    text = _pdftotext(output / "thesis.pdf")
    for heading in (
        "Abstract",
        "Contents",
        "List of Figures",
        "List of Tables",
        "Conclusion",
        "Reproducibility record",
        "Data provenance",
    ):
        assert heading in text, heading
    aux = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    record = json.loads((quick_run.run_dir / "run.json").read_text())
    for ticker in record["tickers"]:
        assert f"sec:{ticker}" in aux  # one section per ticker
        assert f"fig:{ticker}:forecasts" in aux  # labels of the experiment prefixed
        sha = json.loads((quick_run.run_dir / ticker / "result.json").read_text())
        assert sha["provenance"]["sha256"] in text.replace("\n", "")
    assert "def " not in text and "import " not in text  # no code
    assert "tab:findings" in aux


@pytest.mark.slow
def test_equations_tex_holds_every_theory_equation(built, quick_run) -> None:
    output, _ = built
    text = (output / "equations.tex").read_text()
    theory = nbformat.read(quick_run.run_dir / report.THEORY, as_version=4)
    numbers = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    for label in (x for x in report.theory_labels(theory) if x.startswith("eq:")):
        assert f"\\@namedef{{thesis@num@{label}}}{{{numbers[label][0]}}}" in text, label
        assert f"\\tag{{{numbers[label][0]}}}\\label{{{label}}}" in text, label


@pytest.mark.slow
def test_html_pages_exist_with_mathjax_and_without_code(built, quick_run) -> None:
    output, _ = built
    pages = sorted((output / "html").glob("0*.html"))
    assert len(pages) == len(_executed_notebooks(quick_run.run_dir))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "MathJax" in text, page.name
        assert 'class="jp-CodeMirrorEditor' not in text, page.name  # inputs hidden
        assert "Traceback" not in text, page.name
    assert (output / "html" / "index.html").is_file()
    theory = (output / "html" / "01_equations.html").read_text(encoding="utf-8")
    assert "\\label{eq:lstm-forget}" in theory  # numbered by MathJax


@pytest.mark.slow
def test_html_only_from_the_command_line(quick_run, tmp_path) -> None:
    code = cli.main(
        ["report", "--run", str(quick_run.run_dir), "--output", str(tmp_path), "--html-only"]
    )
    assert code == 0
    assert (tmp_path / "html" / "index.html").is_file()
    assert not (tmp_path / "thesis.pdf").exists()


@pytest.mark.parametrize("tool", ["xelatex", "latexmk", "bibtex", "pdftotext", "pdffonts"])
def test_toolchain_is_installed(tool) -> None:
    assert shutil.which(tool), f"{tool} missing: run `make tex`"


@pytest.mark.slow
def test_figures_of_the_run_are_exported_as_pdf_and_png(quick_run, tmp_path) -> None:
    copied = report.export_figures(report.RunInfo.load(quick_run.run_dir), tmp_path)
    names = sorted(p.name for p in copied)
    per_ticker = (
        "cumulative_loss",
        "error_distributions",
        "forecasts",
        "price_ablation",
        "training_history",
    )
    expected = [
        f"{prefix}_{stem}.{ext}"
        for prefix, stems in (
            ("KO", per_ticker),
            ("XOM", per_ticker),
            ("comparison", ("dm_heatmap", "seeds_theil_u2")),
        )
        for stem in stems
        for ext in ("pdf", "png")
    ]
    assert names == sorted(expected)
    assert (tmp_path / "KO_forecasts.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "KO_forecasts.png").read_bytes().startswith(b"\x89PNG")


# ----------------------------------------------------------------------------------------------
# A run whose chapters would disagree is refused
# ----------------------------------------------------------------------------------------------


def _copy_of_run(quick_run, tmp_path) -> Path:
    copy = tmp_path / "runs" / quick_run.run_id
    shutil.copytree(quick_run.run_dir, copy, ignore=shutil.ignore_patterns("weights", ".lock*"))
    return copy


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("lose DONE", r"covers tickers without a valid result now: KO \(no DONE marker"),
        ("lose metrics", r"covers tickers without a valid result now: KO \(DONE but metrics.csv"),
        ("change metrics", r"the results of KO changed after it ran"),
        ("fail KO", r"covers tickers without a valid result now: KO \(failed\)"),
        ("fail all", r"has no finished ticker, so there is nothing to report \(KO: failed"),
    ],
)
def test_report_refuses_a_comparison_that_does_not_match_the_results(
    quick_run, tmp_path, capsys, change, message
) -> None:
    run_dir = _copy_of_run(quick_run, tmp_path)
    report.check_run_is_current(run_dir)  # the copy as it was is consistent
    record = json.loads((run_dir / "run.json").read_text())
    if change == "lose DONE":
        (run_dir / "KO" / "DONE").unlink()
    elif change == "lose metrics":
        (run_dir / "KO" / "metrics.csv").unlink()
    elif change == "change metrics":
        with (run_dir / "KO" / "metrics.csv").open("a") as handle:
            handle.write("\n")
    else:
        for ticker in ("KO", "XOM") if change == "fail all" else ("KO",):
            record["ticker_status"][ticker]["status"] = "failed"
        (run_dir / "run.json").write_text(json.dumps(record))
    with pytest.raises(runs.StaleRunError, match=message):
        report.check_run_is_current(run_dir)
    out = tmp_path / "out"
    code = cli.main(["report", "--run", str(run_dir), "--output", str(out)])
    assert code != 0
    error = capsys.readouterr().err
    assert "Rerun the same `python -m lstmgru run ...` command" in error
    assert not (out / "thesis.pdf").exists()
