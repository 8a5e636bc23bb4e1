"""Nash side: best responses, best-response dynamics and exhaustive pure Nash equilibria."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.optimisation.checks import (
    TOL,
    as_candidates,
    as_country,
    as_positive_int,
    as_profile,
    as_rows,
)

if TYPE_CHECKING:
    from model.economy import Economy

#: Profiles scored per vectorised batch during enumeration.
_CHUNK = 4096


@dataclass
class NashResult:
    """Outcome of :func:`nash_dynamics` (Monderer & Shapley 1996 best-response dynamics)."""

    profile: np.ndarray  # (N, K) bool, the last profile reached
    welfare: float  # W(profile)
    converged: bool  # True: profile is a (weak) pure Nash equilibrium
    sweeps: int  # sweeps performed (the last one verifies that nobody moves)
    cycle_length: int | None  # period in sweeps when a cycle was detected, else None
    message: str


def best_response(
    econ: Economy, x: np.ndarray, i: int, candidates: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Country i's payoff-maximising portfolio given the others' rows of ``x``.

    The best-response map of a finite game (Monderer & Shapley 1996, best-response dynamics;
    Wang 2015 for the unilateral decision of one member). Evaluated over
    ``candidates`` (default: ``econ.portfolios(i)``) from the others' producer counts
    (:meth:`model.economy.Economy.unilateral_payoffs`). Ties (within a relative 1e-9): i
    keeps its current row if that is a maximiser, else the first maximiser is returned.
    Returns (portfolio (K,) bool, payoff).
    """
    x = as_profile(econ, x)
    i = as_country(econ, i)
    cand = econ.portfolios(i) if candidates is None else as_rows(econ, candidates, i, "candidates")
    u = econ.unilateral_payoffs(x, i, cand)
    best = float(u.max())
    tol = TOL * max(1.0, abs(best))
    current = np.flatnonzero((cand == x[i]).all(axis=1))
    if current.size and u[current[0]] >= best - tol:
        return x[i].copy(), float(u[current[0]])
    m = int(np.flatnonzero(u >= best - tol)[0])
    return cand[m].copy(), float(u[m])


def best_responses(
    econ: Economy, x: np.ndarray, candidates: Sequence[np.ndarray] | None = None
) -> np.ndarray:
    """Every country's unilateral best response to ``x``, simultaneously, shape (N, K).

    Row i is :func:`best_response` (econ, x, i): i's best deviation from the plan x with the
    others on the plan — the "D" move of the collective game (Monderer & Shapley 1996 for the
    best-response map; Wang 2015 for the deviation from a coordinated plan).
    """
    x = as_profile(econ, x)
    if candidates is not None:
        cands = as_candidates(econ, candidates)
        return np.array([best_response(econ, x, i, cands[i])[0] for i in range(econ.N)])
    out = x.copy()
    for who, cand in econ.by_budget():  # every country of a budget level at once
        u = econ.unilateral_payoffs(x, who, cand)  # (G, P)
        best = u.max(axis=1, keepdims=True)
        top = u >= best - TOL * np.maximum(1.0, np.abs(best))
        current = (cand[None, :, :] == x[who][:, None, :]).all(axis=2)  # (G, P)
        keep = (current & top).any(axis=1)
        first = np.argmax(top, axis=1)
        out[who] = np.where(keep[:, None], x[who], cand[first])
    return out


