"""`RegionModel`: the Mesa model of a region of countries playing repeated games.

A normal ``mesa.Model``: ``RegionModel(ModelConfig(...), seed=1)``, ``model.step()``,
``model.run(200)``, ``model.agents`` (one :class:`~agents.country.CountryAgent` per country) and
``model.datacollector.get_model_vars_dataframe()``. The state and the round live in the vectorised
:class:`~model.engine.PairwiseEngine` (one replicate); agents are views on its arrays.

Collected each round (row k = after round k): ``cooperation`` (share of C actions),
``mutual_cooperation`` (share of relationships with C on both sides), ``mean_payoff`` (payoff per
interaction), ``trust`` (mean trust), and ``share_<Strategy>`` for every strategy in the mix;
per country: ``strategy``, ``payoff``, ``cooperation``.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from agents.country import CountryAgent
from model.config import ModelConfig
from model.engine import PairwiseEngine

METRICS = ("cooperation", "mutual_cooperation", "mean_payoff", "trust")


class RegionModel(mesa.Model):
    """The region: N countries on a network playing a repeated stage game.

    Parameters
    ----------
    config : the run's parameters (default ``ModelConfig()``); keyword ``overrides`` replace
        single fields, e.g. ``RegionModel(continuation=0.6, seed=3)``.
    seed : root seed; the same config and seed give identical results. ``None`` draws one
        (kept in ``model.seed``).
    """

    def __init__(
        self, config: ModelConfig | None = None, *, seed: int | None = None, **overrides: Any
    ):
        config = config or ModelConfig()
        if overrides:
            config = config.replace(**overrides)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        super().__init__(rng=seed)
        self.seed = seed
        self.config = config
        self.engine = PairwiseEngine(config, seed=seed)
        CountryAgent.create_agents(self, self.engine.N, list(range(self.engine.N)))
        reporters: dict[str, Any] = {name: self._reporter(name) for name in METRICS}
        for k, name in enumerate(self.engine.strategy_names):
            reporters[f"share_{name}"] = self._share_reporter(k)
        self.datacollector = mesa.DataCollector(
            model_reporters={"round": lambda m: m.engine.t, **reporters},
            agent_reporters={
                "strategy": "strategy",
                "payoff": "payoff",
                "cooperation": "cooperation",
            },
        )
        self.running = True

    @staticmethod
    def _reporter(name: str):
        return lambda m: float(m.engine.latest(name)[0])

    @staticmethod
    def _share_reporter(k: int):
        return lambda m: float(m.engine.shares[0, k])

    @property
    def graph(self):
        """The country network (networkx Graph, nodes 0..N−1)."""
        return self.engine.graph

    def step(self) -> None:
        """Play one round, then collect the metrics."""
        self.engine.step()
        self.datacollector.collect(self)
        self.running = not self.engine.done

    def run(self, rounds: int) -> RegionModel:
        """Play up to ``rounds`` rounds (fewer if a geometric horizon ends first)."""
        for _ in range(rounds):
            if not self.running:
                break
            self.step()
        return self
