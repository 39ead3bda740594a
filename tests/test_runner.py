"""The papermill runner: layout, resume, ``force``, failure isolation, interruption, validation
and the dask executor.

Apart from the shared quick-profile run (``quick_run`` in conftest), every run here uses the
cheap models (random walk and drift) and leaves out the chapter notebooks 01 and 02, so that a
notebook takes a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import QUICK_TICKERS, synthetic_prices

from lstmgru import cli, runner, runs
from lstmgru.hooks import PAUSE_DIR_VARIABLE
from lstmgru.runner import NotebookTask, execute_task, keys, run_pipeline
from lstmgru.runner.plan import make_plan
from lstmgru.runner.tasks import kernel_sockets
from lstmgru.runs import (
    COMPARISON_NOTEBOOK,
    EXPERIMENT_NOTEBOOK,
    NOTEBOOK_DIR,
    load_run,
    read_done,
    read_results,
)

CHEAP = {"source": "skfolio", "profile": "quick", "models": "random_walk,drift", "progress": False}


def _record(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory) -> Path:
    """The experiment and comparison notebooks only (chapters 01 and 02 left out)."""
    folder = tmp_path_factory.mktemp("notebooks")
    for name in (EXPERIMENT_NOTEBOOK, COMPARISON_NOTEBOOK):
        (folder / name).symlink_to(NOTEBOOK_DIR / name)
    return folder


@pytest.fixture(scope="module")
def cheap_run(tmp_path_factory, notebook_dir) -> runner.RunSummary:
    output = tmp_path_factory.mktemp("cheap")
    summary = run_pipeline(["KO", "XOM"], output=output, jobs=2, notebook_dir=notebook_dir, **CHEAP)
    assert not summary.failures, summary.failures
    return summary


def _copy_of(run: runner.RunSummary, output: Path) -> Path:
    """A copy of a finished run under ``output`` (same run id, so the same keys)."""
    copy = output / run.run_id
    shutil.copytree(run.run_dir, copy, ignore=shutil.ignore_patterns(".lock*"))
    return copy


# ----------------------------------------------------------------------------------------------
# A full run and its layout
# ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_run_layout(quick_run) -> None:
    run_dir = quick_run.run_dir
    assert quick_run.done == QUICK_TICKERS and quick_run.exit_code == 0
    assert quick_run.run_id.startswith("quick-skfolio-")
    assert (run_dir.parent / "latest").read_text().strip() == quick_run.run_id
    record = _record(run_dir)
    assert record["status"] == "finished"
    assert record["tickers"] == list(QUICK_TICKERS)
    assert record["config"]["profile"] == "quick" and record["config"]["data"]["ticker"] is None
    assert record["versions"]["lstmgru"]
    for ticker in QUICK_TICKERS:
        entry = record["ticker_status"][ticker]
        assert entry["status"] == "done" and entry["wall_s"] > 0
        assert read_done(run_dir / ticker) == entry["key"]
        assert (run_dir / ticker / EXPERIMENT_NOTEBOOK).is_file()
    for name in ("02_data", "04_comparison"):
        assert record["notebooks"][name]["status"] == "done"
        assert (run_dir / f"{name}.ipynb").is_file()


def test_cheap_run_record(cheap_run) -> None:
    record = _record(cheap_run.run_dir)
    assert cheap_run.done == ("KO", "XOM")
    assert record["jobs"] == 2
    assert record["threads_per_job"] == max(1, runner.cpu_count() // 2)
    assert record["parameters"]["models"] == "random_walk,drift"
    assert record["notebooks"]["01_equations"] == {"status": "missing"}
    assert record["notebooks"]["04_comparison"]["status"] == "done"
    run = load_run(cheap_run.run_dir)
    assert run.tickers == ("KO", "XOM") and not run.unfinished
    assert list(run.results["KO"].metrics.index) == ["random_walk", "drift"]


# ----------------------------------------------------------------------------------------------
# Resume and force
# ----------------------------------------------------------------------------------------------


def test_rerun_skips_everything(cheap_run, notebook_dir) -> None:
    run_dir = cheap_run.run_dir
    executed = [run_dir / t / EXPERIMENT_NOTEBOOK for t in ("KO", "XOM")]
    executed.append(run_dir / COMPARISON_NOTEBOOK)
    before = [_mtime(p) for p in executed]
    again = run_pipeline(
        ["KO", "XOM"], output=run_dir.parent, jobs=2, notebook_dir=notebook_dir, **CHEAP
    )
    assert again.run_id == cheap_run.run_id
    assert again.skipped == ("KO", "XOM") and again.done == () and again.wall_times == {}
    assert [_mtime(p) for p in executed] == before
    record = _record(run_dir)
    assert {e["status"] for e in record["ticker_status"].values()} == {"skipped"}
    assert record["notebooks"]["04_comparison"]["status"] == "skipped"


def test_force_reruns_one_ticker(cheap_run, notebook_dir) -> None:
    run_dir = cheap_run.run_dir
    ko, xom = run_dir / "KO", run_dir / "XOM"
    key, metrics = read_done(ko), read_results(ko).metrics
    ko_before, xom_before = _mtime(ko / EXPERIMENT_NOTEBOOK), _mtime(xom / EXPERIMENT_NOTEBOOK)
    forced = run_pipeline(
        ["KO"], output=run_dir.parent, force=True, notebook_dir=notebook_dir, **CHEAP
    )
    # The run id depends on the configuration, not on the tickers.
    assert forced.run_id == cheap_run.run_id
    assert forced.done == ("KO",) and forced.skipped == ()
    assert _mtime(ko / EXPERIMENT_NOTEBOOK) > ko_before
    assert _mtime(xom / EXPERIMENT_NOTEBOOK) == xom_before
    assert read_done(ko) == key
    pd.testing.assert_frame_equal(read_results(ko).metrics, metrics)
    assert _record(run_dir)["tickers"] == ["KO"]


def test_changed_notebook_invalidates_finished_results(tmp_path, cheap_run) -> None:
    """A result computed by another version of the experiment notebook is not reused."""

    folder = tmp_path / "notebooks"
    folder.mkdir()
    experiment = folder / EXPERIMENT_NOTEBOOK
    shutil.copy(NOTEBOOK_DIR / EXPERIMENT_NOTEBOOK, experiment)
    (folder / COMPARISON_NOTEBOOK).symlink_to(NOTEBOOK_DIR / COMPARISON_NOTEBOOK)
    _copy_of(cheap_run, tmp_path / "out")
    first = run_pipeline(["KO"], output=tmp_path / "out", notebook_dir=folder, **CHEAP)
    assert first.skipped == ("KO",)  # a copy of the notebook: the same key
    key = read_done(first.run_dir / "KO")
    nb = nbformat.read(experiment, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A changed chapter."))
    nbformat.write(nb, experiment)
    second = run_pipeline(["KO"], output=tmp_path / "out", notebook_dir=folder, **CHEAP)
    assert second.run_id == first.run_id
    assert second.done == ("KO",) and second.skipped == ()
    assert read_done(first.run_dir / "KO") != key


# ----------------------------------------------------------------------------------------------
# Failures and interruptions
# ----------------------------------------------------------------------------------------------


def test_failing_ticker_is_isolated(tmp_path, notebook_dir, caplog) -> None:
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    synthetic_prices(400, seed=1).to_csv(csv_dir / "GOOD.csv", index_label="date")
    synthetic_prices(12, seed=2).to_csv(csv_dir / "SHORT.csv", index_label="date")
    caplog.set_level("INFO", logger="lstmgru")
    summary = run_pipeline(
        ["GOOD", "SHORT"],
        source="csv",
        csv_dir=csv_dir,
        start="2015-01-01",
        end="2016-12-31",
        profile="quick",
        models="random_walk,drift",
        parameters={"protocol": "single"},  # one split of the two years (quick is rolling)
        output=tmp_path / "runs",
        jobs=2,
        notebook_dir=notebook_dir,
        progress=False,
    )
    assert summary.exit_code == 1
    assert summary.done == ("GOOD",)
    assert list(summary.failures) == ["SHORT"]
    message = summary.failures["SHORT"]
    # Cell 3 of 03_experiment builds the configuration and runs the experiment.
    assert message.startswith("cell 3 (In [")
    assert "InsufficientDataError: 12 rows give spans" in message
    short = summary.run_dir / "SHORT"
    assert read_done(short) is None and read_done(summary.run_dir / "GOOD")
    error_text = (short / "error.txt").read_text()
    assert "cell_index: 3" in error_text and "exception: InsufficientDataError" in error_text
    executed = nbformat.read(short / EXPERIMENT_NOTEBOOK, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.output_type == "error" for o in errors)
    record = _record(summary.run_dir)
    assert record["status"] == "failed"
    assert record["ticker_status"]["SHORT"]["error"]["cell_index"] == 3
    assert record["ticker_status"]["GOOD"]["status"] == "done"
    # The comparison ran over the finished ticker and names the failed one.
    comparison = nbformat.read(summary.run_dir / COMPARISON_NOTEBOOK, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in comparison.cells])
    assert "covers one instrument (GOOD)" in text and "SHORT (failed)" in text
    assert "01_equations.ipynb is not in the notebooks folder" in caplog.text
    assert "SHORT FAILED" in caplog.text


# An interrupted or killed runner is tested by state: the runner runs with LSTMGRU_PAUSE_DIR set,
# its kernel announces that it reached the experiment (lstmgru.hooks.pause_point) and waits
# there, and only then does the test interrupt it. No clock decides what state it is caught in.


def _start_runner(output: Path, notebook_dir: Path, pause: Path, *extra: str) -> subprocess.Popen:
    """``python -m lstmgru run`` over KO (cheap models) in a session of its own."""
    command = [
        sys.executable,
        "-m",
        "lstmgru",
        "run",
        "--tickers",
        "KO",
        "--profile",
        "quick",
        "--models",
        "random_walk,drift",
        "--no-progress",
        "--output",
        str(output),
        "--notebook-dir",
        str(notebook_dir),
        *extra,
    ]
    log = (output.parent / f"runner-{len(list(output.parent.glob('runner-*')))}.log").open("w")
    environment = {**os.environ, PAUSE_DIR_VARIABLE: str(pause)}
    return subprocess.Popen(
        command,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        text=True,
    )


def _wait_for_pause(runner: subprocess.Popen, pause: Path, name: str = "experiment-KO") -> int:
    """Wait until the runner's kernel holds at the pause point; return the kernel's pid."""
    reached = pause / f"{name}.reached"
    deadline = time.monotonic() + 600  # a hang guard only: the outcome is decided by the file
    while not reached.exists():
        assert runner.poll() is None, f"the runner exited ({runner.returncode}) before the pause"
        assert time.monotonic() < deadline, "the kernel never reached the pause point"
        time.sleep(0.05)
    return int(reached.read_text())


def _stop_kernel(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_interrupted_run_is_resumed_to_the_same_results(
    tmp_path, notebook_dir, cheap_run, how
) -> None:
    output, pause = tmp_path / "runs", tmp_path / "pause"
    runner = _start_runner(output, notebook_dir, pause)
    kernel = _wait_for_pause(runner, pause)
    run_dir = output / cheap_run.run_id
    if how == "kill":
        os.killpg(runner.pid, signal.SIGKILL)  # the runner, mid-notebook
        runner.wait(timeout=120)
        _stop_kernel(kernel)  # it runs in a session of its own, as under a terminal
        assert _record(run_dir)["status"] == "running"
        assert not runs.lock_is_held(run_dir)  # an OS lock dies with its holder
    else:
        # A terminal's Ctrl-C reaches the runner only: the kernels run in sessions of their own.
        # An impatient user presses it three times; the first stops the run, the others wait.
        for _ in range(3):
            runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=300) == 130
        log = (tmp_path / "runner-0.log").read_text()
        assert _record(run_dir)["status"] == "interrupted"
        assert not runs.lock_is_held(run_dir) and not (run_dir / runs.HOLDER_FILE).exists()
        assert "DeadKernelError" in (run_dir / "KO" / "error.txt").read_text()
        assert "Traceback" not in log and "waiting for execute reply" not in log, log
        assert "interrupted; finished results are kept" in log.strip().splitlines()[-1], log
    assert read_done(run_dir / "KO") is None

    resumed = run_pipeline(["KO"], output=output, notebook_dir=notebook_dir, **CHEAP)
    assert resumed.done == ("KO",) and not resumed.failures
    assert not (run_dir / "KO" / "error.txt").exists()
    assert not (run_dir / ".checkpoints").exists()  # the done ticker's checkpoints are gone
    reference = read_results(cheap_run.run_dir / "KO")
    result = read_results(run_dir / "KO")
    pd.testing.assert_frame_equal(result.metrics, reference.metrics)
    pd.testing.assert_frame_equal(result.forecasts, reference.forecasts)


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_interrupted_forced_rerun_keeps_the_previous_result(
    tmp_path, notebook_dir, cheap_run, how, caplog
) -> None:
    output, pause = tmp_path / "runs", tmp_path / "pause"
    run_dir = _copy_of(cheap_run, output)
    ko = run_dir / "KO"
    key, metrics = read_done(ko), read_results(ko).metrics
    runner = _start_runner(output, notebook_dir, pause, "--force")
    kernel = _wait_for_pause(runner, pause)
    assert read_done(ko) is None  # the rerun works in KO/, the earlier result waits aside
    if how == "kill":
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait(timeout=120)
        _stop_kernel(kernel)
    else:
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=300) == 130
        # Put back at once; the failed attempt is kept beside it.
        assert read_done(ko) == key
        assert "DeadKernelError" in (run_dir / ".KO.failed" / "error.txt").read_text()
        record = _record(run_dir)["ticker_status"]["KO"]
        assert record["error"]["previous_result_kept"] is True
    caplog.set_level("INFO", logger="lstmgru")
    again = run_pipeline(["KO"], output=output, notebook_dir=notebook_dir, **CHEAP)
    assert again.skipped == ("KO",) and again.done == ()
    assert read_done(ko) == key
    pd.testing.assert_frame_equal(read_results(ko).metrics, metrics)
    assert not (run_dir / ".KO.previous").exists()
    if how == "kill":
        assert "its previous result is back" in caplog.text


def test_finished_ticker_missing_a_result_file_is_run_again(
    tmp_path, notebook_dir, cheap_run, caplog
) -> None:
    output = tmp_path / "runs"
    run_dir = _copy_of(cheap_run, output)
    ko = run_dir / "KO"
    metrics = read_results(ko).metrics
    (ko / "metrics.csv").unlink()
    run = load_run(run_dir)
    assert run.unfinished == {"KO": "DONE but metrics.csv missing"} and "KO" not in run.results
    caplog.set_level("INFO", logger="lstmgru")
    again = run_pipeline(["KO"], output=output, notebook_dir=notebook_dir, **CHEAP)
    assert again.done == ("KO",) and again.skipped == () and not again.failures
    assert "KO: DONE but metrics.csv missing; executing it again" in caplog.text
    pd.testing.assert_frame_equal(read_results(ko).metrics, metrics)
    assert runs.comparison_problem(load_run(run_dir)) is None


def test_second_runner_on_a_busy_run_directory_is_refused(tmp_path, notebook_dir) -> None:
    output, pause = tmp_path / "runs", tmp_path / "pause"
    holder = _start_runner(output, notebook_dir, pause)
    _wait_for_pause(holder, pause)  # it holds the run directory now
    second = _start_runner(output, notebook_dir, tmp_path / "unused")
    assert second.wait(timeout=300) == 2
    message = (tmp_path / "runner-1.log").read_text()
    assert f"is in use by process {holder.pid}" in message, message
    holder.send_signal(signal.SIGINT)
    assert holder.wait(timeout=300) == 130
    run_dir = next(p for p in output.iterdir() if p.is_dir())
    assert not runs.lock_is_held(run_dir) and not (run_dir / runs.HOLDER_FILE).exists()


# ----------------------------------------------------------------------------------------------
# Validation before execution
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"epochs": -1}, r"epochs must be a positive integer, got -1"),
        ({"n_seeds": 0}, r"n_seeds must be a positive integer, got 0"),
        ({"epochs": "5"}, r"epochs must be a positive integer or None, got '5'"),
        (
            {"parameters": {"targt": "price"}},
            r"unknown parameter 'targt' \(did you mean target\?\)",
        ),
        ({"parameters": {"target": 5}}, r"parameter 'target' must be str .* got int 5"),
        ({"parameters": {"target": "prices"}}, r"unknown target 'prices'"),
        ({"parameters": {"protocol": "rollin"}}, r"unknown protocol 'rollin'. Did you mean"),
        (
            {"parameters": {"protocol": "single", "first_test": "2021-01-01"}},
            r"first_test is for the rolling protocol only; set protocol='rolling'",
        ),
        ({"parameters": {"epochs": 5}}, r"'epochs' is set by the runner"),
        ({"tickers": ["KO", "APPL"]}, r"not in the skfolio dataset: APPL \(did you mean AAPL"),
        ({"tickers": ["KO", "KO"]}, r"listed twice: KO"),
        ({"tickers": ["../KO"]}, r"ticker '../KO' is not a usable name"),
        ({"tickers": []}, r"no tickers given"),
        ({"models": "random_walk,drfit"}, r"unknown model 'drfit'. Did you mean 'drift'"),
        ({"models": ["drift", "arima"]}, r"models must include 'random_walk'"),
        ({"jobs": 0}, r"jobs must be a positive integer"),
        ({"source": "skfolo"}, r"unknown source 'skfolo'. Did you mean 'skfolio'"),
        ({"profile": "fast"}, r"unknown profile 'fast'"),
        ({"executor": "spark"}, r"unknown executor 'spark'"),
        ({"scheduler": "tcp://localhost:8786"}, r"needs executor 'dask'"),
        (
            {"start": "2030-01-01", "end": "2030-12-31"},
            r"cannot load the data of every ticker:\n  KO: no prices between 2030-01-01",
        ),
        ({"source": "csv"}, r"source 'csv' needs csv_dir"),
        ({"run_id": "latest"}, r"run_id 'latest' is not a usable name"),
    ],
)
def test_invalid_arguments_fail_before_execution(tmp_path, arguments, message) -> None:
    output = tmp_path / "runs"
    call = {"tickers": ["KO"], **CHEAP, "output": output, **arguments}
    with pytest.raises(ValueError, match=message):
        run_pipeline(call.pop("tickers"), **call)
    assert not output.exists(), "nothing may be written before validation passes"


def test_cli_reports_invalid_arguments(tmp_path, capsys) -> None:
    output = tmp_path / "runs"
    code = cli.main(
        ["run", "--tickers", "KO", "--profile", "quick", "--epochs", "-1", "--output", str(output)]
    )
    assert code == 2
    assert "error: epochs must be a positive integer, got -1" in capsys.readouterr().err
    code = cli.main(["run", "--tickers", "KO", "-p", "n_seeds", "two", "--output", str(output)])
    assert code == 2
    assert "parameter 'n_seeds' must be an integer, got 'two'" in capsys.readouterr().err
    assert not output.exists()


# ----------------------------------------------------------------------------------------------
# The task function and the dask executor
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def probe_notebook(tmp_path) -> Path:
    """Prints the kernel's thread variables and working directory; fails for value > 1."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("value: int = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os\n"
            "print(os.environ['LSTMGRU_THREADS'], os.environ['TF_NUM_INTRAOP_THREADS'], "
            "os.getcwd())"
        ),
        nbformat.v4.new_code_cell(
            "if value > 1:\n    raise ValueError(f'value {value} is too large')"
        ),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    return path


