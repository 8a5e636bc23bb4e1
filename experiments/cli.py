"""``pacts``: the command line of Pacts.

    pacts run         run a scenario, print a summary, write rounds.csv, countries.csv and a PNG
    pacts tournament  Axelrod-style round robin among strategies (table + heat map)
    pacts presets     list the scenario presets
    pacts sweep       run a catalogue experiment (resumable, parallel) → Parquet, PNG, summary
    pacts analyze     re-draw an experiment's figures and summary
    pacts sensitivity Sobol/Morris indices of a sampled design
    pacts bench       benchmarks, one JSON line each
    pacts demo        the guided lessons: list them, or play one (story, results, figures)
    pacts app         the browser app (Solara) at http://127.0.0.1:8765

Every command has ``--help``. Bad input ends with one line ``pacts: error: ...`` naming the field
and what is allowed (exit code 2), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
import tomllib
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from model.config import CLASSIC_SEVEN, InertFieldWarning, ModelConfig
from model.games import class_label
from model.scenarios import PRESETS, load_preset


def _experiments() -> dict:
    from experiments.catalogue import EXPERIMENTS

    return EXPERIMENTS


def _config_table() -> str:
    rows = [
        f"  {name:<20} {allowed:<34} {meaning}  [default: {default}]"
        for name, default, allowed, meaning in ModelConfig.describe()
        if name != "strategies"
    ]
    return "\n".join(rows)


def _parse_set(items: Sequence[str]) -> dict:
    """``--set field=value`` pairs, values parsed as TOML (numbers, strings, lists)."""
    out = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise ValueError(
                f"--set {item!r}: allowed form FIELD=VALUE, e.g. --set continuation=0.6"
            )
        try:
            out[field.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            out[field.strip()] = value  # a bare word: a string such as a network kind
        except RecursionError:
            raise ValueError(
                f"--set {field.strip()}=...: the value is nested too deeply; allowed: "
                "a number, a word, or a short list or table"
            ) from None
    return out


def _check_seed(seed: int, option: str = "--seed") -> None:
    if seed < 0:
        raise ValueError(f"{option} {seed}: allowed: an integer >= 0 (same seed, same results)")


def _check_positive(value: int | None, option: str) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{option} {value}: allowed: an integer >= 1")


def _load_config(args: argparse.Namespace) -> ModelConfig:
    """The scenario with the --set/--rounds changes; a field that has no effect in it is an
    error or, where commonly harmless, one ``warning: ...`` line on stderr."""
    if args.preset and args.config:
        raise ValueError("give --preset or --config, not both")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InertFieldWarning)
        cfg = (
            ModelConfig.from_toml(args.config)
            if args.config
            else load_preset(args.preset or "default")
        )
        changes = _parse_set(args.set)
        if args.rounds is not None:
            changes["rounds"] = args.rounds
        if changes:
            # the scenario's own warnings come again for the changed one, if they still hold
            caught[:] = [w for w in caught if not issubclass(w.category, InertFieldWarning)]
            cfg = ModelConfig.from_mapping({**_as_mapping(cfg), **changes}, origin="--set/--rounds")
    for w in caught:
        if not issubclass(w.category, InertFieldWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    inert = (str(w.message) for w in caught if issubclass(w.category, InertFieldWarning))
    for message in dict.fromkeys(inert):
        print(f"warning: {message}", file=sys.stderr)
    return cfg


def _as_mapping(cfg: ModelConfig) -> dict:
    return {name: getattr(cfg, name) for name, *_ in ModelConfig.describe()}


def _era_line(cfg: ModelConfig, engine) -> str:
    """One line on time and δ: how relationships end (DESIGN §3)."""
    if cfg.horizon == "fixed":
        return f"one relationship of {cfg.rounds} rounds (δ only discounts the future)"
    if cfg.horizon == "geometric":
        return f"one relationship that ended after {int(engine.horizon[0])} rounds"
    mean = "∞" if cfg.continuation >= 1 else f"{1 / (1 - cfg.continuation):.1f}"
    what = "the regional agreement ends" if cfg.mode == "collective" else "each relationship ends"
    count = (
        f"{int(engine.eras[0])} agreement cycles ended"
        if cfg.mode == "collective"
        else f"{int(engine.eras[0])} relationships ended and restarted"
    )
    revise = (
        f"; rules revised by {cfg.evolution} every {cfg.evolution_interval} rounds"
        if cfg.evolution != "none"
        else ""
    )
    return (
        f"eras: {what} after each round with probability 1 − δ (mean length {mean} rounds); "
        f"{count}{revise}"
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its results."""
    from experiments.output import output_set

    _check_seed(args.seed)
    cfg = _load_config(args)
    with output_set(args.out) as tmp:  # a bad --out fails here, before the run
        return _run_and_write(args, cfg, Path(args.out), tmp)


