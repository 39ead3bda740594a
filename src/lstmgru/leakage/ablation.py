"""The price-level ablation of the main experiment: the hybrid on MinMax-scaled closes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstmgru import evaluation
from lstmgru.config import ExperimentConfig, ModelConfig

if TYPE_CHECKING:  # the experiment imports TensorFlow; only the functions below need it
    from lstmgru.experiment import ExperimentResult

__all__ = [
    "ABLATION_MODEL",
    "ABLATION_ROWS",
    "Ablations",
    "ablation_scores",
    "ablation_table",
    "price_ablation",
    "run_ablations",
    "stored_ablation",
]


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

    The hybrid keeps the configured hyper-parameters (no tuning grid, as in the tutorials).
    The ablation always uses the single chronological split (``protocol='single'``), also when
    the main experiment is rolling: its question is the setup of the tutorials, which is one
    split; :func:`ablation_table` then needs the main experiment on the single split as well.
    """
    from lstmgru.experiment import run_experiment

    ablation = dataclasses.replace(
        config,
        data=dataclasses.replace(
            config.data,
            protocol="single",
            fold="year",
            fold_days=None,
            first_test=None,
            n_folds=None,
            validation_days=None,
        ),
        model=dataclasses.replace(config.model, target="price", window=window),
        models=("random_walk", ABLATION_MODEL),
        seeds=config.seeds[:1],
        tuning="",
    )
    return run_experiment(ablation, frame, progress=progress)


