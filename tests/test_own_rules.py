"""A researcher's own rules (issue 14): registered by name, named after their class by default,
and passed as instances to matches, tournaments and the model.

Expected scores are worked by hand for the default prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0)
of ``model.games.PD``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import agents.strategies as strategies
from agents import STRATEGIES, MemoryOne, Strategy, get_strategy, register_strategy
from agents.strategies import Context, Observed
from experiments.cli import main
from experiments.matches import play_match, tournament
from model.config import ModelConfig
from model.games import PD
from model.region import RegionModel


class AlwaysC(Strategy):
    """Cooperate whatever happens (no ``name``: it is named after its class)."""

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return np.ones(np.shape(h.first))


class NeverC(Strategy):
    """Defect whatever happens (no ``name``)."""

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return np.zeros(np.shape(h.first))


@pytest.fixture
def registry():
    """Registrations made by a test are undone after it (the registry lives for the process)."""
    saved = dict(strategies._FACTORIES), dict(strategies._DEFAULTS)
    yield
    for live, kept in zip((strategies._FACTORIES, strategies._DEFAULTS), saved, strict=True):
        live.clear()
        live.update(kept)


def _region(rules, n: int = 4) -> RegionModel:
    cfg = ModelConfig(n_countries=n, network="complete", strategies=rules, evolution="none")
    return RegionModel(cfg, seed=1)


# ---------------------------------------------------------------------------------------------
# register_strategy


def test_decorator_without_a_name(registry) -> None:
    @register_strategy
    class Kind(AlwaysC):
        pass

    assert Kind.name == "Kind"
    assert isinstance(get_strategy("Kind"), Kind)
    assert get_strategy("kind") is STRATEGIES["Kind"]  # case-insensitive, like the built-ins


def test_decorator_with_a_name_names_the_class(registry) -> None:
    @register_strategy("Kindly")
    class Impl(AlwaysC):
        pass

    assert Impl.name == "Kindly" and get_strategy("Kindly").name == "Kindly"
    assert "Impl" not in STRATEGIES


def test_function_form_with_a_factory_takes_parameters(registry) -> None:
    def sometimes(p: float = 0.9) -> MemoryOne:
        name = "Sometimes" if p == 0.9 else f"Sometimes({p:g})"
        return MemoryOne(p, p, p, p, p, name=name)

    assert register_strategy(sometimes) is sometimes
    assert get_strategy("Sometimes").vector == (0.9,) * 5
    assert get_strategy("Sometimes(0.2)").vector == (0.2,) * 5
    assert get_strategy("Sometimes(0.2)").name == "Sometimes(0.2)"


def test_function_form_with_an_instance_or_a_class(registry) -> None:
    mine = MemoryOne(1, 1, 0, 1, 1, name="Mine")
    register_strategy(mine)
    assert get_strategy("Mine") is mine

    class Hawk(NeverC):
        pass

    assert register_strategy(Hawk, name="Stubborn") is Hawk
    assert isinstance(get_strategy("Stubborn"), Hawk) and Hawk.name == "Stubborn"


def test_the_registry_is_a_read_only_live_view(registry) -> None:
    with pytest.raises(TypeError):
        STRATEGIES["Mine"] = MemoryOne(1, 1, 0, 1, 1, name="Mine")  # type: ignore[index]
    assert "Mine" not in STRATEGIES
    register_strategy(MemoryOne(1, 1, 0, 1, 1, name="Mine"))
    assert "Mine" in STRATEGIES


@pytest.mark.parametrize(
    ("name", "taken"),
    [("Grim", "'Grim'"), ("grim", "'Grim'"), ("TITFORTAT", "'TitForTat'"), ("tft", "'TFT'")],
)
def test_a_taken_name_is_an_error_that_says_what_to_do(registry, name: str, taken: str) -> None:
    with pytest.raises(ValueError, match=f"name '{name}' is taken by .*{taken}") as info:
        register_strategy(AlwaysC, name=name)
    assert "choose another" in str(info.value)
    assert AlwaysC.name == "AlwaysC"  # nothing changed


def test_registering_a_name_twice_is_an_error(registry) -> None:
    register_strategy(MemoryOne(1, 1, 1, 1, 1, name="Mine"))
    with pytest.raises(ValueError, match="'mine' is taken by 'Mine'"):
        register_strategy(MemoryOne(0, 0, 0, 0, 0, name="mine"))
    assert get_strategy("Mine").vector == (1.0,) * 5


@pytest.mark.parametrize("name", ["My rule", "1st", "", "Tit-for-tat"])
def test_a_name_that_cannot_be_typed_is_an_error(registry, name: str) -> None:
    with pytest.raises(ValueError, match="allowed: a letter"):
        register_strategy(AlwaysC, name=name)


def test_the_rule_must_carry_its_registered_name(registry) -> None:
    with pytest.raises(ValueError, match="named 'Mine', not 'Other'"):
        register_strategy(MemoryOne(1, 1, 0, 1, 1, name="Mine"), name="Other")
    assert "Other" not in STRATEGIES and "Mine" not in STRATEGIES


def test_a_registered_name_works_in_the_config_tournament_and_command_line(
    registry, tmp_path, capsys
) -> None:

    @register_strategy("Dove")
    class _Dove(AlwaysC):
        pass

    # a mix of 2 Doves and 2 AllD on K4: each Dove cooperates on its 3 edges, AllD on none
    m = _region({"Dove": 1, "AllD": 1}).run(3)
    frame = m.datacollector.get_model_vars_dataframe()
    assert list(frame["share_Dove"]) == [0.5] * 3
    assert list(frame["cooperation"]) == [0.5] * 3
    table = tournament(["Dove", "TitForTat"], rounds=10)
    assert table.loc["Dove", "TitForTat"] == 10 * PD.R
    assert main(["tournament", "Dove", "AllD", "--rounds", "10", "--out", str(tmp_path)]) == 0
    saved = pd.read_csv(tmp_path / "tournament.csv", index_col=0)
    assert saved.loc["Dove", "AllD"] == 10 * PD.S and saved.loc["AllD", "Dove"] == 10 * PD.T


# ---------------------------------------------------------------------------------------------
# default names


def test_a_subclass_without_a_name_is_named_after_its_class() -> None:
    assert (AlwaysC().name, NeverC().name) == ("AlwaysC", "NeverC")
    assert repr(AlwaysC()) == "AlwaysC"
    assert Strategy.name == "Strategy"


def test_two_unnamed_subclasses_get_their_own_share_columns() -> None:
    m = _region((AlwaysC(), AlwaysC(), NeverC(), NeverC())).run(2)
    frame = m.datacollector.get_model_vars_dataframe()
    assert {"share_AlwaysC", "share_NeverC"} <= set(frame.columns)
    assert "share_Strategy" not in frame.columns
    assert list(frame["share_AlwaysC"]) == [0.5, 0.5]
    assert list(m.agents.get("strategy")) == ["AlwaysC", "AlwaysC", "NeverC", "NeverC"]


# ---------------------------------------------------------------------------------------------
# instances, registered or not


def test_play_match_with_instances() -> None:
    m = play_match(AlwaysC(), "TitForTat", rounds=10)
    assert (m.score_a, m.score_b) == (10 * PD.R, 10 * PD.R)
    mine = MemoryOne(1, 1, 1, 1, 1, name="Mine")
    m = play_match(mine, "AllD", rounds=10)
    assert (m.actions_a, m.score_a, m.score_b) == ("C" * 10, 10 * PD.S, 10 * PD.T)


def test_tournament_with_an_unregistered_instance() -> None:
    """AlwaysC, TitForTat and AllD, 10 rounds:
    AlwaysC: 10R vs itself, 10R vs TFT, 10S vs AllD          = 30 + 30 + 0 = 60;
    TitForTat: 10R vs AlwaysC, 10R vs itself, S + 9P vs AllD  = 30 + 30 + 9 = 69;
    AllD: 10T vs AlwaysC, T + 9P vs TFT, 10P vs itself        = 50 + 14 + 10 = 74."""
    table = tournament([AlwaysC(), "TitForTat", "AllD"], rounds=10)
    assert list(table.index) == ["AllD", "TitForTat", "AlwaysC"]
    assert table["total"].to_dict() == {"AllD": 74.0, "TitForTat": 69.0, "AlwaysC": 60.0}
    assert table.loc["TitForTat", "AllD"] == PD.S + 9 * PD.P
    assert table.loc["AllD", "TitForTat"] == PD.T + 9 * PD.P
    assert table.loc["AlwaysC", "per_round"] == 60 / (3 * 10)


def test_a_mix_of_instances_in_the_model() -> None:
    mine = MemoryOne(1, 1, 1, 1, 1, name="Mine")
    m = _region({mine: 1, NeverC(): 1}).run(2)
    frame = m.datacollector.get_model_vars_dataframe()
    assert list(frame["share_Mine"]) == [0.5, 0.5]
    assert list(frame["cooperation"]) == [0.5, 0.5]


def test_an_alias_in_a_mix() -> None:
    frame = _region({"TFT": 1, "AllD": 1}).run(1).datacollector.get_model_vars_dataframe()
    assert list(frame["share_TitForTat"]) == [0.5]


def test_equal_instances_are_one_rule() -> None:
    m = _region(("Random(0.3)", "Random(0.3)", AlwaysC(), AlwaysC()))
    assert m.engine.strategy_names == ["Random(0.3)", "AlwaysC"]


@pytest.mark.parametrize(
    "make",
    [
        lambda rules: ModelConfig(n_countries=2, strategies=rules, network="complete"),
        lambda rules: ModelConfig(strategies=dict.fromkeys(rules, 1)),
        lambda rules: play_match(*rules, rounds=5),
        lambda rules: tournament(rules, rounds=5),
    ],
    ids=["config-tuple", "config-mix", "play_match", "tournament"],
)
def test_two_different_rules_with_one_name_are_an_error(make) -> None:
    impostor = MemoryOne(1, 1, 1, 1, 1, name="TitForTat")
    with pytest.raises(ValueError, match="strategies: two different rules are named 'TitForTat'"):
        make([impostor, "TitForTat"])


def test_one_rule_twice_in_a_mix_is_an_error() -> None:
    with pytest.raises(ValueError, match="strategies: 'TitForTat' is given twice"):
        ModelConfig(strategies={"TFT": 1, "TitForTat": 2})
    with pytest.raises(ValueError, match="strategies: 'AllD' is given twice"):
        tournament(["AllD", "defector"], rounds=5)
