"""Benchmarks (``pacts bench``): one JSON line per benchmark.

Keys: ``benchmark``, ``value``, ``unit``, ``target`` and, where a reference is compared,
``reference``, ``reference_source`` and ``ratio`` (value / reference). Speed is measured here,
never asserted as wall time in the tests. Timings are the best of several repeats (the minimum is
the least noisy estimate of the cost on a shared machine).

- **B1** pairwise IPD, Erdős–Rényi graph of 100 countries and 300 edges, the 7 classic strategies,
  200 rounds × 10 replicates, noise 0.05 → edge-rounds (match turns) per second. Target ≥ 12 M/s.
  Reference: the reference IPD library (Axelrod-Python) playing the same matches, measured in the
  same run when it is importable (it is not a dependency: it pulls in torch), otherwise the figure
  measured on these machines (0.24 M turns/s), labelled as quoted.
- **B2** the same rules on a 50×50 Moore torus with imitation every round, against Mesa's own
  ``mesa.examples.advanced.pd_grid`` for the same number of steps, timed side by side (stepping
  only; building either model is not timed) → ratio of pair interactions (a country scoring
  against one neighbour) per second. Target ≥ 20×.
- **B3** one large instance: 100,000 edges × 100 rounds → edge-rounds per second.
- **B4** the coordinator's plan (Wang's price coordination with repair and a Lagrangian bound)
  for N = 200 countries, K = 12 sectors, M = 8 submitted portfolios each → seconds (target
  ≤ 2 s) and the gap to the best bound (target ≤ 1 %). Collecting the submissions is reported
  apart.
- **B5** collective-mode rounds per second, N = 50, plurilateral coordinator re-planning every
  10 rounds (planning included): forward-looking governments, and the seven classic rules
  (``classic_rules``). Target ≥ 100 rounds/s.
- **B6** the default ``shadow-of-the-future`` sweep with 1 and 2 workers → runs per second and
  the scaling efficiency (analysis included; the design must finish in ≤ 10 minutes).
- **B7** the browser app at N = 50 (collective mode, B5's scenario, all charts): the server-side
  time per Step (the round, the theory panel and both figures; target ≤ 100 ms, mean), its
  95th percentile, the browser's round trip (click → new round shown) and the time to first
  render of the page. Needs Chromium (``apt-get install chromium``); skipped without it.
- **B8** the Mesa model's overhead: ``RegionModel.step`` (the round, then the DataCollector's
  model and country-agent reporters, through Mesa's own step wrapper) against the bare
  ``PairwiseEngine.step`` of the same scenario and seed, timed in the same run, at N = 900 and
  N = 2,500 (pairwise mode, the default scenario: Watts–Strogatz small world, 4 partners per
  country, rewiring 0.1) → the ratio of the step times, the worst of the sizes as ``value``.
  Target ≤ 2×.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable

import numpy as np

from model import optimisation as opt
from model.config import CLASSIC_SEVEN, ModelConfig
from model.economy import BATTERY_SOLAR_INPUTS, BATTERY_SOLAR_SECTORS, Economy, Sector
from model.engine import CollectiveEngine, PairwiseEngine
from model.network import build_network
from model.region import RegionModel

B1_REFERENCE_QUOTED = 0.24e6
_AXELROD_NAMES = {
    "AllC": "Cooperator",
    "AllD": "Defector",
    "TitForTat": "TitForTat",
    "Grim": "Grudger",
    "WinStayLoseShift": "WinStayLoseShift",
    "TitForTwoTats": "TitFor2Tats",
    "SuspiciousTitForTat": "SuspiciousTitForTat",
}


def _best_time(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _classic(**fields: object) -> ModelConfig:
    """The seven classics with 5 % noise; one relationship per pair and fixed rules (as the
    reference library plays its matches) unless ``fields`` say otherwise."""
    base = {
        "strategies": dict.fromkeys(CLASSIC_SEVEN, 1.0),
        "noise": 0.05,
        "horizon": "fixed",
        "evolution": "none",
    }
    return ModelConfig(**{**base, **fields})


def _axelrod_turns_per_second(
    cfg: ModelConfig, graph, engine: PairwiseEngine, replicates: int
) -> float | None:
    """Turns/s of Axelrod-Python on the same matches, if it is installed (not a dependency)."""
    try:
        import axelrod  # type: ignore[import-not-found]
    except ImportError:
        return None
    names = engine.strategy_names
    kinds = engine.strategy_of_country[0]
    players = [getattr(axelrod, _AXELROD_NAMES[names[k]]) for k in kinds]
    pairs = list(graph.edges())

    def play() -> None:
        for _ in range(replicates):
            for u, v in pairs:
                axelrod.Match(
                    (players[u](), players[v]()), turns=cfg.rounds, noise=cfg.noise
                ).play()

    return len(pairs) * cfg.rounds * replicates / _best_time(play, 1)


def bench_b1() -> dict:
    """B1: the 7 classic strategies on ER(100, 300 edges), 200 rounds × 10 replicates."""
    cfg = _classic(n_countries=100, network="erdos_renyi", degree=6, rounds=200)
    graph = build_network("erdos_renyi", 100, degree=6, seed=1)
    replicates = 10
    run = lambda: PairwiseEngine(cfg, seed=1, replicates=replicates, graph=graph).run()  # noqa: E731
    run()
    seconds = _best_time(run, 7)
    value = graph.number_of_edges() * cfg.rounds * replicates / seconds
    measured = _axelrod_turns_per_second(
        cfg, graph, PairwiseEngine(cfg, seed=1, graph=graph), replicates
    )
    reference = measured or B1_REFERENCE_QUOTED
    return {
        "benchmark": "B1",
        "value": value,
        "unit": "edge-rounds/s",
        "target": 12e6,
        "reference": reference,
        "reference_source": "Axelrod-Python, measured in this run"
        if measured
        else "Axelrod-Python on these machines, quoted (not installed here)",
        "ratio": value / reference,
    }


def bench_b2(steps: int = 20) -> dict:
    """B2: 50×50 Moore torus with imitation, against mesa's pd_grid, same number of steps."""
    from mesa.examples.advanced.pd_grid.model import PdGrid

    cfg = _classic(
        n_countries=2500,
        network="lattice",
        rounds=steps,
        evolution="imitation",
        evolution_interval=1,
        evolution_rate=1.0,
    )
    graph = build_network("lattice", 2500)
    directed = 2 * graph.number_of_edges()  # each country scores against each neighbour

    def timed_steps(build: Callable[[], object], step: str) -> float:
        """Best time of ``steps`` steps of a freshly built model (construction not timed)."""
        best = float("inf")
        for _ in range(3):
            model = build()
            t0 = time.perf_counter()
            for _ in range(steps):
                getattr(model, step)()
            best = min(best, time.perf_counter() - t0)
        return best

    ours = timed_steps(lambda: PairwiseEngine(cfg, seed=1, graph=graph), "step")
    theirs = timed_steps(lambda: PdGrid(50, 50, activation_order="Simultaneous", rng=1), "step")
    value = directed * steps / ours
    reference = directed * steps / theirs
    return {
        "benchmark": "B2",
        "value": value,
        "unit": "pair-interactions/s",
        "target": 20.0,
        "target_applies_to": "ratio",
        "reference": reference,
        "reference_source": "mesa.examples.advanced.pd_grid (Simultaneous), measured in this run",
        "ratio": value / reference,
        "steps": steps,
    }


