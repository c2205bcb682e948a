"""Parameter ensembles: behavioural parameter sets consistent with the observed data.

One fitted point hides how far equally good fits disagree (issue "after 2022": switching between
equally good fits changed what-if effects 2-4x, while the seeds' spread was 0.003). An ensemble is
a weighted sample of parameter sets from the approximate posterior of approximate Bayesian
computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009, *J. R. Soc. Interface*;
run with pyabc, Klinger, Rickert & Hasenauer 2018, *Bioinformatics*): uniform priors over the
ranges of a calibration parameters file (:mod:`sim.validate.calibrate`), the hindcast loss
(mean absolute error of bloc shares, pp) as the distance, epsilon lowered generation by
generation. The result is what the data allow, not one best point.

``run``, ``compare`` and the library take an ensemble (``--ensemble FILE``): replicate ``r``
runs parameter set ``k_r``, drawn by weight from the master seed alone, so every scenario of a
comparison draws the same sets (paired: common parameters and common random numbers) and the
bands cover seeds *and* parameters.

Ensemble file (YAML, written by ``calibrate --method abc``)::

    # header comments: how it was made
    parameters: [weight_path, hedge_weight, choice_precision]
    sets:                       # one row per set, in the order of parameters
      - [3.1, 2.4, 3.9]
    weights: [0.01, ...]        # optional (default: equal); normalised
"""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from sim.validate.calibrate import FitSpec
    from sim.validate.hindcast import Setup

ENSEMBLE_KEY = 0x454E53  # "ENS": the draw of sets per replicate is its own random stream
MAX_SETS = 10_000
MAX_PROBLEMS = 20
MIN_REPLICATES = 10
"""Fewer replicates than this with an ensemble are refused by the commands: a band over a few
drawn parameter sets would claim to cover parameter uncertainty it cannot show."""


def conflicts(scenario: Any, ens: Ensemble) -> list[str]:
    """The ensemble's parameters that ``scenario`` sets to other than their default values:
    the ensemble would silently replace them (a what-if that changes one of them would then
    change nothing)."""
    from sim.scenario.parameters import Parameters

    default = Parameters()
    return [n for n in ens.names if getattr(scenario.parameters, n) != getattr(default, n)]


def check_ensemble(scenarios: list[Any], names: list[str], ens: Ensemble, replicates: int) -> None:
    """Refuse what an ensemble cannot do honestly: replace a parameter some scenario sets
    itself, or show a spread with fewer than :data:`MIN_REPLICATES` replicates.

    Raises:
        UserError: naming the scenario, the parameters and what to do.
    """
    from sim.errors import UserError

    if replicates < MIN_REPLICATES:
        raise UserError(
            f"--ensemble with {replicates} replicate(s): a band over so few drawn parameter sets "
            f"cannot show their spread; use --replicates {MIN_REPLICATES} or more"
        )
    for sc, name in zip(scenarios, names):
        clash = conflicts(sc, ens)
        if clash:
            raise UserError(
                f"{name} sets parameters.{', parameters.'.join(clash)}, which the ensemble "
                f"{ens.source} varies: with --ensemble its value would be replaced in every "
                "replicate. Run it without --ensemble, or use an ensemble without "
                f"{', '.join(clash)}"
            )


@dataclass(frozen=True)
class Ensemble:
    """Weighted parameter sets.

    Attributes:
        names: parameter names (``parameters.NAME``).
        sets: (N, len(names)) values.
        weights: (N,) probabilities (sum 1).
        source: where it came from (a file path, or a description).
    """

    names: tuple[str, ...]
    sets: np.ndarray
    weights: np.ndarray
    source: str = ""

    def __len__(self) -> int:
        return int(self.sets.shape[0])

    def overrides(self, k: int) -> dict[str, float]:
        """Set ``k`` as scenario overrides (``parameters.NAME`` -> value)."""
        return {f"parameters.{n}": float(v) for n, v in zip(self.names, self.sets[k])}

    def draw(self, master: int, n: int) -> list[int]:
        """The set each of ``n`` replicates runs: drawn by weight from ``master`` alone (the
        same for every scenario run with that master seed)."""
        rng = np.random.default_rng(np.random.SeedSequence([int(master), ENSEMBLE_KEY]))
        return [int(k) for k in rng.choice(len(self), size=n, p=self.weights)]

    def describe(self) -> str:
        """One line for reports: what the bands cover."""
        where = f" {self.source}" if self.source else ""
        return f"parameter ensemble{where} ({len(self)} sets of {', '.join(self.names)})"


