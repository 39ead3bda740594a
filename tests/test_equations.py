"""The NumPy twins in ``lstmgru.equations`` against Keras, closed forms and the chapter's labels.

Reference values are either produced by Keras itself (the layers run with the same weights) or
derived by hand in the comments next to them. Everything is seeded and small.
"""

from __future__ import annotations

import inspect
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from lstmgru import equations as eq

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_equations.ipynb"
KERAS_TOL = 1e-5  # float32 Keras layers against float64 NumPy twins
SHAPES = [  # (n_inputs, units, batch, T)
    (1, 4, 2, 6),
    (3, 8, 4, 9),
    (5, 16, 1, 12),
]


@pytest.fixture(scope="module")
def keras():
    """Keras, imported only by the tests that need it (TensorFlow start-up is slow)."""
    import keras as keras_module

    return keras_module


def _random_like(layer, rng: np.random.Generator, scale: float = 0.5) -> list[np.ndarray]:
    """Random weights with the shapes Keras itself allocates for ``layer``."""
    return [(scale * rng.standard_normal(w.shape)).astype("float32") for w in layer.get_weights()]


def _keras_run(layer, x: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    layer(x)  # build
    layer.set_weights(weights)
    return np.asarray(layer(x))


# ---------------------------------------------------------------------------------------------
# Twins against Keras layers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "m", "batch", "steps"), SHAPES)
def test_lstm_sequence_matches_keras(keras, n, m, batch, steps):
    rng = np.random.default_rng(100 + m)
    x = rng.standard_normal((batch, steps, n)).astype("float32")
    layer = keras.layers.LSTM(m, return_sequences=True)
    layer(x)
    weights = _random_like(layer, rng)
    expected = _keras_run(layer, x, weights)
    got = eq.lstm_sequence(x, *weights)
    assert got.shape == (batch, steps, m)
    np.testing.assert_allclose(got, expected, rtol=0, atol=KERAS_TOL)
    np.testing.assert_allclose(
        eq.lstm_sequence(x, *weights, return_sequences=False), expected[:, -1], atol=KERAS_TOL
    )


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize(("n", "m", "batch", "steps"), SHAPES)
def test_gru_sequence_matches_keras(keras, n, m, batch, steps, reset_after):
    rng = np.random.default_rng(200 + m)
    x = rng.standard_normal((batch, steps, n)).astype("float32")
    layer = keras.layers.GRU(m, return_sequences=True, reset_after=reset_after)
    layer(x)
    weights = _random_like(layer, rng)
    assert weights[2].shape == ((2, 3 * m) if reset_after else (3 * m,))
    expected = _keras_run(layer, x, weights)
    got = eq.gru_sequence(x, *weights, reset_after=reset_after)
    np.testing.assert_allclose(got, expected, rtol=0, atol=KERAS_TOL)


def test_simple_rnn_sequence_matches_keras(keras):
    rng = np.random.default_rng(300)
    x = rng.standard_normal((3, 10, 2)).astype("float32")
    layer = keras.layers.SimpleRNN(6, return_sequences=True)
    layer(x)
    weights = _random_like(layer, rng)
    expected = _keras_run(layer, x, weights)
    np.testing.assert_allclose(eq.simple_rnn_sequence(x, *weights), expected, atol=KERAS_TOL)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize(("n", "m1", "m2", "batch", "steps"), [(1, 8, 4, 3, 10), (4, 6, 10, 2, 7)])
def test_hybrid_forward_matches_keras_model(keras, n, m1, m2, batch, steps, reset_after):
    rng = np.random.default_rng(400 + m1 + m2)
    x = rng.standard_normal((batch, steps, n)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((steps, n)),
            keras.layers.LSTM(m1, return_sequences=True),
            keras.layers.GRU(m2, reset_after=reset_after),
            keras.layers.Dense(1),
        ]
    )
    lstm_weights, gru_weights, dense_weights = (_random_like(layer, rng) for layer in model.layers)
    for layer, weights in zip(
        model.layers, (lstm_weights, gru_weights, dense_weights), strict=True
    ):
        layer.set_weights(weights)
    expected = np.asarray(model(x))
    got = eq.hybrid_forward(
        x, lstm_weights, gru_weights, *dense_weights, gru_reset_after=reset_after
    )
    assert got.shape == (batch, 1)
    np.testing.assert_allclose(got, expected, rtol=0, atol=KERAS_TOL)
    # The composition is not trivially constant: forecasts differ across the batch.
    assert np.ptp(got) > 1e-3


