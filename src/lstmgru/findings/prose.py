"""The conclusions of a run in words: Markdown sentences from a :class:`RunFindings`.

Numbers are words up to twelve, zero and plural cases read as English ("none of the three
networks"), and every sentence is computed from the findings; nothing is typed by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from lstmgru.findings.verdicts import ARIMA, BENCHMARK, RunFindings
from lstmgru.names import display_name

__all__ = ["conclusion_sentences", "summary_sentence"]

_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()

# ----------------------------------------------------------------------------------------------
# Prose (Markdown, $...$ allowed)
# ----------------------------------------------------------------------------------------------


def _word(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{_word(n)} {singular if n == 1 else (plural or singular + 's')}"


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


def _join(items: Sequence[str], conjunction: str = "and") -> str:
    items = list(items)
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return ", ".join(items[:-1]) + f", {conjunction} " + items[-1]


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


def _networks_sentence(f: RunFindings, level: str) -> list[str]:
    nets = list(f.networks)
    beats = {m: ts for m, ts in f.beats_random_walk.items() if m in nets}
    winners = [m for m in nets if beats[m]]
    k, n = len(winners), len(nets)
    test = f"at the {level} level (Diebold–Mariano test on squared errors)"
    if n == 1:
        verb = "beat" if k else "did not beat"
        subject = f"The only network, {_the(nets[0])},"
        where = "on at least one instrument" if k else "on any instrument"
    elif k == 0:
        subject, verb = (
            ("Neither of the two networks" if n == 2 else f"None of the {_word(n)} networks"),
            "beat",
        )
        where = "on any instrument"
    elif k == n:
        subject = f"{'Both' if n == 2 else 'All ' + _word(n)} networks ({_join(map(_name, nets))})"
        verb, where = "beat", "on at least one instrument"
    else:
        subject = (
            f"{_word(k).capitalize()} of the {_word(n)} networks ({_join(map(_the, winners))})"
        )
        verb, where = "beat", "on at least one instrument"
    if len(f.tickers) == 1:
        where = f"on {f.tickers[0].ticker}"
    sentence = f"{subject} {verb} the random walk {test} {where}."
    pairs = f.pairs(nets)
    better = sum(len(beats[m]) for m in nets)
    worse = sum(len(f.worse_than_random_walk[m]) for m in nets)
    if pairs > 1:
        pair_text = f"Over all {_count(pairs, 'network–instrument pair')}, "
        if better == worse == 0:
            pair_text += "none shows a significantly different squared error from the random walk."
        else:
            pair_text += (
                f"{_word(better) if better else 'none'} "
                f"{'shows' if better <= 1 else 'show'} a significantly smaller and "
                f"{_word(worse) if worse else 'none'} a significantly larger squared error than "
                "the random walk."
            )
        sentence += " " + pair_text
    return [sentence]


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
        f"{_count(len(others), 'model')} besides the random walk."
    )
    if f.unfinished:
        left = _join([f"{t} ({why})" for t, why in f.unfinished.items()])
        first += f" Left out because they did not finish: {left}."
    sentences = [first]
    if f.networks:
        sentences += _networks_sentence(f, level)
    else:
        sentences.append("No recurrent network was part of this run.")
    better = {m: ts for m, ts in f.beats_random_walk.items() if ts}
    pairs = f.pairs(others)
    if better:
        n_better = sum(map(len, better.values()))
        sentences.append(
            f"Significantly more accurate than the random walk: {_listing(better)} "
            + (
                f"({_word(n_better)} of {_count(pairs, 'model–instrument comparison')}; about "
                f"{f.alpha * pairs:.1f} would be expected by chance alone at this level)."
                if pairs > 1
                else "(the only model–instrument comparison)."
            )
        )
    else:
        sentences.append(
            "No model forecast significantly more accurately than the random walk on any "
            "instrument."
        )
    worse = {m: ts for m, ts in f.worse_than_random_walk.items() if ts}
    if worse:
        sentences.append(f"The random walk was significantly more accurate than {_listing(worse)}.")
    n = len(names)
    for model in f.others:
        b, w = len(f.beats_random_walk[model]), len(f.worse_than_random_walk[model])
        scored = sum(model in t.models for t in f.tickers)
        name = _the(model)
        name = name[0].upper() + name[1:]
        if b == w == 0:
            where = (
                "on the only instrument"
                if scored == 1
                else f"on any of the {_word(scored)} instruments"
            )
            if scored == 2:
                where = "on either instrument"
            text = f"{name} does not differ significantly from the random walk {where}"
        elif w == 0:
            text = (
                f"{name} beats the random walk significantly {_of(b, scored, 'instrument')} "
                "and is never significantly worse"
            )
        elif b == 0:
            text = (
                f"{name} never beats the random walk significantly and is significantly worse "
                f"{_of(w, scored, 'instrument')}"
            )
        else:
            text = (
                f"{name} beats the random walk significantly {_of(b, scored, 'instrument')} "
                f"and is significantly worse on {_word(w)}"
            )
        sentences.append(text + ".")
    if ARIMA in f.models and f.networks:
        up = {m: ts for m, ts in f.beats_arima.items() if m in f.networks and ts}
        down = {m: ts for m, ts in f.worse_than_arima.items() if m in f.networks and ts}
        if not up and not down:
            sentences.append(
                "No network differs significantly from ARIMA on any instrument (Diebold–Mariano "
                f"test at the {level} level)."
            )
        else:
            parts = []
            if up:
                parts.append(f"more accurate than ARIMA: {_listing(up)}")
            if down:
                parts.append(f"less accurate than ARIMA: {_listing(down)}")
            sentences.append("Significantly " + "; significantly ".join(parts) + ".")
    ranks = {m: r for m, r in f.mean_rank.items() if math.isfinite(r)}
    if not ranks:
        sentences.append(
            "Theil's $U_2$ is undefined on every instrument (the price never moves), so the "
            "models are not ranked."
        )
    else:
        best_rank = min(ranks.values())
        best = [m for m, r in ranks.items() if np.isclose(r, best_rank)]
        text = (
            "By mean rank of Theil's $U_2$ across instruments the best "
            + ("model is " if len(best) == 1 else "models, tied, are ")
            + f"{_join(map(_the, best))} (mean rank {best_rank:.2f} of "
            + f"{_count(len(f.models), 'model')})"
        )
        rw = f.mean_rank.get(BENCHMARK, math.nan)
        text += "." if BENCHMARK in best or math.isnan(rw) else f"; the random walk's is {rw:.2f}."
        sentences.append(text)
    u2 = {m: v for m, v in f.mean_u2.items() if m != BENCHMARK and math.isfinite(v)}
    if u2:
        lowest = min(u2, key=u2.__getitem__)
        values = [
            v
            for t in f.tickers
            for m, v in t.theil_u2.items()
            if m != BENCHMARK and math.isfinite(v)
        ]
        sentences.append(
            f"The lowest mean Theil's $U_2$ is {u2[lowest]:.3f} ({_name(lowest)}); below 1 "
            "means a smaller root mean squared error than the random walk."
            + (
                f" Over all models and instruments $U_2$ ranges from {min(values):.3f} to "
                f"{max(values):.3f}."
                if len(values) > 1
                else ""
            )
        )
    sentences.append(_mcs_sentence(f, n))
    if f.networks:
        da = [t.directional_accuracy[m] for t in f.tickers for m in t.models if m in f.networks]
        skill = sum(len(f.directional_skill[m]) for m in f.networks)
        pairs = f.pairs(f.networks)
        mean_da = float(np.nanmean(da)) if any(math.isfinite(v) for v in da) else math.nan
        text = (
            f"The networks' mean directional accuracy is {100 * mean_da:.1f} %; "
            if math.isfinite(mean_da)
            else "The networks' directional accuracy is undefined; "
        )
        sentences.append(
            text + "the Pesaran–Timmermann test finds directional skill (accuracy above one half "
            f"at the {level} level) "
            + (
                f"in {_word(skill) if skill else 'none'} of the {_count(pairs, 'network–instrument pair')}."
                if pairs > 1
                else ("for the only network–instrument pair." if skill else "for no network.")
            )
        )
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
        text += f" (not applicable on {_count(skipped, 'more instrument')})"
    members = _join(map(_the, always))
    return text + (
        f"; in the set on {every}: {members}." if always else f"; no model is in it on {every}."
    )


def summary_sentence(findings: RunFindings) -> str:
    """One sentence for the abstract: the run's instruments, the test against the random walk
    and the most accurate models (Markdown)."""
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
    test = f"Diebold–Mariano test, {_percent(f.alpha)} level"
    if better == 0:
        text += f"no model forecast significantly more accurately than the random walk ({test})"
    else:
        text += (
            f"a model forecast significantly more accurately than the random walk ({test}) in "
            f"{_word(better)} of {_count(pairs, 'model–instrument comparison')}"
        )
    wins: dict[str, int] = {}
    for t in f.tickers:
        if t.best is not None:
            wins[t.best] = wins.get(t.best, 0) + 1
    if wins:
        ordered = sorted(wins.items(), key=lambda kv: (-kv[1], f.models.index(kv[0])))
        parts = [f"{_the(m)} on {_count(k, 'instrument')}" for m, k in ordered]
        text += f", and the most accurate forecasts came from {_join(parts)}"
    return text + "."
