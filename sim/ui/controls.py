"""What the page's controls mean: slider and selector values -> scenario overrides.

Pure functions over a validated :class:`~sim.scenario.schema.Scenario` (no Solara, no mesa), so a
notebook user or a test can check exactly what a slider does.

Every slider starts at the *baseline* scenario's value, its "neutral" position. A slider left at
its neutral position keeps the chosen scenario's own value; moved, it replaces it. So picking a
library scenario that, say, hardens the sanctions is not undone by an untouched sanctions slider.
Selectors have an explicit :data:`AS_IN_SCENARIO` choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sim.scenario.schema import SanctionChanged, SanctionImposed, Scenario
from sim.strategies import BUILTIN, builtin_names, is_file_spec

AS_IN_SCENARIO = "as in scenario"
STRATEGY_CHOICES: tuple[str, ...] = (AS_IN_SCENARIO, *builtin_names())
"""The picker's choices in any scenario: the built-in strategies (from the one registry)."""


def strategy_choices(sc: Scenario) -> tuple[str, ...]:
    """The picker's choices for scenario ``sc``: :data:`STRATEGY_CHOICES` and the user
    strategies (``file.py:Class``) its states name."""
    return library_strategy_choices([sc])


def library_strategy_choices(scenarios: list[Scenario]) -> tuple[str, ...]:
    """:data:`STRATEGY_CHOICES` and every user strategy (``file.py:Class``) the scenarios name
    (the picker is built once for the whole library)."""
    user = [
        st.strategy
        for sc in scenarios
        for st in sc.states.values()
        if st.strategy not in STRATEGY_CHOICES
    ]
    return STRATEGY_CHOICES + tuple(dict.fromkeys(user))


#: The state whose diversification weight the first slider sets, and the drone exporter.
FOCUS_STATE = "KAZ"
DRONE_EXPORTER = "TUR"


@dataclass(frozen=True)
class SliderSpec:
    """One numeric slider: keyword name, label, range, step, and how its value reads with its
    unit (``unit`` is a format string of ``v``)."""

    name: str
    label: str
    min: float
    max: float
    step: float
    unit: str

    def show(self, v: float) -> str:
        """The value with its unit, as the page prints it beside the slider."""
        return self.unit.format(v=v)


SLIDERS: tuple[SliderSpec, ...] = (
    SliderSpec(
        "kaz_diversification", "Kazakhstan: diversification", 0.0, 1.0, 0.05, "{v:.2f} of 1"
    ),
    SliderSpec("sanctions_intensity", "Sanctions intensity", 0.0, 1.0, 0.05, "{v:.2f} of 1"),
    SliderSpec("pressure_strength", "Russian pressure", 0.0, 10.0, 0.25, "{v:.2f} of 10"),
    SliderSpec("turkish_capacity", "Turkish production", 0.0, 30.0, 0.5, "US${v:g}bn a year"),
    SliderSpec("threat_level", "Threat level", 0.0, 3.0, 0.1, "{v:.1f} x the scenario's"),
)
#: What each slider asks, for the page's help (units and ranges).
SLIDER_HELP: dict[str, str] = {
    "kaz_diversification": "How much does Kazakhstan value diversifying its arms suppliers? "
    "(0 = not at all, 1 = above all)",
    "sanctions_intensity": "How hard are the sanctions? Intensity of the scenario's main sanctions "
    "regime (0 = none, 1 = comprehensive)",
    "pressure_strength": "How hard does Russia push back when a client buys elsewhere? "
    "(pressure per unit of lost share, 0-10)",
    "turkish_capacity": "How many arms can Turkiye produce? (US$ bn per year, 0-30)",
    "threat_level": "How threatened do the importers feel? (times the scenario's threat, 0-3)",
}
SLIDER_NAMES: tuple[str, ...] = tuple(s.name for s in SLIDERS)


