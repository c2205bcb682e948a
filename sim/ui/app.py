"""The classroom web page: a mesa SolaraViz app over :class:`~sim.ui.model.ClassroomModel`.

Serve it with ``python run_sim.py ui`` (or ``make ui``); a notebook can show ``Page()`` directly.
Controls (sidebar): scenario picker, the importer to follow, five "what if" sliders, a strategy
per importer and the seed; SolaraViz's Reset applies them, Step and Play run the model. Views:
title, date and changes; the event feed; the followed importer's arms suppliers; the arms-flow
network; every importer's dependence on the main patron; the followed importer's trade; help and
the scenario library. Every chart draws the scenario without the page's changes as a faint ghost.
"""

from __future__ import annotations

import hmac
import html
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import solara
from mesa.visualization import Slider, SolaraViz

from sim.summary import importers
from sim.ui import assets, controls, library, views
from sim.ui.model import ClassroomModel, neutral

if TYPE_CHECKING:
    from matplotlib.figure import Figure

APP_NAME = "Multi-vector diplomacy in Central Asia: a classroom simulator"
PLAY_INTERVAL_MS = 400

CSS = """
body, .v-application { font-size: 18px; }
.v-application .v-label, .v-application .v-select__selection, .v-slider__thumb-label,
.v-application .v-input input { font-size: 17px !important; }
.v-application .v-btn { font-size: 17px; }
.mv-card { font-size: 18px; line-height: 1.4; height: 100%; overflow-y: auto; padding: 4px 10px; }
.mv-title { font-size: 30px; font-weight: 700; margin: 4px 0 6px 0; line-height: 1.2; }
.mv-date { font-size: 44px; font-weight: 800; color: #1f4e79; margin: 2px 0; }
.mv-step { font-size: 17px; color: #555; }
.mv-desc { font-size: 18px; color: #333; }
.mv-settings { font-size: 16px; color: #555; }
.mv-changes li, .mv-notes li { font-size: 17px; }
.mv-notes { color: #a04000; }
.mv-event { border-left: 6px solid #c0c0c0; padding: 4px 10px; margin: 6px 0; font-size: 18px; }
.mv-event.mv-new { border-left-color: #c0392b; background: #fdf2e9; font-weight: 600; }
.mv-event .mv-event-date { font-weight: 700; margin-right: 8px; color: #1f4e79; }
.mv-plot img { max-width: 100%; height: auto; }
h2.mv-h { font-size: 24px; margin: 4px 0; }
table.mv-board { border-collapse: collapse; margin: 4px 0; }
table.mv-board th, table.mv-board td { padding: 2px 10px; text-align: right; font-size: 17px; }
table.mv-board th:nth-child(-n+2), table.mv-board td:nth-child(-n+2) { text-align: left; }
"""

#: How to use the page (HTML; solara.Markdown would fetch mermaid from a CDN).
HOW_TO = """<ol class="mv-howto">
<li><b>Pick a scenario</b> and, if you like, move the sliders or change a state's strategy.
A slider left where it starts keeps the scenario's own value.</li>
<li>Press <b>Reset</b> to apply your choices (nothing changes until you do).</li>
<li>Press <b>Step</b> for one quarter, or <b>&#9654;</b> to play (press again to pause).</li>
<li>Watch the <b>coloured</b> lines and areas: your run. The <b>faint</b> lines are the same
scenario without your changes, so the gap between them is the effect of what you changed.</li>
<li>New events appear at the top of the <b>event feed</b> as they happen.</li>
</ol>"""


def _html(tag: str, text: str, cls: str) -> solara.Element[Any]:
    return solara.HTML(tag=tag, unsafe_innerHTML=html.escape(text), classes=[cls])


def model_params() -> dict[str, Any]:
    """SolaraViz ``model_params``: the sidebar's controls, keyed by ClassroomModel's keywords."""
    lib = library.load_library()
    base = lib.get(library.BASELINE) or lib.entries[0]
    sc = library.scenario(base)
    start = neutral()
    imps = importers(sc)
    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": base.key,
            "values": lib.keys,
            "label": "Scenario",
        },
        "focus": {
            "type": "Select",
            "value": controls.FOCUS_STATE if controls.FOCUS_STATE in imps else imps[0],
            "values": imps,
            "label": "State to follow",
        },
    }
    for s in controls.SLIDERS:
        params[s.name] = Slider(
            s.label, value=start[s.name], min=s.min, max=s.max, step=s.step, dtype=float
        )
    choices = controls.library_strategy_choices([library.scenario(e) for e in lib.entries])
    for sid in imps:
        params[f"strategy_{sid}"] = {
            "type": "Select",
            "value": controls.AS_IN_SCENARIO,
            "values": list(choices),
            "label": f"{sc.states[sid].name}'s strategy",
        }
    params["seed"] = {
        "type": "InputText",
        "value": "",
        "label": "Random seed (blank: the scenario's)",
    }
    return params


def Header(model: ClassroomModel) -> solara.Element[Any]:
    """Title, description, the current date, and what the page changed."""
    n = model.world.axis.n
    with solara.Column(classes=["mv-card", "mv-header"], gap="2px") as col:
        solara.Style(CSS)
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
        if model.notes:
            items = "".join(f"<li>{html.escape(x)}</li>" for x in model.notes)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>Your changes:</b><ul>{items}</ul>",
                classes=["mv-changes"],
            )
        else:
            _html("div", "Your changes: none (the scenario as written).", "mv-changes")
    return col


def EventFeed(model: ClassroomModel) -> solara.Element[Any]:
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


def _figure_view(
    make: Callable[[views.Snapshot], Figure], cls: str
) -> Callable[[ClassroomModel], solara.Element[Any]]:
    def view(model: ClassroomModel) -> solara.Element[Any]:
        fig = make(views.snapshot(model))
        with solara.Column(classes=["mv-plot", cls]) as col:
            solara.FigureMatplotlib(fig, format="png")
        return col

    view.__name__ = make.__name__
    return view


def Help(model: ClassroomModel) -> solara.Element[Any]:
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
        items = "".join(
            f"<li><b>{html.escape(e.key)}</b>: {html.escape(e.title)}. "
            f"{html.escape(e.description)}</li>"
            for e in lib.entries
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


COMPONENTS = [
    (Header, 0),
    (EventFeed, 0),
    (_figure_view(views.supplier_shares, "mv-suppliers"), 0),
    (_figure_view(views.arms_network, "mv-network"), 0),
    (_figure_view(views.dependence_lines, "mv-dependence"), 0),
    (_figure_view(views.trade_shares, "mv-trade"), 0),
    (Help, 0),
    (TournamentView, 1),
]


@solara.component
def Page() -> None:
    """The page: one model per browser session, re-created by SolaraViz's Reset."""
    model = solara.use_memo(ClassroomModel, [])
    SolaraViz(
        model,
        components=list(COMPONENTS),
        model_params=model_params(),
        name=APP_NAME,
        play_interval=PLAY_INTERVAL_MS,
    )


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
