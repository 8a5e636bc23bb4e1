"""The browser app's logic without a browser: sessions, theory panel, figures, page clicks.

Expected values come from theory (critical δ, the stag hunt's basin, implied games) and from
hand-worked two-country games; the real-browser tests are in ``test_browser.py``.
"""

from __future__ import annotations

import io
import math

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
from matplotlib.colors import to_rgba
from widget_text import plain_and_raw, texts  # tests/ is on the path (pytest prepend mode)

from model import optimisation as opt
from model import theory
from model.config import ModelConfig
from model.games import MatrixGame, class_label
from model.scenarios import PRESETS, load_preset
from viz import app as app_module
from viz.charts import EDGE_COLOURS, NetworkPlot, SeriesPlot, _stacked_areas, strategy_colour
from viz.session import Session, _game_class
from viz.view import TabView

PNG = b"\x89PNG\r\n\x1a\n"


def pair(strategies: list[str], **kw) -> Session:
    """Two countries, one relationship, no noise."""
    cfg = ModelConfig(n_countries=2, network="complete", strategies=strategies, **kw)
    return Session(cfg, seed=1)


# ------------------------------------------------------------------ session


@pytest.mark.parametrize(
    ("strategies", "state"),
    [(["AllC", "AllC"], 2), (["AllC", "AllD"], 1), (["AllD", "AllD"], 0)],
)
def test_edge_state_counts_cooperating_ends(strategies, state):
    s = pair(strategies)
    s.step()
    pairs, states = s.edge_states()
    assert pairs.tolist() == [[0, 1]]
    assert states.tolist() == [state]


def test_collective_edge_state_is_both_countries_following_the_plan():
    s = Session(load_preset("classroom"), seed=2)
    s.step(5)
    pairs, states = s.edge_states()
    act = s.model.engine.country_actions[0]
    assert np.array_equal(states, act[pairs[:, 0]].astype(int) + act[pairs[:, 1]])
    assert len(pairs) == 6 * 5 // 2  # complete graph on six countries


def test_theory_panel_prisoners_dilemma_matches_closed_forms():
    """Axelrod's game: Grim δ* = (T−R)/(T−P) = 1/2 and TFT δ* = 2/3 (Axelrod 1981)."""
    below = Session(ModelConfig(continuation=0.4), 1).theory()
    above = Session(ModelConfig(continuation=0.6), 1).theory()
    assert below.critical["Grim"] == pytest.approx(0.5)
    assert below.critical["TitForTat"] == pytest.approx(2 / 3)
    assert "0.40 < δ* = 0.50" in below.sentence and "unravel" in below.sentence
    assert "0.60 ≥ δ* = 0.50" in above.sentence


def test_theory_panel_delay_raises_the_threshold():
    """d = 1: (R−P)δ²/(1−δ) = (T−R)(1+δ) gives δ* = 1/√2 for (5, 3, 1, 0)."""
    th = Session(ModelConfig(observation_delay=1), 1).theory()
    assert th.critical["Grim"] == pytest.approx(1 / math.sqrt(2))


def test_theory_panel_irregular_stakes_break_forward_looking_cooperation():
    """Calculating governments, σ = 1, δ = 0.7: one defects when today's stake exceeds
    s* = Φ/(T − R) = δ/(1 − δ)·(R − P)/(T − R) = 7/3; P(s > 7/3) = 8.9 % for a mean-one
    lognormal, about once in 11 rounds — and the punishment ends cooperation."""
    cfg = ModelConfig(strategies={"Calculating": 1}, stake_sigma=1.0, continuation=0.7)
    th = Session(cfg, 1).theory()
    assert "s* = 2.33" in th.sentence and "8.9%" in th.sentence and "11 rounds" in th.sentence
    assert th.sustainable is False
    # rules that ignore the stake: the folk-theorem verdict stands
    assert Session(ModelConfig(stake_sigma=1.0), 1).theory().sustainable is True


