"""Keep the parameter tables of docs/ODD.md in sync with ``sim.scenario.parameters.Parameters``.

The ODD's tables are generated, never typed: each sits between two markers ::

    <!-- BEGIN params: group=threat -->
    ...generated table...
    <!-- END params -->

A marker selects parameters by ``group=G`` (the ``group`` in the parameter's schema metadata),
``prefix=P`` (names starting with P) and/or ``names=a,b,c`` (an explicit list, in that order);
several selectors are combined with "and" (``names`` alone is used as given).

Usage::

    python docs/_gen_params.py            # rewrite the tables in docs/ODD.md
    python docs/_gen_params.py --check    # exit 1 if a table is stale or a parameter is in none
    python docs/_gen_params.py --print threat   # print one group's table
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ODD = Path(__file__).resolve().parent / "ODD.md"
BLOCK = re.compile(
    r"(<!-- BEGIN params: (?P<spec>[^>]*?) -->\n)(?P<body>.*?)(<!-- END params -->)", re.DOTALL
)


def parameter_rows() -> list[dict]:
    """One dict per parameter: name, default, unit, lo, hi, meaning, group (declaration order)."""
    from sim.scenario.parameters import Parameters

    rows = []
    for name, f in Parameters.model_fields.items():
        extra = f.json_schema_extra or {}
        lo = hi = None
        for m in f.metadata:
            lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
            hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
        rows.append(
            {
                "name": name,
                "default": f.default,
                "unit": extra.get("unit", ""),
                "lo": lo,
                "hi": hi,
                "meaning": f.description or "",
                "group": extra.get("group", ""),
            }
        )
    return rows


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def select(rows: list[dict], spec: str) -> list[dict]:
    """Rows chosen by a marker's ``key=value`` selectors (see the module docstring)."""
    opts = dict(kv.split("=", 1) for kv in spec.split())
    unknown = set(opts) - {"group", "prefix", "names"}
    if unknown:
        raise ValueError(f"unknown selector(s) {sorted(unknown)} in marker {spec!r}")
    if "names" in opts:
        by = {r["name"]: r for r in rows}
        names = opts["names"].split(",")
        missing = [n for n in names if n not in by]
        if missing:
            raise ValueError(f"marker {spec!r} names unknown parameter(s) {missing}")
        out = [by[n] for n in names]
    else:
        out = rows
    if "group" in opts:
        out = [r for r in out if r["group"] == opts["group"]]
    if "prefix" in opts:
        out = [r for r in out if r["name"].startswith(opts["prefix"])]
    if not out:
        raise ValueError(f"marker {spec!r} selects no parameter")
    return out


def table(rows: list[dict]) -> str:
    """A Markdown table: name, default, unit, range, meaning."""
    lines = ["| name | default | unit | range | meaning |", "|---|---:|---|---|---|"]
    for r in rows:
        rng = f"{_num(r['lo'])} .. {_num(r['hi'])}"
        meaning = r["meaning"].replace("|", "\\|")
        lines.append(f"| `{r['name']}` | {_num(r['default'])} | {r['unit']} | {rng} | {meaning} |")
    return "\n".join(lines) + "\n"


def render(text: str) -> tuple[str, set[str]]:
    """``text`` with every marked table regenerated; also the names that appear in a table."""
    rows = parameter_rows()
    used: set[str] = set()

    def sub(m: re.Match) -> str:
        chosen = select(rows, m.group("spec"))
        used.update(r["name"] for r in chosen)
        return m.group(1) + table(chosen) + m.group(4)

    return BLOCK.sub(sub, text), used


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or ``--check``) the tables in docs/ODD.md; returns the exit code."""
    ap = argparse.ArgumentParser(description="Generate the parameter tables of docs/ODD.md.")
    ap.add_argument("--check", action="store_true", help="exit 1 if ODD.md is out of date")
    ap.add_argument("--print", metavar="GROUP", help="print the table of one group and exit")
    ap.add_argument("--file", type=Path, default=ODD, help="Markdown file to update")
    args = ap.parse_args(argv)
    if args.print:
        print(table(select(parameter_rows(), f"group={args.print}")), end="")
        return 0
    text = args.file.read_text(encoding="utf-8")
    new, used = render(text)
    missing = [r["name"] for r in parameter_rows() if r["name"] not in used]
    if args.check:
        ok = True
        if new != text:
            print(
                f"{args.file}: parameter tables are stale; run python docs/_gen_params.py",
                file=sys.stderr,
            )
            ok = False
        if missing:
            print(f"{args.file}: parameters in no table: {', '.join(missing)}", file=sys.stderr)
            ok = False
        return 0 if ok else 1
    if new != text:
        args.file.write_text(new, encoding="utf-8")
        print(f"updated {args.file}")
    if missing:
        print(f"warning: parameters in no table: {', '.join(missing)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
