"""Optimisation layer: Nash outcomes, the regional optimum and the coordinator.

The economy of :mod:`model.economy` is a finite game: country i picks one feasible portfolio
(a set of at most B_i sectors). This module measures how far uncoordinated play is from the
regional optimum and implements the coordinator of Wang (2015, 2017):

* Nash side — best responses, sequential best-response dynamics (Monderer & Shapley 1996) and
  exhaustive enumeration of pure Nash equilibria; the price of anarchy (Koutsoupias &
  Papadimitriou 1999) and the price of stability (Anshelevich et al. 2004).
* Regional optimum — brute force for tiny instances and an exact MILP (HiGHS via
  :func:`scipy.optimize.milp`).
* Coordinative optimisation (Wang 2017, SIAM J. Optim. 27(3), "Vanishing price of
  decentralization in large coordinative nonconvex optimization"): members submit a few
  candidate portfolios, the coordinator picks one per member to maximise regional welfare,
  with a Lagrangian (price) phase that also certifies an upper bound, and a repair phase.

Everything rests on the sector decomposition of regional welfare (:func:`sector_welfare`):

    W(x) = Σ_k G_k(n_k, S_k, a_k),  n_k = Σ_i x_ik,  S_k = Σ_i x_ik c_ik,
    G_k(n, S, a) = n q_k(n) (p_k(n) + v_k + γ a) − q_k(n) S − n F_k − ρ (Σ_i w_i) need_k M_k [n = 0]

where a_k = Σ_j [n_j > 0] input_matrix[j, k]. Only (n_k, S_k) couple the members — the
"coordinative" structure of Wang (2017) — which is what the Lagrangian prices (λ_k, μ_k) dualise.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from model.games import MatrixGame

if TYPE_CHECKING:
    from model.economy import Economy

__all__ = [
    "ImpliedGames",
    "NashResult",
    "OptimumResult",
    "Plan",
    "best_response",
    "best_responses",
    "coordinate",
    "implied_games",
    "lagrangian_bound",
    "nash_dynamics",
    "nash_range",
    "optimum_brute_force",
    "optimum_milp",
    "price_of_anarchy",
    "price_of_non_coordination",
    "price_of_stability",
    "pure_nash_equilibria",
    "sector_welfare",
    "submissions",
]

#: Relative tolerance for "strictly better" comparisons of payoffs and welfare.
TOL = 1e-9
#: Profiles scored per vectorised batch during enumeration.
_CHUNK = 4096


# ---------------------------------------------------------------------------- results
@dataclass
class NashResult:
    """Outcome of :func:`nash_dynamics` (Monderer & Shapley 1996 best-response dynamics)."""

    profile: np.ndarray  # (N, K) bool, the last profile reached
    welfare: float  # W(profile)
    converged: bool  # True: profile is a (weak) pure Nash equilibrium
    sweeps: int  # sweeps performed (the last one verifies that nobody moves)
    cycle_length: int | None  # period in sweeps when a cycle was detected, else None
    message: str


@dataclass
class OptimumResult:
    """Outcome of :func:`optimum_milp`: the regional optimum and the solver's certificate."""

    profile: np.ndarray  # (N, K) bool
    welfare: float  # econ.welfare(profile), recomputed
    bound: float  # the solver's dual (upper) bound on W
    gap: float  # (bound − welfare) / |bound|
    status: str  # "optimal", "time_limit", …


@dataclass
class Plan:
    """A coordinator's plan (Wang 2017): one submitted portfolio per member."""

    profile: np.ndarray  # (N, K) bool
    choice: np.ndarray  # (N,) int, index into each member's candidate list
    welfare: float  # econ.welfare(profile)
    bound: float  # best Lagrangian upper bound on W over the candidates
    gap: float  # (bound − welfare) / |bound|
    nodes: int = 0  # LPs solved by the branch-and-bound phase


@dataclass
class ImpliedGames:
    """The 2×2 games (C = follow the plan, D = best deviation) implied by a plan, per country.

    ``T, R, P, S`` hold the raw payoffs (Rapoport & Chammah 1965 notation); ``classes`` the
    :meth:`model.games.MatrixGame.classify` label after tie-breaking (see :func:`implied_games`);
    ``ties`` marks countries where a tie had to be broken.
    """

    T: np.ndarray
    R: np.ndarray
    P: np.ndarray
    S: np.ndarray
    classes: list[str]
    ties: np.ndarray


# ---------------------------------------------------------------------------- validation
def _profile(econ: Economy, x: object, name: str = "x") -> np.ndarray:
    """``x`` as an (N, K) bool array, or a ValueError naming ``name``."""
    arr = np.asarray(x)
    if arr.shape != (econ.N, econ.K):
        raise ValueError(
            f"{name}: investment profile of shape {arr.shape}; allowed: "
            f"({econ.N}, {econ.K}) — countries × sectors"
        )
    if arr.dtype != bool:
        if not np.issubdtype(arr.dtype, np.number) or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name}: allowed: a 0/1 or bool array of shape ({econ.N}, {econ.K})")
        arr = arr.astype(bool)
    if np.any(arr.sum(axis=1) > econ.budgets):
        bad = np.flatnonzero(arr.sum(axis=1) > econ.budgets)
        raise ValueError(
            f"{name}: countries {bad.tolist()} exceed their budgets {econ.budgets[bad].tolist()}"
        )
    return arr.copy()


def _country(econ: Economy, i: object) -> int:
    """``i`` as a country index, or a ValueError naming ``i``."""
    if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < econ.N:
        raise ValueError(f"i = {i!r}: allowed: an integer country index in [0, {econ.N})")
    return int(i)


