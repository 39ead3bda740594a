"""Equation numbers written into the notebooks' Markdown, equal to the PDF's.

JupyterLab typesets each Markdown cell on its own (MathJax 3, no automatic numbers), so it cannot
number the equations through a notebook nor resolve a ``\\label`` of one cell in another. This
module writes the numbers into the source, counting as LaTeX counts them in the thesis (one
counter through the document, ``\\counterwithout{equation}{chapter}``):

- every numbered display (an ``equation`` or ``multline`` environment, or a ``$$ ... $$`` with a
  ``\\label``, which the PDF makes an ``equation``) gets ``\\tag{N}``, placed before its first
  ``\\label``;
- every reference ``\\eqref{label}`` to such an equation becomes the Markdown link
  ``[(N)](#label)``, and ``\\ref{label}`` becomes ``[N](#label)``;
- in the chapters whose tables and figures do not depend on the run (:data:`FLOAT_CHAPTERS`:
  the theory and the data chapter), ``Table~\\ref{tab:x}`` becomes ``Table&nbsp;[C.K](#tab:x)``
  with the table's number in the thesis (chapter ``C``, the ``K``-th table of the chapter, the
  table of the run's parameters first), and likewise for figures. The cells from the first one
  tagged ``appendix`` (:data:`APPENDIX_TAG`) to the end of such a notebook are an appendix of
  the thesis (:data:`APPENDICES`): their tables and figures are numbered ``L.K`` after its
  letter ``L``, and ``Appendix~\\ref{app:x}`` to it becomes ``Appendix&nbsp;[L](#app:x)``;
- every numbered link gets a target in the same notebook (:func:`write_anchors`): an empty
  ``<a id="label"></a>`` right before each labelled display, and, for the tables and figures
  of those chapters, on a line of its own at the end of the Markdown cell before the float's
  code cell. JupyterLab keeps these ids (as ``data-jupyter-id``) and scrolls a link
  ``[...](#label)`` to them; ``:`` in a label is no obstacle (it looks them up escaped).

The report reverses all of it (:func:`lstmgru.report.markdown.normalise_markdown_latex` strips the
numeric tags and turns the links back into ``\\eqref``/``\\ref``), so LaTeX numbers the PDF
itself and keeps its hyperlinks; the build tests check that its numbers equal the tags. A
numeric tag is always this module's: an equation that needs its own tag uses a non-numeric one
(``\\tag{$\\ast$}``), which is kept and takes no number, as ``\\nonumber`` and ``\\notag`` do.
Numbered ``align``-type environments (one number per row) are refused: write
``\\begin{equation}\\begin{aligned} ... \\end{aligned}\\end{equation}`` instead.

Rewriting is idempotent. After adding, removing or moving an equation, run::

    python -m lstmgru.report.numbering notebooks/01_equations.ipynb
    python -m lstmgru.report.numbering --check notebooks/01_equations.ipynb   # exit 1 if stale

With no path, every chapter notebook in ``notebooks/`` is numbered, in file name order.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from lstmgru.report.markdown import (
    EQREF_LINK_RE,
    GENERATED_TAG_RE,
    LABEL_RE,
    REF_LINK_RE,
    anchor,
    strip_anchors,
)

__all__ = [
    "APPENDICES",
    "APPENDIX_TAG",
    "FLOAT_CHAPTERS",
    "Numbering",
    "appendix_start",
    "float_numbers",
    "html_equation_refs",
    "main",
    "number_notebooks",
    "number_sources",
    "numbered_refs",
    "write_anchors",
]

#: Spans of Markdown that references are never rewritten in: code, display and inline math.
_PROTECTED_RE = re.compile(
    r"(?P<fence>^[ \t]*(?P<ticks>```+|~~~+).*?^[ \t]*(?P=ticks)[ \t]*$)"
    r"|(?P<code>(?P<bt>`+).+?(?P=bt))"
    r"|(?P<dollars>\$\$(?P<dbody>.+?)\$\$)"
    r"|(?P<env>\\begin\{(?P<name>[A-Za-z]+)(?P<star>\*?)\}(?P<ebody>.*?)\\end\{(?P=name)(?P=star)\})"
    r"|(?P<bracket>\\\[.*?\\\]|\\\(.*?\\\))"
    r"|(?P<inline>(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$)",
    re.S | re.M,
)
_SINGLE_NUMBER_ENVS = frozenset({"equation", "multline"})
_ROW_NUMBER_ENVS = frozenset({"align", "gather", "flalign", "alignat", "eqnarray", "xalignat"})
_OWN_TAG_RE = re.compile(r"\\tag\*?\{|\\nonumber\b|\\notag\b")
_TIED_EQREF_LINK_RE = re.compile(r"(?P<tie>~?)" + EQREF_LINK_RE.pattern)
_REF_CMD_RE = re.compile(r"\\(?P<cmd>eqref|ref)\{(?P<label>[^},]+)\}")
_FLOAT_REF_RE = re.compile(r"(?P<tie>~?)\\ref\{(?P<label>(?:tab|fig|app):[^},]+)\}")
_TIED_REF_LINK_RE = re.compile(r"(?P<tie>(?:&nbsp;)?)" + REF_LINK_RE.pattern)

#: Chapter numbers in the thesis of the notebooks whose tables and figures are the same in every
#: run (the introduction and the literature review come first); their ``\ref`` to a table or a
#: figure gets the number. The build tests check these numbers against the PDF.
FLOAT_CHAPTERS: Mapping[str, int] = {"01_equations": 3, "02_data": 4}
#: Cell tags of the parameters cell (the runner's copy first): the report shows the run's
#: parameters there as the chapter's first table.
_INJECTED, _PARAMETERS = "injected-parameters", "parameters"
#: Cell tag of the Markdown cell whose ``## Heading`` starts a notebook's appendix part: that cell
#: and all after it are an appendix of the thesis, not part of the notebook's chapter.
APPENDIX_TAG = "appendix"
#: The appendix of each notebook that has an appendix part: its letter and its label. The report
#: places these appendices first, in this order, before the experiments on each instrument; the
#: build tests check the letters against the PDF.
APPENDICES: Mapping[str, tuple[str, str]] = {"01_equations": ("A", "app:checks")}


def appendix_start(nb) -> int | None:
    """Index of the first cell of ``nb`` tagged :data:`APPENDIX_TAG`; ``None`` when none is."""
    for index, cell in enumerate(nb.cells):
        if APPENDIX_TAG in cell.metadata.get("tags", []):
            return index
    return None


def float_numbers(nb, chapter: int, appendix: tuple[str, str] | None = None) -> dict[str, str]:
    """Thesis numbers ``"C.K"`` of the labelled tables and figures of one chapter notebook.

    Tables and figures are counted apart, in cell order, as the report numbers them: the table
    of the run's parameters (at the injected parameters cell of an executed notebook, else at
    the ``parameters`` cell) first, then every code cell whose metadata ``label`` starts with
    ``tab:`` or ``fig:``. From the cell tagged :data:`APPENDIX_TAG` on, the counts start again
    under the letter of ``appendix`` (``(letter, label)``, see :data:`APPENDICES`), and the
    appendix's label gets its letter.

    Raises
    ------
    ValueError
        The notebook has an appendix part but ``appendix`` is not given.
    """
    injected = any(_INJECTED in c.metadata.get("tags", []) for c in nb.cells)
    start = appendix_start(nb)
    if start is not None and appendix is None:
        raise ValueError(
            f"cell {start} starts an appendix (tag {APPENDIX_TAG!r}) but the notebook has no "
            "entry in lstmgru.report.numbering.APPENDICES"
        )
    counts = {"tab": 0, "fig": 0}
    numbers: dict[str, str] = {}
    prefix = str(chapter)
    for index, cell in enumerate(nb.cells):
        if index == start and appendix is not None:
            prefix, counts = appendix[0], {"tab": 0, "fig": 0}
            numbers[appendix[1]] = appendix[0]
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if (_INJECTED if injected else _PARAMETERS) in tags:
            counts["tab"] += 1
        label = str(cell.metadata.get("label") or "")
        kind = label.split(":", 1)[0]
        if kind in counts:
            counts[kind] += 1
            numbers[label] = f"{prefix}.{counts[kind]}"
    return numbers


@dataclass(frozen=True)
class Numbering:
    """The equation numbers of a sequence of notebooks.

    Attributes
    ----------
    numbers : dict of str to int
        Number of every label of a numbered equation.
    owners : dict of str to int
        Index (in the sequence given) of the notebook that defines each label.
    count : int
        How many numbers were given (labelled or not).
    floats : dict of str to str
        Thesis number of every table and figure the notebooks number (:func:`float_numbers`).
    """

    numbers: dict[str, int]
    owners: dict[str, int]
    count: int
    floats: dict[str, str] = field(default_factory=dict)


def _where(name: str, cell: int) -> str:
    return f"{name}, cell {cell}" if name else f"cell {cell}"


def _tagged(body: str, number: int | None) -> str:
    """``body`` of a display without generated tags, plus ``\\tag{number}`` when given."""
    body = GENERATED_TAG_RE.sub("", body)
    if number is None:
        return body
    tag = f"\\tag{{{number}}}"
    label = LABEL_RE.search(body)
    if label:
        return body[: label.start()] + tag + body[label.start() :]
    end = len(body.rstrip())
    return body[:end] + tag + body[end:]


def _number_displays(source: str, start: int, where: str) -> tuple[str, int, list[tuple[str, int]]]:
    """Tag the numbered displays of one cell: ``(source, last number, [(label, number)])``."""
    number = start
    labels: list[tuple[str, int]] = []

    def visit(match: re.Match) -> str:
        nonlocal number
        if match["dollars"] is not None:
            body = match["dbody"]
            if not LABEL_RE.search(body):
                return match.group(0)
            wrap = ("$$", "$$")
        elif match["env"] is not None:
            name, star = match["name"], match["star"]
            if star or name not in _SINGLE_NUMBER_ENVS | _ROW_NUMBER_ENVS:
                return match.group(0)
            if name in _ROW_NUMBER_ENVS:
                raise ValueError(
                    f"{where}: a numbered `{name}` environment numbers every row, which the "
                    "notebooks cannot show; write \\begin{equation}\\begin{aligned} ... "
                    f"\\end{{aligned}}\\end{{equation}} (one number) or `{name}*`"
                )
            body = match["ebody"]
            wrap = (f"\\begin{{{name}}}", f"\\end{{{name}}}")
        else:
            return match.group(0)
        if not _OWN_TAG_RE.search(GENERATED_TAG_RE.sub("", body)):
            number += 1
            labels.extend((x, number) for x in LABEL_RE.findall(body))
            return wrap[0] + _tagged(body, number) + wrap[1]
        return wrap[0] + _tagged(body, None) + wrap[1]

    text = _PROTECTED_RE.sub(visit, source)
    return text, number, labels


def _rewrite_refs(
    source: str, numbers: Mapping[str, int], where: str, floats: Mapping[str, str] | None = None
) -> str:
    """References to numbered equations (and to the ``floats``) in the prose of one cell, as
    numbered links."""
    floats = floats or {}

    def float_ref(match: re.Match) -> str:
        label = match["label"].strip()
        if label not in floats:
            return match.group(0)
        return f"{'&nbsp;' if match['tie'] else ''}[{floats[label]}](#{label})"

    def float_link(match: re.Match) -> str:
        label = match["label"]
        if label not in floats:
            return match.group(0)
        return f"{match['tie']}[{floats[label]}](#{label})"

    def prose(text: str) -> str:
        def command(match: re.Match) -> str:
            label = match["label"].strip()
            if label not in numbers:
                return match.group(0)
            n = numbers[label]
            return f"[({n})](#{label})" if match["cmd"] == "eqref" else f"[{n}](#{label})"

        def eqlink(match: re.Match) -> str:
            label = match["label"]
            if label not in numbers:
                raise ValueError(
                    f"{where}: the reference {match.group(0)} names no numbered equation; "
                    "write \\eqref{<label of an equation>} (or remove it)"
                )
            return f"[({numbers[label]})](#{label})"

        def reflink(match: re.Match) -> str:
            label = match["label"]
            return f"[{numbers[label]}](#{label})" if label in numbers else match.group(0)

        text = _FLOAT_REF_RE.sub(float_ref, text)
        text = _TIED_REF_LINK_RE.sub(float_link, text)
        text = _REF_CMD_RE.sub(command, text)
        text = EQREF_LINK_RE.sub(eqlink, text)
        return REF_LINK_RE.sub(reflink, text)

    parts, last = [], 0
    for match in _PROTECTED_RE.finditer(source):
        parts.append(prose(source[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(prose(source[last:]))
    return "".join(parts)


def number_sources(
    notebooks: Sequence[Sequence[str]],
    names: Sequence[str] = (),
    floats: Sequence[Mapping[str, str]] = (),
) -> tuple[list[list[str]], Numbering]:
    """Number the Markdown of several notebooks, in order, as LaTeX would number the thesis.

    Parameters
    ----------
    notebooks : sequence of sequence of str
        The Markdown cells' sources of each notebook, in the order of the thesis.
    names : sequence of str, optional
        Names of the notebooks for error messages.
    floats : sequence of mapping, optional
        Per notebook, the thesis numbers of its tables and figures (:func:`float_numbers`);
        its ``\\ref`` to them become numbered links.

    Returns
    -------
    tuple
        The rewritten sources (same shape) and the :class:`Numbering`.

    Raises
    ------
    ValueError
        A label defined twice, a numbered ``align``-type environment, or a numbered link whose
        label names no equation; the message names the notebook and cell.
    """
    names = list(names) or [""] * len(notebooks)
    tagged: list[list[str]] = []
    numbers: dict[str, int] = {}
    owners: dict[str, int] = {}
    count = 0
    for k, cells in enumerate(notebooks):
        out = []
        for i, source in enumerate(cells):
            text, count, labels = _number_displays(source, count, _where(names[k], i))
            for label, n in labels:
                if label in numbers:
                    raise ValueError(f"{_where(names[k], i)}: label {label} is defined twice")
                numbers[label], owners[label] = n, k
            out.append(text)
        tagged.append(out)
    floats = list(floats) or [{}] * len(notebooks)
    rewritten = [
        [_rewrite_refs(s, numbers, _where(names[k], i), floats[k]) for i, s in enumerate(cells)]
        for k, cells in enumerate(tagged)
    ]
    merged = {label: number for per_notebook in floats for label, number in per_notebook.items()}
    return rewritten, Numbering(numbers, owners, count, merged)


def _check_appendix_equations(nb, name: str) -> None:
    """Refuse a numbered equation in the appendix part of ``nb``: the thesis prints that part
    after the body, so the equation would take its number there, not in the notebook's order."""
    start = appendix_start(nb)
    for index, cell in enumerate(nb.cells[start:] if start is not None else [], start or 0):
        if cell.cell_type == "markdown" and _number_displays(cell.source, 0, "")[1]:
            raise ValueError(
                f"{_where(name, index)}: a numbered equation in the appendix part (from the cell "
                f"tagged {APPENDIX_TAG!r}); number it in the chapter before, or use `equation*`"
            )


