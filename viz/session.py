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
    has one row per country in collective mode (name, the class of the game that decides its
    move — the implied game net of the institution's costs, fines and side payments, the same
    game its δ*_i is computed from —, δ*_i — 0 when following is its best reply, inf when no δ
    makes it follow —, member, followed the plan last round), ``sentence`` says in one line what
    it means for the chosen δ, ``era`` how relationships end in this run. ``sustainable`` is the
    panel's verdict: does cooperation (pairwise) or the agreement (collective) last — ``None``
    where theory gives none (no coordinator, rules that are not forward-looking, chicken).
    """

    delta: float
    game_class: str
    critical: dict[str, float]
    rows: list[dict] = field(default_factory=list)
    sentence: str = ""
    era: str = ""
    sustainable: bool | None = None


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


def _game_class(T: float, R: float, P: float, S: float) -> str:
    """The class of a (T, R, P, S) game as :meth:`MatrixGame.classify` names it, with ties
    (within 1e-9 relative) read as "not better": T = R counts as following being a best reply
    (no temptation). A game whose four payoffs are equal is ``"no_plan"``: the plan is the
    status quo, so there is nothing to follow or to gain."""
    tol = 1e-9 * max(1.0, abs(T), abs(R), abs(P), abs(S))
    if max(T, R, P, S) - min(T, R, P, S) <= tol:
        return "no_plan"
    c_vs_c = R >= T - tol
    c_vs_d = S > P + tol
    if c_vs_c and c_vs_d:
        return "harmony"
    if not c_vs_c and c_vs_d:
        return "chicken"
    if P >= R - tol:
        return "deadlock"
    return "stag_hunt" if c_vs_c else "prisoners_dilemma"


def _lognormal_tail(threshold: float, sigma: float) -> float:
    """P(s > threshold) for the engine's lognormal stakes (mean 1, spread σ > 0)."""
    if threshold <= 0:
        return 1.0
    z = (math.log(threshold) + sigma**2 / 2) / sigma
    return 0.5 * math.erfc(z / math.sqrt(2))


