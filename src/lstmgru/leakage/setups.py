"""The two tutorial setups as data, the repairs, and the rows of a setup."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LEAKAGE_PROFILES",
    "SCALER_FITS",
    "SETUPS",
    "SETUP_A",
    "SETUP_B",
    "STEPS",
    "TARGETS",
    "VALIDATIONS",
    "Settings",
    "Setup",
    "Step",
    "changed_fields",
    "ladder",
    "leakage_settings",
    "step_number",
]

#: Profiles of the leakage chapter (``notebooks/05_leakage.ipynb``), by the names of
#: :data:`lstmgru.config.PROFILES` (the runner passes the run's profile).
#: ``seeds``: network seeds of every row; ``rows``: keep only the first ``rows`` rows of each
#: setup's span (``None``: the published span; setup A keeps its published share of training
#: rows); ``window`` and ``epochs``: override the published 60-day window and epochs (``None``:
#: as published); ``ablation``: also fit the price-level ablation of the main experiment;
#: ``fast_compile``: train through Keras' own layers without XLA (quicker to build; one epoch).
#: ``quick`` runs in seconds for the tests. ``default`` keeps the published data, windows and
#: epochs with three seeds, the fewest that give a spread over seeds to judge each repair
#: against (the chapter reports the time it took); ``full`` runs ten seeds.
LEAKAGE_PROFILES: Mapping[str, Mapping[str, Any]] = {
    "quick": {
        "seeds": (0,),
        "rows": 220,
        "window": 10,
        "epochs": 1,
        "ablation": True,
        "fast_compile": True,
    },
    "default": {
        "seeds": (0, 1, 2),
        "rows": None,
        "window": None,
        "epochs": None,
        "ablation": True,
    },
    "full": {
        "seeds": tuple(range(10)),
        "rows": None,
        "window": None,
        "epochs": None,
        "ablation": True,
    },
}

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


#: Tutorial A: a stacked GRU on one price column of a Chinese A-share, the first 2126 rows train.
#: The embedded data hold closes only, so the close of MSFT from 2010-04-26 stands in for
#: Moutai's open, cut to 2426 rows so that 300 test rows follow (see the chapter for why).
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
    """What one profile of :data:`LEAKAGE_PROFILES` runs."""

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
