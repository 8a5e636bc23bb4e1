"""The sweep: every point of a design × replicates, resumable, in parallel, with a progress bar."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from experiments.output import atomic_write
from experiments.sweep import executors, store
from experiments.sweep.designs import check_inert, positive
from experiments.sweep.runs import run_one
from experiments.sweep.seeds import canonical_json, run_id_fast

SPEC_VERSION = "pacts-sweep 2"
"""Version of the sweep's file format and seeding; part of ``spec.json`` (2: the catalogue's run
functions moved to ``experiments.catalogue``)."""
MAX_BATCH = 64
"""Most replicates of one point run together in one engine (bounds the engine's memory)."""
MAX_TASK_RUNS = 10_000
ENGINES = ("process", "dask", "serial")


class _Bar(tqdm):
    monitor_interval = 0  # no monitor thread (it would make forking unsafe)


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

    Examples
    --------
    >>> import tempfile
    >>> from experiments import sweep as sw
    >>> design = sw.grid({"n_countries": 10, "rounds": 40}, {"continuation": [0.4, 0.95]})
    >>> sweep = sw.Sweep("doc", design, replicates=3, root_seed=7)
    >>> sweep.total  # distinct runs: points × replicates
    6
    >>> folder = tempfile.mkdtemp()
    >>> sweep.run(folder, engine="serial", progress=False).done
    6
    >>> sweep.run(folder, engine="serial", progress=False, resume=True).skipped  # nothing new
    6
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
        self.replicates = positive(replicates, "replicates")
        if isinstance(root_seed, bool) or not isinstance(root_seed, int) or root_seed < 0:
            raise ValueError(f"root_seed = {root_seed!r}: allowed: an integer >= 0")
        self.root_seed = int(root_seed)
        self.crn = bool(crn)
        if not callable(run):
            raise ValueError("run: allowed: a callable (params, seed, replicate) -> dict")
        self.run_fn = run
        self.extra_spec = json.loads(canonical_json(dict(extra_spec or {})))
        self.columns = store.column_kinds(self.points)
        if run is run_one:  # its points are whole configs (a custom run may apply them to a
            check_inert(self.points)  # preset, whose fields this cannot see)
        clash = sorted(set(self.columns) & set(store.RESERVED))
        if clash:
            raise ValueError(f"points: parameter name(s) {', '.join(clash)} are reserved")
        # distinct runs: a point repeated in the design is run once (its first position)
        self._run_ids: list[list[str] | None] = []
        seen: set[str] = set()
        for p in self.points:
            pj = canonical_json(p)
            ids = [run_id_fast(pj, r) for r in range(self.replicates)]
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
        """Run every run not yet in ``out_dir``.

        Parameters
        ----------
        out_dir : str or Path
            The sweep's folder (created if needed): ``spec.json`` and ``parts/``.
        engine : {"process", "serial", "dask"}, default "process"
            ``"process"``: a ProcessPoolExecutor of ``workers`` processes (default: the usable
            cores), started with "fork" on Linux (workers inherit the loaded model at once;
            "forkserver" when this process already runs other Python threads, since forking
            threads risks deadlocks; the platform's default elsewhere — then ``run`` must be
            importable). ``"serial"``: in this process (tests, debugging, profiling).
            ``"dask"``: a ``distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
            processes=True)``, or with ``scheduler`` a ``distributed.Client(scheduler)`` on an
            existing cluster, whose workers must have the ``pacts`` package installed (``pip
            install -e .`` on a shared filesystem, or the same wheel). On HPC, dask-jobqueue
            (SLURM, PBS, SGE …) or dask-mpi start such a cluster; pass its scheduler address.
            Parts are written by this process, so ``out_dir`` need only be local to it. Every
            engine gives identical results.
        workers : int, optional
            Processes (or Dask workers) to use.
        scheduler : str, optional
            A Dask scheduler's address, ``"tcp://host:port"`` (engine ``"dask"``).
        resume : bool, default False
            Continue a sweep in a folder that has results: only runs whose ``run_id`` is not in
            the parts are run (a failed run counts as done: its error is its result). The
            folder's ``spec.json`` must match this sweep; without ``resume`` a folder with
            results is refused.
        progress : bool, default True
            Show a progress bar (tqdm).
        batch_seconds : float, default 0.5
            Runs are grouped into tasks that take about this long (estimated from the first
            runs); at most 2 × workers tasks are in flight, so any design size is fine.

        Returns
        -------
        SweepSummary
            Runs done now, failed, skipped (done before), parts written and seconds.

        Examples
        --------
        >>> import tempfile
        >>> from experiments import sweep as sw
        >>> design = sw.grid({"n_countries": 8, "rounds": 30}, {"noise": [0.0, 0.1]})
        >>> summary = sw.Sweep("doc", design, replicates=2).run(
        ...     tempfile.mkdtemp(), engine="process", workers=2, progress=False
        ... )
        >>> summary.done, summary.failed, summary.total
        (4, 0, 4)
        """
        if engine not in ENGINES:
            raise ValueError(f"engine = {engine!r}: allowed: {', '.join(ENGINES)}")
        if workers is not None and (isinstance(workers, bool) or workers < 1):
            raise ValueError(f"workers = {workers!r}: allowed: an integer >= 1")
        if not batch_seconds >= 0:
            raise ValueError(f"batch_seconds = {batch_seconds!r}: allowed: a number >= 0")
        folder = Path(out_dir)
        t0 = time.perf_counter()
        with store.locked(folder):
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
        files = store.result_files(folder)
        old = store.read_spec(folder)
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
                f"{'; '.join(store.spec_differences(old, spec))}; run the same sweep, or choose "
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
            pool: Any = executors.SerialPool()
        elif engine == "process":
            pool = executors.ProcessPool(workers or executors.default_workers())
        else:
            pool = executors.DaskPool(workers, scheduler)
        window = 2 * pool.workers
        in_flight: dict[Any, executors.Task] = {}
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

    def _take(self, pending: deque, size: int) -> executors.Task:
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
        return executors.Task(
            self.run_fn, self.root_seed, self.crn, self.run_fn is run_one, tuple(chunks)
        )

    def _table(self, rows: list[tuple]) -> pa.Table:
        """One part: rows (point index, replicate, results, error, seconds) as an Arrow table."""
        taken = set(self.columns) | set(store.RESERVED)
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
            values = [store.cell(self.points[pi].get(name), kind) for pi, *_ in clean]
            cols[name] = pa.array(values, store.ARROW[kind])
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
        store.write_parquet(table, path)
        return path
