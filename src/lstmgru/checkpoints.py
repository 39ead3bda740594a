"""Checkpoints of an experiment: every finished fit kept on disk, so a rerun resumes.

:func:`lstmgru.experiment.run_experiment` with a ``checkpoint_dir`` saves the forecast of each
fit (one model, one fold, one seed, one tuning grid point) as soon as it is made, under::

    <checkpoint_dir>/fold<k>/<model>/fit.json          models without a seed
    <checkpoint_dir>/fold<k>/<model>/s<seed>.json      networks without tuning
    <checkpoint_dir>/fold<k>/<model>/s<seed>.p<i>.json networks, point i of the tuning grid
    <checkpoint_dir>/fold<k>/<model>/s<seed>...weights/ the network's weights, history, record

Each file holds a key: the SHA-256 of the configuration, the data's SHA-256, the fold's record
(its spans' dates and rows), the model, the seed and the grid point. A file is reused only when
its key matches the fit asked for, so a changed configuration, data or fold is fitted again.
Files are written through a temporary name and ``os.replace`` (the weights folder first, the
forecast last), so a process killed mid-write leaves either a whole checkpoint or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.models import Forecast

__all__ = ["CheckpointStore", "to_jsonable"]

_ARRAYS = ("log_return", "price", "lower", "upper")


def to_jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars as Python numbers, tuples as lists, other objects as text.

    Non-finite floats stay floats (JSON ``NaN``/``Infinity``), so a record round-trips.
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


class CheckpointStore:
    """Forecasts of finished fits under one directory, keyed by what they depend on.

    Parameters
    ----------
    directory : path
        Created when missing.
    context : mapping
        What every fit depends on besides its fold, model, seed and grid point (the
        configuration and the data's SHA-256); JSON-serialisable.
    """

    def __init__(self, directory: str | os.PathLike[str], context: Mapping[str, Any]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._context = json.dumps(to_jsonable(context), sort_keys=True)

    def path(self, fold: int, model: str, seed: int | None, point: int | None) -> Path:
        """The forecast file of one fit (``point``: index in the tuning grid, or ``None``)."""
        name = "fit" if seed is None else f"s{seed}"
        if point is not None:
            name += f".p{point}"
        return self.directory / f"fold{fold}" / model / f"{name}.json"

    def key(
        self,
        fold: Mapping[str, Any],
        model: str,
        seed: int | None,
        point: Mapping[str, Any] | None,
    ) -> str:
        """SHA-256 of the context, the fold's record, the model, the seed and the grid point."""
        payload = json.dumps(
            to_jsonable({"fold": fold, "model": model, "seed": seed, "point": point}),
            sort_keys=True,
        )
        return hashlib.sha256((self._context + payload).encode()).hexdigest()

    @staticmethod
    def weights_dir(path: Path) -> Path:
        """The folder of a checkpoint's network weights."""
        return path.with_name(path.stem + ".weights")

    def load(self, path: Path, key: str, *, need_weights: bool = False) -> Forecast | None:
        """The checkpointed forecast at ``path`` when its key is ``key``; ``None`` otherwise.

        With ``need_weights`` a checkpoint without its weights folder is not used.
        """
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        if need_weights and not self.weights_dir(path).is_dir():
            return None
        return _decode(record)

    def save(self, path: Path, key: str, forecast: Forecast, save_weights: Any = None) -> Forecast:
        """Write a forecast (and, through ``save_weights(folder)``, the weights); return the
        forecast as a later :meth:`load` returns it (``info`` as JSON values)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if save_weights is not None:
            final = self.weights_dir(path)
            tmp = _temporary(final)
            shutil.rmtree(tmp, ignore_errors=True)
            save_weights(tmp)
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        record = _encode(forecast, key)
        tmp = _temporary(path)
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, path)
        return _decode(json.loads(json.dumps(record)))


def _encode(forecast: Forecast, key: str) -> dict[str, Any]:
    dates = pd.DatetimeIndex(forecast.dates)
    record: dict[str, Any] = {
        "key": key,
        "model": forecast.model,
        "dates": [d.isoformat() for d in dates],
        "dates_name": dates.name,
        "info": to_jsonable(forecast.info),
    }
    for name in _ARRAYS:
        value = getattr(forecast, name)
        record[name] = None if value is None else [float(v) for v in value]
    return record


def _decode(record: Mapping[str, Any]) -> Forecast:
    arrays = {
        name: None if record.get(name) is None else np.asarray(record[name], dtype="float64")
        for name in _ARRAYS
    }
    dates = pd.DatetimeIndex(pd.to_datetime(record["dates"]), name=record.get("dates_name"))
    return Forecast(record["model"], dates, info=dict(record["info"]), **arrays)
