"""``validate FILE...``: check scenario files; one line per problem, exit 2 if any."""

from __future__ import annotations

import argparse
import sys

from sim.commands.argtypes import Subparsers


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Validate scenario files: one line per problem, exit 2 if any.",
    )
    p.add_argument("files", nargs="+", help="scenario YAML files")
    return p


def execute(args: argparse.Namespace) -> int:
    from sim.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    bad = 0
    for f in args.files:
        try:
            sc = load_scenario(f)
        except ScenarioError as e:
            bad += 1
            for line in e.lines():
                print(f"error: {line}", file=sys.stderr)
            continue
        print(
            f"ok: {f} ({sc.name}: {len(sc.states)} states, {sc.time.axis.n} {sc.time.step}s, "
            f"{len(sc.events)} events)"
        )
    return 2 if bad else 0
