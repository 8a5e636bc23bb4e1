"""The tutorial notebook (docs/tutorial.ipynb) runs from top to bottom, so it never rots.

It is executed with nbclient in a kernel started by this interpreter (a kernelspec written to a
temporary folder: nothing installed in the user's Jupyter), with the repository root first on
the kernel's path, in a temporary working folder, its files (the sweep's folder) written to a
temporary folder through ``PACTS_TUTORIAL_OUT``. The notebook checks its own claims with
``assert`` cells (cooperation collapses at δ = 0.4 and holds at δ = 0.95; long-run cooperation
rises with δ in the sweep): a failed claim is a cell error, hence a failed test.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbclient  # the dev extra's: nbclient, nbformat, ipykernel (solara: the app extra)
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "docs" / "tutorial.ipynb"
KERNEL = "pacts-tutorial-test"
WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PROBE = "import sys, model\nprint(sys.executable)\nprint(model.__file__)"


def kernel_manager(where: Path) -> KernelManager:
    """A manager for a kernel run by this interpreter with this checkout first on its path."""
    spec = where / "kernels" / KERNEL
    spec.mkdir(parents=True)
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Pacts (tests)",
        "language": "python",
        "env": {
            "PYTHONPATH": path,
            "PACTS_TUTORIAL_OUT": str(where / "out"),
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage events from a test
        },
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(where / "kernels")])
    return KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


def outputs(cell) -> str:
    """A cell's printed text."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_notebook_is_saved_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    # its claims are checked in the notebook itself
    assert sum("assert " in c.source for c in code) >= 2


@pytest.mark.timeout(600)
def test_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))  # connection files
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))  # which interpreter, which checkout
    work = tmp_path / "work"
    work.mkdir()
    client = nbclient.NotebookClient(
        nb,
        km=kernel_manager(tmp_path),
        timeout=300,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()  # a failing cell (an assert included) raises CellExecutionError

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    executable, model_file = outputs(code[-1]).split()
    assert Path(executable) == Path(sys.executable)
    assert Path(model_file).is_relative_to(REPO)
    printed = "".join(outputs(c) for c in code)
    assert "cooperation in the last 50 rounds" in printed
    assert "rise from δ ≤ 0.4 to δ ≥ 0.9" in printed
    # the sweep wrote to the folder it was given, nowhere in the repository
    assert (tmp_path / "out" / "shadow-sweep" / "spec.json").exists()
    assert list(work.iterdir()) == []

    # the app's page rendered inline as a widget, showing the classroom preset, sidebar included
    app = code[-2]
    views = [o.data[WIDGET] for o in app.outputs if WIDGET in o.get("data", {})]
    assert views, "the Solara cell produced no widget"
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    assert views[-1]["model_id"] in state
    shown = json.dumps(state)
    assert "Carvelia" in shown and "Round 0" in shown and "partners per country" in shown
