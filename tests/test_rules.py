"""Unit tests of the pure rule functions in ``sim/rules`` (no mesa, no scenario files).

Each test names the behaviour the rule's docstring promises and checks it on small hand-made
arrays; hypothesis checks invariants (shares in [0, 1] summing to 1, rationing never exceeding
what is due, conservation of rerouted trade) over many random inputs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.metrics import hhi
from sim.rules import pressure, procurement, sanctions, threat, trade
from sim.rules.common import relax, row_shares
from sim.scenario.parameters import Parameters


def params(**changes) -> SimpleNamespace:
    """The model's default coefficients as the rules see them, with ``changes``."""
    d = Parameters().model_dump()
    d.update(changes)
    return SimpleNamespace(**d)


finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
# Money values (US$ bn): zero or at least a thousand dollars; subnormal floats are not trade.
nonneg = st.one_of(st.just(0.0), st.floats(1e-6, 10, allow_nan=False, allow_infinity=False))
unit = st.floats(0, 1, allow_nan=False, allow_infinity=False)


# ----------------------------------------------------------------------------- common
class TestRelax:
    def test_moves_part_of_the_way_to_the_target(self):
        x = relax(np.array([0.0]), np.array([1.0]), rate=1.0, dt=1.0)
        assert x[0] == pytest.approx(1 - np.exp(-1))

    def test_rate_zero_keeps_the_value_and_long_time_reaches_target(self):
        assert relax(np.array([2.0]), np.array([5.0]), 0.0, 1.0)[0] == 2.0
        assert relax(np.array([2.0]), np.array([5.0]), 1.0, 100.0)[0] == pytest.approx(5.0)

    def test_two_half_steps_equal_one_full_step(self):
        one = relax(np.array([0.0]), np.array([1.0]), 2.0, 1.0)
        half = relax(relax(np.array([0.0]), np.array([1.0]), 2.0, 0.5), np.array([1.0]), 2.0, 0.5)
        assert half == pytest.approx(one)

    def test_row_shares_sum_to_one_and_empty_rows_stay_zero(self):
        s = row_shares(np.array([[1.0, 3.0], [0.0, 0.0]]))
        assert s.tolist() == [[0.25, 0.75], [0.0, 0.0]]


# ----------------------------------------------------------------------------- threat
class TestThreat:
    def test_buildup_counts_only_spending_above_the_reference(self):
        b = threat.buildup(np.array([1.0, 1.5, 0.5, 1.0]), np.array([1.0, 1.0, 1.0, 0.0]))
        assert b.tolist() == [0.0, 0.5, 0.0, 0.0]

    def test_rival_buildup_raises_threat_in_proportion_to_rivalry(self):
        rivalry = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        calm = threat.threat_level(
            np.full(3, 0.2), np.zeros(3), rivalry, np.zeros(3), np.zeros(3), 0.5, 1.0, 3.0
        )
        arming = threat.threat_level(
            np.full(3, 0.2),
            np.zeros(3),
            rivalry,
            np.array([0.0, 1.0, 0.0]),
            np.zeros(3),
            0.5,
            1.0,
            3.0,
        )
        assert arming[0] == pytest.approx(calm[0] + 0.5)  # the rival of state 1 feels it
        assert arming[1] == calm[1]  # its own build-up does not threaten state 1
        assert arming[2] == calm[2]  # no rivalry, no reaction

    def test_guarantee_lowers_threat_and_threat_is_clipped(self):
        args = dict(
            rivalry=np.zeros((2, 2)),
            rival_buildup=np.zeros(2),
            reaction=0.5,
            reassurance=1.0,
            max_threat=1.0,
        )
        t = threat.threat_level(
            np.array([0.5, 0.5]), np.array([0.0, 5.0]), guarantee=np.array([0.2, 0.0]), **args
        )
        assert t[0] == pytest.approx(0.3)
        assert t[1] == 1.0  # clipped at max_threat
        t = threat.threat_level(
            np.array([0.1, 0.1]), np.zeros(2), guarantee=np.array([5.0, 0.0]), **args
        )
        assert t[0] == 0.0  # never negative

    def test_alliance_guarantee_goes_to_members_in_proportion_to_affinity_to_leader(self):
        # states: 0 leader, 1 friendly member, 2 hostile member, 3 outsider
        aff = np.array(
            [
                [1.0, 0.8, -0.5, 0.9],
                [0.8, 1.0, 0.0, 0.0],
                [-0.5, 0.0, 1.0, 0.0],
                [0.9, 0.0, 0.0, 1.0],
            ]
        )
        member = np.array([[True], [True], [True], [False]])
        g = threat.alliance_guarantee(member, np.array([0]), np.array([0.3]), aff)
        assert g[0] == 0.0  # the leader guarantees, it does not receive
        assert g[1] == pytest.approx(0.3 * 0.8)
        assert g[2] == 0.0  # negative affinity gives no guarantee (and no extra threat)
        assert g[3] == 0.0  # not a member, however friendly

    def test_leaderless_alliances_and_no_alliances_give_no_guarantee(self):
        aff = np.eye(2)
        g = threat.alliance_guarantee(np.ones((2, 1), bool), np.array([-1]), np.array([1.0]), aff)
        assert g.tolist() == [0.0, 0.0]
        assert threat.alliance_guarantee(
            np.zeros((2, 0), bool), np.zeros(0, int), np.zeros(0), aff
        ).tolist() == [0.0, 0.0]

    def test_guarantees_of_several_alliances_add_up(self):
        aff = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 1.0], [0.5, 1.0, 1.0]])
        member = np.array([[True, True], [True, False], [False, True]])
        g = threat.alliance_guarantee(member, np.array([1, 2]), np.array([0.2, 0.4]), aff)
        assert g[0] == pytest.approx(0.2 * 0.5 + 0.4 * 0.5)

    def test_budget_grows_with_threat(self):
        b = threat.budget_target(np.array([2.0, 2.0]), np.array([0.0, 1.0]), 0.6)
        assert b.tolist() == pytest.approx([2.0, 3.2])


