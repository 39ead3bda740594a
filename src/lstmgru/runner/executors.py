"""One executor loop over a :class:`concurrent.futures.Executor`: a local thread pool or dask.

Each task is :func:`lstmgru.runner.tasks.execute_task`, which drives one kernel process. The
local pool and dask's ``Client.get_executor()`` both hand back ``concurrent.futures`` futures,
so one loop reports outcomes as they complete and handles Ctrl-C for both:

- local pool: the running kernels are killed (their notebooks fail on the dead kernel, put back
  any result they had set aside and record their state), queued notebooks are cancelled, and
  the loop waits for that before it re-raises;
- dask: queued notebooks are cancelled and running ones finish on their workers (a remote
  kernel cannot be reached from here).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from lstmgru.runner.tasks import NotebookTask, TaskOutcome, error_outside_cells, execute_task

__all__ = ["Report", "one_interrupt", "open_executor", "run_tasks"]

logger = logging.getLogger("lstmgru.runner")

#: Called with each task and its outcome as soon as it is known.
Report = Callable[[NotebookTask, TaskOutcome], None]


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
def one_interrupt() -> Iterator[None]:
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


def run_tasks(
    executor: concurrent.futures.Executor,
    tasks: Sequence[NotebookTask],
    report: Report,
    *,
    kill_on_interrupt: bool,
) -> None:
    """Execute ``tasks`` on ``executor``, calling ``report`` as each one completes.

    Parameters
    ----------
    executor : concurrent.futures.Executor
        A thread pool (kernels started here) or dask's ``Client.get_executor()``.
    tasks : sequence of NotebookTask
    report : callable
        ``report(task, outcome)``, in the order of completion.
    kill_on_interrupt : bool
        On Ctrl-C, kill the kernels this process started and wait until their notebooks have
        recorded the failure (local pool); otherwise cancel only what has not started (dask).

    Raises
    ------
    KeyboardInterrupt
        After the clean-up above; outcomes known by then have been reported.
    """
    started = time.perf_counter()
    kernels: list[Any] = []
    stopping = threading.Event()

    def started_kernel(process: Any) -> None:
        kernels.append(process)
        if stopping.is_set():  # started after the interrupt
            process.kill()

    if kill_on_interrupt:
        futures = {executor.submit(execute_task, task, started_kernel): task for task in tasks}
    else:  # the callback cannot travel to another process
        futures = {executor.submit(execute_task, task): task for task in tasks}
    unreported = set(futures)

    def report_one(future: concurrent.futures.Future) -> None:
        unreported.discard(future)
        task = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # a lost worker; execute_task records notebook failures itself
            seconds = time.perf_counter() - started
            outcome = TaskOutcome(task.label, task.key, "failed", seconds, error_outside_cells(exc))
        report(task, outcome)

    try:
        for future in concurrent.futures.as_completed(futures):
            report_one(future)
    except KeyboardInterrupt:
        stopping.set()
        for future in futures:
            future.cancel()  # only those not yet started
        if kill_on_interrupt:
            with _deliberate_kernel_deaths():
                for process in list(kernels):
                    process.kill()  # a no-op for kernels that already exited
                # Each running notebook now fails on its dead kernel and puts back any earlier
                # result it had set aside; wait for that before the run is recorded.
                concurrent.futures.wait(futures)
        for future in [f for f in futures if f in unreported and f.done() and not f.cancelled()]:
            report_one(future)
        raise


@contextlib.contextmanager
def open_executor(
    kind: str, jobs: int, scheduler: str | None = None
) -> Iterator[concurrent.futures.Executor]:
    """The executor of a run: ``local`` (``jobs`` threads) or ``dask``.

    ``dask`` uses the scheduler at ``scheduler``, or a ``LocalCluster`` of ``jobs``
    single-thread workers in this process when no address is given.
    """
    if kind == "local":
        pool = concurrent.futures.ThreadPoolExecutor(jobs, thread_name_prefix="notebook")
        try:
            yield pool
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return
    from distributed import Client, LocalCluster

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
        executor = client.get_executor(pure=False)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)
