"""The 2×2 games a plan implies for each country."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.games import MatrixGame
from model.optimisation.checks import TOL, as_profile
from model.optimisation.equilibria import best_responses
from model.optimisation.prices import Plan

if TYPE_CHECKING:
    from model.economy import Economy


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
    x = as_profile(econ, plan.profile if isinstance(plan, Plan) else plan, "plan")
    D = go_alone(econ) if alone is None else as_profile(econ, alone, "alone")
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
