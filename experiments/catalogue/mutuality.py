"""The mutuality experiment: Axelrod & Keohane's (1985) *mutuality of interests*.

Pairwise part: the stage game's class (prisoner's dilemma, stag hunt, chicken, harmony; the
payoffs of :data:`model.games.GAMES`) × the strategy mix, with strategies spreading by imitation
(Fermi rule) on a small-world network of 100 countries, so that payoffs decide which strategies
survive. Fixed rules such as TitForTat play the same moves whatever the payoffs; it is selection
on payoffs that makes mutuality matter.

Economy part: collective mode with the ``classroom`` preset's six countries and battery/solar
chain, varying complementarity (the economy table's ``chain_bonus`` γ, the unit-cost bonus per
regional input) and the value-added premium (every sector's premium v_k multiplied by
``premium_scale``). Each run reports cooperation, welfare and the shares of countries whose
implied 2×2 game (C = follow the plan, D = go alone; :func:`model.optimisation.implied_games`
on the final plan) is a stag hunt, a prisoner's dilemma, harmony, chicken or deadlock.

Points carry ``kind`` ("pairwise" or "economy"), which :func:`mutuality_run` reads and drops.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import aggregate
from experiments.catalogue.experiment import Experiment, Part
from experiments.figures import save_figure, subplots

GAME_CLASSES = ("prisoners_dilemma", "stag_hunt", "chicken", "harmony")
IMPLIED = ("harmony", "stag_hunt", "prisoners_dilemma", "chicken", "deadlock")
MIXES = {
    "reciprocators": {"TitForTat": 2, "Grim": 1, "AllD": 1},
    "mixed": {"AllC": 1, "TitForTat": 1, "AllD": 1},
    "defectors": {"AllC": 1, "AllD": 3},
}
"""Strategy mixes from mostly reciprocal to mostly unconditional defection."""
PAIRWISE_BASE = {
    "kind": "pairwise",
    "n_countries": 100,
    "network": "watts_strogatz",
    "degree": 4,
    "rounds": 300,
    "evolution": "imitation",
    "evolution_interval": 10,
    "evolution_rate": 0.2,
    "selection": 1.0,
    "noise": 0.01,
    "burn_in": 0.5,
}
CHAIN_BONUS = (0.0, 0.1, 0.3, 0.6)
PREMIUM_SCALE = (0.0, 1.0, 2.0)
ECONOMY_BASE = {"kind": "economy", "rounds": 60, "burn_in": 0.25}


def classroom_config(
    chain_bonus: float, premium_scale: float = 1.0, **changes: Any
) -> Any:  # -> ModelConfig
    """The ``classroom`` preset with ``chain_bonus`` γ and every sector's premium scaled by
    ``premium_scale`` (the chain written out as ``[[economy.sector]]`` tables with the built-in
    inputs), plus further ModelConfig ``changes``."""
    from model.economy import BATTERY_SOLAR_INPUTS, BATTERY_SOLAR_SECTORS
    from model.scenarios import load_preset

    base = load_preset("classroom")
    economy = {k: v for k, v in dict(base.economy or {}).items() if k != "sectors"}
    economy["sector"] = [
        {
            "name": s.name,
            "market": s.market,
            "fixed_cost": s.fixed_cost,
            "unit_cost": s.unit_cost,
            "elasticity": "inf" if math.isinf(s.elasticity) else s.elasticity,
            "premium": s.premium * float(premium_scale),
            "needed": s.needed,
        }
        for s in BATTERY_SOLAR_SECTORS
    ]
    economy["inputs"] = [list(edge) for edge in BATTERY_SOLAR_INPUTS]
    economy["chain_bonus"] = float(chain_bonus)
    return base.replace(economy=economy, **changes)


def mutuality_run(params: dict[str, Any], seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate: ``kind = "pairwise"`` runs :func:`experiments.sweep.run_one` on the point;
    ``kind = "economy"`` runs the classroom economy (:func:`classroom_config` with the point's
    ``chain_bonus``, ``premium_scale`` and other ModelConfig fields) and adds
    ``implied_<class>``, the share of countries whose implied game under the final plan is of
    that class."""
    from experiments import sweep as sw
    from model.engine import CollectiveEngine

    values = dict(params)
    kind = values.pop("kind", "pairwise")
    if kind == "pairwise":
        return sw.run_one(values, seed, replicate)
    if kind != "economy":
        raise ValueError(f"kind = {kind!r}: allowed: pairwise, economy")
    burn_in = float(values.pop("burn_in", 0.25))
    config = classroom_config(
        values.pop("chain_bonus", 0.1), values.pop("premium_scale", 1.0), **values
    )
    engine = CollectiveEngine(config, config.build_economy(), seed, replicate_ids=[replicate])
    row = sw.long_run_means(engine.run(), burn_in)[0]
    classes = engine.game_classes[0]
    for name in IMPLIED:
        row[f"implied_{name}"] = float(np.mean([c == name for c in classes])) if classes else 0.0
    return row


def pairwise_points(scale: float = 1.0) -> list[dict]:
    """Game class × strategy mix; ``scale`` lengthens the runs."""
    rounds = max(60, round(PAIRWISE_BASE["rounds"] * max(scale, 0.2)))
    return [
        {**PAIRWISE_BASE, "rounds": rounds, "game": game, "strategies": mix}
        for game in GAME_CLASSES
        for mix in MIXES.values()
    ]


def economy_points(scale: float = 1.0) -> list[dict]:
    """chain_bonus × premium scale in the classroom economy (plurilateral regime)."""
    rounds = max(20, round(ECONOMY_BASE["rounds"] * max(scale, 0.2)))
    return [
        {**ECONOMY_BASE, "rounds": rounds, "chain_bonus": g, "premium_scale": v}
        for g in CHAIN_BONUS
        for v in PREMIUM_SCALE
    ]


