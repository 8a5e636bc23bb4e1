"""Matplotlib figures of the app: the country network and the time series.

Each session keeps its own :class:`NetworkPlot` and :class:`SeriesPlot`. They are
``matplotlib.figure.Figure`` objects (never pyplot, whose global state all browser sessions
would share) drawn with blitting, matplotlib's animation technique: the static parts (axes,
ticks, titles, legends) are drawn once into a cached background and each Step redraws only the
data artists, then encodes the canvas as PNG with Pillow's fast setting, so a Step costs a few
milliseconds instead of a full redraw (B7). All figures are built and drawn on one drawing
thread (:func:`drawing`): matplotlib's font cache is shared between threads, so concurrent
sessions must not race (and the Altair renderer race of NOTES-browser.md does not arise), and
matplotlib keeps its fonts per thread, so drawing from each browser tab's own thread would
load them again for every tab. Text that can come from a scenario (country names, the
scenario's name) is drawn as plain text, never parsed as mathtext.

Colours carry meaning: green = cooperation, red = defection, and each strategy keeps its colour
in every figure.
"""

from __future__ import annotations

import concurrent.futures
import io
import math
import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from viz.session import Session

STRATEGY_COLOURS = {
    "AllC": "#2ca02c",
    "AllD": "#d62728",
    "Random": "#7f7f7f",
    "TitForTat": "#1f77b4",
    "SuspiciousTitForTat": "#9467bd",
    "GenerousTitForTat": "#17becf",
    "TitForTwoTats": "#6baed6",
    "Grim": "#8c564b",
    "WinStayLoseShift": "#ff7f0e",
    "Calculating": "#bcbd22",
    "CooperativeHegemon": "#e377c2",
    "CoerciveHegemon": "#7b0a3a",
    "Alternator": "#c7c7c7",
}
EDGE_COLOURS = ("#d62728", "#ff9f1c", "#2ca02c")  # both defected, one side, both cooperated
EDGE_LABELS = ("both went alone", "one-sided", "mutual cooperation")


def strategy_colour(name: str) -> str:
    """The fixed colour of a strategy (grey for unknown names, e.g. memory-one rules)."""
    return STRATEGY_COLOURS.get(name, "#999999")


class _DrawingThread:
    """One long-lived thread that runs every matplotlib call of the app, in order."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if threading.current_thread() is self._thread:
            return fn(*args)
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="pacts-draw", daemon=True)
                # Solara gives a new thread the creating tab's kernel; this one serves them all
                self._thread.current_context = None  # type: ignore[attr-defined]
                self._thread.start()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((future, fn, args))
        return future.result()

    def _loop(self) -> None:
        while True:
            future, fn, args = self._jobs.get()
            try:
                future.set_result(fn(*args))
            except BaseException as err:
                future.set_exception(err)
            del future, fn, args  # hold nothing of a session between jobs


_DRAWING = _DrawingThread()


def drawing(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on the app's drawing thread (see the module docstring); its result."""
    return _DRAWING.run(fn, *args)


DPI = 80
X_LADDER = (25, 50, 100, 200, 500, 1000, 2000, 5000)


class LivePlot:
    """A figure whose static parts are cached and whose data artists are redrawn per render.

    Subclasses build the figure, register the data artists with :meth:`live` (drawn in that
    order) and implement :meth:`update`; they call :meth:`invalidate` when something static
    changes (axis limits).
    """

    def __init__(self, figsize: tuple[float, float]):
        self.fig = Figure(figsize=figsize, dpi=DPI)
        FigureCanvasAgg(self.fig)
        self._live: list[Artist] = []
        self._background = None

    def live(self, artist: Artist) -> Artist:
        """Register a data artist (drawn on top of the cached background)."""
        artist.set_animated(True)
        self._live.append(artist)
        return artist

    def invalidate(self) -> None:
        """Redraw the static background at the next render."""
        self._background = None

    def update(self, session: Session) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        """Release the figure (its artists and the canvas's pixel buffers)."""
        self._live.clear()
        self._background = None
        drawing(self.fig.clear)
        vars(self.fig.canvas).pop("renderer", None)

    def render(self, session: Session) -> bytes:
        """Update from the session and return the figure as PNG bytes (thread-safe)."""
        return drawing(self._render, session)

    def _render(self, session: Session) -> bytes:
        self.update(session)
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._live:
            (artist.axes or self.fig).draw_artist(artist)
        size = canvas.get_width_height()
        image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


