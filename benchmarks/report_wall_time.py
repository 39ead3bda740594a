"""Wall time of the two steps of ``make report`` on the quick and the default profile.

Each profile runs from an empty output folder, as ``make report`` does on a fresh clone once
the environment is installed: ``python -m lstmgru run`` over the default tickers (every notebook
executed by papermill), then ``python -m lstmgru report`` (HTML pages, LaTeX, PDF, figures).
Installation is not timed (it is a one-off, see the README).

Writes ``benchmarks/results/report_wall_time.json`` and ``.md``. ``--quick`` times the quick
profile only and writes into ``--output`` (default: the results folder).

Usage::

    python benchmarks/report_wall_time.py [--quick] [--tickers AAPL KO XOM] [--jobs 1]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, markdown_table, parser, versions, write_results

DEFAULT_TICKERS = ("AAPL", "KO", "XOM")


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(profile: str, tickers: tuple[str, ...], jobs: int) -> dict[str, object]:
    """Run both steps of ``make report`` for one profile into a fresh folder; seconds each."""
    with tempfile.TemporaryDirectory(prefix=f"report-{profile}-") as folder:
        runs, build, figures = Path(folder, "runs"), Path(folder, "build"), Path(folder, "fig")
        lstmgru = [sys.executable, "-m", "lstmgru"]
        run_s = _timed(
            [
                *lstmgru,
                "run",
                "--tickers",
                *tickers,
                "--profile",
                profile,
                "--jobs",
                str(jobs),
                "--output",
                str(runs),
                "--no-progress",
            ]
        )
        report_s = _timed(
            [
                *lstmgru,
                "report",
                "--runs",
                str(runs),
                "--output",
                str(build),
                "--figures",
                str(figures),
            ]
        )
        pages = subprocess.run(
            ["pdfinfo", str(build / "thesis.pdf")], capture_output=True, text=True, check=True
        ).stdout
        n_pages = next(int(x.split()[-1]) for x in pages.splitlines() if x.startswith("Pages:"))
    return {
        "profile": profile,
        "tickers": list(tickers),
        "jobs": jobs,
        "run_s": round(run_s, 1),
        "report_s": round(report_s, 1),
        "total_s": round(run_s + report_s, 1),
        "pages": n_pages,
    }


def main(argv: list[str] | None = None) -> int:
    """Time the profiles; write the result files."""
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--tickers", nargs="+", default=list(DEFAULT_TICKERS))
    p.add_argument("--jobs", type=int, default=1)
    args = p.parse_args(argv)
    profiles = ["quick"] if args.quick else ["quick", "default"]
    record: dict[str, object] = {
        "benchmark": "report_wall_time",
        "description": (
            "Wall time of `make report` after installation: the runner over the tickers "
            "(papermill) and the report build (nbconvert, latexmk), from an empty output folder."
        ),
        "quick": args.quick,
        "machine": machine(),
        "versions": versions(["lstmgru", "tensorflow", "keras", "statsmodels", "papermill"]),
        "results": [measure(profile, tuple(args.tickers), args.jobs) for profile in profiles],
    }
    keys = ("profile", "tickers", "jobs", "run_s", "report_s", "total_s", "pages")
    rows = [[" ".join(r[k]) if k == "tickers" else r[k] for k in keys] for r in record["results"]]
    table = markdown_table(
        ["profile", "tickers", "jobs", "run s", "report s", "total s", "PDF pages"], rows
    )
    write_results(args.output, "report_wall_time", record, table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
