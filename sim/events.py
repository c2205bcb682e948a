"""Dated events: applied to the world at the start of the step of their date.

Events of the :data:`DATED` types only add to the world's dated inputs from their date on
(deliveries due per step, extra threat per step, war consumption per step, and the lists of
conflicts, trade agreements and production deals, which the mechanisms read by step): the queue
applies them when the model is set up, and logs them at their step. This gives the same run as
applying them at their step, up to the rounding of floating-point additions made in another
order (random threat shocks added after a dated one instead of before, about 1e-16).

Each event type has one small apply function. The queue also turns the ``sanctions`` section's
start and end dates into activations, so sanctions behave the same whether declared up front or
imposed by an event. Every fired event is logged (with its narration) for outputs and the web page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from sim.scenario.memo import by_scenario
from sim.scenario.schema import (
    Alignment,
    AllianceAction,
    ArmsOrder,
    Conflict,
    Designation,
    Event,
    ParameterChange,
    ProductionDeal,
    SanctionChanged,
    SanctionImposed,
    SanctionLifted,
    Scenario,
    ThreatShock,
    TradeAgreement,
    War,
)
from sim.world import Agreement, LicenceDeal, SanctionRegime, World


@dataclass(frozen=True)
class FiredEvent:
    """One event as it fired: step, date, type, a short summary and the narration."""

    step: int
    date: str
    type: str
    summary: str
    narration: str
    blocked: bool = False


Scheduled: TypeAlias = "Event | tuple[str, str]"
"""An item of the schedule: a scenario event, or a sanction's ``("_activate" | "_deactivate",
id)``."""


def _steps(years: float, dt: float) -> int:
    return max(1, round(years / dt))


def consensus(world: World, alliance: int, provider: int, recipient: int) -> bool:
    """Whether every other member of the alliance consents to assistance to ``recipient``.

    A member consents when its affinity to the recipient is at least the alliance's threshold.
    """
    members = np.flatnonzero(world.membership[:, alliance])
    others = members[members != provider]
    return bool(np.all(world.affinity[others, recipient] >= world.alliance_threshold[alliance]))


@by_scenario(maxsize=4)
def schedule(scenario: Scenario) -> dict[int, list[Scheduled]]:
    """The scenario's events by step (0-based), sanctions' start and end dates included as
    ``("_activate" | "_deactivate", id)``; in declaration order within a step."""
    axis = scenario.time.axis
    by_step: dict[int, list[Scheduled]] = defaultdict(list)
    for s in scenario.sanctions:
        if s.start is not None and axis.index(s.start) > 0:
            by_step[axis.index(s.start)].append(("_activate", s.id))
        if s.end is not None:
            by_step[axis.index(s.end) + 1].append(("_deactivate", s.id))
    for ev in scenario.events:
        by_step[axis.index(ev.date)].append(ev)
    return dict(by_step)


class EventQueue:
    """The scenario's events, indexed by step.

    Events of the :data:`DATED` types only add to the world's dated arrays, from their own
    date on, and read nothing a run changes: the queue applies them when it is made (the
    model's set-up), so the steps that hold nothing else need no Python and run in the
    compiled stretch around them. They are still logged, with their summary, at their step.
    """

    def __init__(self, scenario: Scenario, world: World) -> None:
        self.world = world
        self.by_step: dict[int, list[Scheduled]] = schedule(scenario)  # shared: read-only
        self.log: list[FiredEvent] = []
        self.changed: set[str] = set()  # what the last fire() changed of the model's caches
        self._applied: dict[int, tuple[str, bool]] = {}  # id(event) -> (summary, blocked)
        python = []
        for step, items in sorted(self.by_step.items()):  # in firing order
            for ev in items:
                if not isinstance(ev, tuple) and type(ev) in DATED:
                    self._applied[id(ev)] = APPLY[type(ev)](world, ev, step)
            if len(items) > sum(id(ev) in self._applied for ev in items):
                python.append(step)
        self.python_steps: tuple[int, ...] = tuple(sorted(python))
        """Steps with an event that must be applied in Python at its step."""

    def fire(self, step: int) -> list[FiredEvent]:
        """Apply the events of period ``step`` (0-based); returns what fired."""
        fired = []
        self.changed = set()
        for ev in self.by_step.get(step, ()):
            if isinstance(ev, tuple):
                kind, sid = ev
                self.world.sanctions[sid].active = kind == "_activate"
                self.changed.add(REGIMES)
                continue
            done = self._applied.get(id(ev))
            summary, blocked = APPLY[type(ev)](self.world, ev, step) if done is None else done
            if type(ev) in STRUCTURAL:
                self.changed.add(STRUCTURAL[type(ev)])
            f = FiredEvent(
                step, self.world.axis.label(step), ev.type, summary, ev.narration, blocked
            )
            fired.append(f)
        self.log.extend(fired)
        return fired

    def fire_quiet(self, start: int, end: int) -> list[FiredEvent]:
        """Log the events of steps ``start`` .. ``end - 1``, all applied at set-up (a quiet
        stretch holds no other); returns those of step ``end - 1``."""
        fired: list[FiredEvent] = []
        for step in range(start, end):
            fired = self.fire(step) if step in self.by_step else []
        return fired


def _ix(w: World, sid: str) -> int:
    return w.idx(sid)


def apply_sanction_imposed(w: World, ev: SanctionImposed, step: int) -> tuple[str, bool]:
    w.sanctions[ev.id] = SanctionRegime(
        ev.id,
        np.array([x in ev.senders for x in w.ids]),
        _ix(w, ev.target),
        ev.intensity,
        frozenset(ev.scope),
        ev.secondary,
    )
    return (
        f"sanctions {ev.id}: {', '.join(ev.senders)} on {ev.target} at intensity {ev.intensity:g}",
        False,
    )


def apply_sanction_changed(w: World, ev: SanctionChanged, step: int) -> tuple[str, bool]:
    r = w.sanctions[ev.id]
    if ev.intensity is not None:
        r.intensity = ev.intensity
    if ev.scope is not None:
        r.scope = frozenset(ev.scope)
    if ev.secondary is not None:
        r.secondary = ev.secondary
    if ev.senders is not None:
        r.senders = np.array([x in ev.senders for x in w.ids])
    r.active = True
    return f"sanctions {ev.id} changed: intensity {r.intensity:g}, secondary {r.secondary:g}", False


def apply_sanction_lifted(w: World, ev: SanctionLifted, step: int) -> tuple[str, bool]:
    w.sanctions[ev.id].active = False
    return f"sanctions {ev.id} lifted", False


def apply_arms_order(w: World, ev: ArmsOrder, step: int) -> tuple[str, bool]:
    a0, a1 = w.axis.index(ev.delivery_start), w.axis.index(ev.delivery_end)
    hi = min(a1, w.axis.n - 1)
    k = a1 - a0 + 1
    if a0 <= hi:
        w.scheduled[a0 : hi + 1, _ix(w, ev.buyer), _ix(w, ev.supplier)] += ev.value / k
    return (
        f"{ev.buyer} orders US${ev.value:g}bn of arms from {ev.supplier} "
        f"(deliveries {ev.delivery_start} to {ev.delivery_end})"
    ), False


def apply_production_deal(w: World, ev: ProductionDeal, step: int) -> tuple[str, bool]:
    w.deals.append(LicenceDeal(_ix(w, ev.producer), _ix(w, ev.licensor), ev.capacity, step))
    return (
        f"{ev.licensor} licenses production in {ev.producer} (US${ev.capacity:g}bn/yr line)",
        False,
    )


def apply_trade_agreement(w: World, ev: TradeAgreement, step: int) -> tuple[str, bool]:
    due = w.axis.index((ev.target_year, 12))
    a, b = _ix(w, ev.between[0]), _ix(w, ev.between[1])
    w.agreements.append(Agreement(a, b, ev.target, due, start_step=step))
    return (
        f"{ev.between[0]}-{ev.between[1]} trade target US${ev.target:g}bn by {ev.target_year}",
        False,
    )


def apply_threat_shock(w: World, ev: ThreatShock, step: int) -> tuple[str, bool]:
    end = min(step + _steps(ev.duration, w.axis.dt), w.threat_extra.shape[0])
    for s in dict.fromkeys(ev.states):  # each state once, however often it is named
        w.threat_extra[step:end, _ix(w, s)] += ev.magnitude
    return f"threat shock {ev.magnitude:+g} for {', '.join(ev.states)} ({ev.duration:g} yr)", False


def apply_conflict(w: World, ev: Conflict, step: int) -> tuple[str, bool]:
    a, b = _ix(w, ev.between[0]), _ix(w, ev.between[1])
    end = step + _steps(ev.duration, w.axis.dt)
    w.conflicts.append((step, end, a, b, ev.intensity))
    hi = min(end, w.threat_extra.shape[0])
    for i in dict.fromkeys((a, b)):
        w.threat_extra[step:hi, i] += ev.intensity
    return f"conflict {ev.between[0]}-{ev.between[1]} (intensity {ev.intensity:g})", False


def apply_alliance_action(w: World, ev: AllianceAction, step: int) -> tuple[str, bool]:
    al = w.alliance_names.index(ev.alliance)
    r = _ix(w, ev.recipient)
    end = min(step + _steps(ev.duration, w.axis.dt), w.guarantee_extra.shape[0])
    if ev.action == "deployment":
        leader = int(w.alliance_leader[al])
        w.guarantee_extra[step:end, r] += w.params.deployment_guarantee
        # goodwill of the recipient towards the leader, fading at attitude_decay
        w.attitude[r, leader] += w.params.deployment_affinity_gain
        return f"{ev.alliance} deployment led by {w.ids[leader]} in {ev.recipient}", False
    assert ev.provider is not None, "assistance without a provider (checked at loading)"
    prov = _ix(w, ev.provider)
    for a in np.flatnonzero(w.membership[prov] & w.alliance_consensus):
        if not consensus(w, int(a), prov, r):
            return (
                f"{ev.provider}'s direct military assistance to {ev.recipient} blocked: "
                f"no {w.alliance_names[a]} consensus"
            ), True
    hi = min(end, w.axis.n)
    k = _steps(ev.duration, w.axis.dt)  # the whole duration, as for arms orders past the run's end
    if ev.value > 0:
        w.scheduled[step:hi, r, prov] += ev.value / k
    return f"{ev.provider} gives direct military assistance to {ev.recipient}", False


def apply_designation(w: World, ev: Designation, step: int) -> tuple[str, bool]:
    """The conduit's tolerance falls by ``intensity``; its pairs with the senders are marked
    (the trade mechanism cuts them by ``designation_trade_cut`` times the mark). In place."""
    c = _ix(w, ev.target)
    w.tolerance[c] *= 1.0 - ev.intensity
    for s in ev.senders:
        j = _ix(w, s)
        w.designation[c, j] = w.designation[j, c] = max(w.designation[c, j], ev.intensity)
    who = ", ".join(ev.senders)
    return f"{who} designate{'s' if len(ev.senders) == 1 else ''} conduits in {ev.target}", False


def apply_war(w: World, ev: War, step: int) -> tuple[str, bool]:
    """The war consumes a share of the state's production capacity for ``duration`` (in place:
    the procurement mechanism serves it before any order)."""
    s = _ix(w, ev.state)
    end = min(step + _steps(ev.duration, w.axis.dt), w.war_share.shape[0])
    w.war_share[step:end, s] += ev.consumption
    return f"{ev.state} at war: its forces consume {ev.consumption:.0%} of its production", False


def apply_alignment(w: World, ev: Alignment, step: int) -> tuple[str, bool]:
    """Each state's affinity with ``toward`` moves by ``change`` (clipped to -1..1)."""
    b = _ix(w, ev.toward)
    for sid in ev.states:
        a = _ix(w, sid)
        w.affinity[a, b] = w.affinity[b, a] = min(1.0, max(-1.0, w.affinity[a, b] + ev.change))
    way = "towards" if ev.change >= 0 else "away from"
    return f"{', '.join(ev.states)} move {way} {ev.toward} ({ev.change:+g} affinity)", False


