"""The economy view (issue 12): who builds which plant, the plan against going alone, each
country's payoff, the transfers, the game each country faces and its δ*_i.

* :func:`economy_table` — one row per country (collective mode): the plan's sectors for it, what
  it built last round and the difference in words, its payoff last round against the plan's and
  going alone's, the transfer it received, its implied game and δ*_i;
* :func:`sector_table` — one row per sector: plants planned, built and supported by the
  regional market, with duplication and shortfall in words;
* :func:`payoff_table` — pairwise mode: each country's payoff and strategy;
* :class:`EconomyPlot` — the per-country payoff bars (plan, going alone, realised; pairwise:
  payoff coloured by strategy) and the Gini coefficient of payoffs per round (collective);
* :class:`EconomyView` — one tab's tables and PNG, refreshed per Step only while the view is
  shown (:meth:`viz.view.TabView.show_economy`);
* :func:`EconomyPanel` — the Solara component (the app's "Economy" tab).

Everything is read from the engine's arrays for replicate 0 (no pass over agents or edges).
Country and sector names come from scenario files or the page address: the panel shows them as
plain text (:func:`viz.app.TextTable`), never as Markdown or HTML, and the figure draws them
with mathtext off.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from model.games import class_label
from viz.charts import X_LADDER, LivePlot, drawing, strategy_colour
from viz.session import Session

PLAN_COLOUR = "#1f77b4"
ALONE_COLOUR = "#9e9e9e"
FOLLOWED_COLOUR = "#2ca02c"  # green = cooperation (as in every figure of the app)
WENT_ALONE_COLOUR = "#d62728"  # red = defection
OUTSIDER_COLOUR = "#bcbcbc"
MAX_NAMED = 25  # countries named under the bars (beyond: ids)

COUNTRY_COLUMNS = {
    "country": "country",
    "member": "member",
    "followed": "last move",
    "planned": "the plan assigns",
    "built": "built last round",
    "difference": "plan vs built",
    "payoff": "payoff last round",
    "plan_payoff": "under the plan",
    "alone": "going alone",
    "transfer": "transfer received",
    "game": "game under the plan",
    "delta_star": "δ*",
}
"""The country table's columns and their headers in the panel."""

SECTOR_COLUMNS = {
    "sector": "sector",
    "planned": "plants planned",
    "built": "plants built",
    "supported": "the market supports",
    "duplication": "duplication",
    "note": "what happened",
}
"""The sector table's columns and their headers in the panel."""

EXPLANATIONS = """\
- **Plan**: the coordinator's plan says which country should build which plants; for a country \
outside the arrangement it is what the council expects that country to build on its own.
- **C / D**: a member followed its part of the plan (C) or went its own way (D); "–" marks a \
country outside the arrangement, which follows no plan.
- **Went alone**: a country that does not follow the plan builds its best response instead \
(to the plan while it expects the others to follow it, to the status quo once the agreement has \
broken in its eyes).
- **Going alone** (the outside option): what a country earns in the status quo, where every \
country best-responds and nobody coordinates; the plan must pay a country at least this for it \
to join.
- **Payoffs**: the plan's and going alone's are the economy's payoffs only; the realised payoff \
also counts membership costs, fines and transfers.
- **Duplication**: more plants in a sector than its regional market supports, so they share the \
market and each earns less.
- **Shortfall**: plants the plan asks for that nobody built; a needed sector with no regional \
producer leaves a gap in the supply chain.
- **Transfer**: a side payment (from the supranational pool or a cooperative hegemon) to a \
member that followed the plan, lifting what the plan pays it up to its outside option.
- **Game**: the 2×2 game the plan implies for the country (following against going alone, \
when the others follow or not).
- **δ\\***: the shortest shadow of the future at which a forward-looking government follows its \
part of the plan ("any δ": following already pays; "never": no δ makes it follow).
"""
"""The panel's caption: what each word of the tables means, one sentence each."""

PAIRWISE_EXPLANATION = (
    "Each bar is a country's payoff in the last round, summed over its relationships, "
    "coloured by the strategy it plays. Pairwise mode has no plan and no plants: switch the "
    "mode to collective to see who builds what."
)


# ------------------------------------------------------------------ data


