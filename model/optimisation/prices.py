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
    out: list[np.ndarray] = [np.empty(0)] * econ.N
    for who, cand in econ.by_budget():  # every country of a budget level at once
        order = np.argsort(-econ.unilateral_payoffs(x_ref, who, cand), axis=1, kind="stable")
        for g, i in enumerate(who):
            out[i] = cand[order[g, :m]].copy()
    return out


#: A weight or plant share within this of 0 or 1 counts as integral in the branch-and-bound.
_INTEGRAL = 1e-6


class _Coordinator:
    """Working data of :func:`coordinate`: padded candidates, the sector point tables, the
    chain edges and the LP form of the Lagrangian dual (built once; a node of the
    branch-and-bound only changes variable bounds — the producer counts n_k in [lo_k, hi_k]
    and which candidates each member may pick)."""

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
        # sector points (n, S), S at the smallest / largest cost sum of n able members; G_k
        # without the chain term (a_k = 0), which the edges below price separately
        self.nmax, Smin, Smax = cost_sums(econ, cands)
        n = np.repeat(np.arange(N + 1)[:, None], K, axis=1)
        self.feasible = n <= self.nmax[None, :]  # (N+1, K)
        self.pn = np.stack([n, n], axis=-1).astype(float)  # (N+1, K, 2)
        self.pS = np.stack([np.nan_to_num(Smin), np.nan_to_num(Smax)], axis=-1)
        n_int = np.minimum(n, self.nmax[None, :])
        no_chain = np.zeros(K)
        G = np.stack([sector_g(econ, n_int, self.pS[..., h], no_chain) for h in (0, 1)], axis=-1)
        self.pG = np.where(self.feasible[..., None], G, -np.inf)
        # chain edges e = (j → k), when γ > 0: the chain term of W is
        # Σ_e chain_value[e, n_k] [n_j > 0] with chain_value[e, n] = γ input[j, k] n q_k(n)
        if econ.chain_bonus > 0:
            self.edge_j, self.edge_k = np.nonzero(econ.input_matrix)
        else:
            self.edge_j = self.edge_k = np.zeros(0, int)
        E = self.edge_k.size
        self.chain_value = (
            econ.chain_bonus
            * econ.input_matrix[self.edge_j, self.edge_k][:, None]
            * np.arange(N + 1)[None, :]
            * econ.output_table[:, self.edge_k].T
        )  # (E, N+1), column n = 0 is 0
        self.into = np.zeros((E, K))  # edge e ends in sector k
        self.into[np.arange(E), self.edge_k] = 1.0
        self.out_of = np.zeros((E, K))  # edge e starts in sector j
        self.out_of[np.arange(E), self.edge_j] = 1.0
        self.active = np.zeros(E, bool)  # edges whose rows are in the LP (see solve_lp)
        self._lp: tuple | None = None

    # -- the Lagrangian --------------------------------------------------------------------
    def _mask(self, lo: np.ndarray | None, hi: np.ndarray | None) -> np.ndarray:
        """Sector points allowed in a node: n_k in [lo_k, hi_k], shape (N+1, K)."""
        if lo is None or hi is None:
            return self.feasible
        n = np.arange(self.econ.N + 1)[:, None]
        return self.feasible & (n >= lo[None, :]) & (n <= hi[None, :])

    def edge_prices(self, nu: np.ndarray | None) -> np.ndarray:
        """ν per chain edge from a (K, K) array indexed [j, k] (None: zeros)."""
        if nu is None:
            return np.zeros(self.edge_k.size)
        return np.asarray(nu, float)[self.edge_j, self.edge_k]

    def lagrangian(
        self,
        lam: np.ndarray,
        mu: np.ndarray,
        nu: np.ndarray | None = None,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(λ, μ, ν) over the node (n ∈ [lo, hi], members restricted to ``allowed``); ν >= 0
        per chain edge (None: 0). Returns the value, members' answers (N,) and the sector
        maximisers (n*, S*)."""
        ok = self.valid if allowed is None else allowed
        val = np.where(ok, self.Pf @ lam + self.Pc @ mu, -np.inf)  # (N, Mmax)
        ans = np.argmax(val, axis=1)
        member = float(val[np.arange(val.shape[0]), ans].sum())
        pG = np.where(self._mask(lo, hi)[..., None], self.pG, -np.inf)
        sect = pG - lam[None, :, None] * self.pn - mu[None, :, None] * self.pS
        constant = 0.0
        if self.edge_k.size:
            nu = np.zeros(self.edge_k.size) if nu is None else nu
            # sector k takes edge e's chain value where it pays its price; sector j pays ν_e
            # when it has no producer (the dualised w_e + [n_j = 0] <= 1)
            extra = np.maximum(self.chain_value - nu[:, None], 0.0).T @ self.into  # (N+1, K)
            extra[0] -= nu @ self.out_of
            sect = sect + extra[..., None]
            constant = float(nu.sum())
        flat = sect.transpose(1, 0, 2).reshape(self.econ.K, -1)
        best = np.argmax(flat, axis=1)
        cols = np.arange(self.econ.K)
        n_star, h = np.divmod(best, 2)
        return (
            member + float(flat[cols, best].sum()) + constant,
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
        """Convexified primal (Geoffrion 1974): members mix their candidates, sectors mix their
        (n, S) points. Each *active* chain edge e = (j → k) has weights w_en <= Σ_h θ_k,n,h on
        k's levels n >= 1 with Σ_n w_en + Σ_h θ_j,0,h <= 1 (the chain value only where j has a
        producer); an inactive edge's chain value is added to k's points (a_k at its largest).
        Its optimum equals min over (λ, μ, ν >= 0) of the Lagrangian, ν = 0 on inactive edges."""
        N, K = self.econ.N, self.econ.K
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
        b_eq = np.concatenate([np.ones(N + K), np.zeros(2 * K)])
        # chain weights w_en of the active edges, n = 1..nmax_k of the edge's sector k
        act = np.flatnonzero(self.active)
        idle = np.flatnonzero(~self.active)
        levels = [np.arange(1, self.nmax[self.edge_k[e]] + 1) for e in act]
        we = np.repeat(act, [lv.size for lv in levels]).astype(int)
        wn = np.concatenate([*levels, []]).astype(int)
        nw, na = we.size, act.size
        row_of = np.full(self.edge_k.size, -1)
        row_of[act] = np.arange(na)
        tidx = np.full(self.pG.shape, -1)
        tidx[n_pt, k_pt, h_pt] = np.arange(nt)
        wcol = ns + nt + np.arange(nw)
        ej = self.edge_j[act]
        rows_u = [row_of[we], np.arange(na), np.arange(na)]  # edge rows: Σ_n w_en + θ_j0 <= 1
        cols_u = [wcol, ns + tidx[0, ej, 0], ns + tidx[0, ej, 1]]
        vals_u = [np.ones(nw), np.ones(na), np.ones(na)]
        for h in (0, 1):  # link rows: w_en − Σ_h θ_knh <= 0
            rows_u.append(na + np.arange(nw))
            cols_u.append(ns + tidx[wn, self.edge_k[we], h])
            vals_u.append(-np.ones(nw))
        rows_u.append(na + np.arange(nw))
        cols_u.append(wcol)
        vals_u.append(np.ones(nw))
        shape = (N + 3 * K, ns + nt + nw)
        A_eq = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape
        )
        A_ub = sparse.csr_array(
            (np.concatenate(vals_u), (np.concatenate(rows_u), np.concatenate(cols_u))),
            shape=(na + nw, ns + nt + nw),
        )
        b_ub = np.concatenate([np.ones(na), np.zeros(nw)])
        G_pt = self.pG[n_pt, k_pt, h_pt] + (self.chain_value[idle].T @ self.into[idle])[n_pt, k_pt]
        c = np.concatenate([np.zeros(ns), -G_pt, -self.chain_value[we, wn]])
        return A_eq, b_eq, A_ub, b_ub, c, sidx, pts, we, wn, act

    def solve_lp(
        self,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[int, dict | None]:
        """Solve the node LP (HiGHS). Returns (status, solution): status 0 with prices λ, μ,
        ν (per chain edge), member weights (N, Mmax), sector weights θ (N+1, K, 2) and chain
        weights (E, N+1); otherwise linprog's status (2: the node is infeasible) and None.

        Chain edges enter the LP lazily (a cutting-plane loop): an edge j → k stays out — its
        chain value counted in full — while the solution gives k at least as much weight on
        "no producer" as j (then the edge's rows hold with w_en = Σ_h θ_knh); an edge that this
        violates is activated for this and every later LP, and the LP solved again."""
        while True:
            status, sol = self._solve_lp(lo, hi, allowed)
            if sol is None:
                return status, None
            absent = sol["theta"][0].sum(axis=-1)  # (K,) weight on n = 0
            late = ~self.active & (absent[self.edge_j] > absent[self.edge_k] + _INTEGRAL)
            if not late.any():
                return status, sol
            self.active |= late
            self._lp = None

    def _solve_lp(
        self, lo: np.ndarray | None, hi: np.ndarray | None, allowed: np.ndarray | None
    ) -> tuple[int, dict | None]:
        if self._lp is None:
            self._lp = self._build_lp()
        A_eq, b_eq, A_ub, b_ub, c, sidx, pts, we, wn, act = self._lp
        ns, nt = sidx.size, pts.shape[0]
        upper = np.ones(c.size)
        if allowed is not None:
            upper[:ns] = allowed.ravel()[sidx]
        if lo is not None and hi is not None:
            n_pt, k_pt = pts[:, 0], pts[:, 1]
            upper[ns : ns + nt] = (n_pt >= lo[k_pt]) & (n_pt <= hi[k_pt])
            k_w = self.edge_k[we]
            upper[ns + nt :] = (wn >= lo[k_w]) & (wn <= hi[k_w])
        has_ub = b_ub.size > 0
        res = linprog(
            c,
            A_ub=A_ub if has_ub else None,
            b_ub=b_ub if has_ub else None,
            A_eq=A_eq,
            b_eq=b_eq,
            bounds=np.column_stack([np.zeros_like(upper), upper]),
            method="highs",
        )
        if res.status != 0:
            return res.status, None
        N, K, E = self.econ.N, self.econ.K, self.edge_k.size
        duals = res.eqlin.marginals  # sensitivities of min(−W): prices are their negatives
        weights = np.zeros(self.P.shape[:2])
        weights.ravel()[sidx] = res.x[:ns]
        theta = np.zeros(self.pG.shape)
        theta[pts[:, 0], pts[:, 1], pts[:, 2]] = res.x[ns : ns + nt]
        chain = theta.sum(axis=-1)[:, self.edge_k].T.copy()  # inactive edges: w_en = θ_kn
        chain[:, 0] = 0.0
        chain[act] = 0.0
        chain[we, wn] = res.x[ns + nt :]
        nu = np.zeros(E)
        if has_ub:
            nu[act] = np.maximum(-res.ineqlin.marginals[: act.size], 0.0)
        return 0, {
            "lam": -duals[N + K : N + 2 * K],
            "mu": -duals[N + 2 * K :],
            "nu": nu,
            "weights": weights,
            "theta": theta,
            "chain": chain,
            "value": -float(res.fun),
        }

    def rounded(self, weights: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        """Each member's candidate with the largest LP weight."""
        ok = self.valid if allowed is None else allowed
        return np.argmax(np.where(ok, weights, -1.0), axis=1)

    def branch_sector(self, sol: dict, lo: np.ndarray, hi: np.ndarray) -> tuple[int, int] | None:
        """Pick the sector whose LP point mixture gains most over its mean point (the
        nonconvexity the relaxation exploits) and the split n <= cut | n > cut; None when every
        sector's LP weight sits on one producer count."""
        theta = sol["theta"]
        n = np.arange(self.econ.N + 1)[:, None]
        w = theta.sum(axis=-1)  # (N+1, K)
        n_bar = (w * n).sum(axis=0)
        S_bar = (theta * self.pS).sum(axis=(0, 2))
        G_mix = (theta * np.where(np.isfinite(self.pG), self.pG, 0.0)).sum(axis=(0, 2))
        spread = (w * (n - n_bar) ** 2).sum(axis=0)
        n0 = np.clip(np.rint(n_bar).astype(int), 0, self.nmax)
        cols = np.arange(self.econ.K)
        S0 = np.clip(S_bar, self.pS[n0, cols, 0], self.pS[n0, cols, 1])
        G_mean = sector_g(self.econ, n0, S0, np.zeros(self.econ.K))
        if self.edge_k.size:
            G_mix = G_mix + (sol["chain"] * self.chain_value).sum(axis=1) @ self.into
            present = 1.0 - w[0]  # LP share of "sector j has a producer"
            E = np.arange(self.edge_k.size)
            G_mean = G_mean + (self.chain_value[E, n0[self.edge_k]] * present[self.edge_j]) @ (
                self.into
            )
        gain = G_mix - G_mean
        gain = np.where(
            (hi > lo) & (spread > 1e-9), np.maximum(gain, 0.0) + 1e-12 * spread, -np.inf
        )
        k = int(np.argmax(gain))
        if not np.isfinite(gain[k]):
            return None
        cut = int(np.clip(np.floor(n_bar[k]), lo[k], hi[k] - 1))
        return k, cut

    def branch_member(self, weights: np.ndarray, allowed: np.ndarray) -> tuple[int, int] | None:
        """The most fractional plant x_ik = Σ_m weight_im P_imk of the LP (member i, sector k),
        or None when every member's LP mixture is one portfolio."""
        x = np.einsum("im,imk->ik", np.where(allowed, weights, 0.0), self.Pf)
        frac = np.minimum(x, 1.0 - x)
        i, k = np.unravel_index(int(np.argmax(frac)), frac.shape)
        if frac[i, k] <= _INTEGRAL:
            return None
        return int(i), int(k)

    def branch(
        self, root: dict, bound: float, w_best: float, max_nodes: int, gap_tol: float
    ) -> tuple[float, list[tuple[float, np.ndarray]], int]:
        """Best-first branch-and-bound (see :func:`coordinate`): on the producer counts
        (n_k <= cut | n_k > cut) while some sector's LP weight spreads over several counts,
        then on a member's fractional plant (x_ik = 0 | x_ik = 1, restricting its candidates).
        A node where neither applies has an integral LP solution: its bound is its welfare.

        Every node's bound is a Lagrangian value at its LP prices (valid whatever the LP's
        accuracy), capped by its parent's; nodes within ``gap_tol`` of the incumbent (the best
        rounded node solution or ``w_best``) are pruned with their bound kept in the global
        one; infeasible nodes are dropped. Returns (global upper bound, rounded node solutions
        with their welfare, LPs solved)."""
        K = self.econ.K
        lo0, hi0 = np.zeros(K, int), self.nmax.copy()
        heap: list = [(-bound, 0, lo0, hi0, self.valid.copy(), root)]
        closed = -math.inf  # largest bound of the nodes closed without solving them out
        rounded: list[tuple[float, np.ndarray]] = []
        count = nodes = 0

        def close(value: float) -> bool:
            return rel_gap(max(value, w_best), w_best) <= gap_tol

        while heap and nodes < max_nodes:
            top = max(-heap[0][0], closed, w_best)
            if rel_gap(top, w_best) <= gap_tol:
                break
            neg, _, lo, hi, allowed, sol = heapq.heappop(heap)
            children = []
            split = self.branch_sector(sol, lo, hi)
            if split is not None:
                k, cut = split
                for side in (0, 1):
                    lo2, hi2 = lo.copy(), hi.copy()
                    if side == 0:
                        hi2[k] = cut
                    else:
                        lo2[k] = cut + 1
                    children.append((lo2, hi2, allowed))
            else:
                split = self.branch_member(sol["weights"], allowed)
                if split is None:  # integral: the LP value is the welfare of its rounding
                    closed = max(closed, -neg)
                    continue
                i, k = split
                for side in (False, True):
                    allowed2 = allowed.copy()
                    allowed2[i] &= self.P[i, :, k] == side
                    children.append((lo, hi, allowed2))
            for lo2, hi2, allowed2 in children:
                status, sol2 = self.solve_lp(lo2, hi2, allowed2)
                nodes += 1
                if sol2 is None:
                    if status != 2:  # HiGHS failed (not infeasible): keep the parent's bound
                        closed = max(closed, -neg)
                    continue
                L = self.lagrangian(sol2["lam"], sol2["mu"], sol2["nu"], lo2, hi2, allowed2)[0]
                L = min(L, -neg)
                r = self.rounded(sol2["weights"], allowed2)
                w_r = self.welfare(r)
                rounded.append((w_r, r))
                w_best = max(w_best, w_r)
                if close(L):
                    closed = max(closed, L)
                else:
                    count += 1
                    heapq.heappush(heap, (-L, count, lo2, hi2, allowed2, sol2))
        top = max(-heap[0][0] if heap else -math.inf, closed, w_best)
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
    econ: Economy,
    candidates: Sequence[np.ndarray],
    lam: np.ndarray,
    mu: np.ndarray,
    nu: np.ndarray | None = None,
) -> float:
    """L(λ, μ, ν): a valid upper bound on max W over one candidate per member.

    Lagrangian relaxation (Geoffrion 1974) of the coupling n_k = Σ_i x_ik and S_k = Σ_i x_ik c_ik
    — the price mechanism of Wang (2017, SIAM J. Optim. 27(3)) — and of the supply chain:
    writing the chain term of W as Σ_{j→k} γ input[j, k] n_k q_k(n_k) w_jk with w_jk <= [n_j > 0],
    i.e. w_jk + [n_j = 0] <= 1, priced at ν_jk >= 0,

    L = Σ_i max_m Σ_k P_imk (λ_k + μ_k c_ik) + Σ_jk ν_jk
        + Σ_k max_{n, S} [G_k(n, S, 0) − λ_k n − μ_k S
                          + Σ_{j→k} max(0, γ input[j, k] n q_k(n) − ν_jk) − [n = 0] Σ_{k→l} ν_kl],

    with n up to the number of members able to produce k and S between the smallest and largest
    cost sum of n of them. Every (λ, μ) and ν >= 0 give an upper bound; G is linear in S, so S is
    at an end point. ν (a (K, K) array indexed [j, k], read on the chain edges; default 0) = 0
    is the bound with the chain term at its largest, a_k = 1 for every sector with inputs.
    """
    cands = as_candidates(econ, candidates)
    lam = np.asarray(lam, float)
    mu = np.asarray(mu, float)
    for name, v in (("lam", lam), ("mu", mu)):
        if v.shape != (econ.K,) or not np.all(np.isfinite(v)):
            raise ValueError(f"{name}: allowed: {econ.K} finite prices, one per sector")
    if nu is not None:
        nu = np.asarray(nu, float)
        if nu.shape != (econ.K, econ.K) or not np.all(np.isfinite(nu) & (nu >= 0)):
            raise ValueError(
                f"nu: allowed: a ({econ.K}, {econ.K}) array of finite prices >= 0 "
                "(one per chain edge j → k, at [j, k])"
            )
    co = _Coordinator(econ, cands)
    return co.lagrangian(lam, mu, co.edge_prices(nu))[0]


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
    prices (λ_k, μ_k), and the supply chain (sector k earns its chain bonus from input j only
    if j has a regional producer) with prices ν_jk >= 0 (:func:`lagrangian_bound`): each member
    answers with its best candidate at the prices, argmax_m Σ_k P_imk (λ_k + μ_k c_ik), and each
    sector solves its one-dimensional problem. With ``dual="lp"`` (default) the starting prices
    solve the Lagrangian dual exactly through its LP form (the convexified primal, Geoffrion
    1974 — the limit of a bundle / cutting-plane method — solved by HiGHS); the LP weights are
    rounded to each member's largest. Then ``max_rounds`` Polyak subgradient steps on (λ, μ)
    (Polyak 1969; step α(L − W_best)/‖g‖², α halved after 5 rounds without a better bound)
    refine the prices (``dual="subgradient"`` starts them at 0, keeps ν = 0 — the chain term at
    its largest — and skips (c)). Every Lagrangian value is an upper bound on W; the smallest is
    kept.

    (b) Repair. Primal points: the rounded LP solution, the members' answers at every price and
    the "greedy" start (each member at its candidate with the fewest plants — the empty one
    when submitted). Welfare-improving coordinate ascent (members in random order, from
    ``seed``, switch to the candidate maximising W given the others, vectorised over their
    candidates; at most ``max_rounds`` sweeps) runs from the best primal point and from the
    greedy start.

    (c) Bound tightening. Wang's (2017) argument — by Shapley–Folkman, at most 2K members are
    fractional in a basic solution of the convexified problem, so the members' share of the
    duality gap vanishes as N grows — does not cover the sector side: G_k is not concave in
    (n, S) (the cost term q_k(n)·S is bilinear), so the LP mixes distant producer counts, and
    the chain term couples sectors. While the relative gap exceeds ``gap_tol``, best-first
    branch-and-bound re-solves the LP in restricted nodes, at most ``max_nodes`` LPs: first on
    the producer counts (n_k <= cut | n_k > cut, on the sector whose LP mixture gains most over
    its mean point), then, once every sector's count is integral, on a member's most fractional
    plant (x_ik = 0 | 1) — so a node is left unsplit only where its LP solution is a plan, and
    with enough nodes the search is exact. The bound is the largest Lagrangian value over the
    open and pruned nodes (or the plan's welfare). The best rounded node solution is kept, and
    the best three are repaired as in (b).

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
    lam, mu, nu = np.zeros(K), np.zeros(K), np.zeros(co.edge_k.size)
    root = None
    if dual == "lp":
        _, root = co.solve_lp(lo0, hi0)
        if root is not None:
            lam, mu, nu = root["lam"], root["mu"], root["nu"]
            starts.append(co.rounded(root["weights"]))
    welfare_of = [co.welfare(s) for s in starts]
    best_start = starts[int(np.argmax(welfare_of))]
    w_best = max(welfare_of)
    bound, best_lam, best_mu = math.inf, lam, mu
    alpha, stall = 1.0, 0
    for _ in range(max_rounds + 1):
        L, ans, n_star, S_star = co.lagrangian(lam, mu, nu)
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
            break  # the answers meet the sectors' (n, S): no subgradient step left
        step = alpha * (L - w_best) / norm
        lam, mu = lam + step * g_lam, mu + step * g_mu

    # (b) repair
    choice, w = max(
        (co.ascent(s, rng, max_rounds) for s in (best_start, greedy)), key=lambda t: t[1]
    )

    # (c) branch-and-bound on the producer counts, then on the members' plants
    nodes = 0
    if root is not None and max_nodes > 0 and rel_gap(max(bound, w), w) > gap_tol:
        bound, rounded, nodes = co.branch(root, bound, w, max_nodes, gap_tol)
        ranked = sorted(rounded, key=lambda t: -t[0])
        if ranked and better(ranked[0][0], w):
            choice, w = ranked[0][1], ranked[0][0]
        tried: set[bytes] = set()
        for _, r_choice in ranked:
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
