"""The written report: ``report/build/thesis.pdf`` and HTML pages from an executed run.

``python -m lstmgru report`` (``make pdf``; ``make report`` runs the experiment first) reads a run
directory written by :mod:`lstmgru.runner` (layout: :mod:`lstmgru.runs`)::

    <run>/run.json                       run record (id, tickers, profile, status, versions)
    <run>/01_equations.ipynb             theory chapter (optional)
    <run>/02_data.ipynb                  data chapter (optional)
    <run>/<TICKER>/03_experiment.ipynb   one experiment per ticker, beside result.json,
                                         metrics.csv and forecasts.csv
    <run>/04_comparison.ipynb            cross-ticker comparison (optional)

and writes into the output directory (default ``report/build``)::

    thesis.pdf       the thesis: title page, abstract, contents, lists of figures and tables,
                     one chapter per notebook (one section per ticker for the experiments),
                     conclusion, references, reproducibility appendix
    equations.tex    every labelled equation of the theory chapter, for \\input elsewhere
    html/            each executed notebook as a web page (MathJax, no code) and an index
    latex/           the LaTeX sources, figures, .aux and .log of the last successful build

The PDF is built in a temporary directory inside the output directory and moved into place only
when xelatex succeeded, so a failed build never leaves a half-written PDF.

Conventions the notebooks follow (and this module relies on)
-----------------------------------------------------------
- Code is never shown. Cells tagged ``remove-cell`` disappear with their output; ``hide-input``
  and ``remove-input`` are honoured too (they matter for the HTML pages and for JupyterLab).
- The first ``# Heading`` of a notebook is its chapter title; ``##`` headings are sections.
- The cell that papermill injects (tag ``injected-parameters``) becomes a small table of the
  parameters of the run, described by the comments of the notebook's ``parameters`` cell.
- A code cell whose metadata has ``caption`` (Markdown, may contain ``$math$``) and ``label``
  (``fig:...`` or ``tab:...``) produces a numbered figure or table with that caption and label;
  the text refers to it with ``Figure~\\ref{fig:...}``. In the experiment notebook, run once per
  ticker, every label defined in the notebook is prefixed with the ticker (``fig:forecasts``
  becomes ``fig:KO:forecasts``) and the references inside that section are rewritten to match.
- Figures are included as vector PDF when the notebook emits ``application/pdf`` beside PNG,
  which it does after ``set_matplotlib_formats("png", "pdf")`` from
  ``matplotlib_inline.backend_inline`` in its import cell; otherwise the PNG is used.
- Tables come from pandas' ``text/html`` output, converted to booktabs LaTeX by a small parser
  of the HTML table (standard library only; pandas does not emit ``text/latex`` by default, and
  ``pandas.read_html`` would need lxml or html5lib). Missing values print as a dash.
- Citations are ``<cite data-cite="key">Author (year)</cite>`` in Markdown; they become natbib's
  ``\\citet`` (``\\citep`` when the text is parenthesised; the starred forms, which list every
  author, when the text names three or more) against ``report/references.bib``, formatted by
  bibtex with ``plainnat``.
- Displayed equations are ``\\begin{equation} ... \\label{eq:...} \\end{equation}`` in Markdown;
  they are numbered 1, 2, ... through the whole document, as MathJax numbers them in the notebook.
- Progress bars, framework logs, warnings and everything written to stderr never reach the PDF
  or the HTML (see :data:`NOISE_PATTERNS`).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import html
import io
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import nbformat
import pandas as pd
import yaml
from nbconvert.exporters import HTMLExporter, LatexExporter
from nbconvert.filters import citation2latex, escape_latex
from nbconvert.filters.pandoc import convert_pandoc
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from tqdm.auto import tqdm
from traitlets import Int, List, Unicode, default

from lstmgru import runs

__all__ = [
    "CaptionPreprocessor",
    "HtmlCaptionPreprocessor",
    "LabelPrefixPreprocessor",
    "LatexLogSummary",
    "MarkdownLatexPreprocessor",
    "ParameterTablePreprocessor",
    "ReportBuildError",
    "RunInfo",
    "ShiftHeadingsPreprocessor",
    "StreamFilterPreprocessor",
    "add_arguments",
    "build_html",
    "build_report",
    "main",
    "parse_latex_log",
    "resolve_run_dir",
]

logger = logging.getLogger(__name__)

#: Repository root (the report's templates and prose live in ``<root>/report``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Directory of the master document, its prose, metadata and templates.
REPORT_DIR = REPO_ROOT / "report"
#: nbconvert template directory (``thesis_latex`` and ``thesis_html``).
TEMPLATE_DIR = REPORT_DIR / "templates"
#: Static files copied next to the generated ones before compiling.
STATIC_FILES = ("thesis.tex", "abstract.tex", "conclusion.tex", "references.bib")
#: Default root of the pipeline's runs and default output directory (relative to the cwd).
DEFAULT_RUNS = Path("build/runs")
DEFAULT_OUTPUT = Path("report/build")
DEFAULT_FIGURES = Path("figures")

THEORY = "01_equations.ipynb"
DATA = "02_data.ipynb"
EXPERIMENT = "03_experiment.ipynb"
COMPARISON = "04_comparison.ipynb"

REMOVE_CELL_TAGS = ("remove-cell", "remove_cell")
REMOVE_INPUT_TAGS = ("remove-input", "remove_input", "hide-input", "hide_input")
REMOVE_OUTPUT_TAGS = ("remove-output", "remove_output", "hide-output", "hide_output")
INJECTED_TAG = "injected-parameters"
PARAMETERS_TAG = "parameters"
#: Notebook parameters that only say where results go or how the run looks, not what it computes.
BOOKKEEPING_PARAMETERS = frozenset({"results_dir", "run_dir", "progress"})

#: Lines of stdout that are noise, not content: progress bars (tqdm, Keras), TensorFlow and absl
#: logs, logging-module records and Python warnings. stderr is dropped as a whole.
NOISE_PATTERNS = (
    r"\d+%\|",  # tqdm bar
    r"\d+/\d+ \[\d+:\d+",  # tqdm counter with time
    r"[━─█▌▍▎▏]{3,}",  # Keras / tqdm bar characters
    r"^\s*Epoch \d+/\d+\s*$",  # Keras epoch header
    r"\d+/\d+ .*\d+(ms|s|us)/(step|epoch)",  # Keras step line
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?: [IWEF] ",  # TensorFlow C++ log
    r"^[IWEF]\d{4} \d\d:\d\d:\d\d",  # absl log
    r"^(WARNING|INFO|DEBUG|ERROR|CRITICAL):[\w.]*:",  # logging module, basic format
    r"^WARNING: All log messages before absl",
    r"^\S+\.py:\d+: \w*Warning: ",  # warnings.showwarning
    r"^\s*warnings\.warn\(",
)
_NOISE_RE = re.compile("|".join(f"(?:{p})" for p in NOISE_PATTERNS))
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_FIGURE_REPR_RE = re.compile(
    r"^\s*(\[?<(Figure|matplotlib\.|Axes|AxesSubplot|Text|Line2D)[^>]*>\]?\s*,?\s*)+$"
)
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_IMAGE_MIMES = ("application/pdf", "image/png", "image/jpeg", "image/svg+xml")

#: Display names of the models in generated text (other names are set in typewriter type).
MODEL_NAMES = {
    "random_walk": "random walk",
    "drift": "drift",
    "arima": "ARIMA",
    "lstm": "LSTM",
    "gru": "GRU",
    "lstm_gru": "LSTM--GRU",
    "gru_lstm": "GRU--LSTM",
}
BENCHMARK = "random_walk"
ALPHA = 0.05

#: Text width (pt) of thesis.tex (A4 with 30 mm and 25 mm side margins).
_TEXT_WIDTH_PT = 441.0
_LONGTABLE_ROWS = 35
_PANDOC_MARKDOWN = "markdown+tex_math_double_backslash-auto_identifiers"


class ReportBuildError(RuntimeError):
    """The report could not be built (LaTeX failed, or the run has nothing to report)."""


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); rerun the pipeline") from exc


@dataclass(frozen=True)
class RunInfo:
    """The executed notebooks and result files of one pipeline run.

    Attributes
    ----------
    run_dir : pathlib.Path
        The run directory.
    record : dict
        Contents of ``run.json`` (empty if the file is missing).
    theory, data, comparison : pathlib.Path or None
        Executed chapter notebooks, ``None`` where the run has none.
    experiments : dict of str to pathlib.Path
        Executed experiment notebook per ticker, in the order of the run.
    missing : tuple of str
        Tickers named in ``run.json`` that have no executed experiment notebook.
    """

    run_dir: Path
    record: dict[str, Any]
    theory: Path | None
    data: Path | None
    experiments: dict[str, Path]
    comparison: Path | None
    missing: tuple[str, ...] = ()

    @classmethod
    def load(cls, run_dir: str | Path) -> RunInfo:
        """Find the notebooks and records of the run in ``run_dir``.

        Raises
        ------
        ValueError
            ``run_dir`` is not a directory, or holds no executed notebook at all.
        """
        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise ValueError(
                f"run directory {run_dir} does not exist; run `make run` or "
                "`python -m lstmgru run ...` first"
            )
        record = _read_json(run_dir / "run.json")
        named = [str(t) for t in record.get("tickers") or []]
        found = {p.parent.name: p for p in sorted(run_dir.glob(f"*/{EXPERIMENT}"))}
        experiments: dict[str, Path] = {}
        missing: list[str] = []
        for ticker in named:
            status = _ticker_status(record, ticker)
            if isinstance(status, Mapping) and status.get("status") not in ("done", "skipped"):
                missing.append(ticker)
                for key in (ticker, _ticker_dir_name(ticker), Path(str(status.get("dir"))).name):
                    found.pop(key, None)
                continue
            directory = status.get("dir") if isinstance(status, Mapping) else None
            for key in (ticker, _ticker_dir_name(ticker), Path(str(directory)).name):
                if key in found:
                    experiments[ticker] = found.pop(key)
                    break
            else:
                missing.append(ticker)
        # Folders of tickers not named in run.json belong to earlier calls: not reported.

        def optional(name: str) -> Path | None:
            path = run_dir / name
            return path if path.is_file() else None

        info = cls(
            run_dir=run_dir,
            record=record,
            theory=optional(THEORY),
            data=optional(DATA),
            experiments=experiments,
            comparison=optional(COMPARISON),
            missing=tuple(missing),
        )
        if not (info.theory or info.data or info.experiments or info.comparison):
            raise ValueError(
                f"{run_dir} holds no executed notebook ({THEORY}, {DATA}, <TICKER>/{EXPERIMENT}, "
                f"{COMPARISON}); run `make run` or `python -m lstmgru run ...` first"
            )
        return info

    @property
    def run_id(self) -> str:
        """The run's id (``run.json``), or the directory name."""
        return str(self.record.get("run_id") or self.run_dir.name)

    @property
    def profile(self) -> str:
        """The profile of the run (``run.json``, else the first result's config)."""
        if self.record.get("profile"):
            return str(self.record["profile"])
        for ticker in self.experiments:
            profile = self.result(ticker).get("config", {}).get("profile")
            if profile:
                return str(profile)
        return "unknown"

    @property
    def source(self) -> str:
        """The data source of the run (``run.json``, else the first result's provenance)."""
        if self.record.get("source"):
            return str(self.record["source"])
        for ticker in self.experiments:
            source = self.result(ticker).get("provenance", {}).get("source")
            if source:
                return str(source)
        return "unknown"

    def result_dir(self, ticker: str) -> Path:
        """Directory of one ticker's notebook and result files."""
        return self.experiments[ticker].parent

    def result(self, ticker: str) -> dict[str, Any]:
        """``result.json`` of one ticker (empty if missing)."""
        return _read_json(self.result_dir(ticker) / "result.json")

    def metrics(self, ticker: str) -> pd.DataFrame | None:
        """``metrics.csv`` of one ticker, indexed by model (``None`` if missing)."""
        path = self.result_dir(ticker) / "metrics.csv"
        if not path.is_file():
            return None
        return pd.read_csv(path, index_col=0)

    def test_days(self, ticker: str) -> int | None:
        """Number of test days (rows of ``forecasts.csv``), ``None`` if unknown."""
        path = self.result_dir(ticker) / "forecasts.csv"
        if not path.is_file():
            return None
        return len(pd.read_csv(path, usecols=[0]))


