"""Hindcast outputs: the JSON object, the terminal table, the bar plot and the bundle."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.validate.hindcast import Hindcast
    from sim.validate.score import Score


def _num(x: float | None) -> float | None:
    """JSON-safe float (nan -> null)."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _row(df: pd.DataFrame, rec: str) -> dict[str, float] | None:
    if rec not in df.index:
        return None
    return {str(k): float(v) for k, v in df.loc[rec].items()}


def score_json(s: Score, volume_key: str) -> dict[str, Any]:
    """The per-recipient and mean figures of one :class:`Score`."""
    recs = {}
    for rec in s.observed.index:
        recs[str(rec)] = {
            "predicted": _row(s.predicted, rec),
            "observed": _row(s.observed, rec),
            "mae_pp": _num(s.mae.get(rec)),
            "persistence": _row(s.persistence, rec),
            "persistence_mae_pp": _num(s.persistence_mae.get(rec, float("nan"))),
            volume_key: float(s.observed_volume.get(rec, 0.0)),
            "scored": rec in s.scored,
            **({"note": s.unscored[rec]} if rec in s.unscored else {}),
        }
    signs = {k: (_num(v) if k == "share" else v) for k, v in s.signs.items()}
    return {
        "recipients": recs,
        "mae_pp": _num(s.mae_pp),
        "weighted_mae_pp": _num(s.weighted_mae_pp),
        "persistence": {
            "mae_pp": _num(s.persistence_mae_pp),
            "weighted_mae_pp": _num(s.persistence_weighted_mae_pp),
        },
        "skill": _num(s.skill),
        "weighted_skill": _num(s.weighted_skill),
        "sign_agreement": signs,
    }


def hindcast_json(h: Hindcast) -> dict[str, Any]:
    """The one JSON object of ``hindcast --json``."""
    st = h.setup
    out: dict[str, Any] = {
        "period": str(st.period),
        "persistence_period": str(st.period.previous()),
        "scenario": st.scenario.name,
        "observed_file": st.observed.file,
        "replicates": h.replicates,
        "seed": h.seed,
        "blocs": list(st.bloc_list),
    }
    out.update(score_json(h.score, "observed_tiv_musd"))
    out["predicted_tiv_musd"] = {
        str(r): float(v) for r, v in h.predicted_volume.sum(axis=1).items()
    }
    if h.trade_score is not None:
        assert st.trade is not None  # a trade score comes from trade data
        out["trade"] = {
            "period": str(h.trade_period),
            "file": st.trade.file,
            **score_json(h.trade_score, "observed_turnover_musd2010"),
        }
    elif st.trade is not None:
        out["trade"] = {"note": h.trade_note}
    return out


def _fmt(x: float | None, spec: str = "5.1f") -> str:
    return "  n/a" if x is None or not math.isfinite(x) else format(x, spec)


def score_table(s: Score, title: str) -> str:
    """Terminal table: per recipient, predicted / observed / persistence shares and errors."""
    cols = list(s.observed.columns)
    w = max(12, *(len(str(r)) for r in s.observed.index))
    head = f"{title:<{w}} {'':<8}" + "".join(f"{c[:8]:>9}" for c in cols) + f"{'MAE pp':>9}"
    lines = [head, "-" * len(head)]
    for rec in s.observed.index:
        for label, df, err in (
            ("model", s.predicted, s.mae.get(rec)),
            ("data", s.observed, None),
            ("persist", s.persistence, s.persistence_mae.get(rec)),
        ):
            if rec not in df.index:
                lines.append(f"{'':<{w}} {label:<8}  (none: {s.unscored.get(rec, 'no data')})")
                continue
            name = str(rec) if label == "model" else ""
            vals = "".join(f"{100 * v:8.1f}%" for v in df.loc[rec, cols].to_numpy(dtype=float))
            shown = _fmt(err, "9.1f") if err is not None else ""
            lines.append(f"{name:<{w}} {label:<8}{vals}{shown}")
    lines.append("-" * len(head))
    sg = s.signs
    lines += [
        f"MAE (pp), mean over {len(s.scored)} recipients: model {_fmt(s.mae_pp)}, "
        f"persistence {_fmt(s.persistence_mae_pp)}, skill {_fmt(s.skill, '+.2f')}",
        f"volume-weighted MAE (pp):            model {_fmt(s.weighted_mae_pp)}, "
        f"persistence {_fmt(s.persistence_weighted_mae_pp)}, "
        f"skill {_fmt(s.weighted_skill, '+.2f')}",
        f"direction of large changes (>= {sg.get('threshold_pp', 0):.0f} pp): "
        f"{sg.get('agree', 0)} of {sg.get('changes', 0)} right",
    ]
    return "\n".join(lines)


