"""The scenario schema (pydantic v2): what a scenario file may say, with units and ranges.

Every model forbids unknown keys and is frozen: a scenario is validated once, at the door, and
nothing below re-reads YAML or re-checks types. Cross-references (states named in events, dates
inside the run) are checked in :mod:`sim.scenario.checks`.
"""

from __future__ import annotations

import datetime
import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from sim.errors import excerpt
from sim.scenario.parameters import Parameters
from sim.scenario.timeaxis import DATE_HELP, FIRST_YEAR, LAST_YEAR, TimeAxis, parse_date
from sim.strategies import builtin_names, is_file_spec

StateId = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9_]{1,9}$",
        description="State id: ISO 3166 alpha-3 (KAZ, RUS, TUR, ...) or a bloc id such as WEST.",
    ),
]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Affinity = Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]
Scope = Literal["arms", "technology", "finance", "trade"]
STRATEGY_FILE_PATTERN = r"^.+\.py:[A-Za-z_][A-Za-z0-9_]*$"
"""A user strategy: the path of a Python file and the name of a class in it."""


def _unit(unit: str) -> JsonDict:
    """JSON-schema extra naming a field's unit (shown in errors and the scenario reference)."""
    return {"unit": unit}


def _field(default: Any, unit: str, description: str, **bounds: Any) -> Any:
    """A field with a default (``...``: required), a unit, a description and optional bounds
    (``ge``, ``le``, ...; or a ``default_factory`` instead of the default)."""
    if "default_factory" in bounds:
        return Field(json_schema_extra=_unit(unit), description=description, **bounds)
    return Field(default, json_schema_extra=_unit(unit), description=description, **bounds)


def plain_params(v: dict[str, Any]) -> dict[str, Any]:
    """Check ``strategy_params``: identifier names, plain values (numbers, text, true/false,
    lists, mappings, null), no NaN or infinity."""

    def plain(x: Any) -> bool:
        if isinstance(x, float):
            return math.isfinite(x)
        if isinstance(x, (int, str, bool, type(None))):
            return True
        if isinstance(x, (list, tuple)):
            return all(plain(y) for y in x)
        if isinstance(x, dict):
            return all(isinstance(k, str) and plain(y) for k, y in x.items())
        return False

    for k, x in v.items():
        if not k.isidentifier():
            raise ValueError(f"strategy parameter names are Python identifiers, got {excerpt(k)}")
        if not plain(x):
            raise ValueError(
                f"strategy parameter {k} must be plain data (finite numbers, text, true/false, "
                f"lists, mappings), got {excerpt(x)}"
            )
    return v


class Strict(BaseModel):
    """Base: unknown keys are errors, values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(
            f"a validated scenario is frozen: {type(self).__name__}.{name} cannot be set. "
            "Make a changed copy instead: scenario.with_changes({'states.KAZ.diversification': "
            "0.8}) or load_scenario(scenario, overrides={...}) (dotted paths, validated again)"
        )


def _check_date(v: object) -> str:
    if isinstance(v, bool) or v is None or not isinstance(v, (str, int, datetime.date)):
        raise ValueError(f"expected {DATE_HELP}, got {excerpt(v)}")
    if isinstance(v, int):
        v = str(v)  # YAML reads a bare year (date: 2022) as a number: the year's January
    if isinstance(v, datetime.date):
        q = (v.month - 1) // 3 + 1
        raise ValueError(
            f"expected {DATE_HELP}, got the full date {v.isoformat()}; write "
            f"{v.year}-{v.month:02d} or {v.year}-Q{q}"
        )
    try:
        parse_date(v)
    except ValueError as e:
        raise ValueError(str(e)) from None
    return v


def _not_before(v: str, info: ValidationInfo, earlier: str) -> str:
    """An ``after`` check that date ``v`` is not before the (valid) date field ``earlier``."""
    first = info.data.get(earlier)
    if first is not None and parse_date(v) < parse_date(first):
        raise ValueError(f"{info.field_name} {v} is before {earlier} {first}")
    return v


DATE_PATTERN = r"^(19\d\d|2[01]\d\d|2200)(-(0[1-9]|1[0-2]|Q[1-4]))?$"
"""The date syntax (years 1900-2200) as a JSON-schema pattern (for editors; validation uses
``parse_date``)."""
DATE_SCHEMA: JsonDict = {
    "anyOf": [
        {"type": "string", "pattern": DATE_PATTERN},
        {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
    ]
}
"""A date in the JSON schema: text, or a bare year (YAML reads ``2022`` as a number)."""
DateStr = Annotated[str, WithJsonSchema(DATE_SCHEMA), Field(description=DATE_HELP)]


class Metadata(Strict):
    """What the scenario is and what question it answers."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Short id; names the results folder (no leading dot).",
    )
    description: str = Field("", description="What the scenario represents / asks.")
    title: str = Field("", description="Human-readable title (defaults to the name).")


