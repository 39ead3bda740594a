"""The simple (Elman) recurrent network and the vanishing-gradient bound of BPTT.

One step (``eq:rnn-hidden``), a sequence, the one-step Jacobian (a factor of
``eq:bptt-jacobian``) and the bound ``eq:bptt-bound``, in the Keras ``SimpleRNN`` layout.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray, _as_float, _check_bias, _check_sequence, _units

__all__ = ["simple_rnn_bound", "simple_rnn_jacobian", "simple_rnn_sequence", "simple_rnn_step"]


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
