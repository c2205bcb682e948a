"""The classroom web page (Solara): a sidebar of run controls and choices, and tabs for the run
and a small tournament, over :class:`~sim.ui.model.ClassroomModel`.

Serve it with ``python run_sim.py ui`` (or ``make ui``); a notebook can show ``Page()`` directly.
Sidebar: Reset, play/pause and Step (at the end of the run they say so, and Reset stands out),
the pause between quarters when playing, then the choices: scenario (by title, grouped; hindcasts
are not offered), the importer to follow, five "what if" sliders showing their value and unit, a
strategy per importer and the seed. Reset applies the choices. The run tab, laid out for a
1280x720 projector: title, date and changes with the event feed beside the followed importer's arms
suppliers, then the dependence lines, the arms-flow network, the trade chart and the help. Every
chart draws a reference run faintly, up to the current quarter only (see :mod:`sim.ui.views`).

The page is built from Solara components rather than mesa's ``SolaraViz`` frame, whose generic
controls (threads, render interval, a step counter, numbered pages) mean nothing in class and whose
buttons cannot say that the run is over.
"""

from __future__ import annotations

import hmac
import html
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import solara
import solara.lab

from sim.summary import importers
from sim.ui import assets, controls, library, views
from sim.ui.model import (
    OWN_PARAMETERS,
    PARAMETER_CHOICES,
    ClassroomModel,
    neutral,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

APP_NAME = "Multi-vector diplomacy in Central Asia: a classroom simulator"
PLAY_INTERVAL_MS = 400
PLAY_INTERVAL_RANGE_MS = (50, 2000, 50)  # min, max, step of the "pause between quarters"
CREDIT = "Runs on mesa and Solara."
RUN_OVER = "run over"

CSS = """
body, .v-application { font-size: 18px; }
.v-application .v-label, .v-application .v-select__selection, .v-slider__thumb-label,
.v-application .v-input input { font-size: 17px !important; }
.v-application .v-btn { font-size: 17px; }
.mv-card { font-size: 18px; line-height: 1.4; overflow-y: auto; padding: 4px 10px; }
.mv-title { font-size: 26px; font-weight: 700; margin: 2px 0 4px 0; line-height: 1.2; }
.mv-date { font-size: 38px; font-weight: 800; color: #1f4e79; margin: 0; line-height: 1.1; }
.mv-step { font-size: 17px; color: #555; }
.mv-desc { font-size: 17px; color: #333; }
.mv-settings, .mv-about { font-size: 16px; color: #555; }
.mv-changes li, .mv-notes li { font-size: 17px; }
.mv-notes { color: #a04000; }
.mv-event { border-left: 6px solid #c0c0c0; padding: 4px 10px; margin: 6px 0; font-size: 17px; }
.mv-event.mv-new { border-left-color: #c0392b; background: #fdf2e9; font-weight: 600; }
.mv-event .mv-event-date { font-weight: 700; margin-right: 8px; color: #1f4e79; }
.mv-plot img { max-width: 100%; height: auto; display: block; }
h2.mv-h { font-size: 22px; margin: 4px 0; }
table.mv-board { border-collapse: collapse; margin: 4px 0; }
table.mv-board th, table.mv-board td { padding: 2px 10px; text-align: right; font-size: 17px; }
table.mv-board th:nth-child(-n+2), table.mv-board td:nth-child(-n+2) { text-align: left; }
.mv-grid { display: grid; grid-template-columns: minmax(0, 4fr) minmax(0, 7fr); gap: 8px; }
.mv-slider .v-input__slot { flex-wrap: wrap; }
.mv-slider .v-input__slot > .v-label { flex: 1 0 100%; white-space: normal; height: auto;
  max-width: 100%; margin: 0 0 -4px 0; }
.mv-left { max-height: calc(100vh - 140px); min-height: 320px; overflow-y: auto; }
.mv-buttons { display: flex; flex-wrap: wrap; gap: 8px; justify-content: space-between; }
.mv-over { color: #a04000; font-weight: 700; font-size: 17px; }
.mv-pending { color: #1f4e79; font-weight: 600; font-size: 16px; }
.mv-credit { font-size: 13px; color: #777; margin-top: 8px; }
@keyframes mv-pulse { 0%, 100% { box-shadow: 0 0 0 0 rgba(192, 57, 43, 0.7); }
  50% { box-shadow: 0 0 0 8px rgba(192, 57, 43, 0); } }
.mv-reset-now { animation: mv-pulse 1.6s infinite; }
"""

#: How to use the page (HTML; solara.Markdown would fetch mermaid from a CDN).
HOW_TO = """<ol class="mv-howto">
<li><b>Pick a scenario</b> and, if you like, move the sliders or change a state's strategy.
A slider left where it starts keeps the scenario's own value.</li>
<li>Press <b>Reset</b> to apply your choices (nothing changes until you do).</li>
<li>Press <b>Step</b> for one quarter, or <b>&#9654;</b> to play (press again to pause).</li>
<li>Watch the <b>coloured</b> lines and areas: your run. The <b>faint</b> or dashed lines are the
reference (the header says which: the scenario without your changes, or the scenario a lesson
starts from), drawn only up to the current quarter, so predict first.</li>
<li>New events appear at the top of the <b>event feed</b> as they happen.</li>
</ol>"""


def _html(tag: str, text: str, cls: str) -> solara.Element[Any]:
    return solara.HTML(tag=tag, unsafe_innerHTML=html.escape(text), classes=[cls])


# ----------------------------------------------------------------------------- choices
def default_params() -> dict[str, Any]:
    """The choices a new page starts with, keyed by :class:`ClassroomModel`'s keywords."""
    lib = library.load_library()
    base = lib.get(library.BASELINE) or (lib.classroom or list(lib.entries))[0]
    imps = importers(library.scenario(base))
    params: dict[str, Any] = {
        "scenario_name": base.key,
        "focus": controls.FOCUS_STATE if controls.FOCUS_STATE in imps else imps[0],
        **neutral(),
        **{f"strategy_{sid}": controls.AS_IN_SCENARIO for sid in imps},
        "seed": "",
        "parameters": OWN_PARAMETERS,
    }
    return params


def strategy_items() -> list[dict[str, str]]:
    """The strategy pickers' items: value (strategy name or file spec) and its description."""
    lib = library.load_library()
    choices = controls.library_strategy_choices([library.scenario(e) for e in lib.entries])
    return [
        {"text": c if c == controls.AS_IN_SCENARIO else controls.strategy_words(c), "value": c}
        for c in choices
    ]


@solara.component
def Choices(params: solara.Reactive[dict[str, Any]]) -> None:
    """Scenario, state to follow, sliders (value and unit shown), strategies and seed."""
    lib = library.load_library()
    values = params.value
    entry = lib.get(values["scenario_name"]) or (lib.classroom or list(lib.entries))[0]
    sc = library.scenario(entry)
    own = controls.scenario_values(sc)
    start = neutral()
    base_imps = [k.removeprefix("strategy_") for k in values if k.startswith("strategy_")]
    names = {sid: st.name for sid, st in sc.states.items()}

    def setter(key: str) -> Callable[[Any], None]:
        return lambda v: params.set({**params.value, key: v})

    solara.v.Select(
        label="Scenario",
        items=lib.picker_items(),
        v_model=entry.key,
        on_v_model=setter("scenario_name"),
        class_="mv-scenario",
    )
    imps = importers(sc)
    solara.v.Select(
        label="State to follow",
        items=[{"text": names[sid], "value": sid} for sid in imps],
        v_model=values["focus"] if values["focus"] in imps else imps[0],
        on_v_model=setter("focus"),
    )
    for spec in controls.SLIDERS:
        with solara.Div(classes=["mv-slider", f"mv-slider-{spec.name}"]):
            solara.SliderFloat(
                controls.slider_text(spec, values[spec.name], start[spec.name], own[spec.name]),
                value=values[spec.name],
                min=spec.min,
                max=spec.max,
                step=spec.step,
                on_value=setter(spec.name),
                thumb_label=False,
            )
    items = strategy_items()
    for sid in base_imps:
        solara.v.Select(
            label=f"{names.get(sid, sid)}'s strategy",
            items=items,
            v_model=values[f"strategy_{sid}"],
            on_v_model=setter(f"strategy_{sid}"),
        )
    solara.v.Select(
        label="Behavioural parameters",
        items=list(PARAMETER_CHOICES),
        v_model=values.get("parameters", OWN_PARAMETERS),
        on_v_model=setter("parameters"),
        class_="mv-parameters",
    )
    solara.InputText(
        "Random seed (blank: the scenario's)", value=values["seed"], on_value=setter("seed")
    )


# ----------------------------------------------------------------------------- run controls
@solara.component
def RunControls(
    model: solara.Reactive[ClassroomModel],
    params: solara.Reactive[dict[str, Any]],
    applied: solara.Reactive[dict[str, Any]],
    version: solara.Reactive[int],
) -> None:
    """Reset, play/pause and Step, and the pause between quarters when playing. At the end of
    the run Play and Step say the run is over and Reset stands out."""
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    m = model.value
    over = not m.running

    def advance() -> None:
        if model.value.running:
            model.value.step()
        version.set(version.value + 1)

    def play() -> None:  # runs in a thread while playing
        while playing.value and model.value.running:
            time.sleep(interval.value / 1000)
            if playing.value:
                advance()
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        model.set(ClassroomModel(**params.value))
        applied.set(dict(params.value))
        version.set(version.value + 1)

    with solara.Div(classes=["mv-buttons"]):
        solara.Button(
            "Reset",
            color="error" if over else "primary",
            on_click=reset,
            classes=["mv-reset-now"] if over else [],
        )
        solara.Button(
            f"▶ ({RUN_OVER})" if over else ("❚❚" if playing.value else "▶"),
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=over,
        )
        solara.Button(
            f"Step ({RUN_OVER})" if over else "Step",
            color="primary",
            on_click=advance,
            disabled=over or playing.value,
        )
    if over:
        _html(
            "div",
            f"The run is over ({m.date()}). Press Reset to start again.",
            "mv-over",
        )
    if params.value != applied.value:
        _html("div", "Your new choices apply when you press Reset.", "mv-pending")
    with solara.Div(classes=["mv-slider", "mv-slider-pause"]):
        solara.SliderInt(
            f"Pause between quarters when playing: {interval.value / 1000:g} s",
            value=interval,
            min=PLAY_INTERVAL_RANGE_MS[0],
            max=PLAY_INTERVAL_RANGE_MS[1],
            step=PLAY_INTERVAL_RANGE_MS[2],
            thumb_label=False,
        )


# ----------------------------------------------------------------------------- views
@solara.component
def Header(model: ClassroomModel, version: int) -> None:
    """Title, the current date, what the reference is, and what the page changed."""
    n = model.world.axis.n
    with solara.Column(classes=["mv-header"], gap="2px"):
        _html("div", model.title, "mv-title")
        _html("div", model.date(), "mv-date")
        unit = "quarter" if model.world.axis.unit == "quarter" else "step"
        _html("div", f"{unit} {model.recorder.n_steps} of {n}", "mv-step")
        _html("div", model.scenario.metadata.description, "mv-desc")
        _html(
            "div",
            f"In this run: {controls.describe_values(model.scenario)}; seed {model.run_seed}.",
            "mv-settings",
        )
        _html("div", model.reference().about, "mv-about")
        if model.notes:
            items = "".join(f"<li>{html.escape(x)}</li>" for x in model.notes)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>Your changes:</b><ul>{items}</ul>",
                classes=["mv-changes"],
            )
        else:
            _html("div", "Your changes: none (the scenario as written).", "mv-changes")


