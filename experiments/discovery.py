"""Scenario discovery over a sweep's inputs: *when does cooperation hold?*

A run is a **case of interest** when its outcome passes a threshold (by default
``cooperation >= 0.5``). Two rule-induction methods then describe the region of the inputs where
the cases lie, in terms a reader can check:

* **PRIM** (the Patient Rule Induction Method, Friedman and Fisher 1999; scenario discovery after
  Bryant and Lempert 2010) peels the input space, a few per cent of the runs at a time, into a
  sequence of ever smaller boxes of ever higher *density* (the share of a box's runs that are
  cases) and lower *coverage* (the share of all cases that the box holds): the peeling
  trajectory, a trade-off curve. The box reported is picked by a stated rule: **the highest
  coverage among the boxes with density >= ``min_density`` (0.8)**; ties go to the higher density,
  then to fewer restricted inputs. If no box reaches ``min_density``, the densest box is reported
  and flagged. An input whose limits are still the data's minimum and maximum is unrestricted.
* **CART** (a classification tree, Breiman et al. 1984), depth-limited (3), over the same inputs:
  its leaves that predict the case give a second set of rules, with the tree's accuracy on the
  runs (and a 5-fold cross-validated accuracy).

Library: PRIM comes from the **EMA workbench** (``ema_workbench.analysis.prim``, Kwakkel 2017),
CART from **scikit-learn** (``DecisionTreeClassifier``, ``export_text``, ``plot_tree``); neither
is reimplemented here. Of the two maintained PRIM implementations on PyPI we checked (pip
download --no-deps): ``ema-workbench`` 3.0.0 (March 2026, BSD-3, the upstream: a 28.7 MB wheel,
most of it examples, pulling scikit-learn, statsmodels, seaborn and platypus-opt, about 110 MB
installed besides scikit-learn) and Project Platypus' ``PRIM`` 1.0.0 (September 2024, 56 kB,
needing only Pacts' own dependencies and mplcursors, but GPL-3 and a standalone copy of an older
EMA-workbench PRIM). We use the EMA workbench: it is the maintained upstream the scenario-discovery
literature and the issue refer to, and its BSD licence sits with Pacts' MIT one, whereas making
Pacts import a GPL-3 library would bind whoever distributes the combination. Its weight is kept
out of a plain install: it lives in the optional extra ``discovery`` (``pip install -e
'.[discovery]'``; ``make`` installs it).

Entry points: :func:`discover` (a DataFrame in, a :class:`Discovery` out), :func:`write_discovery`
(``discovery.png`` and ``discovery.md``), :func:`discover_folder` (a ``pacts sweep`` folder;
``pacts analyze DIR --discover``). The figure goes through Matplotlib's Figure API
(:mod:`experiments.figures`); the libraries import pyplot themselves, which switches no backend.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

MIN_RUNS = 20
"""Fewer runs than this give no boxes worth reporting."""
MIN_DENSITY = 0.8
MAX_DEPTH = 3
RESERVED = ("run_id", "point_index", "replicate", "error", "seconds", "part")
EXTRA = "discovery"
"""The optional dependencies' extra in pyproject.toml."""
LABELS = {
    "continuation": "δ",
    "observation_error": "ε",
    "observation_delay": "d",
    "stake_sigma": "σ",
}
"""How inputs are named in the words (the column name is kept in tables)."""


def label(name: str) -> str:
    """An input's name in the words: δ for continuation, … (else the column name)."""
    return LABELS.get(name, name)


def _share(value: float) -> str:
    """0.923 as "92 %"."""
    return f"{100 * value:.0f} %"


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


