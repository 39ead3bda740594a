"""One experiment end to end on cheap models, and the results round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_prices

from lstmgru.config import ExperimentConfig
from lstmgru.data import _provenance
from lstmgru.experiment import ablation_table, price_ablation, run_experiment
from lstmgru.runs import read_results, write_results


@pytest.fixture
def cheap_result():
    frame = synthetic_prices(500, seed=3)
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters("quick", models="random_walk,drift", window=5)
    return run_experiment(config, frame, progress=False)


def test_forecasts_cover_the_test_span(cheap_result) -> None:
    result = cheap_result
    assert list(result.forecasts) == ["random_walk", "drift"]
    dates = result.split.test.index
    assert len(dates) == 75  # 15 % of 500 rows
    rw = result.forecasts["random_walk"]
    pd.testing.assert_index_equal(pd.DatetimeIndex(rw.dates), pd.DatetimeIndex(dates))
    # The random walk forecasts yesterday's close.
    np.testing.assert_array_equal(rw.price, result.previous.to_numpy())
    drift = result.forecasts["drift"]
    mu = np.diff(np.log(result.split.train["close"].to_numpy())).mean()
    np.testing.assert_allclose(drift.log_return, mu)


def test_comparison_has_the_random_walk_as_unit(cheap_result) -> None:
    table = cheap_result.comparison(mcs_reps=200)
    assert table.loc["random_walk", "theil_u2"] == pytest.approx(1.0)
    assert np.isnan(table.loc["random_walk", "dm_pvalue_vs_random_walk"])
    assert 0.0 <= table.loc["drift", "dm_pvalue_vs_random_walk"] <= 1.0


def test_results_round_trip(cheap_result, tmp_path) -> None:
    result = cheap_result
    table = result.comparison(mcs_reps=200)
    write_results(
        tmp_path / "SYN",
        forecasts=result.forecast_table(),
        metrics=table,
        seed_scores=result.seed_scores(),
        record={"provenance": result.provenance, "config": result.config.to_dict()},
    )
    stored = read_results(tmp_path / "SYN")
    assert stored.ticker == "SYN"
    assert list(stored.forecasts.columns) == ["actual", "previous", "random_walk", "drift"]
    np.testing.assert_allclose(stored.metrics.loc["drift", "rmse"], table.loc["drift", "rmse"])
    assert stored.seed_scores is None  # no network, no seed table
    record = json.loads((tmp_path / "SYN" / "result.json").read_text())
    assert record["versions"]["lstmgru"] and record["provenance"]["sha256"]


def test_incomplete_result_is_refused(tmp_path) -> None:
    (tmp_path / "metrics.csv").write_text("model,rmse\n")
    with pytest.raises(FileNotFoundError, match="missing"):
        read_results(tmp_path)


def test_network_runs_are_saved_and_their_history_is_available(tmp_path) -> None:
    frame = synthetic_prices(300, seed=5)
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters(
        "quick", models="random_walk,lstm", units="4", window=5, epochs=2, seeds="3"
    )
    result = run_experiment(config, frame, progress=False, weights_dir=tmp_path)
    saved = tmp_path / "lstm" / "s3"
    assert (saved / "model.weights.h5").is_file() and (saved / "history.json").is_file()
    history = result.training_history("lstm")
    assert list(history.columns) == ["loss", "val_loss"]
    assert len(history) == result.seed_forecasts["lstm#s3"].info["epochs_used"] <= 2
    assert history.index[0] == 1
    with pytest.raises(ValueError, match="no network run 'gru#s3'; networks of this run: lstm#s3"):
        result.training_history("gru")


def test_price_ablation_scores_the_hybrid_on_the_same_days() -> None:
    frame = synthetic_prices(400, seed=11)
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters(
        "quick", models="random_walk,lstm_gru", units="4,4", window=5, epochs=2, seeds="0,1"
    )
    main = run_experiment(config, frame, progress=False)
    price = price_ablation(config, frame, window=20, progress=False)
    assert price.config.model.target == "price" and price.config.model.window == 20
    assert price.config.seeds == (0,) and list(price.forecasts) == ["random_walk", "lstm_gru"]
    table = ablation_table(main, price)
    assert list(table.index) == [
        "random walk",
        "hybrid, log-return target",
        "hybrid, price-level target",
    ]
    assert table.loc["random walk", "theil_u2"] == pytest.approx(1.0)
    assert np.isnan(table.loc["random walk", "dm_pvalue_vs_random_walk"])
    # The random walk's correlation with the actual close is that of consecutive closes.
    expected = np.corrcoef(main.previous, main.actual)[0, 1]
    assert table.loc["random walk", "correlation_with_actual"] == pytest.approx(expected)
    assert table["correlation_with_actual"].between(-1, 1).all()


def test_constant_prices_give_tables_with_nan_not_an_exception(monkeypatch) -> None:
    from lstmgru import experiment

    frame = synthetic_prices(300, seed=3).assign(close=42.0)
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters("quick", models="random_walk,drift", window=5)
    result = run_experiment(config, frame, progress=False)
    table = result.comparison(mcs_reps=50)
    assert list(table.index) == ["random_walk", "drift"]
    for column in ("theil_u2", "r2_oos", "mase", "dm_pvalue_vs_random_walk", "pt_pvalue"):
        assert table[column].isna().all(), column
    assert table["mcs_pvalue"].isna().all() and table["in_mcs"].isna().all()
    assert (table["rmse"] == 0.0).all() and (table["directional_accuracy"] == 1.0).all()
    # The ablation table's statistics on the same data (drift standing in for the hybrid).
    monkeypatch.setattr(experiment, "ABLATION_MODEL", "drift")
    ablation = ablation_table(result, result)
    assert ablation["theil_u2"].isna().all()
    assert ablation["correlation_with_actual"].isna().all()  # constant prices
    assert ablation["dm_pvalue_vs_random_walk"].isna().all()
    assert (ablation["rmse"] == 0.0).all()
