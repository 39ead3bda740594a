"""The figures of the experiment and the comparison (see :mod:`lstmgru.plots`)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "HOUSE_RC",
    "house_style",
    "plot_cumulative_loss_difference",
    "plot_dm_heatmap",
    "plot_error_distributions",
    "plot_forecasts",
    "plot_metric_over_seeds",
    "plot_price_and_returns",
    "plot_training_history",
    "save_figure",
]

#: Colour cycle (Okabe-Ito, readable in colour-blind vision and in greyscale print).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: rcParams of the house style, applied only inside :func:`house_style`.
HOUSE_RC: dict[str, object] = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "lines.linewidth": 1.2,
    "pdf.fonttype": 42,
}

#: Colour of observed data (actual prices) in every figure.
ACTUAL_COLOR = "#333333"


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply :data:`HOUSE_RC` within a ``with`` block, restoring rcParams afterwards."""
    with mpl.rc_context(HOUSE_RC):
        yield


def _new_figure(nrows: int = 1, ncols: int = 1, **kwargs: object) -> tuple[Figure, np.ndarray]:
    fig = Figure(layout="constrained", figsize=kwargs.pop("figsize", None))
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes.ravel()


def _require_series(name: str, series: object, *, min_length: int = 1) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise ValueError(f"{name} must be a pandas Series; got {type(series).__name__}")
    if series.empty:
        raise ValueError(f"{name} is empty")
    if len(series) < min_length:
        raise ValueError(f"{name} has {len(series)} value(s); need at least {min_length}")
    if not pd.api.types.is_numeric_dtype(series):
        raise ValueError(f"{name} must be numeric")
    return series


def _require_frame(name: str, frame: object, *, min_rows: int = 1) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    if frame.empty or frame.shape[1] == 0:
        raise ValueError(f"{name} is empty; need at least one column and one row")
    if len(frame) < min_rows:
        raise ValueError(f"{name} has {len(frame)} row(s); need at least {min_rows}")
    return frame