def nash_dynamics(
    econ: Economy,
    start: np.ndarray | None = None,
    max_sweeps: int = 200,
    *,
    candidates: Sequence[np.ndarray] | None = None,
) -> NashResult:
    """Sequential best-response dynamics in country order (Monderer & Shapley 1996).

    From ``start`` (default: all-empty) each country in turn switches to its
    :func:`best_response` (it moves only when strictly better, so ties never cause moves).
    A sweep is one pass over all countries. The dynamics stop when a sweep changes nothing
    (the profile is then a weak pure Nash equilibrium: no strictly profitable unilateral
    deviation) or when a profile reached after a sweep repeats: the sweep map is deterministic,
    so the dynamics then cycle for ever, and ``cycle_length`` is the period in sweeps.

    Convergence is not guaranteed for this economy class. The market-sharing special case is a
    congestion game (Rosenthal 1973), an exact potential game, so improvement paths are finite
    (Monderer & Shapley 1996). With player-specific unit costs c_ik (congestion games with
    player-specific payoffs, Milchtaich 1996), several plants per country, chain
    complementarities and the shortfall term, there is in general no potential, and best-reply
    cycles do occur. Example (tests/test_optimisation.py): chain s0 → s1 → s2, two identical
    one-plant countries, κ = 1, ε = ∞, F = v = ρ = 0, M = 1, unit costs (0.2, 0.5, 0.5),
    γ = 0.5: the best reply is "one step downstream of the other" and s0 against s2, so there
    is no pure equilibrium and the dynamics cycle with period 3 sweeps.
    """
    max_sweeps = as_positive_int(max_sweeps, "max_sweeps")
    cands = as_candidates(econ, candidates)
    x = np.zeros((econ.N, econ.K), bool) if start is None else as_profile(econ, start, "start")
    seen = {x.tobytes(): 0}
    for sweep in range(1, max_sweeps + 1):
        changed = False
        for i in range(econ.N):
            row, _ = best_response(econ, x, i, cands[i])
            if not np.array_equal(row, x[i]):
                x[i] = row
                changed = True
        welfare = float(econ.welfare(x))
        if not changed:
            return NashResult(
                x,
                welfare,
                True,
                sweep,
                None,
                f"converged to a pure Nash equilibrium after {sweep} sweeps",
            )
        key = x.tobytes()
        if key in seen:
            period = sweep - seen[key]
            return NashResult(
                x,
                welfare,
                False,
                sweep,
                period,
                f"best-response dynamics cycle: the profile after sweep {sweep} "
                f"repeats the one after sweep {seen[key]} (period {period} "
                "sweeps); no convergence",
            )
        seen[key] = sweep
    return NashResult(
        x,
        float(econ.welfare(x)),
        False,
        max_sweeps,
        None,
        f"no convergence within max_sweeps = {max_sweeps} sweeps (no cycle detected yet)",
    )


# ---------------------------------------------------------------------------- enumeration
def count_profiles(cands: list[np.ndarray], max_profiles: int, name: str = "max_profiles") -> int:
    total = math.prod(c.shape[0] for c in cands)
    if total > max_profiles:
        raise ValueError(
            f"{name} = {max_profiles}: the game has {total} pure profiles "
            f"(product of {[c.shape[0] for c in cands]} portfolios); use a smaller "
            "instance or raise max_profiles"
        )
    return total


