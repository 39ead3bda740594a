"""Recurrent networks: architecture, parameter counts, cuDNN eligibility, learning, determinism.

Networks are tiny (4-8 units) and the series short and seeded, so the file runs in well under a
minute on two cores. Parameter counts are checked against the closed forms

* LSTM, :math:`n` inputs, :math:`m` units: :math:`4(m(n + m) + m)`,
* GRU with ``reset_after=True`` (two bias vectors): :math:`3(m(n + m) + 2m)`,
* Dense from :math:`k` inputs to one output: :math:`k + 1`.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pandas as pd
import pytest

from lstmgru.config import NETWORK_LAYERS, ExperimentConfig, ModelConfig
from lstmgru.features import InsufficientDataError, log_returns
from lstmgru.models.base import Forecast, ensemble
from lstmgru.models.rnn import (
    PhiloxDropout,
    RecurrentForecaster,
    build_network,
    compile_network,
    network_forecaster,
)
from lstmgru.models.sizing import network_param_count


def lstm_params(n: int, m: int) -> int:
    return 4 * (m * (n + m) + m)


def gru_params(n: int, m: int) -> int:
    return 3 * (m * (n + m) + 2 * m)


def close_from_returns(returns: np.ndarray) -> pd.Series:
    index = pd.bdate_range("2015-01-01", periods=len(returns) + 1, name="date")
    return pd.Series(100.0 * np.exp(np.r_[0.0, np.cumsum(returns)]), index=index, name="close")


def noisy_sine_close(n: int = 700, seed: int = 0) -> pd.Series:
    """Log returns 0.01 sin(2 pi t / 16) + N(0, 0.002^2): 93 % of the variance is predictable."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return close_from_returns(0.01 * np.sin(2 * np.pi * t / 16) + 0.002 * rng.standard_normal(n))


def tiny_config(**overrides) -> ModelConfig:
    values = {
        "window": 10,
        "units": (8, 6),
        "dropout": 0.0,
        "epochs": 3,
        "patience": 2,
        "batch_size": 32,
        "jit_compile": False,
    }
    values.update(overrides)
    return ModelConfig(**values)


SPECS = [
    (("lstm",), False),
    (("gru",), False),
    (("lstm", "gru"), False),
    (("gru", "lstm"), False),
    (("lstm", "gru"), True),
    (("lstm", "lstm"), False),
    (("gru", "gru"), False),
]


@pytest.mark.parametrize(("layers", "parallel"), SPECS)
def test_output_shape_and_parameter_count_match_closed_form(layers, parallel):
    units, n = (5, 4), 3
    model = build_network(layers, units, window=7, dropout=0.1, parallel=parallel, n_features=n)
    assert model.output_shape == (None, 1)
    assert model(np.zeros((2, 7, n), dtype="float32")).shape == (2, 1)
    formula = {"lstm": lstm_params, "gru": gru_params}
    expected, inputs = 0, n
    for i, kind in enumerate(layers):
        count = formula[kind](n if parallel else inputs, units[i])
        assert model.get_layer(f"{kind}_{i + 1}").count_params() == count
        expected += count
        inputs = units[i]
    head = sum(units[: len(layers)]) if parallel else units[len(layers) - 1]
    assert model.get_layer("output").count_params() == head + 1
    assert model.count_params() == expected + head + 1


def test_thesis_hybrid_has_41921_parameters():
    # LSTM(64) on one feature: 4 (64 * 65 + 64) = 16896; GRU(64): 3 (64 * 128 + 128) = 24960;
    # Dense: 65.
    model = build_network(("lstm", "gru"), (64, 64), window=60, dropout=0.2)
    assert model.count_params() == 41921
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "InputLayer",
        "FusedLSTM",
        "PhiloxDropout",
        "FusedGRU",
        "PhiloxDropout",
        "Dense",
    ]
    stock = build_network(("lstm", "gru"), (64, 64), window=60, dropout=0.2, fused=False)
    assert [type(layer).__name__ for layer in stock.layers][1:4:2] == ["LSTM", "GRU"]
    assert stock.count_params() == 41921
    assert model.get_layer("lstm_1").return_sequences is True
    assert model.get_layer("gru_2").return_sequences is False


def built(name: str, config: ModelConfig) -> keras.Model:
    """The network ``network_forecaster`` trains for ``name``, built without training."""
    forecaster = network_forecaster(name, config)
    return build_network(
        forecaster.layers,
        forecaster.units,
        config.window,
        config.dropout,
        parallel=forecaster.parallel,
        name=name,
        fused=config.fused_kernels,
    )