# ---------------------------------------------------------------------------------------------
# The published GRU forms against the Keras convention
# ---------------------------------------------------------------------------------------------
def _single_bias_weights(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, ...]:
    return (
        (0.5 * rng.standard_normal((n, 3 * m))).astype("float32"),
        (0.5 * rng.standard_normal((m, 3 * m))).astype("float32"),
        (0.5 * rng.standard_normal(3 * m)).astype("float32"),
    )


def test_cho_form_is_keras_reset_before(keras):
    # Cho et al. (2014), Section 2.3: z weights h_{t-1}, r applied before U_h, which is
    # Keras' reset_after=False with the very same weights (no relabelling).
    n, m, batch, steps = 3, 8, 4, 9
    rng = np.random.default_rng(500)
    x = rng.standard_normal((batch, steps, n)).astype("float32")
    weights = _single_bias_weights(rng, n, m)
    layer = keras.layers.GRU(m, return_sequences=True, reset_after=False)
    keras_out = _keras_run(layer, x, list(weights))
    cho_out = eq.gru_sequence(x, *weights, reset_after=False, convention="cho")
    np.testing.assert_allclose(cho_out, keras_out, rtol=0, atol=KERAS_TOL)


def test_chung_form_equals_keras_reset_before_after_relabelling(keras):
    n, m, batch, steps = 3, 8, 4, 9
    rng = np.random.default_rng(501)
    x = rng.standard_normal((batch, steps, n)).astype("float32")
    chung = _single_bias_weights(rng, n, m)
    chung_out = eq.gru_sequence(x, *chung, reset_after=False, convention="chung")
    layer = keras.layers.GRU(m, return_sequences=True, reset_after=False)
    relabelled = [w.astype("float32") for w in eq.relabel_update_gate(*chung)]
    np.testing.assert_allclose(chung_out, _keras_run(layer, x, relabelled), rtol=0, atol=KERAS_TOL)

    # Without relabelling, z and 1 - z swap roles and the outputs are far apart
    # (max |diff| about 1.6 for these weights; above 0.1 is unmistakably a different model).
    layer.set_weights(list(chung))
    assert np.abs(chung_out - np.asarray(layer(x))).max() > 0.1


def test_relabelling_is_exact_and_an_involution():
    rng = np.random.default_rng(502)
    n, m = 2, 5
    chung = [w.astype(np.float64) for w in _single_bias_weights(rng, n, m)]
    x = rng.standard_normal((3, n))
    h = rng.standard_normal((3, m))
    relabelled = eq.relabel_update_gate(*chung)
    expected = eq.gru_step_chung(x, h, *chung)
    np.testing.assert_allclose(eq.gru_step_cho(x, h, *relabelled), expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(
        eq.gru_step(x, h, *relabelled, reset_after=False), expected, rtol=0, atol=1e-14
    )
    for original, twice in zip(chung, eq.relabel_update_gate(*relabelled), strict=True):
        np.testing.assert_array_equal(original, twice)
    # Only the z block changes sign.
    np.testing.assert_array_equal(relabelled[0][:, m:], chung[0][:, m:])
    np.testing.assert_array_equal(relabelled[2][:m], -chung[2][:m])
    # With a (2, 3m) bias both rows of the z block flip.
    two_rows = eq.relabel_update_gate(chung[0], chung[1], np.stack([chung[2], chung[2]]))[2]
    np.testing.assert_array_equal(two_rows[:, :m], -np.stack([chung[2][:m]] * 2))


def test_reset_after_differs_only_through_where_the_reset_gate_enters():
    rng = np.random.default_rng(503)
    n, m = 3, 6
    kernel = rng.standard_normal((n, 3 * m))
    recurrent_kernel = rng.standard_normal((m, 3 * m))
    bias_after = rng.standard_normal((2, 3 * m))
    bias_before = bias_after.sum(axis=0)  # b + b_bar, the single bias of reset_after=False
    x = rng.standard_normal((4, n))
    h = rng.standard_normal((4, m))
    after = eq.gru_step(x, h, kernel, recurrent_kernel, bias_after, reset_after=True)
    before = eq.gru_step(x, h, kernel, recurrent_kernel, bias_before, reset_after=False)
    # r_t * (U_h h + b_bar_h) versus U_h (r_t * h) + b_bar_h: different in general ...
    assert np.abs(after - before).max() > 0.05  # about 0.27 for these weights
    # ... and identical once the reset gate is open (r_t = sigma(60) = 1 in float64).
    bias_after[0, m : 2 * m] = 60.0
    bias_before = bias_after.sum(axis=0)
    after = eq.gru_step(x, h, kernel, recurrent_kernel, bias_after, reset_after=True)
    before = eq.gru_step(x, h, kernel, recurrent_kernel, bias_before, reset_after=False)
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-12)


