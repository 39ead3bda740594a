"""The leakage chapter: setups as data, one change per row, scalers and validation data per row."""

from __future__ import annotations

import dataclasses
import itertools
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from lstmgru import leakage
from lstmgru.config import PROFILES
from lstmgru.leakage import LEAKAGE_PROFILES, SETUP_A, SETUP_B, changed_fields, ladder, prepare


def _trending_close(n: int, seed: int = 0) -> pd.Series:
    """A close that drifts upward, so the test span leaves the training range."""
    rng = np.random.default_rng(seed)
    log_price = np.log(50.0) + np.cumsum(0.002 + 0.01 * rng.standard_normal(n))
    return pd.Series(np.exp(log_price), index=pd.bdate_range("2015-01-01", periods=n))


def _small(setup: leakage.Setup, **changes) -> leakage.Setup:
    """The setup on tiny data: window 10, as many rows as given, published share of rows."""
    rows = changes.pop("rows", 200)
    train = round(setup.train / setup.rows * rows) if isinstance(setup.train, int) else setup.train
    return dataclasses.replace(setup, window=10, rows=rows, train=train, **changes)


# --- the setups and their rows --------------------------------------------------------------


def test_setups_are_the_published_architectures() -> None:
    assert (SETUP_A.layers, SETUP_A.units) == (("gru", "gru"), (80, 100))
    assert (SETUP_A.train, SETUP_A.rows, SETUP_A.window) == (2126, 2426, 60)
    assert (SETUP_A.batch_size, SETUP_A.epochs, SETUP_A.learning_rate) == (64, 50, 1e-3)
    assert (SETUP_A.scaler_fit, SETUP_A.refit_on_test, SETUP_A.validation) == (
        "train",
        True,
        "test",
    )
    assert (SETUP_B.layers, SETUP_B.units) == (("lstm", "lstm"), (50, 50))
    assert (SETUP_B.train, SETUP_B.batch_size, SETUP_B.epochs) == (0.8, 32, 10)
    assert (SETUP_B.scaler_fit, SETUP_B.refit_on_test, SETUP_B.validation) == (
        "full",
        False,
        "none",
    )


def test_each_repair_changes_exactly_one_setting() -> None:
    rows_a = ladder(SETUP_A)
    assert [step.key for step, _ in rows_a] == [
        "published",
        "validation_span",
        "no_test_refit",
        "thesis",
    ]
    assert [changed_fields(a, b) for (_, a), (_, b) in itertools.pairwise(rows_a)] == [
        ("validation",),
        ("refit_on_test",),
        ("target",),
    ]
    rows_b = ladder(SETUP_B)
    assert [step.key for step, _ in rows_b] == ["published", "train_scaler", "thesis"]
    # B selects no epoch as published, so its thesis row also brings in the validation span
    assert [changed_fields(a, b) for (_, a), (_, b) in itertools.pairwise(rows_b)] == [
        ("scaler_fit",),
        ("validation", "target"),
    ]


def test_setup_validation_names_the_fix() -> None:
    with pytest.raises(ValueError, match="validation must be one of"):
        dataclasses.replace(SETUP_A, validation="train")
    with pytest.raises(ValueError, match="thesis protocol"):
        dataclasses.replace(SETUP_B, target="return")  # still has the full-series scaler


def test_profiles_shrink_only_the_quick_run() -> None:
    assert set(LEAKAGE_PROFILES) == set(PROFILES)  # the runner passes the run's profile name
    quick = leakage.leakage_settings("quick")
    a, b = quick.setups
    assert a.rows == b.rows == LEAKAGE_PROFILES["quick"]["rows"]
    assert a.train == round(2126 / 2426 * a.rows)  # the published share of training rows
    assert quick.fast_compile and a.epochs == LEAKAGE_PROFILES["quick"]["epochs"]
    default = leakage.leakage_settings("default")
    # the thesis's default run reports a spread over seeds for every row (at least three)
    assert default.setups == leakage.SETUPS and len(default.seeds) >= 3
    assert leakage.leakage_settings("default", n_seeds=2).seeds == (0, 1)
    with pytest.raises(ValueError, match="unknown profile"):
        leakage.leakage_settings("fast")


