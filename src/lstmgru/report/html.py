"""Each executed notebook of a run as a web page (nbconvert's HTML exporter), plus an index.

Code is hidden, stream noise filtered, papermill's parameters shown as a table, figures and
tables numbered with their captions. Equations are typeset by MathJax 2, copied beside the pages
from the ``jupyter-server-mathjax`` package (:data:`MATHJAX_FILES`), so the pages work offline;
they carry the PDF's numbers as ``\\tag{N}`` (:mod:`lstmgru.report.numbering`, applied to the
pages in thesis order) and references to them link to the equation. The captions of the chapters
whose floats the notebooks number (:data:`lstmgru.report.numbering.FLOAT_CHAPTERS`) carry the
thesis's numbers, as the links to them do, and every caption carries its label as ``id``.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from tqdm.auto import tqdm

from lstmgru.report.captions import HtmlCaptionPreprocessor
from lstmgru.report.chapters import run_preprocessors, thesis_exporter, ticker_label, write_text
from lstmgru.report.markdown import notebook_title, strip_anchors
from lstmgru.report.numbering import (
    FLOAT_CHAPTERS,
    html_equation_refs,
    number_notebooks,
)
from lstmgru.report.paths import RunNotebooks
from lstmgru.report.preprocessors import (
    LabelPrefixPreprocessor,
    ParameterTablePreprocessor,
    StreamFilterPreprocessor,
    tag_remover,
)

__all__ = ["MATHJAX_DIR", "MATHJAX_FILES", "build_html", "copy_mathjax"]

#: Folder of MathJax inside the HTML folder, and the script the pages load (relative URL).
MATHJAX_DIR = "mathjax"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"
#: What the pages need of MathJax 2.7 (about 3 MB of the package's 12): the loader, the combined
#: TeX/HTML-CSS configuration, the TeX extensions, and the STIX web fonts with their metrics.
MATHJAX_FILES = (
    "MathJax.js",
    f"config/{MATHJAX_CONFIG}.js",
    "extensions/tex2jax.js",
    "extensions/mml2jax.js",
    "extensions/MathEvents.js",
    "extensions/MathZoom.js",
    "extensions/MathMenu.js",
    "extensions/Safe.js",
    "extensions/AssistiveMML.js",
    "extensions/toMathML.js",
    "extensions/TeX",
    "extensions/HTML-CSS",
    "jax/input/TeX",
    "jax/element/mml",
    "jax/output/HTML-CSS",
    "fonts/HTML-CSS/STIX-Web",
)


def _pages(notebooks: RunNotebooks) -> list[tuple[str, Path, str]]:
    """``(page stem, notebook, ticker)`` of every executed notebook, in chapter order."""
    pages = []
    if notebooks.theory:
        pages.append(("01_equations", notebooks.theory, ""))
    if notebooks.data:
        pages.append(("02_data", notebooks.data, ""))
    for ticker, path in notebooks.experiments.items():
        pages.append((f"03_experiment_{ticker_label(ticker)}", path, ticker))
    if notebooks.comparison:
        pages.append(("04_comparison", notebooks.comparison, ""))
    if notebooks.leakage:
        pages.append(("05_leakage", notebooks.leakage, ""))
    return pages


def copy_mathjax(html_dir: str | Path) -> str:
    """Copy :data:`MATHJAX_FILES` into ``html_dir/mathjax``; the URL the pages load it from.

    Raises
    ------
    ModuleNotFoundError
        ``jupyter-server-mathjax`` is not installed (it is a dependency: ``make install``).
    """
    try:
        import jupyter_server_mathjax
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "the HTML pages need MathJax from the package jupyter-server-mathjax; "
            "install the project's dependencies (`make install`)"
        ) from error
    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = Path(html_dir) / MATHJAX_DIR
    for name in MATHJAX_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, dirs_exist_ok=True)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)
    return f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}"


def _numbered(pages: list[tuple[str, Path, str]]) -> tuple[list, dict[str, str]]:
    """The pages' notebooks with equation numbers and references as in the PDF, and the thesis
    numbers of the tables and figures the notebooks number (``Numbering.floats``).

    The numbers are counted afresh over the pages in thesis order (so a notebook whose tags are
    out of date still gets the PDF's numbers); a reference to an equation of the same page
    becomes ``\\eqref`` for MathJax, one to another page a link to that page's equation. The
    anchors written for JupyterLab are removed: MathJax's equations and the captions carry the
    ids that the links of the page point to.
    """
    nbs = [nbformat.read(path, as_version=4) for _, path, _ in pages]
    numbering = number_notebooks(nbs, [str(path) for _, path, _ in pages])
    files = {label: f"{pages[k][0]}.html" for label, k in numbering.owners.items()}
    for k, nb in enumerate(nbs):
        local = {label for label, owner in numbering.owners.items() if owner == k}
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = html_equation_refs(strip_anchors(cell.source), local, files)
    return nbs, numbering.floats


def build_html(notebooks: RunNotebooks, html_dir: str | Path) -> list[Path]:
    """Write each executed notebook of the run as a web page into ``html_dir``, plus an index.

    Returns
    -------
    list of pathlib.Path
        The pages written (the index last).
    """
    html_dir = Path(html_dir)
    html_dir.mkdir(parents=True, exist_ok=True)
    exporter = thesis_exporter(HTMLExporter, "thesis_html")
    exporter.mathjax_url = copy_mathjax(html_dir)
    pages = _pages(notebooks)
    nbs, floats = _numbered(pages)
    written: list[tuple[str, Path]] = []
    for (stem, path, ticker), nb in tqdm(
        list(zip(pages, nbs, strict=True)),
        desc="report: html",
        unit="nb",
        disable=None,
        leave=False,
    ):
        instrument = [LabelPrefixPreprocessor(prefix=ticker_label(ticker), instrument=ticker)]
        chapter = FLOAT_CHAPTERS.get(stem)
        captions = (
            HtmlCaptionPreprocessor(chapter=str(chapter), numbers=floats)
            if chapter
            else HtmlCaptionPreprocessor()
        )
        nb = run_preprocessors(
            nb,
            [
                tag_remover(),
                StreamFilterPreprocessor(),
                ParameterTablePreprocessor(),
                *(instrument if ticker else []),
                captions,
            ],
        )
        title = notebook_title(nb) or stem
        if ticker:
            title = f"{title}: {ticker}"
        body, _ = exporter.from_notebook_node(
            nb, resources={"metadata": {"name": title, "path": str(path.parent)}}
        )
        written.append((title, write_text(html_dir / f"{stem}.html", body)))
    items = "\n".join(
        f'<li><a href="{html.escape(p.name)}">{html.escape(t)}</a></li>' for t, p in written
    )
    run_id = html.escape(notebooks.run_id)
    index = write_text(
        html_dir / "index.html",
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8" />'
        f"<title>Run {run_id}</title></head>\n<body>\n"
        f"<h1>Executed notebooks of run {run_id}</h1>\n<ol>\n{items}\n</ol>\n"
        '<p>The thesis assembled from them: <a href="../thesis.pdf">thesis.pdf</a>.</p>\n'
        "</body>\n</html>\n",
    )
    return [p for _, p in written] + [index]
