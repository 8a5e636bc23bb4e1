"""Symmetric 2x2 games (C/D) and their classification by best-response structure.

A game is given by four payoffs to the *row* player (Rapoport & Chammah 1965 notation):

* ``R`` reward, mutual cooperation (C, C)
* ``S`` sucker's payoff (C, D)
* ``T`` temptation (D, C)
* ``P`` punishment, mutual defection (D, D)

The column player's payoffs are the transpose (the game is symmetric).

Classification (Rapoport & Guyer 1966 taxonomy of 2x2 games; names as in Skyrms 2004 and
Axelrod 1984).  Only strict preferences between C and D against each partner action are
allowed (``R != T`` and ``S != P``), so the best reply to C is C iff ``R > T`` and the best reply
to D is C iff ``S > P``.  That gives four best-response structures:

==========================  ======================================  ==========================
best replies                condition                               class
==========================  ======================================  ==========================
C dominant                  R > T and S > P                         ``harmony``
                                                                    (e.g. R > T > S > P)
D dominant                  T > R and P > S, and R > P              ``prisoners_dilemma``
                                                                    (T > R > P > S)
D dominant                  T > R and P > S, and P >= R             ``deadlock``
                                                                    (e.g. T > P > R > S)
coordination (CC and DD)    R > T and P > S, and R > P              ``stag_hunt``
                                                                    (R > T >= P > S, ...)
coordination (CC and DD)    R > T and P > S, and P >= R             ``deadlock`` (see below)
anti-coordination (CD, DC)  T > R and S > P                         ``chicken``
                                                                    (T > R > S > P)
==========================  ======================================  ==========================

In a coordination game where mutual defection pays at least as much as mutual cooperation
(``P >= R``), DD is a strict equilibrium that both players weakly prefer to CC, so there is no
dilemma of cooperation at all; like the dominance-solvable deadlock (Axelrod 1984: "mutual
defection is preferred") it is classified ``deadlock``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Final

import numpy as np

__all__ = [
    "CHICKEN",
    "CLASS_LABELS",
    "DEADLOCK",
    "GAMES",
    "GAME_CLASSES",
    "HARMONY",
    "PD",
    "STAG_HUNT",
    "MatrixGame",
    "class_label",
    "get_game",
]

#: The five class names returned by :meth:`MatrixGame.classify`.
GAME_CLASSES: Final[tuple[str, ...]] = (
    "prisoners_dilemma",
    "stag_hunt",
    "chicken",
    "harmony",
    "deadlock",
)

#: Plain-word labels of the classes, for tables, figures and the app.
CLASS_LABELS: Final[dict[str, str]] = {
    "prisoners_dilemma": "prisoner's dilemma",
    "stag_hunt": "stag hunt",
    "chicken": "chicken",
    "harmony": "harmony",
    "deadlock": "deadlock",
}


def class_label(game_class: str) -> str:
    """Plain words for a game class: ``"prisoners_dilemma"`` → ``"prisoner's dilemma"``."""
    return CLASS_LABELS.get(game_class, game_class.replace("_", " "))


def _check_payoff(name: str, value: object) -> float:
    """Return ``value`` as a float or raise ValueError naming the field ``name``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"payoff {name} must be a real finite number (int, float or numpy scalar), "
            f"got {value!r} of type {type(value).__name__}"
        )
    as_float = float(value)
    if not math.isfinite(as_float):
        raise ValueError(f"payoff {name} must be a real finite number, got {value!r}")
    return as_float


