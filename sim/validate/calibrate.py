"""Calibration: fit named behavioural parameters to observed deliveries over an earlier window.

Protocol (docs/validation.md): calibrate on an earlier window (e.g. ``hindcast_2010`` fitted on
2010-2014), then score the fitted parameters on a later one (``hindcast_2015`` on 2015-2019),
never on the same years.

Method: a Latin hypercube design over the ranges (``scipy.stats.qmc.LatinHypercube``), then
Nelder-Mead (``scipy.optimize.minimize`` with bounds) from the best design point, both on the
hindcast loss. Every evaluation runs the same replicate seeds (common random numbers), so the
loss is a deterministic function of the parameters. The loss is the mean absolute error of bloc
shares in percentage points over recipients with observed deliveries in the window:
``mae`` (unweighted), ``weighted_mae`` (by observed volume) or ``mean`` (the average of both).

Parameters file (YAML, read with the safe loader)::

    parameters:                 # name: [low, high], inside the parameter's declared bounds
      weight_path: [0.5, 6.0]
      choice_precision: [1.0, 10.0]
    design: 24                  # Latin hypercube points (default 8 per parameter)
    max_evaluations: 60         # Nelder-Mead evaluations after the design
                                # (default 30 per parameter)
    loss: mean                  # mae | weighted_mae | mean (default)
    replicates: 3               # replicates per evaluation (default: the scenario's)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import Problem, ScenarioError, UserError

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.yamlsafe import PathT
    from sim.validate.hindcast import Setup

LOSSES = ("mae", "weighted_mae", "mean")
SETTINGS = ("parameters", "design", "max_evaluations", "loss", "replicates")


@dataclass(frozen=True)
class FitSpec:
    """What to fit: parameter ranges and search settings."""

    ranges: dict[str, tuple[float, float]]
    design: int
    max_evaluations: int
    loss: str = "mean"
    replicates: int | None = None


def _bounds(name: str) -> tuple[float, float]:
    from sim.scenario.parameters import Parameters

    lo, hi = -math.inf, math.inf
    for m in Parameters.model_fields[name].metadata:
        lo = float(getattr(m, "ge", lo))
        hi = float(getattr(m, "le", hi))
    return lo, hi


def _unknown(name: str) -> str:
    import difflib

    from sim.scenario.parameters import PARAMETER_NAMES

    close = difflib.get_close_matches(name, PARAMETER_NAMES, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter {name!r}{hint} (see `python run_sim.py describe` for all parameters)"


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def read_spec(path: str | Path) -> FitSpec:
    """Read and check a calibration parameters file (format in the module docstring).

    Raises:
        ScenarioError: unknown keys or parameters, ranges that are not [low, high] with
            low < high inside the parameter's bounds, bad settings; one line each.
    """
    from sim.scenario.parameters import PARAMETER_NAMES
    from sim.scenario.yamlsafe import read_yaml

    doc = read_yaml(path, kind="calibration parameters")
    file, data = str(path), doc.data
    problems: list[Problem] = []

    def bad(p: PathT, msg: str) -> None:
        problems.append(Problem(file, ".".join(str(x) for x in p), msg, doc.line_of(p)))

    for k in data:
        if k not in SETTINGS:
            bad((k,), f"unknown key {k!r} (allowed: {', '.join(SETTINGS)})")
    params = data.get("parameters")
    ranges: dict[str, tuple[float, float]] = {}
    if not isinstance(params, dict) or not params:
        bad(("parameters",), "required: a mapping of parameter name -> [low, high]")
        params = {}
    for name, rng in params.items():
        p = ("parameters", name)
        if name not in PARAMETER_NAMES:
            bad(p, _unknown(name))
            continue
        if not (isinstance(rng, list) and len(rng) == 2 and all(_is_num(v) for v in rng)):
            bad(p, f"expected a range [low, high] of two numbers, got {rng!r}")
            continue
        lo, hi = float(rng[0]), float(rng[1])
        blo, bhi = _bounds(name)
        if not lo < hi:
            bad(p, f"low {lo:g} must be below high {hi:g}")
        elif lo < blo or hi > bhi:
            bad(p, f"range [{lo:g}, {hi:g}] leaves the parameter's bounds [{blo:g}, {bhi:g}]")
        else:
            ranges[name] = (lo, hi)
    k = max(1, len(params))
    settings: dict[str, Any] = {
        "design": 8 * k,
        "max_evaluations": 30 * k,
        "loss": "mean",
        "replicates": None,
    }
    for key, lo, hi in (
        ("design", 1, 10000),
        ("max_evaluations", 0, 100000),
        ("replicates", 1, 1000),
    ):
        if key in data:
            v = data[key]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                bad((key,), f"expected a whole number from {lo} to {hi}, got {v!r}")
            else:
                settings[key] = v
    if "loss" in data:
        if data["loss"] not in LOSSES:
            bad(("loss",), f"expected one of {', '.join(LOSSES)}, got {data['loss']!r}")
        else:
            settings["loss"] = data["loss"]
    if problems:
        raise ScenarioError(file, problems)
    return FitSpec(ranges, **settings)


def read_fitted(path: str | Path) -> dict[str, float]:
    """The ``parameters:`` section of a fitted overlay as overrides (``parameters.NAME``).

    Raises:
        ScenarioError: a missing section, unknown parameter names or non-numeric values.
    """
    from sim.scenario.parameters import PARAMETER_NAMES
    from sim.scenario.yamlsafe import read_yaml

    doc = read_yaml(path, kind="fitted parameters")
    file = str(path)
    params = doc.data.get("parameters")
    if not isinstance(params, dict) or not params:
        raise ScenarioError(
            file,
            [
                Problem(
                    file,
                    "parameters",
                    "required: a mapping of parameter name -> value",
                    doc.line_of(("parameters",)),
                )
            ],
        )
    problems = []
    for name, v in params.items():
        if name not in PARAMETER_NAMES:
            problems.append(
                Problem(
                    file, f"parameters.{name}", _unknown(name), doc.line_of(("parameters", name))
                )
            )
        elif not _is_num(v):
            problems.append(
                Problem(
                    file,
                    f"parameters.{name}",
                    f"expected a number, got {v!r}",
                    doc.line_of(("parameters", name)),
                )
            )
    if problems:
        raise ScenarioError(file, problems)
    return {f"parameters.{k}": float(v) for k, v in params.items()}


def window_loss(
    predicted: pd.DataFrame, observed: pd.DataFrame, kind: str
) -> tuple[float, float, float]:
    """(loss, mae_pp, weighted_mae_pp) of predicted vs observed volumes (recipient x bloc).

    Recipients without observed deliveries in the window are left out.
    """
    from sim.validate.score import mae_pp, mean_error, shares

    vol = observed.sum(axis=1)
    obs = observed[vol > 0]
    err = mae_pp(
        shares(predicted.reindex(index=obs.index, columns=obs.columns, fill_value=0.0)), shares(obs)
    )
    m, wm = mean_error(err), mean_error(err, vol[vol > 0])
    loss = {"mae": m, "weighted_mae": wm, "mean": 0.5 * (m + wm)}[kind]
    return loss, m, wm


@dataclass
class Fit:
    """The result of a calibration.

    Attributes:
        parameters: fitted values by parameter name.
        loss, mae_pp, weighted_mae_pp: in-sample figures at the fitted values (pp).
        default_loss: the loss at the scenario's own parameter values (before fitting).
        evaluations: every evaluation (stage, parameter values, loss, mae_pp, weighted_mae_pp).
        optimizer: scipy's result summary (success, message, nfev).
    """

    parameters: dict[str, float]
    loss: float
    mae_pp: float
    weighted_mae_pp: float
    default_loss: float
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    optimizer: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def calibrate(
    setup: Setup,
    spec: FitSpec,
    *,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Fit:
    """Fit ``spec.ranges`` on ``setup.period`` (see the module docstring).

    Args:
        setup: prepared inputs (:func:`sim.validate.hindcast.prepare` with ``persistence=False``).
        spec: ranges and search settings.
        seed: master seed of the replicates (default: the scenario's); same seeds everywhere.
        progress: called as ``progress(evaluations_done, budget)``.
    """
    from scipy.optimize import minimize
    from scipy.stats import qmc

    from sim.seeds import derive_seed
    from sim.validate.hindcast import simulate
    from sim.validate.rolling import check_not_frozen

    check_not_frozen(setup.period)

    t0 = time.perf_counter()
    names = list(spec.ranges)
    lo = np.array([spec.ranges[n][0] for n in names])
    hi = np.array([spec.ranges[n][1] for n in names])
    observed = setup.observed.volumes(setup.period, setup.bloc_list)
    master = setup.scenario.seed if seed is None else int(seed)
    budget = spec.design + spec.max_evaluations
    evals: list[dict[str, Any]] = []

    def evaluate(values: dict[str, float] | None, stage: str) -> float:
        ov = {f"parameters.{k}": float(v) for k, v in (values or {}).items()}
        vols = simulate(setup, seed=master, replicates=spec.replicates, overrides=ov or None)
        loss, m, wm = window_loss(vols["arms"], observed, spec.loss)
        evals.append(
            {"stage": stage, **(values or {}), "loss": loss, "mae_pp": m, "weighted_mae_pp": wm}
        )
        if progress and stage != "default":
            progress(min(len(evals) - 1, budget), budget)
        return loss

    spent = [0]

    def f(z: np.ndarray, stage: str = "optimizer") -> float:
        if stage == "optimizer":
            if spent[0] >= spec.max_evaluations:
                raise _BudgetSpent
            spent[0] += 1
        x = lo + np.clip(z, 0.0, 1.0) * (hi - lo)
        return evaluate(dict(zip(names, x.tolist())), stage)

    default = evaluate(None, "default")
    try:
        sampler = qmc.LatinHypercube(d=len(names), rng=derive_seed(master, 7919))
    except TypeError:  # scipy < 1.15
        sampler = qmc.LatinHypercube(d=len(names), seed=derive_seed(master, 7919))
    design = sampler.random(spec.design)
    losses = [f(z, "design") for z in design]
    z0 = design[int(np.argmin(losses))]
    opt: dict[str, Any] = {
        "method": "Nelder-Mead",
        "nfev": 0,
        "success": None,
        "message": "skipped",
    }
    if spec.max_evaluations > 0:
        d = len(names)
        step = 0.1
        simplex = np.vstack(
            [z0]
            + [
                z0 + np.where(np.arange(d) == i, step if z0[i] + step <= 1 else -step, 0.0)
                for i in range(d)
            ]
        )
        try:
            res = minimize(
                f,
                z0,
                method="Nelder-Mead",
                bounds=[(0.0, 1.0)] * d,
                options={
                    "maxfev": spec.max_evaluations,
                    "initial_simplex": simplex,
                    "xatol": 1e-3,
                    "fatol": 1e-3,
                },
            )
            opt = {
                "method": "Nelder-Mead",
                "nfev": spent[0],
                "success": bool(res.success),
                "message": str(res.message),
            }
        except _BudgetSpent:
            opt = {
                "method": "Nelder-Mead",
                "nfev": spent[0],
                "success": False,
                "message": f"stopped after max_evaluations = {spec.max_evaluations}",
            }
    fitted = [e for e in evals if e["stage"] != "default"]
    best = min(fitted, key=lambda e: e["loss"])
    return Fit(
        {n: float(best[n]) for n in names},
        best["loss"],
        best["mae_pp"],
        best["weighted_mae_pp"],
        default,
        evals,
        opt,
        time.perf_counter() - t0,
    )


class _BudgetSpent(Exception):
    """Raised inside the objective to stop the optimiser at the evaluation budget."""


def overlay_text(
    fit: Fit, extends: str, *, scenario: str, period: str, loss: str, command: str = ""
) -> str:
    """YAML text of the parameter overlay: ``extends`` + ``parameters`` and the fit as comments."""
    import yaml

    head = [
        "# Parameter overlay written by `python run_sim.py calibrate` (sim/validate/calibrate.py).",
        f"# Fitted on {scenario}, window {period}; loss = {loss} MAE of bloc shares (pp).",
        f"# In-sample: MAE {fit.mae_pp:.2f} pp, volume-weighted {fit.weighted_mae_pp:.2f} pp "
        f"(loss {fit.loss:.2f}; {fit.default_loss:.2f} at the scenario's own values).",
        f"# Search: {len([e for e in fit.evaluations if e['stage'] == 'design'])}-point Latin "
        f"hypercube, then Nelder-Mead ({fit.optimizer.get('nfev', 0)} evaluations: "
        f"{fit.optimizer.get('message', '')}).",
        "# Score it on a LATER window than the fit, never the same (docs/validation.md).",
    ]
    if command:
        head.append(f"# Command: {command}")
    body = yaml.safe_dump(
        {"extends": extends, "parameters": {k: round(v, 6) for k, v in fit.parameters.items()}},
        sort_keys=False,
    )
    return "\n".join(head) + "\n" + body


def relative_extends(target: str | Path, overlay: str | Path) -> str:
    """Path of ``target`` relative to the folder of ``overlay`` (how ``extends`` is resolved)."""
    import os

    return Path(os.path.relpath(Path(target).resolve(), Path(overlay).resolve().parent)).as_posix()


def check_overlay_target(path: Path, force: bool) -> None:
    """Refuse an existing overlay file unless ``force``; refuse a folder."""
    if path.is_dir():
        raise UserError(f"{path}: is a directory; --out names the overlay YAML file to write")
    if path.exists() and not force:
        raise UserError(
            f"{path}: already exists; refusing to overwrite (use --force to replace it)"
        )
