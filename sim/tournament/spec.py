"""The tournament file: contestants, focal states, a scenario and an ensemble of futures.

A tournament asks which way of balancing keeps a state least dependent, and secure, across the
futures it may face (Axelrod's tournaments, for small states between great powers; robustness
over futures as in robust decision making, Lempert et al. 2003). It is validated at the door
like a scenario or a sweep: every problem is one line naming the file, the line, the field and
what is allowed, and nothing is run or written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.errors import Problem, ScenarioError
from sim.sweep.spec import NAME, Parameter
from sim.tournament.scores import SCORE_NAMES

MAX_RUNS = 200_000
"""Most runs (contestants x focal states x futures x replicates) one tournament may have."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contestant(Strict):
    """One contestant: a strategy (built-in name or FILE.py:Class) and its parameters."""

    name: str = Field(pattern=NAME, description="Name on the leaderboard.")
    strategy: str = Field(min_length=1, description="Built-in name or FILE.py:ClassName.")
    params: dict[str, Any] = Field(default_factory=dict, description="Its strategy_params.")

    @field_validator("params")
    @classmethod
    def _plain(cls, v: dict[str, Any]) -> dict[str, Any]:
        from sim.scenario.schema import plain_params

        return plain_params(v)  # the scenario's own rule for strategy_params


class Futures(Strict):
    """The ensemble of futures: uncertainties sampled by the sweep machinery, or a list of
    scenario files (typically overlays of the base scenario), one future each."""

    n: int = Field(100, ge=1, le=100_000, description="lhs: number of futures.")
    method: Literal["lhs", "grid"] = Field("lhs", description="lhs or grid (levels per input).")
    levels: int | None = Field(None, ge=2, le=100, description="grid: levels per uncertainty.")
    uncertainties: list[Parameter] = Field(
        default_factory=list, description="What varies between futures (as a sweep's parameters)."
    )
    overlays: list[str] = Field(
        default_factory=list,
        description="Scenario files, relative to the tournament file: one future each.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Futures:
        if bool(self.uncertainties) == bool(self.overlays):
            raise ValueError(
                "give uncertainties (sampled futures) or overlays (one future per scenario "
                "file), not both and not neither"
            )
        return self


class Evolution(Strict):
    """Optional ecological tournament: focal states imitate better-scoring states."""

    every: float = Field(gt=0, le=100, description="Years between revisions.")


class Tournament(Strict):
    """A complete tournament file."""

    name: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Output folder name (no leading dot).",
    )
    description: str = ""
    scenario: str = Field(min_length=1, description="Base scenario, relative to this file.")
    focal: list[str] = Field(min_length=1, description="The states that play the contestants.")
    mode: Literal["together", "each"] = Field(
        "together",
        description="together: all focal states play the contestant at once; each: one focal "
        "state at a time (the others keep their scenario's strategy).",
    )
    contestants: list[Contestant] = Field(description="The strategies that compete.")
    futures: Futures
    replicates: int = Field(1, ge=1, le=1000, description="Replicates per future.")
    seed: int = Field(ge=0, le=2**63 - 1, description="Master seed.")
    rank_by: str = Field("final_top_share", description="The score the leaderboard ranks by.")
    thresholds: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="Satisficing: score -> threshold a future must meet (share of futures).",
    )
    batch: int | None = Field(None, ge=1, le=100_000, description="Runs per task (default: auto).")
    evolution: Evolution | None = Field(
        None, description="Optional ecological tournament: revise strategies every N years."
    )

    @model_validator(mode="after")
    def _whole(self) -> Tournament:
        if not self.contestants:
            raise ValueError("contestants is empty: list at least one strategy to compete")
        names = [c.name for c in self.contestants]
        dup = sorted({c for c in names if names.count(c) > 1})
        if dup:
            raise ValueError(f"contestant names repeat: {', '.join(dup)}")
        if self.rank_by not in SCORE_NAMES:
            raise ValueError(f"rank_by {self.rank_by!r} is not a score ({', '.join(SCORE_NAMES)})")
        bad = sorted(set(self.thresholds) - set(SCORE_NAMES))
        if bad:
            raise ValueError(
                f"thresholds name unknown scores {', '.join(bad)} "
                f"(scores: {', '.join(SCORE_NAMES)})"
            )
        if len(set(self.focal)) != len(self.focal):
            raise ValueError("focal states repeat")
        if self.evolution is not None and len(self.focal) < 2:
            raise ValueError(
                "evolution needs at least two focal states (states imitate each other)"
            )
        return self


