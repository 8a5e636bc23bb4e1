"""Tests for model.economy: the supply-chain economy, worked out by hand on tiny instances.

Every expected number is derived in the comments from

    q_k(n) = M_k n^(κ−1),   p_k(n) = n^(−κ/ε_k)   (ε = ∞: p = 1),
    π_ik   = q_k(n_k)·(p_k(n_k) + v_k − c_k/θ_ik + γ·a_k) − F_k,
    u_i    = Σ_k x_ik π_ik − ρ·w_i·Σ_k [n_k = 0]·need_k·M_k,   W = Σ_i u_i,

with κ = 0.5 (so q(2) = M/√2 and, for ε = 1, p(2) = 1/√2, p(3) = 1/√3) or κ = 0. The code under
test is never used to produce an expected value.
"""

import math
from dataclasses import replace

import numpy as np
import pytest

from model import optimisation as opt
from model.economy import Economy, Sector

R2, R3 = math.sqrt(2.0), math.sqrt(3.0)


def profile(*rows: tuple[int, ...]) -> np.ndarray:
    """An investment profile (countries × sectors) from 0/1 rows."""
    return np.array(rows, bool)


# ---------------------------------------------------------------------------- 1. hand payoffs
def two_by_two(needed_b: bool = True) -> Economy:
    """Two countries, chain a → b, κ = 0.5, γ = 0.5, ρ = 0.25, sizes w = (1, 3), budgets 2.

    a: M = 4, F = 1,   c = 0.5, ε = ∞, v = 0.5      q_a(1) = 4, q_a(2) = 2√2, p_a ≡ 1
    b: M = 4, F = 0.5, c = 1,   ε = 1, v = 0        q_b(1) = 4, q_b(2) = 2√2,
                                                    p_b(1) = 1, p_b(2) = 1/√2
    capability θ = [[1, 2], [2, 1]] → unit costs c_0 = (0.5, 0.5), c_1 = (0.25, 1).
    """
    return Economy(
        [
            Sector("a", 4.0, fixed_cost=1.0, unit_cost=0.5, premium=0.5),
            Sector("b", 4.0, fixed_cost=0.5, unit_cost=1.0, elasticity=1.0, needed=needed_b),
        ],
        [("a", "b")],
        sizes=[1.0, 3.0],
        capability=[[1.0, 2.0], [2.0, 1.0]],
        budgets=2,
        kappa=0.5,
        chain_bonus=0.5,
        shortfall_cost=0.25,
    )


# Hand values for two_by_two(). Plant payoffs used below:
#   π_0a(1) = 4·(1 + 0.5 − 0.5) − 1 = 3            π_0a(2) = 2√2·1 − 1 = 2√2 − 1
#   π_1a(1) = 4·(1 + 0.5 − 0.25) − 1 = 4           π_1a(2) = 2√2·1.25 − 1 = 2.5√2 − 1
#   π_0b(1, a=1) = 4·(1 − 0.5 + 0.5) − 0.5 = 3.5
#   π_0b(2, a=1) = 2√2·(1/√2 − 0.5 + 0.5) − 0.5 = 2 − 0.5 = 1.5
#   π_1b(1, a=1) = 4·(1 − 1 + 0.5) − 0.5 = 1.5     π_1b(1, a=0) = 4·(1 − 1) − 0.5 = −0.5
#   π_1b(2, a=1) = 2√2·(1/√2 − 1 + 0.5) − 0.5 = 2 − √2 − 0.5 = 1.5 − √2
# Shortfall of a missing needed sector: ρ·w_i·M = 0.25·w_i·4 = w_i → (1, 3) per missing sector.
# sector_plants: surplus_k(n) = n q(n)(p(n) + v − c_ref) − n F (n = 0, 1, 2):
#   a: 0, 4·1 − 1 = 3, 2·2√2·1 − 2 = 4√2 − 2 ≈ 3.657  → n̄_a = 2
#   b: 0, 4·0 − 0.5 = −0.5, 2·2√2(1/√2 − 1) − 1 = 3 − 4√2 ≈ −2.657 → argmax 0, floored → n̄_b = 1
HAND = [
    # (profile, n, u, duplication, shortfall)
    (
        # P1: C0 in a, C1 in b: n = (1, 1), a_b = 1 → u = (π_0a(1), π_1b(1, a=1)) = (3, 1.5)
        profile((1, 0), (0, 1)),
        (1, 1),
        (3.0, 1.5),
        0,
        0.0,
    ),
    (
        # P2: only C1 in b: n = (0, 1), a_b = 0; a missing costs (1, 3):
        # u = (−1, π_1b(1, a=0) − 3) = (−1, −3.5); shortfall share 4/8 = 0.5
        profile((0, 0), (0, 1)),
        (0, 1),
        (-1.0, -3.5),
        0,
        0.5,
    ),
    (
        # P3: C0 in a and b, C1 in a: n = (2, 1), a_b = 1:
        # u_0 = π_0a(2) + π_0b(1) = 2√2 − 1 + 3.5 = 2√2 + 2.5; u_1 = π_1a(2) = 2.5√2 − 1
        profile((1, 1), (1, 0)),
        (2, 1),
        (2 * R2 + 2.5, 2.5 * R2 - 1),
        0,  # n_a = 2 = n̄_a, n_b = 1 = n̄_b
        0.0,
    ),
    (
        # P4: C0 in b, C1 in a and b: n = (1, 2), a_b = 1:
        # u_0 = π_0b(2) = 1.5; u_1 = π_1a(1) + π_1b(2) = 4 + 1.5 − √2 = 5.5 − √2
        profile((0, 1), (1, 1)),
        (1, 2),
        (1.5, 5.5 - R2),
        1,  # n_b = 2 > n̄_b = 1
        0.0,
    ),
    (
        # P5: nobody: both sectors missing: u = −(1 + 1, 3 + 3) = (−2, −6); shortfall 8/8
        profile((0, 0), (0, 0)),
        (0, 0),
        (-2.0, -6.0),
        0,
        1.0,
    ),
    (
        # P6: everyone everywhere: n = (2, 2), a_b = 1:
        # u_0 = 2√2 − 1 + 1.5 = 2√2 + 0.5; u_1 = 2.5√2 − 1 + 1.5 − √2 = 1.5√2 + 0.5
        profile((1, 1), (1, 1)),
        (2, 2),
        (2 * R2 + 0.5, 1.5 * R2 + 0.5),
        1,  # (2 − 2) + (2 − 1)
        0.0,
    ),
]


