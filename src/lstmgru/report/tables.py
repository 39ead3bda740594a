"""Tables of the notebooks and the report: one DataFrame, rendered as booktabs LaTeX and as HTML.

Notebooks call :func:`show` instead of leaving a bare DataFrame as a cell's value. The object it
displays carries two outputs made from the same cell texts:

* ``text/latex`` -- the finished table for the PDF (booktabs rules, ``Styler.to_latex``), with
  its caption, short caption (list of tables), label and notes; the report's chapter conversion
  copies it verbatim;
* ``text/html`` -- the same table by ``Styler.to_html`` for the notebook and the HTML pages.

Names
-----
Column labels and index names are shown by their display names: :data:`lstmgru.names.LABELS`
always applies (result-column code names such as ``dm_pvalue_vs_random_walk``), and so do the
model names (``lstm_gru``) and the span names (``train``) in text cells; a table's ``names``
take precedence and also apply to text cells (``code`` columns excepted).

Formats (one per column)
------------------------
The format of a column comes, in this order, from the table's ``formats`` (decimals, a format
string or a function), from :data:`lstmgru.names.COLUMN_FORMATS` (the registry of result
columns), from the column's dtype and label:

* p-values (registry, or a label containing ``pvalue``/``p-value``): three decimals, ``<0.001``
  below 0.001, significance stars ``*``, ``**``, ``***`` below 0.10, 0.05, 0.01 (``stars=False``
  turns them off); test statistics: two decimals;
* per cent (registry: R², returns, drawdown): the fraction times 100, ``%`` in the header;
* other floats: ``digits`` decimals (per column if a mapping); a column whose values are all
  below 0.1 and would keep fewer than two significant digits is printed times ``10^k``
  (``×10⁴`` in the header), so that no value reads ``0.000``;
  a rounded zero never carries a minus sign; negative numbers get a true minus sign (U+2212);
* integers (and float columns of whole numbers, such as counts after a join): thousands
  separators, ``3,269``; booleans: ``yes`` / ``no``; dates: ``YYYY-MM-DD``; ``1.2e-07`` from a
  format string: ``1.2×10⁻⁷``;
* a missing or infinite value prints as ``–`` (:data:`NA`);
* the best value of a column is bold where "best" is defined (registry ``better``, or the
  table's ``best``: ``"lower"``/``"higher"`` for all columns, or per column), within each group
  of the outer index level when the index has several (per instrument); ties at the printed
  precision are all bold;
* numbers are right-aligned, text left-aligned; ``code`` columns in typewriter type.

A note under the table explains what it uses: bold, stars, ``×10^k``, ``–``; ``note=`` adds
the table's own text first.

Index
-----
The index is shown when it carries information (a name, or labels that are not integers), as
leading left-aligned columns, a repeated outer level printed once; an unnamed integer index
(pandas' ``0..n-1``) never is.

Layout (LaTeX, A4 text width of ``report/thesis.tex``)
------------------------------------------------------
The natural width is estimated from the longest text in every column. A table that fits in
``\\small`` is set in ``\\small``; else its long headers go on two lines (before the unit) and it
is set in the largest size that fits; if it still does not fit in ``\\footnotesize``, a long
text column wraps (``tabularx``), otherwise the columns are split into several portrait tables
that each repeat the index columns, the first with the caption, the others captioned
"Table N (continued)". Nothing is ever rotated. A table of more than :data:`LONG_ROWS` rows
becomes a ``longtable`` that breaks across pages. A captioned table that does not break stays
where the notebook shows it (``\\captionof{table}`` in a minipage), so tables appear in the order
of the text.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.names import COLUMN_FORMATS, DISPLAY_NAMES, LABELS, ColumnFormat

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

#: Text width of report/thesis.tex in points (A4, 30 mm and 25 mm side margins).
TEXT_WIDTH_PT = 441.0
#: Rows above which a captioned table becomes a page-breaking ``longtable``.
LONG_ROWS = 35
#: What a missing (or infinite) value prints as.
NA = "–"
#: Significance levels of the stars ``*``, ``**``, ``***``.
STAR_LEVELS = (0.10, 0.05, 0.01)
#: Font sizes tried in turn, with the estimated width of one character (pt): measured on the
#: quick run's tables (Latin Modern digits and capitals), rounded up so that no table overflows.
_FONTS = ((r"\small", 5.4), (r"\footnotesize", 4.9))
#: Share of the text width a table may fill by the estimate (a margin for the estimate's error).
_FIT = 1.0
#: Padding of one column (2 x \tabcolsep, pt).
_COLUMN_PAD_PT = 12.0
#: A text column longer than this (characters) wraps rather than forcing a split.
_WRAP_CHARS = 30
#: A short caption longer than this (printed characters) is shortened (:func:`short_caption`).
_SHORT_CHARS = 75

_SUPERSCRIPTS = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
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
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    **{c: rf"\textsuperscript{{{d}}}" for d, c in zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True)},
    "⁻": r"\textsuperscript{−}",
}
_LATEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_MATH_RE = re.compile(r"(\$[^$]+\$)")
_E_NOTATION_RE = re.compile(r"^([−-]?\d+(?:\.\d+)?)e([+-]?)0*(\d+)$")
_PVALUE_LABEL_RE = re.compile(r"pvalue|p-value|p_value|(^|[\s_])p$|holm", re.I)
_STAT_LABEL_RE = re.compile(r"statistic|(^|[\s_])stat($|[\s_])", re.I)
#: Words whose full stop does not end a caption's first sentence.
_ABBREVIATIONS = ("e.g", "i.e", "vs", "cf", "al", "approx", "resp", "etc", "Fig", "Eq", "No")

Format = int | str | Callable[[Any], str]
#: Text cells shown by a display name even when a table passes no ``names``: models and spans.
_SPAN_NAMES = {"train": "Training", "validation": "Validation", "test": "Test"}


def latex_escape(text: object) -> str:
    """``text`` as literal LaTeX text (specials escaped, a few Unicode symbols spelled out)."""
    return _LATEX_SPECIAL_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], str(text))


def _caption_latex(markdown: str) -> str:
    """A Markdown caption as LaTeX: ``$...$`` kept as mathematics, the rest escaped."""
    parts = _MATH_RE.split(markdown)
    return "".join(p if _MATH_RE.fullmatch(p) else latex_escape(p) for p in parts)


def _caption_html(markdown: str) -> str:
    return html.escape(markdown, quote=False)


def _visible_length(text: str) -> float:
    """Printed length of a caption's text: mathematics counts a third of its source."""
    parts = _MATH_RE.split(text)
    return sum(len(p) / 3 if _MATH_RE.fullmatch(p) else len(p) for p in parts)


