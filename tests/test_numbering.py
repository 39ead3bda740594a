"""Equation numbers in the notebooks' source (lstmgru.report.numbering) and their way back to LaTeX."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from lstmgru import runs
from lstmgru.report.markdown import ANCHOR_RE, normalise_markdown_latex, strip_anchors
from lstmgru.report.numbering import (
    APPENDICES,
    APPENDIX_TAG,
    FLOAT_CHAPTERS,
    float_numbers,
    html_equation_refs,
    main,
    number_notebooks,
    number_sources,
    numbered_refs,
)

CELL_A = r"""Intro \eqref{eq:b} before its equation.

\begin{equation}
a = 1
\label{eq:a}
\end{equation}

\begin{equation*}
u = 0
\end{equation*}

\begin{equation}
b = 2
\end{equation}

$$ c = 3 \label{eq:c} $$

$$ d = 4 $$

\begin{equation}
e = 5 \tag{$\ast$}
\end{equation}

\begin{equation}
f = 6 \nonumber
\end{equation}
"""
CELL_B = r"""\begin{equation}
\begin{aligned}
g &= 7 \\
h &= 8
\end{aligned}
\label{eq:b}
\end{equation}

By \eqref{eq:a}, \eqref{eq:c} and Equation~\ref{eq:b}, not `\eqref{eq:a}`; $x \ne \eqref{eq:a}$
stays math, \ref{tab:x} is no equation."""


def test_numbers_count_as_latex_does() -> None:
    (new,), numbering = number_sources([[CELL_A, CELL_B]])
    # equation, unlabelled equation, labelled $$ and the aligned equation are numbered; starred,
    # plain $$, an own tag and \nonumber are not.
    assert numbering.numbers == {"eq:a": 1, "eq:c": 3, "eq:b": 4}
    assert numbering.count == 4
    a, b = new
    assert "\\tag{1}\\label{eq:a}" in a
    assert "b = 2\\tag{2}\n\\end{equation}" in a
    assert "$$ c = 3 \\tag{3}\\label{eq:c} $$" in a
    assert "$$ d = 4 $$" in a and "\\tag{$\\ast$}" in a and "f = 6 \\nonumber\n" in a
    assert "\\end{aligned}\n\\tag{4}\\label{eq:b}" in b
    assert a.startswith("Intro [(4)](#eq:b) before")  # references across cells
    assert "By [(1)](#eq:a), [(3)](#eq:c) and Equation~[4](#eq:b), not `\\eqref{eq:a}`;" in b
    assert "$x \\ne \\eqref{eq:a}$" in b and "\\ref{tab:x}" in b


def test_rewriting_is_idempotent_and_renumbers_after_an_insertion() -> None:
    (once,), _ = number_sources([[CELL_A, CELL_B]])
    (twice,), _ = number_sources([once])
    assert twice == once
    inserted = "\\begin{equation}\nz = 0\n\\label{eq:z}\n\\end{equation}\n\n" + once[0]
    (renumbered,), numbering = number_sources([[inserted, once[1]]])
    assert numbering.numbers == {"eq:z": 1, "eq:a": 2, "eq:c": 4, "eq:b": 5}
    assert "By [(2)](#eq:a), [(4)](#eq:c) and Equation~[5](#eq:b)" in renumbered[1]
    assert "\\tag{1}" not in renumbered[1]


def test_the_pdf_sees_the_source_as_written() -> None:
    """LaTeX gets the original \\eqref/\\ref and no generated tag: it numbers the PDF itself."""
    (new,), _ = number_sources([[CELL_A, CELL_B]])
    for original, numbered in zip((CELL_A, CELL_B), new, strict=True):
        assert normalise_markdown_latex(numbered) == normalise_markdown_latex(original)
    assert "\\tag{$\\ast$}" in normalise_markdown_latex(new[0])  # an own tag stays


def test_numbers_continue_across_notebooks_in_thesis_order() -> None:
    (first, second), numbering = number_sources(
        [
            ["\\begin{equation}x\\label{eq:x}\\end{equation}"],
            ["$$y\\label{eq:y}$$ by \\eqref{eq:x}"],
        ]
    )
    assert numbering.numbers == {"eq:x": 1, "eq:y": 2}
    assert numbering.owners == {"eq:x": 0, "eq:y": 1}
    assert first == ["\\begin{equation}x\\tag{1}\\label{eq:x}\\end{equation}"]
    assert second == ["$$y\\tag{2}\\label{eq:y}$$ by [(1)](#eq:x)"]
    page = html_equation_refs(second[0], {"eq:y"}, {"eq:x": "01_equations.html"})
    assert page.endswith("by [(1)](01_equations.html#mjx-eqn-eq:x)")
    assert html_equation_refs("see [(2)](#eq:y)", {"eq:y"}, {}) == "see \\eqref{eq:y}"
    tied = html_equation_refs("Equation~[(1)](#eq:x)", (), {"eq:x": "a.html"})
    assert tied == "Equation&nbsp;[(1)](a.html#mjx-eqn-eq:x)"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["\\begin{align}a\\\\b\\end{align}"], r"numbered `align` environment numbers every row"),
        (["[(3)](#eq:gone)"], r"cell 0: the reference \[\(3\)\]\(#eq:gone\) names no numbered"),
        (["$$a\\label{eq:a}$$", "$$b\\label{eq:a}$$"], r"cell 1: label eq:a is defined twice"),
    ],
)
def test_what_cannot_be_numbered_is_refused(cells, message) -> None:
    with pytest.raises(ValueError, match=message):
        number_sources([cells], ["nb.ipynb"])


def test_committed_notebooks_are_in_sync_with_their_labels(capsys) -> None:
    paths = [str(p) for p in sorted(runs.NOTEBOOK_DIR.glob("[0-9]*.ipynb"))]
    assert main(["--check", *paths]) == 0, capsys.readouterr().err


def _stale_then_renumbered(path, capsys, message: str) -> str:
    """``--check`` fails on the edited notebook at ``path`` with ``message``; rewriting it makes
    ``--check`` pass. Returns the rewritten notebook's cell sources, joined."""
    assert main(["--check", str(path)]) == 1
    assert message in capsys.readouterr().err
    assert main([str(path)]) == 0
    assert main(["--check", str(path)]) == 0
    return "".join(c.source for c in nbformat.read(path, as_version=4).cells)