def _ticker_dir_name(ticker: str) -> str:
    return re.sub(r"[^\w.-]", "_", ticker)


def resolve_run_dir(run: str | Path | None = None, runs: str | Path = DEFAULT_RUNS) -> Path:
    """The run directory to report on.

    Parameters
    ----------
    run : str or pathlib.Path, optional
        A run directory, or the id of a run under ``runs``. Default: the run whose id is in
        ``<runs>/latest``.
    runs : str or pathlib.Path, default "build/runs"
        Root directory of the pipeline's runs.

    Raises
    ------
    ValueError
        No such run, or no run at all yet.
    """
    runs = Path(runs)
    if run is None:
        latest = runs / "latest"
        if not latest.is_file():
            raise ValueError(
                f"no run to report on ({latest} does not exist); run `make run` or "
                "`python -m lstmgru run ...` first"
            )
        run_id = latest.read_text(encoding="utf-8").strip()
        path = runs / run_id
        if not path.is_dir():
            raise ValueError(
                f"{latest} names run {run_id!r}, but {path} does not exist; run `make run` or "
                "`python -m lstmgru run ...` again"
            )
        return path
    path = Path(run)
    if path.is_dir():
        return path
    if (runs / str(run)).is_dir():
        return runs / str(run)
    raise ValueError(
        f"run {str(run)!r} is neither a directory nor a run id under {runs}; run `make run` or "
        "`python -m lstmgru run ...` first"
    )


# ----------------------------------------------------------------------------------------------
# Small LaTeX helpers
# ----------------------------------------------------------------------------------------------


def latex_escape(text: object) -> str:
    """``text`` as LaTeX text (special characters escaped, nothing else changed)."""
    return escape_latex(str(text))


def markdown_to_latex(text: str) -> str:
    """Convert a Markdown fragment (captions, titles, intros) to LaTeX with pandoc."""
    if not text.strip():
        return ""
    return convert_pandoc(
        citation2latex(text), _PANDOC_MARKDOWN, "latex", extra_args=["--wrap=none"]
    ).strip()


def _md_escape(text: str) -> str:
    """``text`` with Markdown's punctuation backslash-escaped (literal in pandoc's reader)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>$~^&])", r"\\\1", text)


def model_name(model: str) -> str:
    """LaTeX display name of a model."""
    if model in MODEL_NAMES:
        return MODEL_NAMES[model]
    return r"\texttt{" + latex_escape(model) + "}"


def _fmt(value: object, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "--"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return latex_escape(value)


def _pvalue(value: object) -> str:
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return "--"
    return r"$<0.001$" if value < 0.001 else f"{value:.3f}"


def _join(items: Sequence[str], conjunction: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return ", ".join(items[:-1]) + f", {conjunction} " + items[-1]


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


# ----------------------------------------------------------------------------------------------
# Preprocessors
# ----------------------------------------------------------------------------------------------


class ThesisPreprocessor(Preprocessor):
    """Base of this module's preprocessors: enabled unless configured otherwise."""

    @default("enabled")
    def _enabled_default(self) -> bool:
        return True


def clean_stream_text(text: str) -> str:
    """Text of a stdout stream as a reader should see it.

    Carriage returns overwrite the line as in a terminal (what remains of a progress bar is its
    last state), ANSI colour codes are removed, and lines matching :data:`NOISE_PATTERNS` are
    dropped.
    """
    lines = []
    for raw in _ANSI_RE.sub("", text).split("\n"):
        line = raw.rstrip("\r").rsplit("\r", 1)[-1].rstrip()
        if not _NOISE_RE.search(line):
            lines.append(line)
    return "\n".join(lines).strip("\n")


def filter_outputs(outputs: Iterable[dict]) -> list[dict]:
    """Outputs without noise: stderr, progress bars and logs in stdout, widget views, figure reprs.

    Parameters
    ----------
    outputs : iterable of nbformat output nodes
        The outputs of one code cell (not modified).

    Returns
    -------
    list
        Copies of the outputs a reader should see, in order.
    """
    kept = []
    for output in outputs:
        output = nbformat.from_dict(json.loads(json.dumps(output)))
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") != "stdout":
                continue
            text = clean_stream_text(output.get("text", ""))
            if not text.strip():
                continue
            output["text"] = text + "\n"
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            data.pop(_WIDGET_MIME, None)
            if set(data) <= {"text/plain"} and _FIGURE_REPR_RE.match(data.get("text/plain", "")):
                continue
            if not data:
                continue
        kept.append(output)
    return kept


class StreamFilterPreprocessor(ThesisPreprocessor):
    """Drop stderr, progress bars, framework logs, warnings and bare figure reprs.

    See :func:`filter_outputs` and :data:`NOISE_PATTERNS`.
    """

    def preprocess_cell(self, cell, resources, index):
        """Filter the outputs of one code cell."""
        if cell.cell_type == "code":
            cell.outputs = filter_outputs(cell.get("outputs", []))
        return cell, resources


def _tag_remover() -> TagRemovePreprocessor:
    return TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )


def _assignments(source: str) -> list[tuple[str, str, int]]:
    """``(name, value source, line)`` of each top-level ``name = value`` in ``source``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            found.append((target.id, ast.get_source_segment(source, value) or "", node.lineno))
    return found


def _line_comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return comments


_NOT_LITERAL = object()


def _literal(source: str) -> object:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return _NOT_LITERAL


def parameter_rows(
    injected: str, defaults: str = "", hidden: Iterable[str] = BOOKKEEPING_PARAMETERS
) -> list[tuple[str, str, str]]:
    """Rows ``(name, value, description)`` of the parameter table of a papermill run.

    Parameters
    ----------
    injected : str
        Source of the cell papermill injected (``name = value`` lines).
    defaults : str, optional
        Source of the notebook's ``parameters`` cell; the comment on the line of each
        parameter describes it.
    hidden : iterable of str
        Parameters left out of the table (bookkeeping such as the results directory).

    Returns
    -------
    list of tuple of str
        One row per injected parameter whose value differs from the notebook's default, values
        as a reader would write them (strings without quotes, an empty string as ``""``).
    """
    comments = _line_comments(defaults)
    assigned = _assignments(defaults)
    descriptions = {name: comments.get(line, "") for name, _, line in assigned}
    default_values = {name: _literal(source) for name, source, _ in assigned}
    hidden = set(hidden)
    rows = []
    for name, value_source, _ in _assignments(injected):
        if name in hidden:
            continue
        value = _literal(value_source)
        if name in default_values and value is not _NOT_LITERAL and value == default_values[name]:
            continue
        if value is _NOT_LITERAL:
            text = value_source
        else:
            text = value if isinstance(value, str) and value else repr(value)
            if value == "":
                text = '""'
        rows.append((name, str(text), descriptions.get(name, "")))
    return rows


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return (
        f'<table class="{css}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>'
    )


class ParameterTablePreprocessor(ThesisPreprocessor):
    """Replace papermill's injected-parameters cell by a table of the parameters.

    The cell keeps its place; its output becomes an HTML table (parameter, value, description
    from the comment in the notebook's ``parameters`` cell) which :class:`CaptionPreprocessor`
    turns into LaTeX, and its metadata gets a caption and ``label``. A cell without parameters
    left to show is removed.
    """

    label = Unicode("tab:parameters", help="LaTeX label of the table").tag(config=True)
    caption = Unicode(
        "Parameters of this run. Set by papermill; every other parameter keeps the "
        "notebook's default.",
        help="caption of the table (Markdown; its first sentence is the short caption)",
    ).tag(config=True)
    hidden = List(Unicode(), default_value=sorted(BOOKKEEPING_PARAMETERS)).tag(config=True)

    def preprocess(self, nb, resources):
        """Convert the injected-parameters cell of ``nb``."""
        defaults = "\n".join(
            c.source
            for c in nb.cells
            if c.cell_type == "code" and PARAMETERS_TAG in c.metadata.get("tags", [])
        )
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "code" and INJECTED_TAG in cell.metadata.get("tags", []):
                rows = parameter_rows(cell.source, defaults, self.hidden)
                if not rows:
                    continue
                html_rows = [
                    (
                        f"<code>{html.escape(n)}</code>",
                        f"<code>{html.escape(v)}</code>",
                        html.escape(d),
                    )
                    for n, v, d in rows
                ]
                text = "\n".join(f"{n} = {v}" for n, v, _ in rows)
                cell.outputs = [
                    nbformat.v4.new_output(
                        "display_data",
                        data={
                            "text/html": _html_table(
                                ("parameter", "value", "description"),
                                html_rows,
                                "thesis-parameters",
                            ),
                            "text/plain": text,
                        },
                    )
                ]
                cell.metadata["caption"] = self.caption
                cell.metadata["label"] = self.label
            cells.append(cell)
        nb.cells = cells
        return nb, resources


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


def citations_to_natbib(markdown: str) -> str:
    """Replace ``<cite data-cite="key">text</cite>`` by the natbib command the text asks for.

    Parenthesised text, ``(Author, 2000)``, gives ``\\citep``; otherwise ``\\citet``. Text that
    names three or more authors in full (no "et al.") gives the starred form, which lists all
    authors as the text does.
    Several keys may be separated by commas or spaces.
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


def normalise_markdown_latex(markdown: str) -> str:
    """Markdown prepared for pandoc's LaTeX writer.

    Citations become natbib commands (:func:`citations_to_natbib`); a ``~`` tie before
    ``\\ref``, ``\\eqref`` or ``\\cite`` becomes a non-breaking space (pandoc would print a
    tilde); ``$$ ... \\label{...} $$`` becomes a numbered ``equation`` environment.
    """
    markdown = citations_to_natbib(markdown)
    markdown = _TIE_RE.sub("\u00a0", markdown)
    return _DOLLAR_LABEL_RE.sub(
        lambda m: "\\begin{equation}" + m["body"].strip("\n") + "\\end{equation}", markdown
    )


class MarkdownLatexPreprocessor(ThesisPreprocessor):
    """Apply :func:`normalise_markdown_latex` to Markdown cells and ``text/markdown`` outputs."""

    def preprocess_cell(self, cell, resources, index):
        """Normalise one cell."""
        if cell.cell_type == "markdown":
            cell.source = normalise_markdown_latex(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if isinstance(data.get("text/markdown"), str):
                data["text/markdown"] = normalise_markdown_latex(data["text/markdown"])
        return cell, resources


_HEADING_RE = re.compile(r"^(#{1,6})(\s)", re.M)
_FENCE_RE = re.compile(r"^(```|~~~).*?^\1\s*$", re.M | re.S)


def shift_headings(markdown: str, by: int) -> str:
    """Markdown with every ATX heading ``by`` levels deeper (at most level 6); code untouched."""
    if by <= 0:
        return markdown
    pieces, last = [], 0
    for fence in _FENCE_RE.finditer(markdown):
        pieces.append(
            _HEADING_RE.sub(
                lambda m: "#" * min(6, len(m[1]) + by) + m[2], markdown[last : fence.start()]
            )
        )
        pieces.append(fence.group(0))
        last = fence.end()
    pieces.append(_HEADING_RE.sub(lambda m: "#" * min(6, len(m[1]) + by) + m[2], markdown[last:]))
    return "".join(pieces)


class ShiftHeadingsPreprocessor(ThesisPreprocessor):
    """Make every Markdown heading ``by`` levels deeper (a notebook becomes a section)."""

    by = Int(1).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        """Shift the headings of one Markdown cell."""
        if cell.cell_type == "markdown":
            cell.source = shift_headings(cell.source, self.by)
        return cell, resources


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
        match = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.M)
        if match is None:
            return "", ""
        title = match[1]
        intro = (cell.source[: match.start()] + cell.source[match.end() :]).strip("\n")
        del nb.cells[position]
        return title, intro
    return "", ""


_LABEL_RE = re.compile(r"\\label\{([^}]*)\}")
_REF_RE = re.compile(
    r"\\(?P<cmd>ref|eqref|pageref|autoref|cref|Cref|nameref|vref)(?P<star>\*?)\{(?P<labels>[^}]*)\}"
)
_HYPERREF_RE = re.compile(r"\\hyperref\[(?P<label>[^\]]*)\]")


def prefixed_label(label: str, prefix: str) -> str:
    """``fig:forecasts`` with prefix ``KO`` becomes ``fig:KO:forecasts``; ``x`` becomes ``KO:x``."""
    kind, sep, rest = label.partition(":")
    return f"{kind}:{prefix}:{rest}" if sep else f"{prefix}:{label}"


def prefix_labels(text: str, labels: set[str], prefix: str) -> str:
    """``text`` with ``\\label``s and references to the given labels prefixed."""

    def one(label: str) -> str:
        return prefixed_label(label, prefix) if label in labels else label

    text = _LABEL_RE.sub(lambda m: f"\\label{{{one(m[1])}}}", text)
    text = _REF_RE.sub(
        lambda m: (
            f"\\{m['cmd']}{m['star']}{{"
            + ",".join(one(x.strip()) for x in m["labels"].split(","))
            + "}"
        ),
        text,
    )
    return _HYPERREF_RE.sub(lambda m: f"\\hyperref[{one(m['label'])}]", text)


class LabelPrefixPreprocessor(ThesisPreprocessor):
    """Make the labels of a notebook that is included more than once unique.

    Every label the notebook defines (``label`` in cell metadata, ``\\label{...}`` in Markdown or
    in a ``text/latex`` output) gets :attr:`prefix` after its kind (:func:`prefixed_label`), and
    every reference to such a label in Markdown, captions and LaTeX or Markdown outputs is
    rewritten to match. References to labels defined elsewhere (the theory chapter's
    equations) are kept.
    """

    prefix = Unicode(help="prefix, e.g. the ticker").tag(config=True)

    def preprocess(self, nb, resources):
        """Prefix the local labels of ``nb``."""
        if not self.prefix:
            return nb, resources
        local: set[str] = set()
        for cell in nb.cells:
            if cell.metadata.get("label"):
                local.add(str(cell.metadata["label"]))
            if cell.cell_type == "markdown":
                local.update(_LABEL_RE.findall(cell.source))
            for output in cell.get("outputs", []):
                local.update(_LABEL_RE.findall(output.get("data", {}).get("text/latex", "")))
        for cell in nb.cells:
            if cell.metadata.get("label") in local:
                cell.metadata["label"] = prefixed_label(str(cell.metadata["label"]), self.prefix)
            if isinstance(cell.metadata.get("caption"), str):
                cell.metadata["caption"] = prefix_labels(
                    cell.metadata["caption"], local, self.prefix
                )
            if cell.cell_type == "markdown":
                cell.source = prefix_labels(cell.source, local, self.prefix)
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                for mime in ("text/latex", "text/markdown"):
                    if isinstance(data.get(mime), str):
                        data[mime] = prefix_labels(data[mime], local, self.prefix)
        return nb, resources


# ----------------------------------------------------------------------------------------------
# HTML tables to booktabs LaTeX
# ----------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    parts: list[tuple[str, str]] = field(default_factory=list)  # (style, text)
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    continuation: bool = False  # covered by the colspan of the cell to its left

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(t for _, t in self.parts)).strip()


@dataclass
class HtmlTable:
    """A table parsed from HTML: header rows and body rows of cells (spans expanded)."""

    head: list[list[_Cell]]
    body: list[list[_Cell]]
    n_index: int = 0

    @property
    def n_columns(self) -> int:
        return max((len(r) for r in self.head + self.body), default=0)


class _TableParser(HTMLParser):
    _STYLES: ClassVar[dict[str, str]] = {
        "code": "code",
        "tt": "code",
        "b": "bold",
        "strong": "bold",
        "i": "em",
        "em": "em",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, list[list[_Cell]]]] = []
        self._depth = 0
        self._section = "body"
        self._row: list[_Cell] | None = None
        self._cell: _Cell | None = None
        self._styles: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append({"head": [], "body": []})
                self._section = "body"
        elif self._depth != 1:
            return
        elif tag == "thead":
            self._section = "head"
        elif tag in ("tbody", "tfoot"):
            self._section = "body"
        elif tag == "tr":
            self._row = []
            self.tables[-1][self._section].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            values = dict(attrs)

            def span(name: str) -> int:
                try:
                    return max(1, int(values.get(name) or 1))
                except ValueError:
                    return 1

            self._cell = _Cell(header=tag == "th", colspan=span("colspan"), rowspan=span("rowspan"))
            self._row.append(self._cell)
        elif tag in self._STYLES:
            self._styles.append(self._STYLES[tag])
        elif tag == "br" and self._cell is not None:
            self._cell.parts.append(("", " "))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag == "table":
            self._depth -= 1
        elif self._depth != 1:
            return
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag in self._STYLES and self._styles:
            self._styles.pop()

    def handle_data(self, data):
        if self._skip or self._cell is None or self._depth != 1:
            return
        self._cell.parts.append((self._styles[-1] if self._styles else "", data))


def _expand_spans(rows: list[list[_Cell]]) -> list[list[_Cell]]:
    grid: list[list[_Cell]] = []
    pending: dict[int, tuple[int, bool]] = {}  # column -> (rows still covered, header)
    for row in rows:
        out: list[_Cell] = []
        cells = list(row)
        i = column = 0
        while i < len(cells) or column in pending:
            if column in pending:
                remaining, header = pending.pop(column)
                if remaining > 1:
                    pending[column] = (remaining - 1, header)
                out.append(_Cell(header=header))
                column += 1
                continue
            cell = cells[i]
            i += 1
            out.append(cell)
            for extra in range(cell.colspan):
                if extra:
                    out.append(_Cell(header=cell.header, continuation=True))
                if cell.rowspan > 1:
                    pending[column + extra] = (cell.rowspan - 1, cell.header)
            column += cell.colspan
        grid.append(out)
    return grid


def parse_html_table(markup: str) -> HtmlTable | None:
    """The first ``<table>`` of ``markup`` (e.g. a pandas DataFrame's HTML), or ``None``.

    Row and column spans are expanded. The number of index columns is the number of leading
    ``<th>`` cells of the first body row; pandas' separate header row of index names is merged
    into the first header row.
    """
    parser = _TableParser()
    parser.feed(markup)
    parser.close()
    if not parser.tables:
        return None
    raw = parser.tables[0]
    head, body = _expand_spans(raw["head"]), _expand_spans(raw["body"])
    if not head and body and all(c.header for c in body[0]) and len(body) > 1:
        head, body = body[:1], body[1:]
    if not (head or body):
        return None
    n_index = 0
    if body:
        for cell in body[0]:
            if not cell.header:
                break
            n_index += 1
        if n_index == len(body[0]):
            n_index = 0
    if len(head) >= 2 and n_index:
        names = head[-1]
        if all(not c.text for c in names[n_index:]) and any(c.text for c in names[:n_index]):
            for j in range(min(n_index, len(head[0]))):
                if not head[0][j].text:
                    head[0][j] = names[j]
            head = head[:-1]
    width = max((len(r) for r in head + body), default=0)
    for row in head + body:
        row.extend(_Cell() for _ in range(width - len(row)))
    return HtmlTable(head=head, body=body, n_index=n_index)


_NUMBER_RE = re.compile(r"^[-+−]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?$|^[-+]?inf$", re.I)
_MISSING = {"", "nan", "none", "<na>", "nat", "null"}


def _is_missing(text: str) -> bool:
    return text.strip().lower() in _MISSING


def _cell_latex(cell: _Cell, numeric: bool) -> str:
    text = cell.text
    if not cell.header and _is_missing(text):
        return "--" if text else ""
    if numeric and _NUMBER_RE.match(text):
        sign = "$-$" if text[0] in "-−" else ""
        return sign + latex_escape(text.lstrip("-−"))
    pieces = []
    for style, piece in cell.parts:
        piece = latex_escape(re.sub(r"\s+", " ", piece))
        if style == "code":
            piece = r"\texttt{" + piece + "}"
        elif style == "bold":
            piece = r"\textbf{" + piece + "}"
        elif style == "em":
            piece = r"\emph{" + piece + "}"
        pieces.append(piece)
    return "".join(pieces).strip()


def _header_lines(text: str, width: int = 10) -> list[str]:
    """A long column name broken after underscores or spaces into lines of about ``width``."""
    if len(text) <= width:
        return [text]
    tokens = re.findall(r"[^_\s]+(?:_|\s+|$)", text) or [text]
    lines, current = [], ""
    for token in tokens:
        if current and len(current) + len(token.rstrip()) > width:
            lines.append(current.rstrip())
            current = ""
        current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _stack(lines: Sequence[str], align: str) -> str:
    if len(lines) == 1:
        return lines[0]
    return r"\begin{tabular}[b]{@{}" + align + "@{}}" + r"\\".join(lines) + r"\end{tabular}"