def _top_level(text: str) -> list[tuple[int, str]]:
    """``(index, char)`` of the characters of ``text`` outside ``$...$`` and parentheses."""
    out, depth, in_math = [], 0, False
    for i, char in enumerate(text):
        if char == "$":
            in_math = not in_math
        elif in_math:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append((i, char))
    return out


def short_caption(caption: str, limit: int = _SHORT_CHARS) -> str:
    """The entry of a caption in the list of tables or figures.

    The caption's first clause: the text up to the first ``.``, ``;`` or ``:`` that is followed
    by a space (or ends the caption) and lies outside ``$...$`` and parentheses; a full stop
    after an abbreviation (``e.g.``, ``vs.``) does not count. A clause longer than ``limit``
    printed characters loses its parenthetical remarks and then ends at a comma: the last one
    before ``limit`` (else the first after it) that does not start an item of a list (a part
    with "and" up to the next comma). No final full stop.
    """
    caption = " ".join(caption.split())
    cut = len(caption)
    for i, char in _top_level(caption):
        if char in ".;:" and (i + 1 == len(caption) or caption[i + 1] == " "):
            if char == "." and caption[:i].endswith(_ABBREVIATIONS):
                continue
            cut = i
            break
    short = caption[:cut].strip().rstrip(".")
    if _visible_length(short) <= limit:
        return short
    keep, depth, in_math = [], 0, False
    for char in short:  # drop the parenthetical remarks
        if char == "$":
            in_math = not in_math
        if not in_math and char == "(":
            depth += 1
        if depth == 0:
            keep.append(char)
        if not in_math and char == ")":
            depth = max(depth - 1, 0)
    short = re.sub(r"\s+([,;.])", r"\1", " ".join("".join(keep).split()))
    if _visible_length(short) <= limit:
        return short
    commas = [i for i, char in _top_level(short) if char == ","]
    ends = []
    for k, i in enumerate(commas):
        following = short[i + 1 : commas[k + 1] if k + 1 < len(commas) else len(short)]
        if " and " not in following and " or " not in following:
            ends.append(i)
    before = [i for i in ends if _visible_length(short[:i]) <= limit]
    if before:
        return short[: before[-1]]
    return short[: ends[0]] if ends else short


