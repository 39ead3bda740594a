"""Each executed notebook of a run as a web page (nbconvert's HTML exporter), plus an index.

Code is hidden, stream noise filtered, papermill's parameters shown as a table, figures and
tables numbered with their captions; MathJax renders and numbers the equations.
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from tqdm.auto import tqdm

from lstmgru.report.chapters import run_preprocessors, thesis_exporter, ticker_label, write_text
from lstmgru.report.markdown import notebook_title
from lstmgru.report.paths import RunNotebooks
from lstmgru.report.preprocessors import (
    HtmlCaptionPreprocessor,
    LabelPrefixPreprocessor,
    ParameterTablePreprocessor,
    StreamFilterPreprocessor,
    tag_remover,
)

__all__ = ["build_html"]


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
    return pages


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
    written: list[tuple[str, Path]] = []
    for stem, path, ticker in tqdm(
        _pages(notebooks), desc="report: html", unit="nb", disable=None, leave=False
    ):
        instrument = [LabelPrefixPreprocessor(prefix=ticker_label(ticker), instrument=ticker)]
        nb = run_preprocessors(
            nbformat.read(path, as_version=4),
            [
                tag_remover(),
                StreamFilterPreprocessor(),
                ParameterTablePreprocessor(),
                *(instrument if ticker else []),
                HtmlCaptionPreprocessor(),
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
