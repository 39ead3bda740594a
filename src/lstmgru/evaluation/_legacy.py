"""Table rendering and seed ensembles kept where they were (to be removed when branches merge)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from lstmgru.evaluation._common import _as_1d


def seed_ensemble(
    forecasts_by_seed: pd.DataFrame, *, how: Literal["mean", "median"] = "mean"
) -> pd.Series:
    """Combine the forecasts of several seeds of one model into one ensemble forecast.

    Parameters
    ----------
    forecasts_by_seed : pandas.DataFrame, shape (n, s)
        One column per seed, one row per forecast day (currency units).
    how : {"mean", "median"}, default "mean"
        Combination across seeds, day by day.

    Returns
    -------
    pandas.Series, shape (n,)
        Ensemble forecast, same index as the input, named ``"ensemble"``. Score it with
        :func:`metrics` and pass the scores to :func:`summarize_seeds` as
        ``ensemble_scores``.
    """
    if not isinstance(forecasts_by_seed, pd.DataFrame):
        raise ValueError("forecasts_by_seed must be a DataFrame with one column per seed")
    if forecasts_by_seed.empty:
        raise ValueError("forecasts_by_seed is empty; need at least one seed and one day")
    for column in forecasts_by_seed.columns:
        _as_1d(f"forecasts_by_seed[{column!r}]", forecasts_by_seed[column])
    if how == "mean":
        combined = forecasts_by_seed.mean(axis=1)
    elif how == "median":
        combined = forecasts_by_seed.median(axis=1)
    else:
        raise ValueError(f"how must be 'mean' or 'median'; got {how!r}")
    return combined.rename("ensemble")


def _number_format(column: str, target: Literal["latex", "html"]) -> object:
    if "pvalue" in column:
        below = "$<$0.001" if target == "latex" else "&lt;0.001"
        return lambda v: below if v < 0.001 else f"{v:.3f}"
    if column in ("mape", "smape"):
        return "{:.2f}"
    if column in ("directional_accuracy", "theil_u2", "mase", "r2_oos"):
        return "{:.3f}"
    if column.endswith("_return"):
        return "{:.5f}"
    return "{:,.3f}"


def _styler(df: pd.DataFrame, target: Literal["latex", "html"]) -> pd.io.formats.style.Styler:
    if not isinstance(df, pd.DataFrame) or df.empty:
        raise ValueError("table must be a non-empty DataFrame")
    formats: dict[object, object] = {}
    for column in df.columns:
        series = df[column]
        if pd.api.types.is_bool_dtype(series):
            formats[column] = lambda v: "yes" if v else "no"
        elif pd.api.types.is_float_dtype(series):
            formats[column] = _number_format(str(column), target)
    return df.style.format(formats, na_rep="--")


def table_to_latex(df: pd.DataFrame, caption: str, label: str) -> str:
    """Render a (comparison) table as a booktabs LaTeX table.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to render, e.g. from :func:`comparison_table`.
    caption : str
        Table caption (LaTeX allowed).
    label : str
        LaTeX label, e.g. ``"tab:comparison-aapl"``.

    Returns
    -------
    str
        A ``table`` environment with ``\\toprule``/``\\midrule``/``\\bottomrule``, centred,
        numbers formatted per column (p-values and ratios 3 decimals, p-values below 0.001 as
        ``<0.001``, percentages 2, return errors 5, price errors 3 with thousands
        separators), booleans as yes/no, NaN as ``--``, and column and index labels escaped
        for LaTeX.
    """
    if not caption or not label:
        raise ValueError("caption and label must be non-empty strings")
    styler = _styler(df, "latex")
    styler = styler.format_index(escape="latex", axis=0).format_index(escape="latex", axis=1)
    styler = styler.format_index_names(escape="latex", axis=0)
    return styler.to_latex(hrules=True, caption=caption, label=label, position_float="centering")


def table_to_html(df: pd.DataFrame) -> str:
    """Render a table as HTML with the same number formats as :func:`table_to_latex`."""
    return _styler(df, "html").to_html()
