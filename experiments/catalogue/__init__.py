"""Named experiments: a default design that finishes in minutes on 2 cores, ``scale`` to grow it,
and an analysis that writes PNG figures and a short Markdown summary of what it found.

One module per experiment (each defines ``EXPERIMENT``); ``pacts sweep NAME`` runs one (results:
Parquet parts beside ``spec.json``), ``pacts analyze DIR`` re-draws its figures and summary.
Available: see :data:`EXPERIMENTS`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from experiments.catalogue import (
    big_push,
    flexibility,
    hegemon,
    institutions,
    mutuality,
    participants,
    price_of_anarchy,
    shadow,
    tournament,
)
from experiments.catalogue.experiment import Experiment, Part
from experiments.output import atomic_write

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "Part",
    "analyze_folder",
    "get_experiment",
    "load_experiment",
    "run_experiment",
]

EXPERIMENTS: dict[str, Experiment] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        price_of_anarchy,
        shadow,
        tournament,
        participants,
        mutuality,
        institutions,
        hegemon,
        flexibility,
        big_push,
    )
}
"""The catalogue: name -> experiment."""


def get_experiment(name: str) -> Experiment:
    """An experiment by name, or a clear error listing the catalogue."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; allowed: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def run_experiment(
    name: str,
    out: str | Path | None = None,
    *,
    scale: float = 1.0,
    replicates: int | None = None,
    design: str = "grid",
    runs: int = 64,
    points_file: str | Path | None = None,
    engine: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    crn: bool | None = None,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Run a catalogue experiment and analyse it (figures and ``summary.md``).

    Parameters
    ----------
    name : str
        The experiment (see :data:`EXPERIMENTS` or ``pacts sweep --help``).
    out : str or Path, optional
        Its folder (default ``out/sweep/NAME``); one sub-folder per part.
    scale : float, default 1.0
        Grows (or shrinks) the grid design of each part.
    replicates : int, optional
        Replicates per point (default: each part's own; 4 for sampled designs).
    design : {"grid", "lhs", "sobol", "morris", "csv"}, default "grid"
        "grid" runs the experiment's parts; "lhs", "sobol", "morris" sample its ``ranges``
        around its ``base`` (``runs`` points); "csv" reads ``points_file``.
    runs : int, default 64
        Points of a sampled design.
    points_file : str or Path, optional
        The CSV of points for ``design="csv"``.
    engine, workers, scheduler, resume
        As in :meth:`experiments.sweep.Sweep.run`.
    crn : bool, optional
        Common random numbers (default: off for grids, on for sampled designs, as sensitivity
        analyses want).
    seed : int, default 0
        The sweep's root seed.
    progress : bool, default True
        Show progress bars.

    Returns
    -------
    Path
        The experiment's folder.

    Examples
    --------
    >>> import tempfile
    >>> from experiments.catalogue import run_experiment
    >>> folder = run_experiment(
    ...     "shadow-of-the-future", tempfile.mkdtemp(), design="lhs", runs=8, replicates=1,
    ...     engine="serial", progress=False,
    ... )
    >>> sorted(p.name for p in folder.iterdir())
    ['lhs', 'sampled_design.png', 'summary.md']
    """
    from experiments import sweep as sw

    exp = get_experiment(name)
    folder = Path(out) if out is not None else Path("out/sweep") / name
    if design == "grid":
        parts = {
            key: (part.points(scale), replicates or part.replicates)
            for key, part in exp.parts.items()
        }
        use_crn = bool(crn)
    else:
        if not exp.ranges:
            raise ValueError(
                f"--design {design}: experiment {name!r} has no parameter ranges; allowed: grid"
            )
        samplers = {"lhs": sw.latin_hypercube, "sobol": sw.sobol, "morris": sw.morris}
        if design == "csv":
            if points_file is None:
                raise ValueError("--design csv needs a FILE of points (one column per field)")
            made = sw.from_csv(exp.base, points_file, exp.params)
        elif design in samplers:
            made = samplers[design](exp.base, exp.ranges, runs, seed, extra=exp.params)
        else:
            raise ValueError(f"--design {design!r}: allowed: grid, lhs, sobol, morris, csv")
        parts = {design: (made, replicates or 4)}
        use_crn = True if crn is None else crn
    for key, (points, reps) in parts.items():
        sweep = sw.Sweep(
            f"{name}/{key}",
            points,
            replicates=reps,
            root_seed=seed,
            crn=use_crn,
            run=exp.run or sw.run_one,
            extra_spec=_design_spec(points),
        )
        sweep.run(
            folder / key,
            engine=engine,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=progress,
        )
    analyze_folder(folder)
    return folder


def _design_spec(points: object) -> dict:
    """What a sampled design keeps for the sensitivity analysis (SALib's problem)."""
    problem = getattr(points, "problem", None)
    method = getattr(points, "method", None)
    return {"salib": {"problem": problem, "method": method}} if problem else {}


def load_experiment(folder: str | Path) -> tuple[Experiment, pd.DataFrame]:
    """The experiment of a results folder and all its parts' results (column ``part``)."""
    from experiments import sweep as sw

    folder = Path(folder)
    specs = sorted(folder.glob("*/spec.json"))
    if not specs:
        raise ValueError(
            f"{folder}: no sweep results here (expected <part>/spec.json); run "
            "`pacts sweep EXPERIMENT --out DIR` first"
        )
    names = {json.loads(p.read_text())["name"].split("/")[0] for p in specs}
    if len(names) != 1:
        raise ValueError(f"{folder}: results of several experiments ({', '.join(sorted(names))})")
    frames = [sw.load_results(p.parent).assign(part=p.parent.name) for p in specs]
    return get_experiment(names.pop()), pd.concat(frames, ignore_index=True)


def analyze_folder(folder: str | Path) -> Path:
    """Figures and ``summary.md`` for the results in ``folder``; returns the summary's path."""
    folder = Path(folder)
    exp, df = load_experiment(folder)
    failed = df["error"].notna()
    if failed.all():
        raise ValueError(
            f"{folder}: all {len(df)} runs failed; the first error: "
            f"{df.loc[failed, 'error'].iloc[0]}"
        )
    text = exp.analyze(df[~failed], folder)
    if failed.any():
        text += (
            f"\n{int(failed.sum())} of {len(df)} runs failed (see the `error` column); "
            "they are left out above.\n"
        )
    return atomic_write(folder / "summary.md", lambda p: p.write_text(text, encoding="utf-8"))