@dataclass(frozen=True)
class Box:
    """PRIM's chosen box: its statistics and its limits per input (inclusive)."""

    index: int  # its position on the peeling trajectory
    coverage: float  # cases in the box / all cases
    density: float  # cases in the box / runs in the box
    mass: float  # runs in the box / all runs
    runs: int  # runs in the box
    limits: dict[str, tuple[float, float]]  # every input: (low, high)
    restricted: dict[str, tuple[float | None, float | None]]  # only the restricted sides
    meets_density: bool  # density >= the rule's minimum (else: the densest box)

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` lie in the box."""
        inside = np.ones(len(x), dtype=bool)
        for name, (low, high) in self.limits.items():
            values = x[name].to_numpy(float)
            inside &= (values >= low) & (values <= high)
        return inside


@dataclass(frozen=True)
class Rule:
    """One leaf of the tree that predicts the case: its conditions and how good it is."""

    conditions: dict[str, tuple[float | None, float | None]]  # name: (> low, <= high)
    runs: int
    density: float  # cases in the leaf / runs in the leaf
    coverage: float  # cases in the leaf / all cases


@dataclass(frozen=True)
class Tree:
    """The depth-limited CART tree."""

    text: str  # sklearn.tree.export_text
    accuracy: float  # on the runs it was grown on
    cv_accuracy: float  # cross-validated (NaN with fewer than 2 runs of either kind)
    folds: int  # of the cross-validation (5, fewer with few runs of a kind)
    rules: list[Rule]
    depth: int
    model: object = field(repr=False)  # the fitted DecisionTreeClassifier


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found."""

    outcome: str
    threshold: float
    above: bool  # the case: outcome >= threshold (True) or outcome <= threshold
    inputs: list[str]
    runs: int
    cases: int
    min_density: float
    box: Box
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per peeling step
    tree: Tree
    x: pd.DataFrame = field(repr=False)  # the inputs, one row per run
    y: np.ndarray = field(repr=False)  # which runs are cases
    source: str = ""  # where the runs come from, e.g. " (part lhs)"

    @property
    def case(self) -> str:
        """The case in words, e.g. "cooperation ≥ 0.5"."""
        return f"{self.outcome} {'≥' if self.above else '≤'} {self.threshold:g}"

    def box_words(self) -> str:
        """The box as a sentence."""
        b = self.box
        where = _conditions(b.restricted, inclusive=True) or "anywhere (no input restricted)"
        text = (
            f"{self.outcome} holds ({'≥' if self.above else '≤'} {self.threshold:g}) when "
            f"{where}: {_share(b.density)} of such runs (the box holds {b.runs} of the "
            f"{self.runs} runs), covering {_share(b.coverage)} of all runs with {self.case}"
        )
        if not b.meets_density:
            text += (
                f" (no box reaches the density {_share(self.min_density)}: the densest is shown)"
            )
        return text + "."

    def rule_words(self) -> list[str]:
        """The tree's case-predicting leaves as sentences."""
        return [
            f"when {_conditions(r.conditions, inclusive=False) or 'anywhere'}: "
            f"{_share(r.density)} of such runs ({r.runs} runs), covering {_share(r.coverage)} of "
            f"all runs with {self.case}"
            for r in self.tree.rules
        ]

    def markdown(self, figure: str = "discovery.png") -> str:
        """The ``discovery.md`` section."""
        b = self.box
        lines = [
            f"## Scenario discovery: when does {self.outcome} hold "
            f"({'≥' if self.above else '≤'} {self.threshold:g})?",
            "",
            f"{self.runs} runs{self.source}, {self.cases} of them "
            f"({_share(self.cases / self.runs)}) with {self.case}; inputs: "
            f"{', '.join(self.inputs)}.",
            "",
            "### PRIM box",
            "",
            f"Rule: the highest coverage among the boxes of the peeling trajectory with density "
            f"≥ {_share(self.min_density)} (box {b.index} of {len(self.trajectory)}).",
            "",
            self.box_words(),
            "",
            f"coverage {b.coverage:.3f}, density {b.density:.3f}, mass {b.mass:.3f} "
            f"(share of all runs in the box), {len(b.restricted)} input(s) restricted.",
            "",
            "| input | low | high | restricted |",
            "| --- | --- | --- | --- |",
        ]
        for name, (low, high) in b.limits.items():
            low_r, high_r = b.restricted.get(name, (None, None))
            which = (
                "both sides"
                if low_r is not None and high_r is not None
                else "low"
                if low_r is not None
                else "high"
                if high_r is not None
                else "no"
            )
            lines.append(f"| {name} | {_number(low)} | {_number(high)} | {which} |")
        t = self.tree
        lines += [
            "",
            f"### CART tree (depth ≤ {t.depth})",
            "",
            f"Accuracy {t.accuracy:.1%} on these runs"
            + (
                f", {t.cv_accuracy:.1%} cross-validated ({t.folds} folds)"
                if not math.isnan(t.cv_accuracy)
                else ""
            )
            + f". Leaves that predict {self.case}:",
            "",
        ]
        words = self.rule_words()
        lines += [f"- {w}" for w in words] if words else ["- none (no leaf has a majority)"]
        lines += ["", "```", t.text.rstrip(), "```", "", f"Figure: `{figure}`.", ""]
        return "\n".join(lines)


def _conditions(bounds: dict[str, tuple[float | None, float | None]], inclusive: bool) -> str:
    """{name: (low, high)} as "δ ≥ 0.61 and 0.1 ≤ x0 ≤ 0.3" (tree: "δ > 0.61 and x0 ≤ 0.3")."""
    lo, hi = ("≥", "≤") if inclusive else (">", "≤")
    parts = []
    for name, (low, high) in bounds.items():
        if low is not None and high is not None:
            lo_word = "≤" if inclusive else "<"
            parts.append(f"{_number(low)} {lo_word} {label(name)} {hi} {_number(high)}")
        elif low is not None:
            parts.append(f"{label(name)} {lo} {_number(low)}")
        elif high is not None:
            parts.append(f"{label(name)} {hi} {_number(high)}")
    return " and ".join(parts)


# ------------------------------------------------------------------ the libraries
def require() -> None:
    """The optional libraries, or one clear error naming the extra to install."""
    import warnings

    try:
        with warnings.catch_warnings():  # ema_workbench warns about optional ipyparallel
            warnings.simplefilter("ignore")
            import ema_workbench.analysis.prim  # noqa: F401
        import sklearn.tree  # noqa: F401
    except ImportError as err:
        raise ValueError(
            f"--discover needs ema-workbench (PRIM) and scikit-learn (CART), and {err.name} is "
            f"missing; install with pip install -e '.[{EXTRA}]'"
        ) from None


# ------------------------------------------------------------------ the analysis
def discover(
    df: pd.DataFrame,
    inputs: Sequence[str],
    outcome: str = "cooperation",
    threshold: float = 0.5,
    *,
    above: bool = True,
    min_density: float = MIN_DENSITY,
    max_depth: int = MAX_DEPTH,
    peel_alpha: float = 0.05,
    seed: int = 0,
) -> Discovery:
    """PRIM and CART over ``df[inputs]`` for the case ``df[outcome] >= threshold`` (``above``;
    else ``<=``). Rows with a missing input or outcome are left out. Raises ValueError (naming
    the option) for unknown columns, a threshold that leaves no case or only cases, too few runs,
    or an input with a single value."""
    require()
    inputs = list(inputs)
    check_columns(df, inputs, outcome)
    data = df[[*inputs, outcome]].dropna()
    check_data(data, inputs, outcome, threshold, above)
    x = data[inputs].astype(float).reset_index(drop=True)
    values = data[outcome].to_numpy(float)
    y = values >= threshold if above else values <= threshold
    box, trajectory = _prim(x, y, min_density, peel_alpha)
    tree = _cart(x, y, max_depth, seed)
    return Discovery(
        outcome=outcome,
        threshold=float(threshold),
        above=above,
        inputs=inputs,
        runs=len(x),
        cases=int(y.sum()),
        min_density=min_density,
        box=box,
        trajectory=trajectory,
        tree=tree,
        x=x,
        y=y,
    )


def check_columns(df: pd.DataFrame, inputs: Sequence[str], outcome: str) -> None:
    """Known, numeric columns: ``outcome`` a result, ``inputs`` not the outcome."""
    numeric = [c for c in df.columns if c not in RESERVED and _is_numeric(df[c])]
    if outcome not in df.columns or not _is_numeric(df[outcome]) or outcome in RESERVED:
        allowed = [c for c in numeric if c not in inputs]
        raise ValueError(
            f"--outcome {outcome!r}: no such result column; allowed: "
            f"{', '.join(allowed) or 'none (no numeric results)'}"
        )
    if not inputs:
        raise ValueError("--inputs: name at least one input column, e.g. --inputs continuation,x0")
    for name in inputs:
        if name == outcome:
            raise ValueError(f"--inputs {name}: is the outcome; allowed: the sweep's parameters")
        if name not in df.columns or name in RESERVED or not _is_numeric(df[name]):
            allowed = [c for c in numeric if c != outcome]
            raise ValueError(
                f"--inputs {name!r}: no such numeric column; allowed: {', '.join(allowed)}"
            )
    if len(set(inputs)) != len(inputs):
        raise ValueError(f"--inputs {','.join(inputs)}: an input is named twice")


def check_data(
    data: pd.DataFrame, inputs: Sequence[str], outcome: str, threshold: float, above: bool
) -> None:
    """Enough runs, every input varying, and a threshold with cases on both sides."""
    if len(data) < MIN_RUNS:
        raise ValueError(
            f"{len(data)} run(s) with {outcome} and {', '.join(inputs)}; scenario discovery "
            f"needs at least {MIN_RUNS}: sweep a sampled design, e.g. pacts sweep NAME "
            "--design lhs --runs 200"
        )
    for name in inputs:
        distinct = data[name].unique()
        if len(distinct) < 2:
            raise ValueError(
                f"--inputs {name}: one value ({distinct[0]:g}) in all {len(data)} runs, nothing "
                "to discover; allowed: inputs that vary (sample them: --design lhs)"
            )
    if not math.isfinite(threshold):
        raise ValueError(f"--threshold {threshold}: allowed: a finite number")
    low, high = float(data[outcome].min()), float(data[outcome].max())
    cases = (data[outcome] >= threshold) if above else (data[outcome] <= threshold)
    if not 0 < cases.sum() < len(data):
        sign = "≥" if above else "≤"
        what = "no run has" if cases.sum() == 0 else "every run has"
        allowed = (
            f"({_number(low)}, {_number(high)}]" if above else f"[{_number(low)}, {_number(high)})"
        )
        raise ValueError(
            f"--threshold {threshold:g}: {what} {outcome} {sign} {threshold:g} ({outcome} "
            f"ranges {_number(low)}–{_number(high)} in these {len(data)} runs); allowed: a "
            f"value in {allowed}"
        )


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column)  # bool too


def _prim(
    x: pd.DataFrame, y: np.ndarray, min_density: float, peel_alpha: float
) -> tuple[Box, pd.DataFrame]:
    import logging
    import warnings

    from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # its pandas idiom, not ours: DataFrame.drop(inplace=True)
        warnings.filterwarnings("ignore", message="The inplace keyword", module="ema_workbench")
        found = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha).find_box()
    trajectory = (
        found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]]
        .astype({"res_dim": int})
        .reset_index(drop=True)
    )
    dense = trajectory[trajectory["density"] >= min_density - 1e-12]
    meets = len(dense) > 0
    pool = dense if meets else trajectory
    order = pool.assign(neg_dim=-pool["res_dim"]).sort_values(
        ["coverage", "density", "neg_dim"], ascending=False, kind="stable"
    )
    index = int(order.index[0] if meets else pool["density"].idxmax())
    lims = found.box_lims[index]
    init = found.box_lims[0]
    limits, restricted = {}, {}
    for name in x.columns:
        low, high = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        limits[name] = (low, high)
        low_r = low if low > float(init[name].iloc[0]) else None
        high_r = high if high < float(init[name].iloc[1]) else None
        if low_r is not None or high_r is not None:
            restricted[name] = (low_r, high_r)
    row = trajectory.loc[index]
    box = Box(
        index=index,
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
        runs=round(float(row["mass"]) * len(x)),
        limits=limits,
        restricted=restricted,
        meets_density=meets,
    )
    return box, trajectory


def _cart(x: pd.DataFrame, y: np.ndarray, max_depth: int, seed: int) -> Tree:
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier, export_text

    def make() -> DecisionTreeClassifier:
        leaf = max(5, len(x) // 100)  # no leaf of one or two runs
        return DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=seed)

    model = make().fit(x, y)
    accuracy = float(model.score(x, y))
    folds = min(5, int(y.sum()), int((~y).sum()))
    cv = (
        float(
            cross_val_score(
                make(), x, y, cv=StratifiedKFold(folds, shuffle=True, random_state=seed)
            ).mean()
        )
        if folds >= 2
        else math.nan
    )
    text = export_text(model, feature_names=list(x.columns), decimals=3)
    return Tree(
        text=text,
        accuracy=accuracy,
        cv_accuracy=cv,
        folds=folds,
        rules=_leaf_rules(model, list(x.columns), y),
        depth=max_depth,
        model=model,
    )


def _leaf_rules(model, names: list[str], y: np.ndarray) -> list[Rule]:
    """The leaves whose majority is the case, each path's conditions merged per input."""
    t = model.tree_
    total = int(y.sum())
    case_column = list(model.classes_).index(True) if True in model.classes_ else None
    rules: list[Rule] = []

    def walk(node: int, bounds: dict[str, tuple[float | None, float | None]]) -> None:
        if t.children_left[node] == -1:  # a leaf
            if case_column is None:
                return
            runs = int(t.n_node_samples[node])
            share = float(t.value[node][0][case_column])  # class fractions (sklearn >= 1.4)
            if share > 0.5:
                cases = round(share * runs)
                ordered = {n: bounds[n] for n in names if n in bounds}
                rules.append(Rule(ordered, runs, share, cases / total if total else 0.0))
            return
        name, cut = names[t.feature[node]], float(t.threshold[node])
        low, high = bounds.get(name, (None, None))
        left = {**bounds, name: (low, cut if high is None else min(high, cut))}
        right = {**bounds, name: (cut if low is None else max(low, cut), high)}
        walk(int(t.children_left[node]), left)
        walk(int(t.children_right[node]), right)

    walk(0, {})
    return sorted(rules, key=lambda r: -r.coverage)


# ------------------------------------------------------------------ figure and files
def discovery_figure(result: Discovery, path: str | Path) -> Path:
    """The PRIM trade-off (coverage against density, the chosen box marked), the runs on the two
    most restricted inputs with the box drawn, and the CART tree."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Rectangle
    from sklearn.tree import plot_tree

    from experiments.figures import save_figure, subplots

    fig, axes = subplots(2, 2, figsize=(13, 10), gridspec_kw={"height_ratios": [1, 1.1]})
    FigureCanvasAgg(fig)  # plot_tree measures its text with a renderer (a canvas, not pyplot)
    grid = axes[1, 0].get_gridspec()
    for ax in axes[1]:
        ax.remove()
    tree_ax = fig.add_subplot(grid[1, :])
    b, tr = result.box, result.trajectory

    ax = axes[0, 0]
    points = ax.scatter(
        tr["coverage"], tr["density"], c=tr["res_dim"], cmap="viridis", s=18, zorder=2
    )
    ax.plot(tr["coverage"], tr["density"], color="0.6", lw=0.8, zorder=1)
    ax.scatter(
        [b.coverage],
        [b.density],
        marker="*",
        s=260,
        color="tab:red",
        zorder=3,
        label=f"chosen box {b.index}: coverage {b.coverage:.2f}, density {b.density:.2f}",
    )
    ax.axhline(
        result.min_density,
        color="tab:red",
        ls=":",
        lw=1,
        label=f"density {result.min_density:g} (the rule's minimum)",
    )
    bar = fig.colorbar(points, ax=ax, label="inputs restricted")
    bar.set_ticks(range(int(tr["res_dim"].min()), int(tr["res_dim"].max()) + 1))
    ax.set_xlabel("coverage (share of all cases in the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_title(f"PRIM peeling trajectory: {result.case}", fontsize=10)
    ax.set_xlim(max(0.0, float(tr["coverage"].min()) - 0.05), 1.02)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)

    ax = axes[0, 1]
    shown = _most_restricted(result)
    cases, others = result.x[result.y], result.x[~result.y]
    if len(shown) == 2:
        a, c = shown
        ax.scatter(others[a], others[c], s=8, color="0.7", label=f"not {result.case}")
        ax.scatter(cases[a], cases[c], s=8, color="tab:green", label=result.case)
        (a0, a1), (c0, c1) = b.limits[a], b.limits[c]
        ax.add_patch(
            Rectangle(
                (a0, c0),
                a1 - a0,
                c1 - c0,
                fill=False,
                lw=2,
                color="tab:red",
                label=f"PRIM box (density {_share(b.density)})",
            )
        )
        ax.set_xlabel(f"{label(a)} ({a})" if label(a) != a else a)
        ax.set_ylabel(f"{label(c)} ({c})" if label(c) != c else c)
    else:  # one input: the runs along it, the box as its limits
        (a,) = shown
        rng = np.random.default_rng(0)
        ax.scatter(
            others[a], rng.uniform(0, 1, len(others)), s=8, color="0.7", label=f"not {result.case}"
        )
        ax.scatter(
            cases[a], rng.uniform(0, 1, len(cases)), s=8, color="tab:green", label=result.case
        )
        for v in b.limits[a]:
            ax.axvline(v, color="tab:red", lw=2)
        ax.set_yticks([])
        ax.set_xlabel(a)
    ax.set_title("The runs and the PRIM box (its two most restricted inputs)", fontsize=10)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)

    plot_tree(
        result.tree.model,
        feature_names=list(result.x.columns),
        class_names=[f"not {result.case}", result.case],
        filled=True,
        impurity=False,
        proportion=True,
        rounded=True,
        precision=2,
        fontsize=8,
        ax=tree_ax,
    )
    tree_ax.set_title(
        f"CART tree (depth ≤ {result.tree.depth}), accuracy {result.tree.accuracy:.1%}",
        fontsize=10,
    )
    return save_figure(fig, path, dpi=100)


def _most_restricted(result: Discovery) -> list[str]:
    """The two inputs (one if there is only one) the box narrows most, as a share of their
    range in the runs."""

    def narrowing(name: str) -> float:
        low, high = result.box.limits[name]
        span = float(result.x[name].max() - result.x[name].min())
        return 1 - (high - low) / span if span > 0 else 0.0

    ranked = sorted(result.inputs, key=lambda n: (-narrowing(n), result.inputs.index(n)))
    return sorted(ranked[:2], key=result.inputs.index)


def write_discovery(result: Discovery, folder: str | Path) -> list[Path]:
    """``discovery.png`` and ``discovery.md`` in ``folder``; returns their paths."""
    from experiments.output import atomic_write

    folder = Path(folder)
    png = discovery_figure(result, folder / "discovery.png")
    text = result.markdown(png.name)
    md = atomic_write(folder / "discovery.md", lambda p: p.write_text(text, encoding="utf-8"))
    return [png, md]


# ------------------------------------------------------------------ a sweep's folder
def folder_parameters(folder: str | Path) -> list[str]:
    """The parameters of a results folder: the fields of its design's points (every part)."""
    names: dict[str, None] = {}
    for spec in sorted(Path(folder).glob("*/spec.json")):
        for point in json.loads(spec.read_text(encoding="utf-8")).get("points", []):
            names.update(dict.fromkeys(point))
    return list(names)


def default_inputs(ranges: Sequence[str], params: Sequence[str], df: pd.DataFrame) -> list[str]:
    """The experiment's ``ranges`` that vary in ``df``; else its numeric parameters that vary."""

    def varies(name: str) -> bool:
        return name in df.columns and _is_numeric(df[name]) and df[name].dropna().nunique() > 1

    chosen = [n for n in ranges if varies(n)]
    return chosen or [n for n in params if varies(n)]


def discover_folder(
    folder: str | Path,
    outcome: str = "cooperation",
    threshold: float = 0.5,
    inputs: Sequence[str] | None = None,
    part: str | None = None,
    above: bool = True,
    write: bool = True,
) -> tuple[Discovery, list[Path]]:
    """Scenario discovery over a ``pacts sweep`` folder's runs (failed runs left out; ``part``:
    only that part's runs), and with ``write`` its ``discovery.png`` and ``discovery.md``.
    Inputs by default: the experiment's ``ranges`` that vary (else its numeric parameters that
    vary)."""
    from experiments.catalogue import load_experiment

    require()
    exp, df = load_experiment(folder)
    df = df[df["error"].isna()] if "error" in df else df
    if part is not None:
        parts = sorted(set(df["part"]))
        if part not in parts:
            raise ValueError(f"--part {part!r}: allowed: {', '.join(parts)}")
        df = df[df["part"] == part]
    params = folder_parameters(folder)
    if outcome not in df.columns or outcome in params:
        results = [c for c in df.columns if c not in (*RESERVED, *params) and _is_numeric(df[c])]
        raise ValueError(
            f"--outcome {outcome!r}: no such result column; allowed: {', '.join(results) or 'none'}"
        )
    rows = df[df[outcome].notna()]
    if inputs is None:
        inputs = default_inputs(list(exp.ranges), params, rows)
        if not inputs:
            raise ValueError(
                f"--inputs: no parameter varies in the {len(rows)} run(s) with {outcome} "
                "(a grid part with one value?); allowed: sweep a sampled design (--design lhs) "
                "or name inputs that vary"
            )
    else:
        for name in inputs:
            if name not in params:
                numeric = [p for p in params if p in df.columns and _is_numeric(df[p])]
                raise ValueError(
                    f"--inputs {name!r}: not a parameter of this sweep; allowed: "
                    f"{', '.join(numeric)}"
                )
    result = discover(rows, inputs, outcome, threshold, above=above)
    used = sorted(set(rows.loc[rows[list(inputs)].notna().all(axis=1), "part"]))
    result = replace(result, source=f" (part{'s' if len(used) > 1 else ''} {', '.join(used)})")
    return result, (write_discovery(result, folder) if write else [])
