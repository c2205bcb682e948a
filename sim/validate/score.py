"""Scoring a hindcast: bloc shares, mean absolute errors, persistence, skill, direction of change.

Pure functions over small pandas tables indexed by recipient with one column per supplier bloc.
Definitions (all shares are fractions 0-1; errors are in percentage points, pp):

* ``shares``: each recipient's volumes divided by its total (a recipient with no volume gets
  all-zero shares);
* ``mae_pp``: per recipient, the mean over blocs of ``|predicted - observed| * 100``;
* the mean over recipients, unweighted and weighted by observed volume in the period;
* persistence: the observed shares of the previous period of equal length carried forward;
* skill: ``1 - MAE_model / MAE_persistence`` (> 0 beats persistence; 1 is perfect);
* sign agreement: over (recipient, bloc) pairs whose observed share moved by at least
  ``threshold`` from the previous period, the fraction where the model's share moved the same
  way from the previous period's observed share.

A recipient is scored when it has observed deliveries both in the period and in the previous
period (so the persistence forecast exists); the others are reported but left out of the means,
so model and persistence are compared on the same recipients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

LARGE_CHANGE = 0.10  # default threshold of a "large" share change, as a fraction (10 pp)


def shares(volumes: pd.DataFrame) -> pd.DataFrame:
    """Row shares of a recipient x bloc volume table (rows with no volume: all zeros)."""
    tot = volumes.sum(axis=1)
    return volumes.div(tot.where(tot > 0), axis=0).fillna(0.0)


def mae_pp(predicted: pd.DataFrame, observed: pd.DataFrame) -> pd.Series:
    """Per recipient: mean absolute error of the bloc shares, in percentage points.

    Args:
        predicted: recipient x bloc shares (0-1).
        observed: recipient x bloc shares (0-1), same columns.

    Returns:
        MAE in pp per recipient of ``observed`` (0-100 / n_blocs * 2 at most).
    """
    p = predicted.reindex(index=observed.index, columns=observed.columns, fill_value=0.0)
    return (p - observed).abs().mean(axis=1) * 100.0


def mean_error(errors: pd.Series, weights: pd.Series | None = None) -> float:
    """Mean of per-recipient errors, optionally weighted (e.g. by observed volume)."""
    if len(errors) == 0:
        return float("nan")
    if weights is None:
        return float(errors.mean())
    w = weights.reindex(errors.index).astype(float)
    if not w.sum() > 0:
        return float("nan")
    return float((errors * w).sum() / w.sum())


def skill(model_error: float, reference_error: float) -> float:
    """Skill score ``1 - model / reference`` (nan when the reference error is 0 or undefined)."""
    if not reference_error > 0:
        return float("nan")
    return float(1.0 - model_error / reference_error)


def sign_agreement(
    predicted: pd.DataFrame,
    observed: pd.DataFrame,
    previous: pd.DataFrame,
    threshold: float = LARGE_CHANGE,
) -> dict[str, Any]:
    """Direction of large share changes: does the model move the same way as the data?

    Args:
        predicted: recipient x bloc shares, model, this period.
        observed: recipient x bloc shares, data, this period.
        previous: recipient x bloc shares, data, the previous period.
        threshold: a change is large when ``|observed - previous| >= threshold`` (fraction).

    Returns:
        ``{"threshold_pp", "changes", "agree", "share", "cases": [{recipient, bloc,
        observed_change_pp, predicted_change_pp, agree}]}``; ``share`` is nan with no large change.
    """
    idx = observed.index.intersection(previous.index)
    o = observed.loc[idx]
    prev = previous.reindex(index=idx, columns=o.columns, fill_value=0.0)
    p = predicted.reindex(index=idx, columns=o.columns, fill_value=0.0)
    # both aligned on o's rows and columns
    d_obs, d_pred = (o - prev).to_numpy(dtype=float), (p - prev).to_numpy(dtype=float)
    cases: list[dict[str, Any]] = []
    for i, rec in enumerate(idx):
        for j, bloc in enumerate(o.columns):
            c = float(d_obs[i, j])
            if abs(c) >= threshold - 1e-12:
                m = float(d_pred[i, j])
                cases.append(
                    {
                        "recipient": str(rec),
                        "bloc": str(bloc),
                        "observed_change_pp": 100 * c,
                        "predicted_change_pp": 100 * m,
                        "agree": bool(np.sign(m) == np.sign(c)),
                    }
                )
    agree = sum(c["agree"] for c in cases)
    return {
        "threshold_pp": 100 * threshold,
        "changes": len(cases),
        "agree": agree,
        "share": agree / len(cases) if cases else float("nan"),
        "cases": cases,
    }


@dataclass
class Score:
    """The scores of one hindcast (see the module docstring).

    Attributes:
        predicted, observed, persistence: recipient x bloc shares (persistence: recipients with
            deliveries in the previous period only).
        observed_volume: per recipient, observed volume in the period (TIV millions).
        scored: recipients in the means.
        unscored: recipient -> why it is not in the means.
        mae: per-recipient model MAE (pp), all reported recipients.
        persistence_mae: per-recipient persistence MAE (pp), where persistence exists.
        mae_pp, weighted_mae_pp: model means over ``scored``.
        persistence_mae_pp, persistence_weighted_mae_pp: persistence means over ``scored``.
        skill, weighted_skill: skill scores against persistence.
        signs: :func:`sign_agreement` over ``scored``.
    """

    predicted: pd.DataFrame
    observed: pd.DataFrame
    persistence: pd.DataFrame
    observed_volume: pd.Series
    scored: list[str]
    unscored: dict[str, str]
    mae: pd.Series
    persistence_mae: pd.Series
    mae_pp: float
    weighted_mae_pp: float
    persistence_mae_pp: float
    persistence_weighted_mae_pp: float
    skill: float
    weighted_skill: float
    signs: dict[str, Any] = field(default_factory=dict)


def score(
    predicted_volume: pd.DataFrame,
    observed_volume: pd.DataFrame,
    previous_volume: pd.DataFrame,
    threshold: float = LARGE_CHANGE,
) -> Score:
    """Score predicted against observed volumes, with persistence from the previous period.

    Args:
        predicted_volume: recipient x bloc, model deliveries over the period (any unit).
        observed_volume: recipient x bloc, observed deliveries over the period.
        previous_volume: recipient x bloc, observed deliveries over the previous period.
        threshold: large-change threshold for the sign agreement (fraction).

    Returns:
        A :class:`Score`.
    """
    blocs = list(observed_volume.columns)
    vol = observed_volume.sum(axis=1)
    obs_v = observed_volume[vol > 0]
    prev_v = previous_volume.reindex(columns=blocs, fill_value=0.0)
    prev_v = prev_v[prev_v.sum(axis=1) > 0]
    pred_v = predicted_volume.reindex(index=obs_v.index, columns=blocs, fill_value=0.0)
    obs, prev, pred = shares(obs_v), shares(prev_v), shares(pred_v)
    scored = [r for r in obs.index if r in prev.index]
    unscored = {
        r: "no observed deliveries in the previous period (no persistence forecast)"
        for r in obs.index
        if r not in prev.index
    }
    mae = mae_pp(pred, obs)
    pmae = mae_pp(prev.loc[scored], obs.loc[scored])
    weights = vol.loc[scored]
    m, wm = mean_error(mae.loc[scored]), mean_error(mae.loc[scored], weights)
    pm, pwm = mean_error(pmae), mean_error(pmae, weights)
    return Score(
        predicted=pred,
        observed=obs,
        persistence=prev.loc[scored],
        observed_volume=vol.loc[obs.index],
        scored=scored,
        unscored=unscored,
        mae=mae,
        persistence_mae=pmae,
        mae_pp=m,
        weighted_mae_pp=wm,
        persistence_mae_pp=pm,
        persistence_weighted_mae_pp=pwm,
        skill=skill(m, pm),
        weighted_skill=skill(wm, pwm),
        signs=sign_agreement(pred.loc[scored], obs.loc[scored], prev.loc[scored], threshold),
    )
