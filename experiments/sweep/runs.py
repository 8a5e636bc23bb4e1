"""One run of a sweep point: the model's long-run scalars (the default ``run`` of a sweep)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from model.config import InertFieldWarning, ModelConfig
from model.engine import METRICS, SERIES, RoundEngine, build_engine

RESULTS = (*METRICS, "first_cooperation", "rounds_played", *SERIES)
"""Result columns of :func:`run_one` (the collective series only in collective mode)."""
DEFAULT_BURN_IN = 0.5


def split_params(params: Mapping[str, Any]) -> tuple[ModelConfig, float]:
    """A sweep point as (its validated ModelConfig, its burn-in share of rounds)."""
    values = dict(params)
    burn_in = values.pop("burn_in", DEFAULT_BURN_IN)
    if (
        isinstance(burn_in, bool)
        or not isinstance(burn_in, int | float)
        or not 0.0 <= burn_in < 1.0
    ):
        raise ValueError(
            f"burn_in = {burn_in!r}: allowed: a number in [0, 1) (share of rounds ignored)"
        )
    with warnings.catch_warnings():  # a design's inert fields are reported once, up front
        warnings.simplefilter("ignore", InertFieldWarning)
        return ModelConfig.from_mapping(values, origin="sweep point"), float(burn_in)


def long_run_means(engine: RoundEngine, burn_in: float) -> list[dict[str, float]]:
    """Per replicate: means after the burn-in within the replicate's horizon."""
    rec = engine.record()
    series = getattr(engine, "series", None) if engine.config.mode == "collective" else None
    out = []
    for j in range(engine.R):
        h = int(np.count_nonzero(rec.alive[:, j]))
        start = math.floor(burn_in * h)  # < h, since burn_in < 1

        def mean(x: np.ndarray, j: int = j, start: int = start, h: int = h) -> float:
            # a contiguous copy: the same summation whether the replicate ran alone or in a batch
            return float(np.ascontiguousarray(x[start:h, j]).mean())

        row = {name: mean(getattr(rec, name)) for name in METRICS}
        row["first_cooperation"] = float(rec.cooperation[0, j])
        row["rounds_played"] = float(h)
        if series is not None:
            row.update({name: mean(series[name]) for name in SERIES})
        bad = [k for k, v in row.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(f"non-finite result(s): {', '.join(bad)}")
        out.append(row)
    return out


def run_one(params: Mapping[str, Any], seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate of one point: long-run scalars (finite floats).

    Runs ``PairwiseEngine(config, seed, replicate_ids=[replicate])`` (``CollectiveEngine`` when
    ``mode == "collective"``).

    Parameters
    ----------
    params : mapping
        ModelConfig fields (JSON-able values) and optionally ``burn_in``, the share of the
        replicate's rounds ignored at the start (default 0.5). Invalid values raise ValueError.
    seed : int
        The point's engine seed (a sweep derives it with :func:`~experiments.sweep.run_seed`).
    replicate : int, default 0
        The replicate id: its random streams are the engine's replicate ``replicate``.

    Returns
    -------
    dict of str to float
        Means over the rounds after the burn-in and within the replicate's horizon of
        :data:`model.metrics.METRICS`, plus ``first_cooperation`` (round 0), ``rounds_played``
        and, in collective mode, the means of :data:`model.metrics.SERIES`.

    Examples
    --------
    >>> from experiments import sweep as sw
    >>> low = sw.run_one({"n_countries": 20, "rounds": 200, "continuation": 0.4}, seed=1)
    >>> high = sw.run_one({"n_countries": 20, "rounds": 200, "continuation": 0.95}, seed=1)
    >>> high["cooperation"] > low["cooperation"] + 0.25  # the shadow of the future
    True
    """
    return run_batch(params, seed, [replicate])[0]


def run_batch(
    params: Mapping[str, Any], seed: int, replicates: Sequence[int]
) -> list[dict[str, float]]:
    """:func:`run_one` for several replicates of one point, through the engine's replicate axis
    (one engine): equal to ``[run_one(params, seed, r) for r in replicates]`` bit for bit.

    Collective mode runs one engine per replicate: the collective engine sets the members'
    observation (transparency) from replicate 0's membership, so a batch is not replicate for
    replicate identical to single runs there (and its plans are computed per replicate anyway).
    """
    reps = [int(r) for r in replicates]
    if not reps:
        raise ValueError("replicates is empty: give at least one replicate id")
    config, burn_in = split_params(params)
    if config.mode == "collective" and len(reps) > 1:
        return [run_batch(params, seed, [r])[0] for r in reps]
    return long_run_means(build_engine(config, seed, replicate_ids=reps).run(), burn_in)
