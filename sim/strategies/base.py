"""Strategies decide, mechanisms resolve: the :class:`Strategy` base, the :class:`Policy` it
returns, the standing :class:`Rules` the compiled mechanisms apply, and the registry.

Every step, in the decide phase, each state's agent asks its strategy for a :class:`Policy`:
what this state does this step (supplier preferences, choice precision, its stance on each
sanctions regime, domestic investment, trade-partner preferences, and as a patron how hard it
presses its clients). The mechanisms (procurement, sanctions, trade, pressure) then resolve all
policies together in compiled code.

A strategy is a small class, in the manner of Axelrod's players::

    from sim import Policy, Strategy

    class PreferTurkiye(Strategy):
        \"\"\"Prefer Turkish suppliers (example).\"\"\"
        name = "prefer_turkiye"

        def decide(self, me, world) -> Policy:
            return Policy(prefer={"TUR": 2.0})

``me`` is the state's :class:`~sim.agents.StateAgent`, ``world`` a read-only
:class:`~sim.view.WorldView`. A strategy whose policy does not depend on the world says so with
``classifier = {"adaptive": False, ...}``; the model then asks it once (and again after events
that change parameters) instead of every step: the fast path that the built-in strategies take.
Their dependence on the changing world (current shares, the strongest patron, the most menacing
power) is expressed as :class:`Rules` that the compiled mechanisms evaluate every step.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    from sim.agents import StateAgent
    from sim.view import WorldView


class PolicyError(ValueError):
    """A policy field out of its range or of the wrong type (the message names the field)."""


_EMPTY: Mapping[str, float] = MappingProxyType({})
np_bool: type = type(None)  # numpy's bool, set when numpy is importable (it always is here)
try:
    import numpy as _np

    np_bool = _np.bool_
except ImportError:  # pragma: no cover
    pass


def _frozen_map(name: str, value: object, lo: float, hi: float) -> Mapping[str, float]:
    if value is None or (isinstance(value, dict) and not value):
        return _EMPTY
    if not isinstance(value, Mapping):
        raise PolicyError(
            f"{name} must be a mapping of state or regime ids to numbers, "
            f"got {type(value).__name__}"
        )
    out: dict[str, float] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise PolicyError(f"{name}: keys must be id strings, got {k!r}")
        out[k] = v if type(v) is float and lo <= v <= hi else _number(f"{name}[{k!r}]", v, lo, hi)
    return MappingProxyType(out)


def _number(name: str, v: object, lo: float, hi: float) -> float:
    if type(v) is float and lo <= v <= hi:  # the common case, fast (NaN fails the range)
        return v
    if isinstance(v, (bool, np_bool)) or not isinstance(v, numbers.Real):
        raise PolicyError(f"{name} must be a number, got {v!r}")
    x = float(v)
    if not math.isfinite(x) or not lo <= x <= hi:
        raise PolicyError(f"{name} = {x:g} is outside {lo:g}..{hi:g}")
    return x


class _RulesRow(NamedTuple):
    hedge: float
    follow_bonus: float
    follow_compliance_cut: float
    foe_penalty: float
    foe_rival_bonus: float


class Rules(_RulesRow):
    """Standing rules: adjustments the compiled mechanisms evaluate every step against the
    current world, so that a strategy that uses only these need not be asked every step.

    An immutable record (a named tuple: its values in the order of :data:`RULES` are a row
    of the mechanisms' rule table); every field is optional.

    Attributes:
        hedge: utility of supplier j falls by ``hedge * diversification * stock share of j``
            (utility per unit share); a hedger avoids its current dependence.
        follow_bonus: utility added to the power the state follows: its strongest friendly
            patron, else the strongest friendly exporter (utility).
        follow_compliance_cut: fraction (0-1) of its compliance with sanctions on that power
            dropped.
        foe_penalty: utility removed from the power that menaces it most (utility).
        foe_rival_bonus: utility added per unit of a supplier's hostility to that power.
    """

    __slots__ = ()

    def __new__(
        cls,
        hedge: float = 0.0,
        follow_bonus: float = 0.0,
        follow_compliance_cut: float = 0.0,
        foe_penalty: float = 0.0,
        foe_rival_bonus: float = 0.0,
    ) -> Rules:
        return super().__new__(
            cls,
            _number("rules.hedge", hedge, -100.0, 100.0),
            _number("rules.follow_bonus", follow_bonus, -100.0, 100.0),
            _number("rules.follow_compliance_cut", follow_compliance_cut, 0.0, 1.0),
            _number("rules.foe_penalty", foe_penalty, -100.0, 100.0),
            _number("rules.foe_rival_bonus", foe_rival_bonus, -100.0, 100.0),
        )

    def row(self) -> tuple[float, ...]:
        """The values in the order of :data:`RULES` (a row of the mechanisms' rule table)."""
        return tuple(self)

    def __repr__(self) -> str:  # only the rules in force
        given = ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self) if v != 0.0)
        return f"Rules({given})"


