"""``list``: the scenario library, one line each (name, file, the question it answers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "list", help="list the scenario library with one-line descriptions",
        description="List the scenario files of a folder (default: the shipped scenarios/), "
        "baseline first, with the question each answers. Exit 2 if any file is invalid.")
    p.add_argument("folder", nargs="?", type=Path, default=None,
                   help="folder of scenario files (default: the shipped scenarios/)")
    p.add_argument("--long", action="store_true", help="print full descriptions")
    return p


def execute(args: argparse.Namespace) -> int:
    import shutil

    from sim.errors import UserError
    from sim.report.library import SCENARIO_DIR, catalogue, one_line

    folder = args.folder or SCENARIO_DIR
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