_short_caption = short_caption


# ----------------------------------------------------------------------------------------------
# Cell texts
# ----------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return not math.isfinite(float(value))
    return False


def _label_text(label: object) -> str:
    if isinstance(label, tuple):
        return " ".join(str(x) for x in label if str(x))
    return str(label)


def _code_name(label: object) -> str:
    """The registry key of a column label (of a tuple: its last level the registry knows, else
    its last level)."""
    if isinstance(label, tuple):
        parts = [str(x) for x in label if str(x)]
        known = [x for x in parts if x in COLUMN_FORMATS]
        return known[-1] if known else (parts[-1] if parts else "")
    return str(label)


def _minus(text: str) -> str:
    return "−" + text[1:] if text.startswith("-") else text


def _fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals (thousands separated from 10,000); a rounded zero has
    no sign."""
    text = f"{value:,.{digits}f}" if abs(value) >= 10_000 else f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return _minus(text)


def _count(value: Any) -> str:
    return _minus(f"{int(value):,}")


def _pretty_e(text: str) -> str:
    """``1.2e-07`` as ``1.2×10⁻⁷`` (other texts unchanged)."""
    match = _E_NOTATION_RE.match(text)
    if not match:
        return text
    mantissa, sign, exponent = match.groups()
    if float(mantissa.replace("−", "-")) == 0.0:
        return _minus(mantissa.lstrip("-−"))
    power = ("-" if sign == "-" else "") + exponent
    return f"{_minus(mantissa)}×10{power.translate(_SUPERSCRIPTS)}"


def _stars(p: float, enabled: bool) -> str:
    if not enabled:
        return ""
    return "*" * sum(p < level for level in STAR_LEVELS)


def _pvalue_text(value: Any) -> tuple[str, float | None]:
    """Text of a p-value (``<0.001``; a bounded text such as ``<0.010`` kept) and its value."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*([<>]?)\s*([0-9.]+)\s*", value)
        if not match:
            return value, None
        bound, number = match[1], float(match[2])
        text = f"{bound}{number:.3f}"
        if bound == ">":
            return text, None
        return text, (math.nextafter(number, 0.0) if bound == "<" else number)
    p = float(value)
    return ("<0.001" if p < 0.001 else f"{p:.3f}"), p


def _header(name: str, suffix: str) -> str:
    """``name`` with a unit: ``MSE (return)`` + ``×10⁴`` -> ``MSE (return, ×10⁴)``."""
    if not suffix:
        return name
    match = re.fullmatch(r"(.*\s)\((.*)\)", name)
    if match and "%" not in match[2]:
        return f"{match[1]}({match[2]}, {suffix})"
    return f"{name} ({suffix})"


@dataclass
class _Column:
    """One column as display texts (unescaped) with what the renderers need."""

    texts: list[str]
    numeric: bool
    stars: list[str] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)  # the printed numbers
    suffix: str = ""  # unit added to the header
    scale: int = 0  # printed as value x 10^scale
    dash: bool = False  # a missing value printed


def _text_value(v: Any, digits: int) -> tuple[str, bool]:
    """Text of one cell of an object column and whether it is a number."""
    if isinstance(v, bool | np.bool_):
        return ("yes" if v else "no"), False
    if isinstance(v, numbers.Integral):
        return _count(v), True
    if isinstance(v, numbers.Real):
        return _fixed(float(v), digits), True
    if isinstance(v, pd.Timestamp | np.datetime64):
        return pd.Timestamp(v).strftime("%Y-%m-%d"), False
    return str(v), False


def _parse(text: str) -> float | None:
    try:
        return float(text.replace("−", "-").replace(",", "").lstrip("<>"))
    except ValueError:
        return None


