"""The chapter's tables and the data of its figure, from a fitted ladder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from lstmgru.leakage.scores import SCORE_COLUMNS

if TYPE_CHECKING:
    from lstmgru.leakage.fitting import LadderResult

__all__ = [
    "SUMMARY_NAMES",
    "display_inflation",
    "display_summary",
    "inflation_table",
    "published_forecasts",
    "setup_table",
    "summary_table",
    "u2_frame",
]


def setup_table(result: LadderResult) -> pd.DataFrame:
    """One row per setup as published: data, span, split, network and training."""
    table = {}
    for (name, position), setup in result.setups.items():
        if position != 1:
            continue
        prepared = result.prepared[(name, position)]
        close = prepared.close
        table[name] = {
            "instrument": f"{setup.ticker} close",
            "span": f"{close.index[0].date()} to {close.index[-1].date()}",
            "rows": len(close),
            "training windows": len(prepared.y_train),
            "test days": len(prepared.test_dates),
            "test span": (f"{prepared.test_dates[0].date()} to {prepared.test_dates[-1].date()}"),
            "network": f"{setup.network}, dropout {setup.dropout:g}, Dense(1)",
            "training": (
                f"Adam({setup.learning_rate:g}), MSE, batch {setup.batch_size}, "
                f"{setup.epochs} epochs"
            ),
        }
    return pd.DataFrame(table).T.rename_axis("setup")


def summary_table(result: LadderResult, alpha: float = 0.05) -> pd.DataFrame:
    """Mean and standard deviation over seeds of every score, per setup and row.

    Rows are indexed ``(setup, row)``; row 0 is the random walk (no seeds, no spread). Columns:
    ``step`` (what the row is), ``key`` (the step's key in :data:`STEPS`), ``changed``, then ``<score>`` and ``<score>_std`` for
    :data:`SCORE_COLUMNS`, ``seeds``, ``dm_better`` and ``dm_worse`` (seeds whose DM-HLN test
    at level ``alpha`` finds the row better, or worse, than the random walk) and
    ``selected_epoch`` (mean best epoch; NaN without selection).
    """
    scores = result.scores.assign(
        dm_better=lambda f: (f["dm_pvalue"] < alpha) & (f["dm_statistic"] < 0),
        dm_worse=lambda f: (f["dm_pvalue"] < alpha) & (f["dm_statistic"] > 0),
    )
    grouped = scores.groupby(["setup", "row"])
    mean = grouped[list(SCORE_COLUMNS)].mean()
    std = grouped[list(SCORE_COLUMNS)].std(ddof=1).add_suffix("_std")
    out = mean.join(std)
    out["seeds"] = grouped["seed"].count()
    out["dm_better"] = grouped["dm_better"].sum()
    out["dm_worse"] = grouped["dm_worse"].sum()
    if "best_epoch" in scores:
        out["selected_epoch"] = grouped["best_epoch"].mean()
    labels = result.rows.set_index(["setup", "row"])
    out["step"] = labels["label"].reindex(out.index)
    out["key"] = labels["step"].reindex(out.index)
    out["changed"] = labels["changed"].reindex(out.index)
    for name in out.index.get_level_values("setup").unique():
        out.loc[(name, 0), "step"] = "random walk"
        out.loc[(name, 0), ["key", "changed"]] = ""
    first = ["step", "key", "changed"]
    return out[first + [c for c in out.columns if c not in first]]


def inflation_table(summary: pd.DataFrame) -> pd.DataFrame:
    """How much each step changes the seed-mean scores, per setup (after minus before).

    A positive change of Theil's U2 or of the RMSE means the row before looked better: the
    repaired leak had flattered it by that much.
    """
    records = []
    for name in summary.index.get_level_values("setup").unique():
        part = summary.loc[name].drop(index=0, errors="ignore").sort_index()
        for before, after in zip(part.index[:-1], part.index[1:], strict=True):
            records.append(
                {
                    "setup": name,
                    "row": after,
                    "step": part.loc[after, "step"],
                    "delta_rmse": part.loc[after, "rmse"] - part.loc[before, "rmse"],
                    "delta_theil_u2": part.loc[after, "theil_u2"] - part.loc[before, "theil_u2"],
                    "delta_correlation": part.loc[after, "correlation"]
                    - part.loc[before, "correlation"],
                    "delta_directional_accuracy": part.loc[after, "directional_accuracy"]
                    - part.loc[before, "directional_accuracy"],
                }
            )
    return pd.DataFrame(records).set_index(["setup", "row"])


#: Display names of the summary's columns.
SUMMARY_NAMES = {
    "step": "repair",
    "changed": "changed setting",
    "rmse": "RMSE",
    "rmse_std": "RMSE sd",
    "theil_u2": "U2",
    "theil_u2_std": "U2 sd",
    "correlation": "corr.",
    "directional_accuracy": "direction",
    "dm_statistic": "DM stat.",
    "dm_pvalue": "DM p-value",
    "dm_better": "DM better",
    "dm_worse": "DM worse",
    "selected_epoch": "epoch kept",
}


def display_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with the columns the chapter shows, under readable names."""
    columns = [c for c in SUMMARY_NAMES if c in summary.columns]
    return summary[columns].rename(columns=SUMMARY_NAMES)


def display_inflation(table: pd.DataFrame) -> pd.DataFrame:
    """The inflation table under readable names."""
    return table.rename(
        columns={
            "step": "repair",
            "delta_rmse": "change of RMSE",
            "delta_theil_u2": "change of U2",
            "delta_correlation": "change of corr.",
            "delta_directional_accuracy": "change of direction",
        }
    )


def published_forecasts(result: LadderResult) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Per setup, the actual close and row 1's forecast with the first seed (for the figure)."""
    out = {}
    for name in result.rows["setup"].unique():
        seed = min(s for (n, r, s) in result.forecasts if n == name and r == 1)
        prepared = result.prepared[(name, 1)]
        out[str(name)] = (prepared.actual, result.forecasts[(name, 1, seed)])
    return out


def u2_frame(result: LadderResult) -> pd.DataFrame:
    """Theil's U2 per setup and row over seeds: ``setup, row, label, mean, std``."""
    scores = result.scores[result.scores["row"] > 0]
    grouped = scores.groupby(["setup", "row"])["theil_u2"]
    frame = pd.DataFrame({"mean": grouped.mean(), "std": grouped.std(ddof=1)}).reset_index()
    labels = result.rows.set_index(["setup", "row"])["label"]
    frame["label"] = [labels[(s, r)] for s, r in zip(frame["setup"], frame["row"], strict=True)]
    return frame
