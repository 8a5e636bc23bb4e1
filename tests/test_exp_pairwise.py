"""The tournament, participants and mutuality experiments: valid points, analyses, key results."""

from __future__ import annotations

import json

import pytest

from experiments import sweep as sw
from experiments.catalogue import mutuality as exp_mutuality
from experiments.catalogue import participants as exp_participants
from experiments.catalogue import tournament as exp_tournament
from experiments.catalogue.experiment import Experiment
from model.config import ModelConfig

EXPERIMENTS = (exp_tournament.EXPERIMENT, exp_participants.EXPERIMENT, exp_mutuality.EXPERIMENT)


def _config_fields(point: dict) -> dict:
    return {k: v for k, v in point.items() if k not in ("kind", "burn_in", "premium_scale")}


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_points_are_valid(exp: Experiment) -> None:
    for part in exp.parts.values():
        for scale in (1.0, 2.0):
            points = part.points(scale)
            assert points
            for point in points:
                canonical = json.loads(sw.canonical_json(point))
                if canonical.get("kind") in ("round_robin", "economy"):
                    continue  # checked by running them below
                ModelConfig.from_mapping(_config_fields(canonical))


def test_economy_points_build_configs() -> None:
    for point in exp_mutuality.economy_points(1.0):
        config = exp_mutuality.classroom_config(point["chain_bonus"], point["premium_scale"])
        econ = config.build_economy()
        assert econ.chain_bonus == point["chain_bonus"]
        assert econ.N == 6


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_one_replicate_of_each_part_runs(exp: Experiment) -> None:
    run = exp.run or sw.run_one
    for part in exp.parts.values():
        point = min(part.points(0.2), key=lambda p: p.get("n_countries", 0))
        result = run(json.loads(sw.canonical_json(point)), 7, 0)
        assert result and all(isinstance(v, float) for v in result.values())


def _run(exp: Experiment, parts: dict, tmp_path, replicates: int = 2) -> str:
    import pandas as pd

    frames = []
    for key, points in parts.items():
        sweep = sw.Sweep(
            f"{exp.name}/{key}", points, replicates=replicates, run=exp.run or sw.run_one
        )
        sweep.run(tmp_path / key, engine="serial", progress=False)
        frames.append(sw.load_results(tmp_path / key).assign(part=key))
    df = pd.concat(frames, ignore_index=True)
    assert df["error"].isna().all(), df["error"].dropna().head()
    return exp.analyze(df, tmp_path)


def test_tournament_analysis(tmp_path) -> None:
    exp = exp_tournament.EXPERIMENT
    parts = {
        "round_robin": [p for p in exp.parts["round_robin"].points(0.2) if p["noise"] in (0, 0.1)],
        "evolution": exp.parts["evolution"].points(0.2)[::2],
    }
    text = _run(exp, parts, tmp_path)
    assert (tmp_path / "tournament_ranks.png").stat().st_size > 0
    assert (tmp_path / "evolution_shares.png").stat().st_size > 0
    assert "winner" in text and "| 0.99 | 0 |" in text
    assert "final cooperation" in text


def test_reciprocators_beat_alld_in_long_noiseless_games() -> None:
    # With δ = 0.99 a game lasts 100 rounds on average. AllD earns T = 5 once against each
    # reciprocator, then P = 1 for the rest of the game (≈ 1.04 per round), while two
    # reciprocators earn R = 3 every round; so any reciprocator's mean score (≈ 3 against the
    # five reciprocators, AllC, Calculating and itself) is far above AllD's (≈ 1.5–2).
    point = {"kind": "round_robin", "rounds": 400, "repetitions": 4}
    for replicate in range(3):
        scores = exp_tournament.tournament_run(
            {**point, "noise": 0.0, "continuation": 0.99}, 11, replicate
        )
        winner = max(scores, key=scores.get)
        assert winner != "score_AllD"
        for name in exp_tournament.RECIPROCATORS:
            assert scores[f"score_{name}"] > scores["score_AllD"], name


def test_participants_analysis(tmp_path) -> None:
    exp = exp_participants.EXPERIMENT
    parts = {
        "collective": [
            {**p, "rounds": 12}
            for p in exp.parts["collective"].points(1.0)
            if p["n_countries"] in (2, 8)
        ],
        "pairwise": exp.parts["pairwise"].points(1.0)[::3],
    }
    text = _run(exp, parts, tmp_path)
    assert (tmp_path / "participants.png").stat().st_size > 0
    assert (tmp_path / "participants_pairwise.png").stat().st_size > 0
    assert "welfare per country" in text
    for regime in exp_participants.REGIMES:
        assert f"| {regime} | 8 |" in text


def test_participants_docstring_explains_the_scaling() -> None:
    doc = exp_participants.__doc__
    assert "Economy.default(N)" in doc and "fixed regional total" in doc


def test_mutuality_analysis(tmp_path) -> None:
    exp = exp_mutuality.EXPERIMENT
    parts = {
        "pairwise": [
            {**p, "rounds": 100}
            for p in exp.parts["pairwise"].points(1.0)
            if p["strategies"] == exp_mutuality.MIXES["defectors"]
        ],
        "economy": exp.parts["economy"].points(0.2)[::4],
    }
    text = _run(exp, parts, tmp_path)
    assert (tmp_path / "mutuality_games.png").stat().st_size > 0
    assert (tmp_path / "mutuality_economy.png").stat().st_size > 0
    assert "in harmony" in text and "stag hunt" in text


def test_harmony_beats_prisoners_dilemma_with_the_same_mix() -> None:
    # The "defectors" mix is AllC : AllD = 1 : 3, strategies spread by imitation of better-earning
    # neighbours. Neither rule reacts to payoffs, so only selection differs between games. In
    # harmony (R > T, S > P) C is the better reply to everything: an AllC earns more than an AllD
    # facing the same neighbours, so AllC spreads and cooperation rises. In the prisoner's dilemma
    # (T > R, P > S) the reverse holds, AllD spreads and cooperation falls towards the noise.
    base = {
        **exp_mutuality.PAIRWISE_BASE,
        "rounds": 150,
        "strategies": exp_mutuality.MIXES["defectors"],
    }
    coop = {
        game: sum(
            exp_mutuality.mutuality_run({**base, "game": game}, 3, r)["cooperation"]
            for r in range(3)
        )
        / 3
        for game in ("harmony", "prisoners_dilemma")
    }
    assert coop["harmony"] > coop["prisoners_dilemma"] + 0.3
