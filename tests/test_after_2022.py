"""After February 2022 (issue "after 2022"): what the default scenario must tell, checked as an
analyst would read it (facts in ../shared/context/FACTS-2022-2025.md)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.runner import run_model
from sim.scenario.loader import load_scenario


def yearly(sim, metric: str, state: str, partner: str, year: int) -> float:
    """Mean of a pair metric over the periods of ``year``."""
    labels = sim.model.world.axis.labels()
    rows = [k for k, lab in enumerate(labels) if lab.startswith(str(year))]
    return float(sim.pair(metric, state, partner)[rows].mean())


@pytest.fixture(scope="module")
def default(baseline, simulate):
    return simulate(baseline, seed=1)


def test_turkiye_does_not_join_the_sanctions_on_russia(default):
    """Turkiye did not join; its compliance with the regimes on Russia stays low."""
    assert yearly(default, "compliance", "TUR", "RUS", 2023) < 0.3


def test_turkiyes_trade_with_russia_grows_under_the_sanctions(default):
    """Turnover reached a record of about US$ 68 bn in 2022 (from about 33 in 2021)."""
    assert yearly(default, "trade", "TUR", "RUS", 2023) >= 1.3 * yearly(
        default, "trade", "TUR", "RUS", 2021
    )


def test_an_aligned_turkiye_would_have_complied_and_lost_trade(baseline, simulate):
    """The stance does it: declared aligned, the economic rule makes Turkiye comply."""
    aligned = simulate(baseline, seed=1, overrides={"states.TUR.stances": {"RUS": "aligned"}})
    assert yearly(aligned, "compliance", "TUR", "RUS", 2023) > 0.9
    assert yearly(aligned, "trade", "TUR", "RUS", 2023) < yearly(
        aligned, "trade", "TUR", "RUS", 2021
    )


def test_a_strategy_stance_overrides_the_declared_one(baseline, tmp_path, simulate):
    f = tmp_path / "joins.py"
    f.write_text(
        "from sim import Policy, Strategy\n\nclass Joins(Strategy):\n    '''Joins.'''\n"
        "    classifier = {'adaptive': False}\n    def decide(self, me, world):\n"
        "        return Policy(comply={'west_2022': 1.0})\n"
    )
    sim = simulate(baseline, seed=1, overrides={"states.TUR.strategy": f"{f}:Joins"})
    t = sim.step_of("2023-Q4")
    assert sim.pair("compliance", "TUR", "RUS")[t] > 0.9  # the strategy joins the 2022 regime


def test_a_parameter_event_moves_non_aligned_compliance(baseline):
    ev = {
        "date": "2024-Q1",
        "type": "parameter",
        "target": "parameters.non_aligned_compliance",
        "op": "set",
        "value": 0.6,
    }
    sc = load_scenario(baseline, {"events": [*baseline.to_dict()["events"], ev]})
    m = run_model(sc, 1)
    comp = m.recorder.arrays()[0]["compliance"][:, m.world.idx("TUR"), m.world.idx("RUS")]
    t = m.world.axis.labels().index("2024-Q1")
    assert np.all(comp[:t] < 0.1) and comp[-1] > 0.5


def test_an_unknown_stance_key_is_refused_naming_what_is_allowed(baseline):
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError) as e:
        load_scenario(baseline, {"states.TUR.stances": {"RUSSIA": "non_aligned"}})
    assert "neither a sanctions regime id nor a state id" in e.value.lines()[0]
    assert "west_2022" in e.value.lines()[0]


@pytest.mark.parametrize(
    "stances, when, expect",
    [
        # a stance on the 2014 regime alone: from 2022 the 2022 regime follows the rule, and the
        # row merging both (same senders and target) takes the larger compliance
        ({"west_2014": "non_aligned"}, "2021-Q4", "stance"),
        ({"west_2014": "non_aligned"}, "2026-Q1", "rule"),  # (compliance moves with a lag)
        ({"RUS": "non_aligned"}, "2023-Q1", "stance"),  # by target: every regime on Russia
    ],
)
def test_a_stance_names_one_regime_and_merged_regimes_combine_by_the_maximum(
    baseline, simulate, stances, when, expect
):
    plain = simulate(baseline, seed=1, overrides={"states.TUR.stances": {}})
    sim = simulate(baseline, seed=1, overrides={"states.TUR.stances": stances})
    t = sim.step_of(when)
    got = sim.pair("compliance", "TUR", "RUS")[t]
    if expect == "stance":
        assert got == pytest.approx(baseline.parameters.non_aligned_compliance, abs=1e-6)
    else:
        assert got == pytest.approx(plain.pair("compliance", "TUR", "RUS")[t], rel=1e-3)
        assert got > 0.5
