"""Collective mode (DESIGN §3): countries follow or leave a regional specialisation plan.

The repeated-game machinery of :class:`~model.engine.PairwiseEngine` is reused unchanged: every
directed edge i→j keeps i's observed history of j and applies i's rule. What changes is the
action and its consequences:

* **Plan** (every ``replan_interval`` rounds). With a coordinator (``regime`` plurilateral,
  supranational or minilateral) each member submits its M best feasible portfolios given the
  current plan — truthfully with a probability equal to its mean trust in the others, otherwise
  "shaded" (only its single favourite) — and the coordinator selects one per member to maximise
  regional welfare (Wang 2015, 2017; :func:`model.optimisation.coordinate`). Outsiders (the
  minilateral club's non-members) are taken as they are. Without a coordinator each country plans
  from its own view of the economy, market sizes misperceived with lognormal
  ``information_noise``, so the plans clash (duplication, gaps).
* **Decide**. A country follows the plan (C) when the weighted share of its partners' rules that
  say C is at least ``reciprocity_threshold``; otherwise it plays D, its unilateral best response
  to the plan. Implementation ``noise`` flips the country's action.
* **Payoffs**. The economy scores the realised investments; stakes multiply them. Institutions
  apply per regime: every member pays ``coordination_cost`` (a cooperative hegemon carries it);
  supranational members pay ``sovereignty_cost`` and observed defections are fined (``fine``,
  with probability ``enforcement``) into a pool; the pool (supranational) or the hegemon's
  ``hegemon_budget`` pays side payments that lift cooperating members to their outside option
  (their payoff when everybody goes it alone); a coercive hegemon punishes observed defection.
* **Observe**. Each partner sees the country's action (with delay d and error ε; the
  coordinator's ``transparency`` lowers ε between members).
"""

from __future__ import annotations

import numpy as np

from model import optimisation as opt
from model.config import ModelConfig
from model.economy import Economy
from model.engine import PairwiseEngine

COUNCIL_ROUNDS = 10
"""Most submission–selection rounds per planning round."""


