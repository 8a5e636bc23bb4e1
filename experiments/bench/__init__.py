"""Benchmarks of Pacts (``pacts bench``: one JSON line each) and the browser driver they and the
browser tests share (:mod:`experiments.bench.browser`: the system's Chromium through Playwright).
"""

from experiments.bench.benchmarks import BENCHMARKS, b4_economy, run_benchmarks

__all__ = ["BENCHMARKS", "b4_economy", "run_benchmarks"]
