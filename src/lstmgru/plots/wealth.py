"""Cumulative wealth of trading strategies built from the forecasts, net of costs."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from lstmgru.names import display_name
from lstmgru.plots.core import (
    ACTUAL_COLOR,
    _new_figure,
    _require_frame,
    house_style,
    line_style,
    log_axis,
)

__all__ = ["plot_wealth"]

#: Column of buy-and-hold in :func:`lstmgru.comparison.wealth_paths`.
BUY_AND_HOLD = "buy_and_hold"


def plot_wealth(paths: pd.DataFrame, *, ylabel: str = "wealth (start = 1), net of costs") -> Figure:
    """Cumulative wealth of buy-and-hold and of each strategy, on a log scale.

    Parameters
    ----------
    paths : pandas.DataFrame
        Wealth (start 1, dimensionless) by date, one column per strategy; ``buy_and_hold``,
        when present, is drawn dashed in the colour of observed data, every other strategy with
        its own colour and dash pattern (:func:`lstmgru.plots.line_style`)
        (:func:`lstmgru.comparison.wealth_paths`).
    ylabel : str
        Label of the wealth axis.

    Returns
    -------
    matplotlib.figure.Figure
        One axes without title, logarithmic wealth axis (equal distances are equal percentage
        changes), a reference line at 1.
    """
    paths = _require_frame("paths", paths, min_rows=2)
    if paths.isna().any().any():
        raise ValueError("paths contains NaN; drop the rows before plotting")
    if (paths <= 0).any().any():
        raise ValueError("wealth must be positive to be drawn on a log scale")
    with house_style():
        fig, (ax,) = _new_figure(figsize=(7.0, 3.2))
        # buy-and-hold last, on top: the drift strategy (always long) coincides with it
        order = [c for c in paths.columns if c != BUY_AND_HOLD] + [
            c for c in paths.columns if c == BUY_AND_HOLD
        ]
        strategies = [c for c in order if c != BUY_AND_HOLD]
        for name in order:
            style = (
                # dashed: the drift's strategy, when always long, shows through the gaps
                {"color": ACTUAL_COLOR, "linewidth": 1.6, "linestyle": "--"}
                if name == BUY_AND_HOLD
                else line_style(strategies.index(name))
            )
            label = "Buy and hold" if name == BUY_AND_HOLD else display_name(str(name))
            ax.plot(paths.index, paths[name].to_numpy(), label=label, **style)
        log_axis(ax)
        ax.axhline(1.0, color=ACTUAL_COLOR, linewidth=0.6, linestyle=":")
        ax.set_ylabel(ylabel)
        ax.legend(ncols=2)
    return fig
