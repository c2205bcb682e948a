"""Running a sweep end to end: validate, create (or resume) the store, run batches, commit them.

The notebook entry point is :func:`run_sweep`; ``run_sim.py sweep`` is a thin face over it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError
from sim.sweep import store as st
from sim.sweep.loader import SweepPlan, check_design_points, load_sweep

if TYPE_CHECKING:
    import pandas as pd

    from sim.sweep.design import DesignPoints
    from sim.sweep.execute import Batch, Context

DEFAULT_ROOT = Path("results") / "sweeps"


def default_store(plan: SweepPlan, root: Path = DEFAULT_ROOT) -> Path:
    """``results/sweeps/<name>``."""
    return root / plan.name


def _is_store(path: Path) -> bool:
    """Whether ``path`` is a sweep store (or an empty folder)."""
    if path.is_dir() and not any(path.iterdir()):
        return True
    try:
        return st.read_manifest(path).get("kind") == "multivector-sweep"
    except UserError:
        return False


def _manifest(plan: SweepPlan, design: DesignPoints, backend: str, command: str) -> dict[str, Any]:
    from sim.bundle import git_commit, versions

    sw = plan.sweep
    return {
        "kind": "multivector-sweep",
        "format": 1,
        "name": plan.name,
        "sweep_file": plan.file,
        "sweep_text": plan.text,
        "sweep": sw.model_dump(mode="json"),
        "digest": plan.digest(),
        "scenario_file": str(plan.scenario_path) if plan.scenario_path else None,
        "scenario": plan.base,
        "method": sw.design.method,
        "parameters": [{"column": p.column, "path": p.path} for p in sw.parameters],
        "outcomes": [o.name for o in sw.outcomes] if sw.model != "ishigami" else ["y"],
        "series": [s.name for s in sw.series] if sw.model != "ishigami" else ["y"],
        "labels": plan.labels,
        "master_seed": sw.seed,
        "seeds": sw.seeds,
        "seed_rule": (
            "derive_seed(master, replicate)"
            if sw.seeds == "common"
            else "derive_seed(master, point, replicate)"
        ),
        "points": int(design.n_points),
        "replicates": sw.replicates,
        "runs": int(design.n_points * sw.replicates),
        "versions": versions(),
        "git_commit": git_commit(),
        "command": command,
        "backend": backend,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "complete": False,
    }


def _context(plan: SweepPlan, digest: str) -> Context:
    from sim.sweep.execute import Context

    sw = plan.sweep
    return Context(
        key=digest,
        model=sw.model,
        base=plan.base,
        paths=tuple(p.path for p in sw.parameters),
        scalars=tuple(o.model_dump() for o in sw.outcomes),
        series=tuple(s.model_dump() for s in sw.series),
        n_steps=len(plan.labels),
    )


def _batches(
    todo: np.ndarray, design_values: list[np.ndarray], runs_df: pd.DataFrame, size: int
) -> Iterator[Batch]:
    from sim.sweep.execute import Batch
    from sim.sweep.loader import _py

    point = runs_df["point"].to_numpy()
    seeds = runs_df["seed"].to_numpy()
    for k in range(0, len(todo), size):
        ids = todo[k : k + size]
        vals = [tuple(_py(v[point[r]]) for v in design_values) for r in ids]
        yield Batch(ids, seeds[ids], vals)


def run_sweep(
    sweep_file: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    command: str = "",
    log: Callable[[str], None] | None = None,
    connect_timeout: float = 10.0,
) -> Path:
    """Run (or finish) a sweep; returns the store folder.

    Args:
        sweep_file: the sweep YAML file.
        workers: worker processes (default: all cores; 1 runs in this process).
        scheduler: None for local processes, ``local-dask`` for a LocalCluster, or a dask
            scheduler address ``tcp://HOST:PORT``.
        out: store folder (default ``results/sweeps/<name>``).
        resume: finish an existing store (skip the runs already stored).
        force: replace an existing store.
        progress: show a tqdm progress bar (rate, ETA) on stderr.
        command: the command line, recorded in the manifest.
        log: called with one-line messages (default: print to stderr).
        connect_timeout: seconds to keep trying to reach a dask scheduler.

    Raises:
        ScenarioError: for an invalid sweep file (nothing is written).
        UserError: store exists without ``resume``/``force``, a changed sweep on resume, an
            unreachable scheduler, or a run that fails (runs committed so far are kept).
    """
    from sim.sweep.design import build, points_table, run_table
    from sim.sweep.execute import batch_size, open_backend

    say = log or (lambda m: print(m, file=sys.stderr))
    if resume and force:
        raise UserError("--resume and --force contradict each other; choose one")
    plan = load_sweep(sweep_file, check_points=False)
    target = Path(out) if out is not None else default_store(plan)
    digest = plan.digest()
    exists = target.exists()
    if exists and not (resume or force):
        raise UserError(
            f"{target}: a sweep store already exists; use --resume to finish it or "
            "--force to start over"
        )
    if exists and force and not _is_store(target):
        raise UserError(
            f"{target}: exists and is not a sweep store; refusing to replace it "
            "(choose another --out)"
        )
    if exists and resume:
        man = st.read_manifest(target)
        if man.get("digest") != digest:
            raise UserError(
                f"{target}: the store was made from a different sweep or base scenario "
                f"(sweep file {man.get('sweep_file')}); use --force to start over or "
                "--out for a new store"
            )
    backend = open_backend(workers, scheduler, connect_timeout)  # before anything is written
    with backend:
        check_design_points(plan, backend=backend)  # on the workers; nothing written yet
        design = build(plan.sweep)
        runs_df = run_table(plan.sweep, design)
        if not (exists and resume):
            st.create(
                target,
                _manifest(plan, design, backend.describe(), command),
                runs_df,
                points_table(design),
                force=force,
            )
        else:
            st.clean(target)
        man = st.read_manifest(target)
        total = len(runs_df)
        done = st.committed_runs(target)
        todo = np.setdiff1d(np.arange(total, dtype=np.int64), done)
        names_s, names_t = man["outcomes"], man["series"]
        size = plan.sweep.batch or batch_size(len(todo), backend.workers)
        t0 = time.perf_counter()
        if len(todo):
            say(
                f"{plan.name}: {len(todo)} of {total} runs to do on {backend.describe()}, "
                f"{size} per task -> {target}"
            )
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(
                total=total,
                initial=len(done),
                unit="run",
                desc=plan.name,
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.1,
            )
        try:
            values = [design.values[c] for c in design.columns]
            for res in backend.map(_context(plan, digest), _batches(todo, values, runs_df, size)):
                if res.error:
                    raise UserError(
                        f"{plan.file}: {res.error}. Runs stored so far are kept in {target}."
                    )
                st.commit(target, res, runs_df, names_s, names_t, plan.labels)
                if bar is not None:
                    bar.update(len(res.runs))
        except KeyboardInterrupt:
            if bar is not None:
                bar.close()
            n = len(st.committed_runs(target))
            say(f"interrupted: {n} of {total} runs stored in {target}; finish with --resume")
            raise
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - t0
    n = len(st.committed_runs(target))
    if n != total:  # pragma: no cover - a bug if it happens
        raise RuntimeError(f"{target}: {n} of {total} runs stored after the sweep")
    man.update(
        complete=True,
        finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        last_session={
            "runs": len(todo),
            "seconds": round(elapsed, 3),
            "backend": backend.describe(),
            "batch": int(size),
        },
    )
    st.write_manifest(target, man)
    return target
