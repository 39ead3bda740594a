"""Gradient flow through time: how far back a loss gradient reaches, ``eq:bptt-gradient``.

Random weights drawn like the Keras initialisers, the exact spectral norms of products of
one-step Jacobians (``eq:bptt-jacobian``) of the simple RNN, the LSTM and the GRU, and their
median profile over seeds, which the theory chapter plots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray, _as_float, _check_positive_int
from lstmgru.equations.gru import gru_jacobian, gru_step
from lstmgru.equations.lstm import lstm_jacobian, lstm_step
from lstmgru.equations.simple_rnn import simple_rnn_jacobian, simple_rnn_step

__all__ = [
    "GRADIENT_CELLS",
    "gradient_norm_profile",
    "random_recurrent_weights",
    "state_jacobian_norms",
]

#: Cells for which :func:`gradient_norm_profile` is defined.
GRADIENT_CELLS: tuple[str, ...] = ("simple_rnn", "lstm", "gru")

_N_GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


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
