"""Strategy tournaments: common random numbers, robust scores, leaderboards, bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.tournament.board import leaderboard, non_dominated
from sim.tournament.engine import run_tournament

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "corpus" / "sweeps" / "scenario" / "small.yaml"

BAD = '''
from sim import Policy, Strategy


class BuyTheSanctioned(Strategy):
    """Always buy from the most pressured, most sanctioned supplier (Russia), and ignore the
    sanctions on it: a deliberately bad contestant."""

    name = "buy_the_sanctioned"
    classifier = {"adaptive": False}

    def decide(self, me, world):
        return Policy(prefer={"RUS": 8.0}, precision=3.0, comply={"RUS": 0.0})
'''


def write(folder: Path, contestants: str, n: int = 12, extra: str = "") -> Path:
    """A small tournament on the sweep corpus' small scenario (Kazakhstan, Russia, Türkiye)."""
    (folder / "bad.py").write_text(BAD)
    f = folder / "t.yaml"
    items = textwrap.dedent(contestants).strip()
    body = (
        f"contestants: {items}\n"
        if items.startswith("[")
        else "contestants:\n" + textwrap.indent(items, "  ") + "\n"
    )
    f.write_text(
        f"name: small_tournament\nscenario: {SMALL}\nfocal: [KAZ]\n"
        + body
        + f"futures:\n  n: {n}\n  uncertainties:\n"
        "    - {path: 'sanctions[0].intensity', name: intensity, range: [0.2, 1.0]}\n"
        "    - {path: parameters.pressure_strength, name: pressure, range: [0.5, 4.0]}\n"
        "seed: 5\n" + extra
    )
    return f


