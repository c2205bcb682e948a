"""``list``: the scenario library, one line each (name, file, the question it answers);
``list strategies``: the built-in strategies and the user strategies that scenarios name."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.argtypes import Subparsers

if TYPE_CHECKING:
    from sim.strategies import Strategy


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "list",
        help="list the scenario library, or the strategies (list strategies)",
        description="List the scenario files of a folder (default: the shipped scenarios/), "
        "baseline first, with the question each answers. `list strategies [FILE ...]` lists "
        "the built-in strategies and the user strategies loaded from strategy files (.py) or "
        "named by scenario files or folders of them (default: scenarios/ and examples/). "
        "Exit 2 if any file is invalid.",
    )
    p.add_argument(
        "folder",
        nargs="?",
        default=None,
        help="folder of scenario files (default: the shipped scenarios/), or 'strategies'",
    )
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="with 'strategies': strategy files (.py), scenario files or folders",
    )
    p.add_argument("--long", action="store_true", help="print full descriptions")
    return p


def execute(args: argparse.Namespace) -> int:
    import shutil

    from sim.errors import UserError
    from sim.report.library import SCENARIO_DIR, catalogue, one_line

    if args.folder == "strategies":
        return list_strategies(args.files, args.long)
    if args.files:
        raise UserError("list takes one folder (or: list strategies FILE ...)")
    folder = Path(args.folder) if args.folder else SCENARIO_DIR
    if not Path(folder).is_dir():
        raise UserError(f"{folder}: not a folder of scenario files")
    entries = catalogue(folder)
    if not entries:
        print(f"no scenario files (*.yaml) in {folder}")
        return 0
    width = max(60, shutil.get_terminal_size((120, 20)).columns)
    wn = max(len(e.name or "?") for e in entries)
    wf = max(len(e.file.name) for e in entries)
    bad = 0
    for e in entries:
        head = f"{e.name or '?':<{wn}}  {e.file.name:<{wf}}  "
        if e.error:
            bad += 1
            print(f"{head}INVALID: {e.error}", file=sys.stderr)
            continue
        text = e.description or e.title or "(no description)"
        if args.long:
            via = f"[extends {e.extends}] " if e.extends else "[full scenario] "
            print(head + via + text)
        else:
            room = max(20, width - len(head)) if sys.stdout.isatty() else 10_000
            print(head + one_line(text, room))
    return 2 if bad else 0


def list_strategies(paths: list[Path], long: bool) -> int:
    """Print one line per strategy: its name or spec, family, whether it adapts, its summary."""
    from sim.report.library import SCENARIO_DIR
    from sim.strategies import BUILTIN, builtin_names
    from sim.strategies.loading import StrategyLoadError, load_strategy

    rows: list[tuple[str, type[Strategy]]] = [(n, BUILTIN[n]) for n in builtin_names()]
    bad = 0
    ex = SCENARIO_DIR.parent / "examples"
    targets = paths or [SCENARIO_DIR, ex, ex / "strategies"]
    for spec in _user_specs(targets):
        try:
            rows.append((spec, load_strategy(spec)))
        except StrategyLoadError as e:
            bad += 1
            print(f"INVALID: {e}", file=sys.stderr)
    seen = set()
    wn = max(len(_short(s)) for s, _ in rows)
    for spec, cls in rows:
        if spec in seen:
            continue
        seen.add(spec)
        c = cls.classifier
        doc = (cls.__doc__ or "").strip()
        text = doc if long else (doc.splitlines() or [""])[0]
        adapt = "adaptive" if c.get("adaptive") else "static"
        print(f"{_short(spec):<{wn}}  {c.get('family', ''):<9} {adapt:<8}  {text}")
    return 2 if bad else 0


def _short(spec: str) -> str:
    """A user spec with its path relative to the current folder where possible."""
    file, sep, cls = spec.rpartition(":")
    if not sep:
        return spec
    with contextlib.suppress(ValueError):  # elsewhere: the absolute path
        file = str(Path(file).resolve().relative_to(Path.cwd()))
    return f"{file}:{cls}"


def _user_specs(paths: list[Path]) -> list[str]:
    """``file.py:Class`` of every strategy class in the .py files given, and of every user
    strategy the scenario files (or folders of them) name."""
    from sim.errors import UserError
    from sim.scenario.loader import read_scenario_data
    from sim.strategies import Strategy, is_file_spec
    from sim.strategies.loading import StrategyLoadError, _import

    specs: list[str] = []
    expanded: list[Path] = []
    for path in paths:
        expanded += sorted(path.glob("*.py")) + [path] if path.is_dir() else [path]
    for path in expanded:
        if path.suffix == ".py":
            if not path.is_file():
                raise UserError(f"{path}: no such strategy file")
            try:
                module = _import(path.resolve())
            except StrategyLoadError as e:
                raise UserError(str(e)) from None
            specs += [
                f"{path.resolve()}:{k}"
                for k, v in vars(module).items()
                if isinstance(v, type)
                and issubclass(v, Strategy)
                and v.__module__ == module.__name__
            ]
            continue
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        for f in files:
            try:
                states = read_scenario_data(f).data.get("states") or {}
            except UserError:  # an invalid scenario: `list` and `validate` report it
                continue
            for st in states.values():
                spec = st.get("strategy") if isinstance(st, dict) else None
                if isinstance(spec, str) and is_file_spec(spec):
                    specs.append(spec)
    return specs
