"""Parameter sweeps: sweep files, designs, resumable Parquet stores, sensitivity and discovery.

The package is callable: ``sim.sweep(scenario, design=..., outcomes=..., workers=...,
backend=...)`` runs a sweep defined in Python and returns its store loaded for analysis (see
:func:`sim.sweep.api.sweep`).

Modules (import what you need; nothing heavy loads on ``import sim.sweep``):

* :mod:`sim.sweep.spec` - the sweep file schema; :mod:`sim.sweep.loader` - reading and checking it.
* :mod:`sim.sweep.design` - grid / lhs / sobol / morris / points designs (SALib,
  scipy.stats.qmc) and seeds.
* :mod:`sim.sweep.execute` - the worker function and backends (local processes, dask).
* :mod:`sim.sweep.store` - the Parquet store and its crash-safe commit protocol.
* :mod:`sim.sweep.run` - :func:`~sim.sweep.run.run_sweep`, the whole sweep.
* :mod:`sim.sweep.api` - :func:`~sim.sweep.api.sweep`, a sweep defined in Python.
* :mod:`sim.sweep.analyze` - load a store; Sobol and Morris indices (also over time).
* :mod:`sim.sweep.discovery` - PRIM scenario discovery; :mod:`sim.sweep.figures`,
  :mod:`sim.sweep.report`.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.sweep.analyze import SweepResults


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`sim.sweep.api.sweep` (``sim.sweep(...)``)."""

    def __call__(self, *args: Any, **kwargs: Any) -> SweepResults:
        from sim.sweep.api import sweep

        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
