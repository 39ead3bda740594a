"""Economic evaluation of return forecasts: trading rules, costs, performance, Sharpe tests.

A forecast that is more accurate need not earn more. This package turns one-step forecast
log returns into the positions of simple trading rules and scores the resulting returns,
net of proportional costs, against buy-and-hold. The functions are pure: they take arrays
(NumPy arrays or pandas Series/DataFrames) and return numbers, frozen result objects or data
frames, and do no IO. They follow the conventions of :mod:`lstmgru.evaluation` (aligned
inputs, ``ValueError`` naming the problem, :class:`~lstmgru.evaluation.DegenerateTestError`
for a test that is undefined for the data). One concept lives in each module:

* ``strategy`` -- :func:`positions` (long/flat and long/short rules), :func:`strategy_returns`
  (gross, cost, net, wealth), :func:`performance` (annualised return, volatility, Sharpe
  ratio, maximum drawdown, turnover), :func:`break_even_cost`;
* ``sharpe`` -- :func:`sharpe_difference_test`, the Ledoit & Wolf (2008) test of equal
  Sharpe ratios (HAC delta method or studentised block bootstrap);
* ``table`` -- :func:`strategy_table`, one row per model and rule against buy-and-hold,
  for one instrument or an equal-weight portfolio across instruments
  (:func:`portfolio_returns`).

Units: returns are fractions (0.01 = 1 %); forecasts and actual returns passed in are daily
log returns, strategy returns coming out are simple returns; costs are in basis points
(1 bp = 0.0001) of the traded notional, per side; annualisation uses ``periods_per_year``
trading days (252 by default); Sharpe ratios use a zero risk-free rate.

References
----------
Ledoit, O. & Wolf, M. (2008). Robust performance hypothesis testing with the Sharpe ratio.
Journal of Empirical Finance 15(5), 850-859.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist.
6(2), 65-70.
"""

from __future__ import annotations

from lstmgru.economics.sharpe import SharpeDifferenceResult, sharpe_difference_test
from lstmgru.economics.strategy import (
    RULES,
    Performance,
    Rule,
    break_even_cost,
    performance,
    positions,
    strategy_returns,
)
from lstmgru.economics.table import BUY_AND_HOLD, portfolio_returns, strategy_table

__all__ = [
    "BUY_AND_HOLD",
    "RULES",
    "Performance",
    "Rule",
    "SharpeDifferenceResult",
    "break_even_cost",
    "performance",
    "portfolio_returns",
    "positions",
    "sharpe_difference_test",
    "strategy_returns",
    "strategy_table",
]
