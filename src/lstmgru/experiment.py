"""One experiment on one instrument: every configured model backtested on the same test days.

:func:`run_experiment` loads (or takes) the prices, cuts them into folds by time
(:func:`lstmgru.folds.make_folds`: one chronological split, or rolling-origin folds), and before
each fold fits every configured model afresh on the rows up to the fold's start (networks once per
seed, early-stopped on the fold's validation span, each family first tuned on the fold's
validation span over the grid of ``config.tuning``; :mod:`lstmgru.fitting`), then forecasts every
test day of the fold one step ahead. With a checkpoint folder every fit is kept as it is made and
a rerun resumes from it (:mod:`lstmgru.checkpoints`). The folds' forecasts are joined into one
series per model over all test days, which :class:`ExperimentResult` turns into the tables the
notebooks show and the pipeline stores.
Networks are scored by their seed ensemble (mean forecast log return) in the main table, and seed
by seed in :meth:`~ExperimentResult.seed_scores`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from lstmgru import evaluation
from lstmgru.checkpoints import CheckpointStore
from lstmgru.config import ExperimentConfig
from lstmgru.data import config_options, load_prices, provenance
from lstmgru.features import Split
from lstmgru.fitting import SEED_SEPARATOR, Fitter, fit_fold
from lstmgru.folds import Fold, describe_folds, make_folds
from lstmgru.hooks import pause_point

# The price-level ablation lives in lstmgru.leakage (the chapter on the tutorials' setups); these
# names stay importable from here.
from lstmgru.leakage import ABLATION_MODEL, ablation_table, price_ablation
from lstmgru.models import Forecast
from lstmgru.tuning import (
    grid_points,
    largest_window,
    parse_grid,
    tuning_table,
)

__all__ = [
    "ABLATION_MODEL",
    "FOLD_RECORD_KEYS",
    "SEED_SEPARATOR",
    "ExperimentResult",
    "ablation_table",
    "price_ablation",
    "run_experiment",
]

#: Keys of a forecast's record kept per fold in :meth:`ExperimentResult.model_info`
#: (``fold_models``): what was chosen or learnt for the fold, not the full record.
FOLD_RECORD_KEYS = (
    "order",
    "trend",
    "criterion_value",
    "converged",
    "mean_log_return",
    "seeds",
    "best_epoch",
    "epochs_used",
    "best_val_loss",
    "seed_spread",
    "fit_seconds",
    "train_samples",
    "validation_samples",
    "warnings",
    "tuned",
    "tuning_losses",
)


@dataclass
class ExperimentResult:
    """Forecasts of every model over the test days of one instrument (all folds together).

    Attributes
    ----------
    config : ExperimentConfig
    provenance : dict
        Source, ticker, span, rows and SHA-256 of the data.
    split : Split
        The whole backtest as one split: the first fold's training and validation spans, and
        every test day of every fold as ``test``. With one fold it is that fold.
    folds : tuple of Fold
        The folds, in time order (one for ``protocol='single'``).
    forecasts : dict of str to Forecast
        Main forecasts by model name (networks: the seed ensemble), over all test days; ``info``
        is the last fold's record (its ``fold`` key says which).
    seed_forecasts : dict of str to Forecast
        Networks' single-seed forecasts, named ``model#s<seed>``, likewise.
    fold_forecasts : list of dict of str to Forecast
        Each fold's own forecasts (main and single-seed), with their full records.
    wall_time : dict of str to float
        Seconds spent fitting and forecasting each model (all seeds and folds together).
    """

    config: ExperimentConfig
    provenance: dict[str, Any]
    split: Split
    folds: tuple[Fold, ...] = ()
    forecasts: dict[str, Forecast] = field(default_factory=dict)
    seed_forecasts: dict[str, Forecast] = field(default_factory=dict)
    fold_forecasts: list[dict[str, Forecast]] = field(default_factory=list)
    wall_time: dict[str, float] = field(default_factory=dict)

    @property
    def actual(self) -> pd.Series:
        """Observed closes on the test days."""
        return self.split.test["close"]

    @property
    def previous(self) -> pd.Series:
        """Close of the day before each test day (the random-walk forecast)."""
        return self.split.close.shift(1).loc[self.split.test.index].rename("previous")

    def price_forecasts(self, *, seeds: bool = False) -> pd.DataFrame:
        """Price forecasts, one column per model (``seeds=True``: single seeds too)."""
        models = dict(self.forecasts)
        if seeds:
            models.update(self.seed_forecasts)
        return pd.DataFrame(
            {name: pd.Series(f.price, index=f.dates) for name, f in models.items()}
        ).rename_axis("date")

    def forecast_table(self) -> pd.DataFrame:
        """Actual, previous close and every model's (and seed's) price forecast, by date."""
        return pd.concat(
            [self.actual.rename("actual"), self.previous, self.price_forecasts(seeds=True)],
            axis=1,
        )

    def errors(self) -> pd.DataFrame:
        """Forecast minus actual price, one column per model (price units)."""
        return self.price_forecasts().sub(self.actual, axis=0)

    def comparison(self, *, mcs_reps: int = 1000) -> pd.DataFrame:
        """Metrics and tests per model on log returns (see :func:`lstmgru.evaluation.comparison_table`).

        Over every test day of every fold: Clark-West against the random walk and the drift
        forecast, DM-HLN of the hybrid against its rivals, direction against always-up and
        Pesaran-Timmermann, the model confidence set on squared log-return errors and the
        minimum detectable effect. The return-scale MASE uses the first fold's training span,
        which precedes every test day; its scale (the mean absolute log return over that span)
        is the ``mase_scale`` column, stored in ``metrics.csv`` so that the comparison across
        instruments can recompute the MASE from the stored forecasts.
        """
        return evaluation.comparison_table(
            self.actual,
            self.price_forecasts(),
            previous=self.previous,
            train=self.split.train["close"],
            benchmark="random_walk",
            mcs_reps=mcs_reps,
            seed=0,
        )

    def seed_scores(self) -> pd.DataFrame:
        """Metrics of every network seed: long frame with columns model, seed, metrics."""
        rows = []
        for name, forecast in self.seed_forecasts.items():
            model, seed = name.split(SEED_SEPARATOR)
            scores = evaluation.metrics(
                self.actual,
                pd.Series(forecast.price, index=forecast.dates),
                previous=self.previous,
                train=self.split.train["close"],
                undefined="nan",  # e.g. Theil's U2 of a constant price series
            )
            rows.append({"model": model, "seed": int(seed), **scores})
        return pd.DataFrame(rows)

    def training_history(
        self, model: str, seed: int | None = None, fold: int | None = None
    ) -> pd.DataFrame:
        """Loss and validation loss per epoch of one network seed in one fold.

        Parameters
        ----------
        model : str
        seed : int, optional
            Default: the first seed.
        fold : int, optional
            Index of the fold; default: the last fold (the network trained on the most data).

        Returns
        -------
        pandas.DataFrame
            Index ``epoch`` (1-based); columns ``loss`` and, when validated, ``val_loss``
            (training-loss units on the scaled target).
        """
        seed = self.config.seeds[0] if seed is None else seed
        label = f"{model}{SEED_SEPARATOR}{seed}"
        if label not in self.seed_forecasts:
            raise ValueError(
                f"no network run {label!r}; networks of this run: "
                f"{', '.join(self.seed_forecasts) or 'none'}"
            )
        n_folds = len(self.fold_forecasts)
        fold = n_folds - 1 if fold is None else fold
        if not 0 <= fold < n_folds:
            raise ValueError(f"no fold {fold}; this run has folds 0 to {n_folds - 1}")
        history = self.fold_forecasts[fold][label].info.get("history", {})
        frame = pd.DataFrame({k: v for k, v in history.items() if k in ("loss", "val_loss")})
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
        return frame

    def describe_folds(self) -> pd.DataFrame:
        """One row per fold: first date, last date and rows of its train, validation, test."""
        return describe_folds(self.folds)

    def tuning_table(self) -> pd.DataFrame:
        """Chosen hyper-parameters per fold and network family, with the validation loss.

        See :func:`lstmgru.tuning.tuning_table`; empty when the run has no tuning grid.
        """
        return tuning_table(self.model_info()["fold_models"])

    def fold_orders(self) -> pd.DataFrame:
        """The AR and ARIMA orders chosen before each fold.

        Returns
        -------
        pandas.DataFrame
            Index ``fold``; ``test_first`` and, for each of ``ar`` and ``arima`` in the run,
            ``<model>_order`` (AR: the lag order p; ARIMA: ``(p, d, q)`` as text) and
            ``<model>_trend`` (the deterministic trend term). Only the first column when the
            run has neither model.
        """
        per_fold = self.model_info()["fold_models"]
        rows = {fold.index: {"test_first": str(fold.test.index[0].date())} for fold in self.folds}
        for model in ("ar", "arima"):
            for record in per_fold.get(model, []):
                order = record.get("order")
                if isinstance(order, list | tuple):
                    order = "(" + ", ".join(str(v) for v in order) + ")"
                rows[record["fold"]][f"{model}_order"] = order
                rows[record["fold"]][f"{model}_trend"] = record.get("trend")
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("fold")

    def model_info(self) -> dict[str, Any]:
        """Per-model records, per-fold records and wall times (JSON-serialisable).

        Returns
        -------
        dict
            ``models``: every model's and seed's record from the last fold (orders, epochs,
            histories, warnings; its ``fold`` key names the fold). ``wall_time_s``: seconds per
            model. ``protocol``: ``single`` or ``rolling``. ``folds``: per fold, its index and
            the first date, last date and rows of its spans. ``fold_models``: per model and
            seed, one record per fold with the fold's index, test span and the keys of
            :data:`FOLD_RECORD_KEYS` it has (ARIMA order and trend, drift, best epoch, epochs
            used, best validation loss, fit seconds, ...).
        """
        info = {name: dict(f.info) for name, f in {**self.forecasts, **self.seed_forecasts}.items()}
        per_fold: dict[str, list[dict[str, Any]]] = {}
        for fold, forecasts in zip(self.folds, self.fold_forecasts, strict=True):
            for name, forecast in forecasts.items():
                record = {
                    "fold": fold.index,
                    "test_first": str(fold.test.index[0].date()),
                    "test_last": str(fold.test.index[-1].date()),
                }
                record.update({k: forecast.info[k] for k in FOLD_RECORD_KEYS if k in forecast.info})
                per_fold.setdefault(name, []).append(record)
        return {
            "models": info,
            "wall_time_s": dict(self.wall_time),
            "protocol": self.config.data.protocol,
            "folds": [fold.record() for fold in self.folds],
            "fold_models": per_fold,
        }


def run_experiment(
    config: ExperimentConfig,
    frame: pd.DataFrame | None = None,
    *,
    progress: bool = True,
    weights_dir: str | Path | None = None,
    checkpoint_dir: str | Path | None = None,
) -> ExperimentResult:
    """Backtest every model of ``config`` on one instrument, fold by fold.

    Before each fold of :func:`lstmgru.folds.make_folds` (``config.data.protocol``) every model
    is fitted afresh on the fold's training span: networks from a new initialisation with their
    seed, early-stopped on the fold's validation span; ARIMA with its order chosen again; the
    drift re-estimated. No network is warm-started from an earlier fold's weights. Each fold's
    test days are then forecast one step ahead, each from the closes up to the day before. The
    result joins the folds' forecasts (each test day once).

    With a tuning grid (``config.tuning``, :mod:`lstmgru.tuning`) each network family is tuned
    before each fold: every grid point is fitted with the first seed and the point of lowest
    best validation loss is chosen (the test span is never used); the other seeds are then
    fitted with the chosen point, and the first seed's fit of that point is its member. The
    folds are cut with the grid's longest window, so that every point has its full context.

    Parameters
    ----------
    config : ExperimentConfig
    frame : pandas.DataFrame, optional
        Prices from :func:`lstmgru.data.load_prices`; loaded from ``config.data`` when omitted.
    progress : bool
        Show a progress bar over model fits.
    weights_dir : path, optional
        When given, every network of a seed ensemble is saved (weights, training history,
        record) under ``weights_dir/<model>/s<seed>/`` with one fold, and under
        ``weights_dir/<model>/s<seed>/fold<k>/`` with several.
    checkpoint_dir : path, optional
        When given, every fit's forecast (and a network's weights) is saved there as soon as it
        is made, and a later call with the same configuration and data loads it instead of
        fitting again (:mod:`lstmgru.checkpoints`): an interrupted experiment resumes at the
        fit where it stopped.
    """
    pause_point(f"experiment-{config.data.ticker}")  # lets a test hold the kernel here
    if frame is None:
        frame = load_prices(**config_options(config.data))
    grid = parse_grid(config.tuning)
    folds = make_folds(frame, config.data, window=largest_window(grid, config.model.window))
    last = folds[-1]
    test = pd.concat([fold.test for fold in folds])
    overall = Split(train=folds[0].train, validation=folds[0].validation, test=test)
    if len(folds) == 1:
        overall = Split(train=last.train, validation=last.validation, test=last.test)
    result = ExperimentResult(
        config=config, provenance=provenance(frame), split=overall, folds=tuple(folds)
    )
    store = None
    if checkpoint_dir is not None:
        context = {"config": config.to_dict(), "data_sha256": result.provenance["sha256"]}
        store = CheckpointStore(checkpoint_dir, context)
    fitter = Fitter(config, store, result.wall_time, keep_weights=weights_dir is not None)
    points = grid_points(grid)
    n_fits = sum(
        len(points) + len(config.seeds) - 1
        if grid and name in config.network_models
        else len(_seeds_for(name, config))
        for name in config.models
    )
    with tqdm(
        total=n_fits * len(folds),
        desc=f"{config.data.ticker}: fitting",
        disable=not progress,
        unit="fit",
    ) as bar:
        fitter.bar = bar
        per_fold = [fit_fold(fold, len(folds), config, grid, fitter, weights_dir) for fold in folds]
    result.fold_forecasts = per_fold
    labels = list(result.fold_forecasts[0])
    joined = {
        label: _join_folds([fold[label] for fold in result.fold_forecasts], folds)
        for label in labels
    }
    # Keep the configured order of models.
    result.forecasts = {name: joined[name] for name in config.models}
    result.seed_forecasts = {label: joined[label] for label in labels if SEED_SEPARATOR in label}
    return result


def _join_folds(forecasts: Sequence[Forecast], folds: Sequence[Fold]) -> Forecast:
    """One forecast over every fold's test days; ``info``: the last fold's record and index."""
    first, last = forecasts[0], forecasts[-1]

    def joined(name: str) -> np.ndarray | None:
        parts = [getattr(f, name) for f in forecasts]
        return None if any(p is None for p in parts) else np.concatenate(parts)

    dates = pd.DatetimeIndex(first.dates).append([pd.DatetimeIndex(f.dates) for f in forecasts[1:]])
    info = {**dict(last.info), "fold": folds[-1].index}
    return Forecast(
        first.model,
        dates,
        joined("log_return"),
        joined("price"),
        lower=joined("lower"),
        upper=joined("upper"),
        info=info,
    )


def _seeds_for(name: str, config: ExperimentConfig) -> tuple[int | None, ...]:
    return config.seeds if name in config.network_models else (None,)
