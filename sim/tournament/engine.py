"""Running a tournament on the sweep engine: every contestant faces the same futures and the
same random numbers; outcomes stream to a store that survives a crash and resumes.

Runs are ordered contestant x slot x future x replicate (a slot is the focal state that plays in
``mode: each``, or all of them in ``mode: together``). A run's seed is
``derive_seed(master, future, replicate)``: it does not depend on the contestant (common random
numbers), on the number of workers or on the backend, so two contestants differ only by what
their strategy does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import UserError
from sim.seeds import derive_seed
from sim.sweep import store as st
from sim.sweep.execute import Batch, BatchResult, Context
from sim.sweep.run import Engine
from sim.tournament.scores import SCORE_NAMES
from sim.tournament.spec import TournamentPlan, load_tournament, n_futures

if TYPE_CHECKING:
    import pandas as pd

    from sim.sweep.design import DesignPoints

KIND = "multivector-tournament"  # = sim.output.TOURNAMENT
DEFAULT_ROOT = Path("results") / "tournaments"


FUTURE = "future"
"""The design column of overlay futures (the overlay file's stem)."""


@dataclass(frozen=True)
class TournamentContext(Context):
    """What every run shares: the sweep's context plus each slot's focal rows, and for overlay
    futures each future's scenario by name."""

    slots: tuple[tuple[int, ...], ...] = ()
    bases: tuple[tuple[str, dict[str, Any]], ...] = ()


def futures_design(plan: TournamentPlan) -> DesignPoints:
    """The futures, sampled by the sweep machinery (LHS or a grid of the uncertainties), or the
    overlay files, one future each (one column, ``future``: the file's stem)."""
    from sim.sweep.design import DesignPoints, build
    from sim.sweep.spec import Design, Sweep

    f = plan.spec.futures
    if f.overlays:
        k = len(plan.names)
        return DesignPoints(
            "overlays", [FUTURE], np.zeros((k, 1)), {FUTURE: np.array(plan.names, dtype=object)}
        )
    design = (
        Design(method="lhs", n=f.n)
        if f.method == "lhs"
        else Design(method="grid", levels=f.levels or 3)
    )
    sweep = Sweep(
        name="futures",
        scenario=str(plan.scenario_path),
        parameters=f.uncertainties,
        design=design,
        seed=plan.spec.seed,
        outcomes=[{"name": "unused", "metric": "arms_hhi", "state": plan.ids[0]}],
    )
    return build(sweep)


def slots(plan: TournamentPlan) -> list[tuple[str, ...]]:
    """The focal states of each slot: all at once (together) or one each."""
    sp = plan.spec
    return [tuple(sp.focal)] if sp.mode == "together" else [(s,) for s in sp.focal]


def run_table(plan: TournamentPlan, design: DesignPoints) -> pd.DataFrame:
    """One row per run: run, contestant, slot, point (the future), replicate, seed, and the
    future's uncertainty values."""
    import pandas as pd

    sp = plan.spec
    C, S, F, R = len(sp.contestants), len(slots(plan)), design.n_points, sp.replicates
    c, s, f, r = (
        a.ravel()
        for a in np.meshgrid(np.arange(C), np.arange(S), np.arange(F), np.arange(R), indexing="ij")
    )
    per_future = np.array(
        [[derive_seed(sp.seed, k, q) for q in range(R)] for k in range(F)], dtype=np.int64
    )
    df = pd.DataFrame(
        {
            "run": np.arange(len(c), dtype=np.int64),
            "contestant": [sp.contestants[k].name for k in c],
            "slot": [",".join(slots(plan)[k]) for k in s],
            "point": f.astype(np.int64),
            "replicate": r.astype(np.int64),
            "seed": per_future[f, r],
        }
    )
    for col in design.columns:
        v = design.values[col]
        df[col] = v[f] if v.dtype != object else list(v[f])
    df.attrs["codes"] = (c, s, f, r)
    return df


def context(plan: TournamentPlan) -> TournamentContext:
    """The shared context of every run (sent once per task to workers)."""
    ix = {sid: i for i, sid in enumerate(plan.ids)}
    f_paths = tuple(p.path for p in plan.spec.futures.uncertainties) or (FUTURE,)
    sl = slots(plan)
    return TournamentContext(
        key=plan.digest(),
        model="multivector",
        base=plan.base,
        paths=f_paths,
        n_steps=len(plan.labels),
        slots=tuple(tuple(ix[s] for s in group) for group in sl),
        bases=tuple(zip(plan.names, plan.bases, strict=True)),
    )


def batches(
    plan: TournamentPlan, design: DesignPoints, runs: pd.DataFrame, todo: np.ndarray, size: int
) -> Iterator[Batch]:
    """Tasks of ``size`` runs: values are (future values..., slot, strategy, params)."""
    from sim.sweep.loader import _py

    c, s, f, _ = runs.attrs["codes"]
    seeds = runs["seed"].to_numpy()
    cols = [design.values[k] for k in design.columns]
    sp = plan.spec
    for k in range(0, len(todo), size):
        ids = todo[k : k + size]
        vals = [
            tuple(_py(v[f[i]]) for v in cols)
            + (int(s[i]), plan.specs[c[i]], dict(sp.contestants[c[i]].params))
            for i in ids
        ]
        yield Batch(ids, seeds[ids], vals)


def run_task(ctx: Context, batch: Batch) -> BatchResult:
    """Run every run of a task and score it; never raises (returns ``error`` instead)."""
    from sim.runner import run_model
    from sim.sweep.execute import scenario_with
    from sim.tournament.scores import compute

    assert isinstance(ctx, TournamentContext) and ctx.base is not None
    t0 = time.perf_counter()
    n = len(batch.runs)
    scal = np.empty((n, len(SCORE_NAMES)))
    last: tuple[Any, ...] | None = None
    ids = tuple(ctx.base["states"])
    for r in range(n):
        try:
            vals = batch.values[r]
            k = len(ctx.paths)
            slot, spec, params = vals[k], vals[k + 1], vals[k + 2]
            key = (vals[:k], slot, spec, repr(params))
            if key != last:
                base = ctx.base
                if ctx.bases:  # an overlay future: its own scenario, nothing to override
                    base = dict(ctx.bases)[vals[0]]
                    ov: dict[str, Any] = {}
                else:
                    ov = dict(zip(ctx.paths, vals[:k]))
                for row in ctx.slots[slot]:
                    ov[f"states.{ids[row]}.strategy"] = spec
                    ov[f"states.{ids[row]}.strategy_params"] = params
                scen = scenario_with(base, ov)
                last = key
            model = run_model(scen, int(batch.seeds[r]))
            scal[r] = compute(model, list(ctx.slots[slot]))
        except Exception as e:  # noqa: BLE001 - reported to the user by the driver
            lines = e.lines() if isinstance(e, UserError) else [f"{type(e).__name__}: {e}"]
            return BatchResult(
                batch.runs,
                scal[:0],
                np.empty((0, 0, 0)),
                f"run {int(batch.runs[r])}: " + "; ".join(lines),
            )
    return BatchResult(
        batch.runs, scal, np.empty((n, 0, ctx.n_steps)), None, time.perf_counter() - t0
    )


def _manifest(
    plan: TournamentPlan, runs: pd.DataFrame, backend: str, command: str
) -> dict[str, Any]:
    from sim.bundle import git_commit, versions

    sp = plan.spec
    return {
        "kind": KIND,
        "format": 1,
        "name": plan.name,
        "tournament_file": plan.file,
        "tournament_text": plan.text,
        "tournament": sp.model_dump(mode="json"),
        "digest": plan.digest(),
        "scenario_file": str(plan.scenario_path),
        "contestants": [
            {"name": c.name, "strategy": s, "params": c.params}
            for c, s in zip(sp.contestants, plan.specs)
        ],
        "strategy_files_sha256": plan.code(),
        "focal": list(sp.focal),
        "mode": sp.mode,
        "futures": int(n_futures(sp)),
        "replicates": sp.replicates,
        "runs": len(runs),
        "master_seed": sp.seed,
        "seed_rule": "derive_seed(master, future, replicate): common random numbers",
        "outcomes": list(SCORE_NAMES),
        "series": [],
        "versions": versions(),
        "git_commit": git_commit(),
        "command": command,
        "backend": backend,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "complete": False,
    }


def run_tournament(
    tournament: str | Path | TournamentPlan,
    *,
    seed: int | None = None,
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
    """Run (or finish) a tournament and write its leaderboard, figures and report; returns the
    output folder. ``seed`` overrides the file's master seed; the other options are the sweep
    command's (:func:`sim.sweep.run.run_sweep`).

    Raises:
        ScenarioError: for an invalid tournament file (nothing is run or written).
        UserError: an existing folder without ``resume``/``force``, a changed tournament on
            resume, an unreachable scheduler, or a run that fails (runs stored so far are kept).
    """
    from sim import output

    say = log or (lambda m: print(m, file=sys.stderr))
    eng = Engine(workers, scheduler, resume, force, progress, command, say, connect_timeout)
    plan = tournament if isinstance(tournament, TournamentPlan) else load_tournament(tournament)
    if seed is not None and seed != plan.spec.seed:
        plan.spec = plan.spec.model_copy(update={"seed": int(seed)})
    if out is None:
        output.safe_component(plan.name, "name", "set `name:` in the tournament file or pass --out")
    target = Path(out) if out is not None else DEFAULT_ROOT / plan.name
    # the folder is ours while this runs: a second tournament or resume of it is refused
    with output.claimed(target, output.TOURNAMENT, existing=True):
        return _run_locked(plan, target, eng)


def _run_locked(plan: TournamentPlan, target: Path, eng: Engine) -> Path:
    """:func:`run_tournament` once the folder's lock is held."""
    from sim import output
    from sim.sweep.execute import open_backend
    from sim.sweep.run import check_target
    from sim.tournament.board import write_outputs

    exists = check_target(
        target,
        output.TOURNAMENT,
        "tournament folder",
        plan.digest(),
        eng.resume,
        eng.force,
        eng.flags,
    )
    design = futures_design(plan)
    runs = run_table(plan, design)
    backend = open_backend(eng.workers, eng.scheduler, eng.connect_timeout)
    with backend:
        if not (exists and eng.resume):
            from sim.sweep.design import points_table

            table = runs.copy()
            table.attrs = {}  # the codes stay in memory; the table is plain columns
            st.create(
                target,
                _manifest(plan, runs, backend.describe(), eng.command),
                table,
                points_table(design),
                force=eng.force,
            )
        else:
            st.clean(target)
        total = len(runs)
        done, todo, size = eng.pending(target, total, plan.spec.batch, backend, plan.name)
        from sim.sweep.run import stream

        stream(
            backend,
            context(plan),
            batches(plan, design, runs, todo, size),
            target,
            runs,
            list(SCORE_NAMES),
            [],
            plan.labels,
            done=len(done),
            name=plan.name,
            file=plan.file,
            progress=eng.progress,
            say=eng.say,
            fn=run_task,
            what="the tournament folder",
        )
    if len(st.committed_runs(target)) != total:  # pragma: no cover - a bug if it happens
        raise RuntimeError(f"{target}: not every run was stored")
    if plan.spec.evolution is not None:
        from sim.tournament.evolution import evolve

        eng.say(f"{plan.name}: ecological tournament in {design.n_points} futures")
        table = evolve(plan, design, plan.spec.evolution.every)
        tmp = target / ".evolution.parquet.tmp"
        table.to_parquet(tmp, index=False)
        tmp.replace(target / "evolution.parquet")
    man = st.read_manifest(target)
    write_outputs(target, plan, man)
    man.update(complete=True, finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    st.write_manifest(target, man)
    return target
