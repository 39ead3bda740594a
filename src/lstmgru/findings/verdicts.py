"""Verdicts of a run as data: :class:`TickerFindings`, :class:`RunFindings`, :func:`collect_findings`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from lstmgru.comparison import Evidence, gather_evidence
from lstmgru.config import NETWORK_LAYERS
from lstmgru.names import display_name

__all__ = [
    "ARIMA",
    "BENCHMARK",
    "HYBRID",
    "RunFindings",
    "TickerFindings",
    "collect_findings",
    "findings_frame",
]

#: The random walk, the benchmark of every test.
BENCHMARK = "random_walk"
#: The ARIMA model, the classical rival of the networks.
ARIMA = "arima"
#: The hybrid network, tested against every non-nested rival.
HYBRID = "lstm_gru"


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class TickerFindings:
    """The findings of one instrument (every p-value Holm-adjusted over instruments × models).

    Attributes
    ----------
    ticker : str
    test_days : int or None
        Forecast days scored.
    models : tuple of str
        Models scored, in table order.
    mse_return, r2_oos, cw_holm, cw_holm_drift, dm_statistic, dm_holm, directional_accuracy,
    pt_holm, up_holm, mde_r2_oos : mapping of str to float
        Per model (NaN where undefined): mean squared log-return error, out-of-sample R² and
        Clark-West p against the random walk, Clark-West p against the drift forecast, DM-HLN
        statistic and p of the hybrid against the model (negative: the hybrid has the lower
        loss), directional accuracy (share), Pesaran-Timmermann p, p of the hit rate against
        always-up, minimum detectable OOS R² (dimensionless).
    in_mcs : mapping of str to bool or None
        Membership of the model confidence set; ``None`` where it was not applicable.
    spa_pvalue, spa_holm : float
        Hansen's SPA p-value of "no model beats the random walk" and its Holm adjustment over
        instruments.
    better : tuple of str
        Models that beat the random walk (Holm-adjusted Clark-West p below ``alpha``).
    beats_drift : tuple of str
        Models that beat the drift forecast (Holm-adjusted Clark-West p below ``alpha``).
    hybrid_better, hybrid_worse : tuple of str
        Rivals the hybrid is significantly more / less accurate than (Holm-adjusted DM-HLN).
    skill : tuple of str
        Models with directional skill (Holm-adjusted PT p below ``alpha``, accuracy above 1/2).
    beats_always_up : tuple of str
        Models whose hit rate beats the always-up base rate (Holm-adjusted).
    """

    ticker: str
    test_days: int | None
    models: tuple[str, ...]
    mse_return: Mapping[str, float]
    r2_oos: Mapping[str, float]
    cw_holm: Mapping[str, float]
    cw_holm_drift: Mapping[str, float]
    dm_statistic: Mapping[str, float]
    dm_holm: Mapping[str, float]
    directional_accuracy: Mapping[str, float]
    pt_holm: Mapping[str, float]
    up_holm: Mapping[str, float]
    mde_r2_oos: Mapping[str, float]
    in_mcs: Mapping[str, bool | None]
    spa_pvalue: float
    spa_holm: float
    better: tuple[str, ...]
    beats_drift: tuple[str, ...]
    hybrid_better: tuple[str, ...]
    hybrid_worse: tuple[str, ...]
    skill: tuple[str, ...]
    beats_always_up: tuple[str, ...]

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
        """The most accurate model: lowest squared log-return error; ``None`` if undefined."""
        finite = {m: v for m, v in self.mse_return.items() if math.isfinite(v)}
        return min(finite, key=finite.__getitem__) if finite else None

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
    power : float
        Power of the minimum detectable effects.
    tickers : tuple of TickerFindings
        In run order.
    models : tuple of str
        Every model, in order of first appearance.
    networks : tuple of str
        The recurrent networks among ``models``.
    pooled : pandas.DataFrame
        Pooled tests against the random walk per model
        (:func:`lstmgru.comparison.pooled_random_walk_tests`).
    pooled_hybrid : pandas.DataFrame
        Pooled DM tests of the hybrid per rival (:func:`lstmgru.comparison.pooled_hybrid_tests`).
    spa : pandas.DataFrame
        Hansen's SPA per instrument and pooled (:func:`lstmgru.comparison.spa_table`).
    unfinished : mapping of str to str
        Tickers of the run left out, and why.
    """

    alpha: float
    mcs_level: float
    power: float
    tickers: tuple[TickerFindings, ...]
    models: tuple[str, ...]
    networks: tuple[str, ...]
    pooled: pd.DataFrame
    pooled_hybrid: pd.DataFrame
    spa: pd.DataFrame
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
        """Model -> instruments where it beats the random walk (Clark-West, Holm)."""
        return self._where("better")

    @property
    def beats_drift(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it beats the drift forecast (Clark-West, Holm)."""
        return self._where("beats_drift")

    @property
    def hybrid_better(self) -> Mapping[str, tuple[str, ...]]:
        """Rival -> instruments where the hybrid is significantly more accurate (DM, Holm)."""
        return self._where("hybrid_better")

    @property
    def hybrid_worse(self) -> Mapping[str, tuple[str, ...]]:
        """Rival -> instruments where the hybrid is significantly less accurate (DM, Holm)."""
        return self._where("hybrid_worse")

    @property
    def directional_skill(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where it shows directional skill (PT, Holm)."""
        return self._where("skill")

    @property
    def beats_always_up(self) -> Mapping[str, tuple[str, ...]]:
        """Model -> instruments where its hit rate beats always-up (Holm)."""
        return self._where("beats_always_up")

    @property
    def mcs_decided(self) -> int:
        """Instruments where the model confidence set was applicable."""
        return sum(t.mcs_applicable for t in self.tickers)

    @property
    def mcs_counts(self) -> Mapping[str, int]:
        """Model -> instruments where it is in the model confidence set."""
        return _frozen({m: sum(m in t.mcs_members for t in self.tickers) for m in self.models})

    @property
    def pooled_winners(self) -> tuple[str, ...]:
        """Models that beat the random walk pooled across instruments (pooled CW, Holm)."""
        p = self.pooled["pooled_cw_holm"]
        return tuple(str(m) for m in p.index if p[m] < self.alpha)

    def _pooled_hybrid(self, sign: float) -> tuple[str, ...]:
        table = self.pooled_hybrid
        return tuple(
            str(m)
            for m in table.index
            if table.loc[m, "pooled_dm_holm"] < self.alpha
            and sign * table.loc[m, "pooled_dm_statistic"] > 0
        )

    @property
    def pooled_hybrid_better(self) -> tuple[str, ...]:
        """Rivals the hybrid beats pooled across instruments (pooled DM, Holm)."""
        return self._pooled_hybrid(-1.0)

    @property
    def pooled_hybrid_worse(self) -> tuple[str, ...]:
        """Rivals that beat the hybrid pooled across instruments (pooled DM, Holm)."""
        return self._pooled_hybrid(1.0)

    @property
    def spa_rejections(self) -> tuple[str, ...]:
        """Instruments where SPA rejects "no model beats the random walk" (Holm)."""
        return tuple(t.ticker for t in self.tickers if t.spa_holm < self.alpha)


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
    ticker: str, rows: pd.DataFrame, spa: pd.Series | None, alpha: float
) -> TickerFindings:
    metrics = rows.set_index("model")
    models = tuple(str(m) for m in metrics.index)
    col = {name: _column(metrics, name) for name in metrics.columns}

    def get(name: str) -> dict[str, float]:
        return col.get(name) or {m: math.nan for m in models}

    member = {m: (None if math.isnan(v) else bool(v)) for m, v in get("in_mcs").items()}
    cw, cw_drift = get("cw_holm_vs_random_walk"), get("cw_holm_vs_drift")
    dm_stat, dm = get("dm_statistic_vs_hybrid"), get("dm_holm_vs_hybrid")
    da, pt, up = get("directional_accuracy"), get("pt_holm"), get("up_holm")
    test_days = int(metrics["test_days"].iloc[0]) if "test_days" in metrics else None
    return TickerFindings(
        ticker=ticker,
        test_days=test_days,
        models=models,
        mse_return=_frozen(get("mse_return")),
        r2_oos=_frozen(get("r2_oos")),
        cw_holm=_frozen(cw),
        cw_holm_drift=_frozen(cw_drift),
        dm_statistic=_frozen(dm_stat),
        dm_holm=_frozen(dm),
        directional_accuracy=_frozen(da),
        pt_holm=_frozen(pt),
        up_holm=_frozen(up),
        mde_r2_oos=_frozen(get("mde_r2_oos")),
        in_mcs=_frozen(member),
        spa_pvalue=_float(spa["spa_pvalue"]) if spa is not None else math.nan,
        spa_holm=_float(spa["spa_holm"]) if spa is not None else math.nan,
        better=tuple(m for m in models if cw[m] < alpha),
        beats_drift=tuple(m for m in models if cw_drift[m] < alpha),
        hybrid_better=tuple(m for m in models if dm[m] < alpha and dm_stat[m] < 0),
        hybrid_worse=tuple(m for m in models if dm[m] < alpha and dm_stat[m] > 0),
        skill=tuple(m for m in models if pt[m] < alpha and da[m] > 0.5),
        beats_always_up=tuple(m for m in models if up[m] < alpha),
    )


