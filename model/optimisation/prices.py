"""Coordination by prices (Wang 2017): submissions, the Lagrangian bound and the coordinator."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from model.optimisation.checks import (
    TOL,
    as_candidates,
    as_number,
    as_positive_int,
    as_profile,
    better,
    rel_gap,
)
from model.optimisation.decomposition import sector_g, welfare_ns
from model.optimisation.optimum import cost_sums

if TYPE_CHECKING:
    from model.economy import Economy


@dataclass
class Plan:
    """A coordinator's plan (Wang 2017): one submitted portfolio per member."""

    profile: np.ndarray  # (N, K) bool
    choice: np.ndarray  # (N,) int, index into each member's candidate list
    welfare: float  # econ.welfare(profile)
    bound: float  # best Lagrangian upper bound on W over the candidates
    gap: float  # (bound − welfare) / |bound|
    nodes: int = 0  # LPs solved by the branch-and-bound phase


def submissions(econ: Economy, x_ref: np.ndarray, m: int) -> list[np.ndarray]:
    """Each member's ``m`` best feasible portfolios by its own payoff, others fixed at x_ref.

    What members report to the coordinator in Wang's (2017) coordinative optimisation: a short
    list of locally good decisions, ranked by the member's own objective. Distinct rows, best
    first (ties in ``econ.portfolios`` order); fewer than ``m`` if the member has fewer.
    """
    x_ref = as_profile(econ, x_ref, "x_ref")
    m = as_positive_int(m, "m")
    out = []
    for i in range(econ.N):
        cand = econ.portfolios(i)
        u = econ.unilateral_payoffs(x_ref, i, cand)
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
        self.nmax, Smin, Smax = cost_sums(econ, cands)
        a_up = (econ.input_matrix.sum(axis=0) > 0).astype(float)
        n = np.repeat(np.arange(N + 1)[:, None], K, axis=1)
        self.feasible = n <= self.nmax[None, :]  # (N+1, K)
        self.pn = np.stack([n, n], axis=-1).astype(float)  # (N+1, K, 2)
        self.pS = np.stack([np.nan_to_num(Smin), np.nan_to_num(Smax)], axis=-1)
        n_int = np.minimum(n, self.nmax[None, :])
        G = np.stack([sector_g(econ, n_int, self.pS[..., h], a_up) for h in (0, 1)], axis=-1)
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
        return float(welfare_ns(self.econ, n, S))

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
        gain = G_mix - sector_g(self.econ, n0, S0, self.a_up)
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
            if rel_gap(top, w_best) <= gap_tol:
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
        w = float(welfare_ns(econ, n, S))
        for _ in range(max_sweeps):
            improved = False
            for i in rng.permutation(econ.N):
                m_i = self.sizes[i]
                c = choice[i]
                n_try = n - self.P[i, c] + self.P[i, :m_i]
                S_try = S - self.Pc[i, c] + self.Pc[i, :m_i]
                w_try = welfare_ns(econ, n_try, S_try)
                best = int(np.argmax(w_try))
                if best != c and better(float(w_try[best]), w):
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
    cands = as_candidates(econ, candidates)
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
    cands = as_candidates(econ, candidates)
    seed = int(as_number(seed, "seed"))
    max_rounds = as_positive_int(max_rounds, "max_rounds")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int | np.integer) or max_nodes < 0:
        raise ValueError(f"max_nodes = {max_nodes!r}: allowed: an integer >= 0")
    gap_tol = as_number(gap_tol, "gap_tol")
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
    if root is not None and max_nodes > 0 and rel_gap(max(bound, w), w) > gap_tol:
        bound, rounded, nodes = co.branch(root, bound, w, max_nodes, gap_tol)
        tried: set[bytes] = set()
        for _, r_choice in sorted(rounded, key=lambda t: -t[0]):
            if len(tried) >= 3:
                break
            if r_choice.tobytes() in tried:
                continue
            tried.add(r_choice.tobytes())
            c2, w2 = co.ascent(r_choice, rng, max_rounds)
            if better(w2, w):
                choice, w = c2, w2
    profile = np.array([cands[i][choice[i]] for i in range(N)])
    welfare = float(econ.welfare(profile))
    bound = max(bound, welfare)
    return Plan(profile, choice, welfare, bound, rel_gap(bound, welfare), nodes)
