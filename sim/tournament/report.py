"""The tournament's HTML report: the question, the leaderboard, the figures, how it was run."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

from sim.tournament.scores import SCORES

if TYPE_CHECKING:
    import pandas as pd

    from sim.tournament.spec import TournamentPlan


def write_report(
    store: Path, board: pd.DataFrame, figs: list[Path], plan: TournamentPlan, discovery: str = ""
) -> Path:
    """Write ``report.html`` (self-contained: figures inlined); returns its path."""
    sp = plan.spec
    cols = ["rank", "rank_lo", "rank_hi", "contestant"] + [f"{s.name}_mean" for s in SCORES]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for r in board[cols].itertuples(index=False):
        cells = "".join(
            f"<td>{v:.3f}</td>" if isinstance(v, float) else f"<td>{html.escape(str(v))}</td>"
            for v in r
        )
        body.append(f"<tr>{cells}</tr>")
    imgs = "".join(
        f'<figure><img alt="{html.escape(f.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(f.read_bytes()).decode()}"/><figcaption>{html.escape(f.stem)}'
        "</figcaption></figure>"
        for f in figs
    )
    scores = "".join(
        f"<li><b>{s.name}</b> ({html.escape(s.unit)}, {s.better} is better): "
        f"{html.escape(s.description)}</li>"
        for s in SCORES
    )
    contestants = "".join(
        f"<li><b>{html.escape(c.name)}</b>: {html.escape(spec)}</li>"
        for c, spec in zip(sp.contestants, plan.specs)
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>Tournament {html.escape(plan.name)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}
img{{max-width:100%}}</style></head><body>
<h1>Tournament {html.escape(plan.name)}</h1>
<p>{html.escape(sp.description)}</p>
<p>Focal: {html.escape(", ".join(sp.focal))} ({sp.mode}); base scenario
{html.escape(plan.scenario_path.name)}; master seed {sp.seed}. Every contestant faced the same
futures and random numbers (common random numbers). Ranked by the mean of
<b>{html.escape(sp.rank_by)}</b>; the rank range is 5-95 % over bootstrap resamples of the
futures.</p>
<h2>Leaderboard</h2><table><tr>{head}</tr>{"".join(body)}</table>
<p>Full table: leaderboard.csv (mean, worst-decile CVaR, regret and satisficing per score).</p>
<h2>Where the winner loses</h2><p>{html.escape(discovery)}</p>
<h2>Figures</h2>{imgs}
<h2>Contestants</h2><ul>{contestants}</ul>
<h2>Scores</h2><ul>{scores}</ul>
</body></html>
"""
    path = store / "report.html"
    tmp = path.with_name(".report.html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