def test_execute_task_sets_the_kernel_environment(tmp_path, probe_notebook) -> None:
    task = NotebookTask(
        label="probe",
        notebook=str(probe_notebook),
        output=str(tmp_path / "out" / "probe.ipynb"),
        parameters={"value": 1},
        key="k",
        cwd=str(tmp_path),
        threads=3,
    )
    outcome = execute_task(task)
    assert outcome.status == "done", outcome.message
    executed = nbformat.read(task.output, as_version=4)
    # Cells: parameters, injected parameters, the probe, the check.
    assert executed.cells[2].outputs[0]["text"].strip() == f"3 3 {tmp_path}"
    assert (tmp_path / "out" / "probe.kernel.log").is_file()


@pytest.mark.skipif(os.name != "posix", reason="Unix domain sockets")
def test_kernels_talk_over_unix_sockets(tmp_path) -> None:
    """No TCP port race: the kernel binds socket files named after its own connection file.

    Over TCP a port chosen by jupyter_client can be taken by another process before the kernel
    binds it; the kernel then fails to start (seen as "Kernel didn't respond in 120 seconds").
    """
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import json, ipykernel.connect\n"
            "info = json.loads(ipykernel.connect.get_connection_info())\n"
            "print(info['transport'], info['ip'])"
        )
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    path = tmp_path / "transport.ipynb"
    nbformat.write(notebook, path)
    task = NotebookTask("transport", str(path), str(tmp_path / "out.ipynb"), {}, "k")
    outcome = execute_task(task)
    assert outcome.status == "done", outcome.message
    transport, ip = nbformat.read(task.output, as_version=4).cells[0].outputs[0]["text"].split()
    assert transport == "ipc"
    assert Path(ip).is_absolute()
    assert not Path(ip).parent.exists()  # the private folder of the sockets is gone


