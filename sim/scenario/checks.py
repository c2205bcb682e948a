"""Cross-field checks that a schema cannot express: references between sections, dates in the run."""

from __future__ import annotations

import difflib

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.errors import Problem, excerpt
from sim.scenario.errors import bounds_text
from sim.scenario.parameters import FIXED_PARAMETERS, PARAMETER_NAMES, Parameters
from sim.scenario.schema import (
    Alignment,
    Alliance,
    AllianceAction,
    ArmsOrder,
    Conflict,
    Designation,
    Link,
    ParameterChange,
    ProductionDeal,
    SanctionChanged,
    SanctionImposed,
    SanctionLifted,
    Scenario,
    State,
    ThreatShock,
    TradeAgreement,
    War,
)
from sim.scenario.timeaxis import parse_date
from sim.scenario.yamlsafe import PathT, YamlDoc, format_path

LINK_FIELDS = ("affinity", "trade", "rivalry")
NUMERIC_STATE_FIELDS = (
    "gdp",
    "military_budget_share",
    "procurement_share",
    "diversification",
    "production_capacity",
    "capacity_growth",
    "capability",
    "cost_effectiveness",
    "reliability",
    "lead_time",
    "base_threat",
    "reexport_tolerance",
)


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_scenario(sc: Scenario, file: str, doc: YamlDoc | None = None) -> list[Problem]:
    """All cross-reference problems of a validated scenario (empty when it is consistent)."""
    out: list[Problem] = []
    ids = sc.state_ids
    known = ", ".join(ids)
    axis = sc.time.axis

    def add(path: PathT, msg: str) -> None:
        out.append(Problem(file, format_path(path), msg, doc.line_of(path) if doc else None))

    def state(path: PathT, sid: str | None) -> None:
        if sid is not None and sid not in sc.states:
            add(
                path,
                f"unknown state {excerpt(sid)}{_suggest(sid, ids)} "
                f"(states in this scenario: {known})",
            )

    def in_run(path: PathT, date: str) -> None:
        i = axis.index(date)
        if not 0 <= i < axis.n:
            add(path, f"date {date} is outside the run ({sc.time.start} to {sc.time.end})")

    alliances = set(sc.alliances)
    for sid, st in sc.states.items():
        _check_strategy(sid, st, add)
        for k, m in enumerate(st.memberships):
            if m not in alliances:
                add(
                    ("states", sid, "memberships", k),
                    f"unknown alliance {excerpt(m)}{_suggest(m, sorted(alliances))} "
                    "(declare it under "
                    f"alliances:; declared: {', '.join(sorted(alliances)) or 'none'})",
                )
        for k, c in enumerate(st.clients):
            state(("states", sid, "clients", k), c)
        for src in st.input_sources:
            state(("states", sid, "input_sources", src), src)
    for name, al in sc.alliances.items():
        state(("alliances", name, "leader"), al.leader)
    seen_pairs: dict[frozenset[str], int] = {}
    for k, link in enumerate(sc.relations.links):
        for j, sid in enumerate(link.between):
            state(("relations", "links", k, "between", j), sid)
        pair = frozenset(link.between)
        if pair in seen_pairs:
            add(
                ("relations", "links", k, "between"),
                f"link {link.between[0]}-{link.between[1]} is already given at links[{seen_pairs[pair]}]",
            )
        seen_pairs.setdefault(pair, k)
    for imp, stock in sc.relations.arms_stocks.items():
        state(("relations", "arms_stocks", imp), imp)
        for sup in stock.shares:
            state(("relations", "arms_stocks", imp, "shares", sup), sup)
    sanction_ids: set[str] = set()
    for k, s in enumerate(sc.sanctions):
        p: PathT = ("sanctions", k)
        if s.id in sanction_ids:
            add(p + ("id",), f"duplicate sanction id {excerpt(s.id)}")
        sanction_ids.add(s.id)
        state(p + ("target",), s.target)
        for j, snd in enumerate(s.senders):
            state(p + ("senders", j), snd)
        if s.target in s.senders:
            add(p + ("senders",), f"the target {s.target} cannot also be a sender")
        for fld in ("start", "end"):
            v = getattr(s, fld)
            if v is not None:
                in_run(p + (fld,), v)
        if s.start and s.end and parse_date(s.end) < parse_date(s.start):
            add(p + ("end",), f"end {s.end} is before start {s.start}")
    regime_ids = set(sanction_ids) | {ev.id for ev in sc.events if isinstance(ev, SanctionImposed)}
    for sid, st in sc.states.items():
        for key in st.stances:
            if key not in regime_ids and key not in sc.states:
                add(
                    ("states", sid, "stances", key),
                    f"{excerpt(key)} is neither a sanctions regime id nor a state id "
                    f"(regimes: {', '.join(sorted(regime_ids)) or 'none'}; or a target's id)",
                )
    for k, ev in enumerate(sc.events):
        p = ("events", k)
        in_run(p + ("date",), ev.date)
        if isinstance(ev, SanctionImposed):
            if ev.id in sanction_ids:
                add(p + ("id",), f"sanction id {excerpt(ev.id)} already exists")
            sanction_ids.add(ev.id)
            state(p + ("target",), ev.target)
            for j, snd in enumerate(ev.senders):
                state(p + ("senders", j), snd)
        elif isinstance(ev, (SanctionChanged, SanctionLifted)):
            if ev.id not in sanction_ids:
                add(
                    p + ("id",),
                    f"no sanction {excerpt(ev.id)} is defined before this event"
                    f"{_suggest(ev.id, sorted(sanction_ids))}",
                )
            if isinstance(ev, SanctionChanged) and ev.senders:
                for j, snd in enumerate(ev.senders):
                    state(p + ("senders", j), snd)
        elif isinstance(ev, ArmsOrder):
            state(p + ("buyer",), ev.buyer)
            state(p + ("supplier",), ev.supplier)
            in_run(p + ("delivery_start",), ev.delivery_start)
        elif isinstance(ev, ProductionDeal):
            state(p + ("licensor",), ev.licensor)
            state(p + ("producer",), ev.producer)
        elif isinstance(ev, (TradeAgreement, Conflict)):
            for j, sid in enumerate(ev.between):
                state(p + ("between", j), sid)
            if ev.between[0] == ev.between[1]:
                add(p + ("between",), "needs two different states")
            year = parse_date(ev.date)[0]
            if isinstance(ev, TradeAgreement) and ev.target_year < year:
                add(
                    p + ("target_year",),
                    f"target_year {ev.target_year} is before the "
                    f"agreement's date {ev.date}; give a year from {year} on",
                )
        elif isinstance(ev, ThreatShock):
            for j, sid in enumerate(ev.states):
                state(p + ("states", j), sid)
        elif isinstance(ev, War):
            state(p + ("state",), ev.state)
        elif isinstance(ev, Alignment):
            state(p + ("toward",), ev.toward)
            for j, sid in enumerate(ev.states):
                state(p + ("states", j), sid)
                if sid == ev.toward:
                    add(p + ("states", j), f"{sid} cannot move towards itself")
        elif isinstance(ev, Designation):
            state(p + ("target",), ev.target)
            for j, snd in enumerate(ev.senders):
                state(p + ("senders", j), snd)
            if ev.target in ev.senders:
                add(p + ("target",), f"{ev.target} cannot designate its own firms or banks")
            if len(set(ev.senders)) < len(ev.senders):
                add(p + ("senders",), "a sender is named twice")
            targets = {s.target for s in sc.sanctions} | {
                e.target for e in sc.events if isinstance(e, SanctionImposed)
            }
            if ev.target in targets:
                add(
                    p + ("target",),
                    f"{ev.target} is a sanctions target, not a conduit: a designation names a "
                    "third state whose firms or banks carry trade to a target (to sanction "
                    f"{ev.target} further, use sanction_changed)",
                )

        elif isinstance(ev, AllianceAction):
            if ev.alliance not in alliances:
                add(
                    p + ("alliance",),
                    f"unknown alliance {excerpt(ev.alliance)}"
                    f"{_suggest(ev.alliance, sorted(alliances))}",
                )
            state(p + ("recipient",), ev.recipient)
            state(p + ("provider",), ev.provider)
            if ev.action == "assistance" and ev.provider is None:
                add(p + ("provider",), "assistance needs a provider (the member giving it)")
            if (
                ev.action == "deployment"
                and ev.alliance in alliances
                and sc.alliances[ev.alliance].leader is None
            ):
                add(p + ("alliance",), f"alliance {ev.alliance} has no leader to deploy")
        elif isinstance(ev, ParameterChange):
            msg = target_problem(sc, ev.target)
            if msg:
                add(p + ("target",), msg)
            else:
                msg = value_problem(ev.target, ev.op, ev.value)
                if msg:
                    add(p + ("value",), msg)
    return out


