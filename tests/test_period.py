"""The compiled period and what feeds it: random draws, cache refreshes, world templates.

The period (:func:`sim.period.advance`) composes the rules' kernels; the rules' behaviour is
tested in ``test_rules.py`` and the model's in ``test_model.py``. Here: what the fusing could get
wrong on its own.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import sim.events
from sim.draws import BLOCK_BYTES, Draws
from sim.events import ALL, APPLY, EventQueue
from sim.model import MultivectorModel
from sim.recorder import PAIR_RAW, STATE_RAW
from sim.rules import threat
from sim.rules.trade import agreement_growth, grow_with_agreements
from sim.scenario import schema
from sim.scenario.generate import generate_scenario
from sim.scenario.loader import load_scenario
from sim.strategies import RULES
from sim.world import _build, build_world


def arrays(model: MultivectorModel) -> dict[str, np.ndarray]:
    pairs, states = model.recorder.arrays()
    return {
        **pairs,
        **states,
        "stock": model.world.stock,
        "capacity_base": model.world.capacity_base,
    }


def assert_same_run(a: MultivectorModel, b: MultivectorModel, tol: float = 0.0) -> None:
    """The same recorded outputs: equal, or within ``tol`` (relative and absolute)."""
    x, y = arrays(a), arrays(b)
    for k in x:
        if tol:
            np.testing.assert_allclose(x[k], y[k], rtol=tol, atol=tol, err_msg=k)
        else:
            assert np.array_equal(x[k], y[k]), k


EVENT_TYPES = set(schema.EVENT_TYPES)


@pytest.fixture(scope="module")
def eventful():
    """A generated world with every event type, and a sanctions-section regime that starts and
    ends mid-run (all the ways the model's caches can go stale)."""
    data = generate_scenario(12, seed=3, years=6)
    ids = list(data["states"])
    regime = data["sanctions"][0]
    data["sanctions"].append(
        {**regime, "id": "dated", "target": ids[-1], "start": "2022-Q2", "end": "2024-Q1"}
    )
    data["events"] += [
        {
            "date": "2022-Q3",
            "type": "sanction_imposed",
            "id": "late",
            "senders": regime["senders"],
            "target": ids[-2],
            "intensity": 0.5,
            "scope": ["arms", "trade"],
            "secondary": 0.3,
        },
        {"date": "2024-Q2", "type": "sanction_lifted", "id": "late"},
        {  # at the first step: the set-up must not see it
            "date": data["time"]["start"],
            "type": "conflict",
            "between": [ids[0], ids[3]],
            "intensity": 0.6,
            "duration": 1.0,
        },
        {"date": "2022-Q4", "type": "war", "state": ids[0], "consumption": 0.4, "duration": 1.5},
        {
            "date": "2023-Q4",
            "type": "alignment",
            "states": ids[2:5],
            "toward": ids[0],
            "change": 0.2,
        },
        {
            "date": "2023-Q2",
            "type": "designation",
            "senders": regime["senders"],
            "target": next(
                s
                for s in ids
                if s not in regime["senders"]
                and s not in {x["target"] for x in data["sanctions"]} | {ids[-2]}
            ),
            "intensity": 0.5,
        },
        {
            "date": "2023-Q1",
            "type": "parameter",
            "target": "parameters.weight_path",
            "op": "scale",
            "value": 1.5,
        },
        {
            "date": "2023-Q3",
            "type": "parameter",
            "target": f"links.{ids[0]}.{ids[1]}.affinity",
            "op": "set",
            "value": -0.5,
        },
    ]
    return load_scenario(data)


# ----------------------------------------------------------------------------- draws
class TestDraws:
    def test_same_seed_same_draws_and_blocks_follow_in_order(self):
        a = Draws(np.random.default_rng(5), n=3, steps=10)
        b = Draws(np.random.default_rng(5), n=3, steps=10)
        for t in range(10):
            ua, ea, za, ra = a.at(t)
            ub, _eb, zb, rb = b.at(t)
            assert np.array_equal(ua[ra], ub[rb]) and np.array_equal(za[ra], zb[rb])
        assert ua.shape == (10, 3) and ea.shape == (10, 3) and za.shape == (10, 3, 3)

    def test_steps_must_be_asked_for_in_order(self):
        d = Draws(np.random.default_rng(0), n=2, steps=4)
        d.block = 1
        d.start = -1
        d.at(2)
        with pytest.raises(ValueError, match="in order"):
            d.at(1)

    def test_skipping_steps_gives_the_same_draws_as_asking_for_each(self):
        step_by_step = Draws(np.random.default_rng(9), n=2, steps=6)
        skipping = Draws(np.random.default_rng(9), n=2, steps=6)
        for d in (step_by_step, skipping):
            d.block, d.start = 2, -2
        for t in range(5):
            u1, _, _, r1 = step_by_step.at(t)
        u2, _, _, r2 = skipping.at(4)
        assert np.array_equal(u1[r1], u2[r2])

    def test_a_block_is_bounded_in_memory_but_holds_at_least_one_step(self):
        big = Draws(np.random.default_rng(0), n=2000, steps=100)
        assert big.block == 1
        mid = Draws(np.random.default_rng(0), n=200, steps=400)
        assert 1 < mid.block < 400 and mid.block * 8 * (200 * 200 + 400) <= BLOCK_BYTES
        assert Draws(np.random.default_rng(0), n=9, steps=40).block == 40

    def test_parameters_scale_draws_but_do_not_shift_them(self, baseline):
        """Common random numbers: more utility noise leaves the shock history untouched."""
        a = MultivectorModel(baseline, seed=3, mesa_datacollector=False).run()
        noisy = MultivectorModel(
            baseline,
            seed=3,
            mesa_datacollector=False,
            choice_noise=3 * baseline.parameters.choice_noise,
        ).run()
        assert np.array_equal(a.world.threat_extra, noisy.world.threat_extra)
        assert not np.array_equal(
            a.recorder.pairs["deliveries"], noisy.recorder.pairs["deliveries"]
        )

    def test_no_noise_and_no_shocks_make_the_run_independent_of_the_seed(self, baseline):
        quiet = {"choice_noise": 0.0, "shock_rate": 0.0}
        a = MultivectorModel(baseline, seed=1, mesa_datacollector=False, **quiet).run()
        b = MultivectorModel(baseline, seed=2, mesa_datacollector=False, **quiet).run()
        assert_same_run(a, b)


def test_random_shocks_hit_where_the_uniform_is_below_the_chance_for_their_duration():
    extra = np.zeros((6, 3))
    threat.random_shocks(
        extra,
        1,
        uniform=np.array([0.05, 0.5, 0.09]),
        exponential=np.array([2.0, 3.0, 1.0]),
        chance=0.1,
        size=0.5,
        steps=2,
    )
    assert extra[:, 0].tolist() == [0, 1.0, 1.0, 0, 0, 0]
    assert not extra[:, 1].any()
    assert extra[:, 2].tolist() == [0, 0.5, 0.5, 0, 0, 0]
    threat.random_shocks(extra, 5, np.zeros(3), np.ones(3), chance=0.0, size=1.0, steps=3)
    assert extra[5].tolist() == [0, 0, 0]  # chance 0: nothing, even for a zero draw


def test_an_agreement_pulls_its_pair_onto_the_path_to_its_target():
    pot = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    factor = np.full((3, 3), 1.01)
    trade = pot.copy()
    new = grow_with_agreements(pot, factor, trade, [(0, 1, 8.0, 4)], t=0, strength=1.0)
    assert new[0, 1] == new[1, 0] == pytest.approx(2.0 * agreement_growth(2.0, 8.0, 5))
    assert new[0, 2] == pytest.approx(1.01) and new[1, 2] == pytest.approx(1.01)  # trend only
    after_due = grow_with_agreements(pot, factor, trade, [(0, 1, 8.0, 4)], t=5, strength=1.0)
    assert after_due[0, 1] == pytest.approx(2.02)


# ----------------------------------------------------------------------------- caches
@pytest.mark.parametrize("which", ["baseline", "eventful", "shocks"])
def test_refreshing_only_what_an_event_changed_gives_the_same_run_as_refreshing_all(
    which, baseline, eventful, monkeypatch
):
    """The fast run (dated events applied at set-up, caches refreshed only for what an event
    changed, quiet stretches in one compiled call) is the naive run: every event applied at
    its step and everything refreshed after every step, one step at a time. Up to rounding:
    a dated threat shock is added before the random shocks of earlier steps instead of after
    them (many random shocks: ``shocks``)."""
    sc = {"baseline": baseline, "eventful": eventful}.get(which) or load_scenario(
        baseline, {"parameters.shock_rate": 3.0}
    )
    selective = MultivectorModel(sc, seed=4, mesa_datacollector=False).run()
    full_refresh = MultivectorModel._refresh
    monkeypatch.setattr(
        MultivectorModel,
        "_refresh",
        lambda self, what=frozenset({ALL}): full_refresh(self, frozenset({ALL})),
    )
    fire = EventQueue.fire

    def fire_and_refresh_all(self: EventQueue, step: int) -> list:
        fired = fire(self, step)
        self.changed = {ALL}
        return fired

    monkeypatch.setattr(EventQueue, "fire", fire_and_refresh_all)
    monkeypatch.setattr(sim.events, "DATED", frozenset())  # apply every event at its step
    naive = MultivectorModel(sc, seed=4, mesa_datacollector=False)
    assert not naive.events._applied
    while naive.running:
        naive.step()
    assert_same_run(selective, naive, tol=1e-12)
    assert [(e.step, e.summary) for e in selective.events.log] == [
        (e.step, e.summary) for e in naive.events.log
    ]


def test_dated_events_are_applied_at_set_up_and_logged_at_their_step(baseline):
    m = MultivectorModel(baseline, seed=4, mesa_datacollector=False)
    orders = [e for e in baseline.events if e.type == "arms_order"]
    assert orders and m.world.scheduled.sum() > 0  # the orders' deliveries are booked
    step = baseline.time.axis.index(orders[-1].date)
    assert step not in m.events.python_steps or any(
        type(e) not in sim.events.DATED for e in m.events.by_step[step]
    )
    m.run()
    logged = [e for e in m.events.log if e.type == "arms_order"]
    assert [e.step for e in logged] == sorted(baseline.time.axis.index(o.date) for o in orders)


def test_every_event_type_is_in_the_eventful_world(eventful):
    assert {e.type for e in eventful.events} == EVENT_TYPES
    assert {e.type for e in eventful.events} == {
        cls.model_fields["type"].annotation.__args__[0] for cls in APPLY
    }


def test_models_of_one_scenario_start_from_the_same_world_and_do_not_share_it(
    baseline, monkeypatch
):
    first = MultivectorModel(baseline, seed=1, mesa_datacollector=False)
    first.world.params.choice_noise = 99.0  # what a run (or a parameter event) could change
    first.world.affinity[0, 1] = -1.0
    first.run()
    second = MultivectorModel(baseline, seed=1, mesa_datacollector=False)
    # no cached template: built from scratch (and copied: a template shares its zero arrays)
    monkeypatch.setattr("sim.model.build_world", lambda sc: _build.__wrapped__(sc).copy())
    fresh = MultivectorModel(baseline, seed=1, mesa_datacollector=False)
    arrays = {k: v for k, v in vars(second.world).items() if isinstance(v, np.ndarray)}
    for name, value in vars(fresh.world).items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(getattr(second.world, name), value), name
            assert not np.shares_memory(getattr(second.world, name), getattr(first.world, name))
    for a, x in arrays.items():  # no two fields of a model's world share memory
        for b, y in arrays.items():
            assert a == b or not np.shares_memory(x, y), (a, b)
    assert vars(second.world.params) == vars(fresh.world.params)
    assert second.world.sanctions.keys() == fresh.world.sanctions.keys()
    for k, r in second.world.sanctions.items():
        f = fresh.world.sanctions[k]
        assert (r.active, r.intensity, r.scope, r.target) == (
            f.active,
            f.intensity,
            f.scope,
            f.target,
        )
        assert np.array_equal(r.senders, f.senders)
    second.run()
    fresh.run()
    assert_same_run(second, fresh)
    assert build_world(baseline) is not build_world(baseline)


# ----------------------------------------------------------------------------- record
def test_the_period_records_the_world_as_it_is_after_the_step(baseline):
    m = MultivectorModel(baseline, seed=2, mesa_datacollector=False)
    w = m.world
    for t in range(6):
        m.step()
        now = {
            "arms_share": w.stock_shares(),
            "trade_share": w.trade / w.trade.sum(1, keepdims=True),
            "deliveries": w.deliveries,
            "trade": w.trade,
            "compliance": w.compliance,
            "reexports": w.reexports,
            "pressure": w.pressure.T,
            "arms_budget": w.budget,
            "capacity": w.capacity,
            "reliability": w.reliability,
            "input_loss": w.input_loss,
            "threat": w.threat,
        }
        assert set(now) == set(PAIR_RAW) | set(STATE_RAW)
        rec = {**m.recorder.pairs, **m.recorder.states}
        for name, value in now.items():
            np.testing.assert_allclose(rec[name][t], value, rtol=1e-12, atol=1e-15, err_msg=name)
    assert m.recorder.n_steps == 6


# ----------------------------------------------------------------------------- strategies
def test_each_state_decides_its_own_policy_row(baseline):
    m = MultivectorModel(
        baseline,
        seed=1,
        mesa_datacollector=False,
        overrides={
            "parameters.hedge_weight": 2.5,
            "parameters.autarky_investment": 0.1,
            "states.UZB.strategy": "autarky",
        },
    )
    w, pol = m.world, m.policies.arrays
    for a in m.state_agents:
        assert a.policy is m.policies.policies[a.index]
        assert pol.rules[a.index].tolist() == list(a.policy.rules.row())
    col = RULES.index
    kaz, uzb, tjk = w.idx("KAZ"), w.idx("UZB"), w.idx("TJK")
    assert pol.rules[kaz, col("hedge")] == 2.5 and pol.invest[kaz] == 0.0
    assert pol.invest[uzb] == 0.1 and pol.prefer[uzb, uzb] == baseline.parameters.autarky_bonus
    assert pol.follows[tjk] and not pol.follows[kaz]


def test_a_parameter_event_makes_static_strategies_decide_again(baseline):
    ev = {
        "date": "2023-Q1",
        "type": "parameter",
        "target": "parameters.hedge_weight",
        "op": "set",
        "value": 4.0,
    }
    m = MultivectorModel(
        baseline,
        seed=1,
        mesa_datacollector=False,
        overrides={"events": [*baseline.to_dict()["events"], ev]},
    )
    kaz = m.world.idx("KAZ")
    step = m.world.axis.labels().index("2023-Q1")
    for _ in range(step):
        m.step()
    assert m.policies.arrays.rules[kaz, RULES.index("hedge")] == baseline.parameters.hedge_weight
    m.step()
    assert m.policies.arrays.rules[kaz, RULES.index("hedge")] == 4.0


def test_a_change_by_hand_then_refresh_is_the_same_as_a_parameter_event(baseline):
    """Notebook users may poke the world between steps; refresh() takes the change in."""
    t = 12
    data = baseline.to_dict()
    data["events"].append(
        {
            "date": baseline.time.axis.label(t),
            "type": "parameter",
            "target": "parameters.weight_path",
            "op": "set",
            "value": 0.5,
        }
    )
    by_event = MultivectorModel(load_scenario(data), seed=5, mesa_datacollector=False).run()
    by_hand = MultivectorModel(baseline, seed=5, mesa_datacollector=False)
    for _ in range(t):
        by_hand.step()
    by_hand.world.params.weight_path = 0.5
    by_hand.refresh()
    by_hand.run()
    assert_same_run(by_event, by_hand)
    unchanged = MultivectorModel(baseline, seed=5, mesa_datacollector=False).run()
    assert not np.array_equal(
        unchanged.recorder.pairs["deliveries"], by_event.recorder.pairs["deliveries"]
    )  # the change matters


def test_stepping_past_the_end_changes_nothing(baseline):
    m = MultivectorModel(baseline, seed=1, mesa_datacollector=False).run()
    before = {k: v.copy() for k, v in arrays(m).items()}
    for _ in range(3):
        m.step()  # mesa's page may step past the end within one render interval
    assert not m.running
    after = arrays(m)
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert m.recorder.n_steps == baseline.time.axis.n


def test_the_scenario_memo_is_safe_across_threads():
    import threading

    from sim.scenario.memo import by_scenario

    @by_scenario(maxsize=4)
    def derive(o):
        return id(o)

    objs = [object() for _ in range(16)]
    errors: list[str] = []

    def work(k: int) -> None:
        try:
            for i in range(20000):  # a hit on objs[k] after a likely eviction by another thread
                assert derive(objs[(i * 7 + k) % 16]) == id(objs[(i * 7 + k) % 16])
                assert derive(objs[k]) == id(objs[k])
        except Exception as e:  # noqa: BLE001 - collected for the assertion below
            errors.append(repr(e))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so a race shows
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


@pytest.mark.parametrize("which", ["baseline", "eventful"])
def test_run_in_quiet_spans_is_the_same_run_as_step_by_step(which, baseline, eventful):
    sc = baseline if which == "baseline" else eventful
    fast = MultivectorModel(sc, seed=4, mesa_datacollector=False).run()
    slow = MultivectorModel(sc, seed=4, mesa_datacollector=False)
    while slow.running:
        slow.step()
    assert fast.steps == slow.steps == sc.time.axis.n
    assert_same_run(fast, slow)
    assert [e.summary for e in fast.events.log] == [e.summary for e in slow.events.log]


def test_an_adaptive_strategy_sees_the_conflicts_under_way_at_the_step_it_decides(eventful):
    """Rivalry is set by the period from the dated conflicts; a strategy deciding at step t
    must still see the conflicts that start (and not those that end) at t."""
    m = MultivectorModel(eventful, seed=4, mesa_datacollector=False, decide_every_step=True)
    seen: dict[int, np.ndarray] = {}
    agent = m.state_agents[0]
    decide = agent.strategy.decide

    def watching(me, world):  # type: ignore[no-untyped-def]
        seen[world.step] = np.array(world.rivalry)
        return decide(me, world)

    agent.strategy.decide = watching  # type: ignore[method-assign]
    m.run()
    w = m.world
    assert w.conflicts, "the eventful world has conflicts"
    assert {s for s, e, *_ in w.conflicts} | {e for s, e, *_ in w.conflicts} <= set(seen)
    for t in sorted(seen):  # every step (the links' rivalry does not change in this world)
        expected = w.rivalry_base.copy()
        for start, end, a, b, x in w.conflicts:
            if start <= t < end:
                expected[a, b] = expected[b, a] = min(1.0, expected[a, b] + x)
        assert np.array_equal(seen[t], expected), t
    assert any(not np.array_equal(v, w.rivalry_base) for v in seen.values())


def test_a_production_deal_adds_its_line_at_its_step_not_before(baseline):
    deal = next(e for e in baseline.events if e.type == "production_deal")
    m = MultivectorModel(baseline, seed=4, mesa_datacollector=False)
    w = m.world
    p, lic = w.idx(deal.producer), w.idx(deal.licensor)
    start = baseline.time.axis.index(deal.date)
    before = w.licensed_target[p, lic]
    while m.steps < start:  # steps 0 .. start - 1
        m.step()
    assert w.licensed_target[p, lic] == before and w.licensed[p, lic] == 0.0
    m.step()  # the deal's step
    assert w.licensed_target[p, lic] == pytest.approx(before + deal.capacity)
    assert w.licensed[p, lic] > 0.0


def test_the_set_up_comes_before_a_conflict_at_the_first_step(baseline):
    """Orders placed before the run are seeded from the world before its first step: a
    conflict dated at the first step (applied with the dated events at set-up) must not
    change them, even for a state that balances against its foe."""

    def model(intensity: float) -> MultivectorModel:
        data = baseline.model_dump(mode="json")
        data["states"]["KAZ"]["strategy"] = "balance"
        data["events"].append(
            {
                "date": data["time"]["start"],
                "type": "conflict",
                "between": ["KAZ", "CHN"],
                "intensity": intensity,
                "duration": 1.0,
            }
        )
        return MultivectorModel(load_scenario(data), seed=4, mesa_datacollector=False)

    calm, war = model(0.0), model(1.0)
    assert np.array_equal(calm.world.pipeline, war.world.pipeline)
    assert np.array_equal(war.world.rivalry, war.world.rivalry_base)
    war.step()  # the conflict is under way from the first step
    k, c = war.world.idx("KAZ"), war.world.idx("CHN")
    assert war.world.rivalry[k, c] == 1.0 > war.world.rivalry_base[k, c]
