"""Results bundles on disk, written atomically.

A bundle is a folder: ``timeseries.parquet`` and ``timeseries.csv`` (tidy long format),
``summary.csv``, ``events.csv``, ``scenario.yaml`` (the resolved scenario), ``manifest.json``
(scenario hash, seeds, package versions, git commit, command line, timings) and ``plots/``
(PNG; SVG too on request).
Everything is written into a hidden temporary folder beside the target, then renamed into place:
a crash leaves either no bundle or a complete one. The target is locked while it is written (a
second writer is refused), an existing folder is never overwritten unless ``force``, and
``force`` replaces only a results bundle (see :mod:`sim.output`).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import output
from sim.plots import FORMATS
from sim.scenario.loader import dump_yaml, scenario_hash

if TYPE_CHECKING:
    from collections.abc import Sequence
    from concurrent.futures import Executor

    from sim.focus import Focus
    from sim.results import Results

PACKAGES = (
    "multivector",
    "mesa",
    "numpy",
    "pandas",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "SALib",
    "dask",
    "scipy",
)


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape results."""
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):  # not installed: not listed
            out[p] = metadata.version(p)
    return out


def git_commit() -> str | None:
    """The repository's HEAD commit (with ``-dirty`` if modified), or None outside git.

    Read-only: ``git --no-optional-locks`` (and ``GIT_OPTIONAL_LOCKS=0``) keeps ``git status``
    from refreshing the index, so it never creates ``.git/index.lock`` under a concurrent git
    command of the user's.
    """
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
    git = ["git", "--no-optional-locks", "-C", str(root)]
    try:
        sha = subprocess.run(
            [*git, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, env=env
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            env=env,
        )
        return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def refuse_existing(target: Path, force: bool, kind: str | None = output.RUN) -> None:
    """Raise a UserError if ``target`` exists, unless ``force`` and it is a folder of ``kind``
    that multivector wrote (see :func:`sim.output.refuse_existing`)."""
    output.refuse_existing(target, force, kind)


@contextmanager
def atomic_dir(target: Path, force: bool = False, kind: str | None = output.RUN) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds (see
    :func:`sim.output.atomic_dir`: location checked, target locked, only ours replaced)."""
    with output.atomic_dir(target, force, kind) as tmp:
        yield tmp


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file via a temporary file and ``os.replace``."""
    output.atomic_write_text(path, text)


def run_dir(name: str, seed: int, root: Path = Path("results")) -> Path:
    """``results/<name>/<YYYYmmdd-HHMMSS>-s<seed>`` (the time is now).

    Raises:
        UserError: if ``name`` cannot name a folder on its own (``..``, a path, a hidden name).
    """
    output.safe_component(name, "metadata.name", "choose another name or pass --out")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return root / name / f"{stamp}-s{seed}"


def default_run_dir(results: Results, root: Path = Path("results")) -> Path:
    """``results/<scenario>/<YYYYmmdd-HHMMSS>-s<seed>`` (see :func:`run_dir`)."""
    return run_dir(results.scenario.name, results.master_seed, root)


def manifest(results: Results, command: str = "") -> dict[str, Any]:
    """The manifest of a bundle."""
    return {
        "kind": output.RUN,
        "scenario": results.scenario.name,
        "scenario_sha256": scenario_hash(results.scenario),
        "master_seed": results.master_seed,
        "replicate_seeds": results.seeds,
        "replicates": len(results.seeds),
        "bands_cover": results.covers,
        "parameter_sets": (
            {
                "ensemble": results.ensemble.source,
                "parameters": list(results.ensemble.names),
                "set_per_replicate": results.sets,
                "values": [results.ensemble.overrides(k) for k in results.sets],
            }
            if results.ensemble is not None
            else None
        ),
        "versions": versions(),
        "git_commit": git_commit(),
        "command": command or " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
        "timings_s": {k: round(v, 4) for k, v in results.timings.items()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_bundle(
    results: Results,
    target: Path,
    *,
    force: bool = False,
    command: str = "",
    plots: bool = True,
    focus: Sequence[Focus] = (),
    formats: Sequence[str] = FORMATS,
    pool: Executor | None = None,
) -> Path:
    """Write the bundle of ``results`` to ``target`` atomically (see module docstring); the
    figures in ``formats`` (``png``, ``svg``), a focus figure first when ``focus`` is given,
    drawn by the worker processes of ``pool`` (see :func:`sim.plots.figure_pool`; default:
    started here)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.plots import plots_written

    t0 = time.perf_counter()
    with output.atomic_dir(target, force, output.RUN) as tmp:
        ts = results.timeseries
        with contextlib.ExitStack() as figures:  # drawn in parallel with the tables
            if plots:
                figures.enter_context(
                    plots_written(results, tmp / "plots", focus=focus, formats=formats, pool=pool)
                )
            files = [c for c in ts.columns if c != "period"]  # the date column says it in files
            pq.write_table(
                pa.Table.from_pandas(ts, columns=files, preserve_index=False),
                tmp / "timeseries.parquet",
            )
            ts.to_csv(tmp / "timeseries.csv", index=False, columns=files)
            results.summary.to_csv(tmp / "summary.csv", index=False, float_format="%.6g")
            results.events.drop(columns="period").to_csv(tmp / "events.csv", index=False)
            (tmp / "scenario.yaml").write_text(dump_yaml(results.scenario), encoding="utf-8")
        results.timings["write_s"] = time.perf_counter() - t0
        (tmp / "manifest.json").write_text(json.dumps(manifest(results, command), indent=2) + "\n")
    return target
