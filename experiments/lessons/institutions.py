"""Lessons 6–8, the institution's design in the classroom region: hegemons, the three levels of
coordination and the triple flexibility, with the helpers of these collective comparisons
(replicated runs, means over the whole game, bar charts)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.catalogue.flexibility import SHOCKS as FLEX_SHOCKS
from experiments.figures import save_figure, subplots
from experiments.lessons.core import (
    Claim,
    Lesson,
    LessonResult,
    Progress,
    Scene,
    SceneResult,
)
from experiments.lessons.helpers import pct, simulate

# ====================================================================== collective helpers
REPLICATES = 3
"""Replicates (seeds seed, seed + 1, …) per scene in the collective comparisons."""
MIX = {"TitForTat": 2, "Grim": 1, "AllD": 1}
"""Most governments reciprocate; one in four always goes it alone."""


def _collective_metrics(model: Any, df: pd.DataFrame) -> dict[str, float]:
    """Means over the whole game of a collective run (members who leave early and come back
    count), plus the leader's (largest country's) and the others' mean payoff per round."""
    out = {
        k: float(df[k].mean())
        for k in (
            "welfare",
            "price_of_non_coordination",
            "cooperation",
            "participation",
            "gini",
            "duplication",
            "shortfall",
            "transfers",
        )
    }
    out["optimum"] = float(df["optimum"].iloc[-1])
    pay = model.engine.country_payoffs(total=True)[0] / len(df)
    leader = int(np.argmax(model.economy.sizes))
    out["leader_payoff"] = float(pay[leader])
    out["others_payoff"] = float(np.delete(pay, leader).mean())
    return out


def _replicated(
    lesson: Lesson, seed: int, progress: Progress, replicates: int = REPLICATES
) -> tuple[list[dict[str, float]], list[pd.DataFrame]]:
    """Every scene with seeds seed … seed + replicates − 1 (the same for every scene): mean
    metrics per scene and replicate 0's per-round frame."""
    progress.start(len(lesson.scenes) * replicates)
    means, frames = [], []
    for scene in lesson.scenes:
        cfg = scene.config()
        runs = []
        for r in range(replicates):
            model, df = simulate(cfg, seed + r)
            runs.append(_collective_metrics(model, df))
            if r == 0:
                frames.append(df)
            progress.step()
        means.append({k: float(np.mean([run[k] for run in runs])) for k in runs[0]})
    return means, frames


def _bars(ax: Any, labels: Sequence[str], values: Sequence[float], title: str, **kw: Any) -> None:
    x = np.arange(len(labels))
    ax.bar(x, values, color=kw.pop("color", "tab:blue"), alpha=0.85)
    for xi, v in zip(x, values, strict=True):
        ax.annotate(
            kw.get("fmt", "{:.2f}").format(v),
            (xi, v),
            xytext=(0, 2 if v >= 0 else -10),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, [textwrap.fill(s, 14) for s in labels], fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, axis="y")


# ====================================================================== 6. hegemons
def _hegemon(kind: str) -> dict:
    return {"strategies": MIX, "coordination_cost": 1.0, "hegemon": kind, "rounds": 100}


_MIXED = Claim(
    {},
    None,
    "TitForTat and Grim governments (one in four AllD) follow their partners' history, not "
    "δ*; compliance varies widely across seeds (e.g. 37–100 % with the cooperative hegemon)",
)
HEGEMON_SCENES = (
    Scene("No hegemon", "classroom", _hegemon("none"), _MIXED),
    Scene("Cooperative hegemon", "classroom", _hegemon("cooperative"), _MIXED),
    Scene("Coercive hegemon", "classroom", _hegemon("coercive"), _MIXED),
)
_PEDERSEN = {
    "none": "no leader: a member whose share of the plan does not cover the running costs "
    "(Fenlandia) leaves for two plan revisions",
    "cooperative": "cooperative hegemony (Pedersen 2002): power-sharing — the leader carries "
    "the costs and forgives: everybody stays, payoffs more equal, the leader pays",
    "coercive": "coercive hegemony: compliance through punishment — defectors are fined, "
    "nobody's costs are carried: members still leave, the leader pays nothing",
}