@pytest.mark.parametrize("profile", ["quick", "default", "full"])
def test_size_matched_stacks_are_within_ten_percent_of_the_hybrid(profile):
    model = ExperimentConfig.from_parameters(profile).model
    hybrid = built("lstm_gru", model).count_params()
    for name, kind, layer_type in (
        ("lstm_lstm", "lstm", "FusedLSTM"),
        ("gru_gru", "gru", "FusedGRU"),
    ):
        network = built(name, model)
        assert abs(network.count_params() / hybrid - 1.0) <= 0.10, (name, profile)
        types = [type(layer).__name__ for layer in network.layers[1::2]]
        assert types == [layer_type, layer_type, "Dense"]
        assert network.get_layer(f"{kind}_1").return_sequences is True
        assert network.get_layer(f"{kind}_2").return_sequences is False
        # The closed form used to choose the units is what Keras counts.
        units = network_forecaster(name, model).units
        assert network.count_params() == network_param_count(NETWORK_LAYERS[name], units)


def test_default_profile_parameter_counts_are_pinned():
    # Keras' count_params() of the network network_forecaster(name, default model config) trains
    # (units (32, 32), window 20, one input feature), printed once with `built` above and checked
    # by hand against the closed forms of the module docstring, e.g. lstm_lstm with units
    # (29, 29): 4 (29 * 30 + 29) + 4 (29 * 58 + 29) + 30 = 3596 + 6844 + 30 = 10470, and
    # gru_gru with (34, 34): 3 (34 * 35 + 68) + 3 (34 * 68 + 68) + 35 = 3774 + 7140 + 35 = 10949.
    pinned = {
        "lstm": ((32,), 4385),
        "gru": ((32,), 3393),
        "lstm_gru": ((32, 32), 10721),
        "gru_lstm": ((32, 32), 11713),
        "lstm_gru_parallel": ((32, 32), 7777),
        "lstm_lstm": ((29, 29), 10470),
        "gru_gru": ((34, 34), 10949),
    }
    assert set(pinned) == set(NETWORK_LAYERS)
    model = ExperimentConfig.from_parameters("default").model
    for name, (units, count) in pinned.items():
        assert network_forecaster(name, model).units == units, name
        assert built(name, model).count_params() == count, name


def test_size_matched_stack_trains_and_forecasts_with_its_matched_units():
    close = noisy_sine_close(200, seed=3)
    forecaster = network_forecaster("lstm_lstm", tiny_config(units=(8, 8), epochs=1))
    forecaster.fit(close.iloc[:150], close.iloc[150:180])
    # Hybrid (8, 8): 320 + 432 + 9 = 761. No equal LSTM stack is within 10 % (7: 680, 8: 873),
    # so the layers differ by one unit: (7, 8) gives 252 + 512 + 9 = 773 (+1.6 %).
    assert forecaster.info_["units"] == [7, 8] and forecaster.info_["parameters"] == 773
    forecast = forecaster.forecast(close, close.index[180:])
    assert forecast.model == "lstm_lstm#s0" and np.all(np.isfinite(forecast.log_return))


@pytest.mark.parametrize(("layers", "parallel"), SPECS)
def test_recurrent_layers_keep_cudnn_eligible_arguments(layers, parallel):
    model = build_network(layers, (4, 4), window=5, dropout=0.2, parallel=parallel)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    assert len(recurrent) == len(layers)
    for layer in recurrent:
        config = layer.get_config()
        assert config["activation"] == "tanh"
        assert config["recurrent_activation"] == "sigmoid"
        assert config["recurrent_dropout"] == 0.0
        assert config["dropout"] == 0.0
        assert config["unroll"] is False
        assert config["use_bias"] is True
        assert layer.use_cudnn in ("auto", True)
        if isinstance(layer, keras.layers.GRU):
            assert config["reset_after"] is True


def test_unknown_layer_name_raises():
    with pytest.raises(ValueError, match="unknown layer 'rnn'"):
        build_network(("lstm", "rnn"), (4, 4), window=5, dropout=0.0)
    with pytest.raises(ValueError, match="at least two branches"):
        build_network(("lstm",), 4, window=5, dropout=0.0, parallel=True)


