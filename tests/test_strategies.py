"""Tests for agents/strategies.py through experiments.play_match.

Every expected sequence and score below was worked out by hand from the strategy definitions
(PD payoffs T=5, R=3, P=1, S=0); none is produced by the engine. ``_payoff`` recomputes a score
from two hand-written strings as an independent arithmetic check of the hand-written totals.
"""

from __future__ import annotations

import math

import pytest

from agents.strategies import STRATEGIES, MemoryOne, get_strategy
from experiments import play_match
from model.games import PD

# payoff to the first player for (my move, partner's move), PD (T, R, P, S) = (5, 3, 1, 0)
_PAYOFF = {("C", "C"): 3, ("C", "D"): 0, ("D", "C"): 5, ("D", "D"): 1}


def _payoff(mine: str, theirs: str) -> int:
    """Sum of per-round payoffs of the player who played ``mine`` (independent of the engine)."""
    assert len(mine) == len(theirs)
    return sum(_PAYOFF[m, t] for m, t in zip(mine, theirs, strict=True))


ALL_C = "CCCCCCCCCC"
ALL_D = "DDDDDDDDDD"
ALT = "CDCDCDCDCD"  # Alternator ignores its partner

# (player, opponent, player's 10 moves, opponent's 10 moves, player's score) — all by hand.
FIRST_TEN = [
    # AllC
    ("AllC", "AllC", ALL_C, ALL_C, 30),  # 10 x R
    ("AllC", "AllD", ALL_C, ALL_D, 0),  # 10 x S
    ("AllC", "TitForTat", ALL_C, ALL_C, 30),
    ("AllC", "Alternator", ALL_C, ALT, 15),  # 5 x R + 5 x S
    # AllD
    ("AllD", "AllC", ALL_D, ALL_C, 50),  # 10 x T
    ("AllD", "AllD", ALL_D, ALL_D, 10),  # 10 x P
    ("AllD", "TitForTat", ALL_D, "CDDDDDDDDD", 14),  # T + 9 x P
    ("AllD", "Alternator", ALL_D, ALT, 30),  # 5 x T + 5 x P
    # TitForTat: C first, then the partner's previous move
    ("TitForTat", "AllC", ALL_C, ALL_C, 30),
    ("TitForTat", "AllD", "CDDDDDDDDD", ALL_D, 9),  # S + 9 x P
    ("TitForTat", "TitForTat", ALL_C, ALL_C, 30),
    ("TitForTat", "Alternator", "CCDCDCDCDC", ALT, 23),  # R, then (S, T) x 4, S
    # SuspiciousTitForTat: D first, then copy
    ("SuspiciousTitForTat", "AllC", "DCCCCCCCCC", ALL_C, 32),  # T + 9 x R
    ("SuspiciousTitForTat", "AllD", ALL_D, ALL_D, 10),
    ("SuspiciousTitForTat", "TitForTat", "DCDCDCDCDC", "CDCDCDCDCD", 25),  # (T, S) x 5
    ("SuspiciousTitForTat", "Alternator", "DCDCDCDCDC", ALT, 25),  # (T, S) x 5
    # TitForTwoTats: D only after two consecutive partner Ds
    ("TitForTwoTats", "AllC", ALL_C, ALL_C, 30),
    ("TitForTwoTats", "AllD", "CCDDDDDDDD", ALL_D, 8),  # 2 x S + 8 x P
    ("TitForTwoTats", "TitForTat", ALL_C, ALL_C, 30),
    ("TitForTwoTats", "Alternator", ALL_C, ALT, 15),  # never two Ds in a row
    # Grim: D for ever from the round after the partner's first D
    ("Grim", "AllC", ALL_C, ALL_C, 30),
    ("Grim", "AllD", "CDDDDDDDDD", ALL_D, 9),
    ("Grim", "TitForTat", ALL_C, ALL_C, 30),
    ("Grim", "Alternator", "CCDDDDDDDD", ALT, 27),  # R, S, then (T, P) x 4
    # WinStayLoseShift: C first; C iff both played the same last round
    ("WinStayLoseShift", "AllC", ALL_C, ALL_C, 30),
    ("WinStayLoseShift", "AllD", "CDCDCDCDCD", ALL_D, 5),  # (S, P) x 5
    ("WinStayLoseShift", "TitForTat", ALL_C, ALL_C, 30),
    # CC->C, CD->D, DC->D, DD->C: period 4 (CC, CD, DC, DD): (R, S, T, P) x 2 + R, S
    ("WinStayLoseShift", "Alternator", "CCDDCCDDCC", ALT, 21),
    # Calculating: like TitForTat (no noise, δ = 0.95 >= grim threshold 0.5)
    ("Calculating", "AllC", ALL_C, ALL_C, 30),
    ("Calculating", "AllD", "CDDDDDDDDD", ALL_D, 9),
    ("Calculating", "TitForTat", ALL_C, ALL_C, 30),
    ("Calculating", "Alternator", "CCDCDCDCDC", ALT, 23),
    # CooperativeHegemon: D only while the partner has defected 3 rounds in a row
    ("CooperativeHegemon", "AllC", ALL_C, ALL_C, 30),
    ("CooperativeHegemon", "AllD", "CCCDDDDDDD", ALL_D, 7),  # 3 x S + 7 x P
    ("CooperativeHegemon", "TitForTat", ALL_C, ALL_C, 30),
    ("CooperativeHegemon", "Alternator", ALL_C, ALT, 15),
    # CoerciveHegemon: 4 rounds of D after each partner D (a D restarts the count)
    ("CoerciveHegemon", "AllC", ALL_C, ALL_C, 30),
    ("CoerciveHegemon", "AllD", "CDDDDDDDDD", ALL_D, 9),
    ("CoerciveHegemon", "TitForTat", ALL_C, ALL_C, 30),
    # Alternator's Ds in rounds 2, 4, 6, ... keep the punishment going from round 3 on
    ("CoerciveHegemon", "Alternator", "CCDDDDDDDD", ALT, 27),
    # Alternator: C, D, C, D, ... whatever the partner does
    ("Alternator", "AllC", ALT, ALL_C, 40),  # (R, T) x 5
    ("Alternator", "AllD", ALT, ALL_D, 5),  # (S, P) x 5
    ("Alternator", "TitForTat", ALT, "CCDCDCDCDC", 28),  # R, then (T, S) x 4, T
    ("Alternator", "Alternator", ALT, ALT, 20),  # (R, P) x 5
]


