"""Experiment ``flexibility``: each of the paper's three flexibilities (Table 3) on and off under
the shock it answers, in the classroom economy (60 rounds, full initial trust), as in
``tests/test_flexibility.py``: elections for longitudinal flexibility, technology shocks for
directional flexibility, costly coordination (dissatisfied members) for compositional.

How long cooperation survives: ``survival_rounds``, the first round whose cooperation is below
1/2 (the number of rounds played when it never is: censored). Common random numbers by design:
the engine seed of every run is :data:`experiments.catalogue.institutions.CRN_SEED` with streams
``replicate``, so the on and off runs of replicate r face identical elections and technology
shocks, and the analysis pairs them (on − off per replicate).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analysis import aggregate, label
from experiments.catalogue.experiment import Experiment, Part
from experiments.catalogue.institutions import classroom_config, simulate
from experiments.figures import save_figure, subplots
from experiments.output import atomic_write
from model.scenarios import load_preset

ROUNDS = 60
SHOCKS: dict[str, dict] = {
    "longitudinal": {
        "election_rate": 0.03,
        "strategies": {"TitForTat": 2, "Grim": 1, "AllD": 0.5},
    },
    "directional": {
        "tech_shock_rate": 0.1,
        "tech_shock_sigma": 1.0,
        "replan_interval": 30,
        "strategies": {"TitForTat": 1},
    },
    "compositional": {"coordination_cost": 1.0},
}
"""Flexibility -> the shock it answers (ModelConfig fields), at intensity 1."""
METRICS = ("survival_rounds", "participation", "cooperation", "welfare", "plan_gap")


def _intense(flexibility: str, k: float) -> dict:
    shock = dict(SHOCKS[flexibility])
    key = {"longitudinal": "election_rate", "directional": "tech_shock_rate"}.get(
        flexibility, "coordination_cost"
    )
    shock[key] = round(min(shock[key] * k, 1.0), 4)
    return shock


def flexibility_run(params: dict, seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate of the classroom (``rounds`` 60, ``initial_trust`` 1) with the point's shock
    and flexibility ``flexibility`` switched to ``flexible``: ``survival_rounds`` (first round
    with cooperation < 1/2; the rounds played if never), and whole-game means of participation,
    cooperation, welfare and the plan's gap to the optimum (``plan_gap``, plan_welfare −
    optimum). ``seed`` is not used (common random numbers by design)."""
    del seed
    base = load_preset("classroom").replace(rounds=ROUNDS, initial_trust=1.0)
    cfg = classroom_config(params, base).replace(
        **{params["flexibility"]: bool(params["flexible"])}
    )
    engine, _ = simulate(cfg, replicate)
    h = int(engine.horizon[0])
    coop = engine.record().cooperation[:h, 0]
    below = np.flatnonzero(coop < 0.5)
    s = engine.series
    return {
        "survival_rounds": float(below[0] if below.size else h),
        "participation": float(s["participation"][:h, 0].mean()),
        "cooperation": float(coop.mean()),
        "welfare": float(s["welfare"][:h, 0].mean()),
        "plan_gap": float((s["plan_welfare"] - s["optimum"])[:h, 0].mean()),
        "elections": float(engine.shocks["elections"][0]),
        "technology_shocks": float(engine.shocks["technology"][0]),
    }


def flexibility_points(scale: float = 1.0) -> list[dict]:
    """Each flexibility off and on under its shock; ``scale`` >= 2 adds the shock at double
    intensity (and at ``scale`` >= 3 at half intensity)."""
    levels = [1.0] + ([2.0] if scale >= 2 else []) + ([0.5] if scale >= 3 else [])
    return [
        {"flexibility": f, "intensity": k, "flexible": on, **_intense(f, k)}
        for f in SHOCKS
        for k in levels
        for on in (False, True)
    ]


def paired_differences(df: pd.DataFrame) -> pd.DataFrame:
    """Per (flexibility, intensity, replicate): on − off of every metric."""
    keys = ["flexibility", "intensity", "replicate"]
    flexible = df["flexible"].astype(bool)
    on = df[flexible].set_index(keys)[list(METRICS)]
    off = df[~flexible].set_index(keys)[list(METRICS)]
    return (on - off).dropna().reset_index()


