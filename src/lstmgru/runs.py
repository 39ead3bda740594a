"""The layout of a run directory and of one ticker's results, read and written safely.

A result directory holds ``forecasts.csv`` (actual, previous close and each model's price
forecast by date), ``metrics.csv`` (the comparison table), ``seed_scores.csv`` (networks seed by
seed, when any) and ``result.json`` (config, provenance, versions, wall times, model records),
written by :func:`write_results` and read by :func:`read_results`. One place answers "which results of this run are valid?" for the runner, the comparison
notebook and the report alike.

Layout
------
::

    <output>/<run_id>/
      run.json                 the run record (written atomically by the runner)
      .lock, .lock.holder      held by the one runner using the directory (filelock)
      <TICKER>/                one ticker's executed notebook and results
        forecasts.csv, metrics.csv, seed_scores.csv, result.json
        DONE                   the result key, written last and atomically
      .<TICKER>.previous/      a complete earlier result, kept while a rerun is in progress
      .<TICKER>.failed/        a failed rerun, when the earlier result was kept
      04_comparison.ipynb      the comparison over the tickers' results
    <output>/latest            the id of the latest run

A ticker's result is valid when its ``DONE`` marker holds the expected key *and* every required
result file is there. A rerun never deletes a complete result before its replacement is complete:
the earlier result waits in ``.<TICKER>.previous/`` and comes back when the rerun fails, is
interrupted or is killed (:func:`recover_previous`, called before anything else on the next run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "COMPARISON_NOTEBOOK",
    "DATA_NOTEBOOK",
    "DONE",
    "ERROR_FILE",
    "EXPERIMENT_NOTEBOOK",
    "KERNEL_LOG",
    "LATEST",
    "LEAKAGE_NOTEBOOK",
    "LOCK_FILE",
    "NOTEBOOK_DIR",
    "REQUIRED_RESULT_FILES",
    "RESULT_FILES",
    "RUN_RECORD",
    "THEORY_NOTEBOOK",
    "RunBusyError",
    "RunRecord",
    "StaleRunError",
    "StoredResult",
    "comparison_inputs",
    "comparison_problem",
    "environment_versions",
    "load_run",
    "read_done",
    "read_json",
    "read_results",
    "recover_previous",
    "resolve_run_dir",
    "result_problem",
    "run_lock",
    "set_aside",
    "write_results",
    "write_text_atomic",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
DEFAULT_OUTPUT = Path("build/runs")

THEORY_NOTEBOOK = "01_equations.ipynb"
DATA_NOTEBOOK = "02_data.ipynb"
EXPERIMENT_NOTEBOOK = "03_experiment.ipynb"

RUN_RECORD = "run.json"
LATEST = "latest"
DONE = "DONE"
ERROR_FILE = "error.txt"
KERNEL_LOG = "kernel.log"
LOCK_FILE = ".lock"
HOLDER_FILE = ".lock.holder"
COMPARISON_NOTEBOOK = "04_comparison.ipynb"
#: The leakage chapter, executed once per run after the tickers (its ablation reads them).
LEAKAGE_NOTEBOOK = "05_leakage.ipynb"
#: Files a finished ticker must hold besides ``DONE``.
REQUIRED_RESULT_FILES = ("forecasts.csv", "metrics.csv", "result.json")
#: Files whose content the comparison chapter is computed from.
RESULT_FILES = ("forecasts.csv", "metrics.csv", "seed_scores.csv", "result.json")


class RunBusyError(ValueError):
    """Another runner holds the run directory."""


class StaleRunError(ValueError):
    """A run's files disagree with each other (e.g. a comparison older than its results)."""


