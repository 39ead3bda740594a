"""Recurrent forecasters: LSTM, GRU, the hybrid LSTM -> GRU and its variants (Keras 3, TensorFlow).

One builder, :func:`build_network`, makes every architecture from a layer spec:

``("lstm",)``, ``("gru",)``
    One recurrent layer, its last hidden state into ``Dense(1)``.
``("lstm", "gru")`` -- the hybrid of the thesis
    ``LSTM(return_sequences=True) -> Dropout -> GRU -> Dropout -> Dense(1)``: the LSTM's hidden
    sequence :math:`h^{(1)}_{1..T}` is the GRU's input, the GRU's last state
    :math:`h^{(2)}_T` feeds the linear output.
``("gru", "lstm")``
    The reverse stack.
``("lstm", "lstm")``, ``("gru", "gru")`` -- the size-matched stacks
    Built like the hybrid, with equal units chosen so that the parameter count is within 10 %
    of the hybrid's with the configured units (:func:`lstmgru.models.sizing.network_units`).
``("lstm", "gru")`` with ``parallel=True``
    LSTM and GRU both read the input window; their last states are concatenated, then
    ``Dropout -> Dense(1)``.

Every recurrent layer keeps the arguments under which Keras runs the fused cuDNN kernel on a GPU
(``activation='tanh'``, ``recurrent_activation='sigmoid'``, no recurrent dropout,
``unroll=False``, ``use_bias=True``, and for the GRU ``reset_after=True``), so the same code
trains on a GPU through cuDNN (Keras then turns XLA off for the model by itself) and on a CPU
through the fused loops of :mod:`lstmgru.models.fused` (``ModelConfig.fused_kernels``), whose
lanes of the batch run concurrently, each loop compiled with XLA (``ModelConfig.jit_compile``);
with ``fused_kernels=False``, Keras' generic loop, the whole step compiled with XLA.

Dropout between layers is :class:`PhiloxDropout`: Keras' ``Dropout`` with its Bernoulli mask
drawn by the Philox generator. Keras' own layer asks TensorFlow for the ``auto_select``
generator, which XLA on a CPU compiles to ThreeFry: drawing the hybrid's ``64 x 60 x 64``
dropout mask took about 44 ms under XLA on the 2-core reference machine, against 0.7 ms with
Philox, and made the XLA-compiled hybrid train several times slower than without XLA
(``benchmarks/train_speed.py`` measures the training speed).

Inputs come from :func:`lstmgru.features.training_windows` (scaler fitted on the training span
only) and :func:`lstmgru.features.windows_for_dates` (each window ends the day before its target
date). Targets: ``return`` (standardised next-day log return, default) or ``price`` (the
seed-replication ablation: MinMax-scaled next-day price, :math:`\\hat r_t =
\\log(\\hat P_t / P_{t-1})`).

Reproducibility: :meth:`RecurrentForecaster.fit` seeds Python, NumPy and TensorFlow with
``keras.utils.set_random_seed(seed)`` before building the network; on a CPU, the same seed gives
bit-identical forecasts (``tests/test_rnn.py``). TensorFlow's global op determinism is **not**
switched on, because Keras then disables XLA for every model. Fits of one architecture reuse one
compiled model per process (:mod:`lstmgru.models.netcache`; ``LSTMGRU_FIT_CACHE=0`` turns it
off), which saves the graph tracing of every fit and leaves every result bit-identical.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from lstmgru.config import LAYER_KINDS, NETWORK_LAYERS, ModelConfig
from lstmgru.features import FittedScaler, training_windows, windows_for_dates
from lstmgru.models import netcache
from lstmgru.models.base import Forecast, Forecaster, previous_close
from lstmgru.models.fused import FusedGRU, FusedLSTM, fused_loops_active
from lstmgru.models.sizing import network_units

__all__ = [
    "MIN_PRICE",
    "STEPS_PER_EXECUTION",
    "PhiloxDropout",
    "RecurrentForecaster",
    "build_network",
    "compile_network",
    "network_forecaster",
    "window_dataset",
    "xla_scope",
]

#: Lowest price forecast accepted in ``price`` mode before taking the log (price units).
MIN_PRICE = 1e-12
#: Training batches per call into the compiled graph (:class:`RecurrentForecaster` default).
STEPS_PER_EXECUTION = 8


@keras.saving.register_keras_serializable(package="lstmgru")
class PhiloxDropout(keras.layers.Dropout):
    """Inverted dropout whose Bernoulli mask comes from the Philox counter-based generator.

    In training, each element is kept with probability :math:`1 - \\text{rate}` and scaled by
    :math:`1 / (1 - \\text{rate})`; at inference the layer is the identity. The mask is the same
    as Keras' ``Dropout`` in distribution; only the random-number algorithm is fixed to Philox,
    which XLA compiles to fast vector code on a CPU (see the module docstring). ``noise_shape``
    is not supported (every element has its own mask).
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs):
        if noise_shape is not None:
            raise ValueError("PhiloxDropout draws one mask element per input; noise_shape=None")
        super().__init__(rate, seed=seed, **kwargs)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not training or self.rate == 0:
            return inputs
        seed = tf.cast(tf.math.floormod(self.seed_generator.next(), 2**31 - 1), tf.int32)
        uniform = tf.random.stateless_uniform(
            tf.shape(inputs), seed=seed, alg="philox", dtype=inputs.dtype
        )
        keep = uniform >= self.rate
        return tf.where(keep, inputs / (1.0 - self.rate), tf.zeros_like(inputs))


