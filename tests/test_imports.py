"""Importing Pacts is cheap and has no side effects (issue 14): packages load their names lazily
(PEP 562), ``pacts --help`` needs neither Mesa nor SciPy nor Matplotlib, and no module switches
the user's Matplotlib backend (figures go through the Figure API)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

HEAVY = ("matplotlib", "scipy", "mesa", "solara", "pandas", "pyarrow")


def loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; which heavy packages it loaded, and what it printed
    last (a JSON line)."""
    probe = (
        f"{code}\n"
        "import sys, json\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    return {"heavy": json.loads(out[-1]), "out": out[:-1]}


@pytest.mark.parametrize("package", ["model", "agents", "experiments", "viz"])
def test_importing_a_package_loads_nothing_heavy(package):
    assert loaded_after(f"import {package}")["heavy"] == []


def test_pacts_help_loads_neither_mesa_nor_scipy_nor_matplotlib():
    got = loaded_after(
        "import contextlib, io\n"
        "from experiments.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
    )
    assert not {"mesa", "scipy", "matplotlib", "pandas"} & set(got["heavy"])


def test_lazy_names_are_the_modules_objects_and_unknown_names_fail_clearly():
    import agents
    import experiments
    import model
    from agents.strategies import get_strategy
    from experiments.matches import play_match
    from model.region import RegionModel

    assert model.RegionModel is RegionModel
    assert experiments.play_match is play_match
    assert agents.get_strategy is get_strategy
    for package in (model, agents, experiments):
        assert set(package.__all__) <= set(dir(package))
        with pytest.raises(AttributeError, match=f"module '{package.__name__}' has no attribute"):
            package.no_such_name  # noqa: B018


def test_no_module_switches_the_backend_or_touches_pyplot(tmp_path):
    """A user's backend (here svg, as a notebook's inline one) survives importing everything and
    drawing the CLI's, the catalogue's and a lesson's figures; pyplot is never imported."""
    got = loaded_after(
        "import matplotlib\n"
        "matplotlib.use('svg')\n"
        "import pandas as pd, sys\n"
        "import experiments.catalogue, experiments.lessons, experiments.analysis\n"
        "from experiments.figures import cooperation_figure\n"
        "rounds = pd.DataFrame({'round': [1, 2, 3], 'cooperation': [1.0, 0.5, 0.0],\n"
        "                       'mutual_cooperation': [1.0, 0.2, 0.0], 'trust': [0.5, 0.5, 0.4]})\n"
        f"cooperation_figure(rounds, {str(tmp_path / 'c.png')!r}, 'three rounds')\n"
        "print(matplotlib.get_backend())\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    assert got["out"][-2:] == ["svg", "False"]
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "kwargs", "shape"),
    [
        ((), {}, ()),
        ((2, 3), {}, (2, 3)),
        ((1, 2), {"figsize": (4, 2)}, (2,)),
        ((2, 1), {"squeeze": False, "sharex": True}, (2, 1)),
    ],
)
def test_subplots_mirrors_pyplot_without_pyplot(args, kwargs, shape):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from experiments.figures import subplots

    fig, axes = subplots(*args, **kwargs)
    assert isinstance(fig, Figure)
    if shape == ():
        assert isinstance(axes, Axes)
    else:
        assert np.shape(axes) == shape and all(isinstance(a, Axes) for a in np.ravel(axes))
    if "figsize" in kwargs:
        assert tuple(fig.get_size_inches()) == kwargs["figsize"]


def test_every_package_is_installed():
    """A package missing from pyproject's list imports from a checkout but not from a wheel."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(root).parts)
        for top in ("model", "agents", "experiments", "viz")
        for init in (root / top).rglob("__init__.py")
    }
    data_only = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    )
    assert found <= listed and listed - found <= data_only
