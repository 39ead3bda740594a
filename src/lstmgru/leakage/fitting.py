"""Fitting one row with one seed, and every row of every setup over the seeds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lstmgru.config import ModelConfig
from lstmgru.leakage.scores import score_forecast
from lstmgru.leakage.setups import Setup, changed_fields, ladder, step_number
from lstmgru.leakage.windows import Prepared, prepare, training_identity

__all__ = [
    "LadderResult",
    "RowFit",
    "fit_row",
    "load_close",
    "run_ladder",
]


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
