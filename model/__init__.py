"""Pacts simulation core: configuration, games, network, engine and the Mesa model.

Names load lazily (:mod:`agents.lazy`): ``import model`` imports nothing heavy; ``from model
import RegionModel`` imports Mesa then.
"""

from typing import TYPE_CHECKING

from agents.lazy import lazy_exports

if TYPE_CHECKING:
    from model.config import ModelConfig
    from model.region import RegionModel
    from model.scenarios import PRESETS, load_preset

__all__ = ["PRESETS", "ModelConfig", "RegionModel", "load_preset"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ModelConfig": "model.config",
        "RegionModel": "model.region",
        "PRESETS": "model.scenarios",
        "load_preset": "model.scenarios",
    },
)
