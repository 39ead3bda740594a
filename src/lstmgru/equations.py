"""NumPy twins of the equations in the theory chapter (``notebooks/01_equations.ipynb``).

Every function here evaluates one numbered equation, or a short chain of them, with the same
variable names as the text (``forget_gate``, ``candidate_state``, ...). The module is pure: it
imports NumPy only, holds no state, and takes every seed as an argument.

Conventions
-----------
The text writes column vectors, ``h_t = tanh(W x_t + U h_{t-1} + b)``. The functions use the
Keras storage layout, in which a batch of row vectors is multiplied from the right:

* ``kernel`` has shape ``(n, k m)`` and holds ``[W_1^T, ..., W_k^T]`` side by side,
* ``recurrent_kernel`` has shape ``(m, k m)`` and holds ``[U_1^T, ..., U_k^T]``,
* ``bias`` has shape ``(k m,)`` (or ``(2, 3 m)`` for a GRU with ``reset_after=True``),

with ``n`` inputs, ``m`` units and ``k`` gates: ``k = 4`` for the LSTM in the order
*input, forget, candidate, output* (i, f, c, o), ``k = 3`` for the GRU in the order
*update, reset, candidate* (z, r, h). These are the arrays returned by
``keras.layers.LSTM(...).get_weights()`` and ``keras.layers.GRU(...).get_weights()``, so the
twins can be checked against the layers weight for weight (``tests/test_equations.py``).

Inputs and states are dimensionless (the networks see scaled returns or prices). All arithmetic
is carried out in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "EQUATION_LABELS",
    "GRADIENT_CELLS",
    "dense_param_count",
    "gradient_norm_profile",
    "gru_jacobian",
    "gru_param_count",
    "gru_sequence",
    "gru_step",
    "gru_step_cho",
    "gru_step_chung",
    "hybrid_forward",
    "hybrid_param_count",
    "lstm_jacobian",
    "lstm_param_count",
    "lstm_sequence",
    "lstm_step",
    "random_recurrent_weights",
    "relabel_update_gate",
    "sigmoid",
    "simple_rnn_bound",
    "simple_rnn_jacobian",
    "simple_rnn_sequence",
    "simple_rnn_step",
    "state_jacobian_norms",
]

FloatArray = NDArray[np.float64]

#: Every equation label of the theory chapter, in order of appearance, with a one-line
#: description. The notebook's ``\label{...}`` set must equal these keys (tested).
EQUATION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        # Simple recurrent network and backpropagation through time
        "eq:rnn-hidden": "simple (Elman) RNN hidden-state recursion h_t = tanh(W x_t + U h_{t-1} + b)",
        "eq:bptt-gradient": "gradient of a loss at step T with respect to an earlier hidden state",
        "eq:bptt-jacobian": "dh_T/dh_t as a product of one-step Jacobians diag(tanh') U",
        "eq:bptt-bound": "bound (||U||_2 * max|tanh'|)^(T-t) on the Jacobian norm",
        # LSTM (Keras convention, gate order i, f, c, o)
        "eq:lstm-input": "LSTM input gate i_t",
        "eq:lstm-forget": "LSTM forget gate f_t",
        "eq:lstm-candidate": "LSTM candidate cell state c~_t",
        "eq:lstm-cell": "LSTM cell-state update c_t = f_t * c_{t-1} + i_t * c~_t",
        "eq:lstm-output": "LSTM output gate o_t",
        "eq:lstm-hidden": "LSTM hidden state h_t = o_t * tanh(c_t)",
        "eq:lstm-cell-jacobian": "direct-path Jacobian dc_t/dc_{t-1} = diag(f_t) (constant error carousel)",
        # GRU, Keras convention (reset_after=True, the cuDNN-compatible default)
        "eq:gru-update-keras": "GRU update gate z_t, Keras convention (input and recurrent biases)",
        "eq:gru-reset-keras": "GRU reset gate r_t, Keras convention",
        "eq:gru-candidate-keras": "GRU candidate h~_t with the reset gate applied after U_h h_{t-1}",
        "eq:gru-hidden-keras": "GRU hidden state h_t = z_t * h_{t-1} + (1 - z_t) * h~_t",
        # GRU as published by Cho et al. (2014): reset before the matmul (Keras reset_after=False)
        "eq:gru-update-cho": "GRU update gate z_t, Cho et al. (2014)",
        "eq:gru-reset-cho": "GRU reset gate r_t, Cho et al. (2014)",
        "eq:gru-candidate-cho": "GRU candidate with r_t applied to h_{t-1} before U_h (reset_after=False)",
        "eq:gru-hidden-cho": "GRU hidden state h_t = z_t * h_{t-1} + (1 - z_t) * h~_t, Cho et al. eq. (7)",
        # GRU interpolation of Chung et al. (2014)
        "eq:gru-update-chung": "GRU update gate z'_t of Chung et al. (2014), weighting the candidate",
        "eq:gru-hidden-chung": "GRU hidden state h_t = (1 - z'_t) * h_{t-1} + z'_t * h~_t",
        "eq:gru-relabel": "z'_t = 1 - z_t = sigma(-a): negated z weights map one convention onto the other",
        "eq:gru-jacobian": "GRU one-step Jacobian: diag(z_t) direct path plus gated terms",
        # Hybrid model, target and training objective
        "eq:log-return": "daily log return r_t = log P_t - log P_{t-1}",
        "eq:window": "input window of the L most recent observations",
        "eq:hybrid-lstm": "first layer: LSTM over the window",
        "eq:hybrid-gru": "second layer: GRU over the LSTM hidden sequence",
        "eq:hybrid-output": "dense head on the last GRU hidden state",
        "eq:price-forecast": "price forecast P^_{t+1} = P_t exp(r^_{t+1})",
        "eq:loss": "mean squared error over the training windows",
        "eq:adam": "Adam update with bias-corrected moment estimates",
        # Parameter counts
        "eq:params-lstm": "LSTM parameter count 4(m(n + m) + m)",
        "eq:params-gru": "GRU parameter count 3(m(n + m) + 2m) with reset_after=True",
        "eq:params-gru-reset-before": "GRU parameter count 3(m(n + m) + m) with reset_after=False",
        "eq:params-dense": "dense-layer parameter count k(m + 1)",
        "eq:params-hybrid": "parameter count of the LSTM -> GRU -> Dense model",
        # ARIMA baseline
        "eq:log-price": "log price y_t = log P_t",
        "eq:arima": "ARIMA(p, d, q) model in lag-operator form",
        "eq:arima-forecast": "one-step ARIMA(p, 1, q) forecast of the log price",
        "eq:arima-price": "price forecast from the log-price forecast",
        "eq:aic": "Akaike information criterion for order selection",
    }
)

#: Cells for which :func:`gradient_norm_profile` is defined.
GRADIENT_CELLS: tuple[str, ...] = ("simple_rnn", "lstm", "gru")

_N_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------
def sigmoid(a: ArrayLike) -> FloatArray:
    r"""Logistic function :math:`\sigma(a) = 1 / (1 + e^{-a})`, the gate activation.

    Evaluated as :math:`\tfrac12 (1 + \tanh(a/2))`, which is algebraically identical and does
    not overflow for large :math:`|a|`. The symmetry :math:`1 - \sigma(a) = \sigma(-a)` is
    what relates the GRU update-gate conventions of Cho et al. and Chung et al. (``eq:gru-relabel``).

    Parameters
    ----------
    a : array_like
        Pre-activation, dimensionless.

    Returns
    -------
    numpy.ndarray
        Values in :math:`(0, 1)`, same shape as ``a``, float64.
    """
    a = np.asarray(a, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * a))


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------
def _as_float(a: ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)


def _units(
    kernel: FloatArray, recurrent_kernel: FloatArray, n_gates: int, cell: str
) -> tuple[int, int]:
    """Return ``(n_inputs, units)`` after checking the Keras weight layout of ``cell``."""
    if (
        recurrent_kernel.ndim != 2
        or recurrent_kernel.shape[1] != n_gates * recurrent_kernel.shape[0]
    ):
        raise ValueError(
            f"{cell} recurrent_kernel must have shape (m, {n_gates} m); got {recurrent_kernel.shape}"
        )
    m = recurrent_kernel.shape[0]
    if kernel.ndim != 2 or kernel.shape[1] != n_gates * m:
        raise ValueError(
            f"{cell} kernel must have shape (n, {n_gates} m) = (n, {n_gates * m}); got {kernel.shape}"
        )
    return kernel.shape[0], m


def _check_bias(bias: FloatArray, expected: tuple[int, ...], cell: str, hint: str = "") -> None:
    if bias.shape != expected:
        raise ValueError(f"{cell} bias must have shape {expected}; got {bias.shape}{hint}")


def _check_positive_int(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")


def _check_sequence(x: FloatArray, n_inputs: int, cell: str) -> None:
    if x.ndim != 3 or x.shape[2] != n_inputs:
        raise ValueError(
            f"{cell} input must have shape (batch, T, n) with n = {n_inputs}; got {x.shape}"
        )


# ---------------------------------------------------------------------------------------------
# Simple recurrent network
# ---------------------------------------------------------------------------------------------
def simple_rnn_step(
    x: ArrayLike,
    h: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
) -> FloatArray:
    r"""One step of the simple (Elman) recurrent network, ``eq:rnn-hidden``.

    .. math:: h_t = \tanh(W x_t + U h_{t-1} + b)

    Parameters
    ----------
    x : array_like, shape (n,) or (batch, n)
        Input :math:`x_t`.
    h : array_like, shape (m,) or (batch, m)
        Previous hidden state :math:`h_{t-1}`.
    kernel : array_like, shape (n, m)
        :math:`W^\top` (Keras ``SimpleRNN`` layout).
    recurrent_kernel : array_like, shape (m, m)
        :math:`U^\top`.
    bias : array_like, shape (m,)
        :math:`b`.

    Returns
    -------
    numpy.ndarray
        New hidden state :math:`h_t`, shape of ``h`` (broadcast against the batch of ``x``).
    """
    kernel, recurrent_kernel, bias = map(_as_float, (kernel, recurrent_kernel, bias))
    _, m = _units(kernel, recurrent_kernel, 1, "simple RNN")
    _check_bias(bias, (m,), "simple RNN")
    hidden_state = np.tanh(_as_float(x) @ kernel + _as_float(h) @ recurrent_kernel + bias)
    return hidden_state


def simple_rnn_sequence(
    x: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
    *,
    initial_state: ArrayLike | None = None,
    return_sequences: bool = True,
) -> FloatArray:
    r"""Run :func:`simple_rnn_step` (``eq:rnn-hidden``) over a batch of sequences.

    Parameters
    ----------
    x : array_like, shape (batch, T, n)
        Input sequences.
    kernel, recurrent_kernel, bias : array_like
        Weights in the layout of :func:`simple_rnn_step`.
    initial_state : array_like, shape (batch, m), optional
        :math:`h_0`; zeros (the Keras default) when omitted.
    return_sequences : bool, default True
        Return every hidden state, shape (batch, T, m), or only :math:`h_T`, shape (batch, m).

    Returns
    -------
    numpy.ndarray
        Hidden states, float64.
    """
    x, kernel, recurrent_kernel, bias = map(_as_float, (x, kernel, recurrent_kernel, bias))
    n, m = _units(kernel, recurrent_kernel, 1, "simple RNN")
    _check_sequence(x, n, "simple RNN")
    h = np.zeros((x.shape[0], m)) if initial_state is None else _as_float(initial_state)
    states = []
    for t in range(x.shape[1]):
        h = simple_rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


def simple_rnn_jacobian(
    x: ArrayLike,
    h: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
) -> FloatArray:
    r"""One-step Jacobian :math:`\partial h_t / \partial h_{t-1}` of ``eq:rnn-hidden``.

    .. math:: \frac{\partial h_t}{\partial h_{t-1}}
              = \operatorname{diag}\bigl(1 - h_t^2\bigr)\, U,

    one factor of the product ``eq:bptt-jacobian``.

    Parameters
    ----------
    x : array_like, shape (n,)
        Input :math:`x_t` of a single sequence.
    h : array_like, shape (m,)
        Previous hidden state :math:`h_{t-1}`.
    kernel, recurrent_kernel, bias : array_like
        Weights in the layout of :func:`simple_rnn_step`.

    Returns
    -------
    numpy.ndarray, shape (m, m)
        Row ``i``, column ``j`` is :math:`\partial h_{t,i} / \partial h_{t-1,j}`.
    """
    hidden_state = simple_rnn_step(x, h, kernel, recurrent_kernel, bias)
    recurrent_matrix = _as_float(recurrent_kernel).T  # U
    return (1.0 - hidden_state**2)[:, None] * recurrent_matrix


def simple_rnn_bound(recurrent_kernel: ArrayLike, distance: ArrayLike) -> FloatArray:
    r"""Upper bound ``eq:bptt-bound`` on :math:`\lVert \partial h_T / \partial h_t \rVert_2`.

    .. math:: \Bigl\lVert \frac{\partial h_T}{\partial h_t} \Bigr\rVert_2
              \le \bigl(\lVert U \rVert_2 \, \gamma\bigr)^{T-t},
              \qquad \gamma = \max_a |\tanh'(a)| = 1.

    Parameters
    ----------
    recurrent_kernel : array_like, shape (m, m)
        :math:`U^\top` (its spectral norm equals that of :math:`U`).
    distance : array_like of int
        :math:`T - t`, in time steps.

    Returns
    -------
    numpy.ndarray
        The bound for each distance.
    """
    spectral_norm = np.linalg.norm(_as_float(recurrent_kernel), ord=2)
    gamma = 1.0  # max of tanh'(a) = 1 - tanh(a)^2, attained at a = 0
    return (spectral_norm * gamma) ** _as_float(distance)


# ---------------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------------
def _lstm_gates(
    x: FloatArray, h: FloatArray, kernel: FloatArray, recurrent_kernel: FloatArray, bias: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    _, m = _units(kernel, recurrent_kernel, 4, "LSTM")
    _check_bias(bias, (4 * m,), "LSTM")
    preactivation = x @ kernel + h @ recurrent_kernel + bias
    input_gate = sigmoid(preactivation[..., :m])  # eq:lstm-input
    forget_gate = sigmoid(preactivation[..., m : 2 * m])  # eq:lstm-forget
    candidate_state = np.tanh(preactivation[..., 2 * m : 3 * m])  # eq:lstm-candidate
    output_gate = sigmoid(preactivation[..., 3 * m :])  # eq:lstm-output
    return input_gate, forget_gate, candidate_state, output_gate


def lstm_step(
    x: ArrayLike,
    h: ArrayLike,
    c: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    r"""One LSTM step in the Keras convention, ``eq:lstm-input`` to ``eq:lstm-hidden``.

    .. math::
        i_t &= \sigma(W_i x_t + U_i h_{t-1} + b_i) \\
        f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) \\
        \tilde c_t &= \tanh(W_c x_t + U_c h_{t-1} + b_c) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\
        o_t &= \sigma(W_o x_t + U_o h_{t-1} + b_o) \\
        h_t &= o_t \odot \tanh(c_t)

    Parameters
    ----------
    x : array_like, shape (n,) or (batch, n)
        Input :math:`x_t`.
    h : array_like, shape (m,) or (batch, m)
        Previous hidden state :math:`h_{t-1}`.
    c : array_like, shape (m,) or (batch, m)
        Previous cell state :math:`c_{t-1}`.
    kernel : array_like, shape (n, 4m)
        :math:`[W_i^\top, W_f^\top, W_c^\top, W_o^\top]` (Keras layout, gate order i, f, c, o).
    recurrent_kernel : array_like, shape (m, 4m)
        :math:`[U_i^\top, U_f^\top, U_c^\top, U_o^\top]`.
    bias : array_like, shape (4m,)
        :math:`[b_i, b_f, b_c, b_o]`.

    Returns
    -------
    hidden_state : numpy.ndarray
        :math:`h_t`, float64, batch shape of the inputs.
    cell_state : numpy.ndarray
        :math:`c_t`, same shape.
    """
    x, h, c, kernel, recurrent_kernel, bias = map(
        _as_float, (x, h, c, kernel, recurrent_kernel, bias)
    )
    input_gate, forget_gate, candidate_state, output_gate = _lstm_gates(
        x, h, kernel, recurrent_kernel, bias
    )
    cell_state = forget_gate * c + input_gate * candidate_state  # eq:lstm-cell
    hidden_state = output_gate * np.tanh(cell_state)  # eq:lstm-hidden
    return hidden_state, cell_state


def lstm_sequence(
    x: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
    *,
    initial_state: tuple[ArrayLike, ArrayLike] | None = None,
    return_sequences: bool = True,
) -> FloatArray:
    r"""Run :func:`lstm_step` (``eq:lstm-input`` to ``eq:lstm-hidden``) over sequences.

    Equivalent to ``keras.layers.LSTM(m, return_sequences=...)`` with the same weights.

    Parameters
    ----------
    x : array_like, shape (batch, T, n)
        Input sequences.
    kernel, recurrent_kernel, bias : array_like
        Weights in the layout of :func:`lstm_step`.
    initial_state : tuple of array_like, optional
        :math:`(h_0, c_0)`, each of shape (batch, m); zeros when omitted.
    return_sequences : bool, default True
        Return every hidden state, shape (batch, T, m), or only :math:`h_T`, shape (batch, m).

    Returns
    -------
    numpy.ndarray
        Hidden states, float64.
    """
    x, kernel, recurrent_kernel, bias = map(_as_float, (x, kernel, recurrent_kernel, bias))
    n, m = _units(kernel, recurrent_kernel, 4, "LSTM")
    _check_sequence(x, n, "LSTM")
    if initial_state is None:
        h, c = np.zeros((x.shape[0], m)), np.zeros((x.shape[0], m))
    else:
        h, c = map(_as_float, initial_state)
    states = []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


def lstm_jacobian(
    x: ArrayLike,
    h: ArrayLike,
    c: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
) -> FloatArray:
    r"""One-step Jacobian of the LSTM state :math:`s_t = (h_t, c_t)` with respect to :math:`s_{t-1}`.

    Differentiating ``eq:lstm-input`` to ``eq:lstm-hidden`` (with :math:`\sigma' = \sigma(1-\sigma)`,
    :math:`\tanh' = 1 - \tanh^2`):

    .. math::
        \frac{\partial c_t}{\partial c_{t-1}} &= \operatorname{diag}(f_t)
            \quad\text{(``eq:lstm-cell-jacobian``)}\\
        \frac{\partial c_t}{\partial h_{t-1}} &=
            \operatorname{diag}(c_{t-1} \odot \sigma'_f) U_f
            + \operatorname{diag}(\tilde c_t \odot \sigma'_i) U_i
            + \operatorname{diag}(i_t \odot \tanh'_c) U_c \\
        \frac{\partial h_t}{\partial s_{t-1}} &=
            \operatorname{diag}(\tanh(c_t) \odot \sigma'_o)
            \Bigl[U_o,\ 0\Bigr]
            + \operatorname{diag}\bigl(o_t \odot (1 - \tanh^2 c_t)\bigr)
            \frac{\partial c_t}{\partial s_{t-1}}

    Parameters
    ----------
    x : array_like, shape (n,)
        Input :math:`x_t` of a single sequence.
    h, c : array_like, shape (m,)
        Previous hidden and cell state.
    kernel, recurrent_kernel, bias : array_like
        Weights in the layout of :func:`lstm_step`.

    Returns
    -------
    numpy.ndarray, shape (2m, 2m)
        Block matrix ``[[dh_t/dh_{t-1}, dh_t/dc_{t-1}], [dc_t/dh_{t-1}, dc_t/dc_{t-1}]]``.
    """
    x, h, c, kernel, recurrent_kernel, bias = map(
        _as_float, (x, h, c, kernel, recurrent_kernel, bias)
    )
    m = recurrent_kernel.shape[0]
    input_gate, forget_gate, candidate_state, output_gate = _lstm_gates(
        x, h, kernel, recurrent_kernel, bias
    )
    cell_state = forget_gate * c + input_gate * candidate_state
    u_i, u_f, u_c, u_o = (recurrent_kernel[:, k * m : (k + 1) * m].T for k in range(4))

    dc_dh = (
        (c * forget_gate * (1 - forget_gate))[:, None] * u_f
        + (candidate_state * input_gate * (1 - input_gate))[:, None] * u_i
        + (input_gate * (1 - candidate_state**2))[:, None] * u_c
    )
    dc_dc = np.diag(forget_gate)  # eq:lstm-cell-jacobian
    tanh_cell = np.tanh(cell_state)
    through_cell = (output_gate * (1 - tanh_cell**2))[:, None]
    dh_dh = (tanh_cell * output_gate * (1 - output_gate))[:, None] * u_o + through_cell * dc_dh
    dh_dc = through_cell * dc_dc
    return np.block([[dh_dh, dh_dc], [dc_dh, dc_dc]])


# ---------------------------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------------------------
def _check_gru_bias(bias: FloatArray, m: int, reset_after: bool) -> None:
    if reset_after:
        _check_bias(
            bias,
            (2, 3 * m),
            "GRU",
            " (reset_after=True keeps an input-bias row and a recurrent-bias row; "
            "pass reset_after=False for a single bias vector)",
        )
    else:
        _check_bias(
            bias,
            (3 * m,),
            "GRU",
            " (reset_after=False has one bias vector; pass reset_after=True for a (2, 3m) bias)",
        )


def _gru_parts(
    x: FloatArray,
    h: FloatArray,
    kernel: FloatArray,
    recurrent_kernel: FloatArray,
    bias: FloatArray,
    reset_after: bool,
) -> dict[str, FloatArray]:
    """Gates and intermediate products of one Keras GRU step (shared by step and Jacobian)."""
    _, m = _units(kernel, recurrent_kernel, 3, "GRU")
    _check_gru_bias(bias, m, reset_after)
    if reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
        input_projection = x @ kernel + input_bias
        recurrent_projection = h @ recurrent_kernel + recurrent_bias
        update_gate = sigmoid(input_projection[..., :m] + recurrent_projection[..., :m])
        reset_gate = sigmoid(
            input_projection[..., m : 2 * m] + recurrent_projection[..., m : 2 * m]
        )
        # eq:gru-candidate-keras: r_t multiplies (U_h h_{t-1} + b_rh), after the matmul
        candidate_input = recurrent_projection[..., 2 * m :]
        candidate_state = np.tanh(input_projection[..., 2 * m :] + reset_gate * candidate_input)
    else:
        input_projection = x @ kernel + bias
        recurrent_projection = h @ recurrent_kernel[:, : 2 * m]
        update_gate = sigmoid(input_projection[..., :m] + recurrent_projection[..., :m])
        reset_gate = sigmoid(
            input_projection[..., m : 2 * m] + recurrent_projection[..., m : 2 * m]
        )
        # eq:gru-candidate-cho: r_t multiplies h_{t-1}, before the matmul (Cho et al. 2014)
        candidate_input = reset_gate * h
        candidate_state = np.tanh(
            input_projection[..., 2 * m :] + candidate_input @ recurrent_kernel[:, 2 * m :]
        )
    return {
        "update_gate": update_gate,
        "reset_gate": reset_gate,
        "candidate_input": candidate_input,
        "candidate_state": candidate_state,
    }


def gru_step(
    x: ArrayLike,
    h: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
    reset_after: bool = True,
) -> FloatArray:
    r"""One GRU step in the Keras convention, ``eq:gru-update-keras`` to ``eq:gru-hidden-keras``.

    With ``reset_after=True`` (the Keras default and the only form the cuDNN kernel runs):

    .. math::
        z_t &= \sigma(W_z x_t + b_z + U_z h_{t-1} + \bar b_z) \\
        r_t &= \sigma(W_r x_t + b_r + U_r h_{t-1} + \bar b_r) \\
        \tilde h_t &= \tanh\bigl(W_h x_t + b_h + r_t \odot (U_h h_{t-1} + \bar b_h)\bigr) \\
        h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

    With ``reset_after=False`` the candidate is ``eq:gru-candidate-cho`` of Cho et al. (2014),
    :math:`\tilde h_t = \tanh(W_h x_t + U_h (r_t \odot h_{t-1}) + b_h)`, and there is a single
    bias vector.

    Parameters
    ----------
    x : array_like, shape (n,) or (batch, n)
        Input :math:`x_t`.
    h : array_like, shape (m,) or (batch, m)
        Previous hidden state :math:`h_{t-1}`.
    kernel : array_like, shape (n, 3m)
        :math:`[W_z^\top, W_r^\top, W_h^\top]` (Keras layout, gate order z, r, h).
    recurrent_kernel : array_like, shape (m, 3m)
        :math:`[U_z^\top, U_r^\top, U_h^\top]`.
    bias : array_like, shape (2, 3m) if ``reset_after`` else (3m,)
        Row 0: input biases :math:`[b_z, b_r, b_h]`; row 1: recurrent biases
        :math:`[\bar b_z, \bar b_r, \bar b_h]`.
    reset_after : bool, default True
        Apply the reset gate after the recurrent matrix product (Keras/cuDNN) or before it.

    Returns
    -------
    numpy.ndarray
        :math:`h_t`, float64.

    Raises
    ------
    ValueError
        If the bias shape does not match ``reset_after``.
    """
    x, h, kernel, recurrent_kernel, bias = map(_as_float, (x, h, kernel, recurrent_kernel, bias))
    parts = _gru_parts(x, h, kernel, recurrent_kernel, bias, reset_after)
    update_gate, candidate_state = parts["update_gate"], parts["candidate_state"]
    hidden_state = update_gate * h + (1.0 - update_gate) * candidate_state  # eq:gru-hidden-keras
    return hidden_state


def gru_step_cho(
    x: ArrayLike,
    h: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
) -> FloatArray:
    r"""One GRU step as published by Cho et al. (2014), ``eq:gru-update-cho`` to ``eq:gru-hidden-cho``.

    The unit of Cho et al. (2014, Section 2.3; the interpolation is their equation (7)), written
    for the whole vector and with the bias terms that the paper omits:

    .. math::
        z_t &= \sigma(W_z x_t + U_z h_{t-1} + b_z) \\
        r_t &= \sigma(W_r x_t + U_r h_{t-1} + b_r) \\
        \tilde h_t &= \tanh\bigl(W_h x_t + U_h (r_t \odot h_{t-1}) + b_h\bigr) \\
        h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

    The reset gate multiplies :math:`h_{t-1}` *before* the matrix product. This is exactly
    Keras' ``reset_after=False`` (:func:`gru_step` with ``reset_after=False``); the Keras
    default ``reset_after=True`` differs only in where :math:`r_t` enters
    (``eq:gru-candidate-keras``). It is written out separately here so that the tests compare
    two independent transcriptions.

    Parameters
    ----------
    x : array_like, shape (n,) or (batch, n)
        Input :math:`x_t`.
    h : array_like, shape (m,) or (batch, m)
        Previous hidden state :math:`h_{t-1}`.
    kernel : array_like, shape (n, 3m)
        :math:`[W_z^\top, W_r^\top, W_h^\top]` (gate order z, r, h).
    recurrent_kernel : array_like, shape (m, 3m)
        :math:`[U_z^\top, U_r^\top, U_h^\top]`.
    bias : array_like, shape (3m,)
        :math:`[b_z, b_r, b_h]`.

    Returns
    -------
    numpy.ndarray
        :math:`h_t`, float64.
    """
    x, h, kernel, recurrent_kernel, bias = map(_as_float, (x, h, kernel, recurrent_kernel, bias))
    _, m = _units(kernel, recurrent_kernel, 3, "GRU (Cho et al. form)")
    _check_bias(bias, (3 * m,), "GRU (Cho et al. form)", " (one bias vector, as reset_after=False)")
    w_z, w_r, w_h = (kernel[:, k * m : (k + 1) * m] for k in range(3))
    u_z, u_r, u_h = (recurrent_kernel[:, k * m : (k + 1) * m] for k in range(3))
    b_z, b_r, b_h = (bias[k * m : (k + 1) * m] for k in range(3))
    update_gate = sigmoid(x @ w_z + h @ u_z + b_z)  # eq:gru-update-cho
    reset_gate = sigmoid(x @ w_r + h @ u_r + b_r)  # eq:gru-reset-cho
    candidate_state = np.tanh(x @ w_h + (reset_gate * h) @ u_h + b_h)  # eq:gru-candidate-cho
    hidden_state = update_gate * h + (1.0 - update_gate) * candidate_state  # eq:gru-hidden-cho
    return hidden_state


def gru_step_chung(
    x: ArrayLike,
    h: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
) -> FloatArray:
    r"""One GRU step with the interpolation of Chung et al. (2014), ``eq:gru-update-chung``, ``eq:gru-hidden-chung``.

    .. math::
        z'_t &= \sigma(W'_z x_t + U'_z h_{t-1} + b'_z) \\
        h_t &= (1 - z'_t) \odot h_{t-1} + z'_t \odot \tilde h_t

    with :math:`r_t` and :math:`\tilde h_t` as in Cho et al. (reset before the matrix product,
    ``eq:gru-reset-cho``, ``eq:gru-candidate-cho``). This is equation (5) of Chung et al.
    (2014) and the form found in many textbooks: the update gate :math:`z'_t` weights the
    *candidate*, whereas in Cho et al. (2014) and in Keras :math:`z_t` weights the *previous
    state*. Because :math:`1 - \sigma(a) = \sigma(-a)` (``eq:gru-relabel``), this step with
    weights :math:`(W'_z, U'_z, b'_z)` equals :func:`gru_step_cho` and Keras'
    ``reset_after=False`` with weights :math:`(-W'_z, -U'_z, -b'_z)`; see
    :func:`relabel_update_gate`.

    Parameters
    ----------
    x : array_like, shape (n,) or (batch, n)
        Input :math:`x_t`.
    h : array_like, shape (m,) or (batch, m)
        Previous hidden state :math:`h_{t-1}`.
    kernel : array_like, shape (n, 3m)
        :math:`[W'^\top_z, W_r^\top, W_h^\top]` (gate order z', r, h).
    recurrent_kernel : array_like, shape (m, 3m)
        :math:`[U'^\top_z, U_r^\top, U_h^\top]`.
    bias : array_like, shape (3m,)
        :math:`[b'_z, b_r, b_h]`.

    Returns
    -------
    numpy.ndarray
        :math:`h_t`, float64.
    """
    x, h, kernel, recurrent_kernel, bias = map(_as_float, (x, h, kernel, recurrent_kernel, bias))
    _, m = _units(kernel, recurrent_kernel, 3, "GRU (Chung et al. form)")
    _check_bias(bias, (3 * m,), "GRU (Chung et al. form)", " (one bias vector)")
    preactivation_x = x @ kernel + bias
    update_gate = sigmoid(  # eq:gru-update-chung
        preactivation_x[..., :m] + h @ recurrent_kernel[:, :m]
    )
    reset_gate = sigmoid(  # eq:gru-reset-cho
        preactivation_x[..., m : 2 * m] + h @ recurrent_kernel[:, m : 2 * m]
    )
    candidate_state = np.tanh(  # eq:gru-candidate-cho
        preactivation_x[..., 2 * m :] + (reset_gate * h) @ recurrent_kernel[:, 2 * m :]
    )
    hidden_state = (1.0 - update_gate) * h + update_gate * candidate_state  # eq:gru-hidden-chung
    return hidden_state


def relabel_update_gate(
    kernel: ArrayLike, recurrent_kernel: ArrayLike, bias: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Swap the update-gate convention, ``eq:gru-relabel``: negate the z-gate weights and bias.

    Since :math:`1 - \sigma(a) = \sigma(-a)`, negating :math:`(W_z, U_z, b_z)` (and, for a
    ``(2, 3m)`` bias, both bias rows of the z block) turns an update gate :math:`z'_t` into
    :math:`z_t = 1 - z'_t`. Hence :func:`gru_step_chung` with some weights equals
    :func:`gru_step_cho`, and :func:`gru_step` with ``reset_after=False``, with the relabelled
    weights. The map is its own inverse.

    Parameters
    ----------
    kernel : array_like, shape (n, 3m)
    recurrent_kernel : array_like, shape (m, 3m)
    bias : array_like, shape (3m,) or (2, 3m)
        GRU weights, gate order z, r, h.

    Returns
    -------
    tuple of numpy.ndarray
        New ``(kernel, recurrent_kernel, bias)``; the inputs are not modified.
    """
    kernel, recurrent_kernel, bias = (
        np.array(a, dtype=np.float64, copy=True) for a in (kernel, recurrent_kernel, bias)
    )
    _, m = _units(kernel, recurrent_kernel, 3, "GRU")
    if bias.shape not in ((3 * m,), (2, 3 * m)):
        raise ValueError(f"GRU bias must have shape ({3 * m},) or (2, {3 * m}); got {bias.shape}")
    kernel[:, :m] *= -1.0
    recurrent_kernel[:, :m] *= -1.0
    bias[..., :m] *= -1.0
    return kernel, recurrent_kernel, bias


_GRU_CONVENTIONS = {"keras": None, "cho": gru_step_cho, "chung": gru_step_chung}


def gru_sequence(
    x: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
    *,
    reset_after: bool = True,
    convention: str = "keras",
    initial_state: ArrayLike | None = None,
    return_sequences: bool = True,
) -> FloatArray:
    r"""Run a GRU over sequences in the Keras, Cho et al. or Chung et al. convention.

    ``convention="keras"`` iterates :func:`gru_step` (``eq:gru-update-keras`` to
    ``eq:gru-hidden-keras``) and equals ``keras.layers.GRU(m, reset_after=...)`` with the same
    weights; ``"cho"`` iterates :func:`gru_step_cho` (``eq:gru-update-cho`` to
    ``eq:gru-hidden-cho``) and ``"chung"`` iterates :func:`gru_step_chung`
    (``eq:gru-hidden-chung``). Both published forms reset before the matrix product and so
    take a single ``(3m,)`` bias and ``reset_after=False``.

    Parameters
    ----------
    x : array_like, shape (batch, T, n)
        Input sequences.
    kernel, recurrent_kernel, bias : array_like
        Weights in the layout of :func:`gru_step`.
    reset_after : bool, default True
        See :func:`gru_step`. Must be False with ``convention="cho"`` or ``"chung"``.
    convention : {"keras", "cho", "chung"}, default "keras"
        Which published form of the cell to apply.
    initial_state : array_like, shape (batch, m), optional
        :math:`h_0`; zeros when omitted.
    return_sequences : bool, default True
        Return every hidden state, shape (batch, T, m), or only :math:`h_T`, shape (batch, m).

    Returns
    -------
    numpy.ndarray
        Hidden states, float64.
    """
    if convention not in _GRU_CONVENTIONS:
        raise ValueError(f"convention must be 'keras', 'cho' or 'chung'; got {convention!r}")
    published_step = _GRU_CONVENTIONS[convention]
    if published_step is not None and reset_after:
        raise ValueError(
            f"the {convention!r} GRU applies the reset gate before the matrix product; "
            f"pass reset_after=False with convention={convention!r}"
        )
    x, kernel, recurrent_kernel, bias = map(_as_float, (x, kernel, recurrent_kernel, bias))
    n, m = _units(kernel, recurrent_kernel, 3, "GRU")
    _check_sequence(x, n, "GRU")
    h = np.zeros((x.shape[0], m)) if initial_state is None else _as_float(initial_state)
    states = []
    for t in range(x.shape[1]):
        if published_step is None:
            h = gru_step(x[:, t], h, kernel, recurrent_kernel, bias, reset_after=reset_after)
        else:
            h = published_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


def gru_jacobian(
    x: ArrayLike,
    h: ArrayLike,
    kernel: ArrayLike,
    recurrent_kernel: ArrayLike,
    bias: ArrayLike,
    reset_after: bool = True,
) -> FloatArray:
    r"""One-step Jacobian :math:`\partial h_t / \partial h_{t-1}` of the Keras GRU, ``eq:gru-jacobian``.

    .. math::
        \frac{\partial h_t}{\partial h_{t-1}}
        = \operatorname{diag}(z_t)
        + \operatorname{diag}\bigl((h_{t-1} - \tilde h_t) \odot \sigma'_z\bigr) U_z
        + \operatorname{diag}(1 - z_t)\,\frac{\partial \tilde h_t}{\partial h_{t-1}},

    with, for ``reset_after=True``,
    :math:`\partial \tilde h_t / \partial h_{t-1} = \operatorname{diag}(\tanh'_h)
    [\operatorname{diag}(q_t \odot \sigma'_r) U_r + \operatorname{diag}(r_t) U_h]`,
    :math:`q_t = U_h h_{t-1} + \bar b_h`, and for ``reset_after=False``,
    :math:`\partial \tilde h_t / \partial h_{t-1} = \operatorname{diag}(\tanh'_h)\, U_h
    [\operatorname{diag}(r_t) + \operatorname{diag}(h_{t-1} \odot \sigma'_r) U_r]`.

    Parameters
    ----------
    x : array_like, shape (n,)
        Input :math:`x_t` of a single sequence.
    h : array_like, shape (m,)
        Previous hidden state.
    kernel, recurrent_kernel, bias, reset_after
        As in :func:`gru_step`.

    Returns
    -------
    numpy.ndarray, shape (m, m)
    """
    x, h, kernel, recurrent_kernel, bias = map(_as_float, (x, h, kernel, recurrent_kernel, bias))
    m = recurrent_kernel.shape[0]
    parts = _gru_parts(x, h, kernel, recurrent_kernel, bias, reset_after)
    update_gate, reset_gate = parts["update_gate"], parts["reset_gate"]
    candidate_state = parts["candidate_state"]
    u_z, u_r, u_h = (recurrent_kernel[:, k * m : (k + 1) * m].T for k in range(3))
    reset_slope = reset_gate * (1 - reset_gate)
    if reset_after:
        inner = (parts["candidate_input"] * reset_slope)[:, None] * u_r + reset_gate[:, None] * u_h
    else:
        inner = u_h @ (np.diag(reset_gate) + (h * reset_slope)[:, None] * u_r)
    dcandidate_dh = (1 - candidate_state**2)[:, None] * inner
    return (
        np.diag(update_gate)
        + ((h - candidate_state) * update_gate * (1 - update_gate))[:, None] * u_z
        + (1 - update_gate)[:, None] * dcandidate_dh
    )


# ---------------------------------------------------------------------------------------------
# Hybrid LSTM -> GRU -> Dense model
# ---------------------------------------------------------------------------------------------
def hybrid_forward(
    x: ArrayLike,
    lstm_weights: Sequence[ArrayLike],
    gru_weights: Sequence[ArrayLike],
    dense_kernel: ArrayLike,
    dense_bias: ArrayLike,
    *,
    gru_reset_after: bool = True,
) -> FloatArray:
    r"""Forward pass of the hybrid model, ``eq:hybrid-lstm``, ``eq:hybrid-gru``, ``eq:hybrid-output``.

    .. math::
        (h^{(1)}_t, c_t) &= \mathrm{LSTM}(x_t, h^{(1)}_{t-1}, c_{t-1}), \quad t = 1..L \\
        h^{(2)}_t &= \mathrm{GRU}(h^{(1)}_t, h^{(2)}_{t-1}), \quad t = 1..L \\
        \hat y &= V h^{(2)}_L + b_y

    Equals ``keras.Sequential([LSTM(m1, return_sequences=True), GRU(m2), Dense(k)])``.

    Parameters
    ----------
    x : array_like, shape (batch, L, n)
        Input windows.
    lstm_weights : sequence of array_like
        ``(kernel, recurrent_kernel, bias)`` of the LSTM layer, as from ``get_weights()``.
    gru_weights : sequence of array_like
        ``(kernel, recurrent_kernel, bias)`` of the GRU layer.
    dense_kernel : array_like, shape (m2, k)
        :math:`V^\top`.
    dense_bias : array_like, shape (k,)
        :math:`b_y`.
    gru_reset_after : bool, default True
        ``reset_after`` of the GRU layer.

    Returns
    -------
    numpy.ndarray, shape (batch, k)
        Forecasts :math:`\hat y`, in the units of the training target.
    """
    if len(lstm_weights) != 3 or len(gru_weights) != 3:
        raise ValueError(
            "lstm_weights and gru_weights must each be (kernel, recurrent_kernel, bias), "
            "as returned by layer.get_weights()"
        )
    lstm_hidden = lstm_sequence(x, *lstm_weights, return_sequences=True)  # eq:hybrid-lstm
    gru_last = gru_sequence(  # eq:hybrid-gru
        lstm_hidden, *gru_weights, reset_after=gru_reset_after, return_sequences=False
    )
    dense_kernel, dense_bias = _as_float(dense_kernel), _as_float(dense_bias)
    if dense_kernel.ndim != 2 or dense_kernel.shape[0] != gru_last.shape[1]:
        raise ValueError(
            f"dense_kernel must have shape (gru units, outputs) = ({gru_last.shape[1]}, k); "
            f"got {dense_kernel.shape}"
        )
    return gru_last @ dense_kernel + dense_bias  # eq:hybrid-output


# ---------------------------------------------------------------------------------------------
# Parameter counts
# ---------------------------------------------------------------------------------------------
def lstm_param_count(n_inputs: int, units: int) -> int:
    r"""Trainable parameters of an LSTM layer, ``eq:params-lstm``: :math:`4\,(m(n+m) + m)`.

    Four gates, each with :math:`W \in \mathbb R^{m\times n}`, :math:`U \in \mathbb R^{m\times m}`
    and :math:`b \in \mathbb R^m`.

    Parameters
    ----------
    n_inputs : int
        :math:`n`, features per time step.
    units : int
        :math:`m`, hidden units.

    Returns
    -------
    int
    """
    _check_positive_int(n_inputs=n_inputs, units=units)
    n, m = int(n_inputs), int(units)
    return 4 * (m * (n + m) + m)


def gru_param_count(n_inputs: int, units: int, reset_after: bool = True) -> int:
    r"""Trainable parameters of a GRU layer, ``eq:params-gru`` / ``eq:params-gru-reset-before``.

    :math:`3\,(m(n+m) + 2m)` with ``reset_after=True`` (separate input and recurrent biases),
    :math:`3\,(m(n+m) + m)` with ``reset_after=False``.

    Parameters
    ----------
    n_inputs : int
        :math:`n`, features per time step.
    units : int
        :math:`m`, hidden units.
    reset_after : bool, default True
        Keras' ``reset_after`` flag.

    Returns
    -------
    int
    """
    _check_positive_int(n_inputs=n_inputs, units=units)
    n, m = int(n_inputs), int(units)
    n_bias = 2 * m if reset_after else m
    return 3 * (m * (n + m) + n_bias)


def dense_param_count(n_inputs: int, n_outputs: int) -> int:
    r"""Trainable parameters of a dense layer, ``eq:params-dense``: :math:`k(m + 1)`.

    Parameters
    ----------
    n_inputs : int
        :math:`m`, inputs to the layer.
    n_outputs : int
        :math:`k`, outputs.

    Returns
    -------
    int
    """
    _check_positive_int(n_inputs=n_inputs, n_outputs=n_outputs)
    return int(n_outputs) * (int(n_inputs) + 1)


def hybrid_param_count(
    n_inputs: int,
    lstm_units: int,
    gru_units: int,
    n_outputs: int = 1,
    *,
    gru_reset_after: bool = True,
) -> int:
    r"""Trainable parameters of LSTM -> GRU -> Dense, ``eq:params-hybrid``.

    .. math:: 4(m_1(n+m_1)+m_1) + 3(m_2(m_1+m_2)+2m_2) + k(m_2+1)

    Parameters
    ----------
    n_inputs : int
        :math:`n`, features per time step.
    lstm_units, gru_units : int
        :math:`m_1`, :math:`m_2`.
    n_outputs : int, default 1
        :math:`k`.
    gru_reset_after : bool, default True
        Keras' ``reset_after`` flag of the GRU layer.

    Returns
    -------
    int
    """
    return (
        lstm_param_count(n_inputs, lstm_units)
        + gru_param_count(lstm_units, gru_units, reset_after=gru_reset_after)
        + dense_param_count(gru_units, n_outputs)
    )


# ---------------------------------------------------------------------------------------------
# Gradient flow through time
# ---------------------------------------------------------------------------------------------
def random_recurrent_weights(
    cell: str,
    n_inputs: int,
    units: int,
    *,
    seed: int,
    recurrent_scale: float = 1.0,
    retain_bias: float | None = None,
    reset_after: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Random weights in Keras layout, drawn like the Keras initialisers.

    ``kernel`` is Glorot-uniform on its full shape; each gate's :math:`m\times m` block of the
    recurrent kernel is an independent orthogonal matrix times ``recurrent_scale`` (so every
    block has spectral norm exactly ``recurrent_scale``); biases are zero except the gate that
    retains memory: the LSTM forget gate (Keras ``unit_forget_bias=True`` sets it to 1) and the
    Keras GRU update gate (0 by default; a positive value favours keeping :math:`h_{t-1}`).

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
        Cell type.
    n_inputs, units : int
        :math:`n` and :math:`m`.
    seed : int
        Seed of ``numpy.random.default_rng``.
    recurrent_scale : float, default 1.0
        Spectral norm of each recurrent block.
    retain_bias : float, optional
        Bias of the LSTM forget gate or of the GRU (Keras) update gate; ``None`` uses the Keras
        default (1.0 for the LSTM, 0.0 for the GRU). Not allowed for ``"simple_rnn"``.
    reset_after : bool, default True
        GRU only: return a (2, 3m) bias (True) or a (3m,) bias (False).

    Returns
    -------
    tuple of numpy.ndarray
        ``(kernel, recurrent_kernel, bias)``.
    """
    if cell not in _N_GATES:
        raise ValueError(f"cell must be one of {', '.join(GRADIENT_CELLS)}; got {cell!r}")
    _check_positive_int(n_inputs=n_inputs, units=units)
    if cell == "simple_rnn" and retain_bias is not None:
        raise ValueError("a simple RNN has no gate; leave retain_bias=None for cell='simple_rnn'")
    rng = np.random.default_rng(seed)
    k = _N_GATES[cell]
    limit = np.sqrt(6.0 / (n_inputs + k * units))
    kernel = rng.uniform(-limit, limit, size=(n_inputs, k * units))
    blocks = []
    for _ in range(k):
        q, r = np.linalg.qr(rng.standard_normal((units, units)))
        blocks.append(q * np.sign(np.diag(r)))  # Haar-distributed orthogonal matrix
    recurrent_kernel = recurrent_scale * np.concatenate(blocks, axis=1)
    bias = np.zeros(k * units)
    if cell == "lstm":
        bias[units : 2 * units] = 1.0 if retain_bias is None else retain_bias
    elif cell == "gru":
        bias[:units] = 0.0 if retain_bias is None else retain_bias
        if reset_after:
            bias = np.stack([bias, np.zeros(k * units)])
    return kernel, recurrent_kernel, bias


def state_jacobian_norms(
    cell: str,
    x: ArrayLike,
    weights: Sequence[ArrayLike],
    *,
    reset_after: bool = True,
) -> FloatArray:
    r"""Spectral norms :math:`\lVert \partial h_T / \partial s_{T-k} \rVert_2` for :math:`k = 0..T`.

    The state is :math:`s_t = h_t` for the simple RNN and the GRU and :math:`s_t = (h_t, c_t)`
    for the LSTM, so the norm measures how much of a loss gradient at the last step,
    :math:`\partial L/\partial s_t = \partial L/\partial h_T \cdot \partial h_T/\partial s_t`
    (``eq:bptt-gradient``), can reach step :math:`t`. It is computed exactly (no finite
    differences) as the product of the analytic one-step Jacobians (``eq:bptt-jacobian``)
    of :func:`simple_rnn_jacobian`, :func:`lstm_jacobian` or :func:`gru_jacobian`, starting
    from the zero state, accumulated backwards from :math:`T`.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
        Cell type.
    x : array_like, shape (T, n)
        One input sequence.
    weights : sequence of array_like
        ``(kernel, recurrent_kernel, bias)`` in Keras layout.
    reset_after : bool, default True
        GRU only.

    Returns
    -------
    numpy.ndarray, shape (T + 1,)
        Entry ``k`` is the norm at distance :math:`T - t = k`; entry 0 is 1.
    """
    if cell not in _N_GATES:
        raise ValueError(f"cell must be one of {', '.join(GRADIENT_CELLS)}; got {cell!r}")
    x = _as_float(x)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (T, n); got {x.shape}")
    kernel, recurrent_kernel, bias = map(_as_float, weights)
    m = recurrent_kernel.shape[0]

    jacobian: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
    if cell == "simple_rnn":

        def jacobian(x_t: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
            s_new = simple_rnn_step(x_t, s, kernel, recurrent_kernel, bias)
            return s_new, simple_rnn_jacobian(x_t, s, kernel, recurrent_kernel, bias)

        state = np.zeros(m)
    elif cell == "lstm":

        def jacobian(x_t: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
            h, c = s[:m], s[m:]
            h_new, c_new = lstm_step(x_t, h, c, kernel, recurrent_kernel, bias)
            j = lstm_jacobian(x_t, h, c, kernel, recurrent_kernel, bias)
            return np.concatenate([h_new, c_new]), j

        state = np.zeros(2 * m)
    else:

        def jacobian(x_t: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
            s_new = gru_step(x_t, s, kernel, recurrent_kernel, bias, reset_after=reset_after)
            j = gru_jacobian(x_t, s, kernel, recurrent_kernel, bias, reset_after=reset_after)
            return s_new, j

        state = np.zeros(m)

    step_jacobians = []
    for x_t in x:
        state, j = jacobian(x_t, state)
        step_jacobians.append(j)

    # d h_T / d s_T selects the hidden-state rows: [I_m, 0]
    product = np.eye(m, state.size)
    norms = [np.linalg.norm(product, ord=2)]
    for j in reversed(step_jacobians):
        product = product @ j
        norms.append(np.linalg.norm(product, ord=2))
    return np.asarray(norms)


def gradient_norm_profile(
    cell: str,
    *,
    n_steps: int = 60,
    units: int = 16,
    n_inputs: int = 1,
    seed: int = 0,
    n_seeds: int = 1,
    recurrent_scale: float = 1.0,
    retain_bias: float | None = None,
    input_scale: float = 1.0,
) -> FloatArray:
    r"""Gradient norm :math:`\lVert \partial h_T / \partial s_t \rVert_2` against :math:`T - t`.

    For each seed, draws weights with :func:`random_recurrent_weights` and a standard-normal
    input sequence (times ``input_scale``) from seeded generators and calls
    :func:`state_jacobian_norms`; returns the elementwise median over the seeds
    ``seed, seed + 1, ..., seed + n_seeds - 1``. The GRU uses the Keras convention with
    ``reset_after=True``.

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
        Cell type.
    n_steps : int, default 60
        Sequence length :math:`T`, in time steps.
    units, n_inputs : int
        :math:`m` and :math:`n`.
    seed : int, default 0
        First seed, for weights and inputs.
    n_seeds : int, default 1
        Number of independent draws whose median is returned.
    recurrent_scale : float, default 1.0
        Spectral norm of each recurrent block.
    retain_bias : float, optional
        See :func:`random_recurrent_weights`.
    input_scale : float, default 1.0
        Standard deviation of the inputs.

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1,)
        Norm at distance :math:`k = T - t`, :math:`k = 0..T` (dimensionless).
    """
    _check_positive_int(n_steps=n_steps, n_seeds=n_seeds)
    profiles = []
    for draw in range(seed, seed + n_seeds):
        weights = random_recurrent_weights(
            cell,
            n_inputs,
            units,
            seed=draw,
            recurrent_scale=recurrent_scale,
            retain_bias=retain_bias,
        )
        rng = np.random.default_rng([draw, 1])
        x = input_scale * rng.standard_normal((n_steps, n_inputs))
        profiles.append(state_jacobian_norms(cell, x, weights))
    return np.median(np.asarray(profiles), axis=0)
