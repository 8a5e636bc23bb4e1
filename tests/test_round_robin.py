"""The classic 7-strategy round robin (Axelrod 1984), 200 rounds, no noise, PD (5, 3, 1, 0).

Every cell below was derived by hand from the move sequences (comments); the engine is only
ever the thing under test. Cell [player][opponent] = player's total score against opponent;
self-play cells are the mean of both sides (equal here, both sides play the same sequence).
"""

from __future__ import annotations

import pandas as pd
import pytest

from experiments import tournament

N = 200
PLAYERS = [
    "AllC",
    "AllD",
    "TitForTat",
    "Grim",
    "WinStayLoseShift",
    "TitForTwoTats",
    "SuspiciousTitForTat",
]

# fmt: off
EXPECTED: dict[str, dict[str, int]] = {
    "AllC": {
        "AllC": 600,                  # 200 x R
        "AllD": 0,                    # 200 x S
        "TitForTat": 600,             # all C
        "Grim": 600,                  # all C
        "WinStayLoseShift": 600,      # all C
        "TitForTwoTats": 600,         # all C
        "SuspiciousTitForTat": 597,   # STFT D first, then C: S + 199 x R
    },
    "AllD": {
        "AllC": 1000,                 # 200 x T
        "AllD": 200,                  # 200 x P
        "TitForTat": 204,             # TFT C once: T + 199 x P
        "Grim": 204,                  # Grim C once: T + 199 x P
        "WinStayLoseShift": 600,      # WSLS alternates C, D: 100 x T + 100 x P
        "TitForTwoTats": 208,         # TF2T C, C then D: 2 x T + 198 x P
        "SuspiciousTitForTat": 200,   # all D
    },
    "TitForTat": {
        "AllC": 600,
        "AllD": 199,                  # S + 199 x P
        "TitForTat": 600,
        "Grim": 600,
        "WinStayLoseShift": 600,
        "TitForTwoTats": 600,
        "SuspiciousTitForTat": 500,   # TFT CDCD.., STFT DCDC..: 100 x S + 100 x T
    },
    "Grim": {
        "AllC": 600,
        "AllD": 199,                  # S + 199 x P
        "TitForTat": 600,
        "Grim": 600,
        "WinStayLoseShift": 600,
        "TitForTwoTats": 600,
        "SuspiciousTitForTat": 203,   # Grim CDDD.., STFT DCDD..: S + T + 198 x P
    },
    "WinStayLoseShift": {
        "AllC": 600,
        "AllD": 100,                  # WSLS CDCD..: 100 x S + 100 x P
        "TitForTat": 600,
        "Grim": 600,
        "WinStayLoseShift": 600,
        "TitForTwoTats": 600,
        # (W, S) cycles (C,D), (D,C), (D,D) with period 3 from round 1:
        # 66 cycles x (S + T + P = 6) + rounds 199 (C,D) = 0 and 200 (D,C) = 5 -> 401
        "SuspiciousTitForTat": 401,
    },
    "TitForTwoTats": {
        "AllC": 600,
        "AllD": 198,                  # 2 x S + 198 x P
        "TitForTat": 600,
        "Grim": 600,
        "WinStayLoseShift": 600,
        "TitForTwoTats": 600,
        "SuspiciousTitForTat": 597,   # STFT's single D is forgiven: S + 199 x R
    },
    "SuspiciousTitForTat": {
        "AllC": 602,                  # T + 199 x R
        "AllD": 200,                  # all D
        "TitForTat": 500,             # 100 x T + 100 x S
        "Grim": 203,                  # T + S + 198 x P
        "WinStayLoseShift": 401,      # 66 x (T + S + P = 6) + T (round 199) + S (round 200)
        "TitForTwoTats": 602,         # T + 199 x R
        "SuspiciousTitForTat": 200,   # D first, then copying a D for ever: 200 x P
    },
}

