"""Matches and round-robin tournaments between strategies (Axelrod 1980, 1984).

Both run on the vectorised engine: a match is a two-country network; a tournament is the disjoint
union of one two-country component per pairing (self-play included, as in Axelrod's tournaments),
so every match of every repetition is played at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from agents.strategies import Strategy, rules_by_name
from model.config import ModelConfig
from model.engine import PairwiseEngine
from model.games import PD, MatrixGame


@dataclass(frozen=True)
class MatchResult:
    """Actions ('C'/'D' strings, one letter a round) and total scores of both players."""

    actions_a: str
    actions_b: str
    score_a: float
    score_b: float

    @property
    def rounds(self) -> int:
        """Number of rounds played."""
        return len(self.actions_a)


_ONE_RELATIONSHIP = {"horizon": "fixed", "evolution": "none"}
"""Matches and tournaments: each pairing is one relationship and the rules do not change."""


def _letters(moves: np.ndarray) -> str:
    return "".join(np.where(moves, "C", "D"))


def play_match(
    a: str | Strategy,
    b: str | Strategy,
    rounds: int = 200,
    game: MatrixGame | str | Sequence[float] = PD,
    noise: float = 0.0,
    seed: int | None = 1,
    **config: Any,
) -> MatchResult:
    """Play one repeated game between strategies ``a`` and ``b``.

    A match is one relationship of ``rounds`` rounds (``horizon="fixed"``, no revision of
    rules) unless ``config`` says otherwise.

    Parameters
    ----------
    a, b : str or Strategy
        The two rules: names (registered ones included, calls such as ``"Random(0.3)"``) or
        :class:`~agents.strategies.Strategy` instances.
    rounds : int, default 200
        Rounds of the match.
    game : MatrixGame, str or (T, R, P, S), default PD
        The stage game (Axelrod's prisoner's dilemma 5, 3, 1, 0 by default).
    noise : float, default 0.0
        Implementation error: each intended action is flipped with this probability.
    seed : int or None, default 1
        Root seed (the same seed, the same match).
    **config
        Further :class:`~model.config.ModelConfig` fields, e.g. ``continuation``,
        ``horizon="geometric"``, ``observation_error``, ``observation_delay``, ``stake_sigma``.

    Returns
    -------
    MatchResult
        The actions played (after noise) as strings of ``C``/``D`` and both total scores.

    Examples
    --------
    >>> from experiments import play_match
    >>> m = play_match("TitForTat", "AllD", rounds=5)
    >>> m.actions_a, m.actions_b, m.score_a, m.score_b  # S + 4P against T + 4P
    ('CDDDD', 'DDDDD', 4.0, 9.0)
    """
    config = {**_ONE_RELATIONSHIP, **config}
    cfg = ModelConfig(
        n_countries=2,
        network="complete",
        strategies=(a, b),
        rounds=rounds,
        game=game,
        noise=noise,
        **config,
    )
    eng = PairwiseEngine(cfg, seed=seed, record_actions=True).run()
    played = eng.actions[: eng.horizon[0], 0]
    return MatchResult(
        _letters(played[:, 0]),
        _letters(played[:, 1]),
        float(eng.edge_total[0, 0]),
        float(eng.edge_total[0, 1]),
    )


def tournament(
    strategies: Sequence[str | Strategy],
    rounds: int = 200,
    repetitions: int = 1,
    noise: float = 0.0,
    seed: int | None = 1,
    game: MatrixGame | str | Sequence[float] = PD,
    **config: Any,
) -> pd.DataFrame:
    """Round robin: every strategy meets every other and itself, ``repetitions`` times.

    Axelrod's (1980, 1984) tournament design; each pairing is one relationship of ``rounds``
    rounds unless ``config`` says otherwise (e.g. ``horizon``).

    Parameters
    ----------
    strategies : sequence of str or Strategy
        The players: names (registered ones included) or
        :class:`~agents.strategies.Strategy` instances, each once; two different rules with
        one name are an error.
    rounds : int, default 200
        Rounds of each match.
    repetitions : int, default 1
        Times each pairing is played (replicates of the engine).
    noise : float, default 0.0
        Implementation error.
    seed : int or None, default 1
        Root seed.
    game : MatrixGame, str or (T, R, P, S), default PD
        The stage game.
    **config
        Further :class:`~model.config.ModelConfig` fields.

    Returns
    -------
    pandas.DataFrame
        One row per player, sorted by rank: a column per opponent holding the player's mean
        total score against it (for self-play, the mean of both sides), then ``total`` (sum
        over opponents), ``per_round`` (total per round per opponent) and ``rank``.

    Examples
    --------
    >>> from experiments import tournament
    >>> table = tournament(["TitForTat", "AllD", "AllC"], rounds=10)
    >>> table[["AllD", "total", "rank"]]  # AllD: 14 + 10 + 50; TitForTat: 9 + 30 + 30
               AllD  total  rank
    player
    AllD       10.0   74.0     1
    TitForTat   9.0   69.0     2
    AllC        0.0   60.0     3
    """
    try:
        rules = list(rules_by_name(strategies, once=True).values())
    except ValueError as err:
        raise ValueError(f"strategies: {err}") from None
    names = [r.name for r in rules]
    pairs = list(combinations_with_replacement(range(len(rules)), 2))
    graph = nx.Graph()
    graph.add_nodes_from(range(2 * len(pairs)))
    graph.add_edges_from(((2 * p, 2 * p + 1) for p in range(len(pairs))), weight=1.0)
    cfg = ModelConfig(
        n_countries=2 * len(pairs),
        network="complete",
        strategies=tuple(rules[k] for pair in pairs for k in pair),
        rounds=rounds,
        game=game,
        noise=noise,
        **{**_ONE_RELATIONSHIP, **config},
    )
    eng = PairwiseEngine(cfg, seed=seed, replicates=repetitions, graph=graph).run()
    P = len(pairs)
    first, second = eng.edge_total[:, :P].mean(0), eng.edge_total[:, P:].mean(0)
    table = pd.DataFrame(0.0, index=pd.Index(names, name="player"), columns=names)
    for p, (i, j) in enumerate(pairs):
        if i == j:
            table.iloc[i, i] = (first[p] + second[p]) / 2
        else:
            table.iloc[i, j], table.iloc[j, i] = first[p], second[p]
    table["total"] = table[names].sum(axis=1)
    table["per_round"] = table["total"] / (len(names) * float(np.mean(eng.horizon)))
    table["rank"] = table["total"].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank", kind="stable")
