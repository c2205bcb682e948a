"""Parameter sweeps: sweep files, designs, resumable Parquet stores, sensitivity and discovery.

Modules (import what you need; nothing heavy loads on ``import sim.sweep``):

* :mod:`sim.sweep.spec` - the sweep file schema; :mod:`sim.sweep.loader` - reading and checking it.
* :mod:`sim.sweep.design` - grid / lhs / sobol / morris points (SALib, scipy.stats.qmc) and seeds.
* :mod:`sim.sweep.execute` - the worker function and backends (local processes, dask).
* :mod:`sim.sweep.store` - the Parquet store and its crash-safe commit protocol.
* :mod:`sim.sweep.run` - :func:`~sim.sweep.run.run_sweep`, the whole sweep.
* :mod:`sim.sweep.analyze` - load a store; Sobol and Morris indices (also over time).
* :mod:`sim.sweep.discovery` - PRIM scenario discovery; :mod:`sim.sweep.figures`,
  :mod:`sim.sweep.report`.
"""
