"""Caption preprocessors: a figure's or table's caption and label as LaTeX and HTML (see
:mod:`lstmgru.report.preprocessors` for the other preprocessors of the report)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from traitlets import Dict, Unicode

from lstmgru.report import tables
from lstmgru.report.markdown import (
    markdown_to_latex,
    normalise_html_markdown,
    normalise_markdown_latex,
)
from lstmgru.report.preprocessors import IMAGE_MIMES, ThesisPreprocessor

__all__ = ["CaptionPreprocessor", "HtmlCaptionPreprocessor", "caption_latex"]

# ----------------------------------------------------------------------------------------------
# Captions
# ----------------------------------------------------------------------------------------------


def caption_latex(markdown: str, short_markdown: str | None = None) -> tuple[str, str]:
    """LaTeX of a Markdown caption and of its short caption (the lists of figures and tables).

    The short caption is ``short_markdown`` when given, else the caption's first clause
    (:func:`lstmgru.report.tables.short_caption`).
    """
    markdown = normalise_markdown_latex(" ".join(markdown.split()))
    long = markdown_to_latex(markdown)
    short_md = normalise_markdown_latex(" ".join((short_markdown or "").split()))
    short_md = short_md or tables.short_caption(markdown)
    short = long if short_md == markdown else markdown_to_latex(short_md)
    return long, short


def _is_html_table(data: Mapping[str, Any]) -> bool:
    return "<table" in str(data.get("text/html", ""))


class CaptionPreprocessor(ThesisPreprocessor):
    """Give figure outputs their caption and label; tables must carry their LaTeX already.

    The caption, short caption and label come from the cell's metadata (``caption``,
    ``short_caption``, default the caption's first clause, ``label``). A figure output
    gets ``output.metadata.thesis = {caption, short_caption, label}`` for the template, and
    ``image/png`` is dropped where ``application/pdf`` is present (the vector version is used).
    A second figure in the same cell gets the label with ``-2``, ``-3``, ... appended.
    Tables are complete ``text/latex`` floats (:func:`lstmgru.report.tables.show` in the
    notebooks); an HTML table without one is an error that names the cell.
    """

    def preprocess_cell(self, cell, resources, index):
        """Caption the figures of one code cell."""
        if cell.cell_type != "code":
            return cell, resources
        caption_md = str(cell.metadata.get("caption") or "")
        label = str(cell.metadata.get("label") or "")
        short_md = str(cell.metadata.get("short_caption") or "") or None
        caption, short = caption_latex(caption_md, short_md) if caption_md else ("", "")
        count = 0
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _is_html_table(data) and "text/latex" not in data:
                raise ValueError(
                    f"cell {index} ({label or 'no label'}) shows a table as HTML only; display "
                    "it with lstmgru.report.tables.show(frame, caption=..., label=...) so that "
                    "it carries its LaTeX"
                )
            if not any(m in data for m in IMAGE_MIMES):
                continue
            count += 1
            if "application/pdf" in data:
                data.pop("image/png", None)
            output.setdefault("metadata", {})["thesis"] = {
                "caption": caption,
                "short_caption": short,
                "label": (label if count == 1 else f"{label}-{count}") if caption else "",
            }
        return cell, resources


_HTML_CAPTION_RE = re.compile(r"<caption\b[^>]*>.*?</caption>", re.S)


class HtmlCaptionPreprocessor(ThesisPreprocessor):
    """Number the captioned figures and tables of a notebook for its HTML page.

    Sets ``cell.metadata.thesis_html = {kind, number, caption, anchor}`` (read by the
    ``thesis_html`` template; the caption carries the id ``anchor``, the label, that links
    point to) and turns ``\\ref{label}`` of those labels in Markdown cells and ``text/markdown``
    outputs into links ``[number](#label)``; ``~`` before a reference becomes a non-breaking
    space. Equation references are left to MathJax. A table's own ``<caption>`` gives way to
    the numbered one.

    Figures and tables are numbered 1, 2, ... apart, or ``chapter.1``, ``chapter.2``, ... when
    :attr:`chapter` is set; a label in :attr:`numbers` gets the number given there (the
    thesis's, which :mod:`lstmgru.report.numbering` writes into the links of the notebook).
    """

    chapter = Unicode("", help="chapter number put before the figures' and tables' numbers").tag(
        config=True
    )
    numbers = Dict(
        value_trait=Unicode(), help="number shown for a label, overriding the count"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        """Number captions and link references in ``nb``."""
        numbers: dict[str, str] = {}
        counters = {"Figure": 0, "Table": 0}
        for cell in nb.cells:
            caption = cell.metadata.get("caption")
            if cell.cell_type != "code" or not caption:
                continue
            label = str(cell.metadata.get("label") or "")
            data = [o.get("data", {}) for o in cell.get("outputs", [])]
            if any(any(m in d for m in IMAGE_MIMES) for d in data):
                kind = "Figure"
            elif any(_is_html_table(d) for d in data):
                kind = "Table"
            else:
                continue
            counters[kind] += 1
            number = f"{self.chapter}.{counters[kind]}" if self.chapter else str(counters[kind])
            number = self.numbers.get(label, number)
            if label:
                numbers[label] = number
            for d in data:  # the numbered caption above the table replaces the table's own
                if kind == "Table" and isinstance(d.get("text/html"), str):
                    d["text/html"] = _HTML_CAPTION_RE.sub("", d["text/html"])
            cell.metadata["thesis_html"] = {
                "kind": kind,
                "number": number,
                "caption": normalise_html_markdown(str(caption), numbers),
                "anchor": label or f"{kind.lower()}-{number}",
            }
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = normalise_html_markdown(cell.source, numbers)
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if isinstance(data.get("text/markdown"), str):
                    data["text/markdown"] = normalise_html_markdown(data["text/markdown"], numbers)
        return nb, resources
