"""The model's outputs, declared once (in the manner of EMA Workbench's outcomes).

Each :class:`Output` names a metric, whether it is per state or per state x partner, its unit,
the label figures put on an axis, and where it comes from: written by the compiled period into
the recorder's blocks (``derive`` None), or derived after the run from other outputs. This one
declaration drives the recorder's blocks and tidy table (:mod:`sim.recorder`), the metrics a
sweep or tournament may name (:mod:`sim.sweep.outcomes`), mesa's DataCollector
(:meth:`sim.model.MultivectorModel.datacollector`) and the axis labels of figures
(:func:`label`). A new output is one entry here and, if the period writes it, one line in
:func:`sim.period.advance`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.metrics import dependence, hhi

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Output:
    """A declared output metric.

    Attributes:
        name: metric name in results (the ``metric`` column of the tidy table).
        pair: per state x partner (True) or per state (False).
        unit: its unit.
        label: short axis label (with the unit).
        description: what it measures.
        keep: for pair metrics, which cells the tidy table keeps (see
            :data:`sim.recorder.KEEP`): cells that ever hold a value worth reading.
        derive: for derived outputs, ``derive(pairs, states, params) -> array`` from the
            recorded ones; None for outputs the period writes.
    """

    name: str
    pair: bool
    unit: str
    label: str
    description: str
    keep: str = ""
    derive: Callable[[Arrays, Arrays, Any], np.ndarray] | None = None


OUTPUTS: tuple[Output, ...] = (
    Output(
        "arms_share",
        True,
        "share",
        "share of arms stock (0-1)",
        "share of the installed arms stock by supplier (rows sum to 1; own production on "
        "the diagonal)",
        keep="stock",
    ),
    Output(
        "deliveries",
        True,
        "US$ bn per step",
        "arms delivered (US$ bn per step)",
        "arms delivered from the partner this step (TIV-equivalent)",
        keep="deliveries",
    ),
    Output(
        "trade_share",
        True,
        "share",
        "share of trade (0-1)",
        "share of trade with the modelled partners",
        keep="trade",
    ),
    Output(
        "trade", True, "US$ bn/yr", "trade (US$ bn/yr)", "bilateral trade turnover", keep="trade"
    ),
    Output(
        "dependence",
        True,
        "index 0-1",
        "dependence index (0-1)",
        "w * arms_share + (1 - w) * trade_share, w = dependence_arms_weight",
        keep="arms_or_trade",
        derive=lambda pairs, states, p: dependence(
            pairs["arms_share"], pairs["trade_share"], p.dependence_arms_weight
        ),
    ),
    Output(
        "compliance",
        True,
        "share",
        "compliance (0-1)",
        "compliance with the sanctions on the partner",
        keep="sanctioned",
    ),
    Output(
        "reexports",
        True,
        "US$ bn/yr",
        "re-exports to the target (US$ bn/yr)",
        "goods the state re-exports to the sanctioned partner (the conduit's leg of "
        "circumvention trade; also counted in trade)",
        keep="conduits",
    ),
    Output(
        "pressure",
        True,
        "pressure units",
        "pressure (units)",
        "pressure on the state from the partner (its patron)",
        keep="clients",
    ),
    Output("arms_budget", False, "US$ bn/yr", "arms budget (US$ bn/yr)", "arms procurement budget"),
    Output(
        "capacity",
        False,
        "US$ bn/yr",
        "production capacity (US$ bn/yr)",
        "effective arms production capacity",
    ),
    Output(
        "reliability",
        False,
        "share",
        "delivery reliability (0-1)",
        "delivery reliability of its arms",
    ),
    Output(
        "input_loss",
        False,
        "share",
        "defence inputs lost (0-1)",
        "share of defence-industrial inputs lost to sanctions",
    ),
    Output("threat", False, "threat units", "threat (units)", "threat level"),
    Output(
        "arms_hhi",
        False,
        "index 0-1",
        "arms concentration (HHI, 0-1)",
        "Herfindahl concentration of arms suppliers (1 = a single supplier)",
        derive=lambda pairs, states, p: hhi(pairs["arms_share"]),
    ),
    Output(
        "trade_hhi",
        False,
        "index 0-1",
        "trade concentration (HHI, 0-1)",
        "Herfindahl concentration of trade partners",
        derive=lambda pairs, states, p: hhi(pairs["trade_share"]),
    ),
)
BY_NAME: dict[str, Output] = {o.name: o for o in OUTPUTS}
OUTPUT_NAMES: tuple[str, ...] = tuple(BY_NAME)
PAIR_RAW: tuple[str, ...] = tuple(o.name for o in OUTPUTS if o.pair and o.derive is None)
"""Pair outputs the period writes, in the order of the recorder's pair block."""
STATE_RAW: tuple[str, ...] = tuple(o.name for o in OUTPUTS if not o.pair and o.derive is None)
"""State outputs the period writes, in the order of the recorder's state block."""
PAIR_METRICS: tuple[str, ...] = tuple(o.name for o in OUTPUTS if o.pair)
STATE_METRICS: tuple[str, ...] = tuple(o.name for o in OUTPUTS if not o.pair)


def label(name: str) -> str:
    """The axis label of a metric (its name if it is not declared)."""
    o = BY_NAME.get(name)
    return o.label if o else name


def derived(pairs: Arrays, states: Arrays, params: Any) -> tuple[Arrays, Arrays]:
    """``pairs`` and ``states`` with every derived output added."""
    pairs, states = dict(pairs), dict(states)
    for o in OUTPUTS:
        if o.derive is not None:
            (pairs if o.pair else states)[o.name] = o.derive(pairs, states, params)
    return pairs, states
