"""A run's identity and seed: canonical JSON of its point, SHA-256 words, ``SeedSequence``
(the scheme is told in :mod:`experiments.sweep`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars to Python, tuples to lists, mapping keys to str."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, floats by ``repr`` (so 1 and 1.0 differ)."""
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_id(point: Mapping[str, Any], replicate: int) -> str:
    """First 16 hex digits of the SHA-256 of ``{"point": point, "replicate": replicate}``
    in canonical JSON."""
    return _sha(canonical_json({"point": point, "replicate": int(replicate)}))[:16]


def run_id_fast(point_json: str, replicate: int) -> str:
    # canonical_json({"point": p, "replicate": r}) with p already canonical ("point" < "replicate")
    return _sha(f'{{"point":{point_json},"replicate":{int(replicate)}}}')[:16]


def point_words(point: Mapping[str, Any]) -> tuple[int, ...]:
    """The four 32-bit words of the first 128 bits of the point's SHA-256 (canonical JSON)."""
    x = int(_sha(canonical_json(point))[:32], 16)
    return tuple((x >> (32 * k)) & 0xFFFFFFFF for k in range(4))


def run_seed(root_seed: int, point: Mapping[str, Any], crn: bool = False) -> int:
    """The engine seed of a point (see the module docstring): from
    ``SeedSequence(root_seed, spawn_key=point_words(point))`` — or ``spawn_key=()`` with common
    random numbers — as ``w0 | w1 << 32`` of ``generate_state(2)``. Replicates are the engine's
    replicate ids of this seed."""
    key = () if crn else point_words(point)
    w = np.random.SeedSequence(int(root_seed), spawn_key=key).generate_state(2)
    return int(w[0]) | (int(w[1]) << 32)
