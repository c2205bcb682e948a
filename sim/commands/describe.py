"""``describe FILE``: print the fully resolved scenario (defaults filled in)."""

from __future__ import annotations

import argparse


def register(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("describe", help="print the resolved scenario",
                       description="Print the fully resolved scenario as YAML, defaults included.")
    p.add_argument("file", help="scenario YAML file")
    return p


def execute(args: argparse.Namespace) -> int:
    from sim.scenario.loader import dump_yaml, load_scenario

    sc = load_scenario(args.file)
    print(f"# {sc.name}: {sc.metadata.title or ''}".rstrip(": "))
    print(dump_yaml(sc), end="")
    return 0
