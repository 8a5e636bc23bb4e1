"""Collective mode (DESIGN §3, §5): countries follow the regional plan or best-respond, by their
own incentives.

Per round, for R replicates (state, eras and revision: :mod:`model.engine.base`):

1. **Shocks**: elections and technology shocks (triple flexibility).
2. **Plan** (every ``replan_interval`` rounds; a binding supranational plan every
   ``SUPRANATIONAL_SLOWDOWN`` × ``replan_interval``): the coordinator's council rounds (members
   submit their M best portfolios given the current plan — truthfully with a probability equal to
   their mean trust, otherwise only their favourite — and the coordinator selects one each to
   maximise regional welfare; Wang 2015, 2017). Each member then states whether it would follow
   the plan while the others do, by **its own rule and its own implied game**; members who would
   not decline this plan, and the council plans again among the rest, until every remaining
   member would follow it (a self-enforcing arrangement, "a coalition of the willing"). Without a
   coordinator each country plans from its own noisy view, so the plans clash.
3. **Implied games**: per country (:func:`model.optimisation.implied_games`) R_i = u_i(plan),
   T_i = u_i(best response to the plan), P_i = u_i(status-quo equilibrium), S_i = u_i(follow
   while the others best-respond); the status quo is the equilibrium best-response dynamics reach
   from the region's current plants. P_i is the outside option.
4. **Decide**: a member follows its part of the plan (C) or best-responds (D) to what it expects:
   the plan while it expects the others to follow it, the status-quo equilibrium once it has seen
   the agreement break (a partner's defection or its own). The choice is its rule's
   (:meth:`agents.strategies.Strategy.decide` on the partners it sees comply, then any gate):
   forward-looking governments comply iff δ_i ≥ δ*_i of their own game (Φ of
   :mod:`model.incentives`; Nash reversion to the status quo is the punishment — a seen
   defection breaks the agreement for everyone under ``reciprocity_threshold = 1``, as the
   threshold assumes). Implementation ``noise`` flips members' actions only. Outsiders (the
   minilateral club's non-members, decliners) best-respond likewise.
5. **Payoffs**: the economy scores the realised investments × the stake; institutions per
   regime (coordination cost; supranational fines and sovereignty cost; side payments from the
   pool or a cooperative hegemon's budget that lift cooperating members to their outside option
   P_i; a coercive hegemon's punishment).
6. **Observe**: each partner sees the country's compliance (delay d, two-sided error ε, lowered
   between members by ``transparency``).
7. **Eras** (``horizon = "eras"``): the agreement ends after each round with probability 1 − δ;
   the next one starts with cleared histories.
"""

from __future__ import annotations

import numpy as np

from agents.strategies import HISTORY_STATES, Context
from model import optimisation as opt
from model.config import ModelConfig
from model.economy import Economy
from model.engine.base import RoundEngine
from model.games import MatrixGame
from model.incentives import future_advantage
from model.institutions import club_by_complementarity, technology_shock
from model.metrics import SERIES, gini
from model.theory import calculating_threshold

COUNCIL_ROUNDS = 10
"""Most submission–selection rounds per planning round."""
COUNCIL_NODES = 0
"""Branch-and-bound LPs a council's selection may solve: none, Wang's price phase and repair
suffice to propose a plan (W_opt itself is computed exactly)."""
COUNCIL_GAP = 0.01
"""A council stops searching once its plan is within this relative gap of its bound."""
SUPRANATIONAL_SLOWDOWN = 3
"""A binding plan is revised this many times less often than ``replan_interval``."""
_AGES = HISTORY_STATES // 4  # history codes below this mean "last seen cooperating"


