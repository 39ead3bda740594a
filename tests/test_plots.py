"""Tests of lstmgru.plots: each figure's structure on tiny seeded data, saving, bad input."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from lstmgru import plots


def _prices(n: int = 90, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2021-01-04", periods=n, name="date")
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, n))), index=index, name="AAPL")


def _forecasts(actual: pd.Series) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    previous = actual.shift(1).bfill()
    return pd.DataFrame(
        {
            "random_walk": previous,
            "arima": previous * 1.001,
            "hybrid": previous * np.exp(rng.normal(0, 0.004, len(actual))),
        }
    )


def _errors() -> pd.DataFrame:
    actual = _prices()
    return _forecasts(actual).sub(actual, axis=0)


def _titles(fig: Figure) -> list[str]:
    """Every title of a figure: its suptitle and each axes' left, centre and right titles."""
    texts = [fig.get_suptitle()] if hasattr(fig, "get_suptitle") else []
    texts += [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    return [t for t in texts if t]


def _styles(ax) -> list[tuple[str, object]]:
    """(colour, dash pattern) of each labelled line of an axes."""
    return [
        (mpl.colors.to_hex(line.get_color()), line.get_linestyle())
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    ]


def _labelled_y_ticks(fig: Figure, index: int = 0) -> list[str]:
    """Labels of the y ticks inside the axis range, as drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    ax = fig.axes[index]
    low, high = ax.get_ylim()
    return [
        label.get_text()
        for label, value in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)
        if low <= value <= high and label.get_text()
    ]


def test_house_style_is_scoped():
    before = mpl.rcParams["axes.spines.top"]
    with plots.house_style():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["savefig.dpi"] == 150
    assert mpl.rcParams["axes.spines.top"] == before


def test_plot_forecasts_two_panels_and_zoom_window():
    actual = _prices()
    fig = plots.plot_forecasts(actual, _forecasts(actual), zoom_days=20)
    assert isinstance(fig, Figure)
    full, zoom = fig.axes
    assert len(full.get_lines()) == 4  # actual + 3 models
    assert len(zoom.get_lines()) == 4
    assert len(full.get_lines()[0].get_xdata()) == 90
    assert len(zoom.get_lines()[0].get_xdata()) == 20
    assert _titles(fig) == []  # the caption says what the figure shows
    assert zoom.get_xlabel() == "last 20 trading days (shaded above)"
    assert [t.get_text() for t in full.get_legend().get_texts()] == [
        "Observed close",
        "Random walk",
        "ARIMA",
        "hybrid",  # no display name: shown as given
    ]
    styles = _styles(full)
    assert len(set(styles)) == len(styles) == 4  # every line its own colour and dashes


def test_plot_forecasts_accepts_a_dict_and_clips_the_zoom():
    actual = _prices(30)
    fig = plots.plot_forecasts(actual, {"rw": actual.shift(1).bfill()}, zoom_days=100)
    assert len(fig.axes[1].get_lines()[0].get_xdata()) == 30
    assert len(fig.axes[0].get_lines()) == 2


def test_plot_forecasts_bad_input():
    actual = _prices()
    with pytest.raises(ValueError, match="forecasts is empty"):
        plots.plot_forecasts(actual, pd.DataFrame(index=actual.index))
    with pytest.raises(ValueError, match="not on actual's index"):
        plots.plot_forecasts(actual, _forecasts(actual).iloc[1:])
    with pytest.raises(ValueError, match="actual is empty"):
        plots.plot_forecasts(pd.Series([], dtype=float), {})
    with pytest.raises(ValueError, match="zoom_days"):
        plots.plot_forecasts(actual, _forecasts(actual), zoom_days=0)


def test_plot_relative_mse_is_the_rolling_ratio_of_squared_errors():
    errors = _errors()
    fig = plots.plot_relative_mse(errors, window=10)
    (ax,) = fig.axes
    assert _titles(fig) == []
    reference, _arima, hybrid = ax.get_lines()
    assert list(reference.get_ydata()) == [1.0, 1.0]  # the random walk
    assert reference.get_label() == "Random walk"
    squared = errors**2
    expected = squared["hybrid"].iloc[20:30].sum() / squared["random_walk"].iloc[20:30].sum()
    assert hybrid.get_ydata()[29] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(hybrid.get_ydata()[:9]).all() and np.isfinite(hybrid.get_ydata()[9])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Random walk", "ARIMA", "hybrid"]
    assert "relative to the random walk" in ax.get_ylabel() and "10-day" in ax.get_ylabel()
    assert len(set(_styles(ax))) == 3


def test_plot_relative_mse_chosen_models_and_bad_input():
    errors = _errors()
    fig = plots.plot_relative_mse(errors, window=5, models=["hybrid"])
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["Random walk", "hybrid"]
    # a benchmark that never errs over a window leaves the ratio undefined there, not infinite
    still = errors.copy()
    still.iloc[:10, still.columns.get_loc("random_walk")] = 0.0
    ratio = plots.plot_relative_mse(still, window=5).axes[0].get_lines()[1].get_ydata()
    assert np.isnan(ratio[4:10]).all() and np.isfinite(ratio[14])
    with pytest.raises(ValueError, match="window must be an integer between 2 and the 90"):
        plots.plot_relative_mse(errors, window=91)
    with pytest.raises(ValueError, match="window"):
        plots.plot_relative_mse(errors, window=1)
    with pytest.raises(ValueError, match="models must name columns"):
        plots.plot_relative_mse(errors, models=["random_walk"])
    with pytest.raises(ValueError, match="models must name columns"):
        plots.plot_relative_mse(errors, models=["lstm"])
    with pytest.raises(ValueError, match="benchmark 'random_walk' not in errors"):
        plots.plot_relative_mse(errors.drop(columns="random_walk"))
    with pytest.raises(ValueError, match="NaN"):
        gap = errors.copy()
        gap.iloc[3, 1] = np.nan
        plots.plot_relative_mse(gap)


def test_plot_cumulative_loss_difference_sign_and_lines():
    errors = _errors()
    fig = plots.plot_cumulative_loss_difference(errors)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 3  # arima, hybrid, zero line
    arima = lines[0].get_ydata()
    expected = np.cumsum(errors["arima"] ** 2 - errors["random_walk"] ** 2)
    np.testing.assert_allclose(arima, expected)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ARIMA", "hybrid"]
    assert _titles(fig) == []


def test_plot_cumulative_loss_difference_bad_input():
    with pytest.raises(ValueError, match="benchmark 'random_walk' not in errors"):
        plots.plot_cumulative_loss_difference(_errors().drop(columns="random_walk"))
    with pytest.raises(ValueError, match="errors is empty"):
        plots.plot_cumulative_loss_difference(pd.DataFrame())
    with pytest.raises(ValueError, match="only the benchmark"):
        plots.plot_cumulative_loss_difference(_errors()[["random_walk"]])


def _summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticker": ["AAPL"] * 3 + ["MSFT"] * 3,
            "model": ["lstm", "gru", "arima"] * 2,
            "metric": "rmse",
            "mean": [1.0, 1.1, 1.2, 2.0, 2.1, 2.05],
            "std": [0.1, 0.2, np.nan, 0.1, 0.15, np.nan],
            "min": [0.9, 0.8, 1.2, 1.9, 1.9, 2.05],
            "max": [1.1, 1.4, 1.2, 2.1, 2.3, 2.05],
        }
    )


def test_plot_metric_over_seeds_one_series_per_model():
    fig = plots.plot_metric_over_seeds(_summary(), metric="rmse")
    (ax,) = fig.axes
    assert _titles(fig) == []
    assert ax.get_ylabel() == "rmse"
    assert "Random walk" not in [line.get_label() for line in ax.get_lines()]  # only if asked
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["LSTM", "GRU", "ARIMA"]
    assert len(ax.containers) == 3  # one errorbar container per model
    assert [t.get_text() for t in ax.get_xticklabels()] == ["AAPL", "MSFT"]
    lstm = ax.containers[0]
    np.testing.assert_allclose(lstm.lines[0].get_ydata(), [1.0, 2.0])
    # upper cap of the gru bar for AAPL sits at mean + std = 1.3
    gru_caps = ax.containers[1].lines[1]
    assert max(gru_caps[1].get_ydata()) == pytest.approx(2.25)
    assert min(gru_caps[1].get_ydata()) == pytest.approx(1.3)


def test_plot_metric_over_seeds_draws_the_reference_line():
    """Theil's U2 of the random walk is 1: the figure of U2 over seeds shows that line."""
    fig = plots.plot_metric_over_seeds(
        _summary(), metric="rmse", reference=1.0, ylabel="Theil's $U_2$"
    )
    (ax,) = fig.axes
    (line,) = [line for line in ax.get_lines() if line.get_label() == "Random walk"]
    assert list(line.get_ydata()) == [1.0, 1.0]
    assert ax.get_ylabel() == "Theil's $U_2$"
    assert "Random walk" in [t.get_text() for t in ax.get_legend().get_texts()]
    colours = {mpl.colors.to_hex(c.lines[0].get_color()) for c in ax.containers}
    assert len(colours) == 3  # one colour per model


def test_plot_metric_over_seeds_range_and_bad_input():
    fig = plots.plot_metric_over_seeds(_summary(), spread="range")
    caps = fig.axes[0].containers[1].lines[1]
    assert min(caps[1].get_ydata()) == pytest.approx(1.4)  # gru max for AAPL
    with pytest.raises(ValueError, match="metric 'mae' not in summary"):
        plots.plot_metric_over_seeds(_summary(), metric="mae")
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['std'\]"):
        plots.plot_metric_over_seeds(_summary().drop(columns="std"))
    with pytest.raises(ValueError, match="summary is empty"):
        plots.plot_metric_over_seeds(pd.DataFrame())


def test_plot_dm_heatmap_cells_and_colorbar():
    pvalues = pd.DataFrame(
        {"AAPL": [0.01, 0.5, np.nan], "MSFT": [0.2, 0.04, 0.9]}, index=["lstm", "gru", "arima"]
    )
    fig = plots.plot_dm_heatmap(pvalues, test="Clark–West (Holm)")
    assert len(fig.axes) == 2  # heatmap and colour bar
    assert _titles(fig) == []
    assert fig.axes[1].get_ylabel() == "Clark–West (Holm) p-value"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["LSTM", "GRU", "ARIMA"]
    texts = {t.get_text(): t.get_fontweight() for t in fig.axes[0].texts}
    assert set(texts) == {"0.010", "0.500", "0.200", "0.040", "0.900"}
    assert texts["0.010"] == "bold" and texts["0.500"] == "normal"
    assert texts["0.040"] == "bold" and texts["0.900"] == "normal"
    # raw p-values shown, bold where another decision (e.g. Holm) rejects
    mask = pd.DataFrame(
        {"AAPL": [False, True, False], "MSFT": [False, False, False]}, index=pvalues.index
    )
    fig = plots.plot_dm_heatmap(pvalues, significant=mask)
    texts = {t.get_text(): t.get_fontweight() for t in fig.axes[0].texts}
    assert texts["0.500"] == "bold"
    assert [w for t, w in texts.items() if t != "0.500"] == ["normal"] * 4
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        plots.plot_dm_heatmap(pvalues * 2)
    with pytest.raises(ValueError, match="pvalues is empty"):
        plots.plot_dm_heatmap(pd.DataFrame())


def test_plot_price_and_returns_panels():
    close = _prices(50)
    fig = plots.plot_price_and_returns(close)
    price, ret = fig.axes
    assert len(price.get_lines()) == 1 and len(ret.get_lines()) == 1
    np.testing.assert_allclose(ret.get_lines()[0].get_ydata(), np.diff(np.log(close.to_numpy())))
    assert price.get_yscale() == "log" and "log scale" in price.get_ylabel()
    # a narrow price range (about 96 to 104) is still labelled on the log axis
    assert len(_labelled_y_ticks(fig)) >= 3, _labelled_y_ticks(fig)
    rising = pd.Series(np.geomspace(5.0, 210.0, 60), index=pd.bdate_range("2021-01-04", periods=60))
    wide = plots.plot_price_and_returns(rising)
    assert _labelled_y_ticks(wide) == ["5", "10", "20", "50", "100", "200"]
    assert ret.get_yscale() == "linear"
    assert _titles(fig) == []
    with pytest.raises(ValueError, match="non-positive"):
        plots.plot_price_and_returns(close - 200)
    with pytest.raises(ValueError, match="close is empty"):
        plots.plot_price_and_returns(pd.Series([], dtype=float))


def test_plot_training_history_marks_best_epoch():
    fig = plots.plot_training_history(
        {"loss": [1.0, 0.5, 0.3, 0.25], "val_loss": [1.1, 0.6, 0.5, 0.55]}
    )
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 3  # loss, val_loss, best-epoch marker
    assert list(ax.get_lines()[2].get_xdata()) == [3, 3]
    assert ax.get_lines()[2].get_label() == "epoch kept (3)"
    assert _titles(fig) == []
    only_loss = plots.plot_training_history(pd.DataFrame({"loss": [1.0, 0.5]}))
    assert len(only_loss.axes[0].get_lines()) == 1
    with pytest.raises(ValueError, match="'loss' column"):
        plots.plot_training_history({"val_loss": [1.0]})
    with pytest.raises(ValueError, match="differ in length"):
        plots.plot_training_history({"loss": [1.0, 2.0], "val_loss": [1.0]})


def test_save_figure_writes_pdf_and_png(tmp_path):
    fig = plots.plot_price_and_returns(_prices(40))
    paths = plots.save_figure(fig, "price_AAPL", directory=tmp_path / "figures")
    assert [p.name for p in paths] == ["price_AAPL.pdf", "price_AAPL.png"]
    assert paths[0].read_bytes()[:5] == b"%PDF-"
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # 150 dpi on a 7-inch-wide figure: about 1050 px (bbox tight trims or pads a little)
    width = int.from_bytes(paths[1].read_bytes()[16:20], "big")
    assert abs(width - 7.0 * 150) <= 40
    with pytest.raises(ValueError, match="plain file stem"):
        plots.save_figure(fig, "sub/dir", directory=tmp_path)
    with pytest.raises(ValueError, match="plain file stem"):
        plots.save_figure(fig, "figure.png", directory=tmp_path)


def test_plot_wealth_has_no_title_and_distinct_styles():
    index = pd.bdate_range("2021-01-04", periods=30)
    rng = np.random.default_rng(3)
    paths = pd.DataFrame(
        np.exp(np.cumsum(rng.normal(0, 0.01, (30, 8)), axis=0)),
        index=index,
        columns=["buy_and_hold", "drift", "ar", "arima", "lstm", "gru", "lstm_gru", "gru_gru"],
    )
    fig = plots.plot_wealth(paths)
    assert _titles(fig) == []
    assert fig.axes[0].get_yscale() == "log"
    assert len(_labelled_y_ticks(fig)) >= 3  # wealth within one decade keeps labels
    styles = _styles(fig.axes[0])
    assert len(styles) == 8 and len(set(styles)) == 8
    assert fig.axes[0].get_lines()[-2].get_label() == "Buy and hold"  # drawn last, on top


def test_line_styles_pair_colours_and_dashes_without_repeats():
    pairs = [
        (plots.line_style(k)["color"], str(plots.line_style(k)["linestyle"])) for k in range(42)
    ]
    assert len(set(pairs)) == 42  # the eight models and more: no two lines look alike
    assert "#F0E442" not in plots.PALETTE  # the pale yellow is unreadable on white


def _wealth_paths(index: pd.Index, columns: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    steps = rng.normal(0, 0.01, (len(index), len(columns)))
    return pd.DataFrame(np.exp(np.cumsum(steps, axis=0)), index=index, columns=columns)


def test_plot_accuracy_and_wealth_is_one_figure_of_two_panels_with_one_legend():
    """The figure of an instrument: the rolling relative MSE (left) and the wealth (right) side
    by side on one date axis, one legend for both, each model in one style in both panels."""
    errors = _errors()
    paths = _wealth_paths(errors.index, ["buy_and_hold", "drift", "arima", "hybrid"])
    fig = plots.plot_accuracy_and_wealth(errors, paths, window=10, models=["arima", "hybrid"])
    accuracy, wealth = fig.axes
    assert _titles(fig) == []
    assert tuple(fig.get_size_inches()) == pytest.approx((6.1, 2.1))
    assert accuracy.get_position().x1 < wealth.get_position().x0  # side by side
    assert accuracy.get_shared_x_axes().joined(accuracy, wealth)
    # the left panel draws plot_relative_mse's lines
    alone = plots.plot_relative_mse(errors, window=10, models=["arima", "hybrid"]).axes[0]
    for left, right in zip(accuracy.get_lines()[1:], alone.get_lines()[1:], strict=True):
        np.testing.assert_array_equal(left.get_ydata(), right.get_ydata())
    assert (
        "relative to the random walk" in accuracy.get_ylabel() and "10-day" in accuracy.get_ylabel()
    )
    assert wealth.get_yscale() == "log" and "wealth" in wealth.get_ylabel()
    # one legend, of the figure: every strategy and buy-and-hold once; the benchmark's line at 1
    # is named by the axis label
    assert accuracy.get_legend() is None and wealth.get_legend() is None
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "Drift",
        "ARIMA",
        "hybrid",
        "Buy and hold",
    ]
    left, right = dict(_styles_by_label(accuracy)), dict(_styles_by_label(wealth))
    assert left["ARIMA"] == right["ARIMA"] and left["hybrid"] == right["hybrid"]
    assert len(set(right.values())) == len(right) == 4


def _styles_by_label(ax) -> list[tuple[str, tuple[str, object]]]:
    return [
        (line.get_label(), (mpl.colors.to_hex(line.get_color()), line.get_linestyle()))
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    ]


def test_plot_accuracy_and_wealth_says_when_the_test_span_is_too_short_for_the_window():
    errors = _errors()  # 90 days: fewer than twice a 63-day window
    paths = _wealth_paths(errors.index, ["buy_and_hold", "arima"])
    fig = plots.plot_accuracy_and_wealth(errors, paths, window=63)
    accuracy, wealth = fig.axes
    assert [line.get_label() for line in accuracy.get_lines()] == []
    assert any("fewer than 126 test days" in t.get_text() for t in accuracy.texts)
    assert len(wealth.get_lines()) >= 2
    with pytest.raises(ValueError, match="window must be an integer of at least 2"):
        plots.plot_accuracy_and_wealth(errors, paths, window=1)
    with pytest.raises(ValueError, match="models must name columns"):
        plots.plot_accuracy_and_wealth(errors, paths, window=10, models=["lstm"])
    with pytest.raises(ValueError, match="positive"):
        plots.plot_accuracy_and_wealth(errors, -paths, window=10)
