"""The generated parts of the thesis, rendered from Jinja2 templates in ``report/templates/generated``.

``meta.tex`` (title page and run macros, the abstract's summary of the results), ``body.tex`` (the
chapters), ``findings.tex`` (the results section of the conclusion) and ``appendix.tex`` (the
reproducibility record). The findings are :mod:`lstmgru.findings`'s, the same the comparison
notebook states; this module only lays them out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import yaml

from lstmgru import findings
from lstmgru.report import tables
from lstmgru.report.markdown import latex_escape, markdown_to_latex
from lstmgru.report.paths import REPO_ROOT, REPORT_DIR, TEMPLATE_DIR, RunNotebooks

__all__ = [
    "appendix_latex",
    "environment",
    "findings_latex",
    "load_metadata",
    "meta_latex",
    "render",
    "run_findings",
    "summary_latex",
]


def _latex(value: object) -> str:
    """Jinja filter: ``value`` as LaTeX text; nothing for a missing or empty value."""
    return latex_escape(value) if value else ""


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the generated chapters (nbconvert's LaTeX delimiters)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR / "generated"),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        trim_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.ChainableUndefined,
    )
    env.filters["latex"] = _latex
    return env


def render(name: str, **context: Any) -> str:
    """Render ``report/templates/generated/<name>.tex.j2``."""
    text = environment().get_template(f"{name}.tex.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text)


def load_metadata(path: Path = REPORT_DIR / "metadata.yml") -> dict[str, Any]:
    """Title-page fields from ``report/metadata.yml``, completed from ``pyproject.toml``."""
    meta: dict[str, Any] = {}
    if path.is_file():
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(meta, dict):
            raise ValueError(f"{path} must be a mapping of fields (title, author, ...)")
    project: dict[str, Any] = {}
    pyproject = REPO_ROOT / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    if not meta.get("title"):
        meta["title"] = project.get("description") or project.get("name") or "Report"
    if not meta.get("author"):
        authors = project.get("authors") or []
        meta["author"] = ", ".join(a.get("name", "") for a in authors if a.get("name")) or ""
    if not meta.get("date"):
        today = dt.date.today()
        meta["date"] = f"{today.day} {today:%B %Y}"
    meta.setdefault("chapters", {})
    return meta


def meta_latex(meta: Mapping[str, Any], notebooks: RunNotebooks, summary: str) -> str:
    """``generated/meta.tex``: title-page fields and run macros; ``summary`` is LaTeX."""
    record = notebooks.run.record
    keywords = meta.get("keywords") or []
    return render(
        "meta",
        meta=meta,
        keywords=[keywords] if isinstance(keywords, str) else [str(k) for k in keywords],
        run_id=notebooks.run_id,
        profile=record.get("profile") or "unknown",
        source=record.get("source") or "unknown",
        summary=summary,
    )


# ----------------------------------------------------------------------------------------------
# Findings
# ----------------------------------------------------------------------------------------------


def run_findings(notebooks: RunNotebooks) -> findings.RunFindings | None:
    """The findings of the run (:func:`lstmgru.findings.collect_findings`), ``None`` without results."""
    if not notebooks.run.results:
        return None
    return findings.collect_findings(notebooks.run.results, unfinished=notebooks.missing)


def _profile_note(notebooks: RunNotebooks) -> str:
    """A warning that a quick-profile run is a smoke test, not evidence (LaTeX)."""
    if notebooks.run.record.get("profile") != "quick":
        return ""
    config = next(
        (r.record.get("config") for r in notebooks.run.results.values() if r.record.get("config")),
        {},
    )
    epochs = (config.get("model") or {}).get("epochs")
    seeds = config.get("seeds") or []
    detail = ""
    if epochs:
        detail = f" (networks trained for at most {epochs} epoch{'s' if epochs != 1 else ''}"
        detail += f" with {len(seeds)} seed{'s' if len(seeds) != 1 else ''})" if seeds else ")"
    return (
        f"This run used the quick profile{detail}, which checks that the whole pipeline works; "
        "its numbers are not evidence for or against any model."
    )


def summary_latex(notebooks: RunNotebooks, found: findings.RunFindings | None) -> str:
    """The abstract's statement of the run's results (LaTeX)."""
    if found is None:
        return (
            f"The run reported here (\\texttt{{{latex_escape(notebooks.run_id)}}}) produced no "
            "scores, so this document states no result."
        )
    note = _profile_note(notebooks)
    return markdown_to_latex(findings.summary_sentence(found)) + (" " + note if note else "")


#: Short headers of table ``tab:findings`` (ten columns on the text width).
_FINDINGS_COLUMNS = {
    "ticker": "Ticker",
    "test_days": "Days",
    "model": "Best MSE",
    "r2_oos": "R²(OOS)",
    "cw_holm_vs_random_walk": "CW p",
    "mde_r2_oos": "MDE",
    "direction": "Best DA",
    "directional_accuracy": "DA",
    "pt_holm": "PT p",
    "in_mcs": "Model confidence set",
}


def findings_latex(notebooks: RunNotebooks, found: findings.RunFindings | None) -> str:
    """``generated/findings.tex``: the conclusion's results section and table ``tab:findings``."""
    if found is None:
        return render("findings", sentences="")
    table = tables.latex_table(
        findings.findings_frame(found),
        caption=(
            "Best model per instrument and its tests on daily log returns: lowest mean squared "
            "log-return error with its out-of-sample $R^2$ against the random walk, the "
            "one-sided Clark–West $p$-value of that comparison (Holm-adjusted over instruments "
            "and models) and the smallest out-of-sample $R^2$ its test detects at "
            f"{100 * found.power:.0f} % power (MDE); highest directional accuracy (DA) "
            "with its Holm-adjusted Pesaran–Timmermann $p$-value; models in the model "
            "confidence set. A dash marks a test that is undefined or not applicable."
        ),
        short_caption="Best model per instrument and its tests.",
        label="tab:findings",
        names={**findings.LABELS, **_FINDINGS_COLUMNS},
    )
    return render(
        "findings",
        sentences=markdown_to_latex(" ".join(findings.conclusion_sentences(found))),
        mcs_percent=f"{100 * found.mcs_level:.0f}",
        profile_note=_profile_note(notebooks),
        table=table,
    )