@pytest.mark.parametrize(("x", "n", "u", "dup", "short"), HAND)
def test_hand_payoffs_welfare_producers(x, n, u, dup, short):
    econ = two_by_two()
    assert econ.producers(x).tolist() == list(n)
    np.testing.assert_allclose(econ.payoffs(x), u, rtol=0, atol=1e-12)
    assert econ.welfare(x) == pytest.approx(sum(u), abs=1e-12)
    assert int(econ.duplication(x)) == dup
    assert float(econ.shortfall(x)) == pytest.approx(short, abs=1e-15)


def test_hand_payoffs_vectorised_over_profiles():
    econ = two_by_two()
    X = np.array([h[0] for h in HAND])
    np.testing.assert_allclose(econ.payoffs(X), [h[2] for h in HAND], rtol=0, atol=1e-12)
    np.testing.assert_allclose(econ.welfare(X), [sum(h[2]) for h in HAND], rtol=0, atol=1e-12)
    assert econ.producers(X).tolist() == [list(h[1]) for h in HAND]
    assert econ.duplication(X).tolist() == [h[3] for h in HAND]
    np.testing.assert_allclose(econ.shortfall(X), [h[4] for h in HAND], rtol=0, atol=1e-15)


def test_hand_plant_payoffs_of_producers():
    econ = two_by_two()
    # P3 = [[1, 1], [1, 0]]: π_0a(2) = 2√2 − 1, π_0b(1, a=1) = 3.5, π_1a(2) = 2.5√2 − 1
    pi = econ.plant_payoffs(profile((1, 1), (1, 0)))
    assert pi.shape == (2, 2)
    assert pi[0, 0] == pytest.approx(2 * R2 - 1, abs=1e-12)
    assert pi[0, 1] == pytest.approx(3.5, abs=1e-12)
    assert pi[1, 0] == pytest.approx(2.5 * R2 - 1, abs=1e-12)
    # P6 = all ones: π_0b(2) = 1.5, π_1b(2) = 1.5 − √2
    pi = econ.plant_payoffs(profile((1, 1), (1, 1)))
    np.testing.assert_allclose(
        pi, [[2 * R2 - 1, 1.5], [2.5 * R2 - 1, 1.5 - R2]], rtol=0, atol=1e-12
    )


