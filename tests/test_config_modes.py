"""Mode-aware config checks (issue 14): a field set where it has no effect is an error, or a
warning where that is commonly harmless (model.config.INERT); every shipped scenario is free of
them; and each declared setting is truly inert (the engine gives identical results)."""

import warnings
from dataclasses import fields

import numpy as np
import pytest

from experiments import sweep as sw
from experiments.catalogue import EXPERIMENTS
from experiments.cli import main
from experiments.lessons.syllabus import LESSONS
from model import PRESETS, ModelConfig, load_preset
from model.config import DEFAULTS, INERT, InertFieldWarning, inert_fields, without_inert
from model.economy import Economy
from model.engine import build_engine
from model.engine.base import RoundEngine

CLASSROOM = load_preset("classroom")
# a collective setting where every field has an effect: shocks, noise and misreading are on
COLLECTIVE = {
    "mode": "collective",
    "n_countries": 4,
    "network": "complete",
    "regime": "supranational",
    "hegemon": "coercive",
    "election_rate": 0.2,
    "tech_shock_rate": 0.2,
    "noise": 0.05,
    "observation_error": 0.05,
    "replan_interval": 5,
}
PAIRWISE = {"mode": "pairwise", "n_countries": 6, "network": "complete", "noise": 0.05}
# a value other than the default for each field of the table (valid where it has an effect)
VALUE = {
    "degree": 2,
    "rewiring": 0.5,
    "game": "stag_hunt",
    "imitation_scope": "well_mixed",
    "selection": 5.0,
    "evolution_interval": 3,
    "evolution_rate": 0.9,
    "mutation": 0.2,
    "regime": "minilateral",
    "hegemon": "cooperative",
    "reciprocity_threshold": 0.5,
    "replan_interval": 3,
    "submissions": 2,
    "information_noise": 1.5,
    "transparency": 1.0,
    "fine": 50.0,
    "enforcement": 1.0,
    "sovereignty_cost": 5.0,
    "coordination_cost": 5.0,
    "hegemon_patience": 0.5,
    "hegemon_budget": 50.0,
    "seed_economy": 7,
    "election_rate": 0.3,
    "election_sigma": 2.0,
    "longitudinal": True,
    "tech_shock_rate": 0.3,
    "tech_shock_sigma": 2.0,
    "compositional": True,
    "directional": True,
    "economy": dict(CLASSROOM.economy),
    "countries": CLASSROOM.countries,
}
_SIX = {"n_countries": 6, "countries": CLASSROOM.countries, "economy": dict(CLASSROOM.economy)}
# field -> the setting where it has an effect, then one setting per entry of INERT[field] in
# which that entry is the first to hold (independent statements of the table)
CASES = {
    "degree": ({"network": "ring"}, [{"network": "complete"}]),
    "rewiring": ({"network": "watts_strogatz"}, [{"network": "ring"}]),
    "game": (PAIRWISE, [COLLECTIVE]),
    **{
        f: (PAIRWISE, [{**PAIRWISE, "evolution": "none"}])
        for f in (
            "imitation_scope",
            "selection",
            "evolution_interval",
            "evolution_rate",
            "mutation",
        )
    },
    **{
        f: (COLLECTIVE, [PAIRWISE])
        for f in (
            *("regime", "hegemon", "reciprocity_threshold", "replan_interval"),
            *("election_rate", "tech_shock_rate"),
        )
    },
    **{
        f: (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "regime": "none"}])
        for f in ("submissions", "transparency", "coordination_cost", "compositional")
    },
    "information_noise": ({**COLLECTIVE, "regime": "none"}, [PAIRWISE, COLLECTIVE]),
    "fine": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "regime": "plurilateral", "hegemon": "none"}]),
    "enforcement": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "regime": "minilateral"}]),
    "sovereignty_cost": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "regime": "plurilateral"}]),
    "hegemon_patience": (
        {**COLLECTIVE, "hegemon": "cooperative"},
        [PAIRWISE, COLLECTIVE],
    ),
    "hegemon_budget": (
        {**COLLECTIVE, "hegemon": "cooperative"},
        [PAIRWISE, COLLECTIVE, {**COLLECTIVE, "hegemon": "cooperative", "regime": "none"}],
    ),
    "seed_economy": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, **_SIX}]),
    "election_sigma": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "election_rate": 0.0}]),
    "longitudinal": (
        COLLECTIVE,
        [
            PAIRWISE,
            {**COLLECTIVE, "election_rate": 0.0},
            {**COLLECTIVE, "regime": "none"},
        ],
    ),
    "tech_shock_sigma": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "tech_shock_rate": 0.0}]),
    "directional": (COLLECTIVE, [PAIRWISE, {**COLLECTIVE, "tech_shock_rate": 0.0}]),
    "economy": ({**COLLECTIVE, **_SIX, "economy": None}, [{**PAIRWISE, **_SIX, "economy": None}]),
    "countries": ({**COLLECTIVE, **_SIX, "economy": None}, [{**PAIRWISE, "n_countries": 6}]),
}
INERT_CASES = [
    pytest.param(name, k, id=f"{name}-{k}") for name in INERT for k in range(len(INERT[name]))
]


