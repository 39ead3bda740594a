"""Verdicts, display names and conclusions of a run, as data computed once.

The comparison notebook (``04_comparison``) and the PDF report render the same
:class:`RunFindings`: the notebook displays :func:`conclusion_sentences`, the report converts the
same Markdown sentences and puts :func:`summary_sentence` in the abstract.

Verdicts (level ``alpha``; the evidence of :func:`lstmgru.comparison.gather_evidence`)
--------------------------------------------------------------------------------------
* A model *beats* the random walk on an instrument when its one-sided Clark-West p-value on
  squared log-return errors, Holm-adjusted over every (instrument, model) pair, is below
  ``alpha``; the random walk is nested in every model, so this is the test of an
  out-of-sample R² above zero. The same against the drift forecast.
* Pooled across instruments, a model beats the random walk when its pooled Clark-West p-value,
  Holm-adjusted over the models, is below ``alpha``.
* The hybrid is *more* (*less*) accurate than a rival when the two-sided DM-HLN p-value on
  squared log-return errors, Holm-adjusted over rivals × instruments, is below ``alpha`` and its
  statistic is negative (positive); pooled likewise with the pooled DM test.
* Hansen's SPA rejects "no model beats the random walk" on an instrument when its p-value,
  Holm-adjusted over instruments, is below ``alpha``.
* A model has *directional skill* when its Holm-adjusted Pesaran-Timmermann p-value is below
  ``alpha`` and its directional accuracy is above one half.
* An undefined statistic is NaN; an MCS that was not applicable leaves ``in_mcs`` missing
  (``None`` here) and the text says so.
"""

from __future__ import annotations

from lstmgru.findings.prose import conclusion_sentences, summary_sentence
from lstmgru.findings.verdicts import (
    ARIMA,
    BENCHMARK,
    HYBRID,
    RunFindings,
    TickerFindings,
    collect_findings,
    findings_frame,
)
from lstmgru.names import COLUMN_NAMES, DISPLAY_NAMES, LABELS, METRIC_NAMES, display_name

__all__ = [
    "ARIMA",
    "BENCHMARK",
    "COLUMN_NAMES",
    "DISPLAY_NAMES",
    "HYBRID",
    "LABELS",
    "METRIC_NAMES",
    "RunFindings",
    "TickerFindings",
    "collect_findings",
    "conclusion_sentences",
    "display_name",
    "findings_frame",
    "summary_sentence",
]