def _recurrent_layer(
    kind: str, units: int, return_sequences: bool, name: str, fused: bool = True
) -> Any:
    """A cuDNN-eligible LSTM or GRU layer (default activations, bias, no recurrent dropout).

    ``fused``: :class:`~lstmgru.models.fused.FusedLSTM` / ``FusedGRU`` (Keras' layers with the
    fused CPU loop); otherwise Keras' own ``LSTM`` / ``GRU``.
    """
    common = {
        "units": units,
        "activation": "tanh",
        "recurrent_activation": "sigmoid",
        "use_bias": True,
        "recurrent_dropout": 0.0,
        "unroll": False,
        "return_sequences": return_sequences,
        "name": name,
    }
    lstm, gru = (FusedLSTM, FusedGRU) if fused else (keras.layers.LSTM, keras.layers.GRU)
    if kind == "lstm":
        return lstm(**common)
    return gru(reset_after=True, **common)


def _check_layers(layers: Sequence[str]) -> tuple[str, ...]:
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(layers)
    if not layers:
        raise ValueError("layers must name at least one recurrent layer ('lstm' or 'gru')")
    for kind in layers:
        if kind not in LAYER_KINDS:
            raise ValueError(
                f"unknown layer {kind!r} in {layers!r}; each layer must be one of "
                f"{', '.join(repr(k) for k in LAYER_KINDS)}"
            )
    return layers


def _check_units(units: int | Sequence[int], n_layers: int) -> tuple[int, ...]:
    values = (units,) * n_layers if isinstance(units, int) else tuple(units)
    if len(values) < n_layers:
        raise ValueError(f"units {values!r} gives fewer entries than the {n_layers} layers")
    values = values[:n_layers]
    if any(not isinstance(u, int) or isinstance(u, bool) or u < 1 for u in values):
        raise ValueError(f"units must be positive integers, got {values!r}")
    return values


