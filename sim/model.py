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

import math
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


def patron_matrix(w: World) -> np.ndarray:
    """Bool state x power: j is a patron of i if j leads an alliance i belongs to or counts i
    as a client."""
    n = w.n
    pat = w.client_mask.T.copy()
    for a, leader in enumerate(w.alliance_leader):
        if leader >= 0:
            pat[w.membership[:, a], leader] = True
    pat[np.arange(n), np.arange(n)] = False
    return pat


class MultivectorModel(mesa.Model):
    """Multi-vector diplomacy: states balancing arms suppliers, trade and sanctions pressure.

    Args:
        scenario: a validated :class:`Scenario`, a YAML path or plain data (default: the
            shipped baseline).
        seed: seed of the model's RNGs (default: the scenario's ``seed``).
        overrides: dotted path -> value applied to the scenario before validation.
        mesa_datacollector: attach a mesa ``DataCollector`` (for ``mesa.batch_run``), collected
            at initialisation and after every step (mesa's convention: row k is the state after
            k steps; ``batch_run`` reports row ``model.steps - 1``). The project's own
            :class:`~sim.recorder.Recorder` always runs.
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
        self._dt = w.axis.dt
        self._has_clients = bool(w.client_mask.any())
        self._patrons = patron_matrix(w)
        self._risk = np.zeros((n, n))
        self._pcost = np.zeros((n, n))
        self._stock_share = w.stock_shares()
        self._refresh()
        self._sanction_phase(first=True)
        self.running = True
        self.datacollector = self._make_datacollector() if mesa_datacollector else None
        if self.datacollector is not None:
            self.datacollector.collect(self)  # row 0: the initial state (mesa keys agents by steps)

    # ------------------------------------------------------------------ set-up helpers
    def _strategy_groups(self) -> list[tuple[Any, np.ndarray]]:
        groups: dict[str, list[int]] = {}
        by_name = {}
        for a in self.state_agents:
            groups.setdefault(a.strategy.name, []).append(a.index)
            by_name[a.strategy.name] = a.strategy
        out = [(by_name[k], np.array(v, dtype=np.int64)) for k, v in groups.items()]
        self._investors = [(strat, rows) for strat, rows in out if strat.invests]
        return out

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
            budget=w.budget, patrons=self._patrons,
        )

    # ------------------------------------------------------------------ caches
    def _refresh(self) -> None:
        """Recompute what changes only when events fire (attributes, affinity, regimes, params).

        Called at set-up and after any step in which an event fired, so the per-step phases do
        only the work that really changes every period.
        """
        w, p = self.world, self.world.params
        n = w.n
        rivalry = w.rivalry_base.copy()
        for _end, a, b, x in w.conflicts:
            rivalry[a, b] = rivalry[b, a] = min(1.0, rivalry[a, b] + x)
        w.rivalry = rivalry
        self._guarantee = threat.alliance_guarantee(
            w.membership, w.alliance_leader, w.alliance_guarantee, w.affinity)
        self._base_budget = w.base_budget
        self._budget_ref = threat.budget_target(self._base_budget, w.base_threat,
                                                p.threat_budget_elasticity)
        self._u_static = procurement.static_utility(
            cost_effectiveness=w.cost_effectiveness, capability=w.capability, affinity=w.affinity, p=p)
        precision = p.choice_precision * (1.0 - p.diversification_effect * w.diversification)
        for strat, rows in self._groups:
            precision[rows] *= strat.precision(p)
        self._precision = precision
        # sanctions: regimes in force, aggregated per target
        regimes = [r for r in w.sanctions.values() if r.active]
        merged: dict[tuple[int, bytes], list] = {}  # same target and senders: one compliance,
        for r in regimes:                            # at the strongest secondary threat
            key = (r.target, r.senders.tobytes())
            if key in merged:
                merged[key][2] = max(merged[key][2], r.secondary)
            else:
                merged[key] = [r.target, r.senders, r.secondary,
                               sanctions.affinity_to(w.affinity, r.senders)]
        self._regimes = [tuple(v) for v in merged.values()]
        self._arms_int, self._tech_int, self._fin_int, self._trade_int, self._secondary = (
            np.zeros(n) for _ in range(5))
        embargo = np.zeros((n, n), dtype=bool)
        senders_any = np.zeros(n, dtype=bool)
        for r in regimes:
            tg = r.target
            senders_any |= r.senders
            self._secondary[tg] = max(self._secondary[tg], r.secondary)
            for scope, arr in (("arms", self._arms_int), ("technology", self._tech_int),
                               ("finance", self._fin_int), ("trade", self._trade_int)):
                if scope in r.scope:
                    arr[tg] = max(arr[tg], r.intensity)
            if "arms" in r.scope:
                embargo[r.senders, tg] = embargo[tg, r.senders] = True
        self._embargo = embargo
        self._senders_any = senders_any
        self._ramping = bool((w.licensed < w.licensed_target).any())
        self._trade_sanctions = bool(self._trade_int.any())
        dt = w.axis.dt
        self._decay = {
            "backlog": np.exp(-p.backlog_cancellation * dt),
            "stock": np.exp(-p.stock_depreciation * dt),
            "capacity_growth": np.exp(w.capacity_growth * dt),
        }
        self._alpha = {  # weight of the target in one step of a first-order lag (see relax)
            "capacity": 1.0 - math.exp(-p.capacity_adjustment * dt),
            "budget": 1.0 - math.exp(-p.budget_adjustment * dt),
        }
        self._trade_factor = trade.growth_factor(w.affinity, p.trade_growth, p.trade_affinity_growth, dt)

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one period (see the module docstring for the order)."""
        t = self.steps - 1
        w = self.world
        self.fired = self.events.fire(t)
        ended = self._conflicts_ended(t)  # always prune, even when events fired too
        if self.events.changed or ended:
            self._refresh()
        self._threat_phase(t)
        self._procurement_phase(t)
        self._sanction_phase()
        stock_share = w.stock_shares()
        self._stock_share = stock_share
        self._pressure_phase(stock_share)
        trade_share = self._trade_phase(t)
        self.recorder.record(t, stock_share, trade_share)
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if t + 1 >= w.axis.n:
            self.running = False

    def _conflicts_ended(self, t: int) -> bool:
        w = self.world
        live = [c for c in w.conflicts if c[0] > t]
        if len(live) == len(w.conflicts):
            return False
        w.conflicts = live
        return True

    def _threat_phase(self, t: int) -> None:
        w, p = self.world, self.world.params
        dt = self._dt
        if p.shock_rate > 0:
            hit = self.rng.random(w.n) < 1.0 - np.exp(-p.shock_rate * dt)
            if hit.any():
                size = self.rng.exponential(p.shock_size, int(hit.sum()))
                end = min(t + max(1, int(round(p.shock_duration / dt))), w.threat_extra.shape[0])
                w.threat_extra[t:end, np.flatnonzero(hit)] += size
        w.threat, w.budget = threat.threat_and_budget(
            w.base_threat, w.threat_extra[t], w.rivalry, w.budget, self._budget_ref,
            self._guarantee + w.guarantee_extra[t], self._base_budget, p.richardson_reaction,
            p.alliance_reassurance, p.max_threat, p.threat_budget_elasticity, self._alpha["budget"])

    def _procurement_phase(self, t: int) -> None:
        w, p = self.world, self.world.params
        dt, n = self._dt, w.n
        stock_share = self._stock_share
        view = self.view(stock_share)
        self._view = view
        if self._ramping:  # licensed lines ramp up to their capacity over licence_ramp years
            w.licensed = np.minimum(
                w.licensed_target, w.licensed + w.licensed_target * min(1.0, dt / p.licence_ramp))
            self._ramping = bool((w.licensed < w.licensed_target).any())
        # the model owns these arrays (float64 / bool, C order): call the compiled kernels directly
        u = procurement._utility(
            self._u_static, w.reliability_base * w.fill_rate, stock_share, w.licensed,
            w.capacity > 0, self._pcost, self._risk, p.weight_reliability, p.weight_path,
            p.weight_tech_transfer, p.weight_pressure, p.weight_sanction_risk, p.weight_domestic)
        if p.choice_noise > 0:
            u += self.rng.normal(0.0, p.choice_noise, (n, n))
        for strat, rows in self._groups:
            strat.adjust(u, rows, view, p)
        spend = w.budget
        for strat, rows in self._investors:  # paid from the arms budget; builds domestic capacity
            invest = np.zeros(n)
            invest[rows] = strat.invest(rows, view, p)
            w.capacity_base += p.autarky_capacity_yield * invest * dt
            spend = spend - invest
        avail = procurement._availability(
            w.exports, w.capacity, w.licensed, w.affinity, self._embargo, p.min_affinity_for_arms)
        shares = procurement._logit(u, self._precision, avail)
        got, w.backlog, w.stock, w.fill_rate = procurement._settle(
            w.pipeline, t, shares, spend * dt, w.scheduled[t], w.lead_steps,
            w.backlog, w.capacity * dt, w.reliability, w.licensed * dt, w.fill_rate,
            self._alpha["capacity"], self._decay["backlog"], w.stock, self._decay["stock"])
        w.deliveries = got

    def _sanction_phase(self, first: bool = False) -> None:
        w, p = self.world, self.world.params
        n, dt = w.n, self._dt
        if not self._regimes and not w.compliance.any():
            if not first:
                self._grow_capacity(np.zeros(n), np.zeros(n))
            self._risk = np.zeros((n, n))
            return
        c_target = np.zeros((n, n))
        expo = np.zeros((n, n))
        total = w.trade.sum(axis=1) + w.other_trade
        view = self._view if not first else self.view(w.stock_shares())
        for tg, senders, secondary, aff_s in self._regimes:
            c, e = sanctions.regime_compliance(w.trade, total, senders, tg, aff_s, w.affinity,
                                               secondary, p)
            for strat, rows in self._groups:
                strat.compliance(c, rows, tg, view, p)
            np.maximum(c_target[:, tg], c, out=c_target[:, tg])
            np.maximum(expo[:, tg], e, out=expo[:, tg])
        w.compliance = c_target if first else relax(w.compliance, c_target, p.compliance_adjustment, dt)
        w.input_loss, fin_loss, self._risk = sanctions.effects(
            w.compliance, w.trade, w.input_sources, w.has_inputs, self._tech_int, self._fin_int,
            self._arms_int, self._secondary, expo)
        if not first:
            self._grow_capacity(w.input_loss, fin_loss)

    def _grow_capacity(self, input_loss: np.ndarray, fin_loss: np.ndarray) -> None:
        """Trend growth of base capacity; capacity and reliability relax to their sanctioned targets."""
        w, p = self.world, self.world.params
        w.capacity_base = w.capacity_base * self._decay["capacity_growth"]
        w.capacity, w.reliability = sanctions.capacity_response(
            w.capacity_base, w.capacity, w.reliability, w.reliability_base, input_loss, fin_loss,
            p, self._alpha["capacity"])

    def _pressure_phase(self, stock_share: np.ndarray) -> None:
        w, p = self.world, self.world.params
        if not self._has_clients:
            return
        target = pressure_rule.pressure_target(
            stock_share, w.client_mask, w.ref_patron_share, w.ref_rival_share,
            w.capacity / self._capacity_ref, w.trade, w.trade.sum(axis=1) + w.other_trade, p)
        w.pressure = relax(w.pressure, target, p.pressure_adjustment, self._dt)
        self._pcost = procurement.pressure_cost(w.pressure)

    def _trade_phase(self, t: int) -> np.ndarray:
        w, p = self.world, self.world.params
        dt = self._dt
        old = w.trade_potential
        new = old * self._trade_factor
        for ag in w.agreements:
            if t > ag.due_step:
                continue
            a, b = ag.a, ag.b
            trend = new[a, b] / old[a, b] if old[a, b] > 0 else 1.0
            path = trade.agreement_growth(max(w.trade[a, b], 1e-9), ag.target, ag.due_step - t + 1)
            new[a, b] = new[b, a] = old[a, b] * trade.pull(trend, path, p.agreement_pull)
        w.trade_potential = new
        target = new
        if self._trade_sanctions:
            cut = sanctions.trade_cut(w.compliance, self._trade_int, p.sanction_trade_cut)
            target = new * (1.0 - cut) + sanctions._reroute(
                new, cut, w.compliance, self._senders_any, p.trade_reroute_share)
        if self._has_clients and p.pressure_trade_friction > 0:
            cost = pressure_rule._rival_trade_cost(w.pressure, w.client_mask)
            target = target * pressure_rule._trade_friction(cost, p.pressure_trade_friction)
        w.trade = relax(w.trade, target, p.trade_adjustment, dt)
        return trade.trade_shares(w.trade)

    # ------------------------------------------------------------------ running
    def run(self) -> "MultivectorModel":
        """Run all periods of the scenario's time axis."""
        while self.running:
            self.step()
        return self