def bench_b3() -> dict:
    """B3: one large instance, 100,000 edges × 100 rounds (single replicate)."""
    cfg = _classic(n_countries=25_000, network="watts_strogatz", degree=8, rounds=100)
    graph = build_network("watts_strogatz", 25_000, degree=8, rewiring=0.1, seed=1)
    seconds = _best_time(lambda: PairwiseEngine(cfg, seed=1, graph=graph).run(), 3)
    edges = graph.number_of_edges()
    return {
        "benchmark": "B3",
        "value": edges * cfg.rounds / seconds,
        "unit": "edge-rounds/s",
        "target": None,
        "edges": edges,
        "rounds": cfg.rounds,
        "seconds": seconds,
    }


def b4_economy(n: int = 200, seed: int = 1) -> Economy:
    """B4's instance: the 11 battery/solar sectors plus battery recycling (K = 12), N countries
    with lognormal capabilities (spread 0.3) and sizes, budgets 2."""
    sectors = (*BATTERY_SOLAR_SECTORS, Sector("battery_recycling", 3.0, 1.0, 0.7, 3.0, 0.2))
    inputs = (*BATTERY_SOLAR_INPUTS, ("electric_vehicles", "battery_recycling"))
    rng = np.random.default_rng(seed)
    sizes = rng.lognormal(0.0, 0.5, n)
    return Economy(
        sectors,
        inputs,
        sizes=sizes / sizes.sum(),
        capability=rng.lognormal(0.0, 0.3, (n, len(sectors))),
        budgets=2,
        chain_bonus=0.1,
        shortfall_cost=0.05,
    )