class CollectiveEngine(RoundEngine):
    """Collective-mode rounds over R replicates (the plan is computed per replicate)."""

    def __init__(self, config: ModelConfig, economy: Economy, seed: int | None = 0, **kwargs):
        self._ready = False
        super().__init__(config, seed, **kwargs)
        if economy.N != self.N:
            raise ValueError(
                f"the economy has {economy.N} countries but the network has "
                f"{self.N}; allowed: the same number (n_countries)"
            )
        R, N, K = self.R, self.N, economy.K
        self.economies = [economy] * R  # technology shocks replace a replicate's economy
        self._base_capability = economy.capability  # around which new governments' priorities
        self.members = np.ones((R, N), bool)
        if config.regime == "minilateral":
            self.members[:] = False
            self.members[:, club_by_complementarity(economy)] = True
        self.eligible = self.members.copy()  # who may take part at all (the club, or everyone)
        self.declined = np.zeros((R, N), bool)  # members who declined the current plan
        self.hegemon_id = int(np.argmax(economy.sizes)) if config.hegemon != "none" else None
        self.patience = np.full((R, N), config.continuation)
        if self.hegemon_id is not None:  # the largest country leads, with the hegemon's rule
            rule = "CooperativeHegemon" if config.hegemon == "cooperative" else "CoerciveHegemon"
            if config.hegemon == "cooperative":
                self.patience[:, self.hegemon_id] = max(
                    config.continuation, config.hegemon_patience
                )
        self.plan = np.zeros((R, N, K), bool)
        self.deviation = np.zeros((R, N, K), bool)
        self.status_quo = np.zeros((R, N, K), bool)
        self.status_quo_converged = np.ones(R, bool)
        self.outside_option = np.zeros((R, N))  # P_i: payoff in the status-quo equilibrium
        self.plan_payoff = np.zeros((R, N))
        self.games = {k: np.zeros((R, N)) for k in "TRPS"}
        self.future_advantage = np.zeros((R, N))
        self.investments = np.zeros((R, N, K), bool)
        self.country_actions = np.ones((R, N), bool)
        self.expects_plan = np.ones((R, N), bool)
        self.country_payoff_last = np.zeros((R, N))
        self.country_total = np.zeros((R, N))
        self.transfers_last = np.zeros((R, N))
        self.promised = np.zeros((R, N))  # side payments the council's plan promises members
        self._gain_acc = np.zeros((R, N))
        self.pool = np.zeros(R)
        self.satisfaction = np.zeros((R, N))  # moving average of payoff − outside option
        self.out_until = np.zeros((R, N), int)  # an exited country stays out until this round
        self.opt_out = np.zeros((R, N, K), bool)  # sector initiatives a member opted out of
        self.implied: list[opt.ImpliedGames | None] = [None] * R  # 2×2 games under the plan
        self._council_key: list[bytes] = [b""] * R  # what the last council read (see _replan)
        self._rehear = np.ones(R, bool)  # decliners are heard again at the next council
        self._heard_with = np.zeros((R, N), int)  # options revealed when all were last heard
        self._delta_star: list[np.ndarray | None] = [None] * R
        self.shocks = {"elections": np.zeros(R, int), "technology": np.zeros(R, int)}
        slow = SUPRANATIONAL_SLOWDOWN if config.regime == "supranational" else 1
        self.revision_interval = config.replan_interval * slow
        self._edge_w = np.ones(self.E) if self._weight is None else self._weight
        self.w_opt_exact = np.zeros(R, bool)
        self.w_opt = np.full(R, self._optimum(0, economy))
        self.w_opt_exact[:] = self.w_opt_exact[0]
        cap = int(self.horizon.max())
        self.series = {k: np.zeros((cap, R)) for k in SERIES}
        # elections draw a new government's rule from the scenario's mix (the hegemon's rule,
        # appended after it, is not on the ballot)
        self._election_p = self.mix_weights / self.mix_weights.sum()
        if self.hegemon_id is not None:
            self.assign(self.hegemon_id, rule)
        self._ready = True
        self._apply_transparency()
        for r in range(R):
            self._set_status_quo(r)
            self._replan(r)
        self.build_tables()

    def _optimum(self, r: int, econ: Economy) -> float:
        """W_opt of replicate r's economy: the exact regional optimum where it can be proved
        (:func:`model.optimisation.regional_optimum`; ``w_opt_exact[r]`` says whether it was),
        then kept as the best welfare known — raised if a plan or a realised profile ever does
        better (only possible when it is a bound), so that W − W_opt ≤ 0 always holds."""
        best = opt.regional_optimum(econ)
        self.w_opt_exact[r] = best.exact
        return best.welfare

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

    # ---------------------------------------------------------------- rules and incentives
    def build_tables(self) -> None:
        """Per-country tables: each country's rule evaluated on **its own** implied game."""
        first, grid = self.grids()
        if not self._ready:  # during construction, before any plan: placeholder games
            zeros = np.zeros((self.R, self.N, 1))
            ctx = Context(T=zeros, R=zeros, P=zeros, S=zeros)
        else:
            ctx = self._context(expand=True)
        G = grid.first.size
        table = np.zeros((self.R, self.N, G))
        first_p = np.zeros((self.R, self.N))
        for s_id, rule in enumerate(self.strategies):
            mine = self.strategy_of_country == s_id
            if not mine.any():
                continue
            rows = np.broadcast_to(rule.base_probability(grid, ctx), (self.R, self.N, G))
            table[mine] = rows[mine]
            f = np.broadcast_to(rule.base_probability(first, ctx), (self.R, self.N, 1))[..., 0]
            first_p[mine] = f[mine]
        slot = np.arange(self.R)[:, None] * self.N + self.edges.src[None, :]
        self._set_tables(table, first_p, slot)

    def _context(self, expand: bool = False, stake: np.ndarray | None = None) -> Context:
        """Every country's own game, patience and Φ: arrays (R, N), or (R, N, 1) to broadcast
        against the observed-state grid."""
        g, cfg = self.games, self.config
        f = (lambda a: a[..., None]) if expand else (lambda a: a)
        return Context(
            T=f(g["T"]),
            R=f(g["R"]),
            P=f(g["P"]),
            S=f(g["S"]),
            continuation=f(self.patience),
            observation_delay=cfg.observation_delay,
            observation_error=cfg.observation_error,
            stake=None if stake is None else stake[:, None],
            future_advantage=f(self.future_advantage),
            threshold=cfg.reciprocity_threshold,
        )

    def _arrangement_feedback(self, r: int) -> tuple[int, float]:
        """(delay, false-alarm rate) of the agreement among members: the slowest member-to-member
        feedback, and the probability that some member misreads some member's compliance in a
        round (which breaks the agreement under the unanimity trigger)."""
        cfg, e = self.config, self.edges
        inside = self.members[r, e.src] & self.members[r, e.dst]
        if not inside.any():
            return cfg.observation_delay, 0.0
        delay = cfg.observation_delay if self.edge_delay is None else self.edge_delay[inside].max()
        err = cfg.observation_error if self.edge_error is None else self.edge_error[inside]
        err = np.broadcast_to(np.asarray(err, float), (int(inside.sum()),))
        survive = float(np.exp(np.log1p(-err).sum()))
        return int(delay), 1.0 - survive

    def _incentives(self, r: int) -> None:
        """Φ_i for every country of replicate r from its own game and patience (and a
        forward-looking rule's beliefs, where it states them)."""
        g = self.games
        delay, error = self._arrangement_feedback(r)
        phi = np.asarray(
            future_advantage(
                g["T"][r],
                g["R"][r],
                g["P"][r],
                delta=self.patience[r],
                delay=delay,
                error=error,
            ),
            float,
        )
        for s_id, rule in enumerate(self.strategies):
            beliefs = getattr(rule, "beliefs", (None, None, None))
            if rule.gated and any(b is not None for b in beliefs):
                mine = self.strategy_of_country[r] == s_id
                b_delta, b_delay, b_error = beliefs
                phi[mine] = future_advantage(
                    g["T"][r][mine],
                    g["R"][r][mine],
                    g["P"][r][mine],
                    delta=self.patience[r][mine] if b_delta is None else b_delta,
                    delay=delay if b_delay is None else b_delay,
                    error=error if b_error is None else b_error,
                )
        self.future_advantage[r] = phi

    def _rule_would_ever_follow(self, r: int) -> np.ndarray:
        """Per country: does its rule intend C in the cooperative state at all (its first move)?
        Rules that never do (AllD, SuspiciousTitForTat's first move) decline every plan."""
        return self._first_p.reshape(self.R, self.N)[r] >= 0.5

    def willing(self, r: int) -> np.ndarray:
        """Per country of replicate r: does the plan pay it at least its outside option
        (R_i ≥ P_i, individual rationality — DESIGN §3 step 7) and would its rule follow the
        plan while every partner does (its first move, its collective decision, and its gate at
        the mean stake)?"""
        first, _ = self.grids()
        ctx = self._context()
        ctx_r = Context(
            **{k: (v[r] if isinstance(v, np.ndarray) else v) for k, v in ctx.__dict__.items()}
        )
        g, out = self.games, self.outside_option[r]
        rational = g["R"][r] >= out - 1e-9 * np.maximum(1.0, np.abs(out))
        out = np.zeros(self.N, bool)
        ones = np.ones(self.N)
        for s_id, rule in enumerate(self.strategies):
            mine = self.strategy_of_country[r] == s_id
            if not mine.any():
                continue
            ok = np.broadcast_to(rule.base_probability(first, ctx_r), (self.N,)) >= 0.5
            ok = ok & np.broadcast_to(rule.decide(ones, ones, ctx_r), (self.N,))
            if rule.gated:
                ok = ok & np.broadcast_to(rule.gate(ctx_r), (self.N,))
            out[mine] = ok[mine]
        return out & rational

    # ---------------------------------------------------------------- planning
    def _set_status_quo(self, r: int) -> None:
        """The non-cooperative outcome of replicate r's economy: best-response dynamics from
        the region's current plants (none), and each country's payoff there (P_i)."""
        econ = self.economies[r]
        nash = opt.status_quo_equilibrium(econ)
        self.status_quo[r] = nash.profile
        self.status_quo_converged[r] = nash.converged
        self.outside_option[r] = econ.payoffs(nash.profile)

    def _replan(self, r: int) -> None:
        """A planning round in replicate r: the council's plan (or, with no coordinator, the
        clash of national plans), then each member's stated willingness to follow it; members
        who would not follow decline and the council plans again among the rest. Decliners are
        heard again at the first council of the next agreement cycle (era), after an election
        or a technology shock, or once trust has grown enough for members to reveal more
        options; otherwise the council plans among its members."""
        rng = self.rng["plan"][r]
        if self.config.regime == "none":
            self.plan[r] = self._plans_without_coordinator(r, rng)
            self._evaluate_plan(r)
            return
        key = self._council_inputs(r)
        if key == self._council_key[r]:
            return  # nothing the council reads has changed: it would adopt the same plan
        before = self.members[r].copy()
        revealed = self._revealed(r)
        if (revealed > self._heard_with[r]).any():
            self._rehear[r] = True  # trust has grown: members would reveal more options
        if self._rehear[r]:  # a new agreement cycle, a changed economy or changed trust: all
            self.members[r] |= self.declined[r]  # are heard, from the status quo
            self.declined[r] = False
            self._rehear[r] = False
            self._heard_with[r] = revealed
            self.plan[r] = self.status_quo[r]
            # a rule that would not follow any plan (e.g. AllD) declines at once
            never = self.members[r] & ~self._rule_would_ever_follow(r)
            self.members[r, never] = False
            self.declined[r, never] = True
        self.plan[r] = self._coordinated_plan(r)
        self._evaluate_plan(r)
        planned_for = self.members[r].copy()
        for _ in range(2 * self.N):
            refuse = self.members[r] & ~self.willing(r)
            if self.hegemon_id is not None:
                refuse[self.hegemon_id] = False  # the hegemon leads: its rule decides in play
            if refuse.any():
                # the others proceed without them (the decliners best-respond to the plan)
                self.members[r, refuse] = False
                self.declined[r, refuse] = True
                self._evaluate_plan(r)
                continue
            if np.array_equal(self.members[r], planned_for):
                break
            # the coordinator plans again among the rest (one quick selection round)
            planned_for = self.members[r].copy()
            self.plan[r] = self._coordinated_plan(r, rounds=1, quick=True)
            self._evaluate_plan(r)
        self._joined(r, self.members[r] & ~before)
        self._council_key[r] = self._council_inputs(r)

    def _council_inputs(self, r: int) -> bytes:
        """Everything a council of replicate r reads: the economy, who is in, out or declined,
        the plan, the opt-outs, the rules and patience, and how many options each member
        reveals (from its trust)."""
        parts = (
            self.members[r],
            self.declined[r],
            self.plan[r],
            self.opt_out[r],
            self.strategy_of_country[r],
            self.patience[r],
            self._revealed(r),
        )
        return str(id(self.economies[r])).encode() + b"".join(
            np.ascontiguousarray(a).tobytes() for a in parts
        )

    def _joined(self, r: int, who: np.ndarray) -> None:
        """Countries that (re)join the arrangement begin a new relationship with it: the
        histories on their edges are cleared (what they did as outsiders was no betrayal)."""
        if not who.any():
            return
        e = self.edges
        ended = np.zeros((self.R, self.E), bool)
        ended[r] = who[e.src] | who[e.dst]
        self.restart(ended)  # from this round (planning happens before the round's decisions)

    def membership_costs(self, r: int) -> np.ndarray:
        """Each country's expected per-round cost of membership in replicate r (coordination
        cost, carried by a cooperative hegemon for everyone; sovereignty cost under a binding
        plan) — it lowers R, T and S of a member's implied game."""
        cfg, members = self.config, self.members[r]
        cost = np.zeros(self.N)
        if cfg.regime == "none":
            return cost
        if cfg.hegemon == "cooperative":
            cost[self.hegemon_id] += cfg.coordination_cost * members.sum()
        else:
            cost += cfg.coordination_cost * members
        if cfg.regime == "supranational":
            cost += cfg.sovereignty_cost * members
        return cost

    def expected_fines(self, r: int) -> np.ndarray:
        """Each member's expected fine for a defection (supranational: ``fine`` with probability
        ``enforcement``; a coercive hegemon's punishment: ``fine``) — it lowers T."""
        cfg, members = self.config, self.members[r]
        fine = np.zeros(self.N)
        if cfg.regime == "supranational":
            fine += cfg.enforcement * cfg.fine * members
        if cfg.hegemon == "coercive":
            fine += cfg.fine * members
        return fine

    def side_payment_funds(self, r: int) -> float:
        """What replicate r's arrangement can pay per round to keep members in: a cooperative
        hegemon's budget, or under a supranational regime the pool of collected fines."""
        cfg = self.config
        if cfg.regime == "none":
            return 0.0
        if cfg.hegemon == "cooperative":
            return float(cfg.hegemon_budget)
        if cfg.regime == "supranational":
            return float(self.pool[r])
        return 0.0

    def side_payments(self, r: int, plan_payoff: np.ndarray) -> np.ndarray:
        """Compensation promised under the plan (seed 000 §4.3; Pedersen 2002): each member
        whose plan payoff (net of membership costs) falls short of its outside option P_i is
        offered the shortfall, smallest shortfalls first while the funds last (so the most
        members are kept); a shortfall the funds cannot cover is not paid at all (a part would
        not make the plan individually rational). Zero wherever individual rationality does not
        bind."""
        funds = self.side_payment_funds(r)
        paid = np.zeros(self.N)
        if funds <= 0:
            return paid
        need = np.maximum(self.outside_option[r] - plan_payoff, 0.0) * self.members[r]
        if self.hegemon_id is not None:
            need[self.hegemon_id] = 0.0  # the payer leads; it is not paid
        for i in np.argsort(need, kind="stable"):
            if need[i] <= 0:
                continue
            if need[i] > funds:
                break
            paid[i], funds = need[i], funds - need[i]
        return paid

    def _settle_outsiders(self, r: int, sweeps: int = 3) -> None:
        """Outsiders best-respond to the arrangement: sequential best responses of the
        non-members to the members' plan rows and to each other (a few sweeps), so the published
        plan holds what every country is expected to do."""
        econ, plan = self.economies[r], self.plan[r]
        outside = ~self.members[r]
        for _ in range(sweeps):
            # who would move (all best responses at once); only they are updated, in turn
            movers = np.flatnonzero(outside & (opt.best_responses(econ, plan) != plan).any(axis=1))
            if not movers.size:
                break
            for i in movers:
                plan[i] = opt.best_response(econ, plan, int(i))[0]

    def _evaluate_plan(self, r: int) -> None:
        """Outsiders settle on their best responses; then each country's best response to the
        plan, its implied game and Φ."""
        self._settle_outsiders(r)
        econ, plan = self.economies[r], self.plan[r]
        games = opt.implied_games(econ, plan, self.status_quo[r])
        self.implied[r] = games
        self.deviation[r] = games.deviation
        self.plan_payoff[r] = games.R
        cost, fine = self.membership_costs(r), self.expected_fines(r)
        paid = self.promised[r] = self.side_payments(r, games.R - cost)
        # a promised side payment is paid each round the member follows the plan: it raises R
        # and S; the payer (a cooperative hegemon) carries their sum whatever it does itself
        carried = np.zeros(self.N)
        if self.hegemon_id is not None:
            carried[self.hegemon_id] = paid.sum()
        self.games["R"][r] = games.R - cost + paid - carried
        self.games["T"][r] = games.T - cost - fine - carried
        self.games["S"][r] = games.S - cost + paid - carried
        # the punishment: the status quo while still a member (the costs run on until it
        # leaves); the outside option of leaving, P_i without costs, is ``outside_option``
        self.games["P"][r] = games.P - cost - carried
        self.w_opt[r] = max(self.w_opt[r], games.R.sum())  # see _optimum
        self._incentives(r)
        self._delta_star[r] = None  # critical_deltas recomputes on demand
        if self._ready:
            self.build_tables()

    @property
    def game_classes(self) -> list[list[str]]:
        """Per replicate, the class of each country's implied 2×2 game under the plan."""
        return [g.classes if g is not None else [] for g in self.implied]

    def critical_deltas(self, r: int = 0) -> np.ndarray:
        """δ*_i of each country's own game in replicate r (with the agreement's feedback delay
        and false-alarm rate): the smallest δ at which a forward-looking government complies
        (0: at any δ; inf: at none)."""
        if self._delta_star[r] is not None:
            return self._delta_star[r].copy()
        delay, error = self._arrangement_feedback(r)
        g = self.games
        out = np.empty(self.N)
        for i in range(self.N):
            t, rr, p = g["T"][r, i], g["R"][r, i], g["P"][r, i]
            out_i = self.outside_option[r, i]
            if rr < out_i - 1e-9 * max(1.0, abs(out_i)):
                out[i] = np.inf  # the plan pays less than the status quo: it never joins
            elif t <= rr + 1e-9 * max(1.0, abs(rr)):
                out[i] = 0.0
            elif rr <= p:
                out[i] = np.inf
            else:
                # the sucker's payoff does not enter the trigger comparison
                game = MatrixGame(T=t, R=rr, P=p, S=p - 1.0)
                out[i] = calculating_threshold(game, delay, min(error, 0.999))
        self._delta_star[r] = out
        return out.copy()

    def _revealed(self, r: int) -> np.ndarray:
        """How many of its M best options each member reveals: ⌈mean trust · M⌉, at least 1."""
        src = self.edges.src
        trust = np.bincount(src, weights=self.trust[r], minlength=self.N) / np.maximum(
            np.bincount(src, minlength=self.N), 1
        )
        return np.maximum(1, np.ceil(trust * self.config.submissions - 1e-9)).astype(int)

    def _coordinated_plan(
        self, r: int, rounds: int = COUNCIL_ROUNDS, quick: bool = False
    ) -> np.ndarray:
        """Council rounds (paper §4.3): members submit their best portfolios given the current
        plan (without the sector initiatives they opted out of) — the more a member trusts the
        others, the more of its M best options it reveals (⌈trust · M⌉, at least its favourite)
        — and the coordinator selects one each; repeat while the region gains (a worse plan is
        never adopted: the current one stays on the table). Outsiders are taken at their best
        response. Deterministic given the state (the coordinator's search is seeded by the
        round), so runs that differ only in δ face the same councils."""
        econ, cfg = self.economies[r], self.config
        revealed = self._revealed(r)
        plan = self.plan[r]
        for _ in range(rounds):
            offers = opt.submissions(econ, plan, cfg.submissions)
            replies = opt.best_responses(econ, plan)
            candidates = []
            for i in range(self.N):
                if not self.members[r, i]:
                    candidates.append(replies[i][None, :])
                    continue
                mine = offers[i][: revealed[i]]
                # the coordinator also knows each member's current commitment
                mine = np.unique(np.vstack([plan[i][None, :], mine]), axis=0)
                mine = mine[~(mine & self.opt_out[r, i]).any(axis=1)]
                candidates.append(mine if mine.size else np.zeros((1, econ.K), bool))
            # a council proposes a good plan, it need not prove it optimal: a short
            # branch-and-bound (quick: prices by subgradient steps and repair only)
            fast = (
                {"dual": "subgradient", "max_nodes": 0, "max_rounds": 5}
                if quick
                else {"max_nodes": COUNCIL_NODES, "gap_tol": COUNCIL_GAP}
            )
            new = opt.coordinate(econ, candidates, seed=self.t, **fast).profile
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
        flexibility face identical shocks (common random numbers).

        An elected government brings its own industrial priorities (seed 000 Table 3: "a
        change in government should not derail a country's participation"): its valuation of
        each sector's plants is its capability times a lognormal factor of spread
        ``election_sigma`` (mean 1), and where the scenario has a mix of rules its rule is drawn
        from it. It judges the arrangement by its own valuation: with longitudinal flexibility
        the council renegotiates at once; without, the current plan stands and the new
        government stays if it would follow it (individually rational, its rule would comply)
        and leaves if not — never just because it was elected."""
        cfg = self.config
        for r, rng in enumerate(self.rng["shocks"]):
            elected = rng.random(self.N) < cfg.election_rate
            new_rule = rng.choice(self._election_p.size, size=self.N, p=self._election_p)
            tech, sector, z = rng.random(), rng.integers(self.economies[r].K), rng.standard_normal()
            priorities = rng.standard_normal((self.N, self.economies[r].K))
            if self.hegemon_id is not None:
                elected[self.hegemon_id] = False  # the hegemon's leadership is its rule
            if elected.any():
                self.shocks["elections"][r] += elected.sum()
                self._rehear[r] = True
                self.strategy_of_country[r, elected] = new_rule[elected]
                self.refresh_rules()  # before the new government judges the plan
                sigma = cfg.election_sigma
                if sigma > 0:
                    # priorities around the country's own industrial base (not compounded)
                    capability = self.economies[r].capability.copy()
                    capability[elected] = self._base_capability[elected] * np.exp(
                        sigma * priorities[elected] - sigma**2 / 2
                    )
                    self._new_economy(r, self.economies[r].derive(capability=capability))
                newly = elected & self.members[r]
                if cfg.regime != "none" and newly.any():
                    if cfg.longitudinal:
                        self._replan(r)
                    else:
                        self._evaluate_plan(r)
                        leaving = newly & ~self.willing(r)
                        if leaving.any():
                            self._exit(r, leaving)
                            self._evaluate_plan(r)
                elif sigma > 0:
                    self._evaluate_plan(r)
            if tech < cfg.tech_shock_rate:
                self.shocks["technology"][r] += 1
                sigma = cfg.tech_shock_sigma
                factor = np.exp(sigma * z - sigma**2 / 2)
                self._new_economy(r, technology_shock(self.economies[r], sector, factor))
                if cfg.directional:  # re-plan at once for the new technology
                    self._replan(r)
                else:  # the stale plan is judged by the new economy
                    self._evaluate_plan(r)

    def _new_economy(self, r: int, econ: Economy) -> None:
        """Replicate r's economy changed (a shock): its optimum and status quo follow, and the
        decliners are heard again at the next council."""
        self.economies[r] = econ
        self.w_opt[r] = self._optimum(r, econ)
        self._set_status_quo(r)
        self._rehear[r] = True

    def _exit(self, r: int, who: np.ndarray) -> None:
        """All-or-nothing exit: the countries leave the arrangement for two plan revisions."""
        self.members[r, who] = False
        self.out_until[r, who] = self.t + 2 * self.revision_interval
        self.opt_out[r, who] = False

    def _participation(self, r: int) -> None:
        """7. At a scheduled revision: countries whose time out is over rejoin; members whose
        payoff has fallen below their outside option P_i either opt out of the sector initiatives
        that lose them money (compositional flexibility: "ASEAN minus X") or leave."""
        cfg, t = self.config, self.t
        back = self.eligible[r] & ~self.members[r] & ~self.declined[r] & (self.out_until[r] <= t)
        self.members[r, back] = True
        self.satisfaction[r, back] = 0.0
        self._joined(r, back)
        tol = 1e-6 * np.maximum(1.0, np.abs(self.outside_option[r]))  # ties are no loss
        unhappy = self.members[r] & (self.satisfaction[r] < -tol)
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
        self._evaluate_plan(r)

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
            self.build_tables()
        k, stake = self.begin_round()
        p = self.intentions()
        intent = self._u_decide[:, k] < p if self._stochastic else p > 0.5
        votes, expected, holds = self._partners(intent)
        ctx = self._context(stake=stake)
        act = np.zeros((self.R, self.N), bool)
        for s_id, rule in enumerate(self.strategies):
            mine = self.strategy_of_country == s_id
            if not mine.any():
                continue
            yes = np.broadcast_to(rule.decide(votes, expected, ctx), mine.shape)
            if rule.gated:
                yes = yes & np.broadcast_to(rule.gate(ctx), mine.shape)
            act |= mine & yes
        act &= self.members
        if cfg.noise:
            flips = np.stack([rng.random(self.N) for rng in self.rng["act"]]) < cfg.noise
            act ^= flips & self.members
        self.country_actions = act
        # D: the best response to what the country expects — the plan while it expects the
        # others to follow, the status quo once the agreement has broken in its eyes
        self.expects_plan = holds
        defect = np.where(holds[:, :, None], self.deviation, self.status_quo)
        self.investments = np.where(act[:, :, None], self.plan, defect)
        base = np.stack(
            [econ.payoffs(x) for econ, x in zip(self.economies, self.investments, strict=True)]
        )
        self.w_opt = np.maximum(self.w_opt, base.sum(axis=1))  # see _optimum
        pay = base * stake[:, None] + self._institutions(act)
        self.country_payoff_last = pay
        alive = (self.t < self.horizon)[:, None]
        self.country_total += pay * alive
        gap = pay - self.outside_option * stake[:, None]
        self._gain_acc += gap * alive
        self.satisfaction = np.where(self.members, 0.8 * self.satisfaction + 0.2 * gap, 0.0)
        a = act[:, self.edges.src]
        b = act[:, self.edges.dst]
        self._record_collective(pay, stake)
        # partners see compliance; an outsider follows no plan, so it is never seen to defect
        # (what it does is no betrayal and does not erode trust)
        seen = act | ~self.members
        self.observe(seen[:, self.edges.src], seen[:, self.edges.dst])
        # per-edge shares of each country's payoff, scaled so that the engine's per-edge mean
        # ("mean_payoff") is the mean country payoff
        share = (
            self._edge_w
            / np.bincount(self.edges.src, weights=self._edge_w, minlength=self.N)[self.edges.src]
        )
        edge_pay = pay[:, self.edges.src] * share * (self.E / self.N)
        self.finish_round(a, b, edge_pay, act.sum(axis=1) / self.N)

    def _partners(self, intent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per country, over its partners inside the arrangement (weighted; an outsider going
        its own way is not a betrayal; 1 where it has none): the share towards whom its rule
        intends C, the share it last saw comply, and whether it still expects the agreement to
        hold (the share of partners seen complying in a round in which it complied itself, at
        least the reciprocity threshold)."""
        inside = self.members[:, self.edges.dst] * self._edge_w
        first = self.first_state()
        seen_c = first | (self._hist < _AGES)
        mutual = first | (seen_c & (self._hist_my >= HISTORY_STATES))
        shape, n = (self.R, self.N), self.R * self.N

        def share(x: np.ndarray) -> np.ndarray:
            yes = np.bincount(self._src_flat, weights=(x * inside).ravel(), minlength=n)
            return np.where(total > 0, yes / np.maximum(total, 1e-300), 1.0).reshape(shape)

        total = np.bincount(self._src_flat, weights=inside.ravel(), minlength=n)
        expected = share(seen_c)
        # a member also knows its own defection will be seen; an outsider follows no plan
        seen = np.where(self.members, share(mutual), expected)
        holds = seen >= self.config.reciprocity_threshold - 1e-12
        return share(intent), expected, holds

    def end_relationships(self) -> None:
        """Eras: the regional agreement ends after the round with probability 1 − δ; the next
        one starts with cleared histories for every country."""
        if self.config.horizon != "eras":
            return
        u = np.array([rng.random() for rng in self.rng["era"]])
        ended = u >= self.config.continuation
        if ended.any():
            self.eras += ended
            self._rehear |= ended
            self.restart(np.repeat(ended[:, None], self.E, axis=1))

    def fitness(self) -> np.ndarray:
        """Revision compares countries by their gain over their outside option (the value the
        arrangement added for them), accumulated since the last revision: absolute payoffs
        would make every small country copy the largest one."""
        fit, self._gain_acc = self._gain_acc, np.zeros_like(self._gain_acc)
        return fit

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
            draws = np.stack([rng.random(self.N) for rng in self.rng["act"]])
            caught = defected & (draws < cfg.enforcement)
            out -= cfg.fine * caught
            self.pool += cfg.fine * caught.sum(axis=1)
        if cfg.hegemon == "coercive":
            out -= cfg.fine * defected  # the hegemon's punishment
        # the promised side payments, to members who followed the plan (a supranational pool
        # pays what it holds, shared in proportion when it holds less)
        owed = self.promised * (members & act)
        if cfg.hegemon == "cooperative":
            paid = owed
            out[:, self.hegemon_id] -= paid.sum(axis=1)
        else:
            total = owed.sum(axis=1)
            scale = np.where(total > self.pool, self.pool / np.maximum(total, 1e-300), 1.0)
            paid = owed * scale[:, None]
            self.pool -= paid.sum(axis=1)
        out += paid
        self.transfers_last = paid
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
        s["price_of_non_coordination"][t] = welfare - w_opt
        s["duplication"][t] = [
            e.duplication(x) for e, x in zip(self.economies, self.investments, strict=True)
        ]
        s["shortfall"][t] = [
            e.shortfall(x) for e, x in zip(self.economies, self.investments, strict=True)
        ]
        s["gini"][t] = gini(pay)
        s["participation"][t] = self.members.mean(axis=1)
        s["transfers"][t] = self.transfers_last.sum(axis=1)