def main_sanction(sc: Scenario) -> tuple[str, float, str] | None:
    """The strongest sanctions regime: (id, intensity, override path), or None without sanctions.

    Regimes imposed by events come first (they are the story's shock), then those in force from
    the start.
    """
    best: tuple[str, float, str] | None = None
    for i, ev in enumerate(sc.events):
        if isinstance(ev, SanctionImposed) and (best is None or ev.intensity > best[1]):
            best = (ev.id, ev.intensity, f"events[{i}].intensity")
    if best is not None:
        return best
    for i, s in enumerate(sc.sanctions):
        if best is None or s.intensity > best[1]:
            best = (s.id, s.intensity, f"sanctions[{i}].intensity")
    return best


INTENSITY_WORDS: tuple[tuple[float, str], ...] = (
    (0.0, "no"),
    (0.3, "light"),
    (0.6, "heavy"),
    (1.0, "sweeping"),
)
"""Sanctions intensity in words: the first word whose upper bound the intensity does not pass."""


def intensity_words(v: float) -> str:
    """``0.7`` -> ``"sweeping"``: a sanctions intensity (0-1) in words (:data:`INTENSITY_WORDS`)."""
    return next((w for top, w in INTENSITY_WORDS if v <= top), INTENSITY_WORDS[-1][1])


def strategy_words(spec: str) -> str:
    """A strategy in words: ``"bandwagon"`` -> ``"bandwagon (follow the strongest patron)"``,
    from the first line of the strategy's own description; a user file's strategy by class and
    file."""
    cls = BUILTIN.get(spec)
    if cls is None:
        file, _, name = spec.rpartition(":")
        return f"your own strategy {name} (from {PurePath(file).name})" if file else spec
    doc = (cls.__doc__ or "").strip().splitlines()
    gist = doc[0].split(":")[0].rstrip(". ") if doc else ""
    name = spec.replace("_", "-")
    return f"{name} ({gist[:1].lower()}{gist[1:]})" if gist else name