def run_hegemons(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """No, cooperative and coercive hegemon in the classroom with a costly institution:
    long-run means over replicates (the same seeds for every scene)."""
    means, _ = _replicated(lesson, seed, progress)
    labels = [s.label for s in lesson.scenes]
    fig, axes = subplots(1, 4, figsize=(16, 4))
    _bars(axes[0], labels, [m["welfare"] for m in means], "regional welfare W", color="tab:green")
    _bars(axes[1], labels, [m["participation"] for m in means], "participation", fmt="{:.1%}")
    _bars(axes[2], labels, [m["gini"] for m in means], "Gini of payoffs", color="tab:purple")
    x = np.arange(len(labels))
    axes[3].bar(x - 0.2, [m["leader_payoff"] for m in means], 0.4, label="Aldoria (the leader)")
    axes[3].bar(x + 0.2, [m["others_payoff"] for m in means], 0.4, label="the others (mean)")
    axes[3].set_xticks(x, [textwrap.fill(s, 14) for s in labels], fontsize=7)
    axes[3].set_title("payoff per round", fontsize=9)
    axes[3].legend(fontsize=7)
    axes[3].grid(alpha=0.3, axis="y")
    fig.suptitle(
        f"{lesson.title} (classroom, running costs 1.0 per member; means over the game and "
        f"{REPLICATES} runs)",
        fontsize=11,
    )
    figure = save_figure(fig, out / f"{lesson.name}.png")
    results = [
        SceneResult(
            scene.label,
            f"W = {m['welfare']:.2f}, participation {pct(m['participation'])}, Gini "
            f"{m['gini']:.2f}, cooperation {pct(m['cooperation'])}; payoff per round: leader "
            f"{m['leader_payoff']:.2f}, others {m['others_payoff']:.2f}; transfers "
            f"{m['transfers']:.2f}",
            _PEDERSEN[scene.overrides["hegemon"]],
            m,
        )
        for scene, m in zip(lesson.scenes, means, strict=True)
    ]
    return LessonResult(lesson, seed, results, [figure])


# ====================================================================== 7. three levels
def _level(regime: str) -> dict:
    return {"strategies": MIX, "regime": regime, "rounds": 80}


LEVEL_SCENES = (
    Scene("No coordination", "classroom", _level("none"), _MIXED),
    Scene("Plurilateral (ASEAN)", "classroom", _level("plurilateral"), _MIXED),
    Scene("Supranational (EU)", "classroom", _level("supranational"), _MIXED),
    Scene("Minilateral (Airbus)", "classroom", _level("minilateral"), _MIXED),
)
_TABLE2 = {
    "none": "each government plans alone from a noisy view: plans clash",
    "plurilateral": "Table 2: easier to find complementarities; weak enforcement, uncertain "
    "benefits",
    "supranational": "Table 2: the largest potential gains, but high coordination costs, "
    "rigidity and sovereignty costs that erode participation",
    "minilateral": "Table 2: realistic with low trust, but limited benefits among fewer "
    "actors (outsiders go alone)",
}


def run_levels(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """The four regimes in the classroom: long-run welfare, price of non-coordination,
    participation, duplication and shortfall (mean over replicates, the same seeds)."""
    means, _ = _replicated(lesson, seed, progress)
    labels = [s.label for s in lesson.scenes]
    fig, axes = subplots(1, 4, figsize=(16, 4))
    _bars(axes[0], labels, [m["welfare"] for m in means], "regional welfare W", color="tab:green")
    axes[0].axhline(means[0]["optimum"], color="black", ls="--", lw=1, label="optimum W_opt")
    axes[0].legend(fontsize=7, loc="lower left")
    _bars(axes[1], labels, [m["participation"] for m in means], "participation", fmt="{:.1%}")
    _bars(
        axes[2], labels, [m["duplication"] for m in means], "duplicated plants", color="tab:brown"
    )
    _bars(
        axes[3],
        labels,
        [m["shortfall"] for m in means],
        "shortfall (share of needed demand)",
        color="tab:orange",
        fmt="{:.1%}",
    )
    fig.suptitle(f"{lesson.title} (classroom; mean of {REPLICATES} runs, long run)", fontsize=11)
    figure = save_figure(fig, out / f"{lesson.name}.png")
    results = [
        SceneResult(
            scene.label,
            f"W = {m['welfare']:.2f} (W − W_opt = {m['price_of_non_coordination']:.2f}), "
            f"participation {pct(m['participation'])}, {m['duplication']:.1f} duplicated "
            f"plants, shortfall {pct(m['shortfall'])}, cooperation {pct(m['cooperation'])}",
            _TABLE2[scene.overrides["regime"]],
            m,
        )
        for scene, m in zip(lesson.scenes, means, strict=True)
    ]
    return LessonResult(lesson, seed, results, [figure])


# ====================================================================== 8. triple flexibility
FLEX_ROUNDS = 60
SHOCKS: dict[str, dict[str, Any]] = {
    **FLEX_SHOCKS,
    "longitudinal": {**FLEX_SHOCKS["longitudinal"], "strategies": MIX},
}
"""Each flexibility and the shock it answers: the ``flexibility`` experiment's, with this
lesson's mix of rules on the ballot at elections."""
_SHOCK_NAMES = {
    "longitudinal": "elections",
    "directional": "technology shocks",
    "compositional": "a costly institution",
}


def _flex(kind: str, on: bool) -> dict:
    return {"rounds": FLEX_ROUNDS, "initial_trust": 1.0, **SHOCKS[kind], kind: on}


FLEX_SCENES = tuple(
    Scene(
        f"{_SHOCK_NAMES[kind].capitalize()}, {kind} {'on' if on else 'off'}",
        "classroom",
        _flex(kind, on),
        Claim(
            {},
            None,
            "shocks (elections, technology) or an expensive institution change the games "
            "during the run; the lesson compares how long cooperation survives",
        ),
    )
    for kind in SHOCKS
    for on in (False, True)
)


def _survival(cooperation: pd.Series) -> float:
    """First round with cooperation below 1/2 (the rounds played if never: censored)."""
    below = np.flatnonzero(np.asarray(cooperation) < 0.5)
    return float(below[0] + 1 if below.size else len(cooperation))


def run_flexibility(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Each flexibility off and on under its shock, the same seeds (common random numbers: the
    same elections and technology shocks): how long cooperation survives, participation,
    welfare and the plan's gap to the optimum."""
    reps = 2
    progress.start(len(lesson.scenes) * reps)
    fig, axes = subplots(2, len(SHOCKS), figsize=(16, 7.5), sharex=True)
    results = []
    for k, scene in enumerate(lesson.scenes):
        cfg = scene.config()
        kind = list(SHOCKS)[k // 2]
        runs = []
        for r in range(reps):
            _, df = simulate(cfg, seed + r)
            runs.append(
                {
                    "survival": _survival(df["cooperation"]),
                    "cooperation": float(df["cooperation"].mean()),
                    "participation": float(df["participation"].mean()),
                    "welfare": float(df["welfare"].mean()),
                    "plan_gap": float((df["plan_welfare"] - df["optimum"]).mean()),
                }
            )
            if r == 0:
                top, bottom = axes[0, k // 2], axes[1, k // 2]
                colour = "tab:green" if getattr(cfg, kind) else "tab:red"
                state = "on" if getattr(cfg, kind) else "off"
                x = df["round"]
                top.plot(x, df["cooperation"], color=colour, label=f"{state}: cooperation")
                top.plot(
                    x, df["participation"], color=colour, ls=":", label=f"{state}: participation"
                )
                bottom.plot(x, df["welfare"], color=colour, label=f"{state}: welfare W")
                if not getattr(cfg, kind):
                    bottom.plot(
                        x, df["optimum"], color="black", ls="--", lw=1, label="optimum W_opt"
                    )
            progress.step()
        m = {key: float(np.mean([run[key] for run in runs])) for key in runs[0]}
        results.append(
            SceneResult(
                scene.label,
                f"cooperation survives {m['survival']:.0f} of {FLEX_ROUNDS} rounds; "
                f"participation {pct(m['participation'])}, W = {m['welfare']:.2f}, plan − "
                f"W_opt = {m['plan_gap']:.2f} (mean over the game, {reps} runs)",
                _FLEX_THEORY[kind][bool(getattr(cfg, kind))],
                m,
            )
        )
    for top, bottom, kind in zip(axes[0], axes[1], SHOCKS, strict=True):
        top.set_title(f"{kind}: under {_SHOCK_NAMES[kind]}", fontsize=10)
        top.set(ylim=(-0.02, 1.02))
        bottom.set(xlabel="round")
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="lower left")
    axes[0, 0].set_ylabel("share")
    axes[1, 0].set_ylabel("regional welfare W")
    fig.suptitle(f"{lesson.title} (classroom, the same shocks off and on)", fontsize=11)
    figure = save_figure(fig, out / f"{lesson.name}.png")
    return LessonResult(lesson, seed, results, [figure])


_FLEX_THEORY = {
    "longitudinal": {
        False: "a new government leaves the arrangement: elections unravel cooperation",
        True: "a new government renegotiates its share: participation survives elections",
    },
    "directional": {
        False: "the plan stays stale until its next revision: welfare lost after each shock",
        True: "the coordinator re-plans at once: the plan tracks the new optimum",
    },
    "compositional": {
        False: "an unhappy member leaves the whole arrangement",
        True: "an unhappy member opts out of single sector initiatives ('ASEAN minus X') and stays",
    },
}