class CollectiveEngine(PairwiseEngine):
    """Collective-mode rounds over R replicates (the plan is computed per replicate)."""

    def __init__(self, config: ModelConfig, economy: Economy, seed: int | None = 0, **kwargs):
        super().__init__(config, seed, **kwargs)
        if economy.N != self.N:
            raise ValueError(
                f"the economy has {economy.N} countries but the network has "
                f"{self.N}; allowed: the same number (n_countries)"
            )
        self.economy = econ = economy
        R, N, K = self.R, self.N, econ.K
        self.members = np.ones((R, N), bool)
        self.hegemon_id = int(np.argmax(econ.sizes)) if config.hegemon != "none" else None
        if self.hegemon_id is not None:  # the largest country leads, with the hegemon's rule
            rule = "CooperativeHegemon" if config.hegemon == "cooperative" else "CoerciveHegemon"
            self.assign(self.hegemon_id, rule)
        self.plan = np.zeros((R, N, K), bool)
        self.deviation = np.zeros((R, N, K), bool)
        self.outside_option = np.zeros((R, N))
        self.plan_payoff = np.zeros((R, N))
        self.investments = np.zeros((R, N, K), bool)
        self.country_actions = np.ones((R, N), bool)
        self.country_payoff_last = np.zeros((R, N))
        self.transfers_last = np.zeros((R, N))
        self.pool = np.zeros(R)
        self.country_total = np.zeros((R, N))
        self.game_classes: list[list[str]] = [[] for _ in range(R)]
        if config.regime == "minilateral":
            self.members[:] = False
            self.members[:, club_by_complementarity(econ)] = True
        self._apply_transparency()
        w = np.ones(self.E) if self._weight is None else self._weight
        self._vote_weight = w / np.bincount(self.edges.src, weights=w, minlength=N)[self.edges.src]
        full = [econ.portfolios(i) for i in range(N)]
        self.w_opt = opt.coordinate(econ, full, seed=0).welfare  # the regional optimum (bound-
        self.w_nash = opt.nash_dynamics(econ).welfare  # checked); the go-it-alone benchmark
        cap = int(self.horizon.max())
        self.series = {
            k: np.zeros((cap, R))
            for k in (
                "welfare",
                "price_of_non_coordination",
                "duplication",
                "shortfall",
                "gini",
                "participation",
                "transfers",
                "plan_welfare",
            )
        }
        self._replan()

    def _apply_transparency(self) -> None:
        """The coordinator's council rounds: between members, misreading falls to ε(1 − τ) and
        the feedback delay to ⌊d(1 − τ)⌋ (τ = ``transparency``); outsiders see as before.
        Membership is shared by all replicates' networks, so replicate 0's members are used."""
        cfg = self.config
        if cfg.regime == "none":
            return
        e = self.edges
        both = self.members[0, e.src] & self.members[0, e.dst]
        keep = 1.0 - cfg.transparency
        self.set_observation(
            delay=np.where(both, int(cfg.observation_delay * keep), cfg.observation_delay),
            error=np.where(both, cfg.observation_error * keep, cfg.observation_error),
        )

    # ---------------------------------------------------------------- planning
    def _replan(self) -> None:
        cfg, econ = self.config, self.economy
        for r in range(self.R):
            rng = self._rng["plan"][r]
            if cfg.regime == "none":
                plan = self._plans_without_coordinator(rng)
            else:
                plan = self._coordinated_plan(r, rng)
            self.plan[r] = plan
            self.deviation[r] = opt.best_responses(econ, plan)
            self.plan_payoff[r] = econ.payoffs(plan)
            self.outside_option[r] = econ.payoffs(self.deviation[r])
            self.game_classes[r] = opt.implied_games(econ, plan).classes

    def _coordinated_plan(self, r: int, rng: np.random.Generator) -> np.ndarray:
        """Council rounds (paper §4.3): members submit their M best portfolios given the current
        plan, the coordinator selects one each; repeat until the plan stops changing."""
        econ, cfg = self.economy, self.config
        src = self.edges.src
        trust = np.bincount(src, weights=self.trust[r], minlength=self.N) / np.bincount(
            src, minlength=self.N
        )
        truthful = rng.random(self.N) < trust  # otherwise shaded: only its favourite
        plan = self.plan[r]
        for _ in range(COUNCIL_ROUNDS):
            offers = opt.submissions(econ, plan, cfg.submissions)
            candidates = [
                offers[i]
                if truthful[i]
                else offers[i][:1]
                if self.members[r, i]
                else opt.best_response(econ, plan, i)[0][None, :]
                for i in range(self.N)
            ]
            new = opt.coordinate(econ, candidates, seed=int(rng.integers(2**31))).profile
            if np.array_equal(new, plan):
                break
            plan = new
        return plan

    def _plans_without_coordinator(self, rng: np.random.Generator) -> np.ndarray:
        """Each country plans the region from its own noisy view and keeps its own row."""
        econ, sigma = self.economy, self.config.information_noise
        plan = np.zeros((self.N, econ.K), bool)
        full = [econ.portfolios(i) for i in range(self.N)]
        for i in range(self.N):
            view = econ.perceived(np.exp(sigma * rng.standard_normal(econ.K) - sigma**2 / 2))
            plan[i] = opt.coordinate(
                view, full, seed=int(rng.integers(2**31)), max_rounds=5
            ).profile[i]
        return plan

    # ---------------------------------------------------------------- the round
    def step(self) -> None:
        """Play one collective round in every replicate."""
        cfg, econ = self.config, self.economy
        if self.t and self.t % cfg.replan_interval == 0:
            self._replan()
        k, stake = self._begin_round()
        p = self._intentions(stake)
        intent = self._u_decide[:, k] < p if self._stochastic else p > 0.5
        votes = np.bincount(
            self._src_flat, weights=(intent * self._vote_weight).ravel(), minlength=self.R * self.N
        ).reshape(self.R, self.N)
        act = (votes >= cfg.reciprocity_threshold - 1e-12) & self.members
        if cfg.noise:
            act ^= np.stack([rng.random(self.N) for rng in self._rng["act"]]) < cfg.noise
        self.country_actions = act
        self.investments = np.where(act[:, :, None], self.plan, self.deviation)
        pay = econ.payoffs(self.investments) * stake[:, None]
        pay += self._institutions(act)
        self.country_payoff_last = pay
        self.country_total += pay * (self.t < self.horizon)[:, None]
        a = act[:, self.edges.src]
        b = act[:, self.edges.dst]
        self._record_collective(pay)
        self._observe(a, b)
        # per-edge shares of each country's payoff, scaled so that the engine's per-edge mean
        # ("mean_payoff") is the mean country payoff; evolution compares countries by pay
        edge_pay = pay[:, self.edges.src] * self._vote_weight * (self.E / self.N)
        self._finish_round(a, b, edge_pay)

    def country_payoffs(self, total: bool = False) -> np.ndarray:
        """Each country's payoff (R, N): last round's, or accumulated with ``total=True``."""
        return self.country_total if total else self.country_payoff_last

    def _institutions(self, act: np.ndarray) -> np.ndarray:
        """Regime costs, fines and side payments per country this round (R, N)."""
        cfg = self.config
        out = np.zeros((self.R, self.N))
        self.transfers_last = np.zeros((self.R, self.N))
        if cfg.regime == "none":
            return out
        members = self.members
        cost = cfg.coordination_cost * members
        if cfg.hegemon == "cooperative":
            out[:, self.hegemon_id] -= cost.sum(axis=1)
        else:
            out -= cost
        defected = members & ~act
        if cfg.regime == "supranational":
            out -= cfg.sovereignty_cost * members
            draws = np.stack([rng.random(self.N) for rng in self._rng["act"]])
            caught = defected & (draws < cfg.enforcement)
            out -= cfg.fine * caught
            self.pool += cfg.fine * caught.sum(axis=1)
        if cfg.hegemon == "coercive":
            out -= cfg.fine * defected  # the hegemon's punishment
        funds = self.pool if cfg.regime == "supranational" else None
        if cfg.hegemon == "cooperative":
            funds = np.full(self.R, cfg.hegemon_budget)
        if funds is not None:
            need = np.maximum(self.outside_option - self.plan_payoff, 0.0) * (members & act)
            total = need.sum(axis=1)
            scale = np.where(total > funds, funds / np.maximum(total, 1e-300), 1.0)
            paid = need * scale[:, None]
            out += paid
            self.transfers_last = paid
            if cfg.hegemon == "cooperative":
                out[:, self.hegemon_id] -= paid.sum(axis=1)
            else:
                self.pool -= paid.sum(axis=1)
        return out

    def _record_collective(self, pay: np.ndarray) -> None:
        econ, t, s = self.economy, self.t, self.series
        welfare = pay.sum(axis=1)
        s["welfare"][t] = welfare
        s["plan_welfare"][t] = self.plan_payoff.sum(axis=1)
        s["price_of_non_coordination"][t] = [
            opt.price_of_non_coordination(float(w), self.w_opt) for w in welfare
        ]
        s["duplication"][t] = econ.duplication(self.investments)
        s["shortfall"][t] = econ.shortfall(self.investments)
        s["gini"][t] = gini(pay)
        s["participation"][t] = self.members.mean(axis=1)
        s["transfers"][t] = self.transfers_last.sum(axis=1)


