"""The mesa Model: builds agents and the world from a scenario and orders each step.

A step (one period: a month, quarter or year) is **decide -> resolve -> record**:

1. events fire at their dates;
2. decide: each state's agent asks its strategy for this step's policy (strategies that do not
   read the world are asked once, and again when an event changes a parameter; see
   :mod:`sim.strategies`);
3. resolve, by the mechanisms, all policies together (compiled, :mod:`sim.period`): threat and
   arms budgets (Richardson arms race, shocks, alliance guarantees); arms procurement
   (preferences and standing rules adjust utilities; logit choice; rationed, lagged
   deliveries); sanctions (third-state compliance by rule or by stance; input loss cuts the
   target's capacity and reliability); patron response (pressure on clients that diversify,
   scaled by the patron's policy); trade (growth tilted by policies, agreements, sanction cuts
   and rerouting, pressure friction);
4. record.

Procurement in step t sees the sanctions, pressure and trade of step t - 1 (decisions are made on
what states know at the start of the period). All randomness comes from ``self.rng``, drawn in
blocks of steps (:mod:`sim.draws`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.agents import StateAgent
from sim.decide import PolicyBook
from sim.draws import Draws
from sim.errors import Problem, ScenarioError
from sim.events import AFFINITY, ALL, REGIMES, EventQueue, FiredEvent
from sim.metrics import hhi
from sim.period import advance, advance_span, plain
from sim.recorder import Recorder
from sim.rules import pressure, procurement, sanctions, threat, trade
from sim.rules.sanctions import regimes_in_force
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.strategies import BUILTIN, Policy, PolicyError
from sim.strategies.loading import StrategyLoadError, make_strategy
from sim.view import WorldView
from sim.world import World, build_world

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
_STATIC_POLICIES: dict[tuple[Any, ...], Policy] = {}
"""Policies of static strategies by (class, instance parameters, state, parameters), shared by
models (a policy is immutable; a strategy file loaded again makes a new class)."""


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
    affinity) takes effect after :meth:`refresh`; scenario events do this themselves. Dated
    inputs hold the whole run from set-up on: ``world.scheduled``, ``threat_extra`` and
    ``war_share`` have the scenario's later orders, shocks and wars in their later rows, and
    ``world.conflicts`` (first step, step after the last, a, b, intensity), ``agreements`` and
    ``deals`` list the run's, each read from its step (so clearing later rows by hand also
    cancels later events). Rivalry is set each step from ``rivalry_base`` and the conflicts
    under way: change ``rivalry_base``, not ``rivalry``.
    """

    # set by mesa.Model (untyped to mypy): the number of steps taken
    steps: int
    _records: tuple[Any, ...] = ()  # the mechanisms' inputs for the period (_pack)
    _args: tuple[Any, ...] = ()  # the same as plain tuples (sim.period.plain)
    _rivalry_steps: set[int] = set()  # steps at which a conflict starts or ends
    _rivalry_dirty = True  # rivalry to be set before adaptive strategies decide

    def __init__(
        self,
        scenario: Scenario | str | Path | dict[str, Any] = DEFAULT_SCENARIO,
        seed: int | None = None,
        *,
        overrides: dict[str, Any] | None = None,
        mesa_datacollector: bool = True,
        decide_every_step: bool = False,
        **parameters: Any,
    ) -> None:
        ov = dict(overrides or {})
        ov.update({f"parameters.{k}": v for k, v in parameters.items()})
        sc = load_scenario(scenario, ov or None)
        self.seed_used = sc.seed if seed is None else int(seed)
        super().__init__(seed=self.seed_used)
        self.scenario = sc
        self.world: World = build_world(sc)
        self.events = EventQueue(sc, self.world)
        self.recorder = Recorder(self.world)
        self.fired: list[FiredEvent] = []
        w = self.world
        self.patrons = patron_matrix(w)
        self.view = WorldView(self)
        for i, sid in enumerate(w.ids):
            st = sc.states[sid]
            try:
                strategy = make_strategy(st.strategy, st.strategy_params)
            except StrategyLoadError as e:
                raise ScenarioError(
                    f"<scenario {sc.name}>",
                    [Problem(f"<scenario {sc.name}>", f"states.{sid}.strategy", str(e))],
                ) from None
            StateAgent(self, sid, i, strategy, st.strategy)
        self.state_agents: list[StateAgent] = sorted(self.agents, key=lambda a: a.index)
        self.decide_every_step = decide_every_step
        self._adaptive = [a for a in self.state_agents if decide_every_step or a.strategy.adaptive]
        self._static = [a for a in self.state_agents if a not in self._adaptive]
        regime_ids = [s.id for s in sc.sanctions] + [
            e.id for e in sc.events if e.type == "sanction_imposed"
        ]
        self.policies = PolicyBook(
            w.ids,
            [[w.ids[j] for j in np.flatnonzero(w.client_mask[i])] for i in range(w.n)],
            regime_ids,
            w.axis.dt,
            stances=[sc.states[s].stances for s in w.ids],
            non_aligned=w.params.non_aligned_compliance,
        )
        self._capacity_ref = np.where(w.capacity > 0, w.capacity, 1.0)
        self._risk = np.zeros((w.n, w.n))  # secondary-sanctions risk, importer x supplier
        self._draws = Draws(self.rng, w.n, w.axis.n)
        self._decided_with: dict[str, Any] | None = None  # parameters of the static policies
        self._decide(self._adaptive)  # the static ones decide in the refresh
        self._refresh()
        none = np.zeros((1, w.n))  # the set-up call draws nothing
        advance(0, none, none, np.zeros((1, w.n, w.n)), 0, True, *self._args)
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
                "mean_importer_arms_hhi": lambda m: (
                    float(np.mean(hhi(m.world.stock_shares()[importers])))
                    if importers.any()
                    else 0.0
                ),
                "max_pressure": lambda m: float(m.world.pressure.max()),
                "min_capacity_ratio": lambda m: (
                    float(
                        np.min(m.world.capacity[m.world.exports] / m._capacity_ref[m.world.exports])
                    )
                    if m.world.exports.any()
                    else 1.0
                ),
            },
            agent_reporters={
                "state": "state_id",
                "arms_hhi": lambda a: a.arms_hhi(),
                "threat": "threat",
                "arms_budget": "arms_budget",
                "arms_shares": lambda a: a.arms_shares(),  # supplier id -> share
                "leading_supplier": lambda a: a.leading_supplier()[0],
                "leading_share": lambda a: a.leading_supplier()[1],
            },
        )
        return dc

    # ------------------------------------------------------------------ deciding
    def _decide(self, agents: list[StateAgent], static: bool = False) -> None:
        """The decide phase for ``agents``: ask each for its policy and book it.

        With ``static`` (strategies whose policy depends only on the parameters and the state's
        identity, and that draw no random numbers), a policy already decided for the same
        strategy, parameters and state in any model is reused.
        """
        book = self.policies
        key = tuple(vars(self.world.params).values()) if static else ()
        for a in agents:
            # only built-ins: their policies depend on the parameters and the state's id alone
            memo = static and a.strategy_spec in BUILTIN
            k = (type(a.strategy), repr(a.strategy), a.state_id, key) if memo else None
            policy = _STATIC_POLICIES.get(k) if k else None
            if policy is None:
                policy = a.decide()
                if k:
                    if len(_STATIC_POLICIES) > 4096:
                        _STATIC_POLICIES.clear()
                    _STATIC_POLICIES[k] = policy
            else:
                a.policy = policy
            try:
                book.write(a.index, policy)
            except PolicyError as e:
                raise a.policy_error(e) from None

    # ------------------------------------------------------------------ caches
    def _refresh(self, what: set[str] | frozenset[str] = frozenset({ALL})) -> None:
        """Recompute what changes only when events fire, then repack the mechanisms' records.

        Called at set-up and after any step in which an event changed one of them, so the
        per-step period does only the work that really changes every period. ``what`` names
        the caches to recompute (:data:`sim.events.STRUCTURAL`): ``all`` (which also asks the
        strategies that decide once), ``affinity`` (what is derived from it: the regimes'
        affinities to their senders, guarantees, static utility, trade growth) or only the
        sanctions ``regimes``; anything else only repacks. (Rivalry, conflicts included, is set
        by the period itself each step.)
        """
        w, p = self.world, self.world.params
        everything = ALL in what
        affinity = everything or AFFINITY in what
        if affinity or REGIMES in what:
            self._regimes = regimes_in_force(w.sanctions.values(), w.affinity)
            self.policies.set_regimes(self._regimes)
        if affinity:
            self._guarantee = threat.alliance_guarantee(
                w.membership, w.alliance_leader, w.alliance_guarantee, w.affinity
            )
            self._u_static = procurement.static_utility(
                cost_effectiveness=w.cost_effectiveness,
                capability=w.capability,
                affinity=w.affinity,
                p=p,
            )
            self._trade_factor = trade.growth_factor(
                w.affinity, p.trade_growth, p.trade_affinity_growth, w.axis.dt
            )
        if everything:
            self._base_budget = w.base_budget
            self._budget_ref = threat.budget_target(
                self._base_budget, w.base_threat, p.threat_budget_elasticity
            )
            self._base_precision = p.choice_precision * (
                1.0 - p.diversification_effect * w.diversification
            )
            self._growth_keep = np.exp(w.capacity_growth * w.axis.dt)
            self.policies.set_non_aligned(p.non_aligned_compliance)
            params = dict(vars(p))
            if params != self._decided_with:  # static policies depend on parameters alone
                self._decide(self._static, static=True)
                self._decided_with = params
        self._pack(what)

    def _pack(self, what: set[str] | frozenset[str] = frozenset({ALL})) -> None:
        """The mechanisms' records for :func:`sim.period.advance` (each module packs its own).

        World arrays are passed by reference (the period updates them in place); scalars are
        read from the parameters now, so a parameter event must be followed by a refresh. Only
        the records that read what changed are packed again: the regimes (procurement's
        embargoes, sanctions, trade, the policies' stances), affinity (those and threat's
        guarantees); ``all``: every record.
        """
        w, p, rg = self.world, self.world.params, self._regimes
        everything = ALL in what or not self._records
        affinity = everything or AFFINITY in what
        regimes = affinity or REGIMES in what
        th, pr, sa, ps, tr, _, _ = self._records or (None,) * 7
        if affinity:
            th = threat.pack(
                w,
                p,
                guarantee=self._guarantee,
                base_budget=self._base_budget,
                budget_ref=self._budget_ref,
            )
            # the steps at which rivalry changes (a conflict starts or ends), and whether the
            # links' rivalry may have (an event or a change by hand)
            self._rivalry_steps = {c[0] for c in w.conflicts} | {c[1] for c in w.conflicts}
            self._rivalry_dirty = True
        if regimes:
            pr = procurement.pack(
                w,
                p,
                u_static=self._u_static,
                base_precision=self._base_precision,
                patrons=self.patrons,
                risk=self._risk,
                embargo=rg.embargo,
            )
            sa = sanctions.pack(w, p, regimes=rg, risk=self._risk, growth_keep=self._growth_keep)
        if everything:
            ps = pressure.pack(w, p, capacity_ref=self._capacity_ref)
        if regimes:
            tr = trade.pack(w, p, trade_factor=self._trade_factor, regimes=rg)
        self._records = (th, pr, sa, ps, tr, self.policies.arrays, self.recorder.blocks)
        self._args = plain(self._records)  # what the compiled period is called with

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one period (see the module docstring for the order).

        After the last period of the time axis the run is over: further calls change nothing
        (mesa's page may step past the end within one render interval).
        """
        t = self.steps - 1
        if t >= self.world.axis.n:
            self.running = False
            return
        self._prepare(t)
        advance(t, *self._draws.at(t), False, *self._args)
        self._done(t + 1)

    def _prepare(self, t: int) -> None:
        """The Python part of step ``t``, before the mechanisms: fire its events, refresh what
        they changed, and ask the adaptive strategies for their policies."""
        self.fired = self.events.fire(t)
        changed = self.events.changed
        if changed:
            self._refresh(changed)
        if self._adaptive:
            if t in self._rivalry_steps or self._rivalry_dirty:  # what strategies see:
                threat.rivalry_at(self._records[0], t)  # this step's conflicts and links
                self._rivalry_dirty = False
            self._decide(self._adaptive)

    def _done(self, end: int) -> None:
        """Steps before ``end`` have run: record it (and collect, with a DataCollector)."""
        self.recorder.n_steps = end
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if end >= self.world.axis.n:
            self.running = False

    def set_strategy(
        self, state_id: str, strategy: str, params: dict[str, Any] | None = None
    ) -> None:
        """Let ``state_id`` play ``strategy`` (a built-in name or ``FILE.py:Class``) from the
        next step on, with ``strategy_params`` ``params``; it decides at once.

        Raises:
            UserError: for an unknown state, or a strategy that cannot be loaded or built.
        """
        from sim.errors import UserError

        agent = next((a for a in self.state_agents if a.state_id == state_id), None)
        if agent is None:
            raise UserError(f"no state {state_id!r} (states: {', '.join(self.world.ids)})")
        try:
            agent.strategy = make_strategy(strategy, params)
        except StrategyLoadError as e:
            raise UserError(f"{state_id}: {e}") from None
        agent.strategy_spec = strategy
        every = self.decide_every_step
        self._adaptive = [a for a in self.state_agents if every or a.strategy.adaptive]
        self._static = [a for a in self.state_agents if a not in self._adaptive]
        self._decide([agent])

    # ------------------------------------------------------------------ running
    def refresh(self) -> None:
        """Take in changes made to ``self.world`` by hand since the last step (parameters,
        attributes, relations, regimes): what a ``parameter`` event does after it applies."""
        self._refresh()

    def run(self) -> MultivectorModel:
        """Run all periods of the scenario's time axis.

        The same as calling :meth:`step` until the end (which a subclass that overrides
        :meth:`step` should do itself), faster: where nothing happens in
        Python between steps (no events but dated ones, no adaptive strategy, no mesa
        DataCollector), a step and the quiet steps after it run in one compiled call
        (:func:`sim.period.advance_span`, the same kernels in the same order; a test checks the
        runs are identical).
        """
        if self._adaptive or self.datacollector is not None:
            while self.running:
                self.step()
            return self
        n = self.world.axis.n
        while self.running:
            t = self.steps  # the next step to run (0-based)
            if t >= n:
                self.running = False
                break
            self._prepare(t)
            uniform, exponential, normal, row = self._draws.at(t)
            end = max(t + 1, self._quiet_until(t + 1))
            advance_span(t, end, uniform, exponential, normal, row, False, *self._args)
            self.steps = end
            if end > t + 1:  # the quiet steps' events were applied at set-up: log them
                self.fired = self.events.fire_quiet(t + 1, end)
            self._done(end)
        return self

    def _quiet_until(self, t: int) -> int:
        """The first step from ``t`` on that needs Python (an event applied at its step, a
        new block of draws), or the end of the run."""
        end = min(self.world.axis.n, self._draws.start + self._draws.block)
        if t < self._draws.start:
            return t
        for s in self.events.python_steps:
            if t <= s < end:
                end = s
        return end