MAX_STEPS = 2_400
"""Most steps a run may have (200 years of months, 600 of quarters): a run's memory grows with
its steps, and no question this model answers needs more."""
MAX_REPLICATES = 1_000
"""Most replicates of a run (the baseline takes about 2 MB of memory per replicate)."""


class Time(Strict):
    """The run's time axis."""

    start: DateStr = Field(description="First period, " + DATE_HELP)
    end: DateStr = Field(description="Last period (inclusive), " + DATE_HELP)
    step: Literal["month", "quarter", "year"] = Field("quarter", description="Length of one step.")

    _v_dates = field_validator("start", "end", mode="before")(_check_date)

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: str, info: ValidationInfo) -> str:
        return _not_before(v, info, "start")

    @model_validator(mode="after")
    def _steps(self) -> Time:
        n = self.axis.n
        if n > MAX_STEPS:
            raise ValueError(
                f"{self.start} to {self.end} is {n:,} {self.step}s; a run may have at most "
                f"{MAX_STEPS:,} steps (choose a later start, an earlier end or a longer step)"
            )
        return self

    @property
    def axis(self) -> TimeAxis:
        """The :class:`TimeAxis` of these dates."""
        return TimeAxis.between(self.start, self.end, self.step)


class State(Strict):
    """One state (or bloc): an agent that buys arms, may produce and export them, and trades."""

    name: str = Field(description="Display name, as in the observed data (e.g. Kazakhstan).")
    gdp: float = _field(
        ...,
        "US$ bn/yr",
        "GDP, US$ bn per year.",
        gt=0,
        allow_inf_nan=False,
    )
    military_budget_share: float = _field(
        ...,
        "share of GDP",
        "Military spending as a share of GDP (0-0.5).",
        gt=0,
        le=0.5,
        allow_inf_nan=False,
    )
    procurement_share: Unit = _field(
        0.2,
        "share of military budget",
        "Share of the military budget spent on arms procurement (0-1).",
    )
    strategy: str = Field(
        "multi_vector",
        description="Decision rule: a built-in strategy name, or FILE.py:ClassName of a user "
        "strategy (relative to the scenario file).",
        json_schema_extra={
            "anyOf": [
                {"enum": list(builtin_names())},
                {"type": "string", "pattern": STRATEGY_FILE_PATTERN},
            ]
        },
    )
    strategy_params: dict[str, Any] = Field(
        default_factory=dict,
        description="Keyword parameters of the strategy (its class's `params`), e.g. "
        "{weight: 2.0}.",
    )
    diversification: Unit = _field(
        0.5,
        "weight",
        "Weight the state puts on diversifying its suppliers (0-1).",
    )
    production_capacity: NonNeg = _field(
        0.0,
        "US$ bn/yr",
        "Arms production capacity, US$ bn per year (domestic use and exports).",
    )
    capacity_growth: float = _field(
        0.0,
        "1/yr",
        "Trend growth of production capacity, per year.",
        ge=-0.5,
        le=0.5,
        allow_inf_nan=False,
    )
    exports_arms: bool = Field(False, description="Whether it sells arms to other states.")
    capability: Unit = _field(
        0.5,
        "index",
        "Quality of its arms (0-1).",
    )
    cost_effectiveness: Unit = _field(
        0.5,
        "index",
        "Capability per dollar of its arms (0-1; drones are cheap: high).",
    )
    reliability: Unit = _field(
        0.9,
        "probability",
        "Base on-time delivery reliability (0-1).",
    )
    lead_time: float = _field(
        1.0,
        "years",
        "Delivery lead time of its arms, years.",
        ge=0,
        le=10,
        allow_inf_nan=False,
    )
    base_threat: float = _field(
        0.2,
        "threat units",
        "Threat level without shocks (threat units).",
        ge=0,
        le=20,
        allow_inf_nan=False,
    )
    other_trade: NonNeg = _field(
        0.0,
        "US$ bn/yr",
        "Trade with partners outside the scenario, US$ bn per year (for exposures).",
    )
    memberships: tuple[str, ...] = Field((), description="Alliances and blocs it belongs to.")
    clients: tuple[StateId, ...] = Field(
        (), description="For a patron: the client states whose arms shares it watches."
    )
    stances: dict[str, Literal["aligned", "non_aligned"]] = Field(
        default_factory=dict,
        description="Its declared stance on sanctions regimes, by regime id or target state id: "
        "non_aligned (it did not join them; compliance falls to parameters."
        "non_aligned_compliance) or aligned (the economic compliance rule). Its strategy's "
        "comply overrides it.",
    )
    reexport_tolerance: Unit = _field(
        0.5,
        "share",
        "How far its authorities let firms re-export sanctioned goods to a sanctions target "
        "(0: nothing passes, 1: no checks); a designation cuts it. What firms do can differ "
        "from the state's own compliance (Kazakhstan). Default 0.5 (assumption).",
    )
    input_sources: dict[StateId, Unit] = _field(
        None,
        "share",
        "Shares of its defence-industrial inputs by source state (sum <= 1; the rest is"
        " domestic). Empty: trade-weighted.",
        default_factory=dict,
    )

    @field_validator("strategy")
    @classmethod
    def _strategy_name(cls, v: str) -> str:
        if v in builtin_names() or is_file_spec(v):
            return v
        raise ValueError(
            f"unknown strategy {excerpt(v)} (allowed: {', '.join(builtin_names())}, or "
            "FILE.py:ClassName of a user strategy)"
        )

    @field_validator("strategy_params")
    @classmethod
    def _params_plain(cls, v: dict[str, Any]) -> dict[str, Any]:
        return plain_params(v)

    @field_validator("input_sources")
    @classmethod
    def _inputs_sum(cls, v: dict[str, float]) -> dict[str, float]:
        total = sum(v.values())
        if total > 1 + 1e-6:
            raise ValueError(f"input source shares sum to {total:.4g}; they must sum to at most 1")
        return v