def _engine(source: Any) -> Any:
    """The engine of a :class:`~viz.session.Session`, a :class:`~model.region.RegionModel` or
    an engine itself."""
    if isinstance(source, Session):
        source = source.model
    return getattr(source, "engine", source)


def _collective(engine: Any) -> None:
    if not hasattr(engine, "plan"):
        raise ValueError(
            "the economy view needs a collective-mode model (mode = 'collective'); "
            "pairwise mode has no plan or plants (payoff_table shows its payoffs)"
        )


def last_stake(engine: Any) -> float:
    """The stake multiplier of the last round played in replicate 0 (1 before the first round
    and whenever stakes are constant). The plan's and going alone's payoffs are scaled by it so
    that they compare with the realised payoff of the same round."""
    if engine.t == 0 or engine.config.stake_sigma == 0:
        return 1.0
    # the engine keeps its current block of stakes; round t − 1 was drawn from it
    block = getattr(engine, "_stake_block", None)
    if block is None:
        return 1.0
    return float(block[(engine.t - 1) % engine._block][0])


def _names(sectors: list[str], row: np.ndarray) -> list[str]:
    return [sectors[k] for k in np.flatnonzero(row)]


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def difference_words(planned: list[str], built: list[str]) -> str:
    """The plan against what a country built, in words: "built as planned", "went alone: built
    X instead of Y", "went alone: also built X", "left out Z" (names in the plan's order).

    >>> difference_words(["cells"], ["cells"])
    'built as planned'
    >>> difference_words(["cells", "modules"], ["wafers"])
    'went alone: built wafers instead of cells and modules'
    >>> difference_words(["cells", "modules"], ["cells"])
    'left out modules'
    """
    extra = [s for s in built if s not in planned]
    missing = [s for s in planned if s not in built]
    if not extra and not missing:
        return "built as planned" if planned else "built nothing, as planned"
    if extra and missing:
        return f"went alone: built {_join(extra)} instead of {_join(missing)}"
    if extra:
        return f"went alone: also built {_join(extra)}"
    return f"left out {_join(missing)}"


def _difference(planned: list[str], built: list[str], defected: bool) -> str:
    words = difference_words(planned, built)
    if defected and planned == built:  # its best response happens to be its part of the plan
        return "went its own way, but built the same plants as planned"
    return words


def in_arrangement(eng) -> np.ndarray:
    """Which countries take part in a coordination arrangement (replicate 0): the engine's
    members, and nobody under regime "none" — there every country plans alone, so showing it
    as a member (or participation as 100 %) would say the opposite of what happens."""
    return eng.members[0].astype(bool) & (eng.config.regime != "none")


def economy_table(source: Any) -> pd.DataFrame:
    """One row per country of replicate 0 (collective mode), in country order.

    Columns (:data:`COUNTRY_COLUMNS`): ``country`` (its name), ``member`` (takes part in the
    arrangement), ``followed`` ("C" if it followed the plan last round, "D" if not, "–" outside
    the arrangement or before the first round), ``planned`` (the plan's sectors for it) and
    ``built`` (the sectors it built last round; both names joined by ", "), ``difference``
    (:func:`difference_words`; a member that did not follow the plan but whose best response
    is its part of the plan "went its own way, but built the same plants as planned"),
    ``payoff`` (its realised payoff last round: economy × stake,
    membership costs, fines and transfers), ``plan_payoff`` (the economy's payoff to it if all
    followed the plan) and ``alone`` (its outside option, the status quo's payoff), both at last
    round's stake, ``transfer`` (the side payment it received last round), ``game`` (its implied
    game under the plan, in words) and ``delta_star`` (δ*_i: 0 at any δ, inf never). Before the
    first round the last-round columns are empty (NaN, "").

    ``source``: a :class:`~viz.session.Session`, a :class:`~model.region.RegionModel` or a
    :class:`~model.engine.CollectiveEngine`.
    """
    eng = _engine(source)
    _collective(eng)
    econ = eng.economies[0]
    sectors = [s.name for s in econ.sectors]
    played = eng.t > 0
    stake = last_stake(eng)
    member = in_arrangement(eng)
    planned = [_names(sectors, row) for row in eng.plan[0]]
    built = [_names(sectors, row) for row in eng.investments[0]] if played else None
    followed = np.where(eng.country_actions[0], "C", "D")
    followed = np.where(member & played, followed, "–")
    nan = np.full(eng.N, np.nan)
    classes = eng.game_classes[0] or [""] * eng.N
    return pd.DataFrame(
        {
            "country": [str(c) for c in econ.countries],
            "member": member,
            "followed": followed,
            "planned": [", ".join(p) for p in planned],
            "built": [", ".join(b) for b in built] if built else [""] * eng.N,
            "difference": (
                [
                    _difference(p, b, f == "D")
                    for p, b, f in zip(planned, built, followed, strict=True)
                ]
                if built is not None
                else ["no round played yet"] * eng.N
            ),
            "payoff": eng.country_payoff_last[0].astype(float) if played else nan,
            "plan_payoff": eng.plan_payoff[0] * stake,
            "alone": eng.outside_option[0] * stake,
            "transfer": eng.transfers_last[0].astype(float) if played else nan,
            "game": [class_label(c) if c else "" for c in classes],
            "delta_star": eng.critical_deltas(0),
        }
    )