def _format_column(
    label: object,
    series: pd.Series,
    *,
    digits: int | Mapping[str, int],
    formats: Mapping,
    stars: bool,
    na_rep: str,
) -> _Column:
    key = _label_text(label)
    code = _code_name(label)
    spec: ColumnFormat | None = COLUMN_FORMATS.get(code)
    present = [v for v in series if not _missing(v)]
    dash = len(present) < len(series)

    def column(fmt: Callable[[Any], str], numeric: bool) -> _Column:
        texts = [na_rep if _missing(v) else fmt(v) for v in series]
        values = [_parse(t) if numeric else None for t in texts]
        return _Column(texts, numeric, values=values, dash=dash and numeric)

    if key in formats or label in formats:
        fmt = formats[key] if key in formats else formats[label]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if isinstance(fmt, int) and not isinstance(fmt, bool):
            return column(lambda v, d=fmt: _fixed(float(v), d), True)
        if isinstance(fmt, str):
            return column(lambda v, f=fmt: _pretty_e(_minus(f.format(v))), numeric)
        if callable(fmt):
            return column(lambda v, f=fmt: str(f(v)), numeric)
        raise ValueError(
            f"format of column {key!r} must be decimals (int), a format string such as "
            f"'{{:.2f}}' or a function; got {fmt!r}"
        )
    if pd.api.types.is_bool_dtype(series):
        return column(lambda v: "yes" if bool(v) else "no", False)
    if pd.api.types.is_datetime64_any_dtype(series):
        return column(lambda v: pd.Timestamp(v).strftime("%Y-%m-%d"), False)

    kind = spec.kind if spec is not None else None
    if kind is None and not pd.api.types.is_integer_dtype(series):
        if _PVALUE_LABEL_RE.search(key):
            kind = "pvalue"
        elif _STAT_LABEL_RE.search(key):
            kind = "statistic"
    if isinstance(digits, Mapping) and key in digits:
        n = digits[key]
    elif spec is not None and spec.digits is not None:
        n = spec.digits
    elif kind == "statistic":
        n = 2
    elif kind == "percent":
        n = 2
    else:
        n = digits.get(key, 3) if isinstance(digits, Mapping) else digits
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"digits of column {key!r} must be a non-negative int; got {n!r}")

    if kind == "pvalue":
        with_stars = stars and (spec.stars if spec is not None else True)
        texts, star_marks, values = [], [], []
        for v in series:
            if _missing(v):
                texts.append(na_rep)
                star_marks.append("")
                values.append(None)
                continue
            text, p = _pvalue_text(v)
            texts.append(text)
            star_marks.append(_stars(p, with_stars) if p is not None else "")
            values.append(p)
        return _Column(texts, True, stars=star_marks, values=values, dash=dash)

    if pd.api.types.is_integer_dtype(series):
        return column(_count, True)
    if pd.api.types.is_float_dtype(series):
        finite = np.array([float(v) for v in present], dtype="float64")
        whole = finite.size > 0 and bool(np.all(finite == np.round(finite)))
        if kind == "count" or (
            kind is None and whole and np.max(np.abs(finite)) >= 2 and np.all(np.abs(finite) < 1e15)
        ):
            return column(_count, True)
        if kind == "percent":
            out = column(lambda v: _fixed(100.0 * float(v), n), True)
            out.suffix = "%"
            return out
        if kind == "statistic" or kind == "ratio":
            return column(lambda v: _fixed(float(v), n), True)
        nonzero = np.abs(finite[finite != 0])
        scale = 0
        # Scaled when every value is small and some would keep fewer than two significant digits.
        if nonzero.size and np.max(nonzero) < 0.1 and np.min(nonzero) < 10.0 ** (1 - n):
            scale = -math.floor(math.log10(float(np.max(nonzero))))
        factor = 10.0**scale
        out = column(lambda v: _fixed(float(v) * factor, n), True)
        if scale:
            out.scale = scale
            out.suffix = f"×10{str(scale).translate(_SUPERSCRIPTS)}"
        return out

    numeric = bool(present) and all(
        isinstance(v, numbers.Number) and not isinstance(v, bool | np.bool_) for v in present
    )
    texts = [na_rep if _missing(v) else _text_value(v, n)[0] for v in series]
    values = [_parse(t) if numeric else None for t in texts]
    return _Column(texts, numeric, values=values, dash=dash and numeric)


