"""The participants experiment: Axelrod & Keohane's (1985) *number of participants*.

How returns scale with N in the economy. Collective mode uses the stylised default economy
``Economy.default(N)`` (battery/EV and solar chains, countries drawn from ``seed_economy``):

* country sizes are GDP shares that sum to 1 whatever N is, so adding participants makes each
  of them smaller rather than the region larger;
* each sector's market M_k is a fixed regional total: the k-th sector is worth the same to the
  region with 2 or with 100 countries, and n producers of one sector split it (output per
  plant M_k · n^(κ−1)), so more participants compete for the same markets;
* hence per-country returns fall with N and the room for duplicated plants grows with N (there
  are more would-be producers per market); regional welfare is bounded by the fixed markets.

This design choice decides the sign of the N effect: a larger region here is not a larger prize
but a harder division of a fixed one — more parties whose go-alone plans duplicate each other,
more partners to monitor (only 6 per country on the Watts–Strogatz network for N ≥ 20) and a
smaller stake for each, which is Axelrod & Keohane's argument that cooperation gets harder as
participants multiply. Had markets grown with N (e.g. M_k ∝ N), per-country returns would be
roughly constant and only the monitoring and duplication effects would remain.

Parts:

* ``collective``: N ∈ {2, 4, 8, 16, 32, 64} (plus 100 at ``scale`` ≥ 1.5) × regime (none,
  plurilateral, supranational, minilateral); complete network for N < 20, Watts–Strogatz with
  degree 6 from N = 20; 40 rounds, strategies {Calculating: 2, Grim: 1, TitForTat: 1}, initial
  trust 0.8, δ = 0.9. A run at N = 64 takes about 1 s.
* ``pairwise``: the classic PD among TitForTat and AllD (equal shares) on a complete graph,
  N ∈ {2, 3, 5, 10, 20, 50, 100}: in dyadic play N does not change the stakes of a relationship
  (each edge is its own 2×2 game); it only changes who meets whom. With N/2 TitForTats a
  TitForTat's partners are (N/2 − 1)/(N − 1) TitForTats (0 at N = 2, → 1/2), and only those
  pairs cooperate, so long-run cooperation rises from 0 towards 1/4 with N: a composition
  effect, not a harder bargain.

Default design (measured on 2 shared cores, process engine): the collective part about 1 min,
the pairwise part under a second.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.analysis import aggregate, label, log_n_axis
from experiments.catalogue.experiment import Experiment, Part
from experiments.figures import save_figure, subplots

REGIMES = ("none", "plurilateral", "supranational", "minilateral")
COLLECTIVE_BASE = {
    "mode": "collective",
    "rounds": 40,
    "strategies": {"Calculating": 2, "Grim": 1, "TitForTat": 1},
    "initial_trust": 0.8,
    "continuation": 0.9,
    "burn_in": 0.25,
}
PAIRWISE_BASE = {
    "game": "prisoners_dilemma",
    "network": "complete",
    "strategies": {"TitForTat": 1, "AllD": 1},
    "rounds": 100,
    "burn_in": 0.5,
}


def _network(n: int) -> dict:
    return {"network": "complete"} if n < 20 else {"network": "watts_strogatz", "degree": 6}


def collective_sizes(scale: float = 1.0) -> list[int]:
    """2, 4, …, 64; plus 100 at ``scale`` ≥ 1.5."""
    return [2, 4, 8, 16, 32, 64] + ([100] if scale >= 1.5 else [])


def collective_points(scale: float = 1.0) -> list[dict]:
    """N × regime in the economy (collective mode)."""
    return [
        {**COLLECTIVE_BASE, **_network(n), "n_countries": n, "regime": regime}
        for n in collective_sizes(scale)
        for regime in REGIMES
    ]


def pairwise_points(scale: float = 1.0) -> list[dict]:
    """N on a complete graph, TitForTat vs AllD, classic PD."""
    sizes = [2, 3, 5, 10, 20, 50, 100]
    if scale >= 2:
        sizes += [200]
    return [{**PAIRWISE_BASE, "n_countries": n} for n in sizes]


def _per_country(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(welfare_per_country=df["welfare"] / df["n_countries"])


def collective_table(df: pd.DataFrame) -> pd.DataFrame:
    """Replicate means per (regime, N): cooperation, welfare per country, participation."""
    col = _per_country(df[df["part"] == "collective"])
    table = None
    for metric in ("cooperation", "welfare_per_country", "participation"):
        agg = aggregate(col, ["regime", "n_countries"], metric)[["regime", "n_countries", "mean"]]
        agg = agg.rename(columns={"mean": metric})
        table = agg if table is None else table.merge(agg, on=["regime", "n_countries"])
    return table


def analyze_participants(df: pd.DataFrame, out: Path) -> str:
    """Cooperation, welfare per country and participation against N by regime (CI bands),
    pairwise cooperation against N, and the summary table."""
    lines = ["# Number of participants", ""]
    figures = []
    col = df[df["part"] == "collective"]
    if len(col):
        col = _per_country(col)
        metrics = ("cooperation", "welfare_per_country", "participation")
        fig, axes = subplots(1, 3, figsize=(16, 4.3))
        for metric, ax in zip(metrics, axes, strict=True):
            agg = aggregate(col, ["regime", "n_countries"], metric)
            share = metric != "welfare_per_country"  # shares live in [0, 1]
            for regime, g in agg.groupby("regime"):
                ax.plot(g["n_countries"], g["mean"], marker="o", label=regime)
                low, high = (
                    (g["low"].clip(0, 1), g["high"].clip(0, 1)) if share else (g["low"], g["high"])
                )
                ax.fill_between(g["n_countries"], low, high, alpha=0.2)
            if share:
                ax.set_ylim(-0.02, 1.02)
            log_n_axis(ax, agg["n_countries"])
            ax.set_xlabel(label("n_countries"))
            ax.set_ylabel(label(metric))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8, title="regime")
        fig.suptitle(
            "Number of participants in the economy (fixed regional markets split among N)",
            fontsize=11,
        )
        save_figure(fig, out / "participants.png", dpi=110)
        figures.append("`participants.png`")
        table = collective_table(df)
        lines += [
            "Collective mode, stylised economy whose sector markets are fixed regional totals "
            "(more participants split the same markets): replicate means.",
            "",
            "| regime | N | cooperation | welfare per country | participation |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r.regime} | {r.n_countries} | {r.cooperation:.3f} | "
            f"{r.welfare_per_country:.3f} | {r.participation:.3f} |"
            for r in table.itertuples()
        ]
        small, large = table["n_countries"].min(), table["n_countries"].max()
        w = table.groupby("n_countries")["welfare_per_country"].mean()
        c = table.groupby("n_countries")["cooperation"].mean()
        lines += [
            "",
            f"Averaged over regimes, welfare per country goes from {w[small]:.3f} at N = "
            f"{small} to {w[large]:.3f} at N = {large} and cooperation from {c[small]:.3f} "
            f"to {c[large]:.3f}.",
            "",
        ]
    pw = df[df["part"] == "pairwise"]
    if len(pw):
        agg = aggregate(pw, ["n_countries"], "cooperation")
        fig, ax = subplots(figsize=(6.5, 4))
        ax.plot(agg["n_countries"], agg["mean"], marker="o", label="TitForTat vs AllD")
        ax.fill_between(
            agg["n_countries"], agg["low"].clip(0, 1), agg["high"].clip(0, 1), alpha=0.2
        )
        log_n_axis(ax, agg["n_countries"])
        ax.set_ylim(0, 1)
        ax.set_xlabel(label("n_countries"))
        ax.set_ylabel(label("cooperation"))
        ax.grid(alpha=0.3)
        ax.set_title("Pairwise PD on a complete graph", fontsize=10)
        save_figure(fig, out / "participants_pairwise.png", dpi=110)
        figures.append("`participants_pairwise.png`")
        lines += [
            "Pairwise classic PD (TitForTat and AllD, equal shares, complete graph):",
            "",
            "| N | cooperation |",
            "| --- | --- |",
        ]
        lines += [f"| {r.n_countries} | {r.mean:.3f} |" for r in agg.itertuples()]
        lines.append("")
    lines.append("Figures: " + ", ".join(figures) + ".")
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "participants",
    "Number of participants: cooperation, welfare per country and participation against N "
    "under four coordination regimes (economy with fixed regional markets), and N in the "
    "pairwise PD.",
    {
        "collective": Part(collective_points, replicates=3),
        "pairwise": Part(pairwise_points, replicates=5),
    },
    analyze_participants,
)
