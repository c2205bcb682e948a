"""Hedging: Kazakhstan's multi-vector policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.strategies.base import Policy, Rules, Strategy

if TYPE_CHECKING:
    from sim.agents import StateAgent
    from sim.view import WorldView


class MultiVector(Strategy):
    """Hedge: spread purchases and penalise existing dependence on any one supplier.

    Kazakhstan's "multi-vector" foreign policy (Nazarbayev's doctrine; Vanderhill et al. 2020,
    *Between the bear and the dragon*): keep the historical patron while adding partners. Utility
    of supplier j falls by ``hedge_weight * diversification_i * share_ij`` (the standing rule
    ``hedge``, evaluated every step on the current shares), and the choice is less concentrated
    (``hedge_precision`` < 1).
    """

    name = "multi_vector"
    classifier = {"adaptive": False, "family": "hedging"}

    def decide(self, me: StateAgent, world: WorldView) -> Policy:
        p = world.params
        return self.remember(
            (p.hedge_precision, p.hedge_weight),
            lambda: Policy(precision=p.hedge_precision, rules=Rules(hedge=p.hedge_weight)),
        )
