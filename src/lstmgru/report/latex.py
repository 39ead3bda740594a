"""Compile the thesis with latexmk (xelatex, bibtex) and read what LaTeX reported."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LatexLogSummary",
    "ReportBuildError",
    "check_citations",
    "compile_thesis",
    "parse_latex_log",
]


class ReportBuildError(RuntimeError):
    """The report could not be built (LaTeX failed, or the run has nothing to report)."""


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


def compile_thesis(build: Path, timeout: int = 900) -> Path:
    """latexmk + xelatex + bibtex on ``thesis.tex`` in ``build``; return the PDF.

    Raises
    ------
    ReportBuildError
        A tool is missing, latexmk timed out or failed; the message holds the first error and
        the end of the log.
    """
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
    return pdf


def pdf_pages(pdf: Path) -> int | None:
    """Number of pages of ``pdf`` (poppler's ``pdfinfo``), ``None`` when unknown."""
    if shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    return int(match[1]) if match else None


def check_citations(texts: Iterable[str], bib: Path) -> None:
    """Raise ValueError naming every cited key of ``texts`` that ``bib`` does not define."""
    keys = set()
    if bib.is_file():
        keys = set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(encoding="utf-8")))
    cited = set()
    for text in texts:
        for group in re.findall(r"\\cite[tp]?\*?(?:\[[^\]]*\])*\{([^}]*)\}", text):
            cited.update(k.strip() for k in group.split(",") if k.strip())
    unknown = sorted(cited - keys)
    if unknown:
        raise ValueError(
            f"citation key(s) {', '.join(unknown)} not in {bib}; add the entries there or fix "
            "the data-cite attribute in the notebook"
        )