def as_printed(series: pd.Series, column: str | None = None, digits: int = 3) -> pd.Series:
    """``series`` at the precision a table prints it (its scale undone), e.g. to rank on.

    ``column`` is the registry key that decides the format (default the series' name). Models
    whose values print alike get equal values here, so that ranks computed from them
    (``rank(method="min")``) share a place instead of ordering rounding noise.
    """
    label = column if column is not None else series.name
    col = _format_column(label, series, digits=digits, formats={}, stars=False, na_rep=NA)
    if not col.numeric:
        raise ValueError(f"column {label!r} is not numeric")
    factor = 100.0 if col.suffix == "%" else 10.0**col.scale
    values = [np.nan if v is None else v / factor for v in col.values]
    return pd.Series(values, index=series.index, name=series.name, dtype="float64")


def _directions(
    columns: Sequence[object], best: str | Mapping[str, str | None] | None
) -> list[str | None]:
    out = []
    for label in columns:
        key, code = _label_text(label), _code_name(label)
        if isinstance(best, Mapping):
            if key in best or code in best:
                out.append(best.get(key, best.get(code)))
                continue
        elif isinstance(best, str):
            out.append(best)
            continue
        spec = COLUMN_FORMATS.get(code)
        last = [str(x) for x in label if str(x)][-1:] if isinstance(label, tuple) else [code]
        # Of a metric's summary over seeds, only a central value has a best (not std, min, max).
        central = last and last[0] in (code, "mean", "median")
        out.append(spec.better if spec is not None and central else None)
    for direction in out:
        if direction not in (None, "lower", "higher"):
            raise ValueError(f"best must be 'lower', 'higher' or None; got {direction!r}")
    return out


def _bold(col: _Column, direction: str | None) -> list[bool]:
    values = col.values or [None] * len(col.texts)
    shown = [v for v in values if v is not None]
    if direction is None or not col.numeric or len(set(shown)) < 2:
        return [False] * len(col.texts)
    target = min(shown) if direction == "lower" else max(shown)
    return [v is not None and v == target for v in values]


@dataclass(frozen=True)
class _Cells:
    """A frame as display texts (unescaped), with alignment, emphasis and notes."""

    frame: pd.DataFrame  # every cell a str, stars excluded
    numeric: tuple[bool, ...]
    n_index: int
    stars: pd.DataFrame  # "", "*", "**", "***"
    bold: pd.DataFrame  # bool
    code: tuple[bool, ...]
    notes: tuple[str, ...]


def _show_index(frame: pd.DataFrame) -> bool:
    if any(name is not None for name in frame.index.names):
        return True
    return not pd.api.types.is_integer_dtype(frame.index)


