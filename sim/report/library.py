"""The scenario library: the scenario files of a folder, with the question each one answers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCENARIO_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios"
"""The shipped library (``scenarios/`` beside the ``sim`` package)."""


@dataclass(frozen=True)
class Entry:
    """One scenario file of the library.

    Attributes:
        file: the file path.
        name: the scenario's ``metadata.name`` ("" if the file is invalid).
        title: its title.
        description: its description (the question it answers).
        extends: the parent file named by ``extends`` ("" for a full scenario).
        error: the first problem of an invalid file ("" if valid).
    """

    file: Path
    name: str
    title: str
    description: str
    extends: str
    error: str = ""


def catalogue(folder: str | Path = SCENARIO_DIR) -> list[Entry]:
    """Every ``*.yaml`` scenario directly in ``folder``: baseline first, then by name.

    Files are validated (overlays resolved); an invalid file is listed with its first problem.
    """
    from sim.errors import ScenarioError
    from sim.scenario.overlay import MergedDoc, load_with_origins

    out = []
    for f in sorted(Path(folder).glob("*.yaml")):
        try:
            sc, doc = load_with_origins(f)
        except ScenarioError as e:
            out.append(Entry(f, "", "", "", "", e.lines()[0] if e.lines() else str(e)))
            continue
        parent = doc.chain[1] if isinstance(doc, MergedDoc) else ""
        out.append(
            Entry(
                f,
                sc.name,
                sc.metadata.title,
                " ".join(sc.metadata.description.split()),
                Path(parent).name if parent else "",
            )
        )
    return sorted(out, key=lambda e: (e.name != "baseline", e.extends != "", e.name or e.file.name))


def one_line(text: str, width: int) -> str:
    """The first sentence of ``text``, cut to ``width`` characters."""
    first = text.split("? ")[0] + ("?" if "? " in text else "")
    first = first if len(first) < len(text) else text.split(". ")[0]
    return first if len(first) <= width else first[: width - 3].rstrip() + "..."