def latex_table(
    table: HtmlTable,
    *,
    caption: str = "",
    short_caption: str = "",
    label: str = "",
) -> str:
    """A booktabs LaTeX table for a parsed HTML table.

    Numeric columns are right-aligned and use a true minus sign; missing values print as a
    dash; long column names are broken after underscores. The layout follows the estimated
    width: a plain ``tabular`` when it fits the text width, ``tabularx`` with wrapping when one
    text column is long, a smaller font and, when needed, scaling for wide numeric tables, a
    landscape page (``sidewaystable``, a float) for very wide ones and ``longtable`` for long
    ones. Every other captioned table stays where the notebook shows it (``\\captionof`` in
    an unbreakable box), so tables appear in the order of the text.

    Parameters
    ----------
    table : HtmlTable
        From :func:`parse_html_table`.
    caption, short_caption : str
        LaTeX caption and its short form for the list of tables; no caption gives an unnumbered,
        centred table that does not float.
    label : str
        LaTeX label (with a caption only).

    Returns
    -------
    str
        The complete LaTeX environment.
    """
    n_cols = table.n_columns
    numeric = []
    for j in range(n_cols):
        values = [row[j].text for row in table.body if j < len(row)]
        present = [v for v in values if not _is_missing(v)]
        numeric.append(
            j >= table.n_index and bool(present) and all(_NUMBER_RE.match(v) for v in present)
        )
    align = ["r" if numeric[j] else "l" for j in range(n_cols)]
    head_lines = [
        [_header_lines(c.text) if not c.continuation else [""] for c in row] for row in table.head
    ]
    widths = []
    for j in range(n_cols):
        body_width = max((len(row[j].text) for row in table.body), default=0)
        head_width = max(
            (
                max(len(x) for x in lines[j])
                for lines, row in zip(head_lines, table.head, strict=True)
                if row[j].colspan == 1
            ),
            default=0,
        )
        widths.append(max(body_width, head_width, 1))

    def estimate(char_pt: float) -> float:
        return sum(w * char_pt + 12.0 for w in widths)

    long_text = [j for j in range(n_cols) if not numeric[j] and widths[j] > 40]
    font, environment, wrap, scale = r"\small", "tabular", False, False
    if estimate(5.0) > _TEXT_WIDTH_PT:
        if long_text:
            wrap = True
        elif estimate(4.5) <= _TEXT_WIDTH_PT:
            font = r"\footnotesize"
        else:
            font, scale = r"\footnotesize", True
            if estimate(4.5) > 1.25 * _TEXT_WIDTH_PT:
                environment = "sidewaystable"
    long = len(table.body) > _LONGTABLE_ROWS and caption and environment != "sidewaystable"

    if wrap:
        for j in long_text:
            align[j] = r">{\raggedright\arraybackslash}X"
    colspec = "@{}" + "".join(align) + "@{}"

    def render_row(row: list[_Cell], lines: list[list[str]] | None) -> tuple[str, list[str]]:
        cells, rules, j = [], [], 0
        while j < len(row):
            cell = row[j]
            if cell.continuation:
                j += 1
                continue
            if lines is not None:
                text = _stack([latex_escape(x) for x in lines[j]], "r" if numeric[j] else "l")
            else:
                text = _cell_latex(cell, numeric[j])
            if cell.colspan > 1:
                cells.append(rf"\multicolumn{{{cell.colspan}}}{{c}}{{{text}}}")
                if text:
                    rules.append(rf"\cmidrule(lr){{{j + 1}-{j + cell.colspan}}}")
                j += cell.colspan
            else:
                cells.append(text)
                j += 1
        return " & ".join(cells) + r" \\", rules

    lines: list[str] = [r"\toprule"]
    for row, row_lines in zip(table.head, head_lines, strict=True):
        text, rules = render_row(row, row_lines)
        lines.append(text)
        lines.extend(rules)
    if table.head:
        lines.append(r"\midrule")
    head_block = list(lines)
    body_lines = [render_row(row, None)[0] for row in table.body]

    cap = ""
    if caption:
        short = f"[{{{short_caption}}}]" if short_caption and short_caption != caption else ""
        cap = rf"\caption{short}{{{caption}}}" + (rf"\label{{{label}}}" if label else "")

    if long:
        return "\n".join(
            [
                "{" + font,
                rf"\begin{{longtable}}{{{colspec}}}",
                cap + r"\\",
                *head_block,
                r"\endfirsthead",
                *head_block,
                r"\endhead",
                r"\bottomrule",
                r"\endlastfoot",
                *body_lines,
                r"\end{longtable}",
                "}",
            ]
        )
    if wrap:
        inner = [rf"\begin{{tabularx}}{{\linewidth}}{{{colspec}}}"]
        inner_end = r"\end{tabularx}"
    else:
        inner = [rf"\begin{{tabular}}{{{colspec}}}"]
        inner_end = r"\end{tabular}"
    tabular = [*inner, *head_block, *body_lines, r"\bottomrule", inner_end]
    if scale:
        tabular = [r"\begin{adjustbox}{max width=\linewidth}", *tabular, r"\end{adjustbox}"]
    if not caption:
        return "\n".join([r"\begin{center}", font, *tabular, r"\end{center}"])
    if environment == "sidewaystable":
        return "\n".join(
            [r"\begin{sidewaystable}", r"\centering", font, cap, *tabular, r"\end{sidewaystable}"]
        )
    # Tables that fit the page stay where the notebook shows them (no float), kept together.
    return "\n".join(
        [
            r"\begin{center}",
            r"\begin{minipage}{\linewidth}",
            r"\centering",
            font,
            cap.replace(r"\caption", r"\captionof{table}", 1),
            *tabular,
            r"\end{minipage}",
            r"\end{center}",
        ]
    )


def _short_caption(markdown: str) -> str:
    """The first sentence of a caption (outside ``$...$``), for the lists of figures/tables."""
    in_math = False
    for i, char in enumerate(markdown):
        if char == "$":
            in_math = not in_math
        elif char == "." and not in_math and (i + 1 == len(markdown) or markdown[i + 1] == " "):
            return markdown[: i + 1]
    return markdown


def caption_latex(markdown: str) -> tuple[str, str]:
    """LaTeX of a Markdown caption and of its first sentence (the short caption)."""
    markdown = normalise_markdown_latex(" ".join(markdown.split()))
    long = markdown_to_latex(markdown)
    short_md = _short_caption(markdown)
    short = long if short_md == markdown else markdown_to_latex(short_md)
    return long, short


class CaptionPreprocessor(ThesisPreprocessor):
    """Give figure outputs their caption and label, and HTML tables a booktabs LaTeX version.

    The caption and label come from the cell's metadata (``caption``, ``label``). A figure output
    gets ``output.metadata.thesis = {caption, short_caption, label}`` for the template, and
    ``image/png`` is dropped where ``application/pdf`` is present (the vector version is used).
    An output with an HTML table and no ``text/latex`` gets the LaTeX of :func:`latex_table`.
    A second figure or table in the same cell gets the label with ``-2``, ``-3``, ... appended.
    """

    def preprocess_cell(self, cell, resources, index):
        """Caption the figures and tables of one code cell."""
        if cell.cell_type != "code":
            return cell, resources
        caption_md = str(cell.metadata.get("caption") or "")
        label = str(cell.metadata.get("label") or "")
        caption, short = caption_latex(caption_md) if caption_md else ("", "")
        count = 0
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            is_figure = any(m in data for m in _IMAGE_MIMES)
            markup = data.get("text/html", "")
            is_table = "text/latex" not in data and "<table" in markup
            if not (is_figure or is_table):
                continue
            count += 1
            this_label = label if count == 1 or not label else f"{label}-{count}"
            if is_figure:
                if "application/pdf" in data:
                    data.pop("image/png", None)
                output.setdefault("metadata", {})["thesis"] = {
                    "caption": caption,
                    "short_caption": short,
                    "label": this_label if caption else "",
                }
            else:
                parsed = parse_html_table(markup)
                if parsed is None or not parsed.n_columns:
                    continue
                data["text/latex"] = latex_table(
                    parsed, caption=caption, short_caption=short, label=this_label
                )
        return cell, resources


class HtmlCaptionPreprocessor(ThesisPreprocessor):
    """Number the captioned figures and tables of a notebook for its HTML page.

    Sets ``cell.metadata.thesis_html = {kind, number, caption, anchor}`` (read by the
    ``thesis_html`` template) and turns ``\\ref{label}`` of those labels in Markdown into links
    ``[number](#label)``; ``~`` before a reference becomes a non-breaking space. Equation
    references are left to MathJax.
    """

    def preprocess(self, nb, resources):
        """Number captions and link references in ``nb``."""
        numbers: dict[str, int] = {}
        counters = {"Figure": 0, "Table": 0}
        for cell in nb.cells:
            caption = cell.metadata.get("caption")
            if cell.cell_type != "code" or not caption:
                continue
            label = str(cell.metadata.get("label") or "")
            outputs = cell.get("outputs", [])
            if any(any(m in o.get("data", {}) for m in _IMAGE_MIMES) for o in outputs):
                kind = "Figure"
            elif any("<table" in o.get("data", {}).get("text/html", "") for o in outputs):
                kind = "Table"
            else:
                continue
            counters[kind] += 1
            if label:
                numbers[label] = counters[kind]
            cell.metadata["thesis_html"] = {
                "kind": kind,
                "number": counters[kind],
                "caption": normalise_html_markdown(str(caption), numbers),
                "anchor": label or f"{kind.lower()}-{counters[kind]}",
            }
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = normalise_html_markdown(cell.source, numbers)
        return nb, resources


def normalise_html_markdown(markdown: str, numbers: Mapping[str, int]) -> str:
    """Markdown for the HTML page: known ``\\ref``s become numbered links, ``~`` ties spaces."""
    markdown = _TIE_RE.sub("&nbsp;", markdown)

    def link(match: re.Match) -> str:
        labels = [x.strip() for x in match["labels"].split(",")]
        if match["cmd"] != "ref" or not all(x in numbers for x in labels):
            return match.group(0)
        return ", ".join(f"[{numbers[x]}](#{x})" for x in labels)

    return _REF_RE.sub(link, markdown)


# ----------------------------------------------------------------------------------------------
# Chapters
# ----------------------------------------------------------------------------------------------


@dataclass
class Chapter:
    """One generated chapter file (relative path inside the LaTeX build directory)."""

    key: str
    path: str
    title: str


def _read_notebook(path: Path):
    return nbformat.read(path, as_version=4)


def _run_preprocessors(nb, preprocessors: Sequence[Preprocessor], resources: dict | None = None):
    resources = resources if resources is not None else {}
    for preprocessor in preprocessors:
        nb, resources = preprocessor(nb, resources)
    return nb


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


