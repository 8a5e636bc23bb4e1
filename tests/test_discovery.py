"""Scenario discovery (``pacts analyze DIR --discover``): PRIM and CART recover a box built into
synthetic data, and the command writes its figure and Markdown or fails with one clear line."""

import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")
pytest.importorskip("sklearn")

from experiments import sweep as sw
from experiments.catalogue import run_experiment
from experiments.catalogue.shadow import EVOLUTION_BASE, shadow_run
from experiments.cli import main
from experiments.discovery import discover

X_LOW, Y_HIGH = 0.6, 0.3
"""The synthetic case: x >= 0.6 and y <= 0.3 (z is irrelevant)."""
TOL = 0.05


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(2024)
    n = 2000
    df = pd.DataFrame(
        {"x": rng.uniform(size=n), "y": rng.uniform(size=n), "z": rng.uniform(size=n)}
    )
    case = (df["x"] >= X_LOW) & (df["y"] <= Y_HIGH)
    # a continuous outcome that passes 0.5 exactly on the box
    df["cooperation"] = np.where(case, rng.uniform(0.5, 1.0, n), rng.uniform(0.0, 0.499, n))
    return df, case.to_numpy(), discover(df, ["x", "y", "z"], "cooperation", 0.5)


def test_prim_recovers_the_box_and_leaves_the_irrelevant_input_free(synthetic):
    df, _, found = synthetic
    box = found.box
    assert set(box.restricted) == {"x", "y"}
    (x_low, x_high), (y_low, y_high) = box.restricted["x"], box.restricted["y"]
    assert x_high is None and abs(x_low - X_LOW) <= TOL
    assert y_low is None and abs(y_high - Y_HIGH) <= TOL
    assert box.limits["z"] == (df["z"].min(), df["z"].max())  # the whole range
    assert box.meets_density and box.density >= found.min_density
    # the stated rule: the highest coverage among the trajectory's boxes with density >= 0.8
    dense = found.trajectory[found.trajectory["density"] >= found.min_density]
    assert box.coverage == dense["coverage"].max()


def test_reported_density_coverage_and_mass_match_the_box_counted_by_hand(synthetic):
    df, case, found = synthetic
    inside = np.ones(len(df), dtype=bool)
    for name, (low, high) in found.box.limits.items():
        inside &= (df[name] >= low).to_numpy() & (df[name] <= high).to_numpy()
    assert found.cases == case.sum() and found.runs == len(df)
    assert found.box.density == pytest.approx(case[inside].mean(), abs=1e-12)
    assert found.box.coverage == pytest.approx(case[inside].sum() / case.sum(), abs=1e-12)
    assert found.box.mass == pytest.approx(inside.mean(), abs=1e-12)
    assert found.box.runs == inside.sum()
    assert found.box.density >= 0.9 and found.box.coverage >= 0.9  # the box is the case


def test_cart_splits_on_x_and_y_near_the_box(synthetic):
    _, _, found = synthetic
    tree = found.tree
    assert tree.accuracy >= 0.98
    t = tree.model.tree_
    splits: dict[str, list[float]] = {}  # input -> the tree's thresholds on it
    for f, cut in zip(t.feature, t.threshold, strict=True):
        if f >= 0:  # a split, not a leaf
            splits.setdefault(found.inputs[f], []).append(cut)
    assert any(abs(c - X_LOW) <= TOL for c in splits.get("x", []))
    assert any(abs(c - Y_HIGH) <= TOL for c in splits.get("y", []))
    best = max(tree.rules, key=lambda r: r.coverage)  # the leaf of the case
    (x_low, x_high), (y_low, y_high) = best.conditions["x"], best.conditions["y"]
    assert x_high is None and abs(x_low - X_LOW) <= TOL
    assert y_low is None and abs(y_high - Y_HIGH) <= TOL
    assert "z" not in best.conditions and best.density >= 0.98 and best.coverage >= 0.98


def test_the_words_state_the_box_and_the_rules(synthetic):
    _, _, found = synthetic
    words = found.box_words()
    assert words.startswith("cooperation holds (≥ 0.5) when x ≥ 0.")
    assert " and y ≤ 0." in words and "z" not in words
    assert f"{100 * found.box.density:.0f} % of such runs" in words
    assert f"covering {100 * found.box.coverage:.0f} % of all runs" in words
    text = found.markdown()
    assert "### PRIM box" in text and "### CART tree" in text and "| z |" in text


