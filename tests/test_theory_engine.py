"""Theory that describes the engine: exact values and thresholds of model.theory against hand
derivations and against the engine's own payoff streams.

What is checked:

1. The Markov-chain values of Grim vs Grim and AllD vs Grim (``theory.grim_values``) against
   closed forms derived by hand (ε = 0 with any delay d; d = 0 with any ε), and the engine-true
   threshold ``grim_threshold_two_sided`` against ``calculating_threshold`` (ε = 0) and against
   the one-sided formula as a lower bound (d = 0).
2. TitForTat with delay: the MDP threshold ``tft_threshold_delay`` against Axelrod's formula
   (d = 0) and its residue-class closed form; the MDP's best reply against an enumeration of
   eventually periodic deviations simulated here by hand; WSLS with delay likewise.
3. The engine's payoff streams (``PairwiseEngine``, two countries, geometric horizon with
   continuation δ, so that the expected realised total equals the δ-discounted value): means
   within 4 standard errors of the chain / MDP values, and the sign of comply − deviate on both
   sides of δ* (paired by replicate: the horizon stream depends only on the seed and the
   replicate, so both runs of a pair share their horizons), each side > 4 SE.

Expected values come from the chain, the MDP or the hand derivations below, never from a run.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from model import theory
from model.config import ModelConfig
from model.engine import PairwiseEngine
from model.games import CHICKEN, DEADLOCK, HARMONY, PD, STAG_HUNT, MatrixGame

Z = 4.0  # tolerance in standard errors
RANDOM_PDS = [
    MatrixGame(*sorted(np.random.default_rng(k).uniform(-3.0, 8.0, 4), reverse=True))
    for k in range(8)
]
WSLS_GAME = MatrixGame(T=4, R=3, P=1, S=0)  # 2R > T + P: WSLS threshold (T−R)/(R−P) = 1/2
CYCLE = "MemoryOne(0, 0, 0, 1, 1)"  # D first, then the opposite of my move in the observed round


# --------------------------------------------------------------------------- helpers


def _totals(
    rule: str,
    partner: str,
    *,
    delta: float,
    error: float = 0.0,
    delay: int = 0,
    replicates: int,
    seed: int,
) -> np.ndarray:
    """Realised total payoff of country 0 (playing ``rule``) per replicate, geometric horizon."""
    config = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=(rule, partner),
        game=PD,
        horizon="geometric",
        evolution="none",
        continuation=delta,
        rounds=2000,
        observation_error=error,
        observation_delay=delay,
    )
    engine = PairwiseEngine(config, seed=seed, replicates=replicates).run()
    assert engine.horizon.max() < 2000, "the horizon cap bound: the total is not the value"
    return engine.country_payoffs(total=True)[:, 0]


def _assert_mean(x: np.ndarray, expected: float, what: str) -> None:
    mean, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
    assert se > 0, f"{what}: zero spread"
    assert abs(mean - expected) <= Z * se, (
        f"{what}: engine {mean:.4f} vs theory {expected:.4f} ({(mean - expected) / se:+.1f} SE)"
    )


def _assert_sign(diff: np.ndarray, sign: int, what: str) -> None:
    mean, se = float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))
    assert sign * mean > Z * se, f"{what}: mean {mean:+.4f}, SE {se:.4f}: not {sign:+d} by 4 SE"


def _grim_closed_form_d0(g: MatrixGame, delta: float, e: float) -> tuple[float, float]:
    """Hand derivation, d = 0, values minus P/(1−δ). AllD vs Grim: Grim stays C while it misreads
    every D (prob e a round), so AllD earns T − P (over P) in round t with prob e^t:
    (T − P)/(1 − δe). Grim vs Grim: from CC both stay untriggered w.p. (1 − e)², exactly one
    triggers w.p. e(1 − e) each (state DC worth (T − P)/(1 − δe) to me, CD worth (S − P)/(1 − δe):
    the cooperator reads the D correctly w.p. 1 − e a round), both w.p. e² (DD, worth 0)."""
    deviate = (g.T - g.P) / (1 - delta * e)
    one = delta * e * (1 - e) * (g.T + g.S - 2 * g.P) / (1 - delta * e)
    comply = ((g.R - g.P) + one) / (1 - delta * (1 - e) ** 2)
    return comply, deviate


def _grim_star_d0(g: MatrixGame, e: float) -> float:
    """Setting comply = deviate above and multiplying by (1 − δe)(1 − δ(1 − e)²) gives a linear
    condition δ·[(T−P)(1−e)² − e(R−P) + e(1−e)(T+S−2P)] ≥ T − R."""
    return (g.T - g.R) / (
        (g.T - g.P) * (1 - e) ** 2 - e * (g.R - g.P) + e * (1 - e) * (g.T + g.S - 2 * g.P)
    )


def _play_against(kind: str, seqs: np.ndarray, delay: int, rounds: int) -> np.ndarray:
    """Moves (True = C) of TFT or WSLS with observation delay ``delay`` against the deviator's
    move sequences ``seqs`` (n, rounds), written out from the engine's rules: first move C in
    rounds 0..d, then TFT copies the deviator's move of round t−1−d, WSLS plays C iff its own
    and the deviator's moves of round t−1−d agree."""
    n = seqs.shape[0]
    y = np.ones((n, rounds), bool)
    for t in range(delay + 1, rounds):
        s = t - 1 - delay
        y[:, t] = seqs[:, s] if kind == "TFT" else seqs[:, s] == y[:, s]
    return y


