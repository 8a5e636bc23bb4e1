"""The prices of anarchy, stability and non-coordination."""

from __future__ import annotations

import math

from model.optimisation.checks import as_number


def price_of_non_coordination(w_nash: float, w_opt: float) -> float:
    """W_Nash − W_opt (<= 0), the welfare lost without coordination, with the sign of Wang
    (2015, 2017), who measures the (vanishing) price as an optimality gap of the decentralised
    outcome against the coordinated optimum."""
    return as_number(w_nash, "w_nash") - as_number(w_opt, "w_opt")


def price_of_anarchy(w_opt: float, w_worst_nash: float) -> float:
    """W_opt / W_worst-Nash >= 1 (Koutsoupias & Papadimitriou 1999; Wang 2015).

    The ratio is only meaningful for positive welfare (maximisation): ``math.nan`` when either
    welfare is <= 0 (then use :func:`price_of_non_coordination`, a difference).
    """
    w_opt, w = as_number(w_opt, "w_opt"), as_number(w_worst_nash, "w_worst_nash")
    return w_opt / w if w_opt > 0 and w > 0 else math.nan


def price_of_stability(w_opt: float, w_best_nash: float) -> float:
    """W_opt / W_best-Nash >= 1 (Anshelevich et al. 2004).

    ``math.nan`` when either welfare is <= 0 (the ratio is then undefined).
    """
    w_opt, w = as_number(w_opt, "w_opt"), as_number(w_best_nash, "w_best_nash")
    return w_opt / w if w_opt > 0 and w > 0 else math.nan
