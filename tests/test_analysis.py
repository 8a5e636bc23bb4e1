"""Sweep analysis: aggregation, the crossing estimator and critical δ, worked by hand."""

import numpy as np
import pandas as pd
import pytest

from experiments.analysis import aggregate, critical_delta, crossing, phase_diagram


def test_crossing_interpolates_linearly():
    # y rises from 0.2 (x = 0.4) to 0.8 (x = 0.6): 0.5 is reached halfway, at x = 0.5
    assert crossing([0.2, 0.4, 0.6, 0.8], [0.0, 0.2, 0.8, 1.0]) == pytest.approx(0.5)
    assert np.isnan(crossing([0.1, 0.2], [0.1, 0.2]))  # never reaches 0.5
    assert np.isnan(crossing([0.1, 0.2], [0.7, 0.9]))  # already above at the start


def test_aggregate_mean_and_t_interval():
    df = pd.DataFrame({"g": [1, 1, 1, 2, 2], "m": [1.0, 2.0, 3.0, 5.0, 5.0]})
    out = aggregate(df, ["g"], "m").set_index("g")
    # group 1: mean 2, sd 1, sem 1/√3, t(0.975, 2) = 4.3027 → ± 2.4841
    assert out.loc[1, "mean"] == 2.0 and out.loc[1, "n"] == 3
    assert out.loc[1, "high"] - out.loc[1, "mean"] == pytest.approx(4.302653 / np.sqrt(3), 1e-5)
    assert out.loc[2, "low"] == out.loc[2, "high"] == 5.0  # no spread


def test_critical_delta_of_a_step_is_the_midpoint_and_bootstrap_is_tight():
    # cooperation is 0 below δ = 0.55 and 1 from 0.6: the interpolated crossing is at 0.575
    deltas = np.round(np.arange(0.3, 0.9, 0.05), 2)
    df = pd.DataFrame(
        [
            {"continuation": d, "replicate": r, "eps": e, "cooperation": float(d >= 0.6 + e)}
            for d in deltas
            for r in range(5)
            for e in (0.0, 0.1)
        ]
    )
    out = critical_delta(df, by=["eps"], n_boot=50).set_index("eps")
    assert out.loc[0.0, "critical"] == pytest.approx(0.575)
    assert out.loc[0.1, "critical"] == pytest.approx(0.675)
    assert out.loc[0.0, "low"] == out.loc[0.0, "high"] == pytest.approx(0.575)


def test_phase_diagram_writes_a_png(tmp_path):
    df = pd.DataFrame(
        [
            {"continuation": d, "observation_error": e, "cooperation": float(d > e)}
            for d in (0.2, 0.5, 0.8)
            for e in (0.0, 0.25, 0.5)
        ]
    )
    path = phase_diagram(
        df,
        "continuation",
        "observation_error",
        "cooperation",
        tmp_path / "p.png",
        "test",
        curves={"δ = ε": ([0, 1], [0, 1])},
    )
    assert path.read_bytes()[:4] == b"\x89PNG"