def test_kernel_sockets_fall_back_to_tcp_for_long_paths(tmp_path, monkeypatch) -> None:
    with kernel_sockets() as short:
        assert short["transport"] == "ipc"
        assert Path(short["ip"]).parent.is_dir()
    assert not Path(short["ip"]).parent.exists()
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    with kernel_sockets() as long:
        assert long == {}


def test_execute_task_records_the_failing_cell(tmp_path, probe_notebook) -> None:
    failing = NotebookTask(
        label="probe",
        notebook=str(probe_notebook),
        output=str(tmp_path / "out" / "probe.ipynb"),
        parameters={"value": 2},
        key="k",
        threads=1,
    )
    outcome = execute_task(failing)
    assert outcome.status == "failed"
    assert outcome.message == "cell 2 (In [4]): ValueError: value 2 is too large"
    assert "message: value 2 is too large" in (tmp_path / "out" / "probe.error.txt").read_text()
    # A ticker task whose notebook writes no results fails too, and gets no DONE marker.
    ticker = NotebookTask(
        label="T",
        notebook=str(probe_notebook),
        output=str(tmp_path / "T" / "probe.ipynb"),
        parameters={"value": 1},
        key="k",
        threads=1,
        result_dir=str(tmp_path / "T"),
    )
    outcome = execute_task(ticker)
    assert outcome.status == "failed" and outcome.error["ename"] == "MissingResults"
    assert read_done(tmp_path / "T") is None and (tmp_path / "T" / "error.txt").is_file()


