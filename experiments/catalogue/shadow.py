"""The headline experiment, ``shadow-of-the-future`` (DESIGN §11): when does cooperation emerge as
the shadow of the future lengthens — produced by the engine, each part with an ablation.

Parts (points carry ``kind``, which :func:`shadow_run` reads and drops):

* ``evolution`` (pairwise): 60 countries, well mixed, TitForTat against AllD from an initial
  TitForTat share x0, on (δ × x0); relationships end with probability 1 − δ (eras) and countries
  revise their rule by imitation of better-off countries every 50 rounds. Reciprocators take over
  above the basin boundary x*(δ) = (P − S) / (L(R − P) − (T − P) + (P − S)), L = 1/(1 − δ)
  (:func:`model.theory.basin_boundary`: renewal–reward payoffs), defectors below it. Also the
  seven classic strategies (Axelrod 1984) over δ. Ablation: one relationship for the whole run
  (``horizon = "fixed"``): the δ-dependence vanishes.
* ``collective``: every collective preset over δ ∈ {0.3, 0.6, 0.9, 0.99}: the share of countries
  complying with the plan and W − W_opt; forward-looking governments (the presets' rules)
  against the ablation of myopic ones (the one-shot best reply: δ plays no role). The curves are
  explained by each country's implied game and δ*_i (tabulated in the summary).
* ``streams``: Grim against Grim and AllD against Grim in the engine (two-sided misreading ε,
  feedback delay d), many pairs at once; the δ at which the realised payoff of complying equals
  that of deviating is compared with the engine-true threshold
  (:func:`model.theory.grim_threshold_two_sided`) and with the old one-sided formula. ε and d
  raise the δ needed; in the economy irregular stakes (σ) do too (the ``collective`` part runs
  the classroom with σ = 1 beside σ = 0).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import aggregate, crossing
from experiments.catalogue.experiment import Experiment, Part
from model import theory
from model.games import PD

RECIPROCATORS = ("TitForTat", "Grim", "WinStayLoseShift", "TitForTwoTats")
EVOLUTION_BASE = {
    "kind": "evolution",
    "n_countries": 60,
    "network": "complete",
    "game": "prisoners_dilemma",
    "rounds": 1000,
    "evolution": "imitation",
    "evolution_interval": 50,
    "evolution_rate": 0.3,
}
CLASSIC_MIX = {
    "AllC": 1,
    "AllD": 1,
    "TitForTat": 1,
    "Grim": 1,
    "WinStayLoseShift": 1,
    "TitForTwoTats": 1,
    "SuspiciousTitForTat": 1,
}
COLLECTIVE_PRESETS = (
    "classroom",
    "airbus",
    "andean",
    "asean",
    "mercosur",
    "pacific-alliance",
    "sadc-batteries",
)
COLLECTIVE_DELTAS = (0.3, 0.6, 0.9, 0.99)
STREAM_SETTINGS = ((0.0, 0), (0.05, 0), (0.1, 0), (0.2, 0), (0.0, 1), (0.0, 2))
"""(ε, d) of the ``streams`` part."""
STREAM_PAIRS = 3000


# ------------------------------------------------------------------ points
def evolution_points(scale: float = 1.0) -> list[dict]:
    """(δ × x0) for TFT vs AllD, δ for the classic mix, and the no-era ablation."""
    deltas = [round(float(d), 3) for d in np.arange(0.5, 0.951, 0.05 / max(scale, 1.0))]
    shares = [round(float(x), 3) for x in np.arange(0.05, 0.96, 0.1 / max(scale, 1.0))]
    points = [
        {**EVOLUTION_BASE, "continuation": d, "x0": x, "mix": "tft_alld", "horizon": "eras"}
        for d in deltas
        for x in shares
    ]
    points += [
        {
            **EVOLUTION_BASE,
            "continuation": d,
            "mix": "classic",
            "horizon": h,
            "network": "watts_strogatz",
            "degree": 4,
            "n_countries": 60,
            "rounds": 400,
            "evolution_interval": 10,
        }
        for d in deltas
        for h in ("eras", "fixed")
    ]
    points += [
        {**EVOLUTION_BASE, "continuation": d, "x0": 0.3, "mix": "tft_alld", "horizon": "fixed"}
        for d in deltas
    ]
    return points


def collective_points(scale: float = 1.0) -> list[dict]:
    """Presets × δ × (forward-looking | myopic), and the classroom with irregular stakes."""
    points = [
        {"kind": "collective", "preset": p, "continuation": d, "rules": rules}
        for p in COLLECTIVE_PRESETS
        for d in COLLECTIVE_DELTAS
        for rules in ("preset", "Myopic")
    ]
    points += [
        {
            "kind": "collective",
            "preset": "classroom",
            "continuation": d,
            "rules": "preset",
            "stake_sigma": 1.0,
        }
        for d in COLLECTIVE_DELTAS
    ]
    return points


def stream_points(scale: float = 1.0) -> list[dict]:
    """(ε, d) × δ for the payoff streams of Grim and AllD against Grim."""
    deltas = [round(float(d), 3) for d in np.arange(0.40, 0.951, 0.025 / max(scale, 1.0))]
    return [
        {"kind": "streams", "observation_error": e, "observation_delay": d, "continuation": x}
        for e, d in STREAM_SETTINGS
        for x in deltas
    ]


# ------------------------------------------------------------------ runs
def shadow_run(params: dict[str, Any], seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate of a point of any part (by ``kind``)."""
    values = dict(params)
    kind = values.pop("kind")
    if kind == "evolution":
        return _evolution_run(values, seed, replicate)
    if kind == "collective":
        return _collective_run(values, seed, replicate)
    if kind == "streams":
        return _streams_run(values, seed, replicate)
    raise ValueError(f"kind = {kind!r}: allowed: evolution, collective, streams")


