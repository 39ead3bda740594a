"""Tables of the notebooks and the report: one DataFrame, rendered as booktabs LaTeX and as HTML.

Notebooks call :func:`show` instead of leaving a bare DataFrame as a cell's value. The object it
displays carries two outputs made from the same cell texts:

* ``text/latex`` -- the finished table for the PDF, rendered by pandas ``Styler.to_latex``
  (booktabs rules), wrapped with its caption and label when given; the report's chapter
  conversion copies it verbatim;
* ``text/html`` -- the same table by ``Styler.to_html`` for the notebook and the HTML pages.

Formatting rules (one per column, decided by the column's dtype)
----------------------------------------------------------------
* floats: fixed decimals (``digits``, per column if a mapping); a column whose label contains
  ``pvalue`` prints ``<0.001`` below 0.001 and three decimals otherwise; negative numbers get a
  true minus sign (U+2212);
* integers: plain; booleans (also pandas' nullable ``boolean``): ``yes`` / ``no``;
* dates: ``YYYY-MM-DD``; anything else: its text;
* a missing value (NaN, NA, None) prints as ``–``;
* numbers are right-aligned, text left-aligned;
* the index is shown when it carries information (anything but an unnamed ``0..n-1`` range),
  as leading left-aligned columns, a repeated outer level printed once;
* ``names`` maps labels (column labels, index names, and the text of index and text cells)
  to display names, e.g. ``lstmgru.findings.LABELS``; formats are chosen by the original labels.

Layout rule (LaTeX, A4 text width of ``report/thesis.tex``)
-------------------------------------------------------------
The natural width is estimated from the longest text in every column. A table that fits in
``\\small`` is set in ``\\small``; else in ``\\footnotesize``; if it still does not fit, a
long text column wraps (``tabularx``), otherwise the columns are split into several tabulars
stacked in the same table, each repeating the index columns. A table of more than
:data:`LONG_ROWS` rows becomes a ``longtable`` that breaks across pages. A captioned table
that does not break stays where the notebook shows it (``\\captionof{table}`` in a minipage),
so tables appear in the order of the text.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LONG_ROWS",
    "NA",
    "TEXT_WIDTH_PT",
    "Table",
    "html_table",
    "latex_escape",
    "latex_table",
    "show",
    "table",
]

#: Text width of report/thesis.tex in points (A4, 30 mm and 25 mm side margins).
TEXT_WIDTH_PT = 441.0
#: Rows above which a captioned table becomes a page-breaking ``longtable``.
LONG_ROWS = 35
#: What a missing value prints as.
NA = "–"
#: Font sizes tried in turn, with the estimated width of one character (pt): measured on the
#: quick run's tables (Latin Modern digits and capitals), rounded up so that no table overflows.
_FONTS = ((r"\small", 5.4), (r"\footnotesize", 4.9))
#: Padding of one column (2 x \tabcolsep, pt).
_COLUMN_PAD_PT = 12.0
#: A text column longer than this (characters) wraps rather than forcing a split.
_WRAP_CHARS = 30

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    # Characters the thesis fonts lack or that LaTeX spells differently.
    "‖": r"\ensuremath{\Vert}",
    "₂": r"\textsubscript{2}",
    "²": r"\textsuperscript{2}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_LATEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_MATH_RE = re.compile(r"(\$[^$]+\$)")

Format = int | str | Callable[[Any], str]


def latex_escape(text: object) -> str:
    """``text`` as literal LaTeX text (specials escaped, a few Unicode symbols spelled out)."""
    return _LATEX_SPECIAL_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], str(text))


def _caption_latex(markdown: str) -> str:
    """A Markdown caption as LaTeX: ``$...$`` kept as mathematics, the rest escaped."""
    parts = _MATH_RE.split(markdown)
    return "".join(p if _MATH_RE.fullmatch(p) else latex_escape(p) for p in parts)


def _caption_html(markdown: str) -> str:
    return html.escape(markdown, quote=False)


def _short_caption(caption: str) -> str:
    """The first sentence of a caption (outside ``$...$``), for the list of tables."""
    parts = _MATH_RE.split(caption)
    out = []
    for part in parts:
        if not _MATH_RE.fullmatch(part):
            match = re.search(r"[.;:](\s|$)", part)
            if match:
                out.append(part[: match.start()])
                return "".join(out).strip()
        out.append(part)
    return "".join(out).strip().rstrip(".")


# ----------------------------------------------------------------------------------------------
# Cell texts
# ----------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _label_text(label: object) -> str:
    if isinstance(label, tuple):
        return " ".join(str(x) for x in label if str(x))
    return str(label)


def _minus(text: str) -> str:
    return "−" + text[1:] if text.startswith("-") else text


def _number(digits: int) -> Callable[[Any], str]:
    return lambda v: _minus(f"{float(v):.{digits}f}")


def _pvalue(v: Any) -> str:
    return "<0.001" if float(v) < 0.001 else f"{float(v):.3f}"


def _column_format(
    label: object, series: pd.Series, digits: int | Mapping[str, int], formats: Mapping
) -> tuple[Callable[[Any], str], bool]:
    """The formatter of one column and whether the column is numeric (right-aligned)."""
    key = _label_text(label)
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if key in formats or label in formats:
        spec = formats[key] if key in formats else formats[label]
        if isinstance(spec, int) and not isinstance(spec, bool):
            return _number(spec), True
        if isinstance(spec, str):
            return (lambda v, s=spec: _minus(s.format(v))), numeric
        if callable(spec):
            return (lambda v, f=spec: str(f(v))), numeric
        raise ValueError(
            f"format of column {key!r} must be decimals (int), a format string such as "
            f"'{{:.2f}}' or a function; got {spec!r}"
        )
    if pd.api.types.is_bool_dtype(series):
        return (lambda v: "yes" if bool(v) else "no"), False
    if pd.api.types.is_integer_dtype(series):
        return (lambda v: _minus(str(int(v)))), True
    if pd.api.types.is_float_dtype(series):
        if "pvalue" in key:
            return _pvalue, True
        n = digits.get(key, 3) if isinstance(digits, Mapping) else digits
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"digits of column {key!r} must be a non-negative int; got {n!r}")
        return _number(n), True
    if pd.api.types.is_datetime64_any_dtype(series):
        return (lambda v: pd.Timestamp(v).strftime("%Y-%m-%d")), False

    def text(v: Any) -> str:
        if isinstance(v, bool | np.bool_):
            return "yes" if v else "no"
        return str(v)

    present = [v for v in series if not _missing(v)]
    numeric = bool(present) and all(
        isinstance(v, numbers.Number) and not isinstance(v, bool) for v in present
    )
    return text, numeric


@dataclass(frozen=True)
class _Cells:
    """A frame as display texts (unescaped), with the alignment of each column."""

    frame: pd.DataFrame  # every cell a str
    numeric: tuple[bool, ...]
    n_index: int


def _cells(
    frame: pd.DataFrame | pd.Series,
    *,
    digits: int | Mapping[str, int],
    formats: Mapping | None,
    names: Mapping[str, str] | None,
    index: bool | None,
    na_rep: str,
) -> _Cells:
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"a table needs a pandas DataFrame (or Series); got {type(frame).__name__}"
        )
    if frame.empty:
        raise ValueError("a table needs a non-empty DataFrame; show a sentence instead")
    if not frame.columns.is_unique:
        raise ValueError(f"column labels must be unique; got {list(frame.columns)}")
    names = dict(names or {})
    formats = dict(formats or {})
    if index is None:
        plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
        index = not (plain and frame.index.start == 0 and frame.index.step == 1)
    n_index = frame.index.nlevels if index else 0
    if index:
        frame = frame.copy()
        frame.index = frame.index.set_names([n if n is not None else "" for n in frame.index.names])
        frame = frame.reset_index(col_fill="")
    texts: dict[object, list[str]] = {}
    numeric = []
    for j, label in enumerate(frame.columns):
        series = frame.iloc[:, j]
        formatter, is_numeric = _column_format(label, series, digits, formats)
        if j < n_index:
            is_numeric = False
        values = [na_rep if _missing(v) else formatter(v) for v in series]
        if not is_numeric:
            values = [names.get(v, v) for v in values]
        texts[label] = values
        numeric.append(is_numeric)
    out = pd.DataFrame(texts, columns=frame.columns)
    # An outer index level is printed once per run of equal values.
    for j in range(n_index - 1):
        column = out.iloc[:, j].tolist()
        keys = [tuple(out.iloc[i, : j + 1]) for i in range(len(out))]
        out.iloc[:, j] = [
            v if i == 0 or keys[i] != keys[i - 1] else "" for i, v in enumerate(column)
        ]
    columns = out.columns
    if isinstance(columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples(
            [tuple(names.get(str(x), str(x)) for x in t) for t in columns]
        )
    else:
        out.columns = [names.get(str(c), str(c)) for c in columns]
    return _Cells(out, tuple(numeric), n_index)


def _widths(cells: _Cells) -> list[int]:
    frame = cells.frame
    widths = []
    for j, label in enumerate(frame.columns):
        parts = label if isinstance(label, tuple) else (label,)
        head = max(len(parts[-1]), 1) if frame.columns.nlevels > 1 else len(str(label))
        body = max((len(v) for v in frame.iloc[:, j]), default=0)
        widths.append(max(head, body, 1))
    return widths


def _width_pt(widths: list[int], char_pt: float) -> float:
    return sum(w * char_pt + _COLUMN_PAD_PT for w in widths)


# ----------------------------------------------------------------------------------------------
# LaTeX
# ----------------------------------------------------------------------------------------------


def _tabular(cells: _Cells, columns: list[int], wrap: set[int], long: dict | None) -> str:
    """One booktabs tabular (or longtable) of the given columns, by Styler.to_latex."""
    part = cells.frame.iloc[:, columns]
    escaped = part.map(latex_escape)
    escaped.columns = part.columns.map(
        (lambda t: tuple(latex_escape(x) for x in t))
        if isinstance(part.columns, pd.MultiIndex)
        else latex_escape
    )
    if isinstance(escaped.columns, pd.MultiIndex):
        escaped.columns = pd.MultiIndex.from_tuples(list(escaped.columns))
    spec = "".join(
        r">{\raggedright\arraybackslash}X" if j in wrap else ("r" if cells.numeric[j] else "l")
        for j in columns
    )
    styler = escaped.style.hide(axis="index")
    options: dict[str, Any] = {
        "hrules": True,
        "column_format": f"@{{}}{spec}@{{}}",
        "multicol_align": "c",
    }
    if long is not None:
        options.update(environment="longtable", **long)
    latex = styler.to_latex(**options).strip()
    if wrap:
        latex = latex.replace(r"\begin{tabular}", r"\begin{tabularx}{\linewidth}", 1)
        latex = latex.replace(r"\end{tabular}", r"\end{tabularx}")
    return latex


def latex_table(
    frame: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    label: str | None = None,
    short_caption: str | None = None,
    digits: int | Mapping[str, int] = 3,
    formats: Mapping[str, Format] | None = None,
    names: Mapping[str, str] | None = None,
    index: bool | None = None,
    na_rep: str = NA,
) -> str:
    """A booktabs LaTeX table of ``frame``, laid out to fit the page width.

    Parameters
    ----------
    frame : pandas.DataFrame or pandas.Series
        The table; not empty, unique column labels.
    caption : str, optional
        Caption in Markdown (``$...$`` is mathematics, everything else literal text).
    label : str, optional
        LaTeX label, e.g. ``"tab:scores"`` (needs a caption).
    short_caption : str, optional
        Entry in the list of tables; default the caption's first sentence.
    digits : int or mapping of str to int
        Decimals of float columns (p-value columns excepted), for all or per column label.
    formats : mapping of str to int, str or callable, optional
        Per column: decimals, a format string (``"{:,.0f}"``) or a function of the value.
    names : mapping of str to str, optional
        Display names of labels and text cells (see the module docstring).
    index : bool, optional
        Show the index; default: when it is not an unnamed ``0..n-1`` range.
    na_rep : str
        Text of a missing value.

    Returns
    -------
    str
        The complete LaTeX: a centred, non-floating table with ``\\captionof{table}`` when
        captioned, a ``longtable`` when long, a ``center`` environment otherwise.

    Raises
    ------
    ValueError
        An empty or non-DataFrame input, a label without a caption, a bad format.
    """
    if label and not caption:
        raise ValueError(f"label {label!r} needs a caption; pass caption=...")
    cells = _cells(frame, digits=digits, formats=formats, names=names, index=index, na_rep=na_rep)
    widths = _widths(cells)
    n = len(widths)
    font = _FONTS[-1][0]
    for name, char_pt in _FONTS:
        if _width_pt(widths, char_pt) <= TEXT_WIDTH_PT:
            font = name
            break
    small_pt = _FONTS[-1][1]
    fits = _width_pt(widths, small_pt) <= TEXT_WIDTH_PT
    wrap = (
        set()
        if fits
        else {
            j for j in range(cells.n_index, n) if not cells.numeric[j] and widths[j] > _WRAP_CHARS
        }
    )
    groups = [list(range(n))]
    if not fits and not wrap:
        keys = list(range(cells.n_index))
        groups, current = [], list(keys)
        for j in range(cells.n_index, n):
            if len(current) > len(keys) and (
                _width_pt([widths[i] for i in [*current, j]], small_pt) > TEXT_WIDTH_PT
            ):
                groups.append(current)
                current = list(keys)
            current.append(j)
        groups.append(current)
    cap = ""
    if caption:
        short = _caption_latex(short_caption or _short_caption(caption))
        cap = rf"\caption[{{{short}}}]{{{_caption_latex(caption)}}}"
        cap += rf"\label{{{label}}}" if label else ""
    if caption and len(cells.frame) > LONG_ROWS and len(groups) == 1:
        body = _tabular(cells, groups[0], wrap, {})
        lines = body.splitlines()
        # Caption and label go on the longtable's first line (Styler would repeat them).
        lines.insert(1, cap + r" \\")
        return "\n".join(["{" + font, *lines, "}"])
    tabulars = "\n\\par\\medskip\n".join(_tabular(cells, g, wrap, None) for g in groups)
    if not caption:
        return "\n".join([r"\begin{center}", font, tabulars, r"\end{center}"])
    return "\n".join(
        [
            r"\begin{center}",
            r"\begin{minipage}{\linewidth}",
            r"\centering",
            font,
            cap.replace(r"\caption", r"\captionof{table}", 1),
            tabulars,
            r"\end{minipage}",
            r"\end{center}",
        ]
    )


# ----------------------------------------------------------------------------------------------
# HTML and the notebook object
# ----------------------------------------------------------------------------------------------


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
) -> str:
    """The same table as :func:`latex_table`, as HTML by ``Styler.to_html`` (same cell texts).

    The ``<table>`` gets the id ``T_<label>`` (when given) and the class ``thesis-table``; numeric
    columns are right-aligned. Parameters as in :func:`latex_table`.
    """
    cells = _cells(frame, digits=digits, formats=formats, names=names, index=index, na_rep=na_rep)
    escaped = cells.frame.map(lambda v: html.escape(v, quote=False))
    styler = escaped.style.hide(axis="index")
    styler = styler.set_uuid(re.sub(r"[^A-Za-z0-9_-]", "-", label) if label else "table")
    styler = styler.set_table_attributes('class="dataframe thesis-table"')
    right = [c for c, numeric in zip(cells.frame.columns, cells.numeric, strict=True) if numeric]
    styles = [{"selector": "th", "props": [("text-align", "left")]}]
    if right:
        styler = styler.set_properties(subset=right, **{"text-align": "right"})
    styler = styler.set_table_styles(styles, overwrite=False)
    if caption:
        styler = styler.set_caption(_caption_html(caption))
    return styler.to_html()


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


def table(
    frame: pd.DataFrame | pd.Series,
    *,
    caption: str | None = None,
    label: str | None = None,
    short_caption: str | None = None,
    **format: Any,
) -> Table:
    """:class:`Table` of ``frame``; ``format`` takes ``digits``, ``formats``, ``names``,
    ``index`` and ``na_rep`` of :func:`latex_table`."""
    unknown = set(format) - {"digits", "formats", "names", "index", "na_rep"}
    if unknown:
        raise ValueError(
            f"unknown table option(s) {sorted(unknown)}; use digits, formats, names, index, na_rep"
        )
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
    ``show(scores, caption="Theil's $U_2$ ...", label="tab:theil-u2", names=findings.LABELS)``.
    """
    from IPython.display import display

    display(table(frame, caption=caption, label=label, short_caption=short_caption, **format))
