"""A static user strategy: prefer Turkish suppliers (the example of docs/strategies.md).

Use it in a scenario (the path is relative to the scenario file)::

    states:
      KAZ: {strategy: ../examples/strategies/prefer_turkiye.py:PreferTurkiye,
            strategy_params: {weight: 2.0}}
"""

from sim import Policy, Strategy


class PreferTurkiye(Strategy):
    """Prefer Turkish arms: ``weight`` utility units added to Türkiye as a supplier.

    Illustrates Kazakhstan's Turkish drone deals (the 2022 Anka co-production agreement,
    FACTS.md) as a standing preference; it does not look at the world, so the model asks it
    once (``adaptive: False``).
    """

    name = "prefer_turkiye"
    classifier = {"adaptive": False, "family": "example"}
    params = {"weight": 2.0, "supplier": "TUR"}

    def decide(self, me, world) -> Policy:
        return Policy(prefer={self.supplier: self.weight})