def _rows(econ: Economy, rows: object, i: int, name: str) -> np.ndarray:
    """Country i's candidate portfolios as a (P, K) bool array, or a ValueError naming ``name``."""
    arr = np.asarray(rows)
    if arr.ndim != 2 or arr.shape[1] != econ.K or arr.shape[0] < 1:
        raise ValueError(
            f"{name}: country {i}: candidate portfolios of shape {arr.shape}; "
            f"allowed: (P >= 1, {econ.K})"
        )
    if arr.dtype != bool:
        if not np.issubdtype(arr.dtype, np.number) or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name}: country {i}: allowed: 0/1 or bool portfolios")
        arr = arr.astype(bool)
    if np.any(arr.sum(axis=1) > econ.budgets[i]):
        raise ValueError(f"{name}: country {i}: a candidate exceeds its budget {econ.budgets[i]}")
    return arr


def _candidates(econ: Economy, candidates: object, name: str = "candidates") -> list[np.ndarray]:
    """One (P_i, K) bool array per country (default: every feasible portfolio)."""
    if candidates is None:
        return [econ.portfolios(i) for i in range(econ.N)]
    if isinstance(candidates, np.ndarray) and candidates.ndim == 3:
        candidates = list(candidates)
    if not isinstance(candidates, Sequence) or len(candidates) != econ.N:
        raise ValueError(
            f"{name}: allowed: a list of {econ.N} arrays (one (P_i, K) array of "
            "candidate portfolios per country)"
        )
    return [_rows(econ, c, i, name) for i, c in enumerate(candidates)]


def _number(value: object, name: str) -> float:
    """A finite real number, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} = {value!r}: allowed: a finite real number")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} = {value!r}: allowed: a finite real number")
    return float(value)


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} = {value!r}: allowed: an integer >= 1")
    return int(value)


def _rel_gap(bound: float, value: float) -> float:
    """(bound − value) / |bound| (0 when they agree; |bound| floored at 1e-12)."""
    if bound == value:
        return 0.0
    return (bound - value) / max(abs(bound), 1e-12)


def _better(new: float, old: float) -> bool:
    """``new`` strictly exceeds ``old`` beyond the relative tolerance :data:`TOL`."""
    return new > old + TOL * max(1.0, abs(old))


# ---------------------------------------------------------------------------- decomposition
def sector_welfare(econ: Economy, n: np.ndarray, S: np.ndarray, a: np.ndarray) -> np.ndarray:
    """G_k(n_k, S_k, a_k) per sector, shape (..., K) — the sector decomposition of W.

    G_k(n, S, a) = n q_k(n)(p_k(n) + v_k + γ a) − q_k(n) S − n F_k − ρ (Σ_i w_i) need_k M_k [n=0],
    so that W(x) = Σ_k G_k(n_k, S_k, a_k) with n_k = Σ_i x_ik, S_k = Σ_i x_ik c_ik and
    a_k = Σ_j [n_j > 0] input_matrix[j, k]. This separable-plus-coupling form is the
    "coordinative" structure of Wang (2017, SIAM J. Optim. 27(3)): members interact only
    through the aggregates (n_k, S_k). ``a`` may be any value in [0, 1] (the Lagrangian bound
    uses a = 1 as an upper bound, since γ >= 0).
    """
    n = np.asarray(n)
    if n.shape[-1:] != (econ.K,) or not np.issubdtype(n.dtype, np.integer):
        raise ValueError(f"n: allowed: integer producer counts of shape (..., {econ.K})")
    if np.any(n < 0) or np.any(n > econ.N):
        raise ValueError(f"n: allowed: counts in [0, {econ.N}]")
    return _sector_g(econ, n, S, a)


def _sector_g(econ: Economy, n: np.ndarray, S: np.ndarray, a: np.ndarray) -> np.ndarray:
    """:func:`sector_welfare` without validation (hot path)."""
    cols = np.arange(econ.K)
    q = econ.output_table[n, cols]
    p = econ.price_table[n, cols]
    short = econ.shortfall_cost * econ.sizes.sum() * econ.needed * econ.market
    return (
        n * q * (p + econ.premium + econ.chain_bonus * np.asarray(a, float))
        - q * np.asarray(S, float)
        - n * econ.fixed_cost
        - short * (n == 0)
    )


def _welfare_ns(econ: Economy, n: np.ndarray, S: np.ndarray) -> np.ndarray:
    """W from the aggregates (n, S), shape (...)."""
    a = (n > 0) @ econ.input_matrix
    return _sector_g(econ, n, S, a).sum(axis=-1)


# ---------------------------------------------------------------------------- best responses
def best_response(
    econ: Economy, x: np.ndarray, i: int, candidates: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Country i's payoff-maximising portfolio given the others' rows of ``x``.

    The best-response map of a finite game (Monderer & Shapley 1996, best-response dynamics;
    Wang 2015 for the unilateral decision of one member). Evaluated as one (P, N, K) batch
    over ``candidates`` (default: ``econ.portfolios(i)``). Ties (within a relative 1e-9): i
    keeps its current row if that is a maximiser, else the first maximiser is returned.
    Returns (portfolio (K,) bool, payoff).
    """
    x = _profile(econ, x)
    i = _country(econ, i)
    cand = econ.portfolios(i) if candidates is None else _rows(econ, candidates, i, "candidates")
    batch = np.repeat(x[None], cand.shape[0], axis=0)
    batch[:, i] = cand
    u = econ.payoffs(batch)[:, i]
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
    x = _profile(econ, x)
    cands = _candidates(econ, candidates)
    return np.array([best_response(econ, x, i, cands[i])[0] for i in range(econ.N)])


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
    max_sweeps = _positive_int(max_sweeps, "max_sweeps")
    cands = _candidates(econ, candidates)
    x = np.zeros((econ.N, econ.K), bool) if start is None else _profile(econ, start, "start")
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
def _count(cands: list[np.ndarray], max_profiles: int, name: str = "max_profiles") -> int:
    total = math.prod(c.shape[0] for c in cands)
    if total > max_profiles:
        raise ValueError(
            f"{name} = {max_profiles}: the game has {total} pure profiles "
            f"(product of {[c.shape[0] for c in cands]} portfolios); use a smaller "
            "instance or raise max_profiles"
        )
    return total


