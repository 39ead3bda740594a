"""The one interface every forecaster implements.

A forecaster is fitted on the training span (the validation span is for early stopping and
selection only) and then produces **one-step-ahead** forecasts for each date of an evaluation
span, each made with prices up to the day before only. Every model returns the same
:class:`Forecast`, so evaluation and plots never special-case a model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import pandas as pd

from lstmgru.features import Split

__all__ = ["Forecast", "Forecaster", "ensemble", "previous_close"]


@dataclass(frozen=True)
class Forecast:
    """One-step-ahead forecasts of one model over an evaluation span.

    Attributes
    ----------
    model : str
        Model name (as in :data:`lstmgru.config.MODEL_NAMES`, plus a seed suffix if any).
    dates : pandas.DatetimeIndex
        Forecast (target) dates.
    log_return : ndarray
        Forecast log return :math:`\\hat r_t` of each date (natural log, per day).
    price : ndarray
        Forecast close :math:`\\hat P_t = P_{t-1} \\exp(\\hat r_t)`, in price units.
    lower, upper : ndarray or None
        Optional bounds of a forecast interval on the price scale.
    info : Mapping
        Model-specific record (orders, epochs, wall time, warnings, ...), JSON-serialisable.
    """

    model: str
    dates: pd.DatetimeIndex
    log_return: np.ndarray
    price: np.ndarray
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.dates)
        for name in ("log_return", "price", "lower", "upper"):
            value = getattr(self, name)
            if value is None:
                continue
            value = np.asarray(value, dtype="float64").reshape(-1)
            if len(value) != n:
                raise ValueError(f"{name} has {len(value)} values for {n} dates")
            object.__setattr__(self, name, value)

    @classmethod
    def from_log_return(
        cls,
        model: str,
        close: pd.Series,
        dates: pd.DatetimeIndex,
        log_return: np.ndarray,
        **kwargs: Any,
    ) -> Forecast:
        """Build a forecast from log returns, pricing them off the previous close."""
        previous = previous_close(close, dates)
        r_hat = np.asarray(log_return, dtype="float64").reshape(-1)
        return cls(model, dates, r_hat, previous * np.exp(r_hat), **kwargs)

    def to_frame(self) -> pd.DataFrame:
        """Columns ``log_return`` and ``price`` (and ``lower``/``upper``), indexed by date."""
        data = {"log_return": self.log_return, "price": self.price}
        if self.lower is not None:
            data["lower"] = self.lower
        if self.upper is not None:
            data["upper"] = self.upper
        return pd.DataFrame(data, index=pd.DatetimeIndex(self.dates, name="date"))


def previous_close(close: pd.Series, dates: pd.DatetimeIndex) -> np.ndarray:
    """The close of the trading day before each date (the information set's last price)."""
    positions = close.index.get_indexer(dates)
    if (positions < 1).any():
        raise ValueError("every forecast date needs a previous close in the history")
    return close.to_numpy(dtype="float64")[positions - 1]


class Forecaster(ABC):
    """Fit on the past, forecast one step ahead.

    Subclasses implement :meth:`fit` and :meth:`forecast`; :meth:`forecast` may read ``history``
    only strictly before each forecast date (``tests/test_models_interface.py`` checks this by perturbing
    future prices).
    """

    name: str = "forecaster"

    @abstractmethod
    def fit(self, train: pd.Series, validation: pd.Series | None = None) -> Self:
        """Fit on training closes; ``validation`` closes are for early stopping only."""

    @abstractmethod
    def forecast(self, history: pd.Series, dates: pd.DatetimeIndex) -> Forecast:
        """One-step-ahead forecasts for ``dates`` from closes in ``history`` before each date."""

    def backtest(self, split: Split) -> Forecast:
        """Fit on the split's train (and validation) span, forecast every test date."""
        self.fit(split.train["close"], split.validation["close"])
        return self.forecast(split.close, pd.DatetimeIndex(split.test.index))


def ensemble(forecasts: Sequence[Forecast], name: str | None = None) -> Forecast:
    """Mean of several forecasts' log returns, priced off the same previous closes.

    Parameters
    ----------
    forecasts : sequence of Forecast
        Same dates (e.g. one network trained once per seed).
    name : str, optional
        Model name of the result; default: the members' name without the ``#s<seed>`` suffix.

    Returns
    -------
    Forecast
        :math:`\\bar r_t = \\frac{1}{S}\\sum_s \\hat r_{t,s}`, price
        :math:`P_{t-1} e^{\\bar r_t}`; ``info`` lists ``members``, ``seeds``, the mean
        across-seed standard deviation of the log-return forecasts (``seed_spread``) and the
        members' ``fit_seconds`` and ``epochs_used``.
    """
    if not forecasts:
        raise ValueError("ensemble needs at least one forecast")
    first = forecasts[0]
    for other in forecasts[1:]:
        if not first.dates.equals(other.dates):
            raise ValueError(f"forecasts {first.model!r} and {other.model!r} have different dates")
    returns = np.vstack([f.log_return for f in forecasts])
    mean = returns.mean(axis=0)
    previous = first.price * np.exp(-first.log_return)
    label = name or first.model.split("#", 1)[0]
    info = {
        "members": [f.model for f in forecasts],
        "seeds": [f.info.get("seed") for f in forecasts],
        "seed_spread": float(returns.std(axis=0, ddof=0).mean()),
        "fit_seconds": [f.info.get("fit_seconds") for f in forecasts],
        "epochs_used": [f.info.get("epochs_used") for f in forecasts],
    }
    return Forecast(label, first.dates, mean, previous * np.exp(mean), info=info)