class NetworkPlot(LivePlot):
    """The country network after the last round.

    Nodes: fill = strategy, area ∝ economic size (collective mode; equal otherwise), a thick
    dark outline for members of the coordination arrangement and a pale one for countries
    outside it. Edges: green = both cooperated last round, orange = one side, red = neither
    (grey before the first round). The hegemon wears a gold star; the coordinator is the square
    in the middle, linked by dotted spokes to the members it brokers for.
    """

    def __init__(self, session: Session):
        super().__init__((5.6, 5.6))
        model, eng = session.model, session.model.engine
        self.pos = pos = session.positions
        n = eng.N
        ax = self.fig.add_axes((0.02, 0.17, 0.96, 0.78))
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_xlim(-1.25, 1.25)
        ax.set_ylim(-1.25, 1.25)
        ax.set_title(session.name, fontsize=10, parse_math=False)
        pairs, _ = session.edge_states()
        lattice = session.config.network == "lattice"
        # a torus's wrap-around edges would cross the whole picture: only neighbours are drawn
        step = 2 / max(math.isqrt(n) - 1, 1)
        self.drawn = (
            np.abs(pos[pairs[:, 0]] - pos[pairs[:, 1]]).max(axis=1) <= step * 1.01
            if lattice
            else np.ones(len(pairs), bool)
        )
        self.edges = self.live(
            LineCollection(pos[pairs[self.drawn]], linewidths=1.6 if n <= 30 else 0.9, alpha=0.75)
        )
        ax.add_collection(self.edges)
        base = 420 * min(1.0, 16 / n)
        if lattice and n > 100:  # large grids: squares that tile the picture, like pd_grid
            base = (0.8 * 0.96 * 5.6 * 72 * step / 2.5) ** 2
        if session.collective:
            sizes = np.asarray(model.economy.sizes, float)
            self.area = base * 3 * sizes / sizes.max() + 30
        else:
            self.area = np.full(n, base)
        self.spokes = None
        if session.collective and model.coordinator is not None:
            self.spokes = self.live(
                LineCollection([], colors="#555555", linewidths=0.6, linestyles=":")
            )
            ax.add_collection(self.spokes)
        marker = "s" if lattice and n > 100 else "o"
        self.nodes = self.live(
            ax.scatter(pos[:, 0], pos[:, 1], s=self.area, marker=marker, zorder=3)
        )
        if self.spokes is not None:
            self.live(ax.scatter([0], [0], s=260, marker="s", c="#ffd166", edgecolors="#222222"))
            ax.annotate(
                "coordinator",
                (0, 0),
                (0, -14),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8,
            )
        hegemon = getattr(eng, "hegemon_id", None)
        if hegemon is not None:
            x, y = pos[hegemon]
            self.live(ax.scatter([x], [y], s=160, marker="*", c="gold", edgecolors="black"))
            ax.annotate(
                "hegemon",
                (x, y),
                (5 + math.sqrt(self.area[hegemon]) / 2, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=8,
                fontweight="bold",
            )
        if n <= 20:
            for i in range(n):
                label = str(eng.graph.nodes[i].get("label", i))
                ax.annotate(
                    label,
                    tuple(pos[i]),
                    (0, -9 - math.sqrt(self.area[i]) / 2),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=7,
                    parse_math=False,  # a scenario's name, not mathtext
                )
        handles = [
            Patch(facecolor=strategy_colour(s), edgecolor="#333333", label=s)
            for s in eng.strategy_names
        ]
        handles += [
            Line2D([], [], color=c, lw=2, label=lab)
            for c, lab in zip(EDGE_COLOURS[::-1], EDGE_LABELS[::-1], strict=True)
        ]
        if session.collective:
            handles += [
                Line2D(
                    [],
                    [],
                    ls="",
                    marker="o",
                    mfc="white",
                    mec="#222222",
                    mew=2.4,
                    ms=9,
                    label="member",
                ),
                Line2D(
                    [], [], ls="", marker="o", mfc="white", mec="#cccccc", ms=9, label="outside"
                ),
            ]
        self.fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False)

    def update(self, session: Session) -> None:
        eng = session.model.engine
        state = session.edge_states()[1][self.drawn]
        if session.round == 0:
            self.edges.set_colors(["#bbbbbb"] * len(state))
        else:
            self.edges.set_colors([EDGE_COLOURS[s] for s in state])
        names = [eng.strategy_names[k] for k in eng.strategy_of_country[0]]
        self.nodes.set_facecolors([strategy_colour(s) for s in names])
        if session.collective:
            members = eng.members[0]
            self.nodes.set_edgecolors(np.where(members, "#222222", "#cccccc"))
            self.nodes.set_linewidths(np.where(members, 2.4, 1.0))
            if self.spokes is not None:
                self.spokes.set_segments(
                    [[(0.0, 0.0), tuple(self.pos[i])] for i in np.flatnonzero(members)]
                )
        else:
            self.nodes.set_edgecolors("#333333")
            self.nodes.set_linewidths(0.8)


