"""Teaching lessons: nine guided demos from the prisoner's dilemma of industrial policy to
Axelrod's tournament, for ``pacts demo NAME`` and the browser app's lessons panel.

A :class:`Lesson` is a short story (``narrative``, Markdown with its sources), the settings it
compares (``scenes``: a preset plus field overrides, each small enough to play round by round in
the app: N ≤ 50 countries, at most a few hundred rounds) and a runner that plays the scenes, draws
the lesson's figure and sets each scene's measured result next to what theory predicts.

    from experiments.lessons import LESSONS, get_lesson, run_lesson
    lesson = get_lesson("shadow-of-the-future")
    cfg = lesson.config(1)                       # scene 1 as a validated ModelConfig
    run_lesson("shadow-of-the-future", "out/demo/shadow-of-the-future", seed=1)

``run_lesson`` writes into ``out``: the figure(s) (PNG), ``results.csv`` (one row per scene,
with the numbers behind the printed results), the data behind the figure (CSV) and
``lesson.md`` (story, settings, results, figures). Every file is written under a temporary name
and renamed (:func:`experiments.output.atomic_write`), so an interrupted demo leaves no
half-written file. ``play_lesson`` does the same and returns the results themselves (the CLI
prints them).

The package:

* :mod:`~experiments.lessons.core` — the data model (:class:`Scene`, :class:`Lesson`, their
  results) and what every runner shares (progress bar, playing a scene, figures, CSV files);
* the runners, with each lesson's scenes and the theory it is compared with:
  :mod:`~experiments.lessons.games` (1. prisoner's dilemma, 2. stag hunt),
  :mod:`~experiments.lessons.repeated_games` (3. shadow of the future, 4. noise and feedback),
  :mod:`~experiments.lessons.information_broker` (5),
  :mod:`~experiments.lessons.institutions` (6. hegemons, 7. three levels, 8. triple
  flexibility) and :mod:`~experiments.lessons.tournament` (9);
* :mod:`~experiments.lessons.syllabus` — :data:`LESSONS` (the stories) and :func:`get_lesson`;
* :mod:`~experiments.lessons.play` — :func:`play_lesson`, :func:`run_lesson`, the default
  runner and ``lesson.md``.

Decisions recorded here (see each lesson's runner for its own):

* "long run" is the mean over the last half of the rounds; the collective comparisons of
  lessons 6–8 report means over the whole game instead, so that members who leave for a while
  and come back are seen;
* replicates of a scene use seeds ``seed, seed + 1, …`` (the CLI's ``--seed`` is the first);
  a lesson that compares scenes uses the same seeds for every scene (common random numbers).
"""

from experiments.lessons.core import Claim, Lesson, LessonResult, Scene, SceneResult
from experiments.lessons.play import play_lesson, run_lesson
from experiments.lessons.syllabus import LESSONS, get_lesson

__all__ = [
    "LESSONS",
    "Claim",
    "Lesson",
    "LessonResult",
    "Scene",
    "SceneResult",
    "get_lesson",
    "play_lesson",
    "run_lesson",
]