def club_by_complementarity(econ: Economy, size: int | None = None) -> np.ndarray:
    """A minilateral club: greedily add the country that most raises the club's best capability
    summed over sectors, Σ_k max_{i ∈ club} θ_ik, starting from the largest country, until
    ``size`` members (default ⌈N/3⌉, at least 2). Returns the members' indices."""
    size = size or max(2, -(-econ.N // 3))
    club = [int(np.argmax(econ.sizes))]
    best = econ.capability[club[0]].copy()
    while len(club) < min(size, econ.N):
        gain = np.maximum(econ.capability, best).sum(axis=1)
        gain[club] = -np.inf
        club.append(int(np.argmax(gain)))
        best = np.maximum(best, econ.capability[club[-1]])
    return np.array(sorted(club))


def gini(x: np.ndarray) -> np.ndarray:
    """Gini coefficient of each row, on payoffs shifted to be non-negative (0 = equal)."""
    x = np.sort(x - np.minimum(x.min(axis=-1, keepdims=True), 0.0), axis=-1)
    n = x.shape[-1]
    total = x.sum(axis=-1)
    ranks = np.arange(1, n + 1)
    g = (2 * (ranks * x).sum(axis=-1) / np.maximum(total, 1e-300) - (n + 1)) / n
    return np.where(total > 0, g, 0.0)