def test_table_covers_every_classic_against_every_probe() -> None:
    players = {row[0] for row in FIRST_TEN}
    assert players == {
        "AllC",
        "AllD",
        "TitForTat",
        "SuspiciousTitForTat",
        "TitForTwoTats",
        "Grim",
        "WinStayLoseShift",
        "Calculating",
        "CooperativeHegemon",
        "CoerciveHegemon",
        "Alternator",
    }
    assert len(FIRST_TEN) == len(players) * 4
    assert players <= set(STRATEGIES)


@pytest.mark.parametrize(
    ("mine", "theirs", "score"),
    [(r[2], r[3], r[4]) for r in FIRST_TEN],
    ids=[f"{r[0]}-vs-{r[1]}" for r in FIRST_TEN],
)
def test_hand_scores_match_hand_sequences(mine: str, theirs: str, score: int) -> None:
    """Arithmetic check of the hand-written table itself (no engine involved)."""
    assert _payoff(mine, theirs) == score


@pytest.mark.parametrize(
    ("a", "b", "moves_a", "moves_b", "score_a"),
    FIRST_TEN,
    ids=[f"{r[0]}-vs-{r[1]}" for r in FIRST_TEN],
)
def test_first_ten_moves(a: str, b: str, moves_a: str, moves_b: str, score_a: int) -> None:
    r = play_match(a, b, rounds=10, game=PD, noise=0.0, seed=1)
    assert (r.actions_a, r.actions_b) == (moves_a, moves_b)
    assert r.score_a == score_a
    assert r.score_b == _payoff(moves_b, moves_a)
    assert r.rounds == 10


# ---------------------------------------------------------------------------------------------
# MemoryOne


TFT_VECTOR = (1, 1, 0, 1, 0)


@pytest.mark.parametrize(
    ("opponent", "tft_moves", "opp_moves"),
    [
        ("AllC", ALL_C, ALL_C),
        ("AllD", "CDDDDDDDDD", ALL_D),
        ("Alternator", "CCDCDCDCDC", ALT),
        ("SuspiciousTitForTat", "CDCDCDCDCD", "DCDCDCDCDC"),
        ("WinStayLoseShift", ALL_C, ALL_C),
        ("TitForTwoTats", ALL_C, ALL_C),
    ],
)
@pytest.mark.parametrize(
    "spec", [MemoryOne(*TFT_VECTOR), "MemoryOne(1, 1, 0, 1, 0)"], ids=["instance", "string"]
)
def test_memory_one_tft_vector_plays_like_tit_for_tat(
    spec, opponent: str, tft_moves: str, opp_moves: str
) -> None:
    m1 = play_match(spec, opponent, rounds=10, seed=1)
    tft = play_match("TitForTat", opponent, rounds=10, seed=1)
    assert (m1.actions_a, m1.actions_b) == (tft_moves, opp_moves)  # hand-derived
    assert (m1.actions_a, m1.actions_b, m1.score_a, m1.score_b) == (
        tft.actions_a,
        tft.actions_b,
        tft.score_a,
        tft.score_b,
    )