def _mix_name(strategies: str) -> str:
    import json

    value = json.loads(strategies) if isinstance(strategies, str) else strategies
    for name, mix in MIXES.items():
        if {k: float(w) for k, w in value.items()} == {k: float(w) for k, w in mix.items()}:
            return name
    return str(strategies)


def pairwise_table(df: pd.DataFrame) -> pd.DataFrame:
    """Replicate means of cooperation and mean payoff per (game, mix)."""
    pw = df[df["part"] == "pairwise"]
    pw = pw.assign(mix=pw["strategies"].map(_mix_name))
    coop = aggregate(pw, ["game", "mix"], "cooperation")[["game", "mix", "mean", "low", "high"]]
    pay = aggregate(pw, ["game", "mix"], "mean_payoff")[["game", "mix", "mean"]]
    return coop.merge(pay, on=["game", "mix"], suffixes=("", "_payoff"))


def economy_table(df: pd.DataFrame) -> pd.DataFrame:
    """Replicate means per (chain_bonus, premium_scale)."""
    ec = df[df["part"] == "economy"]
    cols = ["cooperation", "welfare", *[f"implied_{c}" for c in IMPLIED]]
    return ec.groupby(["chain_bonus", "premium_scale"])[cols].mean().reset_index()


def analyze_mutuality(df: pd.DataFrame, out: Path) -> str:
    """Bar chart of cooperation by game class and mix; heat maps of cooperation, welfare and
    the stag-hunt share over (γ, premium); summary tables."""
    lines = ["# Mutuality of interests", ""]
    figures = []
    if (df["part"] == "pairwise").any():
        table = pairwise_table(df)
        games = [g for g in GAME_CLASSES if g in set(table["game"])]
        mixes = [m for m in MIXES if m in set(table["mix"])]
        fig, (left, right) = subplots(1, 2, figsize=(13, 4.3))
        width = 0.8 / max(len(mixes), 1)
        for k, mix in enumerate(mixes):
            t = table[table["mix"] == mix].set_index("game").reindex(games)
            x = np.arange(len(games)) + k * width
            left.bar(
                x,
                t["mean"],
                width,
                yerr=[t["mean"] - t["low"], t["high"] - t["mean"]],
                label=mix,
            )
            right.bar(x, t["mean_payoff"], width, label=mix)
        for ax, ylabel in ((left, "long-run cooperation"), (right, "mean payoff per interaction")):
            ax.set_xticks(np.arange(len(games)) + 0.4 - width / 2, games)
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3, axis="y")
            ax.legend(fontsize=8, title="strategy mix")
        fig.suptitle("Mutuality of interests: game class × strategy mix (imitation)", fontsize=11)
        save_figure(fig, out / "mutuality_games.png", dpi=110)
        figures.append("`mutuality_games.png`")
        lines += [
            "Pairwise play with imitation of better-earning neighbours (100 countries, "
            "small world): long-run cooperation (95 % interval) and mean payoff.",
            "",
            "| game | mix | cooperation | 95 % interval | mean payoff |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r.game} | {r.mix} | {r.mean:.3f} | [{r.low:.3f}, {r.high:.3f}] | "
            f"{r.mean_payoff:.3f} |"
            for r in table.itertuples()
        ]
        by_game = table.groupby("game")["mean"].mean()
        if {"harmony", "prisoners_dilemma"} <= set(by_game.index):
            lines += [
                "",
                f"Averaged over mixes, cooperation is {by_game['harmony']:.3f} in harmony and "
                f"{by_game['prisoners_dilemma']:.3f} in the prisoner's dilemma.",
            ]
        lines.append("")
    if (df["part"] == "economy").any():
        table = economy_table(df)
        panels = ("cooperation", "welfare", "implied_stag_hunt", "implied_prisoners_dilemma")
        fig, axes = subplots(1, len(panels), figsize=(18, 4))
        for metric, ax in zip(panels, axes, strict=True):
            grid = table.pivot(index="premium_scale", columns="chain_bonus", values=metric)
            mesh = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="RdYlGn")
            ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
            ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
            for (i, j), v in np.ndenumerate(grid.to_numpy()):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
            ax.set_xlabel("complementarity γ (chain_bonus)")
            ax.set_ylabel("value-added premium (× preset)")
            ax.set_title(metric.replace("implied_", "share implied ").replace("_", " "))
            ax.figure.colorbar(mesh, ax=ax)
        fig.suptitle("Classroom economy: complementarity and value added", fontsize=11)
        save_figure(fig, out / "mutuality_economy.png", dpi=110)
        figures.append("`mutuality_economy.png`")
        lines += [
            "Classroom economy (collective mode, plurilateral): replicate means; implied game "
            "shares under the final plan.",
            "",
            "| γ | premium × | cooperation | welfare | stag hunt | prisoner's dilemma | "
            "harmony | chicken | deadlock |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r.chain_bonus:g} | {r.premium_scale:g} | {r.cooperation:.3f} | "
            f"{r.welfare:.3f} | {r.implied_stag_hunt:.2f} | {r.implied_prisoners_dilemma:.2f} | "
            f"{r.implied_harmony:.2f} | {r.implied_chicken:.2f} | {r.implied_deadlock:.2f} |"
            for r in table.itertuples()
        ]
        lines.append("")
    lines.append("Figures: " + ", ".join(figures) + ".")
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "mutuality",
    "Mutuality of interests: game class × strategy mix under imitation, and complementarity "
    "(chain bonus) × value-added premium in the classroom economy with the implied games.",
    {
        "pairwise": Part(pairwise_points, replicates=5),
        "economy": Part(economy_points, replicates=5),
    },
    analyze_mutuality,
    run=mutuality_run,
)
