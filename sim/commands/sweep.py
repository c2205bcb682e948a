"""``sweep SWEEPFILE``: run a parameter sweep into a resumable Parquet store."""

from __future__ import annotations

import argparse

from sim.commands.argtypes import Subparsers, add_engine, engine_options


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "sweep",
        help="run a parameter sweep (grid, lhs, sobol, morris) into a resumable store",
        description="Run a sweep file's design points x replicates on local processes or a dask "
        "cluster; outcomes stream to results/sweeps/<name>/ (Parquet). See docs/sweeps.md.",
    )
    p.add_argument("sweep", help="sweep YAML file (e.g. sweeps/kaz_sensitivity.yaml)")
    add_engine(p, "store folder", "results/sweeps/<name>", "no progress bar; one line at the end")
    return p


def execute(args: argparse.Namespace) -> int:
    import time

    from sim.sweep.run import run_sweep

    t0 = time.perf_counter()
    store = run_sweep(args.sweep, **engine_options(args))
    from sim.sweep.store import read_manifest

    man = read_manifest(store)
    print(
        f"{man['name']}: {man['runs']} runs ({man['points']} points x {man['replicates']} "
        f"replicates, {man['method']}) in {time.perf_counter() - t0:.1f} s"
    )
    print(f"store: {store}")
    print(f"next: python run_sim.py analyze {store}")
    return 0