def analyze_flexibility(df: pd.DataFrame, out: Path) -> str:
    """Paired differences (on − off) with 95 % CIs per flexibility: a figure and a table."""
    diff = paired_differences(df)
    atomic_write(out / "paired_differences.csv", lambda p: diff.to_csv(p, index=False))
    by = ["flexibility", "intensity"]
    aggs = {m: aggregate(diff, by, m) for m in METRICS}
    levels = {m: aggregate(df, [*by, "flexible"], m) for m in METRICS}
    names = [f for f in SHOCKS if f in set(diff["flexibility"])]
    intensities = sorted(diff["intensity"].unique())
    fig, axes = subplots(1, len(METRICS), figsize=(4 * len(METRICS), 4))
    x = np.arange(len(names))
    width = 0.8 / len(intensities)
    for ax, metric in zip(axes, METRICS, strict=True):
        for k, level in enumerate(intensities):
            a = aggs[metric]
            a = a[a["intensity"] == level].set_index("flexibility").reindex(names)
            ax.bar(
                x + (k - (len(intensities) - 1) / 2) * width,
                a["mean"],
                width,
                yerr=[a["mean"] - a["low"], a["high"] - a["mean"]],
                capsize=3,
                label=f"shock intensity × {level:g}",
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(x, names, fontsize=8)
        ax.set_title(f"{label(metric)}: on − off", fontsize=9)
        ax.grid(alpha=0.3, axis="y")
    if len(intensities) > 1:
        axes[0].legend(fontsize=7)
    fig.suptitle(
        "Triple flexibility under its shock (classroom, paired by replicate: on − off, 95 % CIs)",
        fontsize=11,
    )
    save_figure(fig, out / "flexibility.png", dpi=110)

    lines = [
        "# Flexibility",
        "",
        "Each flexibility switched off and on under the shock it answers (elections → "
        "longitudinal, technology shocks → directional, costly coordination → compositional), "
        f"classroom economy, {ROUNDS} rounds. The on and off runs of a replicate face the same "
        "shocks (common random numbers); differences are on − off per replicate, mean "
        "[95 % CI]. Survival: first round with cooperation below 1/2 "
        f"(censored at {ROUNDS}).",
        "",
        "| flexibility | shock × | survival off → on | Δ survival | Δ participation | "
        "Δ cooperation | Δ welfare | Δ plan gap to optimum | pairs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in names:
        for level in intensities:

            def cell(m: str, fmt: str = ".3f", f: str = f, level: float = level) -> str:
                a = aggs[m]
                r = a[(a["flexibility"] == f) & (a["intensity"] == level)].iloc[0]
                return f"{r['mean']:+{fmt}} [{r['low']:+{fmt}}, {r['high']:+{fmt}}]"

            lv = levels["survival_rounds"]
            lv = lv[(lv["flexibility"] == f) & (lv["intensity"] == level)]
            s_off = lv.loc[~lv["flexible"].astype(bool), "mean"].iloc[0]
            s_on = lv.loc[lv["flexible"].astype(bool), "mean"].iloc[0]
            n = int(aggs["welfare"].query("flexibility == @f and intensity == @level")["n"].iloc[0])
            lines.append(
                f"| {f} | {level:g} | {s_off:.1f} → {s_on:.1f} | {cell('survival_rounds', '.1f')} "
                f"| {cell('participation')} | {cell('cooperation')} | {cell('welfare', '.2f')} | "
                f"{cell('plan_gap')} | {n} |"
            )
    share = (
        diff.assign(better=diff["participation"] >= -1e-12).groupby("flexibility")["better"].mean()
    )
    lines += [
        "",
        "Share of pairs where participation with flexibility ≥ without: "
        + ", ".join(f"{f} {share[f]:.0%}" for f in names)
        + ".",
        "",
        "Figure: `flexibility.png`; pairs: `paired_differences.csv`.",
    ]
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "flexibility",
    "Compositional, longitudinal and directional flexibility on/off under their shocks "
    "(classroom, common random numbers): how long cooperation survives, participation, "
    "welfare, the plan's gap to the optimum (paired on − off).",
    {"switches": Part(flexibility_points, replicates=20)},
    analyze_flexibility,
    run=flexibility_run,
)
