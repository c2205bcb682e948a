"""``schema [--check]``: regenerate scenarios/schema.json and docs/scenario-reference.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.argtypes import Subparsers

_ROOT = Path(__file__).resolve().parents[2]


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "schema",
        help="write the scenario JSON Schema and reference from the pydantic models",
        description="Generate scenarios/schema.json (for editors) and docs/scenario-reference.md "
        "from the scenario schema. With --check, write nothing and exit 1 if they are stale.",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="only check that the files are up to date (exit 1 if not)",
    )
    p.add_argument(
        "--root",
        type=Path,
        default=_ROOT,
        help="project folder holding scenarios/ and docs/ (default: this checkout)",
    )
    return p


def execute(args: argparse.Namespace) -> int:
    from sim.scenario.reference import stale_files, write_files

    if args.check:
        stale = stale_files(args.root)
        for rel in stale:
            print(f"stale: {rel} (run `python run_sim.py schema` to regenerate it)")
        if not stale:
            print("schema files are up to date")
        return 1 if stale else 0
    changed = write_files(args.root)
    for rel in changed:
        print(f"wrote {rel}")
    if not changed:
        print("schema files were already up to date")
    return 0
