"""The world's state arrays, indexed by state (rows: importer / actor, columns: partner).

Everything the rules read and write lives here as numpy arrays; agents hold their row index.
Built once from a validated :class:`~sim.scenario.schema.Scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import numpy as np

from sim.scenario.checks import NUMERIC_STATE_FIELDS
from sim.scenario.memo import by_scenario
from sim.scenario.schema import Scenario
from sim.scenario.timeaxis import TimeAxis


@dataclass
class SanctionRegime:
    """A sanctions regime in force (or lifted) during the run."""

    id: str
    senders: np.ndarray  # bool (n,)
    target: int
    intensity: float
    scope: frozenset[str]
    secondary: float
    active: bool = True


@dataclass
class Agreement:
    """A trade agreement: pull trade between ``a`` and ``b`` to ``target`` by ``due_step``,
    from ``start_step`` (the step it is signed) on."""

    a: int
    b: int
    target: float
    due_step: int
    start_step: int = 0


@dataclass
class LicenceDeal:
    """A licensed production line: ``licensor``'s line of ``capacity`` US$ bn/yr in
    ``producer``, added to the licensed target at ``step``."""

    producer: int
    licensor: int
    capacity: float
    step: int


@dataclass
class World:
    """State arrays of one run. Units: US$ bn, per year unless named per step; shares in 0..1."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    axis: TimeAxis
    # --- per state (n,) ---
    gdp: np.ndarray  # US$ bn/yr
    military_share: np.ndarray  # of GDP
    procurement_share: np.ndarray  # of the military budget
    diversification: np.ndarray
    capacity_base: np.ndarray  # production capacity before sanctions, US$ bn/yr
    capacity: np.ndarray  # effective capacity, US$ bn/yr
    capacity_growth: np.ndarray
    exports: np.ndarray  # bool
    capability: np.ndarray
    cost_effectiveness: np.ndarray
    reliability_base: np.ndarray
    reliability: np.ndarray
    lead_steps: np.ndarray  # int
    base_threat: np.ndarray
    threat: np.ndarray
    budget: np.ndarray  # US$ bn/yr
    input_loss: np.ndarray
    other_trade: np.ndarray  # US$ bn/yr with partners outside the scenario
    fill_rate: np.ndarray  # smoothed share of due deliveries delivered
    # --- per pair (n, n) ---
    affinity: np.ndarray
    rivalry_base: np.ndarray
    rivalry: np.ndarray
    trade_potential: np.ndarray  # symmetric, US$ bn/yr, before sanctions and friction
    trade: np.ndarray  # symmetric, effective
    stock: np.ndarray  # importer x supplier installed stock, US$ bn
    backlog: np.ndarray  # importer x supplier undelivered, US$ bn
    pipeline: np.ndarray  # (L, n, n) orders due in k steps (ring buffer)
    span_steps: int  # steps over which an order is delivered (parameters.delivery_span)
    tolerance: np.ndarray  # (n,) re-export tolerance (reexport_tolerance; designations cut it)
    customs: np.ndarray  # bool n x n: the pair shares a customs union
    designation: np.ndarray  # symmetric conduit x sender: designation intensity in force
    reexports: np.ndarray  # conduit x target: re-exports to a sanctions target, US$ bn/yr
    attitude: np.ndarray  # i x j: goodwill (+) or resentment (-) of i towards j, affinity units
    licensed: np.ndarray  # buyer x licensor: local line capacity, US$ bn/yr
    licensed_target: np.ndarray
    pressure: np.ndarray  # patron x client
    client_mask: np.ndarray  # bool patron x client
    ref_patron_share: np.ndarray  # patron x client: patron's arms share at start
    ref_rival_share: np.ndarray  # patron x client: rivals' arms share at start
    compliance: np.ndarray  # state x sanctioned target
    input_sources: np.ndarray  # target x source: shares of defence inputs
    has_inputs: np.ndarray  # bool (n,): input_sources given
    deliveries: np.ndarray  # importer x supplier, this step, US$ bn
    # --- alliances ---
    alliance_names: tuple[str, ...]
    membership: np.ndarray  # bool (n, A)
    alliance_leader: np.ndarray  # int (A,), -1 if none
    alliance_guarantee: np.ndarray  # (A,)
    alliance_consensus: np.ndarray  # bool (A,)
    alliance_threshold: np.ndarray  # (A,)
    # --- time-indexed additions (T + 1, n) written by events ---
    threat_extra: np.ndarray
    war_share: np.ndarray  # (T + 1, n) share of production capacity a war consumes
    guarantee_extra: np.ndarray
    scheduled: np.ndarray  # (T + 1, n, n) contracted deliveries due per step
    # --- dated regimes ---
    sanctions: dict[str, SanctionRegime] = field(default_factory=dict)
    agreements: list[Agreement] = field(default_factory=list)
    deals: list[LicenceDeal] = field(default_factory=list)  # the run's, by step
    # the run's conflicts, in firing order: (first step, step after the last, a, b, intensity)
    conflicts: list[tuple[int, int, int, int, float]] = field(default_factory=list)
    params: SimpleNamespace = field(default_factory=SimpleNamespace)

    @property
    def base_budget(self) -> np.ndarray:
        """Arms budget at zero threat, US$ bn/yr: GDP x military share x procurement share."""
        budget: np.ndarray = self.gdp * self.military_share * self.procurement_share
        return budget

    @property
    def n(self) -> int:
        """Number of states."""
        return len(self.ids)

    def idx(self, sid: str) -> int:
        """Row index of a state id."""
        return self._index[sid]

    def __post_init__(self) -> None:
        self._index = {s: i for i, s in enumerate(self.ids)}

    def copy(self) -> World:
        """An independent copy: every array, regime and list is copied (the time axis and the
        ids are immutable and shared)."""
        new = object.__new__(type(self))  # the fields as they are, without re-running __init__
        new.__dict__ = {
            k: v.copy() if isinstance(v, np.ndarray) else v for k, v in self.__dict__.items()
        }
        new.sanctions = {k: replace(r, senders=r.senders.copy()) for k, r in self.sanctions.items()}
        new.agreements = [replace(a) for a in self.agreements]
        new.deals = [replace(d) for d in self.deals]
        new.conflicts = list(self.conflicts)
        new.params = SimpleNamespace(**vars(self.params))
        new._index = dict(self._index)
        return new

    def stock_shares(self) -> np.ndarray:
        """Importer x supplier shares of the installed arms stock (rows sum to 1 or are 0)."""
        shares: np.ndarray = self.stock / np.maximum(self.stock.sum(axis=1, keepdims=True), 1e-300)
        return shares


