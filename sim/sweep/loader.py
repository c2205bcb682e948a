"""Loading a sweep file: safe YAML -> :class:`Sweep` -> checks against the base scenario -> plan.

Every problem is reported at once (file, line, field, what is allowed) and nothing is written
before the whole sweep is valid: parameter paths must exist in the base scenario (the nearest key
is suggested), each parameter's extreme values must give a valid scenario, outcomes must name
known metrics, states and periods, and (for designs up to :data:`POINT_CHECK_LIMIT` points) every
design point must give a valid scenario.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.errors import Problem, ScenarioError, excerpt
from sim.scenario.errors import problems_from_validation
from sim.scenario.yamlsafe import PathT, YamlDoc, read_yaml
from sim.sweep.spec import MAX_RUNS, NOT_SWEEPABLE, Parameter, Sweep, first_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from sim.scenario.schema import Scenario
    from sim.sweep.execute import Backend

POINT_CHECK_LIMIT = 2000
ISHIGAMI_PATHS = ("x1", "x2", "x3")


@dataclass
class SweepPlan:
    """A validated sweep, ready to run.

    Attributes:
        file: the sweep file as named by the user.
        sweep: the validated sweep.
        text: the file's text (kept in the store's manifest).
        scenario_path: resolved base scenario path (None for synthetic models).
        base: the base scenario with ``fixed`` applied, as plain data (None for synthetic models).
        ids: state ids; labels: period labels of the run.
    """

    file: str
    sweep: Sweep
    text: str
    scenario_path: Path | None = None
    base: dict[str, Any] | None = None
    ids: tuple[str, ...] = ()
    labels: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The store's name (sweep ``name`` or the file's stem)."""
        return self.sweep.name or Path(self.file).stem

    def code(self) -> dict[str, str]:
        """SHA-256 of each user strategy file the base scenario or the sweep's values name."""
        from sim.strategies import is_file_spec

        specs = [
            st.get("strategy")
            for st in ((self.base or {}).get("states") or {}).values()
            if isinstance(st, dict)
        ]
        specs += [v for p in self.sweep.parameters for v in (p.values or ())]
        specs += list(self.sweep.fixed.values())
        out = {}
        for s in specs:
            if isinstance(s, str) and is_file_spec(s):
                file = s.rpartition(":")[0]
                with contextlib.suppress(OSError):  # a missing file is reported elsewhere
                    out[file] = hashlib.sha256(Path(file).read_bytes()).hexdigest()
        return out

    def digest(self) -> str:
        """SHA-256 of what determines the results: the sweep, the resolved base scenario and
        the contents of the user strategy files they name."""
        blob = json.dumps(
            {"sweep": self.sweep.model_dump(mode="json"), "base": self.base, "code": self.code()},
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        ).encode()
        return hashlib.sha256(blob).hexdigest()


def _validate(doc: YamlDoc, file: str) -> Sweep:
    try:
        return Sweep.model_validate(doc.data)
    except ValidationError as e:
        probs = problems_from_validation(e, Sweep, file, doc)
        raise ScenarioError(file, probs) from None


def anchor_strategy_values(data: Any, folder: Path) -> None:
    """In place: user strategies (``FILE.py:Class``) named as values of a ``...strategy`` path
    (under ``parameters`` or ``fixed``) become absolute, relative to the sweep file's folder."""
    from sim.strategies import is_file_spec

    def anchor(v: Any) -> Any:
        if isinstance(v, str) and is_file_spec(v):
            file, _, cls = v.rpartition(":")
            if not Path(file).is_absolute():
                return f"{(folder / file).absolute()}:{cls}"
        return v

    if not isinstance(data, dict):
        return
    for p in data.get("parameters") or ():
        if (
            isinstance(p, dict)
            and str(p.get("path", "")).endswith(".strategy")
            and isinstance(p.get("values"), list)
        ):
            p["values"] = [anchor(v) for v in p["values"]]
    fixed = data.get("fixed")
    if isinstance(fixed, dict):
        for k in fixed:
            if str(k).endswith(".strategy"):
                fixed[k] = anchor(fixed[k])


