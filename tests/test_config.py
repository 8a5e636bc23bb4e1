"""ModelConfig validation: one clear ValueError naming the field for every invalid value."""

import math
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import PRESETS, ModelConfig, load_preset
from model.config import EVOLUTION, HORIZONS

NUMERIC = {f.name: f.metadata for f in fields(ModelConfig) if f.metadata["kind"] in (int, float)}
FLAGS = [f.name for f in fields(ModelConfig) if f.metadata["kind"] is bool]
CHOICES = {f.name: f.metadata["allowed"] for f in fields(ModelConfig) if f.metadata["kind"] is str}


def _bad_numeric(name):
    meta = NUMERIC[name]
    low, high = meta["allowed"]
    below = st.floats(max_value=low, exclude_max=True, allow_nan=False, allow_infinity=False)
    above = st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False)
    bad = [
        below,
        above,
        st.just(math.nan),
        st.just(math.inf),
        st.just(-math.inf),
        st.text(max_size=3),
        st.none(),
        st.booleans(),
    ]
    if meta["kind"] is int:
        bad.append(st.floats(min_value=low + 0.1, max_value=max(low + 0.2, high - 0.1)))
        bad = [
            b.map(
                lambda v: (
                    int(v)
                    if isinstance(v, float) and v.is_integer() and not (low <= v <= high)
                    else v
                )
            )
            for b in bad
        ]
    return st.one_of(*bad)


@pytest.mark.parametrize("name", sorted(NUMERIC))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_invalid_numeric_value_names_the_field(name, data):
    value = data.draw(_bad_numeric(name))
    with pytest.raises(ValueError) as err:
        ModelConfig(**{name: value})
    assert str(err.value).startswith(f"{name} = "), str(err.value)
    assert "allowed" in str(err.value)


@pytest.mark.parametrize("name", FLAGS)
@pytest.mark.parametrize("value", [0, 1, "yes", None, 1.0])
def test_flags_take_only_booleans(name, value):
    with pytest.raises(ValueError, match=rf"^{name} = .*allowed: true or false"):
        ModelConfig(**{name: value})


@pytest.mark.parametrize("name", sorted(CHOICES))
@given(value=st.text(min_size=1, max_size=12))
def test_invalid_choice_lists_allowed_values(name, value):
    if value in CHOICES[name]:
        return
    with pytest.raises(ValueError, match=rf"^{name} = .*allowed: "):
        ModelConfig(**{name: value})


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"game": "poker"}, "game"),
        ({"game": (1, 1, 0, 0)}, "game"),  # R == T: not a game (no strict preference)
        ({"game": 3}, "game"),
        ({"strategies": {"TitForTat": 1, "Nonsense": 1}}, "strategies"),
        ({"strategies": {"TitForTat": -1}}, "strategies"),
        ({"strategies": {"TitForTat": 0}}, "strategies"),
        ({"strategies": {}}, "strategies"),
        ({"strategies": "TitForTat"}, "strategies"),
        ({"strategies": ("TitForTat", "AllD")}, "strategies"),  # 2 names for 12 countries
        ({"horizon": "geometric", "continuation": 1.0}, "continuation"),
        ({"network": "lattice", "n_countries": 10}, "n_countries"),
        ({"network": "ring", "degree": 3}, "degree"),
        ({"n_countries": 4}, "degree"),  # the default small world has degree 4
    ],
)
def test_invalid_combinations_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ModelConfig(**kwargs)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 30),
    delta=st.floats(0, 0.99),
    sigma=st.floats(0, 3),
    noise=st.floats(0, 0.5),
    eps=st.floats(0, 0.5),
    d=st.integers(0, 5),
    evolution=st.sampled_from(EVOLUTION),
    horizon=st.sampled_from(HORIZONS),
    game=st.sampled_from(["prisoners_dilemma", "stag_hunt", "chicken", "harmony", "deadlock"]),
    mix=st.dictionaries(
        st.sampled_from(
            [
                "AllC",
                "AllD",
                "TitForTat",
                "Grim",
                "Calculating",
                "GenerousTitForTat",
                "Random",
                "CoerciveHegemon",
            ]
        ),
        st.floats(0.1, 5),
        min_size=1,
        max_size=5,
    ),
    seed=st.integers(0, 2**32),
)
def test_any_valid_config_runs_with_finite_metrics(
    n, delta, sigma, noise, eps, d, evolution, horizon, game, mix, seed
):
    from model import RegionModel

    cfg = ModelConfig(
        n_countries=n,
        network="complete",
        continuation=delta,
        stake_sigma=sigma,
        noise=noise,
        observation_error=eps,
        observation_delay=d,
        evolution=evolution,
        evolution_interval=3 if evolution != "none" else 10,  # inert without evolution
        horizon=horizon,
        game=game,
        strategies=mix,
        rounds=15,
    )
    model = RegionModel(cfg, seed=seed).run(15)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) >= 1
    assert frame.notna().all().all()
    assert all(math.isfinite(v) for v in frame.to_numpy().ravel())
    shares = frame[[c for c in frame if c.startswith("share_")]].sum(axis=1)
    assert shares.round(9).eq(1).all()


def test_toml_round_trip_and_unknown_field(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "n_countries = 6\ncontinuation = 0.6\ngame = [5, 3, 1, 0]\n"
        "[strategies]\nTitForTat = 2\nAllD = 1\n"
    )
    cfg = ModelConfig.from_toml(path)
    assert (cfg.n_countries, cfg.continuation, cfg.game) == (6, 0.6, (5, 3, 1, 0))
    assert cfg.matrix_game.classify() == "prisoners_dilemma"
    path.write_text("n_countries = 6\ncontinuaton = 0.6\n")
    with pytest.raises(ValueError, match=r"unknown field.*continuaton.*allowed: .*continuation"):
        ModelConfig.from_toml(path)
    path.write_text("n_countries = = 6\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        ModelConfig.from_toml(path)


def test_presets_load_and_unknown_preset_lists_names():
    assert {"default", "evolution"} <= set(PRESETS)
    for name in PRESETS:
        assert isinstance(load_preset(name), ModelConfig)
        assert PRESETS[name]  # every preset has a description
    with pytest.raises(ValueError, match=r"unknown preset 'atlantis'; allowed: .*default"):
        load_preset("atlantis")


def test_describe_covers_every_field():
    names = [row[0] for row in ModelConfig.describe()]
    assert names == [f.name for f in fields(ModelConfig)]
    assert all(row[3] for row in ModelConfig.describe())


def test_replace_refuses_unknown_fields_naming_the_allowed():
    with pytest.raises(ValueError, match=r"field\(s\) contination; allowed: .*continuation"):
        ModelConfig().replace(contination=0.5)
