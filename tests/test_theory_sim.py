"""Statistical tests: the repeated-game simulator against closed-form theory.

Each test derives its expected value from theory (``model.theory`` or a Markov chain written out
here by hand) and compares it with the vectorised engine (``model.engine.PairwiseEngine``):

1. Calculating vs Grim: cooperation is sustained iff δ is at least the grim threshold, with a
   detection delay d (``grim_threshold_delay``) and with false alarms ε
   (``grim_threshold_false_alarms``); plus the exact survival law of Grim under false alarms.
2. TFT vs TFT with implementation noise e: the echo effect makes the pair's state a Markov chain
   with a uniform stationary distribution on {CC, CD, DC, DD}, so the long-run mean payoff is
   (R + S + T + P) / 4.
3. WSLS vs WSLS with noise e: long-run share of mutual cooperation (1 − e)(1 − 3e + 4e²),
   derived below and cross-checked against the numerical stationary vector of the hand-written
   4×4 transition matrix.
4. Geometric horizon: mean number of rounds 1 / (1 − δ) (and (1 − δ^c) / (1 − δ) with a cap c).

Statistical comparisons use 4 standard errors, the standard error being the spread across
replicates of the per-replicate means divided by √R. All seeds are fixed, so the outcomes are
reproducible; the whole file runs in a few seconds.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from experiments import play_match
from model import theory
from model.config import ModelConfig
from model.engine import PairwiseEngine
from model.games import PD

Z = 4.0  # tolerance in standard errors


def _pair(
    a: str,
    b: str,
    *,
    rounds: int,
    replicates: int,
    seed: int,
    record_actions: bool = False,
    **cfg: object,
) -> PairwiseEngine:
    """A two-country engine (player 0 plays ``a`` on edge 0, player 1 plays ``b`` on edge 1)."""
    cfg = {"horizon": "fixed", "evolution": "none", **cfg}  # one relationship, fixed rules
    config = ModelConfig(
        n_countries=2, network="complete", strategies=(a, b), rounds=rounds, game=PD, **cfg
    )
    return PairwiseEngine(config, seed=seed, replicates=replicates, record_actions=record_actions)


def _assert_close(per_replicate: np.ndarray, expected: float, what: str) -> None:
    """Mean of per-replicate values equals ``expected`` within Z standard errors."""
    x = np.asarray(per_replicate, float)
    mean = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(x.size))
    assert se > 0, f"{what}: zero spread across replicates, the SE is degenerate"
    assert abs(mean - expected) <= Z * se, (
        f"{what}: simulated {mean:.5f} vs theory {expected:.5f} "
        f"(diff {mean - expected:+.5f}, SE {se:.5f}, {abs(mean - expected) / se:.1f} SE)"
    )


# =============================================================================================
# 1. Calculating vs Grim: the grim threshold with a detection delay and with false alarms
# =============================================================================================

OFFSETS = (-0.1, -0.02, 0.02, 0.1)
GAME_ROUNDS = 50


def test_calculating_threshold_reduces_to_special_cases() -> None:
    """The general threshold equals the delay-only and the false-alarm-only formulas."""
    for d in (0, 1, 2, 3):
        assert theory.calculating_threshold(PD, d, 0.0) == pytest.approx(
            theory.grim_threshold_delay(PD, d), rel=1e-10, abs=1e-12
        )
    for eps in (0.0, 0.05, 0.1, 0.2):
        assert theory.calculating_threshold(PD, 0, eps) == pytest.approx(
            theory.grim_threshold_false_alarms(PD, eps), rel=1e-10, abs=1e-12
        )
    # hand values for (5, 3, 1, 0): (T−R)/(T−P) = 1/2
    assert theory.grim_threshold_delay(PD, 0) == pytest.approx(0.5)
    assert theory.grim_threshold_delay(PD, 1) == pytest.approx(0.5**0.5)
    assert theory.grim_threshold_delay(PD, 2) == pytest.approx(0.5 ** (1 / 3))
    assert theory.grim_threshold_false_alarms(PD, 0.1) == pytest.approx(0.5 / 0.9)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("d", [0, 1, 2])
def test_calculating_vs_grim_delay(d: int, offset: float) -> None:
    """ε = 0: all C above the threshold; below it Calculating defects from round 1 and Grim,
    seeing it d rounds late, defects from round d + 2 (1-indexed) on."""
    delta = theory.grim_threshold_delay(PD, d) + offset
    assert 0.0 < delta < 1.0
    res = play_match(
        "Calculating", "Grim", rounds=GAME_ROUNDS, continuation=delta, observation_delay=d
    )
    n = GAME_ROUNDS
    if offset > 0:  # δ ≥ threshold: cooperation sustained for the whole game
        assert res.actions_a == "C" * n, res.actions_a
        assert res.actions_b == "C" * n, res.actions_b
        assert res.score_a == res.score_b == PD.R * n
    else:  # δ < threshold: defect at once, Grim retaliates when it sees it
        assert res.actions_a == "D" * n, res.actions_a
        assert res.actions_b.index("D") + 1 == d + 2, res.actions_b  # first D, 1-indexed
        assert res.actions_b == "C" * (d + 1) + "D" * (n - d - 1), res.actions_b
        assert res.score_a == PD.T * (d + 1) + PD.P * (n - d - 1)
        assert res.score_b == PD.S * (d + 1) + PD.P * (n - d - 1)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize(("d", "eps"), [(0, 0.05), (0, 0.1), (1, 0.05), (2, 0.1)])
def test_calculating_first_move_with_false_alarms(d: int, eps: float, offset: float) -> None:
    """ε > 0: Calculating's first move is C iff δ ≥ the engine-true threshold (Grim against
    Grim vs AllD against Grim with two-sided misreading, ``grim_threshold_two_sided``), in every
    replicate and seed."""
    threshold = theory.grim_threshold_two_sided(PD, eps, d)
    delta = threshold + offset
    assert 0.0 < delta < 1.0
    for seed in range(5):
        eng = _pair(
            "Calculating",
            "Grim",
            rounds=d + 3,
            replicates=100,
            seed=seed,
            record_actions=True,
            continuation=delta,
            observation_error=eps,
            observation_delay=d,
        ).run()
        first = eng.actions[0]  # (R, 2)
        assert np.all(first[:, 0] == (offset > 0)), f"seed {seed}: Calculating's first move"
        assert np.all(first[:, 1]), f"seed {seed}: Grim opens with C"


@pytest.mark.parametrize("eps", [0.05, 0.1])
def test_grim_survival_under_false_alarms(eps: float) -> None:
    """Above the threshold (d = 0), false alarms still end every Grim relationship.

    Calculating then plays C in round k ≥ 1 iff it read Grim's C of round k − 1 correctly
    (prob 1 − ε, independently each round); Grim sees C in round k with prob 1 − ε for k = 0
    and (1 − ε)² + ε² for k ≥ 1 (a real D misread as C keeps it cooperating). So
    P(Grim still plays C in round t, 0-indexed) = (1 − ε)(1 − 2ε + 2ε²)^(t−1) for t ≥ 1.
    """
    delta = theory.grim_threshold_false_alarms(PD, eps) + 0.1
    n, reps = 200, 4000
    eng = _pair(
        "Calculating",
        "Grim",
        rounds=n,
        replicates=reps,
        seed=7,
        record_actions=True,
        continuation=delta,
        observation_error=eps,
    ).run()
    grim = eng.actions[:, :, 1]  # (rounds, R)
    # Grim never returns to C once it has defected
    assert not np.any(grim[1:] & ~grim[:-1])
    for t in (1, 2, 5, 10, 20):
        p = (1 - eps) * (1 - 2 * eps + 2 * eps**2) ** (t - 1)
        _assert_close(grim[t], p, f"eps={eps}: P(Grim plays C in round {t})")
    assert not grim[-1].any(), "some Grim relationship survived 200 rounds of false alarms"


# =============================================================================================
# 2. TFT vs TFT with implementation noise: the echo effect
# =============================================================================================

NOISES = (0.01, 0.05, 0.1)


@functools.cache
def _noisy_self_play(name: str, e: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(actions (rounds, R, 2), edge payoffs per round (rounds, R, 2), burn-in) of self-play.

    Burn-in 10/e rounds (TFT's pair state relaxes like (1 − 2e)^t, so 10/e leaves e^−20 of the
    initial CC), then 4000 measured rounds, 500 replicates.
    """
    burn = round(10 / e)
    eng = _pair(
        name, name, rounds=burn + 4000, replicates=500, seed=2024, record_actions=True, noise=e
    ).run()
    acts = eng.actions
    code = (acts[:, :, 0].astype(np.intp) << 1) | acts[:, :, 1]  # 2·a + b, True = C
    pay_a = np.array([PD.P, PD.T, PD.S, PD.R])[code]  # player 0: DD→P, DC→T, CD→S, CC→R
    pay_b = np.array([PD.P, PD.S, PD.T, PD.R])[code]
    payoff = np.stack([pay_a, pay_b], axis=2)
    # the engine's own accounting must agree with payoffs recomputed from the actions
    np.testing.assert_allclose(payoff.sum(axis=0), eng.edge_total)
    np.testing.assert_allclose(eng.record().mean_payoff, payoff.mean(axis=2))
    return acts, payoff, burn


