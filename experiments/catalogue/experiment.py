"""What a catalogue experiment is: parts (sweeps) and an analysis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Part:
    """One sweep of an experiment: its points (a function of ``scale``) and replicates."""

    points: Callable[[float], list[dict]]
    replicates: int


@dataclass(frozen=True)
class Experiment:
    """A catalogue entry: its parts (each a sweep in ``DIR/<part>``) and its analysis, which
    receives all parts' results in one table with a ``part`` column."""

    name: str
    description: str
    parts: dict[str, Part]
    analyze: Callable[[pd.DataFrame, Path], str]
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    base: dict = field(default_factory=dict)
    params: dict[str, type] = field(default_factory=dict)  # its own parameters (sweep.Extra)
    run: Callable[..., dict] | None = None  # the run function (default: sweep.run_one)
