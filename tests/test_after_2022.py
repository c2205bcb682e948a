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


WEST = ("EU", "USA")
"""The default scenario's Western actors: SIPRI's bloc "West" is their sum."""


def west(sim, state: str) -> np.ndarray:
    """A state's trade with the West (EU + USA), per period."""
    return sum(sim.pair("trade", state, s) for s in WEST)


def west_yearly(sim, state: str, year: int) -> float:
    """A state's trade with the West (EU + USA), mean over the periods of ``year``."""
    return sum(yearly(sim, "trade", state, s, year) for s in WEST)


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


# ----------------------------------------------------------------------------- a quiet world
def _quiet(baseline, step: str = "quarter"):
    """The default world with no events and no sanctions."""
    return load_scenario(baseline, {"events": [], "sanctions": [], "time.step": step})


def _yearly_deliveries(m) -> tuple[list[str], np.ndarray]:
    """Deliveries summed per calendar year: (years, year x importer x supplier)."""
    labels = m.world.axis.labels()
    years = sorted({lab[:4] for lab in labels})
    d = m.recorder.arrays()[0]["deliveries"]
    return years, np.array(
        [d[[k for k, lab in enumerate(labels) if lab[:4] == y]].sum(0) for y in years]
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_world_without_events_has_no_start_up_jump(baseline, seed):
    """Orders placed before the start continue the first choice (no seeded mix to jump from),
    so with nothing happening Russia's exports and its clients' supplies move slowly."""
    m = run_model(_quiet(baseline), seed)
    _, d = _yearly_deliveries(m)
    r = m.world.idx("RUS")
    exports = d[:, :, r].sum(1) - d[:, r, r]
    change = np.abs(np.diff(exports)) / exports[:-1]
    assert change.max() <= 0.30, np.round(exports, 3)
    share = d[:, :, r] / np.maximum(d.sum(2), 1e-12)
    assert np.abs(np.diff(share, axis=0)).max() <= 0.15, np.round(share, 2)


def test_the_seeded_order_book_is_what_states_choose_at_the_start(baseline):
    """Deliveries in the first period are the first choice, not the installed stock's mix:
    China (about a tenth Russian-built) buys about 1% from Russia."""
    m = run_model(_quiet(baseline), 1)
    first = m.recorder.arrays()[0]["deliveries"][0]
    w = m.world
    c, r = w.idx("CHN"), w.idx("RUS")
    stock_share = m.recorder.arrays()[0]["arms_share"][0, c, r]
    assert first[c, r] / first[c].sum() < 0.25 * stock_share


def test_the_answer_hardly_depends_on_the_step(baseline):
    """Kazakhstan's 2030 Russian share with monthly and yearly steps within 3 points of the
    quarterly one (fill rates and noise are defined per unit of time, not per step)."""

    def share(step: str) -> float:
        m = run_model(load_scenario(baseline, {"time.step": step}), 1)
        w = m.world
        return float(m.recorder.arrays()[0]["arms_share"][-1, w.idx("KAZ"), w.idx("RUS")])

    quarterly = share("quarter")
    assert abs(share("month") - quarterly) <= 0.03
    assert abs(share("year") - quarterly) <= 0.03


def test_an_event_cannot_change_the_delivery_span(baseline):
    from sim.errors import ScenarioError

    ev = {"date": "2024", "type": "parameter", "target": "parameters.delivery_span", "value": 4}
    with pytest.raises(ScenarioError) as e:
        load_scenario(baseline, {"events": [*baseline.to_dict()["events"], ev]})
    assert "fixed for a run" in str(e.value)


# ----------------------------------------------------------------------------- circumvention
def test_western_trade_with_the_conduits_rises_after_2022(default):
    """EU exports rose 345% to Kyrgyzstan and 94% to Kazakhstan in 2022 (re-exports)."""
    assert west_yearly(default, "KGZ", 2023) >= 1.5 * west_yearly(default, "KGZ", 2021)
    assert west_yearly(default, "KAZ", 2023) >= 1.2 * west_yearly(default, "KAZ", 2021)


def test_the_conduits_other_leg_reaches_russia(default):
    """Kyrgyz exports to Russia went from 0.39 to 1.07 US$ bn (2021 -> 2022)."""
    assert yearly(default, "reexports", "KGZ", "RUS", 2023) > 0.5
    assert yearly(default, "trade", "KGZ", "RUS", 2023) > 1.3 * yearly(
        default, "trade", "KGZ", "RUS", 2021
    )
    assert yearly(default, "reexports", "KGZ", "RUS", 2021) == 0.0  # nothing before sanctions


def test_without_a_customs_union_kyrgyzstan_carries_less(baseline, default, simulate):
    open_border = simulate(baseline, seed=1, overrides={"alliances.EAEU.customs_union": False})
    assert yearly(open_border, "reexports", "KGZ", "RUS", 2023) < 0.5 * yearly(
        default, "reexports", "KGZ", "RUS", 2023
    )


def test_a_designation_of_kyrgyz_conduits_hits_kyrgyzstan_only(baseline, default, simulate):
    """January 2025: the US designated a Kyrgyz bank and fuel traders. Kyrgyz trade with the
    West falls back; China's and Uzbekistan's compliance (and other conduits) do not move."""
    none = simulate(
        without_label(baseline, "kgz_designations_2025"),
        seed=1,
    )
    t = default.step_of("2025-Q1")
    assert np.array_equal(west(default, "KGZ")[:t], west(none, "KGZ")[:t])
    assert west_yearly(default, "KGZ", 2026) < 0.8 * west_yearly(none, "KGZ", 2026)
    assert west_yearly(default, "KGZ", 2026) < west_yearly(default, "KGZ", 2024)
    for state in ("CHN", "UZB"):  # only through world-wide feedback, in the 5th decimal
        assert np.allclose(
            default.pair("compliance", state, "RUS"),
            none.pair("compliance", state, "RUS"),
            atol=1e-4,
        )
    assert np.allclose(
        default.pair("reexports", "KAZ", "RUS"), none.pair("reexports", "KAZ", "RUS"), rtol=1e-3
    )


def without_label(scenario, label: str):
    events = [e for e in scenario.to_dict()["events"] if e.get("label") != label]
    assert len(events) == len(scenario.events) - 1
    return load_scenario(scenario, {"events": events})


def test_a_state_cannot_designate_itself(baseline):
    from sim.errors import ScenarioError

    ev = {
        "date": "2025",
        "type": "designation",
        "senders": ["KGZ"],
        "target": "KGZ",
        "intensity": 1,
    }
    with pytest.raises(ScenarioError) as e:
        load_scenario(baseline, {"events": [*baseline.to_dict()["events"], ev]})
    assert "cannot designate its own" in str(e.value)


def test_blanket_secondary_sanctions_would_move_everyone(baseline, default, simulate):
    """The contrast: raising a regime's blanket ``secondary`` moves China's compliance too,
    which is why designations are targeted."""
    events = baseline.to_dict()["events"]
    for e in events:
        if e.get("label") == "west_2022_imposed":
            e["secondary"] = 0.8
    blanket = simulate(load_scenario(baseline, {"events": events}), seed=1)
    assert yearly(blanket, "compliance", "CHN", "RUS", 2026) > 0.05 + yearly(
        default, "compliance", "CHN", "RUS", 2026
    )


# ----------------------------------------------------------------------------- alignment
def _run_to(scenario, label: str, seed: int = 1):
    from sim.model import MultivectorModel

    m = MultivectorModel(scenario, seed=seed, mesa_datacollector=False)
    t = m.world.axis.labels().index(label)
    while m.steps <= t:
        m.step()
    return m


def test_a_deployments_goodwill_fades(baseline):
    """The CSTO's January 2022 deployment was brief: the goodwill it buys fades, and it leaves
    the states' affinity as it was (it used to add +0.15 for ever)."""
    quiet = load_scenario(baseline, {"parameters.pressure_backfire_rate": 0.0})
    early = _run_to(quiet, "2022-Q1")
    late = _run_to(quiet, "2026-Q1")
    k, r = early.world.idx("KAZ"), early.world.idx("RUS")
    gain = baseline.parameters.deployment_affinity_gain
    assert early.world.attitude[k, r] > 0.8 * gain
    assert 0 < late.world.attitude[k, r] < 0.2 * gain
    assert late.world.affinity[k, r] == pytest.approx(early.world.affinity[k, r])


def test_pressure_above_the_threshold_builds_resentment_and_below_it_none(baseline):
    resent = _run_to(
        load_scenario(baseline, {"parameters.pressure_backfire_threshold": 0.0}), "2028-Q4"
    )
    calm = _run_to(
        load_scenario(baseline, {"parameters.pressure_backfire_threshold": 10.0}), "2028-Q4"
    )
    t, r = resent.world.idx("TKM"), resent.world.idx("RUS")
    assert resent.world.pressure[r, t] > 0.3
    assert resent.world.attitude[t, r] < -0.3
    assert calm.world.attitude[t, r] == pytest.approx(0.0, abs=1e-9)


def test_backfire_works_against_the_patron(baseline, simulate):
    """Heavy pressure with backfire leaves the patron a smaller share of what its clients
    buy than the same pressure without it (pressure can push a client away)."""
    heavy = {"parameters.pressure_strength": 8.0, "parameters.pressure_backfire_threshold": 0.3}
    backfire = simulate(
        baseline, seed=1, overrides={**heavy, "parameters.pressure_backfire_rate": 3.0}
    )
    none = simulate(baseline, seed=1, overrides={**heavy, "parameters.pressure_backfire_rate": 0.0})
    for client in ("KAZ", "TKM"):
        assert yearly(backfire, "deliveries", client, "RUS", 2029) < 0.8 * yearly(
            none, "deliveries", client, "RUS", 2029
        )


def test_chinas_regional_turn_is_dated(baseline, default, simulate):
    """The first China-Central Asia summit (Xi'an, May 2023) raises the region's affinity
    with China from 2023-Q2 on."""
    before = _run_to(baseline, "2023-Q1")
    after = _run_to(baseline, "2023-Q2")
    k, c = before.world.idx("KAZ"), before.world.idx("CHN")
    assert after.world.affinity[k, c] == pytest.approx(before.world.affinity[k, c] + 0.1)
    without = simulate(without_label(baseline, "china_central_asia_2023"), seed=1)
    assert yearly(default, "arms_share", "KAZ", "CHN", 2030) > yearly(
        without, "arms_share", "KAZ", "CHN", 2030
    )


def test_an_alliances_credibility_can_fall(baseline, default, simulate):
    """Armenia 2023: alliance credibility can fall. A dated event lowers the CSTO's guarantee,
    and its members' threat rises."""
    ev = {
        "date": "2024-Q1",
        "type": "parameter",
        "target": "alliances.CSTO.security_guarantee",
        "value": 0.0,
    }
    fallen = simulate(load_scenario(baseline, {"events": [*baseline.to_dict()["events"], ev]}), 1)
    t = default.step_of("2024-Q2")
    assert np.array_equal(
        fallen.state("threat", "KAZ")[: t - 1], default.state("threat", "KAZ")[: t - 1]
    )
    assert fallen.state("threat", "KAZ")[t:].mean() > default.state("threat", "KAZ")[t:].mean()


def test_an_unknown_alliance_or_field_is_refused(baseline):
    from sim.errors import ScenarioError

    for target, words in (
        ("alliances.CSTTO.security_guarantee", "did you mean 'CSTO'"),
        ("alliances.CSTO.leader", "allowed: security_guarantee"),
    ):
        ev = {"date": "2024", "type": "parameter", "target": target, "value": 0.0}
        with pytest.raises(ScenarioError) as e:
            load_scenario(baseline, {"events": [*baseline.to_dict()["events"], ev]})
        assert words in str(e.value)


@pytest.mark.parametrize(
    "senders, target, words",
    [
        (["WEST"], "RUS", "is a sanctions target, not a conduit"),
        (["WEST", "WEST"], "KGZ", "a sender is named twice"),
    ],
)
def test_a_designation_names_a_regimes_senders_and_a_third_state(baseline, senders, target, words):
    from sim.errors import ScenarioError

    ev = {
        "date": "2025",
        "type": "designation",
        "senders": senders,
        "target": target,
        "intensity": 1,
    }
    with pytest.raises(ScenarioError) as e:
        load_scenario(baseline, {"events": [*baseline.to_dict()["events"], ev]})
    assert words in str(e.value)


def test_reexports_rows_are_the_conduits_only(default):
    """The tidy table keeps re-exports of states that can be conduits (not senders, not
    targets) to sanctions targets."""
    ts = default.model.recorder.frame()
    rows = ts[ts.metric == "reexports"][["state", "partner"]].drop_duplicates()
    assert set(rows.partner) == {"RUS"}
    assert "WEST" not in set(rows.state) and "RUS" not in set(rows.state)
    assert {"KGZ", "KAZ", "TUR", "CHN"} <= set(rows.state)


# ----------------------------------------------------------------------------- war
def test_a_war_diverts_the_suppliers_production_from_its_clients(baseline, default, simulate):
    """The war's own demand on Russian capacity (issue "after 2022", item 3): without it,
    Russia delivers more to its clients; with it, Russian exports fall by about half from 2021
    to 2023 (SIPRI: -52% in 2023 alone)."""
    peace = simulate(without_label(baseline, "russia_war_2022"), seed=1)
    t = default.step_of("2022-Q1")
    for client in ("KAZ", "TJK"):
        war_d = default.pair("deliveries", client, "RUS")
        peace_d = peace.pair("deliveries", client, "RUS")
        assert np.array_equal(war_d[:t], peace_d[:t])
        assert war_d[t + 4 :].sum() < 0.9 * peace_d[t + 4 :].sum()
    m = default.model
    r = m.world.idx("RUS")
    exports = [
        sum(yearly(default, "deliveries", s, "RUS", y) for s in m.world.ids if s != "RUS")
        for y in (2021, 2023)
    ]
    assert exports[1] < 0.65 * exports[0]
    # diverted, not destroyed: the capacity itself is the same with and without the war
    assert np.allclose(
        default.state("capacity", "RUS")[: t + 1], peace.state("capacity", "RUS")[: t + 1]
    )
    assert r >= 0


def test_a_war_is_checked_like_any_event(baseline):
    from sim.errors import ScenarioError

    for ev, words in (
        ({"state": "RUSSIA", "consumption": 0.3, "duration": 1}, "unknown state"),
        ({"state": "RUS", "consumption": 1.3, "duration": 1}, "consumption"),
    ):
        full = {"date": "2023", "type": "war", **ev}
        with pytest.raises(ScenarioError) as e:
            load_scenario(baseline, {"events": [*baseline.to_dict()["events"], full]})
        assert words in str(e.value)
