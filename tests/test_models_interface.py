"""Every fast model behind the one interface: backtest contract and causality on real data.

Data: the quick profile's span of Coca-Cola (KO) closes from the embedded skfolio dataset,
split 70 / 15 / 15 by time. The network is tiny (4 + 4 units, one epoch, no XLA) because this
file checks the interface, not the fit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd
import pytest

from lstmgru.config import ExperimentConfig
from lstmgru.data import load_prices
from lstmgru.features import chronological_split
from lstmgru.models import build_forecaster

FAST_MODELS = ("random_walk", "drift", "ar", "arima", "lstm_gru")


@pytest.fixture(scope="module")
def config() -> ExperimentConfig:
    return ExperimentConfig.from_parameters(
        "quick", ticker="KO", units="4,4", epochs=1, jit_compile=False, seeds=(0,)
    )


@pytest.fixture(scope="module")
def split(config):
    frame = load_prices("skfolio", "KO", start=config.data.start, end=config.data.end)
    return chronological_split(
        frame,
        config.data.train_fraction,
        config.data.validation_fraction,
        window=config.model.window,
    )


@pytest.fixture(scope="module")
def backtests(config, split):
    """Each fast model fitted once on the split; its forecaster and test-span forecast."""
    out = {}
    for name in FAST_MODELS:
        forecaster = build_forecaster(name, config, seed=0)
        out[name] = (forecaster, forecaster.backtest(split))
    return out


@pytest.mark.parametrize("name", FAST_MODELS)
def test_backtest_returns_a_forecast_for_every_test_date(name, backtests, split):
    _, forecast = backtests[name]
    assert forecast.model.split("#")[0] == name
    assert forecast.dates.equals(pd.DatetimeIndex(split.test.index))
    assert np.all(np.isfinite(forecast.log_return)) and np.all(np.isfinite(forecast.price))
    previous = split.close.shift(1).loc[split.test.index].to_numpy()
    np.testing.assert_allclose(forecast.price, previous * np.exp(forecast.log_return), rtol=1e-12)
    # Daily log-return forecasts of a large-cap stock are small: |r_hat| < 10 %.
    assert np.max(np.abs(forecast.log_return)) < 0.1
    json.dumps(dict(forecast.info))


def test_random_walk_and_drift_values(backtests, split):
    assert np.all(backtests["random_walk"][1].log_return == 0.0)
    train = split.train["close"].to_numpy()
    expected = np.log(train[-1] / train[0]) / (len(train) - 1)
    np.testing.assert_allclose(backtests["drift"][1].log_return, expected, rtol=1e-12)


def test_arima_is_configured_from_the_experiment(backtests, config):
    forecaster, forecast = backtests["arima"]
    assert (
        (forecaster.max_p, forecaster.max_q) == (config.arima_max_p, config.arima_max_q) == (1, 1)
    )
    assert forecast.info["order"][1] == 1  # daily log prices are integrated
    assert len(forecast.info["grid"]) == 4
    assert np.all(forecast.lower < forecast.price) and np.all(forecast.price < forecast.upper)


def test_ar_is_configured_from_the_experiment(backtests, config):
    forecaster, forecast = backtests["ar"]
    assert forecaster.max_p == config.ar_max_p == 10 and forecaster.criterion == "aic"
    assert [row["p"] for row in forecast.info["grid"]] == list(range(11))
    assert forecast.info["order"] == forecaster.order_
    assert len(forecast.info["params"]) == forecaster.order_ + 1  # constant and phi_1..phi_p
    assert np.all(forecast.lower < forecast.price) and np.all(forecast.price < forecast.upper)


@pytest.mark.parametrize("name", FAST_MODELS)
def test_perturbing_closes_from_a_test_date_on_leaves_earlier_forecasts_unchanged(
    name, backtests, split
):
    forecaster, forecast = backtests[name]
    close = split.close
    dates = pd.DatetimeIndex(split.test.index)
    k = 40
    changed = close.copy()
    changed.loc[dates[k] :] *= 1.25
    again = forecaster.forecast(changed, dates)
    np.testing.assert_array_equal(again.log_return[: k + 1], forecast.log_return[: k + 1])
    np.testing.assert_array_equal(again.price[: k + 1], forecast.price[: k + 1])
    if name != "drift" and name != "random_walk":
        # Models that read the recent past do react after date k (so the check can fail).
        assert not np.array_equal(again.log_return[k + 1 :], forecast.log_return[k + 1 :])


def test_unknown_model_name_raises(config):
    with pytest.raises(ValueError, match="unknown model 'lstm_grus'"):
        build_forecaster("lstm_grus", config)


def test_importing_models_and_arima_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from lstmgru.config import ExperimentConfig\n"
        "from lstmgru.models import build_forecaster\n"
        "from lstmgru.models.sizing import network_units\n"
        "build_forecaster('arima', ExperimentConfig())\n"
        "build_forecaster('ar', ExperimentConfig())\n"
        "network_units('gru_gru', (32, 32))\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["False", "False"]
