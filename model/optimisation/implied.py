"""The 2×2 game a plan implies for each country (DESIGN §5), and the status quo behind it.

Defection "simply maintains the status quo" (seed 000, §2.4): the non-cooperative outcome is the
equilibrium that best-response dynamics reach from the region's status quo (its current plants,
or none). For country i under plan x (Rapoport & Chammah 1965 notation):

* R_i = u_i(everyone follows x);
* T_i = u_i(i best-responds to x, the others follow it);
* P_i = u_i(the status-quo equilibrium q);
* S_i = u_i(i follows x, every other country best-responds to x).

"Best-responds" is D in the collective game: each country's best portfolio against what it expects
the others to do — the plan while it expects them to follow it, the status quo once it expects the
agreement to have broken down (the best response to q is q itself). P_i is the outside option of
exit, side payments and individual rationality.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.games import MatrixGame
from model.optimisation.checks import TOL, as_profile
from model.optimisation.equilibria import NashResult, best_responses, nash_dynamics
from model.optimisation.prices import Plan

if TYPE_CHECKING:
    from model.economy import Economy


@dataclass
class ImpliedGames:
    """The 2×2 games (C = follow the plan, D = best-respond) implied by a plan, per country.

    ``T, R, P, S`` hold the raw payoffs; ``classes`` the :meth:`model.games.MatrixGame.classify`
    label after tie-breaking (see :func:`implied_games`); ``ties`` marks countries where a tie
    had to be broken; ``deviation`` (N, K) is each country's best response to the plan.
    """

    T: np.ndarray
    R: np.ndarray
    P: np.ndarray
    S: np.ndarray
    classes: list[str]
    ties: np.ndarray
    deviation: np.ndarray


def status_quo_equilibrium(econ: Economy, start: np.ndarray | None = None) -> NashResult:
    """The non-cooperative outcome: sequential best-response dynamics (Monderer & Shapley 1996)
    from the status quo ``start`` (default: no plants). ``converged`` says whether it is a pure
    Nash equilibrium; if the dynamics cycle, the profile reached is used as the status quo."""
    return nash_dynamics(econ, start)


def implied_games(
    econ: Economy,
    plan: Plan | np.ndarray,
    status_quo: np.ndarray,
    deviation: np.ndarray | None = None,
) -> ImpliedGames:
    """The 2×2 stage game each country faces under ``plan`` with the status-quo profile q.

    ``deviation`` (default: :func:`best_responses` to the plan) is each country's D against
    followers. Classified with :meth:`model.games.MatrixGame.classify`. MatrixGame refuses ties;
    a tie R == T or S == P (within a relative 1e-9) is broken in favour of cooperating being a
    best reply: T (resp. P) is lowered by 1e-9·max(1, |R|) (resp. |S|) for the classification
    only. ``T, R, P, S`` hold the raw payoffs and ``ties`` marks the countries concerned.
    """
    x = as_profile(econ, plan.profile if isinstance(plan, Plan) else plan, "plan")
    q = as_profile(econ, status_quo, "status_quo")
    dev = best_responses(econ, x) if deviation is None else as_profile(econ, deviation, "deviation")
    N = econ.N
    rows = np.arange(N)
    R = econ.payoffs(x)
    P = econ.payoffs(q)
    batch_t = np.repeat(x[None], N, axis=0)
    batch_t[rows, rows] = dev
    batch_s = np.repeat(dev[None], N, axis=0)
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
    return ImpliedGames(T, R, P, S, classes, ties, dev)
