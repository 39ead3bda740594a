"""The appendices of the thesis (``generated/appendix.tex``): the numerical checks of the
equations and the experiments on each instrument (converted elsewhere, \\input here), then the
reproducibility record: the run, its parts, the software, the data provenance and the
configuration as readable tables."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import nbformat

from lstmgru import findings
from lstmgru.report import design
from lstmgru.report.generated import render
from lstmgru.report.markdown import latex_escape
from lstmgru.report.paths import RunNotebooks

__all__ = ["appendix_latex"]

# ----------------------------------------------------------------------------------------------
# Appendix
# ----------------------------------------------------------------------------------------------


def _tt(text: object) -> str:
    return r"\texttt{" + latex_escape(text) + "}"


def _breakable_tt(text: object) -> str:
    """Typewriter text that may break after ``/``, ``.``, ``_`` and ``,`` (paths, lists)."""
    if text in (None, "", "--"):
        return "--"
    escaped = re.sub(r"(/|\.|\\_|,)", r"\1\\allowbreak{}", latex_escape(text))
    return r"\texttt{" + escaped + "}"


def _value(value: Any) -> str:
    """A setting's value as LaTeX text: dash for none, yes/no, lists joined, numbers compact."""
    if value is None or value == "" or value == []:
        return "--"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return latex_escape(f"{value:g}")
    if isinstance(value, list | tuple):
        return latex_escape(", ".join(str(_plain(v)) for v in value))
    return latex_escape(str(value))


def _plain(value: Any) -> Any:
    return f"{value:g}" if isinstance(value, float) else value


def _when(value: Any) -> str:
    """An ISO time stamp as ``YYYY-MM-DD HH:MM:SS`` (UTC as recorded); a dash when missing."""
    if not value:
        return "--"
    return latex_escape(str(value)[:19].replace("T", " "))


def _seconds(value: Any) -> str:
    if not isinstance(value, int | float):
        return "--"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


#: Readable names of the settings of a run's configuration (``ExperimentConfig.to_dict()``,
#: flattened with dots); a setting not listed here is named after its key.
SETTING_NAMES: Mapping[str, str] = {
    "profile": "Profile",
    "data.source": "Data source",
    "data.ticker": "Instrument",
    "data.start": "First date requested",
    "data.end": "Last date requested",
    "data.csv_path": "CSV file",
    "data.date_column": "CSV date column",
    "data.close_column": "CSV price column",
    "data.open_column": "CSV open column",
    "data.high_column": "CSV high column",
    "data.low_column": "CSV low column",
    "data.volume_column": "CSV volume column",
    "data.date_format": "CSV date format",
    "data.encoding": "CSV encoding",
    "data.sep": "CSV field separator",
    "data.thousands": "CSV thousands mark",
    "data.decimal": "CSV decimal mark",
    "data.max_gap": "Longest gap filled (days)",
    "data.suspicious": "Suspicious prices",
    "data.train_fraction": "Training share (single split)",
    "data.validation_fraction": "Validation share (single split)",
    "data.protocol": "Evaluation protocol",
    "data.fold": "Test folds by",
    "data.fold_days": "Days per test fold",
    "data.first_test": "First test day requested",
    "data.n_folds": "Folds kept (last)",
    "data.validation_days": "Validation days per fold",
    "model.target": "Network target",
    "model.window": "Input window (days)",
    "model.units": "Units per recurrent layer",
    "model.dropout": "Dropout rate",
    "model.learning_rate": "Learning rate",
    "model.batch_size": "Batch size",
    "model.epochs": "Maximum epochs",
    "model.patience": "Early-stopping patience (epochs)",
    "model.loss": "Training loss",
    "model.jit_compile": "XLA compilation",
    "model.fused_kernels": "Fused CPU loops",
    "models": "Models",
    "seeds": "Seeds",
    "arima_max_p": "ARIMA: largest p",
    "arima_max_q": "ARIMA: largest q",
    "arima_criterion": "ARIMA and AR: criterion",
    "arima_refit_every": "ARIMA: refit every (days; 0: never)",
    "ar_max_p": "AR: largest order",
    "tuning": "Tuning grid",
}


