"""The fused CPU loops compute Keras' LSTM and GRU, forward and backward, and are what trains.

``lstmgru.models.fused`` replaces TensorFlow's automatic differentiation of Keras' recurrent loop
by hand-written back-propagation through time. Every test here compares it with Keras' own
layers on the same weights: outputs, final states and the gradients with respect to inputs,
initial states and every weight, eagerly and under XLA; then a whole training run of the hybrid.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstmgru import verification
from lstmgru.models import fused
from lstmgru.models.fused import FusedGRU, FusedLSTM
from lstmgru.models.rnn import build_network, compile_network, window_dataset, xla_scope

KINDS = {"lstm": (keras.layers.LSTM, FusedLSTM), "gru": (keras.layers.GRU, FusedGRU)}


def _pair(kind: str, units: int, n_inputs: int, seed: int, **kwargs):
    """Keras' layer and the fused one, built, with the same random weights (N(0, 0.5^2))."""
    stock_cls, fused_cls = KINDS[kind]
    stock, ours = stock_cls(units, **kwargs), fused_cls(units, **kwargs)
    stock.build((None, None, n_inputs))
    ours.build((None, None, n_inputs))
    rng = np.random.default_rng(seed)
    weights = [(0.5 * rng.standard_normal(w.shape)).astype("float32") for w in stock.get_weights()]
    stock.set_weights(weights)
    ours.set_weights(weights)
    return stock, ours


def _relative(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def _outputs_and_gradients(layer, x, initial, weight, jit: bool):
    def run(x, initial):
        with tf.GradientTape() as tape:
            tape.watch([x, *initial])
            out = layer(x, initial_state=list(initial))
            flat = tf.nest.flatten(out)
            loss = sum(tf.reduce_sum(w * tf.sin(o)) for w, o in zip(weight, flat, strict=True))
        grads = tape.gradient(loss, [x, *initial, *layer.trainable_weights])
        return flat, grads

    if jit:
        run = tf.function(run, jit_compile=True)
    return run(x, initial)


@pytest.mark.parametrize(
    ("jit", "xla", "lanes"),
    [(False, True, 1), (True, True, 1), (False, True, 3), (False, False, 2), (True, True, 2)],
    ids=["eager-1lane", "xla-1lane", "eager-3lanes", "graph-loops-2lanes", "xla-2lanes"],
)
@pytest.mark.parametrize("sequences", [True, False], ids=["all-steps", "last-step"])
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_fused_layer_equals_keras_forward_and_backward(kind, sequences, jit, xla, lanes):
    """Outputs, final states and every gradient; lanes of 3, 2 and 2 rows for 7 rows."""
    batch, steps, n_inputs, units = 7, 9, 2, 5
    stock, ours = _pair(
        kind, units, n_inputs, seed=11, return_sequences=sequences, return_state=True
    )
    ours.xla, ours.lanes = xla, lanes
    rng = np.random.default_rng(12)
    x = tf.constant(rng.standard_normal((batch, steps, n_inputs)).astype("float32"))
    n_states = 2 if kind == "lstm" else 1
    initial = [
        tf.constant(0.3 * rng.standard_normal((batch, units)).astype("float32"))
        for _ in range(n_states)
    ]
    out_shape = (batch, steps, units) if sequences else (batch, units)
    weight = [tf.constant(rng.standard_normal(out_shape).astype("float32"))] + [
        tf.constant(rng.standard_normal((batch, units)).astype("float32")) for _ in range(n_states)
    ]
    ref_out, ref_grads = _outputs_and_gradients(stock, x, initial, weight, jit)
    our_out, our_grads = _outputs_and_gradients(ours, x, initial, weight, jit)
    assert len(our_out) == len(ref_out) == 1 + n_states
    for a, b in zip(our_out, ref_out, strict=True):
        assert a.shape == b.shape
        assert _relative(a, b) < 1e-5
    # d input, d initial states, d kernel, d recurrent kernel, d bias
    assert len(our_grads) == len(ref_grads) == 1 + n_states + 3
    for a, b in zip(our_grads, ref_grads, strict=True):
        assert a is not None and b is not None
        assert a.shape == b.shape
        assert _relative(a, b) < 1e-4, (kind, sequences, jit)


def test_fused_path_is_the_one_that_runs(monkeypatch):
    calls = {"lstm": 0, "gru": 0}
    originals = {"lstm": fused.lstm_sequence, "gru": fused.gru_sequence}

    def counting(kind):
        def wrapper(*args, **kwargs):
            calls[kind] += 1
            return originals[kind](*args, **kwargs)

        return wrapper

    monkeypatch.setattr(fused, "lstm_sequence", counting("lstm"))
    monkeypatch.setattr(fused, "gru_sequence", counting("gru"))
    model = build_network(("lstm", "gru"), (4, 3), window=6, dropout=0.0)
    model(np.zeros((2, 6, 1), dtype="float32"))
    assert calls == {"lstm": 1, "gru": 1}
    stock = build_network(("lstm", "gru"), (4, 3), window=6, dropout=0.0, fused=False)
    stock(np.zeros((2, 6, 1), dtype="float32"))
    assert calls == {"lstm": 1, "gru": 1}


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_layers_outside_the_fused_case_fall_back_to_keras_loop(kind, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the fused loop must not run here")

    monkeypatch.setattr(fused, f"{kind}_sequence", refuse)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 3)).astype("float32")
    # Backwards in time: Keras' own loop, still the same numbers as Keras' layer.
    stock, ours = _pair(kind, 4, 3, seed=4, go_backwards=True)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(stock(x)), atol=1e-6)
    # A window of unknown length when traced: no static loop length, Keras' loop.
    stock, ours = _pair(kind, 4, 3, seed=4)
    traced = tf.function(ours, input_signature=[tf.TensorSpec((2, None, 3), tf.float32)])
    np.testing.assert_allclose(np.asarray(traced(x)), np.asarray(stock(x)), atol=1e-6)
    # A mask (padded steps): Keras' loop.
    masked = keras.Sequential([keras.Input((7, 3)), keras.layers.Masking(0.0), ours])
    assert masked(x).shape == (2, 4)