def _with(setting: dict, name: str) -> dict:
    return {**setting, name: VALUE[name]}


def test_the_cases_cover_the_table():
    assert set(CASES) == set(INERT) == set(VALUE)
    for name, (_, inert_at) in CASES.items():
        assert len(inert_at) == len(INERT[name]), name


@pytest.mark.parametrize("name, k", INERT_CASES)
def test_an_inert_field_is_refused_or_warned_naming_field_value_and_setting(name, k):
    setting = CASES[name][1][k]
    entry = INERT[name][k]
    values = _with(setting, name)
    assert inert_fields(values)[name] is entry  # this entry is the first that holds
    full = {**DEFAULTS, **values}
    reason = entry.setting.format_map(full)
    if entry.warn:
        with pytest.warns(InertFieldWarning) as record:
            ModelConfig(**values)
        messages = [str(w.message) for w in record if w.category is InertFieldWarning]
        text = next(m for m in messages if m.startswith(f"{name} = "))
    else:
        with pytest.raises(ValueError) as err:
            ModelConfig(**values)
        text = str(err.value)
    assert text.startswith(f"{name} = "), text
    assert "has no effect when" in text and reason in text, text
    assert entry.change in text and f"default {DEFAULTS[name]!r}" in text, text
    if name not in ("economy", "countries"):
        assert repr(VALUE[name]) in text, text


