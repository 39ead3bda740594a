"""The generated parts of the thesis, rendered from Jinja2 templates in ``report/templates/generated``.

``meta.tex`` (title page and run macros: the abstract's summary of the results and the design
numbers of :mod:`lstmgru.report.design` that the methodology quotes), ``body.tex`` (the chapters
in reading order), ``findings.tex`` (the results section of the conclusion), ``discussion.tex``
(the power and sample numbers of the discussion); ``appendix.tex`` (the reproducibility record)
is :mod:`lstmgru.report.appendix`'s. The findings are :mod:`lstmgru.findings`'s, the same
the results chapter states; this module only lays them out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import yaml

from lstmgru import findings
from lstmgru.report import design, tables
from lstmgru.report.markdown import latex_escape, markdown_to_latex
from lstmgru.report.paths import REPO_ROOT, REPORT_DIR, TEMPLATE_DIR, RunNotebooks

__all__ = [
    "discussion_latex",
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


def _macro_name(key: str) -> str:
    if not re.fullmatch(r"[A-Za-z]+", key):
        raise ValueError(f"macro name {key!r} must be letters only")
    return "Run" + key


def _design_value(key: str, value: str | None) -> str:
    """A design value as LaTeX: a dash when missing, dates kept on one line."""
    if not value:
        return "--"
    text = latex_escape(value)
    return rf"\mbox{{{text}}}" if key.endswith(("Day", "Date")) else text


def meta_latex(
    meta: Mapping[str, Any],
    notebooks: RunNotebooks,
    summary: str,
    found: findings.RunFindings | None = None,
) -> str:
    """``generated/meta.tex``: title-page fields and run macros; ``summary`` is LaTeX.

    Besides the title page, every value of :func:`lstmgru.report.design.run_design` becomes a
    macro ``\\Run<Name>`` (a dash where the run does not define it), so the static chapters
    quote the run's numbers without typing them.
    """
    record = notebooks.run.record
    keywords = meta.get("keywords") or []
    parameters = design.comparison_parameters(notebooks.comparison)
    values = design.run_design(notebooks, found, parameters)
    return render(
        "meta",
        meta=meta,
        keywords=[keywords] if isinstance(keywords, str) else [str(k) for k in keywords],
        run_id=notebooks.run_id,
        profile=record.get("profile") or "unknown",
        source=record.get("source") or "unknown",
        summary=summary,
        design=[(_macro_name(k), _design_value(k, v)) for k, v in sorted(values.items())],
    )


# ----------------------------------------------------------------------------------------------
# Findings
# ----------------------------------------------------------------------------------------------


def run_findings(notebooks: RunNotebooks) -> findings.RunFindings | None:
    """The findings of the run (:func:`lstmgru.findings.collect_findings`), ``None`` without results.

    The level of the tests is the results chapter's (its ``alpha`` parameter), so the
    conclusion states the verdicts that chapter states.
    """
    if not notebooks.run.results:
        return None
    parameters = design.comparison_parameters(notebooks.comparison)
    alpha = float(parameters.get("alpha", design.DEFAULT_ALPHA))
    return findings.collect_findings(notebooks.run.results, alpha, unfinished=notebooks.missing)


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
        detail = f" (networks trained for at most {design.count(epochs, 'epoch', digits=True)}"
        detail += f" with {design.count(len(seeds), 'seed')})" if seeds else ")"
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
    "outside_mcs": "Outside MCS",
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
            "with its Holm-adjusted Pesaran–Timmermann $p$-value; the models outside the "
            f"{100 * found.mcs_level:.0f} % model confidence set (none: every model is in "
            "it). A dash marks a test that is undefined or not applicable."
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
# Discussion
# ----------------------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{100 * value:.1f}\\,\\%"


def discussion_latex(notebooks: RunNotebooks, found: findings.RunFindings | None) -> str:
    """``generated/discussion.tex``: the sample and power numbers the discussion rests on.

    The median minimum detectable out-of-sample :math:`R^2` over models and instruments, its
    pooled counterpart, the largest out-of-sample :math:`R^2` observed and the number of
    comparisons against the random walk, all from ``found``; without findings, one sentence
    saying that the run has no scores.
    """
    if found is None:
        return render("discussion", found=False)
    others = [m for m in found.models if m != findings.BENCHMARK]
    mde = [
        t.mde_r2_oos[m]
        for t in found.tickers
        for m in t.models
        if m in others and math.isfinite(t.mde_r2_oos.get(m, math.nan))
    ]
    observed = [
        (t.r2_oos[m], m, t.ticker)
        for t in found.tickers
        for m in t.models
        if m in others and math.isfinite(t.r2_oos.get(m, math.nan))
    ]
    pooled = (
        found.pooled["pooled_mde_r2_oos"].dropna()
        if len(found.tickers) > 1 and "pooled_mde_r2_oos" in found.pooled
        else []
    )
    best = max(observed) if observed else None
    reach = sum(1 for value, _, _ in observed if mde and value >= float(np.median(mde)))
    days = sorted({t.test_days for t in found.tickers if t.test_days})
    return render(
        "discussion",
        found=True,
        instruments=design.count(len(found.tickers), "instrument"),
        days=design.join([str(d) for d in days], "or") if days else None,
        pairs=design.count(found.pairs(others), "model–instrument comparison"),
        mde=_pct(float(np.median(mde))) if mde else None,
        pooled_mde=_pct(float(np.median(pooled))) if len(pooled) else None,
        best=(
            (_pct(best[0]), latex_escape(findings.display_name(best[1])), latex_escape(best[2]))
            if best
            else None
        ),
        reach=design.count(reach, "comparison") if mde else None,
        power=f"{100 * found.power:.0f}\\,\\%",
        alpha=f"{100 * found.alpha:g}\\,\\%",
    )
