"""One period of every mechanism, compiled as one function (resolve and record of a step).

The model fires events and runs the decide phase in Python, then calls :func:`advance` once a
step with that step's random draws (:mod:`sim.draws`) and one named record per mechanism:
:class:`~sim.rules.threat.ThreatInputs`, :class:`~sim.rules.procurement.ProcurementInputs`,
:class:`~sim.rules.sanctions.SanctionsInputs`, :class:`~sim.rules.pressure.PressureInputs`,
:class:`~sim.rules.trade.TradeInputs`, the states' policies
(:class:`~sim.rules.choice.PolicyArrays`) and the recorder's :class:`~sim.recorder.Blocks`.
Each mechanism packs its own record (its module's ``pack``) and its Python face calls the same
kernel, so a face's tests test what the model runs. ``advance`` composes the kernels in the
documented order and holds no behaviour of its own. Fusing them matters for small worlds:
called one by one from Python, ~25 kernels a step cost more in call overhead than in
arithmetic.

World arrays are updated in place (the model never rebinds them between events), and the
recorder's blocks are written at row ``t``.
"""

from __future__ import annotations

from sim.recorder import BUDGET, CAPACITY, INPUT_LOSS, RELIABILITY, THREAT
from sim.recorder import ARMS_SHARE, COMPLIANCE, DELIVERIES, PRESSURE, TRADE, TRADE_SHARE
from sim.rules.choice import _targets
from sim.rules.common import _shares, jit
from sim.rules.pressure import _respond
from sim.rules.procurement import _procure
from sim.rules.sanctions import _resolve
from sim.rules.threat import _advance as _threat
from sim.rules.trade import _advance as _trade


@jit
def advance(t, uniform, exponential, normal, row, first, th, pr, sa, ps, tr, pol, rec):
    """The mechanisms of period ``t`` in order (see :mod:`sim.model`): threat and budgets,
    procurement, sanctions, patron response, trade, then the record. With ``first``, only the
    set-up: compliance with the regimes in force at the start, without capacity changes.

    ``uniform``, ``exponential`` and ``normal`` are a block of :class:`sim.draws.Draws`; row
    ``row`` holds this step's. ``th`` .. ``tr`` are the mechanisms' records, ``pol`` the
    policies, ``rec`` the recorder's blocks."""
    power = pr.capacity * pr.capability
    friend, foe = _targets(pol, power, pr.affinity, pr.exports, pr.patrons, True, pr.pressure,
                           th.rivalry)
    if not first:
        _threat(t, th, uniform[row], exponential[row])
        _procure(t, pr, pol, normal[row], friend, foe)
    _resolve(first, sa, pol, friend)
    if first:
        return
    _respond(ps, pol)
    _trade(t, tr, pol)
    # record
    rec.pairs[ARMS_SHARE, t] = _shares(pr.stock)
    rec.pairs[TRADE_SHARE, t] = _shares(tr.trade)
    rec.pairs[DELIVERIES, t] = pr.deliveries
    rec.pairs[TRADE, t] = tr.trade
    rec.pairs[COMPLIANCE, t] = sa.compliance
    rec.pairs[PRESSURE, t] = ps.pressure.T
    rec.states[BUDGET, t] = th.budget
    rec.states[CAPACITY, t] = pr.capacity
    rec.states[RELIABILITY, t] = pr.reliability
    rec.states[INPUT_LOSS, t] = sa.input_loss
    rec.states[THREAT, t] = th.threat
