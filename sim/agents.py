"""One mesa Agent per state: identity, its strategy, and views of its row of the world."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.strategies import STRATEGY_CLASSES, Strategy

if TYPE_CHECKING:
    from sim.model import MultivectorModel


class StateAgent(mesa.Agent):
    """A state (or bloc) in the model.

    The agent decides through its :class:`~sim.strategies.Strategy`; the model calls the
    strategies of all agents that share one at once (vectorised over their rows). Attributes are
    read from the world's arrays, so agents and arrays never disagree.

    Attributes:
        state_id: scenario id (ISO 3166 alpha-3 or a bloc id such as WEST).
        index: row of this state in the world's arrays.
        strategy: the decision rule it follows.
    """

    def __init__(self, model: "MultivectorModel", state_id: str, index: int, strategy: str) -> None:
        super().__init__(model)
        self.state_id = state_id
        self.index = index
        self.strategy: Strategy = STRATEGY_CLASSES[strategy]()

    @property
    def threat(self) -> float:
        """Current threat level (threat units)."""
        return float(self.model.world.threat[self.index])

    @property
    def arms_budget(self) -> float:
        """Current arms procurement budget, US$ bn/yr."""
        return float(self.model.world.budget[self.index])

    @property
    def capacity(self) -> float:
        """Current effective production capacity, US$ bn/yr."""
        return float(self.model.world.capacity[self.index])

    def arms_shares(self) -> dict[str, float]:
        """Current shares of its installed arms stock by supplier id (non-zero only)."""
        w = self.model.world
        row = w.stock_shares()[self.index]
        return {w.ids[j]: float(v) for j, v in enumerate(row) if v > 0}

    def leading_supplier(self) -> tuple[str, float]:
        """(supplier id, share) of the largest supplier in its arms stock."""
        shares = self.arms_shares()
        if not shares:
            return ("", 0.0)
        sid = max(shares, key=shares.__getitem__)
        return sid, shares[sid]

    def arms_hhi(self) -> float:
        """Herfindahl concentration of its arms suppliers (0-1)."""
        return float(sum(v * v for v in self.arms_shares().values()))

    def __repr__(self) -> str:
        return f"StateAgent({self.state_id}, {self.strategy.name})"