# ----------------------------------------------------------------------------- procurement
class TestLogitShares:
    @settings(max_examples=60, deadline=None)
    @given(data=st.data(), n=st.integers(1, 6))
    def test_shares_are_in_unit_interval_and_rows_sum_to_one(self, data, n):
        u = data.draw(hnp.arrays(float, (n, n), elements=finite))
        prec = data.draw(hnp.arrays(float, n, elements=st.floats(0, 50)))
        avail = data.draw(hnp.arrays(bool, (n, n)))
        s = procurement.logit_shares(u, prec, avail)
        assert np.all((s >= 0) & (s <= 1))
        sums = s.sum(axis=1)
        assert np.allclose(sums[avail.any(axis=1)], 1.0)
        assert np.all(sums[~avail.any(axis=1)] == 0.0)  # nothing to buy: no shares
        assert np.all(s[~avail] == 0.0)

    def test_unavailable_supplier_gets_nothing_even_with_the_best_utility(self):
        u = np.array([[10.0, 0.0, 0.0]])
        s = procurement.logit_shares(u, np.array([4.0]), np.array([[False, True, True]]))
        assert s.tolist() == [[0.0, 0.5, 0.5]]

    def test_precision_zero_splits_equally_among_available(self):
        u = np.array([[3.0, -1.0, 0.5, 9.0]])
        s = procurement.logit_shares(u, np.array([0.0]), np.array([[True, True, True, False]]))
        assert s[0].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0.0])

    def test_higher_precision_concentrates_on_the_best_supplier(self):
        u = np.tile(np.array([1.0, 0.6, 0.2]), (3, 1))
        s = procurement.logit_shares(u, np.array([0.5, 2.0, 8.0]), np.ones((3, 3), bool))
        conc = hhi(s)
        assert conc[0] < conc[1] < conc[2]
        assert np.all(s.argmax(axis=1) == 0)
        assert s[2, 0] > 0.9

    def test_large_utilities_do_not_overflow(self):
        s = procurement.logit_shares(
            np.array([[1e3, 1e3 - 1]]), np.array([50.0]), np.ones((1, 2), bool)
        )
        assert np.all(np.isfinite(s)) and s.sum() == pytest.approx(1.0)


