"""Verdicts of a run as data: :class:`TickerFindings`, :class:`RunFindings`, :func:`collect_findings`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from lstmgru.config import NETWORK_LAYERS
from lstmgru.names import display_name

__all__ = [
    "ARIMA",
    "BENCHMARK",
    "RunFindings",
    "TickerFindings",
    "collect_findings",
    "findings_frame",
]

#: The random walk, the benchmark of every test.
BENCHMARK = "random_walk"
#: The ARIMA model, the second benchmark of the networks.
ARIMA = "arima"


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
