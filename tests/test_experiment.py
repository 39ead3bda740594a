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
    config = ExperimentConfig.from_parameters(
        "quick", protocol="single", models="random_walk,drift", window=5
    )
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
    assert np.isnan(table.loc["random_walk", "cw_pvalue_vs_random_walk"])
    assert 0.0 <= table.loc["drift", "cw_pvalue_vs_random_walk"] <= 1.0
    assert table["mase_scale"].gt(0).all()  # stored so the comparison can rebuild the MASE


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
        "quick",
        protocol="single",
        models="random_walk,lstm",
        units="4",
        window=5,
        epochs=2,
        seeds="3",
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
        "quick",
        protocol="single",
        models="random_walk,lstm_gru",
        units="4,4",
        window=5,
        epochs=2,
        seeds="0,1",
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
    from lstmgru.leakage import ablation as ablation_module

    frame = synthetic_prices(300, seed=3).assign(close=42.0)
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters(
        "quick", protocol="single", models="random_walk,drift", window=5
    )
    result = run_experiment(config, frame, progress=False)
    table = result.comparison(mcs_reps=50)
    assert list(table.index) == ["random_walk", "drift"]
    for column in ("theil_u2", "r2_oos", "mase", "cw_pvalue_vs_random_walk", "pt_pvalue"):
        assert table[column].isna().all(), column
    assert table["mcs_pvalue"].isna().all() and table["in_mcs"].isna().all()
    assert (table["rmse"] == 0.0).all() and (table["directional_accuracy"] == 1.0).all()
    # The ablation table's statistics on the same data (drift standing in for the hybrid).
    monkeypatch.setattr(ablation_module, "ABLATION_MODEL", "drift")
    ablation = ablation_table(result, result)
    assert ablation["theil_u2"].isna().all()
    assert ablation["correlation_with_actual"].isna().all()  # constant prices
    assert ablation["dm_pvalue_vs_random_walk"].isna().all()
    assert (ablation["rmse"] == 0.0).all()


# --- rolling origin -------------------------------------------------------------------------

#: Two folds of 40 and 15 test days (the last two of 40, 40, 40, 15 from row 765 of 900), with
#: random walk, drift, ARIMA and the cheapest network, tuned over two windows before each fold.
ROLLING = {
    "protocol": "rolling",
    "first_test": 0.85,
    "validation_days": 63,
    "fold": "days",
    "fold_days": 40,
    "n_folds": 2,
    "tuning": "window=4,6",
    "models": "random_walk,drift,arima,lstm",
    "units": "4",
    "window": 5,
    "epochs": 2,
    "seeds": "0",
    "jit_compile": False,  # XLA compilation would double the time of these tiny fits
}


def _rolling_run(frame, weights_dir):
    frame = frame.copy()
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters("quick", **ROLLING)
    return run_experiment(config, frame, progress=False, weights_dir=weights_dir)


@pytest.fixture(scope="module")
def rolling(tmp_path_factory):
    """The base run and, per fold, a run with prices changed from the fold's first test day."""
    frame = synthetic_prices(900, seed=4)
    base_dir = tmp_path_factory.mktemp("base")
    base = _rolling_run(frame, base_dir)
    altered = []
    rng = np.random.default_rng(9)
    for fold in base.folds:
        changed_frame = frame.copy()
        changed = frame.index >= fold.test.index[0]
        changed_frame.loc[changed, "close"] *= rng.uniform(0.5, 2.0, int(changed.sum()))
        directory = tmp_path_factory.mktemp(f"altered{fold.index}")
        altered.append((_rolling_run(changed_frame, directory), directory))
    return base, base_dir, altered


def test_rolling_forecasts_cover_the_folds_test_days_once(rolling) -> None:
    result, _, _ = rolling
    assert [len(f.test) for f in result.folds] == [40, 15]
    union = result.folds[0].test.index.append(result.folds[1].test.index)
    assert union.is_unique and union[0] == pd.Timestamp(result.split.test.index[0])
    pd.testing.assert_index_equal(result.actual.index, union)
    for name, forecast in {**result.forecasts, **result.seed_forecasts}.items():
        pd.testing.assert_index_equal(pd.DatetimeIndex(forecast.dates), union, obj=name)
    # Each fold's forecasts are those of models fitted for that fold: the drift of fold k is
    # the mean training log return of fold k, fold 1's training span being the longer.
    drift = result.forecasts["drift"].log_return
    for fold, part in zip(result.folds, (drift[:40], drift[40:]), strict=True):
        mu = np.diff(np.log(fold.train["close"].to_numpy())).mean()
        np.testing.assert_allclose(part, mu)
    assert drift[0] != drift[-1]
    # Metrics run over all 55 days: the random walk's RMSE is that of the daily price changes.
    table = result.comparison(mcs_reps=50)
    change = result.actual.to_numpy() - result.previous.to_numpy()
    assert table.loc["random_walk", "rmse"] == pytest.approx(np.sqrt(np.mean(change**2)))
    assert list(table.index) == ["random_walk", "drift", "arima", "lstm"]
    assert len(result.forecast_table()) == 55 and len(result.errors()) == 55
    assert set(result.seed_scores()["model"]) == {"lstm"}