def _legend_below(ax: Axes) -> None:
    """A legend under the axes' tick labels (and x label), where it never hides the data."""
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22 if ax.get_xlabel() else -0.11),
        ncol=3,
        frameon=False,
        handlelength=1.5,
        columnspacing=1.0,
    )


def _stacked_areas(x: np.ndarray, shares: np.ndarray) -> list[np.ndarray]:
    """One polygon per strategy: the band between its cumulative share and the one below it
    (what ``Axes.stackplot`` draws, as a single collection that can be updated in place)."""
    top = np.cumsum(shares, axis=0)
    bottom = np.vstack([np.zeros_like(x, dtype=float), top[:-1]])
    return [
        np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([hi, lo[::-1]])])
        for lo, hi in zip(bottom, top, strict=True)
    ]


class SeriesPlot(LivePlot):
    """The run's time series. Collective mode: cooperation and participation, welfare against
    the plan's and the optimum, the price of non-coordination W − W_opt, duplication,
    shortfall and strategy shares. Pairwise mode: cooperation, mutual cooperation and trust,
    payoff per interaction and strategy shares. The round axis grows in steps (25, 50, 100, …)
    so the background is redrawn only when it does."""

    def __init__(self, session: Session):
        collective = session.collective
        super().__init__((9.6, 5.6) if collective else (9.6, 3.0))
        self.cap = session.config.rounds
        axes = self.fig.subplots(2 if collective else 1, 3, squeeze=False).ravel()
        self.fig.subplots_adjust(
            left=0.07,
            right=0.99,
            top=0.94 if collective else 0.9,
            bottom=0.08 if collective else 0.3,
            wspace=0.28,
            hspace=0.6,
        )
        self.axes = axes
        self.lines: list[tuple[Line2D, str]] = []
        self.min_span: dict[Axes, tuple[str, float]] = {}  # axis -> (column, share of its size)
        self.free: list[tuple[Axes, tuple[str, ...]]] = []  # axes whose y-range follows data

        def line(ax: Axes, column: str, **style) -> None:
            (artist,) = ax.plot([], [], **style)
            self.lines.append((self.live(artist), column))

        ax = axes[0]
        line(ax, "cooperation", color="#2ca02c", lw=1.5, label="cooperation")
        if collective and session.config.regime != "none":  # "none": no arrangement to join
            line(ax, "participation", color="#1f77b4", lw=1.2, label="participation")
        else:
            line(ax, "mutual_cooperation", color="#1f77b4", lw=1.2, label="mutual coop.")
        line(ax, "trust", color="#7f7f7f", lw=1, ls="--", label="trust")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title("cooperation", fontsize=9)
        ax.set_ylabel("share (0–1)", fontsize=8)
        if collective:
            ax = axes[1]
            line(ax, "welfare", color="#2ca02c", lw=1.5, label="W realised")
            line(ax, "plan_welfare", color="#1f77b4", lw=1, label="W of the plan")
            line(ax, "optimum", color="black", lw=1, ls="--", label="W_opt")
            ax.set_title("regional welfare vs the optimum", fontsize=9)
            ax.set_ylabel("W (economy units / round)", fontsize=8)
            self.free.append((ax, ("welfare", "plan_welfare", "optimum")))
            ax = axes[2]
            line(ax, "price_of_non_coordination", color="#d62728", lw=1.2)
            ax.axhline(0, color="black", lw=0.6)
            ax.set_title("price of non-coordination W − W_opt", fontsize=9)
            ax.set_ylabel("economy units / round", fontsize=8)
            self.free.append((ax, ("price_of_non_coordination",)))
            # at least 10 % of W_opt tall: a gap of −0.1 against W_opt ≈ 34 must look small
            self.min_span[ax] = ("optimum", 0.1)
            line(axes[3], "duplication", color="#ff7f0e", lw=1.4)
            axes[3].set_title("duplication (surplus plants)", fontsize=9)
            axes[3].set_ylabel("plants", fontsize=8)
            self.free.append((axes[3], ("duplication",)))
            line(axes[4], "shortfall", color="#9467bd", lw=1.4)
            axes[4].set_title("supply-chain shortfall (share)", fontsize=9)
            axes[4].set_ylabel("share of needed demand", fontsize=8)
            self.free.append((axes[4], ("shortfall",)))
        else:
            line(axes[1], "mean_payoff", color="#1f77b4", lw=1.3)
            axes[1].set_title("payoff per interaction", fontsize=9)
            axes[1].set_ylabel("stage-game payoff (T, R, P, S units)", fontsize=8)
            self.free.append((axes[1], ("mean_payoff",)))
        self.shares_ax = axes[-1]
        self.shares_ax.set_ylim(0, 1)
        self.shares_ax.set_title("strategy shares (as in the network)", fontsize=9)
        self.share_names = list(session.model.engine.strategy_names)
        self.shares = self.live(
            PolyCollection(
                [],
                facecolors=[strategy_colour(n) for n in self.share_names],
                alpha=0.9,
                linewidths=0,
            )
        )
        self.shares_ax.add_collection(self.shares)
        self.shares_ax.set_ylabel("share of countries", fontsize=8)
        for ax in axes:
            ax.tick_params(labelsize=8)
            ax.set_xlim(0, X_LADDER[0])
        for ax in axes[-3:]:
            ax.set_xlabel("round", fontsize=8)
        for ax, _ in self.free:
            ax.set_ylim(0, 1)
        _legend_below(axes[0])
        if collective:
            _legend_below(axes[1])

    def _fit_limits(self, t: int, frame) -> None:
        xmax = next((c for c in X_LADDER if c >= t), t)
        xmax = max(min(xmax, self.cap), t, 1)
        if xmax != self.axes[0].get_xlim()[1]:
            for ax in self.axes:
                ax.set_xlim(0, xmax)
            self.invalidate()
        for ax, columns in self.free:
            lo_now, hi_now = ax.get_ylim()
            values = frame[list(columns)].to_numpy()
            lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
            if ax in self.min_span:  # a floor on the axis' height, relative to a reference
                column, share = self.min_span[ax]
                floor = share * float(np.abs(frame[column].to_numpy()).max())
                lo = min(lo, -floor) if hi <= 0 else lo
                hi = max(hi, floor) if lo >= 0 else hi
            if lo < lo_now or hi > hi_now:
                pad = 0.15 * max(hi - lo, 1e-9)
                ax.set_ylim(lo - pad if lo < 0 else lo, hi + pad if hi > 0 else hi + pad * 0.1)
                self.invalidate()

    def update(self, session: Session) -> None:
        frame = session.rounds_frame()
        t = session.round
        if t:
            self._fit_limits(t, frame)
        r = frame["round"].to_numpy()
        for artist, column in self.lines:
            artist.set_data(r, frame[column].to_numpy())
        if t:
            shares = frame[[f"share_{s}" for s in self.share_names]].to_numpy().T
            self.shares.set_verts(_stacked_areas(r, shares))