def number_notebooks(nbs: Sequence, names: Sequence[str] = ()) -> Numbering:
    """Number the Markdown cells of notebooks (nbformat nodes) in place; see :func:`number_sources`.

    Raises
    ------
    ValueError
        As :func:`number_sources`, and for a numbered equation in a notebook's appendix part.
    """
    markdown = [[c for c in nb.cells if c.cell_type == "markdown"] for nb in nbs]
    stems = [Path(n).stem for n in names] if names else [""] * len(nbs)
    for nb, name in zip(nbs, names or stems, strict=True):
        _check_appendix_equations(nb, str(name))
    floats = [
        float_numbers(nb, FLOAT_CHAPTERS[stem], APPENDICES.get(stem))
        if stem in FLOAT_CHAPTERS
        else {}
        for nb, stem in zip(nbs, stems, strict=True)
    ]
    sources, numbering = number_sources(
        [[c.source for c in cells] for cells in markdown], names, floats
    )
    for cells, new in zip(markdown, sources, strict=True):
        for cell, source in zip(cells, new, strict=True):
            cell.source = source
    for nb, labels in zip(nbs, floats, strict=True):
        write_anchors(nb, numbering.numbers, labels)
    return numbering


def _anchored_displays(source: str, numbers: Mapping[str, int]) -> str:
    """``source`` with an anchor right before every display that defines a numbered label."""

    def visit(match: re.Match) -> str:
        if match["dollars"] is None and match["env"] is None:
            return match.group(0)
        labels = [x for x in LABEL_RE.findall(match.group(0)) if x in numbers]
        return "".join(anchor(x) for x in labels) + match.group(0)

    return _PROTECTED_RE.sub(visit, source)


