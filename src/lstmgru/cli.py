"""Command line: ``python -m lstmgru {data,run,report,bench}``.

``data list`` prints the tickers of the offline sources; ``data show TICKER`` prints span, rows,
missing values and the SHA-256 of a series. ``run`` executes the experiment notebooks over tickers
(see :mod:`lstmgru.runner` and ``docs/runner.md``), ``report`` builds the PDF (see :mod:`lstmgru.report`), ``bench``
runs the speed benchmarks.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from lstmgru import data

__all__ = ["build_parser", "main"]


def _data_list(args: argparse.Namespace) -> int:
    for source in ("skfolio", "arch"):
        print(f"{source}: {', '.join(data.available_tickers(source))}")
    print("csv: any file (python -m lstmgru data show LABEL --source csv --path FILE ...)")
    print("yfinance: any Yahoo ticker (online, optional extra 'online')")
    return 0


def _data_show(args: argparse.Namespace) -> int:
    options = {}
    if args.source == "csv":
        options = {
            "path": args.path,
            "date_column": args.date_column,
            "close_column": args.close_column,
            "open_column": args.open_column,
            "high_column": args.high_column,
            "low_column": args.low_column,
            "volume_column": args.volume_column,
            "date_format": args.date_format,
            "encoding": args.encoding,
            "sep": "\t" if args.sep in ("\\t", "tab") else args.sep,
            "thousands": args.thousands,
            "decimal": args.decimal,
        }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", data.DataWarning)
        frame = data.load_prices(
            args.source,
            args.ticker,
            args.start,
            args.end,
            max_gap=args.max_gap,
            suspicious=args.suspicious,
            **options,
        )
    for warning in caught:
        if issubclass(warning.category, data.DataWarning):
            print(f"warning: {warning.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    info = data.describe(frame)
    width = max(len(k) for k in info)
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    root = Path(__file__).resolve().parents[2] / "benchmarks"
    scripts = sorted(p for p in root.glob("[a-z]*.py"))
    if args.names:
        scripts = [p for p in scripts if p.stem in args.names]
    if not scripts:
        print(f"no benchmark scripts found in {root}", file=sys.stderr)
        return 2
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        extra = ["--quick"] if args.quick else []
        code = subprocess.call([sys.executable, str(script), *extra])
        if code:
            return code
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m lstmgru``."""
    from lstmgru import runner
    from lstmgru.report import cli as report

    parser = argparse.ArgumentParser(prog="python -m lstmgru", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    data_parser = sub.add_parser("data", help="list or inspect the available data")
    data_sub = data_parser.add_subparsers(dest="data_command", required=True)
    data_sub.add_parser("list", help="tickers of each offline source").set_defaults(func=_data_list)
    show = data_sub.add_parser("show", help="span, rows, missing values and SHA-256 of a series")
    show.add_argument("ticker")
    show.add_argument("--source", default="skfolio")
    show.add_argument("--start")
    show.add_argument("--end")
    show.add_argument("--path", help="CSV file (source csv)")
    show.add_argument("--date-column", default="date", help="CSV column of the dates")
    show.add_argument("--close-column", default="close", help="CSV column of the price")
    for role in ("open", "high", "low", "volume"):
        show.add_argument(f"--{role}-column", help=f"CSV column of the {role} (optional)")
    show.add_argument(
        "--date-format",
        help="strftime format of the CSV dates, e.g. %%d/%%m/%%Y (default: inferred)",
    )
    show.add_argument("--encoding", default="utf-8", help="CSV text encoding, e.g. gbk")
    show.add_argument("--sep", default=",", help="CSV field separator, e.g. ';' or tab")
    show.add_argument("--thousands", help="thousands mark in CSV numbers, e.g. ',' (default: none)")
    show.add_argument("--decimal", default=".", help="decimal mark of CSV numbers, e.g. ','")
    show.add_argument(
        "--max-gap", type=int, default=5, help="longest run of missing closes forward-filled"
    )
    show.add_argument(
        "--suspicious",
        default="warn",
        choices=data.SUSPICIOUS,
        help=f"daily jumps of the close above |log return| {data.JUMP_THRESHOLD}, or non-daily "
        "timestamps: warn (default) or reject",
    )
    show.set_defaults(func=_data_show)

    run = sub.add_parser("run", help="run the experiment notebooks over tickers (papermill)")
    runner.add_arguments(run)
    run.set_defaults(func=runner.main)

    rep = sub.add_parser("report", help="build report/build/thesis.pdf from a run")
    report.add_arguments(rep)
    rep.set_defaults(func=report.main)

    bench = sub.add_parser("bench", help="run the speed benchmarks (results in benchmarks/)")
    bench.add_argument("names", nargs="*", help="benchmark names (default: all)")
    bench.add_argument("--quick", action="store_true", help="toy size (smoke test)")
    bench.set_defaults(func=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:  # validation errors name the fix; no traceback for them
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
