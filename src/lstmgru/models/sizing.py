"""Parameter counts of the recurrent networks and the units of the size-matched stacks.

The hybrid LSTM -> GRU has more parameters than a single LSTM or GRU with the same units, so a
win of the hybrid over them could be size, not architecture. The stacks ``lstm_lstm`` and
``gru_gru`` (:data:`lstmgru.config.SIZE_MATCHED`) are therefore built with the units that give
them (nearly) the hybrid's parameter count: :func:`matched_units` solves for equal units per
layer, :func:`network_units` applies it whenever such a model is built, so every profile's
stacks match its own hybrid. The counts are the closed forms of :mod:`lstmgru.equations.counts`
(``eq:params-lstm`` ... ``eq:params-dense``), which ``tests/test_equations.py`` checks against
Keras' ``count_params()``; they do not depend on the window length. Nothing here imports
TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence

from lstmgru.config import LAYER_KINDS, NETWORK_LAYERS, SIZE_MATCHED
from lstmgru.equations.counts import dense_param_count, gru_param_count, lstm_param_count

__all__ = ["MATCH_TOLERANCE", "matched_units", "network_param_count", "network_units"]

#: Largest relative difference :math:`|k - k^*| / k^*` accepted between a matched stack's
#: parameter count :math:`k` and its target :math:`k^*`.
MATCH_TOLERANCE = 0.10


def _layer_count(kind: str, n_inputs: int, units: int) -> int:
    if kind == "lstm":
        return lstm_param_count(n_inputs, units)
    if kind == "gru":
        return gru_param_count(n_inputs, units, reset_after=True)
    raise ValueError(f"unknown layer {kind!r}; each layer must be one of {', '.join(LAYER_KINDS)}")


def network_param_count(
    layers: Sequence[str],
    units: Sequence[int],
    *,
    parallel: bool = False,
    n_inputs: int = 1,
    n_outputs: int = 1,
) -> int:
    """Trainable parameters of :func:`lstmgru.models.rnn.build_network`'s network.

    Parameters
    ----------
    layers : sequence of {'lstm', 'gru'}
        Recurrent layers from input to output (or the branches when ``parallel``).
    units : sequence of int
        Units of each layer (the first ``len(layers)`` entries are used).
    parallel : bool
        Branches on the same input, last states concatenated, instead of a stack.
    n_inputs : int
        Features per time step (1: the log return).
    n_outputs : int
        Outputs of the dense head.

    Returns
    -------
    int
        Stack: :math:`\\sum_\\ell k(m_{\\ell-1}, m_\\ell) + (m_L + 1)` with :math:`m_0 = n`;
        parallel: :math:`\\sum_\\ell k(n, m_\\ell) + (\\sum_\\ell m_\\ell + 1)`, with
        :math:`k` the layer count of ``eq:params-lstm`` or ``eq:params-gru`` (dropout layers
        have no parameters).
    """
    layers = tuple(layers)
    sizes = tuple(units)[: len(layers)]
    if not layers or len(sizes) < len(layers):
        raise ValueError(f"units {tuple(units)!r} must give one entry per layer of {layers!r}")
    if parallel:
        total = sum(_layer_count(kind, n_inputs, m) for kind, m in zip(layers, sizes, strict=True))
        return total + dense_param_count(sum(sizes), n_outputs)
    total, width = 0, n_inputs
    for kind, m in zip(layers, sizes, strict=True):
        total += _layer_count(kind, width, m)
        width = m
    return total + dense_param_count(width, n_outputs)


def matched_units(
    layers: Sequence[str],
    target_params: int,
    *,
    n_inputs: int = 1,
    n_outputs: int = 1,
    tolerance: float = MATCH_TOLERANCE,
) -> tuple[int, ...]:
    """Units of a stack of ``layers`` whose parameter count is closest to ``target_params``.

    Equal units :math:`m` in every layer are solved for first: the count grows strictly with
    :math:`m`, and the :math:`m` whose count is nearest the target wins (the smaller on a tie).
    When even that count misses the target by more than ``tolerance`` (small networks, where
    one unit moves the count by more than the band), the nearest count among stacks whose
    layers differ by at most one unit is taken instead.

    Parameters
    ----------
    layers : sequence of {'lstm', 'gru'}
        The stack, from input to output.
    target_params : int
        Parameter count to match (e.g. the hybrid's, :func:`network_param_count`).
    n_inputs, n_outputs : int
        Features per time step and outputs of the dense head.
    tolerance : float
        Largest accepted relative difference between the count and the target.

    Returns
    -------
    tuple of int
        Units per layer.

    Raises
    ------
    ValueError
        For an unknown layer kind, a non-positive target, or when no such stack lies within
        ``tolerance`` of the target.
    """
    layers = tuple(layers)
    if not layers or any(kind not in LAYER_KINDS for kind in layers):
        raise ValueError(
            f"layers must be a non-empty sequence of {', '.join(LAYER_KINDS)}, got {layers!r}"
        )
    if not isinstance(target_params, int) or isinstance(target_params, bool) or target_params < 1:
        raise ValueError(f"target_params must be a positive integer, got {target_params!r}")
    if not 0.0 < tolerance < 1.0:
        raise ValueError(f"tolerance must lie strictly between 0 and 1, got {tolerance!r}")

    def count(sizes: tuple[int, ...]) -> int:
        return network_param_count(layers, sizes, n_inputs=n_inputs, n_outputs=n_outputs)

    def gap(sizes: tuple[int, ...]) -> float:
        return abs(count(sizes) - target_params) / target_params

    m = 1
    while count((m,) * len(layers)) < target_params:
        m += 1
    equal = [(k,) * len(layers) for k in (m - 1, m) if k >= 1]
    best = min(equal, key=gap)
    if gap(best) <= tolerance:
        return best
    candidates = [
        tuple(base + ((mask >> i) & 1) for i in range(len(layers)))
        for base in range(max(1, m - 2), m + 1)
        for mask in range(2 ** len(layers))
    ]
    best = min(candidates, key=lambda sizes: (gap(sizes), sizes))
    if gap(best) > tolerance:
        raise ValueError(
            f"no stack {layers!r} has a parameter count within {tolerance:.0%} of "
            f"{target_params} (nearest: units {best!r} with {count(best)}); use larger units"
        )
    return best


def network_units(name: str, units: Sequence[int]) -> tuple[int, ...]:
    """Units network ``name`` is built with when the configuration gives ``units``.

    A size-matched stack of :data:`lstmgru.config.SIZE_MATCHED` gets :func:`matched_units` for
    the parameter count of its reference network built with ``units`` (one input feature, one
    output); every other network uses ``units`` directly (the first entry per layer).

    Parameters
    ----------
    name : str
        A network model name of :data:`lstmgru.config.NETWORK_LAYERS`.
    units : sequence of int
        ``ModelConfig.units``.

    Returns
    -------
    tuple of int
        One entry per recurrent layer of ``name``.
    """
    if name not in NETWORK_LAYERS:
        raise ValueError(f"unknown network {name!r}; valid: {', '.join(NETWORK_LAYERS)}")
    layers = NETWORK_LAYERS[name]
    if name not in SIZE_MATCHED:
        if len(tuple(units)) < len(layers):
            raise ValueError(f"units {tuple(units)!r} must give one entry per layer of {name!r}")
        return tuple(units)[: len(layers)]
    reference = SIZE_MATCHED[name]
    target = network_param_count(
        NETWORK_LAYERS[reference], units, parallel=reference == "lstm_gru_parallel"
    )
    return matched_units(layers, target)
