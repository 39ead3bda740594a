"""What the tutorials' leaks are worth: two published setups, replicated and repaired step by step.

Two setups typical of published LSTM/GRU price forecasts (:data:`SETUP_A`, :data:`SETUP_B`) are
described as data (:class:`Setup`). :func:`ladder` turns a setup into its rows: the setup as
published, then one repair at a time (:data:`STEPS`), each row differing from the row before in
exactly one field of :class:`Setup` (the last row, the protocol of this thesis, replaces the
price-level pipeline as a whole). :func:`prepare` cuts a row's windows and scalers,
:func:`fit_row` trains the network of one row with one seed (Keras; the project's network builder,
:func:`lstmgru.models.rnn.build_network`) or, for the thesis protocol, the project's own
forecaster (:class:`lstmgru.models.rnn.RecurrentForecaster`: log-return target, scaler fitted on
the training span, early stopping on a validation span). :func:`score_forecast` scores a
forecast against the random walk with :mod:`lstmgru.evaluation`; :func:`run_ladder` does all
rows over several seeds, and :func:`summary_table`, :func:`inflation_table` and
:func:`findings_text` turn the scores into the chapter's tables and prose.

The price-level ablation of the main experiment (:func:`price_ablation`, :func:`ablation_table`)
lives here too: the hybrid of the thesis trained on MinMax-scaled price levels with the scaler
fitted on the training span only, scored beside the main experiment's hybrid on log returns.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstmgru import evaluation
from lstmgru.config import LEAKAGE_PROFILES, ExperimentConfig, ModelConfig

if TYPE_CHECKING:  # the experiment imports TensorFlow; only the functions below need it
    from lstmgru.experiment import ExperimentResult

__all__ = [
    "ABLATION_MODEL",
    "SCORE_COLUMNS",
    "SETUPS",
    "SETUP_A",
    "SETUP_B",
    "STEPS",
    "Ablations",
    "Prepared",
    "RowFit",
    "Settings",
    "Setup",
    "Step",
    "ablation_scores",
    "ablation_table",
    "changed_fields",
    "cost_text",
    "display_inflation",
    "display_summary",
    "findings_text",
    "fit_row",
    "inflation_table",
    "ladder",
    "leakage_settings",
    "prepare",
    "price_ablation",
    "published_forecasts",
    "run_ablations",
    "run_ladder",
    "score_forecast",
    "setup_table",
    "setup_text",
    "step_number",
    "stored_ablation",
    "summary_table",
    "training_identity",
    "u2_frame",
]

SCALER_FITS = ("full", "train")
VALIDATIONS = ("none", "test", "span")
TARGETS = ("price", "return")


@dataclass(frozen=True)
class Setup:
    """One published setup (or one of its repaired rows), as data.

    Parameters
    ----------
    name : str
        Short name, ``A`` or ``B``.
    title : str
        What the setup is, in words.
    ticker : str
        Instrument of the embedded ``skfolio`` data whose (adjusted) close is forecast.
    start, end : str or None
        Inclusive ISO bounds of the span loaded.
    rows : int or None
        Keep the first ``rows`` rows of the span (``None``: all).
    train : int or float
        Setup A: the first ``train`` *rows* (prices) are the training span, the rest the test
        span, and the windows of each span are cut inside it (``windows='per_span'``).
        Setup B: the first share ``train`` of the *windows* (cut over the whole series) train.
    windows : {'per_span', 'whole'}
        Where the 60-day windows are cut: inside each span (test windows start 60 rows into the
        test span, as tutorial A does), or over the whole series before the split (tutorial B).
    layers, units : tuple
        The recurrent stack, e.g. ``('gru', 'gru')`` with ``(80, 100)``.
    dropout, window, learning_rate, batch_size, epochs
        As published (Adam, MSE loss).
    scaler_fit : {'full', 'train'}
        Rows the MinMax(0, 1) scaler of the training windows is fitted on: the whole series
        before the split (leak) or the training span.
    refit_on_test : bool
        Fit a second MinMax scaler on the test span and scale (and un-scale) the test windows
        with it (leak).
    validation : {'none', 'test', 'span'}
        Data the epoch is selected on: none (the last epoch is used), the test windows (leak),
        or the last :attr:`validation_share` of the training windows (the network then trains
        on the windows before them). With validation, the weights of the epoch with the lowest
        validation loss are kept (``save_best_only`` on the validation loss).
    validation_share : float
        Share of the training windows held out as validation span when ``validation='span'``.
    target : {'price', 'return'}
        ``price``: the MinMax-scaled next close (the tutorials). ``return``: the protocol of this
        thesis, the project's forecaster on standardised next-day log returns with early
        stopping (``patience``) on the validation span.
    patience : int
        Early-stopping patience of the thesis protocol (``target='return'``).
    """

    name: str
    title: str
    ticker: str
    start: str | None
    end: str | None
    rows: int | None
    train: int | float
    windows: str
    layers: tuple[str, ...]
    units: tuple[int, ...]
    dropout: float = 0.2
    window: int = 60
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 50
    scaler_fit: str = "train"
    refit_on_test: bool = False
    validation: str = "none"
    validation_share: float = 0.15
    target: str = "price"
    patience: int = 10

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "units", tuple(self.units))
        checks = (
            ("scaler_fit", SCALER_FITS),
            ("validation", VALIDATIONS),
            ("target", TARGETS),
            ("windows", ("per_span", "whole")),
        )
        for name, options in checks:
            if getattr(self, name) not in options:
                raise ValueError(
                    f"{name} must be one of {', '.join(options)}; got {getattr(self, name)!r}"
                )
        if len(self.layers) != len(self.units):
            raise ValueError(f"one unit count per layer: layers {self.layers}, units {self.units}")
        if isinstance(self.train, float):
            if not 0.0 < self.train < 1.0:
                raise ValueError(f"a share train must lie in (0, 1); got {self.train}")
        elif not (isinstance(self.train, int) and self.train > self.window):
            raise ValueError(f"train rows must exceed the window {self.window}; got {self.train}")
        for name in ("window", "batch_size", "epochs", "patience"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 < self.validation_share < 1.0:
            raise ValueError(f"validation_share must lie in (0, 1); got {self.validation_share}")
        if self.target == "return" and (
            self.validation != "span" or self.scaler_fit != "train" or self.refit_on_test
        ):
            raise ValueError(
                "the thesis protocol (target='return') fits its scaler on the training span and "
                "stops early on a validation span: scaler_fit='train', refit_on_test=False, "
                "validation='span'"
            )

    @property
    def network(self) -> str:
        """The stack in words, e.g. ``GRU(80) -> GRU(100)``."""
        return " → ".join(
            f"{kind.upper()}({m})" for kind, m in zip(self.layers, self.units, strict=True)
        )


#: Tutorial A: a stacked GRU on one price column of a Chinese A-share, 2126 training rows of
#: 2426. The embedded data hold closes only, so the close of MSFT over the same calendar span
#: stands in for Moutai's open (see the chapter for why this instrument).
SETUP_A = Setup(
    name="A",
    title="stacked GRU, first 2126 rows train",
    ticker="MSFT",
    start="2010-04-26",
    end=None,
    rows=2426,
    train=2126,
    windows="per_span",
    layers=("gru", "gru"),
    units=(80, 100),
    batch_size=64,
    epochs=50,
    scaler_fit="train",
    refit_on_test=True,
    validation="test",
)
#: Tutorial B: a stacked LSTM on the AAPL close from 2010, the scaler fitted on the whole series,
#: 80 % of the windows train. The tutorial's span ends on 2024-01-01; the embedded data end
#: earlier, and the chapter states the span used.
SETUP_B = Setup(
    name="B",
    title="stacked LSTM, first 80 % of windows train",
    ticker="AAPL",
    start="2010-01-01",
    end="2024-01-01",
    rows=None,
    train=0.8,
    windows="whole",
    layers=("lstm", "lstm"),
    units=(50, 50),
    batch_size=32,
    epochs=10,
    scaler_fit="full",
    refit_on_test=False,
    validation="none",
)
SETUPS = (SETUP_A, SETUP_B)


@dataclass(frozen=True)
class Step:
    """One repair: its row label, what it changes, and the change itself."""

    key: str
    label: str
    change: Callable[[Setup], Setup]


STEPS: tuple[Step, ...] = (
    Step("published", "as published", lambda s: s),
    Step(
        "train_scaler",
        "scaler fitted on the training span only",
        lambda s: dataclasses.replace(s, scaler_fit="train"),
    ),
    Step(
        "validation_span",
        "epoch selected on a validation span, not the test set",
        lambda s: dataclasses.replace(s, validation="span") if s.validation == "test" else s,
    ),
    Step(
        "no_test_refit",
        "no refit of the scaler on the test span",
        lambda s: dataclasses.replace(s, refit_on_test=False),
    ),
    Step(
        "thesis",
        "protocol of this thesis: log-return target",
        lambda s: dataclasses.replace(
            s, target="return", validation="span", scaler_fit="train", refit_on_test=False
        ),
    ),
)


def changed_fields(before: Setup, after: Setup) -> tuple[str, ...]:
    """Names of the :class:`Setup` fields whose values differ between two rows."""
    return tuple(
        f.name
        for f in dataclasses.fields(Setup)
        if getattr(before, f.name) != getattr(after, f.name)
    )


def step_number(step: Step) -> int:
    """The fixed row number of a step (1 = as published ... 5 = the thesis protocol).

    A setup without a step (setup A has no row 2, setup B no rows 3 and 4) skips its number, so
    that a row number means the same repair in both setups.
    """
    return STEPS.index(step) + 1


def ladder(setup: Setup) -> list[tuple[Step, Setup]]:
    """The rows of one setup: as published, then each step of :data:`STEPS` that changes it.

    Each step is applied to the row before it, so every row differs from its predecessor in the
    fields the step names (a step that changes nothing for this setup, such as fitting on the
    training span a scaler that already is, gives no row).
    """
    rows = [(STEPS[0], setup)]
    for step in STEPS[1:]:
        changed = step.change(rows[-1][1])
        if changed != rows[-1][1]:
            rows.append((step, changed))
    return rows


@dataclass(frozen=True)
class Settings:
    """What one profile of :data:`lstmgru.config.LEAKAGE_PROFILES` runs."""

    profile: str
    setups: tuple[Setup, ...]
    seeds: tuple[int, ...]
    ablation: bool
    fast_compile: bool


def leakage_settings(profile: str, n_seeds: int = 0) -> Settings:
    """The two setups, the seeds and the switches of a profile of ``LEAKAGE_PROFILES``.

    ``quick`` shrinks the data, windows and epochs so that the whole chapter runs in seconds
    (the rows and their differences stay the same); ``default`` and ``full`` keep the published
    setups and differ in seeds. ``n_seeds`` > 0 replaces the profile's seeds by ``0 ..
    n_seeds - 1``.
    """
    if profile not in LEAKAGE_PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid: {', '.join(LEAKAGE_PROFILES)}")
    if not isinstance(n_seeds, int) or isinstance(n_seeds, bool) or n_seeds < 0:
        raise ValueError(
            f"n_seeds must be a non-negative integer (0: the profile's), got {n_seeds!r}"
        )
    values = LEAKAGE_PROFILES[profile]
    setups = []
    for setup in SETUPS:
        changes: dict[str, Any] = {}
        if values.get("rows") is not None:
            rows = int(values["rows"])
            changes["rows"] = rows
            if isinstance(setup.train, int):  # keep the published share of training rows
                share = setup.train / (setup.rows or setup.train)
                changes["train"] = round(share * rows)
        for name in ("window", "epochs"):
            if values.get(name) is not None:
                changes[name] = int(values[name])
        setups.append(dataclasses.replace(setup, **changes))
    seeds = tuple(range(n_seeds)) if n_seeds else tuple(values["seeds"])
    return Settings(
        profile=profile,
        setups=tuple(setups),
        seeds=seeds,
        ablation=bool(values.get("ablation", True)),
        fast_compile=bool(values.get("fast_compile", False)),
    )


# ----------------------------------------------------------------------------------------------
# windows and scalers
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# fitting
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowFit:
    """One row fitted with one seed: price forecasts on the test days and what was selected."""

    price: pd.Series
    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    epochs_run: int = 0
    fit_seconds: float = 0.0
    predict: Callable[[np.ndarray], np.ndarray] | None = None


def fit_row(setup: Setup, prepared: Prepared, seed: int, *, fast_compile: bool = False) -> RowFit:
    """Train the row's network with ``seed`` and forecast its test days (price units).

    Price target: :func:`lstmgru.models.rnn.build_network` (the setup's stack, dropout after
    each recurrent layer, ``Dense(1)``) trained with Adam and the MSE on shuffled training
    windows; with validation data the weights of the epoch of lowest validation loss are kept.
    Return target: the project's :class:`~lstmgru.models.rnn.RecurrentForecaster` with the
    setup's stack, window, batch size and epochs, on the same training, validation and test
    days. Python, NumPy and TensorFlow are seeded with ``keras.utils.set_random_seed(seed)``
    before the network is built, as everywhere in the project.

    ``fast_compile`` trains through Keras' own layers without XLA: the same equations, slower
    per epoch but quicker to build, for the one-epoch runs of the ``quick`` profile.
    """
    import time

    import keras

    from lstmgru.models import netcache
    from lstmgru.models.fused import fused_loops_active
    from lstmgru.models.rnn import (
        STEPS_PER_EXECUTION,
        RecurrentForecaster,
        build_network,
        compile_network,
        window_dataset,
    )

    started = time.perf_counter()
    if setup.target == "return":
        config = ModelConfig(
            target="return",
            window=setup.window,
            units=setup.units,
            dropout=setup.dropout,
            learning_rate=setup.learning_rate,
            batch_size=setup.batch_size,
            epochs=setup.epochs,
            patience=setup.patience,
            jit_compile=not fast_compile,
            fused_kernels=not fast_compile,
        )
        close = prepared.close
        last_train = close.index.get_loc(prepared.train_dates[-1])
        train = close.iloc[: last_train + 1]
        validation = close.loc[prepared.validation_dates]
        forecaster = RecurrentForecaster(
            "_".join(setup.layers), setup.layers, config, seed=seed, units=setup.units
        )
        forecaster.fit(train, validation)
        forecast = forecaster.forecast(close, prepared.test_dates)
        info = forecaster.info_
        return RowFit(
            price=pd.Series(forecast.price, index=prepared.test_dates),
            history=forecaster.history_,
            best_epoch=int(info["best_epoch"]),
            epochs_run=int(info["epochs_used"]),
            fit_seconds=time.perf_counter() - started,
        )
    keras.utils.set_random_seed(seed)
    fresh = build_network(
        setup.layers, setup.units, setup.window, setup.dropout, fused=not fast_compile
    )
    # one compiled model per architecture and process, as RecurrentForecaster does
    # (lstmgru.models.netcache): the fresh network's weights are copied into it
    key = (
        netcache.signature(
            name="leakage-price",
            layers=setup.layers,
            units=setup.units,
            window=setup.window,
            dropout=setup.dropout,
            fused=not fast_compile,
            jit_compile=not fast_compile,
            learning_rate=setup.learning_rate,
            batch_size=setup.batch_size,
            steps_per_execution=STEPS_PER_EXECUTION,
            fused_loops=fused_loops_active(),
        )
        if netcache.cache_enabled()
        else None
    )
    network = None if key is None else netcache.compiled_network(key)
    owner = object()
    if network is not None:
        model = network.restart(fresh, owner)
    else:
        model = compile_network(
            fresh,
            learning_rate=setup.learning_rate,
            loss="mse",
            jit_compile=not fast_compile,
            steps_per_execution=STEPS_PER_EXECUTION,
        )
        if key is not None:
            network = netcache.store(key, fresh)
            network.owner = owner
    has_validation = len(prepared.y_validation) > 0
    callbacks = []
    if has_validation:
        # never stops: keeps the weights of the epoch with the lowest validation loss
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=setup.epochs, restore_best_weights=True
            )
        )
    result = model.fit(
        window_dataset(prepared.x_train, prepared.y_train, setup.batch_size, shuffle_seed=seed),
        validation_data=window_dataset(
            prepared.x_validation, prepared.y_validation, setup.batch_size
        )
        if has_validation
        else None,
        epochs=setup.epochs,
        callbacks=callbacks,
        shuffle=False,  # the dataset reshuffles the training windows every epoch itself
        verbose=0,
    )
    history = {k: [float(v) for v in vals] for k, vals in result.history.items()}
    best = int(np.argmin(history["val_loss"])) + 1 if has_validation else None
    weights = model.get_weights()

    def predict(x: np.ndarray) -> np.ndarray:
        """Outputs (model units) of this fit's network for windows ``x``."""
        if network is None:
            return np.asarray(model.predict(x, batch_size=256, verbose=0)).reshape(-1)
        network.checkout(owner, weights)
        return np.asarray(network.predict(netcache.PredictState(), x, 256)).reshape(-1)

    price = prepared.test_scaler.inverse_transform(predict(prepared.x_test))
    return RowFit(
        price=pd.Series(price, index=prepared.test_dates),
        history=history,
        best_epoch=best,
        epochs_run=len(history["loss"]),
        fit_seconds=time.perf_counter() - started,
        predict=predict,
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


# ----------------------------------------------------------------------------------------------
# scoring and tables
# ----------------------------------------------------------------------------------------------

#: Scores of one forecast, in the order of the tables.
SCORE_COLUMNS = (
    "rmse",
    "theil_u2",
    "correlation",
    "directional_accuracy",
    "dm_statistic",
    "dm_pvalue",
)


def score_forecast(actual: pd.Series, forecast: pd.Series, previous: pd.Series) -> dict[str, float]:
    """RMSE (price units), Theil's U2, correlation, direction and DM-HLN against the random walk.

    The Diebold-Mariano test (Harvey-Leybourne-Newbold correction, two-sided, squared price
    errors) compares the forecast with the random walk ``previous``; a negative statistic means
    the forecast's loss is lower. Undefined statistics are NaN.
    """
    scores = evaluation.metrics(actual, forecast, previous=previous, undefined="nan")
    errors = (forecast - actual).to_numpy()
    random_walk_errors = (previous - actual).to_numpy()
    loss_atol = (evaluation.PRICE_RTOL * float(actual.abs().max())) ** 2
    try:
        dm = evaluation.diebold_mariano(errors, random_walk_errors, atol=loss_atol)
        dm_statistic, dm_pvalue = float(dm.statistic), float(dm.pvalue)
    except evaluation.DegenerateTestError:
        dm_statistic = dm_pvalue = math.nan
    try:
        correlation = evaluation.correlation(forecast, actual)
    except evaluation.DegenerateTestError:
        correlation = math.nan
    return {
        "rmse": float(scores["rmse"]),
        "theil_u2": float(scores["theil_u2"]),
        "correlation": float(correlation),
        "directional_accuracy": float(scores["directional_accuracy"]),
        "dm_statistic": dm_statistic,
        "dm_pvalue": dm_pvalue,
    }


def load_close(setup: Setup) -> pd.Series:
    """The setup's closes from the embedded ``skfolio`` data, cut to ``setup.rows``."""
    from lstmgru.data import load_prices

    close = load_prices("skfolio", setup.ticker, setup.start, setup.end)["close"]
    if setup.rows is not None:
        if len(close) < setup.rows:
            raise ValueError(
                f"setup {setup.name}: {setup.ticker} has {len(close)} rows from {setup.start}; "
                f"the setup needs {setup.rows}"
            )
        close = close.iloc[: setup.rows]
    return close


@dataclass
class LadderResult:
    """Every row of every setup, fitted over the seeds.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per (setup, row): ``setup``, ``row`` (:func:`step_number`), ``step``,
        ``label``, ``changed`` (the fields that differ from the row before).
    scores : pandas.DataFrame
        One row per (setup, row, seed) with :data:`SCORE_COLUMNS`, ``best_epoch``,
        ``epochs_run`` and ``fit_seconds``; the random walk's scores per setup as ``row`` 0.
    forecasts : dict
        ``(setup, row, seed)`` -> price forecast series.
    prepared : dict
        ``(setup, row)`` -> :class:`Prepared`.
    setups : dict
        ``(setup, row)`` -> :class:`Setup`.
    """

    rows: pd.DataFrame
    scores: pd.DataFrame
    forecasts: dict[tuple[str, int, int], pd.Series]
    prepared: dict[tuple[str, int], Prepared]
    setups: dict[tuple[str, int], Setup]


def run_ladder(
    setups: Sequence[Setup],
    seeds: Sequence[int],
    *,
    closes: Mapping[str, pd.Series] | None = None,
    progress: bool = True,
    fast_compile: bool = False,
) -> LadderResult:
    """Fit every row of every setup with every seed and score it on the setup's test days.

    A row whose network would be trained exactly as the row before's (same
    :func:`training_identity`: only the scaling of the test windows differs) reuses that
    network instead of training it again; its ``fit_seconds`` is 0.

    Parameters
    ----------
    setups : sequence of Setup
    seeds : sequence of int
    closes : mapping of setup name to closes, optional
        The data of each setup; loaded with :func:`load_close` when omitted.
    progress : bool
        Show a progress bar over the fits.
    fast_compile : bool
        See :func:`fit_row`.
    """
    from tqdm.auto import tqdm

    plan = [(setup, ladder(setup)) for setup in setups]
    n_fits = sum(len(rows) for _, rows in plan) * len(seeds)
    row_records, score_records = [], []
    forecasts, prepared_rows, row_setups = {}, {}, {}
    trained: dict[tuple[str, int], tuple[str | None, RowFit]] = {}
    with tqdm(total=n_fits, desc="leakage: fitting", disable=not progress, unit="fit") as bar:
        for setup, rows in plan:
            close = closes[setup.name] if closes is not None else load_close(setup)
            previous_setup = None
            test_days = None
            for step, row_setup in rows:
                position = step_number(step)
                prepared = prepare(row_setup, close)
                if test_days is None:
                    test_days = prepared.test_dates
                    rw = score_forecast(prepared.actual, prepared.previous, prepared.previous)
                    score_records.append({"setup": setup.name, "row": 0, "seed": -1, **rw})
                elif not prepared.test_dates.equals(test_days):
                    raise RuntimeError(f"row {position} of setup {setup.name} moved the test days")
                changed = (
                    () if previous_setup is None else changed_fields(previous_setup, row_setup)
                )
                row_records.append(
                    {
                        "setup": setup.name,
                        "row": position,
                        "step": step.key,
                        "label": step.label,
                        "changed": ", ".join(changed),
                    }
                )
                prepared_rows[(setup.name, position)] = prepared
                row_setups[(setup.name, position)] = row_setup
                identity = (
                    training_identity(row_setup, prepared) if row_setup.target == "price" else None
                )
                for seed in seeds:
                    earlier = trained.get((setup.name, seed))
                    if identity is not None and earlier is not None and earlier[0] == identity:
                        # the same network as the row before: only the test scaling differs
                        fit = dataclasses.replace(
                            earlier[1],
                            price=pd.Series(
                                prepared.test_scaler.inverse_transform(
                                    earlier[1].predict(prepared.x_test)
                                ),
                                index=prepared.test_dates,
                            ),
                            fit_seconds=0.0,
                        )
                    else:
                        fit = fit_row(row_setup, prepared, seed, fast_compile=fast_compile)
                    trained[(setup.name, seed)] = (identity, fit)
                    forecasts[(setup.name, position, seed)] = fit.price
                    scores = score_forecast(prepared.actual, fit.price, prepared.previous)
                    score_records.append(
                        {
                            "setup": setup.name,
                            "row": position,
                            "seed": seed,
                            **scores,
                            "best_epoch": fit.best_epoch,
                            "epochs_run": fit.epochs_run,
                            "fit_seconds": fit.fit_seconds,
                        }
                    )
                    bar.update(1)
                previous_setup = row_setup
    return LadderResult(
        rows=pd.DataFrame(row_records),
        scores=pd.DataFrame(score_records),
        forecasts=forecasts,
        prepared=prepared_rows,
        setups=row_setups,
    )


def setup_table(result: LadderResult) -> pd.DataFrame:
    """One row per setup as published: data, span, split, network and training."""
    table = {}
    for (name, position), setup in result.setups.items():
        if position != 1:
            continue
        prepared = result.prepared[(name, position)]
        close = prepared.close
        table[name] = {
            "instrument": f"{setup.ticker} close",
            "span": f"{close.index[0].date()} to {close.index[-1].date()}",
            "rows": len(close),
            "training windows": len(prepared.y_train),
            "test days": len(prepared.test_dates),
            "test span": (f"{prepared.test_dates[0].date()} to {prepared.test_dates[-1].date()}"),
            "network": f"{setup.network}, dropout {setup.dropout:g}, Dense(1)",
            "training": (
                f"Adam({setup.learning_rate:g}), MSE, batch {setup.batch_size}, "
                f"{setup.epochs} epochs"
            ),
        }
    return pd.DataFrame(table).T.rename_axis("setup")


def summary_table(result: LadderResult, alpha: float = 0.05) -> pd.DataFrame:
    """Mean and standard deviation over seeds of every score, per setup and row.

    Rows are indexed ``(setup, row)``; row 0 is the random walk (no seeds, no spread). Columns:
    ``step`` (what the row is), ``key`` (the step's key in :data:`STEPS`), ``changed``, then ``<score>`` and ``<score>_std`` for
    :data:`SCORE_COLUMNS`, ``seeds``, ``dm_better`` and ``dm_worse`` (seeds whose DM-HLN test
    at level ``alpha`` finds the row better, or worse, than the random walk) and
    ``selected_epoch`` (mean best epoch; NaN without selection).
    """
    scores = result.scores.assign(
        dm_better=lambda f: (f["dm_pvalue"] < alpha) & (f["dm_statistic"] < 0),
        dm_worse=lambda f: (f["dm_pvalue"] < alpha) & (f["dm_statistic"] > 0),
    )
    grouped = scores.groupby(["setup", "row"])
    mean = grouped[list(SCORE_COLUMNS)].mean()
    std = grouped[list(SCORE_COLUMNS)].std(ddof=1).add_suffix("_std")
    out = mean.join(std)
    out["seeds"] = grouped["seed"].count()
    out["dm_better"] = grouped["dm_better"].sum()
    out["dm_worse"] = grouped["dm_worse"].sum()
    if "best_epoch" in scores:
        out["selected_epoch"] = grouped["best_epoch"].mean()
    labels = result.rows.set_index(["setup", "row"])
    out["step"] = labels["label"].reindex(out.index)
    out["key"] = labels["step"].reindex(out.index)
    out["changed"] = labels["changed"].reindex(out.index)
    for name in out.index.get_level_values("setup").unique():
        out.loc[(name, 0), "step"] = "random walk"
        out.loc[(name, 0), ["key", "changed"]] = ""
    first = ["step", "key", "changed"]
    return out[first + [c for c in out.columns if c not in first]]


def inflation_table(summary: pd.DataFrame) -> pd.DataFrame:
    """How much each step changes the seed-mean scores, per setup (after minus before).

    A positive change of Theil's U2 or of the RMSE means the row before looked better: the
    repaired leak had flattered it by that much.
    """
    records = []
    for name in summary.index.get_level_values("setup").unique():
        part = summary.loc[name].drop(index=0, errors="ignore").sort_index()
        for before, after in zip(part.index[:-1], part.index[1:], strict=True):
            records.append(
                {
                    "setup": name,
                    "row": after,
                    "step": part.loc[after, "step"],
                    "delta_rmse": part.loc[after, "rmse"] - part.loc[before, "rmse"],
                    "delta_theil_u2": part.loc[after, "theil_u2"] - part.loc[before, "theil_u2"],
                    "delta_correlation": part.loc[after, "correlation"]
                    - part.loc[before, "correlation"],
                    "delta_directional_accuracy": part.loc[after, "directional_accuracy"]
                    - part.loc[before, "directional_accuracy"],
                }
            )
    return pd.DataFrame(records).set_index(["setup", "row"])


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}f}"


