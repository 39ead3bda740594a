"""Tuning grids: parsing and its errors, grid points, the choice, and the configuration."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lstmgru.config import PROFILES, ExperimentConfig, ModelConfig
from lstmgru.tuning import (
    apply_point,
    choose,
    format_grid,
    grid_points,
    largest_window,
    parse_grid,
    tuning_table,
)


def test_grid_text_is_parsed_typed_and_in_order() -> None:
    grid = parse_grid(" learning_rate = 0.001, 0.003 ; units=16,32;dropout=0,0.2 ")
    assert grid == {"learning_rate": (0.001, 0.003), "units": (16, 32), "dropout": (0.0, 0.2)}
    assert isinstance(grid["units"][0], int) and isinstance(grid["dropout"][0], float)
    assert parse_grid(format_grid(grid)) == grid
    assert format_grid(grid) == "learning_rate=0.001,0.003;units=16,32;dropout=0.0,0.2"
    for empty in (None, "", "  ", "none"):
        assert parse_grid(empty) == {}
    assert format_grid({}) == ""
    assert parse_grid({"window": [5, 10]}) == {"window": (5, 10)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "learning_rat=0.001",
            r"unknown hyper-parameter 'learning_rat'\. Did you mean "
            r"'learning_rate'\? Tunable: units, window, dropout, learning_rate",
        ),
        ("epochs=3,5", r"unknown hyper-parameter 'epochs'.*Tunable: units"),
        ("learning_rate", r"'learning_rate' lacks '='"),
        ("dropout=", r"dropout has no values"),
        ("units=8,x", r"units takes integers, got 'x'"),
        ("units=8.5", r"units takes integers, got '8.5'"),
        ("window=0,5", r"window values must be positive integers, got '0'"),
        ("dropout=0,1", r"dropout values must lie in \[0, 1\), got '1'"),
        ("learning_rate=0,0.1", r"learning_rate values must be positive, got '0'"),
        ("learning_rate=nan", r"learning_rate values must be positive"),
        ("dropout=0.1,0.1", r"dropout lists a value twice"),
        ("dropout=0;dropout=0.2", r"dropout is given twice"),
    ],
)
def test_bad_grids_are_rejected_naming_the_fix(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_grid(text)


def test_grid_points_cover_every_combination_first_name_slowest() -> None:
    points = grid_points({"units": (8, 16), "learning_rate": (0.1, 0.2, 0.3)})
    assert len(points) == 6
    assert points[0] == {"units": 8, "learning_rate": 0.1}
    assert points[2] == {"units": 8, "learning_rate": 0.3}
    assert points[3] == {"units": 16, "learning_rate": 0.1}
    assert grid_points({}) == [{}]


def test_a_point_sets_the_model_config_units_for_every_layer() -> None:
    model = ModelConfig(units=(64, 64, 64), window=20, dropout=0.2)
    tuned = apply_point(model, {"units": 8, "window": 5, "dropout": 0.0, "learning_rate": 0.01})
    assert tuned.units == (8, 8, 8) and tuned.window == 5
    assert tuned.dropout == 0.0 and tuned.learning_rate == 0.01
    assert tuned.epochs == model.epochs  # untouched fields stay
    assert apply_point(model, {}) == model
    assert largest_window({"window": (5, 30, 10)}, 20) == 30
    assert largest_window({"units": (8,)}, 20) == 20


def test_choose_takes_the_lowest_loss_the_earliest_on_a_tie() -> None:
    points = [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}]
    assert choose(points, [0.5, 0.2, 0.3, 0.9]) == 1
    assert choose(points, [0.5, 0.2, 0.2, 0.9]) == 1
    assert choose(points, [math.nan, None, 0.7, 0.6]) == 3  # no loss: never chosen
    with pytest.raises(ValueError, match="no grid point has a finite validation loss"):
        choose(points[:2], [None, math.nan])
    with pytest.raises(ValueError, match="one loss per point: 2 points, 1"):
        choose(points[:2], [0.1])


def test_tuning_table_from_fold_records() -> None:
    losses = [{"learning_rate": 0.001, "val_loss": 0.9}, {"learning_rate": 0.003, "val_loss": 0.8}]
    fold_models = {
        "lstm": [
            {"fold": 0, "tuned": {"learning_rate": 0.003}, "tuning_losses": losses},
            {"fold": 1, "tuned": {"learning_rate": 0.001}, "tuning_losses": losses},
        ],
        "gru": [{"fold": 0, "tuned": {"learning_rate": 0.003}, "tuning_losses": losses}],
        "arima": [{"fold": 0, "order": [1, 1, 0]}],
    }
    table = tuning_table(fold_models)
    assert list(table.index) == [(0, "lstm"), (0, "gru"), (1, "lstm")]
    assert table.loc[(0, "lstm"), "learning_rate"] == 0.003
    assert table.loc[(0, "lstm"), "val_loss"] == 0.8
    assert table.loc[(1, "lstm"), "val_loss"] == 0.9
    assert (table["points"] == 2).all()
    assert tuning_table({"arima": fold_models["arima"]}).equals(pd.DataFrame())


def test_config_keeps_the_canonical_grid_and_none_switches_it_off() -> None:
    config = ExperimentConfig.from_parameters("quick", tuning="dropout=0, 0.2")
    assert config.tuning == "dropout=0.0,0.2"
    # "" keeps the profile's grid (the runner's -p tuning ""), "none" switches it off.
    assert ExperimentConfig.from_parameters("quick", tuning="").tuning == (
        "learning_rate=0.001,0.003"
    )
    assert ExperimentConfig.from_parameters("quick", tuning="none").tuning == ""
    with pytest.raises(ValueError, match="unknown hyper-parameter 'unit'"):
        ExperimentConfig.from_parameters("quick", tuning="unit=8")
    assert PROFILES["default"]["tuning"] == "learning_rate=0.001,0.003"
    full = ExperimentConfig.from_parameters("full")
    assert len(grid_points(parse_grid(full.tuning))) == 8


def test_runner_empty_tuning_means_the_profile_grid() -> None:
    from lstmgru.runner.plan import config_kwargs

    kwargs = config_kwargs({"tuning": "", "window": 0, "ticker": "KO"})
    assert ExperimentConfig.from_parameters("quick", **kwargs).tuning == (
        "learning_rate=0.001,0.003"
    )
