"""`RegionModel`: the Mesa model of a region of countries playing repeated games.

A normal ``mesa.Model``: ``RegionModel(ModelConfig(...), seed=1)`` (or ``rng=1``),
``model.step()``, ``model.run(200)``, ``model.agents`` (one country agent per country, plus a
:class:`~agents.coordinator.CoordinatorAgent` in collective mode with a coordination regime) and
``model.datacollector.get_model_vars_dataframe()``. The state and the round live in the
vectorised engine (:class:`~model.engine.PairwiseEngine`, or
:class:`~model.engine.CollectiveEngine` in collective mode; one replicate); agents are views
on its arrays.

**Country agents.** Pairwise mode: :class:`~agents.country.CountryAgent`, whose attributes
(``CountryAgent.ATTRIBUTES``) are ``label``, ``strategy``, ``payoff``, ``total_payoff``,
``cooperation``, ``trust`` and ``degree``. Collective mode:
:class:`~agents.country.CollectiveCountryAgent`, a subclass that adds ``action``, ``member``,
``game_class``, ``delta_star`` and ``plants``. These five are **absent by design** in pairwise
mode (no plan, arrangement or economy there): ``hasattr`` is False, never an AttributeError
halfway through a read. ``model.countries`` is the country agents in either mode (Mesa keys
``agents_by_type`` by the exact class: ``model.agents_by_type[model.country_type]``). The
quantities are computed for all countries at once, once per round (see
:class:`~agents.country.CountryArrays`), so a pass over the agents is O(E + N).

**Randomness.** The engine's streams derive from one root seed, kept in ``model.seed``: an
integer given as ``seed=`` or as Mesa's ``rng=`` is the root itself (``rng=5`` is ``seed=5``,
and both equal the bare engine seeded 5); a ``numpy.random.Generator`` (or ``SeedSequence``,
``BitGenerator``) given as ``rng=`` becomes ``model.rng`` (Mesa) and the root is drawn from it;
with neither, from a fresh ``model.rng``. Equal seeds give identical runs;
``RegionModel(config, seed=model.seed)`` replays any run.

Collected each round (row k = after round k): ``cooperation`` (share of C actions),
``mutual_cooperation`` (share of relationships with C on both sides), ``mean_payoff`` (payoff per
interaction; per country in collective mode), ``trust`` (mean trust), ``relationship_age`` (mean
rounds since the current relationships began: eras) and ``share_<Strategy>``.
Collective mode adds ``welfare`` (W realised), ``plan_welfare`` (W if all followed the plan),
``optimum`` (W_opt), ``price_of_non_coordination`` (W − W_opt, ≤ 0), ``duplication``,
``shortfall``, ``gini``, ``participation``, ``transfers`` and ``class_<game>`` (share of
countries whose implied 2×2 game is of that class). Per country
(``datacollector.get_agenttype_vars_dataframe(CountryAgent)``, in either mode): ``strategy``,
``payoff``, ``cooperation`` and, in collective mode, ``action``, ``member``, ``game_class``
(stored as one array per round by :class:`~model.collector.RegionDataCollector`).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from agents.coordinator import CoordinatorAgent
from agents.country import CollectiveCountryAgent, CountryAgent, CountryArrays
from model.collector import RegionDataCollector
from model.config import ModelConfig
from model.engine import METRICS, SERIES, RoundEngine, build_engine
from model.games import GAME_CLASSES


class RegionModel(mesa.Model):
    """The region: N countries on a network playing a repeated stage game.

    Parameters
    ----------
    config : ModelConfig, optional
        The run's parameters (default ``ModelConfig()``).
    seed : int, optional
        Root seed: the same config and seed give identical results. ``None`` draws one (kept
        in ``model.seed``).
    rng : int or numpy.random.Generator, optional
        Mesa's random source, instead of ``seed``: an int (the same as ``seed=``) or a
        ``Generator`` (``SeedSequence``, ``BitGenerator``), from which the root seed is drawn.
        Giving both ``seed`` and ``rng`` is an error.
    **overrides
        Single fields replacing the config's, e.g. ``RegionModel(continuation=0.6, seed=3)``.

    Examples
    --------
    >>> from model import RegionModel
    >>> low = RegionModel(continuation=0.4, seed=1).run(200)
    >>> high = RegionModel(continuation=0.95, seed=1).run(200)
    >>> frame = high.datacollector.get_model_vars_dataframe()
    >>> len(frame), frame["cooperation"].iloc[-50:].mean() > 0.5
    (200, np.True_)
    >>> low.datacollector.get_model_vars_dataframe()["cooperation"].iloc[-50:].mean() < 0.2
    np.True_
    >>> countries = high.countries  # one CountryAgent each: views on the engine's arrays
    >>> len(countries), sum(c.degree for c in countries) / len(countries)  # 4 partners on average
    (12, 4.0)
    """

    def __init__(
        self,
        config: ModelConfig | None = None,
        *,
        seed: int | None = None,
        rng: Any = None,
        **overrides: Any,
    ):
        config = config or ModelConfig()
        if overrides:
            config = config.replace(**overrides)
        if seed is not None and rng is not None:
            raise ValueError("seed and rng: allowed: one of them (rng=5 is the same as seed=5)")
        source = rng if rng is not None else seed
        super().__init__(rng=source)  # Mesa: self.rng = np.random.default_rng(source)
        if isinstance(source, int | np.integer) and not isinstance(source, bool):
            self.seed = int(source)
        else:  # a Generator, SeedSequence or BitGenerator (or nothing): drawn from model.rng
            self.seed = int(self.rng.integers(2**63))
        self.config = config
        collective = config.mode == "collective"
        self.economy = config.build_economy() if collective else None
        self.engine: RoundEngine = build_engine(config, self.seed, economy=self.economy)
        self.country_arrays = CountryArrays(self.engine)
        self.country_type = CollectiveCountryAgent if collective else CountryAgent
        agent_reporters = {"strategy": "strategy", "payoff": "payoff", "cooperation": "cooperation"}
        if collective:
            agent_reporters.update(action="action", member="member", game_class="game_class")
        if self.economy is not None:
            for i, name in enumerate(self.economy.countries):
                self.engine.graph.nodes[i]["label"] = name
        self.country_type.create_agents(self, self.engine.N, list(range(self.engine.N)))
        self.coordinator = (
            CoordinatorAgent(self) if collective and config.regime != "none" else None
        )
        reporters: dict[str, Any] = {name: self._reporter(name) for name in METRICS}
        for k, name in enumerate(self.engine.strategy_names):
            reporters[f"share_{name}"] = self._share_reporter(k)
        if collective:
            reporters.update({name: self._series_reporter(name) for name in SERIES})
            for cls in GAME_CLASSES:
                reporters[f"class_{cls}"] = self._class_reporter(cls)
        types: dict[type, dict[str, Any]] = {self.country_type: agent_reporters}
        if self.coordinator is not None:
            types[CoordinatorAgent] = {"plan_welfare": "plan_welfare", "pool": "pool"}
        self.datacollector = RegionDataCollector(
            country_type=self.country_type,
            arrays=self.country_arrays,
            model_reporters={"round": lambda m: m.engine.t, **reporters},
            agenttype_reporters=types,
        )
        self.running = True

    @property
    def countries(self) -> mesa.agent.AgentSet:
        """The country agents (``CountryAgent`` in pairwise mode, ``CollectiveCountryAgent`` in
        collective mode), in country-id order."""
        return self.agents_by_type[self.country_type]

    @staticmethod
    def _reporter(name: str):
        return lambda m: float(m.engine.latest(name)[0])

    @staticmethod
    def _series_reporter(name: str):
        return lambda m: float(m.engine.series[name][m.engine.t - 1, 0])

    @staticmethod
    def _class_reporter(cls: str):
        return lambda m: m.engine.game_classes[0].count(cls) / m.engine.N

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
