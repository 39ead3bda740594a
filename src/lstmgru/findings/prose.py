"""The conclusions of a run in words: Markdown sentences from a :class:`RunFindings`.

Numbers are words up to twelve, zero and plural cases read as English ("none of the three
networks"), and every sentence is computed from the findings; nothing is typed by hand. The
verdicts rest on the return-scale tests: Clark-West against the random walk (Holm-adjusted over
instruments × models), the pooled tests across instruments, DM-HLN of the hybrid against its
rivals, Hansen's SPA, and the minimum detectable effect of the tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from lstmgru.findings.verdicts import ARIMA, BENCHMARK, HYBRID, RunFindings
from lstmgru.names import display_name
from lstmgru.words import count as _count
from lstmgru.words import join as _join
from lstmgru.words import number_word as _word

__all__ = ["conclusion_sentences", "summary_sentence"]

# ----------------------------------------------------------------------------------------------
# Prose (Markdown, $...$ allowed)
# ----------------------------------------------------------------------------------------------


def _name(model: str) -> str:
    """A model's name in running text (Markdown)."""
    if model in ("random_walk", "drift"):
        return display_name(model).lower()
    return display_name(model).replace("‖", r"$\Vert$")


def _the(model: str) -> str:
    """A model with its article in running text: "the random walk", "ARIMA", "the LSTM"."""
    if model == ARIMA:
        return _name(model)
    if model == "drift":
        return "the drift forecast"
    return f"the {_name(model)}"


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %" if float(value * 100).is_integer() else f"{100 * value:g} %"


def _on(tickers: Sequence[str]) -> str:
    return "on " + _join(tickers)


def _listing(where: Mapping[str, tuple[str, ...]]) -> str:
    """ "the LSTM on A and B and ARIMA on B"."""
    return _join([f"{_the(m)} {_on(ts)}" for m, ts in where.items() if ts])


def _of(k: int, n: int, noun: str) -> str:
    """ "on none of the two instruments", "on one of the three", "on the only instrument"."""
    if n == 1:
        return f"on the only {noun}"
    if k == 0:
        return f"on {'neither' if n == 2 else 'none'} of the {_word(n)} {noun}s"
    if k == n:
        return f"on {'both' if n == 2 else 'all ' + _word(n)} {noun}s"
    return f"on {_word(k)} of the {_word(n)} {noun}s"


def _pct(value: float) -> str:
    """A share as a percentage with one decimal ("4.2 %")."""
    return f"{100 * value:.1f} %"


def _p(value: float) -> str:
    return "$p < 0.001$" if value < 0.001 else f"$p = {value:.3f}$"


def _random_walk_sentences(f: RunFindings, level: str) -> list[str]:
    others = [m for m in f.models if m != BENCHMARK]
    pairs = f.pairs(others)
    test = (
        f"Clark–West test on squared log-return errors, one-sided, Holm-adjusted over "
        f"{_count(pairs, 'model–instrument pair')}, {level} level"
    )
    better = {m: ts for m, ts in f.beats_random_walk.items() if ts}
    if better:
        text = f"Beating the random walk ({test}): {_listing(better)}."
    else:
        where = "on the only instrument" if len(f.tickers) == 1 else "on any instrument"
        text = f"No model beats the random walk {where} ({test})."
    sentences = [text]
    if f.networks:
        nets = list(f.networks)
        winners = [m for m in nets if better.get(m)]
        n = len(nets)
        if not winners:
            where = "" if len(f.tickers) == 1 else " on any instrument"
            if n == 1:
                sentences.append(f"Nor does the only network, {_the(nets[0])}.")
            elif n == 2:
                sentences.append(f"Neither network does so{where}.")
            else:
                sentences.append(f"None of the {_word(n)} networks does so{where}.")
    return sentences


