"""The mesa Model: builds agents and the world from a scenario and orders each step.

Step order (one period: a month, quarter or year):

1. events fire at their dates;
2. threat and arms budgets (Richardson arms race, shocks, alliance guarantees);
3. arms procurement (strategies adjust utilities; logit choice; rationed, lagged deliveries);
4. sanctions (third-state compliance; input loss cuts the target's capacity and reliability);
5. patron response (pressure on clients that diversify);
6. trade (growth, agreements, sanction cuts and rerouting, pressure friction);
7. record.

Procurement in step t sees the sanctions, pressure and trade of step t - 1 (decisions are made on
what states know at the start of the period). All randomness comes from ``self.rng``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.agents import StateAgent
from sim.events import EventQueue, FiredEvent
from sim.metrics import hhi
from sim.recorder import Recorder
from sim.rules import pressure as pressure_rule
from sim.rules import procurement, sanctions, threat, trade
from sim.rules.common import relax
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.strategies import ChoiceView
from sim.world import STRATEGIES, World, build_world

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


class MultivectorModel(mesa.Model):
    """Multi-vector diplomacy: states balancing arms suppliers, trade and sanctions pressure.

    Args:
        scenario: a validated :class:`Scenario`, a YAML path or plain data (default: the
            shipped baseline).
        seed: seed of the model's RNGs (default: the scenario's ``seed``).
        overrides: dotted path -> value applied to the scenario before validation.
        mesa_datacollector: attach a mesa ``DataCollector`` (for ``mesa.batch_run``); the
            project's own :class:`~sim.recorder.Recorder` always runs.
        **parameters: shorthand overrides of ``parameters.NAME`` (keyword parameters for
            ``mesa.batch_run``).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | dict = DEFAULT_SCENARIO,
        seed: int | None = None,
        *,
        overrides: dict[str, Any] | None = None,
        mesa_datacollector: bool = True,
        **parameters: Any,
    ) -> None:
        ov = dict(overrides or {})
        ov.update({f"parameters.{k}": v for k, v in parameters.items()})
        sc = load_scenario(scenario, ov or None)
        super().__init__(seed=sc.seed if seed is None else int(seed))
        self.scenario = sc
        self.world: World = build_world(sc)
        self.events = EventQueue(sc, self.world)
        self.recorder = Recorder(self.world)
        self.fired: list[FiredEvent] = []
        w = self.world
        for i, sid in enumerate(w.ids):
            StateAgent(self, sid, i, STRATEGIES[w.strategy[i]])
        self.state_agents: list[StateAgent] = sorted(self.agents, key=lambda a: a.index)
        self._groups = self._strategy_groups()
        self._capacity_ref = np.where(w.capacity > 0, w.capacity, 1.0)
        n = w.n
        self._embargo = np.zeros((n, n), dtype=bool)
        self._risk = np.zeros((n, n))
        self._trade_int = np.zeros(n)
        self._senders_any = np.zeros(n, dtype=bool)
        self._pcost = np.zeros((n, n))
        self._sanction_phase(first=True)
        self.running = True
        self.datacollector = self._make_datacollector() if mesa_datacollector else None

    # ------------------------------------------------------------------ set-up helpers
    def _strategy_groups(self) -> list[tuple[Any, np.ndarray]]:
        groups: dict[str, list[int]] = {}
        by_name = {}
        for a in self.state_agents:
            groups.setdefault(a.strategy.name, []).append(a.index)
            by_name[a.strategy.name] = a.strategy
        return [(by_name[k], np.array(v)) for k, v in groups.items()]

    def _make_datacollector(self) -> mesa.DataCollector:
        w = self.world
        importers = ~w.exports
        dc = mesa.DataCollector(
            model_reporters={
                "mean_importer_arms_hhi": lambda m: float(
                    np.mean(hhi(m.world.stock_shares()[importers]))) if importers.any() else 0.0,
                "max_pressure": lambda m: float(m.world.pressure.max()),
                "min_capacity_ratio": lambda m: float(
                    np.min(m.world.capacity[m.world.exports] / m._capacity_ref[m.world.exports]))
                if m.world.exports.any() else 1.0,
            },
            agent_reporters={
                "state": "state_id",
                "arms_hhi": lambda a: a.arms_hhi(),
                "threat": "threat",
                "arms_budget": "arms_budget",
            },
        )
        return dc

    def view(self, stock_share: np.ndarray) -> ChoiceView:
        """What strategies may look at now."""
        w = self.world
        return ChoiceView(
            stock_share=stock_share, affinity=w.affinity, rivalry=w.rivalry, pressure=w.pressure,
            power=w.capacity * w.capability, exports=w.exports, diversification=w.diversification,
            budget=w.budget,
        )

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one period (see the module docstring for the order)."""
        t = self.steps - 1
        w = self.world
        self.fired = self.events.fire(t)
        self._threat_phase(t)
        self._procurement_phase(t)
        self._sanction_phase()
        stock_share = w.stock_shares()
        self._pressure_phase(stock_share)
        trade_share = self._trade_phase(t)
        self.recorder.record(t, stock_share, trade_share)
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if t + 1 >= w.axis.n:
            self.running = False

    def _threat_phase(self, t: int) -> None:
        w, p = self.world, self.world.params
        dt = w.axis.dt
        rivalry = w.rivalry_base.copy()
        live = []
        for end, a, b, x in w.conflicts:
            if end > t:
                rivalry[a, b] = rivalry[b, a] = min(1.0, rivalry[a, b] + x)
                live.append((end, a, b, x))
        w.conflicts = live
        w.rivalry = rivalry
        if p.shock_rate > 0:
            hit = self.rng.random(w.n) < 1.0 - np.exp(-p.shock_rate * dt)
            if hit.any():
                size = self.rng.exponential(p.shock_size, int(hit.sum()))
                end = min(t + max(1, int(round(p.shock_duration / dt))), w.threat_extra.shape[0])
                w.threat_extra[t:end, np.flatnonzero(hit)] += size
        guarantee = threat.alliance_guarantee(
            w.membership, w.alliance_leader, w.alliance_guarantee, w.affinity) + w.guarantee_extra[t]
        base_budget = w.base_budget
        ref = threat.budget_target(base_budget, w.base_threat, p.threat_budget_elasticity)
        w.threat = threat.threat_level(
            w.base_threat, w.threat_extra[t], rivalry, threat.buildup(w.budget, ref), guarantee,
            p.richardson_reaction, p.alliance_reassurance, p.max_threat)
        target = threat.budget_target(base_budget, w.threat, p.threat_budget_elasticity)
        w.budget = relax(w.budget, target, p.budget_adjustment, dt)

    def _procurement_phase(self, t: int) -> None:
        w, p = self.world, self.world.params
        dt, n = w.axis.dt, w.n
        stock_share = w.stock_shares()
        view = self.view(stock_share)
        w.licensed = np.minimum(
            w.licensed_target, w.licensed + w.licensed_target * min(1.0, dt / p.licence_ramp))
        u = procurement.utility(
            cost_effectiveness=w.cost_effectiveness, capability=w.capability,
            reliability=w.reliability * w.fill_rate, affinity=w.affinity, stock_share=stock_share,
            licensed=w.licensed, has_capacity=(w.capacity > 0).astype(float),
            pressure_cost=self._pcost, sanction_risk=self._risk, p=p)
        if p.choice_noise > 0:
            u += self.rng.normal(0.0, p.choice_noise, (n, n))
        precision = p.choice_precision * (1.0 - p.diversification_effect * w.diversification)
        for strat, rows in self._groups:
            strat.adjust(u, rows, view, p)
            precision[rows] *= strat.precision(p)
            invest = strat.invest(rows, view, p)
            if invest.any():
                w.capacity_base[rows] += invest * dt
        avail = procurement.availability(
            w.exports, w.capacity, w.licensed, w.affinity, self._embargo, p.min_affinity_for_arms)
        shares = procurement.logit_shares(u, precision, avail)
        committed = w.scheduled[t].sum(axis=1)
        orders = np.maximum(0.0, w.budget * dt - committed)[:, None] * shares
        procurement.place_orders(w.pipeline, t, orders, w.lead_steps)
        slot = t % w.pipeline.shape[0]
        due = w.pipeline[slot] + w.backlog + w.scheduled[t]
        w.pipeline[slot] = 0.0
        got = procurement.deliver(due, w.capacity * dt, w.reliability, w.licensed * dt)
        due_by = due.sum(axis=0)
        fill = np.divide(got.sum(axis=0), due_by, out=np.ones(n), where=due_by > 1e-12)
        w.fill_rate = relax(w.fill_rate, fill, p.capacity_adjustment, dt)
        w.backlog = (due - got) * np.exp(-p.backlog_cancellation * dt)
        w.stock = w.stock * np.exp(-p.stock_depreciation * dt) + got
        w.deliveries = got

    def _sanction_phase(self, first: bool = False) -> None:
        w, p = self.world, self.world.params
        n, dt = w.n, w.axis.dt
        c_target = np.zeros((n, n))
        expo = np.zeros((n, n))
        arms_int, tech_int, fin_int, trade_int, secondary = (np.zeros(n) for _ in range(5))
        embargo = np.zeros((n, n), dtype=bool)
        senders_any = np.zeros(n, dtype=bool)
        total = w.trade.sum(axis=1) + w.other_trade
        view = None
        for r in w.sanctions.values():
            if not r.active:
                continue
            tg = r.target
            e = sanctions.exposure(w.trade, total, r.senders)
            c = sanctions.compliance_target(
                e, sanctions.dependence_on(w.trade, total, tg),
                sanctions.affinity_to(w.affinity, r.senders), w.affinity[:, tg], r.secondary,
                r.senders, tg, p)
            if view is None:
                view = self.view(w.stock_shares())
            for strat, rows in self._groups:
                strat.compliance(c, rows, tg, view, p)
            c_target[:, tg] = np.maximum(c_target[:, tg], c)
            expo[:, tg] = np.maximum(expo[:, tg], e)
            senders_any |= r.senders
            secondary[tg] = max(secondary[tg], r.secondary)
            if "arms" in r.scope:
                arms_int[tg] = max(arms_int[tg], r.intensity)
                embargo[r.senders, tg] = embargo[tg, r.senders] = True
            if "technology" in r.scope:
                tech_int[tg] = max(tech_int[tg], r.intensity)
            if "finance" in r.scope:
                fin_int[tg] = max(fin_int[tg], r.intensity)
            if "trade" in r.scope:
                trade_int[tg] = max(trade_int[tg], r.intensity)
        w.compliance = c_target if first else relax(w.compliance, c_target, p.compliance_adjustment, dt)
        tot = w.trade.sum(axis=1, keepdims=True)
        trade_w = np.divide(w.trade, tot, out=np.zeros_like(w.trade), where=tot > 0)
        weights = np.where(w.has_inputs[:, None], w.input_sources, trade_w)
        ct = w.compliance.T  # target x source
        w.input_loss = np.minimum(1.0, tech_int * np.einsum("tk,tk->t", ct, weights))
        fin_loss = fin_int * np.einsum("tk,tk->t", ct, trade_w)
        if not first:
            w.capacity_base = w.capacity_base * np.exp(w.capacity_growth * dt)
            cap_target = w.capacity_base * (1.0 - p.sanction_capacity_effect * w.input_loss)
            w.capacity = relax(w.capacity, cap_target, p.capacity_adjustment, dt)
            rel_target = w.reliability_base * (
                1.0 - p.sanction_reliability_effect * np.minimum(1.0, w.input_loss + fin_loss))
            w.reliability = relax(w.reliability, rel_target, p.capacity_adjustment, dt)
        self._risk = arms_int[None, :] * np.minimum(1.0, w.compliance + secondary[None, :] * expo)
        self._embargo = embargo
        self._trade_int = trade_int
        self._senders_any = senders_any

    def _pressure_phase(self, stock_share: np.ndarray) -> None:
        w, p = self.world, self.world.params
        target = pressure_rule.pressure_target(
            stock_share, w.client_mask, w.ref_patron_share, w.ref_rival_share,
            w.capacity / self._capacity_ref, w.trade, w.trade.sum(axis=1) + w.other_trade, p)
        w.pressure = relax(w.pressure, target, p.pressure_adjustment, w.axis.dt)
        self._pcost = procurement.pressure_cost(w.pressure)

    def _trade_phase(self, t: int) -> np.ndarray:
        w, p = self.world, self.world.params
        dt = w.axis.dt
        old = w.trade_potential
        new = trade.grow(old, w.affinity, p.trade_growth, p.trade_affinity_growth, dt)
        for ag in w.agreements:
            if t > ag.due_step:
                continue
            a, b = ag.a, ag.b
            trend = new[a, b] / old[a, b] if old[a, b] > 0 else 1.0
            path = trade.agreement_growth(max(w.trade[a, b], 1e-9), ag.target, ag.due_step - t + 1)
            new[a, b] = new[b, a] = old[a, b] * trade.pull(trend, path, p.agreement_pull)
        w.trade_potential = new
        cut = sanctions.trade_cut(w.compliance, self._trade_int, p.sanction_trade_cut)
        friction = pressure_rule.trade_friction(self._pcost, p.pressure_trade_friction)
        target = new * (1.0 - cut) * friction
        if self._trade_int.any():
            target = target + sanctions.reroute(new, cut, w.compliance, self._senders_any,
                                                p.trade_reroute_share)
        w.trade = relax(w.trade, target, p.trade_adjustment, dt)
        return trade.trade_shares(w.trade)

    # ------------------------------------------------------------------ running
    def run(self) -> "MultivectorModel":
        """Run all periods of the scenario's time axis."""
        while self.running:
            self.step()
        return self