def sector_table(source: Any) -> pd.DataFrame:
    """One row per sector of replicate 0's economy (collective mode).

    Columns (:data:`SECTOR_COLUMNS`): ``sector``, ``planned`` (plants the plan assigns, over all
    countries), ``built`` (plants built last round), ``supported`` (n̄_k, the plants the sector's
    regional market supports), ``duplication`` (built beyond that, max(0, built − supported):
    their sum is the round's ``duplication`` series), ``needed`` (a missing producer causes a
    shortfall) and ``note`` in words (duplication; shortfall = planned but not built; a needed
    sector nobody builds; more than planned; "as planned").
    """
    eng = _engine(source)
    _collective(eng)
    econ = eng.economies[0]
    played = eng.t > 0
    planned = eng.plan[0].sum(axis=0).astype(int)
    built = eng.investments[0].sum(axis=0).astype(int)
    supported = np.asarray(econ.sector_plants, int)
    duplication = np.maximum(built - supported, 0)
    notes = []
    for k in range(econ.K):
        if not played:
            notes.append("no round played yet")
            continue
        p, b, n = int(planned[k]), int(built[k]), int(supported[k])
        words = []
        if b > n:
            words.append(f"duplication: {b} plants where the market supports {n}")
        if p > b:
            words.append(f"shortfall: {p - b} planned plant{'s' * (p - b != 1)} not built")
        elif b > p and b <= n:
            words.append(f"{b - p} more than planned")
        if b == 0 and econ.needed[k]:
            words.append("nobody builds it: a gap in the supply chain")
        notes.append("; ".join(words) or "as planned")
    return pd.DataFrame(
        {
            "sector": [s.name for s in econ.sectors],
            "planned": planned,
            "built": built if played else np.zeros(econ.K, int),
            "supported": supported,
            "duplication": duplication if played else np.zeros(econ.K, int),
            "needed": np.asarray(econ.needed, bool),
            "note": notes,
        }
    )


def payoff_table(source: Any) -> pd.DataFrame:
    """One row per country of replicate 0, either mode: ``country`` (name or id), ``strategy``,
    ``payoff`` (last round; pairwise: summed over its relationships) and ``total_payoff``."""
    eng = _engine(source)
    nodes = eng.graph.nodes
    return pd.DataFrame(
        {
            "country": [str(nodes[i].get("label", i)) for i in range(eng.N)],
            "strategy": [eng.strategy_names[k] for k in eng.strategy_of_country[0]],
            "payoff": eng.country_payoffs()[0].astype(float),
            "total_payoff": eng.country_payoffs(total=True)[0].astype(float),
        }
    )


# ------------------------------------------------------------------ the figure


def _bars(x: np.ndarray, heights: np.ndarray, width: float) -> np.ndarray:
    """Rectangles (n, 4, 2) from 0 to each height, centred on x."""
    h = np.nan_to_num(np.asarray(heights, float))
    lo, hi = x - width / 2, x + width / 2
    zero = np.zeros_like(h)
    return np.stack(
        [np.column_stack(p) for p in ((lo, zero), (lo, h), (hi, h), (hi, zero))], axis=1
    )


