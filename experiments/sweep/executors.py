"""Executors: tasks (chunks of runs) and the pools that run them — serial, a process pool, Dask."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from experiments.sweep.runs import run_batch
from experiments.sweep.seeds import run_seed


@dataclass(frozen=True)
class Task:
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


def _run_chunk(task: Task, point: dict, replicates: tuple[int, ...]) -> list[tuple]:
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


def run_task(task: Task) -> list[tuple]:
    """(point index, replicate, results | None, error | None, seconds) per run."""
    return [(pi, *row) for pi, point, reps in task.chunks for row in _run_chunk(task, point, reps)]


# ------------------------------------------------------------------ engines
def default_workers() -> int:
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


class SerialPool:
    workers = 1

    def submit(self, task: Task) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(run_task(task))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def wait(self, futures: Iterable) -> set:
        return set(futures)

    def close(self) -> None:
        pass


class ProcessPool:
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

    def submit(self, task: Task) -> cf.Future:
        with warnings.catch_warnings():
            # Python 3.12 warns on fork() whenever the process has other OS threads; ours are
            # native pools (OpenBLAS, Arrow) that reset themselves in a forked child
            warnings.filterwarnings("ignore", "This process .* is multi-threaded, use of fork")
            return self._pool.submit(run_task, task)

    def wait(self, futures: Iterable) -> set:
        return cf.wait(list(futures), return_when=cf.FIRST_COMPLETED).done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskPool:
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
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = distributed.Client(self._cluster)
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, task: Task) -> Any:
        return self._client.submit(run_task, task, pure=False)

    def wait(self, futures: Iterable) -> set:
        return self._distributed.wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
