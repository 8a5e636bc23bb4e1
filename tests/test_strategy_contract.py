"""The contract every rule keeps, checked for every registered rule.

Parametrised over the public registry (``agents.STRATEGIES``) when the tests are collected, so a
rule registered by then (with :func:`agents.register_strategy`) is covered without editing this
file; plus a named ``MemoryOne`` and an unregistered user subclass, the two ways of writing one's
own rule. The engines call a rule as follows (``model/engine``):

* pairwise, on the whole observed-state grid of :func:`agents.strategies.state_grid` with the
  stage game as scalars: ``base_probability(grid, ctx)`` must broadcast to the grid's shape and
  ``base_probability(first, ctx)`` must have one element;
* collective, with each country's own game as arrays (R, N, 1) against the grid, and
  ``decide(votes, expected, ctx)`` on (R, N) arrays;
* forward-looking (``gated``) rules: ``gate(ctx)`` per replicate, at this round's stake.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents import STRATEGIES, MemoryOne, Strategy
from agents.strategies import Context, Observed, state_grid
from experiments.matches import play_match
from model.games import PD


class Wary(Strategy):
    """A user rule (unregistered, no ``name``): C first, then C iff the partner has not defected
    twice in a row and was seen to cooperate within the last three observations."""

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.first | ((h.defect_run < 2) & (h.defect_age >= 3))).astype(float)


RULES = [
    *(STRATEGIES[name] for name in sorted(STRATEGIES)),
    MemoryOne(0.9, 0.8, 0.1, 0.7, 0.2, name="SomeMemoryOne"),
    Wary(),
]
REPLICATES, COUNTRIES = 2, 3
GAMES = np.array(  # (T, R, P, S) per country: PD, stag hunt, chicken | harmony, deadlock, PD
    [[[5, 3, 1, 0], [3, 4, 3, 0], [4, 3, 0, 1]], [[2, 3, 0, 1], [3, 1, 2, 0], [5, 3, 1, 0]]],
    float,
)


def _pairwise_context(stake: np.ndarray | None = None) -> Context:
    return Context(
        T=PD.T,
        R=PD.R,
        P=PD.P,
        S=PD.S,
        continuation=0.9,
        future_advantage=2.0,
        stake=stake,
    )


def _collective_context(expand: bool, stake: np.ndarray | None = None) -> Context:
    """Each country's own game, as the collective engine passes it: (R, N, 1) or (R, N)."""
    f = (lambda a: a[..., None]) if expand else (lambda a: a)
    T, R, P, S = (f(GAMES[..., k]) for k in range(4))
    return Context(
        T=T,
        R=R,
        P=P,
        S=S,
        continuation=f(np.full((REPLICATES, COUNTRIES), 0.9)),
        future_advantage=f(np.linspace(0.0, 3.0, REPLICATES * COUNTRIES).reshape(2, 3)),
        stake=stake,
        threshold=1.0,
    )


def _probabilities(values: object, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` broadcast to ``shape`` (as the engines do), checked to be probabilities."""
    assert np.broadcast_shapes(np.shape(values), shape) == shape
    p = np.broadcast_to(np.asarray(values, float), shape)
    assert np.all(np.isfinite(p))
    assert np.all((p >= 0.0) & (p <= 1.0))
    return p


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_registered_under_its_own_name(rule: Strategy) -> None:
    assert isinstance(rule, Strategy)
    assert isinstance(rule.name, str) and rule.name
    if rule.name in STRATEGIES:
        assert STRATEGIES[rule.name] is rule


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_probabilities_on_the_state_grid_pairwise(rule: Strategy) -> None:
    first, grid = state_grid()
    ctx = _pairwise_context()
    _probabilities(rule.base_probability(grid, ctx), grid.first.shape)
    assert np.size(rule.base_probability(first, ctx)) == 1
    _probabilities(rule.probability(grid, ctx), grid.first.shape)
    _probabilities(rule.probability(first, ctx), first.first.shape)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_probabilities_for_every_countrys_own_game_collective(rule: Strategy) -> None:
    first, grid = state_grid()
    ctx = _collective_context(expand=True)
    _probabilities(rule.base_probability(grid, ctx), (REPLICATES, COUNTRIES, grid.first.size))
    _probabilities(rule.base_probability(first, ctx), (REPLICATES, COUNTRIES, 1))
    shares = np.array([[0.0, 0.5, 1.0], [1.0, 0.25, 0.0]])
    yes = _probabilities(
        rule.decide(shares, shares[::-1], _collective_context(expand=False)),
        (REPLICATES, COUNTRIES),
    )
    assert np.all((yes == 0.0) | (yes == 1.0))


@pytest.mark.parametrize("rule", [r for r in RULES if r.gated], ids=repr)
def test_gate_is_a_yes_or_no_per_replicate(rule: Strategy) -> None:
    stake = np.array([0.5, 1.0, 4.0])
    pairwise = _probabilities(rule.gate(_pairwise_context(stake)), stake.shape)
    collective = _probabilities(
        rule.gate(_collective_context(expand=False, stake=stake[:2, None])),
        (REPLICATES, COUNTRIES),
    )
    for gate in (pairwise, collective):
        assert np.all((gate == 0.0) | (gate == 1.0))


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_same_inputs_same_outputs(rule: Strategy) -> None:
    first, grid = state_grid()
    for ctx in (_pairwise_context(), _collective_context(expand=True)):
        for h in (first, grid):
            np.testing.assert_array_equal(
                rule.base_probability(h, ctx), rule.base_probability(h, ctx)
            )


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_same_seed_same_match(rule: Strategy) -> None:
    """With noise every rule's moves are random; one seed gives one match."""
    a, b = (play_match(rule, "TitForTat", rounds=30, noise=0.1, seed=7) for _ in range(2))
    assert a == b


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_a_match_against_tit_for_tat(rule: Strategy) -> None:
    """Whatever the rule does, TitForTat opens with C and then copies it (no noise, no
    misreading), and the scores are the stage payoffs of the moves played."""
    n = 20
    m = play_match(rule, "TitForTat", rounds=n, seed=3)
    assert m.rounds == n and set(m.actions_a + m.actions_b) <= {"C", "D"}
    assert m.actions_b == "C" + m.actions_a[:-1]
    pay = {("C", "C"): PD.R, ("C", "D"): PD.S, ("D", "C"): PD.T, ("D", "D"): PD.P}
    assert m.score_a == sum(pay[x, y] for x, y in zip(m.actions_a, m.actions_b, strict=True))
    assert m.score_b == sum(pay[y, x] for x, y in zip(m.actions_a, m.actions_b, strict=True))
