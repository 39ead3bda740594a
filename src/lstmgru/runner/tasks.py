"""One notebook execution: the picklable task every executor runs, and its outcome.

:func:`execute_task` runs a notebook with papermill in a kernel of its own (environment,
working directory, log file and thread count set per kernel), never raises for a failing
notebook, records the failing cell, and for a ticker keeps any complete earlier result until the
new one is complete (see :mod:`lstmgru.runs`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstmgru import runs
from lstmgru.runs import DONE, ERROR_FILE, KERNEL_LOG, PROJECT_ROOT, write_text_atomic

__all__ = [
    "KERNEL_NAME",
    "KERNEL_START_TIMEOUT_S",
    "THREAD_VARIABLES",
    "NotebookTask",
    "TaskOutcome",
    "cpu_count",
    "describe_error",
    "error_outside_cells",
    "execute_task",
    "kernel_sockets",
    "thread_environment",
]

KERNEL_NAME = "lstmgru"
KERNEL_START_TIMEOUT_S = 120
#: Environment variables that bound the threads of one notebook kernel.
THREAD_VARIABLES = (
    "LSTMGRU_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: The longest path a Unix domain socket may have (``sun_path`` holds 108 bytes on Linux).
_SOCKET_PATH_MAX = 107


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
    checkpoint_dir : str or None
        For ticker tasks the notebook's checkpoint folder (``<run_dir>/.checkpoints/<ticker>/
        <key>``): kept when the notebook fails, so that the next attempt resumes from it; its
        ticker's checkpoints are deleted once the result is done.
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
    checkpoint_dir: str | None = None


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


@contextlib.contextmanager
def kernel_sockets() -> Iterator[dict[str, str]]:
    """Kernel manager settings for Unix domain sockets in a fresh private folder, if possible.

    Over TCP, jupyter_client picks five free ports, closes them and lets the kernel bind them
    later; a process starting at the same time (another kernel, another test run) can take one
    in between, and the kernel then fails to bind and may hang until the start-up timeout.
    Unix domain sockets are files; in a folder of their own, created here and removed on exit,
    concurrent kernels never compete for an address. Yields ``{"transport": "ipc", "ip":
    <folder>/kernel}``, or ``{}`` (TCP) where Unix sockets are missing or the path would be
    too long for them.
    """
    if os.name != "posix":
        yield {}
        return
    folder = tempfile.mkdtemp(prefix="lstmgru-kernel-")
    try:
        ip = os.path.join(folder, "kernel")
        fits = len(os.fsencode(ip + "-99")) <= _SOCKET_PATH_MAX
        yield {"transport": "ipc", "ip": ip} if fits else {}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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


def error_outside_cells(exc: BaseException) -> dict[str, Any]:
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
    result if there was one, and returns a ``failed`` outcome; the task's checkpoints stay for
    the next attempt, and are deleted once the result is done.

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
    error: dict[str, Any] | None = None
    trace = ""
    try:
        with kernel_sockets() as sockets:
            settings = {
                "kernel_env": thread_environment(threads),
                "kernel_cwd": task.cwd,
                "kernel_log": str(kernel_log),
                **sockets,
            }
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
                config=Config({manager.__name__: settings}),
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
        error = error_outside_cells(exc)
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
        if task.checkpoint_dir is not None:
            _drop_checkpoints(Path(task.checkpoint_dir))
    return TaskOutcome(task.label, task.key, "done", wall)


def _drop_checkpoints(checkpoint_dir: Path) -> None:
    """Delete a done ticker's checkpoints (every key of it) and the emptied parent folder."""
    shutil.rmtree(checkpoint_dir.parent, ignore_errors=True)
    with contextlib.suppress(OSError):  # other tickers' checkpoints are still there
        checkpoint_dir.parent.parent.rmdir()


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