def _sym(n: int) -> np.ndarray:
    return np.zeros((n, n))


def build_world(sc: Scenario) -> World:
    """Arrays of the initial world of a validated scenario (a fresh copy on every call).

    The initial world of the last few scenarios is kept and copied: replicates of one scenario
    build it once.
    """
    return _build(sc).copy()  # the template shares arrays between fields: never use it as is


STATE_NUMBERS: tuple[str, ...] = (*NUMERIC_STATE_FIELDS, "other_trade")
"""Numeric state attributes of the scenario read into per-state arrays."""


@by_scenario(maxsize=4)
def _build(sc: Scenario) -> World:
    ids = sc.state_ids
    n = len(ids)
    ix = {s: i for i, s in enumerate(ids)}
    axis = sc.time.axis
    T = axis.n
    st = [sc.states[s] for s in ids]

    # The template shares arrays between fields that start equal (every zero matrix is one
    # array, ``capacity`` is ``capacity_base``...): build_world's copy gives each model its own.
    columns = np.array(
        [[float(getattr(s, a)) for s in st] for a in STATE_NUMBERS], dtype=np.float64
    ).reshape(len(STATE_NUMBERS), n)
    by_name = dict(zip(STATE_NUMBERS, columns))

    def vec(attr: str) -> np.ndarray:
        return by_name[attr]

    dt = axis.dt
    lead = np.maximum(1, np.rint(vec("lead_time") / dt)).astype(int)
    span = max(1, round(sc.parameters.delivery_span / dt))
    L = int(lead.max()) + span

    links = sc.relations.links
    affinity, rivalry, trade = _sym(n), _sym(n), _sym(n)
    affinity.flat[:: n + 1] = 1.0
    if links:  # one table of (a, b, affinity, rivalry, trade), written both ways
        rows = np.array(
            [(ix[k.between[0]], ix[k.between[1]], k.affinity, k.rivalry, k.trade) for k in links]
        )
        la, lb = rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64)
        for m, col in ((affinity, 2), (rivalry, 3), (trade, 4)):
            m[la, lb] = m[lb, la] = rows[:, col]

    stock = _sym(n)
    cells = [
        (ix[imp], ix[sup], s.total * share)
        for imp, s in sc.relations.arms_stocks.items()
        for sup, share in s.shares.items()
    ]
    if cells:
        i_, j_, v_ = zip(*cells)
        stock[list(i_), list(j_)] = v_

    client = np.zeros((n, n), dtype=bool)
    inputs = _sym(n)
    has_inputs = np.zeros(n, dtype=bool)
    for i, s in enumerate(st):
        for c in s.clients:
            client[i, ix[c]] = True
        if s.input_sources:
            has_inputs[i] = True
            for src, share in s.input_sources.items():
                inputs[i, ix[src]] = share

    names = tuple(sc.alliances)
    A = len(names)
    member = np.zeros((n, A), dtype=bool)
    for i, s in enumerate(st):
        for alliance in s.memberships:
            member[i, names.index(alliance)] = True
    al = [sc.alliances[a] for a in names]
    union = member[:, [k for k, a in enumerate(al) if a.customs_union]].astype(np.int64)
    customs = (union @ union.T) > 0
    np.fill_diagonal(customs, False)

    base_budget = vec("gdp") * vec("military_budget_share") * vec("procurement_share")
    capacity = vec("production_capacity")
    zero_n, zero_nn, zero_tn = np.zeros(n), _sym(n), np.zeros((T + 1, n))
    w = World(
        ids=ids,
        names=tuple(s.name for s in st),
        axis=axis,
        gdp=vec("gdp"),
        military_share=vec("military_budget_share"),
        procurement_share=vec("procurement_share"),
        diversification=vec("diversification"),
        capacity_base=capacity,
        capacity=capacity,
        capacity_growth=vec("capacity_growth"),
        exports=np.array([s.exports_arms for s in st]),
        capability=vec("capability"),
        cost_effectiveness=vec("cost_effectiveness"),
        reliability_base=vec("reliability"),
        reliability=vec("reliability"),
        lead_steps=lead,
        base_threat=vec("base_threat"),
        threat=vec("base_threat"),
        budget=base_budget * (1 + sc.parameters.threat_budget_elasticity * vec("base_threat")),
        input_loss=zero_n,
        other_trade=vec("other_trade"),
        fill_rate=np.ones(n),
        affinity=affinity,
        rivalry_base=rivalry,
        rivalry=rivalry,
        trade_potential=trade,
        trade=trade,
        stock=stock,
        backlog=zero_nn,
        pipeline=np.zeros((L, n, n)),
        span_steps=span,
        tolerance=vec("reexport_tolerance"),
        customs=customs,
        designation=zero_nn,
        reexports=zero_nn,
        attitude=zero_nn,
        licensed=zero_nn,
        licensed_target=zero_nn,
        pressure=zero_nn,
        client_mask=client,
        ref_patron_share=zero_nn,
        ref_rival_share=zero_nn,
        compliance=zero_nn,
        input_sources=inputs,
        has_inputs=has_inputs,
        deliveries=zero_nn,
        alliance_names=names,
        membership=member,
        alliance_leader=np.array([ix[a.leader] if a.leader else -1 for a in al], dtype=int),
        alliance_guarantee=np.array([a.security_guarantee for a in al]),
        alliance_consensus=np.array([a.assistance_requires_consensus for a in al], dtype=bool),
        alliance_threshold=np.array([a.consensus_threshold for a in al]),
        threat_extra=zero_tn,
        war_share=zero_tn,
        guarantee_extra=zero_tn,
        scheduled=np.zeros((T + 1, n, n)),
        params=SimpleNamespace(**vars(sc.parameters)),  # its fields: flat numbers
    )
    shares = w.stock_shares()
    w.ref_patron_share = np.where(client, shares.T, 0.0)
    own = np.diag(shares)
    rival = 1.0 - shares.T - own[None, :]
    w.ref_rival_share = np.where(client, np.clip(rival, 0, 1), 0.0)
    # orders placed before the run: seeded at set-up from the first choice
    # (sim.rules.procurement._seed_orders, called by the model's set-up period)
    for sanction in sc.sanctions:
        start = 0 if sanction.start is None else axis.index(sanction.start)
        regime = SanctionRegime(
            sanction.id,
            np.array([x in sanction.senders for x in ids]),
            ix[sanction.target],
            sanction.intensity,
            frozenset(sanction.scope),
            sanction.secondary,
            active=start <= 0,
        )
        w.sanctions[sanction.id] = regime
    return w
