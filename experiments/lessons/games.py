"""Lessons 1 and 2, the game the region plays: the prisoner's dilemma of industrial policy (the
implied 2×2 games of going alone against following the plan) and the stag hunt (basins of
attraction under imitation, and a broker that makes joining risk dominant)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from experiments.figures import save_figure, subplots
from experiments.lessons.core import (
    Claim,
    Lesson,
    LessonResult,
    Progress,
    Scene,
    SceneResult,
)
from experiments.lessons.helpers import pairwise_cooperation, pct, simulate, tail, write_csv
from model import theory
from model.config import ModelConfig
from model.games import MatrixGame, class_label, get_game
from model.scenarios import load_preset

# ====================================================================== 1. prisoner's dilemma
_TWIN_SECTOR = {
    "market": 10.0,
    "fixed_cost": 1.5,
    "unit_cost": 0.7,
    "elasticity": 3.0,
    "premium": 0.2,
}
TWIN = {
    "mode": "collective",
    "n_countries": 2,
    "network": "complete",
    "economy": {
        "kappa": 0.5,
        "shortfall_cost": 0.05,
        "sector": [
            {"name": "battery_cells", **_TWIN_SECTOR},
            {"name": "battery_packs", **_TWIN_SECTOR},
        ],
    },
    "countries": (
        {"name": "Norland", "gdp": 50, "budget": 2, "strengths": {"battery_cells": 1.2}},
        {"name": "Sudland", "gdp": 50, "budget": 2, "strengths": {"battery_packs": 1.2}},
    ),
    "rounds": 40,
    "initial_trust": 1.0,
}
"""Two equal neighbours and two stages of a battery chain (cells, packs), each country 20 %
more productive in one stage; plants are lumpy (fixed cost 1.5) and a second producer of a stage
halves each plant's market share and lowers the price (elasticity 3). Going alone, each builds
both plants; the plan gives each its own stage. The implied 2×2 game of both countries is a
prisoner's dilemma, (T, R, P, S) ≈ (5.93, 4.67, 3.35, 2.09), Grim's δ* ≈ 0.49. Full initial
trust: both submit all their options to the broker, so its plan is the optimum."""

TWIN_GAMES = {"Norland": "prisoners_dilemma", "Sudland": "prisoners_dilemma"}
CLASSROOM_GAMES = {
    "Aldoria": "prisoners_dilemma",
    "Borduria": "stag_hunt",
    "Carvelia": "prisoners_dilemma",
    "Dunmark": "stag_hunt",
    "Estoria": "prisoners_dilemma",
    "Fenlandia": "stag_hunt",
}
"""The classroom's implied games under the plan (the preset's comment; lessons 1 and 3)."""
_ALONE = "no coordinator: there is no agreement to sustain (everybody goes it alone, AllD)"

PD_SCENES = (
    Scene(
        "Two neighbours go it alone",
        "classroom",
        {**TWIN, "strategies": {"AllD": 1}, "regime": "none"},
        Claim(TWIN_GAMES, None, _ALONE),
    ),
    Scene(
        "Two neighbours follow the plan",
        "classroom",
        {**TWIN, "strategies": {"AllC": 1}},
        Claim(TWIN_GAMES, True),
    ),
    Scene(
        "Classroom region goes it alone",
        "classroom",
        {"strategies": {"AllD": 1}, "regime": "none", "rounds": 40, "initial_trust": 1.0},
        Claim(CLASSROOM_GAMES, None, _ALONE),
    ),
    Scene(
        "Classroom region follows the plan",
        "classroom",
        {"strategies": {"AllC": 1}, "rounds": 40, "initial_trust": 1.0},
        Claim(CLASSROOM_GAMES, True),
    ),
)


def implied_games_of(cfg: ModelConfig, seed: int = 1):
    """The implied 2×2 games (:func:`model.optimisation.implied_games`) of a collective scene's
    economy under the plan the coordinator makes when everybody follows it (regime
    plurilateral, AllC, the scene's trust), after one planning period. Returns the economy's
    country names and the ``ImpliedGames``."""
    from model import optimisation as opt
    from model.region import RegionModel

    plan_cfg = cfg.replace(
        regime="plurilateral", hegemon="none", strategies={"AllC": 1.0}, noise=0.0
    )
    model = RegionModel(plan_cfg, seed=seed)
    e = model.engine
    # P is the status quo (the engine's outside option), not the deviation profile
    games = opt.implied_games(e.economies[0], e.plan[0], e.status_quo[0], e.deviation[0])
    return model.economy.countries, games


def run_prisoners_dilemma(lesson: Lesson, out: Path, seed: int, progress: Progress):
    """Both economies going alone (AllD, no coordinator) and following the plan (AllC,
    plurilateral): welfare, duplication, shortfall; theory: everybody alone earns Σ P_i, the
    plan Σ R_i minus the coordinator's running costs (R, P of the implied games)."""
    progress.start(len(lesson.scenes) + 2)
    games, names_by = {}, {}
    rows = []
    for k, economy in ((1, "two neighbours"), (3, "classroom")):
        names, g = implied_games_of(lesson.config(k), seed)
        games[economy], names_by[economy] = g, names
        for i, name in enumerate(names):
            rows.append(
                {"economy": economy, "country": name, "T": g.T[i], "R": g.R[i], "P": g.P[i]}
                | {"S": g.S[i], "class": g.classes[i]}
            )
        progress.step()
    table = pd.DataFrame(rows)
    results, bars = [], []
    for k, scene in enumerate(lesson.scenes):
        cfg = scene.config()
        model, df = simulate(cfg, seed)
        e = model.engine
        economy = "two neighbours" if k < 2 else "classroom"
        g = games[economy]
        w = tail(df["welfare"])
        values = {
            "welfare": w,
            "optimum": float(df["optimum"].iloc[-1]),
            "price_of_non_coordination": tail(df["price_of_non_coordination"]),
            "duplication": tail(df["duplication"]),
            "shortfall": tail(df["shortfall"]),
            "cooperation": tail(df["cooperation"]),
        }
        if set(cfg.strategies) == {"AllD"}:
            predicted = float(e.outside_option[0].sum())
            theory_text = f"everybody alone: W = Σ P_i = {predicted:.2f}"
            if economy == "two neighbours":
                theory_text += " (the Nash equilibrium of the implied prisoner's dilemma)"
        else:
            costs = cfg.coordination_cost * cfg.n_countries
            predicted = float(e.plan_payoff[0].sum()) - costs
            theory_text = (
                f"the plan: W = Σ R_i − running costs = {predicted:.2f} "
                f"(at best W_opt − costs = {values['optimum'] - costs:.2f})"
            )
        values["predicted_welfare"] = predicted
        classes = ", ".join(
            f"{n} × {class_label(c)}" for c, n in pd.Series(g.classes).value_counts().items()
        )
        results.append(
            SceneResult(
                scene.label,
                f"W = {w:.2f} (W_opt = {values['optimum']:.2f}), {values['duplication']:.0f} "
                f"duplicated plants, shortfall {pct(values['shortfall'])}; implied games: "
                f"{classes}",
                theory_text,
                values,
            )
        )
        bars.append((scene.label, w, values["optimum"], values["duplication"]))
        progress.step()

    fig, (left, right) = subplots(1, 2, figsize=(12, 4.6), width_ratios=(1, 1.25))
    g = games["two neighbours"]
    cells = [[(g.R[0], g.R[1]), (g.S[0], g.T[1])], [(g.T[0], g.S[1]), (g.P[0], g.P[1])]]
    shade = [["#d9f2d9", "white"], ["white", "#f7d4d4"]]
    for i in range(2):
        for j in range(2):
            a, b = cells[i][j]
            left.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fc=shade[i][j], ec="0.6"))
            left.text(j, i, f"{a:.2f} , {b:.2f}", ha="center", va="center", fontsize=11)
    left.text(0, 0.3, "the plan (optimum)", ha="center", color="tab:green", fontsize=8)
    left.text(1, 1.3, "Nash equilibrium", ha="center", color="tab:red", fontsize=8)
    left.set(xlim=(-0.5, 1.5), ylim=(1.5, -0.5), aspect="equal")
    left.set_xticks([0, 1], ["Sudland follows\nthe plan (C)", "Sudland goes\nalone (D)"])
    left.set_yticks([0, 1], ["Norland follows\nthe plan (C)", "Norland goes\nalone (D)"])
    left.set_title(
        f"Payoffs (Norland, Sudland): {class_label(g.classes[0])}\n"
        f"T = {g.T[0]:.2f} > R = {g.R[0]:.2f} > P = {g.P[0]:.2f} > S = {g.S[0]:.2f}",
        fontsize=10,
    )
    x = np.arange(len(bars))
    right.bar(x, [b[1] for b in bars], color=["tab:red", "tab:green"] * 2, alpha=0.8)
    right.scatter(x, [b[2] for b in bars], color="black", marker="_", s=900, zorder=3)
    right.scatter([], [], color="black", marker="_", s=200, label="optimum W_opt")
    for xi, (_, w, w_opt, dup) in zip(x, bars, strict=True):
        right.annotate(
            f"W = {w:.1f}\n{dup:.0f} duplicated",
            (xi, max(w, w_opt, 0.0)),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    top = max(max(b[1], b[2]) for b in bars)
    right.set_ylim(top=1.25 * top)
    right.axhline(0, color="black", lw=0.8)
    right.set_xticks(x, [textwrap.fill(b[0], 16) for b in bars], fontsize=8)
    right.set_ylabel("regional welfare W (long run)")
    right.legend(fontsize=8, loc="upper left")
    right.grid(alpha=0.3, axis="y")
    right.set_title("Going alone duplicates plants; following the plan pays", fontsize=10)
    fig.suptitle(lesson.title, fontsize=11)
    figure = save_figure(fig, out / f"{lesson.name}.png")
    games_csv = write_csv(table, out / "implied_games.csv")
    progress.step()
    cls = games["classroom"].classes
    note = (
        "The classroom's implied games under the plan: "
        + ", ".join(
            f"{n} {class_label(c)}" for n, c in zip(names_by["classroom"], cls, strict=True)
        )
        + ". Only where going alone tempts against followers (T > R) is it a prisoner's "
        "dilemma; for half of the classroom the plan's complementarities make following it the "
        "best reply while the others follow, but not when they go alone (a stag hunt) — for "
        "them the problem is not temptation but trust that the others follow (lesson 2)."
    )
    return LessonResult(lesson, seed, results, [figure], [games_csv], [note])


# ====================================================================== 2. stag hunt
STAG = get_game("stag_hunt")
"""Skyrms's stag hunt (T, R, P, S) = (3, 4, 3, 0): going alone pays 3 whatever the others do."""
ASSURED_STAG = MatrixGame(T=3, R=6, P=2, S=0)
"""A stag hunt after a broker has raised the joint venture's reward (R 4 → 6) and lowered what
two isolated projects earn (P 3 → 2): cooperation becomes risk dominant."""


def _threshold(game: MatrixGame) -> float:
    """p*: the share of partners joining above which joining is the best reply."""
    return 1.0 - theory.stag_hunt_basin(game)


def _stag_overrides(game: MatrixGame, share: float) -> dict:
    return {
        "n_countries": 40,
        "network": "complete",
        "game": "stag_hunt" if game == STAG else game.as_tuple(),
        "strategies": {"AllC": round(share, 4), "AllD": round(1.0 - share, 4)},
        "rounds": 150,
        "noise": 0.0,
        "evolution": "imitation",
        "evolution_interval": 5,
        "evolution_rate": 0.2,
        "selection": 1.0,
        "mutation": 0.0,
    }


def _stag_label(game: MatrixGame, share: float, name: str) -> str:
    p = _threshold(game)
    side = "above" if share > p else "below"
    return f"{name}: {pct(share)} join ({side} p* = {p:.2f})"


def _stag_scene(game: MatrixGame, share: float, name: str) -> Scene:
    return Scene(
        _stag_label(game, share, name),
        "default",
        _stag_overrides(game, share),
        Claim({"all": "stag_hunt"}, share > _threshold(game)),
    )


STAG_SCENES = (
    _stag_scene(STAG, 0.85, "Stag hunt"),
    _stag_scene(STAG, 0.60, "Stag hunt"),
    _stag_scene(ASSURED_STAG, 0.60, "Assured stag hunt"),
)
STAG_SHARES = tuple(round(0.3 + 0.05 * k, 2) for k in range(14))
"""Initial shares of joiners (AllC) for the basin-of-attraction panel: 0.30, 0.35, …, 0.95."""


def run_stag_hunt(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Imitation dynamics from several initial shares of joiners (AllC) in two stag hunts; the
    final share against the initial one shows the basins of attraction, split at
    p* = 1 − basin (:func:`model.theory.stag_hunt_basin`)."""
    games = {"stag hunt (3, 4, 3, 0)": STAG, "assured stag hunt (3, 6, 2, 0)": ASSURED_STAG}
    progress.start(len(lesson.scenes) + len(games) * len(STAG_SHARES))
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.4))
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        game = cfg.matrix_game
        share = cfg.strategies["AllC"] / sum(cfg.strategies.values())
        _, df = simulate(cfg, seed)
        final = float(df["cooperation"].iloc[-1])
        p = _threshold(game)
        left.plot(df["round"], df["cooperation"], label=scene.label)
        wins = share > p
        results.append(
            SceneResult(
                scene.label,
                f"share of joiners {pct(share)} → {pct(final)} after {len(df)} rounds",
                f"{'joining' if wins else 'going alone'} takes over ({pct(share)} "
                f"{'>' if wins else '<'} p* = {p:.2f}); risk dominant: "
                f"{theory.risk_dominant(game)}",
                {"initial_share": share, "final_share": final, "p_star": p},
            )
        )
        progress.step()
    left.set(xlabel="round", ylabel="share of countries that join (C)", ylim=(-0.02, 1.02))
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    left.set_title("Imitation of better-scoring partners", fontsize=10)
    rows = []
    for (name, game), colour in zip(games.items(), ("tab:blue", "tab:green"), strict=True):
        finals = []
        for share in STAG_SHARES:
            cfg = load_preset("default").replace(**_stag_overrides(game, share))
            final = float(pairwise_cooperation(cfg, seed)[-1, 0])
            finals.append(final)
            rows.append(
                {"game": name, "p_star": _threshold(game), "initial_share": share}
                | {"final_share": final}
            )
            progress.step()
        p = _threshold(game)
        right.plot(STAG_SHARES, finals, marker="o", color=colour, label=name)
        right.axvline(p, color=colour, ls="--", lw=1)
        right.text(p, 0.5, f" p* = {p:.2f}", color=colour, fontsize=8)
    right.set(
        xlabel="initial share of joiners",
        ylabel=f"share of joiners after {STAG_SCENES[0].overrides['rounds']} rounds",
        ylim=(-0.02, 1.02),
    )
    right.legend(fontsize=8, loc="upper left")
    right.grid(alpha=0.3)
    right.set_title("Basins of attraction: joining wins only above p*", fontsize=10)
    fig.suptitle(lesson.title, fontsize=11)
    figure = save_figure(fig, out / f"{lesson.name}.png")
    basin = write_csv(pd.DataFrame(rows), out / "basins.csv")
    return LessonResult(lesson, seed, results, [figure], [basin])
