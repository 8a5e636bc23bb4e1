"""What forward-looking rules are told: the discounted value of cooperation Φ of a game.

A forward-looking government cooperates at today's stake s_t iff s_t (T − R) ≤ E[s] Φ
(:class:`agents.strategies.ForwardLooking`). Φ is the discounted future value lost by deviating
now from cooperation, when the partners revert to the non-cooperative outcome P once they see the
defection (a grim trigger; Nash reversion in collective mode — Friedman 1971, Taylor 1987):

    Φ = (R − P) · δ^(d+1) q / (1 − δ q)  −  (T − R) · Σ_{k=1..d} δ^k,    q = 1 − ε,

with d the feedback delay (the deviation earns T − R more for d further rounds before it is
seen) and ε the per-round probability that cooperation is misread as a defection, which ends it
(Green & Porter 1984). So s_t = 1 gives exactly δ ≥ δ* of the game
(:func:`model.theory.calculating_threshold`). δ and the payoffs may be arrays (one game and one
patience per country). The pairwise engine uses the two-sided result of
:func:`model.theory.grim_future_advantage` instead.
"""

from __future__ import annotations

import numpy as np


def future_advantage(
    T: float | np.ndarray,
    R: float | np.ndarray,
    P: float | np.ndarray,
    *,
    delta: float | np.ndarray,
    delay: int = 0,
    error: float | np.ndarray = 0.0,
) -> float | np.ndarray:
    """Φ for games (T, R, P), patience δ, feedback delay d and false-alarm rate ε (collective
    mode: ε is the agreement's, the chance that some member misreads some member in a round).

    Returns +inf where cooperation is never at risk (δ q = 1 and R > P). Misreading a defection
    as compliance is ignored: under Nash reversion every member would have to miss it, so this is
    exact for ε = 0 and a close approximation otherwise (the two-sided pairwise result is
    :func:`model.theory.grim_future_advantage`).
    """
    T, R, P = (np.asarray(v, float) for v in (T, R, P))
    delta = np.asarray(delta, float)
    q = 1.0 - np.asarray(error, float)
    d = int(delay)
    head = delta * (1 - delta**d) / np.where(delta < 1, 1 - delta, 1.0)
    head = np.where(delta < 1, head, float(d))  # Σ_{k=1..d} δ^k
    survive = delta * q
    premium = R - P
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(survive < 1, delta ** (d + 1) * q / (1 - survive), np.inf)
        keep = np.where(premium == 0, 0.0, premium * tail)
    phi = keep - (T - R) * head
    return float(phi) if phi.ndim == 0 else phi
