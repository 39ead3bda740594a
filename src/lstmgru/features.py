"""Chronological split, train-only scaling and supervised windows.

The order of operations is fixed by the API: :func:`chronological_split` cuts the series by time,
:func:`make_supervised` fits its scaler on the training span of that split and only then
transforms; there is no public way to fit a scaler on a whole series. Changing any test-period
price cannot change the fitted scaler, the training windows or the training targets (see
``tests/test_features.py``).

Targets
-------
``return`` (default)
    Next-day log return :math:`r_t = \\log P_t - \\log P_{t-1}` from the ``window`` previous log
    returns, standardised with the training returns' mean and standard deviation. The price
    forecast is :math:`\\hat P_t = P_{t-1} \\exp(\\hat r_t)`. The default window of 20 trading
    days (about one calendar month) covers the short horizon over which daily return
    autocorrelation is non-negligible while leaving most of the training span as samples.
``price`` (seed-replication ablation)
    Next-day price level from the ``window`` previous prices, MinMax-scaled to [0, 1] with the
    training span's minimum and maximum (fitted on train only, unlike the common tutorials).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstmgru.config import option_hint

__all__ = [
    "MIN_SAMPLES",
    "FittedScaler",
    "InsufficientDataError",
    "Split",
    "SupervisedData",
    "chronological_split",
    "log_returns",
    "make_supervised",
    "stationarity_table",
    "training_windows",
    "windows_for_dates",
]

#: Minimum number of supervised samples required in each of the train, validation and test spans.
MIN_SAMPLES = 5


class InsufficientDataError(ValueError):
    """Too few rows for the requested window and split; the message says how many are needed."""


@dataclass(frozen=True)
class Split:
    """A chronological train / validation / test split of a price frame."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    @property
    def close(self) -> pd.Series:
        """All closes of the three spans, in time order."""
        return pd.concat([self.train["close"], self.validation["close"], self.test["close"]])

    def describe(self) -> pd.DataFrame:
        """First date, last date and rows of each span."""
        rows = {}
        for name in ("train", "validation", "test"):
            part = getattr(self, name)
            rows[name] = {
                "first": part.index[0].date(),
                "last": part.index[-1].date(),
                "rows": len(part),
            }
        return pd.DataFrame(rows).T


def chronological_split(
    frame: pd.DataFrame,
    train_fraction: float = 0.70,
    validation_fraction: float = 0.15,
    *,
    validation_start: str | pd.Timestamp | None = None,
    test_start: str | pd.Timestamp | None = None,
    window: int = 1,
) -> Split:
    """Split a time-indexed frame into consecutive train, validation and test spans.

    Parameters
    ----------
    frame : pandas.DataFrame
        Prices indexed by a sorted ``DatetimeIndex`` (as from :func:`lstmgru.data.load_prices`).
    train_fraction, validation_fraction : float
        Shares of rows; the test span gets the rest. Ignored for a boundary given as a date.
    validation_start, test_start : date-like, optional
        First date of the validation / test span (both or neither).
    window : int
        Input window length; used only to check that each span yields enough samples.

    Raises
    ------
    InsufficientDataError
        When a span would have fewer than ``MIN_SAMPLES`` targets, naming the rows needed.
    ValueError
        For an unsorted index or inconsistent boundaries.
    """
    if not isinstance(frame.index, pd.DatetimeIndex) or not frame.index.is_monotonic_increasing:
        raise ValueError("frame must be indexed by a sorted DatetimeIndex (use load_prices)")
    n = len(frame)
    if (validation_start is None) != (test_start is None):
        raise ValueError("give both validation_start and test_start, or neither")
    if validation_start is not None:
        i_val = int(frame.index.searchsorted(pd.Timestamp(validation_start)))
        i_test = int(frame.index.searchsorted(pd.Timestamp(test_start)))
        if not i_val < i_test:
            raise ValueError(
                f"validation_start {validation_start} must come before test_start {test_start}"
            )
    else:
        if not (0 < train_fraction < 1 and 0 < validation_fraction < 1):
            raise ValueError("fractions must lie strictly between 0 and 1")
        if train_fraction + validation_fraction >= 1:
            raise ValueError("train_fraction + validation_fraction must be < 1")
        i_val = round(n * train_fraction)
        i_test = round(n * (train_fraction + validation_fraction))
    # The first training target needs `window` returns, i.e. window + 1 prices before it.
    need_train = window + 1 + MIN_SAMPLES
    sizes = {"train": i_val, "validation": i_test - i_val, "test": n - i_test}
    if (
        sizes["train"] < need_train
        or sizes["validation"] < MIN_SAMPLES
        or sizes["test"] < (MIN_SAMPLES)
    ):
        if validation_start is None:
            shares = (train_fraction, validation_fraction, 1 - train_fraction - validation_fraction)
            needed = max(need_train / shares[0], MIN_SAMPLES / shares[1], MIN_SAMPLES / shares[2])
            need_text = f"at least {int(np.ceil(needed))} rows are needed"
        else:
            need_text = f"the training span needs at least {need_train} rows"
        raise InsufficientDataError(
            f"{n} rows give spans of {sizes['train']} / {sizes['validation']} / {sizes['test']} "
            f"rows (train / validation / test); with window={window} {need_text}. "
            f"Widen the span ({option_hint('start', 'end')}) or shorten the window "
            f"({option_hint('window')})."
        )
    return Split(
        train=frame.iloc[:i_val], validation=frame.iloc[i_val:i_test], test=frame.iloc[i_test:]
    )


