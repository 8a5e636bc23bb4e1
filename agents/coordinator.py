"""`CoordinatorAgent`: the coordinating body as information broker (paper §4.2; Wang 2015).

A Mesa agent and, like :class:`~agents.country.CountryAgent`, a read-only view: the planning
itself (collecting each member's best feasible portfolios, selecting one per member to maximise
regional welfare, transfers) runs vectorised in the model's collective engine. The coordinator
publishes the plan, each member's projected gain against its outside option, and the transfers.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np


class CoordinatorAgent(mesa.Agent):
    """The coordinator of a collective-mode model (replicate 0).

    ``plan`` (countries × sectors, bool), ``members`` (bool per country), ``projected_gain``
    (plan payoff − outside option per country), ``transfers`` (paid last round), ``pool``
    (supranational fund), ``plan_welfare`` and ``optimum`` (the regional optimum W_opt).

    Parameters
    ----------
    model : mesa.Model
        The collective-mode :class:`~model.region.RegionModel` (regime other than "none")
        whose engine it views.
    *args, **kwargs
        Passed on to ``mesa.Agent``.

    Examples
    --------
    >>> from model import RegionModel, load_preset
    >>> model = RegionModel(load_preset("mercosur"), seed=1).run(5)
    >>> coordinator = model.coordinator
    >>> coordinator.plan.shape  # countries × sectors
    (5, 11)
    >>> coordinator.optimum >= coordinator.plan_welfare - 1e-9  # W_opt bounds every plan
    True
    """

    @property
    def _engine(self) -> Any:
        return self.model.engine

    @property
    def plan(self) -> np.ndarray:
        """The published specialisation plan: who invests in which sector."""
        return self._engine.plan[0].copy()

    @property
    def members(self) -> np.ndarray:
        """Which countries take part in the arrangement."""
        return self._engine.members[0].copy()

    @property
    def projected_gain(self) -> np.ndarray:
        """Each country's payoff under the plan minus its outside option (going it alone)."""
        eng = self._engine
        return eng.plan_payoff[0] - eng.outside_option[0]

    @property
    def transfers(self) -> np.ndarray:
        """Side payments received last round (pool or hegemon)."""
        return self._engine.transfers_last[0].copy()

    @property
    def pool(self) -> float:
        """The supranational pool's balance."""
        return float(self._engine.pool[0])

    @property
    def plan_welfare(self) -> float:
        """Regional welfare if everyone followed the plan."""
        return float(self._engine.plan_payoff[0].sum())

    @property
    def optimum(self) -> float:
        """W_opt, the regional optimum."""
        return float(self._engine.w_opt[0])

    def step(self) -> None:
        """Planning runs in the vectorised engine; nothing to do per agent."""