def _fmt(value: float) -> str:
    """Format a payoff compactly: integers without a decimal point, others by repr."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True, slots=True)
class MatrixGame:
    """Symmetric 2x2 game with payoffs T, R, P, S to the row player.

    Payoffs (Rapoport & Chammah 1965; Axelrod 1984): (C,C) -> R, (C,D) -> S, (D,C) -> T,
    (D,D) -> P.  All four must be real finite numbers (bools, strings, None, nan and inf are
    rejected); they are stored as floats.  Games in which a player is indifferent between C
    and D against some partner action (``R == T`` or ``S == P``) are rejected as degenerate,
    because the best-response classification (Rapoport & Guyer 1966) needs strict replies.
    """

    T: float
    R: float
    P: float
    S: float

    def __post_init__(self) -> None:
        """Validate and coerce the payoffs; raise one ValueError naming the bad field."""
        for f in fields(self):
            object.__setattr__(self, f.name, _check_payoff(f.name, getattr(self, f.name)))
        if self.R == self.T:
            raise ValueError(
                f"R and T are equal ({_fmt(self.R)}): a player would be indifferent between "
                "C and D when the partner cooperates; R (reward) and T (temptation) must differ"
            )
        if self.S == self.P:
            raise ValueError(
                f"S and P are equal ({_fmt(self.S)}): a player would be indifferent between "
                "C and D when the partner defects; S (sucker's payoff) and P (punishment) "
                "must differ"
            )

    def classify(self) -> str:
        """Return the game class from the best-response structure (Rapoport & Guyer 1966).

        * ``harmony``: C strictly dominant, ``R > T`` and ``S > P`` (e.g. R > T > S > P).
        * ``prisoners_dilemma``: D strictly dominant (``T > R`` and ``P > S``) and mutual
          cooperation beats the equilibrium, ``R > P`` (T > R > P > S; Axelrod 1984).
        * ``deadlock``: D strictly dominant and ``P >= R`` (T > P > R > S family), *or* a
          coordination game (``R > T`` and ``P > S``) with ``P >= R``: mutual defection is an
          equilibrium and is (weakly) preferred to mutual cooperation.
        * ``stag_hunt``: coordination game (``R > T`` and ``P > S``, pure equilibria CC and DD)
          with CC payoff dominant, ``R > P`` (R > T >= P > S and relatives; Skyrms 2004).
        * ``chicken``: anti-coordination, ``T > R`` and ``S > P`` (T > R > S > P; snowdrift /
          hawk-dove, Maynard Smith & Price 1973).
        """
        c_vs_c = self.R > self.T  # C is the best reply to C
        c_vs_d = self.S > self.P  # C is the best reply to D
        if c_vs_c and c_vs_d:
            return "harmony"
        if not c_vs_c and c_vs_d:
            return "chicken"
        # D is the best reply to D: D dominant (not c_vs_c) or a coordination game (c_vs_c).
        if self.P >= self.R:
            return "deadlock"
        return "stag_hunt" if c_vs_c else "prisoners_dilemma"

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return the payoffs in field order ``(T, R, P, S)`` (Axelrod 1984 notation)."""
        return (self.T, self.R, self.P, self.S)

    def payoff_matrix(self) -> np.ndarray:
        """Return the row player's 2x2 payoff matrix ``[[R, S], [T, P]]``.

        Indexed ``[my action][partner action]`` with 0 = C and 1 = D (Rapoport & Chammah
        1965 layout).  The column player's matrix is the transpose.
        """
        return np.array([[self.R, self.S], [self.T, self.P]], dtype=float)

    def scaled(self, k: float) -> MatrixGame:
        """Return the game with every payoff multiplied by ``k > 0``.

        A positive affine rescaling leaves best replies, equilibria and the class unchanged
        (von Neumann & Morgenstern 1944), as well as every threshold in ``model.theory``.
        """
        factor = _check_payoff("k", k)
        if factor <= 0:
            raise ValueError(f"scale factor k must be > 0 (positive scaling), got {k!r}")
        return MatrixGame(*(factor * v for v in self.as_tuple()))

    def __str__(self) -> str:
        """Return e.g. ``MatrixGame(T=5, R=3, P=1, S=0) [prisoners_dilemma]``."""
        body = ", ".join(f"{f.name}={_fmt(getattr(self, f.name))}" for f in fields(self))
        return f"MatrixGame({body}) [{self.classify()}]"


