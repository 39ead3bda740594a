"""Build the thesis PDF and the HTML pages of one run.

The PDF is built in a temporary directory inside the output directory and moved into place only
when xelatex succeeded, so a failed build never leaves a half-written PDF::

    <output>/thesis.pdf       title page, abstract, contents; introduction and literature review
                              (report/text); theory, data, methodology, results, discussion,
                              conclusion; references; appendices: the numerical checks of the
                              equations, one section per instrument, reproducibility record
    <output>/equations.tex    every labelled equation of the theory chapter, for \\input elsewhere
    <output>/html/            each executed notebook as a web page and an index
    <output>/latex/           the LaTeX sources, figures, .aux and .log of the last build
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from tqdm.auto import tqdm

from lstmgru import runs
from lstmgru.report import generated
from lstmgru.report.appendix import appendix_latex
from lstmgru.report.chapters import (
    Chapter,
    chapter_tex,
    experiments_chapter,
    ticker_label,
    write_text,
)
from lstmgru.report.equations_file import aux_labels, equations_tex, theory_equations
from lstmgru.report.html import build_html
from lstmgru.report.latex import (
    ReportBuildError,
    check_citations,
    compile_thesis,
    parse_latex_log,
    pdf_pages,
)
from lstmgru.report.paths import (
    DEFAULT_FIGURES,
    DEFAULT_OUTPUT,
    REPORT_DIR,
    STATIC_FILES,
    RunNotebooks,
)

__all__ = ["build_latex_sources", "build_report", "check_run_is_current", "export_figures"]

logger = logging.getLogger("lstmgru.report")


def check_run_is_current(run_dir: str | Path) -> None:
    """Refuse a run whose chapters would contradict each other, or that has nothing to report.

    Raises
    ------
    lstmgru.runs.StaleRunError
        The run names tickers but none has a valid result, or its comparison chapter was
        computed from other results than its tickers hold now (a rerun that was interrupted,
        a ticker folder deleted or changed); the message names the command that repairs it.
    """
    run = runs.load_run(run_dir)
    rerun = (
        "Rerun the same `python -m lstmgru run ...` command (it resumes the run and rebuilds "
        "the comparison), then `python -m lstmgru report`."
    )
    named = run.record.get("tickers") or []
    if named and not run.results:
        reasons = "; ".join(f"{t}: {why}" for t, why in run.unfinished.items())
        raise runs.StaleRunError(
            f"run {run.run_dir.name} has no finished ticker, so there is nothing to report "
            f"({reasons}). Fix the failures (see each ticker's error.txt) and rerun; {rerun}"
        )
    if run.results:
        problem = runs.comparison_problem(run)
        if problem is not None:
            raise runs.StaleRunError(
                f"the comparison chapter of run {run.run_dir.name} does not match its tickers' "
                f"current results: {problem}. {rerun}"
            )


#: Chapters converted from the run's notebooks: (key, file number, label, default title). The
#: body template (``report/templates/generated/body.tex.j2``) places them between the static
#: chapters of ``report/text``; a key the run has no notebook for is left out of the body.
_CHAPTERS = (
    ("theory", "01", "chap:theory", "Theory"),
    ("data", "02", "chap:data", "Data"),
    ("comparison", "04", "chap:results", "Results"),
    ("leakage", "05", "chap:leakage", "Leakage"),
)
#: Static prose copied from ``report/`` into the build directory besides :data:`STATIC_FILES`.
TEXT_DIR = "text"


def _copy_static(build: Path) -> list[str]:
    """Copy the master document, its prose and ``report/text``; return the prose texts."""
    for name in STATIC_FILES:
        source = REPORT_DIR / name
        if not source.is_file():
            raise ReportBuildError(f"{source} is missing; restore it from the repository")
        shutil.copy2(source, build / name)
    text_dir = REPORT_DIR / TEXT_DIR
    if not text_dir.is_dir():
        raise ReportBuildError(f"{text_dir} is missing; restore it from the repository")
    shutil.copytree(text_dir, build / TEXT_DIR, dirs_exist_ok=True)
    prose = [(build / n).read_text(encoding="utf-8") for n in STATIC_FILES if n.endswith(".tex")]
    prose += [p.read_text(encoding="utf-8") for p in sorted((build / TEXT_DIR).glob("*.tex"))]
    return prose


def _chapter_notebook(notebooks: RunNotebooks, key: str) -> Path | None:
    """The executed notebook of chapter ``key``; ``None`` when the run (or the layout) has none."""
    return getattr(notebooks, key, None)


def build_latex_sources(
    notebooks: RunNotebooks, build: Path, meta: Mapping[str, Any]
) -> list[Chapter]:
    """Write every LaTeX source of the thesis into ``build``; return the chapters written.

    The chapters converted from notebooks come first in the list, in body order, then the
    appendices converted from their appendix parts (``key='<chapter>_appendix'``, the theory's
    numerical checks), then the appendix of the experiments (``key='experiments'``) when the
    run has one. The appendices are the thesis's in this order, the reproducibility record last.
    """
    texts = _copy_static(build)
    for folder in ("chapters", "figures", "generated"):
        (build / folder).mkdir(exist_ok=True)
    chapters: list[Chapter] = []
    parts: list[Chapter] = []  # the appendix parts of the chapters (the theory's checks)
    titles = meta.get("chapters") or {}
    present = {key: _chapter_notebook(notebooks, key) for key, *_ in _CHAPTERS}
    bar = tqdm(
        total=sum(p is not None for p in present.values()) + len(notebooks.experiments),
        desc="report: chapters",
        unit="ch",
        disable=None,
        leave=False,
    )
    with bar:
        for key, number, label, fallback in _CHAPTERS:
            path = present[key]
            if path is None:
                if key != "leakage":
                    logger.warning(
                        "report: %s has no %s chapter; the thesis leaves it out",
                        notebooks.run.run_dir,
                        key,
                    )
                continue
            title, text, part = chapter_tex(
                path,
                f"{number}_{key}",
                label,
                build,
                fallback,
                title=titles.get(key) or None,
                extra_labels=("chap:comparison",) if key == "comparison" else (),
            )
            rel = f"chapters/{number}_{key}.tex"
            write_text(build / rel, text)
            chapters.append(Chapter(key, rel, title))
            texts.append(text)
            if part is not None:
                rel = f"chapters/{number}_{key}_appendix.tex"
                write_text(build / rel, part[1])
                parts.append(Chapter(f"{key}_appendix", rel, part[0]))
                texts.append(part[1])
            bar.update()
        chapters += parts
        appendix = None
        if notebooks.experiments or notebooks.missing:
            title = titles.get("experiments") or "Experiments on each instrument"
            appendix, text = experiments_chapter(notebooks, build, title, bar.update)
            chapters.append(appendix)
            texts.append(text)
    check_citations(texts, build / "references.bib")
    found = generated.run_findings(notebooks)
    summary = generated.summary_latex(notebooks, found)
    write_text(
        build / "generated" / "meta.tex", generated.meta_latex(meta, notebooks, summary, found)
    )
    body = {c.key: c for c in chapters if c.key != "experiments" and c not in parts}
    write_text(build / "generated" / "body.tex", generated.render("body", chapters=body))
    write_text(build / "generated" / "findings.tex", generated.findings_latex(notebooks, found))
    write_text(build / "generated" / "discussion.tex", generated.discussion_latex(notebooks, found))
    write_text(
        build / "generated" / "appendix.tex",
        appendix_latex(notebooks, experiments=appendix, appendices=parts),
    )
    return chapters


def _replace_dir(source: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        source.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        source.rename(target)


def _build_pdf(notebooks: RunNotebooks, latex: Path, output: Path) -> Path:
    """Compile the thesis in ``latex``; move the PDF, equations.tex and the sources to ``output``."""
    meta = generated.load_metadata()
    chapters = build_latex_sources(notebooks, latex, meta)
    figures = len([p for p in (latex / "figures").iterdir() if p.is_file()])
    logger.info(
        "report: %d chapters, %d figures; compiling with latexmk (xelatex, bibtex) ...",
        len(chapters),
        figures,
    )
    try:
        compile_thesis(latex)
    except ReportBuildError:
        failed = output / "failed-build"
        shutil.rmtree(failed, ignore_errors=True)
        latex.rename(failed)
        raise
    summary = parse_latex_log((latex / "thesis.log").read_text(errors="replace"))
    for name, items in (
        ("undefined references", summary.undefined_references),
        ("undefined citations", summary.undefined_citations),
        ("multiply defined labels", summary.multiply_defined),
        ("missing characters", summary.missing_characters),
    ):
        if items:
            logger.warning("report: LaTeX reports %s: %s", name, ", ".join(items))
    if notebooks.theory:
        aux = aux_labels((latex / "thesis.aux").read_text(errors="replace"))
        equations = theory_equations(nbformat.read(notebooks.theory, as_version=4))
        text = equations_tex(equations, {k: v[0] for k, v in aux.items()}, str(meta["title"]))
        os.replace(write_text(latex / "equations.tex", text), output / "equations.tex")
    else:
        (output / "equations.tex").unlink(missing_ok=True)
    os.replace(latex / "thesis.pdf", output / "thesis.pdf")
    shutil.rmtree(output / "failed-build", ignore_errors=True)
    _replace_dir(latex, output / "latex")
    return output / "thesis.pdf"


def build_report(
    run_dir: str | Path,
    output_dir: str | Path = DEFAULT_OUTPUT,
    *,
    html: bool = True,
    pdf: bool = True,
) -> Path:
    """Build the thesis PDF (and the HTML pages) of one run.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        Run directory written by the runner (:mod:`lstmgru.runs` describes the layout).
    output_dir : str or pathlib.Path, default "report/build"
        Where ``thesis.pdf``, ``equations.tex``, ``html/`` and ``latex/`` go.
    html : bool, default True
        Also write the HTML pages.
    pdf : bool, default True
        Build the PDF (``False``: HTML only).

    Returns
    -------
    pathlib.Path
        ``<output_dir>/thesis.pdf``, or the HTML index when ``pdf`` is False.

    Raises
    ------
    FileNotFoundError
        ``run_dir`` is not a run directory.
    ValueError
        The run holds no executed notebook, a table without its LaTeX, or a citation key
        missing from ``report/references.bib``.
    lstmgru.runs.StaleRunError
        The run has no finished ticker, or its chapters disagree (:func:`check_run_is_current`).
    ReportBuildError
        LaTeX failed; the message holds the first error and the end of the log, and the
        sources are kept in ``<output_dir>/failed-build`` for inspection.
    """
    started = time.perf_counter()
    check_run_is_current(run_dir)
    notebooks = RunNotebooks.load(run_dir)
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=output))
    try:
        result = output / "html" / "index.html"
        if html:
            build_html(notebooks, work / "html")
            _replace_dir(work / "html", output / "html")
            logger.info("report: HTML pages in %s", output / "html")
        if pdf:
            (work / "latex").mkdir()
            result = _build_pdf(notebooks, work / "latex", output)
            logger.info(
                "report: wrote %s (%s pages) in %.0f s",
                result,
                pdf_pages(result) or "?",
                time.perf_counter() - started,
            )
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_figures(
    notebooks: RunNotebooks, destination: str | Path = DEFAULT_FIGURES
) -> list[Path]:
    """Copy the figure files (PDF and PNG) the run's notebooks saved into ``destination``.

    The experiment notebook saves its figures under ``<TICKER>/figures/``, the comparison and
    the leakage notebooks under ``<run_dir>/figures/``; the copies are named
    ``<TICKER>_<figure>.pdf`` (and ``.png``) and ``comparison_<figure>.pdf`` (the run-level
    figures, e.g. ``comparison_leakage.pdf``). Returns the paths written.
    """
    destination = Path(destination)
    run = notebooks.run
    sources = [(ticker_label(t), run.ticker_dir(t) / "figures") for t in notebooks.experiments]
    sources.append(("comparison", run.run_dir / "figures"))
    copied: list[Path] = []
    for prefix, folder in sources:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in (".pdf", ".png"):
                destination.mkdir(parents=True, exist_ok=True)
                target = destination / f"{prefix}_{path.name}"
                shutil.copy2(path, target)
                copied.append(target)
    return copied