# --- what each row fits its scaler on and validates on ----------------------------------------


def test_setup_b_rows_fit_the_scaler_on_the_whole_series_then_on_training_only() -> None:
    setup = _small(SETUP_B)
    close = _trending_close(200)
    (_, published), (_, repaired), _ = ladder(setup)
    before, after = prepare(published, close), prepare(repaired, close)
    last_train = close.index.get_loc(before.train_dates[-1])
    assert (before.train_scaler.data_min, before.train_scaler.data_max) == (
        close.min(),
        close.max(),
    )
    train = close.iloc[: last_train + 1]
    assert (after.train_scaler.data_min, after.train_scaler.data_max) == (train.min(), train.max())
    assert after.train_scaler.data_max < before.train_scaler.data_max  # the test span is higher
    # nothing else changes: same days, no validation data in either row
    assert after.train_dates.equals(before.train_dates)
    assert after.test_dates.equals(before.test_dates)
    assert len(before.validation_dates) == len(after.validation_dates) == 0
    # 80 % of the windows train, the rest test
    n_windows = len(close) - setup.window
    assert len(before.train_dates) == int(0.8 * n_windows)


def test_setup_a_rows_change_the_validation_data_then_the_test_scaler() -> None:
    setup = _small(SETUP_A, rows=240)
    close = _trending_close(240, seed=1)
    (_, r1), (_, r2), (_, r3), (_, r4) = ladder(setup)
    p1, p2, p3, p4 = (prepare(r, close) for r in (r1, r2, r3, r4))
    n_train = setup.train
    train_rows, test_rows = close.iloc[:n_train], close.iloc[n_train:]
    # row 1: scaler of the training windows on the training rows, refitted on the test rows,
    # and the test windows are the validation data
    assert (p1.train_scaler.data_min, p1.train_scaler.data_max) == (
        train_rows.min(),
        train_rows.max(),
    )
    assert (p1.test_scaler.data_min, p1.test_scaler.data_max) == (
        test_rows.min(),
        test_rows.max(),
    )
    assert p1.validation_dates.equals(p1.test_dates)
    assert p1.test_dates[0] == close.index[n_train + setup.window]  # windows inside the test rows
    # row 2: validation on the last 15 % of the training windows; the scalers stay
    assert p2.validation_dates[-1] < p2.test_dates[0]
    assert p2.train_dates[-1] < p2.validation_dates[0]
    assert p2.train_dates.append(p2.validation_dates).equals(p1.train_dates)
    assert len(p2.validation_dates) == round(0.15 * len(p1.train_dates))
    assert (p2.train_scaler, p2.test_scaler) == (p1.train_scaler, p1.test_scaler)
    # row 3: the test windows are scaled with the training scaler; validation as in row 2
    assert p3.test_scaler == p3.train_scaler == p2.train_scaler
    assert p3.validation_dates.equals(p2.validation_dates)
    assert np.array_equal(p3.x_train, p2.x_train) and np.array_equal(
        p3.x_validation, p2.x_validation
    )
    assert not np.allclose(p3.x_test, p2.x_test)
    # row 4 keeps the days of row 3
    assert p4.validation_dates.equals(p3.validation_dates) and p4.test_dates.equals(p3.test_dates)


def test_rows_that_train_the_same_network_share_an_identity() -> None:
    setup = _small(SETUP_A, rows=240)
    close = _trending_close(240, seed=2)
    (_, r1), (_, r2), (_, r3), _ = ladder(setup)
    p1, p2, p3 = (prepare(r, close) for r in (r1, r2, r3))
    identity = leakage.training_identity
    assert identity(r2, p2) == identity(r3, p3)  # only the test scaling differs
    assert identity(r1, p1) != identity(r2, p2)  # other training and validation data


