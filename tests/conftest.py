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
