"""Golden regression files: the summaries of shipped scenarios, compared with a tolerance.

A golden file is a deliberate snapshot of the model's output (``sim.summary`` of a scenario run
with a fixed seed and number of replicates), not a statement that the numbers are right: it
catches *unintended* changes. After an intended change of the model, its coefficients or a
scenario, regenerate the files and review the diff in git::

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

(``-k NAME`` regenerates one case only). To add a shipped scenario, append a
:class:`GoldenCase` to :data:`CASES` and run the command above once; its file appears as
``tests/golden/<name>_summary.csv``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE_ENV = "UPDATE_GOLDEN"
REGENERATE = f"{UPDATE_ENV}=1 python -m pytest tests/test_golden.py"
KEY = "state"


@dataclass(frozen=True)
class GoldenCase:
    """One scenario whose summary is kept as a golden file.

    Attributes:
        name: case id; the file is ``tests/golden/<name>_summary.csv``.
        scenario: scenario file, relative to the repository root.
        replicates: replicates to run (the summary takes medians over them).
        seed: master seed (None: the scenario's own ``seed``).
        overrides: dotted path -> value applied to the scenario before the run.
        rtol: relative tolerance on numbers.
        atol: absolute tolerance on numbers.
    """

    name: str
    scenario: str
    replicates: int = 3
    seed: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict, hash=False)
    rtol: float = 1e-6
    atol: float = 1e-9

    @property
    def path(self) -> Path:
        """The golden file of this case."""
        return GOLDEN_DIR / f"{self.name}_summary.csv"


CASES: list[GoldenCase] = [
    GoldenCase("baseline", "scenarios/baseline.yaml", replicates=3),
] + [  # the scenario library (overlays on the baseline; see tests/test_library.py)
    GoldenCase(stem, f"scenarios/{stem}.yaml", replicates=2)
    for stem in (
        "afghanistan_spillover",
        "anka_scaled_up",
        "border_war",
        "china_security_pivot",
        "nato_blocks_turkey",
        "russian_pressure",
        "sanctions_escalation",
        "sanctions_lifted_2025",
        "teach_kaz_autarky",
        "teach_kaz_balance",
        "teach_kaz_bandwagon",
        "teach_kaz_multi_vector",
        "turkey_assists_kazakhstan",
        "uzbekistan_autarky",
    )
]


def updating() -> bool:
    """Whether golden files are being regenerated (``UPDATE_GOLDEN=1``)."""
    return os.environ.get(UPDATE_ENV, "") not in ("", "0")


def compute(case: GoldenCase) -> pd.DataFrame:
    """The summary of the case's scenario, run as the case says."""
    from sim.runner import run

    res = run(
        ROOT / case.scenario,
        seed=case.seed,
        replicates=case.replicates,
        overrides=case.overrides or None,
    )
    return res.summary.reset_index(drop=True)


def write(case: GoldenCase, df: pd.DataFrame) -> Path:
    """Write the golden file (full float precision, so a re-read compares equal)."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    df.to_csv(case.path, index=False, float_format="%.17g")
    return case.path


def read(path: Path) -> pd.DataFrame:
    """Read a golden file (every column as text; numbers are compared as numbers later)."""
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _number(x: Any) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def compare(
    expected: pd.DataFrame, got: pd.DataFrame, rtol: float = 1e-6, atol: float = 1e-9
) -> list[str]:
    """Readable differences between two summaries, one line per difference (empty: equal).

    Rows are matched on the ``state`` column; numbers are equal within ``rtol``/``atol``,
    everything else must match exactly.
    """
    lines: list[str] = []
    exp_cols, got_cols = list(expected.columns), list(got.columns)

    def one_sided(old, new, missing: str, added: str) -> list[str]:
        return [missing.format(k) for k in old if k not in new] + [
            added.format(k) for k in new if k not in old
        ]

    lines += one_sided(
        exp_cols,
        got_cols,
        "column {!r}: missing from the new summary",
        "column {!r}: new in the summary (not in the golden file)",
    )
    exp = {str(r[KEY]): r for _, r in expected.iterrows()}
    new = {str(r[KEY]): r for _, r in got.iterrows()}
    lines += one_sided(
        exp, new, "{}: row missing from the new summary", "{}: new row (not in the golden file)"
    )
    width = max([len(c) for c in exp_cols] + [1])
    for s, e in exp.items():
        if s not in new:
            continue
        g = new[s]
        for c in exp_cols:
            if c == KEY or c not in got_cols:
                continue
            ev, gv = e[c], g[c]
            en, gn = _number(ev), _number(gv)
            if en is not None and gn is not None and not isinstance(gv, bool):
                if math.isclose(en, gn, rel_tol=rtol, abs_tol=atol) or (
                    math.isnan(en) and math.isnan(gn)
                ):
                    continue
                lines.append(
                    f"{s:<6} {c:<{width}}  expected {en:.6g}  got {gn:.6g}  (change {gn - en:+.3g})"
                )
            elif str(ev) != str(gv):
                lines.append(f"{s:<6} {c:<{width}}  expected {ev!s}  got {gv!s}")
    return lines


def report(case: GoldenCase, lines: list[str], got_path: Path | None = None) -> str:
    """The failure message: the differences, where the new summary is, how to regenerate."""
    seed = case.seed if case.seed is not None else "of the file"
    head = (
        f"summary of {case.scenario} (seed {seed}, "
        f"{case.replicates} replicates) differs from {case.path.relative_to(ROOT)}:"
    )
    tail = [
        f"new summary written to {got_path}" if got_path else "",
        "If the change is intended, regenerate the golden files and review the diff:",
        f"    {REGENERATE}" + (f" -k {case.name}" if len(CASES) > 1 else ""),
    ]
    return "\n".join([head, *("  " + x for x in lines), *[t for t in tail if t]])
