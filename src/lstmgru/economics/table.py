"""The strategy table: trading performance of each model's forecasts against buy-and-hold."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lstmgru.economics.sharpe import sharpe_difference_test
from lstmgru.economics.strategy import (
    COLUMNS,
    RULES,
    _break_even_bps,
    _check_cost,
    _check_periods,
    performance,
    positions,
    strategy_returns,
)
from lstmgru.evaluation._common import DegenerateTestError, _as_1d, _check_aligned
from lstmgru.evaluation.multiplicity import holm

__all__ = ["BUY_AND_HOLD", "portfolio_returns", "strategy_table"]

#: Model name of the buy-and-hold row of :func:`strategy_table`.
BUY_AND_HOLD = "buy_and_hold"


def _as_panel(actual: object, forecasts: Mapping[str, object]) -> tuple[pd.DataFrame, dict]:
    """Actual returns and forecasts as (days x instruments) frames on the common days."""
    if not isinstance(forecasts, Mapping) or not forecasts:
        raise ValueError(
            "forecasts must be a non-empty dict of model name -> forecast log returns; got "
            f"{type(forecasts).__name__}"
        )
    if BUY_AND_HOLD in forecasts:
        raise ValueError(f"{BUY_AND_HOLD!r} is the name of the benchmark row; rename the model")
    if not isinstance(actual, pd.DataFrame):
        _check_aligned({"actual": actual, **{f"forecasts[{k!r}]": v for k, v in forecasts.items()}})
        index = actual.index if isinstance(actual, pd.Series) else None
        frame = pd.DataFrame({"asset": _as_1d("actual", actual)}, index=index)
        models = {
            str(k): pd.DataFrame({"asset": _as_1d(f"forecasts[{k!r}]", v)}, index=frame.index)
            for k, v in forecasts.items()
        }
        return frame, models
    models = {}
    for name, forecast in forecasts.items():
        if not isinstance(forecast, pd.DataFrame):
            raise ValueError(
                f"actual is a DataFrame (one column per instrument), so forecasts[{name!r}] "
                f"must be one too; got {type(forecast).__name__}"
            )
        if not (forecast.index.equals(actual.index) and forecast.columns.equals(actual.columns)):
            raise ValueError(
                f"forecasts[{name!r}] must have the index and columns of actual; align it, "
                "e.g. with forecast.reindex(index=actual.index, columns=actual.columns)"
            )
        models[str(name)] = forecast
    try:
        stacked = [f.to_numpy(dtype=np.float64) for f in (actual, *models.values())]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"actual and forecasts must be numeric: {exc}") from exc
    if any(np.isinf(values).any() for values in stacked):
        raise ValueError("actual or forecasts contain infinite values; NaN marks a missing day")
    common = ~np.any([np.isnan(values).any(axis=1) for values in stacked], axis=0)
    if common.sum() < 2:
        raise ValueError(
            f"actual and forecasts have {int(common.sum())} day(s) on which every instrument "
            "and model has a value; need at least 2 common days"
        )
    return actual.loc[common], {k: f.loc[common] for k, f in models.items()}


def portfolio_returns(
    held: pd.DataFrame, actual: pd.DataFrame, cost_bps: float = 10.0
) -> pd.DataFrame:
    """Equal-weight portfolio of per-instrument strategies (daily rebalanced to 1/N).

    Each instrument's strategy is :func:`strategy_returns` of its column; the portfolio's
    position, turnover, gross, cost and net returns are the means over the :math:`N`
    instruments (each holds a weight of 1/N of wealth every day), and its wealth compounds
    the mean net return. The trades that reset the weights to 1/N are not charged.

    Parameters
    ----------
    held : pandas.DataFrame, shape (n, N)
        Positions (units of the instrument's weight), one column per instrument.
    actual : pandas.DataFrame, shape (n, N)
        Daily log returns (dimensionless), same index and columns, no missing values.
    cost_bps : float, default 10.0
        One-way cost in basis points of the traded notional.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`strategy_returns`, one row per day.

    Raises
    ------
    ValueError
        Frames with different shapes, index or columns; NaN; bad ``cost_bps``.
    """
    if not (held.index.equals(actual.index) and held.columns.equals(actual.columns)):
        raise ValueError("held and actual must have the same index and columns")
    parts = [strategy_returns(held[c], actual[c], cost_bps) for c in actual.columns]
    mean = sum(p[["position", "turnover", "gross", "cost", "net"]] for p in parts) / len(parts)
    mean["wealth"] = np.cumprod(1.0 + mean["net"].to_numpy())
    return mean[list(COLUMNS)]


def _row(model: str, rule: str, role: str, frame: pd.DataFrame, ppy: float) -> dict:
    return {"model": model, "rule": rule, "role": role} | dataclasses.asdict(
        performance(frame, ppy)
    )


def strategy_table(
    actual: object,
    forecasts: Mapping[str, object],
    *,
    rules: Sequence[str] = RULES,
    cost_bps: float = 10.0,
    benchmarks: Sequence[str] = ("drift", "random_walk"),
    periods_per_year: float = 252,
    lags: int | None = None,
) -> pd.DataFrame:
    """Trading performance of each model's forecasts, against buy-and-hold, one row per rule.

    Every model's forecasts are turned into positions by each rule (:func:`positions`),
    net returns after ``cost_bps`` (:func:`strategy_returns`) and performance numbers
    (:func:`performance`). The first row is buy-and-hold (position 1 every day, one entry
    cost); every other row is compared with it: break-even cost (:func:`break_even_cost`)
    and the Ledoit-Wolf HAC test of equal Sharpe ratios of the net returns
    (:func:`sharpe_difference_test`, two-sided). The Holm (1979) adjustment runs over the
    rows of the models that are not ``benchmarks`` (all their rules, one family); benchmark
    rows (e.g. the drift model, whose constant forecast is a buy-and-hold or a never-trade
    rule) keep their raw p-value and a NaN adjusted one. A test that is undefined (a rule
    that never holds a position has constant returns) gives NaN.

    Pooled across instruments: with ``actual`` and every forecast a DataFrame (one column
    per instrument), the table scores the equal-weight portfolio of the per-instrument
    strategies (:func:`portfolio_returns`) on the common days, the days on which every
    instrument and every model has a value (other rows are dropped before any position is
    formed, so the first common day pays the entry cost).

    Parameters
    ----------
    actual : array-like of float, shape (n,), pandas.Series, or pandas.DataFrame (n, N)
        Realised daily log returns (dimensionless).
    forecasts : dict of str to array-like or pandas.DataFrame
        One-step forecast log returns of each model for the same days (and instruments).
    rules : sequence of {"long_flat", "long_short"}, default both
        Trading rules.
    cost_bps : float, default 10.0
        One-way cost in basis points of the traded notional.
    benchmarks : sequence of str, default ("drift", "random_walk")
        Models that are benchmarks, not hypotheses: outside the Holm family.
    periods_per_year : float, default 252
        Trading days per year.
    lags : int, optional
        Newey-West lag of the Sharpe test (days); default the rule of
        :func:`~lstmgru.evaluation.newey_west_lags`.

    Returns
    -------
    pandas.DataFrame
        Index ``(model, rule)``; columns ``role`` (``"benchmark"`` or ``"model"``), the
        fields of :class:`Performance` (annualised, fractions), ``break_even_bps`` (bp per
        side), ``sharpe_difference`` (annualised Sharpe ratio minus buy-and-hold's),
        ``statistic``, ``pvalue`` and ``pvalue_holm``.

    Raises
    ------
    ValueError
        Empty or mis-typed ``forecasts``, a model named ``"buy_and_hold"``, unknown rules,
        different lengths, indexes or columns, NaN in single-instrument input, fewer than
        two common days, bad ``cost_bps`` or ``periods_per_year``.
    """
    cost = _check_cost(cost_bps)
    ppy = _check_periods(periods_per_year)
    unknown = [r for r in rules if r not in RULES]
    if unknown or not rules:
        raise ValueError(f"rules must be a non-empty subset of {list(RULES)}; got {rules!r}")
    panel, models = _as_panel(actual, forecasts)
    always_long = pd.DataFrame(1.0, index=panel.index, columns=panel.columns)
    hold = portfolio_returns(always_long, panel, cost)
    rows = [_row(BUY_AND_HOLD, "always_long", "benchmark", hold, ppy)]
    rows[0] |= {"break_even_bps": math.nan, "sharpe_difference": math.nan}
    rows[0] |= {"statistic": math.nan, "pvalue": math.nan}
    for name, forecast in models.items():
        role = "benchmark" if name in benchmarks else "model"
        for rule in rules:
            held = forecast.apply(lambda column, rule=rule: positions(column, rule))
            frame = portfolio_returns(held, panel, cost)
            row = _row(name, rule, role, frame, ppy)
            row["break_even_bps"] = _break_even_bps(
                float(frame["gross"].sum()),
                float(frame["turnover"].sum()),
                float(hold["gross"].sum()),
                float(hold["turnover"].sum()),
            )
            row["sharpe_difference"] = row["sharpe"] - rows[0]["sharpe"]
            try:
                test = sharpe_difference_test(frame["net"], hold["net"], lags=lags)
                row["statistic"], row["pvalue"] = test.statistic, test.pvalue
            except DegenerateTestError:
                row["statistic"], row["pvalue"] = math.nan, math.nan
            rows.append(row)
    table = pd.DataFrame(rows).set_index(["model", "rule"])
    family = table["role"] == "model"
    table["pvalue_holm"] = math.nan
    if family.any():
        table.loc[family, "pvalue_holm"] = holm(table.loc[family, "pvalue"].to_numpy())
    return table
