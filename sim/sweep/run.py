"""Running a sweep end to end: validate, create (or resume) the store, run batches, commit them.

The notebook entry point is :func:`run_sweep`; ``run_sim.py sweep`` is a thin face over it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim import output
from sim.errors import UserError
from sim.sweep import store as st
from sim.sweep.loader import SweepPlan, check_design_points, load_sweep

if TYPE_CHECKING:
    import pandas as pd

    from sim.sweep.design import DesignPoints
    from sim.sweep.execute import Backend, Batch, BatchResult, Context

DEFAULT_ROOT = Path("results") / "sweeps"


def default_store(plan: SweepPlan, root: Path = DEFAULT_ROOT) -> Path:
    """``results/sweeps/<name>``.

    Raises:
        UserError: if the name cannot name a folder on its own (``..``, a hidden name, ...).
    """
    field = "the sweep name" if plan.sweep.name else "the sweep name (the file's stem)"
    output.safe_component(plan.name, field, "set `name:` in the sweep file or pass --out")
    return root / plan.name


def _is_store(path: Path) -> bool:
    """Whether ``path`` is a sweep store (or an empty folder) that ``--force`` may replace."""
    return output.replaceable(path, output.SWEEP) is None


def _manifest(plan: SweepPlan, design: DesignPoints, backend: str, command: str) -> dict[str, Any]:
    from sim.bundle import git_commit, versions

    sw = plan.sweep
    return {
        "kind": output.SWEEP,
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


class Flags(NamedTuple):
    """How messages name the engine's options: as command-line flags or as Python keywords."""

    resume: str
    force: str
    out: str


CLI_FLAGS = Flags("--resume", "--force", "--out")
PYTHON_FLAGS = Flags("resume=True", "force=True", "out=")


