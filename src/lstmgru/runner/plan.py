"""Planning a run: every argument validated, configurations resolved and keys computed, before
anything is written or executed.

:func:`make_plan` checks tickers (against the offline lists or the CSV folder), the notebook
parameters (names and the types the notebook declares), the configuration each ticker's notebook
will build and that each ticker's data load; it raises one ``ValueError`` naming the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstmgru import runs
from lstmgru.config import PROFILES, SOURCES, ExperimentConfig, parameter_names
from lstmgru.data import available_tickers, config_options, load_prices, provenance
from lstmgru.runner.keys import code_digest, digest, file_digest, result_key
from lstmgru.runner.tasks import NotebookTask
from lstmgru.runs import (
    COMPARISON_NOTEBOOK,
    DATA_NOTEBOOK,
    EXPERIMENT_NOTEBOOK,
    LATEST,
    LEAKAGE_NOTEBOOK,
    LOCK_FILE,
    NOTEBOOK_DIR,
    RUN_RECORD,
    THEORY_NOTEBOOK,
)

__all__ = [
    "BENCHMARK_MODEL",
    "CHECKPOINTS",
    "EXECUTORS",
    "OPTIONAL_RUNNER_PARAMETERS",
    "RUNNER_PARAMETERS",
    "ZERO_MEANS_PROFILE",
    "RunPlan",
    "check_arguments",
    "config_kwargs",
    "make_plan",
    "notebook_parameters",
]

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
#: Parameters the runner sets when the experiment notebook declares them (never ``-p``).
OPTIONAL_RUNNER_PARAMETERS = ("checkpoint_dir",)
#: Folder of the run directory holding each ticker's checkpoints while its result is not done:
#: ``<run_dir>/.checkpoints/<ticker>/<key>`` survives failed and interrupted attempts of the same
#: result key and is deleted once the ticker's result is done (:mod:`lstmgru.checkpoints`).
CHECKPOINTS = ".checkpoints"
#: The model every other model is scored against (03_experiment needs it).
BENCHMARK_MODEL = "random_walk"
#: Integer notebook parameters where 0 means "the profile's value".
ZERO_MEANS_PROFILE = ("n_seeds", "epochs", "window", "n_folds", "validation_days")
_RESERVED_NAMES = frozenset({RUN_RECORD, LATEST, LOCK_FILE, runs.HOLDER_FILE})


@dataclass(frozen=True)
class RunPlan:
    run_id: str
    run_dir: Path
    output: Path
    tickers: tuple[NotebookTask, ...]
    chapters: tuple[NotebookTask, ...]
    missing: tuple[str, ...]
    comparison: Path | None
    leakage: Path | None
    record: dict[str, Any]
    kernel_name: str


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
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


def config_kwargs(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``from_parameters`` from notebook parameters, as the notebook
    builds them (``""`` and, for :data:`ZERO_MEANS_PROFILE`, ``0`` mean the profile's value)."""
    names = parameter_names()
    return {
        name: None if name in ZERO_MEANS_PROFILE and value == 0 else value
        for name, value in parameters.items()
        if name in names
    }


def check_arguments(
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
    owned = RUNNER_PARAMETERS + OPTIONAL_RUNNER_PARAMETERS
    options = [n for n in declared if n not in owned]
    for name, value in extra.items():
        if name in owned:
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


def make_plan(
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
) -> RunPlan:
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
    declared = notebook_parameters(experiment)
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
        **config_kwargs({"ticker": tickers[0], "source": source, **extra}),
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
        config = ExperimentConfig.from_parameters(profile, **config_kwargs(nb_parameters))
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
        config_digest = digest(
            {"config": run_config, "parameters": extra, "csv_dir": str(csv_dir or "")}
        )
        run_id = f"{profile}-{source}-{config_digest[:8]}"
    run_dir = Path(output).resolve() / run_id

    ticker_tasks = []
    notebook_digest = file_digest(experiment)
    code = code_digest()
    for ticker, (nb_parameters, config, sha) in per_ticker.items():
        directory = run_dir / ticker
        key = result_key(
            code,
            config=config.to_dict(),
            data_sha256=sha,
            parameters=nb_parameters,
            notebook=notebook_digest,
        )
        # Kept across attempts of this key; the notebook resumes from it (not part of the key).
        checkpoints = run_dir / CHECKPOINTS / ticker / key[:8]
        runner_set: dict[str, Any] = {"results_dir": str(directory), "progress": False}
        if "checkpoint_dir" in declared:
            runner_set["checkpoint_dir"] = str(checkpoints)
        ticker_tasks.append(
            NotebookTask(
                label=ticker,
                notebook=str(experiment),
                output=str(directory / EXPERIMENT_NOTEBOOK),
                parameters={**nb_parameters, **runner_set},
                key=key,
                kernel_name=kernel_name,
                result_dir=str(directory),
                checkpoint_dir=str(checkpoints) if "checkpoint_dir" in declared else None,
            )
        )

    chapters: list[NotebookTask] = []
    missing: list[str] = []
    theory = notebooks / THEORY_NOTEBOOK
    if theory.is_file():
        # The run's configuration as the first ticker's notebook gets it, for the parameters
        # the chapter declares (units, window and training windows of the run).
        first_parameters = per_ticker[tickers[0]][0]
        theory_parameters = {
            name: first_parameters[name]
            for name in notebook_parameters(theory)
            if name in first_parameters
        }
        chapters.append(
            NotebookTask(
                label=THEORY_NOTEBOOK,
                notebook=str(theory),
                output=str(run_dir / THEORY_NOTEBOOK),
                parameters=theory_parameters,
                key=result_key(
                    code,
                    notebook=file_digest(theory),
                    parameters=theory_parameters,
                    data_sha256=first_sha,
                ),
                kernel_name=kernel_name,
            )
        )
    else:
        missing.append(THEORY_NOTEBOOK)
    data_notebook = notebooks / DATA_NOTEBOOK
    if data_notebook.is_file():
        data_parameters = {}
        for name in notebook_parameters(data_notebook):
            if hasattr(first_config.data, name):
                value = getattr(first_config.data, name)
                data_parameters[name] = "" if value is None else value
        key = result_key(
            code,
            notebook=file_digest(data_notebook),
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
    leakage = notebooks / LEAKAGE_NOTEBOOK
    if not leakage.is_file():
        missing.append(LEAKAGE_NOTEBOOK)
    record = {
        "run_id": run_id,
        "tickers": list(tickers),
        "source": source,
        "profile": profile,
        "parameters": {k: v for k, v in shared.items() if k not in ("source", "profile")},
        "csv_dir": str(csv_dir) if csv_dir is not None else None,
        "config": run_config,
    }
    return RunPlan(
        run_id=run_id,
        run_dir=run_dir,
        output=Path(output).resolve(),
        tickers=tuple(ticker_tasks),
        chapters=tuple(chapters),
        missing=tuple(missing),
        comparison=comparison if comparison.is_file() else None,
        leakage=leakage if leakage.is_file() else None,
        record=record,
        kernel_name=kernel_name,
    )