# ----------------------------------------------------------------------------------------------
# Appendix
# ----------------------------------------------------------------------------------------------


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, Mapping):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return {prefix: ", ".join(str(v) for v in value)}
        flat = {}
        for i, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{i}]"))
        return flat
    if value is None:
        return {prefix: "--"}
    if isinstance(value, float):
        return {prefix: f"{value:.6g}"}
    return {prefix: str(value)}


def _tt(text: object) -> str:
    return r"\texttt{" + latex_escape(text) + "}"


def _breakable_tt(text: object) -> str:
    """Typewriter text that may break after ``/``, ``.``, ``_`` and ``,`` (paths, lists).

    ``--`` (a missing value, see :func:`_flatten`) prints as a dash, an empty string as ``""``.
    """
    if text == "--":
        return "--"
    if text == "":
        return r'\texttt{""}'
    escaped = re.sub(r"(/|\.|\\_|,)", r"\1\\allowbreak{}", latex_escape(text))
    return r"\texttt{" + escaped + "}"


def _settings(per_ticker: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Settings shared by every experiment (``common``) and those that differ, per ticker."""
    keys: list[str] = []
    for values in per_ticker.values():
        keys.extend(k for k in values if k not in keys)
    common = [k for k in keys if len({v.get(k) for v in per_ticker.values()}) == 1]
    first = next(iter(per_ticker.values()))
    return {
        "columns": [latex_escape(n) for n in per_ticker],
        "common": [(_tt(k), _breakable_tt(first[k])) for k in common],
        "differing": [
            (_tt(k), *(_breakable_tt(v.get(k, "--")) for v in per_ticker.values()))
            for k in keys
            if k not in common
        ],
    }


def _versions(notebooks: RunNotebooks) -> dict[str, Any] | None:
    versions: dict[str, dict[str, str]] = {}
    if isinstance(notebooks.run.record.get("versions"), Mapping):
        versions["run"] = {k: str(v) for k, v in notebooks.run.record["versions"].items()}
    for ticker, result in notebooks.run.results.items():
        if isinstance(result.record.get("versions"), Mapping):
            versions[ticker] = {k: str(v) for k, v in result.record["versions"].items()}
    if not versions:
        return None
    if len({json.dumps(v, sort_keys=True) for v in versions.values()}) == 1:
        merged = next(iter(versions.values()))
        return {
            "columns": ["Version"],
            "rows": [(_tt(k), _breakable_tt(v)) for k, v in merged.items()],
        }
    keys = sorted({k for v in versions.values() for k in v})
    return {
        "columns": [latex_escape(n) for n in versions],
        "rows": [
            (_tt(k), *(_breakable_tt(v.get(k, "--")) for v in versions.values())) for k in keys
        ],
    }


def _execution_rows(executed: Mapping[str, Path]) -> list[Sequence[str]]:
    rows = []
    for name, path in executed.items():
        meta = nbformat.read(path, as_version=4).metadata.get("papermill", {})
        duration = meta.get("duration")
        rows.append(
            (
                _breakable_tt(name),
                latex_escape(str(meta.get("start_time") or "--")[:19].replace("T", " ")),
                f"{duration:.1f}" if isinstance(duration, int | float) else "--",
                latex_escape(meta.get("version") or "--"),
            )
        )
    return rows


_PROVENANCE = ("source", "first_date", "last_date", "rows", "forward_filled")


def appendix_latex(notebooks: RunNotebooks) -> str:
    """The reproducibility appendix: run record, versions, provenance, configuration, notebooks."""
    run = notebooks.run
    record = {k: v for k, v in run.record.items() if k not in ("versions", "config")}
    record_rows = [(_tt(k), _breakable_tt(v)) for k, v in _flatten(record).items()]
    provenance = {t: r.record.get("provenance") or {} for t, r in run.results.items()}
    provenance = {t: p for t, p in provenance.items() if p}
    configs = {t: _flatten(r.record.get("config") or {}) for t, r in run.results.items()}
    configs = {t: c for t, c in configs.items() if c}
    return render(
        "appendix",
        record_rows=record_rows or [(_tt("run_id"), _tt(notebooks.run_id))],
        versions=_versions(notebooks),
        provenance=[
            [latex_escape(t)] + [latex_escape(p.get(k, "--")) for k in _PROVENANCE]
            for t, p in provenance.items()
        ],
        hashes=[
            (latex_escape(t), r"{\footnotesize" + _tt(p.get("sha256", "--")) + "}")
            for t, p in provenance.items()
        ],
        config=_settings(configs) if configs else None,
        execution=_execution_rows(notebooks.executed()),
    )