def _values(g: MatrixGame, x: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    pay = np.where(x, np.where(y, g.R, g.S), np.where(y, g.T, g.P))
    return pay @ (delta ** np.arange(x.shape[1]))


def _cycle_value(delta: float, delay: int, rounds: int = 800) -> float:
    """Value against TFT-with-delay of the cycle D^(d+1) C^(d+1) ..., simulated by hand."""
    block = [False] * (delay + 1) + [True] * (delay + 1)
    seq = np.array([(block * (rounds // len(block) + 1))[:rounds]])
    return float(_values(PD, seq, _play_against("TFT", seq, delay, rounds), delta)[0])


def _periodic(prefix_max: int, cycle_max: int, rounds: int) -> np.ndarray:
    """All eventually periodic sequences with prefix ≤ prefix_max and cycle ≤ cycle_max."""
    out = []
    for k in range(prefix_max + 1):
        for m in range(1, cycle_max + 1):
            for bits in itertools.product((False, True), repeat=k + m):
                head, cycle = bits[:k], bits[k:]
                out.append(list(head) + [cycle[i % m] for i in range(rounds - k)])
    return np.array(out, bool)


# --------------------------------------------------------------------------- 1. Grim: chain


@pytest.mark.parametrize("delay", [0, 1, 2, 5])
@pytest.mark.parametrize("delta", [0.2, 0.6, 0.93])
def test_grim_values_without_error_closed_forms(delay: int, delta: float) -> None:
    """ε = 0: V(Grim|Grim) = R/(1−δ); AllD earns T until Grim sees the first D, d rounds late:
    V(AllD|Grim) = T(1−δ^(d+1))/(1−δ) + δ^(d+1) P/(1−δ)."""
    for g in (PD, *RANDOM_PDS[:3]):
        v = theory.grim_values(g, delta, 0.0, delay)
        k = delta ** (delay + 1)
        assert v.comply == pytest.approx(g.R / (1 - delta), rel=1e-10)
        assert v.deviate == pytest.approx((g.T * (1 - k) + k * g.P) / (1 - delta), rel=1e-10)


@pytest.mark.parametrize("error", [0.01, 0.05, 0.1, 0.2, 0.4])
@pytest.mark.parametrize("delta", [0.1, 0.55, 0.9, 0.999])
def test_grim_values_two_sided_closed_forms(error: float, delta: float) -> None:
    """d = 0, two-sided misreading: the chain equals the hand-derived closed forms."""
    for g in (PD, *RANDOM_PDS[:3]):
        v = theory.grim_values(g, delta, error)
        comply, deviate = _grim_closed_form_d0(g, delta, error)
        base = g.P / (1 - delta)
        assert v.comply - base == pytest.approx(comply, rel=1e-9, abs=1e-9)
        assert v.deviate - base == pytest.approx(deviate, rel=1e-9, abs=1e-9)
        # missed defections only help the deviator: the one-sided value T + δP/(1−δ) is a bound
        assert v.deviate > g.T + delta * g.P / (1 - delta)


def test_grim_threshold_two_sided_hand_values() -> None:
    """(5, 3, 1, 0), d = 0: δ* = 2 / (4(1−e)² − 2e + 3e(1−e)), i.e. 2/3.6525, 2/3.31, 2/2.64."""
    for e, den in ((0.05, 3.6525), (0.1, 3.31), (0.2, 2.64)):
        assert theory.grim_threshold_two_sided(PD, e) == pytest.approx(2 / den, rel=1e-12)
    for g in RANDOM_PDS:
        for e in (0.03, 0.1, 0.25):
            star = _grim_star_d0(g, e)
            expected = star if 0 < star < 1 else math.inf
            assert theory.grim_threshold_two_sided(g, e) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("error", [0.02, 0.05, 0.1, 0.2, 0.3])
def test_one_sided_formula_is_a_lower_bound_at_d0(error: float) -> None:
    """d = 0: the two-sided denominator minus the one-sided (1−e)(T−P) is
    e[(1−e)(S−P) − (R−P)] < 0 in a PD, so the engine needs a larger δ than the formula."""
    for g in (PD, *RANDOM_PDS):
        two = theory.grim_threshold_two_sided(g, error)
        one = theory.calculating_threshold(g, 0, error)
        assert two > one or (math.isinf(two) and math.isinf(one))


@pytest.mark.parametrize("delay", [0, 1, 2, 3, 6])
def test_grim_threshold_reduces_to_calculating_without_error(delay: int) -> None:
    """ε = 0: (1−δ)(V(Grim|Grim) − V(AllD|Grim)) = (R−T) + δ^(d+1)(T−P), the root of
    calculating_threshold; also the conventions (0.0 / inf) in the other game classes."""
    for g in (PD, *RANDOM_PDS, CHICKEN, HARMONY, STAG_HUNT, DEADLOCK):
        expected = theory.calculating_threshold(g, delay, 0.0)
        got = theory.grim_threshold_two_sided(g, 0.0, delay)
        assert got == pytest.approx(expected, rel=1e-10, abs=1e-12), (g, delay)
    assert theory.grim_threshold_two_sided(PD, 0.0, delay) == pytest.approx(
        0.5 ** (1 / (delay + 1))
    )


@pytest.mark.parametrize(("error", "delay"), [(0.0, 0), (0.0, 3), (0.05, 0), (0.1, 1), (0.2, 2)])
def test_grim_future_advantage(error: float, delay: int) -> None:
    """Φ = V(Grim|Grim) − V(AllD|Grim) + (T − R); deviating pays iff T − R > Φ, i.e. below δ*;
    with ε = 0, Φ = (R−P)δ^(d+1)/(1−δ) − (T−R)Σ_{k=1..d} δ^k (Calculating's gate)."""
    star = theory.grim_threshold_two_sided(PD, error, delay)
    assert 0 < star < 1
    for delta in np.linspace(0.05, 0.99, 40):
        phi = theory.grim_future_advantage(PD, delta, error, delay)
        v = theory.grim_values(PD, delta, error, delay)
        assert phi == pytest.approx(v.comply - v.deviate + (PD.T - PD.R), rel=1e-9, abs=1e-9)
        if abs(delta - star) > 1e-6:
            assert (PD.T - PD.R <= phi) == (delta >= star), delta
        if error == 0.0:
            head = sum(delta**k for k in range(1, delay + 1))
            hand = (PD.R - PD.P) * delta ** (delay + 1) / (1 - delta) - (PD.T - PD.R) * head
            assert phi == pytest.approx(hand, rel=1e-9, abs=1e-9)
    assert theory.grim_future_advantage(PD, star, error, delay) == pytest.approx(PD.T - PD.R)


def test_grim_threshold_rises_with_error_and_delay() -> None:
    grid = [
        [theory.grim_threshold_two_sided(PD, e, d) for e in (0, 0.05, 0.1, 0.2)] for d in range(3)
    ]
    arr = np.array(grid)
    assert np.all(np.diff(arr, axis=0) > 0) and np.all(np.diff(arr, axis=1) > 0)
    assert math.isinf(theory.grim_threshold_two_sided(PD, 0.2, 3))  # no δ < 1 works


def test_bounded_above_sustaining_set_gives_inf() -> None:
    """With a small gain T − R and a large sucker's loss P − S, δ → 1 does not help under
    misreading (the pair ends in DD anyway, and complying risks long CD phases): the set
    {δ : V(Grim|Grim) ≥ V(AllD|Grim)} is an interval bounded above, reported as inf."""
    g = MatrixGame(T=5.3267, R=5.2831, P=4.7569, S=0.8338)
    inside = [0.7, 0.9]
    for delta in inside:
        v = theory.grim_values(g, delta, 0.05, 2)
        assert v.comply > v.deviate
    v = theory.grim_values(g, 0.9999, 0.05, 2)
    assert v.comply < v.deviate
    assert math.isinf(theory.grim_threshold_two_sided(g, 0.05, 2))


# --------------------------------------------------------------------------- 2. TFT and WSLS


def test_tft_threshold_delay_reduces_to_axelrod() -> None:
    for g in (PD, *RANDOM_PDS, CHICKEN, HARMONY, STAG_HUNT, DEADLOCK):
        assert theory.tft_threshold_delay(g, 0) == pytest.approx(
            theory.tft_threshold(g), rel=1e-12, abs=1e-14
        )


def test_tft_threshold_delay_rises() -> None:
    """(5, 3, 1, 0): the binding deviation is the D/C cycle, δ^(d+1) ≥ (T−R)/(R−S) = 2/3."""
    stars = [theory.tft_threshold_delay(PD, d) for d in range(5)]
    for d, star in enumerate(stars):
        assert star == pytest.approx((2 / 3) ** (1 / (d + 1)), rel=1e-12)
    assert np.all(np.diff(stars) > 0)
    for g in RANDOM_PDS:
        base = theory.tft_threshold(g)
        for d in (1, 2, 3):
            expected = base ** (1 / (d + 1))  # raw values >= 1 keep the convention
            assert theory.tft_threshold_delay(g, d) == pytest.approx(expected, rel=1e-10)
    assert theory.tft_threshold_delay(PD, 40) == pytest.approx((2 / 3) ** (1 / 41))


@pytest.mark.parametrize("delay", [0, 1, 2, 3])
def test_tft_sustaining_set_is_an_interval(delay: int) -> None:
    """On 200 δ per game, 'no deviation pays' holds exactly on [δ*, 1)."""
    for g in (PD, *RANDOM_PDS[:4]):
        star = theory.tft_threshold_delay(g, delay)
        for delta in np.linspace(0.0, 0.995, 200):
            best = theory.tft_best_reply(g, delta, delay).value
            comply = g.R / (1 - delta)
            if abs(delta - star) > 1e-9:
                assert (best <= comply + 1e-9 * abs(comply)) == (delta >= star), (g, delta)


@pytest.mark.parametrize("delay", [0, 1, 2])
@pytest.mark.parametrize("offset", [-0.2, -0.05, 0.05])
def test_tft_best_reply_beats_every_periodic_deviation(delay: int, offset: float) -> None:
    """The MDP's value is at least that of every eventually periodic sequence (prefix ≤ 2,
    cycle ≤ 2(d+1)) played against TFT-with-delay as simulated by hand, and equals the value of
    its own sequence; just below δ* the best reply is the cycle of d+1 D's and d+1 C's."""
    delta = theory.tft_threshold_delay(PD, delay) + offset
    rounds = 600
    best = theory.tft_best_reply(PD, delta, delay)
    seqs = _periodic(2, 2 * (delay + 1), rounds)
    values = _values(PD, seqs, _play_against("TFT", seqs, delay, rounds), delta)
    assert values.max() <= best.value + 1e-9
    own = np.array(
        [
            list(best.prefix)
            + [best.cycle[i % len(best.cycle)] for i in range(rounds - len(best.prefix))]
        ]
    )
    own_value = _values(PD, own, _play_against("TFT", own, delay, rounds), delta)[0]
    assert own_value == pytest.approx(best.value, rel=1e-12)
    if offset == -0.05:
        assert best.prefix == () and best.cycle == (False,) * (delay + 1) + (True,) * (delay + 1)
    if offset > 0:
        assert best.value == pytest.approx(PD.R / (1 - delta), rel=1e-12)


@pytest.mark.parametrize("delay", [0, 1, 2])
def test_wsls_threshold_delay(delay: int) -> None:
    """WSLS with delay d: WSLS vs WSLS earns R/(1−δ) (chain), AllD vs WSLS breaks even at
    wsls_threshold ** (1/(d+1)), and no periodic deviation (simulated by hand) beats complying
    just above it, while AllD beats it just below."""
    g = WSLS_GAME
    star = theory.wsls_threshold_delay(g, delay)
    assert star == pytest.approx(0.5 ** (1 / (delay + 1)))
    assert math.isinf(theory.wsls_threshold_delay(PD, delay))  # 2R = T + P
    for delta in (star - 0.05, star + 0.05):
        comply = g.R / (1 - delta)
        assert theory.pair_value(
            g, "WinStayLoseShift", "WinStayLoseShift", delta, 0.0, delay
        ) == pytest.approx(comply, rel=1e-12)
        alld = theory.pair_value(g, "AllD", "WinStayLoseShift", delta, 0.0, delay)
        assert (alld > comply) == (delta < star)
        rounds = 500
        seqs = _periodic(2, 2 * (delay + 1), rounds)
        values = _values(g, seqs, _play_against("WSLS", seqs, delay, rounds), delta)
        if delta > star:
            assert values.max() <= comply * (1 + 1e-12)
        assert np.any(np.all(~seqs, axis=1) & np.isclose(values, alld, rtol=1e-10))


def test_tft_is_not_a_best_reply_to_itself_under_misreading() -> None:
    """ε > 0: V(TFT|TFT) (chain) < the best reply's value (MDP) at every δ — critical_deltas
    reports inf. At high δ even AllC beats TFT against TFT (the echo costs TFT itself)."""
    for error in (0.01, 0.05, 0.1):
        for delay in (0, 1):
            for delta in (0.1, 0.5, 0.7, 0.9, 0.99):
                tft = theory.pair_value(PD, "TitForTat", "TitForTat", delta, error, delay)
                best = theory.tft_best_reply(PD, delta, delay, error).value
                assert tft < best - 1e-6 * abs(best), (error, delay, delta)
    assert theory.pair_value(PD, "AllC", "TitForTat", 0.9, 0.1) > theory.pair_value(
        PD, "TitForTat", "TitForTat", 0.9, 0.1
    )
    assert math.isinf(theory.critical_deltas(PD, 0, 0.05)["TitForTat"])


def test_critical_deltas_engine_true() -> None:
    out = theory.critical_deltas(PD, 0, 0.1)
    assert out == {"Grim": pytest.approx(2 / 3.31), "TitForTat": math.inf}
    out = theory.critical_deltas(PD, 2)
    assert out["Grim"] == pytest.approx(0.5 ** (1 / 3))
    assert out["TitForTat"] == pytest.approx((2 / 3) ** (1 / 3))
    assert "WinStayLoseShift" not in out
    out = theory.critical_deltas(WSLS_GAME, 1)
    assert out["WinStayLoseShift"] == pytest.approx(0.5**0.5)
    assert "WinStayLoseShift" not in theory.critical_deltas(WSLS_GAME, 1, 0.05)
    assert theory.critical_deltas(STAG_HUNT, 1, 0.1) == {}


def test_validation() -> None:
    with pytest.raises(ValueError, match="delta"):
        theory.grim_values(PD, 1.0)
    with pytest.raises(ValueError, match="error"):
        theory.grim_future_advantage(PD, 0.5, -0.1)
    with pytest.raises(ValueError, match="delay"):
        theory.grim_threshold_two_sided(PD, 0.1, -1)
    with pytest.raises(ValueError, match="allowed"):
        theory.pair_value(PD, "Grim", "Nobody", 0.5)
    with pytest.raises(ValueError, match="delay"):
        theory.tft_best_reply(PD, 0.5, 11)
    with pytest.raises(TypeError):
        theory.tft_threshold_delay((5, 3, 1, 0), 1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- 3. the engine


@pytest.mark.parametrize(
    ("delta", "error", "delay"),
    [
        (0.6, 0.1, 0),
        (0.8, 0.05, 1),
        pytest.param(0.9, 0.2, 2, marks=pytest.mark.slow),
        pytest.param(0.75, 0.0, 1, marks=pytest.mark.slow),
    ],
)
def test_grim_values_match_engine_payoff_streams(delta: float, error: float, delay: int) -> None:
    """Mean realised totals of Grim vs Grim and AllD vs Grim within 4 SE of the chain. At
    (0.6, 0.1, 0) the one-sided AllD value T + δP/(1−δ) = 6.5 lies ≈ 6 SE below the engine
    and the one-sided comply − deviate ≈ 7 SE off."""
    v = theory.grim_values(PD, delta, error, delay)
    n = 3000
    grim = _totals("Grim", "Grim", delta=delta, error=error, delay=delay, replicates=n, seed=11)
    alld = _totals("AllD", "Grim", delta=delta, error=error, delay=delay, replicates=n, seed=11)
    _assert_mean(grim, v.comply, f"V(Grim|Grim) δ={delta} ε={error} d={delay}")
    _assert_mean(alld, v.deviate, f"V(AllD|Grim) δ={delta} ε={error} d={delay}")
    _assert_mean(grim - alld, v.comply - v.deviate, "comply − deviate (paired)")


@pytest.mark.parametrize(
    ("error", "delay", "replicates"),
    [
        (0.1, 1, 3000),
        pytest.param(0.05, 0, 6000, marks=pytest.mark.slow),
        pytest.param(0.1, 0, 8000, marks=pytest.mark.slow),
        pytest.param(0.2, 0, 16000, marks=pytest.mark.slow),
    ],
)
def test_grim_threshold_sign_flips_in_engine(error: float, delay: int, replicates: int) -> None:
    """Engine payoff streams: complying loses to AllD at δ* − 0.05 and beats it at δ* + 0.05,
    each by more than 4 SE of the paired difference (the replicate counts give ≈ 7 SE)."""
    star = theory.grim_threshold_two_sided(PD, error, delay)
    for offset, sign in ((-0.05, -1), (0.05, +1)):
        delta = star + offset
        kw = {"delta": delta, "error": error, "delay": delay, "replicates": replicates}
        diff = _totals("Grim", "Grim", seed=3, **kw) - _totals("AllD", "Grim", seed=3, **kw)
        _assert_sign(diff, sign, f"ε={error} d={delay} δ={delta:.3f}: comply − AllD")


def test_cycle_rule_plays_the_mdp_deviation() -> None:
    """MemoryOne(0, 0, 0, 1, 1) with delay d plays D^(d+1) C^(d+1) ... (it cooperates iff its
    own move in the observed round was D), and TFT answers d+1 rounds late."""
    for d in (1, 2):
        cfg = ModelConfig(
            n_countries=2,
            network="complete",
            strategies=(CYCLE, "TitForTat"),
            game=PD,
            rounds=4 * (d + 1),
            horizon="fixed",
            evolution="none",
            observation_delay=d,
        )
        eng = PairwiseEngine(cfg, seed=0, replicates=1, record_actions=True).run()
        x, y = eng.actions[:, 0, 0], eng.actions[:, 0, 1]
        block = [False] * (d + 1) + [True] * (d + 1)
        assert list(x) == block * 2
        assert list(y) == [True] * (d + 1) + list(x[: -(d + 1)])


@pytest.mark.parametrize("delay", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_tft_delay_threshold_in_engine(delay: int) -> None:
    """TFT vs TFT earns R per round; the MDP's best deviation (the D/C cycle) played in the
    engine earns the MDP value, beats complying at δ* − 0.05 and loses at δ* + 0.05 (> 4 SE,
    paired); AllD, a weaker deviation, earns its chain value and never beats the MDP."""
    star = theory.tft_threshold_delay(PD, delay)
    n = 1500
    for offset, sign in ((-0.05, +1), (0.05, -1)):
        delta = star + offset
        kw = {"delta": delta, "delay": delay, "replicates": n, "seed": 5}
        tft = _totals("TitForTat", "TitForTat", **kw)
        cycle = _totals(CYCLE, "TitForTat", **kw)
        alld = _totals("AllD", "TitForTat", **kw)
        _assert_mean(tft, PD.R / (1 - delta), f"TFT|TFT δ={delta:.3f}")
        cycle_value = _cycle_value(delta, delay)
        if offset < 0:
            assert cycle_value == pytest.approx(theory.tft_best_reply(PD, delta, delay).value)
        _assert_mean(cycle, cycle_value, f"cycle|TFT δ={delta:.3f}")
        alld_value = theory.pair_value(PD, "AllD", "TitForTat", delta, 0.0, delay)
        _assert_mean(alld, alld_value, f"AllD|TFT δ={delta:.3f}")
        assert alld_value <= theory.tft_best_reply(PD, delta, delay).value + 1e-12
        _assert_sign(cycle - tft, sign, f"d={delay} δ={delta:.3f}: cycle − comply")


def test_tft_echo_in_engine() -> None:
    """ε = 0.1, δ = 0.9: TFT vs TFT and AllC vs TFT earn their chain values, and AllC beats
    TFT as a reply to TFT by > 4 SE (paired) — TFT is no equilibrium under misreading."""
    delta, error, n = 0.9, 0.1, 2000
    kw = {"delta": delta, "error": error, "replicates": n, "seed": 9}
    tft = _totals("TitForTat", "TitForTat", **kw)
    allc = _totals("AllC", "TitForTat", **kw)
    _assert_mean(tft, theory.pair_value(PD, "TitForTat", "TitForTat", delta, error), "TFT|TFT")
    _assert_mean(allc, theory.pair_value(PD, "AllC", "TitForTat", delta, error), "AllC|TFT")
    _assert_sign(allc - tft, +1, "AllC − TFT against TFT")
