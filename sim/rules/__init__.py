"""Submodels: small pure functions over the world's arrays, one mechanism per module.

Each takes arrays and named parameters and returns arrays; none touches mesa, YAML or the RNG
(random draws are made by the model and passed in). Vectorised over states: no loops over pairs.
"""
