"""Loading scenarios: YAML file -> plain data -> validated, cross-checked, frozen :class:`Scenario`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario.checks import check_scenario
from sim.scenario.errors import bool_problems, problems_from_validation, show
from sim.scenario.paths import PathError, apply_overrides
from sim.scenario.schema import Scenario
from sim.scenario.yamlsafe import YamlDoc


def read_scenario_data(path: str | Path) -> YamlDoc:
    """Read a scenario file into plain data (with line numbers), resolving any ``extends`` chain."""
    from sim.scenario.overlay import resolve_extends  # overlays (issue: analysts)

    doc = resolve_extends(path)
    anchor_strategy_files(doc)
    return doc


def anchor_strategy_files(doc: YamlDoc) -> None:
    """In place: make each state's user strategy file (``strategy: FILE.py:Class``) absolute,
    relative to the folder of the file that names it (an overlay's own file for its values)."""
    from sim.strategies import is_file_spec

    states = doc.data.get("states") if isinstance(doc.data, dict) else None
    if not isinstance(states, dict):
        return
    origin = getattr(doc, "origin", None)
    for sid, st in states.items():
        spec = st.get("strategy") if isinstance(st, dict) else None
        if not isinstance(spec, str) or not is_file_spec(spec):
            continue
        file, _, cls = spec.rpartition(":")
        if Path(file).is_absolute():
            continue
        where = origin(("states", sid, "strategy"))[0] if callable(origin) else doc.file
        st["strategy"] = f"{(Path(where).parent / file).absolute()}:{cls}"


def validate_data(
    data: Any, file: str = "<data>", doc: YamlDoc | None = None, bools: bool = True
) -> Scenario:
    """Validate plain data into a :class:`Scenario`.

    Args:
        bools: look for booleans written where numbers belong (pydantic would read them as 0
            and 1); False only for data that cannot hold any (a validated scenario's).

    Raises:
        ScenarioError: one :class:`Problem` per schema or cross-reference problem.
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            file,
            [
                Problem(
                    file,
                    "",
                    f"a scenario is a mapping of sections (key: value lines), got {show(data)}",
                )
            ],
        )
    problems = bool_problems(data, Scenario, file, doc) if bools else []
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as e:
        problems += problems_from_validation(e, Scenario, file, doc)
        raise ScenarioError(file, _in_order(problems, doc)) from None
    problems += check_scenario(sc, file, doc)
    if problems:
        raise ScenarioError(file, _in_order(problems, doc))
    return sc


def _in_order(problems: list[Problem], doc: YamlDoc | None) -> list[Problem]:
    """Problems in file order (by line, stable), re-pointed to their file for overlays."""
    relocate = getattr(doc, "relocate", None)
    if callable(relocate):
        problems = relocate(problems)
    return sorted(problems, key=lambda p: (p.file, p.line or 0))


def load_scenario(
    source: str | Path | dict[str, Any] | Scenario, overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario.

    Args:
        source: a YAML path, plain data, or an already validated :class:`Scenario`.
        overrides: dotted path -> value (e.g. ``{"states.KAZ.diversification": 0.8}``), applied
            before validation.

    Returns:
        The frozen, validated scenario.

    Raises:
        ScenarioError: for any problem in the file or the overrides (nothing is run or written).
    """
    doc: YamlDoc | None = None
    bools = True
    if isinstance(source, Scenario):
        if not overrides:
            return source
        data, file = source.to_dict(), f"<scenario {source.name}>"
        # a validated scenario holds no booleans for numbers: only an override can bring one
        bools = any(isinstance(v, bool) for v in _leaves(overrides.values()))
    elif isinstance(source, dict):
        data, file = source, "<data>"
    else:
        doc = read_scenario_data(source)
        data, file = doc.data, str(source)
    if overrides:
        try:
            data = apply_overrides(data, overrides)
        except PathError as e:
            raise ScenarioError(file, [Problem(file, "", f"override {e}")]) from None
        doc = None if doc is None else YamlDoc(doc.file, data, doc.lines)
    return validate_data(data, file, doc, bools)


def _leaves(values: Iterable[Any]) -> Iterator[Any]:
    """The non-container values inside ``values`` (nested dicts, lists and tuples flattened)."""
    for v in values:
        if isinstance(v, dict):
            yield from _leaves(v.values())
        elif isinstance(v, (list, tuple)):
            yield from _leaves(v)
        else:
            yield v


def scenario_hash(sc: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON (identifies what was run)."""
    blob = json.dumps(sc.to_dict(), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def dump_yaml(sc: Scenario) -> str:
    """The resolved scenario (defaults filled in) as YAML text."""
    import yaml

    return yaml.safe_dump(sc.to_dict(), sort_keys=False, allow_unicode=True, width=100)
