"""The sweep file schema (pydantic, unknown keys refused): what a sweep may say.

A sweep file names a base scenario, the parameters to vary (dotted paths into the scenario, each
with a range, a list of values or a distribution), the design (grid, lhs, sobol, morris, or the points themselves) and its
size, replicates, a master seed and the outcomes to keep. See ``docs/sweeps.md``. Cross-checks
against the base scenario (paths exist, values valid, outcome states exist) are in
:mod:`sim.sweep.checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

METHODS = ("grid", "lhs", "sobol", "morris", "points")
STATS = ("value", "mean", "min", "max", "sum", "change")
RESERVED = ("run", "point", "replicate", "seed", "step", "date", "outcome", "value")
NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
NOT_SWEEPABLE = ("metadata", "time", "seed", "replicates")
MAX_RUNS = 1_000_000
"""Most runs (design points x replicates) a sweep may have: a million runs of the baseline take
about a day on 32 cores, and the design, seeds and run table are held in memory. The count is
computed from the sweep file before anything is built."""

Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    """Base: unknown keys are errors; values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Uniform(Strict):
    """Uniform on [low, high]."""

    type: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Normal(Strict):
    """Normal(mean, sd), optionally truncated to [low, high]."""

    type: Literal["normal"]
    mean: Finite
    sd: Finite = Field(gt=0)
    low: Finite | None = None
    high: Finite | None = None

    @model_validator(mode="after")
    def _order(self) -> Normal:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Triangular(Strict):
    """Triangular on [low, high] with its peak at ``mode``."""

    type: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high "
                f"(got {self.low}, {self.mode}, {self.high})"
            )
        return self


class Lognormal(Strict):
    """Lognormal with the given median and log-space standard deviation ``sigma``."""

    type: Literal["lognormal"]
    median: Finite = Field(gt=0)
    sigma: Finite = Field(gt=0)


Distribution = Annotated[Uniform | Normal | Triangular | Lognormal, Field(discriminator="type")]
Value = bool | int | float | str


