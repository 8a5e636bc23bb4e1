"""Triple flexibility (paper Table 3): each switch changes what its shock does in the direction
the paper argues — on a fixed seed and across 20 seeds (replicates share the shocks of their seed
whether the switch is on or off: common random numbers)."""

import numpy as np
import pytest

from model.engine import CollectiveEngine
from model.scenarios import load_preset

ISSUE_10 = pytest.mark.xfail(
    reason="issue 10: with individually rational councils (P_i = the status quo) this built-in "
    "claim no longer holds; the broker, institutions and flexibility are rebuilt to earn it",
    strict=True,
)

BASE = load_preset("classroom").replace(rounds=60, initial_trust=1.0)
ECON = BASE.build_economy()
SEEDS = 20


def _pair(**changes):
    flag = next(k for k in ("compositional", "longitudinal", "directional") if k in changes)
    cfg = BASE.replace(**changes)
    off = CollectiveEngine(cfg.replace(**{flag: False}), ECON, seed=7, replicates=SEEDS).run()
    on = CollectiveEngine(cfg.replace(**{flag: True}), ECON, seed=7, replicates=SEEDS).run()
    for key in ("elections", "technology"):  # the same shocks hit both
        np.testing.assert_array_equal(off.shocks[key], on.shocks[key])
    return off, on


@ISSUE_10
def test_longitudinal_flexibility_keeps_new_governments_in():
    # Elections redraw governments' strategies; without flexibility a new government leaves the
    # arrangement, with it the country renegotiates its share and stays (Table 3).
    off, on = _pair(
        election_rate=0.03, longitudinal=True, strategies={"TitForTat": 2, "Grim": 1, "AllD": 0.5}
    )
    assert on.shocks["elections"].sum() > 0
    part_off, part_on = off.series["participation"].mean(0), on.series["participation"].mean(0)
    coop_off, coop_on = off.record().cooperation.mean(0), on.record().cooperation.mean(0)
    assert part_on[0] > part_off[0] and coop_on[0] > coop_off[0]  # the fixed seed
    assert part_on.mean() > part_off.mean() and coop_on.mean() > coop_off.mean()  # 20 seeds


@ISSUE_10
def test_compositional_flexibility_is_asean_minus_x_not_exit():
    # Costly coordination leaves some members below their outside option: without flexibility
    # they leave, with it they only opt out of the sector initiatives that lose them money.
    off, on = _pair(coordination_cost=1.0, compositional=True)
    assert (on.series["participation"] == 1.0).all()  # nobody leaves, in any seed
    assert on.opt_out.any()  # … some opt out of single initiatives instead
    part_off = off.series["participation"].mean(0)
    assert part_off[0] < 1.0  # the fixed seed: somebody left
    assert part_off.mean() < 1.0


@ISSUE_10
def test_directional_flexibility_replans_after_technology_shocks():
    # With trusting reciprocators the broker's plan is near-optimal whenever it is computed; a
    # technology shock makes the plan stale until its next revision unless the coordinator
    # re-plans at once. So the plan's shortfall from the optimum is smaller with flexibility.
    off, on = _pair(
        tech_shock_rate=0.1,
        tech_shock_sigma=1.0,
        replan_interval=30,
        directional=True,
        strategies={"TitForTat": 1},
    )
    assert on.shocks["technology"].sum() > 0
    gap_off = (off.series["plan_welfare"] - off.series["optimum"]).mean(0)
    gap_on = (on.series["plan_welfare"] - on.series["optimum"]).mean(0)
    assert gap_on[0] > gap_off[0]  # the fixed seed
    assert gap_on.mean() > gap_off.mean()  # 20 seeds
    assert (gap_on >= gap_off - 1e-9).mean() >= 0.75  # and in most seeds


@pytest.mark.parametrize("flag", ["longitudinal", "directional"])
def test_switches_do_nothing_without_their_shock(flag):
    # no elections and no technology shocks: the switch has nothing to act on
    cfg = BASE.replace(rounds=25, strategies={"TitForTat": 1})
    a = CollectiveEngine(cfg, ECON, seed=3, replicates=2).run()
    b = CollectiveEngine(cfg.replace(**{flag: True}), ECON, seed=3, replicates=2).run()
    for key in ("welfare", "plan_welfare", "participation"):
        np.testing.assert_array_equal(a.series[key], b.series[key])
