"""The visible checks of the theory chapter: twins against Keras, counts, gradient profiles."""

from __future__ import annotations

import numpy as np
import pytest

from lstmgru import plots, verification


def test_keras_twin_differences_are_float32_round_off() -> None:
    diffs = verification.keras_twin_differences(seed=7, batch=2, steps=6, n_inputs=2, units=4)
    assert len(diffs) == 7
    assert (diffs < 1e-5).all(), diffs
    assert (diffs > 0).any()  # float32 Keras vs float64 NumPy: not bit-identical


def test_parameter_count_table_formula_equals_keras() -> None:
    table = verification.parameter_count_table(((1, 64, 64, 1), (2, 3, 5, 1)))
    assert (table["formula"] == table["count_params()"]).all()
    # 4*(64*(1+64)+64) + 3*(64*(64+64)+2*64) + (64+1) = 16896 + 24960 + 65
    assert table.loc[0, "formula"] == 41921


def test_gradient_norm_profiles_and_figure() -> None:
    profiles = verification.gradient_norm_profiles(n_steps=12, units=4, n_seeds=2)
    assert profiles.shape == (13, 5)
    np.testing.assert_allclose(profiles.iloc[0], 1.0)  # distance 0: the identity
    fig = plots.plot_gradient_norms(profiles, dashed=[c for c in profiles if "= 3" in c])
    (ax,) = fig.axes
    assert len(ax.lines) == 5
    assert sum(line.get_linestyle() == "--" for line in ax.lines) == 2
    with pytest.raises(ValueError, match="positive"):
        plots.plot_gradient_norms(profiles * 0)
