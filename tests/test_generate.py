"""The world generator gives valid, reproducible scenarios of any size that the model runs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.runner import run_model
from sim.scenario.generate import generate_scenario
from sim.scenario.loader import load_scenario


@pytest.mark.parametrize("n", [4, 5, 13, 60])
def test_generated_scenario_is_valid_and_has_every_element(n):
    data = generate_scenario(n, seed=3)
    sc = load_scenario(data)  # raises ScenarioError if anything is invalid
    assert len(sc.states) == n
    exporters = [s for s, st in sc.states.items() if st.exports_arms]
    assert 3 <= len(exporters) < n
    assert any(st.clients for st in sc.states.values())
    assert sc.sanctions and sc.relations.links and sc.relations.arms_stocks
    assert any(a.leader for a in sc.alliances.values())
    assert any(a.assistance_requires_consensus for a in sc.alliances.values())
    kinds = {e.type for e in sc.events}
    assert {
        "arms_order",
        "sanction_changed",
        "threat_shock",
        "production_deal",
        "trade_agreement",
        "alliance_action",
        "parameter",
    } <= kinds


@pytest.mark.parametrize("years", [1, 3])
def test_time_axis_follows_years(years):
    sc = load_scenario(generate_scenario(8, seed=1, years=years))
    assert sc.time.axis.n == 4 * years
    assert all(0 <= sc.time.axis.index(e.date) < sc.time.axis.n for e in sc.events)


def test_same_seed_same_scenario_and_different_seed_differs():
    assert generate_scenario(20, seed=5) == generate_scenario(20, seed=5)
    assert generate_scenario(20, seed=5) != generate_scenario(20, seed=6)


@pytest.mark.parametrize("n", [6, 40])
def test_generated_world_runs_with_valid_shares(n):
    sc = load_scenario(generate_scenario(n, seed=11, years=3))
    model = run_model(sc, seed=2)
    assert model.steps == sc.time.axis.n
    pairs, states = model.recorder.arrays()
    for name in ("arms_share", "trade_share"):
        # every generated state has an arms stock and trade links: all rows sum to 1
        np.testing.assert_allclose(pairs[name].sum(axis=2), 1.0, atol=1e-9)
    for arr in list(pairs.values()) + list(states.values()):
        assert np.isfinite(arr).all() and (arr >= -1e-12).all()


@pytest.mark.parametrize("bad", [dict(n_states=3), dict(n_states=10, years=0)])
def test_too_small_requests_are_refused(bad):
    with pytest.raises(ValueError):
        generate_scenario(**bad)
