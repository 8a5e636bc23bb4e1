"""Closed-form results for repeated 2x2 games, used as test oracles for the simulation.

All functions are pure functions of a :class:`model.games.MatrixGame` (payoffs T, R, P, S to
the row player) and scalars, and return plain floats (or bool / str where stated).

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

import math
import numbers

import numpy as np
from scipy.optimize import brentq

from model.games import MatrixGame

__all__ = [
    "calculating_threshold",
    "critical_deltas",
    "grim_threshold",
    "grim_threshold_delay",
    "grim_threshold_false_alarms",
    "gtft_generosity",
    "risk_dominant",
    "stag_hunt_basin",
    "stakes_sustainable",
    "stakes_threshold",
    "tft_threshold",
    "wsls_threshold",
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
    """The critical δ of the classic reciprocal rules in ``game`` (a prisoner's dilemma).

    ``Grim`` is :func:`calculating_threshold` with the given detection ``delay`` and false-alarm
    rate ``error`` (Axelrod & Keohane 1985's reliability of information and quick feedback),
    ``TitForTat`` :func:`tft_threshold` and ``WinStayLoseShift`` :func:`wsls_threshold` (left
    out when 2R ≤ T + P, where WSLS never sustains cooperation). Empty for games that are not
    a prisoner's dilemma: there the folk-theorem threshold is not the question (in a stag hunt
    or harmony mutual cooperation is already an equilibrium of the stage game).
    """
    g = _check_game(game)
    if g.classify() != "prisoners_dilemma":
        return {}
    out = {"Grim": calculating_threshold(g, delay, error), "TitForTat": tft_threshold(g)}
    wsls = wsls_threshold(g)
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