def test_theory_panel_stag_hunt_speaks_of_assurance():
    """Stag hunt (3, 4, 1, 0): p* = (P−S)/((R−T)+(P−S)) = 1/2 of partners must cooperate."""
    th = Session(ModelConfig(game=[3, 4, 1, 0]), 1).theory()
    assert th.game_class == "stag_hunt" and th.critical == {}
    assert "50%" in th.sentence and "assurance" in th.sentence


@pytest.mark.parametrize(("game", "word"), [("harmony", "no dilemma"), ("deadlock", "P > R")])
def test_theory_panel_other_classes(game, word):
    assert word in Session(ModelConfig(game=game), 1).theory().sentence


def test_theory_panel_collective_rows_are_the_implied_games():
    """Each row is the country's 2×2 game under the current plan (its class recomputed here from
    the plan and the status quo), δ* of its own game (net of membership costs: 0 when following
    is its best reply, inf when the plan pays less than the status quo, else the folk-theorem
    threshold), and the current membership and move."""
    cfg = load_preset("classroom").replace(hegemon="cooperative", noise=0.05)
    s = Session(cfg, seed=2)
    seen_pd, moves = False, set()
    for _ in range(8):
        s.step(5)
        th = s.theory()
        eng = s.model.engine
        games = opt.implied_games(eng.economies[0], eng.plan[0], eng.status_quo[0])
        assert [r["country"] for r in th.rows] == list(s.model.economy.countries)
        g = eng.games
        for i, row in enumerate(th.rows):
            assert row["member"] == bool(eng.members[0, i])
            assert row["follows plan"] == bool(eng.country_actions[0, i])
            if eng.declined[0, i]:
                continue  # a decliner's row is the game of the plan it was offered
            T, R, P, S = g["T"][0, i], g["R"][0, i], g["P"][0, i], g["S"][0, i]
            # the class of the game the engine scores (net of the institution), ties read as
            # no temptation; without costs, fines or side payments the implied game's class
            assert row["game"] == class_label(_game_class(T, R, P, S))
            if np.allclose(eng.membership_costs(0), 0) and not eng.promised[0].any():
                assert row["game"] == class_label(games.classes[i])
            if R < eng.outside_option[0, i] - 1e-9:
                assert row["critical δ"] == math.inf
            elif T <= R + 1e-9:
                assert row["critical δ"] == 0.0
            elif R > P:
                seen_pd = True
                star = theory.calculating_threshold(MatrixGame(T=T, R=R, P=P, S=P - 1.0))
                assert row["critical δ"] == pytest.approx(star)
        moves.add(tuple(r["follows plan"] for r in th.rows))
    assert seen_pd and len(moves) > 1  # both branches seen, and the moves did change


def test_csv_is_one_clean_table_and_the_parameters_are_a_second_file():
    """A spreadsheet reads the rounds CSV as one table from its first line (no comment rows),
    and the settings as a two-column table."""
    s = Session(ModelConfig(continuation=0.7), seed=4, name="mine")
    s.step(7)
    text = s.csv()
    assert "#" not in text
    frame = pd.read_csv(io.StringIO(text))
    assert frame["round"].tolist() == list(range(1, 8))
    assert list(frame.columns) == list(s.rounds_frame().columns)
    params = pd.read_csv(io.StringIO(s.parameters_csv()), dtype=str).set_index("parameter")
    assert list(params.columns) == ["value"]
    assert params.loc[["scenario", "seed", "round", "continuation"], "value"].tolist() == [
        "mine",
        "4",
        "7",
        "0.7",
    ]
    assert set(s.parameters()) < set(params.index)


# ------------------------------------------------------------------ figures


def test_network_plot_colours_nodes_by_strategy_and_edges_by_cooperation():
    s = pair(["AllC", "AllD"])
    plot = NetworkPlot(s)
    s.step()
    assert plot.render(s).startswith(PNG)
    faces = plot.nodes.get_facecolors()
    assert np.allclose(faces[0], to_rgba(strategy_colour("AllC")))
    assert np.allclose(faces[1], to_rgba(strategy_colour("AllD")))
    assert np.allclose(plot.edges.get_colors()[0][:3], to_rgba(EDGE_COLOURS[1])[:3])


