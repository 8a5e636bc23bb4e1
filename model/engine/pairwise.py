"""Pairwise mode (DESIGN §3): every relationship of the country network is a repeated 2×2 game.

One round t, vectorised over directed edges and R replicates (see :mod:`model.engine.base` for the
state, eras and revision):

1. **Stakes**: multiplier s_t per replicate, lognormal with mean 1 and spread ``stake_sigma``.
2. **Decide**: each directed edge i→j applies country i's rule to what i observed about j, by
   table look-up (:mod:`agents.strategies`); forward-looking rules are gated by s_t against the
   discounted value of cooperation Φ of the stage game against Grim in this engine's own
   observation process (:func:`model.theory.grim_future_advantage`: delay d, two-sided
   misreading ε).
   Implementation noise flips the intended action with probability ``noise``; the flipped action
   is the one played, recorded and scored.
3. **Payoffs**: (T, R, P, S) × s_t × edge weight per directed edge; a country's round payoff is
   the sum over its edges.
4. **Observe**: i sees j's action of round t − d, misread with probability ε (both ways).
5. **Eras**: each relationship ends with probability 1 − δ (``horizon = "eras"``) and restarts.
6. **Revision** (``evolution``) every ``evolution_interval`` rounds.
"""

from __future__ import annotations

import numpy as np

from agents.strategies import HISTORY_STATES, Context
from model.engine.base import RoundEngine
from model.theory import grim_future_advantage

_DELTA_MAX = 1.0 - 1e-12
"""δ = 1 (a fixed horizon that is never discounted) is evaluated just below 1."""


class PairwiseEngine(RoundEngine):
    """Vectorised repeated games on a network, for R replicates at once (see
    :class:`~model.engine.base.RoundEngine` for the parameters)."""

    def build_tables(self) -> None:
        """One table row per rule, for the configured stage game (every country plays it). The
        rows depend only on the rule set: a revision that only reassigns rules re-points the
        edges at them."""
        names = tuple(self.strategy_names)
        if getattr(self, "_tables_for", None) == names:
            self._slot_edge = self._strat_edge
            self._table_base = self._strat_edge * (2 * HISTORY_STATES)
            return
        self._tables_for = names
        cfg = self.config
        game = self.game = cfg.matrix_game
        self.context = Context(
            T=game.T,
            R=game.R,
            P=game.P,
            S=game.S,
            continuation=cfg.continuation,
            observation_delay=cfg.observation_delay,
            observation_error=cfg.observation_error,
        )
        first, grid = self.grids()
        table = np.stack(
            [
                np.broadcast_to(s.base_probability(grid, self.context), grid.first.shape)
                for s in self.strategies
            ]
        )
        first_p = [s.base_probability(first, self.context).item() for s in self.strategies]
        self._gate_context = [self._rule_context(s) if s.gated else None for s in self.strategies]
        # payoff by code 2·a + b (True = C): DD→P, DC→T, CD→S, CC→R
        self._pay = np.array([game.P, game.T, game.S, game.R])
        self._set_tables(table, first_p, self._strat_edge)

    def _rule_context(self, rule) -> Context:
        """The context of a forward-looking rule: Φ for its beliefs about δ, d and ε."""
        cfg, ctx = self.config, self.context
        delta, delay, error = (
            true if belief is None else belief
            for belief, true in zip(
                rule.beliefs,
                (cfg.continuation, cfg.observation_delay, cfg.observation_error),
                strict=True,
            )
        )
        phi = grim_future_advantage(self.game, min(delta, _DELTA_MAX), min(error, 0.5), delay)
        return Context(**{**ctx.__dict__, "continuation": delta, "future_advantage": phi})

    def step(self) -> None:
        """Play one round in every replicate."""
        k, stake = self.begin_round()
        cfg, M = self.config, self.M
        p = self.intentions()
        if self._gated.any():
            gate = np.ones((self.R, len(self.strategies)), np.float32)
            for s_id in np.flatnonzero(self._gated):
                ctx = self._gate_context[s_id]
                gate[:, s_id] = self.strategies[s_id].gate(
                    Context(**{**ctx.__dict__, "stake": stake})
                )
            p = p * np.take_along_axis(gate, self._strat_edge, axis=1)
        if cfg.noise:
            p = p * np.float32(1.0 - 2.0 * cfg.noise) + np.float32(cfg.noise)
        a = self._u_decide[:, k] < p if self._stochastic else p > 0.5
        b = np.concatenate((a[:, M:], a[:, :M]), axis=1)  # partner's action on each edge
        pay = self._pay.take((a.view(np.uint8) << 1) | b.view(np.uint8))
        if not self._stakes_constant:
            pay *= stake[:, None]
        if self._weight is not None:
            pay *= self._weight
        self.observe(a, b)
        self.finish_round(a, b, pay, np.count_nonzero(a, axis=1) / self.E)

    def end_relationships(self) -> None:
        """Eras: each undirected relationship ends with probability 1 − δ after the round."""
        if self.config.horizon != "eras":
            return
        k = (self.t - 1) % self._block
        if k == 0:
            self._u_era = self.uniforms("era", self.M)
        ended = self._u_era[:, k] >= np.float32(self.config.continuation)
        if ended.any():
            self.eras += ended.sum(axis=1)
            self.restart(np.concatenate((ended, ended), axis=1))
