"""The exact regional optimum W_opt (issue 9, item 3) and the coordinator on supply chains.

Expected values come from brute-force enumeration of every profile (``optimum_brute_force``)
or from hand work; the MILP is only a cross-check where enumeration is out of reach (presets).
"""

import math

import numpy as np
import pytest

from model import PRESETS, load_preset
from model import optimisation as opt
from model.economy import Economy, Sector
from model.optimisation.optimum import EXACT_GAP


# ---------------------------------------------------------------------------- instances
def chain_economy(rng: np.random.Generator) -> Economy:
    """A random small economy on a supply chain: 3–4 countries, 3–5 sectors on a path
    s0 → s1 → … plus a few forward edges, random κ, a chain bonus γ > 0, shortfall,
    capabilities, budgets 1–2 (at most 16^4 profiles, so brute force is the oracle)."""
    n = int(rng.integers(3, 5))
    k = int(rng.integers(3, 6))
    sectors = [
        Sector(
            f"s{j}",
            market=float(rng.uniform(0.5, 5.0)),
            fixed_cost=float(rng.uniform(0.0, 2.0)),
            unit_cost=float(rng.uniform(0.2, 1.0)),
            elasticity=float(rng.choice([math.inf, rng.uniform(1.0, 5.0)])),
            premium=float(rng.uniform(0.0, 0.4)),
            needed=bool(rng.random() < 0.8),
        )
        for j in range(k)
    ]
    edges = [(f"s{j}", f"s{j + 1}") for j in range(k - 1)]
    edges += [(f"s{a}", f"s{b}") for a in range(k) for b in range(a + 2, k) if rng.random() < 0.2]
    return Economy(
        sectors,
        edges,
        sizes=rng.uniform(0.2, 2.0, n),
        capability=rng.lognormal(0.0, 0.4, (n, k)),
        budgets=rng.integers(1, 3, n),
        kappa=float(rng.uniform(0.2, 1.0)),
        chain_bonus=float(rng.uniform(0.2, 2.0)),
        shortfall_cost=float(rng.uniform(0.0, 0.5)),
    )


@pytest.fixture(scope="module")
def instances() -> list[tuple[Economy, list[np.ndarray], float]]:
    """60 seeded chain economies with every feasible portfolio and their brute-force W_opt."""
    rng = np.random.default_rng(909)
    out = []
    for _ in range(60):
        econ = chain_economy(rng)
        cands = [econ.portfolios(i) for i in range(econ.N)]
        out.append((econ, cands, opt.optimum_brute_force(econ, cands)[1]))
    return out


def hand_chain() -> Economy:
    """Two countries, one plant each, s0 → s1, κ = 1 (q = M = 1), ε = ∞ (p = 1), F = v = ρ = 0,
    unit costs 1.2 and 1.1, γ = 0.5. A plant in s0 pays 1 − 1.2 = −0.2; in s1 it pays
    1 − 1.1 = −0.1, or −0.1 + 0.5 = 0.4 when s0 has a regional producer. Profiles: nobody 0;
    one plant alone −0.2 or −0.1; both in s0 −0.4; both in s1 −0.2; one in each 0.2 — the
    optimum, W_opt = 0.2. Every single move away from "nobody" lowers W, and the chain term
    at its largest (a = 1) makes the relaxation pick s1 alone (0.4 > 0.2): no count to branch on.
    """
    sectors = [Sector("s0", 1.0, unit_cost=1.2), Sector("s1", 1.0, unit_cost=1.1)]
    return Economy(
        sectors,
        [("s0", "s1")],
        sizes=[1.0, 1.0],
        capability=np.ones((2, 2)),
        budgets=1,
        kappa=1.0,
        chain_bonus=0.5,
    )


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-7 * max(1.0, abs(b))


# ---------------------------------------------------------------------------- coordinator
def test_coordinate_finds_the_chain_optimum_by_hand():
    econ = hand_chain()
    cands = [econ.portfolios(i) for i in range(2)]
    _, w_bf = opt.optimum_brute_force(econ, cands)
    assert w_bf == pytest.approx(0.2)
    plan = opt.coordinate(econ, cands)
    assert plan.welfare == pytest.approx(0.2)
    assert sorted(map(tuple, plan.profile.astype(int))) == [(0, 1), (1, 0)]
    assert plan.bound == pytest.approx(0.2)  # the chain-aware bound is tight here (a = 1: 0.4)
    assert opt.lagrangian_bound(econ, cands, np.zeros(2), np.zeros(2)) >= 0.4 - 1e-12


def test_coordinate_reaches_the_brute_force_optimum_with_gap_tol_0(instances):
    misses = []
    for t, (econ, cands, w_bf) in enumerate(instances):
        plan = opt.coordinate(econ, cands, seed=t, gap_tol=0.0, max_nodes=10_000)
        assert plan.bound >= w_bf - 1e-7 * max(1.0, abs(w_bf)), t
        assert plan.welfare == pytest.approx(float(econ.welfare(plan.profile)))
        if not close(plan.welfare, w_bf) or plan.gap > 1e-7:
            misses.append((t, plan.welfare, w_bf, plan.gap, plan.nodes))
    assert misses == []