def _evolution_run(values: dict, seed: int, replicate: int) -> dict[str, float]:
    from model.config import ModelConfig
    from model.engine import PairwiseEngine

    mix = values.pop("mix")
    x0 = values.pop("x0", None)
    strategies = {"TitForTat": x0, "AllD": 1.0 - x0} if mix == "tft_alld" else dict(CLASSIC_MIX)
    cfg = ModelConfig(strategies=strategies, **values)
    eng = PairwiseEngine(cfg, seed, replicate_ids=[replicate]).run()
    names = eng.strategy_names
    share = {n: float(eng.shares[0, k]) for k, n in enumerate(names)}
    rec = eng.record()
    return {
        "reciprocators": sum(share.get(n, 0.0) for n in RECIPROCATORS),
        "tft": share.get("TitForTat", 0.0),
        "cooperation": float(rec.cooperation[-20:, 0].mean()),
    }


def _collective_run(values: dict, seed: int, replicate: int) -> dict[str, float]:
    from model.engine import CollectiveEngine
    from model.scenarios import load_preset

    preset, rules = values.pop("preset"), values.pop("rules")
    cfg = load_preset(preset).replace(**values)
    if rules != "preset":
        cfg = cfg.replace(strategies=(rules,) * cfg.n_countries)
    eng = CollectiveEngine(cfg, cfg.build_economy(), seed, replicate_ids=[replicate]).run()
    tail = slice(cfg.rounds // 2, None)
    star = eng.critical_deltas(0)
    return {
        "compliance": float(eng.record().cooperation[tail, 0].mean()),
        "welfare": float(eng.series["welfare"][tail, 0].mean()),
        "gap": float(eng.series["price_of_non_coordination"][tail, 0].mean()),
        "participation": float(eng.series["participation"][tail, 0].mean()),
        "sustainable": float(np.mean(star <= cfg.continuation)),
    }


def _streams_run(values: dict, seed: int, replicate: int) -> dict[str, float]:
    """Mean realised totals (geometric horizon = δ-discounted values) of Grim vs Grim and
    AllD vs Grim over ``STREAM_PAIRS`` pairs (a perfect matching: pair p is countries 2p, 2p+1;
    one relationship each, no revision)."""
    import networkx as nx

    from model.config import ModelConfig
    from model.engine import PairwiseEngine

    graph = nx.Graph()
    graph.add_nodes_from(range(2 * STREAM_PAIRS))
    graph.add_edges_from(((2 * p, 2 * p + 1) for p in range(STREAM_PAIRS)), weight=1.0)
    out = {}
    for first in ("Grim", "AllD"):
        cfg = ModelConfig(
            n_countries=2 * STREAM_PAIRS,
            network="complete",
            strategies=(first, "Grim") * STREAM_PAIRS,
            game="prisoners_dilemma",
            horizon="fixed",
            evolution="none",
            rounds=_stream_rounds(values["continuation"]),
            **values,
        )
        eng = PairwiseEngine(
            cfg, seed, replicate_ids=[replicate], graph=graph, record_actions=False
        )
        # discount the realised per-round payoffs: the value of the relationship
        total = np.zeros(STREAM_PAIRS)
        delta, weight = values["continuation"], 1.0
        for _ in range(cfg.rounds):
            eng.step()
            total += weight * eng.payoff_last[0, :STREAM_PAIRS]
            weight *= delta
        out[first] = total
    diff = out["Grim"] - out["AllD"]
    return {
        "comply": float(out["Grim"].mean()),
        "deviate": float(out["AllD"].mean()),
        "advantage": float(diff.mean()),
        "advantage_se": float(diff.std(ddof=1) / math.sqrt(diff.size)),
    }


def _stream_rounds(delta: float) -> int:
    """Rounds after which δ^t < 1e-6 (the truncated tail is negligible)."""
    return math.ceil(math.log(1e-6) / math.log(delta))


# ------------------------------------------------------------------ analysis
def analyze(df: pd.DataFrame, out: Path) -> str:
    """Figures ``evolution.png``, ``collective.png``, ``streams.png`` and the summary."""
    lines = ["# Shadow of the future", ""]
    parts = set(df["part"])
    if "evolution" in parts:
        lines += _analyze_evolution(df[df["part"] == "evolution"], out)
    if "collective" in parts:
        lines += _analyze_collective(df[df["part"] == "collective"], out)
    if "streams" in parts:
        lines += _analyze_streams(df[df["part"] == "streams"], out)
    sampled = df[~df["part"].isin(["evolution", "collective", "streams"])]
    if len(sampled):
        lines += _analyze_sampled(sampled, out)
    return "\n".join(lines) + "\n"


def _analyze_sampled(df: pd.DataFrame, out: Path) -> list[str]:
    """A sampled (LHS, Sobol, Morris, CSV) design over (δ, x0) of TitForTat vs AllD: the final
    TitForTat share at each point, with the basin boundary drawn over it."""

    from experiments.figures import save_figure, subplots

    means = df.groupby("point_index")[["continuation", "x0", "tft"]].mean()
    fig, ax = subplots(figsize=(7, 4.5))
    sc = ax.scatter(
        means["continuation"], means["x0"], c=means["tft"], cmap="RdYlGn", vmin=0, vmax=1, s=25
    )
    d = np.linspace(means["continuation"].min(), means["continuation"].max(), 100)
    ax.plot(d, [theory.basin_boundary(PD, x) for x in d], color="black", label="x*(δ)")
    ax.set_xlabel("δ")
    ax.set_ylabel("initial TitForTat share x0")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    fig.colorbar(sc, ax=ax, label="final TitForTat share")
    save_figure(fig, out / "sampled_design.png", dpi=110)
    return [
        "## Sampled design",
        "",
        f"{len(means)} points of (δ, x0), TitForTat against AllD with the basin boundary drawn "
        "over them: `sampled_design.png`. For Sobol or Morris indices run `pacts sensitivity DIR`.",
        "",
    ]


def _analyze_evolution(df: pd.DataFrame, out: Path) -> list[str]:

    from experiments.figures import save_figure, subplots

    eras = df[(df["mix"] == "tft_alld") & (df["horizon"] == "eras")]
    grid = eras.groupby(["continuation", "x0"])["tft"].mean().unstack()
    fig, axes = subplots(1, 2, figsize=(13, 4.8))
    ax = axes[0]
    mesh = ax.pcolormesh(
        grid.index, grid.columns, grid.T.values, cmap="RdYlGn", vmin=0, vmax=1, shading="nearest"
    )
    fig.colorbar(mesh, ax=ax, label="final TitForTat share")
    d = np.linspace(grid.index.min(), grid.index.max(), 200)
    ax.plot(
        d,
        [theory.basin_boundary(PD, x) for x in d],
        color="black",
        lw=2,
        label="basin boundary x*(δ)",
    )
    ax.set_xlabel("δ (continuation of a relationship)")
    ax.set_ylabel("initial TitForTat share x0")
    ax.set_title("TitForTat vs AllD: who takes over (eras, imitation)", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax = axes[1]
    classic = df[df["mix"] == "classic"]
    for horizon, style in (("eras", "-o"), ("fixed", "--s")):
        g = aggregate(classic[classic["horizon"] == horizon], ["continuation"], "reciprocators")
        name = "eras" if horizon == "eras" else "ablation: one relationship, no eras"
        ax.plot(g["continuation"], g["mean"], style, label=name)
        ax.fill_between(g["continuation"], g["low"], g["high"], alpha=0.2)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("δ")
    ax.set_ylabel("final share of reciprocators")
    ax.set_title("The seven classic strategies, small world, imitation", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    save_figure(fig, out / "evolution.png", dpi=110)
    # agreement with the boundary: cells at least 0.1 away from x*
    cells = eras.groupby(["continuation", "x0"])["tft"].mean().reset_index()
    cells["boundary"] = [theory.basin_boundary(PD, x) for x in cells["continuation"]]
    far = cells[np.abs(cells["x0"] - cells["boundary"]) >= 0.1]
    right = np.where(far["x0"] > far["boundary"], far["tft"] >= 0.9, far["tft"] <= 0.1)
    fixed = df[(df["mix"] == "tft_alld") & (df["horizon"] == "fixed")]
    spread = fixed.groupby("continuation")["tft"].mean()
    return [
        "## Pairwise evolution",
        "",
        f"TitForTat against AllD, 60 countries: in {int(right.sum())} of {len(far)} cells at "
        "least 0.1 from the theoretical basin boundary x*(δ) the winner is the one theory "
        "predicts (final share ≥ 0.9 above the boundary, ≤ 0.1 below). Ablation — one "
        f"relationship for the whole run: from x0 = 0.3 the final TitForTat share is "
        f"{spread.min():.2f}–{spread.max():.2f} whatever δ.",
        "",
        "Figure: `evolution.png`.",
        "",
    ]


def _analyze_collective(df: pd.DataFrame, out: Path) -> list[str]:

    from experiments.figures import save_figure, subplots
    from model.engine import build_engine
    from model.scenarios import load_preset

    plain = df[df["stake_sigma"].fillna(0.0) == 0] if "stake_sigma" in df else df
    agg = plain.groupby(["preset", "rules", "continuation"])[["compliance", "gap"]].mean()
    fig, axes = subplots(1, 2, figsize=(13, 4.6))
    for preset in COLLECTIVE_PRESETS:
        if preset not in agg.index.get_level_values(0):
            continue
        g = agg.loc[(preset, "preset")]
        axes[0].plot(g.index, g["compliance"], "-o", label=preset)
        axes[1].plot(g.index, g["gap"], "-o", label=preset)
    if ("classroom", "Myopic") in agg.index.droplevel(2):
        g = agg.loc[("classroom", "Myopic")]
        axes[0].plot(g.index, g["compliance"], "k--", label="classroom, myopic (ablation)")
    if "stake_sigma" in df:
        st = df[(df["stake_sigma"].fillna(0.0) > 0)].groupby("continuation")["compliance"].mean()
        if len(st):
            axes[0].plot(st.index, st.values, ":", color="gray", label="classroom, stakes σ = 1")
    axes[0].set_ylabel("share of countries complying with the plan")
    axes[1].set_ylabel("W − W_opt (welfare per round, ≤ 0)")
    for ax in axes:
        ax.set_xlabel("δ (continuation of the agreement; patience)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, ncol=2)
    fig.suptitle("Collective mode: compliance and the price of non-coordination over δ")
    save_figure(fig, out / "collective.png", dpi=110)
    lines = [
        "## Collective mode",
        "",
        "Share of countries complying (mean of the second half of the run and of the seeds) "
        "by δ, forward-looking governments (myopic ablation in brackets):",
        "",
        "| preset | "
        + " | ".join(f"δ = {d:g}" for d in COLLECTIVE_DELTAS)
        + " | implied games at δ = 0.99 (δ*_i) |",
        "| --- | " + " | ".join("---" for _ in COLLECTIVE_DELTAS) + " | --- |",
    ]
    for preset in COLLECTIVE_PRESETS:
        if preset not in agg.index.get_level_values(0):
            continue
        cells = []
        for d in COLLECTIVE_DELTAS:
            f = agg["compliance"].get((preset, "preset", d), math.nan)
            m = agg["compliance"].get((preset, "Myopic", d), math.nan)
            cells.append(f"{f:.2f} ({m:.2f})")
        eng = build_engine(load_preset(preset).replace(continuation=0.99, rounds=1), 0)
        star, classes = eng.critical_deltas(0), eng.game_classes[0]
        names = eng.economies[0].countries
        games = "; ".join(
            f"{n} {c.replace('_', ' ')}" + (f" {s:.2f}" if 0 < s < math.inf else "")
            for n, c, s in zip(names, classes, star, strict=True)
        )
        lines.append(f"| {preset} | " + " | ".join(cells) + f" | {games} |")
    lines += [
        "",
        "A forward-looking government follows the plan iff δ ≥ δ*_i of its own game and the "
        "plan pays it its outside option (the status quo); the compliance curve steps up at "
        "the δ*_i of the members the arrangement needs. Myopic governments (the ablation) never "
        "follow a plan that tempts them, whatever δ. Figure: `collective.png`.",
        "",
    ]
    return lines


def _analyze_streams(df: pd.DataFrame, out: Path) -> list[str]:

    from experiments.figures import save_figure, subplots

    fig, ax = subplots(figsize=(8, 4.8))
    rows = []
    for (eps, d), g in df.groupby(["observation_error", "observation_delay"]):
        g = g.groupby("continuation")[["advantage", "advantage_se"]].mean().reset_index()
        line = ax.plot(
            g["continuation"], g["advantage"], "-o", ms=3, label=f"ε = {eps:g}, d = {d:g}"
        )
        simulated = crossing(g["continuation"].to_numpy(), g["advantage"].to_numpy(), 0.0)
        exact = theory.grim_threshold_two_sided(PD, eps, int(d))
        ax.axvline(exact, color=line[0].get_color(), ls=":", lw=1)
        rows.append((eps, int(d), simulated, exact, theory.calculating_threshold(PD, int(d), eps)))
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("δ")
    ax.set_ylabel("V(Grim | Grim) − V(AllD | Grim), engine payoffs")
    ax.set_title("Complying vs deviating against Grim (dotted: engine-true δ*)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    save_figure(fig, out / "streams.png", dpi=110)
    lines = [
        "## Misreading and delay: thresholds from the engine's payoff streams",
        "",
        "| ε | d | simulated δ* | engine-true δ* (two-sided) | one-sided formula |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {e:g} | {d} | {c:.3f} | {x:.3f} | {o:.3f} |" for e, d, c, x, o in rows]
    lines += [
        "",
        "Unreliable information (ε) and slow feedback (d) raise the δ needed. Figure: "
        "`streams.png`.",
        "",
    ]
    return lines


EXPERIMENT = Experiment(
    "shadow-of-the-future",
    "δ decides: TitForTat vs AllD basin boundary under eras (and the classic seven), "
    "collective compliance per preset with myopic ablation, and Grim thresholds from the "
    "engine's payoff streams under misreading and delay.",
    {
        "evolution": Part(evolution_points, replicates=2),
        "collective": Part(collective_points, replicates=3),
        "streams": Part(stream_points, replicates=1),
    },
    analyze,
    ranges={"continuation": (0.5, 0.95), "x0": (0.05, 0.95)},
    base={**EVOLUTION_BASE, "mix": "tft_alld", "horizon": "eras"},
    params={"kind": str, "mix": str, "x0": float},
    run=shadow_run,
)