@pytest.mark.parametrize("spec", [MemoryOne(*TFT_VECTOR), "TitForTat"])
def test_tft_vector_copies_a_random_partner(spec) -> None:
    """Against Random, TFT's move in round t+1 is the partner's move in round t."""
    r = play_match(spec, "Random", rounds=300, seed=7)
    assert r.actions_a[0] == "C"
    assert r.actions_a[1:] == r.actions_b[:-1]
    assert "C" in r.actions_b and "D" in r.actions_b  # the partner really was mixed


FIELDS = ("p_first", "p_cc", "p_cd", "p_dc", "p_dd")


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, True, "0.5"])
@pytest.mark.parametrize("position", range(5), ids=FIELDS)
def test_memory_one_rejects_non_probabilities(position: int, bad) -> None:
    probs = [0.5] * 5
    probs[position] = bad
    with pytest.raises(ValueError, match=FIELDS[position]):
        MemoryOne(*probs)


def test_memory_one_accepts_bounds_and_names_itself() -> None:
    m = MemoryOne(0, 1, 0.25, 1.0, 0)
    assert m.vector == (0.0, 1.0, 0.25, 1.0, 0.0)
    assert m.name == "MemoryOne(0, 1, 0.25, 1, 0)"


# ---------------------------------------------------------------------------------------------
# get_strategy


def test_get_strategy_random_with_parameter() -> None:
    s = get_strategy("Random(0.3)")
    assert isinstance(s, MemoryOne)
    assert s.vector == (0.3,) * 5
    assert s.name == "Random(0.3)"
    assert get_strategy("Random").vector == (0.5,) * 5


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("TFT", "TitForTat"),
        ("WSLS", "WinStayLoseShift"),
        ("tft", "TitForTat"),
        ("Pavlov", "WinStayLoseShift"),
        ("GTFT", "GenerousTitForTat"),
    ],
)
def test_get_strategy_aliases(alias: str, name: str) -> None:
    s = get_strategy(alias)
    assert s is STRATEGIES[name]
    assert s.name == name


def test_get_strategy_names_and_instances() -> None:
    for name, rule in STRATEGIES.items():
        assert get_strategy(name) is rule
        assert get_strategy(rule) is rule
    assert get_strategy("MemoryOne(1, 1, 0, 0, 1)").vector == (1.0, 1.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize("spec", ["NoSuchStrategy", "", "Tit For Tat", "AllC(", "1TFT"])
def test_get_strategy_unknown_name_lists_allowed(spec: str) -> None:
    with pytest.raises(ValueError, match="unknown strategy") as info:
        get_strategy(spec)
    message = str(info.value)
    for name in STRATEGIES:
        assert name in message


def test_get_strategy_bad_parameter_is_value_error() -> None:
    with pytest.raises(ValueError, match="p_first"):
        get_strategy("Random(2)")
    with pytest.raises(ValueError, match="five probabilities"):
        get_strategy("MemoryOne")


# ---------------------------------------------------------------------------------------------
# Stochastic rules: binomial 4-sigma bounds


def _within_four_sigma(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p))


def test_generous_tft_forgives_all_d_a_third_of_the_time() -> None:
    n = 4000
    r = play_match("GenerousTitForTat", "AllD", rounds=n, seed=3)
    assert r.actions_b == "D" * n
    assert r.actions_a[0] == "C"  # first move is C, not a forgiveness
    forgiven = r.actions_a[1:].count("C")  # rounds 2..N each forgive with q = 1/3
    assert _within_four_sigma(forgiven, n - 1, 1 / 3), forgiven
    # and not merely within a wide band: clearly neither TFT (0) nor 1/2
    assert not _within_four_sigma(forgiven, n - 1, 1 / 2)


def test_random_03_cooperates_thirty_percent() -> None:
    n = 4000
    r = play_match("Random(0.3)", "AllC", rounds=n, seed=5)
    assert r.actions_b == "C" * n
    cooperations = r.actions_a.count("C")
    assert _within_four_sigma(cooperations, n, 0.3), cooperations
    assert not _within_four_sigma(cooperations, n, 0.5)
    # score is consistent with the moves: R per C, T per D against AllC
    assert r.score_a == 3 * cooperations + 5 * (n - cooperations)
