"""Display names of the models and of the result columns, for tables, figures and text.

Re-exported by :mod:`lstmgru.findings`; notebooks pass :data:`LABELS` to
``lstmgru.report.tables.show(..., names=LABELS)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lstmgru.config import MODEL_NAMES

__all__ = ["COLUMN_NAMES", "DISPLAY_NAMES", "LABELS", "METRIC_NAMES", "display_name"]

#: Display names of the models (tables, figures, text).
DISPLAY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "random_walk": "Random walk",
        "drift": "Drift",
        "ar": "AR",
        "arima": "ARIMA",
        "lstm": "LSTM",
        "gru": "GRU",
        "lstm_gru": "LSTM–GRU",
        "gru_lstm": "GRU–LSTM",
        "lstm_gru_parallel": "LSTM‖GRU",
        "lstm_lstm": "LSTM–LSTM",
        "gru_gru": "GRU–GRU",
    }
)
if set(DISPLAY_NAMES) != set(MODEL_NAMES):  # pragma: no cover - caught by the tests
    raise ImportError("every model of lstmgru.config.MODEL_NAMES needs a display name")

#: Display names of the result columns of :func:`lstmgru.evaluation.comparison_table`, with units.
METRIC_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "rmse": "RMSE (price)",
        "mae": "MAE (price)",
        "mape": "MAPE (%)",
        "smape": "sMAPE (%)",
        "mase": "MASE",
        "theil_u2": "Theil's U₂",
        "directional_accuracy": "DA (share)",
        "rmse_return": "RMSE (return)",
        "mae_return": "MAE (return)",
        "r2_oos": "R²(OOS)",
        "dm_pvalue_vs_random_walk": "DM p",
        "dm_pvalue_vs_arima": "DM p vs ARIMA",
        "pt_pvalue": "PT p",
        "mcs_pvalue": "MCS p",
        "in_mcs": "In MCS",
    }
)

#: Display names of the other columns and index names of the notebooks' tables.
COLUMN_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "model": "Model",
        "ticker": "Instrument",
        "source": "Source",
        "tickers": "Instruments",
        "first_date": "First date",
        "last_date": "Last date",
        "first": "First date",
        "last": "Last date",
        "rows": "Rows",
        "test_days": "Test days",
        "sha256": "SHA-256",
        "better": "Better",
        "worse": "Worse",
        "not_significant": "n.s.",
        "share": "Share",
        "mean_mcs_pvalue": "Mean MCS p",
        "mean_rank": "Mean rank",
        "first_places": "First places",
        "mean": "Mean",
        "std": "Std",
        "min": "Min",
        "max": "Max",
        "n_seeds": "Seeds",
        "metric": "Metric",
        "value": "Value",
    }
)

#: Every display name above in one mapping: ``show(..., names=LABELS)``.
LABELS: Mapping[str, str] = MappingProxyType({**COLUMN_NAMES, **METRIC_NAMES, **DISPLAY_NAMES})


def display_name(model: str) -> str:
    """Display name of a model (an unknown name is returned unchanged)."""
    return DISPLAY_NAMES.get(model, model)
