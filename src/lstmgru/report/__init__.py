"""The written report: ``report/build/thesis.pdf`` and HTML pages from an executed run.

``python -m lstmgru report`` (:mod:`~lstmgru.report.cli`) reads a run directory written by the
runner (layout in :mod:`lstmgru.runs`) and builds the thesis (:mod:`~lstmgru.report.build`).
One module per concern:

=====================  =====================================================================
``paths``              the report's sources; the executed notebooks of a run
``tables``             DataFrames as booktabs LaTeX and HTML (``show`` in the notebooks)
``formats``            the cell texts of a table: display names, number formats, stars, bold best
``latex_tables``       a table's LaTeX: caption, width, continued parts
``preprocessors``      nbconvert preprocessors: noise, parameters, labels
``captions``           nbconvert preprocessors of figure and table captions
``markdown``           citations to natbib, display paragraphs, Markdown for pandoc
``chapters``           notebook -> chapter LaTeX; one section per ticker for the experiment
``generated``          meta, findings and discussion from Jinja2 templates (``report/templates``)
``appendix``           the reproducibility appendix as readable tables
``equations_file``     ``equations.tex``: the theory chapter's equations, numbered as in the PDF
``latex``              latexmk and the LaTeX log
``html``               the web pages
``build``, ``cli``     ``build_report`` and the command line
=====================  =====================================================================

Conventions the notebooks follow: code is never shown (``remove-cell``, ``hide-input`` are
honoured); the first ``# Heading`` is the chapter title; a code cell's metadata ``caption``
(Markdown) and ``label`` (``fig:...``) make a numbered figure; tables come from
:func:`lstmgru.report.tables.show` (``text/latex`` with caption and label); in the experiment
notebook every label gets the ticker (``fig:forecasts`` becomes ``fig:KO:forecasts``); citations
are ``<cite data-cite="key">Author (year)</cite>``; progress bars, logs and stderr never reach the
PDF or the HTML.

Importing this package is light (the notebooks import :mod:`lstmgru.report.tables`): the public
names below are loaded from their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "COMPARISON",
    "DATA",
    "EXPERIMENT",
    "THEORY",
    "CaptionPreprocessor",
    "HtmlCaptionPreprocessor",
    "LabelPrefixPreprocessor",
    "LatexLogSummary",
    "MarkdownLatexPreprocessor",
    "ParameterTablePreprocessor",
    "ReportBuildError",
    "RunNotebooks",
    "StreamFilterPreprocessor",
    "add_arguments",
    "aux_labels",
    "build_html",
    "build_report",
    "check_run_is_current",
    "citations_to_natbib",
    "equations_tex",
    "export_figures",
    "join_display_paragraphs",
    "main",
    "markdown_to_latex",
    "normalise_markdown_latex",
    "parameter_rows",
    "parse_latex_log",
    "prefixed_label",
    "theory_equations",
    "theory_labels",
]

#: The modules that define the public names, lightest first.
_MODULES = (
    "paths",
    "markdown",
    "latex",
    "equations_file",
    "preprocessors",
    "captions",
    "chapters",
    "generated",
    "appendix",
    "html",
    "build",
    "cli",
)


def __getattr__(name: str) -> Any:
    """Load a public name from the module that defines it, on first use (PEP 562)."""
    if name in __all__:
        for module in _MODULES:
            found = importlib.import_module(f"{__name__}.{module}")
            if name in getattr(found, "__all__", ()):
                value = getattr(found, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
