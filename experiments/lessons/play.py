"""Playing a lesson: the default runner (every scene once, cooperation over time),
:func:`play_lesson` and :func:`run_lesson` (run the scenes, write the figures, data,
``results.csv`` and ``lesson.md``) and :func:`lesson_markdown`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.figures import save_figure, subplots
from experiments.lessons.core import (
    Lesson,
    LessonResult,
    Progress,
    SceneResult,
)
from experiments.lessons.helpers import pct, simulate, tail, write_csv
from experiments.lessons.syllabus import get_lesson


# ---------------------------------------------------------------------- generic runner
def _run_generic(lesson: Lesson, out: Path, seed: int, progress: Progress) -> LessonResult:
    """Every scene once: long-run cooperation; figure: cooperation over the rounds."""
    progress.start(len(lesson.scenes))
    fig, ax = subplots(figsize=(8, 4))
    results = []
    for scene in lesson.scenes:
        _, df = simulate(scene.config(), seed)
        coop = tail(df["cooperation"])
        ax.plot(df["round"], df["cooperation"], label=scene.label)
        results.append(
            SceneResult(
                scene.label, f"long-run cooperation {pct(coop)}", "—", {"cooperation": coop}
            )
        )
        progress.step()
    ax.set(xlabel="round", ylabel="cooperation (share of C moves)", ylim=(-0.02, 1.02))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(lesson.title, fontsize=11)
    path = save_figure(fig, out / f"{lesson.name}.png")
    return LessonResult(lesson, seed, results, [path])


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r}: allowed: an integer >= 0")
    return int(seed)


def play_lesson(
    name: str | Lesson, out: Path | str, seed: int = 1, *, progress: bool = False
) -> LessonResult:
    """Play a lesson (by name, or your own :class:`Lesson`): run its scenes, write its
    figure(s), data, ``results.csv`` and ``lesson.md`` into ``out``; return the results
    (``.paths``: every file written). ``progress``: show a progress bar on stderr when the
    lesson takes more than two seconds."""
    lesson = name if isinstance(name, Lesson) else get_lesson(name)
    seed = _check_seed(seed)
    out = Path(out)
    bar = Progress(progress, desc=lesson.name)
    try:
        result = (lesson.run or _run_generic)(lesson, out, seed, bar)
    finally:
        bar.close()
    rows = [{"scene": k, "label": r.label, **dict(r.values)} for k, r in enumerate(result.scenes)]
    csv = write_csv(pd.DataFrame(rows), out / "results.csv")
    from experiments.output import atomic_write

    md = atomic_write(
        out / "lesson.md", lambda p: p.write_text(lesson_markdown(result), encoding="utf-8")
    )
    result.paths = [*result.figures, *result.tables, csv, md]
    return result


def run_lesson(name: str | Lesson, out: Path | str, seed: int = 1) -> list[Path]:
    """Run a lesson's scenes and write its figure(s) (PNG), data (CSV), ``results.csv`` and
    ``lesson.md`` into ``out``; returns the paths written (figures first)."""
    return play_lesson(name, out, seed).paths


def lesson_markdown(result: LessonResult) -> str:
    """``lesson.md``: the story, the scenes' settings, the results next to theory, figures."""
    lesson = result.lesson
    lines = [f"# {lesson.title}", "", lesson.narrative, "", "## Scenes", ""]
    lines += ["| # | scene | settings |", "| --- | --- | --- |"]
    lines += [
        f"| {k} | {s.label} | {s.settings().replace('|', '/')} |"
        for k, s in enumerate(lesson.scenes)
    ]
    lines += ["", f"## Results (seed {result.seed})", ""]
    lines += ["| scene | measured | theory |", "| --- | --- | --- |"]
    lines += [f"| {r.label} | {r.measured} | {r.theory} |" for r in result.scenes]
    lines += [""] + [f"{note}\n" for note in result.notes]
    lines += ["## Figure", "", lesson.figure, ""]
    lines += [f"![{p.stem}]({p.name})" for p in result.figures]
    return "\n".join(lines) + "\n"
