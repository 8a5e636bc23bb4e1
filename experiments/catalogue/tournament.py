"""The tournament experiment: round-robin and evolutionary competitions among strategies.

Round robin (Axelrod 1980, 1984): the seven classics plus GenerousTitForTat and the
forward-looking Calculating meet each other and themselves on the classic PD (5, 3, 1, 0), the
game lasting while a coin with probability δ says continue (``horizon = "geometric"``, capped at
``rounds``), with implementation noise flipping intended actions. Each run returns every
strategy's mean score per round (``score_<name>``); the winner of a setting is the strategy with
the highest replicate-mean score.

Evolution: the seven classics on a 20 × 20 torus (400 countries), strategies spread by imitation
(Fermi rule) or death–birth (Moran) updating; each run returns the long-run cooperation, the
cooperation of the last round and the final strategy shares (``share_<name>``).

Points carry ``kind`` ("round_robin" or "evolution"), which :func:`tournament_run` reads and
drops before building the :class:`~model.config.ModelConfig`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.catalogue.experiment import Experiment, Part
from experiments.figures import save_figure, subplots
from model.config import CLASSIC_SEVEN

TOURNAMENT_STRATEGIES = (*CLASSIC_SEVEN, "GenerousTitForTat", "Calculating")
"""The round robin's entrants: the seven classics, GenerousTitForTat and Calculating."""
RECIPROCATORS = ("TitForTat", "TitForTwoTats", "Grim", "WinStayLoseShift", "GenerousTitForTat")
"""Strategies that return cooperation with cooperation and punish defection."""
NOISES = (0.0, 0.01, 0.05, 0.1)
DELTAS = (0.5, 0.8, 0.95, 0.99)

ROUND_ROBIN_BASE = {"kind": "round_robin", "rounds": 400, "repetitions": 10}
"""Rounds cap the geometric horizon (δ = 0.99: mean length 100, P(reaching 400) ≈ 2 %)."""

EVOLUTION_BASE = {
    "kind": "evolution",
    "n_countries": 400,
    "network": "lattice",
    "strategies": dict.fromkeys(CLASSIC_SEVEN, 1),
    "rounds": 300,
    "continuation": 0.95,
    "evolution_interval": 10,
    "evolution_rate": 0.2,
    "selection": 1.0,
    "burn_in": 0.5,
}