def test_check_fails_when_an_equation_is_added_without_renumbering(tmp_path, capsys) -> None:
    path = tmp_path / runs.THEORY_NOTEBOOK
    shutil.copy(runs.NOTEBOOK_DIR / runs.THEORY_NOTEBOOK, path)
    assert main(["--check", str(path)]) == 0
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "\\label{eq:" in c.source)
    cell.source = "\\begin{equation}\nw = 1\n\\label{eq:new}\n\\end{equation}\n\n" + cell.source
    nbformat.write(nb, path)
    source = _stale_then_renumbered(path, capsys, "equation numbers out of date")
    assert "\\tag{1}\\label{eq:new}" in source


def test_table_and_figure_references_get_the_thesis_numbers() -> None:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def notebook(*, injected: bool) -> nbformat.NotebookNode:
        cells = [
            new_markdown_cell("# Data"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("show(a)", metadata={"label": "tab:a", "caption": "A."}),
            new_code_cell("plot()", metadata={"label": "fig:f", "caption": "F."}),
            new_markdown_cell("Table~\\ref{tab:b}, Table~\\ref{tab:a} and Figure~\\ref{fig:f}."),
            new_code_cell("show(b)", metadata={"label": "tab:b", "caption": "B."}),
        ]
        if injected:
            cells.insert(2, new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]}))
        return new_notebook(cells=cells)

    # the run's parameters are the chapter's first table, counted once
    expected = {"tab:a": "4.2", "fig:f": "4.1", "tab:b": "4.3"}
    assert float_numbers(notebook(injected=False), 4) == expected
    assert float_numbers(notebook(injected=True), 4) == expected
    nb = notebook(injected=False)
    number_notebooks([nb], ["notebooks/02_data.ipynb"])
    text = nb.cells[4].source
    assert strip_anchors(text) == (
        "Table&nbsp;[4.3](#tab:b), Table&nbsp;[4.2](#tab:a) and Figure&nbsp;[4.1](#fig:f)."
    )
    number_notebooks([nb], ["notebooks/02_data.ipynb"])
    assert nb.cells[4].source == text  # idempotent
    assert normalise_markdown_latex(text).count("\\ref{") == 3
    # a chapter whose tables depend on the run keeps its references to LaTeX
    other = notebook(injected=False)
    number_notebooks([other], ["notebooks/04_comparison.ipynb"])
    assert "\\ref{tab:b}" in other.cells[4].source


