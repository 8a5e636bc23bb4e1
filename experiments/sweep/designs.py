"""Designs: the points of a sweep (grid, Latin hypercube, Sobol/Saltelli, Morris, CSV file)."""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from experiments.sweep.seeds import canonical_json, jsonable
from model.config import DEFAULTS, InertFieldWarning, ModelConfig, inert_fields
from model.toml_files import read_text

FIELDS = {f.name: f for f in fields(ModelConfig)}
PARAMS = (*FIELDS, "burn_in")
"""What a point may set: the model's fields and the burn-in share."""


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


def check_names(names: Iterable[str], where: str, extra: Extra = None) -> None:
    allowed = {*PARAMS, *(extra or {})}
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown parameter(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(allowed))}"
        )


def check_inert(points: Sequence[dict]) -> None:
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
    return float if name == "burn_in" else FIELDS[name].metadata["kind"]


def _base(base: Mapping[str, Any] | None, extra: Extra = None) -> dict:
    base = jsonable(dict(base or {}))
    check_names(base, "base", extra)
    return base


def grid(base: Mapping[str, Any] | None, axes: Mapping[str, Sequence[Any]]) -> Design:
    """The cartesian product of ``axes`` over ``base``.

    Parameters
    ----------
    base : mapping or None
        Values shared by every point (:class:`~model.config.ModelConfig` fields, ``burn_in``).
    axes : mapping of str to sequence
        Field -> the values it takes; axes in the given order, the last one varying fastest.

    Returns
    -------
    Design
        The points (``method == "grid"``).

    Examples
    --------
    >>> from experiments import sweep as sw
    >>> design = sw.grid({"rounds": 50}, {"continuation": [0.4, 0.95], "noise": [0.0, 0.05]})
    >>> len(design), design[1]
    (4, {'rounds': 50, 'continuation': 0.4, 'noise': 0.05})
    """
    base = _base(base)
    check_names(axes, "grid axes")
    for name, values in axes.items():
        if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
            raise ValueError(f"grid axis {name!r}: allowed: a list of values")
        if len(values) == 0:
            raise ValueError(f"grid axis {name!r} is empty: give at least one value")
    names = list(axes)
    combos = itertools.product(*([jsonable(v) for v in axes[n]] for n in names))
    return Design(({**base, **dict(zip(names, c, strict=True))} for c in combos), "grid")


def _problem(ranges: Mapping[str, Sequence[float]], extra: Extra = None) -> dict:
    if not ranges:
        raise ValueError("ranges is empty: give {field: (low, high)} for at least one field")
    check_names(ranges, "ranges", extra)
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
    """``n`` points by Latin hypercube sampling (``scipy.stats.qmc.LatinHypercube``).

    Each field's range is cut into ``n`` equal bins, each hit once; integer fields are rounded.

    Parameters
    ----------
    base : mapping or None
        Values shared by every point.
    ranges : mapping of str to (float, float)
        Numeric field -> (low, high).
    n : int
        Number of points (>= 1).
    seed : int, default 0
        Seed of the sampler (the same seed, the same design).
    extra : mapping of str to type, optional
        The experiment's own parameters beyond the model's fields (see :data:`Extra`); the
        same in the other designs.

    Returns
    -------
    Design
        The points (``method == "lhs"``).

    Examples
    --------
    >>> from experiments import sweep as sw
    >>> design = sw.latin_hypercube({"rounds": 50}, {"continuation": (0.2, 1.0)}, n=4, seed=1)
    >>> sorted(int((p["continuation"] - 0.2) / 0.2) for p in design)  # one point per bin
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    problem = _problem(ranges, extra)
    n = positive(n, "n")
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
    """Saltelli's sampling for Sobol indices (``SALib.sample.sobol.sample``, second order).

    Parameters
    ----------
    base : mapping or None
        Values shared by every point.
    ranges : mapping of str to (float, float)
        Numeric field -> (low, high); D fields.
    n : int
        Base sample size, a power of 2: the design has ``n · (2D + 2)`` points.
    seed : int, default 0
        Seed of the sampler.
    extra : mapping of str to type, optional
        The experiment's own parameters (see :data:`Extra`).

    Returns
    -------
    Design
        The points; ``design.problem`` keeps SALib's problem for ``SALib.analyze.sobol``
        (outputs in the design's order).

    Examples
    --------
    >>> from experiments import sweep as sw
    >>> design = sw.sobol(None, {"continuation": (0.2, 1.0), "noise": (0.0, 0.1)}, n=8)
    >>> len(design), design.problem["names"]
    (48, ['continuation', 'noise'])
    """
    from SALib.sample import sobol as salib_sobol

    problem = _problem(ranges, extra)
    x = salib_sobol.sample(
        copy.deepcopy(problem), positive(n, "n"), calc_second_order=True, seed=seed
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
    """Morris elementary-effects trajectories (``SALib.sample.morris.sample``).

    Rounded integer fields can make a step vanish; prefer float fields.

    Parameters
    ----------
    base : mapping or None
        Values shared by every point.
    ranges : mapping of str to (float, float)
        Numeric field -> (low, high); D fields.
    n : int
        Number of trajectories, each of ``D + 1`` points.
    seed : int, default 0
        Seed of the sampler.
    num_levels : int, default 4
        Grid levels of each field.
    extra : mapping of str to type, optional
        The experiment's own parameters (see :data:`Extra`).

    Returns
    -------
    Design
        The points; ``design.problem`` keeps SALib's problem for ``SALib.analyze.morris``.

    Examples
    --------
    >>> from experiments import sweep as sw
    >>> design = sw.morris(None, {"continuation": (0.2, 1.0), "noise": (0.0, 0.1)}, n=5)
    >>> len(design)  # 5 trajectories of D + 1 = 3 points
    15
    """
    from SALib.sample import morris as salib_morris

    problem = _problem(ranges, extra)
    x = salib_morris.sample(
        copy.deepcopy(problem), positive(n, "n"), num_levels=num_levels, seed=seed
    )
    return Design(_points(_base(base, extra), problem, x, extra), "morris", problem)


def positive(n: Any, name: str) -> int:
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
    """Points from a CSV file: a header of field names, one point per row.

    Values are read by the field's type (JSON for lists and tables such as ``strategies``); an
    empty cell keeps the base value. Unknown or repeated columns raise ValueError.

    Parameters
    ----------
    base : mapping or None
        Values shared by every point.
    path : str or Path
        The CSV file: columns are model fields, ``burn_in`` and ``extra``'s names.
    extra : mapping of str to type, optional
        The experiment's own parameters (see :data:`Extra`).

    Returns
    -------
    Design
        The points (``method == "csv"``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from experiments import sweep as sw
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
    >>> _ = path.write_text("continuation,noise\\n0.4,0.05\\n0.95,\\n")
    >>> list(sw.from_csv({"noise": 0.0}, path))
    [{'noise': 0.05, 'continuation': 0.4}, {'noise': 0.0, 'continuation': 0.95}]
    """
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
        check_names(header, f"{path}: column(s)", extra)
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