@solara.component
def EventFeed(model: ClassroomModel, version: int) -> solara.Element[Any]:
    """Events so far, newest first; those of the last step highlighted."""
    new = {id(e) for e in model.fired}
    with solara.Column(classes=["mv-card", "mv-feed"], gap="0px") as col:
        _html("h2", "What is happening", "mv-h")
        if not model.events.log:
            _html(
                "div",
                "Press Step or ▶ to start; events will be told here as they happen.",
                "mv-step",
            )
        for e in reversed(model.events.log):
            text = e.narration or e.summary
            if e.blocked:
                text += " (blocked)"
            cls = "mv-event mv-new" if id(e) in new else "mv-event"
            solara.HTML(
                tag="div",
                classes=cls.split(),
                unsafe_innerHTML=(
                    f'<span class="mv-event-date">{html.escape(e.date)}</span>{html.escape(text)}'
                ),
            )
    return col


@solara.component
def Chart(
    make: Callable[[views.Snapshot], Figure], cls: str, model: ClassroomModel, version: int
) -> None:
    """One of :mod:`sim.ui.views`' figures of the model as it is now."""
    fig = make(views.snapshot(model))
    with solara.Column(classes=["mv-card", "mv-plot", cls]):
        solara.FigureMatplotlib(fig, format="png", dependencies=[id(model), version])


