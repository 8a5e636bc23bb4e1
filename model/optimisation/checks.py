"""Argument checks shared by the optimisation modules: each raises one ValueError naming the
argument and what is allowed, and the tolerances used to compare payoffs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.economy import Economy

#: Relative tolerance for "strictly better" comparisons of payoffs and welfare.
TOL = 1e-9


def as_profile(econ: Economy, x: object, name: str = "x") -> np.ndarray:
    """``x`` as an (N, K) bool array, or a ValueError naming ``name``."""
    arr = np.asarray(x)
    if arr.shape != (econ.N, econ.K):
        raise ValueError(
            f"{name}: investment profile of shape {arr.shape}; allowed: "
            f"({econ.N}, {econ.K}) — countries × sectors"
        )
    if arr.dtype != bool:
        if not np.issubdtype(arr.dtype, np.number) or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name}: allowed: a 0/1 or bool array of shape ({econ.N}, {econ.K})")
        arr = arr.astype(bool)
    if np.any(arr.sum(axis=1) > econ.budgets):
        bad = np.flatnonzero(arr.sum(axis=1) > econ.budgets)
        raise ValueError(
            f"{name}: countries {bad.tolist()} exceed their budgets {econ.budgets[bad].tolist()}"
        )
    return arr.copy()


def as_country(econ: Economy, i: object) -> int:
    """``i`` as a country index, or a ValueError naming ``i``."""
    if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < econ.N:
        raise ValueError(f"i = {i!r}: allowed: an integer country index in [0, {econ.N})")
    return int(i)


def as_rows(econ: Economy, rows: object, i: int, name: str) -> np.ndarray:
    """Country i's candidate portfolios as a (P, K) bool array, or a ValueError naming ``name``."""
    arr = np.asarray(rows)
    if arr.ndim != 2 or arr.shape[1] != econ.K or arr.shape[0] < 1:
        raise ValueError(
            f"{name}: country {i}: candidate portfolios of shape {arr.shape}; "
            f"allowed: (P >= 1, {econ.K})"
        )
    if arr.dtype != bool:
        if not np.issubdtype(arr.dtype, np.number) or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name}: country {i}: allowed: 0/1 or bool portfolios")
        arr = arr.astype(bool)
    if np.any(arr.sum(axis=1) > econ.budgets[i]):
        raise ValueError(f"{name}: country {i}: a candidate exceeds its budget {econ.budgets[i]}")
    return arr


def as_candidates(econ: Economy, candidates: object, name: str = "candidates") -> list[np.ndarray]:
    """One (P_i, K) bool array per country (default: every feasible portfolio)."""
    if candidates is None:
        return [econ.portfolios(i) for i in range(econ.N)]
    if isinstance(candidates, np.ndarray) and candidates.ndim == 3:
        candidates = list(candidates)
    if not isinstance(candidates, Sequence) or len(candidates) != econ.N:
        raise ValueError(
            f"{name}: allowed: a list of {econ.N} arrays (one (P_i, K) array of "
            "candidate portfolios per country)"
        )
    return [as_rows(econ, c, i, name) for i, c in enumerate(candidates)]


def as_number(value: object, name: str) -> float:
    """A finite real number, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} = {value!r}: allowed: a finite real number")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name} = {value!r}: allowed: a finite real number")
    return float(value)


def as_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} = {value!r}: allowed: an integer >= 1")
    return int(value)


def rel_gap(bound: float, value: float) -> float:
    """(bound − value) / |bound| (0 when they agree; |bound| floored at 1e-12)."""
    if bound == value:
        return 0.0
    return (bound - value) / max(abs(bound), 1e-12)


def better(new: float, old: float) -> bool:
    """``new`` strictly exceeds ``old`` beyond the relative tolerance :data:`TOL`."""
    return new > old + TOL * max(1.0, abs(old))
