"""Balancing: avoid the most threatening power."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.strategies.base import Policy, Rules, Strategy

if TYPE_CHECKING:
    from sim.agents import StateAgent
    from sim.view import WorldView


class Balance(Strategy):
    """Balance against the most threatening power: avoid it, favour its adversaries.

    Balance-of-threat theory (Walt 1987): states align against the power whose capability,
    proximity and intentions menace them most. Utility of the most threatening power (found
    every step by the standing rule ``foe_penalty``) falls by ``balance_penalty``; suppliers
    hostile to it gain ``balance_bonus`` per unit of hostility.
    """

    name = "balance"
    classifier = {"adaptive": False, "family": "balance"}

    def decide(self, me: StateAgent, world: WorldView) -> Policy:
        p = world.params
        return self.remember(
            (p.balance_penalty, p.balance_bonus),
            lambda: Policy(
                rules=Rules(foe_penalty=p.balance_penalty, foe_rival_bonus=p.balance_bonus)
            ),
        )