class Link(Strict):
    """A bilateral relation between two states (symmetric)."""

    between: tuple[StateId, StateId] = Field(description="The two state ids.")
    affinity: Affinity = _field(
        0.0,
        "affinity",
        "Political affinity, -1 (hostile) to 1 (allied).",
    )
    trade: NonNeg = _field(
        0.0,
        "US$ bn/yr",
        "Bilateral trade turnover, US$ bn per year.",
    )
    rivalry: Unit = _field(
        0.0,
        "index",
        "Security rivalry (Richardson coupling), 0-1.",
    )

    @field_validator("between")
    @classmethod
    def _distinct(cls, v: tuple[str, str]) -> tuple[str, str]:
        if v[0] == v[1]:
            raise ValueError(f"a link needs two different states, got {v[0]} twice")
        return v


class ArmsStock(Strict):
    """An importer's installed arms stock at the start, by supplier of origin."""

    total: NonNeg = Field(
        json_schema_extra=_unit("US$ bn (TIV)"),
        description="Installed arms stock, US$ bn (SIPRI TIV-equivalent).",
    )
    shares: dict[StateId, Unit] = Field(
        json_schema_extra=_unit("share"),
        description="Share of the stock by supplier; must sum to 1.",
    )

    @field_validator("shares")
    @classmethod
    def _sum_to_one(cls, v: dict[str, float]) -> dict[str, float]:
        total = sum(v.values())
        if not math.isclose(total, 1.0, abs_tol=1e-3):
            raise ValueError(f"shares sum to {total:.4g}; they must sum to 1 (within 0.001)")
        return v


class Relations(Strict):
    """Relations between states: bilateral links and initial arms stocks."""

    links: tuple[Link, ...] = Field((), description="Bilateral links (affinity, trade, rivalry).")
    arms_stocks: dict[StateId, ArmsStock] = Field(
        default_factory=dict, description="Initial arms stock by importer and supplier."
    )


