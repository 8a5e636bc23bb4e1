"""Lesson 5, the information broker: the price of non-coordination W − W_opt against the number
of participants without a coordinator, with perfect-information best replies and with the
broker."""

from __future__ import annotations

from pathlib import Path

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
from experiments.lessons.helpers import pct, simulate, write_csv
from model.scenarios import load_preset

# ====================================================================== 5. information broker
BROKER_SIZES = (3, 6, 12, 24, 48)
BROKER_ECONOMIES = (0, 1)
"""N of the figure and the stylised economies (``seed_economy``) averaged at each N."""
BROKER_ROUNDS = 10
"""Rounds measured per run in the figure: the first planning period (AllC, no noise: every
round of it has the same welfare)."""


def _broker(n: int, regime: str, seed_economy: int = 0) -> dict:
    net = {"network": "complete"} if n < 20 else {"network": "watts_strogatz", "degree": 6}
    return {
        "mode": "collective",
        "n_countries": n,
        **net,
        "strategies": {"AllC": 1},
        "regime": regime,
        "noise": 0.0,
        "rounds": 40,
        "seed_economy": seed_economy,
    }


_WELFARE = Claim(
    {}, None, "lesson 5 measures welfare (W − W_opt) with AllC governments, not compliance"
)
BROKER_SCENES = (
    Scene("N = 6, no broker", "default", _broker(6, "none"), _WELFARE),
    Scene("N = 6, information broker", "default", _broker(6, "plurilateral"), _WELFARE),
    Scene("N = 48, no broker", "default", _broker(48, "none"), _WELFARE),
    Scene("N = 48, information broker", "default", _broker(48, "plurilateral"), _WELFARE),
)
_SETTINGS = {
    "none": "no broker (noisy national plans)",
    "nash": "best replies, perfect information (Nash)",
    "plurilateral": "information broker",
}


def run_broker(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """W − W_opt over N in the stylised economy (fixed regional markets), everybody following
    its plan: without a broker (each plans from its own noisy view), with best replies under
    perfect information (Nash by best-response dynamics from no investment), and with the
    broker (regime plurilateral: realised welfare, net of its running costs)."""
    from model import optimisation as opt

    progress.start(len(BROKER_SIZES) * len(BROKER_ECONOMIES) * 2)
    rows = []
    for n in BROKER_SIZES:
        for econ_seed in BROKER_ECONOMIES:
            for regime in ("none", "plurilateral"):
                cfg = load_preset("default").replace(**_broker(n, regime, econ_seed))
                model, df = simulate(cfg, seed, rounds=BROKER_ROUNDS)
                w, w_opt = float(df["welfare"].mean()), float(df["optimum"].iloc[-1])
                rows.append(
                    {"n_countries": n, "seed_economy": econ_seed, "setting": regime}
                    | {"welfare": w, "optimum": w_opt, "duplication": df["duplication"].mean()}
                    | {"shortfall": df["shortfall"].mean()}
                )
                progress.step()
            nash = opt.nash_dynamics(model.economy)
            rows.append(
                {"n_countries": n, "seed_economy": econ_seed, "setting": "nash"}
                | {"welfare": nash.welfare, "optimum": w_opt}
                | {"duplication": float(model.economy.duplication(nash.profile))}
                | {"shortfall": float(model.economy.shortfall(nash.profile))}
            )
    data = pd.DataFrame(rows)
    data["gap"] = data["welfare"] - data["optimum"]
    data["relative_gap"] = data["gap"] / data["optimum"].abs()
    means = data.groupby(["setting", "n_countries"])[["gap", "relative_gap"]].mean()

    fig, (left, right) = subplots(1, 2, figsize=(12, 4.4))
    for setting, colour in (
        ("none", "tab:red"),
        ("nash", "tab:orange"),
        ("plurilateral", "tab:green"),
    ):
        m = means.loc[setting]
        left.plot(m.index, m["gap"], marker="o", color=colour, label=_SETTINGS[setting])
        right.plot(
            m.index, 100 * m["relative_gap"], marker="o", color=colour, label=_SETTINGS[setting]
        )
    for ax, what in ((left, "W − W_opt"), (right, "(W − W_opt) / W_opt (%)")):
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xscale("log")
        ax.set_xticks(BROKER_SIZES, [str(n) for n in BROKER_SIZES])
        ax.minorticks_off()
        ax.set(xlabel="number of participants N", ylabel=what)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
    left.set_title("Price of non-coordination", fontsize=10)
    right.set_title("… as a share of the attainable welfare", fontsize=10)
    fig.suptitle(
        f"{lesson.title} (stylised battery/solar economy, mean of {len(BROKER_ECONOMIES)} "
        "economies per N)",
        fontsize=11,
    )
    figure = save_figure(fig, out / f"{lesson.name}.png")
    table = write_csv(data, out / "price_of_non_coordination.csv")

    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        row = data[
            (data["n_countries"] == cfg.n_countries)
            & (data["seed_economy"] == cfg.seed_economy)
            & (data["setting"] == cfg.regime)
        ].iloc[0]
        nash = data[
            (data["n_countries"] == cfg.n_countries)
            & (data["seed_economy"] == cfg.seed_economy)
            & (data["setting"] == "nash")
        ].iloc[0]
        theory_text = (
            f"W_opt = {row['optimum']:.2f}; best replies with perfect information (Nash): "
            f"W − W_opt = {nash['gap']:.2f}"
        )
        if cfg.regime != "none":
            theory_text += (
                f"; the broker's running costs {cfg.coordination_cost * cfg.n_countries:.2f} "
                "a round are part of its gap"
            )
        results.append(
            SceneResult(
                scene.label,
                f"W = {row['welfare']:.2f}, W − W_opt = {row['gap']:.2f} "
                f"({pct(row['relative_gap'])}), {row['duplication']:.1f} duplicated plants, "
                f"shortfall {pct(row['shortfall'])}",
                theory_text,
                {k: float(row[k]) for k in ("welfare", "optimum", "gap", "relative_gap")},
            )
        )
    notes = [
        f"Scenes measured over their first planning period ({BROKER_ROUNDS} rounds), "
        f"economy seed_economy = {BROKER_SCENES[0].overrides['seed_economy']}. Mean relative "
        "gap over N = "
        + ", ".join(str(n) for n in BROKER_SIZES)
        + ": "
        + "; ".join(
            f"{_SETTINGS[s]}: "
            + ", ".join(f"{100 * v:.0f} %" for v in means.loc[s, "relative_gap"])
            for s in ("none", "nash", "plurilateral")
        )
        + "."
    ]
    return LessonResult(lesson, seed, results, [figure], [table], notes)
