"""The design of a run in words and numbers: what the methodology and discussion chapters quote.

Every value is read from the run (the configuration and folds stored with each instrument's
result, the parameters of the results chapter); nothing is typed by hand. :func:`run_design`
returns plain text values (no LaTeX) that :mod:`lstmgru.report.generated` writes into
``generated/meta.tex`` as macros; a value the run does not define is ``None`` and prints as a dash.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from lstmgru.comparison import COST_BPS
from lstmgru.config import NETWORK_LAYERS, SIZE_MATCHED
from lstmgru.names import display_name
from lstmgru.report.paths import RunNotebooks
from lstmgru.tuning import grid_points, parse_grid
from lstmgru.words import count, join, number_word

__all__ = [
    "DEFAULT_ALPHA",
    "comparison_parameters",
    "count",
    "folds_sentence",
    "grid_text",
    "join",
    "number_word",
    "run_design",
]

#: Level of the tests when the results chapter does not set one (its parameter default).
DEFAULT_ALPHA = 0.05

#: Readable names of the tunable hyper-parameters (:data:`lstmgru.tuning.TUNABLE`).
_TUNABLE_NAMES = {
    "units": "units per layer",
    "window": "window length",
    "dropout": "dropout rate",
    "learning_rate": "learning rate",
}


def _amounts(values: Sequence[int], unit: str) -> str:
    """ "252 rows" (one value), "252 and 249 rows" (up to three, in order), "250 to 253 rows"."""
    values = [int(v) for v in values]
    if len(set(values)) == 1:
        return f"{values[0]:,} {unit}"
    if len(values) <= 3:
        return join([f"{v:,}" for v in values]) + f" {unit}"
    return f"{min(values):,} to {max(values):,} {unit}"


def folds_sentence(spans: Any) -> str:
    """The folds of one instrument in a sentence, with the numbers of the run.

    ``spans`` is :func:`lstmgru.folds.describe_folds` of the run's folds (one row per fold:
    first and last day and rows of the training, validation and test spans). The sentence gives
    the test days, the number of folds and their days, and the rows of the training and
    validation spans each fold is fitted on: "The test days, from 2021-01-04 to 2022-12-28,
    form two folds of 252 and 249 days; before each fold every model is fitted on the closes
    before its first test day, training spans of 2,517 and 2,769 rows followed by a validation
    span of 252 rows." Up to three folds their values are listed in fold order, above that
    their range.
    """
    n = len(spans)
    if n == 0:
        raise ValueError("spans has no folds")
    first, last = spans["test_first"].iloc[0], spans["test_last"].iloc[-1]
    train, validation = spans["train_rows"], spans["validation_rows"]

    def span(name: str, rows: Any) -> str:
        one = len(set(int(v) for v in rows)) == 1
        return f"{'a ' if one else ''}{name} span{'' if one else 's'} of {_amounts(rows, 'rows')}"

    if n == 1:
        return (
            f"The test days run from {first} to {last} ({_amounts(spans['test_rows'], 'days')}); "
            f"every model is fitted on the closes before the first of them, "
            f"{span('training', train)} followed by {span('validation', validation)}."
        )
    days = spans["test_rows"]
    each = " each" if len(set(int(v) for v in days)) == 1 else ""
    return (
        f"The test days, from {first} to {last}, form {count(n, 'fold')} of "
        f"{_amounts(days, 'days')}{each}; before each fold every model is fitted on the closes "
        f"before its first test day, {span('training', train)} followed by "
        f"{span('validation', validation)}."
    )


def _parameter_cell_values(nb) -> dict[str, Any]:
    """Literal assignments of the cell tagged ``parameters`` (the defaults of the chapter)."""
    values: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" not in cell.metadata.get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            return values
        for node in tree.body:
            target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and value is not None:
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    continue
    return values


def comparison_parameters(path: Path | None) -> dict[str, Any]:
    """Parameters the results chapter ran with: its defaults, overridden by those set for the run.

    Parameters
    ----------
    path : pathlib.Path or None
        The executed results (comparison) notebook; ``None`` gives ``{}``.
    """
    if path is None:
        return {}
    nb = nbformat.read(path, as_version=4)
    values = _parameter_cell_values(nb)
    values.update(nb.metadata.get("papermill", {}).get("parameters") or {})
    return values


def _percent(value: float) -> str:
    text = f"{100 * value:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


def _first_config(notebooks: RunNotebooks) -> dict[str, Any]:
    for result in notebooks.run.results.values():
        config = result.record.get("config")
        if isinstance(config, Mapping):
            return dict(config)
    return {}


def _folds(notebooks: RunNotebooks) -> dict[str, list[Mapping[str, Any]]]:
    return {
        str(t): [f for f in (r.record.get("folds") or []) if isinstance(f, Mapping)]
        for t, r in notebooks.run.results.items()
    }


def _span(values: Sequence[int]) -> str | None:
    values = sorted(set(values))
    if not values:
        return None
    return str(values[0]) if len(values) == 1 else f"{values[0]} to {values[-1]}"


def grid_text(tuning: str) -> str:
    """A tuning grid in words: "learning rate in {0.001, 0.003}"; "none" for no grid."""
    grid = parse_grid(tuning or None)
    if not grid:
        return "none"
    return join(
        [
            f"{_TUNABLE_NAMES.get(name, name)} in {{{', '.join(f'{v:g}' for v in values)}}}"
            for name, values in grid.items()
        ]
    )


def _grid_text(tuning: str) -> tuple[str, int]:
    grid = parse_grid(tuning or None)
    if not grid:
        return "none (every network uses the configured hyper-parameters)", 1
    return grid_text(tuning), len(grid_points(grid))


def _network_sizes(models: Sequence[str], units: Sequence[int]) -> dict[str, tuple[tuple, int]]:
    """Units per layer and trainable parameters of each configured network (one input)."""
    from lstmgru.models.sizing import network_param_count, network_units

    sizes = {}
    for name in models:
        if name not in NETWORK_LAYERS:
            continue
        try:
            layer_units = network_units(name, units)
            params = network_param_count(
                NETWORK_LAYERS[name], layer_units, parallel=name == "lstm_gru_parallel"
            )
        except ValueError:
            continue
        sizes[name] = (layer_units, params)
    return sizes


def _units(units: Sequence[int]) -> str:
    """Units per layer: "32" when every layer has them, else "64 and 32"."""
    return str(units[0]) if len(set(units)) == 1 else join([str(u) for u in units])


def _model_name(model: str) -> str:
    """A model's name in running text: "random walk", "drift", "ARIMA", "LSTM–GRU"."""
    name = display_name(model)
    return name.lower() if model in ("random_walk", "drift") else name


