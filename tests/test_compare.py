"""compare: common random numbers, paired differences, the report bundle, and bad input."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.cli import main
from sim.errors import UserError
from sim.report.compare import compare, parse_at
from sim.scenario.generate import generate_scenario
from sim.seeds import replicate_seeds

LIB = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def small() -> dict:
    """A small generated world (fast to run), 3 years quarterly."""
    return generate_scenario(5, seed=3, years=3)


def test_self_comparison_is_exactly_zero(baseline):
    comp = compare(baseline, [baseline], replicates=3)
    assert comp.names == ["baseline", "baseline#2"]
    assert len(comp.paired) > 0
    assert (comp.paired["diff"] == 0.0).all()
    assert (comp.table["diff"] == 0.0).all() and (comp.table["q05"] == 0.0).all()
    from sim.report.effects import summary_lines

    assert "identical results in every replicate" in summary_lines(comp, "baseline#2")[0]


def test_every_scenario_runs_on_the_same_seeds(small):
    other = copy.deepcopy(small)
    other["parameters"] = {**other.get("parameters", {}), "pressure_strength": 4.0}
    comp = compare(small, [other], replicates=4, seed=11)
    expected = replicate_seeds(11, 4)
    assert comp.seeds == expected
    assert all(r.seeds == expected for r in comp.results)


def test_paired_differences_spread_less_than_unpaired(small):
    """Common random numbers: the paired difference cancels replicate noise."""
    other = copy.deepcopy(small)
    other["parameters"] = {**other.get("parameters", {}), "hedge_weight": 2.0}
    n = 12
    comp = compare(small, [other], replicates=n, seed=5)
    p = comp.paired
    last = p[(p["metric"] == "arms_share") & (p["step"] == p["step"].max())]
    last = last.astype({"state": str, "partner": str})
    wide_b = last.pivot_table(index=["state", "partner"], columns="replicate", values="base")
    wide_w = last.pivot_table(index=["state", "partner"], columns="replicate", values="value")
    paired = (wide_w - wide_b).std(axis=1)
    shifted = wide_w.to_numpy() - np.roll(wide_b.to_numpy(), 1, axis=1)  # other seed's baseline
    unpaired = shifted.std(axis=1, ddof=1)
    noisy = unpaired > 1e-6
    assert noisy.sum() >= 3, "the test world must have replicate noise"
    assert paired.to_numpy()[noisy].mean() < 0.5 * unpaired[noisy].mean()


def test_table_has_intervals_around_the_median(baseline_path):
    comp = compare(
        baseline_path, [str(LIB / "russian_pressure.yaml")], replicates=4, at="2025-Q4,2030-Q4"
    )
    t = comp.table
    assert set(t["date"]) == {"2025-Q4", "2030-Q4"}
    assert {"arms_share", "arms_hhi", "trade_share", "dependence"} <= set(t["metric"])
    assert (t["q05"] <= t["diff"] + 1e-12).all() and (t["diff"] <= t["q95"] + 1e-12).all()


@pytest.mark.parametrize(
    "text, expect",
    [
        ("2025-Q4", ["2025-Q4"]),
        ("2025-11, 2030-Q4", ["2025-Q4", "2030-Q4"]),
        ("2030", ["2030-Q1"]),
    ],
)
def test_parse_at(baseline, text, expect):
    assert parse_at(text, baseline) == expect


@pytest.mark.parametrize(
    "text, expect",
    [
        ("2035-Q1", "outside the run"),
        ("2019-Q4", "outside the run"),
        ("2025-Q5", "is not"),
        ("soon", "is not"),
        ("2025-Q4,,", "empty date"),
    ],
)
def test_parse_at_rejects(baseline, text, expect):
    with pytest.raises(UserError) as ei:
        parse_at(text, baseline)
    assert any(expect in line for line in ei.value.lines())


def test_default_at_is_middle_and_end(baseline):
    assert parse_at(None, baseline) == ["2025-Q4", "2030-Q4"]


@pytest.mark.slow
def test_cli_writes_report_with_sections_and_figures(tmp_path, baseline_path, capsys):
    out = tmp_path / "rep"
    rc = main(
        [
            "compare",
            str(baseline_path),
            str(LIB / "anka_scaled_up.yaml"),
            str(LIB / "border_war.yaml"),
            "--replicates",
            "3",
            "--seed",
            "7",
            "--at",
            "2025-Q4,2030-Q4",
            "--focus",
            "arms_share:KAZ:RUS",
            "--focus",
            "trade:KAZ:CHN",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert "== anka_scaled_up" in printed and "== border_war" in printed
    # the focus leads each what-if's summary and table, whatever its size
    anka = printed[printed.index("== anka_scaled_up") : printed.index("== border_war")]
    lines = anka.splitlines()
    assert lines[1].strip() == "focus:"
    assert lines[2].strip().startswith("Kazakhstan's arms from Russia (share of its arms stock)")
    assert lines[3].strip().startswith("Kazakhstan's trade with China (US$ bn/yr)")
    assert lines[4].strip() == "largest clear effects:"
    rows = [ln.split() for ln in lines if re.match(r"\s+(arms_share|trade|pressure)\s", ln)]
    assert rows[0][:3] == ["arms_share", "KAZ", "RUS"] and rows[1][:3] == ["trade", "KAZ", "CHN"]
    assert "medians over the paired replicates" in anka
    assert re.search(r"\d%\s+[+-]\d+\.\d pt", anka)  # shares in %, their changes in points
    assert not re.search(r"\de[-+]\d", printed)  # no exponent notation
    assert "5-95% interval" in printed and "report:" in printed
    for f in (
        "report.html",
        "report.md",
        "differences.csv",
        "manifest.json",
        "summary.txt",
        "scenarios/baseline.yaml",
        "scenarios/anka_scaled_up.yaml",
    ):
        assert (out / f).is_file(), f
    pngs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert pngs == [
        "anka_scaled_up_difference.png",
        "anka_scaled_up_overlay.png",
        "border_war_difference.png",
        "border_war_overlay.png",
    ]
    html = (out / "report.html").read_text()
    md = (out / "report.md").read_text()
    for section in (
        "Questions",
        "Summary",
        "What each what-if changes",
        "Figures",
        "Differences at the chosen dates",
        "Method",
    ):
        assert f"<h2>{section}</h2>" in html and f"## {section}" in md
    # self-contained: four embedded PNGs, no external resources
    assert html.count('src="data:image/png;base64,') == 4
    assert not re.search(r'(src|href)="(?!data:)', html)
    for link in re.findall(r"\]\((figures/[^)]+\.png)\)", md):
        assert (out / link).is_file()
    assert len(re.findall(r"\]\((figures/[^)]+\.png)\)", md)) == 4
    # the differences table, per importer and supplier, with intervals
    assert "| metric | importer | supplier / partner | date |" in md
    assert "| arms_share | KAZ | TUR | 2030-Q4 |" in md
    man = json.loads((out / "manifest.json").read_text())
    assert man["replicate_seeds"] == replicate_seeds(7, 3)
    assert man["at"] == ["2025-Q4", "2030-Q4"]
    assert man["whatifs"] == ["anka_scaled_up", "border_war"]
    # the plain-language summary names the Anka effect on Turkiye's share in Kazakhstan
    assert "Kazakhstan's arms from Turkiye" in md
    # the report leads with the focus: summary, table rows, figure panels
    summary = md[md.index("## Summary") : md.index("## What each what-if changes")]
    assert summary.index("Kazakhstan's arms from Russia") < summary.index("Largest clear effects:")
    table = md[md.index("## Differences at the chosen dates") :]
    head = "| metric | importer | supplier / partner | date | baseline (median) |"
    assert head in table
    first = table[table.index(head) :].splitlines()[2]
    assert first.startswith("| arms_share | KAZ | RUS | 2025-Q4 |"), first
    assert not re.search(r"\de[-+]\d", md)
    from sim.report.effects import key_series
    from sim.report.figures import overlay_figure

    comp = compare(
        baseline_path,
        [LIB / "anka_scaled_up.yaml"],
        replicates=2,
        focus=["arms_share:KAZ:RUS"],
    )
    assert key_series(comp, "anka_scaled_up")[0] == ("arms_share", "KAZ", "RUS")
    fig = overlay_figure(comp, "anka_scaled_up")
    assert fig.axes[0].get_title() == "Kazakhstan's arms from Russia (share of its arms stock)"
    assert fig.axes[0].get_ylabel() == "share of arms stock (0-1)"


def _no_output(tmp_path) -> bool:
    return not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))


def test_cli_refuses_different_state_sets(tmp_path, baseline_path, capsys):
    f = tmp_path / "small.yaml"
    f.write_text(yaml.safe_dump(generate_scenario(4, seed=1, years=10)))
    rc = main(["compare", str(baseline_path), str(f), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "cannot be compared" in err
    assert "has states not in the baseline" in err and "lacks the baseline's states: KAZ" in err
    assert _no_output(tmp_path)


def test_cli_refuses_different_time_axes(tmp_path, baseline_path, capsys):
    f = tmp_path / "short.yaml"
    f.write_text(
        "extends: " + str(baseline_path) + "\ntime: {end: 2025-Q4}\n"
        "events-:\n  - {type: conflict, date: 2022-Q3}\n"
    )
    rc = main(["compare", str(baseline_path), str(f), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "time axis is 2021-Q1 to 2025-Q4 by quarter" in err
    assert "2021-Q1 to 2030-Q4" in err
    assert _no_output(tmp_path)


@pytest.mark.parametrize(
    "extra, expect",
    [
        (["--at", "2031-Q1"], "outside the run"),
        (["--at", "Q4-2025"], "is not a date"),
        (["--replicates", "0"], "must be from 1 to 1,000"),
    ],
)
def test_cli_bad_arguments(tmp_path, baseline_path, capsys, extra, expect):
    rc = main(
        [
            "compare",
            str(baseline_path),
            str(LIB / "border_war.yaml"),
            "--out",
            str(tmp_path / "out"),
            *extra,
        ]
    )
    assert rc == 2 and expect in capsys.readouterr().err
    assert _no_output(tmp_path)


def test_cli_broken_overlay_lists_problems_of_every_file(tmp_path, baseline_path, capsys):
    a = tmp_path / "a.yaml"
    a.write_text("extends: nowhere.yaml\n")
    b = tmp_path / "b.yaml"
    b.write_text(f"extends: {baseline_path}\nstates: {{KAZ: {{diversification: 3}}}}\n")
    rc = main(["compare", str(baseline_path), str(a), str(b), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "nowhere.yaml" in err and "b.yaml:2" in err
    assert _no_output(tmp_path)


def test_cli_refuses_existing_out(tmp_path, baseline_path, capsys):
    (tmp_path / "out").mkdir()
    rc = main(
        [
            "compare",
            str(baseline_path),
            str(LIB / "border_war.yaml"),
            "--out",
            str(tmp_path / "out"),
            "--replicates",
            "1",
        ]
    )
    assert rc == 2 and "already exists" in capsys.readouterr().err


def test_cli_progress_bar_counts_every_run_from_the_start(tmp_path, small, capsys):
    """The bar's total is every replicate of every scenario from its first frame (not 0/1 that
    grows), and it ends at that total."""
    f = tmp_path / "small.yaml"
    f.write_text(yaml.safe_dump(small), encoding="utf-8")
    rc = main(
        ["compare", str(f), str(f), str(f), "--replicates", "2", "--out", str(tmp_path / "o")]
    )
    assert rc == 0
    frames = re.findall(r"(\d+)/(\d+) \[", capsys.readouterr().err)
    assert frames, "no progress bar on stderr"
    assert {int(t) for _, t in frames} == {6}  # 3 scenarios x 2 replicates
    assert int(frames[0][0]) == 0 and int(frames[-1][0]) == 6
