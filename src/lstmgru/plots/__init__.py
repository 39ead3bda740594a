"""Every figure of the report, one function each, in one house style.

Each ``plot_*`` function takes pandas objects (never models), draws inside
:func:`house_style` and returns a :class:`matplotlib.figure.Figure`. Figures are built with
``matplotlib.figure.Figure`` directly, not through pyplot, so nothing global changes (no
rcParams at import, no pyplot figure registry) and a notebook shows each figure once, as the
cell's value. Figures carry no titles (the report's captions say what they show), label their
axes with units, name models by their display names, and give every line its own colour and
dash pattern from the colour-blind-safe Okabe–Ito palette (:func:`line_style`). :func:`save_figure` writes a vector PDF and a 150-dpi PNG.

Bad input (empty data, a missing benchmark column, misaligned indexes) raises ``ValueError``
naming the problem.

* :mod:`~lstmgru.plots.core` -- the house style, the experiment's figures of forecasts and
  errors, saving and publishing;
* :mod:`~lstmgru.plots.comparison` -- networks over seeds and test p-values by instrument;
* :mod:`~lstmgru.plots.data` -- the data chapter's series, the theory chapter's gradient norms
  and training histories;
* :mod:`~lstmgru.plots.wealth` -- cumulative wealth of the trading strategies, alone or beside
  the rolling accuracy of the forecasts (the figure of each instrument).
"""

from __future__ import annotations

from lstmgru.plots.comparison import plot_dm_heatmap, plot_metric_over_seeds
from lstmgru.plots.core import (
    ACTUAL_COLOR,
    HOUSE_RC,
    LINESTYLES,
    PALETTE,
    house_style,
    line_style,
    log_axis,
    plot_cumulative_loss_difference,
    plot_forecasts,
    plot_relative_mse,
    publish,
    save_figure,
    setup_notebook,
)
from lstmgru.plots.data import plot_gradient_norms, plot_price_and_returns, plot_training_history
from lstmgru.plots.wealth import plot_accuracy_and_wealth, plot_wealth

__all__ = [
    "ACTUAL_COLOR",
    "HOUSE_RC",
    "LINESTYLES",
    "PALETTE",
    "house_style",
    "line_style",
    "log_axis",
    "plot_accuracy_and_wealth",
    "plot_cumulative_loss_difference",
    "plot_dm_heatmap",
    "plot_forecasts",
    "plot_gradient_norms",
    "plot_metric_over_seeds",
    "plot_price_and_returns",
    "plot_relative_mse",
    "plot_training_history",
    "plot_wealth",
    "publish",
    "save_figure",
    "setup_notebook",
]