def _enumerate(cands: list[np.ndarray], total: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
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
    max_profiles = _positive_int(max_profiles, "max_profiles")
    cands = _candidates(econ, candidates)
    total = _count(cands, max_profiles)
    found = []
    for _, X in _enumerate(cands, total):
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


def optimum_brute_force(
    econ: Economy, candidates: Sequence[np.ndarray] | None = None, max_profiles: int = 1_000_000
) -> tuple[np.ndarray, float]:
    """The regional optimum argmax_x W(x) by enumeration (tiny instances; first maximiser).

    The centralised benchmark of Wang (2015, 2017) and of the price of anarchy (Koutsoupias &
    Papadimitriou 1999). Raises ValueError above ``max_profiles`` profiles.
    """
    max_profiles = _positive_int(max_profiles, "max_profiles")
    cands = _candidates(econ, candidates)
    total = _count(cands, max_profiles)
    best_w, best_x = -np.inf, None
    for _, X in _enumerate(cands, total):
        w = econ.welfare(X)
        j = int(np.argmax(w))
        if w[j] > best_w:
            best_w, best_x = float(w[j]), X[j].copy()
    return best_x, best_w


# ---------------------------------------------------------------------------- exact MILP
def _cost_sums(econ: Economy, cands: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sector: how many members can produce it (nmax_k) and the smallest / largest cost sum
    achievable with n producers, Smin[n, k] / Smax[n, k] for n = 0..N (nan beyond nmax_k)."""
    N, K = econ.N, econ.K
    able = np.array([c.any(axis=0) for c in cands])  # (N, K)
    nmax = able.sum(axis=0)
    Smin = np.full((N + 1, K), np.nan)
    Smax = np.full((N + 1, K), np.nan)
    for k in range(K):
        c = np.sort(econ.cost[able[:, k], k])
        Smin[: nmax[k] + 1, k] = np.concatenate([[0.0], np.cumsum(c)])
        Smax[: nmax[k] + 1, k] = np.concatenate([[0.0], np.cumsum(c[::-1])])
    return nmax, Smin, Smax


def optimum_milp(
    econ: Economy, candidates: Sequence[np.ndarray] | None = None, time_limit: float = 60.0
) -> OptimumResult:
    """The exact regional optimum as a mixed-integer linear programme (HiGHS, scipy.milp).

    The centralised problem of Wang (2015; 2017 SIAM J. Optim. 27(3)) over one candidate
    portfolio per member (default: every feasible portfolio). Variables and constraints:

    * s_im ∈ {0, 1}, Σ_m s_im = 1 — member i picks candidate m; x_ik = Σ_m s_im P_imk.
    * z_kn ∈ {0, 1}, Σ_n z_kn = 1, Σ_n n z_kn = Σ_i x_ik — one-hot producer count n_k
      (z_kn fixed to 0 for n above the number of members able to produce k).
    * revenue, fixed cost and shortfall: Σ_n z_kn (n q_k(n)(p_k(n) + v_k) − n F_k
      − ρ Σw need_k M_k [n = 0]) — linear.
    * cost q_k(n_k) S_k: C_k >= q_k(n) S_k − U_kn (1 − z_kn), C_k >= 0, for n = 1..nmax_k. The
      big-M is disaggregated over the level that is actually on, 1 − z_kn = Σ_{n'≠n} z_kn',
      U_kn (1 − z_kn) → Σ_{n'≠n} U_knn' z_kn' with the smallest valid U_knn' =
      max_{S ∈ [Smin_k(n'), Smax_k(n')]} (q_k(n) − q_k(n')) S (Smin/Smax: the cheapest /
      dearest cost sum of n' able members; U may be negative). Exact on integer points and a
      much tighter LP relaxation than one U_kn per level (N = 80, K = 6, M = 8 solves in
      seconds rather than hitting the time limit). Plus the valid cut
      C_k >= Σ_n q_k(n) Smin_k(n) z_kn.
    * chain: γ a_k n_k q_k(n_k) = γ Σ_j input[j, k] Σ_{n>=1} n q_k(n) w_knj with
      w_knj <= z_kn, w_knj <= 1 − z_j0 (w_knj = z_kn ∧ [n_j > 0] at the optimum, since γ >= 0).

    Returns the profile, its welfare recomputed with ``econ.welfare``, the solver's dual
    bound, the relative gap and the status ("optimal" or "time_limit").
    """
    time_limit = _number(time_limit, "time_limit")
    if time_limit <= 0:
        raise ValueError(f"time_limit = {time_limit!r}: allowed: a number of seconds > 0")
    cands = _candidates(econ, candidates)
    N, K = econ.N, econ.K
    sizes = [c.shape[0] for c in cands]
    off = np.concatenate([[0], np.cumsum(sizes)])
    n_s = int(off[-1])
    Pall = np.concatenate(cands).astype(float)  # (n_s, K)
    owner = np.repeat(np.arange(N), sizes)
    cP = Pall * econ.cost[owner]  # P_imk c_ik
    nmax, Smin, Smax = _cost_sums(econ, cands)
    q, p = econ.output_table, econ.price_table  # (N+1, K)
    nn = np.arange(N + 1)[:, None]
    short = econ.shortfall_cost * econ.sizes.sum() * econ.needed * econ.market
    g = nn * q * (p + econ.premium) - nn * econ.fixed_cost - short * (nn == 0)  # (N+1, K)
    z0 = n_s  # z index: z0 + k * (N + 1) + n
    c0 = z0 + K * (N + 1)
    edges = (
        [
            (k, n, j)
            for k in range(K)
            for j in np.flatnonzero(econ.input_matrix[:, k])
            for n in range(1, N + 1)
        ]
        if econ.chain_bonus > 0
        else []
    )
    w0 = c0 + K
    n_var = w0 + len(edges)

    def zi(k: int, n: int) -> int:
        return z0 + k * (N + 1) + n

    obj = np.zeros(n_var)
    for k in range(K):
        obj[zi(k, 0) : zi(k, 0) + N + 1] = g[:, k]
    obj[c0 : c0 + K] = -1.0
    for e, (k, n, j) in enumerate(edges):
        obj[w0 + e] = econ.chain_bonus * econ.input_matrix[j, k] * n * q[n, k]

    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(entries: list[tuple[int, float]], low: float, high: float) -> None:
        nonlocal r
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        lo.append(low)
        hi.append(high)
        r += 1

    for i in range(N):  # one candidate each
        add([(m, 1.0) for m in range(off[i], off[i + 1])], 1.0, 1.0)
    for k in range(K):
        used = np.flatnonzero(Pall[:, k])
        add([(zi(k, n), 1.0) for n in range(N + 1)], 1.0, 1.0)
        add([(zi(k, n), float(n)) for n in range(1, N + 1)] + [(m, -1.0) for m in used], 0.0, 0.0)
        levels = np.arange(1, nmax[k] + 1)
        for n in levels:
            # C_k >= q(n) S_k − Σ_{n'≠n} U_knn' z_kn' (disaggregated big-M; see the docstring)
            dq = q[n, k] - q[levels, k]
            U = dq * np.where(dq > 0, Smax[levels, k], Smin[levels, k])
            add(
                [(c0 + k, 1.0)]
                + [(zi(k, n2), u) for n2, u in zip(levels, U, strict=True) if n2 != n]
                + [(m, -q[n, k] * cP[m, k]) for m in used],
                0.0,
                np.inf,
            )
        add(
            [(c0 + k, 1.0)] + [(zi(k, n), -q[n, k] * Smin[n, k]) for n in range(1, nmax[k] + 1)],
            0.0,
            np.inf,
        )
    for e, (k, n, j) in enumerate(edges):
        add([(w0 + e, 1.0), (zi(k, n), -1.0)], -np.inf, 0.0)
        add([(w0 + e, 1.0), (zi(j, 0), 1.0)], -np.inf, 1.0)
    A = sparse.csr_array((vals, (rows, cols)), shape=(r, n_var))
    upper = np.ones(n_var)
    upper[c0 : c0 + K] = np.inf
    for k in range(K):
        upper[zi(k, nmax[k] + 1) : zi(k, N) + 1] = 0.0
    integrality = np.zeros(n_var)
    integrality[:c0] = 1
    res = milp(
        -obj,
        integrality=integrality,
        bounds=Bounds(np.zeros(n_var), upper),
        constraints=LinearConstraint(A, lo, hi),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
    )
    if res.x is None:
        raise RuntimeError(f"optimum_milp: HiGHS found no solution ({res.message})")
    choice = np.array([int(np.argmax(res.x[off[i] : off[i + 1]])) for i in range(N)])
    profile = np.array([cands[i][choice[i]] for i in range(N)])
    welfare = float(econ.welfare(profile))
    bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else math.inf
    bound = max(bound, welfare)
    status = {0: "optimal", 1: "time_limit"}.get(res.status, f"status {res.status}")
    return OptimumResult(profile, welfare, bound, _rel_gap(bound, welfare), status)


# ---------------------------------------------------------------------------- coordinator
def submissions(econ: Economy, x_ref: np.ndarray, m: int) -> list[np.ndarray]:
    """Each member's ``m`` best feasible portfolios by its own payoff, others fixed at x_ref.

    What members report to the coordinator in Wang's (2017) coordinative optimisation: a short
    list of locally good decisions, ranked by the member's own objective. Distinct rows, best
    first (ties in ``econ.portfolios`` order); fewer than ``m`` if the member has fewer.
    """
    x_ref = _profile(econ, x_ref, "x_ref")
    m = _positive_int(m, "m")
    out = []
    for i in range(econ.N):
        cand = econ.portfolios(i)
        batch = np.repeat(x_ref[None], cand.shape[0], axis=0)
        batch[:, i] = cand
        u = econ.payoffs(batch)[:, i]
        order = np.argsort(-u, kind="stable")[:m]
        out.append(cand[order].copy())
    return out


class _Coordinator:
    """Working data of :func:`coordinate`: padded candidates, the sector point tables and the
    LP form of the Lagrangian dual (built once; nodes of the branch-and-bound only change the
    bounds of the sector-point weights)."""

    def __init__(self, econ: Economy, cands: list[np.ndarray]):
        self.econ = econ
        self.cands = cands
        N, K = econ.N, econ.K
        self.sizes = np.array([c.shape[0] for c in cands])
        Mmax = int(self.sizes.max())
        self.P = np.zeros((N, Mmax, K), bool)
        for i, c in enumerate(cands):
            self.P[i, : c.shape[0]] = c
        self.valid = np.arange(Mmax)[None, :] < self.sizes[:, None]  # (N, Mmax)
        self.Pf = self.P.astype(float)
        self.Pc = self.Pf * econ.cost[:, None, :]  # P_imk c_ik
        # sector points (n, S) with the chain term at its upper bound a = 1 (if k has inputs)
        self.nmax, Smin, Smax = _cost_sums(econ, cands)
        a_up = (econ.input_matrix.sum(axis=0) > 0).astype(float)
        n = np.repeat(np.arange(N + 1)[:, None], K, axis=1)
        self.feasible = n <= self.nmax[None, :]  # (N+1, K)
        self.pn = np.stack([n, n], axis=-1).astype(float)  # (N+1, K, 2)
        self.pS = np.stack([np.nan_to_num(Smin), np.nan_to_num(Smax)], axis=-1)
        n_int = np.minimum(n, self.nmax[None, :])
        G = np.stack([_sector_g(econ, n_int, self.pS[..., h], a_up) for h in (0, 1)], axis=-1)
        self.pG = np.where(self.feasible[..., None], G, -np.inf)
        self.a_up = a_up
        self._lp: tuple | None = None

    # -- the Lagrangian --------------------------------------------------------------------
    def _mask(self, lo: np.ndarray | None, hi: np.ndarray | None) -> np.ndarray:
        """Sector points allowed in a node: n_k in [lo_k, hi_k], shape (N+1, K)."""
        if lo is None or hi is None:
            return self.feasible
        n = np.arange(self.econ.N + 1)[:, None]
        return self.feasible & (n >= lo[None, :]) & (n <= hi[None, :])

    def lagrangian(
        self,
        lam: np.ndarray,
        mu: np.ndarray,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(λ, μ) over the node n ∈ [lo, hi], members' answers (N,), sector maximisers."""
        val = self.Pf @ lam + self.Pc @ mu  # (N, Mmax)
        val = np.where(self.valid, val, -np.inf)
        ans = np.argmax(val, axis=1)
        member = float(val[np.arange(val.shape[0]), ans].sum())
        pG = np.where(self._mask(lo, hi)[..., None], self.pG, -np.inf)
        sect = pG - lam[None, :, None] * self.pn - mu[None, :, None] * self.pS
        flat = sect.transpose(1, 0, 2).reshape(self.econ.K, -1)
        best = np.argmax(flat, axis=1)
        cols = np.arange(self.econ.K)
        n_star, h = np.divmod(best, 2)
        return (
            member + float(flat[cols, best].sum()),
            ans,
            n_star.astype(float),
            self.pS[n_star, cols, h],
        )

    def aggregates(self, choice: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(self.econ.N)
        return (self.P[rows, choice].sum(axis=0).astype(int), self.Pc[rows, choice].sum(axis=0))

    def welfare(self, choice: np.ndarray) -> float:
        n, S = self.aggregates(choice)
        return float(_welfare_ns(self.econ, n, S))

    # -- the LP form of the dual -----------------------------------------------------------
    def _build_lp(self) -> tuple:
        """Convexified primal (Geoffrion 1974): members mix their candidates, sectors mix
        their (n, S) points; its optimum equals min over (λ, μ) of the Lagrangian."""
        econ = self.econ
        N, K = econ.N, econ.K
        sidx = np.flatnonzero(self.valid.ravel())  # member variables
        i_of = sidx // self.P.shape[1]
        Pflat = self.Pf.reshape(-1, K)[sidx]
        Pcflat = self.Pc.reshape(-1, K)[sidx]
        pts = np.argwhere(np.isfinite(self.pG))  # (n, k, h)
        n_pt, k_pt, h_pt = pts.T
        ns, nt = sidx.size, pts.shape[0]
        sr, sk = np.nonzero(Pflat)
        rows = [i_of, N + k_pt, N + K + sk, N + K + k_pt, N + 2 * K + sk, N + 2 * K + k_pt]
        cols = [np.arange(ns), ns + np.arange(nt), sr, ns + np.arange(nt), sr, ns + np.arange(nt)]
        vals = [
            np.ones(ns),
            np.ones(nt),
            -np.ones(sr.size),
            n_pt.astype(float),
            -Pcflat[sr, sk],
            self.pS[n_pt, k_pt, h_pt],
        ]
        A = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(N + 3 * K, ns + nt),
        )
        b = np.concatenate([np.ones(N + K), np.zeros(2 * K)])
        c = np.concatenate([np.zeros(ns), -self.pG[n_pt, k_pt, h_pt]])
        return A, b, c, sidx, pts

    def solve_lp(
        self, lo: np.ndarray | None = None, hi: np.ndarray | None = None
    ) -> tuple[int, dict | None]:
        """Solve the node LP (HiGHS). Returns (status, solution): status 0 with prices λ, μ,
        member weights (N, Mmax) and sector weights θ (N+1, K, 2); otherwise linprog's status
        (2: the node is infeasible) and None."""
        if self._lp is None:
            self._lp = self._build_lp()
        A, b, c, sidx, pts = self._lp
        ns = sidx.size
        upper = np.ones(ns + pts.shape[0])
        if lo is not None and hi is not None:
            n_pt, k_pt = pts[:, 0], pts[:, 1]
            upper[ns:] = ((n_pt >= lo[k_pt]) & (n_pt <= hi[k_pt])).astype(float)
        res = linprog(
            c, A_eq=A, b_eq=b, bounds=np.column_stack([np.zeros_like(upper), upper]), method="highs"
        )
        if res.status != 0:
            return res.status, None
        K = self.econ.K
        N = self.econ.N
        duals = res.eqlin.marginals  # sensitivities of min(−W): prices are their negatives
        weights = np.zeros(self.P.shape[:2])
        weights.ravel()[sidx] = res.x[:ns]
        theta = np.zeros(self.pG.shape)
        theta[pts[:, 0], pts[:, 1], pts[:, 2]] = res.x[ns:]
        return 0, {
            "lam": -duals[N + K : N + 2 * K],
            "mu": -duals[N + 2 * K :],
            "weights": weights,
            "theta": theta,
            "value": -float(res.fun),
        }

    def rounded(self, weights: np.ndarray) -> np.ndarray:
        """Each member's candidate with the largest LP weight."""
        return np.argmax(np.where(self.valid, weights, -1.0), axis=1)

    def branch_sector(
        self, theta: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> tuple[int, int] | None:
        """Pick the sector whose LP point mixture gains most over its mean point (the
        nonconvexity the relaxation exploits) and the split n <= cut | n > cut."""
        n = np.arange(self.econ.N + 1)[:, None]
        w = theta.sum(axis=-1)  # (N+1, K)
        n_bar = (w * n).sum(axis=0)
        S_bar = (theta * self.pS).sum(axis=(0, 2))
        G_mix = (theta * np.where(np.isfinite(self.pG), self.pG, 0.0)).sum(axis=(0, 2))
        spread = (w * (n - n_bar) ** 2).sum(axis=0)
        n0 = np.clip(np.rint(n_bar).astype(int), 0, self.nmax)
        cols = np.arange(self.econ.K)
        S0 = np.clip(S_bar, self.pS[n0, cols, 0], self.pS[n0, cols, 1])
        gain = G_mix - _sector_g(self.econ, n0, S0, self.a_up)
        gain = np.where(
            (hi > lo) & (spread > 1e-9), np.maximum(gain, 0.0) + 1e-12 * spread, -np.inf
        )
        k = int(np.argmax(gain))
        if not np.isfinite(gain[k]):
            return None
        cut = int(np.clip(np.floor(n_bar[k]), lo[k], hi[k] - 1))
        return k, cut

    def branch(
        self, root: dict, bound: float, w_best: float, max_nodes: int, gap_tol: float
    ) -> tuple[float, list[tuple[float, np.ndarray]], int]:
        """Best-first branch-and-bound on the producer counts n_k (see :func:`coordinate`).

        Every node's bound is a Lagrangian value at its LP prices (valid whatever the LP's
        accuracy), capped by its parent's; nodes with bound <= w_best are pruned, infeasible
        nodes dropped. Returns (global upper bound, rounded node solutions with their welfare,
        LPs solved)."""
        K = self.econ.K
        lo0, hi0 = np.zeros(K, int), self.nmax.copy()
        heap: list = [(-bound, 0, lo0, hi0, root["theta"])]
        leaves: list[float] = []  # nodes that cannot be split further
        rounded: list[tuple[float, np.ndarray]] = []
        count = nodes = 0
        while heap and nodes < max_nodes:
            top = max(-heap[0][0], max(leaves, default=-math.inf), w_best)
            if _rel_gap(top, w_best) <= gap_tol:
                break
            neg, _, lo, hi, theta = heapq.heappop(heap)
            split = self.branch_sector(theta, lo, hi)
            if split is None:
                leaves.append(-neg)
                continue
            k, cut = split
            for side in (0, 1):
                lo2, hi2 = lo.copy(), hi.copy()
                if side == 0:
                    hi2[k] = cut
                else:
                    lo2[k] = cut + 1
                status, sol = self.solve_lp(lo2, hi2)
                nodes += 1
                if sol is None:
                    if status != 2:  # HiGHS failed (not infeasible): keep the parent's bound
                        leaves.append(-neg)
                    continue
                L = min(self.lagrangian(sol["lam"], sol["mu"], lo2, hi2)[0], -neg)
                r = self.rounded(sol["weights"])
                rounded.append((self.welfare(r), r))
                if L > w_best:
                    count += 1
                    heapq.heappush(heap, (-L, count, lo2, hi2, sol["theta"]))
        top = max(-heap[0][0] if heap else -math.inf, max(leaves, default=-math.inf), w_best)
        return min(top, bound), rounded, nodes

    # -- repair ----------------------------------------------------------------------------
    def ascent(
        self, choice: np.ndarray, rng: np.random.Generator, max_sweeps: int
    ) -> tuple[np.ndarray, float]:
        """Coordinate ascent on W: members in random order switch to their W-best candidate
        given the others (vectorised over candidates), until a sweep brings no improvement."""
        econ = self.econ
        choice = choice.copy()
        n, S = self.aggregates(choice)
        w = float(_welfare_ns(econ, n, S))
        for _ in range(max_sweeps):
            improved = False
            for i in rng.permutation(econ.N):
                m_i = self.sizes[i]
                c = choice[i]
                n_try = n - self.P[i, c] + self.P[i, :m_i]
                S_try = S - self.Pc[i, c] + self.Pc[i, :m_i]
                w_try = _welfare_ns(econ, n_try, S_try)
                best = int(np.argmax(w_try))
                if best != c and _better(float(w_try[best]), w):
                    choice[i], n, S, w = best, n_try[best], S_try[best], float(w_try[best])
                    improved = True
            if not improved:
                break
        return choice, w


def lagrangian_bound(
    econ: Economy, candidates: Sequence[np.ndarray], lam: np.ndarray, mu: np.ndarray
) -> float:
    """L(λ, μ): a valid upper bound on max W over one candidate per member.

    Lagrangian relaxation (Geoffrion 1974) of the coupling n_k = Σ_i x_ik and S_k = Σ_i x_ik c_ik
    — the price mechanism of Wang (2017, SIAM J. Optim. 27(3)):
    L = Σ_i max_m Σ_k P_imk (λ_k + μ_k c_ik) + Σ_k max_{n, S} [G_k(n, S, ā_k) − λ_k n − μ_k S],
    with ā_k = 1 if k has inputs (γ >= 0 makes the chain term increasing in a_k), n up to the
    number of members able to produce k and S between the smallest and largest cost sum of n
    of them. Every (λ, μ) gives an upper bound; G is linear in S, so S is at an end point.
    """
    cands = _candidates(econ, candidates)
    lam = np.asarray(lam, float)
    mu = np.asarray(mu, float)
    for name, v in (("lam", lam), ("mu", mu)):
        if v.shape != (econ.K,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name}: allowed: {econ.K} finite prices, one per sector")
    return _Coordinator(econ, cands).lagrangian(lam, mu)[0]


def coordinate(
    econ: Economy,
    candidates: Sequence[np.ndarray],
    *,
    seed: int = 0,
    max_rounds: int = 50,
    max_nodes: int = 40,
    gap_tol: float = 0.005,
    dual: str = "lp",
) -> Plan:
    """Wang's coordinative optimisation: pick one submitted portfolio per member to maximise W.

    Wang (2017, SIAM J. Optim. 27(3), "Vanishing price of decentralization in large coordinative
    nonconvex optimization"; Wang 2015 for the price of anarchy view): members submit candidate
    decisions, the coordinator sets prices on the coupling aggregates and assembles a plan.

    (a) Price phase. The couplings n_k = Σ_i x_ik and S_k = Σ_i x_ik c_ik are dualised with
    prices (λ_k, μ_k) (:func:`lagrangian_bound`): each member answers with its best candidate at
    the prices, argmax_m Σ_k P_imk (λ_k + μ_k c_ik), and each sector solves its one-dimensional
    problem. With ``dual="lp"`` (default) the starting prices solve the Lagrangian dual exactly
    through its LP form (the convexified primal, Geoffrion 1974 — the limit of a bundle /
    cutting-plane method — solved by HiGHS); the LP weights are rounded to each member's
    largest. Then ``max_rounds`` Polyak subgradient steps (Polyak 1969; step α(L − W_best)/‖g‖²,
    α halved after 5 rounds without a better bound) refine the prices (``dual="subgradient"``
    starts them at 0 and skips (c)). Every Lagrangian value is an upper bound on W (the chain
    term is bounded with a_k = 1 for sectors with inputs); the smallest is kept.

    (b) Repair. Primal points: the rounded LP solution, the members' answers at every price and
    the "greedy" start (each member at its candidate with the fewest plants — the empty one
    when submitted). Welfare-improving coordinate ascent (members in random order, from
    ``seed``, switch to the candidate maximising W given the others, vectorised over their
    candidates; at most ``max_rounds`` sweeps) runs from the best primal point and from the
    greedy start.

    (c) Bound tightening. Wang's (2017) argument — by Shapley–Folkman, at most 2K members are
    fractional in a basic solution of the convexified problem, so the members' share of the
    duality gap vanishes as N grows — does not cover the sector side: G_k is not concave in
    (n, S) (the cost term q_k(n)·S is bilinear), so the LP mixes distant producer counts.
    While the relative gap exceeds ``gap_tol``, best-first branch-and-bound on the producer
    counts (n_k <= cut | n_k > cut, on the sector whose LP mixture gains most over its mean
    point) re-solves the LP with the restricted sector points, at most ``max_nodes`` LPs; the
    bound is the largest Lagrangian value over the open nodes (or the plan's welfare).
    Rounded node solutions (the best three) are repaired as in (b).

    Returns the plan with gap = (bound − W)/|bound|, W recomputed with ``econ.welfare``.
    """
    cands = _candidates(econ, candidates)
    seed = int(_number(seed, "seed"))
    max_rounds = _positive_int(max_rounds, "max_rounds")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int | np.integer) or max_nodes < 0:
        raise ValueError(f"max_nodes = {max_nodes!r}: allowed: an integer >= 0")
    gap_tol = _number(gap_tol, "gap_tol")
    if gap_tol < 0:
        raise ValueError(f"gap_tol = {gap_tol!r}: allowed: a number >= 0")
    if dual not in ("lp", "subgradient"):
        raise ValueError(f"dual = {dual!r}: allowed: 'lp', 'subgradient'")
    rng = np.random.default_rng(seed)
    co = _Coordinator(econ, cands)
    N, K = econ.N, econ.K
    lo0, hi0 = np.zeros(K, int), co.nmax.copy()

    # (a) price phase
    greedy = np.array([int(np.argmin(c.sum(axis=1))) for c in cands])
    starts = [greedy]
    lam, mu = np.zeros(K), np.zeros(K)
    root = None
    if dual == "lp":
        _, root = co.solve_lp(lo0, hi0)
        if root is not None:
            lam, mu = root["lam"], root["mu"]
            starts.append(co.rounded(root["weights"]))
    welfare_of = [co.welfare(s) for s in starts]
    best_start = starts[int(np.argmax(welfare_of))]
    w_best = max(welfare_of)
    bound, best_lam, best_mu = math.inf, lam, mu
    alpha, stall = 1.0, 0
    for _ in range(max_rounds + 1):
        L, ans, n_star, S_star = co.lagrangian(lam, mu)
        w_ans = co.welfare(ans)
        if w_ans > w_best:
            w_best, best_start = w_ans, ans
        if L < bound - TOL * max(1.0, abs(L)) or not math.isfinite(bound):
            bound, best_lam, best_mu, stall = min(L, bound), lam, mu, 0
        else:
            stall += 1
            if stall >= 5:
                alpha, stall = alpha / 2, 0
                lam, mu = best_lam, best_mu
        n_ans, S_ans = co.aggregates(ans)
        g_lam, g_mu = n_star - n_ans, S_star - S_ans  # −∂L/∂(λ, μ)
        norm = float(g_lam @ g_lam + g_mu @ g_mu)
        if norm == 0 or bound - w_best <= TOL * max(1.0, abs(bound)):
            break  # L(λ, μ) = W(answers): the answers are optimal
        step = alpha * (L - w_best) / norm
        lam, mu = lam + step * g_lam, mu + step * g_mu

    # (b) repair
    choice, w = max(
        (co.ascent(s, rng, max_rounds) for s in (best_start, greedy)), key=lambda t: t[1]
    )

    # (c) branch-and-bound on the producer counts
    nodes = 0
    if root is not None and max_nodes > 0 and _rel_gap(max(bound, w), w) > gap_tol:
        bound, rounded, nodes = co.branch(root, bound, w, max_nodes, gap_tol)
        tried: set[bytes] = set()
        for _, r_choice in sorted(rounded, key=lambda t: -t[0]):
            if len(tried) >= 3:
                break
            if r_choice.tobytes() in tried:
                continue
            tried.add(r_choice.tobytes())
            c2, w2 = co.ascent(r_choice, rng, max_rounds)
            if _better(w2, w):
                choice, w = c2, w2
    profile = np.array([cands[i][choice[i]] for i in range(N)])
    welfare = float(econ.welfare(profile))
    bound = max(bound, welfare)
    return Plan(profile, choice, welfare, bound, _rel_gap(bound, welfare), nodes)


# ---------------------------------------------------------------------------- prices
def price_of_non_coordination(w_nash: float, w_opt: float) -> float:
    """W_Nash − W_opt (<= 0), the welfare lost without coordination, with the sign of Wang
    (2015, 2017), who measures the (vanishing) price as an optimality gap of the decentralised
    outcome against the coordinated optimum."""
    return _number(w_nash, "w_nash") - _number(w_opt, "w_opt")


def price_of_anarchy(w_opt: float, w_worst_nash: float) -> float:
    """W_opt / W_worst-Nash >= 1 (Koutsoupias & Papadimitriou 1999; Wang 2015).

    The ratio is only meaningful for positive welfare (maximisation): ``math.nan`` when either
    welfare is <= 0 (then use :func:`price_of_non_coordination`, a difference).
    """
    w_opt, w = _number(w_opt, "w_opt"), _number(w_worst_nash, "w_worst_nash")
    return w_opt / w if w_opt > 0 and w > 0 else math.nan


def price_of_stability(w_opt: float, w_best_nash: float) -> float:
    """W_opt / W_best-Nash >= 1 (Anshelevich et al. 2004).

    ``math.nan`` when either welfare is <= 0 (the ratio is then undefined).
    """
    w_opt, w = _number(w_opt, "w_opt"), _number(w_best_nash, "w_best_nash")
    return w_opt / w if w_opt > 0 and w > 0 else math.nan


# ---------------------------------------------------------------------------- implied games
def go_alone(econ: Economy) -> np.ndarray:
    """Each country's national plan made in isolation: its best portfolio when no other country
    invests, shape (N, K). This is "going it alone" (the paper's D: unilateral strategies that
    duplicate each other's plants and leave gaps in the chain); everyone going alone is the
    outside option of every member."""
    return best_responses(econ, np.zeros((econ.N, econ.K), bool))


def implied_games(
    econ: Economy, plan: Plan | np.ndarray, alone: np.ndarray | None = None
) -> ImpliedGames:
    """The 2×2 stage game each country faces under a plan: C = follow it, D = go it alone.

    For country i (Rapoport & Chammah 1965 notation), with D the profile in which every country
    plays its national plan made in isolation (:func:`go_alone`, or ``alone`` if given):

    * R_i = u_i(plan);  T_i = u_i(i goes alone, the others follow the plan);
    * P_i = u_i(D);     S_i = u_i(i follows the plan, all others go alone).

    Because D does not respond to the plan, every class can occur: a stag hunt when the plan's
    complementarities make following it the best reply to followers (R > T) while going alone
    is the best reply to those who go alone (P > S); a prisoner's dilemma when going alone pays
    against followers (T > R) but all going alone is worse than the plan (R > P). Classified
    with :meth:`model.games.MatrixGame.classify`. MatrixGame refuses ties; a tie R == T or
    S == P (within a relative 1e-9) is broken in favour of cooperating being a best reply: T
    (resp. P) is lowered by 1e-9·max(1, |R|) (resp. |S|) for the classification only.
    ``T, R, P, S`` hold the raw payoffs and ``ties`` marks the countries concerned.
    """
    x = _profile(econ, plan.profile if isinstance(plan, Plan) else plan, "plan")
    D = go_alone(econ) if alone is None else _profile(econ, alone, "alone")
    N = econ.N
    R = econ.payoffs(x)
    P = econ.payoffs(D)
    batch_t = np.repeat(x[None], N, axis=0)
    batch_s = np.repeat(D[None], N, axis=0)
    rows = np.arange(N)
    batch_t[rows, rows] = D
    batch_s[rows, rows] = x
    T = econ.payoffs(batch_t)[rows, rows]
    S = econ.payoffs(batch_s)[rows, rows]
    classes, ties = [], np.zeros(N, bool)
    for i in range(N):
        t, r, p, s = float(T[i]), float(R[i]), float(P[i]), float(S[i])
        if abs(r - t) <= TOL * max(1.0, abs(r)):
            t, ties[i] = r - TOL * max(1.0, abs(r)), True
        if abs(s - p) <= TOL * max(1.0, abs(s)):
            p, ties[i] = s - TOL * max(1.0, abs(s)), True
        classes.append(MatrixGame(T=t, R=r, P=p, S=s).classify())
    return ImpliedGames(T, R, P, S, classes, ties)
