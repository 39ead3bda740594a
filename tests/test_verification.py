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
    assert (table["formula"] == table["Keras"]).all()
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


def test_recurrent_block_norm_table() -> None:
    table = verification.recurrent_block_norm_table(units=8, n_seeds=3)
    assert list(table.index.get_level_values("block")) == [
        "U",
        "U_i",
        "U_f",
        "U_c",
        "U_o",
        "U_z",
        "U_r",
        "U_h",
    ]
    np.testing.assert_allclose(table.loc[("simple RNN", "U")], 1.0, rtol=1e-12)
    gated = table.drop(index="simple RNN", level="cell")
    assert (gated["max"] < 1.0).all() and (gated["min"] <= gated["median"]).all()


def test_lstm_gradient_paths_table() -> None:
    paths = verification.lstm_gradient_paths(n_steps=12, units=4, n_seeds=2, distances=(1, 4, 12))
    assert list(paths.columns) == [1, 4, 12, "per step"]
    keras_init = paths.loc["LSTM, $b_f = 1$"]
    # for these draws the cell path alone stays below the full norm
    assert (keras_init.loc["cell path", [1, 4, 12]] <= keras_init.loc["full", [1, 4, 12]]).all()
    expected = (keras_init.loc["full", 12] / keras_init.loc["full", 4]) ** (1 / 8)
    assert keras_init.loc["full", "per step"] == pytest.approx(expected, rel=1e-12)
    assert list(paths.loc["LSTM, $b_f = 3$"].index) == ["full", "cell path"]
    with pytest.raises(ValueError, match="distances"):
        verification.lstm_gradient_paths(n_steps=5, distances=(1, 10, 20))
