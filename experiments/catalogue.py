"""Named experiments: a default design that finishes in minutes on 2 cores, ``scale`` to grow it,
and an analysis that writes PNG figures and a short Markdown summary of what it found.

``pacts sweep NAME`` runs one (results: Parquet parts beside ``spec.json``), ``pacts analyze
DIR`` re-draws its figures and summary. Available: see :data:`EXPERIMENTS`.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from experiments import (
    exp_flexibility,
    exp_hegemon,
    exp_institutions,
    exp_mutuality,
    exp_participants,
    exp_shadow,
    exp_tournament,
)
from experiments.analysis import aggregate, label, log_n_axis
from experiments.experiment import Experiment, Part
from experiments.figures import save_figure
from experiments.output import atomic_write


# ------------------------------------------------------------------ price of anarchy
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
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
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


EXPERIMENTS: dict[str, Experiment] = {
    "price-of-anarchy": Experiment(
        "price-of-anarchy",
        "W_nash, the coordinator's W and W_opt against N in the economy: the price of "
        "non-coordination and Wang's vanishing relative gap.",
        {"sizes": Part(price_of_anarchy_points, replicates=3)},
        analyze_price_of_anarchy,
        run=price_of_anarchy_run,
    ),
}
"""The catalogue: name -> experiment."""


EXPERIMENTS.update(
    (module.EXPERIMENT.name, module.EXPERIMENT)
    for module in (
        exp_shadow,
        exp_tournament,
        exp_participants,
        exp_mutuality,
        exp_institutions,
        exp_hegemon,
        exp_flexibility,
    )
)


def get_experiment(name: str) -> Experiment:
    """An experiment by name, or a clear error listing the catalogue."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; allowed: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def run_experiment(
    name: str,
    out: str | Path | None = None,
    *,
    scale: float = 1.0,
    replicates: int | None = None,
    design: str = "grid",
    runs: int = 64,
    points_file: str | Path | None = None,
    engine: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    crn: bool | None = None,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Run a catalogue experiment and analyse it; returns its folder (``out`` or
    ``out/sweep/NAME``). ``design`` "grid" runs the experiment's parts (grown by ``scale``);
    "lhs", "sobol", "morris" sample the experiment's ``ranges`` around its ``base`` (``runs``
    points; common random numbers by default, as sensitivity designs want); "csv" reads
    ``points_file``."""
    from experiments import sweep as sw

    exp = get_experiment(name)
    folder = Path(out) if out is not None else Path("out/sweep") / name
    if design == "grid":
        parts = {
            key: (part.points(scale), replicates or part.replicates)
            for key, part in exp.parts.items()
        }
        use_crn = bool(crn)
    else:
        if not exp.ranges:
            raise ValueError(
                f"--design {design}: experiment {name!r} has no parameter ranges; allowed: grid"
            )
        samplers = {"lhs": sw.latin_hypercube, "sobol": sw.sobol, "morris": sw.morris}
        if design == "csv":
            if points_file is None:
                raise ValueError("--design csv needs a FILE of points (one column per field)")
            made = sw.from_csv(exp.base, points_file, exp.params)
        elif design in samplers:
            made = samplers[design](exp.base, exp.ranges, runs, seed, extra=exp.params)
        else:
            raise ValueError(f"--design {design!r}: allowed: grid, lhs, sobol, morris, csv")
        parts = {design: (made, replicates or 4)}
        use_crn = True if crn is None else crn
    for key, (points, reps) in parts.items():
        sweep = sw.Sweep(
            f"{name}/{key}",
            points,
            replicates=reps,
            root_seed=seed,
            crn=use_crn,
            run=exp.run or sw.run_one,
            extra_spec=_design_spec(points),
        )
        sweep.run(
            folder / key,
            engine=engine,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=progress,
        )
    analyze_folder(folder)
    return folder


def _design_spec(points: object) -> dict:
    """What a sampled design keeps for the sensitivity analysis (SALib's problem)."""
    problem = getattr(points, "problem", None)
    method = getattr(points, "method", None)
    return {"salib": {"problem": problem, "method": method}} if problem else {}


def load_experiment(folder: str | Path) -> tuple[Experiment, pd.DataFrame]:
    """The experiment of a results folder and all its parts' results (column ``part``)."""
    from experiments import sweep as sw

    folder = Path(folder)
    specs = sorted(folder.glob("*/spec.json"))
    if not specs:
        raise ValueError(
            f"{folder}: no sweep results here (expected <part>/spec.json); run "
            "`pacts sweep EXPERIMENT --out DIR` first"
        )
    names = {json.loads(p.read_text())["name"].split("/")[0] for p in specs}
    if len(names) != 1:
        raise ValueError(f"{folder}: results of several experiments ({', '.join(sorted(names))})")
    frames = [sw.load_results(p.parent).assign(part=p.parent.name) for p in specs]
    return get_experiment(names.pop()), pd.concat(frames, ignore_index=True)


def analyze_folder(folder: str | Path) -> Path:
    """Figures and ``summary.md`` for the results in ``folder``; returns the summary's path."""
    folder = Path(folder)
    exp, df = load_experiment(folder)
    failed = df["error"].notna()
    if failed.all():
        raise ValueError(
            f"{folder}: all {len(df)} runs failed; the first error: "
            f"{df.loc[failed, 'error'].iloc[0]}"
        )
    text = exp.analyze(df[~failed], folder)
    if failed.any():
        text += (
            f"\n{int(failed.sum())} of {len(df)} runs failed (see the `error` column); "
            "they are left out above.\n"
        )
    return atomic_write(folder / "summary.md", lambda p: p.write_text(text, encoding="utf-8"))
