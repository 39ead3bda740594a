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
        "mase": "MASE (return)",
        "mase_scale": "MASE scale",
        "mse_return": "MSE (return)",
        "theil_u2": "Theil's U₂",
        "directional_accuracy": "DA (share)",
        "rmse_return": "RMSE (return)",
        "mae_return": "MAE (return)",
        "r2_oos": "R²(OOS)",
        "dm_pvalue_vs_random_walk": "DM p",
        "cw_statistic_vs_random_walk": "CW stat",
        "cw_pvalue_vs_random_walk": "CW p",
        "cw_holm_vs_random_walk": "CW p (Holm)",
        "cw_pvalue_vs_drift": "CW p vs drift",
        "cw_holm_vs_drift": "CW p vs drift (Holm)",
        "dm_statistic_vs_hybrid": "DM stat (LSTM–GRU − rival)",
        "dm_pvalue_vs_hybrid": "DM p",
        "dm_holm_vs_hybrid": "DM p (Holm)",
        "hybrid_loss": "LSTM–GRU loss",
        "base_rate": "Always-up rate",
        "up_pvalue": "p vs always-up",
        "up_holm": "p vs always-up (Holm)",
        "pt_pvalue": "PT p",
        "pt_holm": "PT p (Holm)",
        "mcs_pvalue": "MCS p",
        "in_mcs": "In MCS",
        "mde_r2_oos": "MDE R²(OOS)",
        "mde_relative_mse": "MDE rel. MSE",
        "pooled_r2_oos": "Pooled R²(OOS)",
        "pooled_cw_statistic": "Pooled CW stat",
        "pooled_cw_pvalue": "Pooled CW p",
        "pooled_cw_holm": "Pooled CW p (Holm)",
        "pooled_mde_r2_oos": "Pooled MDE R²(OOS)",
        "mean_loss_differential": "Mean loss diff.",
        "pooled_dm_statistic": "Pooled DM stat",
        "pooled_dm_pvalue": "Pooled DM p",
        "pooled_dm_holm": "Pooled DM p (Holm)",
        "spa_pvalue": "SPA p",
        "spa_holm": "SPA p (Holm)",
        "spa_pvalue_lower": "SPA p (lower)",
        "spa_pvalue_upper": "SPA p (upper)",
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
        "days": "Days",
        "models": "Models",
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
