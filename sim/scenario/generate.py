"""Random but valid scenarios of any size: for benchmarks, scaling studies and property tests.

:func:`generate_scenario` builds plain scenario data (the same dict a YAML file would give) with
every kind of element the model handles: arms exporters and importers, patrons watching clients,
alliances (one with a leader's guarantee, one needing consensus for assistance), bilateral links
with affinity, trade and rivalry, initial arms stocks, a sanctions regime with defence-input
sources, and one event of each main type. The draws come from a numpy ``Generator`` seeded by
``seed``, so the same ``(n_states, seed, years)`` always gives the same scenario.

Example::

    from sim.scenario.generate import generate_scenario
    from sim import load_scenario, run
    sc = load_scenario(generate_scenario(200, seed=1))   # 200 states, 40 quarters
    res = run(sc)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.strategies import builtin_names

START_YEAR = 2021
MIN_STATES = 4
EXPORTER_FRACTION = 0.1  # share of states that export arms (at least 3)
RANDOM_LINKS = 4  # extra links per importer besides its links to all exporters
MAX_STOCK_SUPPLIERS = 4  # suppliers in an importer's initial arms stock


def _ids(n: int) -> list[str]:
    width = max(3, len(str(n - 1)))
    return [f"S{i:0{width}d}" for i in range(n)]


def _r(x: float, nd: int = 4) -> float:
    return float(round(float(x), nd))


def _date(step: int) -> str:
    """Quarter label of period ``step`` counted from START_YEAR-Q1."""
    y, q = divmod(step, 4)
    return f"{START_YEAR + y}-Q{q + 1}"


def generate_scenario(n_states: int, seed: int = 0, years: int = 10) -> dict[str, Any]:
    """A random, valid scenario with ``n_states`` states over ``years`` years of quarters.

    Args:
        n_states: number of states (>= 4): about a tenth (at least 3) export arms, the first
            exporter is a patron of about half the importers; the rest are importers.
        seed: seed of the draws (same arguments -> same scenario).
        years: length of the run in years (>= 1); the time step is a quarter, so the run has
            ``4 * years`` steps starting in 2021-Q1.

    Returns:
        Plain scenario data that :func:`sim.scenario.load_scenario` accepts.

    Raises:
        ValueError: if ``n_states < 4`` or ``years < 1``.
    """
    if n_states < MIN_STATES:
        raise ValueError(f"n_states must be at least {MIN_STATES}, got {n_states}")
    if years < 1:
        raise ValueError(f"years must be at least 1, got {years}")
    rng = np.random.default_rng(seed)
    ids = _ids(n_states)
    n_exp = max(3, round(EXPORTER_FRACTION * n_states))
    exporters, importers = ids[:n_exp], ids[n_exp:]
    patron, rival, third = exporters[0], exporters[1], exporters[2]
    clients = [s for s in importers if rng.random() < 0.5] or importers[:1]
    T = 4 * years

    alliances: dict[str, Any] = {
        "BLOC": {"leader": patron, "security_guarantee": _r(rng.uniform(0.1, 0.5), 2)},
        "PACT": {"assistance_requires_consensus": True, "consensus_threshold": 0.5},
        "UNION": {},
    }
    members: dict[str, list[str]] = {s: [] for s in ids}
    members[patron].append("BLOC")
    for c in clients:
        members[c].append("BLOC")
        if rng.random() < 0.5:
            members[c].append("UNION")
    for s in exporters[1:]:
        members[s].append("PACT")

    states: dict[str, Any] = {}
    for i, sid in enumerate(ids):
        exp = i < n_exp
        gdp = float(
            np.exp(
                rng.uniform(np.log(500), np.log(20000))
                if exp
                else rng.uniform(np.log(3), np.log(300))
            )
        )
        st: dict[str, Any] = {
            "name": f"State {sid}",
            "gdp": _r(gdp, 2),
            "military_budget_share": _r(rng.uniform(0.01, 0.04)),
            "procurement_share": _r(rng.uniform(0.1, 0.35)),
            "strategy": str(rng.choice(list(builtin_names()))),
            "diversification": _r(rng.uniform(0.1, 0.9)),
            "capability": _r(rng.uniform(0.3, 0.9)),
            "cost_effectiveness": _r(rng.uniform(0.3, 0.9)),
            "reliability": _r(rng.uniform(0.7, 0.95)),
            "lead_time": _r(rng.choice([0.5, 0.75, 1.0, 1.5]), 2),
            "base_threat": _r(rng.uniform(0.1, 0.5)),
            "other_trade": _r(gdp * rng.uniform(0.1, 0.4), 2),
            "memberships": members[sid],
        }
        if exp:
            st.update(
                exports_arms=True,
                strategy="multi_vector",
                production_capacity=_r(gdp * st["military_budget_share"] * 0.5, 2),
                capacity_growth=_r(rng.uniform(0.0, 0.06)),
            )
        elif rng.random() < 0.2:
            st["production_capacity"] = _r(rng.uniform(0.01, 0.1))
        states[sid] = st
    states[patron]["clients"] = clients
    src = rng.dirichlet(np.ones(n_exp - 1)) * 0.6
    states[patron]["input_sources"] = {s: _r(x) for s, x in zip(exporters[1:], src) if _r(x) > 0}

    links: list[dict[str, Any]] = []
    seen: set[frozenset[str]] = set()

    def link(a: str, b: str, **kw: Any) -> None:
        key = frozenset((a, b))
        if a == b or key in seen:
            return
        seen.add(key)
        scale = min(states[a]["gdp"], states[b]["gdp"])
        links.append(
            {
                "between": [a, b],
                "affinity": _r(kw.get("affinity", rng.uniform(-0.2, 0.8)), 3),
                "trade": _r(scale * rng.uniform(0.005, 0.05), 3),
                "rivalry": _r(kw.get("rivalry", 0.0), 3),
            }
        )

    for k, a in enumerate(exporters):
        for b in exporters[k + 1 :]:
            link(a, b, affinity=rng.uniform(-0.6, 0.6), rivalry=rng.uniform(0.0, 0.3))
    for a in importers:
        for b in exporters:
            link(
                a,
                b,
                affinity=rng.uniform(0.4, 0.8)
                if (b == patron and a in clients)
                else rng.uniform(-0.2, 0.7),
            )
        for b in rng.choice(importers, size=min(RANDOM_LINKS, len(importers)), replace=False):
            link(a, str(b), rivalry=rng.uniform(0.0, 0.4) if rng.random() < 0.2 else 0.0)

    arms_stocks: dict[str, Any] = {}
    for sid in ids:
        k = int(rng.integers(1, min(MAX_STOCK_SUPPLIERS, n_exp) + 1))
        sups = [str(s) for s in rng.choice(exporters, size=k, replace=False)]
        if sid in clients and patron not in sups:
            sups[0] = patron
        if sid in exporters and sid not in sups:
            sups[0] = sid
        w = rng.dirichlet(np.ones(len(sups)))
        w = np.round(w / w.sum(), 6)
        w[-1] = 1.0 - w[:-1].sum()
        arms_stocks[sid] = {
            "total": _r(states[sid]["gdp"] * 0.02, 3),
            "shares": {s: float(x) for s, x in zip(sups, w)},
        }

    senders = [s for s in exporters[1:]]
    sanctions = [
        {
            "id": "regime",
            "senders": senders,
            "target": patron,
            "intensity": 0.3,
            "scope": ["arms", "technology", "finance"],
        }
    ]

    imp = [str(s) for s in rng.choice(importers, size=min(6, len(importers)), replace=False)]
    a0, a1, a2 = imp[0], imp[1 % len(imp)], imp[2 % len(imp)]
    when = max(1, T // 5)
    events: list[dict[str, Any]] = [
        {
            "date": _date(0),
            "type": "arms_order",
            "buyer": a0,
            "supplier": rival,
            "value": 0.05,
            "delivery_start": _date(1),
            "delivery_end": _date(min(T - 1, 4)),
        },
        {
            "date": _date(when),
            "type": "sanction_changed",
            "id": "regime",
            "intensity": 0.7,
            "scope": ["arms", "technology", "finance", "trade"],
            "secondary": 0.2,
        },
        {
            "date": _date(when),
            "type": "threat_shock",
            "states": imp[:3],
            "magnitude": 0.3,
            "duration": 2.0,
        },
        {
            "date": _date(when),
            "type": "production_deal",
            "licensor": rival,
            "producer": a1,
            "capacity": 0.05,
        },
        {
            "date": _date(when),
            "type": "trade_agreement",
            "between": [a1, rival],
            "target": _r(states[a1]["gdp"] * 0.1, 2),
            "target_year": START_YEAR + years - 1,
        },
        {
            "date": _date(min(T - 1, when + 1)),
            "type": "alliance_action",
            "alliance": "BLOC",
            "action": "deployment",
            "recipient": clients[0],
            "duration": 0.5,
        },
        {
            "date": _date(min(T - 1, when + 2)),
            "type": "alliance_action",
            "alliance": "PACT",
            "action": "assistance",
            "provider": rival,
            "recipient": a2,
            "value": 0.02,
        },
        {
            "date": _date(min(T - 1, when + 3)),
            "type": "parameter",
            "target": f"states.{third}.reliability",
            "op": "scale",
            "value": 0.9,
        },
    ]
    if a0 != a2:
        events.append(
            {
                "date": _date(min(T - 1, 2)),
                "type": "conflict",
                "between": [a0, a2],
                "intensity": 0.4,
                "duration": 1.0,
            }
        )

    return {
        "metadata": {
            "name": f"generated-{n_states}-s{seed}",
            "title": f"Generated world of {n_states} states (seed {seed})",
            "description": "Random scenario from sim.scenario.generate (benchmarks, tests).",
        },
        "time": {"start": _date(0), "end": _date(T - 1), "step": "quarter"},
        "seed": int(seed),
        "replicates": 1,
        "alliances": alliances,
        "states": states,
        "relations": {"links": links, "arms_stocks": arms_stocks},
        "sanctions": sanctions,
        "events": events,
    }