def test_below_makes_the_complement_the_case(synthetic):
    df, case, _ = synthetic
    found = discover(df, ["x", "y", "z"], "cooperation", 0.499, above=False)
    assert found.cases == (~case).sum() and found.case == "cooperation ≤ 0.499"


# ------------------------------------------------------------------ the command
@pytest.fixture(scope="module")
def lhs_folder(tmp_path_factory):
    """A real sampled sweep of the headline experiment: 24 LHS points of (δ, x0), one run each."""
    out = tmp_path_factory.mktemp("lhs")
    return run_experiment(
        "shadow-of-the-future",
        out,
        design="lhs",
        runs=24,
        replicates=1,
        engine="serial",
        progress=False,
    )


def small_folder(path, points):
    """A ``shadow-of-the-future`` folder with these TitForTat-vs-AllD points (a short run)."""
    base = {**EVOLUTION_BASE, "mix": "tft_alld", "horizon": "eras", "n_countries": 20}
    points = [{**base, "rounds": 100, **p} for p in points]
    sw.Sweep("shadow-of-the-future/csv", points, replicates=1, run=shadow_run).run(
        path / "csv", engine="serial", progress=False
    )
    return path


def test_analyze_discover_writes_the_figure_and_the_markdown(lhs_folder, capsys):
    assert main(["analyze", str(lhs_folder), "--discover"]) == 0
    out = capsys.readouterr().out
    assert "## Scenario discovery: when does cooperation hold (≥ 0.5)?" in out
    assert (lhs_folder / "discovery.png").read_bytes()[:4] == b"\x89PNG"
    text = (lhs_folder / "discovery.md").read_text(encoding="utf-8")
    assert "24 runs (part lhs)" in text and "inputs: continuation, x0." in text
    assert "cooperation holds (≥ 0.5) when " in text and "Accuracy " in text
    assert (lhs_folder / "summary.md").exists()  # the usual analysis too


def test_analyze_discover_other_outcome_inputs_and_threshold(lhs_folder, capsys):
    args = ["analyze", str(lhs_folder), "--discover", "--outcome", "tft", "--threshold", "0.9"]
    assert main([*args, "--inputs", "continuation"]) == 0
    text = (lhs_folder / "discovery.md").read_text(encoding="utf-8")
    assert "when does tft hold (≥ 0.9)?" in text and "inputs: continuation." in text


def expect_error(capsys, argv, *fragments):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("pacts: error: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, err


def test_bad_options_give_one_clear_error_each(lhs_folder, capsys):
    d = ["analyze", str(lhs_folder), "--discover"]
    expect_error(capsys, [*d, "--outcome", "nope"], "--outcome 'nope'", "allowed: cooperation")
    expect_error(capsys, [*d, "--inputs", "continuation,nope"], "--inputs 'nope'", "x0")
    expect_error(capsys, [*d, "--threshold", "1.5"], "--threshold 1.5: no run has", "allowed: ")
    expect_error(capsys, [*d, "--threshold", "-1"], "--threshold -1: every run has")
    expect_error(capsys, [*d, "--part", "grid"], "--part 'grid': allowed: lhs")
    expect_error(
        capsys,
        ["analyze", str(lhs_folder), "--threshold", "0.3"],
        "--threshold: only with --discover",
    )


def test_no_variation_and_too_few_runs_are_refused(tmp_path, capsys):
    flat = small_folder(tmp_path / "flat", [{"continuation": 0.8, "x0": 0.5}] * 20)
    expect_error(capsys, ["analyze", str(flat), "--discover"], "--inputs: no parameter varies")
    expect_error(
        capsys,
        ["analyze", str(flat), "--discover", "--inputs", "continuation"],
        "--inputs continuation: one value (0.8) in all 20 runs",
    )
    few = small_folder(
        tmp_path / "few", [{"continuation": 0.5 + 0.04 * k, "x0": 0.1 * k} for k in range(10)]
    )
    expect_error(capsys, ["analyze", str(few), "--discover"], "10 run(s)", "at least 20")
    assert not (flat / "discovery.md").exists() and not (few / "discovery.md").exists()


def test_a_missing_library_names_the_extra(lhs_folder, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis", None)
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)
    expect_error(
        capsys,
        ["analyze", str(lhs_folder), "--discover"],
        "ema-workbench",
        "pip install -e '.[discovery]'",
    )
