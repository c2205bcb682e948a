"""Output metrics of supplier dependence (pure functions over share matrices).

The outputs are declared once in :mod:`sim.outcomes`; this is their summary:

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

import numpy as np


def hhi(shares: np.ndarray) -> np.ndarray:
    """Herfindahl-Hirschman index of each row of a share matrix (1 = a single partner)."""
    out: np.ndarray = np.einsum("...j,...j->...", shares, shares)
    return out


def dependence(arms_share: np.ndarray, trade_share: np.ndarray, arms_weight: float) -> np.ndarray:
    """Composite dependence of importer i on partner j.

    ``dependence_ij = w * arms_share_ij + (1 - w) * trade_share_ij``: a state depends on a partner
    in proportion to the partner's weight in its arsenal (spares, training, ammunition) and in its
    trade. ``w`` is the scenario parameter ``dependence_arms_weight``.
    """
    return arms_weight * arms_share + (1.0 - arms_weight) * trade_share
