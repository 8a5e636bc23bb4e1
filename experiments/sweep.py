"""Resumable, distributed parameter sweeps: designs, seeds, tasks, Parquet parts.

A sweep runs every *point* of a design (a dict of :class:`~model.config.ModelConfig` fields, plus
``burn_in``) ``replicates`` times. Each run (point × replicate) has a stable identity,
:func:`run_id`, and a seed derived from the sweep's root seed and the point alone, so its result
does not depend on the order of the points, on how runs are grouped into tasks, on the engine
(process pool, Dask, serial) or on interruptions and restarts.

Files (``out_dir``)::

    spec.json                    what the sweep is (name, points, replicates, root_seed, crn,
                                 version, run, extra_spec); a resume must match it
    parts/part-<task-id>.parquet one file per finished task (written under a temporary name,
                                 then renamed: a killed sweep never leaves half a file)
    results.parquet              after :func:`compact`: the parts merged into one file

Columns: ``run_id``, ``point_index`` (position of the point in the design; a point repeated in
the design is run once, under its first position, and :func:`load_results` shows its rows under
every position), ``replicate``, one column per parameter of the
design (non-scalar values such as ``strategies`` as canonical JSON strings), the result columns
(floats; null when the run failed), ``error`` (``"Type: message"`` or null) and ``seconds``
(wall time of the run; for replicates run together through :func:`run_batch`, the batch's time
shared equally).

Seeds. ``point_words`` are the four 32-bit words of the first 128 bits of the SHA-256 of the
point's canonical JSON. On the worker, a point's engine seed is
``SeedSequence(root_seed, spawn_key=point_words)``, or with common random numbers (``crn=True``)
``SeedSequence(root_seed, spawn_key=())`` — the same at every point; the state is turned into one
int with ``generate_state(2)`` (two uint32 words, ``w0 | w1 << 32``). Replicate ``r`` is the
engine's replicate ``r`` of that seed, whose streams the engine derives as
``SeedSequence(seed, spawn_key=(1, r))``. So every (point, replicate) has its own streams, a
function of ``(root_seed, point_words, r)``; with ``crn`` replicate ``r`` draws the same numbers
at every point. The replicate is applied inside the engine rather than in the seed's spawn key so
that the replicates of one point can share one engine (:func:`run_batch`, bit for bit equal to
:func:`run_one` per replicate). A custom ``run`` callable receives the same seed for every
replicate of a point and must derive replicate ``r``'s randomness from ``(seed, replicate)``.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import csv
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import os
import signal
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from experiments.output import atomic_write
from model.config import DEFAULTS, InertFieldWarning, ModelConfig, inert_fields
from model.engine import METRICS, SERIES, RoundEngine, build_engine
from model.toml_files import read_text

SPEC_VERSION = "pacts-sweep 1"
"""Version of the sweep's file format and seeding; part of ``spec.json``."""
RESULTS = (*METRICS, "first_cooperation", "rounds_played", *SERIES)
"""Result columns of :func:`run_one` (the collective series only in collective mode)."""
RESERVED = ("run_id", "point_index", "replicate", "error", "seconds")
"""Bookkeeping columns of a results table."""
DEFAULT_BURN_IN = 0.5
MAX_BATCH = 64
"""Most replicates of one point run together in one engine (bounds the engine's memory)."""
MAX_TASK_RUNS = 10_000
ENGINES = ("process", "dask", "serial")

_FIELDS = {f.name: f for f in fields(ModelConfig)}
_PARAMS = (*_FIELDS, "burn_in")


# ------------------------------------------------------------------ one run
def split_params(params: Mapping[str, Any]) -> tuple[ModelConfig, float]:
    """A sweep point as (its validated ModelConfig, its burn-in share of rounds)."""
    values = dict(params)
    burn_in = values.pop("burn_in", DEFAULT_BURN_IN)
    if (
        isinstance(burn_in, bool)
        or not isinstance(burn_in, int | float)
        or not 0.0 <= burn_in < 1.0
    ):
        raise ValueError(
            f"burn_in = {burn_in!r}: allowed: a number in [0, 1) (share of rounds ignored)"
        )
    with warnings.catch_warnings():  # a design's inert fields are reported once, up front
        warnings.simplefilter("ignore", InertFieldWarning)
        return ModelConfig.from_mapping(values, origin="sweep point"), float(burn_in)


