"""The results store: Parquet parts and ``spec.json`` in a sweep folder, locks, loading and
compaction (the layout is told in :mod:`experiments.sweep`)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.output import atomic_write
from experiments.sweep.runs import RESULTS
from experiments.sweep.seeds import canonical_json

RESERVED = ("run_id", "point_index", "replicate", "error", "seconds")
"""Bookkeeping columns of a results table."""


@contextmanager
def locked(folder: Path):
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
    return bool(result_files(Path(out_dir)))


def result_files(folder: Path) -> list[Path]:
    merged = folder / "results.parquet"
    return ([merged] if merged.exists() else []) + _part_files(folder)


def write_parquet(table: pa.Table, path: Path) -> None:
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def read_spec(folder: Path) -> dict | None:
    path = folder / "spec.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def spec_differences(old: dict, new: dict) -> list[str]:
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
    files = result_files(folder)
    if not files:
        return None
    table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
    ids = table.column("run_id").to_pandas()
    if ids.duplicated().any():  # a compaction interrupted before removing its parts
        table = table.filter(pa.array(~ids.duplicated().to_numpy()))
    table = table.sort_by("run_id")
    return table.select(_column_order(table.column_names, _spec_params(read_spec(folder))))


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
    """All results of a sweep folder (``results.parquet`` and/or ``parts/``), one row per run.

    A point repeated in the design (e.g. Saltelli's Sobol design with two fields, or rounded
    integer fields) is run once, but its rows appear under each of its positions
    (``point_index``), so that every point of the design has its results.

    Parameters
    ----------
    out_dir : str or Path
        The sweep's folder (what :meth:`Sweep.run` wrote).

    Returns
    -------
    pandas.DataFrame
        Sorted by ``run_id`` (and ``point_index``): the bookkeeping columns, one column per
        parameter, the results; failed runs have NaN results and their ``error`` text. Empty
        (with the columns) when nothing has run yet.

    Examples
    --------
    >>> import tempfile
    >>> from experiments import sweep as sw
    >>> folder = tempfile.mkdtemp()
    >>> design = sw.grid({"n_countries": 10, "rounds": 40}, {"continuation": [0.4, 0.95]})
    >>> _ = sw.Sweep("doc", design, replicates=2).run(folder, engine="serial", progress=False)
    >>> df = sw.load_results(folder)
    >>> len(df), sorted(df["continuation"].unique().tolist())
    (4, [0.4, 0.95])
    """
    folder = Path(out_dir)
    spec = read_spec(folder)
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
    """Merge ``results.parquet`` and all parts into ``results.parquet``, then remove the parts.

    The merged file is written atomically; safe to interrupt: until the parts are gone,
    readers drop the duplicate rows.

    Parameters
    ----------
    out_dir : str or Path
        The sweep's folder.

    Returns
    -------
    Path
        The merged file, ``out_dir/results.parquet``.

    Examples
    --------
    >>> import tempfile
    >>> from experiments import sweep as sw
    >>> folder = tempfile.mkdtemp()
    >>> design = sw.grid({"n_countries": 6, "rounds": 20}, {"continuation": [0.5, 0.9]})
    >>> _ = sw.Sweep("doc", design).run(folder, engine="serial", progress=False)
    >>> sw.compact(folder).name, len(sw.load_results(folder))
    ('results.parquet', 2)
    """
    folder = Path(out_dir)
    target = folder / "results.parquet"
    with locked(folder):
        parts = _part_files(folder)
        table = _read_table(folder)
        if table is None:
            raise ValueError(f"{folder}: no sweep results to compact")
        if parts:
            write_parquet(table, target)
            for part in parts:
                part.unlink()
    return target


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


ARROW = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}


def column_kinds(points: Sequence[dict]) -> dict[str, str]:
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


def cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "str" and not isinstance(value, str):
        return canonical_json(value)
    return value
