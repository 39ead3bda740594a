"""The runner: papermill over tickers, resumable, parallel and failure-tolerant.

:func:`run_pipeline` plans the run (:mod:`lstmgru.runner.plan`), takes the run directory's lock,
skips every notebook whose result is up to date, executes the others on an executor
(:mod:`lstmgru.runner.executors`), then the comparison over the finished tickers and the leakage
chapter, and keeps ``run.json`` current after every notebook. The user manual is ``docs/runner.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstmgru import runs
from lstmgru.runner.executors import Report, one_interrupt, open_executor, run_tasks
from lstmgru.runner.keys import code_digest, file_digest, result_key, shown
from lstmgru.runner.plan import RunPlan, check_arguments, make_plan
from lstmgru.runner.tasks import KERNEL_NAME, NotebookTask, TaskOutcome, cpu_count
from lstmgru.runs import (
    COMPARISON_NOTEBOOK,
    DEFAULT_OUTPUT,
    LATEST,
    LEAKAGE_NOTEBOOK,
    RUN_RECORD,
    environment_versions,
)

__all__ = ["RunSummary", "run_pipeline"]

logger = logging.getLogger("lstmgru.runner")


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
    check_arguments(
        source=source,
        profile=profile,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        force=force,
        progress=progress,
        run_id=run_id,
    )
    plan = make_plan(
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
    with one_interrupt(), runs.run_lock(plan.run_dir):
        execution = _Execution(plan, jobs=jobs, executor=executor, scheduler=scheduler)
        return execution.run(force=force, progress=progress)


def _up_to_date(entry: Mapping[str, Any], key: str, output: str | Path) -> bool:
    return (
        entry.get("status") in ("done", "skipped")
        and entry.get("key") == key
        and Path(output).is_file()
    )


class _Execution:
    """One call of the runner on a planned run: its record, what it skips, runs and reports."""

    def __init__(self, plan: RunPlan, *, jobs: int, executor: str, scheduler: str | None):
        self.plan = plan
        self.jobs = jobs
        self.executor = executor
        self.scheduler = scheduler
        self.started = time.perf_counter()
        self.previous = runs.read_json(plan.run_dir / RUN_RECORD)
        self.chapters: dict[str, dict[str, Any]] = dict(self.previous.get("notebooks", {}))
        for name in plan.missing:
            logger.info("%s is not in the notebooks folder; skipping it", name)
            self.chapters[Path(name).stem] = {"status": "missing"}
        self.record: dict[str, Any] = {
            **plan.record,
            "status": "running",
            "created": self.previous.get("created", runs.now()),
            "started": runs.now(),
            "finished": None,
            "jobs": jobs,
            "executor": executor,
            "scheduler": scheduler,
            "threads_per_job": None,
            "ticker_status": {},
            "notebooks": self.chapters,
            "versions": environment_versions(),
            "wall_s": None,
        }
        self.done: list[str] = []
        self.skipped: list[str] = []
        self.failures: dict[str, str] = {}
        self.wall_times: dict[str, float] = {}

    # -- the record ------------------------------------------------------------------------

    def save(self) -> None:
        text = json.dumps(self.record, indent=2, default=str) + "\n"
        runs.write_text_atomic(self.plan.run_dir / RUN_RECORD, text)

    def report(self, task: NotebookTask, outcome: TaskOutcome) -> None:
        """Record one finished notebook (any executor calls this as outcomes arrive)."""
        self.wall_times[task.label] = outcome.wall_time
        if task.result_dir is not None:
            entry = self.record["ticker_status"][task.label]
            where = Path(task.result_dir)
        else:
            entry = self.chapters.setdefault(Path(task.label).stem, {})
            where = Path(task.output)
        entry.update(
            status=outcome.status,
            key=task.key,
            wall_s=round(outcome.wall_time, 2),
            error=outcome.error,
        )
        if outcome.status == "done":
            if task.result_dir is not None:
                self.done.append(task.label)
            logger.info("%s done in %.1f s -> %s", task.label, outcome.wall_time, shown(where))
        else:
            self.failures[task.label] = outcome.message
            details = (outcome.error or {}).get("error_file") or where
            logger.error(
                "%s FAILED after %.1f s: %s (details: %s)",
                task.label,
                outcome.wall_time,
                outcome.message,
                shown(Path(details)),
            )
        self.save()

    # -- what to execute -------------------------------------------------------------------

    def _chapters_to_run(self, force: bool) -> list[NotebookTask]:
        tasks = []
        for task in self.plan.chapters:
            entry = self.chapters.get(Path(task.label).stem, {})
            if not force and _up_to_date(entry, task.key, task.output):
                self.chapters[Path(task.label).stem] = {**entry, "status": "skipped"}
                logger.info("%s skipped (up to date) -> %s", task.label, shown(Path(task.output)))
            else:
                tasks.append(task)
        return tasks

    def _tickers_to_run(self, force: bool) -> list[NotebookTask]:
        earlier = self.previous.get("ticker_status", {})
        tasks = []
        for task in self.plan.tickers:
            entry: dict[str, Any] = {"status": "pending", "key": task.key, "dir": task.label}
            entry.update(wall_s=None, error=None)
            result_dir = Path(task.result_dir or "")
            if runs.recover_previous(result_dir):
                logger.warning(
                    "%s: an earlier rerun was stopped before it finished; its previous result "
                    "is back in %s",
                    task.label,
                    shown(result_dir),
                )
            problem = runs.result_problem(result_dir, task.key)
            if problem is not None and runs.read_done(result_dir) == task.key:
                logger.warning("%s: %s; executing it again", task.label, problem)
            if not force and problem is None:
                entry["status"] = "skipped"
                if earlier.get(task.label, {}).get("key") == task.key:  # keep its wall time
                    entry["wall_s"] = earlier[task.label].get("wall_s")
                self.skipped.append(task.label)
                logger.info("%s skipped (result up to date) -> %s", task.label, shown(result_dir))
            else:
                tasks.append(task)
            self.record["ticker_status"][task.label] = entry
        return tasks

    # -- executing -------------------------------------------------------------------------

    def _execute(self, tasks: list[NotebookTask], progress: bool) -> None:
        from tqdm.auto import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        concurrency = max(1, min(self.jobs, len(tasks)))
        remote = self.executor == "dask" and self.scheduler
        threads = None if remote else max(1, cpu_count() // concurrency)
        self.record["threads_per_job"] = threads
        tasks = [dataclasses.replace(task, threads=threads) for task in tasks]
        self.save()
        if not tasks:
            return
        where = (
            f"on the dask scheduler at {self.scheduler}"
            if remote
            else (f"{concurrency} at a time with {threads} thread(s) each")
        )
        logger.info(
            "run %s: %d notebook(s) to execute, %s -> %s",
            self.plan.run_id,
            len(tasks),
            where,
            shown(self.plan.run_dir),
        )
        with contextlib.ExitStack() as stack:
            if progress:
                consoles = [
                    log
                    for log in (logging.root, logging.getLogger("lstmgru"))
                    if any(type(h) is logging.StreamHandler for h in log.handlers)
                ]
                stack.enter_context(logging_redirect_tqdm(loggers=consoles))
            bar = stack.enter_context(
                tqdm(total=len(tasks), desc=self.plan.run_id, unit="notebook", disable=not progress)
            )

            def report_and_advance(task: NotebookTask, outcome: TaskOutcome) -> None:
                self.report(task, outcome)
                bar.set_postfix_str(f"{task.label} {outcome.status}")
                bar.update(1)

            pool = stack.enter_context(open_executor(self.executor, concurrency, self.scheduler))
            run_tasks(pool, tasks, report_and_advance, kill_on_interrupt=self.executor == "local")

    def _finished(self) -> list[str]:
        return [
            t for t, e in self.record["ticker_status"].items() if e["status"] in ("done", "skipped")
        ]

    def _run_chapter(
        self, label: str, notebook: Path, parameters: dict[str, Any], key: str, force: bool
    ) -> None:
        """Execute one chapter notebook of the whole run into the run folder, unless up to date."""
        task = NotebookTask(
            label=label,
            notebook=str(notebook),
            output=str(self.plan.run_dir / label),
            parameters=parameters,
            key=key,
            kernel_name=self.plan.kernel_name,
            threads=cpu_count(),
        )
        name = Path(label).stem
        entry = self.chapters.get(name, {})
        if not force and _up_to_date(entry, key, task.output):
            self.chapters[name] = {**entry, "status": "skipped"}
            logger.info("%s skipped (up to date) -> %s", task.label, shown(Path(task.output)))
        else:
            report: Report = self.report
            with open_executor("local", 1) as pool:
                run_tasks(pool, [task], report, kill_on_interrupt=True)

    def _run_comparison(self, force: bool) -> None:
        """Execute 04_comparison over the finished tickers, unless it is up to date."""
        plan = self.plan
        if plan.comparison is None:
            return
        finished = self._finished()
        if not finished:
            logger.warning("no ticker finished, so %s was not executed", COMPARISON_NOTEBOOK)
            return
        inputs = runs.comparison_inputs(plan.run_dir, finished)
        key = result_key(code_digest(), notebook=file_digest(plan.comparison), results=inputs)
        parameters = {"run_dir": str(plan.run_dir)}
        self._run_chapter(COMPARISON_NOTEBOOK, plan.comparison, parameters, key, force)
        # The report checks these against the tickers' results before it uses the chapter.
        self.chapters[Path(COMPARISON_NOTEBOOK).stem]["inputs"] = inputs
        self.save()

    def _run_leakage(self, force: bool) -> None:
        """Execute 05_leakage once per run (its price-level ablation reads the finished tickers).

        The chapter's own setups do not depend on the tickers; with no finished ticker it runs
        without the ablation.
        """
        plan = self.plan
        if plan.leakage is None:
            return
        inputs = runs.comparison_inputs(plan.run_dir, self._finished())
        parameters = {"run_dir": str(plan.run_dir), "profile": plan.record["profile"]}
        parameters["progress"] = False
        key = result_key(
            code_digest(),
            notebook=file_digest(plan.leakage),
            parameters=parameters,
            results=inputs,
        )
        self._run_chapter(LEAKAGE_NOTEBOOK, plan.leakage, parameters, key, force)
        self.chapters[Path(LEAKAGE_NOTEBOOK).stem]["inputs"] = inputs
        self.save()

    def run(self, *, force: bool, progress: bool) -> RunSummary:
        """Skip what is up to date, execute the rest, record everything; the summary."""
        tasks = self._chapters_to_run(force) + self._tickers_to_run(force)
        try:
            self._execute(tasks, progress and bool(tasks))
            self._run_comparison(force)
            self._run_leakage(force)
        except KeyboardInterrupt:
            self.record.update(status="interrupted", finished=runs.now())
            self.record["wall_s"] = round(time.perf_counter() - self.started, 2)
            self.save()
            logger.warning(
                "run %s interrupted; finished results are kept, rerun the same command to resume",
                self.plan.run_id,
            )
            raise
        return self._finish()

    def _finish(self) -> RunSummary:
        plan = self.plan
        wall = time.perf_counter() - self.started
        status = "failed" if self.failures else "finished"
        self.record.update(status=status, finished=runs.now(), wall_s=round(wall, 2))
        self.save()
        runs.write_text_atomic(plan.output / LATEST, plan.run_id + "\n")
        order = [task.label for task in (*plan.chapters, *plan.tickers)] + [
            COMPARISON_NOTEBOOK,
            LEAKAGE_NOTEBOOK,
        ]
        summary = RunSummary(
            run_id=plan.run_id,
            run_dir=plan.run_dir,
            done=tuple(label for label in order if label in self.done),
            skipped=tuple(self.skipped),
            failures={label: self.failures[label] for label in order if label in self.failures},
            wall_times=self.wall_times,
            wall_time=wall,
        )
        logger.info(
            "run %s: %d done, %d skipped, %d failed in %.1f s -> %s (record: %s)",
            plan.run_id,
            len(self.done),
            len(self.skipped),
            len(self.failures),
            wall,
            shown(plan.run_dir),
            RUN_RECORD,
        )
        for label, message in summary.failures.items():
            logger.error("  %s: %s", label, message)
        return summary