def build_network(
    layers: Sequence[str],
    units: int | Sequence[int],
    window: int,
    dropout: float,
    parallel: bool = False,
    n_features: int = 1,
    name: str | None = None,
    fused: bool = True,
) -> keras.Model:
    """The recurrent network of a layer spec (see the module docstring for the architectures).

    Parameters
    ----------
    layers : sequence of {'lstm', 'gru'}
        Recurrent layers from input to output (stacked), or the branches (``parallel=True``).
    units : int or sequence of int
        Hidden units :math:`m` of each layer (the first ``len(layers)`` entries are used).
    window : int
        Time steps :math:`T` of an input window (trading days).
    dropout : float
        Dropout rate in [0, 1) after each recurrent layer (after the concatenation when
        ``parallel``).
    parallel : bool
        Branches on the same input, last states concatenated, instead of a stack.
    n_features : int
        Input features :math:`n` per time step.
    name : str, optional
        Model name (default: the layer kinds joined by ``_``).
    fused : bool
        Use the fused CPU loops of :mod:`lstmgru.models.fused` (same weights and equations as
        Keras' ``LSTM``/``GRU``; faster training on a CPU). ``False``: Keras' own layers.

    Returns
    -------
    keras.Model
        Input ``(batch, window, n_features)``, output ``(batch, 1)`` in model (scaled) units.

    Raises
    ------
    ValueError
        For an unknown layer kind, bad units, window, features or dropout.
    """
    layers = _check_layers(layers)
    sizes = _check_units(units, len(layers))
    for label, value in (("window", window), ("n_features", n_features)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    if not 0.0 <= float(dropout) < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    if parallel and len(layers) < 2:
        raise ValueError("a parallel network needs at least two branches, e.g. ('lstm', 'gru')")
    inputs = keras.Input(shape=(window, n_features), name="window")
    if parallel:
        branches = [
            _recurrent_layer(kind, m, False, f"{kind}_{i + 1}", fused)(inputs)
            for i, (kind, m) in enumerate(zip(layers, sizes, strict=True))
        ]
        hidden = keras.layers.Concatenate(name="concatenate")(branches)
        hidden = PhiloxDropout(dropout, name="dropout_1")(hidden)
    else:
        hidden = inputs
        for i, (kind, m) in enumerate(zip(layers, sizes, strict=True)):
            last = i == len(layers) - 1
            hidden = _recurrent_layer(kind, m, not last, f"{kind}_{i + 1}", fused)(hidden)
            hidden = PhiloxDropout(dropout, name=f"dropout_{i + 1}")(hidden)
    outputs = keras.layers.Dense(1, name="output")(hidden)
    default = "_".join(layers) + ("_parallel" if parallel else "")
    return keras.Model(inputs, outputs, name=name or default)


def compile_network(
    model: keras.Model,
    *,
    learning_rate: float = 1e-3,
    loss: str = "mse",
    jit_compile: bool = True,
    steps_per_execution: int = 1,
) -> keras.Model:
    """Compile with Adam and the MSE or Huber loss; XLA where the model supports it.

    Where the model's recurrent layers run the fused loops (:mod:`lstmgru.models.fused`, on a
    CPU), ``jit_compile`` compiles each of their loops with XLA and leaves the model's own
    training step to TensorFlow's graph executor, which runs the loops' batch lanes
    concurrently (one XLA program for the whole step would run them one after the other).
    ``jit_compile`` is switched off for models whose layers cannot be compiled by XLA (the
    cuDNN path on a GPU) instead of letting Keras warn and do the same.
    """
    if loss == "mse":
        loss_fn: Any = keras.losses.MeanSquaredError()
    elif loss == "huber":
        loss_fn = keras.losses.Huber(delta=1.0)
    else:
        raise ValueError(f"unknown loss {loss!r}; use 'mse' or 'huber'")
    fused = _fused_layers(model)
    for layer in fused:
        layer.xla = bool(jit_compile)
    supports_jit = all(getattr(layer, "supports_jit", True) for layer in model.layers)
    step_jit = bool(jit_compile and supports_jit and not (fused and fused_loops_active()))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=loss_fn,
        jit_compile=step_jit,
        steps_per_execution=steps_per_execution,
    )
    return model


def _fused_layers(model: keras.Model) -> list[Any]:
    return [layer for layer in model.layers if isinstance(layer, FusedLSTM | FusedGRU)]


