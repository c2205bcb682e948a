"""Scenario overlays: ``extends: parent.yaml`` plus only what differs (resolved before validation)."""

from __future__ import annotations

from pathlib import Path

from sim.errors import Problem, ScenarioError
from sim.scenario.yamlsafe import YamlDoc, read_yaml


def resolve_extends(path: str | Path) -> YamlDoc:
    """Read ``path``; a file with ``extends`` is merged onto its parent chain."""
    doc = read_yaml(path, kind="scenario")
    if "extends" in doc.data:
        raise ScenarioError(str(path), [Problem(str(path), "extends", "overlays are not supported yet",
                                                doc.line_of(("extends",)))])
    return doc
