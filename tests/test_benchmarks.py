"""The benchmark scripts run at toy size (``--quick``) and write their result files.

No timing is asserted (timings depend on the machine and its load); the checks are on the
structure of the results and on the figures that do not depend on speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run_script(name: str, output: Path, *extra: str) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / f"{name}.py"),
            "--quick",
            "--output",
            str(output),
            *extra,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,  # a hang guard; the outcome is decided by the files written
        env=env,
    )
    record = json.loads((output / f"{name}.json").read_text())
    table = (output / f"{name}.md").read_text()
    assert record["quick"] is True
    assert record["machine"]["cores"] >= 1
    assert "|---|" in table
    return record


def test_arima_walk_forward_quick(tmp_path):
    record = run_script("arima_walk_forward", tmp_path)
    figures = record["figures"]
    fixed = figures["day by day, fixed parameters (apply)"]
    assert fixed["max_abs_diff_log_price_vs_ours"] <= 1e-8
    assert figures["ours: one filter pass"]["forecasts_timed"] == 100


def test_arima_order_quick(tmp_path):
    record = run_script("arima_order", tmp_path)
    ours = record["per_series"]["KO"]["ours"]
    assert ours["order"][1] == 1 and len(ours["order"]) == 3
    pmdarima = record["per_series"]["KO"]["pmdarima"]
    assert "order" in pmdarima or pmdarima["error"] == "pmdarima not installed"


@pytest.mark.slow
def test_train_speed_quick(tmp_path):
    record = run_script("train_speed", tmp_path, "--variants", "keras_default")
    assert set(record["figures"]) == {"keras_default", "ours"}
    ours = record["figures"]["ours"]
    assert ours["samples_per_second"]["median"] > 0
    # LSTM(16) -> GRU(16) -> Dense on one feature: 4(16*17+16) + 3(16*32+32) + 17 parameters.
    assert ours["parameters"] == 4 * (16 * 17 + 16) + 3 * (16 * 32 + 32) + 17
    assert record["figures"]["keras_default"]["parameters"] == ours["parameters"]
    # The ceiling's products are exactly the FLOPs of a training step: sum(2 m k n x count) over
    # one batch equals flops_per_sample x batch.
    ceiling = record["ceiling"]
    total = sum(2 * p["m"] * p["k"] * p["n"] * p["count"] for p in ceiling["products"])
    assert total == pytest.approx(record["flops_per_sample"] * record["size"]["batch"])
    assert all(p["best_gflops"] > 0 for p in ceiling["products"])
    assert ceiling["samples_per_second"] > 0


def test_full_profile_quick(tmp_path):
    record = run_script("full_profile", tmp_path)
    assert set(record["measured"]) == {"1", "2"}
    assert all(not m["failed"] for m in record["measured"].values())
    projection = record["projection"]
    assert projection["instruments"] == 21
    assert projection["models_without_measured_cost"] == [
        m for m in ("arima", "lstm", "gru", "lstm_gru") if m not in record["unit_costs"]
    ]
    hours = [projection["hours_on_workers"][n] for n in ("1", "2", "4")]
    assert hours[0] >= hours[1] >= hours[2] and projection["serial_seconds"] > 0


def test_fit_overhead_quick(tmp_path):
    record = run_script("fit_overhead", tmp_path)
    assert record["max_abs_diff"] == 0.0
    assert record["cache"]["hits"] >= 1