#: Settings of the CSV reader, left out of the configuration tables when no experiment read a CSV.
CSV_SETTINGS = frozenset(
    {
        "data.csv_path",
        "data.date_column",
        "data.close_column",
        "data.open_column",
        "data.high_column",
        "data.low_column",
        "data.volume_column",
        "data.date_format",
        "data.encoding",
        "data.sep",
        "data.thousands",
        "data.decimal",
    }
)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level of dotted keys (lists and scalars kept as values)."""
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _setting_name(key: str) -> str:
    if key in SETTING_NAMES:
        return latex_escape(SETTING_NAMES[key])
    return latex_escape(key.split(".")[-1].replace("_", " ").capitalize())


def _setting_value(key: str, value: Any) -> str:
    if key == "models" and isinstance(value, list | tuple):
        return latex_escape(", ".join(findings.display_name(str(m)) for m in value))
    if key == "tuning":
        return latex_escape(design.grid_text(str(value or "")))
    if key == "data.csv_path" and value:
        return _breakable_tt(value)
    return _value(value)


def _settings(per_ticker: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Settings shared by every experiment (``common``) and those that differ, per ticker."""
    keys: list[str] = []
    for values in per_ticker.values():
        keys.extend(k for k in values if k not in keys)
    common = [k for k in keys if len({repr(v.get(k)) for v in per_ticker.values()}) == 1]
    first = next(iter(per_ticker.values()))
    return {
        "columns": [latex_escape(n) for n in per_ticker],
        "common": [(_setting_name(k), _setting_value(k, first[k])) for k in common],
        "differing": [
            (_setting_name(k), *(_setting_value(k, v.get(k)) for v in per_ticker.values()))
            for k in keys
            if k not in common
        ],
    }


def _versions(notebooks: RunNotebooks) -> dict[str, Any] | None:
    versions: dict[str, dict[str, str]] = {}
    if isinstance(notebooks.run.record.get("versions"), Mapping):
        versions["run"] = {k: str(v) for k, v in notebooks.run.record["versions"].items()}
    for ticker, result in notebooks.run.results.items():
        if isinstance(result.record.get("versions"), Mapping):
            versions[ticker] = {k: str(v) for k, v in result.record["versions"].items()}
    if not versions:
        return None
    if len({json.dumps(v, sort_keys=True) for v in versions.values()}) == 1:
        merged = next(iter(versions.values()))
        return {
            "columns": ["Version"],
            "rows": [(latex_escape(k), _breakable_tt(v)) for k, v in merged.items()],
        }
    keys = sorted({k for v in versions.values() for k in v})
    return {
        "columns": [latex_escape(n) for n in versions],
        "rows": [
            (latex_escape(k), *(_breakable_tt(v.get(k, "--")) for v in versions.values()))
            for k in keys
        ],
    }


#: Names of the chapters computed once per run, by the stem of their source file.
_PART_NAMES = {
    "01_equations": "Theory",
    "02_data": "Data",
    "04_comparison": "Results",
    "05_leakage": "Leakage check",
}
#: Settings of run.json that override the profile, by name.
_OVERRIDES = {
    "start": "first date",
    "end": "last date",
    "models": "models",
    "n_seeds": "seeds",
    "epochs": "maximum epochs",
}


def _run_rows(notebooks: RunNotebooks) -> list[tuple[str, str]]:
    """Key-value rows of the run record (``run.json``), in readable words."""
    record = notebooks.run.record
    overrides = {
        _OVERRIDES.get(k, k.replace("_", " ")): v
        for k, v in (record.get("parameters") or {}).items()
        if v not in (None, "", 0, [])
    }
    tickers = record.get("tickers") or list(notebooks.run.results)
    rows = [
        ("Run identifier", _tt(notebooks.run_id)),
        ("Instruments", latex_escape(", ".join(map(str, tickers))) if tickers else "--"),
        ("Data source", latex_escape(record.get("source") or "--")),
        ("Profile", latex_escape(record.get("profile") or "--")),
        (
            "Settings overriding the profile",
            latex_escape("; ".join(f"{k}: {_plain(v)}" for k, v in overrides.items()))
            if overrides
            else "none",
        ),
    ]
    if record.get("csv_dir"):
        rows.append(("CSV directory", _breakable_tt(record["csv_dir"])))
    rows += [
        ("Status", latex_escape(record.get("status") or "--")),
        ("Created (UTC)", _when(record.get("created"))),
        ("Started (UTC)", _when(record.get("started"))),
        ("Finished (UTC)", _when(record.get("finished"))),
        ("Wall time (s)", _seconds(record.get("wall_s"))),
        ("Parallel jobs", _value(record.get("jobs"))),
        ("Executor", latex_escape(record.get("executor") or "--")),
    ]
    if record.get("scheduler"):
        rows.append(("Scheduler", _breakable_tt(record["scheduler"])))
    rows.append(("Threads per job", _value(record.get("threads_per_job"))))
    return rows