RULES: tuple[str, ...] = Rules._fields
"""Columns of the rule table the compiled mechanisms read, in order."""
NO_RULES = Rules()


@dataclass(frozen=True, init=False)
class Policy:
    """What one state does this step. Every field is optional; ids are scenario state ids.

    Attributes:
        prefer: utility added to each named supplier (utility units; negative: avoid it). The
            state's own id names its own industry.
        precision: multiplier (0.01-100) on the logit's choice precision: above 1 concentrates
            purchases on the best-scoring supplier, below 1 spreads them.
        comply: compliance level 0-1 with a sanctions regime, keyed by the regime's id or by the
            target's id (all regimes on it); replaces the economic compliance rule for that
            regime. Unnamed regimes follow the rule.
        invest: share of the arms budget per year (0-1) invested in domestic production
            capacity, paid out of the budget.
        trade: multiplier (0.01-100) per partner on the pair's yearly trade growth factor
            (1.1: 10 % a year more than the trend; both sides' multipliers compound).
        pressure: for a patron, multiplier (0-10) on the documented response to its clients'
            drift (the ``pressure_*`` parameters); one number for all clients, or a mapping
            client id -> multiplier (unnamed clients: 1).
        rules: standing :class:`Rules` evaluated by the mechanisms every step.

    Values are checked when the policy is made (:class:`PolicyError` names the field); ids are
    checked when the model books it.
    """

    prefer: Mapping[str, float]
    precision: float
    comply: Mapping[str, float]
    invest: float
    trade: Mapping[str, float]
    pressure: float | Mapping[str, float]
    rules: Rules

    def __init__(
        self,
        prefer: Mapping[str, float] | None = None,
        precision: float = 1.0,
        comply: Mapping[str, float] | None = None,
        invest: float = 0.0,
        trade: Mapping[str, float] | None = None,
        pressure: float | Mapping[str, float] = 1.0,
        rules: Rules = NO_RULES,
    ) -> None:
        s = object.__setattr__
        s(self, "prefer", _frozen_map("prefer", prefer, -100.0, 100.0))
        s(self, "precision", _number("precision", precision, 0.01, 100.0))
        s(self, "comply", _frozen_map("comply", comply, 0.0, 1.0))
        s(self, "invest", _number("invest", invest, 0.0, 1.0))
        s(self, "trade", _frozen_map("trade", trade, 0.01, 100.0))
        if isinstance(pressure, Mapping):
            s(self, "pressure", _frozen_map("pressure", pressure, 0.0, 10.0))
        else:
            s(self, "pressure", _number("pressure", pressure, 0.0, 10.0))
        if not isinstance(rules, Rules):
            raise PolicyError(f"rules must be a sim.Rules, got {type(rules).__name__}")
        s(self, "rules", rules)

    def __repr__(self) -> str:  # only what differs from the empty policy
        parts = []
        for k, default in _POLICY_DEFAULTS:
            v = getattr(self, k)
            if v != default:
                parts.append(f"{k}={dict(v) if isinstance(v, Mapping) else v!r}")
        return f"Policy({', '.join(parts)})"

    def __hash__(self) -> int:  # mappings are read-only proxies: hash their items
        return hash(
            (
                tuple(sorted(self.prefer.items())),
                self.precision,
                tuple(sorted(self.comply.items())),
                self.invest,
                tuple(sorted(self.trade.items())),
                tuple(sorted(self.pressure.items()))
                if isinstance(self.pressure, Mapping)
                else self.pressure,
                self.rules,
            )
        )


