"""Institutions through incentives (issue 10, DESIGN §5–§6): side payments where individual
rationality binds, elections that never force an exit, fines that move forward-looking
governments. Expected values come from each country's own implied game."""

from __future__ import annotations

import numpy as np
import pytest

from model import ModelConfig, load_preset
from model.engine import build_engine


def _mercosur(budget: float):
    cfg = load_preset("mercosur").replace(
        regime="plurilateral", hegemon="cooperative", hegemon_budget=budget, rounds=40
    )
    return build_engine(cfg, seed=1)


def test_transfers_are_paid_exactly_where_individual_rationality_binds():
    """Mercosur under a cooperative hegemon (Brazil): a member whose plan payoff net of costs
    is below its status-quo payoff P_i is promised exactly the shortfall; nobody else is."""
    eng = _mercosur(10.0)
    net = eng.plan_payoff[0] - eng.membership_costs(0)
    need = np.maximum(eng.outside_option[0] - net, 0.0)
    need[eng.hegemon_id] = 0.0
    assert (need > 0).any()  # IR binds for somebody here
    np.testing.assert_allclose(eng.promised[0], need, atol=1e-12)
    assert eng.members[0].all()  # and the promise keeps everybody in


def test_without_a_budget_the_member_whose_ir_binds_is_lost():
    paid = _mercosur(10.0)
    unpaid = _mercosur(0.0)
    kept_by_transfers = paid.promised[0] > 0
    assert kept_by_transfers.any() and paid.members[0, kept_by_transfers].all()
    assert not unpaid.members[0, kept_by_transfers].any()  # the ablation: they decline
    assert (unpaid.promised == 0).all()
    paid.run()
    assert paid.series["transfers"][:, 0].min() > 0  # paid each round they follow
    assert (
        paid.series["participation"][:, 0].mean()
        > unpaid.run().series["participation"][:, 0].mean()
    )


def test_an_election_alone_never_makes_a_member_leave():
    """A new government that values the plan as its predecessor did (election_sigma = 0) and
    keeps the scenario's rule has no reason to leave: membership is exactly as without
    elections. (Before: every elected member was forced out when longitudinal was off.)"""
    cfg = load_preset("classroom").replace(rounds=60, longitudinal=False)
    calm = build_engine(cfg, seed=2).run()
    turbulent = build_engine(cfg.replace(election_rate=0.2, election_sigma=0.0), seed=2).run()
    assert turbulent.shocks["elections"][0] > 40
    np.testing.assert_array_equal(turbulent.series["participation"], calm.series["participation"])


def test_a_new_government_with_other_priorities_leaves_only_if_it_would_not_follow():
    """With election_sigma > 0 a new government re-values the standing plan; without
    longitudinal flexibility it stays iff it is still willing (IR and its rule)."""
    cfg = load_preset("classroom").replace(
        rounds=1, election_rate=1.0, election_sigma=0.5, longitudinal=False
    )
    eng = build_engine(cfg, seed=4)
    before = eng.members[0].copy()
    seen = []
    real_exit = eng._exit

    def exit_(r, who):
        seen.append((who.copy(), eng.willing(r)))
        real_exit(r, who)

    eng._exit = exit_
    eng._shocks()
    assert eng.shocks["elections"][0] == eng.N - (eng.hegemon_id is not None)
    assert len(seen) == 1  # with these priorities somebody would no longer follow
    who, willing = seen[0]
    assert who.any() and not willing[who].any()  # those who left were unwilling
    np.testing.assert_array_equal(who, before & ~willing)  # and every unwilling member left


@pytest.mark.parametrize("fine", [2.0, 5.0])
def test_a_supranational_fine_raises_compliance_below_the_threshold(fine):
    """Classroom at δ = 0.6, below Carvelia's δ* (0.72): without a fine the agreement fails;
    an expected fine larger than Carvelia's temptation T − R (0.28) lowers its T so that
    following is its best reply, and the region complies. Ablation: fine 0."""
    base = load_preset("classroom").replace(
        continuation=0.6,
        regime="supranational",
        enforcement=1.0,
        sovereignty_cost=0.0,
        rounds=60,
    )
    carvelia = [c["name"] for c in base.countries].index("Carvelia")
    none = build_engine(base.replace(fine=0.0), seed=1, replicates=3).run()
    fined = build_engine(base.replace(fine=fine), seed=1, replicates=3).run()
    assert not none.country_actions[:, carvelia].any()  # δ < δ*: it never follows
    assert fined.country_actions[:, carvelia].all()


@pytest.mark.parametrize(
    ("field", "value"),
    [("hegemon_budget", -1.0), ("fine", -0.5), ("initial_trust", 1.5), ("election_sigma", -1)],
)
def test_bad_institution_inputs_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        ModelConfig(**{field: value})