def test_cho_form_differs_from_keras_reset_after_true(keras):
    n, m, batch, steps = 2, 6, 3, 8
    rng = np.random.default_rng(504)
    x = rng.standard_normal((batch, steps, n)).astype("float32")
    kernel, recurrent_kernel, bias = _single_bias_weights(rng, n, m)
    layer = keras.layers.GRU(m, return_sequences=True, reset_after=True)
    keras_after = _keras_run(layer, x, [kernel, recurrent_kernel, np.stack([bias, 0 * bias])])
    cho_out = eq.gru_sequence(
        x, kernel, recurrent_kernel, bias, reset_after=False, convention="cho"
    )
    assert np.abs(cho_out - keras_after).max() > 0.1  # about 0.41 for these weights


# ---------------------------------------------------------------------------------------------
# Parameter counts
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "m"), [(1, 1), (1, 64), (5, 8), (13, 32)])
def test_param_counts_match_keras(keras, n, m):
    lstm = keras.layers.LSTM(m)
    lstm.build((None, None, n))
    assert eq.lstm_param_count(n, m) == lstm.count_params()
    for reset_after in (True, False):
        gru = keras.layers.GRU(m, reset_after=reset_after)
        gru.build((None, None, n))
        assert eq.gru_param_count(n, m, reset_after=reset_after) == gru.count_params()
    dense = keras.layers.Dense(3)
    dense.build((None, m))
    assert eq.dense_param_count(m, 3) == dense.count_params()


@pytest.mark.parametrize(("n", "m1", "m2", "k"), [(1, 64, 64, 1), (3, 16, 8, 2)])
def test_hybrid_param_count_matches_keras(keras, n, m1, m2, k):
    model = keras.Sequential(
        [
            keras.Input((20, n)),
            keras.layers.LSTM(m1, return_sequences=True),
            keras.layers.GRU(m2),
            keras.layers.Dense(k),
        ]
    )
    assert eq.hybrid_param_count(n, m1, m2, k) == model.count_params()


def test_default_hybrid_worked_count():
    # n = 1, LSTM m1 = 64, GRU m2 = 64 (reset_after=True), Dense k = 1:
    #   LSTM  4 * (64 * (1 + 64) + 64)      = 4 * 4224 = 16896
    #   GRU   3 * (64 * (64 + 64) + 2 * 64) = 3 * 8320 = 24960
    #   Dense 1 * (64 + 1)                  =             65
    #   total                                           41921
    assert eq.lstm_param_count(1, 64) == 16896
    assert eq.gru_param_count(64, 64) == 24960
    assert eq.gru_param_count(64, 64, reset_after=False) == 3 * (64 * 128 + 64) == 24768
    assert eq.dense_param_count(64, 1) == 65
    assert eq.hybrid_param_count(1, 64, 64, 1) == 41921
    # m1 = m2 = 32 (the default profile): 4 * 1088 = 4352, 3 * 2112 = 6336, 33; total 10721
    assert eq.hybrid_param_count(1, 32, 32, 1) == 4352 + 6336 + 33 == 10721


@pytest.mark.parametrize(
    "call",
    [
        lambda: eq.lstm_param_count(0, 4),
        lambda: eq.gru_param_count(3, -1),
        lambda: eq.dense_param_count(2.5, 1),
        lambda: eq.hybrid_param_count(1, True, 4),
    ],
)
def test_param_counts_reject_non_positive_integers(call):
    with pytest.raises(ValueError, match="must be a positive integer"):
        call()