def _stakes_sentence(
    thresholds: list[float], sigma: float, rounds: int, verdict: bool | None
) -> tuple[str, bool | None]:
    """Irregular stakes and forward-looking governments (Axelrod & Keohane 1985): one
    defects in a round whose stake s exceeds s* = Φ/(T − R) (the engine's gate), and the
    reciprocity that follows does not forgive it, so cooperation lasts only until the first
    such round — after 1/P(s > s*) rounds on average (the lowest s* decides). Returns the
    sentence and the verdict: not sustained if that is within the first half of the run."""
    s_star = min(thresholds)
    p = _lognormal_tail(s_star, sigma) if math.isfinite(s_star) else 0.0
    if p <= 0:
        return "", verdict
    wait = 1.0 / p
    text = (
        f" Irregular stakes (σ = {sigma:g}): a forward-looking government defects in a round "
        f"whose stake exceeds s* = {s_star:.2f} times the mean, which comes with probability "
        f"{p:.1%} a round — about once in {wait:.0f} rounds; the punishment that follows ends "
        "cooperation, so no δ < 1 sustains it for ever."
    )
    if wait <= rounds / 2:
        return text + " Expect it to break early in this run.", False
    return text, verdict if wait > 10 * rounds else None


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
        self._offered_cache = None
        self._economy_at_start = id(self.model.engine.economies[0]) if self.collective else None
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
        """The theory panel's content. Pairwise: the stage game's critical δ and verdict.
        Collective: each country's game under the plan it was offered (the engine's implied
        game net of the institution; for a country that declined, the game of the plan offered
        to everybody; without a coordinator, the game a broker's plan would pose), with its
        membership and last move."""
        if not self.collective:
            return self._theory_pairwise()
        return self._theory_collective()

    def _theory_pairwise(self) -> TheoryView:
        cfg = self.config
        delta = cfg.continuation
        game = cfg.matrix_game
        cls = game.classify()
        critical = theory.critical_deltas(game, cfg.observation_delay, cfg.observation_error)
        sentence = _sentence_pairwise(game, cls, delta, critical)
        verdict: bool | None = None
        if cls == "prisoners_dilemma":
            verdict = delta >= critical["Grim"] and critical["Grim"] < 1
        elif cls == "stag_hunt":
            share = self._cooperating_share()
            p_star = 1.0 - theory.stag_hunt_basin(game)
            verdict = None if math.isclose(share, p_star) else share > p_star
            sentence += f" Now {share:.0%} cooperate: " + (
                "above p*, so cooperators do better and should take over."
                if verdict
                else "below p*, so going alone pays more and should take over."
            )
        elif cls in ("harmony", "deadlock"):
            verdict = cls == "harmony"
        length = cfg.rounds if cfg.horizon != "eras" else min(cfg.rounds, 1 / (1 - delta))
        if cfg.noise > 0 and cls == "prisoners_dilemma" and cfg.noise * length >= 1:
            # a typical relationship sees a slip: what survives depends on the rule's repair
            verdict = None
            sentence += (
                f" But with implementation noise e = {cfg.noise:g} a relationship sees about "
                f"{cfg.noise * length:.0f} slips: how much cooperation survives depends on the "
                "rules — TitForTat's echoes halve it, forgiving rules (Generous TFT, WSLS) "
                "repair them, Grim never recovers (lesson 4)."
            )
        if cls == "prisoners_dilemma" and cfg.stake_sigma > 0 and self._forward_looking():
            phi = theory.grim_future_advantage(
                game, min(delta, 0.999999), min(cfg.observation_error, 0.5), cfg.observation_delay
            )
            stakes, verdict = _stakes_sentence(
                [phi / (game.T - game.R)], cfg.stake_sigma, cfg.rounds, verdict
            )
            sentence += stakes
        return TheoryView(
            delta, cls, critical, sentence=sentence, era=self._era(), sustainable=verdict
        )

    def _cooperating_share(self) -> float:
        """The share of partners cooperating: last round's, or before the first round the
        share of relationships in which the rule opens with C."""
        eng = self.model.engine
        if self.round > 0:
            return float(np.mean(eng.actions_last[0]))
        first = np.reshape(eng._first_p.take(eng._slot_edge), (eng.R, -1))[0]
        return float(np.mean(first))

    def _forward_looking(self) -> bool:
        """Does some country play a forward-looking rule (one whose move depends on the stake)?"""
        eng = self.model.engine
        used = set(np.unique(eng.strategy_of_country[0]).tolist())
        return any(eng.strategies[k].gated for k in used)

    def _offered(self):
        """The plan offered to everybody and each country's game and δ* under it, from a twin
        engine (same economy, rules and seed; built once per reset): without a coordinator, the
        plan a broker would make if every government followed it (as lesson 1 computes it);
        otherwise the council's first plan when every government is patient (δ = 0.99): the
        council does not read δ, so this is the plan the others declined or accepted."""
        if self._offered_cache is None:
            from model.engine import build_engine

            cfg = self.config
            if cfg.regime == "none":
                twin_cfg = cfg.replace(
                    regime="plurilateral", hegemon="none", strategies={"AllC": 1.0}, noise=0.0
                )
            else:
                twin_cfg = cfg
            twin = build_engine(twin_cfg.replace(continuation=0.99, rounds=1), self.seed)
            g = {k: twin.games[k][0].copy() for k in "TRPS"}
            self._offered_cache = (g, twin.critical_deltas(0), twin.future_advantage[0].copy())
        return self._offered_cache

    def _theory_collective(self) -> TheoryView:
        cfg = self.config
        delta = cfg.continuation
        eng = self.model.engine
        econ = eng.economies[0]
        names = list(econ.countries)
        members = eng.members[0]
        none = cfg.regime == "none"
        games = {k: eng.games[k][0].copy() for k in "TRPS"}
        stars = eng.critical_deltas(0)
        phi = eng.future_advantage[0].copy()
        declined = eng.declined[0] & ~members
        same_economy = id(econ) == self._economy_at_start  # no shock has changed it since
        if none or (declined.any() and same_economy):
            off_g, off_star, off_phi = self._offered()
            use = np.ones(len(names), bool) if none else declined
            for k in "TRPS":
                games[k][use] = off_g[k][use]
            stars[use], phi[use] = off_star[use], off_phi[use]
        classes = [
            _game_class(games["T"][i], games["R"][i], games["P"][i], games["S"][i])
            for i in range(len(names))
        ]
        rows = [
            {
                "country": name,
                "game": class_label(classes[i]),
                "critical δ": float(stars[i]),
                "member": bool(members[i]),
                "follows plan": bool(eng.country_actions[0, i]),
            }
            for i, name in enumerate(names)
        ]
        counts = Counter(classes)
        main = counts.most_common(1)[0][0]
        parts = ", ".join(f"{n} {class_label(c)}" for c, n in counts.most_common())
        # names come from scenario files or the address: the page shows this as plain text
        zero = [r["country"] for r in rows if r["critical δ"] == 0]
        tempted = [r for r in rows if 0 < r["critical δ"] < math.inf]
        outside = eng.outside_option[0]
        never_ir = [
            r["country"]
            for i, r in enumerate(rows)
            if r["critical δ"] == math.inf
            and games["R"][i] < outside[i] - 1e-9 * max(1.0, abs(outside[i]))
        ]
        never = [
            r["country"]
            for r in rows
            if r["critical δ"] == math.inf and r["country"] not in never_ir
        ]
        if none:
            sentence = (
                "No coordinator: every government plans alone, so there is no regional plan to "
                f"follow. Under a broker's plan the countries would face: {parts}."
            )
        else:
            sentence = (
                f"Under the plan offered the countries face: {parts}. A forward-looking "
                "government follows the plan iff δ ≥ δ* of its own game."
            )
        if zero:
            sentence += (
                f" {', '.join(zero)}: δ* = 0 — following the plan is the best reply while the "
                "others follow; nothing to deter."
            )
        if tempted:
            held = [r["country"] for r in tempted if delta >= r["critical δ"]]
            short = [
                f"{r['country']} (δ* = {r['critical δ']:.2f})"
                for r in tempted
                if delta < r["critical δ"]
            ]
            verb = "would be" if none else "is"
            sentence += (
                f" At δ = {delta:.2f} going alone tempts {len(tempted)} of them; the temptation "
                f"{verb} deterred for {', '.join(held) or 'nobody'}"
                + (f"; not for {', '.join(short)}, who decline." if short else ".")
            )
        if never_ir:
            sentence += (
                f" {', '.join(never_ir)}: the plan pays less than the status quo, so no δ makes "
                "it follow (a side payment could)."
            )
        if never:
            sentence += (
                f" {', '.join(never)}: with this feedback (late or misread news) no δ < 1 deters "
                "its temptation."
            )
        verdict: bool | None = None
        if not none:
            if not members.any():
                sentence += " Nobody is in the agreement: no plan is being followed."
            verdict = self._collective_verdict(stars, members)
            if members.any() and (cfg.election_rate > 0 or cfg.tech_shock_rate > 0):
                sentence += (
                    " Elections and technology shocks will change these games: the verdict holds "
                    "only until the next one."
                )
            if verdict is not None and cfg.stake_sigma > 0:
                t_minus_r = games["T"] - games["R"]
                inside = members & (t_minus_r > 0) & np.isfinite(stars)
                if inside.any():
                    thresholds = list(phi[inside] / t_minus_r[inside])
                    stakes, verdict = _stakes_sentence(
                        thresholds, cfg.stake_sigma, cfg.rounds, verdict
                    )
                    sentence += stakes
        return TheoryView(delta, main, {}, rows, sentence, era=self._era(), sustainable=verdict)

    def _collective_verdict(self, stars: np.ndarray, members: np.ndarray) -> bool | None:
        """Does the agreement last? Only said when every member's rule is forward-looking or
        unconditional (AllC): the agreement stands iff someone is in and every member's δ* is
        met. Reciprocal rules that do not look ahead (TitForTat, Grim) follow their history,
        not δ*, so no verdict is given for them."""
        eng, cfg = self.model.engine, self.config
        if cfg.election_rate > 0 or cfg.tech_shock_rate > 0:
            return None  # elections and technology shocks will change the games
        who = members if members.any() else np.ones_like(members)
        rules = {eng.strategies[k] for k in np.unique(eng.strategy_of_country[0][who])}
        if not all(r.gated or r.name == "AllC" for r in rules):
            return None
        if not members.any():
            return False  # nothing the council reads will change: the next plan is the same
        gated = np.array([eng.strategies[k].gated for k in eng.strategy_of_country[0]])
        need = members & gated
        return bool(np.all(cfg.continuation >= stars[need]))

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