# ----------------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------------


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A JSON object from ``path``; ``{}`` when the file is missing or unreadable."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def now() -> str:
    """The local time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


# ----------------------------------------------------------------------------------------------
# One ticker's result files (written by the experiment notebook)
# ----------------------------------------------------------------------------------------------


VERSIONED = (
    "lstmgru",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "arch",
    "tensorflow",
    "keras",
    "matplotlib",
    "papermill",
    "nbconvert",
    "skfolio",
)


def environment_versions() -> dict[str, str]:
    """Python, platform and installed versions of the packages that shape the numbers."""
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def write_results(
    directory: str | Path,
    *,
    forecasts: pd.DataFrame,
    metrics: pd.DataFrame,
    record: dict[str, Any],
    seed_scores: pd.DataFrame | None = None,
) -> Path:
    """Write one experiment's results into ``directory`` (created if needed); return it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    forecasts.to_csv(directory / "forecasts.csv", index_label="date")
    metrics.to_csv(directory / "metrics.csv", index_label="model")
    if seed_scores is not None and not seed_scores.empty:
        seed_scores.to_csv(directory / "seed_scores.csv", index=False)
    payload = {**record, "versions": environment_versions()}
    (directory / "result.json").write_text(
        json.dumps(_jsonable(payload), indent=2, allow_nan=False), encoding="utf-8"
    )
    return directory


@dataclass(frozen=True)
class StoredResult:
    """Results of one experiment read back from disk."""

    directory: Path
    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    record: dict[str, Any]
    seed_scores: pd.DataFrame | None

    @property
    def ticker(self) -> str:
        return str(self.record["provenance"]["ticker"])


