"""Country agents are complete views, cached per round; the DataCollector stores them by column;
Mesa's ``rng=`` seeds the model."""

import mesa
import networkx as nx
import numpy as np
import pytest

import model.region as region
from agents import CountryAgent
from agents.country import CollectiveCountryAgent
from model import ModelConfig, RegionModel
from model.engine import build_engine

COLLECTIVE = ("action", "member", "game_class", "delta_star", "plants")


def _properties(cls: type) -> set[str]:
    own = {n for n in dir(cls) if isinstance(getattr(cls, n), property) and not n.startswith("_")}
    return own - {n for n in dir(mesa.Agent) if isinstance(getattr(mesa.Agent, n), property)}


def test_the_documented_attributes_are_exactly_the_agents_properties():
    assert set(CountryAgent.ATTRIBUTES) == _properties(CountryAgent)
    assert set(CollectiveCountryAgent.ATTRIBUTES) == _properties(CollectiveCountryAgent)
    assert set(CollectiveCountryAgent.ATTRIBUTES) - set(CountryAgent.ATTRIBUTES) == set(COLLECTIVE)
    for cls in (CountryAgent, CollectiveCountryAgent):
        for name in cls.ATTRIBUTES:
            assert f"``{name}``" in cls.__doc__, name
    for name in COLLECTIVE:
        assert f"``{name}``" in region.__doc__, name


# a hand-built network of 4 countries: 0–1, 0–2, 0–3, 2–3 (degrees 3, 1, 2, 2)
KITE = [(0, 1), (0, 2), (0, 3), (2, 3)]
# last round's action of i towards j, i's trust in j and i's payoff from j, per directed edge
ACTION = {
    (0, 1): True, (0, 2): False, (0, 3): True, (1, 0): False,
    (2, 0): True, (2, 3): True, (3, 0): False, (3, 2): False,
}  # fmt: skip
TRUST = {
    (0, 1): 0.3, (0, 2): 0.6, (0, 3): 0.9, (1, 0): 0.25,
    (2, 0): 0.5, (2, 3): 1.0, (3, 0): 0.0, (3, 2): 0.4,
}  # fmt: skip
PAY = {
    (0, 1): 0.0, (0, 2): 5.0, (0, 3): 3.0, (1, 0): 5.0,
    (2, 0): 0.0, (2, 3): 3.0, (3, 0): 1.0, (3, 2): 5.0,
}  # fmt: skip
# worked by hand from the three tables
HAND = {
    "degree": [3, 1, 2, 2],
    "cooperation": [2 / 3, 0.0, 1.0, 0.0],
    "trust": [(0.3 + 0.6 + 0.9) / 3, 0.25, 0.75, 0.2],
    "payoff": [8.0, 5.0, 3.0, 6.0],
    "total_payoff": [16.0, 10.0, 6.0, 12.0],  # two rounds of the same payoffs
}


def _kite_model(monkeypatch) -> RegionModel:
    graph = nx.Graph(KITE)
    real = region.build_engine
    monkeypatch.setattr(
        region, "build_engine", lambda cfg, seed, economy=None: real(cfg, seed, graph=graph)
    )
    cfg = ModelConfig(
        n_countries=4,
        network="complete",
        strategies=("AllC", "AllD", "TitForTat", "Grim"),
        rounds=10,
    )
    return RegionModel(cfg, seed=1)


def _per_edge(eng, table: dict) -> np.ndarray:
    return np.array([table[(i, j)] for i, j in zip(eng.edges.src, eng.edges.dst, strict=True)])


def test_every_documented_attribute_of_a_pairwise_agent_against_hand_values(monkeypatch):
    model = _kite_model(monkeypatch)
    model.step()
    eng = model.engine
    eng.actions_last = _per_edge(eng, ACTION)[None, :]
    eng.trust = _per_edge(eng, TRUST)[None, :]
    eng.payoff_last = _per_edge(eng, PAY)[None, :]
    eng.edge_total = 2 * eng.payoff_last
    model.country_arrays.invalidate()  # the engine's arrays were edited within the round
    agents = list(model.countries)
    assert [a.country_id for a in agents] == [0, 1, 2, 3]
    for agent in agents:
        i = agent.country_id
        assert isinstance(agent, CountryAgent) and not isinstance(agent, CollectiveCountryAgent)
        values = {name: getattr(agent, name) for name in CountryAgent.ATTRIBUTES}
        assert values["label"] == str(i)
        assert values["strategy"] == ("AllC", "AllD", "TitForTat", "Grim")[i]
        for name, expected in HAND.items():
            assert values[name] == pytest.approx(expected[i]), (name, i)
        for name in COLLECTIVE:  # absent by design in pairwise mode, not an error halfway
            assert not hasattr(agent, name)
            with pytest.raises(AttributeError):
                getattr(agent, name)


def test_views_follow_the_rounds_and_scan_the_edges_once_per_round(monkeypatch):
    model = _kite_model(monkeypatch)
    arrays = model.country_arrays
    calls = {"cooperation": 0}
    compute = arrays._compute["cooperation"]

    def counted():
        calls["cooperation"] += 1
        return compute()

    arrays._compute["cooperation"] = counted
    eng = model.engine
    for rounds in range(1, 4):
        model.step()
        for _ in range(3):  # three full passes over the agents in the same round
            got = [a.cooperation for a in model.countries]
        assert calls["cooperation"] == rounds  # one vectorised pass per round
        # brute force: each country's own out-edges, scanned one by one
        a = eng.actions_last[0]
        assert got == pytest.approx(
            [a[np.flatnonzero(eng.edges.src == i)].mean() for i in range(4)]
        )


