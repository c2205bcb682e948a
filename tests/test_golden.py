"""Golden regression of the shipped scenarios' summaries (see tests/golden.py).

Regenerate on purpose, after an intended change, and review the diff in git::

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests import golden


@pytest.mark.parametrize("case", golden.CASES, ids=lambda c: c.name)
def test_summary_matches_golden_file(case, tmp_path):
    got = golden.compute(case)
    if golden.updating():
        path = golden.write(case, got)
        pytest.skip(f"rewrote {path.relative_to(golden.ROOT)} ({golden.UPDATE_ENV}=1)")
    if not case.path.exists():
        pytest.fail(
            f"no golden file {case.path.relative_to(golden.ROOT)}; create it with:\n"
            f"    {golden.REGENERATE} -k {case.name}",
            pytrace=False,
        )
    expected = golden.read(case.path)
    lines = golden.compare(expected, got, rtol=case.rtol, atol=case.atol)
    if lines:
        got_path = tmp_path / case.path.name
        got.to_csv(got_path, index=False, float_format="%.17g")
        pytest.fail(golden.report(case, lines, got_path), pytrace=False)


def test_every_case_names_a_shipped_scenario_and_a_unique_file():
    names = [c.name for c in golden.CASES]
    assert len(names) == len(set(names))
    for c in golden.CASES:
        assert (golden.ROOT / c.scenario).is_file(), c.scenario


# ----------------------------------------------------------------------------- the diff itself
def _summary(changes: dict | None = None) -> pd.DataFrame:
    rows = [
        {"state": "KAZ", "lead_end": "RUS", "share_end": 0.5, "arms_hhi_end": 0.4},
        {"state": "UZB", "lead_end": "UZB", "share_end": 0.6, "arms_hhi_end": 0.45},
    ]
    for (state, col), v in (changes or {}).items():
        next(r for r in rows if r["state"] == state)[col] = v
    return pd.DataFrame(rows)


def _roundtrip(df: pd.DataFrame, tmp_path) -> pd.DataFrame:
    p = tmp_path / "g.csv"
    df.to_csv(p, index=False, float_format="%.17g")
    return golden.read(p)


def test_compare_finds_nothing_in_a_written_and_reread_summary(tmp_path):
    assert golden.compare(_roundtrip(_summary(), tmp_path), _summary()) == []


def test_compare_tolerates_rounding_noise_but_reports_real_changes(tmp_path):
    expected = _roundtrip(_summary(), tmp_path)
    assert golden.compare(expected, _summary({("KAZ", "share_end"): 0.5 + 1e-12})) == []
    lines = golden.compare(
        expected, _summary({("KAZ", "share_end"): 0.52, ("UZB", "lead_end"): "RUS"})
    )
    assert len(lines) == 2
    kaz = next(x for x in lines if x.startswith("KAZ"))
    assert "share_end" in kaz and "expected 0.5" in kaz and "got 0.52" in kaz and "+0.02" in kaz
    uzb = next(x for x in lines if x.startswith("UZB"))
    assert "lead_end" in uzb and "expected UZB" in uzb and "got RUS" in uzb


def test_compare_reports_missing_and_new_rows_and_columns(tmp_path):
    expected = _roundtrip(_summary(), tmp_path)
    got = _summary().drop(columns="arms_hhi_end")
    got.loc[1, "state"] = "TKM"
    got["extra"] = 1.0
    text = "\n".join(golden.compare(expected, got))
    for fragment in ("'arms_hhi_end': missing", "'extra': new", "UZB: row missing", "TKM: new row"):
        assert fragment in text


def test_failure_message_says_how_to_regenerate():
    msg = golden.report(golden.CASES[0], ["KAZ share_end expected 0.5 got 0.52"])
    assert "UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py" in msg
    assert "KAZ share_end" in msg and golden.CASES[0].scenario in msg
