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
import numpy as np
import pandas as pd

from experiments import (
    exp_flexibility,
    exp_hegemon,
    exp_institutions,
    exp_mutuality,
    exp_participants,
    exp_tournament,
)
from experiments.analysis import aggregate, critical_delta, label, log_n_axis, phase_diagram
from experiments.experiment import Experiment, Part
from experiments.figures import save_figure
from experiments.output import atomic_write
from model import theory
from model.games import PD

# ------------------------------------------------------------------ shadow of the future
SHADOW_BASE = {
    "n_countries": 10,
    "network": "complete",
    "strategies": {"Calculating": 1},
    "horizon": "geometric",
    "rounds": 60,
    "game": "prisoners_dilemma",
    "burn_in": 0.0,
}
"""Forward-looking (Calculating) governments who believe their partners punish like a grim
trigger (their folk-theorem test), on the classic PD (5, 3, 1, 0); the game lasts while a coin
with probability δ says continue (capped at 60 rounds)."""

SHADOW_REGIME_BASE = {
    "mode": "collective",
    "n_countries": 6,
    "network": "complete",
    "rounds": 40,
    "strategies": {"Calculating": 2, "Grim": 1, "TitForTat": 1},
    "burn_in": 0.25,
    "initial_trust": 0.8,
}


def _delta_grid(scale: float) -> list[float]:
    step = 0.02 / max(scale, 1.0)
    return [round(float(d), 4) for d in np.arange(0.30, 0.985, step)]


def shadow_threshold_points(scale: float = 1.0) -> list[dict]:
    """δ × ε (d = 0), δ × d (ε = 0) and δ × σ (stakes) for forward-looking governments."""
    points = []
    for delta in _delta_grid(scale):
        for eps in (0.0, 0.05, 0.1):
            points.append({**SHADOW_BASE, "continuation": delta, "observation_error": eps})
        for d in (1, 2):
            points.append({**SHADOW_BASE, "continuation": delta, "observation_delay": d})
        for sigma in (0.5, 1.0):
            points.append({**SHADOW_BASE, "continuation": delta, "stake_sigma": sigma})
    return points


def shadow_regime_points(scale: float = 1.0) -> list[dict]:
    """δ × coordination regime in the economy."""
    deltas = np.linspace(0.3, 0.9, max(5, round(5 * scale)))
    return [
        {**SHADOW_REGIME_BASE, "continuation": round(float(d), 4), "regime": regime}
        for d in deltas
        for regime in ("none", "plurilateral", "supranational")
    ]


def _panel(df: pd.DataFrame, **fixed: float) -> pd.DataFrame:
    mask = df["part"] == "thresholds"
    for name, value in fixed.items():
        column = df[name] if name in df else pd.Series(0.0, index=df.index)
        mask &= np.isclose(column.fillna(0.0).astype(float), value)
    return df[mask].assign(
        **{n: df.get(n, pd.Series(0.0, index=df.index)).fillna(0.0) for n in fixed}
    )


def shadow_settings() -> list[tuple[str, dict, float]]:
    """(setting label, fixed parameters, theoretical critical δ) for the critical-δ table."""
    rows = [
        (
            f"ε = {e:g}, d = 0",
            {"observation_error": e, "observation_delay": 0, "stake_sigma": 0.0},
            theory.calculating_threshold(PD, 0, e),
        )
        for e in (0.0, 0.05, 0.1)
    ]
    rows += [
        (
            f"ε = 0, d = {d}",
            {"observation_error": 0.0, "observation_delay": d, "stake_sigma": 0.0},
            theory.calculating_threshold(PD, d, 0.0),
        )
        for d in (1, 2)
    ]
    rows += [
        (
            f"stakes σ = {s:g}",
            {"observation_error": 0.0, "observation_delay": 0, "stake_sigma": s},
            theory.lognormal_stakes_threshold(PD, s),
        )
        for s in (0.5, 1.0)
    ]
    return rows


def shadow_critical_table(df: pd.DataFrame) -> pd.DataFrame:
    """Simulated critical δ (opening-round cooperation crossing 1/2, with a bootstrap interval)
    next to the theory of :mod:`model.theory`, per setting."""
    rows = []
    for name, fixed, theory_delta in shadow_settings():
        est = critical_delta(_panel(df, **fixed), metric="first_cooperation").iloc[0]
        rows.append(
            {
                "setting": name,
                "simulated": est["critical"],
                "low": est["low"],
                "high": est["high"],
                "theory": theory_delta,
                "difference": est["critical"] - theory_delta,
            }
        )
    return pd.DataFrame(rows)