def test_a_test_span_shorter_than_the_window_is_an_error() -> None:
    setup = _small(SETUP_A, rows=100)
    with pytest.raises(ValueError, match="test span has"):
        prepare(dataclasses.replace(setup, train=95), _trending_close(100))


# --- scores and text ----------------------------------------------------------------------------


def test_scores_against_the_random_walk() -> None:
    close = _trending_close(120, seed=3)
    actual, previous = close.iloc[1:], close.shift(1).iloc[1:]
    walk = leakage.score_forecast(actual, previous, previous)
    assert walk["theil_u2"] == pytest.approx(1.0)
    assert np.isnan(walk["dm_pvalue"])  # the random walk against itself
    assert np.isnan(walk["directional_accuracy"])  # it calls no direction
    half_way = previous + 0.5 * (actual - previous)
    scores = leakage.score_forecast(actual, half_way, previous)
    assert scores["theil_u2"] == pytest.approx(0.5)
    assert scores["directional_accuracy"] == pytest.approx(1.0)
    assert scores["dm_statistic"] < 0 and scores["dm_pvalue"] < 0.05


def _summary(u2: list[float]) -> pd.DataFrame:
    rows = range(len(u2) + 1)
    index = pd.MultiIndex.from_product([["A"], rows], names=["setup", "row"])
    return pd.DataFrame(
        {
            "step": ["random walk", *[f"step {r}" for r in rows][1:]],
            "rmse": [1.0, *u2],
            "theil_u2": [1.0, *u2],
            "correlation": 0.99,
            "directional_accuracy": 0.5,
            "dm_statistic": [np.nan] + [1.0] * len(u2),
            "dm_pvalue": [np.nan] + [0.01] * len(u2),
            "seeds": [np.nan] + [1] * len(u2),
            "dm_better": [np.nan] + [0] * len(u2),
            "dm_worse": [np.nan] + [1] * len(u2),
        },
        index=index,
    )


def test_findings_weigh_each_change_against_the_spread_over_seeds() -> None:
    summary = _summary([0.6, 1.3, 1.32]).assign(theil_u2_std=[np.nan, 0.05, 0.05, 0.05])
    text = " ".join(leakage.findings_text(summary))
    assert "had lowered $U_2$ by 0.700; larger than the spread over seeds" in text  # 0.7 > 0.05
    assert "had lowered $U_2$ by 0.020; within the spread over seeds" in text  # 0.02 < 0.05


def test_findings_follow_the_numbers() -> None:
    text = " ".join(leakage.findings_text(_summary([0.6, 1.3, 1.1])))
    assert "$U_2$ 0.600 (below 1)" in text
    assert "row 2 (step 2) raises $U_2$ from 0.600 to 1.300" in text
    assert "the leak it removes had lowered $U_2$ by 0.700" in text
    assert "row 3 (step 3) lowers $U_2$ from 1.300 to 1.100" in text
    assert "this leak had not made the forecast look better" in text
    assert "one seed, so no spread over seeds" in text
    assert "the Diebold–Mariano test at the 5 % level finds the forecast better or worse" in text
    assert "row 3: 0 better and 1 worse of 1." in text
    changes = leakage.inflation_table(_summary([0.6, 1.3, 1.1]))
    assert changes["delta_theil_u2"].to_list() == pytest.approx([0.7, -0.2])


# --- fitting --------------------------------------------------------------------------------


