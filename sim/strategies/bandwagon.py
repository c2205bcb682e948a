"""Bandwagoning: follow the strongest patron."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.strategies.base import Policy, Rules, Strategy

if TYPE_CHECKING:
    from sim.agents import StateAgent
    from sim.view import WorldView


class Bandwagon(Strategy):
    """Follow the strongest patron: buy from it, and do not sanction it.

    Bandwagoning in Walt's (1987) *The Origins of Alliances*: weak states align with, rather
    than against, the dominant power. Adds ``bandwagon_bonus`` to the power it follows (its
    strongest friendly patron, else the strongest friendly exporter, re-evaluated every step by
    the standing rule ``follow_bonus``), concentrates the choice (``bandwagon_precision``) and
    cuts compliance with sanctions on that power by ``bandwagon_compliance``.
    """

    name = "bandwagon"
    classifier = {"adaptive": False, "family": "bandwagon"}

    def decide(self, me: StateAgent, world: WorldView) -> Policy:
        p = world.params
        return self.remember(
            (p.bandwagon_precision, p.bandwagon_bonus, p.bandwagon_compliance),
            lambda: Policy(
                precision=p.bandwagon_precision,
                rules=Rules(
                    follow_bonus=p.bandwagon_bonus, follow_compliance_cut=p.bandwagon_compliance
                ),
            ),
        )
