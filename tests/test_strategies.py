"""Each strategy behaves as its docstring says.

Three levels, in the manner of Axelrod's strategy tests (scripted counterparts):

* the hooks on hand-made :class:`ChoiceView` arrays (what each strategy changes, and nothing else);
* a small scripted world (``small_world`` fixture: importer IMP, patron PAT, drone seller ALT, big
  power BIG), each strategy against the same world with that strategy's own coefficients
  switched off (same seed), so the difference is the strategy's doing;
* the default scenario: the four strategies give Kazakhstan visibly different, and
  differently-directed, outcomes.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.metrics import hhi
from sim.rules.procurement import logit_shares
from sim.scenario.parameters import Parameters
from sim.scenario.schema import State
from sim.strategies import (
    STRATEGY_CLASSES, Autarky, Balance, Bandwagon, ChoiceView, MultiVector, Strategy,
    most_threatening, strongest_friend,
)
from sim.world import STRATEGIES


def params(**changes) -> SimpleNamespace:
    d = Parameters().model_dump()
    d.update(changes)
    return SimpleNamespace(**d)


# States of the hand-made view: 0 importer, 1 patron (dominant in 0's stock), 2 drone seller
# (hostile to the patron), 3 big distant power, 4 a second importer that must stay untouched.
IMP, PAT, ALT, BIG, OTHER = range(5)


def view(**changes) -> ChoiceView:
    n = 5
    aff = np.eye(n)
    for a, b, x in [(IMP, PAT, 0.6), (IMP, ALT, 0.5), (IMP, BIG, 0.2), (PAT, ALT, -0.5),
                    (PAT, BIG, -0.6), (OTHER, PAT, 0.5), (OTHER, ALT, 0.5), (OTHER, BIG, 0.5)]:
        aff[a, b] = aff[b, a] = x
    stock = np.zeros((n, n))
    stock[IMP] = [0.05, 0.85, 0.05, 0.05, 0.0]
    stock[OTHER] = [0.0, 0.5, 0.25, 0.25, 0.0]
    for i in (PAT, ALT, BIG):
        stock[i, i] = 1.0
    args = dict(
        stock_share=stock, affinity=aff, rivalry=np.zeros((n, n)), pressure=np.zeros((n, n)),
        power=np.array([0.01, 30.0, 5.0, 100.0, 0.0]),
        exports=np.array([False, True, True, True, False]),
        diversification=np.array([0.6, 0.0, 0.0, 0.0, 0.6]),
        budget=np.array([0.4, 20.0, 5.0, 200.0, 0.3]),
    )
    args.update(changes)
    return ChoiceView(**args)


def utilities() -> np.ndarray:
    """A common utility, equal for all suppliers: differences come from the strategy alone."""
    return np.zeros((5, 5))


ROWS = np.array([IMP])
AVAIL = np.ones((5, 5), bool)


def shares_after(strategy: Strategy, v: ChoiceView, p, rows=ROWS, precision: float = 4.0):
    u = utilities()
    strategy.adjust(u, rows, v, p)
    prec = np.full(5, precision)
    prec[rows] *= strategy.precision(p)
    return u, logit_shares(u, prec, AVAIL)


def test_every_strategy_named_in_the_schema_has_a_class():
    assert set(STRATEGY_CLASSES) == set(STRATEGIES)
    assert set(STRATEGY_CLASSES) == set(State.model_fields["strategy"].annotation.__args__)
    assert all(cls.__doc__ for cls in STRATEGY_CLASSES.values())


def test_base_strategy_changes_nothing():
    p, v = params(), view()
    u, _ = shares_after(Strategy(), v, p)
    c = np.full(5, 0.5)
    Strategy().compliance(c, ROWS, PAT, v, p)
    assert np.all(u == 0.0) and np.all(c == 0.5)
    assert Strategy().invest(ROWS, v, p).tolist() == [0.0]


# ----------------------------------------------------------------------------- multi_vector
class TestMultiVector:
    def test_penalises_each_supplier_by_current_dependence_times_diversification(self):
        p, v = params(hedge_weight=1.5), view()
        u, _ = shares_after(MultiVector(), v, p)
        assert u[IMP] == pytest.approx(-1.5 * 0.6 * v.stock_share[IMP])
        assert u[IMP].argmin() == PAT  # the dominant supplier loses most
        assert np.all(u[OTHER] == 0.0)  # only the rows it is called for

    def test_no_diversification_weight_no_penalty(self):
        v = view(diversification=np.zeros(5))
        u, _ = shares_after(MultiVector(), v, params())
        assert np.all(u == 0.0)

    def test_choice_is_less_concentrated_than_without_hedging(self):
        p = params()
        u = utilities()
        u[IMP] = [0.0, 1.0, 0.4, 0.2, -9.0]  # the patron is the best buy on the merits
        plain = logit_shares(u, np.full(5, 4.0), AVAIL)
        hedged = u.copy()
        MultiVector().adjust(hedged, ROWS, view(), p)
        prec = np.full(5, 4.0)
        prec[ROWS] *= MultiVector().precision(p)
        s = logit_shares(hedged, prec, AVAIL)
        assert MultiVector().precision(p) < 1.0
        assert s[IMP, PAT] < plain[IMP, PAT]
        assert hhi(s[IMP]) < hhi(plain[IMP])


# ----------------------------------------------------------------------------- bandwagon
class TestBandwagon:
    def test_strongest_friend_is_the_exporter_with_most_power_times_affinity(self):
        # BIG: 100 x 0.2 = 20 beats PAT: 30 x 0.6 = 18
        assert strongest_friend(view(), ROWS).tolist() == [BIG]
        aff = view().affinity.copy()
        aff[IMP, BIG] = aff[BIG, IMP] = 0.1  # 10 < 18
        assert strongest_friend(view(affinity=aff), ROWS).tolist() == [PAT]

    def test_a_state_with_a_friendly_patron_follows_its_patron_not_a_bigger_stranger(self):
        # BIG scores higher (20 > 18), but PAT is IMP's patron (alliance leader / client list)
        patrons = np.zeros((5, 5), bool)
        patrons[IMP, PAT] = True
        assert strongest_friend(view(patrons=patrons), ROWS).tolist() == [PAT]
        # a hostile patron is not followed: back to the strongest friendly exporter
        aff = view().affinity.copy()
        aff[IMP, PAT] = aff[PAT, IMP] = -0.5
        assert strongest_friend(view(patrons=patrons, affinity=aff), ROWS).tolist() == [BIG]

    def test_in_the_baseline_tajikistan_bandwagons_on_russia(self, baseline):
        from sim.model import MultivectorModel

        m = MultivectorModel(baseline, seed=1, mesa_datacollector=False)
        w = m.world
        tjk = np.array([w.idx("TJK")])
        assert w.ids[strongest_friend(m.view(w.stock_shares()), tjk)[0]] == "RUS"

    def test_hostile_non_exporting_and_self_are_never_followed(self):
        aff = -np.ones((5, 5))
        np.fill_diagonal(aff, 1.0)
        assert strongest_friend(view(affinity=aff), ROWS).tolist() == [-1]
        v = view(exports=np.zeros(5, bool), power=np.array([1e6, 30, 5, 100, 0.0]))
        assert strongest_friend(v, ROWS).tolist() == [-1]

    def test_adds_the_bonus_to_the_friend_and_concentrates_on_it(self):
        p = params(bandwagon_bonus=2.0)
        v = view()
        u, s = shares_after(Bandwagon(), v, p)
        expected = np.zeros(5)
        expected[BIG] = 2.0
        assert u[IMP] == pytest.approx(expected)
        _, plain = shares_after(Strategy(), v, p)
        assert s[IMP, BIG] > plain[IMP, BIG]
        assert Bandwagon().precision(p) > 1.0
        assert hhi(s[IMP]) > hhi(plain[IMP])

    def test_cuts_compliance_only_with_sanctions_on_the_power_it_follows(self):
        p, v = params(bandwagon_compliance=0.5), view()
        c = np.full(5, 0.8)
        Bandwagon().compliance(c, ROWS, BIG, v, p)
        assert c[IMP] == pytest.approx(0.4)
        assert c[OTHER] == 0.8  # not one of its rows
        c = np.full(5, 0.8)
        Bandwagon().compliance(c, ROWS, PAT, v, p)
        assert c[IMP] == 0.8  # sanctions on someone else: no change


# ----------------------------------------------------------------------------- balance
class TestBalance:
    def test_most_threatening_weighs_pressure_rivalry_and_hostility_by_power(self):
        assert most_threatening(view(), ROWS).tolist() == [-1]  # nobody menaces IMP
        pr = np.zeros((5, 5))
        pr[PAT, IMP] = 0.3  # the patron presses its client
        assert most_threatening(view(pressure=pr), ROWS).tolist() == [PAT]
        riv = np.zeros((5, 5))
        riv[IMP, ALT] = riv[ALT, IMP] = 0.5
        assert most_threatening(view(rivalry=riv), ROWS).tolist() == [ALT]
        riv[IMP, BIG] = riv[BIG, IMP] = 0.1  # weaker rivalry, but 20x the power
        assert most_threatening(view(rivalry=riv), ROWS).tolist() == [BIG]

    def test_penalises_the_foe_and_favours_suppliers_hostile_to_it(self):
        p = params(balance_penalty=2.0, balance_bonus=1.0)
        pr = np.zeros((5, 5))
        pr[PAT, IMP] = 0.3
        v = view(pressure=pr)
        u, s = shares_after(Balance(), v, p)
        assert u[IMP, PAT] == pytest.approx(-2.0)
        assert u[IMP, BIG] == pytest.approx(0.6)  # hostility of BIG to PAT
        assert u[IMP, ALT] == pytest.approx(0.5)
        assert u[IMP, IMP] == 0.0
        _, plain = shares_after(Strategy(), v, p)
        assert s[IMP, PAT] < plain[IMP, PAT]
        assert s[IMP, BIG] > s[IMP, ALT] > plain[IMP, ALT]

    def test_without_a_threat_balance_does_nothing(self):
        u, _ = shares_after(Balance(), view(), params())
        assert np.all(u == 0.0)


# ----------------------------------------------------------------------------- autarky
class TestAutarky:
    def test_favours_own_industry(self):
        p = params(autarky_bonus=2.5)
        u, s = shares_after(Autarky(), view(), p)
        expected = np.zeros(5)
        expected[IMP] = 2.5
        assert u[IMP] == pytest.approx(expected)
        _, plain = shares_after(Strategy(), view(), p)
        assert s[IMP, IMP] > plain[IMP, IMP]
        assert s[IMP].argmax() == IMP

    def test_invests_a_fraction_of_its_arms_budget_in_capacity(self):
        p = params(autarky_investment=0.05)
        assert Autarky().invest(np.array([IMP, OTHER]), view(), p) == pytest.approx([0.02, 0.015])


# ----------------------------------------------------------------------------- scripted world
OFF = {  # each strategy's own coefficients, switched off
    "multi_vector": {"parameters.hedge_weight": 0.0, "parameters.hedge_precision": 1.0},
    "bandwagon": {"parameters.bandwagon_bonus": 0.0, "parameters.bandwagon_precision": 1.0,
                  "parameters.bandwagon_compliance": 0.0},
    "balance": {"parameters.balance_penalty": 0.0, "parameters.balance_bonus": 0.0},
    "autarky": {"parameters.autarky_bonus": 0.0, "parameters.autarky_investment": 0.0},
}


@pytest.fixture
def on_off(small_world, simulate):
    """Run the small world with IMP following ``strategy``, with and without its coefficients."""

    def go(strategy: str):
        world = small_world(strategy)
        return simulate(world, seed=3), simulate(world, seed=3, overrides=OFF[strategy])

    return go


def end(sim, metric, state, partner=None):
    return (sim.state(metric, state) if partner is None else sim.pair(metric, state, partner))[-1]


def test_in_a_scripted_world_multi_vector_hedges_away_from_the_patron(on_off):
    on, off = on_off("multi_vector")
    assert end(on, "arms_hhi", "IMP") < end(off, "arms_hhi", "IMP") - 0.02
    assert end(on, "arms_share", "IMP", "PAT") < end(off, "arms_share", "IMP", "PAT")


def test_in_a_scripted_world_bandwagon_follows_the_patron_and_shields_it(on_off, small_world):
    on, off = on_off("bandwagon")
    rows = np.array([on.ix("IMP")])
    friend = strongest_friend(on.model.view(on.model.world.stock_shares()), rows)[0]
    assert on.model.world.ids[friend] == "PAT"  # the world is built so that PAT is followed
    assert end(on, "arms_share", "IMP", "PAT") > end(off, "arms_share", "IMP", "PAT")
    assert end(on, "arms_hhi", "IMP") > end(off, "arms_hhi", "IMP")
    # sanctions on the power it follows: compliance cut by bandwagon_compliance
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


# ----------------------------------------------------------------------------- default scenario
@pytest.fixture(scope="module")
def kaz_by_strategy(baseline, simulate):
    return {s: simulate(baseline, seed=1, overrides={"states.KAZ.strategy": s}) for s in STRATEGIES}


def test_four_strategies_give_kazakhstan_visibly_different_arsenals(kaz_by_strategy):
    ends = {s: sim.pairs["arms_share"][-1, sim.ix("KAZ")] for s, sim in kaz_by_strategy.items()}
    names = list(ends)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert np.abs(ends[a] - ends[b]).sum() > 0.1, (a, b)


def test_autarky_gives_kazakhstan_the_largest_own_share(kaz_by_strategy):
    own = {s: end(sim, "arms_share", "KAZ", "KAZ") for s, sim in kaz_by_strategy.items()}
    assert max(own, key=own.get) == "autarky"


def test_bandwagon_gives_the_followed_power_its_largest_share(kaz_by_strategy):
    sim = kaz_by_strategy["bandwagon"]
    w = sim.model.world
    friend = w.ids[strongest_friend(sim.model.view(w.stock_shares()), np.array([sim.ix("KAZ")]))[0]]
    share = {s: end(x, "arms_share", "KAZ", friend) for s, x in kaz_by_strategy.items()}
    assert max(share, key=share.get) == "bandwagon"


def test_balance_gives_kazakhstans_most_threatening_power_its_smallest_share(kaz_by_strategy):
    sim = kaz_by_strategy["balance"]
    w = sim.model.world
    foe_ix = most_threatening(sim.model.view(w.stock_shares()), np.array([sim.ix("KAZ")]))[0]
    assert foe_ix >= 0
    foe = w.ids[foe_ix]
    share = {s: end(x, "arms_share", "KAZ", foe) for s, x in kaz_by_strategy.items()}
    assert min(share, key=share.get) == "balance"


def test_multi_vector_hedging_lowers_kazakhstans_concentration(kaz_by_strategy, baseline, simulate):
    hedged = kaz_by_strategy["multi_vector"]
    plain = simulate(baseline, seed=1, overrides={"states.KAZ.strategy": "multi_vector",
                                                  **OFF["multi_vector"]})
    assert end(hedged, "arms_hhi", "KAZ") < end(plain, "arms_hhi", "KAZ")
    autarky = kaz_by_strategy["autarky"]
    assert end(hedged, "arms_hhi", "KAZ") < end(autarky, "arms_hhi", "KAZ")