class TestUtility:
    def base(self, **kw):
        n = 3
        args = dict(
            cost_effectiveness=np.array([0.5, 0.9, 0.3]),
            capability=np.full(n, 0.5),
            reliability=np.full(n, 0.9),
            affinity=np.eye(n),
            stock_share=np.zeros((n, n)),
            licensed=np.zeros((n, n)),
            has_capacity=np.array([0.0, 1.0, 1.0]),
            pressure_cost=np.zeros((n, n)),
            sanction_risk=np.zeros((n, n)),
            p=params(),
        )
        args.update(kw)
        return procurement.utility(**args)

    def test_cheaper_suppliers_score_higher_for_every_importer(self):
        u = self.base(has_capacity=np.zeros(3), affinity=np.zeros((3, 3)))
        assert np.all(u[:, 1] > u[:, 0]) and np.all(u[:, 0] > u[:, 2])

    def test_each_driver_moves_utility_the_documented_way(self):
        p = params()
        u0 = self.base()
        sh = np.zeros((3, 3))
        sh[0, 2] = 1.0
        assert (self.base(stock_share=sh) - u0)[0, 2] == pytest.approx(p.weight_path)
        lic = np.zeros((3, 3))
        lic[0, 1] = 0.05
        assert (self.base(licensed=lic) - u0)[0, 1] == pytest.approx(p.weight_tech_transfer)
        pc = np.zeros((3, 3))
        pc[0, 1] = 0.5
        assert (self.base(pressure_cost=pc) - u0)[0, 1] == pytest.approx(-p.weight_pressure * 0.5)
        risk = np.zeros((3, 3))
        risk[0, 2] = 0.4
        assert (self.base(sanction_risk=risk) - u0)[0, 2] == pytest.approx(
            -p.weight_sanction_risk * 0.4
        )

    def test_cached_static_part_gives_the_same_utility(self):
        p = params()
        static = procurement.static_utility(
            cost_effectiveness=np.array([0.5, 0.9, 0.3]),
            capability=np.full(3, 0.5),
            affinity=np.eye(3),
            p=p,
        )
        assert self.base(static=static) == pytest.approx(self.base())

    def test_domestic_preference_only_on_own_industry_with_capacity(self):
        p = params()
        diff = self.base() - self.base(has_capacity=np.zeros(3))
        expected = np.diag([0.0, p.weight_domestic, p.weight_domestic])
        assert diff == pytest.approx(expected)

    def test_pressure_cost_falls_on_the_patrons_rivals_not_the_patron_or_own_industry(self):
        # patron 0 presses client 1 with 0.5; supplier 2 is a rival
        pr = np.zeros((3, 3))
        pr[0, 1] = 0.5
        cost = procurement.pressure_cost(pr)
        assert cost[1].tolist() == [0.0, 0.0, 0.5]
        assert np.all(cost[[0, 2]] == 0.0)

    def test_pressure_from_two_patrons_adds_up_on_third_suppliers(self):
        pr = np.zeros((4, 4))
        pr[0, 1] = 0.5
        pr[2, 1] = 0.2  # patrons 0 and 2 press client 1
        cost = procurement.pressure_cost(pr)
        assert cost[1].tolist() == pytest.approx([0.2, 0.0, 0.5, 0.7])


class TestAvailability:
    def test_who_can_buy_from_whom(self):
        exports = np.array([False, True, True, False])
        capacity = np.array([0.0, 5.0, 0.0, 1.0])
        licensed = np.zeros((4, 4))
        licensed[0, 2] = 0.1  # a licensed line of 2's design in 0
        aff = np.ones((4, 4))
        ok = procurement.availability(
            exports, capacity, licensed, aff, np.zeros((4, 4), bool), -0.3
        )
        assert ok[0].tolist() == [False, True, True, False]  # 2 only via the licensed line
        assert ok[3].tolist() == [False, True, False, True]  # own industry, no export needed
        aff[0, 1] = -0.5
        emb = np.zeros((4, 4), bool)
        emb[3, 1] = True
        ok = procurement.availability(exports, capacity, licensed, aff, emb, -0.3)
        assert not ok[0, 1]  # too hostile
        assert not ok[3, 1]  # embargo