def analyze_shadow(df: pd.DataFrame, out: Path) -> str:
    """Heat maps (δ × ε, δ × d, δ × σ) with the analytic thresholds drawn over them, cooperation
    by regime, and the critical-δ table (grid design); a sampled design gets a scatter of
    cooperation over (δ, ε) and a pointer to ``pacts sensitivity``."""
    if "thresholds" not in set(df["part"]):
        return _analyze_sampled(df, out)
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    eps = np.linspace(0, 0.1, 41)
    panels = [
        (
            "observation_error",
            _panel(df, observation_delay=0, stake_sigma=0.0),
            {"theory δ*(ε)": ([theory.calculating_threshold(PD, 0, e) for e in eps], eps)},
        ),
        (
            "observation_delay",
            _panel(df, observation_error=0.0, stake_sigma=0.0),
            {
                "theory δ*(d)": (
                    [theory.calculating_threshold(PD, d, 0.0) for d in (0, 1, 2)],
                    [0, 1, 2],
                )
            },
        ),
        (
            "stake_sigma",
            _panel(df, observation_error=0.0, observation_delay=0),
            {
                "theory δ*(σ), median stake": (
                    [theory.lognormal_stakes_threshold(PD, s) for s in np.linspace(0, 1, 41)],
                    np.linspace(0, 1, 41),
                )
            },
        ),
    ]
    for ax, (y, part, curves) in zip(axes, panels, strict=True):
        phase_diagram(
            part.assign(**{y: part[y].fillna(0.0)}),
            "continuation",
            y,
            "first_cooperation",
            None,
            f"Shadow of the future × {label(y).split(' (')[0]}",
            curves=curves,
            ax=ax,
        )
    fig.suptitle(
        "Forward-looking governments: when does the shadow of the future sustain "
        "cooperation? (classic PD, opening round)",
        fontsize=11,
    )
    save_figure(fig, out / "shadow_of_the_future.png", dpi=110)

    regimes = df[df["part"] == "regimes"]
    if len(regimes):
        fig, ax = plt.subplots(1, 2, figsize=(11, 4))
        for metric, a in zip(("cooperation", "welfare"), ax, strict=True):
            agg = aggregate(regimes, ["regime", "continuation"], metric)
            for regime, g in agg.groupby("regime"):
                a.plot(g["continuation"], g["mean"], marker="o", label=regime)
                a.fill_between(g["continuation"], g["low"], g["high"], alpha=0.2)
            a.set_xlabel(label("continuation"))
            a.set_ylabel(label(metric))
            a.grid(alpha=0.3)
            a.legend(fontsize=8, title="regime")
        ax[0].axvline(theory.grim_threshold(PD), color="black", ls="--", lw=1)
        fig.suptitle(
            "The shadow of the future under three coordination regimes (economy)", fontsize=11
        )
        save_figure(fig, out / "regimes.png", dpi=110)

    table = shadow_critical_table(df)
    atomic_write(out / "critical_delta.csv", lambda p: table.to_csv(p, index=False))
    lines = [
        "# Shadow of the future",
        "",
        "Forward-looking governments (Calculating) on the classic prisoner's dilemma "
        "cooperate when the discounted value of continued cooperation beats today's "
        "temptation. The critical shadow of the future δ* is where opening-round "
        "cooperation crosses 1/2 (interpolated, 95 % bootstrap interval), next to the "
        "closed forms of `model/theory.py`:",
        "",
        "| setting | simulated δ* | 95 % interval | theory δ* | difference |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.setting} | {r.simulated:.3f} | [{r.low:.3f}, {r.high:.3f}] | "
        f"{r.theory:.3f} | {r.difference:+.3f} |"
        for r in table.itertuples()
    ]
    worst = float(np.nanmax(np.abs(table["difference"])))
    lines += [
        "",
        f"Largest gap between simulation and theory: {worst:.3f}. Unreliable "
        "information (ε) and slow feedback (d) raise the δ needed; irregular stakes lower "
        "the median threshold (most rounds are small) while the largest stakes tempt.",
        "",
        "Figures: `shadow_of_the_future.png`" + (", `regimes.png`" if len(regimes) else "") + ".",
    ]
    return "\n".join(lines) + "\n"


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


def _analyze_sampled(df: pd.DataFrame, out: Path) -> str:
    """A sampled (LHS, Sobol, Morris, CSV) shadow-of-the-future design: cooperation over the
    (δ, ε) points with the analytic threshold δ*(ε) drawn over them."""
    means = df.groupby("point_index")[
        ["continuation", "observation_error", "cooperation", "first_cooperation"]
    ].mean()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sc = ax.scatter(
        means["continuation"],
        means["observation_error"],
        c=means["first_cooperation"],
        cmap="RdYlGn",
        vmin=0,
        vmax=1,
        s=25,
    )
    eps = np.linspace(0, float(means["observation_error"].max()), 41)
    ax.plot(
        [theory.calculating_threshold(PD, 0, e) for e in eps],
        eps,
        color="black",
        label="theory δ*(ε)",
    )
    ax.set_xlabel(label("continuation"))
    ax.set_ylabel(label("observation_error"))
    ax.legend(fontsize=8)
    plt.colorbar(sc, ax=ax, label=label("first_cooperation"))
    save_figure(fig, out / "sampled_design.png", dpi=110)
    return (
        "# Shadow of the future (sampled design)\n\n"
        f"{len(means)} points; opening-round cooperation over (δ, ε) with the analytic "
        "threshold drawn over it: `sampled_design.png`. For Sobol or Morris indices run "
        "`pacts sensitivity DIR`.\n"
    )


EXPERIMENTS: dict[str, Experiment] = {
    "shadow-of-the-future": Experiment(
        "shadow-of-the-future",
        "δ × unreliable information, δ × slow feedback, δ × irregular stakes (forward-looking "
        "governments, classic PD), and δ × coordination regime in the economy; critical δ "
        "against theory.",
        {
            "thresholds": Part(shadow_threshold_points, replicates=40),
            "regimes": Part(shadow_regime_points, replicates=3),
        },
        analyze_shadow,
        ranges={"continuation": (0.3, 0.98), "observation_error": (0.0, 0.1)},
        base=SHADOW_BASE,
    ),
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
            made = sw.from_csv(exp.base, points_file)
        elif design in samplers:
            made = samplers[design](exp.base, exp.ranges, runs, seed)
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
