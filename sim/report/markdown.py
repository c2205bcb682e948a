"""Render a compare report as Markdown (figures as relative links to PNG files)."""

from __future__ import annotations

from pathlib import Path

from sim.report.content import Section


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def render(title: str, sections: list[Section], root: Path) -> str:
    """Markdown text of the report; figure paths are written relative to ``root``."""
    out = [f"# {title}", ""]
    for sec in sections:
        out += [f"## {sec.title}", ""]
        for kind, val in sec.blocks:
            if kind == "p":
                out += [val, ""]
            elif kind == "list":
                out += [f"- {x}" for x in val] + [""]
            elif kind == "table":
                head, rows = val
                out.append("| " + " | ".join(_cell(h) for h in head) + " |")
                out.append("|" + "|".join("---" for _ in head) + "|")
                out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
                out.append("")
            elif kind == "figure":
                path, cap = val
                rel = Path(path).relative_to(root).as_posix()
                out += [f"![{cap}]({rel})", "", f"*{cap}*", ""]
    return "\n".join(out).rstrip() + "\n"