class Alliance(Strict):
    """An alliance or bloc named in memberships."""

    leader: StateId | None = Field(None, description="Leading power (gives security guarantees).")
    security_guarantee: Unit = _field(
        0.0,
        "index",
        "Guarantee the leader extends to members (reduces their threat), 0-1.",
    )
    assistance_requires_consensus: bool = Field(
        False,
        description="Direct military assistance by a member needs all other members' consent.",
    )
    consensus_threshold: Affinity = _field(
        0.5,
        "affinity",
        "A member consents if its affinity to the recipient is at least this.",
    )
    customs_union: bool = Field(
        False,
        description="Members trade without customs borders between them (the EAEU): goods a "
        "member re-exports to another cross no customs check (conduit access).",
    )


class Sanction(Strict):
    """A sanctions regime: a coalition of senders against one target."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Unique id (events refer to it).")
    senders: tuple[StateId, ...] = Field(min_length=1, description="Sender coalition.")
    target: StateId = Field(description="Sanctioned state.")
    start: DateStr | None = Field(None, description="First period in force (default: run start).")
    end: DateStr | None = Field(None, description="Last period in force (default: open).")
    intensity: Unit = Field(
        json_schema_extra=_unit("index"),
        description="Intensity, 0 (none) to 1 (comprehensive).",
    )
    scope: tuple[Scope, ...] = Field(
        ("arms", "technology", "finance", "trade"),
        min_length=1,
        description="What is sanctioned: arms, technology, finance, trade.",
    )
    secondary: Unit = _field(
        0.0,
        "index",
        "Threat of secondary sanctions on third states, 0-1.",
    )

    _v_dates = field_validator("start", "end", mode="before")(
        lambda v: None if v is None else _check_date(v)
    )


class _Event(Strict):
    date: DateStr = Field(description="When it fires, " + DATE_HELP)
    label: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Optional name of the event, so overlays can remove or edit it by name.",
    )
    narration: str = Field("", description="Plain-language text shown when the event fires.")

    _v_date = field_validator("date", mode="before")(_check_date)


class SanctionImposed(_Event):
    """A new sanctions regime starts at ``date``."""

    type: Literal["sanction_imposed"]
    id: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Unique id of the new regime (later events refer to it).",
    )
    senders: tuple[StateId, ...] = Field(min_length=1, description="Sender coalition.")
    target: StateId = Field(description="Sanctioned state.")
    intensity: Unit = Field(
        json_schema_extra=_unit("index"),
        description="Intensity, 0 (none) to 1 (comprehensive).",
    )
    scope: tuple[Scope, ...] = Field(
        ("arms", "technology", "finance", "trade"),
        description="What is sanctioned: arms, technology, finance, trade.",
    )
    secondary: Unit = _field(
        0.0,
        "index",
        "Threat of secondary sanctions on third states, 0-1.",
    )


class SanctionChanged(_Event):
    """An existing regime changes intensity, scope or secondary threat."""

    type: Literal["sanction_changed"]
    id: str = Field(description="Id of the regime to change (from sanctions or an earlier event).")
    intensity: Unit | None = _field(
        None,
        "index",
        "New intensity, 0-1 (omitted: unchanged).",
    )
    scope: tuple[Scope, ...] | None = Field(None, description="New scope (omitted: unchanged).")
    secondary: Unit | None = Field(
        None,
        json_schema_extra=_unit("index"),
        description="New secondary-sanctions threat, 0-1 (omitted: unchanged).",
    )
    senders: tuple[StateId, ...] | None = Field(
        None, description="New sender coalition (omitted: unchanged)."
    )


class SanctionLifted(_Event):
    """An existing regime ends."""

    type: Literal["sanction_lifted"]
    id: str = Field(description="Id of the regime to end.")


class ArmsOrder(_Event):
    """A contracted arms order, delivered evenly from ``delivery_start`` to ``delivery_end``."""

    type: Literal["arms_order"]
    buyer: StateId = Field(description="Importing state.")
    supplier: StateId = Field(description="Supplying state.")
    value: float = _field(
        ...,
        "US$ bn (TIV)",
        "US$ bn (TIV-equivalent).",
        gt=0,
        allow_inf_nan=False,
    )
    delivery_start: DateStr = Field(
        description="First delivery period (not before the order date)."
    )
    delivery_end: DateStr = Field(description="Last delivery period (may be after the run ends).")

    _v_dd = field_validator("delivery_start", "delivery_end", mode="before")(_check_date)

    @field_validator("delivery_start")
    @classmethod
    def _start_after_order(cls, v: str, info: ValidationInfo) -> str:
        return _not_before(v, info, "date")

    @field_validator("delivery_end")
    @classmethod
    def _end_after_start(cls, v: str, info: ValidationInfo) -> str:
        return _not_before(v, info, "delivery_start")


class ProductionDeal(_Event):
    """Technology transfer: the licensor's design produced in the buyer (licensed local line)."""

    type: Literal["production_deal"]
    licensor: StateId = Field(description="State whose design is licensed (technology source).")
    producer: StateId = Field(description="State where the licensed line is built (the buyer).")
    capacity: float = _field(
        ...,
        "US$ bn/yr",
        "Full line capacity, US$ bn/yr.",
        gt=0,
        allow_inf_nan=False,
    )


