"""Trading strategies of a run: per instrument, pooled, wealth paths and their figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_run

from lstmgru import comparison, economics, plots


def test_instrument_returns_are_log_returns_of_the_ensembles_only():
    result = synthetic_run()["AAA"]
    actual, forecasts = comparison.instrument_returns(result)
    frame = result.forecasts
    np.testing.assert_allclose(actual, np.log(frame["actual"] / frame["previous"]))
    assert "lstm_gru#s1" not in forecasts
    np.testing.assert_allclose(forecasts["random_walk"], 0.0, atol=1e-15)
    np.testing.assert_allclose(forecasts["drift"], 0.0003)


def test_strategy_tables_equal_the_direct_call_per_instrument_without_the_random_walk():
    results = synthetic_run()
    table = comparison.strategy_tables(results, cost_bps=5.0)
    assert list(table.index.get_level_values("ticker").unique()) == ["AAA", "BBB", "CCC"]
    assert "random_walk" not in table.index.get_level_values("model")
    actual, forecasts = comparison.instrument_returns(results["BBB"])
    del forecasts["random_walk"]
    direct = economics.strategy_table(actual, forecasts, cost_bps=5.0)
    pd.testing.assert_frame_equal(table.loc["BBB"], direct)


def test_the_signal_model_earns_more_than_noise_and_costs_lower_every_net_return():
    results = synthetic_run(signal=0.8)
    cheap = comparison.strategy_tables(results, cost_bps=0.0)
    dear = comparison.strategy_tables(results, cost_bps=50.0)
    for ticker in results:
        assert (
            cheap.loc[(ticker, "lstm_gru", "long_short"), "sharpe"]
            > cheap.loc[(ticker, "arima", "long_short"), "sharpe"]
        )
    traded = cheap["turnover_per_year"] > 0.6  # more than the one entry of buy-and-hold
    assert (dear.loc[traded, "total_return"] < cheap.loc[traded, "total_return"]).all()


def test_pooled_table_is_the_equal_weight_portfolio_on_common_days():
    results = synthetic_run()
    pooled = comparison.pooled_strategy_table(results)
    # spans are shifted by five days each: 300 - 2 * 5 days are common to the three tickers
    assert pooled.attrs == {"days": 290, "instruments": 3}
    paths = comparison.wealth_paths(results, rule="long_flat")
    assert len(paths) == 290
    for model in ("buy_and_hold", "lstm_gru"):
        row = (model, "always_long" if model == "buy_and_hold" else "long_flat")
        assert paths[model].iloc[-1] - 1 == pytest.approx(pooled.loc[row, "total_return"])


def test_wealth_of_one_instrument_compounds_its_net_returns():
    result = synthetic_run()["CCC"]
    paths = comparison.wealth_paths(result, models=["lstm_gru"], rule="long_short")
    actual, forecasts = comparison.instrument_returns(result)
    net = economics.strategy_returns(
        economics.positions(forecasts["lstm_gru"], "long_short"), actual, cost_bps=10.0
    )["net"]
    np.testing.assert_allclose(paths["lstm_gru"], np.cumprod(1 + net.to_numpy()))
    assert list(paths.columns) == ["buy_and_hold", "lstm_gru"]
    with pytest.raises(ValueError, match="unknown model"):
        comparison.wealth_paths(result, models=["garch"])


def test_no_common_day_is_a_clear_error():
    results = synthetic_run(n=6)
    moved = results["CCC"].forecasts.copy()
    moved.index = moved.index + pd.Timedelta(days=400)
    results["CCC"] = type(results["CCC"])(
        directory=results["CCC"].directory,
        forecasts=moved,
        metrics=results["CCC"].metrics,
        record=results["CCC"].record,
        seed_scores=None,
    )
    with pytest.raises(ValueError, match="fewer than two test days"):
        comparison.pooled_strategy_table(results)


def test_plot_wealth_draws_every_strategy_on_a_log_axis():
    paths = comparison.wealth_paths(synthetic_run()["AAA"])
    fig = plots.plot_wealth(paths)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels[-1] == "Buy and hold" and "LSTM–GRU" in labels
    with pytest.raises(ValueError, match="positive"):
        plots.plot_wealth(paths - 2.0)


def test_strategy_metric_table_is_strategies_by_instrument():
    tables = comparison.strategy_tables(synthetic_run())
    sharpe = comparison.strategy_metric_table(tables, "sharpe", rule="long_short")
    assert list(sharpe.columns) == ["AAA", "BBB", "CCC"]
    assert sharpe.index[0] == "buy_and_hold" and "lstm_gru" in sharpe.index
    assert sharpe.loc["lstm_gru", "BBB"] == tables.loc[("BBB", "lstm_gru", "long_short"), "sharpe"]
    with pytest.raises(ValueError, match="no rule"):
        comparison.strategy_metric_table(tables, "sharpe", rule="short_only")
