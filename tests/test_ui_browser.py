"""The classroom page in a real browser: Debian chromium driven by playwright.

The server is started exactly as ``python run_sim.py ui`` starts it, on a free loopback port, with
a scenario folder holding the baseline and a variant (so the test does not depend on the library's
contents). Screenshots go to ``tests/artifacts/ui/`` (git-ignored). In CI (``CI`` set) a missing
browser is a failure; on a developer's machine it skips with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 150
UI_TIMEOUT_MS = 90_000
STEPS = 8  # periods run before comparing charts (past the 2022 shock of the baseline)
CALM_TITLE = "Calm: no 2022 sanctions, Kazakhstan bandwagons"
LESSON_TITLE = "Teaching: follow Russia"
HINDCAST_TITLE = "Hindcast: a test window"
PROJECTOR = {"width": 1280, "height": 720}


def _require_browser() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (Debian: apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright Python package is missing (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {problem}")
        pytest.skip(problem)


def _free_port() -> int:
    from sim.commands.ui import free_port

    return free_port("127.0.0.1")


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    """Baseline, 'calm' (no 2022 sanctions; Kazakhstan bandwagons), a lesson extending the
    baseline and a hindcast (which the classroom picker must not offer)."""
    d = tmp_path_factory.mktemp("scenarios")
    base = ROOT / "scenarios" / "baseline.yaml"
    shutil.copy(base, d / "baseline.yaml")
    data = yaml.safe_load(base.read_text())
    data["metadata"].update(name="calm", title=CALM_TITLE, description="A test variant.")
    data["events"] = [e for e in data["events"] if e["type"] != "sanction_imposed"]
    data["states"]["KAZ"]["strategy"] = "bandwagon"
    (d / "calm.yaml").write_text(yaml.safe_dump(data))
    (d / "teach_follow.yaml").write_text(
        "extends: baseline.yaml\n"
        f"metadata: {{name: teach_follow, title: '{LESSON_TITLE}'}}\n"
        "states: {KAZ: {strategy: bandwagon}}\n"
    )
    (d / "hindcast_test.yaml").write_text(
        f"extends: baseline.yaml\nmetadata: {{name: hindcast_test, title: '{HINDCAST_TITLE}'}}\n"
    )
    return d


@pytest.fixture(scope="module")
def server(scenarios):
    """``run_sim.py ui`` on a free loopback port; stopped by its PID (process group) at the end."""
    _require_browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    with open(ARTIFACTS / "server.log", "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "run_sim.py",
                "ui",
                "--port",
                str(port),
                "--scenarios",
                str(scenarios),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    pytest.fail(
                        f"server exited with {proc.returncode}: "
                        f"{(ARTIFACTS / 'server.log').read_text()[-2000:]}"
                    )
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"server not up after {START_TIMEOUT_S}s")
                time.sleep(0.5)
            yield url
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport=PROJECTOR)  # a classroom projector
            pg.set_default_timeout(UI_TIMEOUT_MS)
            pg.goto(server)
            pg.wait_for_selector(".mv-suppliers img")
            yield pg
        finally:
            browser.close()


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


DIGEST_JS = """async (e) => {
    const data = await (await fetch(e.src)).arrayBuffer();
    const d = await crypto.subtle.digest("SHA-256", data);
    return [data.byteLength, Array.from(new Uint8Array(d)).map(b => b.toString(16)).join("")];
}"""


def _img(pg, cls: str) -> tuple[int, str]:
    """(bytes, SHA-256) of a chart's image, once it has stopped changing."""
    loc = pg.locator(f".{cls} img").first
    last = None
    for _ in range(20):
        now = tuple(loc.evaluate(DIGEST_JS))
        if now == last:
            return now
        last = now
        time.sleep(0.7)
    return last


def _click(pg, name: str) -> None:
    pg.get_by_role("button", name=name, exact=True).click()


def _step_to(pg, labels: list[str], n: int) -> None:
    """Press Step until ``n`` periods have run (waiting for each date to show)."""
    from playwright.sync_api import expect

    done = (
        labels.index(pg.inner_text(".mv-date").strip()) + 1
        if pg.inner_text(".mv-date").strip() in labels
        else 0
    )
    for k in range(done, n):
        _click(pg, "Step")
        expect(pg.locator(".mv-date")).to_have_text(labels[k])


def _settled_date(pg, quiet_s: float = 2.5, limit_s: float = 60) -> str:
    """The date once it has stopped changing for ``quiet_s`` (a step in flight may still land)."""
    end = time.monotonic() + limit_s
    last = pg.inner_text(".mv-date")
    while time.monotonic() < end:
        time.sleep(quiet_s)
        now = pg.inner_text(".mv-date")
        if now == last:
            return now
        last = now
    pytest.fail(f"the date kept changing after pause (last {last})")