def covers(ensemble: Ensemble | None) -> str:
    """What a 5-95% band over replicates covers."""
    if ensemble is None:
        return "seeds only (one parameter set; see --ensemble for parameter uncertainty)"
    return f"seeds and parameters: {ensemble.describe()}"


# ----------------------------------------------------------------------------- reading
def read_ensemble(path: str | Path) -> Ensemble:
    """Read and check an ensemble file (see the module docstring).

    Raises:
        ScenarioError: one line per problem, naming the file, line and field (exit code 2).
    """
    from sim.scenario.parameters import PARAMETER_NAMES
    from sim.scenario.yamlsafe import read_yaml
    from sim.validate.calibrate import _bounds, _unknown

    file = str(path)
    doc = read_yaml(path, kind="parameter ensemble")
    data = doc.data
    problems: list[Problem] = []

    def add(where: tuple[Any, ...], msg: str) -> None:
        problems.append(Problem(file, ".".join(str(x) for x in where), msg, doc.line_of(where)))

    if not isinstance(data, dict):
        msg = "an ensemble file is a mapping with parameters:, sets: and optional weights:"
        raise ScenarioError(file, [Problem(file, "", msg)])
    extra = set(data) - {"parameters", "sets", "weights"}
    for k in sorted(extra, key=str):
        add((k,), "unknown field (allowed: parameters, sets, weights)")
    names = data.get("parameters")
    sets = data.get("sets")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        add(("parameters",), "a list of parameter names, e.g. [weight_path, hedge_weight]")
        names = []
    for j, n in enumerate(names):
        if n not in PARAMETER_NAMES:
            add(("parameters", j), _unknown(n))
        elif n in names[:j]:
            add(("parameters", j), f"{n} is named twice; name each parameter once")
    if not isinstance(sets, list) or not sets:
        add(("sets",), "a list of rows of values, one row per parameter set")
        sets = []
    if len(sets) > MAX_SETS:
        add(("sets",), f"{len(sets):,} sets; at most {MAX_SETS:,}")
        sets = []
    rows: list[list[float]] = []
    for i, row in enumerate(sets if names else []):
        if len(problems) >= MAX_PROBLEMS:
            add(("sets",), f"more problems not shown (first {MAX_PROBLEMS})")
            break
        ok = isinstance(row, list) and len(row) == len(names)
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row)
        if not ok:
            add(("sets", i), f"a row of {len(names)} numbers (one per parameter)")
            continue
        for j, (n, v) in enumerate(zip(names, row)):
            if not math.isfinite(v):
                add(("sets", i, j), f"{n} = {v!r}: must be a finite number")
            elif n in PARAMETER_NAMES:
                lo, hi = _bounds(n)
                if not lo <= v <= hi:
                    add(("sets", i, j), f"{n} = {v!r} is outside its bounds {lo:g} .. {hi:g}")
        rows.append([float(v) for v in row])
    weights = data.get("weights")
    w = np.ones(len(rows))
    if weights is not None:
        if not isinstance(weights, list) or len(weights) != len(sets):
            add(("weights",), f"a list of {len(sets)} weights (one per set)")
        elif not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 and math.isfinite(v)
            for v in weights
        ):
            add(("weights",), "weights must be finite numbers >= 0")
        else:
            w = np.array(weights, dtype=float)
            w = w / w.max() if w.max() > 0 else w  # relative weights: no overflow in the sum
            if not w.sum() > 0:
                add(("weights",), "at least one weight must be above 0")
    if problems:
        raise ScenarioError(file, problems)
    return Ensemble(tuple(names), np.array(rows, dtype=float), w / w.sum(), file)


