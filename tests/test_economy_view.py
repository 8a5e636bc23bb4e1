"""The economy view (issue 12, item 3): tables on hand-worked states, the figure, the panel.

Hand-worked economy: Wang's market-sharing game on three markets worth 3 (κ = 0, price-takers,
no costs): a market's producers share its value, so one plant earns 3, two earn 3/2 each; from
no plants each country takes its own market, so the status quo is one country per market, every
outside option P_i = 3 and the plan is the status quo itself (R = T = P = 3: harmony, δ* = 0).
A market's surplus n·(3/n) is 3 for any n ≥ 1, so the market supports one plant.
"""

from __future__ import annotations

import math

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
from widget_text import plain_and_raw, texts  # tests/ is on the path (pytest prepend mode)

from experiments.cli import main
from model.config import ModelConfig
from model.economy import Economy
from model.engine import CollectiveEngine
from model.region import RegionModel
from model.scenarios import load_preset
from viz import app as app_module
from viz.charts import strategy_colour
from viz.economy import (
    COUNTRY_COLUMNS,
    FOLLOWED_COLOUR,
    OUTSIDER_COLOUR,
    SECTOR_COLUMNS,
    WENT_ALONE_COLOUR,
    EconomyPanel,
    EconomyPlot,
    difference_words,
    economy_table,
    payoff_table,
    sector_table,
)
from viz.session import Session
from viz.view import TabView

THREE = dict(
    n_countries=3,
    network="complete",
    mode="collective",
    rounds=12,
    coordination_cost=0.0,
    replan_interval=1000,
    strategies=("AllC",) * 3,
)


def three_markets(**changes) -> CollectiveEngine:
    cfg = ModelConfig(**{**THREE, **changes})
    return CollectiveEngine(cfg, Economy.market_sharing([3, 3, 3], 3), seed=1)


def hand_state() -> CollectiveEngine:
    """After one hand-made round: the plan puts country i in market i; C0 (a member) followed
    it; C1 (a member) went alone into market 0 instead of market 1; C2 (outside the
    arrangement) built nothing. Market 0 then has two producers (3/2 each), markets 1 and 2
    none; C0 received a transfer of 0.25."""
    eng = three_markets()
    econ = eng.economies[0]
    assert np.array_equal(eng.plan[0], np.eye(3, dtype=bool))  # the status quo, as reasoned
    eng.members[0] = [True, True, False]
    eng.country_actions[0] = [True, False, False]
    eng.investments[0] = [[True, False, False], [True, False, False], [False, False, False]]
    eng.transfers_last[0] = [0.25, 0.0, 0.0]
    eng.country_payoff_last[0] = econ.payoffs(eng.investments[0]) + eng.transfers_last[0]
    eng.t = 1
    return eng


# ------------------------------------------------------------------ words


@pytest.mark.parametrize(
    ("planned", "built", "words"),
    [
        (["a"], ["a"], "built as planned"),
        ([], [], "built nothing, as planned"),
        (["a"], ["b"], "went alone: built b instead of a"),
        (["a", "b"], ["c"], "went alone: built c instead of a and b"),
        (["a", "b", "c"], ["d"], "went alone: built d instead of a, b and c"),
        (["a"], ["a", "b"], "went alone: also built b"),
        (["a", "b"], ["a"], "left out b"),
        (["a", "b"], [], "left out a and b"),
    ],
)
def test_difference_in_words(planned, built, words):
    assert difference_words(planned, built) == words


# ------------------------------------------------------------------ the tables


def test_country_table_on_a_hand_worked_round():
    table = economy_table(hand_state())
    assert list(table.columns) == list(COUNTRY_COLUMNS)
    assert table["country"].tolist() == ["C0", "C1", "C2"]
    assert table["member"].tolist() == [True, True, False]
    assert table["followed"].tolist() == ["C", "D", "–"]
    assert table["planned"].tolist() == ["market_0", "market_1", "market_2"]
    assert table["built"].tolist() == ["market_0", "market_0", ""]
    assert table["difference"].tolist() == [
        "built as planned",
        "went alone: built market_0 instead of market_1",
        "left out market_2",
    ]
    # two producers share market 0's 3; C0's transfer is on top
    np.testing.assert_allclose(table["payoff"], [1.5 + 0.25, 1.5, 0.0])
    np.testing.assert_allclose(table["plan_payoff"], [3.0, 3.0, 3.0])  # alone in its market
    np.testing.assert_allclose(table["alone"], [3.0, 3.0, 3.0])  # the status quo is the plan
    np.testing.assert_allclose(table["transfer"], [0.25, 0.0, 0.0])
    assert table["game"].tolist() == ["harmony"] * 3  # R = T = P: following is a best reply
    np.testing.assert_allclose(table["delta_star"], [0.0, 0.0, 0.0])


