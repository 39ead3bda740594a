"""Forecasters behind one interface (:class:`~lstmgru.models.base.Forecaster`).

:func:`build_forecaster` maps a model name of :data:`lstmgru.config.MODEL_NAMES` to a forecaster.
Network, AR and ARIMA modules are imported only when asked for, so the baselines need no
TensorFlow: ``ar`` builds :class:`~lstmgru.models.ar.ArForecaster` (order by AIC up to
``ar_max_p``), ``arima`` builds :class:`~lstmgru.models.arima.ArimaForecaster` from the
``arima_*`` fields, the network names build :class:`~lstmgru.models.rnn.RecurrentForecaster` from ``config.model``
(layers from :data:`lstmgru.config.NETWORK_LAYERS`; the size-matched stacks of
:data:`lstmgru.config.SIZE_MATCHED` get the units of :func:`lstmgru.models.sizing.network_units`).
"""

from __future__ import annotations

from lstmgru.config import MODEL_NAMES, NETWORK_LAYERS, ExperimentConfig
from lstmgru.models.base import Forecast, Forecaster, ensemble, previous_close
from lstmgru.models.naive import Drift, RandomWalk

__all__ = [
    "Drift",
    "Forecast",
    "Forecaster",
    "RandomWalk",
    "build_forecaster",
    "ensemble",
    "previous_close",
]


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
    if name == "ar":
        from lstmgru.models.ar import ArForecaster

        return ArForecaster(max_p=config.ar_max_p, criterion="aic")
    if name == "arima":
        from lstmgru.models.arima import ArimaForecaster

        return ArimaForecaster(
            max_p=config.arima_max_p,
            max_q=config.arima_max_q,
            criterion=config.arima_criterion,
            refit_every=config.arima_refit_every,
        )
    if name in NETWORK_LAYERS:
        from lstmgru.models.rnn import network_forecaster

        return network_forecaster(name, config.model, seed=seed)
    raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODEL_NAMES)}")