# ---------------------------------------------------------------------------------------------
# Jacobians and gradient norms
# ---------------------------------------------------------------------------------------------
def _central_difference(f, s: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    columns = []
    for j in range(s.size):
        e = np.zeros_like(s)
        e[j] = eps
        columns.append((f(s + e) - f(s - e)) / (2 * eps))
    return np.stack(columns, axis=1)


def test_lstm_jacobian_matches_finite_differences():
    rng = np.random.default_rng(600)
    n, m = 3, 5
    kernel, recurrent_kernel, bias = (
        rng.standard_normal(s) for s in [(n, 4 * m), (m, 4 * m), 4 * m]
    )
    x, state = rng.standard_normal(n), rng.standard_normal(2 * m)
    analytic = eq.lstm_jacobian(x, state[:m], state[m:], kernel, recurrent_kernel, bias)

    def step(s):
        return np.concatenate(eq.lstm_step(x, s[:m], s[m:], kernel, recurrent_kernel, bias))

    np.testing.assert_allclose(analytic, _central_difference(step, state), rtol=0, atol=1e-8)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_jacobian_matches_finite_differences(reset_after):
    rng = np.random.default_rng(601)
    n, m = 3, 5
    bias_shape = (2, 3 * m) if reset_after else (3 * m,)
    kernel, recurrent_kernel, bias = (
        rng.standard_normal(s) for s in [(n, 3 * m), (m, 3 * m), bias_shape]
    )
    x, h = rng.standard_normal(n), rng.standard_normal(m)
    analytic = eq.gru_jacobian(x, h, kernel, recurrent_kernel, bias, reset_after=reset_after)

    def step(s):
        return eq.gru_step(x, s, kernel, recurrent_kernel, bias, reset_after=reset_after)

    np.testing.assert_allclose(analytic, _central_difference(step, h), rtol=0, atol=1e-8)


def test_simple_rnn_jacobian_matches_finite_differences():
    rng = np.random.default_rng(602)
    kernel, recurrent_kernel, bias = (rng.standard_normal(s) for s in [(2, 4), (4, 4), 4])
    x, h = rng.standard_normal(2), rng.standard_normal(4)
    analytic = eq.simple_rnn_jacobian(x, h, kernel, recurrent_kernel, bias)

    def step(s):
        return eq.simple_rnn_step(x, s, kernel, recurrent_kernel, bias)

    np.testing.assert_allclose(analytic, _central_difference(step, h), rtol=0, atol=1e-8)


def test_simple_rnn_gradient_norm_respects_and_attains_the_bound():
    # Recurrent matrix 0.5 * Q, Q orthogonal: ||U||_2 = 0.5, so eq:bptt-bound gives
    # ||dh_T/dh_t|| <= (0.5 * 1)^(T - t).
    weights = eq.random_recurrent_weights("simple_rnn", 1, 12, seed=7, recurrent_scale=0.5)
    assert np.linalg.norm(weights[1], ord=2) == pytest.approx(0.5, rel=1e-12)
    distance = np.arange(31)
    bound = eq.simple_rnn_bound(weights[1], distance)

    # Zero input and zero state keep h_t = 0, where tanh' = 1: the product is U^k = 0.5^k Q^k
    # and the bound is attained exactly.
    at_zero = eq.state_jacobian_norms("simple_rnn", np.zeros((30, 1)), weights)
    np.testing.assert_allclose(at_zero, 0.5**distance, rtol=1e-10)

    # With inputs the hidden state leaves 0, tanh' < 1, and the norm falls strictly below.
    x = np.random.default_rng(8).standard_normal((30, 1))
    norms = eq.state_jacobian_norms("simple_rnn", x, weights)
    assert np.all(norms <= bound * (1 + 1e-12))
    assert 0 < norms[20] < 0.5**20
    assert norms[20] < 0.9 * bound[20]


def test_lstm_cell_path_decays_as_forget_gate_power():
    # All weights zero, forget bias 3: i = o = sigma(0) = 1/2, c~ = tanh(0) = 0, so c_t = 0 and
    # h_t = 0 for every t, and the only path back in time is dc_t/dc_{t-1} = diag(f)
    # (eq:lstm-cell-jacobian). Hence dh_T/dc_t = o * tanh'(0) * f^(T-t) = 0.5 * sigma(3)^(T-t).
    m, steps = 4, 25
    kernel, recurrent_kernel, bias = np.zeros((1, 4 * m)), np.zeros((m, 4 * m)), np.zeros(4 * m)
    bias[m : 2 * m] = 3.0
    norms = eq.state_jacobian_norms("lstm", np.zeros((steps, 1)), (kernel, recurrent_kernel, bias))
    forget = 1.0 / (1.0 + np.exp(-3.0))  # 0.95257...
    k = np.arange(1, steps + 1)
    np.testing.assert_allclose(norms[1:], 0.5 * forget**k, rtol=1e-12)
    assert norms[20] == pytest.approx(0.189211, abs=1e-6)  # 0.5 * exp(20 * ln 0.952574)


def test_gru_direct_path_decays_as_update_gate_power():
    # All weights zero, update bias b_z: h~ = tanh(0) = 0 keeps h_t = 0 and the Jacobian
    # (eq:gru-jacobian) reduces to diag(z) with z = sigma(b_z); the norm at distance k is z^k.
    m, steps = 3, 25
    weights = [np.zeros((2, 3 * m)), np.zeros((m, 3 * m)), np.zeros((2, 3 * m))]
    weights[2][0, :m] = 2.0
    norms = eq.state_jacobian_norms("gru", np.zeros((steps, 2)), weights)
    update = 1.0 / (1.0 + np.exp(-2.0))  # 0.880797...
    np.testing.assert_allclose(norms, update ** np.arange(steps + 1), rtol=1e-12)


def test_recurrent_kernel_is_drawn_as_keras_draws_it(keras):
    # Keras' Orthogonal initialiser fills the whole (m, k m) recurrent kernel at once: its rows
    # are orthonormal, so each gate's m x m block has spectral norm below one. The twin's draw
    # has the same structure; "blocks" (not Keras) makes every block orthogonal instead.
    m = 16
    layer = keras.layers.LSTM(m)
    layer.build((None, None, 1))
    keras_kernel = layer.get_weights()[1].astype("float64")
    for recurrent_kernel in (
        keras_kernel,
        eq.random_recurrent_weights("lstm", 1, m, seed=0)[1],
        eq.random_recurrent_weights("gru", 1, m, seed=0)[1],
    ):
        rows = recurrent_kernel.shape[0]
        np.testing.assert_allclose(recurrent_kernel @ recurrent_kernel.T, np.eye(rows), atol=1e-5)
        assert np.all(eq.recurrent_block_norms(recurrent_kernel) < 0.99)
    blocks = eq.random_recurrent_weights("lstm", 1, m, seed=0, recurrent_init="blocks")[1]
    np.testing.assert_allclose(eq.recurrent_block_norms(blocks), 1.0, rtol=1e-12)
    simple = eq.random_recurrent_weights("simple_rnn", 1, m, seed=0)[1]
    assert eq.recurrent_block_norms(simple) == pytest.approx([1.0], rel=1e-12)


def test_lstm_block_norms_at_sixteen_units():
    # Median over the ten draws of the chapter's figure (seeds 0..9, m = 16): about 0.83 for
    # the LSTM's four blocks, 0.92 for the GRU's three (values printed by
    # verification.recurrent_block_norm_table(units=16, n_seeds=10)); the large-m limit of the
    # largest singular value of an m x m block of an orthogonal m x k m matrix is
    # 2 sqrt((1/k)(1 - 1/k)): sqrt(3)/2 = 0.866 for k = 4, 0.943 for k = 3.
    def median_norms(cell):
        draws = eq.recurrent_draws(cell, n_steps=1, units=16, n_seeds=10)
        return np.median([eq.recurrent_block_norms(w[1]) for _, w in draws], axis=0)

    np.testing.assert_allclose(median_norms("lstm"), [0.8328, 0.8210, 0.8223, 0.8322], atol=1e-3)
    np.testing.assert_allclose(median_norms("gru"), [0.9137, 0.9100, 0.9312], atol=1e-3)


def test_recurrent_options_are_checked():
    with pytest.raises(ValueError, match="recurrent_init must be one of keras, blocks"):
        eq.random_recurrent_weights("lstm", 1, 4, seed=0, recurrent_init="glorot")
    with pytest.raises(ValueError, match=r"shape \(m, k m\)"):
        eq.recurrent_block_norms(np.zeros((3, 7)))


def test_cell_path_is_the_whole_gradient_when_it_is_the_only_path():
    # The zero-weight LSTM of test_lstm_cell_path_decays_as_forget_gate_power: the cell path is
    # the only route, so it equals the full norm, 0.5 * sigma(3)^k, and the forget product is
    # sigma(3)^k.
    m, steps = 4, 25
    kernel, recurrent_kernel, bias = np.zeros((1, 4 * m)), np.zeros((m, 4 * m)), np.zeros(4 * m)
    bias[m : 2 * m] = 3.0
    x = np.zeros((steps, 1))
    cell_path, forget_product = eq.lstm_cell_path_norms(x, (kernel, recurrent_kernel, bias))
    full = eq.state_jacobian_norms("lstm", x, (kernel, recurrent_kernel, bias))
    forget = 1.0 / (1.0 + np.exp(-3.0))
    k = np.arange(steps + 1)
    np.testing.assert_allclose(forget_product, forget**k, rtol=1e-12)
    np.testing.assert_allclose(cell_path, 0.5 * forget**k, rtol=1e-12)
    np.testing.assert_allclose(cell_path[1:], full[1:], rtol=1e-12)


def test_lstm_gradient_runs_through_the_recurrent_matrices_at_keras_initialisation():
    # The chapter's claim: at the Keras initialisation (b_f = 1) the LSTM's gradient at distance
    # 40 is orders of magnitude above its cell path alone (which decays like sigma(1)^k = 0.73^k),
    # decays per step about as fast as the simple RNN's, and is far larger with recurrent
    # blocks of norm one.
    common = {"n_steps": 40, "units": 16, "n_seeds": 3}
    full = eq.gradient_norm_profile("lstm", **common)
    cell_path, forget_product = eq.lstm_cell_path_profile(**common)
    simple = eq.gradient_norm_profile("simple_rnn", **common)
    unit_blocks = eq.gradient_norm_profile("lstm", recurrent_init="blocks", **common)
    assert full[40] > 100 * cell_path[40]
    assert (forget_product[40] / forget_product[10]) ** (1 / 30) == pytest.approx(0.73, abs=0.03)
    rate = (full[40] / full[10]) ** (1 / 30)
    assert rate == pytest.approx((simple[40] / simple[10]) ** (1 / 30), abs=0.03)
    assert rate > 0.8
    assert unit_blocks[40] > 10 * full[40]


def test_gradient_norm_profile_is_seeded_and_median():
    first = eq.gradient_norm_profile("gru", n_steps=15, units=6, seed=3)
    again = eq.gradient_norm_profile("gru", n_steps=15, units=6, seed=3)
    np.testing.assert_array_equal(first, again)
    draws = [eq.gradient_norm_profile("lstm", n_steps=15, units=6, seed=s) for s in (3, 4, 5)]
    median = eq.gradient_norm_profile("lstm", n_steps=15, units=6, seed=3, n_seeds=3)
    np.testing.assert_array_equal(median, np.median(draws, axis=0))
    assert first.shape == (16,) and first[0] == 1.0


# ---------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------
def test_gru_bias_shape_must_match_reset_after():
    m = 4
    with pytest.raises(ValueError, match="pass reset_after=False"):
        eq.gru_step(
            np.zeros(2), np.zeros(m), np.zeros((2, 3 * m)), np.zeros((m, 3 * m)), np.zeros(3 * m)
        )
    with pytest.raises(ValueError, match="pass reset_after=True"):
        eq.gru_step(
            np.zeros(2),
            np.zeros(m),
            np.zeros((2, 3 * m)),
            np.zeros((m, 3 * m)),
            np.zeros((2, 3 * m)),
            reset_after=False,
        )


@pytest.mark.parametrize("convention", ["cho", "chung"])
def test_published_conventions_require_reset_before(convention):
    weights = _single_bias_weights(np.random.default_rng(0), 1, 2)
    with pytest.raises(ValueError, match="pass reset_after=False"):
        eq.gru_sequence(np.zeros((1, 3, 1)), *weights, convention=convention)


def test_lstm_rejects_wrong_kernel_layout():
    with pytest.raises(ValueError, match=r"kernel must have shape \(n, 4 m\)"):
        eq.lstm_step(
            np.zeros(2), np.zeros(3), np.zeros(3), np.zeros((2, 9)), np.zeros((3, 12)), np.zeros(12)
        )


def test_sigmoid_symmetry_behind_the_relabelling():
    a = np.linspace(-40, 40, 81)
    np.testing.assert_allclose(1 - eq.sigmoid(a), eq.sigmoid(-a), rtol=0, atol=1e-15)
    assert eq.sigmoid(0.0) == 0.5
    assert eq.sigmoid(3.0) == pytest.approx(0.9525741268224334, rel=1e-15)  # 1 / (1 + e^-3)


# ---------------------------------------------------------------------------------------------
# The chapter: labels in the notebook against EQUATION_LABELS
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _markdown(notebook: dict) -> str:
    return "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"
    )


