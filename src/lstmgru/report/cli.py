"""``python -m lstmgru report``: build the PDF and the HTML pages of a run."""

from __future__ import annotations

import argparse
import logging
import sys

from lstmgru import runs
from lstmgru.report.build import build_report, export_figures
from lstmgru.report.latex import ReportBuildError
from lstmgru.report.paths import DEFAULT_FIGURES, DEFAULT_OUTPUT, RunNotebooks

__all__ = ["add_arguments", "main"]

logger = logging.getLogger("lstmgru.report")


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
        default=str(runs.DEFAULT_OUTPUT),
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
    """Run ``python -m lstmgru report``; returns the exit code.

    0: built; 1: LaTeX failed; 2 (from :func:`lstmgru.cli.main`): no such run, a stale run or
    another error that names its fix (a ``ValueError``).
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        run_dir = runs.resolve_run_dir(args.run or "", args.runs)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from exc
    try:
        result = build_report(run_dir, args.output, html=True, pdf=not args.html_only)
    except ReportBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    figures = export_figures(RunNotebooks.load(run_dir), args.figures)
    if figures:
        logger.info("report: %d figure files (PDF and PNG) in %s", len(figures), args.figures)
    print(result)
    return 0
