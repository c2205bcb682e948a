"""``calibrate SCENARIO --observed CSV --blocs CSV --fit-period YYYY-YYYY --parameters FILE``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from sim.commands.argtypes import Subparsers, add_observed, add_output, add_quiet, add_seed

ABC_POPULATION, ABC_GENERATIONS = 100, 8
"""--method abc defaults: sets per generation and ABC-SMC generations."""


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "calibrate",
        help="fit behavioural parameters to observed arms deliveries",
        description="Fit the parameters named (with ranges) in a YAML file to observed deliveries "
        "over an earlier window: a Latin hypercube design, then Nelder-Mead on the hindcast loss "
        "(common random numbers). Writes a parameter overlay (extends: + parameters:) to score "
        "on a LATER window with `hindcast`. With --method abc: an ensemble of parameter sets "
        "consistent with the data (ABC-SMC, pyabc) for `run` and `compare --ensemble`.",
    )
    p.add_argument("scenario", help="scenario to fit (e.g. scenarios/hindcast_2010.yaml)")
    add_observed(p)
    p.add_argument("--fit-period", required=True, help="fitted years, YYYY-YYYY (e.g. 2010-2014)")
    p.add_argument(
        "--parameters",
        required=True,
        type=Path,
        help="YAML: parameters: {name: [low, high]} and search settings",
    )
    add_seed(p)
    add_output(p, "overlay file", "results/calibration/<scenario>-<period>.yaml")
    p.add_argument(
        "--extends",
        type=Path,
        default=None,
        help="scenario the overlay extends (default: SCENARIO; e.g. the later hindcast)",
    )
    p.add_argument("--json", action="store_true", help="print the fit as one JSON object on stdout")
    p.add_argument(
        "--method",
        choices=("fit", "abc"),
        default="fit",
        help="fit: one best point (an overlay); abc: an ensemble of parameter sets by ABC-SMC "
        "(pyabc), written as an ensemble file (default: fit)",
    )
    p.add_argument(
        "--population",
        type=_count(10, 2000),
        default=None,
        help="abc: parameter sets per generation, 10-2000 (default 100)",
    )
    p.add_argument(
        "--generations",
        type=_count(1, 30),
        default=None,
        help="abc: ABC-SMC generations, 1-30 (default 8)",
    )
    add_quiet(p)
    return p


def _count(lo: int, hi: int):  # type: ignore[no-untyped-def]
    """An argparse type: a whole number from ``lo`` to ``hi``."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is outside {lo}-{hi}")
        return v

    return parse


def execute(args: argparse.Namespace) -> int:
    from sim.bundle import atomic_write_text
    from sim.scenario.loader import load_scenario
    from sim.validate.calibrate import (
        calibrate,
        check_overlay_target,
        overlay_text,
        read_spec,
        relative_extends,
    )
    from sim.validate.hindcast import prepare
    from sim.validate.rolling import check_not_frozen

    spec = read_spec(args.parameters)
    setup = prepare(
        args.scenario,
        args.observed,
        args.blocs,
        args.fit_period,
        option="--fit-period",
        persistence=False,
    )
    check_not_frozen(setup.period)
    target = args.extends or Path(args.scenario)
    if args.extends is not None:
        load_scenario(args.extends)  # the overlay's parent must be a valid scenario
    out = args.out or Path("results") / "calibration" / f"{setup.scenario.name}-{setup.period}.yaml"
    check_overlay_target(out, args.force)
    if args.method == "abc":
        return _abc(args, spec, setup, out)
    if args.population is not None or args.generations is not None:
        from sim.errors import UserError

        raise UserError("--population and --generations set ABC-SMC: add --method abc")
    budget = spec.design + spec.max_evaluations
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(
            total=budget, desc=f"calibrate {setup.scenario.name}", unit="eval", file=sys.stderr
        )

    def tick(done: int, total: int) -> None:
        assert bar is not None  # passed on only with a bar
        bar.n = done
        bar.refresh()

    fit = calibrate(setup, spec, seed=args.seed, progress=tick if bar else None)
    if bar:
        bar.close()
    command = " ".join(["run_sim.py"] + sys.argv[1:])
    text = overlay_text(
        fit,
        relative_extends(target, out),
        scenario=setup.scenario.name,
        period=str(setup.period),
        loss=spec.loss,
        command=command,
    )
    atomic_write_text(out, text)
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": setup.scenario.name,
                    "fit_period": str(setup.period),
                    "loss": spec.loss,
                    "parameters": fit.parameters,
                    "fitted_loss": fit.loss,
                    "mae_pp": fit.mae_pp,
                    "weighted_mae_pp": fit.weighted_mae_pp,
                    "default_loss": fit.default_loss,
                    "evaluations": fit.evaluations,
                    "optimizer": fit.optimizer,
                    "overlay": str(out),
                }
            )
        )
        return 0
    print(f"calibrate {setup.scenario.name} on {setup.period} ({spec.loss} MAE of bloc shares, pp)")
    print(f"  scenario's own values: loss {fit.default_loss:.2f}")
    print(
        f"  fitted:                loss {fit.loss:.2f} (MAE {fit.mae_pp:.2f}, "
        f"weighted {fit.weighted_mae_pp:.2f}) after {len(fit.evaluations) - 1} evaluations "
        f"({fit.optimizer.get('message', '')})"
    )
    for k, v in fit.parameters.items():
        lo, hi = spec.ranges[k]
        edge = (
            " (at the lower bound)"
            if v <= lo + 1e-6 * (hi - lo)
            else " (at the upper bound)"
            if v >= hi - 1e-6 * (hi - lo)
            else ""
        )
        print(f"  {k:<28} {v:10.4f}   range [{lo:g}, {hi:g}]{edge}")
    print(f"\noverlay: {out}  (score it on a later window: run_sim.py hindcast ... --fitted {out})")
    return 0


