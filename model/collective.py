"""Collective mode (DESIGN §3): countries follow or leave a regional specialisation plan.

The repeated-game machinery of :class:`~model.engine.PairwiseEngine` is reused unchanged: every
directed edge i→j keeps i's observed history of j and applies i's rule. What changes is the
action and its consequences:

* **Plan** (every ``replan_interval`` rounds; a binding supranational plan every
  ``SUPRANATIONAL_SLOWDOWN`` × ``replan_interval``). With a coordinator (``regime`` plurilateral,
  supranational or minilateral) each member submits its M best feasible portfolios given the
  current plan — truthfully with a probability equal to its mean trust in the others, otherwise
  "shaded" (only its single favourite) — and the coordinator selects one per member to maximise
  regional welfare (Wang 2015, 2017; :func:`model.optimisation.coordinate`). Outsiders (the
  minilateral club's non-members) are taken as they are. Without a coordinator each country plans
  from its own view of the economy, market sizes misperceived with lognormal
  ``information_noise``, so the plans clash (duplication, gaps).
* **Decide**. A member follows the plan (C) when the weighted share of its partners inside the
  arrangement whose rules say C is at least ``reciprocity_threshold``; otherwise it goes it
  alone (D): it builds its national plan made in isolation, the best portfolio when nobody else
  invests (:func:`model.optimisation.go_alone`) — the unilateral strategies that duplicate each
  other's plants and leave gaps. (D does not respond to the plan, so the implied 2×2 game can be
  any class, a stag hunt included; everyone going alone is each member's outside option.)
  Implementation ``noise`` flips the country's action.
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

from dataclasses import replace

import numpy as np

from model import optimisation as opt
from model.config import ModelConfig
from model.economy import Economy
from model.engine import PairwiseEngine

COUNCIL_ROUNDS = 10
"""Most submission–selection rounds per planning round."""
SUPRANATIONAL_SLOWDOWN = 3
"""A binding plan is revised this many times less often than ``replan_interval``."""
SERIES = (
    "welfare",
    "plan_welfare",
    "optimum",
    "price_of_non_coordination",
    "duplication",
    "shortfall",
    "gini",
    "participation",
    "transfers",
)
"""Per-round collective metrics (``engine.series[name]``, shape (rounds, R))."""


class CollectiveEngine(PairwiseEngine):
    """Collective-mode rounds over R replicates (the plan is computed per replicate)."""

    def __init__(self, config: ModelConfig, economy: Economy, seed: int | None = 0, **kwargs):
        super().__init__(config, seed, **kwargs)
        if economy.N != self.N:
            raise ValueError(
                f"the economy has {economy.N} countries but the network has "
                f"{self.N}; allowed: the same number (n_countries)"
            )
        R, N, K = self.R, self.N, economy.K
        self.economies = [economy] * R  # technology shocks replace a replicate's economy
        self.members = np.ones((R, N), bool)
        if config.regime == "minilateral":
            self.members[:] = False
            self.members[:, club_by_complementarity(economy)] = True
        self.eligible = self.members.copy()  # who may take part at all (the club, or everyone)
        self.hegemon_id = int(np.argmax(economy.sizes)) if config.hegemon != "none" else None
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
        self.country_total = np.zeros((R, N))
        self.transfers_last = np.zeros((R, N))
        self.pool = np.zeros(R)
        self.satisfaction = np.zeros((R, N))  # moving average of payoff − outside option
        self.out_until = np.zeros((R, N), int)  # an exited country stays out until this round
        self.opt_out = np.zeros((R, N, K), bool)  # sector initiatives a member opted out of
        self.implied: list[opt.ImpliedGames | None] = [None] * R  # 2×2 games under the plan
        self.shocks = {"elections": np.zeros(R, int), "technology": np.zeros(R, int)}
        # a binding (supranational) plan is renegotiated slowly
        slow = SUPRANATIONAL_SLOWDOWN if config.regime == "supranational" else 1
        self.revision_interval = config.replan_interval * slow
        self._apply_transparency()
        self._edge_w = np.ones(self.E) if self._weight is None else self._weight
        self._vote_weight = (
            self._edge_w
            / np.bincount(self.edges.src, weights=self._edge_w, minlength=N)[self.edges.src]
        )
        self.w_opt = np.full(R, self._optimum(economy))
        cap = int(self.horizon.max())
        self.series = {k: np.zeros((cap, R)) for k in SERIES}
        # elections draw a new government's rule from the scenario's mix (the hegemon's rule,
        # appended after it, is not on the ballot)
        self._election_p = self.mix_weights / self.mix_weights.sum()
        for r in range(R):
            self._replan(r)

    @staticmethod
    def _optimum(econ: Economy) -> float:
        """W_opt: the coordinator's method on every feasible portfolio (exact on the tested
        instances; see model.optimisation.coordinate for its bound). The exact MILP would cost
        seconds at N = 50 on every technology shock, so W_opt is kept as the best welfare known:
        raised whenever a plan or a realised profile does better, so
        that W − W_opt ≤ 0 always holds."""
        return opt.coordinate(econ, [econ.portfolios(i) for i in range(econ.N)], seed=0).welfare

    def _apply_transparency(self) -> None:
        """The coordinator's council rounds: between members, misreading falls to ε(1 − τ) and
        the feedback delay to ⌊d(1 − τ)⌋ (τ = ``transparency``); outsiders see as before.
        Replicates share one network, so replicate 0's membership is used."""
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
    def _replan(self, r: int) -> None:
        """A planning round in replicate r: the new plan, each country's go-alone portfolio,
        the payoffs under the plan and the outside options (everyone going alone)."""
        rng = self._rng["plan"][r]
        if self.config.regime == "none":
            self.plan[r] = self._plans_without_coordinator(r, rng)
        else:
            self.plan[r] = self._coordinated_plan(r, rng)
        self._evaluate_plan(r)

    def _evaluate_plan(self, r: int) -> None:
        econ, plan = self.economies[r], self.plan[r]
        self.deviation[r] = opt.go_alone(econ)
        self.plan_payoff[r] = econ.payoffs(plan)
        self.w_opt[r] = max(self.w_opt[r], self.plan_payoff[r].sum())  # see _optimum
        self.outside_option[r] = econ.payoffs(self.deviation[r])
        self.implied[r] = opt.implied_games(econ, plan, self.deviation[r])

    @property
    def game_classes(self) -> list[list[str]]:
        """Per replicate, the class of each country's implied 2×2 game under the plan."""
        return [g.classes if g is not None else [] for g in self.implied]

    def _coordinated_plan(self, r: int, rng: np.random.Generator) -> np.ndarray:
        """Council rounds (paper §4.3): members submit their M best portfolios given the current
        plan (without the sector initiatives they opted out of), the coordinator selects one
        each; repeat while the region gains (a worse plan is never adopted: the current one stays
        on the table). Outsiders are taken at their best response."""
        econ, cfg = self.economies[r], self.config
        src = self.edges.src
        trust = np.bincount(src, weights=self.trust[r], minlength=self.N) / np.bincount(
            src, minlength=self.N
        )
        truthful = rng.random(self.N) < trust  # otherwise shaded: only its favourite
        plan = self.plan[r]
        for _ in range(COUNCIL_ROUNDS):
            offers = opt.submissions(econ, plan, cfg.submissions)
            candidates = []
            for i in range(self.N):
                if not self.members[r, i]:
                    candidates.append(opt.best_response(econ, plan, i)[0][None, :])
                    continue
                mine = offers[i] if truthful[i] else offers[i][:1]
                # the coordinator also knows each member's current commitment
                mine = np.unique(np.vstack([plan[i][None, :], mine]), axis=0)
                mine = mine[~(mine & self.opt_out[r, i]).any(axis=1)]
                candidates.append(mine if mine.size else np.zeros((1, econ.K), bool))
            new = opt.coordinate(econ, candidates, seed=int(rng.integers(2**31))).profile
            # a council adopts a new plan only if it is better for the region
            if np.array_equal(new, plan) or econ.welfare(new) <= econ.welfare(plan) + 1e-12:
                break
            plan = new
        return plan

    def _plans_without_coordinator(self, r: int, rng: np.random.Generator) -> np.ndarray:
        """Each country plans the region from its own noisy view — market sizes and the other
        countries' capabilities misperceived (lognormal, mean 1, spread ``information_noise``;
        its own capabilities it knows) — and keeps its own row."""
        econ, sigma = self.economies[r], self.config.information_noise
        plan = np.zeros((self.N, econ.K), bool)
        full = [econ.portfolios(i) for i in range(self.N)]
        for i in range(self.N):
            noise = np.exp(sigma * rng.standard_normal((self.N + 1, econ.K)) - sigma**2 / 2)
            noise[1 + i] = 1.0
            view = econ.perceived(noise[0], noise[1:])
            plan[i] = opt.coordinate(
                view, full, seed=int(rng.integers(2**31)), max_rounds=5
            ).profile[i]
        return plan

    # ---------------------------------------------------------------- shocks and participation
    def _shocks(self) -> None:
        """1. Elections (longitudinal) and technology shocks (directional), per replicate. The
        same numbers are drawn every round whatever the switches, so runs with and without a
        flexibility face identical shocks (common random numbers)."""
        cfg = self.config
        changed = False
        for r, rng in enumerate(self._rng["shocks"]):
            elected = rng.random(self.N) < cfg.election_rate
            new_rule = rng.choice(self._election_p.size, size=self.N, p=self._election_p)
            tech, sector, z = rng.random(), rng.integers(self.economies[r].K), rng.standard_normal()
            if self.hegemon_id is not None:
                elected[self.hegemon_id] = False  # the hegemon's leadership is its rule
            if elected.any():
                self.shocks["elections"][r] += elected.sum()
                self.strategy_of_country[r, elected] = new_rule[elected]
                changed = True
                leaving = elected & self.members[r]
                if cfg.regime != "none" and leaving.any():
                    if cfg.longitudinal:  # renegotiate the new government's share at once
                        self._replan(r)
                    else:
                        self._exit(r, leaving)
            if tech < cfg.tech_shock_rate:
                self.shocks["technology"][r] += 1
                sigma = cfg.tech_shock_sigma
                self.economies[r] = econ = technology_shock(
                    self.economies[r], sector, np.exp(sigma * z - sigma**2 / 2)
                )
                self.w_opt[r] = self._optimum(econ)
                if cfg.directional:  # re-plan at once for the new technology
                    self._replan(r)
                else:  # the stale plan is judged by the new economy
                    self._evaluate_plan(r)
        if changed:
            self._refresh_edge_strategies()

    def _exit(self, r: int, who: np.ndarray) -> None:
        """All-or-nothing exit: the countries leave the arrangement for two plan revisions."""
        self.members[r, who] = False
        self.out_until[r, who] = self.t + 2 * self.revision_interval
        self.opt_out[r, who] = False

    def _participation(self, r: int) -> None:
        """7. At a scheduled revision: countries whose time out is over rejoin; members whose
        payoff has fallen below their outside option either opt out of the sector initiatives
        that lose them money (compositional flexibility: "ASEAN minus X") or leave."""
        cfg, t = self.config, self.t
        back = self.eligible[r] & ~self.members[r] & (self.out_until[r] <= t)
        self.members[r, back] = True
        self.satisfaction[r, back] = 0.0
        unhappy = self.members[r] & (self.satisfaction[r] < -1e-9)
        if self.hegemon_id is not None:
            unhappy[self.hegemon_id] = False
        if not unhappy.any():
            return
        if cfg.compositional:
            plants = self.economies[r].plant_payoffs(self.plan[r])
            for i in np.flatnonzero(unhappy):
                planned = self.plan[r, i]
                losing = planned & (plants[i] < 0)
                if not losing.any() and planned.any():
                    losing = planned & (plants[i] == plants[i][planned].min())
                self.opt_out[r, i] |= losing
            self.satisfaction[r, unhappy] = 0.0
        else:
            self._exit(r, unhappy)

    # ---------------------------------------------------------------- the round
    def step(self) -> None:
        """Play one collective round in every replicate."""
        cfg = self.config
        if cfg.election_rate or cfg.tech_shock_rate:
            self._shocks()
        if self.t and self.t % self.revision_interval == 0:
            for r in range(self.R):
                if cfg.regime != "none":
                    self._participation(r)
                self._replan(r)
            self._apply_transparency()
        k, stake = self._begin_round()
        p = self._intentions(stake)
        intent = self._u_decide[:, k] < p if self._stochastic else p > 0.5
        act = (self._votes(intent) >= cfg.reciprocity_threshold - 1e-12) & self.members
        if cfg.noise:
            act ^= np.stack([rng.random(self.N) for rng in self._rng["act"]]) < cfg.noise
        self.country_actions = act
        self.investments = np.where(act[:, :, None], self.plan, self.deviation)
        base = np.stack(
            [econ.payoffs(x) for econ, x in zip(self.economies, self.investments, strict=True)]
        )
        self.w_opt = np.maximum(self.w_opt, base.sum(axis=1))  # see _optimum
        pay = base * stake[:, None] + self._institutions(act)
        self.country_payoff_last = pay
        self.country_total += pay * (self.t < self.horizon)[:, None]
        gap = pay - self.outside_option
        self.satisfaction = np.where(self.members, 0.8 * self.satisfaction + 0.2 * gap, 0.0)
        a = act[:, self.edges.src]
        b = act[:, self.edges.dst]
        self._record_collective(pay, stake)
        self._observe(a, b)
        # per-edge shares of each country's payoff, scaled so that the engine's per-edge mean
        # ("mean_payoff") is the mean country payoff; evolution compares countries by pay
        edge_pay = pay[:, self.edges.src] * self._vote_weight * (self.E / self.N)
        self._finish_round(a, b, edge_pay)

    def _votes(self, intent: np.ndarray) -> np.ndarray:
        """Weighted share of each country's partners *inside the arrangement* whose rule says C
        (an outsider going alone is not a betrayal); 1 for a member with no member partner."""
        inside = self.members[:, self.edges.dst] * self._edge_w
        shape = (self.R, self.N)
        total = np.bincount(self._src_flat, weights=inside.ravel(), minlength=self.R * self.N)
        yes = np.bincount(
            self._src_flat, weights=(intent * inside).ravel(), minlength=self.R * self.N
        )
        return np.where(total > 0, yes / np.maximum(total, 1e-300), 1.0).reshape(shape)

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

    def _record_collective(self, pay: np.ndarray, stake: np.ndarray) -> None:
        """The round's collective series. Welfare, the plan's welfare and W_opt are all at
        today's stakes (the stake multiplies every payoff), so W − W_opt ≤ 0 holds each round."""
        t, s = self.t, self.series
        welfare = pay.sum(axis=1)
        w_opt = self.w_opt * stake
        s["welfare"][t] = welfare
        s["plan_welfare"][t] = self.plan_payoff.sum(axis=1) * stake
        s["optimum"][t] = w_opt
        s["price_of_non_coordination"][t] = [
            opt.price_of_non_coordination(float(w), float(o))
            for w, o in zip(welfare, w_opt, strict=True)
        ]
        s["duplication"][t] = [
            e.duplication(x) for e, x in zip(self.economies, self.investments, strict=True)
        ]
        s["shortfall"][t] = [
            e.shortfall(x) for e, x in zip(self.economies, self.investments, strict=True)
        ]
        s["gini"][t] = gini(pay)
        s["participation"][t] = self.members.mean(axis=1)
        s["transfers"][t] = self.transfers_last.sum(axis=1)


def technology_shock(econ: Economy, sector: int, factor: float) -> Economy:
    """A new technology moves one sector's market by ``factor``; a sector not yet open (market
    0) opens with the economy's mean market times ``factor`` (directional change)."""
    if econ.market[sector] > 0:
        scale = np.ones(econ.K)
        scale[sector] = factor
        return econ.perceived(scale)
    sectors = list(econ.sectors)
    sectors[sector] = replace(sectors[sector], market=float(econ.market.mean() * factor))
    return econ.derive(sectors=sectors)


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
