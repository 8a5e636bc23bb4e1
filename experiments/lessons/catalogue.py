"""Teaching lessons: nine guided demos from the prisoner's dilemma of industrial policy to
Axelrod's tournament, for ``pacts demo NAME`` and the browser app's lessons panel.

A :class:`Lesson` is a short story (``narrative``, Markdown with its sources), the settings it
compares (``scenes``: a preset plus field overrides, each small enough to play round by round in
the app: N ≤ 50 countries, at most a few hundred rounds) and a runner that plays the scenes, draws
the lesson's figure and sets each scene's measured result next to what theory predicts.

    from experiments.lessons import LESSONS, get_lesson, run_lesson
    lesson = get_lesson("shadow-of-the-future")
    cfg = lesson.config(1)                       # scene 1 as a validated ModelConfig
    run_lesson("shadow-of-the-future", "out/demo/shadow-of-the-future", seed=1)

``run_lesson`` writes into ``out``: the figure(s) (PNG), ``results.csv`` (one row per scene,
with the numbers behind the printed results), the data behind the figure (CSV) and
``lesson.md`` (story, settings, results, figures). Every file is written under a temporary name
and renamed (:func:`experiments.output.atomic_write`), so an interrupted demo leaves no
half-written file. ``play_lesson`` does the same and returns the results themselves (the CLI
prints them).

Decisions recorded here (see each lesson's runner for its own):

* "long run" is the mean over the last half of the rounds; the collective comparisons of
  lessons 6–8 report means over the whole game instead, so that members who leave for a while
  and come back are seen;
* replicates of a scene use seeds ``seed, seed + 1, …`` (the CLI's ``--seed`` is the first);
  a lesson that compares scenes uses the same seeds for every scene (common random numbers);
* the lessons import matplotlib only when they draw, so importing this module (the app does)
  is cheap and does not choose a matplotlib backend.
"""

from __future__ import annotations

import math
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from model import theory
from model.config import CLASSIC_SEVEN, ModelConfig
from model.games import PD, MatrixGame, get_game
from model.scenarios import PRESETS, load_preset

__all__ = [
    "LESSONS",
    "Lesson",
    "LessonResult",
    "Scene",
    "SceneResult",
    "get_lesson",
    "play_lesson",
    "run_lesson",
]

_FIELDS = {f.name for f in fields(ModelConfig)}
MAX_COUNTRIES = 50
"""The most countries a scene may have (every scene must be playable round by round)."""
MAX_ROUNDS = 500
"""The most rounds a scene may have."""


# ====================================================================== the data model
@dataclass(frozen=True)
class Scene:
    """One setting of a lesson: a preset (a name from :data:`model.scenarios.PRESETS`) with some
    :class:`~model.config.ModelConfig` fields overridden. ``label`` is short (it names a button
    in the app), e.g. ``"δ = 0.40 (below δ* = 0.50)"``."""

    label: str
    preset: str = "default"
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ValueError(
                f"scene {self.label!r}: unknown preset {self.preset!r}; "
                f"allowed: {', '.join(PRESETS)}"
            )
        unknown = sorted(set(self.overrides) - _FIELDS)
        if unknown:
            raise ValueError(
                f"scene {self.label!r}: unknown field(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(_FIELDS))}"
            )
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def __hash__(self) -> int:
        return hash((self.label, self.preset, self.settings()))

    def config(self) -> ModelConfig:
        """The preset with the overrides applied (validated: a bad value is a ValueError)."""
        return load_preset(self.preset).replace(**self.overrides)

    def settings(self) -> str:
        """The scene's parameters in one line, e.g. ``preset default; continuation = 0.4``."""
        parts = [f"{k} = {_show(k, v)}" for k, v in self.overrides.items()]
        return f"preset {self.preset}" + ("; " + ", ".join(parts) if parts else "")


