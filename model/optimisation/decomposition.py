"""The sector decomposition of regional welfare (Wang 2017's coordinative structure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.economy import Economy


def sector_welfare(econ: Economy, n: np.ndarray, S: np.ndarray, a: np.ndarray) -> np.ndarray:
    """G_k(n_k, S_k, a_k) per sector, shape (..., K) — the sector decomposition of W.

    G_k(n, S, a) = n q_k(n)(p_k(n) + v_k + γ a) − q_k(n) S − n F_k − ρ (Σ_i w_i) need_k M_k [n=0],
    so that W(x) = Σ_k G_k(n_k, S_k, a_k) with n_k = Σ_i x_ik, S_k = Σ_i x_ik c_ik and
    a_k = Σ_j [n_j > 0] input_matrix[j, k]. This separable-plus-coupling form is the
    "coordinative" structure of Wang (2017, SIAM J. Optim. 27(3)): members interact only
    through the aggregates (n_k, S_k). ``a`` may be any value in [0, 1] (the Lagrangian bound
    uses a = 1 as an upper bound, since γ >= 0).
    """
    n = np.asarray(n)
    if n.shape[-1:] != (econ.K,) or not np.issubdtype(n.dtype, np.integer):
        raise ValueError(f"n: allowed: integer producer counts of shape (..., {econ.K})")
    if np.any(n < 0) or np.any(n > econ.N):
        raise ValueError(f"n: allowed: counts in [0, {econ.N}]")
    return sector_g(econ, n, S, a)


def sector_g(econ: Economy, n: np.ndarray, S: np.ndarray, a: np.ndarray) -> np.ndarray:
    """:func:`sector_welfare` without validation (hot path)."""
    cols = np.arange(econ.K)
    q = econ.output_table[n, cols]
    p = econ.price_table[n, cols]
    short = econ.shortfall_cost * econ.sizes.sum() * econ.needed * econ.market
    return (
        n * q * (p + econ.premium + econ.chain_bonus * np.asarray(a, float))
        - q * np.asarray(S, float)
        - n * econ.fixed_cost
        - short * (n == 0)
    )


def welfare_ns(econ: Economy, n: np.ndarray, S: np.ndarray) -> np.ndarray:
    """W from the aggregates (n, S), shape (...)."""
    a = (n > 0) @ econ.input_matrix
    return sector_g(econ, n, S, a).sum(axis=-1)
