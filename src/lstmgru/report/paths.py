"""Where the report's sources live, and which executed notebooks of a run it reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstmgru import runs

__all__ = [
    "COMPARISON",
    "DATA",
    "DEFAULT_FIGURES",
    "DEFAULT_OUTPUT",
    "EXPERIMENT",
    "LEAKAGE",
    "REPORT_DIR",
    "TEMPLATE_DIR",
    "THEORY",
    "RunNotebooks",
]

#: Repository root (the report's templates and prose live in ``<root>/report``).
REPO_ROOT = Path(__file__).resolve().parents[3]
#: Directory of the master document, its prose, metadata and templates.
REPORT_DIR = REPO_ROOT / "report"
#: Templates: nbconvert's ``thesis_latex`` and ``thesis_html``, Jinja2's ``generated/``.
TEMPLATE_DIR = REPORT_DIR / "templates"
#: Static files copied next to the generated ones before compiling.
STATIC_FILES = ("thesis.tex", "abstract.tex", "conclusion.tex", "references.bib")
#: Default output directory and figure directory (relative to the working directory).
DEFAULT_OUTPUT = Path("report/build")
DEFAULT_FIGURES = Path("figures")

THEORY = runs.THEORY_NOTEBOOK
DATA = runs.DATA_NOTEBOOK
EXPERIMENT = runs.EXPERIMENT_NOTEBOOK
COMPARISON = runs.COMPARISON_NOTEBOOK
LEAKAGE = runs.LEAKAGE_NOTEBOOK


@dataclass(frozen=True)
class RunNotebooks:
    """The executed notebooks of one run, beside the run as :mod:`lstmgru.runs` reads it.

    Attributes
    ----------
    run : lstmgru.runs.RunRecord
        The run record and the results of its finished tickers.
    theory, data, comparison, leakage : pathlib.Path or None
        Executed chapter notebooks, ``None`` where the run has none.
    experiments : dict of str to pathlib.Path
        Executed experiment notebook of each finished ticker, in the order of the run.
    """

    run: runs.RunRecord
    theory: Path | None
    data: Path | None
    experiments: dict[str, Path]
    comparison: Path | None
    leakage: Path | None = None

    @classmethod
    def load(cls, run_dir: str | Path) -> RunNotebooks:
        """Read the run in ``run_dir`` (:func:`lstmgru.runs.load_run`) and find its notebooks.

        Raises
        ------
        FileNotFoundError
            ``run_dir`` is not a run directory.
        ValueError
            The run holds no executed notebook at all.
        """
        run = runs.load_run(run_dir)

        def optional(path: Path) -> Path | None:
            return path if path.is_file() else None

        experiments = {
            t: run.ticker_dir(t) / EXPERIMENT
            for t in run.results
            if (run.ticker_dir(t) / EXPERIMENT).is_file()
        }
        found = cls(
            run=run,
            theory=optional(run.run_dir / THEORY),
            data=optional(run.run_dir / DATA),
            experiments=experiments,
            comparison=optional(run.run_dir / COMPARISON),
            leakage=optional(run.run_dir / LEAKAGE),
        )
        if not (
            found.theory or found.data or found.experiments or found.comparison or found.leakage
        ):
            raise ValueError(
                f"{run.run_dir} holds no executed notebook ({THEORY}, {DATA}, "
                f"<TICKER>/{EXPERIMENT}, {COMPARISON}, {LEAKAGE}); run "
                "`python -m lstmgru run ...` first"
            )
        return found

    @property
    def run_id(self) -> str:
        """The run's id (``run.json``), or the directory name."""
        return str(self.run.record.get("run_id") or self.run.run_dir.name)

    @property
    def missing(self) -> dict[str, str]:
        """Tickers of the run without an experiment to report, and why (the runner's error)."""
        status = self.run.record.get("ticker_status", {})
        missing = {
            t: str(status.get(t, {}).get("error") or why) for t, why in self.run.unfinished.items()
        }
        missing.update(
            {t: "no executed notebook" for t in self.run.results if t not in self.experiments}
        )
        return missing

    def executed(self) -> dict[str, Path]:
        """Every executed notebook, by the name the appendix gives it, in chapter order."""
        named: dict[str, Path] = {}
        for path in (self.theory, self.data):
            if path is not None:
                named[path.name] = path
        named.update({f"{t}/{p.name}": p for t, p in self.experiments.items()})
        for path in (self.comparison, self.leakage):
            if path is not None:
                named[path.name] = path
        return named
