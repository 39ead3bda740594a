"""Maximum-likelihood fits of one ARIMA order and the information-criterion search over (p, q).

Choosing (p, q)
    Every order of the grid :math:`0 \\le p \\le` ``max_p``, :math:`0 \\le q \\le` ``max_q`` is
    fitted by maximum likelihood on the training span only, started from conditional-sum-of-squares
    estimates (several of these likelihoods have more than one local maximum, and the
    conditional least-squares start finds the higher one more often than a zero start); the grid
    fits stop within about :math:`10^{-3}` of the maximum log-likelihood
    (:data:`GRID_TOLERANCE`), the chosen order is then refitted to full precision with standard
    errors.
    The smallest criterion wins; the whole table is recorded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize, signal

__all__ = ["GRID_TOLERANCE", "css_start_params", "fit_order", "select_order"]

#: L-BFGS-B stopping rule of the grid fits (the objective is minus the mean log-likelihood):
#: relative decrease below ``factr * 2.2e-16`` (about 2e-7) or largest gradient component below
#: ``pgtol``. Both leave the log-likelihood within about 1e-3 of its maximum, far below the
#: criterion differences that decide an order; the chosen order is refitted to full precision.
GRID_TOLERANCE = {"factr": 1e9, "pgtol": 1e-3}


def _arima(y: np.ndarray, order: tuple[int, int, int], trend: str, **kwargs: Any) -> Any:
    from statsmodels.tsa.arima.model import ARIMA

    return ARIMA(np.asarray(y, dtype="float64"), order=order, trend=trend, **kwargs)


def _is_stationary(ar: np.ndarray) -> bool:
    """Roots of :math:`1 - \\phi_1 z - \\dots - \\phi_p z^p` outside the unit circle."""
    return len(ar) == 0 or bool(np.all(np.abs(np.roots(np.r_[1.0, -ar])) < 1.0 - 1e-6))


def _is_invertible(ma: np.ndarray) -> bool:
    """Roots of :math:`1 + \\theta_1 z + \\dots + \\theta_q z^q` outside the unit circle."""
    return len(ma) == 0 or bool(np.all(np.abs(np.roots(np.r_[1.0, ma])) < 1.0 - 1e-6))


def css_start_params(x: np.ndarray, p: int, q: int, with_mean: bool) -> np.ndarray | None:
    """Conditional-sum-of-squares estimates of an ARMA(p, q) (with mean) of ``x``.

    Residuals :math:`e_t` solve
    :math:`\\theta(B) e_t = \\phi(B)(x_t - \\mu)` for :math:`t > p` with pre-sample
    :math:`e = 0`; :math:`\\sum e_t^2` is minimised by Levenberg-Marquardt.

    Returns
    -------
    ndarray or None
        ``[mu], phi_1..phi_p, theta_1..theta_q``, or ``None`` when the estimate is not
        stationary and invertible (statsmodels' own start is used then).
    """
    x = np.asarray(x, dtype="float64")
    k0 = int(with_mean)
    if p + q == 0:
        return np.array([x.mean()]) if with_mean else np.zeros(0)

    def residuals(theta: np.ndarray) -> np.ndarray:
        mu = theta[0] if with_mean else 0.0
        phi, ma = theta[k0 : k0 + p], theta[k0 + p :]
        z = x - mu
        w = z[p:].copy()
        for i in range(p):
            w -= phi[i] * z[p - 1 - i : len(z) - 1 - i]
        return signal.lfilter([1.0], np.r_[1.0, ma], w)

    start = np.r_[[x.mean()] if with_mean else [], np.zeros(p + q)]
    try:
        solution = optimize.least_squares(residuals, start, method="lm")
    except (ValueError, np.linalg.LinAlgError):
        return None
    theta = solution.x
    if not np.all(np.isfinite(theta)):
        return None
    if not (_is_stationary(theta[k0 : k0 + p]) and _is_invertible(theta[k0 + p :])):
        return None
    return theta


def fit_order(
    y: np.ndarray,
    order: tuple[int, int, int],
    trend: str,
    *,
    fast: bool = False,
    start_params: np.ndarray | None = None,
    standard_errors: bool = True,
    tolerance: dict[str, float] | None = None,
) -> Any:
    """Maximum-likelihood fit of ARIMA(p, d, q) with ``trend`` to ``y`` (statsmodels).

    Parameters
    ----------
    y : ndarray
        Log prices.
    order : (p, d, q)
    trend : {'n', 'c', 't', 'ct'}
    fast : bool
        Grid mode: scale concentrated out, no standard errors, tolerance :data:`GRID_TOLERANCE`.
    start_params : ndarray, optional
        Full parameter vector (``sigma2`` last unless ``fast``); default: conditional least
        squares on the differenced series.
    standard_errors : bool
        Compute standard errors (numerical Hessian); ignored when ``fast``.
    tolerance : dict, optional
        L-BFGS-B ``factr``/``pgtol``; default :data:`GRID_TOLERANCE` when ``fast``, else
        scipy's defaults (``factr=1e7``, ``pgtol=1e-5``).

    Returns
    -------
    statsmodels ARIMAResults

    Notes
    -----
    The white-noise case ``p = q = 0`` with the mean (or drift) as its only trend term has a
    closed-form maximum-likelihood estimate (mean and variance of the differenced series);
    it is evaluated by one filter pass instead of an optimiser that would start at its optimum.
    The finite-difference step of the optimiser's gradient is ``1e-7`` (statsmodels' default
    ``1e-5`` is large next to a daily drift of order ``1e-4``).
    """
    p, d, q = order
    y = np.asarray(y, dtype="float64")
    model = _arima(y, order, trend, concentrate_scale=fast)
    x = np.diff(y, n=d) if d else y
    with_mean = (d == 0 and trend == "c") or (d == 1 and trend == "t")
    closed_form = p == q == 0 and (with_mean or trend == "n")
    if start_params is None or closed_form:
        if closed_form:
            start_params = np.array([x.mean()]) if with_mean else np.zeros(0)
        else:
            start_params = css_start_params(x, p, q, with_mean=with_mean)
        n_params = len(model.param_names) - (0 if fast else 1)
        if start_params is not None and len(start_params) != n_params:
            start_params, closed_form = None, False
        elif start_params is not None and not fast:
            spread = x - x.mean() if with_mean else x
            start_params = np.r_[start_params, np.mean(spread**2)]
    cov_type = "none" if fast or not standard_errors else None
    if closed_form:
        return model.smooth(start_params, cov_type=cov_type or "approx")
    options: dict[str, Any] = {"epsilon": 1e-7}
    options.update(GRID_TOLERANCE if tolerance is None and fast else tolerance or {})
    return model.fit(start_params=start_params, cov_type=cov_type, method_kwargs=options)


def select_order(
    y: np.ndarray,
    d: int,
    trend: str,
    *,
    max_p: int = 3,
    max_q: int = 3,
    criterion: str = "aic",
) -> tuple[tuple[int, int, int], list[dict[str, Any]], Any]:
    """Fit every (p, q) of the grid and return the order with the smallest criterion.

    Returns
    -------
    order : (p, d, q)
    table : list of dict
        One row per grid order: ``p``, ``q``, the criterion, ``llf``, ``converged`` and
        ``error`` (message of a failed fit, criterion ``None`` then).
    best : statsmodels ARIMAResults
        The grid fit of the chosen order (concentrated scale).
    """
    table: list[dict[str, Any]] = []
    best, best_value, best_order = None, np.inf, None
    for p in range(max_p + 1):
        for q in range(max_q + 1):
            row: dict[str, Any] = {"p": p, "q": q}
            try:
                result = fit_order(y, (p, d, q), trend, fast=True)
            except (ValueError, np.linalg.LinAlgError) as exc:
                row.update({criterion: None, "llf": None, "converged": False, "error": str(exc)})
                table.append(row)
                continue
            value = float(getattr(result, criterion))
            row.update(
                {
                    criterion: value,
                    "llf": float(result.llf),
                    "converged": _converged(result),
                    "error": None,
                }
            )
            table.append(row)
            if np.isfinite(value) and value < best_value:
                best, best_value, best_order = result, value, (p, d, q)
    if best is None or best_order is None:
        errors = "; ".join(sorted({str(r["error"]) for r in table}))
        raise RuntimeError(f"no ARIMA order of the grid could be fitted: {errors}")
    return best_order, table, best


def _converged(results: Any) -> bool:
    """Whether the optimiser reported convergence (closed-form fits have no optimiser)."""
    retvals = getattr(results, "mle_retvals", None) or {}
    return bool(retvals.get("converged", True))
