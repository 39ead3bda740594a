"""Wall time of the experiment runner over 1, 2 and 4 tickers, one and two jobs at a time.

Runs :func:`lstmgru.runner.run_pipeline` on the quick profile with two model lists: the cheap
baselines (random walk and drift, which show the runner's own overhead: kernel start, data,
evaluation, writing results) and the profile's full list (networks and ARIMA). Only the
experiment and comparison notebooks are executed (the chapters 01 and 02 cost the same for any
number of tickers). Each measurement starts from an empty output folder; the last line measures
a rerun of the largest case, where every ticker is skipped.

Writes ``benchmarks/results/runner_scaling.json`` and ``.md`` (with the machine it ran on).
``--quick`` measures one ticker with the cheap models and prints the table only.

Usage::

    python benchmarks/runner_scaling.py [--quick] [--counts 1 2 4] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from lstmgru import runner, runs

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TICKERS = ("KO", "XOM", "AAPL", "MSFT")
MODEL_LISTS = {"cheap": "random_walk,drift", "full": None}


def machine() -> dict[str, object]:
    """Processor, cores, memory, load and the versions that matter for the timings."""
    info: dict[str, object] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores_usable": runner.cpu_count(),
        "cores_total": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["processor"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
        info["load_average_at_start"] = os.getloadavg()
    except OSError:
        pass
    for name in ("lstmgru", "papermill", "nbclient", "jupyter_client", "tensorflow", "keras"):
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    return info


def measure(
    notebooks: Path, tickers: tuple[str, ...], models: str | None, jobs: int
) -> dict[str, object]:
    """One runner call on a fresh output folder, then a rerun there (every ticker skipped)."""
    with tempfile.TemporaryDirectory(prefix="runner-scaling-") as output:

        def call() -> runner.RunSummary:
            return runner.run_pipeline(
                list(tickers),
                profile="quick",
                models=models,
                jobs=jobs,
                output=output,
                notebook_dir=notebooks,
                progress=False,
            )

        started = time.perf_counter()
        summary = call()
        wall = time.perf_counter() - started
        per_ticker = [summary.wall_times[t] for t in summary.done]
        rerun_started = time.perf_counter()
        again = call()
        rerun = time.perf_counter() - rerun_started
    first_failure = next(iter(summary.failures.values()), None)
    return {
        "tickers": len(tickers),
        "jobs": jobs,
        "wall_s": round(wall, 2),
        "mean_ticker_notebook_s": round(sum(per_ticker) / len(per_ticker), 2)
        if per_ticker
        else None,
        "comparison_s": round(summary.wall_times.get(runs.COMPARISON_NOTEBOOK, 0.0), 2),
        "rerun_s": round(rerun, 2),
        "rerun_skipped": len(again.skipped),
        "done": len(summary.done),
        "failed": len(summary.failures),
        "first_failure": first_failure,
    }


def markdown(report: dict[str, object]) -> str:
    """The results as a Markdown table with the machine underneath."""
    lines = [
        "# Runner scaling (quick profile)",
        "",
        f"Created {report['created']}. Notebooks per run: one `03_experiment` per ticker and "
        "`04_comparison`; wall time of a fresh run and of a rerun (every ticker skipped).",
        "",
        "| models | tickers | jobs | wall (s) | per ticker notebook (s) | 04 (s) | rerun (s) "
        "| done | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["results"]:
        lines.append(
            f"| {row['models']} | {row['tickers']} | {row['jobs']} | {row['wall_s']} | "
            f"{row['mean_ticker_notebook_s']} | {row['comparison_s']} | {row['rerun_s']} | "
            f"{row['done']} | {row['failed']} |"
        )
    failures = {r["models"]: r["first_failure"] for r in report["results"] if r["first_failure"]}
    if failures:
        lines += ["", "First failure per model list:", ""]
        lines += [f"- {name}: {message}" for name, message in failures.items()]
    lines += ["", "Machine:", ""]
    lines += [f"- {key}: {value}" for key, value in report["machine"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the measurements; write (or, with ``--quick``, print) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one ticker, cheap models, print")
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", choices=list(MODEL_LISTS), default=["cheap", "full"])
    args = parser.parse_args(argv)
    counts, jobs, model_lists = args.counts, args.jobs, args.models
    if args.quick:
        counts, jobs, model_lists = [1], [1], ["cheap"]
    if max(counts) > len(TICKERS):
        parser.error(f"at most {len(TICKERS)} tickers")
    report: dict[str, object] = {
        "benchmark": "runner_scaling",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "profile": "quick",
        "machine": machine(),
        "results": [],
    }
    with tempfile.TemporaryDirectory(prefix="runner-notebooks-") as folder:
        notebooks = Path(folder)
        for name in (runs.EXPERIMENT_NOTEBOOK, runs.COMPARISON_NOTEBOOK):
            (notebooks / name).symlink_to(runs.NOTEBOOK_DIR / name)
        measure(notebooks, TICKERS[:1], MODEL_LISTS["cheap"], 1)  # warm-up: imports, data caches
        for name in model_lists:
            for count in counts:
                for n_jobs in jobs:
                    row = measure(notebooks, TICKERS[:count], MODEL_LISTS[name], n_jobs)
                    row = {"models": name, **row}
                    report["results"].append(row)
                    print(json.dumps(row), flush=True)
    text = markdown(report)
    if args.quick:
        print(text)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "runner_scaling.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "runner_scaling.md").write_text(text)
    print(text)
    print(f"results written to {RESULTS / 'runner_scaling.json'} and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
