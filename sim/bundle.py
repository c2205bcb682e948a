"""Results bundles on disk, written atomically.

A bundle is a folder: ``timeseries.parquet`` and ``timeseries.csv`` (tidy long format),
``summary.csv``, ``events.csv``, ``scenario.yaml`` (the resolved scenario), ``manifest.json``
(scenario hash, seeds, package versions, git commit, command line, timings) and ``plots/``.
Everything is written into a hidden temporary folder beside the target, then renamed into place:
a crash leaves either no bundle or a complete one. An existing bundle is never overwritten
unless ``force``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import UserError
from sim.scenario.loader import dump_yaml, scenario_hash

if TYPE_CHECKING:
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
    """The repository's HEAD commit (with ``-dirty`` if modified), or None outside git."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def refuse_existing(target: Path, force: bool) -> None:
    """Raise a UserError if ``target`` exists and ``force`` is not set."""
    if target.exists() and not force:
        raise UserError(
            f"{target}: already exists; refusing to overwrite (use --force to replace it)"
        )


@contextmanager
def atomic_dir(target: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds."""
    refuse_existing(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            trash = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, trash)
            os.replace(tmp, target)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_run_dir(results: Results, root: Path = Path("results")) -> Path:
    """``results/<scenario>/<YYYYmmdd-HHMMSS>-s<seed>``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return root / results.scenario.name / f"{stamp}-s{results.master_seed}"


def manifest(results: Results, command: str = "") -> dict[str, Any]:
    """The manifest of a bundle."""
    return {
        "scenario": results.scenario.name,
        "scenario_sha256": scenario_hash(results.scenario),
        "master_seed": results.master_seed,
        "replicate_seeds": results.seeds,
        "replicates": len(results.seeds),
        "versions": versions(),
        "git_commit": git_commit(),
        "command": command or " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
        "timings_s": {k: round(v, 4) for k, v in results.timings.items()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_bundle(
    results: Results, target: Path, *, force: bool = False, command: str = "", plots: bool = True
) -> Path:
    """Write the bundle of ``results`` to ``target`` atomically (see module docstring)."""
    import pandas as pd

    t0 = time.perf_counter()
    with atomic_dir(target, force) as tmp:
        ts = results.timeseries
        ts.to_parquet(tmp / "timeseries.parquet", index=False)
        ts.to_csv(tmp / "timeseries.csv", index=False)
        results.summary.to_csv(tmp / "summary.csv", index=False, float_format="%.6g")
        pd.DataFrame(
            [e.__dict__ for e in results.events],
            columns=["step", "date", "type", "summary", "narration", "blocked"],
        ).to_csv(tmp / "events.csv", index=False)
        (tmp / "scenario.yaml").write_text(dump_yaml(results.scenario), encoding="utf-8")
        if plots:
            from sim.plots import write_plots

            write_plots(results, tmp / "plots")
        results.timings["write_s"] = time.perf_counter() - t0
        (tmp / "manifest.json").write_text(json.dumps(manifest(results, command), indent=2) + "\n")
    return target
