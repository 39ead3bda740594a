"""The figures of the comparison across instruments: networks over seeds, tests by instrument
(see :mod:`lstmgru.plots`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lstmgru.plots.core import (
    ACTUAL_COLOR,
    PALETTE,
    _label,
    _new_figure,
    _require_frame,
    house_style,
)

__all__ = ["plot_dm_heatmap", "plot_metric_over_seeds"]


# ---------------------------------------------------------------------------------------------
# seeds and tests across tickers
# ---------------------------------------------------------------------------------------------


def plot_metric_over_seeds(
    summary: pd.DataFrame,
    metric: str = "rmse",
    *,
    spread: str = "std",
    reference: float | None = None,
    reference_label: str = "Random walk",
    ylabel: str | None = None,
) -> Figure:
    """Mean and spread of one metric over seeds, per model and ticker.

    Parameters
    ----------
    summary : pandas.DataFrame
        Long frame as returned by ``evaluation.summarize_seeds(scores, by=("ticker",
        "model"))``: columns ``model``, ``metric``, ``mean``, ``std`` (and ``min``,
        ``max`` for ``spread="range"``), optionally ``ticker``. Rows of other metrics are
        ignored. A NaN ``std`` (single seed, e.g. ARIMA) is drawn without error bar.
    metric : str, default "rmse"
        Metric to plot (value of the ``metric`` column).
    spread : {"std", "range"}, default "std"
        Error bars: mean ± one standard deviation, or min to max over seeds.
    reference : float, optional
        Value of a horizontal reference line, e.g. 1 for Theil's :math:`U_2` (the random
        walk); none by default.
    reference_label : str, default "Random walk"
        Legend entry of the reference line.
    ylabel : str, optional
        Label of the value axis (with units); default the metric's name.

    Returns
    -------
    matplotlib.figure.Figure
        One axes without title: tickers on the x axis, models side by side, one errorbar
        series (point with bars, display names in the legend) per model, and the reference
        line when asked for.
    """
    summary = _require_frame("summary", summary)
    if spread not in ("std", "range"):
        raise ValueError(f"spread must be 'std' or 'range'; got {spread!r}")
    needed = ["model", "metric", "mean"] + (["std"] if spread == "std" else ["min", "max"])
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks column(s) {missing}; has {list(summary.columns)}")
    rows = summary[summary["metric"] == metric]
    if rows.empty:
        raise ValueError(
            f"metric {metric!r} not in summary; available: {sorted(summary['metric'].unique())}"
        )
    rows = rows.copy()
    if "ticker" not in rows.columns:
        rows["ticker"] = ""
    tickers = list(dict.fromkeys(rows["ticker"]))
    models = list(dict.fromkeys(rows["model"]))
    width = 0.8 / len(models)
    markers = ("o", "s", "^", "D", "v", "P", "X")
    with house_style():
        fig, (ax,) = _new_figure(figsize=(max(4.0, 1.2 * len(tickers) + 2.0), 3.5))
        if reference is not None:
            ax.axhline(
                float(reference),
                color=ACTUAL_COLOR,
                linewidth=0.9,
                linestyle="--",
                label=reference_label,
            )
        for i, model in enumerate(models):
            part = rows[rows["model"] == model].set_index("ticker").reindex(tickers)
            x = np.arange(len(tickers)) + (i - (len(models) - 1) / 2) * width
            mean = part["mean"].to_numpy(dtype=np.float64)
            if spread == "std":
                half = np.nan_to_num(part["std"].to_numpy(dtype=np.float64), nan=0.0)
                yerr = np.vstack([half, half])
            else:
                yerr = np.vstack(
                    [
                        mean - part["min"].to_numpy(dtype=np.float64),
                        part["max"].to_numpy(dtype=np.float64) - mean,
                    ]
                )
            ax.errorbar(
                x,
                mean,
                yerr=yerr,
                fmt=markers[i % len(markers)],
                color=PALETTE[i % len(PALETTE)],
                capsize=3,
                markersize=4,
                label=_label(model),
            )
        ax.set_xticks(np.arange(len(tickers)), [str(t) for t in tickers])
        ax.set_ylabel(ylabel or metric)
        ax.legend(ncols=2 if len(models) > 3 else 1)
    return fig


def plot_dm_heatmap(
    pvalues: pd.DataFrame,
    *,
    alpha: float = 0.05,
    test: str = "Diebold–Mariano",
    significant: pd.DataFrame | None = None,
) -> Figure:
    """Heatmap of test p-values (Diebold-Mariano by default), models × tickers.

    Parameters
    ----------
    pvalues : pandas.DataFrame
        p-values in [0, 1] (NaN allowed, drawn blank), one row per model, one column per
        ticker, e.g. the Holm-adjusted Clark-West p-values of
        ``lstmgru.comparison.pvalue_table``.
    alpha : float, default 0.05
        Cells with p < ``alpha`` get their annotation in bold.
    test : str, default "Diebold–Mariano"
        Name of the test on the colour bar.
    significant : pandas.DataFrame of bool, optional
        Same rows and columns as ``pvalues``: the cells to set in bold instead of those with
        p < ``alpha`` (e.g. raw p-values shown, bold where the Holm-adjusted one rejects).

    Returns
    -------
    matplotlib.figure.Figure
        Two axes without title: the heatmap (annotated with the p-values, models by display
        name, instruments across) and its colour bar.
    """
    import seaborn as sns

    pvalues = _require_frame("pvalues", pvalues)
    values = pvalues.to_numpy(dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size and ((finite < 0).any() or (finite > 1).any()):
        raise ValueError("pvalues must lie in [0, 1]")
    with house_style():
        size = (max(4.0, 0.9 * pvalues.shape[1] + 2.5), max(2.5, 0.45 * pvalues.shape[0] + 1.5))
        fig, (ax,) = _new_figure(figsize=size)
        sns.heatmap(
            pvalues.astype(np.float64),
            ax=ax,
            vmin=0.0,
            vmax=1.0,
            cmap="viridis_r",
            annot=True,
            fmt=".3f",
            linewidths=0.5,
            cbar_kws={"label": f"{test} p-value"},
        )
        if significant is None:
            bold = np.isfinite(values) & (np.nan_to_num(values, nan=1.0) < alpha)
        else:
            bold = (
                significant.reindex(index=pvalues.index, columns=pvalues.columns)
                .fillna(False)
                .to_numpy(dtype=bool)
            )
        for text in ax.texts:
            column, row = (int(v) for v in text.get_position())  # cell centres at (j+.5, i+.5)
            if bold[row, column]:
                text.set_fontweight("bold")
        ax.set_yticklabels([_label(m) for m in pvalues.index], rotation=0)
        ax.set_xlabel("instrument")
        ax.set_ylabel("")
        ax.grid(False)
    return fig
