"""One period of every mechanism, compiled as one function (resolve and record of a step).

The model fires events and runs the decide phase in Python, then calls :func:`advance_span` for
that step and the quiet steps after it (:func:`advance` for one step), with a block of random
draws (:mod:`sim.draws`) and one named record per mechanism:
:class:`~sim.rules.threat.ThreatInputs`, :class:`~sim.rules.procurement.ProcurementInputs`,
:class:`~sim.rules.sanctions.SanctionsInputs`, :class:`~sim.rules.pressure.PressureInputs`,
:class:`~sim.rules.trade.TradeInputs`, the states' policies
(:class:`~sim.rules.choice.PolicyArrays`) and the recorder's :class:`~sim.recorder.Blocks`.
Each mechanism packs its own record (its module's ``pack``) and its Python face calls the same
kernel, so a face's tests test what the model runs. The records cross from Python as plain
tuples and are named again inside (:func:`plain`), which halves the cost of a call.
``_period`` composes the kernels in the documented order and holds no behaviour of its own.
Fusing them matters for small worlds: called one by one from Python, ~25 kernels a step cost
more in call overhead than in arithmetic.

World arrays are updated in place (the model never rebinds them between events), and the
recorder's arrays are written at row ``t``, by output name.

Note on numba's disk cache: it is keyed on this file's source, not on the kernels it calls from
other modules; ``make`` clears the cache whenever a kernel module changes (see the Makefile).
"""

from __future__ import annotations

from sim.recorder import Blocks
from sim.rules.choice import PolicyArrays, _targets
from sim.rules.common import _shares_into, inline, jit
from sim.rules.pressure import PressureInputs, _respond
from sim.rules.procurement import ProcurementInputs, _procure, _seed_orders
from sim.rules.sanctions import SanctionsInputs, _resolve
from sim.rules.threat import ThreatInputs, _rivalry
from sim.rules.threat import _advance as _threat
from sim.rules.trade import TradeInputs
from sim.rules.trade import _advance as _trade


def advance(t, uniform, exponential, normal, row, first, th, pr, sa, ps, tr, pol, rec):
    """The mechanisms of period ``t`` in order (see :mod:`sim.model`): threat and budgets,
    procurement, sanctions, patron response, trade, then the record. With ``first``, only the
    set-up: compliance with the regimes in force at the start, without capacity changes, and
    the orders placed before the run (:func:`~sim.rules.procurement._seed_orders`).

    ``uniform``, ``exponential`` and ``normal`` are a block of :class:`sim.draws.Draws`; row
    ``row`` holds this step's. ``th`` .. ``tr`` are the mechanisms' records, ``pol`` the
    policies, ``rec`` the recorder's blocks, each as a plain tuple of its fields in order
    (:func:`plain`). The same compiled call as :func:`advance_span` over one step (one
    compiled entry point: a new process loads the period's code from numba's cache once)."""
    advance_span(t, t + 1, uniform, exponential, normal, row, first, th, pr, sa, ps, tr, pol, rec)


def plain(records: tuple) -> tuple:  # type: ignore[type-arg]
    """The records as plain tuples of their fields, for :func:`advance` and
    :func:`advance_span`: numba types a plain tuple from Python in its compiled fast path and
    a named tuple field by field in Python, so a call costs about half as much (the model
    calls them a few times a run, every step when a strategy adapts)."""
    return tuple(tuple(r) for r in records)


@inline
def _named(th, pr, sa, ps, tr, pol, rec):
    """The records as their named tuples again, inside compiled code (free)."""
    return (
        ThreatInputs(*th),
        ProcurementInputs(*pr),
        SanctionsInputs(*sa),
        PressureInputs(*ps),
        TradeInputs(*tr),
        PolicyArrays(*pol),
        Blocks(*rec),
    )


@inline
def _period(t, uniform, exponential, normal, row, first, th, pr, sa, ps, tr, pol, rec):
    """:func:`advance` on the named records."""
    _rivalry(-1 if first else t, th)  # the set-up comes before any conflict
    power = pr.capacity * pr.capability
    friend, foe = _targets(
        pol, power, pr.affinity, pr.exports, pr.patrons, True, pr.pressure, th.rivalry
    )
    if not first:
        _threat(t, th, uniform[row], exponential[row])
        _procure(t, pr, pol, normal[row], friend, foe)
    _resolve(first, sa, pol, friend)
    if first:
        _seed_orders(pr, pol, friend, foe)
        return
    _respond(ps, pol)
    _trade(t, tr, pol)
    # record (the declared outputs the period writes, by name: sim.outcomes)
    _shares_into(pr.stock, rec.arms_share[t])
    _shares_into(tr.trade, rec.trade_share[t])
    rec.deliveries[t] = pr.deliveries
    rec.trade[t] = tr.trade
    rec.compliance[t] = sa.compliance
    rec.reexports[t] = tr.reexports
    rec.pressure[t] = ps.pressure.T
    rec.arms_budget[t] = th.budget
    rec.capacity[t] = pr.capacity
    rec.reliability[t] = pr.reliability
    rec.input_loss[t] = sa.input_loss
    rec.threat[t] = th.threat


@jit
def advance_span(t0, t1, uniform, exponential, normal, row0, first, th, pr, sa, ps, tr, pol, rec):
    """Periods ``t0`` .. ``t1 - 1`` in a row (:func:`advance` each), for quiet stretches in
    which nothing happens in Python between steps; ``row0`` is ``t0``'s row in the block of
    draws, which must hold every step of the span. With ``first``, only the set-up (as
    :func:`advance`). The records as for :func:`advance`."""
    th_, pr_, sa_, ps_, tr_, pol_, rec_ = _named(th, pr, sa, ps, tr, pol, rec)
    for t in range(t0, t0 + 1 if first else t1):  # one call site: _period is inlined once
        r = row0 + t - t0
        _period(t, uniform, exponential, normal, r, first, th_, pr_, sa_, ps_, tr_, pol_, rec_)
