"""Trading rules on one-step return forecasts: positions, net strategy returns, performance.

Timing. The forecast :math:`\\hat r_t` of day :math:`t`'s log return is made after the close
of day :math:`t-1`, with information up to that close. The position it implies is taken at
that close and held over day :math:`t`, so it earns day :math:`t`'s simple return
:math:`R_t = e^{r_t} - 1`. :func:`positions` reads only the forecasts; day :math:`t`'s price
or return never sets day :math:`t`'s position (no look-ahead).

Costs. A trade costs ``cost_bps`` basis points of the traded notional, per side:
:math:`c \\, |w_t - w_{t-1}|` with :math:`c` = ``cost_bps`` / 10,000, as a fraction of the
wealth at the close of day :math:`t-1`. Before the first day the strategy holds nothing
(:math:`w_0 = 0`), so entering the first position costs; the position held after the last
day is not closed, so no exit cost is charged. Buy-and-hold (position 1 every day) thus pays
one entry cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from lstmgru.evaluation._common import PRICE_RTOL, _as_1d, _check_aligned

__all__ = [
    "RULES",
    "Performance",
    "Rule",
    "break_even_cost",
    "performance",
    "positions",
    "strategy_returns",
]

Rule = Literal["long_flat", "long_short"]
#: The trading rules of :func:`positions`.
RULES: tuple[str, ...] = ("long_flat", "long_short")
#: Columns of the frame :func:`strategy_returns` returns.
COLUMNS: tuple[str, ...] = ("position", "turnover", "gross", "cost", "net", "wealth")


def _index_of(*values: object) -> pd.Index | None:
    for value in values:
        if isinstance(value, pd.Series | pd.DataFrame):
            return value.index
    return None


def _check_cost(cost_bps: object) -> float:
    try:
        cost = float(cost_bps)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cost_bps must be a number (basis points); got {cost_bps!r}") from exc
    if not math.isfinite(cost) or cost < 0.0:
        raise ValueError(
            f"cost_bps must be a finite number >= 0 (basis points per side); got {cost_bps!r}"
        )
    return cost


def _check_periods(periods_per_year: object) -> float:
    if (
        isinstance(periods_per_year, bool)
        or not isinstance(periods_per_year, int | float | np.integer | np.floating)
        or not math.isfinite(periods_per_year)
        or periods_per_year <= 0
    ):
        raise ValueError(
            f"periods_per_year must be a positive number (e.g. 252 trading days); got "
            f"{periods_per_year!r}"
        )
    return float(periods_per_year)


def positions(forecast_return: object, rule: Rule = "long_flat") -> np.ndarray | pd.Series:
    """Position held over each day from that day's one-step return forecast.

    Parameters
    ----------
    forecast_return : array-like of float, shape (n,), or pandas.Series
        Forecast log return :math:`\\hat r_t` of each day (dimensionless), made with
        information up to the close of the day before.
    rule : {"long_flat", "long_short"}, default "long_flat"
        ``"long_flat"``: 1 (long) when :math:`\\hat r_t > 0`, else 0 (flat, in cash at a zero
        rate). ``"long_short"``: +1 when :math:`\\hat r_t > 0`, -1 (short) when
        :math:`\\hat r_t < 0`, 0 when the forecast is zero. A forecast with
        :math:`|\\hat r_t| \\le` :data:`~lstmgru.evaluation.PRICE_RTOL` counts as zero (a move
        that small is rounding, not a call).

    Returns
    -------
    numpy.ndarray or pandas.Series
        Positions in units of wealth (1 = fully long), float; a Series keeps its index and is
        named ``"position"``.

    Raises
    ------
    ValueError
        Unknown ``rule``; empty, non-numeric, NaN or infinite forecasts.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {list(RULES)}; got {rule!r}")
    forecast = _as_1d("forecast_return", forecast_return)
    up = forecast > PRICE_RTOL
    if rule == "long_flat":
        held = up.astype(np.float64)
    else:
        held = up.astype(np.float64) - (forecast < -PRICE_RTOL).astype(np.float64)
    if isinstance(forecast_return, pd.Series):
        return pd.Series(held, index=forecast_return.index, name="position")
    return held


