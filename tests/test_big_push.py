"""The big push on a hand-worked economy with two equilibria, and the experiment's run function.

Three countries, two sectors, one plant each; κ = 0, ε = ∞, no fixed costs, premiums, chain or
shortfall: a plant earns (M_k / n_k)(1 − c_ik). Markets M = (9, 7); unit costs
c = (0.3, 0.8), (0.5, 0.5), (0.2, 0.0). Payoffs (alone / shared by 2 / by 3):

    C0  s0 6.3 / 3.15 / 2.1    s1 1.4 / 0.7 / 0.47
    C1  s0 4.5 / 2.25 / 1.5    s1 3.5 / 1.75 / 1.17
    C2  s0 7.2 / 3.6  / 2.4    s1 7.0 / 3.5  / 2.33

Status quo (best responses from no plants, C0, C1, C2 in turn): C0 takes s0 (6.3), C1 then s1
(3.5 > 2.25), C2 then s0 (3.6 > 3.5): q = (s0, s1, s0), W = 3.15 + 3.5 + 3.6 = 10.25, an
equilibrium (C0: 3.15 > 0.7; C1: 3.5 > 1.5; C2: 3.6 > 3.5). The high equilibrium x* = (s0, s0, s1),
W = 3.15 + 2.25 + 7 = 12.4 (C0: 3.15 > 0.7; C1: 2.25 > 1.75; C2: 7 > 2.4): the strong country
crowds into s0 and leaves s1 to the weak one — a coordination failure.

β = 1: B = 12.4 − 10.25 = 2.15 a round on the plan's two new plants (C1 in s0, C2 in s1):
σ = 1.075 each. Round 1 (everyone answers last round's profile): C2 gains 3.5 + 1.075 = 4.575 >
3.6 and moves to s1; C1 would get 1.5 + 1.075 < 3.5 and stays. Then, without the subsidy (T = 1),
C1 moves to s0 (2.25 > 1.75) and nobody else moves: x*. With T ≥ 2 C1 moves in round 2
(2.25 + 1.075 > 1.75) and the region sits in x* when the money stops.

Unilateral, the same money: each country's national plan is what it would build alone (s0 for
all three: 6.3 > 1.4, 4.5 > 3.5, 7.2 > 7). C0 and C2 already have it (no new plant: C2's
1.075 buys nothing new, C0 gets nothing); C1 gets 1.075 on s0: 1.5 + 1.075 = 2.575 < 3.5, so
nobody moves, for any T: the region stays in q.
"""

import numpy as np
import pytest

from experiments.catalogue.big_push import (
    EXPERIMENT,
    big_push_points,
    compare,
    national_plans,
    push,
)
from model import optimisation as opt
from model.economy import Economy, Sector

COSTS = np.array([[0.3, 0.8], [0.5, 0.5], [0.2, 0.0]])


def two_equilibria() -> Economy:
    return Economy(
        [Sector("s0", 9.0, unit_cost=1.0), Sector("s1", 7.0, unit_cost=1.0)],
        sizes=np.ones(3),
        capability=np.where(COSTS > 0, 1 / np.maximum(COSTS, 1e-12), 1e9),
        budgets=1,
        kappa=0.0,
    )


def prof(*sectors):
    x = np.zeros((3, 2), bool)
    for i, k in enumerate(sectors):
        x[i, k] = True
    return x


LOW, HIGH = prof(0, 1, 0), prof(0, 0, 1)


def test_the_hand_worked_economy_has_the_two_equilibria():
    econ = two_equilibria()
    assert econ.payoffs(LOW) == pytest.approx([3.15, 3.5, 3.6], abs=1e-6)
    assert econ.payoffs(HIGH) == pytest.approx([3.15, 2.25, 7.0], abs=1e-6)
    sq = opt.status_quo_equilibrium(econ)
    assert sq.converged and np.array_equal(sq.profile, LOW)
    eqs = opt.all_pure_equilibria(econ)
    assert eqs.method == "exact" and len(eqs) == 2
    assert np.array_equal(eqs.profiles[0], HIGH) and np.array_equal(eqs.profiles[1], LOW)
    assert np.array_equal(national_plans(econ), prof(0, 0, 0))


@pytest.mark.parametrize("rounds", [1, 2, 5])
def test_coordinated_push_lands_high_and_stays_unilateral_does_not(rounds):
    econ = two_equilibria()
    sigma = 2.15 / 2
    new = HIGH & ~LOW
    final, paid, during = push(econ, LOW, new, np.full(3, sigma), rounds)
    assert final.converged and np.array_equal(final.profile, HIGH)
    assert np.array_equal(during, prof(0, 1, 1) if rounds == 1 else HIGH)
    assert paid == pytest.approx(sigma * (1 if rounds == 1 else 2 * rounds - 1), abs=1e-6)
    # unilateral: C1 gets σ on its national plan s0, C2 has no new national plant, C0 nothing
    own = prof(0, 0, 0) & ~LOW
    final_u, paid_u, during_u = push(econ, LOW, own, np.array([0.0, sigma, 0.0]), rounds)
    assert np.array_equal(during_u, LOW) and np.array_equal(final_u.profile, LOW)
    assert paid_u == 0.0


@pytest.mark.parametrize("rounds", [1, 3])
def test_the_run_function_agrees_with_the_hand_work(rounds):
    out = compare(two_equilibria(), rounds, 1.0)
    assert out["w_status_quo"] == pytest.approx(10.25) and out["w_plan"] == pytest.approx(12.4)
    assert out["money_per_round"] == pytest.approx(2.15)
    assert out["coordinated_stays_high"] == 1.0 and out["coordinated_reached_plan"] == 1.0
    assert out["coordinated_gain"] == pytest.approx(2.15)
    assert out["unilateral_stays_high"] == 0.0 and out["unilateral_gain"] == pytest.approx(0.0)
    assert out["coordinated_equilibrium"] == out["unilateral_equilibrium"] == 1.0
    assert all(np.isfinite(v) for v in out.values())


def test_the_experiment_on_one_point_of_its_grid(tmp_path):
    point = big_push_points()[0]
    out = EXPERIMENT.run(point, seed=0, replicate=0)  # mercosur itself
    assert out["has_higher"] == 1.0 and out["w_plan"] > out["w_status_quo"]
    assert out["coordinated_equilibrium"] == 1.0 and out["unilateral_equilibrium"] == 1.0
    assert all(np.isfinite(v) for v in out.values())
    assert len(big_push_points()) == 20 and {p["rounds"] for p in big_push_points()} >= {1, 8}
