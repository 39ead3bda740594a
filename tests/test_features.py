"""Chronological split, train-only scaling, windows, and the leakage test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_prices

from lstmgru.features import (
    FittedScaler,
    InsufficientDataError,
    Split,
    chronological_split,
    log_returns,
    make_supervised,
    windows_for_dates,
)


def test_split_is_chronological_and_complete(prices) -> None:
    split = chronological_split(prices, 0.7, 0.15)
    assert (len(split.train), len(split.validation), len(split.test)) == (280, 60, 60)
    assert split.train.index[-1] < split.validation.index[0]
    assert split.validation.index[-1] < split.test.index[0]
    pd.testing.assert_series_equal(split.close, prices["close"])


def test_split_by_dates(prices) -> None:
    split = chronological_split(prices, validation_start="2016-01-01", test_start="2016-04-01")
    assert split.validation.index[0] == pd.Timestamp("2016-01-01")
    assert split.test.index[0] == pd.Timestamp("2016-04-01")


def test_too_few_rows_says_how_many_are_needed(prices) -> None:
    with pytest.raises(InsufficientDataError, match="at least 132 rows are needed"):
        # window 60 needs 60 + 1 + 5 = 66 training rows; at a 0.5 share that is 132 rows
        chronological_split(prices.iloc[:100], 0.5, 0.25, window=60)
    assert len(chronological_split(prices.iloc[:132], 0.5, 0.25, window=60).train) == 66
    with pytest.raises(ValueError, match="sorted DatetimeIndex"):
        chronological_split(prices.iloc[::-1])


def test_log_returns() -> None:
    close = pd.Series([100.0, 110.0, 99.0], index=pd.bdate_range("2020-01-01", periods=3))
    r = log_returns(close)
    np.testing.assert_allclose(r.to_numpy(), [np.log(1.1), np.log(0.9)])
    assert r.index[0] == close.index[1]


def test_scaler_fit_and_inverse() -> None:
    scaler = FittedScaler.fit(np.array([1.0, 2.0, 3.0, 5.0]), kind="minmax")
    assert (scaler.loc, scaler.scale) == (1.0, 4.0)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform([2.5, 7])), [2.5, 7])
    with pytest.raises(ValueError, match="constant"):
        FittedScaler.fit(np.ones(5))


def test_return_windows_use_only_the_past(prices) -> None:
    split = chronological_split(prices, 0.7, 0.15)
    data = make_supervised(split, target="return", window=5)
    returns = log_returns(prices["close"])
    scaled = (returns - data.scaler.loc) / data.scaler.scale
    # First test target and its window: the five returns before the first test date.
    t0 = split.test.index[0]
    i = returns.index.get_loc(t0)
    np.testing.assert_allclose(data.x_test[0, :, 0], scaled.iloc[i - 5 : i], rtol=1e-6)
    np.testing.assert_allclose(data.y_test[0], scaled.iloc[i], rtol=1e-6)
    assert data.previous_close_test[0] == prices["close"].iloc[prices.index.get_loc(t0) - 1]
    # Training targets start `window` returns after the first training return.
    assert data.dates_train[0] == returns.index[5]
    assert len(data.y_train) == len(split.train) - 1 - 5
    # Scaler: mean and std of training returns only.
    train_r = returns.loc[: split.train.index[-1]]
    assert data.scaler.loc == pytest.approx(train_r.mean())
    assert data.scaler.scale == pytest.approx(train_r.std(ddof=0))


def test_price_mode_is_minmax_on_train(prices) -> None:
    split = chronological_split(prices, 0.7, 0.15)
    data = make_supervised(split, target="price", window=60)
    assert data.scaler.kind == "minmax"
    assert data.scaler.loc == split.train["close"].min()
    seen = np.concatenate([data.x_train[0, :, 0], data.y_train])  # every training price
    assert seen.min() == pytest.approx(0.0, abs=1e-6)
    assert seen.max() == pytest.approx(1.0, abs=1e-6)
    r_hat = data.to_log_return(data.y_test, data.previous_close_test)
    actual_r = np.log(split.test["close"].to_numpy() / data.previous_close_test)
    np.testing.assert_allclose(r_hat, actual_r, atol=1e-5)


def test_leakage_changing_test_prices_changes_nothing_fitted(prices) -> None:
    """Altering every test-period price leaves scaler, training windows and targets identical."""
    for target, window in (("return", 20), ("price", 60)):
        split = chronological_split(prices, 0.7, 0.15)
        base = make_supervised(split, target=target, window=window)
        rng = np.random.default_rng(1)
        altered_test = split.test.copy()
        altered_test["close"] = altered_test["close"] * rng.uniform(0.2, 5.0, len(altered_test))
        altered = make_supervised(
            Split(split.train, split.validation, altered_test), target=target, window=window
        )
        assert altered.scaler == base.scaler
        assert np.array_equal(altered.x_train, base.x_train)
        assert np.array_equal(altered.y_train, base.y_train)
        assert np.array_equal(altered.x_validation, base.x_validation)
        assert np.array_equal(altered.y_validation, base.y_validation)
        # ...and the test targets really did change, so the check has teeth.
        assert not np.array_equal(altered.y_test, base.y_test)


def test_leakage_changing_validation_prices_leaves_training_identical(prices) -> None:
    split = chronological_split(prices, 0.7, 0.15)
    base = make_supervised(split, window=10)
    altered_val = split.validation.copy()
    altered_val["close"] *= 3.0
    altered = make_supervised(Split(split.train, altered_val, split.test), window=10)
    assert altered.scaler == base.scaler and np.array_equal(altered.x_train, base.x_train)


def test_windows_reject_dates_without_history() -> None:
    frame = synthetic_prices(50)
    scaler = FittedScaler.fit(log_returns(frame["close"]).to_numpy())
    with pytest.raises(InsufficientDataError, match="needs more history"):
        windows_for_dates(
            frame["close"], frame.index[3:10], target="return", window=5, scaler=scaler
        )
