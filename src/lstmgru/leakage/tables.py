"""The chapter's tables and the data of its figure, from a fitted ladder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmgru.leakage.scores import SCORE_COLUMNS
from lstmgru.words import count

if TYPE_CHECKING:
    from lstmgru.leakage.fitting import LadderResult

__all__ = [
    "SUMMARY_NAMES",
    "SUMMARY_PARTS",
    "display_inflation",
    "display_summary",
    "inflation_table",
    "published_forecasts",
    "setup_table",
    "summary_table",
    "u2_frame",
]


def setup_table(result: LadderResult) -> pd.DataFrame:
    """The setups as published, one column each: data, span, split, network and training.

    Setups are columns and their attributes rows, so that the table fits a portrait page.
    """
    table = {}
    for (name, position), setup in result.setups.items():
        if position != 1:
            continue
        prepared = result.prepared[(name, position)]
        close = prepared.close
        table[f"Setup {name}"] = {
            "Instrument": f"{setup.ticker} close",
            "Span": f"{close.index[0].date()} to {close.index[-1].date()}",
            "Rows": f"{len(close):,}",
            "Training windows": f"{len(prepared.y_train):,}",
            "Test days": f"{len(prepared.test_dates):,}",
            "Test span": (f"{prepared.test_dates[0].date()} to {prepared.test_dates[-1].date()}"),
            "Network": f"{setup.network}, dropout {setup.dropout:g}, Dense(1)",
            "Training": (
                f"Adam({setup.learning_rate:g}), MSE, batch {setup.batch_size}, "
                f"{count(setup.epochs, 'epoch', digits=True)}"
            ),
        }
    return pd.DataFrame(table).rename_axis("")


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
    # the random walk (row 0) is the benchmark of the tests, not tested against itself
    walk = out.index.get_level_values("row") == 0
    out[["dm_better", "dm_worse"]] = out[["dm_better", "dm_worse"]].astype(float)
    out.loc[walk, ["dm_better", "dm_worse"]] = np.nan
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
    "step": "Repair",
    "changed": "Changed setting",
    "rmse": "RMSE",
    "rmse_std": "RMSE sd",
    "theil_u2": "Theil's U₂",
    "theil_u2_std": "U₂ sd",
    "correlation": "Correlation",
    "directional_accuracy": "Direction",
    "dm_statistic": "DM stat.",
    "dm_pvalue": "DM p",
    "dm_better": "DM better",
    "dm_worse": "DM worse",
    "selected_epoch": "Epoch kept",
}

#: The columns of the two parts of the summary the chapter shows: the scores, and what each
#: row changes with its tests against the random walk (one table would not fit a page).
SUMMARY_PARTS = {
    "scores": (
        "step",
        "rmse",
        "rmse_std",
        "theil_u2",
        "theil_u2_std",
        "correlation",
        "directional_accuracy",
    ),
    "tests": (
        "changed",
        "dm_statistic",
        "dm_pvalue",
        "dm_better",
        "dm_worse",
        "selected_epoch",
    ),
}


#: Readable names of the setup fields a row changes (the ``changed`` column).
CHANGED_NAMES = {
    "scaler_fit": "scaler fit",
    "refit_on_test": "scaler refit on test",
    "validation": "validation data",
    "validation_share": "validation share",
    "target": "target",
    "windows": "windows",
}


def _changed_text(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return ", ".join(CHANGED_NAMES.get(f.strip(), f.strip()) for f in text.split(","))


def display_summary(summary: pd.DataFrame, part: str = "scores") -> pd.DataFrame:
    """One part of the summary (:data:`SUMMARY_PARTS`) under readable names.

    Standard deviations over seeds are left out when there are none (a single seed).
    """
    if part not in SUMMARY_PARTS:
        raise ValueError(f"part must be one of {', '.join(SUMMARY_PARTS)}; got {part!r}")
    columns = [
        c
        for c in SUMMARY_PARTS[part]
        if c in summary.columns and not (c.endswith("_std") and summary[c].isna().all())
    ]
    shown = summary[columns].copy()
    if "changed" in shown:
        shown["changed"] = shown["changed"].map(_changed_text)
    return shown.rename(columns=SUMMARY_NAMES)


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
