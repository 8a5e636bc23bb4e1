"""What both engines share (DESIGN §3): seeds and random streams, the network, the rules each
country plays, what each country has observed of each partner, stakes, eras and rule revision.

:class:`~model.engine.pairwise.PairwiseEngine` and
:class:`~model.engine.collective.CollectiveEngine` are siblings built on :class:`RoundEngine`;
each writes its own round from the documented steps here (``begin_round``, ``intentions``,
``observe``, ``finish_round``).

**State** lives in numpy arrays of shape (R, E): R replicates, E = 2M directed edges of the
country network (edge e and e + M are the two directions of undirected edge e; see
:func:`model.network.edge_arrays`). Per directed edge i→j the engine keeps i's observed history of
j (:mod:`agents.strategies`: defection run and age, i's own move in the observed round), a ring
buffer of the last d actions (feedback delay d) and i's trust in j.

**Time and δ** (``horizon``):

* ``"eras"`` (default): δ is the continuation probability of a relationship. In pairwise mode a
  relationship is a pair of partners: after each round each one ends with probability 1 − δ and
  a new one begins with cleared histories (Axelrod's 1984 "probability that the two players meet
  again"); in collective mode it is the regional agreement itself (an agreement cycle, a
  government's term): the era ends for all countries at once. The run lasts ``rounds`` rounds.
* ``"fixed"``: one relationship for ``rounds`` rounds (δ is then only the discount factor of
  forward-looking rules).
* ``"geometric"``: one relationship whose length is drawn from Geometric(1 − δ) per replicate
  (capped at ``rounds``); metrics after it are not counted.

**Revision of rules** (``evolution``): every ``evolution_interval`` rounds a share
``evolution_rate`` of countries revises its rule on the payoffs accumulated over the interval —
Fermi imitation of a random neighbour (Szabó & Tőke 1998) or Moran death–birth (Ohtsuki et al.
2006); ``imitation_scope = "well_mixed"`` draws the model from the whole region instead of the
neighbours. Under eras the payoffs of an interval are those of the relationships lived in it, so
a short shadow of the future favours the rules that exploit new partners and a long one the rules
that reciprocate (Axelrod's ecological argument).

**Randomness**: replicate r owns its own streams, derived from ``SeedSequence(seed, spawn_key=(1,
r))`` (the network from ``spawn_key=(0,)``), drawn in blocks of rounds, so a batch of R replicates
is identical, replicate for replicate, to the same replicates run one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from agents.strategies import (
    HISTORY_STATES,
    INITIAL_HISTORY,
    Strategy,
    get_strategy,
    history_transition,
    rules_by_name,
    state_grid,
)
from model.config import ModelConfig
from model.metrics import METRICS
from model.network import build_network, edge_arrays

_BLOCK_FLOATS = 1 << 20  # uniforms drawn per replicate stream at a time (bounded memory)
_PURPOSES = (
    "assign",
    "horizon",
    "stakes",
    "decide",
    "observe",
    "evolve",
    "act",
    "plan",
    "shocks",
    "era",
)


@dataclass(frozen=True)
class RoundRecord:
    """Per-round metrics, arrays of shape (rounds played, R)."""

    cooperation: np.ndarray  # share of C actions (collective: share of countries complying)
    mutual_cooperation: np.ndarray  # share of relationships with C on both sides
    mean_payoff: np.ndarray  # payoff per interaction (collective: per country) this round
    trust: np.ndarray  # mean trust (moving average of observed cooperation)
    relationship_age: np.ndarray  # mean rounds since the current relationships began
    strategy_shares: np.ndarray  # (rounds, R, S) share of countries per strategy
    alive: np.ndarray  # whether the round is within the replicate's horizon


def allocate(
    weights: Sequence[float], n: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Counts per strategy for n countries by largest remainder (Hamilton's method); equal
    remainders are ranked at random by ``rng`` (by order without one)."""
    w = np.asarray(weights, float)
    exact = n * w / w.sum()
    counts = np.floor(exact).astype(int)
    rest = exact - counts
    tie = rng.permutation(w.size) if rng is not None else np.arange(w.size)
    order = np.lexsort((tie, -rest))
    counts[order[: n - counts.sum()]] += 1
    return counts


