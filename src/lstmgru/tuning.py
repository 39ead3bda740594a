"""Tuning grids of the networks: parsing, grid points, the choice by validation loss.

A grid names hyper-parameters of :class:`~lstmgru.config.ModelConfig` and the values to try,
as flat text (a notebook or runner parameter)::

    learning_rate=0.001,0.003;dropout=0,0.2

Its points are every combination of the values (here four). Before each fold,
:func:`lstmgru.experiment.run_experiment` fits every point with the first seed on the fold's
training span, early-stopped on its validation span, and keeps the point of lowest best
validation loss (:func:`choose`); the test span is never looked at. Every network family gets
the same grid, so each has the same budget of fits. The validation loss of every point is
computed on the same days (every day of the fold's validation span, whatever the window) and on
the same scale (the target scaled by the training span's mean and standard deviation), so the
losses are comparable across points.

Tunable names (:data:`TUNABLE`): ``units`` (a value ``u`` builds every recurrent layer with
``u`` units; the size-matched stacks ``lstm_lstm`` and ``gru_gru`` are then sized to the hybrid
built with ``u``, see :func:`lstmgru.models.sizing.network_units`), ``window`` (trading days),
``dropout`` and ``learning_rate``. This module imports nothing of the project.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = [
    "NO_TUNING",
    "TUNABLE",
    "apply_point",
    "choose",
    "format_grid",
    "grid_points",
    "largest_window",
    "parse_grid",
    "point_label",
    "tuning_table",
]

#: Hyper-parameters a grid may name, with the type of their values.
TUNABLE: dict[str, type] = {
    "units": int,
    "window": int,
    "dropout": float,
    "learning_rate": float,
}
#: The grid text that switches tuning off (an empty text means "the profile's grid" where a
#: profile supplies one, see :meth:`lstmgru.config.ExperimentConfig.from_parameters`).
NO_TUNING = "none"

_EXAMPLE = "learning_rate=0.001,0.003;dropout=0,0.2"


def _value(name: str, text: str) -> int | float:
    kind = TUNABLE[name]
    try:
        value: int | float = kind(text) if kind is float else int(text)
    except ValueError:
        what = "integers" if kind is int else "numbers"
        raise ValueError(f"tuning: {name} takes {what}, got {text!r} (e.g. {_EXAMPLE})") from None
    if kind is int and value < 1:
        raise ValueError(f"tuning: {name} values must be positive integers, got {text!r}")
    if name == "dropout" and not 0.0 <= value < 1.0:
        raise ValueError(f"tuning: dropout values must lie in [0, 1), got {text!r}")
    if name == "learning_rate" and not (math.isfinite(value) and value > 0):
        raise ValueError(f"tuning: learning_rate values must be positive, got {text!r}")
    return value


def parse_grid(grid: str | Mapping[str, Sequence[Any]] | None) -> dict[str, tuple[Any, ...]]:
    """The grid of a tuning text (or mapping), checked.

    Parameters
    ----------
    grid : str, mapping or None
        ``"name=v1,v2;name=v1,..."`` over names of :data:`TUNABLE`; ``None``, ``""`` and
        ``"none"`` give the empty grid (no tuning). A mapping of names to value lists is
        checked the same way.

    Returns
    -------
    dict of str to tuple
        Names in the order given; values typed (``int`` for units and window, ``float`` for
        dropout and learning_rate), in the order given.

    Raises
    ------
    ValueError
        For an unknown name (with close matches), a name given twice, a missing ``=``, no or
        repeated values, or a value of the wrong type or range.
    """
    if grid is None:
        return {}
    if isinstance(grid, str):
        text = grid.strip()
        if text in ("", NO_TUNING):
            return {}
        items: list[tuple[str, list[str]]] = []
        for part in text.split(";"):
            if not part.strip():
                continue
            name, sep, values = part.partition("=")
            if not sep:
                raise ValueError(
                    f"tuning: {part.strip()!r} lacks '='; write name=value,value;... "
                    f"(e.g. {_EXAMPLE}), or {NO_TUNING!r} for no tuning"
                )
            items.append((name.strip(), [v.strip() for v in values.split(",") if v.strip()]))
    elif isinstance(grid, Mapping):
        items = [(str(k), [str(v) for v in vs]) for k, vs in grid.items()]
    else:
        raise ValueError(f"tuning must be a text such as {_EXAMPLE!r}, got {grid!r}")
    out: dict[str, tuple[Any, ...]] = {}
    for name, values in items:
        if name not in TUNABLE:
            close = difflib.get_close_matches(name, list(TUNABLE), n=2, cutoff=0.5)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ValueError(
                f"tuning: unknown hyper-parameter {name!r}.{hint} Tunable: {', '.join(TUNABLE)}."
            )
        if name in out:
            raise ValueError(f"tuning: {name} is given twice; list all its values once")
        if not values:
            raise ValueError(f"tuning: {name} has no values (e.g. {name}=...,...)")
        typed = tuple(_value(name, v) for v in values)
        if len(set(typed)) != len(typed):
            raise ValueError(f"tuning: {name} lists a value twice: {', '.join(values)}")
        out[name] = typed
    return out


def format_grid(grid: Mapping[str, Sequence[Any]]) -> str:
    """The canonical text of a grid (``""`` for the empty grid); :func:`parse_grid` reads it."""
    return ";".join(f"{name}={','.join(repr(v) for v in values)}" for name, values in grid.items())


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the first name varying slowest.

    The empty grid has one point, ``{}`` (the configured values).
    """
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def point_label(point: Mapping[str, Any]) -> str:
    """``learning_rate=0.001, dropout=0.2``: a point for tables and messages."""
    return ", ".join(f"{k}={v!r}" for k, v in point.items()) or "configured values"


