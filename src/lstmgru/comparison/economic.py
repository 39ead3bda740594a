"""What the forecasts are worth in money: trading strategies per instrument and pooled.

Each model's one-step forecast log return :math:`\\hat r_t = \\log(\\hat P_t / P_{t-1})`, made
from closes up to day :math:`t-1`, sets the position held over day :math:`t`
(:func:`lstmgru.economics.positions`: long/flat or long/short on its sign), which earns day
:math:`t`'s return net of proportional costs charged on every change of position
(:func:`lstmgru.economics.strategy_returns`). The strategies are scored over exactly the test
days and folds of the statistical evaluation, against buy-and-hold, with the Ledoit-Wolf test of
equal Sharpe ratios Holm-adjusted over the models (:func:`lstmgru.economics.strategy_table`).
Pooled across instruments, the portfolio holds each instrument's strategy with equal weight on
the days every instrument was tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from lstmgru import economics
from lstmgru.comparison.evidence import instrument_returns
from lstmgru.runs import StoredResult

__all__ = [
    "COST_BPS",
    "NO_STRATEGY",
    "pooled_strategy_table",
    "strategy_metric_table",
    "strategy_tables",
    "wealth_paths",
]

#: Default one-way transaction cost, basis points of the traded notional.
COST_BPS = 10.0

#: The random walk forecasts a zero return every day: under either rule it never trades, so it
#: has no strategy of its own (its row would be cash); it is left out of the strategy tables.
NO_STRATEGY = ("random_walk",)


def _tradable(forecasts: dict[str, pd.Series]) -> dict[str, pd.Series]:
    return {m: f for m, f in forecasts.items() if m not in NO_STRATEGY}


def strategy_tables(
    results: Mapping[str, StoredResult],
    *,
    cost_bps: float = COST_BPS,
    rules: Sequence[str] = economics.RULES,
) -> pd.DataFrame:
    """:func:`lstmgru.economics.strategy_table` of every instrument, as one long frame.

    Returns
    -------
    pandas.DataFrame
        Index (``ticker``, ``model``, ``rule``); the columns of
        :func:`~lstmgru.economics.strategy_table` (annualised return, volatility and Sharpe
        ratio, maximum drawdown, turnover, break-even cost in basis points per side, Sharpe
        difference against buy-and-hold with its p-value, raw and Holm-adjusted over the
        models of that instrument). The random walk is left out (:data:`NO_STRATEGY`).
    """
    if not results:
        raise ValueError("no finished tickers to evaluate; run the experiment first")
    pieces = []
    for ticker, result in results.items():
        actual, forecasts = instrument_returns(result)
        table = economics.strategy_table(
            actual, _tradable(forecasts), rules=rules, cost_bps=cost_bps
        )
        pieces.append(pd.concat({ticker: table}, names=["ticker"]))
    return pd.concat(pieces)


def strategy_metric_table(
    tables: pd.DataFrame, column: str, *, rule: str = "long_flat"
) -> pd.DataFrame:
    """One column of :func:`strategy_tables` for one rule as a strategies × instruments table.

    Buy-and-hold comes first (its one rule, ``always_long``), then every model's strategy under
    ``rule``, in table order; NaN where a value is undefined (e.g. the test of buy-and-hold
    against itself).
    """
    if column not in tables.columns:
        raise ValueError(f"no column {column!r}; strategy tables have {list(tables.columns)}")
    rules = tables.index.get_level_values("rule")
    if rule not in set(rules):
        raise ValueError(f"no rule {rule!r}; strategy tables have {sorted(set(rules))}")
    keep = (rules == rule) | (tables.index.get_level_values("model") == economics.BUY_AND_HOLD)
    long = tables.loc[keep, column].droplevel("rule")
    table = long.unstack("ticker")
    order = list(dict.fromkeys(long.index.get_level_values("model")))
    tickers = list(dict.fromkeys(long.index.get_level_values("ticker")))
    table = table.reindex(index=order, columns=tickers)
    table.columns.name = None
    return table


def _panel(
    results: Mapping[str, StoredResult],
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Realised and forecast log returns of every instrument on the days all were tested."""
    if not results:
        raise ValueError("no finished tickers to evaluate; run the experiment first")
    returns = {}
    for ticker, result in results.items():
        actual, forecasts = instrument_returns(result)
        returns[ticker] = (actual, _tradable(forecasts))
    common = set.intersection(*(set(f) for _, f in returns.values()))
    models = [m for m in next(iter(returns.values()))[1] if m in common]
    actual = pd.DataFrame({t: a for t, (a, _) in returns.items()})
    forecasts = {m: pd.DataFrame({t: f[m] for t, (_, f) in returns.items()}) for m in models}
    days = actual.dropna().index
    for frame in forecasts.values():
        days = days.intersection(frame.dropna().index)
    if len(days) < 2:
        raise ValueError(
            "the instruments share fewer than two test days; a pooled portfolio needs common "
            "days (use tickers with the same test span)"
        )
    return actual.loc[days], {m: f.loc[days] for m, f in forecasts.items()}


def pooled_strategy_table(
    results: Mapping[str, StoredResult],
    *,
    cost_bps: float = COST_BPS,
    rules: Sequence[str] = economics.RULES,
) -> pd.DataFrame:
    """The equal-weight portfolio of every instrument's strategy, on the days all were tested.

    Models missing on some instrument are left out (the portfolio needs every instrument), and
    so is the random walk (:data:`NO_STRATEGY`). Returns the frame of
    :func:`lstmgru.economics.strategy_table` with ``attrs["days"]`` and
    ``attrs["instruments"]``.
    """
    actual, forecasts = _panel(results)
    table = economics.strategy_table(actual, forecasts, rules=rules, cost_bps=cost_bps)
    table.attrs["days"] = len(actual)
    table.attrs["instruments"] = actual.shape[1]
    return table


def wealth_paths(
    results: StoredResult | Mapping[str, StoredResult],
    *,
    models: Sequence[str] | None = None,
    rule: str = "long_flat",
    cost_bps: float = COST_BPS,
) -> pd.DataFrame:
    """Cumulative wealth (start 1) of buy-and-hold and of each model's strategy, net of costs.

    Parameters
    ----------
    results : StoredResult or mapping of str to StoredResult
        One instrument, or several: then the equal-weight portfolio of the instruments'
        strategies (:func:`lstmgru.economics.portfolio_returns`) on the days all were tested.
    models : sequence of str, optional
        Models to include; default every model but the random walk (:data:`NO_STRATEGY`).
    rule : {"long_flat", "long_short"}
    cost_bps : float
        One-way cost, basis points.

    Returns
    -------
    pandas.DataFrame
        Index: the test days; one column per strategy (``buy_and_hold`` first).
    """
    if isinstance(results, StoredResult):
        actual, forecasts = instrument_returns(results)
        actual = actual.to_frame("instrument")
        forecasts = {m: f.to_frame("instrument") for m, f in _tradable(forecasts).items()}
    else:
        actual, forecasts = _panel(results)
    chosen = list(forecasts) if models is None else list(models)
    unknown = [m for m in chosen if m not in forecasts]
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}; these results have {list(forecasts)}")
    held = pd.DataFrame(1.0, index=actual.index, columns=actual.columns)
    paths = {economics.BUY_AND_HOLD: economics.portfolio_returns(held, actual, cost_bps)["wealth"]}
    for model in chosen:
        position = forecasts[model].apply(lambda column: economics.positions(column, rule))
        paths[model] = economics.portfolio_returns(position, actual, cost_bps)["wealth"]
    return pd.DataFrame(paths, index=actual.index)