def _anchored_notebook() -> nbformat.NotebookNode:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    return new_notebook(
        cells=[
            new_code_cell("show(p)", metadata={"label": "tab:first", "caption": "P."}),
            new_markdown_cell(CELL_A),
            new_code_cell("show(x)", metadata={"label": "tab:x", "caption": "X."}),
            new_code_cell("x = 1"),
            new_code_cell("plot()", metadata={"label": "fig:y", "caption": "Y."}),
            new_markdown_cell(CELL_B + "\n\nTable~\\ref{tab:first} and Figure~\\ref{fig:y}."),
        ]
    )


def _chapter_with_appendix(*, tagged: bool = True) -> nbformat.NotebookNode:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    heading = new_markdown_cell(
        "## Checks\n\nSee Table~\\ref{tab:c} and Table~\\ref{tab:a}; Appendix~\\ref{app:checks}."
    )
    if tagged:
        heading.metadata["tags"] = [APPENDIX_TAG]
    return new_notebook(
        cells=[
            new_markdown_cell("# Theory\n\nThe checks are in Appendix~\\ref{app:checks}."),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("show(a)", metadata={"label": "tab:a", "caption": "A."}),
            new_code_cell("plot()", metadata={"label": "fig:f", "caption": "F."}),
            heading,
            new_code_cell("show(c)", metadata={"label": "tab:c", "caption": "C."}),
            new_code_cell("plot()", metadata={"label": "fig:g", "caption": "G."}),
            new_code_cell("show(d)", metadata={"label": "tab:d", "caption": "D."}),
        ]
    )


def test_links_get_anchors_in_the_notebook() -> None:
    nb = _anchored_notebook()
    number_notebooks([nb], ["notebooks/02_data.ipynb"])
    a, b = nb.cells[1].source, nb.cells[5].source
    # an anchor right before every display that defines a numbered label, and only there
    assert '<a id="eq:a"></a>\\begin{equation}\na = 1' in a
    assert '<a id="eq:c"></a>$$ c = 3' in a and '<a id="eq:b"></a>\\begin{equation}' in b
    assert [m["label"] for m in ANCHOR_RE.finditer(a + b)] == [
        "tab:first", "eq:a", "eq:c", "tab:x", "fig:y", "eq:b"
    ]  # fmt: skip
    # a float's anchor ends the Markdown before its cell (or starts the one after it)
    assert a.endswith('\n<a id="tab:x"></a>\n<a id="fig:y"></a>')
    assert a.startswith('<a id="tab:first"></a>\nIntro [(4)](#eq:b)')
    assert "Table&nbsp;[4.1](#tab:first) and Figure&nbsp;[4.1](#fig:y)." in b
    # idempotent; without the anchors, the text that number_sources writes
    number_notebooks([nb], ["notebooks/02_data.ipynb"])
    assert (nb.cells[1].source, nb.cells[5].source) == (a, b)
    original = _anchored_notebook()
    markdown = [c.source for c in original.cells if c.cell_type == "markdown"]
    (plain,), _ = number_sources([markdown], floats=[float_numbers(original, 4)])
    assert [strip_anchors(a), strip_anchors(b)] == plain
    # LaTeX never sees them
    assert normalise_markdown_latex(a) == normalise_markdown_latex(markdown[0])
    assert normalise_markdown_latex(b) == normalise_markdown_latex(plain[1])
    # a chapter whose floats the notebooks do not number gets anchors for equations only
    other = _anchored_notebook()
    number_notebooks([other], ["notebooks/04_comparison.ipynb"])
    labels = [m["label"] for m in ANCHOR_RE.finditer(other.cells[1].source)]
    assert labels == ["eq:a", "eq:c"]