@solara.component
def Help() -> solara.Element[Any]:
    """How to use the page, and the scenario library with descriptions."""
    lib = library.load_library()
    with solara.Column(classes=["mv-card", "mv-help"], gap="2px") as col:
        _html("h2", "How to use this page", "mv-h")
        solara.HTML(tag="div", unsafe_innerHTML=HOW_TO)
        _html("h2", "The sliders", "mv-h")
        solara.HTML(
            tag="ul",
            classes=["mv-sliders"],
            unsafe_innerHTML="".join(
                f"<li><b>{html.escape(s.label)}</b>: {html.escape(controls.SLIDER_HELP[s.name])}</li>"
                for s in controls.SLIDERS
            ),
        )
        _html("h2", "Scenarios", "mv-h")
        for group, entries in lib.grouped():
            offered = group in library.CLASSROOM_GROUPS
            note = "" if offered else " (not in the picker: run_sim.py hindcast runs these)"
            _html("div", f"{group}{note}", "mv-group")
            items = "".join(
                f"<li><b>{html.escape(e.title)}</b>. {html.escape(e.description)}</li>"
                for e in entries
            )
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["mv-library"])
        for line in lib.skipped:
            _html("div", line, "mv-notes")
    return col


@solara.component
def TournamentView(model: ClassroomModel) -> None:
    """A small tournament, live: which strategy keeps the chosen state least dependent?"""
    from sim.errors import UserError
    from sim.ui import tournament as tour

    lib = library.load_library()
    choices = [
        c
        for c in controls.library_strategy_choices([library.scenario(e) for e in lib.entries])
        if c != controls.AS_IN_SCENARIO
    ]
    states = importers(model.scenario) or list(model.scenario.state_ids)
    picked, set_picked = solara.use_state(choices[:4])
    state, set_state = solara.use_state(model.focus if model.focus in states else states[0])
    n, set_n = solara.use_state(12)
    outcome, set_outcome = solara.use_state(cast("tour.Outcome | None", None))
    error, set_error = solara.use_state("")
    k, set_k = solara.use_state(0)

    def run() -> None:
        try:
            set_outcome(tour.classroom_tournament(model.entry.path, state, list(picked), n))
            set_error("")
            set_k(0)
        except UserError as e:
            set_error("; ".join(e.lines()))

    with solara.Column(classes=["mv-card", "mv-tournament"], gap="4px"):
        _html("h2", "Tournament: which strategy holds up across futures?", "mv-h")
        _html(
            "div",
            "Predict the winner first. Each contestant plays the state in the same futures "
            "(Russian pressure and how far sanctions bite vary), with the same random numbers.",
            "mv-desc",
        )
        solara.SelectMultiple("Contestants", values=picked, all_values=choices, on_value=set_picked)
        solara.Select("State", value=state, values=states, on_value=set_state)
        solara.SliderInt("Futures", value=n, min=4, max=tour.MAX_FUTURES, on_value=set_n)
        solara.Button("Run the tournament", on_click=run, color="primary")
        if error:
            _html("div", error, "mv-notes")
        if outcome is not None:
            _html("h2", f"Leaderboard for {outcome.state} (lower is less dependent)", "mv-h")
            solara.HTML(tag="div", unsafe_innerHTML=tour.leaderboard_html(outcome))
            last = int(outcome.scores["point"].max())
            solara.SliderInt("One future at a time", value=k, min=0, max=last, on_value=set_k)
            solara.HTML(tag="div", unsafe_innerHTML=tour.future_html(outcome, k))


