"""`CountryAgent`: a Mesa agent whose attributes read the engine's arrays (no state of its own).

The model keeps all state in numpy arrays indexed by country id (DESIGN §1); an agent is a view
on row ``country_id`` of replicate 0, so ``model.agents.get("payoff")`` and Mesa's DataCollector
work as with any Mesa model.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np


class CountryAgent(mesa.Agent):
    """A country (participant). Read-only view on the model's engine.

    Attributes (all computed on access): ``strategy`` (rule name), ``payoff`` (last round, summed
    over partners), ``total_payoff``, ``cooperation`` (share of its partners it cooperated with
    last round), ``trust`` (mean trust in its partners), ``degree`` (number of partners), ``label``;
    in collective mode also ``action``, ``member``, ``game_class``, ``delta_star`` (δ*_i of its
    own game) and ``plants`` (the sectors it built last round).
    """

    def __init__(self, model: mesa.Model, country_id: int):
        super().__init__(model)
        self.country_id = int(country_id)

    @property
    def _engine(self) -> Any:
        return self.model.engine

    def _out_edges(self) -> np.ndarray:
        e = self._engine.edges
        return np.flatnonzero(e.src == self.country_id)

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
        return float(self._engine.country_payoffs()[0, self.country_id])

    @property
    def total_payoff(self) -> float:
        """Payoff accumulated since the first round."""
        return float(self._engine.country_payoffs(total=True)[0, self.country_id])

    @property
    def cooperation(self) -> float:
        """Share of its partners this country cooperated with last round."""
        return float(self._engine.actions_last[0, self._out_edges()].mean())

    @property
    def trust(self) -> float:
        """Mean trust in its partners (moving average of observed cooperation)."""
        return float(self._engine.trust[0, self._out_edges()].mean())

    @property
    def degree(self) -> int:
        """Number of partners."""
        return int(self._out_edges().size)

    @property
    def action(self) -> str:
        """'C' if the country followed the plan last round (collective mode), else 'D'."""
        return "C" if self._engine.country_actions[0, self.country_id] else "D"

    @property
    def member(self) -> bool:
        """Whether the country takes part in the coordination arrangement (collective mode)."""
        return bool(self._engine.members[0, self.country_id])

    @property
    def game_class(self) -> str:
        """The 2×2 game the economy implies for this country under the current plan."""
        return str(self._engine.game_classes[0][self.country_id])

    @property
    def delta_star(self) -> float:
        """δ*_i of its own implied game under the plan (collective mode): the shortest shadow of
        the future at which a forward-looking government follows the plan (0: at any δ; inf:
        never — the plan pays it less than its outside option, or cooperation never pays)."""
        return float(self._engine.critical_deltas(0)[self.country_id])

    @property
    def plants(self) -> str:
        """The sectors it invested in last round (collective mode), separated by ';'."""
        eng = self._engine
        built = np.flatnonzero(eng.investments[0, self.country_id])
        return ";".join(eng.economies[0].sectors[k].name for k in built)

    def step(self) -> None:
        """Countries act through the vectorised engine; nothing to do per agent."""
