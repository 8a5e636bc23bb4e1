"""The experiment catalogue through the real sweep runner: theory recovered, files written."""

import pytest

from experiments import sweep as sw
from experiments.catalogue import EXPERIMENTS, analyze_folder, run_experiment
from experiments.catalogue.price_of_anarchy import price_of_anarchy_run
from experiments.catalogue.shadow import shadow_run
from experiments.cli import main
from model import theory
from model.games import PD


@pytest.mark.parametrize(("error", "delay"), [(0.1, 0), (0.0, 1)])
def test_shadow_streams_flip_sign_at_the_engine_true_threshold(error, delay):
    # 3000 pairs of Grim against Grim and of AllD against Grim, discounted realised payoffs:
    # complying loses below the two-sided threshold and wins above it (by more than 4 SE)
    star = theory.grim_threshold_two_sided(PD, error, delay)
    for delta, sign in ((star - 0.06, -1), (star + 0.06, 1)):
        r = shadow_run(
            {
                "kind": "streams",
                "observation_error": error,
                "observation_delay": delay,
                "continuation": round(delta, 3),
            },
            seed=3,
        )
        assert sign * r["advantage"] > 4 * r["advantage_se"], (delta, r)


def test_shadow_evolution_run_reports_the_winner():
    base = {
        "kind": "evolution",
        "n_countries": 60,
        "network": "complete",
        "rounds": 1000,
        "game": "prisoners_dilemma",
        "evolution": "imitation",
        "evolution_interval": 50,
        "evolution_rate": 0.3,
        "mix": "tft_alld",
        "horizon": "eras",
    }
    x_star = theory.basin_boundary(PD, 0.8)
    up = shadow_run({**base, "continuation": 0.8, "x0": x_star + 0.1}, seed=1)
    down = shadow_run({**base, "continuation": 0.8, "x0": x_star - 0.1}, seed=1)
    assert up["tft"] >= 0.9 and down["tft"] <= 0.1


def test_price_of_anarchy_run_respects_the_order_of_welfares():
    for n in (3, 12):
        r = price_of_anarchy_run({"n_countries": n, "submissions": 8}, seed=5)
        assert r["bound"] >= r["w_opt"] - 1e-9  # a Lagrangian value bounds the optimum
        assert r["w_opt"] >= r["w_nash"] - 1e-9 and r["w_opt"] >= r["w_coordinated"] - 1e-9
        assert r["price_of_non_coordination"] <= 1e-9  # the paper's sign
        assert r["duality_gap"] >= -1e-12


def test_price_of_anarchy_experiment_writes_figures_and_summary(tmp_path):
    folder = run_experiment("price-of-anarchy", tmp_path, engine="serial", progress=False)
    summary = (folder / "summary.md").read_text()
    assert summary.startswith("# Price of anarchy") and "| 80 |" in summary
    assert (folder / "price_of_anarchy.png").read_bytes()[:4] == b"\x89PNG"
    analyze_folder(folder)  # re-analysing needs only the stored results


def test_catalogue_errors_are_one_clear_line(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "no-such-experiment", "--out", str(tmp_path)])
    assert "unknown experiment 'no-such-experiment'; allowed: " in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["analyze", str(tmp_path)])
    assert "no sweep results here" in capsys.readouterr().err
    assert set(EXPERIMENTS) >= {"shadow-of-the-future", "price-of-anarchy"}


def test_failed_runs_are_reported_not_fatal(tmp_path):
    base = {"n_countries": 6, "network": "complete", "rounds": 20}
    points = [
        {**base, "continuation": 0.5 + 0.05 * k, "noise": 0.9 if k == 0 else 0.0}
        for k in range(6)  # noise 0.9 is out of range
    ]
    sw.Sweep("failing", points, replicates=1).run(
        tmp_path / "thresholds", engine="serial", progress=False
    )
    frame = sw.load_results(tmp_path / "thresholds")
    assert frame["error"].notna().sum() == 1 and "noise" in frame["error"].dropna().iloc[0]
    assert frame["cooperation"].notna().sum() == 5  # the other runs completed
