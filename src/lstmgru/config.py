"""Frozen, validated configuration of one experiment.

Three dataclasses describe a run: :class:`DataConfig` (where the prices come from and how they are
split in time), :class:`ModelConfig` (the recurrent networks) and :class:`ExperimentConfig` (which
models, which seeds, the AR and ARIMA searches). Each validates itself in ``__post_init__`` and
raises ``ValueError`` with a message naming the fix.

Profiles bundle sensible values: ``quick`` (seconds; tests and CI), ``default`` (``make report``)
and ``full`` (the long study). :meth:`ExperimentConfig.from_parameters` turns the flat papermill
parameters of ``notebooks/03_experiment.ipynb`` into a config: ``None`` means "the profile's
value", an unknown name is an error (papermill itself only warns).
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lstmgru.options import OPTION_INTERFACES, check_char_option, option_hint
from lstmgru.tuning import format_grid, parse_grid

__all__ = [
    "CRITERIA",
    "FOLD_KINDS",
    "LAYER_KINDS",
    "LOSSES",
    "MODEL_NAMES",
    "NETWORK_LAYERS",
    "OPTION_INTERFACES",
    "PROFILES",
    "PROTOCOLS",
    "SIZE_MATCHED",
    "SOURCES",
    "SUSPICIOUS",
    "TARGETS",
    "DataConfig",
    "ExperimentConfig",
    "ModelConfig",
    "check_char_option",
    "option_hint",
    "parameter_names",
]

SOURCES = ("skfolio", "arch", "csv", "yfinance")
TARGETS = ("return", "price")
LAYER_KINDS = ("lstm", "gru")
LOSSES = ("mse", "huber")
CRITERIA = ("aic", "bic")
SUSPICIOUS = ("warn", "reject")
#: Evaluation protocols: one chronological split, or rolling-origin folds (:mod:`lstmgru.folds`).
PROTOCOLS = ("single", "rolling")
#: How the rolling protocol cuts its evaluation period: calendar years or ``fold_days`` rows.
FOLD_KINDS = ("year", "days")

#: Every forecaster the experiment knows, by the name used in configs, tables and figures.
MODEL_NAMES = (
    "random_walk",
    "drift",
    "ar",
    "arima",
    "lstm",
    "gru",
    "lstm_gru",
    "gru_lstm",
    "lstm_gru_parallel",
    "lstm_lstm",
    "gru_gru",
)
#: The recurrent architectures behind the network model names (``parallel`` marks LSTM‖GRU).
NETWORK_LAYERS: dict[str, tuple[str, ...]] = {
    "lstm": ("lstm",),
    "gru": ("gru",),
    "lstm_gru": ("lstm", "gru"),
    "gru_lstm": ("gru", "lstm"),
    "lstm_gru_parallel": ("lstm", "gru"),
    "lstm_lstm": ("lstm", "lstm"),
    "gru_gru": ("gru", "gru"),
}
#: Stacks sized to another network: each is built with equal units per layer chosen so that its
#: parameter count matches that of the network named here, built with ``ModelConfig.units``
#: (:func:`lstmgru.models.sizing.network_units`); they isolate the architecture from the size.
SIZE_MATCHED: dict[str, str] = {"lstm_lstm": "lstm_gru", "gru_gru": "lstm_gru"}


def _suggest(name: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"{hint} Valid: {', '.join(options)}."


def _check_fraction(name: str, value: float) -> None:
    if not isinstance(value, int | float) or not (0.0 < float(value) < 1.0):
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")


@dataclass(frozen=True)
class DataConfig:
    """Where the prices come from and how they are split in time.

    Parameters
    ----------
    source : {'skfolio', 'arch', 'csv', 'yfinance'}
        Data source; ``skfolio`` and ``arch`` are embedded and work offline.
    ticker : str
        Ticker within the source (for ``csv`` a free label; the file stem when empty).
    start, end : str or None
        Inclusive ISO dates bounding the loaded span; ``None`` keeps the source's whole span.
    csv_path : str or None
        Path of the CSV file for ``source='csv'``.
    date_column, close_column : str
        CSV column names of the dates and of the closing (or chosen) price.
    open_column, high_column, low_column, volume_column : str or None
        Optional further CSV columns.
    date_format : str or None
        ``strftime`` format of the CSV dates (e.g. ``'%d/%m/%Y'``); ``None`` infers it from the
        first date, and every other date must then fit it.
    encoding : str
        CSV text encoding (e.g. ``gbk`` for many Chinese exports, ``utf-8-sig`` for Excel).
    sep : str
        CSV field separator, one character (``';'`` for many European exports).
    thousands : str or None
        Thousands mark inside CSV numbers (``','`` for ``1,234.5``); ``None``: numbers have none.
    decimal : str
        Decimal mark of CSV numbers (``','`` for ``1234,5``).
    max_gap : int
        At most this many consecutive missing closes are forward-filled; a longer gap is an error.
    suspicious : {'warn', 'reject'}
        What to do with suspicious prices (a daily jump above
        :data:`lstmgru.data.JUMP_THRESHOLD` in absolute log return, or intraday timestamps):
        ``warn`` issues a :class:`lstmgru.data.DataWarning` and records them in the provenance,
        ``reject`` makes them an error.
    train_fraction, validation_fraction : float
        Chronological shares of the rows for training and validation; the rest is the test span
        (``protocol='single'``). The rolling protocol starts its evaluation period where this
        test span starts unless ``first_test`` is given, and gives each fold the validation
        share ``validation_fraction / (train_fraction + validation_fraction)`` of the rows
        before it unless ``validation_days`` is given.
    protocol : {'single', 'rolling'}
        ``single``: one chronological split. ``rolling``: rolling origin (walk-forward), every
        model refitted before each test fold on the rows up to the fold's start
        (:func:`lstmgru.folds.rolling_origin_folds`).
    fold : {'year', 'days'}
        Rolling protocol: one test fold per calendar year, or ``fold_days`` trading days each.
    fold_days : int or None
        Trading days per test fold; needed by, and only allowed with, ``fold='days'``.
    first_test : str, float or None
        Rolling protocol: first day of the evaluation period (ISO date) or the share of rows
        before it; ``None``: where the single split's test span starts.
    n_folds : int or None
        Rolling protocol: keep only the last ``n_folds`` folds (cheap profiles); ``None``: all.
    validation_days : int or None
        Rolling protocol: trading days of each fold's validation span (the end of the rows
        before the fold); ``None``: the validation share (see ``train_fraction``).
    """

    source: str = "skfolio"
    ticker: str = "AAPL"
    start: str | None = None
    end: str | None = None
    csv_path: str | None = None
    date_column: str = "date"
    close_column: str = "close"
    open_column: str | None = None
    high_column: str | None = None
    low_column: str | None = None
    volume_column: str | None = None
    date_format: str | None = None
    encoding: str = "utf-8"
    sep: str = ","
    thousands: str | None = None
    decimal: str = "."
    max_gap: int = 5
    suspicious: str = "warn"
    train_fraction: float = 0.70
    validation_fraction: float = 0.15
    protocol: str = "single"
    fold: str = "year"
    fold_days: int | None = None
    first_test: str | float | None = None
    n_folds: int | None = None
    validation_days: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(
                f"unknown data source {self.source!r}.{_suggest(self.source, SOURCES)}"
            )
        if self.source == "csv" and not self.csv_path:
            raise ValueError("source 'csv' needs csv_path (the path of the CSV file)")
        if not isinstance(self.max_gap, int) or isinstance(self.max_gap, bool) or self.max_gap < 0:
            raise ValueError(f"max_gap must be a non-negative integer, got {self.max_gap!r}")
        if self.suspicious not in SUSPICIOUS:
            hint = _suggest(str(self.suspicious), SUSPICIOUS)
            raise ValueError(f"unknown suspicious {self.suspicious!r}.{hint}")
        if self.date_format is not None and (
            not isinstance(self.date_format, str) or not self.date_format.strip()
        ):
            raise ValueError(
                "date_format must be a strftime format such as '%Y-%m-%d' (or None to infer "
                f"it), got {self.date_format!r}"
            )
        try:
            codecs.lookup(self.encoding)
        except (LookupError, TypeError):
            raise ValueError(
                f"unknown encoding {self.encoding!r}; e.g. 'utf-8', 'utf-8-sig', 'gbk', 'latin-1'"
            ) from None
        check_char_option("sep", self.sep, optional=False)
        check_char_option("thousands", self.thousands, optional=True)
        check_char_option("decimal", self.decimal, optional=False)
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError(f"thousands and decimal must differ, both are {self.decimal!r}")
        _check_fraction("train_fraction", self.train_fraction)
        _check_fraction("validation_fraction", self.validation_fraction)
        if self.train_fraction + self.validation_fraction >= 1.0:
            raise ValueError(
                "train_fraction + validation_fraction must leave a test span (sum < 1), got "
                f"{self.train_fraction} + {self.validation_fraction}"
            )
        self._check_protocol()

    def _check_protocol(self) -> None:
        if self.protocol not in PROTOCOLS:
            hint = _suggest(str(self.protocol), PROTOCOLS)
            raise ValueError(f"unknown protocol {self.protocol!r}.{hint}")
        if self.fold not in FOLD_KINDS:
            raise ValueError(f"unknown fold {self.fold!r}.{_suggest(str(self.fold), FOLD_KINDS)}")
        for name, minimum in (("fold_days", 5), ("n_folds", 1), ("validation_days", 5)):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < minimum
            ):
                raise ValueError(f"{name} must be None or an integer >= {minimum}, got {value!r}")
        if self.fold == "days" and self.fold_days is None:
            raise ValueError("fold='days' needs fold_days (trading days per test fold), e.g. 63")
        if self.fold == "year" and self.fold_days is not None:
            raise ValueError(
                f"fold_days={self.fold_days} needs fold='days' (fold='year' cuts by calendar "
                "year); set fold='days' or drop fold_days"
            )
        first = self.first_test
        if isinstance(first, bool) or not (first is None or isinstance(first, str | int | float)):
            raise ValueError(f"first_test must be an ISO date or a share, got {first!r}")
        if isinstance(first, int | float) and not 0.0 < float(first) < 1.0:
            raise ValueError(
                f"first_test as a share of rows must lie strictly between 0 and 1, got {first!r}"
            )
        if isinstance(first, str):
            try:
                datetime.date.fromisoformat(first)
            except ValueError:
                raise ValueError(
                    f"first_test must be an ISO date such as '2015-01-01' or a share such as "
                    f"0.6, got {first!r}"
                ) from None
        if self.protocol == "single":
            given = [
                name
                for name in ("first_test", "n_folds", "validation_days", "fold_days")
                if getattr(self, name) is not None
            ]
            if given or self.fold != "year":
                fields = given or ["fold"]
                names = ", ".join(fields)
                verb = "is" if len(fields) == 1 else "are"
                raise ValueError(
                    f"{names} {verb} for the rolling protocol only; set protocol='rolling' "
                    f"(run -p protocol rolling) or drop {names}"
                )

    @property
    def test_fraction(self) -> float:
        """Share of rows in the test span."""
        return 1.0 - self.train_fraction - self.validation_fraction


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of the recurrent networks and of their inputs.

    Parameters
    ----------
    target : {'return', 'price'}
        ``return``: predict the next-day log return from a window of past log returns (default).
        ``price``: the seed-replication ablation, MinMax-scaled price level (train-fitted).
    window : int
        Number of past observations in each input window (trading days).
    units : tuple of int
        Units of each recurrent layer, in order; its length must match the architecture.
    dropout : float
        Dropout rate between recurrent layers and before the dense head, in [0, 1).
    learning_rate : float
        Adam step size.
    batch_size, epochs, patience : int
        Mini-batch size, maximum epochs, early-stopping patience (epochs without a better
        validation loss).
    loss : {'mse', 'huber'}
        Training loss on the scaled target.
    jit_compile : bool
        Compile with XLA on a CPU: each fused loop (``fused_kernels``), else the whole training
        step.
    fused_kernels : bool
        Train the recurrent layers with the fused CPU loops of :mod:`lstmgru.models.fused`
        (same equations and weights as Keras' layers, hand-written back-propagation through
        time); ``False`` runs Keras' generic loop. A GPU uses cuDNN either way.
    """

    target: str = "return"
    window: int = 20
    units: tuple[int, ...] = (64, 64)
    dropout: float = 0.2
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 100
    patience: int = 10
    loss: str = "mse"
    jit_compile: bool = True
    fused_kernels: bool = True

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"unknown target {self.target!r}.{_suggest(self.target, TARGETS)}")
        object.__setattr__(self, "units", tuple(self.units))
        for name in ("window", "batch_size", "epochs"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.patience, int) or self.patience < 0:
            raise ValueError(f"patience must be a non-negative integer, got {self.patience!r}")
        if not self.units or any(
            not isinstance(u, int) or isinstance(u, bool) or u < 1 for u in self.units
        ):
            raise ValueError(f"units must be positive integers, one per layer, got {self.units!r}")
        if (
            not isinstance(self.dropout, int | float)
            or isinstance(self.dropout, bool)
            or not (0.0 <= float(self.dropout) < 1.0)
        ):
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")
        if (
            not isinstance(self.learning_rate, int | float)
            or isinstance(self.learning_rate, bool)
            or not (math.isfinite(self.learning_rate) and self.learning_rate > 0)
        ):
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}.{_suggest(self.loss, LOSSES)}")


