"""Reading and writing the machine-readable results of one experiment run.

A result directory holds ``forecasts.csv`` (actual, previous close and each model's price
forecast by date), ``metrics.csv`` (the comparison table), ``seed_scores.csv`` (networks seed by
seed, when any) and ``result.json`` (config, provenance, versions, wall times, model records).
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

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
    missing = [
        n for n in ("forecasts.csv", "metrics.csv", "result.json") if not (directory / n).is_file()
    ]
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
