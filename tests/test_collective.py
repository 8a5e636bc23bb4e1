"""Collective mode: the plan, reciprocity, institutions and transfers, against hand-worked cases."""

import numpy as np
import pytest

from model import PRESETS, ModelConfig, RegionModel, load_preset
from model.collective import CollectiveEngine, club_by_complementarity, gini
from model.economy import Economy

TWO = dict(
    n_countries=2,
    network="complete",
    mode="collective",
    rounds=12,
    coordination_cost=0.0,
    sovereignty_cost=0.0,
    replan_interval=4,
)


def _market_sharing(strategies, **changes):
    cfg = ModelConfig(**{**TWO, "strategies": strategies, **changes})
    return CollectiveEngine(cfg, Economy.market_sharing([3, 1], 2), seed=1)


def test_the_broker_reaches_the_market_sharing_optimum_but_needs_side_payments():
    # values (3, 1): the optimum puts one country in each market, W = 3 + 1 = 4 (with full trust
    # every member submits all its portfolios truthfully)
    eng = _market_sharing(("AllC", "AllC"), initial_trust=1.0).run()
    assert eng.w_opt[0] == 4.0
    np.testing.assert_array_equal(eng.plan[0].sum(axis=0), [1, 1])
    np.testing.assert_allclose(eng.series["plan_welfare"][:, 0], 4.0)
    np.testing.assert_allclose(eng.series["welfare"][:4, 0], 4.0)
    # going alone both pick market 0 (3 > 1) and share it: 3/2 each — the outside option. The
    # country given market 1 earns 1 < 3/2 and, with no pool and no hegemon to pay it, leaves
    # at the first revision (round 4): both in market 0 again, W = 3, participation 1/2
    small = int(np.flatnonzero(eng.plan[0][:, 1])[0])
    np.testing.assert_allclose(eng.outside_option[0], [1.5, 1.5])
    assert not eng.members[0, small]
    np.testing.assert_allclose(eng.series["welfare"][4:, 0], 3.0)
    np.testing.assert_allclose(eng.series["participation"][4:, 0], 0.5)


def test_without_trust_shaded_submissions_clash():
    # trust 0 for ever: each member submits only its favourite (market 0, worth 3 alone), so the
    # broker has nothing to choose from: both plants in market 0, W = 3/2 + 3/2 = 3
    eng = _market_sharing(("AllC", "AllC"), initial_trust=0.0, trust_memory=0.0).run()
    np.testing.assert_allclose(eng.series["welfare"][:, 0], 3.0)


def test_going_it_alone_is_the_nash_outcome_and_costs_one():
    # Both defect: each plays its best response to the plan. The country planned in market 1
    # earns 1 there but 3/2 by joining market 0; the other keeps market 0 (3 > 1/2 · … ).
    # Both end in market 0: W = 3/2 + 3/2 = 3, the unique Nash outcome; 3 − 4 = −1.
    eng = _market_sharing(("AllD", "AllD")).run()
    np.testing.assert_array_equal(eng.investments[0].sum(axis=0), [2, 0])
    np.testing.assert_allclose(eng.series["welfare"][:, 0], 3.0)
    np.testing.assert_allclose(eng.series["price_of_non_coordination"][:, 0], -1.0)
    assert eng.series["duplication"][0, 0] == 1  # two plants where one is efficient


def test_reciprocity_threshold_decides_who_follows_the_plan():
    # TFT meets AllD: round 0 both rules are "first move" (TFT: C); from round 1 TFT sees D
    eng = _market_sharing(("TitForTat", "AllD"), rounds=3).run()
    assert eng.record().cooperation[:, 0].tolist() == [0.5, 0.0, 0.0]