FOUR = """\
- {name: multi_vector, strategy: multi_vector}
- {name: bandwagon, strategy: bandwagon}
- {name: autarky, strategy: autarky}
- {name: bad, strategy: bad.py:BuyTheSanctioned}
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("tour")
    f = write(d, FOUR)
    one = run_tournament(f, workers=1, out=d / "one", progress=False, log=lambda m: None)
    return f, one


def test_the_outputs_are_written(small):
    _, out = small
    for name in (
        "leaderboard.csv",
        "leaderboard.parquet",
        "leaderboard.md",
        "scores.parquet",
        "report.html",
        "figures/score_distributions.png",
        "figures/regret_heatmap.png",
        "figures/tradeoff.png",
    ):
        assert (out / name).is_file(), name
    board = pd.read_csv(out / "leaderboard.csv")
    assert sorted(board["contestant"]) == ["autarky", "bad", "bandwagon", "multi_vector"]
    assert (board["rank_lo"] <= board["rank"]).all() and (board["rank"] <= board["rank_hi"]).all()
    assert "Tournament small_tournament" in (out / "leaderboard.md").read_text()


def test_the_leaderboard_is_identical_on_one_and_two_workers(small, tmp_path):
    f, one = small
    two = run_tournament(f, workers=2, out=tmp_path / "two", progress=False, log=lambda m: None)
    a, b = pd.read_csv(one / "leaderboard.csv"), pd.read_csv(two / "leaderboard.csv")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(
        pd.read_parquet(one / "scores.parquet"), pd.read_parquet(two / "scores.parquet")
    )


def test_every_contestant_faces_the_same_futures_and_seeds(small):
    _, out = small
    design = pd.read_parquet(out / "design.parquet")
    per = design.groupby("point")[["seed", "intensity", "pressure"]].nunique()
    assert (per == 1).all().all()  # one seed and one future per point, whoever plays
    assert design["seed"].nunique() == design["point"].nunique()


def test_a_deliberately_bad_contestant_ranks_last_on_dependence_and_exposure(small):
    _, out = small
    board = pd.read_csv(out / "leaderboard.csv").set_index("contestant")
    for score in ("final_top_share_mean", "final_dependence_mean", "sanctions_exposure_mean"):
        assert board[score].idxmax() == "bad", score
    assert board.loc["bad", "rank"] == len(board)


def test_a_strategy_against_itself_under_two_names_scores_the_same(tmp_path):
    f = write(
        tmp_path,
        """\
        - {name: hedger, strategy: multi_vector}
        - {name: same_hedger, strategy: multi_vector}
        - {name: follower, strategy: bandwagon}
        """,
        n=8,
    )
    out = run_tournament(f, workers=1, out=tmp_path / "o", progress=False, log=lambda m: None)
    s = pd.read_parquet(out / "scores.parquet")
    a = s[s["contestant"] == "hedger"].drop(columns="contestant").reset_index(drop=True)
    b = s[s["contestant"] == "same_hedger"].drop(columns="contestant").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    board = pd.read_csv(out / "leaderboard.csv").set_index("contestant")
    assert board.loc["hedger", "rank"] == board.loc["same_hedger", "rank"]


def test_resume_finishes_a_partial_tournament_with_the_same_result(small, tmp_path):
    import shutil

    f, one = small
    part = tmp_path / "part"
    run_tournament(f, workers=1, out=part, progress=False, log=lambda m: None)
    parts = sorted((part / "scalars").glob("part-*.parquet"))
    for p in parts[len(parts) // 2 :]:
        p.unlink()
    for name in ("leaderboard.csv", "report.html"):
        (part / name).unlink()
    shutil.rmtree(part / "figures")
    run_tournament(f, workers=1, out=part, resume=True, progress=False, log=lambda m: None)
    pd.testing.assert_frame_equal(
        pd.read_csv(one / "leaderboard.csv"), pd.read_csv(part / "leaderboard.csv")
    )


# ----------------------------------------------------------------------------- the statistics
def scores_table(values: dict[str, list[float]]) -> pd.DataFrame:
    from sim.tournament.scores import SCORE_NAMES

    rows = []
    for c, vs in values.items():
        for p, v in enumerate(vs):
            rows.append({"contestant": c, "point": p, **{s: v for s in SCORE_NAMES}})
    df = pd.DataFrame(rows)
    df["contestant"] = pd.Categorical(df["contestant"], categories=list(values), ordered=True)
    return df


def test_mean_worst_decile_regret_and_satisficing_by_hand():
    # 10 futures; A is better on average, B never loses by much
    a = [0.1] * 9 + [0.9]
    b = [0.3] * 10
    board = leaderboard(
        scores_table({"A": a, "B": b}), "final_top_share", {"final_top_share": 0.5}, seed=1
    ).set_index("contestant")
    assert board.loc["A", "final_top_share_mean"] == pytest.approx(0.18)
    assert board.loc["A", "final_top_share_cvar10"] == pytest.approx(0.9)  # worst 1 of 10
    assert board.loc["B", "final_top_share_cvar10"] == pytest.approx(0.3)
    assert board.loc["A", "final_top_share_regret"] == pytest.approx(0.6 / 10)
    assert board.loc["B", "final_top_share_regret"] == pytest.approx(0.2 * 9 / 10)
    assert board.loc["A", "final_top_share_max_regret"] == pytest.approx(0.6)
    assert board.loc["A", "final_top_share_satisficing"] == pytest.approx(0.9)
    assert board.loc["B", "final_top_share_satisficing"] == 1.0
    assert board.loc["A", "rank"] == 1 and board.loc["B", "rank"] == 2
    # security is "higher is better": the same numbers rank the other way, and A's worst
    # decile is its lowest values
    sec = leaderboard(scores_table({"A": a, "B": b}), "security", {}, seed=1)
    assert list(sec["contestant"]) == ["B", "A"]
    assert sec.set_index("contestant").loc["A", "security_cvar10"] == pytest.approx(0.1)


def test_ties_share_a_rank_and_the_trade_off_front_excludes_the_dominated():
    same = [0.2, 0.4, 0.3]
    board = leaderboard(
        scores_table({"A": same, "A2": same, "C": [0.5, 0.6, 0.7]}), "final_top_share", {}, seed=3
    ).set_index("contestant")
    assert board.loc["A", "rank"] == board.loc["A2", "rank"] == 1
    assert board.loc["C", "rank"] == 3
    b = pd.DataFrame(
        {
            "contestant": ["x", "y", "z"],
            "final_dependence_mean": [0.2, 0.3, 0.4],
            "security_mean": [10.0, 12.0, 5.0],
        }
    )
    assert non_dominated(b) == ["x", "y"]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "contestants, extra, field, fragment",
    [
        ("- {name: x, strategy: hedging}\n", "", "contestants[0].strategy", "unknown strategy"),
        ("- {name: x, strategy: gone.py:Nope}\n", "", "contestants[0].strategy", "not found"),
        ("[]\n", "", "contestants", "at least one"),
        ("- {name: x, strategy: multi_vector}\n", "", "futures.uncertainties[0]", "range low"),
        (
            "- {name: x, strategy: multi_vector}\n- {name: x, strategy: bandwagon}\n",
            "",
            "",
            "contestant names repeat",
        ),
        (
            "- {name: x, strategy: multi_vector, params: {weight: 2}}\n",
            "",
            "contestants[0].params",
            "unknown strategy parameter",
        ),
    ],
)
def test_a_bad_tournament_file_stops_before_running_with_one_clear_line(
    tmp_path, capsys, contestants, extra, field, fragment
):
    f = write(tmp_path, contestants)
    if "range low" in fragment:
        f.write_text(f.read_text().replace("range: [0.2, 1.0]", "range: [1.0, 0.2]"))
    out = tmp_path / "out"
    code = main(["tournament", str(f), "--out", str(out), "--quiet"])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert not out.exists()
    assert "Traceback" not in err
    assert fragment in err, err
    assert str(f) in err
    if field:
        assert field in err, err


def test_an_existing_folder_that_is_not_a_tournament_is_never_replaced(tmp_path, capsys):
    f = write(tmp_path, "- {name: x, strategy: multi_vector}\n", n=2)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert main(["tournament", str(f), "--out", str(out), "--force", "--quiet"]) == 2
    assert (out / "precious.txt").read_text() == "keep me"
    assert "not a tournament folder" in capsys.readouterr().err


@pytest.mark.slow
def test_the_shipped_example_tournament_runs_and_is_identical_on_two_workers(tmp_path, capsys):
    f = ROOT / "tournaments" / "kaz_balancing.yaml"
    assert (
        main(["tournament", str(f), "--out", str(tmp_path / "a"), "--workers", "1", "--quiet"]) == 0
    )
    assert (
        main(["tournament", str(f), "--out", str(tmp_path / "b"), "--workers", "2", "--quiet"]) == 0
    )
    out = capsys.readouterr().out
    assert "leaderboard" in out
    a, b = (pd.read_csv(tmp_path / x / "leaderboard.csv") for x in "ab")
    pd.testing.assert_frame_equal(a, b)
    scores = pd.read_parquet(tmp_path / "a" / "scores.parquet")
    assert scores["point"].nunique() >= 200 and scores["contestant"].nunique() == 6
    assert np.isfinite(scores.select_dtypes("number").to_numpy()).all()


def test_in_the_ecological_tournament_the_better_strategy_spreads(tmp_path):
    f = tmp_path / "evo.yaml"
    f.write_text(
        f"name: evo\nscenario: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
        "focal: [KAZ, KGZ, TKM, UZB]\nmode: each\n"
        "contestants:\n  - {name: follower, strategy: bandwagon}\n"
        "  - {name: hedger, strategy: balance}\n"
        "futures:\n  n: 6\n  uncertainties:\n"
        "    - {path: parameters.pressure_strength, name: pressure, range: [0.5, 4.0]}\n"
        "seed: 3\nevolution: {every: 2}\n"
    )
    out = run_tournament(f, workers=1, out=tmp_path / "o", progress=False, log=lambda m: None)
    spread = pd.read_csv(out / "evolution.csv")
    per_step = spread.groupby("step")["share"].sum()
    assert np.allclose(per_step, 1.0)
    first, last = spread["step"].min(), spread["step"].max()
    share = spread.set_index(["step", "contestant"])["share"]
    assert share[(first, "follower")] == pytest.approx(0.5)  # dealt round-robin
    assert share[(last, "follower")] < share[(first, "follower")]
    assert share[(last, "hedger")] > share[(first, "hedger")]
    assert (out / "figures" / "evolution.png").is_file()
    assert "Ecological tournament" in (out / "leaderboard.md").read_text()
    table = pd.read_parquet(out / "evolution.parquet")
    again = run_tournament(f, workers=2, out=tmp_path / "p", progress=False, log=lambda m: None)
    pd.testing.assert_frame_equal(table, pd.read_parquet(again / "evolution.parquet"))


def test_evolution_needs_two_focal_states(tmp_path, capsys):
    f = write(tmp_path, "- {name: x, strategy: multi_vector}\n", extra="evolution: {every: 2}\n")
    assert main(["tournament", str(f), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "evolution needs at least two focal states" in capsys.readouterr().err


@pytest.mark.parametrize(
    "edit, field, fragment",
    [
        (
            "    - {path: parameters.choice_noise, name: seed, range: [0.1, 0.3]}\n",
            "futures.uncertainties[2].name",
            "is reserved",
        ),
        (
            "    - {path: parameters.choice_noise, name: contestant, range: [0.1, 0.3]}\n",
            "futures.uncertainties[2].name",
            "is reserved",
        ),
        (
            "    - {path: time.end, name: end, values: [2025-Q1, 2025-Q2]}\n",
            "futures.uncertainties[2].path",
            "cannot vary between futures",
        ),
        (
            "    - {path: states.KAZ.strategy, name: s, values: [bandwagon]}\n",
            "futures.uncertainties[2].path",
            "the contestants set the focal states' strategies",
        ),
    ],
)
def test_uncertainties_that_cannot_vary_are_refused_before_running(
    tmp_path, capsys, edit, field, fragment
):
    f = write(tmp_path, "- {name: x, strategy: multi_vector}\n", n=2)
    f.write_text(f.read_text().replace("seed: 5\n", edit + "seed: 5\n"))
    assert main(["tournament", str(f), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert field in err and fragment in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "extra, fragment",
    [
        ("evolution: {every: 0.1}\n", "at least one step"),
        ("evolution: {every: 50}\n", "before the run ends"),
    ],
)
def test_an_evolution_period_outside_the_run_is_refused(tmp_path, capsys, extra, fragment):
    f = write(
        tmp_path,
        "- {name: x, strategy: multi_vector}\n- {name: y, strategy: balance}\n",
        n=2,
        extra=extra,
    )
    f.write_text(f.read_text().replace("focal: [KAZ]", "focal: [KAZ, TUR]"))
    assert main(["tournament", str(f), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert fragment in capsys.readouterr().err


def test_params_that_are_not_plain_data_are_refused_at_load(tmp_path, capsys):
    f = write(tmp_path, "- {name: x, strategy: multi_vector, params: {weight: 2022-01-01}}\n", n=2)
    assert main(["validate", str(f)]) == 2
    assert "must be plain data" in capsys.readouterr().err


def test_resume_refuses_a_changed_strategy_file(tmp_path, capsys):
    f = write(tmp_path, "- {name: bad, strategy: bad.py:BuyTheSanctioned}\n", n=2)
    out = tmp_path / "o"
    run_tournament(f, workers=1, out=out, progress=False, log=lambda m: None)
    (tmp_path / "bad.py").write_text(BAD.replace("8.0", "9.0"))
    assert main(["tournament", str(f), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "made from a different file, base scenario or strategy code" in capsys.readouterr().err


def test_futures_may_be_a_list_of_scenario_overlays(tmp_path):
    """One future per overlay file; the leaderboard names the futures the winner loses."""
    (tmp_path / "calm.yaml").write_text(
        f"extends: {SMALL}\nmetadata: {{name: calm}}\nparameters: {{pressure_strength: 0.2}}\n"
    )
    (tmp_path / "harsh.yaml").write_text(
        f"extends: {SMALL}\nmetadata: {{name: harsh}}\nparameters: {{pressure_strength: 4.0}}\n"
        "sanctions~:\n  - {match: west_2014, set: {intensity: 0.9}}\n"
    )
    f = tmp_path / "t.yaml"
    f.write_text(
        f"name: overlays\nscenario: {SMALL}\nfocal: [KAZ]\n"
        "contestants:\n  - {name: hedger, strategy: multi_vector}\n"
        "  - {name: follower, strategy: bandwagon}\n"
        "futures:\n  overlays: [calm.yaml, harsh.yaml]\nseed: 2\n"
    )
    out = run_tournament(f, workers=1, out=tmp_path / "o", progress=False, log=lambda m: None)
    scores = pd.read_parquet(out / "scores.parquet")
    design = pd.read_parquet(out / "design.parquet")
    assert sorted(design["future"].unique()) == ["calm", "harsh"]
    assert len(scores) == 4  # 2 contestants x 2 futures
    calm = design[design["future"] == "calm"]["point"].iloc[0]
    harsh = design[design["future"] == "harsh"]["point"].iloc[0]
    hedger = scores[scores["contestant"] == "hedger"].set_index("point")
    assert hedger.loc[calm, "final_top_share"] != hedger.loc[harsh, "final_top_share"]
    assert "futures" in (out / "leaderboard.md").read_text()


def test_overlay_and_uncertainty_futures_exclude_each_other(tmp_path, capsys):
    f = write(tmp_path, "- {name: x, strategy: multi_vector}\n", n=2)
    f.write_text(f.read_text().replace("futures:\n", "futures:\n  overlays: [a.yaml]\n"))
    assert main(["tournament", str(f), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "give uncertainties (sampled futures) or overlays" in capsys.readouterr().err
