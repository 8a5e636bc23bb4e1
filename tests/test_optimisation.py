"""Tests for model.optimisation: Nash outcomes, the regional optimum and the coordinator.

Expected values come from hand work (market-sharing games, the best-response cycle, the implied
games), from the sector decomposition of W, or from brute-force enumeration.
"""

import math
import time

import numpy as np
import pytest

from experiments.bench import b4_economy
from model import optimisation as opt
from model.economy import BATTERY_SOLAR_INPUTS, BATTERY_SOLAR_SECTORS, Economy, Sector


# ---------------------------------------------------------------------------- helpers
def random_economy(rng: np.random.Generator, n: int | None = None, k: int | None = None):
    """A random tiny economy: N <= 3, K <= 3, random elasticities, premiums, fixed costs,
    chain edges (forward edges of a random DAG), shortfall, budgets 0..2."""
    n = n or int(rng.integers(1, 4))
    k = k or int(rng.integers(1, 4))
    sectors = [
        Sector(
            f"s{j}",
            market=float(rng.uniform(0.5, 5.0)),
            fixed_cost=float(rng.choice([0.0, rng.uniform(0.0, 2.0)])),
            unit_cost=float(rng.uniform(0.0, 1.2)),
            elasticity=float(rng.choice([math.inf, rng.uniform(0.5, 5.0)])),
            premium=float(rng.choice([0.0, rng.uniform(0.0, 0.5)])),
            needed=bool(rng.random() < 0.7),
        )
        for j in range(k)
    ]
    edges = [(f"s{a}", f"s{b}") for a in range(k) for b in range(a + 1, k) if rng.random() < 0.5]
    budgets = rng.integers(0, 3, n) if rng.random() < 0.3 else int(rng.integers(1, 3))
    return Economy(
        sectors,
        edges,
        sizes=rng.uniform(0.2, 2.0, n),
        capability=rng.lognormal(0.0, 0.5, (n, k)),
        budgets=budgets,
        kappa=float(rng.uniform(0.0, 1.0)),
        chain_bonus=float(rng.choice([0.0, rng.uniform(0.0, 2.0)])),
        shortfall_cost=float(rng.choice([0.0, rng.uniform(0.0, 0.5)])),
    )


def restricted(econ: Economy, rng: np.random.Generator) -> list[np.ndarray]:
    """A random non-empty subset of each country's feasible portfolios."""
    out = []
    for i in range(econ.N):
        p = econ.portfolios(i)
        keep = np.sort(rng.choice(len(p), size=int(rng.integers(1, len(p) + 1)), replace=False))
        out.append(p[keep])
    return out


def k6_economy(n: int, seed: int) -> Economy:
    """Economy.default-like: the first six battery sectors (mining … packs) with their chain,
    lognormal sizes and capabilities (spread 0.3), budgets 2, κ = 0.5, γ = 0.1, ρ = 0.05."""
    rng = np.random.default_rng(seed)
    sectors = BATTERY_SOLAR_SECTORS[:6]
    names = {s.name for s in sectors}
    inputs = [(a, b) for a, b in BATTERY_SOLAR_INPUTS if a in names and b in names]
    sizes = rng.lognormal(0.0, 0.5, n)
    return Economy(
        sectors,
        inputs,
        sizes=sizes / sizes.sum(),
        capability=rng.lognormal(0.0, 0.3, (n, 6)),
        budgets=2,
        kappa=0.5,
        chain_bonus=0.1,
        shortfall_cost=0.05,
    )


def profile_of(econ: Economy, sectors: list[int | None]) -> np.ndarray:
    """One plant per country in the given sector (None: no plant)."""
    x = np.zeros((econ.N, econ.K), bool)
    for i, k in enumerate(sectors):
        if k is not None:
            x[i, k] = True
    return x


