"""A small tournament for the classroom page: pick contestants and a state, run it live, read
the leaderboard and one future at a time (docs/teaching.md, exercise 4).

The page writes a tournament file for the chosen scenario (futures sampled over Russian
pressure and how far sanctions cut Russia's industry, ``parameters.*`` so that every scenario
has them) and runs it in-process with :func:`sim.tournament.engine.run_tournament`: the same
engine, scores and leaderboard as ``run_sim.py tournament``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

UNCERTAINTIES = (
    {"path": "parameters.pressure_strength", "name": "russian_pressure", "range": [0.5, 4.0]},
    {"path": "parameters.sanction_capacity_effect", "name": "sanctions_bite", "range": [0.2, 1.0]},
)
NAMES: tuple[str, ...] = ("russian_pressure", "sanctions_bite")
"""The uncertainties' column names, in order."""
MAX_FUTURES = 40


@dataclass
class Outcome:
    """A finished classroom tournament: the leaderboard, the scores per future (with the
    future's uncertainties), and what was asked."""

    board: pd.DataFrame
    scores: pd.DataFrame
    state: str
    rank_by: str


def classroom_tournament(
    scenario: Path, state: str, contestants: list[str], futures: int, seed: int = 1
) -> Outcome:
    """Run ``contestants`` (strategy names or FILE.py:Class) for ``state`` in ``futures``
    sampled futures of ``scenario``; one worker, nothing left on disk.

    Raises:
        UserError: no contestant, too many futures, or a tournament the engine refuses.
    """
    from sim.errors import UserError
    from sim.tournament.engine import run_tournament

    if not contestants:
        raise UserError("pick at least one contestant")
    if not 1 <= futures <= MAX_FUTURES:
        raise UserError(f"futures: 1 to {MAX_FUTURES} on the page")
    names = [c.rpartition(":")[2] if ":" in c else c for c in contestants]
    spec = {
        "name": "classroom",
        "scenario": str(Path(scenario).resolve()),
        "focal": [state],
        "contestants": [{"name": n, "strategy": c} for n, c in zip(names, contestants)],
        "futures": {"n": int(futures), "uncertainties": [dict(u) for u in UNCERTAINTIES]},
        "seed": int(seed),
        "rank_by": "final_top_share",
    }
    with tempfile.TemporaryDirectory(prefix="mv-tournament-") as d:
        f = Path(d) / "classroom.yaml"
        f.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        out = run_tournament(f, workers=1, out=Path(d) / "out", progress=False, log=lambda m: None)
        board = pd.read_csv(out / "leaderboard.csv")
        scores = pd.read_parquet(out / "scores.parquet")
        design = pd.read_parquet(out / "design.parquet").drop_duplicates("point")
    futures_table = design.set_index("point")[list(NAMES)]
    scores = scores.join(futures_table, on="point")
    return Outcome(board, scores, state, "final_top_share")


def leaderboard_html(o: Outcome) -> str:
    """The leaderboard as an HTML table (rank, contestant, the headline scores)."""
    import html

    cols = [
        ("final_top_share_mean", "largest foreign supplier, 2030 (mean)"),
        ("final_top_share_cvar10", "worst 10 % of futures"),
        ("final_top_share_regret", "regret"),
        ("security_mean", "security (mean)"),
        ("sanctions_exposure_mean", "sanctions exposure (mean)"),
    ]
    head = "<th>rank</th><th>contestant</th>" + "".join(
        f"<th>{html.escape(t)}</th>" for _, t in cols
    )
    rows = []
    for d in o.board.to_dict("records"):
        cells = "".join(f"<td>{d[c]:.2f}</td>" for c, _ in cols)
        rows.append(
            f"<tr><td>{d['rank']} ({d['rank_lo']}-{d['rank_hi']})</td>"
            f"<td><b>{html.escape(str(d['contestant']))}</b></td>{cells}</tr>"
        )
    return f"<table class='mv-board'><tr>{head}</tr>{''.join(rows)}</table>"


def future_html(o: Outcome, k: int) -> str:
    """One future: its uncertainties and every contestant's scores in it, best first."""
    import html

    f = o.scores[o.scores["point"] == k].sort_values(o.rank_by)
    if f.empty:
        return "<p>no such future</p>"
    first = f.iloc[0]
    what = ", ".join(f"{n.replace('_', ' ')} {first[n]:.2f}" for n in NAMES)
    rows = "".join(
        f"<tr><td>{html.escape(str(r['contestant']))}</td><td>{r[o.rank_by]:.2f}</td>"
        f"<td>{r['security']:.1f}</td></tr>"
        for r in f.to_dict("records")
    )
    return (
        f"<p>Future {k}: {html.escape(what)}</p><table class='mv-board'><tr><th>contestant"
        "</th><th>largest foreign supplier, 2030</th><th>security</th></tr>"
        f"{rows}</table>"
    )