def _pick(pg, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar select labelled ``label``."""
    field = pg.locator(".v-select", has=pg.locator("label", has_text=re.compile(f"^{label}$")))
    field.locator(".v-select__slot").click()
    menu = pg.locator(".menuable__content__active .v-list-item")
    menu.filter(has_text=re.compile(f"^{re.escape(option)}$")).click()


def _slide(pg, name: str, key: str) -> None:
    """Move the sidebar slider ``name`` with a key (Home: its minimum, End: its maximum)."""
    pg.locator(f".mv-slider-{name} .v-slider__thumb-container").focus()
    pg.keyboard.press(key)


def _text(pg) -> str:
    return pg.locator("body").inner_text()


def test_the_page_fits_a_projector_without_generic_controls(page):
    """At 1280x720 the first chart is whole on screen and nothing covers it; mesa's generic
    controls and Solara's floating badge are gone (Solara is credited in the sidebar)."""
    pg = page
    _shot(pg, "00_projector")
    chart = pg.locator(".mv-suppliers img").first
    box = chart.bounding_box()
    assert box and box["width"] > 400, box
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= PROJECTOR["width"], box
    assert box["y"] + box["height"] <= PROJECTOR["height"], box
    title = pg.locator(".mv-title").bounding_box()
    assert title["y"] + title["height"] <= PROJECTOR["height"]
    # the chart is what shows at its corners and centre (no badge or menu over it)
    for fx, fy in ((0.02, 0.02), (0.98, 0.02), (0.02, 0.98), (0.98, 0.98), (0.5, 0.5)):
        x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        hit = pg.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y])
        assert hit == "IMG", (fx, fy, hit)
    text = _text(pg)
    for generic in ("Use Threads", "Render Interval", "Information", "Step:", "PAGE 0", "Page 0"):
        assert generic.lower() not in text.lower(), generic
    assert "runs on Solara" not in text
    assert "Solara" in pg.locator(".mv-credit").inner_text()
    tabs = [t.strip() for t in pg.get_by_role("tab").all_inner_texts()]
    assert [t.lower() for t in tabs] == ["the run", "tournament"]


def test_the_picker_lists_titles_in_groups_without_hindcasts(page, scenarios):
    from sim.scenario.loader import load_scenario

    pg = page
    from playwright.sync_api import expect

    pg.locator(".mv-scenario .v-select__slot").click()
    menu = pg.locator(".menuable__content__active")
    expect(menu).to_contain_text(CALM_TITLE)  # opened and filled (slower under load)
    time.sleep(0.5)  # the menu's opening transition
    expect_text = menu.inner_text()
    _shot(pg, "01_picker")
    pg.keyboard.press("Escape")
    lines = [x.strip() for x in expect_text.splitlines() if x.strip()]
    base = load_scenario(scenarios / "baseline.yaml").metadata.title
    assert lines == ["Teaching", LESSON_TITLE, "What-ifs", base, CALM_TITLE], lines
    assert HINDCAST_TITLE not in expect_text


def test_classroom_page(page, scenarios):
    """Load, step, slider + reset, play, scenario switch and event narration, in one session."""
    from playwright.sync_api import expect

    from sim.scenario.loader import load_scenario

    base = load_scenario(scenarios / "baseline.yaml")
    labels = base.time.axis.labels()
    pg = page
    _shot(pg, "01_loaded")

    # the page explains itself and shows the baseline
    expect(pg.locator(".mv-title")).to_have_text(base.metadata.title)
    expect(pg.locator(".mv-help")).to_contain_text("How to use")
    assert pg.inner_text(".mv-date").startswith("before")
    charts = ("mv-suppliers", "mv-network", "mv-dependence", "mv-trade")
    for cls in charts:  # real, non-empty images
        size, _ = _img(pg, cls)
        assert size > 5_000, cls
        width = pg.locator(f".{cls} img").first.evaluate("e => e.naturalWidth")
        assert width > 300, cls

    # Step advances the date; an event's narration appears when its date comes, not before
    narrated = [(labels.index(e.date), e.narration) for e in base.events if e.narration]
    at, text = min(narrated, key=lambda x: x[0] if x[0] > 0 else 10**9)
    assert text not in pg.inner_text(".mv-feed")
    _step_to(pg, labels, at)
    assert text not in pg.inner_text(".mv-feed")
    _step_to(pg, labels, at + 1)
    expect(pg.locator(".mv-event.mv-new").first).to_contain_text(text)
    _shot(pg, "02_event")

    _step_to(pg, labels, STEPS)
    before = {cls: _img(pg, cls) for cls in charts}
    _shot(pg, "03_baseline_run")

    # move the diversification slider (it shows its value and unit), Reset, run: the series
    # change, the change is listed in words
    slider = pg.locator(".mv-slider-kaz_diversification")
    expect(slider).to_contain_text(re.compile(r": 0\.\d\d of 1 \(as in the scenario\)"))
    _slide(pg, "kaz_diversification", "End")
    expect(slider).to_contain_text("Kazakhstan: diversification: 1.00 of 1")
    expect(pg.locator(".mv-pending")).to_be_visible()  # says Reset applies it
    _click(pg, "Reset")
    expect(pg.locator(".mv-pending")).to_have_count(0)
    expect(pg.locator(".mv-changes")).to_contain_text("many arms suppliers: 1.00")
    assert pg.inner_text(".mv-date").startswith("before")
    _step_to(pg, labels, STEPS)
    after = {cls: _img(pg, cls) for cls in charts}
    assert after["mv-suppliers"] != before["mv-suppliers"]
    assert after["mv-dependence"] != before["mv-dependence"]
    _shot(pg, "04_diversification")

    # Play runs on by itself; pressing it again pauses
    _click(pg, "▶")
    expect(pg.locator(".mv-date")).to_have_text(labels[STEPS + 1])
    _click(pg, "❚❚")
    expect(pg.get_by_role("button", name="▶", exact=True)).to_be_visible()
    paused = _settled_date(pg)
    time.sleep(3)
    assert pg.inner_text(".mv-date") == paused and labels.index(paused) > STEPS

    # switch scenario: the title and the series change
    _pick(pg, "Scenario", CALM_TITLE)
    _click(pg, "Reset")
    expect(pg.locator(".mv-title")).to_have_text(CALM_TITLE)
    _step_to(pg, labels, STEPS)
    calm = {cls: _img(pg, cls) for cls in charts}
    assert calm["mv-suppliers"] != after["mv-suppliers"]
    assert calm["mv-dependence"] != after["mv-dependence"]
    _shot(pg, "05_calm")

    # a lesson is compared with the scenario it extends
    _pick(pg, "Scenario", LESSON_TITLE)
    _click(pg, "Reset")
    expect(pg.locator(".mv-title")).to_have_text(LESSON_TITLE)
    expect(pg.locator(".mv-about")).to_contain_text(base.metadata.title)
    expect(pg.locator(".mv-about")).to_contain_text("this lesson starts from")

    # everything came from the local asset cache: the server never tried the public CDN
    log = (ARTIFACTS / "server.log").read_text()
    assert "Could not load URL" not in log, log[-2000:]
    assert "Traceback" not in log, log[-2000:]


