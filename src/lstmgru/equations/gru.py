"""The GRU cell in its three published forms and the map between them.

The Keras convention (``reset_after=True``, the cuDNN form, ``eq:gru-update-keras`` to
``eq:gru-hidden-keras``, and ``reset_after=False``), Cho et al. (2014) (``eq:gru-update-cho`` to
``eq:gru-hidden-cho``) and the interpolation of Chung et al. (2014) (``eq:gru-update-chung``,
``eq:gru-hidden-chung``); the relabelling ``eq:gru-relabel`` that maps one update-gate
convention onto the other; sequences in any of the three forms and the one-step Jacobian
``eq:gru-jacobian``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray, _as_float, _check_bias, _check_sequence, _units
from lstmgru.equations.activations import sigmoid

__all__ = [
    "gru_jacobian",
    "gru_sequence",
    "gru_step",
    "gru_step_cho",
    "gru_step_chung",
    "relabel_update_gate",
]


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