def _part_rows(notebooks: RunNotebooks) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """One row per computed part (chapter or instrument), and the parts that failed (why)."""
    record = notebooks.run.record
    executed = {path.resolve(): name for name, path in notebooks.executed().items()}
    timing: dict[str, dict[str, Any]] = {}
    for path, name in executed.items():
        meta = nbformat.read(path, as_version=4).metadata.get("papermill", {})
        timing[name] = {"start": meta.get("start_time"), "seconds": meta.get("duration")}
    rows: list[tuple[str, ...]] = []
    failed: list[tuple[str, str]] = []

    def add(part: str, source: str, status: Mapping[str, Any]) -> None:
        when = timing.get(source, {})
        rows.append(
            (
                latex_escape(part),
                _breakable_tt(source),
                _when(when.get("start")),
                _seconds(when.get("seconds", status.get("wall_s"))),
                _tt(status["key"]) if status.get("key") else "--",
                latex_escape(status.get("status") or ("done" if when else "--")),
            )
        )
        if status.get("error"):
            failed.append((latex_escape(part), latex_escape(status["error"])))

    chapters = record.get("notebooks") or {}
    for stem in ("01_equations", "02_data"):
        if stem in chapters or f"{stem}.ipynb" in timing:
            add(_PART_NAMES[stem], f"{stem}.ipynb", chapters.get(stem) or {})
    statuses = record.get("ticker_status") or {}
    for ticker in record.get("tickers") or list(notebooks.run.results):
        source = f"{ticker}/03_experiment.ipynb"
        add(f"Experiment on {ticker}", source, statuses.get(ticker) or {})
    for stem, status in chapters.items():
        if stem in ("01_equations", "02_data"):
            continue
        add(_PART_NAMES.get(stem, stem), f"{stem}.ipynb", status or {})
    return rows, failed


def _inputs_rows(notebooks: RunNotebooks) -> list[tuple[str, str]]:
    """Hash of each instrument's results as the results chapter read them."""
    chapters = notebooks.run.record.get("notebooks") or {}
    inputs = (chapters.get("04_comparison") or {}).get("inputs") or []
    return [
        (latex_escape(pair[0]), _tt(pair[1]))
        for pair in inputs
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]


_PROVENANCE = ("source", "first_date", "last_date", "rows", "forward_filled")


def appendix_latex(
    notebooks: RunNotebooks, experiments: Any | None = None, appendices: Sequence[Any] = ()
) -> str:
    """The appendices: the appendix parts of the chapters (``appendices``, chapters with a ``path``:
    the numerical checks of the theory), the experiments of each instrument (``experiments``,
    the chapter written by :func:`lstmgru.report.chapters.experiments_chapter`, when the run
    has one) and the reproducibility record in key-value tables: run, computed parts, software,
    data, configuration."""
    run = notebooks.run
    provenance = {t: r.record.get("provenance") or {} for t, r in run.results.items()}
    provenance = {t: p for t, p in provenance.items() if p}
    configs = {t: _flatten(r.record.get("config") or {}) for t, r in run.results.items()}
    configs = {t: c for t, c in configs.items() if c}
    csv = any(c.get("data.source") == "csv" for c in configs.values())
    if not csv:
        configs = {
            t: {k: v for k, v in c.items() if k not in CSV_SETTINGS} for t, c in configs.items()
        }
    parts, failed = _part_rows(notebooks)
    # a skipped part was reused from an earlier execution with the same result key: finished
    finished = all(row[-1] in ("done", "skipped") for row in parts)
    reused = any(row[-1] == "skipped" for row in parts)
    return render(
        "appendix",
        appendices=[chapter.path[:-4] for chapter in appendices],
        experiments=experiments.path[:-4] if experiments is not None else None,
        record_rows=_run_rows(notebooks),
        parts=[row[:-1] for row in parts] if finished else parts,
        finished=finished,
        reused=reused,
        csv=csv,
        failed=failed,
        inputs=_inputs_rows(notebooks),
        versions=_versions(notebooks),
        provenance=[
            [latex_escape(t)] + [latex_escape(p.get(k, "--")) for k in _PROVENANCE]
            for t, p in provenance.items()
        ],
        hashes=[
            (latex_escape(t), r"{\footnotesize" + _tt(p.get("sha256", "--")) + "}")
            for t, p in provenance.items()
        ],
        config=_settings(configs) if configs else None,
    )
