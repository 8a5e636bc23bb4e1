"""The big push: a temporary coordinated programme moves the region from the status-quo
equilibrium to a higher one, which then sustains itself; the same money spent unilaterally does not.

Theory (Rosenstein-Rodan 1943; Murphy, Shleifer & Vishny 1989; Garg, "Can industrial policy
overcome coordination failures?"): with complementarities and lumpy plants the economy has many
equilibria (:func:`model.optimisation.equilibria_table`), and "defection maintains the status
quo" — the region sits in the one best-response dynamics reach from its current plants, often a
low one. A **temporary** policy can move it into the basin of another equilibrium; once there
it needs no policy any more, *because it is an equilibrium*: nobody gains by leaving. A policy
that does not coordinate who builds what leaves the region in the old basin, and it falls back
when the money stops.

The programme (one run, an economy drawn around a preset, default mercosur):

* status quo q: :func:`~model.optimisation.status_quo_equilibrium` (as the collective engine's
  P_i); plan x*: the highest-W pure equilibrium found (best-response dynamics from q, from the
  regional optimum and from random starts: :func:`~model.optimisation.equilibria.
  dynamics_equilibria`).
* **coordinated**: a regional fund pays a production subsidy σ = B / |x*| per round on each
  plant of the plan (country i, sector k with x*_ik = 1) for T rounds — at most B a round.
  Each round every country, in turn, best-responds to the subsidised payoffs (u_i plus the
  subsidy on its planned plants). After round T the subsidy stops and the countries best-respond
  without it until nobody moves (:func:`~model.optimisation.nash_dynamics` from where the
  programme left them).
* **unilateral** (the ablation, the same money): country i receives the same amount per round
  as under the plan, σ·|x*_i|, but spends it on its own national plan — the portfolio it would
  build if no neighbour produced anything (its best response to an empty region), the classic
  national-champion policy — as a subsidy of that amount spread over those plants.

B is a multiple β of the welfare gap W(x*) − W(q) per round. "Stays high": the post-programme
equilibrium has W above W(q) (beyond a relative 1e-9); the analysis checks that every
post-programme state is a pure equilibrium (no profitable unilateral deviation), i.e. that what
stays, stays on its own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.analysis import aggregate
from experiments.catalogue.experiment import Experiment, Part
from experiments.figures import save_figure, subplots

#: Programme lengths T (rounds) and budgets β (× the welfare gap, per round) of the default grid.
ROUNDS = (1, 2, 3, 5, 8)
BUDGETS = (0.25, 0.5, 1.0, 2.0)
#: Spread of the economies drawn around the preset: capabilities and markets × lognormal(0, s).
SPREAD = 0.15
#: Starts of the search for the plan (the best equilibrium).
STARTS = 100


def programme(
    econ, start: np.ndarray, targets: np.ndarray, subsidy: np.ndarray, rounds: int
) -> tuple[np.ndarray, float]:
    """T = ``rounds`` rounds of subsidised best responses from ``start``: country i is paid
    ``subsidy[i]`` per plant it has in a sector of its ``targets[i]`` row; each round every
    country in turn switches to its best portfolio under the subsidised payoffs (only when
    strictly better). Returns (the profile at the end, the money paid over the T rounds)."""
    from model.optimisation.checks import TOL

    x = np.asarray(start, bool).copy()
    targets = np.asarray(targets, bool)
    paid = 0.0
    for _ in range(rounds):
        last = x.copy()  # every government decides on what it saw last round
        for i in range(econ.N):
            cand = econ.portfolios(i)
            u = econ.unilateral_payoffs(last, i, cand)
            u = u + subsidy[i] * (cand & targets[i]).sum(axis=1)
            own = int(np.flatnonzero((cand == last[i]).all(axis=1))[0])
            best = int(np.argmax(u))
            if u[best] > u[own] + TOL * max(1.0, abs(u[own])):
                x[i] = cand[best]
        paid += float((subsidy * (x & targets).sum(axis=1)).sum())
    return x, paid


def push(econ, status_quo: np.ndarray, targets: np.ndarray, subsidy: np.ndarray, rounds: int):
    """The programme, then best-response dynamics without it: (final NashResult, money paid,
    profile when the programme ended)."""
    from model.optimisation import nash_dynamics

    during, paid = programme(econ, status_quo, targets, subsidy, rounds)
    return nash_dynamics(econ, during), paid, during


def national_plans(econ) -> np.ndarray:
    """Each country's best portfolio if no neighbour produced anything, shape (N, K)."""
    from model.optimisation import best_response

    empty = np.zeros((econ.N, econ.K), bool)
    return np.array([best_response(econ, empty, i)[0] for i in range(econ.N)])


