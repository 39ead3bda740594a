"""Point accuracy metrics of one-step price forecasts, and the correlation of two series."""

from __future__ import annotations

import math

import numpy as np

from lstmgru.evaluation._common import (
    PRICE_RTOL,
    DegenerateTestError,
    Undefined,
    _as_1d,
    _check_aligned,
    _moves,
    _require_positive,
)

__all__ = ["correlation", "metrics"]


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
        Training-period prices (currency units, at least two), used only as the MASE scale
        (with ``previous``).
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
          (log-return units); ``mse_return`` (squared log-return units), the primary loss.
        * ``r2_oos`` -- out-of-sample :math:`R^2` of returns against the zero-return
          benchmark (Campbell-Thompson): :math:`1 - \sum (r-\hat r)^2 / \sum r^2`. Zero for
          the random walk, positive when the model beats it.

        With ``previous`` and ``train``:

        * ``mase`` -- mean absolute scaled error on the return scale (Hyndman & Koehler 2006):
          ``mae_return`` divided by the in-sample mean absolute log return
          :math:`\mathrm{mean}_t |\log(y_t / y_{t-1})|` over ``train``, which is the
          in-sample MAE of the zero-return (random-walk) forecast; dimensionless, 1 for a
          model as accurate out of sample as the random walk was in sample.

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
        out["mse_return"] = float(np.mean((r_hat - r) ** 2))
        out["rmse_return"] = float(np.sqrt(out["mse_return"]))
        out["mae_return"] = float(np.mean(np.abs(r_hat - r)))
        # flat: every r is rounding, so the zero-return benchmark has no error to improve on
        out["r2_oos"] = math.nan if flat else float(1.0 - np.sum((r - r_hat) ** 2) / np.sum(r**2))
        if train is not None:
            tr = _as_1d("train", train, min_length=2)
            _require_positive("train", tr, "the MASE scale (log returns of train)")
            if not _moves(np.diff(tr), tr[:-1]).any():
                out["mase"] = not_applicable(
                    "train prices are constant (to within rounding), so the MASE scale is zero"
                )
            else:
                out["mase"] = out["mae_return"] / float(np.mean(np.abs(np.diff(np.log(tr)))))
    return out


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