def apply_parameter(w: World, ev: ParameterChange, step: int) -> tuple[str, bool]:
    parts = ev.target.split(".")

    def new(old: float) -> float:
        return ev.value if ev.op == "set" else old * ev.value

    if parts[0] == "parameters":
        setattr(w.params, parts[1], new(getattr(w.params, parts[1])))
    elif parts[0] == "alliances":
        a = w.alliance_names.index(parts[1])
        w.alliance_guarantee[a] = _unit(new(float(w.alliance_guarantee[a])))
    elif parts[0] == "states":
        i = _ix(w, parts[1])
        attr, clip = STATE_FIELD_ARRAYS[parts[2]]
        arr = getattr(w, attr)
        if attr == "lead_steps":
            years = new(float(arr[i]) * w.axis.dt)
            arr[i] = max(1, round(years / w.axis.dt))
            if arr[i] > w.pipeline.shape[0] - w.span_steps:
                arr[i] = w.pipeline.shape[0] - w.span_steps
        else:
            arr[i] = clip(new(arr[i]))
    else:
        a, b = _ix(w, parts[1]), _ix(w, parts[2])
        arr = {"affinity": w.affinity, "trade": w.trade_potential, "rivalry": w.rivalry_base}[
            parts[3]
        ]
        arr[a, b] = arr[b, a] = new(arr[a, b])
    return f"{ev.target} {'set to' if ev.op == 'set' else 'scaled by'} {ev.value:g}", False


