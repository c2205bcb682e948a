"""Figures of runs and comparisons: units, names, events, bands, axes, colours, legends, layout;
--focus; plain numbers and medians in tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim import plots
from sim.cli import main
from sim.errors import UserError
from sim.focus import Focus, parse_focus, plain, value_text
from sim.runner import run


@pytest.fixture(scope="module")
def results(baseline):
    return run(baseline, seed=5, replicates=3)


@pytest.fixture(scope="module")
def figures(results):
    figs = plots.run_figures(results, [Focus("arms_share", "KAZ", "RUS")])
    yield figs
    import matplotlib.pyplot as plt

    for f in figs.values():
        plt.close(f)


def data_axes(fig):
    return [ax for ax in fig.axes if ax.axison]


def tidy(values: dict[str, list[list[float]]], metric: str = "arms_hhi") -> pd.DataFrame:
    """A tidy table: state -> one list of values per replicate."""
    rows = []
    for st, reps in values.items():
        for r, vals in enumerate(reps):
            for step, v in enumerate(vals):
                rows.append((r, step, f"{2021 + step // 4}-Q{step % 4 + 1}", st, "", metric, v))
    return pd.DataFrame(
        rows, columns=["replicate", "step", "date", "state", "partner", "metric", "value"]
    )


# ----------------------------------------------------------------------------- colours
def test_one_fixed_colour_blind_safe_colour_per_actor_used_by_the_web_page_too():
    from sim.ui import views

    assert views.color is plots.color
    actors = ["RUS", "TUR", "CHN", "EU", "USA", "KAZ", "UZB", "KGZ", "TJK", "TKM"]
    cols = [plots.color(a) for a in actors]
    assert len(set(cols)) == len(actors)
    assert set(cols) <= {*plots.MUTED, plots.INK}  # Paul Tol's colour-blind-safe scheme + black
    assert plots.color("WEST") == plots.color("EU")  # the older hindcasts' bloc

    def lum(hexcol: str) -> float:
        r, g, b = (int(hexcol[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    # told apart even without hue (greyscale, full colour blindness)
    for a, b in (("TUR", "TKM"), ("RUS", "UZB"), ("EU", "USA")):
        assert abs(lum(plots.color(a)) - lum(plots.color(b))) > 0.15, (a, b)
    assert plots.color("NEW") == plots.color("NEW") in plots.MUTED  # stable for other ids


def test_stacked_areas_use_the_actor_colours(figures):
    from matplotlib.colors import to_hex

    leg = figures["arms_shares"].legends[0]
    names = {
        "Russia": "RUS",
        "Turkiye": "TUR",
        "China": "CHN",
        "European Union": "EU",
        "United States": "USA",
    }
    checked = 0
    for text, handle in zip(leg.get_texts(), leg.legend_handles):
        sid = names.get(text.get_text())
        if sid:
            assert to_hex(handle.get_facecolor()).upper() == plots.color(sid).upper()
            checked += 1
    assert checked == len(names)


# ----------------------------------------------------------------------------- labels, names
def test_every_panel_has_a_y_label_with_its_unit_and_full_state_names(figures):
    for name, fig in figures.items():
        for ax in data_axes(fig):
            assert re.search(r"\([^)]*(0-1|units|US\$)[^)]*\)(, log scale)?$", ax.get_ylabel()), (
                name,
                ax.get_ylabel(),
            )
    titles = [ax.get_title() for ax in data_axes(figures["arms_shares"])]
    assert "Kazakhstan" in titles and "KAZ" not in titles
    legend = [t.get_text() for t in figures["concentration_dependence"].legends[0].get_texts()]
    assert "Kazakhstan" in legend and "Uzbekistan" in legend and "KAZ" not in legend
    assert data_axes(figures["focus"])[0].get_title().startswith("Kazakhstan's arms from Russia")


def test_log_scales_say_so():
    ts = tidy({"A": [[1.0, 10.0, 100.0, 1000.0]]}, "capacity")
    fig = plots.series_panels(ts, [("capacity", "", "capacity")], ["A"], "t", 1, log=["capacity"])
    (ax,) = data_axes(fig)
    assert ax.get_yscale() == "log" and "log scale" in ax.get_ylabel()


def test_event_dates_are_marked_and_labelled_on_time_axes(results, figures):
    marks = plots.event_marks(results.fired)
    assert marks and all(not e.blocked for e in results.fired if e.step in {m.step for m in marks})
    for name, fig in figures.items():
        note = " ".join(t.get_text() for t in fig.texts)
        for ax in data_axes(fig):
            vlines = {
                round(float(ln.get_xdata()[0]))
                for ln in ax.get_lines()
                if ln.get_linestyle() == ":" and len(set(ln.get_xdata())) == 1
            }
            assert vlines == {m.step for m in marks}, name
            if ax.get_subplotspec().is_first_row():
                labels = {t.get_text() for t in ax.texts}
                assert {m.date for m in marks} <= labels, name
        assert "2022-Q1" in note and "sanction imposed" in note, name


# ----------------------------------------------------------------------------- bands, axes
def test_band_in_the_legend_only_when_wider_than_the_line():
    same = tidy({"A": [[0.2, 0.3, 0.4, 0.5]] * 3})
    spread = tidy({"A": [[0.2, 0.3, 0.4, 0.5], [0.3, 0.5, 0.6, 0.7], [0.1, 0.2, 0.3, 0.4]]})
    for ts, expect in ((same, "band narrower than the line"), (spread, "5-95% of 3 replicates")):
        fig = plots.series_panels(ts, [("arms_hhi", "", "hhi")], ["A"], "t", 3)
        texts = [t.get_text() for t in fig.legends[0].get_texts()]
        assert any(expect in t for t in texts), texts
        assert not any("5-95%" in t for t in texts) or expect.startswith("5-95%")


def test_shares_and_non_negative_axes_start_at_zero(figures):
    ts = tidy({"A": [[0.51, 0.52, 0.55, 0.6]]})
    fig = plots.series_panels(ts, [("arms_hhi", "", "hhi")], ["A"], "t", 1)
    assert data_axes(fig)[0].get_ylim()[0] == 0
    for name, fig in figures.items():
        for ax in data_axes(fig):
            if ax.get_yscale() == "linear":
                assert ax.get_ylim()[0] == 0, (name, ax.get_title())


def test_identical_lines_stay_visible():
    ts = tidy({"A": [[0.2, 0.3, 0.4, 0.5]], "B": [[0.2, 0.3, 0.4, 0.5]]})
    fig = plots.series_panels(ts, [("arms_hhi", "", "hhi")], ["A", "B"], "t", 1)
    a, b = (ln for ln in data_axes(fig)[0].get_lines() if len(set(ln.get_xdata())) > 1)
    assert np.array_equal(a.get_ydata(), b.get_ydata())
    assert a.get_linestyle() != b.get_linestyle()


def test_no_thin_strips_and_legends_off_the_data(figures):
    for name, fig in figures.items():
        w, h = fig.get_size_inches()
        assert w / h <= 2.5 and h >= 4, (name, w, h)
        renderer = fig.canvas.get_renderer()
        for ax in data_axes(fig):
            assert ax.get_legend() is None, name
            for leg in fig.legends:
                assert not leg.get_window_extent(renderer).overlaps(
                    ax.get_window_extent(renderer)
                ), name


def test_svg_on_request_holds_labels_and_event_dates(results, tmp_path):
    paths = plots.write_plots(
        results, tmp_path, focus=[Focus("threat", "KAZ")], formats=("png", "svg"), workers=0
    )
    assert paths[0].name == "focus.png"
    svg = (tmp_path / "arms_shares.svg").read_text(encoding="utf-8")
    for text in ("Kazakhstan", "share of arms stock (0-1)", "2022-Q1", "Russia"):
        assert text in svg, text


def test_parallel_drawing_writes_the_same_figures(results, tmp_path):
    serial = plots.write_plots(results, tmp_path / "a", workers=0)
    parallel = plots.write_plots(results, tmp_path / "b", workers=2)
    assert [p.name for p in serial] == [p.name for p in parallel]
    assert all(p.stat().st_size > 10_000 for p in parallel)
    assert not list((tmp_path / "b").glob("*.svg"))  # PNG only by default


# ----------------------------------------------------------------------------- numbers, focus
def test_plain_numbers():
    assert plain(7.81e-06) == "0.00000781"
    assert plain(1234567.0) == "1,234,567"
    assert value_text("arms_share", 0.598) == "59.8%"
    assert "e-" not in value_text("threat", 3.2e-7)


@pytest.mark.parametrize(
    "text, expect",
    [
        ("arms_shar:KAZ:RUS", "unknown metric 'arms_shar'; metrics: arms_share"),
        ("arms_share:KZ:RUS", "unknown state 'KZ'; states of this scenario:"),
        ("arms_share:KAZ:XX", "unknown partner 'XX'"),
        ("arms_share:KAZ", "arms_share is per partner: give arms_share:KAZ:PARTNER"),
        ("threat:KAZ:RUS", "threat is per state, not per partner: give threat:KAZ"),
        ("threat", "give METRIC:STATE"),
    ],
)
def test_focus_refuses_unknown_series_saying_what_is_allowed(baseline, text, expect):
    with pytest.raises(UserError) as e:
        parse_focus([text], baseline)
    assert expect in str(e.value.problems[0].message)


def test_focus_is_parsed_case_insensitively_in_order_without_duplicates(baseline):
    got = parse_focus(["arms_share:kaz:rus", "threat:KAZ", "arms_share:KAZ:RUS"], baseline)
    assert got == [Focus("arms_share", "KAZ", "RUS"), Focus("threat", "KAZ")]


@pytest.mark.parametrize("cmd", ["run", "compare"])
def test_cli_bad_focus_exit_2_before_anything_is_written(tmp_path, baseline_path, capsys, cmd):
    args = [cmd, str(baseline_path)] + ([str(baseline_path)] if cmd == "compare" else [])
    rc = main([*args, "--focus", "arms_share:KAZ:NOPE", "--out", str(tmp_path / "o")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "--focus" in err and "unknown partner 'NOPE'" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_cli_run_leads_with_the_focus(tmp_path, baseline_path, capsys):
    out = tmp_path / "r"
    rc = main(
        [
            "run",
            str(baseline_path),
            "--replicates",
            "2",
            "--focus",
            "arms_share:KAZ:RUS",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    first = printed.index("Kazakhstan's arms from Russia (share of its arms stock): ")
    assert first < printed.index("leading supplier (start)")
    assert "medians over 2 replicates" in printed
    assert re.search(r"arms stock\): \d+\.\d% in 2021-Q1 -> \d+\.\d% in 2030-Q4", printed)
    assert (out / "plots" / "focus.png").is_file()
    assert not list((out / "plots").glob("*.svg"))


def test_format_table_says_medians(results):
    from sim.summary import format_table

    assert format_table(results.summary, 3).startswith("medians over 3 replicates")
    assert "median" not in format_table(results.summary, 1)


def test_compare_figures_of_a_self_comparison_say_the_band_is_hidden_and_show_both_lines(
    baseline,
):
    """A scenario compared with itself: paired differences are exactly zero, so the difference
    figure says the band is narrower than the line instead of naming an invisible band; the two
    identical medians of the overlay stay visible (solid and dashed); shares are in points."""
    from sim.report.compare import compare
    from sim.report.figures import difference_figure, overlay_figure

    comp = compare(baseline, [baseline], replicates=2, focus=["arms_share:KAZ:RUS"])
    diff = difference_figure(comp, "baseline#2")
    texts = [t.get_text() for t in diff.legends[0].get_texts()]
    assert "paired replicates: band narrower than the line" in texts
    assert not any(t.startswith("5-95%") for t in texts)
    assert data_axes(diff)[0].get_ylabel() == "difference (percentage points)"
    over = overlay_figure(comp, "baseline#2")
    base, whatif = (ln for ln in data_axes(over)[0].get_lines() if len(set(ln.get_xdata())) > 1)
    assert np.array_equal(base.get_ydata(), whatif.get_ydata())
    assert base.get_linestyle() != whatif.get_linestyle()