def write_anchors(nb, numbers: Mapping[str, int], floats: Iterable[str] = ()) -> None:
    """Write the link targets of ``nb``'s numbered equations and ``floats`` into its Markdown.

    The anchors written before (:data:`lstmgru.report.markdown.ANCHOR_RE`) are removed first,
    so that rewriting is idempotent. Every display that defines a label of ``numbers`` gets
    ``<a id="label"></a>`` right before it; every code cell whose ``label`` is in ``floats``
    gets its anchor on a line of its own at the end of the last Markdown cell before it (at
    the start of the first one after it when no Markdown precedes it); an appendix label
    ``app:x`` of ``floats`` starts the Markdown cell tagged ``appendix``. The LaTeX and HTML
    conversions remove them again (:func:`lstmgru.report.markdown.strip_anchors`).
    """
    floats = set(floats)
    cells = nb.cells
    markdown = [i for i, c in enumerate(cells) if c.cell_type == "markdown"]
    after: dict[int, list[str]] = {i: [] for i in markdown}
    before: dict[int, list[str]] = {i: [] for i in markdown}
    for i, cell in enumerate(cells):
        label = str(cell.metadata.get("label") or "") if cell.cell_type == "code" else ""
        if label not in floats:
            continue
        previous = [j for j in markdown if j < i]
        following = [j for j in markdown if j > i]
        if previous:
            after[previous[-1]].append(label)
        elif following:
            before[following[0]].append(label)
    # an appendix part's label (``app:x``) points at the tagged cell that opens it
    appendix = sorted(x for x in floats if x.startswith("app:"))
    for i in markdown:
        if appendix and APPENDIX_TAG in cells[i].metadata.get("tags", []):
            before[i].insert(0, appendix[0])
    for i in markdown:
        source = _anchored_displays(strip_anchors(cells[i].source), numbers)
        lead = "".join(anchor(x) + "\n" for x in before[i])
        cells[i].source = lead + source + "".join("\n" + anchor(x) for x in after[i])


