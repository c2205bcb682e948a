"""The scenario library the page's picker lists: every valid ``scenarios/*.yaml``, grouped.

Groups follow the library's file names: ``teach_*`` files are lessons (:data:`TEACHING`),
``hindcast*`` files check the model against history (:data:`VALIDATION`, kept out of the classroom
picker: ``run_sim.py hindcast`` runs them), and every other file is a what-if (:data:`WHAT_IFS`,
the baseline first). A scenario that ``extends:`` another knows its parent, the scenario a lesson
is compared with on the page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.errors import UserError
from sim.scenario.loader import load_scenario
from sim.scenario.overlay import MergedDoc, load_with_origins
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = "baseline"

TEACHING = "Teaching"
WHAT_IFS = "What-ifs"
VALIDATION = "Validation"
GROUPS: tuple[str, ...] = (TEACHING, WHAT_IFS, VALIDATION)
"""The groups, in the order the page lists them."""
CLASSROOM_GROUPS: tuple[str, ...] = (TEACHING, WHAT_IFS)
"""The groups the classroom picker offers (hindcasts are for validation, not for class)."""
PREFIXES: dict[str, str] = {"teach_": TEACHING, "hindcast": VALIDATION}
"""File-name prefix -> group; other files are what-ifs."""


def group_of(key: str) -> str:
    """The group of the scenario file with stem ``key`` (see :data:`PREFIXES`)."""
    return next((g for prefix, g in PREFIXES.items() if key.startswith(prefix)), WHAT_IFS)


@dataclass(frozen=True)
class Entry:
    """One scenario of the library: file stem (the picker's value), path, title, description,
    group (:data:`GROUPS`) and the file it ``extends`` (None for a full scenario)."""

    key: str
    path: Path
    title: str
    description: str
    group: str = WHAT_IFS
    parent: Path | None = None


@dataclass(frozen=True)
class Library:
    """The valid scenarios (baseline first, then by name) and one line per file skipped."""

    folder: Path
    entries: tuple[Entry, ...]
    skipped: tuple[str, ...]

    @property
    def keys(self) -> list[str]:
        """Picker values."""
        return [e.key for e in self.entries]

    def get(self, key: str) -> Entry | None:
        """The entry named ``key``, or None."""
        return next((e for e in self.entries if e.key == key), None)

    def grouped(self, groups: tuple[str, ...] = GROUPS) -> list[tuple[str, list[Entry]]]:
        """``(group, entries)`` for each of ``groups`` that has entries, in that order."""
        out = [(g, [e for e in self.entries if e.group == g]) for g in groups]
        return [(g, es) for g, es in out if es]

    @property
    def classroom(self) -> list[Entry]:
        """The entries the classroom picker offers, in the picker's order."""
        return [e for _, es in self.grouped(CLASSROOM_GROUPS) for e in es]

    def picker_items(self) -> list[dict[str, str]]:
        """The picker's items (Vuetify select): a header per group, then its scenarios by
        title (the value is the key)."""
        items: list[dict[str, str]] = []
        for group, entries in self.grouped(CLASSROOM_GROUPS):
            items.append({"header": group})
            items.extend({"text": e.title, "value": e.key} for e in entries)
        return items


def scenarios_dir() -> Path:
    """The library folder: ``$MULTIVECTOR_SCENARIOS`` or ``scenarios/`` in the repository."""
    env = os.environ.get("MULTIVECTOR_SCENARIOS")
    return Path(env) if env else ROOT / "scenarios"


def load_library(folder: Path | None = None) -> Library:
    """List the scenarios of ``folder`` that validate (cached until a file changes)."""
    folder = Path(folder or scenarios_dir()).resolve()
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    return _load(folder, stamp)


@lru_cache(maxsize=8)
def _load(folder: Path, stamp: tuple[tuple[str, int], ...]) -> Library:
    entries, skipped = [], []
    for name, _ in stamp:
        path = Path(name)
        try:
            sc, doc = load_with_origins(path)
        except UserError as e:
            first = e.lines()[0] if e.lines() else str(e)
            skipped.append(f"{path.name}: skipped, does not validate ({first})")
            continue
        except Exception as e:  # noqa: BLE001 - one broken file must not take the page down
            skipped.append(f"{path.name}: skipped ({type(e).__name__}: {e})")
            continue
        title = sc.metadata.title or sc.name
        parent = Path(doc.chain[1]).resolve() if isinstance(doc, MergedDoc) else None
        description = " ".join(sc.metadata.description.split())
        entries.append(Entry(path.stem, path, title, description, group_of(path.stem), parent))
    entries.sort(key=lambda e: (e.key != BASELINE, e.key))
    return Library(folder, tuple(entries), tuple(skipped))


@lru_cache(maxsize=32)
def _scenario(path: str, mtime: int) -> Scenario:
    return load_scenario(path)


def scenario(entry: Entry) -> Scenario:
    """The entry's validated scenario (cached until the file changes)."""
    return _scenario(str(entry.path), entry.path.stat().st_mtime_ns)


def scenario_title(path: Path) -> str:
    """The title of the scenario file ``path`` (its name if untitled)."""
    sc = _scenario(str(path), path.stat().st_mtime_ns)
    return sc.metadata.title or sc.name
