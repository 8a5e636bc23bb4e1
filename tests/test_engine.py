"""The vectorised engine: determinism, replicate batching, delays, stakes and evolution."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.strategies import Context, GenerousTitForTat
from experiments import play_match
from model import theory
from model.config import ModelConfig
from model.engine import PairwiseEngine, allocate
from model.games import MatrixGame

RICH = ModelConfig(
    n_countries=30,
    network="watts_strogatz",
    degree=4,
    rounds=60,
    noise=0.05,
    observation_error=0.05,
    observation_delay=2,
    stake_sigma=0.7,
    evolution="imitation",
    evolution_interval=5,
    evolution_rate=0.5,
    mutation=0.05,
    horizon="geometric",
    continuation=0.97,
    strategies={
        "TitForTat": 1,
        "AllD": 1,
        "Calculating": 1,
        "Random": 1,
        "GenerousTitForTat": 1,
        "CoerciveHegemon": 1,
    },
)


def _arrays(eng):
    rec = eng.record()
    return [
        eng.edge_total,
        eng.strategy_of_country,
        eng.trust,
        eng.horizon,
        rec.cooperation,
        rec.mutual_cooperation,
        rec.mean_payoff,
        rec.trust,
        rec.strategy_shares,
    ]


def test_same_seed_same_arrays_different_seed_different():
    a = _arrays(PairwiseEngine(RICH, seed=7, replicates=3).run())
    b = _arrays(PairwiseEngine(RICH, seed=7, replicates=3).run())
    c = _arrays(PairwiseEngine(RICH, seed=8, replicates=3).run())
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("cfg", [RICH, RICH.replace(evolution="moran", horizon="fixed")])
def test_replicate_batch_equals_the_same_runs_one_by_one(cfg):
    batch = PairwiseEngine(cfg, seed=11, replicates=4).run()
    for r in range(4):
        single = PairwiseEngine(cfg, seed=11, replicate_ids=[r]).run()
        t = single.t
        np.testing.assert_array_equal(batch.edge_total[r], single.edge_total[0])
        np.testing.assert_array_equal(batch.strategy_of_country[r], single.strategy_of_country[0])
        np.testing.assert_array_equal(
            batch.record().cooperation[:t, r], single.record().cooperation[:, 0]
        )
        assert batch.horizon[r] == single.horizon[0]


@pytest.mark.parametrize(
    "a, b, d, expected_a, expected_b",
    [
        # no observation for the first d rounds → both open with their first move d+1 times
        ("TitForTat", "AllD", 2, "CCCDDDDDDD", "DDDDDDDDDD"),
        ("Grim", "AllD", 1, "CCDDDDDDDD", "DDDDDDDDDD"),
        # TF2T sees AllD's round-0 D at round 2 (run 1: still C) and two Ds at round 3
        ("TitForTwoTats", "AllD", 1, "CCCDDDDDDD", "DDDDDDDDDD"),
        # STFT opens D for d+1 = 2 rounds; TFT copies with a 1-round lag of its view
        ("TitForTat", "SuspiciousTitForTat", 1, "CCDDCCDDCC", "DDCCDDCCDD"),
    ],
)
def test_observation_delay_hand_worked(a, b, d, expected_a, expected_b):
    r = play_match(a, b, rounds=10, observation_delay=d)
    assert (r.actions_a, r.actions_b) == (expected_a, expected_b)


def test_stakes_are_lognormal_with_mean_one():
    sigma = 0.8
    cfg = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=("AllC", "AllC"),
        rounds=500,
        stake_sigma=sigma,
    )
    eng = PairwiseEngine(cfg, seed=3, replicates=40).run()
    stakes = eng.record().mean_payoff / 3.0  # AllC pair: payoff per interaction = R · s_t
    sd = np.sqrt(np.exp(sigma**2) - 1)  # lognormal with mean 1
    assert abs(stakes.mean() - 1) < 4 * sd / np.sqrt(stakes.size)
    assert abs(np.log(stakes).std() - sigma) < 0.02


@pytest.mark.parametrize("rule", ["imitation", "moran"])
def test_defection_takes_over_a_well_mixed_prisoners_dilemma(rule):
    # In a complete graph every AllD earns more than every AllC (T > R, P > S), so under strong
    # selection cooperators copy defectors and never the reverse (Hofbauer & Sigmund 1998).
    cfg = ModelConfig(
        n_countries=20,
        network="complete",
        strategies={"AllC": 1, "AllD": 1},
        rounds=400,
        evolution=rule,
        selection=50.0,
        evolution_interval=1,
        evolution_rate=0.2,
    )
    eng = PairwiseEngine(cfg, seed=5, replicates=5).run()
    d_share = eng.record().strategy_shares[:, :, 1]
    assert np.all(np.diff(d_share, axis=0) >= 0)
    np.testing.assert_array_equal(d_share[-1], 1.0)


def test_cooperation_takes_over_harmony():
    cfg = ModelConfig(
        n_countries=20,
        network="complete",
        strategies={"AllC": 1, "AllD": 1},
        rounds=400,
        evolution="imitation",
        selection=50.0,
        evolution_interval=1,
        evolution_rate=0.2,
        game="harmony",
    )
    eng = PairwiseEngine(cfg, seed=5, replicates=5).run()
    np.testing.assert_array_equal(eng.record().strategy_shares[-1, :, 0], 1.0)


def test_no_selection_is_neutral_drift():
    # β = 0: the Fermi probability is 1/2 whatever the payoffs, so the mean share of AllD over
    # many replicates stays at its start (a martingale under synchronous unbiased imitation)
    cfg = ModelConfig(
        n_countries=20,
        network="complete",
        strategies={"AllC": 1, "AllD": 1},
        rounds=50,
        evolution="imitation",
        selection=0.0,
        evolution_interval=1,
        evolution_rate=0.5,
    )
    eng = PairwiseEngine(cfg, seed=9, replicates=400).run()
    final = eng.record().strategy_shares[-1, :, 1]
    assert abs(final.mean() - 0.5) < 4 * final.std() / np.sqrt(final.size)


@given(st.lists(st.floats(0.01, 10), min_size=1, max_size=8), st.integers(1, 500))
def test_allocation_is_largest_remainder(weights, n):
    counts = allocate(weights, n)
    exact = n * np.array(weights) / sum(weights)
    assert counts.sum() == n
    assert np.all(np.abs(counts - exact) < 1)


@given(st.floats(0.5, 10), st.floats(0.1, 10), st.floats(0.1, 10))
def test_gtft_generosity_matches_theory_for_every_prisoners_dilemma(gap_tr, gap_rp, gap_ps):
    s = 0.0
    p, r = s + gap_ps, s + gap_ps + gap_rp
    game = MatrixGame(T=r + gap_tr, R=r, P=p, S=s)
    ctx = Context(T=game.T, R=game.R, P=game.P, S=game.S)
    assert GenerousTitForTat.generosity_for(ctx) == pytest.approx(
        min(1.0, max(0.0, theory.gtft_generosity(game)))
    )


def test_gtft_generosity_outside_the_dilemma():
    # stag hunt (T=3, R=4, P=3, S=0): no temptation → full forgiveness
    assert GenerousTitForTat.generosity_for(Context(T=3, R=4, P=3, S=0)) == 1.0
    # deadlock (T=3, R=1, P=2, S=0): 1 − (T−R)/(R−S) = −1 → never forgive
    assert GenerousTitForTat.generosity_for(Context(T=3, R=1, P=2, S=0)) == 0.0


def test_step_after_the_end_is_a_clear_error():
    eng = PairwiseEngine(ModelConfig(rounds=3), seed=1).run()
    with pytest.raises(RuntimeError, match="over"):
        eng.step()


def test_per_edge_delay_and_error_hand_worked():
    # TFT (country 0) vs AllD with d = 2, but edge 0 (TFT's view of AllD) has no delay: TFT sees
    # round 0's D at round 1 → C then D for ever; AllD's own view keeps the delay (irrelevant)
    cfg = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=("TitForTat", "AllD"),
        rounds=6,
        horizon="fixed",
        observation_delay=2,
        observation_error=0.4,
    )
    eng = PairwiseEngine(cfg, seed=1, record_actions=True)
    eng.set_observation(delay=np.array([0, 2]), error=np.array([0.0, 0.4]))
    eng.run()
    assert "".join("C" if x else "D" for x in eng.actions[:, 0, 0]) == "CDDDDD"
    with pytest.raises(ValueError, match="delay: allowed"):
        eng.set_observation(delay=np.array([0, 3]))
    with pytest.raises(ValueError, match="error: allowed"):
        eng.set_observation(error=np.array([0.5, 0.0]))


def test_uniform_per_edge_settings_change_nothing():
    cfg = RICH.replace(horizon="fixed", evolution="none")
    plain = PairwiseEngine(cfg, seed=3, replicates=2).run()
    same = PairwiseEngine(cfg, seed=3, replicates=2)
    same.set_observation(
        delay=np.full(same.E, cfg.observation_delay), error=np.full(same.E, cfg.observation_error)
    )
    same.run()
    np.testing.assert_array_equal(plain.edge_total, same.edge_total)
