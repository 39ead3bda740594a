"""ExperimentConfig: profiles, flat parameters, validation with messages that name the fix."""

from __future__ import annotations

import dataclasses

import pytest

from lstmgru.config import (
    PROFILES,
    DataConfig,
    ExperimentConfig,
    ModelConfig,
    parameter_names,
)


def test_profiles_build_and_differ_in_size() -> None:
    quick = ExperimentConfig.from_parameters("quick")
    default = ExperimentConfig.from_parameters("default")
    full = ExperimentConfig.from_parameters("full")
    assert quick.model.units == (8, 8) and quick.seeds == (0,)
    assert default.model.units == (32, 32) and default.seeds == (0, 1, 2)
    assert full.model.epochs > default.model.epochs > quick.model.epochs
    assert "lstm_gru" in quick.models and "lstm_gru_parallel" in full.models


def test_flat_overrides_and_none_keeps_profile_value() -> None:
    config = ExperimentConfig.from_parameters(
        "quick", ticker="KO", epochs=5, start=None, models="random_walk, arima", units="4,4"
    )
    assert config.data.ticker == "KO" and config.model.epochs == 5
    assert config.data.start == PROFILES["quick"]["start"]
    assert config.models == ("random_walk", "arima") and config.model.units == (4, 4)


def test_n_seeds_gives_range() -> None:
    assert ExperimentConfig.from_parameters("quick", n_seeds=3).seeds == (0, 1, 2)
    assert ExperimentConfig.from_parameters("quick", seeds="5,7").seeds == (5, 7)


def test_frozen() -> None:
    config = ExperimentConfig.from_parameters("quick")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seeds = (1,)  # type: ignore[misc]


def test_to_dict_is_nested() -> None:
    d = ExperimentConfig.from_parameters("quick", ticker="KO").to_dict()
    assert d["data"]["ticker"] == "KO" and d["model"]["window"] == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tickr": "KO"}, r"unknown parameter\(s\) 'tickr' \(did you mean ticker\?\)"),
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"units": "0,8"}, "units must be positive integers"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"models": "lstm,grux"}, "unknown model 'grux'. Did you mean 'gru'"),
        ({"models": "gru,gru"}, "lists a model twice"),
        ({"source": "yahoo"}, "unknown data source 'yahoo'"),
        ({"source": "csv"}, "needs csv_path"),
        ({"train_fraction": 0.9, "validation_fraction": 0.1}, "must leave a test span"),
        ({"target": "prices"}, "unknown target 'prices'. Did you mean 'price'"),
        ({"seeds": "1,1"}, "seeds must be distinct"),
        ({"n_seeds": 0}, "n_seeds must be a positive integer"),
        ({"arima_criterion": "hqic"}, "unknown arima_criterion"),
        ({"ar_max_p": -1}, "ar_max_p must be a non-negative integer"),
        ({"ar_max_p": 2.5}, "ar_max_p must be a non-negative integer"),
        ({"units": "8", "models": "gru_gru"}, "has 2 recurrent layers but units has only 1"),
        ({"units": "8", "models": "lstm_gru"}, "has 2 recurrent layers but units has only 1"),
        ({"learning_rate": -1.0}, "learning_rate must be positive"),
        ({"suspicious": "rejct"}, "unknown suspicious 'rejct'. Did you mean 'reject'"),
        ({"sep": ";;"}, r"sep must be one character.*set sep=\.\.\. \(data show --sep"),
        ({"thousands": ",", "decimal": ","}, "thousands and decimal must differ"),
        ({"encoding": "nosuchenc"}, "unknown encoding 'nosuchenc'"),
        ({"max_gap": True}, "max_gap must be a non-negative integer"),
        ({"date_format": " "}, "date_format must be a strftime format"),
    ],
)
def test_bad_values_raise_with_the_fix(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        ExperimentConfig.from_parameters("quick", **kwargs)


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown profile 'quik'. Did you mean 'quick'"):
        ExperimentConfig.from_parameters("quik")


def test_parameter_names_cover_every_field() -> None:
    names = parameter_names()
    for cls in (DataConfig, ModelConfig):
        assert {f.name for f in dataclasses.fields(cls)} <= names
    assert {"models", "seeds", "n_seeds", "arima_max_p"} <= names
    assert "data" not in names and "profile" not in names


def test_csv_options_reach_load_prices() -> None:
    from lstmgru.data import config_options

    config = ExperimentConfig.from_parameters(
        "quick",
        source="csv",
        csv_path="prices.csv",
        date_format="%d/%m/%Y",
        sep=";",
        thousands=".",
        decimal=",",
        max_gap=2,
        suspicious="reject",
        window=7,
    )
    options = config_options(config.data)
    assert options["date_format"] == "%d/%m/%Y" and options["sep"] == ";"
    assert options["thousands"] == "." and options["decimal"] == ","
    assert options["max_gap"] == 2 and options["suspicious"] == "reject"
    assert config.model.window == 7
    # the notebook's empty strings keep the defaults (infer the format, no thousands mark)
    default = ExperimentConfig.from_parameters("quick", date_format="", thousands="").data
    assert default.date_format is None and default.thousands is None
    assert default.sep == "," and default.decimal == "." and default.suspicious == "warn"
