"""Matplotlib figures written by the CLI, the catalogue and the lessons (PNG).

Through Matplotlib's Figure API, never pyplot: no global backend is switched and no figure is
registered with pyplot, so importing or running Pacts leaves a user's own backend (a notebook's
inline one, say) alone and figures drawn in threads (the app) do not share state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from experiments.output import atomic_write

_FIGURE_KW = frozenset({"figsize", "dpi", "facecolor", "layout"})


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure and its axes, as ``pyplot.subplots`` (same arguments: ``figsize`` and the
    like go to the figure, ``sharex``, ``squeeze``, ``gridspec_kw`` … to ``Figure.subplots``)."""
    fig = Figure(**{k: kwargs.pop(k) for k in list(kwargs) if k in _FIGURE_KW})
    return fig, fig.subplots(nrows, ncols, **kwargs)


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Lay out and write a figure as PNG (atomically: no half-written file)."""
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, dpi=dpi, format="png"))
    return Path(path)


def cooperation_figure(
    rounds: pd.DataFrame,
    path: str | Path,
    title: str,
    thresholds: dict[str, float] | None = None,
    continuation: float | None = None,
) -> Path:
    """Cooperation and mutual cooperation over time, with strategy shares below when they move."""
    share_cols = [c for c in rounds.columns if c.startswith("share_")]
    evolving = any(rounds[c].nunique() > 1 for c in share_cols)
    fig, axes = subplots(
        2 if evolving else 1, 1, figsize=(8, 6.5 if evolving else 4), sharex=True, squeeze=False
    )
    ax = axes[0, 0]
    ax.plot(
        rounds["round"],
        rounds["cooperation"],
        label="cooperation (share of C moves)",
        color="tab:green",
        lw=1.5,
    )
    ax.plot(
        rounds["round"],
        rounds["mutual_cooperation"],
        label="mutual cooperation",
        color="tab:blue",
        lw=1.2,
        alpha=0.8,
    )
    ax.plot(rounds["round"], rounds["trust"], label="trust", color="tab:gray", lw=1, ls="--")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("share")
    ax.set_title(title, fontsize=11)
    if thresholds and continuation is not None:
        text = f"δ = {continuation:g}; " + ", ".join(
            f"{k} δ* = {v:.2f}" for k, v in thresholds.items()
        )
        ax.text(0.01, 0.02, text, transform=ax.transAxes, fontsize=8, color="0.3")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.grid(alpha=0.3)
    if evolving:
        shares = rounds[share_cols].rename(columns=lambda c: c.removeprefix("share_"))
        axes[1, 0].stackplot(
            rounds["round"], shares.T.to_numpy(), labels=shares.columns, alpha=0.85
        )
        axes[1, 0].set_ylabel("strategy share")
        axes[1, 0].set_ylim(0, 1)
        axes[1, 0].legend(loc="upper left", fontsize=7, ncol=2, framealpha=0.9)
    axes[-1, 0].set_xlabel("round")
    save_figure(fig, path, dpi=120)
    return Path(path)


def welfare_figure(rounds: pd.DataFrame, path: str | Path, title: str) -> Path:
    """Regional welfare against the plan and the optimum, with duplication, shortfall and
    participation below — the price of non-coordination made visible."""
    fig, (top, bottom) = subplots(2, 1, figsize=(8, 6.5), sharex=True)
    x = rounds["round"]
    top.plot(x, rounds["optimum"], color="black", lw=1.2, ls="--", label="optimum W_opt")
    top.plot(x, rounds["plan_welfare"], color="tab:blue", lw=1.2, label="the plan, if followed")
    top.plot(x, rounds["welfare"], color="tab:green", lw=1.6, label="realised welfare W")
    top.fill_between(
        x,
        rounds["welfare"],
        rounds["optimum"],
        color="tab:red",
        alpha=0.12,
        label="price of non-coordination",
    )
    top.set_ylabel("regional welfare")
    top.set_title(title, fontsize=11)
    top.legend(loc="lower right", fontsize=8, framealpha=0.9)
    top.grid(alpha=0.3)
    bottom.plot(x, rounds["participation"], color="tab:purple", label="participation")
    bottom.plot(x, rounds["shortfall"], color="tab:orange", label="shortfall (share of demand)")
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_ylabel("share")
    twin = bottom.twinx()
    twin.plot(x, rounds["duplication"], color="tab:brown", ls=":", label="duplicated plants")
    twin.set_ylabel("duplicated plants")
    twin.set_ylim(bottom=0, top=max(1.0, float(rounds["duplication"].max()) * 1.1))
    lines = bottom.get_lines() + twin.get_lines()
    bottom.legend(lines, [ln.get_label() for ln in lines], loc="upper right", fontsize=8)
    bottom.set_xlabel("round")
    bottom.grid(alpha=0.3)
    save_figure(fig, path, dpi=120)
    return Path(path)


def tournament_figure(table: pd.DataFrame, path: str | Path, title: str) -> Path:
    """Heat map of per-pair scores per round (row player against column opponent)."""
    names = list(table.index)
    rounds_norm = table["total"] / table["per_round"] / len(names)
    scores = table[names].div(rounds_norm, axis=0)
    fig, ax = subplots(figsize=(1.0 * len(names) + 3, 0.7 * len(names) + 2))
    im = ax.imshow(scores.to_numpy(), cmap="viridis")
    ax.set_xticks(range(len(names)), names, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(
        range(len(names)),
        [f"{n} (#{r})" for n, r in zip(names, table["rank"], strict=True)],
        fontsize=8,
    )
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(
                j,
                i,
                f"{scores.iat[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if scores.iat[i, j] < scores.to_numpy().mean() else "black",
            )
    fig.colorbar(im, ax=ax, label="payoff per round (row player)")
    ax.set_title(title, fontsize=11)
    save_figure(fig, path, dpi=120)
    return Path(path)
