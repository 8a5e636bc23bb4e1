"""Agents of Pacts: thin Mesa views on the model's arrays, and the strategy registry.

This package imports only numpy and mesa (DESIGN §1): shared small types (the strategy protocol,
observed-history encoding) live here so that ``model`` can depend on ``agents`` and not back.
"""

from agents.coordinator import CoordinatorAgent
from agents.country import CountryAgent
from agents.strategies import STRATEGIES, MemoryOne, Strategy, get_strategy, register_strategy

__all__ = [
    "STRATEGIES",
    "CoordinatorAgent",
    "CountryAgent",
    "MemoryOne",
    "Strategy",
    "get_strategy",
    "register_strategy",
]
