"""Cumulative wealth of trading strategies built from the forecasts, net of costs, alone or
beside the rolling accuracy of the forecasts (the figure of each instrument)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from lstmgru.names import display_name
from lstmgru.plots.core import (
    ACTUAL_COLOR,
    _new_figure,
    _require_frame,
    draw_relative_mse,
    house_style,
    line_style,
    log_axis,
    relative_mse,
)

__all__ = ["plot_accuracy_and_wealth", "plot_wealth"]

#: Column of buy-and-hold in :func:`lstmgru.comparison.wealth_paths`.
BUY_AND_HOLD = "buy_and_hold"
#: Size of the figure of one instrument (inches): the text width of the thesis, a third of a page.
INSTRUMENT_FIGSIZE = (6.1, 2.1)


def _check_paths(paths: object) -> pd.DataFrame:
    paths = _require_frame("paths", paths, min_rows=2)
    if paths.isna().any().any():
        raise ValueError("paths contains NaN; drop the rows before plotting")
    if (paths <= 0).any().any():
        raise ValueError("wealth must be positive to be drawn on a log scale")
    return paths


def _strategies(paths: pd.DataFrame) -> list[str]:
    return [str(c) for c in paths.columns if c != BUY_AND_HOLD]


def _draw_wealth(
    ax, paths: pd.DataFrame, ylabel: str, styles: Mapping[str, Mapping[str, object]]
) -> None:
    """Wealth lines of ``paths`` on ``ax`` (log axis, reference at 1), buy-and-hold last."""
    # buy-and-hold last, on top: the drift strategy (always long) coincides with it
    order = [c for c in paths.columns if c != BUY_AND_HOLD] + [
        c for c in paths.columns if c == BUY_AND_HOLD
    ]
    for name in order:
        if name == BUY_AND_HOLD:
            # dashed: the drift's strategy, when always long, shows through the gaps
            style = {"color": ACTUAL_COLOR, "linewidth": 1.6, "linestyle": "--"}
            label = "Buy and hold"
        else:
            style, label = dict(styles[str(name)]), display_name(str(name))
        ax.plot(paths.index, paths[name].to_numpy(), label=label, **style)
    log_axis(ax)
    ax.axhline(1.0, color=ACTUAL_COLOR, linewidth=0.6, linestyle=":")
    ax.set_ylabel(ylabel)


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
    paths = _check_paths(paths)
    styles = {name: line_style(k) for k, name in enumerate(_strategies(paths))}
    with house_style():
        fig, (ax,) = _new_figure(figsize=(7.0, 3.2))
        _draw_wealth(ax, paths, ylabel, styles)
        ax.legend(ncols=2)
    return fig


def plot_accuracy_and_wealth(
    errors: pd.DataFrame,
    paths: pd.DataFrame,
    *,
    window: int = 63,
    models: Sequence[str] | None = None,
    benchmark: str = "random_walk",
    ylabel: str = "wealth (start = 1), net of costs",
) -> Figure:
    """The figure of one instrument: rolling accuracy (left) and wealth (right) over the test days.

    Parameters
    ----------
    errors : pandas.DataFrame
        Forecast errors by test day, one column per model including ``benchmark``
        (:func:`plot_relative_mse`).
    paths : pandas.DataFrame
        Wealth (start 1) of buy-and-hold and of each model's strategy by test day
        (:func:`plot_wealth`).
    window : int, default 63
        Rolling window of the left panel, test days (at least 2).
    models : sequence of str, optional
        Models of the left panel, in this order; default every column of ``errors`` but the
        benchmark.
    benchmark : str, default "random_walk"
        Column of ``errors`` the left panel divides by.
    ylabel : str
        Label of the wealth axis.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes without titles sharing the date axis, :data:`INSTRUMENT_FIGSIZE` inches. Left:
        the mean squared error of each of ``models`` over the last ``window`` days relative to
        the benchmark's (:func:`lstmgru.plots.core.relative_mse`), drawn when the test span has
        at least twice ``window`` days (else the panel says so). Right: the wealth of
        :func:`plot_wealth` on a log axis. One legend above both panels (the benchmark's line
        at 1 is named by its axis label): a model has the same colour and dash pattern in both
        (by its place among the strategies of ``paths``, then among ``models``).
    """
    paths = _check_paths(paths)
    if not isinstance(window, int | np.integer) or window < 2:
        raise ValueError(f"window must be an integer of at least 2; got {window!r}")
    drawn = _require_frame("errors", errors).shape[0] >= 2 * int(window)
    relative = (
        relative_mse(errors, benchmark=benchmark, window=int(window), models=models)
        if drawn
        else None
    )
    names = _strategies(paths)
    names += [str(m) for m in (relative.columns if relative is not None else []) if m not in names]
    styles = {name: line_style(k) for k, name in enumerate(names)}
    with house_style():
        fig, (accuracy, wealth) = _new_figure(1, 2, figsize=INSTRUMENT_FIGSIZE, sharex=True)
        if relative is not None:
            draw_relative_mse(accuracy, relative, benchmark=benchmark, window=window, styles=styles)
        else:
            accuracy.text(
                0.5,
                0.5,
                f"fewer than {2 * int(window)} test days:\nno {int(window)}-day window drawn",
                ha="center",
                va="center",
                transform=accuracy.transAxes,
            )
            accuracy.set_yticks([])
        _draw_wealth(wealth, paths, ylabel, styles)
        locator = AutoDateLocator(minticks=3, maxticks=6)
        wealth.xaxis.set_major_locator(locator)
        wealth.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        drawn_handles: dict[str, object] = {}
        for ax in (accuracy, wealth):
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                drawn_handles.setdefault(label, handle)
        # the models in the order of their styles, then buy-and-hold; the benchmark's line at
        # 1 is named by the axis label
        order = [*(display_name(n) for n in names), "Buy and hold"]
        handles = {label: drawn_handles[label] for label in order if label in drawn_handles}
        fig.legend(
            list(handles.values()),
            list(handles),
            loc="outside upper center",
            # rows of at most six entries, as even as they can be: 6 -> 6, 9 -> 5 + 4, 12 -> 6 + 6
            ncols=math.ceil(len(handles) / math.ceil(len(handles) / 6)),
        )
    return fig
