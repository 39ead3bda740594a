"""The house style and the figures of forecasts and errors (see :mod:`lstmgru.plots`)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator, ScalarFormatter

from lstmgru.names import display_name

__all__ = [
    "HOUSE_RC",
    "LINESTYLES",
    "draw_relative_mse",
    "house_style",
    "line_style",
    "log_axis",
    "plot_cumulative_loss_difference",
    "plot_forecasts",
    "plot_relative_mse",
    "relative_mse",
    "save_figure",
]

#: Colour cycle (Okabe-Ito, readable in colour-blind vision); the pale yellow of that palette is
#: left out, it barely shows on white paper.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
)

#: Dash patterns paired with :data:`PALETTE`: the k-th line of a figure gets colour k mod 7 and
#: pattern k mod 6, so the first 42 lines of a figure never share both, and lines stay apart in
#: greyscale print.
LINESTYLES: tuple[object, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (8, 2)),
)


def line_style(k: int) -> dict[str, object]:
    """Colour and dash pattern of the ``k``-th line of a figure (0-based, cycling)."""
    return {"color": PALETTE[k % len(PALETTE)], "linestyle": LINESTYLES[k % len(LINESTYLES)]}


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
    "axes.prop_cycle": mpl.cycler(
        color=[PALETTE[k % len(PALETTE)] for k in range(len(PALETTE) * len(LINESTYLES))],
        linestyle=[LINESTYLES[k % len(LINESTYLES)] for k in range(len(PALETTE) * len(LINESTYLES))],
    ),
    "lines.linewidth": 1.2,
    "pdf.fonttype": 42,
}

#: Colour of observed data (actual prices) in every figure.
ACTUAL_COLOR = "#333333"


def log_axis(ax) -> None:
    """Put the y axis of ``ax`` on a logarithmic scale with plain-number labels.

    Call it after drawing. Ticks at 1, 2 and 5 times the powers of ten; when fewer than three of
    those fall inside the axis (e.g. wealth from 0.8 to 1.3), evenly spaced round numbers
    instead, so the axis is always labelled.
    """
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    decades = np.arange(np.floor(np.log10(low)), np.ceil(np.log10(high)) + 1)
    grid = np.outer(10.0**decades, (1.0, 2.0, 5.0)).ravel()
    if ((grid >= low) & (grid <= high)).sum() >= 3:
        ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_ylim(low, high)


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


def _label(name: object) -> str:
    return display_name(str(name))


#: How a benchmark is named in axis labels (``the random walk``); other models by display name.
_BENCHMARK_PHRASES: Mapping[str, str] = {
    "random_walk": "the random walk",
    "drift": "the drift forecast",
}


def _benchmark_phrase(benchmark: str) -> str:
    return _BENCHMARK_PHRASES.get(benchmark, _label(benchmark))


def _check_errors(errors: object, benchmark: str) -> tuple[pd.DataFrame, list[str]]:
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
    return errors, others


def plot_forecasts(
    actual: pd.Series,
    forecasts: Mapping[str, pd.Series] | pd.DataFrame,
    *,
    zoom_days: int = 60,
) -> Figure:
    """Forecast against actual prices over the test span, with a zoom on the last days.

    Meant for a few forecasts (e.g. the random walk and one or two networks): every line gets
    its own colour and dash pattern (:func:`line_style`), but more than three or four price
    paths that all follow yesterday's close cannot be told apart at any size.

    Parameters
    ----------
    actual : pandas.Series
        Observed prices on the test days (currency units), indexed by date.
    forecasts : dict of str to pandas.Series, or pandas.DataFrame
        One-step price forecasts per model, on exactly ``actual``'s index.
    zoom_days : int, default 60
        Length of the zoom panel in trading days; the whole span when the test span is
        shorter.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes without titles: the full span (top, with the zoom window shaded) and the last
        ``zoom_days`` (bottom, its x label says so). Each holds one line for ``actual`` and one
        per model; the legend uses the models' display names.
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
        fig, (full, last) = _new_figure(2, 1, figsize=(7.0, 5.0))
        for ax, window in ((full, slice(None)), (last, slice(len(actual) - zoom, None))):
            ax.plot(
                actual.index[window],
                actual.to_numpy()[window],
                color=ACTUAL_COLOR,
                linestyle="-",
                linewidth=1.8,
                label="Observed close",
            )
            for k, name in enumerate(frame.columns):
                ax.plot(
                    frame.index[window],
                    frame[name].to_numpy()[window],
                    linewidth=1.1,
                    label=_label(name),
                    **line_style(k),
                )
            ax.set_ylabel("price (currency units)")
        full.axvspan(actual.index[-zoom], actual.index[-1], color="0.85", alpha=0.5, zorder=0)
        last.set_xlabel(f"last {zoom} trading days (shaded above)")
        full.legend(loc="best", ncols=min(4, 1 + frame.shape[1]))
    return fig