def test_lattice_draws_neighbours_not_the_wrap_around():
    """6 × 6 Moore torus: 36·8/2 = 144 relationships; without wrapping, 2·6·5 orthogonal and
    2·5·5 diagonal neighbour pairs remain = 110."""
    s = Session(ModelConfig(n_countries=36, network="lattice"), seed=1)
    plot = NetworkPlot(s)
    assert len(s.edge_states()[0]) == 144
    assert plot.drawn.sum() == 110
    s.step()
    plot.render(s)
    assert len(plot.edges.get_colors()) == 110


def test_network_plot_outlines_members_only():
    cfg = load_preset("classroom")  # Fenlandia stays out of the plan
    s = Session(cfg, seed=1)
    plot = NetworkPlot(s)
    s.step(2)
    plot.render(s)
    members = s.model.engine.members[0]
    assert 0 < members.sum() < len(members)
    widths = np.asarray(plot.nodes.get_linewidths())
    assert np.array_equal(widths > 2, members)


def test_series_plot_follows_the_data_and_grows_its_round_axis():
    s = Session(load_preset("classroom"), seed=1)
    plot = SeriesPlot(s)
    s.step(30)
    assert plot.render(s).startswith(PNG)
    line, column = plot.lines[0]
    assert column == "cooperation"
    assert np.array_equal(line.get_ydata(), s.rounds_frame()["cooperation"].to_numpy())
    assert plot.axes[0].get_xlim() == (0, 50)  # 30 rounds: the ladder's step above 25
    welfare_ax = plot.axes[1]
    lo, hi = welfare_ax.get_ylim()
    frame = s.rounds_frame()
    assert lo <= frame[["welfare", "plan_welfare", "optimum"]].min().min()
    assert hi >= frame[["welfare", "plan_welfare", "optimum"]].max().max()


def test_stacked_areas_by_hand():
    """Shares (¼, ½) and (¾, ½) over rounds 1, 2: the bands [0, s₁] and [s₁, 1]."""
    low, high = _stacked_areas(np.array([1.0, 2.0]), np.array([[0.25, 0.5], [0.75, 0.5]]))
    assert low.tolist() == [[1, 0.25], [2, 0.5], [2, 0], [1, 0]]
    assert high.tolist() == [[1, 1], [2, 1], [2, 0.5], [1, 0.25]]


def test_blitted_render_matches_a_full_redraw():
    """The cached background plus redrawn data equals drawing the figure from scratch."""
    s = Session(ModelConfig(n_countries=8, degree=2), seed=3)
    live = SeriesPlot(s)
    live.render(s)
    s.step(12)
    fresh = SeriesPlot(s)
    a, b = live.render(s), fresh.render(s)
    from PIL import Image

    pa = np.asarray(Image.open(io.BytesIO(a)), float)
    pb = np.asarray(Image.open(io.BytesIO(b)), float)
    assert pa.shape == pb.shape
    assert np.abs(pa - pb).mean() < 1.0  # identical up to anti-aliasing at shared edges


# ------------------------------------------------------------------ the tab's view


def test_query_chooses_preset_seed_and_fields():
    view = TabView("preset=classroom&seed=3&continuation=0.6")
    assert view.session.name == "classroom" and view.session.seed == 3
    assert view.session.config == load_preset("classroom").replace(continuation=0.6)
    assert view.message == ""


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("preset=atlantis", ["preset", "atlantis", *PRESETS]),
        ("continuation=2", ["continuation"]),
        ("lesson=nope", ["nope"]),
        ("bogus=1", ["bogus"]),
    ],
)
def test_bad_query_falls_back_and_says_why(query, words):
    view = TabView(query)
    assert view.session.name == "default" and view.session.round == 0
    assert all(w in view.message for w in words)


def test_query_loads_a_lesson_scene():
    from experiments.lessons import LESSONS

    name, lesson = next((n, les) for n, les in LESSONS.items() if len(les.scenes) > 1)
    view = TabView(f"lesson={name}&scene=1")
    assert view.lesson == name
    assert view.session.config == lesson.config(1)
    assert view.session.name == lesson.scenes[1].label


