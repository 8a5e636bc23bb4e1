"""Helpers the lessons share: play a scene, the long-run mean, percentages, CSV output."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from model.config import ModelConfig


def simulate(cfg: ModelConfig, seed: int, rounds: int | None = None):
    """Play a scene with the Mesa model (as the app does); returns (model, per-round frame)."""
    from model.region import RegionModel

    model = RegionModel(cfg, seed=seed)
    model.run(cfg.rounds if rounds is None else rounds)
    return model, model.datacollector.get_model_vars_dataframe()


def tail(series: pd.Series | np.ndarray, share: float = 0.5) -> float:
    """Mean over the last ``share`` of the rounds (the "long run")."""
    x = np.asarray(series, float)
    return float(x[-max(1, math.ceil(share * len(x))) :].mean())


def pct(x: float) -> str:
    """A share as a whole percentage: 0.834 → "83 %"."""
    return f"{100 * x:.0f} %"


def pairwise_cooperation(cfg: ModelConfig, seed: int, replicates: int = 1) -> np.ndarray:
    """Per-round cooperation (rounds, R) of a pairwise config on the vectorised engine."""
    from model.engine import PairwiseEngine

    return PairwiseEngine(cfg, seed, replicates=replicates).run().record().cooperation


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to ``path`` atomically (no half-written file); returns the path."""
    from experiments.output import atomic_write

    return atomic_write(path, lambda p: frame.to_csv(p, index=False))
