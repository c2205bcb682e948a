"""The scenario library: every shipped what-if moves the metrics it claims, in the claimed
direction.

Each library scenario's ``metadata.description`` says in words what it is expected to do; the
table :data:`CLAIMS` says the same in numbers: a metric of a state (and partner) at a date moves
``up``, ``down`` or not at all (``same``) against a reference scenario (the baseline unless
named), on common random numbers, in every replicate. A claim's ``words`` must appear in the
scenario's description, so text and table stay together.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from sim.cli import main
from sim.report.compare import compare
from sim.scenario.overlay import MergedDoc, resolve_extends

LIB = Path(__file__).resolve().parent.parent / "scenarios"
REPLICATES = 3


class Claim(NamedTuple):
    scenario: str
    metric: str
    state: str
    partner: str
    date: str
    direction: str  # up, down, same
    words: str  # must appear in the scenario's description
    versus: str = "baseline"


# fmt: off
CLAIMS: list[Claim] = [
    Claim("sanctions_escalation", "compliance", "KAZ", "RUS", "2025-Q4", "up", "higher compliance"),
    Claim("sanctions_escalation", "capacity", "RUS", "", "2025-Q4", "down", "lower capacity"),
    Claim("sanctions_escalation", "arms_share", "KAZ", "RUS", "2030-Q4", "down", "smaller Russian share"),
    Claim("sanctions_lifted_2025", "capacity", "RUS", "", "2027-Q4", "up", "higher capacity after 2025"),
    Claim("sanctions_lifted_2025", "compliance", "KAZ", "RUS", "2027-Q4", "down", "compliance to fade"),
    Claim("sanctions_lifted_2025", "arms_share", "KAZ", "RUS", "2030-Q4", "up", "Russia to hold more"),
    Claim("anka_scaled_up", "arms_share", "KAZ", "TUR", "2030-Q4", "up", "Turkiye's share"),
    Claim("anka_scaled_up", "arms_share", "KAZ", "RUS", "2030-Q4", "down", "Russia's to fall"),
    Claim("anka_scaled_up", "pressure", "KAZ", "RUS", "2030-Q4", "up", "more Russian pressure"),
    Claim("russian_pressure", "pressure", "KAZ", "RUS", "2025-Q4", "up", "higher Russian pressure"),
    Claim("russian_pressure", "arms_share", "KAZ", "RUS", "2030-Q4", "up", "larger Russian share"),
    Claim("china_security_pivot", "arms_share", "KAZ", "CHN", "2030-Q4", "up", "China's share"),
    Claim("china_security_pivot", "arms_share", "TJK", "CHN", "2030-Q4", "up", "Tajikistan"),
    Claim("china_security_pivot", "arms_share", "KGZ", "CHN", "2030-Q4", "up", "Kyrgyzstan"),
    Claim("china_security_pivot", "arms_share", "TJK", "RUS", "2030-Q4", "down", "Russia's to fall"),
    Claim("afghanistan_spillover", "threat", "TJK", "", "2025-Q4", "up", "higher threat"),
    Claim("afghanistan_spillover", "threat", "UZB", "", "2025-Q4", "up", "higher threat"),
    Claim("afghanistan_spillover", "threat", "TKM", "", "2025-Q4", "up", "higher threat"),
    Claim("afghanistan_spillover", "arms_budget", "TJK", "", "2025-Q4", "up", "arms budgets"),
    Claim("afghanistan_spillover", "arms_budget", "UZB", "", "2025-Q4", "up", "arms budgets"),
    Claim("afghanistan_spillover", "arms_budget", "TKM", "", "2025-Q4", "up", "arms budgets"),
    Claim("border_war", "threat", "KGZ", "", "2025-Q4", "up", "higher threat"),
    Claim("border_war", "threat", "TJK", "", "2025-Q4", "up", "higher threat"),
    Claim("border_war", "arms_budget", "KGZ", "", "2025-Q4", "up", "higher arms"),
    Claim("border_war", "arms_budget", "TJK", "", "2025-Q4", "up", "higher arms"),
    Claim("uzbekistan_autarky", "arms_share", "UZB", "UZB", "2030-Q4", "up", "own share"),
    Claim("uzbekistan_autarky", "capacity", "UZB", "", "2030-Q4", "up", "production capacity"),
    Claim("uzbekistan_autarky", "arms_share", "UZB", "RUS", "2030-Q4", "down", "Russia's share in Uzbekistan to fall"),
    Claim("nato_blocks_turkey", "arms_share", "KAZ", "TUR", "2030-Q4", "same", "nothing changes"),
    Claim("turkey_assists_kazakhstan", "arms_share", "KAZ", "TUR", "2030-Q4", "up", "share", "nato_blocks_turkey"),
    Claim("turkey_assists_kazakhstan", "arms_share", "KAZ", "TUR", "2030-Q4", "up", "above the baseline"),
    Claim("teach_kaz_multi_vector", "arms_share", "KAZ", "RUS", "2030-Q4", "same", "as in the baseline"),
    Claim("teach_kaz_bandwagon", "arms_hhi", "KAZ", "", "2030-Q4", "up", "more concentrated", "teach_kaz_multi_vector"),
    Claim("teach_kaz_bandwagon", "arms_share", "KAZ", "RUS", "2030-Q4", "up", "Russia keeps a larger share", "teach_kaz_multi_vector"),
    Claim("teach_kaz_balance", "arms_share", "KAZ", "RUS", "2030-Q4", "down", "share of its arms falls", "teach_kaz_multi_vector"),
    Claim("teach_kaz_autarky", "arms_share", "KAZ", "KAZ", "2030-Q4", "up", "own share", "teach_kaz_multi_vector"),
    Claim("teach_kaz_autarky", "capacity", "KAZ", "", "2030-Q4", "up", "production capacity", "teach_kaz_multi_vector"),
]
# fmt: on
LIBRARY = sorted({c.scenario for c in CLAIMS})
DATES = sorted({c.date for c in CLAIMS})


def overlays() -> list[str]:
    """Stems of the shipped scenario files that are overlays on the baseline (directly or not)."""
    out = []
    for f in sorted(LIB.glob("*.yaml")):
        doc = resolve_extends(f)
        if isinstance(doc, MergedDoc) and Path(doc.chain[-1]).name == "baseline.yaml":
            out.append(f.stem)
    return out


@pytest.fixture(scope="module")
def comp():
    """All library scenarios against the baseline, on common random numbers."""
    return compare(
        LIB / "baseline.yaml",
        [LIB / f"{s}.yaml" for s in LIBRARY],
        replicates=REPLICATES,
        at=",".join(DATES),
    )


def test_every_overlay_has_claims_and_every_claim_a_file():
    assert set(overlays()) == set(LIBRARY)


def _diffs(comp, c: Claim):
    p = comp.paired
    sel = (
        (p["metric"] == c.metric)
        & (p["state"] == c.state)
        & (p["partner"] == c.partner)
        & (p["date"] == c.date)
    )

    def one(name: str):
        x = p[sel & (p["scenario"] == name)].sort_values("replicate")
        assert len(x) == REPLICATES, f"no {c.metric} {c.state}/{c.partner} at {c.date} in {name}"
        return x["diff"].to_numpy()

    d = one(c.scenario)
    if c.versus != "baseline":
        d = d - one(c.versus)  # (a - base) - (b - base), per replicate
    return d


@pytest.mark.slow
@pytest.mark.parametrize(
    "claim",
    CLAIMS,
    ids=lambda c: (
        f"{c.scenario}-{c.metric}-{c.state}{'-' + c.partner if c.partner else ''}-{c.direction}"
    ),
)
def test_scenario_moves_metric_as_claimed(comp, claim):
    d = _diffs(comp, claim)
    if claim.direction == "same":
        assert (d == 0.0).all(), d
    elif claim.direction == "up":
        assert (d > 0).all(), d
    else:
        assert (d < 0).all(), d


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"{c.scenario}-{c.words}")
def test_description_states_the_claim(claim):
    from sim.scenario.loader import load_scenario

    desc = " ".join(load_scenario(LIB / f"{claim.scenario}.yaml").metadata.description.split())
    assert claim.words in desc, f"{claim.scenario}: description does not say {claim.words!r}"


def test_nato_blocks_turkey_event_fires_blocked_and_companion_passes():
    from sim.runner import run

    def tur_actions(name: str):
        ev = run(LIB / name, replicates=1).events  # a DataFrame, one row per fired event
        return ev[(ev["type"] == "alliance_action") & ev["summary"].str.contains("TUR")]

    blocked = tur_actions("nato_blocks_turkey.yaml")
    passed = tur_actions("turkey_assists_kazakhstan.yaml")
    assert len(blocked) and blocked["blocked"].iloc[0]
    assert "no NATO consensus" in blocked["summary"].iloc[0]
    assert len(passed) and not passed["blocked"].iloc[0]


def test_library_scenarios_have_questions_titles_and_narrated_events(baseline):
    from sim.scenario.loader import load_scenario

    for stem in LIBRARY:
        sc = load_scenario(LIB / f"{stem}.yaml")
        assert sc.name == stem, f"{stem}.yaml: metadata.name should be the file's stem"
        assert sc.metadata.title and len(sc.metadata.description) > 40
        assert all(e.narration for e in sc.events), f"{stem}: an event has no narration"
        assert sc.state_ids == baseline.state_ids and sc.time == baseline.time


def test_teaching_set_differs_only_in_kazakhstans_strategy(baseline):
    from sim.report.changes import diff
    from sim.scenario.loader import load_scenario

    base = {k: v for k, v in baseline.to_dict().items() if k != "metadata"}
    for strategy in ("multi_vector", "bandwagon", "balance", "autarky"):
        sc = load_scenario(LIB / f"teach_kaz_{strategy}.yaml")
        assert sc.states["KAZ"].strategy == strategy
        other = {k: v for k, v in sc.to_dict().items() if k != "metadata"}
        changes = [c.path for c in diff(base, other)]
        assert changes in ([], ["states.KAZ.strategy"]), changes


def test_list_shows_library_baseline_first(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("baseline ") and "baseline.yaml" in out[0]
    for stem in LIBRARY:
        line = next((x for x in out if x.startswith(stem + " ")), None)
        assert line is not None and f"{stem}.yaml" in line
        assert len(line.split(f"{stem}.yaml", 1)[1].strip()) > 20  # a one-line description


def test_list_reports_invalid_files_and_exits_2(tmp_path, capsys):
    (tmp_path / "ok.yaml").write_text((LIB / "baseline.yaml").read_text())
    (tmp_path / "bad.yaml").write_text("extends: missing.yaml\n")
    assert main(["list", str(tmp_path)]) == 2
    cap = capsys.readouterr()
    assert "baseline" in cap.out and "INVALID" in cap.err and "missing.yaml" in cap.err


def test_every_library_scenario_has_a_golden_summary():
    from tests import golden

    cases = {c.scenario: c for c in golden.CASES}
    for stem in overlays():
        case = cases.get(f"scenarios/{stem}.yaml")
        assert case is not None, f"add {stem} to tests/golden.py CASES"
        assert case.path.is_file(), f"regenerate: {golden.REGENERATE} -k {case.name}"
