"""Compare (issue 12): A, the tab's setting, against B, one named change, same seed and axes."""

from __future__ import annotations

import pytest

from model.config import ModelConfig
from model.region import RegionModel
from viz.compare import changes, compare, comparison_png, long_run_gap

PNG = b"\x89PNG\r\n\x1a\n"


def test_b_is_a_with_exactly_the_named_change_and_the_same_seed():
    """Each side equals its own model run alone: the comparison adds nothing and loses nothing."""
    config = ModelConfig(n_countries=10, rounds=60)
    result = compare(config, 3, "continuation=0.4&noise=0.02", 60)
    alone_b = RegionModel(config.replace(continuation=0.4, noise=0.02), seed=3).run(60)
    alone_a = RegionModel(config, seed=3).run(60)
    frame_b = alone_b.datacollector.get_model_vars_dataframe()
    frame_a = alone_a.datacollector.get_model_vars_dataframe()
    assert result.b["cooperation"].tolist() == frame_b["cooperation"].tolist()
    assert result.a["cooperation"].tolist() == frame_a["cooperation"].tolist()
    assert result.label_b == "B: continuation = 0.4, noise = 0.02"
    assert result.label_a == "A: continuation = 0.95, noise = 0"


def test_the_long_run_gap_is_what_the_rules_imply():
    """All TitForTat (noise 0: they always cooperate, cooperation 1) against all AllD (never
    cooperates, 0): B − A = −1 exactly."""
    config = ModelConfig(n_countries=10, strategies={"TitForTat": 1}, noise=0.0, rounds=40)
    result = compare(config, 1, "strategies=AllD", 40)
    assert long_run_gap(result) == pytest.approx(-1.0)  # TitForTat alone: 1; AllD alone: 0
    assert comparison_png(result)[:8] == PNG


def test_bad_changes_are_named():
    with pytest.raises(ValueError, match="nothing changed"):
        changes("  ")
    with pytest.raises(ValueError, match="unknown field"):
        compare(ModelConfig(), 1, "nope=1", 10)
    with pytest.raises(ValueError, match=r"continuation = 1\.5"):
        compare(ModelConfig(), 1, "continuation=1.5", 10)
    with pytest.raises(ValueError, match="rounds = 0"):
        compare(ModelConfig(), 1, "continuation=0.4", 0)


def test_a_bad_mix_is_named_with_its_field():
    with pytest.raises(ValueError, match="compare with: strategies: unknown strategy 'Nope'"):
        changes("strategies=Nope")
