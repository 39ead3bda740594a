"""What the tutorials' leaks are worth: two published setups, replicated and repaired step by step.

Two setups typical of published LSTM/GRU price forecasts (:data:`SETUP_A`, :data:`SETUP_B`) are
described as data (:class:`Setup`). :func:`ladder` turns a setup into its rows: the setup as
published, then one repair at a time (:data:`STEPS`), each row differing from the row before in
exactly one field of :class:`Setup` (the last row, the protocol of this thesis, replaces the
price-level pipeline as a whole). :func:`prepare` cuts a row's windows and scalers,
:func:`fit_row` trains the network of one row with one seed (Keras; the project's network builder,
:func:`lstmgru.models.rnn.build_network`) or, for the thesis protocol, the project's own
forecaster (:class:`lstmgru.models.rnn.RecurrentForecaster`: log-return target, scaler fitted on
the training span, early stopping on a validation span). :func:`score_forecast` scores a
forecast against the random walk with :mod:`lstmgru.evaluation`; :func:`run_ladder` does all
rows over several seeds, and :func:`summary_table`, :func:`inflation_table` and
:func:`findings_text` turn the scores into the chapter's tables and prose.

The price-level ablation of the main experiment (:func:`price_ablation`, :func:`ablation_table`)
lives here too: the hybrid of the thesis trained on MinMax-scaled price levels with the scaler
fitted on the training span only, scored beside the main experiment's hybrid on log returns.

Modules, one concept each: :mod:`~.setups` (the setups, the repairs, the profiles),
:mod:`~.windows` (spans, scalers, windows), :mod:`~.fitting` (networks and the ladder),
:mod:`~.scores`, :mod:`~.tables`, :mod:`~.prose` and :mod:`~.ablation`.
"""

from __future__ import annotations

from lstmgru.leakage.ablation import (
    ABLATION_MODEL,
    ABLATION_ROWS,
    Ablations,
    ablation_scores,
    ablation_table,
    price_ablation,
    run_ablations,
    stored_ablation,
)
from lstmgru.leakage.fitting import LadderResult, RowFit, fit_row, load_close, run_ladder
from lstmgru.leakage.prose import cost_text, findings_text, setup_text
from lstmgru.leakage.scores import SCORE_COLUMNS, score_forecast
from lstmgru.leakage.setups import (
    LEAKAGE_PROFILES,
    SETUP_A,
    SETUP_B,
    SETUPS,
    STEPS,
    Settings,
    Setup,
    Step,
    changed_fields,
    ladder,
    leakage_settings,
    step_number,
)
from lstmgru.leakage.tables import (
    SUMMARY_NAMES,
    SUMMARY_PARTS,
    display_inflation,
    display_summary,
    inflation_table,
    published_forecasts,
    setup_table,
    summary_table,
    u2_frame,
)
from lstmgru.leakage.windows import MinMax, Prepared, prepare, training_identity

__all__ = [
    "ABLATION_MODEL",
    "ABLATION_ROWS",
    "LEAKAGE_PROFILES",
    "SCORE_COLUMNS",
    "SETUPS",
    "SETUP_A",
    "SETUP_B",
    "STEPS",
    "SUMMARY_NAMES",
    "SUMMARY_PARTS",
    "Ablations",
    "LadderResult",
    "MinMax",
    "Prepared",
    "RowFit",
    "Settings",
    "Setup",
    "Step",
    "ablation_scores",
    "ablation_table",
    "changed_fields",
    "cost_text",
    "display_inflation",
    "display_summary",
    "findings_text",
    "fit_row",
    "inflation_table",
    "ladder",
    "leakage_settings",
    "load_close",
    "prepare",
    "price_ablation",
    "published_forecasts",
    "run_ablations",
    "run_ladder",
    "score_forecast",
    "setup_table",
    "setup_text",
    "step_number",
    "stored_ablation",
    "summary_table",
    "training_identity",
    "u2_frame",
]
