"""Scenario presets (``model/presets/*.toml``) and user scenario files.

A scenario is a TOML file whose top-level keys are :class:`~model.config.ModelConfig` fields,
plus ``description`` (one line shown by ``pacts presets``). Files are parsed with ``tomllib``;
nothing is unpickled or evaluated, and an unknown or invalid field is one clear ``ValueError``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from model.config import ModelConfig

PRESET_DIR = Path(__file__).with_name("presets")


def _description(path: Path) -> str:
    with path.open("rb") as fh:
        return str(tomllib.load(fh).get("description", ""))


PRESETS: dict[str, str] = {p.stem: _description(p) for p in sorted(PRESET_DIR.glob("*.toml"))}
"""Preset name -> one-line description."""


def load_preset(name: str) -> ModelConfig:
    """The :class:`~model.config.ModelConfig` of a preset or of a scenario file.

    Parameters
    ----------
    name : str
        A preset's name (see :data:`PRESETS` or ``pacts presets``) or the path of a ``.toml``
        scenario file (ModelConfig fields at the top level).

    Returns
    -------
    ModelConfig
        The validated configuration; an unknown preset or field raises ValueError.

    Examples
    --------
    >>> from model.scenarios import load_preset
    >>> config = load_preset("mercosur")
    >>> config.mode, config.n_countries
    ('collective', 5)
    >>> load_preset("atlantis")
    Traceback (most recent call last):
    ...
    ValueError: unknown preset 'atlantis'; allowed: ...
    """
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return ModelConfig.from_toml(path)
    if name not in PRESETS:
        raise ValueError(
            f"unknown preset {name!r}; allowed: {', '.join(PRESETS)} "
            "(or the path of a .toml scenario file)"
        )
    return ModelConfig.from_toml(PRESET_DIR / f"{name}.toml")
