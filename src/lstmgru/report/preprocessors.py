"""nbconvert preprocessors that prepare an executed notebook for the thesis and its web pages.

One class per concern, each enabled by default and configured by traitlets:

- :class:`StreamFilterPreprocessor`: stderr, progress bars, framework logs, warnings, widget
  views and bare figure reprs never reach the reader (:data:`NOISE_PATTERNS`).
- :class:`ParameterTablePreprocessor`: papermill's injected-parameters cell becomes a table of the
  run's parameters, the same rows for every run of the notebook (values from papermill's
  notebook metadata, descriptions from the comments of the notebook's ``parameters`` cell).
- :class:`MarkdownLatexPreprocessor`: citations, ties and labelled ``$$`` for pandoc's LaTeX.
- :class:`LabelPrefixPreprocessor`: labels of a notebook included once per ticker made unique,
  and the instrument named in every caption.
- :class:`CaptionPreprocessor`: captions and labels of figures for the LaTeX template.
- :class:`HtmlCaptionPreprocessor`: numbered captions and reference links for the HTML page.

Cells tagged ``remove-cell`` disappear with their output (nbconvert's
:class:`~nbconvert.preprocessors.TagRemovePreprocessor`, see :func:`tag_remover`).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable
from typing import Any

import nbformat
import pandas as pd
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from papermill.translators import papermill_translators
from papermill.utils import nb_kernel_name, nb_language
from traitlets import List, Unicode, default

from lstmgru.report import tables
from lstmgru.report.markdown import (
    LABEL_RE,
    REF_RE,
    normalise_markdown_latex,
)

__all__ = [
    "BOOKKEEPING_PARAMETERS",
    "NOISE_PATTERNS",
    "LabelPrefixPreprocessor",
    "MarkdownLatexPreprocessor",
    "ParameterTablePreprocessor",
    "StreamFilterPreprocessor",
    "caption_with_instrument",
    "clean_stream_text",
    "filter_outputs",
    "parameter_rows",
    "prefix_labels",
    "prefixed_label",
    "tag_remover",
]

REMOVE_CELL_TAGS = ("remove-cell", "remove_cell")
REMOVE_INPUT_TAGS = ("remove-input", "remove_input", "hide-input", "hide_input")
REMOVE_OUTPUT_TAGS = ("remove-output", "remove_output", "hide-output", "hide_output")
INJECTED_TAG = "injected-parameters"
#: Notebook parameters that only say where results go or how the run looks, not what it computes.
BOOKKEEPING_PARAMETERS = frozenset({"results_dir", "run_dir", "progress", "checkpoint_dir"})

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
IMAGE_MIMES = ("application/pdf", "image/png", "image/jpeg", "image/svg+xml")


class ThesisPreprocessor(Preprocessor):
    """Base of the report's preprocessors: enabled unless configured otherwise."""

    @default("enabled")
    def _enabled_default(self) -> bool:
        return True


def tag_remover() -> TagRemovePreprocessor:
    """nbconvert's tag remover for the tags the notebooks use (``remove-cell``, ``hide-input``)."""
    return TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )


# ----------------------------------------------------------------------------------------------
# Noise
# ----------------------------------------------------------------------------------------------


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
    """Copies of the outputs a reader should see, in order (the originals are not modified).

    Dropped: stderr, progress bars and logs in stdout, widget views, bare figure reprs.
    """
    kept = []
    for output in outputs:
        output = copy.deepcopy(nbformat.from_dict(output))
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


# ----------------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------------


def notebook_defaults(nb) -> dict[str, Any]:
    """``{name: papermill.models.Parameter}`` of the notebook's ``parameters`` cell.

    papermill's own inspection (the translator of the notebook's kernel) reads each default
    with its type and the comment on its line.
    """
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if not cells:
        return {}
    translator = papermill_translators.find_translator(nb_kernel_name(nb), nb_language(nb))
    return {p.name: p for p in translator.inspect(cells[0])}


_DEFAULT_CLAUSE_RE = re.compile(r'^\s*(""|0|none)\s+(.+?)\s*$')


def _shown(value: object, description: str) -> tuple[str, str]:
    """``(value, description)`` as a reader reads them.

    A value that the description explains in a clause such as ``"" keeps the profile's value``
    or ``0 keeps the profile's value`` is printed as that meaning ("profile's value"), and the
    clause leaves the description; an empty text is ``–``, a boolean ``yes``/``no``, a list its
    items joined by commas.
    """
    token = '""' if value == "" else ("0" if value == 0 and not isinstance(value, bool) else None)
    parts = [p.strip() for p in description.split(";")] if description else []
    meaning = None
    if token is not None:
        for part in parts:
            match = _DEFAULT_CLAUSE_RE.match(part)
            if match and match[1] == token:
                meaning = match[2]
                parts.remove(part)
                break
    if meaning is not None:
        text = "profile's value" if meaning.startswith("keeps the profile") else meaning
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif value == "" or value is None:
        text = tables.NA
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value) if value else tables.NA
    else:
        text = str(value)
    description = "; ".join(p for p in parts if p)
    if " | " not in description:  # "quick | default | full" lists values: kept as written
        description = description[:1].upper() + description[1:]
    return text, description


