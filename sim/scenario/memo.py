"""Memoise functions of a validated scenario by object identity.

Scenarios are frozen, so what is derived from one never changes; replicates of a scenario then
derive it once. Keys are object identities (a scenario is not cheaply hashable), and each entry
keeps its scenario alive so an identity is never reused while cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

R = TypeVar("R")


def by_scenario(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorator: cache ``fn(scenario)`` for the ``maxsize`` scenarios used last.

    Callers must treat the result as read-only (or copy it).
    """

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        cache: OrderedDict[int, tuple[object, R]] = OrderedDict()
        lock = threading.Lock()  # models may be built in threads (dask workers, web sessions)

        @wraps(fn)
        def cached(scenario: object) -> R:
            with lock:
                hit = cache.get(id(scenario))
                if hit is not None and hit[0] is scenario:
                    cache.move_to_end(id(scenario))
                    return hit[1]
            value = fn(scenario)  # outside the lock: two threads may both build it, once
            with lock:
                cache[id(scenario)] = (scenario, value)
                while len(cache) > maxsize:
                    cache.popitem(last=False)
            return value

        cached.cache = cache  # type: ignore[attr-defined]
        return cached

    return decorate
