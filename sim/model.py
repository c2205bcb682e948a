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
what states know at the start of the period). All randomness comes from ``self.rng``, drawn in
blocks of steps (:mod:`sim.draws`); steps 2 to 7 run as one compiled function (:mod:`sim.period`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.agents import StateAgent
from sim.draws import Draws
from sim.events import ALL, REGIMES, RIVALRY, EventQueue, FiredEvent
from sim.metrics import hhi
from sim.recorder import Recorder
from sim.period import advance, regimes_in_force
from sim.rules import procurement, sanctions, threat, trade
from sim.rules.common import lag_weight
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.strategies import PRECISION, ChoiceView, coefficient_table
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

    Changing the world by hand between steps (``model.world.params``, a state's attributes,
    affinity) takes effect after :meth:`refresh`; scenario events do this themselves.
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
        self._capacity_ref = np.where(w.capacity > 0, w.capacity, 1.0)
        n = w.n
        self._dt = w.axis.dt
        self._has_clients = bool(w.client_mask.any())
        self._patrons = patron_matrix(w)
        self._rows = np.arange(n, dtype=np.int64)
        self._risk = np.zeros((n, n))   # secondary-sanctions risk, importer x supplier
        self._draws = Draws(self.rng, n, w.axis.n)
        self._refresh()
        none = np.zeros((1, n))  # the set-up call draws nothing
        advance(0, none, none, np.zeros((1, n, n)), 0, True, *self._args)  # compliance at the start
        self.running = True
        self.datacollector = self._make_datacollector() if mesa_datacollector else None
        if self.datacollector is not None:
            self.datacollector.collect(self)  # row 0: the initial state (mesa keys agents by steps)

    # ------------------------------------------------------------------ set-up helpers
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
    def _refresh(self, what: set[str] | frozenset[str] = frozenset({ALL})) -> None:
        """Recompute what changes only when events fire, then repack the period's arguments.

        Called at set-up and after any step in which an event fired (or a conflict ended), so
        the per-step period does only the work that really changes every period. ``what`` names
        the caches to recompute (:data:`sim.events.STRUCTURAL`): ``all``, or only the
        ``rivalry`` matrix or the sanctions ``regimes``; anything else only repacks.
        """
        w, p = self.world, self.world.params
        everything = ALL in what
        if everything or RIVALRY in what:
            rivalry = w.rivalry_base.copy()
            for _end, a, b, x in w.conflicts:
                rivalry[a, b] = rivalry[b, a] = min(1.0, rivalry[a, b] + x)
            w.rivalry = rivalry
        if everything or REGIMES in what:
            self._regimes = regimes_in_force(w.sanctions.values(), w.affinity)
        if everything:
            self._guarantee = threat.alliance_guarantee(
                w.membership, w.alliance_leader, w.alliance_guarantee, w.affinity)
            self._base_budget = w.base_budget
            self._budget_ref = threat.budget_target(self._base_budget, w.base_threat,
                                                    p.threat_budget_elasticity)
            self._u_static = procurement.static_utility(
                cost_effectiveness=w.cost_effectiveness, capability=w.capability,
                affinity=w.affinity, p=p)
            self._coef = coefficient_table([a.strategy for a in self.state_agents], p)
            self._precision = (p.choice_precision
                               * (1.0 - p.diversification_effect * w.diversification)
                               * self._coef[:, PRECISION])
            dt = w.axis.dt
            self._growth_keep = np.exp(w.capacity_growth * dt)
            self._trade_factor = trade.growth_factor(w.affinity, p.trade_growth,
                                                     p.trade_affinity_growth, dt)
        self._pack()

    def _pack(self) -> None:
        """The arguments of :func:`sim.period.advance` after the step, its draws and ``first``.

        World arrays are passed by reference (the period updates them in place); scalars are
        read from the parameters now, so a parameter event must be followed by a refresh.
        """
        w, p, f = self.world, self.world.params, float
        dt = f(w.axis.dt)
        ag = w.agreements
        rec = self.recorder
        rg = self._regimes
        self._args = (
            # threat
            lag_weight(p.shock_rate, dt), f(p.shock_size),
            max(1, int(round(p.shock_duration / dt))), w.base_threat, w.threat_extra, w.rivalry,
            self._guarantee, w.guarantee_extra,
            self._base_budget, self._budget_ref, w.threat, w.budget, f(p.richardson_reaction),
            f(p.alliance_reassurance), f(p.max_threat), f(p.threat_budget_elasticity),
            lag_weight(p.budget_adjustment, dt),
            # procurement
            self._rows, self._coef, self._u_static, w.reliability_base, w.reliability,
            w.fill_rate, w.stock, w.capacity, w.capability, w.capacity_base, w.exports,
            w.affinity, self._patrons, True, w.diversification, w.pressure, self._risk,
            w.licensed, w.licensed_target, min(1.0, dt / p.licence_ramp), self._precision,
            rg.embargo, f(p.min_affinity_for_arms), w.pipeline, w.scheduled, w.lead_steps,
            w.backlog, w.deliveries, dt, f(p.autarky_capacity_yield),
            lag_weight(p.capacity_adjustment, dt), math.exp(-p.backlog_cancellation * dt),
            math.exp(-p.stock_depreciation * dt), f(p.weight_reliability), f(p.weight_path),
            f(p.weight_tech_transfer), f(p.weight_pressure), f(p.weight_sanction_risk),
            f(p.weight_domestic), f(p.choice_noise),
            # sanctions
            rg.target, rg.senders, rg.secondary, rg.affinity_s, w.trade, w.other_trade,
            w.compliance,
            lag_weight(p.compliance_adjustment, dt), f(p.compliance_exposure_weight),
            f(p.compliance_secondary_weight), f(p.compliance_target_weight),
            f(p.compliance_affinity_weight), f(p.compliance_threshold),
            f(p.compliance_steepness), w.input_sources, w.has_inputs, rg.technology, rg.finance,
            rg.arms, rg.secondary_by_target, w.input_loss, self._growth_keep,
            f(p.sanction_capacity_effect), f(p.sanction_reliability_effect),
            # patron response
            self._has_clients, w.client_mask, w.ref_patron_share, w.ref_rival_share,
            self._capacity_ref, f(p.pressure_strength), f(p.pressure_rival_weight),
            f(p.pressure_need_restraint), f(p.pressure_max), lag_weight(p.pressure_adjustment, dt),
            # trade
            w.trade_potential, self._trade_factor,
            np.array([a.a for a in ag], dtype=np.int64), np.array([a.b for a in ag], dtype=np.int64),
            np.array([a.target for a in ag], dtype=np.float64),
            np.array([a.due_step for a in ag], dtype=np.int64), f(p.agreement_pull),
            bool(rg.trade.any()), rg.trade, f(p.sanction_trade_cut), rg.senders_any,
            f(p.trade_reroute_share),
            f(p.pressure_trade_friction) if self._has_clients else 0.0,
            lag_weight(p.trade_adjustment, dt),
            # record
            rec.pair_block, rec.state_block,
        )

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one period (see the module docstring for the order).

        After the last period of the time axis the run is over: further calls change nothing
        (mesa's page may step past the end within one render interval).
        """
        t = self.steps - 1
        w = self.world
        if t >= w.axis.n:
            self.running = False
            return
        self.fired = self.events.fire(t)
        changed = self.events.changed
        if self._conflicts_ended(t):  # always prune, even when events fired too
            changed.add(RIVALRY)
        if changed:
            self._refresh(changed)
        advance(t, *self._draws.at(t), False, *self._args)
        self.recorder.n_steps = t + 1
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

    # ------------------------------------------------------------------ running
    def refresh(self) -> None:
        """Take in changes made to ``self.world`` by hand since the last step (parameters,
        attributes, relations, regimes): what a ``parameter`` event does after it applies."""
        self._refresh()

    def run(self) -> "MultivectorModel":
        """Run all periods of the scenario's time axis."""
        while self.running:
            self.step()
        return self
