"""Rule zero (DESIGN §3): the shadow of the future decides — in the default scenario, in pairwise
evolution (the basin boundary of TFT against AllD) and in collective mode (each forward-looking
country complies exactly when δ ≥ δ*_i of its own game). Thresholds are checked against the
engine's own payoff streams, and each result has an ablation that switches its mechanism off.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import brentq

from model import ModelConfig, load_preset, theory
from model.engine import PairwiseEngine, build_engine
from model.games import MatrixGame

PD = (5.0, 3.0, 1.0, 0.0)
PD_GAME = MatrixGame(*PD)


def _last20(cfg: ModelConfig, seeds=(1, 2, 3)) -> float:
    return float(
        np.mean([build_engine(cfg, s).run().record().cooperation[-20:].mean() for s in seeds])
    )


def test_default_scenario_responds_to_the_shadow_of_the_future():
    # δ = 0.4: relationships last 1.7 rounds on average, so the first-move exploiters (AllD,
    # SuspiciousTitForTat) out-earn the reciprocators and are imitated; δ = 0.95 (20 rounds):
    # reciprocity pays and spreads. Grim's δ* is 0.5 for (5, 3, 1, 0): 0.4 below, 0.95 above.
    base = load_preset("default")
    low, high = _last20(base.replace(continuation=0.4)), _last20(base.replace(continuation=0.95))
    assert high - low >= 0.3, (low, high)
    # ablation: with one relationship for the whole run and no revision, δ only enters the
    # forward-looking rule (absent here): the two runs are identical
    fixed = {"horizon": "fixed", "evolution": "none"}
    a = build_engine(base.replace(continuation=0.4, **fixed), 1).run().record().cooperation
    b = build_engine(base.replace(continuation=0.95, **fixed), 1).run().record().cooperation
    np.testing.assert_array_equal(a, b)


def test_basin_boundary_closed_form():
    assert theory.basin_boundary(PD_GAME, 0.6) == pytest.approx(1 / 2)
    assert theory.basin_boundary(PD_GAME, 0.8) == pytest.approx(1 / 7)
    assert theory.basin_boundary(PD_GAME, 0.9) == pytest.approx(1 / 17)


def _tft_share(delta: float, x0: float, **changes) -> np.ndarray:
    cfg = ModelConfig(
        n_countries=100,
        network="complete",
        game=PD,
        strategies={"TitForTat": x0, "AllD": 1.0 - x0},
        continuation=delta,
        rounds=1000,
        evolution="imitation",
        evolution_interval=50,  # revisions compare 50 rounds of many relationships
        evolution_rate=0.3,
        **changes,
    )
    return PairwiseEngine(cfg, seed=7, replicates=2).run().shares[:, 0]


@pytest.mark.parametrize("delta", [0.6, 0.8, 0.9])
def test_reciprocators_take_over_above_the_basin_boundary(delta):
    x_star = theory.basin_boundary(PD_GAME, delta)
    above = _tft_share(delta, x_star + 0.1)
    assert (above >= 0.9).all(), above
    if x_star - 0.1 > 0:
        below = _tft_share(delta, x_star - 0.1)
        assert (below <= 0.1).all(), below


def test_without_eras_the_basin_boundary_vanishes():
    # ablation: one relationship for the whole run (no eras): TFT's payoff against AllD is
    # S + 999·P, against TFT 1000·R — TFT wins from 0.4 at δ = 0.6 as at δ = 0.9
    for delta in (0.6, 0.9):
        assert (_tft_share(delta, 0.4, horizon="fixed") >= 0.9).all()


# ---------------------------------------------------------------------------- collective mode
def _classroom(delta: float, **changes) -> ModelConfig:
    return load_preset("classroom").replace(continuation=delta, **changes)


@pytest.mark.parametrize("delta", [0.3, 0.6, 0.8, 0.85, 0.95])
def test_a_forward_looking_country_complies_iff_delta_reaches_its_threshold(delta):
    # noise 0, regular stakes, no misreading: in every round, under the plan in force, every
    # member's own game is sustainable at this δ (δ ≥ δ*_i, R_i ≥ P_i) and every member
    # complies; a country whose δ*_i exceeds δ is never a member
    eng = build_engine(_classroom(delta, rounds=40, noise=0.0), 0)
    for _ in range(40):
        eng.step()
        star, members = eng.critical_deltas(0), eng.members[0]
        assert (delta >= star[members] - 1e-12).all()
        assert (eng.games["R"][0, members] >= eng.outside_option[0, members] - 1e-9).all()
        np.testing.assert_array_equal(eng.country_actions[0], members)


def test_classroom_compliance_rises_with_delta():
    coop = {d: _last20(_classroom(d)) for d in (0.3, 0.6, 0.9, 0.99)}
    assert coop[0.99] >= coop[0.3] + 0.1, coop
    values = list(coop.values())
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(values)), coop
    # ablation: myopic governments (the one-shot best reply, δ plays no role) — flat in δ
    myopic = {d: _last20(_classroom(d, strategies=("Myopic",) * 6)) for d in (0.3, 0.99)}
    assert myopic[0.3] == pytest.approx(myopic[0.99]), myopic


def _stream(cfg: ModelConfig, country: int, deviate: bool) -> np.ndarray:
    eng = build_engine(cfg, 0)
    if deviate:  # the country defects from round 0 on (its partners then punish)
        eng.assign(country, "AllD")
    pays = []
    for _ in range(cfg.rounds):
        eng.step()
        pays.append(eng.country_payoff_last[0, country])
    return np.array(pays), eng


@pytest.mark.parametrize("delay", [0, 1])
def test_collective_threshold_from_the_engines_payoff_streams(delay):
    """δ*_i of the engine (from the implied game, with feedback delay d) equals the δ at which
    the discounted payoff stream of complying equals that of deviating, both streams played by
    the engine: forward-looking partners, the deviator's best response while they follow, the
    status quo once they have seen the defection."""
    cfg = _classroom(
        0.99,
        rounds=200,
        horizon="fixed",
        evolution="none",
        replan_interval=1000,  # one plan: the streams are the plan's
        observation_delay=delay,
        transparency=0.0,  # members see each other d rounds late too
    )
    probe = build_engine(cfg, 0)
    star = probe.critical_deltas(0)
    tempted = np.flatnonzero((star > 0.05) & (star < 0.9) & probe.members[0])
    assert tempted.size, "the classroom plan should leave some member tempted (a PD)"
    i = int(tempted[np.argmax(star[tempted])])
    comply, eng = _stream(cfg, i, deviate=False)
    deviate, _ = _stream(cfg, i, deviate=True)
    t = np.arange(cfg.rounds)

    def advantage(d: float) -> float:
        return float(((comply - deviate) * d**t).sum())

    assert advantage(star[i] - 0.05) < 0 < advantage(star[i] + 0.05)
    assert brentq(advantage, 0.01, 0.999) == pytest.approx(star[i], abs=1e-6)
    g = eng.games
    # the streams are the implied game's payoffs: R while complying; T for d + 1 rounds, then P
    # (the status quo, the costs of membership still paid)
    np.testing.assert_allclose(comply, g["R"][0, i])
    np.testing.assert_allclose(deviate[: delay + 1], g["T"][0, i])
    np.testing.assert_allclose(deviate[delay + 1 :], g["P"][0, i])


def test_preset_rules_must_name_a_known_rule_for_every_country():
    cfg = load_preset("classroom")
    countries = [dict(c) for c in cfg.countries]
    countries[3]["rule"] = "Grimm"
    with pytest.raises(ValueError, match=r"countries\[3\]\.rule \(Dunmark\): unknown strategy"):
        cfg.replace(countries=tuple(countries))
    countries[3].pop("rule")
    with pytest.raises(ValueError, match=r"countries\[3\]\.rule \(Dunmark\): missing"):
        cfg.replace(countries=tuple(countries))


def test_sampled_designs_of_the_headline_experiment_run(tmp_path):
    """The headline experiment's sampled designs range over δ and the initial TitForTat share
    x0, its own parameter (not a model field): Latin hypercube and a CSV design both build
    points inside the ranges that its run function accepts."""
    from experiments import sweep as sw
    from experiments.catalogue import get_experiment

    exp = get_experiment("shadow-of-the-future")
    lhs = sw.latin_hypercube(exp.base, exp.ranges, 4, seed=2, extra=exp.params)
    for name, (low, high) in exp.ranges.items():
        values = sorted(p[name] for p in lhs)
        # one point in each quarter of the range (Latin hypercube strata)
        assert all(
            low + k * (high - low) / 4 <= v <= low + (k + 1) * (high - low) / 4
            for k, v in enumerate(values)
        )
    design = tmp_path / "points.csv"
    design.write_text("continuation,x0\n0.9,0.8\n")
    (point,) = sw.from_csv(exp.base, design, exp.params)
    assert point["x0"] == 0.8 and point["mix"] == "tft_alld"
    out = exp.run({**point, "rounds": 200}, seed=1)
    assert 0.0 <= out["cooperation"] <= 1.0
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) x1"):
        design.write_text("continuation,x1\n0.9,0.8\n")
        sw.from_csv(exp.base, design, exp.params)