@solara.component
def RunTab(model: ClassroomModel, version: int) -> None:
    """The run, laid out so the header and the first chart fit a 1280x720 projector."""
    with solara.Div(classes=["mv-grid"]):
        with solara.Column(classes=["mv-card", "mv-left"], gap="4px"):
            Header(model, version)
            EventFeed(model, version)
        Chart(views.supplier_shares, "mv-suppliers", model, version)
        Chart(views.dependence_lines, "mv-dependence", model, version)
        Chart(views.arms_network, "mv-network", model, version)
        Chart(views.trade_shares, "mv-trade", model, version)
        Help()


@solara.component
def Page() -> None:
    """The page: one model per browser session, re-created by Reset from the choices."""
    first = solara.use_memo(default_params, [])
    params = solara.use_reactive(first)
    applied = solara.use_reactive(first)
    model: solara.Reactive[ClassroomModel] = solara.use_reactive(
        solara.use_memo(lambda: ClassroomModel(**first), [])
    )
    version = solara.use_reactive(0)
    solara.Style(CSS)
    solara.Title(APP_NAME)
    with solara.AppBar():
        solara.AppBarTitle(APP_NAME)
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            RunControls(model, params, applied, version)
        with solara.Card("Your choices", margin=0):
            Choices(params)
        _html("div", CREDIT, "mv-credit")
    with solara.lab.Tabs():
        with solara.lab.Tab("The run"):
            RunTab(model.value, version.value)
        with solara.lab.Tab("Tournament"):
            TournamentView(model.value)


