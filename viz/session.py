"""One browser session's simulation: the model, its layout and what the panels show.

The app keeps one :class:`Session` per browser tab (inside :class:`viz.view.TabView`, built in
the page component, never at module level), so thirty students on one server each drive their
own model. Nothing here imports Solara or matplotlib: it is plain Python, tested without a
browser.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from model import theory
from model.config import ModelConfig
from model.games import MatrixGame, class_label
from model.region import RegionModel


@dataclass(frozen=True)
class TheoryView:
    """What theory says about the current run (the app's theory panel).

    ``critical`` maps a rule to its analytic critical δ (pairwise prisoner's dilemma), ``rows``
    has one row per country in collective mode (name, implied game class, δ*_i of that
    country's own game — 0 when following is its best reply, inf when no δ makes it follow —,
    member, followed the plan last round), ``sentence`` says in one line what it means for the
    chosen δ, ``era`` how relationships end in this run.
    """

    delta: float
    game_class: str
    critical: dict[str, float]
    rows: list[dict] = field(default_factory=list)
    sentence: str = ""
    era: str = ""


def _layout(graph: nx.Graph, network: str, seed: int) -> np.ndarray:
    """Node positions (N × 2) in [−1, 1]²: a grid for lattices, a circle for rings and small
    complete graphs, a spring layout otherwise (Fruchterman & Reingold 1991), seeded."""
    n = graph.number_of_nodes()
    if network == "lattice":
        side = math.isqrt(n)
        idx = np.arange(n)
        pos = np.column_stack([idx % side, idx // side]).astype(float)
        return (pos / max(side - 1, 1)) * 2 - 1
    if network == "ring" or (network == "complete" and n <= 30):
        angle = 2 * np.pi * np.arange(n) / n + np.pi / 2
        return np.column_stack([np.cos(angle), np.sin(angle)])
    pos = nx.spring_layout(graph, seed=seed, iterations=60)
    return np.array([pos[i] for i in range(n)])


def _sentence_pairwise(game: MatrixGame, cls: str, delta: float, critical: dict) -> str:
    if cls == "prisoners_dilemma":
        star = critical["Grim"]
        if star >= 1:
            return (
                f"No δ < 1 sustains cooperation here (δ* = {star:.2f} for Grim): with this delay "
                "and this misreading, punishment comes too late or too often to deter defection."
            )
        if delta >= star:
            return (
                f"δ = {delta:.2f} ≥ δ* = {star:.2f}: the future weighs enough that the threat of "
                "losing R − P in every later round outweighs the one-off gain T − R, so "
                "reciprocal rules can sustain cooperation (folk theorem)."
            )
        return (
            f"δ = {delta:.2f} < δ* = {star:.2f}: the shadow of the future is too short; even the "
            "harshest reciprocal rule cannot deter defection, so expect cooperation to unravel."
        )
    if cls == "stag_hunt":
        basin = theory.stag_hunt_basin(game)
        return (
            "Stag hunt: mutual cooperation is already an equilibrium (R > T), so no δ is needed; "
            f"what matters is assurance: cooperating pays if more than {1 - basin:.0%} of partners "
            "are expected to cooperate."
        )
    if cls == "harmony":
        return "Harmony: cooperating is the best reply to anything: there is no dilemma to solve."
    if cls == "chicken":
        return (
            "Chicken: each prefers that the other gives way (T > R) but mutual defection is the "
            "worst outcome (S > P): expect a tussle over who carries the cost."
        )
    return (
        "Deadlock: mutual defection is preferred to mutual cooperation (P > R): interests are not "
        "mutual, and no shadow of the future makes cooperation rational."
    )


class Session:
    """A model under the app's control: reset with a configuration and seed, step, report."""

    def __init__(self, config: ModelConfig | None = None, seed: int = 1, name: str = "default"):
        self.reset(config or ModelConfig(), seed, name)

    def reset(self, config: ModelConfig, seed: int, name: str | None = None) -> None:
        """Rebuild the model (new configuration and/or seed) at round 0."""
        self.config = config
        self.seed = int(seed)
        if name is not None:
            self.name = name
        self.model = RegionModel(config, seed=self.seed)
        self.positions = _layout(self.model.graph, config.network, self.seed)

    @property
    def round(self) -> int:
        """Rounds played since the last reset."""
        return int(self.model.engine.t)

    @property
    def running(self) -> bool:
        return bool(self.model.running)

    @property
    def collective(self) -> bool:
        return self.config.mode == "collective"

    def step(self, rounds: int = 1) -> None:
        """Play ``rounds`` rounds (fewer if the horizon ends)."""
        self.model.run(rounds)

    # ---------------------------------------------------------------- data for the panels

    def rounds_frame(self) -> pd.DataFrame:
        """Metrics per round (the DataCollector's model table)."""
        return self.model.datacollector.get_model_vars_dataframe()

    def countries_frame(self) -> pd.DataFrame:
        """One row per country: name, strategy, payoffs, trust (and membership, action, game)."""
        agents = self.model.countries
        cols = ["strategy", "degree", "payoff", "total_payoff", "cooperation", "trust"]
        if self.collective:
            cols += ["member", "action", "game_class"]
        return pd.DataFrame({"country": agents.get("label"), **{c: agents.get(c) for c in cols}})

    def csv(self) -> str:
        """The run so far as CSV: a header line, then one row per round (nothing else, so a
        spreadsheet opens it as one clean table; the settings are :meth:`parameters_csv`)."""
        return self.rounds_frame().to_csv(index=False)

    def parameters_csv(self) -> str:
        """The run's settings as a two-column CSV (``parameter``, ``value``): the scenario, the
        seed, the round reached and every plain configuration field."""
        rows = {"scenario": self.name, "seed": self.seed, "round": self.round}
        rows.update(self.parameters())
        frame = pd.DataFrame({"parameter": list(rows), "value": [str(v) for v in rows.values()]})
        return frame.to_csv(index=False)

    def parameters(self) -> dict:
        """The configuration's plain fields (for the CSV header and the lesson panel)."""
        skip = {"economy", "countries", "strategies"}
        return {
            name: getattr(self.config, name)
            for name, *_ in ModelConfig.describe()
            if name not in skip
        }

    def edge_states(self) -> tuple[np.ndarray, np.ndarray]:
        """Undirected edges (M × 2) and their last-round state: 2 both cooperated, 1 one side,
        0 both defected (before the first round: all 2, as actions start at C)."""
        eng = self.model.engine
        edges = eng.edges
        m = eng.M
        pairs = np.column_stack([edges.src[:m], edges.dst[:m]])
        if self.collective:
            act = eng.country_actions[0]
            state = act[pairs[:, 0]].astype(int) + act[pairs[:, 1]]
        else:
            act = eng.actions_last[0]
            state = act[:m].astype(int) + act[edges.rev[:m]]
        return pairs, state

    def theory(self) -> TheoryView:
        """The theory panel's content (collective mode: the engine's implied games of the
        current plan, with each country's membership and last move)."""
        cfg = self.config
        delta = cfg.continuation
        if not self.collective:
            game = cfg.matrix_game
            cls = game.classify()
            critical = theory.critical_deltas(game, cfg.observation_delay, cfg.observation_error)
            if critical and cfg.stake_sigma > 0:
                critical["Calculating, median stake"] = theory.lognormal_stakes_threshold(
                    game, cfg.stake_sigma
                )
            return TheoryView(
                delta,
                cls,
                critical,
                sentence=_sentence_pairwise(game, cls, delta, critical),
                era=self._era(),
            )
        eng = self.model.engine
        econ = eng.economies[0]
        games = eng.implied[0]
        stars = eng.critical_deltas(0)
        rows = [
            {
                "country": name,
                "game": class_label(games.classes[i]),
                "critical δ": float(stars[i]),
                "member": bool(eng.members[0, i]),
                "follows plan": bool(eng.country_actions[0, i]),
            }
            for i, name in enumerate(econ.countries)
        ]
        counts = Counter(games.classes)
        main = counts.most_common(1)[0][0]
        parts = ", ".join(f"{n} {class_label(c)}" for c, n in counts.most_common())
        # names come from scenario files or the address: the page shows this as plain text
        tempted = [r for r in rows if 0 < r["critical δ"] < math.inf]
        never = [r["country"] for r in rows if r["critical δ"] == math.inf]
        sentence = (
            f"Under the current plan the countries face: {parts}. A forward-looking government "
            "follows the plan iff δ ≥ δ* of its own game (δ* = 0: following is its best reply "
            "while the others follow)."
        )
        if tempted:
            held = [r["country"] for r in tempted if delta >= r["critical δ"]]
            short = [
                f"{r['country']} (δ* = {r['critical δ']:.2f})"
                for r in tempted
                if delta < r["critical δ"]
            ]
            sentence += (
                f" At δ = {delta:.2f} the temptation to go it alone is deterred for "
                f"{', '.join(held) or 'nobody'}"
                + (f"; not for {', '.join(short)}, who decline." if short else ".")
            )
        if never:
            sentence += (
                f" {', '.join(never)}: the plan pays less than the status quo, so no δ makes "
                "it follow (a side payment could)."
            )
        return TheoryView(delta, main, {}, rows, sentence, era=self._era())

    def _era(self) -> str:
        """How δ works in this run: the eras (DESIGN §3)."""
        cfg, eng = self.config, self.model.engine
        if cfg.horizon != "eras":
            return f"One relationship ({cfg.horizon} horizon); δ only discounts the future."
        length = "ever" if cfg.continuation >= 1 else f"{1 / (1 - cfg.continuation):.1f} rounds"
        if self.collective:
            return (
                f"Agreement cycle {int(eng.eras[0]) + 1}: the agreement ends after each round "
                f"with probability 1 − δ (mean length {length}); then every history is cleared."
            )
        return (
            f"Relationships end after each round with probability 1 − δ (mean length {length}); "
            f"{int(eng.eras[0])} have ended and restarted. Countries copy better-off ones "
            f"every {cfg.evolution_interval} rounds ({cfg.evolution})."
        )
