"""Markdown of the notebooks prepared for LaTeX (pandoc) and for the HTML pages.

Citations are ``<cite data-cite="key">Author (year)</cite>`` in Markdown; they become natbib's
``\\citet`` (``\\citep`` when the text is parenthesised; the starred forms, which list every author,
when the text names three or more) against ``report/references.bib``. Displayed equations are
``\\begin{equation} ... \\label{eq:...} \\end{equation}``; ``$$ ... \\label{...} $$`` is accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nbconvert.filters import escape_latex
from nbconvert.filters.pandoc import convert_pandoc

__all__ = [
    "ANCHOR_RE",
    "EQREF_LINK_RE",
    "GENERATED_TAG_RE",
    "LABEL_RE",
    "PANDOC_MARKDOWN",
    "REF_LINK_RE",
    "REF_RE",
    "anchor",
    "citations_to_natbib",
    "equation_refs_to_latex",
    "join_display_paragraphs",
    "keep_units",
    "latex_escape",
    "markdown_to_latex",
    "md_escape",
    "normalise_html_markdown",
    "normalise_markdown_latex",
    "split_title",
    "strip_anchors",
]

#: pandoc's Markdown flavour of the notebooks: ``\\(...\\)`` math, no automatic heading ids
#: (chapters generated from one notebook would repeat them).
PANDOC_MARKDOWN = "markdown+tex_math_double_backslash-auto_identifiers"

#: ``\\label{...}`` and the reference commands that name labels.
LABEL_RE = re.compile(r"\\label\{([^}]*)\}")
REF_RE = re.compile(
    r"\\(?P<cmd>ref|eqref|pageref|autoref|cref|Cref|nameref|vref)(?P<star>\*?)\{(?P<labels>[^}]*)\}"
)
#: Numbered references that :mod:`lstmgru.report.numbering` writes into the notebooks:
#: ``[(N)](#label)`` for ``\\eqref{label}`` and ``[N](#kind:name)`` for ``\\ref{kind:name}`` (``N``
#: also ``3.2``, an appendix's letter ``A`` or ``A.1``).
EQREF_LINK_RE = re.compile(r"\[\((?P<number>\d+)\)\]\(#(?P<label>[^()\s]+)\)")
REF_LINK_RE = re.compile(r"\[(?P<number>(?:\d+|[A-Z])(?:\.\d+)?)\]\(#(?P<label>[\w.-]+:[^()\s]*)\)")
#: The equation numbers that :mod:`lstmgru.report.numbering` writes (LaTeX numbers the PDF).
GENERATED_TAG_RE = re.compile(r"\\tag\{\d+\}")
#: The link targets that :mod:`lstmgru.report.numbering` writes for JupyterLab: an empty
#: ``<a id="kind:name"></a>`` right before a labelled display, and on lines of their own at the
#: end of the text before a labelled table or figure (:func:`anchor`).
_LABEL_ID = r'[\w.-]+:[^"<>\s]*'
ANCHOR_RE = re.compile(f'<a id="(?P<label>{_LABEL_ID})"></a>')
#: An anchor with the line break that :mod:`lstmgru.report.numbering` wrote with it, if any.
_ANCHOR = f'<a id="{_LABEL_ID}"></a>'
_ANCHOR_STRIP_RE = re.compile(rf"\n{_ANCHOR}(?=\n|\Z)|\A{_ANCHOR}\n|{_ANCHOR}")
_CITE_RE = re.compile(
    r"<(?P<tag>[A-Za-z][\w-]*)(?P<attrs>[^>]*?)\sdata-cite\s*=\s*(?P<q>[\"'])(?P<keys>.*?)(?P=q)"
    r"(?P<rest>[^>]*)>(?P<text>.*?)</(?P=tag)\s*>",
    re.S,
)
_TIE_RE = re.compile(
    r"(?<=\S)~(?=\\(?:ref|eqref|pageref|autoref|cref|Cref|nameref|cite[tp]?\*?)\{)"
)
_DOLLAR_LABEL_RE = re.compile(
    r"\$\$(?P<body>(?:(?!\$\$).)*?\\label\{[^}]*\}(?:(?!\$\$).)*?)\$\$", re.S
)
_TITLE_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def latex_escape(text: object) -> str:
    """``text`` as LaTeX text (special characters escaped, nothing else changed)."""
    return escape_latex(str(text))


_UNIT_SPACE_RE = re.compile(r"(?<=\d)[ ~]\\%")


def keep_units(latex: str) -> str:
    """A number and its per-cent sign never part at a line break: ``5 \\%`` becomes ``5\\,\\%``
    (a thin, unbreakable space, as the generated text writes it everywhere else)."""
    return _UNIT_SPACE_RE.sub(lambda _: "\\,\\%", latex)


def md_escape(text: str) -> str:
    """``text`` with Markdown's punctuation backslash-escaped (literal in pandoc's reader)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>$~^&])", r"\\\1", text)


def anchor(label: str) -> str:
    """The link target of ``label`` in a notebook's Markdown (matched by :data:`ANCHOR_RE`).

    JupyterLab keeps the ``id`` of the Markdown it renders (as ``data-jupyter-id``) and scrolls
    a link ``[...](#label)`` of the notebook to the element that carries it.
    """
    if not ANCHOR_RE.fullmatch(f'<a id="{label}"></a>'):
        raise ValueError(f"{label!r} is not a label of the form kind:name")
    return f'<a id="{label}"></a>'


def strip_anchors(markdown: str) -> str:
    """``markdown`` without the anchors of :func:`anchor`, nor the line breaks written with them."""
    return _ANCHOR_STRIP_RE.sub("", markdown)