# ----------------------------------------------------------------------------- server hardening
# Solara has no setting for either of these, so the page, which ``solara run`` loads at start-up
# in the server process, replaces the two routes of Solara's Starlette app.


def _resourcez_token() -> str:
    from solara.server import settings

    return str(getattr(settings.main, "resourcez_token", "") or "")


def guard_resourcez(
    endpoint: Callable[[Any], Awaitable[Any]],
) -> Callable[[Any], Awaitable[Any]]:
    """Solara's ``/resourcez`` without ``?verbose`` (CPU, memory and wider tables) for anyone.

    The plain view (counts of connections, threads and sessions) stays, e.g. for a health check;
    ``verbose`` is honoured only with ``Authorization: Bearer <SOLARA_RESOURCEZ_TOKEN>`` when
    that Solara setting is given.
    """
    if getattr(endpoint, "multivector_guarded", False):
        return endpoint

    async def resourcez(request: Any) -> Any:
        from starlette.requests import Request

        token = _resourcez_token()
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        allowed = (
            bool(token)
            and scheme.lower() == "bearer"
            and hmac.compare_digest(presented.encode(), token.encode())
        )
        if not allowed and "verbose" in request.query_params:
            query = urlencode(
                [kv for kv in request.query_params.multi_items() if kv[0] != "verbose"]
            )
            scope = dict(request.scope, query_string=query.encode())
            request = Request(scope, request.receive)
        return await endpoint(request)

    resourcez.multivector_guarded = True  # type: ignore[attr-defined]
    return resourcez


def harden_server(starlette_app: Any) -> None:
    """Replace ``/resourcez`` with :func:`guard_resourcez` and, when the server was started with
    a complete asset cache (CDN :data:`~sim.ui.assets.OFFLINE_CDN`), the ``/_solara/cdn`` proxy
    with :func:`~sim.ui.assets.cache_only_cdn`. Idempotent."""
    import solara.server.settings
    import solara.settings
    from starlette.routing import Mount, Route

    offline = str(solara.settings.assets.cdn) == assets.OFFLINE_CDN
    cache = Path(solara.server.settings.assets.proxy_cache_dir)
    routes = starlette_app.router.routes
    for i, route in enumerate(routes):
        if isinstance(route, Route) and route.path == "/resourcez":
            routes[i] = Route("/resourcez", endpoint=guard_resourcez(route.endpoint))
        elif (
            isinstance(route, Mount)
            and route.path == "/_solara/cdn"
            and offline
            and not getattr(route.app, "multivector_cache_only", False)
        ):
            cdn = assets.cache_only_cdn(cache)
            cdn.multivector_cache_only = True
            routes[i] = Mount("/_solara/cdn", app=cdn)


if "solara.server.starlette" in sys.modules:  # loaded by the page server, not a notebook or test
    harden_server(sys.modules["solara.server.starlette"].app)
