"""ARIMA order selection: our full AIC grid vs ``pmdarima.auto_arima`` (stepwise), same series.

Series: the first 2000 daily log closes from 2010 of several embedded skfolio stocks (the
training spans of the default experiment are of this size). Both searches choose ``d``
themselves (ours: ADF + KPSS rule; pmdarima: its default KPSS ``ndiffs``), the trend (ours:
drift by the AIC of the random walk; pmdarima: ``with_intercept='auto'``) and (p, q) with
p, q <= 3 by AIC:

``ours``
    :class:`lstmgru.models.arima.ArimaForecaster` ``fit`` (all 16 orders, conditional least
    squares starts, then the chosen order refitted with standard errors).
``pmdarima``
    ``auto_arima(y, start_p=0, start_q=0, max_p=3, max_q=3, max_order=None, seasonal=False,
    stepwise=True, information_criterion='aic')`` as a user calls it (BLAS threads as set by
    the environment).
``pmdarima, 1 BLAS thread``
    The same inside ``threadpoolctl.threadpool_limits(1)``, the setting ours uses: a
    like-for-like comparison of the two searches.

Reported per series: chosen orders, wall seconds (median of the repeats) and the AIC of each
chosen model as its own search reports it (both are statsmodels' exact state-space
likelihoods of the same data, so they are comparable when ``d`` agrees).

Run: ``python benchmarks/arima_order.py [--quick] [--output DIR]``.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import _common
import numpy as np

NAME = "arima_order"


def _pmdarima(y: np.ndarray, max_pq: int, one_thread: bool) -> dict:
    try:
        import pmdarima
    except ImportError:
        return {"error": "pmdarima not installed"}
    from lstmgru.models.arima import blas_threads

    def search():
        with (
            warnings.catch_warnings(record=True) as caught,
            blas_threads(1 if one_thread else None),
        ):
            warnings.simplefilter("always")
            model = pmdarima.auto_arima(
                y,
                start_p=0,
                start_q=0,
                max_p=max_pq,
                max_q=max_pq,
                max_order=None,
                seasonal=False,
                stepwise=True,
                information_criterion="aic",
                suppress_warnings=True,
                error_action="ignore",
            )
        return model, len(caught)

    (model, n_warnings), wall, cpu = _common.timed(search)
    return {
        "order": list(model.order),
        "with_intercept": bool(model.with_intercept),
        "aic": float(model.aic()),
        "seconds": wall,
        "cpu_seconds": cpu,
        "warnings": n_warnings,
    }


def _ours(y_close, max_pq: int) -> dict:
    from lstmgru.models.arima import ArimaForecaster

    model, wall, cpu = _common.timed(
        lambda: ArimaForecaster(max_p=max_pq, max_q=max_pq).fit(y_close)
    )
    info = model.info_
    return {
        "order": info["order"],
        "trend": info["trend"],
        "aic": info["criterion_value"],
        "seconds": wall,
        "cpu_seconds": cpu,
        "warnings": sum(w["count"] for w in info["warnings"]),
    }


def main(argv: list[str] | None = None) -> dict:
    from lstmgru.data import load_prices

    p = _common.parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    if args.quick:
        size = {"tickers": ["KO"], "days": 500, "max_pq": 1, "repeats": 1}
    else:
        size = {
            "tickers": ["AAPL", "JPM", "KO", "XOM", "PG", "MSFT"],
            "days": 2000,
            "max_pq": 3,
            "repeats": 3,
        }
    started = time.perf_counter()
    alternatives = ("ours", "pmdarima", "pmdarima_1thread")
    per_series: dict[str, dict] = {}
    for ticker in size["tickers"]:
        close = load_prices("skfolio", ticker, start="2010-01-01")["close"].iloc[: size["days"]]
        y = np.log(close.to_numpy())
        runs: dict[str, list[dict]] = {a: [] for a in alternatives}
        for _ in range(size["repeats"]):
            runs["ours"].append(_ours(close, size["max_pq"]))
            runs["pmdarima"].append(_pmdarima(y, size["max_pq"], one_thread=False))
            runs["pmdarima_1thread"].append(_pmdarima(y, size["max_pq"], one_thread=True))
        summary = {}
        for name, results in runs.items():
            if "error" in results[0]:
                summary[name] = {"error": results[0]["error"]}
                continue
            summary[name] = dict(results[0])
            summary[name]["seconds"] = statistics.median(r["seconds"] for r in results)
            summary[name]["seconds_runs"] = [r["seconds"] for r in results]
        per_series[ticker] = summary
        print(ticker, {k: (v.get("order"), v.get("seconds")) for k, v in summary.items()})

    rows = []
    totals = {a: 0.0 for a in alternatives}
    aic_gain = []
    for ticker, s in per_series.items():
        ours = s["ours"]
        row = [ticker, f"{tuple(ours['order'])} {ours['trend']}", round(ours["seconds"], 2)]
        totals["ours"] += ours["seconds"]
        for name in ("pmdarima", "pmdarima_1thread"):
            if "error" in s[name]:
                row += [s[name]["error"], ""]
                continue
            totals[name] += s[name]["seconds"]
            row += [round(s[name]["seconds"], 2), round(s[name]["seconds"] / ours["seconds"], 2)]
        if "error" not in s["pmdarima"]:
            pm = s["pmdarima"]
            label = f"{tuple(pm['order'])} {'drift' if pm['with_intercept'] else 'none'}"
            gain = pm["aic"] - ours["aic"]
            aic_gain.append(gain)
            row += [label, round(ours["aic"], 2), round(pm["aic"], 2), round(gain, 2)]
        rows.append(row)
    record = {
        "name": NAME,
        "description": (
            f"Order selection on the first {size['days']} daily log closes from 2010 of "
            f"{len(size['tickers'])} stocks; p, q <= {size['max_pq']}, AIC; median seconds of "
            f"{size['repeats']} repeats."
        ),
        "quick": args.quick,
        "size": size,
        "machine": _common.machine(),
        "versions": _common.versions(["statsmodels", "pmdarima", "numpy", "scipy"]),
        "per_series": per_series,
        "total_seconds": totals,
        "aic_pmdarima_minus_ours": aic_gain,
        "goals": "ours no slower than pmdarima stepwise; AIC of our order no worse",
        "seconds": time.perf_counter() - started,
    }
    table = _common.markdown_table(
        [
            "series",
            "ours: order, trend",
            "ours s",
            "pmdarima s",
            "x ours",
            "pmdarima 1-thread s",
            "x ours",
            "pmdarima: order, intercept",
            "AIC ours",
            "AIC pmdarima",
            "AIC pmdarima - ours",
        ],
        rows,
    )
    notes = [
        "Totals (s): " + ", ".join(f"{k} {v:.2f}" for k, v in totals.items()) + ".",
        "A positive last column means our chosen model has the lower (better) AIC.",
    ]
    _common.write_results(args.output, NAME, record, table, notes)
    return record


if __name__ == "__main__":
    main()