def test_step_times_round_theory_and_figures():
    view = TabView("n_countries=20")
    assert math.isnan(view.step_ms)
    first = view.network_png
    view.step(3)
    assert view.session.round == 3 and view.step_ms > 0
    assert view.network_png != first


# ------------------------------------------------------------------ the page (no browser)


def render_page():
    """The page inside an AppLayout (where its sidebar lives), as ``solara run`` shows it."""
    return solara.render(solara.AppLayout(children=[app_module.Page()]), handle_error=False)


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def test_module_holds_no_model():
    """NOTES-browser.md: a module-level model is shared by every tab."""
    shared = (Session, TabView, ModelConfig)
    assert not [k for k, val in vars(app_module).items() if isinstance(val, shared)]


def test_page_step_reset_and_separate_sessions():
    box1, rc1 = render_page()
    box2, rc2 = render_page()
    assert "Round 0" in texts(box1)
    for _ in range(3):
        click(rc1, "Step")
    click(rc2, "Step")
    assert "Round 3" in texts(box1) and "Round 1" in texts(box2)
    click(rc1, "Reset")
    assert "Round 0" in texts(box1) and "Round 1" in texts(box2)
    assert not [t for t in texts(box1) + texts(box2) if "Traceback" in t or "error" in t.lower()]


def test_page_changing_delta_and_reset_rebuilds_the_model():
    box, rc = render_page()
    assert any("Chosen δ = 0.95" in t for t in texts(box))
    slider = rc.find(v.Slider, label="δ — long horizon (continuation): 0.95").widget
    slider.v_model = 0.4
    click(rc, "Reset to apply changes")
    assert any("Chosen δ = 0.40" in t for t in texts(box))
    assert any("0.40 < δ* = 0.50" in t for t in texts(box))


def test_degree_is_fixed_on_complete_networks_and_a_pending_change_says_so():
    """A field that has no effect in the chosen setting is disabled (the config's INERT table),
    and a changed setting says at once, beside the buttons, that Reset applies it."""
    box, rc = render_page()
    degree = rc.find(v.Slider, label="partners per country: 4").widget
    assert not degree.disabled and not any("press Reset" in t for t in texts(box))
    rc.find(v.Select, label="network").widget.v_model = "complete"
    assert not rc.find(v.Slider, label="partners per country: 4").widgets  # nothing to squeeze
    assert "partners per country: 4 (fixed by this network)" in texts(box)
    assert any("Settings changed: press Reset to apply them" in t for t in texts(box))
    click(rc, "Reset")
    assert not any("press Reset" in t for t in texts(box))


def test_theory_panel_escapes_country_names():
    """Country names come from scenario files or the page address: never raw HTML (they are
    plain text children of the table's cells, never in an ``unsafe_innerHTML``)."""
    view = TabView()
    cfg = load_preset("classroom")
    countries = [{**c, "name": "<b>Evil</b>"} if k == 0 else c for k, c in enumerate(cfg.countries)]
    view.reset(cfg.replace(countries=countries), 1, "x")
    box, _ = solara.render(app_module.TheoryPanel(view, 0), handle_error=False)
    text, raw = plain_and_raw(box)
    assert "<b>Evil</b>" in text  # in the table (and the sentence, when Evil is tempted)
    assert not any("Evil" in r for r in raw)
    # the sentence names countries too, and Markdown would turn a name into a link
    link = "[Read](javascript:alert(1))"
    countries = [{**c, "name": link} if k == 2 else c for k, c in enumerate(cfg.countries)]
    view.reset(cfg.replace(countries=countries), 1, "x")
    box, _ = solara.render(app_module.TheoryPanel(view, 0), handle_error=False)
    text, raw = plain_and_raw(box)
    assert any(link in t for t in text if t != link)  # the sentence shows the name as typed
    assert not any("javascript" in r for r in raw)


