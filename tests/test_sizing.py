"""Parameter counts and the units of the size-matched stacks (pure; no TensorFlow).

The closed forms are those of ``lstmgru.equations.counts``, which ``tests/test_equations.py``
checks against Keras' ``count_params()``; ``tests/test_rnn.py`` checks the built networks.
"""

from __future__ import annotations

import pytest

from lstmgru.config import NETWORK_LAYERS, SIZE_MATCHED, ExperimentConfig
from lstmgru.models.sizing import matched_units, network_param_count, network_units


def test_network_param_count_closed_forms():
    # LSTM(1 -> 32) 4352, GRU(32 -> 32) 6336, Dense(32 -> 1) 33.
    assert network_param_count(("lstm", "gru"), (32, 32)) == 10721
    # Parallel: LSTM(1 -> 32) 4352 + GRU(1 -> 32) 3360 + Dense(64 -> 1) 65.
    assert network_param_count(("lstm", "gru"), (32, 32), parallel=True) == 7777
    # LSTM stack 12 m^2 + 13 m + 1 and GRU stack 9 m^2 + 16 m + 1 for equal units m.
    for m in (1, 7, 29, 64):
        assert network_param_count(("lstm", "lstm"), (m, m)) == 12 * m * m + 13 * m + 1
        assert network_param_count(("gru", "gru"), (m, m)) == 9 * m * m + 16 * m + 1
    assert network_param_count(("gru",), (5,), n_inputs=3, n_outputs=2) == 3 * (5 * 8 + 10) + 12


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        # Hybrid counts 761 / 10721 / 41921 (quick / default / full units).
        ((8, 8), {"lstm_lstm": (7, 8), "gru_gru": (8, 8)}),
        ((32, 32), {"lstm_lstm": (29, 29), "gru_gru": (34, 34)}),
        ((64, 64), {"lstm_lstm": (59, 59), "gru_gru": (67, 67)}),
    ],
)
def test_network_units_of_the_matched_stacks(units, expected):
    target = network_param_count(("lstm", "gru"), units)
    for name, sizes in expected.items():
        assert network_units(name, units) == sizes
        count = network_param_count(NETWORK_LAYERS[name], sizes)
        assert abs(count / target - 1.0) <= 0.10
        if len(set(sizes)) == 1:
            # Equal units: no other equal size comes closer to the target.
            m = sizes[0]
            for other in (m - 1, m + 1):
                assert abs(network_param_count(NETWORK_LAYERS[name], (other, other)) - target) >= (
                    abs(count - target)
                )


@pytest.mark.parametrize("profile", ["quick", "default", "full"])
def test_every_profile_matches_its_own_hybrid(profile):
    units = ExperimentConfig.from_parameters(profile).model.units
    for name, reference in SIZE_MATCHED.items():
        target = network_param_count(NETWORK_LAYERS[reference], units)
        count = network_param_count(NETWORK_LAYERS[name], network_units(name, units))
        assert abs(count / target - 1.0) <= 0.10, (profile, name, count, target)


def test_other_networks_keep_the_configured_units():
    assert network_units("lstm", (32, 16)) == (32,)
    assert network_units("gru_lstm", (32, 16)) == (32, 16)
    with pytest.raises(ValueError, match="unknown network 'arima'"):
        network_units("arima", (32, 32))
    with pytest.raises(ValueError, match="one entry per layer"):
        network_units("lstm_gru", (32,))


def test_matched_units_equal_first_and_errors():
    assert matched_units(("gru", "gru"), 10721) == (34, 34)
    assert matched_units(("lstm",), 4385) == (32,)  # exact: LSTM(32) + Dense is 4385
    with pytest.raises(ValueError, match="within 1%"):
        matched_units(("lstm", "lstm"), 40, tolerance=0.01)
    with pytest.raises(ValueError, match="layers must be"):
        matched_units(("rnn",), 100)
    with pytest.raises(ValueError, match="target_params"):
        matched_units(("gru",), 0)
