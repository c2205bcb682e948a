"""Validation: hindcasts against observed arms deliveries and trade, and calibration.

* :mod:`sim.validate.observed`: reading and checking observed files and periods;
* :mod:`sim.validate.score`: shares, errors, persistence, skill, direction of change;
* :mod:`sim.validate.hindcast`: run a scenario and score it (``hindcast(...)``);
* :mod:`sim.validate.calibrate`: fit named parameters on an earlier window (``calibrate(...)``);
* :mod:`sim.validate.report`: JSON, tables, plots and bundles.
"""
