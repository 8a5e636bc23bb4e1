"""Institutions of collective mode (DESIGN §6, seed 000 §3): the minilateral club and the
technology shocks that directional flexibility answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from model.economy import Economy


def club_by_complementarity(econ: Economy, size: int | None = None) -> np.ndarray:
    """A minilateral club: greedily add the country that most raises the club's best capability
    summed over sectors, Σ_k max_{i ∈ club} θ_ik, starting from the largest country, until
    ``size`` members (default ⌈N/3⌉, at least 2). Returns the members' indices."""
    size = size or max(2, -(-econ.N // 3))
    club = [int(np.argmax(econ.sizes))]
    best = econ.capability[club[0]].copy()
    while len(club) < min(size, econ.N):
        gain = np.maximum(econ.capability, best).sum(axis=1)
        gain[club] = -np.inf
        club.append(int(np.argmax(gain)))
        best = np.maximum(best, econ.capability[club[-1]])
    return np.array(sorted(club))


def technology_shock(econ: Economy, sector: int, factor: float) -> Economy:
    """A new technology moves one sector's market by ``factor``; a sector not yet open (market
    0) opens with the economy's mean market times ``factor`` (directional change)."""
    if econ.market[sector] > 0:
        scale = np.ones(econ.K)
        scale[sector] = factor
        return econ.perceived(scale)
    sectors = list(econ.sectors)
    sectors[sector] = replace(sectors[sector], market=float(econ.market.mean() * factor))
    return econ.derive(sectors=sectors)
