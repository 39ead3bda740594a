"""Display names of the models and of the result columns, and how each column is printed.

Re-exported by :mod:`lstmgru.findings`. :func:`lstmgru.report.tables.show` applies :data:`LABELS`
(display names) and :data:`COLUMN_FORMATS` (number format, best direction, significance stars) by
default; a notebook's own ``names=`` / ``formats=`` / ``best=`` take precedence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lstmgru.config import MODEL_NAMES

__all__ = [
    "COLUMN_FORMATS",
    "COLUMN_NAMES",
    "DISPLAY_NAMES",
    "LABELS",
    "METRIC_NAMES",
    "ColumnFormat",
    "display_name",
]

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
        "annual_return": "Return (p.a.)",
        "annual_volatility": "Volatility (p.a.)",
        "sharpe": "Sharpe (p.a.)",
        "max_drawdown": "Max drawdown",
        "turnover_per_year": "Turnover (p.a.)",
        "total_return": "Total return",
        "break_even_bps": "Break-even (bp)",
        "sharpe_difference": "Sharpe diff.",
        "pvalue": "LW p",
        "pvalue_holm": "LW p (Holm)",
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
        "forward_filled": "Forward-filled closes",
        "time_zone": "Time zone",
        "suspicious_jumps": "Suspicious jumps (dates)",
        "suspicious_jumps_total": "Suspicious jumps",
        "non_daily": "Intraday times",
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
        "rule": "Rule",
        "role": "Role",
        "n_days": "Days",
        "statistic": "Statistic",
        "fold": "Fold",
        "span": "Span",
        "train": "Training",
        "validation": "Validation",
        "test": "Test",
        "setup": "Setup",
        "correlation_with_actual": "Correlation with actual",
        "dm_better": "DM better",
        "dm_worse": "DM worse",
        "selected_epoch": "Epoch kept",
        "parameter": "Parameter",
        "description": "Description",
        "key": "Item",
        "series": "Series",
        "buy_and_hold": "Buy and hold",
        "long_flat": "Long/flat",
        "long_short": "Long/short",
        "always_long": "Always long",
    }
)


@dataclass(frozen=True)
class ColumnFormat:
    """How a result column is printed in a table (:func:`lstmgru.report.tables.show`).

    Attributes
    ----------
    kind : str
        ``"number"`` (fixed decimals; a column of small values is scaled by a power of ten, named
        in the header), ``"pvalue"`` (three decimals, ``<0.001``), ``"statistic"`` (two
        decimals), ``"percent"`` (a fraction printed as per cent, ``%`` in the header),
        ``"count"`` (integer with thousands separators) or ``"ratio"`` (fixed decimals, never
        scaled: Theil's U₂, MASE, shares).
    digits : int, optional
        Decimals; ``None``: the table's ``digits`` (numbers, ratios) or the kind's default.
    better : str, optional
        ``"lower"`` or ``"higher"``: which value of the column is best (printed in bold).
    stars : bool
        Significance stars on a p-value (10 %, 5 %, 1 %).
    """

    kind: str = "number"
    digits: int | None = None
    better: str | None = None
    stars: bool = False


_P = ColumnFormat("pvalue", stars=True)
_STAT = ColumnFormat("statistic")
_LOWER = ColumnFormat("number", better="lower")
_HIGHER_SHARE = ColumnFormat("ratio", 3, better="higher")

#: Format of every result column (keys as in :data:`METRIC_NAMES` and :data:`COLUMN_NAMES`).
COLUMN_FORMATS: Mapping[str, ColumnFormat] = MappingProxyType(
    {
        "rmse": _LOWER,
        "mae": _LOWER,
        "mape": ColumnFormat("number", 3, better="lower"),
        "smape": ColumnFormat("number", 3, better="lower"),
        "mase": ColumnFormat("ratio", better="lower"),
        "mase_scale": ColumnFormat("number"),
        "mse_return": _LOWER,
        "theil_u2": ColumnFormat("ratio", better="lower"),
        "directional_accuracy": _HIGHER_SHARE,
        "rmse_return": _LOWER,
        "mae_return": _LOWER,
        "r2_oos": ColumnFormat("percent", 3, better="higher"),
        "dm_pvalue_vs_random_walk": _P,
        "cw_statistic_vs_random_walk": _STAT,
        "cw_pvalue_vs_random_walk": _P,
        "cw_holm_vs_random_walk": _P,
        "cw_pvalue_vs_drift": _P,
        "cw_holm_vs_drift": _P,
        "dm_statistic_vs_hybrid": _STAT,
        "dm_pvalue_vs_hybrid": _P,
        "dm_holm_vs_hybrid": _P,
        "base_rate": ColumnFormat("ratio", 3),
        "up_pvalue": _P,
        "up_holm": _P,
        "pt_pvalue": _P,
        "pt_holm": _P,
        "mcs_pvalue": ColumnFormat("pvalue"),
        "mde_r2_oos": ColumnFormat("percent", 3),
        "mde_relative_mse": ColumnFormat("ratio", 4),
        "pooled_r2_oos": ColumnFormat("percent", 3, better="higher"),
        "pooled_cw_statistic": _STAT,
        "pooled_cw_pvalue": _P,
        "pooled_cw_holm": _P,
        "pooled_mde_r2_oos": ColumnFormat("percent", 3),
        "mean_loss_differential": ColumnFormat("number"),
        "pooled_dm_statistic": _STAT,
        "pooled_dm_pvalue": _P,
        "pooled_dm_holm": _P,
        "spa_pvalue": _P,
        "spa_holm": _P,
        "spa_pvalue_lower": _P,
        "spa_pvalue_upper": _P,
        "annual_return": ColumnFormat("percent", 2, better="higher"),
        "annual_volatility": ColumnFormat("percent", 2),
        "sharpe": ColumnFormat("ratio", 2, better="higher"),
        "max_drawdown": ColumnFormat("percent", 2),
        "turnover_per_year": ColumnFormat("ratio", 1),
        "total_return": ColumnFormat("percent", 2, better="higher"),
        "break_even_bps": ColumnFormat("ratio", 1),
        "sharpe_difference": ColumnFormat("ratio", 2),
        "pvalue": _P,
        "pvalue_holm": _P,
        "rows": ColumnFormat("count"),
        "test_days": ColumnFormat("count"),
        "days": ColumnFormat("count"),
        "n_days": ColumnFormat("count"),
        "models": ColumnFormat("count"),
        "n_seeds": ColumnFormat("count"),
        "first_places": ColumnFormat("count"),
        "mean_rank": ColumnFormat("ratio", 2, better="lower"),
        "correlation_with_actual": ColumnFormat("ratio", 4),
        "dm_better": ColumnFormat("count"),
        "dm_worse": ColumnFormat("count"),
        "selected_epoch": ColumnFormat("ratio", 1),
    }
)

#: Every display name above in one mapping: ``show(..., names=LABELS)``.
LABELS: Mapping[str, str] = MappingProxyType({**COLUMN_NAMES, **METRIC_NAMES, **DISPLAY_NAMES})


def display_name(model: str) -> str:
    """Display name of a model (an unknown name is returned unchanged)."""
    return DISPLAY_NAMES.get(model, model)