def test_the_guide_for_the_class_is_the_readmes_plain_words_and_class_plan(tmp_path):
    from viz.guide import README, guide_markdown

    guide = guide_markdown()
    readme = README.read_text(encoding="utf-8")
    for title in ("In plain words", "A 90-minute class"):
        assert f"### {title}" in guide and f"## {title}" in readme
    assert "| minutes |" in guide and "**C, cooperate**" in guide
    assert "## Lessons" not in guide  # only those two sections
    box, _ = render_page()
    shown = texts(box)
    assert "Guide for the class: plain words and a 90-minute plan" in shown
    assert any("<h3>A 90-minute class</h3>" in t and "<table>" in t for t in shown)
    # without a README beside the package (an installed wheel): a pointer, not an error
    assert "README" in guide_markdown(tmp_path / "missing.md")


# ------------------------------------------------------------------ the controls lessons ask for


def test_parse_mix_reads_what_people_type():
    from viz.view import mix_text, parse_mix

    assert parse_mix("AllD") == {"AllD": 1.0}
    assert parse_mix("tft, AllD") == {"TitForTat": 1.0, "AllD": 1.0}  # aliases, equal shares
    assert parse_mix("TitForTat: 2, Random(0.3): 1, TitForTat: 1") == {
        "TitForTat": 3.0,
        "Random(0.3)": 1.0,
    }
    assert parse_mix("MemoryOne(1, 1, 0, 1, 0): 2") == {"MemoryOne(1, 1, 0, 1, 0)": 2.0}
    assert parse_mix(mix_text({"Grim": 2.0, "AllC": 0.5})) == {"Grim": 2.0, "AllC": 0.5}
    with pytest.raises(ValueError, match="unknown strategy 'Nope'; allowed: AllC"):
        parse_mix("Nope: 1")
    with pytest.raises(ValueError, match="weight > 0"):
        parse_mix("AllD: -1")
    with pytest.raises(ValueError, match="empty"):
        parse_mix(" , ")


def test_the_address_takes_a_strategy_mix():
    view = TabView("strategies=AllD&n_countries=10&noise=0")
    assert not view.message and view.session.config.strategies == {"AllD": 1.0}
    view.step(3)
    assert view.session.rounds_frame()["cooperation"].iloc[-1] == 0.0  # AllD never cooperates
    bad = TabView("strategies=Nope")
    assert "strategies" in bad.message and "unknown strategy 'Nope'" in bad.message


def type_in(rc, label: str, text: str) -> None:
    """Type into a text field and leave it (its value is read when the focus leaves it)."""
    field = rc.find(v.TextField, label=label).widget
    field.v_model = text
    field.fire_event("focusout", None)


def test_sidebar_edits_the_mix_and_the_payoffs_and_reset_applies_them():
    box, rc = render_page()
    type_in(rc, "strategy mix (rule: weight, …)", "Grim: 1, AllD: 1")
    rc.find(
        v.Select, label="stage game (mutuality of interests)"
    ).widget.v_model = "custom payoffs (T, R, P, S)"
    type_in(rc, "payoffs T, R, P, S", "4, 3, 1, 0")
    click(rc, "Reset")
    page_text = " ".join(texts(box))
    # Grim's δ* = (T − R)/(T − P) = 1/3 for (4, 3, 1, 0): the theory panel reads the new game
    assert "<td>Grim</td>\n<td>0.333</td>" in page_text
    # the mix took: the sidebar shows it back, and only its two rules are in the legend
    assert rc.find(v.TextField, label="strategy mix (rule: weight, …)").widget.v_model == (
        "Grim: 1, AllD: 1"
    )


def test_custom_payoffs_survive_a_reset():
    """Before: the draft kept only the game's class, so Reset turned (4, 3, 1, 0) into the
    textbook prisoner's dilemma (5, 3, 1, 0)."""
    view = TabView("game=[4, 3, 1, 0]")
    draft = app_module._draft(view.session.config, view.session.seed)
    assert draft["game"] == (4.0, 3.0, 1.0, 0.0)
    assert view.session.config.replace(game=draft["game"]).matrix_game.T == 4.0


def test_institution_sliders_are_enabled_where_they_have_an_effect():
    _, rc = render_page()  # the default: pairwise
    assert rc.find(v.Slider, label="fine per observed defection: 2").widget.disabled
    rc.find(
        v.Select, label="mode: pairwise games or the collective plan"
    ).widget.v_model = "collective"
    rc.find(v.Select, label="coordination regime").widget.v_model = "supranational"
    assert not rc.find(v.Slider, label="fine per observed defection: 2").widget.disabled
    assert rc.find(v.Slider, label="hegemon's budget for side payments: 1").widget.disabled
    rc.find(v.Select, label="hegemon").widget.v_model = "cooperative"
    assert not rc.find(v.Slider, label="hegemon's budget for side payments: 1").widget.disabled


