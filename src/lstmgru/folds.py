"""Rolling-origin (walk-forward) folds: an expanding training window, consecutive test folds.

The evaluation period (from ``first_test`` to the last row) is cut into consecutive,
non-overlapping test folds, one per calendar year by default or ``fold_days`` trading days each.
Before each fold the rows up to the day before its first test day form the fold's *window*; the
last part of that window is the fold's validation span (early stopping and tuning only), the rest
its training span, which therefore always starts at the first row and grows from fold to fold::

    fold 0   [train ......][val]|test 0|
    fold 1   [train ..............][val]|test 1|
    fold 2   [train ......................][val]|test 2|

Fold boundaries depend on the dates alone, never on prices, so a change of prices cannot move
them; every fold is a :class:`~lstmgru.features.Split` of the rows up to its last test day, and
everything fitted for a fold sees only its training (and validation) rows
(``tests/test_folds.py`` checks both, fold by fold).

:func:`make_folds` turns a :class:`~lstmgru.config.DataConfig` into folds: ``protocol='single'``
gives one fold equal to :func:`~lstmgru.features.chronological_split`, ``protocol='rolling'``
calls :func:`rolling_origin_folds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.config import FOLD_KINDS, DataConfig, option_hint
from lstmgru.features import MIN_SAMPLES, InsufficientDataError, Split, chronological_split

__all__ = ["Fold", "describe_folds", "describe_spans", "make_folds", "rolling_origin_folds"]


@dataclass(frozen=True)
class Fold(Split):
    """One fold of a backtest: a :class:`~lstmgru.features.Split` with its position.

    ``train`` starts at the first row of the data, ``validation`` ends the day before ``test``
    begins, and ``test`` holds the fold's forecast days. ``close`` (from :class:`Split`) runs from
    the first row to the fold's last test day: the history its forecasts are made from.

    Attributes
    ----------
    index : int
        Position of the fold, 0 for the earliest.
    """

    index: int = 0

    def record(self) -> dict[str, Any]:
        """First and last date (ISO strings) and rows of each span, with the fold's index."""
        out: dict[str, Any] = {"fold": self.index}
        for name in ("train", "validation", "test"):
            part = getattr(self, name)
            out[f"{name}_first"] = str(part.index[0].date())
            out[f"{name}_last"] = str(part.index[-1].date())
            out[f"{name}_rows"] = len(part)
        return out


def describe_folds(folds: tuple[Fold, ...] | list[Fold]) -> pd.DataFrame:
    """One row per fold (index ``fold``): first date, last date and rows of each span."""
    return pd.DataFrame([fold.record() for fold in folds]).set_index("fold")


def describe_spans(folds: tuple[Fold, ...] | list[Fold]) -> pd.DataFrame:
    """The folds' spans in long form: index ``(fold, span)``, columns ``first``, ``last``, ``rows``.

    The same numbers as :func:`describe_folds`, one span per row (narrow enough for a page).
    """
    rows = []
    for fold in folds:
        record = fold.record()
        for span in ("train", "validation", "test"):
            rows.append(
                {
                    "fold": fold.index,
                    "span": span,
                    "first": record[f"{span}_first"],
                    "last": record[f"{span}_last"],
                    "rows": record[f"{span}_rows"],
                }
            )
    return pd.DataFrame(rows).set_index(["fold", "span"])


def _first_test_row(index: pd.DatetimeIndex, first_test: str | float | pd.Timestamp) -> int:
    if isinstance(first_test, float | int) and not isinstance(first_test, bool):
        if not 0.0 < float(first_test) < 1.0:
            raise ValueError(f"a first_test share must lie strictly between 0 and 1: {first_test}")
        return round(len(index) * float(first_test))
    row = int(index.searchsorted(pd.Timestamp(first_test)))
    if row >= len(index):
        raise ValueError(
            f"first_test {first_test} is after the last date {index[-1].date()}; choose an "
            f"earlier date or extend the data ({option_hint('start', 'end')})"
        )
    return row


def _test_starts(
    index: pd.DatetimeIndex, first_row: int, fold: str, fold_days: int | None
) -> list[int]:
    """First rows of the test folds; the evaluation period ends with the last row."""
    n = len(index)
    if fold == "year":
        years = index.year.to_numpy()[first_row:]
        changes = np.flatnonzero(np.diff(years)) + 1
        starts = [first_row, *(first_row + changes).tolist()]
    elif fold == "days":
        if fold_days is None:
            raise ValueError("fold='days' needs fold_days (trading days per test fold)")
        starts = list(range(first_row, n, fold_days))
    else:
        raise ValueError(f"unknown fold {fold!r}; use one of {', '.join(FOLD_KINDS)}")
    # A piece shorter than MIN_SAMPLES joins its neighbour (a first test day late in December,
    # a remainder of a few days at the end); one fold remains at least.
    if len(starts) > 1 and starts[1] - starts[0] < MIN_SAMPLES:
        del starts[1]
    if len(starts) > 1 and n - starts[-1] < MIN_SAMPLES:
        del starts[-1]
    return starts


