"""Experiments on Pacts: matches, tournaments, sweeps, the catalogue, benchmarks and the CLI."""

from experiments.catalogue import EXPERIMENTS, run_experiment
from experiments.matches import MatchResult, play_match, tournament
from experiments.sweep import Sweep, load_results

__all__ = [
    "EXPERIMENTS",
    "MatchResult",
    "Sweep",
    "load_results",
    "play_match",
    "run_experiment",
    "tournament",
]
