"""Papermill over tickers: a resumable, parallel, failure-tolerant experiment runner.

The runner executes the notebooks of ``notebooks/`` with papermill and the ``lstmgru`` Jupyter
kernel: ``01_equations`` and ``02_data`` once per run, ``03_experiment`` once per ticker and
``04_comparison`` over every finished ticker, then ``05_leakage`` once (its price-level ablation
reads the finished tickers). It never imports TensorFlow; the networks train inside the notebook
kernels. The user manual (command line, run layout, resume, failures,
parallelism, dask) is ``docs/runner.md``.

Modules: :mod:`~lstmgru.runner.plan` (validation, configurations, keys), :mod:`~.keys` (what a
result depends on), :mod:`~.tasks` (one notebook in its kernel), :mod:`~.executors` (one loop over
a local pool or dask), :mod:`~.run` (:func:`run_pipeline`) and :mod:`~.cli`. The run directory's
layout is :mod:`lstmgru.runs`.
"""

from __future__ import annotations

from lstmgru.runner.cli import add_arguments, main
from lstmgru.runner.plan import BENCHMARK_MODEL, RUNNER_PARAMETERS, ZERO_MEANS_PROFILE
from lstmgru.runner.run import RunSummary, run_pipeline
from lstmgru.runner.tasks import (
    KERNEL_NAME,
    NotebookTask,
    TaskOutcome,
    cpu_count,
    describe_error,
    execute_task,
    thread_environment,
)

__all__ = [
    "BENCHMARK_MODEL",
    "KERNEL_NAME",
    "RUNNER_PARAMETERS",
    "ZERO_MEANS_PROFILE",
    "NotebookTask",
    "RunSummary",
    "TaskOutcome",
    "add_arguments",
    "cpu_count",
    "describe_error",
    "execute_task",
    "main",
    "run_pipeline",
    "thread_environment",
]