def _latex_exporter() -> LatexExporter:
    return LatexExporter(
        template_name="thesis_latex",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _export_latex(nb, key: str, figures_dir: Path, notebook_dir: Path) -> str:
    """LaTeX body of a prepared notebook; its figures are written into ``figures_dir``."""
    exporter = _latex_exporter()
    resources = {
        "unique_key": key,
        "output_files_dir": figures_dir.name,
        "metadata": {"name": key, "path": str(notebook_dir)},
    }
    body, resources = exporter.from_notebook_node(nb, resources=resources)
    for name, content in resources.get("outputs", {}).items():
        target = figures_dir.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    body = "\n".join(line.rstrip() for line in body.splitlines())
    return join_display_paragraphs(re.sub(r"\n{3,}", "\n\n", body)).strip() + "\n"


def _common_preprocessors(parameter_label: str, what: str) -> list[Preprocessor]:
    caption = (
        f"Parameters of {what} in this run. Set by papermill; every other parameter keeps "
        "the notebook's default."
    )
    return [
        _tag_remover(),
        StreamFilterPreprocessor(),
        MarkdownLatexPreprocessor(),
        ParameterTablePreprocessor(label=parameter_label, caption=caption),
    ]


def _chapter_tex(
    path: Path, key: str, label: str, build: Path, title_fallback: str
) -> tuple[str, str]:
    """``(title, latex)`` of a notebook converted as a whole chapter."""
    nb = _run_preprocessors(
        _read_notebook(path),
        _common_preprocessors(f"tab:{key}:parameters", f"the {title_fallback.lower()} chapter"),
    )
    title, intro = split_title(nb)
    nb = _run_preprocessors(nb, [CaptionPreprocessor()])
    body = _export_latex(nb, key, build / "figures", path.parent)
    title_tex = markdown_to_latex(title) if title else latex_escape(title_fallback)
    text = rf"\chapter{{{title_tex}}}\label{{{label}}}" + "\n\n"
    if intro:
        text += join_display_paragraphs(markdown_to_latex(normalise_markdown_latex(intro)))
        text += "\n\n"
    return title_tex, text + body


def _experiment_section_tex(path: Path, ticker: str, key: str, build: Path) -> tuple[str, str, str]:
    """``(intro markdown, section title, latex)`` of one ticker's experiment notebook."""
    prefix = _ticker_dir_name(ticker)
    nb = _run_preprocessors(
        _read_notebook(path),
        _common_preprocessors("tab:parameters", f"the experiment on {_md_escape(ticker)}"),
    )
    _, intro = split_title(nb)
    nb = _run_preprocessors(
        nb,
        [
            ShiftHeadingsPreprocessor(by=1),
            LabelPrefixPreprocessor(prefix=prefix),
            CaptionPreprocessor(),
        ],
    )
    body = _export_latex(nb, key, build / "figures", path.parent)
    title = latex_escape(ticker)
    text = rf"\section{{{title}}}\label{{sec:{prefix}}}" + "\n\n" + body
    return intro, title, text


def _failed_section_tex(ticker: str, status: object) -> str:
    detail = ""
    if isinstance(status, Mapping):
        error = status.get("error")
        if isinstance(error, Mapping) and error.get("ename"):
            detail = f"{error['ename']}: {error.get('evalue', '')}"
        else:
            detail = str(error or status.get("message") or status.get("status") or "")
    elif status:
        detail = str(status)
    text = rf"\section{{{latex_escape(ticker)}}}" + "\n"
    text += "The experiment on this instrument did not finish, so it has no results here"
    text += f" (it stopped with {latex_escape(detail)}).\n" if detail else ".\n"
    return text


def _ticker_status(record: Mapping[str, Any], ticker: str) -> object:
    for key in ("ticker_status", "status", "results"):
        value = record.get(key)
        if isinstance(value, Mapping) and ticker in value:
            return value[ticker]
    return None


# ----------------------------------------------------------------------------------------------
# Generated text: meta, abstract summary, findings, appendix
# ----------------------------------------------------------------------------------------------


def load_metadata(path: Path = REPORT_DIR / "metadata.yml") -> dict[str, Any]:
    """Title-page fields from ``report/metadata.yml``, completed from ``pyproject.toml``."""
    meta: dict[str, Any] = {}
    if path.is_file():
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(meta, dict):
            raise ValueError(f"{path} must be a mapping of fields (title, author, ...)")
    project: dict[str, Any] = {}
    pyproject = REPO_ROOT / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    if not meta.get("title"):
        meta["title"] = project.get("description") or project.get("name") or "Report"
    if not meta.get("author"):
        authors = project.get("authors") or []
        meta["author"] = ", ".join(a.get("name", "") for a in authors if a.get("name")) or ""
    if not meta.get("date"):
        today = dt.date.today()
        meta["date"] = f"{today.day} {today:%B %Y}"
    meta.setdefault("chapters", {})
    return meta


@dataclass(frozen=True)
class TickerScores:
    """Scores of one ticker, as the findings need them."""

    ticker: str
    metrics: pd.DataFrame
    test_days: int | None

    def value(self, model: str, column: str) -> float:
        """One metric as float (NaN when absent)."""
        if column not in self.metrics.columns or model not in self.metrics.index:
            return math.nan
        value = self.metrics.at[model, column]
        if isinstance(value, str):
            if value.strip().lower() in ("true", "false"):
                return float(value.strip().lower() == "true")
            try:
                return float(value)
            except ValueError:
                return math.nan
        return float(value) if value is not None and not pd.isna(value) else math.nan

    @property
    def models(self) -> list[str]:
        """The models scored on this ticker."""
        return [str(m) for m in self.metrics.index]

    @property
    def best(self) -> str:
        """The model with the lowest RMSE."""
        return str(self.metrics["rmse"].astype(float).idxmin())

    def significant(self, better: bool) -> list[str]:
        """Models whose DM test against the random walk rejects at ALPHA, better or worse."""
        found = []
        for model in self.models:
            if model == BENCHMARK:
                continue
            p, u2 = self.value(model, "dm_pvalue_vs_random_walk"), self.value(model, "theil_u2")
            if p < ALPHA and ((u2 < 1) if better else (u2 > 1)):
                found.append(model)
        return found

    def direction(self) -> list[str]:
        """Models with directional accuracy above one half and PT p-value below ALPHA."""
        return [
            m
            for m in self.models
            if self.value(m, "pt_pvalue") < ALPHA and self.value(m, "directional_accuracy") > 0.5
        ]

    def in_mcs(self) -> list[str]:
        """Models in the model confidence set."""
        return [m for m in self.models if self.value(m, "in_mcs") == 1.0]


def collect_scores(run: RunInfo) -> list[TickerScores]:
    """Scores of every ticker of the run that has a ``metrics.csv`` with an ``rmse`` column."""
    scores = []
    for ticker in run.experiments:
        metrics = run.metrics(ticker)
        if metrics is None or "rmse" not in metrics.columns or metrics.empty:
            continue
        scores.append(TickerScores(ticker, metrics, run.test_days(ticker)))
    return scores


def _days_text(scores: Sequence[TickerScores]) -> str:
    days = sorted({s.test_days for s in scores if s.test_days})
    if not days:
        return "the test span"
    if len(days) == 1:
        return f"{days[0]} test days"
    return f"{days[0]} to {days[-1]} test days"


def _network_models(scores: Sequence[TickerScores]) -> list[str]:
    networks = ("lstm", "gru")
    return sorted({m for s in scores for m in s.models if any(n in m for n in networks)})


def _profile_note(run: RunInfo) -> str:
    if run.profile != "quick":
        return ""
    config = {}
    for ticker in run.experiments:
        config = run.result(ticker).get("config", {})
        if config:
            break
    epochs = config.get("model", {}).get("epochs")
    seeds = config.get("seeds") or []
    detail = ""
    if epochs:
        detail = f" (networks trained for at most {_count(int(epochs), 'epoch')}"
        detail += f" with {_count(len(seeds), 'seed')})" if seeds else ")"
    return (
        f"This run used the quick profile{detail}, which checks that the whole pipeline works; "
        "its numbers are not evidence for or against any model."
    )


def run_summary_latex(run: RunInfo, scores: Sequence[TickerScores]) -> str:
    """The paragraph of the abstract that states the results of the run (LaTeX)."""
    if not scores:
        return (
            f"The run reported here (\\texttt{{{latex_escape(run.run_id)}}}) produced no scores, "
            "so this document states no result."
        )
    tickers = _join([latex_escape(s.ticker) for s in scores])
    text = (
        f"In the run reported here ({_count(len(scores), 'instrument')}: {tickers}; "
        f"{_days_text(scores)}; profile \\texttt{{{latex_escape(run.profile)}}}), "
    )
    better = sum(len(s.significant(True)) for s in scores)
    pairs = sum(len([m for m in s.models if m != BENCHMARK]) for s in scores)
    if better == 0:
        text += (
            "no model forecast significantly more accurately than the random walk on any "
            "instrument (Diebold--Mariano test, 5\\,\\% level)"
        )
    else:
        text += (
            f"a model forecast significantly more accurately than the random walk "
            f"(Diebold--Mariano test, 5\\,\\% level) in {better} of {pairs} model--instrument "
            "comparisons"
        )
    best: dict[str, int] = {}
    for s in scores:
        best[s.best] = best.get(s.best, 0) + 1
    parts = [
        f"the {model_name(m)} on {_count(n, 'instrument')}"
        if m == BENCHMARK
        else f"{model_name(m)} on {_count(n, 'instrument')}"
        for m, n in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    text += f", and the lowest test RMSE was achieved by {_join(parts)}."
    networks = _network_models(scores)
    if not networks:
        text += " No recurrent network was part of this run, so it says nothing about the networks."
    note = _profile_note(run)
    return text + (" " + note if note else "")


def findings_latex(run: RunInfo, scores: Sequence[TickerScores]) -> str:
    """The results section of the conclusion: sentences and a table computed from the run."""
    if not scores:
        return "The run produced no scores; there is nothing to conclude from it.\n"
    models = []
    for s in scores:
        models.extend(m for m in s.models if m not in models)
    out = [
        f"The run covered {_count(len(scores), 'instrument')} "
        f"({_join([latex_escape(s.ticker) for s in scores])}) and "
        f"{_count(len(models), 'model')} ({_join([model_name(m) for m in models])}), all scored "
        f"on the same {_days_text(scores)} of each instrument. "
        r"Table~\ref{tab:findings} lists, per instrument, the model with the lowest root mean "
        r"squared error, its error relative to the random walk ($U_2$) with the "
        r"Diebold--Mariano $p$-value of that comparison, the model with the highest directional "
        r"accuracy with its Pesaran--Timmermann $p$-value, and the models in the 90\,\% model "
        r"confidence set.",
        "",
    ]
    better = {s.ticker: s.significant(True) for s in scores}
    worse = {s.ticker: s.significant(False) for s in scores}
    pairs = sum(len([m for m in s.models if m != BENCHMARK]) for s in scores)
    n_better = sum(len(v) for v in better.values())
    if n_better == 0:
        out.append(
            "No model forecast significantly more accurately than the random walk on any "
            r"instrument: no Diebold--Mariano test at the 5\,\% level found a smaller expected "
            "squared error than that of the random walk."
        )
    else:
        listed = [
            f"{_join([model_name(m) for m in ms])} on {latex_escape(t)}"
            for t, ms in better.items()
            if ms
        ]
        out.append(
            "Significantly more accurate than the random walk (Diebold--Mariano test at the "
            rf"5\,\% level, $U_2 < 1$) were {_join(listed)}: {n_better} of {pairs} "
            f"model--instrument comparisons. With {pairs} comparisons at this level, about "
            f"{0.05 * pairs:.1f} significant results are expected by chance alone."
        )
    n_worse = sum(len(v) for v in worse.values())
    if n_worse:
        listed = [
            f"{_join([model_name(m) for m in ms])} on {latex_escape(t)}"
            for t, ms in worse.items()
            if ms
        ]
        out.append(
            rf"Significantly less accurate than the random walk ($U_2 > 1$) were {_join(listed)}."
        )
    else:
        out.append("No model was significantly less accurate than the random walk either.")
    u2 = [
        s.value(m, "theil_u2")
        for s in scores
        for m in s.models
        if m != BENCHMARK and math.isfinite(s.value(m, "theil_u2"))
    ]
    if u2:
        out.append(
            rf"Over all models and instruments, $U_2$ ranged from {min(u2):.4f} to {max(u2):.4f}."
        )
    out.append("")
    direction = {s.ticker: s.direction() for s in scores}
    if any(direction.values()):
        listed = [
            f"{_join([model_name(m) for m in ms])} on {latex_escape(t)}"
            for t, ms in direction.items()
            if ms
        ]
        out.append(
            "The Pesaran--Timmermann test found the direction of the forecast returns "
            rf"significantly better than chance (5\,\% level) for {_join(listed)}."
        )
    else:
        out.append(
            "The Pesaran--Timmermann test found no model whose forecast directions agreed with "
            r"the realised ones significantly more often than chance (5\,\% level)."
        )
    if all("in_mcs" in s.metrics.columns for s in scores):
        always = [m for m in models if all(m in s.in_mcs() for s in scores)]
        if always:
            out.append(
                r"The 90\,\% model confidence set contained "
                f"{_join([model_name(m) for m in always])} "
                "on every instrument."
            )
    out.append("")
    if not _network_models(scores):
        out.append(
            "No recurrent network was part of this run, so it says nothing about the LSTM, the "
            "GRU or the hybrid model."
        )
    note = _profile_note(run)
    if note:
        out.append(note)
    paragraphs, current = [], []
    for sentence in [*out, ""]:
        if sentence:
            current.append(sentence)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs) + "\n\n" + findings_table(scores) + "\n"


def findings_table(scores: Sequence[TickerScores]) -> str:
    """Table ``tab:findings``: best model per instrument with its tests."""
    rows = []
    for s in scores:
        best = s.best
        da = (
            s.metrics["directional_accuracy"].astype(float)
            if "directional_accuracy" in s.metrics
            else None
        )
        direction = str(da.idxmax()) if da is not None and da.notna().any() else ""
        rows.append(
            " & ".join(
                [
                    latex_escape(s.ticker),
                    str(s.test_days or "--"),
                    model_name(best),
                    _fmt(s.value(best, "rmse")),
                    _fmt(s.value(best, "theil_u2")),
                    _pvalue(s.value(best, "dm_pvalue_vs_random_walk")),
                    model_name(direction) if direction else "--",
                    _fmt(s.value(direction, "directional_accuracy"), 3) if direction else "--",
                    _pvalue(s.value(direction, "pt_pvalue")) if direction else "--",
                    ", ".join(model_name(m) for m in s.in_mcs()) or "--",
                ]
            )
            + r" \\"
        )
    header = (
        r"Instrument & \begin{tabular}[b]{@{}r@{}}Test\\days\end{tabular} & "
        r"\begin{tabular}[b]{@{}l@{}}Lowest\\RMSE\end{tabular} & RMSE & $U_2$ & DM $p$ & "
        r"\begin{tabular}[b]{@{}l@{}}Best\\direction\end{tabular} & DA & PT $p$ & "
        r"\begin{tabular}[b]{@{}l@{}}90\,\% MCS\end{tabular} \\"
    )
    return "\n".join(
        [
            r"\begin{table}[htbp]",
            r"\centering\footnotesize",
            r"\caption[{Best model per instrument and its tests.}]{Best model per instrument and "
            r"its tests: lowest test RMSE (price units) with its RMSE relative to the random walk "
            r"($U_2$) and the two-sided Diebold--Mariano $p$-value against the random walk; "
            r"highest directional accuracy (DA) with its Pesaran--Timmermann $p$-value; models "
            r"in the 90\,\% model confidence set. A dash marks a test that is undefined (a model "
            r"against itself, constant forecast signs).}\label{tab:findings}",
            r"\begin{tabularx}{\linewidth}{@{}lrlrrrlrr>{\raggedright\arraybackslash}X@{}}",
            r"\toprule",
            header,
            r"\midrule",
            *rows,
            r"\bottomrule",
            r"\end{tabularx}",
            r"\end{table}",
        ]
    )


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, Mapping):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return {prefix: ", ".join(str(v) for v in value)}
        flat = {}
        for i, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{i}]"))
        return flat
    if value is None:
        return {prefix: "--"}
    if isinstance(value, float):
        return {prefix: f"{value:.6g}"}
    return {prefix: str(value)}


