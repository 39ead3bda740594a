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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from lstmgru.config import NETWORK_LAYERS
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

#: The random walk, the benchmark of every test.
BENCHMARK = "random_walk"
#: The ARIMA model, the second benchmark of the networks.
ARIMA = "arima"

_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


# ----------------------------------------------------------------------------------------------
# Findings as data
# ----------------------------------------------------------------------------------------------


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class TickerFindings:
    """The findings of one instrument.

    Attributes
    ----------
    ticker : str
    test_days : int or None
        Forecast days scored (``None`` when only the metrics were given).
    models : tuple of str
        Models scored, in table order.
    theil_u2, rmse, dm_pvalue, dm_pvalue_arima, directional_accuracy, pt_pvalue, mcs_pvalue :
        mapping of str to float
        Per model; NaN where undefined or absent (``dm_pvalue``: against the random walk).
    in_mcs : mapping of str to bool or None
        Membership of the model confidence set; ``None`` where the MCS was not applicable.
    better, worse : tuple of str
        Models significantly more / less accurate than the random walk.
    better_than_arima, worse_than_arima : tuple of str
        Models significantly more / less accurate than ARIMA (empty without ARIMA).
    skill : tuple of str
        Models with directional skill (PT p below ``alpha``, accuracy above one half).
    """

    ticker: str
    test_days: int | None
    models: tuple[str, ...]
    theil_u2: Mapping[str, float]
    rmse: Mapping[str, float]
    dm_pvalue: Mapping[str, float]
    dm_pvalue_arima: Mapping[str, float]
    directional_accuracy: Mapping[str, float]
    pt_pvalue: Mapping[str, float]
    mcs_pvalue: Mapping[str, float]
    in_mcs: Mapping[str, bool | None]
    better: tuple[str, ...]
    worse: tuple[str, ...]
    better_than_arima: tuple[str, ...]
    worse_than_arima: tuple[str, ...]
    skill: tuple[str, ...]

    @property
    def mcs_applicable(self) -> bool:
        """Whether the model confidence set was computed on this instrument."""
        return any(v is not None for v in self.in_mcs.values())

    @property
    def mcs_members(self) -> tuple[str, ...]:
        """Models in the model confidence set."""
        return tuple(m for m in self.models if self.in_mcs.get(m) is True)

    @property
    def best(self) -> str | None:
        """The most accurate model: lowest RMSE (lowest U2 without RMSE); ``None`` if undefined."""
        for values in (self.rmse, self.theil_u2):
            finite = {m: v for m, v in values.items() if math.isfinite(v)}
            if finite:
                return min(finite, key=finite.__getitem__)
        return None

    @property
    def best_direction(self) -> str | None:
        """The model with the highest directional accuracy; ``None`` if undefined."""
        finite = {m: v for m, v in self.directional_accuracy.items() if math.isfinite(v)}
        return max(finite, key=finite.__getitem__) if finite else None


