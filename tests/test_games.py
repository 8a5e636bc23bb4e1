"""Tests for model/games.py: validation, classification, named games and get_game.

Expected classes come from an independent reference written here from the definitions
(Rapoport & Guyer 1966): enumerate the pure Nash equilibria of the symmetric 2x2 game from the
payoff table and compare mutual cooperation with mutual defection (Pareto).  Class counts over
the 24 strict orderings are hand-derived (see ``test_class_counts_over_all_orderings``).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from model import games

MatrixGame = games.MatrixGame

FIELDS = ("T", "R", "P", "S")
CLASSES = {"prisoners_dilemma", "stag_hunt", "chicken", "harmony", "deadlock"}
C, D = 0, 1


# --------------------------------------------------------------------------- reference


def pure_nash_equilibria(T: float, R: float, P: float, S: float) -> set[tuple[int, int]]:
    """Pure equilibria (row action, column action) of the symmetric game, by brute force."""
    # Row player's payoff table written from the definitions: (C,C)->R, (C,D)->S, ...
    row = {(C, C): R, (C, D): S, (D, C): T, (D, D): P}

    def col(a: int, b: int) -> float:  # column player's payoff when row plays a, column b
        return row[(b, a)]

    equilibria = set()
    for a, b in itertools.product((C, D), repeat=2):
        row_best = all(row[(a, b)] >= row[(x, b)] for x in (C, D))
        col_best = all(col(a, b) >= col(a, y) for y in (C, D))
        if row_best and col_best:
            equilibria.add((a, b))
    return equilibria


def reference_class(T: float, R: float, P: float, S: float) -> str:
    """Classify from the equilibrium set and the Pareto comparison of CC with DD."""
    eq = pure_nash_equilibria(T, R, P, S)
    cc_beats_dd = R > P  # both players strictly prefer (C, C) to (D, D)
    if eq == {(C, C)}:
        return "harmony"
    if eq == {(D, D)}:
        return "prisoners_dilemma" if cc_beats_dd else "deadlock"
    if eq == {(C, C), (D, D)}:
        return "stag_hunt" if cc_beats_dd else "deadlock"
    if eq == {(C, D), (D, C)}:
        return "chicken"
    raise AssertionError(f"unexpected equilibrium set {eq} for {(T, R, P, S)}")


# --------------------------------------------------------------------------- classification


@pytest.mark.parametrize("values", [(1, 2, 3, 4), (-2.5, 0.0, 0.1, 7.0), (10, 20, 30, 1000)])
@pytest.mark.parametrize("perm", list(itertools.permutations(range(4))))
def test_classify_all_strict_orderings(values: tuple[float, ...], perm: tuple[int, ...]) -> None:
    T, R, P, S = (values[i] for i in perm)
    assert MatrixGame(T, R, P, S).classify() == reference_class(T, R, P, S)


def test_class_counts_over_all_orderings() -> None:
    # Hand count over the 24 orderings of (T, R, P, S): the signs of R-T and S-P are
    # independent, 6 orderings each.  harmony (R>T, S>P): 6; chicken (T>R, S>P): 6;
    # D dominant (T>R, P>S): 6, of which only T>R>P>S has R>P -> PD 1, deadlock 5;
    # coordination (R>T, P>S): 6, of which R>P means R is the maximum -> stag hunt 3
    # (T>P>S, P>T>S, P>S>T below R), deadlock 3.
    counts: dict[str, int] = dict.fromkeys(CLASSES, 0)
    for T, R, P, S in itertools.permutations((1, 2, 3, 4)):
        counts[MatrixGame(T, R, P, S).classify()] += 1
    assert counts == {
        "harmony": 6,
        "chicken": 6,
        "prisoners_dilemma": 1,
        "stag_hunt": 3,
        "deadlock": 8,
    }


def test_only_ordering_t_r_p_s_is_prisoners_dilemma() -> None:
    pds = [
        perm
        for perm in itertools.permutations((1, 2, 3, 4))
        if MatrixGame(*perm).classify() == "prisoners_dilemma"
    ]
    assert pds == [(4, 3, 2, 1)]  # T > R > P > S


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[st.integers(-3, 3)] * 4))
def test_classify_matches_reference_with_ties(payoffs: tuple[int, int, int, int]) -> None:
    T, R, P, S = payoffs
    assume(R != T and S != P)
    assert MatrixGame(T, R, P, S).classify() == reference_class(T, R, P, S)


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(*[st.integers(-5, 5)] * 4),
    st.floats(min_value=1e-3, max_value=1e3, allow_nan=False),
)
def test_classify_invariant_under_positive_scaling(
    payoffs: tuple[int, int, int, int], k: float
) -> None:
    T, R, P, S = payoffs
    assume(R != T and S != P)
    game = MatrixGame(T, R, P, S)
    assert game.scaled(k).classify() == game.classify()


@pytest.mark.parametrize(
    ("payoffs", "expected"),
    [
        ((5, 3, 1, 0), "prisoners_dilemma"),  # T > R > P > S
        ((3, 4, 3, 0), "stag_hunt"),  # R > T == P > S (Skyrms 2004)
        ((3, 4, 2, 0), "stag_hunt"),  # R > T > P > S
        ((2, 4, 3, 0), "stag_hunt"),  # R > P > T > S
        ((4, 3, 0, 1), "chicken"),  # T > R > S > P
        ((2, 3, 0, 1), "harmony"),  # R > T > S > P
        ((3, 1, 2, 0), "deadlock"),  # T > P > R > S
        ((1, 2, 3, 0), "deadlock"),  # P > R > T > S: coordination with DD preferred
        ((3, 2, 2, 0), "deadlock"),  # T > R == P > S: CC no better than DD
        ((3, 2, 2, 1), "deadlock"),  # R == P, D dominant
    ],
)
def test_classify_hand_cases(payoffs: tuple[int, int, int, int], expected: str) -> None:
    assert MatrixGame(*payoffs).classify() == expected


# --------------------------------------------------------------------------- named games


@pytest.mark.parametrize(
    ("game", "payoffs", "cls"),
    [
        ("PD", (5, 3, 1, 0), "prisoners_dilemma"),
        ("STAG_HUNT", (3, 4, 3, 0), "stag_hunt"),
        ("CHICKEN", (4, 3, 0, 1), "chicken"),
        ("HARMONY", (2, 3, 0, 1), "harmony"),
        ("DEADLOCK", (3, 1, 2, 0), "deadlock"),
    ],
)
def test_named_games(game: str, payoffs: tuple[int, ...], cls: str) -> None:
    g = getattr(games, game)
    assert g.as_tuple() == payoffs
    assert g.classify() == cls
    assert games.GAMES[cls] is g


def test_games_dict_keys_are_the_classes() -> None:
    assert set(games.GAMES) == CLASSES
    assert set(games.GAME_CLASSES) == CLASSES
    for name, g in games.GAMES.items():
        assert g.classify() == name


# --------------------------------------------------------------------------- validation


BAD_VALUES = [math.nan, math.inf, -math.inf, "3", None, True, False, np.bool_(True), [1], 1j]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bad", BAD_VALUES, ids=repr)
def test_invalid_payoff_names_field(field: str, bad: object) -> None:
    kwargs: dict[str, object] = {"T": 5, "R": 3, "P": 1, "S": 0}
    kwargs[field] = bad
    with pytest.raises(ValueError) as excinfo:
        MatrixGame(**kwargs)
    message = str(excinfo.value)
    assert re.search(rf"\b{field}\b", message), message
    for other in set(FIELDS) - {field}:
        assert not re.search(rf"\b{other}\b", message), message


def test_r_equal_t_rejected() -> None:
    with pytest.raises(ValueError, match=r"R and T are equal") as excinfo:
        MatrixGame(T=3, R=3, P=1, S=0)
    assert "indifferent" in str(excinfo.value)


def test_s_equal_p_rejected() -> None:
    with pytest.raises(ValueError) as excinfo:
        MatrixGame(T=5, R=3, P=1, S=1)
    message = str(excinfo.value)
    assert re.search(r"\bS\b", message) and re.search(r"\bP\b", message), message
    assert "indifferent" in message


def test_numeric_types_accepted_and_stored_as_float() -> None:
    g = MatrixGame(np.int64(5), np.float32(3.0), 1, 0.0)
    assert g.as_tuple() == (5.0, 3.0, 1.0, 0.0)
    assert all(type(v) is float for v in g.as_tuple())
    assert g == games.PD


def test_field_order_and_frozen() -> None:
    assert [f.name for f in dataclasses.fields(MatrixGame)] == list(FIELDS)
    g = MatrixGame(5, 3, 1, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.T = 6  # type: ignore[misc]
    assert hash(g) == hash(MatrixGame(5.0, 3.0, 1.0, 0.0))


# --------------------------------------------------------------------------- convenience


def test_payoff_matrix_indexing() -> None:
    m = games.PD.payoff_matrix()
    assert m.shape == (2, 2)
    # [my action][partner action], 0 = C, 1 = D
    assert m[C, C] == 3 and m[C, D] == 0 and m[D, C] == 5 and m[D, D] == 1


@settings(max_examples=100, deadline=None)
@given(st.tuples(*[st.integers(-5, 5)] * 4))
def test_payoff_matrix_best_replies_agree_with_equilibria(
    payoffs: tuple[int, int, int, int],
) -> None:
    T, R, P, S = payoffs
    assume(R != T and S != P)
    m = MatrixGame(T, R, P, S).payoff_matrix()
    best = [int(np.argmax(m[:, b])) for b in (C, D)]  # best reply to partner action b
    eq = {(a, b) for a in (C, D) for b in (C, D) if best[b] == a and best[a] == b}
    assert eq == pure_nash_equilibria(T, R, P, S)


def test_scaled() -> None:
    assert games.PD.scaled(2).as_tuple() == (10, 6, 2, 0)
    assert games.PD.scaled(0.5).as_tuple() == (2.5, 1.5, 0.5, 0.0)
    for bad in (0, -1, math.nan, math.inf, "2"):
        with pytest.raises(ValueError, match=r"\bk\b"):
            games.PD.scaled(bad)


def test_str() -> None:
    assert str(games.PD) == "MatrixGame(T=5, R=3, P=1, S=0) [prisoners_dilemma]"
    assert str(MatrixGame(5.5, 3, -0.5, -1)) == (
        "MatrixGame(T=5.5, R=3, P=-0.5, S=-1) [prisoners_dilemma]"
    )
    assert str(games.STAG_HUNT) == "MatrixGame(T=3, R=4, P=3, S=0) [stag_hunt]"


# --------------------------------------------------------------------------- get_game


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("PD", "prisoners_dilemma"),
        ("pd", "prisoners_dilemma"),
        ("prisoners-dilemma", "prisoners_dilemma"),
        ("Prisoners_Dilemma", "prisoners_dilemma"),
        ("prisoners dilemma", "prisoners_dilemma"),
        ("stag-hunt", "stag_hunt"),
        ("STAG_HUNT", "stag_hunt"),
        ("Chicken", "chicken"),
        ("snowdrift", "chicken"),
        ("hawk-dove", "chicken"),
        ("harmony", "harmony"),
        ("DEADLOCK", "deadlock"),
    ],
)
def test_get_game_names(name: str, cls: str) -> None:
    g = games.get_game(name)
    assert g is games.GAMES[cls]
    assert g.classify() == cls


def test_get_game_sequences_and_games() -> None:
    assert games.get_game((5, 3, 1, 0)) == games.PD
    assert games.get_game([4, 3, 0, 1]) == games.CHICKEN
    assert games.get_game(np.array([3.0, 4.0, 3.0, 0.0])) == games.STAG_HUNT
    custom = MatrixGame(7, 4, 2, 1)
    assert games.get_game(custom) is custom
    assert games.get_game((7, 4, 2, 1)).as_tuple() == (7, 4, 2, 1)


@pytest.mark.parametrize("bad", [(5, 3, 1), (5, 3, 1, 0, 0), np.zeros((2, 2))], ids=repr)
def test_get_game_wrong_length(bad: object) -> None:
    with pytest.raises(ValueError):
        games.get_game(bad)


def test_get_game_sequence_validation_names_field() -> None:
    with pytest.raises(ValueError, match=r"\bP\b"):
        games.get_game((5, 3, math.nan, 0))


def test_get_game_unknown_name_lists_allowed() -> None:
    with pytest.raises(ValueError) as excinfo:
        games.get_game("ultimatum")
    message = str(excinfo.value)
    assert "ultimatum" in message
    for cls in CLASSES:
        assert cls in message


def test_get_game_wrong_type() -> None:
    with pytest.raises(TypeError):
        games.get_game(5)