def test_coordinate_default_plan_is_within_its_honest_gap(instances):
    """With the defaults (gap_tol 0.5 %): the bound is valid and the plan within gap_tol."""
    worst = 0.0
    for t, (econ, cands, w_bf) in enumerate(instances):
        plan = opt.coordinate(econ, cands, seed=t)
        assert plan.bound >= w_bf - 1e-7 * max(1.0, abs(w_bf)), t
        assert plan.welfare <= w_bf + 1e-9 * max(1.0, abs(w_bf)), t
        true_gap = (w_bf - plan.welfare) / abs(plan.bound)
        assert true_gap <= plan.gap + 1e-12, t  # honest: the reported gap covers the true one
        worst = max(worst, true_gap)
    assert worst <= 0.005


def test_lagrangian_bound_with_chain_prices_is_valid(instances):
    rng = np.random.default_rng(17)
    for econ, cands, w_bf in instances[:20]:
        K = econ.K
        for _ in range(3):
            lam, mu = rng.normal(0, 2, K), rng.normal(0, 2, K)
            nu = rng.exponential(1.0, (K, K))
            assert opt.lagrangian_bound(econ, cands, lam, mu, nu) >= w_bf - 1e-9
        assert opt.lagrangian_bound(econ, cands, lam, mu, np.zeros((K, K))) == pytest.approx(
            opt.lagrangian_bound(econ, cands, lam, mu)
        )
    econ = hand_chain()
    cands = [econ.portfolios(i) for i in range(2)]
    for bad in (-np.ones((2, 2)), np.ones(2), np.full((2, 2), np.nan)):
        with pytest.raises(ValueError, match="nu"):
            opt.lagrangian_bound(econ, cands, np.zeros(2), np.zeros(2), bad)


# ---------------------------------------------------------------------------- W_opt
def test_regional_optimum_is_exact_on_small_instances(instances):
    rng = np.random.default_rng(4)
    for t, (econ, cands, w_bf) in enumerate(instances):
        if t % 3 == 0:  # a random non-empty subset of each member's portfolios
            cands = [
                c[np.sort(rng.choice(len(c), int(rng.integers(1, len(c) + 1)), False))]
                for c in cands
            ]
            w_bf = opt.optimum_brute_force(econ, cands)[1]
        res = opt.regional_optimum(econ, cands)
        assert res.exact and res.status == "optimal", t
        assert close(res.welfare, w_bf), (t, res.welfare, w_bf)
        assert res.welfare == pytest.approx(float(econ.welfare(res.profile)))
        assert res.bound >= w_bf - 1e-7 * max(1.0, abs(w_bf)) and res.gap <= EXACT_GAP
        for i in range(econ.N):
            assert (cands[i] == res.profile[i]).all(axis=1).any()


def test_regional_optimum_falls_back_to_the_milp(instances):
    """No branch-and-bound (max_nodes = 0): where the root LP does not prove the optimum, the
    MILP does."""
    by_milp = 0
    for econ, cands, w_bf in instances:
        res = opt.regional_optimum(econ, cands, max_nodes=0, time_limit=30.0)
        assert res.exact and close(res.welfare, w_bf)
        by_milp += res.method == "milp"
    assert by_milp >= 5


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [({"max_exact": 0}, "too_large"), ({"max_exact": 10, "time_limit": 1e-6}, "time_limit")],
)
def test_regional_optimum_flags_a_bound(instances, kwargs, status):
    """Where nothing proves the optimum, W_opt is flagged as bounded: welfare <= W_opt <= bound."""
    flagged = 0
    for econ, cands, w_bf in instances:
        res = opt.regional_optimum(econ, cands, max_nodes=0, **kwargs)
        tol = 1e-7 * max(1.0, abs(w_bf))
        assert res.welfare <= w_bf + tol and res.bound >= w_bf - tol
        assert res.welfare == pytest.approx(float(econ.welfare(res.profile)))
        if res.exact:
            assert close(res.welfare, w_bf) and res.gap <= EXACT_GAP
        else:
            flagged += 1
            assert res.status == status and res.gap > EXACT_GAP
            assert res.gap == pytest.approx((res.bound - res.welfare) / abs(res.bound))
    assert flagged >= 5


@pytest.mark.parametrize("name", [p for p in PRESETS if p != "evolution"])
def test_regional_optimum_presets_exact(name):
    econ = load_preset(name).build_economy()
    res = opt.regional_optimum(econ)
    assert res.exact
    milp = opt.optimum_milp(econ, time_limit=60.0)  # independent: HiGHS's proof
    assert milp.status == "optimal"
    assert res.welfare == pytest.approx(milp.welfare, rel=1e-7, abs=1e-7)


def test_regional_optimum_bad_input():
    econ = hand_chain()
    for kwargs, match in (
        ({"time_limit": 0.0}, "time_limit"),
        ({"max_exact": -1}, "max_exact"),
        ({"max_nodes": -1}, "max_nodes"),
        ({"gap_tol": -0.1}, "gap_tol"),
    ):
        with pytest.raises(ValueError, match=match):
            opt.regional_optimum(econ, **kwargs)
