"""Large instances (marked slow): the engine stays exact at the scale of the benchmarks."""

import numpy as np
import pytest

from model.config import CLASSIC_SEVEN, ModelConfig
from model.engine import PairwiseEngine

pytestmark = pytest.mark.slow


def test_large_instance_payoffs_match_the_recorded_actions():
    # B3's instance: 100,000 edges × 100 rounds. Each round, the payoff per interaction must
    # equal the payoff implied by the shares of CC, CD/DC and DD outcomes: with c = share of C
    # moves and m = share of mutual C, the (directed) outcome shares are CC = m, CD = DC = c − m
    # and DD = 1 − 2c + m, so mean payoff = R·m + (S + T)(c − m) + P(1 − 2c + m).
    cfg = ModelConfig(
        n_countries=25_000,
        network="watts_strogatz",
        degree=8,
        rounds=100,
        noise=0.05,
        strategies=dict.fromkeys(CLASSIC_SEVEN, 1.0),
        evolution="none",  # the initial shares below are the configured ones, never revised
    )
    eng = PairwiseEngine(cfg, seed=1).run()
    assert eng.M == 100_000
    rec = eng.record()
    c, m = rec.cooperation[:, 0], rec.mutual_cooperation[:, 0]
    T, R, P, S = 5, 3, 1, 0
    expected = R * m + (S + T) * (c - m) + P * (1 - 2 * c + m)
    np.testing.assert_allclose(rec.mean_payoff[:, 0], expected, rtol=1e-12, atol=1e-12)
    # 7 equal shares of 25,000 countries: 7 × 3571 = 24,997, so largest remainder gives the 3
    # seats left over to three of the strategies (equal remainders are ranked at random)
    counts = np.rint(eng.shares[0] * 25_000).astype(int)
    assert sorted(counts) == [3571] * 4 + [3572] * 3


def test_lattice_evolution_batch_equals_one_by_one_at_scale():
    cfg = ModelConfig(
        n_countries=2500,
        network="lattice",
        rounds=120,
        noise=0.05,
        observation_error=0.02,
        evolution="imitation",
        evolution_interval=2,
        evolution_rate=0.5,
        mutation=0.01,
        strategies=dict.fromkeys(CLASSIC_SEVEN, 1.0),
    )
    batch = PairwiseEngine(cfg, seed=21, replicates=6).run()
    for r in (0, 5):
        single = PairwiseEngine(cfg, seed=21, replicate_ids=[r]).run()
        np.testing.assert_array_equal(batch.edge_total[r], single.edge_total[0])
        np.testing.assert_array_equal(batch.strategy_of_country[r], single.strategy_of_country[0])
        np.testing.assert_array_equal(
            batch.record().strategy_shares[:, r], single.record().strategy_shares[:, 0]
        )
