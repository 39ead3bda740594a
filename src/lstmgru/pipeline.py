"""Papermill over tickers: a resumable, parallel, failure-tolerant experiment runner.

The runner executes the notebooks of ``notebooks/`` with papermill and the ``lstmgru`` Jupyter
kernel: the theory chapter ``01_equations`` and the data chapter ``02_data`` once per run, the
experiment ``03_experiment`` once per ticker, and ``04_comparison`` over every finished ticker.
It never imports TensorFlow; the networks train inside the notebook kernels.

Command line
------------
::

    python -m lstmgru run --tickers AAPL MSFT KO --source skfolio --profile default --jobs 2
    python -m lstmgru run --tickers KO XOM --profile quick --models random_walk,drift,arima
    python -m lstmgru run --tickers SH600519 --source csv --csv-dir data/ashares \\
        -p date_column 日期 -p close_column 收盘 -p encoding gbk
    python -m lstmgru run --tickers AAPL KO --executor dask --scheduler tcp://host:8786

Options: ``--start``/``--end`` (ISO dates), ``--models`` (comma-separated), ``--seeds N``,
``--epochs N``, ``--force`` (rerun even up-to-date results), ``--output DIR`` (default
``build/runs``), ``--run-id NAME``, ``--csv-dir DIR`` (source ``csv``: ticker ``T`` is the file
``DIR/T.csv``), ``-p NAME VALUE`` (any other parameter of ``03_experiment``, converted to the
type the notebook declares), ``--executor {local,dask}``, ``--scheduler ADDRESS``,
``--no-progress``. The exit code is 0 when every notebook ran, 1 when any failed, 2 for invalid
arguments (nothing is executed) and 130 when interrupted. From Python::

    from lstmgru.pipeline import run_pipeline
    summary = run_pipeline(["KO", "XOM"], profile="quick", jobs=2)
    summary.run_dir, summary.done, summary.failures, summary.exit_code

Papermill directly
------------------
Every notebook also runs on its own; its parameters cell holds plain typed literals, where
``""`` and ``0`` mean "the profile's value"::

    papermill notebooks/03_experiment.ipynb out.ipynb -p ticker KO -p profile quick -k lstmgru
    papermill notebooks/03_experiment.ipynb out.ipynb -p ticker KO -p results_dir build/KO \\
        -p models random_walk,drift,arima -p epochs 5 -k lstmgru
    papermill --help-notebook notebooks/03_experiment.ipynb   # every parameter, type, default
    papermill notebooks/04_comparison.ipynb out.ipynb -p run_dir build/runs/<run_id> -k lstmgru

Run layout
----------
::

    <output>/<run_id>/
      run.json                      run record (below)
      01_equations.ipynb            executed theory chapter (skipped, with a log line, if absent)
      02_data.ipynb                 executed data chapter (first ticker, same source and span)
      <TICKER>/03_experiment.ipynb  executed experiment notebook of one ticker
      <TICKER>/forecasts.csv, metrics.csv, seed_scores.csv, result.json
                                    written by the notebook (see lstmgru.results)
      <TICKER>/kernel.log           the kernel's own stderr/stdout (library log lines)
      <TICKER>/DONE                 completion marker holding the result key, written last
      <TICKER>/error.txt            on failure: cell, exception name, message and traceback
      04_comparison.ipynb           executed over every finished ticker
      <notebook>.kernel.log, <notebook>.error.txt   the same for the chapter notebooks
    <output>/latest                 the run_id of the latest run (written atomically)

``run.json`` holds ``run_id``, ``status`` (``running``, ``finished``, ``failed`` when any
notebook failed, ``interrupted``), ``tickers``, ``source``, ``profile``, ``parameters`` (the
notebook parameters shared by all tickers), ``config`` (the resolved experiment configuration,
ticker left out), ``csv_dir``, ``created`` (first run), ``started`` and ``finished`` (this
call), ``jobs``, ``executor``, ``scheduler``, ``threads_per_job``, ``ticker_status`` (per ticker: ``status`` -- ``done`` (executed now),
``skipped`` (an up-to-date earlier result), ``failed`` or ``pending`` --, ``key``,
``wall_s``, ``dir`` and ``error``), ``notebooks`` (the same for the chapter notebooks:
``done``, ``skipped``, ``failed``, ``missing``), ``versions`` and ``wall_s``. A ticker's result
is valid exactly when its status is ``done`` or ``skipped`` and its ``DONE`` file holds the key;
:func:`load_run` reads those.

Run id and resume
-----------------
By default the run id is ``<profile>-<source>-<hash8>``, where ``hash8`` is a hash of the
configuration as resolved by :meth:`lstmgru.config.ExperimentConfig.from_parameters` (profile
values included, the ticker left out) and of the extra parameters. Rerunning the same command
therefore reuses the same directory, and so does adding tickers to it; ``--run-id NAME``
chooses the directory explicitly. The run covers the tickers of the latest call (``run.json``
lists them); results of other tickers in the directory stay and are reused when named again. Each ticker's result is keyed by a hash of its resolved
configuration, its notebook parameters, the SHA-256 of its data, the experiment notebook and the
package's source code; a rerun skips every ticker whose ``DONE`` file holds the same key, so a
changed notebook or model reruns them (``--force`` reruns them regardless).
A notebook is executed in place in its ticker directory, and ``DONE`` is written last,
atomically: a run stopped by Ctrl-C (running kernels are stopped, queued notebooks cancelled,
``run.json`` says ``interrupted``), ``kill`` or a crash leaves no result that a rerun would
trust, and rerunning the same command completes it. A rerun of a finished ticker (``--force``,
or changed inputs) moves the earlier complete result to ``.<TICKER>.previous/`` and deletes it
only once the new one is complete; when the rerun fails or is interrupted the earlier result is
put back (the failed attempt is kept in ``.<TICKER>.failed/``), and after a kill the next run
puts it back before anything else. A ``DONE`` marker whose result files are missing is not
trusted: that ticker is executed again. The chapter notebooks are skipped in the same way when
their inputs are unchanged. One runner at a time may use a run directory: an operating-system
lock on ``.lock`` (``filelock``), released however the runner ends; ``.lock.holder`` names it.
The comparison records the digests of the results it was computed from, so that the report can
refuse a comparison that no longer matches them (see :mod:`lstmgru.runs`).

Failure isolation
-----------------
A ticker whose notebook fails (bad data, a diverging network, a dead kernel) does not stop the
others: its partly executed notebook and an ``error.txt`` naming the cell (0-based index in
``notebooks/03_experiment.ipynb`` and its ``In [n]``), the exception and its message are kept,
the summary lists it, and the exit code is 1. Arguments are validated before anything runs:
unknown parameter names, wrong types, values the configuration rejects, unknown tickers of the
offline sources (with close matches) and data that cannot be loaded all raise one
``ValueError`` naming the fix.

Parallelism
-----------
``jobs`` notebooks run at once, each in its own kernel process. Each kernel gets
``LSTMGRU_THREADS``, ``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS``,
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` set to
``max(1, cores // jobs)``, so that ``--jobs 2`` on two cores does not oversubscribe them
(TensorFlow reads the ``TF_*`` variables at start-up). ``--executor dask`` sends the same
per-ticker task (:func:`execute_task`) to a ``dask.distributed`` scheduler at ``--scheduler``,
or to a ``LocalCluster`` of ``jobs`` single-thread workers in this process when no address is
given (the kernels are separate processes either way). Remote workers need the
repository and the output directory at the same paths (a shared file system) and the
``lstmgru`` kernel; their kernels get ``cores // worker threads`` threads each. With dask,
Ctrl-C cancels the queued notebooks and lets the running ones finish.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import importlib.util
import json
import logging
import os
import re
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstmgru import __version__, runs
from lstmgru.config import PROFILES, SOURCES, ExperimentConfig, parameter_names
from lstmgru.data import available_tickers, config_options, load_prices, provenance
from lstmgru.results import environment_versions
from lstmgru.runs import (
    DONE,
    ERROR_FILE,
    KERNEL_LOG,
    LATEST,
    LOCK_FILE,
    RUN_RECORD,
    read_done,
    write_text_atomic,
)

logger = logging.getLogger(__name__)

#: Repository root (the kernel's working directory) and the notebooks the runner executes.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
DEFAULT_OUTPUT = Path("build/runs")
KERNEL_NAME = "lstmgru"

THEORY_NOTEBOOK = "01_equations.ipynb"
DATA_NOTEBOOK = "02_data.ipynb"
EXPERIMENT_NOTEBOOK = "03_experiment.ipynb"
COMPARISON_NOTEBOOK = "04_comparison.ipynb"


#: Environment variables that bound the threads of one notebook kernel (see the module notes).
THREAD_VARIABLES = (
    "LSTMGRU_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)
EXECUTORS = ("local", "dask")
#: Parameters of ``03_experiment`` that the runner sets itself (dedicated arguments).
RUNNER_PARAMETERS = (
    "ticker",
    "source",
    "profile",
    "start",
    "end",
    "models",
    "n_seeds",
    "epochs",
    "csv_path",
    "results_dir",
    "progress",
)
#: The model every other model is scored against (03_experiment needs it).
BENCHMARK_MODEL = "random_walk"
#: Integer notebook parameters where 0 means "the profile's value".
ZERO_MEANS_PROFILE = ("n_seeds", "epochs", "window")
KERNEL_START_TIMEOUT_S = 120

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_RESERVED_NAMES = frozenset({RUN_RECORD, LATEST, LOCK_FILE, runs.HOLDER_FILE})


# ----------------------------------------------------------------------------------------------
# Results of a run
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """What a call of :func:`run_pipeline` did.

    Attributes
    ----------
    run_id : str
    run_dir : pathlib.Path
        ``<output>/<run_id>``, absolute.
    done : tuple of str
        Tickers executed by this call and finished.
    skipped : tuple of str
        Tickers whose up-to-date result was reused.
    failures : dict of str to str
        Failed ticker (or chapter notebook file name) -> ``"cell 3 (In [2]): Name: message"``.
    wall_times : dict of str to float
        Seconds per executed notebook, by ticker or chapter notebook file name.
    wall_time : float
        Seconds for the whole call.
    """

    run_id: str
    run_dir: Path
    done: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    failures: dict[str, str] = field(default_factory=dict)
    wall_times: dict[str, float] = field(default_factory=dict)
    wall_time: float = 0.0

    @property
    def finished(self) -> tuple[str, ...]:
        """Tickers with a valid result (executed now or reused)."""
        return self.done + self.skipped

    @property
    def exit_code(self) -> int:
        """0 when every notebook ran, 1 when any failed."""
        return 1 if self.failures else 0


@dataclass(frozen=True)
class NotebookTask:
    """One notebook execution; picklable, so any worker (thread, process, dask) can run it.

    Attributes
    ----------
    label : str
        Ticker, or the chapter notebook's file name.
    notebook : str
        Input notebook path.
    output : str
        Path of the executed notebook.
    parameters : dict
        Papermill parameters.
    key : str
        Result key written to ``DONE`` (ticker tasks) or to the run record.
    kernel_name : str
    cwd : str
        Working directory of the kernel.
    threads : int or None
        Threads per kernel; ``None`` divides the worker machine's cores among its dask threads.
    result_dir : str or None
        For ticker tasks the ticker directory: emptied first, checked for results afterwards,
        and given a ``DONE`` marker last.
    """

    label: str
    notebook: str
    output: str
    parameters: dict[str, Any]
    key: str
    kernel_name: str = KERNEL_NAME
    cwd: str = str(PROJECT_ROOT)
    threads: int | None = 1
    result_dir: str | None = None


@dataclass(frozen=True)
class TaskOutcome:
    """Result of :func:`execute_task`.

    Attributes
    ----------
    label, key : str
        As in the task.
    status : {'done', 'failed'}
    wall_time : float
        Seconds, kernel start included.
    error : dict or None
        ``cell_index`` (0-based, in the input notebook; ``None`` when no cell failed),
        ``execution_count``, ``ename``, ``evalue``, ``source`` (the cell's first line) and
        ``error_file``.
    """

    label: str
    key: str
    status: str
    wall_time: float
    error: dict[str, Any] | None = None

    @property
    def message(self) -> str:
        """One line: where the notebook failed and why (empty when it did not)."""
        return "" if self.error is None else describe_error(self.error)


def describe_error(error: Mapping[str, Any]) -> str:
    """``"cell 3 (In [2]): ValueError: message"`` from an error record of :class:`TaskOutcome`."""
    evalue = " ".join(str(error.get("evalue", "")).split())
    text = f"{error.get('ename', 'Error')}: {evalue}" if evalue else str(error.get("ename"))
    if error.get("cell_index") is None:
        return text
    count = error.get("execution_count")
    where = f"cell {error['cell_index']}" + (f" (In [{count}])" if count is not None else "")
    return f"{where}: {text}"


# ----------------------------------------------------------------------------------------------
# Executing one notebook (the task every executor runs)
# ----------------------------------------------------------------------------------------------


def _kernel_manager_class(on_start: Callable[[Any], None] | None = None) -> type:
    """A kernel manager that starts the kernel with extra environment, cwd and a log file.

    ``on_start`` receives the kernel's ``subprocess.Popen`` once it runs (the local runner
    keeps them to stop running kernels when it is interrupted).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Dict, Unicode

    class ConfiguredKernelManager(AsyncKernelManager):
        """``AsyncKernelManager`` whose kernel gets ``kernel_env``, ``kernel_cwd`` and
        ``kernel_log`` (its stdout and stderr), so that concurrent kernels started from threads
        of one process each get their own settings without touching ``os.environ``."""

        kernel_env = Dict(config=True, help="extra environment variables of the kernel")
        kernel_cwd = Unicode("", config=True, help="working directory of the kernel")
        kernel_log = Unicode("", config=True, help="file receiving the kernel's stdout/stderr")

        async def start_kernel(self, **kw: Any) -> None:
            env = dict(kw.pop("env", None) or os.environ)
            env.update(self.kernel_env)
            if self.kernel_cwd:
                kw["cwd"] = self.kernel_cwd
            with contextlib.ExitStack() as stack:
                if self.kernel_log:
                    log = stack.enter_context(open(self.kernel_log, "ab"))
                    kw.update(stdout=log, stderr=log)
                await super().start_kernel(env=env, **kw)
            process = getattr(self.provisioner, "process", None)
            if on_start is not None and process is not None:
                on_start(process)

    return ConfiguredKernelManager


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def thread_environment(threads: int) -> dict[str, str]:
    """The environment variables giving one kernel ``threads`` threads."""
    return {name: str(int(threads)) for name in THREAD_VARIABLES}


