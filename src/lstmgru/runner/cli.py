"""``python -m lstmgru run``: the runner's command line (manual: ``docs/runner.md``).

Exit codes: 0 when every notebook ran, 1 when any failed, 2 for invalid arguments (nothing is
executed, the message names the fix) and 130 when interrupted.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from lstmgru.runner.plan import EXECUTORS, notebook_parameters
from lstmgru.runner.run import run_pipeline
from lstmgru.runs import DEFAULT_OUTPUT, EXPERIMENT_NOTEBOOK, NOTEBOOK_DIR

__all__ = ["add_arguments", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``python -m lstmgru run`` to ``parser``."""
    parser.add_argument(
        "--tickers",
        nargs="+",
        required=True,
        metavar="TICKER",
        help="see: python -m lstmgru data list",
    )
    parser.add_argument("--source", default="skfolio", help="skfolio | arch | csv | yfinance")
    parser.add_argument("--profile", default="default", help="quick | default | full")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks at once (default 1)")
    parser.add_argument("--start", help="first date, YYYY-MM-DD (default: the profile's)")
    parser.add_argument("--end", help="last date, YYYY-MM-DD (default: the profile's)")
    parser.add_argument(
        "--models", nargs="+", metavar="MODEL", help="model names, comma- or space-separated"
    )
    parser.add_argument("--seeds", type=int, dest="n_seeds", metavar="N", help="network seeds")
    parser.add_argument("--epochs", type=int, metavar="N", help="maximum training epochs")
    parser.add_argument("--force", action="store_true", help="rerun up-to-date results too")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="parent of run folders")
    parser.add_argument("--run-id", help="run folder name (default: from the configuration)")
    parser.add_argument("--csv-dir", help="source csv: ticker T is read from CSV_DIR/T.csv")
    parser.add_argument(
        "--notebook-dir",
        metavar="DIR",
        help="folder of the notebooks to execute (default: the repository's notebooks/); a "
        "chapter notebook missing there is skipped",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="another parameter of 03_experiment, e.g. -p target price",
    )
    parser.add_argument("--executor", default="local", choices=EXECUTORS, help="where to run")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _convert(name: str, text: str, declared: str | None) -> Any:
    """A command-line value converted to the type the notebook declares."""
    if declared == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"parameter {name!r} must be an integer, got {text!r}") from None
    if declared == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"parameter {name!r} must be a number, got {text!r}") from None
    if declared == "bool":
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(f"parameter {name!r} must be true or false, got {text!r}")
    return text


def _configure_logging() -> None:
    log = logging.getLogger("lstmgru")
    if not any(getattr(h, "_lstmgru_cli", False) for h in log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._lstmgru_cli = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)


def main(args: argparse.Namespace) -> int:
    """Run ``python -m lstmgru run``; return the exit code (see the module notes)."""
    _configure_logging()
    notebooks = Path(args.notebook_dir) if args.notebook_dir else NOTEBOOK_DIR
    experiment = notebooks / EXPERIMENT_NOTEBOOK
    declared = notebook_parameters(experiment) if experiment.is_file() else {}
    parameters = {
        name: _convert(name, text, declared.get(name, {}).get("inferred_type_name"))
        for name, text in args.parameter
    }
    models = ",".join(args.models) if args.models else None
    try:
        summary = run_pipeline(
            args.tickers,
            source=args.source,
            profile=args.profile,
            output=args.output,
            jobs=args.jobs,
            force=args.force,
            start=args.start,
            end=args.end,
            models=models,
            n_seeds=args.n_seeds,
            epochs=args.epochs,
            executor=args.executor,
            scheduler=args.scheduler,
            progress=not args.no_progress,
            run_id=args.run_id,
            parameters=parameters,
            csv_dir=args.csv_dir,
            notebook_dir=notebooks,
        )
    except KeyboardInterrupt:
        return 130
    return summary.exit_code