def tournament_run(params: dict[str, Any], seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate of a round robin (``kind = "round_robin"``: ``score_<name>`` per strategy,
    the mean score per round and opponent) or of an evolutionary run (``kind = "evolution"``:
    :func:`experiments.sweep.run_one`'s metrics, ``final_cooperation`` and ``share_<name>``)."""
    from experiments import sweep as sw
    from experiments.matches import tournament
    from model.engine import build_engine

    values = dict(params)
    kind = values.pop("kind", "evolution")
    if kind == "round_robin":
        table = tournament(
            list(TOURNAMENT_STRATEGIES),
            rounds=int(values.get("rounds", 400)),
            repetitions=int(values.get("repetitions", 10)),
            noise=float(values.get("noise", 0.0)),
            seed=int(seed) + int(replicate),
            continuation=float(values["continuation"]),
            horizon="geometric",
        )
        return {f"score_{name}": float(table.loc[name, "per_round"]) for name in table.index}
    if kind != "evolution":
        raise ValueError(f"kind = {kind!r}: allowed: round_robin, evolution")
    config, burn_in = sw.split_params(values)
    engine = build_engine(config, seed, replicate_ids=[int(replicate)]).run()
    row = sw.long_run_means(engine, burn_in)[0]
    rec = engine.record()
    last = int(np.count_nonzero(rec.alive[:, 0])) - 1
    row["final_cooperation"] = float(rec.cooperation[last, 0])
    shares = rec.strategy_shares[last, 0]
    for name, share in zip(engine.strategy_names, shares, strict=False):
        row[f"share_{name}"] = float(share)
    return row


def round_robin_points(scale: float = 1.0) -> list[dict]:
    """noise × δ (4 × 4); ``scale`` > 1 adds repetitions per run."""
    reps = max(1, round(ROUND_ROBIN_BASE["repetitions"] * max(scale, 0.25)))
    return [
        {**ROUND_ROBIN_BASE, "repetitions": reps, "noise": noise, "continuation": delta}
        for noise in NOISES
        for delta in DELTAS
    ]


def evolution_points(scale: float = 1.0) -> list[dict]:
    """Imitation and Moran updating × noise ∈ {0, 0.05} on the 20 × 20 lattice; ``scale``
    lengthens the runs."""
    rounds = max(50, round(EVOLUTION_BASE["rounds"] * max(scale, 0.2)))
    return [
        {**EVOLUTION_BASE, "rounds": rounds, "evolution": rule, "noise": noise}
        for rule in ("imitation", "moran")
        for noise in (0.0, 0.05)
    ]


def _scores(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Replicate-mean score per round: rows (continuation, noise), columns strategies."""
    rr = df[df["part"] == "round_robin"]
    cols = [c for c in rr.columns if c.startswith("score_") and rr[c].notna().any()]
    means = rr.groupby(["continuation", "noise"])[cols].mean()
    means.columns = [c.removeprefix("score_") for c in cols]
    return means, list(means.columns)


def winners(df: pd.DataFrame) -> pd.DataFrame:
    """Per (δ, noise): the winner, its score, AllD's rank and the ranks of every strategy
    (``rank_<name>``, 1 = best, by replicate-mean score per round)."""
    means, names = _scores(df)
    ranks = means.rank(axis=1, ascending=False, method="min")
    out = pd.DataFrame(
        {
            "winner": means.idxmax(axis=1),
            "score": means.max(axis=1),
            "alld_rank": ranks.get("AllD", pd.Series(np.nan, index=means.index)),
        }
    )
    for name in names:
        out[f"rank_{name}"] = ranks[name]
    return out.reset_index()


def _plot_round_robin(df: pd.DataFrame, out: Path) -> None:
    means, names = _scores(df)
    ranks = means.rank(axis=1, ascending=False, method="min")
    settings = [f"δ={d:g}\nε={n:g}" for d, n in means.index]
    fig, (left, right) = subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [2.2, 1]})
    mesh = left.imshow(ranks.T.to_numpy(), cmap="RdYlGn_r", aspect="auto")
    left.set_yticks(range(len(names)), names, fontsize=8)
    left.set_xticks(range(len(settings)), settings, fontsize=7)
    for (j, i), value in np.ndenumerate(ranks.T.to_numpy()):
        left.text(i, j, f"{value:.0f}", ha="center", va="center", fontsize=7)
    left.set_title("Rank of each strategy (1 = best mean score per round)", fontsize=10)
    left.figure.colorbar(mesh, ax=left, label="rank")

    deltas = sorted({d for d, _ in means.index})
    noises = sorted({n for _, n in means.index})
    win = means.idxmax(axis=1)
    colour = {name: k for k, name in enumerate(names)}
    grid = np.full((len(noises), len(deltas)), np.nan)
    for (d, n), name in win.items():
        grid[noises.index(n), deltas.index(d)] = colour[name]
    right.imshow(grid, cmap="tab10", vmin=0, vmax=9, aspect="auto", origin="lower")
    for (d, n), name in win.items():
        right.text(deltas.index(d), noises.index(n), name, ha="center", va="center", fontsize=7)
    right.set_xticks(range(len(deltas)), [f"{d:g}" for d in deltas])
    right.set_yticks(range(len(noises)), [f"{n:g}" for n in noises])
    right.set_xlabel("shadow of the future δ")
    right.set_ylabel("implementation error")
    right.set_title("Winner of the round robin", fontsize=10)
    fig.suptitle("Round-robin tournaments on the classic PD by δ and noise", fontsize=11)
    save_figure(fig, out / "tournament_ranks.png", dpi=110)


def evolution_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Replicate-mean final shares and cooperation per (evolution rule, noise)."""
    ev = df[df["part"] == "evolution"]
    cols = [c for c in ev.columns if c.startswith("share_") and ev[c].notna().any()]
    return ev.groupby(["evolution", "noise"])[[*cols, "final_cooperation", "cooperation"]].mean()


def _plot_evolution(df: pd.DataFrame, out: Path) -> None:
    table = evolution_shares(df)
    shares = table[[c for c in table.columns if c.startswith("share_")]]
    fig, ax = subplots(figsize=(10, 4.5))
    width = 0.8 / max(len(shares), 1)
    x = np.arange(shares.shape[1])
    for k, ((rule, noise), row) in enumerate(shares.iterrows()):
        ax.bar(x + k * width, row.to_numpy(), width, label=f"{rule}, noise {noise:g}")
    ax.set_xticks(x + 0.4 - width / 2, [c.removeprefix("share_") for c in shares.columns])
    ax.tick_params(axis="x", labelsize=8, rotation=20)
    ax.set_ylabel("final share of countries")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    ax.set_title("Evolutionary competition on a 20 × 20 lattice: final strategy shares")
    save_figure(fig, out / "evolution_shares.png", dpi=110)


def analyze_tournament(df: pd.DataFrame, out: Path) -> str:
    """Rank heat map and winner grid (round robin), final shares (evolution), and the table of
    winners per setting."""
    lines = ["# Tournament", ""]
    figures = []
    if (df["part"] == "round_robin").any():
        _plot_round_robin(df, out)
        figures.append("`tournament_ranks.png`")
        table = winners(df)
        lines += [
            "Round robin of the seven classics, GenerousTitForTat and Calculating on the "
            "classic PD (geometric horizon with continuation δ, implementation error ε); "
            "score = mean payoff per round and opponent, averaged over replicates.",
            "",
            "| δ | noise | winner | score per round | AllD's rank |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r.continuation:g} | {r.noise:g} | {r.winner} | {r.score:.3f} | {r.alld_rank:.0f} |"
            for r in table.itertuples()
        ]
        long = table[table["continuation"] == table["continuation"].max()]
        alld_wins = int((long["winner"] == "AllD").sum())
        lines += [
            "",
            f"In the longest games (δ = {long['continuation'].max():g}) AllD wins "
            f"{alld_wins} of {len(long)} noise settings; in the shortest "
            f"(δ = {table['continuation'].min():g}) the winner is "
            + ", ".join(
                sorted(
                    set(table.loc[table["continuation"] == table["continuation"].min(), "winner"])
                )
            )
            + ".",
            "",
        ]
    if (df["part"] == "evolution").any():
        _plot_evolution(df, out)
        figures.append("`evolution_shares.png`")
        ev = evolution_shares(df)
        share_cols = [c for c in ev.columns if c.startswith("share_")]
        lines += [
            "Evolution on a 20 × 20 lattice (seven classics, equal initial shares):",
            "",
            "| rule | noise | final cooperation | most common strategy (share) |",
            "| --- | --- | --- | --- |",
        ]
        for (rule, noise), row in ev.iterrows():
            top = row[share_cols].astype(float).idxmax()
            lines.append(
                f"| {rule} | {noise:g} | {row['final_cooperation']:.3f} | "
                f"{top.removeprefix('share_')} ({row[top]:.2f}) |"
            )
        lines.append("")
    lines.append("Figures: " + ", ".join(figures) + ".")
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "tournament",
    "Round-robin tournaments of nine strategies by δ × noise, and evolutionary competition "
    "(imitation, Moran) of the classics on a 20 × 20 lattice: winners, ranks, final shares.",
    {
        "round_robin": Part(round_robin_points, replicates=8),
        "evolution": Part(evolution_points, replicates=5),
    },
    analyze_tournament,
    run=tournament_run,
)
