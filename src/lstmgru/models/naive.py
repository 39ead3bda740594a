"""Random walk and random walk with drift: the bar every model must beat."""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd

from lstmgru.features import log_returns
from lstmgru.models.base import Forecast, Forecaster

__all__ = ["Drift", "RandomWalk"]


class RandomWalk(Forecaster):
    """:math:`\\hat P_t = P_{t-1}` (zero forecast log return); nothing is fitted."""

    name = "random_walk"

    def fit(self, train: pd.Series, validation: pd.Series | None = None) -> Self:
        return self

    def forecast(self, history: pd.Series, dates: pd.DatetimeIndex) -> Forecast:
        return Forecast.from_log_return(self.name, history, dates, np.zeros(len(dates)))


class Drift(Forecaster):
    """:math:`\\hat P_t = P_{t-1} \\exp(\\bar r)`, with :math:`\\bar r` the mean training log return."""

    name = "drift"

    def __init__(self) -> None:
        self.mean_log_return: float | None = None

    def fit(self, train: pd.Series, validation: pd.Series | None = None) -> Self:
        returns = log_returns(train)
        if returns.empty:
            raise ValueError("drift needs at least two training closes")
        self.mean_log_return = float(returns.mean())
        return self

    def forecast(self, history: pd.Series, dates: pd.DatetimeIndex) -> Forecast:
        if self.mean_log_return is None:
            raise RuntimeError("call fit() before forecast()")
        r_hat = np.full(len(dates), self.mean_log_return)
        return Forecast.from_log_return(
            self.name, history, dates, r_hat, info={"mean_log_return": self.mean_log_return}
        )