def _collective_model(**changes) -> RegionModel:
    cfg = ModelConfig(
        mode="collective", n_countries=4, network="ring", degree=2, regime="plurilateral",
        rounds=10, **changes,
    )  # fmt: skip
    return RegionModel(cfg, seed=1)


def test_every_documented_attribute_of_a_collective_agent_against_hand_values():
    model = _collective_model()
    model.step()
    eng = model.engine
    K = eng.economies[0].K
    eng.country_actions = np.array([[True, False, True, False]])
    eng.members = np.array([[True, True, False, True]])
    eng.actions_last = eng.country_actions[:, eng.edges.src]
    invest = np.zeros((1, 4, K), bool)
    invest[0, 0, [0, 2]] = True
    invest[0, 3, K - 1] = True
    eng.investments = invest
    model.country_arrays.invalidate()
    names = [s.name for s in eng.economies[0].sectors]
    plants = [f"{names[0]};{names[2]}", "", "", names[K - 1]]
    classes, stars = eng.game_classes[0], eng.critical_deltas(0)
    assert model.coordinator is not None
    for agent in model.countries:
        i = agent.country_id
        assert isinstance(agent, CollectiveCountryAgent)
        values = {name: getattr(agent, name) for name in CollectiveCountryAgent.ATTRIBUTES}
        assert values["action"] == "CDCD"[i]
        assert values["member"] == [True, True, False, True][i]
        assert values["cooperation"] == [1.0, 0.0, 1.0, 0.0][i]
        assert values["degree"] == 2
        assert values["plants"] == plants[i]
        assert values["game_class"] == classes[i]
        assert values["delta_star"] == stars[i]
        assert values["payoff"] == eng.country_payoff_last[0, i]
        assert values["total_payoff"] == eng.country_total[0, i]
        assert values["strategy"] == eng.strategy_names[eng.strategy_of_country[0, i]]
        assert values["label"] == eng.economies[0].countries[i]
    # the coordinator's documented attributes read replicate 0 of the engine
    c = model.coordinator
    assert np.array_equal(c.plan, eng.plan[0]) and np.array_equal(c.members, eng.members[0])
    assert np.array_equal(c.projected_gain, eng.plan_payoff[0] - eng.outside_option[0])
    assert np.array_equal(c.transfers, eng.transfers_last[0])
    assert c.pool == eng.pool[0] and c.optimum == eng.w_opt[0]
    assert c.plan_welfare == pytest.approx(eng.plan_payoff[0].sum())


@pytest.mark.parametrize("mode", ["pairwise", "collective"])
def test_the_country_table_is_the_one_mesas_own_collector_builds(mode):
    model = (
        _collective_model()
        if mode == "collective"
        else RegionModel(ModelConfig(n_countries=9, evolution="imitation", rounds=12), seed=2)
    )
    reporters = dict(model.datacollector.agenttype_reporters[model.country_type])
    names = ["strategy", "payoff", "cooperation"]
    names += ["action", "member", "game_class"] if mode == "collective" else []
    assert list(reporters) == names
    stock = mesa.DataCollector(agenttype_reporters={model.country_type: {n: n for n in names}})
    for _ in range(6):
        model.step()
        stock.collect(model)
    ours = model.datacollector.get_agenttype_vars_dataframe(CountryAgent)
    theirs = stock.get_agenttype_vars_dataframe(model.country_type)
    assert len(ours) == 6 * len(model.countries)
    assert ours.equals(theirs)
    if mode == "pairwise":
        assert ours["strategy"].nunique() > 1 and ours["cooperation"].nunique() > 1


def test_a_users_own_country_reporter_is_collected_per_agent():
    model = RegionModel(ModelConfig(n_countries=6, rounds=5), seed=3)
    model.datacollector._new_agenttype_reporter(CountryAgent, "double", lambda a: 2 * a.country_id)
    model.run(2)
    frame = model.datacollector.get_agenttype_vars_dataframe(CountryAgent)
    assert list(frame["double"]) == [0, 2, 4, 6, 8, 10] * 2


# ------------------------------------------------------------------ Mesa's rng


def _frames(model: RegionModel, rounds: int = 15):
    model.run(rounds)
    dc = model.datacollector
    return dc.get_model_vars_dataframe(), dc.get_agenttype_vars_dataframe(CountryAgent)


CFG = ModelConfig(n_countries=10, noise=0.1, observation_error=0.1, rounds=20)


def test_rng_seed_is_the_same_as_seed_and_as_the_bare_engine():
    a_rounds, a_agents = _frames(RegionModel(CFG, rng=5))
    b_rounds, b_agents = _frames(RegionModel(CFG, seed=5))
    assert a_rounds.equals(b_rounds) and a_agents.equals(b_agents)
    eng = build_engine(CFG, 5).run(15)
    assert list(a_rounds["cooperation"]) == list(eng.record().cooperation[:, 0])
    c_rounds, _ = _frames(RegionModel(CFG, rng=6))
    assert not a_rounds.equals(c_rounds)


def test_a_generator_as_rng_is_the_models_random_source():
    g = np.random.default_rng(5)
    model = RegionModel(CFG, rng=g)
    assert model.rng is g  # Mesa's own generator is the one passed
    a = _frames(model)
    b = _frames(RegionModel(CFG, rng=np.random.default_rng(5)))
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not a[0].equals(_frames(RegionModel(CFG, rng=np.random.default_rng(6)))[0])
    moved = np.random.default_rng(5)
    moved.random()  # the same seed, a later state: another run
    assert not a[0].equals(_frames(RegionModel(CFG, rng=moved))[0])
    again = _frames(RegionModel(CFG, seed=model.seed))  # the drawn root replays the run
    assert a[0].equals(again[0])


def test_seed_and_rng_together_is_one_clear_error():
    with pytest.raises(ValueError, match="seed and rng"):
        RegionModel(CFG, seed=1, rng=1)