def cycle_economy() -> Economy:
    """Hand-made economy where sequential best responses cycle (and no pure NE exists).

    Chain s0 → s1 → s2, two identical countries with one plant each, κ = 1 (q = M = 1, no
    congestion), ε = ∞ (p = 1), F = v = ρ = 0, unit costs 0.2, 0.5, 0.5 and γ = 0.5. A plant in
    k pays 1 − c_k + γ·[k's input is produced by the other country]: s0 pays 0.8; s1 pays 0.5, or
    1.0 if the other is in s0; s2 pays 0.5, or 1.0 if the other is in s1; the empty portfolio 0.
    So the best reply is "one step downstream of the other" (s0 → s1 → s2) and s0 against s2:
    f(s0) = s1, f(s1) = s2, f(s2) = s0. A pure NE needs a = f(b), b = f(a), i.e. f(f(a)) = a,
    which has no solution; from all-empty (A then B each sweep):
    sweep 1: A → s0 (0.8 > 0.5), B → s1; sweep 2: A → s2, B → s0; sweep 3: A → s1, B → s2;
    sweep 4: A → s0, B → s1 = the profile after sweep 1: a cycle of period 3 sweeps.
    """
    sectors = [
        Sector("s0", 1.0, unit_cost=0.2),
        Sector("s1", 1.0, unit_cost=0.5),
        Sector("s2", 1.0, unit_cost=0.5),
    ]
    return Economy(
        sectors,
        [("s0", "s1"), ("s1", "s2")],
        sizes=[1.0, 1.0],
        capability=np.ones((2, 3)),
        budgets=1,
        kappa=1.0,
        chain_bonus=0.5,
    )


# ---------------------------------------------------------------------------- decomposition
def test_sector_decomposition_matches_welfare():
    rng = np.random.default_rng(11)
    for _ in range(40):
        econ = random_economy(rng)
        x = rng.random((25, econ.N, econ.K)) < 0.5
        x &= np.cumsum(x, axis=-1) <= econ.budgets[:, None]  # respect budgets
        n = x.sum(axis=-2)
        S = (x * econ.cost).sum(axis=-2)
        a = (n > 0) @ econ.input_matrix
        G = opt.sector_welfare(econ, n, S, a)
        assert G.shape == (25, econ.K)
        np.testing.assert_allclose(G.sum(axis=-1), econ.welfare(x), rtol=1e-12, atol=1e-12)


def test_sector_welfare_hand_value():
    # one sector, M = 2, κ = 0.5, ε = ∞, F = 0.3, v = 0.1, c = 0.4: with n = 2 producers
    # q = 2·2^-0.5 = √2, W = 2·√2·(1 + 0.1) − √2·0.8 − 0.6
    econ = Economy(
        [Sector("a", 2.0, 0.3, 0.4, math.inf, 0.1)],
        sizes=[1.0, 1.0],
        capability=np.ones((2, 1)),
        budgets=1,
        kappa=0.5,
    )
    G = opt.sector_welfare(econ, np.array([2]), np.array([0.8]), np.array([0.0]))
    assert G[0] == pytest.approx(2 * math.sqrt(2) * 1.1 - math.sqrt(2) * 0.8 - 0.6)
    with pytest.raises(ValueError, match="n:"):
        opt.sector_welfare(econ, np.array([3]), np.array([0.0]), np.array([0.0]))


# ---------------------------------------------------------------------------- market sharing
def test_market_sharing_two_countries():
    econ = Economy.market_sharing([3, 1], 2)
    eqs = opt.pure_nash_equilibria(econ)
    # both in market 0 (1.5 each; moving to market 1 pays 1): the unique pure NE
    assert len(eqs) == 1
    np.testing.assert_array_equal(eqs[0], profile_of(econ, [0, 0]))
    _, w_worst, _, w_best = opt.nash_range(econ)
    assert w_worst == pytest.approx(3.0) and w_best == pytest.approx(3.0)
    x_opt, w_opt = opt.optimum_brute_force(econ)
    assert w_opt == pytest.approx(4.0)
    assert sorted(np.flatnonzero(x_opt.any(axis=0))) == [0, 1]
    res = opt.optimum_milp(econ)
    assert res.welfare == pytest.approx(4.0) and res.status == "optimal"
    assert opt.price_of_anarchy(w_opt, w_worst) == pytest.approx(4 / 3)
    assert opt.price_of_stability(w_opt, w_best) == pytest.approx(4 / 3)
    assert opt.price_of_non_coordination(w_worst, w_opt) == pytest.approx(-1.0)
    dyn = opt.nash_dynamics(econ)
    assert dyn.converged and dyn.cycle_length is None
    np.testing.assert_array_equal(dyn.profile, eqs[0])
    assert w_worst - 1e-12 <= dyn.welfare <= w_best + 1e-12


