"""The scenario schema (pydantic v2): what a scenario file may say, with units and ranges.

Every model forbids unknown keys and is frozen: a scenario is validated once, at the door, and
nothing below re-reads YAML or re-checks types. Cross-references (states named in events, dates
inside the run) are checked in :mod:`sim.scenario.checks`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.scenario.parameters import Parameters
from sim.scenario.timeaxis import DATE_HELP, TimeAxis, parse_date

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
Strategy = Literal["multi_vector", "bandwagon", "balance", "autarky"]
Scope = Literal["arms", "technology", "finance", "trade"]


class Strict(BaseModel):
    """Base: unknown keys are errors, values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_date(v: object) -> str:
    if not isinstance(v, str):
        raise ValueError(f"expected {DATE_HELP}, got {type(v).__name__} {v!r}")
    parse_date(v)
    return v


DateStr = Annotated[str, Field(description=DATE_HELP)]


class Metadata(Strict):
    """What the scenario is and what question it answers."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Short id; names the results folder.")
    description: str = Field("", description="What the scenario represents / asks.")
    title: str = Field("", description="Human-readable title (defaults to the name).")


class Time(Strict):
    """The run's time axis."""

    start: DateStr = Field(description="First period, " + DATE_HELP)
    end: DateStr = Field(description="Last period (inclusive), " + DATE_HELP)
    step: Literal["month", "quarter", "year"] = Field("quarter", description="Length of one step.")

    _v_dates = field_validator("start", "end", mode="before")(_check_date)

    @model_validator(mode="after")
    def _order(self) -> "Time":
        if parse_date(self.end) < parse_date(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def axis(self) -> TimeAxis:
        """The :class:`TimeAxis` of these dates."""
        return TimeAxis(parse_date(self.start), parse_date(self.end), self.step)


class State(Strict):
    """One state (or bloc): an agent that buys arms, may produce and export them, and trades."""

    name: str = Field(description="Display name, as in the observed data (e.g. Kazakhstan).")
    gdp: float = Field(gt=0, allow_inf_nan=False, description="GDP, US$ bn per year.")
    military_budget_share: float = Field(
        gt=0, le=0.5, allow_inf_nan=False, description="Military spending as a share of GDP (0-0.5)."
    )
    procurement_share: Unit = Field(
        0.2, description="Share of the military budget spent on arms procurement (0-1)."
    )
    strategy: Strategy = Field("multi_vector", description="Decision rule for choosing suppliers.")
    diversification: Unit = Field(
        0.5, description="Weight the state puts on diversifying its suppliers (0-1)."
    )
    production_capacity: NonNeg = Field(
        0.0, description="Arms production capacity, US$ bn per year (domestic use and exports)."
    )
    capacity_growth: float = Field(
        0.0, ge=-0.5, le=0.5, allow_inf_nan=False,
        description="Trend growth of production capacity, per year."
    )
    exports_arms: bool = Field(False, description="Whether it sells arms to other states.")
    capability: Unit = Field(0.5, description="Quality of its arms (0-1).")
    cost_effectiveness: Unit = Field(
        0.5, description="Capability per dollar of its arms (0-1; drones are cheap: high)."
    )
    reliability: Unit = Field(0.9, description="Base on-time delivery reliability (0-1).")
    lead_time: float = Field(
        1.0, ge=0, le=10, allow_inf_nan=False, description="Delivery lead time of its arms, years."
    )
    base_threat: float = Field(
        0.2, ge=0, le=20, allow_inf_nan=False, description="Threat level without shocks (threat units)."
    )
    other_trade: NonNeg = Field(
        0.0, description="Trade with partners outside the scenario, US$ bn per year (for exposures)."
    )
    memberships: tuple[str, ...] = Field((), description="Alliances and blocs it belongs to.")
    clients: tuple[StateId, ...] = Field(
        (), description="For a patron: the client states whose arms shares it watches."
    )
    input_sources: dict[StateId, Unit] = Field(
        default_factory=dict,
        description="Shares of its defence-industrial inputs by source state (sum <= 1; the rest is"
        " domestic). Empty: trade-weighted.",
    )

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
    affinity: Affinity = Field(0.0, description="Political affinity, -1 (hostile) to 1 (allied).")
    trade: NonNeg = Field(0.0, description="Bilateral trade turnover, US$ bn per year.")
    rivalry: Unit = Field(0.0, description="Security rivalry (Richardson coupling), 0-1.")

    @field_validator("between")
    @classmethod
    def _distinct(cls, v: tuple[str, str]) -> tuple[str, str]:
        if v[0] == v[1]:
            raise ValueError(f"a link needs two different states, got {v[0]} twice")
        return v


class ArmsStock(Strict):
    """An importer's installed arms stock at the start, by supplier of origin."""

    total: NonNeg = Field(description="Installed arms stock, US$ bn (SIPRI TIV-equivalent).")
    shares: dict[StateId, Unit] = Field(description="Share of the stock by supplier; must sum to 1.")

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
    security_guarantee: Unit = Field(
        0.0, description="Guarantee the leader extends to members (reduces their threat), 0-1."
    )
    assistance_requires_consensus: bool = Field(
        False, description="Direct military assistance by a member needs all other members' consent."
    )
    consensus_threshold: Affinity = Field(
        0.5, description="A member consents if its affinity to the recipient is at least this."
    )


class Sanction(Strict):
    """A sanctions regime: a coalition of senders against one target."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Unique id (events refer to it).")
    senders: tuple[StateId, ...] = Field(min_length=1, description="Sender coalition.")
    target: StateId = Field(description="Sanctioned state.")
    start: DateStr | None = Field(None, description="First period in force (default: run start).")
    end: DateStr | None = Field(None, description="Last period in force (default: open).")
    intensity: Unit = Field(description="Intensity, 0 (none) to 1 (comprehensive).")
    scope: tuple[Scope, ...] = Field(
        ("arms", "technology", "finance", "trade"), min_length=1,
        description="What is sanctioned: arms, technology, finance, trade.",
    )
    secondary: Unit = Field(0.0, description="Threat of secondary sanctions on third states, 0-1.")

    _v_dates = field_validator("start", "end", mode="before")(
        lambda v: None if v is None else _check_date(v)
    )


class _Event(Strict):
    date: DateStr = Field(description="When it fires, " + DATE_HELP)
    label: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$",
        description="Optional name of the event, so overlays can remove or edit it by name.")
    narration: str = Field("", description="Plain-language text shown when the event fires.")

    _v_date = field_validator("date", mode="before")(_check_date)


class SanctionImposed(_Event):
    """A new sanctions regime starts at ``date``."""

    type: Literal["sanction_imposed"]
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    senders: tuple[StateId, ...] = Field(min_length=1)
    target: StateId
    intensity: Unit
    scope: tuple[Scope, ...] = ("arms", "technology", "finance", "trade")
    secondary: Unit = 0.0


class SanctionChanged(_Event):
    """An existing regime changes intensity, scope or secondary threat."""

    type: Literal["sanction_changed"]
    id: str
    intensity: Unit | None = None
    scope: tuple[Scope, ...] | None = None
    secondary: Unit | None = None
    senders: tuple[StateId, ...] | None = None


class SanctionLifted(_Event):
    """An existing regime ends."""

    type: Literal["sanction_lifted"]
    id: str


class ArmsOrder(_Event):
    """A contracted arms order, delivered evenly from ``delivery_start`` to ``delivery_end``."""

    type: Literal["arms_order"]
    buyer: StateId
    supplier: StateId
    value: float = Field(gt=0, allow_inf_nan=False, description="US$ bn (TIV-equivalent).")
    delivery_start: DateStr
    delivery_end: DateStr

    _v_dd = field_validator("delivery_start", "delivery_end", mode="before")(_check_date)

    @model_validator(mode="after")
    def _order(self) -> "ArmsOrder":
        if parse_date(self.delivery_end) < parse_date(self.delivery_start):
            raise ValueError(
                f"delivery_end {self.delivery_end} is before delivery_start {self.delivery_start}"
            )
        if parse_date(self.delivery_start) < parse_date(self.date):
            raise ValueError(f"delivery_start {self.delivery_start} is before the order date {self.date}")
        return self


class ProductionDeal(_Event):
    """Technology transfer: the licensor's design produced in the buyer (licensed local line)."""

    type: Literal["production_deal"]
    licensor: StateId
    producer: StateId
    capacity: float = Field(gt=0, allow_inf_nan=False, description="Full line capacity, US$ bn/yr.")


class TradeAgreement(_Event):
    """A bilateral trade target to reach by ``target_year``."""

    type: Literal["trade_agreement"]
    between: tuple[StateId, StateId]
    target: float = Field(gt=0, allow_inf_nan=False, description="Target turnover, US$ bn/yr.")
    target_year: int = Field(ge=1900, le=2200, description="Year by whose end the target is due.")


class ThreatShock(_Event):
    """A security shock raising the threat of some states for a while."""

    type: Literal["threat_shock"]
    states: tuple[StateId, ...] = Field(min_length=1)
    magnitude: float = Field(ge=-20, le=20, allow_inf_nan=False, description="Threat units.")
    duration: float = Field(gt=0, le=100, allow_inf_nan=False, description="Years.")


class Conflict(_Event):
    """An armed conflict between two states: rivalry and threat rise for its duration."""

    type: Literal["conflict"]
    between: tuple[StateId, StateId]
    intensity: Unit = Field(description="Added rivalry and threat, 0-1.")
    duration: float = Field(gt=0, le=100, allow_inf_nan=False, description="Years.")


class AllianceAction(_Event):
    """An alliance acts: a ``deployment`` by its leader, or direct ``assistance`` by a member."""

    type: Literal["alliance_action"]
    alliance: str
    action: Literal["deployment", "assistance"]
    recipient: StateId
    provider: StateId | None = Field(None, description="Assistance: the giving member.")
    value: NonNeg = Field(0.0, description="Assistance: arms delivered, US$ bn.")
    duration: float = Field(0.5, gt=0, le=100, allow_inf_nan=False, description="Years.")


class ParameterChange(_Event):
    """Set or scale a parameter, a state attribute or a link attribute from ``date`` on."""

    type: Literal["parameter"]
    target: str = Field(
        description="parameters.NAME, states.ID.FIELD or links.A.B.FIELD (affinity, trade, rivalry)."
    )
    op: Literal["set", "scale"] = "set"
    value: float = Field(allow_inf_nan=False)


Event = Annotated[
    Union[
        SanctionImposed, SanctionChanged, SanctionLifted, ArmsOrder, ProductionDeal,
        TradeAgreement, ThreatShock, Conflict, AllianceAction, ParameterChange,
    ],
    Field(discriminator="type"),
]
EVENT_TYPES: dict[str, type[_Event]] = {
    "sanction_imposed": SanctionImposed, "sanction_changed": SanctionChanged,
    "sanction_lifted": SanctionLifted, "arms_order": ArmsOrder, "production_deal": ProductionDeal,
    "trade_agreement": TradeAgreement, "threat_shock": ThreatShock, "conflict": Conflict,
    "alliance_action": AllianceAction, "parameter": ParameterChange,
}


class Scenario(Strict):
    """A complete, validated scenario."""

    metadata: Metadata
    time: Time
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Master seed of the run.")
    replicates: int = Field(1, ge=1, le=100000, description="Replicates (seeds spawned from seed).")
    states: dict[StateId, State] = Field(min_length=1)
    alliances: dict[str, Alliance] = Field(default_factory=dict)
    relations: Relations = Relations()
    sanctions: tuple[Sanction, ...] = ()
    events: tuple[Event, ...] = ()
    parameters: Parameters = Parameters()

    @property
    def name(self) -> str:
        """The scenario's short name."""
        return self.metadata.name

    @property
    def state_ids(self) -> tuple[str, ...]:
        """State ids in file order (the model's index order)."""
        return tuple(self.states)

    def to_dict(self) -> dict:
        """Plain-data form (JSON/YAML-safe), with defaults filled in."""
        return self.model_dump(mode="json")