def test_sector_table_on_a_hand_worked_round():
    eng = hand_state()
    table = sector_table(eng)
    assert set(SECTOR_COLUMNS) < set(table.columns) == {*SECTOR_COLUMNS, "needed"}
    assert table["sector"].tolist() == ["market_0", "market_1", "market_2"]
    assert table["planned"].tolist() == [1, 1, 1]
    assert table["built"].tolist() == [2, 0, 0]
    assert table["supported"].tolist() == [1, 1, 1]
    assert table["duplication"].tolist() == [1, 0, 0]
    gap = "shortfall: 1 planned plant not built; nobody builds it: a gap in the supply chain"
    assert table["note"].tolist() == [
        "duplication: 2 plants where the market supports 1",
        gap,
        gap,
    ]
    # the column sums to the model's own duplication metric
    assert table["duplication"].sum() == eng.economies[0].duplication(eng.investments[0])


def test_a_defector_whose_best_response_is_its_part_says_so():
    eng = hand_state()
    eng.investments[0] = np.eye(3, dtype=bool)  # C1 did not follow, yet built market 1
    table = economy_table(eng)
    assert table["difference"][1] == "went its own way, but built the same plants as planned"
    assert sector_table(eng)["note"].tolist() == ["as planned"] * 3


def test_before_the_first_round_nothing_is_reported_as_played():
    eng = three_markets()
    table = economy_table(eng)
    assert table["followed"].tolist() == ["–"] * 3
    assert table["difference"].tolist() == ["no round played yet"] * 3
    assert table["payoff"].isna().all() and table["transfer"].isna().all()
    np.testing.assert_allclose(table["plan_payoff"], 3.0)  # the plan is known already
    assert sector_table(eng)["note"].tolist() == ["no round played yet"] * 3


def test_a_full_run_agrees_with_the_engine_and_the_folk_theorem():
    """Classroom economy, no delay and no misreading: a prisoner's-dilemma country's δ* is the
    Grim threshold (T − R)/(T − P) of its own game; a country's realised payoff is what its
    plants earned among the plants actually built, minus a member's coordination cost, plus
    its transfer (its plan payoff when everyone followed); duplication sums to the round's
    series."""
    cfg = load_preset("classroom").replace(observation_delay=0, observation_error=0.0, noise=0.1)
    session = Session(cfg, seed=2)
    seen_pd = seen_alone = False
    for _ in range(6):
        session.step(3)
        eng = session.model.engine
        table = economy_table(session)
        g = eng.games
        built = eng.economies[0].payoffs(eng.investments[0])  # what its plants earned
        everyone_followed = (table["followed"] == "C").all()
        for i, row in table.iterrows():
            if row["game"] == "prisoner's dilemma" and 0 < row["delta_star"] < math.inf:
                T, R, P = g["T"][0, i], g["R"][0, i], g["P"][0, i]
                assert row["delta_star"] == pytest.approx((T - R) / (T - P))
                seen_pd = True
            cost = cfg.coordination_cost * row["member"]  # plurilateral: no fines
            assert row["payoff"] == pytest.approx(built[i] - cost + row["transfer"])
            if everyone_followed:
                assert row["payoff"] == pytest.approx(row["plan_payoff"] - cost + row["transfer"])
            if row["followed"] == "C":
                assert row["difference"] == "built as planned"
            elif row["followed"] == "D" and row["difference"].startswith("went alone"):
                seen_alone = True
        sectors = sector_table(session)
        assert sectors["duplication"].sum() == eng.series["duplication"][eng.t - 1, 0]
        assert sectors["built"].sum() == eng.investments[0].sum()
    assert seen_pd and seen_alone


def test_payoffs_compare_at_the_rounds_stake():
    """Irregular stakes: the plan's and going alone's payoffs are shown at last round's stake,
    so a country that followed a plan with no costs earns exactly its plan payoff."""
    eng = three_markets(stake_sigma=0.8)
    for _ in range(3):
        eng.step()
        table = economy_table(eng)
        np.testing.assert_allclose(table["payoff"], table["plan_payoff"])
        assert not np.allclose(table["payoff"], 3.0)  # the stake is not 1


def test_pairwise_mode_has_payoffs_but_no_economy():
    """AllC meets AllD once in the prisoner's dilemma (5, 3, 1, 0): S = 0 and T = 5."""
    session = Session(
        ModelConfig(n_countries=2, network="complete", strategies=["AllC", "AllD"]), seed=1
    )
    session.step()
    table = payoff_table(session)
    assert table["strategy"].tolist() == ["AllC", "AllD"]
    assert table["payoff"].tolist() == [0.0, 5.0]
    with pytest.raises(ValueError, match="collective"):
        economy_table(session)


# ------------------------------------------------------------------ the figure