class TradeAgreement(_Event):
    """A bilateral trade target to reach by ``target_year``."""

    type: Literal["trade_agreement"]
    between: tuple[StateId, StateId] = Field(description="The two partner states.")
    target: float = _field(
        ...,
        "US$ bn/yr",
        "Target turnover, US$ bn/yr.",
        gt=0,
        allow_inf_nan=False,
    )
    target_year: int = _field(
        ...,
        "year",
        "Year by whose end the target is due.",
        ge=1900,
        le=2200,
    )


def _duration() -> Any:
    """A required duration in years (0 < d <= 100)."""
    return _field(..., "years", "Years.", gt=0, le=100, allow_inf_nan=False)


class ThreatShock(_Event):
    """A security shock raising the threat of some states for a while."""

    type: Literal["threat_shock"]
    states: tuple[StateId, ...] = Field(min_length=1, description="States whose threat rises.")
    magnitude: float = _field(
        ...,
        "threat units",
        "Threat units.",
        ge=-20,
        le=20,
        allow_inf_nan=False,
    )
    duration: float = _duration()


class Conflict(_Event):
    """An armed conflict between two states: rivalry and threat rise for its duration."""

    type: Literal["conflict"]
    between: tuple[StateId, StateId] = Field(description="The two states in conflict.")
    intensity: Unit = Field(
        json_schema_extra=_unit("index"),
        description="Added rivalry and threat, 0-1.",
    )
    duration: float = _duration()


class AllianceAction(_Event):
    """An alliance acts: a ``deployment`` by its leader, or direct ``assistance`` by a member."""

    type: Literal["alliance_action"]
    alliance: str = Field(description="The acting alliance (declared under alliances).")
    action: Literal["deployment", "assistance"] = Field(
        description="deployment: the leader deploys forces; assistance: a member gives arms."
    )
    recipient: StateId = Field(description="State that receives the deployment or assistance.")
    provider: StateId | None = Field(None, description="Assistance: the giving member.")
    value: NonNeg = _field(
        0.0,
        "US$ bn (TIV)",
        "Assistance: arms delivered, US$ bn.",
    )
    duration: float = _field(
        0.5,
        "years",
        "Years.",
        gt=0,
        le=100,
        allow_inf_nan=False,
    )


class Designation(_Event):
    """Targeted secondary sanctions: senders designate firms or banks of a third state as
    conduits for trade with a sanctions target. The conduit's re-export tolerance falls by
    ``intensity`` and its trade with the senders by ``intensity`` times
    ``parameters.designation_trade_cut``; nobody else is touched."""

    type: Literal["designation"]
    senders: tuple[StateId, ...] = Field(min_length=1, description="The designating states.")
    target: StateId = Field(description="The conduit state whose firms or banks are designated.")
    intensity: Unit = Field(
        json_schema_extra=_unit("index"),
        description="Share of the conduit's re-export tolerance removed, 0-1 (and, times "
        "parameters.designation_trade_cut, of its trade with the senders).",
    )


