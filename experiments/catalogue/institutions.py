"""Experiment ``institutions``: the paper's three levels of coordination (Albertone & Lebdioui,
Table 2) as measured numbers in the classroom economy.

Institutions: no coordination (``regime = "none"``), plurilateral (a voluntary broker),
supranational (a binding plan: fines, sovereignty costs), minilateral (a club coordinates,
outsiders go alone) and hegemon-led (plurilateral with a cooperative hegemon, which carries the
coordinator's costs and pays side payments).

Also home of the helpers the other collective experiments share (:func:`classroom_config`,
:func:`simulate`). Seeds: every run's engine seed is :data:`CRN_SEED` and its streams are the
engine's replicate ``r`` of it, so replicate ``r`` faces the same random numbers at every point
(common random numbers by design); the sweep's root seed does not change the draws.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import aggregate, label
from experiments.catalogue.experiment import Experiment, Part
from experiments.figures import save_figure, subplots
from experiments.output import atomic_write
from model.config import ModelConfig
from model.engine import SERIES, CollectiveEngine
from model.scenarios import load_preset

CRN_SEED = 2024
"""The engine seed of every run of the collective experiments (replicate r: streams r)."""
DEFAULT_BURN_IN = 0.25
_FIELDS = {f.name for f in fields(ModelConfig)}

INSTITUTIONS: dict[str, tuple[str, str]] = {
    "none": ("none", "none"),
    "plurilateral": ("plurilateral", "none"),
    "supranational": ("supranational", "none"),
    "minilateral": ("minilateral", "none"),
    "hegemon-led": ("plurilateral", "cooperative"),
}
"""Institution label -> (regime, hegemon)."""
METRICS = (
    "welfare",
    "price_of_non_coordination",
    "participation",
    "gini",
    "cooperation",
    "coordination_costs",
    "sovereignty_costs",
    "fines",
    "transfers",
)


# ------------------------------------------------------------------ shared helpers
def classroom_config(params: dict[str, Any], base: ModelConfig | None = None) -> ModelConfig:
    """The classroom preset (or ``base``) with the point's ModelConfig fields applied; keys that
    are not fields (experiment labels, ``burn_in``) are ignored."""
    cfg = base if base is not None else load_preset("classroom")
    return cfg.replace(**{k: v for k, v in params.items() if k in _FIELDS})


def simulate(cfg: ModelConfig, replicate: int) -> tuple[CollectiveEngine, dict[str, np.ndarray]]:
    """Run one replicate of ``cfg`` round by round (seed :data:`CRN_SEED`, streams
    ``replicate``); returns the engine and per-round institutional costs paid by the region:
    ``coordination_costs`` (every member's share of running the coordinator, whoever pays it),
    ``sovereignty_costs`` (members of a binding plan) and ``fines`` (supranational fines and a
    coercive hegemon's punishments). The engine's welfare is already net of all of them
    (side payments are transfers inside the region)."""
    engine = CollectiveEngine(cfg, cfg.build_economy(), seed=CRN_SEED, replicate_ids=[replicate])
    n = engine.rounds_total
    costs = {k: np.zeros(n) for k in ("coordination_costs", "sovereignty_costs", "fines")}
    for t in range(n):
        pool = engine.pool.copy()
        engine.step()
        members = engine.members[0]
        if cfg.regime == "none":
            continue
        costs["coordination_costs"][t] = cfg.coordination_cost * members.sum()
        if cfg.regime == "supranational":
            costs["sovereignty_costs"][t] = cfg.sovereignty_cost * members.sum()
            paid = engine.transfers_last[0].sum() if cfg.hegemon != "cooperative" else 0.0
            costs["fines"][t] += engine.pool[0] - pool[0] + paid
        if cfg.hegemon == "coercive":
            defected = members & ~engine.country_actions[0]
            costs["fines"][t] += cfg.fine * defected.sum()
    return engine, costs


def long_run(
    engine: CollectiveEngine, extra: dict[str, np.ndarray], burn_in: float
) -> dict[str, float]:
    """Means after the burn-in of cooperation, the collective series and ``extra`` series."""
    h = int(engine.horizon[0])
    start = math.floor(burn_in * h)
    out = {"cooperation": float(engine.record().cooperation[start:h, 0].mean())}
    out.update({k: float(engine.series[k][start:h, 0].mean()) for k in SERIES})
    out.update({k: float(v[start:h].mean()) for k, v in extra.items()})
    out["rounds_played"] = float(h)
    return out


# ------------------------------------------------------------------ the experiment
def institutions_run(params: dict, seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate of one institution in the classroom economy: long-run (after ``burn_in``,
    default 0.25) welfare, price of non-coordination, participation, Gini, cooperation,
    transfers, and the institutional costs paid per round (:func:`simulate`). ``seed`` is not
    used: see the module docstring (common random numbers)."""
    del seed
    values = dict(params)
    if values.get("regime") == "none":
        # the baseline is repeated at each cost level; without a coordinator the cost has no
        # effect (model.config.INERT), so it only labels the point
        values.pop("coordination_cost", None)
    engine, costs = simulate(classroom_config(values), replicate)
    return long_run(engine, costs, float(params.get("burn_in", DEFAULT_BURN_IN)))


def institutions_points(scale: float = 1.0) -> list[dict]:
    """The five institutions; ``scale`` >= 2 adds dearer coordination (0.25, 0.5 per member and
    round, and 1.0 at ``scale`` >= 3)."""
    costs = [0.05]
    if scale >= 2:
        costs += [0.25, 0.5]
    if scale >= 3:
        costs += [1.0]
    return [
        {"institution": name, "regime": regime, "hegemon": hegemon, "coordination_cost": c}
        for c in costs
        for name, (regime, hegemon) in INSTITUTIONS.items()
    ]


def institutions_table(df: pd.DataFrame) -> pd.DataFrame:
    """Mean, 95 % CI low and high of every metric per (coordination cost, institution)."""
    by = ["coordination_cost", "institution"]
    table = None
    for metric in METRICS:
        agg = aggregate(df, by, metric)[[*by, "mean", "low", "high", "n"]]
        agg = agg.rename(columns={k: f"{metric}_{k}" for k in ("mean", "low", "high")})
        table = agg if table is None else table.merge(agg.drop(columns="n"), on=by)
    order = table["institution"].map({name: k for k, name in enumerate(INSTITUTIONS)})
    table = table.assign(_order=order).sort_values(["coordination_cost", "_order"])
    return table.drop(columns="_order").reset_index(drop=True)


def analyze_institutions(df: pd.DataFrame, out: Path) -> str:
    """Bar charts (means with 95 % CIs) of welfare, price of non-coordination, participation,
    Gini and costs per institution, and the table of means with CIs."""
    table = institutions_table(df)
    atomic_write(out / "institutions.csv", lambda p: table.to_csv(p, index=False))
    panels = ("welfare", "price_of_non_coordination", "participation", "gini", "cooperation")
    fig, axes = subplots(1, len(panels) + 1, figsize=(4 * (len(panels) + 1), 4.2))
    costs = sorted(table["coordination_cost"].unique())
    names = [n for n in INSTITUTIONS if n in set(table["institution"])]
    x = np.arange(len(names))
    width = 0.8 / len(costs)
    for ax, metric in zip(axes, (*panels, "costs"), strict=True):
        for k, c in enumerate(costs):
            sub = table[table["coordination_cost"] == c].set_index("institution").loc[names]
            if metric == "costs":
                mean = sub["coordination_costs_mean"] + sub["sovereignty_costs_mean"]
                err = None
            else:
                mean = sub[f"{metric}_mean"]
                err = [mean - sub[f"{metric}_low"], sub[f"{metric}_high"] - mean]
            ax.bar(
                x + (k - (len(costs) - 1) / 2) * width,
                mean,
                width,
                yerr=err,
                capsize=3,
                label=f"coordination cost {c:g}",
            )
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
        ax.set_title(
            "coordination + sovereignty costs / round" if metric == "costs" else label(metric),
            fontsize=9,
        )
        ax.grid(alpha=0.3, axis="y")
    if len(costs) > 1:
        axes[0].legend(fontsize=7)
    fig.suptitle(
        "Three levels of coordination (and a hegemon) in the classroom economy "
        "(long-run means, 95 % CIs)",
        fontsize=11,
    )
    save_figure(fig, out / "institutions.png", dpi=110)

    def cell(r: Any, m: str, fmt: str = ".2f") -> str:
        mean, low, high = (getattr(r, f"{m}_{k}") for k in ("mean", "low", "high"))
        return f"{mean:{fmt}} [{low:{fmt}}, {high:{fmt}}]"

    lines = [
        "# Institutions",
        "",
        "The paper's Table 2 (three levels of coordination) measured in the classroom economy: "
        "long-run means after the burn-in, with 95 % confidence intervals over replicates "
        "(common random numbers: replicate r faces the same draws under every institution). "
        "Welfare is net of the institutional costs; costs are per round, summed over members "
        "(a cooperative hegemon pays the coordination costs for everyone).",
        "",
        "| coordination cost | institution | welfare W | W − W_opt | participation | Gini | "
        "cooperation | coordination costs | sovereignty costs | fines | transfers | n |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.coordination_cost:g} | {r.institution} | {cell(r, 'welfare')} | "
        f"{cell(r, 'price_of_non_coordination')} | {cell(r, 'participation')} | "
        f"{cell(r, 'gini', '.3f')} | {cell(r, 'cooperation')} | "
        f"{r.coordination_costs_mean:.2f} | {r.sovereignty_costs_mean:.2f} | "
        f"{r.fines_mean:.2f} | {r.transfers_mean:.2f} | {r.n} |"
        for r in table.itertuples()
    ]
    base = table[table["coordination_cost"] == costs[0]].set_index("institution")
    best = base["welfare_mean"].idxmax()
    lines += [
        "",
        f"Highest welfare (coordination cost {costs[0]:g}): **{best}** "
        f"(W = {base.loc[best, 'welfare_mean']:.2f}); lowest: "
        f"**{base['welfare_mean'].idxmin()}** (W = {base['welfare_mean'].min():.2f}).",
        "",
        "Figure: `institutions.png`; table: `institutions.csv`.",
    ]
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "institutions",
    "No coordination, plurilateral, supranational, minilateral and hegemon-led coordination in "
    "the classroom economy: welfare, price of non-coordination, participation, Gini and the "
    "institutional costs paid (the paper's Table 2 as numbers).",
    {"institutions": Part(institutions_points, replicates=20)},
    analyze_institutions,
    run=institutions_run,
)