def window_dataset(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle_seed: int | None = None
) -> tf.data.Dataset:
    """Batches of ``(window, target)`` pairs for ``model.fit``; reshuffled each epoch if seeded.

    Shuffling mixes windows of one span only (the training windows, or the validation
    windows), never across the split. The pipeline runs on one private thread with TensorFlow's
    autotuning off: on a 2-core machine the background threads of Keras' default pipeline took a
    core from the fused loops' lanes in some processes, which then trained about 40 % slower
    (``benchmarks/README.md``).
    """
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        data = data.shuffle(len(y), seed=shuffle_seed, reshuffle_each_iteration=True)
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    options.threading.max_intra_op_parallelism = 1
    options.autotune.enabled = False
    return data.batch(batch_size).prefetch(1).with_options(options)


def xla_scope(model: keras.Model) -> str:
    """Where XLA compiles a compiled model's training: ``'step'``, ``'loops'`` or ``'none'``."""
    if model.jit_compile:
        return "step"
    fused = _fused_layers(model)
    if fused and fused_loops_active() and all(layer.xla for layer in fused):
        return "loops"
    return "none"


class RecurrentForecaster(Forecaster):
    """A recurrent network forecasting the next day from a window of past observations.

    Parameters
    ----------
    name : str
        Model name, e.g. ``'lstm_gru'`` (forecasts are labelled ``'lstm_gru#s0'`` for seed 0).
    layers : sequence of {'lstm', 'gru'}
        Layer spec of :func:`build_network`.
    config : ModelConfig
        Target, window, units, dropout, optimiser, loss, epochs, patience, XLA switch.
    seed : int
        Seed of initialisation, dropout masks and shuffling.
    parallel : bool
        Parallel branches instead of a stack.
    steps_per_execution : int
        Training batches run per call into the compiled graph (8 saves about a fifth of the
        training time of the hybrid on a 2-core CPU against 1; see ``benchmarks/README.md``).
    verbose : int
        Keras ``fit`` verbosity (0: silent).
    units : sequence of int, optional
        Units per layer in place of ``config.units`` (the size-matched stacks'
        :func:`~lstmgru.models.sizing.network_units`).

    Attributes
    ----------
    model_ : keras.Model
    scaler_ : FittedScaler
        Target scaler fitted on the training span.
    history_ : dict
        Per-epoch ``loss``, ``val_loss`` and ``learning_rate``.
    info_ : dict
        JSON-serialisable record of the run (see :meth:`fit`).
    """

    def __init__(
        self,
        name: str,
        layers: Sequence[str],
        config: ModelConfig,
        seed: int = 0,
        parallel: bool = False,
        steps_per_execution: int = STEPS_PER_EXECUTION,
        verbose: int = 0,
        units: Sequence[int] | None = None,
    ) -> None:
        if not isinstance(config, ModelConfig):
            raise ValueError(f"config must be a ModelConfig, got {type(config).__name__}")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(f"steps_per_execution must be >= 1, got {steps_per_execution!r}")
        self.name = name
        self.layers = _check_layers(layers)
        self.units = _check_units(config.units if units is None else units, len(self.layers))
        self.config = config
        self.seed = seed
        self.parallel = parallel
        self.steps_per_execution = steps_per_execution
        self.verbose = verbose
        self._model: keras.Model | None = None
        self._network: netcache.CompiledNetwork | None = None
        self._owner: object = object()
        self._weights: list[np.ndarray] = []
        self._predict_state = netcache.PredictState()
        self.scaler_: FittedScaler | None = None
        self.history_: dict[str, list[float]] = {}
        self.info_: dict[str, Any] = {}

    @property
    def label(self) -> str:
        """Name with the seed, e.g. ``lstm_gru#s0``: the ``model`` of this forecaster's output."""
        return f"{self.name}#s{self.seed}"

    @property
    def model_(self) -> keras.Model | None:
        """The fitted network (``None`` before :meth:`fit`); with the fit cache, a model shared
        with later fits of the architecture, holding this forecaster's weights when read."""
        if self._network is None:
            return self._model
        model = self._network.checkout(self._owner, self._weights)
        self._network.attach(self._predict_state)
        return model

    def _signature(self) -> tuple:
        cfg = self.config
        return netcache.signature(
            name=self.name,
            layers=self.layers,
            units=self.units,
            parallel=self.parallel,
            window=cfg.window,
            dropout=cfg.dropout,
            fused=cfg.fused_kernels,
            jit_compile=cfg.jit_compile,
            learning_rate=cfg.learning_rate,
            loss=cfg.loss,
            batch_size=cfg.batch_size,
            steps_per_execution=self.steps_per_execution,
            fused_loops=fused_loops_active(),
        )

    def _compiled(self, fresh: keras.Model) -> tuple[keras.Model, netcache.CompiledNetwork | None]:
        """The cached compiled model holding ``fresh``'s variables, or ``fresh`` compiled."""
        self._owner, self._predict_state = object(), netcache.PredictState()
        key = self._signature() if netcache.cache_enabled() else None
        network = None if key is None else netcache.compiled_network(key)
        if network is not None:
            return network.restart(fresh, self._owner), network
        cfg = self.config
        compile_network(
            fresh,
            learning_rate=cfg.learning_rate,
            loss=cfg.loss,
            jit_compile=cfg.jit_compile,
            steps_per_execution=self.steps_per_execution,
        )
        if key is None:
            return fresh, None
        network = netcache.store(key, fresh)
        network.owner = self._owner
        return fresh, network

    def fit(self, train: pd.Series, validation: pd.Series | None = None) -> Self:
        """Train on windows of the training span; stop early on the validation loss.

        The record ``info_`` holds ``seed``, ``layers``, ``units``, ``parallel``, ``target``,
        ``window``, ``parameters`` (trainable count), ``epochs_used``, ``best_epoch`` (1-based),
        ``best_val_loss``, ``history``, ``fit_seconds`` (wall time), ``jit_compile`` (XLA used),
        ``xla_scope`` (:func:`xla_scope`), ``fused_kernels``,
        ``device``, sample counts and the scaler.

        Raises
        ------
        InsufficientDataError
            When the training span is shorter than the window needs.
        """
        cfg = self.config
        scaler, x_train, y_train, x_val, y_val = training_windows(
            train, validation, target=cfg.target, window=cfg.window
        )
        has_validation = len(y_val) > 0
        started = time.perf_counter()
        keras.utils.set_random_seed(self.seed)
        fresh = build_network(
            self.layers,
            self.units,
            cfg.window,
            cfg.dropout,
            parallel=self.parallel,
            name=self.name,
            fused=cfg.fused_kernels,
        )
        model, network = self._compiled(fresh)
        callbacks: list[Any] = []
        if has_validation:
            callbacks = [
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    mode="min",
                    patience=cfg.patience,
                    restore_best_weights=True,
                ),
                keras.callbacks.ReduceLROnPlateau(
                    monitor="val_loss",
                    mode="min",
                    factor=0.5,
                    patience=max(1, cfg.patience // 2),
                    min_lr=cfg.learning_rate / 64,
                ),
            ]
        result = model.fit(
            window_dataset(x_train, y_train, cfg.batch_size, shuffle_seed=self.seed),
            validation_data=window_dataset(x_val, y_val, cfg.batch_size)
            if has_validation
            else None,
            epochs=cfg.epochs,
            # the dataset reshuffles itself (seeded); Keras' own shuffle does not apply to it
            shuffle=False,
            callbacks=callbacks,
            verbose=self.verbose,
        )
        elapsed = time.perf_counter() - started
        history = {
            key: [float(v) for v in values]
            for key, values in result.history.items()
            if key in ("loss", "val_loss", "learning_rate")
        }
        monitored = history.get("val_loss") or history["loss"]
        best = int(np.argmin(monitored))
        self._model, self._network, self.scaler_, self.history_ = model, network, scaler, history
        self._weights = model.get_weights() if network is not None else []
        self.info_ = {
            "name": self.name,
            "label": self.label,
            "seed": self.seed,
            "layers": list(self.layers),
            "units": list(self.units),
            "parallel": self.parallel,
            "target": cfg.target,
            "window": cfg.window,
            "dropout": cfg.dropout,
            "learning_rate": cfg.learning_rate,
            "batch_size": cfg.batch_size,
            "loss": cfg.loss,
            "epochs_max": cfg.epochs,
            "patience": cfg.patience,
            "epochs_used": len(history["loss"]),
            "best_epoch": best + 1,
            "best_val_loss": float(monitored[best]) if has_validation else None,
            "final_loss": history["loss"][-1],
            "history": history,
            "fit_seconds": elapsed,
            "parameters": int(model.count_params()),
            "jit_compile": xla_scope(model) != "none",
            "xla_scope": xla_scope(model),
            "fused_kernels": cfg.fused_kernels,
            "steps_per_execution": self.steps_per_execution,
            "device": "GPU" if tf.config.list_physical_devices("GPU") else "CPU",
            "train_samples": len(y_train),
            "validation_samples": len(y_val),
            "scaler": {"kind": scaler.kind, "loc": scaler.loc, "scale": scaler.scale},
        }
        return self

    def predict_scaled(self, history: pd.Series, dates: pd.DatetimeIndex) -> np.ndarray:
        """Network outputs (model units) for ``dates`` from windows ending the day before."""
        if self._model is None or self.scaler_ is None:
            raise RuntimeError("call fit() before forecast()")
        x, _ = windows_for_dates(
            history,
            pd.DatetimeIndex(dates),
            target=self.config.target,
            window=self.config.window,
            scaler=self.scaler_,
        )
        batch_size = max(256, self.config.batch_size)
        if self._network is None:
            out = self._model.predict(x, batch_size=batch_size, verbose=0)
        else:
            self._network.checkout(self._owner, self._weights)
            out = self._network.predict(self._predict_state, x, batch_size)
        return np.asarray(out, dtype="float64").reshape(-1)

    def forecast(self, history: pd.Series, dates: pd.DatetimeIndex) -> Forecast:
        """One-step forecasts for ``dates``; log returns from the target mode.

        ``return``: :math:`\\hat r_t` is the inverse-scaled output. ``price``:
        :math:`\\hat r_t = \\log(\\hat P_t / P_{t-1})` with :math:`\\hat P_t` the inverse-scaled
        output (floored at :data:`MIN_PRICE`; ``info["price_floored"]`` counts such days).
        """
        dates = pd.DatetimeIndex(dates)
        started = time.perf_counter()
        values = self.scaler_.inverse_transform(self.predict_scaled(history, dates))  # type: ignore[union-attr]
        info = dict(self.info_)
        if self.config.target == "return":
            r_hat = values
        else:
            floored = values < MIN_PRICE
            r_hat = np.log(np.maximum(values, MIN_PRICE) / previous_close(history, dates))
            info["price_floored"] = int(floored.sum())
        info["forecast_seconds"] = time.perf_counter() - started
        return Forecast.from_log_return(self.label, history, dates, r_hat, info=info)

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write ``model.weights.h5``, ``history.json`` and ``info.json`` into ``directory``."""
        model = self.model_
        if model is None:
            raise RuntimeError("call fit() before save()")
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        model.save_weights(path / "model.weights.h5")
        (path / "history.json").write_text(json.dumps(self.history_, indent=2))
        (path / "info.json").write_text(json.dumps(self.info_, indent=2))
        return path


def network_forecaster(name: str, config: ModelConfig, seed: int = 0) -> RecurrentForecaster:
    """The forecaster of a network model name of :data:`lstmgru.config.NETWORK_LAYERS`.

    Its units are :func:`lstmgru.models.sizing.network_units` of ``config.units``: the
    configured units, or for the size-matched stacks the units matching the hybrid's size.
    """
    if name not in NETWORK_LAYERS:
        raise ValueError(f"unknown network {name!r}; valid: {', '.join(NETWORK_LAYERS)}")
    return RecurrentForecaster(
        name,
        NETWORK_LAYERS[name],
        config,
        seed=seed,
        parallel=name == "lstm_gru_parallel",
        units=network_units(name, config.units),
    )