def test_zero_units_are_rejected_by_the_config():
    with pytest.raises(ValueError, match="units must be positive"):
        ModelConfig(units=(0, 8))


def test_window_longer_than_training_span_raises():
    close = noisy_sine_close(30)
    forecaster = RecurrentForecaster("lstm", ("lstm",), tiny_config(window=50))
    with pytest.raises(InsufficientDataError, match="window=50"):
        forecaster.fit(close)


def test_philox_dropout_drops_the_rate_and_rescales():
    layer = PhiloxDropout(0.3, seed=1)
    x = np.ones((100, 100), dtype="float32")
    y = np.asarray(layer(x, training=True))
    dropped = np.mean(y == 0.0)
    # 10 000 Bernoulli(0.3) draws: standard error 0.0046.
    assert dropped == pytest.approx(0.3, abs=0.015)
    np.testing.assert_allclose(y[y != 0.0], 1.0 / 0.7, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_learns_a_noisy_sine_and_restores_the_best_weights():
    close = noisy_sine_close(700)
    train, validation = close.iloc[:500], close.iloc[500:600]
    config = tiny_config(units=(8,), epochs=40, patience=5, learning_rate=1e-2)
    forecaster = RecurrentForecaster("gru", ("gru",), config, seed=3).fit(train, validation)
    info = forecaster.info_
    # Predicting zero scores ~1 on the standardised target; 7 % of the variance is noise, so a
    # working network ends near 0.1. A network that cannot see the window stays near 1.
    assert info["final_loss"] < 0.3
    assert info["best_val_loss"] < 0.3
    assert info["epochs_used"] <= 40 and info["epochs_used"] == len(info["history"]["loss"])
    assert info["best_epoch"] == int(np.argmin(info["history"]["val_loss"])) + 1
    # restore_best_weights: the kept model scores the best validation loss.
    dates = validation.index
    scaled = forecaster.predict_scaled(close, dates)
    target = forecaster.scaler_.transform(log_returns(close).loc[dates].to_numpy())
    assert np.mean((scaled - target) ** 2) == pytest.approx(info["best_val_loss"], rel=1e-4)
    # Out of sample the forecast beats the random walk by far.
    test_dates = close.index[600:]
    forecast = forecaster.forecast(close, test_dates)
    actual = log_returns(close).loc[test_dates].to_numpy()
    assert np.mean((actual - forecast.log_return) ** 2) < 0.3 * np.mean(actual**2)
    np.testing.assert_allclose(
        forecast.price, close.shift(1).loc[test_dates] * np.exp(forecast.log_return)
    )


def test_same_seed_gives_identical_forecasts_with_xla_and_another_seed_does_not():
    close = noisy_sine_close(200, seed=5)
    # 128 training windows = 2 full batches, so XLA compiles one training shape; no validation
    # span, so no evaluation step to compile either (early stopping is tested above).
    train = close.iloc[:139]
    config = tiny_config(dropout=0.2, epochs=2, batch_size=64, jit_compile=True)
    dates = close.index[139:]

    def run(seed: int) -> np.ndarray:
        forecaster = RecurrentForecaster("lstm_gru", ("lstm", "gru"), config, seed=seed)
        forecaster.fit(train)
        assert forecaster.info_["jit_compile"] is True
        return forecaster.forecast(close, dates).log_return

    first, again, other = run(11), run(11), run(12)
    np.testing.assert_array_equal(first, again)
    assert np.max(np.abs(first - other)) > 1e-4


def test_forecasts_ignore_prices_after_each_date():
    close = noisy_sine_close(300, seed=2)
    forecaster = RecurrentForecaster("gru", ("gru",), tiny_config(units=(4,), epochs=1))
    forecaster.fit(close.iloc[:200], close.iloc[200:240])
    dates = close.index[240:]
    k = 25
    changed = close.copy()
    changed.iloc[240 + k :] *= 1.2
    base, other = forecaster.forecast(close, dates), forecaster.forecast(changed, dates)
    np.testing.assert_array_equal(base.log_return[: k + 1], other.log_return[: k + 1])
    assert not np.allclose(base.log_return[k + 1 :], other.log_return[k + 1 :])


def test_price_target_converts_to_log_returns_with_a_train_only_scaler():
    close = noisy_sine_close(260, seed=4)
    train, validation = close.iloc[:180], close.iloc[180:220]
    config = tiny_config(target="price", window=12, units=(4,), epochs=2)
    forecaster = RecurrentForecaster("lstm", ("lstm",), config).fit(train, validation)
    scaler = forecaster.info_["scaler"]
    assert scaler["kind"] == "minmax"
    assert scaler["loc"] == pytest.approx(train.min())
    assert scaler["scale"] == pytest.approx(train.max() - train.min())
    dates = close.index[220:]
    forecast = forecaster.forecast(close, dates)
    price_hat = forecaster.scaler_.inverse_transform(forecaster.predict_scaled(close, dates))
    previous = close.shift(1).loc[dates].to_numpy()
    np.testing.assert_allclose(forecast.log_return, np.log(price_hat / previous), rtol=1e-12)
    np.testing.assert_allclose(forecast.price, price_hat, rtol=1e-9)
    assert forecast.info["price_floored"] == 0


def test_save_writes_weights_history_and_info(tmp_path):
    close = noisy_sine_close(200, seed=6)
    forecaster = RecurrentForecaster("gru", ("gru",), tiny_config(units=(4,), epochs=2))
    forecaster.fit(close.iloc[:150], close.iloc[150:180])
    path = forecaster.save(tmp_path / "run")
    info = json.loads((path / "info.json").read_text())
    history = json.loads((path / "history.json").read_text())
    assert info["epochs_used"] == len(history["loss"]) == 2
    assert info["seed"] == 0 and info["layers"] == ["gru"] and info["units"] == [4]
    assert info["parameters"] == gru_params(1, 4) + 5
    assert info["fit_seconds"] > 0
    clone = build_network(("gru",), (4,), window=10, dropout=0.0)
    compile_network(clone, jit_compile=info["jit_compile"])  # same XLA setting: same bits
    clone.optimizer.build(clone.trainable_variables)  # the file holds the optimizer state too
    clone.load_weights(path / "model.weights.h5")
    x = np.random.default_rng(0).standard_normal((3, 10, 1)).astype("float32")
    np.testing.assert_array_equal(
        clone.predict(x, verbose=0), forecaster.model_.predict(x, verbose=0)
    )


def test_seed_forecasts_and_their_ensemble(tmp_path):
    close = noisy_sine_close(200, seed=8)
    config = ExperimentConfig(
        models=("gru",),
        seeds=(0, 1),
        model=tiny_config(units=(4,), epochs=1),
    )
    dates = close.index[180:]
    forecasts = []
    for seed in config.seeds:
        forecaster = network_forecaster("gru", config.model, seed=seed)
        forecaster.fit(close.iloc[:150], close.iloc[150:180])
        forecasts.append(forecaster.forecast(close, dates))
        forecaster.save(tmp_path / "gru" / f"s{seed}")
    assert [f.model for f in forecasts] == ["gru#s0", "gru#s1"]
    assert (tmp_path / "gru" / "s1" / "model.weights.h5").is_file()
    combined = ensemble(forecasts)
    assert combined.model == "gru"
    assert combined.info["seeds"] == [0, 1]
    mean = (forecasts[0].log_return + forecasts[1].log_return) / 2
    np.testing.assert_allclose(combined.log_return, mean)
    np.testing.assert_allclose(combined.price, close.shift(1).loc[dates] * np.exp(mean), rtol=1e-12)


def test_ensemble_rejects_mismatched_dates():
    dates = pd.bdate_range("2020-01-01", periods=3)
    a = Forecast("gru#s0", dates, np.zeros(3), np.ones(3))
    b = Forecast(
        "gru#s1", dates[:2].append(pd.DatetimeIndex(["2021-01-01"])), np.zeros(3), np.ones(3)
    )
    with pytest.raises(ValueError, match="different dates"):
        ensemble([a, b])
    with pytest.raises(ValueError, match="at least one"):
        ensemble([])


# --- the fit cache (lstmgru.models.netcache) ------------------------------------------------

CACHE_RUNS = [
    # (name, layers, parallel, seed, training days, patience): seeds, training lengths (the
    # last training batch has 30, 62 or 14 rows) and architectures interleaved, so that cached
    # models are reused across seeds and lengths and a fit follows fits of other models.
    ("lstm_gru", ("lstm", "gru"), False, 0, 400, 2),
    ("lstm_gru", ("lstm", "gru"), False, 1, 432, 2),
    ("gru", ("gru",), False, 0, 400, 2),
    ("lstm_gru", ("lstm", "gru"), False, 1, 400, 1),
    ("lstm_gru_parallel", ("lstm", "gru"), True, 2, 384, 2),
    ("lstm_gru", ("lstm", "gru"), False, 2, 432, 2),
    ("gru", ("gru",), False, 1, 432, 2),
]


def _cached_fit(run, config, close, cache: bool):
    """One fit and forecast of ``run``; forecast log returns, history and the forecaster."""
    from lstmgru.models import netcache

    name, layers, parallel, seed, days, patience = run
    netcache.set_cache_enabled(cache)
    try:
        forecaster = RecurrentForecaster(
            name, layers, config(patience), seed=seed, parallel=parallel
        )
        forecaster.fit(close.iloc[:days], close.iloc[days : days + 60])
        forecast = forecaster.forecast(close, close.index[days + 60 : days + 90])
    finally:
        netcache.set_cache_enabled(None)
    return forecast.log_return, forecaster.history_, forecaster


@pytest.fixture
def empty_fit_cache():
    from lstmgru.models import netcache

    netcache.clear_cache()
    yield netcache
    netcache.clear_cache()


def test_fit_cache_gives_bitwise_identical_results_whatever_ran_before(empty_fit_cache):
    """Cache on and off agree bit for bit (same graphs, same initial state, same data order:
    nothing is re-ordered, so no float32 tolerance is needed); a cached fit after others equals
    the same fit alone in a fresh cache."""
    netcache = empty_fit_cache
    close = noisy_sine_close(600, seed=9)

    def config(patience):
        return tiny_config(dropout=0.2, epochs=4, patience=patience, learning_rate=1e-2)

    forecasters = []
    for run in CACHE_RUNS:
        off_r, off_h, _ = _cached_fit(run, config, close, cache=False)
        on_r, on_h, forecaster = _cached_fit(run, config, close, cache=True)
        np.testing.assert_array_equal(on_r, off_r, err_msg=str(run))
        assert on_h == off_h, run
        forecasters.append((forecaster, on_r))
    info = netcache.cache_info()
    assert info["hits"] >= 4 and info["size"] == 3
    # Each earlier forecaster still forecasts with its own weights on the shared model.
    for forecaster, expected in forecasters:
        days = forecaster.info_["train_samples"] + forecaster.config.window + 1
        again = forecaster.forecast(close, close.index[days + 60 : days + 90]).log_return
        np.testing.assert_array_equal(again, expected)
    # B after A (above, in one cache) equals B alone in an empty cache.
    last = CACHE_RUNS[5]
    netcache.clear_cache()
    alone_r, alone_h, _ = _cached_fit(last, config, close, cache=True)
    np.testing.assert_array_equal(alone_r, forecasters[5][1])
    assert alone_h["loss"] == forecasters[5][0].history_["loss"]


def test_fit_cache_switch_bound_and_model_access(empty_fit_cache, monkeypatch):
    netcache = empty_fit_cache
    close = noisy_sine_close(300, seed=3)
    config = tiny_config(units=(4,), epochs=1)
    monkeypatch.setenv(netcache.CACHE_ENV, "0")
    assert not netcache.cache_enabled()
    off = RecurrentForecaster("gru", ("gru",), config).fit(close.iloc[:200])
    assert off._network is None and netcache.cache_info()["size"] == 0
    monkeypatch.setenv(netcache.CACHE_ENV, "1")
    assert netcache.cache_enabled()
    fitted = [
        RecurrentForecaster("gru", ("gru",), tiny_config(units=(u,), epochs=1)).fit(
            close.iloc[:200]
        )
        for u in range(2, 3 + netcache.CACHE_SIZE)
    ]
    info = netcache.cache_info()
    assert info["size"] == netcache.CACHE_SIZE and info["evictions"] == 1
    # model_ loads the forecaster's own weights into the shared model.
    a = RecurrentForecaster("gru", ("gru",), config, seed=1).fit(close.iloc[:200])
    a_weights = [w.copy() for w in a.model_.get_weights()]
    RecurrentForecaster("gru", ("gru",), config, seed=2).fit(close.iloc[:200])
    for got, want in zip(a.model_.get_weights(), a_weights, strict=True):
        np.testing.assert_array_equal(got, want)
    assert fitted[-1].model_.count_params() == gru_params(1, 2 + netcache.CACHE_SIZE) + (
        2 + netcache.CACHE_SIZE + 1
    )