def test_ladder_fits_every_row_and_reuses_an_identical_network() -> None:
    a = _small(SETUP_A, rows=200, epochs=1, units=(4, 4))
    b = _small(SETUP_B, rows=160, epochs=1, units=(4, 4))
    closes = {"A": _trending_close(200, seed=4), "B": _trending_close(160, seed=5)}
    result = leakage.run_ladder((a, b), (0,), closes=closes, progress=False, fast_compile=True)
    assert result.rows["step"].to_list() == [
        "published",
        "validation_span",
        "no_test_refit",
        "thesis",
        "published",
        "train_scaler",
        "thesis",
    ]
    scores = result.scores.set_index(["setup", "row"])
    assert scores.loc[("A", 0), "theil_u2"] == pytest.approx(1.0)  # the random walk
    # a row number means the same repair in both setups
    assert result.rows["row"].to_list() == [1, 3, 4, 5, 1, 2, 5]
    # row 4 of A reuses row 3's network: no fit, other test scaling, other forecasts
    assert scores.loc[("A", 4), "fit_seconds"] == 0.0 and scores.loc[("A", 3), "fit_seconds"] > 0
    assert scores.loc[("A", 4), "best_epoch"] == scores.loc[("A", 3), "best_epoch"]
    assert not np.allclose(result.forecasts[("A", 4, 0)], result.forecasts[("A", 3, 0)])
    assert result.rows.set_index(["setup", "row"]).loc[("B", 5), "changed"] == (
        "validation, target"
    )
    summary = leakage.summary_table(result)
    assert list(summary.loc["A"].index) == [0, 1, 3, 4, 5]
    walk = summary.loc[("A", 0)]  # the benchmark: no direction, no test against itself
    assert walk[["directional_accuracy", "dm_better", "dm_worse"]].isna().all()
    assert summary.loc[("A", 1), "dm_better"] + summary.loc[("A", 1), "dm_worse"] <= 1
    assert len(leakage.findings_text(summary)) >= 2
    # the generated sentences: counts in words, a space before the per-cent sign
    from lstmgru.leakage.prose import cost_text, setup_text
    from lstmgru.leakage.setups import Settings

    settings = Settings("quick", (a, b), (0,), ablation=False, fast_compile=True)
    cost = cost_text(result, settings, 10.0, 12.0)
    assert cost[0].startswith(
        "Setup A: four rows × one seed, three networks trained and one reused"
    )
    assert cost[1].startswith("Setup B: three rows × one seed, three networks trained, took")
    spans = setup_text(result, settings)
    assert re.search(
        r"In setup A \(\w+, [-\d]+ to [-\d]+, 200 rows\), \d+ % of the \d+ test", spans
    )
    assert not re.search(r"\d%", spans)


# --- the chapter in the pipeline -------------------------------------------------------------


@pytest.mark.slow
def test_the_leakage_chapter_runs_once_per_run(quick_run) -> None:
    from lstmgru.report.paths import RunNotebooks
    from lstmgru.runs import LEAKAGE_NOTEBOOK, read_json

    record = read_json(quick_run.run_dir / "run.json")
    assert record["notebooks"]["05_leakage"]["status"] == "done"
    found = RunNotebooks.load(quick_run.run_dir)
    assert found.leakage == quick_run.run_dir / LEAKAGE_NOTEBOOK
    assert LEAKAGE_NOTEBOOK in found.executed()
    executed = nbformat.read(found.leakage, as_version=4)
    by_label = {c.metadata["label"]: c for c in executed.cells if "label" in c.metadata}
    for label in ("tab:leakage-rows", "tab:price-ablation"):
        latex = "".join(
            o.get("data", {}).get("text/latex", "") for o in by_label[label].get("outputs", [])
        )
        assert r"\toprule" in latex, label
    ablation = "".join(
        o.get("data", {}).get("text/latex", "")
        for o in by_label["tab:price-ablation"].get("outputs", [])
    )
    for ticker in quick_run.finished:
        assert ticker in ablation
    markdown = "".join(
        o.get("data", {}).get("text/markdown", "")
        for c in executed.cells
        for o in c.get("outputs", [])
    )
    assert "Setup A as published" in markdown and "Setup B as published" in markdown