_POLICY_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("prefer", {}),
    ("precision", 1.0),
    ("comply", {}),
    ("invest", 0.0),
    ("trade", {}),
    ("pressure", 1.0),
    ("rules", NO_RULES),
)

DEFAULT_CLASSIFIER: dict[str, Any] = {
    "adaptive": True,  # reads the world: asked every step
    "stochastic": False,  # draws random numbers (from me.rng only)
    "family": "user",
}

BUILTIN: dict[str, type[Strategy]] = {}
"""Built-in strategies by name (registered as their modules are imported)."""
LOADED: dict[str, type[Strategy]] = {}
"""User strategies loaded from files, by ``file.py:Class`` spec."""


class Strategy:
    """Base class: a state's decision rule. Subclasses set :attr:`name` and override
    :meth:`decide`; the base policy is the empty one (the common utility alone).

    Class attributes:
        name: short identifier (letters, digits, underscores).
        classifier: facts the model and tournaments use; ``adaptive`` False promises that
            :meth:`decide` reads nothing of the world but its parameters (``world.params``)
            and the state's identity, so the model asks once, and again when an event (or
            ``model.refresh()``) changes a parameter. A subclass that overrides :meth:`decide` is
            adaptive unless its own classifier says otherwise.
        params: default keyword parameters; a scenario's ``strategy_params`` override them
            and become attributes of the instance.

    Subclasses defined in ``sim.strategies`` register as built-ins; user classes are
    registered when loaded from their file (:func:`sim.strategies.loading.load_strategy`).
    """

    name: ClassVar[str] = ""
    classifier: ClassVar[dict[str, Any]] = DEFAULT_CLASSIFIER
    params: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = dict(cls.__dict__.get("classifier", {}))
        inherited = next(
            b.__dict__["classifier"] for b in cls.__mro__[1:] if "classifier" in b.__dict__
        )
        if "decide" in cls.__dict__ and "adaptive" not in own:
            own["adaptive"] = True  # a new decide() may read the world unless it says otherwise
        cls.classifier = {**DEFAULT_CLASSIFIER, **inherited, **own}
        if cls.__module__.startswith("sim.strategies.") and cls.name:
            BUILTIN[cls.name] = cls

    def __init__(self, **params: Any) -> None:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            allowed = ", ".join(sorted(self.params)) or "none"
            raise TypeError(
                f"unknown strategy parameter(s) {', '.join(unknown)} (allowed: {allowed})"
            )
        for k, v in {**self.params, **params}.items():
            setattr(self, k, copy.deepcopy(v))  # an instance never shares (mutable) values

    @property
    def adaptive(self) -> bool:
        """Whether the model must ask this strategy every step."""
        return bool(self.classifier["adaptive"])

    def decide(self, me: StateAgent, world: WorldView) -> Policy:
        """This state's policy for the current step (override)."""
        return Policy()

    def remember(self, key: object, make: Callable[[], Policy]) -> Policy:
        """``make()``, or the policy made last time if ``key`` (what the policy depends on)
        is unchanged: a strategy asked every step need not rebuild an identical policy, and
        the model books an identical policy object for free."""
        memo = self.__dict__.get("_remembered")
        if memo is not None and memo[0] == key:
            return memo[1]  # type: ignore[no-any-return]
        policy = make()
        self.__dict__["_remembered"] = (key, policy)
        return policy

    def __repr__(self) -> str:
        given = {k: getattr(self, k) for k in self.params}
        args = ", ".join(f"{k}={v!r}" for k, v in given.items())
        return f"{type(self).__name__}({args})"
