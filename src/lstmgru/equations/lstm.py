"""The LSTM cell in the Keras convention (gate order i, f, c, o), ``eq:lstm-input`` to ``eq:lstm-hidden``.

One step, a sequence (equal to ``keras.layers.LSTM`` with the same weights) and the one-step
Jacobian of the state :math:`(h_t, c_t)`, including ``eq:lstm-cell-jacobian``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray, _as_float, _check_bias, _check_sequence, _units
from lstmgru.equations.activations import sigmoid

__all__ = ["lstm_jacobian", "lstm_sequence", "lstm_step"]


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
