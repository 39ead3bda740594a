"""Cell texts of a table: column formats, numbers, p-values and stars, the best value, the index.

:func:`lstmgru.report.tables.latex_table` and :func:`~lstmgru.report.tables.html_table` print
the same cell texts, made here from one DataFrame (``_cells``); the renderers escape and lay
them out (:mod:`lstmgru.report.latex_tables`, :mod:`lstmgru.report.tables`).

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
"""

from __future__ import annotations

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
    "NA",
    "STAR_LEVELS",
    "Format",
    "as_printed",
]

#: What a missing (or infinite) value prints as.
NA = "–"
#: Significance levels of the stars ``*``, ``**``, ``***``.
STAR_LEVELS = (0.10, 0.05, 0.01)

_SUPERSCRIPTS = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
_E_NOTATION_RE = re.compile(r"^([−-]?\d+(?:\.\d+)?)e([+-]?)0*(\d+)$")
_PVALUE_LABEL_RE = re.compile(r"pvalue|p-value|p_value|(^|[\s_])p$|holm", re.I)
_STAT_LABEL_RE = re.compile(r"statistic|(^|[\s_])stat($|[\s_])", re.I)

Format = int | str | Callable[[Any], str]
#: Text cells shown by a display name even when a table passes no ``names``: models and spans.
_SPAN_NAMES = {"train": "Training", "validation": "Validation", "test": "Test"}


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
