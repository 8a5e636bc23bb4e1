"""Global sensitivity indices of a sampled sweep (SALib: Sobol 2001/Saltelli 2010, Morris 1991).

A sweep run with ``--design sobol`` or ``--design morris`` keeps SALib's problem in its spec;
here the model outputs (replicate means per point, in the design's order) go through
``SALib.analyze.sobol`` (first-order S1 and total ST with confidence intervals) or
``SALib.analyze.morris`` (μ*, σ and μ*'s confidence interval).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd


def sensitivity_indices(
    folder: str | Path, metrics: Sequence[str] = ("cooperation",)
) -> pd.DataFrame:
    """One row per (metric, parameter) with the indices and their confidence intervals."""
    from experiments import sweep as sw

    folder = Path(folder)
    specs = [
        p
        for p in sorted(folder.glob("**/spec.json"))
        if json.loads(p.read_text()).get("extra_spec", {}).get("salib")
    ]
    if not specs:
        raise ValueError(
            f"{folder}: no Sobol or Morris design here; run "
            "`pacts sweep EXPERIMENT --design sobol` (or morris) first"
        )
    spec = json.loads(specs[0].read_text())
    salib = spec["extra_spec"]["salib"]
    problem, method = salib["problem"], salib["method"]
    results = sw.load_results(specs[0].parent)
    names = problem["names"]
    inputs = np.array([[point[n] for n in names] for point in spec["points"]], float)
    rows = []
    for metric in metrics:
        if metric not in results:
            raise ValueError(
                f"--metric {metric!r}: allowed: "
                f"{', '.join(c for c in results.columns if c not in names)}"
            )
        means = results.groupby("point_index")[metric].mean().sort_index().to_numpy()
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, means, calc_second_order=True)
            for k, name in enumerate(names):
                rows.append(
                    {
                        "metric": metric,
                        "parameter": name,
                        "S1": res["S1"][k],
                        "S1_conf": res["S1_conf"][k],
                        "ST": res["ST"][k],
                        "ST_conf": res["ST_conf"][k],
                    }
                )
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, inputs, means)
            for k, name in enumerate(names):
                rows.append(
                    {
                        "metric": metric,
                        "parameter": name,
                        "mu_star": res["mu_star"][k],
                        "mu_star_conf": res["mu_star_conf"][k],
                        "sigma": res["sigma"][k],
                    }
                )
    return pd.DataFrame(rows)