def strategy_returns(
    positions: object, asset_return: object, cost_bps: float = 10.0
) -> pd.DataFrame:
    """Daily simple returns of a position series, before and after proportional costs.

    With positions :math:`w_t` (held over day :math:`t`), asset log returns :math:`r_t` and
    :math:`c` = ``cost_bps`` / 10,000,

    .. math::

        R_t = e^{r_t} - 1, \\quad \\tau_t = |w_t - w_{t-1}| \\ (w_0 = 0), \\quad
        g_t = w_t R_t, \\quad n_t = g_t - c\\,\\tau_t, \\quad W_t = \\prod_{s \\le t} (1 + n_s).

    Entering the first position costs (the strategy starts in cash); the last position is
    not closed. The positions are taken as given: the function does not look at
    ``asset_return`` to set them, so day :math:`t`'s return never moves day :math:`t`'s
    position (see :func:`positions` for the timing).

    Parameters
    ----------
    positions : array-like of float, shape (n,), or pandas.Series
        Position held over each day, in units of wealth (1 = long, -1 = short, 0 = flat);
        e.g. :func:`positions`, or ones for buy-and-hold.
    asset_return : array-like of float, shape (n,), or pandas.Series
        The asset's log return of each day (dimensionless), the close of day :math:`t-1` to
        the close of day :math:`t`.
    cost_bps : float, default 10.0
        One-way cost in basis points of the traded notional (1 bp = 0.01 %); a switch from
        long to short trades twice the notional and pays twice.

    Returns
    -------
    pandas.DataFrame
        One row per day (the Series' index if one is given, else 0..n-1) with columns
        ``position`` (:math:`w_t`), ``turnover`` (:math:`\\tau_t`, units of wealth),
        ``gross`` (:math:`g_t`), ``cost`` (:math:`c\\,\\tau_t`), ``net`` (:math:`n_t`), all
        simple returns as fractions of wealth, and ``wealth`` (:math:`W_t`, the value of 1
        invested at the start).

    Raises
    ------
    ValueError
        Different lengths or DatetimeIndexes, empty, NaN or infinite values, ``cost_bps``
        negative or not finite.
    """
    cost = _check_cost(cost_bps)
    _check_aligned({"positions": positions, "asset_return": asset_return})
    held = _as_1d("positions", positions)
    simple = np.expm1(_as_1d("asset_return", asset_return))
    turnover = np.abs(np.diff(held, prepend=0.0))
    gross = held * simple
    charged = cost / 1e4 * turnover
    net = gross - charged
    frame = pd.DataFrame(
        {
            "position": held,
            "turnover": turnover,
            "gross": gross,
            "cost": charged,
            "net": net,
            "wealth": np.cumprod(1.0 + net),
        },
        index=_index_of(asset_return, positions),
    )
    return frame


@dataclass(frozen=True)
class Performance:
    """Result of :func:`performance`.

    Attributes
    ----------
    annual_return : float
        Geometric annualised return, :math:`W_n^{P/n} - 1` (fraction per year).
    annual_volatility : float
        Standard deviation of the daily returns (divisor n) times :math:`\\sqrt{P}` (fraction
        per square-root year).
    sharpe : float
        Annualised Sharpe ratio at a zero risk-free rate: mean over standard deviation of the
        daily returns (divisor n) times :math:`\\sqrt{P}`; NaN when the returns are constant.
    max_drawdown : float
        Largest fall of wealth from its running peak (the start, 1, included), as a positive
        fraction of the peak; 0 when wealth never falls.
    turnover_per_year : float
        Mean daily turnover times :math:`P` (units of wealth traded per year); NaN when no
        turnover is given.
    total_return : float
        :math:`W_n - 1`, the compounded return over all days (fraction).
    n_days : int
        Number of days.
    """

    annual_return: float
    annual_volatility: float
    sharpe: float
    max_drawdown: float
    turnover_per_year: float
    total_return: float
    n_days: int