def long_run_means(engine: RoundEngine, burn_in: float) -> list[dict[str, float]]:
    """Per replicate: means after the burn-in within the replicate's horizon."""
    rec = engine.record()
    series = getattr(engine, "series", None) if engine.config.mode == "collective" else None
    out = []
    for j in range(engine.R):
        h = int(np.count_nonzero(rec.alive[:, j]))
        start = math.floor(burn_in * h)  # < h, since burn_in < 1

        def mean(x: np.ndarray, j: int = j, start: int = start, h: int = h) -> float:
            # a contiguous copy: the same summation whether the replicate ran alone or in a batch
            return float(np.ascontiguousarray(x[start:h, j]).mean())

        row = {name: mean(getattr(rec, name)) for name in METRICS}
        row["first_cooperation"] = float(rec.cooperation[0, j])
        row["rounds_played"] = float(h)
        if series is not None:
            row.update({name: mean(series[name]) for name in SERIES})
        bad = [k for k, v in row.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(f"non-finite result(s): {', '.join(bad)}")
        out.append(row)
    return out


def run_one(params: Mapping[str, Any], seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate of one point: long-run scalars (finite floats).

    ``params``: ModelConfig fields (JSON-able values) and optionally ``burn_in``, the share of
    the replicate's rounds ignored at the start (default 0.5). Runs
    ``PairwiseEngine(config, seed, replicate_ids=[replicate])`` (``CollectiveEngine`` when
    ``mode == "collective"``) and returns the means over the rounds after the burn-in and within
    the replicate's horizon of cooperation, mutual_cooperation, mean_payoff and trust, plus
    ``first_cooperation`` (round 0), ``rounds_played`` and, in collective mode, the means of the
    collective series (:data:`model.engine.SERIES`). Invalid parameters raise ValueError.
    """
    return run_batch(params, seed, [replicate])[0]


def run_batch(
    params: Mapping[str, Any], seed: int, replicates: Sequence[int]
) -> list[dict[str, float]]:
    """:func:`run_one` for several replicates of one point, through the engine's replicate axis
    (one engine): equal to ``[run_one(params, seed, r) for r in replicates]`` bit for bit.

    Collective mode runs one engine per replicate: the collective engine sets the members'
    observation (transparency) from replicate 0's membership, so a batch is not replicate for
    replicate identical to single runs there (and its plans are computed per replicate anyway).
    """
    reps = [int(r) for r in replicates]
    if not reps:
        raise ValueError("replicates is empty: give at least one replicate id")
    config, burn_in = split_params(params)
    if config.mode == "collective" and len(reps) > 1:
        return [run_batch(params, seed, [r])[0] for r in reps]
    return long_run_means(build_engine(config, seed, replicate_ids=reps).run(), burn_in)


# ------------------------------------------------------------------ identity and seeds
def _jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars to Python, tuples to lists, mapping keys to str."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, floats by ``repr`` (so 1 and 1.0 differ)."""
    return json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_id(point: Mapping[str, Any], replicate: int) -> str:
    """First 16 hex digits of the SHA-256 of ``{"point": point, "replicate": replicate}``
    in canonical JSON."""
    return _sha(canonical_json({"point": point, "replicate": int(replicate)}))[:16]


def _run_id_fast(point_json: str, replicate: int) -> str:
    # canonical_json({"point": p, "replicate": r}) with p already canonical ("point" < "replicate")
    return _sha(f'{{"point":{point_json},"replicate":{int(replicate)}}}')[:16]


def point_words(point: Mapping[str, Any]) -> tuple[int, ...]:
    """The four 32-bit words of the first 128 bits of the point's SHA-256 (canonical JSON)."""
    x = int(_sha(canonical_json(point))[:32], 16)
    return tuple((x >> (32 * k)) & 0xFFFFFFFF for k in range(4))


def run_seed(root_seed: int, point: Mapping[str, Any], crn: bool = False) -> int:
    """The engine seed of a point (see the module docstring): from
    ``SeedSequence(root_seed, spawn_key=point_words(point))`` — or ``spawn_key=()`` with common
    random numbers — as ``w0 | w1 << 32`` of ``generate_state(2)``. Replicates are the engine's
    replicate ids of this seed."""
    key = () if crn else point_words(point)
    w = np.random.SeedSequence(int(root_seed), spawn_key=key).generate_state(2)
    return int(w[0]) | (int(w[1]) << 32)


# ------------------------------------------------------------------ designs
class Design(list):
    """A list of points (dicts of parameters) that remembers how it was made: ``method``
    ("grid", "lhs", "sobol", "morris", "csv") and, for the SALib designs, ``problem`` (SALib's
    problem dict: num_vars, names, bounds) for the sensitivity analysis."""

    def __init__(self, points: Iterable[dict], method: str, problem: dict | None = None) -> None:
        super().__init__(points)
        self.method = method
        self.problem = problem

    def __repr__(self) -> str:
        return f"Design({self.method}, {len(self)} points)"


Extra = Mapping[str, type] | None
"""An experiment's own parameters beyond the model's fields, which its run function reads
(name → type: ``int``, ``float``, ``bool`` or ``str``), e.g. the initial share ``x0``."""


def _check_names(names: Iterable[str], where: str, extra: Extra = None) -> None:
    allowed = {*_PARAMS, *(extra or {})}
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown parameter(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(allowed))}"
        )


