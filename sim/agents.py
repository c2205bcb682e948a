"""One mesa Agent per state: its identity, its strategy and decisions, views of its row.

The model owns the world's arrays (mesa's wolf-sheep style: the model holds the data, agents
read it); an agent's part of a step is :meth:`StateAgent.decide`: ask the strategy for this
step's :class:`~sim.strategies.Policy`. The mechanisms then resolve all policies together.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.errors import UserError
from sim.seeds import derive_seed
from sim.strategies import BUILTIN, Policy, PolicyError, Strategy

if TYPE_CHECKING:
    from sim.model import MultivectorModel


def _where(e: BaseException) -> str:
    """`` (file.py:LINE)`` of the deepest frame of ``e`` outside this package ("" if none)."""
    import traceback
    from pathlib import Path

    here = Path(__file__).resolve().parent
    frames = [
        f
        for f in traceback.extract_tb(e.__traceback__)
        if here not in Path(f.filename).resolve().parents
    ]
    return f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""


class StrategyError(UserError):
    """A strategy failed while deciding (names the strategy, its file, the state and the date)."""


# itertools.count is not subscriptable at run time: its type argument is a string
class _IdCounters(weakref.WeakKeyDictionary[object, "itertools.count[int]"]):
    """Per-model counters of agent ids that do not keep models alive.

    mesa 3.3.1's ``Agent`` numbers agents with a class-level ``defaultdict`` keyed by model,
    which holds every model ever made (a long sweep grows without bound). Our agents number
    themselves the same way (1, 2, ... per model) from a weakly keyed table instead.
    """

    def __getitem__(self, model: object) -> itertools.count[int]:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class StateAgent(mesa.Agent):
    """A state (or bloc) in the model.

    Attributes:
        state_id: scenario id (ISO 3166 alpha-3 or a bloc id such as WEST).
        index: row of this state in the world's arrays.
        strategy: its decision rule (a :class:`~sim.strategies.Strategy` instance).
        strategy_spec: how the scenario names it (a built-in name or ``file.py:Class``).
        policy: the policy of the current step (after :meth:`decide`).
    """

    model: MultivectorModel
    _ids = _IdCounters()  # mesa's Agent.__init__ draws unique_id from next(self._ids[model])

    def __init__(
        self, model: MultivectorModel, state_id: str, index: int, strategy: Strategy, spec: str
    ) -> None:
        super().__init__(model)
        self.state_id = state_id
        self.index = index
        self.strategy = strategy
        self.strategy_spec = spec
        self.policy = Policy()
        self._rng: np.random.Generator | None = None  # made when first asked for (see rng)

    @property
    def rng(self) -> np.random.Generator:
        """A random generator of this state's own, for its strategy (seeded from the run's
        seed). Unlike mesa's ``Agent.rng`` (the model's generator), drawing from it never
        shifts the model's random numbers, so common random numbers stay common.

        Made on first use: its seed depends only on the run's seed and the state's row, so
        when it is made does not change what it draws."""
        if self._rng is None:
            self._rng = np.random.default_rng(derive_seed(self.model.seed_used, 1, self.index))
        return self._rng

    # ---------------------------------------------------------------- deciding
    def step(self) -> None:
        """The agent's part of a model step: decide (mesa's per-agent step)."""
        self.decide()

    def decide(self) -> Policy:
        """Ask the strategy for this step's policy; a failure is a :class:`StrategyError`."""
        try:
            policy = self.strategy.decide(self, self.model.view)
        except Exception as e:  # noqa: BLE001 - a user's decide() may raise anything
            raise self._error(f"decide() raised {type(e).__name__}: {e}{_where(e)}") from None
        except SystemExit as e:  # a user's sys.exit() must not end the run without a word
            raise self._error(f"decide() called sys.exit({e.code!r})") from None
        if not isinstance(policy, Policy):
            raise self._error(f"decide() returned {type(policy).__name__}, not a sim.Policy")
        self.policy = policy
        return policy

    def _error(self, what: str) -> StrategyError:
        spec = self.strategy_spec
        if spec in BUILTIN:
            who = f"strategy {spec}"
        else:
            file, _, cls = spec.rpartition(":")
            who = f"{file}: strategy class {cls}"
        date = self.model.view.date
        return StrategyError(f"{who}, state {self.state_id}, {date}: {what}")

    def policy_error(self, e: PolicyError) -> StrategyError:
        """A :class:`StrategyError` for a policy that names unknown ids or bad values."""
        return self._error(f"invalid policy: {e}")

    # ---------------------------------------------------------------- its row of the world
    @property
    def threat(self) -> float:
        """Current threat level (threat units)."""
        return float(self.model.world.threat[self.index])

    @property
    def arms_budget(self) -> float:
        """Current arms procurement budget, US$ bn/yr."""
        return float(self.model.world.budget[self.index])

    @property
    def capacity(self) -> float:
        """Current effective production capacity, US$ bn/yr."""
        return float(self.model.world.capacity[self.index])

    @property
    def diversification(self) -> float:
        """Weight it puts on diversifying its suppliers (0-1)."""
        return float(self.model.world.diversification[self.index])

    @property
    def exports_arms(self) -> bool:
        """Whether it sells arms."""
        return bool(self.model.world.exports[self.index])

    def arms_shares(self) -> dict[str, float]:
        """Current shares of its installed arms stock by supplier id (non-zero only)."""
        w = self.model.world
        row = w.stock_shares()[self.index]
        return {w.ids[j]: float(v) for j, v in enumerate(row) if v > 0}

    def trade_shares(self) -> dict[str, float]:
        """Current shares of its trade with the modelled partners, by partner id."""
        w = self.model.world
        row = w.trade[self.index]
        tot = float(row.sum())
        return {w.ids[j]: float(v) / tot for j, v in enumerate(row) if v > 0} if tot > 0 else {}

    def leading_supplier(self) -> tuple[str, float]:
        """(supplier id, share) of the largest supplier in its arms stock."""
        shares = self.arms_shares()
        if not shares:
            return ("", 0.0)
        sid = max(shares, key=shares.__getitem__)
        return sid, shares[sid]

    def arms_hhi(self) -> float:
        """Herfindahl concentration of its arms suppliers (0-1)."""
        return float(sum(v * v for v in self.arms_shares().values()))

    def __repr__(self) -> str:
        return f"StateAgent({self.state_id}, {self.strategy_spec})"
