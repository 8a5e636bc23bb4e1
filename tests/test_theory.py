"""Tests for model/theory.py: closed-form thresholds checked against hand arithmetic,
explicit finite sums (brute force) and monotonicity properties.

Hand values use Axelrod's (T, R, P, S) = (5, 3, 1, 0) unless stated otherwise.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from model import games, theory

MatrixGame = games.MatrixGame
PD = MatrixGame(5, 3, 1, 0)  # written out, independent of games.PD


# --------------------------------------------------------------------------- strategies


@st.composite
def prisoners_dilemmas(draw: st.DrawFn) -> object:
    """T > R > P > S built from positive gaps."""
    gap = st.floats(min_value=0.01, max_value=10.0, allow_nan=False)
    S = draw(st.floats(min_value=-10.0, max_value=10.0, allow_nan=False))
    P = S + draw(gap)
    R = P + draw(gap)
    T = R + draw(gap)
    assume(T > R > P > S)  # guard against rounding collapsing a gap
    return MatrixGame(T, R, P, S)


unit_floats = st.floats(min_value=0.0, max_value=0.95, allow_nan=False)


# --------------------------------------------------------------------------- hand values


def test_grim_hand_values() -> None:
    assert theory.grim_threshold(PD) == pytest.approx(0.5)  # (5-3)/(5-1)
    assert theory.grim_threshold(MatrixGame(4, 3, 1, 0)) == pytest.approx(1 / 3)  # 1/3
    assert theory.grim_threshold(MatrixGame(4, 3, 0, 1)) == pytest.approx(0.25)  # chicken 1/4


def test_grim_non_dilemmas() -> None:
    # deadlock (3, 1, 2, 0): (3-1)/(3-2) = 2 >= 1, no delta < 1 works; raw value returned
    assert theory.grim_threshold(MatrixGame(3, 1, 2, 0)) == pytest.approx(2.0)
    # harmony (2, 3, 0, 1): T < R, no temptation, every delta works
    assert theory.grim_threshold(MatrixGame(2, 3, 0, 1)) == 0.0
    # Skyrms stag hunt (3, 4, 3, 0): T - P = 0 and T < R: deviation never pays
    assert theory.grim_threshold(MatrixGame(3, 4, 3, 0)) == 0.0
    # D dominant with P > T (3, 1, 4, 0): punishment pays the deviator more -> precondition fails
    assert theory.grim_threshold(MatrixGame(3, 1, 4, 0)) == math.inf


def test_tft_hand_values() -> None:
    assert theory.tft_threshold(PD) == pytest.approx(2 / 3)  # max(2/4, 2/3)
    assert theory.tft_threshold(MatrixGame(4, 3, 1, 0)) == pytest.approx(1 / 3)  # max(1/3, 1/3)
    assert theory.tft_threshold(MatrixGame(10, 6, 2, 5)) == pytest.approx(4.0)  # max(1/2, 4/1)
    assert theory.tft_threshold(MatrixGame(3, 1, 2, 0)) == pytest.approx(2.0)  # max(2, 2)


def test_wsls_hand_values() -> None:
    # 2R = 6 is not > T + P = 6: WSLS is never an equilibrium in Axelrod's PD
    assert theory.wsls_threshold(PD) == math.inf
    # (4, 3, 1, 0): 2R = 6 > 5 -> (4-3)/(3-1) = 1/2
    assert theory.wsls_threshold(MatrixGame(4, 3, 1, 0)) == pytest.approx(0.5)
    # chicken (4, 3, 0, 1): 6 > 4 -> 1/3
    assert theory.wsls_threshold(MatrixGame(4, 3, 0, 1)) == pytest.approx(1 / 3)
    # (6, 3, 1, 0): 6 < 7 -> inf
    assert theory.wsls_threshold(MatrixGame(6, 3, 1, 0)) == math.inf


def test_gtft_hand_values() -> None:
    assert theory.gtft_generosity(PD) == pytest.approx(1 / 3)  # min(1 - 2/3, 2/4)
    assert theory.gtft_generosity(MatrixGame(4, 3, 1, 0)) == pytest.approx(2 / 3)  # min(2/3, 2/3)
    assert theory.gtft_generosity(MatrixGame(6, 3, 1, 0)) == pytest.approx(0.0, abs=1e-12)
    assert theory.gtft_generosity(MatrixGame(5, 4, 0, -1)) == pytest.approx(0.8)  # min(4/5, 4/5)
    assert theory.gtft_generosity(MatrixGame(9, 8, 0, -1)) == pytest.approx(8 / 9)  # min(8/9,8/9)
    assert theory.gtft_generosity(MatrixGame(9, 8, 4, -1)) == pytest.approx(0.8)  # min(8/9, 4/5)


def test_gtft_precondition() -> None:
    # T = 3 = P: (R - P)/(T - P) undefined
    with pytest.raises(ValueError, match="stag_hunt"):
        theory.gtft_generosity(MatrixGame(3, 4, 3, 0))


def test_delay_hand_values() -> None:
    assert theory.grim_threshold_delay(PD, 0) == pytest.approx(0.5)
    assert theory.grim_threshold_delay(PD, 1) == pytest.approx(math.sqrt(0.5))
    assert theory.grim_threshold_delay(PD, 2) == pytest.approx(0.5 ** (1 / 3))
    assert theory.grim_threshold_delay(MatrixGame(4, 3, 0, 1), 1) == pytest.approx(0.5)  # √(1/4)
    assert theory.grim_threshold_delay(MatrixGame(3, 1, 2, 0), 3) >= 1.0  # deadlock never
    assert theory.grim_threshold_delay(MatrixGame(2, 3, 0, 1), 3) == 0.0  # harmony always


def test_false_alarm_hand_values() -> None:
    assert theory.grim_threshold_false_alarms(PD, 0.0) == pytest.approx(0.5)
    assert theory.grim_threshold_false_alarms(PD, 0.1) == pytest.approx(0.5 / 0.9)
    assert theory.grim_threshold_false_alarms(PD, 0.5) == pytest.approx(1.0)  # 0.5/0.5
    assert theory.grim_threshold_false_alarms(PD, 0.6) == pytest.approx(1.25)  # none


def test_stakes_hand_values() -> None:
    # s_max = 2: 2*2 / (2*2 + 1*2) = 2/3
    assert theory.stakes_threshold(PD, 2.0) == pytest.approx(2 / 3)
    # s_max = E[s] = 1 recovers grim: 2/(2+2)
    assert theory.stakes_threshold(PD, 1.0) == pytest.approx(0.5)
    # s_max = 3, E[s] = 1.5: 6 / (6 + 3) = 2/3
    assert theory.stakes_threshold(PD, 3.0, mean_stake=1.5) == pytest.approx(2 / 3)
    # delta = 0.7: 0.7/0.3 * 2 = 4.67 >= 2*2 = 4; delta = 0.6: 0.6/0.4 * 2 = 3 < 4
    assert theory.stakes_sustainable(PD, 0.7, 2.0)
    assert not theory.stakes_sustainable(PD, 0.6, 2.0)
    # s_max = 1: 0.5/0.5 * 2 = 2 >= 2 at the grim threshold itself
    assert theory.stakes_sustainable(PD, 0.5, 1.0)


def test_stag_hunt_hand_values() -> None:
    skyrms = MatrixGame(3, 4, 3, 0)
    # p* = (3 - 0) / ((4 - 3) + (3 - 0)) = 3/4
    assert theory.stag_hunt_basin(skyrms) == pytest.approx(0.25)
    assert theory.risk_dominant(skyrms) == "defect"
    # (2, 5, 1, 0): R-T = 3 > P-S = 1, p* = 1/4
    assert theory.risk_dominant(MatrixGame(2, 5, 1, 0)) == "cooperate"
    assert theory.stag_hunt_basin(MatrixGame(2, 5, 1, 0)) == pytest.approx(0.75)
    # (3, 4, 1, 0): R-T = 1 = P-S, p* = 1/2
    assert theory.risk_dominant(MatrixGame(3, 4, 1, 0)) == "tie"
    assert theory.stag_hunt_basin(MatrixGame(3, 4, 1, 0)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("payoffs", "cls"),
    [((5, 3, 1, 0), "prisoners_dilemma"), ((4, 3, 0, 1), "chicken"), ((1, 2, 3, 0), "deadlock")],
)
@pytest.mark.parametrize("func", ["risk_dominant", "stag_hunt_basin"])
def test_stag_hunt_functions_reject_other_games(
    payoffs: tuple[int, ...], cls: str, func: str
) -> None:
    with pytest.raises(ValueError, match=cls):
        getattr(theory, func)(MatrixGame(*payoffs))


# --------------------------------------------------------------------------- brute force


def brute_force_basin(game: object, n: int = 100_000) -> float:
    """Share of a fine belief grid where C is a (weak) best reply, by direct comparison."""
    T, R, P, S = game.as_tuple()  # type: ignore[attr-defined]
    p = (np.arange(n) + 0.5) / n
    return float(np.mean(p * R + (1 - p) * S >= p * T + (1 - p) * P))


@pytest.mark.parametrize("payoffs", [(3, 4, 3, 0), (2, 5, 1, 0), (3, 4, 1, 0), (1, 7, 0.5, -2)])
def test_stag_hunt_basin_brute_force(payoffs: tuple[float, ...]) -> None:
    game = MatrixGame(*payoffs)
    assert theory.stag_hunt_basin(game) == pytest.approx(brute_force_basin(game), abs=1e-4)


def discounted_values(
    game: object, delta: float, delay: int, error: float, n: int = 2000
) -> tuple[float, float]:
    """Explicit finite sums of (cooperate forever, deviate now) under delayed grim + alarms.

    Cooperator: round t pays R unless a false alarm in some round m <= t - delay - 1 has
    started mutual defection (P).  Deviator: T for rounds 0..delay, then P.
    """
    T, R, P, _ = game.as_tuple()  # type: ignore[attr-defined]
    v_coop = v_dev = 0.0
    alive = 1.0  # probability that no false alarm is being punished in round t
    for t in range(n):
        if t > delay:
            alive *= 1.0 - error
        weight = delta**t
        v_coop += weight * (alive * R + (1.0 - alive) * P)
        v_dev += weight * (T if t <= delay else P)
    return v_coop, v_dev


@pytest.mark.parametrize(
    ("payoffs", "delay", "error"),
    [
        ((5, 3, 1, 0), 0, 0.0),
        ((5, 3, 1, 0), 1, 0.0),
        ((5, 3, 1, 0), 0, 0.1),
        ((5, 3, 1, 0), 1, 0.05),
        ((5, 3, 1, 0), 2, 0.1),
        ((5, 3, 1, 0), 3, 0.02),
        ((4, 3, 1, 0), 2, 0.05),
        ((4, 3, 0, 1), 1, 0.2),
        ((10, 7, 0, -2), 4, 0.01),
    ],
)
def test_calculating_threshold_brute_force(
    payoffs: tuple[float, ...], delay: int, error: float
) -> None:
    game = MatrixGame(*payoffs)
    star = theory.calculating_threshold(game, delay, error)
    assert 0.0 < star < 0.95
    # just below the threshold deviation pays, just above cooperation does
    below = discounted_values(game, star - 0.005, delay, error)
    above = discounted_values(game, star + 0.005, delay, error)
    assert below[0] < below[1]
    assert above[0] > above[1]
    # and the sign pattern is right on a whole grid of discount factors
    for delta in np.arange(0.02, 0.97, 0.02):
        if abs(delta - star) < 1e-3:
            continue
        v_coop, v_dev = discounted_values(game, float(delta), delay, error)
        assert (v_coop > v_dev) == (delta > star), (delta, v_coop, v_dev)


def test_calculating_threshold_no_root() -> None:
    # PD, delay 2, error 0.3: sup of the left side (R-P)(1-e)/(e(d+1)) = 2*0.7/0.9 < T-R = 2
    assert theory.calculating_threshold(PD, 2, 0.3) == math.inf
    # brute force agrees: deviation pays even at delta = 0.99
    v_coop, v_dev = discounted_values(PD, 0.99, 2, 0.3, n=5000)
    assert v_coop < v_dev
    # deadlock: never; harmony: always
    assert theory.calculating_threshold(MatrixGame(3, 1, 2, 0), 1, 0.1) == math.inf
    assert theory.calculating_threshold(MatrixGame(2, 3, 0, 1), 1, 0.1) == 0.0


# --------------------------------------------------------------------------- reductions


REDUCTION_GAMES = [(5, 3, 1, 0), (4, 3, 1, 0), (4, 3, 0, 1), (10, 6, 2, -1), (2.5, 2, 0.5, 0)]


@pytest.mark.parametrize("payoffs", REDUCTION_GAMES)
@pytest.mark.parametrize("delay", [0, 1, 2, 3, 5, 8, 13, 30, 100])
def test_calculating_reduces_to_delay(payoffs: tuple[float, ...], delay: int) -> None:
    game = MatrixGame(*payoffs)
    T, R, P, _ = payoffs
    expected = ((T - R) / (T - P)) ** (1 / (delay + 1))  # hand formula
    assert theory.grim_threshold_delay(game, delay) == pytest.approx(expected, rel=1e-12)
    assert theory.calculating_threshold(game, delay, 0.0) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("payoffs", REDUCTION_GAMES)
@pytest.mark.parametrize("error", [0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.45, 0.49, 0.6, 0.9])
def test_calculating_reduces_to_false_alarms(payoffs: tuple[float, ...], error: float) -> None:
    game = MatrixGame(*payoffs)
    T, R, P, _ = payoffs
    expected = (T - R) / ((1 - error) * (T - P))  # hand formula
    assert theory.grim_threshold_false_alarms(game, error) == pytest.approx(expected, rel=1e-12)
    got = theory.calculating_threshold(game, 0, error)
    if expected < 1.0:
        assert got == pytest.approx(expected, rel=1e-9)
    else:
        assert got == math.inf


@settings(max_examples=200, deadline=None)
@given(prisoners_dilemmas(), st.integers(0, 40))
def test_calculating_reduces_to_delay_property(game: object, delay: int) -> None:
    assert theory.calculating_threshold(game, delay, 0.0) == pytest.approx(
        theory.grim_threshold_delay(game, delay), rel=1e-9
    )


@settings(max_examples=200, deadline=None)
@given(prisoners_dilemmas(), unit_floats)
def test_calculating_reduces_to_false_alarms_property(game: object, error: float) -> None:
    expected = theory.grim_threshold_false_alarms(game, error)
    assume(abs(expected - 1.0) > 1e-9)
    got = theory.calculating_threshold(game, 0, error)
    if expected < 1.0:
        assert got == pytest.approx(expected, rel=1e-9)
    else:
        assert got == math.inf


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(prisoners_dilemmas())
def test_delay_threshold_increasing_and_in_unit_interval(game: object) -> None:
    values = [theory.grim_threshold_delay(game, d) for d in range(12)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(a < b for a, b in itertools.pairwise(values) if b < 1.0 - 1e-12)


@settings(max_examples=200, deadline=None)
@given(prisoners_dilemmas(), unit_floats, unit_floats)
def test_false_alarm_threshold_increasing_in_error(game: object, e1: float, e2: float) -> None:
    assume(abs(e1 - e2) > 1e-6)
    lo, hi = sorted((e1, e2))
    assert theory.grim_threshold_false_alarms(game, lo) < theory.grim_threshold_false_alarms(
        game, hi
    )
    assert theory.grim_threshold_false_alarms(game, lo) >= theory.grim_threshold(game)


@settings(max_examples=150, deadline=None)
@given(prisoners_dilemmas(), st.integers(0, 6), unit_floats)
def test_calculating_threshold_monotone(game: object, delay: int, error: float) -> None:
    star = theory.calculating_threshold(game, delay, error)
    assert star > 0.0
    # more delay or more noise never makes cooperation easier
    assert theory.calculating_threshold(game, delay + 1, error) >= star - 1e-12
    assert theory.calculating_threshold(game, delay, min(error + 0.02, 0.99)) >= star - 1e-12
    assert star >= theory.grim_threshold_delay(game, delay) - 1e-9
    fa = theory.grim_threshold_false_alarms(game, error)
    assert star >= (fa if fa < 1.0 else math.inf) - 1e-9


@settings(max_examples=200, deadline=None)
@given(prisoners_dilemmas())
def test_tft_at_least_grim_and_wsls_condition(game: object) -> None:
    T, R, P, _ = game.as_tuple()  # type: ignore[attr-defined]
    assert theory.tft_threshold(game) >= theory.grim_threshold(game)
    assert 0.0 < theory.grim_threshold(game) < 1.0  # every PD has a grim threshold below 1
    wsls = theory.wsls_threshold(game)
    margin = 1e-9 * max(1.0, abs(T), abs(P))  # at 2R = T + P the threshold is exactly 1
    if 2 * R > T + P + margin:
        assert 0.0 < wsls < 1.0
    elif 2 * R <= T + P:
        assert wsls == math.inf


@settings(max_examples=200, deadline=None)
@given(prisoners_dilemmas(), st.floats(min_value=0.01, max_value=100.0))
def test_thresholds_invariant_under_scaling(game: object, k: float) -> None:
    scaled = game.scaled(k)  # type: ignore[attr-defined]
    for func in (theory.grim_threshold, theory.tft_threshold, theory.gtft_generosity):
        assert func(scaled) == pytest.approx(func(game), rel=1e-9, abs=1e-12)
    assert theory.calculating_threshold(scaled, 2, 0.05) == pytest.approx(
        theory.calculating_threshold(game, 2, 0.05), rel=1e-9
    )


@settings(max_examples=200, deadline=None)
@given(
    prisoners_dilemmas(),
    st.floats(min_value=0.0, max_value=0.999),
    st.floats(min_value=1.0, max_value=20.0),
    st.floats(min_value=0.05, max_value=1.0),
)
def test_stakes_sustainable_agrees_with_threshold(
    game: object, delta: float, s_max: float, mean_fraction: float
) -> None:
    mean = s_max * mean_fraction
    star = theory.stakes_threshold(game, s_max, mean)
    assume(abs(delta - star) > 1e-9)
    assert theory.stakes_sustainable(game, delta, s_max, mean) == (delta > star)
    assert star >= theory.grim_threshold(game) - 1e-12  # irregular stakes never help


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, math.nan, math.inf, True, "0.5", None])
def test_delta_validation(bad: object) -> None:
    with pytest.raises(ValueError, match=r"delta.*\[0, 1\)"):
        theory.stakes_sustainable(PD, bad, 2.0)


@pytest.mark.parametrize("bad", [-1, 1.5, 1.0, True, "1", None])
def test_delay_validation(bad: object) -> None:
    with pytest.raises(ValueError, match=r"delay.*>= 0"):
        theory.grim_threshold_delay(PD, bad)
    with pytest.raises(ValueError, match=r"delay.*>= 0"):
        theory.calculating_threshold(PD, bad, 0.0)


@pytest.mark.parametrize("bad", [-0.01, 1.0, 2.0, math.nan, False, "0.1"])
def test_error_validation(bad: object) -> None:
    with pytest.raises(ValueError, match=r"error.*\[0, 1\)"):
        theory.grim_threshold_false_alarms(PD, bad)
    with pytest.raises(ValueError, match=r"error.*\[0, 1\)"):
        theory.calculating_threshold(PD, 0, bad)


def test_numpy_arguments_accepted() -> None:
    assert theory.grim_threshold_delay(PD, np.int64(1)) == pytest.approx(math.sqrt(0.5))
    assert theory.calculating_threshold(PD, np.int32(0), np.float64(0.1)) == pytest.approx(5 / 9)


@pytest.mark.parametrize(
    ("s_max", "mean", "name"),
    [(0.0, 1.0, "s_max"), (-1.0, 1.0, "s_max"), (2.0, 0.0, "mean_stake"), (1.0, 2.0, "mean_stake")],
)
def test_stakes_validation(s_max: float, mean: float, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        theory.stakes_threshold(PD, s_max, mean)
    with pytest.raises(ValueError, match=name):
        theory.stakes_sustainable(PD, 0.5, s_max, mean)


def test_game_type_checked() -> None:
    with pytest.raises(TypeError):
        theory.grim_threshold((5, 3, 1, 0))


def test_lognormal_stakes_threshold_hand_values():
    # σ = 0: the median stake is 1 → the grim threshold (5−3)/(5−1) = 0.5
    assert theory.lognormal_stakes_threshold(games.PD, 0.0) == pytest.approx(0.5)
    # σ = 1: m = e^(−1/2) = 0.60653; δ* = 2m / (2m + 2) = m / (m + 1) = 0.37754
    m = math.exp(-0.5)
    assert theory.lognormal_stakes_threshold(games.PD, 1.0) == pytest.approx(m / (m + 1))
    with pytest.raises(ValueError, match="sigma"):
        theory.lognormal_stakes_threshold(games.PD, -1.0)


def test_critical_deltas_axelrod_game() -> None:
    """Axelrod's (T, R, P, S) = (5, 3, 1, 0): Grim (T−R)/(T−P) = 1/2, TFT max(1/2, 2/3) = 2/3,
    no WSLS (2R = T + P; with T = 4 it is (T−R)/(R−P) = 1/2). With detection delay d = 1 Grim
    needs (R−P)δ²/(1−δ) ≥ (T−R)(1+δ), i.e. 2δ² ≥ 2(1−δ²), δ* = 1/√2. Games other than a PD
    give no threshold."""
    game = games.MatrixGame(T=5, R=3, P=1, S=0)
    out = theory.critical_deltas(game)
    assert out["Grim"] == pytest.approx(0.5)
    assert out["TitForTat"] == pytest.approx(2 / 3)
    assert "WinStayLoseShift" not in out
    wsls = theory.critical_deltas(games.MatrixGame(T=4, R=3, P=1, S=0))["WinStayLoseShift"]
    assert wsls == pytest.approx(0.5)
    assert theory.critical_deltas(game, delay=1)["Grim"] == pytest.approx(1 / math.sqrt(2))
    assert theory.critical_deltas(games.MatrixGame(T=3, R=4, P=1, S=0)) == {}
