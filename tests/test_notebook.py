"""The worked notebook (docs/notebooks/worked_example.ipynb) runs from top to bottom in a real
Jupyter kernel (nbclient) and shows what it says: tables, the what-if's figure, the sweep."""

from __future__ import annotations

import pytest

from tests.sweep_helpers import ROOT

NOTEBOOK = ROOT / "docs" / "notebooks" / "worked_example.ipynb"


@pytest.mark.slow
def test_worked_notebook_runs_and_shows_its_figures():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs for c in code), "commit the notebook without outputs"
    # the kernel starts in the repository, so it imports this checkout's sim
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # res.plot and the sweep's scatter, shown inline
    assert all(sum("image/png" in o.get("data", {}) for o in c.outputs) <= 1 for c in code)
    text = "\n".join(str(o.get("data", {}).get("text/plain", o.get("text", ""))) for o in outputs)
    for expected in ("2030Q4", "arms_share", "kaz_rus_2030", "coverage"):
        assert expected in text, expected
    code_text = "\n".join(c.source for c in code)
    for step in ("with_changes", "sim.run(", "sim.compare(", "sim.sweep(", ".plot(", "prim("):
        assert step in code_text, step
