"""Running batches of runs: the worker function and the backends that call it.

A task is a :class:`Batch` of runs (run ids, seeds, parameter values); the worker builds each
run's scenario from the base and the run's overrides, runs the model (no mesa DataCollector)
and returns the outcomes as arrays. Backends:

* in-process (one worker), a ``ProcessPoolExecutor`` (local processes: forked from the warmed
  driver where the platform allows, spawned elsewhere), or a ``dask.distributed`` client (an
  existing scheduler, or a LocalCluster);
* all yield :class:`BatchResult` objects as tasks complete, keeping a bounded number of tasks in
  flight so memory does not grow with the sweep's size.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from sim.errors import UserError

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario
    from sim.sweep.outcomes import Compiled


@dataclass(frozen=True)
class Context:
    """What every run of a sweep shares (sent to each worker once per task, cached there).

    Attributes:
        key: identifies the sweep (cache key on workers).
        model: "multivector" or "ishigami".
        base: the base scenario as plain data (None for synthetic models).
        paths: dotted path of each parameter.
        scalars, series: outcome declarations as plain dicts.
        n_steps: periods of the run.
    """

    key: str
    model: str
    base: dict[str, Any] | None
    paths: tuple[str, ...]
    scalars: tuple[dict[str, Any], ...] = ()
    series: tuple[dict[str, Any], ...] = ()
    n_steps: int = 0


@dataclass
class Batch:
    """Runs of one task: ids, seeds and one tuple of parameter values per run."""

    runs: np.ndarray
    seeds: np.ndarray
    values: list[tuple[Any, ...]]


@dataclass
class BatchResult:
    """Outcomes of one task: ``scalars`` (n, k), ``series`` (n, m, T); ``error`` if a run failed."""

    runs: np.ndarray
    scalars: np.ndarray
    series: np.ndarray
    error: str | None = None
    seconds: float = 0.0


Prepared: TypeAlias = "tuple[Scenario | None, list[Compiled], list[Compiled]]"
"""The validated base scenario (None for synthetic models) and the compiled outcomes."""

_CACHE: dict[str, Prepared] = {}


def _prepared(ctx: Context) -> Prepared:
    """Per-process cache of the validated base scenario and the compiled outcomes."""
    hit = _CACHE.get(ctx.key)
    if hit is None:
        if ctx.model == "ishigami":
            hit = (None, [], [])
        else:
            from sim.scenario.loader import load_scenario
            from sim.sweep.outcomes import compile_outcome
            from sim.sweep.spec import ScalarOutcome, SeriesOutcome

            assert ctx.base is not None  # a multivector sweep has a base scenario
            sc = load_scenario(ctx.base)
            ids, labels = sc.state_ids, sc.time.axis.labels()
            hit = (
                sc,
                [compile_outcome(ScalarOutcome(**o), ids, labels) for o in ctx.scalars],
                [compile_outcome(SeriesOutcome(**o), ids, labels) for o in ctx.series],
            )
        _CACHE.clear()
        _CACHE[ctx.key] = hit
    return hit


def scenario_with(base: dict[str, Any], overrides: dict[str, Any]) -> Scenario:
    """The base scenario (plain data) with ``overrides``, validated by the schema and cross-checks.

    The sweep's values were already checked at the door by ``load_scenario`` (each parameter's
    extremes and every design point up to the check limit); this per-run path skips the loader's
    YAML-only walk (booleans written for numbers), which costs more than a short run.

    Raises:
        ScenarioError: if the resulting scenario is invalid.
    """
    from pydantic import ValidationError

    from sim.errors import ScenarioError
    from sim.scenario.checks import check_scenario
    from sim.scenario.errors import problems_from_validation
    from sim.scenario.paths import apply_overrides
    from sim.scenario.schema import Scenario

    file = "<sweep run>"
    try:
        sc = Scenario.model_validate(apply_overrides(base, overrides))
    except ValidationError as e:
        raise ScenarioError(file, problems_from_validation(e, Scenario, file, None)) from None
    problems = check_scenario(sc, file, None)
    if problems:
        raise ScenarioError(file, problems)
    return sc


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1  # the standard Ishigami constants (Ishigami & Homma 1990)


def ishigami(x: np.ndarray) -> float:
    """The Ishigami function of x = (x1, x2, x3) on [-pi, pi]^3 (known Sobol indices)."""
    return float(
        np.sin(x[0]) + ISHIGAMI_A * np.sin(x[1]) ** 2 + ISHIGAMI_B * x[2] ** 4 * np.sin(x[0])
    )


def run_batch(ctx: Context, batch: Batch) -> BatchResult:
    """Run every run of ``batch``; never raises for a bad run (returns ``error`` instead)."""
    import time

    t0 = time.perf_counter()
    n = len(batch.runs)
    _, cs, cser = _prepared(ctx)
    k = 1 if ctx.model == "ishigami" else len(cs)
    m = 1 if ctx.model == "ishigami" else len(cser)
    scal = np.empty((n, k))
    ser = np.empty((n, m, ctx.n_steps))
    # replicates of a point are neighbours: validate the point once
    last: tuple[Any, ...] | None = None
    for r in range(n):
        try:
            if ctx.model == "ishigami":
                vals = dict(zip(ctx.paths, batch.values[r]))
                y = ishigami(np.array([vals["x1"], vals["x2"], vals["x3"]], dtype=float))
                scal[r, 0] = y
                ser[r, 0] = y * np.arange(ctx.n_steps) / max(ctx.n_steps - 1, 1)
                continue
            from sim.runner import run_model
            from sim.sweep.outcomes import extract

            if batch.values[r] != last:
                assert ctx.base is not None  # a multivector sweep has a base scenario
                scen = scenario_with(ctx.base, dict(zip(ctx.paths, batch.values[r])))
                last = batch.values[r]
            model = run_model(scen, int(batch.seeds[r]))
            pairs, states = model.recorder.arrays()
            scal[r], ser[r] = extract(cs, cser, pairs, states)
        except Exception as e:  # noqa: BLE001 - reported to the user by the driver
            lines = e.lines() if isinstance(e, UserError) else [f"{type(e).__name__}: {e}"]
            return BatchResult(
                batch.runs, scal[:0], ser[:0], f"run {int(batch.runs[r])}: " + "; ".join(lines)
            )
    return BatchResult(batch.runs, scal, ser, None, time.perf_counter() - t0)


def check_batch(ctx: Context, batch: Batch) -> list[tuple[int, str]]:
    """Validate the scenario of each design point of ``batch`` (``runs`` holds point indices);
    returns ``(point, problem)`` for each point whose scenario is invalid."""
    from sim.errors import ScenarioError

    assert ctx.base is not None  # a multivector sweep has a base scenario
    out = []
    for k, values in zip(batch.runs, batch.values):
        try:
            scenario_with(ctx.base, dict(zip(ctx.paths, values)))
        except ScenarioError as e:
            out.append((int(k), e.first()))
    return out


def warm(run_model: bool = False) -> None:
    """Import what runs need (mesa, the rules' modules); with ``run_model``, also load the
    compiled kernels by running a tiny generated world for two steps."""
    import sim.runner
    import sim.sweep.outcomes  # noqa: F401

    if run_model:
        from sim.model import MultivectorModel
        from sim.scenario.generate import generate_scenario

        m = MultivectorModel(
            generate_scenario(4, seed=0, years=1), seed=0, mesa_datacollector=False
        )
        m.step()
        m.step()


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the driver's to handle (it reports, keeps the store and
    stops the workers); a worker that took it too would print its own traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def forked_worker() -> None:
    """Initializer of workers forked from the driver: :func:`ignore_interrupts`, and what the
    worker inherited frozen out of its garbage collector (:func:`gc.freeze`). A full
    collection in the worker would otherwise write to every inherited object and so copy the
    driver's memory pages into the worker one by one (copy-on-write): a long sweep's memory
    would grow with its runs."""
    import gc

    ignore_interrupts()
    gc.freeze()


def batch_size(n_runs: int, workers: int, requested: int | None = None) -> int:
    """Runs per task: about 8 tasks per worker, between 1 and 64 runs (or as requested)."""
    if requested:
        return int(requested)
    return max(1, min(64, math.ceil(n_runs / (max(workers, 1) * 8))))


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass
class Backend:
    """Where tasks run. Use as a context manager; :meth:`map` yields results as they complete.

    Attributes:
        kind: "inline", "processes" or "dask".
        workers: worker processes (for dask: the cluster's total threads).
        address: dask scheduler address, "local-dask", or None.
    """

    kind: str
    workers: int
    address: str | None = None
    _pool: Any = field(default=None, repr=False)
    _client: Any = field(default=None, repr=False)
    _cluster: Any = field(default=None, repr=False)

    def describe(self) -> str:
        """One line for logs and the manifest."""
        if self.kind == "dask":
            return f"dask ({self.address}, {self.workers} worker threads)"
        return f"{self.kind} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    def close(self, stop: bool = False) -> None:
        """Shut down pools and clusters this backend started; with ``stop`` (Ctrl-C), end the
        local worker processes at once instead of letting their tasks finish."""
        if self._pool is not None:
            if stop:
                for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                    proc.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(stop=kind is not None and issubclass(kind, KeyboardInterrupt))

    def map(
        self,
        ctx: Context,
        batches: Iterable[Batch],
        window: int | None = None,
        fn: Callable[[Context, Batch], Any] = run_batch,
    ) -> Iterator[Any]:
        """``fn(ctx, batch)`` for every batch (default :func:`run_batch`), yielding results in
        completion order (``window`` tasks in flight)."""
        # two tasks per worker keep local processes busy; dask's scheduler round trip needs a
        # deeper queue to hide it
        window = window or max(2, (4 if self.kind == "dask" else 2) * self.workers)
        if self.kind == "inline":
            for b in batches:
                yield fn(ctx, b)
        elif self.kind == "processes":
            yield from self._map_pool(ctx, iter(batches), window, fn)
        else:
            yield from self._map_dask(ctx, iter(batches), window, fn)

    def _map_pool(
        self, ctx: Context, it: Iterator[Batch], window: int, fn: Callable[[Context, Batch], Any]
    ) -> Iterator[Any]:
        from concurrent.futures import FIRST_COMPLETED, Future, wait
        from concurrent.futures.process import BrokenProcessPool

        pending: set[Future[Any]] = set()
        for b in it:
            pending.add(self._pool.submit(fn, ctx, b))
            if len(pending) >= window:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                try:
                    res = f.result()
                except BrokenProcessPool:
                    raise UserError(
                        "a worker process died (killed, out of memory, or a script without an "
                        "`if __name__ == '__main__':` guard: workers are spawned); runs stored "
                        "so far are kept: finish with --resume"
                    ) from None
                yield res
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(self._pool.submit(fn, ctx, nxt))

    def _map_dask(
        self, ctx: Context, it: Iterator[Batch], window: int, fn: Callable[[Context, Batch], Any]
    ) -> Iterator[Any]:
        from distributed import as_completed

        client = self._client
        [ctx_f] = client.scatter([ctx], broadcast=True)
        # range first: zip must not pull (and drop) a batch once the window is full
        first = [client.submit(fn, ctx_f, b, pure=False) for _, b in zip(range(window), it)]
        ac = as_completed(first)
        for f in ac:
            res = f.result()
            f.release()
            yield res
            nxt = next(it, None)
            if nxt is not None:
                ac.add(client.submit(fn, ctx_f, nxt, pure=False))


def open_backend(
    workers: int | None = None, scheduler: str | None = None, timeout_s: float = 10.0
) -> Backend:
    """Connect to (or start) the backend; raises :class:`UserError` if a scheduler is unreachable.

    Args:
        workers: local worker processes (default: all cores); with ``local-dask``, the
            LocalCluster's workers.
        scheduler: None (local processes), ``local-dask`` or a dask scheduler address
            (``tcp://HOST:PORT``).
        timeout_s: how long to try to reach a scheduler, seconds.
    """
    n = workers or default_workers()
    if scheduler is None:
        if n == 1:
            return Backend("inline", 1)
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        if "fork" in mp.get_all_start_methods():
            # fork from a warmed driver: workers start in milliseconds with mesa, numpy and the
            # compiled kernels already loaded, instead of re-importing everything (spawn)
            warm(run_model=True)
            pool = ProcessPoolExecutor(n, mp.get_context("fork"), initializer=forked_worker)
        else:  # pragma: no cover - macOS / Windows
            pool = ProcessPoolExecutor(n, mp.get_context("spawn"), initializer=ignore_interrupts)
            for _ in range(n):  # start the workers' imports now, while the driver validates
                pool.submit(warm)
        return Backend("processes", n, None, pool)
    import logging

    from distributed import Client, LocalCluster

    if scheduler == "local-dask":
        import multiprocessing as mp

        import dask

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        if method == "fork":  # as for local processes: workers start warm, in milliseconds
            warm(run_model=True)
        import signal
        import threading

        # the workers start with Ctrl-C ignored (they inherit it): the driver handles it
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            with dask.config.set({"distributed.worker.multiprocessing-method": method}):
                cluster = LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                )
        finally:
            if main:
                signal.signal(signal.SIGINT, old)
        client = Client(cluster)
        return Backend("dask", n, "local-dask", None, client, cluster)
    if "://" not in scheduler:
        raise UserError(f"--scheduler {scheduler!r}: expected tcp://HOST:PORT or local-dask")
    try:
        client = Client(scheduler, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError, ValueError) as e:
        raise UserError(
            f"--scheduler {scheduler}: cannot reach the dask scheduler "
            f"({type(e).__name__}: {e}); check the address and that "
            "`dask scheduler` is running there. Nothing was written."
        ) from None
    threads = sum(client.nthreads().values()) or 1
    return Backend("dask", threads, scheduler, None, client, None)