def html_equation_refs(markdown: str, local: Iterable[str], pages: Mapping[str, str]) -> str:
    """Numbered equation links of one web page made to work there.

    A link to an equation of the same page becomes ``\\eqref{label}`` (MathJax links it to the
    equation and checks the number); one to an equation of another page points at that page's
    MathJax anchor (``pages`` maps labels to page file names), a ``~`` tie before it becomes a
    non-breaking space.
    """
    local = set(local)

    def link(match: re.Match) -> str:
        label = match["label"]
        if label in local:
            return f"{match['tie']}\\eqref{{{label}}}"
        if label in pages:
            tie = "&nbsp;" if match["tie"] else ""
            return f"{tie}[({match['number']})]({pages[label]}#mjx-eqn-{label})"
        return match.group(0)

    return _TIED_EQREF_LINK_RE.sub(link, markdown)


def numbered_refs(markdown: str, notebooks: Sequence[Path] | None = None) -> str:
    """Markdown printed by a notebook's code, its references numbered as in the Markdown cells.

    JupyterLab shows ``\\eqref`` and ``\\ref`` in a cell's output as "???": the labels are
    typeset in other cells, and the tables' numbers are the thesis's. Code of the theory and data
    chapters that prints references passes its Markdown through here, which writes them as the
    numbered links this module writes into the Markdown cells (counted over ``notebooks``, by
    default the chapter notebooks of ``notebooks/``). The report turns them back into
    ``\\eqref``/``\\ref`` as it does for the cells. References it does not know stay as they are.
    """
    paths = tuple(Path(p) for p in (notebooks or _default_paths()))
    digests = tuple(hashlib.sha256(p.read_bytes()).hexdigest() for p in paths)
    numbering = _numbering_of(paths, digests)
    return _rewrite_refs(markdown, numbering.numbers, "output", numbering.floats)


