"""One experiment on one instrument: every configured model backtested on the same test days.

:func:`run_experiment` loads (or takes) the prices, splits them by time, fits each configured
model on the training span (networks once per seed, early-stopped on the validation span) and
forecasts every test day one step ahead. :class:`ExperimentResult` turns the forecasts into the
tables the notebooks show and the pipeline stores. Networks are scored by their seed ensemble
(mean forecast log return) in the main table, and seed by seed in :meth:`seed_scores`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from lstmgru import evaluation
from lstmgru.config import ExperimentConfig
from lstmgru.data import config_options, load_prices, provenance
from lstmgru.features import Split, chronological_split
from lstmgru.hooks import pause_point
from lstmgru.models import Forecast, build_forecaster, ensemble

SEED_SEPARATOR = "#s"


@dataclass
class ExperimentResult:
    """Forecasts of every model over the test span of one instrument.

    Attributes
    ----------
    config : ExperimentConfig
    provenance : dict
        Source, ticker, span, rows and SHA-256 of the data.
    split : Split
    forecasts : dict of str to Forecast
        Main forecasts by model name (networks: the seed ensemble).
    seed_forecasts : dict of str to Forecast
        Networks' single-seed forecasts, named ``model#s<seed>``.
    wall_time : dict of str to float
        Seconds spent fitting and forecasting each model (all seeds together).
    """

    config: ExperimentConfig
    provenance: dict[str, Any]
    split: Split
    forecasts: dict[str, Forecast] = field(default_factory=dict)
    seed_forecasts: dict[str, Forecast] = field(default_factory=dict)
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
        """Metrics and tests per model against the random walk (see :mod:`lstmgru.evaluation`)."""
        return evaluation.comparison_table(
            self.actual,
            self.price_forecasts(),
            previous=self.previous,
            train=self.split.train["close"],
            benchmark="random_walk",
            arima="arima",
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

    def training_history(self, model: str, seed: int | None = None) -> pd.DataFrame:
        """Loss and validation loss per epoch of one network seed (default: the first seed).

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
        history = self.seed_forecasts[label].info.get("history", {})
        frame = pd.DataFrame({k: v for k, v in history.items() if k in ("loss", "val_loss")})
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
        return frame

    def model_info(self) -> dict[str, Any]:
        """Per-model records (orders, epochs, histories, warnings) and wall times."""
        info = {name: dict(f.info) for name, f in {**self.forecasts, **self.seed_forecasts}.items()}
        return {"models": info, "wall_time_s": dict(self.wall_time)}


def run_experiment(
    config: ExperimentConfig,
    frame: pd.DataFrame | None = None,
    *,
    progress: bool = True,
    weights_dir: str | Path | None = None,
) -> ExperimentResult:
    """Backtest every model of ``config`` on one instrument.

    Parameters
    ----------
    config : ExperimentConfig
    frame : pandas.DataFrame, optional
        Prices from :func:`lstmgru.data.load_prices`; loaded from ``config.data`` when omitted.
    progress : bool
        Show a progress bar over model fits.
    weights_dir : path, optional
        When given, every trained network is saved under ``weights_dir/<model>/s<seed>/``
        (weights, training history, record).
    """
    pause_point(f"experiment-{config.data.ticker}")  # lets a test hold the kernel here
    if frame is None:
        frame = load_prices(**config_options(config.data))
    split = chronological_split(
        frame,
        config.data.train_fraction,
        config.data.validation_fraction,
        window=config.model.window,
    )
    result = ExperimentResult(config=config, provenance=provenance(frame), split=split)
    history = split.close
    dates = pd.DatetimeIndex(split.test.index)
    jobs = [(name, seed) for name in config.models for seed in _seeds_for(name, config)]
    bar = tqdm(jobs, desc=f"{config.data.ticker}: fitting", disable=not progress, unit="fit")
    members: dict[str, list[Forecast]] = {}
    for name, seed in bar:
        bar.set_postfix_str(name if seed is None else f"{name} seed {seed}")
        started = time.perf_counter()
        forecaster = build_forecaster(name, config, seed=0 if seed is None else seed)
        forecaster.fit(split.train["close"], split.validation["close"])
        forecast = forecaster.forecast(history, dates)
        result.wall_time[name] = result.wall_time.get(name, 0.0) + time.perf_counter() - started
        if seed is None:
            result.forecasts[name] = forecast
        else:
            label = f"{name}{SEED_SEPARATOR}{seed}"
            result.seed_forecasts[label] = Forecast(
                label, forecast.dates, forecast.log_return, forecast.price, info=forecast.info
            )
            members.setdefault(name, []).append(forecast)
            if weights_dir is not None:
                forecaster.save(Path(weights_dir) / name / f"s{seed}")
    for name, forecasts in members.items():
        result.forecasts[name] = ensemble(forecasts, name=name)
    # Keep the configured order of models.
    result.forecasts = {name: result.forecasts[name] for name in config.models}
    return result


