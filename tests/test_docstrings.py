"""The public API's docstrings: numpydoc sections (checked with numpydoc's own validator) and
examples that run (doctest, each module in a fresh interpreter so that an example registering a
rule cannot leak into other tests)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from numpydoc.validate import validate

PUBLIC = (
    "model.config.ModelConfig",
    "model.region.RegionModel",
    "model.scenarios.load_preset",
    "model.theory.critical_deltas",
    "agents.strategies.Strategy",
    "agents.strategies.MemoryOne",
    "agents.strategies.get_strategy",
    "agents.strategies.register_strategy",
    "agents.country.CountryAgent",
    "agents.country.CollectiveCountryAgent",
    "agents.coordinator.CoordinatorAgent",
    "experiments.matches.play_match",
    "experiments.matches.tournament",
    "experiments.sweep.designs.grid",
    "experiments.sweep.designs.latin_hypercube",
    "experiments.sweep.designs.sobol",
    "experiments.sweep.designs.morris",
    "experiments.sweep.designs.from_csv",
    "experiments.sweep.runs.run_one",
    "experiments.sweep.runner.Sweep",
    "experiments.sweep.runner.Sweep.run",
    "experiments.sweep.store.load_results",
    "experiments.sweep.store.compact",
    "experiments.catalogue.run_experiment",
)
"""What the README and the tutorial teach: each documents its parameters, what it returns and
an example."""

REQUIRED = {
    "GL08": "no docstring",
    "PR01": "a parameter is not documented",
    "PR02": "a documented parameter does not exist",
    "RT01": "no Returns section",
    "EX01": "no Examples section",
}


@pytest.mark.parametrize("name", PUBLIC)
def test_public_docstring_has_the_numpydoc_sections(name):
    errors = [(code, msg) for code, msg in validate(name)["errors"] if code in REQUIRED]
    assert not errors, f"{name}: {errors}"


MODULES = sorted(
    {name.rsplit(".", 2)[0] if name.endswith(".run") else name.rsplit(".", 1)[0] for name in PUBLIC}
)


@pytest.mark.parametrize("module", MODULES)
def test_examples_run(module, tmp_path):
    code = (
        "import doctest, importlib, sys\n"
        f"m = importlib.import_module({module!r})\n"
        "r = doctest.testmod(m, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)\n"
        "print(r.attempted)\n"
        "sys.exit(1 if r.failed else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 0, f"{module}: no examples"
