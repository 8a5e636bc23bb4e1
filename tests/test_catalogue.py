"""The experiment catalogue through the real sweep runner: theory recovered, files written."""

import pytest

from experiments import sweep as sw
from experiments.catalogue import (
    EXPERIMENTS,
    analyze_folder,
    price_of_anarchy_run,
    run_experiment,
    shadow_critical_table,
    shadow_threshold_points,
)
from experiments.cli import main


def test_shadow_of_the_future_recovers_the_analytic_critical_delta(tmp_path):
    # forward-looking governments on the classic PD: ε ∈ {0, 0.05, 0.1} (d = 0) and
    # d ∈ {1, 2} (ε = 0); stakes are regular here, so the opening move is deterministic
    points = [p for p in shadow_threshold_points() if "stake_sigma" not in p]
    sw.Sweep("shadow-test", points, replicates=2, root_seed=3).run(
        tmp_path, engine="serial", progress=False
    )
    df = sw.load_results(tmp_path).assign(part="thresholds")
    assert df["error"].isna().all()
    table = shadow_critical_table(df).set_index("setting")
    for setting in (
        "ε = 0, d = 0",
        "ε = 0.05, d = 0",
        "ε = 0.1, d = 0",
        "ε = 0, d = 1",
        "ε = 0, d = 2",
    ):
        row = table.loc[setting]
        assert abs(row["simulated"] - row["theory"]) <= 0.03, (setting, row.to_dict())


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
    points = [
        {**p, "noise": 0.9 if k == 0 else 0.0}  # noise 0.9 is out of range
        for k, p in enumerate(shadow_threshold_points()[:6])
    ]
    sw.Sweep("shadow-of-the-future/thresholds", points, replicates=1).run(
        tmp_path / "thresholds", engine="serial", progress=False
    )
    frame = sw.load_results(tmp_path / "thresholds")
    assert frame["error"].notna().sum() == 1 and "noise" in frame["error"].dropna().iloc[0]
    assert frame["cooperation"].notna().sum() == 5  # the other runs completed