def test_market_sharing_three_countries():
    econ = Economy.market_sharing([6, 2, 1], 3)
    eqs = opt.pure_nash_equilibria(econ)
    # Every market pays M_k/n_k >= 1/3 > 0 = the empty portfolio, so "no plant" is strictly
    # dominated and never an equilibrium choice. Equilibria: all in market 0 (2 each; market 1
    # would also pay 2, a tie, so weak NE) and the three arrangements of two in market 0 (3
    # each) and one in market 1 (2; market 0 would pay 6/3 = 2). (0, 0, 2), (0, 1, 1),
    # (0, 1, 2) and the rest have a strictly profitable deviation.
    assert len(eqs) == 4
    assert all(eq.sum(axis=1).tolist() == [1, 1, 1] for eq in eqs)
    assert sorted(np.round(econ.welfare(np.array(eqs)), 9).tolist()) == [6, 8, 8, 8]
    _, w_worst, best, w_best = opt.nash_range(econ)
    assert (w_worst, w_best) == pytest.approx((6.0, 8.0))
    assert best.sum(axis=0).tolist() == [2, 1, 0]
    _, w_opt = opt.optimum_brute_force(econ)
    assert w_opt == pytest.approx(9.0)
    assert opt.optimum_milp(econ).welfare == pytest.approx(9.0)
    assert opt.price_of_anarchy(w_opt, w_worst) == pytest.approx(1.5)
    assert opt.price_of_stability(w_opt, w_best) == pytest.approx(1.125)
    dyn = opt.nash_dynamics(econ)
    assert dyn.converged
    assert any(np.array_equal(dyn.profile, eq) for eq in eqs)
    assert w_worst - 1e-12 <= dyn.welfare <= w_best + 1e-12
    # from a non-equilibrium start too
    dyn2 = opt.nash_dynamics(econ, start=profile_of(econ, [0, 1, 2]))
    assert dyn2.converged and any(np.array_equal(dyn2.profile, eq) for eq in eqs)


def test_best_response_ties():
    econ = Economy.market_sharing([6, 2, 1], 3)
    # at (0, 0, 0) country 0 gets 2 and market 1 also pays 2: it keeps its current row
    row, u = opt.best_response(econ, profile_of(econ, [0, 0, 0]), 0)
    assert row.tolist() == [True, False, False] and u == pytest.approx(2.0)
    row, u = opt.best_response(econ, profile_of(econ, [1, 0, 0]), 0)
    assert row.tolist() == [False, True, False] and u == pytest.approx(2.0)
    # current row (empty, 0) not a maximiser: the first maximiser, market 0 (6/3 = 2 = market 1)
    row, u = opt.best_response(econ, profile_of(econ, [None, 0, 0]), 0)
    assert row.tolist() == [True, False, False] and u == pytest.approx(2.0)
    # restricted candidates
    row, u = opt.best_response(
        econ,
        profile_of(econ, [None, 0, 0]),
        0,
        candidates=np.array([[False, False, True], [False, False, False]]),
    )
    assert row.tolist() == [False, False, True] and u == pytest.approx(1.0)
    br = opt.best_responses(econ, profile_of(econ, [0, 1, 2]))
    # vs (·, 1, 2): country 0 stays in 0 (6); country 1 → 0 (3 > 2); country 2 → 0 (3 > 1)
    assert br.argmax(axis=1).tolist() == [0, 0, 0]