def collect_findings(
    results: Mapping[str, Any] | Evidence,
    alpha: float = 0.05,
    *,
    mcs_level: float = 0.90,
    unfinished: Mapping[str, str] | None = None,
    mcs_reps: int = 1000,
    spa_reps: int = 1000,
) -> RunFindings:
    """The findings of a run.

    Parameters
    ----------
    results : mapping of str to StoredResult, or Evidence
        Ticker -> its stored result (``lstmgru.runs.load_run(...).results``), in run order,
        whose evidence is computed here (:func:`lstmgru.comparison.gather_evidence`), or that
        evidence already computed.
    alpha : float
        Level of the tests, strictly between 0 and 1.
    mcs_level : float
        Confidence level of the model confidence set in the results (for the text).
    unfinished : mapping of str to str, optional
        Tickers of the run left out (ticker -> why), named in the text.
    mcs_reps, spa_reps : int
        Bootstrap replications when the evidence is computed here.

    Returns
    -------
    RunFindings

    Raises
    ------
    ValueError
        No results, a bad level, or results that are not stored results.
    """
    for name, level in (("alpha", alpha), ("mcs_level", mcs_level)):
        if not isinstance(level, int | float) or not 0.0 < level < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {level!r}")
    if isinstance(results, Evidence):
        evidence = results
    else:
        if not results:
            raise ValueError("no finished tickers to compare; run the experiment first")
        evidence = gather_evidence(results, alpha=alpha, mcs_reps=mcs_reps, spa_reps=spa_reps)
    scores = evidence.scores
    tickers = tuple(
        _ticker_findings(
            str(ticker),
            rows,
            evidence.spa.loc[ticker] if ticker in evidence.spa.index else None,
            alpha,
        )
        for ticker, rows in scores.groupby("ticker", sort=False)
    )
    models = tuple(dict.fromkeys(m for t in tickers for m in t.models))
    return RunFindings(
        alpha=float(alpha),
        mcs_level=float(mcs_level),
        power=evidence.power,
        tickers=tickers,
        models=models,
        networks=tuple(m for m in models if m in NETWORK_LAYERS),
        pooled=evidence.pooled,
        pooled_hybrid=evidence.pooled_hybrid,
        spa=evidence.spa,
        unfinished=_frozen(dict(unfinished or {})),
    )


