"""Forecast evaluation: error metrics, forecast-comparison tests and report tables.

Every model is scored one step ahead over the same test days. The functions here are pure:
they take arrays (NumPy arrays or pandas Series) and return numbers, frozen result objects or
data frames; they import nothing of the project and do no IO. Everything public is
importable from this package (``from lstmgru.evaluation import diebold_mariano``); one concept
lives in each module:

* ``metrics`` -- point accuracy metrics (price and return scale), correlation;
* ``predictive`` -- Diebold-Mariano with the Harvey-Leybourne-Newbold correction, and the
  pooled (panel) DM test across instruments;
* ``nested`` -- nested pairs (random walk, drift): Clark-West, out-of-sample R^2;
* ``direction`` -- directional accuracy: Pesaran-Timmermann, the always-up base rate;
* ``mcs`` -- bootstrap comparisons of many models: Model Confidence Set, Hansen's SPA;
* ``multiplicity`` -- Holm-adjusted p-values;
* ``power`` -- minimum detectable effects (per instrument and pooled);
* ``seeds`` -- mean and spread over seeds;
* ``tables`` -- the comparison table of one instrument;
* ``_common`` -- tolerances, :class:`DegenerateTestError` and input validation.

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
Clark, T. E. & West, K. D. (2007). Approximately normal tests for equal predictive accuracy in
nested models. J. Econometrics 138(1), 291-311.
Hansen, P. R. (2005). A test for superior predictive ability. JBES 23(4), 365-380.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist.
6(2), 65-70.
Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3), 703-708.
Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of forecast accuracy.
IJF 22(4), 679-688.
"""

from __future__ import annotations

from lstmgru.evaluation._common import (
    LOSS_ATOL,
    LOSS_RTOL,
    PREVIOUS_METRICS,
    PRICE_METRICS,
    PRICE_RTOL,
    TRAIN_METRICS,
    Alternative,
    DegenerateTestError,
    Undefined,
    newey_west_lags,
)
from lstmgru.evaluation.direction import (
    DirectionVsAlwaysUpResult,
    PesaranTimmermannResult,
    direction_vs_always_up,
    pesaran_timmermann,
)
from lstmgru.evaluation.mcs import (
    ModelConfidenceSetResult,
    SPAResult,
    model_confidence_set,
    spa_test,
)
from lstmgru.evaluation.metrics import correlation, metrics
from lstmgru.evaluation.multiplicity import holm
from lstmgru.evaluation.nested import ClarkWestResult, OutOfSampleR2Result, clark_west, r2_oos
from lstmgru.evaluation.power import (
    MinimumDetectableEffect,
    loss_differential_sd_ratio,
    minimum_detectable_effect,
    pooled_minimum_detectable_effect,
)
from lstmgru.evaluation.predictive import (
    DieboldMarianoResult,
    PooledDieboldMarianoResult,
    diebold_mariano,
    pooled_dm,
)
from lstmgru.evaluation.seeds import summarize_seeds
from lstmgru.evaluation.tables import DM_RIVALS, TEST_COLUMNS, comparison_table, log_returns

__all__ = [
    "DM_RIVALS",
    "LOSS_ATOL",
    "LOSS_RTOL",
    "PREVIOUS_METRICS",
    "PRICE_METRICS",
    "PRICE_RTOL",
    "TEST_COLUMNS",
    "TRAIN_METRICS",
    "Alternative",
    "ClarkWestResult",
    "DegenerateTestError",
    "DieboldMarianoResult",
    "DirectionVsAlwaysUpResult",
    "MinimumDetectableEffect",
    "ModelConfidenceSetResult",
    "OutOfSampleR2Result",
    "PesaranTimmermannResult",
    "PooledDieboldMarianoResult",
    "SPAResult",
    "Undefined",
    "clark_west",
    "comparison_table",
    "correlation",
    "diebold_mariano",
    "direction_vs_always_up",
    "holm",
    "log_returns",
    "loss_differential_sd_ratio",
    "metrics",
    "minimum_detectable_effect",
    "model_confidence_set",
    "newey_west_lags",
    "pesaran_timmermann",
    "pooled_dm",
    "pooled_minimum_detectable_effect",
    "r2_oos",
    "spa_test",
    "summarize_seeds",
]