def test_chain_bonus_needs_a_regional_supplier_of_the_input():
    econ = two_by_two()
    # C1's plant in b: a produced (P1) → a_b = 1 → π_1b = 1.5; a missing (P2) → a_b = 0 → −0.5.
    # The difference is γ·q_b(1)·1 = 0.5·4 = 2.
    with_a = econ.plant_payoffs(profile((1, 0), (0, 1)))[1, 1]
    without_a = econ.plant_payoffs(profile((0, 0), (0, 1)))[1, 1]
    assert with_a == pytest.approx(1.5, abs=1e-12)
    assert without_a == pytest.approx(-0.5, abs=1e-12)
    assert with_a - without_a == pytest.approx(2.0, abs=1e-12)
    # Who produces a does not matter (the bonus is regional): C1 itself in a and b (n = (1, 1))
    # gives u_1 = π_1a(1) + π_1b(1, a=1) = 4 + 1.5 = 5.5.
    assert econ.payoffs(profile((0, 0), (1, 1)))[1] == pytest.approx(5.5, abs=1e-12)


def test_chain_share_with_two_inputs():
    # a, b → c; one country, budget 3, κ = 0.5, γ = 1, ρ = 0; a, b: M = 1 (π = 1 at n = 1),
    # c: M = 4, F = c = v = 0, ε = ∞ → π_c = 4·(1 + γ a_c) with a_c = (#inputs produced) / 2.
    econ = Economy(
        [Sector("a", 1.0), Sector("b", 1.0), Sector("c", 4.0)],
        [("a", "c"), ("b", "c")],
        sizes=[1.0],
        capability=[[1.0, 1.0, 1.0]],
        budgets=3,
        chain_bonus=1.0,
    )
    # {c}: a_c = 0 → 4; {a, c}: a_c = 1/2 → 1 + 4·1.5 = 7; {a, b, c}: a_c = 1 → 1 + 1 + 8 = 10
    X = np.array([[[0, 0, 1]], [[1, 0, 1]], [[1, 1, 1]]], bool)
    np.testing.assert_allclose(econ.payoffs(X)[:, 0], [4.0, 7.0, 10.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(econ.input_matrix[:, 2], [0.5, 0.5, 0.0])


def test_shortfall_term_and_not_needed_sectors():
    econ = two_by_two()
    # P2: a missing: −ρ·w_i·M_a = −0.25·(1, 3)·4 = (−1, −3); C0 has no plant, so u_0 = −1.
    assert econ.payoffs(profile((0, 0), (0, 1)))[0] == pytest.approx(-1.0, abs=1e-12)
    # b not needed: the empty profile costs only a's shortfall (−1, −3) and shortfall()
    # counts only a's market: missing a → 4/4 = 1; a produced (b missing) → 0.
    loose = two_by_two(needed_b=False)
    np.testing.assert_allclose(loose.payoffs(profile((0, 0), (0, 0))), [-1.0, -3.0], atol=1e-12)
    assert float(loose.shortfall(profile((0, 0), (0, 0)))) == pytest.approx(1.0)
    assert float(loose.shortfall(profile((0, 1), (0, 0)))) == pytest.approx(1.0)
    assert float(loose.shortfall(profile((1, 0), (0, 0)))) == pytest.approx(0.0)
    # C0 alone in a, b missing and not needed: u = (π_0a(1) = 3, 0)
    np.testing.assert_allclose(loose.payoffs(profile((1, 0), (0, 0))), [3.0, 0.0], atol=1e-12)


def test_sector_plants_and_duplication():
    econ = two_by_two()
    # derived above HAND: n̄ = (2, 1)
    assert econ.sector_plants.tolist() == [2, 1]
    # n = (2, 2): (2 − 2) + (2 − 1) = 1; n = (1, 0): 0
    assert int(econ.duplication(profile((1, 1), (1, 1)))) == 1
    assert int(econ.duplication(profile((1, 0), (0, 0)))) == 0


def test_hand_best_response():
    econ = two_by_two()
    # C1 in b; C0's portfolios: {} → −1 (a missing); {a} → 3 (P1);
    # {b}: n = (0, 2), a_b = 0: 2√2(1/√2 − 0.5) − 0.5 − 1 = 0.5 − √2 ≈ −0.914;
    # {a, b}: π_0a(1) + π_0b(2, a=1) = 3 + 1.5 = 4.5 → best.
    row, value = opt.best_response(econ, profile((0, 0), (0, 1)), 0)
    assert row.tolist() == [True, True]
    assert value == pytest.approx(4.5, abs=1e-12)
    # and then u_1 = π_1b(2, a=1) = 1.5 − √2, W = 6 − √2
    x = profile((1, 1), (0, 1))
    np.testing.assert_allclose(econ.payoffs(x), [4.5, 1.5 - R2], rtol=0, atol=1e-12)
    assert econ.welfare(x) == pytest.approx(6 - R2, abs=1e-12)


def test_profile_shape_is_checked():
    econ = two_by_two()
    with pytest.raises(ValueError, match="countries × sectors"):
        econ.payoffs(np.zeros((3, 2), bool))


# ---------------------------------------------------------------------------- 2. market sharing
def test_market_sharing_special_case_two_countries():
    econ = Economy.market_sharing([4.0, 1.0], 2)
    # κ = 0: q(n) = M/n, p = 1, F = c = v = γ = ρ = 0 → π = M/n
    assert econ.kappa == 0.0 and econ.budgets.tolist() == [1, 1]
    np.testing.assert_allclose(econ.payoffs(profile((1, 0), (1, 0))), [2.0, 2.0])  # 4/2
    np.testing.assert_allclose(econ.payoffs(profile((1, 0), (0, 1))), [4.0, 1.0])
    np.testing.assert_allclose(econ.payoffs(profile((0, 1), (0, 1))), [0.5, 0.5])  # 1/2
    np.testing.assert_allclose(econ.payoffs(profile((0, 0), (0, 1))), [0.0, 1.0])  # ρ = 0
    assert econ.welfare(profile((1, 0), (0, 1))) == pytest.approx(5.0)


MS3 = [
    # markets (6, 3, 2), three countries, one plant each: π = M_k / n_k
    (profile((1, 0, 0), (1, 0, 0), (1, 0, 0)), (2.0, 2.0, 2.0)),  # 6/3 each, W = 6
    (profile((1, 0, 0), (1, 0, 0), (0, 1, 0)), (3.0, 3.0, 3.0)),  # 6/2, 6/2, 3/1, W = 9
    (profile((1, 0, 0), (0, 1, 0), (0, 0, 1)), (6.0, 3.0, 2.0)),  # W = 11
    (profile((0, 1, 0), (0, 1, 0), (0, 0, 1)), (1.5, 1.5, 2.0)),  # 3/2, 3/2, 2/1, W = 5
    (profile((0, 0, 0), (0, 0, 1), (0, 0, 1)), (0.0, 1.0, 1.0)),  # out: 0; 2/2 each, W = 2
]


@pytest.mark.parametrize(("x", "u"), MS3)
def test_market_sharing_three_countries(x, u):
    econ = Economy.market_sharing([6.0, 3.0, 2.0], 3)
    np.testing.assert_allclose(econ.payoffs(x), u, rtol=0, atol=1e-12)
    assert econ.welfare(x) == pytest.approx(sum(u), abs=1e-12)


def test_market_sharing_equilibria_and_optimum():
    econ = Economy.market_sharing([6.0, 3.0, 2.0], 3)
    # A player in m gets M_m/n_m, moving to m' gets M_m'/(n_m' + 1). Counts (n0, n1, n2):
    # (2,1,0): in 0: 3 vs 1.5 / 2; in 1: 3 vs 2 / 2 → NE (3 profiles: who is in market 1).
    # (1,1,1): the one in 2 gets 2 < 6/2 → no; (3,0,0): 2 < 3/1 → no; (2,0,1): 2 < 3 → no;
    # (1,2,0), (1,0,2) and any profile with market 0 empty or a player out: profitable moves.
    eqs = opt.pure_nash_equilibria(econ)
    assert len(eqs) == 3
    assert all(econ.producers(e).tolist() == [2, 1, 0] for e in eqs)
    _, w_worst, _, w_best = opt.nash_range(econ)
    assert w_worst == pytest.approx(9.0) and w_best == pytest.approx(9.0)
    # κ = 0: total output of an occupied market is M whatever n → optimum covers all: W = 11
    assert opt.optimum_milp(econ).welfare == pytest.approx(11.0)
    # Dynamics from empty: C0 → 0 (6); C1: 0 and 1 both pay 3, the first maximiser (0) wins;
    # C2: 0 → 2, 1 → 3, 2 → 2 → market 1. Sweep 2: nobody moves → converged, W = 9.
    res = opt.nash_dynamics(econ)
    assert res.converged and res.sweeps == 2
    assert res.profile.tolist() == profile((1, 0, 0), (1, 0, 0), (0, 1, 0)).tolist()
    assert res.welfare == pytest.approx(9.0)


# ---------------------------------------------------------------------------- 3. immiserizing
def crowded(elasticity: float) -> Economy:
    """Three countries, one sector s: M = 4, F = 3, c = 0, v = 0.5, κ = 0.5, budgets 1.

    π(n) = 4 n^(−1/2)·(p(n) + 0.5) − 3.
    ε = 1 (p = n^(−1/2)): π(1) = 3, π(2) = 2 + √2 − 3 = √2 − 1 ≈ 0.414,
                          π(3) = 4/3 + 2/√3 − 3 ≈ −0.512.
    ε = ∞ (p = 1):        π(3) = (4/√3)·1.5 − 3 = 2√3 − 3 ≈ 0.464.
    """
    return Economy(
        [Sector("s", 4.0, fixed_cost=3.0, premium=0.5, elasticity=elasticity)],
        sizes=[1.0, 1.0, 1.0],
        capability=np.ones((3, 1)),
        budgets=1,
    )


def test_immiserizing_entry_into_a_crowded_sector():
    econ = crowded(1.0)
    incumbents = profile((1,), (1,), (0,))
    entered = profile((1,), (1,), (1,))
    # two incumbents earn √2 − 1 each; the outsider has 0 (ρ = 0)
    np.testing.assert_allclose(econ.payoffs(incumbents), [R2 - 1, R2 - 1, 0.0], atol=1e-12)
    # entry: price 1/√2 → 1/√3 and output per plant 2√2 → 4/√3 push every plant below zero
    pi3 = 4 / 3 + 2 / R3 - 3
    assert pi3 < 0
    np.testing.assert_allclose(econ.payoffs(entered), [pi3] * 3, atol=1e-12)
    # the entrant's own payoff falls 0 → π(3) < 0, so it does not enter
    row, value = opt.best_response(econ, incumbents, 2)
    assert row.tolist() == [False] and value == pytest.approx(0.0)
    # … while facing a single incumbent it does (π(2) = √2 − 1 > 0)
    row, value = opt.best_response(econ, profile((1,), (0,), (0,)), 2)
    assert row.tolist() == [True] and value == pytest.approx(R2 - 1, abs=1e-12)
    # The price fall (terms of trade) is what makes it immiserizing: as a price-taker the
    # same entry pays 2√3 − 3 > 0 and best_response enters.
    taker = crowded(math.inf)
    row, value = opt.best_response(taker, incumbents, 2)
    assert row.tolist() == [True] and value == pytest.approx(2 * R3 - 3, abs=1e-12)


def test_immiserizing_entry_equilibria_and_sector_plants():
    econ = crowded(1.0)
    # surplus(n) = n·4n^(−1/2)(n^(−1/2) + 0.5) − 3n = 4 + 2√n − 3n: 0, 3, 2√2 − 2, 2√3 − 5
    # → n̄ = 1; two incumbents duplicate one plant, three duplicate two
    assert econ.sector_plants.tolist() == [1]
    assert int(econ.duplication(profile((1,), (1,), (0,)))) == 1
    assert int(econ.duplication(profile((1,), (1,), (1,)))) == 2
    # NE: exactly two producers (stay √2 − 1 > 0 = leave; enter π(3) < 0 = stay out); n = 1
    # invites entry (π(2) > 0), n = 3 invites exit → 3 equilibria with W = 2√2 − 2
    eqs = opt.pure_nash_equilibria(econ)
    assert len(eqs) == 3 and all(int(e.sum()) == 2 for e in eqs)
    _, w_worst, _, w_best = opt.nash_range(econ)
    assert w_worst == pytest.approx(2 * R2 - 2) and w_best == pytest.approx(2 * R2 - 2)
    # optimum: one plant, W = π(1) = 3
    assert opt.optimum_milp(econ).welfare == pytest.approx(3.0)


# ---------------------------------------------------------------------------- 4. PD
def duplication_economy() -> Economy:
    """Two countries, sectors a and b, both M = 4, F = 2, c = v = 0, ε = ∞, κ = 0.5, γ = ρ = 0,
    budgets 2: π(n) = 4 n^(−1/2) − 2, so π(1) = 2, π(2) = 2√2 − 2 ≈ 0.828 > 0, and
    2π(2) = 4√2 − 4 ≈ 1.657 < π(1): a second plant pays its owner but costs the incumbent more.
    """
    return Economy(
        [Sector("a", 4.0, fixed_cost=2.0), Sector("b", 4.0, fixed_cost=2.0)],
        sizes=[1.0, 1.0],
        capability=np.ones((2, 2)),
        budgets=2,
    )


def test_prisoners_dilemma_of_regional_industrial_policy():
    econ = duplication_economy()
    plan = profile((1, 0), (0, 1))  # C0 in a, C1 in b: W = 2 + 2 = 4 (the optimum)
    # C1 stays out of a under the plan. Its portfolios: {} 0, {a} π(2) = 2√2 − 2,
    # {b} π(1) = 2, {a, b} 2 + 2√2 − 2 = 2√2 → it enters a
    row, value = opt.best_response(econ, plan, 1)
    assert row.tolist() == [True, True]
    assert value == pytest.approx(2 * R2, abs=1e-12)
    # entry pays the entrant (π_1a = 2√2 − 2 > 0) …
    entered = profile((1, 0), (1, 1))
    assert econ.plant_payoffs(entered)[1, 0] == pytest.approx(2 * R2 - 2, abs=1e-12)
    # … but W falls 4 → (2√2 − 2)·2 + 2 = 4√2 − 2 ≈ 3.657 (C0 loses 2 − (2√2 − 2) ≈ 1.17)
    assert econ.welfare(plan) == pytest.approx(4.0)
    assert econ.welfare(entered) == pytest.approx(4 * R2 - 2, abs=1e-12)
    np.testing.assert_allclose(econ.payoffs(entered), [2 * R2 - 2, 2 * R2], atol=1e-12)
    # Status quo: from no plants C0 builds both (π(1) + π(1) = 4 > 2), C1 then builds both too
    # (2π(2) ≈ 1.657 > π(2) ≈ 0.828 > 0); nobody moves again, q = both in both.
    q = opt.status_quo_equilibrium(econ)
    assert q.converged and q.profile.all()
    # Implied game (symmetric, both countries): the best response to the plan is both sectors.
    #   R = u_i(plan) = π(1) = 2
    #   T = u_i(own + other's sector, other on plan) = π(1) + π(2) = 2√2 ≈ 2.828
    #   P = u_i(q) = 2π(2) = 4√2 − 4 ≈ 1.657
    #   S = u_i(plan row, other best-responding: both) = π(2) = 2√2 − 2 ≈ 0.828
    # T > R > P > S → prisoners_dilemma; no ties.
    assert opt.best_responses(econ, plan).tolist() == [[True, True], [True, True]]
    g = opt.implied_games(econ, plan, q.profile)
    np.testing.assert_allclose(g.T, [2 * R2] * 2, atol=1e-12)
    np.testing.assert_allclose(g.R, [2.0] * 2, atol=1e-12)
    np.testing.assert_allclose(g.P, [4 * R2 - 4] * 2, atol=1e-12)
    np.testing.assert_allclose(g.S, [2 * R2 - 2] * 2, atol=1e-12)
    assert g.classes == ["prisoners_dilemma", "prisoners_dilemma"]
    assert not g.ties.any()


def test_prisoners_dilemma_nash_versus_optimum():
    econ = duplication_economy()
    # per sector W_k(0) = 0, W_k(1) = 2, W_k(2) = 4√2 − 4 → optimum one plant each: W = 4.
    assert opt.optimum_milp(econ).welfare == pytest.approx(4.0)
    # unique NE: both in both (an outsider always enters, π(2) > 0; budgets allow it),
    # W = 2·(4√2 − 4) = 8√2 − 8 ≈ 3.314
    eqs = opt.pure_nash_equilibria(econ)
    assert len(eqs) == 1 and eqs[0].all()
    _, w_worst, _, _ = opt.nash_range(econ)
    assert w_worst == pytest.approx(8 * R2 - 8, abs=1e-12)


# ---------------------------------------------------------------------------- 5. stag hunt
def chain_economy(gamma: float) -> Economy:
    """Chain u → d, two countries with one plant each (budgets 1), κ = 0.5, ε = ∞, ρ = 1/8,
    sizes w = (1, 1); capability θ = [[2, 0.5], [0.5, 1]] (C0 upstream, C1 downstream).

    u: M = 8, F = 5.5, c = 1, v = 0:  π_0u(1) = 8·(1 − 1/2) − 5.5 = −1.5 (loses money alone)
    d: M = 4, F = 3, c = 1, v = 0.5:  π_1d(1, a) = 4·(1 + 0.5 − 1 + γa) − 3 = −1 + 4γa
    Shortfall per country: u missing ρ·8 = 1, d missing ρ·4 = 0.5.
    Going alone (best portfolio when the other invests nothing):
      C0: {} −1.5; {u} −1.5 − 0.5 = −2; {d} (c = 2) 4(1.5 − 2) − 3 − 1 = −6  → {}
      C1: {} −1.5; {d} −1 − 1 = −2; {u} (c = 2) 8·(1/2)(1 − 2)·2… < −2      → {}
    """
    return Economy(
        [
            Sector("u", 8.0, fixed_cost=5.5, unit_cost=1.0),
            Sector("d", 4.0, fixed_cost=3.0, unit_cost=1.0, premium=0.5),
        ],
        [("u", "d")],
        sizes=[1.0, 1.0],
        capability=[[2.0, 0.5], [0.5, 1.0]],
        budgets=1,
        kappa=0.5,
        chain_bonus=gamma,
        shortfall_cost=0.125,
    )


PLAN = profile((1, 0), (0, 1))  # C0 builds u, C1 builds d


def test_status_quo_of_the_chain_is_nobody_investing():
    # from no plants: C0 {} −1.5 beats {u} −2 and {d} −6; C1 {} −1.5 beats {d} −2 (a = 0): q = ∅
    for gamma in (0.0, 1.0):
        q = opt.status_quo_equilibrium(chain_economy(gamma))
        assert q.converged
        np.testing.assert_array_equal(q.profile, np.zeros((2, 2), bool))


def test_stag_hunt_from_strong_complementarity():
    # γ = 1, status quo = nobody invests (P = −1.5 each: shortfall 1 + 0.5).
    # Downstream C1: its best response to the plan is the plan (d: π_1d(1, a=1) = 3 beats
    #   staying out, −0.5), so T = R = 3 (a tie, broken for C); S = build d while C0
    #   best-responds by staying out: −1 − 1 (u missing) = −2 < P → stag_hunt.
    # Upstream C0: best response to the plan = stay out (−1: u missing > −1.5), so T = −1,
    #   R = −1.5, P = −1.5, S = build u while C1 best-responds with d: −1.5 = P (a tie, broken
    #   for C): T > R and S > P' → chicken (C0 wants out unless paid — the transfers' job).
    econ = chain_economy(1.0)
    g = opt.implied_games(econ, PLAN, opt.status_quo_equilibrium(econ).profile)
    np.testing.assert_allclose(g.T, [-1.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(g.R, [-1.5, 3.0], atol=1e-12)
    np.testing.assert_allclose(g.P, [-1.5, -1.5], atol=1e-12)
    np.testing.assert_allclose(g.S, [-1.5, -2.0], atol=1e-12)
    assert g.classes == ["chicken", "stag_hunt"]
    assert g.ties.tolist() == [True, True]


def test_stag_hunt_without_chain_bonus_becomes_prisoners_dilemma():
    # γ = 0: π_1d(1, a) = −1 whatever a, so C1's best response to the plan is to stay out
    # (−0.5): T = −0.5, R = −1, P = −1.5, S = d alone while C0 stays out: −2.
    # T > R > P > S → prisoners_dilemma (the shortfall cost still makes R > P).
    econ = chain_economy(0.0)
    g = opt.implied_games(econ, PLAN, opt.status_quo_equilibrium(econ).profile)
    np.testing.assert_allclose([g.T[1], g.R[1], g.P[1], g.S[1]], [-0.5, -1.0, -1.5, -2.0])
    assert g.classes[1] == "prisoners_dilemma"


# ---------------------------------------------------------------------------- 6. portfolios
def test_portfolios_default_economy():
    econ = Economy.default()
    rows = econ.portfolios(0)
    # K = 11, B = 2: C(11, 0) + C(11, 1) + C(11, 2) = 1 + 11 + 55 = 67
    assert econ.K == 11 and rows.shape == (67, 11) and rows.dtype == bool
    assert not rows[0].any()
    assert rows.sum(axis=1).max() == 2
    assert len({r.tobytes() for r in rows}) == 67


@pytest.mark.parametrize(("budget", "count"), [(0, 1), (1, 4), (2, 7), (3, 8), (5, 8)])
def test_portfolios_counts_per_budget(budget, count):
    # K = 3: Σ_{b ≤ min(B, 3)} C(3, b) = 1, 1+3, 1+3+3, 1+3+3+1, capped at 8
    econ = Economy(
        [Sector("a", 1.0), Sector("b", 1.0), Sector("c", 1.0)],
        sizes=[1.0, 1.0],
        capability=np.ones((2, 3)),
        budgets=[budget, 1],
    )
    rows = econ.portfolios(0)
    assert rows.shape == (count, 3)
    assert not rows[0].any()
    assert np.all(rows.sum(axis=1) <= budget)
    assert len({r.tobytes() for r in rows}) == count
    assert econ.portfolios(1).shape == (4, 3)


# ---------------------------------------------------------------------------- 7. perceived
def test_perceived_unit_scale_changes_nothing():
    econ = two_by_two()
    same = econ.perceived(np.ones(2))
    X = np.array([h[0] for h in HAND])
    assert np.array_equal(same.payoffs(X), econ.payoffs(X))
    assert same.sector_plants.tolist() == econ.sector_plants.tolist()


def test_perceived_scales_markets_only():
    econ = two_by_two()
    seen = econ.perceived([2.0, 0.5])
    assert seen.market.tolist() == [8.0, 2.0]
    assert econ.market.tolist() == [4.0, 4.0]  # the original is untouched
    for s_new, s_old, m in zip(seen.sectors, econ.sectors, (8.0, 2.0), strict=True):
        assert s_new == replace(s_old, market=m)
    assert sorted(seen.chain.edges) == sorted(econ.chain.edges)
    np.testing.assert_array_equal(seen.capability, econ.capability)
    np.testing.assert_array_equal(seen.sizes, econ.sizes)
    np.testing.assert_array_equal(seen.budgets, econ.budgets)
    assert (seen.kappa, seen.chain_bonus, seen.shortfall_cost) == (0.5, 0.5, 0.25)
    assert seen.countries == econ.countries
    # P1 with M = (8, 2): π_0a = 8·1 − 1 = 7; π_1b = 2·(1 − 1 + 0.5) − 0.5 = 0.5
    np.testing.assert_allclose(seen.payoffs(profile((1, 0), (0, 1))), [7.0, 0.5], atol=1e-12)
    # P5 (nobody) with M = (8, 2): −ρ·w·(8 + 2) = −2.5·(1, 3)
    np.testing.assert_allclose(seen.payoffs(profile((0, 0), (0, 0))), [-2.5, -7.5], atol=1e-12)
    with pytest.raises(ValueError):
        econ.perceived([1.0])
    with pytest.raises(ValueError, match="market"):
        econ.perceived([-1.0, 1.0])


# ---------------------------------------------------------------------------- 8. validation
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"market": -1.0}, "market"),
        ({"market": math.inf}, "market"),
        ({"fixed_cost": -0.5}, "fixed_cost"),
        ({"unit_cost": math.nan}, "unit_cost"),
        ({"premium": -0.1}, "premium"),
        ({"elasticity": 0.0}, "elasticity"),
        ({"elasticity": -2.0}, "elasticity"),
        ({"elasticity": math.nan}, "elasticity"),
    ],
)
def test_sector_validation(kwargs, field):
    args = {"name": "s", "market": 1.0, **kwargs}
    with pytest.raises(ValueError, match=field):
        Sector(**args)


