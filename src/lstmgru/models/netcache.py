"""Per-process cache of compiled recurrent networks: the fixed cost of a fit, paid once.

Each :meth:`lstmgru.models.rnn.RecurrentForecaster.fit` used to build, compile and train a new
Keras model, so TensorFlow traced the training, evaluation and prediction graphs of every fit
anew (and XLA compiled them): about 3 s per fit on the 2-core reference machine, close to half
the training time of an early-stopped fit (``benchmarks/fit_overhead.py`` measures it). This
module keeps, per process, one compiled model per **architecture signature** (everything that
shapes its graphs: layers, units, window, dropout, parallel branches, fused loops, XLA, loss,
learning rate, batch size, steps per execution; see :func:`signature`) and reuses it:

* the fit still seeds and builds a fresh network exactly as before, so its initial weights and
  dropout seed-generator states are drawn as before; they are then **copied** into the cached
  model (:meth:`CompiledNetwork.restart`), whose traced functions are kept;
* every piece of state a fit could leave behind is reset: the optimizer's variables (iteration
  counter, learning rate lowered by ``ReduceLROnPlateau``, Adam moments) to their values when
  it was built, the metrics, ``stop_training`` and Keras' cached validation iterator;
  callbacks, datasets and the scaler are new in every fit;
* prediction functions are kept per input signature and handed out only while they hold a
  single trace, so that a forecast runs the graph a fresh model would trace for it (a
  forecaster that predicts on several input shapes gets a private function that replays its
  own shape history, as its own model would have; :class:`PredictState`);
* the forecaster keeps a copy of its fitted weights and loads them back when another fit has
  used the shared model since (:meth:`CompiledNetwork.checkout`).

Results are bit-identical with the cache on and off, and a fit's result does not depend on the
fits before it in the process (``tests/test_rnn.py``).

Assumptions and bounds: one process runs its fits **one after the other** (the runner executes
one notebook per kernel process; nothing here is locked, so do not fit from several threads);
nothing is shared between processes. The cache holds at most :data:`CACHE_SIZE` models (least
recently used dropped first; a forecaster keeps alive the model it was fitted with) and each
model at most :data:`PREDICT_FUNCTIONS` prediction functions. Switch: the environment variable
``LSTMGRU_FIT_CACHE=0`` or :func:`set_cache_enabled` (``False``: every fit builds its own model,
the code path of before).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

__all__ = [
    "CACHE_ENV",
    "CACHE_SIZE",
    "PREDICT_FUNCTIONS",
    "CompiledNetwork",
    "PredictState",
    "cache_enabled",
    "cache_info",
    "clear_cache",
    "compiled_network",
    "set_cache_enabled",
    "signature",
    "store",
]

#: Environment variable switching the cache off with ``0``, ``false``, ``no`` or ``off``.
CACHE_ENV = "LSTMGRU_FIT_CACHE"
#: Most compiled models kept per process (least recently used dropped first).
CACHE_SIZE = 4
#: Most prediction functions (input signatures) kept per compiled model.
PREDICT_FUNCTIONS = 8

_OFF = ("0", "false", "no", "off")
_enabled: bool | None = None
_cache: OrderedDict[Hashable, CompiledNetwork] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "evictions": 0}


def cache_enabled() -> bool:
    """Whether fits reuse compiled models (:func:`set_cache_enabled`, else :data:`CACHE_ENV`)."""
    if _enabled is not None:
        return _enabled
    return os.environ.get(CACHE_ENV, "1").strip().lower() not in _OFF


def set_cache_enabled(enabled: bool | None) -> None:
    """Switch the cache on or off for this process (``None``: follow :data:`CACHE_ENV`)."""
    global _enabled
    _enabled = None if enabled is None else bool(enabled)


def clear_cache() -> None:
    """Drop every cached model and zero the counters (forecasters keep their models)."""
    _cache.clear()
    _stats.update(hits=0, misses=0, evictions=0)


def cache_info() -> dict[str, Any]:
    """Cached models, hits, misses and evictions so far in this process."""
    return {"enabled": cache_enabled(), "size": len(_cache), "max_size": CACHE_SIZE, **_stats}


def signature(**parts: Any) -> tuple:
    """A hashable architecture signature from named parts (sequences become tuples)."""
    return tuple(
        sorted((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in parts.items())
    )


@dataclass
class PredictState:
    """A forecaster's prediction history on a shared model: the input keys in first-seen order
    and, once it has predicted on more than one key, its private prediction function."""

    keys: list[Hashable] = field(default_factory=list)
    private: Any = None


def _tracing_count(function: Any) -> int | None:
    count = getattr(function, "experimental_get_tracing_count", None)
    return None if count is None else int(count())


class CompiledNetwork:
    """One compiled Keras model reused by the fits of one architecture signature.

    Created from the first fit's freshly built and compiled model; its optimizer is built at
    once so that its starting state can be restored before every later fit.
    """

    def __init__(self, model: keras.Model) -> None:
        self.model = model
        optimizer = model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        self._optimizer_start = [np.array(v.numpy()) for v in optimizer.variables]
        self._predict: OrderedDict[Hashable, Any] = OrderedDict()
        self.owner: object | None = None

    def restart(self, fresh: keras.Model, owner: object) -> keras.Model:
        """Load a freshly built model's variables and reset the training state; the model."""
        model = self.model
        sources, targets = fresh.variables, model.variables
        if [tuple(v.shape) for v in sources] != [tuple(v.shape) for v in targets]:
            raise ValueError("the fresh network does not match the cached one")
        for target, source in zip(targets, sources, strict=True):
            target.assign(source.value)
        for variable, start in zip(model.optimizer.variables, self._optimizer_start, strict=True):
            variable.assign(start)
        model.reset_metrics()
        model.stop_training = False
        model._eval_epoch_iterator = None
        self.owner = owner
        return model

    def checkout(self, owner: object, weights: list[np.ndarray]) -> keras.Model:
        """The model holding ``owner``'s fitted ``weights`` (loaded if another fit used it)."""
        if self.owner is not owner:
            self.model.set_weights(weights)
            self.owner = owner
        return self.model

    def attach(self, state: PredictState) -> None:
        """Set the model's prediction function to the one ``state`` has used (or a new one)."""
        function = state.private
        if function is None and len(state.keys) == 1:
            function = self._shared(state.keys[0])
        self.model.predict_function = function

    def _shared(self, key: Hashable) -> Any:
        function = self._predict.get(key)
        if function is not None and _tracing_count(function) != 1:
            del self._predict[key]  # traced again since (e.g. through ``model_``): not fresh
            return None
        return function

    def predict(self, state: PredictState, x: np.ndarray, batch_size: int) -> np.ndarray:
        """``model.predict`` through the prediction function a fresh model would have used."""
        model = self.model
        key = (tuple(x.shape), str(x.dtype), int(batch_size))
        if not state.keys or state.keys == [key]:
            model.predict_function = self._shared(key)
            out = model.predict(x, batch_size=batch_size, verbose=0)
            if _tracing_count(model.predict_function) == 1:
                self._predict[key] = model.predict_function
                self._predict.move_to_end(key)
                while len(self._predict) > PREDICT_FUNCTIONS:
                    self._predict.popitem(last=False)
            state.keys = [key]
            return out
        if state.private is None:  # replay this forecaster's shape history on a new function
            model.predict_function = None
            for shape, dtype, size in state.keys:
                model.predict(np.zeros(shape, dtype=dtype), batch_size=size, verbose=0)
            state.private = model.predict_function
        model.predict_function = state.private
        out = model.predict(x, batch_size=batch_size, verbose=0)
        state.private = model.predict_function
        if key not in state.keys:
            state.keys.append(key)
        return out


def compiled_network(key: Hashable) -> CompiledNetwork | None:
    """The cached model of signature ``key`` (marked most recently used), or ``None``."""
    network = _cache.get(key)
    if network is None:
        _stats["misses"] += 1
        return None
    _stats["hits"] += 1
    _cache.move_to_end(key)
    return network


def store(key: Hashable, model: keras.Model) -> CompiledNetwork:
    """Cache a freshly built and compiled ``model`` under ``key``; evict beyond the bound."""
    network = CompiledNetwork(model)
    _cache[key] = network
    _cache.move_to_end(key)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
        _stats["evictions"] += 1
    return network
