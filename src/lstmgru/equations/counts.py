"""Parameter-count formulas, ``eq:params-lstm`` to ``eq:params-hybrid``.

Closed forms of the trainable parameters of each layer, checked in the tests against Keras'
``count_params()``.
"""

from __future__ import annotations

from lstmgru.equations._checks import _check_positive_int

__all__ = ["dense_param_count", "gru_param_count", "hybrid_param_count", "lstm_param_count"]


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