def test_bad_payoffs_or_mix_are_named_and_change_nothing():
    box, rc = render_page()
    type_in(rc, "strategy mix (rule: weight, …)", "Grim: -2")
    rc.find(
        v.Select, label="stage game (mutuality of interests)"
    ).widget.v_model = "custom payoffs (T, R, P, S)"
    type_in(rc, "payoffs T, R, P, S", "4, 3")
    shown = " ".join(texts(box))
    assert "strategies: 'Grim: -2': allowed: NAME or NAME: WEIGHT with a weight > 0" in shown
    assert "payoffs '4, 3': a game sequence must hold exactly 4 payoffs (T, R, P, S)" in shown


def test_the_query_reopens_every_preset_and_lesson_scene_exactly():
    """TabView.query() is what the address follows: read back, it gives the same configuration,
    seed, scene and lesson — for every preset, every lesson scene and edited settings."""
    from experiments.lessons import LESSONS
    from viz.view import setting_query

    queries = [f"preset={p}" for p in PRESETS]
    queries += [
        f"lesson={n}&scene={k}" for n, les in LESSONS.items() for k in range(len(les.scenes))
    ]
    queries += [
        "preset=classroom&continuation=0.6&seed=3",
        "strategies=TitForTat:2,AllD:1&game=[4,3,1,0]&noise=0.02",
        "preset=mercosur&hegemon=cooperative&hegemon_budget=5.5&election_rate=0.02"
        "&longitudinal=true",
    ]
    for q in queries:
        first = TabView.scenario(q)  # (config, seed, name, lesson), as a tab opens it
        shared = setting_query(*first)
        assert TabView.scenario(shared) == first, (q, shared)
    assert TabView("preset=classroom&continuation=0.6&seed=3").query() == (
        "preset=classroom&continuation=0.6&seed=3"
    )  # the tab's own query, from its session


def test_the_compare_tab_runs_both_and_shows_the_table():
    box, rc = render_page()
    rc.find(v.Tabs).widget.v_model = 2  # the Compare tab
    click(rc, "Run A and B")
    shown = texts(box)
    assert "long run (second half)" in shown
    assert "A: continuation = 0.95" in shown and "B: continuation = 0.4" in shown


def test_the_price_axis_is_at_least_a_tenth_of_w_opt_tall_and_axes_say_their_units():
    """A gap of −0.1 against W_opt ≈ 34 must not fill the panel (issue 12: auto-scaling made a
    small gap look dramatic); every time-series axis names what it measures."""
    s = Session(load_preset("classroom"), seed=1, name="classroom")
    s.step(5)
    plot = SeriesPlot(s)
    plot.render(s)
    price_ax = plot.axes[2]
    w_opt = float(s.rounds_frame()["optimum"].abs().max())
    low, high = price_ax.get_ylim()
    assert high - low >= 0.1 * w_opt - 1e-9
    assert all(ax.get_ylabel() for ax in plot.axes)
    assert "economy units" in plot.axes[1].get_ylabel()


def test_regime_none_shows_nobody_as_a_member_and_no_participation_line():
    """Under regime "none" every country plans alone: no ✓ in the theory panel, no
    participation line, and the economy view marks no member (issue 12: it said 100 %)."""
    from viz.economy import economy_table

    view = TabView("preset=classroom&regime=none")
    view.step(2)
    box, _ = solara.render(app_module.TheoryPanel(view, 0), handle_error=False)
    assert "✓" not in texts(box)
    labels = [line.get_label() for line in view.series.axes[0].get_lines()]
    assert "participation" not in labels and "cooperation" in labels
    assert not economy_table(view.session)["member"].any()
    with_broker = TabView("preset=classroom")
    assert "participation" in [x.get_label() for x in with_broker.series.axes[0].get_lines()]