@pytest.mark.parametrize("e", NOISES)
def test_tft_echo_mean_payoff(e: float) -> None:
    """Long-run mean payoff per round of each TFT player = (R + S + T + P) / 4 = 2.25."""
    _, payoff, burn = _noisy_self_play("TitForTat", e)
    expected = (PD.R + PD.S + PD.T + PD.P) / 4
    assert expected == 2.25
    per_rep = payoff[burn:].mean(axis=0)  # (R, 2)
    _assert_close(per_rep[:, 0], expected, f"TFT e={e}: player 0 mean payoff")
    _assert_close(per_rep[:, 1], expected, f"TFT e={e}: player 1 mean payoff")
    _assert_close(per_rep.mean(axis=1), expected, f"TFT e={e}: mean payoff per player")


@pytest.mark.parametrize("e", NOISES)
def test_tft_echo_uniform_states(e: float) -> None:
    """The stationary distribution of the TFT pair is uniform on CC, CD, DC, DD."""
    acts, _, burn = _noisy_self_play("TitForTat", e)
    a, b = acts[burn:, :, 0], acts[burn:, :, 1]
    for label, state in (("CC", a & b), ("CD", a & ~b), ("DC", ~a & b), ("DD", ~a & ~b)):
        _assert_close(state.mean(axis=0), 0.25, f"TFT e={e}: share of {label}")