# Row sums, added up by hand:
HAND_TOTALS = {
    "TitForTwoTats": 3795,        # 5 x 600 + 198 + 597
    "TitForTat": 3699,            # 5 x 600 + 199 + 500
    "AllC": 3597,                 # 5 x 600 + 0 + 597
    "WinStayLoseShift": 3501,     # 5 x 600 + 100 + 401
    "Grim": 3402,                 # 5 x 600 + 199 + 203
    "SuspiciousTitForTat": 2708,  # 602 + 200 + 500 + 203 + 401 + 602 + 200
    "AllD": 2616,                 # 1000 + 200 + 204 + 204 + 600 + 208 + 200
}
# fmt: on
HAND_RANKING = list(HAND_TOTALS)  # best first, no ties


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return tournament(PLAYERS, rounds=N, repetitions=1, noise=0.0, seed=1)


def test_hand_totals_are_row_sums() -> None:
    """Arithmetic check of the hand-written numbers (no engine)."""
    assert set(EXPECTED) == set(PLAYERS) == set(HAND_TOTALS)
    for player, row in EXPECTED.items():
        assert set(row) == set(PLAYERS)
        assert sum(row.values()) == HAND_TOTALS[player], player
    # sanity: a pair can never earn more together than mutual cooperation, 2 x 200 x R
    for a in PLAYERS:
        for b in PLAYERS:
            assert EXPECTED[a][b] + EXPECTED[b][a] <= 2 * N * 3


def test_columns_and_index(table: pd.DataFrame) -> None:
    assert list(table.columns) == [*PLAYERS, "total", "per_round", "rank"]
    assert set(table.index) == set(PLAYERS)


@pytest.mark.parametrize("opponent", PLAYERS)
@pytest.mark.parametrize("player", PLAYERS)
def test_cell(table: pd.DataFrame, player: str, opponent: str) -> None:
    assert table.loc[player, opponent] == EXPECTED[player][opponent]


def test_whole_table(table: pd.DataFrame) -> None:
    expected = pd.DataFrame(EXPECTED).T.loc[PLAYERS, PLAYERS].astype(float)
    pd.testing.assert_frame_equal(table.loc[PLAYERS, PLAYERS], expected, check_names=False)


def test_totals_per_round_and_ranking(table: pd.DataFrame) -> None:
    assert list(table.index) == HAND_RANKING
    assert table["total"].to_dict() == HAND_TOTALS
    for player, total in HAND_TOTALS.items():
        assert table.loc[player, "per_round"] == pytest.approx(total / (7 * N))
    assert table["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_ties_share_the_minimum_rank() -> None:
    # AllC, TitForTat and Grim cooperate with each other and themselves for all 200 rounds:
    # every cell is 200 x R = 600, every total 1800, so all three share rank 1.
    # Adding AllD: each nice player scores S + 199 x P = 199 (AllC: 0) against it ...
    t = tournament(["AllC", "TitForTat", "Grim", "AllD"], rounds=N, seed=1)
    # TitForTat, Grim: 3 x 600 + 199 = 1999; AllC: 3 x 600 + 0 = 1800
    # AllD: 1000 (vs AllC) + 204 + 204 + 200 = 1608
    assert t["total"].to_dict() == {"TitForTat": 1999, "Grim": 1999, "AllC": 1800, "AllD": 1608}
    assert t["rank"].to_dict() == {"TitForTat": 1, "Grim": 1, "AllC": 3, "AllD": 4}
    assert list(t.index) == ["TitForTat", "Grim", "AllC", "AllD"]  # stable among the tie
    t3 = tournament(["AllC", "TitForTat", "Grim"], rounds=N, seed=1)
    assert t3["total"].tolist() == [1800, 1800, 1800]
    assert t3["rank"].tolist() == [1, 1, 1]


def test_repetitions_do_not_change_a_deterministic_table(table: pd.DataFrame) -> None:
    t3 = tournament(PLAYERS, rounds=N, repetitions=3, noise=0.0, seed=2)
    expected = pd.DataFrame(EXPECTED).T.loc[PLAYERS, PLAYERS].astype(float)
    pd.testing.assert_frame_equal(t3.loc[PLAYERS, PLAYERS], expected, check_names=False)
    assert t3["total"].to_dict() == HAND_TOTALS
    assert list(t3.index) == HAND_RANKING