def test_economy_plot_draws_the_tables_values():
    session = Session(load_preset("classroom").replace(noise=0.2), seed=2)
    session.step(6)
    plot = EconomyPlot(session)
    png = plot.render(session)
    assert png.startswith(b"\x89PNG")
    eng = session.model.engine
    table = economy_table(session)
    tops = [np.asarray(p.vertices)[1, 1] for p in plot.plan_bars.get_paths()]
    np.testing.assert_allclose(tops, table["plan_payoff"])
    tops = [np.asarray(p.vertices)[1, 1] for p in plot.real_bars.get_paths()]
    np.testing.assert_allclose(tops, table["payoff"])
    colours = [tuple(c) for c in plot.real_bars.get_facecolors()]
    expected = np.where(
        eng.members[0],
        np.where(eng.country_actions[0], FOLLOWED_COLOUR, WENT_ALONE_COLOUR),
        OUTSIDER_COLOUR,
    )
    from matplotlib.colors import to_rgba

    assert colours == [to_rgba(c) for c in expected]
    x, y = plot.gini_line.get_data()
    np.testing.assert_allclose(y, eng.series["gini"][: eng.t, 0])
    assert list(x) == list(range(1, eng.t + 1))
    assert plot.ax.get_ylim()[1] >= table[["payoff", "plan_payoff", "alone"]].max().max()
    plot.close()


def test_pairwise_plot_colours_countries_by_strategy():
    session = Session(
        ModelConfig(n_countries=4, network="complete", strategies={"AllC": 1, "AllD": 1}), seed=1
    )
    session.step(2)
    plot = EconomyPlot(session)
    plot.render(session)
    from matplotlib.colors import to_rgba

    names = payoff_table(session)["strategy"]
    assert [tuple(c) for c in plot.bars.get_facecolors()] == [
        to_rgba(strategy_colour(s)) for s in names
    ]
    plot.close()


# ------------------------------------------------------------------ the tab and the panel


def test_the_view_is_computed_only_while_shown():
    view = TabView("preset=classroom")
    assert view.economy is None
    view.step()  # hidden: nothing built
    assert view.economy is None
    view.show_economy(True)
    first = view.economy.png
    assert first.startswith(b"\x89PNG") and len(view.economy.countries) == 6
    view.step(2)
    assert view.economy.png != first
    assert view.economy.countries["payoff"].tolist() == pytest.approx(
        view.session.model.engine.country_payoff_last[0].tolist()
    )
    view.reset(load_preset("mercosur"), 1, "mercosur")  # a new model: a new economy figure
    assert view.economy.countries["country"].tolist() == list(view.session.model.economy.countries)
    view.show_economy(False)
    assert view.economy is None
    view.show_economy(True)
    view.close()
    assert view.economy is None


def test_page_shows_the_economy_tab_and_updates_it_each_step():
    box, rc = solara.render(
        solara.AppLayout(children=[app_module.Page(query="preset=classroom")]),
        handle_error=False,
    )
    assert "plan vs built" not in texts(box)  # the hidden tab is not rendered
    rc.find(v.Tabs).widget.v_model = 1
    shown = texts(box)
    assert "plan vs built" in shown and "no round played yet" in shown
    rc.find(v.Btn, children=["Step"]).widget.click()
    shown = texts(box)
    assert "Round 1" in shown and "no round played yet" not in shown
    assert any("built" in t and "planned" in t for t in shown)  # the difference, in words
    assert any("δ\\*" in t or "δ*" in t for t in shown)  # the caption explains δ*
    for word in ("Plan", "Went alone", "Duplication", "Shortfall", "Transfer"):
        assert any(f"<strong>{word}" in t for t in shown), word
    rc.find(v.Tabs).widget.v_model = 0
    assert "plan vs built" not in texts(box)
    rc.close()


def test_panel_shows_country_and_sector_names_as_plain_text():
    view = TabView()
    cfg = load_preset("classroom")
    evil = "<img src=x onerror=alert(1)>"
    countries = [{**c, "name": evil} if k == 0 else c for k, c in enumerate(cfg.countries)]
    view.reset(cfg.replace(countries=countries), 1, "x")
    view.show_economy(True)
    view.step()
    box, _ = solara.render(EconomyPanel(view, 0), handle_error=False)
    text, raw = plain_and_raw(box)
    assert evil in text
    assert not any("onerror" in r for r in raw)


def test_pairwise_panel_shows_the_payoff_chart():
    view = TabView("n_countries=6")
    view.show_economy(True)
    view.step()
    box, _ = solara.render(EconomyPanel(view, 0), handle_error=False)
    assert any("coloured by the strategy" in t for t in texts(box))
    assert view.economy.sectors is None


# ------------------------------------------------------------------ pacts run


def test_run_writes_plants_and_the_plan_per_country(tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["run", "--preset", "classroom", "--rounds", "8", "--seed", "3", "--out", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    table = pd.read_csv(out / "countries.csv", keep_default_na=False)
    assert {"plants", "planned"} <= set(table.columns)
    model = RegionModel(load_preset("classroom").replace(rounds=8), seed=3).run(8)
    eng = model.engine
    names = [s.name for s in eng.economies[0].sectors]

    def cell(row):
        return ";".join(n for n, x in zip(names, row, strict=True) if x)

    assert table["planned"].tolist() == [cell(r) for r in eng.plan[0]]
    assert table["plants"].tolist() == [cell(r) for r in eng.investments[0]]
    assert table["country"].tolist() == list(eng.economies[0].countries)
