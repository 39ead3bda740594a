"""Gradient flow through time: how far back a loss gradient reaches, ``eq:bptt-gradient``.

Random weights drawn as the Keras initialisers draw them, the spectral norms of their recurrent
blocks, the exact spectral norms of products of one-step Jacobians (``eq:bptt-jacobian``) of the
simple RNN, the LSTM and the GRU, their median profile over seeds, which the theory chapter
plots, and the LSTM's cell path alone (``eq:lstm-cell-jacobian``) for comparison with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray, _as_float, _check_positive_int
from lstmgru.equations.activations import sigmoid
from lstmgru.equations.gru import gru_jacobian, gru_step
from lstmgru.equations.lstm import lstm_jacobian, lstm_step
from lstmgru.equations.simple_rnn import simple_rnn_jacobian, simple_rnn_step

__all__ = [
    "GRADIENT_CELLS",
    "RECURRENT_INITS",
    "gradient_norm_profile",
    "lstm_cell_path_norms",
    "lstm_cell_path_profile",
    "random_recurrent_weights",
    "recurrent_block_norms",
    "recurrent_draws",
    "state_jacobian_norms",
]

#: Cells for which :func:`gradient_norm_profile` is defined.
GRADIENT_CELLS: tuple[str, ...] = ("simple_rnn", "lstm", "gru")
#: Draws of the recurrent kernel in :func:`random_recurrent_weights`.
RECURRENT_INITS: tuple[str, ...] = ("keras", "blocks")

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
    recurrent_init: str = "keras",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Random weights in Keras layout, drawn as the Keras initialisers of the layers draw them.

    ``kernel`` is Glorot-uniform on its full shape :math:`(n, k m)`. ``recurrent_kernel`` is
    Keras' ``Orthogonal`` initialiser applied to its full shape :math:`(m, k m)`: *one* matrix
    with orthonormal rows (the transpose of the Q factor of a standard-normal
    :math:`k m \times m` matrix, signs fixed by the diagonal of R), times ``recurrent_scale``
    (Keras' ``gain``). For the simple RNN (:math:`k = 1`) it is square and orthogonal, so
    :math:`\lVert U \rVert_2` equals ``recurrent_scale``; for the LSTM (:math:`k = 4`) and the
    GRU (:math:`k = 3`) each gate's block :math:`U_\ast` is an :math:`m \times m` part of an
    orthogonal matrix, with spectral norm *below* ``recurrent_scale`` (about 0.83 for the LSTM
    and 0.92 for the GRU at :math:`m = 16`; :func:`recurrent_block_norms`). Biases are zero
    except the gate that retains memory: the LSTM forget gate (Keras ``unit_forget_bias=True``
    sets it to 1) and the Keras GRU update gate (0 by default; a positive value favours keeping
    :math:`h_{t-1}`).

    Parameters
    ----------
    cell : {"simple_rnn", "lstm", "gru"}
        Cell type.
    n_inputs, units : int
        :math:`n` and :math:`m`.
    seed : int
        Seed of ``numpy.random.default_rng``.
    recurrent_scale : float, default 1.0
        Gain of the orthogonal recurrent kernel: every singular value of the whole
        :math:`(m, k m)` kernel equals it.
    retain_bias : float, optional
        Bias of the LSTM forget gate or of the GRU (Keras) update gate; ``None`` uses the Keras
        default (1.0 for the LSTM, 0.0 for the GRU). Not allowed for ``"simple_rnn"``.
    reset_after : bool, default True
        GRU only: return a (2, 3m) bias (True) or a (3m,) bias (False).
    recurrent_init : {"keras", "blocks"}, default "keras"
        ``"keras"``: one orthogonal :math:`(m, k m)` kernel, as above. ``"blocks"``: each gate's
        block an independent orthogonal :math:`m \times m` matrix (times ``recurrent_scale``),
        so that every block has spectral norm exactly ``recurrent_scale``; not what Keras does,
        a comparison that isolates the recurrent paths.

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
    if recurrent_init not in RECURRENT_INITS:
        raise ValueError(
            f"recurrent_init must be one of {', '.join(RECURRENT_INITS)}; got {recurrent_init!r}"
        )
    rng = np.random.default_rng(seed)
    k = _N_GATES[cell]
    limit = np.sqrt(6.0 / (n_inputs + k * units))
    kernel = rng.uniform(-limit, limit, size=(n_inputs, k * units))
    if recurrent_init == "keras":
        # keras.initializers.Orthogonal on shape (m, k m): QR of a (k m, m) normal matrix,
        # signs fixed by diag(R), transposed: orthonormal rows.
        q, r = np.linalg.qr(rng.standard_normal((k * units, units)))
        recurrent_kernel = recurrent_scale * (q * np.sign(np.diag(r))).T
    else:
        blocks = []
        for _ in range(k):
            q, r = np.linalg.qr(rng.standard_normal((units, units)))
            blocks.append(q * np.sign(np.diag(r)))  # Haar-distributed orthogonal block
        recurrent_kernel = recurrent_scale * np.concatenate(blocks, axis=1)
    bias = np.zeros(k * units)
    if cell == "lstm":
        bias[units : 2 * units] = 1.0 if retain_bias is None else retain_bias
    elif cell == "gru":
        bias[:units] = 0.0 if retain_bias is None else retain_bias
        if reset_after:
            bias = np.stack([bias, np.zeros(k * units)])
    return kernel, recurrent_kernel, bias


def recurrent_block_norms(recurrent_kernel: ArrayLike) -> FloatArray:
    r"""Spectral norm :math:`\lVert U_\ast \rVert_2` of each gate's block of a recurrent kernel.

    Parameters
    ----------
    recurrent_kernel : array_like, shape (m, k m)
        :math:`[U_1^\top, \dots, U_k^\top]` in Keras layout.

    Returns
    -------
    numpy.ndarray, shape (k,)
        Largest singular value of each block, in the gate order of the layout (dimensionless).
    """
    recurrent_kernel = _as_float(recurrent_kernel)
    m = recurrent_kernel.shape[0] if recurrent_kernel.ndim == 2 else 0
    if m == 0 or recurrent_kernel.shape[1] % m:
        raise ValueError(
            f"recurrent_kernel must have shape (m, k m) for k gates; got {recurrent_kernel.shape}"
        )
    blocks = recurrent_kernel.shape[1] // m
    return np.asarray(
        [np.linalg.norm(recurrent_kernel[:, g * m : (g + 1) * m], ord=2) for g in range(blocks)]
    )


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


def recurrent_draws(
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
    recurrent_init: str = "keras",
) -> Iterator[tuple[FloatArray, tuple[FloatArray, FloatArray, FloatArray]]]:
    """The random draws behind every profile: ``(x, weights)`` for seeds ``seed .. seed + n_seeds - 1``.

    For seed ``s`` the weights are :func:`random_recurrent_weights` with ``seed=s`` and ``x``
    is a standard-normal sequence of shape ``(n_steps, n_inputs)`` (times ``input_scale``)
    from ``numpy.random.default_rng([s, 1])``; the same seeds give the same draws in
    :func:`gradient_norm_profile`, :func:`lstm_cell_path_profile` and the block norms.
    """
    _check_positive_int(n_steps=n_steps, n_seeds=n_seeds)
    for draw in range(seed, seed + n_seeds):
        weights = random_recurrent_weights(
            cell,
            n_inputs,
            units,
            seed=draw,
            recurrent_scale=recurrent_scale,
            retain_bias=retain_bias,
            recurrent_init=recurrent_init,
        )
        rng = np.random.default_rng([draw, 1])
        yield input_scale * rng.standard_normal((n_steps, n_inputs)), weights


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
    recurrent_init: str = "keras",
) -> FloatArray:
    r"""Gradient norm :math:`\lVert \partial h_T / \partial s_t \rVert_2` against :math:`T - t`.

    For each draw of :func:`recurrent_draws` (weights as Keras initialises them, a
    standard-normal input sequence) calls :func:`state_jacobian_norms`; returns the elementwise
    median over the seeds ``seed, seed + 1, ..., seed + n_seeds - 1``. The GRU uses the Keras
    convention with ``reset_after=True``.

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
        Gain of the orthogonal recurrent kernel (see :func:`random_recurrent_weights`).
    retain_bias : float, optional
        See :func:`random_recurrent_weights`.
    input_scale : float, default 1.0
        Standard deviation of the inputs.
    recurrent_init : {"keras", "blocks"}, default "keras"
        See :func:`random_recurrent_weights`.

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1,)
        Norm at distance :math:`k = T - t`, :math:`k = 0..T` (dimensionless).
    """
    profiles = [
        state_jacobian_norms(cell, x, weights)
        for x, weights in recurrent_draws(
            cell,
            n_steps=n_steps,
            units=units,
            n_inputs=n_inputs,
            seed=seed,
            n_seeds=n_seeds,
            recurrent_scale=recurrent_scale,
            retain_bias=retain_bias,
            input_scale=input_scale,
            recurrent_init=recurrent_init,
        )
    ]
    return np.median(np.asarray(profiles), axis=0)


def lstm_cell_path_norms(
    x: ArrayLike, weights: Sequence[ArrayLike]
) -> tuple[FloatArray, FloatArray]:
    r"""The part of :math:`\partial h_T / \partial c_t` that runs along the cell state alone.

    Keeping only the direct path of ``eq:lstm-cell-jacobian`` from :math:`c_t` to :math:`c_T`
    and reading the cell out through ``eq:lstm-hidden``,

    .. math::
        \left.\frac{\partial h_T}{\partial c_t}\right|_{\text{cell path}}
        = \operatorname{diag}\bigl(o_T \odot (1 - \tanh^2 c_T)\bigr)
          \prod_{k=t+1}^{T} \operatorname{diag}(f_k),

    a diagonal matrix whose spectral norm is its largest entry. Every other route from
    :math:`s_t` to :math:`h_T` passes through a recurrent matrix (:math:`U_c` in the loop
    :math:`c \to h \to \tilde c`, and :math:`U_i, U_f, U_o`); the full norm of
    :func:`state_jacobian_norms` includes them.

    Parameters
    ----------
    x : array_like, shape (T, n)
        One input sequence.
    weights : sequence of array_like
        LSTM ``(kernel, recurrent_kernel, bias)`` in Keras layout.

    Returns
    -------
    cell_path : numpy.ndarray, shape (T + 1,)
        Entry ``k``: spectral norm of the cell-path term at distance :math:`T - t = k`.
    forget_product : numpy.ndarray, shape (T + 1,)
        Entry ``k``: :math:`\max_j \prod_{k'=T-k+1}^{T} f_{k',j}`, the norm of the product of
        forget gates of ``eq:lstm-cell-jacobian`` (entry 0 is 1).
    """
    x = _as_float(x)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (T, n); got {x.shape}")
    kernel, recurrent_kernel, bias = map(_as_float, weights)
    m = recurrent_kernel.shape[0]
    h, c = np.zeros(m), np.zeros(m)
    forget_gates = []
    output_gate = np.zeros(m)
    for x_t in x:
        preactivation = x_t @ kernel + h @ recurrent_kernel + bias
        forget_gates.append(sigmoid(preactivation[m : 2 * m]))  # eq:lstm-forget
        output_gate = sigmoid(preactivation[3 * m :])  # eq:lstm-output
        h, c = lstm_step(x_t, h, c, kernel, recurrent_kernel, bias)
    readout = output_gate * (1.0 - np.tanh(c) ** 2)  # dh_T/dc_T, eq:lstm-hidden
    product = np.ones(m)
    products = [product]
    for forget_gate in reversed(forget_gates):
        product = product * forget_gate
        products.append(product)
    products_array = np.asarray(products)
    return (np.abs(readout) * products_array).max(axis=1), products_array.max(axis=1)


def lstm_cell_path_profile(
    *,
    n_steps: int = 60,
    units: int = 16,
    n_inputs: int = 1,
    seed: int = 0,
    n_seeds: int = 1,
    recurrent_scale: float = 1.0,
    retain_bias: float | None = None,
    input_scale: float = 1.0,
    recurrent_init: str = "keras",
) -> tuple[FloatArray, FloatArray]:
    """Median over draws of :func:`lstm_cell_path_norms`, on the draws of :func:`gradient_norm_profile`.

    Arguments as in :func:`gradient_norm_profile` (for ``cell="lstm"``), so that the result
    compares entry by entry with the full profile of the same draws.

    Returns
    -------
    cell_path, forget_product : numpy.ndarray, shape (n_steps + 1,)
        Elementwise medians over the draws (dimensionless).
    """
    pairs = [
        lstm_cell_path_norms(x, weights)
        for x, weights in recurrent_draws(
            "lstm",
            n_steps=n_steps,
            units=units,
            n_inputs=n_inputs,
            seed=seed,
            n_seeds=n_seeds,
            recurrent_scale=recurrent_scale,
            retain_bias=retain_bias,
            input_scale=input_scale,
            recurrent_init=recurrent_init,
        )
    ]
    cell_path, forget_product = (np.median(np.asarray(a), axis=0) for a in zip(*pairs, strict=True))
    return cell_path, forget_product