# =============================================================================================
# 3. WSLS vs WSLS with noise
# =============================================================================================
#
# Derivation. WSLS intends (C, C) after CC and DD and (D, D) after CD and DC; each intended
# action is flipped independently with prob e (q = 1 − e). With x = π(CC), y = π(CD) + π(DC),
# z = π(DD), the rows from {CC, DD} (mass x + z = 1 − y) go to CC, CD∪DC, DD with probabilities
# q², 2eq, e²; the rows from {CD, DC} (mass y) with probabilities e², 2eq, q². Hence
#     y = 2eq (whatever the state),
#     x = (1 − y) q² + y e² = q² − 2eq³ + 2e³q = q (q − 2eq² + 2e³) = (1 − e)(1 − 3e + 4e²),
#     z = (1 − y) e² + y q² = e² − 2e³q + 2eq³.
# The hand derivation agrees with the stated closed form (1 − e)(1 − 3e + 4e²); the test below
# also checks it against the numerical stationary vector of the 4×4 matrix.

STATES = ((True, True), (True, False), (False, True), (False, False))  # CC, CD, DC, DD


def _wsls_closed_form(e: float) -> np.ndarray:
    q = 1 - e
    x = (1 - e) * (1 - 3 * e + 4 * e**2)
    return np.array([x, e * q, e * q, e**2 - 2 * e**3 * q + 2 * e * q**3])


