"""Shared fixtures: tiny, seeded price data and a quiet TensorFlow."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pandas as pd
import pytest


def synthetic_prices(n: int = 400, seed: int = 0, start: str = "2015-01-02") -> pd.DataFrame:
    """A seeded geometric random walk on business days (close in price units)."""
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0003, 0.012, size=n)
    close = 100.0 * np.exp(np.cumsum(returns))
    index = pd.bdate_range(start, periods=n, name="date")
    return pd.DataFrame({"close": close}, index=index)


@pytest.fixture
def prices() -> pd.DataFrame:
    return synthetic_prices()


#: Tickers and options of the one quick-profile run shared by the notebook, pipeline and report
#: tests (executed once per test session; every notebook runs there with the quick profile).
QUICK_TICKERS = ("KO", "XOM")


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    """A finished quick-profile pipeline run over two tickers: its summary object."""
    from lstmgru.runner import run_pipeline

    output = tmp_path_factory.mktemp("runs")
    summary = run_pipeline(
        list(QUICK_TICKERS),
        source="skfolio",
        profile="quick",
        output=output,
        jobs=1,
        progress=False,
    )
    assert not summary.failures, summary.failures
    return summary


def synthetic_run(n: int = 300, signal: float = 0.5, seed: int = 0) -> dict:
    """Three tickers of stored results built in memory: the LSTM-GRU forecasts a share
    ``signal`` of the next log return (plus noise); ARIMA and the LSTM are noise around zero.
    Spans are shifted by five days, so the tickers share most but not all days. A perfect
    single-seed column (``lstm_gru#s1``) must be ignored by every test."""
    from pathlib import Path

    from lstmgru.runs import StoredResult

    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2021-01-04", periods=n + 10)
    common = rng.normal(0, 0.01, n + 10)
    results = {}
    for k, ticker in enumerate(("AAA", "BBB", "CCC")):
        r = 0.5 * common[k * 5 : k * 5 + n] + rng.normal(0.0003, 0.01, n)
        previous = 50.0 * (k + 1) * np.exp(np.cumsum(np.r_[0.0, r[:-1]]))
        frame = pd.DataFrame(
            {
                "actual": previous * np.exp(r),
                "previous": previous,
                "random_walk": previous,
                "drift": previous * np.exp(0.0003),
                "arima": previous * np.exp(rng.normal(0, 0.002, n)),
                "lstm": previous * np.exp(rng.normal(0, 0.004, n)),
                "lstm_gru": previous * np.exp(signal * r + rng.normal(0, 0.006, n)),
                "lstm_gru#s1": previous * np.exp(r),
            },
            index=pd.DatetimeIndex(days[k * 5 : k * 5 + n], name="date"),
        )
        metrics = pd.DataFrame(
            {"mase_scale": 0.008},
            index=pd.Index(["random_walk", "drift", "arima", "lstm", "lstm_gru"], name="model"),
        )
        results[ticker] = StoredResult(
            directory=Path(ticker),
            forecasts=frame,
            metrics=metrics,
            record={"provenance": {"ticker": ticker}},
            seed_scores=None,
        )
    return results