@dataclass
class TournamentPlan:
    """A validated tournament: the spec, its base scenario (plain data) and derived facts."""

    file: str
    spec: Tournament
    text: str
    scenario_path: Path
    base: dict[str, Any]
    ids: tuple[str, ...]
    labels: list[str]
    dt: float
    specs: list[str] = field(default_factory=list)  # each contestant's strategy, anchored
    bases: list[dict[str, Any]] = field(default_factory=list)  # overlay futures: each scenario
    names: list[str] = field(default_factory=list)  # overlay futures: their names (file stems)

    @property
    def name(self) -> str:
        """Output folder name (``name`` or the file's stem)."""
        return self.spec.name or Path(self.file).stem

    def code(self) -> dict[str, str]:
        """SHA-256 of each user strategy file the contestants name (what their code is)."""
        out = {}
        for s in self.specs:
            file, sep, _ = s.rpartition(":")
            if sep and file.endswith(".py"):
                out[file] = hashlib.sha256(Path(file).read_bytes()).hexdigest()
        return out

    def digest(self) -> str:
        """Identifies what the tournament computes (for resume): the file, the base scenario,
        the contestants' strategies and the contents of their strategy files."""
        blob = json.dumps(
            {
                "t": self.spec.model_dump(mode="json"),
                "base": self.base,
                "specs": self.specs,
                "bases": self.bases,
                "code": self.code(),
            },
            sort_keys=True,
            default=str,
        ).encode()
        return hashlib.sha256(blob).hexdigest()