def _target_field(target: str) -> FieldInfo | None:
    """The schema field a valid ``parameter`` event target changes."""
    parts = target.split(".")
    models: dict[str, type[BaseModel]] = {
        "parameters": Parameters,
        "states": State,
        "links": Link,
        "alliances": Alliance,
    }
    model = models.get(parts[0])
    return model.model_fields.get(parts[-1]) if model else None


def value_problem(target: str, op: str, value: float) -> str | None:
    """Why a ``parameter`` event's value is out of the target field's range (None if fine).

    ``set`` values must lie in the field's range; ``scale`` factors must not be negative where
    the field cannot be (the scaled value itself depends on earlier events and is not checked).
    """
    field = _target_field(target)
    if field is None:
        return None
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
        hi = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else hi
    if op == "scale":
        if value < 0 and lo is not None and lo >= 0:
            return f"scale factor {value:g} would make {target} negative; use a factor >= 0"
        return None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return f"{value:g} is out of range for {target}; {bounds_text(field)}"
    return None


def target_problem(sc: Scenario, target: str) -> str | None:
    """Why a ``parameter`` event target is invalid (None if valid)."""
    parts = target.split(".")
    head = parts[0]
    if head == "parameters" and len(parts) == 2:
        if parts[1] in FIXED_PARAMETERS:
            return (
                f"parameters.{parts[1]} is fixed for a run ({FIXED_PARAMETERS[parts[1]]}); "
                "set it in the scenario's parameters instead"
            )
        if parts[1] in PARAMETER_NAMES:
            return None
        return f"unknown parameter {excerpt(parts[1])}{_suggest(parts[1], PARAMETER_NAMES)}"
    if head == "states" and len(parts) == 3:
        if parts[1] not in sc.states:
            return f"unknown state {excerpt(parts[1])}{_suggest(parts[1], sc.state_ids)}"
        if parts[2] not in NUMERIC_STATE_FIELDS:
            return (
                f"state field {excerpt(parts[2])} cannot be changed by an event"
                f"{_suggest(parts[2], NUMERIC_STATE_FIELDS)} "
                f"(allowed: {', '.join(NUMERIC_STATE_FIELDS)})"
            )
        return None
    if head == "links" and len(parts) == 4:
        for sid in parts[1:3]:
            if sid not in sc.states:
                return f"unknown state {excerpt(sid)}{_suggest(sid, sc.state_ids)}"
        if parts[3] not in LINK_FIELDS:
            return f"link field {excerpt(parts[3])} is not one of {', '.join(LINK_FIELDS)}"
        return None
    if head == "alliances" and len(parts) == 3:
        if parts[1] not in sc.alliances:
            return f"unknown alliance {excerpt(parts[1])}{_suggest(parts[1], sorted(sc.alliances))}"
        if parts[2] != "security_guarantee":
            return f"alliance field {excerpt(parts[2])} cannot be changed (allowed: security_guarantee)"
        return None
    return (
        "target must be parameters.NAME, states.ID.FIELD, links.A.B.FIELD or "
        "alliances.NAME.security_guarantee "
        f"(got {excerpt(target)})"
    )


def _check_strategy(sid: str, st: State, add) -> None:  # type: ignore[no-untyped-def]
    """The state's strategy loads (file, class) and accepts its ``strategy_params``."""
    from sim.strategies.loading import StrategyLoadError, load_strategy, make_strategy

    try:
        load_strategy(st.strategy)
    except StrategyLoadError as e:
        add(("states", sid, "strategy"), str(e))
        return
    try:
        make_strategy(st.strategy, st.strategy_params)
    except StrategyLoadError as e:
        add(("states", sid, "strategy_params"), str(e))