def test_transfers_lift_cooperating_members_to_their_outside_option_within_budget():
    cfg = ModelConfig(
        **{
            **TWO,
            "n_countries": 3,
            "hegemon": "cooperative",
            "hegemon_budget": 5.0,
            "strategies": ("AllC",) * 3,
        }
    )
    eng = CollectiveEngine(cfg, Economy.market_sharing([6, 2, 1], 3), seed=1)
    eng.outside_option[0] = [2.0, 1.0, 0.0]
    eng.plan_payoff[0] = [1.0, 3.0, -1.0]
    act = np.array([[True, True, True]])
    extra = eng._institutions(act)
    np.testing.assert_allclose(eng.transfers_last[0], [1.0, 0.0, 1.0])  # needs: 2−1, 0, 0−(−1)
    h = eng.hegemon_id
    assert extra[0, h] == pytest.approx(eng.transfers_last[0, h] - 2.0)  # the hegemon pays 2
    eng2 = CollectiveEngine(
        cfg.replace(hegemon_budget=1.0), Economy.market_sharing([6, 2, 1], 3), seed=1
    )
    eng2.outside_option[0] = [2.0, 1.0, 0.0]
    eng2.plan_payoff[0] = [1.0, 3.0, -1.0]
    eng2._institutions(act)
    np.testing.assert_allclose(eng2.transfers_last[0], [0.5, 0.0, 0.5])  # pro rata, budget 1
    assert eng2.transfers_last.sum() <= 1.0 + 1e-12


def test_supranational_fines_fill_the_pool_until_the_fined_leave():
    cfg = ModelConfig(
        **{
            **TWO,
            "regime": "supranational",
            "fine": 2.0,
            "enforcement": 1.0,
            "strategies": ("AllD", "AllD"),
            "rounds": 13,
        }
    )
    eng = CollectiveEngine(cfg, Economy.market_sharing([3, 1], 2), seed=1).run()
    # a binding plan is revised every 3 × 4 = 12 rounds. Rounds 0–11: both defect (both plants in
    # market 0: 3/2 each) and both are fined 2: W = 3 − 4 = −1; the pool collects 2 · 2 a round
    # and pays nobody (no one cooperates)
    np.testing.assert_allclose(eng.series["welfare"][:12, 0], -1.0)
    # at the revision of round 12 both are below their outside option (3/2) and leave (no
    # compositional flexibility): no more fines, W = 3, participation 0
    assert eng.series["welfare"][12, 0] == 3.0
    assert eng.series["participation"][:, 0].tolist() == [1] * 12 + [0]
    assert eng.pool[0] == 12 * 2 * 2.0


def test_minilateral_outsiders_never_follow_the_plan():
    cfg = ModelConfig(
        n_countries=6,
        network="complete",
        mode="collective",
        regime="minilateral",
        strategies=("AllC",) * 6,
        rounds=5,
    )
    econ = Economy.default(6, seed=3)
    eng = CollectiveEngine(cfg, econ, seed=2).run()
    club = club_by_complementarity(econ)
    assert len(club) == 2 and int(np.argmax(econ.sizes)) in club
    outsiders = np.setdiff1d(np.arange(6), club)
    assert not eng.country_actions[0, outsiders].any()
    assert eng.country_actions[0, club].all()


def test_gini_hand_values():
    assert gini(np.array([[1.0, 1.0, 1.0]]))[0] == pytest.approx(0.0)
    # one country holds everything: (n − 1) / n
    assert gini(np.array([[0.0, 0.0, 0.0, 4.0]]))[0] == pytest.approx(0.75)


@pytest.mark.parametrize("name", [p for p in PRESETS if load_preset(p).mode == "collective"])
def test_every_economy_preset_runs_100_rounds_with_finite_metrics(name):
    model = RegionModel(load_preset(name), seed=1).run(100)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 100
    assert np.isfinite(frame.to_numpy(dtype=float)).all()
    assert model.coordinator is not None
    assert (frame["plan_welfare"] <= frame["optimum"] + 1e-9).all()  # no plan beats W_opt


def test_same_seed_same_collective_run():
    cfg = load_preset("classroom").replace(noise=0.05, observation_error=0.05)
    a = RegionModel(cfg, seed=4).run(30).datacollector.get_model_vars_dataframe()
    b = RegionModel(cfg, seed=4).run(30).datacollector.get_model_vars_dataframe()
    assert a.equals(b)


