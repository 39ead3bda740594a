"""Forecast evaluation: error metrics and forecast-comparison tests.

Every model is scored one step ahead over the same test days. The functions here are pure:
they take arrays (NumPy arrays or pandas Series) and return numbers, frozen result objects or
data frames; they import nothing of the project and do no IO.

Conventions
-----------
* Prices are in the currency of the data (e.g. USD); returns are log returns, dimensionless.
* A *forecast error* is ``forecast - actual``.
* ``previous`` is the price of the day before each forecast day, i.e. the information the
  one-step forecast was made with. The random walk forecast is ``previous`` itself.
* Inputs are one-dimensional and must have the same length. When two inputs are pandas
  Series that both carry a ``DatetimeIndex``, the indexes must be identical; otherwise values
  are paired by position.
* Bad input raises ``ValueError`` with a message that names the problem. A test or metric
  whose value is undefined for the data (identical losses, constant signs, constant prices)
  raises :class:`DegenerateTestError`, a ``ValueError`` subclass; :func:`comparison_table`
  turns those cases into ``NaN`` cells, and :func:`model_confidence_set` returns NaN p-values
  with a ``note`` saying why.
* "Identical" and "constant" allow for rounding. Two prices that differ by at most
  :data:`PRICE_RTOL` of their size are equal (a move that small is a flat day). Two loss
  values are equal when they differ by at most :data:`LOSS_RTOL` of the larger plus
  :data:`LOSS_ATOL` times the mean absolute loss, i.e. ``np.allclose`` with those
  tolerances; a loss differential is constant when it equals its mean in that sense, and
  a constant differential has zero variance (a variance of 1e-30 from rounding counts as
  zero, not as a p-value of 0 or 1).

References
----------
Diebold, F. X. & Mariano, R. S. (1995). Comparing predictive accuracy. JBES 13(3), 253-263.
Harvey, D., Leybourne, S. & Newbold, P. (1997). Testing the equality of prediction mean squared
errors. IJF 13(2), 281-291.
Pesaran, M. H. & Timmermann, A. (1992). A simple nonparametric test of predictive performance.
JBES 10(4), 461-465.
Hansen, P. R., Lunde, A. & Nason, J. M. (2011). The model confidence set. Econometrica 79(2),
453-497.
Campbell, J. Y. & Thompson, S. B. (2008). Predicting excess stock returns out of sample.
RFS 21(4), 1509-1531.
Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of forecast accuracy.
IJF 22(4), 679-688.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "LOSS_ATOL",
    "LOSS_RTOL",
    "PRICE_RTOL",
    "DegenerateTestError",
    "DieboldMarianoResult",
    "ModelConfidenceSetResult",
    "PesaranTimmermannResult",
    "comparison_table",
    "correlation",
    "diebold_mariano",
    "metrics",
    "model_confidence_set",
    "pesaran_timmermann",
    "summarize_seeds",
]

#: Metrics that :func:`metrics` always returns.
PRICE_METRICS: tuple[str, ...] = ("rmse", "mae", "mape", "smape")
#: Metrics that need the training prices (``train=``).
TRAIN_METRICS: tuple[str, ...] = ("mase",)
#: Metrics that need the previous day's prices (``previous=``).
PREVIOUS_METRICS: tuple[str, ...] = (
    "theil_u2",
    "directional_accuracy",
    "rmse_return",
    "mae_return",
    "r2_oos",
)

Alternative = Literal["two-sided", "less", "greater"]
Undefined = Literal["raise", "nan"]

#: Prices (or price moves) within this fraction of the price are equal: rounding, not a move.
#: float64 resolves about 2e-16 of a price; a tick is 1e-8 of the price or more.
PRICE_RTOL = 1e-12
#: Relative tolerance of equal losses: ``|a - b| <= LOSS_RTOL * max(|a|, |b|) + atol``.
LOSS_RTOL = 1e-9
#: Absolute tolerance of equal losses, as a multiple of the mean absolute loss (loss units).
LOSS_ATOL = 1e-12


class DegenerateTestError(ValueError):
    """The test statistic is undefined for these data (e.g. identical losses)."""


# ---------------------------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------------------------


def _as_1d(name: str, values: object, *, min_length: int = 1) -> np.ndarray:
    """Return ``values`` as a finite float64 vector or raise a ValueError naming ``name``."""
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{name} must be one-dimensional; got a DataFrame with {values.shape[1]} "
                "columns (pass a single column)"
            )
        values = values.iloc[:, 0]
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; need at least {min_length} value(s)")
    if array.size < min_length:
        raise ValueError(f"{name} has {array.size} value(s); need at least {min_length}")
    bad = ~np.isfinite(array)
    if bad.any():
        positions = np.flatnonzero(bad)
        shown = ", ".join(str(p) for p in positions[:5]) + (", ..." if positions.size > 5 else "")
        raise ValueError(
            f"{name} contains {positions.size} NaN or infinite value(s) at position(s) "
            f"{shown}; drop or fill them before scoring"
        )
    return array


def _check_aligned(named: Mapping[str, object]) -> None:
    """Raise if the inputs differ in length or carry different DatetimeIndexes."""
    present = {k: v for k, v in named.items() if v is not None}
    # scalars and other shapeless inputs are left to _as_1d, which names them
    lengths = {k: np.shape(v)[0] for k, v in present.items() if np.ndim(v) >= 1}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k}={n}" for k, n in lengths.items())
        raise ValueError(f"inputs must have the same length; got {listed}")
    dated = {
        k: v.index
        for k, v in present.items()
        if isinstance(v, pd.Series | pd.DataFrame) and isinstance(v.index, pd.DatetimeIndex)
    }
    names = list(dated)
    for other in names[1:]:
        if not dated[names[0]].equals(dated[other]):
            raise ValueError(
                f"{names[0]} and {other} have different DatetimeIndexes (first dates "
                f"{dated[names[0]][0].date()} and {dated[other][0].date()}); align them, "
                "e.g. with forecast.reindex(actual.index), before scoring"
            )


def _loss_scale(*losses: np.ndarray) -> float:
    """Mean absolute loss over all values (loss units): the scale of :data:`LOSS_ATOL`."""
    return float(np.mean(np.abs(np.concatenate(losses))))


def _within(gap: np.ndarray, a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    return bool(np.all(np.abs(gap) <= atol + LOSS_RTOL * np.maximum(np.abs(a), np.abs(b))))


def _equal_losses(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    """``a`` and ``b`` agree to within rounding (see the module conventions)."""
    return _within(a - b, a, b, atol)


def _constant_differential(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    """The loss differential ``a - b`` is constant (zero variance) up to rounding."""
    d = a - b
    return _within(d - np.mean(d), a, b, atol)


def _moves(change: np.ndarray, level: np.ndarray | float) -> np.ndarray:
    """Sign of each price change, 0 where ``|change| <= PRICE_RTOL * level`` (rounding)."""
    return np.where(np.abs(change) <= PRICE_RTOL * np.abs(level), 0.0, np.sign(change))


def _require_positive(name: str, values: np.ndarray, why: str) -> None:
    if (values <= 0).any():
        count = int((values <= 0).sum())
        raise ValueError(
            f"{name} has {count} non-positive value(s); {why} needs strictly positive prices"
        )


# ---------------------------------------------------------------------------------------------
# point metrics
# ---------------------------------------------------------------------------------------------


def metrics(
    actual: object,
    forecast: object,
    *,
    previous: object | None = None,
    train: object | None = None,
    undefined: Undefined = "raise",
) -> dict[str, float]:
    r"""Accuracy of one-step price forecasts, on the price and on the return scale.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Observed prices on the forecast days (currency units, strictly positive).
    forecast : array-like of float, shape (n,)
        Forecast prices for the same days (currency units).
    previous : array-like of float, shape (n,), optional
        Observed price of the day before each forecast day (currency units, strictly
        positive); the random walk forecast. Needed for the metrics in ``PREVIOUS_METRICS``.
    train : array-like of float, optional
        Training-period prices (currency units, at least two), used only as the MASE scale.
    undefined : {"raise", "nan"}, default "raise"
        What a metric whose scale is zero does: raise :class:`DegenerateTestError`, or be
        NaN while the other metrics are computed (as :func:`comparison_table` does). Zero
        scales: constant ``train`` (MASE), and ``actual == previous`` on every day (Theil's
        U2 and ``r2_oos``, which are relative to the random walk). Constant means constant up
        to :data:`PRICE_RTOL`.

    Returns
    -------
    dict of str to float
        Always (price scale):

        * ``rmse``, ``mae`` -- currency units.
        * ``mape`` -- mean absolute percentage error, percent: :math:`100\,\mathrm{mean}
          |f-a|/|a|`.
        * ``smape`` -- symmetric MAPE, percent: :math:`100\,\mathrm{mean}\,2|f-a|/(|a|+|f|)`.

        With ``train``:

        * ``mase`` -- MAE divided by the in-sample naive one-step MAE,
          :math:`\mathrm{mean}_t |y_t - y_{t-1}|` over ``train``; dimensionless.

        With ``previous`` (prices ``p``; returns are log returns :math:`r = \log(a/p)`,
        :math:`\hat r = \log(f/p)`):

        * ``theil_u2`` -- :math:`\sqrt{\sum (f-a)^2 / \sum (a-p)^2}`: RMSE relative to the
          random walk; 1 for the random walk itself, below 1 beats it.
        * ``directional_accuracy`` -- share of days (0..1) where
          ``sign(f - p) == sign(a - p)``. A zero move is its own direction ("flat"): a flat
          forecast is a hit only on a flat day, and a flat day is a hit only for a flat
          forecast. So the random walk (always flat) scores the share of flat days, and a
          perfect forecast scores 1. A move of at most :data:`PRICE_RTOL` times ``p`` is
          rounding and counts as flat.
        * ``rmse_return``, ``mae_return`` -- errors of :math:`\hat r` against :math:`r`
          (log-return units).
        * ``r2_oos`` -- out-of-sample :math:`R^2` of returns against the zero-return
          benchmark (Campbell-Thompson): :math:`1 - \sum (r-\hat r)^2 / \sum r^2`. Zero for
          the random walk, positive when the model beats it.

        Metrics whose argument is missing are left out of the dict (not set to NaN).

    Raises
    ------
    DegenerateTestError
        With ``undefined="raise"``, a zero scale: constant ``train``, or ``actual ==
        previous`` on every day.
    ValueError
        Empty, NaN/inf, different lengths, different DatetimeIndexes, non-positive ``actual``
        or ``previous`` prices, non-positive ``forecast`` when returns are computed, or an
        unknown ``undefined``.
    """
    if undefined not in ("raise", "nan"):
        raise ValueError(f"undefined must be 'raise' or 'nan'; got {undefined!r}")

    def not_applicable(message: str) -> float:
        if undefined == "raise":
            raise DegenerateTestError(message)
        return math.nan

    _check_aligned({"actual": actual, "forecast": forecast, "previous": previous})
    a = _as_1d("actual", actual)
    f = _as_1d("forecast", forecast)
    _require_positive("actual", a, "MAPE and the return metrics")
    err = f - a
    out: dict[str, float] = {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae": float(np.mean(np.abs(err))),
        "mape": float(100.0 * np.mean(np.abs(err) / np.abs(a))),
        "smape": float(100.0 * np.mean(2.0 * np.abs(err) / (np.abs(a) + np.abs(f)))),
    }
    if train is not None:
        tr = _as_1d("train", train, min_length=2)
        scale = float(np.mean(np.abs(np.diff(tr))))
        if not _moves(np.diff(tr), tr[:-1]).any():
            out["mase"] = not_applicable(
                "train prices are constant (to within rounding), so the MASE scale is zero"
            )
        else:
            out["mase"] = out["mae"] / scale
    if previous is not None:
        p = _as_1d("previous", previous)
        _require_positive("previous", p, "the return metrics")
        _require_positive("forecast", f, "the return metrics (log(forecast/previous))")
        actual_moves = _moves(a - p, p)
        flat = not actual_moves.any()
        if flat:
            out["theil_u2"] = not_applicable(
                "actual equals previous on every day (to within rounding), so Theil's U2 "
                "(relative to the random walk) is undefined"
            )
        else:
            out["theil_u2"] = float(np.sqrt(np.sum(err**2) / np.sum((a - p) ** 2)))
        out["directional_accuracy"] = float(np.mean(_moves(f - p, p) == actual_moves))
        r = np.log(a / p)
        r_hat = np.log(f / p)
        out["rmse_return"] = float(np.sqrt(np.mean((r_hat - r) ** 2)))
        out["mae_return"] = float(np.mean(np.abs(r_hat - r)))
        # flat: every r is rounding, so the zero-return benchmark has no error to improve on
        out["r2_oos"] = math.nan if flat else float(1.0 - np.sum((r - r_hat) ** 2) / np.sum(r**2))
    return out


# ---------------------------------------------------------------------------------------------
# Diebold-Mariano
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DieboldMarianoResult:
    """Result of :func:`diebold_mariano`.

    Attributes
    ----------
    statistic : float
        HLN-corrected DM statistic; negative when model A has the lower mean loss.
    pvalue : float
        p-value from Student-t with ``n - 1`` degrees of freedom, for ``alternative``.
    mean_loss_differential : float
        Mean of ``loss(errors_a) - loss(errors_b)`` (loss units, e.g. squared currency).
    n : int
        Number of paired forecast errors.
    h : int
        Forecast horizon in steps (days).
    alternative : str
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    """

    statistic: float
    pvalue: float
    mean_loss_differential: float
    n: int
    h: int
    alternative: str


def _losses(
    name: str, errors: np.ndarray, loss: str | Callable[[np.ndarray], object]
) -> np.ndarray:
    if callable(loss):
        values = _as_1d(f"loss({name})", loss(errors))
        if values.shape != errors.shape:
            raise ValueError(
                f"loss callable must map n errors to n losses; got {values.shape[0]} "
                f"losses for {errors.shape[0]} errors"
            )
        return values
    if loss == "squared":
        return errors**2
    if loss == "absolute":
        return np.abs(errors)
    raise ValueError(f"loss must be 'squared', 'absolute' or a callable; got {loss!r}")


def diebold_mariano(
    errors_a: object,
    errors_b: object,
    *,
    h: int = 1,
    loss: Literal["squared", "absolute"] | Callable[[np.ndarray], object] = "squared",
    alternative: Alternative = "two-sided",
    varestimator: Literal["acf", "bartlett"] = "acf",
    atol: float = 0.0,
) -> DieboldMarianoResult:
    r"""Diebold-Mariano test of equal predictive accuracy, with the HLN correction.

    With loss differential :math:`d_t = L(e_{A,t}) - L(e_{B,t})`, :math:`t = 1..n`,

    .. math::

        \mathrm{DM} = \bar d / \sqrt{\hat V / n}, \quad
        \hat V = \hat\gamma_0 + 2 \sum_{k=1}^{h-1} w_k \hat\gamma_k, \quad
        \mathrm{DM}^* = \mathrm{DM}\,\sqrt{\frac{n + 1 - 2h + h(h-1)/n}{n}},

    where :math:`\hat\gamma_k` are sample autocovariances of :math:`d` (divisor ``n``),
    :math:`w_k = 1` (``varestimator="acf"``) or :math:`w_k = 1 - k/h` (``"bartlett"``), and
    :math:`\mathrm{DM}^*` is referred to Student-t with ``n - 1`` degrees of freedom
    (Harvey, Leybourne & Newbold 1997). The conventions are those of R's
    ``forecast::dm.test`` (tests pin both against it).

    Parameters
    ----------
    errors_a, errors_b : array-like of float, shape (n,)
        Forecast errors (forecast - actual) of models A and B over the same days, in the
        units of the forecast (e.g. currency units).
    h : int, default 1
        Forecast horizon in steps; ``h - 1`` autocovariance lags enter :math:`\hat V`.
    loss : {"squared", "absolute"} or callable, default "squared"
        Loss applied to each error; a callable maps an error vector to a loss vector of the
        same length.
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: model A has the lower expected loss (more accurate);
        ``"greater"``: model A has the higher expected loss; ``"two-sided"``: they differ.
    varestimator : {"acf", "bartlett"}, default "acf"
        Weights of the autocovariances in :math:`\hat V` (no effect when ``h == 1``).
    atol : float, default 0.0
        Absolute tolerance of equal losses (loss units), used when larger than
        :data:`LOSS_ATOL` times the mean absolute loss. The losses alone cannot tell rounding
        noise from a difference when all errors are of rounding size (forecasts equal to the
        actual prices); a caller who knows the price level passes e.g.
        ``(PRICE_RTOL * price) ** 2`` for squared errors, as :func:`comparison_table` does.

    Returns
    -------
    DieboldMarianoResult

    Raises
    ------
    DegenerateTestError
        When the loss differential has zero variance, i.e. is constant to within rounding
        (see the module conventions; e.g. identical errors, as for an ARIMA(0,1,0) model
        against the random walk, or errors that differ by 1e-15): the statistic is 0/0 and
        no p-value exists. Also when :math:`\hat V \le 0` (or below 1e-12 of
        :math:`\hat\gamma_0`) with ``h > 1``; ``varestimator="bartlett"`` is always
        non-negative.
    ValueError
        Bad input: empty, NaN/inf, different lengths or DatetimeIndexes, ``h < 1``,
        ``h`` too large for ``n``, unknown ``loss`` or ``alternative``, negative ``atol``.
    """
    if not isinstance(h, int | np.integer) or isinstance(h, bool) or h < 1:
        raise ValueError(f"h must be an integer >= 1 (forecast horizon in steps); got {h!r}")
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative must be 'two-sided', 'less' or 'greater'; got {alternative!r}"
        )
    if varestimator not in ("acf", "bartlett"):
        raise ValueError(f"varestimator must be 'acf' or 'bartlett'; got {varestimator!r}")
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (loss units); got {atol!r}")
    _check_aligned({"errors_a": errors_a, "errors_b": errors_b})
    ea = _as_1d("errors_a", errors_a, min_length=2)
    eb = _as_1d("errors_b", errors_b, min_length=2)
    h = int(h)
    n = ea.size
    correction = (n + 1 - 2 * h + h * (h - 1) / n) / n
    if h >= n or correction <= 0:
        raise ValueError(f"h={h} is too large for n={n} errors; need h < n")
    loss_a = _losses("errors_a", ea, loss)
    loss_b = _losses("errors_b", eb, loss)
    d = loss_a - loss_b
    mean_d = float(np.mean(d))
    tolerance = max(atol, LOSS_ATOL * _loss_scale(loss_a, loss_b))
    if _constant_differential(loss_a, loss_b, tolerance):
        raise DegenerateTestError(
            "the loss differential is constant to within rounding (e.g. the two models have "
            "identical errors, or errors equal up to rounding), so its variance is zero and "
            "the Diebold-Mariano statistic is undefined"
        )
    centred = d - mean_d
    gamma = np.array([np.dot(centred[k:], centred[: n - k]) / n for k in range(h)])
    weights = np.ones(h)
    if varestimator == "bartlett":
        weights[1:] = 1.0 - np.arange(1, h) / h
    long_run = gamma[0] + 2.0 * float(np.sum(weights[1:] * gamma[1:]))
    if long_run <= 1e-12 * gamma[0]:
        raise DegenerateTestError(
            f"the long-run variance estimate is {long_run:.3g} <= 0 with h={h}; "
            "use varestimator='bartlett', which cannot be negative"
        )
    statistic = mean_d / math.sqrt(long_run / n) * math.sqrt(correction)
    t = stats.t(df=n - 1)
    if alternative == "two-sided":
        pvalue = 2.0 * t.cdf(-abs(statistic))
    elif alternative == "less":
        pvalue = t.cdf(statistic)
    else:
        pvalue = t.sf(statistic)
    return DieboldMarianoResult(
        statistic=float(statistic),
        pvalue=float(pvalue),
        mean_loss_differential=mean_d,
        n=n,
        h=h,
        alternative=alternative,
    )


# ---------------------------------------------------------------------------------------------
# Pesaran-Timmermann
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PesaranTimmermannResult:
    """Result of :func:`pesaran_timmermann`.

    Attributes
    ----------
    statistic : float
        PT statistic, standard normal under H0.
    pvalue : float
        One-sided p-value, :math:`P(Z > S)`; small means directional predictability.
    hit_rate : float
        Share of days (0..1) on which forecast and actual fall in the same class
        (up / not up).
    n : int
        Number of days.
    """

    statistic: float
    pvalue: float
    hit_rate: float
    n: int


def pesaran_timmermann(
    actual: object, forecast: object, *, atol: float | None = None
) -> PesaranTimmermannResult:
    r"""Pesaran-Timmermann (1992) test of directional predictability.

    Takes *changes* (returns or price differences relative to the previous day), not price
    levels; only their signs are used. Each day is classed as up (value > 0) or not up
    (value <= 0); with hit rate :math:`\hat P`, up shares :math:`P_y` (actual) and
    :math:`P_x` (forecast), and :math:`P_* = P_y P_x + (1-P_y)(1-P_x)`,

    .. math::

        S = \frac{\hat P - P_*}{\sqrt{\hat V(\hat P) - \hat V(P_*)}}, \quad
        \hat V(\hat P) = \frac{P_*(1-P_*)}{n},

        \hat V(P_*) = \frac{(2P_y-1)^2 P_x(1-P_x)}{n} + \frac{(2P_x-1)^2 P_y(1-P_y)}{n}
        + \frac{4 P_y P_x (1-P_y)(1-P_x)}{n^2},

    asymptotically standard normal under H0 (signs of forecast and actual independent).
    Without exact zeros this equals rugarch's ``DACTest(test="PT")``; with zeros, a zero
    forecast and a zero actual count as the same class (a hit), which keeps :math:`\hat P`
    consistent with :math:`P_*`. The hit rate can therefore differ from
    :func:`metrics`' ``directional_accuracy``, which treats "flat" as a third class.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Realised changes, e.g. log returns :math:`\log(a_t / a_{t-1})`.
    forecast : array-like of float, shape (n,)
        Forecast changes for the same days, e.g. :math:`\log(f_t / a_{t-1})`.
    atol : float, optional
        Changes with ``|value| <= atol`` are rounding, i.e. zero ("not up"); units of the
        changes. Default ``1e-9 * max(|actual|)``: a forecast a billion times smaller than
        the largest realised move (a log return of 1e-17 from ``exp(log(p))``) is no
        direction. :func:`comparison_table` passes :data:`PRICE_RTOL` for log returns.

    Returns
    -------
    PesaranTimmermannResult

    Raises
    ------
    DegenerateTestError
        When the actual or the forecast signs are all in one class (e.g. the random walk,
        which never forecasts "up", a model whose "up" forecasts are all of rounding size,
        a model that always forecasts "up", or constant prices): the variance is zero and the
        statistic undefined.
    ValueError
        Empty, NaN/inf, different lengths or DatetimeIndexes, negative ``atol``.
    """
    _check_aligned({"actual": actual, "forecast": forecast})
    realised = _as_1d("actual", actual, min_length=2)
    predicted = _as_1d("forecast", forecast, min_length=2)
    if atol is None:
        atol = 1e-9 * float(np.max(np.abs(realised)))
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (units of the changes); got {atol!r}")
    y = realised > atol
    x = predicted > atol
    n = y.size
    hit_rate = float(np.mean(y == x))
    p_y = float(np.mean(y))
    p_x = float(np.mean(x))
    p_star = p_y * p_x + (1 - p_y) * (1 - p_x)
    var_hat = p_star * (1 - p_star) / n
    var_star = (
        (2 * p_y - 1) ** 2 * p_x * (1 - p_x) / n
        + (2 * p_x - 1) ** 2 * p_y * (1 - p_y) / n
        + 4 * p_y * p_x * (1 - p_y) * (1 - p_x) / n**2
    )
    denominator = var_hat - var_star
    if p_y in (0.0, 1.0) or p_x in (0.0, 1.0) or denominator <= 0:
        raise DegenerateTestError(
            f"the signs are constant (share up: actual {p_y:.3f}, forecast {p_x:.3f}), so "
            "the Pesaran-Timmermann statistic is undefined"
        )
    statistic = (hit_rate - p_star) / math.sqrt(denominator)
    return PesaranTimmermannResult(
        statistic=float(statistic),
        pvalue=float(stats.norm.sf(statistic)),
        hit_rate=hit_rate,
        n=n,
    )


# ---------------------------------------------------------------------------------------------
# correlation
# ---------------------------------------------------------------------------------------------


def correlation(x: object, y: object) -> float:
    """Pearson correlation of two series, e.g. a price forecast and the actual prices.

    Parameters
    ----------
    x, y : array-like of float, shape (n,)
        Paired values, n >= 2 (any units).

    Returns
    -------
    float
        Correlation coefficient, dimensionless, in [-1, 1].

    Raises
    ------
    DegenerateTestError
        When ``x`` or ``y`` is constant, i.e. its range is at most :data:`PRICE_RTOL` of its
        largest absolute value (rounding): the correlation is 0/0.
    ValueError
        Empty, NaN/inf, different lengths or DatetimeIndexes.
    """
    _check_aligned({"x": x, "y": y})
    xs = _as_1d("x", x, min_length=2)
    ys = _as_1d("y", y, min_length=2)
    for name, values in (("x", xs), ("y", ys)):
        if np.ptp(values) <= PRICE_RTOL * float(np.max(np.abs(values))):
            raise DegenerateTestError(
                f"{name} is constant (to within rounding), so the correlation is undefined"
            )
    return float(np.clip(np.corrcoef(xs, ys)[0, 1], -1.0, 1.0))


# ---------------------------------------------------------------------------------------------
# Model Confidence Set
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelConfidenceSetResult:
    """Result of :func:`model_confidence_set`.

    Attributes
    ----------
    included : tuple of str
        Models in the MCS at level ``1 - size`` (in the input's column order); empty when
        the MCS is not applicable (``note``).
    excluded : tuple of str
        Models eliminated (in the input's column order); empty when not applicable.
    pvalues : pandas.Series
        MCS p-value per model, indexed by model in the input's column order; a model is in
        the set when its p-value is > ``size`` (as in ``arch``). Models with identical
        losses (to within rounding) share one p-value. All NaN when not applicable.
    size : float
        Test size used.
    note : str
        Empty when the MCS was computed; otherwise why it is not applicable (e.g. every
        model has the same losses), in which case no model is in or out of the set.
    """

    included: tuple[str, ...]
    excluded: tuple[str, ...]
    pvalues: pd.Series
    size: float
    note: str = ""

    @property
    def applicable(self) -> bool:
        """Whether the MCS was computed (``note`` is empty)."""
        return not self.note


def model_confidence_set(
    losses: pd.DataFrame,
    size: float = 0.10,
    *,
    reps: int = 1000,
    block_size: int | None = None,
    seed: int = 0,
    method: Literal["R", "max"] = "R",
    bootstrap: Literal["stationary", "circular", "moving block"] = "stationary",
    atol: float = 0.0,
) -> ModelConfidenceSetResult:
    """Model Confidence Set of Hansen, Lunde & Nason (2011), via ``arch.bootstrap.MCS``.

    Parameters
    ----------
    losses : pandas.DataFrame, shape (n, k)
        Per-day losses (e.g. squared price errors, currency units squared), one column per
        model, k >= 2, no NaN.
    size : float, default 0.10
        Test size in (0, 1); the set has coverage ``1 - size``.
    reps : int, default 1000
        Bootstrap replications.
    block_size : int, optional
        Mean block length of the bootstrap, in days; default ``ceil(sqrt(n))``.
    seed : int, default 0
        Seed of the bootstrap (NumPy ``default_rng``); equal seeds give equal results.
    method : {"R", "max"}, default "R"
        Elimination statistic, as in ``arch``.
    bootstrap : {"stationary", "circular", "moving block"}, default "stationary"
        Block bootstrap scheme.
    atol : float, default 0.0
        Absolute tolerance of equal losses (loss units), used when larger than
        :data:`LOSS_ATOL` times the mean absolute loss of ``losses`` (see
        :func:`diebold_mariano`).

    Returns
    -------
    ModelConfidenceSetResult
        With NaN p-values, empty ``included`` and ``excluded`` and a ``note`` when the MCS is
        not applicable (see Notes); never an exception from ``arch`` for such data.

    Raises
    ------
    ValueError
        Not a DataFrame, fewer than two models or two rows, duplicate model names, NaN, or
        ``size``/``reps``/``block_size``/``atol`` out of range.

    Notes
    -----
    Two loss columns count as identical when they agree to within rounding,
    ``|a - b| <= LOSS_RTOL * max(|a|, |b|) + max(atol, LOSS_ATOL * scale)`` on every day,
    with ``scale`` the mean absolute loss of the frame -- close to
    ``np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale)`` (e.g. an ARIMA(0,1,0) and the random
    walk, whose losses may differ by 1e-13 on a few days). Identical models cannot be told
    apart: the MCS runs on the first of each group, and the others get its p-value and its
    verdict. Without this, ``arch`` eliminates one of them on rounding noise, or, when their
    mean losses are exactly equal, fails: its elimination rule (method "R") takes the
    position of the largest standardised loss difference, which is then 0 and ties with the
    zero diagonal, and the tie yields a pair of indices where one index is expected
    (``IndexError: arrays used as indices must be of integer or boolean type``).

    The MCS is not applicable, and the result says so in ``note``, when

    * all columns are identical (one distinct model: nothing to compare);
    * two distinct columns have a constant loss differential (to within rounding): its
      bootstrap variance is zero and ``arch``'s statistic is infinite (as in
      :func:`diebold_mariano`, which raises for such pairs);
    * ``arch`` fails on exact ties of its statistic between distinct models, or returns
      non-finite p-values.
    """
    from arch.bootstrap import MCS

    if not isinstance(losses, pd.DataFrame):
        raise ValueError(
            f"losses must be a pandas DataFrame with one column per model; got "
            f"{type(losses).__name__}"
        )
    if losses.shape[1] < 2:
        raise ValueError(f"losses needs at least two model columns; got {list(losses.columns)}")
    if losses.shape[0] < 2:
        raise ValueError(f"losses needs at least two rows (days); got {losses.shape[0]}")
    if losses.columns.duplicated().any():
        dupes = sorted({str(c) for c in losses.columns[losses.columns.duplicated()]})
        raise ValueError(f"losses has duplicate model columns: {dupes}")
    if not 0.0 < size < 1.0:
        raise ValueError(f"size must be in (0, 1); got {size}")
    if reps < 1:
        raise ValueError(f"reps must be >= 1; got {reps}")
    if not atol >= 0.0:
        raise ValueError(f"atol must be >= 0 (loss units); got {atol!r}")
    for column in losses.columns:
        _as_1d(f"losses[{column!r}]", losses[column])
    n = losses.shape[0]
    if block_size is None:
        block_size = math.ceil(math.sqrt(n))
    if not 1 <= block_size <= n:
        raise ValueError(f"block_size must be between 1 and n={n}; got {block_size}")
    frame = losses.astype(np.float64)
    frame.columns = [str(c) for c in frame.columns]
    models = pd.Index(frame.columns, name="model")
    values = {m: frame[m].to_numpy() for m in frame.columns}
    tolerance = max(atol, LOSS_ATOL * _loss_scale(*values.values()))

    def not_applicable(note: str) -> ModelConfidenceSetResult:
        pvalues = pd.Series(math.nan, index=models, name="mcs_pvalue")
        return ModelConfidenceSetResult((), (), pvalues, float(size), note)

    # Models with identical losses are indistinguishable (and make arch's statistic 0/0):
    # the MCS runs on one representative of each group, whose verdict the group shares.
    representative: dict[str, str] = {}
    for column in frame.columns:
        representative[column] = next(
            (
                kept
                for kept in dict.fromkeys(representative.values())
                if _equal_losses(values[column], values[kept], tolerance)
            ),
            column,
        )
    unique = list(dict.fromkeys(representative.values()))
    if len(unique) == 1:
        return not_applicable(
            "all models have identical losses (to within rounding), so there is nothing to "
            "compare and no model can be eliminated"
        )
    for i, first in enumerate(unique):
        for second in unique[i + 1 :]:
            if _constant_differential(values[first], values[second], tolerance):
                return not_applicable(
                    f"the loss differential of {first!r} and {second!r} is constant (to "
                    "within rounding), so its variance is zero and the MCS statistic is "
                    "undefined"
                )
    mcs = MCS(
        frame[unique],
        size=size,
        reps=reps,
        block_size=block_size,
        method=method,
        bootstrap=bootstrap,
        seed=np.random.default_rng(seed),
    )
    try:
        mcs.compute()
    except IndexError:
        # arch's elimination expects one largest statistic; exact ties between distinct
        # models (equal mean losses) give it several
        return not_applicable(
            "arch's MCS cannot order models whose standardised loss differences tie exactly "
            "(e.g. equal mean losses)"
        )
    unique_pvalues = mcs.pvalues["Pvalue"].astype(float)
    if not np.isfinite(unique_pvalues.to_numpy()).all():
        return not_applicable("arch's MCS returned non-finite p-values for these losses")
    pvalues = pd.Series(
        [float(unique_pvalues[representative[m]]) for m in frame.columns],
        index=models,
        name="mcs_pvalue",
    )
    included = tuple(m for m in frame.columns if pvalues[m] > size)
    excluded = tuple(m for m in frame.columns if pvalues[m] <= size)
    return ModelConfidenceSetResult(
        included=included, excluded=excluded, pvalues=pvalues, size=float(size)
    )


# ---------------------------------------------------------------------------------------------
# seeds
# ---------------------------------------------------------------------------------------------


def summarize_seeds(
    scores: pd.DataFrame,
    *,
    by: Sequence[str] = ("model",),
    seed_col: str = "seed",
    metric_cols: Sequence[str] | None = None,
    ensemble_scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean and spread of each metric over seeds, per model (and per any other key).

    Parameters
    ----------
    scores : pandas.DataFrame
        Long frame, one row per (``by`` keys, seed): the ``by`` columns, ``seed_col`` and one
        numeric column per metric (e.g. the dicts of :func:`metrics`, one row each).
    by : sequence of str, default ("model",)
        Grouping keys, e.g. ``("ticker", "model")`` for several tickers.
    seed_col : str, default "seed"
        Column holding the seed.
    metric_cols : sequence of str, optional
        Metrics to summarise; default every column other than ``by`` and ``seed_col``.
    ensemble_scores : pandas.DataFrame, optional
        Scores of the seed ensemble (:func:`lstmgru.models.ensemble`): one row per ``by`` key with
        the ``by`` columns and the metric columns. Adds an ``ensemble`` column, NaN for
        keys it lacks (e.g. single-seed models).

    Returns
    -------
    pandas.DataFrame
        Tidy frame with columns ``*by, "metric", "mean", "std", "min", "max", "n_seeds"``
        (plus ``"ensemble"``), one row per (key, metric), sorted by key and in metric order.
        ``std`` is the sample standard deviation (ddof=1), NaN for a single seed (e.g. a
        deterministic ARIMA); units are those of the metric.

    Raises
    ------
    ValueError
        Empty frame, missing columns, non-numeric or NaN metric values, a (key, seed) pair
        that occurs twice, or ensemble keys without seed scores.
    """
    if not isinstance(scores, pd.DataFrame) or scores.empty:
        raise ValueError("scores must be a non-empty DataFrame (one row per model and seed)")
    by = list(by)
    missing = [c for c in [*by, seed_col] if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; has {list(scores.columns)}")
    if metric_cols is None:
        metric_cols = [c for c in scores.columns if c not in [*by, seed_col]]
    metric_cols = list(metric_cols)
    if not metric_cols:
        raise ValueError("scores has no metric columns besides the keys and the seed")
    absent = [c for c in metric_cols if c not in scores.columns]
    if absent:
        raise ValueError(f"metric column(s) {absent} not in scores")
    for column in metric_cols:
        if not pd.api.types.is_numeric_dtype(scores[column]):
            raise ValueError(f"metric column {column!r} is not numeric")
        _as_1d(f"scores[{column!r}]", scores[column])
    duplicated = scores.duplicated(subset=[*by, seed_col])
    if duplicated.any():
        first = scores.loc[duplicated, [*by, seed_col]].iloc[0].to_dict()
        raise ValueError(f"scores has more than one row for {first}")
    grouped = scores.groupby(by, sort=True)
    pieces = []
    for metric in metric_cols:
        agg = grouped[metric].agg(["mean", "std", "min", "max", "count"]).reset_index()
        agg = agg.rename(columns={"count": "n_seeds"})
        agg.insert(len(by), "metric", metric)
        pieces.append(agg)
    # pieces are in metric order; a stable sort on the keys keeps that order within a key
    summary = pd.concat(pieces, ignore_index=True)
    summary = summary.sort_values(by, kind="stable").reset_index(drop=True)
    if ensemble_scores is not None:
        lacking = [c for c in [*by, *metric_cols] if c not in ensemble_scores.columns]
        if lacking:
            raise ValueError(f"ensemble_scores lacks column(s) {lacking}")
        long = ensemble_scores.melt(
            id_vars=by, value_vars=metric_cols, var_name="metric", value_name="ensemble"
        )
        if long.duplicated(subset=[*by, "metric"]).any():
            raise ValueError("ensemble_scores has more than one row for a key")
        merged = summary.merge(long, on=[*by, "metric"], how="outer", indicator=True)
        orphans = merged[merged["_merge"] == "right_only"]
        if not orphans.empty:
            keys = orphans[by].drop_duplicates().to_dict("records")
            raise ValueError(f"ensemble_scores has keys without seed scores: {keys}")
        summary = summary.merge(long, on=[*by, "metric"], how="left")
    return summary


# ---------------------------------------------------------------------------------------------
# comparison table
# ---------------------------------------------------------------------------------------------


def _forecast_frame(forecasts: Mapping[str, object] | pd.DataFrame) -> dict[str, object]:
    if isinstance(forecasts, pd.DataFrame):
        return {str(c): forecasts[c] for c in forecasts.columns}
    if isinstance(forecasts, Mapping):
        return {str(k): v for k, v in forecasts.items()}
    raise ValueError(
        "forecasts must be a dict of model name -> forecast prices or a DataFrame with one "
        f"column per model; got {type(forecasts).__name__}"
    )


def _dm_pvalue(errors_a: np.ndarray, errors_b: np.ndarray, atol: float) -> float:
    try:
        return diebold_mariano(errors_a, errors_b, atol=atol).pvalue
    except DegenerateTestError:
        return math.nan


def comparison_table(
    actual: object,
    forecasts: Mapping[str, object] | pd.DataFrame,
    *,
    previous: object,
    train: object,
    benchmark: str = "random_walk",
    arima: str | None = "arima",
    mcs_size: float = 0.10,
    mcs_reps: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per model: accuracy metrics and forecast-comparison tests.

    Parameters
    ----------
    actual : array-like of float, shape (n,)
        Observed prices on the test days (currency units).
    forecasts : dict of str to array-like, or pandas.DataFrame
        One-step price forecasts per model for the same days. Must include ``benchmark``
        (the random walk, i.e. ``previous``).
    previous : array-like of float, shape (n,)
        Price of the day before each test day (currency units).
    train : array-like of float
        Training prices, for the MASE scale.
    benchmark : str, default "random_walk"
        Name of the random-walk forecast in ``forecasts``.
    arima : str or None, default "arima"
        Name of the ARIMA forecast; when present in ``forecasts`` a ``dm_pvalue_vs_arima``
        column is added.
    mcs_size : float, default 0.10
        Size of the Model Confidence Set over all models (squared price errors).
    mcs_reps : int, default 1000
        Bootstrap replications of the MCS.
    seed : int, default 0
        Seed of the MCS bootstrap.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` (input order). Columns: every key of :func:`metrics`; then
        ``dm_pvalue_vs_random_walk`` (two-sided DM-HLN, squared price errors, h=1),
        ``dm_pvalue_vs_arima`` (if ARIMA present), ``pt_pvalue`` (Pesaran-Timmermann on
        log returns :math:`\\log(f/p)` vs :math:`\\log(a/p)`), ``mcs_pvalue`` and ``in_mcs``
        (nullable ``boolean``). A metric or test that is undefined for a row gives NaN (NA in
        ``in_mcs``) and the rest of the table is computed: a model against itself, errors
        identical up to rounding (an ARIMA that reproduces the random walk), constant
        forecast signs (the random walk in PT), constant prices (Theil's U2, ``r2_oos``,
        MASE, every test), an MCS that is not applicable (see
        :func:`model_confidence_set`). Rounding is judged against the price level: errors
        of at most :data:`PRICE_RTOL` times the largest actual price are equal, so DM and
        the MCS get ``atol = (PRICE_RTOL * max(actual)) ** 2`` (squared price units), and a
        log return of at most :data:`PRICE_RTOL` is no direction in PT.

    Raises
    ------
    ValueError
        ``benchmark`` missing from ``forecasts``, fewer than two models, or any bad input
        caught by :func:`metrics`.
    """
    named = _forecast_frame(forecasts)
    if benchmark not in named:
        raise ValueError(
            f"benchmark {benchmark!r} not among the forecasts (models: {', '.join(named)}); "
            "add the random walk forecast (the previous prices) under that name or pass "
            "benchmark=<name>"
        )
    if len(named) < 2:
        raise ValueError("comparison_table needs at least two models (benchmark and another)")
    rows: dict[str, dict[str, float]] = {}
    errors: dict[str, np.ndarray] = {}
    a = _as_1d("actual", actual)
    p = _as_1d("previous", previous)
    loss_atol = (PRICE_RTOL * float(np.max(np.abs(a)))) ** 2
    for model, forecast in named.items():
        try:
            rows[model] = metrics(actual, forecast, previous=previous, train=train, undefined="nan")
        except ValueError as exc:
            raise ValueError(f"model {model!r}: {exc}") from exc
        errors[model] = _as_1d(f"forecasts[{model!r}]", forecast) - a
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    table["dm_pvalue_vs_random_walk"] = [
        math.nan if m == benchmark else _dm_pvalue(errors[m], errors[benchmark], loss_atol)
        for m in table.index
    ]
    if arima is not None and arima in named:
        table["dm_pvalue_vs_arima"] = [
            math.nan if m == arima else _dm_pvalue(errors[m], errors[arima], loss_atol)
            for m in table.index
        ]
    actual_return = np.log(a / p)
    pt_values = []
    for model in table.index:
        forecast_return = np.log((errors[model] + a) / p)
        try:
            pt_values.append(
                pesaran_timmermann(actual_return, forecast_return, atol=PRICE_RTOL).pvalue
            )
        except DegenerateTestError:
            pt_values.append(math.nan)
    table["pt_pvalue"] = pt_values
    mcs = model_confidence_set(
        pd.DataFrame({m: e**2 for m, e in errors.items()}),
        size=mcs_size,
        reps=mcs_reps,
        seed=seed,
        atol=loss_atol,
    )
    table["mcs_pvalue"] = mcs.pvalues.reindex(table.index).to_numpy()
    table["in_mcs"] = pd.array(
        [(m in mcs.included) if mcs.applicable else pd.NA for m in table.index],
        dtype="boolean",
    )
    return table