def _threads_on_this_worker() -> int:
    try:
        from distributed import get_worker

        return max(1, cpu_count() // max(1, get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return cpu_count()


def _in_own_event_loop(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function`` in a new thread with a new asyncio event loop, closed afterwards.

    Papermill drives the kernel through asyncio; a worker thread of dask (or of any host that
    already runs an event loop) must not lend it its own loop.
    """

    def target() -> Any:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            return function(*args, **kwargs)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="papermill") as pool:
        return pool.submit(target).result()


def _source_cell_index(notebook: str, source: str) -> int | None:
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    for index, cell in enumerate(cells):
        if cell.source == source:
            return index
    return None


def _error_outside_cells(exc: BaseException) -> dict[str, Any]:
    """The error record of a failure that no notebook cell raised (dead kernel, timeout, ...)."""
    return {
        "cell_index": None,
        "execution_count": None,
        "ename": type(exc).__name__,
        "evalue": str(exc),
        "source": "",
    }


def execute_task(
    task: NotebookTask, on_kernel_start: Callable[[Any], None] | None = None
) -> TaskOutcome:
    """Execute one notebook with papermill; never raises for a failing notebook.

    A ticker task first sets aside a complete earlier result (:func:`lstmgru.runs.set_aside`)
    and empties its directory, then executes the notebook into it, checks that the results
    files were written and writes ``DONE`` holding the key, atomically and last. A failure
    writes ``error.txt`` (``<notebook>.error.txt`` for chapter notebooks), puts back the earlier
    result if there was one, and returns a ``failed`` outcome.

    Parameters
    ----------
    task : NotebookTask
    on_kernel_start : callable, optional
        Called with the kernel's ``subprocess.Popen`` once the kernel runs.

    Returns
    -------
    TaskOutcome
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    started = time.perf_counter()
    output = Path(task.output)
    kept: Path | None = None
    if task.result_dir is not None:
        result_dir = Path(task.result_dir)
        kept = runs.set_aside(result_dir)  # a complete earlier result waits until this one is
        error_file = result_dir / ERROR_FILE
        kernel_log = result_dir / KERNEL_LOG
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        error_file = output.with_suffix(".error.txt")
        kernel_log = output.with_suffix(".kernel.log")
        error_file.unlink(missing_ok=True)
        kernel_log.unlink(missing_ok=True)
    threads = task.threads or _threads_on_this_worker()
    manager = _kernel_manager_class(on_kernel_start)
    config = Config(
        {
            manager.__name__: {
                "kernel_env": thread_environment(threads),
                "kernel_cwd": task.cwd,
                "kernel_log": str(kernel_log),
            }
        }
    )
    error: dict[str, Any] | None = None
    trace = ""
    try:
        _in_own_event_loop(
            papermill.execute_notebook,
            task.notebook,
            str(output),
            parameters=dict(task.parameters),
            kernel_name=task.kernel_name,
            progress_bar=False,
            log_output=False,
            start_timeout=KERNEL_START_TIMEOUT_S,
            kernel_manager_class=manager,
            config=config,
        )
    except PapermillExecutionError as exc:
        error = {
            "cell_index": _source_cell_index(task.notebook, exc.source),
            "execution_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
            "source": (exc.source.strip().splitlines() or [""])[0],
        }
        trace = _ANSI.sub("", "\n".join(exc.traceback or []))
    except Exception as exc:  # dead kernel, timeout, unreadable notebook: isolate them too
        error = _error_outside_cells(exc)
        trace = traceback.format_exc()
    if error is None and task.result_dir is not None:
        required = runs.REQUIRED_RESULT_FILES
        missing = [n for n in required if not (Path(task.result_dir) / n).is_file()]
        if missing:
            error = {
                "cell_index": None,
                "execution_count": None,
                "ename": "MissingResults",
                "evalue": f"the notebook ran but wrote no {', '.join(missing)} "
                "(is its results_dir parameter used?)",
                "source": "",
            }
    wall = time.perf_counter() - started
    if error is not None:
        _write_error_file(error_file, task, error, trace)
        error["error_file"] = str(error_file)
        if kept is not None:  # the earlier complete result goes back; the attempt is kept aside
            failed = runs.restore_previous(task.result_dir or "")
            if failed is not None:
                error["error_file"] = str(failed / ERROR_FILE)
                error["previous_result_kept"] = True
        return TaskOutcome(task.label, task.key, "failed", wall, error)
    if task.result_dir is not None:
        write_text_atomic(Path(task.result_dir) / DONE, task.key + "\n")
        runs.keep_new(task.result_dir)
    return TaskOutcome(task.label, task.key, "done", wall)


def _write_error_file(path: Path, task: NotebookTask, error: Mapping[str, Any], trace: str) -> None:
    lines = [
        f"notebook: {task.output}",
        f"input: {task.notebook}",
        f"label: {task.label}",
        f"cell_index: {error['cell_index']} (0-based, in the input notebook)",
        f"execution_count: {error['execution_count']}",
        f"exception: {error['ename']}",
        f"message: {error['evalue']}",
        f"cell starts: {error['source']}",
        "",
        "traceback:",
        trace,
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------------


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _package_digest() -> str:
    """SHA-256 over the package's Python sources (the code that produces every result)."""
    return _file_digest(*sorted(Path(__file__).resolve().parent.rglob("*.py")))


def _result_key(code: str, **inputs: Any) -> str:
    """Key of a notebook's result: its inputs, the package's source digest and its version."""
    return _digest({**inputs, "code": code, "lstmgru": __version__})[:16]


def _shown(path: Path) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------------------------
# Planning: validation, configuration, keys
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RunPlan:
    run_id: str
    run_dir: Path
    output: Path
    tickers: tuple[NotebookTask, ...]
    chapters: tuple[NotebookTask, ...]
    missing: tuple[str, ...]
    comparison: Path | None
    record: dict[str, Any]
    kernel_name: str


def _notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    import papermill

    return papermill.inspect_notebook(str(path))


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def _check_type(name: str, value: Any, declared: str, notebook: str) -> None:
    allowed = _TYPES.get(declared)
    if allowed is None:
        return
    if not isinstance(value, allowed) or (declared != "bool" and isinstance(value, bool)):
        raise ValueError(
            f"parameter {name!r} must be {declared} ({notebook} declares it so), got "
            f"{type(value).__name__} {value!r}"
        )


def _check_name(kind: str, name: Any) -> str:
    """Ticker and run names become folder names: letters, digits and ``. _ - = ^`` only."""
    usable = (
        isinstance(name, str)
        and name != ""
        and (name[0].isalnum() or name[0] == "^")
        and all(c.isalnum() or c in "._=^-" for c in name)
        and name not in _RESERVED_NAMES
    )
    if not usable:
        raise ValueError(
            f"{kind} {name!r} is not a usable name: letters, digits and . _ - = ^ only, not "
            f"starting with . or -, and none of {', '.join(sorted(_RESERVED_NAMES))}"
        )
    return name


def _check_tickers(tickers: Any) -> tuple[str, ...]:
    if isinstance(tickers, str):
        tickers = [tickers]
    try:
        tickers = tuple(tickers)
    except TypeError:
        raise ValueError(f"tickers must be a list of ticker names, got {tickers!r}") from None
    if not tickers:
        raise ValueError("no tickers given; name at least one, e.g. --tickers AAPL KO")
    for ticker in tickers:
        _check_name("ticker", ticker)
    twice = [t for i, t in enumerate(tickers) if t in tickers[:i]]
    if twice:
        raise ValueError(f"ticker(s) listed twice: {', '.join(dict.fromkeys(twice))}")
    return tickers


def _close_matches(names: Sequence[str], known: Sequence[str]) -> str:
    parts = []
    for name in names:
        close = difflib.get_close_matches(name.upper(), list(known), n=3, cutoff=0.4)
        close = close or difflib.get_close_matches(name, list(known), n=3, cutoff=0.4)
        parts.append(name + (f" (did you mean {', '.join(close)}?)" if close else ""))
    return "; ".join(parts)


def _csv_paths(tickers: Sequence[str], source: str, csv_dir: Path | None) -> dict[str, Path]:
    """Check tickers against the offline lists (or CSV files), all at once; CSV paths."""
    if source in ("skfolio", "arch"):
        known = available_tickers(source)
        bad = [t for t in tickers if t not in known]
        if bad:
            raise ValueError(
                f"ticker(s) not in the {source} dataset: {_close_matches(bad, known)}. "
                f"Available: {', '.join(known)}"
            )
    if source != "csv":
        if csv_dir is not None:
            raise ValueError(f"csv_dir is for source 'csv' only, not {source!r}")
        return {}
    if csv_dir is None:
        raise ValueError(
            "source 'csv' needs csv_dir (--csv-dir DIR): ticker T is read from DIR/T.csv"
        )
    if not csv_dir.is_dir():
        raise ValueError(f"csv_dir {csv_dir} is not a directory")
    stems = sorted(p.stem for p in csv_dir.glob("*.csv"))
    bad = [t for t in tickers if not (csv_dir / f"{t}.csv").is_file()]
    if bad:
        raise ValueError(
            f"no CSV file for ticker(s) {_close_matches(bad, stems)} in {csv_dir}. "
            f"Files there: {', '.join(stems) or 'none'}"
        )
    return {t: (csv_dir / f"{t}.csv").resolve() for t in tickers}


def _optional_int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    return value


def _optional_date(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if not isinstance(value, str):
        raise ValueError(f"{name} must be an ISO date string like '2015-01-31', got {value!r}")
    return value


def _models_text(models: Any) -> str | None:
    if models is None:
        return None
    if isinstance(models, str):
        return models
    try:
        items = list(models)
    except TypeError:
        raise ValueError(
            f"models must be a comma-separated string or a list, got {models!r}"
        ) from None
    if not all(isinstance(m, str) for m in items):
        raise ValueError(f"models must be model names (strings), got {models!r}")
    return ",".join(items)


def _config_kwargs(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``from_parameters`` from notebook parameters, as the notebook
    builds them (``""`` and, for :data:`ZERO_MEANS_PROFILE`, ``0`` mean the profile's value)."""
    names = parameter_names()
    return {
        name: None if name in ZERO_MEANS_PROFILE and value == 0 else value
        for name, value in parameters.items()
        if name in names
    }


def _check_arguments(
    *,
    source: Any,
    profile: Any,
    jobs: Any,
    executor: Any,
    scheduler: Any,
    force: Any,
    progress: Any,
    run_id: Any,
) -> None:
    if source not in SOURCES:
        close = difflib.get_close_matches(str(source), SOURCES, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown source {source!r}.{hint} Sources: {', '.join(SOURCES)}")
    if profile not in PROFILES:
        close = difflib.get_close_matches(str(profile), list(PROFILES), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown profile {profile!r}.{hint} Profiles: {', '.join(PROFILES)}")
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise ValueError("a scheduler address needs executor 'dask' (--executor dask)")
    if executor == "dask" and importlib.util.find_spec("distributed") is None:
        raise ValueError("executor 'dask' needs dask.distributed: pip install 'lstmgru[dask]'")
    if not isinstance(force, bool) or not isinstance(progress, bool):
        raise ValueError(f"force and progress must be True or False, got {force!r}, {progress!r}")
    if run_id is not None:
        _check_name("run_id", run_id)


def _check_extra_parameters(
    extra: Mapping[str, Any], declared: Mapping[str, Mapping[str, Any]], notebook: str
) -> None:
    options = [n for n in declared if n not in RUNNER_PARAMETERS]
    for name, value in extra.items():
        if name in RUNNER_PARAMETERS:
            raise ValueError(
                f"parameter {name!r} is set by the runner; use its own argument, not parameters"
            )
        if name not in declared:
            close = difflib.get_close_matches(str(name), options, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ValueError(
                f"unknown parameter {name!r}{hint}; {notebook} also accepts: {', '.join(options)}"
            )
        _check_type(name, value, declared[name]["inferred_type_name"], notebook)


def _plan(
    tickers: Any,
    *,
    source: str,
    profile: str,
    output: str | Path,
    start: Any,
    end: Any,
    models: Any,
    n_seeds: Any,
    epochs: Any,
    run_id: str | None,
    parameters: Mapping[str, Any] | None,
    csv_dir: str | Path | None,
    notebook_dir: str | Path | None,
    kernel_name: str,
) -> _RunPlan:
    """Validate everything, resolve configurations and compute keys; writes nothing."""
    tickers = _check_tickers(tickers)
    n_seeds = _optional_int("n_seeds", n_seeds)
    epochs = _optional_int("epochs", epochs)
    start = _optional_date("start", start)
    end = _optional_date("end", end)
    models_text = _models_text(models)
    notebooks = Path(notebook_dir) if notebook_dir is not None else NOTEBOOK_DIR
    experiment = notebooks / EXPERIMENT_NOTEBOOK
    if not experiment.is_file():
        raise ValueError(f"experiment notebook {experiment} not found")
    declared = _notebook_parameters(experiment)
    absent = [n for n in RUNNER_PARAMETERS if n not in declared]
    if absent:
        raise ValueError(f"{experiment.name} lacks the parameter(s) the runner sets: {absent}")
    extra = dict(parameters or {})
    _check_extra_parameters(extra, declared, experiment.name)
    csv_dir = Path(csv_dir).resolve() if csv_dir is not None else None
    csv_paths = _csv_paths(tickers, source, csv_dir)
    # The arguments as given (None: the profile's value) must make a valid configuration.
    ExperimentConfig.from_parameters(
        profile,
        **_config_kwargs({"ticker": tickers[0], "source": source, **extra}),
        csv_path=str(csv_paths[tickers[0]]) if csv_paths else None,
        start=start,
        end=end,
        models=models_text,
        n_seeds=n_seeds,
        epochs=epochs,
    )
    shared = {
        "source": source,
        "profile": profile,
        "start": start or "",
        "end": end or "",
        "models": models_text or "",
        "n_seeds": n_seeds or 0,
        "epochs": epochs or 0,
        **extra,
    }
    # Each ticker's configuration exactly as its notebook resolves it, and its data checksum.
    per_ticker: dict[str, tuple[dict[str, Any], ExperimentConfig, str]] = {}
    errors = []
    for ticker in tickers:
        nb_parameters = {"ticker": ticker, **shared, "csv_path": str(csv_paths.get(ticker, ""))}
        config = ExperimentConfig.from_parameters(profile, **_config_kwargs(nb_parameters))
        try:
            sha = provenance(load_prices(**config_options(config.data)))["sha256"]
        except ValueError as exc:
            errors.append(f"{ticker}: {exc}")
            continue
        per_ticker[ticker] = (nb_parameters, config, sha)
    if errors:
        raise ValueError("cannot load the data of every ticker:\n  " + "\n  ".join(errors))

    _, first_config, first_sha = per_ticker[tickers[0]]
    if BENCHMARK_MODEL not in first_config.models:
        raise ValueError(
            f"models must include {BENCHMARK_MODEL!r}, the benchmark every model is scored "
            f"against; got {', '.join(first_config.models)}"
        )
    run_config = first_config.to_dict()
    run_config["data"] = {**run_config["data"], "ticker": None, "csv_path": None}
    if run_id is None:
        digest = _digest({"config": run_config, "parameters": extra, "csv_dir": str(csv_dir or "")})
        run_id = f"{profile}-{source}-{digest[:8]}"
    run_dir = Path(output).resolve() / run_id

    ticker_tasks = []
    notebook_digest = _file_digest(experiment)
    code_digest = _package_digest()
    for ticker, (nb_parameters, config, sha) in per_ticker.items():
        directory = run_dir / ticker
        key = _result_key(
            code_digest,
            config=config.to_dict(),
            data_sha256=sha,
            parameters=nb_parameters,
            notebook=notebook_digest,
        )
        ticker_tasks.append(
            NotebookTask(
                label=ticker,
                notebook=str(experiment),
                output=str(directory / EXPERIMENT_NOTEBOOK),
                parameters={**nb_parameters, "results_dir": str(directory), "progress": False},
                key=key,
                kernel_name=kernel_name,
                result_dir=str(directory),
            )
        )

    chapters: list[NotebookTask] = []
    missing: list[str] = []
    theory = notebooks / THEORY_NOTEBOOK
    if theory.is_file():
        chapters.append(
            NotebookTask(
                label=THEORY_NOTEBOOK,
                notebook=str(theory),
                output=str(run_dir / THEORY_NOTEBOOK),
                parameters={},
                key=_result_key(code_digest, notebook=_file_digest(theory)),
                kernel_name=kernel_name,
            )
        )
    else:
        missing.append(THEORY_NOTEBOOK)
    data_notebook = notebooks / DATA_NOTEBOOK
    if data_notebook.is_file():
        data_parameters = {}
        for name in _notebook_parameters(data_notebook):
            if hasattr(first_config.data, name):
                value = getattr(first_config.data, name)
                data_parameters[name] = "" if value is None else value
        key = _result_key(
            code_digest,
            notebook=_file_digest(data_notebook),
            parameters=data_parameters,
            data_sha256=first_sha,
        )
        chapters.append(
            NotebookTask(
                label=DATA_NOTEBOOK,
                notebook=str(data_notebook),
                output=str(run_dir / DATA_NOTEBOOK),
                parameters=data_parameters,
                key=key,
                kernel_name=kernel_name,
            )
        )
    else:
        missing.append(DATA_NOTEBOOK)
    comparison = notebooks / COMPARISON_NOTEBOOK
    if not comparison.is_file():
        missing.append(COMPARISON_NOTEBOOK)
    record = {
        "run_id": run_id,
        "tickers": list(tickers),
        "source": source,
        "profile": profile,
        "parameters": {k: v for k, v in shared.items() if k not in ("source", "profile")},
        "csv_dir": str(csv_dir) if csv_dir is not None else None,
        "config": run_config,
    }
    return _RunPlan(
        run_id=run_id,
        run_dir=run_dir,
        output=Path(output).resolve(),
        tickers=tuple(ticker_tasks),
        chapters=tuple(chapters),
        missing=tuple(missing),
        comparison=comparison if comparison.is_file() else None,
        record=record,
        kernel_name=kernel_name,
    )


# ----------------------------------------------------------------------------------------------
# Executors
# ----------------------------------------------------------------------------------------------

Report = Callable[[NotebookTask, TaskOutcome], None]


def _lost(task: NotebookTask, exc: BaseException, seconds: float) -> TaskOutcome:
    return TaskOutcome(task.label, task.key, "failed", seconds, _error_outside_cells(exc))


def _run_local(tasks: Sequence[NotebookTask], jobs: int, report: Report) -> None:
    """Run ``tasks`` on ``jobs`` threads, each driving one kernel; Ctrl-C stops the kernels.

    The kernels run in sessions of their own, so a terminal's Ctrl-C reaches only this
    process; on ``KeyboardInterrupt`` the running kernels are killed (their notebooks then fail
    and get no ``DONE``) and the queued ones are cancelled.
    """
    started = time.perf_counter()
    kernels: list[Any] = []
    stopping = threading.Event()

    def started_kernel(process: Any) -> None:
        kernels.append(process)
        if stopping.is_set():  # started after the interrupt
            process.kill()

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook")
    futures = {pool.submit(execute_task, task, started_kernel): task for task in tasks}
    unreported = set(futures)

    def report_one(future: concurrent.futures.Future) -> None:
        unreported.discard(future)
        task = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # execute_task records notebook failures itself
            outcome = _lost(task, exc, time.perf_counter() - started)
        report(task, outcome)

    try:
        for future in concurrent.futures.as_completed(futures):
            report_one(future)
    except KeyboardInterrupt:
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        with _deliberate_kernel_deaths():
            for process in list(kernels):
                process.kill()  # a no-op for kernels that already exited
            # Each running notebook now fails on its dead kernel and puts back any earlier
            # result it had set aside; wait for that before the run is recorded as interrupted.
            concurrent.futures.wait(futures)
        for future in [f for f in futures if f in unreported and not f.cancelled()]:
            report_one(future)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class _DropKernelDeaths(logging.Filter):
    """Drops nbclient's "Kernel died ..." records for kernels the runner stopped itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Kernel died")


@contextlib.contextmanager
def _deliberate_kernel_deaths() -> Iterator[None]:
    papermill_logger = logging.getLogger("papermill")
    quiet = _DropKernelDeaths()
    papermill_logger.addFilter(quiet)
    try:
        yield
    finally:
        papermill_logger.removeFilter(quiet)


@contextlib.contextmanager
def _one_interrupt() -> Iterator[None]:
    """The first Ctrl-C (SIGINT) stops the run; further ones wait for the clean-up to end.

    Without this, a second Ctrl-C lands in the middle of stopping the kernels and recording
    the run, and a third in the interpreter's shutdown of the worker threads (a traceback).
    Only the main thread can set signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupted = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        if interrupted.is_set():
            logger.warning("already stopping; waiting for the running notebooks to end")
            return
        interrupted.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_dask(
    tasks: Sequence[NotebookTask], jobs: int, scheduler: str | None, report: Report
) -> None:
    from distributed import Client, LocalCluster, as_completed

    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=False, dashboard_address=None
                )
            )
            client = stack.enter_context(Client(cluster))
        logger.info("dask scheduler at %s", client.scheduler.address)
        futures = {client.submit(execute_task, task, pure=False): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died or lost the task
                    outcome = _lost(task, exc, time.perf_counter() - started)
                report(task, outcome)
        finally:
            client.cancel(list(futures))


# ----------------------------------------------------------------------------------------------
# The runner
# ----------------------------------------------------------------------------------------------


def run_pipeline(
    tickers: Sequence[str],
    *,
    source: str = "skfolio",
    profile: str = "default",
    output: str | Path = DEFAULT_OUTPUT,
    jobs: int = 1,
    force: bool = False,
    start: str | None = None,
    end: str | None = None,
    models: str | Sequence[str] | None = None,
    n_seeds: int | None = None,
    epochs: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
    run_id: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    csv_dir: str | Path | None = None,
    notebook_dir: str | Path | None = None,
    kernel_name: str = KERNEL_NAME,
) -> RunSummary:
    """Execute the notebooks over ``tickers``: resumable, parallel and failure-tolerant.

    Parameters
    ----------
    tickers : sequence of str
        Tickers of ``source`` (checked against the offline lists of ``skfolio`` and ``arch``).
    source : {'skfolio', 'arch', 'csv', 'yfinance'}
    profile : {'quick', 'default', 'full'}
        Profile of :data:`lstmgru.config.PROFILES`.
    output : str or pathlib.Path
        Parent of the run directory (default ``build/runs``).
    jobs : int
        Notebooks executed at once; each kernel gets ``max(1, cores // jobs)`` threads.
    force : bool
        Execute every notebook, even when its result is up to date.
    start, end : str or None
        ISO dates bounding the data; ``None`` keeps the profile's value.
    models : str or sequence of str, optional
        Model names (comma-separated string or list); ``None`` keeps the profile's list.
    n_seeds, epochs : int or None
        Network seeds and maximum training epochs; ``None`` keeps the profile's value.
    executor : {'local', 'dask'}
        A pool of threads driving kernels here, or ``dask.distributed``.
    scheduler : str, optional
        Address of a dask scheduler; ``None`` with ``executor='dask'`` starts a
        ``LocalCluster`` of ``jobs`` workers.
    progress : bool
        Show a progress bar over the notebooks.
    run_id : str, optional
        Name of the run directory; default ``<profile>-<source>-<hash of the configuration>``,
        so that rerunning a command resumes it.
    parameters : mapping, optional
        Further parameters of ``03_experiment`` (e.g. ``{"target": "price"}`` or
        ``{"date_column": "日期"}``), checked against the names and types it declares.
    csv_dir : str or pathlib.Path, optional
        For ``source='csv'``: ticker ``T`` is read from ``csv_dir/T.csv``.
    notebook_dir : str or pathlib.Path, optional
        Folder of the notebooks (default: the repository's ``notebooks/``).
    kernel_name : str
        Jupyter kernel executing the notebooks.

    Returns
    -------
    RunSummary

    Raises
    ------
    ValueError
        Before anything is executed: an invalid argument, unknown ticker or parameter, a value
        the configuration rejects, data that cannot be loaded, or a run directory in use.
    KeyboardInterrupt
        After recording the interrupted run in ``run.json``; rerun the same call to resume.
    """
    _check_arguments(
        source=source,
        profile=profile,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        force=force,
        progress=progress,
        run_id=run_id,
    )
    plan = _plan(
        tickers,
        source=source,
        profile=profile,
        output=output,
        start=start,
        end=end,
        models=models,
        n_seeds=n_seeds,
        epochs=epochs,
        run_id=run_id,
        parameters=parameters,
        csv_dir=csv_dir,
        notebook_dir=notebook_dir,
        kernel_name=kernel_name,
    )
    plan.run_dir.mkdir(parents=True, exist_ok=True)
    with _one_interrupt(), runs.run_lock(plan.run_dir):
        return _execute(
            plan, jobs=jobs, force=force, executor=executor, scheduler=scheduler, progress=progress
        )


def _up_to_date(entry: Mapping[str, Any], key: str, output: str | Path) -> bool:
    return (
        entry.get("status") in ("done", "skipped")
        and entry.get("key") == key
        and Path(output).is_file()
    )


def _execute(
    plan: _RunPlan,
    *,
    jobs: int,
    force: bool,
    executor: str,
    scheduler: str | None,
    progress: bool,
) -> RunSummary:
    from tqdm.auto import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    started = time.perf_counter()
    run_dir = plan.run_dir
    previous = runs.read_json(run_dir / RUN_RECORD)
    chapters: dict[str, dict[str, Any]] = dict(previous.get("notebooks", {}))
    for name in plan.missing:
        logger.info("%s is not in the notebooks folder; skipping it", name)
        chapters[Path(name).stem] = {"status": "missing"}
    record: dict[str, Any] = {
        **plan.record,
        "status": "running",
        "created": previous.get("created", runs.now()),
        "started": runs.now(),
        "finished": None,
        "jobs": jobs,
        "executor": executor,
        "scheduler": scheduler,
        "threads_per_job": None,
        "ticker_status": {},
        "notebooks": chapters,
        "versions": environment_versions(),
        "wall_s": None,
    }

    def save() -> None:
        write_text_atomic(run_dir / RUN_RECORD, json.dumps(record, indent=2, default=str) + "\n")

    tasks: list[NotebookTask] = []
    skipped: list[str] = []
    for task in plan.chapters:
        entry = chapters.get(Path(task.label).stem, {})
        if not force and _up_to_date(entry, task.key, task.output):
            chapters[Path(task.label).stem] = {**entry, "status": "skipped"}
            logger.info("%s skipped (up to date) -> %s", task.label, _shown(Path(task.output)))
        else:
            tasks.append(task)
    earlier = previous.get("ticker_status", {})
    for task in plan.tickers:
        entry: dict[str, Any] = {"status": "pending", "key": task.key, "dir": task.label}
        entry.update(wall_s=None, error=None)
        result_dir = Path(task.result_dir or "")
        if runs.recover_previous(result_dir):
            logger.warning(
                "%s: an earlier rerun was stopped before it finished; its previous result is "
                "back in %s",
                task.label,
                _shown(result_dir),
            )
        problem = runs.result_problem(result_dir, task.key)
        if problem is not None and read_done(result_dir) == task.key:
            logger.warning("%s: %s; executing it again", task.label, problem)
        if not force and problem is None:
            entry["status"] = "skipped"
            if earlier.get(task.label, {}).get("key") == task.key:  # keep its wall time
                entry["wall_s"] = earlier[task.label].get("wall_s")
            skipped.append(task.label)
            logger.info(
                "%s skipped (result up to date) -> %s", task.label, _shown(run_dir / task.label)
            )
        else:
            tasks.append(task)
        record["ticker_status"][task.label] = entry
    concurrency = max(1, min(jobs, len(tasks)))
    threads = None if (executor == "dask" and scheduler) else max(1, cpu_count() // concurrency)
    record["threads_per_job"] = threads
    tasks = [dataclasses.replace(task, threads=threads) for task in tasks]
    save()

    done: list[str] = []
    failures: dict[str, str] = {}
    wall_times: dict[str, float] = {}

    def report(task: NotebookTask, outcome: TaskOutcome) -> None:
        wall_times[task.label] = outcome.wall_time
        if task.result_dir is not None:
            entry = record["ticker_status"][task.label]
            where = Path(task.result_dir)
        else:
            entry = chapters.setdefault(Path(task.label).stem, {})
            where = Path(task.output)
        entry.update(
            status=outcome.status,
            key=task.key,
            wall_s=round(outcome.wall_time, 2),
            error=outcome.error,
        )
        if outcome.status == "done":
            if task.result_dir is not None:
                done.append(task.label)
            logger.info("%s done in %.1f s -> %s", task.label, outcome.wall_time, _shown(where))
        else:
            failures[task.label] = outcome.message
            logger.error(
                "%s FAILED after %.1f s: %s (details: %s)",
                task.label,
                outcome.wall_time,
                outcome.message,
                _shown(Path(outcome.error["error_file"]))
                if outcome.error and "error_file" in outcome.error
                else _shown(where),
            )
        save()

    if tasks and threads is None:
        logger.info(
            "run %s: %d notebook(s) to execute on the dask scheduler at %s -> %s",
            plan.run_id,
            len(tasks),
            scheduler,
            _shown(run_dir),
        )
    elif tasks:
        logger.info(
            "run %s: %d notebook(s) to execute, %d at a time with %d thread(s) each -> %s",
            plan.run_id,
            len(tasks),
            concurrency,
            threads,
            _shown(run_dir),
        )

    def run_comparison() -> None:
        """Execute 04_comparison over the finished tickers, unless it is up to date."""
        finished = [
            t
            for t, entry in record["ticker_status"].items()
            if entry["status"] in ("done", "skipped")
        ]
        if plan.comparison is not None and not finished:
            logger.warning("no ticker finished, so %s was not executed", COMPARISON_NOTEBOOK)
        elif plan.comparison is not None:
            inputs = runs.comparison_inputs(run_dir, finished)
            key = _result_key(
                _package_digest(), notebook=_file_digest(plan.comparison), results=inputs
            )
            task = NotebookTask(
                label=COMPARISON_NOTEBOOK,
                notebook=str(plan.comparison),
                output=str(run_dir / COMPARISON_NOTEBOOK),
                parameters={"run_dir": str(run_dir)},
                key=key,
                kernel_name=plan.kernel_name,
                threads=cpu_count(),
            )
            entry = chapters.get(Path(COMPARISON_NOTEBOOK).stem, {})
            if not force and _up_to_date(entry, key, task.output):
                chapters[Path(COMPARISON_NOTEBOOK).stem] = {**entry, "status": "skipped"}
                logger.info("%s skipped (up to date) -> %s", task.label, _shown(Path(task.output)))
            else:
                _run_local([task], 1, report)
            # The report checks these against the tickers' results before it uses the chapter.
            chapters[Path(COMPARISON_NOTEBOOK).stem]["inputs"] = inputs
            save()

    try:
        with contextlib.ExitStack() as stack:
            show = progress and bool(tasks)
            if show:
                consoles = [
                    log
                    for log in (logging.root, logging.getLogger("lstmgru"))
                    if any(type(h) is logging.StreamHandler for h in log.handlers)
                ]
                stack.enter_context(logging_redirect_tqdm(loggers=consoles))
            bar = stack.enter_context(
                tqdm(total=len(tasks), desc=plan.run_id, unit="notebook", disable=not show)
            )

            def report_and_advance(task: NotebookTask, outcome: TaskOutcome) -> None:
                report(task, outcome)
                bar.set_postfix_str(f"{task.label} {outcome.status}")
                bar.update(1)

            if tasks and executor == "dask":
                _run_dask(tasks, concurrency, scheduler, report_and_advance)
            elif tasks:
                _run_local(tasks, concurrency, report_and_advance)
        run_comparison()
    except KeyboardInterrupt:
        record.update(status="interrupted", finished=runs.now())
        record["wall_s"] = round(time.perf_counter() - started, 2)
        save()
        logger.warning(
            "run %s interrupted; finished results are kept, rerun the same command to resume",
            plan.run_id,
        )
        raise

    wall = time.perf_counter() - started
    record.update(
        status="failed" if failures else "finished", finished=runs.now(), wall_s=round(wall, 2)
    )
    save()
    write_text_atomic(plan.output / LATEST, plan.run_id + "\n")
    order = [task.label for task in (*plan.chapters, *plan.tickers)] + [COMPARISON_NOTEBOOK]
    summary = RunSummary(
        run_id=plan.run_id,
        run_dir=run_dir,
        done=tuple(label for label in order if label in done),
        skipped=tuple(skipped),
        failures={label: failures[label] for label in order if label in failures},
        wall_times=wall_times,
        wall_time=wall,
    )
    logger.info(
        "run %s: %d done, %d skipped, %d failed in %.1f s -> %s (record: %s)",
        plan.run_id,
        len(done),
        len(skipped),
        len(failures),
        wall,
        _shown(run_dir),
        RUN_RECORD,
    )
    for label, message in summary.failures.items():
        logger.error("  %s: %s", label, message)
    return summary


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


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
    declared = _notebook_parameters(experiment) if experiment.is_file() else {}
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
