"""Country agents: Mesa agents whose attributes read the engine's arrays (no state of their own).

The model keeps all state in numpy arrays indexed by country id (DESIGN §1); an agent is a view
on row ``country_id`` of replicate 0, so ``model.agents.get("payoff")`` and Mesa's DataCollector
work as with any Mesa model.

The per-country quantities that need the edges (cooperation share, mean trust) or a sum over
them (payoff) are not computed per agent: :class:`CountryArrays` computes each one for **all**
countries in one vectorised pass over the E directed edges (``np.bincount`` by source country)
the first time it is read in a round, and keeps it until the engine's round ``engine.t``
advances. A full pass over the agents (a DataCollector row) therefore costs O(E + N), not O(N·E).
The network itself never changes during a run (eras restart relationships on the same edges), so
the source of each edge and the degrees are fixed at construction.

Two classes, one per mode, so that every attribute an agent has is meaningful:

* :class:`CountryAgent` (pairwise mode): the attributes of ``CountryAgent.ATTRIBUTES``.
* :class:`CollectiveCountryAgent` (collective mode), a subclass: those plus ``action``,
  ``member``, ``game_class``, ``delta_star`` and ``plants`` (``COLLECTIVE_ATTRIBUTES``). In
  pairwise mode there is no plan, no arrangement to be a member of and no economy, so these are
  **absent by design** on a :class:`CountryAgent`: ``hasattr(agent, "member")`` is False (no
  ``__getattr__`` fallback; reading one raises AttributeError at once, never halfway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mesa
import numpy as np


class CountryArrays:
    """Every country's view quantities for replicate 0 of ``engine``, as arrays of length N.

    ``get(name)`` computes the array on first use in a round — one vectorised pass for all
    countries — and returns the cached array until ``engine.t`` changes (``invalidate()`` drops
    the cache by hand, e.g. after editing the engine's arrays between rounds). The arrays are
    shared: do not modify them. Names: ``NAMES`` (``COMMON``, plus ``COLLECTIVE`` for a
    collective engine).
    """

    COMMON = ("payoff", "total_payoff", "cooperation", "trust", "degree")
    COLLECTIVE = ("action", "member", "game_class", "delta_star")

    def __init__(self, engine: Any):
        self.engine = engine
        self.collective = hasattr(engine, "country_actions")
        self.NAMES = self.COMMON + (self.COLLECTIVE if self.collective else ())
        self._src = engine.edges.src
        self._degree = np.bincount(self._src, minlength=engine.N)
        self._degree.setflags(write=False)
        self._divisor = np.where(self._degree > 0, self._degree, np.nan)  # NaN: no partners
        self._t = -1
        self._cache: dict[str, np.ndarray] = {}
        self._compute: dict[str, Callable[[], np.ndarray]] = {
            "payoff": lambda: self.engine.country_payoffs()[0],
            "total_payoff": lambda: self.engine.country_payoffs(total=True)[0],
            "cooperation": lambda: self._edge_mean(self.engine.actions_last[0]),
            "trust": lambda: self._edge_mean(self.engine.trust[0]),
            "degree": lambda: self._degree,
        }
        if self.collective:
            self._compute.update(
                action=lambda: self.engine.country_actions[0].copy(),
                member=lambda: self.engine.members[0].copy(),
                game_class=lambda: np.array(self.engine.game_classes[0], dtype=object),
                delta_star=lambda: self.engine.critical_deltas(0),
            )

    def _edge_mean(self, x: np.ndarray) -> np.ndarray:
        """Per source country, the mean of a per-edge quantity over its out-edges (NaN for a
        country without partners)."""
        return np.bincount(self._src, weights=x, minlength=self.engine.N) / self._divisor

    def invalidate(self) -> None:
        """Forget the cached arrays (they are recomputed on the next read)."""
        self._cache.clear()

    def get(self, name: str) -> np.ndarray:
        """The array of ``name`` (one entry per country) for the engine's current round."""
        t = self.engine.t
        if t != self._t:
            self._cache.clear()
            self._t = t
        try:
            return self._cache[name]
        except KeyError:
            pass
        try:
            compute = self._compute[name]
        except KeyError:
            raise KeyError(f"{name!r}: allowed: {', '.join(self.NAMES)}") from None
        value = self._cache[name] = np.asarray(compute())
        return value


class CountryAgent(mesa.Agent):
    """A country (participant). Read-only view on the model's engine (replicate 0).

    Attributes (``ATTRIBUTES``; computed on access, from arrays shared by all agents and cached
    per round): ``label`` (its name, or its id), ``strategy`` (rule name), ``payoff`` (last
    round, summed over partners), ``total_payoff`` (since the first round), ``cooperation``
    (share of its partners it cooperated with last round), ``trust`` (mean trust in its
    partners), ``degree`` (number of partners). ``cooperation`` and ``trust`` are NaN for a
    country without partners.

    This is the pairwise-mode agent: the collective-mode attributes (``action``, ``member``,
    ``game_class``, ``delta_star``, ``plants``) are absent by design — there is no plan,
    arrangement or economy in pairwise mode — and live on :class:`CollectiveCountryAgent`.

    Parameters
    ----------
    model : mesa.Model
        The :class:`~model.region.RegionModel` whose engine it views.
    country_id : int
        Its row in the engine's arrays (0 … N − 1).

    Examples
    --------
    >>> from model import RegionModel
    >>> model = RegionModel(n_countries=4, network="complete", strategies={"AllD": 1}, seed=1)
    >>> country = model.run(3).countries[0]
    >>> country.strategy, country.degree, country.cooperation, country.payoff  # 3 partners × P
    ('AllD', 3, 0.0, 3.0)
    >>> hasattr(country, "member")  # a collective-mode attribute: absent here
    False
    """

    ATTRIBUTES = ("label", "strategy", "payoff", "total_payoff", "cooperation", "trust", "degree")

    def __init__(self, model: mesa.Model, country_id: int):
        super().__init__(model)
        self.country_id = int(country_id)

    @property
    def _engine(self) -> Any:
        return self.model.engine

    def _array(self, name: str) -> np.ndarray:
        return self.model.country_arrays.get(name)

    @property
    def label(self) -> str:
        """The country's name (node label), or its id."""
        return str(self._engine.graph.nodes[self.country_id].get("label", self.country_id))

    @property
    def strategy(self) -> str:
        """Name of the rule this country plays (it may change under evolution)."""
        eng = self._engine
        return eng.strategy_names[eng.strategy_of_country[0, self.country_id]]

    @property
    def payoff(self) -> float:
        """Payoff of the last round, summed over partners."""
        return float(self._array("payoff")[self.country_id])

    @property
    def total_payoff(self) -> float:
        """Payoff accumulated since the first round."""
        return float(self._array("total_payoff")[self.country_id])

    @property
    def cooperation(self) -> float:
        """Share of its partners this country cooperated with last round."""
        return float(self._array("cooperation")[self.country_id])

    @property
    def trust(self) -> float:
        """Mean trust in its partners (moving average of observed cooperation)."""
        return float(self._array("trust")[self.country_id])

    @property
    def degree(self) -> int:
        """Number of partners."""
        return int(self._array("degree")[self.country_id])

    def step(self) -> None:
        """Countries act through the vectorised engine; nothing to do per agent."""


class CollectiveCountryAgent(CountryAgent):
    """A country in collective mode: a :class:`CountryAgent` plus its part in the regional
    arrangement.

    Attributes (``ATTRIBUTES``): those of :class:`CountryAgent` — ``label``, ``strategy``,
    ``payoff``, ``total_payoff``, ``cooperation``, ``trust``, ``degree`` — and
    (``COLLECTIVE_ATTRIBUTES``) ``action`` ('C' if it followed the plan last round, else 'D'),
    ``member`` (takes part in the arrangement), ``game_class`` (class of its implied 2×2 game
    under the plan), ``delta_star`` (δ*_i of that game) and ``plants`` (the sectors it built last
    round, ';'-separated). In collective mode ``cooperation`` is 1.0 or 0.0 (a country complies
    with the plan towards all its partners or none), or NaN without partners; ``payoff`` is its
    round payoff from the economy and institutions.

    Parameters
    ----------
    model : mesa.Model
        The collective-mode :class:`~model.region.RegionModel` whose engine it views.
    country_id : int
        Its row in the engine's arrays.

    Examples
    --------
    >>> from model import RegionModel, load_preset
    >>> model = RegionModel(load_preset("mercosur"), seed=1).run(5)
    >>> [c.label for c in model.countries]
    ['Argentina', 'Bolivia', 'Brazil', 'Paraguay', 'Uruguay']
    >>> brazil = model.countries[2]
    >>> brazil.action in ("C", "D"), brazil.game_class in ("harmony", "prisoners_dilemma",
    ...     "stag_hunt", "chicken", "deadlock")
    (True, True)
    """

    COLLECTIVE_ATTRIBUTES = ("action", "member", "game_class", "delta_star", "plants")
    ATTRIBUTES = CountryAgent.ATTRIBUTES + COLLECTIVE_ATTRIBUTES

    @property
    def action(self) -> str:
        """'C' if the country followed the plan last round, else 'D'."""
        return "C" if self._array("action")[self.country_id] else "D"

    @property
    def member(self) -> bool:
        """Whether the country takes part in the coordination arrangement."""
        return bool(self._array("member")[self.country_id])

    @property
    def game_class(self) -> str:
        """The 2×2 game the economy implies for this country under the current plan."""
        return str(self._array("game_class")[self.country_id])

    @property
    def delta_star(self) -> float:
        """δ*_i of its own implied game under the plan: the shortest shadow of the future at
        which a forward-looking government follows the plan (0: at any δ; inf: never — the plan
        pays it less than its outside option, or cooperation never pays)."""
        return float(self._array("delta_star")[self.country_id])

    @property
    def plants(self) -> str:
        """The sectors it invested in last round, separated by ';'."""
        eng = self._engine
        built = np.flatnonzero(eng.investments[0, self.country_id])
        return ";".join(eng.economies[0].sectors[k].name for k in built)