def _longtable(
    columns: Sequence[str], spec: str, rows: Sequence[Sequence[str]], caption: str, label: str
) -> str:
    head = " & ".join(columns) + r" \\"
    return "\n".join(
        [
            r"{\small",
            rf"\begin{{longtable}}{{{spec}}}",
            rf"\caption{{{caption}}}\label{{{label}}}\\",
            r"\toprule",
            head,
            r"\midrule",
            r"\endfirsthead",
            r"\toprule",
            head,
            r"\midrule",
            r"\endhead",
            r"\bottomrule",
            r"\endlastfoot",
            *(" & ".join(r) + r" \\" for r in rows),
            r"\end{longtable}",
            "}",
        ]
    )


def _tt(text: object) -> str:
    return r"\texttt{" + latex_escape(text) + "}"


def _breakable_tt(text: object) -> str:
    """Typewriter text that may break after ``/``, ``.``, ``_`` and ``,`` (paths, lists).

    ``--`` (a missing value, see :func:`_flatten`) prints as a dash, an empty string as ``""``.
    """
    if text == "--":
        return "--"
    if text == "":
        return r'\texttt{""}'
    escaped = latex_escape(text)
    escaped = re.sub(r"(/|\.|\\_|,)", r"\1\\allowbreak{}", escaped)
    return r"\texttt{" + escaped + "}"


def appendix_latex(run: RunInfo, executed: Mapping[str, Path]) -> str:
    """The reproducibility appendix: run record, versions, provenance, configuration."""
    out = [
        r"\chapter{Reproducibility record}\label{app:reproducibility}",
        "This appendix records what is needed to reproduce every number of this document: the "
        "run that produced it, the software it ran on, the data it read (with a SHA-256 "
        "checksum of the dates and prices of each series) and the complete configuration of "
        "each experiment.",
    ]
    record = {k: v for k, v in run.record.items() if k not in ("versions", "config")}
    rows = [(_tt(k), _breakable_tt(v)) for k, v in _flatten(record).items()]
    if not rows:
        rows = [(_tt("run_id"), _tt(run.run_id))]
    out += [
        r"\section{Run}\label{app:run}",
        "The run record (\\texttt{run.json}) written by the pipeline; its software versions "
        "and configuration follow in the next sections.",
        _longtable(
            ("Field", "Value"),
            r"@{}l>{\raggedright\arraybackslash}p{0.6\linewidth}@{}",
            rows,
            "Run record.",
            "tab:app:run",
        ),
    ]

    versions: dict[str, dict[str, str]] = {}
    if isinstance(run.record.get("versions"), Mapping):
        versions["run"] = {k: str(v) for k, v in run.record["versions"].items()}
    for ticker in run.experiments:
        v = run.result(ticker).get("versions")
        if isinstance(v, Mapping):
            versions[ticker] = {k: str(x) for k, x in v.items()}
    if versions:
        distinct = {json.dumps(v, sort_keys=True) for v in versions.values()}
        out += [
            r"\section{Software environment}\label{app:environment}",
            "Versions of Python, the platform and the packages that shape the numbers, as "
            "recorded by the run"
            + (" (identical for every experiment)." if len(distinct) == 1 else "."),
        ]
        if len(distinct) == 1:
            merged = next(iter(versions.values()))
            rows = [(_tt(k), _breakable_tt(v)) for k, v in merged.items()]
            out.append(
                _longtable(
                    ("Package", "Version"),
                    r"@{}l>{\raggedright\arraybackslash}p{0.6\linewidth}@{}",
                    rows,
                    "Software versions.",
                    "tab:app:versions",
                )
            )
        else:
            names = list(versions)
            keys = sorted({k for v in versions.values() for k in v})
            rows = [
                (_tt(k), *(_breakable_tt(versions[n].get(k, "--")) for n in names)) for k in keys
            ]
            out.append(
                _longtable(
                    ("Package", *(latex_escape(n) for n in names)),
                    "@{}l" + "l" * len(names) + "@{}",
                    rows,
                    "Software versions per experiment.",
                    "tab:app:versions",
                )
            )

    provenance = {t: run.result(t).get("provenance") or {} for t in run.experiments}
    if any(provenance.values()):
        rows = []
        hashes = []
        for ticker, p in provenance.items():
            if not p:
                continue
            rows.append(
                (
                    latex_escape(ticker),
                    latex_escape(p.get("source", "--")),
                    latex_escape(p.get("first_date", "--")),
                    latex_escape(p.get("last_date", "--")),
                    latex_escape(p.get("rows", "--")),
                    latex_escape(p.get("forward_filled", "--")),
                )
            )
            hashes.append(
                (latex_escape(ticker), r"{\footnotesize" + _tt(p.get("sha256", "--")) + "}")
            )
        out += [
            r"\section{Data provenance}\label{app:provenance}",
            "Each experiment loaded the series below. The checksum covers the dates and the "
            "values that the experiment used, so a reader can verify that a rerun reads the same "
            "data (\\texttt{python -m lstmgru data show TICKER} prints it).",
            _longtable(
                ("Ticker", "Source", "First date", "Last date", "Rows", "Filled"),
                "@{}llllrr@{}",
                rows,
                "Data of each experiment (rows after validation; filled: missing closes carried "
                "forward).",
                "tab:app:provenance",
            ),
            _longtable(
                ("Ticker", "SHA-256 of the data"),
                "@{}ll@{}",
                hashes,
                "SHA-256 checksum of the data of each experiment.",
                "tab:app:sha256",
            ),
        ]

    configs = {t: _flatten(run.result(t).get("config") or {}) for t in run.experiments}
    configs = {t: c for t, c in configs.items() if c}
    if configs:
        keys: list[str] = []
        for c in configs.values():
            keys.extend(k for k in c if k not in keys)
        common = [k for k in keys if len({c.get(k) for c in configs.values()}) == 1]
        differing = [k for k in keys if k not in common]
        out += [
            r"\section{Configuration}\label{app:configuration}",
            "The complete configuration of the experiments (\\texttt{ExperimentConfig}, as "
            "recorded in each \\texttt{result.json}). Values shared by all experiments are "
            "listed once" + ("; the others per instrument." if differing else "."),
            _longtable(
                ("Setting", "Value"),
                r"@{}l>{\raggedright\arraybackslash}p{0.55\linewidth}@{}",
                [(_tt(k), _breakable_tt(next(iter(configs.values()))[k])) for k in common],
                "Configuration shared by all experiments.",
                "tab:app:config",
            ),
        ]
        if differing:
            names = list(configs)
            out.append(
                _longtable(
                    ("Setting", *(latex_escape(n) for n in names)),
                    "@{}l" + "l" * len(names) + "@{}",
                    [
                        (_tt(k), *(_breakable_tt(configs[n].get(k, "--")) for n in names))
                        for k in differing
                    ],
                    "Configuration that differs between experiments.",
                    "tab:app:config-differing",
                )
            )

    rows = []
    for name, path in executed.items():
        meta = _read_notebook(path).metadata.get("papermill", {})
        duration = meta.get("duration")
        rows.append(
            (
                _breakable_tt(name),
                latex_escape(str(meta.get("start_time") or "--")[:19].replace("T", " ")),
                f"{duration:.1f}" if isinstance(duration, int | float) else "--",
                latex_escape(meta.get("version") or "--"),
            )
        )
    if rows:
        out += [
            r"\section{Notebook execution}\label{app:execution}",
            "Each chapter is a notebook executed by papermill during the run.",
            _longtable(
                ("Notebook", "Started (UTC)", "Seconds", "papermill"),
                r"@{}>{\raggedright\arraybackslash}p{0.4\linewidth}lrl@{}",
                rows,
                "Executed notebooks of the run.",
                "tab:app:execution",
            ),
        ]
    return "\n\n".join(out) + "\n"


