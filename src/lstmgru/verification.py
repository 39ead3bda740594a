"""The equations of the theory chapter checked against the Keras layers, visibly.

:mod:`lstmgru.equations` is pure NumPy; this module puts its twins beside Keras' own layers with
the same random weights and returns the largest absolute differences, and compares the
closed-form parameter counts with ``count_params()``. The fused CPU loops that train the
networks (:mod:`lstmgru.models.fused`) are checked the same way, forward against the twins and
backward (every gradient) against TensorFlow's automatic differentiation of Keras' layers. The
theory notebook shows the tables; ``tests/test_equations.py``, ``tests/test_verification.py``
and ``tests/test_fused.py`` pin them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from lstmgru import equations as eq

__all__ = [
    "RECURRENT_BLOCKS",
    "fused_gradient_differences",
    "gradient_norm_profiles",
    "keras_twin_differences",
    "lstm_gradient_paths",
    "parameter_count_table",
    "recurrent_block_norm_table",
]

#: Names of the recurrent blocks of each cell, in the Keras gate order of the layout.
RECURRENT_BLOCKS: dict[str, tuple[str, ...]] = {
    "simple_rnn": ("U",),
    "lstm": ("U_i", "U_f", "U_c", "U_o"),
    "gru": ("U_z", "U_r", "U_h"),
}
_CELL_NAMES = {"simple_rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}


def _random_weights(layer, rng: np.random.Generator, scale: float = 0.5) -> list[np.ndarray]:
    return [(scale * rng.standard_normal(w.shape)).astype("float32") for w in layer.get_weights()]


def _chung_twin(x, kernel, recurrent_kernel, bias):
    """Keras ``reset_after=False`` weights run through the Chung et al. form (eq:gru-relabel)."""
    weights = eq.relabel_update_gate(kernel, recurrent_kernel, bias)
    return eq.gru_sequence(x, *weights, reset_after=False, convention="chung")


def keras_twin_differences(
    *, seed: int = 2024, batch: int = 4, steps: int = 20, n_inputs: int = 3, units: int = 8
) -> pd.Series:
    """Max |Keras - NumPy| over a random sequence for each cell and for the hybrid model.

    Parameters
    ----------
    seed : int
        Seed of the inputs and of the random weights (N(0, 0.5^2)).
    batch, steps, n_inputs, units : int
        Shape of the check: ``x`` is ``(batch, steps, n_inputs)``; layers have ``units`` units.

    Returns
    -------
    pandas.Series
        Dimensionless maximum absolute differences of the hidden states (hybrid: of the output).
    """
    import keras

    from lstmgru.models.fused import FusedGRU, FusedLSTM

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, n_inputs)).astype("float32")
    cases = {
        "LSTM": (keras.layers.LSTM(units, return_sequences=True), eq.lstm_sequence),
        "LSTM, fused CPU loop (training)": (
            FusedLSTM(units, return_sequences=True),
            eq.lstm_sequence,
        ),
        "GRU, reset after the product (Keras)": (
            keras.layers.GRU(units, return_sequences=True),
            eq.gru_sequence,
        ),
        "GRU, reset after the product, fused CPU loop (training)": (
            FusedGRU(units, return_sequences=True),
            eq.gru_sequence,
        ),
        "GRU, reset before the product (Cho et al.)": (
            keras.layers.GRU(units, return_sequences=True, reset_after=False),
            partial(eq.gru_sequence, reset_after=False, convention="cho"),
        ),
        "GRU, reset before the product (Chung et al., relabelled update gate)": (
            keras.layers.GRU(units, return_sequences=True, reset_after=False),
            _chung_twin,
        ),
    }
    differences = {}
    for label, (layer, twin) in cases.items():
        layer(x)  # build, then replace Keras' initial weights by random ones
        weights = _random_weights(layer, rng)
        layer.set_weights(weights)
        differences[label] = float(np.abs(np.asarray(layer(x)) - twin(x, *weights)).max())
    hybrid = keras.Sequential(
        [
            keras.Input(x.shape[1:]),
            keras.layers.LSTM(units, return_sequences=True),
            keras.layers.GRU(max(units - 2, 1)),
            keras.layers.Dense(1),
        ]
    )
    lstm_w, gru_w, dense_w = (_random_weights(layer, rng) for layer in hybrid.layers)
    for layer, weights in zip(hybrid.layers, (lstm_w, gru_w, dense_w), strict=True):
        layer.set_weights(weights)
    differences["Hybrid LSTM–GRU model"] = float(
        np.abs(np.asarray(hybrid(x)) - eq.hybrid_forward(x, lstm_w, gru_w, *dense_w)).max()
    )
    return pd.Series(differences, name="max |Keras - NumPy|")


def _outputs_and_gradients(layers: tuple[Any, ...], x: Any, w: Any) -> list[list[Any]]:
    """For each layer: output on ``x`` and the gradients of ``sum(w * sin(output))``, under XLA.

    All layers of one call share one compiled function, traced once (TensorFlow warns when
    many functions are traced in a row).
    """
    import tensorflow as tf

    def run() -> list[list[Any]]:
        results = []
        for layer in layers:
            with tf.GradientTape() as tape:
                tape.watch(x)
                out = layer(x)
                loss = tf.reduce_sum(w * tf.sin(out))
            results.append([out, *tape.gradient(loss, [x, *layer.trainable_weights])])
        return results

    return tf.function(run, jit_compile=True)()


def fused_gradient_differences(
    *, seed: int = 2024, batch: int = 4, steps: int = 20, n_inputs: int = 3, units: int = 8
) -> pd.DataFrame:
    """Relative differences between the fused loops and Keras' layers, forward and backward.

    Each fused layer (:class:`~lstmgru.models.fused.FusedLSTM`, ``FusedGRU``) and Keras' layer
    get the same random weights and inputs; the loss :math:`L = \\sum_{b,t,j} w_{btj}\\,
    \\sin(h_{btj})` with fixed random :math:`w` (so that every output and time step carries a
    different gradient) is differentiated with ``tf.GradientTape``: Keras' layer by
    TensorFlow's automatic differentiation, the fused layer by its hand-written
    back-propagation through time. Each entry is
    :math:`\\max |a - b| / \\max |b|` over one tensor (``b`` Keras'), for the outputs and the
    gradients with respect to the input and to each weight, with both ``return_sequences``
    settings; both layers run inside an XLA-compiled function.

    Returns
    -------
    pandas.DataFrame
        Rows: layer and output mode; columns: ``output``, ``d input``, ``d kernel``,
        ``d recurrent kernel``, ``d bias``.
    """
    import keras
    import tensorflow as tf

    from lstmgru.models.fused import FusedGRU, FusedLSTM

    rng = np.random.default_rng(seed)
    x = tf.constant(rng.standard_normal((batch, steps, n_inputs)).astype("float32"))
    rows = {}
    for kind, stock_cls, fused_cls in (
        ("LSTM", keras.layers.LSTM, FusedLSTM),
        ("GRU", keras.layers.GRU, FusedGRU),
    ):
        for sequences in (True, False):
            stock = stock_cls(units, return_sequences=sequences)
            fused = fused_cls(units, return_sequences=sequences)
            stock(x)
            fused(x)
            weights = _random_weights(stock, rng)
            stock.set_weights(weights)
            fused.set_weights(weights)
            shape = (batch, steps, units) if sequences else (batch, units)
            w = tf.constant(rng.standard_normal(shape).astype("float32"))

            ours, ref = _outputs_and_gradients((fused, stock), x, w)
            label = f"{kind}, " + ("all steps" if sequences else "last step")
            rows[label] = [
                float(np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(b)).max())
                for a, b in zip(ours, ref, strict=True)
            ]
    columns = ["output", "d input", "d kernel", "d recurrent kernel", "d bias"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def parameter_count_table(
    shapes: tuple[tuple[int, int, int, int], ...] = (
        (1, 64, 64, 1),
        (1, 32, 16, 1),
        (5, 128, 64, 1),
        (3, 16, 8, 2),
    ),
    *,
    window: int = 60,
) -> pd.DataFrame:
    """Closed-form parameter counts of LSTM -> GRU -> Dense beside Keras' ``count_params()``.

    Parameters
    ----------
    shapes : tuple of (n, m1, m2, k)
        Inputs, LSTM units, GRU units and outputs of each model checked.
    window : int
        Input window length (does not change the count; needed to build the model).

    Returns
    -------
    pandas.DataFrame
        One row per shape: the shape, the closed-form count of each layer and their sum
        (``formula``), and Keras' ``count_params()`` of the built model (``Keras``).
    """
    import keras

    rows = []
    for n, m1, m2, k in shapes:
        model = keras.Sequential(
            [
                keras.Input((window, n)),
                keras.layers.LSTM(m1, return_sequences=True),
                keras.layers.GRU(m2),
                keras.layers.Dense(k),
            ]
        )
        rows.append(
            {
                "n": n,
                "m1": m1,
                "m2": m2,
                "k": k,
                "LSTM": eq.lstm_param_count(n, m1),
                "GRU": eq.gru_param_count(m1, m2),
                "Dense": eq.dense_param_count(m2, k),
                "formula": eq.hybrid_param_count(n, m1, m2, k),
                "Keras": model.count_params(),
            }
        )
    return pd.DataFrame(rows)


def gradient_norm_profiles(
    settings: dict[str, tuple[str, float | None]] | None = None,
    *,
    n_steps: int = 60,
    units: int = 16,
    n_seeds: int = 10,
) -> pd.DataFrame:
    """Median gradient-norm profiles of several cells (see :func:`eq.gradient_norm_profile`).

    Parameters
    ----------
    settings : dict of label to (cell, retain_bias)
        Default: simple RNN, LSTM and GRU at the Keras initialisation and with strongly
        retaining gates (bias 3).

    Returns
    -------
    pandas.DataFrame
        Index: distance ``T - t`` (steps); one column per setting.
    """
    if settings is None:
        settings = {
            "simple RNN": ("simple_rnn", None),
            "LSTM, $b_f = 1$ (Keras)": ("lstm", None),
            "LSTM, $b_f = 3$": ("lstm", 3.0),
            "GRU, $b_z = 0$ (Keras)": ("gru", None),
            "GRU, $b_z = 3$": ("gru", 3.0),
        }
    columns = {
        label: eq.gradient_norm_profile(
            cell, n_steps=n_steps, units=units, n_seeds=n_seeds, retain_bias=retain_bias
        )
        for label, (cell, retain_bias) in settings.items()
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(n_steps + 1, name="distance"))


def recurrent_block_norm_table(
    *, units: int = 16, n_seeds: int = 10, seed: int = 0
) -> pd.DataFrame:
    """Spectral norms of the recurrent blocks of the weights behind :func:`gradient_norm_profiles`.

    The draws are those of :func:`lstmgru.equations.recurrent_draws` (Keras' initialisers: one
    orthogonal :math:`m \\times k m` recurrent kernel per layer); the gate biases do not enter.

    Returns
    -------
    pandas.DataFrame
        Index ``(cell, block)``; columns ``median``, ``min``, ``max`` of
        :math:`\\lVert U_\\ast \\rVert_2` over the draws (dimensionless).
    """
    rows = {}
    for cell, blocks in RECURRENT_BLOCKS.items():
        norms = np.asarray(
            [
                eq.recurrent_block_norms(weights[1])
                for _, weights in eq.recurrent_draws(
                    cell, n_steps=1, units=units, seed=seed, n_seeds=n_seeds
                )
            ]
        )
        for j, block in enumerate(blocks):
            rows[(_CELL_NAMES[cell], block)] = {
                "median": float(np.median(norms[:, j])),
                "min": float(norms[:, j].min()),
                "max": float(norms[:, j].max()),
            }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["cell", "block"])
    return frame


def lstm_gradient_paths(
    *,
    n_steps: int = 60,
    units: int = 16,
    n_seeds: int = 10,
    distances: tuple[int, ...] = (1, 10, 20, 40, 60),
) -> pd.DataFrame:
    """The LSTM's measured gradient norm against its cell path alone, with the rate per step.

    Rows (medians over the draws of :func:`gradient_norm_profiles`), for the forget bias
    :math:`b_f = 1` (Keras) and :math:`b_f = 3`:

    * ``full``: :math:`\\lVert \\partial h_T / \\partial s_t \\rVert_2`, the plotted norm;
    * ``cell path``: the part of :math:`\\partial h_T / \\partial c_t` along the cell state
      alone, :func:`lstmgru.equations.lstm_cell_path_norms`;
    * ``forget product`` (``b_f = 1`` only): :math:`\\max_j \\prod_k f_{k,j}`,
      ``eq:lstm-cell-jacobian``;
    * ``unit blocks`` (``b_f = 1`` only): the full norm with every gate's recurrent block an
      independent orthogonal matrix of norm one (``recurrent_init="blocks"``);

    and the simple RNN's full norm for comparison. The last column, ``per step``, is the geometric
    mean factor per step from the second distance :math:`d_1` to the last :math:`d_2`,
    :math:`(\\lVert\\cdot\\rVert_{d_2} / \\lVert\\cdot\\rVert_{d_1})^{1 / (d_2 - d_1)}`.

    Returns
    -------
    pandas.DataFrame
        Index ``(cell, norm)``; columns: the distances :math:`T - t` and ``per step``.
    """
    if len(distances) < 3 or max(distances) > n_steps:
        raise ValueError(f"distances must hold at least 3 steps up to n_steps={n_steps}")
    common = {"n_steps": n_steps, "units": units, "n_seeds": n_seeds}
    columns: dict[tuple[str, str], np.ndarray] = {
        ("simple RNN", "full"): eq.gradient_norm_profile("simple_rnn", **common)
    }
    for bias in (1.0, 3.0):
        setting = f"LSTM, $b_f = {bias:g}$"
        retain = None if bias == 1.0 else bias
        columns[(setting, "full")] = eq.gradient_norm_profile("lstm", retain_bias=retain, **common)
        if retain is None:
            columns[(setting, "unit blocks")] = eq.gradient_norm_profile(
                "lstm", recurrent_init="blocks", **common
            )
        cell_path, forget_product = eq.lstm_cell_path_profile(retain_bias=retain, **common)
        columns[(setting, "cell path")] = cell_path
        if retain is None:
            columns[(setting, "forget product")] = forget_product
    start, stop = distances[1], distances[-1]
    rows = {
        key: {
            **{d: float(values[d]) for d in distances},
            "per step": float((values[stop] / values[start]) ** (1.0 / (stop - start))),
        }
        for key, values in columns.items()
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["cell", "norm"])
    frame.columns.name = "distance"
    return frame