def _pooled_sentences(f: RunFindings, level: str) -> list[str]:
    if len(f.tickers) < 2:
        return []
    pooled = f.pooled
    n = len(f.tickers)
    winners = f.pooled_winners
    test = f"pooled Clark–West test, Holm-adjusted over {_count(len(pooled), 'model')}"
    if winners:
        parts = [
            f"{_the(m)} (pooled out-of-sample $R^2$ {_pct(pooled.loc[m, 'pooled_r2_oos'])})"
            for m in winners
        ]
        text = f"Pooled across the {_word(n)} instruments ({test}), {_join(parts)} beat"
        text += "s" if len(winners) == 1 else ""
        text += " the random walk."
    else:
        text = f"Pooled across the {_word(n)} instruments, no model beats the random walk ({test})."
    r2 = pooled["pooled_r2_oos"].dropna()
    if len(r2):
        best = str(r2.idxmax())
        text += f" The highest pooled out-of-sample $R^2$ is {_pct(r2[best])} ({_name(best)})."
    return [text]


def _spa_sentence(f: RunFindings, level: str) -> str:
    n = len(f.tickers)
    rejected = f.spa_rejections
    if n == 1:
        where = "rejects" if rejected else "does not reject"
        text = (
            f"Hansen's test of superior predictive ability {where} that no model beats the "
            f"random walk on {f.tickers[0].ticker} ({_p(f.tickers[0].spa_pvalue)})"
            if math.isfinite(f.tickers[0].spa_pvalue)
            else "Hansen's test of superior predictive ability is undefined (every model equals "
            "the random walk)"
        )
        return text + "."
    head = "Hansen's test of superior predictive ability (Holm-adjusted over instruments) "
    head += (
        f"rejects that no model beats the random walk {_on(rejected)}"
        if rejected
        else "does not reject that no model beats the random walk on "
        + (
            f"either of the {_word(n)} instruments"
            if n == 2
            else f"any of the {_word(n)} instruments"
        )
    )
    pooled = f.spa.loc["pooled"] if "pooled" in f.spa.index else None
    if pooled is not None and math.isfinite(float(pooled["spa_pvalue"])):
        verdict = "rejects it" if pooled["spa_pvalue"] < f.alpha else "does not reject it"
        head += (
            f"; on the cross-sectional mean losses ({_count(int(pooled['days']), 'common day')}) "
            f"it {verdict} ({_p(float(pooled['spa_pvalue']))})"
        )
    return head + "."


def _hybrid_sentences(f: RunFindings, level: str) -> list[str]:
    if HYBRID not in f.models:
        return []
    rivals = [
        m
        for m in f.models
        if any(m in t.dm_holm and math.isfinite(t.dm_holm[m]) for t in f.tickers)
    ]
    if not rivals:
        return []
    hybrid = _the(HYBRID)
    pairs = sum(1 for t in f.tickers for m in rivals if math.isfinite(t.dm_holm.get(m, math.nan)))
    test = (
        f"Diebold–Mariano test with the Harvey–Leybourne–Newbold correction on squared "
        f"log-return errors, two-sided, Holm-adjusted over {_count(pairs, 'rival–instrument pair')}"
    )
    up = {m: ts for m, ts in f.hybrid_better.items() if ts}
    down = {m: ts for m, ts in f.hybrid_worse.items() if ts}
    if not up and not down:
        text = f"{hybrid[0].upper() + hybrid[1:]} does not differ significantly from any rival on any instrument ({test})."
    else:
        parts = []
        if up:
            parts.append(f"more accurate than {_listing(up)}")
        if down:
            parts.append(f"less accurate than {_listing(down)}")
        text = (
            f"{hybrid[0].upper() + hybrid[1:]} is significantly "
            + "; significantly ".join(parts)
            + f" ({test})."
        )
    sentences = [text]
    if len(f.tickers) > 1 and len(f.pooled_hybrid):
        better, worse = f.pooled_hybrid_better, f.pooled_hybrid_worse
        if not better and not worse:
            rivals = [str(m) for m in f.pooled_hybrid.index]
            if len(rivals) == 1:
                whom = f"does not differ significantly from its only rival, {_the(rivals[0])}"
            else:
                whom = (
                    f"differs significantly from {'neither' if len(rivals) == 2 else 'none'} "
                    f"of its {_count(len(rivals), 'rival')}"
                )
            sentences.append(
                f"Pooled across instruments, {hybrid} {whom} (pooled Diebold–Mariano test, "
                "Holm-adjusted)."
            )
        else:
            parts = []
            if better:
                parts.append(f"more accurate than {_join(map(_the, better))}")
            if worse:
                parts.append(f"less accurate than {_join(map(_the, worse))}")
            sentences.append(
                f"Pooled across instruments, {hybrid} is significantly "
                + "; significantly ".join(parts)
                + " (pooled Diebold–Mariano test, Holm-adjusted)."
            )
    return sentences