def test_lanes_of_a_batch_known_only_when_running_may_be_empty():
    """A batch of 1 row in 2 lanes (sizes decided at run time): one lane is empty."""
    stock, ours = _pair("lstm", 3, 1, seed=8)
    ours.lanes = 2
    x = tf.constant(np.random.default_rng(9).standard_normal((1, 5, 1)).astype("float32"))

    @tf.function(input_signature=[tf.TensorSpec((None, 5, 1), tf.float32)])
    def grads(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(ours(x) ** 2)
        return tape.gradient(loss, [x, *ours.trainable_weights])

    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(stock(x) ** 2)
    expected = tape.gradient(loss, [x, *stock.trainable_weights])
    for a, b in zip(grads(x), expected, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)


def test_lane_count_rules():
    assert fused._lanes(64, None) == min(fused.LANES, 4)
    assert fused._lanes(20, None) == 1  # fewer than 2 x MIN_LANE_ROWS rows
    assert fused._lanes(None, None) == fused.LANES
    assert fused._lanes(5, 3) == 3 and fused._lanes(2, 3) == 2
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="lanes must be"):
            fused._lanes(8, bad)
    with pytest.raises(ValueError, match="lanes must be"):
        FusedGRU(4, lanes=0)


def test_compile_network_leaves_the_step_to_tensorflow_when_the_loops_are_fused():
    fused_model = compile_network(build_network(("lstm", "gru"), (4, 3), 6, 0.0))
    assert fused_model.jit_compile is False
    assert all(layer.xla for layer in fused_model.layers if isinstance(layer, FusedLSTM | FusedGRU))
    assert xla_scope(fused_model) == "loops"
    stock = compile_network(build_network(("lstm", "gru"), (4, 3), 6, 0.0, fused=False))
    assert stock.jit_compile is True and xla_scope(stock) == "step"
    plain = compile_network(build_network(("lstm",), 4, 6, 0.0), jit_compile=False)
    assert plain.get_layer("lstm_1").xla is False and xla_scope(plain) == "none"


def test_window_dataset_shuffles_within_the_span_reproducibly():
    x = np.arange(40, dtype="float32").reshape(10, 4, 1)
    y = np.arange(10, dtype="float32")
    first = [b[1].numpy().tolist() for b in window_dataset(x, y, 4, shuffle_seed=3)]
    again = [b[1].numpy().tolist() for b in window_dataset(x, y, 4, shuffle_seed=3)]
    assert first == again
    flat = [v for batch in first for v in batch]
    assert sorted(flat) == list(range(10))  # every window once per epoch
    assert flat != list(range(10))
    ordered = [b[1].numpy().tolist() for b in window_dataset(x, y, 4)]
    assert ordered == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    for xb, yb in window_dataset(x, y, 4, shuffle_seed=3):
        np.testing.assert_array_equal(xb.numpy()[:, 0, 0], 4 * yb.numpy())  # pairs kept


def test_fused_loop_needs_a_static_window_length():
    with pytest.raises(ValueError, match="static window length"):

        @tf.function(input_signature=[tf.TensorSpec((2, None, 1), tf.float32)])
        def run(x):
            h = tf.zeros((2, 3))
            return fused.gru_sequence(x, h, tf.zeros((1, 9)), tf.zeros((3, 9)), tf.zeros((2, 9)))

        run.get_concrete_function()


def test_verification_table_of_the_fused_gradients():
    table = verification.fused_gradient_differences(seed=5, batch=2, steps=6, n_inputs=2, units=4)
    assert list(table.index) == [
        "LSTM, all steps",
        "LSTM, last step",
        "GRU, all steps",
        "GRU, last step",
    ]
    assert list(table.columns) == ["output", "d input", "d kernel", "d recurrent kernel", "d bias"]
    assert (table.to_numpy() < 1e-5).all(), table


def _train(fused_kernels: bool, jit: bool):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((192, 12, 1)).astype("float32")
    y = (0.5 * x[:, -1, 0] - 0.3 * x[:, -2, 0]).astype("float32")
    keras.utils.set_random_seed(1)
    model = build_network(("lstm", "gru"), (8, 6), window=12, dropout=0.2, fused=fused_kernels)
    compile_network(model, jit_compile=jit, steps_per_execution=2)
    history = model.fit(x, y, batch_size=32, epochs=3, shuffle=True, verbose=0)
    return history.history["loss"], model.get_weights()


@pytest.mark.parametrize("jit", [False, True], ids=["graph-loops", "xla-loops"])
def test_training_the_hybrid_fused_follows_keras(jit):
    """Same seed, batches and dropout masks: the same training run to round-off.

    Keras' layers train in a TensorFlow graph (no XLA: XLA draws other dropout masks from the
    same Philox seeds); the fused loops run as graphs or compiled by XLA, in two lanes.
    """
    loss_fused, weights_fused = _train(True, jit)
    loss_stock, weights_stock = _train(False, False)
    assert loss_fused[-1] < loss_fused[0]  # it learns
    np.testing.assert_allclose(loss_fused, loss_stock, rtol=1e-4)
    for a, b in zip(weights_fused, weights_stock, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
