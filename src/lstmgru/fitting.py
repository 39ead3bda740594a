"""Fitting the models of one fold: networks tuned per family, every fit checkpointed.

:func:`fit_fold` is one fold of :func:`lstmgru.experiment.run_experiment`: every configured
model fitted on the fold's training span (networks early-stopped on its validation span) and its
test days forecast. With a tuning grid (:mod:`lstmgru.tuning`) each network family first fits
every grid point with the first seed and keeps the point of lowest best validation loss; the
other seeds are fitted with that point, and the first seed's fit of it is reused as its member.
:class:`Fitter` makes one fit, or loads it from a :class:`~lstmgru.checkpoints.CheckpointStore`.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from lstmgru.checkpoints import CheckpointStore
from lstmgru.config import ExperimentConfig
from lstmgru.folds import Fold
from lstmgru.models import Forecast, build_forecaster, ensemble
from lstmgru.tuning import apply_point, choose, grid_points

__all__ = ["SEED_SEPARATOR", "Fitter", "fit_fold"]

#: Separates a network's name from its seed in single-seed labels (``lstm#s0``).
SEED_SEPARATOR = "#s"


class Fitter:
    """Fits one model on one fold, or loads the fit from a checkpoint; times both."""

    def __init__(
        self,
        config: ExperimentConfig,
        store: CheckpointStore | None,
        wall_time: dict[str, float],
        *,
        keep_weights: bool,
    ) -> None:
        self.config = config
        self.store = store
        self.wall_time = wall_time
        self.keep_weights = keep_weights
        self.bar: Any = None

    def fit(
        self,
        fold: Fold,
        name: str,
        seed: int | None,
        point: dict[str, Any] | None = None,
        point_index: int | None = None,
    ) -> tuple[Forecast, Callable[[Path], Any] | None]:
        """The fold's forecast of one fit and a function saving its weights (networks)."""
        started = time.perf_counter()
        network = seed is not None
        path = key = None
        if self.store is not None:
            path = self.store.path(fold.index, name, seed, point_index)
            key = self.store.key(fold.record(), name, seed, point)
            cached = self.store.load(path, key, need_weights=network and self.keep_weights)
            if cached is not None:
                weights = self.store.weights_dir(path)
                self._done(name, started)
                return cached, (
                    lambda target: shutil.copytree(weights, target)
                ) if network else None
        config = self.config
        if point:
            config = dataclasses.replace(config, model=apply_point(config.model, point))
        forecaster = build_forecaster(name, config, seed=0 if seed is None else seed)
        forecaster.fit(fold.train["close"], fold.validation["close"])
        forecast = forecaster.forecast(fold.close, pd.DatetimeIndex(fold.test.index))
        save = forecaster.save if network else None
        if self.store is not None and path is not None and key is not None:
            forecast = self.store.save(path, key, forecast, save)
        self._done(name, started)
        return forecast, save

    def _done(self, name: str, started: float) -> None:
        self.wall_time[name] = self.wall_time.get(name, 0.0) + time.perf_counter() - started
        if self.bar is not None:
            self.bar.update(1)


def fit_fold(
    fold: Fold,
    n_folds: int,
    config: ExperimentConfig,
    grid: dict[str, tuple[Any, ...]],
    fitter: Fitter,
    weights_dir: str | Path | None,
) -> dict[str, Forecast]:
    """Every model's forecasts of one fold (networks: each seed and their ensemble)."""
    out: dict[str, Forecast] = {}
    where = f"fold {fold.index + 1}/{n_folds} " if n_folds > 1 else ""
    for name in config.models:
        if fitter.bar is not None:
            fitter.bar.set_postfix_str(where + name)
        if name not in config.network_models:
            out[name] = fitter.fit(fold, name, None)[0]
            continue
        first = config.seeds[0]
        chosen: dict[str, Any] = {}
        tuning: dict[str, Any] = {}
        reuse = None
        point_index: int | None = None
        if grid:
            points = grid_points(grid)
            fits = [fitter.fit(fold, name, first, p, i) for i, p in enumerate(points)]
            losses = [f.info.get("best_val_loss") for f, _ in fits]
            point_index = choose(points, losses)
            chosen, reuse = points[point_index], fits[point_index]
            tuning = {
                "tuned": chosen,
                "tuning_grid": {k: list(v) for k, v in grid.items()},
                "tuning_losses": [
                    {**p, "val_loss": loss} for p, loss in zip(points, losses, strict=True)
                ],
            }
        members = []
        for seed in config.seeds:
            forecast, save = (
                reuse
                if reuse is not None and seed == first
                else fitter.fit(fold, name, seed, chosen or None, point_index)
            )
            info = {**forecast.info, **({"tuned": chosen} if grid else {})}
            label = f"{name}{SEED_SEPARATOR}{seed}"
            out[label] = Forecast(
                label, forecast.dates, forecast.log_return, forecast.price, info=info
            )
            members.append(forecast)
            if weights_dir is not None and save is not None:
                target = Path(weights_dir) / name / f"s{seed}"
                save(target / f"fold{fold.index}" if n_folds > 1 else target)
        family = ensemble(members, name=name)
        out[name] = dataclasses.replace(family, info={**family.info, **tuning})
    # The main forecasts first, in the configured order, then the single seeds.
    return {
        **{n: out[n] for n in config.models},
        **{k: v for k, v in out.items() if k not in config.models},
    }