def load_tournament(path: str | Path) -> TournamentPlan:
    """Read and validate a tournament file (nothing is run or written).

    Raises:
        ScenarioError: one :class:`Problem` per problem (file, line, field, what is allowed).
    """
    from sim.scenario.errors import problems_from_validation
    from sim.scenario.loader import load_scenario
    from sim.scenario.yamlsafe import read_yaml
    from sim.strategies import is_file_spec
    from sim.strategies.loading import StrategyLoadError, make_strategy

    file = str(path)
    doc = read_yaml(path, kind="tournament")
    folder = Path(path).parent
    try:
        spec = Tournament.model_validate(doc.data)
    except ValidationError as e:
        raise ScenarioError(file, problems_from_validation(e, Tournament, file, doc)) from None

    def line(p: tuple[Any, ...]) -> int | None:
        return doc.line_of(p)

    sc_path = Path(spec.scenario)
    if not sc_path.is_absolute():
        sc_path = folder / sc_path
    if not sc_path.is_file():
        raise ScenarioError(
            file,
            [
                Problem(
                    file,
                    "scenario",
                    f"no scenario file {spec.scenario!r} (looked for {sc_path}; paths "
                    "are relative to the tournament file)",
                    line(("scenario",)),
                )
            ],
        )
    base_sc = load_scenario(sc_path)
    base = base_sc.to_dict()
    probs: list[Problem] = []
    for k, sid in enumerate(spec.focal):
        if sid not in base_sc.states:
            probs.append(
                Problem(
                    file,
                    f"focal[{k}]",
                    f"no state {sid!r} in {sc_path.name} (states: {', '.join(base_sc.state_ids)})",
                    line(("focal", k)),
                )
            )
    specs = []
    for k, c in enumerate(spec.contestants):
        s = c.strategy
        if is_file_spec(s) and not Path(s.rpartition(":")[0]).is_absolute():
            f, _, cls = s.rpartition(":")
            s = f"{(folder / f).absolute()}:{cls}"
        specs.append(s)
        try:
            make_strategy(s, c.params)
        except StrategyLoadError as e:
            field_ = "params" if "strategy_params" in str(e) else "strategy"
            probs.append(
                Problem(
                    file, f"contestants[{k}].{field_}", str(e), line(("contestants", k, field_))
                )
            )
    from sim.sweep.loader import parameter_problems
    from sim.sweep.spec import NOT_SWEEPABLE, RESERVED

    taken = set(RESERVED) | {"contestant", "slot"}
    for i, p in enumerate(spec.futures.uncertainties):
        where = ("futures", "uncertainties", i)
        head = p.path.split(".")[0].split("[")[0]
        if p.column in taken:
            probs.append(
                Problem(
                    file,
                    f"futures.uncertainties[{i}].name",
                    f"{p.column!r} is reserved (a column of the tournament's "
                    f"store: {', '.join(sorted(taken))}); set another name",
                    line(where + ("name",)),
                )
            )
            continue
        if head in NOT_SWEEPABLE:
            probs.append(
                Problem(
                    file,
                    f"futures.uncertainties[{i}].path",
                    f"{p.path!r} cannot vary between futures ({', '.join(NOT_SWEEPABLE)} "
                    "are the same in every future: the scores compare like with like)",
                    line(where + ("path",)),
                )
            )
            continue
        if any(p.path.startswith(f"states.{s}.strategy") for s in spec.focal):
            probs.append(
                Problem(
                    file,
                    f"futures.uncertainties[{i}].path",
                    f"{p.path!r}: the contestants set the focal states' strategies",
                    line(where + ("path",)),
                )
            )
            continue
        probs += parameter_problems(p, f"futures.uncertainties[{i}]", where, base_sc, file, line)
    bases, names = [], []
    for i, o in enumerate(spec.futures.overlays):
        where = ("futures", "overlays", i)
        o_path = Path(o) if Path(o).is_absolute() else folder / o
        try:
            o_sc = load_scenario(o_path)
        except ScenarioError as e:
            probs.append(
                Problem(
                    file,
                    f"futures.overlays[{i}]",
                    f"{o!r} is not a valid scenario: {e.first()}",
                    line(where),
                )
            )
            continue
        if o_sc.time != base_sc.time:
            probs.append(
                Problem(
                    file,
                    f"futures.overlays[{i}]",
                    f"{o!r} runs {o_sc.time.start} to {o_sc.time.end} by "
                    f"{o_sc.time.step}; every future must share the base scenario's "
                    f"time ({base_sc.time.start} to {base_sc.time.end} by "
                    f"{base_sc.time.step})",
                    line(where),
                )
            )
        missing = [s for s in spec.focal if s not in o_sc.states]
        if missing:
            probs.append(
                Problem(
                    file,
                    f"futures.overlays[{i}]",
                    f"{o!r} has no {', '.join(missing)}",
                    line(where),
                )
            )
        if o_path.stem in names:
            probs.append(
                Problem(
                    file,
                    f"futures.overlays[{i}]",
                    f"two futures are named {o_path.stem!r} (names are file stems)",
                    line(where),
                )
            )
        bases.append(o_sc.to_dict())
        names.append(o_path.stem)
    if spec.evolution is not None:
        dt = float(base_sc.time.axis.dt)
        years = base_sc.time.axis.n * dt
        if not dt <= spec.evolution.every < years:
            probs.append(
                Problem(
                    file,
                    "evolution.every",
                    f"{spec.evolution.every:g} years: revisions must be at least "
                    f"one step ({dt:g} years) apart and come before the run ends "
                    f"({years:g} years)",
                    line(("evolution", "every")),
                )
            )
    n_f = n_futures(spec)
    runs = len(spec.contestants) * (len(spec.focal) if spec.mode == "each" else 1) * n_f
    runs *= spec.replicates
    if runs > MAX_RUNS:
        probs.append(
            Problem(
                file,
                "futures",
                f"{runs:,} runs (contestants x futures x "
                f"replicates) is more than the {MAX_RUNS:,} a tournament may have",
                line(("futures",)),
            )
        )
    if probs:
        raise ScenarioError(file, probs)
    return TournamentPlan(
        file,
        spec,
        Path(path).read_text(encoding="utf-8"),
        sc_path,
        base,
        base_sc.state_ids,
        base_sc.time.axis.labels(),
        float(base_sc.time.axis.dt),
        specs,
        bases,
        names,
    )


def n_futures(spec: Tournament) -> int:
    """Number of futures the design will have."""
    f = spec.futures
    if f.overlays:
        return len(f.overlays)
    if f.method == "lhs":
        return f.n
    levels = f.levels or 3
    n = 1
    for p in f.uncertainties:
        n *= len(p.values) if p.values is not None else levels
    return n