# ---------------------------------------------------------------------------- dynamics
def test_best_response_cycle():
    econ = cycle_economy()
    assert opt.pure_nash_equilibria(econ) == []
    with pytest.raises(ValueError, match="no pure Nash"):
        opt.nash_range(econ)
    res = opt.nash_dynamics(econ)
    assert not res.converged
    assert res.cycle_length == 3 and res.sweeps == 4
    np.testing.assert_array_equal(res.profile, profile_of(econ, [0, 1]))
    assert "cycle" in res.message and "period 3" in res.message
    # one sweep from the hand-derived profiles
    two = opt.nash_dynamics(econ, max_sweeps=2)
    assert not two.converged and two.cycle_length is None and two.sweeps == 2
    np.testing.assert_array_equal(two.profile, profile_of(econ, [2, 0]))
    assert "max_sweeps = 2" in two.message
    assert opt.best_response(econ, profile_of(econ, [None, 1]), 0)[1] == pytest.approx(1.0)


# ---------------------------------------------------------------------------- exact optimum
def test_milp_equals_brute_force_and_bounds():
    rng = np.random.default_rng(2024)
    checked_nash = 0
    for trial in range(60):
        econ = random_economy(rng)
        cands = restricted(econ, rng) if trial % 3 == 0 else None
        _, w_bf = opt.optimum_brute_force(econ, cands)
        res = opt.optimum_milp(econ, cands)
        assert res.status == "optimal"
        assert res.welfare == pytest.approx(w_bf, rel=1e-7, abs=1e-7), trial
        assert float(econ.welfare(res.profile)) == pytest.approx(res.welfare)
        assert res.bound >= w_bf - 1e-6
        full = cands if cands is not None else [econ.portfolios(i) for i in range(econ.N)]
        for i in range(econ.N):  # the MILP profile uses submitted portfolios
            assert (full[i] == res.profile[i]).all(axis=1).any()
        # coordinator: feasible welfare below the optimum, bound above it
        for dual in ("lp", "subgradient"):
            plan = opt.coordinate(econ, full, seed=trial, dual=dual)
            assert plan.welfare <= w_bf + 1e-9
            assert plan.bound >= w_bf - 1e-7
            assert plan.welfare == pytest.approx(float(econ.welfare(plan.profile)))
            chosen = np.array([full[i][plan.choice[i]] for i in range(econ.N)])
            np.testing.assert_array_equal(chosen, plan.profile)
        # every Lagrangian value is an upper bound
        for _ in range(3):
            lam, mu = rng.normal(0, 2, econ.K), rng.normal(0, 2, econ.K)
            assert opt.lagrangian_bound(econ, full, lam, mu) >= w_bf - 1e-9
        if cands is None:
            for eq in opt.pure_nash_equilibria(econ):
                assert float(econ.welfare(eq)) <= w_bf + 1e-9
                checked_nash += 1
    assert checked_nash >= 20


# ---------------------------------------------------------------------------- coordinator
def test_submissions_are_each_members_best():
    rng = np.random.default_rng(3)
    econ = random_economy(rng, n=3, k=3)
    x_ref = np.zeros((3, 3), bool)
    x_ref[1, 0] = True
    subs = opt.submissions(econ, x_ref, 3)
    for i, s in enumerate(subs):
        p = econ.portfolios(i)
        assert len(s) == min(3, len(p))
        assert len({r.tobytes() for r in s}) == len(s)
        batch = np.repeat(x_ref[None], len(p), axis=0)
        batch[:, i] = p
        u = np.sort(econ.payoffs(batch)[:, i])[::-1]
        batch = np.repeat(x_ref[None], len(s), axis=0)
        batch[:, i] = s
        np.testing.assert_allclose(econ.payoffs(batch)[:, i], u[: len(s)])
    assert all(
        len(s) == len(econ.portfolios(i)) for i, s in enumerate(opt.submissions(econ, x_ref, 100))
    )