def draw_economy(preset: str, replicate: int, spread: float = SPREAD):
    """Economy ``replicate`` drawn around ``preset`` (replicate 0: the preset itself)."""
    from model.scenarios import load_preset

    econ = load_preset(preset).build_economy()
    if replicate == 0 or spread == 0:
        return econ
    rng = np.random.default_rng(np.random.SeedSequence([11, 1, replicate]))
    return econ.perceived(
        rng.lognormal(0.0, spread, econ.K), rng.lognormal(0.0, spread, (econ.N, econ.K))
    )


def setting(econ, starts: int = STARTS, seed: int = 0):
    """(status quo NashResult, regional optimum, the plan = best equilibrium found, how many
    equilibria were found) of ``econ``."""
    from model import optimisation as opt
    from model.optimisation.equilibria import dynamics_equilibria

    sq = opt.status_quo_equilibrium(econ)
    best = opt.regional_optimum(econ)
    eqs, _ = dynamics_equilibria(econ, starts, seed, include=[sq.profile, best.profile])
    plan = eqs[int(np.argmax(econ.welfare(np.array(eqs))))]
    return sq, best, plan, len(eqs)


@lru_cache(maxsize=64)
def _drawn(preset: str, replicate: int):
    """Economy ``replicate`` around ``preset`` and its :func:`setting` (computed once per
    worker: every point of the grid uses the same economies)."""
    econ = draw_economy(preset, replicate)
    return econ, setting(econ, seed=replicate)


def compare(
    econ, rounds: int, beta: float, starts: int = STARTS, seed: int = 0, prepared=None
) -> dict:
    """Coordinated and unilateral programmes of T = ``rounds`` rounds and budget β·(W* − W_q)
    a round on ``econ``; the columns of one run (see :func:`big_push_run`)."""
    from model import optimisation as opt
    from model.optimisation.checks import better

    sq, best, plan, n_eqs = prepared or setting(econ, starts, seed)
    w_q, w_plan = float(sq.welfare), float(econ.welfare(plan))
    gap = w_plan - w_q
    budget = beta * gap
    new = plan & ~sq.profile  # the plan's plants the status quo lacks: the push pays these
    sigma = budget / max(1, int(new.sum()))
    money = sigma * new.sum(axis=1)  # what each country receives a round under the plan
    own = national_plans(econ) & ~sq.profile
    sigma_own = np.where(own.sum(axis=1) > 0, money / np.maximum(1, own.sum(axis=1)), 0.0)
    out = {
        "w_status_quo": w_q,
        "w_plan": w_plan,
        "w_opt": float(best.welfare),
        "gap": gap,
        "money_per_round": budget,
        "equilibria_found": float(n_eqs),
        "status_quo_converged": float(sq.converged),
        "has_higher": float(better(w_plan, w_q)),
    }
    for arm, targets, sub in (
        ("coordinated", new, np.full(econ.N, sigma)),
        ("unilateral", own, sigma_own),
    ):
        final, paid, during = push(econ, sq.profile, targets, sub, rounds)
        w = float(final.welfare)
        out |= {
            f"{arm}_w_after": w,
            f"{arm}_gain": w - w_q,
            f"{arm}_stays_high": float(final.converged and better(w, w_q)),
            f"{arm}_reached_plan": float(np.array_equal(final.profile, plan)),
            f"{arm}_w_during": float(econ.welfare(during)),
            f"{arm}_equilibrium": float(opt.is_pure_equilibrium(econ, final.profile)),
            f"{arm}_paid": paid,
        }
    return out


def big_push_run(params: dict, seed: int, replicate: int = 0) -> dict[str, float]:
    """One economy (replicate r drawn around ``preset``, the same at every point: T and β are
    compared on the same economies), both arms with T = ``rounds`` and β = ``budget``."""
    econ, prepared = _drawn(str(params.get("preset", "mercosur")), replicate)
    return compare(econ, int(params["rounds"]), float(params["budget"]), prepared=prepared)


