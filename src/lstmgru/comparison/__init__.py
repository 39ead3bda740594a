"""Cross-ticker comparison: the tables and the statistical evidence of ``04_comparison``.

* :mod:`~lstmgru.comparison.tables` -- models × tickers tables of stored metrics, seeds,
  membership counts;
* :mod:`~lstmgru.comparison.evidence` -- every instrument's tests recomputed from its stored
  forecasts on log returns, one long frame, Holm-adjusted over instruments × models;
* :mod:`~lstmgru.comparison.pooled` -- pooled Clark-West and DM tests across instruments,
  Hansen's SPA, pooled minimum detectable effects;
* :mod:`~lstmgru.comparison.economic` -- trading strategies from the forecasts, net of costs,
  per instrument and pooled;
* :mod:`~lstmgru.comparison.collect` -- all of it at once: :func:`gather_evidence`.
"""

from __future__ import annotations

from lstmgru.comparison.collect import Evidence, gather_evidence
from lstmgru.comparison.economic import (
    COST_BPS,
    pooled_strategy_table,
    strategy_metric_table,
    strategy_tables,
    wealth_paths,
)
from lstmgru.comparison.evidence import (
    DRIFT,
    HOLM_FAMILIES,
    HYBRID,
    SEED_MARK,
    add_holm,
    collect_evidence,
    instrument_returns,
    instrument_table,
    model_forecasts,
    return_errors,
)
from lstmgru.comparison.pooled import (
    POOLED,
    error_panels,
    pooled_hybrid_tests,
    pooled_random_walk_tests,
    spa_table,
)
from lstmgru.comparison.tables import (
    BENCHMARK,
    collect_metrics,
    collect_seed_scores,
    family_table,
    hybrid_table,
    mcs_summary,
    mcs_table,
    metric_table,
    model_ranking,
    pvalue_table,
    seed_summary,
    seed_table,
    significance_counts,
    ticker_overview,
)

__all__ = [
    "BENCHMARK",
    "COST_BPS",
    "DRIFT",
    "HOLM_FAMILIES",
    "HYBRID",
    "POOLED",
    "SEED_MARK",
    "Evidence",
    "add_holm",
    "collect_evidence",
    "collect_metrics",
    "collect_seed_scores",
    "error_panels",
    "family_table",
    "gather_evidence",
    "hybrid_table",
    "instrument_returns",
    "instrument_table",
    "mcs_summary",
    "mcs_table",
    "metric_table",
    "model_forecasts",
    "model_ranking",
    "pooled_hybrid_tests",
    "pooled_random_walk_tests",
    "pooled_strategy_table",
    "pvalue_table",
    "return_errors",
    "seed_summary",
    "seed_table",
    "significance_counts",
    "spa_table",
    "strategy_metric_table",
    "strategy_tables",
    "ticker_overview",
    "wealth_paths",
]