@pytest.mark.slow
def test_coordinator_gap_vs_n(capsys):
    """Growing N, K = 6, M = 8 submissions from the empty reference: the gap to the MILP
    optimum (where HiGHS proves it within the time limit) or to the coordinator's own bound
    (also where HiGHS finds no solution in time, e.g. on a loaded machine)."""
    rows = []
    for n in (5, 10, 20, 40, 80):
        econ = k6_economy(n, seed=n)
        cands = opt.submissions(econ, np.zeros((n, 6), bool), 8)
        plan = opt.coordinate(econ, cands)
        try:
            milp = opt.optimum_milp(econ, cands, time_limit=30.0)
        except RuntimeError:  # no incumbent within the time limit
            milp = None
        if milp is not None:
            assert plan.welfare <= milp.bound + 1e-6 and milp.welfare <= plan.bound + 1e-6
        if milp is not None and milp.status == "optimal":
            ref, kind = milp.welfare, "W_opt"
        else:
            ref, kind = plan.bound, "bound"
        gap = (ref - plan.welfare) / abs(ref)
        rows.append((n, plan.welfare, ref, kind, gap, plan.bound, plan.gap))
    with capsys.disabled():
        print("\n   N      W_coord          ref  (kind)      gap   coord bound  bound gap")
        for n, w, ref, kind, gap, bound, bgap in rows:
            print(f"{n:4d} {w:12.4f} {ref:12.4f}  ({kind}) {gap:8.4%} {bound:12.4f} {bgap:9.4%}")
    gaps = [r[4] for r in rows]
    assert gaps[-1] < 0.01
    assert gaps[-1] <= max(gaps[:-1]) + 1e-9  # does not grow
    assert rows[-1][6] < 0.01  # the coordinator's own certificate at N = 80 …
    assert rows[-1][6] <= rows[-2][6]  # … shrinking from N = 40 (W < 0 there; near N = 20,
    # W crosses 0 and the relative bound gap (bound − W)/|bound| is ill-conditioned)


@pytest.mark.slow
def test_b4_coordinate_n200():
    econ = b4_economy()
    cands = opt.submissions(econ, np.zeros((econ.N, econ.K), bool), 8)
    t0 = time.perf_counter()
    plan = opt.coordinate(econ, cands)
    elapsed = time.perf_counter() - t0
    print(
        f"\nB4: N=200 K=12 M=8: {elapsed:.2f} s, W = {plan.welfare:.3f}, "
        f"bound = {plan.bound:.3f}, gap = {plan.gap:.3%}, nodes = {plan.nodes}"
    )
    assert plan.gap <= 0.01
    assert elapsed < 10.0  # generous; the target (≤ 2 s) is for `pacts bench`


# ---------------------------------------------------------------------------- implied games
def test_implied_games_hand_values():
    econ = Economy.market_sharing([3, 1], 2)
    plan = profile_of(econ, [0, 1])  # the optimum
    # status quo: from no plants, country 0 enters market 0 (3 > 1), then country 1 joins it
    # (1.5 > 1); nobody moves in the next sweep
    q = opt.status_quo_equilibrium(econ)
    assert q.converged
    np.testing.assert_array_equal(q.profile, profile_of(econ, [0, 0]))
    games = opt.implied_games(econ, plan, q.profile)
    # country 0: R = 3, best deviation = stay (T = 3, a tie), status quo: P = 1.5,
    # S = u_0(0 in market 0, 1 deviates to 0) = 1.5 (tie): both ties broken for C → harmony.
    # country 1: R = 1, T = 1.5 (join market 0), P = 1.5, S = 1 → D dominant, P >= R: deadlock
    np.testing.assert_allclose(games.R, [3, 1])
    np.testing.assert_allclose(games.T, [3, 1.5])
    np.testing.assert_allclose(games.P, [1.5, 1.5])
    np.testing.assert_allclose(games.S, [1.5, 1])
    assert games.classes == ["harmony", "deadlock"]
    assert games.ties.tolist() == [True, False]
    # a Plan is accepted too
    p = opt.coordinate(econ, [econ.portfolios(i) for i in range(2)])
    assert p.welfare == pytest.approx(4.0)
    assert len(opt.implied_games(econ, p, q.profile).classes) == 2