def big_push_points(scale: float = 1.0) -> list[dict]:
    """T ∈ ROUNDS × β ∈ BUDGETS on mercosur (scale > 1 adds T = 13 and β = 4)."""
    rounds = list(ROUNDS) + ([13] if scale > 1 else [])
    budgets = list(BUDGETS) + ([4.0] if scale > 1 else [])
    return [{"preset": "mercosur", "rounds": t, "budget": b} for t in rounds for b in budgets]


def analyze_big_push(df: pd.DataFrame, out: Path) -> str:
    """Share of economies staying in a higher-W equilibrium after the programme, coordinated
    against unilateral, by T (one line per β), and the W gain; the summary checks that every
    post-programme state is an equilibrium."""
    df = df[df["has_higher"] > 0]
    fig, (left, right) = subplots(1, 2, figsize=(11, 4))
    colours = dict(zip(sorted(df["budget"].unique()), ("C0", "C1", "C2", "C3", "C4"), strict=False))
    for beta, colour in colours.items():
        part = df[df["budget"] == beta]
        for arm, style in (("coordinated", "-o"), ("unilateral", "--x")):
            agg = aggregate(part, ["rounds"], f"{arm}_stays_high")
            left.plot(agg["rounds"], agg["mean"], style, color=colour, label=f"{arm}, β = {beta:g}")
            gain = aggregate(part, ["rounds"], f"{arm}_gain")
            right.plot(gain["rounds"], gain["mean"], style, color=colour)
    left.set_xlabel("programme length T (rounds)")
    left.set_ylabel("share staying in a higher-W equilibrium")
    left.set_ylim(-0.05, 1.05)
    left.legend(fontsize=7, ncol=2)
    left.grid(alpha=0.3)
    right.set_xlabel("programme length T (rounds)")
    right.set_ylabel("W after removal − W(status quo)")
    right.grid(alpha=0.3)
    fig.suptitle("The big push: a temporary coordinated subsidy vs the same money unilaterally")
    save_figure(fig, out / "big_push.png", dpi=110)
    keys = ["budget", "rounds"]
    table = df.groupby(keys, as_index=False).agg(
        n=("coordinated_stays_high", "size"),
        coord=("coordinated_stays_high", "mean"),
        unil=("unilateral_stays_high", "mean"),
        plan=("coordinated_reached_plan", "mean"),
        gain_c=("coordinated_gain", "mean"),
        gain_u=("unilateral_gain", "mean"),
        paid_c=("coordinated_paid", "mean"),
        paid_u=("unilateral_paid", "mean"),
    )
    eq = df[["coordinated_equilibrium", "unilateral_equilibrium"]].to_numpy()
    lines = [
        "# The big push",
        "",
        "A production subsidy of β × (W(plan) − W(status quo)) a round for T rounds, then "
        "removed; afterwards the countries best-respond until nobody moves. Coordinated: paid "
        "on the plants of the best equilibrium found (the plan). Unilateral: each country gets "
        "the same money and subsidises its own national plan (what it would build alone). "
        f"Economies drawn around mercosur (capabilities and markets × lognormal(0, {SPREAD})); "
        f"{df['replicate'].nunique()} economies with a higher equilibrium than the status quo.",
        "",
        "| β | T | economies | coordinated: share staying higher | of which the plan | "
        "unilateral: share | W gain coordinated | W gain unilateral | paid coordinated | "
        "paid unilateral |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.budget:g} | {r.rounds} | {r.n} | {r.coord:.2f} | {r.plan:.2f} | {r.unil:.2f} | "
        f"{r.gain_c:.2f} | {r.gain_u:.2f} | {r.paid_c:.2f} | {r.paid_u:.2f} |"
        for r in table.itertuples()
    ]
    lines += [
        "",
        f"Every post-programme state is a pure Nash equilibrium (no profitable unilateral "
        f"deviation): {bool(eq.all())} ({int(eq.sum())} of {eq.size} checked) — so what stays "
        "high stays without the money.",
        "",
        "Figure: `big_push.png`.",
    ]
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "big-push",
    "Many equilibria (Garg) and the big push: a temporary coordinated subsidy moves the region "
    "from the status-quo equilibrium to a higher one that sustains itself; the same money spent "
    "unilaterally does not.",
    {"programme": Part(big_push_points, replicates=12)},
    analyze_big_push,
    run=big_push_run,
)
