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
    """Baseline and 'calm' (no 2022 sanctions; Kazakhstan bandwagons)."""
    d = tmp_path_factory.mktemp("scenarios")
    base = ROOT / "scenarios" / "baseline.yaml"
    shutil.copy(base, d / "baseline.yaml")
    data = yaml.safe_load(base.read_text())
    data["metadata"].update(name="calm", title=CALM_TITLE, description="A test variant.")
    data["events"] = [e for e in data["events"] if e["type"] != "sanction_imposed"]
    data["states"]["KAZ"]["strategy"] = "bandwagon"
    (d / "calm.yaml").write_text(yaml.safe_dump(data))
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
            pg = browser.new_page(viewport={"width": 1600, "height": 1000})
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
    menu.filter(has_text=re.compile(f"^{option}$")).click()


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

    # move the diversification slider, Reset, run: the series change, the change is listed
    slider = pg.locator(".v-input", has_text="Kazakhstan: diversification")
    slider.locator(".v-slider__thumb-container").focus()
    pg.keyboard.press("End")
    _click(pg, "Reset")
    expect(pg.locator(".mv-changes")).to_contain_text("diversification weight 1.00")
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
    _pick(pg, "Scenario", "calm")
    _click(pg, "Reset")
    expect(pg.locator(".mv-title")).to_have_text(CALM_TITLE)
    _step_to(pg, labels, STEPS)
    calm = {cls: _img(pg, cls) for cls in charts}
    assert calm["mv-suppliers"] != after["mv-suppliers"]
    assert calm["mv-dependence"] != after["mv-dependence"]
    _shot(pg, "05_calm")

    # everything came from the local asset cache: the server never tried the public CDN
    log = (ARTIFACTS / "server.log").read_text()
    assert "Could not load URL" not in log, log[-2000:]
    assert "Traceback" not in log, log[-2000:]


def test_a_small_tournament_runs_live_on_its_own_tab(page):
    """Exercise 4 on the page: pick contestants and a state, run, read the leaderboard and one
    future at a time."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name=re.compile("1")).click()
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
