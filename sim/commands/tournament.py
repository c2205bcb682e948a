"""``tournament FILE``: which balancing strategy holds up across many futures (leaderboard,
figures and report in a resumable folder)."""

from __future__ import annotations

import argparse

from sim.commands.argtypes import Subparsers, add_engine, add_seed, engine_options


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "tournament",
        help="run a strategy tournament across many futures (leaderboard, figures, report)",
        description="Every contestant strategy plays the focal states in the same futures with "
        "the same random numbers; writes leaderboard.csv/.md/.parquet, scores.parquet, figures/ "
        "and report.html to results/tournaments/<name>/. See docs/tournaments.md.",
    )
    p.add_argument("tournament", help="tournament YAML file (e.g. tournaments/kaz_balancing.yaml)")
    add_seed(p, "the tournament file's")
    add_engine(
        p,
        "tournament folder",
        "results/tournaments/<name>",
        "no progress bar; the leaderboard at the end",
    )
    return p


def execute(args: argparse.Namespace) -> int:
    import time

    import pandas as pd

    from sim.tournament.engine import run_tournament

    t0 = time.perf_counter()
    folder = run_tournament(args.tournament, seed=args.seed, **engine_options(args))
    from sim.sweep.store import read_manifest

    man = read_manifest(folder)
    board = pd.read_csv(folder / "leaderboard.csv")
    rank_by = man["tournament"]["rank_by"]
    slots = len(man["focal"]) if man["mode"] == "each" else 1
    each = f" x {slots} focal states" if slots > 1 else ""
    print(
        f"{man['name']}: {man['runs']} runs ({len(board)} contestants{each} x {man['futures']} "
        f"futures x {man['replicates']} replicate(s)) in {time.perf_counter() - t0:.1f} s"
    )
    print(f"rank  contestant            {rank_by} (mean)   regret   worst 10%")
    for d in board.to_dict("records"):
        print(
            f"{d['rank']:>2} ({d['rank_lo']}-{d['rank_hi']})  {d['contestant']:<20} "
            f"{d[rank_by + '_mean']:>10.3f} {d[rank_by + '_regret']:>8.3f} "
            f"{d[rank_by + '_cvar10']:>10.3f}"
        )
    print(f"leaderboard: {folder / 'leaderboard.md'}   report: {folder / 'report.html'}")
    return 0