def read_results(directory: str | Path) -> StoredResult:
    """Read what :func:`write_results` wrote."""
    directory = Path(directory)
    missing = [n for n in REQUIRED_RESULT_FILES if not (directory / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{directory} is not a complete result: missing {missing}")
    seeds = directory / "seed_scores.csv"
    return StoredResult(
        directory=directory,
        forecasts=pd.read_csv(directory / "forecasts.csv", index_col="date", parse_dates=True),
        metrics=pd.read_csv(directory / "metrics.csv", index_col="model"),
        record=json.loads((directory / "result.json").read_text(encoding="utf-8")),
        seed_scores=pd.read_csv(seeds) if seeds.is_file() else None,
    )


# ----------------------------------------------------------------------------------------------
# One ticker's result
# ----------------------------------------------------------------------------------------------


def read_done(ticker_dir: str | os.PathLike[str]) -> str | None:
    """The key in a ticker directory's ``DONE`` marker, or ``None`` when there is none."""
    try:
        return (Path(ticker_dir) / DONE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None


def result_problem(ticker_dir: str | os.PathLike[str], key: str | None = None) -> str | None:
    """Why ``ticker_dir`` holds no valid result (for ``key`` when given); ``None`` if it does."""
    ticker_dir = Path(ticker_dir)
    done = read_done(ticker_dir)
    if done is None:
        return "no DONE marker (not finished)"
    if key is not None and done != key:
        return f"its result has key {done}, not {key} (computed from other inputs or code)"
    missing = [n for n in REQUIRED_RESULT_FILES if not (ticker_dir / n).is_file()]
    if missing:
        return f"DONE but {', '.join(missing)} missing"
    return None


def results_digest(ticker_dir: str | os.PathLike[str]) -> str:
    """SHA-256 over a ticker's result files (the inputs of the comparison chapter), 16 hex digits."""
    digest = hashlib.sha256()
    for name in RESULT_FILES:
        path = Path(ticker_dir) / name
        digest.update(name.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _aside(ticker_dir: Path, what: str) -> Path:
    return ticker_dir.parent / f".{ticker_dir.name}.{what}"


def set_aside(ticker_dir: str | os.PathLike[str]) -> Path | None:
    """Move a complete result out of the way of a rerun; empty the directory otherwise.

    Returns the folder holding the earlier result (``.<TICKER>.previous``), or ``None`` when
    there was no complete result to keep. ``ticker_dir`` exists and is empty afterwards.
    """
    ticker_dir = Path(ticker_dir)
    previous = _aside(ticker_dir, "previous")
    kept: Path | None = None
    if ticker_dir.is_dir() and result_problem(ticker_dir) is None:
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(ticker_dir, previous)
        kept = previous
    elif previous.is_dir():
        kept = previous  # an earlier rerun was killed; recover_previous() was not called
    shutil.rmtree(ticker_dir, ignore_errors=True)
    ticker_dir.mkdir(parents=True, exist_ok=True)
    return kept


def keep_new(ticker_dir: str | os.PathLike[str]) -> None:
    """The rerun finished: drop the earlier result and any earlier failed attempt."""
    ticker_dir = Path(ticker_dir)
    shutil.rmtree(_aside(ticker_dir, "previous"), ignore_errors=True)
    shutil.rmtree(_aside(ticker_dir, "failed"), ignore_errors=True)


def restore_previous(ticker_dir: str | os.PathLike[str]) -> Path | None:
    """The rerun failed: put the earlier result back; the attempt goes to ``.<TICKER>.failed``.

    Returns where the failed attempt now is, or ``None`` when there was nothing to restore
    (the failed attempt then stays in ``ticker_dir``).
    """
    ticker_dir = Path(ticker_dir)
    previous = _aside(ticker_dir, "previous")
    if not previous.is_dir():
        return None
    failed = _aside(ticker_dir, "failed")
    shutil.rmtree(failed, ignore_errors=True)
    if ticker_dir.exists():
        os.replace(ticker_dir, failed)
    os.replace(previous, ticker_dir)
    return failed


def recover_previous(ticker_dir: str | os.PathLike[str]) -> bool:
    """After a killed rerun: put back an earlier result that waited aside. True if it did."""
    ticker_dir = Path(ticker_dir)
    previous = _aside(ticker_dir, "previous")
    if not previous.is_dir():
        return False
    if result_problem(ticker_dir) is None:  # the rerun had finished; the aside copy is old
        shutil.rmtree(previous, ignore_errors=True)
        return False
    return restore_previous(ticker_dir) is not None


# ----------------------------------------------------------------------------------------------
# The lock of a run directory
# ----------------------------------------------------------------------------------------------


@contextmanager
def run_lock(run_dir: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the run directory for one runner; another one gets :class:`RunBusyError`.

    The lock is an operating-system lock (``filelock``) on ``<run_dir>/.lock``: it is released
    when the holder exits, however it exits, so a killed runner leaves no lock that blocks the
    next one. ``.lock.holder`` names the holder for the error message of the others.
    """
    from filelock import FileLock, Timeout

    run_dir = Path(run_dir)
    lock = FileLock(run_dir / LOCK_FILE, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        holder = read_json(run_dir / HOLDER_FILE)
        raise RunBusyError(
            f"run directory {run_dir} is in use by process {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')} (since {holder.get('since', '?')}); wait for it to "
            "finish, or pass another run_id"
        ) from None
    try:
        me = {"pid": os.getpid(), "host": socket.gethostname(), "since": now()}
        write_text_atomic(run_dir / HOLDER_FILE, json.dumps(me))
        yield
    finally:
        (run_dir / HOLDER_FILE).unlink(missing_ok=True)
        lock.release()


def lock_is_held(run_dir: str | os.PathLike[str]) -> bool:
    """Whether some runner holds the run directory now."""
    from filelock import FileLock, Timeout

    lock = FileLock(Path(run_dir) / LOCK_FILE, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


# ----------------------------------------------------------------------------------------------
# Reading a run
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRecord:
    """A run directory read back: its record and the results of its finished tickers.

    Attributes
    ----------
    run_dir : pathlib.Path
    record : dict
        The content of ``run.json``.
    results : dict of str to StoredResult
        Finished tickers, in the run's ticker order.
    unfinished : dict of str to str
        The other tickers of the run and why (``failed``, ``pending``, a missing file, ...).
    """

    run_dir: Path
    record: dict[str, Any]
    results: dict[str, StoredResult]
    unfinished: dict[str, str]

    @property
    def tickers(self) -> tuple[str, ...]:
        """Finished tickers."""
        return tuple(self.results)

    def ticker_dir(self, ticker: str) -> Path:
        """The directory of one ticker of the run."""
        entry = self.record.get("ticker_status", {}).get(ticker, {})
        return self.run_dir / str(entry.get("dir") or ticker)


def resolve_run_dir(run_dir: str | Path = "", output: str | Path = DEFAULT_OUTPUT) -> Path:
    """The run directory ``run_dir`` (a path or a run id under ``output``), or the latest run.

    Relative paths are taken from the working directory, then from the repository root.

    Raises
    ------
    FileNotFoundError
        No such run, or no run at all yet; the message says what to run.
    """
    output = Path(output)
    if not output.is_absolute() and not output.exists() and (PROJECT_ROOT / output).exists():
        output = PROJECT_ROOT / output
    if run_dir:
        path = Path(run_dir)
        candidates = [path, PROJECT_ROOT / path, output / str(run_dir)]
        for candidate in candidates if not path.is_absolute() else [path]:
            if (candidate / RUN_RECORD).is_file():
                return candidate.resolve()
        raise FileNotFoundError(
            f"{path} is not a run directory (no {RUN_RECORD}) nor a run id under {output}; "
            "run `python -m lstmgru run --tickers ...` first"
        )
    latest = output / LATEST
    if not latest.is_file():
        raise FileNotFoundError(
            f"no run found: {latest} does not exist; run `python -m lstmgru run --tickers ...` "
            "first, or name the run directory"
        )
    run_id = latest.read_text(encoding="utf-8").strip()
    if not (output / run_id / RUN_RECORD).is_file():
        raise FileNotFoundError(
            f"{latest} names run {run_id!r}, but {output / run_id} is not a run directory; "
            "run `python -m lstmgru run --tickers ...` again"
        )
    return (output / run_id).resolve()


def _entry_problem(run_dir: Path, entry: Mapping[str, Any]) -> str | None:
    status = entry.get("status", "pending")
    if status not in ("done", "skipped"):
        return str(status)
    return result_problem(run_dir / str(entry.get("dir")), entry.get("key"))


def finished_tickers(run_dir: Path, record: Mapping[str, Any]) -> dict[str, str | None]:
    """Each ticker of the record and why it has no valid result (``None``: it has one)."""
    status = record.get("ticker_status", {})
    return {
        str(t): _entry_problem(run_dir, {"dir": t, **status.get(t, {})})
        for t in record.get("tickers", [])
    }


def load_run(run_dir: str | Path = "", output: str | Path = DEFAULT_OUTPUT) -> RunRecord:
    """Read a run directory (default: the latest run) and its finished tickers' results.

    A ticker counts as finished when ``run.json`` gives it status ``done`` or ``skipped``, its
    ``DONE`` marker holds the recorded key and its result files are all there.
    """
    path = resolve_run_dir(run_dir, output)
    record = read_json(path / RUN_RECORD)
    results: dict[str, StoredResult] = {}
    unfinished: dict[str, str] = {}
    for ticker, problem in finished_tickers(path, record).items():
        if problem is None:
            entry = record.get("ticker_status", {}).get(ticker, {})
            results[ticker] = read_results(path / str(entry.get("dir") or ticker))
        else:
            unfinished[ticker] = problem
    return RunRecord(run_dir=path, record=record, results=results, unfinished=unfinished)


def comparison_inputs(run_dir: str | Path, tickers: Sequence[str]) -> list[list[str]]:
    """``[ticker, digest of its result files]`` for the tickers a comparison covers."""
    return [[str(t), results_digest(Path(run_dir) / str(t))] for t in tickers]


def comparison_problem(run: RunRecord) -> str | None:
    """Why the run's comparison chapter does not describe its tickers' current results.

    ``None`` when ``04_comparison.ipynb`` was executed over exactly the finished tickers, with
    the result files they hold now.
    """
    entry = run.record.get("notebooks", {}).get(Path(COMPARISON_NOTEBOOK).stem, {})
    if not (run.run_dir / COMPARISON_NOTEBOOK).is_file():
        return f"{COMPARISON_NOTEBOOK} is missing"
    if entry.get("status") not in ("done", "skipped"):
        return f"{COMPARISON_NOTEBOOK} has status {entry.get('status', 'unknown')!r}"
    recorded = {t: d for t, d in entry.get("inputs") or []}
    current = {t: results_digest(run.ticker_dir(t)) for t in run.tickers}  # finished tickers only
    changed = sorted(t for t in set(recorded) & set(current) if recorded[t] != current[t])
    lost = sorted(set(recorded) - set(current))
    new = sorted(set(current) - set(recorded))
    parts = []
    if lost:
        reasons = ", ".join(f"{t} ({run.unfinished.get(t, 'not in the run')})" for t in lost)
        parts.append(f"it covers tickers without a valid result now: {reasons}")
    if changed:
        parts.append(f"the results of {', '.join(changed)} changed after it ran")
    if new:
        parts.append(f"it does not cover {', '.join(new)}")
    return "; ".join(parts) or None
