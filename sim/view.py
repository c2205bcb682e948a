"""What a strategy sees: a read-only view of the world at the start of a step.

Arrays are read-only numpy views of the model's own arrays (writing to one raises), indexed by
state in the scenario's order (:attr:`WorldView.ids`); the dictionary helpers speak in state ids.
Units: US$ bn per year for trade, budgets and capacity; shares and compliance in 0..1; threat
and pressure in their model units (see docs/ODD.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.model import MultivectorModel


def _ro(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


class ReadOnlyParams:
    """The run's current parameters (``parameters.NAME``), read-only: ``world.params.NAME``."""

    __slots__ = ("_ns",)

    def __init__(self, ns: SimpleNamespace) -> None:
        object.__setattr__(self, "_ns", ns)

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._ns, name)
        except AttributeError:
            raise AttributeError(f"no parameter {name!r} (see docs/ODD.md, section 7)") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("parameters are read-only for strategies; return a Policy instead")


@dataclass(frozen=True)
class RegimeView:
    """A sanctions regime in force: its id, senders, target, intensity (0-1), scope and
    secondary threat (0-1)."""

    id: str
    senders: tuple[str, ...]
    target: str
    intensity: float
    scope: frozenset[str]
    secondary: float


class WorldView:
    """Read-only view of one model's world for strategies (``decide(me, world)``)."""

    def __init__(self, model: MultivectorModel) -> None:
        self._model = model
        self.ids: tuple[str, ...] = model.world.ids
        """State ids in the model's order (rows and columns of every array)."""
        self.names: tuple[str, ...] = model.world.names
        self._index = {s: i for i, s in enumerate(self.ids)}
        self.params = ReadOnlyParams(model.world.params)
        """The current parameters (read-only)."""

    # ---------------------------------------------------------------- time
    @property
    def step(self) -> int:
        """The step being decided (0-based)."""
        return max(0, self._model.steps - 1)

    @property
    def date(self) -> str:
        """Label of the period being decided, e.g. ``2023-Q2``."""
        return self._model.world.axis.label(min(self.step, self._model.world.axis.n - 1))

    @property
    def dt(self) -> float:
        """Length of a step in years."""
        return float(self._model.world.axis.dt)

    def index(self, sid: str) -> int:
        """Row of state ``sid`` in the arrays."""
        try:
            return self._index[sid]
        except KeyError:
            raise KeyError(f"no state {sid!r} (states: {', '.join(self.ids)})") from None

    # ---------------------------------------------------------------- arrays (read-only)
    @property
    def arms_shares(self) -> np.ndarray:
        """Importer x supplier shares of the installed arms stock (rows sum to 1 or 0)."""
        return _ro(self._model.world.stock_shares())

    @property
    def affinity(self) -> np.ndarray:
        """Political affinity, -1..1 (symmetric)."""
        return _ro(self._model.world.affinity)

    @property
    def rivalry(self) -> np.ndarray:
        """Security rivalry 0..1 (symmetric, conflicts included)."""
        return _ro(self._model.world.rivalry)

    @property
    def trade(self) -> np.ndarray:
        """Bilateral trade, US$ bn/yr (symmetric)."""
        return _ro(self._model.world.trade)

    @property
    def pressure(self) -> np.ndarray:
        """Patron x client pressure (pressure units)."""
        return _ro(self._model.world.pressure)

    @property
    def compliance(self) -> np.ndarray:
        """State x target compliance with the sanctions on the target, 0..1."""
        return _ro(self._model.world.compliance)

    @property
    def capacity(self) -> np.ndarray:
        """(n,) effective arms production capacity, US$ bn/yr."""
        return _ro(self._model.world.capacity)

    @property
    def reliability(self) -> np.ndarray:
        """(n,) delivery reliability 0..1."""
        return _ro(self._model.world.reliability)

    @property
    def input_loss(self) -> np.ndarray:
        """(n,) share of defence-industrial inputs lost to sanctions."""
        return _ro(self._model.world.input_loss)

    @property
    def threat(self) -> np.ndarray:
        """(n,) threat level (threat units)."""
        return _ro(self._model.world.threat)

    @property
    def budget(self) -> np.ndarray:
        """(n,) arms procurement budget, US$ bn/yr."""
        return _ro(self._model.world.budget)

    @property
    def exports(self) -> np.ndarray:
        """(n,) bool: the state sells arms."""
        return _ro(self._model.world.exports)

    # ---------------------------------------------------------------- by id
    def share(self, importer: str, supplier: str) -> float:
        """Share of ``supplier`` in ``importer``'s installed arms stock."""
        return float(self._model.world.stock_shares()[self.index(importer), self.index(supplier)])

    def affinity_between(self, a: str, b: str) -> float:
        """Affinity between two states, -1..1."""
        return float(self._model.world.affinity[self.index(a), self.index(b)])

    def trade_between(self, a: str, b: str) -> float:
        """Bilateral trade between two states, US$ bn/yr."""
        return float(self._model.world.trade[self.index(a), self.index(b)])

    def exporters(self) -> tuple[str, ...]:
        """Ids of the states that sell arms."""
        w = self._model.world
        return tuple(s for s, e in zip(self.ids, w.exports, strict=True) if e)

    def clients_of(self, patron: str) -> tuple[str, ...]:
        """The clients a patron watches."""
        row = self._model.world.client_mask[self.index(patron)]
        return tuple(s for s, c in zip(self.ids, row, strict=True) if c)

    def patrons_of(self, sid: str) -> tuple[str, ...]:
        """The patrons of a state: leaders of its alliances and powers that count it a client."""
        row = self._model.patrons[self.index(sid)]
        return tuple(s for s, c in zip(self.ids, row, strict=True) if c)

    def sanctions(self) -> tuple[RegimeView, ...]:
        """The sanctions regimes in force now."""
        ids = self.ids
        return tuple(
            RegimeView(
                r.id,
                tuple(s for s, x in zip(ids, r.senders, strict=True) if x),
                ids[r.target],
                float(r.intensity),
                r.scope,
                float(r.secondary),
            )
            for r in self._model.world.sanctions.values()
            if r.active
        )

    def sanctioned(self, sid: str) -> float:
        """Strongest intensity (0-1) of the regimes in force on ``sid`` (0 if none)."""
        i = self.index(sid)
        return max(
            (
                float(r.intensity)
                for r in self._model.world.sanctions.values()
                if r.active and r.target == i
            ),
            default=0.0,
        )
