"""AR(p) baseline on log returns: order by AIC, fixed-parameter one-step forecasts, causality.

Log returns follow a seeded AR(2) with constant, :math:`r_t = 0.0004 + 0.35 r_{t-1} - 0.25
r_{t-2} + e_t`, :math:`e_t \\sim N(0, 0.01^2)`, priced as ``50 * exp(cumsum(r))`` on business
days; the references are statsmodels called directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from lstmgru.features import chronological_split
from lstmgru.models.ar import ArForecaster, ar_one_step, select_ar_order

PHI = (0.35, -0.25)
MEAN = 0.0004 / (1 - sum(PHI))  # unconditional mean of the AR(2) with constant 0.0004
N_TRAIN = 1200


def ar2_close(n: int = 1600, seed: int = 20240614) -> pd.Series:
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, 0.01, n + 500)
    r = MEAN + signal.lfilter([1.0], np.r_[1.0, -np.asarray(PHI)], e)[500:]
    index = pd.bdate_range("2001-01-01", periods=n + 1, name="date")
    return pd.Series(50.0 * np.exp(np.r_[0.0, np.cumsum(r)]), index=index, name="close")


@pytest.fixture(scope="module")
def close() -> pd.Series:
    return ar2_close()


@pytest.fixture(scope="module")
def fitted(close) -> ArForecaster:
    return ArForecaster(max_p=10).fit(close.iloc[:N_TRAIN])


def test_order_by_aic_agrees_with_statsmodels_ar_select_order(close, fitted):
    from statsmodels.tsa.ar_model import ar_select_order

    returns = np.diff(np.log(close.iloc[:N_TRAIN].to_numpy()))
    reference = ar_select_order(returns, maxlag=10, ic="aic", trend="c")
    assert fitted.order_ == len(reference.ar_lags) == 2
    assert fitted.info_["order"] == 2
    # Same criterion up to a constant (statsmodels' selection counts the constant among the
    # model's degrees of freedom, AutoReg's results do not): the differences agree.
    ours = np.array([row["aic"] for row in fitted.info_["grid"]])
    theirs = np.array([reference.aic[0 if p == 0 else tuple(range(1, p + 1))] for p in range(11)])
    np.testing.assert_allclose(ours - ours[0], theirs - theirs[0], rtol=0, atol=1e-8)
    assert [row["nobs"] for row in fitted.info_["grid"]] == [N_TRAIN - 1 - 10] * 11
    # The final fit is statsmodels' fit of the chosen order on the whole training span.
    final = reference.model.fit()
    params = fitted.info_["params"]
    np.testing.assert_allclose(
        [params["const"], params["ar.L1"], params["ar.L2"]], final.params, rtol=1e-12
    )
    assert fitted.info_["sigma2"] == pytest.approx(final.sigma2, rel=1e-12)
    # And it recovers the process: |estimate - truth| < 0.08 (about 3 SE at n = 1200).
    assert params["ar.L1"] == pytest.approx(PHI[0], abs=0.08)
    assert params["ar.L2"] == pytest.approx(PHI[1], abs=0.08)


def test_select_ar_order_picks_zero_for_white_noise():
    rng = np.random.default_rng(1)
    p, table = select_ar_order(rng.normal(0.0, 0.01, 1500), 5, "bic")
    assert p == 0 and [row["p"] for row in table] == [0, 1, 2, 3, 4, 5]


def test_one_step_forecasts_equal_a_day_by_day_statsmodels_loop(close, fitted):
    from statsmodels.tsa.ar_model import AutoReg

    dates = close.index[N_TRAIN : N_TRAIN + 60]
    fast = fitted.forecast(close, dates)
    y = np.log(close.to_numpy())
    params = np.r_[fitted.const_, fitted.phi_]
    expected = []
    for position in range(N_TRAIN, N_TRAIN + 60):
        # The fixed training parameters applied to the returns up to the day before.
        prefix = np.diff(y[:position])
        model = AutoReg(prefix, lags=fitted.order_, trend="c")
        expected.append(model.predict(params, start=len(prefix), end=len(prefix))[0])
    np.testing.assert_allclose(fast.log_return, expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        fast.price, close.to_numpy()[N_TRAIN - 1 : N_TRAIN + 59] * np.exp(expected), rtol=1e-12
    )
    half_width = 1.959963984540054 * np.sqrt(fitted.info_["sigma2"])
    np.testing.assert_allclose(np.log(fast.upper / fast.price), half_width, rtol=1e-9)
    np.testing.assert_allclose(np.log(fast.price / fast.lower), half_width, rtol=1e-9)
    assert fast.info["order"] == 2 and fast.info["params"] == fitted.info_["params"]


def test_forecasts_beat_the_random_walk_on_the_ar2_process(close, fitted):
    dates = close.index[N_TRAIN:]
    forecast = fitted.forecast(close, dates)
    r = np.diff(np.log(close.to_numpy()))[N_TRAIN - 1 :]
    # An AR(2) with these coefficients explains about 14 % of the return variance.
    assert np.mean((r - forecast.log_return) ** 2) < 0.92 * np.mean(r**2)


def test_perturbing_prices_from_a_test_date_on_changes_no_earlier_forecast(close, fitted):
    dates = close.index[N_TRAIN : N_TRAIN + 40]
    k = 13
    changed = close.copy()
    changed.iloc[N_TRAIN + k :] *= 1.3
    base, other = fitted.forecast(close, dates), fitted.forecast(changed, dates)
    np.testing.assert_array_equal(base.log_return[: k + 1], other.log_return[: k + 1])
    np.testing.assert_array_equal(base.upper[: k + 1], other.upper[: k + 1])
    # ...while the day after the jump sees it (the check can fail).
    assert base.log_return[k + 1] != other.log_return[k + 1]


def test_backtest_fits_on_the_training_span_only(close):
    frame = close.to_frame()
    split = chronological_split(frame, 0.7, 0.15)
    changed = frame.copy()
    changed.loc[split.validation.index[0] :, "close"] *= 1.5
    other = chronological_split(changed, 0.7, 0.15)
    first = ArForecaster(max_p=10).backtest(split)
    second = ArForecaster(max_p=10).backtest(other)
    assert first.info["params"] == second.info["params"]
    assert first.info["grid"] == second.info["grid"]
    # The forecasts do differ where the changed prices are inputs (so the check can fail).
    assert not np.array_equal(first.price, second.price)


def test_ar_one_step_reads_only_earlier_returns():
    y = np.log(np.array([10.0, 11.0, 12.1, 11.0, 12.0, 13.0]))
    r_hat = ar_one_step(y, np.array([3, 4]), 0.001, np.array([0.5, -0.2]))
    expected = [
        0.001 + 0.5 * (y[2] - y[1]) - 0.2 * (y[1] - y[0]),
        0.001 + 0.5 * (y[3] - y[2]) - 0.2 * (y[2] - y[1]),
    ]
    np.testing.assert_allclose(r_hat, expected, rtol=1e-15)
    with pytest.raises(ValueError, match="needs 3 closes"):
        ar_one_step(y, np.array([2]), 0.0, np.array([0.5, -0.2]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"max_p": -1}, "max_p"), ({"criterion": "hqic"}, "criterion"), ({"alpha": 0.0}, "alpha")],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ArForecaster(**kwargs)


def test_short_or_flat_training_spans_and_unfitted_use_are_clear_errors(close):
    with pytest.raises(ValueError, match="lower ar_max_p"):
        ArForecaster(max_p=10).fit(close.iloc[:25])
    flat = pd.Series(np.full(100, 5.0), index=close.index[:100])
    with pytest.raises(ValueError, match="constant"):
        ArForecaster(max_p=2).fit(flat)
    with pytest.raises(RuntimeError, match="fit"):
        ArForecaster().forecast(close, close.index[5:6])