def findings_frame(findings: RunFindings) -> pd.DataFrame:
    """One row per instrument: the most accurate model with its tests, the best direction.

    Returns
    -------
    pandas.DataFrame
        Index ``ticker``; columns ``test_days``, ``model`` (lowest squared log-return error,
        display name), ``r2_oos`` (its out-of-sample R² against the random walk),
        ``cw_holm_vs_random_walk`` (its Holm-adjusted Clark-West p), ``mde_r2_oos`` (the
        smallest OOS R² its test detects at the run's power), ``direction`` (highest
        directional accuracy, display name), ``directional_accuracy`` (share), ``pt_holm``
        (Holm-adjusted Pesaran-Timmermann p) and ``outside_mcs`` (display names of the models
        *outside* the model confidence set joined, ``"none"`` when every model is in it,
        ``None`` when not applicable: the set usually keeps most models, so its complement is
        the shorter and the more telling list).
    """
    rows = {}
    for t in findings.tickers:
        best, direction = t.best, t.best_direction
        rows[t.ticker] = {
            "test_days": t.test_days,
            "model": display_name(best) if best else None,
            "r2_oos": t.r2_oos.get(best, math.nan) if best else math.nan,
            "cw_holm_vs_random_walk": t.cw_holm.get(best, math.nan) if best else math.nan,
            "mde_r2_oos": t.mde_r2_oos.get(best, math.nan) if best else math.nan,
            "direction": display_name(direction) if direction else None,
            "directional_accuracy": t.directional_accuracy[direction] if direction else math.nan,
            "pt_holm": t.pt_holm[direction] if direction else math.nan,
            "outside_mcs": (
                ", ".join(display_name(m) for m in t.models if m not in t.mcs_members) or "none"
            )
            if t.mcs_applicable
            else None,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame["test_days"] = frame["test_days"].astype("Int64")
    frame.index.name = "ticker"
    return frame
