"""The figures of the data and theory chapters and of training (see :mod:`lstmgru.plots`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lstmgru.plots.core import (
    ACTUAL_COLOR,
    PALETTE,
    _new_figure,
    _require_frame,
    _require_series,
    house_style,
    line_style,
    log_axis,
)

__all__ = ["plot_gradient_norms", "plot_price_and_returns", "plot_training_history"]


# ---------------------------------------------------------------------------------------------
# data and training
# ---------------------------------------------------------------------------------------------


def plot_price_and_returns(close: pd.Series) -> Figure:
    r"""Closing price (logarithmic axis) and daily log return, for the data chapter.

    Parameters
    ----------
    close : pandas.Series
        Daily (adjusted) closing prices, strictly positive, indexed by date.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes without title sharing the x axis: the price on a logarithmic axis (equal
        distances are equal percentage changes; one line) and the log return
        :math:`\log(P_t / P_{t-1})` (one line).
    """
    close = _require_series("close", close, min_length=2)
    if close.isna().any():
        raise ValueError("close contains NaN; drop or fill them before plotting")
    if (close <= 0).any():
        raise ValueError("close has non-positive prices; log returns need positive prices")
    returns = np.log(close.astype(np.float64)).diff().iloc[1:]
    with house_style():
        fig, (price, ret) = _new_figure(2, 1, figsize=(7.0, 4.5), sharex=True)
        price.plot(close.index, close.to_numpy(), color=ACTUAL_COLOR, linestyle="-")
        log_axis(price)
        price.set_ylabel("close (currency units,\nlog scale)")
        ret.plot(returns.index, returns.to_numpy(), color=PALETTE[0], linestyle="-", linewidth=0.6)
        ret.set_ylabel("daily log return")
    return fig


def plot_gradient_norms(
    profiles: pd.DataFrame, *, dashed: Sequence[str] = (), colors: Mapping[str, str] | None = None
) -> Figure:
    r"""Gradient norm :math:`\lVert \partial h_T / \partial s_t \rVert_2` against distance.

    Parameters
    ----------
    profiles : pandas.DataFrame
        Index: distance :math:`T - t` in time steps; one column of norms per cell setting.
    dashed : sequence of str
        Columns drawn dashed (e.g. the non-default gate biases).
    colors : mapping of str to str, optional
        Colour per column; default the house palette in column order.

    Returns
    -------
    matplotlib.figure.Figure
        One logarithmic axis, one line per column.
    """
    profiles = _require_frame("profiles", profiles, min_rows=2)
    if (profiles.to_numpy() <= 0).any():
        raise ValueError("gradient norms must be positive to be drawn on a log scale")
    with house_style():
        fig, (ax,) = _new_figure(figsize=(6.4, 3.8))
        for i, column in enumerate(profiles.columns):
            color = (colors or {}).get(column, PALETTE[i % len(PALETTE)])
            style = "--" if column in dashed else "-"
            ax.semilogy(profiles.index, profiles[column], style, color=color, label=column)
        ax.set_xlabel("distance $T - t$ (time steps)")
        ax.set_ylabel(r"$\Vert \partial h_T / \partial s_t \Vert_2$")
        ax.legend(frameon=False, fontsize="small")
    return fig


def plot_training_history(history: Mapping[str, list[float]] | pd.DataFrame) -> Figure:
    """Training and validation loss per epoch.

    Parameters
    ----------
    history : dict of str to list of float, or pandas.DataFrame
        Keras ``History.history`` or a frame with a ``loss`` column and optionally
        ``val_loss``, one entry per epoch (loss units of the model).

    Returns
    -------
    matplotlib.figure.Figure
        One axes without title, with a line for ``loss``, one for ``val_loss`` when present,
        and a dotted vertical line at the epoch of the lowest validation loss (the one early
        stopping restores), named in the legend.
    """
    if isinstance(history, Mapping):
        lengths = {k: len(v) for k, v in history.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"history lists differ in length: {lengths}")
        history = pd.DataFrame(dict(history))
    frame = _require_frame("history", history)
    if "loss" not in frame.columns:
        raise ValueError(f"history needs a 'loss' column; has {list(frame.columns)}")
    epochs = np.arange(1, len(frame) + 1)
    with house_style():
        fig, (ax,) = _new_figure(figsize=(5.0, 3.2))
        ax.plot(epochs, frame["loss"].to_numpy(dtype=np.float64), label="training", **line_style(0))
        if "val_loss" in frame.columns:
            val = frame["val_loss"].to_numpy(dtype=np.float64)
            ax.plot(epochs, val, label="validation", **line_style(1))
            best = int(np.nanargmin(val)) + 1
            ax.axvline(
                best,
                color=ACTUAL_COLOR,
                linestyle=":",
                linewidth=0.8,
                label=f"epoch kept ({best})",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend()
    return fig
