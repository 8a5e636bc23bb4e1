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

Modules: :mod:`.checks` (argument checks), :mod:`.decomposition` (the sector decomposition),
:mod:`.equilibria` (best responses, dynamics, pure equilibria), :mod:`.optimum` (brute force, MILP),
:mod:`.prices` (coordination by prices), :mod:`.anarchy` (prices of anarchy), :mod:`.implied`
(the status quo and the 2×2 games a plan implies), :mod:`.landscape` (all the equilibria, the
status quo's among them).
"""

from model.optimisation.anarchy import (
    price_of_anarchy,
    price_of_non_coordination,
    price_of_stability,
)
from model.optimisation.checks import TOL
from model.optimisation.decomposition import sector_welfare
from model.optimisation.equilibria import (
    EquilibriumSet,
    NashResult,
    all_pure_equilibria,
    best_response,
    best_responses,
    is_pure_equilibrium,
    nash_dynamics,
    nash_range,
    pure_nash_equilibria,
)
from model.optimisation.implied import ImpliedGames, implied_games, status_quo_equilibrium
from model.optimisation.landscape import equilibria_table
from model.optimisation.optimum import (
    OptimumResult,
    optimum_brute_force,
    optimum_milp,
    regional_optimum,
)
from model.optimisation.prices import Plan, coordinate, lagrangian_bound, submissions

__all__ = [
    "TOL",
    "EquilibriumSet",
    "ImpliedGames",
    "NashResult",
    "OptimumResult",
    "Plan",
    "all_pure_equilibria",
    "best_response",
    "best_responses",
    "coordinate",
    "equilibria_table",
    "implied_games",
    "is_pure_equilibrium",
    "lagrangian_bound",
    "nash_dynamics",
    "nash_range",
    "optimum_brute_force",
    "optimum_milp",
    "price_of_anarchy",
    "price_of_non_coordination",
    "price_of_stability",
    "pure_nash_equilibria",
    "regional_optimum",
    "sector_welfare",
    "status_quo_equilibrium",
    "submissions",
]