def _wsls_numeric(e: float) -> np.ndarray:
    """Stationary vector of the WSLS pair from the hand-written transition matrix (numpy eig)."""
    intend = {
        (True, True): (True, True),
        (False, False): (True, True),
        (True, False): (False, False),
        (False, True): (False, False),
    }
    P = np.zeros((4, 4))
    for i, s in enumerate(STATES):
        want = intend[s]
        for j, nxt in enumerate(STATES):
            P[i, j] = np.prod([1 - e if nxt[k] == want[k] else e for k in range(2)])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    return pi / pi.sum()


@pytest.mark.parametrize("e", [*NOISES, 0.2, 0.3])
def test_wsls_closed_form_matches_markov_chain(e: float) -> None:
    """Pure theory: closed form == stationary vector of the 4×4 chain."""
    np.testing.assert_allclose(_wsls_closed_form(e), _wsls_numeric(e), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("e", NOISES)
def test_wsls_mutual_cooperation_share(e: float) -> None:
    """Long-run share of CC rounds of a noisy WSLS pair = (1 − e)(1 − 3e + 4e²)."""
    eng = _pair(
        "WinStayLoseShift",
        "WinStayLoseShift",
        rounds=3000,
        replicates=500,
        seed=99,
        record_actions=True,
        noise=e,
    ).run()
    burn = 20  # the class {CC, DD} vs {CD, DC} is i.i.d. from round 2 on: mixing is immediate
    mutual = eng.record().mutual_cooperation[burn:]  # (rounds, R)
    oracle = _wsls_numeric(e)
    _assert_close(mutual.mean(axis=0), oracle[0], f"WSLS e={e}: share of CC")
    _assert_close(
        mutual.mean(axis=0),
        (1 - e) * (1 - 3 * e + 4 * e**2),
        f"WSLS e={e}: share of CC (closed form)",
    )
    acts = eng.actions[burn:]
    a, b = acts[:, :, 0], acts[:, :, 1]
    np.testing.assert_array_equal(mutual, (a & b).astype(float))
    for k, (label, state) in enumerate((("CD", a & ~b), ("DC", ~a & b), ("DD", ~a & ~b)), 1):
        _assert_close(state.mean(axis=0), oracle[k], f"WSLS e={e}: share of {label}")


# =============================================================================================
# 4. Geometric horizon
# =============================================================================================


@pytest.mark.parametrize(("delta", "reps"), [(0.5, 4000), (0.9, 4000), (0.99, 2000)])
def test_geometric_horizon_mean(delta: float, reps: int) -> None:
    """Mean number of rounds under a geometric horizon (cap 10⁶, never binding) = 1 / (1 − δ)."""
    cfg = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=("AllC", "AllC"),
        rounds=1_000_000,
        horizon="geometric",
        continuation=delta,
        game=PD,
    )
    eng = PairwiseEngine(cfg, seed=3, replicates=reps)
    assert eng.horizon.shape == (reps,)
    assert eng.horizon.min() >= 1
    assert eng.horizon.max() < 1_000_000
    _assert_close(eng.horizon, 1 / (1 - delta), f"geometric horizon δ={delta}: mean rounds")


def test_geometric_horizon_cap() -> None:
    """With a cap c the mean length is E[min(G, c)] = (1 − δ^c) / (1 − δ)."""
    delta, cap, reps = 0.9, 8, 4000
    cfg = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=("AllC", "AllC"),
        rounds=cap,
        horizon="geometric",
        continuation=delta,
        game=PD,
    )
    eng = PairwiseEngine(cfg, seed=5, replicates=reps)
    assert eng.horizon.min() >= 1 and eng.horizon.max() == cap
    _assert_close(eng.horizon, (1 - delta**cap) / (1 - delta), "capped geometric horizon")


def test_geometric_horizon_scores_only_rounds_played() -> None:
    """Rounds after a replicate's horizon are neither scored nor marked alive."""
    cfg = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=("AllC", "AllC"),
        rounds=100_000,
        horizon="geometric",
        continuation=0.9,
        game=PD,
    )
    eng = PairwiseEngine(cfg, seed=11, replicates=500).run()
    np.testing.assert_allclose(eng.edge_total, PD.R * eng.horizon[:, None] * np.ones((1, 2)))
    np.testing.assert_array_equal(eng.record().alive.sum(axis=0), eng.horizon)
