"""Output metrics of supplier dependence (pure functions over share matrices).

Metric names used in results (declared here, in the manner of EMA Workbench's outcomes):

========================  ==================  =====================================================
name                      indexed by          meaning (unit)
========================  ==================  =====================================================
arms_share                state x partner     share of the installed arms stock by supplier (0-1)
trade_share               state x partner     share of trade with modelled partners (0-1)
arms_hhi                  state               Herfindahl index of arms_share (0-1)
trade_hhi                 state               Herfindahl index of trade_share (0-1)
dependence                state x partner     w * arms_share + (1 - w) * trade_share (0-1)
deliveries                state x partner     arms delivered this step, US$ bn (TIV-equivalent)
trade                     state x partner     bilateral trade, US$ bn/yr
arms_budget               state               arms procurement budget, US$ bn/yr
capacity                  state               effective arms production capacity, US$ bn/yr
reliability               state               delivery reliability of its arms (0-1)
input_loss                state               share of defence-industrial inputs lost to sanctions
compliance                state x partner     compliance with sanctions on the partner (0-1)
pressure                  state x partner     pressure on the state from patron partner (0-max)
threat                    state               threat level (threat units)
========================  ==================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Outcome:
    """A declared output metric."""

    name: str
    pair: bool
    unit: str
    description: str


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("arms_share", True, "share", "share of installed arms stock by supplier"),
    Outcome("trade_share", True, "share", "share of trade with modelled partners"),
    Outcome("dependence", True, "index 0-1", "composite dependence on the partner"),
    Outcome("deliveries", True, "US$ bn per step", "arms delivered from the partner"),
    Outcome("trade", True, "US$ bn/yr", "bilateral trade turnover"),
    Outcome("compliance", True, "share", "compliance with sanctions on the partner"),
    Outcome("pressure", True, "pressure units", "pressure on the state from the partner (patron)"),
    Outcome("arms_hhi", False, "index 0-1", "Herfindahl concentration of arms suppliers"),
    Outcome("trade_hhi", False, "index 0-1", "Herfindahl concentration of trade partners"),
    Outcome("arms_budget", False, "US$ bn/yr", "arms procurement budget"),
    Outcome("capacity", False, "US$ bn/yr", "effective arms production capacity"),
    Outcome("reliability", False, "share", "delivery reliability of its arms"),
    Outcome("input_loss", False, "share", "defence-industrial inputs lost to sanctions"),
    Outcome("threat", False, "threat units", "threat level"),
)
OUTCOME_NAMES = tuple(o.name for o in OUTCOMES)


def hhi(shares: np.ndarray) -> np.ndarray:
    """Herfindahl-Hirschman index of each row of a share matrix (1 = a single partner)."""
    return np.einsum("...j,...j->...", shares, shares)


def dependence(arms_share: np.ndarray, trade_share: np.ndarray, arms_weight: float) -> np.ndarray:
    """Composite dependence of importer i on partner j.

    ``dependence_ij = w * arms_share_ij + (1 - w) * trade_share_ij``: a state depends on a partner
    in proportion to the partner's weight in its arsenal (spares, training, ammunition) and in its
    trade. ``w`` is the scenario parameter ``dependence_arms_weight``.
    """
    return arms_weight * arms_share + (1.0 - arms_weight) * trade_share