@dataclass(frozen=True)
class Engine:
    """How a sweep or a tournament runs: the commands' engine options (``--workers``,
    ``--scheduler``, ``--resume``, ``--force``, ``--quiet``; the command line, where messages go
    and how long to wait for a scheduler)."""

    workers: int | None
    scheduler: str | None
    resume: bool
    force: bool
    progress: bool
    command: str
    say: Callable[[str], None]
    connect_timeout: float
    flags: Flags = CLI_FLAGS

    def __post_init__(self) -> None:
        if self.resume and self.force:
            f = self.flags
            raise UserError(f"{f.resume} and {f.force} contradict each other; choose one")

    def pending(
        self, target: Path, total: int, batch: int | None, backend: Backend, name: str
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """The runs of ``target`` already stored and still to do (of ``total``) and the runs
        per task (``batch``, or chosen for the backend's workers); says what is left."""
        from sim.sweep.execute import batch_size

        done = st.committed_runs(target)
        todo = np.setdiff1d(np.arange(total, dtype=np.int64), done)
        size = batch or batch_size(len(todo), backend.workers)
        if len(todo):
            self.say(
                f"{name}: {len(todo)} of {total} runs to do on {backend.describe()}, "
                f"{size} per task -> {target}"
            )
        return done, todo, size


def check_target(
    target: Path,
    kind: str,
    what: str,
    digest: str,
    resume: bool,
    force: bool,
    flags: Flags = CLI_FLAGS,
) -> bool:
    """The rules for an existing store of ``kind`` (a sweep store, a tournament folder) before
    anything runs: without ``resume`` or ``force`` it is refused; ``force`` replaces only a
    folder of the same kind the tool wrote; ``resume`` needs the same ``digest`` (the same
    file, base scenario and code). Returns whether ``target`` exists.

    Raises:
        UserError: saying which rule refused it and what to do.
    """
    exists = os.path.lexists(target)
    f = flags
    if exists and not (resume or force):
        why = output.replaceable(target, kind)
        if why and why.startswith(("is a file", "is a symbolic", "is not a", "holds files")):
            raise UserError(f"{target}: {why}; choose another {f.out}")
        raise UserError(
            f"{target}: a {what} already exists; use {f.resume} to finish it or {f.force} to "
            "start over"
        )
    if exists and force:
        why = output.replaceable(target, kind)
        if why:
            raise UserError(
                f"{target}: {why}; refusing to replace it ({f.force} replaces only a {what} "
                f"multivector wrote; choose another {f.out})"
            )
    if exists and resume:
        man = st.read_manifest(target)
        if man.get("kind", kind) != kind or man.get("digest") != digest:
            made = man.get("sweep_file") or man.get("tournament_file")
            raise UserError(
                f"{target}: the {what} was made from a different file, base scenario or "
                f"strategy code ({made}); use {f.force} to start over or {f.out} for a new one"
            )
    return exists


def stream(
    backend: Backend,
    ctx: Context,
    batches: Iterator[Batch],
    target: Path,
    runs_df: pd.DataFrame,
    names_s: list[str],
    names_t: list[str],
    labels: list[str],
    *,
    done: int,
    name: str,
    file: str,
    progress: bool,
    say: Callable[[str], None],
    fn: Callable[[Context, Batch], BatchResult] | None = None,
    what: str = "the sweep store",
) -> None:
    """Run ``batches`` on ``backend`` (``fn``, default the sweep's run_batch) and commit each
    result to the store at ``target`` as it completes, with a progress bar (``done`` of
    ``len(runs_df)`` runs already stored). A failed run, an OS error while writing and Ctrl-C
    stop it with the runs stored so far kept (finish with --resume)."""
    total = len(runs_df)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=total,
            initial=done,
            unit="run",
            desc=name,
            file=sys.stderr,
            dynamic_ncols=True,
            smoothing=0.1,
        )
    kept = "runs stored so far are kept: fix it and finish with --resume"
    try:
        results = backend.map(ctx, batches) if fn is None else backend.map(ctx, batches, fn=fn)
        for res in results:
            if res.error:
                raise UserError(f"{file}: {res.error}. Runs stored so far are kept in {target}.")
            with output.write_errors(f"write to {what}", target, kept):
                st.commit(target, res, runs_df, names_s, names_t, labels)
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
            unreachable scheduler, or a run that fails (runs committed so far are kept);
            another process writing the same store (it is locked while a sweep runs); a
            sweep that would not fit in memory or on the disk; an output location that cannot
            be written (checked before anything runs).
        OutputError: an OS error while writing (full disk...); runs committed so far are kept.
    """
    say = log or (lambda m: print(m, file=sys.stderr))
    eng = Engine(workers, scheduler, resume, force, progress, command, say, connect_timeout)
    return run_plan(load_sweep(sweep_file, check_points=False), eng, out)


def run_plan(plan: SweepPlan, eng: Engine, out: str | Path | None = None) -> Path:
    """Run (or finish) a checked sweep (:func:`run_sweep` for a sweep file, :func:`sim.sweep`
    for one given in Python) into the store ``out`` (default ``results/sweeps/<name>``);
    returns the store folder. Raises as :func:`run_sweep`."""
    target = Path(out) if out is not None else default_store(plan)
    # the store is ours while this runs: a second sweep or resume of it is refused
    with output.claimed(target, output.SWEEP, existing=True):
        return _run_locked(plan, target, eng)


def _run_locked(plan: SweepPlan, target: Path, eng: Engine) -> Path:
    """:func:`run_sweep` once the store's lock is held."""
    from sim import resources
    from sim.sweep.design import build, n_points, points_table, run_table
    from sim.sweep.execute import batch_size, default_workers, open_backend

    digest = plan.digest()
    exists = check_target(
        target, output.SWEEP, "sweep store", digest, eng.resume, eng.force, eng.flags
    )
    sw = plan.sweep
    runs = n_points(sw) * sw.replicates
    stored = len(st.committed_runs(target)) if exists and eng.resume else 0
    scalars = 1 if sw.model == "ishigami" else len(sw.outcomes)
    series = 1 if sw.model == "ishigami" else len(sw.series)
    # runs per stored part, as the backend will choose it (a remote cluster: assume a big one)
    guess = eng.workers or (default_workers() if eng.scheduler in (None, "local-dask") else 256)
    batch = sw.batch or batch_size(runs - stored, guess)
    resources.check(
        resources.sweep_need(
            runs, len(sw.parameters), scalars, series, len(plan.labels), runs - stored, batch
        ),
        target,
    )
    backend = open_backend(
        eng.workers, eng.scheduler, eng.connect_timeout
    )  # before anything is written
    with backend:
        check_design_points(plan, backend=backend)  # on the eng.workers; nothing written yet
        design = build(plan.sweep)
        runs_df = run_table(plan.sweep, design)
        if not (exists and eng.resume):
            st.create(
                target,
                _manifest(plan, design, backend.describe(), eng.command),
                runs_df,
                points_table(design),
                force=eng.force,
            )
        else:
            with output.write_errors("clean up the sweep store", target, ""):
                st.clean(target)
        man = st.read_manifest(target)
        total = len(runs_df)
        done, todo, size = eng.pending(target, total, plan.sweep.batch, backend, plan.name)
        names_s, names_t = man["outcomes"], man["series"]
        t0 = time.perf_counter()
        values = [design.values[c] for c in design.columns]
        stream(
            backend,
            _context(plan, digest),
            _batches(todo, values, runs_df, size),
            target,
            runs_df,
            names_s,
            names_t,
            plan.labels,
            done=len(done),
            name=plan.name,
            file=plan.file,
            progress=eng.progress,
            say=eng.say,
        )
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
    kept = "runs stored so far are kept: fix it and finish with --eng.resume"
    with output.write_errors("write the sweep store's manifest", target, kept):
        st.write_manifest(target, man)
    return target
