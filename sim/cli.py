"""Command-line interface: ``python run_sim.py COMMAND ...`` (argument parsing and exit codes only).

Exit codes: 0 success, 2 user error (bad input or arguments), 1 internal error. Each command
lives in :mod:`sim.commands` as a module with ``register(subparsers)`` and ``execute(args)``;
heavy libraries load only when a command runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

COMMANDS: tuple[str, ...] = (
    "run",
    "validate",
    "describe",
    "sweep",
    "analyze",
    "ui",
    "hindcast",
    "hindcast-rolling",
    "calibrate",
    "compare",
    "list",
    "schema",
    "tournament",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="run_sim.py",
        description="multivector: agent-based simulation of multi-vector diplomacy "
        "(arms suppliers, trade, sanctions, supplier dependence).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        mod = importlib.import_module(f"sim.commands.{name.replace('-', '_')}")
        p = mod.register(sub)
        p.set_defaults(_execute=mod.execute)
    return parser


def script() -> None:
    """The ``run_sim.py`` script and the ``multivector`` command: :func:`main`, then exit.

    Before the interpreter ends, every object is frozen out of the cyclic garbage collector
    (:func:`gc.freeze`): its final collections over all of numba's, pandas' and the model's
    objects take about 0.2 s and free nothing a finished process needs (everything is
    written and closed by then). :func:`main` itself does not, so callers in a longer-lived
    process (tests, notebooks) keep a normal collector.
    """
    import gc
    import os

    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away at the very end: exit quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = code or 141
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    from sim.errors import UserError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or usage error (2)
        return int(e.code or 0)
    try:
        return int(args._execute(args) or 0)
    except UserError as e:
        for line in e.lines():
            print(f"error: {line}", file=sys.stderr)
        return int(getattr(e, "exit_code", 2))  # OutputError: 1 for faults of the machine
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``... | head``): stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
        return 141
    except Exception:  # noqa: BLE001 - the one place internal errors are reported
        traceback.print_exc()
        print(
            "internal error: this is a bug in multivector; please report it with the "
            "traceback above",
            file=sys.stderr,
        )
        return 1