def test_checkpoints_stay_for_the_next_attempt_and_go_once_done(tmp_path, probe_notebook) -> None:
    """A failed attempt keeps the ticker's checkpoints; a done result deletes them."""
    checkpoints = tmp_path / "run" / ".checkpoints"
    kept = checkpoints / "T" / "key1"
    (kept / "fold0").mkdir(parents=True)
    (kept / "fold0" / "fit.json").write_text("{}")
    (checkpoints / "U" / "key2").mkdir(parents=True)  # another ticker's, left alone
    notebook = nbformat.read(probe_notebook, as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import pathlib\n"
            "for name in ('forecasts.csv', 'metrics.csv', 'result.json'):\n"
            "    pathlib.Path(name).write_text('x')"
        )
    )
    writing = tmp_path / "writing.ipynb"
    nbformat.write(notebook, writing)

    def task(value: int) -> NotebookTask:
        return NotebookTask(
            label="T",
            notebook=str(writing),
            output=str(tmp_path / "run" / "T" / "probe.ipynb"),
            parameters={"value": value},
            key="k",
            cwd=str(tmp_path / "run" / "T"),
            threads=1,
            result_dir=str(tmp_path / "run" / "T"),
            checkpoint_dir=str(kept),
        )

    assert execute_task(task(2)).status == "failed"
    assert (kept / "fold0" / "fit.json").read_text() == "{}"
    outcome = execute_task(task(1))
    assert outcome.status == "done", outcome.message
    assert read_done(tmp_path / "run" / "T") == "k"
    assert not (checkpoints / "T").exists() and (checkpoints / "U" / "key2").is_dir()


