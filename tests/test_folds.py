"""Rolling-origin folds: geometry, the protocol options, and leakage fold by fold."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import synthetic_prices

from lstmgru.config import DataConfig, ExperimentConfig
from lstmgru.features import InsufficientDataError, chronological_split, training_windows
from lstmgru.folds import Fold, describe_folds, make_folds, rolling_origin_folds
from lstmgru.models import Drift
from lstmgru.models.arima import ArimaForecaster


@pytest.fixture
def frame() -> pd.DataFrame:
    return synthetic_prices(900, seed=2)  # business days 2015-01-02 .. 2018-06-14


def _assert_geometry(folds: tuple[Fold, ...], frame: pd.DataFrame, first_test_row: int) -> None:
    """Consecutive test folds covering the evaluation period once; train < validation < test."""
    assert [f.index for f in folds] == list(range(len(folds)))
    test_days = pd.DatetimeIndex(np.concatenate([f.test.index for f in folds]))
    pd.testing.assert_index_equal(
        test_days, frame.index[first_test_row:], check_names=False, check_freq=False
    )
    for fold in folds:
        assert fold.train.index[0] == frame.index[0]  # expanding: always from the first row
        assert fold.train.index[-1] < fold.validation.index[0]
        assert fold.validation.index[-1] < fold.test.index[0]
        # train + validation are exactly the rows before the fold's first test day
        before = frame.loc[: fold.test.index[0]].iloc[:-1]
        pd.testing.assert_frame_equal(pd.concat([fold.train, fold.validation]), before)
    for earlier, later in itertools.pairwise(folds):
        assert earlier.test.index[-1] < later.test.index[0]
        assert len(later.train) > len(earlier.train)


def test_yearly_folds(frame) -> None:
    folds = rolling_origin_folds(frame, first_test="2016-07-01", window=5)
    _assert_geometry(folds, frame, int(frame.index.searchsorted("2016-07-01")))
    table = describe_folds(folds)
    assert list(table["test_first"]) == ["2016-07-01", "2017-01-02", "2018-01-01"]
    assert list(table["test_last"]) == ["2016-12-30", "2017-12-29", "2018-06-14"]
    assert list(table["test_rows"]) == [131, 260, 119]
    # Validation: the default share 0.15 / 0.85 of the rows before each fold.
    for fold in folds:
        before = len(fold.train) + len(fold.validation)
        assert len(fold.validation) == round(before * 0.15 / 0.85)


def test_folds_of_trading_days_with_fixed_validation(frame) -> None:
    folds = rolling_origin_folds(
        frame, first_test=0.8, fold="days", fold_days=50, validation=60, window=5
    )
    _assert_geometry(folds, frame, 720)
    assert [len(f.test) for f in folds] == [50, 50, 50, 30]
    assert {len(f.validation) for f in folds} == {60}
    assert [len(f.train) for f in folds] == [660, 710, 760, 810]


def test_short_pieces_join_their_neighbour(frame) -> None:
    # 2016-12-29 and -30 alone would be a fold of 2 days: they join 2017.
    folds = rolling_origin_folds(frame, first_test="2016-12-29", window=5)
    assert [len(f.test) for f in folds] == [262, 119]
    _assert_geometry(folds, frame, int(frame.index.searchsorted("2016-12-29")))
    # 903 rows from row 722: 181 = 4 x 45 + 1; the 1-day remainder joins the last fold.
    longer = synthetic_prices(903, seed=2)
    folds = rolling_origin_folds(longer, first_test=0.8, fold="days", fold_days=45, window=5)
    assert [len(f.test) for f in folds] == [45, 45, 45, 46]
    _assert_geometry(folds, longer, 722)


def test_n_folds_keeps_the_last_folds(frame) -> None:
    every = rolling_origin_folds(frame, first_test=0.8, fold="days", fold_days=50)
    last_two = rolling_origin_folds(frame, first_test=0.8, fold="days", fold_days=50, n_folds=2)
    assert [f.index for f in last_two] == [0, 1]
    for ours, theirs in zip(last_two, every[-2:], strict=True):
        for span in ("train", "validation", "test"):
            pd.testing.assert_frame_equal(getattr(ours, span), getattr(theirs, span))


def test_single_protocol_is_todays_chronological_split(frame) -> None:
    (fold,) = make_folds(frame, DataConfig(), window=20)
    split = chronological_split(frame, 0.70, 0.15, window=20)
    assert fold.index == 0
    for span in ("train", "validation", "test"):
        pd.testing.assert_frame_equal(getattr(fold, span), getattr(split, span))


def test_rolling_protocol_from_the_config(frame) -> None:
    # Default first_test: where the single split's test span starts (row round(0.85 n)).
    folds = make_folds(frame, DataConfig(protocol="rolling"), window=5)
    _assert_geometry(folds, frame, 765)
    data = DataConfig(protocol="rolling", fold="days", fold_days=40, validation_days=30, n_folds=2)
    folds = make_folds(frame, data, window=5)
    assert [len(f.test) for f in folds] == [40, 15]  # 135 rows: 40, 40, 40, 15; the last two
    assert {len(f.validation) for f in folds} == {30}


def test_too_short_a_first_fold_says_what_to_change(frame) -> None:
    with pytest.raises(
        InsufficientDataError, match=r"fold 0 .*Start the evaluation later \(first_test\)"
    ):
        rolling_origin_folds(frame, first_test="2015-01-20", window=5)
    with pytest.raises(ValueError, match="after the last date 2018-06-14"):
        rolling_origin_folds(frame, first_test="2019-01-01")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"protocol": "roling"}, "Did you mean 'rolling'"),
        ({"protocol": "rolling", "fold": "month"}, "unknown fold 'month'"),
        ({"protocol": "rolling", "fold": "days"}, "fold='days' needs fold_days"),
        ({"protocol": "rolling", "fold_days": 60}, "set fold='days' or drop fold_days"),
        ({"protocol": "rolling", "n_folds": 0}, "n_folds must be None or an integer >= 1"),
        ({"protocol": "rolling", "first_test": 1.5}, "strictly between 0 and 1"),
        ({"protocol": "rolling", "first_test": "July 2016"}, "ISO date such as"),
        ({"n_folds": 2}, "n_folds is for the rolling protocol only; set protocol='rolling'"),
    ],
)
def test_protocol_options_are_validated(options, message) -> None:
    with pytest.raises(ValueError, match=message):
        DataConfig(**options)


def test_from_parameters_accepts_the_protocol_fields() -> None:
    config = ExperimentConfig.from_parameters(
        "quick", protocol="rolling", fold="days", fold_days=63, first_test="2021-01-01", n_folds=2
    )
    assert (config.data.protocol, config.data.fold_days, config.data.n_folds) == (
        "rolling",
        63,
        2,
    )
    assert ExperimentConfig.from_parameters("default").data.protocol == "rolling"
    single = ExperimentConfig.from_parameters("default", protocol="single")
    assert (single.data.protocol, single.data.first_test, single.data.validation_days) == (
        "single",
        None,
        None,
    )


def test_leakage_per_fold_changing_prices_from_a_fold_on_changes_nothing_fitted_for_it(
    frame,
) -> None:
    """For every fold: prices changed on and after its first test day leave its fits unchanged.

    Checked on the scaler (return and price targets), the drift and ARIMA's order and parameters,
    and on the forecasts up to and including the first test day; the next fold's fit does change.
    """
    base = rolling_origin_folds(frame, first_test="2016-07-01", window=5)
    rng = np.random.default_rng(4)
    for k, fold in enumerate(base):
        changed = frame.index >= fold.test.index[0]
        altered_frame = frame.copy()
        altered_frame.loc[changed, "close"] *= rng.uniform(0.5, 2.0, int(changed.sum()))
        altered = rolling_origin_folds(altered_frame, first_test="2016-07-01", window=5)
        # The geometry depends on dates only.
        assert describe_folds(altered).equals(describe_folds(base))
        ours, theirs = base[k], altered[k]
        for target in ("return", "price"):
            fitted = [
                training_windows(f.train["close"], f.validation["close"], target=target, window=5)
                for f in (ours, theirs)
            ]
            assert fitted[0][0] == fitted[1][0]  # the scaler
            for a, b in zip(fitted[0][1:], fitted[1][1:], strict=True):
                assert np.array_equal(a, b)  # training and validation windows and targets
        drifts = [Drift().fit(f.train["close"], f.validation["close"]) for f in (ours, theirs)]
        assert drifts[0].mean_log_return == drifts[1].mean_log_return
        arimas = [
            ArimaForecaster(max_p=1, max_q=1).fit(f.train["close"], f.validation["close"])
            for f in (ours, theirs)
        ]
        assert arimas[0].info_["order"] == arimas[1].info_["order"]
        assert arimas[0].info_["params"] == arimas[1].info_["params"]
        dates = pd.DatetimeIndex(ours.test.index)
        forecasts = [
            m.forecast(f.close, dates) for m, f in zip(arimas, (ours, theirs), strict=True)
        ]
        assert forecasts[0].log_return[0] == forecasts[1].log_return[0]  # made the day before
        # ... and the change has teeth: later forecasts and the next fold's fit move.
        assert not np.array_equal(forecasts[0].price[1:], forecasts[1].price[1:])
        if k + 1 < len(base):
            nxt = [Drift().fit(f[k + 1].train["close"]) for f in (base, altered)]
            assert nxt[0].mean_log_return != nxt[1].mean_log_return


def test_describe_spans_is_describe_folds_in_long_form() -> None:
    from lstmgru.folds import describe_spans

    folds = rolling_origin_folds(
        synthetic_prices(600), first_test=0.8, fold="days", fold_days=60, validation=40
    )
    spans = describe_spans(folds)
    wide = describe_folds(folds)
    assert list(spans.columns) == ["first", "last", "rows"] and len(spans) == 3 * len(folds)
    for fold in wide.index:
        for span in ("train", "validation", "test"):
            assert spans.loc[(fold, span)].tolist() == [
                wide.loc[fold, f"{span}_first"],
                wide.loc[fold, f"{span}_last"],
                wide.loc[fold, f"{span}_rows"],
            ]
    assert spans.loc[(1, "validation"), "rows"] == 40
