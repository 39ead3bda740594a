"""The chapter's sentences, generated from its tables (no number typed by hand)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmgru.leakage.setups import LEAKAGE_PROFILES, SETUPS, Settings
from lstmgru.words import count, number_word

if TYPE_CHECKING:
    from lstmgru.leakage.fitting import LadderResult

__all__ = [
    "cost_text",
    "findings_text",
    "setup_text",
]


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}f}"


def findings_text(summary: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """Sentences on what each repair does to the seed-mean scores, from the summary table.

    Every number and every direction ("raises", "lowers", "better", "worse") is read off the
    table, so the text holds whatever the numbers are. A change of Theil's U2 counts as a
    difference only where it exceeds the larger standard deviation over seeds of the two rows.
    """
    sentences = []
    for name in summary.index.get_level_values("setup").unique():
        part = summary.loc[name].sort_index()
        rw_rmse = part.loc[0, "rmse"]
        rows = part.drop(index=0)
        first = rows.index[0]
        u2 = rows.loc[first, "theil_u2"]
        verdict = "below" if u2 < 1 else "above"
        sentences.append(
            f"Setup {name} as published: correlation of forecast and close "
            f"{_fmt(rows.loc[first, 'correlation'])}, RMSE {_fmt(rows.loc[first, 'rmse'], 2)} "
            f"against {_fmt(rw_rmse, 2)} for the random walk, Theil's $U_2$ {_fmt(u2)} "
            f"({verdict} 1), directional accuracy {_fmt(rows.loc[first, 'directional_accuracy'])}."
        )
        for before, after in zip(rows.index[:-1], rows.index[1:], strict=True):
            u_before, u_after = rows.loc[before, "theil_u2"], rows.loc[after, "theil_u2"]
            if not (np.isfinite(u_before) and np.isfinite(u_after)):
                continue
            change = u_after - u_before
            stds = [float(rows.loc[i].get("theil_u2_std", np.nan)) for i in (before, after)]
            stds = [v for v in stds if np.isfinite(v)]
            spread = max(stds) if stds else math.nan
            direction = "raises" if change > 0 else "lowers"
            is_repair = rows.loc[after].get("key", "") != "thesis"
            if round(change, 3) == 0:
                effect = "no change at three decimals"
            elif change > 0 and is_repair:
                effect = f"the leak it removes had lowered $U_2$ by {_fmt(change)}"
            elif is_repair:
                effect = "this leak had not made the forecast look better"
            else:
                effect = f"the change of target {direction} $U_2$ by {_fmt(abs(change))}"
            if not np.isfinite(spread):
                weight = "one seed, so no spread over seeds to judge the change against"
            elif abs(change) <= spread:
                weight = (
                    f"within the spread over seeds (standard deviation up to {_fmt(spread)}), "
                    "so no clear difference"
                )
            else:
                weight = (
                    f"larger than the spread over seeds (standard deviation up to {_fmt(spread)})"
                )
            sentences.append(
                f"Setup {name}, row {after} ({rows.loc[after, 'step']}) {direction} $U_2$ from "
                f"{_fmt(u_before)} to {_fmt(u_after)} and the RMSE from "
                f"{_fmt(rows.loc[before, 'rmse'], 2)} to {_fmt(rows.loc[after, 'rmse'], 2)}: "
                f"{effect}; {weight}."
            )
        sentences.append(
            f"Setup {name}: the random walk itself correlates with the close at "
            f"{_fmt(part.loc[0, 'correlation'])}, so a correlation near 1 shows that a forecast "
            "follows yesterday's price, not that it has skill."
        )
        if "dm_better" in rows.columns:
            counts = [
                f"row {row}: {int(rows.loc[row, 'dm_better'])} better and "
                f"{int(rows.loc[row, 'dm_worse'])} worse of {int(rows.loc[row, 'seeds'])}"
                for row in rows.index
                if np.isfinite(rows.loc[row, "dm_pvalue"])
            ]
            if counts:
                sentences.append(
                    f"Setup {name}, seeds in which the Diebold–Mariano test at the "
                    f"{100 * alpha:g} % level finds the forecast better or worse than the random "
                    f"walk: {'; '.join(counts)}."
                )
    return sentences


def setup_text(result: LadderResult, settings: Settings) -> str:
    """How far each setup's test closes leave the training range, and what this profile runs.

    Generated from the data, so that it holds for whatever span the profile uses.
    """
    parts = []
    for (name, position), setup in result.setups.items():
        if position != 1:
            continue
        prepared = result.prepared[(name, position)]
        close = prepared.close
        last_train = close.index.get_loc(prepared.train_dates[-1])
        train = close.iloc[: last_train + 1]
        actual = prepared.actual
        above = float((actual > train.max()).mean())
        below = float((actual < train.min()).mean())
        parts.append(
            f"In setup {name} ({setup.ticker}, {close.index[0].date()} to "
            f"{close.index[-1].date()}, {len(close):,} rows), {above * 100:.0f} % of the "
            f"{len(actual):,} test closes lie above the highest training close "
            f"({train.max():.2f}) and {below * 100:.0f} % below the lowest ({train.min():.2f})."
        )
    published = {s.name: s for s in SETUPS}
    differs = [
        s.name
        for s in settings.setups
        if (s.window, s.epochs, s.rows)
        != (published[s.name].window, published[s.name].epochs, published[s.name].rows)
    ]
    if differs:
        which = f"setup {differs[0]}" if len(differs) == 1 else "setups " + " and ".join(differs)
        parts.append(
            f"This is the `{settings.profile}` profile: the data, windows or epochs of {which} "
            "are cut down from the published ones, so its numbers show the machinery, not the "
            "published setups."
        )
    seeds = ", ".join(str(s) for s in settings.seeds)
    parts.append(
        f"Every row is fitted with {count(len(settings.seeds), 'seed')} "
        f"({'seed ' if len(settings.seeds) == 1 else 'seeds '}{seeds})."
    )
    return " ".join(parts)


def cost_text(
    result: LadderResult, settings: Settings, seconds: float, cpu_seconds: float
) -> list[str]:
    """What the fits cost in this run, per setup, as sentences.

    ``seconds`` is the wall time of the whole ladder, ``cpu_seconds`` the processor time of
    the process over it (all threads): on a machine shared with other work the wall time
    overstates the cost, the processor time does not.
    """
    scores = result.scores[result.scores["row"] > 0]
    out = []
    for name, part in scores.groupby("setup"):
        reused = int((part["fit_seconds"] == 0).sum())
        out.append(
            f"Setup {name}: {count(part['row'].nunique(), 'row')} × "
            f"{count(part['seed'].nunique(), 'seed')}, {count(len(part) - reused, 'network')} trained"
            + (
                f" and {number_word(reused)} reused from the row before (only the scaling of the test "
                "windows differs)"
                if reused
                else ""
            )
            + f", took {part['fit_seconds'].sum():.0f} s of training and forecasting."
        )
    published_epochs = all(
        s.epochs == p.epochs for s, p in zip(settings.setups, SETUPS, strict=True)
    )
    out.append(
        f"The whole ladder took {seconds:.0f} s of wall time and {cpu_seconds:.0f} s of "
        f"processor time with {count(len(settings.seeds), 'seed')} and "
        + ("the published epochs." if published_epochs else "epochs cut down by the profile.")
    )
    if len(settings.seeds) == 1:
        most = max(len(v["seeds"]) for v in LEAKAGE_PROFILES.values())
        out.append(
            "One seed only: the published epochs of the two setups make each seed costly, so "
            "the seeds were cut rather than the epochs. The spread over seeds is therefore not "
            f"measured here, and no change above is judged against it; a profile with {most} "
            "seeds measures it."
        )
    return out
