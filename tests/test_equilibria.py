"""All pure equilibria (Garg) and the per-preset table: the exact enumeration equals brute force,
the best-response-dynamics fallback finds only true equilibria (a subset, all of them with enough
starts), and the table's columns. Every equilibrium is checked here by an independent brute-force
test of unilateral deviations written from ``Economy.payoffs`` alone."""

import itertools

import numpy as np
import pytest
from test_optimisation import random_economy  # tests/ is on the path (pytest prepend mode)

from model import optimisation as opt
from model.economy import Economy
from model.optimisation.equilibria import dynamics_equilibria, exact_equilibria
from model.optimisation.landscape import COLUMNS, equilibria_table


def no_profitable_deviation(econ: Economy, x: np.ndarray) -> bool:
    """Independent check: every country's every feasible portfolio, scored with econ.payoffs."""
    u = econ.payoffs(x)
    for i in range(econ.N):
        for row in econ.portfolios(i):
            y = x.copy()
            y[i] = row
            if econ.payoffs(y)[i] > u[i] + 1e-9 * max(1.0, abs(u[i])):
                return False
    return True


def brute_force(econ: Economy) -> set[bytes]:
    """Every profile, kept when nobody can gain by deviating alone."""
    found = set()
    for rows in itertools.product(*(econ.portfolios(i) for i in range(econ.N))):
        x = np.array(rows)
        if no_profitable_deviation(econ, x):
            found.add(x.tobytes())
    return found


@pytest.mark.parametrize("seed", range(12))
def test_enumeration_equals_brute_force_on_small_random_economies(seed):
    econ = random_economy(np.random.default_rng(100 + seed))
    truth = brute_force(econ)
    exact = {x.tobytes() for x in exact_equilibria(econ)}
    assert exact == truth
    found = opt.all_pure_equilibria(econ)
    assert found.method == "exact" and {x.tobytes() for x in found.profiles} == truth
    assert np.all(np.diff(found.welfare) <= 1e-12)  # sorted, highest W first
    assert all(
        opt.is_pure_equilibrium(econ, np.frombuffer(b, bool).reshape(econ.N, econ.K)) for b in truth
    )


def test_enumeration_with_many_equilibria_and_ties():
    # Wang's market sharing with equal markets: every split is an equilibrium (ties everywhere)
    econ = Economy.market_sharing([1.0, 1.0, 1.0], 3)
    truth = brute_force(econ)
    assert len(truth) > 1
    assert {x.tobytes() for x in exact_equilibria(econ)} == truth


@pytest.mark.parametrize("seed", range(6))
def test_dynamics_fallback_finds_true_equilibria_a_subset_and_all_with_enough_starts(seed):
    rng = np.random.default_rng(200 + seed)
    econ = random_economy(rng, n=3, k=3)
    truth = brute_force(econ)
    few, _ = dynamics_equilibria(econ, starts=3, seed=seed)
    assert all(no_profitable_deviation(econ, x) for x in few)
    assert {x.tobytes() for x in few} <= truth
    many, _ = dynamics_equilibria(econ, starts=400, seed=seed)
    # every equilibrium is reached from itself, so enough random starts find them all
    assert {x.tobytes() for x in many} == truth
    forced = opt.all_pure_equilibria(econ, max_partial=1, starts=400, seed=seed)
    assert forced.method == "dynamics" and {x.tobytes() for x in forced.profiles} == truth


def test_dynamics_on_a_preset_finds_only_true_equilibria():
    from model.scenarios import load_preset

    econ = load_preset("mercosur").build_economy()
    found, failed = dynamics_equilibria(econ, starts=15, seed=1)
    assert found and failed == 0
    assert all(no_profitable_deviation(econ, x) for x in found[:5])


def test_table_columns_and_the_status_quo_is_among_the_equilibria():
    rng = np.random.default_rng(7)
    econs = [random_economy(rng, n=3, k=3) for _ in range(4)]
    rows = equilibria_table([(f"e{k}", e) for k, e in enumerate(econs)])
    for econ, row in zip(econs, rows, strict=True):
        assert tuple(row) == COLUMNS
        assert row["method"] == "exact"
        eqs = opt.all_pure_equilibria(econ)
        assert row["equilibria"] == len(eqs) == len(brute_force(econ))
        sq = opt.status_quo_equilibrium(econ)
        if sq.converged:
            assert eqs.index(sq.profile) == row["status_quo_rank"] - 1
            assert row["w_status_quo"] == pytest.approx(
                float(eqs.welfare[row["status_quo_rank"] - 1])
            )
            assert row["w_min"] <= row["w_status_quo"] <= row["w_max"] <= row["w_opt"] + 1e-9
            assert row["w_min"] <= row["w_median"] <= row["w_max"]


def test_table_on_a_preset_with_the_dynamics_fallback():
    (row,) = equilibria_table("classroom", starts=20)
    assert row["method"] == "dynamics (20 starts)" and row["status_quo_rank"] >= 1
    assert row["equilibria"] >= 1 and row["w_max"] <= row["w_opt"] + 1e-9
    with pytest.raises(ValueError, match="collective"):
        equilibria_table("default")


def test_cli_equilibria_writes_the_table(tmp_path, capsys):
    import pandas as pd

    from experiments.cli import main

    assert main(["equilibria", "--preset", "andean", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "andean" in out and "exact" in out
    table = pd.read_csv(tmp_path / "equilibria.csv")
    assert list(table.columns) == list(COLUMNS) and table.loc[0, "equilibria"] == 376