def _drift_sentence(f: RunFindings) -> str | None:
    if "drift" not in f.models:
        return None
    beats = {m: ts for m, ts in f.beats_drift.items() if ts}
    if not beats:
        where = "on the only instrument" if len(f.tickers) == 1 else "on any instrument"
        return f"No model beats the drift forecast {where} (Clark–West, Holm-adjusted)."
    return f"Beating the drift forecast (Clark–West, Holm-adjusted): {_listing(beats)}."


def _power_sentence(f: RunFindings) -> str | None:
    values = [
        (t.mde_r2_oos[m], t.test_days)
        for t in f.tickers
        for m in t.models
        if m != BENCHMARK and math.isfinite(t.mde_r2_oos.get(m, math.nan))
    ]
    if not values:
        return None
    mde = float(np.median([v for v, _ in values]))
    days = sorted({d for _, d in values if d})
    span = f"{days[0]}" if len(days) == 1 else f"{days[0]} to {days[-1]}"
    observed = [
        (t.r2_oos[m], m, t.ticker)
        for t in f.tickers
        for m in t.models
        if m != BENCHMARK and math.isfinite(t.r2_oos.get(m, math.nan))
    ]
    reach = [o for o in observed if o[0] >= mde]
    text = (
        f"With {span} test days per instrument, the Clark–West test detects at "
        f"{_percent(f.power)} power only an out-of-sample $R^2$ of at least about {_pct(mde)} "
        f"(median over models and instruments of the {_percent(f.alpha)}-level test)"
    )
    if reach:
        verb = "reaches" if len(reach) == 1 else "reach"
        text += f"; {_count(len(reach), 'model–instrument pair')} {verb} that"
    elif observed:
        best = max(observed)
        text += (
            f"; no model reaches it (the highest is {_pct(best[0])}, {_name(best[1])} on {best[2]})"
        )
    text += "."
    pooled = f.pooled["pooled_mde_r2_oos"].dropna() if len(f.tickers) > 1 else []
    if len(pooled):
        text += (
            f" Pooled across the {_word(len(f.tickers))} instruments it is about "
            f"{_pct(float(np.median(pooled)))}."
        )
    return text


def conclusion_sentences(findings: RunFindings) -> list[str]:
    """The generated conclusion of a run, sentence by sentence (Markdown, ``$...$`` allowed).

    Parameters
    ----------
    findings : RunFindings
        From :func:`collect_findings`.

    Returns
    -------
    list of str
        Sentences in reading order; the notebook shows them as a list, the report converts the
        same Markdown.
    """
    f = findings
    level = _percent(f.alpha)
    names = list(f.ticker_names)
    others = [m for m in f.models if m != BENCHMARK]
    first = (
        f"The comparison covers {_count(len(names), 'instrument')} ({_join(names)}) and "
        f"{_count(len(others), 'model')} besides the random walk, scored on daily log returns."
    )
    if f.unfinished:
        left = _join([f"{t} ({why})" for t, why in f.unfinished.items()])
        first += f" Left out because they did not finish: {left}."
    sentences = [first]
    if not f.networks:
        sentences.append("No recurrent network was part of this run.")
    sentences += _random_walk_sentences(f, level)
    sentences += _pooled_sentences(f, level)
    sentences.append(_spa_sentence(f, level))
    sentences += _hybrid_sentences(f, level)
    drift = _drift_sentence(f)
    if drift:
        sentences.append(drift)
    sentences.append(_mcs_sentence(f, len(names)))
    if f.networks:
        da = [t.directional_accuracy[m] for t in f.tickers for m in t.models if m in f.networks]
        skill = sum(len(f.directional_skill[m]) for m in f.networks)
        up = sum(len(f.beats_always_up[m]) for m in f.networks)
        pairs = f.pairs(f.networks)
        mean_da = float(np.nanmean(da)) if any(math.isfinite(v) for v in da) else math.nan
        text = (
            f"The networks' mean directional accuracy is {100 * mean_da:.1f} %; "
            if math.isfinite(mean_da)
            else "The networks' directional accuracy is undefined; "
        )
        if pairs == 1:
            finding = (
                "after Holm's adjustment the Pesaran–Timmermann test "
                + ("finds" if skill else "does not find")
                + " directional skill in the only network–instrument pair, and its hit rate "
                + ("beats" if up else "does not beat")
                + " the always-up base rate."
            )
        else:
            none = "neither" if pairs == 2 else "none"
            finding = (
                "after Holm's adjustment the Pesaran–Timmermann test finds directional skill in "
                + f"{_word(skill) if skill else none} of the "
                + f"{_count(pairs, 'network–instrument pair')}, and the hit rate beats the "
                + f"always-up base rate in {_word(up) if up else none}."
            )
        sentences.append(text + finding)
    power = _power_sentence(f)
    if power:
        sentences.append(power)
    return sentences


