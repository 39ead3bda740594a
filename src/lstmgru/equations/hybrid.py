"""Forward pass of the hybrid LSTM -> GRU -> Dense model, ``eq:hybrid-lstm`` to ``eq:hybrid-output``."""

from __future__ import annotations

from collections.abc import Sequence

from numpy.typing import ArrayLike

from lstmgru.equations._checks import FloatArray, _as_float
from lstmgru.equations.gru import gru_sequence
from lstmgru.equations.lstm import lstm_sequence

__all__ = ["hybrid_forward"]


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

    Equals ``keras.Sequential([LSTM(m1, return_sequences=True), GRU(m2), Dense(k)])``, and the
    forecasting pass of the experiment's network, whose dropout layers after each recurrent
    layer (the masks :math:`d` of ``eq:hybrid-gru`` and ``eq:hybrid-output``) act in training
    only. The output is in the units of the training target (the standardised return);
    ``eq:price-forecast`` scales it back.

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
