"""``describe FILE``: print the fully resolved scenario and, for an overlay, what it changed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from sim.commands.argtypes import Subparsers

if TYPE_CHECKING:
    from sim.scenario.yamlsafe import YamlDoc


def register(sub: Subparsers) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "describe",
        help="print the resolved scenario (and what an overlay changes)",
        description="Print the fully resolved scenario as YAML, defaults included. For an "
        "overlay (a file with 'extends:'), also list what it changes from its parent, by dotted "
        "path, with the file and line where each change is written.",
    )
    p.add_argument("file", help="scenario YAML file")
    p.add_argument(
        "--changes-only",
        action="store_true",
        help="print only what the overlay changes, not the resolved scenario",
    )
    return p


def changes_text(doc: YamlDoc) -> str:
    """The 'what this overlay changes' block of a merged document (empty for a plain file).

    ``metadata`` is left out: an overlay's metadata is always its own.
    """
    from sim.report.changes import diff
    from sim.scenario.overlay import MergedDoc

    if not isinstance(doc, MergedDoc):
        return ""

    def strip(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if k != "metadata"}

    changes = diff(strip(doc.parent_data), strip(doc.data))
    lines = [
        f"# overlay chain: {' -> '.join(doc.chain)}",
        f"# {len(changes)} change(s) from its parent {doc.chain[1]}:",
    ]
    for c in changes:
        where = ""
        if c.kind != "removed":
            f, line = doc.origin(c.loc)
            where = f"   [{f}:{line}]" if line else f"   [{f}]"
        lines.append(f"#   {c}{where}")
    return "\n".join(lines) + "\n"


def execute(args: argparse.Namespace) -> int:
    from sim.scenario.loader import dump_yaml
    from sim.scenario.overlay import load_with_origins

    sc, doc = load_with_origins(args.file)
    block = changes_text(doc)
    if not args.changes_only:
        print(f"# {sc.name}: {sc.metadata.title or ''}".rstrip(": "))
        print(dump_yaml(sc), end="")
    if block:
        print(("\n" if not args.changes_only else "") + block, end="")
    elif args.changes_only:
        print(f"# {args.file} is not an overlay (no 'extends:'): nothing to compare")
    return 0