def _mcs_sentence(f: RunFindings, n: int) -> str:
    decided = f.mcs_decided
    if decided == 0:
        return (
            "The model confidence set is not applicable on any instrument (the models' "
            "losses are identical or differ by a constant)."
        )
    skipped = n - decided
    always = [m for m in f.models if f.mcs_counts[m] == decided]
    every = "every instrument where it applies" if skipped else "every instrument"
    rw = f.mcs_counts.get(BENCHMARK, 0)
    where = _of(rw, decided, "instrument")
    if decided == 1:
        where = "on the only instrument where it applies" if skipped else "on the only instrument"
        if rw == 0:
            where = where.replace("on the", "not on the")
    text = f"The random walk is in the {_percent(f.mcs_level)} model confidence set {where}"
    if skipped:
        text += f" (it is not applicable on {_count(skipped, 'other instrument')})"
    members = _join(map(_the, always))
    if decided == 1:
        return text + (f"; in the set: {members}." if always else "; no model is in it.")
    return text + (
        f"; in the set on {every}: {members}." if always else f"; no model is in it on {every}."
    )


def summary_sentence(findings: RunFindings) -> str:
    """One sentence for the abstract: the run's instruments, the tests against the random walk
    and the power of those tests (Markdown)."""
    f = findings
    names = list(f.ticker_names)
    days = sorted({t.test_days for t in f.tickers if t.test_days})
    span = (
        f"; {days[0]} test days"
        if len(days) == 1
        else (f"; {days[0]} to {days[-1]} test days" if days else "")
    )
    text = f"In the run reported here ({_count(len(names), 'instrument')}: {_join(names)}{span}), "
    better = sum(len(ts) for ts in f.beats_random_walk.values())
    pairs = f.pairs([m for m in f.models if m != BENCHMARK])
    test = f"Clark–West test on log returns, Holm-adjusted, {_percent(f.alpha)} level"
    if better == 0:
        text += f"no model forecast more accurately than the random walk ({test})"
    else:
        text += (
            f"a model forecast more accurately than the random walk ({test}) in "
            f"{_word(better)} of {_count(pairs, 'model–instrument comparison')}"
        )
    if len(names) > 1:
        winners = f.pooled_winners
        text += (
            f"; pooled across instruments {_join(map(_the, winners))} did"
            if winners
            else "; pooled across instruments no model did"
        )
    values = [
        t.mde_r2_oos[m]
        for t in f.tickers
        for m in t.models
        if m != BENCHMARK and math.isfinite(t.mde_r2_oos.get(m, math.nan))
    ]
    if values:
        text += (
            f". At {_percent(f.power)} power these tests detect only an out-of-sample $R^2$ of "
            f"about {_pct(float(np.median(values)))} or more"
        )
    return text + "."