def bench_b4() -> dict:
    """B4: the coordinator's plan for N = 200, K = 12, M = 8 submitted portfolios each."""
    econ = b4_economy()
    t0 = time.perf_counter()
    offers = opt.submissions(econ, np.zeros((econ.N, econ.K), bool), 8)
    collect = time.perf_counter() - t0
    plan = None

    def solve() -> None:
        nonlocal plan
        plan = opt.coordinate(econ, offers, seed=0)

    seconds = _best_time(solve, 3)
    return {
        "benchmark": "B4",
        "value": seconds,
        "unit": "s",
        "target": 2.0,
        "better": "lower",
        "gap_to_bound": plan.gap,
        "gap_target": 0.01,
        "welfare": plan.welfare,
        "bound": plan.bound,
        "collect_submissions_s": collect,
        "N": econ.N,
        "K": econ.K,
        "M": 8,
    }


def _b5_rate(rules: dict | None, rounds: int) -> tuple[float, float]:
    cfg = ModelConfig(
        mode="collective",
        n_countries=50,
        network="watts_strogatz",
        degree=6,
        regime="plurilateral",
        replan_interval=10,
        rounds=rounds,
        noise=0.02,
        strategies=rules,
    )
    econ = cfg.build_economy()
    t0 = time.perf_counter()
    engine = CollectiveEngine(cfg, econ, seed=1)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.run()
    return rounds / (time.perf_counter() - t0), setup


def bench_b5(rounds: int = 100) -> dict:
    """B5: collective-mode rounds per second, N = 50, plurilateral coordinator re-planning every
    10 rounds (the default stylised economy; councils, implied games and decliners included).
    ``value``: forward-looking governments (the collective default); ``classic_rules``: the
    seven classic strategies dealt by lot (the workload before payoff-driven decisions, heavier:
    its decliners are heard again as trust grows). Target ≥ 100 rounds/s."""
    value, setup = _b5_rate(None, rounds)
    classic, _ = _b5_rate(dict.fromkeys(CLASSIC_SEVEN, 1.0), rounds)
    return {
        "benchmark": "B5",
        "value": value,
        "unit": "rounds/s",
        "target": 100.0,
        "classic_rules": classic,
        "setup_s": setup,
        "replans": rounds // 10,
        "N": 50,
    }


def bench_b6() -> dict:
    """B6: the default ``shadow-of-the-future`` design with 1 and 2 process workers → runs per
    second and the scaling efficiency (rate with 2 / (2 × rate with 1)). The whole design must
    finish in ≤ 10 minutes on 2 cores."""
    import tempfile

    from experiments.catalogue import EXPERIMENTS, run_experiment

    exp = EXPERIMENTS["shadow-of-the-future"]
    runs = sum(len(part.points(1.0)) * part.replicates for part in exp.parts.values())
    seconds = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run_experiment("shadow-of-the-future", tmp, workers=workers, progress=False)
            seconds[workers] = time.perf_counter() - t0
    rate = {w: runs / t for w, t in seconds.items()}
    return {
        "benchmark": "B6",
        "value": rate[2],
        "unit": "runs/s",
        "target": None,
        "runs": runs,
        "runs_per_s_1_worker": rate[1],
        "runs_per_s_2_workers": rate[2],
        "scaling_efficiency": rate[2] / (2 * rate[1]),
        "seconds_2_workers": seconds[2],
        "design_limit_s": 600,
        "meets_design_limit": seconds[2] <= 600,
    }