def _check_inert(points: Sequence[dict]) -> None:
    """Refuse, before any run, a design that varies a field which has no effect at any of its
    points, or sets a field where it has no effect and that is an error
    (:data:`model.config.INERT`); a field set where it is only harmlessly inert is one warning
    for the whole design (the runs themselves do not repeat it)."""
    if not points:
        return
    values = [{k: v for k, v in p.items() if k in DEFAULTS} for p in points]
    firsts: dict[str, tuple[int, Any]] = {}
    for name in {k for v in values for k in v}:
        if len({canonical_json(v.get(name, DEFAULTS[name])) for v in values}) < 2:
            continue
        where = [inert_fields(v, set_only=False).get(name) for v in values]
        if all(where):
            full = {**DEFAULTS, **values[0]}
            raise ValueError(
                f"the design varies {name}, which has no effect at any of its points (e.g. "
                f"when {where[0].setting.format_map(full)}); set {where[0].change}, or vary "
                "another field"
            )
    counts: dict[str, int] = {}
    for i, v in enumerate(values):
        for name, inert in inert_fields(v).items():
            counts[name] = counts.get(name, 0) + 1
            firsts.setdefault(name, (i, inert))
    for name, (i, inert) in sorted(firsts.items()):
        message = inert.message(name, {**DEFAULTS, **values[i]}, DEFAULTS[name])
        at = f"point {i}" if counts[name] == 1 else f"{counts[name]} points, e.g. point {i}"
        if not inert.warn:
            raise ValueError(f"{at} of the design: {message}")
        warnings.warn(f"{at} of {len(values)}: {message}", InertFieldWarning, stacklevel=3)


def _kind(name: str, extra: Extra = None) -> type | None:
    if extra and name in extra:
        return extra[name]
    return float if name == "burn_in" else _FIELDS[name].metadata["kind"]


def _base(base: Mapping[str, Any] | None, extra: Extra = None) -> dict:
    base = _jsonable(dict(base or {}))
    _check_names(base, "base", extra)
    return base


def grid(base: Mapping[str, Any] | None, axes: Mapping[str, Sequence[Any]]) -> Design:
    """The cartesian product of ``axes`` over ``base``: axes in the given order, the last one
    varying fastest."""
    base = _base(base)
    _check_names(axes, "grid axes")
    for name, values in axes.items():
        if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
            raise ValueError(f"grid axis {name!r}: allowed: a list of values")
        if len(values) == 0:
            raise ValueError(f"grid axis {name!r} is empty: give at least one value")
    names = list(axes)
    combos = itertools.product(*([_jsonable(v) for v in axes[n]] for n in names))
    return Design(({**base, **dict(zip(names, c, strict=True))} for c in combos), "grid")


def _problem(ranges: Mapping[str, Sequence[float]], extra: Extra = None) -> dict:
    if not ranges:
        raise ValueError("ranges is empty: give {field: (low, high)} for at least one field")
    _check_names(ranges, "ranges", extra)
    bounds = []
    for name, bound in ranges.items():
        if _kind(name, extra) not in (int, float):
            raise ValueError(f"ranges[{name!r}]: allowed: a numeric field")
        low, high = (float(x) for x in bound)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"ranges[{name!r}] = {bound!r}: allowed: (low, high) with low < high")
        bounds.append([low, high])
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": bounds}


def _points(base: dict, problem: dict, x: np.ndarray, extra: Extra = None) -> list[dict]:
    """Rows of values (already in the ranges) to points; integer fields rounded."""
    out = []
    for row in np.asarray(x, float):
        point = dict(base)
        for name, (low, high), v in zip(problem["names"], problem["bounds"], row, strict=True):
            if _kind(name, extra) is int:
                point[name] = int(min(max(round(v), math.ceil(low)), math.floor(high)))
            else:
                point[name] = float(v)
        out.append(point)
    return out


def latin_hypercube(
    base: Mapping[str, Any] | None,
    ranges: Mapping[str, Sequence[float]],
    n: int,
    seed: int = 0,
    extra: Extra = None,
) -> Design:
    """``n`` points by Latin hypercube sampling (scipy.stats.qmc.LatinHypercube): each field's
    range is cut into ``n`` equal bins, each hit once. Integer fields are rounded. ``extra``:
    the experiment's own parameters (see :data:`Extra`), here and in the other designs."""
    from scipy.stats import qmc

    problem = _problem(ranges, extra)
    n = _positive(n, "n")
    u = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(seed)).random(n)
    low, high = np.array(problem["bounds"]).T
    points = _points(_base(base, extra), problem, low + u * (high - low), extra)
    return Design(points, "lhs")


def sobol(
    base: Mapping[str, Any] | None,
    ranges: Mapping[str, Sequence[float]],
    n: int,
    seed: int = 0,
    extra: Extra = None,
) -> Design:
    """Saltelli's sampling for Sobol indices (``SALib.sample.sobol.sample``, second order):
    ``n · (2D + 2)`` points for D fields (``n`` a power of 2). ``design.problem`` keeps SALib's
    problem for ``SALib.analyze.sobol`` (outputs in the design's order)."""
    from SALib.sample import sobol as salib_sobol

    problem = _problem(ranges, extra)
    x = salib_sobol.sample(
        copy.deepcopy(problem), _positive(n, "n"), calc_second_order=True, seed=seed
    )
    return Design(_points(_base(base, extra), problem, x, extra), "sobol", problem)


