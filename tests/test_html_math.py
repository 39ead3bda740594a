"""The HTML pages in headless Chromium: equations typeset offline, numbered as in the PDF.

A synthetic run holds the committed theory notebook (its Markdown carries every equation; the
code is hidden on the page anyway) and a comparison chapter with a reference to a theory
equation, a wide captioned table and a captioned figure. The pages are built by
:func:`lstmgru.report.html.build_html` and opened from disk.
"""

from __future__ import annotations

import base64
import json
import re

import nbformat
import pandas as pd
import pytest
from headless import IN_VIEW_FUNCTION, chromium, follow_link, wait_for
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lstmgru import runs
from lstmgru.report import RunNotebooks
from lstmgru.report.html import build_html
from lstmgru.report.markdown import ANCHOR_RE
from lstmgru.report.numbering import number_notebooks

THEORY_SOURCE = runs.NOTEBOOK_DIR / runs.THEORY_NOTEBOOK
#: A 1x1 PNG (the figure's size does not matter, only where its caption goes).
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _comparison() -> nbformat.NotebookNode:
    wide = pd.DataFrame([[f"{i * j:.3f}" for j in range(40)] for i in range(3)]).add_prefix(
        "a long column name "
    )
    return new_notebook(
        cells=[
            new_markdown_cell(
                "# Comparison\n\nThe forget gate \\eqref{eq:lstm-forget} of the theory chapter."
            ),
            new_code_cell(
                "show(wide)",
                metadata={"caption": "A wide table of $x_t$ values.", "label": "tab:wide"},
                outputs=[new_output("display_data", data={"text/html": wide.to_html()})],
            ),
            new_code_cell(
                "plot()",
                metadata={"caption": "A figure of $h_t$.", "label": "fig:dot"},
                outputs=[new_output("display_data", data={"image/png": PNG})],
            ),
        ]
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """``(html folder, {label: number}, number of \\eqref in the theory)``."""
    run_dir = tmp_path_factory.mktemp("run")
    theory = nbformat.read(THEORY_SOURCE, as_version=4)
    for cell in theory.cells:  # stand-ins for the outputs that the text refers to
        label = str(cell.metadata.get("label") or "") if cell.cell_type == "code" else ""
        if label.startswith("tab:"):
            table = pd.DataFrame({"x": [1.0]}).to_html()
            cell.outputs = [new_output("display_data", data={"text/html": table})]
        elif label.startswith("fig:"):
            cell.outputs = [new_output("display_data", data={"image/png": PNG})]
    last = next(
        c for c in reversed(theory.cells) if str(c.metadata.get("label")).startswith("tab:")
    )
    text = f"Counted by the code (Table~\\ref{{{last.metadata.label}}})."  # as the run writes
    last.outputs.append(new_output("display_data", data={"text/markdown": text}))
    nbformat.write(theory, run_dir / runs.THEORY_NOTEBOOK)
    nbformat.write(_comparison(), run_dir / runs.COMPARISON_NOTEBOOK)
    (run_dir / "run.json").write_text(json.dumps({"run_id": "synthetic", "tickers": []}))
    html_dir = run_dir / "html"
    build_html(RunNotebooks.load(run_dir), html_dir)
    markdown = "\n".join(c.source for c in theory.cells if c.cell_type == "markdown")
    references = len(re.findall(r"\\eqref\{|\[\(\d+\)\]\(#", markdown))
    numbering = number_notebooks([theory])
    assert numbering.count >= 10 and references >= 10  # the theory chapter is what is tested
    return html_dir, numbering.numbers, numbering.count, references


_STATE = """
const done = document.body.getAttribute('data-mathjax') === 'done';
return done ? document.querySelectorAll('.MathJax_Display').length : 0;
"""
_EQUATION_TAGS = """
return Array.from(document.querySelectorAll('[id^="mjx-eqn-"]'))
    .map(e => [decodeURIComponent(e.id.slice(8)), e.innerText.trim()]);
"""
_REFERENCES = """
return Array.from(document.querySelectorAll('a[href*="#mjx-eqn-"]'))
    .map(a => [decodeURIComponent(a.getAttribute('href')), a.innerText.trim()]);
"""
_RAW_TEX = re.compile(r"\\(begin|end|label|tag|eqref|ref)\{|\$[^$\n]+\$|\?\?\?")


def test_theory_page_typesets_every_equation_offline_with_the_pdf_numbers(pages) -> None:
    html_dir, numbers, count, references = pages
    assert (html_dir / "mathjax" / "MathJax.js").is_file()
    with chromium() as driver:
        driver.get((html_dir / "01_equations.html").as_uri())
        displays = wait_for(driver, _STATE, "MathJax to typeset the theory page")
        scripts = driver.execute_script(
            "return Array.from(document.scripts).filter(s => s.src).map(s => s.src)"
        )
        tags = dict(driver.execute_script(_EQUATION_TAGS))
        links = driver.execute_script(_REFERENCES)
        text = driver.execute_script("return document.body.innerText")
        errors = driver.execute_script(
            "return document.querySelectorAll('.MathJax_Error, merror, .noError').length"
        )
    assert scripts and all(s.startswith("file://") for s in scripts), scripts  # no CDN
    assert displays == count
    assert errors == 0
    assert not _RAW_TEX.search(text), _RAW_TEX.search(text)
    # Every labelled equation shows the number the PDF gives it (numbering.py = LaTeX's count).
    assert tags == {label: f"({n})" for label, n in numbers.items()}
    # Every reference is a link to its equation, with the equation's number.
    assert len(links) == references
    for href, shown in links:
        label = href.split("#mjx-eqn-", 1)[1]
        assert shown == f"({numbers[label]})", (href, shown)


def test_comparison_page_links_theory_equations_and_lays_out_captions(pages) -> None:
    html_dir, numbers, _, _ = pages
    with chromium(width=900, height=1200) as driver:
        driver.get((html_dir / "04_comparison.html").as_uri())
        wait_for(driver, "return document.body.getAttribute('data-mathjax') === 'done'", "MathJax")
        link = driver.execute_script(
            "const a = document.querySelector('a[href*=\"01_equations.html#\"]');"
            "return a && [a.getAttribute('href'), a.innerText.trim()];"
        )
        text = driver.execute_script("return document.body.innerText")
        layout = driver.execute_script(
            """
            const box = e => e.getBoundingClientRect();
            const tcap = box(document.getElementById('tab:wide'));
            const table = document.querySelector('.jp-OutputArea-output table');
            const scroller = table.closest('.jp-OutputArea-output');
            const fcap = box(document.getElementById('fig:dot'));
            const img = box(document.querySelector('.jp-RenderedImage img'));
            const cell = box(document.getElementById('tab:wide').closest('.jp-Cell'));
            return {tcap_bottom: tcap.bottom, table_top: box(table).top,
                    tcap_width: tcap.width, fcap_width: fcap.width, cell_width: cell.width,
                    fcap_top: fcap.top, img_bottom: img.bottom,
                    overflow: getComputedStyle(scroller).overflowX,
                    scroll: scroller.scrollWidth, client: scroller.clientWidth,
                    page: document.documentElement.scrollWidth, window: window.innerWidth};
            """
        )
    assert link == ["01_equations.html#mjx-eqn-eq:lstm-forget", f"({numbers['eq:lstm-forget']})"]
    assert not _RAW_TEX.search(text), _RAW_TEX.search(text)
    assert "Table 1." in text and "Figure 1." in text
    # Table caption above its table, figure caption below its figure, both full width.
    assert layout["tcap_bottom"] <= layout["table_top"] + 1, layout
    assert layout["fcap_top"] >= layout["img_bottom"] - 1, layout
    assert layout["tcap_width"] >= 0.9 * layout["cell_width"], layout
    assert layout["fcap_width"] >= 0.9 * layout["cell_width"], layout
    # The wide table scrolls inside its output; the page itself does not overflow.
    assert layout["overflow"] in ("auto", "scroll"), layout
    assert layout["scroll"] > layout["client"], layout
    assert layout["page"] <= layout["window"], layout


#: ``[link, target, link text, target text]`` of every link of the page whose address starts
#: with ``arguments[0]``; target is null where no element has the link's fragment as id.
_LINKS = """
return Array.from(document.querySelectorAll('a[href^="' + arguments[0] + '"]')).map(a => {
    const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
    return [a, target, a.innerText.trim(), target && target.innerText.trim()];
});
"""


def test_links_scroll_to_their_tables_and_equations(pages) -> None:
    html_dir, numbers, _, _ = pages
    # the anchors written into the notebook for JupyterLab are not on the page (no id twice)
    assert not ANCHOR_RE.search((html_dir / "01_equations.html").read_text(encoding="utf-8"))
    with chromium(width=1000, height=700) as driver:
        driver.get((html_dir / "01_equations.html").as_uri())
        wait_for(driver, "return document.body.getAttribute('data-mathjax') === 'done'", "MathJax")
        tables = driver.execute_script(_LINKS, "#tab:")
        equations = driver.execute_script(_LINKS, "#mjx-eqn-")
        # Every link has its target on the page: the caption (thesis number) or the equation.
        assert tables and equations
        assert all(target is not None for _, target, _, _ in tables + equations)
        for _, _, shown, caption in tables:
            assert caption.startswith(f"Table {shown}."), (shown, caption)
        assert {shown for _, _, shown, _ in equations} <= {f"({n})" for n in numbers.values()}
        # Clicking a link brings its target into view.
        follow_link(driver, ((a, t) for a, t, _, _ in tables), "table link")
        follow_link(driver, ((a, t) for a, t, _, _ in equations), "equation link")

        # A link to an equation of another page opens that page at the equation.
        driver.get((html_dir / "04_comparison.html").as_uri())
        wait_for(driver, "return document.body.getAttribute('data-mathjax') === 'done'", "MathJax")
        driver.find_element("css selector", 'a[href*="01_equations.html#"]').click()
        wait_for(
            driver,
            IN_VIEW_FUNCTION
            + "return location.pathname.endsWith('/01_equations.html')"
            + " && document.body.getAttribute('data-mathjax') === 'done'"
            + " && window.scrollY > 0 && inView(document.getElementById(arguments[0]));",
            "the theory page to open at the equation",
            "mjx-eqn-eq:lstm-forget",
        )