def test_rolling_model_info_records_every_fold(rolling) -> None:
    result, _, _ = rolling
    info = result.model_info()
    assert info["protocol"] == "rolling"
    assert [f["test_rows"] for f in info["folds"]] == [40, 15]
    assert info["folds"][1]["train_last"] > info["folds"][0]["train_last"]
    arima = info["fold_models"]["arima"]
    assert [r["fold"] for r in arima] == [0, 1] and all(len(r["order"]) == 3 for r in arima)
    assert arima[1]["order"] == info["models"]["arima"]["order"]  # the last fold's record
    assert info["models"]["arima"]["fold"] == 1
    seeds = info["fold_models"]["lstm#s0"]
    assert [r["best_epoch"] for r in seeds] == [
        result.fold_forecasts[k]["lstm#s0"].info["best_epoch"] for k in (0, 1)
    ]
    assert {r["test_first"] for r in seeds} == {str(f.test.index[0].date()) for f in result.folds}
    # Each fold tunes the network over the grid by validation loss, and the first seed's member
    # is the grid fit of the chosen point (its record carries that point's loss).
    for k in (0, 1):
        family = info["fold_models"]["lstm"][k]
        assert [p["window"] for p in family["tuning_losses"]] == [4, 6]
        chosen = family["tuned"]
        losses = {p["window"]: p["val_loss"] for p in family["tuning_losses"]}
        assert losses[chosen["window"]] == min(losses.values())
        assert seeds[k]["tuned"] == chosen and seeds[k]["best_val_loss"] == losses[chosen["window"]]
    table = result.tuning_table()
    assert list(table.index) == [(0, "lstm"), (1, "lstm")] and (table["points"] == 2).all()
    orders = result.fold_orders()
    assert orders["arima_order"].tolist() == [
        "(" + ", ".join(str(v) for v in r["order"]) + ")" for r in arima
    ]
    json.dumps(info)  # the record stays JSON-serialisable
    # The training history shown is the last fold's, any other on request.
    last = result.training_history("lstm")
    first = result.training_history("lstm", fold=0)
    assert last["loss"].tolist() == result.fold_forecasts[1]["lstm#s0"].info["history"]["loss"]
    assert first["loss"].tolist() != last["loss"].tolist()
    with pytest.raises(ValueError, match="no fold 2; this run has folds 0 to 1"):
        result.training_history("lstm", fold=2)


def _weights(path):
    import h5py

    arrays = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(
            lambda name, node: (
                arrays.__setitem__(name, node[()]) if isinstance(node, h5py.Dataset) else None
            )
        )
    return arrays


def _fitted(info):
    """A forecast's record without wall times."""
    return {k: v for k, v in info.items() if "seconds" not in k}


def test_leakage_per_fold_in_the_experiment(rolling) -> None:
    """For every fold k: prices changed on and after its first test day change nothing fitted
    for folds up to k (scaler, drift, ARIMA order and parameters, the tuning grid's validation
    losses and choice, network weights and history) and no forecast up to that day; fold
    k + 1's fits and later forecasts do change."""
    base, base_dir, altered = rolling
    for fold, (result, directory) in zip(base.folds, altered, strict=True):
        first_day = fold.test.index[0]
        assert result.describe_folds().equals(base.describe_folds())
        for j in range(fold.index + 1):
            for label, forecast in base.fold_forecasts[j].items():
                assert _fitted(result.fold_forecasts[j][label].info) == _fitted(forecast.info), (
                    fold.index,
                    j,
                    label,
                )
            tuning = base.fold_forecasts[j]["lstm"].info["tuning_losses"]
            assert len(tuning) == 2  # two grid points, each with its validation loss
            assert result.fold_forecasts[j]["lstm"].info["tuning_losses"] == tuning
            assert (
                result.fold_forecasts[j]["lstm"].info["tuned"]
                == (base.fold_forecasts[j]["lstm"].info["tuned"])
            )
            ours = _weights(base_dir / "lstm" / "s0" / f"fold{j}" / "model.weights.h5")
            theirs = _weights(directory / "lstm" / "s0" / f"fold{j}" / "model.weights.h5")
            assert ours.keys() == theirs.keys() and ours
            for key in ours:
                assert np.array_equal(ours[key], theirs[key]), (fold.index, j, key)
        before = base.price_forecasts(seeds=True).loc[:first_day]
        after = result.price_forecasts(seeds=True).loc[:first_day]
        pd.testing.assert_frame_equal(after, before)
        # The change has teeth: later forecasts move, and so does the next fold's validation
        # loss (fold 0's test days lie in fold 1's validation span, not in its training span).
        later = base.price_forecasts().index > first_day
        assert not np.allclose(
            result.price_forecasts()["random_walk"][later],
            base.price_forecasts()["random_walk"][later],
        )
        if fold.index + 1 < len(base.folds):
            key = fold.index + 1
            assert (
                result.fold_forecasts[key]["lstm#s0"].info["history"]["val_loss"]
                != base.fold_forecasts[key]["lstm#s0"].info["history"]["val_loss"]
            )
            assert (
                result.fold_forecasts[key]["lstm"].info["tuning_losses"]
                != base.fold_forecasts[key]["lstm"].info["tuning_losses"]
            )