def parameter_rows(
    nb, hidden: Iterable[str] = BOOKKEEPING_PARAMETERS
) -> list[tuple[str, str, str]]:
    """Rows ``(name, value, description)`` of the parameter table of a papermill run.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook: the values come from ``nb.metadata.papermill.parameters``, the
        descriptions (the comment on the line) from its ``parameters`` cell.
    hidden : iterable of str
        Parameters left out of the table (bookkeeping such as the results directory).

    Returns
    -------
    list of tuple of str
        One row per parameter set for the run (whether or not it equals the notebook's
        default, so that every run of a notebook shows the same rows), in the order of the
        ``parameters`` cell; values as a reader would write them (:func:`_shown`).
    """
    values = nb.metadata.get("papermill", {}).get("parameters") or {}
    defaults = notebook_defaults(nb)
    hidden = set(hidden)
    order = {name: i for i, name in enumerate(defaults)}
    names = sorted(
        (n for n in values if n not in hidden), key=lambda n: (order.get(n, len(order)), n)
    )
    rows = []
    for name in names:
        parameter = defaults.get(name)
        value, description = _shown(values[name], parameter.help if parameter is not None else "")
        rows.append((name, value, description))
    return rows


class ParameterTablePreprocessor(ThesisPreprocessor):
    """Replace papermill's injected-parameters cell by a table of the run's parameters.

    The cell keeps its place; its output becomes a table (parameter, value, description from
    the comment in the notebook's ``parameters`` cell, :func:`parameter_rows`) as
    :func:`lstmgru.report.tables.table` renders every table (``text/latex`` with caption and
    label, ``text/html``), and its metadata gets the caption and ``label``. A notebook run
    without parameters (nothing injected) keeps no such cell.
    """

    label = Unicode("tab:parameters", help="LaTeX label of the table").tag(config=True)
    caption = Unicode(
        "Parameters of this run.",
        help="caption of the table (Markdown; its first sentence is the short caption)",
    ).tag(config=True)
    hidden = List(
        Unicode(),
        default_value=sorted(BOOKKEEPING_PARAMETERS),
        help="parameters never shown (bookkeeping: where results go, progress bars)",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        """Convert the injected-parameters cell of ``nb``."""
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "code" and INJECTED_TAG in cell.metadata.get("tags", []):
                rows = parameter_rows(nb, self.hidden)
                if not rows:
                    continue
                frame = pd.DataFrame(rows, columns=["parameter", "value", "description"])
                shown = tables.table(
                    frame,
                    caption=self.caption,
                    label=self.label,
                    index=False,
                    code=["parameter"],
                    names={"value": "Value"},
                )
                data = {
                    "text/html": shown.html,
                    "text/latex": shown.latex,
                    "text/plain": "\n".join(f"{n} = {v}" for n, v, _ in rows),
                }
                cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
                cell.metadata["caption"] = self.caption
                cell.metadata["label"] = self.label
            cells.append(cell)
        nb.cells = cells
        return nb, resources


# ----------------------------------------------------------------------------------------------
# Markdown and labels
# ----------------------------------------------------------------------------------------------


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


_HYPERREF_RE = re.compile(r"\\hyperref\[(?P<label>[^\]]*)\]")


def prefixed_label(label: str, prefix: str) -> str:
    """``fig:forecasts`` with prefix ``KO`` becomes ``fig:KO:forecasts``; ``x`` becomes ``KO:x``."""
    kind, sep, rest = label.partition(":")
    return f"{kind}:{prefix}:{rest}" if sep else f"{prefix}:{label}"


def prefix_labels(text: str, labels: set[str], prefix: str) -> str:
    """``text`` with ``\\label``s and references to the given labels prefixed."""

    def one(label: str) -> str:
        return prefixed_label(label, prefix) if label in labels else label

    text = LABEL_RE.sub(lambda m: f"\\label{{{one(m[1])}}}", text)
    text = REF_RE.sub(
        lambda m: (
            f"\\{m['cmd']}{m['star']}{{"
            + ",".join(one(x.strip()) for x in m["labels"].split(","))
            + "}"
        ),
        text,
    )
    return _HYPERREF_RE.sub(lambda m: f"\\hyperref[{one(m['label'])}]", text)


_CAPTION_CMD_RE = re.compile(r"\\caption(?:of\{(?:table|figure)\})?(?![*@a-zA-Z])")
_HTML_CAPTION_OPEN_RE = re.compile(r"<caption\b[^>]*>")
_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]$^~])")


