"""Rolling-origin hindcasts: several past windows, each started from the data before its origin,
scored against the model and against simple baselines.

The library face of ``python run_sim.py hindcast-rolling``::

    from sim.validate.rolling import rolling
    r = rolling("data/sipri_tiv_central_asia_1995_2019.csv", "data/supplier_blocs.csv")
    r.table      # one row per window and baseline: MAE and skill, unweighted and TIV-weighted
    r.errors     # one row per window, recipient and forecaster: MAE (pp) and observed TIV

A window has an **origin** year and a horizon (default 5 years): it is scored on deliveries of
``origin .. origin + horizon - 1``. Its scenario is ``hindcast_<origin>.yaml`` in the scenario
folder (political events, GDP, trade as of the origin); the recipients' **initial arms stocks
are rebuilt from the observed file**, using only deliveries of the :data:`STOCK_YEARS` years
before the origin plus the Soviet-origin legacy (:data:`LEGACY_BN`), so a window never sees a
delivery of its own years or later (:func:`origin_stocks`).

Forecasters, all scored on the same recipients (those with observed deliveries in the window and
in the five years before it, as :func:`sim.validate.score.score`):

* ``model``: the scenario's median over replicates (:func:`sim.validate.hindcast.simulate`);
* ``persistence_<N>y`` (N in :data:`PERSISTENCE_YEARS`): each recipient's observed bloc shares of
  the N years before the origin, carried forward; not available (NaN) when the data do not
  reach back N years;
* ``patron``: everything from the historical patron (:data:`PATRON_BLOC`, Russia).

Skill against a baseline is ``1 - MAE_model / MAE_baseline``, unweighted and weighted by each
recipient's observed volume (TIV) in the window. One window, :data:`FROZEN`, is frozen: no test
and no fit may tune on it (``calibrate`` refuses it; see docs/validation.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import Problem, UserError
from sim.validate.hindcast import OTHER, TIV_PER_BN, prepare, simulate
from sim.validate.observed import Observed, Period, read_blocs, read_observed
from sim.validate.score import mae_pp, mean_error, score, shares, skill

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario

ORIGINS: tuple[int, ...] = (2000, 2005, 2010, 2015)
"""Default origins: every five years the shipped SIPRI file (1995-2019) can score."""
HORIZON = 5
"""Default window length, years."""
FROZEN = Period(2005, 2009)
"""The frozen window: reported, never tuned on (docs/validation.md, "The frozen window")."""
STOCK_YEARS = 10
"""Initial stocks count the deliveries of this many years before the origin (as the shipped
scenarios do)."""
PERSISTENCE_YEARS: tuple[int, ...] = (5, 10, 15)
"""Lengths of the persistence baselines, years before the origin."""
PATRON_BLOC = "Russia"
"""The historical patron: the bloc of the ``patron`` baseline and of the legacy stock."""
LEGACY_BN: dict[str, float] = {
    "Kazakhstan": 1.5,
    "Kyrgyzstan": 0.15,
    "Tajikistan": 0.15,
    "Turkmenistan": 0.6,
    "Uzbekistan": 0.8,
}
"""Soviet-origin inventory counted as Russian, US$ bn TIV (the assumption of every shipped
scenario's ``arms_stocks``)."""
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
MODEL = "model"
PATRON = "patron"


def persistence_name(years: int) -> str:
    """The forecaster name of the ``years``-year persistence baseline."""
    return f"persistence_{years}y"


BASELINES: tuple[str, ...] = (*(persistence_name(n) for n in PERSISTENCE_YEARS), PATRON)
"""The baselines every window is scored against."""


@dataclass(frozen=True)
class Window:
    """One rolling-origin window."""

    origin: int
    horizon: int
    scenario_file: Path

    @property
    def period(self) -> Period:
        """The scored years."""
        return Period(self.origin, self.origin + self.horizon - 1)

    @property
    def frozen(self) -> bool:
        """Whether the window overlaps the frozen window."""
        return overlaps(self.period, FROZEN)


def overlaps(a: Period, b: Period) -> bool:
    """Whether two periods share a year."""
    return a.first <= b.last and b.first <= a.last


def check_not_frozen(period: Period, option: str = "--fit-period") -> None:
    """Refuse to fit on years of the frozen window.

    Raises:
        UserError: ``period`` shares a year with :data:`FROZEN`.
    """
    if overlaps(period, FROZEN):
        raise UserError(
            f"{option} {period} overlaps the frozen validation window {FROZEN}, which no fit may "
            f'use (docs/validation.md, "The frozen window"); fit on years outside it, '
            f"e.g. 2010-2014"
        )


def windows(
    origins: Sequence[int] = ORIGINS, horizon: int = HORIZON, folder: str | Path = SCENARIO_DIR
) -> list[Window]:
    """The windows of ``origins``, each with its scenario ``folder/hindcast_<origin>.yaml``.

    Raises:
        UserError: a scenario file is missing.
    """
    if not Path(folder).is_dir():
        raise UserError(f"--scenarios {folder}: not a folder (it must hold hindcast_<origin>.yaml)")
    out = [Window(int(o), int(horizon), Path(folder) / f"hindcast_{o}.yaml") for o in origins]
    missing = [
        Problem(str(w.scenario_file), "", f"no such file: origin {w.origin} needs this scenario")
        for w in out
        if not w.scenario_file.is_file()
    ]
    if missing:
        raise UserError(str(missing[0]), missing)
    return out


def origin_stocks(
    observed: Observed,
    scenario: Scenario,
    origin: int,
    *,
    years: int = STOCK_YEARS,
    legacy: dict[str, float] | None = None,
    blocs: dict[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Initial arms stocks of the observed recipients at ``origin``, from the data before it.

    Stock = legacy (counted as the patron's) + observed deliveries of ``origin - years`` to
    ``origin - 1``, each counted as the stock of (:func:`stock_holder`): the state named like
    its bloc (Russia, China, Turkiye, West); else, for a bloc split among states (the West as
    the EU and the USA; ``blocs``, the bloc map, tells), the state named like its supplier
    (United States), else the one state that stands for the rest of the bloc (mapped to it
    and delivering nothing in the data: European Union for France); else, and always for
    "Other", the recipient's own. Nothing from ``origin`` or later is read.

    Returns:
        state id -> ``{"total": US$ bn, "shares": {state id: share}}`` (recipients with no stock
        are left out).

    Raises:
        UserError: the scenario has no state named like the patron, or a recipient is not a
            state name of the scenario.
    """
    legacy = LEGACY_BN if legacy is None else legacy
    names = {s.name: sid for sid, s in scenario.states.items()}
    if PATRON_BLOC not in names:
        raise UserError(
            f"{scenario.name}: no state named {PATRON_BLOC!r}: the legacy stock is counted as "
            f"the patron's (names there: {', '.join(sorted(names))})"
        )
    t = observed.table
    suppliers = set(t["supplier"])
    before = t[(t["year"] >= origin - years) & (t["year"] < origin)]
    sums = before.groupby(["recipient", "supplier", "bloc"])["tiv_musd"].sum()
    out: dict[str, dict[str, Any]] = {}
    for rec in dict.fromkeys(t["recipient"]):
        if rec not in names:
            raise UserError(f"recipient {rec!r} is not a state name of {scenario.name}")
        sid = names[rec]
        vol: dict[str, float] = {names[PATRON_BLOC]: legacy.get(rec, 0.0)}
        if rec in sums.index.get_level_values(0):
            for (sup, bloc), v in sums.loc[rec].items():
                who = stock_holder(str(sup), str(bloc), names, blocs or {}, suppliers) or sid
                vol[who] = vol.get(who, 0.0) + float(v) / TIV_PER_BN
        total = sum(vol.values())
        if total > 0:
            out[sid] = {"total": total, "shares": {k: v / total for k, v in vol.items() if v > 0}}
    return out


def stock_holder(
    supplier: str, bloc: str, names: dict[str, str], blocs: dict[str, str], suppliers: set[str]
) -> str | None:
    """The state whose stock a delivery by ``supplier`` (of ``bloc``) builds, None if none (see
    :func:`origin_stocks`). ``names``: state name -> id; ``suppliers``: the data's suppliers."""
    if bloc in names:
        return names[bloc]
    if bloc == OTHER:
        return None
    if supplier in names:
        return names[supplier]
    rest = [sid for name, sid in names.items() if blocs.get(name) == bloc and name not in suppliers]
    return rest[0] if len(rest) == 1 else None


def diversity(observed: Observed, recipient: str, origin: int, years: int = STOCK_YEARS) -> float:
    """A recipient's diversification read from the data: 1 - the sum of squared bloc shares of
    its observed deliveries in the ``years`` years before ``origin`` (Gini-Simpson diversity: 0
    buys from one bloc, 0.8 spreads evenly over five). NaN with no deliveries."""
    t = observed.table
    x = t[(t["recipient"] == recipient) & (t["year"] >= origin - years) & (t["year"] < origin)]
    vol = x.groupby("bloc")["tiv_musd"].sum()
    if not vol.sum() > 0:
        return float("nan")
    return float(1.0 - ((vol / vol.sum()) ** 2).sum())


def origin_scenario(
    window: Window, observed: Observed, blocs: dict[str, str] | None = None
) -> Scenario:
    """The window's scenario with its recipients' stocks rebuilt by :func:`origin_stocks`
    (``blocs``: the bloc map, for a bloc split among states such as the EU and the USA).

    Raises:
        UserError: the scenario does not start in January of the origin year.
    """
    from sim.scenario.loader import load_scenario

    sc = load_scenario(window.scenario_file)
    axis = sc.time.axis
    if axis.index((window.origin, 1)) != 0:
        raise UserError(
            str(window.scenario_file),
            [
                Problem(
                    str(window.scenario_file),
                    "time.start",
                    f"the run starts at {axis.label(0)}; the window of origin {window.origin} "
                    f"needs a run starting in {window.origin}-Q1 (or {window.origin}-01)",
                )
            ],
        )
    stocks = origin_stocks(observed, sc, window.origin, blocs=blocs)
    return sc.with_changes({f"relations.arms_stocks.{k}": v for k, v in stocks.items()})


def baseline_volumes(
    observed: Observed, origin: int, blocs: list[str], recipients: list[str]
) -> dict[str, pd.DataFrame | None]:
    """Each baseline's recipient x bloc volumes (any unit), from data before ``origin`` only.

    A persistence baseline whose years start before the data is None (not available).
    """
    import pandas as pd

    out: dict[str, pd.DataFrame | None] = {}
    for n in PERSISTENCE_YEARS:
        p = Period(origin - n, origin - 1)
        out[persistence_name(n)] = (
            observed.volumes(p, blocs) if p.first >= observed.first_year else None
        )
    patron = pd.DataFrame(0.0, index=recipients, columns=blocs)
    patron[PATRON_BLOC] = 1.0
    out[PATRON] = patron
    return out


@dataclass
class WindowScore:
    """The scores of one window: summary rows and per-recipient errors."""

    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]


def score_window(
    window: Window,
    predicted_volume: pd.DataFrame,
    observed: Observed,
    blocs: list[str],
) -> WindowScore:
    """Score the model and every baseline on the window's recipients (see the module docs)."""
    per = window.period
    base = score(
        predicted_volume,
        observed.volumes(per, blocs),
        observed.volumes(per.previous(), blocs),
    )
    scored = base.scored
    obs = base.observed.loc[scored]
    weights = base.observed_volume.loc[scored]
    model_err = base.mae.loc[scored]
    m, wm = mean_error(model_err), mean_error(model_err, weights)
    head = {
        "origin": window.origin,
        "period": str(per),
        "frozen": window.frozen,
    }
    errors = [
        {**head, "recipient": r, "forecaster": MODEL, "mae_pp": float(model_err[r]),
         "observed_tiv": float(weights[r])}
        for r in scored
    ]  # fmt: skip
    rows = []
    for name, vol in baseline_volumes(observed, window.origin, blocs, list(obs.index)).items():
        row = {
            **head,
            "baseline": name,
            "recipients": len(scored),
            "model_mae_pp": m,
            "baseline_mae_pp": float("nan"),
            "skill": float("nan"),
            "model_weighted_mae_pp": wm,
            "baseline_weighted_mae_pp": float("nan"),
            "weighted_skill": float("nan"),
            "note": "",
        }
        if vol is None:
            row["note"] = f"data start in {observed.first_year}"
        else:
            err = mae_pp(shares(vol.reindex(index=obs.index, columns=blocs, fill_value=0.0)), obs)
            b, wb = mean_error(err), mean_error(err, weights)
            row.update(
                baseline_mae_pp=b,
                skill=skill(m, b),
                baseline_weighted_mae_pp=wb,
                weighted_skill=skill(wm, wb),
            )
            errors += [
                {**head, "recipient": r, "forecaster": name, "mae_pp": float(err[r]),
                 "observed_tiv": float(weights[r])}
                for r in scored
            ]  # fmt: skip
        rows.append(row)
    return WindowScore(rows, errors)


@dataclass
class Rolling:
    """A rolling-origin validation.

    Attributes:
        windows: the windows, in order.
        table: one row per window and baseline (columns origin, period, frozen, baseline,
            recipients, model_mae_pp, baseline_mae_pp, skill, model_weighted_mae_pp,
            baseline_weighted_mae_pp, weighted_skill, note).
        errors: one row per window, scored recipient and forecaster (``model`` or a baseline):
            mae_pp and the recipient's observed TIV in the window.
        replicates, seed: of the model runs (seed None: each scenario's own).
        observed_file: the observed data.
    """

    windows: list[Window]
    table: pd.DataFrame
    errors: pd.DataFrame
    replicates: int | None
    seed: int | None
    observed_file: str

    def wins(self, baseline: str, weighted: bool = False) -> tuple[int, int]:
        """(windows where the model beats ``baseline``, windows where it is available)."""
        col = "weighted_skill" if weighted else "skill"
        t = self.table[(self.table["baseline"] == baseline) & self.table[col].notna()]
        return int((t[col] > 0).sum()), len(t)

    def to_json(self) -> dict[str, Any]:
        """One JSON-safe object (NaN as null)."""
        import json

        return {
            "observed_file": self.observed_file,
            "replicates": self.replicates,
            "seed": self.seed,
            "frozen": str(FROZEN),
            "baselines": list(BASELINES),
            "table": json.loads(self.table.to_json(orient="records")),
            "errors": json.loads(self.errors.to_json(orient="records")),
        }


def rolling(
    observed: str | Path,
    blocs: str | Path,
    *,
    origins: Sequence[int] = ORIGINS,
    horizon: int = HORIZON,
    scenarios: str | Path = SCENARIO_DIR,
    replicates: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Rolling:
    """Run and score every window (see the module docstring).

    Args:
        observed: observed deliveries CSV (SIPRI format).
        blocs: the supplier-to-bloc CSV.
        origins: first years of the windows.
        horizon: years per window.
        scenarios: folder holding ``hindcast_<origin>.yaml`` for each origin.
        replicates: per window (default: each scenario's).
        seed: master seed for every window (default: each scenario's).
        progress: called with (windows done, windows) after each window.

    Raises:
        UserError: any bad input, before anything runs.
    """
    import pandas as pd

    ws = windows(origins, horizon, scenarios)
    bmap = read_blocs(blocs)
    obs = read_observed(observed, bmap, str(blocs))
    setups = [
        prepare(
            origin_scenario(w, obs, bmap),
            observed,
            blocs,
            w.period,
            option=f"--origins/--horizon (window {w.period})",
        )
        for w in ws
    ]
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for k, (w, setup) in enumerate(zip(ws, setups)):
        vol = simulate(setup, seed=seed, replicates=replicates)["arms"]
        s = score_window(w, vol, setup.observed, setup.bloc_list)
        rows += s.rows
        errors += s.errors
        if progress:
            progress(k + 1, len(ws))
    return Rolling(ws, pd.DataFrame(rows), pd.DataFrame(errors), replicates, seed, str(observed))


def rolling_text(r: Rolling) -> str:
    """The terminal report: one line per window and baseline, then the win counts."""

    def f(x: float, spec: str) -> str:
        width = int(spec.lstrip("+").split(".")[0])
        return f"{'n/a':>{width}}" if x != x else format(x, spec)  # NaN != NaN

    head = (
        f"{'window':<11}{'baseline':<16}{'n':>3}{'MAE model':>11}{'baseline':>10}{'skill':>8}"
        f"{'wMAE model':>12}{'baseline':>10}{'wskill':>8}"
    )
    lines = [
        f"rolling-origin hindcasts: arms deliveries by supplier bloc, {len(r.windows)} window(s) "
        f"(MAE in pp; skill = 1 - model / baseline; w = weighted by observed TIV; "
        f"* = frozen window {FROZEN})",
        head,
        "-" * len(head),
    ]
    for row in r.table.to_dict("records"):
        mark = "*" if row["frozen"] else ""
        lines.append(
            f"{row['period'] + mark:<11}{row['baseline']:<16}{row['recipients']:>3}"
            f"{f(row['model_mae_pp'], '11.1f')}{f(row['baseline_mae_pp'], '10.1f')}"
            f"{f(row['skill'], '+8.2f')}{f(row['model_weighted_mae_pp'], '12.1f')}"
            f"{f(row['baseline_weighted_mae_pp'], '10.1f')}{f(row['weighted_skill'], '+8.2f')}"
            + (f"  ({row['note']})" if row["note"] else "")
        )
    lines.append("-" * len(head))
    for b in BASELINES:
        (u, n), (w, nw) = r.wins(b), r.wins(b, weighted=True)
        lines.append(f"model beats {b}: {u} of {n} window(s) unweighted, {w} of {nw} weighted")
    return "\n".join(lines)
