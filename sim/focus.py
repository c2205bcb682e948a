"""The series a user asks about (``--focus METRIC:STATE[:PARTNER]``), which summaries, figures
and reports put first.

A focus names one series of the tidy results: a metric (:data:`sim.outcomes.OUTPUT_NAMES`), a
state and, for metrics per partner (``arms_share``, ``trade_share``, ``dependence``...), the
partner. ``arms_share:KAZ:RUS`` is Kazakhstan's arms from Russia as a share of its arms stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import Problem, UserError
from sim.outcomes import BY_NAME, OUTPUT_NAMES

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

OPTION = "--focus"
SYNTAX = "METRIC:STATE for a metric per state, METRIC:STATE:PARTNER for one per partner"
PHRASES: dict[str, str] = {
    "arms_share": "{state}'s arms from {partner} (share of its arms stock)",
    "trade_share": "{state}'s trade with {partner} (share of its trade)",
    "dependence": "{state}'s dependence on {partner} (index 0-1)",
    "arms_hhi": "concentration of {state}'s arms suppliers (HHI)",
    "trade_hhi": "concentration of {state}'s trade partners (HHI)",
    "pressure": "{partner}'s pressure on {state}",
    "compliance": "{state}'s compliance with sanctions on {partner}",
    "threat": "{state}'s threat level",
    "arms_budget": "{state}'s arms budget (US$ bn/yr)",
    "capacity": "{state}'s arms production capacity (US$ bn/yr)",
    "deliveries": "{state}'s arms deliveries from {partner} (US$ bn per step)",
    "trade": "{state}'s trade with {partner} (US$ bn/yr)",
    "reliability": "reliability of {state}'s arms deliveries (0-1)",
    "input_loss": "{state}'s defence inputs lost to sanctions (share)",
}
"""How sentences and titles name a series (``{state}``, ``{partner}``: full state names)."""


def phrase(metric: str, state: str, partner: str = "") -> str:
    """A series in words, given the names of its state and partner."""
    text = PHRASES.get(metric, metric + " of {state}" + (" / {partner}" if partner else ""))
    return text.format(state=state, partner=partner)


@dataclass(frozen=True)
class Focus:
    """One series asked about: ``metric`` of ``state`` (with ``partner`` for pair metrics)."""

    metric: str
    state: str
    partner: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """(metric, state, partner) as the tidy table holds them."""
        return self.metric, self.state, self.partner

    def title(self, sc: Scenario) -> str:
        """The series in words, with the scenario's full state names."""

        def name(sid: str) -> str:
            return sc.states[sid].name if sid in sc.states else sid

        text = phrase(self.metric, name(self.state), name(self.partner) if self.partner else "")
        return text[0].upper() + text[1:]

    def __str__(self) -> str:
        return ":".join(p for p in self.key if p)


def parse_focus(texts: Iterable[str] | None, sc: Scenario) -> list[Focus]:
    """The focus series named by ``texts`` (each ``METRIC:STATE[:PARTNER]``), checked against
    the outputs and the scenario's states; duplicates are dropped, the order kept.

    Raises:
        UserError: one problem per bad text, saying what is allowed (nothing is run).
    """
    out: list[Focus] = []
    problems: list[Problem] = []
    states = list(sc.state_ids)
    for raw in texts or ():
        try:
            f = _parse_one(raw, states)
        except ValueError as e:
            problems.append(Problem(OPTION, "", f"{raw!r}: {e}"))
            continue
        if f not in out:
            out.append(f)
    if problems:
        raise UserError(f"bad {OPTION}", problems)
    return out


def _parse_one(raw: str, states: list[str]) -> Focus:
    parts = [p.strip() for p in raw.split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"give {SYNTAX}, e.g. arms_share:KAZ:RUS or threat:KAZ")
    metric, state = parts[0], parts[1]
    partner = parts[2] if len(parts) == 3 else ""
    if metric not in BY_NAME:
        raise ValueError(f"unknown metric {metric!r}; metrics: {', '.join(OUTPUT_NAMES)}")
    by_upper = {s.upper(): s for s in states}
    for role, sid in (("state", state), ("partner", partner)):
        if sid and sid.upper() not in by_upper:
            raise ValueError(
                f"unknown {role} {sid!r}; states of this scenario: {', '.join(states)}"
            )
    state = by_upper[state.upper()]
    partner = by_upper[partner.upper()] if partner else ""
    pair = BY_NAME[metric].pair
    if pair and not partner:
        raise ValueError(
            f"{metric} is per partner: give {metric}:{state}:PARTNER, PARTNER one of "
            f"{', '.join(s for s in states if s != state)}"
        )
    if not pair and partner:
        raise ValueError(f"{metric} is per state, not per partner: give {metric}:{state}")
    return Focus(metric, state, partner)


def plain(v: float, digits: int = 3) -> str:
    """A number as a reader writes it: ``digits`` significant digits, never in exponent
    notation (7.81e-06 is 0.00000781)."""
    import math

    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    return f"{v:,.{decimals}f}"


def in_points(metric: str) -> bool:
    """Shares (not the 0-1 indices HHI and dependence): values in %, changes in points."""
    o = BY_NAME.get(metric)
    return o is not None and o.unit == "share"


def value_text(metric: str, v: float, unit: bool = True) -> str:
    """A value of ``metric`` in words: shares in %, indices to three decimals, levels plainly
    (with their unit unless not ``unit``)."""
    if in_points(metric):
        return f"{v:.1%}"
    o = BY_NAME.get(metric)
    if o is not None and o.unit == "index 0-1":
        return f"{v:.3f}"
    return plain(v) + (f" {o.unit}" if o is not None and unit else "")
