"""Forecasters behind one interface (:class:`~lstmgru.models.base.Forecaster`).

:func:`build_forecaster` maps a model name of :data:`lstmgru.config.MODEL_NAMES` to a forecaster.
Network and ARIMA modules are imported only when asked for, so the baselines need no TensorFlow.
"""

from __future__ import annotations

from lstmgru.config import MODEL_NAMES, ExperimentConfig
from lstmgru.models.base import Forecast, Forecaster, previous_close
from lstmgru.models.naive import Drift, RandomWalk

__all__ = ["Drift", "Forecast", "Forecaster", "RandomWalk", "build_forecaster", "previous_close"]


def build_forecaster(name: str, config: ExperimentConfig, seed: int = 0) -> Forecaster:
    """A fresh forecaster for model ``name`` configured by ``config``.

    Parameters
    ----------
    name : str
        One of :data:`lstmgru.config.MODEL_NAMES`.
    config : ExperimentConfig
    seed : int
        Seed of the network's initialisation and training (ignored by deterministic models).
    """
    if name == "random_walk":
        return RandomWalk()
    if name == "drift":
        return Drift()
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODEL_NAMES)}")
    raise NotImplementedError(f"model {name!r} is not available yet")
