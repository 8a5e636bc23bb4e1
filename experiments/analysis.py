"""Analysis of sweep results: replicate aggregation, critical δ, phase diagrams.

Works on the tidy DataFrame of a sweep (one row per run: the point's parameters, ``replicate``,
the result columns). Vocabulary of the paper: the *shadow of the future* δ (``continuation``),
*reliability of information* ε (``observation_error``), *quick feedback* d
(``observation_delay``), *regularity of stakes* σ (``stake_sigma``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy import stats
from scipy.optimize import isotonic_regression

from experiments.figures import save_figure, subplots

LABELS = {
    "continuation": "shadow of the future δ (continuation probability)",
    "observation_error": "unreliable information ε (misreading probability)",
    "observation_delay": "slow feedback d (rounds of delay)",
    "stake_sigma": "irregular stakes σ (spread of the stake)",
    "n_countries": "number of participants N",
    "noise": "implementation error",
    "cooperation": "long-run cooperation",
    "first_cooperation": "cooperation in the opening round",
    "welfare": "regional welfare W",
    "price_of_non_coordination": "price of non-coordination W − W_opt",
}


def label(name: str) -> str:
    """A readable axis label in the paper's vocabulary."""
    return LABELS.get(name, name.replace("_", " "))


def log_n_axis(ax: Axes, values: Sequence[float]) -> None:
    """A logarithmic x axis labelled at the given values (e.g. the N of a design), plainly."""
    ax.set_xscale("log")
    ticks = sorted({float(v) for v in values})
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def aggregate(
    df: pd.DataFrame, by: Sequence[str], metric: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean of ``metric`` over replicates per group, with the standard error and a Student-t
    confidence interval (``low``, ``high``); ``n`` replicates. Failed runs (NaN) are dropped."""
    ok = df.dropna(subset=[metric])
    grouped = ok.groupby(list(by), sort=True)[metric]
    out = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    out["sem"] = out["sd"].fillna(0.0) / np.sqrt(out["n"])
    q = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n"] - 1, 1))
    out["low"], out["high"] = out["mean"] - q * out["sem"], out["mean"] + q * out["sem"]
    return out


def crossing(x: np.ndarray, y: np.ndarray, level: float = 0.5) -> float:
    """The first x where the piecewise-linear curve y(x) rises through ``level`` (x sorted);
    NaN if it never does (the curve stays below, or starts above)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if y.size == 0 or y[0] >= level:
        return np.nan
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return np.nan
    k = above[0]
    x0, x1, y0, y1 = x[k - 1], x[k], y[k - 1], y[k]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))


def monotone_crossing(
    x: np.ndarray, means: Sequence[float], weights: np.ndarray, level: float = 0.5
) -> float:
    """:func:`crossing` of the isotonic (non-decreasing, weighted) fit of the means."""
    fit = isotonic_regression(np.asarray(means, float), weights=weights).x
    return crossing(x, fit, level)


def critical_delta(
    df: pd.DataFrame,
    metric: str = "cooperation",
    by: Sequence[str] = (),
    level: float = 0.5,
    x: str = "continuation",
    n_boot: int = 200,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The critical shadow of the future per group: the δ at which the replicate-mean of
    ``metric`` crosses ``level``, with a bootstrap interval (replicates resampled with
    replacement within each δ).

    The means are first made monotone in δ by isotonic regression (pool-adjacent-violators,
    weighted by replicates; Barlow et al. 1972), then the crossing is interpolated linearly —
    without it, noise makes the *first* crossing come early (a downward bias)."""
    rng = np.random.default_rng(seed)
    rows = []
    groups = df.groupby(list(by), sort=True) if by else [((), df)]
    for key, part in groups:
        part = part.dropna(subset=[metric])
        values = {d: g[metric].to_numpy() for d, g in part.groupby(x, sort=True)}
        xs = np.array(sorted(values))
        weights = np.array([values[d].size for d in xs], float)
        estimate = monotone_crossing(xs, [values[d].mean() for d in xs], weights, level)
        boots = [
            monotone_crossing(
                xs, [rng.choice(values[d], values[d].size).mean() for d in xs], weights, level
            )
            for _ in range(n_boot)
        ]
        boots = np.array([b for b in boots if np.isfinite(b)])
        lo, hi = (
            np.quantile(boots, [(1 - confidence) / 2, (1 + confidence) / 2])
            if boots.size
            else (np.nan, np.nan)
        )
        keys = key if isinstance(key, tuple) else (key,)
        rows.append(
            {**dict(zip(by, keys, strict=True)), "critical": estimate, "low": lo, "high": hi}
        )
    return pd.DataFrame(rows)


def phase_diagram(
    df: pd.DataFrame,
    x: str,
    y: str,
    metric: str,
    path: str | Path,
    title: str,
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    ax: Axes | None = None,
) -> Path | None:
    """Heat map of the replicate-mean ``metric`` over (x, y), analytic curves drawn over it
    (``curves``: label -> (x values, y values)). Writes ``path`` unless an ``ax`` is given."""
    table = aggregate(df, [y, x], metric).pivot(index=y, columns=x, values="mean")
    own = ax is None
    if own:
        fig, ax = subplots(figsize=(7, 4.5))
    xs, ys = table.columns.to_numpy(float), table.index.to_numpy(float)
    mesh = ax.pcolormesh(
        _edges(xs),
        _edges(ys),
        table.to_numpy(),
        cmap="RdYlGn",
        vmin=0,
        vmax=1 if df[metric].max() <= 1 else None,
        shading="flat",
    )
    for (name, (cx, cy)), style in zip(
        (curves or {}).items(), ("-", "--", ":", "-."), strict=False
    ):
        ax.plot(cx, cy, color="black", lw=1.6, ls=style, label=name)
    if curves:
        ax.legend(loc="upper left", fontsize=7, framealpha=0.85)
    ax.set_xlim(_edges(xs)[0], _edges(xs)[-1])
    ax.set_ylim(_edges(ys)[0], _edges(ys)[-1])
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y))
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(mesh, ax=ax, label=label(metric))
    if not own:
        return None
    save_figure(fig, path, dpi=120)
    return Path(path)


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted grid centres (for pcolormesh)."""
    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.concatenate(([2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]))