def meta_latex(meta: Mapping[str, Any], run: RunInfo, summary: str) -> str:
    """``generated/meta.tex``: title-page fields and run macros."""

    def field_(value: object) -> str:
        return latex_escape(value) if value else ""

    keywords = meta.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    chapters = meta.get("chapters") or {}
    lines = [
        "% Generated by lstmgru.report from report/metadata.yml and the run; do not edit.",
        rf"\newcommand\ThesisTitle{{{field_(meta.get('title'))}}}",
        rf"\newcommand\ThesisSubtitle{{{field_(meta.get('subtitle'))}}}",
        rf"\newcommand\ThesisAuthor{{{field_(meta.get('author'))}}}",
        rf"\newcommand\ThesisInstitution{{{field_(meta.get('institution'))}}}",
        rf"\newcommand\ThesisDegree{{{field_(meta.get('degree'))}}}",
        rf"\newcommand\ThesisDate{{{field_(meta.get('date'))}}}",
        rf"\newcommand\ThesisKeywords{{{field_(', '.join(str(k) for k in keywords))}}}",
        rf"\newcommand\ConclusionTitle{{{field_(chapters.get('conclusion') or 'Conclusion')}}}",
        rf"\newcommand\RunId{{{latex_escape(run.run_id)}}}",
        rf"\newcommand\RunProfile{{{latex_escape(run.profile)}}}",
        rf"\newcommand\RunSource{{{latex_escape(run.source)}}}",
        rf"\newcommand\RunSummary{{{summary}}}",
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# Equations
# ----------------------------------------------------------------------------------------------

_EQUATION_ENV_RE = re.compile(
    r"\\begin\{(?P<env>equation|align|gather|multline|flalign|eqnarray)\}(?P<body>.*?)"
    r"\\end\{(?P=env)\}",
    re.S,
)


@dataclass(frozen=True)
class Equation:
    """A labelled display equation of the theory chapter."""

    labels: tuple[str, ...]
    source: str  # the whole environment, \begin ... \end


def theory_equations(nb) -> list[Equation]:
    """Every labelled numbered equation environment in the Markdown of ``nb``, in order."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        source = normalise_markdown_latex(cell.source)
        for match in _EQUATION_ENV_RE.finditer(source):
            labels = tuple(_LABEL_RE.findall(match.group(0)))
            if labels:
                found.append(Equation(labels, match.group(0).strip()))
    return found


def theory_labels(nb) -> list[str]:
    """Every ``\\label`` in the Markdown and cell metadata of the theory notebook."""
    labels: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            labels.extend(_LABEL_RE.findall(cell.source))
        elif cell.metadata.get("label"):
            labels.append(str(cell.metadata["label"]))
    return labels


_NEWLABEL_RE = re.compile(
    r"^\\newlabel\{(?P<label>[^}]*)\}\{\{(?P<number>[^}]*)\}\{(?P<page>[^}]*)\}", re.M
)


def aux_labels(aux_text: str) -> dict[str, tuple[str, str]]:
    """``{label: (number, page)}`` from the text of a LaTeX ``.aux`` file."""
    return {m["label"]: (m["number"], m["page"]) for m in _NEWLABEL_RE.finditer(aux_text)}


def equations_tex(equations: Sequence[Equation], numbers: Mapping[str, str], title: str) -> str:
    """The text of ``equations.tex``: each equation stored under its label, numbered as in the PDF.

    The file defines ``\\thesisequation{label}`` (typesets the equation with its number and
    label), ``\\thesiseqnum{label}`` (its number) and ``\\thesisallequations``.
    """
    lines = [
        f'% Labelled equations of the theory chapter of "{title}" (thesis.pdf).',
        "% Generated by `python -m lstmgru report`; rebuilt with the thesis, do not edit.",
        "%",
        "% In a LaTeX document (amsmath needed):",
        "%   \\usepackage{amsmath}",
        "%   \\input{equations}",
        "%   \\thesisequation{eq:lstm-forget}    % the equation, numbered as in the thesis",
        "%   ... the forget gate~\\eqref{eq:lstm-forget} ...",
        "%   ... Equation~(\\thesiseqnum{eq:lstm-forget}) of the thesis ...",
        "% \\thesisallequations typesets all of them in order.",
        "\\makeatletter",
        "\\providecommand\\thesisequation[1]{\\@ifundefined{thesis@eq@#1}"
        "{\\PackageError{equations}{No equation labelled #1 in equations.tex}{}}"
        "{\\@nameuse{thesis@eq@#1}}}",
        "\\providecommand\\thesiseqnum[1]"
        "{\\@ifundefined{thesis@num@#1}{??}{\\@nameuse{thesis@num@#1}}}",
        "\\providecommand\\thesisallequations{}",
    ]
    for equation in equations:
        source = _LABEL_RE.sub(
            lambda m: (f"\\tag{{{numbers[m[1]]}}}" if m[1] in numbers else "") + m.group(0),
            equation.source,
        )
        first = equation.labels[0]
        lines.append("")
        lines.append("% " + ", ".join(f"{x} ({numbers.get(x, '?')})" for x in equation.labels))
        lines.append(f"\\@namedef{{thesis@eq@{first}}}{{%\n{source}}}")
        for label in equation.labels:
            if label != first:
                lines.append(f"\\@namedef{{thesis@eq@{label}}}{{\\@nameuse{{thesis@eq@{first}}}}}")
            if label in numbers:
                lines.append(f"\\@namedef{{thesis@num@{label}}}{{{numbers[label]}}}")
        lines.append(f"\\g@addto@macro\\thesisallequations{{\\thesisequation{{{first}}}}}")
    lines.append("\\makeatother")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# LaTeX log
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatexLogSummary:
    """Problems reported in a LaTeX log.

    Attributes
    ----------
    undefined_references, undefined_citations, multiply_defined, missing_characters : tuple
        Labels, keys and characters named by the warnings.
    overfull : tuple of float
        Excess of every overfull box, in points.
    """

    undefined_references: tuple[str, ...]
    undefined_citations: tuple[str, ...]
    multiply_defined: tuple[str, ...]
    missing_characters: tuple[str, ...]
    overfull: tuple[float, ...]


def parse_latex_log(text: str) -> LatexLogSummary:
    """Undefined references and citations, duplicate labels, missing glyphs, overfull boxes."""
    refs = re.findall(r"Reference `([^']*)' on page \S+ undefined", text)
    cites = re.findall(r"Citation `([^']*)' on page \S+ undefined", text)
    cites += re.findall(r"Citation `([^']*)' undefined", text)
    multiply = re.findall(r"Label `([^']*)' multiply defined", text)
    missing = re.findall(r"Missing character: There is no (.+?) in font", text)
    overfull = [float(x) for x in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too", text)]
    return LatexLogSummary(
        tuple(dict.fromkeys(refs)),
        tuple(dict.fromkeys(cites)),
        tuple(dict.fromkeys(multiply)),
        tuple(dict.fromkeys(missing)),
        tuple(overfull),
    )


def _first_error(log: str, context: int = 12) -> str:
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+: ", line):
            return "\n".join(lines[max(0, i - 2) : i + context])
    return ""


# ----------------------------------------------------------------------------------------------
# Building
# ----------------------------------------------------------------------------------------------


def _compile(build: Path, timeout: int = 900) -> None:
    """latexmk + xelatex + bibtex in ``build``; raise ReportBuildError with the log on failure."""
    for tool in ("latexmk", "xelatex", "bibtex"):
        if shutil.which(tool) is None:
            raise ReportBuildError(
                f"{tool} not found; install the TeX toolchain with `make tex` "
                "(texlive-xetex texlive-latex-extra latexmk ...)"
            )
    env = dict(os.environ, max_print_line="10000", error_line="254", half_error_line="238")
    command = [
        "latexmk",
        "-norc",
        "-xelatex",
        "-bibtex",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        "thesis.tex",
    ]
    try:
        proc = subprocess.run(
            command,
            cwd=build,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReportBuildError(f"latexmk did not finish within {timeout} s in {build}") from exc
    pdf = build / "thesis.pdf"
    if proc.returncode != 0 or not pdf.is_file():
        log_path = build / "thesis.log"
        log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
        error = _first_error(log)
        tail = "\n".join(log.splitlines()[-25:]) or (proc.stdout + proc.stderr)[-3000:]
        raise ReportBuildError(
            "LaTeX failed (latexmk exit code "
            f"{proc.returncode}).\n--- first error ---\n{error or '(none found)'}\n"
            f"--- end of {log_path} ---\n{tail}"
        )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _bib_keys(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", path.read_text(encoding="utf-8")))


def _check_citations(chapter_texts: Iterable[str], bib: Path) -> None:
    keys = _bib_keys(bib)
    cited = set()
    for text in chapter_texts:
        for group in re.findall(r"\\cite[tp]?\*?(?:\[[^\]]*\])*\{([^}]*)\}", text):
            cited.update(k.strip() for k in group.split(",") if k.strip())
    unknown = sorted(cited - keys)
    if unknown:
        raise ValueError(
            f"citation key(s) {', '.join(unknown)} not in {bib}; add the entries there or fix "
            "the data-cite attribute in the notebook"
        )


def build_latex_sources(run: RunInfo, build: Path, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Write every LaTeX source of the thesis into ``build``; return what was written.

    Returns
    -------
    dict
        ``chapters`` (list of :class:`Chapter`), ``figures`` (number of figure files),
        ``executed`` (name -> notebook path of every executed notebook used).
    """
    for name in STATIC_FILES:
        source = REPORT_DIR / name
        if not source.is_file():
            raise ReportBuildError(f"{source} is missing; restore it from the repository")
        shutil.copy2(source, build / name)
    (build / "chapters").mkdir(exist_ok=True)
    (build / "figures").mkdir(exist_ok=True)
    (build / "generated").mkdir(exist_ok=True)
    chapters: list[Chapter] = []
    executed: dict[str, Path] = {}
    texts: list[str] = []

    steps: list[tuple[str, Path | None]] = [
        ("theory", run.theory),
        ("data", run.data),
        ("experiments", None),
        ("comparison", run.comparison),
    ]
    total = sum(p is not None for _, p in steps) + len(run.experiments)
    bar = tqdm(total=total, desc="report: notebooks", unit="nb", disable=None, leave=False)
    try:
        for key, path in steps:
            if key == "experiments":
                if run.experiments or run.missing:
                    chapter, text = _experiments_chapter(run, build, meta, bar, executed)
                    chapters.append(chapter)
                    texts.append(text)
                continue
            if path is None:
                logger.warning(
                    "report: %s has no %s notebook; the thesis leaves that chapter out",
                    run.run_dir,
                    key,
                )
                continue
            number = {"theory": "01", "data": "02", "comparison": "04"}[key]
            title, text = _chapter_tex(path, f"{number}_{key}", f"chap:{key}", build, key.title())
            rel = f"chapters/{number}_{key}.tex"
            _write(build / rel, text)
            chapters.append(Chapter(key, rel, title))
            executed[path.name] = path
            texts.append(text)
            bar.update()
    finally:
        bar.close()

    _check_citations(texts, build / "references.bib")
    scores = collect_scores(run)
    summary = run_summary_latex(run, scores)
    _write(build / "generated" / "meta.tex", meta_latex(meta, run, summary))
    _write(
        build / "generated" / "body.tex",
        "% Generated by lstmgru.report: the chapters converted from the executed notebooks.\n"
        + "".join(f"\\input{{{c.path[:-4]}}}\n" for c in chapters),
    )
    _write(build / "generated" / "findings.tex", findings_latex(run, scores))
    _write(build / "generated" / "appendix.tex", appendix_latex(run, executed))
    figures = len([p for p in (build / "figures").iterdir() if p.is_file()])
    return {"chapters": chapters, "figures": figures, "executed": executed}


def _experiments_chapter(
    run: RunInfo, build: Path, meta: Mapping[str, Any], bar, executed: dict[str, Path]
) -> tuple[Chapter, str]:
    title = latex_escape((meta.get("chapters") or {}).get("experiments") or "Experiments")
    intro_md = ""
    sections = []
    for i, (ticker, path) in enumerate(run.experiments.items(), start=1):
        intro, _, text = _experiment_section_tex(path, ticker, f"03_{i:02d}", build)
        intro_md = intro_md or intro
        rel = f"chapters/03_{i:02d}_{_ticker_dir_name(ticker)}.tex"
        _write(build / rel, text)
        sections.append((ticker, rel))
        executed[f"{ticker}/{path.name}"] = path
        bar.update()
    parts = [rf"\chapter{{{title}}}\label{{chap:experiments}}", ""]
    if intro_md:
        parts += [markdown_to_latex(normalise_markdown_latex(intro_md)), ""]
    if sections:
        refs = _join(
            [rf"{latex_escape(t)} (Section~\ref{{sec:{_ticker_dir_name(t)}}})" for t, _ in sections]
        )
        parts += [
            f"The experiment was run on {_count(len(sections), 'instrument')}: {refs}. "
            "Each section below is the same analysis, applied to one instrument.",
            "",
        ]
    parts += [f"\\input{{{rel[:-4]}}}" for _, rel in sections]
    for ticker in run.missing:
        parts.append(_failed_section_tex(ticker, _ticker_status(run.record, ticker)))
    text = "\n".join(parts) + "\n"
    rel = "chapters/03_experiments.tex"
    _write(build / rel, text)
    section_texts = "".join((build / r).read_text(encoding="utf-8") for _, r in sections)
    return Chapter("experiments", rel, title), text + section_texts


def _html_exporter() -> HTMLExporter:
    return HTMLExporter(
        template_name="thesis_html",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def build_html(run: RunInfo, html_dir: str | Path) -> list[Path]:
    """Write each executed notebook of ``run`` as a web page into ``html_dir``, plus an index.

    Code is hidden, stream noise filtered, papermill's parameters shown as a table, figures
    and tables numbered with their captions; MathJax renders and numbers the equations.

    Returns
    -------
    list of pathlib.Path
        The pages written (the index last).
    """
    html_dir = Path(html_dir)
    html_dir.mkdir(parents=True, exist_ok=True)
    pages: list[tuple[str, Path, Path]] = []  # (title, notebook, page)
    notebooks: list[tuple[str, Path, str]] = []
    if run.theory:
        notebooks.append(("01_equations", run.theory, ""))
    if run.data:
        notebooks.append(("02_data", run.data, ""))
    for ticker, path in run.experiments.items():
        notebooks.append((f"03_experiment_{_ticker_dir_name(ticker)}", path, ticker))
    if run.comparison:
        notebooks.append(("04_comparison", run.comparison, ""))
    exporter = _html_exporter()
    for stem, path, ticker in tqdm(
        notebooks, desc="report: html", unit="nb", disable=None, leave=False
    ):
        nb = _read_notebook(path)
        nb = _run_preprocessors(
            nb,
            [
                _tag_remover(),
                StreamFilterPreprocessor(),
                ParameterTablePreprocessor(),
                HtmlCaptionPreprocessor(),
            ],
        )
        title = next(
            (
                m[1]
                for c in nb.cells
                if c.cell_type == "markdown"
                for m in [re.search(r"^#\s+(.+?)\s*$", c.source, re.M)]
                if m
            ),
            stem,
        )
        if ticker:
            title = f"{title}: {ticker}"
        body, _ = exporter.from_notebook_node(
            nb, resources={"metadata": {"name": title, "path": str(path.parent)}}
        )
        page = _write(html_dir / f"{stem}.html", body)
        pages.append((title, path, page))
    items = "\n".join(
        f'<li><a href="{html.escape(p.name)}">{html.escape(t)}</a></li>' for t, _, p in pages
    )
    index = _write(
        html_dir / "index.html",
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8" />'
        f"<title>Run {html.escape(run.run_id)}</title></head>\n<body>\n"
        f"<h1>Executed notebooks of run {html.escape(run.run_id)}</h1>\n<ol>\n{items}\n</ol>\n"
        '<p>The thesis assembled from them: <a href="../thesis.pdf">thesis.pdf</a>.</p>\n'
        "</body>\n</html>\n",
    )
    return [p for _, _, p in pages] + [index]


def _replace_dir(source: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        source.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        source.rename(target)


def _pdf_pages(pdf: Path) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    return int(match[1]) if match else None


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
        Run directory written by the pipeline (see the module docstring).
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
    ValueError
        No such run, or a citation key missing from ``report/references.bib``.
    lstmgru.runs.StaleRunError
        The run has no finished ticker, or its chapters disagree (:func:`check_run_is_current`).
    ReportBuildError
        LaTeX failed; the message holds the first error and the end of the log, and the
        sources are kept in ``<output_dir>/failed-build`` for inspection.
    """
    started = time.perf_counter()
    run = RunInfo.load(run_dir)
    check_run_is_current(run.run_dir)
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=output))
    try:
        result: Path | None = None
        if html:
            build_html(run, work / "html")
            _replace_dir(work / "html", output / "html")
            result = output / "html" / "index.html"
            logger.info("report: HTML pages in %s", output / "html")
        if pdf:
            latex = work / "latex"
            latex.mkdir()
            meta = load_metadata()
            written = build_latex_sources(run, latex, meta)
            logger.info(
                "report: %d chapters, %d figures; compiling with latexmk (xelatex, bibtex) ...",
                len(written["chapters"]),
                written["figures"],
            )
            try:
                _compile(latex)
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
            if run.theory:
                theory = _read_notebook(run.theory)
                numbers = {
                    k: v[0]
                    for k, v in aux_labels(
                        (latex / "thesis.aux").read_text(errors="replace")
                    ).items()
                }
                _write(
                    latex / "equations.tex",
                    equations_tex(theory_equations(theory), numbers, str(meta.get("title", ""))),
                )
                os.replace(latex / "equations.tex", output / "equations.tex")
            else:
                (output / "equations.tex").unlink(missing_ok=True)
            os.replace(latex / "thesis.pdf", output / "thesis.pdf")
            shutil.rmtree(output / "failed-build", ignore_errors=True)
            _replace_dir(latex, output / "latex")
            result = output / "thesis.pdf"
            pages = _pdf_pages(result)
            logger.info(
                "report: wrote %s (%s pages) in %.0f s",
                result,
                pages if pages is not None else "?",
                time.perf_counter() - started,
            )
        assert result is not None
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_figures(run: RunInfo, destination: str | Path = DEFAULT_FIGURES) -> list[Path]:
    """Copy the figure files (PDF and PNG) the run's notebooks saved into ``destination``.

    The experiment notebook saves its figures under ``<TICKER>/figures/`` and the comparison
    notebook under ``<run_dir>/figures/``; the copies are named ``<TICKER>_<figure>.pdf`` (and
    ``.png``) and ``comparison_<figure>.pdf``. Returns the paths written.
    """
    destination = Path(destination)
    sources = [(_ticker_dir_name(t), run.result_dir(t) / "figures") for t in run.experiments]
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


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m lstmgru report``."""
    parser.add_argument(
        "--run",
        metavar="DIR",
        help="run directory or run id (default: the latest run, named in build/runs/latest)",
    )
    parser.add_argument(
        "--runs",
        metavar="DIR",
        default=str(DEFAULT_RUNS),
        help="root directory of the runs (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        metavar="DIR",
        default=str(DEFAULT_OUTPUT),
        help="output directory (default: %(default)s)",
    )
    parser.add_argument(
        "--html-only", action="store_true", help="write the HTML pages only, no PDF"
    )
    parser.add_argument(
        "--figures",
        metavar="DIR",
        default=str(DEFAULT_FIGURES),
        help="where to copy the run's figures as PDF and PNG (default: %(default)s)",
    )


def main(args: argparse.Namespace) -> int:
    """Run ``python -m lstmgru report``; returns the exit code (1 when LaTeX failed)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    run_dir = resolve_run_dir(args.run, args.runs)
    try:
        result = build_report(run_dir, args.output, html=True, pdf=not args.html_only)
    except ReportBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    figures = export_figures(RunInfo.load(run_dir), args.figures)
    if figures:
        logger.info("report: %d figure files (PDF and PNG) in %s", len(figures), args.figures)
    print(result)
    return 0