class Parameter(Strict):
    """One varied input: a dotted path into the scenario and where its values come from."""

    path: str = Field(min_length=1, description="Dotted path, e.g. states.KAZ.diversification.")
    name: str | None = Field(None, pattern=NAME, description="Column name (default: the path).")
    range: tuple[Finite, Finite] | None = Field(None, description="[low, high], uniform.")
    values: list[Value] | None = Field(None, min_length=1, description="Discrete values.")
    distribution: Distribution | None = None
    levels: int | None = Field(None, ge=2, le=1000, description="Grid levels (range/distribution).")

    @model_validator(mode="after")
    def _one_source(self) -> Parameter:
        given = [k for k in ("range", "values", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of range, values or distribution"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range low ({self.range[0]}) must be below high ({self.range[1]})")
        if self.values is not None:
            kinds = {
                "str" if isinstance(v, str) else "bool" if isinstance(v, bool) else "number"
                for v in self.values
            }
            if len(kinds) > 1:
                raise ValueError(f"values mix types ({', '.join(sorted(kinds))}); use one type")
            if len(set(map(repr, self.values))) != len(self.values):
                raise ValueError("values repeat; list each value once")
            if self.levels is not None:
                raise ValueError("levels applies to range or distribution, not values")
        return self

    @property
    def column(self) -> str:
        """Name of this parameter's column in the design table."""
        return self.name or self.path


class Design(Strict):
    """How design points are sampled."""

    method: Literal["grid", "lhs", "sobol", "morris", "points"]
    n: int | None = Field(
        None,
        ge=1,
        le=10_000_000,
        description=(
            "lhs: points; sobol: base sample N (a power of 2; N*(2D+2) points, N*(D+2) without "
            "second order); morris: trajectories (r*(D+1) points). Not used by grid."
        ),
    )
    levels: int = Field(
        4, ge=2, le=1000, description="grid: levels per range; morris: grid levels."
    )
    second_order: bool = Field(True, description="sobol: also estimate second-order indices.")
    points: list[dict[str, Value]] | None = Field(
        None,
        min_length=1,
        max_length=MAX_RUNS,
        description="points: the design itself, one mapping per point (parameter column: value).",
    )

    @model_validator(mode="after")
    def _size(self) -> Design:
        m, n = self.method, self.n
        if (m == "points") != (self.points is not None):
            raise ValueError(
                "method points needs its points (one mapping per point)"
                if m == "points"
                else f"points are for method points, not {m}; remove them"
            )
        if m == "points":
            if n is not None:
                raise ValueError("a points design has as many points as it lists; remove n")
            return self
        if m == "grid":
            if n is not None:
                raise ValueError("a grid's size follows from its levels and values; remove n")
            return self
        if n is None:
            raise ValueError(f"{m} needs a size n")
        if m == "sobol" and (n < 2 or n & (n - 1)):
            raise ValueError(f"sobol needs n a power of 2 (e.g. 64, 128, 256), got {n}")
        if m in ("lhs", "morris") and n < 2:
            raise ValueError(f"{m} needs n >= 2, got {n}")
        if m == "morris" and self.levels % 2:
            raise ValueError(f"morris needs an even number of levels (e.g. 4), got {self.levels}")
        return self


class _Outcome(Strict):
    """What every outcome names: the metric, and the state (and partner) it is read for."""

    name: str = Field(pattern=NAME)
    metric: str
    state: str
    partner: str | None = None


class ScalarOutcome(_Outcome):
    """A named scalar: one number per run, e.g. KAZ's arms share from RUS in 2030-Q4."""

    stat: Literal["value", "mean", "min", "max", "sum", "change"] = Field(
        "value",
        description="value at `date`, or mean/min/max/sum over start..end, or "
        "change = value(end) - value(start).",
    )
    date: str | None = Field(None, description="For stat value: the period (default: the last).")
    start: str | None = Field(None, description="First period of the window (default: first).")
    end: str | None = Field(None, description="Last period of the window (default: last).")

    _v_dates = field_validator("date", "start", "end", mode="before")(
        lambda v: str(v) if isinstance(v, int) else v
    )

    @model_validator(mode="after")
    def _dates(self) -> ScalarOutcome:
        if self.stat == "value" and (self.start or self.end):
            raise ValueError("stat value uses date, not start/end")
        if self.stat != "value" and self.date:
            raise ValueError(f"stat {self.stat} uses start/end, not date")
        return self


class SeriesOutcome(_Outcome):
    """A named time series: one value per step and run (stored in tidy long format)."""


class Sweep(Strict):
    """A complete sweep file."""

    name: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Store folder name (default: the file's stem).",
    )
    description: str = ""
    model: Literal["multivector", "ishigami"] = Field(
        "multivector", description="The ABM, or the Ishigami test function (checks the analysis)."
    )
    scenario: str | None = Field(None, description="Base scenario, relative to the sweep file.")
    fixed: dict[str, Any] = Field(
        default_factory=dict, description="Overrides applied to every run (dotted path: value)."
    )
    parameters: list[Parameter] = Field(min_length=1)
    design: Design
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(ge=0, le=2**63 - 1, description="Master seed.")
    seeds: Literal["independent", "common"] = Field(
        "independent",
        description="independent: a seed per (point, replicate); common: the same "
        "seeds at every point (common random numbers).",
    )
    outcomes: list[ScalarOutcome] = Field(default_factory=list)
    series: list[SeriesOutcome] = Field(default_factory=list)
    batch: int | None = Field(None, ge=1, le=100_000, description="Runs per task (default: auto).")

    @model_validator(mode="after")
    def _whole(self) -> Sweep:
        if self.model == "multivector":
            if not self.scenario:
                raise ValueError("scenario is required (path of the base scenario)")
            if not (self.outcomes or self.series):
                raise ValueError("declare at least one outcome (outcomes: or series:)")
        else:
            if self.outcomes or self.series or self.scenario or self.fixed:
                raise ValueError("model ishigami takes no scenario, fixed, outcomes or series")
        cols = [p.column for p in self.parameters]
        outs = [o.name for o in self.outcomes] + [s.name for s in self.series]
        for label, names in (("parameter", cols), ("outcome", outs)):
            dup = sorted({c for c in names if names.count(c) > 1})
            if dup:
                raise ValueError(f"{label} names repeat: {', '.join(dup)}")
        clash = sorted(set(cols + outs) & set(RESERVED))
        if clash:
            raise ValueError(
                f"names {', '.join(clash)} are reserved (columns of the store); "
                "set a different name"
            )
        if self.design.method != "grid" and any(p.levels for p in self.parameters):
            raise ValueError("parameter levels apply to grid designs only")
        if self.design.points is not None:
            _check_points(self.parameters, self.design.points)
        return self

    @property
    def columns(self) -> list[str]:
        """Design-table column of each parameter, in order."""
        return [p.column for p in self.parameters]


def _check_points(parameters: list[Parameter], points: list[dict[str, Value]]) -> None:
    """Every design point gives each parameter exactly once, inside its range or values.

    Raises:
        ValueError: naming the first point (0-based) that does not.
    """
    cols = [p.column for p in parameters]
    for p in parameters:
        if p.distribution is not None:
            raise ValueError(
                f"parameter {p.column}: with method points give each parameter the range or "
                "values its points lie in, not a distribution"
            )
    for k, point in enumerate(points):
        missing = [c for c in cols if c not in point]
        extra = sorted(set(point) - set(cols))
        if missing or extra:
            said = (f"lacks {', '.join(missing)}" if missing else "") + (
                f"{'; ' if missing else ''}has unknown {', '.join(extra)}" if extra else ""
            )
            raise ValueError(
                f"design point {k} {said} (each point gives every parameter: {', '.join(cols)})"
            )
        for p in parameters:
            v = point[p.column]
            if p.range is not None:
                inside = (
                    isinstance(v, (int, float))
                    and not isinstance(v, bool)
                    and p.range[0] <= v <= p.range[1]
                )
                if not inside:
                    raise ValueError(
                        f"design point {k}: {p.column} = {v!r} is outside its range "
                        f"[{p.range[0]:g}, {p.range[1]:g}]"
                    )
            elif p.values is not None and not any(same_value(v, w) for w in p.values):
                raise ValueError(
                    f"design point {k}: {p.column} = {v!r} is not one of its values "
                    f"({', '.join(map(repr, p.values))})"
                )


def same_value(a: Value, b: Value) -> bool:
    """Whether two values are the same value: equal numbers (1 and 1.0), or equal of one type
    (``True`` is not ``1``)."""
    nums = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
    return a == b and (nums or type(a) is type(b))


def is_power_of_two(n: int) -> bool:
    """Whether ``n`` is a positive power of two."""
    return n > 0 and not n & (n - 1)


def first_key(path: str) -> str:
    """The top-level section of a dotted path (``states.KAZ.x`` -> ``states``)."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]