def _seeds_for(name: str, config: ExperimentConfig) -> tuple[int | None, ...]:
    return config.seeds if name in config.network_models else (None,)


#: The model compared in the price-level ablation: the hybrid of the thesis.
ABLATION_MODEL = "lstm_gru"


def price_ablation(
    config: ExperimentConfig,
    frame: pd.DataFrame | None = None,
    *,
    window: int = 60,
    progress: bool = True,
) -> ExperimentResult:
    """The hybrid in the price-level setup of common tutorials, on the same test days.

    The network predicts the next close from the ``window`` previous closes, MinMax-scaled with
    the training span's minimum and maximum (fitted on the training span only, where the
    tutorials fit it on the whole series), trained once with the first seed of ``config``. The
    chronological split does not depend on the window, so the test days are those of the main
    experiment. Returns the random walk and the hybrid.
    """
    ablation = dataclasses.replace(
        config,
        model=dataclasses.replace(config.model, target="price", window=window),
        models=("random_walk", ABLATION_MODEL),
        seeds=config.seeds[:1],
    )
    return run_experiment(ablation, frame, progress=progress)


def ablation_table(main: ExperimentResult, price: ExperimentResult) -> pd.DataFrame:
    """Random walk, hybrid on log returns and hybrid on price levels, scored on the same days.

    Columns: RMSE (price units), Theil's U2, directional accuracy, the two-sided DM p-value
    against the random walk and the correlation of the forecast with the actual close (high for
    any forecast that follows yesterday's price, which is why price-level plots look good).
    A statistic that is undefined for the data (the random walk against itself, constant
    prices) is NaN.
    """
    if not main.actual.index.equals(price.actual.index):
        raise ValueError("the two experiments were scored on different test days")
    rows = {
        "random walk": (main, "random_walk"),
        "hybrid, log-return target": (main, ABLATION_MODEL),
        "hybrid, price-level target": (price, ABLATION_MODEL),
    }
    actual = main.actual
    random_walk_errors = (main.price_forecasts()["random_walk"] - actual).to_numpy()
    # errors within rounding of the price level are equal (see evaluation.comparison_table)
    loss_atol = (evaluation.PRICE_RTOL * float(actual.abs().max())) ** 2
    table = {}
    for label, (result, model) in rows.items():
        forecast = result.price_forecasts()[model]
        scores = evaluation.metrics(
            actual,
            forecast,
            previous=result.previous,
            train=result.split.train["close"],
            undefined="nan",
        )
        errors = (forecast - actual).to_numpy()
        try:
            dm_pvalue = evaluation.diebold_mariano(
                errors, random_walk_errors, atol=loss_atol
            ).pvalue
        except evaluation.DegenerateTestError:  # the random walk against itself
            dm_pvalue = np.nan
        try:
            correlation = evaluation.correlation(forecast, actual)
        except evaluation.DegenerateTestError:  # a constant forecast or constant prices
            correlation = np.nan
        table[label] = {
            "rmse": scores["rmse"],
            "theil_u2": scores["theil_u2"],
            "directional_accuracy": scores["directional_accuracy"],
            "dm_pvalue_vs_random_walk": dm_pvalue,
            "correlation_with_actual": correlation,
        }
    return pd.DataFrame(table).T.rename_axis("setup")