def test_notebook_equations_are_labelled_once_and_match_the_module(notebook):
    text = _markdown(notebook)
    blocks = re.findall(r"\\begin\{equation\}(.*?)\\end\{equation\}", text, flags=re.DOTALL)
    labels = [re.findall(r"\\label\{([^}]*)\}", block) for block in blocks]
    assert all(len(found) == 1 for found in labels), "each equation needs exactly one label"
    labels = [found[0] for found in labels]
    assert len(labels) == len(set(labels)), "duplicate equation labels"
    assert len(re.findall(r"\\label\{", text)) == len(labels), "label outside an equation"
    assert labels == list(eq.EQUATION_LABELS), "notebook order and EQUATION_LABELS differ"
    assert "$$" not in text, "display math must use the equation environment"


def test_notebook_references_resolve(notebook):
    text = _markdown(notebook)
    # \eqref{eq:...} as written, or [(N)](#eq:...) as numbered by lstmgru.report.numbering
    found = re.findall(r"\\(?:eq)?ref\{(eq:[^}]*)\}|\]\(#(eq:[^)\s]*)\)", text)
    references = {written or numbered for written, numbered in found}
    assert references, "the chapter should cross-reference its equations"
    assert references <= set(eq.EQUATION_LABELS)


def test_module_cites_only_existing_labels():
    cited = set(re.findall(r"``(eq:[a-z0-9-]+)``|# (eq:[a-z0-9-]+)", inspect.getsource(eq)))
    cited = {label for pair in cited for label in pair if label}
    assert cited, "docstrings should cite equation labels"
    assert cited <= set(eq.EQUATION_LABELS)


