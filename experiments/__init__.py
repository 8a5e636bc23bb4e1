"""Experiments on Pacts: matches, tournaments, sweeps, the catalogue, benchmarks and the CLI.

Packages by concept: :mod:`experiments.sweep` (designs, seeds, runs, executors, store, runner),
:mod:`experiments.catalogue` (one module per experiment), :mod:`experiments.bench` (benchmarks and
the browser driver), :mod:`experiments.lessons` (the guided lessons). Names load lazily
(:mod:`agents.lazy`): ``import experiments`` imports neither Matplotlib nor SciPy.
"""

from typing import TYPE_CHECKING

from agents.lazy import lazy_exports

if TYPE_CHECKING:
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
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "EXPERIMENTS": "experiments.catalogue",
        "run_experiment": "experiments.catalogue",
        "MatchResult": "experiments.matches",
        "play_match": "experiments.matches",
        "tournament": "experiments.matches",
        "Sweep": "experiments.sweep",
        "load_results": "experiments.sweep",
    },
)