class EconomyPlot(LivePlot):
    """Per-country payoffs and (collective mode) the Gini coefficient of payoffs per round.

    Collective: three bars per country — under the plan (blue), going alone (grey) and realised
    last round (green if it followed the plan, red if it went its own way, pale outside the
    arrangement) — and the Gini line. Pairwise: one bar per country, its payoff last round,
    coloured by its strategy. Bars are one collection per series, updated in place; the y-range
    only grows (then the background is redrawn), the round axis grows in steps."""

    def __init__(self, session: Session):
        self.collective = collective = session.collective
        super().__init__((9.6, 3.4))
        eng = session.model.engine
        n = self.n = eng.N
        self.x = np.arange(n, dtype=float)
        self.cap = session.config.rounds
        if collective:
            self.ax = self.fig.add_axes((0.07, 0.3, 0.6, 0.6))
            self.gini_ax = self.fig.add_axes((0.75, 0.3, 0.23, 0.6))
        else:
            self.ax = self.fig.add_axes((0.07, 0.3, 0.91, 0.6))
            self.gini_ax = None
        ax = self.ax
        names = payoff_table(eng)["country"].tolist()
        if n <= MAX_NAMED:
            ax.set_xticks(self.x)
            ax.set_xticklabels(
                names, rotation=40, ha="right", fontsize=7, parse_math=False
            )  # a scenario's names, not mathtext
        else:
            ax.set_xlabel("country (id)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xlim(-0.7, n - 0.3)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylim(0, 1)
        if collective:
            ax.set_title("payoff per country: under the plan, going alone, realised", fontsize=9)
            w = 0.27
            self.widths = (w, w, w)
            self.offsets = (-w, 0.0, w)
            self.plan_bars = self.live(PolyCollection([], facecolors=PLAN_COLOUR, linewidths=0))
            self.alone_bars = self.live(PolyCollection([], facecolors=ALONE_COLOUR, linewidths=0))
            self.real_bars = self.live(PolyCollection([], linewidths=0))
            for c in (self.plan_bars, self.alone_bars, self.real_bars):
                ax.add_collection(c)
            handles = [
                Patch(facecolor=PLAN_COLOUR, label="under the plan"),
                Patch(facecolor=ALONE_COLOUR, label="going alone (outside option)"),
                Patch(facecolor=FOLLOWED_COLOUR, label="realised: followed the plan"),
                Patch(facecolor=WENT_ALONE_COLOUR, label="realised: went alone"),
                Patch(facecolor=OUTSIDER_COLOUR, label="realised: outside"),
            ]
            g = self.gini_ax
            g.set_title("inequality: Gini of payoffs", fontsize=9)
            g.set_xlabel("round", fontsize=8)
            g.tick_params(labelsize=7)
            g.set_xlim(0, X_LADDER[0])
            g.set_ylim(0, 0.25)
            (line,) = g.plot([], [], color="#8c564b", lw=1.4)
            self.gini_line = self.live(line)
        else:
            ax.set_title("payoff per country last round (by strategy)", fontsize=9)
            self.bars = self.live(PolyCollection([], linewidths=0))
            ax.add_collection(self.bars)
            handles = [Patch(facecolor=strategy_colour(s), label=s) for s in eng.strategy_names]
        self.fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=7, frameon=False)

    def _fit(self, values: np.ndarray) -> None:
        """Grow the payoff axis to hold ``values`` (and 0)."""
        values = values[np.isfinite(values)]
        if not values.size:
            return
        lo_now, hi_now = self.ax.get_ylim()
        lo, hi = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
        if lo < lo_now or hi > hi_now:
            pad = 0.1 * max(hi - lo, 1e-9)
            self.ax.set_ylim(lo - pad if lo < 0 else 0.0, hi + pad)
            self.invalidate()

    def _fit_gini(self, t: int, g: np.ndarray) -> None:
        ax = self.gini_ax
        xmax = next((c for c in X_LADDER if c >= t), t)
        xmax = max(min(xmax, self.cap), t, 1)
        if xmax != ax.get_xlim()[1]:
            ax.set_xlim(0, xmax)
            self.invalidate()
        top = float(g.max()) if g.size else 0.0
        if top > ax.get_ylim()[1]:
            ax.set_ylim(0, min(1.0, max(top * 1.25, ax.get_ylim()[1] * 2)))
            self.invalidate()

    def update(self, session: Session) -> None:
        eng = session.model.engine
        x = self.x
        if not self.collective:
            table = payoff_table(eng)
            pay = table["payoff"].to_numpy()
            self._fit(pay)
            self.bars.set_verts(_bars(x, pay, 0.8))
            self.bars.set_facecolors([strategy_colour(s) for s in table["strategy"]])
            return
        t = eng.t
        stake = last_stake(eng)
        plan = eng.plan_payoff[0] * stake
        alone = eng.outside_option[0] * stake
        real = eng.country_payoff_last[0] if t else np.full(self.n, np.nan)
        self._fit(np.concatenate([plan, alone, real]))
        w = self.widths[0]
        self.plan_bars.set_verts(_bars(x + self.offsets[0], plan, w))
        self.alone_bars.set_verts(_bars(x + self.offsets[1], alone, w))
        self.real_bars.set_verts(_bars(x + self.offsets[2], real, w))
        member = in_arrangement(eng)
        colours = np.where(
            member,
            np.where(eng.country_actions[0], FOLLOWED_COLOUR, WENT_ALONE_COLOUR),
            OUTSIDER_COLOUR,
        )
        self.real_bars.set_facecolors(list(colours))
        g = eng.series["gini"][:t, 0]
        if t:
            self._fit_gini(t, g)
        self.gini_line.set_data(np.arange(1, t + 1), g)


