"""Lesson 9, Axelrod's tournament: the round robin of the classic rules without and with noise,
and the same rules on a network and in an ecological (imitation) tournament."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.figures import tournament_figure
from experiments.lessons.core import (
    Claim,
    Lesson,
    LessonResult,
    Progress,
    Scene,
    SceneResult,
)
from experiments.lessons.helpers import pct, simulate, tail, write_csv
from model.config import CLASSIC_SEVEN

# ====================================================================== 9. tournament
TOURNAMENT_RULES = (*CLASSIC_SEVEN, "GenerousTitForTat")

_NOISY = "noise: a typical relationship sees a slip, and what survives depends on the rules"
TOURNAMENT_SCENES = (
    Scene(
        "The seven classics, small world",
        "default",
        {},
        Claim({"all": "prisoners_dilemma"}, True),
    ),
    Scene(
        "The seven classics, 5 % noise",
        "default",
        {"noise": 0.05},
        Claim({"all": "prisoners_dilemma"}, None, _NOISY),
    ),
    Scene(
        "Ecological: imitation on a 7 × 7 torus",
        "default",
        {
            "n_countries": 49,
            "network": "lattice",
            "horizon": "fixed",  # Axelrod's matches: one long relationship each
            "evolution": "imitation",
            "evolution_rate": 0.2,
            "noise": 0.02,
            "rounds": 300,
        },
        Claim({"all": "prisoners_dilemma"}, None, _NOISY),
    ),
)


def run_tournament(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Axelrod's round robin (every rule meets every other and itself, 200 rounds × 5
    repetitions) without and with 5 % noise, plus the scenes on a network."""
    from experiments.matches import tournament

    progress.start(2 + len(lesson.scenes))
    figures, tables, notes = [], [], []
    for noise, suffix in ((0.0, ""), (0.05, "_noise")):
        table = tournament(
            list(TOURNAMENT_RULES), rounds=200, repetitions=5, noise=noise, seed=seed
        )
        title = f"Round robin, 200 rounds × 5, noise {noise:g}"
        figures.append(tournament_figure(table, out / f"tournament{suffix}.png", title))
        tables.append(write_csv(table.reset_index(), out / f"tournament{suffix}.csv"))
        order = list(table.index)
        notes.append(
            f"Noise {noise:g}: ranking "
            + ", ".join(f"{n} ({table.loc[n, 'per_round']:.2f})" for n in order)
            + f" — per round per opponent; AllD ranks {table.loc['AllD', 'rank']} of {len(order)}."
        )
        progress.step()
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        model, df = simulate(cfg, seed)
        countries = model.countries
        frame = pd.DataFrame(
            {
                "strategy": countries.get("strategy"),
                "payoff": np.asarray(countries.get("total_payoff"), float)
                / np.maximum(np.asarray(countries.get("degree"), float), 1)
                / len(df),
            }
        )
        coop = tail(df["cooperation"])
        values: dict[str, float] = {"cooperation": coop}
        if cfg.evolution != "none":
            shares = {
                c.removeprefix("share_"): float(df[c].iloc[-1])
                for c in df.columns
                if c.startswith("share_")
            }
            values.update({f"share_{k}": v for k, v in shares.items()})
            top = sorted(shares.items(), key=lambda kv: -kv[1])
            measured = (
                f"long-run cooperation {pct(coop)}; final shares "
                + ", ".join(f"{k} {pct(v)}" for k, v in top if v > 0)
                + f"; AllD {pct(shares.get('AllD', 0.0))}"
            )
            what = "AllD prospers only while it has victims; reciprocal rules spread"
        else:
            by = frame.groupby("strategy")["payoff"].mean().sort_values(ascending=False)
            values.update({f"payoff_{k}": float(v) for k, v in by.items()})
            measured = (
                f"long-run cooperation {pct(coop)}; payoff per partner a round: "
                + ", ".join(f"{k} {v:.2f}" for k, v in by.items())
            )
            what = (
                "on a network each country meets only its neighbours: rankings depend on who "
                "sits next to whom (one or two countries per rule here)"
            )
        results.append(SceneResult(scene.label, measured, what, values))
        progress.step()
    return LessonResult(lesson, seed, results, figures, tables, notes)