def log_returns(close: pd.Series) -> pd.Series:
    """Daily log returns :math:`r_t = \\log P_t - \\log P_{t-1}` (first date dropped)."""
    values = np.log(close.to_numpy(dtype="float64"))
    return pd.Series(np.diff(values), index=close.index[1:], name="log_return")


@dataclass(frozen=True)
class FittedScaler:
    """An affine scaler ``z = (x - loc) / scale`` fitted on training values only.

    Create it with :func:`make_supervised` (or :meth:`fit` on a training array).
    """

    kind: str
    loc: float
    scale: float

    @classmethod
    def fit(cls, train_values: np.ndarray, kind: str = "standard") -> FittedScaler:
        """Fit on training values: ``standard`` (mean, std) or ``minmax`` (min, max - min)."""
        values = np.asarray(train_values, dtype="float64")
        if values.size < 2 or not np.all(np.isfinite(values)):
            raise ValueError("scaler needs at least two finite training values")
        if kind == "standard":
            loc, scale = float(values.mean()), float(values.std(ddof=0))
        elif kind == "minmax":
            loc, scale = float(values.min()), float(values.max() - values.min())
        else:
            raise ValueError(f"unknown scaler kind {kind!r}; use 'standard' or 'minmax'")
        if not scale > 0:
            raise ValueError("training values are constant; a scaler cannot be fitted")
        return cls(kind=kind, loc=loc, scale=scale)

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Scale values (same units as the training values) to model units."""
        return (np.asarray(values, dtype="float64") - self.loc) / self.scale

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        """Map model units back to the original units."""
        return np.asarray(values, dtype="float64") * self.scale + self.loc


@dataclass(frozen=True)
class SupervisedData:
    """Windows and targets of the three spans, in model units (float32).

    ``x_*`` have shape ``(samples, window, 1)``, ``y_*`` shape ``(samples,)``; ``dates_*`` are
    the target dates; ``previous_close_*`` the close of the day before each target date (the
    random-walk forecast, and the base of the price forecast in return mode).
    """

    target: str
    window: int
    scaler: FittedScaler
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    dates_train: pd.DatetimeIndex
    dates_validation: pd.DatetimeIndex
    dates_test: pd.DatetimeIndex
    previous_close_test: np.ndarray

    def to_log_return(self, y: np.ndarray, previous_close: np.ndarray) -> np.ndarray:
        """Model outputs (model units) to forecast log returns."""
        values = self.scaler.inverse_transform(np.asarray(y).reshape(-1))
        if self.target == "return":
            return values
        if (values <= 0).any():
            raise ValueError(
                f"{int((values <= 0).sum())} price forecast(s) are not positive; a log return "
                "needs a positive price (the network extrapolated below zero)"
            )
        return np.log(values / np.asarray(previous_close, dtype="float64"))


def _series_for(close: pd.Series, target: str) -> pd.Series:
    if target == "return":
        return log_returns(close)
    if target == "price":
        return close.astype("float64")
    raise ValueError(f"unknown target {target!r}; use 'return' or 'price'")


def windows_for_dates(
    close: pd.Series,
    dates: pd.DatetimeIndex,
    *,
    target: str,
    window: int,
    scaler: FittedScaler,
) -> tuple[np.ndarray, np.ndarray]:
    """Input windows and targets for the given target dates, using only earlier observations.

    Parameters
    ----------
    close : pandas.Series
        Closing prices covering at least ``window + 1`` days before the first date.
    dates : pandas.DatetimeIndex
        Target dates (each must be in ``close.index``).
    target : {'return', 'price'}
    window : int
    scaler : FittedScaler
        Fitted on training values (from :func:`make_supervised`).

    Returns
    -------
    x : ndarray, shape (len(dates), window, 1), float32
    y : ndarray, shape (len(dates),), float32
        Scaled targets (NaN-free).
    """
    series = _series_for(close, target)
    scaled = scaler.transform(series.to_numpy())
    positions = series.index.get_indexer(dates)
    if (positions < 0).any():
        missing = dates[positions < 0][:3]
        raise ValueError(f"target dates not in the series: {', '.join(map(str, missing))}")
    if positions.min() < window:
        raise InsufficientDataError(
            f"the first target date {dates[0].date()} has only {positions.min()} earlier "
            f"observations; window={window} needs more history: shorten the window "
            f"({option_hint('window')})"
        )
    offsets = np.arange(-window, 0)
    x = scaled[positions[:, None] + offsets[None, :]][..., None]
    y = scaled[positions]
    return x.astype("float32"), y.astype("float32")


def training_windows(
    train_close: pd.Series,
    validation_close: pd.Series | None,
    *,
    target: str = "return",
    window: int = 20,
) -> tuple[FittedScaler, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fit the target scaler on training closes, then build training and validation windows.

    The scaler sees ``train_close`` only; training windows and targets are built from the
    training closes alone; validation windows may reach back into the training span.

    Returns
    -------
    scaler, x_train, y_train, x_validation, y_validation
        Validation arrays are empty (0 samples) when ``validation_close`` is ``None``.
    """
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    train_series = _series_for(train_close, target)
    if len(train_series) < window + MIN_SAMPLES:
        raise InsufficientDataError(
            f"training span has {len(train_close)} rows; window={window} needs at least "
            f"{window + 1 + MIN_SAMPLES}: widen the span ({option_hint('start', 'end')}) or "
            f"shorten the window ({option_hint('window')})"
        )
    scaler = FittedScaler.fit(
        train_series.to_numpy(), kind="standard" if target == "return" else "minmax"
    )
    x_train, y_train = windows_for_dates(
        train_close, train_series.index[window:], target=target, window=window, scaler=scaler
    )
    if validation_close is None or validation_close.empty:
        empty = np.zeros((0, window, 1), dtype="float32")
        return scaler, x_train, y_train, empty, np.zeros(0, dtype="float32")
    history = pd.concat([train_close, validation_close])
    x_val, y_val = windows_for_dates(
        history, validation_close.index, target=target, window=window, scaler=scaler
    )
    return scaler, x_train, y_train, x_val, y_val


