"""The written report: the PDF and HTML of the quick run, and builds of synthetic runs.

The document tests build the report of the shared quick-profile run (``quick_run`` in conftest) once per module and check the PDF with
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
from lstmgru.report import ReportBuildError, generated, tables
from lstmgru.report import build as report_build
from lstmgru.report import latex as report_latex

#: Page count of the quick run's thesis (two tickers): front matter (~6 pages), theory (~11),
#: data (~4), two experiment sections (~1-2 each),
#: comparison (~4), conclusion (~3), references (2), appendix (~4). 38 pages when written;
#: the range allows the chapters to grow or shrink by about half without a silent blow-up.
PAGE_RANGE = (25, 80)
#: Overfull boxes tolerated in the final LaTeX log, and the largest excess (pt). The quick run
#: had none when written; a few small ones (a long identifier in running text) are tolerable.
OVERFULL_ALLOWANCE = 3
OVERFULL_MAX_PT = 10.0


# ----------------------------------------------------------------------------------------------
# Run discovery and the command line
# ----------------------------------------------------------------------------------------------


def test_no_run_yet_names_the_fix(tmp_path, capsys) -> None:
    with pytest.raises(
        FileNotFoundError, match=r"run `python -m lstmgru run --tickers \.\.\.` first"
    ):
        runs.resolve_run_dir("", tmp_path)
    code = cli.main(["report", "--runs", str(tmp_path), "--output", str(tmp_path / "out")])
    assert code == 2
    assert "python -m lstmgru run --tickers" in capsys.readouterr().err
    (tmp_path / "latest").write_text("gone\n")
    with pytest.raises(FileNotFoundError, match="names run 'gone'"):
        runs.resolve_run_dir("", tmp_path)
    code = cli.main(["report", "--runs", str(tmp_path), "--output", str(tmp_path / "out")])
    assert code == 2
    assert "names run 'gone'" in capsys.readouterr().err


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
    shown = tables.table(frame, caption="Prices.", label="tab:px")
    output = new_output("display_data", data={"text/html": shown.html, "text/latex": shown.latex})
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
    return list(report.RunNotebooks.load(run_dir).executed().values())


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
def test_equation_tags_in_the_notebook_equal_the_pdf_numbers(built, quick_run) -> None:
    """The numbers JupyterLab shows (``\\tag{N}`` from lstmgru.report.numbering) are LaTeX's."""
    output, _ = built
    theory = nbformat.read(quick_run.run_dir / report.THEORY, as_version=4)
    markdown = "\n".join(c.source for c in theory.cells if c.cell_type == "markdown")
    tags = {label: n for n, label in re.findall(r"\\tag\{(\d+)\}\\label\{([^}]*)\}", markdown)}
    equations = [x for x in report.theory_labels(theory) if x.startswith("eq:")]
    assert sorted(tags) == sorted(equations)  # every labelled equation carries its number
    numbers = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    assert {label: numbers[label][0] for label in tags} == tags


