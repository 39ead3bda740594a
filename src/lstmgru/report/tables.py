"""Tables of the notebooks and the report: one DataFrame, rendered as booktabs LaTeX and as HTML.

Notebooks call :func:`show` instead of leaving a bare DataFrame as a cell's value. The object it
displays carries two outputs made from the same cell texts:

* ``text/latex`` -- the finished table for the PDF (booktabs rules, ``Styler.to_latex``), with
  its caption, short caption (list of tables), label and notes; the report's chapter conversion
  copies it verbatim;
* ``text/html`` -- the same table by ``Styler.to_html`` for the notebook and the HTML pages.

The cell texts both are made from -- display names, column formats, p-values and stars, the
best value in bold, the index -- come from :mod:`lstmgru.report.formats`; the LaTeX layout
(escaping, captions, width estimate, splitting, ``longtable``) from
:mod:`lstmgru.report.latex_tables`. This module holds the HTML, the notebook object
(:class:`Table`, :func:`table`, :func:`show`) and the key-value tables of records, and
re-exports the public names of both, so that ``from lstmgru.report.tables import ...`` covers
the whole table API.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.names import LABELS
from lstmgru.report.formats import NA, STAR_LEVELS, Format, _cells, _count, _minus, as_printed
from lstmgru.report.latex_tables import (
    LONG_ROWS,
    TEXT_WIDTH_PT,
    latex_escape,
    latex_table,
    short_caption,
)

__all__ = [
    "LONG_ROWS",
    "NA",
    "STAR_LEVELS",
    "TEXT_WIDTH_PT",
    "Table",
    "as_printed",
    "html_table",
    "key_value_frame",
    "key_value_table",
    "latex_escape",
    "latex_table",
    "short_caption",
    "show",
    "table",
]


def _caption_html(markdown: str) -> str:
    return html.escape(markdown, quote=False)


# ----------------------------------------------------------------------------------------------
# HTML and the notebook object
# ----------------------------------------------------------------------------------------------


def _html_cell(text: str, stars: str, bold: bool, code: bool) -> str:
    out = html.escape(text, quote=False)
    if code and text:
        out = f"<code>{out}</code>"
    if bold:
        out = f"<strong>{out}</strong>"
    if stars:
        out += f"<sup>{stars}</sup>"
    return out


def html_table(
    frame: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    label: str | None = None,
    digits: int | Mapping[str, int] = 3,
    formats: Mapping[str, Format] | None = None,
    names: Mapping[str, str] | None = None,
    index: bool | None = None,
    na_rep: str = NA,
    stars: bool = True,
    best: str | Mapping[str, str | None] | None = None,
    note: str | None = None,
    code: Iterable[str] = (),
) -> str:
    """The same table as :func:`latex_table`, as HTML by ``Styler.to_html`` (same cell texts).

    The ``<table>`` gets the id ``T_<label>`` (when given) and the class ``thesis-table``; numeric
    columns are right-aligned; the notes follow in ``<p class="thesis-table-note">``.
    Parameters as in :func:`latex_table`.
    """
    cells = _cells(
        frame,
        digits=digits,
        formats=formats,
        names=names,
        index=index,
        na_rep=na_rep,
        stars=stars,
        best=best,
        note=note,
        code=code,
    )
    data = {
        j: [
            _html_cell(t, s, b, cells.code[j])
            for t, s, b in zip(
                cells.frame.iloc[:, j], cells.stars.iloc[:, j], cells.bold.iloc[:, j], strict=True
            )
        ]
        for j in range(cells.frame.shape[1])
    }
    escaped = pd.DataFrame(data)
    escaped.columns = cells.frame.columns.map(
        (lambda t: tuple(html.escape(str(x), quote=False) for x in t))
        if isinstance(cells.frame.columns, pd.MultiIndex)
        else (lambda c: html.escape(str(c), quote=False))
    )
    styler = escaped.style.hide(axis="index")
    styler = styler.set_uuid(re.sub(r"[^A-Za-z0-9_-]", "-", label) if label else "table")
    styler = styler.set_table_attributes('class="dataframe thesis-table"')
    right = [c for c, numeric in zip(escaped.columns, cells.numeric, strict=True) if numeric]
    styles = [{"selector": "th", "props": [("text-align", "left")]}]
    if right:
        styler = styler.set_properties(subset=right, **{"text-align": "right"})
    styler = styler.set_table_styles(styles, overwrite=False)
    if caption:
        styler = styler.set_caption(_caption_html(caption))
    out = styler.to_html()
    if cells.notes:
        notes = " ".join(html.escape(n, quote=False) for n in cells.notes)
        out += f'<p class="thesis-table-note"><em>Note.</em> {notes}</p>\n'
    return out


@dataclass(frozen=True)
class Table:
    """A table as the notebook displays it: ``text/latex`` and ``text/html`` of one frame.

    Attributes
    ----------
    latex : str
        The complete LaTeX (:func:`latex_table`).
    html : str
        The HTML (:func:`html_table`).
    """

    latex: str
    html: str

    def _repr_latex_(self) -> str:
        return self.latex

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        bundle = {"text/html": self.html, "text/latex": self.latex, "text/plain": "<table>"}
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle


_OPTIONS = ("digits", "formats", "names", "index", "na_rep", "stars", "best", "note", "code")


def table(
    frame: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    label: str | None = None,
    short_caption: str | None = None,
    **format: Any,
) -> Table:
    """:class:`Table` of ``frame``; ``format`` takes ``digits``, ``formats``, ``names``,
    ``index``, ``na_rep``, ``stars``, ``best``, ``note`` and ``code`` of :func:`latex_table`."""
    unknown = set(format) - set(_OPTIONS)
    if unknown:
        raise ValueError(f"unknown table option(s) {sorted(unknown)}; use {', '.join(_OPTIONS)}")
    return Table(
        latex=latex_table(
            frame, caption=caption, label=label, short_caption=short_caption, **format
        ),
        html=html_table(frame, caption=caption, label=label, **format),
    )


def show(
    frame: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    label: str | None = None,
    short_caption: str | None = None,
    **format: Any,
) -> None:
    """Display ``frame`` as a :class:`Table` (``text/latex`` and ``text/html``) in a notebook.

    Parameters as in :func:`table`; e.g.
    ``show(scores, caption="Theil's $U_2$ ...", label="tab:theil-u2", best="lower")``.
    """
    from IPython.display import display

    display(table(frame, caption=caption, label=label, short_caption=short_caption, **format))


# ----------------------------------------------------------------------------------------------
# Key-value tables (run records, configurations)
# ----------------------------------------------------------------------------------------------


def _flatten(record: Mapping, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            rows.extend(_flatten(value, f"{name}."))
        else:
            rows.append((name, value))
    return rows


def _value_text(value: object) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NA
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return _count(value) if abs(int(value)) >= 10_000 else str(int(value))
    if isinstance(value, numbers.Real):
        return _minus(f"{float(value):g}")
    if isinstance(value, Mapping) and not value:
        return NA
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        return ", ".join(_value_text(v) for v in items) if items else NA
    text = str(value)
    return text if text else NA


def key_value_frame(
    record: Mapping[str, object], names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A record (e.g. ``run.json``) as a two-column frame ``Item``, ``Value``.

    Nested mappings are flattened with dotted keys (``data.source``), lists joined with commas,
    ``None`` and empty values printed as ``–``, booleans as ``yes``/``no``; a key found in
    ``names`` (or :data:`lstmgru.names.LABELS`) gets its display name.
    """
    labels = {**LABELS, **(names or {})}
    rows = [(labels.get(k, k), _value_text(v)) for k, v in _flatten(record)]
    if not rows:
        raise ValueError("a key-value table needs a non-empty record")
    return pd.DataFrame(rows, columns=["Item", "Value"])


def key_value_table(
    record: Mapping[str, object],
    *,
    caption: str | None = None,
    label: str | None = None,
    short_caption: str | None = None,
    names: Mapping[str, str] | None = None,
    code_keys: bool = True,
) -> Table:
    """:class:`Table` of a record: one row per (flattened) key, keys in typewriter type.

    E.g. the reproducibility appendix:
    ``key_value_table(run_record, caption="Run record.", label="tab:run").latex``.
    """
    frame = key_value_frame(record, names)
    return table(
        frame,
        caption=caption,
        label=label,
        short_caption=short_caption,
        index=False,
        code=("Item",) if code_keys else (),
    )
