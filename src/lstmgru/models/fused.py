r"""Fused CPU kernels of the LSTM and GRU layers: hand-written back-propagation through time.

Keras' generic recurrent loop (what runs on a CPU, where there is no cuDNN) calls the cell once
per time step, and TensorFlow differentiates that loop operation by operation: the backward
pass then holds, per step, one small matrix product per weight matrix and many tiny
element-wise operations. For the networks of this project (64 units, batch 64, windows of
20-60 days) the per-step overhead, not the arithmetic, sets the training speed. The functions
here compute **the same equations** (``tests/test_fused.py`` compares outputs and gradients
with Keras' layers to float32 round-off) in the order a hand-written kernel would:

* forward (:func:`lstm_sequence`, :func:`gru_sequence`): one ``tf.while_loop`` over time with
  one matrix product per step for the LSTM (:math:`[x_t, h_{t-1}]\,[W; U]`) and two for the
  GRU (:math:`x_t W` and :math:`h_{t-1} U`, kept apart by ``reset_after=True``), then the gate
  arithmetic; the values the backward pass needs are saved per step;
* backward (:func:`tf.custom_gradient`): one reversed loop that carries
  :math:`\partial L / \partial h_t` (and :math:`\partial L / \partial c_t` for the LSTM)
  and holds a single matrix product per step, :math:`\delta z_t U^\top`; the weight
  gradients :math:`X^\top \delta Z` and :math:`H_{\text{prev}}^\top \delta Z`, the bias
  gradient and the input gradient :math:`\delta Z W^\top` are then each **one** product (or
  sum) over all ``T * B`` rows at once;
* lanes: the batch is cut into parts (:data:`LANES`, one per core, at least
  :data:`MIN_LANE_ROWS` rows each), each run forward and backward by its own loop compiled by
  XLA; TensorFlow's executor runs the lanes concurrently, and the weight gradients of the lanes
  are summed. One XLA program runs independent loops one after the other on a CPU, and the
  small products of one loop do not keep two cores busy, so the model's own training step is
  left uncompiled (:func:`lstmgru.models.rnn.compile_network`).

Design notes, measured with XLA on the 2-core reference machine (``benchmarks/train_speed.py``
measures the result): slicing a hoisted input projection with the loop index inside the
element-wise gate fusion made each forward step about 2.5x slower than the product on
``[x_t, h_{t-1}]``; unrolling the loops in Python let XLA fuse element-wise chains across time
steps and the stacked outputs into very slow kernels (8x slower backward); two lanes trained
the hybrid about 1.4x as fast as one lane.

:class:`FusedLSTM` and :class:`FusedGRU` are Keras' ``LSTM`` and ``GRU`` with the same weights,
arguments and cuDNN path on a GPU; only the CPU loop is replaced, and only when the window
length is static, there is no mask, the sequence runs forwards, the activations are the
defaults and no input or recurrent dropout is asked of the layer (otherwise Keras' own loop
runs). Gate order and bias layout are
Keras': LSTM gates ``[i, f, c, o]`` (kernel ``n x 4m``, recurrent kernel ``m x 4m``, bias
``4m``); GRU with ``reset_after=True`` gates ``[z, r, h]`` (kernel ``n x 3m``, recurrent kernel
``m x 3m``, bias ``2 x 3m``: input bias, recurrent bias),
:math:`h_t = z \odot h_{t-1} + (1 - z) \odot \tilde h_t`.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import tensorflow as tf

__all__ = [
    "LANES",
    "MIN_LANE_ROWS",
    "FusedGRU",
    "FusedLSTM",
    "fused_loops_active",
    "gru_sequence",
    "lstm_sequence",
]

#: Default number of lanes the batch is cut into (one per CPU core, at most 8).
LANES = max(1, min(8, os.cpu_count() or 1))
#: Fewest batch rows per lane when the batch size is known while the graph is built.
MIN_LANE_ROWS = 16


def _time_major(x: tf.Tensor) -> tf.Tensor:
    return tf.transpose(x, (1, 0, 2))


def _static_steps(x: tf.Tensor) -> int:
    steps = x.shape[1]
    if steps is None:
        raise ValueError("the fused recurrent loop needs a static window length (time steps)")
    return int(steps)


def _flat(x: tf.Tensor) -> tf.Tensor:
    return tf.reshape(x, (-1, tf.shape(x)[-1]))


def _shift_prev(h0: tf.Tensor, seq: tf.Tensor) -> tf.Tensor:
    """``[h_0, h_1, ..., h_{T-1}]`` from ``h_0`` and ``seq = [h_1, ..., h_T]`` (time-major)."""
    return tf.concat([h0[None], seq[:-1]], axis=0)


def _time_loop(steps: int, body: Any, carry: tuple, outputs: int, reverse: bool = False):
    """Run ``body(t, *carry) -> (new_carry, per_step_outputs)`` over ``t`` (reversed on request).

    A ``tf.while_loop`` whose per-step outputs go to one ``TensorArray`` each, stacked
    time-major at the end (see the module docstring for why the loop is not unrolled).
    """
    dtype = carry[0].dtype
    arrays = tuple(tf.TensorArray(dtype, size=steps) for _ in range(outputs))

    def step(k, state, arrs):
        t = steps - 1 - k if reverse else k
        new_state, values = body(t, *state)
        return k + 1, new_state, tuple(a.write(t, v) for a, v in zip(arrs, values, strict=True))

    _, final, arrays = tf.while_loop(
        lambda k, *_: k < steps,
        step,
        (tf.constant(0), tuple(carry), arrays),
        maximum_iterations=steps,
    )
    return final, tuple(a.stack() for a in arrays)


def _lanes(batch: int | None, lanes: int | None) -> int:
    """Number of lanes for a batch of ``batch`` rows (``None``: known only when running).

    ``lanes`` as given (at most one per row), or by default :data:`LANES`, at most one per
    :data:`MIN_LANE_ROWS` rows.
    """
    if lanes is None:
        count, rows = LANES, MIN_LANE_ROWS
    elif isinstance(lanes, int) and not isinstance(lanes, bool) and lanes >= 1:
        count, rows = lanes, 1
    else:
        raise ValueError(f"lanes must be a positive integer or None, got {lanes!r}")
    if batch is not None:
        count = min(count, max(1, int(batch) // rows))
    return count


def _lane_sizes(batch: tf.Tensor, lanes: int) -> tf.Tensor:
    """Rows of each lane: ``batch`` cut into ``lanes`` parts differing by at most one."""
    return tf.stack([(batch + i) // lanes for i in range(lanes)])


def _split(tensor: tf.Tensor, sizes: tf.Tensor, lanes: int, axis: int) -> list[tf.Tensor]:
    return [tensor] if lanes == 1 else tf.split(tensor, sizes, axis=axis, num=lanes)


def _join(parts: list[tf.Tensor], axis: int) -> tf.Tensor:
    return parts[0] if len(parts) == 1 else tf.concat(parts, axis=axis)


def _total(parts: list[tf.Tensor]) -> tf.Tensor:
    return parts[0] if len(parts) == 1 else tf.add_n(parts)


def _lstm_forward(x_tm, h0, c0, kernel, recurrent_kernel, bias):
    steps = int(x_tm.shape[0])
    stacked = tf.concat([kernel, recurrent_kernel], axis=0)

    def body(t, h, c):
        # One product per step on [x_t, h_{t-1}] (see the module docstring).
        z = tf.matmul(tf.concat([x_tm[t], h], axis=1), stacked) + bias
        zi, zf, zg, zo = tf.split(z, 4, axis=1)
        i, f, o = tf.sigmoid(zi), tf.sigmoid(zf), tf.sigmoid(zo)
        g = tf.tanh(zg)
        c_new = f * c + i * g
        h_new = o * tf.tanh(c_new)
        return (h_new, c_new), (h_new, c_new, tf.concat([i, f, g, o], axis=1))

    (h_last, c_last), (h_seq, c_seq, gates) = _time_loop(steps, body, (h0, c0), 3)
    return h_seq, c_seq, gates, h_last, c_last


def _lstm_backward(x_tm, h0, c0, kernel, recurrent_kernel, h_seq, c_seq, gates, d_hseq, d_h, d_c):
    steps = int(x_tm.shape[0])
    units = int(recurrent_kernel.shape[0])
    # Per-step factors as separate time-major arrays, split once outside the loop.
    i_seq, f_seq, g_seq, o_seq = tf.split(gates, 4, axis=2)
    tc_seq = tf.tanh(c_seq)
    c_prev_seq = _shift_prev(c0, c_seq)
    u_t = tf.transpose(recurrent_kernel)

    def back(t, dh_next, dc_next):
        i, f, g, o, tc = i_seq[t], f_seq[t], g_seq[t], o_seq[t], tc_seq[t]
        dh = d_hseq[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tc * tc)
        dz = tf.concat(
            [
                dc * g * i * (1.0 - i),
                dc * c_prev_seq[t] * f * (1.0 - f),
                dc * i * (1.0 - g * g),
                dh * tc * o * (1.0 - o),
            ],
            axis=1,
        )
        return (tf.matmul(dz, u_t), dc * f), (dz,)

    (dh0, dc0), (dz_seq,) = _time_loop(steps, back, (d_h, d_c), 1, reverse=True)
    dz_flat = tf.reshape(dz_seq, (-1, 4 * units))
    h_prev = _flat(_shift_prev(h0, h_seq))
    d_kernel = tf.matmul(_flat(x_tm), dz_flat, transpose_a=True)
    d_recurrent = tf.matmul(h_prev, dz_flat, transpose_a=True)
    d_bias = tf.reduce_sum(dz_flat, axis=0)
    d_x = tf.reshape(tf.matmul(dz_flat, kernel, transpose_b=True), tf.shape(x_tm))
    return d_x, dh0, dc0, d_kernel, d_recurrent, d_bias


def _gru_forward(x_tm, h0, kernel, recurrent_kernel, bias):
    steps = int(x_tm.shape[0])
    input_bias, recurrent_bias = bias[0], bias[1]

    def body(t, h):
        a = tf.matmul(x_tm[t], kernel) + input_bias
        s = tf.matmul(h, recurrent_kernel) + recurrent_bias
        a_z, a_r, a_h = tf.split(a, 3, axis=1)
        s_z, s_r, s_h = tf.split(s, 3, axis=1)
        z = tf.sigmoid(a_z + s_z)
        r = tf.sigmoid(a_r + s_r)
        cand = tf.tanh(a_h + r * s_h)
        h_new = z * h + (1.0 - z) * cand
        return (h_new,), (h_new, tf.concat([z, r, cand, s_h], axis=1))

    (h_last,), (h_seq, saved) = _time_loop(steps, body, (h0,), 2)
    return h_seq, saved, h_last


def _gru_backward(x_tm, h0, kernel, recurrent_kernel, h_seq, saved, d_hseq, d_h):
    steps = int(x_tm.shape[0])
    units = int(recurrent_kernel.shape[0])
    z_seq, r_seq, cand_seq, sh_seq = tf.split(saved, 4, axis=2)
    h_prev_seq = _shift_prev(h0, h_seq)
    u_t = tf.transpose(recurrent_kernel)

    def back(t, dh_next):
        z, r, cand = z_seq[t], r_seq[t], cand_seq[t]
        dh = d_hseq[t] + dh_next
        da_h = dh * (1.0 - z) * (1.0 - cand * cand)
        da_z = dh * (h_prev_seq[t] - cand) * z * (1.0 - z)
        da_r = da_h * sh_seq[t] * r * (1.0 - r)
        ds = tf.concat([da_z, da_r, da_h * r], axis=1)
        da = tf.concat([da_z, da_r, da_h], axis=1)
        return (dh * z + tf.matmul(ds, u_t),), (da, ds)

    (dh0,), (da_seq, ds_seq) = _time_loop(steps, back, (d_h,), 2, reverse=True)
    da_flat = tf.reshape(da_seq, (-1, 3 * units))
    ds_flat = tf.reshape(ds_seq, (-1, 3 * units))
    d_kernel = tf.matmul(_flat(x_tm), da_flat, transpose_a=True)
    d_recurrent = tf.matmul(_flat(h_prev_seq), ds_flat, transpose_a=True)
    d_bias = tf.stack([tf.reduce_sum(da_flat, axis=0), tf.reduce_sum(ds_flat, axis=0)])
    d_x = tf.reshape(tf.matmul(da_flat, kernel, transpose_b=True), tf.shape(x_tm))
    return d_x, dh0, d_kernel, d_recurrent, d_bias


def _compiled(func: Any, xla: bool) -> Any:
    """``func`` as a graph function (XLA-compiled when ``xla``) that autodiff does not enter.

    The gradients are the hand-written ones of :func:`lstm_sequence` and :func:`gru_sequence`;
    stopping the tape at the inputs also keeps TensorFlow from asking the compiled loop for
    its intermediate values, which cannot cross the XLA boundary.
    """
    compiled = tf.function(func, jit_compile=xla, autograph=False)

    def call(*args: Any) -> Any:
        return compiled(*(tf.stop_gradient(a) for a in args))

    return call


_KERNELS = {
    xla: {
        "lstm_forward": _compiled(_lstm_forward, xla),
        "lstm_backward": _compiled(_lstm_backward, xla),
        "gru_forward": _compiled(_gru_forward, xla),
        "gru_backward": _compiled(_gru_backward, xla),
    }
    for xla in (True, False)
}


def _upstream(grad: Any, like: tf.Tensor) -> tf.Tensor:
    return tf.zeros_like(like) if grad is None else grad


def lstm_sequence(
    x, h0, c0, kernel, recurrent_kernel, bias, lanes: int | None = None, xla: bool = True
):
    """LSTM over a batch-major window ``x`` ``[B, T, n]``; returns ``(h_seq [B, T, m], h_T, c_T)``.

    Equations (Keras' LSTM, gates ``[i, f, c, o]``):
    :math:`z_t = [x_t, h_{t-1}] [W; U] + b`, :math:`i, f, o = \\sigma(\\cdot)`,
    :math:`g = \\tanh(\\cdot)`, :math:`c_t = f c_{t-1} + i g`, :math:`h_t = o \\tanh(c_t)`.

    The batch is cut into ``lanes`` parts (default :data:`LANES`, see :func:`_lanes`), each run
    forward and backward by its own loop, compiled by XLA when ``xla``; TensorFlow runs the
    lanes concurrently (when the caller is not itself compiled by XLA, which would inline them
    into one sequential program). Their weight gradients are summed.
    """
    _static_steps(x)
    n_lanes = _lanes(x.shape[0], lanes)
    kernels = _KERNELS[bool(xla)]

    @tf.custom_gradient
    def run(x, h0, c0, kernel, recurrent_kernel, bias):
        sizes = _lane_sizes(tf.shape(x)[0], n_lanes)
        xs = _split(_time_major(x), sizes, n_lanes, axis=1)
        h0s, c0s = (_split(s, sizes, n_lanes, axis=0) for s in (h0, c0))
        fwd = [
            kernels["lstm_forward"](xl, hl, cl, kernel, recurrent_kernel, bias)
            for xl, hl, cl in zip(xs, h0s, c0s, strict=True)
        ]
        h_seq = _join([f[0] for f in fwd], axis=1)
        h_last = _join([f[3] for f in fwd], axis=0)
        c_last = _join([f[4] for f in fwd], axis=0)

        def grad(d_hseq_bm, d_h_last, d_c_last):
            d_hseq = tf.zeros_like(h_seq) if d_hseq_bm is None else _time_major(d_hseq_bm)
            d_hs = _split(d_hseq, sizes, n_lanes, axis=1)
            d_h = _split(_upstream(d_h_last, h_last), sizes, n_lanes, axis=0)
            d_c = _split(_upstream(d_c_last, c_last), sizes, n_lanes, axis=0)
            back = [
                kernels["lstm_backward"](
                    xs[k],
                    h0s[k],
                    c0s[k],
                    kernel,
                    recurrent_kernel,
                    *fwd[k][:3],
                    d_hs[k],
                    d_h[k],
                    d_c[k],
                )
                for k in range(n_lanes)
            ]
            return (
                _time_major(_join([b[0] for b in back], axis=1)),
                _join([b[1] for b in back], axis=0),
                _join([b[2] for b in back], axis=0),
                _total([b[3] for b in back]),
                _total([b[4] for b in back]),
                _total([b[5] for b in back]),
            )

        return (_time_major(h_seq), h_last, c_last), grad

    return run(x, h0, c0, kernel, recurrent_kernel, bias)


def gru_sequence(x, h0, kernel, recurrent_kernel, bias, lanes: int | None = None, xla: bool = True):
    """GRU (``reset_after=True``) over ``x`` ``[B, T, n]``; returns ``(h_seq [B, T, m], h_T)``.

    Equations (Keras' GRU, gates ``[z, r, h]``, bias rows ``b_x`` and ``b_h``):
    :math:`a = x_t W + b_x`, :math:`s = h_{t-1} U + b_h`, :math:`z = \\sigma(a_z + s_z)`,
    :math:`r = \\sigma(a_r + s_r)`, :math:`\\tilde h = \\tanh(a_h + r \\odot s_h)`,
    :math:`h_t = z \\odot h_{t-1} + (1 - z) \\odot \\tilde h`. Lanes and ``xla`` as in
    :func:`lstm_sequence`.
    """
    _static_steps(x)
    n_lanes = _lanes(x.shape[0], lanes)
    kernels = _KERNELS[bool(xla)]

    @tf.custom_gradient
    def run(x, h0, kernel, recurrent_kernel, bias):
        sizes = _lane_sizes(tf.shape(x)[0], n_lanes)
        xs = _split(_time_major(x), sizes, n_lanes, axis=1)
        h0s = _split(h0, sizes, n_lanes, axis=0)
        fwd = [
            kernels["gru_forward"](xl, hl, kernel, recurrent_kernel, bias)
            for xl, hl in zip(xs, h0s, strict=True)
        ]
        h_seq = _join([f[0] for f in fwd], axis=1)
        h_last = _join([f[2] for f in fwd], axis=0)

        def grad(d_hseq_bm, d_h_last):
            d_hseq = tf.zeros_like(h_seq) if d_hseq_bm is None else _time_major(d_hseq_bm)
            d_hs = _split(d_hseq, sizes, n_lanes, axis=1)
            d_h = _split(_upstream(d_h_last, h_last), sizes, n_lanes, axis=0)
            back = [
                kernels["gru_backward"](
                    xs[k], h0s[k], kernel, recurrent_kernel, *fwd[k][:2], d_hs[k], d_h[k]
                )
                for k in range(n_lanes)
            ]
            return (
                _time_major(_join([b[0] for b in back], axis=1)),
                _join([b[1] for b in back], axis=0),
                _total([b[2] for b in back]),
                _total([b[3] for b in back]),
                _total([b[4] for b in back]),
            )

        return (_time_major(h_seq), h_last), grad

    return run(x, h0, kernel, recurrent_kernel, bias)


def _fused_eligible(layer: Any, sequences: Any, mask: Any) -> bool:
    """True when the fused CPU loop computes what Keras' generic loop would."""
    return (
        mask is None
        and sequences.shape[1] is not None
        and not layer.go_backwards
        and not layer.cell.dropout
        and not layer.cell.recurrent_dropout
        and layer.cell.use_bias
        and layer.cell.activation is keras.activations.tanh
        and layer.cell.recurrent_activation is keras.activations.sigmoid
        and fused_loops_active()
    )


def _initial(state: Any) -> tf.Tensor:
    return tf.convert_to_tensor(state[0] if isinstance(state, list | tuple) else state)


def fused_loops_active() -> bool:
    """True where the fused loops replace Keras' loop: on a CPU (a GPU runs cuDNN instead)."""
    return not tf.config.list_logical_devices("GPU")


class _FusedLoop:
    """Options of the fused loop shared by :class:`FusedLSTM` and :class:`FusedGRU`.

    ``xla``: compile each lane's loop with XLA (the model's own step is then better left
    uncompiled, so that the lanes run concurrently: :func:`lstmgru.models.rnn.compile_network`
    does that). ``lanes``: batch parts run concurrently (default :data:`LANES`).
    """

    def __init__(self, *args: Any, xla: bool = True, lanes: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.xla = bool(xla)
        self.lanes = lanes
        _lanes(None, lanes)  # validate

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "xla": self.xla, "lanes": self.lanes}


@keras.saving.register_keras_serializable(package="lstmgru")
class FusedLSTM(_FusedLoop, keras.layers.LSTM):
    """Keras' ``LSTM`` whose CPU loop is :func:`lstm_sequence` (same weights and equations)."""

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not _fused_eligible(self, sequences, mask):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell = self.cell
        h_seq, h_last, c_last = lstm_sequence(
            tf.convert_to_tensor(sequences),
            _initial(initial_state[0]),
            _initial(initial_state[1]),
            tf.convert_to_tensor(cell.kernel),
            tf.convert_to_tensor(cell.recurrent_kernel),
            tf.convert_to_tensor(cell.bias),
            lanes=self.lanes,
            xla=self.xla,
        )
        return h_last, h_seq, [h_last, c_last]


@keras.saving.register_keras_serializable(package="lstmgru")
class FusedGRU(_FusedLoop, keras.layers.GRU):
    """Keras' ``GRU`` (``reset_after=True``) whose CPU loop is :func:`gru_sequence`."""

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if not (_fused_eligible(self, sequences, mask) and self.cell.reset_after):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell = self.cell
        h_seq, h_last = gru_sequence(
            tf.convert_to_tensor(sequences),
            _initial(initial_state),
            tf.convert_to_tensor(cell.kernel),
            tf.convert_to_tensor(cell.recurrent_kernel),
            tf.convert_to_tensor(cell.bias),
            lanes=self.lanes,
            xla=self.xla,
        )
        return h_last, h_seq, [h_last]
