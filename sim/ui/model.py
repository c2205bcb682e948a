"""The page's model: :class:`~sim.model.MultivectorModel` built from flat control values.

The page re-creates the model on Reset as ``ClassroomModel(**control_values)``; this class turns
those values into a scenario plus overrides (:mod:`sim.ui.controls`) and never fails on a
classroom input: a bad seed or a scenario that stopped validating falls back to a safe choice and
says so in :attr:`ClassroomModel.notes`. It also provides the reference run drawn faintly behind
the live one (:meth:`ClassroomModel.reference`): the chosen scenario without the page's changes
or, for a lesson, the scenario the lesson extends; same seed, cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.errors import UserError
from sim.model import MultivectorModel
from sim.scenario.loader import load_scenario
from sim.summary import importers
from sim.ui import controls, library


@dataclass(frozen=True)
class Ghost:
    """A whole run's arrays (see :meth:`sim.recorder.Recorder.arrays`), state ids and dates."""

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    pairs: dict[str, np.ndarray]
    states: dict[str, np.ndarray]


@dataclass(frozen=True)
class Reference:
    """The run drawn faintly behind the live one, and what to call it.

    Attributes:
        run: its arrays.
        label: the legend's name for it ("without your changes", "the baseline scenario").
        about: one sentence for the page's header saying what the faint lines are.
    """

    run: Ghost
    label: str
    about: str


WITHOUT_CHANGES = "without your changes"
OWN_PARAMETERS = "the scenario's own"
ENSEMBLE_PARAMETERS = "a set drawn from the calibrated ensemble"
PARAMETER_CHOICES = (OWN_PARAMETERS, ENSEMBLE_PARAMETERS)
"""The page's choice of behavioural parameters: the scenario's, or one set of the shipped
ABC-SMC ensemble (:mod:`sim.validate.ensemble`), drawn from the seed (another seed, another
set): equally good fits to the data can tell different stories."""


def ensemble_file() -> Path:
    """The shipped ensemble (``calibration/ensemble_2010_2014.yaml`` in the library folder)."""
    return library.scenarios_dir() / "calibration" / "ensemble_2010_2014.yaml"


@lru_cache(maxsize=2)
def _ensemble(path: str, mtime: int):  # type: ignore[no-untyped-def]
    from sim.validate.ensemble import read_ensemble

    return read_ensemble(path)


def drawn_parameters(seed: int) -> tuple[tuple[str, float], ...] | None:
    """The ensemble's set for ``seed`` as overrides (None when no ensemble is shipped)."""
    f = ensemble_file()
    if not f.exists():
        return None
    ens = _ensemble(str(f), f.stat().st_mtime_ns)
    k = ens.draw(seed, 1)[0]
    return tuple(sorted(ens.overrides(k).items()))


def ghost(entry: library.Entry, seed: int, parameters: tuple[tuple[str, float], ...] = ()) -> Ghost:
    """Run the library scenario ``entry`` unchanged to the end with ``seed`` (and the
    behavioural ``parameters`` of the live run, as overrides)."""
    return ghost_of(entry.path, seed, parameters)


def ghost_of(path: Path, seed: int, parameters: tuple[tuple[str, float], ...] = ()) -> Ghost:
    """Run the scenario file ``path`` unchanged to the end with ``seed``.

    Cached (per file version, seed and parameters): it is the reference drawn behind the live
    run.
    """
    return _ghost(str(path), path.stat().st_mtime_ns, seed, parameters)


@lru_cache(maxsize=16)
def _ghost(path: str, mtime: int, seed: int, parameters: tuple[tuple[str, float], ...]) -> Ghost:
    from sim.runner import run_model

    sc = library._scenario(path, mtime)
    m = run_model(sc.with_changes(dict(parameters)) if parameters else sc, seed)
    pairs, states = m.recorder.arrays()
    return Ghost(tuple(m.world.ids), tuple(m.world.axis.labels()), pairs, states)


@lru_cache(maxsize=1)
def neutral() -> dict[str, float]:
    """Slider start positions: the library baseline's values (see :mod:`sim.ui.controls`)."""
    lib = library.load_library()
    entry = lib.get(library.BASELINE) or (lib.entries[0] if lib.entries else None)
    if entry is None:
        from sim.model import DEFAULT_SCENARIO

        return controls.neutral_values(load_scenario(DEFAULT_SCENARIO))
    return controls.neutral_values(library.scenario(entry))