def _cells(
    frame: pd.DataFrame | pd.Series,
    *,
    digits: int | Mapping[str, int],
    formats: Mapping | None,
    names: Mapping[str, str] | None,
    index: bool | None,
    na_rep: str,
    stars: bool = True,
    best: str | Mapping[str, str | None] | None = None,
    note: str | None = None,
    code: Iterable[str] = (),
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
    headers_names = {**LABELS, **(names or {})}
    names = {**DISPLAY_NAMES, **_SPAN_NAMES, **(names or {})}  # of text cells
    formats = dict(formats or {})
    code = {str(c) for c in code}
    if index is None:
        index = _show_index(frame)
    n_index = frame.index.nlevels if index else 0
    if index:
        frame = frame.copy()
        frame.index = frame.index.set_names([n if n is not None else "" for n in frame.index.names])
        frame = frame.reset_index(col_fill="")
    directions = _directions(list(frame.columns), best)
    # The best value is sought within each group of the outer index level (e.g. per instrument).
    if n_index >= 2:
        outer = frame.iloc[:, 0].tolist()
        groups = [[i for i, v in enumerate(outer) if v == key] for key in dict.fromkeys(outer)]
    else:
        groups = [list(range(len(frame)))]
    texts: dict[object, list[str]] = {}
    star_cols: dict[object, list[str]] = {}
    bold_cols: dict[object, list[bool]] = {}
    numeric, suffixes, codes = [], [], []
    used_stars = used_scale = used_dash = used_bold = False
    for j, label in enumerate(frame.columns):
        series = frame.iloc[:, j]
        col = _format_column(
            label, series, digits=digits, formats=formats, stars=stars, na_rep=na_rep
        )
        is_numeric = col.numeric and j >= n_index
        values = col.texts
        if not is_numeric and _label_text(label) not in code:
            values = [names.get(v, v) for v in values]
        texts[label] = values
        star_cols[label] = col.stars or [""] * len(values)
        bold = [False] * len(values)
        if j >= n_index:
            for rows in groups:
                part = _Column([col.texts[i] for i in rows], col.numeric)
                part.values = [col.values[i] for i in rows] if col.values else []
                for i, flag in zip(rows, _bold(part, directions[j]), strict=True):
                    bold[i] = flag
        bold_cols[label] = bold
        numeric.append(is_numeric)
        suffixes.append(col.suffix if j >= n_index else "")
        codes.append(_label_text(label) in code)
        used_stars |= any(star_cols[label])
        used_scale |= bool(col.scale) and j >= n_index
        used_dash |= col.dash and is_numeric and na_rep in values
        used_bold |= any(bold)
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
        headers = [
            tuple(
                _header(headers_names.get(str(x), str(x)), suffix if k == len(t) - 1 else "")
                for k, x in enumerate(t)
            )
            for t, suffix in zip(columns, suffixes, strict=True)
        ]
        headers = pd.MultiIndex.from_tuples(headers)
    else:
        headers = [
            _header(headers_names.get(str(c), str(c)), suffix)
            for c, suffix in zip(columns, suffixes, strict=True)
        ]
    out.columns = headers
    star_frame = pd.DataFrame(star_cols, columns=frame.columns)
    bold_frame = pd.DataFrame(bold_cols, columns=frame.columns)
    star_frame.columns = bold_frame.columns = headers
    notes = [note.strip()] if note and note.strip() else []
    if used_bold:
        notes.append("Bold: the best value of the column.")
    if used_stars:
        notes.append("*, **, ***: p-value below 0.10, 0.05, 0.01.")
    if used_scale:
        notes.append(r"A header with $\times 10^k$: the values are multiplied by $10^k$.")
    if used_dash:
        notes.append(f"{na_rep}: not applicable.")
    return _Cells(out, tuple(numeric), n_index, star_frame, bold_frame, tuple(codes), tuple(notes))


def _length(text: str) -> float:
    """Width of ``text`` in average characters: capitals count 1.2."""
    return len(text) + 0.2 * sum(c.isupper() for c in text)


def _body_width(cells: _Cells, j: int) -> float:
    return max(
        (
            _length(v) + 0.7 * len(s)
            for v, s in zip(cells.frame.iloc[:, j], cells.stars.iloc[:, j], strict=True)
        ),
        default=0,
    )


def _header_lines(header: str, body: float) -> list[str]:
    """A header wider than its column's cells on two lines: before its unit ``(...)``, else (if
    much wider) at the space nearest the middle outside parentheses; otherwise on one line."""
    if _length(header) <= body + 2 or " " not in header:
        return [header]
    match = re.fullmatch(r"(.+?)\s(\([^()]*\))", header)
    if match:
        return [match[1], match[2]]
    if _length(header) <= body + 6:
        return [header]
    spaces, depth = [], 0
    for i, char in enumerate(header):
        depth += (char == "(") - (char == ")")
        if char == " " and depth == 0:
            spaces.append(i)
    if not spaces:
        return [header]
    i = min(spaces, key=lambda k: abs(k - len(header) / 2))
    return [header[:i], header[i + 1 :]]


def _widths(cells: _Cells, split: bool = False) -> list[float]:
    """Estimated width of each column in characters; ``split``: headers on two lines."""
    frame = cells.frame
    widths = []
    for j, label in enumerate(frame.columns):
        body = _body_width(cells, j)
        if frame.columns.nlevels > 1:
            head = _length(str(label[-1]))
        elif not split:
            head = _length(str(label))
        else:
            head = max(_length(line) for line in _header_lines(str(label), body))
        widths.append(max(head, body, 1))
    return widths


def _width_pt(widths: list[float], char_pt: float) -> float:
    return sum(w * char_pt + _COLUMN_PAD_PT for w in widths)


# ----------------------------------------------------------------------------------------------
# LaTeX
# ----------------------------------------------------------------------------------------------


def _latex_cell(text: str, stars: str, most: int, bold: bool, code: bool) -> str:
    out = latex_escape(text)
    if code and text:
        out = rf"\texttt{{{out}}}"
    if bold:
        out = rf"\textbf{{{out}}}"
    if most:
        if stars:
            out += rf"\textsuperscript{{{stars}}}"
        if len(stars) < most:
            out += rf"\phantom{{\textsuperscript{{{'*' * (most - len(stars))}}}}}"
    return out


def _tabular(
    cells: _Cells,
    columns: list[int],
    wrap: set[int],
    long: dict | None,
    split: bool = False,
    wrap_width: float | None = None,
) -> str:
    """One booktabs tabular (or longtable) of the given columns, by Styler.to_latex.

    A wrapped column is an ``X`` column of ``tabularx``, or in a longtable (which has no ``X``)
    a ``p`` column of ``wrap_width`` times the line width.
    """
    part = cells.frame.iloc[:, columns]
    data = {}
    for k, j in enumerate(columns):
        stars = cells.stars.iloc[:, j].tolist()
        most = max((len(s) for s in stars), default=0)
        data[k] = [
            _latex_cell(t, s, most, b, cells.code[j])
            for t, s, b in zip(part.iloc[:, k], stars, cells.bold.iloc[:, j], strict=True)
        ]
        if j in wrap:  # paths and lists may break after a slash or a comma
            data[k] = [c.replace("/", r"/\allowbreak{}") for c in data[k]]
    escaped = pd.DataFrame(data)
    if isinstance(part.columns, pd.MultiIndex):
        escaped.columns = pd.MultiIndex.from_tuples(
            [tuple(latex_escape(x) for x in t) for t in part.columns]
        )
    else:
        headers = []
        for k, j in enumerate(columns):
            header = str(part.columns[k])
            lines = _header_lines(header, _body_width(cells, j)) if split else [header]
            text = r"\\".join(latex_escape(line) for line in lines)
            align = "r" if cells.numeric[j] else "l"
            headers.append(rf"\shortstack[{align}]{{{text}}}" if len(lines) > 1 else text)
        escaped.columns = headers
    wrapped = (
        r">{\raggedright\arraybackslash}X"
        if long is None
        else rf">{{\raggedright\arraybackslash}}p{{{wrap_width or 0.4:.3f}\linewidth}}"
    )
    spec = "".join(wrapped if j in wrap else ("r" if cells.numeric[j] else "l") for j in columns)
    styler = escaped.style.hide(axis="index")
    options: dict[str, Any] = {
        "hrules": True,
        "column_format": f"@{{}}{spec}@{{}}",
        "multicol_align": "c",
    }
    if long is not None:
        options.update(environment="longtable", **long)
    latex = styler.to_latex(**options).strip()
    if wrap and long is None:
        latex = latex.replace(r"\begin{tabular}", r"\begin{tabularx}{\linewidth}", 1)
        latex = latex.replace(r"\end{tabular}", r"\end{tabularx}")
    return latex


def _notes_latex(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    text = " ".join(_caption_latex(n) for n in notes)
    return r"\par\smallskip{\footnotesize\raggedright\emph{Note.} " + text + r"\par}"


def _with_notes(tabular: str, notes: Sequence[str]) -> str:
    """``tabular`` with the notes under it, as wide as the table (at least 60 % of the line)."""
    if not notes:
        return tabular
    text = " ".join(_caption_latex(n) for n in notes)
    return "\n".join(
        [
            r"\setbox0=\hbox{%",
            tabular + "}%",
            r"\leavevmode\copy0",
            r"\par\smallskip",
            r"\dimen0=\wd0 \ifdim\dimen0<0.6\linewidth \dimen0=0.6\linewidth\fi",
            r"\parbox{\dimen0}{\footnotesize\raggedright\emph{Note.} " + text + "}",
        ]
    )


def _balanced(
    groups: list[list[int]], keys: list[int], widths: list[float], char_pt: float
) -> list[list[int]]:
    """The columns of ``groups`` (each led by the index columns ``keys``) in as many parts of
    about equal width, when each still fits; else ``groups`` as they are."""
    columns = [j for g in groups for j in g if j not in keys]
    target = sum(widths[j] for j in columns) / len(groups)
    parts, current, width = [], [], 0.0
    for j in columns:
        if current and width + widths[j] / 2 > target and len(parts) < len(groups) - 1:
            parts.append(current)
            current, width = [], 0.0
        current.append(j)
        width += widths[j]
    parts.append(current)
    out = [[*keys, *part] for part in parts]
    fit = all(_width_pt([widths[i] for i in g], char_pt) <= _FIT * TEXT_WIDTH_PT for g in out)
    return out if fit and len(out) == len(groups) else groups


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
    stars: bool = True,
    best: str | Mapping[str, str | None] | None = None,
    note: str | None = None,
    code: Iterable[str] = (),
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
        Entry in the list of tables; default :func:`short_caption` of the caption.
    digits : int or mapping of str to int
        Decimals of float columns, for all or per column label (p-values, statistics and
        registry columns with their own decimals excepted, unless named in a mapping).
    formats : mapping of str to int, str or callable, optional
        Per column: decimals, a format string (``"{:,.0f}"``) or a function of the value.
    names : mapping of str to str, optional
        Display names of labels and text cells, over :data:`lstmgru.names.LABELS`.
    index : bool, optional
        Show the index; default: when it is named or its labels are not integers.
    na_rep : str
        Text of a missing or infinite value.
    stars : bool
        Significance stars on p-values (below 0.10, 0.05, 0.01).
    best : {"lower", "higher"} or mapping of str to {"lower", "higher", None}, optional
        Which value of a column is best (bold): for every column, or per column label; columns
        not named keep the registry's direction (:data:`lstmgru.names.COLUMN_FORMATS`).
    note : str, optional
        Text under the table (Markdown like the caption), before the automatic notes.
    code : iterable of str
        Columns printed in typewriter type (identifiers such as parameter names).

    Returns
    -------
    str
        The complete LaTeX: a centred, non-floating table with ``\\captionof{table}`` when
        captioned (a table split for width continues with "Table N (continued)"), a
        ``longtable`` when long, a ``center`` environment otherwise.

    Raises
    ------
    ValueError
        An empty or non-DataFrame input, a label without a caption, a bad format.
    """
    if label and not caption:
        raise ValueError(f"label {label!r} needs a caption; pass caption=...")
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
    widths = _widths(cells)
    small_pt = _FONTS[-1][1]
    split = _width_pt(widths, _FONTS[0][1]) > _FIT * TEXT_WIDTH_PT
    if split:  # long headers on two lines before anything else
        widths = _widths(cells, split=True)
    n = len(widths)
    font = _FONTS[-1][0]
    for name, char_pt in _FONTS:
        if _width_pt(widths, char_pt) <= _FIT * TEXT_WIDTH_PT:
            font = name
            break
    fits = _width_pt(widths, small_pt) <= _FIT * TEXT_WIDTH_PT
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
                _width_pt([widths[i] for i in [*current, j]], small_pt) > _FIT * TEXT_WIDTH_PT
            ):
                groups.append(current)
                current = list(keys)
            current.append(j)
        groups.append(current)
        groups = _balanced(groups, keys, widths, small_pt)
    cap = ""
    if caption:
        short = _caption_latex(short_caption or _short_caption(caption))
        cap = rf"\caption[{{{short}}}]{{{_caption_latex(caption)}}}"
        cap += rf"\label{{{label}}}" if label else ""
    if caption and len(cells.frame) > LONG_ROWS and len(groups) == 1:
        others = _width_pt([w for j, w in enumerate(widths) if j not in wrap], small_pt)
        share = (TEXT_WIDTH_PT - others) / TEXT_WIDTH_PT / max(len(wrap), 1)
        share -= _COLUMN_PAD_PT / TEXT_WIDTH_PT
        body = _tabular(cells, groups[0], wrap, {}, split, max(share, 0.2))
        lines = body.splitlines()
        # Caption and label go on the longtable's first line (Styler would repeat them).
        lines.insert(1, cap + r" \\")
        notes = _notes_latex(cells.notes)
        return "\n".join(x for x in ["{" + font, *lines, notes, "}"] if x)
    tabulars = [_tabular(cells, g, wrap, None, split) for g in groups]
    tabulars[-1] = _with_notes(tabulars[-1], cells.notes)
    if not caption:
        body = "\n\\par\\medskip\n".join(tabulars)
        return "\n".join([r"\begin{center}", font, body, r"\end{center}"])
    parts = []
    for k, tabular in enumerate(tabulars):
        if k == 0:
            head = cap.replace(r"\caption", r"\captionof{table}", 1)
        else:
            head = r"\captionof*{table}{Table~\thetable{} (continued)}"
        parts.append(
            "\n".join(
                x
                for x in [
                    r"\begin{center}",
                    r"\begin{minipage}{\linewidth}",
                    r"\centering",
                    font,
                    head,
                    tabular,
                    r"\end{minipage}",
                    r"\end{center}",
                ]
                if x
            )
        )
    return "\n".join(parts)


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
