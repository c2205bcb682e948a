"""The decide phase's book-keeping: every state's :class:`~sim.strategies.Policy`, checked
against the world and written into the arrays the mechanisms read
(:class:`~sim.rules.choice.PolicyArrays`).

A policy names states and regimes by id; :meth:`PolicyBook.write` resolves them to rows and
columns and refuses unknown ones (:class:`~sim.strategies.PolicyError`, which the agent turns
into a message naming the strategy, the state and the date). Writing the same policy object
again is free, so strategies that return a cached policy cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.rules.choice import (
    FOE_BONUS,
    FOE_PENALTY,
    FOLLOW_BONUS,
    FOLLOW_CUT,
    PolicyArrays,
    neutral_policies,
)
from sim.rules.sanctions import Regimes
from sim.strategies import Policy, PolicyError


def _listing(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "none"


class PolicyBook:
    """The current policy of every state, and its arrays.

    Args:
        ids: state ids in the model's order.
        clients: per state, the ids of its clients (for ``Policy.pressure`` by client).
        regime_ids: every regime id the scenario can have in force (``Policy.comply`` keys).
        dt: step length in years (trade multipliers are per year).
        stances: per state, its declared stances (regime or target id -> "aligned" or
            "non_aligned"); a non-aligned stance sets its compliance to ``non_aligned`` unless
            its policy's ``comply`` names the regime.
        non_aligned: compliance of a non-aligned state (``parameters.non_aligned_compliance``).
    """

    def __init__(
        self,
        ids: Sequence[str],
        clients: Sequence[Sequence[str]],
        regime_ids: Sequence[str],
        dt: float,
        stances: Sequence[Mapping[str, str]] = (),
        non_aligned: float = 0.0,
    ) -> None:
        n = len(ids)
        self.ids = tuple(ids)
        self.index = {s: i for i, s in enumerate(self.ids)}
        self.clients = [frozenset(c) for c in clients]
        self.regime_ids = frozenset(regime_ids)
        self.dt = float(dt)
        self.policies: list[Policy | None] = [None] * n
        self._trade = np.ones((n, n))  # raw per-year multipliers, row: the state's policy
        self._tilted = np.zeros(n, dtype=bool)  # the state's policy has trade multipliers
        self._stance = np.zeros(n, dtype=bool)  # ... or stances on regimes
        self.declared = [dict(s) for s in stances] or [{} for _ in range(n)]
        self.non_aligned = float(non_aligned)
        self._regimes: Regimes | None = None
        self.arrays: PolicyArrays = neutral_policies(n)

    # ---------------------------------------------------------------- writing
    def write(self, i: int, policy: Policy) -> None:
        """Set state ``i``'s policy (raises :class:`PolicyError` for unknown ids)."""
        old = self.policies[i]
        if policy is old or policy == old:  # unchanged: nothing to write
            self.policies[i] = policy
            return
        a = self.arrays
        n = len(self.ids)
        for k in policy.comply:
            if k not in self.index and k not in self.regime_ids:
                raise PolicyError(
                    f"comply: unknown regime or state {k!r} (regimes: "
                    f"{_listing(sorted(self.regime_ids))}; or a target's state id)"
                )
        prefer = None
        if policy.prefer:
            prefer = np.zeros(n)
            for k, v in policy.prefer.items():
                prefer[self._state(k, "prefer")] = v
        trade = None
        if policy.trade:
            trade = np.ones(n)
            for k, v in policy.trade.items():
                j = self._state(k, "trade")
                if j == i:
                    raise PolicyError(f"trade: {k!r} is the state itself")
                trade[j] = v
        scale: float | np.ndarray = 1.0
        if isinstance(policy.pressure, Mapping):
            scale = np.ones(n)
            for k, v in policy.pressure.items():
                if k not in self.clients[i]:
                    raise PolicyError(
                        f"pressure: {k!r} is not a client of {self.ids[i]} "
                        f"(clients: {_listing(sorted(self.clients[i]))})"
                    )
                scale[self.index[k]] = v
        else:
            scale = policy.pressure
        # checked: write the row
        rules = policy.rules.row()
        a.rules[i] = rules
        a.follows[i] = rules[FOLLOW_BONUS] != 0.0 or rules[FOLLOW_CUT] != 0.0
        a.balances[i] = rules[FOE_PENALTY] != 0.0 or rules[FOE_BONUS] != 0.0
        a.prefer[i] = 0.0 if prefer is None else prefer
        a.precision[i] = policy.precision
        a.invest[i] = policy.invest
        a.pressure_scale[i] = scale
        if trade is not None or self._tilted[i]:
            self._tilted[i] = trade is not None
            self._trade[i] = 1.0 if trade is None else trade
            tilt = (self._trade[i] * self._trade[:, i]) ** self.dt
            a.trade_tilt[i] = tilt
            a.trade_tilt[:, i] = tilt
        self.policies[i] = policy
        had_stance = self._stance[i]
        self._stance[i] = bool(policy.comply) or bool(self.declared[i])
        if self._regimes is not None and (had_stance or self._stance[i]):
            self._comply_row(i)

    def _state(self, k: str, field: str) -> int:
        try:
            return self.index[k]
        except KeyError:
            raise PolicyError(
                f"{field}: unknown state {k!r} (states: {_listing(self.ids)})"
            ) from None

    # ---------------------------------------------------------------- regimes
    def set_non_aligned(self, level: float) -> None:
        """A new ``non_aligned_compliance`` (a parameter event): rebuild the declared stances."""
        if float(level) != self.non_aligned:
            self.non_aligned = float(level)
            for i in np.flatnonzero(self._stance):
                self._comply_row(int(i))

    def set_regimes(self, regimes: Regimes) -> PolicyArrays:
        """Rebuild the stances for the regimes in force; returns the (new) arrays record."""
        self._regimes = regimes
        rows = (regimes.target.shape[0], len(self.ids))
        self.arrays = self.arrays._replace(
            comply=np.full(rows, np.nan), comply_max=np.zeros(rows, dtype=np.bool_)
        )
        for i in np.flatnonzero(self._stance):  # the other columns stay NaN: the rule
            self._comply_row(int(i))
        return self.arrays

    def _comply_row(self, i: int) -> None:
        rg = self._regimes
        pol = self.policies[i]
        col = self.arrays.comply[:, i]
        col[:] = np.nan
        if rg is None:
            return
        comply = {k: self.non_aligned for k, v in self.declared[i].items() if v == "non_aligned"}
        aligned = {k for k, v in self.declared[i].items() if v == "aligned"}
        if pol is not None:  # the strategy's own stances override the declared ones
            comply.update(pol.comply)
            aligned -= set(pol.comply)
        if not comply:
            return
        part = self.arrays.comply_max[:, i]
        part[:] = False
        for r in range(rg.target.shape[0]):
            tid = self.ids[int(rg.target[r])]
            levels, ruled = [], False
            for rid in rg.ids[r]:  # a regime's own id is more specific than its target's
                if rid in comply:
                    levels.append(comply[rid])
                elif tid in comply and rid not in aligned:
                    levels.append(comply[tid])
                else:
                    ruled = True  # this regime follows the economic rule
            if levels:
                # regimes merged in one row (same senders and target) combine by the maximum
                col[r] = max(levels)
                part[r] = ruled
