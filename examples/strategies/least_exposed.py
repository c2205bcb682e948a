"""An adaptive user strategy: hedge towards the suppliers least exposed to sanctions, and
re-decide every step from what the state sees (the example of docs/strategies.md)."""

from sim import Policy, Strategy


class LeastExposed(Strategy):
    """Avoid suppliers under sanctions, and avoid depending on any one supplier.

    Every step, each foreign exporter j gets ``-weight * exposure_j - hedge * share_j``
    utility, where ``exposure_j`` is the strongest intensity of the sanctions in force on j
    times (1 + the share of j's defence inputs lost to them), and ``share_j`` is j's share of
    the state's installed arms stock. A buyer's reading of supplier risk after 2014 and 2022:
    sanctions on a supplier delay spares and deliveries (Connolly 2018 on Russia's defence
    industry under sanctions; FACTS-2022-2025.md on delivery delays).
    """

    name = "least_exposed"
    classifier = {"adaptive": True, "family": "example"}
    params = {"weight": 3.0, "hedge": 1.0}

    def decide(self, me, world) -> Policy:
        shares = me.arms_shares()
        loss = world.input_loss
        prefer = {}
        for j in world.exporters():
            if j == me.state_id:
                continue
            exposure = world.sanctioned(j) * (1.0 + loss[world.index(j)])
            prefer[j] = -self.weight * exposure - self.hedge * shares.get(j, 0.0)
        return Policy(prefer=prefer)
