"""Experiment ``hegemon``: no hegemon, a cooperative one and a coercive one, by the hegemon's
size (the largest country's GDP share) in the classroom economy (plurilateral regime).

The largest country (Aldoria, GDP 40 of 100) has its GDP rescaled so that its share is
``size_share``; the others keep theirs. It stays the largest only for shares above
25/85 ≈ 0.294 (Borduria has 25 of the other 60), so the grid starts at 0.3. Seeds: common
random numbers by design (see :mod:`experiments.catalogue.institutions`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.analysis import aggregate, label
from experiments.catalogue.experiment import Experiment, Part
from experiments.catalogue.institutions import DEFAULT_BURN_IN, classroom_config, long_run, simulate
from experiments.figures import save_figure, subplots
from experiments.output import atomic_write
from model.scenarios import load_preset

HEGEMONS = ("none", "cooperative", "coercive")
SHARES = (0.3, 0.4, 0.5, 0.65, 0.8)
METRICS = ("cooperation", "welfare", "transfers", "gini", "participation", "hegemon_payoff")


def resized_countries(share: float) -> tuple[dict, ...]:
    """The classroom's countries with the largest one's GDP set to give it ``share`` of the
    region's GDP (the others unchanged)."""
    countries = [dict(c) for c in load_preset("classroom").countries]
    big = max(range(len(countries)), key=lambda i: countries[i]["gdp"])
    rest = sum(c["gdp"] for i, c in enumerate(countries) if i != big)
    if not 0.0 < share < 1.0:
        raise ValueError(f"size_share = {share!r}: allowed: a number in (0, 1)")
    countries[big]["gdp"] = rest * share / (1.0 - share)
    if max(c["gdp"] for i, c in enumerate(countries) if i != big) >= countries[big]["gdp"]:
        raise ValueError(
            f"size_share = {share!r}: the leader would no longer be the largest country; "
            "allowed: a share above 0.294"
        )
    return tuple(countries)


def hegemon_run(params: dict, seed: int, replicate: int = 0) -> dict[str, float]:
    """One replicate: the classroom (``regime`` plurilateral unless the point says otherwise)
    with the leader's GDP share ``size_share`` and hegemon type ``hegemon``; long-run means
    (after ``burn_in``, default 0.25) of cooperation, welfare, transfers, Gini, participation
    and the leader's own payoff. ``seed`` is not used (common random numbers by design)."""
    del seed
    cfg = classroom_config(params)
    cfg = cfg.replace(countries=resized_countries(float(params["size_share"])))
    engine, costs = simulate(cfg, replicate)
    burn_in = float(params.get("burn_in", DEFAULT_BURN_IN))
    big = int(engine.economies[0].sizes.argmax())
    h = int(engine.horizon[0])
    out = long_run(engine, costs, burn_in)
    # the leader's mean payoff per round over the whole game (hegemon or not)
    out["hegemon_payoff"] = float(engine.country_payoffs(total=True)[0, big] / h)
    return out


def hegemon_points(scale: float = 1.0) -> list[dict]:
    """Hegemon type × the leader's GDP share (a finer share grid with ``scale`` > 1)."""
    shares = list(SHARES)
    if scale > 1:
        k = max(2, round(len(SHARES) * scale))
        shares = [round(0.3 + (0.85 - 0.3) * i / (k - 1), 4) for i in range(k)]
    return [
        {"hegemon": h, "size_share": s, "regime": "plurilateral"} for h in HEGEMONS for s in shares
    ]


def analyze_hegemon(df: pd.DataFrame, out: Path) -> str:
    """Lines (means with 95 % CIs) of each metric against the leader's GDP share, one per
    hegemon type, and a table of the means at each share."""
    fig, axes = subplots(1, len(METRICS), figsize=(4 * len(METRICS), 4))
    aggs = {m: aggregate(df, ["hegemon", "size_share"], m) for m in METRICS}
    for ax, metric in zip(axes, METRICS, strict=True):
        for h in HEGEMONS:
            g = aggs[metric][aggs[metric]["hegemon"] == h]
            if len(g):
                ax.plot(g["size_share"], g["mean"], marker="o", label=h)
                ax.fill_between(g["size_share"], g["low"], g["high"], alpha=0.2)
        ax.set_xlabel("the leader's GDP share")
        ax.set_title(label(metric), fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, title="hegemon")
    fig.suptitle(
        "Hegemonic leadership by the hegemon's size (classroom economy, plurilateral; "
        "long-run means, 95 % CIs)",
        fontsize=11,
    )
    save_figure(fig, out / "hegemon.png", dpi=110)

    table = aggs["cooperation"][["hegemon", "size_share", "n"]].copy()
    for m in METRICS:
        a = aggs[m]
        table[m] = a["mean"].values
        table[f"{m}_half"] = (a["high"] - a["mean"]).values
    atomic_write(out / "hegemon.csv", lambda p: table.to_csv(p, index=False))
    lines = [
        "# Hegemon",
        "",
        "No hegemon, a cooperative hegemon (pays the coordinator's costs and side payments up "
        "to its budget) and a coercive one (punishes defection) in the plurilateral classroom "
        "economy, by the largest country's GDP share. Long-run means ± 95 % CI half-width "
        "(common random numbers across points).",
        "",
        "| hegemon | GDP share | cooperation | welfare W | transfers | Gini | participation | "
        "leader's payoff | n |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    order = {h: k for k, h in enumerate(HEGEMONS)}
    rows = table.assign(_o=table["hegemon"].map(order)).sort_values(["_o", "size_share"])
    for r in rows.itertuples():
        cells = " | ".join(
            f"{getattr(r, m):.3f} ± {getattr(r, f'{m}_half'):.3f}"
            if m in ("cooperation", "gini", "participation")
            else f"{getattr(r, m):.2f} ± {getattr(r, f'{m}_half'):.2f}"
            for m in METRICS
        )
        lines.append(f"| {r.hegemon} | {r.size_share:g} | {cells} | {r.n} |")
    means = table.groupby("hegemon")[["welfare", "cooperation", "transfers"]].mean()
    lines += [
        "",
        "Averaged over the shares: "
        + "; ".join(
            f"{h}: W = {means.loc[h, 'welfare']:.2f}, cooperation = "
            f"{means.loc[h, 'cooperation']:.3f}, transfers = {means.loc[h, 'transfers']:.2f}"
            for h in HEGEMONS
            if h in means.index
        )
        + ".",
        "",
        "Figure: `hegemon.png`; table: `hegemon.csv`.",
    ]
    return "\n".join(lines) + "\n"


EXPERIMENT = Experiment(
    "hegemon",
    "No, cooperative and coercive hegemon by the hegemon's GDP share (classroom economy, "
    "plurilateral): cooperation, welfare, transfers, Gini.",
    {"sizes": Part(hegemon_points, replicates=12)},
    analyze_hegemon,
    run=hegemon_run,
)