# --- checkpoints ----------------------------------------------------------------------------

#: Two folds, random walk, drift and a network tuned over two learning rates with two seeds:
#: per fold 2 + 2 (grid, first seed) + 1 (second seed, chosen point) = 5 fits.
CHECKPOINTED = {
    "protocol": "rolling",
    "first_test": 0.85,
    "validation_days": 40,
    "fold": "days",
    "fold_days": 40,
    "n_folds": 2,
    "models": "random_walk,drift,lstm",
    "units": "4",
    "window": 5,
    "epochs": 1,
    "seeds": "0,1",
    "tuning": "learning_rate=0.001,0.01",
    "jit_compile": False,
}


def _same_forecasts(one, other) -> None:
    assert list(one.forecasts) == list(other.forecasts)
    for label, forecast in {**one.forecasts, **one.seed_forecasts}.items():
        theirs = {**other.forecasts, **other.seed_forecasts}[label]
        pd.testing.assert_index_equal(pd.DatetimeIndex(theirs.dates), forecast.dates)
        np.testing.assert_array_equal(theirs.price, forecast.price, err_msg=label)
        np.testing.assert_array_equal(theirs.log_return, forecast.log_return, err_msg=label)
    records = [
        {name: [_fitted(r) for r in rs] for name, rs in result.model_info()["fold_models"].items()}
        for result in (one, other)
    ]
    assert records[0] == records[1]  # wall times aside (a refitted fit takes its own time)


def test_checkpoints_resume_without_refitting(tmp_path, monkeypatch) -> None:
    from lstmgru import fitting

    calls = []
    build = fitting.build_forecaster

    def counting(name, config, seed=0):
        calls.append((name, seed, config.model.learning_rate))
        return build(name, config, seed=seed)

    monkeypatch.setattr(fitting, "build_forecaster", counting)
    frame = synthetic_prices(500, seed=6)
    frame.attrs["provenance"] = _provenance(frame, "synthetic", "SYN", 0)
    config = ExperimentConfig.from_parameters("quick", **CHECKPOINTED)
    checkpoints = tmp_path / "checkpoints"

    def run(config=config, frame=frame, weights="w"):
        calls.clear()
        return run_experiment(
            config,
            frame,
            progress=False,
            checkpoint_dir=checkpoints,
            weights_dir=tmp_path / weights,
        )

    first = run()
    assert len(calls) == 2 * 5
    # Seed 0 is fitted once per grid point only: its member is the chosen point's fit.
    assert sorted(c[2] for c in calls if c[:2] == ("lstm", 0)) == [0.001, 0.001, 0.01, 0.01]
    assert len(list(checkpoints.glob("fold*/*/*.json"))) == 10
    assert not list(checkpoints.rglob(".*tmp*"))  # written through temporary files, all replaced

    # A rerun loads every fit: nothing is fitted, the forecasts and records are the same, and
    # the networks' weights are restored from the checkpoints.
    second = run(weights="w2")
    assert calls == []
    _same_forecasts(first, second)
    assert first.model_info()["fold_models"] == second.model_info()["fold_models"]
    for seed in ("s0", "s1"):
        for fold in ("fold0", "fold1"):
            saved = f"lstm/{seed}/{fold}/model.weights.h5"
            assert (tmp_path / "w2" / saved).read_bytes() == (tmp_path / "w" / saved).read_bytes()

    # A lost, a half-written and a stale checkpoint are each fitted again, and only they.
    chosen = first.fold_forecasts[0]["lstm"].info["tuned"]["learning_rate"]
    point = [0.001, 0.01].index(chosen)
    (checkpoints / "fold1" / "drift" / "fit.json").unlink()
    half = checkpoints / "fold0" / "lstm" / f"s1.p{point}.json"
    half.write_text(half.read_text()[: len(half.read_text()) // 2])
    stale = checkpoints / "fold1" / "random_walk" / "fit.json"
    stale.write_text(stale.read_text().replace('"key": "', '"key": "0'))
    third = run(weights="w3")
    assert sorted(calls) == [("drift", 0, 0.001), ("lstm", 1, chosen), ("random_walk", 0, 0.001)]
    _same_forecasts(first, third)

    # A changed configuration or changed data reuses nothing.
    cheaper = ExperimentConfig.from_parameters(
        "quick", **{**CHECKPOINTED, "models": "random_walk,drift"}
    )
    run(cheaper)
    assert len(calls) == 2 * 2
    changed = frame.copy()
    changed["close"] *= 1.01
    changed.attrs["provenance"] = _provenance(changed, "synthetic", "SYN", 0)
    run(cheaper, changed)
    assert len(calls) == 2 * 2