@dataclass(frozen=True)
class RunFindings:
    """The findings of a run over its instruments.

    Attributes
    ----------
    alpha : float
        Level of the tests.
    mcs_level : float
        Confidence level of the model confidence set (``1 - size``).
    tickers : tuple of TickerFindings
        In run order.
    models : tuple of str
        Every model, in order of first appearance.
    networks : tuple of str
        The recurrent networks among ``models``.
    mean_rank : mapping of str to float
        Mean over instruments of each model's rank by Theil's U2 (1 = best, ties averaged);
        NaN where U2 is undefined everywhere.
    mean_u2 : mapping of str to float
        Mean Theil's U2 over the instruments where it is defined.
    unfinished : mapping of str to str
        Tickers of the run left out, and why.
    """

    alpha: float
    mcs_level: float
    tickers: tuple[TickerFindings, ...]
    models: tuple[str, ...]
    networks: tuple[str, ...]
    mean_rank: Mapping[str, float]
    mean_u2: Mapping[str, float]
    unfinished: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ticker_names(self) -> tuple[str, ...]:
        return tuple(t.ticker for t in self.tickers)

    @property
    def others(self) -> tuple[str, ...]:
        """Models that are neither the random walk nor a network."""
        return tuple(m for m in self.models if m != BENCHMARK and m not in self.networks)

    def pairs(self, models: Sequence[str]) -> int:
        """Number of (model, instrument) pairs scored among ``models``."""
        return sum(1 for t in self.tickers for m in t.models if m in models)

    def _where(self, attribute: str) -> Mapping[str, tuple[str, ...]]:
        return _frozen(
            {
                m: tuple(t.ticker for t in self.tickers if m in getattr(t, attribute))
                for m in self.models
                if m != BENCHMARK
            }
        )

    @property
    def beats_random_walk(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it is significantly more accurate than the random walk."""
        return self._where("better")

    @property
    def worse_than_random_walk(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it is significantly less accurate than the random walk."""
        return self._where("worse")

    @property
    def beats_arima(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it is significantly more accurate than ARIMA."""
        return self._where("better_than_arima")

    @property
    def worse_than_arima(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it is significantly less accurate than ARIMA."""
        return self._where("worse_than_arima")

    @property
    def directional_skill(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it shows directional skill."""
        return self._where("skill")

    @property
    def mcs_decided(self) -> int:
        """Instruments where the model confidence set was applicable."""
        return sum(t.mcs_applicable for t in self.tickers)

    @property
    def mcs_counts(self) -> Mapping[str, int]:
        """Model -> instruments where it is in the model confidence set."""
        return _frozen({m: sum(m in t.mcs_members for t in self.tickers) for m in self.models})


def _float(value: object) -> float:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return float(text == "true")
        try:
            return float(text)
        except ValueError:
            return math.nan
    if value is None or value is pd.NA or pd.isna(value):
        return math.nan
    return float(value)


def _column(metrics: pd.DataFrame, column: str) -> dict[str, float]:
    if column not in metrics.columns:
        return {str(m): math.nan for m in metrics.index}
    return {str(m): _float(v) for m, v in metrics[column].items()}


def _ticker_findings(
    ticker: str, metrics: pd.DataFrame, test_days: int | None, alpha: float
) -> TickerFindings:
    models = tuple(str(m) for m in metrics.index)
    u2 = _column(metrics, "theil_u2")
    dm = _column(metrics, "dm_pvalue_vs_random_walk")
    dm_arima = _column(metrics, "dm_pvalue_vs_arima")
    da = _column(metrics, "directional_accuracy")
    pt = _column(metrics, "pt_pvalue")
    member = {
        m: (None if math.isnan(v) else bool(v)) for m, v in _column(metrics, "in_mcs").items()
    }
    rivals = [m for m in models if m != BENCHMARK]
    arima_u2 = u2.get(ARIMA, math.nan)
    return TickerFindings(
        ticker=ticker,
        test_days=test_days,
        models=models,
        theil_u2=_frozen(u2),
        rmse=_frozen(_column(metrics, "rmse")),
        dm_pvalue=_frozen(dm),
        dm_pvalue_arima=_frozen(dm_arima),
        directional_accuracy=_frozen(da),
        pt_pvalue=_frozen(pt),
        mcs_pvalue=_frozen(_column(metrics, "mcs_pvalue")),
        in_mcs=_frozen(member),
        better=tuple(m for m in rivals if dm[m] < alpha and u2[m] < 1.0),
        worse=tuple(m for m in rivals if dm[m] < alpha and u2[m] > 1.0),
        better_than_arima=tuple(
            m for m in models if m != ARIMA and dm_arima[m] < alpha and u2[m] < arima_u2
        ),
        worse_than_arima=tuple(
            m for m in models if m != ARIMA and dm_arima[m] < alpha and u2[m] > arima_u2
        ),
        skill=tuple(m for m in models if pt[m] < alpha and da[m] > 0.5),
    )


def collect_findings(
    results: Mapping[str, Any],
    alpha: float = 0.05,
    *,
    mcs_level: float = 0.90,
    unfinished: Mapping[str, str] | None = None,
) -> RunFindings:
    """The findings of a run.

    Parameters
    ----------
    results : mapping of str to StoredResult or pandas.DataFrame
        Ticker -> its stored result (``lstmgru.runs.load_run(...).results``; ``metrics`` and
        ``forecasts`` are read) or its metrics frame (index ``model``, the columns of
        :func:`lstmgru.evaluation.comparison_table`), in run order.
    alpha : float
        Level of the tests, strictly between 0 and 1.
    mcs_level : float
        Confidence level of the model confidence set in the results (for the text).
    unfinished : mapping of str to str, optional
        Tickers of the run left out (ticker -> why), named in the text.

    Returns
    -------
    RunFindings

    Raises
    ------
    ValueError
        No results, a bad level, a metrics frame that is empty, lacks the random-walk row or
        lacks ``theil_u2`` / ``dm_pvalue_vs_random_walk``.
    """
    for name, level in (("alpha", alpha), ("mcs_level", mcs_level)):
        if not isinstance(level, int | float) or not 0.0 < level < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {level!r}")
    if not results:
        raise ValueError("no finished tickers to compare; run the experiment first")
    tickers = []
    for ticker, value in results.items():
        metrics = value if isinstance(value, pd.DataFrame) else getattr(value, "metrics", None)
        if not isinstance(metrics, pd.DataFrame) or metrics.empty:
            raise ValueError(f"ticker {ticker!r}: metrics must be a non-empty DataFrame")
        if BENCHMARK not in metrics.index:
            raise ValueError(
                f"ticker {ticker!r} has no {BENCHMARK!r} row; every run must include the "
                "random walk (models: random_walk, ...)"
            )
        missing = [c for c in ("theil_u2", "dm_pvalue_vs_random_walk") if c not in metrics]
        if missing:
            raise ValueError(f"ticker {ticker!r}: metrics lack column(s) {missing}")
        forecasts = getattr(value, "forecasts", None)
        days = len(forecasts) if isinstance(forecasts, pd.DataFrame) else None
        tickers.append(_ticker_findings(str(ticker), metrics, days, alpha))
    models = tuple(dict.fromkeys(m for t in tickers for m in t.models))
    u2 = pd.DataFrame({t.ticker: pd.Series(dict(t.theil_u2)) for t in tickers}).reindex(models)
    ranks = u2.rank(axis=0, ascending=True, method="average").mean(axis=1, skipna=True)
    return RunFindings(
        alpha=float(alpha),
        mcs_level=float(mcs_level),
        tickers=tuple(tickers),
        models=models,
        networks=tuple(m for m in models if m in NETWORK_LAYERS),
        mean_rank=_frozen({m: float(ranks[m]) for m in models}),
        mean_u2=_frozen({m: float(u2.loc[m].mean(skipna=True)) for m in models}),
        unfinished=_frozen(dict(unfinished or {})),
    )


def findings_frame(findings: RunFindings) -> pd.DataFrame:
    """One row per instrument: the most accurate model with its tests, the best direction.

    Returns
    -------
    pandas.DataFrame
        Index ``ticker``; columns ``test_days``, ``model`` (lowest RMSE, display name),
        ``rmse`` (price units), ``theil_u2``, ``dm_pvalue_vs_random_walk``, ``direction``
        (highest directional accuracy, display name), ``directional_accuracy`` (share),
        ``pt_pvalue`` and ``in_mcs`` (display names joined, ``None`` when not applicable).
    """
    rows = {}
    for t in findings.tickers:
        best, direction = t.best, t.best_direction
        rows[t.ticker] = {
            "test_days": t.test_days,
            "model": display_name(best) if best else None,
            "rmse": t.rmse.get(best, math.nan) if best else math.nan,
            "theil_u2": t.theil_u2.get(best, math.nan) if best else math.nan,
            "dm_pvalue_vs_random_walk": t.dm_pvalue.get(best, math.nan) if best else math.nan,
            "direction": display_name(direction) if direction else None,
            "directional_accuracy": t.directional_accuracy[direction] if direction else math.nan,
            "pt_pvalue": t.pt_pvalue[direction] if direction else math.nan,
            "in_mcs": ", ".join(display_name(m) for m in t.mcs_members)
            if t.mcs_applicable
            else None,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame["test_days"] = frame["test_days"].astype("Int64")
    frame.index.name = "ticker"
    return frame


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