def rolling_origin_folds(
    frame: pd.DataFrame,
    *,
    first_test: str | float | pd.Timestamp,
    fold: str = "year",
    fold_days: int | None = None,
    validation: float | int = 0.15 / 0.85,
    n_folds: int | None = None,
    window: int = 1,
) -> tuple[Fold, ...]:
    """Cut a price frame into rolling-origin folds with an expanding training window.

    Parameters
    ----------
    frame : pandas.DataFrame
        Prices indexed by a sorted ``DatetimeIndex`` (as from :func:`lstmgru.data.load_prices`).
    first_test : date-like or float
        First day of the evaluation period (the first trading day on or after a date), or the
        share of rows before it (a float in (0, 1)).
    fold : {'year', 'days'}
        One test fold per calendar year, or ``fold_days`` trading days per fold (the last fold
        takes the remainder). A piece of fewer than ``MIN_SAMPLES`` days at either end of the
        evaluation period joins its neighbour.
    fold_days : int, optional
        Trading days per test fold for ``fold='days'``.
    validation : float or int
        The validation span of each fold: a share (float in (0, 1)) of the fold's window (the
        rows before its first test day), or a number of trading days (int). The default share
        is that of the single split's validation span in the rows before its test span.
    n_folds : int, optional
        Keep only the last ``n_folds`` folds (the evaluation period then starts later).
    window : int
        Input window length; used only to check that every training span yields enough
        samples.

    Returns
    -------
    tuple of Fold
        In time order, ``index`` 0, 1, ...: consecutive test spans covering the evaluation
        period once.

    Raises
    ------
    InsufficientDataError
        When a fold's training or validation span is too short, naming the rows needed.
    ValueError
        For an unsorted index or inconsistent options.
    """
    if not isinstance(frame.index, pd.DatetimeIndex) or not frame.index.is_monotonic_increasing:
        raise ValueError("frame must be indexed by a sorted DatetimeIndex (use load_prices)")
    if n_folds is not None and (
        not isinstance(n_folds, int) or isinstance(n_folds, bool) or n_folds < 1
    ):
        raise ValueError(f"n_folds must be None or a positive integer, got {n_folds!r}")
    if fold_days is not None and (
        not isinstance(fold_days, int) or isinstance(fold_days, bool) or fold_days < MIN_SAMPLES
    ):
        raise ValueError(f"fold_days must be an integer >= {MIN_SAMPLES}, got {fold_days!r}")
    is_days = isinstance(validation, int) and not isinstance(validation, bool)
    if is_days and validation < MIN_SAMPLES:
        raise ValueError(f"validation days must be at least {MIN_SAMPLES}, got {validation}")
    if not is_days and not (isinstance(validation, float) and 0.0 < validation < 1.0):
        raise ValueError(
            f"validation must be a share in (0, 1) or a number of days, got {validation!r}"
        )
    index = pd.DatetimeIndex(frame.index)
    n = len(frame)
    first_row = _first_test_row(index, first_test)
    starts = _test_starts(index, first_row, fold, fold_days)
    ends = [*starts[1:], n]
    if n_folds is not None:
        starts, ends = starts[-n_folds:], ends[-n_folds:]
    need_train = window + 1 + MIN_SAMPLES
    folds = []
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        n_validation = validation if is_days else round(start * validation)
        n_train = start - n_validation
        if end - start < 1 or n_train < need_train or n_validation < MIN_SAMPLES:
            raise InsufficientDataError(
                f"fold {k} (test from {index[min(start, n - 1)].date()}) has {n_train} training "
                f"and {n_validation} validation rows; with window={window} it needs at least "
                f"{need_train} and {MIN_SAMPLES}. Start the evaluation later (first_test), "
                f"widen the span ({option_hint('start', 'end')}) or shorten the window "
                f"({option_hint('window')})."
            )
        folds.append(
            Fold(
                train=frame.iloc[:n_train],
                validation=frame.iloc[n_train:start],
                test=frame.iloc[start:end],
                index=k,
            )
        )
    return tuple(folds)


def make_folds(frame: pd.DataFrame, data: DataConfig, *, window: int = 1) -> tuple[Fold, ...]:
    """The folds of ``data.protocol`` over ``frame``.

    ``single``: one fold, the :func:`~lstmgru.features.chronological_split` by
    ``train_fraction`` and ``validation_fraction``. ``rolling``: :func:`rolling_origin_folds`
    from ``first_test`` (default: where the single split's test span starts) with folds of
    ``fold`` / ``fold_days``, a validation span of ``validation_days`` trading days (default:
    the single split's validation share of the rows before the test span), and the last
    ``n_folds`` folds.
    """
    if data.protocol == "single":
        split = chronological_split(
            frame, data.train_fraction, data.validation_fraction, window=window
        )
        return (Fold(split.train, split.validation, split.test, index=0),)
    before_test = data.train_fraction + data.validation_fraction
    first_test: str | float = before_test if data.first_test is None else data.first_test
    validation: float | int = (
        data.validation_days
        if data.validation_days is not None
        else data.validation_fraction / before_test
    )
    return rolling_origin_folds(
        frame,
        first_test=first_test,
        fold=data.fold,
        fold_days=data.fold_days,
        validation=validation,
        n_folds=data.n_folds,
        window=window,
    )
