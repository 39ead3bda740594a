"""ARIMA baseline: estimation, order choice, fast walk-forward, causality, warnings.

All series are simulated here with fixed seeds: log returns follow a known ARMA process and
prices are ``50 * exp(cumsum(returns))`` on business days.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from lstmgru.models.arima import (
    ArimaForecaster,
    capture_warnings,
    select_d,
    select_trend,
    summarise_warnings,
)

SIGMA = 0.01  # daily log-return innovation standard deviation


def arma_returns(n: int, ar=(), ma=(), *, seed: int, mean: float = 0.0) -> np.ndarray:
    """ARMA log returns ``phi(B) (r_t - mean) = theta(B) e_t`` with a 500-day burn-in dropped."""
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, SIGMA, n + 500)
    r = signal.lfilter(np.r_[1.0, ma], np.r_[1.0, -np.asarray(ar, dtype=float)], e)
    return mean + r[500:]


def prices(returns: np.ndarray) -> pd.Series:
    index = pd.bdate_range("2000-01-03", periods=len(returns) + 1, name="date")
    return pd.Series(50.0 * np.exp(np.r_[0.0, np.cumsum(returns)]), index=index, name="close")


@pytest.fixture(scope="module")
def arma11() -> pd.Series:
    return prices(arma_returns(2000, ar=[0.6], ma=[-0.3], seed=20240601))


@pytest.fixture(scope="module")
def fitted(arma11: pd.Series) -> ArimaForecaster:
    return ArimaForecaster(max_p=1, max_q=1, d=1, trend="n").fit(arma11.iloc[:1500])


def asymptotic_se_arma11(phi: float, theta: float, n: int) -> tuple[float, float]:
    """Asymptotic standard errors of (phi, theta) in ARMA(1, 1) (Box, Jenkins & Reinsel, 7.2)."""
    common = (1 + phi * theta) ** 2 / (n * (phi + theta) ** 2)
    return float(np.sqrt((1 - phi**2) * common)), float(np.sqrt((1 - theta**2) * common))


def test_recovers_arma11_coefficients_within_three_standard_errors(fitted: ArimaForecaster):
    info = fitted.info_
    assert info["order"] == [1, 1, 1]
    phi, theta = info["params"]["ar.L1"], info["params"]["ma.L1"]
    se_phi, se_theta = info["bse"]["ar.L1"], info["bse"]["ma.L1"]
    # |estimate - truth| < 3 SE holds with probability 0.997 for a consistent, asymptotically
    # normal MLE; at n = 1500 the SEs are about 0.056 (phi) and 0.067 (theta).
    assert abs(phi - 0.6) < 3 * se_phi
    assert abs(theta + 0.3) < 3 * se_theta
    # The reported SEs agree with the asymptotic formula to 25 %.
    ref_phi, ref_theta = asymptotic_se_arma11(0.6, -0.3, info["nobs"] - 1)
    assert se_phi == pytest.approx(ref_phi, rel=0.25)
    assert se_theta == pytest.approx(ref_theta, rel=0.25)
    assert info["sigma2"] == pytest.approx(SIGMA**2, rel=0.1)
    # White residuals: Ljung-Box does not reject at 1 %.
    assert [row["lag"] for row in info["ljung_box"]] == [10, 20]
    assert all(row["pvalue"] > 0.01 for row in info["ljung_box"])


def test_order_selection_picks_the_true_order_and_reports_the_grid():
    close = prices(arma_returns(1500, ar=[0.5, -0.3], seed=7))
    # d is given: this test is about (p, q); the unit-root rule is tested on its own below.
    model = ArimaForecaster(max_p=2, max_q=2, criterion="bic", d=1).fit(close)
    info = model.info_
    assert info["order"] == [2, 1, 0]
    assert info["trend"] == "n"  # zero-mean returns: the drift does not pay its BIC penalty
    grid = {(row["p"], row["q"]): row["bic"] for row in info["grid"]}
    assert sorted(grid) == [(p, q) for p in range(3) for q in range(3)]
    assert min(grid, key=grid.get) == (2, 0)
    # The full-precision refit matches the grid fit of the same order (grid tolerance ~1e-3).
    assert info["criterion_value"] == pytest.approx(grid[(2, 0)], abs=1e-3)
    assert info["params"]["ar.L1"] == pytest.approx(0.5, abs=0.08)
    assert info["params"]["ar.L2"] == pytest.approx(-0.3, abs=0.08)


def test_select_d_by_adf_and_kpss():
    rng = np.random.default_rng(3)
    stationary = signal.lfilter([1.0], [1.0, -0.5], rng.normal(size=1000))
    random_walk = np.cumsum(rng.normal(size=1000))
    caught: list = []
    with capture_warnings(caught):  # KPSS statistics beyond statsmodels' table warn
        assert select_d(stationary)[0] == 0
        d, tests = select_d(random_walk)
        assert select_d(np.cumsum(random_walk))[0] == 2
    assert {w.category.__name__ for w in caught} == {"InterpolationWarning"}
    assert d == 1
    assert [t["d"] for t in tests] == [0, 1]
    assert tests[0]["adf_pvalue"] > 0.05 and tests[1]["adf_pvalue"] < 0.05


def test_drift_kept_only_when_it_lowers_the_criterion():
    y_drift = np.log(prices(arma_returns(1000, seed=11, mean=0.003)).to_numpy())
    y_flat = np.log(prices(arma_returns(1000, seed=11, mean=0.0)).to_numpy())
    trend, record = select_trend(y_drift, 1, "aic")
    assert trend == "t" and record["criterion_drift"] < record["criterion_no_drift"]
    # mean 0.003 with sigma 0.01 over 1000 days: t = 9.5, LR = t^2 - ... far above 2.
    assert record["criterion_no_drift"] - record["criterion_drift"] > 50
    assert select_trend(y_flat, 1, "aic")[0] == "n"
    assert select_trend(y_flat, 0)[0] == "c"
    assert select_trend(y_flat, 2)[0] == "n"


def test_fast_walk_forward_equals_day_by_day_filtering(arma11: pd.Series, fitted):
    dates = arma11.index[1500:1540]
    fast = fitted.forecast(arma11, dates)
    y = np.log(arma11.to_numpy())
    expected_mean, expected_var = [], []
    for position in range(1500, 1540):
        # statsmodels' own path: the fitted parameters applied to the prefix, then forecast(1).
        step = fitted.results_.apply(y[:position]).get_forecast(1)
        expected_mean.append(step.predicted_mean[0])
        expected_var.append(step.var_pred_mean[0])
    np.testing.assert_allclose(np.log(fast.price), expected_mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fast.log_return, np.array(expected_mean) - y[1499:1539], atol=1e-8)
    z = 1.959963984540054
    np.testing.assert_allclose(
        np.log(fast.upper), np.array(expected_mean) + z * np.sqrt(expected_var), atol=1e-8
    )


def test_interval_coverage_is_near_nominal(arma11: pd.Series, fitted):
    dates = arma11.index[1500:]
    forecast = fitted.forecast(arma11, dates)
    actual = arma11.loc[dates].to_numpy()
    assert np.all(forecast.lower < forecast.price) and np.all(forecast.price < forecast.upper)
    coverage = np.mean((actual >= forecast.lower) & (actual <= forecast.upper))
    # 501 Gaussian one-step forecasts of the true model class: 95 % +- 2 binomial SE (1 %).
    assert 0.93 <= coverage <= 0.97
    # The forecast improves on the random walk for an ARMA(1, 1) with these coefficients.
    r = np.diff(np.log(arma11.to_numpy()))[1499:]
    assert np.mean((r - forecast.log_return) ** 2) < 0.95 * np.mean(r**2)


@pytest.mark.parametrize("refit_every", [0, 7])
def test_perturbing_future_prices_leaves_earlier_forecasts_unchanged(arma11, refit_every):
    model = ArimaForecaster(max_p=1, max_q=1, d=1, trend="n", refit_every=refit_every)
    model.fit(arma11.iloc[:1500])
    dates = arma11.index[1500:1530]
    k = 17
    changed = arma11.copy()
    changed.iloc[1500 + k :] *= 1.3
    base = model.forecast(arma11, dates)
    other = model.forecast(changed, dates)
    np.testing.assert_array_equal(base.log_return[: k + 1], other.log_return[: k + 1])
    np.testing.assert_array_equal(base.upper[: k + 1], other.upper[: k + 1])
    # ...while the later forecasts do see the change (the test can fail).
    assert not np.allclose(base.log_return[k + 1 :], other.log_return[k + 1 :])
    if refit_every:
        refits = base.info["refits"]
        assert [r["observations"] for r in refits] == [1500, 1507, 1514, 1521, 1528]
        assert refits[1]["params"] != refits[0]["params"]


def test_warnings_are_captured_counted_and_not_leaked(arma11):
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        model = ArimaForecaster(max_p=0, max_q=1).fit(arma11.iloc[:800])
    assert leaked == []
    # A random-walk log price has a KPSS statistic beyond statsmodels' table: one
    # InterpolationWarning at d = 0 is expected and must be reported.
    categories = {w["category"]: w["count"] for w in model.info_["warnings"]}
    assert categories.get("InterpolationWarning", 0) >= 1
    assert model.info_["d_tests"][0]["kpss_pvalue"] == pytest.approx(0.01)


def test_summarise_warnings_counts_repeats():
    caught: list = []
    with capture_warnings(caught):
        for _ in range(3):
            warnings.warn("optimizer failed to converge", RuntimeWarning, stacklevel=1)
        warnings.warn("other", UserWarning, stacklevel=1)
    assert summarise_warnings(caught) == [
        {"category": "RuntimeWarning", "message": "optimizer failed to converge", "count": 3},
        {"category": "UserWarning", "message": "other", "count": 1},
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"criterion": "aicc"}, "criterion"),
        ({"d": 1, "trend": "c"}, "not identified with d=1"),
        ({"max_p": -1}, "max_p"),
        ({"refit_every": 1.5}, "refit_every"),
        ({"alpha": 1.0}, "alpha"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ArimaForecaster(**kwargs)


def test_forecast_needs_fit_and_known_dates(arma11, fitted):
    with pytest.raises(RuntimeError, match="fit"):
        ArimaForecaster().forecast(arma11, arma11.index[5:6])
    with pytest.raises(ValueError, match="previous close"):
        fitted.forecast(arma11, arma11.index[:2])
    with pytest.raises(ValueError, match="not in the history"):
        fitted.forecast(arma11, pd.DatetimeIndex(["1999-01-01"]))


def test_constant_training_series_is_a_clear_error() -> None:
    from lstmgru.models.arima import select_d

    with pytest.raises(ValueError, match="training series is constant"):
        select_d(np.full(300, np.log(50.0)))
