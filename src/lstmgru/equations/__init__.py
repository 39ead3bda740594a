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

Modules
-------
One concept per module; everything public is re-exported here, so
``from lstmgru import equations as eq`` reaches every twin:

* :mod:`~lstmgru.equations.labels`: ``EQUATION_LABELS``, every label of the chapter;
* :mod:`~lstmgru.equations.activations`: :func:`sigmoid`;
* :mod:`~lstmgru.equations.simple_rnn`: ``eq:rnn-hidden``, ``eq:bptt-jacobian``, ``eq:bptt-bound``;
* :mod:`~lstmgru.equations.lstm`: ``eq:lstm-input`` to ``eq:lstm-hidden``, ``eq:lstm-cell-jacobian``;
* :mod:`~lstmgru.equations.gru`: ``eq:gru-update-keras`` to ``eq:gru-hidden-keras``,
  ``eq:gru-update-cho`` to ``eq:gru-hidden-cho``, ``eq:gru-update-chung``, ``eq:gru-hidden-chung``,
  ``eq:gru-relabel``, ``eq:gru-jacobian``;
* :mod:`~lstmgru.equations.hybrid`: ``eq:hybrid-lstm``, ``eq:hybrid-gru``, ``eq:hybrid-output``;
* :mod:`~lstmgru.equations.counts`: ``eq:params-lstm``, ``eq:params-gru``,
  ``eq:params-gru-reset-before``, ``eq:params-dense``, ``eq:params-hybrid``;
* :mod:`~lstmgru.equations.gradients`: ``eq:bptt-gradient``, random weights drawn as Keras
  draws them and the norms of their recurrent blocks, gradient-norm profiles, the LSTM's cell
  path alone (``eq:lstm-cell-jacobian``);
* ``_checks``: float64 conversion and the shape checks shared by the twins.
"""

from __future__ import annotations

from lstmgru.equations.activations import sigmoid
from lstmgru.equations.counts import (
    dense_param_count,
    gru_param_count,
    hybrid_param_count,
    lstm_param_count,
)
from lstmgru.equations.gradients import (
    GRADIENT_CELLS,
    RECURRENT_INITS,
    gradient_norm_profile,
    lstm_cell_path_norms,
    lstm_cell_path_profile,
    random_recurrent_weights,
    recurrent_block_norms,
    recurrent_draws,
    state_jacobian_norms,
)
from lstmgru.equations.gru import (
    gru_jacobian,
    gru_sequence,
    gru_step,
    gru_step_cho,
    gru_step_chung,
    relabel_update_gate,
)
from lstmgru.equations.hybrid import hybrid_forward
from lstmgru.equations.labels import EQUATION_LABELS
from lstmgru.equations.lstm import lstm_jacobian, lstm_sequence, lstm_step
from lstmgru.equations.simple_rnn import (
    simple_rnn_bound,
    simple_rnn_jacobian,
    simple_rnn_sequence,
    simple_rnn_step,
)

__all__ = [
    "EQUATION_LABELS",
    "GRADIENT_CELLS",
    "RECURRENT_INITS",
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
    "lstm_cell_path_norms",
    "lstm_cell_path_profile",
    "lstm_jacobian",
    "lstm_param_count",
    "lstm_sequence",
    "lstm_step",
    "random_recurrent_weights",
    "recurrent_block_norms",
    "recurrent_draws",
    "relabel_update_gate",
    "sigmoid",
    "simple_rnn_bound",
    "simple_rnn_jacobian",
    "simple_rnn_sequence",
    "simple_rnn_step",
    "state_jacobian_norms",
]
