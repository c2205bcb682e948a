"""A sweep defined in Python, as EMA Workbench users define experiments: ``sim.sweep(...)``.

The call builds the sweep file's data from its arguments, checks it exactly as a sweep file is
checked (:func:`sim.sweep.loader.plan_sweep`) and runs it on the same engine
(:func:`sim.sweep.run.run_plan`) into the same store; it returns the store loaded for analysis
(:class:`sim.sweep.analyze.SweepResults`). The same design, seed and scenario give the same
store as ``run_sim.py sweep`` of the equivalent sweep file. Example::

    import sim
    res = sim.sweep(
        "scenarios/baseline.yaml",
        design={"states.KAZ.diversification": (0.2, 0.9),   # a range
                "states.KAZ.strategy": ["multi_vector", "bandwagon"]},  # values
        outcomes={"kaz_rus": {"metric": "arms_share", "state": "KAZ", "partner": "RUS"}},
        method="lhs", n=32, replicates=2, seed=1, workers=2,
    )
    res.scalars                     # one row per run: parameters and outcomes
    sim.sweep.analyze.sobol(res)    # with method="sobol"

``design`` may also be a pandas DataFrame of points (one column per parameter path, one row per
point): the sweep then runs exactly those points (design method ``points``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import Problem, ScenarioError, UserError, excerpt

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario
    from sim.sweep.analyze import SweepResults

CALL = "sim.sweep()"
"""How messages name a sweep given in Python (where a sweep file's name would be)."""
BACKENDS = ("processes", "local-dask")
"""Named backends; a dask scheduler address (``tcp://HOST:PORT``) is also accepted."""
SOURCES = (
    "give (low, high) for a range, [a, b, ...] for values, {'type': ...} for a distribution, or "
    "a mapping of range / values / distribution / name / levels"
)


def _py(v: Any) -> Any:
    """A numpy scalar (or a tuple / list of them) as plain Python data."""
    if isinstance(v, (list, tuple)):
        return [_py(x) for x in v]
    return v.item() if hasattr(v, "item") else v


def _parameter(path: str, spec: Any) -> dict[str, Any]:
    """A sweep file's parameter entry from ``design[path] = spec``."""
    if isinstance(spec, tuple):
        return {"path": path, "range": _py(spec)}
    if isinstance(spec, list):
        return {"path": path, "values": _py(spec)}
    if isinstance(spec, Mapping):
        if "type" in spec:
            return {"path": path, "distribution": {k: _py(v) for k, v in spec.items()}}
        return {"path": path, **{k: _py(v) for k, v in spec.items()}}
    raise ScenarioError(
        CALL, [Problem(CALL, f"design[{path!r}]", f"{excerpt(spec)} is not a source: {SOURCES}")]
    )


def _points(df: pd.DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parameters (the range or values each column spans) and points of a DataFrame design."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    params: list[dict[str, Any]] = []
    for c in df.columns:
        col = df[c]
        if is_numeric_dtype(col) and not is_bool_dtype(col) and col.min() < col.max():
            params.append({"path": str(c), "range": [_py(col.min()), _py(col.max())]})
        else:
            params.append({"path": str(c), "values": [_py(v) for v in col.unique()]})
    rows = [{str(c): _py(v) for c, v in r.items()} for r in df.to_dict("records")]
    return params, rows


def _outcomes(given: Mapping[str, Any] | Sequence[Any] | None) -> list[dict[str, Any]]:
    """Outcome entries from a mapping name -> spec or a list of specs with names."""
    if given is None:
        return []
    if isinstance(given, Mapping):
        return [{"name": k, **dict(v)} if isinstance(v, Mapping) else v for k, v in given.items()]
    return [dict(v) if isinstance(v, Mapping) else v for v in given]


def _name(scenario: Any, name: str | None) -> str:
    """The sweep's name (its store's folder): given, or the base scenario's stem + ``-sweep``."""
    if name is not None:
        return name
    stem = Path(scenario).stem if isinstance(scenario, (str, Path)) else str(scenario.name)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") + "-sweep"


def _scheduler(backend: str | None) -> str | None:
    """The engine's ``scheduler`` for ``backend``.

    Raises:
        UserError: for a backend that is none of :data:`BACKENDS` nor a ``tcp://`` address.
    """
    if backend in (None, "processes"):
        return None
    if backend == "local-dask" or str(backend).startswith("tcp://"):
        return backend
    raise UserError(
        f"{CALL}: backend {excerpt(backend)} is not one of {', '.join(BACKENDS)} nor a dask "
        "scheduler address tcp://HOST:PORT"
    )


def _renamer(params: list[dict[str, Any]], outs: dict[str, list[str]]) -> Callable[[str], str]:
    """A sweep file's field path -> the same field as the call's arguments name it."""
    design_fields = ("n", "method", "levels", "second_order")

    def rename(path: str) -> str:
        m = re.match(r"^(parameters|outcomes|series)\[(\d+)\](.*)$", path)
        if m and m.group(1) == "parameters" and int(m.group(2)) < len(params):
            return f"design[{params[int(m.group(2))]['path']!r}]{m.group(3)}"
        if m and m.group(1) in outs and int(m.group(2)) < len(outs[m.group(1)]):
            return f"{m.group(1)}[{outs[m.group(1)][int(m.group(2))]!r}]{m.group(3)}"
        for f in design_fields:
            if path == f"design.{f}":
                return f
        return "design" if path in ("parameters", "design.points") else path

    return rename


def sweep(
    scenario: str | Path | Scenario | dict[str, Any],
    design: Mapping[str, Any] | pd.DataFrame,
    outcomes: Mapping[str, Any] | Sequence[Any] | None = None,
    *,
    series: Mapping[str, Any] | Sequence[Any] | None = None,
    method: str | None = None,
    n: int | None = None,
    levels: int | None = None,
    second_order: bool | None = None,
    replicates: int = 1,
    seed: int | None = None,
    seeds: str | None = None,
    fixed: Mapping[str, Any] | None = None,
    name: str | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    backend: str | None = None,
    batch: int | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = True,
    connect_timeout: float = 10.0,
) -> SweepResults:
    """Run a parameter sweep defined in Python; returns its store loaded for analysis.

    Args:
        scenario: the base scenario (YAML path, plain data or a :class:`Scenario`).
        design: parameter path -> source, each a ``(low, high)`` range (a tuple), a list of
            values, a distribution ``{"type": "triangular", ...}`` or a mapping of a sweep
            file's parameter keys (``range``, ``values``, ``distribution``, ``name``,
            ``levels``); or a pandas DataFrame of points (a column per parameter path, a row
            per point).
        outcomes: scalar outcomes, name -> ``{"metric", "state", "partner", "stat", "date",
            "start", "end"}`` (or a list of such mappings with ``name``), as in sweep files.
        series: time-series outcomes, likewise (``metric``, ``state``, ``partner``).
        method: ``grid``, ``lhs`` (default for ranges), ``sobol`` or ``morris``; ``points``
            for a DataFrame (its only method).
        n, levels, second_order: the design's size and options, as in sweep files.
        replicates: runs per design point.
        seed: master seed (default: the base scenario's ``seed``).
        seeds: ``independent`` (default) or ``common`` random numbers across points.
        fixed: dotted path -> value applied to every run.
        name: the sweep's name (default: the scenario's stem + ``-sweep``).
        out: the store folder (default ``results/sweeps/<name>``).
        workers: worker processes (default: all cores; 1 runs in this process).
        backend: ``processes`` (default), ``local-dask`` or a dask scheduler ``tcp://HOST:PORT``.
        batch: runs per task (default: chosen for the workers).
        resume, force: finish or replace an existing store (as ``--resume`` / ``--force``).
        progress: show a progress bar.
        connect_timeout: seconds to keep trying to reach a dask scheduler.

    Returns:
        The :class:`~sim.sweep.analyze.SweepResults` of the store (``.path`` is the folder).

    Raises:
        ScenarioError: the checks of a sweep file (unknown parameter paths with the nearest
            one, values the scenario refuses, unknown outcomes...), fields named as the
            arguments name them (``design['states.KAZ.x'].path``); nothing is written.
        UserError: as ``run_sim.py sweep`` (an existing store, an unreachable scheduler...).
    """
    import pandas as pd
    import yaml

    from sim.scenario.loader import load_scenario
    from sim.scenario.yamlsafe import YamlDoc
    from sim.sweep import analyze
    from sim.sweep.loader import plan_sweep
    from sim.sweep.run import PYTHON_FLAGS, Engine, run_plan

    scheduler = _scheduler(backend)
    if isinstance(scenario, (str, Path)):  # a file: the sweep names it, as a sweep file does
        base, named = None, str(scenario)
        master = seed if seed is not None else load_scenario(scenario).seed
    else:  # in memory: the sweep only names it (the store keeps the resolved scenario)
        base = load_scenario(scenario)
        named, master = f"(in memory) {base.name}", seed if seed is not None else base.seed
    if isinstance(design, pd.DataFrame):
        if method not in (None, "points"):
            raise UserError(
                f"{CALL}: a DataFrame design is its points; method {method!r} needs ranges"
            )
        params, rows = _points(design)
        spec: dict[str, Any] = {"method": "points", "points": rows}
    elif isinstance(design, Mapping):
        params = [_parameter(str(k), v) for k, v in design.items()]
        spec = {"method": method or "lhs", "n": n, "levels": levels, "second_order": second_order}
    else:
        raise UserError(
            f"{CALL}: design must be a mapping of parameter paths to sources or a DataFrame of "
            f"points, not {type(design).__name__}"
        )
    outs, sers = _outcomes(outcomes), _outcomes(series)
    data = {
        "name": _name(scenario if base is None else base, name),
        "scenario": named,
        "fixed": dict(fixed or {}),
        "parameters": params,
        "design": {k: v for k, v in spec.items() if v is not None},
        "replicates": replicates,
        "seed": master,
        "seeds": seeds,
        "outcomes": outs,
        "series": sers,
        "batch": batch,
    }
    data = {k: v for k, v in data.items() if v is not None and v != {} and v != []}
    names = {
        "outcomes": [str(o.get("name")) for o in outs if isinstance(o, Mapping)],
        "series": [str(s.get("name")) for s in sers if isinstance(s, Mapping)],
    }
    eng = Engine(
        workers, scheduler, resume, force, progress, CALL, _say, connect_timeout, PYTHON_FLAGS
    )
    try:
        plan = plan_sweep(
            YamlDoc(CALL, data, {}),
            Path(),
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
            scenario=base,
            check_points=False,
        )
        store = run_plan(plan, eng, out)  # checks every design point first (as the command)
    except ScenarioError as e:
        rename = _renamer(params, names)
        raise ScenarioError(
            CALL, [Problem(p.file, rename(p.path), p.message, p.line) for p in e.problems]
        ) from None
    return analyze.load(store)


def _say(message: str) -> None:
    """Engine messages go to stderr, as the command's do."""
    import sys

    print(message, file=sys.stderr)
