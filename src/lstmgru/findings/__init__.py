"""Verdicts, display names and conclusions of a run, as data computed once.

The comparison notebook (``04_comparison``) and the PDF report render the same
:class:`RunFindings`: the notebook displays :func:`conclusion_sentences`, the report converts the
same Markdown sentences and puts :func:`summary_sentence` in the abstract.

Verdicts (level ``alpha``, two-sided tests stored by :func:`lstmgru.evaluation.comparison_table`)
---------------------------------------------------------------------------------------------------
* A model is *better* than the random walk on an instrument when its Theil's U2 is below 1 and
  the Diebold-Mariano p-value against the random walk is below ``alpha``; *worse* when U2 is
  above 1 and the p-value is below ``alpha``; otherwise (an undefined test included) there is
  no significant difference.
* Against ARIMA the same, with the DM p-value against ARIMA and the two models' U2 compared.
* A model has *directional skill* when its Pesaran-Timmermann p-value is below ``alpha`` and its
  directional accuracy is above one half.
* An undefined statistic is NaN; an MCS that was not applicable leaves ``in_mcs`` missing
  (``None`` here) and the text says so.
"""

from __future__ import annotations

from lstmgru.findings.prose import conclusion_sentences, summary_sentence
from lstmgru.findings.verdicts import (
    ARIMA,
    BENCHMARK,
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
