"""Cost of the ``full`` study: a measured slice on two instruments, 1 and 2 dask workers, projected.

The ``full`` profile (every embedded stock and the index, every model and variant, at least ten
seeds, the tuning grid, yearly folds over the whole history) needs far more machine time than
one measurement here can take, so the script measures a slice of it and projects the rest from
the slice's own per-fit costs. What is measured and what is projected is kept apart in the
result files.

1. **Measured.** The ``full`` profile on two instruments, restricted to its last ``--folds``
   fold(s), ``--seeds`` seed(s) and the one-point tuning grid ``--grid`` (everything else as in
   the profile: history from 1990, units, epochs, patience, every model), executed by the runner
   on a dask ``LocalCluster`` with one worker and then, from an empty folder, with two workers.
   Wall time of each run, speed-up and parallel efficiency.
2. **Unit costs.** From the stored results of the one-worker run: seconds per network fit and
   per training row, per network family (``fold_models[...]["fit_seconds"]`` over
   ``train_samples``), and seconds per fold of every other model.
3. **Projected.** For every instrument of the full study, its fold plan under the ``full``
   profile (:func:`lstmgru.folds.make_folds` on its data). Each fold costs, per network family,
   ``grid points + seeds - 1`` fits (the first seed's fit of the chosen grid point is reused),
   each at the family's measured seconds per training row times the fold's training rows; each
   other model costs its measured seconds per fold, scaled by training rows likewise. The sum is
   the serial time; on ``N`` workers the projection divides by ``N`` times the measured
   two-worker efficiency (and never assumes more parallelism than instruments).

Usage::

    python benchmarks/full_profile.py [--quick] [--tickers AAPL KO] [--folds 1] [--seeds 1]
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import machine, markdown_table, parser, versions, write_results

from lstmgru import runner, runs
from lstmgru.config import NETWORK_LAYERS, ExperimentConfig
from lstmgru.data import config_options, load_prices
from lstmgru.data.sources import available_tickers
from lstmgru.folds import make_folds
from lstmgru.tuning import grid_points, largest_window, parse_grid

NAME = "full_profile"
WORKERS = (1, 2, 4, 8, 16)


def run_slice(
    tickers: list[str], workers: int, parameters: dict[str, Any], profile: str, output: Path
) -> tuple[float, runner.RunSummary]:
    """One runner call on a fresh folder with a dask LocalCluster of ``workers`` workers.

    Only the experiment notebook (one per instrument) and the comparison run: the theory and
    data chapters cost the same whatever the study.
    """
    notebooks = output.parent / "notebooks"
    if not notebooks.exists():
        notebooks.mkdir(parents=True)
        for name in (runs.EXPERIMENT_NOTEBOOK, runs.COMPARISON_NOTEBOOK):
            (notebooks / name).symlink_to(runs.NOTEBOOK_DIR / name)
    parameters = dict(parameters)
    models = parameters.pop("models", None)
    n_seeds = parameters.pop("n_seeds", None)
    started = time.perf_counter()
    summary = runner.run_pipeline(
        tickers,
        profile=profile,
        models=models,
        n_seeds=n_seeds,
        executor="dask",
        jobs=workers,
        output=output,
        parameters=parameters,
        notebook_dir=notebooks,
        progress=False,
    )
    return time.perf_counter() - started, summary


def _fits_per_fold(model: str, config: dict[str, Any]) -> int:
    """Fits of one model in one fold: grid points + seeds - 1 for a network, else 1."""
    if model not in NETWORK_LAYERS:
        return 1
    points = len(grid_points(parse_grid(config.get("tuning") or "")))
    return max(points, 1) + len(config["seeds"]) - 1


def unit_costs(run_dir: Path) -> dict[str, dict[str, float]]:
    """Seconds per training row of one fit, per model, from the stored results of a run.

    A model's wall time (``wall_time_s``: every fit of every fold, tuning points and seeds
    included) divided by the sum over its folds of training rows times fits per fold.
    """
    seconds: dict[str, float] = {}
    row_fits: dict[str, float] = {}
    for result in runs.load_run(run_dir).results.values():
        record = result.record
        rows = [fold["train_rows"] for fold in record["folds"]]
        for model, wall in record["wall_time_s"].items():
            fits = _fits_per_fold(model, record["config"])
            seconds[model] = seconds.get(model, 0.0) + wall
            row_fits[model] = row_fits.get(model, 0.0) + fits * sum(rows)
    return {
        model: {
            "seconds_per_train_row_and_fit": seconds[model] / row_fits[model],
            "measured_seconds": round(seconds[model], 2),
        }
        for model in seconds
        if row_fits[model] > 0
    }


def fold_plan(profile: str) -> dict[str, list[int]]:
    """Training rows of every fold of every instrument of the study under ``profile``."""
    instruments = [("skfolio", t) for t in available_tickers("skfolio")]  # 20 stocks, SP500
    plan: dict[str, list[int]] = {}
    for source, ticker in instruments:
        config = ExperimentConfig.from_parameters(profile, ticker=ticker, source=source)
        frame = load_prices(**config_options(config.data))
        window = largest_window(parse_grid(config.tuning), config.model.window)
        plan[f"{source}:{ticker}"] = [
            len(f.train) for f in make_folds(frame, config.data, window=window)
        ]
    return plan


def project(
    costs: dict[str, dict[str, float]], plan: dict[str, list[int]], profile: str, efficiency: float
) -> dict[str, Any]:
    """Serial and N-worker hours of the whole study from the unit costs and the fold plan."""
    config = ExperimentConfig.from_parameters(profile)
    flat = {"tuning": config.tuning, "seeds": config.seeds}
    per_instrument = {}
    for instrument, rows in plan.items():
        total = 0.0
        for model in config.models:
            unit = costs.get(model, {}).get("seconds_per_train_row_and_fit")
            if unit is not None:
                total += unit * _fits_per_fold(model, flat) * sum(rows)
        per_instrument[instrument] = total
    serial = sum(per_instrument.values())
    longest = max(per_instrument.values())
    on_workers = {}
    for n in WORKERS:
        parallel = min(n, len(per_instrument))
        speed = parallel * (efficiency if parallel > 1 else 1.0)
        on_workers[str(n)] = round(max(serial / speed, longest) / 3600, 2)
    return {
        "fits_per_network_family_per_fold": _fits_per_fold("lstm_gru", flat),
        "grid_points": len(grid_points(parse_grid(config.tuning))) or 1,
        "seeds": len(config.seeds),
        "instruments": len(plan),
        "folds_per_instrument": {k: len(v) for k, v in plan.items()},
        "serial_seconds": round(serial, 3),
        "serial_hours": round(serial / 3600, 2),
        "hours_on_workers": on_workers,
        "per_instrument_hours": {k: round(v / 3600, 3) for k, v in per_instrument.items()},
        "models_without_measured_cost": [m for m in config.models if m not in costs],
    }


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--tickers", nargs=2, default=["AAPL", "KO"])
    p.add_argument("--folds", type=int, default=1, help="last folds of the profile to run")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--grid", default="learning_rate=0.001", help="one-point tuning grid")
    p.add_argument("--models", default=None, help="comma-separated models (default: all)")
    args = p.parse_args(argv)
    profile = "quick" if args.quick else "full"
    parameters: dict[str, Any] = {"n_folds": args.folds, "n_seeds": args.seeds}
    parameters["tuning"] = "none" if args.quick else args.grid
    if args.quick and args.models is None:
        args.models = "random_walk,drift,ar"
    if args.models:
        parameters["models"] = args.models
    record: dict[str, Any] = {
        "description": (
            f"The `{profile}` profile on {' and '.join(args.tickers)} (last {args.folds} "
            f"fold(s), {args.seeds} seed(s), tuning grid '{parameters['tuning'] or 'profile'}'"
            "), run by the runner on a dask LocalCluster with 1 and 2 workers (measured), and "
            "the whole study projected from its per-fit costs."
        ),
        "quick": args.quick,
        "machine": machine(),
        "versions": versions(["tensorflow", "keras", "dask", "distributed", "papermill"]),
        "profile": profile,
        "parameters": parameters,
        "tickers": args.tickers,
    }
    measured = {}
    costs: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="full-profile-") as folder:
        for workers in (1, 2):
            output = Path(folder) / f"workers{workers}"
            wall, summary = run_slice(args.tickers, workers, parameters, profile, output)
            measured[str(workers)] = {
                "wall_s": round(wall, 1),
                "done": list(summary.done),
                "failed": {k: str(v)[:300] for k, v in summary.failures.items()},
                "notebook_s": {k: round(v, 1) for k, v in summary.wall_times.items()},
            }
            print(json.dumps({"workers": workers, **measured[str(workers)]}), flush=True)
            if workers == 1:
                costs = unit_costs(summary.run_dir)
    speedup = measured["1"]["wall_s"] / measured["2"]["wall_s"]
    efficiency = min(1.0, speedup / 2)
    record["measured"] = measured
    record["speedup_2_workers"] = round(speedup, 2)
    record["efficiency_2_workers"] = round(efficiency, 2)
    record["unit_costs"] = costs
    record["projection"] = project(costs, fold_plan(profile), profile, efficiency)
    proj = record["projection"]
    rows = [
        [f"measured: {profile}, {len(args.tickers)} instruments, {w} worker(s)", m["wall_s"], ""]
        for w, m in measured.items()
    ]
    rows += [
        [
            f"projected: whole study, {proj['instruments']} instruments, {n} worker(s)",
            "",
            hours,
        ]
        for n, hours in proj["hours_on_workers"].items()
    ]
    table = markdown_table(["run", "wall s", "hours"], rows)
    notes = [
        f"Speed-up with 2 dask workers: {record['speedup_2_workers']} "
        f"(efficiency {record['efficiency_2_workers']}).",
        f"Projection: {proj['fits_per_network_family_per_fold']} fits per network family and "
        f"fold ({proj['grid_points']} grid points + {proj['seeds']} seeds - 1), each costing "
        "the fold's training rows times the model's measured seconds per training row and fit "
        "(its wall time in the slice over the training rows of its fits).",
        "The projection assumes the epochs used per fit are those of the measured slice; "
        "early stopping makes them vary from fold to fold.",
    ]
    if proj["models_without_measured_cost"]:
        notes.append(f"Not priced (not run in the slice): {proj['models_without_measured_cost']}")
    write_results(args.output, NAME, record, table, notes)
    return 0 if all(not m["failed"] for m in measured.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
