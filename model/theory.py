"""Closed-form results for repeated 2x2 games, used as test oracles for the simulation.

All functions are pure functions of a :class:`model.games.MatrixGame` (payoffs T, R, P, S to
the row player) and scalars, and return plain floats (or bool / str / a NamedTuple of floats
where stated).

The textbook formulas (``grim_threshold`` ... ``calculating_threshold``) idealise monitoring
(e.g. false alarms only). The engine-true results (``grim_values``, ``grim_future_advantage``,
``grim_threshold_two_sided``, ``pair_value``, ``tft_best_reply``, ``tft_threshold_delay``,
``wsls_threshold_delay``; see "the engine's process" below) describe what
:class:`model.engine.PairwiseEngine` actually does — two-sided misreading of every observed
action, observation delay, first moves before the first observation — exactly, by linear
algebra on the pair's Markov chain or policy iteration on a deviator's MDP; ``critical_deltas``
uses them.

Conventions for discount-factor thresholds
------------------------------------------
``delta`` is the per-round discount factor (equivalently the continuation probability ``w``
of Axelrod 1984), ``0 <= delta < 1``.  A threshold ``x`` means: the behaviour is an
equilibrium for every ``delta`` in ``[x, 1)`` and for no ``delta`` in ``[0, x)``.

* A value ``>= 1`` means that **no** discount factor ``delta < 1`` sustains the behaviour.
  The raw value of the formula is returned (e.g. 2.0 for a deadlock game), so callers can see
  by how much it fails.
* A value ``0.0`` means every ``delta`` works (there is no temptation, ``T < R``); negative raw
  values of the formulas are clipped to 0.
* ``math.inf`` is returned where the formula's precondition fails (a zero or negative
  denominator, i.e. the "punishment" does not hurt the deviator, so the set of sustaining
  discount factors is empty or is not of the form ``[x, 1)``), and where a precondition named
  in the function's docstring fails (e.g. ``2R > T + P`` for WSLS).

Argument validation raises ValueError naming the argument and its allowed range:
``delta`` and ``error`` in ``[0, 1)``, ``delay`` an int ``>= 0``, stakes finite and ``> 0``.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.linalg import solve_triangular
from scipy.optimize import brentq
from scipy.sparse.linalg import spsolve, spsolve_triangular

from model.games import MatrixGame

__all__ = [
    "BestReply",
    "GrimValues",
    "calculating_threshold",
    "critical_deltas",
    "grim_future_advantage",
    "grim_threshold",
    "grim_threshold_delay",
    "grim_threshold_false_alarms",
    "grim_threshold_two_sided",
    "grim_values",
    "gtft_generosity",
    "lognormal_stakes_threshold",
    "pair_value",
    "risk_dominant",
    "stag_hunt_basin",
    "stakes_sustainable",
    "stakes_threshold",
    "tft_best_reply",
    "tft_threshold",
    "tft_threshold_delay",
    "wsls_threshold",
    "wsls_threshold_delay",
]


# --------------------------------------------------------------------------- validation


def _check_game(game: object) -> MatrixGame:
    if not isinstance(game, MatrixGame):
        raise TypeError(f"game must be a MatrixGame, got {type(game).__name__}")
    return game


def _check_real(name: str, value: object, allowed: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number {allowed}, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a real finite number {allowed}, got {value!r}")
    return out


def _check_unit(name: str, value: object) -> float:
    """Validate a probability-like argument in the half-open interval [0, 1)."""
    out = _check_real(name, value, "in [0, 1)")
    if not 0.0 <= out < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return out


def _check_delay(delay: object) -> int:
    if isinstance(delay, bool | np.bool_) or not isinstance(delay, numbers.Integral):
        raise ValueError(f"delay must be an int >= 0 (rounds), got {delay!r}")
    out = int(delay)
    if out < 0:
        raise ValueError(f"delay must be an int >= 0 (rounds), got {delay!r}")
    return out


def _check_positive(name: str, value: object) -> float:
    out = _check_real(name, value, "> 0")
    if out <= 0.0:
        raise ValueError(f"{name} must be a real finite number > 0, got {value!r}")
    return out


def _linear_threshold(num: float, den: float) -> float:
    """Threshold for the condition ``delta * den >= num`` on ``delta`` in [0, 1).

    Returns ``max(num / den, 0)`` when ``den > 0`` (raw values >= 1 are kept); ``0.0`` when the
    condition holds for every ``delta`` in [0, 1); ``math.inf`` when it holds for none or the
    sustaining set is bounded above (``den <= 0``: precondition of the formula fails).
    """
    if den > 0:
        return max(num / den, 0.0)
    if den == 0:
        return 0.0 if num <= 0 else math.inf
    # den < 0: the condition is delta <= num / den.
    return 0.0 if num / den >= 1.0 else math.inf


# --------------------------------------------------------------------------- thresholds


def grim_threshold(game: MatrixGame) -> float:
    """Discount factor above which GRIM TRIGGER sustains mutual cooperation.

    ``delta* = (T - R) / (T - P)`` (Friedman 1971; Axelrod 1984).  Derivation: cooperating
    forever yields ``R / (1 - delta)``; defecting once and then facing permanent mutual
    defection yields ``T + delta * P / (1 - delta)``; so cooperation is an equilibrium iff
    ``delta * (T - P) >= T - R``.  Precondition ``T > P`` (else ``math.inf`` unless the
    condition holds for every delta); a value >= 1 (e.g. deadlock, ``P >= R``) means no
    ``delta < 1`` sustains cooperation.
    """
    g = _check_game(game)
    return _linear_threshold(g.T - g.R, g.T - g.P)


def tft_threshold(game: MatrixGame) -> float:
    """Discount factor above which TIT FOR TAT is collectively stable.

    ``delta* = max((T - R) / (T - P), (T - R) / (R - S))`` (Axelrod 1981, "The emergence of
    cooperation among egoists", Proposition 2; Axelrod 1984).  The first term guards against
    ALL D (``delta * (T - P) >= T - R``), the second against alternating D, C
    (``R * (1 + delta) >= T + delta * S``, i.e. ``delta * (R - S) >= T - R``).  Each term
    follows the module conventions (``math.inf`` if its denominator is not positive and the
    condition can fail); a value >= 1 means no ``delta < 1`` makes TFT collectively stable.
    """
    g = _check_game(game)
    return max(_linear_threshold(g.T - g.R, g.T - g.P), _linear_threshold(g.T - g.R, g.R - g.S))


def wsls_threshold(game: MatrixGame) -> float:
    """Discount factor above which WIN-STAY, LOSE-SHIFT (Pavlov) is a subgame-perfect equilibrium.

    ``delta* = (T - R) / (R - P)``, requiring ``2R > T + P`` (Nowak & Sigmund 1993; Imhof,
    Fudenberg & Nowak 2007).  Derivation: a one-shot defection against WSLS earns T, after
    which both play D (P) and WSLS returns to mutual cooperation, so the deviation pays iff
    ``T + delta * P > R + delta * R``.  If ``2R <= T + P`` (e.g. Axelrod's 5, 3, 1, 0, where
    ``2R == T + P``) no ``delta < 1`` works and ``math.inf`` is returned.
    """
    g = _check_game(game)
    if not 2.0 * g.R > g.T + g.P:
        return math.inf
    return _linear_threshold(g.T - g.R, g.R - g.P)


def gtft_generosity(game: MatrixGame) -> float:
    """Maximal forgiveness probability of GENEROUS TIT FOR TAT.

    ``q = min(1 - (T - R) / (R - S), (R - P) / (T - P))`` (Molander 1985; Nowak & Sigmund
    1992): GTFT cooperates after a partner's defection with probability q, the largest
    generosity that still prevents ALL D from invading.  For (T, R, P, S) = (5, 3, 1, 0) it is
    ``min(1/3, 1/2) = 1/3``.  This is a probability, not a threshold: the raw value is returned
    (a negative value means no generosity level is safe).  Precondition ``T > P`` and
    ``R > S`` (both denominators positive); otherwise ValueError naming the game class.
    """
    g = _check_game(game)
    if not (g.T > g.P and g.R > g.S):
        raise ValueError(f"gtft_generosity needs T > P and R > S; got {g} (class {g.classify()})")
    return min(1.0 - (g.T - g.R) / (g.R - g.S), (g.R - g.P) / (g.T - g.P))


def grim_threshold_delay(game: MatrixGame, delay: int) -> float:
    """GRIM TRIGGER threshold when defections are detected ``delay`` rounds late.

    ``delta* = ((T - R) / (T - P)) ** (1 / (delay + 1))``, the smallest delta with
    ``delta ** (delay + 1) >= (T - R) / (T - P)`` (Axelrod & Keohane 1985, "quick feedback").
    Derivation: a deviator earns T instead of R for ``delay + 1`` rounds before punishment
    starts, so ``(T - R) * (1 - delta**(d+1)) <= (R - P) * delta**(d+1)``.  ``delay`` is an
    int >= 0; ``delay = 0`` gives :func:`grim_threshold`.  Values >= 1 / ``math.inf`` as there.
    """
    d = _check_delay(delay)
    base = grim_threshold(game)
    if math.isinf(base) or base <= 0.0:
        return base
    return base ** (1.0 / (d + 1))


def grim_threshold_false_alarms(game: MatrixGame, error: float) -> float:
    """GRIM TRIGGER threshold under false alarms with probability ``error`` per round.

    ``delta* = (T - R) / ((1 - error) * (T - P))`` for ``error`` in [0, 1) (Green & Porter
    1984, imperfect monitoring; Axelrod & Keohane 1985, "reliability of information").
    Derivation: each round a false alarm (cooperation misread as defection) occurs with
    probability ``error`` and triggers permanent punishment from the next round, so
    cooperation survives each round with probability ``1 - error``; a real defection is always
    seen.  Cooperating is worth ``P/(1-delta) + (R-P) / (1 - delta*(1-error))``, defecting
    ``P/(1-delta) + (T-P)``; equating gives the formula.  Values >= 1 / ``math.inf`` as in the
    module conventions.
    """
    g = _check_game(game)
    eps = _check_unit("error", error)
    return _linear_threshold(g.T - g.R, (1.0 - eps) * (g.T - g.P))


def _survival_ratio(delta: float, d: int, q: float) -> float:
    """``h(delta) = delta**(d+1) / sum_{k<=d} delta**k * q / (1 - delta*q)``, increasing."""
    if delta <= 0.0:
        return 0.0
    log_power = (d + 1) * math.log(delta)
    power = math.exp(log_power)  # delta ** (d + 1), may underflow to 0 harmlessly
    # sum_{k=0}^{d} delta**k = (1 - delta**(d+1)) / (1 - delta), computed without cancellation.
    geometric = -math.expm1(log_power) / (1.0 - delta)
    return power / geometric * q / (1.0 - delta * q)


def calculating_threshold(game: MatrixGame, delay: int = 0, error: float = 0.0) -> float:
    """General GRIM TRIGGER threshold with detection ``delay`` and false-alarm rate ``error``.

    Returns the delta* in (0, 1) solving (folk-theorem comparison; Friedman 1971; Axelrod &
    Keohane 1985; Green & Porter 1984)::

        (R - P) * delta**(d+1) * (1 - e) / (1 - delta * (1 - e))
            = (T - R) * (1 - delta**(d+1)) / (1 - delta)

    Left: premium ``R - P`` of cooperating forever, kept in round t > d while no false alarm
    occurred in rounds 0..t-d-1 (a false alarm in round m is punished from round m + d + 1).
    Right: gain ``T - R`` of deviating now, enjoyed for ``d + 1`` rounds until the punishment
    starts (rounds 0..d also pay R to the cooperator).  Dividing both sides by
    ``sum_{k<=d} delta**k`` makes the left side strictly increasing in delta from 0, so the
    root is unique; it is found with :func:`scipy.optimize.brentq`.  Returns ``math.inf`` when
    there is no root below 1 (e.g. the supremum ``(R-P)(1-e)/(e(d+1))`` of the left side does
    not exceed ``T - R``), and 0.0 when cooperation is sustained at every delta (``T < R``).
    Reduces to :func:`grim_threshold_delay` for ``error = 0`` and to
    :func:`grim_threshold_false_alarms` for ``delay = 0`` (where those are < 1).
    """
    g = _check_game(game)
    d = _check_delay(delay)
    eps = _check_unit("error", error)
    q = 1.0 - eps
    gain = g.T - g.R
    premium = g.R - g.P
    # Supremum of h on [0, 1): infinite without false alarms.
    h_sup = math.inf if eps == 0.0 else q / (eps * (d + 1))

    if premium == 0.0:
        return 0.0 if gain < 0 else math.inf
    if premium < 0.0:
        # Left side decreases from 0 to premium * h_sup: holds for all delta only if the
        # limit still clears the (negative) gain; otherwise the set is bounded above.
        if gain < 0 and premium * h_sup >= gain:
            return 0.0
        return math.inf
    if gain < 0:
        return 0.0
    if premium * h_sup <= gain:
        return math.inf

    def excess(delta: float) -> float:
        return premium * _survival_ratio(delta, d, q) - gain

    hi = 0.5
    while excess(hi) <= 0.0:
        hi = 0.5 * (hi + 1.0)
        if hi >= 1.0:  # root within one ulp of 1: no representable delta < 1 works
            return 1.0
    root: float = brentq(excess, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return float(root)


def critical_deltas(game: MatrixGame, delay: int = 0, error: float = 0.0) -> dict[str, float]:
    """The critical δ of the classic reciprocal rules in ``game`` (a prisoner's dilemma), as the
    engine plays them: observation ``delay`` d, two-sided misreading ``error`` ε (each observed
    action flipped, C -> D and D -> C), first moves until the first observation arrives.

    * ``Grim``: :func:`grim_threshold_two_sided` — where V(Grim|Grim) = V(AllD|Grim) in the
      engine's Markov chain (equal to :func:`calculating_threshold` when ε = 0; with ε > 0 it is
      higher than the one-sided formula, e.g. 0.548 instead of 0.526 at ε = 0.05).
    * ``TitForTat``: :func:`tft_threshold_delay` when ε = 0 (Axelrod 1981's threshold, raised
      by the delay to ``tft_threshold ** (1/(d+1))``). When ε > 0 it is ``math.inf``: TFT is then
      a best reply to TFT at no δ < 1 — its play reacts to misreadings that carry no payoff-
      relevant information (the best reply, :func:`tft_best_reply`, depends only on the
      deviator's own past moves), and misread D's echo back and forth, so the pair does not stay
      in mutual cooperation.
    * ``WinStayLoseShift``: :func:`wsls_threshold_delay` when ε = 0 and 2R > T + P; left out
      otherwise (never sustained when 2R <= T + P; not derived here for ε > 0, where the two
      players' WSLS states drift apart under private misreading).

    Empty for games that are not a prisoner's dilemma: there the folk-theorem threshold is not
    the question (in a stag hunt or harmony mutual cooperation is already an equilibrium of the
    stage game).

    Parameters
    ----------
    game : MatrixGame
        The stage game.
    delay : int, default 0
        Rounds before an action is observed (quick feedback: d = 0).
    error : float, default 0.0
        Probability that an observed action is misread (reliability of information).

    Returns
    -------
    dict of str to float
        Rule name -> its critical δ (``math.inf``: never sustained).

    Examples
    --------
    >>> from model import theory
    >>> from model.games import PD
    >>> theory.critical_deltas(PD)  # (T − R)/(T − P), (T − R)/(R − S); WSLS needs 2R > T + P
    {'Grim': 0.5, 'TitForTat': 0.6666666666666667}
    >>> round(theory.critical_deltas(PD, delay=1)["Grim"], 4)  # 0.5 ** (1/2)
    0.7071
    """
    g = _check_game(game)
    d = _check_delay(delay)
    eps = _check_unit("error", error)
    if g.classify() != "prisoners_dilemma":
        return {}
    out = {
        "Grim": grim_threshold_two_sided(g, eps, d),
        "TitForTat": tft_threshold_delay(g, d) if eps == 0.0 else math.inf,
    }
    if eps == 0.0:
        wsls = wsls_threshold_delay(g, d)
        if math.isfinite(wsls):
            out["WinStayLoseShift"] = wsls
    return out


# --------------------------------------------------------------------------- stakes


def _check_stakes(s_max: object, mean_stake: object) -> tuple[float, float]:
    s_hi = _check_positive("s_max", s_max)
    mean = _check_positive("mean_stake", mean_stake)
    if mean > s_hi:
        raise ValueError(
            f"mean_stake must be <= s_max (a mean cannot exceed the maximum), "
            f"got mean_stake={mean_stake!r} > s_max={s_max!r}"
        )
    return s_hi, mean


def stakes_sustainable(
    game: MatrixGame, delta: float, s_max: float, mean_stake: float = 1.0
) -> bool:
    """Whether GRIM cooperation survives irregular stakes: ``s_max (T-R) <= d/(1-d) E[s] (R-P)``.

    Axelrod & Keohane 1985, "regularity of stakes": each round's payoffs are multiplied by an
    i.i.d. stake s with mean ``mean_stake``; the largest one-shot gain from defection,
    ``s_max * (T - R)``, must not exceed the discounted expected future loss
    ``delta / (1 - delta) * E[s] * (R - P)``.  ``delta`` in [0, 1); stakes finite, > 0 and
    ``mean_stake <= s_max``.
    """
    g = _check_game(game)
    dlt = _check_unit("delta", delta)
    s_hi, mean = _check_stakes(s_max, mean_stake)
    return s_hi * (g.T - g.R) <= dlt / (1.0 - dlt) * mean * (g.R - g.P)


def stakes_threshold(game: MatrixGame, s_max: float, mean_stake: float = 1.0) -> float:
    """Critical discount factor under irregular stakes (Axelrod & Keohane 1985).

    ``delta* = s_max (T - R) / (s_max (T - R) + E[s] (R - P))``, obtained by solving the
    condition of :func:`stakes_sustainable` for delta.  With ``s_max = E[s]`` it equals
    :func:`grim_threshold`.  Values >= 1 / ``math.inf`` as in the module conventions.
    """
    g = _check_game(game)
    s_hi, mean = _check_stakes(s_max, mean_stake)
    gain = s_hi * (g.T - g.R)
    return _linear_threshold(gain, gain + mean * (g.R - g.P))


def lognormal_stakes_threshold(game: MatrixGame, sigma: float) -> float:
    """The δ at which a forward-looking player facing lognormal stakes (mean 1, spread σ)
    cooperates in half of the rounds (Axelrod & Keohane 1985, regularity of stakes).

    It cooperates at stake s iff s (T − R) ≤ δ/(1 − δ)·E[s]·(R − P) (the condition of
    :func:`stakes_sustainable` with today's stake), so with probability 1/2 when the median
    stake m = exp(−σ²/2) meets it: ``δ* = m (T − R) / (m (T − R) + (R − P))``. Irregular stakes
    (σ > 0) *lower* this median threshold — the typical round is smaller than the mean — while
    raising the threshold for the largest stakes (:func:`stakes_threshold`).

    It is **not** a threshold for lasting cooperation: with unbounded (lognormal) stakes some
    round's stake exceeds s* = δ/(1 − δ)·(R − P)/(T − R) sooner or later — with probability
    P(s > s*) a round — and the punishment that follows ends cooperation, so no δ < 1 sustains
    it for ever (:func:`stakes_threshold` with s_max → ∞). The app's theory panel reports that
    waiting time instead.
    """
    g = _check_game(game)
    spread = _check_real("sigma", sigma, "a number >= 0")
    if spread < 0:
        raise ValueError(f"sigma = {sigma!r}: allowed: a number >= 0")
    gain = math.exp(-(spread**2) / 2) * (g.T - g.R)
    return _linear_threshold(gain, gain + (g.R - g.P))


# --------------------------------------------------------------------------- stag hunt


def _check_stag_hunt(game: object, func: str) -> MatrixGame:
    g = _check_game(game)
    cls = g.classify()
    if cls != "stag_hunt":
        raise ValueError(f"{func} needs a stag hunt game, got {g} (class {cls})")
    return g


def risk_dominant(game: MatrixGame) -> str:
    """Risk-dominant equilibrium of a stag hunt (Harsanyi & Selten 1988).

    Returns ``"cooperate"`` if ``R - T > P - S`` (CC risk dominant: larger product of
    deviation losses), ``"defect"`` if ``R - T < P - S`` and ``"tie"`` if equal.  Raises
    ValueError naming the game class unless ``game.classify() == "stag_hunt"``.
    """
    g = _check_stag_hunt(game, "risk_dominant")
    loss_c, loss_d = g.R - g.T, g.P - g.S
    if loss_c > loss_d:
        return "cooperate"
    if loss_c < loss_d:
        return "defect"
    return "tie"


def stag_hunt_basin(game: MatrixGame) -> float:
    """Share of beliefs for which cooperating (hunting stag) is the best reply.

    With p the probability that the partner plays C, C is a best reply iff ``p >= p*`` where
    ``p* = (P - S) / ((R - T) + (P - S))`` is the mixed equilibrium (Harsanyi & Selten 1988;
    Skyrms 2004); the basin is ``1 - p*``.  Skyrms' (T, R, P, S) = (3, 4, 3, 0) gives 1/4.
    Raises ValueError naming the game class unless ``game.classify() == "stag_hunt"``.
    """
    g = _check_stag_hunt(game, "stag_hunt_basin")
    p_star = (g.P - g.S) / ((g.R - g.T) + (g.P - g.S))
    return 1.0 - p_star


# --------------------------------------------------------------------------- the engine's process
#
# Everything below describes what model.engine.PairwiseEngine does, not an idealised monitoring
# technology. In the engine (``_intentions`` / ``_observe``), with observation delay d and
# misreading probability ε (implementation noise 0):
#
# * in rounds 0..d no observation of the partner has arrived, and each rule plays its *first*
#   move (Grim, TitForTat, WSLS: C; AllD: D);
# * after round t >= d each side receives one observation, of round t - d: its own action of
#   that round, exactly (``my_last``), and the partner's action, flipped with probability ε —
#   C read as D *and* D read as C ("two-sided" misreading), independently for the two sides and
#   across rounds; it is first used in round t + 1 (so round t' acts on rounds <= t' - 1 - d);
# * nothing is observed of rounds before round 0.
#
# A deterministic rule is an automaton over these observations, and the pair's state — both
# automata plus the d rounds of actions "in flight" (played, not yet observed) — is a finite
# Markov chain. Values are exact solutions of (I - δQ) v = r (Kemeny & Snell 1960), not
# simulations.


@dataclass(frozen=True, eq=False)
class _Rule:
    """A deterministic decision rule as an automaton over the engine's observations.

    ``start`` is the state before any observation (its action is the rule's first move),
    ``act(q)`` is True for C, ``step(q, own, seen)`` absorbs one observation: own action and
    the partner's action as read (True = C) of the observed round.
    """

    name: str
    start: Hashable
    act: Callable[[Hashable], bool]
    step: Callable[[Hashable, bool, bool], Hashable]


_GRIM = _Rule("Grim", False, lambda q: not q, lambda q, own, seen: q or not seen)  # q: triggered
_ALLD = _Rule("AllD", 0, lambda q: False, lambda q, own, seen: 0)
_ALLC = _Rule("AllC", 0, lambda q: True, lambda q, own, seen: 0)
_TFT = _Rule("TitForTat", True, lambda q: q, lambda q, own, seen: seen)  # q: next move
_WSLS = _Rule("WinStayLoseShift", True, lambda q: q, lambda q, own, seen: own == seen)


@dataclass(frozen=True, eq=False)
class _PairChain:
    """The pair's Markov chain: transition matrix ``Q`` (dense or CSR), the index of the start
    state, and each state's action pair as code 2·a + b (True = C: 0 = DD, 1 = DC, 2 = CD,
    3 = CC). ``triangular``: the states are in a topological order of the transition graph
    without self-loops (Grim's trigger only switches on and the actions in flight only shift),
    so ``I - delta Q`` is upper triangular and is solved by back substitution."""

    Q: object
    code: np.ndarray
    start: int
    triangular: bool

    def rewards(self, game: MatrixGame) -> np.ndarray:
        """Row player's payoff in each state, minus P (so that absorbing DD is worth 0)."""
        pay = np.array([game.P, game.T, game.S, game.R]) - game.P
        return pay[self.code]

    def shifted_value(self, game: MatrixGame, delta: float) -> float:
        """``V - P / (1 - delta)`` from the start state: finite as delta -> 1 when play is
        absorbed in DD, so differences of values do not cancel catastrophically."""
        r = self.rewards(game)
        if delta == 0.0:
            return float(r[self.start])
        n = r.size
        if isinstance(self.Q, np.ndarray):
            a = np.eye(n) - delta * self.Q
            v = solve_triangular(a, r) if self.triangular else np.linalg.solve(a, r)
        elif self.triangular:
            a = sparse.identity(n, format="csr") - delta * self.Q
            v = spsolve_triangular(a.tocsr(), r, lower=False)
        else:
            v = spsolve((sparse.identity(n, format="csc") - delta * self.Q).tocsc(), r)
        return float(v[self.start])


_DENSE_MAX = 600  # chains with more states are solved as sparse systems


def _topological_order(Q: sparse.csr_matrix) -> np.ndarray | None:
    """A topological order of the states (Kahn 1962), ignoring self-loops; None if cyclic."""
    n = Q.shape[0]
    graph = Q.tolil()
    graph.setdiag(0)
    graph = graph.tocsr()
    graph.eliminate_zeros()
    indegree = np.bincount(graph.indices, minlength=n)
    stack = list(np.flatnonzero(indegree == 0))
    order = []
    while stack:
        i = stack.pop()
        order.append(i)
        for j in graph.indices[graph.indptr[i] : graph.indptr[i + 1]]:
            indegree[j] -= 1
            if indegree[j] == 0:
                stack.append(j)
    return np.array(order) if len(order) == n else None


@functools.lru_cache(maxsize=256)
def _pair_chain(a: _Rule, b: _Rule, error: float, delay: int) -> _PairChain:
    """Build (breadth first, reachable states only) the chain of rule ``a`` (row player) against
    rule ``b`` under the engine's observation process with misreading ``error`` and ``delay``."""
    init = (a.start, b.start, (None,) * delay)
    index: dict[tuple, int] = {init: 0}
    states = [init]
    rows: list[int] = []
    cols: list[int] = []
    probs: list[float] = []
    codes: list[int] = []
    flips = [
        (fa, fb, (error if fa else 1 - error) * (error if fb else 1 - error))
        for fa in (False, True)
        for fb in (False, True)
    ]
    flips = [f for f in flips if f[2] > 0.0]
    k = 0
    while k < len(states):
        qa, qb, flight = states[k]
        x, y = bool(a.act(qa)), bool(b.act(qb))
        codes.append(2 * x + y)
        pending = (*flight, (x, y))
        seen, flight = pending[0], pending[1:]  # the round observed now (None: before round 0)
        if seen is None:
            successors = [((qa, qb, flight), 1.0)]
        else:
            ox, oy = seen
            successors = [
                ((a.step(qa, ox, oy != fa), b.step(qb, oy, ox != fb), flight), p)
                for fa, fb, p in flips
            ]
        for state, p in successors:
            j = index.setdefault(state, len(states))
            if j == len(states):
                states.append(state)
            rows.append(k)
            cols.append(j)
            probs.append(p)
        k += 1
    n = len(states)
    Q = sparse.csr_matrix((probs, (rows, cols)), shape=(n, n))  # duplicates are summed
    code, start = np.array(codes), 0
    order = _topological_order(Q)
    if order is not None:
        Q, code, start = Q[order][:, order].tocsr(), code[order], int(np.flatnonzero(order == 0)[0])
    return _PairChain(Q.toarray() if n <= _DENSE_MAX else Q, code, start, order is not None)


def _pair_shifted(
    a: _Rule, b: _Rule, game: MatrixGame, delta: float, error: float, delay: int
) -> float:
    return _pair_chain(a, b, error, delay).shifted_value(game, delta)


def _pair_value(
    a: _Rule, b: _Rule, game: MatrixGame, delta: float, error: float = 0.0, delay: int = 0
) -> float:
    """Exact expected discounted payoff of rule ``a`` (row player) against rule ``b``."""
    return _pair_shifted(a, b, game, delta, error, delay) + game.P / (1.0 - delta)


class GrimValues(NamedTuple):
    """Expected discounted payoffs to player 1 (the row player): ``comply`` = V(Grim | Grim),
    ``deviate`` = V(AllD | Grim)."""

    comply: float
    deviate: float


def grim_values(game: MatrixGame, delta: float, error: float = 0.0, delay: int = 0) -> GrimValues:
    """Exact V(Grim | Grim) and V(AllD | Grim) in the engine's observation process.

    ``V = E[sum_t delta**t u_t]`` for player 1 from round 0, where each observed action is
    misread with probability ``error`` in both directions (C -> D: a false alarm, Green & Porter
    1984; D -> C: a missed defection — imperfect private monitoring, Kandori 1992), observations
    arrive ``delay`` rounds late, and both play their first move (C for Grim, D for AllD) until
    the first observation arrives (see the block comment above). The values solve the linear
    system of the pair's Markov chain (each Grim's trigger and the ``delay`` rounds of actions in
    flight); with a geometric horizon of continuation ``delta`` they are also the expected
    undiscounted totals of the engine's payoff streams.

    Closed forms (derived by hand; the tests check the chain against them). With
    ``error = 0``: ``V(Grim|Grim) = R / (1 - delta)`` and ``V(AllD|Grim) = T (1 - delta**(d+1)) /
    (1 - delta) + delta**(d+1) P / (1 - delta)``. With ``delay = 0``, writing ``e = error``,
    values minus ``P / (1 - delta)``: ``V(AllD|Grim) = (T - P) / (1 - delta e)`` (Grim misses a
    defection with probability e a round) and ``V(Grim|Grim) = [(R - P) + delta e (1 - e)
    (T + S - 2P) / (1 - delta e)] / (1 - delta (1 - e)**2)`` (a single false alarm makes the
    pair CD or DC, which lasts until the cooperator reads the D correctly).
    """
    g = _check_game(game)
    dlt = _check_unit("delta", delta)
    eps = _check_unit("error", error)
    d = _check_delay(delay)
    base = g.P / (1.0 - dlt)
    return GrimValues(
        _pair_shifted(_GRIM, _GRIM, g, dlt, eps, d) + base,
        _pair_shifted(_ALLD, _GRIM, g, dlt, eps, d) + base,
    )


def grim_future_advantage(
    game: MatrixGame, delta: float, error: float = 0.0, delay: int = 0
) -> float:
    """Φ: the discounted *future* value (rounds 1, 2, ...) that deviating now costs against Grim.

    ``Φ = sum_{t>=1} delta**t (E[u_t | Grim vs Grim] - E[u_t | AllD vs Grim])
        = V(Grim|Grim) - V(AllD|Grim) + (T - R)``

    at unit stakes (:func:`grim_values`; round 0 pays R when complying and T when deviating, for
    sure, since nothing has been observed yet). So deviating does not pay iff ``T - R <= Φ``, and
    with i.i.d. stakes (mean ``mean_stake``, independent of play) a forward-looking rule that
    sees today's stake ``s`` should comply iff ``s (T - R) <= mean_stake Φ`` (Axelrod & Keohane
    1985, regularity of stakes). Φ already contains the rounds 1..d in which the deviator still
    earns T instead of R (a negative contribution), the missed defections and the false alarms.
    With ``error = 0`` it is ``(R - P) delta**(d+1) / (1 - delta) - (T - R) sum_{k=1..d}
    delta**k``, the quantity in ``agents.strategies.Calculating``. Φ is evaluated from the start
    of a relationship (nothing observed, nothing in flight). Cost: one small linear solve (the
    chain is cached per (error, delay)).
    """
    g = _check_game(game)
    dlt = _check_unit("delta", delta)
    eps = _check_unit("error", error)
    d = _check_delay(delay)
    gap = _pair_shifted(_GRIM, _GRIM, g, dlt, eps, d) - _pair_shifted(_ALLD, _GRIM, g, dlt, eps, d)
    return gap + (g.T - g.R)


# δ grid on which the sign of a value gap is scanned before a root is polished: uniform on
# [0, 0.98], then geometric towards 1 (roots near 1 occur with long delays and frequent errors).
_SCAN = np.unique(np.concatenate([np.linspace(0.0, 0.98, 50), 1.0 - np.geomspace(0.02, 1e-9, 36)]))


def _final_root(gap: Callable[[float], float]) -> float:
    """Left end of the final interval ``[x, 1)`` on which ``gap >= 0`` (module conventions).

    0.0 if ``gap >= 0`` on the whole scan; ``math.inf`` if ``gap < 0`` near 1 or the sustaining
    set is not of the form ``[x, 1)`` on the scan (a sign change from + to - below the root).
    """
    values = np.array([gap(float(x)) for x in _SCAN])
    bad = values < 0.0
    if not bad.any():
        return 0.0
    if bad[-1]:
        return math.inf
    j = int(np.flatnonzero(bad)[-1])
    if not bad[: j + 1].all():
        return math.inf
    root: float = brentq(
        gap,
        float(_SCAN[j]),
        float(_SCAN[j + 1]),
        xtol=1e-15,
        rtol=4 * np.finfo(float).eps,
        maxiter=500,
    )
    return float(root)


def grim_threshold_two_sided(game: MatrixGame, error: float = 0.0, delay: int = 0) -> float:
    """The δ* at which GRIM stops being exploitable by ALL D, in the engine's process.

    δ* solves ``V(Grim|Grim) = V(AllD|Grim)`` (:func:`grim_values`: two-sided misreading
    ``error`` of every observed action, detection ``delay``, first moves before the first
    observation), found with :func:`scipy.optimize.brentq` after a sign scan; the sustaining set
    is ``{delta : V(Grim|Grim) >= V(AllD|Grim)}``. Conventions as in the module docstring and
    :func:`calculating_threshold`: 0.0 if every delta works, ``math.inf`` if no delta near 1 works
    or the set is not of the form ``[x, 1)`` on the scan. For ``delay = 0`` the condition is
    linear in delta (below), so the set is ``[x, 1)``, empty or everything. For ``delay >= 1``
    and ``error > 0`` it can be an interval bounded above: in a scan of 41 prisoner's dilemmas
    x d = 0..3 x 7 error rates (1148 cases, 440 delta each) one case, (T, R, P, S) =
    (5.33, 5.28, 4.76, 0.83) with d = 2 and e = 0.05, is sustained on about [0.64, 0.99] only —
    a tiny gain T - R and a large sucker's loss P - S: the pair ends in DD anyway and, as
    delta -> 1, complying's long CD phases after a partner's false alarm outweigh everything.
    Such cases return ``math.inf``.

    It differs from :func:`calculating_threshold` (one-sided false alarms, Green & Porter 1984)
    when ``error > 0``: in the engine Grim also *misses* defections (AllD earns T until Grim reads
    a D correctly) and a false alarm of either player starts a CD / DC phase before mutual
    punishment (Kandori 1992 on private monitoring). For ``delay = 0`` the chain gives the closed
    form ``delta* = (T - R) / [(T - P)(1 - e)**2 - e (R - P) + e (1 - e)(T + S - 2P)]``; for
    (5, 3, 1, 0) and e = 0.05, 0.1, 0.2: 0.5476, 0.6042, 0.7576 (the one-sided formula: 0.526,
    0.556, 0.625).

    With ``error = 0`` it equals ``calculating_threshold(game, delay, 0)``: then
    ``(1 - delta) (V(Grim|Grim) - V(AllD|Grim)) = (R - T) + delta**(d+1) (T - P)``, zero at
    ``delta**(d+1) = (T - R) / (T - P)`` (Axelrod & Keohane 1985, quick feedback).

    Grim vs Grim is a Nash equilibrium only if *no* deviation pays; with ``error > 0`` ALL D is
    the natural but not the only deviation (the deviator cannot see Grim's trigger, which makes
    the exact best reply a POMDP), so δ* is a necessary condition for Grim to be a best reply.
    """
    g = _check_game(game)
    eps = _check_unit("error", error)
    d = _check_delay(delay)
    grim, alld = _pair_chain(_GRIM, _GRIM, eps, d), _pair_chain(_ALLD, _GRIM, eps, d)
    return _final_root(lambda x: grim.shifted_value(g, x) - alld.shifted_value(g, x))


_RULES = {r.name: r for r in (_GRIM, _ALLD, _ALLC, _TFT, _WSLS)}


def pair_value(
    game: MatrixGame,
    rule: str,
    partner: str,
    delta: float,
    error: float = 0.0,
    delay: int = 0,
) -> float:
    """Exact expected discounted payoff of ``rule`` (row player) against ``partner`` in the
    engine's observation process (misreading ``error`` both ways, ``delay``, first moves).

    Rules: ``"Grim"``, ``"AllD"``, ``"AllC"``, ``"TitForTat"``, ``"WinStayLoseShift"`` — the
    engine's deterministic rules of those names written as automata over observations (TFT
    repeats the partner's latest observed move; WSLS cooperates iff its own move and the
    partner's observed move of the latest observed round agree). Solved from the pair's Markov
    chain (see :func:`grim_values`). With a geometric horizon of continuation ``delta`` this is
    the expected total payoff of the engine's country 0.
    """
    g = _check_game(game)
    dlt = _check_unit("delta", delta)
    eps = _check_unit("error", error)
    d = _check_delay(delay)
    try:
        a, b = _RULES[rule], _RULES[partner]
    except KeyError:
        raise ValueError(
            f"rule = {rule!r}, partner = {partner!r}: allowed: {', '.join(_RULES)}"
        ) from None
    return _pair_value(a, b, g, dlt, eps, d)


# --------------------------------------------------------------------------- TFT best replies


class BestReply(NamedTuple):
    """A best reply to TitForTat: its value and its actions (True = C) from round 0 on —
    ``prefix`` once, then ``cycle`` repeated for ever."""

    value: float
    prefix: tuple[bool, ...]
    cycle: tuple[bool, ...]


@functools.lru_cache(maxsize=32)
def _tft_mdp(delay: int) -> tuple[np.ndarray, np.ndarray]:
    """The deviator's MDP against TFT with delay d: states are its last d + 1 actions, oldest
    first, entries -1 (no such round: TFT still plays its first move C), 0 = D, 1 = C; the start
    state is all -1. Returns (successor[state, action], oldest entry per state)."""
    states = [
        (-1,) * k + bits
        for k in range(delay + 1, -1, -1)
        for bits in itertools.product((0, 1), repeat=delay + 1 - k)
    ]
    index = {s: i for i, s in enumerate(states)}
    successor = np.array([[index[(*s[1:], x)] for x in (0, 1)] for s in states], np.intp)
    oldest = np.array([s[0] for s in states])
    return successor, oldest


def _evaluate_deterministic(successor: np.ndarray, reward: np.ndarray, delta: float) -> np.ndarray:
    """``v = reward + delta * v[successor]`` by path doubling: after j steps ``v`` sums the first
    2**j rounds, with weight ``delta**(2**j) = exp(2**j log delta)`` for the next block (computed
    directly, not by repeated squaring, which loses ~2**j ulps); stops when that weight is below
    1e-17 (the relative truncation error)."""
    v = reward.astype(float)
    if delta == 0.0:
        return v
    step = successor.copy()
    log_delta = math.log(delta)
    span = 1
    while (disc := math.exp(span * log_delta)) > 1e-17:
        v = v + disc * v[step]
        step = step[step]
        span *= 2
    return v


def _tft_rewards(game: MatrixGame, delay: int, error: float) -> tuple[np.ndarray, np.ndarray]:
    """(successor[state, action], expected reward minus R [state, action]); action 0 = D, 1 = C."""
    successor, oldest = _tft_mdp(delay)
    p_c = np.where(oldest == -1, 1.0, np.where(oldest == 1, 1.0 - error, error))  # TFT plays C
    reward = np.stack(
        [p_c * game.T + (1 - p_c) * game.P, p_c * game.R + (1 - p_c) * game.S], axis=1
    )
    return successor, reward - game.R


def _tft_policy(
    game: MatrixGame, delta: float, delay: int, error: float
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal values *minus R / (1 - delta)* and policy (1 = C) of the deviator's MDP, by policy
    iteration (Howard 1960; exact evaluation, so it stops after finitely many improvements).

    Rewards are measured relative to R, so complying for ever is worth exactly 0 and the sign of
    a deviation's value does not drown in the rounding of ``R / (1 - delta)`` as delta -> 1.
    """
    successor, reward = _tft_rewards(game, delay, error)
    scale = 1e-12 * float(np.abs(reward).max(initial=0.0)) / (1.0 - delta)
    rows = np.arange(len(reward))
    policy = np.ones(len(reward), np.intp)
    for _ in range(1000):
        v = _evaluate_deterministic(successor[rows, policy], reward[rows, policy], delta)
        q = reward + delta * v[successor]
        current = q[rows, policy]
        better = q[rows, 1 - policy] > current + scale
        if not better.any():
            return v, policy
        policy = np.where(better, 1 - policy, policy)
    raise RuntimeError("policy iteration did not converge")  # pragma: no cover


def tft_best_reply(game: MatrixGame, delta: float, delay: int = 0, error: float = 0.0) -> BestReply:
    """The best reply to TITFORTAT in the engine's process (delay d, misreading ε both ways).

    TFT plays C in rounds 0..d and then the deviator's move of round t - 1 - d as it read it:
    C with probability 1 - ε if that move was C, ε if it was D. Since the deviator knows its own
    moves and the misreadings are independent of everything it can observe, its optimal play is
    a deterministic MDP whose state is its last d + 1 own moves (2**(d+2) - 1 states), solved
    exactly by policy iteration; the optimal actions from round 0 are therefore eventually
    periodic (``prefix`` + ``cycle``). ``value`` is the maximal expected discounted payoff.
    """
    g = _check_game(game)
    dlt = _check_unit("delta", delta)
    d = _check_delay(delay)
    eps = _check_unit("error", error)
    if d > _TFT_MDP_MAX_DELAY:
        raise ValueError(f"delay must be an int in [0, {_TFT_MDP_MAX_DELAY}] here, got {delay!r}")
    v, policy = _tft_policy(g, dlt, d, eps)
    v = v + g.R / (1.0 - dlt)
    successor, _ = _tft_mdp(d)
    seen: dict[int, int] = {}
    actions: list[bool] = []
    s = 0
    while s not in seen:
        seen[s] = len(actions)
        actions.append(bool(policy[s]))
        s = int(successor[s, policy[s]])
    prefix, cycle = actions[: seen[s]], actions[seen[s] :]
    # the shortest description of the same sequence: primitive period, shortest prefix
    m = next(p for p in range(1, len(cycle) + 1) if cycle == cycle[p:] + cycle[:p])
    cycle = cycle[:m]
    while prefix and prefix[-1] == cycle[-1]:
        prefix, cycle = prefix[:-1], [cycle[-1], *cycle[:-1]]
    return BestReply(float(v[0]), tuple(prefix), tuple(cycle))


_TFT_MDP_MAX_DELAY = 10  # 4095 states; beyond, tft_threshold_delay uses the proven closed form


def _tft_deviation_pays(game: MatrixGame, delta: float, delay: int) -> bool:
    """Whether some deviation from TFT against TFT (ε = 0) beats ``R / (1 - delta)``: the best
    reply's value relative to complying is positive beyond rounding (1e-11 of the scale
    ``max |u - R| / (1 - delta)``)."""
    gain = _tft_policy(game, delta, delay, 0.0)[0][0]
    scale = max(abs(game.T - game.R), abs(game.R - game.S), abs(game.R - game.P)) / (1.0 - delta)
    return bool(gain > 1e-11 * scale)


def tft_threshold_delay(game: MatrixGame, delay: int) -> float:
    """TITFORTAT's critical δ when moves are observed ``delay`` rounds late (no misreading).

    δ* is the left end of the final interval ``[δ*, 1)`` of discount factors at which no
    deviation from TFT against TFT pays, i.e. at which the best reply (:func:`tft_best_reply`,
    exact policy iteration on the deviator's MDP) earns no more than ``R / (1 - delta)``. It is
    located on a scan of δ, narrowed by bisection and polished with :func:`scipy.optimize.brentq`
    on the value of the deviation that is optimal just below it.

    It equals ``tft_threshold(game) ** (1 / (delay + 1))``, which the MDP confirms (tests) and
    which also holds beyond the MDP's size limit (``delay > 10``, where it is returned directly).
    Proof: TFT's move in round t is the deviator's move of round t - d - 1 (and C for t <= d),
    so the rounds split into d + 1 residue classes mod d + 1 that do not interact; class r is an
    ordinary TFT game (Axelrod 1981) with discount factor ``delta**(d+1)``, scaled by
    ``delta**r``. So a deviation pays in the whole game iff it pays in one class, i.e. iff
    ``delta**(d+1) < tft_threshold(game)``; the sustaining set is the interval
    ``[tft_threshold ** (1/(d+1)), 1)`` (a scan of 200 δ per game in the tests found no other
    shape), and the best deviation is ALL D or, for (5, 3, 1, 0), the cycle of d + 1 D's and
    d + 1 C's. Delay therefore raises δ* (for 0 < δ*(0) < 1): 2/3, 0.816, 0.874, 0.904 for
    d = 0..3 with (5, 3, 1, 0). ``delay = 0`` gives :func:`tft_threshold`; its conventions
    (0.0, values >= 1, ``math.inf``) carry over through the same power.
    """
    g = _check_game(game)
    d = _check_delay(delay)
    base = tft_threshold(g)
    if math.isinf(base) or base <= 0.0:
        return base
    if base >= 1.0 or d > _TFT_MDP_MAX_DELAY:
        return base ** (1.0 / (d + 1))
    pays = [_tft_deviation_pays(g, float(x), d) for x in _SCAN]
    if not any(pays):
        return 0.0
    if pays[-1]:
        return math.inf
    j = max(k for k, p in enumerate(pays) if p)
    lo, hi = float(_SCAN[j]), float(_SCAN[j + 1])
    while hi - lo > 1e-9:
        mid = 0.5 * (lo + hi)
        if _tft_deviation_pays(g, mid, d):
            lo = mid
        else:
            hi = mid
    # polish: the root of the value (relative to complying) of the deviation optimal at lo
    successor, reward = _tft_rewards(g, d, 0.0)
    rows = np.arange(len(reward))
    policy = _tft_policy(g, lo, d, 0.0)[1]
    path, gains = successor[rows, policy], reward[rows, policy]

    def gain(x: float) -> float:
        return float(_evaluate_deterministic(path, gains, x)[0])

    top = hi if gain(hi) < 0.0 else float(_SCAN[j + 1])
    if not (gain(lo) > 0.0 > gain(top)):  # pragma: no cover - rounding at the bracket
        return hi
    root: float = brentq(gain, lo, top, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return float(root)


def wsls_threshold_delay(game: MatrixGame, delay: int) -> float:
    """WIN-STAY, LOSE-SHIFT's critical δ when moves are observed ``delay`` rounds late (ε = 0).

    ``wsls_threshold(game) ** (1 / (delay + 1))``. Proof as for :func:`tft_threshold_delay`: WSLS's
    move in round t depends only on the pair of moves of round t - d - 1 (its own, known exactly
    in the engine, and the partner's), so the residue classes mod d + 1 are separate WSLS games
    with discount ``delta**(d+1)``, each sustained iff ``delta**(d+1) >= (T - R) / (R - P)``
    (Nowak & Sigmund 1993). ``math.inf`` when ``2R <= T + P`` as in :func:`wsls_threshold`.
    """
    d = _check_delay(delay)
    base = wsls_threshold(game)
    if math.isinf(base) or base <= 0.0:
        return base
    return base ** (1.0 / (d + 1))


# --------------------------------------------------------------------------- eras and evolution


def basin_boundary(game: MatrixGame, delta: float) -> float:
    """TitForTat's share x* above which it out-earns AllD when relationships end after each round
    with probability ``1 - delta`` and a new one begins (the engine's eras).

    Renewal–reward (Axelrod 1984's ecological argument): a relationship lasts ``L = 1/(1 - δ)``
    rounds on average; per relationship TitForTat earns ``L R`` against TitForTat and
    ``S + (L - 1) P`` against AllD, AllD earns ``T + (L - 1) P`` against TitForTat and ``L P``
    against AllD. With a share x of TitForTat partners the two are equal at

        ``x* = (P - S) / (L (R - P) - (T - P) + (P - S))``

    (1/2, 1/7 and 1/17 for (5, 3, 1, 0) at δ = 0.6, 0.8, 0.9). Imitation compares payoffs
    summed over many relationships, so its direction is the sign of the difference whatever the
    intensity of selection. Returns a value ``>= 1`` (or ``math.inf``) when TitForTat never
    takes over, 0 when it always does.
    """
    g = _check_game(game)
    dlt = _check_unit("delta", delta)
    length = 1.0 / (1.0 - dlt)
    num, den = g.P - g.S, length * (g.R - g.P) - (g.T - g.P) + (g.P - g.S)
    if den <= 0:
        return math.inf if num > 0 else 0.0
    return max(num / den, 0.0)