@dataclass(frozen=True)
class ExperimentConfig:
    """One experiment: data, models, seeds, network tuning and baselines.

    Build it with :meth:`from_parameters` (flat names, profile defaults) or directly.

    ``tuning`` is the grid of network hyper-parameters searched before each fold, e.g.
    ``"learning_rate=0.001,0.003;dropout=0,0.2"`` over ``units``, ``window``, ``dropout`` and
    ``learning_rate`` (:mod:`lstmgru.tuning`); ``""`` (or ``"none"``) fits the values of
    ``model`` without tuning. It is stored in the canonical form of
    :func:`lstmgru.tuning.format_grid`.
    """

    profile: str = "default"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    models: tuple[str, ...] = ("random_walk", "drift", "arima", "lstm", "gru", "lstm_gru")
    seeds: tuple[int, ...] = (0, 1, 2)
    arima_max_p: int = 3
    arima_max_q: int = 3
    arima_criterion: str = "aic"
    arima_refit_every: int = 0
    ar_max_p: int = 10
    tuning: str = ""

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}.{_suggest(self.profile, PROFILES)}")
        object.__setattr__(self, "tuning", format_grid(parse_grid(self.tuning)))
        models = _as_str_tuple(self.models)
        if not models:
            raise ValueError("models must name at least one model")
        for name in models:
            if name not in MODEL_NAMES:
                raise ValueError(f"unknown model {name!r}.{_suggest(name, MODEL_NAMES)}")
        if len(set(models)) != len(models):
            raise ValueError(f"models lists a model twice: {models!r}")
        object.__setattr__(self, "models", models)
        seeds = tuple(self.seeds)
        if not seeds or any(not isinstance(s, int) or isinstance(s, bool) for s in seeds):
            raise ValueError(f"seeds must be a non-empty list of integers, got {self.seeds!r}")
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds must be distinct, got {seeds!r}")
        object.__setattr__(self, "seeds", seeds)
        for name in ("arima_max_p", "arima_max_q", "arima_refit_every", "ar_max_p"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.arima_criterion not in CRITERIA:
            raise ValueError(
                f"unknown arima_criterion {self.arima_criterion!r}."
                f"{_suggest(self.arima_criterion, CRITERIA)}"
            )
        for name in self.network_models:
            n_layers = len(NETWORK_LAYERS[SIZE_MATCHED.get(name, name)])
            if len(self.model.units) < n_layers:
                raise ValueError(
                    f"model {name!r} has {n_layers} recurrent layers but units has only "
                    f"{len(self.model.units)} entries {self.model.units!r}; give one per layer"
                )

    @property
    def network_models(self) -> tuple[str, ...]:
        """The configured models that are recurrent networks."""
        return tuple(m for m in self.models if m in NETWORK_LAYERS)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable nested dictionary of every field."""
        return dataclasses.asdict(self)

    @classmethod
    def from_parameters(cls, profile: str = "default", **parameters: Any) -> ExperimentConfig:
        """Build a config from a profile and flat overrides.

        Parameters
        ----------
        profile : str
            Name of a profile in :data:`PROFILES`.
        **parameters
            Flat field names of :class:`DataConfig`, :class:`ModelConfig` or
            :class:`ExperimentConfig` (e.g. ``ticker='KO'``, ``epochs=5``, ``models='arima,gru'``).
            ``None`` and ``""`` keep the profile's value. Comma-separated strings are accepted
            for the tuple fields ``models``, ``seeds`` and ``units``; an integer ``n_seeds``
            gives seeds ``0 .. n_seeds-1``. ``tuning`` is a grid text (see
            :mod:`lstmgru.tuning`); ``"none"`` switches off a profile's grid. With
            ``protocol='single'`` a rolling profile's fold options (``first_test``,
            ``validation_days``, ...) are left out; given explicitly they are an error.

        Raises
        ------
        ValueError
            For an unknown profile, an unknown parameter name (with close matches) or any value
            the dataclasses reject.
        """
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}.{_suggest(profile, PROFILES)}")
        values: dict[str, Any] = dict(PROFILES[profile])
        valid = parameter_names()
        unknown = sorted(k for k in parameters if k not in valid)
        if unknown:
            parts = []
            for key in unknown:
                close = difflib.get_close_matches(key, sorted(valid), n=3, cutoff=0.6)
                parts.append(f"{key!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
            raise ValueError(
                f"unknown parameter(s) {'; '.join(parts)}. "
                f"Valid parameters: {', '.join(sorted(valid))}"
            )
        given = {
            key: value
            for key, value in parameters.items()
            if not (value is None or (isinstance(value, str) and value == ""))
        }
        values.update(given)
        if values.get("protocol", "single") == "single":
            # A rolling profile's fold options do not apply to the single split asked for.
            for key in _ROLLING_ONLY:
                if key not in given:
                    values.pop(key, None)
        n_seeds = values.pop("n_seeds", None)
        if n_seeds is not None:
            if not isinstance(n_seeds, int) or isinstance(n_seeds, bool) or n_seeds < 1:
                raise ValueError(f"n_seeds must be a positive integer, got {n_seeds!r}")
            if "seeds" not in parameters or parameters["seeds"] is None:
                values["seeds"] = tuple(range(n_seeds))
        for key in ("models", "seeds", "units"):
            if key in values:
                values[key] = _as_tuple(key, values[key])
        data_fields = {f.name for f in dataclasses.fields(DataConfig)}
        model_fields = {f.name for f in dataclasses.fields(ModelConfig)}
        data = DataConfig(**{k: v for k, v in values.items() if k in data_fields})
        model = ModelConfig(**{k: v for k, v in values.items() if k in model_fields})
        rest = {k: v for k, v in values.items() if k not in data_fields | model_fields}
        return cls(profile=profile, data=data, model=model, **rest)


#: DataConfig fields of the rolling protocol only.
_ROLLING_ONLY = ("fold", "fold_days", "first_test", "n_folds", "validation_days")


def _as_str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(str(v) for v in value)


def _as_tuple(key: str, value: Any) -> tuple[Any, ...]:
    if key == "models":
        return _as_str_tuple(value)
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, int):
        items = [items]
    out = []
    for item in items:
        try:
            out.append(int(str(item).strip()) if isinstance(item, str) else item)
        except ValueError:
            raise ValueError(f"{key} must be integers, got {value!r}") from None
    return tuple(out)


def parameter_names() -> frozenset[str]:
    """Every flat parameter name accepted by :meth:`ExperimentConfig.from_parameters`."""
    names = {f.name for f in dataclasses.fields(DataConfig)}
    names |= {f.name for f in dataclasses.fields(ModelConfig)}
    names |= {f.name for f in dataclasses.fields(ExperimentConfig)} - {"data", "model", "profile"}
    return frozenset(names | {"n_seeds"})


#: Profile values, as flat parameters. ``quick`` runs in seconds (tests, CI: two yearly rolling
#: folds, a two-point tuning grid); ``default`` is the experiment of ``make report``; ``full`` is
#: the long study. Each tunes every network family on the same grid before each fold.
PROFILES: Mapping[str, Mapping[str, Any]] = {
    "quick": {
        "start": "2019-01-01",
        "end": "2022-12-28",
        "protocol": "rolling",
        "first_test": "2021-01-01",
        "validation_days": 63,
        "tuning": "learning_rate=0.001,0.003",
        "units": (8, 8),
        "window": 10,
        "epochs": 3,
        "patience": 2,
        "batch_size": 64,
        "seeds": (0,),
        "models": ("random_walk", "drift", "arima", "lstm", "gru", "lstm_gru"),
        "arima_max_p": 1,
        "arima_max_q": 1,
        "ar_max_p": 10,
    },
    "default": {
        # Rolling origin over 2021 and 2022 (two yearly folds, about 500 test days per
        # instrument), every model refitted and re-tuned before each fold on the data since
        # 2010; the span, the folds and the early stopping (20 epochs, patience 3, batch 128)
        # are what keeps `make report` within 15 minutes on two cores. `full` runs 1990-2022.
        "start": "2010-01-01",
        "end": None,
        "protocol": "rolling",
        "first_test": "2021-01-01",
        "validation_days": 252,
        "units": (32, 32),
        "window": 20,
        "epochs": 20,
        "patience": 3,
        "batch_size": 128,
        "seeds": (0, 1, 2),
        "models": (
            "random_walk",
            "drift",
            "ar",
            "arima",
            "lstm",
            "gru",
            "lstm_gru",
            "lstm_lstm",
            "gru_gru",
        ),
        "arima_max_p": 3,
        "arima_max_q": 3,
        "ar_max_p": 10,
        "tuning": "learning_rate=0.001,0.003",
    },
    "full": {
        # The whole embedded history: yearly folds from 2000 to 2022, each refitted on every
        # day since 1990 before it; ten seeds and a 2 x 2 x 2 tuning grid per network family.
        "start": None,
        "end": None,
        "protocol": "rolling",
        "first_test": "2000-01-01",
        "validation_days": 252,
        "units": (64, 64),
        "window": 20,
        "epochs": 200,
        "patience": 15,
        "batch_size": 64,
        "seeds": tuple(range(10)),
        "models": MODEL_NAMES,
        "arima_max_p": 5,
        "arima_max_q": 5,
        "ar_max_p": 10,
        "tuning": "units=32,64;dropout=0,0.2;learning_rate=0.001,0.003",
    },
}