def _names(sc: Scenario, ids: tuple[str, ...]) -> str:
    names = [sc.states[x].name if x in sc.states else x for x in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _regime(sc: Scenario, sid: str) -> tuple[str, str, str]:
    """(senders, target, 'from DATE' or '') of the sanctions regime ``sid``, in words."""
    for ev in sc.events:
        if isinstance(ev, SanctionImposed) and ev.id == sid:
            return _names(sc, ev.senders), _names(sc, (ev.target,)), f" from {ev.date}"
    for r in sc.sanctions:
        if r.id == sid:
            return _names(sc, r.senders), _names(sc, (r.target,)), ""
    return "", sid, ""


def _sanction_narration(sc: Scenario, ev: SanctionImposed | SanctionChanged, v: float) -> str:
    """What the feed says when a sanctions event the page changed fires (the scenario's own
    narration describes its own intensity, which this run no longer has)."""
    senders, target, _ = _regime(sc, ev.id)
    old = ev.intensity if ev.intensity is not None else 0.0
    scenario = f"in the scenario: {old:.2f}"
    if isinstance(ev, SanctionImposed):
        verb = "imposes" if len(ev.senders) == 1 else "impose"
        if v <= 0:
            return (
                f"In your run, {senders} {verb} no new sanctions on {target} "
                f"(you set their intensity to 0; {scenario})."
            )
        return (
            f"In your run, {senders} {verb} {intensity_words(v)} sanctions on {target}: "
            f"intensity {v:.2f} ({scenario})."
        )
    if v <= 0:
        return f"In your run, there are no sanctions on {target} to change ({scenario})."
    return (
        f"In your run, the sanctions on {target} change to {intensity_words(v)}: "
        f"intensity {v:.2f} ({scenario})."
    )


def scenario_values(sc: Scenario) -> dict[str, float | None]:
    """Each slider's value as the scenario has it (None where the scenario lacks the item)."""
    main = main_sanction(sc)
    return {
        "kaz_diversification": (
            sc.states[FOCUS_STATE].diversification if FOCUS_STATE in sc.states else None
        ),
        "sanctions_intensity": None if main is None else main[1],
        "pressure_strength": sc.parameters.pressure_strength,
        "turkish_capacity": (
            sc.states[DRONE_EXPORTER].production_capacity if DRONE_EXPORTER in sc.states else None
        ),
        "threat_level": 1.0,
    }


def describe_values(sc: Scenario) -> str:
    """One line with the five slider quantities as they are in ``sc`` (for the page's header)."""
    v = scenario_values(sc)
    parts = []
    if v["kaz_diversification"] is not None:
        parts.append(f"Kazakhstan's diversification {v['kaz_diversification']:.2f}")
    if v["sanctions_intensity"] is not None:
        parts.append(f"sanctions {v['sanctions_intensity']:.2f}")
    parts.append(f"Russian pressure {v['pressure_strength']:.2f}")
    if v["turkish_capacity"] is not None:
        parts.append(f"Turkish production US${v['turkish_capacity']:g}bn/yr")
    return ", ".join(parts)


def neutral_values(baseline: Scenario) -> dict[str, float]:
    """Slider start positions: the baseline's values (a sensible default where it lacks one)."""
    vals = scenario_values(baseline)
    fallback = {s.name: s.min for s in SLIDERS}
    return {k: (fallback[k] if v is None else float(v)) for k, v in vals.items()}


def slider_text(spec: SliderSpec, value: float, neutral: float, own: float | None) -> str:
    """The slider's label with its value and unit: the value set, or, for a slider left at its
    neutral position, the chosen scenario's own value (``own``; None: not in this scenario)."""
    if _moved(value, neutral, spec.step):
        return f"{spec.label}: {spec.show(value)}"
    if own is None:
        return f"{spec.label}: not in this scenario"
    return f"{spec.label}: {spec.show(own)} (as in the scenario)"


def _moved(value: float | None, neutral: float | None, step: float = 0.0) -> bool:
    """Whether a slider was moved from its neutral position. A slider snaps to its steps, so
    a neutral value between two steps (a diversification of 0.29 on a 0.05 grid shows 0.30)
    counts as unmoved within half a step: the scenario's own value is then used."""
    if value is None:
        return False
    return neutral is None or abs(float(value) - float(neutral)) > max(1e-9, step / 2)


def overrides_for(
    sc: Scenario,
    sliders: dict[str, float],
    neutral: dict[str, float],
    strategies: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Turn control values into scenario overrides.

    Args:
        sc: the chosen scenario (as loaded, without the page's changes).
        sliders: slider name -> value (see :data:`SLIDERS`).
        neutral: slider name -> neutral position (:func:`neutral_values` of the baseline).
        strategies: importer id -> strategy or :data:`AS_IN_SCENARIO`.

    Returns:
        ``(overrides, notes)``: dotted path -> value for :func:`sim.scenario.load_scenario`, and one
        plain-language line per change (or per control that does not apply to this scenario).
    """
    ov: dict[str, Any] = {}
    notes: list[str] = []
    own = scenario_values(sc)
    steps = {x.name: x.step for x in SLIDERS}
    moved = {k: _moved(sliders.get(k), neutral.get(k), steps[k]) for k in SLIDER_NAMES}
    labels = {x.name: x.label for x in SLIDERS}

    def state_field(slider: str, sid: str, field: str, changed: str, ignored: str) -> None:
        """A slider that sets one state's field, if the scenario has that state; ``changed``
        is formatted with the new value ``v`` and the scenario's ``old``."""
        if sid in sc.states:
            v = float(sliders[slider])
            ov[f"states.{sid}.{field}"] = v
            notes.append(changed.format(name=sc.states[sid].name, v=v, old=own[slider]))
        else:
            notes.append(
                f"the '{ignored}' slider does nothing here: no such state in this scenario"
            )

    if moved["kaz_diversification"]:
        state_field(
            "kaz_diversification",
            FOCUS_STATE,
            "diversification",
            "how much {name} values having many arms suppliers: {v:.2f} on a 0-1 scale "
            "(scenario: {old:.2f})",
            labels["kaz_diversification"],
        )

    if moved["sanctions_intensity"]:
        v = float(sliders["sanctions_intensity"])
        main = main_sanction(sc)
        if main is None:
            notes.append("the sanctions slider does nothing here: this scenario has no sanctions")
        else:
            sid, old, path = main
            ov[path] = v
            ratio = v / old if old > 0 else None
            # later changes of the same regime keep their proportion; the feed tells the
            # changed events as they now are
            for i, ev in enumerate(sc.events):
                if isinstance(ev, SanctionImposed) and ev.id == sid:
                    ov[f"events[{i}].narration"] = _sanction_narration(sc, ev, v)
                if isinstance(ev, SanctionChanged) and ev.id == sid and ev.intensity is not None:
                    new = min(1.0, ev.intensity * ratio) if ratio else v
                    ov[f"events[{i}].intensity"] = new
                    ov[f"events[{i}].narration"] = _sanction_narration(sc, ev, new)
            senders, target, since = _regime(sc, sid)
            by = f" by {senders}" if senders else ""
            level = "none" if v <= 0 else intensity_words(v)
            notes.append(
                f"sanctions on {target}{by}{since}: {v:.2f} on a 0-1 scale, {level} "
                f"(scenario: {old:.2f}, {intensity_words(old)})"
            )

    if moved["pressure_strength"]:
        v = float(sliders["pressure_strength"])
        ov["parameters.pressure_strength"] = v
        notes.append(
            f"how hard Russia pushes back when a client buys elsewhere: {v:.2f} on a 0-10 scale "
            f"(scenario: {own['pressure_strength']:.2f})"
        )

    if moved["turkish_capacity"]:
        state_field(
            "turkish_capacity",
            DRONE_EXPORTER,
            "production_capacity",
            "{name}'s arms production: US${v:g}bn a year (scenario: US${old:g}bn)",
            labels["turkish_capacity"],
        )

    if moved["threat_level"]:
        k = float(sliders["threat_level"])
        for sid, st in sc.states.items():
            if not st.exports_arms:
                ov[f"states.{sid}.base_threat"] = min(20.0, st.base_threat * k)
        notes.append(
            f"every arms-importing state feels {k:.1f} times as threatened as in the scenario"
        )

    for sid, choice in (strategies or {}).items():
        if not choice or choice == AS_IN_SCENARIO:
            continue
        name = sc.states[sid].name if sid in sc.states else sid
        if choice not in STRATEGY_CHOICES and not is_file_spec(choice):
            notes.append(f"{name}: unknown strategy {choice!r} ignored")
        elif sid not in sc.states:
            notes.append(f"the strategy chosen for {sid} does nothing here: not in this scenario")
        elif sc.states[sid].strategy != choice:
            ov[f"states.{sid}.strategy"] = choice
            st = sc.states[sid]
            notes.append(
                f"{st.name}'s strategy: {strategy_words(choice)} "
                f"(scenario: {strategy_words(st.strategy)})"
            )
    return ov, notes


def parse_seed(text: str | int | None) -> int | None:
    """The seed box: blank -> None (the scenario's seed); a whole number >= 0 -> that seed.

    Raises:
        ValueError: anything else, with a message for the page.
    """
    if text is None:
        return None
    if isinstance(text, int):
        v = text
    else:
        s = str(text).strip()
        if not s:
            return None
        try:
            v = int(s)
        except ValueError:
            raise ValueError(f"seed must be a whole number, got {s!r}") from None
    if v < 0:
        raise ValueError(f"seed must be 0 or more, got {v}")
    return v
