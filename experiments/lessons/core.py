"""The lessons' data model — :class:`Scene`, :class:`Lesson` and their results — and what
every lesson's runner shares: the progress bar, playing a scene with the Mesa model or the
vectorised engine, the long-run mean and writing CSV files."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from model.config import ModelConfig
from model.scenarios import PRESETS, load_preset

_FIELDS = {f.name for f in fields(ModelConfig)}
MAX_COUNTRIES = 50
"""The most countries a scene may have (every scene must be playable round by round)."""
MAX_ROUNDS = 500
"""The most rounds a scene may have."""


# ====================================================================== the data model
@dataclass(frozen=True)
class Claim:
    """What a scene's lesson says the theory panel will show, as data
    (``tests/test_theory_panel.py`` checks it against the panel and the simulation).

    ``classes`` maps a country's name to the class of the 2×2 game it faces (a
    :meth:`model.games.MatrixGame.classify` name, e.g. ``"prisoners_dilemma"``; in pairwise mode
    the key ``"all"``: the stage game); countries left out are not claimed. ``sustainable`` is
    whether cooperation (pairwise) or the agreement (collective) lasts in the long run — ``None``
    when the lesson makes no such claim or the scene sits near a threshold, and then ``why`` says
    so (it must)."""

    classes: Mapping[str, str] = field(default_factory=dict)
    sustainable: bool | None = None
    why: str = ""

    def __post_init__(self) -> None:
        if self.sustainable is None and not self.why:
            raise ValueError("a claim without a verdict on sustainability must say why")
        object.__setattr__(self, "classes", MappingProxyType(dict(self.classes)))

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.classes.items())), self.sustainable, self.why))


@dataclass(frozen=True)
class Scene:
    """One setting of a lesson: a preset (a name from :data:`model.scenarios.PRESETS`) with some
    :class:`~model.config.ModelConfig` fields overridden. ``label`` is short (it names a button
    in the app), e.g. ``"δ = 0.40 (below δ* = 0.50)"``. ``claim`` is what the lesson says the
    theory panel shows for it (:class:`Claim`)."""

    label: str
    preset: str = "default"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    claim: Claim | None = None

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ValueError(
                f"scene {self.label!r}: unknown preset {self.preset!r}; "
                f"allowed: {', '.join(PRESETS)}"
            )
        unknown = sorted(set(self.overrides) - _FIELDS)
        if unknown:
            raise ValueError(
                f"scene {self.label!r}: unknown field(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(_FIELDS))}"
            )
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def __hash__(self) -> int:
        return hash((self.label, self.preset, self.settings()))

    def config(self) -> ModelConfig:
        """The preset with the overrides applied (validated: a bad value is a ValueError)."""
        return load_preset(self.preset).replace(**self.overrides)

    def settings(self) -> str:
        """The scene's parameters in one line, e.g. ``preset default; continuation = 0.4``."""
        parts = [f"{k} = {_show(k, v)}" for k, v in self.overrides.items()]
        return f"preset {self.preset}" + ("; " + ", ".join(parts) if parts else "")


def _show(name: str, value: Any) -> str:
    if name == "economy" and isinstance(value, Mapping):
        sectors = [s.get("name", "?") for s in value.get("sector", [])]
        return f"custom ({len(sectors)} sectors: {', '.join(sectors)})" if sectors else "custom"
    if name == "countries" and value is not None:
        return ", ".join(str(c.get("name", "?")) for c in value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {v:g}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    return str(value)


@dataclass(frozen=True)
class SceneResult:
    """What a scene gave (``measured``) next to what theory predicts (``theory``), in words, and
    the numbers behind them (``values``, written to ``results.csv``)."""

    label: str
    measured: str
    theory: str
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass
class LessonResult:
    """A played lesson: per-scene results, the files written, and notes for ``lesson.md``."""

    lesson: Lesson
    seed: int
    scenes: list[SceneResult]
    figures: list[Path]
    tables: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


Runner = Callable[["Lesson", Path, int, "Progress"], LessonResult]


@dataclass(frozen=True)
class Lesson:
    """A guided lesson. ``name`` is the slug of ``pacts demo NAME``; ``narrative`` is Markdown
    (the story, the question, what to try in the app, the sources); ``figure`` says in one
    sentence what the figure shows and what to look for; ``scenes`` are the settings compared
    (the app loads ``scenes[0]`` first); ``summary`` is the one line of ``pacts demo``'s list;
    ``run`` plays the lesson (default: every scene, cooperation over time)."""

    name: str
    title: str
    narrative: str
    figure: str
    scenes: tuple[Scene, ...]
    summary: str = ""
    run: Runner | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenes", tuple(self.scenes))
        if not self.scenes:
            raise ValueError(f"lesson {self.name!r}: give at least one scene")

    def config(self, scene: int = 0) -> ModelConfig:
        """Scene ``scene``'s configuration (a ValueError names the allowed indices)."""
        if isinstance(scene, bool) or not isinstance(scene, int):
            raise ValueError(f"scene = {scene!r}: allowed: an integer 0–{len(self.scenes) - 1}")
        if not 0 <= scene < len(self.scenes):
            raise ValueError(f"scene = {scene}: allowed: 0–{len(self.scenes) - 1}")
        return self.scenes[scene].config()


# ====================================================================== running
class Progress:
    """Counts a lesson's runs; a tqdm bar on stderr appears once the lesson has taken more than
    two seconds (``enabled=False``: silent)."""

    def __init__(self, enabled: bool = False, desc: str = ""):
        self.enabled, self.desc = enabled, desc
        self._bar: Any = None

    def start(self, total: int) -> None:
        if self.enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, desc=self.desc, delay=2.0, leave=False, file=sys.stderr, unit="run"
            )

    def step(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
