"""Behavioural coefficients: every number the rules use, declared with default, unit and range.

Each coefficient is a declared parameter (in the manner of EMA Workbench's parameters): a name,
a default, a unit, bounds and a one-line meaning. Scenario files override any of them under
``parameters:``; sweeps address them as ``parameters.<name>``. No rule keeps a literal
coefficient of its own.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def P(default: float, lo: float, hi: float, unit: str, doc: str, group: str) -> Any:
    """Declare one bounded coefficient (a pydantic Field with unit and group metadata)."""
    return Field(
        default,
        ge=lo,
        le=hi,
        description=doc,
        json_schema_extra={"unit": unit, "group": group},
        allow_inf_nan=False,
    )


class Parameters(BaseModel):
    """All behavioural coefficients of the model (defaults are the baseline calibration)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- threat and demand (rules/threat.py) ---
    richardson_reaction: float = P(
        0.5,
        0,
        5,
        "threat per unit rival build-up",
        "Richardson reaction: threat added per unit of a rival's arms build-up "
        "(budget above its base).",
        "threat",
    )
    threat_budget_elasticity: float = P(
        0.6,
        0,
        5,
        "budget fraction per unit threat",
        "Arms budget rises by this fraction of its base per unit of threat.",
        "threat",
    )
    budget_adjustment: float = P(
        1.0,
        0.01,
        12,
        "1/year",
        "Speed at which the arms budget moves towards its threat-driven target "
        "(Richardson fatigue).",
        "threat",
    )
    alliance_reassurance: float = P(
        1.0,
        0,
        5,
        "threat per unit guarantee",
        "Threat removed per unit of alliance security guarantee received.",
        "threat",
    )
    deployment_guarantee: float = P(
        0.5,
        0,
        5,
        "guarantee units",
        "Extra security guarantee while an alliance deployment is under way.",
        "threat",
    )
    deployment_affinity_gain: float = P(
        0.15,
        0,
        1,
        "affinity units",
        "Goodwill of the recipient towards the alliance leader after a deployment (added to "
        "its attitude, which fades at attitude_decay: the CSTO's 2022 deployment in Kazakhstan "
        "was brief).",
        "threat",
    )
    shock_rate: float = P(
        0.05,
        0,
        4,
        "shocks/year/state",
        "Rate of random (unscheduled) threat shocks per state; drawn from the model's RNG.",
        "threat",
    )
    shock_size: float = P(
        0.15, 0, 3, "threat units", "Mean size of a random threat shock (exponential).", "threat"
    )
    shock_duration: float = P(1.0, 0.1, 10, "years", "Duration of a random threat shock.", "threat")
    max_threat: float = P(
        3.0, 0.1, 20, "threat units", "Upper bound of a state's threat level.", "threat"
    )

    # --- arms procurement (rules/procurement.py) ---
    weight_cost: float = P(
        1.0,
        0,
        10,
        "utility per unit",
        "Utility weight of a supplier's cost-effectiveness.",
        "procurement",
    )
    weight_capability: float = P(
        0.8, 0, 10, "utility per unit", "Utility weight of a supplier's capability.", "procurement"
    )
    weight_affinity: float = P(
        1.5,
        0,
        10,
        "utility per unit",
        "Utility weight of political affinity to the supplier.",
        "procurement",
    )
    weight_reliability: float = P(
        1.5,
        0,
        10,
        "utility per unit",
        "Utility weight of the supplier's delivery reliability.",
        "procurement",
    )
    weight_path: float = P(
        3.0,
        0,
        20,
        "utility per unit share",
        "Path dependence: utility per unit share of the supplier in the installed arms stock.",
        "procurement",
    )
    weight_tech_transfer: float = P(
        1.0,
        0,
        10,
        "utility per unit",
        "Utility of a supplier that has transferred technology / licensed local production.",
        "procurement",
    )
    weight_pressure: float = P(
        2.0,
        0,
        20,
        "utility per unit pressure",
        "Cost of buying from a patron's rivals per unit of the patron's pressure.",
        "procurement",
    )
    weight_sanction_risk: float = P(
        1.5,
        0,
        20,
        "utility per unit risk",
        "Secondary-sanctions risk: utility lost per unit risk of buying from a sanctioned "
        "supplier.",
        "procurement",
    )
    weight_domestic: float = P(
        0.5,
        0,
        10,
        "utility",
        "Preference for domestic production where capacity exists.",
        "procurement",
    )
    choice_precision: float = P(
        4.0,
        0,
        50,
        "1/utility",
        "Precision (inverse temperature) of the logit choice over suppliers.",
        "procurement",
    )
    diversification_effect: float = P(
        0.8,
        0,
        1,
        "fraction",
        "Fraction of choice precision removed at diversification weight 1.",
        "procurement",
    )
    choice_noise: float = P(
        0.1,
        0,
        5,
        "utility (s.d.)",
        "Standard deviation of random noise in supplier utilities.",
        "procurement",
    )
    min_affinity_for_arms: float = P(
        -0.3,
        -1,
        1,
        "affinity",
        "Below this political affinity no arms are bought from a supplier.",
        "procurement",
    )
    delivery_span: float = P(
        2.0,
        0,
        10,
        "years",
        "Years over which a contract's deliveries run after the supplier's lead time (an "
        "order is delivered in equal parts over the span). Major arms orders deliver in batches "
        "over several years (SIPRI Arms Transfers Database order records; e.g. Kazakhstan's "
        "Su-30SM, ordered 2014-15, delivered 2015-20); the length is an assumption. Fixed for a "
        "run: it sizes the order book, so events cannot change it.",
        "procurement",
    )
    backlog_cancellation: float = P(
        1.0, 0, 12, "1/year", "Rate at which undelivered backlog is cancelled.", "procurement"
    )
    stock_depreciation: float = P(
        0.08,
        0,
        1,
        "1/year",
        "Depreciation (retirement) rate of installed arms stock.",
        "procurement",
    )
    licence_ramp: float = P(
        2.0,
        0.25,
        10,
        "years",
        "Time for a licensed local production line to reach full capacity.",
        "procurement",
    )

    # --- sanctions and compliance (rules/sanctions.py) ---
    compliance_exposure_weight: float = P(
        1.0,
        0,
        10,
        "per unit share",
        "Compliance pull of a third state's trade exposure to the sanction senders.",
        "sanctions",
    )
    compliance_target_weight: float = P(
        1.0,
        0,
        10,
        "per unit share",
        "Compliance drag of a third state's trade dependence on the sanctioned target.",
        "sanctions",
    )
    compliance_affinity_weight: float = P(
        0.6,
        0,
        10,
        "per unit affinity",
        "Compliance pull of affinity to the senders minus affinity to the target.",
        "sanctions",
    )
    compliance_secondary_weight: float = P(
        1.5,
        0,
        10,
        "per unit",
        "Extra compliance pull of secondary-sanction threats (scaled by exposure to senders).",
        "sanctions",
    )
    compliance_threshold: float = P(
        -0.1, -2, 2, "index", "Net pull at which a third state complies halfway.", "sanctions"
    )
    compliance_steepness: float = P(
        6.0, 0.1, 100, "1/index", "Steepness of the logistic compliance response.", "sanctions"
    )
    non_aligned_compliance: float = P(
        0.05,
        0,
        1,
        "share",
        "Compliance of a state whose stance on a regime is non_aligned (it did not join it): "
        "its banks and firms still avoid some designated counterparts (assumption; FACTS-2022-"
        "2025: Turkiye did not join the sanctions on Russia and its trade with Russia grew).",
        "sanctions",
    )
    compliance_adjustment: float = P(
        2.0, 0.01, 12, "1/year", "Speed at which compliance moves towards its target.", "sanctions"
    )
    sanction_capacity_effect: float = P(
        0.6,
        0,
        1,
        "fraction per unit input loss",
        "Loss of defence-industrial capacity per unit loss of inputs (technology scope).",
        "sanctions",
    )
    sanction_reliability_effect: float = P(
        0.5,
        0,
        1,
        "fraction per unit input loss",
        "Loss of delivery reliability per unit loss of inputs (technology and finance scopes).",
        "sanctions",
    )
    capacity_adjustment: float = P(
        1.0,
        0.01,
        12,
        "1/year",
        "Speed at which capacity and reliability move towards their sanctioned targets.",
        "sanctions",
    )
    sanction_trade_cut: float = P(
        0.5,
        0,
        1,
        "fraction",
        "Fraction of trade with the target cut at full intensity and full compliance.",
        "sanctions",
    )
    trade_reroute_share: float = P(
        0.4,
        0,
        1,
        "fraction",
        "Fraction of the target's lost trade rerouted to non-complying partners.",
        "sanctions",
    )
    circumvention_rate: float = P(
        1.5,
        0,
        10,
        "re-exports per unit of trade",
        "Re-exports a conduit adds to a sanctions target, per US$ of its own trade with the "
        "target, at full tolerance, full access and the target's whole trade with the senders "
        "cut. Set to the order of magnitude of 2022's jumps in EU exports to Kyrgyzstan "
        "(+345%) and Kazakhstan (+94%) (data/trade_quoted_sanctions_2021_2024.csv).",
        "sanctions",
    )
    conduit_access_outside: float = P(
        0.25,
        0,
        1,
        "fraction",
        "Access to the target of a conduit outside a customs union with it, relative to one "
        "inside (goods cross a customs border, where enforcement happens; assumption).",
        "sanctions",
    )
    reexport_margin: float = P(
        0.15,
        0,
        2,
        "fraction",
        "Conduits' margin on re-exports: the conduit-to-target leg is worth (1 + margin) times "
        "the sender-to-conduit leg (assumption).",
        "sanctions",
    )
    designation_trade_cut: float = P(
        0.3,
        0,
        1,
        "fraction",
        "Fraction of a designated conduit's trade with the designating senders cut at full "
        "designation intensity (its banks and firms lose access; assumption).",
        "sanctions",
    )

    # --- patron response (rules/pressure.py) ---
    pressure_strength: float = P(
        2.0,
        0,
        20,
        "pressure per unit share loss",
        "Patron pressure per unit relative fall of its arms share in a client.",
        "pressure",
    )
    pressure_rival_weight: float = P(
        1.0,
        0,
        20,
        "pressure per unit share",
        "Patron pressure per unit arms share of rival suppliers in a client.",
        "pressure",
    )
    pressure_need_restraint: float = P(
        1.0,
        0,
        10,
        "fraction per unit need",
        "Restraint from the patron's need for the client (client's share of its trade).",
        "pressure",
    )
    pressure_adjustment: float = P(
        1.0, 0.01, 12, "1/year", "Speed at which pressure moves towards its target.", "pressure"
    )
    pressure_max: float = P(
        1.0, 0, 10, "pressure units", "Upper bound of a patron's pressure.", "pressure"
    )
    pressure_backfire_threshold: float = P(
        0.6,
        0,
        10,
        "pressure units",
        "Pressure above which a client resents its patron: the excess lowers the client's "
        "attitude towards it (pressure can push a client away; FACTS-2022-2025, Alignment; "
        "level an assumption).",
        "pressure",
    )
    pressure_backfire_rate: float = P(
        1.0,
        0,
        10,
        "affinity units per pressure unit per year",
        "Resentment built per year per unit of pressure above the threshold (assumption).",
        "pressure",
    )
    attitude_decay: float = P(
        0.5,
        0,
        10,
        "1/year",
        "Rate at which goodwill (deployments) and resentment (pressure) fade (half-life about "
        "1.4 years at 0.5; assumption).",
        "pressure",
    )
    pressure_trade_friction: float = P(
        0.1,
        0,
        1,
        "fraction per unit pressure",
        "Trade friction: cut in a client's trade with the patron's rivals per unit pressure.",
        "pressure",
    )

    # --- trade (rules/trade.py) ---
    trade_growth: float = P(
        0.03, -0.5, 0.5, "1/year", "Baseline growth of bilateral trade.", "trade"
    )
    trade_affinity_growth: float = P(
        0.02,
        0,
        0.5,
        "1/year per unit affinity",
        "Extra trade growth per unit of affinity.",
        "trade",
    )
    agreement_pull: float = P(
        0.8,
        0,
        1,
        "fraction",
        "How strongly a trade agreement pulls trade onto the path to its target (1: exactly).",
        "trade",
    )
    trade_adjustment: float = P(
        2.0,
        0.01,
        12,
        "1/year",
        "Speed at which trade moves to its level after sanctions and friction.",
        "trade",
    )

    # --- strategies (strategies.py) ---
    hedge_weight: float = P(
        1.5,
        0,
        20,
        "utility per unit share",
        "multi_vector: utility penalty per unit of current dependence on a supplier, "
        "x diversification.",
        "strategy",
    )
    hedge_precision: float = P(
        0.7, 0.05, 5, "multiplier", "multi_vector: multiplier on choice precision.", "strategy"
    )
    bandwagon_bonus: float = P(
        2.0,
        0,
        20,
        "utility",
        "bandwagon: utility bonus for the strongest friendly power.",
        "strategy",
    )
    bandwagon_precision: float = P(
        1.5, 0.05, 5, "multiplier", "bandwagon: multiplier on choice precision.", "strategy"
    )
    bandwagon_compliance: float = P(
        0.5,
        0,
        1,
        "fraction",
        "bandwagon: fraction by which compliance with sanctions on its patron is cut.",
        "strategy",
    )
    balance_penalty: float = P(
        2.0,
        0,
        20,
        "utility",
        "balance: utility penalty for the most threatening power.",
        "strategy",
    )
    balance_bonus: float = P(
        1.0,
        0,
        20,
        "utility per unit",
        "balance: utility bonus per unit of a supplier's hostility to the threatening power.",
        "strategy",
    )
    autarky_bonus: float = P(
        2.5, 0, 20, "utility", "autarky: extra utility of domestic production.", "strategy"
    )
    autarky_investment: float = P(
        0.05,
        0,
        1,
        "fraction of budget per year",
        "autarky: fraction of the arms budget invested in domestic capacity.",
        "strategy",
    )
    autarky_capacity_yield: float = P(
        0.5,
        0,
        5,
        "US$/yr capacity per US$ invested",
        "autarky: domestic production capacity gained per dollar invested.",
        "strategy",
    )

    # --- outputs (metrics.py) ---
    dependence_arms_weight: float = P(
        0.6,
        0,
        1,
        "weight",
        "Weight of arms share (vs trade share) in the composite dependence index.",
        "metrics",
    )


PARAMETER_NAMES: tuple[str, ...] = tuple(Parameters.model_fields)
FIXED_PARAMETERS: dict[str, str] = {"delivery_span": "it sizes the order book"}
"""Parameters that events cannot change during a run, with the reason."""