def test_dask_local_cluster(tmp_path, notebook_dir, cheap_run) -> None:
    pytest.importorskip("distributed")
    summary = run_pipeline(
        ["KO", "XOM"],
        output=tmp_path / "runs",
        jobs=2,
        executor="dask",
        notebook_dir=notebook_dir,
        **CHEAP,
    )
    assert sorted(summary.done) == ["KO", "XOM"] and not summary.failures
    assert _record(summary.run_dir)["executor"] == "dask"
    for ticker in ("KO", "XOM"):
        pd.testing.assert_frame_equal(
            read_results(summary.run_dir / ticker).metrics,
            read_results(cheap_run.run_dir / ticker).metrics,
        )


def test_latest_run_is_found(tmp_path, cheap_run) -> None:
    assert runs.resolve_run_dir(output=cheap_run.run_dir.parent) == cheap_run.run_dir
    assert runs.resolve_run_dir(cheap_run.run_id, cheap_run.run_dir.parent) == cheap_run.run_dir
    with pytest.raises(FileNotFoundError, match="no run found"):
        runs.resolve_run_dir(output=tmp_path)
    with pytest.raises(FileNotFoundError, match="is not a run directory"):
        runs.resolve_run_dir(tmp_path)


# ----------------------------------------------------------------------------------------------
# What a result key covers
# ----------------------------------------------------------------------------------------------