def test_notebook_citations_exist_in_bibliography(notebook):
    bib = (NOTEBOOK.parents[1] / "report" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    cited = set(re.findall(r'<cite data-cite="([^"]+)">', _markdown(notebook)))
    assert cited and cited <= keys


def test_notebook_is_committed_without_outputs(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_gradient_figure_axis_agrees_with_its_caption(notebook):
    import pandas as pd

    from lstmgru import plots

    fig = plots.plot_gradient_norms(pd.DataFrame({"cell": [1.0, 0.5]}))
    assert r"\partial h_T / \partial s_t" in fig.axes[0].get_ylabel()
    (caption,) = [
        cell["metadata"]["caption"]
        for cell in notebook["cells"]
        if cell["metadata"].get("label") == "fig:gradient-norms"
    ]
    assert r"\partial h_T / \partial s_t" in caption


def test_chapter_receives_the_run_configuration(tmp_path):
    # The runner hands 01_equations the parameters of the run's first ticker that the chapter
    # declares, so units, window and training windows in the text are the run's; they enter
    # the chapter's result key.
    from lstmgru.runner.plan import make_plan, notebook_parameters

    declared = notebook_parameters(NOTEBOOK)
    assert set(declared) <= set(notebook_parameters(NOTEBOOK.parent / "03_experiment.ipynb"))

    def plan(parameters):
        return make_plan(
            ["KO", "XOM"],
            source="skfolio",
            profile="quick",
            output=tmp_path,
            start=None,
            end=None,
            models="random_walk,drift",
            n_seeds=None,
            epochs=None,
            run_id=None,
            parameters=parameters,
            csv_dir=None,
            notebook_dir=NOTEBOOK.parent,
            kernel_name="lstmgru",
        )

    def theory(run_plan):
        (task,) = [task for task in run_plan.chapters if task.label == NOTEBOOK.name]
        return task

    task = theory(plan({"validation_days": 40, "window": 5}))
    assert set(task.parameters) <= set(declared)
    assert (task.parameters["ticker"], task.parameters["profile"]) == ("KO", "quick")
    assert (task.parameters["validation_days"], task.parameters["window"]) == (40, 5)
    assert theory(plan(None)).key != task.key