def economy_kwargs(**over):
    base = {
        "sectors": [Sector("a", 1.0), Sector("b", 1.0)],
        "inputs": [("a", "b")],
        "sizes": [1.0, 1.0],
        "capability": np.ones((2, 2)),
        "budgets": 1,
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"capability": np.ones((2, 3))}, "capability"),
        ({"capability": np.ones((3, 2))}, "capability"),
        ({"capability": [[1.0, 0.0], [1.0, 1.0]]}, "capability"),
        ({"capability": [[1.0, -1.0], [1.0, 1.0]]}, "capability"),
        ({"capability": [[1.0, math.nan], [1.0, 1.0]]}, "capability"),
        ({"budgets": -1}, "budgets"),
        ({"budgets": [1, -2]}, "budgets"),
        ({"budgets": 1.5}, "budgets"),
        ({"inputs": [("a", "b"), ("b", "a")]}, "inputs"),
        ({"inputs": [("a", "a")]}, "inputs"),
        ({"inputs": [("a", "z")]}, "inputs: unknown sector 'z'"),
        ({"sizes": [1.0, 0.0]}, "sizes"),
        ({"sizes": []}, "sizes"),
        ({"sectors": []}, "sectors"),
        ({"sectors": [Sector("a", 1.0), Sector("a", 2.0)], "inputs": []}, "sectors"),
        ({"kappa": 1.5}, "kappa"),
        ({"kappa": -0.1}, "kappa"),
        ({"chain_bonus": -1.0}, "chain_bonus"),
        ({"shortfall_cost": -1.0}, "shortfall_cost"),
        ({"countries": ["only one"]}, "countries"),
    ],
)
def test_economy_validation(over, field):
    kwargs = economy_kwargs(**over)
    sectors, inputs = kwargs.pop("sectors"), kwargs.pop("inputs")
    with pytest.raises(ValueError, match=field):
        Economy(sectors, inputs, **kwargs)


def test_valid_economy_builds():
    kwargs = economy_kwargs()
    sectors, inputs = kwargs.pop("sectors"), kwargs.pop("inputs")
    econ = Economy(sectors, inputs, **kwargs)
    assert (econ.N, econ.K) == (2, 2)
    assert econ.countries == ["C0", "C1"]