@functools.lru_cache(maxsize=4)
def _numbering_of(paths: tuple[Path, ...], digests: tuple[str, ...]) -> Numbering:
    """The :class:`Numbering` of the notebooks at ``paths`` (``digests`` the SHA-256 of their
    files, so that an edited notebook is read again)."""
    return number_notebooks(
        [nbformat.read(p, as_version=4) for p in paths], [str(p) for p in paths]
    )


def _default_paths() -> list[Path]:
    from lstmgru.runs import NOTEBOOK_DIR

    return sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rewrite (or ``--check``) the equation numbers of notebooks."""
    parser = argparse.ArgumentParser(
        prog="python -m lstmgru.report.numbering",
        description="Write equation numbers (\\tag) and numbered references into notebooks, "
        "counted as in the thesis PDF.",
    )
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="notebooks in thesis order (default: notebooks/)"
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date"
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or _default_paths()
    nbs = [nbformat.read(p, as_version=4) for p in paths]
    before = [[c.source for c in nb.cells] for nb in nbs]
    try:
        numbering = number_notebooks(nbs, [str(p) for p in paths])
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = [
        p
        for p, nb, old in zip(paths, nbs, before, strict=True)
        if [c.source for c in nb.cells] != old
    ]
    if args.check:
        for path in stale:
            print(
                f"{path}: equation numbers out of date; run "
                f"`python -m lstmgru.report.numbering {path}`",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for path, nb in zip(paths, nbs, strict=True):
        if path in stale:
            nbformat.write(nb, path)
            print(f"{path}: equation numbers rewritten")
    print(f"{numbering.count} numbered equations, {len(numbering.numbers)} labels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