def test_transparency_lowers_error_and_delay_between_members_only():
    cfg = ModelConfig(
        n_countries=6,
        network="complete",
        mode="collective",
        rounds=3,
        regime="minilateral",
        observation_error=0.2,
        observation_delay=3,
        transparency=0.5,
        strategies=("AllC",) * 6,
    )
    econ = Economy.default(6, seed=3)
    eng = CollectiveEngine(cfg, econ, seed=2)
    club = set(club_by_complementarity(econ).tolist())
    for e, (i, j) in enumerate(zip(eng.edges.src, eng.edges.dst, strict=True)):
        inside = i in club and j in club
        assert eng.edge_error[e] == pytest.approx(0.1 if inside else 0.2)  # 0.2 · (1 − 0.5)
        assert eng.edge_delay[e] == (1 if inside else 3)  # ⌊3 · 0.5⌋ = 1


@pytest.mark.parametrize(
    "kind, rule", [("cooperative", "CooperativeHegemon"), ("coercive", "CoerciveHegemon")]
)
def test_the_largest_country_plays_the_hegemon_rule(kind, rule):
    cfg = ModelConfig(
        n_countries=5,
        network="complete",
        mode="collective",
        hegemon=kind,
        rounds=3,
        strategies={"TitForTat": 1},
    )
    econ = Economy.default(5, seed=1)
    eng = CollectiveEngine(cfg, econ, seed=1).run()
    h = int(np.argmax(econ.sizes))
    assert eng.hegemon_id == h
    assert eng.strategy_names[eng.strategy_of_country[0, h]] == rule
    assert eng.record().strategy_shares[-1, 0].tolist() == [0.8, 0.2]


def test_a_technology_shock_opens_a_new_sector_or_moves_a_market():
    from model.collective import technology_shock
    from model.economy import Sector

    econ = Economy(
        [Sector("old", 6.0), Sector("hydrogen", 0.0)],
        sizes=[1.0, 1.0],
        capability=np.ones((2, 2)),
        budgets=1,
        kappa=0.0,
    )
    moved = technology_shock(econ, 0, 2.0)
    np.testing.assert_allclose(moved.market, [12.0, 0.0])
    opened = technology_shock(econ, 1, 2.0)  # opens at the mean market (3) × 2
    np.testing.assert_allclose(opened.market, [6.0, 6.0])
    # before: the new sector pays nothing (q = 0); after: one producer earns 6 there
    x = np.array([[True, False], [False, True]])
    np.testing.assert_allclose(econ.payoffs(x), [6.0, 0.0])
    np.testing.assert_allclose(opened.payoffs(x), [6.0, 6.0])


def test_supranational_plans_are_revised_three_times_less_often():
    cfg = ModelConfig(**{**TWO, "regime": "supranational", "strategies": ("AllC", "AllC")})
    eng = _market_sharing(("AllC", "AllC"))
    assert eng.revision_interval == 4
    binding = CollectiveEngine(cfg, Economy.market_sharing([3, 1], 2), seed=1)
    assert binding.revision_interval == 12


@pytest.mark.parametrize("regime", ["none", "plurilateral", "supranational", "minilateral"])
def test_price_of_non_coordination_never_positive_under_shocks_and_stakes(regime):
    """W_opt bounds every welfare seen, also after technology shocks (where the coordinator's
    method alone can fall short of a plan found later) and with irregular stakes (all welfare
    series are at today's stake): W − W_opt ≤ 0 in every round."""
    cfg = load_preset("classroom").replace(
        regime=regime, tech_shock_rate=0.3, directional=True, stake_sigma=0.5, rounds=40
    )
    df = RegionModel(cfg, seed=3).run(40).datacollector.get_model_vars_dataframe()
    assert (df["price_of_non_coordination"] <= 1e-9).all()
    assert (df["plan_welfare"] <= df["optimum"] + 1e-9).all()
    assert df["optimum"].nunique() > 1  # scaled by the round's stake
