"""The regional optimum: brute force for tiny instances, the exact MILP (HiGHS) and
:func:`regional_optimum`, which returns W_opt exactly where it can be proved and otherwise the
best plan found with a valid upper bound, flagged."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from model.optimisation.checks import as_candidates, as_number, as_positive_int, rel_gap
from model.optimisation.equilibria import count_profiles, enumerate_profiles

if TYPE_CHECKING:
    from model.economy import Economy


#: Relative gap (bound − W)/|bound| at or below which a value counts as proved optimal (the
#: MILP's own ``mip_rel_gap``).
EXACT_GAP = 1e-9


@dataclass
class OptimumResult:
    """Outcome of :func:`optimum_milp` and :func:`regional_optimum`: the best profile found and
    its certificate."""

    profile: np.ndarray  # (N, K) bool
    welfare: float  # econ.welfare(profile), recomputed
    bound: float  # a valid upper bound on W (the MILP's dual bound or a Lagrangian one)
    gap: float  # (bound − welfare) / |bound|
    status: str  # "optimal", "time_limit", "too_large" (MILP not tried), …
    exact: bool = False  # True: welfare is the optimum (proved); False: only bound is known
    method: str = "milp"  # what proved or found it: "milp" or "coordinate"


def optimum_brute_force(
    econ: Economy, candidates: Sequence[np.ndarray] | None = None, max_profiles: int = 1_000_000
) -> tuple[np.ndarray, float]:
    """The regional optimum argmax_x W(x) by enumeration (tiny instances; first maximiser).

    The centralised benchmark of Wang (2015, 2017) and of the price of anarchy (Koutsoupias &
    Papadimitriou 1999). Raises ValueError above ``max_profiles`` profiles.
    """
    max_profiles = as_positive_int(max_profiles, "max_profiles")
    cands = as_candidates(econ, candidates)
    total = count_profiles(cands, max_profiles)
    best_w, best_x = -np.inf, None
    for _, X in enumerate_profiles(cands, total):
        w = econ.welfare(X)
        j = int(np.argmax(w))
        if w[j] > best_w:
            best_w, best_x = float(w[j]), X[j].copy()
    return best_x, best_w


# ---------------------------------------------------------------------------- exact MILP
def cost_sums(econ: Economy, cands: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    time_limit = as_number(time_limit, "time_limit")
    if time_limit <= 0:
        raise ValueError(f"time_limit = {time_limit!r}: allowed: a number of seconds > 0")
    cands = as_candidates(econ, candidates)
    N, K = econ.N, econ.K
    sizes = [c.shape[0] for c in cands]
    off = np.concatenate([[0], np.cumsum(sizes)])
    n_s = int(off[-1])
    Pall = np.concatenate(cands).astype(float)  # (n_s, K)
    owner = np.repeat(np.arange(N), sizes)
    cP = Pall * econ.cost[owner]  # P_imk c_ik
    nmax, Smin, Smax = cost_sums(econ, cands)
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
    return OptimumResult(
        profile, welfare, bound, rel_gap(bound, welfare), status, exact=status == "optimal"
    )


def regional_optimum(
    econ: Economy,
    candidates: Sequence[np.ndarray] | None = None,
    *,
    time_limit: float = 5.0,
    max_exact: int = 40,
    max_nodes: int = 40,
    gap_tol: float = 0.005,
    seed: int = 0,
) -> OptimumResult:
    """W_opt = max_x W(x) over one candidate portfolio per member (default: every feasible one),
    exact where it can be proved, otherwise the best plan found with a valid upper bound.

    The centralised benchmark of Wang (2015; 2017 SIAM J. Optim. 27(3)) and of the price of
    anarchy (Koutsoupias & Papadimitriou 1999), found in two stages:

    1. :func:`~model.optimisation.prices.coordinate` — Wang's (2017) price coordination with
       its Lagrangian bound (Geoffrion 1974) and branch-and-bound, at most ``max_nodes`` LPs —
       run to a zero gap when the instance has at most ``max_exact`` members, else to
       ``gap_tol``. Its bound is valid for any prices, so where it meets the plan's welfare
       (relative gap <= :data:`EXACT_GAP`) the plan is optimal: ``exact``,
       ``method = "coordinate"``. On the presets the LP relaxation is tight at the root.
    2. Otherwise, if the instance has at most ``max_exact`` members, the exact MILP
       (:func:`optimum_milp`, HiGHS branch-and-cut) with HiGHS's ``time_limit`` in seconds
       (building the model is not counted; it grows as K·N²): ``exact`` when HiGHS proves
       optimality, ``method = "milp"``.

    Where neither proves the optimum (the MILP stopped at its time limit or found no solution:
    status "time_limit"; more than ``max_exact`` members: status "too_large"), ``exact`` is
    False and the result is the better of the coordinator's plan and the MILP's incumbent with
    the smaller of the two valid upper bounds: W_opt lies in [welfare, bound].

    The defaults are meant for the start of a run: every preset is proved exact in stage 1
    (about 0.1 s each with N <= 12; N = 400 in a few seconds), and the MILP, the slow stage,
    is tried only up to 40 members and 5 s. ``seed`` drives the coordinator's repair order.
    """
    from model.optimisation.prices import coordinate  # prices imports this module

    time_limit = as_number(time_limit, "time_limit")
    if time_limit <= 0:
        raise ValueError(f"time_limit = {time_limit!r}: allowed: a number of seconds > 0")
    if isinstance(max_exact, bool) or not isinstance(max_exact, int | np.integer) or max_exact < 0:
        raise ValueError(f"max_exact = {max_exact!r}: allowed: an integer >= 0 (members)")
    gap_tol = as_number(gap_tol, "gap_tol")
    if gap_tol < 0:
        raise ValueError(f"gap_tol = {gap_tol!r}: allowed: a number >= 0")
    cands = as_candidates(econ, candidates)
    small = econ.N <= max_exact
    plan = coordinate(
        econ, cands, seed=seed, max_nodes=max_nodes, gap_tol=0.0 if small else gap_tol
    )
    profile, welfare, bound = plan.profile, plan.welfare, plan.bound
    if rel_gap(bound, welfare) <= EXACT_GAP:
        return OptimumResult(
            profile, welfare, bound, rel_gap(bound, welfare), "optimal", True, "coordinate"
        )
    if not small:
        return OptimumResult(
            profile, welfare, bound, rel_gap(bound, welfare), "too_large", False, "coordinate"
        )
    try:
        res = optimum_milp(econ, cands, time_limit=time_limit)
    except RuntimeError:  # HiGHS stopped before it found a feasible point
        return OptimumResult(
            profile, welfare, bound, rel_gap(bound, welfare), "time_limit", False, "coordinate"
        )
    method = "coordinate"
    if res.welfare > welfare:
        profile, welfare, method = res.profile, res.welfare, "milp"
    if res.exact:
        method = "milp"
    bound = max(min(bound, res.bound), welfare)
    gap = rel_gap(bound, welfare)
    exact = res.exact or gap <= EXACT_GAP
    return OptimumResult(
        profile, welfare, bound, gap, "optimal" if exact else res.status, exact, method
    )
