"""The vectorised round (DESIGN §3), pairwise mode, over directed edges and R replicates at once.

State lives in numpy arrays of shape (R, E) — R replicates, E = 2M directed edges of the country
network (edge e and e+M are the two directions of undirected edge e, see
:func:`model.network.edge_arrays`). One round t:

1. **Stakes**: multiplier s_t per replicate, lognormal with mean 1 and spread ``stake_sigma``.
2. **Decide**: each directed edge i→j applies country i's rule to what i observed about j, by
   table look-up (:mod:`agents.strategies`); forward-looking rules are gated by s_t.
   Implementation noise flips the intended action with probability ``noise``; the flipped action
   is the one played, recorded and scored.
3. **Payoffs**: (T, R, P, S) × s_t × edge weight per directed edge; a country's round payoff is
   the sum over its edges.
4. **Observe**: i sees j's action of round t−d (``observation_delay`` d, via a ring buffer),
   misread with probability ε (``observation_error``).
5. **Evolution** (optional, every ``evolution_interval`` rounds): Fermi imitation of a random
   neighbour (Szabó & Tőke 1998) or Moran death–birth (Ohtsuki et al. 2006), on accumulated payoffs.
6. **Continue**: for ``rounds`` rounds (fixed horizon) or, under a geometric horizon, each
   replicate draws its length T_r ~ Geometric(1−δ) (capped at ``rounds``); metrics after T_r are
   not counted.

Randomness: replicate r owns its own streams, derived from ``SeedSequence(seed, spawn_key=(1, r))``
(the network from ``spawn_key=(0,)``), drawn in blocks of rounds. A batch of R replicates is
therefore identical, replicate for replicate, to the same replicates run one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from agents.strategies import (
    HISTORY_STATES,
    INITIAL_HISTORY,
    Context,
    Strategy,
    get_strategy,
    history_transition,
    state_grid,
)
from model.config import ModelConfig
from model.network import build_network, edge_arrays

_BLOCK_FLOATS = 1 << 20  # uniforms drawn per replicate stream at a time (bounded memory)
_PURPOSES = ("assign", "horizon", "stakes", "decide", "observe", "evolve", "act", "plan", "shocks")


@dataclass(frozen=True)
class RoundRecord:
    """Per-round metrics, arrays of shape (rounds played, R)."""

    cooperation: np.ndarray  # share of directed edges whose action was C
    mutual_cooperation: np.ndarray  # share of edges where both played C
    mean_payoff: np.ndarray  # payoff per directed edge (per interaction) this round
    trust: np.ndarray  # mean trust (moving average of observed cooperation)
    strategy_shares: np.ndarray  # (rounds, R, S) share of countries per strategy
    alive: np.ndarray  # whether the round is within the replicate's horizon


def allocate(weights: Sequence[float], n: int) -> np.ndarray:
    """Counts per strategy for n countries by largest remainder (Hamilton's method)."""
    w = np.asarray(weights, float)
    exact = n * w / w.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


class PairwiseEngine:
    """Vectorised repeated games on a network, for R replicates at once.

    Parameters
    ----------
    config : the run's :class:`~model.config.ModelConfig`.
    seed : root seed (int); ``None`` draws fresh entropy (kept in ``self.seed``).
    replicates : number of replicates R (ids 0..R−1), or give ``replicate_ids``.
    graph : a prebuilt network (nodes 0..N−1 with "weight"); default: built from ``config``.
    assignment : explicit strategy per country (overrides ``config.strategies``).
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
        assignment: Sequence[str] | None = None,
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
        self._rng = {
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

        self._setup_strategies(assignment)
        self._setup_game()
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
        # rounds per block of random draws: a config-level constant, so that a replicate draws the
        # same numbers whether it runs alone or in a batch
        self._block = max(1, min(64, config.rounds, _BLOCK_FLOATS // max(E, 1)))
        self._u_decide = self._u_observe = None
        self._record_actions = record_actions
        self._actions: list[np.ndarray] = []
        cap = int(self.horizon.max())
        self._rec = {
            k: np.zeros((cap, R))
            for k in ("cooperation", "mutual_cooperation", "mean_payoff", "trust")
        }
        self._shares_rec = np.zeros((cap, R, len(self.strategies)))

    # ---------------------------------------------------------------- setup
    def _setup_strategies(self, assignment: Sequence[str] | None) -> None:
        cfg, R, N = self.config, self.R, self.N
        spec = assignment if assignment is not None else cfg.strategies
        if isinstance(spec, dict):
            names = list(spec)
        else:
            names = list(dict.fromkeys(spec))
            if len(spec) != N:
                raise ValueError(f"assignment has {len(spec)} strategies for {N} countries")
        self.strategies: list[Strategy] = [get_strategy(n) for n in names]
        self.strategy_names = [s.name for s in self.strategies]
        # the scenario's mix: weight of each initial strategy (counts for a list)
        self.mix_weights = np.array(
            list(spec.values()) if isinstance(spec, dict) else [list(spec).count(n) for n in names],
            float,
        )
        if isinstance(spec, dict):
            base = np.repeat(np.arange(len(names)), allocate(list(spec.values()), N))
            self.strategy_of_country = np.stack(
                [rng.permutation(base) for rng in self._rng["assign"]]
            )
        else:
            index = {n: k for k, n in enumerate(names)}
            self.strategy_of_country = np.tile([index[n] for n in spec], (R, 1))
        self._refresh_edge_strategies()

    def assign(self, country: int, strategy: str | Strategy) -> None:
        """Give one country a rule in every replicate (adding it to the strategy set if new)."""
        rule = get_strategy(strategy)
        if rule.name not in self.strategy_names:
            self.strategies.append(rule)
            self.strategy_names.append(rule.name)
            self._setup_game()
            self._shares_rec = np.concatenate(
                [self._shares_rec, np.zeros((*self._shares_rec.shape[:2], 1))], axis=2
            )
        self.strategy_of_country[:, country] = self.strategy_names.index(rule.name)
        self._refresh_edge_strategies()

    def _refresh_edge_strategies(self) -> None:
        self._strat_edge = self.strategy_of_country[:, self.edges.src]
        self._table_base = self._strat_edge * (2 * HISTORY_STATES)
        S = len(self.strategies)
        offsets = (np.arange(self.R)[:, None] * S + self.strategy_of_country).ravel()
        self.shares = np.bincount(offsets, minlength=self.R * S).reshape(self.R, S) / self.N

    def _setup_game(self) -> None:
        cfg = self.config
        game = cfg.matrix_game
        self.game = game
        self.context = Context(
            T=game.T,
            R=game.R,
            P=game.P,
            S=game.S,
            continuation=cfg.continuation,
            observation_delay=cfg.observation_delay,
            observation_error=cfg.observation_error,
        )
        first, grid = state_grid()
        self._first_p = np.array(
            [s.base_probability(first, self.context).item() for s in self.strategies]
        )
        self._table = np.concatenate(
            [
                np.broadcast_to(s.base_probability(grid, self.context), grid.first.shape)
                for s in self.strategies
            ]
        ).astype(np.float32)
        self._gated = np.array([s.gated for s in self.strategies])
        self._stochastic = bool(
            cfg.noise > 0
            or np.any((self._table > 0) & (self._table < 1))
            or np.any((self._first_p > 0) & (self._first_p < 1))
        )
        # payoff by code 2·a + b (True = C): DD→P, DC→T, CD→S, CC→R
        self._pay = np.array([game.P, game.T, game.S, game.R])

    def _setup_horizon(self) -> None:
        cfg = self.config
        if cfg.horizon == "geometric":
            lengths = [
                min(int(rng.geometric(1.0 - cfg.continuation)), cfg.rounds)
                for rng in self._rng["horizon"]
            ]
        else:
            lengths = [cfg.rounds] * self.R
        self.horizon = np.array(lengths)
        self._stake_block: np.ndarray | None = None
        self._stakes_constant = cfg.stake_sigma == 0

    # ---------------------------------------------------------------- randomness
    def _uniforms(self, purpose: str) -> np.ndarray:
        """(R, block, E) uniforms, one block per replicate stream (same draws for any R)."""
        out = np.empty((self.R, self._block, self.E), np.float32)
        for r, rng in enumerate(self._rng[purpose]):
            rng.random((self._block, self.E), dtype=np.float32, out=out[r])
        return out

    def _stakes(self) -> np.ndarray:
        """This round's stake multiplier per replicate: lognormal, mean 1, spread σ."""
        if self._stakes_constant:
            return np.ones(self.R)
        sigma, k = self.config.stake_sigma, self.t % self._block
        if k == 0:
            z = np.stack([rng.standard_normal(self._block) for rng in self._rng["stakes"]], 1)
            self._stake_block = np.exp(sigma * z - 0.5 * sigma**2)
        return self._stake_block[k]

    # ---------------------------------------------------------------- the round
    @property
    def rounds_total(self) -> int:
        """Rounds needed for every replicate to reach its horizon."""
        return int(self.horizon.max())

    @property
    def done(self) -> bool:
        """True once every replicate has reached its horizon."""
        return self.t >= self.rounds_total

    def step(self) -> None:
        """Play one round in every replicate."""
        k, stake = self._begin_round()
        cfg, M = self.config, self.M
        p = self._intentions(stake)
        if cfg.noise:
            p = p * np.float32(1.0 - 2.0 * cfg.noise) + np.float32(cfg.noise)
        a = self._u_decide[:, k] < p if self._stochastic else p > 0.5
        b = np.concatenate((a[:, M:], a[:, :M]), axis=1)  # partner's action on each edge
        # 3. payoffs
        pay = self._pay.take((a.view(np.uint8) << 1) | b.view(np.uint8))
        if not self._stakes_constant:
            pay *= stake[:, None]
        if self._weight is not None:
            pay *= self._weight
        self._observe(a, b)
        self._finish_round(a, b, pay)

    def _begin_round(self) -> tuple[int, np.ndarray]:
        """Check the horizon, refill the random blocks; returns (block index, stakes)."""
        if self.done:
            raise RuntimeError(
                f"the run is over: all replicates reached their horizon "
                f"({self.rounds_total} rounds)"
            )
        k = self.t % self._block
        if k == 0 and self._stochastic:
            self._u_decide = self._uniforms("decide")
        if k == 0 and self.config.observation_error:
            self._u_observe = self._uniforms("observe")
        return k, self._stakes()

    def _intentions(self, stake: np.ndarray) -> np.ndarray:
        """2. Each directed edge's probability of intending C (before implementation noise)."""
        if self.edge_delay is not None:
            first = self.t <= self.edge_delay
            p = self._table.take(self._table_base + self._hist_my)
            if first.any():
                p = np.where(first, self._first_p[self._strat_edge], p)
        elif self.t <= self.config.observation_delay:
            p = self._first_p[self._strat_edge]
        else:
            p = self._table.take(self._table_base + self._hist_my)
        if self._gated.any():
            ctx = Context(**{**self.context.__dict__, "stake": stake})
            gate = np.ones((self.R, len(self.strategies)), np.float32)
            for s_id in np.flatnonzero(self._gated):
                gate[:, s_id] = self.strategies[s_id].gate(ctx)
            p = p * np.take_along_axis(gate, self._strat_edge, axis=1)
        return p

    def _observe(self, a: np.ndarray, b: np.ndarray) -> None:
        """4. Each edge sees its partner's action of round t − d, misread with probability ε.

        ``a`` is the action each edge's owner played, ``b`` the partner's (a with halves swapped).
        """
        cfg, t, M = self.config, self.t, self.M
        d = cfg.observation_delay
        ready = None
        if d:
            self._buffer[t % (d + 1)] = a
            if self.edge_delay is not None:  # each edge sees round t − d_e of its partner
                lag = self.edge_delay
                ready = t >= lag
                rows = (t - lag) % (d + 1)
                old = self._buffer[rows, :, self._edge_ids].T
                seen = self._buffer[rows, :, (self._edge_ids + M) % self.E].T
            else:
                old = self._buffer[(t - d) % (d + 1)] if t >= d else None
                seen = None if old is None else np.concatenate((old[:, M:], old[:, :M]), axis=1)
        else:
            old, seen = a, b
        if seen is None:
            return
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

    def _finish_round(self, a: np.ndarray, b: np.ndarray, pay: np.ndarray) -> None:
        """Mask rounds past a replicate's horizon, record the metrics, evolve strategies."""
        cfg, t = self.config, self.t
        alive = t < self.horizon
        if not alive.all():
            pay *= alive[:, None]
        self.edge_total += pay
        self.actions_last, self.payoff_last = a, pay
        inv = 1.0 / self.E
        rec = self._rec
        rec["cooperation"][t] = np.count_nonzero(a, axis=1) * inv
        rec["mutual_cooperation"][t] = np.count_nonzero(a & b, axis=1) * inv
        rec["mean_payoff"][t] = pay.sum(axis=1) * inv
        rec["trust"][t] = self.trust.mean(axis=1)
        self._shares_rec[t] = self.shares
        if self._record_actions:
            self._actions.append(a)
        self.t = t + 1
        # 5. evolution
        if cfg.evolution != "none":
            self._edge_acc += pay
            if self.t % cfg.evolution_interval == 0:
                self._evolve()

    def run(self, rounds: int | None = None) -> PairwiseEngine:
        """Play ``rounds`` more rounds (default: until every replicate's horizon)."""
        n = (
            self.rounds_total - self.t
            if rounds is None
            else min(rounds, self.rounds_total - self.t)
        )
        for _ in range(n):
            self.step()
        return self

    # ---------------------------------------------------------------- evolution
    def _evolve(self) -> None:
        """Synchronous strategy revision on accumulated payoffs (Fermi imitation or Moran)."""
        cfg, N, S = self.config, self.N, len(self.strategies)
        fitness = np.bincount(
            self._src_flat, weights=self._edge_acc.ravel(), minlength=self.R * N
        ).reshape(self.R, N)
        self._edge_acc[:] = 0.0
        indptr, indices = self.edges.neighbors_csr
        deg = np.diff(indptr)
        for r, rng in enumerate(self._rng["evolve"]):
            if self.t > self.horizon[r]:
                continue  # this replicate's game is over: its strategies stay as they ended
            u_revise, u_pick, u_adopt, u_mutate = rng.random((4, N))
            mutant = rng.integers(S, size=N)
            old = self.strategy_of_country[r]
            new = old.copy()
            revise = u_revise < cfg.evolution_rate
            pi = fitness[r]
            if cfg.evolution == "imitation":
                j = indices[indptr[:-1] + np.minimum((u_pick * deg).astype(int), deg - 1)]
                # Fermi rule: adopt j's strategy with probability 1 / (1 + exp(−β(π_j − π_i)))
                x = np.clip(-cfg.selection * (pi[j] - pi), -700, 700)
                adopt = revise & (u_adopt < 1.0 / (1.0 + np.exp(x)))
                new[adopt] = old[j[adopt]]
            else:
                # death–birth: neighbours compete for the vacancy with fitness exp(β π)
                f = np.exp(np.clip(cfg.selection * (pi - pi.max()), -700, 0))[indices]
                cum = np.cumsum(f)
                start = np.concatenate(([0.0], cum))[indptr[:-1]]
                target = start + u_pick * (cum[indptr[1:] - 1] - start)
                pick = np.minimum(np.searchsorted(cum, target, side="right"), indptr[1:] - 1)
                new[revise] = old[indices[pick[revise]]]
            mutate = revise & (u_mutate < cfg.mutation)
            new[mutate] = mutant[mutate]
            self.strategy_of_country[r] = new
        self._refresh_edge_strategies()

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