def largest_window(grid: Mapping[str, Sequence[Any]], window: int) -> int:
    """The longest input window of the grid (``window`` when the grid does not tune it).

    Folds are cut with it, so that every point has its full context in every fold.
    """
    return max(grid.get("window", (window,)))


def apply_point(model: Any, point: Mapping[str, Any]) -> Any:
    """A :class:`~lstmgru.config.ModelConfig` with the values of one grid point.

    ``units=u`` gives every layer of ``model.units`` ``u`` units.
    """
    values = dict(point)
    if "units" in values:
        values["units"] = (int(values["units"]),) * len(model.units)
    return dataclasses.replace(model, **values)


def choose(points: Sequence[Mapping[str, Any]], losses: Sequence[float | None]) -> int:
    """Index of the point of lowest validation loss; the earliest point wins a tie.

    Parameters
    ----------
    points : sequence of dict
        Grid points, as from :func:`grid_points`.
    losses : sequence of float or None
        Best validation loss of each point (training-loss units on the scaled target); ``None``
        or NaN for a point without one (e.g. a diverged fit), which is never chosen.

    Raises
    ------
    ValueError
        When the lengths differ, or no point has a finite loss.
    """
    if len(points) != len(losses) or not points:
        raise ValueError(f"choose needs one loss per point: {len(points)} points, {len(losses)}")
    finite = [
        (float(loss), i)
        for i, loss in enumerate(losses)
        if loss is not None and math.isfinite(float(loss))
    ]
    if not finite:
        raise ValueError(
            "no grid point has a finite validation loss; every fit diverged or had no "
            "validation span. Lower the learning rates of the tuning grid"
        )
    return min(finite)[1]


def tuning_table(fold_models: Mapping[str, Sequence[Mapping[str, Any]]]) -> pd.DataFrame:
    """Chosen hyper-parameters per fold and network family, with their validation loss.

    Parameters
    ----------
    fold_models : mapping
        ``model_info()["fold_models"]`` of an experiment result (or of a stored
        ``result.json``).

    Returns
    -------
    pandas.DataFrame
        Index ``(fold, model)``; one column per tuned hyper-parameter (the chosen value),
        ``val_loss`` (best validation loss of the chosen point, training-loss units on the
        scaled target) and ``points`` (grid points tried). Empty when nothing was tuned.
    """
    rows = []
    for model, records in fold_models.items():
        for record in records:
            losses = record.get("tuning_losses")
            if not losses:
                continue
            chosen = dict(record.get("tuned", {}))
            loss = next(
                (p["val_loss"] for p in losses if {k: p[k] for k in chosen} == chosen), None
            )
            rows.append(
                {
                    "fold": record["fold"],
                    "model": model,
                    **chosen,
                    "val_loss": loss,
                    "points": len(losses),
                }
            )
    if not rows:
        return pd.DataFrame()
    rows.sort(key=lambda row: row["fold"])  # stable: families keep their configured order
    return pd.DataFrame(rows).set_index(["fold", "model"])