def test_anchors_move_with_their_equation_and_go_with_it() -> None:
    nb = _anchored_notebook()
    number_notebooks([nb], ["notebooks/02_data.ipynb"])
    cell = nb.cells[1]
    cell.source = cell.source.replace("\\label{eq:a}", "")  # eq:a is no longer labelled
    nb.cells[5].source = nb.cells[5].source.replace("[(1)](#eq:a)", "(a)")
    cell.source = "$$ z = 0 \\label{eq:z} $$\n\n" + cell.source
    number_notebooks([nb], ["notebooks/02_data.ipynb"])
    assert '<a id="eq:a">' not in cell.source
    assert '<a id="eq:z"></a>$$ z = 0 \\tag{1}' in cell.source
    assert '<a id="eq:c"></a>$$ c = 3 \\tag{4}' in cell.source
    assert [m["label"] for m in ANCHOR_RE.finditer(cell.source)] == [
        "tab:first", "eq:z", "eq:c", "tab:x", "fig:y"
    ]  # fmt: skip


def test_check_fails_when_an_anchor_is_missing(tmp_path, capsys) -> None:
    path = tmp_path / runs.THEORY_NOTEBOOK
    shutil.copy(runs.NOTEBOOK_DIR / runs.THEORY_NOTEBOOK, path)
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and ANCHOR_RE.search(c.source))
    removed = ANCHOR_RE.search(cell.source)[0]
    cell.source = cell.source.replace(removed, "", 1)
    nbformat.write(nb, path)
    source = _stale_then_renumbered(path, capsys, "out of date")
    assert removed in source


def test_floats_of_the_appendix_part_take_the_appendix_letter() -> None:
    """From the cell tagged ``appendix`` on, the PDF numbers the floats A.1, A.2, ..."""
    nb = _chapter_with_appendix()
    numbers = float_numbers(nb, 3, ("A", "app:checks"))
    assert numbers == {
        "tab:a": "3.2",  # after the table of the run's parameters
        "fig:f": "3.1",
        "app:checks": "A",
        "tab:c": "A.1",  # the appendix counts afresh: no parameters table there
        "fig:g": "A.1",
        "tab:d": "A.2",
    }
    with pytest.raises(ValueError, match="cell 4 starts an appendix"):
        float_numbers(nb, 3)  # a tagged notebook needs its appendix's letter
    assert float_numbers(_chapter_with_appendix(tagged=False), 3) == {
        "tab:a": "3.2",
        "fig:f": "3.1",
        "tab:c": "3.3",
        "fig:g": "3.2",
        "tab:d": "3.4",
    }
    number_notebooks([nb], ["notebooks/01_equations.ipynb"])
    assert strip_anchors(nb.cells[0].source).endswith("Appendix&nbsp;[A](#app:checks).")
    assert nb.cells[4].source.startswith('<a id="app:checks"></a>\n## Checks')
    text = nb.cells[4].source
    assert (
        "Table&nbsp;[A.1](#tab:c) and Table&nbsp;[3.2](#tab:a); Appendix&nbsp;[A](#app:checks)"
        in text
    )
    latex = normalise_markdown_latex(text)  # the PDF gets its \\ref back
    assert "Table&nbsp;\\ref{tab:c}" in latex and "Appendix&nbsp;\\ref{app:checks}" in latex
    number_notebooks([nb], ["notebooks/01_equations.ipynb"])
    assert nb.cells[4].source == text  # idempotent