def morris(
    base: Mapping[str, Any] | None,
    ranges: Mapping[str, Sequence[float]],
    n: int,
    seed: int = 0,
    num_levels: int = 4,
    extra: Extra = None,
) -> Design:
    """Morris elementary-effects trajectories (``SALib.sample.morris.sample``): ``n``
    trajectories of ``D + 1`` points. ``design.problem`` keeps SALib's problem for
    ``SALib.analyze.morris``. (Rounded integer fields can make a step vanish; prefer float
    fields.)"""
    from SALib.sample import morris as salib_morris

    problem = _problem(ranges, extra)
    x = salib_morris.sample(
        copy.deepcopy(problem), _positive(n, "n"), num_levels=num_levels, seed=seed
    )
    return Design(_points(_base(base, extra), problem, x, extra), "morris", problem)


def _positive(n: Any, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{name} = {n!r}: allowed: an integer >= 1")
    return int(n)


def _parse_cell(name: str, text: str, extra: Extra = None) -> Any:
    kind = _kind(name, extra)
    try:
        if kind is bool:
            low = text.strip().lower()
            if low not in ("true", "false", "1", "0"):
                raise ValueError("expected true or false")
            return low in ("true", "1")
        if kind is int:
            x = float(text)
            if not x.is_integer():
                raise ValueError("expected an integer")
            return int(x)
        if kind is float:
            return float(text)
        s = text.strip()
        return json.loads(s) if s[:1] in "[{" else s
    except ValueError as err:
        raise ValueError(f"column {name!r}: {text!r}: {err}") from None


def from_csv(base: Mapping[str, Any] | None, path: str | Path, extra: Extra = None) -> Design:
    """Points from a CSV file: a header of field names (and ``burn_in``, and ``extra``'s
    names), one point per row. Values are read by the field's type (JSON for lists and tables
    such as ``strategies``); an empty cell keeps the base value. Unknown columns raise
    ValueError."""
    base = _base(base, extra)
    path = Path(path)
    # utf-8-sig: a byte-order mark (as spreadsheets write) is not part of the first name
    text = read_text(path, "design file", "CSV", encoding="utf-8-sig")
    with io.StringIO(text, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise ValueError(f"{path}: empty file; expected a header of field names")
        header = [h.strip() for h in header]
        _check_names(header, f"{path}: column(s)", extra)
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise ValueError(
                f"{path}: column(s) {', '.join(repr(h) for h in twice)} appear more than once; "
                "allowed: each field once"
            )
        points = []
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ValueError(f"{path}:{line}: {len(row)} cells for {len(header)} columns")
            point = dict(base)
            for name, cell in zip(header, row, strict=True):
                if cell.strip():
                    try:
                        point[name] = _parse_cell(name, cell, extra)
                    except ValueError as err:
                        raise ValueError(f"{path}:{line}: {err}") from None
            points.append(point)
    if not points:
        raise ValueError(f"{path}: no points (only a header)")
    return Design(points, "csv")


# ------------------------------------------------------------------ tasks (run on the workers)
@dataclass(frozen=True)
class _Task:
    run: Callable[..., Mapping[str, float]]
    root_seed: int
    crn: bool
    batch: bool  # run is run_one: replicates of a point go through run_batch
    chunks: tuple[tuple[int, dict, tuple[int, ...]], ...]  # (point index, point, replicates)


def _error(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


def _clean(result: Any) -> dict[str, float]:
    if not isinstance(result, Mapping):
        raise TypeError(f"the run returned {type(result).__name__}; expected a dict of floats")
    return {str(k): float(v) for k, v in result.items()}


def _run_chunk(task: _Task, point: dict, replicates: tuple[int, ...]) -> list[tuple]:
    """(replicate, results | None, error | None, seconds) per replicate."""
    seed = run_seed(task.root_seed, point, task.crn)  # derived here, on the worker
    if task.batch and len(replicates) > 1:
        t0 = time.perf_counter()
        try:
            results = run_batch(point, seed, replicates)
        except Exception:  # record each run's own error below
            pass
        else:
            each = (time.perf_counter() - t0) / len(replicates)
            return [(r, _clean(x), None, each) for r, x in zip(replicates, results, strict=True)]
    rows = []
    for r in replicates:
        t0 = time.perf_counter()
        try:
            res, err = _clean(task.run(point, seed, r)), None
        except Exception as exc:
            res, err = None, _error(exc)
        rows.append((r, res, err, time.perf_counter() - t0))
    return rows


def _run_task(task: _Task) -> list[tuple]:
    """(point index, replicate, results | None, error | None, seconds) per run."""
    return [(pi, *row) for pi, point, reps in task.chunks for row in _run_chunk(task, point, reps)]


# ------------------------------------------------------------------ engines
def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _worker_init(parent: int | None) -> None:
    """Linux: a worker dies with the sweep (a killed sweep leaves no orphans computing)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's "clean up" handler
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the sweep died before prctl


class _SerialPool:
    workers = 1

    def submit(self, task: _Task) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(_run_task(task))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def wait(self, futures: Iterable) -> set:
        return set(futures)

    def close(self) -> None:
        pass


class _ProcessPool:
    def __init__(self, workers: int) -> None:
        methods = multiprocessing.get_all_start_methods()
        # fork: workers start at once and inherit the loaded model; only from a process without
        # other Python threads (forking threads risks deadlocks), else forkserver / the default
        if "fork" in methods and threading.active_count() == 1:
            ctx, parent = multiprocessing.get_context("fork"), os.getpid()
        elif "forkserver" in methods:
            ctx, parent = multiprocessing.get_context("forkserver"), None
        else:
            ctx, parent = multiprocessing.get_context(), None
        self.workers = workers
        self._pool = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(parent,)
        )

    def submit(self, task: _Task) -> cf.Future:
        with warnings.catch_warnings():
            # Python 3.12 warns on fork() whenever the process has other OS threads; ours are
            # native pools (OpenBLAS, Arrow) that reset themselves in a forked child
            warnings.filterwarnings("ignore", "This process .* is multi-threaded, use of fork")
            return self._pool.submit(_run_task, task)

    def wait(self, futures: Iterable) -> set:
        return cf.wait(list(futures), return_when=cf.FIRST_COMPLETED).done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _DaskPool:
    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        import distributed

        self._distributed = distributed
        self._cluster = None
        if scheduler:
            try:
                self._client = distributed.Client(scheduler)
            except (OSError, TimeoutError) as err:
                raise ValueError(
                    f"scheduler = {scheduler!r}: no Dask scheduler answered ({err})"
                ) from None
        else:
            self._cluster = distributed.LocalCluster(
                n_workers=workers or _default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = distributed.Client(self._cluster)
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, task: _Task) -> Any:
        return self._client.submit(_run_task, task, pure=False)

    def wait(self, futures: Iterable) -> set:
        return self._distributed.wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


class _Bar(tqdm):
    monitor_interval = 0  # no monitor thread (it would make forking unsafe)


# ------------------------------------------------------------------ files
@contextmanager
def _locked(folder: Path):
    """One sweep (or compaction) per folder at a time. POSIX record locks are per process and
    not inherited by forked workers, and the kernel drops them when the process dies."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(f"{folder}: another sweep is running in this folder") from None
        yield
    finally:
        os.close(fd)


def _part_files(folder: Path) -> list[Path]:
    return sorted((folder / "parts").glob("part-*.parquet"))


def has_results(out_dir: str | Path) -> bool:
    """Whether a sweep folder holds results (merged or parts)."""
    return bool(_result_files(Path(out_dir)))


def _result_files(folder: Path) -> list[Path]:
    merged = folder / "results.parquet"
    return ([merged] if merged.exists() else []) + _part_files(folder)


def _write_parquet(table: pa.Table, path: Path) -> None:
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def _read_spec(folder: Path) -> dict | None:
    path = folder / "spec.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _spec_differences(old: dict, new: dict) -> list[str]:
    out = []
    for key in dict.fromkeys([*new, *old]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "points" and isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"points ({len(a)} here, {len(b)} given)")
            else:
                k = next(i for i, (p, q) in enumerate(zip(a, b, strict=True)) if p != q)
                out.append(f"points (point {k} differs)")
        elif key in ("points", "extra_spec"):
            out.append(key)
        else:
            out.append(f"{key} ({a!r} here, {b!r} given)")
    return out


def _column_order(columns: Sequence[str], params: Sequence[str]) -> list[str]:
    lead = [c for c in RESERVED[:3] if c in columns]
    tail = [c for c in RESERVED[3:] if c in columns]
    par = [c for c in params if c in columns and c not in RESERVED]
    rest = [c for c in columns if c not in lead and c not in tail and c not in par]
    known = {name: k for k, name in enumerate(RESULTS)}
    rest.sort(key=lambda c: (known.get(c, len(known)), c))
    return lead + par + rest + tail


def _spec_params(spec: dict | None) -> list[str]:
    if not spec:
        return []
    return list(dict.fromkeys(k for p in spec.get("points", []) for k in p))


def _read_table(folder: Path) -> pa.Table | None:
    """All results (merged file and parts), one row per run_id, sorted by run_id."""
    files = _result_files(folder)
    if not files:
        return None
    table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
    ids = table.column("run_id").to_pandas()
    if ids.duplicated().any():  # a compaction interrupted before removing its parts
        table = table.filter(pa.array(~ids.duplicated().to_numpy()))
    table = table.sort_by("run_id")
    return table.select(_column_order(table.column_names, _spec_params(_read_spec(folder))))


def _repeats(spec: dict | None) -> dict[int, list[int]]:
    """{first position: [later positions]} of the points repeated in a design."""
    first: dict[str, int] = {}
    out: dict[int, list[int]] = {}
    for k, point in enumerate((spec or {}).get("points", [])):
        f = first.setdefault(canonical_json(point), k)
        if f != k:
            out.setdefault(f, []).append(k)
    return out


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """All results of a sweep folder (``results.parquet`` and/or ``parts/``), one row per run,
    sorted by ``run_id``. Failed runs have NaN results and their ``error`` text.

    A point repeated in the design (e.g. Saltelli's Sobol design with two fields, or rounded
    integer fields) is run once, but its rows appear under each of its positions
    (``point_index``), so that every point of the design has its results (then ``run_id``
    repeats; rows are sorted by ``run_id`` and ``point_index``)."""
    folder = Path(out_dir)
    spec = _read_spec(folder)
    table = _read_table(folder)
    if table is None:
        params = _spec_params(spec)
        return pd.DataFrame(columns=_column_order([*RESERVED, *params], params))
    df = table.to_pandas()
    repeats = _repeats(spec)
    if not repeats:
        return df
    rows = df.groupby("point_index").indices
    take, index = [], []
    for f, later in repeats.items():
        for k in later:
            take.append(rows.get(f, np.empty(0, np.intp)))
            index.append(np.full(len(take[-1]), k, np.int64))
    if not take:
        return df
    extra = df.iloc[np.concatenate(take)].assign(point_index=np.concatenate(index))
    df = pd.concat([df, extra], ignore_index=True)
    return df.sort_values(["run_id", "point_index"], kind="stable", ignore_index=True)


def compact(out_dir: str | Path) -> Path:
    """Merge ``results.parquet`` and all parts into ``results.parquet`` (written atomically),
    then remove the merged parts. Safe to interrupt: until the parts are gone, readers drop the
    duplicate rows. Returns the merged file's path."""
    folder = Path(out_dir)
    target = folder / "results.parquet"
    with _locked(folder):
        parts = _part_files(folder)
        table = _read_table(folder)
        if table is None:
            raise ValueError(f"{folder}: no sweep results to compact")
        if parts:
            _write_parquet(table, target)
            for part in parts:
                part.unlink()
    return target


# ------------------------------------------------------------------ the sweep
@dataclass(frozen=True)
class SweepSummary:
    """What :meth:`Sweep.run` did: ``done`` runs finished now (``failed`` of them with an
    error), ``skipped`` already done before (resume), of ``total`` distinct runs."""

    total: int
    done: int
    failed: int
    skipped: int
    parts: int
    seconds: float


def _value_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


_ARROW = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}


def _column_kinds(points: Sequence[dict]) -> dict[str, str]:
    """One column type per parameter, decided over the whole design (same schema in every
    part, whatever the chunking)."""
    seen: dict[str, set[str]] = {}
    for p in points:
        for k, v in p.items():
            seen.setdefault(k, set()).add(_value_kind(v))
    kinds = {}
    for k, s in seen.items():
        s = s - {"null"}
        if len(s) == 1 and s <= {"bool", "int", "float"}:
            kinds[k] = s.pop()
        elif s == {"int", "float"}:
            kinds[k] = "float"
        else:
            kinds[k] = "str"
    return kinds


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "str" and not isinstance(value, str):
        return canonical_json(value)
    return value


def _callable_name(run: Callable) -> str:
    name = getattr(run, "__qualname__", type(run).__qualname__)
    return f"{getattr(run, '__module__', type(run).__module__)}.{name}"


class Sweep:
    """A parameter sweep: every point of a design × ``replicates``, resumable and parallel.

    Parameters
    ----------
    name : a label (kept in ``spec.json``).
    points : the design, a list of dicts of parameters (see :func:`grid`,
        :func:`latin_hypercube`, :func:`sobol`, :func:`morris`, :func:`from_csv`).
    replicates : runs per point (replicate ids 0..replicates−1).
    root_seed : the root of every run's seed (see the module docstring).
    crn : common random numbers: replicate r draws the same random numbers at every point.
    run : a picklable callable ``(params, seed, replicate) -> dict[str, float]``, default
        :func:`run_one` (whose replicates of one point are run together by :func:`run_batch`).
    extra_spec : JSON-able facts kept in ``spec.json`` (e.g. SALib's problem).
    """

    def __init__(
        self,
        name: str,
        points: Sequence[Mapping[str, Any]],
        replicates: int = 1,
        root_seed: int = 0,
        crn: bool = False,
        run: Callable[..., Mapping[str, float]] = run_one,
        extra_spec: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = str(name)
        self.points = [json.loads(canonical_json(p)) for p in points]
        if any(not isinstance(p, dict) for p in self.points):
            raise ValueError("points: allowed: a list of dicts of parameters")
        self.replicates = _positive(replicates, "replicates")
        if isinstance(root_seed, bool) or not isinstance(root_seed, int) or root_seed < 0:
            raise ValueError(f"root_seed = {root_seed!r}: allowed: an integer >= 0")
        self.root_seed = int(root_seed)
        self.crn = bool(crn)
        if not callable(run):
            raise ValueError("run: allowed: a callable (params, seed, replicate) -> dict")
        self.run_fn = run
        self.extra_spec = json.loads(canonical_json(dict(extra_spec or {})))
        self.columns = _column_kinds(self.points)
        if run is run_one:  # its points are whole configs (a custom run may apply them to a
            _check_inert(self.points)  # preset, whose fields this cannot see)
        clash = sorted(set(self.columns) & set(RESERVED))
        if clash:
            raise ValueError(f"points: parameter name(s) {', '.join(clash)} are reserved")
        # distinct runs: a point repeated in the design is run once (its first position)
        self._run_ids: list[list[str] | None] = []
        seen: set[str] = set()
        for p in self.points:
            pj = canonical_json(p)
            ids = [_run_id_fast(pj, r) for r in range(self.replicates)]
            self._run_ids.append(None if ids[0] in seen else ids)
            seen.update(ids)
        self.total = len(seen)

    @property
    def spec(self) -> dict:
        """What ``spec.json`` records (a resume must match it)."""
        return {
            "name": self.name,
            "points": self.points,
            "replicates": self.replicates,
            "root_seed": self.root_seed,
            "crn": self.crn,
            "version": SPEC_VERSION,
            "run": _callable_name(self.run_fn),
            "extra_spec": self.extra_spec,
        }

    # ---------------------------------------------------------------- running
    def run(
        self,
        out_dir: str | Path,
        engine: str = "process",
        workers: int | None = None,
        scheduler: str | None = None,
        resume: bool = False,
        progress: bool = True,
        batch_seconds: float = 0.5,
    ) -> SweepSummary:
        """Run every run not yet in ``out_dir``; returns a :class:`SweepSummary`.

        engine
            ``"process"`` (default): a ProcessPoolExecutor of ``workers`` processes (default: the
            usable cores), started with "fork" on Linux (workers inherit the loaded model at once;
            "forkserver" when this process already runs other Python threads, since forking
            threads risks deadlocks; the platform's default elsewhere — then ``run`` must be
            importable). ``"serial"``: in this process (tests, debugging, profiling).
            ``"dask"``: a ``distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
            processes=True)``, or with ``scheduler="tcp://host:port"`` a
            ``distributed.Client(scheduler)`` on an existing cluster. The cluster's workers must
            have the ``pacts`` package installed (``pip install -e .`` on a shared filesystem,
            or the same wheel) — they import ``experiments.sweep`` and the model. On HPC,
            dask-jobqueue (SLURM, PBS, SGE …) or dask-mpi start such a cluster; pass its
            scheduler address. Parts are written by this process, so ``out_dir`` need only be
            local to it. Every engine gives identical results.
        resume
            Continue a sweep in a folder that has results: only runs whose ``run_id`` is not in
            the parts are run (a failed run counts as done: its error is its result). The
            folder's ``spec.json`` must match this sweep; without ``resume`` a folder with
            results is refused.
        batch_seconds
            Runs are grouped into tasks that take about this long (estimated from the first
            runs); at most 2 × workers tasks are in flight, so any design size is fine.
        """
        if engine not in ENGINES:
            raise ValueError(f"engine = {engine!r}: allowed: {', '.join(ENGINES)}")
        if workers is not None and (isinstance(workers, bool) or workers < 1):
            raise ValueError(f"workers = {workers!r}: allowed: an integer >= 1")
        if not batch_seconds >= 0:
            raise ValueError(f"batch_seconds = {batch_seconds!r}: allowed: a number >= 0")
        folder = Path(out_dir)
        t0 = time.perf_counter()
        with _locked(folder):
            done = self._prepare(folder, resume)
            pending = deque(
                (pi, reps)
                for pi, ids in enumerate(self._run_ids)
                if ids is not None
                for reps in [tuple(r for r, rid in enumerate(ids) if rid not in done)]
                if reps
            )
            skipped = self.total - sum(len(reps) for _, reps in pending)
            bar = _Bar(
                total=self.total,
                initial=skipped,
                unit="run",
                desc=self.name,
                disable=not progress,
                dynamic_ncols=True,
            )
            try:
                counts = self._execute(
                    folder, pending, engine, workers, scheduler, batch_seconds, bar
                )
            finally:
                bar.close()
        return SweepSummary(
            total=self.total,
            done=counts[0],
            failed=counts[1],
            skipped=skipped,
            parts=counts[2],
            seconds=time.perf_counter() - t0,
        )

    def _prepare(self, folder: Path, resume: bool) -> set[str]:
        """Check or write spec.json; the run_ids already done."""
        parts = folder / "parts"
        parts.mkdir(parents=True, exist_ok=True)
        for stale in parts.glob(".part-*"):  # temporary files of a killed sweep
            stale.unlink(missing_ok=True)
        files = _result_files(folder)
        old = _read_spec(folder)
        spec = json.loads(json.dumps(self.spec))
        if files and not resume:
            raise ValueError(
                f"{folder} already has sweep results; pass resume=True (--resume) to continue "
                "that sweep, or choose another folder"
            )
        if resume and files and old is None:
            raise ValueError(f"{folder}: results without spec.json; choose another folder")
        if resume and old is not None and old != spec:
            raise ValueError(
                f"{folder}: cannot resume: the sweep there differs in "
                f"{'; '.join(_spec_differences(old, spec))}; run the same sweep, or choose "
                "another folder"
            )
        if old != spec:
            text = json.dumps(spec, indent=1) + "\n"
            atomic_write(folder / "spec.json", lambda p: p.write_text(text, encoding="utf-8"))
        done: set[str] = set()
        for f in files:
            done.update(pq.read_table(f, columns=["run_id"]).column(0).to_pylist())
        return done

    def _execute(
        self,
        folder: Path,
        pending: deque,
        engine: str,
        workers: int | None,
        scheduler: str | None,
        batch_seconds: float,
        bar: tqdm,
    ) -> tuple[int, int, int]:
        remaining = sum(len(reps) for _, reps in pending)
        if not remaining:
            return 0, 0, 0
        if engine == "serial":
            pool: Any = _SerialPool()
        elif engine == "process":
            pool = _ProcessPool(workers or _default_workers())
        else:
            pool = _DaskPool(workers, scheduler)
        window = 2 * pool.workers
        in_flight: dict[Any, _Task] = {}
        measured = [0, 0.0]  # runs, seconds
        probes = done = failed = parts = 0
        try:
            while pending or in_flight:
                while pending and len(in_flight) < window:
                    if measured[0] == 0:  # first measure single runs, one per worker
                        if probes >= pool.workers:
                            break
                        size, probes = 1, probes + 1
                    else:
                        per_run = measured[1] / measured[0]
                        size = math.ceil(batch_seconds / max(per_run, 1e-9))
                        size = max(1, min(size, MAX_TASK_RUNS, -(-remaining // pool.workers)))
                    task = self._take(pending, size)
                    remaining -= sum(len(reps) for _, _, reps in task.chunks)
                    in_flight[pool.submit(task)] = task
                for future in pool.wait(in_flight):
                    in_flight.pop(future)
                    rows = future.result()
                    table = self._table(rows)
                    self._write_part(folder, table)
                    n_failed = sum(row[3] is not None for row in rows)
                    done, failed, parts = done + len(rows), failed + n_failed, parts + 1
                    measured[0] += len(rows)
                    measured[1] += sum(row[4] for row in rows)
                    bar.update(len(rows))
                    if failed:
                        bar.set_postfix(failed=failed, refresh=False)
        finally:
            for future in in_flight:
                future.cancel()
            pool.close()
        return done, failed, parts

    def _take(self, pending: deque, size: int) -> _Task:
        chunks, n = [], 0
        while pending and n < size:
            pi, reps = pending[0]
            k = min(size - n, len(reps), MAX_BATCH)
            chunks.append((pi, self.points[pi], reps[:k]))
            if k == len(reps):
                pending.popleft()
            else:
                pending[0] = (pi, reps[k:])
            n += k
        return _Task(self.run_fn, self.root_seed, self.crn, self.run_fn is run_one, tuple(chunks))

    def _table(self, rows: list[tuple]) -> pa.Table:
        """One part: rows (point index, replicate, results, error, seconds) as an Arrow table."""
        taken = set(self.columns) | set(RESERVED)
        clean = []
        for pi, r, res, err, sec in rows:
            clash = sorted(set(res or ()) & taken)
            if clash:
                res, err = (
                    None,
                    (
                        f"ValueError: result name(s) {', '.join(clash)} clash with the parameter "
                        "or bookkeeping columns"
                    ),
                )
            clean.append((pi, r, res, err, sec))
        names = list(dict.fromkeys(k for row in clean for k in (row[2] or ())))
        cols: dict[str, pa.Array] = {
            "run_id": pa.array([self._run_ids[pi][r] for pi, r, *_ in clean], pa.string()),
            "point_index": pa.array([pi for pi, *_ in clean], pa.int64()),
            "replicate": pa.array([r for _, r, *_ in clean], pa.int64()),
        }
        for name, kind in self.columns.items():
            values = [_cell(self.points[pi].get(name), kind) for pi, *_ in clean]
            cols[name] = pa.array(values, _ARROW[kind])
        for name in names:
            values = [None if res is None else res.get(name) for _, _, res, _, _ in clean]
            cols[name] = pa.array(values, pa.float64())
        cols["error"] = pa.array([row[3] for row in clean], pa.string())
        cols["seconds"] = pa.array([float(row[4]) for row in clean], pa.float64())
        return pa.table(cols)

    def _write_part(self, folder: Path, table: pa.Table) -> Path:
        task_id = table.column("run_id")[0].as_py()  # a finished run: no later task starts there
        path = folder / "parts" / f"part-{task_id}.parquet"
        k = 1
        while path.exists():
            path = folder / "parts" / f"part-{task_id}-{k}.parquet"
            k += 1
        _write_parquet(table, path)
        return path