def enumerate_profiles(
    cands: list[np.ndarray], total: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (choice (B, N), profiles (B, N, K)) over the product of the candidate lists."""
    shape = tuple(c.shape[0] for c in cands)
    for start in range(0, total, _CHUNK):
        idx = np.array(np.unravel_index(np.arange(start, min(start + _CHUNK, total)), shape)).T
        yield idx, np.stack([c[idx[:, i]] for i, c in enumerate(cands)], axis=1)


def pure_nash_equilibria(
    econ: Economy, max_profiles: int = 1_000_000, *, candidates: Sequence[np.ndarray] | None = None
) -> list[np.ndarray]:
    """All pure Nash equilibria by exhaustive enumeration (weak: no strictly profitable
    unilateral deviation, comparing payoffs with a relative tolerance 1e-9).

    Nash (1951) equilibria of the finite game whose strategies are the feasible portfolios
    (default ``econ.portfolios(i)``), as used for the price of anarchy by Koutsoupias &
    Papadimitriou (1999) and Wang (2015). Raises ValueError if the number of profiles exceeds
    ``max_profiles``. Profiles are returned in enumeration (lexicographic) order.
    """
    max_profiles = as_positive_int(max_profiles, "max_profiles")
    cands = as_candidates(econ, candidates)
    total = count_profiles(cands, max_profiles)
    found = []
    for _, X in enumerate_profiles(cands, total):
        u = econ.payoffs(X)  # (B, N)
        ok = np.ones(X.shape[0], bool)
        for i, c in enumerate(cands):
            best = np.full(X.shape[0], -np.inf)
            for row in c:
                Y = X.copy()
                Y[:, i] = row
                best = np.maximum(best, econ.payoffs(Y)[:, i])
            ok &= u[:, i] >= best - TOL * np.maximum(1.0, np.abs(u[:, i]))
        found.extend(X[ok])
    return [f.copy() for f in found]


def nash_range(
    econ: Economy, max_profiles: int = 1_000_000, *, candidates: Sequence[np.ndarray] | None = None
) -> tuple[np.ndarray, float, np.ndarray, float]:
    """(worst_profile, worst_W, best_profile, best_W) over the pure Nash equilibria.

    The worst equilibrium defines the price of anarchy (Koutsoupias & Papadimitriou 1999), the
    best one the price of stability (Anshelevich et al. 2004). Ties: the first in enumeration
    order. Raises ValueError when the game has no pure equilibrium.
    """
    eqs = pure_nash_equilibria(econ, max_profiles, candidates=candidates)
    if not eqs:
        raise ValueError("econ: the game has no pure Nash equilibrium")
    w = econ.welfare(np.array(eqs))
    lo, hi = int(np.argmin(w)), int(np.argmax(w))
    return eqs[lo], float(w[lo]), eqs[hi], float(w[hi])


# ---------------------------------------------------------------------------- all equilibria
#: Default cap of :func:`all_pure_equilibria`'s exact method: profiles of every country but the
#: one with the most portfolios (that one's best responses are computed, not enumerated).
MAX_PARTIAL = 3_000_000

#: (count vector, candidate) pairs scored per vectorised batch by :func:`_against`.
_BATCH = 1_500_000


@dataclass
class EquilibriumSet:
    """Outcome of :func:`all_pure_equilibria`: the distinct pure Nash equilibria found.

    ``profiles`` (E, N, K) bool, sorted by welfare, highest first; ``welfare`` (E,);
    ``method`` "exact" (every equilibrium: the set is complete) or "dynamics" (those reached by
    best-response dynamics from ``starts`` starts: a subset, complete only with luck);
    ``work`` the profiles enumerated (exact) or the starts run (dynamics); ``cycles`` how many
    starts ended in a best-response cycle or hit the sweep limit (dynamics only)."""

    profiles: np.ndarray
    welfare: np.ndarray
    method: str
    work: int
    starts: int = 0
    cycles: int = 0

    def __len__(self) -> int:
        return int(self.profiles.shape[0])

    def index(self, x: np.ndarray) -> int | None:
        """Position of profile ``x`` in :attr:`profiles` (its welfare rank − 1), or None."""
        hit = np.flatnonzero((self.profiles == np.asarray(x, bool)).all(axis=(1, 2)))
        return int(hit[0]) if hit.size else None


def _against(econ: Economy, i: int, others: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """u_i for each of the others' producer counts ``others`` (B, K) against each of i's
    ``cands`` (P, K), shape (B, P): the formula of :meth:`Economy.unilateral_payoffs`,
    batched over the others' profiles."""
    B, P = others.shape[0], cands.shape[0]
    out = np.empty((B, P))
    step = max(1, _BATCH // max(1, P * econ.K))
    sector = np.arange(econ.K)
    for s in range(0, B, step):
        n = others[s : s + step, None, :] + cands[None]  # (b, P, K)
        q, p = econ.output_table[n, sector], econ.price_table[n, sector]
        chain = (n > 0).astype(float) @ econ.input_matrix
        margin = p + econ.premium - econ.cost[i] + econ.chain_bonus * chain
        plants = np.where(cands, q * margin - econ.fixed_cost, 0.0).sum(axis=-1)
        missing = ((n == 0) & econ.needed) @ econ.market
        out[s : s + step] = plants - econ.shortfall_cost * econ.sizes[i] * missing
    return out


def _stable(econ: Economy, Y: np.ndarray, i: int, cand: np.ndarray) -> np.ndarray:
    """Which profiles of ``Y`` (M, N, K) leave country i no strictly profitable deviation among
    ``cand`` (the tolerance of :func:`pure_nash_equilibria`)."""
    others = Y.sum(axis=1) - Y[:, i]
    codes = others @ ((econ.N + 1) ** np.arange(econ.K, dtype=np.int64))
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    best = _against(econ, i, others[first], cand).max(axis=1)[inverse]  # once per distinct n_−i
    own = _against_rows(econ, i, others, Y[:, i])
    return own >= best - TOL * np.maximum(1.0, np.abs(own))


def _against_rows(econ: Economy, i: int, others: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """u_i of row b of ``rows`` against row b of ``others``, shape (B,)."""
    n = others + rows
    sector = np.arange(econ.K)
    q, p = econ.output_table[n, sector], econ.price_table[n, sector]
    chain = (n > 0).astype(float) @ econ.input_matrix
    margin = p + econ.premium - econ.cost[i] + econ.chain_bonus * chain
    plants = np.where(rows, q * margin - econ.fixed_cost, 0.0).sum(axis=-1)
    missing = ((n == 0) & econ.needed) @ econ.market
    return plants - econ.shortfall_cost * econ.sizes[i] * missing


def exact_equilibria(
    econ: Economy,
    max_partial: int = MAX_PARTIAL,
    *,
    candidates: Sequence[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Every pure Nash equilibrium, exactly (the set of :func:`pure_nash_equilibria`), faster.

    Country j, the one with the most portfolios, is not enumerated: u_j depends on the others
    only through their producer counts n_−j, so for each profile of the others j's best
    responses are computed (once per distinct n_−j) and only the profiles where j
    best-responds are checked for the others' deviations, the country with the fewest
    portfolios first. The work is the product of the others' portfolio counts, which must not
    exceed ``max_partial`` (else ValueError). Profiles in no particular order.
    """
    max_partial = as_positive_int(max_partial, "max_partial")
    cands = as_candidates(econ, candidates)
    sizes = [c.shape[0] for c in cands]
    j = int(np.argmax(sizes))
    rest = [i for i in range(econ.N) if i != j]
    rest_cands = [cands[i] for i in rest]
    total = count_profiles(rest_cands, max_partial, "max_partial") if rest else 1
    order = sorted(rest, key=lambda i: sizes[i])
    base = (econ.N + 1) ** np.arange(econ.K, dtype=np.int64)
    found: list[np.ndarray] = []
    chunk = max(_CHUNK, 50_000_000 // (econ.N * econ.K))  # X of at most ~50 MB
    for start in range(0, total, chunk):
        stop = min(start + chunk, total)
        if rest:
            shape = tuple(sizes[i] for i in rest)
            idx = np.array(np.unravel_index(np.arange(start, stop), shape)).T
            X = np.zeros((stop - start, econ.N, econ.K), bool)
            for col, i in enumerate(rest):
                X[:, i] = cands[i][idx[:, col]]
        else:
            X = np.zeros((1, econ.N, econ.K), bool)
        n_rest = X.sum(axis=1)
        _, first, inverse = np.unique(n_rest @ base, return_index=True, return_inverse=True)
        u = _against(econ, j, n_rest[first], cands[j])  # (U, P_j)
        top = u >= u.max(axis=1, keepdims=True) - TOL * np.maximum(1.0, np.abs(u))
        rows, picks = np.nonzero(top[inverse])
        Y = X[rows]
        Y[:, j] = cands[j][picks]
        for i in order:
            if not Y.shape[0]:
                break
            Y = Y[_stable(econ, Y, i, cands[i])]
        found.extend(Y)
    return [f.copy() for f in found]


def random_profile(econ: Economy, rng: np.random.Generator, cands: list[np.ndarray]) -> np.ndarray:
    """Each country's portfolio drawn uniformly from its candidates, shape (N, K)."""
    return np.array([c[rng.integers(c.shape[0])] for c in cands])


def dynamics_equilibria(
    econ: Economy,
    starts: int = 200,
    seed: int | None = 0,
    *,
    include: Sequence[np.ndarray] = (),
    candidates: Sequence[np.ndarray] | None = None,
    max_sweeps: int = 200,
) -> tuple[list[np.ndarray], int]:
    """The distinct pure equilibria that :func:`nash_dynamics` reaches from ``starts`` starts:
    the profiles in ``include`` (e.g. the status quo), then uniformly random ones (``seed``).
    Each is a true equilibrium (the dynamics stop only when no country moves); the set is a
    subset of all equilibria. Returns (equilibria, starts that did not converge)."""
    starts = as_positive_int(starts, "starts")
    cands = as_candidates(econ, candidates)
    rng = np.random.default_rng(seed)
    firsts = [as_profile(econ, x, "include") for x in include]
    seen: dict[bytes, np.ndarray] = {}
    failed = 0
    for s in range(starts):
        x0 = firsts[s] if s < len(firsts) else random_profile(econ, rng, cands)
        res = nash_dynamics(econ, x0, max_sweeps, candidates=cands)
        if res.converged:
            seen.setdefault(res.profile.tobytes(), res.profile)
        else:
            failed += 1
    return list(seen.values()), failed


def all_pure_equilibria(
    econ: Economy,
    *,
    max_partial: int = MAX_PARTIAL,
    starts: int = 200,
    seed: int | None = 0,
    include: Sequence[np.ndarray] = (),
    candidates: Sequence[np.ndarray] | None = None,
) -> EquilibriumSet:
    """The pure Nash equilibria of the economy, exactly where feasible (Garg's "all the
    equilibria"): :func:`exact_equilibria` when the others-than-the-largest profiles number at
    most ``max_partial``, else :func:`dynamics_equilibria` from ``starts`` starts (the
    ``include`` profiles first, then random ones from ``seed``). Sorted by welfare, highest
    first (ties: lexicographic by profile)."""
    cands = as_candidates(econ, candidates)
    sizes = sorted(c.shape[0] for c in cands)
    partial = math.prod(sizes[:-1])
    if partial <= as_positive_int(max_partial, "max_partial"):
        eqs, method, work, n_starts, cycles = (
            exact_equilibria(econ, max_partial, candidates=cands),
            "exact",
            partial * sizes[-1],
            0,
            0,
        )
    else:
        eqs, cycles = dynamics_equilibria(econ, starts, seed, include=include, candidates=cands)
        method, work, n_starts = "dynamics", starts, starts
    if eqs:
        X = np.array(eqs)
        w = econ.welfare(X)
        keys = [x.tobytes() for x in X]
        order = sorted(range(len(eqs)), key=lambda e: (-round(float(w[e]), 9), keys[e]))
        X, w = X[order], w[order]
    else:
        X, w = np.zeros((0, econ.N, econ.K), bool), np.zeros(0)
    return EquilibriumSet(X, w, method, work, n_starts, cycles)


def is_pure_equilibrium(
    econ: Economy, x: np.ndarray, *, candidates: Sequence[np.ndarray] | None = None
) -> bool:
    """Whether no country has a strictly profitable unilateral deviation from ``x``."""
    x = as_profile(econ, x)
    cands = as_candidates(econ, candidates)
    return all(bool(_stable(econ, x[None], i, cands[i])[0]) for i in range(econ.N))
