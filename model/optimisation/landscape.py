"""The equilibrium landscape of an economy (Garg): all its pure equilibria, their welfare range,
the regional optimum beside them, and the one the status quo leads to.

The economy has many pure Nash equilibria — which plants sit where once nobody wants to move —
with very different regional welfare; "defection maintains the status quo" (seed 000, §2.4)
selects one of them: the equilibrium best-response dynamics reach from the region's current
plants (:func:`~model.optimisation.implied.status_quo_equilibrium`, the same one the collective
engine uses for P_i). :func:`equilibria_table` puts these side by side, one row per economy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from model.optimisation.equilibria import MAX_PARTIAL, EquilibriumSet, all_pure_equilibria
from model.optimisation.implied import status_quo_equilibrium

if TYPE_CHECKING:
    from model.economy import Economy

#: The columns of :func:`equilibria_table`, in order.
COLUMNS = (
    "preset",
    "N",
    "K",
    "profiles",
    "method",
    "equilibria",
    "w_min",
    "w_median",
    "w_max",
    "w_opt",
    "w_opt_exact",
    "w_status_quo",
    "status_quo_rank",
    "status_quo_converged",
)


def landscape(
    econ: Economy, *, max_partial: int = MAX_PARTIAL, starts: int = 200, seed: int = 0
) -> tuple[EquilibriumSet, np.ndarray, bool]:
    """(every pure equilibrium found, the status-quo equilibrium, whether the status quo's
    dynamics converged). The status-quo profile is always one of the starts of the dynamics
    fallback, so it is in the set whenever it is an equilibrium."""
    sq = status_quo_equilibrium(econ)
    eqs = all_pure_equilibria(
        econ, max_partial=max_partial, starts=starts, seed=seed, include=[sq.profile]
    )
    return eqs, sq.profile, sq.converged


def landscape_row(
    name: str,
    econ: Economy,
    *,
    max_partial: int = MAX_PARTIAL,
    starts: int = 200,
    seed: int = 0,
) -> dict:
    """One row of :func:`equilibria_table` for ``econ`` (see :data:`COLUMNS`)."""
    import math

    from model.optimisation.optimum import regional_optimum

    eqs, sq, converged = landscape(econ, max_partial=max_partial, starts=starts, seed=seed)
    opt = regional_optimum(econ)
    where = eqs.index(sq)
    w = eqs.welfare
    return {
        "preset": name,
        "N": econ.N,
        "K": econ.K,
        "profiles": math.prod(econ.portfolios(i).shape[0] for i in range(econ.N)),
        "method": "exact" if eqs.method == "exact" else f"dynamics ({eqs.starts} starts)",
        "equilibria": len(eqs),
        "w_min": float(w.min()) if len(eqs) else math.nan,
        "w_median": float(np.median(w)) if len(eqs) else math.nan,
        "w_max": float(w.max()) if len(eqs) else math.nan,
        "w_opt": float(opt.welfare),
        "w_opt_exact": bool(opt.exact),
        "w_status_quo": float(econ.welfare(sq)),
        "status_quo_rank": (where + 1) if where is not None else None,
        "status_quo_converged": bool(converged),
    }


def equilibria_table(
    presets: Iterable[str | tuple[str, Economy] | Economy] | str | Economy | None = None,
    *,
    max_partial: int = MAX_PARTIAL,
    starts: int = 200,
    seed: int = 0,
) -> list[dict]:
    """All pure equilibria of each economy, summarised one row each (see :data:`COLUMNS`).

    ``presets``: preset names, (name, Economy) pairs or Economy instances (default: every
    collective preset). ``method`` is "exact" (:func:`exact_equilibria`: every equilibrium)
    when the profiles of all countries but the one with the most portfolios number at most
    ``max_partial``, else "dynamics (K starts)": best-response dynamics from the status quo and
    ``starts`` − 1 random profiles (``seed``), which finds a subset. ``status_quo_rank`` is the
    status-quo equilibrium's rank by welfare among those found (1 = the best equilibrium; None
    if the status quo's dynamics cycle). W_opt is :func:`regional_optimum` (``w_opt_exact``:
    proved optimal). Rows are plain dicts (a pandas DataFrame takes them as they are).
    """
    from model.scenarios import PRESETS, load_preset

    if presets is None:
        presets = [n for n in PRESETS if load_preset(n).mode == "collective"]
    elif isinstance(presets, str | tuple) or hasattr(presets, "welfare"):
        presets = [presets]
    rows = []
    for k, item in enumerate(presets):
        if isinstance(item, str):
            cfg = load_preset(item)
            if cfg.mode != "collective":
                raise ValueError(
                    f"preset {item!r}: mode {cfg.mode!r} has no economy; allowed: a "
                    "collective preset"
                )
            name, econ = item, cfg.build_economy()
        elif isinstance(item, tuple):
            name, econ = item
        else:
            name, econ = f"economy {k}", item
        rows.append(landscape_row(name, econ, max_partial=max_partial, starts=starts, seed=seed))
    return rows
