"""Declared outcomes: scalars (one number per run) and time series, read from the recorder's arrays.

An outcome names a metric (see :mod:`sim.metrics`), a state and, for pair metrics, a partner.
Scalars reduce the series with a ``stat`` over a window of periods. Extraction works on
``model.recorder.arrays()`` directly (no tidy DataFrame per run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.errors import Problem, excerpt
from sim.outcomes import PAIR_METRICS, STATE_METRICS
from sim.scenario.yamlsafe import PathT
from sim.sweep.spec import ScalarOutcome, SeriesOutcome


@dataclass(frozen=True)
class Compiled:
    """An outcome resolved to array indices.

    Attributes:
        pair: whether the metric is a pair (state x partner) metric.
        metric: metric name.
        i: state index; j: partner index (-1 for state metrics).
        t0, t1: first and last period of the window (inclusive).
        stat: value, mean, min, max, sum or change (series outcomes: "series").
    """

    pair: bool
    metric: str
    i: int
    j: int
    t0: int
    t1: int
    stat: str


def check(
    outcome: ScalarOutcome | SeriesOutcome, ids: tuple[str, ...], labels: list[str], where: str
) -> list[str]:
    """Problems of one outcome against the scenario's states and time axis (``field: message``)."""
    import difflib

    out: list[str] = []
    metrics = PAIR_METRICS + STATE_METRICS
    if outcome.metric not in metrics:
        close = difflib.get_close_matches(outcome.metric, metrics, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        out.append(
            f"{where}.metric: unknown metric {excerpt(outcome.metric)}{hint} "
            f"(allowed: {', '.join(metrics)})"
        )
        return out
    for key in ("state", "partner"):
        v = getattr(outcome, key)
        if v is not None and v not in ids:
            close = difflib.get_close_matches(v, ids, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            out.append(
                f"{where}.{key}: no state {excerpt(v)} in the scenario{hint} "
                f"(allowed: {', '.join(ids)})"
            )
    pair = outcome.metric in PAIR_METRICS
    if pair and outcome.partner is None:
        out.append(
            f"{where}.partner: metric {outcome.metric} is a pair metric; name a partner "
            f"(one of {', '.join(ids)})"
        )
    if not pair and outcome.partner is not None:
        out.append(f"{where}.partner: metric {outcome.metric} is a state metric; remove partner")
    if isinstance(outcome, ScalarOutcome):
        for key in ("date", "start", "end"):
            v = getattr(outcome, key)
            if v is not None and v not in labels:
                out.append(
                    f"{where}.{key}: {excerpt(v)} is not a period of the run "
                    f"(allowed: {labels[0]} .. {labels[-1]}, as {labels[0]}-style labels)"
                )
        if (
            outcome.start in labels
            and outcome.end in labels
            and labels.index(outcome.start) > labels.index(outcome.end)
        ):
            out.append(f"{where}.start: start {outcome.start} is after end {outcome.end}")
    return out


def compile_outcome(
    o: ScalarOutcome | SeriesOutcome, ids: tuple[str, ...], labels: list[str]
) -> Compiled:
    """Resolve a (checked) outcome to indices."""
    pair = o.metric in PAIR_METRICS
    i = ids.index(o.state)
    j = ids.index(o.partner) if pair else -1
    T = len(labels)
    if isinstance(o, SeriesOutcome):
        return Compiled(pair, o.metric, i, j, 0, T - 1, "series")
    if o.stat == "value":
        t = labels.index(o.date) if o.date else T - 1
        return Compiled(pair, o.metric, i, j, t, t, "value")
    t0 = labels.index(o.start) if o.start else 0
    t1 = labels.index(o.end) if o.end else T - 1
    return Compiled(pair, o.metric, i, j, t0, t1, o.stat)


def _series(c: Compiled, pairs: dict[str, np.ndarray], states: dict[str, np.ndarray]) -> np.ndarray:
    if c.pair:
        return pairs[c.metric][:, c.i, c.j]
    return states[c.metric][:, c.i]


def extract(
    scalars: list[Compiled],
    series: list[Compiled],
    pairs: dict[str, np.ndarray],
    states: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Scalar values (k,) and series (m, T) of one run from the recorder's arrays."""
    sv = np.empty(len(scalars))
    for k, c in enumerate(scalars):
        x = _series(c, pairs, states)[c.t0 : c.t1 + 1]
        if c.stat == "value":
            sv[k] = x[0]
        elif c.stat == "change":
            sv[k] = x[-1] - x[0]
        else:
            sv[k] = getattr(np, c.stat)(x)
    T = next(iter(states.values())).shape[0]
    ser = np.empty((len(series), T))
    for k, c in enumerate(series):
        ser[k] = _series(c, pairs, states)
    return sv, ser


def problems(
    items: Sequence[ScalarOutcome | SeriesOutcome],
    kind: str,
    ids: tuple[str, ...],
    labels: list[str],
    file: str,
    line_of: Callable[[PathT], int | None],
) -> list[Problem]:
    """:class:`Problem` list for all outcomes of one kind (``outcomes`` or ``series``)."""
    out: list[Problem] = []
    for n, o in enumerate(items):
        for msg in check(o, ids, labels, f"{kind}[{n}]"):
            field, _, text = msg.partition(": ")
            key = field.rsplit(".", 1)[-1]
            out.append(Problem(file, field, text, line_of((kind, n, key))))
    return out
