"""Metrics shared by the engines and the experiments: the one list of their names, and Gini."""

from __future__ import annotations

import numpy as np

METRICS = ("cooperation", "mutual_cooperation", "mean_payoff", "trust", "relationship_age")
"""Per-round metrics of every engine (``RoundRecord`` fields besides the shares; the Mesa
model's reporters and a sweep's result columns are built from this list)."""
SERIES = (
    "welfare",
    "plan_welfare",
    "optimum",
    "price_of_non_coordination",
    "duplication",
    "shortfall",
    "gini",
    "participation",
    "transfers",
)
"""Per-round collective metrics (``engine.series[name]``, shape (rounds, R))."""


def gini(x: np.ndarray) -> np.ndarray:
    """Gini coefficient of each row, on payoffs shifted to be non-negative (0 = equal)."""
    x = np.sort(x - np.minimum(x.min(axis=-1, keepdims=True), 0.0), axis=-1)
    n = x.shape[-1]
    total = x.sum(axis=-1)
    ranks = np.arange(1, n + 1)
    g = (2 * (ranks * x).sum(axis=-1) / np.maximum(total, 1e-300) - (n + 1)) / n
    return np.where(total > 0, g, 0.0)