def _fold_text(config: Mapping[str, Any], n_folds: int) -> str:
    data = config.get("data") or {}
    if data.get("protocol", "single") == "single":
        return "one chronological split (a single test span)"
    kind = (
        "one per calendar year"
        if data.get("fold", "year") == "year"
        else f"of {data.get('fold_days')} trading days each"
    )
    return f"{count(n_folds, 'consecutive test fold')}, {kind}"


def run_design(
    notebooks: RunNotebooks, findings: Any | None = None, parameters: Mapping | None = None
) -> dict[str, str | None]:
    """The run's design as plain text values, keyed by the macro name they become.

    Parameters
    ----------
    notebooks : RunNotebooks
    findings : lstmgru.findings.RunFindings, optional
        For the number of comparisons and the levels of the tests.
    parameters : mapping, optional
        Parameters of the results chapter (:func:`comparison_parameters`).

    Returns
    -------
    dict of str to str or None
        Macro name (without ``Run``) -> text; ``None`` where the run does not define it.
    """
    parameters = dict(parameters or {})
    config = _first_config(notebooks)
    data = config.get("data") or {}
    model = config.get("model") or {}
    models = [str(m) for m in config.get("models") or []]
    tickers = [str(t) for t in notebooks.run.results]
    provenance = [r.record.get("provenance") or {} for r in notebooks.run.results.values()]
    folds = _folds(notebooks)
    all_folds = [f for fs in folds.values() for f in fs]
    test_days = [sum(int(f.get("test_rows") or 0) for f in fs) for fs in folds.values() if fs]
    grid, points = _grid_text(str(config.get("tuning") or ""))
    units = [int(u) for u in model.get("units") or []]
    sizes = _network_sizes(models, units) if units else {}
    seeds = list(config.get("seeds") or [])
    alpha = float(parameters.get("alpha", findings.alpha if findings else DEFAULT_ALPHA))
    cost = float(parameters.get("cost_bps", COST_BPS))
    values: dict[str, str | None] = {
        "InstrumentCount": number_word(len(tickers)) if tickers else None,
        "Instruments": join(tickers) if tickers else None,
        "DataFirstDate": min(
            (p["first_date"] for p in provenance if p.get("first_date")), default=None
        ),
        "DataLastDate": max(
            (p["last_date"] for p in provenance if p.get("last_date")), default=None
        ),
        "FirstTestDay": min(
            (f["test_first"] for f in all_folds if f.get("test_first")), default=None
        ),
        "LastTestDay": max((f["test_last"] for f in all_folds if f.get("test_last")), default=None),
        "Folds": _fold_text(config, max((len(fs) for fs in folds.values()), default=0))
        if config
        else None,
        "TestDays": _span(test_days),
        "ValidationDays": str(data["validation_days"]) if data.get("validation_days") else None,
        "Window": str(model["window"]) if model.get("window") else None,
        "Units": _units(units) if units else None,
        "Dropout": f"{model['dropout']:g}" if model.get("dropout") is not None else None,
        "BatchSize": str(model["batch_size"]) if model.get("batch_size") else None,
        "Epochs": str(model["epochs"]) if model.get("epochs") else None,
        "Patience": str(model["patience"]) if model.get("patience") is not None else None,
        "LearningRate": f"{model['learning_rate']:g}" if model.get("learning_rate") else None,
        "Loss": {"mse": "mean squared error", "huber": "Huber loss"}.get(model.get("loss"))
        if model
        else None,
        "Seeds": count(len(seeds), "seed") if seeds else None,
        "TuningGrid": grid if config else None,
        "GridPoints": count(points, "grid point") if config else None,
        "ArMaxP": str(config["ar_max_p"]) if "ar_max_p" in config else None,
        "ArimaMaxP": str(config["arima_max_p"]) if "arima_max_p" in config else None,
        "ArimaMaxQ": str(config["arima_max_q"]) if "arima_max_q" in config else None,
        "Criterion": str(config["arima_criterion"]).upper()
        if config.get("arima_criterion")
        else None,
        "Models": join([_model_name(m) for m in models]) if models else None,
        "ModelCount": number_word(len(models)) if models else None,
        "CostBps": f"{cost:g}",
        "Alpha": _percent(alpha),
        "MCSLevel": _percent(findings.mcs_level) if findings else None,
        "Power": _percent(findings.power) if findings else None,
        "Comparisons": str(findings.pairs([m for m in findings.models if m != "random_walk"]))
        if findings
        else None,
    }
    for name, key in (
        ("lstm", "LSTM"),
        ("gru", "GRU"),
        ("lstm_gru", "Hybrid"),
        ("lstm_lstm", "LSTMStack"),
        ("gru_gru", "GRUStack"),
    ):
        layer_units, params = sizes.get(name, (None, None))
        values[f"{key}Params"] = f"{params:,}" if params else None
        values[f"{key}Units"] = _units(layer_units) if layer_units else None
    values["SizeMatched"] = (
        join([display_name(m) for m in models if m in SIZE_MATCHED]) or None if models else None
    )
    return values