def load_sweep(path: str | Path, *, check_points: bool = True) -> SweepPlan:
    """Read and check a sweep file.

    Args:
        path: the sweep YAML file.
        check_points: also validate every design point's scenario (up to
            :data:`POINT_CHECK_LIMIT` points).

    Returns:
        The validated :class:`SweepPlan`.

    Raises:
        ScenarioError: one :class:`Problem` per problem found (nothing is written).
    """
    doc = read_yaml(path, kind="sweep")
    anchor_strategy_values(doc.data, Path(path).parent)
    return plan_sweep(
        doc, Path(path).parent, Path(path).read_text(encoding="utf-8"), check_points=check_points
    )


def plan_sweep(
    doc: YamlDoc,
    folder: Path,
    text: str,
    *,
    scenario: Scenario | None = None,
    check_points: bool = True,
) -> SweepPlan:
    """Check a sweep given as data (a read sweep file, or one built in Python) and plan it.

    Args:
        doc: the sweep's data (``doc.file`` names it in messages; lines where known).
        folder: the folder its base scenario path is relative to.
        text: its text, kept in the store's manifest.
        scenario: the base scenario itself (then the sweep's ``scenario`` only names it).
        check_points: also validate every design point's scenario (up to
            :data:`POINT_CHECK_LIMIT` points).

    Raises:
        ScenarioError: one :class:`Problem` per problem found (nothing is written).
    """
    from sim.scenario.loader import load_scenario, read_scenario_data
    from sim.scenario.paths import PathError, resolve
    from sim.sweep import outcomes as oc
    from sim.sweep.design import n_points, size_message

    file = doc.file
    sweep = _validate(doc, file)
    plan = SweepPlan(file, sweep, text)
    probs: list[Problem] = []

    def line(p: PathT) -> int | None:
        return doc.line_of(p)

    points = n_points(sweep)  # counted, not built: a huge grid is refused before it exists
    if points * sweep.replicates > MAX_RUNS:
        raise ScenarioError(
            file,
            [Problem(file, "design", size_message(points, sweep.replicates), line(("design",)))],
        )

    if sweep.model == "ishigami":
        for i, p in enumerate(sweep.parameters):
            if p.path not in ISHIGAMI_PATHS:
                probs.append(
                    Problem(
                        file,
                        f"parameters[{i}].path",
                        f"ishigami has inputs {', '.join(ISHIGAMI_PATHS)}, not {excerpt(p.path)}",
                        line(("parameters", i, "path")),
                    )
                )
        if probs:
            raise ScenarioError(file, probs)
        plan.labels = [f"t{k}" for k in range(4)]
        return plan

    assert sweep.scenario is not None  # the multivector model needs one (Sweep checks)
    sc_path = Path(sweep.scenario)
    if not sc_path.is_absolute():
        sc_path = folder / sc_path
    if scenario is None and not sc_path.is_file():
        raise ScenarioError(
            file,
            [
                Problem(
                    file,
                    "scenario",
                    f"no scenario file {excerpt(sweep.scenario)} (looked for {sc_path}; paths "
                    "are relative to the sweep file)",
                    line(("scenario",)),
                )
            ],
        )
    raw = read_scenario_data(sc_path).data if scenario is None else scenario.to_dict()
    for key in sweep.fixed:
        try:
            resolve(raw, key)
        except PathError as e:
            probs.append(Problem(file, f"fixed.{key}", str(e), line(("fixed", key))))
    if probs:
        raise ScenarioError(file, probs)
    base = load_scenario(sc_path if scenario is None else scenario, dict(sweep.fixed) or None)
    data = base.to_dict()
    plan.scenario_path, plan.base = (sc_path if scenario is None else None), data
    plan.ids, plan.labels = base.state_ids, base.time.axis.labels()

    for i, p in enumerate(sweep.parameters):
        where = ("parameters", i)
        if first_key(p.path) in NOT_SWEEPABLE:
            probs.append(
                Problem(
                    file,
                    f"parameters[{i}].path",
                    f"{excerpt(p.path)} cannot be swept "
                    f"({', '.join(NOT_SWEEPABLE)} are fixed per sweep; set time "
                    "under fixed:)",
                    line(where + ("path",)),
                )
            )
            continue
        probs += parameter_problems(p, f"parameters[{i}]", where, base, file, line)
    probs += oc.problems(sweep.outcomes, "outcomes", plan.ids, plan.labels, file, line)
    probs += oc.problems(sweep.series, "series", plan.ids, plan.labels, file, line)
    if probs:
        raise ScenarioError(file, probs)
    if check_points:
        check_design_points(plan)
    return plan


