"""Scores of one price forecast against the random walk."""

from __future__ import annotations

import math

import pandas as pd

from lstmgru import evaluation

__all__ = [
    "SCORE_COLUMNS",
    "score_forecast",
]

#: Scores of one forecast, in the order of the tables.
SCORE_COLUMNS = (
    "rmse",
    "theil_u2",
    "correlation",
    "directional_accuracy",
    "dm_statistic",
    "dm_pvalue",
)


def score_forecast(actual: pd.Series, forecast: pd.Series, previous: pd.Series) -> dict[str, float]:
    """RMSE (price units), Theil's U2, correlation, direction and DM-HLN against the random walk.

    The Diebold-Mariano test (Harvey-Leybourne-Newbold correction, two-sided, squared price
    errors) compares the forecast with the random walk ``previous``; a negative statistic means
    the forecast's loss is lower. Undefined statistics are NaN, and so is the directional
    accuracy of a forecast that never calls a direction (the random walk itself).
    """
    scores = evaluation.metrics(actual, forecast, previous=previous, undefined="nan")
    errors = (forecast - actual).to_numpy()
    random_walk_errors = (previous - actual).to_numpy()
    loss_atol = (evaluation.PRICE_RTOL * float(actual.abs().max())) ** 2
    try:
        dm = evaluation.diebold_mariano(errors, random_walk_errors, atol=loss_atol)
        dm_statistic, dm_pvalue = float(dm.statistic), float(dm.pvalue)
    except evaluation.DegenerateTestError:
        dm_statistic = dm_pvalue = math.nan
    try:
        correlation = evaluation.correlation(forecast, actual)
    except evaluation.DegenerateTestError:
        correlation = math.nan
    calls = bool(((forecast - previous).to_numpy() != 0).any())
    return {
        "rmse": float(scores["rmse"]),
        "theil_u2": float(scores["theil_u2"]),
        "correlation": float(correlation),
        "directional_accuracy": float(scores["directional_accuracy"]) if calls else math.nan,
        "dm_statistic": dm_statistic,
        "dm_pvalue": dm_pvalue,
    }
