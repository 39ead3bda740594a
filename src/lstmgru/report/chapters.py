"""Executed notebooks become chapters of the thesis (nbconvert's LaTeX exporter, pandoc).

A notebook is one chapter (theory, data, results, leakage); the experiment notebook, executed once
per ticker, is one section per ticker of the appendix on the instruments, its headings one level
deeper (pandoc's ``--shift-heading-level-by``) and its labels prefixed with the ticker. A chapter
notebook's cells from the one tagged ``appendix`` on (:data:`lstmgru.report.numbering.APPENDIX_TAG`)
are an appendix of their own: that cell's ``## Heading`` is its title, its ``###`` headings its
sections.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.exporters import LatexExporter, TemplateExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from lstmgru.report import generated
from lstmgru.report.captions import CaptionPreprocessor
from lstmgru.report.design import count
from lstmgru.report.markdown import (
    join_display_paragraphs,
    keep_units,
    latex_escape,
    markdown_to_latex,
    normalise_markdown_latex,
    split_title,
)
from lstmgru.report.numbering import APPENDICES, APPENDIX_TAG, appendix_start
from lstmgru.report.paths import TEMPLATE_DIR, RunNotebooks
from lstmgru.report.preprocessors import (
    INJECTED_TAG,
    LabelPrefixPreprocessor,
    MarkdownLatexPreprocessor,
    ParameterTablePreprocessor,
    StreamFilterPreprocessor,
    tag_remover,
)

__all__ = [
    "Chapter",
    "chapter_tex",
    "experiments_chapter",
    "export_latex",
    "run_preprocessors",
    "split_appendix",
    "thesis_exporter",
    "ticker_label",
    "write_text",
]


@dataclass
class Chapter:
    """One generated chapter file (relative path inside the LaTeX build directory)."""

    key: str
    path: str
    title: str


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``, creating its directory; LaTeX (``.tex``) keeps each
    number with its per-cent sign (:func:`~lstmgru.report.markdown.keep_units`)."""
    if path.suffix == ".tex":
        text = keep_units(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_preprocessors(nb, preprocessors: Sequence[Preprocessor], resources: dict | None = None):
    """``nb`` after each preprocessor in turn."""
    resources = resources if resources is not None else {}
    for preprocessor in preprocessors:
        nb, resources = preprocessor(nb, resources)
    return nb


def _prepared(path: Path, parameter_label: str | None, what: str = ""):
    """The notebook at ``path`` ready for export; its parameters a table labelled
    ``parameter_label``, or left out when that is ``None`` (the experiment's sections: the run's
    configuration is in the reproducibility appendix)."""
    parameters: Preprocessor = (
        ParameterTablePreprocessor(
            label=parameter_label, caption=f"Parameters of {what} in this run."
        )
        if parameter_label is not None
        else TagRemovePreprocessor(remove_cell_tags={INJECTED_TAG}, enabled=True)
    )
    return run_preprocessors(
        nbformat.read(path, as_version=4),
        [tag_remover(), StreamFilterPreprocessor(), MarkdownLatexPreprocessor(), parameters],
    )


def thesis_exporter(kind: type[TemplateExporter], template: str) -> TemplateExporter:
    """nbconvert exporter ``kind`` with one of the report's templates; code and prompts hidden."""
    return kind(
        template_name=template,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def export_latex(nb, key: str, build: Path, notebook_dir: Path, heading_shift: int = 0) -> str:
    """LaTeX body of a prepared notebook; its figures are written into ``build/figures``."""
    exporter = thesis_exporter(LatexExporter, "thesis_latex")
    resources = {
        "unique_key": key,
        "output_files_dir": "figures",
        "metadata": {"name": key, "path": str(notebook_dir)},
        "heading_shift": heading_shift,
    }
    body, resources = exporter.from_notebook_node(nb, resources=resources)
    for name, content in resources.get("outputs", {}).items():
        target = build / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    body = "\n".join(line.rstrip() for line in body.splitlines())
    return join_display_paragraphs(re.sub(r"\n{3,}", "\n\n", body)).strip() + "\n"


def _intro_latex(markdown: str) -> str:
    return join_display_paragraphs(markdown_to_latex(normalise_markdown_latex(markdown)))


_APPENDIX_TITLE_RE = re.compile(r"\A\s*##\s+(?P<title>.+?)\s*#*\s*$", re.M)
_HEADING_RE = re.compile(r"^#{1,6}\s", re.M)


def split_appendix(nb, where: str = "") -> tuple[str, str, nbformat.NotebookNode] | None:
    """Remove the appendix part of ``nb`` (the cells from the first tagged ``appendix`` on).

    Returns
    -------
    tuple or None
        ``(title, intro, part)``: the ``## Heading`` that opens the tagged cell, the Markdown
        after it in that cell up to its next heading, and a notebook of the rest of that cell
        and the cells after it; ``None`` (and ``nb`` unchanged) when no cell is tagged.

    Raises
    ------
    ValueError
        The tagged cell is not Markdown opening with a ``## Heading``.
    """
    start = appendix_start(nb)
    if start is None:
        return None
    cell = nb.cells[start]
    match = _APPENDIX_TITLE_RE.match(cell.source) if cell.cell_type == "markdown" else None
    if match is None:
        raise ValueError(
            f"{where or 'notebook'}, cell {start}: the cell tagged {APPENDIX_TAG!r} must be "
            "Markdown that opens with a `## Heading` (the appendix's title)"
        )
    rest = cell.source[match.end() :]
    heading = _HEADING_RE.search(rest)  # the appendix's first section, in the same cell
    cells = nb.cells[start + 1 :]
    if heading is not None:
        cells.insert(0, nbformat.v4.new_markdown_cell(rest[heading.start() :]))
        rest = rest[: heading.start()]
    part = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    del nb.cells[start:]
    return match["title"], rest.strip("\n"), part


def chapter_tex(
    path: Path,
    key: str,
    label: str,
    build: Path,
    fallback: str,
    *,
    title: str | None = None,
    extra_labels: Sequence[str] = (),
) -> tuple[str, str, tuple[str, str] | None]:
    """``(title, latex, appendix)`` of a notebook converted as a whole chapter.

    The notebook's first ``# Heading`` is the chapter title (``fallback`` when it has none)
    unless ``title`` (plain text, e.g. from ``report/metadata.yml``) replaces it; the Markdown
    after the heading in the same cell is the chapter's introduction. ``extra_labels`` are
    further labels of the chapter (older names that text may still refer to). ``appendix`` is
    ``(title, latex)`` of the notebook's appendix part (:func:`split_appendix`), an appendix
    chapter labelled as :data:`lstmgru.report.numbering.APPENDICES` says (``app:<key>`` for a
    notebook it does not list), or ``None``.
    """
    nb = _prepared(path, f"tab:{key}:parameters", f"the {fallback.lower()} chapter")
    heading, intro = split_title(nb)
    nb = run_preprocessors(nb, [CaptionPreprocessor()])
    part = split_appendix(nb, path.name)
    body = export_latex(nb, key, build, path.parent)
    if title:
        title_tex = latex_escape(title)
    else:
        title_tex = markdown_to_latex(heading) if heading else latex_escape(fallback)
    labels = "".join(rf"\label{{{x}}}" for x in (label, *extra_labels))
    text = rf"\chapter{{{title_tex}}}{labels}" + "\n\n"
    if intro:
        text += _intro_latex(intro) + "\n\n"
    appendix = None
    if part is not None:
        part_title, part_intro, part_nb = part
        part_label = APPENDICES.get(path.stem, ("", f"app:{key}"))[1]
        part_title = markdown_to_latex(part_title)
        appendix = (
            part_title,
            rf"\chapter{{{part_title}}}\label{{{part_label}}}"
            + "\n\n"
            + (_intro_latex(part_intro) + "\n\n" if part_intro else "")
            + export_latex(part_nb, f"{key}_appendix", build, path.parent, heading_shift=-1),
        )
    return title_tex, text + body, appendix


def ticker_label(ticker: str) -> str:
    """The ticker as a label and file name part (``BRK.B`` stays, ``^GSPC`` becomes ``_GSPC``)."""
    return re.sub(r"[^\w.-]", "_", ticker)


def _experiment_section(path: Path, ticker: str, key: str, build: Path) -> tuple[str, str]:
    """``(intro markdown, latex)`` of one ticker's experiment notebook as a section (its title
    cell left out: its introduction opens the appendix once for all sections; no table of its
    parameters, the same for every ticker but the ticker itself)."""
    prefix = ticker_label(ticker)
    nb = _prepared(path, None)
    _, intro = split_title(nb)
    nb = run_preprocessors(
        nb, [LabelPrefixPreprocessor(prefix=prefix, instrument=ticker), CaptionPreprocessor()]
    )
    body = export_latex(nb, key, build, path.parent, heading_shift=1)
    return intro, rf"\section{{{latex_escape(ticker)}}}\label{{sec:{prefix}}}" + "\n\n" + body


def experiments_chapter(
    notebooks: RunNotebooks, build: Path, title: str, progress: Callable[[], object]
) -> tuple[Chapter, str]:
    """The appendix of the experiments: one section file per ticker, a failed ticker's reason.

    Returns the chapter (``key='experiments'``, label ``app:experiments``) and its whole LaTeX
    (sections included, for the citation check).
    """
    sections = []
    intro = ""
    for i, (ticker, path) in enumerate(notebooks.experiments.items(), start=1):
        first_intro, text = _experiment_section(path, ticker, f"03_{i:02d}", build)
        intro = intro or first_intro
        rel = f"chapters/03_{i:02d}_{ticker_label(ticker)}.tex"
        write_text(build / rel, text)
        sections.append((ticker, rel, text))
        progress()
    text = generated.render(
        "experiments",
        title=latex_escape(title),
        results=notebooks.comparison is not None,
        intro=_intro_latex(intro) if intro else "",
        instruments=count(len(sections), "instrument"),
        sections=[(latex_escape(t), ticker_label(t), rel[:-4]) for t, rel, _ in sections],
        failed=[(latex_escape(t), latex_escape(why)) for t, why in notebooks.missing.items()],
    )
    rel = "chapters/03_experiments.tex"
    write_text(build / rel, text)
    return Chapter("experiments", rel, latex_escape(title)), text + "".join(
        s for _, _, s in sections
    )