def _group_end(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """Index just after the group opened at ``text[start]`` (nested groups counted)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "\\":
            continue
        if text[i] == open_ and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif text[i] == close and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError(f"unbalanced {open_}{close} in {text[start : start + 80]!r}")


def _names(text: str, instrument: str) -> bool:
    return re.search(rf"(?<![\w^]){re.escape(instrument)}(?![\w])", text) is not None


def caption_with_instrument(text: str, instrument: str, kind: str = "markdown") -> str:
    """``text`` with every caption it holds starting ``"<instrument>: "``.

    ``kind`` says what ``text`` is: ``"markdown"`` (a caption itself), ``"latex"`` (the short and
    long caption of every ``\\caption`` / ``\\captionof{table}``; the starred "continued"
    captions are left alone) or ``"html"`` (every ``<caption>``). A caption that already names
    the instrument is kept as it is.
    """
    if not instrument:
        return text
    if kind == "markdown":
        if _names(text, instrument):
            return text
        return _MD_SPECIAL_RE.sub(r"\\\1", instrument) + ": " + text
    if kind == "html":
        out, last = [], 0
        for match in _HTML_CAPTION_OPEN_RE.finditer(text):
            close = text.find("</caption>", match.end())
            body = text[match.end() : close if close >= 0 else len(text)]
            out.append(text[last : match.end()])
            if not _names(body, instrument):
                out.append(html.escape(instrument, quote=False) + ": ")
            last = match.end()
        return "".join(out) + text[last:]
    if kind != "latex":
        raise ValueError(f"kind must be 'markdown', 'latex' or 'html'; got {kind!r}")
    prefix = tables.latex_escape(instrument) + ": "
    out, last = [], 0
    for match in _CAPTION_CMD_RE.finditer(text):
        i = match.end()
        groups = []  # (start, end) of the text of the short and the long caption
        if i < len(text) and text[i] == "[":
            if text[i + 1 : i + 2] == "{":
                end = _group_end(text, i + 1)
                groups.append((i + 2, end - 1))
                i = end + 1  # past "}]"
            else:
                end = text.index("]", i)
                groups.append((i + 1, end))
                i = end + 1
        if i >= len(text) or text[i] != "{":
            continue
        end = _group_end(text, i)
        groups.append((i + 1, end - 1))
        if _names(text[groups[-1][0] : groups[-1][1]], tables.latex_escape(instrument)):
            continue
        for start, _ in groups:
            out.append(text[last:start])
            out.append(prefix)
            last = start
    return "".join(out) + text[last:]


class LabelPrefixPreprocessor(ThesisPreprocessor):
    """Make the labels of a notebook that is included more than once unique; name the instrument.

    Every label the notebook defines (``label`` in cell metadata, ``\\label{...}`` in Markdown or
    in a ``text/latex`` output) gets :attr:`prefix` after its kind (:func:`prefixed_label`), and
    every reference to such a label in Markdown, captions and LaTeX or Markdown outputs is
    rewritten to match. References to labels defined elsewhere (the theory chapter's
    equations) are kept.

    Every caption (cell metadata, the LaTeX and HTML of table outputs) starts with
    :attr:`instrument` (default: the prefix), ``"KO: Forecast accuracy ..."``, in the lists of
    tables and figures too (:func:`caption_with_instrument`); a figure's short caption is set
    in the cell's metadata (``short_caption``) for :class:`CaptionPreprocessor`.
    """

    prefix = Unicode(help="prefix put after the label's kind, e.g. the ticker").tag(config=True)
    instrument = Unicode(
        help="instrument named at the start of every caption; default the prefix, '' for none"
    ).tag(config=True)

    @default("instrument")
    def _instrument_default(self) -> str:
        return self.prefix

    def preprocess(self, nb, resources):
        """Prefix the local labels of ``nb`` and name the instrument in its captions."""
        if self.instrument:
            for cell in nb.cells:
                self._name_instrument(cell)
        if not self.prefix:
            return nb, resources
        local: set[str] = set()
        for cell in nb.cells:
            if cell.metadata.get("label"):
                local.add(str(cell.metadata["label"]))
            if cell.cell_type == "markdown":
                local.update(LABEL_RE.findall(cell.source))
            for output in cell.get("outputs", []):
                local.update(LABEL_RE.findall(output.get("data", {}).get("text/latex", "")))
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

    def _name_instrument(self, cell) -> None:
        caption = cell.metadata.get("caption")
        if isinstance(caption, str) and caption:
            short = str(cell.metadata.get("short_caption") or tables.short_caption(caption))
            cell.metadata["caption"] = caption_with_instrument(caption, self.instrument)
            cell.metadata["short_caption"] = caption_with_instrument(short, self.instrument)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if isinstance(data.get("text/latex"), str):
                data["text/latex"] = caption_with_instrument(
                    data["text/latex"], self.instrument, "latex"
                )
            if isinstance(data.get("text/html"), str):
                data["text/html"] = caption_with_instrument(
                    data["text/html"], self.instrument, "html"
                )
