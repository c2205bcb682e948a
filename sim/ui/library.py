"""The scenario library the page's picker lists: every valid ``scenarios/*.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.errors import UserError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = "baseline"


@dataclass(frozen=True)
class Entry:
    """One scenario of the library: file stem (the picker's value), path, title, description."""

    key: str
    path: Path
    title: str
    description: str


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
            sc = load_scenario(path)
        except UserError as e:
            first = e.lines()[0] if e.lines() else str(e)
            skipped.append(f"{path.name}: skipped, does not validate ({first})")
            continue
        except Exception as e:  # noqa: BLE001 - one broken file must not take the page down
            skipped.append(f"{path.name}: skipped ({type(e).__name__}: {e})")
            continue
        title = sc.metadata.title or sc.name
        entries.append(Entry(path.stem, path, title, sc.metadata.description))
    entries.sort(key=lambda e: (e.key != BASELINE, e.key))
    return Library(folder, tuple(entries), tuple(skipped))


@lru_cache(maxsize=32)
def _scenario(path: str, mtime: int) -> Scenario:
    return load_scenario(path)


def scenario(entry: Entry) -> Scenario:
    """The entry's validated scenario (cached until the file changes)."""
    return _scenario(str(entry.path), entry.path.stat().st_mtime_ns)