def _run_and_write(args: argparse.Namespace, cfg: ModelConfig, out: Path, tmp: Path) -> int:
    """``pacts run``'s work: files go to ``tmp`` (moved into ``out`` together afterwards)."""
    import pandas as pd  # each command imports what it uses, so `pacts --help` stays fast

    from experiments.figures import cooperation_figure, welfare_figure
    from model import theory
    from model.region import RegionModel

    model = RegionModel(cfg, seed=args.seed)
    model.run(cfg.rounds)
    rounds = model.datacollector.get_model_vars_dataframe()
    countries = model.countries
    columns = ["strategy", "degree", "total_payoff", "trust"]
    if cfg.mode == "collective":
        columns += ["member", "action", "game_class", "delta_star", "plants"]
    table = pd.DataFrame(
        {"country": [a.label for a in countries], **{c: countries.get(c) for c in columns}}
    )
    if cfg.mode == "collective":  # beside the plants it built: the plan's sectors for it
        engine = model.engine
        names = [s.name for s in engine.economies[0].sectors]
        table["planned"] = [
            ";".join(n for n, x in zip(names, row, strict=True) if x) for row in engine.plan[0]
        ]
    rounds.to_csv(tmp / "rounds.csv", index=False)
    table.to_csv(tmp / "countries.csv", index=False)
    name = args.config or args.preset or "default"
    figures = [out / "cooperation.png"]
    engine = model.engine
    if cfg.mode == "collective":
        thresholds = {
            row.country: row.delta_star
            for row in table.itertuples()
            if 0 < row.delta_star < 1 and row.member
        }
        what = f"{cfg.regime} coordination"
    else:
        thresholds = theory.critical_deltas(
            cfg.matrix_game, cfg.observation_delay, cfg.observation_error
        )
        what = class_label(cfg.matrix_game.classify())
    cooperation_figure(
        rounds,
        tmp / figures[0].name,
        f"{name}: {cfg.n_countries} countries, {what}",
        thresholds,
        cfg.continuation,
    )
    if cfg.mode == "collective":
        figures.append(out / "welfare.png")
        welfare_figure(rounds, tmp / figures[1].name, f"{name}: regional welfare ({cfg.regime})")
    tail = rounds.tail(max(1, len(rounds) // 10))
    print(
        f"Pacts — scenario '{name}', seed {model.seed}: {len(rounds)} rounds, "
        f"{cfg.n_countries} countries on a {cfg.network} network, {cfg.mode} mode"
    )
    shadow = (
        f"shadow of the future δ = {cfg.continuation:g}, stakes σ = {cfg.stake_sigma:g}, "
        f"ε = {cfg.observation_error:g}, d = {cfg.observation_delay}, noise = {cfg.noise:g}"
    )
    print(f"  {shadow}")
    print(f"  {_era_line(cfg, engine)}")
    if cfg.mode == "collective":
        print(f"  regime {cfg.regime}, hegemon {cfg.hegemon}")
        print(
            "  each country's game under the plan (R = plan, T = its best response, P = status quo,"
        )
        print("  S = following alone) and the δ* above which a forward-looking government follows:")
        for row in table.itertuples():
            verdict = (
                "follows at any δ"
                if row.delta_star == 0
                else "never (the plan pays it less than its outside option, or cooperation "
                "never pays)"
                if not math.isfinite(row.delta_star)
                else f"δ* = {row.delta_star:.3f} → "
                + ("follows" if cfg.continuation >= row.delta_star else "declines")
            )
            status = "member" if row.member else "outside"
            print(
                f"    {row.country:<16} {class_label(row.game_class):<18} {verdict}; "
                f"{status}, {row.strategy}"
            )
        print(
            f"  long run (last {len(tail)} rounds): compliance {tail['cooperation'].mean():.1%} "
            f"of countries, participation {tail['participation'].mean():.1%}"
        )
        print(
            f"  regional welfare W = {tail['welfare'].mean():.2f} "
            f"(plan {tail['plan_welfare'].mean():.2f}, "
            f"optimum W_opt = {tail['optimum'].mean():.2f}"
            f"{'' if engine.w_opt_exact[0] else ', a bound'}); price of non-coordination "
            f"W − W_opt = {tail['price_of_non_coordination'].mean():.2f}"
        )
        print(
            f"  duplication {tail['duplication'].mean():.1f} plants, shortfall "
            f"{tail['shortfall'].mean():.1%} of needed demand, Gini {tail['gini'].mean():.2f}, "
            f"transfers {tail['transfers'].mean():.2f} a round"
        )
    else:
        print(f"  stage game: {cfg.matrix_game}")
        for rule, delta_star in thresholds.items():
            verdict = "sustainable" if cfg.continuation >= delta_star else "NOT sustainable"
            print(f"  theory: cooperation with {rule} needs δ ≥ {delta_star:.3f} → {verdict}")
        print(
            f"  long run (last {len(tail)} rounds): cooperation {tail['cooperation'].mean():.1%}, "
            f"mutual cooperation {tail['mutual_cooperation'].mean():.1%}, "
            f"payoff per interaction {tail['mean_payoff'].mean():.3f}"
        )
    ranking = table.groupby("strategy")["total_payoff"].mean().sort_values(ascending=False)
    print(
        "  mean total payoff by strategy: " + ", ".join(f"{s} {v:.0f}" for s, v in ranking.items())
    )
    print(
        "  wrote "
        + ", ".join(str(p) for p in [out / "rounds.csv", out / "countries.csv", *figures])
    )
    return 0


def cmd_tournament(args: argparse.Namespace) -> int:
    """Round-robin tournament."""
    import pandas as pd

    from agents.strategies import get_strategy
    from experiments.figures import tournament_figure
    from experiments.matches import tournament
    from experiments.output import output_set

    _check_seed(args.seed)
    _check_positive(args.repetitions, "--repetitions")
    _check_positive(args.rounds, "--rounds")
    for name in args.strategies:
        get_strategy(name)
    out = Path(args.out)
    with output_set(out) as tmp:  # a bad --out fails here, before the matches
        table = tournament(
            args.strategies,
            rounds=args.rounds,
            repetitions=args.repetitions,
            noise=args.noise,
            seed=args.seed,
            game=args.game,
        )
        table.to_csv(tmp / "tournament.csv")
        tournament_figure(
            table,
            tmp / "tournament.png",
            f"Round robin, {args.rounds} rounds × {args.repetitions}, noise {args.noise:g}",
        )
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(1).to_string())
    print(f"wrote {out / 'tournament.csv'}, {out / 'tournament.png'}")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    """List presets."""
    for name, description in PRESETS.items():
        mode = load_preset(name).mode
        print(textwrap.fill(f"{name:<17}[{mode}] {description}", 100, subsequent_indent=" " * 18))
    return 0


_NO_BREAK = re.compile(r" (?=[=<>≥≤×→] )|(?<=[=<>≥≤×→]) | (?=%)")


def _fill(text: str, width: int = 100, indent: str = "", subsequent: str | None = None) -> str:
    """textwrap.fill that keeps "δ = 0.60" and "a ≥ b" on one line."""
    protected = _NO_BREAK.sub("\u00a0", text)
    return textwrap.fill(
        protected,
        width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
    ).replace("\u00a0", " ")


def _wrap_markdown(text: str, width: int = 100, indent: str = "") -> str:
    """A lesson's Markdown narrative as terminal text: paragraphs and list items re-wrapped."""
    blocks = []
    for paragraph in text.strip().split("\n\n"):
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        blocks.append(
            "\n".join(
                _fill(item, width, indent, indent + ("  " if item.startswith("- ") else ""))
                for item in items
            )
        )
    return "\n\n".join(blocks)


def cmd_demo(args: argparse.Namespace) -> int:
    """List the lessons, or play one: story, settings, results next to theory, figures."""
    import time

    from experiments.lessons import LESSONS, get_lesson, play_lesson

    if not args.name:
        print("Pacts lessons, in teaching order:\n")
        for name, lesson in LESSONS.items():
            print(f"  {name:<22}{lesson.title}")
            print(_fill(lesson.summary, 100, " " * 24))
        print(
            "\n`pacts demo NAME` runs one (e.g. pacts demo prisoners-dilemma): its story, "
            "settings,\nresults next to theory, and figures in out/demo/NAME. In the browser: "
            "pacts app (Lessons)."
        )
        return 0
    from experiments.output import prepare_folder

    lesson = get_lesson(args.name)
    _check_seed(args.seed)
    out = prepare_folder(Path(args.out) if args.out else Path("out/demo") / lesson.name)
    print(f"{lesson.title}\n{'=' * len(lesson.title)}\n")
    print(_wrap_markdown(lesson.narrative) + "\n")
    print("Scenes (the app loads each of them: pacts app → Lessons):")
    for k, scene in enumerate(lesson.scenes):
        print(f"  {k}. {scene.label}")
        print(_fill(scene.settings(), 100, " " * 5, " " * 7))
    print(f"\nRunning the lesson (seed {args.seed}) …", flush=True)
    start = time.perf_counter()
    result = play_lesson(lesson.name, out, args.seed, progress=True)
    print(f"\nResults ({time.perf_counter() - start:.1f} s), measured next to theory:")
    for k, r in enumerate(result.scenes):
        print(f"  {k}. {r.label}")
        for what, text in (("measured", r.measured), ("theory  ", r.theory)):
            print(_fill(f"{what}: {text}", 100, " " * 5, " " * 15))
    for note in result.notes:
        print("\n" + _fill(note, 100, "  "))
    print("\n" + _fill(f"Figure: {lesson.figure}", 100))
    print("wrote:\n" + "\n".join(f"  {p}" for p in result.paths))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run benchmarks."""
    from experiments.bench import run_benchmarks

    only = [b.strip() for b in args.only.split(",")] if args.only else None
    if args.out:
        from experiments.output import prepare_folder

        if Path(args.out).is_dir():
            raise ValueError(f"--out {args.out}: is a folder; allowed: a file name (FILE.jsonl)")
        prepare_folder(Path(args.out).parent, "--out")
    results = run_benchmarks(only)
    if args.out:
        from experiments.output import atomic_write

        atomic_write(
            args.out, lambda p: p.write_text("".join(json.dumps(r) + "\n" for r in results))
        )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a catalogue experiment (or compact a results folder)."""
    from experiments.catalogue import EXPERIMENTS, run_experiment

    if args.experiment == "compact":
        from experiments.sweep import compact

        if not args.directory:
            raise ValueError("pacts sweep compact DIR: name the results folder")
        folders = sorted(p.parent for p in Path(args.directory).glob("**/spec.json"))
        if not folders:
            raise ValueError(f"{args.directory}: no sweep results here (no spec.json)")
        for folder in folders:
            compact(folder)
            print(f"compacted {folder}")
        return 0
    if args.experiment not in EXPERIMENTS:
        raise ValueError(
            f"unknown experiment {args.experiment!r}; allowed: "
            f"{', '.join(EXPERIMENTS)} (or 'compact DIR')"
        )
    _check_sweep(args)
    design, points_file = args.design[0], (args.design[1] if len(args.design) > 1 else None)
    folder = run_experiment(
        args.experiment,
        args.out,
        scale=args.scale,
        replicates=args.replicates,
        design=design,
        runs=args.runs,
        points_file=points_file,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        crn=True if args.crn else None,
        seed=args.seed,
    )
    print((folder / "summary.md").read_text(encoding="utf-8"))
    print(f"results, figures and summary in {folder}")
    return 0


MAX_SCALE = 100.0
"""The largest ``--scale`` (the default design is 1; 100 already means millions of runs)."""
DESIGNS = ("grid", "lhs", "sobol", "morris", "csv")
SAMPLED = DESIGNS[1:]


def _check_scheduler(address: str) -> None:
    """A Dask scheduler address that answers (checked before any run, in at most 5 s)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    try:
        host, port = parts.hostname, parts.port or 8786
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls") or not host:
        raise ValueError(f"--scheduler {address!r}: allowed: tcp://HOST:PORT (or tls://HOST:PORT)")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as err:
        why = err.strerror or str(err) or type(err).__name__
        raise ValueError(
            f"--scheduler {address}: no Dask scheduler answers there ({why}); start one "
            "(`dask scheduler`) or drop --scheduler for a local cluster"
        ) from None


def _check_experiment_folder(folder: Path, name: str, parts: Sequence[str], resume: bool) -> None:
    """Refuse, before running, a folder that holds another experiment's results, another design
    of this one, or (without --resume) results of this very sweep."""
    from experiments import sweep as sw

    for spec_path in sorted(folder.glob("*/spec.json")):
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            other, _, part = str(spec["name"]).partition("/")
        except (OSError, ValueError, KeyError, TypeError):
            raise ValueError(
                f"--out {folder}: {spec_path} is not a sweep's spec.json; choose another folder"
            ) from None
        if other != name:
            raise ValueError(
                f"--out {folder}: holds results of the experiment {other!r}, not {name!r}; "
                "choose another folder"
            )
        if part not in parts:
            raise ValueError(
                f"--out {folder}: holds this experiment's {part!r} results (another design); "
                f"this sweep writes {', '.join(repr(p) for p in parts)} and a folder holds one "
                "design: choose another folder"
            )
        if not resume and sw.has_results(spec_path.parent):
            raise ValueError(
                f"--out {folder}: already has results of this sweep ({part}); pass --resume to "
                "continue it, or choose another folder"
            )


def _check_design_columns(exp, points: Sequence[dict], where: str) -> None:
    """A sampled or CSV design must set every field the experiment's analysis plots."""
    missing = [n for n in exp.ranges if any(n not in p for p in points)]
    if missing:
        raise ValueError(
            f"{where}: no column(s) {', '.join(missing)}, which the analysis of {exp.name!r} "
            f"needs; allowed: a CSV with columns {', '.join(exp.ranges)} (and any other field)"
        )


def _check_sweep(args: argparse.Namespace) -> None:
    """Every ``pacts sweep`` input and the output folder, checked before the first run."""
    import importlib.util
    import math

    from experiments import sweep as sw
    from experiments.catalogue import get_experiment
    from experiments.output import prepare_folder

    exp = get_experiment(args.experiment)
    design = args.design[0]
    if design not in DESIGNS:
        raise ValueError(f"--design {design!r}: allowed: {', '.join(DESIGNS)} (csv FILE)")
    if design == "csv" and len(args.design) != 2:
        raise ValueError("--design csv FILE: name one CSV file of points (one column per field)")
    if design != "csv" and len(args.design) > 1:
        raise ValueError(
            f"--design {design} takes no file ({args.design[1]!r}); only --design csv FILE does"
        )
    if design != "grid" and not exp.ranges:
        raise ValueError(
            f"--design {design}: experiment {exp.name!r} has no parameter ranges; allowed: grid"
        )
    _check_positive(args.replicates, "--replicates")
    _check_positive(args.runs, "--runs")
    _check_positive(args.workers, "--workers")
    _check_seed(args.seed)
    if not (math.isfinite(args.scale) and 0 < args.scale <= MAX_SCALE):
        raise ValueError(
            f"--scale {args.scale:g}: allowed: a number in (0, {MAX_SCALE:g}] "
            "(1 is the default design; larger grows it)"
        )
    if args.scheduler and args.engine != "dask":
        raise ValueError(
            f"--scheduler {args.scheduler}: used only with --engine dask; add --engine dask "
            "(or drop --scheduler)"
        )
    if args.engine == "dask" and importlib.util.find_spec("distributed") is None:
        raise ValueError("--engine dask needs dask.distributed: pip install -e '.[dist]'")
    if args.scheduler:
        _check_scheduler(args.scheduler)
    if design == "csv":
        points = sw.from_csv(exp.base, args.design[1], exp.params)
        _check_design_columns(exp, points, args.design[1])
    folder = Path(args.out) if args.out else Path("out/sweep") / exp.name
    _check_experiment_folder(
        folder, exp.name, list(exp.parts) if design == "grid" else [design], args.resume
    )
    prepare_folder(folder, "--out")


def _check_analysable(folder: Path) -> None:
    """A sampled design lacking a column its analysis needs: one clear error, not a KeyError."""
    from experiments.catalogue import EXPERIMENTS

    for spec_path in sorted(folder.glob("*/spec.json")):
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            name, _, part = str(spec["name"]).partition("/")
            points = list(spec["points"])
        except (OSError, ValueError, KeyError, TypeError):
            raise ValueError(f"{spec_path}: not a sweep's spec.json") from None
        if part in SAMPLED and name in EXPERIMENTS:
            _check_design_columns(EXPERIMENTS[name], points, f"{folder} ({part} design)")


def cmd_analyze(args: argparse.Namespace) -> int:
    """Re-draw an experiment's figures and summary (and with --discover, scenario discovery)."""
    from experiments.catalogue import analyze_folder

    found = None
    if not args.discover:
        given = [
            option
            for option, value in (
                ("--outcome", args.outcome),
                ("--threshold", args.threshold),
                ("--inputs", args.inputs),
                ("--part", args.part),
                ("--below", args.below or None),
            )
            if value is not None
        ]
        if given:
            raise ValueError(f"{', '.join(given)}: only with --discover (scenario discovery)")
    _check_analysable(Path(args.directory))
    if args.discover:  # every option checked (and the search done) before any file is written
        from experiments.discovery import discover_folder

        inputs = None
        if args.inputs is not None:
            inputs = [name.strip() for name in args.inputs.split(",") if name.strip()]
            if not inputs:
                raise ValueError(
                    f"--inputs {args.inputs!r}: allowed: input columns separated by commas, "
                    "e.g. --inputs continuation,x0"
                )
        found, _ = discover_folder(
            args.directory,
            outcome=args.outcome or "cooperation",
            threshold=0.5 if args.threshold is None else args.threshold,
            inputs=inputs,
            part=args.part,
            above=not args.below,
            write=False,
        )
    path = analyze_folder(args.directory)
    print(path.read_text(encoding="utf-8"))
    if found is not None:
        from experiments.discovery import write_discovery

        png, md = write_discovery(found, args.directory)
        print(md.read_text(encoding="utf-8"))
        print(f"figures and summary in {path.parent} (scenario discovery: {md.name}, {png.name})")
    else:
        print(f"figures and summary in {path.parent}")
    return 0


def cmd_equilibria(args: argparse.Namespace) -> int:
    """All pure equilibria of each collective preset (Garg): the table."""
    import pandas as pd

    from experiments.output import atomic_write, prepare_folder
    from model.optimisation.landscape import COLUMNS, equilibria_table

    _check_positive(args.starts, "--starts")
    _check_positive(args.max_partial, "--max-partial")
    out = prepare_folder(Path(args.out), "--out")
    names = args.preset or [n for n in PRESETS if load_preset(n).mode == "collective"]
    rows = equilibria_table(names, max_partial=args.max_partial, starts=args.starts, seed=args.seed)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(2).to_string(index=False))
    print(
        f"method: exact = every pure equilibrium (the profiles of all countries but the one "
        f"with the most portfolios <= {args.max_partial:,}); dynamics = best-response dynamics "
        f"from the status quo and {args.starts - 1} random starts (a subset). status_quo_rank: "
        "1 = the best equilibrium found."
    )
    path = atomic_write(out / "equilibria.csv", lambda p: table.to_csv(p, index=False))
    print(f"wrote {path}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Sobol or Morris indices of a sampled design."""
    import pandas as pd

    from experiments.output import atomic_write
    from experiments.sensitivity import sensitivity_indices

    table = sensitivity_indices(args.directory, metrics=args.metric)

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    path = atomic_write(
        Path(args.directory) / "sensitivity.csv", lambda p: table.to_csv(p, index=False)
    )
    print(f"wrote {path}")
    return 0


def app_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves ``viz/app.py`` (offline, production mode).

    Nothing imports ``viz`` (DESIGN §1): the app is located as a file next to the package and
    started by path. ``--production`` serves the bundled assets (``solara-assets``) instead of
    a CDN, so the app works with no internet.
    """
    import importlib.util

    spec = importlib.util.find_spec("viz")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("the viz package (the browser app) is not installed; run `make app`")
    app = Path(next(iter(spec.submodule_search_locations))) / "app.py"
    return [
        sys.executable, "-m", "solara", "run", str(app), "--host", host, "--port", str(port),
        "--production", "--no-open", "--no-check-version",
    ]  # fmt: skip


def _port_free(host: str, port: int) -> bool:
    """Whether the app could listen on host:port (a host that is no address here is an error)."""
    import errno
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except socket.gaierror as err:
            raise ValueError(
                f"--host {host!r}: not an address ({err.strerror}); allowed: 127.0.0.1 (this "
                "machine only), 0.0.0.0 (every network) or one of this machine's addresses"
            ) from None
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return False
            raise ValueError(
                f"--host {host!r}: cannot listen there ({err.strerror}); allowed: 127.0.0.1 "
                "(this machine only), 0.0.0.0 (every network) or one of this machine's addresses"
            ) from None
    return True


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the browser app until Ctrl+C (this process becomes the Solara server)."""
    import importlib.util
    import os

    if not 0 < args.port < 65536:
        raise ValueError(f"--port {args.port}: allowed 1–65535")
    if importlib.util.find_spec("solara") is None:
        raise ValueError("the app needs Solara: run `make app` (or pip install -e '.[app]')")
    if not _port_free(args.host, args.port):
        raise ValueError(
            f"--port {args.port}: {args.host}:{args.port} is already in use (another `pacts app`?);"
            f" choose another, e.g. --port {args.port + 1}"
        )
    local = args.host in ("127.0.0.1", "localhost", "::1")
    where = (
        "this machine only"
        if local
        else f"other machines too: students open http://<this machine's address>:{args.port}"
    )
    print(f"Pacts app: http://{args.host}:{args.port}  ({where}; Ctrl+C stops it)", flush=True)
    command = app_command(args.host, args.port)
    # fewer malloc arenas: each browser tab is served by its own thread, and with an arena per
    # thread the memory of closed tabs stays scattered over many arenas instead of returning
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    # a classroom server runs offline and reports nothing about its users: Solara's usage
    # telemetry (on by default) off, and no "runs on Solara" banner over the panels
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    os.environ.setdefault("SOLARA_THEME_TITLE", "Pacts")
    os.execv(command[0], command)  # the server takes over this process (signals, memory)
    return 0  # pragma: no cover - execv does not return


_SWEEP_EXAMPLES = (
    "\n\nExamples:\n  pacts sweep shadow-of-the-future\n"
    "  pacts sweep shadow-of-the-future --design lhs --runs 200 --crn\n"
    "  pacts sweep shadow-of-the-future --resume        # after an interruption\n"
    "  pacts sweep compact out/sweep/shadow-of-the-future\n\n"
    "Dask: --engine dask starts a LocalCluster; --scheduler tcp://HOST:8786 uses a "
    "running cluster\n(its workers need this package installed: pip install -e . or "
    "the same wheel)."
)
_DEMO_EXAMPLES = (
    "\n\nExamples:\n  pacts demo\n  pacts demo shadow-of-the-future\n"
    "  pacts demo tournament --out out/my-tournament --seed 2\n\n"
    "Every lesson's settings can be played round by round in the browser: pacts app."
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose epilog may be a function, called only when the help is shown: the
    lists of experiments and lessons import the catalogue, which ``pacts --help`` need not."""

    @property
    def epilog(self) -> str | None:
        return self._epilog() if callable(self._epilog) else self._epilog

    @epilog.setter
    def epilog(self, value: str | Callable[[], str] | None) -> None:
        self._epilog = value


def _sweep_epilog() -> str:
    return (
        "Experiments:\n"
        + "\n".join(
            f"  {name:<22} {textwrap.shorten(exp.description, 74)}"
            for name, exp in _experiments().items()
        )
        + _SWEEP_EXAMPLES
    )


def _demo_epilog() -> str:
    from experiments.lessons import LESSONS

    return (
        "Lessons, in teaching order:\n"
        + "\n".join(f"  {name:<22}{lesson.title}" for name, lesson in LESSONS.items())
        + _DEMO_EXAMPLES
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = _Parser(
        prog="pacts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Pacts: an agent-based model of regional industrial-policy coordination. "
        "Countries play repeated games on a network; sweep the shadow of the future "
        "to see when cooperation emerges.",
        epilog="Start with:  pacts run        (the default scenario)\n"
        "             pacts tournament (Axelrod's round robin)\n"
        "             pacts sweep shadow-of-the-future (when does cooperation emerge?)\n"
        "             pacts demo       (the guided lessons, from the prisoner's dilemma on)\n"
        "Each command has --help.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run a scenario: summary, CSVs and a cooperation plot",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run one scenario (a preset or your TOML file) with the Mesa model, print "
        "what happened next to what theory predicts, and write rounds.csv "
        "(metrics per round), countries.csv and cooperation.png into --out.",
        epilog="Scenario fields (use them in a TOML file or with --set FIELD=VALUE):\n"
        + _config_table()
        + "\n  strategies           {name = weight, ...} table or a "
        "list of one name per country\n\nExample:\n  pacts run --set continuation=0.4 "
        "--set noise=0.02 --out out/short-shadow",
    )
    run.add_argument(
        "--preset",
        help=f"scenario preset (default: default; one of {', '.join(PRESETS)})",
    )
    run.add_argument("--config", metavar="FILE.toml", help="your own scenario file (TOML)")
    run.add_argument("--rounds", type=int, help="override the number of rounds")
    run.add_argument(
        "--seed", type=int, default=1, help="random seed (default 1); same seed, same results"
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override one scenario field, e.g. --set continuation=0.6 (repeatable)",
    )
    run.add_argument("--out", default="out/run", help="output folder (default out/run)")
    run.set_defaults(func=cmd_run)

    tour = sub.add_parser(
        "tournament",
        help="round-robin tournament among strategies (Axelrod 1980)",
        description="Every strategy meets every other and itself; prints the score table "
        "(row player's total against each column opponent) and the ranking, and "
        "writes tournament.csv and tournament.png.",
    )
    tour.add_argument(
        "strategies",
        nargs="*",
        default=list(CLASSIC_SEVEN),
        help="strategy names, e.g. TitForTat Grim 'Random(0.3)' (default: the seven classics)",
    )
    tour.add_argument("--rounds", type=int, default=200, help="rounds per match (default 200)")
    tour.add_argument("--repetitions", type=int, default=1, help="repetitions (default 1)")
    tour.add_argument(
        "--noise",
        type=float,
        default=0.0,
        help="implementation error: probability a move is flipped (default 0)",
    )
    tour.add_argument(
        "--game",
        default="prisoners_dilemma",
        help="stage game class (prisoners_dilemma, stag_hunt, chicken, harmony, deadlock)",
    )
    tour.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    tour.add_argument("--out", default="out/tournament", help="output folder")
    tour.set_defaults(func=cmd_tournament)

    sweep = sub.add_parser(
        "sweep",
        help="run a catalogue experiment (resumable, parallel); or compact DIR",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run a named experiment: its design is swept (Parquet parts, resumable after "
        "a crash with --resume), then analysed into PNG figures and summary.md.",
        epilog=_sweep_epilog,
    )
    sweep.add_argument("experiment", help="experiment name, or 'compact'")
    sweep.add_argument("directory", nargs="?", help="with 'compact': the results folder")
    sweep.add_argument(
        "--design",
        nargs="+",
        default=["grid"],
        metavar="KIND",
        help="grid (default), lhs, sobol, morris, or csv FILE",
    )
    sweep.add_argument(
        "--runs",
        type=int,
        default=64,
        help="points of a sampled design (lhs/sobol/morris base sample)",
    )
    sweep.add_argument(
        "--replicates", type=int, help="replicates per point (default: the experiment's)"
    )
    sweep.add_argument("--scale", type=float, default=1.0, help="grow the default design")
    sweep.add_argument("--out", help="results folder (default out/sweep/EXPERIMENT)")
    sweep.add_argument(
        "--engine",
        choices=("process", "dask", "serial"),
        default="process",
        help="where runs execute (default: a process pool)",
    )
    sweep.add_argument(
        "--scheduler", metavar="ADDR", help="an existing Dask scheduler, tcp://HOST:PORT"
    )
    sweep.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep")
    sweep.add_argument(
        "--crn",
        action="store_true",
        help="common random numbers: replicate r gets the same seed at every "
        "point (default for sampled designs)",
    )
    sweep.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    sweep.set_defaults(func=cmd_sweep)

    analyze = sub.add_parser(
        "analyze",
        help="figures and summary of a sweep's results (--discover: when does cooperation hold?)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Re-draw the figures and summary.md of an experiment folder written by "
        "`pacts sweep`.\n\n"
        "--discover adds scenario discovery: which region of the sweep's inputs holds the runs "
        "where the\noutcome passes the threshold (the cases, by default cooperation >= 0.5)?\n"
        "  PRIM (Patient Rule Induction Method, EMA workbench) peels the inputs into a box: "
        "the box with\n    the highest coverage (share of all cases inside it) among those "
        "with density >= 80 % (share\n    of its runs that are cases), its limits per input "
        "and the trade-off curve it was picked from.\n"
        "  CART (a classification tree of depth <= 3, scikit-learn) splits the inputs into "
        "rules, with\n    its accuracy: a second, differently shaped answer to compare.\n"
        "Written: discovery.png (the trade-off, the runs with the box, the tree) and "
        "discovery.md (the\nbox and rules in words). Every run counts, replicates too;\n"
        "sample the inputs (--design lhs) for a useful answer.",
        epilog="Examples:\n"
        "  pacts sweep shadow-of-the-future --design lhs --runs 200\n"
        "  pacts analyze out/sweep/shadow-of-the-future --discover\n"
        "  pacts analyze out/sweep/shadow-of-the-future --discover --outcome tft --threshold "
        "0.9\n"
        "  pacts analyze DIR --discover --inputs continuation,x0 --part evolution\n\n"
        "Needs the optional extra: pip install -e '.[discovery]' (make installs it).",
    )
    analyze.add_argument("directory", help="the experiment's results folder")
    analyze.add_argument(
        "--discover",
        action="store_true",
        help="scenario discovery: PRIM box and CART tree → discovery.png, discovery.md",
    )
    analyze.add_argument(
        "--outcome",
        metavar="COLUMN",
        help="the result column that defines the cases (default: cooperation)",
    )
    analyze.add_argument(
        "--threshold",
        type=float,
        metavar="X",
        help="a run is a case when outcome >= X (default 0.5)",
    )
    analyze.add_argument(
        "--below",
        action="store_true",
        help="a run is a case when outcome <= X instead (e.g. where cooperation fails)",
    )
    analyze.add_argument(
        "--inputs",
        metavar="A,B,...",
        help="the parameters to explain it by (default: the experiment's sampled ranges that "
        "vary, e.g. continuation,x0)",
    )
    analyze.add_argument(
        "--part", metavar="NAME", help="only this part's runs (default: every run with them)"
    )
    analyze.set_defaults(func=cmd_analyze)

    sens = sub.add_parser(
        "sensitivity",
        help="Sobol/Morris indices of a sampled design",
        description="Sensitivity indices with confidence intervals (SALib) "
        "for a sweep run with --design sobol or morris.",
    )
    sens.add_argument("directory", help="the experiment's results folder")
    sens.add_argument(
        "--metric",
        nargs="+",
        default=["cooperation"],
        help="result columns to analyse (default: cooperation)",
    )
    sens.set_defaults(func=cmd_sensitivity)

    eq = sub.add_parser(
        "equilibria",
        help="all pure equilibria of each collective preset: count, W range, the status quo's",
        description="Garg's question: how many equilibria, and which one the status quo leads to. "
        "Per collective preset: the method (exact enumeration where feasible, else "
        "best-response dynamics from many starts), the number of distinct pure Nash "
        "equilibria found, their min/median/max W, W_opt, and the equilibrium best-response "
        "dynamics reach from the status quo (its W and rank). Writes equilibria.csv into --out.",
    )
    eq.add_argument(
        "--preset", nargs="+", metavar="NAME", help="presets (default: every collective one)"
    )
    eq.add_argument(
        "--starts",
        type=int,
        default=200,
        help="starts of the dynamics fallback (default 200: the status quo and 199 random ones)",
    )
    eq.add_argument(
        "--max-partial",
        type=int,
        default=3_000_000,
        help="exact enumeration when the profiles of all countries but the largest are at most "
        "this (default 3,000,000)",
    )
    eq.add_argument("--seed", type=int, default=0, help="seed of the random starts (default 0)")
    eq.add_argument("--out", metavar="DIR", default="out/equilibria", help="output folder")
    eq.set_defaults(func=cmd_equilibria)

    pre = sub.add_parser("presets", help="list the scenario presets")
    pre.set_defaults(func=cmd_presets)

    demo = sub.add_parser(
        "demo",
        help="the guided lessons: list them, or play one (story, results, figures)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Nine guided lessons on cooperation among governments, from the prisoner's "
        "dilemma of regional industrial policy to Axelrod's tournament. Without NAME: the list. "
        "With NAME: the lesson's story (with its sources), the settings it compares, each "
        "setting's result next to what theory predicts, and its figure(s), written with "
        "results.csv, the figure's data and lesson.md into --out.",
        epilog=_demo_epilog,
    )
    demo.add_argument("name", nargs="?", metavar="NAME", help="the lesson (omit to list them)")
    demo.add_argument("--out", metavar="DIR", help="output folder (default out/demo/NAME)")
    demo.add_argument(
        "--seed", type=int, default=1, help="random seed (default 1); same seed, same results"
    )
    demo.set_defaults(func=cmd_demo)

    bench = sub.add_parser(
        "bench",
        help="benchmarks (one JSON line each)",
        description="Measure speed. B1: IPD on ER(100 countries, 300 edges), 7 strategies, "
        "200 rounds × 10 replicates (target ≥ 12 M edge-rounds/s); B2: 50×50 Moore torus against "
        "mesa's pd_grid (target ≥ 20×); B3: 100,000 edges × 100 rounds; B4: the coordinator's "
        "plan for N = 200, K = 12, M = 8 (target ≤ 2 s, gap ≤ 1 %); B5: collective-mode rounds "
        "per second at N = 50 with re-planning every 10 rounds; B6: the default "
        "shadow-of-the-future sweep with 1 and 2 workers (runs/s, scaling efficiency); B7: "
        "the browser app at N = 50: server time per Step (target ≤ 100 ms) and time to first "
        "render (needs chromium); B8: RegionModel.step against the bare engine's step at "
        "N = 900 and 2,500, pairwise default scenario (target ≤ 2×).",
    )
    bench.add_argument("--only", metavar="B1,B2,...", help="run only these benchmarks")
    bench.add_argument("--out", metavar="FILE.jsonl", help="also write the JSON lines here")
    bench.set_defaults(func=cmd_bench)

    app = sub.add_parser(
        "app",
        help="the browser app (Solara): play with the model, follow the lessons",
        description="Serve the interactive app: the country network, time series, sliders for "
        "the shadow of the future, presets, regimes, hegemons, and the guided lessons. Each "
        "browser tab gets its own model. Works offline.",
        epilog="Classroom: `pacts app --host 0.0.0.0` lets the students' laptops connect to "
        "this machine (one server holds about thirty sessions).",
    )
    app.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: only here)"
    )
    app.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    app.set_defaults(func=cmd_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pacts`` console script."""
    import signal
    import threading

    parser = build_parser()
    args = parser.parse_args(argv)
    received: list[int] = []

    def terminate(signum: int, frame: object) -> None:  # SIGTERM: clean up like Ctrl+C
        received.append(signum)
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminate) if main_thread else None
    try:
        return args.func(args)
    except ValueError as err:
        parser.exit(2, f"pacts: error: {err}\n")
    except BrokenPipeError:  # e.g. `pacts presets | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        how = "terminated (SIGTERM)" if received else "interrupted"
        parser.exit(
            128 + (received[0] if received else signal.SIGINT),
            f"pacts: {how}; no partial files were left behind\n",
        )
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