def ablation_scores(
    actual: pd.Series,
    previous: pd.Series,
    train: pd.Series,
    forecasts: Mapping[str, pd.Series],
) -> pd.DataFrame:
    """Score price forecasts against the random walk on the days they share with ``actual``.

    Columns: RMSE (price units), Theil's U2, directional accuracy, the two-sided DM p-value
    against the random walk and the correlation of the forecast with the actual close (high for
    any forecast that follows yesterday's price, which is why price-level plots look good).
    A statistic that is undefined for the data (the random walk against itself, constant
    prices) is NaN. ``attrs["test_days"]`` records the first day, the last day and the number
    of days scored.
    """
    days = actual.index
    for series in forecasts.values():
        days = days.intersection(series.dropna().index)
    if days.empty:
        raise ValueError(
            "the forecasts share no test day: the rolling folds end before the single "
            "split's test span starts; evaluate later folds (first_test, n_folds)"
        )
    actual = actual.loc[days]
    random_walk_errors = (previous.loc[days] - actual).to_numpy()
    # errors within rounding of the price level are equal (see evaluation.comparison_table)
    loss_atol = (evaluation.PRICE_RTOL * float(actual.abs().max())) ** 2
    table = {}
    for label, series in forecasts.items():
        forecast = series.loc[days]
        scores = evaluation.metrics(
            actual, forecast, previous=previous.loc[days], train=train, undefined="nan"
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
    out = pd.DataFrame(table).T.rename_axis("setup")
    out.attrs["test_days"] = (str(days[0].date()), str(days[-1].date()), len(days))
    return out


#: Row labels of the ablation tables.
ABLATION_ROWS = ("random walk", "hybrid, log-return target", "hybrid, price-level target")


def ablation_table(main: ExperimentResult, price: ExperimentResult) -> pd.DataFrame:
    """Random walk, hybrid on log returns and hybrid on price levels, scored on the same days.

    Every row is scored on the test days the two experiments share: all of them when both use
    the single split; with a rolling main experiment (the ablation is always a single split),
    the days of its folds that fall in the single split's test span. See
    :func:`ablation_scores` for the columns.
    """
    days = main.actual.index.intersection(price.actual.index)
    if days.empty:
        raise ValueError(
            "the two experiments share no test day: the rolling folds end before the single "
            "split's test span starts; evaluate later folds (first_test, n_folds)"
        )
    forecasts = dict(
        zip(
            ABLATION_ROWS,
            (
                main.price_forecasts()["random_walk"],
                main.price_forecasts()[ABLATION_MODEL],
                price.price_forecasts()[ABLATION_MODEL],
            ),
            strict=True,
        )
    )
    return ablation_scores(
        main.actual.loc[days], main.previous, main.split.train["close"], forecasts
    )


def stored_ablation(
    stored: Any, *, window: int = 60, progress: bool = True
) -> tuple[pd.DataFrame, ExperimentResult] | None:
    """The price-level ablation of one finished ticker of a run, from its stored results.

    ``stored`` is a :class:`lstmgru.runs.StoredResult`. Its configuration (``result.json``) is
    rebuilt, the hybrid is trained on price levels by :func:`price_ablation` and scored with
    :func:`ablation_scores` beside the stored random walk and the stored seed ensemble of the
    hybrid on log returns, on the test days they share. ``None`` when the run has no hybrid.
    """
    record = stored.record["config"]
    config = ExperimentConfig(
        profile=record["profile"],
        data=_data_config(record["data"]),
        model=ModelConfig(**{**record["model"], "units": tuple(record["model"]["units"])}),
        models=tuple(record["models"]),
        seeds=tuple(record["seeds"]),
        **{
            k: record[k]
            for k in (
                "arima_max_p",
                "arima_max_q",
                "arima_criterion",
                "arima_refit_every",
                "ar_max_p",
                "tuning",
            )
            if k in record
        },
    )
    if ABLATION_MODEL not in config.network_models:
        return None
    price = price_ablation(config, window=window, progress=progress)
    main = stored.forecasts
    forecasts = dict(
        zip(
            ABLATION_ROWS,
            (main["random_walk"], main[ABLATION_MODEL], price.price_forecasts()[ABLATION_MODEL]),
            strict=True,
        )
    )
    table = ablation_scores(main["actual"], main["previous"], price.split.train["close"], forecasts)
    return table, price


def _data_config(record: Mapping[str, Any]) -> Any:
    from lstmgru.config import DataConfig

    return DataConfig(**dict(record))


@dataclass
class Ablations:
    """The price-level ablation of every finished ticker of a run.

    ``table``: one block of rows per ticker (index ``ticker, setup``; the columns of
    :func:`ablation_scores`, ``correlation_with_actual`` named ``correlation``); ``caption``:
    what each row is, with the run's seeds and windows; ``first``: the first ticker's
    price-level experiment (for the figure), ``None`` without any.
    """

    table: pd.DataFrame
    caption: str
    first: Any


def run_ablations(run: Any, *, window: int = 60, progress: bool = True) -> Ablations:
    """:func:`stored_ablation` for every finished ticker of ``run`` (a ``RunRecord``)."""
    tables, first, configs = {}, None, []
    for ticker, stored in run.results.items():
        out = stored_ablation(stored, window=window, progress=progress)
        if out is None:
            continue
        table, price = out
        tables[ticker] = table
        configs.append(stored.record["config"])
        first = price if first is None else first
    if not tables:
        return Ablations(pd.DataFrame(), "", None)
    model = configs[0]["model"]
    seeds = configs[0]["seeds"]
    caption = (
        "Per instrument, on the test days both experiments share: the random walk; the main "
        f"experiment's hybrid LSTM–GRU on next-day log returns (windows of {model['window']} "
        f"log returns, seed ensemble of seeds {', '.join(str(s) for s in seeds)}, "
        f"{configs[0]['data']['protocol']} protocol); the hybrid on MinMax-scaled price levels "
        f"(windows of {window} closes, seed {seeds[0]} only, single chronological split, scaler "
        "fitted on the training span only). Columns: price RMSE, Theil's $U_2$, directional "
        "accuracy, two-sided Diebold–Mariano (HLN) $p$-value against the random walk, "
        "correlation of forecast and actual close."
    )
    frame = pd.concat(tables, names=["ticker", "setup"])
    return Ablations(
        frame.rename(columns={"correlation_with_actual": "correlation"}), caption, first
    )