def test_a_numbered_equation_in_the_appendix_part_is_refused() -> None:
    from nbformat.v4 import new_markdown_cell

    nb = _chapter_with_appendix()
    nb.cells.append(new_markdown_cell("$$ a = 1 \\label{eq:late} $$"))
    with pytest.raises(ValueError, match=r"cell 8: a numbered equation in the appendix part"):
        number_notebooks([nb], ["notebooks/01_equations.ipynb"])
    nb.cells[-1].source = "$$ a = 1 $$"  # unnumbered display math is fine
    number_notebooks([nb], ["notebooks/01_equations.ipynb"])


def test_the_theory_checks_are_appendix_a_in_the_source() -> None:
    """The committed theory notebook: its checks are the appendix part, their tables A.n."""
    stem = runs.THEORY_NOTEBOOK.removesuffix(".ipynb")
    nb = nbformat.read(runs.NOTEBOOK_DIR / runs.THEORY_NOTEBOOK, as_version=4)
    numbers = float_numbers(nb, FLOAT_CHAPTERS[stem], APPENDICES[stem])
    assert numbers["app:checks"] == "A"
    checks = ("tab:twin-differences", "tab:param-count-check", "tab:fused-gradients")
    assert [numbers[label] for label in checks] == ["A.1", "A.2", "A.3"]
    rest = [n for label, n in numbers.items() if label not in (*checks, "app:checks")]
    assert rest and all(n.startswith("3.") for n in rest)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Table&nbsp;[A.1](#tab:twin-differences)" in markdown
    intro = markdown.split("## Notation")[0]
    assert "Appendix&nbsp;[A](#app:checks)" in intro  # the chapter points to its checks
    tagged = next(c for c in nb.cells if APPENDIX_TAG in c.metadata.get("tags", []))
    assert tagged.source.startswith('<a id="app:checks"></a>\n## ')  # the link's target


def test_references_printed_by_code_are_numbered_as_in_the_cells(tmp_path) -> None:
    """Code output gets the links of the Markdown cells (JupyterLab shows no "???"), from the
    notebooks as they are on disk, and the PDF sees LaTeX references again."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    path = tmp_path / "02_data.ipynb"
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Data\n\n\\begin{equation} a = 1 \\label{eq:a} \\end{equation}"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("show(t)", metadata={"label": "tab:t", "caption": "T."}),
        ]
    )
    nbformat.write(nb, path)
    printed = "By \\eqref{eq:a}, $y = \\eqref{eq:a}$ (Table~\\ref{tab:t}); \\ref{tab:run} stays."
    numbered = numbered_refs(printed, [path])
    assert numbered == (
        "By [(1)](#eq:a), $y = \\eqref{eq:a}$ (Table&nbsp;[4.2](#tab:t)); \\ref{tab:run} stays."
    )
    assert normalise_markdown_latex(numbered) == (  # pandoc makes the &nbsp; a tie
        "By \\eqref{eq:a}, $y = \\eqref{eq:a}$ (Table&nbsp;\\ref{tab:t}); \\ref{tab:run} stays."
    )
    # an edited notebook is read again: a new first equation renumbers the reference
    nb.cells.insert(0, new_markdown_cell("\\begin{equation} b = 2 \\end{equation}"))
    nbformat.write(nb, path)
    assert numbered_refs(printed, [path]).startswith("By [(2)](#eq:a)")


def test_the_theory_chapter_prints_no_raw_references() -> None:
    """The one cell of the theory chapter whose output names equations and tables prints them
    through :func:`numbered_refs` (so its output renders in JupyterLab)."""
    nb = nbformat.read(runs.NOTEBOOK_DIR / "01_equations.ipynb", as_version=4)
    printing = [c.source for c in nb.cells if c.cell_type == "code" and "\\\\ref{" in c.source]
    assert printing
    assert all("numbered_refs(" in source for source in printing)