def plot_relative_mse(
    errors: pd.DataFrame,
    *,
    benchmark: str = "random_walk",
    window: int = 63,
    models: Sequence[str] | None = None,
) -> Figure:
    r"""Rolling mean squared error of each model relative to the benchmark's.

    For model :math:`m` the line at day :math:`t` is
    :math:`\sum_{s=t-w+1}^{t} e_{m,s}^2 / \sum_{s=t-w+1}^{t} e_{b,s}^2` over the last
    :math:`w` test days, with :math:`b` the benchmark: below 1 the model has had the smaller
    squared error over that window. With log-return errors and the random walk as benchmark
    it is one minus the out-of-sample :math:`R^2` of the window.

    Parameters
    ----------
    errors : pandas.DataFrame
        Forecast errors (e.g. forecast minus realised log return, dimensionless), one column
        per model including ``benchmark``, one row per test day, indexed by date.
    benchmark : str, default "random_walk"
        Column of the benchmark.
    window : int, default 63
        Window length in test days (63: about a quarter of trading days); at least 2 and at
        most the number of rows.
    models : sequence of str, optional
        Columns to draw, in this order; default every column but the benchmark.

    Returns
    -------
    matplotlib.figure.Figure
        One axes without title: one line per model (colour and dash pattern of
        :func:`line_style`, display names in the legend), starting at the window's first full
        day, and a reference line at 1 (the benchmark). NaN where the benchmark's squared
        errors sum to zero over the window.
    """
    relative = relative_mse(errors, benchmark=benchmark, window=window, models=models)
    with house_style():
        fig, (ax,) = _new_figure(figsize=(7.0, 3.0))
        draw_relative_mse(ax, relative, benchmark=benchmark, window=window)
        ax.legend(ncols=min(4, relative.shape[1] + 1))
    return fig


def relative_mse(
    errors: pd.DataFrame,
    *,
    benchmark: str = "random_walk",
    window: int = 63,
    models: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The lines of :func:`plot_relative_mse`: one column per model of ``models``, by date.

    Raises ``ValueError`` for the bad input :func:`plot_relative_mse` refuses.
    """
    errors, others = _check_errors(errors, benchmark)
    chosen = others if models is None else [str(m) for m in models]
    unknown = [m for m in chosen if m not in errors.columns or m == benchmark]
    if not chosen or unknown:
        raise ValueError(
            f"models must name columns of errors other than the benchmark; got {list(chosen)}, "
            f"columns are {list(errors.columns)}"
        )
    if not isinstance(window, int | np.integer) or not 2 <= window <= len(errors):
        raise ValueError(
            f"window must be an integer between 2 and the {len(errors)} rows of errors; "
            f"got {window!r}"
        )
    squared = errors.astype(np.float64) ** 2
    rolling = squared.rolling(int(window), min_periods=int(window)).sum()
    reference = rolling[benchmark].where(rolling[benchmark] > 0.0)
    return rolling[chosen].div(reference, axis=0)


def draw_relative_mse(
    ax,
    relative: pd.DataFrame,
    *,
    benchmark: str,
    window: int,
    styles: Mapping[str, Mapping[str, object]] | None = None,
) -> None:
    """Draw the lines of :func:`relative_mse` on ``ax``: the benchmark's reference at 1, one
    line per column (its style from ``styles`` by column name, default :func:`line_style` by
    position) and the axis label with the window."""
    ax.axhline(1.0, color=ACTUAL_COLOR, linewidth=0.9, linestyle="-", label=_label(benchmark))
    for k, name in enumerate(relative.columns):
        style = dict(styles[name]) if styles is not None else line_style(k)
        ax.plot(relative.index, relative[name].to_numpy(), label=_label(name), **style)
    ax.set_ylabel(f"MSE relative to {_benchmark_phrase(benchmark)}\n({int(window)}-day rolling)")


def plot_cumulative_loss_difference(errors: pd.DataFrame, benchmark: str = "random_walk") -> Figure:
    r"""Cumulative squared-error difference of each model against the benchmark.

    For model :math:`m` the line is :math:`\sum_{s \le t} (e_{m,s}^2 - e_{b,s}^2)`, with
    :math:`b` the benchmark. **Positive means the model is worse** than the benchmark so far;
    a line falling over a stretch of days means the model beat the benchmark on those days.

    Parameters
    ----------
    errors : pandas.DataFrame
        Forecast errors (forecast - actual; currency or return units), one column per model
        including ``benchmark``, indexed by date.
    benchmark : str, default "random_walk"
        Column of the benchmark model.

    Returns
    -------
    matplotlib.figure.Figure
        One axes without title, one line per non-benchmark model (display names in the
        legend) and a zero reference line.
    """
    errors, others = _check_errors(errors, benchmark)
    squared = errors.astype(np.float64) ** 2
    cumulative = squared[others].sub(squared[benchmark], axis=0).cumsum()
    with house_style():
        fig, (ax,) = _new_figure()
        for k, name in enumerate(others):
            ax.plot(
                cumulative.index, cumulative[name].to_numpy(), label=_label(name), **line_style(k)
            )
        ax.axhline(0.0, color=ACTUAL_COLOR, linewidth=0.8)
        ax.set_ylabel(f"cumulative squared error\nminus that of {_benchmark_phrase(benchmark)}")
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
