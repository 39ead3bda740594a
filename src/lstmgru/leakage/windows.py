"""One row's spans, scalers and windows, cut without any network."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstmgru.leakage.setups import Setup

__all__ = [
    "MinMax",
    "Prepared",
    "prepare",
    "training_identity",
]


@dataclass(frozen=True)
class MinMax:
    """A MinMax(0, 1) scaler: ``z = (x - data_min) / (data_max - data_min)`` (price units in)."""

    data_min: float
    data_max: float

    @classmethod
    def fit(cls, values: np.ndarray) -> MinMax:
        values = np.asarray(values, dtype="float64")
        low, high = float(values.min()), float(values.max())
        if not high > low:
            raise ValueError("the scaler's data are constant; MinMax scaling needs a range")
        return cls(low, high)

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype="float64") - self.data_min) / (
            self.data_max - self.data_min
        )

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64") * (self.data_max - self.data_min) + self.data_min


@dataclass(frozen=True)
class Prepared:
    """The windows of one row: target dates of each span and the scalers that made them.

    ``*_dates`` are target dates; ``train_scaler`` scaled the training (and validation)
    windows, ``test_scaler`` the test windows and un-scales the test outputs (the same object
    unless the scaler is refitted on the test span). For ``target='return'`` the scalers are
    those of the price pipeline the row replaces (unused: the project's forecaster fits its own).
    """

    close: pd.Series
    train_dates: pd.DatetimeIndex
    validation_dates: pd.DatetimeIndex
    test_dates: pd.DatetimeIndex
    train_scaler: MinMax
    test_scaler: MinMax
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray

    @property
    def previous(self) -> pd.Series:
        """Close of the day before each test day (the random-walk forecast)."""
        return self.close.shift(1).loc[self.test_dates]

    @property
    def actual(self) -> pd.Series:
        """Observed closes on the test days."""
        return self.close.loc[self.test_dates]


def _windows(scaled: np.ndarray, positions: np.ndarray, window: int) -> np.ndarray:
    offsets = np.arange(-window, 0)
    return scaled[positions[:, None] + offsets[None, :]][..., None].astype("float32")


def prepare(setup: Setup, close: pd.Series) -> Prepared:
    """Cut one row's spans, fit its scalers and build its windows (no network involved).

    Parameters
    ----------
    setup : Setup
    close : pandas.Series
        Closes of the setup's span (price units), already cut to ``setup.rows``.

    Returns
    -------
    Prepared
    """
    close = close.astype("float64")
    n = len(close)
    w = setup.window
    if setup.windows == "per_span":
        n_train = int(setup.train)
        if n - n_train <= w:
            raise ValueError(
                f"setup {setup.name}: the test span has {n - n_train} rows; the {w}-day window "
                "needs more (keep more rows or shorten the window)"
            )
        train_positions = np.arange(w, n_train)
        test_positions = np.arange(n_train + w, n)
        train_rows = slice(0, n_train)
        test_rows = slice(n_train, n)
    else:
        targets = np.arange(w, n)
        n_train_windows = int(len(targets) * float(setup.train))
        train_positions = targets[:n_train_windows]
        test_positions = targets[n_train_windows:]
        train_rows = slice(0, int(train_positions[-1]) + 1)
        test_rows = slice(int(train_positions[-1]) + 1, n)
    values = close.to_numpy()
    fit_rows = slice(0, n) if setup.scaler_fit == "full" else train_rows
    train_scaler = MinMax.fit(values[fit_rows])
    test_scaler = MinMax.fit(values[test_rows]) if setup.refit_on_test else train_scaler
    scaled_train = train_scaler.transform(values)
    if setup.windows == "per_span" and setup.refit_on_test:
        # tutorial A scales the test rows alone with their own scaler
        scaled_test = np.full(n, np.nan)
        scaled_test[test_rows] = test_scaler.transform(values[test_rows])
    else:
        scaled_test = test_scaler.transform(values)
    x_all = _windows(scaled_train, train_positions, w)
    y_all = scaled_train[train_positions].astype("float32")
    validation_positions = np.array([], dtype=int)
    if setup.validation == "span":
        n_val = max(1, round(len(train_positions) * setup.validation_share))
        validation_positions = train_positions[-n_val:]
        keep = len(train_positions) - n_val
        x_train, y_train = x_all[:keep], y_all[:keep]
        x_val, y_val = x_all[keep:], y_all[keep:]
        train_positions = train_positions[:keep]
    else:
        x_train, y_train = x_all, y_all
        x_val = np.zeros((0, w, 1), dtype="float32")
        y_val = np.zeros(0, dtype="float32")
    x_test = _windows(scaled_test, test_positions, w)
    if setup.validation == "test":
        x_val = x_test
        y_val = scaled_test[test_positions].astype("float32")
        validation_positions = test_positions
    if not np.isfinite(x_test).all():
        raise ValueError(f"setup {setup.name}: a test window reaches outside the test span")
    index = close.index
    return Prepared(
        close=close,
        train_dates=index[train_positions],
        validation_dates=index[validation_positions],
        test_dates=index[test_positions],
        train_scaler=train_scaler,
        test_scaler=test_scaler,
        x_train=x_train,
        y_train=y_train,
        x_validation=x_val,
        y_validation=y_val,
        x_test=x_test,
    )


def training_identity(setup: Setup, prepared: Prepared) -> str:
    """A digest of everything a price-level fit depends on: settings, training and validation.

    Two rows with the same identity train bit-identical networks with the same seed (fits are
    deterministic on a CPU, see :mod:`lstmgru.models.rnn`); they differ at most in how the test
    windows are scaled. The refit of the scaler on the test span is part of the identity only
    when the test windows are the validation data.
    """
    import hashlib

    if setup.validation != "test":
        setup = dataclasses.replace(setup, refit_on_test=False)
    digest = hashlib.sha256(repr(setup).encode())
    for array in (prepared.x_train, prepared.y_train, prepared.x_validation, prepared.y_validation):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()
