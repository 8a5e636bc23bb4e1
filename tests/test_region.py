"""RegionModel behaves like any Mesa model, and its agents are views on the engine."""

import mesa
import numpy as np
import pytest

from agents import CountryAgent
from model import ModelConfig, RegionModel


def test_region_model_is_a_mesa_model_with_country_agents():
    model = RegionModel(ModelConfig(n_countries=10, rounds=30), seed=2)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == 10
    assert all(isinstance(a, CountryAgent) for a in model.agents)
    model.run(30)
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["round"]) == list(range(1, 31))
    for column in ("cooperation", "mutual_cooperation", "mean_payoff", "trust"):
        assert frame[column].between(0, 5).all()
    assert not model.running  # the fixed horizon is reached
    agents = model.datacollector.get_agenttype_vars_dataframe(CountryAgent)
    assert len(agents) == 30 * 10 and {"strategy", "payoff", "cooperation"} <= set(agents)


def test_agents_read_the_engine_arrays():
    model = RegionModel(
        ModelConfig(
            n_countries=8, network="ring", degree=2, strategies={"AllC": 1, "AllD": 1}, rounds=5
        ),
        seed=4,
    )
    model.run(5)
    eng = model.engine
    for agent in model.agents:
        i = agent.country_id
        assert agent.strategy == eng.strategy_names[eng.strategy_of_country[0, i]]
        assert agent.degree == 2
        # a ring of AllC/AllD: payoff from the two neighbours' fixed moves, worked by hand
        neighbours = [
            eng.strategy_names[eng.strategy_of_country[0, j]] for j in model.graph.neighbors(i)
        ]
        pay = {("AllC", "AllC"): 3, ("AllC", "AllD"): 0, ("AllD", "AllC"): 5, ("AllD", "AllD"): 1}
        expected = sum(pay[(agent.strategy, n)] for n in neighbours)
        assert agent.payoff == expected
        assert agent.total_payoff == 5 * expected
        assert agent.cooperation == (1.0 if agent.strategy == "AllC" else 0.0)


def test_keyword_overrides_and_geometric_horizon_stops_the_model():
    model = RegionModel(horizon="geometric", continuation=0.5, rounds=1000, seed=3)
    model.run(1000)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.engine.horizon[0] < 1000
    assert not model.running


def test_same_seed_same_dataframe():
    cfg = ModelConfig(noise=0.1, observation_error=0.1, stake_sigma=0.5, rounds=40)
    a = RegionModel(cfg, seed=5).run(40).datacollector.get_model_vars_dataframe()
    b = RegionModel(cfg, seed=5).run(40).datacollector.get_model_vars_dataframe()
    assert a.equals(b)


def test_no_nan_or_inf_in_any_collected_metric():
    cfg = ModelConfig(
        n_countries=25,
        network="barabasi_albert",
        degree=4,
        noise=0.1,
        observation_error=0.2,
        observation_delay=3,
        stake_sigma=2.5,
        evolution="moran",
        evolution_interval=3,
        rounds=60,
    )
    model = RegionModel(cfg, seed=6).run(60)
    for frame in (
        model.datacollector.get_model_vars_dataframe(),
        model.datacollector.get_agenttype_vars_dataframe(CountryAgent).drop(columns="strategy"),
    ):
        values = frame.to_numpy(dtype=float)
        assert np.isfinite(values).all()


def test_unseeded_model_records_its_seed():
    model = RegionModel(ModelConfig(rounds=5))
    again = RegionModel(ModelConfig(rounds=5), seed=model.seed)
    model.run(5)
    again.run(5)
    assert model.datacollector.get_model_vars_dataframe().equals(
        again.datacollector.get_model_vars_dataframe()
    )
    assert isinstance(model.seed, int)


def test_bad_override_is_one_clear_error():
    with pytest.raises(ValueError, match=r"^noise = 0\.9: allowed"):
        RegionModel(noise=0.9)