def _show(name: str, value: Any) -> str:
    if name == "economy" and isinstance(value, Mapping):
        sectors = [s.get("name", "?") for s in value.get("sector", [])]
        return f"custom ({len(sectors)} sectors: {', '.join(sectors)})" if sectors else "custom"
    if name == "countries" and value is not None:
        return ", ".join(str(c.get("name", "?")) for c in value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {v:g}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    return str(value)


@dataclass(frozen=True)
class SceneResult:
    """What a scene gave (``measured``) next to what theory predicts (``theory``), in words, and
    the numbers behind them (``values``, written to ``results.csv``)."""

    label: str
    measured: str
    theory: str
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass
class LessonResult:
    """A played lesson: per-scene results, the files written, and notes for ``lesson.md``."""

    lesson: Lesson
    seed: int
    scenes: list[SceneResult]
    figures: list[Path]
    tables: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


Runner = Callable[["Lesson", Path, int, "Progress"], LessonResult]


@dataclass(frozen=True)
class Lesson:
    """A guided lesson. ``name`` is the slug of ``pacts demo NAME``; ``narrative`` is Markdown
    (the story, the question, what to try in the app, the sources); ``figure`` says in one
    sentence what the figure shows and what to look for; ``scenes`` are the settings compared
    (the app loads ``scenes[0]`` first); ``summary`` is the one line of ``pacts demo``'s list;
    ``run`` plays the lesson (default: every scene, cooperation over time)."""

    name: str
    title: str
    narrative: str
    figure: str
    scenes: tuple[Scene, ...]
    summary: str = ""
    run: Runner | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenes", tuple(self.scenes))
        if not self.scenes:
            raise ValueError(f"lesson {self.name!r}: give at least one scene")

    def config(self, scene: int = 0) -> ModelConfig:
        """Scene ``scene``'s configuration (a ValueError names the allowed indices)."""
        if isinstance(scene, bool) or not isinstance(scene, int):
            raise ValueError(f"scene = {scene!r}: allowed: an integer 0–{len(self.scenes) - 1}")
        if not 0 <= scene < len(self.scenes):
            raise ValueError(f"scene = {scene}: allowed: 0–{len(self.scenes) - 1}")
        return self.scenes[scene].config()


# ====================================================================== running
class Progress:
    """Counts a lesson's runs; a tqdm bar on stderr appears once the lesson has taken more than
    two seconds (``enabled=False``: silent)."""

    def __init__(self, enabled: bool = False, desc: str = ""):
        self.enabled, self.desc = enabled, desc
        self._bar: Any = None

    def start(self, total: int) -> None:
        if self.enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, desc=self.desc, delay=2.0, leave=False, file=sys.stderr, unit="run"
            )

    def step(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _simulate(cfg: ModelConfig, seed: int, rounds: int | None = None):
    """Play a scene with the Mesa model (as the app does); returns (model, per-round frame)."""
    from model.region import RegionModel

    model = RegionModel(cfg, seed=seed)
    model.run(cfg.rounds if rounds is None else rounds)
    return model, model.datacollector.get_model_vars_dataframe()


def _tail(series: pd.Series | np.ndarray, share: float = 0.5) -> float:
    """Mean over the last ``share`` of the rounds (the "long run")."""
    x = np.asarray(series, float)
    return float(x[-max(1, math.ceil(share * len(x))) :].mean())


def _class_name(game_class: str) -> str:
    """``prisoners_dilemma`` → ``prisoner's dilemma``."""
    return game_class.replace("prisoners_", "prisoner's_").replace("_", " ")


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _pairwise_cooperation(cfg: ModelConfig, seed: int, replicates: int = 1) -> np.ndarray:
    """Per-round cooperation (rounds, R) of a pairwise config on the vectorised engine."""
    from model.engine import PairwiseEngine

    return PairwiseEngine(cfg, seed, replicates=replicates).run().record().cooperation


def _figures():
    from experiments import figures  # selects the headless Agg backend

    return figures


def _plt():
    """matplotlib.pyplot, after :mod:`experiments.figures` has chosen the Agg backend."""
    _figures()
    import matplotlib.pyplot as plt

    return plt


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    from experiments.output import atomic_write

    return atomic_write(path, lambda p: frame.to_csv(p, index=False))


# ---------------------------------------------------------------------- generic runner
def _run_generic(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Every scene once: long-run cooperation; figure: cooperation over the rounds."""
    plt = _plt()
    progress.start(len(lesson.scenes))
    fig, ax = plt.subplots(figsize=(8, 4))
    results = []
    for scene in lesson.scenes:
        _, df = _simulate(scene.config(), seed)
        coop = _tail(df["cooperation"])
        ax.plot(df["round"], df["cooperation"], label=scene.label)
        results.append(
            SceneResult(
                scene.label, f"long-run cooperation {_pct(coop)}", "—", {"cooperation": coop}
            )
        )
        progress.step()
    ax.set(xlabel="round", ylabel="cooperation (share of C moves)", ylim=(-0.02, 1.02))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(lesson.title, fontsize=11)
    path = _figures().save_figure(fig, out / f"{lesson.name}.png")
    return LessonResult(lesson, seed, results, [path])


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

PD_SCENES = (
    Scene(
        "Two neighbours go it alone",
        "classroom",
        {**TWIN, "strategies": {"AllD": 1}, "regime": "none"},
    ),
    Scene("Two neighbours follow the plan", "classroom", {**TWIN, "strategies": {"AllC": 1}}),
    Scene(
        "Classroom region goes it alone",
        "classroom",
        {"strategies": {"AllD": 1}, "regime": "none", "rounds": 40, "initial_trust": 1.0},
    ),
    Scene(
        "Classroom region follows the plan",
        "classroom",
        {"strategies": {"AllC": 1}, "rounds": 40, "initial_trust": 1.0},
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
    return model.economy.countries, opt.implied_games(e.economies[0], e.plan[0], e.deviation[0])


def _run_prisoners_dilemma(lesson: Lesson, out: Path, seed: int, progress: Progress):
    """Both economies going alone (AllD, no coordinator) and following the plan (AllC,
    plurilateral): welfare, duplication, shortfall; theory: everybody alone earns Σ P_i, the
    plan Σ R_i minus the coordinator's running costs (R, P of the implied games)."""
    plt = _plt()
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
        model, df = _simulate(cfg, seed)
        e = model.engine
        economy = "two neighbours" if k < 2 else "classroom"
        g = games[economy]
        w = _tail(df["welfare"])
        values = {
            "welfare": w,
            "optimum": float(df["optimum"].iloc[-1]),
            "price_of_non_coordination": _tail(df["price_of_non_coordination"]),
            "duplication": _tail(df["duplication"]),
            "shortfall": _tail(df["shortfall"]),
            "cooperation": _tail(df["cooperation"]),
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
            f"{n} × {_class_name(c)}" for c, n in pd.Series(g.classes).value_counts().items()
        )
        results.append(
            SceneResult(
                scene.label,
                f"W = {w:.2f} (W_opt = {values['optimum']:.2f}), {values['duplication']:.0f} "
                f"duplicated plants, shortfall {_pct(values['shortfall'])}; implied games: "
                f"{classes}",
                theory_text,
                values,
            )
        )
        bars.append((scene.label, w, values["optimum"], values["duplication"]))
        progress.step()

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), width_ratios=(1, 1.25))
    g = games["two neighbours"]
    cells = [[(g.R[0], g.R[1]), (g.S[0], g.T[1])], [(g.T[0], g.S[1]), (g.P[0], g.P[1])]]
    shade = [["#d9f2d9", "white"], ["white", "#f7d4d4"]]
    for i in range(2):
        for j in range(2):
            a, b = cells[i][j]
            left.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fc=shade[i][j], ec="0.6"))
            left.text(j, i, f"{a:.2f} , {b:.2f}", ha="center", va="center", fontsize=11)
    left.text(0, 0.3, "the plan (optimum)", ha="center", color="tab:green", fontsize=8)
    left.text(1, 1.3, "Nash equilibrium", ha="center", color="tab:red", fontsize=8)
    left.set(xlim=(-0.5, 1.5), ylim=(1.5, -0.5), aspect="equal")
    left.set_xticks([0, 1], ["Sudland follows\nthe plan (C)", "Sudland goes\nalone (D)"])
    left.set_yticks([0, 1], ["Norland follows\nthe plan (C)", "Norland goes\nalone (D)"])
    left.set_title(
        f"Payoffs (Norland, Sudland): {_class_name(g.classes[0])}\n"
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    games_csv = _write_csv(table, out / "implied_games.csv")
    progress.step()
    cls = games["classroom"].classes
    note = (
        "The classroom's implied games under the plan: "
        + ", ".join(
            f"{n} {_class_name(c)}" for n, c in zip(names_by["classroom"], cls, strict=True)
        )
        + ". Only where going alone tempts against followers (T > R) is it a prisoner's "
        "dilemma; for most classroom countries the plan's complementarities make following it "
        "the best reply whatever the others do (harmony) — the harder problem is to obtain and "
        "trust the plan (lessons 2 and 5)."
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
    return f"{name}: {_pct(share)} join ({side} p* = {p:.2f})"


STAG_SCENES = (
    Scene(_stag_label(STAG, 0.85, "Stag hunt"), "default", _stag_overrides(STAG, 0.85)),
    Scene(_stag_label(STAG, 0.60, "Stag hunt"), "default", _stag_overrides(STAG, 0.60)),
    Scene(
        _stag_label(ASSURED_STAG, 0.60, "Assured stag hunt"),
        "default",
        _stag_overrides(ASSURED_STAG, 0.60),
    ),
)
STAG_SHARES = tuple(round(0.3 + 0.05 * k, 2) for k in range(14))
"""Initial shares of joiners (AllC) for the basin-of-attraction panel: 0.30, 0.35, …, 0.95."""


def _run_stag_hunt(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Imitation dynamics from several initial shares of joiners (AllC) in two stag hunts; the
    final share against the initial one shows the basins of attraction, split at
    p* = 1 − basin (:func:`model.theory.stag_hunt_basin`)."""
    plt = _plt()
    games = {"stag hunt (3, 4, 3, 0)": STAG, "assured stag hunt (3, 6, 2, 0)": ASSURED_STAG}
    progress.start(len(lesson.scenes) + len(games) * len(STAG_SHARES))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        game = cfg.matrix_game
        share = cfg.strategies["AllC"] / sum(cfg.strategies.values())
        _, df = _simulate(cfg, seed)
        final = float(df["cooperation"].iloc[-1])
        p = _threshold(game)
        left.plot(df["round"], df["cooperation"], label=scene.label)
        wins = share > p
        results.append(
            SceneResult(
                scene.label,
                f"share of joiners {_pct(share)} → {_pct(final)} after {len(df)} rounds",
                f"{'joining' if wins else 'going alone'} takes over ({_pct(share)} "
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
            final = float(_pairwise_cooperation(cfg, seed)[-1, 0])
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    basin = _write_csv(pd.DataFrame(rows), out / "basins.csv")
    return LessonResult(lesson, seed, results, [figure], [basin])


# ====================================================================== 3. shadow of the future
DELTA_STAR = theory.critical_deltas(PD)["Grim"]
"""Grim's (and a forward-looking government's) critical δ in Axelrod's PD: (T−R)/(T−P) = 0.5."""


def _shadow_overrides(delta: float, **extra: Any) -> dict:
    return {
        "n_countries": 12,
        "network": "complete",
        "game": "prisoners_dilemma",
        "strategies": {"Calculating": 1},
        "rounds": 100,
        "noise": 0.0,
        "continuation": delta,
        **extra,
    }


def _delta_label(delta: float, delay: int = 0, error: float = 0.0) -> str:
    star = theory.critical_deltas(PD, delay, error)["Grim"]
    side = "below" if delta < star else "above"
    return f"δ = {delta:.2f} ({side} δ* = {star:.2f})"


SHADOW_SCENES = (
    Scene(_delta_label(0.40), "default", _shadow_overrides(0.40)),
    Scene(_delta_label(0.60), "default", _shadow_overrides(0.60)),
    Scene(
        "δ = 0.60, irregular stakes (σ = 1)", "default", _shadow_overrides(0.60, stake_sigma=1.0)
    ),
)
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


def _run_shadow(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """The scenes, and long-run cooperation of forward-looking governments over a grid of δ
    with regular stakes (one run: the rule is deterministic) and with irregular stakes σ = 1
    (mean of 8 replicates), against the analytic δ*."""
    plt = _plt()
    progress.start(len(lesson.scenes) + 2 * len(DELTA_GRID))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        _, df = _simulate(cfg, seed)
        coop = _tail(df["cooperation"])
        star = theory.critical_deltas(cfg.matrix_game, cfg.observation_delay)["Grim"]
        values = {"continuation": cfg.continuation, "delta_star": star, "cooperation": coop}
        if cfg.stake_sigma > 0:
            s_star = tempting_stake(cfg.matrix_game, cfg.continuation)
            p = lognormal_tail(s_star, cfg.stake_sigma)
            what = (
                f"a stake above {s_star:.2f}× the mean tempts everyone at once "
                f"(probability {_pct(p)} a round, first after about {1 / p:.0f} rounds); then "
                "punishment for ever → cooperation collapses"
            )
            values.update(tempting_stake=s_star, tempting_probability=p)
        elif cfg.continuation >= star:
            what = f"δ ≥ δ* = {star:.2f}: cooperation is sustainable → 100 %"
        else:
            what = f"δ < δ* = {star:.2f}: cooperation is not sustainable → 0 %"
        first = float(df["cooperation"].iloc[0])
        results.append(
            SceneResult(
                scene.label,
                f"cooperation {_pct(first)} in round 1, long run {_pct(coop)}",
                what,
                values,
            )
        )
        right.plot(df["round"], df["cooperation"], label=scene.label)
        progress.step()
    rows = []
    for sigma, reps in ((0.0, 1), (1.0, 8)):
        coop = []
        for delta in DELTA_GRID:
            cfg = load_preset("default").replace(**_shadow_overrides(delta, stake_sigma=sigma))
            c = _pairwise_cooperation(cfg, seed, reps)
            coop.append(float(c[c.shape[0] // 2 :].mean()))
            rows.append({"stake_sigma": sigma, "continuation": delta, "cooperation": coop[-1]})
            progress.step()
        left.plot(
            DELTA_GRID,
            coop,
            marker="o",
            ms=3,
            label="regular stakes" if sigma == 0 else f"irregular stakes σ = {sigma:g}",
        )
    left.axvline(DELTA_STAR, color="black", ls="--", lw=1)
    left.text(DELTA_STAR, 0.5, f" δ* = {DELTA_STAR:.2f}\n (T−R)/(T−P)", fontsize=8)
    left.set(
        xlabel="shadow of the future δ",
        ylabel="long-run cooperation",
        ylim=(-0.02, 1.02),
    )
    left.legend(fontsize=8, loc="upper left")
    left.grid(alpha=0.3)
    left.set_title("Twelve forward-looking governments, Axelrod's PD", fontsize=10)
    right.set(xlabel="round", ylabel="cooperation (share of C moves)", ylim=(-0.02, 1.02))
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    right.set_title("The scenes, round by round", fontsize=10)
    fig.suptitle(lesson.title, fontsize=11)
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    data = _write_csv(pd.DataFrame(rows), out / "cooperation_by_delta.csv")
    return LessonResult(lesson, seed, results, [figure], [data])


# ====================================================================== 4. noise and feedback
NOISE = 0.05


def _noisy(strategy: str) -> dict:
    return {
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
        "observation_error": 0.2,
        "transparency": transparency,
        "rounds": 100,
    }


NOISE_SCENES = (
    Scene("TitForTat, 5 % noise: the echo", "default", _noisy("TitForTat")),
    Scene("Generous TFT, 5 % noise", "default", _noisy("GenerousTitForTat")),
    Scene("Win-stay lose-shift, 5 % noise", "default", _noisy("WinStayLoseShift")),
    Scene(
        f"δ = 0.60, news 1 round late (δ* = {theory.critical_deltas(PD, delay=1)['Grim']:.2f})",
        "default",
        _shadow_overrides(0.60, observation_delay=1),
    ),
    Scene("Misreading 20 %, no transparency", "classroom", _misread(0.0)),
    Scene("Misreading 20 %, transparent broker", "classroom", _misread(0.9)),
)


def tft_echo_payoff(game: MatrixGame) -> float:
    """Long-run payoff of TFT against TFT under small noise: (R + S + T + P)/4 (Molander 1985)."""
    return (game.R + game.S + game.T + game.P) / 4


def wsls_mutual_cooperation(e: float) -> float:
    """Long-run share of mutual cooperation between two WSLS players whose moves are flipped with
    probability e: (1 − e)(1 − 3e + 4e²) (Nowak & Sigmund 1993)."""
    return (1 - e) * (1 - 3 * e + 4 * e**2)


def _run_noise(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Noise repair (TFT, GTFT, WSLS under implementation noise, against the closed forms),
    slow feedback (forward-looking governments over δ for delays d = 0, 1, 2 against
    δ*(d)), and the coordinator's transparency in the classroom (TFT members misreading 20 %)."""
    plt = _plt()
    delays = (0, 1, 2)
    progress.start(len(lesson.scenes) + len(delays) * len(DELTA_GRID))
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.4))
    results = []
    for scene in lesson.scenes:
        cfg = scene.config()
        _, df = _simulate(cfg, seed)
        coop, mutual = _tail(df["cooperation"]), _tail(df["mutual_cooperation"])
        values = {"cooperation": coop, "mutual_cooperation": mutual}
        rule = next(iter(cfg.strategies))
        if cfg.mode == "collective":
            values["welfare"] = _tail(df["welfare"])
            eps = cfg.observation_error * (1 - cfg.transparency)
            measured = f"long-run cooperation {_pct(coop)}, W = {values['welfare']:.1f}"
            what = (
                f"members misread each other with ε(1 − τ) = {eps:.2f}; every misreading "
                "sets off a TFT echo, and a country follows the plan only while most of its "
                "partners' rules say C"
            )
            axes[2].plot(df["round"], df["cooperation"], label=scene.label)
        elif rule == "Calculating":
            star = theory.critical_deltas(cfg.matrix_game, cfg.observation_delay)["Grim"]
            values["delta_star"] = star
            measured = f"long-run cooperation {_pct(coop)}"
            what = (
                f"δ^(d+1) = {cfg.continuation ** (cfg.observation_delay + 1):.2f} < "
                f"(T−R)/(T−P) = {DELTA_STAR:.2f}: δ = {cfg.continuation:g} < δ*(d = "
                f"{cfg.observation_delay}) = {star:.2f} → no cooperation"
            )
        else:
            payoff = _tail(df["mean_payoff"])
            values["payoff"] = payoff
            measured = (
                f"cooperation {_pct(coop)}, mutual cooperation {_pct(mutual)}, payoff "
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
                    f"{_pct(wsls_mutual_cooperation(cfg.noise))} (e = {cfg.noise:g})"
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
            c = _pairwise_cooperation(cfg, seed)
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    data = _write_csv(pd.DataFrame(rows), out / "cooperation_by_delay.csv")
    return LessonResult(lesson, seed, results, [figure], [data])


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


BROKER_SCENES = (
    Scene("N = 6, no broker", "default", _broker(6, "none")),
    Scene("N = 6, information broker", "default", _broker(6, "plurilateral")),
    Scene("N = 48, no broker", "default", _broker(48, "none")),
    Scene("N = 48, information broker", "default", _broker(48, "plurilateral")),
)
_SETTINGS = {
    "none": "no broker (noisy national plans)",
    "nash": "best replies, perfect information (Nash)",
    "plurilateral": "information broker",
}


def _run_broker(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """W − W_opt over N in the stylised economy (fixed regional markets), everybody following
    its plan: without a broker (each plans from its own noisy view), with best replies under
    perfect information (Nash by best-response dynamics from no investment), and with the
    broker (regime plurilateral: realised welfare, net of its running costs)."""
    plt = _plt()
    from model import optimisation as opt

    progress.start(len(BROKER_SIZES) * len(BROKER_ECONOMIES) * 2)
    rows = []
    for n in BROKER_SIZES:
        for econ_seed in BROKER_ECONOMIES:
            for regime in ("none", "plurilateral"):
                cfg = load_preset("default").replace(**_broker(n, regime, econ_seed))
                model, df = _simulate(cfg, seed, rounds=BROKER_ROUNDS)
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

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    table = _write_csv(data, out / "price_of_non_coordination.csv")

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
                f"({_pct(row['relative_gap'])}), {row['duplication']:.1f} duplicated plants, "
                f"shortfall {_pct(row['shortfall'])}",
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
            model, df = _simulate(cfg, seed + r)
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


HEGEMON_SCENES = (
    Scene("No hegemon", "classroom", _hegemon("none")),
    Scene("Cooperative hegemon", "classroom", _hegemon("cooperative")),
    Scene("Coercive hegemon", "classroom", _hegemon("coercive")),
)
_PEDERSEN = {
    "none": "no leader: a member whose share of the plan does not cover the running costs "
    "(Fenlandia) leaves for two plan revisions",
    "cooperative": "cooperative hegemony (Pedersen 2002): power-sharing — the leader carries "
    "the costs and forgives: everybody stays, payoffs more equal, the leader pays",
    "coercive": "coercive hegemony: compliance through punishment — defectors are fined, "
    "nobody's costs are carried: members still leave, the leader pays nothing",
}


def _run_hegemons(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """No, cooperative and coercive hegemon in the classroom with a costly institution:
    long-run means over replicates (the same seeds for every scene)."""
    plt = _plt()
    means, _ = _replicated(lesson, seed, progress)
    labels = [s.label for s in lesson.scenes]
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    results = [
        SceneResult(
            scene.label,
            f"W = {m['welfare']:.2f}, participation {_pct(m['participation'])}, Gini "
            f"{m['gini']:.2f}, cooperation {_pct(m['cooperation'])}; payoff per round: leader "
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
    Scene("No coordination", "classroom", _level("none")),
    Scene("Plurilateral (ASEAN)", "classroom", _level("plurilateral")),
    Scene("Supranational (EU)", "classroom", _level("supranational")),
    Scene("Minilateral (Airbus)", "classroom", _level("minilateral")),
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


def _run_levels(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """The four regimes in the classroom: long-run welfare, price of non-coordination,
    participation, duplication and shortfall (mean over replicates, the same seeds)."""
    plt = _plt()
    means, _ = _replicated(lesson, seed, progress)
    labels = [s.label for s in lesson.scenes]
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
    results = [
        SceneResult(
            scene.label,
            f"W = {m['welfare']:.2f} (W − W_opt = {m['price_of_non_coordination']:.2f}), "
            f"participation {_pct(m['participation'])}, {m['duplication']:.1f} duplicated "
            f"plants, shortfall {_pct(m['shortfall'])}, cooperation {_pct(m['cooperation'])}",
            _TABLE2[scene.overrides["regime"]],
            m,
        )
        for scene, m in zip(lesson.scenes, means, strict=True)
    ]
    return LessonResult(lesson, seed, results, [figure])


# ====================================================================== 8. triple flexibility
FLEX_ROUNDS = 60
SHOCKS: dict[str, dict[str, Any]] = {
    "longitudinal": {"election_rate": 0.03, "strategies": MIX},
    "directional": {
        "tech_shock_rate": 0.1,
        "tech_shock_sigma": 1.0,
        "replan_interval": 30,
        "strategies": {"TitForTat": 1},
    },
    "compositional": {"coordination_cost": 1.0},
}
"""Each flexibility and the shock it answers (as in the ``flexibility`` experiment)."""
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
    )
    for kind in SHOCKS
    for on in (False, True)
)


def _survival(cooperation: pd.Series) -> float:
    """First round with cooperation below 1/2 (the rounds played if never: censored)."""
    below = np.flatnonzero(np.asarray(cooperation) < 0.5)
    return float(below[0] + 1 if below.size else len(cooperation))


def _run_flexibility(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Each flexibility off and on under its shock, the same seeds (common random numbers: the
    same elections and technology shocks): how long cooperation survives, participation,
    welfare and the plan's gap to the optimum."""
    plt = _plt()
    reps = 2
    progress.start(len(lesson.scenes) * reps)
    fig, axes = plt.subplots(2, len(SHOCKS), figsize=(16, 7.5), sharex=True)
    results = []
    for k, scene in enumerate(lesson.scenes):
        cfg = scene.config()
        kind = list(SHOCKS)[k // 2]
        runs = []
        for r in range(reps):
            _, df = _simulate(cfg, seed + r)
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
                f"participation {_pct(m['participation'])}, W = {m['welfare']:.2f}, plan − "
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
    figure = _figures().save_figure(fig, out / f"{lesson.name}.png")
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


# ====================================================================== 9. tournament
TOURNAMENT_RULES = (*CLASSIC_SEVEN, "GenerousTitForTat")
RECIPROCAL = ("TitForTat", "GenerousTitForTat", "TitForTwoTats", "WinStayLoseShift", "Grim")

TOURNAMENT_SCENES = (
    Scene("The seven classics, small world", "default", {}),
    Scene("The seven classics, 5 % noise", "default", {"noise": 0.05}),
    Scene(
        "Ecological: imitation on a 7 × 7 torus",
        "default",
        {
            "n_countries": 49,
            "network": "lattice",
            "evolution": "imitation",
            "evolution_rate": 0.2,
            "noise": 0.02,
            "rounds": 300,
        },
    ),
)


def _run_tournament(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Axelrod's round robin (every rule meets every other and itself, 200 rounds × 5
    repetitions) without and with 5 % noise, plus the scenes on a network."""
    from agents.country import CountryAgent
    from experiments.matches import tournament

    figures_mod = _figures()
    progress.start(2 + len(lesson.scenes))
    figures, tables, notes = [], [], []
    for noise, suffix in ((0.0, ""), (0.05, "_noise")):
        table = tournament(
            list(TOURNAMENT_RULES), rounds=200, repetitions=5, noise=noise, seed=seed
        )
        title = f"Round robin, 200 rounds × 5, noise {noise:g}"
        figures.append(figures_mod.tournament_figure(table, out / f"tournament{suffix}.png", title))
        tables.append(_write_csv(table.reset_index(), out / f"tournament{suffix}.csv"))
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
        model, df = _simulate(cfg, seed)
        countries = model.agents_by_type[CountryAgent]
        frame = pd.DataFrame(
            {
                "strategy": countries.get("strategy"),
                "payoff": np.asarray(countries.get("total_payoff"), float)
                / np.maximum(np.asarray(countries.get("degree"), float), 1)
                / len(df),
            }
        )
        coop = _tail(df["cooperation"])
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
                f"long-run cooperation {_pct(coop)}; final shares "
                + ", ".join(f"{k} {_pct(v)}" for k, v in top if v > 0)
                + f"; AllD {_pct(shares.get('AllD', 0.0))}"
            )
            what = "AllD prospers only while it has victims; reciprocal rules spread"
        else:
            by = frame.groupby("strategy")["payoff"].mean().sort_values(ascending=False)
            values.update({f"payoff_{k}": float(v) for k, v in by.items()})
            measured = (
                f"long-run cooperation {_pct(coop)}; payoff per partner a round: "
                + ", ".join(f"{k} {v:.2f}" for k, v in by.items())
            )
            what = (
                "on a network each country meets only its neighbours: rankings depend on who "
                "sits next to whom (one or two countries per rule here)"
            )
        results.append(SceneResult(scene.label, measured, what, values))
        progress.step()
    return LessonResult(lesson, seed, results, figures, tables, notes)


# ====================================================================== the lessons
LESSONS: dict[str, Lesson] = {
    lesson.name: lesson
    for lesson in (
        Lesson(
            name="prisoners-dilemma",
            title="1. The prisoner's dilemma of regional industrial policy",
            summary="each government's best reply is its own battery plant; all of them "
            "going alone duplicates plants and lowers welfare",
            narrative="""\
Two neighbours, Norland and Sudland, both want a battery industry. Norland is better at making
cells, Sudland at assembling packs. A regional plan would give each the stage it is good at —
but whatever its neighbour does, each government earns more by building **both** plants
itself. When both reason this way they duplicate each other's plants, share the same small
market at a lower price, and end up poorer than under the plan. This is a **prisoner's
dilemma** (Rapoport & Chammah 1965; Axelrod 1984) and the paper's *fallacy of composition*
(Albertone & Lebdioui, §1 and §2.4): individually rational industrial policies, collectively
self-defeating.

Pacts computes the 2×2 game each country faces under the plan: R = everybody follows it,
T = I go alone while the others follow, P = everybody goes alone, S = I follow alone. For the
two neighbours T > R > P > S. The classroom preset scales the story up to six countries and two
supply chains: going alone duplicates plants *and* leaves links of the chain missing
(shortfall).

**Try in the app:** load a scene and switch the strategies between AllD (go alone) and AllC
(follow the plan); watch welfare W against the optimum W_opt and the duplicated plants. Then
give the neighbours Grim or TitForTat: can they keep the plan without a referee? (Lesson 3.)""",
            figure="The two neighbours' payoff matrix (a prisoner's dilemma: going alone is the "
            "best reply to anything, yet both going alone is worse than both following the "
            "plan) and regional welfare when everybody goes alone or follows the plan: "
            "duplicated plants and a large gap to the optimum W_opt without the plan.",
            scenes=PD_SCENES,
            run=_run_prisoners_dilemma,
        ),
        Lesson(
            name="stag-hunt",
            title="2. The stag hunt: coordination as the objective reality",
            summary="joint projects pay everyone more, but only if enough others join: "
            "trust, risk dominance and basins of attraction",
            narrative="""\
The paper's twist (§2.4): countries *behave* as if in a prisoner's dilemma, but the objective
reality more closely resembles a **stag hunt**. Markets are too small and capabilities too
limited for anyone to build a competitive value chain alone, so a joint project pays each
participant more than going alone (R > T) — yet it is worth joining only if the others join
too. Mutual cooperation is then an equilibrium; the problem is not temptation but trust, or
*assurance* (Skyrms 2004). (Lesson 1 found something similar in the classroom economy: under
the broker's plan five of its six countries face a harmony game, not a prisoner's dilemma.)

Here 40 countries meet pairwise in Skyrms's stag hunt (T, R, P, S) = (3, 4, 3, 0) and imitate
better-scoring partners. Joining (C) is the best reply only if at least p* = 0.75 of the others
join; going alone (D) is **risk dominant** (R − T < P − S; Harsanyi & Selten 1988) and its basin
of attraction is three times as wide. Start above p* and joiners take over; start below and
they die out, although everybody would be better off together. A broker that raises the joint
project's reward (R: 4 → 6) and lowers what two isolated projects earn (P: 3 → 2) cuts p* to
0.40 and makes joining risk dominant.

**Try in the app:** move the AllC/AllD shares around p*; edit the game's payoffs; switch
evolution off and see that nothing moves without imitation.""",
            figure="Left: the share of joiners over time in the three scenes; right: the final "
            "share against the initial share in both stag hunts — a jump at p* = 1 − basin, "
            "the border between the basins of attraction, which the broker moves from 0.75 to "
            "0.40.",
            scenes=STAG_SCENES,
            run=_run_stag_hunt,
        ),
        Lesson(
            name="shadow-of-the-future",
            title="3. The shadow of the future",
            summary="forward-looking governments cooperate iff δ ≥ δ* = (T−R)/(T−P); irregular "
            "stakes break it",
            narrative="""\
Cooperation in a *repeated* prisoner's dilemma can be rational when the future weighs enough
(the folk theorem: Friedman 1971; Axelrod 1984). A government compares today's temptation
T − R with the stream of rewards R − P it loses once its partners punish it, discounted by δ,
the **shadow of the future** (how much the next round counts, or the chance that the
relationship goes on). Cooperation is sustainable iff δ ≥ δ* = (T − R)/(T − P): 0.50 in
Axelrod's game (5, 3, 1, 0) — Tit-for-Tat needs δ ≥ 0.67 to be collectively stable.

Twelve forward-looking governments (strategy *Calculating*) make exactly this test every
round. Axelrod & Keohane (1985) name what lengthens the shadow: long time horizons, **regularity
of stakes**, reliable information and quick feedback (the last two: lesson 4). The third scene
keeps δ = 0.60 but makes the stakes irregular (lognormal, σ = 1): a round whose stake is more
than 1.5 times the mean makes defection pay, and once a government defects its partners punish
it — one large prize ends cooperation. The paper's councils, meeting regularly on many sectors
at once (§4.3), are a way to keep the stakes regular.

**Try in the app:** move δ across 0.50; raise the stake spread σ; add an observation delay d
and see cooperation vanish at δ = 0.60.""",
            figure="Left: long-run cooperation of forward-looking governments against δ — a "
            "step at the analytic δ* = 0.50 with regular stakes, and a collapse with irregular "
            "stakes unless δ is very high; right: the scenes round by round.",
            scenes=SHADOW_SCENES,
            run=_run_shadow,
        ),
        Lesson(
            name="noise-and-feedback",
            title="4. Noise and feedback: echoes, forgiveness and transparency",
            summary="TFT's echo under noise, generous TFT and WSLS repair it; late or "
            "unreliable news raises δ*; a transparent broker helps",
            narrative="""\
Governments misread each other, and their administrations slip. Under such noise Tit-for-Tat
suffers an **echo**: one accidental defection is answered, the answer answered, and two TFT
players fall into alternating retaliation, earning only (R + S + T + P)/4 in the long run
(Molander 1985). Two repairs: **Generous TFT** forgives a defection with probability q = 1/3
(Nowak & Sigmund 1992), and **Win-Stay, Lose-Shift** returns to mutual cooperation after a
single round of mutual defection (Nowak & Sigmund 1993).

Axelrod & Keohane's (1985) other two factors — **reliable information** and **quick feedback**
— move the threshold itself. If a defection is seen d rounds late, the defector enjoys d + 1
rounds of temptation: cooperation needs δ^(d+1) ≥ (T − R)/(T − P), so δ* = 0.71 for d = 1
instead of 0.50. False alarms at rate ε raise it to (T − R)/((1 − ε)(T − P)) (Green & Porter
1984).

The paper's coordinating body is first of all a producer of information (§4.2–4.3): council
meetings make members' actions visible. In Pacts its **transparency** τ cuts the misreading
between members to ε(1 − τ) and the delay to ⌊d(1 − τ)⌋. The last two scenes compare a
classroom region of TFT governments that misread each other 20 % of the time, without and with
a transparent broker.

**Try in the app:** raise the noise with TitForTat, then switch to GenerousTitForTat or
WinStayLoseShift; move transparency; raise the observation delay.""",
            figure="Left: mutual cooperation under 5 % noise — TFT's echo at the predicted 1/4, "
            "WSLS at (1−e)(1−3e+4e²), GTFT high; middle: forward-looking governments need a "
            "longer shadow when news comes late (δ*(d) = 0.50, 0.71, 0.79); right: a "
            "transparent broker keeps misreading TFT governments on the plan.",
            scenes=NOISE_SCENES,
            run=_run_noise,
        ),
        Lesson(
            name="information-broker",
            title="5. The information broker and the price of non-coordination",
            summary="W − W_opt by N without a coordinator, with perfect-information best "
            "replies, and with Wang's information broker",
            narrative="""\
Without a coordinator every government plans from its own imperfect view of the regional
market and of its neighbours' capabilities; the plans clash — duplicated plants here, missing
links there. The paper (§4.2) proposes, after Wang (2015, 2017), a coordinating body that
works as an **information broker**: each member submits its M best feasible portfolios, and
the broker picks one per member to maximise regional welfare, forcing nobody. The **price of
non-coordination** is W − W_opt, realised welfare minus the optimum (≤ 0, the paper's sign).

The figure varies the number of participants N in the stylised battery/solar economy (fixed
regional markets: more countries compete for the same markets). Without a broker the region
loses a large share of the attainable welfare at every N — a tenth to four fifths, depending on
how the governments misjudge each other (try other seeds). Perfect information alone does not
save it: best replies (the Nash equilibrium) nearly reach the optimum among three countries
but duplicate more and more as N grows, losing two thirds at N = 48. The broker stays within a
tenth to a fifth of the optimum at every N, its own running costs (0.05 per member a round)
included: the more participants, the more it is worth. Wang's *vanishing* relative gap
concerns the optimisation itself (`pacts sweep price-of-anarchy`).

**Try in the app:** switch regime between none and plurilateral; raise information_noise;
compare N = 6 and N = 48.""",
            figure="The price of non-coordination W − W_opt (left) and as a share of W_opt "
            "(right) against N: large without a broker, growing with N under perfect-information "
            "best replies (Nash), and small at every N with the broker.",
            scenes=BROKER_SCENES,
            run=_run_broker,
        ),
        Lesson(
            name="hegemons",
            title="6. Hegemons: cooperative and coercive leadership",
            summary="a large country that carries the costs and forgives, or one that "
            "punishes: participation, equality and who pays (Pedersen 2002)",
            narrative="""\
Regions with a dominant power can cooperate: institutionalisation has often succeeded where one
big state took the initiative (Pedersen 2002). Pedersen calls it **cooperative hegemony**:
power-sharing with smaller states, power aggregation, and commitment to a long-term regional
strategy. The paper (§4.1) reads China's role in East Asian supply chains in this light, and
finds regional coordination in Latin America hard to conceive without Brazil's leadership. The
opposite is a **coercive** hegemon that punishes every defection (on the limits of hegemonic
stability: Keohane 1984; Snidal 1985).

The classroom region has one large economy, Aldoria (40 % of GDP). Here the institution is
expensive — running costs of 1.0 per member a round — enough to make the smallest member,
Fenlandia, to which the plan assigns no plant, better off outside; and one government in four
always goes it alone (AllD). A **cooperative hegemon** carries everybody's running costs,
forgives, and pays side payments from its budget when the plan leaves a member below its
outside option (in the classroom the plan already beats every outside option, so no side
payment is needed). A **coercive hegemon** fines every defection it sees.

**Try in the app:** switch hegemon between none, cooperative and coercive; change
coordination_cost and hegemon_budget; watch participation, the Gini coefficient and Aldoria's
own payoff.""",
            figure="Welfare, participation, inequality (Gini) and the payoff per round of the "
            "leader and of the others without a hegemon, with a cooperative and with a "
            "coercive one: the cooperative hegemon keeps everybody in and equalises payoffs at "
            "its own expense.",
            scenes=HEGEMON_SCENES,
            run=_run_hegemons,
        ),
        Lesson(
            name="three-levels",
            title="7. Three levels of coordination: supranational, plurilateral, minilateral",
            summary="the paper's Table 2 in the classroom economy: welfare, participation, "
            "duplication and gaps under each regime",
            narrative="""\
The paper's Table 2 (§3) distinguishes three levels of coordination. **Supranational** (the EU,
the African Union): a central body with binding rules — the largest potential gains, but high
coordination costs, rigidity and a loss of sovereignty that can drive members out.
**Plurilateral** or intergovernmental (ASEAN's councils): a voluntary broker that lowers the
political barriers but enforces little. **Minilateral** (Airbus; a coalition of the willing):
"the smallest number of participants needed to have the largest possible impact" (Naím 2009) —
effective in a narrow domain, limited in reach.

Each scene plays the classroom region — TitForTat and Grim governments, one in four always
going it alone — under one regime. In Pacts a binding supranational plan fines observed
defection (`fine`, `enforcement`), costs every member `sovereignty_cost` a round and is revised
three times less often; a minilateral club (the ⌈N/3⌉ most complementary countries, here two)
coordinates while the outsiders go alone; without coordination each government plans from its
own noisy view.

**Try in the app:** switch regime; raise fine and enforcement under supranational; raise
sovereignty_cost; compare participation and the price of non-coordination W − W_opt.""",
            figure="Welfare (against the optimum), participation, duplicated plants and "
            "shortfall under no coordination and the three levels: the voluntary broker comes "
            "closest to the optimum here, the binding plan loses members, and the two-country "
            "club leaves the rest of the region duplicating.",
            scenes=LEVEL_SCENES,
            run=_run_levels,
        ),
        Lesson(
            name="triple-flexibility",
            title="8. Triple flexibility: compositional, longitudinal, directional",
            summary="elections, technology shocks and a costly institution with each "
            "flexibility off and on",
            narrative="""\
Cooperation among sovereign states is "not a one-time act of political will" but must be
continuously reproduced (the paper, §5). Its **triple flexibility** (§4.1, Table 3) answers
three shocks:

- **longitudinal** — a change of government should not derail participation: after an election
  the new government renegotiates its share of the plan (on) instead of leaving (off);
- **directional** — the agenda must follow technology and markets: after a technology shock
  moves a sector's market the coordinator re-plans at once (on) instead of at its next
  scheduled revision (off);
- **compositional** — "ASEAN minus X": a member unhappy with the plan opts out of the single
  sector initiatives that lose it money (on) instead of leaving altogether (off).

Each pair of scenes plays the classroom region with the same shocks (the same seed), the
flexibility off and on: elections (3 % per country a round; the new government's rule is drawn
from TitForTat, Grim and AllD), technology shocks (10 % a round, market multiplier lognormal
σ = 1) with scheduled re-planning only every 30 rounds, and an expensive institution (1.0 per
member a round).

**Try in the app:** load a pair and play both; compare how long cooperation survives and where
participation goes; raise election_rate or tech_shock_rate.""",
            figure="Cooperation and participation (top) and welfare against the optimum "
            "(bottom) over the rounds with each flexibility off (red) and on (green) under the "
            "same shocks: with longitudinal flexibility members stay in after elections and "
            "cooperation lasts about twice as long; re-planning at once keeps the plan closer to "
            "the moving optimum; opting out of single sectors keeps every member in, with about "
            "the same welfare.",
            scenes=FLEX_SCENES,
            run=_run_flexibility,
        ),
        Lesson(
            name="tournament",
            title="9. Axelrod's tournament",
            summary="round robin of the classic strategies: nice, retaliatory, forgiving rules "
            "do well; AllD comes last",
            narrative="""\
In 1980 Robert Axelrod invited game theorists to submit rules for an iterated prisoner's
dilemma and played every rule against every other. Tit-for-Tat — the shortest entry, by Anatol
Rapoport — won both rounds. Axelrod (1984) traced its success to four properties: it is
**nice** (never the first to defect), **retaliatory**, **forgiving**, and **clear**. Defecting
rules win single encounters but lose the tournament: they deny themselves the rewards of mutual
cooperation.

The figure replays the round robin with Pacts' seven classics plus Generous TFT: every rule
meets every other and itself for 200 rounds, five times, without and with 5 % noise. Rankings
depend on the field: among so many nice rules even AllC does well, and under noise the
forgiving rules (Generous TFT, Tit-for-Two-Tats, Win-Stay Lose-Shift) overtake TFT (Nowak &
Sigmund 1993).

The scenes put the same rules on a small-world network of twelve countries, and on a 7 × 7
torus where each country imitates better-scoring neighbours — the *ecological* tournament, in
which AllD dwindles away once its victims are gone (Axelrod 1984, ch. 2; Nowak & May 1992).

**Try in the app:** change the strategy shares; add noise; switch evolution on and watch the
strategy shares.""",
            figure="Heat maps of the payoff per round of each rule (row) against each opponent "
            "(column), ranked, without and with noise: AllD wins its own duels but ranks last; "
            "reciprocal rules head the table.",
            scenes=TOURNAMENT_SCENES,
            run=_run_tournament,
        ),
    )
}
"""The lessons in teaching order, by name."""


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name`` (a ValueError names the allowed names)."""
    if name not in LESSONS:
        raise ValueError(f"unknown lesson {name!r}; allowed: {', '.join(LESSONS)}")
    return LESSONS[name]


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r}: allowed: an integer >= 0")
    return int(seed)


def play_lesson(
    name: str | Lesson, out: Path | str, seed: int = 1, *, progress: bool = False
) -> LessonResult:
    """Play a lesson (by name, or your own :class:`Lesson`): run its scenes, write its
    figure(s), data, ``results.csv`` and ``lesson.md`` into ``out``; return the results
    (``.paths``: every file written). ``progress``: show a progress bar on stderr when the
    lesson takes more than two seconds."""
    lesson = name if isinstance(name, Lesson) else get_lesson(name)
    seed = _check_seed(seed)
    out = Path(out)
    bar = Progress(progress, desc=lesson.name)
    try:
        result = (lesson.run or _run_generic)(lesson, out, seed, bar)
    finally:
        bar.close()
    rows = [{"scene": k, "label": r.label, **dict(r.values)} for k, r in enumerate(result.scenes)]
    csv = _write_csv(pd.DataFrame(rows), out / "results.csv")
    from experiments.output import atomic_write

    md = atomic_write(
        out / "lesson.md", lambda p: p.write_text(lesson_markdown(result), encoding="utf-8")
    )
    result.paths = [*result.figures, *result.tables, csv, md]
    return result


def run_lesson(name: str | Lesson, out: Path | str, seed: int = 1) -> list[Path]:
    """Run a lesson's scenes and write its figure(s) (PNG), data (CSV), ``results.csv`` and
    ``lesson.md`` into ``out``; returns the paths written (figures first)."""
    return play_lesson(name, out, seed).paths


def lesson_markdown(result: LessonResult) -> str:
    """``lesson.md``: the story, the scenes' settings, the results next to theory, figures."""
    lesson = result.lesson
    lines = [f"# {lesson.title}", "", lesson.narrative, "", "## Scenes", ""]
    lines += ["| # | scene | settings |", "| --- | --- | --- |"]
    lines += [
        f"| {k} | {s.label} | {s.settings().replace('|', '/')} |"
        for k, s in enumerate(lesson.scenes)
    ]
    lines += ["", f"## Results (seed {result.seed})", ""]
    lines += ["| scene | measured | theory |", "| --- | --- | --- |"]
    lines += [f"| {r.label} | {r.measured} | {r.theory} |" for r in result.scenes]
    lines += [""] + [f"{note}\n" for note in result.notes]
    lines += ["## Figure", "", lesson.figure, ""]
    lines += [f"![{p.stem}]({p.name})" for p in result.figures]
    return "\n".join(lines) + "\n"