class RoundEngine:
    """The shared machinery of a vectorised engine over R replicates.

    Parameters
    ----------
    config : the run's :class:`~model.config.ModelConfig`.
    seed : root seed (int); ``None`` draws fresh entropy (kept in ``self.seed``).
    replicates : number of replicates R (ids 0..R−1), or give ``replicate_ids``.
    graph : a prebuilt network (nodes 0..N−1 with "weight"); default: built from ``config``.
    assignment : explicit rule per country (overrides the config's rules).
    record_actions : keep every round's actions (``self.actions``, shape (t, R, E)).
    """

    def __init__(
        self,
        config: ModelConfig,
        seed: int | None = 0,
        *,
        replicates: int = 1,
        replicate_ids: Sequence[int] | None = None,
        graph: nx.Graph | None = None,
        assignment: Sequence[str | Strategy] | None = None,
        record_actions: bool = False,
    ):
        self.config = config
        root = np.random.SeedSequence(seed)
        self.seed = root.entropy
        ids = list(range(replicates)) if replicate_ids is None else list(replicate_ids)
        if not ids or replicates < 1:
            raise ValueError(f"replicates = {replicates!r}: allowed: an integer >= 1")
        self.replicate_ids = ids
        self.R = R = len(ids)
        streams = [
            np.random.SeedSequence(root.entropy, spawn_key=(1, r)).spawn(len(_PURPOSES))
            for r in ids
        ]
        self.rng = {
            p: [np.random.default_rng(s[i]) for s in streams] for i, p in enumerate(_PURPOSES)
        }
        if graph is None:
            net_rng = np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=(0,)))
            graph = build_network(
                config.network,
                config.n_countries,
                degree=config.degree,
                rewiring=config.rewiring,
                seed=net_rng,
            )
        self.graph = graph
        self.edges = ea = edge_arrays(graph)
        self.N, self.M, self.E = ea.n_nodes, ea.n_edges, 2 * ea.n_edges
        self._src_flat = (np.arange(R)[:, None] * self.N + ea.src[None, :]).ravel()
        self._edge_ids = np.arange(self.E)
        weights = np.asarray(ea.weight, float)
        self._weight = None if np.all(weights == 1.0) else weights
        self.degree = np.bincount(ea.src, minlength=self.N)

        self._setup_strategies(assignment)
        self._setup_horizon()

        E = self.E
        self.t = 0
        self._hist = np.full((R, E), INITIAL_HISTORY, np.intp)
        self._hist_my = self._hist + HISTORY_STATES  # own last move taken as C before any round
        self._next_hist = history_transition().ravel()
        self.trust = np.full((R, E), config.initial_trust)
        self.actions_last = np.ones((R, E), bool)
        self.payoff_last = np.zeros((R, E))
        self.edge_total = np.zeros((R, E))
        self._edge_acc = np.zeros((R, E))
        d = config.observation_delay
        self._buffer = np.ones((d + 1, R, E), bool) if d else None
        self.edge_delay: np.ndarray | None = None  # per-edge lags (None: d everywhere)
        self.edge_error: np.ndarray | None = None  # per-edge misreading (None: ε everywhere)
        # the current relationship of each edge began in this round (eras restart it)
        self.since = np.zeros((R, E), np.int64)
        self._restarted = False  # no relationship has restarted yet (since is all 0)
        self.eras = np.zeros(R, int)  # relationships (pairwise: per edge, summed) ended so far
        # rounds per block of random draws: a config-level constant, so that a replicate draws the
        # same numbers whether it runs alone or in a batch
        self._block = max(1, min(64, config.rounds, _BLOCK_FLOATS // max(E, 1)))
        self._u_decide = self._u_observe = self._u_era = None
        self._record_actions = record_actions
        self._actions: list[np.ndarray] = []
        cap = int(self.horizon.max())
        self._rec = {k: np.zeros((cap, R)) for k in METRICS}
        self._shares_rec = np.zeros((cap, R, len(self.strategies)))

    # ---------------------------------------------------------------- rules
    def _setup_strategies(self, assignment: Sequence[str | Strategy] | None) -> None:
        cfg, R, N = self.config, self.R, self.N
        spec = assignment if assignment is not None else cfg.rules
        if not isinstance(spec, Mapping):
            spec = [get_strategy(s) for s in spec]
            if len(spec) != N:
                raise ValueError(f"assignment has {len(spec)} rules for {N} countries")
        rules = rules_by_name(spec, once=isinstance(spec, Mapping))
        self.strategies: list[Strategy] = list(rules.values())
        self.strategy_names = list(rules)
        if isinstance(spec, Mapping):
            # the scenario's mix: weight of each initial strategy; countries shuffled by the seed
            self.mix_weights = np.array(list(spec.values()), float)
            self.strategy_of_country = np.stack(
                [
                    rng.permutation(
                        np.repeat(np.arange(len(rules)), allocate(self.mix_weights, N, rng))
                    )
                    for rng in self.rng["assign"]
                ]
            )
        else:
            kinds = [self.strategy_names.index(s.name) for s in spec]
            self.mix_weights = np.bincount(kinds, minlength=len(rules)).astype(float)
            self.strategy_of_country = np.tile(kinds, (R, 1))
        self.refresh_rules()

    def assign(self, country: int, strategy: str | Strategy) -> None:
        """Give one country a rule in every replicate (adding it to the strategy set if new)."""
        rule = get_strategy(strategy)
        rules_by_name([*self.strategies, rule])  # a different rule of the same name is an error
        if rule.name not in self.strategy_names:
            self.strategies.append(rule)
            self.strategy_names.append(rule.name)
            self._shares_rec = np.concatenate(
                [self._shares_rec, np.zeros((*self._shares_rec.shape[:2], 1))], axis=2
            )
        self.strategy_of_country[:, country] = self.strategy_names.index(rule.name)
        self.refresh_rules()

    def refresh_rules(self) -> None:
        """After a change of rules: per-edge rule ids, shares and the look-up tables."""
        self._strat_edge = self.strategy_of_country[:, self.edges.src]
        S = len(self.strategies)
        offsets = (np.arange(self.R)[:, None] * S + self.strategy_of_country).ravel()
        self.shares = np.bincount(offsets, minlength=self.R * S).reshape(self.R, S) / self.N
        self._gated = np.array([s.gated for s in self.strategies])
        self.build_tables()

    def build_tables(self) -> None:
        """Fill ``_table`` (rule slot × observed state), ``_first_p`` (per slot) and
        ``_slot_edge`` (each directed edge's slot); implemented by each engine."""
        raise NotImplementedError

    def _set_tables(self, table: np.ndarray, first: np.ndarray, slot_edge: np.ndarray) -> None:
        self._table = np.ascontiguousarray(table, np.float32).reshape(-1)
        self._first_p = np.ascontiguousarray(first, np.float32).reshape(-1)
        self._slot_edge = slot_edge
        self._table_base = slot_edge * (2 * HISTORY_STATES)
        self._stochastic = bool(
            self.config.noise > 0
            or np.any((self._table > 0) & (self._table < 1))
            or np.any((self._first_p > 0) & (self._first_p < 1))
        )

    @staticmethod
    def grids():
        """The observed-state grids of :func:`agents.strategies.state_grid`."""
        return state_grid()

    # ---------------------------------------------------------------- horizon and randomness
    def _setup_horizon(self) -> None:
        cfg = self.config
        if cfg.horizon == "geometric":
            lengths = [
                min(int(rng.geometric(1.0 - cfg.continuation)), cfg.rounds)
                for rng in self.rng["horizon"]
            ]
        else:
            lengths = [cfg.rounds] * self.R
        self.horizon = np.array(lengths)
        self._stake_block: np.ndarray | None = None
        self._stakes_constant = cfg.stake_sigma == 0

    def uniforms(self, purpose: str, width: int | None = None) -> np.ndarray:
        """(R, block, width) float32 uniforms, one block per replicate stream (the same draws
        whatever R); width defaults to E."""
        width = self.E if width is None else width
        out = np.empty((self.R, self._block, width), np.float32)
        for r, rng in enumerate(self.rng[purpose]):
            rng.random((self._block, width), dtype=np.float32, out=out[r])
        return out

    def stakes(self) -> np.ndarray:
        """This round's stake multiplier per replicate: lognormal, mean 1, spread σ."""
        if self._stakes_constant:
            return np.ones(self.R)
        sigma, k = self.config.stake_sigma, self.t % self._block
        if k == 0:
            z = np.stack([rng.standard_normal(self._block) for rng in self.rng["stakes"]], 1)
            self._stake_block = np.exp(sigma * z - 0.5 * sigma**2)
        return self._stake_block[k]

    @property
    def rounds_total(self) -> int:
        """Rounds needed for every replicate to reach its horizon."""
        return int(self.horizon.max())

    @property
    def done(self) -> bool:
        """True once every replicate has reached its horizon."""
        return self.t >= self.rounds_total

    # ---------------------------------------------------------------- the round's steps
    def step(self) -> None:
        """Play one round in every replicate (each engine writes its own)."""
        raise NotImplementedError

    def begin_round(self) -> tuple[int, np.ndarray]:
        """Check the horizon, refill the random blocks; returns (block index, stakes)."""
        if self.done:
            raise RuntimeError(
                f"the run is over: all replicates reached their horizon "
                f"({self.rounds_total} rounds)"
            )
        k = self.t % self._block
        if k == 0 and self._stochastic:
            self._u_decide = self.uniforms("decide")
        if k == 0 and self.config.observation_error:
            self._u_observe = self.uniforms("observe")
        return k, self.stakes()

    def first_state(self) -> np.ndarray | bool:
        """Per edge: no observation of the current partner has arrived yet (its first move)."""
        lag = self.config.observation_delay if self.edge_delay is None else self.edge_delay
        if not self._restarted:  # every relationship began in round 0
            return self.t <= lag
        return self.t <= self.since + lag

    def intentions(self) -> np.ndarray:
        """Each directed edge's probability of intending C from its observed state (the rule
        tables; gates are applied by each engine)."""
        first = self.first_state()
        if np.all(first):
            return self._first_p.take(self._slot_edge)
        p = self._table.take(self._table_base + self._hist_my)
        if np.any(first):
            p = np.where(first, self._first_p.take(self._slot_edge), p)
        return p

    def observe(self, a: np.ndarray, b: np.ndarray) -> None:
        """Each edge sees its partner's action of round t − d, misread with probability ε in
        both directions; only actions of the current relationship are observed.

        ``a`` is the action each edge's owner played, ``b`` the partner's (a with halves swapped).
        """
        cfg, t, M = self.config, self.t, self.M
        d = cfg.observation_delay
        if d:
            self._buffer[t % (d + 1)] = a
            lag = d if self.edge_delay is None else self.edge_delay
            if self.edge_delay is not None:  # each edge sees round t − d_e of its partner
                rows = (t - lag) % (d + 1)
                old = self._buffer[rows, :, self._edge_ids].T
                seen = self._buffer[rows, :, (self._edge_ids + M) % self.E].T
            else:
                if t < d:
                    return
                old = self._buffer[(t - d) % (d + 1)]
                seen = np.concatenate((old[:, M:], old[:, :M]), axis=1)
            ready = t - lag >= self.since  # the observed round belongs to this relationship
        else:
            old, seen = a, b
            ready = None
        if cfg.observation_error:
            k = t % self._block
            error = cfg.observation_error if self.edge_error is None else self.edge_error
            seen = seen ^ (self._u_observe[:, k] < np.float32(error))
        hist = self._next_hist.take(seen * HISTORY_STATES + self._hist)
        hist_my = old * HISTORY_STATES + hist
        trust = self.trust + cfg.trust_memory * (seen - self.trust)
        if ready is not None and not ready.all():
            hist, hist_my = (
                np.where(ready, hist, self._hist),
                np.where(ready, hist_my, self._hist_my),
            )
            trust = np.where(ready, trust, self.trust)
        self._hist, self._hist_my, self.trust = hist, hist_my, trust

    def set_observation(
        self, delay: np.ndarray | None = None, error: np.ndarray | None = None
    ) -> None:
        """Per-edge observation delay (ints in [0, d]) and error (in [0, ε]) — how institutions
        change what partners see (e.g. a coordinator's transparency). ``None`` keeps d / ε."""
        cfg = self.config
        if delay is not None:
            delay = np.asarray(delay, int)
            if delay.shape != (self.E,) or delay.min() < 0 or delay.max() > cfg.observation_delay:
                raise ValueError(
                    f"delay: allowed: {self.E} integers in [0, "
                    f"{cfg.observation_delay}] (one per directed edge)"
                )
            self.edge_delay = None if np.all(delay == cfg.observation_delay) else delay
        if error is not None:
            error = np.asarray(error, np.float32)
            if (
                error.shape != (self.E,)
                or error.min() < 0
                or error.max() > np.float32(cfg.observation_error)
            ):
                raise ValueError(
                    f"error: allowed: {self.E} numbers in [0, "
                    f"{cfg.observation_error}] (one per directed edge)"
                )
            self.edge_error = error

    def restart(self, ended: np.ndarray) -> None:
        """End the relationships of the directed edges marked in ``ended`` (R, E): from the next
        round they start afresh (histories cleared; the rules' first moves). Trust, a reputation
        kept across relationships, is not reset."""
        if not ended.any():
            return
        self._restarted = True
        self._hist = np.where(ended, INITIAL_HISTORY, self._hist)
        self._hist_my = np.where(ended, INITIAL_HISTORY + HISTORY_STATES, self._hist_my)
        self.since = np.where(ended, self.t, self.since)

    def finish_round(
        self, a: np.ndarray, b: np.ndarray, pay: np.ndarray, cooperation: np.ndarray
    ) -> None:
        """Mask rounds past a replicate's horizon, record the metrics, advance the clock and
        revise rules (``evolution``). ``cooperation`` is the round's share of C per replicate."""
        cfg, t = self.config, self.t
        alive = t < self.horizon
        if not alive.all():
            pay *= alive[:, None]
        self.edge_total += pay
        self.actions_last, self.payoff_last = a, pay
        inv = 1.0 / self.E
        rec = self._rec
        rec["cooperation"][t] = cooperation
        rec["mutual_cooperation"][t] = np.count_nonzero(a & b, axis=1) * inv
        rec["mean_payoff"][t] = pay.sum(axis=1) * inv
        rec["trust"][t] = self.trust.mean(axis=1)
        rec["relationship_age"][t] = (
            (t - self.since).mean(axis=1) + 1.0 if self._restarted else t + 1.0
        )
        self._shares_rec[t] = self.shares
        if self._record_actions:
            self._actions.append(a)
        self.t = t + 1
        self.end_relationships()
        if cfg.evolution != "none":
            self._edge_acc += pay
            if self.t % cfg.evolution_interval == 0:
                self.revise(self.fitness())

    def end_relationships(self) -> None:
        """Eras (``horizon = "eras"``): end relationships after the round (each engine says
        which: pairwise, each pair of partners; collective, the regional agreement)."""
        raise NotImplementedError

    def fitness(self) -> np.ndarray:
        """Payoffs accumulated since the last revision per country (R, N) — the default
        revision criterion (Santos & Pacheco 2005: accumulated, not averaged, payoffs)."""
        fit = np.bincount(
            self._src_flat, weights=self._edge_acc.ravel(), minlength=self.R * self.N
        ).reshape(self.R, self.N)
        self._edge_acc[:] = 0.0
        return fit

    def run(self, rounds: int | None = None) -> RoundEngine:
        """Play ``rounds`` more rounds (default: until every replicate's horizon)."""
        n = (
            self.rounds_total - self.t
            if rounds is None
            else min(rounds, self.rounds_total - self.t)
        )
        for _ in range(n):
            self.step()
        return self

    # ---------------------------------------------------------------- revision of rules
    def revise(self, fitness: np.ndarray) -> None:
        """Synchronous revision on ``fitness`` (R, N): Fermi imitation or Moran death–birth, of
        neighbours or (``imitation_scope = "well_mixed"``) of the whole region."""
        cfg, N, S = self.config, self.N, len(self.strategies)
        well_mixed = cfg.imitation_scope == "well_mixed" or N == 1
        indptr, indices = self.edges.neighbors_csr
        deg = np.diff(indptr)
        for r, rng in enumerate(self.rng["evolve"]):
            if self.t > self.horizon[r]:
                continue  # this replicate's game is over: its strategies stay as they ended
            u_revise, u_pick, u_adopt, u_mutate = rng.random((4, N))
            mutant = rng.integers(S, size=N)
            old = self.strategy_of_country[r]
            new = old.copy()
            revise = u_revise < cfg.evolution_rate
            pi = fitness[r]
            if cfg.evolution == "imitation":
                if well_mixed:  # a uniformly drawn other country
                    j = np.minimum((u_pick * (N - 1)).astype(int), N - 2)
                    j = j + (j >= np.arange(N))
                else:
                    j = indices[indptr[:-1] + np.minimum((u_pick * deg).astype(int), deg - 1)]
                # Fermi rule: adopt j's strategy with probability 1 / (1 + exp(−β(π_j − π_i)))
                x = np.clip(-cfg.selection * (pi[j] - pi), -700, 700)
                adopt = revise & (u_adopt < 1.0 / (1.0 + np.exp(x)))
                new[adopt] = old[j[adopt]]
            else:
                # death–birth: the candidates compete for the vacancy with fitness exp(β π)
                f_all = np.exp(np.clip(cfg.selection * (pi - pi.max()), -700, 0))
                if well_mixed:
                    cum = np.cumsum(f_all)
                    pick = np.searchsorted(cum, u_pick * cum[-1], side="right")
                    new[revise] = old[np.minimum(pick, N - 1)[revise]]
                else:
                    f = f_all[indices]
                    cum = np.cumsum(f)
                    start = np.concatenate(([0.0], cum))[indptr[:-1]]
                    target = start + u_pick * (cum[indptr[1:] - 1] - start)
                    pick = np.minimum(np.searchsorted(cum, target, side="right"), indptr[1:] - 1)
                    new[revise] = old[indices[pick[revise]]]
            mutate = revise & (u_mutate < cfg.mutation)
            new[mutate] = mutant[mutate]
            self.strategy_of_country[r] = new
        self.refresh_rules()

    # ---------------------------------------------------------------- results
    def record(self) -> RoundRecord:
        """Per-round metrics for the rounds played so far."""
        t = self.t
        alive = np.arange(t)[:, None] < self.horizon[None, :]
        return RoundRecord(
            **{k: v[:t].copy() for k, v in self._rec.items()},
            strategy_shares=self._shares_rec[:t].copy(),
            alive=alive,
        )

    @property
    def actions(self) -> np.ndarray:
        """Every round's actions, shape (rounds, R, E) (needs ``record_actions=True``)."""
        if not self._record_actions:
            raise RuntimeError("construct the engine with record_actions=True to keep actions")
        return np.array(self._actions).reshape(len(self._actions), self.R, self.E)

    def latest(self, metric: str) -> np.ndarray:
        """Last round's value of a per-round metric (``RoundRecord`` field), per replicate."""
        if self.t == 0:
            raise RuntimeError("no round has been played yet")
        return self._rec[metric][self.t - 1]

    def country_payoffs(self, total: bool = False) -> np.ndarray:
        """Each country's payoff (R, N): last round's, or accumulated with ``total=True``."""
        x = self.edge_total if total else self.payoff_last
        return np.bincount(self._src_flat, weights=x.ravel(), minlength=self.R * self.N).reshape(
            self.R, self.N
        )
