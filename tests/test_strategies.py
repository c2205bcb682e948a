"""Each strategy behaves as its docstring says, and every strategy keeps the contract.

In the manner of Axelrod's strategy tests:

* :class:`TestPlayer`: the contract every registered strategy (built-ins and the shipped
  examples) inherits: a name, a docstring, a classifier; a valid :class:`Policy` on a small
  hand-made world for every state; the same policy whatever the world when it says it does not
  adapt; a full run of the small world with every state playing it;
* the standing rules on hand-made arrays (what each rule changes, and nothing else);
* a small scripted world (``small_world`` fixture: importer IMP, patron PAT, drone seller ALT,
  big power BIG), each strategy against the same world with that strategy's own parameters
  switched off (same seed), so the difference is the strategy's doing;
* the default scenario: the four strategies give Kazakhstan visibly different, and
  differently-directed, outcomes.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sim.decide import PolicyBook
from sim.metrics import hhi
from sim.rules.choice import adjust, comply, most_threatening, strongest_friend, targets
from sim.rules.procurement import logit_shares
from sim.scenario.parameters import Parameters
from sim.scenario.schema import State
from sim.strategies import (
    BUILTIN,
    Autarky,
    Balance,
    Bandwagon,
    MultiVector,
    Policy,
    PolicyError,
    Rules,
    Strategy,
    builtin_names,
)
from sim.strategies.loading import load_strategy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "strategies"


def params(**changes) -> SimpleNamespace:
    d = Parameters().model_dump()
    d.update(changes)
    return SimpleNamespace(**d)


# ----------------------------------------------------------------------------- the registry
def test_one_registry_names_every_builtin_and_the_schema_reads_it():
    assert builtin_names() == ("multi_vector", "bandwagon", "balance", "autarky")
    extra = State.model_json_schema()["properties"]["strategy"]["anyOf"]
    assert extra[0]["enum"] == list(builtin_names())
    for name, cls in BUILTIN.items():
        assert cls.name == name and cls.__doc__


def test_the_rule_table_columns_are_the_fields_of_rules():
    from sim.rules.choice import FOE_BONUS, FOE_PENALTY, FOLLOW_BONUS, FOLLOW_CUT, HEDGE
    from sim.strategies import RULES

    assert [
        RULES.index(k)
        for k in (
            "hedge",
            "follow_bonus",
            "follow_compliance_cut",
            "foe_penalty",
            "foe_rival_bonus",
        )
    ] == [HEDGE, FOLLOW_BONUS, FOLLOW_CUT, FOE_PENALTY, FOE_BONUS]
    r = Rules(hedge=1.0, foe_rival_bonus=2.0)
    assert r.row() == tuple(getattr(r, k) for k in RULES)


def test_a_user_subclass_is_not_registered_as_a_builtin():
    class Mine(Strategy):
        """Mine."""

        name = "mine"

    assert "mine" not in BUILTIN


def test_overriding_decide_makes_a_subclass_adaptive_unless_it_says_otherwise():
    class Reads(MultiVector):
        """Reads the world."""

        def decide(self, me, world):
            return Policy()

    class Promises(MultiVector):
        """Promises not to."""

        classifier = {"adaptive": False}

        def decide(self, me, world):
            return Policy()

    assert not MultiVector().adaptive
    assert Reads().adaptive and not Promises().adaptive
    assert Reads.classifier["family"] == "hedging"  # the rest is inherited


# ----------------------------------------------------------------------------- the policy
class TestPolicy:
    def test_every_field_is_optional_and_the_default_is_neutral(self):
        p = Policy()
        assert (
            dict(p.prefer),
            p.precision,
            dict(p.comply),
            p.invest,
            dict(p.trade),
            p.pressure,
            p.rules,
        ) == ({}, 1.0, {}, 0.0, {}, 1.0, Rules())

    @pytest.mark.parametrize(
        "kwargs, field",
        [
            ({"precision": 0.0}, "precision"),
            ({"precision": float("nan")}, "precision"),
            ({"invest": 1.5}, "invest"),
            ({"comply": {"RUS": 1.2}}, "comply"),
            ({"comply": {"RUS": True}}, "comply"),
            ({"prefer": {"TUR": "a lot"}}, "prefer"),
            ({"prefer": ["TUR"]}, "prefer"),
            ({"trade": {"TUR": 0.0}}, "trade"),
            ({"pressure": -1.0}, "pressure"),
            ({"rules": {"hedge": 1.0}}, "rules"),
        ],
    )
    def test_a_bad_value_is_refused_naming_the_field(self, kwargs, field):
        with pytest.raises(PolicyError, match=field):
            Policy(**kwargs)

    def test_a_policy_cannot_be_changed_after_it_is_made(self):
        p = Policy(prefer={"TUR": 1.0})
        with pytest.raises(TypeError):
            p.prefer["TUR"] = 5.0  # type: ignore[index]
        with pytest.raises(AttributeError):
            p.precision = 2.0  # type: ignore[misc]

    def test_the_book_refuses_unknown_ids_and_names_the_allowed_ones(self):
        book = PolicyBook(("A", "B", "C"), [["B"], [], []], ["r1"], 0.25)
        with pytest.raises(PolicyError, match=r"prefer: unknown state 'X' \(states: A, B, C\)"):
            book.write(0, Policy(prefer={"X": 1.0}))
        with pytest.raises(PolicyError, match=r"comply: unknown regime or state 'r9'.*r1"):
            book.write(0, Policy(comply={"r9": 0.0}))
        with pytest.raises(PolicyError, match="pressure: 'C' is not a client of A"):
            book.write(0, Policy(pressure={"C": 2.0}))
        with pytest.raises(PolicyError, match="the state itself"):
            book.write(1, Policy(trade={"B": 2.0}))

    def test_the_book_writes_each_field_into_the_states_row(self):
        book = PolicyBook(("A", "B", "C"), [["B"], [], []], ["r1"], 0.5)
        book.write(
            0,
            Policy(
                prefer={"C": 2.0},
                precision=3.0,
                invest=0.1,
                trade={"B": 4.0},
                pressure={"B": 0.0},
                rules=Rules(hedge=1.5, follow_bonus=1.0),
            ),
        )
        book.write(1, Policy(trade={"A": 4.0}))
        a = book.arrays
        assert a.prefer[0].tolist() == [0.0, 0.0, 2.0] and not a.prefer[1:].any()
        assert a.precision.tolist() == [3.0, 1.0, 1.0] and a.invest.tolist() == [0.1, 0, 0]
        assert a.trade_tilt[0, 1] == a.trade_tilt[1, 0] == pytest.approx(16.0**0.5)
        assert a.trade_tilt[0, 2] == 1.0
        assert a.pressure_scale[0].tolist() == [1.0, 0.0, 1.0]
        assert a.rules[0, 0] == 1.5 and a.follows[0] and not a.balances[0]


# ----------------------------------------------------------------------------- the contract
def small_model(small_world, strategy: str, params_: dict | None = None, every: bool = False):
    """The small world with every state playing ``strategy``."""
    from sim.model import MultivectorModel

    d = small_world()
    for st in d["states"].values():
        st["strategy"] = strategy
        if params_:
            st["strategy_params"] = params_
    return MultivectorModel(d, seed=2, mesa_datacollector=False, decide_every_step=every)


CONTRACT = [
    *builtin_names(),
    f"{EXAMPLES / 'prefer_turkiye.py'}:PreferTurkiye",
    f"{EXAMPLES / 'least_exposed.py'}:LeastExposed",
]


@pytest.mark.parametrize("spec", CONTRACT, ids=lambda s: s.rsplit(":", 1)[-1])
class TestPlayer:
    """The contract of every registered strategy (inherited, as in Axelrod's TestPlayer)."""

    def test_has_a_name_a_docstring_and_a_classifier(self, spec):
        cls = load_strategy(spec)
        assert cls.name.isidentifier() and (cls.__doc__ or "").strip()
        assert {"adaptive", "stochastic", "family"} <= set(cls.classifier)

    def test_decides_a_valid_policy_for_every_state_of_a_small_world(self, spec, small_world):
        params_ = {"supplier": "ALT"} if spec.endswith("PreferTurkiye") else None
        m = small_model(small_world, spec, params_)
        for a in m.state_agents:
            pol = a.decide()
            assert isinstance(pol, Policy)
            m.policies.write(a.index, pol)  # names only ids of the world

    def test_a_strategy_that_does_not_adapt_decides_the_same_whatever_the_world(
        self, spec, small_world
    ):
        params_ = {"supplier": "ALT"} if spec.endswith("PreferTurkiye") else None
        m = small_model(small_world, spec, params_)
        if m.state_agents[0].strategy.adaptive:
            pytest.skip("adaptive: may change its mind")
        before = [a.decide() for a in m.state_agents]
        for _ in range(8):
            m.step()
        m.world.stock[:] = m.world.stock[:, ::-1]  # a very different world
        assert [a.decide() for a in m.state_agents] == before

    def test_runs_a_whole_small_world_with_finite_shares(self, spec, small_world):
        params_ = {"supplier": "ALT"} if spec.endswith("PreferTurkiye") else None
        m = small_model(small_world, spec, params_).run()
        shares = m.recorder.arrays()[0]["arms_share"]
        assert np.isfinite(shares).all() and (shares >= 0).all()
        assert np.allclose(shares.sum(axis=2)[:, :1], 1.0)

    def test_asked_every_step_it_gives_the_same_run_as_on_its_own_schedule(self, spec, small_world):
        params_ = {"supplier": "ALT"} if spec.endswith("PreferTurkiye") else None
        fast = small_model(small_world, spec, params_).run()
        slow = small_model(small_world, spec, params_, every=True).run()
        assert np.array_equal(fast.recorder.pair_block, slow.recorder.pair_block)


# ----------------------------------------------------------------------------- the rules
# States of the hand-made arrays: 0 importer, 1 patron (dominant in 0's stock), 2 drone seller
# (hostile to the patron), 3 big distant power, 4 a second importer that must stay untouched.
IMP, PAT, ALT, BIG, OTHER = range(5)
IDS = ("IMP", "PAT", "ALT", "BIG", "OTHER")


def world(**changes) -> SimpleNamespace:
    n = 5
    aff = np.eye(n)
    for a, b, x in [
        (IMP, PAT, 0.6),
        (IMP, ALT, 0.5),
        (IMP, BIG, 0.2),
        (PAT, ALT, -0.5),
        (PAT, BIG, -0.6),
        (OTHER, PAT, 0.5),
        (OTHER, ALT, 0.5),
        (OTHER, BIG, 0.5),
    ]:
        aff[a, b] = aff[b, a] = x
    stock = np.zeros((n, n))
    stock[IMP] = [0.05, 0.85, 0.05, 0.05, 0.0]
    stock[OTHER] = [0.0, 0.5, 0.25, 0.25, 0.0]
    for i in (PAT, ALT, BIG):
        stock[i, i] = 1.0
    args = dict(
        stock_share=stock,
        affinity=aff,
        rivalry=np.zeros((n, n)),
        pressure=np.zeros((n, n)),
        power=np.array([0.01, 30.0, 5.0, 100.0, 0.0]),
        exports=np.array([False, True, True, True, False]),
        diversification=np.array([0.6, 0.0, 0.0, 0.0, 0.6]),
        patrons=np.zeros((n, n), bool),
        params=params(),
    )
    args.update(changes)
    return SimpleNamespace(**args)


def decided(strategy: Strategy, w: SimpleNamespace, rows=(IMP,)) -> PolicyBook:
    """The book with ``rows`` playing ``strategy`` (the others: the empty policy)."""
    book = PolicyBook(IDS, [[] for _ in IDS], [], 0.25)
    for i in rows:
        me = SimpleNamespace(state_id=IDS[i])
        book.write(i, strategy.decide(me, SimpleNamespace(params=w.params)))  # type: ignore[arg-type]
    return book


def shares_after(strategy: Strategy, w: SimpleNamespace, precision: float = 4.0):
    book = decided(strategy, w)
    pol = book.arrays
    friend, foe = targets(pol, w.power, w.affinity, w.exports, w.patrons, w.pressure, w.rivalry)
    u = np.zeros((5, 5))  # a common utility, equal for all suppliers
    adjust(u, pol, w.diversification, w.stock_share, w.affinity, friend, foe)
    return u, logit_shares(u, precision * pol.precision, np.ones((5, 5), bool))


def test_the_empty_policy_changes_nothing():
    u, s = shares_after(Strategy(), world())
    assert np.all(u == 0.0) and np.allclose(s, 0.2)


class TestMultiVector:
    def test_penalises_each_supplier_by_current_dependence_times_diversification(self):
        w = world(params=params(hedge_weight=1.5))
        u, _ = shares_after(MultiVector(), w)
        assert u[IMP] == pytest.approx(-1.5 * 0.6 * w.stock_share[IMP])
        assert u[IMP].argmin() == PAT  # the dominant supplier loses most
        assert np.all(u[OTHER] == 0.0)  # only the states that play it

    def test_no_diversification_weight_no_penalty(self):
        u, _ = shares_after(MultiVector(), world(diversification=np.zeros(5)))
        assert np.all(u == 0.0)

    def test_choice_is_less_concentrated_than_without_hedging(self):
        w = world()
        base = np.zeros((5, 5))
        base[IMP] = [0.0, 1.0, 0.4, 0.2, -9.0]  # the patron is the best buy on the merits
        plain = logit_shares(base, np.full(5, 4.0), np.ones((5, 5), bool))
        pol = decided(MultiVector(), w).arrays
        hedged = base.copy()
        adjust(
            hedged,
            pol,
            w.diversification,
            w.stock_share,
            w.affinity,
            np.full(5, -1),
            np.full(5, -1),
        )
        s = logit_shares(hedged, 4.0 * pol.precision, np.ones((5, 5), bool))
        assert pol.precision[IMP] < 1.0
        assert s[IMP, PAT] < plain[IMP, PAT]
        assert hhi(s[IMP]) < hhi(plain[IMP])


class TestBandwagon:
    def test_strongest_friend_is_the_exporter_with_most_power_times_affinity(self):
        w = world()
        rows = np.array([IMP])
        # BIG: 100 x 0.2 = 20 beats PAT: 30 x 0.6 = 18
        assert strongest_friend(w.power, w.affinity, w.exports, None, rows).tolist() == [BIG]
        aff = w.affinity.copy()
        aff[IMP, BIG] = aff[BIG, IMP] = 0.1  # 10 < 18
        assert strongest_friend(w.power, aff, w.exports, None, rows).tolist() == [PAT]

    def test_a_state_with_a_friendly_patron_follows_its_patron_not_a_bigger_stranger(self):
        w = world()
        rows = np.array([IMP])
        patrons = np.zeros((5, 5), bool)
        patrons[IMP, PAT] = True  # BIG scores higher (20 > 18), but PAT is IMP's patron
        assert strongest_friend(w.power, w.affinity, w.exports, patrons, rows).tolist() == [PAT]
        aff = w.affinity.copy()
        aff[IMP, PAT] = aff[PAT, IMP] = -0.5  # a hostile patron is not followed
        assert strongest_friend(w.power, aff, w.exports, patrons, rows).tolist() == [BIG]

    def test_in_the_baseline_tajikistan_bandwagons_on_russia(self, baseline):
        from sim.model import MultivectorModel

        m = MultivectorModel(baseline, seed=1, mesa_datacollector=False)
        friend, _ = model_targets(m)
        assert m.world.ids[friend[m.world.idx("TJK")]] == "RUS"

    def test_hostile_non_exporting_and_self_are_never_followed(self):
        w = world()
        rows = np.array([IMP])
        aff = -np.ones((5, 5))
        np.fill_diagonal(aff, 1.0)
        assert strongest_friend(w.power, aff, w.exports, None, rows).tolist() == [-1]
        assert strongest_friend(
            np.array([1e6, 30, 5, 100, 0.0]), w.affinity, np.zeros(5, bool), None, rows
        ).tolist() == [-1]

    def test_adds_the_bonus_to_the_friend_and_concentrates_on_it(self):
        w = world(params=params(bandwagon_bonus=2.0))
        u, s = shares_after(Bandwagon(), w)
        expected = np.zeros(5)
        expected[BIG] = 2.0
        assert u[IMP] == pytest.approx(expected)
        _, plain = shares_after(Strategy(), w)
        assert s[IMP, BIG] > plain[IMP, BIG]
        assert hhi(s[IMP]) > hhi(plain[IMP])

    def test_cuts_compliance_only_with_sanctions_on_the_power_it_follows(self):
        w = world(params=params(bandwagon_compliance=0.5))
        pol = decided(Bandwagon(), w).arrays._replace(comply=np.full((1, 5), np.nan))
        friend = np.array([BIG, -1, -1, -1, -1])
        c = np.full(5, 0.8)
        comply(c, pol, 0, BIG, friend)
        assert c[IMP] == pytest.approx(0.4) and c[OTHER] == 0.8
        c = np.full(5, 0.8)
        comply(c, pol, 0, PAT, friend)
        assert c[IMP] == 0.8  # sanctions on someone else: no change


class TestBalance:
    def test_most_threatening_weighs_pressure_rivalry_and_hostility_by_power(self):
        w = world()
        rows = np.array([IMP])

        def foe(pressure=w.pressure, rivalry=w.rivalry):
            return most_threatening(pressure, rivalry, w.affinity, w.power, rows).tolist()

        assert foe() == [-1]  # nobody menaces IMP
        pr = np.zeros((5, 5))
        pr[PAT, IMP] = 0.3  # the patron presses its client
        assert foe(pressure=pr) == [PAT]
        riv = np.zeros((5, 5))
        riv[IMP, ALT] = riv[ALT, IMP] = 0.5
        assert foe(rivalry=riv) == [ALT]
        riv[IMP, BIG] = riv[BIG, IMP] = 0.1  # weaker rivalry, but 20x the power
        assert foe(rivalry=riv) == [BIG]

    def test_penalises_the_foe_and_favours_suppliers_hostile_to_it(self):
        pr = np.zeros((5, 5))
        pr[PAT, IMP] = 0.3
        w = world(pressure=pr, params=params(balance_penalty=2.0, balance_bonus=1.0))
        u, s = shares_after(Balance(), w)
        assert u[IMP, PAT] == pytest.approx(-2.0)
        assert u[IMP, BIG] == pytest.approx(0.6)  # hostility of BIG to PAT
        assert u[IMP, ALT] == pytest.approx(0.5)
        assert u[IMP, IMP] == 0.0
        _, plain = shares_after(Strategy(), w)
        assert s[IMP, PAT] < plain[IMP, PAT]
        assert s[IMP, BIG] > s[IMP, ALT] > plain[IMP, ALT]

    def test_without_a_threat_balance_does_nothing(self):
        u, _ = shares_after(Balance(), world())
        assert np.all(u == 0.0)


class TestAutarky:
    def test_favours_own_industry(self):
        w = world(params=params(autarky_bonus=2.5))
        u, s = shares_after(Autarky(), w)
        expected = np.zeros(5)
        expected[IMP] = 2.5
        assert u[IMP] == pytest.approx(expected)
        assert s[IMP].argmax() == IMP

    def test_invests_a_fraction_of_its_arms_budget_in_capacity(self):
        w = world(params=params(autarky_investment=0.05))
        book = decided(Autarky(), w, rows=(IMP, OTHER))
        assert book.arrays.invest.tolist() == [0.05, 0, 0, 0, 0.05]


# ----------------------------------------------------------------------------- scripted world
OFF = {  # each strategy's own parameters, switched off
    "multi_vector": {"parameters.hedge_weight": 0.0, "parameters.hedge_precision": 1.0},
    "bandwagon": {
        "parameters.bandwagon_bonus": 0.0,
        "parameters.bandwagon_precision": 1.0,
        "parameters.bandwagon_compliance": 0.0,
    },
    "balance": {"parameters.balance_penalty": 0.0, "parameters.balance_bonus": 0.0},
    "autarky": {"parameters.autarky_bonus": 0.0, "parameters.autarky_investment": 0.0},
}


@pytest.fixture
def on_off(small_world, simulate):
    """Run the small world with IMP following ``strategy``, with and without its parameters."""

    def go(strategy: str):
        world_ = small_world(strategy)
        return simulate(world_, seed=3), simulate(world_, seed=3, overrides=OFF[strategy])

    return go


def end(sim, metric, state, partner=None):
    return (sim.state(metric, state) if partner is None else sim.pair(metric, state, partner))[-1]


def model_targets(model) -> tuple[np.ndarray, np.ndarray]:
    """(friend, foe) of every state of a model, as its rules see them now."""
    w = model.world
    return targets(
        model.policies.arrays,
        w.capacity * w.capability,
        w.affinity,
        w.exports,
        model.patrons,
        w.pressure,
        w.rivalry,
    )


def friend_of(sim, state: str) -> str:
    friend, _ = model_targets(sim.model)
    return sim.model.world.ids[friend[sim.ix(state)]]


def test_in_a_scripted_world_multi_vector_hedges_away_from_the_patron(on_off):
    on, off = on_off("multi_vector")
    assert end(on, "arms_hhi", "IMP") < end(off, "arms_hhi", "IMP") - 0.02
    assert end(on, "arms_share", "IMP", "PAT") < end(off, "arms_share", "IMP", "PAT")


def test_in_a_scripted_world_bandwagon_follows_the_patron_and_shields_it(on_off):
    on, off = on_off("bandwagon")
    assert friend_of(on, "IMP") == "PAT"  # the world is built so that PAT is followed
    assert end(on, "arms_share", "IMP", "PAT") > end(off, "arms_share", "IMP", "PAT")
    assert end(on, "arms_hhi", "IMP") > end(off, "arms_hhi", "IMP")
    ratio = end(on, "compliance", "IMP", "PAT") / end(off, "compliance", "IMP", "PAT")
    assert ratio == pytest.approx(1.0 - Parameters().bandwagon_compliance, rel=0.05)


def test_in_a_scripted_world_balance_turns_from_the_menacing_patron_to_its_adversary(on_off):
    on, off = on_off("balance")
    assert end(on, "arms_share", "IMP", "PAT") < end(off, "arms_share", "IMP", "PAT") - 0.05
    assert end(on, "arms_share", "IMP", "BIG") > end(off, "arms_share", "IMP", "BIG")
    bought_on = on.pairs["deliveries"][:, on.ix("IMP")].sum(axis=0)
    bought_off = off.pairs["deliveries"][:, off.ix("IMP")].sum(axis=0)
    assert bought_on[on.ix("BIG")] > bought_off[off.ix("BIG")]


def test_in_a_scripted_world_autarky_builds_and_buys_its_own_industry(on_off):
    on, off = on_off("autarky")
    assert end(on, "arms_share", "IMP", "IMP") > 2 * end(off, "arms_share", "IMP", "IMP")
    assert end(on, "capacity", "IMP") > end(off, "capacity", "IMP")
    assert on.state("capacity", "IMP")[0] < end(on, "capacity", "IMP")  # it grows over the run


# ----------------------------------------------------------------------------- policies at work
def with_strategy(small_world, simulate, code: str, cls: str, tmp_path, state="IMP", **kw):
    """Run the small world with ``state`` playing a strategy written in a file."""
    f = tmp_path / f"{cls.lower()}.py"
    f.write_text("from sim import Policy, Rules, Strategy\n\n" + code)
    d = small_world()
    d["states"][state]["strategy"] = f"{f}:{cls}"
    return simulate(d, seed=3, **kw)


def playing(small_world, simulate, tmp_path, policy: str, state="IMP"):
    """Run the small world with ``state`` playing a strategy that returns ``policy`` (the text
    of a Policy(...) expression; ``world`` is in scope) every step."""
    code = (
        'class Fixed(Strategy):\n    """Returns one policy."""\n'
        f"    def decide(self, me, world):\n        return {policy}\n"
    )
    return with_strategy(small_world, simulate, code, "Fixed", tmp_path, state=state)


def test_a_strategy_that_prefers_the_drone_seller_buys_from_it(small_world, simulate, tmp_path):
    plain = simulate(small_world("multi_vector"), seed=3)
    pref = playing(small_world, simulate, tmp_path, 'Policy(prefer={"ALT": 2.0})')
    assert end(pref, "arms_share", "IMP", "ALT") > end(plain, "arms_share", "IMP", "ALT") + 0.05
    assert (
        pref.pairs["deliveries"][:, pref.ix("IMP"), pref.ix("ALT")].sum()
        > plain.pairs["deliveries"][:, plain.ix("IMP"), plain.ix("ALT")].sum()
    )


def test_an_adaptive_python_hedger_matches_the_compiled_hedging_rule(
    small_world, simulate, tmp_path
):
    """The standing rule ``hedge`` means what a strategy reading its shares would do."""
    rule = simulate(small_world("multi_vector"), seed=3)
    python = with_strategy(
        small_world,
        simulate,
        '''
class Hedger(Strategy):
    """multi_vector, re-decided every step in Python from the shares it sees."""
    name = "hedger"
    def decide(self, me, world):
        p = world.params
        w = p.hedge_weight * me.diversification
        return Policy(precision=p.hedge_precision,
                      prefer={j: -w * s for j, s in me.arms_shares().items()})
''',
        "Hedger",
        tmp_path,
    )
    for k in ("arms_share", "deliveries", "compliance", "trade"):
        np.testing.assert_allclose(python.pairs[k], rule.pairs[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_a_stance_on_a_regime_replaces_the_compliance_rule(small_world, simulate, tmp_path):
    def stance(key: str, level: float):
        return with_strategy(
            small_world,
            simulate,
            f'''
class Stance(Strategy):
    """A fixed stance on the sanctions on PAT."""
    name = "stance"
    classifier = {{"adaptive": False}}
    def decide(self, me, world):
        return Policy(comply={{"{key}": {level}}})
''',
            "Stance",
            tmp_path,
        )

    plain = simulate(small_world("multi_vector"), seed=3)
    for key in ("PAT", "big_on_pat"):  # by target or by regime id
        defy, join = stance(key, 0.0), stance(key, 1.0)
        assert np.all(defy.pair("compliance", "IMP", "PAT") == 0.0)
        assert np.all(join.pair("compliance", "IMP", "PAT") == 1.0)
        # compliance cuts the target's trade and inputs; defiance spares them
        assert end(defy, "trade", "IMP", "PAT") > end(join, "trade", "IMP", "PAT")
        assert end(defy, "input_loss", "PAT") < end(join, "input_loss", "PAT")
        for sim in (defy, join):  # nobody else's stance moves much
            assert end(sim, "compliance", "ALT", "PAT") == pytest.approx(
                end(plain, "compliance", "ALT", "PAT"), rel=0.05
            )


def test_a_trade_preference_grows_that_pair_and_only_it(small_world, simulate, tmp_path):
    plain = simulate(small_world("multi_vector"), seed=3)
    tilted = playing(
        small_world,
        simulate,
        tmp_path,
        'Policy(trade={"ALT": 1.2}, rules=Rules(hedge=world.params.hedge_weight), precision=world.params.hedge_precision)',
    )
    years = len(plain.state("threat", "IMP")) / 4
    ratio = end(tilted, "trade", "IMP", "ALT") / end(plain, "trade", "IMP", "ALT")
    assert ratio == pytest.approx(1.2**years, rel=0.1)
    assert end(tilted, "trade", "PAT", "BIG") == pytest.approx(
        end(plain, "trade", "PAT", "BIG"), rel=1e-3
    )


def test_a_restrained_patron_presses_nobody(small_world, simulate, tmp_path):
    plain = simulate(small_world("multi_vector"), seed=3)
    assert end(plain, "pressure", "IMP", "PAT") > 0
    calm = playing(small_world, simulate, tmp_path, 'Policy(pressure={"IMP": 0.0})', state="PAT")
    assert np.all(calm.pair("pressure", "IMP", "PAT") == 0.0)


def test_investing_grows_domestic_capacity(small_world, simulate, tmp_path):
    plain = simulate(small_world("multi_vector"), seed=3)
    builder = playing(small_world, simulate, tmp_path, "Policy(invest=0.2)")
    assert end(builder, "capacity", "IMP") > 2 * end(plain, "capacity", "IMP")


# ----------------------------------------------------------------------------- default scenario
@pytest.fixture(scope="module")
def kaz_by_strategy(baseline, simulate):
    """Kazakhstan under each strategy, weighing diversification at 0.6 (the baseline's 0.29,
    from its 2010-19 deliveries, makes hedging and balancing close: a weak hedger)."""
    return {
        s: simulate(
            baseline,
            seed=1,
            overrides={"states.KAZ.strategy": s, "states.KAZ.diversification": 0.6},
        )
        for s in builtin_names()
    }


def test_four_strategies_give_kazakhstan_visibly_different_arsenals(kaz_by_strategy):
    ends = {s: sim.pairs["arms_share"][-1, sim.ix("KAZ")] for s, sim in kaz_by_strategy.items()}
    names = list(ends)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert np.abs(ends[a] - ends[b]).sum() > 0.1, (a, b)


def test_autarky_gives_kazakhstan_the_largest_own_share(kaz_by_strategy):
    own = {s: end(sim, "arms_share", "KAZ", "KAZ") for s, sim in kaz_by_strategy.items()}
    assert max(own, key=own.get) == "autarky"


def test_bandwagon_gives_the_followed_power_its_largest_share(kaz_by_strategy):
    friend = friend_of(kaz_by_strategy["bandwagon"], "KAZ")
    share = {s: end(x, "arms_share", "KAZ", friend) for s, x in kaz_by_strategy.items()}
    assert max(share, key=share.get) == "bandwagon"


def test_balance_gives_kazakhstans_most_threatening_power_its_smallest_share(kaz_by_strategy):
    sim = kaz_by_strategy["balance"]
    w = sim.model.world
    _, foe = model_targets(sim.model)
    assert foe[w.idx("KAZ")] >= 0
    name = w.ids[foe[w.idx("KAZ")]]
    share = {s: end(x, "arms_share", "KAZ", name) for s, x in kaz_by_strategy.items()}
    assert min(share, key=share.get) == "balance"


def test_multi_vector_hedging_lowers_kazakhstans_concentration(kaz_by_strategy, baseline, simulate):
    hedged = kaz_by_strategy["multi_vector"]
    plain = simulate(
        baseline, seed=1, overrides={"states.KAZ.strategy": "multi_vector", **OFF["multi_vector"]}
    )
    assert end(hedged, "arms_hhi", "KAZ") < end(plain, "arms_hhi", "KAZ")
    autarky = kaz_by_strategy["autarky"]
    assert end(hedged, "arms_hhi", "KAZ") < end(autarky, "arms_hhi", "KAZ")


def test_remember_rebuilds_a_policy_only_when_what_it_depends_on_changes():
    s = Strategy()
    made = []

    def make(x):
        made.append(x)
        return Policy(precision=x)

    a = s.remember(1.0, lambda: make(1.0))
    assert s.remember(1.0, lambda: make(1.0)) is a
    b = s.remember(2.0, lambda: make(2.0))
    assert b.precision == 2.0 and made == [1.0, 2.0]


def test_a_state_can_change_strategy_mid_run(small_world):
    """set_strategy: the new strategy decides at once and plays from the next step on."""
    from sim.errors import UserError
    from sim.model import MultivectorModel

    d = small_world("multi_vector")
    switched = MultivectorModel(d, seed=3, mesa_datacollector=False)
    stayed = MultivectorModel(d, seed=3, mesa_datacollector=False)
    for _ in range(8):
        switched.step()
        stayed.step()
    switched.set_strategy("IMP", "autarky")
    i = switched.world.idx("IMP")
    assert switched.policies.arrays.invest[i] > 0 and not switched.policies.arrays.rules[i].any()
    switched.run()
    stayed.run()
    a, b = switched.recorder.arrays()[0], stayed.recorder.arrays()[0]
    assert np.array_equal(a["arms_share"][:8], b["arms_share"][:8])  # the past is the same
    assert a["arms_share"][-1, i, i] > b["arms_share"][-1, i, i]  # then it buys its own
    with pytest.raises(UserError, match="no state 'XYZ'"):
        switched.set_strategy("XYZ", "autarky")
    with pytest.raises(UserError, match="unknown strategy"):
        switched.set_strategy("IMP", "hedging")


def test_instances_never_share_their_parameters():
    class Drifts(Strategy):
        """Mutates its own preferences (a user's habit the model must survive)."""

        params = {"prefs": {"TUR": 1.0}}

    a, b = Drifts(), Drifts()
    a.prefs["TUR"] += 1.0
    assert b.prefs == {"TUR": 1.0} and Drifts.params == {"prefs": {"TUR": 1.0}}
    given = {"prefs": {"TUR": 2.0}}
    c = Drifts(**given)
    c.prefs["TUR"] = 9.0
    assert given == {"prefs": {"TUR": 2.0}}


def test_a_strategys_own_draws_do_not_shift_the_models_random_numbers(
    small_world, tmp_path, simulate
):
    f = tmp_path / "draws.py"
    f.write_text(
        "from sim import Policy, Strategy\n\nclass Draws(Strategy):\n    '''Draws.'''\n"
        "    classifier = {'stochastic': True}\n    def decide(self, me, world):\n"
        "        me.rng.random(3)\n        return Policy()\n"
    )
    plain = small_world()
    plain["states"]["ALT"]["strategy"] = "multi_vector"
    drawing = small_world()
    drawing["states"]["ALT"]["strategy"] = f"{f}:Draws"
    a, b = simulate(plain, seed=4), simulate(drawing, seed=4)
    assert np.array_equal(a.model.world.threat_extra, b.model.world.threat_extra)
    # the importer faces the same noise: its deliveries match until ALT's policy matters
    assert np.array_equal(
        a.pair("deliveries", "IMP", "PAT")[:1], b.pair("deliveries", "IMP", "PAT")[:1]
    )


def test_numpy_numbers_are_numbers_and_sys_exit_in_decide_is_an_error(small_world, tmp_path):
    from sim.agents import StrategyError
    from sim.model import MultivectorModel

    assert Policy(precision=np.float32(0.5), prefer={"A": np.int64(2)}).precision == 0.5
    with pytest.raises(PolicyError):
        Policy(invest=np.bool_(True))
    f = tmp_path / "quits.py"
    f.write_text(
        "import sys\nfrom sim import Strategy\n\nclass Quits(Strategy):\n    '''Quits.'''\n"
        "    def decide(self, me, world):\n        sys.exit(3)\n"
    )
    d = small_world()
    d["states"]["IMP"]["strategy"] = f"{f}:Quits"
    with pytest.raises(StrategyError, match=r"sys.exit\(3\)"):
        MultivectorModel(d, seed=1)
