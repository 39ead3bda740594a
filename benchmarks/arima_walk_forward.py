"""ARIMA one-step walk-forward over a 1000-day span: one filter pass vs day-by-day loops.

Series: daily log closes of Coca-Cola (KO, embedded skfolio data) from 2006; the last 1000
trading days are the evaluation span, everything before is the training span on which
:class:`lstmgru.models.arima.ArimaForecaster` chooses and fits its order (AIC, p, q <= 3).

Alternatives, all with the same order and trend:

``ours``
    ``ArimaForecaster.forecast``: the fitted parameters run through one Kalman-filter pass over
    the extended series; the one-step predictions of the 1000 dates are read off it.
``ours, refit every 20 days``
    The same with parameters re-estimated every 20 forecast dates on all earlier data.
``day by day, fixed parameters``
    For each date, statsmodels' ``results.apply(y[:t]).forecast(1)`` (the same parameters on the
    prefix, filtered from the start); identical forecasts expected.
``day by day, refit``
    For each date, ``ARIMA(y[:t], order, trend).fit()`` then ``forecast(1)`` -- the loop of
    most tutorials.

The day-by-day loops are timed on an evenly spaced sample of dates and scaled to the span
(the cost of one day hardly depends on its position: the filter is linear in the length and
the span is the last fifth of the series). All alternatives run with one BLAS thread (see
``lstmgru.models.arima.blas_threads``), so the comparison is of the algorithms, not of thread
contention.

Run: ``python benchmarks/arima_walk_forward.py [--quick] [--output DIR]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import _common
import numpy as np

NAME = "arima_walk_forward"


def main(argv: list[str] | None = None) -> dict:
    import pandas as pd

    from lstmgru.data import load_prices
    from lstmgru.models.arima import ArimaForecaster, blas_threads, capture_warnings

    args = _common.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        size = {"start": "2018-01-01", "span": 100, "max_pq": 1, "fixed": 5, "refit": 3, "reps": 1}
    else:
        size = {
            "start": "2006-01-01",
            "span": 1000,
            "max_pq": 3,
            "fixed": 20,
            "refit": 10,
            "reps": 5,
        }
    started = time.perf_counter()
    close = load_prices("skfolio", "KO", start=size["start"])["close"]
    dates = pd.DatetimeIndex(close.index[-size["span"] :])
    train = close.loc[: dates[0]].iloc[:-1]
    y = np.log(close.to_numpy())
    positions = close.index.get_indexer(dates)

    model = ArimaForecaster(max_p=size["max_pq"], max_q=size["max_pq"])
    _, fit_wall, _ = _common.timed(lambda: model.fit(train))
    order, trend = model.order_, model.trend_
    caught: list = []

    def ours() -> np.ndarray:
        return np.log(model.forecast(close, dates).price)

    times = []
    for _ in range(size["reps"]):
        fast, wall, _ = _common.timed(ours)
        times.append(wall)
    ours_per = statistics.median(times) / len(dates)

    periodic = ArimaForecaster(max_p=size["max_pq"], max_q=size["max_pq"], refit_every=20)
    periodic.fit(train)
    _, periodic_wall, _ = _common.timed(lambda: periodic.forecast(close, dates))

    sample = np.unique(np.linspace(0, len(dates) - 1, size["fixed"]).round().astype(int))
    refit_sample = np.unique(np.linspace(0, len(dates) - 1, size["refit"]).round().astype(int))
    from statsmodels.tsa.arima.model import ARIMA

    with blas_threads(1), capture_warnings(caught):
        fixed_values, fixed_wall, _ = _common.timed(
            lambda: np.array(
                [model.results_.apply(y[: positions[i]]).forecast(1)[0] for i in sample]
            )
        )
        refit_values, refit_wall, _ = _common.timed(
            lambda: np.array(
                [
                    ARIMA(y[: positions[i]], order=order, trend=trend).fit().forecast(1)[0]
                    for i in refit_sample
                ]
            )
        )
    fixed_per = fixed_wall / len(sample)
    refit_per = refit_wall / len(refit_sample)
    fixed_diff = float(np.max(np.abs(fixed_values - fast[sample])))
    refit_diff = float(np.max(np.abs(refit_values - fast[refit_sample])))

    rows_data = [
        ("ours: one filter pass", len(dates), ours_per, 0.0),
        ("ours, refit every 20 days", len(dates), periodic_wall / len(dates), None),
        ("day by day, fixed parameters (apply)", len(sample), fixed_per, fixed_diff),
        ("day by day, refit (ARIMA(...).fit())", len(refit_sample), refit_per, refit_diff),
    ]
    figures = {
        label: {
            "forecasts_timed": n,
            "seconds_per_forecast": per,
            "seconds_for_span": per * len(dates),
            "times_ours": per / ours_per,
            "max_abs_diff_log_price_vs_ours": diff,
        }
        for label, n, per, diff in rows_data
    }
    record = {
        "name": NAME,
        "description": (
            f"One-step ARIMA{order} (trend {trend!r}) forecasts of KO over the last "
            f"{len(dates)} trading days; day-by-day loops timed on samples and scaled."
        ),
        "quick": args.quick,
        "size": size,
        "machine": _common.machine(),
        "versions": _common.versions(["statsmodels", "numpy", "scipy"]),
        "order": list(order),
        "trend": trend,
        "train_days": len(train),
        "fit_seconds": fit_wall,
        "ours_repeats_seconds": times,
        "figures": figures,
        "speedup_vs_daily_refit": refit_per / ours_per,
        "goal_speedup": 1000,
        "warnings_in_loops": [
            {"category": w.category.__name__, "message": str(w.message)} for w in caught
        ][:20],
        "seconds": time.perf_counter() - started,
    }
    table = _common.markdown_table(
        [
            "method",
            "forecasts timed",
            "ms per forecast",
            f"s for {len(dates)} days",
            "x ours",
            "max abs diff vs ours (log price)",
        ],
        [
            [
                label,
                f["forecasts_timed"],
                round(1e3 * f["seconds_per_forecast"], 4),
                round(f["seconds_for_span"], 3),
                round(f["times_ours"], 1),
                ""
                if f["max_abs_diff_log_price_vs_ours"] is None
                else f"{f['max_abs_diff_log_price_vs_ours']:.2e}",
            ]
            for label, f in figures.items()
        ],
    )
    notes = [
        f"Order chosen on {len(train)} training days: ARIMA{tuple(order)}, trend {trend!r}; "
        f"selection and fit took {fit_wall:.2f} s.",
        f"Ours per forecast is the median of {size['reps']} runs over the whole span.",
        f"Speed-up of ours over the daily refit: {record['speedup_vs_daily_refit']:.0f}x "
        "(goal >= 1000x); fixed-parameter forecasts agree to the difference shown.",
    ]
    _common.write_results(args.output, NAME, record, table, notes)
    return record


if __name__ == "__main__":
    main()