def ensemble_text(ens: Ensemble, header: list[str]) -> str:
    """The ensemble as a YAML file, ``header`` lines as comments."""
    lines = [f"# {h}" for h in header]
    lines.append(f"parameters: [{', '.join(ens.names)}]")
    lines.append("sets:")
    lines += [f"  - [{', '.join(f'{v:.6g}' for v in row)}]" for row in ens.sets]
    lines.append(f"weights: [{', '.join(f'{v:.6g}' for v in ens.weights)}]")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- fitting
@dataclass
class AbcFit:
    """An ABC-SMC ensemble and how it was found.

    Attributes:
        ensemble: the last generation's particles and weights.
        epsilons: the acceptance threshold (loss, pp) of each generation.
        evaluations: model evaluations in all.
        best_loss: the smallest loss among the accepted particles.
    """

    ensemble: Ensemble
    epsilons: list[float]
    evaluations: int
    best_loss: float
    seconds: float


@contextlib.contextmanager
def _seeded_global_numpy(seed: int) -> Iterator[None]:
    """pyabc draws from numpy's global generator: seed it for the fit, then put it back."""
    state = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


def abc_fit(
    setup: Setup,
    spec: FitSpec,
    *,
    population: int = 100,
    generations: int = 8,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> AbcFit:
    """ABC-SMC over ``spec.ranges`` on ``setup.period`` (see the module docstring).

    Every evaluation runs the same replicate seeds (common random numbers), as the point fit
    does, so the distance is a function of the parameters alone. Deterministic for a seed
    (pyabc's single-core sampler).
    """
    import pyabc

    from sim.seeds import derive_seed
    from sim.validate.calibrate import window_loss
    from sim.validate.hindcast import simulate

    t0 = time.perf_counter()
    observed = setup.observed.volumes(setup.period, setup.bloc_list)
    master = setup.scenario.seed if seed is None else int(seed)
    count = [0]

    def model(par: dict[str, float]) -> dict[str, float]:
        ov = {f"parameters.{k}": float(v) for k, v in par.items()}
        vols = simulate(setup, seed=master, replicates=spec.replicates, overrides=ov)
        count[0] += 1
        if progress:
            progress(count[0])  # evaluations so far (ABC-SMC's total is not known in advance)
        return {"loss": window_loss(vols["arms"], observed, spec.loss)[0]}

    def distance(x: dict[str, float], x0: dict[str, float]) -> float:
        return abs(x["loss"] - x0["loss"])

    prior = pyabc.Distribution(
        **{n: pyabc.RV("uniform", lo, hi - lo) for n, (lo, hi) in spec.ranges.items()}
    )
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, _seeded_global_numpy(derive_seed(master, 4057)):
        abc = pyabc.ABCSMC(
            model,
            prior,
            distance,
            population_size=population,
            sampler=pyabc.sampler.SingleCoreSampler(),
        )
        abc.new("sqlite:///" + str(Path(tmp) / "abc.db"), {"loss": 0.0})
        history = abc.run(max_nr_populations=generations)
        df, w = history.get_distribution(m=0, t=history.max_t)
        pops = history.get_all_populations()
        eps = [float(e) for e in pops["epsilon"] if math.isfinite(e)]
        history = None  # close the database before the folder goes
    names = tuple(spec.ranges)
    sets = df[list(names)].to_numpy(dtype=float)
    weights = np.asarray(w, dtype=float)
    return AbcFit(
        Ensemble(names, sets, weights / weights.sum(), "ABC-SMC"),
        eps,
        count[0],
        eps[-1] if eps else math.nan,
        time.perf_counter() - t0,
    )