def _plan(notebook_dir: Path, output: Path, parameters: dict | None = None):
    """The plan of a cheap quick-profile run over KO (nothing is written or executed)."""
    return make_plan(
        ["KO"],
        source="skfolio",
        profile="quick",
        output=output,
        start=None,
        end=None,
        models="random_walk,drift",
        n_seeds=None,
        epochs=None,
        run_id=None,
        parameters=parameters,
        csv_dir=None,
        notebook_dir=notebook_dir,
        kernel_name=runner.KERNEL_NAME,
    )


def _plan_key(notebook_dir: Path, output: Path) -> str:
    return _plan(notebook_dir, output).tickers[0].key


def _touch(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")


def test_result_key_covers_the_notebooks_code_only(
    tmp_path, notebook_dir, cheap_run, monkeypatch
) -> None:
    finished = read_done(cheap_run.run_dir / "KO")
    assert _plan_key(notebook_dir, cheap_run.run_dir.parent) == finished
    package = tmp_path / "lstmgru"
    shutil.copytree(keys.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(keys, "PACKAGE_DIR", package)
    for unkeyed in (
        package / "report" / "latex.py",
        package / "runner" / "cli.py",
        package / "cli.py",
    ):
        _touch(unkeyed)
    assert _plan_key(notebook_dir, cheap_run.run_dir.parent) == finished
    _touch(package / "models" / "naive.py")
    assert _plan_key(notebook_dir, cheap_run.run_dir.parent) != finished


def test_rolling_protocol_is_planned_from_notebook_parameters(tmp_path, notebook_dir) -> None:
    """``-p protocol rolling`` reaches the configuration each ticker's notebook builds."""
    parameters = {"protocol": "rolling", "first_test": "2021-01-01", "n_folds": 0}
    plan = _plan(notebook_dir, tmp_path, parameters)
    data = plan.record["config"]["data"]
    assert (data["protocol"], data["first_test"], data["n_folds"]) == (
        "rolling",
        "2021-01-01",
        None,
    )
    assert plan.tickers[0].parameters["protocol"] == "rolling"


def test_checkpoint_folder_is_per_ticker_and_key(tmp_path, notebook_dir) -> None:
    """The runner gives each ticker's notebook ``<run_dir>/.checkpoints/<ticker>/<key>``, which
    outlives failed attempts of the same key; the parameter is the runner's alone, and the
    tuning grid reaches the configuration (\"\" keeps the profile's)."""
    plan = _plan(notebook_dir, tmp_path)
    task = plan.tickers[0]
    expected = plan.run_dir / ".checkpoints" / "KO" / task.key[:8]
    assert task.parameters["checkpoint_dir"] == task.checkpoint_dir == str(expected)
    assert plan.record["config"]["tuning"] == "learning_rate=0.001,0.003"
    tuned = _plan(notebook_dir, tmp_path, {"tuning": "dropout=0,0.2"})
    assert tuned.record["config"]["tuning"] == "dropout=0.0,0.2"
    assert tuned.tickers[0].key != task.key
    profile_grid = _plan(notebook_dir, tmp_path, {"tuning": ""}).record["config"]["tuning"]
    assert profile_grid == "learning_rate=0.001,0.003"
    with pytest.raises(ValueError, match="'checkpoint_dir' is set by the runner"):
        _plan(notebook_dir, tmp_path, {"checkpoint_dir": str(tmp_path)})
