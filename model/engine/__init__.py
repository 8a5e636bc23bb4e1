"""The vectorised engines (DESIGN §3): :class:`PairwiseEngine` (every relationship a 2×2 game)
and :class:`CollectiveEngine` (the regional plan and the supply-chain economy), siblings on the
shared :class:`~model.engine.base.RoundEngine`; :func:`build_engine` picks one for a config."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.config import ModelConfig
from model.economy import Economy
from model.engine.base import RoundEngine, RoundRecord, allocate
from model.engine.collective import CollectiveEngine
from model.engine.pairwise import PairwiseEngine
from model.metrics import METRICS, SERIES

__all__ = [
    "METRICS",
    "SERIES",
    "CollectiveEngine",
    "PairwiseEngine",
    "RoundEngine",
    "RoundRecord",
    "allocate",
    "build_engine",
]


def build_engine(
    config: ModelConfig,
    seed: int | None = 0,
    *,
    replicate_ids: Sequence[int] | None = None,
    economy: Economy | None = None,
    **kwargs: Any,
) -> RoundEngine:
    """The engine for a config: collective mode (with ``economy``, default the config's own)
    or pairwise. Keyword arguments go to the engine (``replicates``, ``graph``, …)."""
    if config.mode == "collective":
        econ = config.build_economy() if economy is None else economy
        return CollectiveEngine(config, econ, seed, replicate_ids=replicate_ids, **kwargs)
    return PairwiseEngine(config, seed, replicate_ids=replicate_ids, **kwargs)
