"""Booktabs LaTeX of a table: escaping, captions and short captions, width estimate, layout.

:func:`latex_table` renders the cell texts of :mod:`lstmgru.report.formats` as the finished
table for the PDF (booktabs rules, ``Styler.to_latex``) with its caption, short caption (list of
tables, :func:`short_caption`), label and notes; the report's chapter conversion copies it
verbatim. All names are also importable from :mod:`lstmgru.report.tables`.

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

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from lstmgru.report.formats import NA, Format, _Cells, _cells

__all__ = [
    "LONG_ROWS",
    "TEXT_WIDTH_PT",
    "latex_escape",
    "latex_table",
    "short_caption",
]

#: Text width of report/thesis.tex in points (A4, 30 mm and 25 mm side margins).
TEXT_WIDTH_PT = 441.0
#: Rows above which a captioned table becomes a page-breaking ``longtable``: about half a page
#: with its caption. A taller unbreakable table that starts a page below a figure placed at the
#: top of that page would run past the bottom margin (an overfull page); a longtable breaks.
LONG_ROWS = 20
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
#: Words whose full stop does not end a caption's first sentence.
_ABBREVIATIONS = ("e.g", "i.e", "vs", "cf", "al", "approx", "resp", "etc", "Fig", "Eq", "No")


def latex_escape(text: object) -> str:
    """``text`` as literal LaTeX text (specials escaped, a few Unicode symbols spelled out)."""
    return _LATEX_SPECIAL_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], str(text))


def _caption_latex(markdown: str) -> str:
    """A Markdown caption as LaTeX: ``$...$`` kept as mathematics, the rest escaped."""
    parts = _MATH_RE.split(markdown)
    return "".join(p if _MATH_RE.fullmatch(p) else latex_escape(p) for p in parts)


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
# Width estimate
# ----------------------------------------------------------------------------------------------


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