def _unit(v: float) -> float:
    return min(1.0, max(0.0, v))


def _nonneg(v: float) -> float:
    return max(0.0, v)


def _any(v: float) -> float:
    return v


STATE_FIELD_ARRAYS: dict[str, tuple[str, Callable[[float], float]]] = {
    "gdp": ("gdp", _nonneg),
    "military_budget_share": ("military_share", _unit),
    "procurement_share": ("procurement_share", _unit),
    "diversification": ("diversification", _unit),
    "production_capacity": ("capacity_base", _nonneg),
    "capacity_growth": ("capacity_growth", _any),
    "capability": ("capability", _unit),
    "cost_effectiveness": ("cost_effectiveness", _unit),
    "reliability": ("reliability_base", _unit),
    "lead_time": ("lead_steps", _any),
    "base_threat": ("base_threat", _nonneg),
    "reexport_tolerance": ("tolerance", _unit),
}

# each function takes the event type it is keyed by
APPLY: dict[type, Callable[[World, Any, int], tuple[str, bool]]] = {
    SanctionImposed: apply_sanction_imposed,
    SanctionChanged: apply_sanction_changed,
    SanctionLifted: apply_sanction_lifted,
    ArmsOrder: apply_arms_order,
    ProductionDeal: apply_production_deal,
    TradeAgreement: apply_trade_agreement,
    ThreatShock: apply_threat_shock,
    Conflict: apply_conflict,
    AllianceAction: apply_alliance_action,
    Designation: apply_designation,
    Alignment: apply_alignment,
    War: apply_war,
    ParameterChange: apply_parameter,
}

DATED: frozenset[type] = frozenset(
    {ArmsOrder, ThreatShock, War, Conflict, TradeAgreement, ProductionDeal}
)
"""Event types that only add to dated arrays (``scheduled``, ``threat_extra``, ``war_share``)
from rows at or after their own date, or to the dated lists of conflicts, trade agreements
and production deals (which the mechanisms read by step), from the event's fields alone:
applying them at set-up gives the same run as applying them at their step
(:class:`EventQueue`)."""

# What each event type changes of the model's caches between events: the sanctions regimes,
# affinity (and what is derived from it), or anything (attributes, parameters). The others (the
# dated ones, alliance actions, designations) only write arrays in place that the mechanisms
# read by reference.
REGIMES, AFFINITY, ALL = "regimes", "affinity", "all"
STRUCTURAL: dict[type, str] = {
    SanctionImposed: REGIMES,
    SanctionChanged: REGIMES,
    SanctionLifted: REGIMES,
    Alignment: AFFINITY,
    ParameterChange: ALL,
}