@pytest.mark.slow
def test_table_and_figure_numbers_in_the_notebooks_equal_the_pdf_numbers(built, quick_run) -> None:
    """The table and figure numbers written into the theory and data chapters are LaTeX's."""
    from lstmgru.report.numbering import APPENDICES, FLOAT_CHAPTERS, float_numbers

    output, _ = built
    numbers = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    checked = 0
    for stem, chapter in FLOAT_CHAPTERS.items():
        executed = nbformat.read(quick_run.run_dir / f"{stem}.ipynb", as_version=4)
        expected = float_numbers(executed, chapter, APPENDICES.get(stem))
        assert expected and {label: numbers[label][0] for label in expected} == expected
        committed = nbformat.read(runs.NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
        # the source's numbers are the run's (an appendix part's floats are A.1, A.2, ...)
        assert float_numbers(committed, chapter, APPENDICES.get(stem)) == expected
        markdown = "\n".join(c.source for c in committed.cells if c.cell_type == "markdown")
        links = dict(
            (label, number)
            for number, label in re.findall(
                r"\[([\dA-Z.]+)\]\(#((?:tab|fig|app):[^)]+)\)", markdown
            )
        )
        assert links and all(expected[label] == n for label, n in links.items())
        assert "\\ref{tab:" not in markdown and "\\ref{fig:" not in markdown
        checked += len(links)
    assert checked >= 5


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


#: The thesis's chapters in reading order, by label (appendices last).
CHAPTER_ORDER = (
    "chap:introduction",
    "chap:literature",
    "chap:theory",
    "chap:data",
    "chap:methodology",
    "chap:results",
    "chap:leakage",
    "chap:discussion",
    "chap:conclusion",
    "app:checks",
    "app:experiments",
    "app:reproducibility",
)
#: Words of the machinery that built the document, which the prose the report writes itself
#: (report/*.tex, report/text, the generated files) must not use.
MACHINERY = re.compile(r"notebook|papermill|parameters? (?:are |were )?injected|code cell", re.I)


@pytest.mark.slow
def test_document_structure(built, quick_run) -> None:
    output, _ = built
    text = _pdftotext(output / "thesis.pdf")
    for heading in (
        "Abstract",
        "Contents",
        "List of Figures",
        "List of Tables",
        "Introduction",
        "Literature review",
        "Methodology",
        "Results",
        "Discussion",
        "Conclusion",
        "Experiments on each instrument",
        "Reproducibility record",
        "Data provenance",
    ):
        assert heading in text, heading
    aux = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    numbers = [aux[label][0] for label in CHAPTER_ORDER]
    chapters = [int(n) for n in numbers[:9]]
    assert chapters == list(range(1, 10)), dict(zip(CHAPTER_ORDER, numbers, strict=True))
    assert numbers[9:] == ["A", "B", "C"]
    # The table of contents lists the chapters in reading order, references before appendices.
    toc = (output / "latex" / "thesis.toc").read_text(errors="replace")
    entries = re.findall(r"\\contentsline \{chapter\}\{(?:\\numberline \{(\w+)\})?([^{}]*)\}", toc)
    order = [number or title for number, title in entries]
    body = order[order.index("1") :]
    assert body == [*"123456789", "References", "A", "B", "C"], order
    record = json.loads((quick_run.run_dir / "run.json").read_text())
    for ticker in record["tickers"]:
        assert aux[f"sec:{ticker}"][0].startswith("B.")  # one appendix section per ticker
        assert f"fig:{ticker}:accuracy-wealth" in aux  # labels of the experiment prefixed
        sha = json.loads((quick_run.run_dir / ticker / "result.json").read_text())
        assert sha["provenance"]["sha256"] in text.replace("\n", "")
    assert "def " not in text and "import " not in text  # no code
    assert "tab:findings" in aux and "tab:design" in aux
    assert (
        "% (no leakage chapter in this run)"
        in (output / "latex" / "generated" / "body.tex").read_text()
        or "chap:leakage" in aux
    )


#: Title of the appendix that checks the theory's equations against Keras (the ``## Heading``
#: of the theory notebook's cell tagged ``appendix``).
CHECKS_TITLE = "Numerical checks of the equations against Keras"


@pytest.mark.slow
def test_the_numerical_checks_are_the_first_appendix(built) -> None:
    """The theory's checks against Keras leave Chapter 3 and open the appendices, tables A.n."""
    output, _ = built
    toc = (output / "latex" / "thesis.toc").read_text(errors="replace")
    entries = re.findall(
        r"\\contentsline \{(chapter|section)\}\{(?:\\numberline \{([\w.]+)\})?([^{}]*)\}", toc
    )
    chapters = [(number, title) for kind, number, title in entries if kind == "chapter"]
    numbered = [number for number, _ in chapters if number]
    assert ("A", CHECKS_TITLE) in chapters
    assert numbered.index("A") < numbered.index("B")  # before the experiments on each instrument
    assert ("B", "Experiments on each instrument") in chapters
    sections = {number: title for kind, number, title in entries if kind == "section"}
    theory = [title for number, title in sections.items() if number.startswith("3.")]
    assert theory and "The ARIMA baseline" in theory
    assert not any("Keras" in title or "Outputs of the layers" in title for title in theory)
    assert [sections.get(f"A.{k}") for k in (1, 2, 3)] == [
        "Outputs of the layers",
        "Parameter counts",
        "Gradients of the fused loops",
    ]
    aux = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    assert aux["app:checks"][0] == "A"
    for k, label in enumerate(
        ("tab:twin-differences", "tab:param-count-check", "tab:fused-gradients"), start=1
    ):
        assert aux[label][0] == f"A.{k}", (label, aux[label])
    # The theory chapter points to the appendix by its label, and the reader sees its letter.
    theory_tex = (output / "latex" / "chapters" / "01_theory.tex").read_text()
    assert "\\ref{app:checks}" in theory_tex and CHECKS_TITLE not in theory_tex
    text = _pdftotext(output / "thesis.pdf")
    intro = text[text.index("This chapter states every model") : text.index("Notation\n")]
    assert "Appendix A" in " ".join(intro.split())
    # the list of tables names no identifier in plain type
    lot = (output / "latex" / "thesis.lot").read_text(errors="replace")
    assert "count_params" not in lot and "count\\_params" not in lot


@pytest.mark.slow
def test_each_instrument_is_a_compact_section(built, quick_run) -> None:
    """Each instrument's section holds the table of choices, the scores and one figure, no
    table of its parameters (the same for every instrument; the configuration is in the
    reproducibility appendix), and fills one page of its own: its tables and figure are on the
    page where it starts, and the next instrument starts on the next page."""
    output, _ = built
    aux = report.aux_labels((output / "latex" / "thesis.aux").read_text(errors="replace"))
    tickers = json.loads((quick_run.run_dir / "run.json").read_text())["tickers"]
    pages = [int(aux[f"sec:{ticker}"][1]) for ticker in tickers]
    assert pages == list(range(pages[0], pages[0] + len(tickers))), pages
    for i, ticker in enumerate(tickers, start=1):
        tex = (output / "latex" / "chapters" / f"03_{i:02d}_{ticker}.tex").read_text()
        labels = set(re.findall(r"\\label\{([^}]*)\}", tex))
        assert labels == {
            f"sec:{ticker}",
            f"tab:{ticker}:tuning",
            f"tab:{ticker}:scores",
            f"fig:{ticker}:accuracy-wealth",
        }, labels
        assert "Parameters of" not in tex and r"\texttt{n\_seeds}" not in tex
        assert tex.count(r"\begin{figure}") == tex.count(r"\includegraphics") == 1
        assert {aux[label][1] for label in labels} == {aux[f"sec:{ticker}"][1]}, ticker


@pytest.mark.slow
def test_prose_written_by_the_report_states_no_machinery_and_no_bare_counts(built) -> None:
    output, _ = built
    latex = output / "latex"
    sources = [latex / "thesis.tex", latex / "abstract.tex", latex / "conclusion.tex"]
    sources += sorted((latex / "text").glob("*.tex")) + sorted((latex / "generated").glob("*.tex"))
    sources.append(latex / "chapters" / "03_experiments.tex")
    for path in sources:
        lines = [re.sub(r"(?<!\\)%.*", "", line) for line in path.read_text().splitlines()]
        if path.name == "appendix.tex":  # table rows name files and packages, not prose
            lines = [line for line in lines if " & " not in line]
        prose = "\n".join(lines)
        assert not MACHINERY.search(prose), (path.name, MACHINERY.search(prose))
        assert not re.search(r"\b0 of\b|\bon 0\b|\bzero (?!rate)\w+s\b", prose), path.name
    text = _pdftotext(output / "thesis.pdf")
    assert not re.search(r"\b0 of \d|significantly \w+ on 0\b", text)


@pytest.mark.slow
def test_no_number_parts_from_its_per_cent_sign(built) -> None:
    output, _ = built
    sources = sorted((output / "latex").rglob("*.tex"))
    assert len(sources) > 10
    for path in sources:
        assert not re.search(r"\d[ ~]\\%", path.read_text()), path.name


@pytest.mark.slow
def test_design_numbers_in_the_methodology_come_from_the_run(built, quick_run) -> None:
    output, _ = built
    meta = (output / "latex" / "generated" / "meta.tex").read_text(encoding="utf-8")
    macros = dict(re.findall(r"\\newcommand\\(Run\w+)\{(.*)\}", meta))
    result = json.loads(next(quick_run.run_dir.glob("*/result.json")).read_text())
    days = sum(fold["test_rows"] for fold in result["folds"])
    assert macros["RunTestDays"] == str(days)
    assert macros["RunWindow"] == str(result["config"]["model"]["window"])
    assert macros["RunFirstTestDay"] == rf"\mbox{{{result['folds'][0]['test_first']}}}"
    assert macros["RunCostBps"] == "10"  # the results chapter's default cost
    assert macros["RunAlpha"] == "5\\,\\%" or macros["RunAlpha"] == "5 \\%"
    from lstmgru.equations import hybrid_param_count

    m1, m2 = result["config"]["model"]["units"]
    assert macros["RunHybridParams"] == f"{hybrid_param_count(1, m1, m2, 1):,}"  # 10,721
    text = _pdftotext(output / "thesis.pdf")
    assert f"{days} test days per instrument" in text


def _metadata_build(tmp_path: Path, fields: dict) -> str:
    """Text of the title page of a synthetic run's PDF built with ``fields`` as metadata."""
    meta = generated.load_metadata()
    meta.update(fields)
    run_dir = _synthetic_run(tmp_path, "# Data\n\nA series.")
    notebooks = report.RunNotebooks.load(run_dir)
    latex = tmp_path / "latex"
    latex.mkdir()
    report_build.build_latex_sources(notebooks, latex, meta)
    report_latex.compile_thesis(latex)
    pages = _pdftotext(latex / "thesis.pdf").split("\f")
    return pages[0]


@pytest.mark.slow
def test_title_page_typesets_the_metadata_fields_that_are_set(tmp_path) -> None:
    title = _metadata_build(
        tmp_path / "set",
        {
            "author": "A. N. Author",
            "institution": "Department of Statistics, Example University",
            "degree": "Master's thesis in Statistics",
            "date": "June 2027",
        },
    )
    for value in ("A. N. Author", "Example University", "Master", "June 2027"):
        assert value in title, value
    bare = _metadata_build(tmp_path / "empty", {"institution": "", "degree": ""})
    assert "Example University" not in bare and "Master" not in bare
    assert generated.load_metadata()["author"]  # falls back to pyproject's authors


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
    copied = report.export_figures(report.RunNotebooks.load(quick_run.run_dir), tmp_path)
    names = sorted(p.name for p in copied)
    per_ticker = ("accuracy_wealth",)
    expected = [
        f"{prefix}_{stem}.{ext}"
        for prefix, stems in (
            ("KO", per_ticker),
            ("XOM", per_ticker),
            # the run-level chapters: the comparison and the leakage chapter
            (
                "comparison",
                ("cw_heatmap", "seeds_theil_u2", "wealth_pooled", "leakage", "price_ablation"),
            ),
        )
        for stem in stems
        for ext in ("pdf", "png")
    ]
    assert names == sorted(expected)
    assert (tmp_path / "KO_accuracy_wealth.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "KO_accuracy_wealth.png").read_bytes().startswith(b"\x89PNG")


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


def test_body_places_the_leakage_chapter_between_results_and_discussion() -> None:
    chapter = report_build.Chapter
    keys = ("theory", "data", "comparison", "leakage")
    body = generated.render(
        "body", chapters={k: chapter(k, f"chapters/0{i}_{k}.tex", k) for i, k in enumerate(keys)}
    )
    inputs = re.findall(r"^\\input\{([^}]*)\}", body, re.M)
    assert inputs == [
        "chapters/00_theory",
        "chapters/01_data",
        "text/methodology",
        "chapters/02_comparison",
        "chapters/03_leakage",
        "text/discussion",
    ]
    without = generated.render("body", chapters={"comparison": chapter("comparison", "c.tex", "")})
    assert re.findall(r"^\\input\{([^}]*)\}", without, re.M) == [
        "text/methodology",
        "c",
        "text/discussion",
    ]
    assert "% (no leakage chapter in this run)" in without


def test_design_words_and_the_results_chapter_parameters(tmp_path) -> None:
    from lstmgru.report import design

    assert design.count(0, "instrument") == "no instruments"
    assert design.count(1, "instrument") == "one instrument"
    assert design.count(32, "comparison") == "32 comparisons"
    assert design.join(["A", "B", "C"]) == "A, B, and C"
    assert design.grid_text("learning_rate=0.001,0.003;dropout=0,0.2") == (
        "learning rate in {0.001, 0.003} and dropout rate in {0, 0.2}"
    )
    assert design.grid_text("") == "none"
    cell = new_code_cell("alpha: float = 0.05  # level\ncost_bps: float = 10.0\nrun_dir = ''")
    cell.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[cell])
    nb.metadata["papermill"] = {"parameters": {"cost_bps": 25.0, "run_dir": "x"}}
    path = tmp_path / "04_comparison.ipynb"
    nbformat.write(nb, path)
    assert design.comparison_parameters(path) == {"alpha": 0.05, "cost_bps": 25.0, "run_dir": "x"}
    assert design.comparison_parameters(None) == {}


def test_folds_sentence_gives_the_numbers_of_the_folds() -> None:
    """The folds of an instrument in words: test days, fold count, days per fold, training and
    validation rows; listed in fold order up to three folds, as a range above."""
    from conftest import synthetic_prices

    from lstmgru.folds import describe_folds, rolling_origin_folds
    from lstmgru.report import design

    frame = synthetic_prices(2100, seed=2).loc[:"2022-12-30"]  # business days from 2015
    spans = describe_folds(rolling_origin_folds(frame, first_test="2021-01-01", validation=63))
    assert len(spans) == 2
    assert design.folds_sentence(spans) == (
        f"The test days, from {spans['test_first'].iloc[0]} to {spans['test_last'].iloc[-1]}, "
        f"form two folds of {spans['test_rows'].iloc[0]} and {spans['test_rows'].iloc[1]} days; "
        "before each fold every model is fitted on the closes before its first test day, "
        f"training spans of {spans['train_rows'].iloc[0]:,} and {spans['train_rows'].iloc[1]:,} "
        "rows followed by a validation span of 63 rows."
    )
    one = design.folds_sentence(spans.iloc[:1])
    assert one.startswith(f"The test days run from {spans['test_first'].iloc[0]} to ")
    assert f"a training span of {spans['train_rows'].iloc[0]:,} rows" in one
    many = describe_folds(rolling_origin_folds(frame, first_test="2017-01-01", validation=63))
    text = design.folds_sentence(many)
    assert f"form {design.number_word(len(many))} folds of " in text and len(many) > 3
    train = many["train_rows"]
    assert f"training spans of {train.min():,} to {train.max():,} rows" in text
    with pytest.raises(ValueError, match="no folds"):
        design.folds_sentence(spans.iloc[:0])


@pytest.mark.slow
def test_parts_table_counts_reused_parts_as_finished(quick_run, tmp_path) -> None:
    """A part reused from an earlier execution (status "skipped") has finished: no status
    column, and a sentence says whose start and duration its row shows; a failed part brings
    the column back."""
    from lstmgru.report.appendix import appendix_latex

    def parts_table(status: str) -> tuple[str, str]:
        run_dir = tmp_path / status / quick_run.run_dir.name
        shutil.copytree(quick_run.run_dir, run_dir)
        record = json.loads((run_dir / "run.json").read_text())
        record["notebooks"]["02_data"]["status"] = status
        (run_dir / "run.json").write_text(json.dumps(record))
        text = appendix_latex(report.RunNotebooks.load(run_dir))
        start = text.index("Each chapter computed once per run")
        return text[start : text.index(r"\end{longtable}", start)], text

    table, _ = parts_table("skipped")
    assert "Every part finished; a part whose result key had not changed" in table
    assert "& Status" not in table and "skipped" not in table
    table, _ = parts_table("failed")
    assert "Every part finished" not in table
    assert "Result key & Status" in table and "& failed" in table
