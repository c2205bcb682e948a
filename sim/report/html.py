"""Render a compare report as one self-contained HTML file (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from sim.report.content import Section

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.82em;margin:.5em 0 1.2em}
th,td{border:1px solid #ddd;padding:.2em .5em;text-align:right}
th{background:#f4f4f4}td:nth-child(-n+4){text-align:left}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}code{background:#f4f4f4;padding:0 .2em}
"""


def _inline(text: str) -> str:
    """Escape text, then render **bold** and `code` (the only markup the content uses)."""
    t = html.escape(str(text))
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", t)


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


def render(title: str, sections: list[Section]) -> str:
    """The HTML document (no external resources)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for sec in sections:
        sid = re.sub(r"[^a-z0-9]+", "-", sec.title.lower()).strip("-")
        out.append(f'<section id="{sid}"><h2>{html.escape(sec.title)}</h2>')
        for kind, val in sec.blocks:
            if kind == "p":
                out.append(f"<p>{_inline(val)}</p>")
            elif kind == "list":
                out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in val) + "</ul>")
            elif kind == "table":
                head, rows = val
                out.append(
                    "<table><thead><tr>"
                    + "".join(f"<th>{html.escape(h)}</th>" for h in head)
                    + "</tr></thead><tbody>"
                )
                out += [
                    "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                    for r in rows
                ]
                out.append("</tbody></table>")
            elif kind == "figure":
                path, cap = val
                out.append(
                    f'<figure><img src="{_img(path)}" alt="{html.escape(cap)}">'
                    f"<figcaption>{_inline(cap)}</figcaption></figure>"
                )
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
