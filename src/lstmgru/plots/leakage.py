"""The leakage chapter's figure: the convincing price plot beside the U2 of every row."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lstmgru.plots.core import ACTUAL_COLOR, PALETTE, _require_frame, _require_series, house_style

__all__ = ["plot_leakage"]


def plot_leakage(
    published: Mapping[str, tuple[pd.Series, pd.Series]],
    u2: pd.DataFrame,
) -> Figure:
    """Row 1 of each setup as the tutorials show it, and Theil's U2 of every row over seeds.

    Parameters
    ----------
    published : mapping of setup name to (actual, forecast)
        Observed closes and the as-published forecast (one seed) over the setup's test days
        (price units, same index).
    u2 : pandas.DataFrame
        One row per (setup, row) with columns ``setup``, ``row`` (1-based), ``label``,
        ``mean`` and ``std`` (Theil's U2 over seeds; a NaN ``std``, e.g. one seed, draws no
        bar).

    Returns
    -------
    matplotlib.figure.Figure
        Left: one panel per setup, forecast and actual close over the test days. Right: U2
        mean with one standard deviation either side, per row and setup, and the random walk's
        U2 of 1 as a line.
    """
    if not published:
        raise ValueError("published is empty; pass at least one setup's (actual, forecast)")
    u2 = _require_frame("u2", u2)
    missing = [c for c in ("setup", "row", "label", "mean", "std") if c not in u2.columns]
    if missing:
        raise ValueError(f"u2 lacks column(s) {missing}; has {list(u2.columns)}")
    names = list(published)
    with house_style():
        fig = Figure(layout="constrained", figsize=(7.5, 1.9 * max(2, len(names)) + 0.4))
        grid = fig.add_gridspec(len(names), 2, width_ratios=(1.15, 1.0))
        for i, name in enumerate(names):
            actual, forecast = published[name]
            actual = _require_series(f"actual of setup {name}", actual, min_length=2)
            forecast = _require_series(f"forecast of setup {name}", forecast, min_length=2)
            if not actual.index.equals(forecast.index):
                raise ValueError(f"setup {name}: actual and forecast have different days")
            ax = fig.add_subplot(grid[i, 0])
            ax.plot(actual.index, actual.to_numpy(), color=ACTUAL_COLOR, label="actual close")
            ax.plot(forecast.index, forecast.to_numpy(), color=PALETTE[1], label="forecast")
            ax.set_title(f"Setup {name} as published", loc="left")
            ax.set_ylabel("price")
            ax.tick_params(axis="x", labelrotation=30)
            if i == 0:
                ax.legend(loc="best")
        ax = fig.add_subplot(grid[:, 1])
        setups = list(dict.fromkeys(u2["setup"]))
        width = 0.8 / max(1, len(setups))
        labels: dict[int, str] = {}
        for k, name in enumerate(setups):
            part = u2[u2["setup"] == name].sort_values("row")
            x = part["row"].to_numpy(dtype=np.float64) + (k - (len(setups) - 1) / 2) * width
            half = np.nan_to_num(part["std"].to_numpy(dtype=np.float64), nan=0.0)
            ax.errorbar(
                x,
                part["mean"].to_numpy(dtype=np.float64),
                yerr=np.vstack([half, half]),
                fmt="o",
                capsize=3,
                markersize=4,
                color=PALETTE[(k + 2) % len(PALETTE)],
                label=f"setup {name}",
            )
            labels.update(dict(zip(part["row"].astype(int), part["label"], strict=True)))
        ax.axhline(1.0, color=ACTUAL_COLOR, linewidth=0.8, linestyle="--", label="random walk")
        rows = sorted(labels)
        ax.set_xticks(rows, [str(r) for r in rows])
        ax.set_xlabel("row (one repair each)")
        ax.set_ylabel("Theil's $U_2$")
        if np.nanmax(u2["mean"].to_numpy(dtype=np.float64)) > 20:
            ax.set_yscale("log")
        ax.set_title("$U_2$: mean over seeds, ± 1 std", loc="left")
        ax.legend(loc="best")
    return fig