class ClassroomModel(MultivectorModel):
    """A :class:`MultivectorModel` configured by the page's controls.

    Args:
        scenario_name: library key (file stem in ``scenarios/``).
        focus: the importer whose suppliers and trade are shown.
        seed: text of the seed box; blank means the scenario's seed.
        kaz_diversification, sanctions_intensity, pressure_strength, turkish_capacity,
        threat_level: slider values (None or the neutral position: the scenario's own value).
        parameters: :data:`OWN_PARAMETERS` or :data:`ENSEMBLE_PARAMETERS` (a set of the
            shipped ensemble drawn from the seed, used by the live and the reference runs).
        **kwargs: ``strategy_<ID>`` -> a strategy or ``"as in scenario"``.

    Attributes:
        entry: the library entry run; ``notes``: plain-language changes and fallbacks;
        ``ui_overrides``: the overrides applied; ``base``: the scenario without them (the ghost);
        ``focus``: the importer shown.
    """

    def __init__(
        self,
        scenario_name: str = library.BASELINE,
        focus: str = controls.FOCUS_STATE,
        seed: str | int | None = "",
        kaz_diversification: float | None = None,
        sanctions_intensity: float | None = None,
        pressure_strength: float | None = None,
        turkish_capacity: float | None = None,
        threat_level: float | None = None,
        parameters: str = OWN_PARAMETERS,
        **kwargs: str,  # strategy_<ID> choices
    ) -> None:
        strategies = kwargs
        notes: list[str] = []
        bad = [k for k in strategies if not k.startswith("strategy_")]
        if bad:
            raise TypeError(f"unknown control(s): {', '.join(sorted(bad))}")
        lib = library.load_library()
        entry = lib.get(scenario_name)
        if entry is None:
            if not lib.entries:
                raise UserError(f"no valid scenario in {lib.folder}")
            entry = (lib.classroom or list(lib.entries))[0]
            notes.append(f"scenario {scenario_name!r} not found: showing {entry.title}")
        base = library.scenario(entry)
        try:
            user_seed = controls.parse_seed(seed)
        except ValueError as e:
            user_seed = None
            notes.append(f"{e}: using the scenario's seed")
        run_seed = base.seed if user_seed is None else user_seed
        given = {
            "kaz_diversification": kaz_diversification,
            "sanctions_intensity": sanctions_intensity,
            "pressure_strength": pressure_strength,
            "turkish_capacity": turkish_capacity,
            "threat_level": threat_level,
        }
        # a slider left at None is one not set: overrides_for reads a missing slider the same way
        sliders = {k: v for k, v in given.items() if v is not None}
        strat = {k.removeprefix("strategy_"): v for k, v in strategies.items()}
        ov, change_notes = controls.overrides_for(base, sliders, neutral(), strat)
        drawn = drawn_parameters(run_seed) if parameters == ENSEMBLE_PARAMETERS else None
        if parameters == ENSEMBLE_PARAMETERS and drawn is None:
            notes.append("no parameter ensemble shipped: using the scenario's own parameters")
        self.parameters = drawn or ()
        if drawn:
            words = ", ".join(f"{k.removeprefix('parameters.')} {v:.2f}" for k, v in drawn)
            change_notes = [
                *change_notes,
                f"behavioural parameters drawn from the calibrated ensemble ({words}); "
                "another seed draws another set",
            ]
            ov = {**dict(drawn), **ov}
        try:
            sc = load_scenario(base, ov) if ov else base
        except UserError as e:
            sc, ov = base, {}
            change_notes = [f"changes not applied ({'; '.join(e.lines()[:2])})"]
        super().__init__(sc, seed=run_seed, mesa_datacollector=False)
        self.entry = entry
        self.base = base
        self.run_seed = run_seed
        self.ui_overrides = ov
        self.notes = notes + change_notes
        imps = importers(sc)
        self.focus = focus if focus in imps else (imps[0] if imps else sc.state_ids[0])
        if focus != self.focus:
            who = sc.states[focus].name if focus in sc.states else repr(focus)
            self.notes.append(
                f"{who} is not an importer here: following {sc.states[self.focus].name}"
            )

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self.scenario.metadata.title or self.scenario.name

    def ghost(self) -> Ghost:
        """The chosen scenario without the page's changes, run with the same seed."""
        return ghost(self.entry, self.run_seed, self.parameters)

    def reference(self) -> Reference:
        """What the faint lines show: for a lesson (a teaching scenario that ``extends:``
        another), the scenario it extends, so the lesson's own effect shows as the gap; for any
        other scenario, or a parent that does not fit this run's states and dates, the scenario
        without the page's changes. Both run with this run's seed."""
        parent = self.entry.parent
        if self.entry.group == library.TEACHING and parent is not None and parent.exists():
            g = ghost_of(parent, self.run_seed, self.parameters)
            if g.ids == tuple(self.world.ids) and g.labels == tuple(self.world.axis.labels()):
                name = parent.stem.replace("_", " ")
                title = library.scenario_title(parent)
                return Reference(
                    g,
                    f"the {name} scenario",
                    f"Faint lines: {title}, the scenario this lesson starts from "
                    "(the gap is the lesson's change, plus yours).",
                )
        return Reference(
            self.ghost(),
            WITHOUT_CHANGES,
            "Faint lines: this scenario without your changes (the gap is what you changed).",
        )

    def date(self) -> str:
        """The date of the last period run ('start' before the first step)."""
        t = self.recorder.n_steps
        return self.world.axis.label(t - 1) if t else f"before {self.world.axis.label(0)}"
