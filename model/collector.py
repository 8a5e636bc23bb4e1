"""`RegionDataCollector`: Mesa's DataCollector, with the per-country table kept as columns.

Mesa's stock collector calls every agent reporter on every agent each round, building one Python
tuple per agent — O(N) Python calls per reporter per round, more than the vectorised round itself
at large N. Here the country agents' attribute reporters that name one of the model's
:class:`~agents.country.CountryArrays` (and ``strategy``) are stored as **one array per round**,
copied from arrays computed for all countries at once; the table is assembled when it is asked
for. ``get_agenttype_vars_dataframe(CountryAgent)`` returns the same frame Mesa would (index
``Step``, ``AgentID``; one column per reporter, in order), in either mode. Any other reporter
(a function, another attribute, another agent type) is collected per agent as Mesa does, and model
reporters and tables are Mesa's own.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.country import CountryAgent, CountryArrays

_IMMUTABLE = (str, int, bool, float, tuple)


class RegionDataCollector(mesa.DataCollector):
    """A ``mesa.DataCollector`` for :class:`~model.region.RegionModel`.

    Parameters
    ----------
    country_type : the class of the model's country agents (``CountryAgent`` or
        ``CollectiveCountryAgent``); its table is also returned for any of its superclasses up
        to ``CountryAgent``.
    arrays : the model's :class:`~agents.country.CountryArrays`.
    model_reporters, agenttype_reporters, tables : as for ``mesa.DataCollector``.
    """

    def __init__(
        self,
        *,
        country_type: type[CountryAgent],
        arrays: CountryArrays,
        model_reporters: dict | None = None,
        agenttype_reporters: dict | None = None,
        tables: dict | None = None,
    ):
        self._country_type = country_type
        self._arrays = arrays
        self._columnar: dict[str, str] = {}  # reporter name → attribute read as one array
        self._country_rows: dict[float, dict[str, Any]] = {}
        self._country_agents: list[CountryAgent] | None = None
        self._country_ids: np.ndarray | None = None
        super().__init__(
            model_reporters=model_reporters,
            agenttype_reporters=agenttype_reporters,
            tables=tables,
        )

    def _new_agenttype_reporter(self, agent_type, name, reporter):
        if agent_type is self._country_type and isinstance(reporter, str):
            if reporter == "strategy" or reporter in self._arrays.NAMES:
                self._columnar[name] = reporter
        super()._new_agenttype_reporter(agent_type, name, reporter)

    def _countries(self, model: mesa.Model) -> list[CountryAgent]:
        """The country agents in country-id order (fixed for a run: read once)."""
        if self._country_agents is None:
            agents = model.agents_by_type.get(self._country_type, [])
            self._country_agents = sorted(agents, key=lambda a: a.country_id)
            self._country_ids = np.array([a.unique_id for a in self._country_agents], np.int64)
        return self._country_agents

    def _record_agenttype(self, model, agent_type):
        if agent_type is not self._country_type:
            return super()._record_agenttype(model, agent_type)
        agents = self._countries(model)
        row: dict[str, Any] = {}
        for name, reporter in self.agenttype_reporters[agent_type].items():
            attr = self._columnar.get(name)
            if attr == "strategy":
                row[name] = model.engine.strategy_of_country[0].copy()
            elif attr is not None:
                row[name] = self._arrays.get(attr).copy()
            else:  # any other reporter: per agent, as Mesa does
                values = (reporter(a) for a in agents)
                row[name] = [v if isinstance(v, _IMMUTABLE) else deepcopy(v) for v in values]
        self._country_rows[model.time] = row
        return iter(())

    def _decode(self, model_engine: Any, name: str, parts: list) -> Any:
        attr = self._columnar.get(name)
        if attr is None:
            return [v for part in parts for v in part]
        x = np.concatenate(parts) if parts else np.zeros(0)
        if attr == "strategy":
            return np.asarray(model_engine.strategy_names, dtype=object)[x.astype(np.intp)]
        if attr == "action":
            return np.where(x.astype(bool), "C", "D").astype(object)
        if attr == "game_class":
            return x.astype(object)
        if attr == "member":
            return x.astype(bool)
        if attr == "degree":
            return x.astype(np.int64)
        return x.astype(float)

    def get_agenttype_vars_dataframe(self, agent_type):
        """The table of an agent type (index ``Step``, ``AgentID``). For the country agents —
        ``CountryAgent`` in either mode, or the model's own country class — it is assembled from
        the stored columns."""
        country = self._country_type
        if not (
            isinstance(agent_type, type)
            and issubclass(agent_type, CountryAgent)
            and issubclass(country, agent_type)
            and country in self.agenttype_reporters
        ):
            return super().get_agenttype_vars_dataframe(agent_type)
        times = list(self._country_rows)
        ids = self._country_ids if self._country_ids is not None else np.zeros(0, np.int64)
        engine = self._arrays.engine
        columns = {
            name: self._decode(engine, name, [self._country_rows[t][name] for t in times])
            for name in self.agenttype_reporters[country]
        }
        index = pd.MultiIndex.from_arrays(
            [np.repeat(np.asarray(times), ids.size), np.tile(ids, len(times))],
            names=["Step", "AgentID"],
        )
        return pd.DataFrame(columns, index=index)