def parameter_problems(
    p: Parameter,
    field: str,
    where: PathT,
    base: Scenario,
    file: str,
    line: Callable[[PathT], int | None],
) -> list[Problem]:
    """Problems of one varied input (a sweep's parameter, a tournament's uncertainty) against
    the base scenario: its path must exist and address a value, and its extreme values must
    give valid scenarios. ``field`` and ``where`` name it in messages and in the file."""
    from sim.scenario.loader import load_scenario
    from sim.scenario.paths import PathError, resolve
    from sim.sweep.design import extremes

    try:
        current = resolve(base.to_dict(), p.path)
    except PathError as e:
        return [Problem(file, f"{field}.path", str(e), line((*where, "path")))]
    if isinstance(current, (dict, list)):
        return [
            Problem(
                file,
                f"{field}.path",
                f"{excerpt(p.path)} is a section, not a value; address one field inside it",
                line((*where, "path")),
            )
        ]
    src = "range" if p.range is not None else "values" if p.values is not None else "distribution"
    for v in extremes(p):
        try:
            load_scenario(base, {p.path: v})
        except ScenarioError as e:
            return [
                Problem(
                    file,
                    f"{field}.{src}",
                    f"{p.path} = {excerpt(v)} gives an invalid scenario: {e.first()}",
                    line((*where, src)),
                )
            ]
    return []


def check_design_points(
    plan: SweepPlan, limit: int = POINT_CHECK_LIMIT, backend: Backend | None = None
) -> None:
    """Validate the scenario of every design point (if the design has at most ``limit`` points).

    Args:
        plan: the loaded sweep.
        limit: most points checked (bigger designs are checked run by run as they run).
        backend: an open :class:`~sim.sweep.execute.Backend` to spread the checks over its
            workers (default: in this process).

    Raises:
        ScenarioError: naming up to five failing points and why.
    """
    import numpy as np

    from sim.sweep.design import build, n_points
    from sim.sweep.execute import Batch, Context, check_batch

    if plan.base is None or n_points(plan.sweep) > limit:
        return
    design = build(plan.sweep)
    paths = tuple(p.path for p in plan.sweep.parameters)
    values = [design.values[c] for c in design.columns]
    ctx = Context(key=f"check:{plan.digest()}", model=plan.sweep.model, base=plan.base, paths=paths)
    workers = backend.workers if backend is not None else 1
    size = -(-design.n_points // workers)  # one task per worker: checks are quick
    batches = (
        Batch(
            np.arange(a, min(a + size, design.n_points)),
            np.zeros(0, dtype=np.int64),
            [tuple(_py(v[k]) for v in values) for k in range(a, min(a + size, design.n_points))],
        )
        for a in range(0, design.n_points, size)
    )
    found = sorted(
        p
        for res in (
            backend.map(ctx, batches, fn=check_batch)
            if backend is not None
            else (check_batch(ctx, b) for b in batches)
        )
        for p in res
    )
    probs: list[Problem] = []
    for k, problem in found[:5]:
        shown = ", ".join(f"{p}={excerpt(_py(v[k]))}" for p, v in zip(paths, values))
        probs.append(
            Problem(
                plan.file,
                "parameters",
                f"design point {k} ({shown}) gives an invalid scenario: {problem}",
            )
        )
    if probs:
        raise ScenarioError(plan.file, probs)


def _py(v: Any) -> Any:
    """A numpy scalar as a plain Python value (for scenario overrides)."""
    return v.item() if hasattr(v, "item") else v
