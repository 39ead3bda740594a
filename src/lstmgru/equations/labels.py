"""Equation labels of the theory chapter (``notebooks/01_equations.ipynb``).

The same labels number the equations in the notebook, the PDF and ``equations.tex``; the
docstrings and comments of the twins cite them (``eq:lstm-forget``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["EQUATION_LABELS"]

#: Every equation label of the theory chapter, in order of appearance, with a one-line
#: description. The notebook's ``\label{...}`` set must equal these keys (tested).
EQUATION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        # Simple recurrent network and backpropagation through time
        "eq:rnn-hidden": "simple (Elman) RNN hidden-state recursion h_t = tanh(W x_t + U h_{t-1} + b)",
        "eq:bptt-gradient": "gradient of a loss at step T with respect to an earlier hidden state",
        "eq:bptt-jacobian": "dh_T/dh_t as a product of one-step Jacobians diag(tanh') U",
        "eq:bptt-bound": "bound (||U||_2 * max|tanh'|)^(T-t) on the Jacobian norm",
        # LSTM (Keras convention, gate order i, f, c, o)
        "eq:lstm-input": "LSTM input gate i_t",
        "eq:lstm-forget": "LSTM forget gate f_t",
        "eq:lstm-candidate": "LSTM candidate cell state c~_t",
        "eq:lstm-cell": "LSTM cell-state update c_t = f_t * c_{t-1} + i_t * c~_t",
        "eq:lstm-output": "LSTM output gate o_t",
        "eq:lstm-hidden": "LSTM hidden state h_t = o_t * tanh(c_t)",
        "eq:lstm-cell-jacobian": "direct-path Jacobian dc_t/dc_{t-1} = diag(f_t) (constant error carousel)",
        # GRU, Keras convention (reset_after=True, the cuDNN-compatible default)
        "eq:gru-update-keras": "GRU update gate z_t, Keras convention (input and recurrent biases)",
        "eq:gru-reset-keras": "GRU reset gate r_t, Keras convention",
        "eq:gru-candidate-keras": "GRU candidate h~_t with the reset gate applied after U_h h_{t-1}",
        "eq:gru-hidden-keras": "GRU hidden state h_t = z_t * h_{t-1} + (1 - z_t) * h~_t",
        # GRU as published by Cho et al. (2014): reset before the matmul (Keras reset_after=False)
        "eq:gru-update-cho": "GRU update gate z_t, Cho et al. (2014)",
        "eq:gru-reset-cho": "GRU reset gate r_t, Cho et al. (2014)",
        "eq:gru-candidate-cho": "GRU candidate with r_t applied to h_{t-1} before U_h (reset_after=False)",
        "eq:gru-hidden-cho": "GRU hidden state h_t = z_t * h_{t-1} + (1 - z_t) * h~_t, Cho et al. eq. (7)",
        # GRU interpolation of Chung et al. (2014)
        "eq:gru-update-chung": "GRU update gate z'_t of Chung et al. (2014), weighting the candidate",
        "eq:gru-hidden-chung": "GRU hidden state h_t = (1 - z'_t) * h_{t-1} + z'_t * h~_t",
        "eq:gru-relabel": "z'_t = 1 - z_t = sigma(-a): negated z weights map one convention onto the other",
        "eq:gru-jacobian": "GRU one-step Jacobian: diag(z_t) direct path plus gated terms",
        # Hybrid model, target and training objective
        "eq:log-return": "daily log return r_t = log P_t - log P_{t-1}",
        "eq:window": "input window of the L most recent returns, standardised with training-span constants",
        "eq:hybrid-lstm": "first layer: LSTM over the window",
        "eq:hybrid-gru": "second layer: GRU over the LSTM hidden sequence after its dropout mask",
        "eq:hybrid-output": "dense head on the (dropout-masked) last GRU state: the standardised return",
        "eq:price-forecast": "inverse-scaled return forecast and price forecast P^_{t+1} = P_t exp(r^_{t+1})",
        "eq:loss": "mean squared error over the training windows",
        "eq:adam": "Adam update with bias-corrected moment estimates",
        # Parameter counts
        "eq:params-lstm": "LSTM parameter count 4(m(n + m) + m)",
        "eq:params-gru": "GRU parameter count 3(m(n + m) + 2m) with reset_after=True",
        "eq:params-gru-reset-before": "GRU parameter count 3(m(n + m) + m) with reset_after=False",
        "eq:params-dense": "dense-layer parameter count k(m + 1)",
        "eq:params-hybrid": "parameter count of the LSTM -> GRU -> Dense model",
        # ARIMA baseline
        "eq:log-price": "log price y_t = log P_t",
        "eq:arima": "ARIMA(p, d, q) model in lag-operator form",
        "eq:arima-forecast": "one-step ARIMA(p, 1, q) forecast of the log price",
        "eq:arima-price": "price forecast from the log-price forecast",
        "eq:aic": "Akaike information criterion for order selection",
    }
)