def citations_to_natbib(markdown: str) -> str:
    """Replace ``<cite data-cite="key">text</cite>`` by the natbib command the text asks for.

    Parenthesised text, ``(Author, 2000)``, gives ``\\citep``; otherwise ``\\citet``. Text that
    names three or more authors in full (no "et al.") gives the starred form, which lists all
    authors as the text does. Several keys may be separated by commas or spaces.
    """

    def replace(match: re.Match) -> str:
        keys = ",".join(k for k in re.split(r"[\s,]+", match["keys"].strip()) if k)
        text = re.sub(r"<[^>]+>", "", match["text"]).strip()
        command = "citep" if (not text or text.startswith("(")) else "citet"
        names = re.sub(r"[()]|\b\d{4}[a-z]?\b", " ", text)
        authors = [n for n in re.split(r",|;|&|\band\b", names) if n.strip()]
        star = "*" if len(authors) >= 3 and "et al" not in text else ""
        return f"\\{command}{star}{{{keys}}}"

    return _CITE_RE.sub(replace, markdown)


def equation_refs_to_latex(markdown: str) -> str:
    """Undo :mod:`lstmgru.report.numbering` for LaTeX.

    The numeric ``\\tag{N}`` it writes into equations are removed (LaTeX numbers them, and the
    build tests check that its numbers equal the tags), and so are its anchors
    (:func:`strip_anchors`); its numbered links become ``\\eqref{label}`` and ``\\ref{label}``
    again.
    """
    markdown = GENERATED_TAG_RE.sub("", strip_anchors(markdown))
    markdown = EQREF_LINK_RE.sub(lambda m: f"\\eqref{{{m['label']}}}", markdown)
    return REF_LINK_RE.sub(lambda m: f"\\ref{{{m['label']}}}", markdown)


def normalise_markdown_latex(markdown: str) -> str:
    """Markdown prepared for pandoc's LaTeX writer.

    Citations become natbib commands (:func:`citations_to_natbib`); generated equation numbers
    and numbered links become LaTeX's own (:func:`equation_refs_to_latex`); a ``~`` tie before
    ``\\ref``, ``\\eqref`` or ``\\cite`` becomes a non-breaking space (pandoc would print a
    tilde); ``$$ ... \\label{...} $$`` becomes a numbered ``equation`` environment.
    """
    markdown = equation_refs_to_latex(citations_to_natbib(markdown))
    markdown = _TIE_RE.sub("\u00a0", markdown)
    return _DOLLAR_LABEL_RE.sub(
        lambda m: "\\begin{equation}" + m["body"].strip("\n") + "\\end{equation}", markdown
    )


def normalise_html_markdown(markdown: str, numbers: Mapping[str, int | str]) -> str:
    """Markdown for the HTML page: known ``\\ref``s become numbered links, ``~`` ties spaces."""
    markdown = _TIE_RE.sub("&nbsp;", markdown)

    def link(match: re.Match) -> str:
        labels = [x.strip() for x in match["labels"].split(",")]
        if match["cmd"] != "ref" or not all(x in numbers for x in labels):
            return match.group(0)
        return ", ".join(f"[{numbers[x]}](#{x})" for x in labels)

    return REF_RE.sub(link, markdown)


def markdown_to_latex(text: str) -> str:
    """Convert a Markdown fragment (captions, titles, intros) to LaTeX with pandoc.

    Citations must be natbib commands already (:func:`normalise_markdown_latex`).
    """
    if not text.strip():
        return ""
    return convert_pandoc(text, PANDOC_MARKDOWN, "latex", extra_args=["--wrap=none"]).strip()


_DISPLAY_ENVS = r"(?:equation|align|gather|multline|flalign|eqnarray)\*?"
_BEFORE_DISPLAY_RE = re.compile(
    r"(?P<prev>[^\n]*)\n[ \t]*\n(?=[ \t]*(?:\\begin\{" + _DISPLAY_ENVS + r"\}|\\\[))"
)
_AFTER_DISPLAY_RE = re.compile(
    r"(?P<end>\\end\{" + _DISPLAY_ENVS + r"\}|\\\])[ \t]*\n[ \t]*\n(?=[ \t]*[a-z(,.;:])"
)
_SECTIONING_RE = re.compile(r"^\s*\\(chapter|section|subsection|subsubsection|paragraph)\b|^\s*$")


def join_display_paragraphs(latex: str) -> str:
    """Keep displayed equations inside their paragraph.

    Pandoc sets a display equation written as its own Markdown paragraph apart with blank
    lines, so LaTeX would start a paragraph before it (extra space) and indent the text after
    it. The blank line before a display is removed unless a heading precedes it, and the one
    after it when the text continues in lower case or with punctuation.
    """

    def before(match: re.Match) -> str:
        if _SECTIONING_RE.match(match["prev"]):
            return match.group(0)
        return match["prev"] + "\n"

    latex = _BEFORE_DISPLAY_RE.sub(before, latex)
    return _AFTER_DISPLAY_RE.sub(lambda m: m["end"] + "\n", latex)


def notebook_title(nb) -> str:
    """The first ``# Heading`` of the notebook's Markdown ("" when there is none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = _TITLE_RE.search(cell.source)
            if match:
                return match[1]
    return ""


def split_title(nb) -> tuple[str, str]:
    """Remove the title (first ``# Heading``) and the rest of its cell from ``nb``.

    Returns
    -------
    tuple of str
        The title and the Markdown that followed it in the same cell (both possibly empty).
    """
    for position, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        match = _TITLE_RE.search(cell.source)
        if match is None:
            return "", ""
        title = match[1]
        intro = (cell.source[: match.start()] + cell.source[match.end() :]).strip("\n")
        del nb.cells[position]
        return title, intro
    return "", ""