def findings_text(summary: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """Sentences on what each repair does to the seed-mean scores, from the summary table.

    Every number and every direction ("raises", "lowers", "better", "worse") is read off the
    table, so the text holds whatever the numbers are. A change of Theil's U2 counts as a
    difference only where it exceeds the larger standard deviation over seeds of the two rows.
    """
    sentences = []
    for name in summary.index.get_level_values("setup").unique():
        part = summary.loc[name].sort_index()
        rw_rmse = part.loc[0, "rmse"]
        rows = part.drop(index=0)
        first = rows.index[0]
        u2 = rows.loc[first, "theil_u2"]
        verdict = "below" if u2 < 1 else "above"
        sentences.append(
            f"Setup {name} as published: correlation of forecast and close "
            f"{_fmt(rows.loc[first, 'correlation'])}, RMSE {_fmt(rows.loc[first, 'rmse'], 2)} "
            f"against {_fmt(rw_rmse, 2)} for the random walk, Theil's $U_2$ {_fmt(u2)} "
            f"({verdict} 1), directional accuracy {_fmt(rows.loc[first, 'directional_accuracy'])}."
        )
        for before, after in zip(rows.index[:-1], rows.index[1:], strict=True):
            u_before, u_after = rows.loc[before, "theil_u2"], rows.loc[after, "theil_u2"]
            if not (np.isfinite(u_before) and np.isfinite(u_after)):
                continue
            change = u_after - u_before
            stds = [float(rows.loc[i].get("theil_u2_std", np.nan)) for i in (before, after)]
            stds = [v for v in stds if np.isfinite(v)]
            spread = max(stds) if stds else math.nan
            direction = "raises" if change > 0 else "lowers"
            is_repair = rows.loc[after].get("key", "") != "thesis"
            if round(change, 3) == 0:
                effect = "no change at three decimals"
            elif change > 0 and is_repair:
                effect = f"the leak it removes had lowered $U_2$ by {_fmt(change)}"
            elif is_repair:
                effect = "this leak had not made the forecast look better"
            else:
                effect = f"the change of target {direction} $U_2$ by {_fmt(abs(change))}"
            if not np.isfinite(spread):
                weight = "one seed, so no spread over seeds to judge the change against"
            elif abs(change) <= spread:
                weight = (
                    f"within the spread over seeds (standard deviation up to {_fmt(spread)}), "
                    "so no clear difference"
                )
            else:
                weight = (
                    f"larger than the spread over seeds (standard deviation up to {_fmt(spread)})"
                )
            sentences.append(
                f"Setup {name}, row {after} ({rows.loc[after, 'step']}) {direction} $U_2$ from "
                f"{_fmt(u_before)} to {_fmt(u_after)} and the RMSE from "
                f"{_fmt(rows.loc[before, 'rmse'], 2)} to {_fmt(rows.loc[after, 'rmse'], 2)}: "
                f"{effect}; {weight}."
            )
        sentences.append(
            f"Setup {name}: the random walk itself correlates with the close at "
            f"{_fmt(part.loc[0, 'correlation'])}, so a correlation near 1 shows that a forecast "
            "follows yesterday's price, not that it has skill."
        )
        if "dm_better" in rows.columns:
            counts = [
                f"row {row}: {int(rows.loc[row, 'dm_better'])} better and "
                f"{int(rows.loc[row, 'dm_worse'])} worse of {int(rows.loc[row, 'seeds'])}"
                for row in rows.index
                if np.isfinite(rows.loc[row, "dm_pvalue"])
            ]
            if counts:
                sentences.append(
                    f"Setup {name}, seeds in which the Diebold–Mariano test at the "
                    f"{100 * alpha:g} % level finds the forecast better or worse than the random "
                    f"walk: {'; '.join(counts)}."
                )
    return sentences


#: Display names of the summary's columns.
SUMMARY_NAMES = {
    "step": "repair",
    "changed": "changed setting",
    "rmse": "RMSE",
    "rmse_std": "RMSE sd",
    "theil_u2": "U2",
    "theil_u2_std": "U2 sd",
    "correlation": "corr.",
    "directional_accuracy": "direction",
    "dm_statistic": "DM stat.",
    "dm_pvalue": "DM p-value",
    "dm_better": "DM better",
    "dm_worse": "DM worse",
    "selected_epoch": "epoch kept",
}


def display_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with the columns the chapter shows, under readable names."""
    columns = [c for c in SUMMARY_NAMES if c in summary.columns]
    return summary[columns].rename(columns=SUMMARY_NAMES)


def display_inflation(table: pd.DataFrame) -> pd.DataFrame:
    """The inflation table under readable names."""
    return table.rename(
        columns={
            "step": "repair",
            "delta_rmse": "change of RMSE",
            "delta_theil_u2": "change of U2",
            "delta_correlation": "change of corr.",
            "delta_directional_accuracy": "change of direction",
        }
    )


def published_forecasts(result: LadderResult) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Per setup, the actual close and row 1's forecast with the first seed (for the figure)."""
    out = {}
    for name in result.rows["setup"].unique():
        seed = min(s for (n, r, s) in result.forecasts if n == name and r == 1)
        prepared = result.prepared[(name, 1)]
        out[str(name)] = (prepared.actual, result.forecasts[(name, 1, seed)])
    return out


def u2_frame(result: LadderResult) -> pd.DataFrame:
    """Theil's U2 per setup and row over seeds: ``setup, row, label, mean, std``."""
    scores = result.scores[result.scores["row"] > 0]
    grouped = scores.groupby(["setup", "row"])["theil_u2"]
    frame = pd.DataFrame({"mean": grouped.mean(), "std": grouped.std(ddof=1)}).reset_index()
    labels = result.rows.set_index(["setup", "row"])["label"]
    frame["label"] = [labels[(s, r)] for s, r in zip(frame["setup"], frame["row"], strict=True)]
    return frame


def setup_text(result: LadderResult, settings: Settings) -> str:
    """How far each setup's test closes leave the training range, and what this profile runs.

    Generated from the data, so that it holds for whatever span the profile uses.
    """
    parts = []
    for (name, position), setup in result.setups.items():
        if position != 1:
            continue
        prepared = result.prepared[(name, position)]
        close = prepared.close
        last_train = close.index.get_loc(prepared.train_dates[-1])
        train = close.iloc[: last_train + 1]
        actual = prepared.actual
        above = float((actual > train.max()).mean())
        below = float((actual < train.min()).mean())
        parts.append(
            f"In setup {name} ({setup.ticker}, {close.index[0].date()} to "
            f"{close.index[-1].date()}, {len(close)} rows), {above:.0%} of the "
            f"{len(actual)} test closes lie above the highest training close "
            f"({train.max():.2f}) and {below:.0%} below the lowest ({train.min():.2f})."
        )
    published = {s.name: s for s in SETUPS}
    differs = [
        s.name
        for s in settings.setups
        if (s.window, s.epochs, s.rows)
        != (published[s.name].window, published[s.name].epochs, published[s.name].rows)
    ]
    if differs:
        parts.append(
            f"This is the `{settings.profile}` profile: the data, windows or epochs of setup(s) "
            f"{', '.join(differs)} are cut down from the published ones, so its numbers show "
            "the machinery, not the published setups."
        )
    seeds = ", ".join(str(s) for s in settings.seeds)
    parts.append(f"Every row is fitted with {len(settings.seeds)} seed(s) ({seeds}).")
    return " ".join(parts)


def cost_text(
    result: LadderResult, settings: Settings, seconds: float, cpu_seconds: float
) -> list[str]:
    """What the fits cost in this run, per setup, as sentences.

    ``seconds`` is the wall time of the whole ladder, ``cpu_seconds`` the processor time of
    the process over it (all threads): on a machine shared with other work the wall time
    overstates the cost, the processor time does not.
    """
    scores = result.scores[result.scores["row"] > 0]
    out = []
    for name, part in scores.groupby("setup"):
        reused = int((part["fit_seconds"] == 0).sum())
        out.append(
            f"Setup {name}: {part['row'].nunique()} rows × {part['seed'].nunique()} seed(s), "
            f"{len(part) - reused} networks trained and {reused} reused from the row before "
            f"(only the scaling of the test windows differs), took "
            f"{part['fit_seconds'].sum():.0f} s of training and forecasting."
        )
    published_epochs = all(
        s.epochs == p.epochs for s, p in zip(settings.setups, SETUPS, strict=True)
    )
    out.append(
        f"The whole ladder took {seconds:.0f} s of wall time and {cpu_seconds:.0f} s of "
        f"processor time with {len(settings.seeds)} seed(s) and "
        + ("the published epochs." if published_epochs else "epochs cut down by the profile.")
    )
    if len(settings.seeds) == 1:
        most = max(len(v["seeds"]) for v in LEAKAGE_PROFILES.values())
        out.append(
            "One seed only: the published epochs of the two setups make each seed costly, so "
            "the seeds were cut rather than the epochs. The spread over seeds is therefore not "
            f"measured here, and no change above is judged against it; a profile with {most} "
            "seeds measures it."
        )
    return out


# ----------------------------------------------------------------------------------------------
# the price-level ablation of the main experiment
# ----------------------------------------------------------------------------------------------

#: The model compared in the price-level ablation: the hybrid of the thesis.
ABLATION_MODEL = "lstm_gru"


def price_ablation(
    config: ExperimentConfig,
    frame: pd.DataFrame | None = None,
    *,
    window: int = 60,
    progress: bool = True,
) -> ExperimentResult:
    """The hybrid in the price-level setup of common tutorials, on the same test days.

    The network predicts the next close from the ``window`` previous closes, MinMax-scaled with
    the training span's minimum and maximum (fitted on the training span only, where the
    tutorials fit it on the whole series), trained once with the first seed of ``config``. The
    chronological split does not depend on the window, so the test days are those of the main
    experiment. Returns the random walk and the hybrid.

    The hybrid keeps the configured hyper-parameters (no tuning grid, as in the tutorials).
    The ablation always uses the single chronological split (``protocol='single'``), also when
    the main experiment is rolling: its question is the setup of the tutorials, which is one
    split; :func:`ablation_table` then needs the main experiment on the single split as well.
    """
    from lstmgru.experiment import run_experiment

    ablation = dataclasses.replace(
        config,
        data=dataclasses.replace(
            config.data,
            protocol="single",
            fold="year",
            fold_days=None,
            first_test=None,
            n_folds=None,
            validation_days=None,
        ),
        model=dataclasses.replace(config.model, target="price", window=window),
        models=("random_walk", ABLATION_MODEL),
        seeds=config.seeds[:1],
        tuning="",
    )
    return run_experiment(ablation, frame, progress=progress)


def ablation_scores(
    actual: pd.Series,
    previous: pd.Series,
    train: pd.Series,
    forecasts: Mapping[str, pd.Series],
) -> pd.DataFrame:
    """Score price forecasts against the random walk on the days they share with ``actual``.

    Columns: RMSE (price units), Theil's U2, directional accuracy, the two-sided DM p-value
    against the random walk and the correlation of the forecast with the actual close (high for
    any forecast that follows yesterday's price, which is why price-level plots look good).
    A statistic that is undefined for the data (the random walk against itself, constant
    prices) is NaN. ``attrs["test_days"]`` records the first day, the last day and the number
    of days scored.
    """
    days = actual.index
    for series in forecasts.values():
        days = days.intersection(series.dropna().index)
    if days.empty:
        raise ValueError(
            "the forecasts share no test day: the rolling folds end before the single "
            "split's test span starts; evaluate later folds (first_test, n_folds)"
        )
    actual = actual.loc[days]
    random_walk_errors = (previous.loc[days] - actual).to_numpy()
    # errors within rounding of the price level are equal (see evaluation.comparison_table)
    loss_atol = (evaluation.PRICE_RTOL * float(actual.abs().max())) ** 2
    table = {}
    for label, series in forecasts.items():
        forecast = series.loc[days]
        scores = evaluation.metrics(
            actual, forecast, previous=previous.loc[days], train=train, undefined="nan"
        )
        errors = (forecast - actual).to_numpy()
        try:
            dm_pvalue = evaluation.diebold_mariano(
                errors, random_walk_errors, atol=loss_atol
            ).pvalue
        except evaluation.DegenerateTestError:  # the random walk against itself
            dm_pvalue = np.nan
        try:
            correlation = evaluation.correlation(forecast, actual)
        except evaluation.DegenerateTestError:  # a constant forecast or constant prices
            correlation = np.nan
        table[label] = {
            "rmse": scores["rmse"],
            "theil_u2": scores["theil_u2"],
            "directional_accuracy": scores["directional_accuracy"],
            "dm_pvalue_vs_random_walk": dm_pvalue,
            "correlation_with_actual": correlation,
        }
    out = pd.DataFrame(table).T.rename_axis("setup")
    out.attrs["test_days"] = (str(days[0].date()), str(days[-1].date()), len(days))
    return out


#: Row labels of the ablation tables.
ABLATION_ROWS = ("random walk", "hybrid, log-return target", "hybrid, price-level target")


def ablation_table(main: ExperimentResult, price: ExperimentResult) -> pd.DataFrame:
    """Random walk, hybrid on log returns and hybrid on price levels, scored on the same days.

    Every row is scored on the test days the two experiments share: all of them when both use
    the single split; with a rolling main experiment (the ablation is always a single split),
    the days of its folds that fall in the single split's test span. See
    :func:`ablation_scores` for the columns.
    """
    days = main.actual.index.intersection(price.actual.index)
    if days.empty:
        raise ValueError(
            "the two experiments share no test day: the rolling folds end before the single "
            "split's test span starts; evaluate later folds (first_test, n_folds)"
        )
    forecasts = dict(
        zip(
            ABLATION_ROWS,
            (
                main.price_forecasts()["random_walk"],
                main.price_forecasts()[ABLATION_MODEL],
                price.price_forecasts()[ABLATION_MODEL],
            ),
            strict=True,
        )
    )
    return ablation_scores(
        main.actual.loc[days], main.previous, main.split.train["close"], forecasts
    )


def stored_ablation(
    stored: Any, *, window: int = 60, progress: bool = True
) -> tuple[pd.DataFrame, ExperimentResult] | None:
    """The price-level ablation of one finished ticker of a run, from its stored results.

    ``stored`` is a :class:`lstmgru.runs.StoredResult`. Its configuration (``result.json``) is
    rebuilt, the hybrid is trained on price levels by :func:`price_ablation` and scored with
    :func:`ablation_scores` beside the stored random walk and the stored seed ensemble of the
    hybrid on log returns, on the test days they share. ``None`` when the run has no hybrid.
    """
    record = stored.record["config"]
    config = ExperimentConfig(
        profile=record["profile"],
        data=_data_config(record["data"]),
        model=ModelConfig(**{**record["model"], "units": tuple(record["model"]["units"])}),
        models=tuple(record["models"]),
        seeds=tuple(record["seeds"]),
        **{
            k: record[k]
            for k in (
                "arima_max_p",
                "arima_max_q",
                "arima_criterion",
                "arima_refit_every",
                "ar_max_p",
                "tuning",
            )
            if k in record
        },
    )
    if ABLATION_MODEL not in config.network_models:
        return None
    price = price_ablation(config, window=window, progress=progress)
    main = stored.forecasts
    forecasts = dict(
        zip(
            ABLATION_ROWS,
            (main["random_walk"], main[ABLATION_MODEL], price.price_forecasts()[ABLATION_MODEL]),
            strict=True,
        )
    )
    table = ablation_scores(main["actual"], main["previous"], price.split.train["close"], forecasts)
    return table, price


def _data_config(record: Mapping[str, Any]) -> Any:
    from lstmgru.config import DataConfig

    return DataConfig(**dict(record))


@dataclass
class Ablations:
    """The price-level ablation of every finished ticker of a run.

    ``table``: one block of rows per ticker (index ``ticker, setup``); ``caption``: what each
    row is, with the run's seeds and windows; ``first``: the first ticker's price-level
    experiment (for the figure), ``None`` without any.
    """

    table: pd.DataFrame
    caption: str
    first: Any


def run_ablations(run: Any, *, window: int = 60, progress: bool = True) -> Ablations:
    """:func:`stored_ablation` for every finished ticker of ``run`` (a ``RunRecord``)."""
    tables, first, configs = {}, None, []
    for ticker, stored in run.results.items():
        out = stored_ablation(stored, window=window, progress=progress)
        if out is None:
            continue
        table, price = out
        tables[ticker] = table
        configs.append(stored.record["config"])
        first = price if first is None else first
    if not tables:
        return Ablations(pd.DataFrame(), "", None)
    model = configs[0]["model"]
    seeds = configs[0]["seeds"]
    caption = (
        "Per instrument, on the test days both experiments share: the random walk; the main "
        f"experiment's hybrid LSTM–GRU on next-day log returns (windows of {model['window']} "
        f"log returns, seed ensemble of seeds {', '.join(str(s) for s in seeds)}, "
        f"{configs[0]['data']['protocol']} protocol); the hybrid on MinMax-scaled price levels "
        f"(windows of {window} closes, seed {seeds[0]} only, single chronological split, scaler "
        "fitted on the training span only). Columns: price RMSE, Theil's $U_2$, directional "
        "accuracy, two-sided Diebold–Mariano (HLN) $p$-value against the random walk, "
        "correlation of forecast and actual close."
    )
    frame = pd.concat(tables, names=["ticker", "setup"])
    return Ablations(frame, caption, first)