def performance(
    returns: object, periods_per_year: float = 252, *, turnover: object = None
) -> Performance:
    """Annualised return, volatility, Sharpe ratio, drawdown and turnover of daily returns.

    With simple daily returns :math:`n_t`, :math:`t = 1..N`, wealth
    :math:`W_t = \\prod_{s \\le t}(1 + n_s)`, :math:`P` = ``periods_per_year``, and mean and
    standard deviation :math:`\\bar n`, :math:`s` (divisor :math:`N`, as in
    :func:`sharpe_difference_test`): annual return :math:`W_N^{P/N} - 1`, volatility
    :math:`s\\sqrt P`, Sharpe ratio :math:`\\sqrt P\\,\\bar n / s` (zero risk-free rate: the
    returns are not in excess of cash), maximum drawdown
    :math:`\\max_t (1 - W_t / \\max(1, \\max_{s \\le t} W_s))`.

    Parameters
    ----------
    returns : array-like of float, shape (n,), pandas.Series or pandas.DataFrame
        Simple (not log) daily returns net of costs (fractions). A frame of
        :func:`strategy_returns` is read as its ``net`` column, with its ``turnover``.
    periods_per_year : float, default 252
        Trading days per year (days per year).
    turnover : array-like of float, shape (n,), optional
        Daily turnover (units of wealth); for ``turnover_per_year``.

    Returns
    -------
    Performance

    Raises
    ------
    ValueError
        Empty, NaN or infinite values, different lengths, a return of -100 % or less (wealth
        would be gone; are the returns in percent?), bad ``periods_per_year``.
    """
    ppy = _check_periods(periods_per_year)
    if isinstance(returns, pd.DataFrame) and "net" in returns.columns:
        if turnover is None and "turnover" in returns.columns:
            turnover = returns["turnover"]
        returns = returns["net"]
    net = _as_1d("returns", returns)
    if np.any(net <= -1.0):
        day = int(np.flatnonzero(net <= -1.0)[0])
        raise ValueError(
            f"returns has a return of {net[day]:g} at position {day}: -100 % or less wipes out "
            "wealth; returns must be simple returns as fractions (0.01 = 1 %)"
        )
    n = net.size
    if turnover is None:
        turnover_per_year = math.nan
    else:
        _check_aligned({"returns": returns, "turnover": turnover})
        turnover_per_year = float(np.mean(_as_1d("turnover", turnover))) * ppy
    wealth = np.cumprod(1.0 + net)
    peak = np.maximum.accumulate(np.maximum(wealth, 1.0))
    sd = float(np.std(net))
    constant = np.ptp(net) <= PRICE_RTOL
    return Performance(
        annual_return=float(wealth[-1] ** (ppy / n) - 1.0),
        annual_volatility=0.0 if constant else sd * math.sqrt(ppy),
        sharpe=math.nan if constant else float(np.mean(net)) / sd * math.sqrt(ppy),
        max_drawdown=float(np.max(1.0 - wealth / peak)),
        turnover_per_year=turnover_per_year,
        total_return=float(wealth[-1] - 1.0),
        n_days=n,
    )


def _break_even_bps(gross: float, turnover: float, gross_b: float, turnover_b: float) -> float:
    """Cost (bp per side) equating summed net returns; NaN or +-inf when turnovers are equal."""
    extra_gross = gross - gross_b
    extra_turnover = turnover - turnover_b
    if abs(extra_turnover) <= 1e-12 * max(1.0, abs(turnover), abs(turnover_b)):
        if abs(extra_gross) <= PRICE_RTOL:
            return math.nan
        return math.copysign(math.inf, extra_gross)
    return 1e4 * extra_gross / extra_turnover


def break_even_cost(positions: object, asset_return: object, benchmark: object = None) -> float:
    """One-way cost (basis points) at which a strategy earns what the benchmark earns.

    Net returns are linear in the cost: :math:`\\sum_t n_t = G - c\\,T` with the summed
    gross return :math:`G = \\sum_t g_t` and turnover :math:`T = \\sum_t \\tau_t` (see
    :func:`strategy_returns`). Equating the strategy's sum to the benchmark's gives

    .. math::

        c^* = \\frac{G - G_B}{T - T_B}, \\qquad \\text{in bp: } 10^4 c^*,

    the gross excess return over the extra turnover. At :math:`c^*` the strategy's
    arithmetic total net return :math:`\\sum_t n_t` (equivalently its arithmetic annualised
    return, :math:`P` times the mean) equals the benchmark's; compounded returns agree to
    second order in the daily returns. With more turnover than the benchmark (the usual
    case) the strategy is ahead at any cost below :math:`c^*`; a negative :math:`c^*` means
    it is behind even at zero cost.

    Parameters
    ----------
    positions : array-like of float, shape (n,), or pandas.Series
        The strategy's position over each day (units of wealth), e.g. :func:`positions`.
    asset_return : array-like of float, shape (n,), or pandas.Series
        The asset's daily log returns (dimensionless).
    benchmark : array-like of float, shape (n,), optional
        The benchmark's positions; default buy-and-hold (1 every day, one entry trade).

    Returns
    -------
    float
        :math:`10^4 c^*` (basis points per side). When both turnovers are equal the cost
        cancels: ``NaN`` if the gross returns are equal too (the same at every cost), else
        ``+inf`` (strategy ahead at every cost) or ``-inf`` (behind at every cost).

    Raises
    ------
    ValueError
        Bad input, as for :func:`strategy_returns`.
    """
    strategy = strategy_returns(positions, asset_return, cost_bps=0.0)
    if benchmark is None:
        benchmark = np.ones(len(strategy))
    reference = strategy_returns(benchmark, asset_return, cost_bps=0.0)
    return _break_even_bps(
        float(strategy["gross"].sum()),
        float(strategy["turnover"].sum()),
        float(reference["gross"].sum()),
        float(reference["turnover"].sum()),
    )