#: Prisoner's dilemma with Axelrod's tournament payoffs (Axelrod 1984).
PD: Final[MatrixGame] = MatrixGame(T=5, R=3, P=1, S=0)
#: Stag hunt (Skyrms 2004): hunting hare pays 3 whatever the partner does (T == P).
STAG_HUNT: Final[MatrixGame] = MatrixGame(T=3, R=4, P=3, S=0)
#: Chicken / snowdrift / hawk-dove, T > R > S > P (Rapoport & Chammah 1966).
CHICKEN: Final[MatrixGame] = MatrixGame(T=4, R=3, P=0, S=1)
#: Harmony: cooperation dominant, R > T > S > P (Rapoport & Guyer 1966).
HARMONY: Final[MatrixGame] = MatrixGame(T=2, R=3, P=0, S=1)
#: Deadlock, T > P > R > S (Axelrod 1984).
DEADLOCK: Final[MatrixGame] = MatrixGame(T=3, R=1, P=2, S=0)

#: The named games keyed by their class name.
GAMES: Final[dict[str, MatrixGame]] = {
    "prisoners_dilemma": PD,
    "stag_hunt": STAG_HUNT,
    "chicken": CHICKEN,
    "harmony": HARMONY,
    "deadlock": DEADLOCK,
}

_ALIASES: Final[dict[str, str]] = {
    "pd": "prisoners_dilemma",
    "prisoner_dilemma": "prisoners_dilemma",
    "prisoners_dilemma": "prisoners_dilemma",
    "prisoner's_dilemma": "prisoners_dilemma",
    "prisoners'_dilemma": "prisoners_dilemma",
    "ipd": "prisoners_dilemma",
    "stag_hunt": "stag_hunt",
    "staghunt": "stag_hunt",
    "stag": "stag_hunt",
    "sh": "stag_hunt",
    "chicken": "chicken",
    "snowdrift": "chicken",
    "hawk_dove": "chicken",
    "hawkdove": "chicken",
    "harmony": "harmony",
    "deadlock": "deadlock",
}


def get_game(name_or_tuple: str | Sequence[float] | np.ndarray | MatrixGame) -> MatrixGame:
    """Return a :class:`MatrixGame` from a class name, a ``(T, R, P, S)`` sequence or a game.

    Names are case-insensitive, ``-`` and spaces count as ``_``, and common aliases are
    accepted ("PD", "prisoners-dilemma", "stag-hunt", "snowdrift", "hawk-dove", ...).  Named
    games use the textbook payoffs of :data:`GAMES` (Axelrod 1984; Skyrms 2004).  An unknown
    name raises ValueError listing the allowed names; a sequence must have exactly four
    payoffs in the order T, R, P, S.
    """
    if isinstance(name_or_tuple, MatrixGame):
        return name_or_tuple
    if isinstance(name_or_tuple, str):
        key = name_or_tuple.strip().lower().replace("-", "_").replace(" ", "_")
        if key in _ALIASES:
            return GAMES[_ALIASES[key]]
        allowed = ", ".join(sorted(_ALIASES))
        raise ValueError(f"unknown game {name_or_tuple!r}; allowed names: {allowed}")
    if isinstance(name_or_tuple, np.ndarray):
        if name_or_tuple.ndim != 1:
            raise ValueError(
                "a game array must be one-dimensional (T, R, P, S), "
                f"got shape {name_or_tuple.shape}"
            )
        name_or_tuple = name_or_tuple.tolist()
    if isinstance(name_or_tuple, Sequence):
        values = list(name_or_tuple)
        if len(values) != 4:
            raise ValueError(
                f"a game sequence must hold exactly 4 payoffs (T, R, P, S), got {len(values)}"
            )
        return MatrixGame(*values)
    raise TypeError(
        "get_game expects a game name, a (T, R, P, S) sequence or a MatrixGame, "
        f"got {type(name_or_tuple).__name__}"
    )
