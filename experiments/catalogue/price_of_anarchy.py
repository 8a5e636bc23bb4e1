"""The price of non-coordination against N: W_nash (going alone), the coordinator's W from
M = 8 submissions and W_opt, and the duality gap of the optimum (Wang 2015: it vanishes)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.analysis import aggregate, label, log_n_axis
from experiments.catalogue.experiment import Experiment, Part
from experiments.figures import save_figure, subplots


def price_of_anarchy_run(params: dict, seed: int, replicate: int = 0) -> dict[str, float]:
    """One economy of N countries (the stylised battery/solar default drawn from ``seed``):
    W_nash by best-response dynamics from no investment, the coordinator's W from M = 8
    submissions per member (three council rounds from the Nash outcome), and W_opt (the
    coordinator's method on every feasible portfolio, with its Lagrangian bound)."""
    from model import optimisation as opt
    from model.economy import Economy

    econ = Economy.default(int(params["n_countries"]), seed=seed)
    nash = opt.nash_dynamics(econ)
    plan = nash.profile
    for _ in range(3):
        plan = opt.coordinate(
            econ, opt.submissions(econ, plan, int(params.get("submissions", 8))), seed=seed
        ).profile
    full = opt.coordinate(econ, [econ.portfolios(i) for i in range(econ.N)], seed=seed)
    w_coord = float(econ.welfare(plan))
    return {
        "w_nash": nash.welfare,
        "w_coordinated": w_coord,
        "w_opt": full.welfare,
        "bound": full.bound,
        "nash_converged": float(nash.converged),
        "price_of_non_coordination": opt.price_of_non_coordination(nash.welfare, full.welfare),
        "duality_gap": (full.bound - full.welfare) / abs(full.bound),
        "submission_gap": (full.welfare - w_coord) / abs(full.welfare),
    }


def price_of_anarchy_points(scale: float = 1.0) -> list[dict]:
    """N from 2 to 80 (to 80·scale)."""
    sizes = [2, 3, 5, 8, 12, 20, 30, 50, 80]
    if scale > 1:
        sizes += [int(80 * k) for k in (1.5, 2, 3) if 80 * k <= 80 * scale]
    return [{"n_countries": n, "submissions": 8} for n in sizes]


def analyze_price_of_anarchy(df: pd.DataFrame, out: Path) -> str:
    """Welfare per country under going alone, coordination and the optimum, and the relative
    gap of the coordinated plan to the bound, against N (Wang 2015: it vanishes)."""
    fig, (left, right) = subplots(1, 2, figsize=(11, 4))
    per = df.assign(**{k: df[k] / df["n_countries"] for k in ("w_nash", "w_coordinated", "w_opt")})
    for metric, name in (
        ("w_opt", "optimum W_opt"),
        ("w_coordinated", "coordinated"),
        ("w_nash", "going alone (Nash)"),
    ):
        agg = aggregate(per, ["n_countries"], metric)
        left.plot(agg["n_countries"], agg["mean"], marker="o", label=name)
        left.fill_between(agg["n_countries"], agg["low"], agg["high"], alpha=0.2)
    log_n_axis(left, df["n_countries"])
    left.set_xlabel(label("n_countries"))
    left.set_ylabel("welfare per country")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    for metric, name in (
        ("duality_gap", "duality gap of the optimum (Wang: vanishes)"),
        ("submission_gap", "plan from 8 submissions vs optimum"),
    ):
        gap = aggregate(df, ["n_countries"], metric)
        right.plot(gap["n_countries"], 100 * gap["mean"], marker="o", label=name)
    log_n_axis(right, df["n_countries"])
    right.set_xlabel(label("n_countries"))
    right.set_ylabel("relative gap (%)")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.suptitle("The price of non-coordination and Wang's vanishing gap", fontsize=11)
    save_figure(fig, out / "price_of_anarchy.png", dpi=110)
    table = (
        aggregate(df, ["n_countries"], "duality_gap")
        .merge(
            aggregate(df, ["n_countries"], "price_of_non_coordination"),
            on="n_countries",
            suffixes=("_gap", "_ponc"),
        )
        .merge(aggregate(df, ["n_countries"], "submission_gap"), on="n_countries")
    )
    lines = [
        "# Price of anarchy",
        "",
        "Going alone (best-response dynamics) against the coordinator's plan and the "
        "optimum in the stylised battery/solar economy.",
        "",
        "| N | price of non-coordination W_nash − W_opt | duality gap (Wang) | "
        "plan from 8 submissions vs W_opt |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.n_countries} | {r.mean_ponc:.2f} | {100 * r.mean_gap:.2f} % | {100 * r.mean:.2f} % |"
        for r in table.itertuples()
    ]
    lines += ["", "Figure: `price_of_anarchy.png`."]
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "price-of-anarchy",
    "W_nash, the coordinator's W and W_opt against N in the economy: the price of "
    "non-coordination and Wang's vanishing relative gap.",
    {"sizes": Part(price_of_anarchy_points, replicates=3)},
    analyze_price_of_anarchy,
    run=price_of_anarchy_run,
)
