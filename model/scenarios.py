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
    """The :class:`ModelConfig` of a preset (by name) or of a scenario file (by path)."""
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return ModelConfig.from_toml(path)
    if name not in PRESETS:
        raise ValueError(
            f"unknown preset {name!r}; allowed: {', '.join(PRESETS)} "
            "(or the path of a .toml scenario file)"
        )
    return ModelConfig.from_toml(PRESET_DIR / f"{name}.toml")