def test_implied_games_three_markets():
    econ = Economy.market_sharing([6, 2, 1], 3)
    # status quo from no plants: 0 enters market 0 (6), 1 joins it (3 > 2), 2 ties m0 and m1
    # (2 = 2) and takes the first maximiser, m0; nobody moves again: all in market 0, P = 2 each
    q = opt.status_quo_equilibrium(econ).profile
    np.testing.assert_array_equal(q, profile_of(econ, [0, 0, 0]))
    games = opt.implied_games(econ, profile_of(econ, [0, 1, 2]), q)  # the optimum, W = 9
    # best replies to the plan: country 0 stays in market 0 (6), countries 1 and 2 join it
    # (3 > 2 and 3 > 1); S: a country keeps its plan row while the others best-respond.
    np.testing.assert_allclose(games.R, [6, 2, 1])
    np.testing.assert_allclose(games.T, [6, 3, 3])
    np.testing.assert_allclose(games.P, [2, 2, 2])
    np.testing.assert_allclose(games.S, [2, 2, 1])
    # 0: R == T and S == P, both broken for C → harmony; 1: T > R, S == P broken for C →
    # chicken; 2: T > R and P > S with P >= R → deadlock
    assert games.classes == ["harmony", "chicken", "deadlock"]
    assert games.ties.tolist() == [True, True, False]


# ---------------------------------------------------------------------------- prices, errors
def test_prices_undefined_and_signs():
    assert math.isnan(opt.price_of_anarchy(5.0, 0.0))
    assert math.isnan(opt.price_of_anarchy(-1.0, -2.0))
    assert math.isnan(opt.price_of_stability(3.0, -1.0))
    assert opt.price_of_stability(3.0, 3.0) == 1.0
    assert opt.price_of_non_coordination(3.0, 4.0) == -1.0
    with pytest.raises(ValueError, match="w_opt"):
        opt.price_of_anarchy(math.inf, 1.0)
    with pytest.raises(ValueError, match="w_nash"):
        opt.price_of_non_coordination("a", 1.0)


def test_bad_input_errors():
    econ = Economy.market_sharing([3, 1], 2)
    x = profile_of(econ, [0, 0])
    with pytest.raises(ValueError, match="x:"):
        opt.best_response(econ, np.zeros((3, 2)), 0)
    with pytest.raises(ValueError, match=r"x:.*budget"):
        opt.best_response(econ, np.ones((2, 2)), 0)
    with pytest.raises(ValueError, match="i = 2"):
        opt.best_response(econ, x, 2)
    with pytest.raises(ValueError, match="candidates"):
        opt.best_response(econ, x, 0, candidates=np.ones((1, 2)))
    with pytest.raises(ValueError, match="candidates"):
        opt.coordinate(econ, [econ.portfolios(0)])
    with pytest.raises(ValueError, match="dual"):
        opt.coordinate(econ, [econ.portfolios(i) for i in range(2)], dual="bundle")
    with pytest.raises(ValueError, match="max_sweeps"):
        opt.nash_dynamics(econ, max_sweeps=0)
    with pytest.raises(ValueError, match="start"):
        opt.nash_dynamics(econ, start=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="max_profiles"):
        opt.pure_nash_equilibria(Economy.market_sharing([1, 1, 1], 3), max_profiles=10)
    with pytest.raises(ValueError, match="max_profiles"):
        opt.optimum_brute_force(econ, max_profiles=5)
    with pytest.raises(ValueError, match="time_limit"):
        opt.optimum_milp(econ, time_limit=0)
    with pytest.raises(ValueError, match="m = 0"):
        opt.submissions(econ, x, 0)
    with pytest.raises(ValueError, match="x_ref"):
        opt.submissions(econ, np.zeros(2), 1)
    with pytest.raises(ValueError, match="plan"):
        opt.implied_games(econ, np.zeros((1, 2)), x)
    with pytest.raises(ValueError, match="lam"):
        opt.lagrangian_bound(econ, [econ.portfolios(i) for i in range(2)], [0.0], [0.0, 0.0])
