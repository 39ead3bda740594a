"""Fixed cost per network fit: the fit cache on and off, 1-epoch and 10-epoch fits, one process.

Data: AAPL daily closes (embedded skfolio data), rolling-origin folds from 2020, 252
validation days; the hybrid ``lstm_gru`` of the default profile with batch 128 and no early
stopping (``patience=100``), as the experiment fits it (``build_forecaster``, ``fit`` on the
training and validation span, ``forecast`` on the test span). In one process, interleaved so
that the load of the machine hits both alike, each round runs, for each seed and each of two
training lengths (folds 1 and 2), the fit with the cache off and on (the order alternates) at
1 and at 10 epochs. A warm-up fit per mode and epoch count comes first (TensorFlow's own
start-up and the XLA compilation of the fused loops, shared by all fits, are paid there).

Reported per mode and epoch count: median, minimum and maximum seconds of ``fit`` and of
``forecast``, and the fixed cost per fit, estimated as ``t(1) - (t(10) - t(1)) / 9`` from the
medians (the fit time less one epoch's marginal cost). Forecasts with the cache on and off are
compared (they must be identical: ``max_abs_diff``).

Run: ``python benchmarks/fit_overhead.py [--quick] [--output DIR]``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import _common
import numpy as np
import pandas as pd

NAME = "fit_overhead"


def _config(size: dict, epochs: int):
    from lstmgru.config import ExperimentConfig

    return ExperimentConfig.from_parameters(
        "default",
        ticker="AAPL",
        protocol="rolling",
        first_test="2020-01-01",
        validation_days=252,
        batch_size=size["batch_size"],
        units=size["units"],
        epochs=epochs,
        patience=100,
    )


def _fit(model: str, config, fold, seed: int, cache: bool) -> dict:
    from lstmgru.models import build_forecaster, netcache

    netcache.set_cache_enabled(cache)
    try:
        forecaster = build_forecaster(model, config, seed=seed)
        _, fit_s, _ = _common.timed(
            lambda: forecaster.fit(fold.train["close"], fold.validation["close"])
        )
        forecast, forecast_s, _ = _common.timed(
            lambda: forecaster.forecast(fold.close, pd.DatetimeIndex(fold.test.index))
        )
    finally:
        netcache.set_cache_enabled(None)
    return {"fit": fit_s, "forecast": forecast_s, "log_return": forecast.log_return}


def main(argv: list[str] | None = None) -> dict:
    from lstmgru.data import config_options, load_prices
    from lstmgru.folds import make_folds
    from lstmgru.models import netcache

    p = _common.parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    if args.quick:
        size = {"model": "gru", "units": "8,8", "batch_size": 128, "seeds": [0], "rounds": 1}
        epochs = (1, 2)
    else:
        size = {"model": "lstm_gru", "units": "32,32", "batch_size": 128, "seeds": [0, 1, 2]}
        size["rounds"] = 2
        epochs = (1, 10)
    started = time.perf_counter()
    configs = {e: _config(size, e) for e in epochs}
    first = configs[epochs[0]]
    frame = load_prices(**config_options(first.data))
    folds = make_folds(frame, first.data, window=first.model.window)[:2]
    netcache.clear_cache()
    for e in epochs:  # warm-up: TensorFlow start-up, the fused loops' XLA programs
        for cache in (False, True):
            _fit(size["model"], configs[e], folds[0], 99, cache)
    netcache.clear_cache()
    modes = {"off": False, "on": True}
    times: dict[str, dict[str, list[float]]] = {
        f"{m} {e}": {"fit": [], "forecast": []} for m in modes for e in epochs
    }
    max_diff = 0.0
    turn = 0
    for _ in range(size["rounds"]):
        for seed in size["seeds"]:
            for fold in folds:
                for e in epochs:
                    order = list(modes) if turn % 2 == 0 else list(reversed(modes))
                    turn += 1
                    out = {}
                    for m in order:
                        out[m] = _fit(size["model"], configs[e], fold, seed, modes[m])
                        times[f"{m} {e}"]["fit"].append(out[m]["fit"])
                        times[f"{m} {e}"]["forecast"].append(out[m]["forecast"])
                    diff = np.max(np.abs(out["on"]["log_return"] - out["off"]["log_return"]))
                    max_diff = max(max_diff, float(diff))
                    print(f"seed {seed} fold {fold.index} epochs {e}: ", end="")
                    print({m: round(out[m]["fit"], 2) for m in order}, flush=True)
    figures = {
        key: {part: _common.summary(values) | {"runs": values} for part, values in t.items()}
        for key, t in times.items()
    }
    lo, hi = epochs
    fixed = {}
    for m in modes:
        t_lo = figures[f"{m} {lo}"]["fit"]["median"]
        t_hi = figures[f"{m} {hi}"]["fit"]["median"]
        per_epoch = (t_hi - t_lo) / (hi - lo)
        fixed[m] = {"fixed_fit_seconds": t_lo - per_epoch, "seconds_per_epoch": per_epoch}
    record = {
        "name": NAME,
        "description": (
            f"{size['model']} (units {size['units']}, batch {size['batch_size']}) on AAPL, folds "
            f"1-2 (training days {[len(f.train) for f in folds]}), seeds {size['seeds']}, "
            f"{size['rounds']} rounds; fit cache off vs on, {lo} vs {hi} epochs, interleaved "
            "in one process; seconds per fit (median, min, max)."
        ),
        "quick": args.quick,
        "size": size | {"epochs": list(epochs)},
        "machine": _common.machine(),
        "versions": _common.versions(["tensorflow", "keras", "numpy"]),
        "figures": figures,
        "fixed_cost": fixed,
        "max_abs_diff": max_diff,
        "cache": netcache.cache_info(),
        "seconds": time.perf_counter() - started,
    }
    rows = []
    for key, f in figures.items():
        m, e = key.split()
        fit, fc = f["fit"], f["forecast"]
        stats = [fit["median"], fit["min"], fit["max"], fc["median"], fc["min"], fc["max"]]
        rows.append([m, e, len(fit["runs"]), *stats])
    table = _common.markdown_table(
        ["cache", "epochs", "fits", "fit s", "min", "max", "forecast s", "min", "max"], rows
    )
    notes = [
        f"Fixed cost per fit, t({lo}) - (t({hi}) - t({lo})) / {hi - lo} from the medians: "
        + ", ".join(
            f"cache {m} {v['fixed_fit_seconds']:.2f} s (epoch {v['seconds_per_epoch']:.2f} s)"
            for m, v in fixed.items()
        )
        + ".",
        f"Largest |forecast log return, cache on - off|: {max_diff:.3g} (identical: 0).",
    ]
    _common.write_results(args.output, NAME, record, table, notes)
    return record


if __name__ == "__main__":
    main()
