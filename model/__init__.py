"""Pacts simulation core: configuration, games, network, engine and the Mesa model."""

from model.config import ModelConfig
from model.region import RegionModel
from model.scenarios import PRESETS, load_preset

__all__ = ["PRESETS", "ModelConfig", "RegionModel", "load_preset"]