# ------------------------------------------------------------------ one tab's view


class EconomyView:
    """One tab's economy view: its figure, tables and PNG, refreshed by :meth:`refresh` (the
    tab calls it after each Step while the view is shown, and not at all otherwise)."""

    def __init__(self, session: Session):
        self.plot = drawing(EconomyPlot, session)
        self.refresh(session)

    def refresh(self, session: Session) -> None:
        """Recompute the tables and render the figure."""
        self.collective = session.collective
        if self.collective:
            self.countries = economy_table(session)
            self.sectors = sector_table(session)
        else:
            self.countries = payoff_table(session)
            self.sectors = None
        self.png = self.plot.render(session)

    def close(self) -> None:
        """Release the figure."""
        self.plot.close()
        self.png = b""


# ------------------------------------------------------------------ the component


def _number(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.2f}"


def country_rows(table: pd.DataFrame) -> list[list[str]]:
    """The country table's cells as text, in :data:`COUNTRY_COLUMNS` order."""
    from viz.app import _fmt

    rows = []
    for r in table.itertuples(index=False):
        rows.append(
            [
                r.country,
                "✓" if r.member else "–",
                r.followed,
                r.planned or "nothing",
                r.built or ("nothing" if r.difference != "no round played yet" else "—"),
                r.difference,
                _number(r.payoff),
                _number(r.plan_payoff),
                _number(r.alone),
                _number(r.transfer),
                r.game,
                _fmt(r.delta_star),
            ]
        )
    return rows


@solara.component
def EconomyPanel(view: Any, version: int):
    """The economy tab of one browser tab (``view``: its :class:`~viz.view.TabView`, which keeps
    the :class:`EconomyView` while the tab is shown; ``version``: the page's change counter)."""
    from viz.app import Prose, TextTable  # the app's plain-text table (names are user data)

    economy = view.economy
    if economy is None:
        solara.Text("…")
        return
    solara.Image(economy.png, width="100%", classes=["pacts-economy"])
    if not economy.collective:
        Prose(PAIRWISE_EXPLANATION)
        return
    Prose(
        "**Who builds which plant.** Each country's part of the plan against what it built "
        "last round, and what it earns."
    )
    with solara.Div(style={"max-height": "360px", "overflow": "auto"}):
        TextTable(list(COUNTRY_COLUMNS.values()), country_rows(economy.countries))
    sectors = economy.sectors
    TextTable(
        list(SECTOR_COLUMNS.values()),
        [
            [r.sector, r.planned, r.built, r.supported, r.duplication, r.note]
            for r in sectors.itertuples(index=False)
        ],
    )
    Prose(EXPLANATIONS)