@pytest.mark.parametrize("name", sorted(INERT))
def test_the_field_is_accepted_where_it_has_an_effect(name):
    values = _with(CASES[name][0], name)
    assert name not in inert_fields(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ModelConfig(**values)


def _fingerprint(config: ModelConfig) -> list[np.ndarray]:
    engine = build_engine(config, 3, replicates=2).run()
    rec = engine.record()
    out = [np.asarray(getattr(rec, f.name)) for f in fields(rec)]
    out.append(engine.country_payoffs(total=True))
    out.extend(np.asarray(v) for v in getattr(engine, "series", {}).values())
    return out


@pytest.mark.parametrize("name, k", INERT_CASES)
def test_an_inert_field_truly_has_no_effect(name, k):
    """The table is right: in each declared setting, the field at its default and at another
    value gives identical runs (the check is bypassed on the frozen config)."""
    setting = {"rounds": 20, **CASES[name][1][k], name: DEFAULTS[name]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InertFieldWarning)
        base, changed = ModelConfig(**setting), ModelConfig(**setting)
    object.__setattr__(changed, name, VALUE[name])
    assert inert_fields({f.name: getattr(changed, f.name) for f in fields(changed)})[name]
    for a, b in zip(_fingerprint(base), _fingerprint(changed), strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- shipped scenarios
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_has_no_inert_field(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_preset(name)


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_lesson_scene_has_no_inert_field(lesson):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scene in LESSONS[lesson].scenes:
            scene.config()


class _Built(Exception):
    """Raised where a run would build its engine or economy: its config was built."""


@pytest.mark.parametrize("scale", [1.0, 3.0])
@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_experiment_config_has_no_inert_field(name, scale, monkeypatch):
    """Each point's config, as the experiment's run function builds it (stopped before it
    builds an engine or an economy)."""

    def stop(*args, **kwargs):
        raise _Built

    monkeypatch.setattr(RoundEngine, "__init__", stop)
    monkeypatch.setattr(Economy, "default", staticmethod(stop))
    monkeypatch.setattr(ModelConfig, "build_economy", stop)  # e.g. big-push: economies only
    from experiments.catalogue import big_push

    big_push._drawn.cache_clear()  # its economies are cached per process: build them here
    exp = EXPERIMENTS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for part in exp.parts.values():
            points = part.points(scale)
            if exp.run is None:
                sw.Sweep(name, points)  # the design's up-front check
            for point in points:
                with pytest.raises(_Built):
                    (exp.run or sw.run_one)(point, 0, 0)


# ---------------------------------------------------------------- sweeps, CLI and app
def test_a_sweep_over_a_field_inert_at_every_point_is_refused():
    design = sw.grid({"rounds": 5}, {"fine": [1.0, 3.0]})  # pairwise mode
    with pytest.raises(ValueError, match=r"varies fine, which has no effect at any .*pairwise"):
        sw.Sweep("x", design)
    design = sw.grid({"mode": "collective", "regime": "plurilateral"}, {"enforcement": [0.1, 1]})
    with pytest.raises(ValueError, match=r"varies enforcement.*regime = 'plurilateral'"):
        sw.Sweep("x", design)


def test_a_sweep_setting_an_erroneous_inert_field_is_refused_up_front():
    design = sw.grid({"hegemon": "coercive"}, {"mode": ["collective", "pairwise"]})
    with pytest.raises(ValueError, match=r"point 1 of the design: hegemon = 'coercive'"):
        sw.Sweep("x", design)


def test_a_sweep_warns_once_for_a_harmless_superset_and_its_runs_do_not():
    design = sw.grid(
        {"mode": "collective", "n_countries": 4, "network": "complete", "fine": 3.0},
        {"regime": ["supranational", "plurilateral", "none"]},
    )
    with pytest.warns(InertFieldWarning) as record:
        sweep = sw.Sweep("x", design)
    assert [str(w.message)[:30] for w in record] == ["2 points, e.g. point 1 of 3: f"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for point in sweep.points:
            sw.split_params(point)


def test_cli_run_prints_one_warning_line_and_refuses_an_error(tmp_path, capsys):
    args = ["run", "--rounds", "5", "--out", str(tmp_path), "--set", "evolution=none"]
    assert main([*args, "--set", "mutation=0.1"]) == 0
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.startswith("warning: ")]
    assert lines == [
        "warning: mutation = 0.1 has no effect when evolution = 'none' (rules are never "
        "revised); for it to take effect set evolution = 'imitation' or 'moran', otherwise "
        "leave mutation at its default 0.0"
    ]
    with pytest.raises(SystemExit) as stop:
        main(["run", "--rounds", "5", "--out", str(tmp_path), "--set", "hegemon=cooperative"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "error: hegemon = 'cooperative' has no effect when mode = 'pairwise'" in err


def test_without_inert_resets_only_what_would_be_refused():
    values = {"mode": "pairwise", "hegemon": "cooperative", **_SIX}
    out = without_inert(values)
    assert out["hegemon"] == "none" and out["countries"] == CLASSROOM.countries
    with pytest.warns(InertFieldWarning):
        ModelConfig(**out)