def hindcast_table(h: Hindcast) -> str:
    """The full terminal report of a hindcast."""
    st = h.setup
    parts = [
        f"hindcast {st.scenario.name}: arms deliveries {st.period} by supplier bloc "
        f"({h.replicates} replicate(s), seed {h.seed}; persistence = {st.period.previous()})",
        score_table(h.score, "recipient"),
    ]
    if h.trade_score is not None:
        assert h.trade_period is not None  # a trade score is over a trade period
        parts += [
            "",
            f"trade shares among modelled partners, {h.trade_period} "
            f"(persistence = {h.trade_period.previous()})",
            score_table(h.trade_score, "reporter"),
        ]
    elif st.trade is not None:
        parts += ["", f"trade: not scored ({h.trade_note})"]
    return "\n".join(parts)


def plot_shares(s: Score, path: Path, title: str) -> None:
    """Grouped bars per recipient and bloc: model, observed and persistence shares (PNG + SVG)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    import numpy as np

    recs = list(s.observed.index)
    cols = list(s.observed.columns)
    fig, axes = plt.subplots(
        1, len(recs), figsize=(3.2 * len(recs) + 1, 3.6), sharey=True, squeeze=False
    )
    x = np.arange(len(cols))
    for ax, rec in zip(axes[0], recs):
        series = [
            ("model", s.predicted, "#2e86c1"),
            ("observed", s.observed, "#333333"),
            ("persistence", s.persistence, "#bbbbbb"),
        ]
        for k, (label, df, c) in enumerate(series):
            vals = df.loc[rec].reindex(cols).to_numpy() if rec in df.index else np.zeros(len(cols))
            ax.bar(x + (k - 1) * 0.27, 100 * vals, 0.27, label=label, color=c)
        ax.set_xticks(x, cols, rotation=45, ha="right", fontsize=8)
        err = s.mae.get(rec)
        note = "" if rec in s.scored else " (not scored)"
        ax.set_title(f"{rec}{note}\nMAE {err:.1f} pp" if err is not None else str(rec), fontsize=9)
        ax.set_ylim(0, 100)
    axes[0][0].set_ylabel("share of deliveries (%)")
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path.with_suffix(".png"), dpi=120)
    fig.savefig(path.with_suffix(".svg"))
    plt.close(fig)


def write_hindcast_bundle(
    h: Hindcast, target: Path, *, force: bool = False, command: str = ""
) -> Path:
    """Write ``report.txt``, ``hindcast.json``, ``shares.csv`` and plots atomically to
    ``target``."""
    import pandas as pd

    from sim import output
    from sim.bundle import git_commit, versions
    from sim.scenario.loader import dump_yaml, scenario_hash

    st = h.setup
    with output.atomic_dir(target, force, output.HINDCAST) as tmp:
        (tmp / "report.txt").write_text(hindcast_table(h) + "\n", encoding="utf-8")
        (tmp / "hindcast.json").write_text(json.dumps(h.to_json(), indent=2) + "\n")
        frames = []
        for label, df in (
            ("model", h.score.predicted),
            ("observed", h.score.observed),
            ("persistence", h.score.persistence),
        ):
            # pandas-stubs: stack() may give a DataFrame; of one column level it is a Series
            long = df.stack().rename("share").reset_index()  # type: ignore[call-overload]
            long.columns = ["recipient", "bloc", "share"]
            long.insert(0, "series", label)
            frames.append(long)
        pd.concat(frames).to_csv(tmp / "shares.csv", index=False, float_format="%.6g")
        (tmp / "scenario.yaml").write_text(dump_yaml(st.scenario), encoding="utf-8")
        plot_shares(
            h.score,
            tmp / "plots" / "arms_shares",
            f"{st.scenario.name}: arms deliveries {st.period} by bloc",
        )
        if h.trade_score is not None:
            plot_shares(
                h.trade_score,
                tmp / "plots" / "trade_shares",
                f"{st.scenario.name}: trade shares {h.trade_period}",
            )
        man = {
            "kind": output.HINDCAST,
            "scenario": st.scenario.name,
            "scenario_sha256": scenario_hash(st.scenario),
            "period": str(st.period),
            "master_seed": h.seed,
            "replicates": h.replicates,
            "observed": st.observed.file,
            "versions": versions(),
            "git_commit": git_commit(),
            "command": command,
        }
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2) + "\n")
    return target