def _abc(args: argparse.Namespace, spec, setup, out: Path) -> int:  # type: ignore[no-untyped-def]
    """``--method abc``: an ensemble file instead of an overlay."""
    from sim.bundle import atomic_write_text
    from sim.validate.ensemble import abc_fit, ensemble_text

    # ABC-SMC's number of evaluations is not known in advance: the bar counts them, no total
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(desc=f"calibrate {setup.scenario.name} (ABC-SMC)", unit="eval", file=sys.stderr)

    def tick(done: int) -> None:
        assert bar is not None
        bar.update(done - bar.n)

    try:
        fit = abc_fit(
            setup,
            spec,
            population=args.population or ABC_POPULATION,
            generations=args.generations or ABC_GENERATIONS,
            seed=args.seed,
            progress=tick if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.close()
    command = " ".join(["run_sim.py"] + sys.argv[1:])
    eps = ", ".join(f"{e:.2f}" for e in fit.epsilons)
    header = [
        "Parameter ensemble written by `python run_sim.py calibrate --method abc`"
        " (sim/validate/ensemble.py).",
        f"ABC-SMC (pyabc) on {setup.scenario.name}, window {setup.period}; distance = the "
        f"{spec.loss} MAE of bloc shares (pp); uniform priors over the ranges of "
        f"{args.parameters}.",
        f"{len(fit.ensemble)} sets per generation, {len(fit.epsilons)} generations, "
        f"{fit.evaluations} model evaluations; epsilon by generation (pp): {eps}.",
        "Use it with `run --ensemble FILE` or `compare --ensemble FILE`: bands then cover"
        " seeds and these parameters.",
        f"Command: {command}",
    ]
    atomic_write_text(out, ensemble_text(fit.ensemble, header))
    ens = fit.ensemble
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": setup.scenario.name,
                    "fit_period": str(setup.period),
                    "method": "abc",
                    "loss": spec.loss,
                    "parameters": list(ens.names),
                    "sets": ens.sets.tolist(),
                    "weights": ens.weights.tolist(),
                    "epsilons": fit.epsilons,
                    "evaluations": fit.evaluations,
                    "ensemble": str(out),
                }
            )
        )
        return 0
    print(f"ABC-SMC ensemble of {len(ens)} sets on {setup.scenario.name}, {setup.period}")
    print(f"  epsilon by generation (pp): {eps}")
    for j, n in enumerate(ens.names):
        v = ens.sets[:, j]
        mean = float((v * ens.weights).sum())
        lo, hi = (float(x) for x in np.quantile(v, [0.05, 0.95]))
        print(f"  {n:<28} mean {mean:8.3f}   5-95% of sets {lo:.3f} .. {hi:.3f}")
    print(f"\nensemble: {out}  (use it: run_sim.py compare ... --ensemble {out})")
    return 0
