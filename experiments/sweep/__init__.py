"""Resumable, distributed parameter sweeps.

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

Modules: :mod:`~experiments.sweep.designs` (the points), :mod:`~experiments.sweep.seeds` (a run's
identity and seed), :mod:`~experiments.sweep.runs` (one run: :func:`run_one`),
:mod:`~experiments.sweep.executors` (tasks and pools), :mod:`~experiments.sweep.store` (the
folder: parts, spec, loading, compaction) and :mod:`~experiments.sweep.runner` (:class:`Sweep`).
"""

from experiments.sweep.designs import (
    Design,
    Extra,
    from_csv,
    grid,
    latin_hypercube,
    morris,
    sobol,
)
from experiments.sweep.runner import ENGINES, SPEC_VERSION, Sweep, SweepSummary
from experiments.sweep.runs import (
    DEFAULT_BURN_IN,
    RESULTS,
    long_run_means,
    run_batch,
    run_one,
    split_params,
)
from experiments.sweep.seeds import canonical_json, point_words, run_id, run_seed
from experiments.sweep.store import RESERVED, compact, has_results, load_results

__all__ = [
    "DEFAULT_BURN_IN",
    "ENGINES",
    "RESERVED",
    "RESULTS",
    "SPEC_VERSION",
    "Design",
    "Extra",
    "Sweep",
    "SweepSummary",
    "canonical_json",
    "compact",
    "from_csv",
    "grid",
    "has_results",
    "latin_hypercube",
    "load_results",
    "long_run_means",
    "morris",
    "point_words",
    "run_batch",
    "run_id",
    "run_one",
    "run_seed",
    "sobol",
    "split_params",
]