def test_the_feed_follows_the_sanctions_as_changed(page, scenarios):
    """Sanctions at 0: the feed does not tell the scenario's 'sweeping sanctions', and 'Your
    changes' names the regime in words."""
    from playwright.sync_api import expect

    from sim.scenario.loader import load_scenario

    base = load_scenario(scenarios / "baseline.yaml")
    labels = base.time.axis.labels()
    imposed = next(e for e in base.events if e.type == "sanction_imposed")
    assert "sweeping sanctions" in imposed.narration  # what the feed must not say
    pg = page
    _pick(pg, "Scenario", base.metadata.title)
    _slide(pg, "kaz_diversification", "End")  # leave the others as the earlier tests left them
    _slide(pg, "sanctions_intensity", "Home")
    expect(pg.locator(".mv-slider-sanctions_intensity")).to_contain_text(
        "Sanctions intensity: 0.00 of 1"
    )
    _click(pg, "Reset")
    changes = pg.locator(".mv-changes")
    expect(changes).to_contain_text("sanctions on Russia by European Union and United States")
    assert imposed.id not in changes.inner_text()
    _step_to(pg, labels, labels.index(imposed.date) + 1)
    feed = pg.locator(".mv-feed")
    expect(feed).to_contain_text("no new sanctions on Russia")
    assert "sweeping sanctions" not in feed.inner_text()
    _shot(pg, "06_no_sanctions")


def test_at_the_end_play_and_step_say_the_run_is_over(page):
    from playwright.sync_api import expect

    pg = page
    _slide(pg, "pause", "Home")  # the shortest pause between quarters
    _click(pg, "▶")
    over = pg.get_by_role("button", name="▶ (run over)", exact=True)
    expect(over).to_be_visible()
    expect(over).to_be_disabled()
    step = pg.get_by_role("button", name="Step (run over)", exact=True)
    expect(step).to_be_disabled()
    expect(pg.locator(".mv-over")).to_contain_text("Press Reset to start again")
    reset = pg.get_by_role("button", name="Reset", exact=True)
    assert "mv-reset-now" in (reset.get_attribute("class") or "")
    _shot(pg, "07_run_over")
    # the longer labels stay inside the sidebar: it does not grow over the charts
    side = pg.locator(".v-navigation-drawer").first.bounding_box()
    main = pg.locator(".mv-grid").first.bounding_box()
    assert side["x"] + side["width"] <= main["x"], (side, main)
    reset.click()
    expect(pg.get_by_role("button", name="Step", exact=True)).to_be_enabled()
    assert "mv-reset-now" not in (reset.get_attribute("class") or "")


def test_a_small_tournament_runs_live_on_its_own_tab(page):
    """Exercise 4 on the page: pick contestants and a state, run, read the leaderboard and one
    future at a time."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name=re.compile("tournament", re.I)).click()
    expect(page.locator(".mv-tournament")).to_be_visible()
    page.get_by_role("button", name="Run the tournament").click()
    board = page.locator(".mv-tournament table.mv-board").first
    expect(board).to_be_visible()
    rows = board.locator("tr")
    expect(rows).to_have_count(5)  # a header and the four built-in contestants
    text = board.inner_text()
    for name in ("multi_vector", "bandwagon", "balance", "autarky"):
        assert name in text
    assert "Future 0:" in page.locator(".mv-tournament").inner_text()
    _shot(page, "tournament")