class TestDeliveries:
    def test_place_orders_lands_each_suppliers_orders_after_its_lead_time(self):
        pipe = np.zeros((4, 2, 2))
        orders = np.array([[1.0, 2.0], [3.0, 4.0]])
        procurement.place_orders(pipe, t=2, orders=orders, lead_steps=np.array([1, 3]))
        assert pipe[3].tolist() == [[1.0, 0.0], [3.0, 0.0]]  # supplier 0 in slot 2 + 1
        assert pipe[1].tolist() == [[0.0, 2.0], [0.0, 4.0]]  # supplier 1 in slot (2 + 3) % 4
        assert pipe.sum() == orders.sum()

    def test_an_order_is_delivered_in_equal_parts_over_the_span(self):
        pipe = np.zeros((6, 1, 2))
        orders = np.array([[3.0, 6.0]])
        procurement.place_orders(pipe, t=0, orders=orders, lead_steps=np.array([1, 2]), span=3)
        assert pipe[:, 0, 0].tolist() == [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
        assert pipe[:, 0, 1].tolist() == [0.0, 0.0, 2.0, 2.0, 2.0, 0.0]

    def test_ample_capacity_delivers_everything_due(self):
        due = np.array([[0.0, 1.0], [0.5, 0.2]])
        got = procurement.deliver(due, np.array([10.0, 10.0]), np.ones(2), np.zeros((2, 2)))
        assert got == pytest.approx(due)

    def test_short_supplier_rations_all_buyers_pro_rata(self):
        due = np.array([[0.0, 2.0, 0.0], [0.0, 6.0, 0.0], [0.0, 0.0, 0.0]])
        got = procurement.deliver(
            due, np.array([0.0, 5.0, 0.0]), np.array([1.0, 0.8, 1.0]), np.zeros((3, 3))
        )
        assert got[:, 1].sum() == pytest.approx(4.0)  # capacity x reliability
        assert got[0, 1] / due[0, 1] == pytest.approx(got[1, 1] / due[1, 1]) == pytest.approx(0.5)

    def test_licensed_lines_deliver_first_and_do_not_use_the_licensors_capacity(self):
        due = np.array([[0.0, 1.0], [0.0, 1.0]])
        lic = np.array([[0.0, 0.4], [0.0, 0.0]])
        got = procurement.deliver(due, np.array([0.0, 1.0]), np.ones(2), lic)
        # buyer 0 gets 0.4 from its own line plus a pro-rata share of the 1.0 of capacity
        rest = 1.0 / (0.6 + 1.0)
        assert got[0, 1] == pytest.approx(0.4 + 0.6 * rest)
        assert got[1, 1] == pytest.approx(1.0 * rest)
        assert got[:, 1].sum() == pytest.approx(1.4)

    @settings(max_examples=60, deadline=None)
    @given(data=st.data(), n=st.integers(1, 5))
    def test_never_more_than_due_and_never_negative(self, data, n):
        due = data.draw(hnp.arrays(float, (n, n), elements=nonneg))
        cap = data.draw(hnp.arrays(float, n, elements=nonneg))
        rel = data.draw(hnp.arrays(float, n, elements=unit))
        lic = data.draw(hnp.arrays(float, (n, n), elements=nonneg))
        got = procurement.deliver(due, cap, rel, lic)
        assert np.all(got >= 0) and np.all(got <= due + 1e-12)
        from_capacity = got - np.minimum(due, lic)
        assert np.all(from_capacity.sum(axis=0) <= cap * rel + 1e-9)


# ----------------------------------------------------------------------------- sanctions
def compliance(exposure, dependence, aff_s=0.0, aff_t=0.0, secondary=0.0, n=None, p=None):
    exposure = np.atleast_1d(np.asarray(exposure, float))
    n = len(exposure)
    senders = np.zeros(n, bool)
    return sanctions.compliance_target(
        exposure,
        np.broadcast_to(np.asarray(dependence, float), (n,)).copy(),
        np.full(n, aff_s),
        np.full(n, aff_t),
        secondary,
        senders,
        target=n - 1,
        p=p or params(),
    )


class TestCompliance:
    def test_more_exposure_to_senders_means_more_compliance(self):
        c = compliance([0.0, 0.2, 0.5, 0.9, 0.0], 0.1)
        assert c[0] < c[1] < c[2] < c[3]

    def test_more_dependence_on_the_target_means_less_compliance(self):
        c = np.array([compliance([0.3, 0.0], d)[0] for d in (0.0, 0.2, 0.5, 0.9)])
        assert np.all(np.diff(c) < 0)

    def test_secondary_sanctions_and_affinity_to_senders_pull_towards_compliance(self):
        assert compliance([0.3, 0], 0.2, secondary=1.0)[0] > compliance([0.3, 0], 0.2)[0]
        assert compliance([0.3, 0], 0.2, aff_s=0.5)[0] > compliance([0.3, 0], 0.2)[0]
        assert compliance([0.3, 0], 0.2, aff_t=0.5)[0] < compliance([0.3, 0], 0.2)[0]

    def test_senders_comply_fully_and_the_target_not_at_all(self):
        senders = np.array([True, False, False])
        c = sanctions.compliance_target(
            np.zeros(3), np.ones(3), np.zeros(3), np.ones(3), 0.0, senders, 2, params()
        )
        assert c[0] == 1.0 and c[2] == 0.0 and 0 < c[1] < 1

    @settings(max_examples=40, deadline=None)
    @given(e=hnp.arrays(float, 4, elements=unit), d=hnp.arrays(float, 4, elements=unit), sec=unit)
    def test_compliance_is_a_share(self, e, d, sec):
        c = sanctions.compliance_target(
            e, d, np.zeros(4), np.zeros(4), sec, np.zeros(4, bool), 3, params()
        )
        assert np.all((c >= 0) & (c <= 1))

    def test_exposure_dependence_and_affinity_are_read_from_trade_and_affinity(self):
        tr = np.array([[0.0, 30.0, 10.0], [30.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
        total = np.array([100.0, 50.0, 20.0])
        senders = np.array([False, True, False])
        assert sanctions.exposure(tr, total, senders).tolist() == pytest.approx([0.3, 0.0, 0.0])
        assert sanctions.dependence_on(tr, total, 2).tolist() == pytest.approx([0.1, 0.0, 0.0])
        aff = np.array([[1.0, 0.4, 0.0], [0.4, 1.0, -0.2], [0.0, -0.2, 1.0]])
        a = sanctions.affinity_to(aff, senders)
        assert a[0] == pytest.approx(0.4) and a[2] == pytest.approx(-0.2)
        assert a[1] == 0.0  # a sender's affinity to itself does not count


class TestInputLossAndTrade:
    def test_input_loss_is_intensity_times_the_compliant_share_of_sources(self):
        weights = np.array([0.35, 0.08, 0.0])
        assert sanctions.input_loss(np.array([1.0, 0.5, 0.0]), weights, 0.7) == pytest.approx(
            0.7 * (0.35 + 0.04)
        )
        assert sanctions.input_loss(np.zeros(3), weights, 1.0) == 0.0

    def test_a_complying_source_costs_the_target_more_inputs_than_a_busting_one(self):
        weights = np.array([0.35, 0.08, 0.0])
        base = sanctions.input_loss(np.array([1.0, 0.0, 0.0]), weights, 0.7)
        assert sanctions.input_loss(np.array([1.0, 0.9, 0.0]), weights, 0.7) > base
        assert sanctions.input_loss(
            np.array([1.0, 0.9, 0.0]), np.array([0.35, 0.0, 0.0]), 0.7
        ) == pytest.approx(base)

    def test_trade_cut_is_symmetric_and_only_where_sanctions_bite(self):
        comp = np.zeros((3, 3))
        comp[0, 2] = 0.8
        c = sanctions.trade_cut(comp, np.array([0.0, 0.0, 0.5]), 0.5)
        assert c[0, 2] == c[2, 0] == pytest.approx(0.5 * 0.8 * 0.5)
        assert c[1, 2] == 0.0 and c[0, 1] == 0.0
        assert sanctions.trade_cut(comp, np.zeros(3), 0.5).sum() == 0.0  # no trade scope

    def test_reroute_sends_the_lost_trade_share_to_non_complying_non_senders(self):
        # 0 sender, 1 complier, 2 non-complier, 3 target
        pot = np.array([[0, 0, 0, 40.0], [0, 0, 0, 10.0], [0, 0, 0, 10.0], [40.0, 10, 10, 0]])
        comp = np.zeros((4, 4))
        comp[:, 3] = [1.0, 1.0, 0.0, 0.0]
        cut = sanctions.trade_cut(comp, np.array([0, 0, 0, 1.0]), 0.5)
        senders = np.array([True, False, False, False])
        add = sanctions.reroute(pot, cut, comp, senders, share=0.4)
        lost = (pot * cut)[:, 3].sum()
        assert add == pytest.approx(add.T)
        assert add[3].sum() == pytest.approx(0.4 * lost)  # exactly the rerouted share
        assert add[2, 3] == pytest.approx(0.4 * lost)  # all of it to the non-complier
        assert add[0, 3] == 0.0 and add[1, 3] == 0.0

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_reroute_never_creates_more_than_the_share_of_lost_trade(self, data):
        n = 4
        up = data.draw(hnp.arrays(float, (n, n), elements=nonneg))
        pot = np.triu(up, 1) + np.triu(up, 1).T
        comp = data.draw(hnp.arrays(float, (n, n), elements=unit))
        np.fill_diagonal(comp, 0.0)
        inten = data.draw(hnp.arrays(float, n, elements=unit))
        share = data.draw(unit)
        senders = data.draw(hnp.arrays(bool, n))
        cut = sanctions.trade_cut(comp, inten, 0.5)
        add = sanctions.reroute(pot, cut, comp, senders, share)
        lost = (pot * cut).sum(axis=0)
        one_way = add - add.T  # zero: symmetric
        assert np.allclose(one_way, 0.0)
        assert np.all(add >= 0)
        assert add.sum() <= 2 * share * lost.sum() + 1e-9


class TestCircumvention:
    """0 sender, 1 conduit in a customs union with the target, 2 conduit outside it, 3 target."""

    pot = np.array([[0, 5.0, 5.0, 40.0], [5.0, 0, 0, 4.0], [5.0, 0, 0, 4.0], [40.0, 4.0, 4.0, 0]])
    senders = np.array([True, False, False, False])
    customs = np.zeros((4, 4), dtype=bool)
    customs[1, 3] = customs[3, 1] = True

    def run(self, tolerance=(0.0, 1.0, 1.0, 0.0), rate=1.0, outside=0.25, margin=0.1):
        comp = np.zeros((4, 4))
        comp[0, 3] = 1.0  # the sender complies
        cut = sanctions.trade_cut(comp, np.array([0, 0, 0, 1.0]), 0.5)
        add, rex = sanctions.circumvent(
            self.pot,
            cut,
            comp,
            self.senders,
            np.array(tolerance),
            self.customs,
            rate,
            outside,
            margin,
        )
        return add, rex, (self.pot * cut)[0, 3]

    def test_both_legs_rise_and_the_customs_union_carries_more(self):
        add, rex, lost = self.run()
        assert add == pytest.approx(add.T)
        # conduit -> target: rate * tolerance * access * own trade * cut fraction
        assert rex[1, 3] == pytest.approx(1.0 * 1.0 * 1.0 * 4.0 * lost / 40.0)
        assert rex[2, 3] == pytest.approx(0.25 * rex[1, 3])
        assert add[1, 3] == pytest.approx(rex[1, 3])
        # sender -> conduit, less the conduit's margin
        assert add[0, 1] == pytest.approx(rex[1, 3] / 1.1)
        assert add[0, 3] == 0.0 and rex[0, 3] == 0.0  # a sender is no conduit

    def test_no_tolerance_no_conduit(self):
        _, rex, _ = self.run(tolerance=(0.0, 0.0, 1.0, 0.0))
        assert rex[1, 3] == 0.0 and rex[2, 3] > 0.0

    def test_conduits_never_carry_more_than_the_lost_trade(self):
        _, rex, lost = self.run(rate=1000.0)
        assert rex[:, 3].sum() == pytest.approx(lost)


# ----------------------------------------------------------------------------- pressure
def pressure_world(patron_share=0.9, rival_share=0.1, need=0.0, capacity_ratio=1.0, p=None):
    """Patron 0, client 1, rival supplier 2; reference shares 0.9 patron / 0.1 rival."""
    shares = np.zeros((3, 3))
    shares[1] = [patron_share, 0.0, rival_share]
    shares[1, 1] = 1.0 - patron_share - rival_share
    shares[0, 0] = shares[2, 2] = 1.0
    mask = np.zeros((3, 3), bool)
    mask[0, 1] = True
    ref_p = np.zeros((3, 3))
    ref_p[0, 1] = 0.9
    ref_r = np.zeros((3, 3))
    ref_r[0, 1] = 0.1
    trade_ = np.zeros((3, 3))
    trade_[0, 1] = trade_[1, 0] = need * 100.0
    total = np.array([100.0, 100.0, 100.0])
    return pressure.pressure_target(
        shares, mask, ref_p, ref_r, np.array([capacity_ratio, 1, 1]), trade_, total, p or params()
    )


class TestPressure:
    def test_no_pressure_while_the_client_stays_put(self):
        assert np.all(pressure_world() == 0.0)

    def test_pressure_rises_as_the_patrons_share_falls(self):
        vals = [pressure_world(patron_share=s, rival_share=0.1)[0, 1] for s in (0.9, 0.7, 0.5)]
        assert vals[0] == 0.0 and vals[0] < vals[1] < vals[2]

    def test_pressure_rises_as_rivals_gain_even_if_the_patron_holds(self):
        # patron share constant (own production shrinks), rivals grow
        vals = [pressure_world(patron_share=0.6, rival_share=r)[0, 1] for r in (0.1, 0.2, 0.4)]
        assert vals[0] < vals[1] < vals[2]

    def test_need_for_the_client_restrains_pressure(self):
        vals = [
            pressure_world(patron_share=0.5, rival_share=0.4, need=k)[0, 1] for k in (0.0, 0.3, 0.6)
        ]
        assert vals[0] > vals[1] > vals[2]

    def test_a_weakened_patron_presses_less(self):
        p = params(pressure_max=10.0)  # not clipped
        strong = pressure_world(patron_share=0.5, rival_share=0.4, p=p)[0, 1]
        weak = pressure_world(patron_share=0.5, rival_share=0.4, capacity_ratio=0.5, p=p)[0, 1]
        assert weak == pytest.approx(0.5 * strong)

    def test_zero_outside_clients(self):
        t = pressure_world(patron_share=0.2, rival_share=0.7)
        mask = np.zeros((3, 3), bool)
        mask[0, 1] = True
        assert t[0, 1] > 0 and np.all(t[~mask] == 0.0)

    @settings(max_examples=40, deadline=None)
    @given(ps=unit, rs=unit, need=unit, strength=st.floats(0, 20), pmax=st.floats(0, 10))
    def test_bounded_by_pressure_max(self, ps, rs, need, strength, pmax):
        rs = min(rs, 1.0 - ps)
        t = pressure_world(ps, rs, need, p=params(pressure_strength=strength, pressure_max=pmax))
        assert 0.0 <= t[0, 1] <= pmax

    def test_trade_friction_is_symmetric_and_a_factor(self):
        cost = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
        f = pressure.trade_friction(cost, 0.5)
        assert f[1, 2] == f[2, 1] == 0.0  # clipped at zero
        assert f[0, 1] == 1.0
        assert np.all((f >= 0) & (f <= 1))


# ----------------------------------------------------------------------------- trade
class TestTrade:
    def test_agreement_path_with_pull_one_reaches_the_target_exactly(self):
        x, target, steps = 4.7, 10.0, 23
        trend = 1.01
        for k in range(steps, 0, -1):  # the model recomputes the path from where trade is
            x *= trade.pull(trend, trade.agreement_growth(x, target, k), 1.0)
        assert x == pytest.approx(target, rel=1e-12)

    def test_partial_pull_lands_between_trend_and_target(self):
        x0, target, steps, trend = 4.7, 10.0, 20, 1.01
        x = x0
        for k in range(steps, 0, -1):
            x *= trade.pull(trend, trade.agreement_growth(x, target, k), 0.5)
        assert x0 * trend**steps < x < target

    def test_pull_zero_follows_the_trend_and_overdue_agreements_stop_pulling(self):
        assert trade.pull(1.02, 1.5, 0.0) == pytest.approx(1.02)
        assert trade.agreement_growth(5.0, 10.0, 0) == 1.0
        assert trade.agreement_growth(0.0, 10.0, 4) == 1.0

    def test_growth_rises_with_affinity_and_keeps_symmetry(self):
        pot = np.array([[0.0, 10.0, 10.0], [10.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
        aff = np.array([[1.0, 0.8, -0.5], [0.8, 1.0, 0.0], [-0.5, 0.0, 1.0]])
        g = trade.grow(pot, aff, 0.03, 0.02, 1.0)
        assert g == pytest.approx(g.T)
        assert g[0, 1] > g[0, 2]
        assert g[0, 1] == pytest.approx(10 * np.exp(0.03 + 0.016))

    @settings(max_examples=40, deadline=None)
    @given(hnp.arrays(float, (4, 4), elements=nonneg))
    def test_trade_shares_sum_to_one_per_trading_state(self, m):
        s = trade.trade_shares(m)
        tot = m.sum(axis=1)
        assert np.allclose(s.sum(axis=1)[tot > 0], 1.0)
        assert np.all(s[tot == 0] == 0) and np.all((s >= 0) & (s <= 1 + 1e-12))
