"""``validate FILE...``: check scenario, sweep and tournament files without running them; one
line per problem, exit 2 if any."""

from __future__ import annotations

import argparse
import sys

from sim.commands.argtypes import Subparsers

SWEEP_KEYS = frozenset({"parameters", "design"})
TOURNAMENT_KEYS = frozenset({"contestants", "futures"})
ENSEMBLE_KEYS = frozenset({"parameters", "sets"})


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "validate",
        help="check scenario, sweep and tournament files without running them",
        description="Validate scenario, sweep, tournament and parameter-ensemble files (a file "
        "with parameters: and design: is a sweep, one with contestants: and futures: a "
        "tournament, one with parameters: and sets: an ensemble): one line per problem, exit 2 "
        "if any. Nothing is run or written.",
    )
    p.add_argument("files", nargs="+", help="scenario, sweep or tournament YAML files")
    return p


def kind_of(path: str) -> str:
    """ "sweep", "tournament" or "scenario", from the file's top-level keys (scenario when the
    file cannot be read as a mapping: the scenario loader then reports why)."""
    from sim.errors import ScenarioError
    from sim.scenario.yamlsafe import read_yaml

    try:
        data = read_yaml(path).data
    except ScenarioError:
        return "scenario"
    keys = set(data) if isinstance(data, dict) else set()
    if keys >= SWEEP_KEYS:
        return "sweep"
    if keys >= TOURNAMENT_KEYS:
        return "tournament"
    if keys >= ENSEMBLE_KEYS:
        return "ensemble"
    return "scenario"


def execute(args: argparse.Namespace) -> int:
    from sim.errors import ScenarioError

    bad = 0
    for f in args.files:
        try:
            print(f"ok: {f} ({describe(f)})")
        except ScenarioError as e:
            bad += 1
            for line in e.lines():
                print(f"error: {line}", file=sys.stderr)
    return 2 if bad else 0


def describe(f: str) -> str:
    """Validate ``f`` by its kind; returns what it holds, in a few words."""
    kind = kind_of(f)
    if kind == "sweep":
        from sim.sweep.design import n_points
        from sim.sweep.loader import load_sweep

        plan = load_sweep(f)  # every design point's scenario is checked (up to a limit)
        sw = plan.sweep
        points = n_points(sw)
        return (
            f"sweep {plan.name}: {len(sw.parameters)} parameters, {sw.design.method} "
            f"design, {points} points x {sw.replicates} replicates = "
            f"{points * sw.replicates} runs"
        )
    if kind == "ensemble":
        from sim.validate.ensemble import read_ensemble

        ens = read_ensemble(f)
        return f"parameter ensemble: {len(ens)} sets of {', '.join(ens.names)}"
    if kind == "tournament":
        from sim.tournament.spec import load_tournament, n_futures

        tp = load_tournament(f)
        sp = tp.spec
        return (
            f"tournament {tp.name}: {len(sp.contestants)} contestants, "
            f"{n_futures(sp)} futures x {sp.replicates} replicates, focal "
            f"{', '.join(sp.focal)}"
        )
    from sim.scenario.loader import load_scenario

    sc = load_scenario(f)
    return (
        f"{sc.name}: {len(sc.states)} states, {sc.time.axis.n} {sc.time.step}s, "
        f"{len(sc.events)} events"
    )
