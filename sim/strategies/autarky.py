"""Autarky: build and buy your own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.strategies.base import Policy, Strategy

if TYPE_CHECKING:
    from sim.agents import StateAgent
    from sim.view import WorldView


class Autarky(Strategy):
    """Favour domestic production and invest in it.

    Defence-industrial self-reliance (Bitzinger 2003 on second-tier arms producers; Uzbekistan's
    Lochin UAV): a strong preference for the state's own industry (``autarky_bonus``, as
    ``prefer`` of its own id) and a yearly investment of ``autarky_investment`` of the arms
    budget (paid out of it) into domestic capacity, which grows by ``autarky_capacity_yield``
    per dollar invested.
    """

    name = "autarky"
    classifier = {"adaptive": False, "family": "autarky"}

    def decide(self, me: StateAgent, world: WorldView) -> Policy:
        p = world.params
        return self.remember(
            (me.state_id, p.autarky_bonus, p.autarky_investment),
            lambda: Policy(prefer={me.state_id: p.autarky_bonus}, invest=p.autarky_investment),
        )
