"""Lessons 3 and 4, what sustains cooperation in the repeated game: the shadow of the future
(δ against δ*, regular and irregular stakes) and noise and feedback (echoes and their repair,
late news, the broker's transparency), with the closed forms they are compared with."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

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
from model.games import PD, MatrixGame
from model.scenarios import load_preset

# ====================================================================== 3. shadow of the future
DELTA_STAR = theory.critical_deltas(PD)["Grim"]
"""Grim's critical δ in Axelrod's PD: (T−R)/(T−P) = 0.5."""


def _shadow_overrides(delta: float, **extra: Any) -> dict:
    """Twelve Calculating governments, one relationship (lesson 4's late-news scene)."""
    return {
        "n_countries": 12,
        "network": "complete",
        "game": "prisoners_dilemma",
        "strategies": {"Calculating": 1},
        "rounds": 100,
        "noise": 0.0,
        "horizon": "fixed",
        "evolution": "none",
        "continuation": delta,
        **extra,
    }


def _eras_label(delta: float) -> str:
    side = "below" if delta < DELTA_STAR else "above"
    return (
        f"δ = {delta:.2f}: relationships last {1 / (1 - delta):.1f} rounds ({side} Grim's "
        f"δ* = {DELTA_STAR:.2f})"
    )


CLASSROOM_PIVOT = "Carvelia"
"""The classroom member whose prisoner's dilemma decides whether the agreement forms."""


def _classroom_label(delta: float) -> str:
    return f"classroom, δ = {delta:.2f}"


_PD = {"all": "prisoners_dilemma"}
_PIVOT_PD = {CLASSROOM_PIVOT: "prisoners_dilemma"}
SHADOW_SCENES = (
    Scene(_eras_label(0.40), "default", {"continuation": 0.40}, Claim(_PD, False)),
    Scene(_eras_label(0.95), "default", {"continuation": 0.95}, Claim(_PD, True)),
    Scene(_classroom_label(0.60), "classroom", {"continuation": 0.60}, Claim(_PIVOT_PD, False)),
    Scene(_classroom_label(0.90), "classroom", {"continuation": 0.90}, Claim(_PIVOT_PD, True)),
)
BASIN_DELTAS = (0.5, 0.6, 0.7, 0.8, 0.9)
BASIN_SHARES = (0.1, 0.3, 0.5, 0.7, 0.9)
DELTA_GRID = tuple(round(0.30 + 0.025 * k, 3) for k in range(27))
"""δ = 0.300, 0.325, …, 0.950 for the figures over δ."""


def tempting_stake(game: MatrixGame, delta: float) -> float:
    """The stake (relative to the mean stake 1) above which a forward-looking government
    defects: s (T − R) > δ/(1 − δ)·(R − P) (Axelrod & Keohane 1985, regularity of stakes)."""
    return delta / (1.0 - delta) * (game.R - game.P) / (game.T - game.R)


def lognormal_tail(threshold: float, sigma: float) -> float:
    """P(s > threshold) for the model's lognormal stakes (mean 1, spread σ)."""
    if sigma == 0:
        return 0.0 if threshold >= 1.0 else 1.0
    z = (math.log(threshold) + sigma**2 / 2) / sigma
    return 0.5 * math.erfc(z / math.sqrt(2))


def basin_run(delta: float, x0: float, seed: int):
    """Final TitForTat share, 60 countries, TitForTat against AllD from share x0, eras and
    imitation every 50 rounds (the headline experiment's pairwise part, one replicate)."""
    from model.config import ModelConfig
    from model.engine import PairwiseEngine

    cfg = ModelConfig(
        n_countries=60,
        network="complete",
        game="prisoners_dilemma",
        strategies={"TitForTat": x0, "AllD": 1.0 - x0},
        continuation=delta,
        rounds=1000,
        evolution_interval=50,
        evolution_rate=0.3,
    )
    return float(PairwiseEngine(cfg, seed).run().shares[0, 0])


def pivot_delta_star(cfg, seed: int) -> float:
    """δ* of the classroom's pivotal member under the full plan (the plan the council adopts
    when every member's δ is long enough, here computed at δ = 0.99)."""
    from model.engine import build_engine

    eng = build_engine(cfg.replace(continuation=0.99, rounds=1), seed)
    return float(eng.critical_deltas(0)[eng.economies[0].countries.index(CLASSROOM_PIVOT)])


def run_shadow(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """The scenes (the default scenario and the classroom on either side of their thresholds),
    and the basin of TitForTat against AllD over (δ, x0) against the boundary x*(δ)."""
    import numpy as np

    progress.start(len(lesson.scenes) + len(BASIN_DELTAS) * len(BASIN_SHARES))
    fig, (left, right) = subplots(1, 2, figsize=(12, 4.4))
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        _, df = simulate(cfg, seed)
        coop = tail(df["cooperation"])
        values = {"continuation": cfg.continuation, "cooperation": coop}
        if cfg.mode == "collective":
            star = pivot_delta_star(cfg, seed)
            values["pivot_delta_star"] = star
            what = (
                f"{CLASSROOM_PIVOT}'s game under the plan is a prisoner's dilemma; while "
                f"δ < its δ* it declines, and without it no plan pays the others their outside "
                f"option → compliance 0; above it, all who gain comply"
            )
            measured = f"compliance {pct(coop)} (long run)"
        else:
            x_star = theory.basin_boundary(PD, cfg.continuation)
            values["basin_boundary"] = x_star
            what = f"relationships end with probability {1 - cfg.continuation:.2f} a round: " + (
                "first moves dominate, so the rules that exploit them (AllD, suspicious "
                "TFT) earn most and are imitated → cooperation unravels"
                if cfg.continuation < DELTA_STAR
                else f"reciprocity pays (TFT beats AllD from a share above x* = "
                f"{x_star:.2f}) and spreads → cooperation"
            )
            measured = f"cooperation {pct(coop)} (long run)"
        results.append(SceneResult(scene.label, measured, what, values))
        right.plot(df["round"], df["cooperation"], label=scene.label)
        progress.step()
    rows = []
    for delta in BASIN_DELTAS:
        for x0 in BASIN_SHARES:
            rows.append({"continuation": delta, "x0": x0, "tft": basin_run(delta, x0, seed)})
            progress.step()
    basin = pd.DataFrame(rows)
    grid = basin.pivot(index="x0", columns="continuation", values="tft")
    mesh = left.pcolormesh(
        grid.columns, grid.index, grid.values, cmap="RdYlGn", vmin=0, vmax=1, shading="nearest"
    )
    fig.colorbar(mesh, ax=left, label="final TitForTat share")
    d = np.linspace(min(BASIN_DELTAS), max(BASIN_DELTAS), 100)
    left.plot(
        d, [theory.basin_boundary(PD, x) for x in d], color="black", lw=2, label="theory: x*(δ)"
    )
    left.set(xlabel="shadow of the future δ", ylabel="initial TitForTat share", ylim=(0, 1))
    left.legend(fontsize=8, loc="upper right")
    left.set_title("TitForTat vs AllD, 60 countries, eras + imitation", fontsize=10)
    right.set(xlabel="round", ylabel="cooperation / compliance", ylim=(-0.02, 1.02))
    right.legend(fontsize=7)
    right.grid(alpha=0.3)
    right.set_title("The scenes, round by round", fontsize=10)
    fig.suptitle(lesson.title, fontsize=11)
    figure = save_figure(fig, out / f"{lesson.name}.png")
    data = write_csv(basin, out / "basin.csv")
    return LessonResult(lesson, seed, results, [figure], [data])


# ====================================================================== 4. noise and feedback
NOISE = 0.05


def _noisy(strategy: str) -> dict:
    return {
        "horizon": "fixed",  # one relationship: the echo is a property of a long match
        "evolution": "none",
        "n_countries": 10,
        "network": "complete",
        "game": "prisoners_dilemma",
        "strategies": {strategy: 1},
        "rounds": 200,
        "noise": NOISE,
    }


def _misread(transparency: float) -> dict:
    return {
        "strategies": {"TitForTat": 1},
        "observation_error": 0.05,
        "transparency": transparency,
        "rounds": 100,
    }


_ECHO = (
    "implementation noise: how much cooperation survives depends on the rule's repair (TFT's "
    "echo about 50 %, GTFT and WSLS about 87 %), not on δ ≥ δ*"
)
_MISREAD = (
    "TitForTat governments follow their partners' history, not δ*: every misreading sets off "
    "an echo (long-run cooperation 7–17 % without, 13–66 % with the transparent broker, seeds "
    "1–3)"
)
NOISE_SCENES = (
    Scene(
        "TitForTat, 5 % noise: the echo", "default", _noisy("TitForTat"), Claim(_PD, None, _ECHO)
    ),
    Scene(
        "Generous TFT, 5 % noise", "default", _noisy("GenerousTitForTat"), Claim(_PD, None, _ECHO)
    ),
    Scene(
        "Win-stay lose-shift, 5 % noise",
        "default",
        _noisy("WinStayLoseShift"),
        Claim(_PD, None, _ECHO),
    ),
    Scene(
        f"δ = 0.60, news 1 round late (δ* = {theory.critical_deltas(PD, delay=1)['Grim']:.2f})",
        "default",
        _shadow_overrides(0.60, observation_delay=1),
        Claim(_PD, False),
    ),
    Scene(
        "Misreading 5 %, no transparency",
        "classroom",
        _misread(0.0),
        Claim({}, None, _MISREAD),
    ),
    Scene(
        "Misreading 5 %, transparent broker",
        "classroom",
        _misread(0.9),
        Claim({}, None, _MISREAD),
    ),
)


def tft_echo_payoff(game: MatrixGame) -> float:
    """Long-run payoff of TFT against TFT under small noise: (R + S + T + P)/4 (Molander 1985)."""
    return (game.R + game.S + game.T + game.P) / 4


def wsls_mutual_cooperation(e: float) -> float:
    """Long-run share of mutual cooperation between two WSLS players whose moves are flipped with
    probability e: (1 − e)(1 − 3e + 4e²) (Nowak & Sigmund 1993)."""
    return (1 - e) * (1 - 3 * e + 4 * e**2)


def run_noise(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Noise repair (TFT, GTFT, WSLS under implementation noise, against the closed forms),
    slow feedback (forward-looking governments over δ for delays d = 0, 1, 2 against
    δ*(d)), and the coordinator's transparency in the classroom (TFT members misreading 5 %)."""
    delays = (0, 1, 2)
    progress.start(len(lesson.scenes) + len(delays) * len(DELTA_GRID))
    fig, axes = subplots(1, 3, figsize=(17, 4.4))
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        _, df = simulate(cfg, seed)
        coop, mutual = tail(df["cooperation"]), tail(df["mutual_cooperation"])
        values = {"cooperation": coop, "mutual_cooperation": mutual}
        rule = next(iter(cfg.strategies))
        if cfg.mode == "collective":
            values["welfare"] = tail(df["welfare"])
            eps = cfg.observation_error * (1 - cfg.transparency)
            measured = f"long-run cooperation {pct(coop)}, W = {values['welfare']:.1f}"
            what = (
                f"members misread each other with ε(1 − τ) = {eps:.2f}; every misreading "
                "sets off a TFT echo, and a country follows the plan only while most of its "
                "partners' rules say C"
            )
            axes[2].plot(df["round"], df["cooperation"], label=scene.label)
        elif rule == "Calculating":
            star = theory.critical_deltas(cfg.matrix_game, cfg.observation_delay)["Grim"]
            values["delta_star"] = star
            measured = f"long-run cooperation {pct(coop)}"
            what = (
                f"δ^(d+1) = {cfg.continuation ** (cfg.observation_delay + 1):.2f} < "
                f"(T−R)/(T−P) = {DELTA_STAR:.2f}: δ = {cfg.continuation:g} < δ*(d = "
                f"{cfg.observation_delay}) = {star:.2f} → no cooperation"
            )
        else:
            payoff = tail(df["mean_payoff"])
            values["payoff"] = payoff
            measured = (
                f"cooperation {pct(coop)}, mutual cooperation {pct(mutual)}, payoff "
                f"{payoff:.2f} per interaction"
            )
            if rule == "TitForTat":
                what = (
                    f"echo: payoff (R+S+T+P)/4 = {tft_echo_payoff(cfg.matrix_game):.2f}, "
                    "mutual cooperation 25 %"
                )
            elif rule == "WinStayLoseShift":
                what = (
                    "mutual cooperation (1−e)(1−3e+4e²) = "
                    f"{pct(wsls_mutual_cooperation(cfg.noise))} (e = {cfg.noise:g})"
                )
            else:
                q = theory.gtft_generosity(cfg.matrix_game)
                what = (
                    f"forgives a defection with q = {q:.2f}: echoes die out; payoff close "
                    f"to R = {cfg.matrix_game.R:g} (less the noise)"
                )
            axes[0].plot(
                df["round"],
                df["mutual_cooperation"].rolling(10, min_periods=1).mean(),
                label=scene.label,
            )
        results.append(SceneResult(scene.label, measured, what, values))
        progress.step()
    axes[0].axhline(0.25, color="tab:blue", ls="--", lw=1)
    axes[0].text(0, 0.27, "TFT echo: 1/4", color="tab:blue", fontsize=8)
    w = wsls_mutual_cooperation(NOISE)
    axes[0].axhline(w, color="tab:green", ls="--", lw=1)
    axes[0].text(0, w + 0.02, f"WSLS: (1−e)(1−3e+4e²) = {w:.2f}", color="tab:green", fontsize=8)
    axes[0].set(xlabel="round", ylabel="mutual cooperation (10-round mean)", ylim=(-0.02, 1.02))
    axes[0].legend(fontsize=8, loc="lower right")
    axes[0].set_title(f"Implementation noise e = {NOISE:g}: echo and repair", fontsize=10)
    rows = []
    for d in delays:
        coop = []
        for delta in DELTA_GRID:
            cfg = load_preset("default").replace(**_shadow_overrides(delta, observation_delay=d))
            c = pairwise_cooperation(cfg, seed)
            coop.append(float(c[c.shape[0] // 2 :].mean()))
            rows.append({"observation_delay": d, "continuation": delta, "cooperation": coop[-1]})
            progress.step()
        (line,) = axes[1].plot(
            DELTA_GRID,
            coop,
            marker="o",
            ms=3,
            label=f"d = {d}: "
            + ("news at once" if d == 0 else f"news {d} round{'s' * (d > 1)} late"),
        )
        star = theory.critical_deltas(PD, d)["Grim"]
        axes[1].axvline(star, color=line.get_color(), ls="--", lw=1)
        axes[1].text(star, 0.1 + 0.3 * d, f" δ*({d}) = {star:.2f}", fontsize=8)
    axes[1].set(xlabel="shadow of the future δ", ylabel="long-run cooperation", ylim=(-0.02, 1.02))
    axes[1].legend(fontsize=8, loc="upper left")
    axes[1].set_title("Slow feedback raises δ*: δ^(d+1) ≥ (T−R)/(T−P)", fontsize=10)
    axes[2].set(xlabel="round", ylabel="cooperation (share following the plan)", ylim=(-0.02, 1.02))
    axes[2].legend(fontsize=8, loc="lower left")
    axes[2].set_title("Classroom, TFT governments: the broker's transparency", fontsize=10)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle(lesson.title, fontsize=11)
    figure = save_figure(fig, out / f"{lesson.name}.png")
    data = write_csv(pd.DataFrame(rows), out / "cooperation_by_delay.csv")
    return LessonResult(lesson, seed, results, [figure], [data])