def _forecast_frame(forecasts: Mapping[str, pd.Series] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(forecasts, pd.DataFrame):
        return forecasts
    if isinstance(forecasts, Mapping):
        if not forecasts:
            raise ValueError("forecasts is empty; pass at least one model")
        for name, series in forecasts.items():
            _require_series(f"forecasts[{name!r}]", series)
        return pd.DataFrame(dict(forecasts))
    raise ValueError(
        "forecasts must be a dict of model name -> Series or a DataFrame; got "
        f"{type(forecasts).__name__}"
    )


# ---------------------------------------------------------------------------------------------
# forecasts and errors
# ---------------------------------------------------------------------------------------------


def plot_forecasts(
    actual: pd.Series,
    forecasts: Mapping[str, pd.Series] | pd.DataFrame,
    *,
    zoom_days: int = 60,
    title: str | None = None,
) -> Figure:
    """Forecast against actual prices over the test span, with a zoom on the last days.

    Parameters
    ----------
    actual : pandas.Series
        Observed prices on the test days (currency units), indexed by date.
    forecasts : dict of str to pandas.Series, or pandas.DataFrame
        One-step price forecasts per model, on exactly ``actual``'s index.
    zoom_days : int, default 60
        Length of the zoom panel in trading days; the whole span when the test span is
        shorter.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the full span (top, with the zoom window shaded) and the last
        ``zoom_days`` (bottom). Each holds one line for ``actual`` and one per model.
    """
    actual = _require_series("actual", actual)
    frame = _require_frame("forecasts", _forecast_frame(forecasts))
    if not frame.index.equals(actual.index):
        raise ValueError(
            "forecasts are not on actual's index; reindex them, e.g. "
            "forecasts.reindex(actual.index), before plotting"
        )
    if not isinstance(zoom_days, int | np.integer) or zoom_days < 1:
        raise ValueError(f"zoom_days must be a positive integer; got {zoom_days!r}")
    zoom = min(int(zoom_days), len(actual))
    with house_style():
        fig, (full, last) = _new_figure(2, 1, figsize=(7.0, 5.5))
        for ax, window in ((full, slice(None)), (last, slice(len(actual) - zoom, None))):
            ax.plot(
                actual.index[window],
                actual.to_numpy()[window],
                color=ACTUAL_COLOR,
                linewidth=1.6,
                label="actual",
            )
            for name in frame.columns:
                ax.plot(
                    frame.index[window],
                    frame[name].to_numpy()[window],
                    linewidth=1.0,
                    alpha=0.9,
                    label=str(name),
                )
            ax.set_ylabel("price")
        full.axvspan(actual.index[-zoom], actual.index[-1], color="0.85", alpha=0.5, zorder=0)
        full.set_title("test span")
        last.set_title(f"last {zoom} trading days")
        full.legend(loc="upper left", ncols=min(4, 1 + frame.shape[1]))
        if title:
            fig.suptitle(title)
    return fig


def plot_error_distributions(errors: pd.DataFrame, *, bins: int = 40) -> Figure:
    """Distribution of forecast errors per model.

    Parameters
    ----------
    errors : pandas.DataFrame
        Forecast errors (forecast - actual; currency or return units), one column per
        model, one row per test day.
    bins : int, default 40
        Number of histogram bins, shared by all models.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: step histograms (density) of all models overlaid, with one legend entry
        per model, and a box plot per model (one box each).
    """
    errors = _require_frame("errors", errors, min_rows=2)
    if errors.isna().any().any():
        raise ValueError("errors contains NaN; drop the rows before plotting")
    values = errors.to_numpy(dtype=np.float64)
    edges = np.histogram_bin_edges(values.ravel(), bins=bins)
    with house_style():
        fig, (hist, box) = _new_figure(1, 2, figsize=(7.0, 3.2))
        for name in errors.columns:
            hist.hist(errors[name], bins=edges, density=True, histtype="step", label=str(name))
        hist.axvline(0.0, color=ACTUAL_COLOR, linewidth=0.8)
        hist.set_xlabel("forecast error")
        hist.set_ylabel("density")
        hist.legend()
        box.boxplot([errors[c].to_numpy() for c in errors.columns], showfliers=False)
        box.set_xticks(
            np.arange(1, errors.shape[1] + 1), [str(c) for c in errors.columns], rotation=30
        )
        box.axhline(0.0, color=ACTUAL_COLOR, linewidth=0.8)
        box.set_ylabel("forecast error")
        box.set_title("whiskers 1.5 IQR, outliers hidden")
    return fig


def plot_cumulative_loss_difference(errors: pd.DataFrame, benchmark: str = "random_walk") -> Figure:
    r"""Cumulative squared-error difference of each model against the benchmark.

    For model :math:`m` the line is :math:`\sum_{s \le t} (e_{m,s}^2 - e_{b,s}^2)`, with
    :math:`b` the benchmark. **Positive means the model is worse** than the benchmark so far;
    a line falling over a stretch of days means the model beat the benchmark on those days.

    Parameters
    ----------
    errors : pandas.DataFrame
        Forecast errors (forecast - actual; currency units), one column per model including
        ``benchmark``, indexed by date.
    benchmark : str, default "random_walk"
        Column of the benchmark model.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one line per non-benchmark model and a zero reference line.
    """
    errors = _require_frame("errors", errors)
    if benchmark not in errors.columns:
        raise ValueError(
            f"benchmark {benchmark!r} not in errors columns {list(errors.columns)}; "
            "add its errors or pass benchmark=<column>"
        )
    others = [c for c in errors.columns if c != benchmark]
    if not others:
        raise ValueError("errors holds only the benchmark; add at least one model column")
    if errors.isna().any().any():
        raise ValueError("errors contains NaN; drop the rows before plotting")
    squared = errors.astype(np.float64) ** 2
    cumulative = squared[others].sub(squared[benchmark], axis=0).cumsum()
    with house_style():
        fig, (ax,) = _new_figure()
        for name in others:
            ax.plot(cumulative.index, cumulative[name].to_numpy(), label=str(name))
        ax.axhline(0.0, color=ACTUAL_COLOR, linewidth=0.8)
        ax.set_ylabel(f"cumulative squared error minus {benchmark}")
        ax.set_title(f"above zero: worse than {benchmark}")
        ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# seeds and tests across tickers
# ---------------------------------------------------------------------------------------------


def plot_metric_over_seeds(
    summary: pd.DataFrame, metric: str = "rmse", *, spread: str = "std"
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

    Returns
    -------
    matplotlib.figure.Figure
        One axes: tickers on the x axis, models side by side, one errorbar series (point
        with bars) per model.
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
    with house_style():
        fig, (ax,) = _new_figure(figsize=(max(4.0, 1.2 * len(tickers) + 2.0), 3.5))
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
            ax.errorbar(x, mean, yerr=yerr, fmt="o", capsize=3, markersize=4, label=str(model))
        ax.set_xticks(np.arange(len(tickers)), [str(t) for t in tickers])
        ax.set_ylabel(metric)
        label = "± 1 std" if spread == "std" else "min-max"
        ax.set_title(f"{metric}: mean over seeds, bars {label}")
        ax.legend()
    return fig


def plot_dm_heatmap(
    pvalues: pd.DataFrame, *, alpha: float = 0.05, test: str = "Diebold-Mariano"
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
    test : str, default "Diebold-Mariano"
        Name of the test in the title.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the heatmap (annotated with the p-values) and its colour bar.
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
            cbar_kws={"label": "DM p-value"},
        )
        for text in ax.texts:
            try:
                if float(text.get_text()) < alpha:
                    text.set_fontweight("bold")
            except ValueError:
                continue
        ax.set_xlabel("ticker")
        ax.set_ylabel("model")
        ax.grid(False)
        ax.set_title(f"{test} p-values (bold: p < {alpha:g})")
    return fig


# ---------------------------------------------------------------------------------------------
# data and training
# ---------------------------------------------------------------------------------------------


def plot_price_and_returns(close: pd.Series, title: str | None = None) -> Figure:
    r"""Closing price and daily log return, for the data chapter.

    Parameters
    ----------
    close : pandas.Series
        Daily (adjusted) closing prices, strictly positive, indexed by date.
    title : str, optional
        Figure title; default the Series name, if any.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes sharing the x axis: price (one line) and log return
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
        price.plot(close.index, close.to_numpy(), color=ACTUAL_COLOR)
        price.set_ylabel("close")
        ret.plot(returns.index, returns.to_numpy(), color=PALETTE[0], linewidth=0.6)
        ret.set_ylabel("log return")
        heading = title if title is not None else close.name
        if heading:
            fig.suptitle(str(heading))
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
        One axes with a line for ``loss``, one for ``val_loss`` when present, and a dashed
        vertical line at the epoch of the lowest validation loss (the one early stopping
        restores).
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
        ax.plot(epochs, frame["loss"].to_numpy(dtype=np.float64), label="loss (train)")
        if "val_loss" in frame.columns:
            val = frame["val_loss"].to_numpy(dtype=np.float64)
            ax.plot(epochs, val, label="val_loss (validation)")
            best = int(np.nanargmin(val)) + 1
            ax.axvline(best, color=ACTUAL_COLOR, linestyle="--", linewidth=0.8)
            ax.set_title(f"lowest validation loss at epoch {best}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def setup_notebook() -> None:
    """Prepare a Jupyter kernel for the report: inline figures as PNG and vector PDF.

    Call once in a notebook's import cell. Activates the inline backend, makes every displayed
    figure carry a PDF rendering beside the PNG (the PDF report uses the vector one), and embeds
    TrueType rather than Type 3 fonts in those PDFs. Outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the notebook stack
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.run_line_magic("matplotlib", "inline")
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", "pdf")
    mpl.rcParams["pdf.fonttype"] = 42
    pd.set_option("display.max_colwidth", None)  # checksums and ticker lists in full


def save_figure(fig: Figure, name: str, directory: str | Path = "figures") -> list[Path]:
    """Write a figure as vector PDF and 150-dpi PNG.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    name : str
        File stem, without directory or extension (letters, digits, ``.``, ``_``, ``-``),
        e.g. ``"forecasts_AAPL"``.
    directory : str or pathlib.Path, default "figures"
        Output folder, created if missing.

    Returns
    -------
    list of pathlib.Path
        ``[directory/name.pdf, directory/name.png]``.
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure; got {type(fig).__name__}")
    if not isinstance(name, str) or not _NAME.match(name) or name.endswith((".pdf", ".png")):
        raise ValueError(
            f"name must be a plain file stem (letters, digits, '.', '_', '-'; no directory or "
            f"extension); got {name!r}"
        )
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.pdf", folder / f"{name}.png"]
    with house_style():
        fig.savefig(paths[0], format="pdf")
        fig.savefig(paths[1], format="png", dpi=150)
    return paths


def publish(fig: Figure, name: str, directory: str | Path | None) -> Figure:
    """Save ``fig`` with :func:`save_figure` when ``directory`` is given; return it for display.

    Lets a notebook cell both show a figure and keep it as files: ``directory`` empty or
    ``None`` saves nothing.
    """
    if directory:
        save_figure(fig, name, directory)
    return fig
