"""Every notebook, executed by the pipeline with the quick profile, and the notebooks' metadata.

The executed notebooks come from the shared ``quick_run`` fixture (conftest): one pipeline run
over two tickers. Metadata checks read the committed notebooks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest
from conftest import QUICK_TICKERS

from lstmgru.config import NETWORK_LAYERS
from lstmgru.report.tables import NA
from lstmgru.runner import RUNNER_PARAMETERS
from lstmgru.runs import COMPARISON_NOTEBOOK, EXPERIMENT_NOTEBOOK, read_results

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LABEL = re.compile(r"^(fig|tab|eq):[a-z0-9][a-z0-9-]*$")
#: The chapters whose text is thesis prose (the equations chapter has its own checks).
PROSE_NOTEBOOKS = ("02_data.ipynb", EXPERIMENT_NOTEBOOK, COMPARISON_NOTEBOOK)
#: Words of the tooling, not of a thesis; and counts that should be words ("none of").
TOOL_WORDS = re.compile(r"\b(notebooks?|papermill|jupyter)\b", re.IGNORECASE)
ZERO_COUNT = re.compile(r"\b0 of\b|\bon 0\b|\bin 0\b|\b1 (instruments|models|networks|folds)\b")


def _executed(run_dir: Path, notebook: Path) -> list[Path]:
    if notebook.name == EXPERIMENT_NOTEBOOK:
        return [run_dir / ticker / notebook.name for ticker in QUICK_TICKERS]
    return [run_dir / notebook.name]


def _outputs(cell) -> list:
    return cell.get("outputs", []) if cell.cell_type == "code" else []


def _prose(text: str) -> str:
    """Text without inline code (`...`), which may name files and commands."""
    return re.sub(r"`[^`]*`", "", text)


def _printed(cell) -> str:
    """What a code cell shows as text: Markdown and plain-text results and printed lines."""
    parts = []
    for output in _outputs(cell):
        if output.output_type == "stream":
            parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("text/markdown", ""))
    return _prose("".join(parts))


def _latex(cell) -> str:
    return "".join(o.get("data", {}).get("text/latex", "") for o in _outputs(cell))


def _row(latex: str, name: str) -> list[str]:
    """Cells of the LaTeX table row whose first cell is ``name``."""
    line = next(line for line in latex.splitlines() if line.strip().startswith(name + " "))
    return [cell.strip() for cell in line.strip().removesuffix("\\\\").split("&")]


@pytest.mark.parametrize("name", PROSE_NOTEBOOKS)
def test_prose_speaks_of_the_thesis_not_of_notebooks(name) -> None:
    """The Markdown of the data, experiment and comparison chapters is thesis text: it names
    no notebook or tool, and counts read as words ("none of the networks", not "0 of 5")."""
    cells = nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        text = _prose(cell.source)
        assert not TOOL_WORDS.search(text), f"{name} cell {index}: {TOOL_WORDS.search(text)[0]!r}"
        assert not ZERO_COUNT.search(text), f"{name} cell {index}: {ZERO_COUNT.search(text)[0]!r}"


def test_experiment_notebook_has_no_price_level_ablation() -> None:
    """The price-level ablation is not part of the per-instrument experiment (it has no
    parameter there and no section)."""
    path = ROOT / "notebooks" / EXPERIMENT_NOTEBOOK
    assert "ablation" not in papermill.inspect_notebook(str(path))
    cells = nbformat.read(path, as_version=4).cells
    source = "\n".join(cell.source for cell in cells)
    assert "price_ablation" not in source and "ablation_table" not in source
    labels = {cell.metadata.get("label") for cell in cells}
    assert {"tab:tuning", "tab:scores", "fig:accuracy-wealth"} <= labels
    # the folds are a sentence, and one figure of two panels replaces two figures
    assert not labels & {"tab:folds", "fig:relative-mse", "fig:wealth"}
    assert not any("ablation" in str(label) for label in labels)


@pytest.mark.slow
@pytest.mark.parametrize("name", PROSE_NOTEBOOKS)
def test_generated_prose_speaks_of_the_thesis(quick_run, name) -> None:
    """What the code of a chapter prints or renders as Markdown follows the same rules."""
    for path in _executed(quick_run.run_dir, ROOT / "notebooks" / name):
        executed = nbformat.read(path, as_version=4)
        for index, cell in enumerate(executed.cells):
            if "remove-cell" in cell.metadata.get("tags", []):
                continue
            text = _printed(cell)
            assert not TOOL_WORDS.search(text), f"{path.name} cell {index}: {text[:200]!r}"
            assert not ZERO_COUNT.search(text), f"{path.name} cell {index}: {text[:200]!r}"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_was_executed_without_errors(quick_run, notebook) -> None:
    for path in _executed(quick_run.run_dir, notebook):
        assert path.is_file(), f"{notebook.name} was not executed by the pipeline ({path})"
        executed = nbformat.read(path, as_version=4)
        errors = [
            (index, output.get("ename"), output.get("evalue"))
            for index, cell in enumerate(executed.cells)
            for output in _outputs(cell)
            if output.output_type == "error"
        ]
        assert not errors, f"{path}: {errors}"
        not_run = [
            index
            for index, cell in enumerate(executed.cells)
            if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None
        ]
        assert not not_run, f"{path}: cells {not_run} were not executed"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_figure_cells_render_images(quick_run, notebook) -> None:
    """A cell labelled ``fig:...`` shows an image (or, for optional figures, a note)."""
    for path in _executed(quick_run.run_dir, notebook):
        executed = nbformat.read(path, as_version=4)
        for cell in executed.cells:
            label = cell.metadata.get("label", "")
            if not label.startswith("fig:"):
                continue
            kinds = {kind for output in _outputs(cell) for kind in output.get("data", {})}
            assert kinds & {"image/png", "image/svg+xml", "application/pdf", "text/markdown"}, (
                f"{path.name} {label}: no figure in the output ({sorted(kinds) or 'none'}); "
                "end the cell with the figure (no ';') after `%matplotlib inline`"
            )


@pytest.mark.slow
def test_results_of_each_ticker(quick_run) -> None:
    record = json.loads((quick_run.run_dir / "run.json").read_text())
    for ticker in QUICK_TICKERS:
        directory = quick_run.run_dir / ticker
        for name in ("forecasts.csv", "metrics.csv", "result.json", "DONE"):
            assert (directory / name).is_file(), f"{ticker}: {name} missing"
        assert (directory / "DONE").read_text().strip() == record["ticker_status"][ticker]["key"]
        result = read_results(directory)
        assert result.ticker == ticker
        assert result.metrics.loc["random_walk", "theil_u2"] == pytest.approx(1.0, abs=1e-12)
        assert list(result.metrics.index) == result.record["config"]["models"]
        networks = [m for m in result.record["config"]["models"] if m in NETWORK_LAYERS]
        if networks:
            assert result.seed_scores is not None
            assert set(result.seed_scores["model"]) == set(networks)


@pytest.mark.slow
def test_quick_run_has_two_tuned_folds_per_ticker(quick_run) -> None:
    """The quick profile runs two yearly folds end to end: each ticker's stored result has, per
    fold, the tuning record of every network family and the ARIMA order, and the notebook shows
    them; the checkpoints of the finished tickers are gone."""
    for ticker in QUICK_TICKERS:
        record = read_results(quick_run.run_dir / ticker).record
        assert record["protocol"] == "rolling"
        folds = record["folds"]
        assert [f["test_first"][:4] for f in folds] == ["2021", "2022"]
        assert all(f["validation_rows"] == 63 for f in folds)
        # Expanding window: fold 1 is refitted on rows up to its start, fold 0's test days
        # included (they end its validation span).
        assert folds[1]["validation_last"] == folds[0]["test_last"]
        assert folds[1]["train_last"] > folds[0]["train_last"]
        fold_models = record["fold_models"]
        grid = record["config"]["tuning"]
        assert grid == "learning_rate=0.001,0.003"
        networks = [m for m in record["config"]["models"] if m in NETWORK_LAYERS]
        assert networks
        for name in networks:
            assert [r["fold"] for r in fold_models[name]] == [0, 1]
            for entry in fold_models[name]:
                losses = entry["tuning_losses"]
                assert [p["learning_rate"] for p in losses] == [0.001, 0.003]
                best = min(losses, key=lambda p: p["val_loss"])
                assert entry["tuned"] == {"learning_rate": best["learning_rate"]}
        arima = fold_models["arima"]
        assert [r["fold"] for r in arima] == [0, 1]
        assert all(len(r["order"]) == 3 and r["trend"] for r in arima)
        executed = nbformat.read(quick_run.run_dir / ticker / EXPERIMENT_NOTEBOOK, as_version=4)
        by_label = {c.metadata["label"]: c for c in executed.cells if "label" in c.metadata}
        assert "tab:folds" not in by_label
        # the folds in a sentence with the numbers of the run: test days, training and
        # validation rows of each fold
        sentence = next(t for t in map(_printed, executed.cells) if "The test days, from" in t)
        assert f"from {folds[0]['test_first'][:10]} to {folds[-1]['test_last'][:10]}" in sentence
        assert "form two folds of " in sentence
        for fold in folds:
            assert f"{fold['test_rows']:,}" in sentence and f"{fold['train_rows']:,}" in sentence
        assert f"a validation span of {folds[0]['validation_rows']:,} rows" in sentence
        # one row per fold, named by its first test day; the tuning table has the chosen
        # learning rate of every network family and the ARIMA order and trend of each fold
        tuning = _latex(by_label["tab:tuning"])
        assert r"\toprule" in tuning
        assert [_row(tuning, f["test_first"][:10])[0] for f in folds] == [
            f["test_first"][:10] for f in folds
        ]
        row = _row(tuning, folds[1]["test_first"][:10])
        order = "(" + ", ".join(str(v) for v in arima[1]["order"]) + ")"
        assert f"{order} {arima[1]['trend']}" in row
        rate = fold_models[networks[0]][1]["tuned"]["learning_rate"]
        assert f"{rate:.4f}" in row
        injected = next(
            c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])
        )
        assert ".checkpoints" in injected.source
    assert not (quick_run.run_dir / ".checkpoints").exists()


@pytest.mark.slow
def test_experiment_scores_leave_what_does_not_apply_blank(quick_run) -> None:
    """The random walk's out-of-sample R2 (zero by definition) and directional accuracy (its
    zero forecast has no sign) are blank in the scores table, not numbers that look like
    scores; every other model has both."""
    for ticker in QUICK_TICKERS:
        executed = nbformat.read(quick_run.run_dir / ticker / EXPERIMENT_NOTEBOOK, as_version=4)
        by_label = {c.metadata["label"]: c for c in executed.cells if "label" in c.metadata}
        scores = _latex(by_label["tab:scores"])
        random_walk = _row(scores, "Random walk")
        assert random_walk[1] == NA and random_walk[3] == NA, random_walk  # R2, DA
        assert random_walk[2] != NA  # its MASE is a score
        assert _row(scores, "ARIMA")[1] != NA and _row(scores, "ARIMA")[3] != NA
        figure = [o for o in _outputs(by_label["fig:accuracy-wealth"]) if "image/png" in o.data]
        assert len(figure) == 1  # one figure: rolling accuracy and wealth side by side
        figures = sorted(p.name for p in (quick_run.run_dir / ticker / "figures").iterdir())
        assert figures == ["accuracy_wealth.pdf", "accuracy_wealth.png"]


@pytest.mark.slow
def test_comparison_notebook_outputs(quick_run) -> None:
    executed = nbformat.read(quick_run.run_dir / COMPARISON_NOTEBOOK, as_version=4)
    by_label = {c.metadata["label"]: c for c in executed.cells if "label" in c.metadata}
    heatmap = by_label["fig:cw-heatmap"]
    assert any("image/png" in o.get("data", {}) for o in _outputs(heatmap))
    assert "tab:ranking" not in by_label  # no ranking of indistinguishable models
    theil = _latex(by_label["tab:theil-u2"])
    assert r"\toprule" in theil and all(t in theil for t in QUICK_TICKERS)
    assert "Random walk" not in theil  # U2 = 1 by construction: not a result
    assert "Random walk" not in _latex(by_label["tab:direction"])  # no sign, no direction
    text = json.dumps([_outputs(c) for c in executed.cells])
    assert "The comparison covers two instruments (KO and XOM)" in text
    assert "tab:pooled-cw" in by_label and "tab:spa" in by_label


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_typed_and_documented(notebook) -> None:
    """``papermill --help-notebook`` shows a type for every parameter (and help for 03, 04)."""
    parameters = papermill.inspect_notebook(str(notebook))
    for name, info in parameters.items():
        assert info["inferred_type_name"] in ("str", "int", "float", "bool"), (notebook, name)
        if notebook.name in (EXPERIMENT_NOTEBOOK, COMPARISON_NOTEBOOK):  # run by users directly
            assert info["help"], f"{notebook.name}: parameter {name!r} has no comment"
    if notebook.name == EXPERIMENT_NOTEBOOK:
        assert set(RUNNER_PARAMETERS) <= set(parameters)
    if notebook.name == COMPARISON_NOTEBOOK:
        assert parameters["run_dir"]["default"] == '""'


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_captions_and_labels(notebook) -> None:
    cells = nbformat.read(notebook, as_version=4).cells
    labels = [c.metadata["label"] for c in cells if "label" in c.metadata]
    assert len(labels) == len(set(labels)), f"{notebook.name}: duplicate labels"
    for cell in cells:
        if "label" in cell.metadata:
            assert LABEL.match(cell.metadata["label"]), cell.metadata["label"]
            assert cell.metadata.get("caption"), f"{cell.metadata['label']} has no caption"


def test_comparison_cells_are_tagged() -> None:
    cells = nbformat.read(ROOT / "notebooks" / COMPARISON_NOTEBOOK, as_version=4).cells
    hidden = {"hide-input", "remove-cell", "remove-input"}
    for index, cell in enumerate(cells):
        if cell.cell_type == "code":
            assert hidden & set(cell.metadata.get("tags", [])), f"cell {index} is not tagged"