def make_supervised(split: Split, *, target: str = "return", window: int = 20) -> SupervisedData:
    """Windows and targets for the three spans, with a scaler fitted on the training span only.

    Parameters
    ----------
    split : Split
        From :func:`chronological_split`.
    target : {'return', 'price'}
        Next-day log return (standardised) or next-day price (MinMax-scaled).
    window : int
        Past observations per input window.
    """
    train_close = split.train["close"]
    scaler, x_train, y_train, x_val, y_val = training_windows(
        train_close, split.validation["close"], target=target, window=window
    )
    close = split.close
    x_test, y_test = windows_for_dates(
        close, split.test.index, target=target, window=window, scaler=scaler
    )
    previous = close.shift(1).loc[split.test.index].to_numpy(dtype="float64")
    return SupervisedData(
        target=target,
        window=window,
        scaler=scaler,
        x_train=x_train,
        y_train=y_train,
        x_validation=x_val,
        y_validation=y_val,
        x_test=x_test,
        y_test=y_test,
        dates_train=pd.DatetimeIndex(_series_for(train_close, target).index[window:]),
        dates_validation=pd.DatetimeIndex(split.validation.index),
        dates_test=pd.DatetimeIndex(split.test.index),
        previous_close_test=previous,
    )


def stationarity_table(close: pd.Series) -> pd.DataFrame:
    """ADF and KPSS tests on log prices and on log returns.

    ADF's null hypothesis is a unit root (non-stationary); KPSS's is level stationarity. A
    random-walk-like price gives a large ADF p-value and a small KPSS p-value on the log price,
    and the reverse on the log return. KPSS p-values are interpolated by statsmodels within
    [0.01, 0.10] and clipped outside.

    Parameters
    ----------
    close : pandas.Series
        Closing prices (price units).

    Returns
    -------
    pandas.DataFrame
        Rows ``log price`` and ``log return``; columns ADF statistic, ADF p-value, lags,
        KPSS statistic, KPSS p-value.
    """
    import warnings

    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import adfuller, kpss

    rows = {}
    for name, series in (
        ("log price", np.log(close.to_numpy(dtype="float64"))),
        ("log return", log_returns(close).to_numpy()),
    ):
        adf_stat, adf_p, adf_lags, *_ = adfuller(series, autolag="AIC", result_object=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InterpolationWarning)
            kpss_stat, kpss_p, *_ = kpss(series, regression="c", nlags="auto", result_object=False)
        bound = ""
        if any(issubclass(w.category, InterpolationWarning) for w in caught):
            bound = "<" if kpss_p <= 0.01 else ">"
        rows[name] = {
            "ADF statistic": adf_stat,
            "ADF p-value": adf_p,
            "ADF lags": int(adf_lags),
            "KPSS statistic": kpss_stat,
            "KPSS p-value": f"{bound}{kpss_p:.3f}",
        }
    return pd.DataFrame(rows).T