def bench_b7(steps: int = 60) -> dict:
    """B7: the app served by ``pacts app`` and driven by Chromium, N = 50 with all charts."""
    import tempfile
    from pathlib import Path

    from experiments.bench.browser import chromium_path, launch_chromium, serve_app

    if chromium_path() is None:
        return {"benchmark": "B7", "value": None, "unit": "ms", "target": None,
                "skipped": "chromium not installed (apt-get install chromium)"}  # fmt: skip
    from playwright.sync_api import sync_playwright

    query = "mode=collective&n_countries=50&network=watts_strogatz&degree=6&noise=0.02"
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_app(Path(tmp) / "server.log") as server,
        sync_playwright() as p,
    ):
        browser = launch_chromium(p.chromium)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        page.goto(f"{server.url}?{query}")
        page.get_by_text("Round 0", exact=True).wait_for(timeout=120_000)
        first_render = time.perf_counter() - t0
        server_ms, roundtrip_ms = [], []
        step = page.get_by_role("button", name="Step", exact=True)
        for k in range(1, steps + 1):
            t0 = time.perf_counter()
            step.click()
            page.get_by_text(f"Round {k}", exact=True).wait_for(timeout=30_000)
            roundtrip_ms.append(1000 * (time.perf_counter() - t0))
            server_ms.append(float(page.locator(".pacts-step-ms").inner_text().split()[-2]))
        browser.close()
    return {
        "benchmark": "B7",
        "value": float(np.mean(server_ms)),
        "unit": "ms per Step (server side)",
        "target": 100.0,
        "better": "lower",
        "server_step_p95_ms": float(np.percentile(server_ms, 95)),
        "server_step_max_ms": float(np.max(server_ms)),
        "roundtrip_mean_ms": float(np.mean(roundtrip_ms)),
        "first_render_s": first_render,
        "N": 50,
        "steps": steps,
    }


def bench_b8(sizes: tuple[int, ...] = (900, 2500), steps: int = 100, repeats: int = 5) -> dict:
    """B8: ``RegionModel.step`` time / bare ``PairwiseEngine.step`` time, default pairwise
    scenario at each N of ``sizes``. Per repeat, a fresh engine and a fresh model (same config,
    same seed: the same rounds) each play ``steps`` rounds, timed back to back (building is not
    timed); the best of ``repeats`` per side."""
    ratios, model_ms, engine_ms = {}, {}, {}
    for n in sizes:
        cfg = ModelConfig(n_countries=n, rounds=max(steps, 1))
        best_engine = best_model = float("inf")
        for _ in range(repeats):
            for side in ("engine", "model"):
                obj = PairwiseEngine(cfg, seed=1) if side == "engine" else RegionModel(cfg, seed=1)
                t0 = time.perf_counter()
                for _ in range(steps):
                    obj.step()
                seconds = time.perf_counter() - t0
                if side == "engine":
                    best_engine = min(best_engine, seconds)
                else:
                    best_model = min(best_model, seconds)
        key = str(n)
        ratios[key] = best_model / best_engine
        model_ms[key] = 1000 * best_model / steps
        engine_ms[key] = 1000 * best_engine / steps
    return {
        "benchmark": "B8",
        "value": max(ratios.values()),
        "unit": "× the bare engine's step time (worst N)",
        "target": 2.0,
        "better": "lower",
        "ratios": ratios,
        "model_step_ms": model_ms,
        "engine_step_ms": engine_ms,
        "network": "watts_strogatz, degree 4, rewiring 0.1 (the default scenario)",
        "mode": "pairwise",
        "steps": steps,
    }


BENCHMARKS: dict[str, Callable[[], dict]] = {
    "B1": bench_b1,
    "B2": bench_b2,
    "B3": bench_b3,
    "B4": bench_b4,
    "B5": bench_b5,
    "B6": bench_b6,
    "B7": bench_b7,
    "B8": bench_b8,
}


def run_benchmarks(
    only: Iterable[str] | None = None, echo: Callable[[str], None] = print
) -> list[dict]:
    """Run the chosen benchmarks (default all), printing one JSON line each."""
    names = list(BENCHMARKS) if only is None else list(only)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise ValueError(
            f"--only: unknown benchmark(s) {', '.join(unknown)}; allowed: {', '.join(BENCHMARKS)}"
        )
    results = []
    for name in names:
        result = BENCHMARKS[name]()
        target, key = result.get("target"), result.get("target_applies_to", "value")
        if target is not None and result.get(key) is not None:
            lower = result.get("better") == "lower"
            met = result[key] <= target if lower else result[key] >= target
            if "gap_target" in result:
                met = met and result["gap_to_bound"] <= result["gap_target"]
            result["meets_target"] = bool(met)
        echo(json.dumps(result))
        results.append(result)
    return results