class War(_Event):
    """A state at war: its forces consume ``consumption`` of its arms production for
    ``duration`` years, which then cannot go to its orders or its clients' (the war's own
    demand on its capacity, served first)."""

    type: Literal["war"]
    state: StateId = Field(description="The state at war (its industry diverts production).")
    consumption: Unit = Field(
        json_schema_extra=_unit("share of production capacity"),
        description="Share of its production capacity the war consumes, 0-1.",
    )
    duration: float = _duration()


class Alignment(_Event):
    """A dated turn in alignment: the affinity of each of ``states`` with ``toward`` changes by
    ``change`` (a summit, a rapprochement; negative for a falling-out)."""

    type: Literal["alignment"]
    states: tuple[StateId, ...] = Field(min_length=1, description="States whose alignment moves.")
    toward: StateId = Field(description="The power they move towards (or away from).")
    change: float = _field(
        ...,
        "affinity units",
        "Added to each pair's affinity (clipped to -1..1).",
        ge=-2,
        le=2,
        allow_inf_nan=False,
    )


class ParameterChange(_Event):
    """Set or scale a parameter, a state attribute or a link attribute from ``date`` on."""

    type: Literal["parameter"]
    target: str = Field(
        description="parameters.NAME, states.ID.FIELD, links.A.B.FIELD (affinity, trade, "
        "rivalry) or alliances.NAME.security_guarantee (its credibility)."
    )
    op: Literal["set", "scale"] = Field(
        "set", description="set: replace the value; scale: multiply the current value."
    )
    value: float = Field(
        allow_inf_nan=False, description="New value (set) or factor (scale), in the target's unit."
    )


Event = Annotated[
    SanctionImposed
    | SanctionChanged
    | SanctionLifted
    | ArmsOrder
    | ProductionDeal
    | TradeAgreement
    | ThreatShock
    | Conflict
    | AllianceAction
    | Designation
    | War
    | Alignment
    | ParameterChange,
    Field(discriminator="type"),
]
EVENT_TYPES: dict[str, type[_Event]] = {
    "sanction_imposed": SanctionImposed,
    "sanction_changed": SanctionChanged,
    "sanction_lifted": SanctionLifted,
    "arms_order": ArmsOrder,
    "production_deal": ProductionDeal,
    "trade_agreement": TradeAgreement,
    "threat_shock": ThreatShock,
    "conflict": Conflict,
    "alliance_action": AllianceAction,
    "designation": Designation,
    "war": War,
    "alignment": Alignment,
    "parameter": ParameterChange,
}


class Scenario(Strict):
    """A complete, validated scenario."""

    metadata: Metadata = Field(description="Name and description of the scenario.")
    time: Time = Field(description="Start, end and step of the run.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Master seed of the run.")
    replicates: int = Field(
        1,
        ge=1,
        le=MAX_REPLICATES,
        description="Replicates (seeds spawned from seed).",
    )
    states: dict[StateId, State] = Field(
        min_length=1, description="The states (agents), by id; file order is the model's order."
    )
    alliances: dict[str, Alliance] = Field(
        default_factory=dict, description="Alliances and blocs named in states' memberships."
    )
    relations: Relations = Field(
        Relations(), description="Bilateral links and initial arms stocks."
    )
    sanctions: tuple[Sanction, ...] = Field(
        (), description="Sanctions regimes in force from the start (or from their start date)."
    )
    events: tuple[Event, ...] = Field((), description="Dated events, each with a type.")
    parameters: Parameters = Field(
        Parameters(), description="Behavioural coefficients (omitted ones keep their default)."
    )

    @property
    def name(self) -> str:
        """The scenario's short name."""
        return self.metadata.name

    @property
    def state_ids(self) -> tuple[str, ...]:
        """State ids in file order (the model's index order)."""
        return tuple(self.states)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON/YAML-safe), with defaults filled in."""
        return self.model_dump(mode="json")

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A validated copy with ``changes`` (dotted path -> value, as overrides:
        ``{"states.KAZ.diversification": 0.8, "events[west_2022_imposed].intensity": 0.4}``).

        Raises:
            ScenarioError: if a path does not exist or the result is invalid.
        """
        from sim.scenario.loader import load_scenario

        return load_scenario(self, changes)
