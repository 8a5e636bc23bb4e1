"""Experiments on Pacts: matches, tournaments, sweeps, benchmarks and the ``pacts`` CLI."""

from experiments.matches import MatchResult, play_match, tournament

__all__ = ["MatchResult", "play_match", "tournament"]
