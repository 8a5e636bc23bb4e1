"""Compare: the tab's setting (A) beside one changed setting (B), run for the same rounds with the
same seed, drawn on the same axes (issue 12: "two scenarios side by side").

B is written as changes to A in the address's form (``continuation=0.4``,
``regime=none&hegemon=cooperative``), so what is compared is exactly one named difference — the
kind of comparison the lessons make (two δ, two regimes). The runs are separate models: the tab's
own model is not touched.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model.config import ModelConfig
from model.region import RegionModel
from viz.view import check_limits, field_value

MAX_ROUNDS = 500
"""Rounds of a comparison at most (two models are run at once, on the server)."""


_METRICS = ("cooperation", "welfare", "participation", "mean_payoff", "price_of_non_coordination")
"""What the long-run table compares (those both runs have)."""


@dataclass(frozen=True)
class Comparison:
    """Both runs' per-round metrics (``a``, ``b``), their labels, and the long-run table."""

    a: pd.DataFrame
    b: pd.DataFrame
    label_a: str
    label_b: str

    def summary(self) -> pd.DataFrame:
        """Means over the second half of the rounds (the long run) of the metrics both have."""
        metrics = [m for m in _METRICS if m in self.a and m in self.b]
        half = max(1, len(self.a) // 2)
        return pd.DataFrame(
            {
                "metric": metrics,
                self.label_a: [float(self.a[m].iloc[half:].mean()) for m in metrics],
                self.label_b: [float(self.b[m].iloc[half:].mean()) for m in metrics],
            }
        )


def changes(text: str) -> dict:
    """``field=value&field=value`` → the changed fields (values read as the address reads
    them; ``strategies`` as a mix). Unknown fields and bad values raise ValueError."""
    out = {}
    for key, value in parse_qsl(text.strip().lstrip("?"), keep_blank_values=True):
        key = key.strip()
        try:
            out[key] = field_value(key, value)
        except ValueError as err:
            raise ValueError(f"compare with: {key}: {err}") from None
    if not out:
        raise ValueError(
            "compare with: nothing changed; allowed: field=value pairs, e.g. continuation=0.4 "
            "or regime=none&hegemon=cooperative"
        )
    return out  # unknown fields and bad values: ModelConfig.replace names them


def compare(config: ModelConfig, seed: int, text: str, rounds: int) -> Comparison:
    """Run A (``config``) and B (``config`` with ``text``'s changes) for ``rounds`` rounds with
    the same seed."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValueError(f"rounds = {rounds}: allowed: 1 to {MAX_ROUNDS}")
    changed = changes(text)
    other = config.replace(**changed)
    check_limits(other, seed)
    frames = []
    for cfg in (config, other):
        model = RegionModel(cfg, seed=seed)
        model.run(rounds)
        frames.append(model.datacollector.get_model_vars_dataframe())
    label_b = ", ".join(f"{k} = {_shown(v)}" for k, v in changed.items())
    label_a = ", ".join(f"{k} = {_shown(getattr(config, k))}" for k in changed)
    return Comparison(frames[0], frames[1], f"A: {label_a}", f"B: {label_b}")


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {w:g}" for k, w in value.items())
    return str(value)


def comparison_png(result: Comparison, dpi: int = 100) -> bytes:
    """Cooperation (and W in collective mode) of A and B over the rounds, on the same axes."""
    panels = [("cooperation", "cooperation (share of C)", (0, 1))]
    if "welfare" in result.a:
        panels.append(("welfare", "regional welfare W (economy units per round)", None))
    else:
        panels.append(("mean_payoff", "mean payoff per interaction (stage-game units)", None))
    fig = Figure(figsize=(9, 3.4), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (metric, ylabel, ylim) in zip(axes, panels, strict=True):
        for frame, label, colour in (
            (result.a, result.label_a, "#1f77b4"),
            (result.b, result.label_b, "#d62728"),
        ):
            ax.plot(frame["round"], frame[metric], color=colour, lw=1.6, label=label)
        ax.set_xlabel("round")
        ax.set_ylabel(ylabel, fontsize=9)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=9, loc="best")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def long_run_gap(result: Comparison, metric: str = "cooperation") -> float:
    """B's long-run mean minus A's (what the figure shows, in one number)."""
    row = result.summary().set_index("metric").loc[metric]
    return float(row[result.label_b] - row[result.label_a])
