"""Agents of Pacts: thin Mesa views on the model's arrays, and the strategy registry.

This package imports only numpy and mesa (DESIGN §1): shared small types (the strategy protocol,
observed-history encoding) live here so that ``model`` can depend on ``agents`` and not back.
Its names load lazily (:mod:`agents.lazy`): ``from agents import get_strategy`` does not import
Mesa.
"""

from typing import TYPE_CHECKING

from agents.lazy import lazy_exports

if TYPE_CHECKING:
    from agents.coordinator import CoordinatorAgent
    from agents.country import CollectiveCountryAgent, CountryAgent
    from agents.strategies import (
        STRATEGIES,
        MemoryOne,
        Strategy,
        get_strategy,
        register_strategy,
    )

__all__ = [
    "STRATEGIES",
    "CollectiveCountryAgent",
    "CoordinatorAgent",
    "CountryAgent",
    "MemoryOne",
    "Strategy",
    "get_strategy",
    "register_strategy",
]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CoordinatorAgent": "agents.coordinator",
        "CountryAgent": "agents.country",
        "CollectiveCountryAgent": "agents.country",
        **dict.fromkeys(
            ("STRATEGIES", "MemoryOne", "Strategy", "get_strategy", "register_strategy"),
            "agents.strategies",
        ),
    },
)
