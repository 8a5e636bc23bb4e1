"""Pacts in the browser: a Solara app for classrooms and curious analysts.

Start it with ``make app`` or ``pacts app`` (http://127.0.0.1:8765). The page shows the country
network, the time series, a theory panel (the game each country faces and the analytic critical
δ next to the chosen δ) and the guided lessons; the sidebar holds every parameter. Changes in
the sidebar apply when you press **Reset**; **Step** plays one round, **Play** keeps going.

Design (NOTES-browser.md, DESIGN §9):

* one model per browser tab: the :class:`~viz.view.TabView` is built by ``solara.use_memo``
  inside :func:`Page`, never at module level, so tabs never share a model;
* figures are matplotlib PNGs rendered on the server (no Altair, whose process-wide renderer
  races between sessions), with blitting so a Step stays fast (B7);
* offline: ``pacts app`` runs Solara in production mode, which serves the assets bundled by
  ``solara-assets`` instead of a CDN;
* a shared server (issue 15): limits per tab (:mod:`viz.view`: N, relationships, rounds, seed)
  stated in the sidebar, so no address can take the server; a closed tab's Play stops and its
  model and figures are released; text from a scenario or the address is never rendered as
  Markdown or HTML.

The page address can choose the start: ``?preset=classroom``, ``?lesson=shadow-of-the-future``
(``&scene=1`` for its second setting), or any scenario field, e.g. ``?n_countries=50&seed=3``.
"""

from __future__ import annotations

import math
import os
import time
import traceback
import warnings

import ipyvuetify
import markdown
import solara
import solara.lab
import solara.server.settings
import traitlets

from experiments.lessons import LESSONS
from model.config import DEFAULTS, InertFieldWarning, ModelConfig, inert_fields, without_inert
from model.games import class_label, get_game
from model.scenarios import PRESETS
from viz.compare import MAX_ROUNDS as COMPARE_MAX_ROUNDS
from viz.compare import compare, comparison_png
from viz.economy import EconomyPanel
from viz.guide import guide_markdown
from viz.view import LIMITS_TEXT, MAX_COUNTRIES_COLLECTIVE, TabView, mix_text, parse_mix

GAMES = ["prisoners_dilemma", "stag_hunt", "chicken", "harmony", "deadlock"]
NETWORKS = ["complete", "ring", "lattice", "watts_strogatz", "barabasi_albert", "erdos_renyi"]
PLAY_INTERVAL = 0.15  # seconds between rounds while playing
NO_LESSON = "(choose a lesson)"
CSS = """
.pacts-prose table { border-collapse: collapse; font-size: 0.9em; margin: 6px 0; }
.pacts-prose th, .pacts-prose td { padding: 2px 10px; border-bottom: 1px solid #e0e0e0; }
.pacts-prose th { text-align: left; }
.pacts-prose p { margin-bottom: 6px; }
.v-btn, .v-tab { text-transform: none !important; letter-spacing: normal !important; }
/* a projector (1024×768): network, theory and charts on one screen */
@media (max-height: 820px) {
  .pacts-network { max-height: 25vh; object-fit: contain; }
  .pacts-series { max-height: 24vh; object-fit: contain; }
  .v-card { margin-top: 4px !important; margin-bottom: 4px !important; }
  .v-tab { height: 36px !important; }
  .pacts-theory { max-height: 34vh; overflow-y: auto; }
  .v-card__title { padding-top: 6px; padding-bottom: 2px; font-size: 1.05rem; }
}
"""
# Vuetify writes button labels in capitals, which would turn δ into Δ and σ into Σ.
# A tab that vanished without closing (browser killed, laptop asleep, network lost) keeps its
# model for this long, for a reconnect, then Solara closes it and its memory is released.
# Solara's default is 24 hours; SOLARA_KERNEL_CULL_TIMEOUT overrides this.
CULL_TIMEOUT = "2m"
if not any(k.upper() == "SOLARA_KERNEL_CULL_TIMEOUT" for k in os.environ):
    solara.server.settings.kernel.cull_timeout = CULL_TIMEOUT

# Solara warns on every page load served over plain http to a non-"localhost" name (e.g.
# 127.0.0.1 or a classroom LAN address) that it falls back to samesite=lax cookies: expected
# here, and it would bury real messages in the server log.
warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)

# The sidebar's fields: (field, label, kind, options). Edited in a draft, applied by Reset.
SHADOW = [
    ("continuation", "δ — long horizon (continuation)", "float", (0.0, 0.99, 0.01)),
    ("stake_sigma", "stake spread σ — irregular stakes", "float", (0.0, 2.0, 0.05)),
    ("observation_error", "ε — misreading partners", "float", (0.0, 0.3, 0.01)),
    ("observation_delay", "d — rounds before feedback", "int", (0, 5, 1)),
    ("noise", "noise — mistakes in acting", "float", (0.0, 0.2, 0.005)),
]
INSTITUTION_RATES = [  # shown where they have an effect (the config's INERT table)
    ("transparency", "transparency of council meetings", "float", (0.0, 1.0, 0.05)),
    ("information_noise", "misperception without a broker", "float", (0.0, 1.5, 0.05)),
    ("coordination_cost", "cost of the coordinator (per member, round)", "float", (0.0, 1.0, 0.01)),
    ("hegemon_budget", "hegemon's budget for side payments", "float", (0.0, 20.0, 0.5)),
    ("fine", "fine per observed defection", "float", (0.0, 10.0, 0.5)),
    ("enforcement", "enforcement: chance a defection is fined", "float", (0.0, 1.0, 0.05)),
    ("sovereignty_cost", "sovereignty cost of a binding plan", "float", (0.0, 2.0, 0.05)),
]
CUSTOM_GAME = "custom payoffs (T, R, P, S)"
FLEX_RATES = [
    ("election_rate", "election rate (per country, round)", "float", (0.0, 0.1, 0.005)),
    ("tech_shock_rate", "technology-shock rate (per round)", "float", (0.0, 0.2, 0.01)),
]


def _draft(config: ModelConfig, seed: int) -> dict:
    """The sidebar's editable values for a configuration."""
    fields = [
        "mode",
        "game",
        "n_countries",
        "network",
        "degree",
        "regime",
        "hegemon",
        "evolution",
        "compositional",
        "longitudinal",
        "directional",
        "strategies",
    ]
    fields += [f for f, *_ in SHADOW + INSTITUTION_RATES + FLEX_RATES]
    out = {f: getattr(config, f) for f in fields}
    if not isinstance(out["game"], str):  # custom payoffs stay as they are (e.g. lesson 1's)
        out["game"] = tuple(float(x) for x in out["game"])
    out["seed"] = seed
    return out


@solara.component
def Prose(text: str):
    """Markdown rendered on the server. (solara.Markdown would fetch KaTeX from a CDN, which
    fails offline and fills the server log.) Only the app's own texts are rendered here: text
    that can come from a scenario or the address (country names) never is, since Markdown
    turns it into links and images (:func:`TextTable` shows it as plain text)."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]),
        classes=["pacts-prose"],
    )


@solara.component
def Plain(text: str):
    """A paragraph of plain text (never HTML or Markdown): for text naming countries."""
    with solara.Div(classes=["pacts-prose"]):
        solara.v.Html(tag="p", children=[text])


@solara.component
def _TextRow(cells: tuple[str, ...]):
    """One row of a :func:`TextTable` (a component of its own, so that a Step re-renders only
    the rows whose text changed)."""
    h = solara.v.Html
    h(tag="tr", children=[h(tag="td", children=[c]) for c in cells])


@solara.component
def TextTable(header: list[str], rows: list[list[str]]):
    """A table whose cells are plain text (never HTML or Markdown): for names that come from
    a scenario or the page address."""
    h = solara.v.Html
    head = h(tag="tr", children=[h(tag="th", children=[str(c)]) for c in header])
    body = [_TextRow(tuple(str(c) for c in row)) for row in rows]
    with solara.Div(classes=["pacts-prose"]):
        h(tag="table", children=[h(tag="thead", children=[head]), h(tag="tbody", children=body)])


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "—"
    return "never" if x >= 1 else ("any δ" if x == 0 else f"{x:.3f}")


@solara.component
def Slider(
    draft: solara.Reactive[dict],
    field: str,
    label: str,
    kind: str,
    options,
    disabled=False,
    fixed: str = "",
):
    """A float or int slider bound to one draft field; ``fixed`` (a reason) shows the value as
    text instead, where the scenario fixes it (a squeezed disabled slider reads as "●—")."""
    if fixed:
        value = draft.value[field]
        solara.Text(
            f"{label}: {value:g} ({fixed})",
            classes=["pacts-fixed"],
            style={"color": "#777", "display": "block", "margin": "6px 0 10px"},
        )
        return
    lo, hi, step = options
    hi = max(hi, draft.value[field])  # a preset may go beyond the slider's usual range

    def set_value(v):
        draft.value = {**draft.value, field: v}

    integer = kind == "int"
    value = int(draft.value[field]) if integer else float(draft.value[field])
    slider = solara.SliderInt if integer else solara.SliderFloat
    slider(
        f"{label}: {value:g}",
        value=value,
        min=lo,
        max=hi,
        step=step,
        on_value=set_value,
        disabled=disabled,
    )


@solara.component
def Choice(draft: solara.Reactive[dict], field: str, label: str, values: list, disabled=False):
    """A select bound to one draft field."""
    solara.Select(
        label,
        values=values,
        value=draft.value[field],
        dense=True,
        disabled=disabled,
        on_value=lambda v: draft.set({**draft.value, field: v}),
    )


@solara.component
def Switch(draft: solara.Reactive[dict], field: str, label: str, disabled=False):
    """A checkbox bound to one draft field."""
    solara.Checkbox(
        label=label,
        value=bool(draft.value[field]),
        disabled=disabled,
        on_value=lambda v: draft.set({**draft.value, field: v}),
    )


class CopyLink(ipyvuetify.VuetifyTemplate):
    """A button that copies the page's address (which follows the settings) to the clipboard.
    Through a selected text area and ``execCommand("copy")``, since the Clipboard API exists
    only on https or localhost pages and a classroom server is plain http on the LAN."""

    template = traitlets.Unicode(
        """
<template>
  <v-btn small text @click="copy" class="pacts-copy-link">
    {{ copied ? "Link copied" : "Copy link" }}
  </v-btn>
</template>
<script>
module.exports = {
  data() { return { copied: false }; },
  methods: {
    copy() {
      const area = document.createElement("textarea");
      area.value = window.location.href;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      document.body.removeChild(area);
      this.copied = true;
      setTimeout(() => { this.copied = false; }, 2000);
    },
  },
};
</script>
"""
    ).tag(sync=True)


@solara.component
def ComparePanel(view: TabView, version: int):
    """A (this tab's setting) against B (one named change), same seed, same axes."""
    text = solara.use_reactive("continuation=0.4")
    rounds = solara.use_reactive(min(200, view.session.config.rounds))
    result = solara.use_reactive(None)
    error = solara.use_reactive("")

    def run() -> None:
        try:
            s = view.session
            result.value = compare(s.config, s.seed, text.value, int(rounds.value))
            error.value = ""
        except ValueError as err:
            result.value, error.value = None, str(err)

    Prose(
        "**A** is this tab's setting; **B** the same with the change you write in the address's "
        "form (`continuation=0.4`, `regime=none`, `strategies=AllD`). Both run from round 0 "
        "with the same seed, so the difference is the change's."
    )
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText("compare with (B)", value=text, continuous_update=False)
        solara.SliderInt("rounds", value=rounds, min=10, max=COMPARE_MAX_ROUNDS, step=10)
        solara.Button("Run A and B", on_click=run, color="primary")
    if error.value:
        solara.Warning(error.value, dense=True)
    if result.value is not None:
        solara.Image(comparison_png(result.value), width="100%", classes=["pacts-compare"])
        table = result.value.summary()
        TextTable(
            ["long run (second half)", *table.columns[1:]],
            [[row[0], *(f"{x:.3g}" for x in row[1:])] for row in table.itertuples(index=False)],
        )


@solara.component
def GameControls(draft: solara.Reactive[dict], disabled: bool):
    """The stage game: a named class (textbook payoffs) or your own T, R, P, S."""
    game = draft.value["game"]
    custom = not isinstance(game, str)
    error, set_error = solara.use_state("")

    def choose(name: str) -> None:
        set_error("")
        if name == CUSTOM_GAME:
            draft.set({**draft.value, "game": get_game(game).as_tuple()})
        else:
            draft.set({**draft.value, "game": name})

    def set_payoffs(text: str) -> None:
        try:
            values = tuple(float(x) for x in text.replace(";", ",").split(","))
            get_game(values)  # four finite numbers, or the error names what is allowed
        except ValueError as err:
            set_error(f"payoffs {text!r}: {err}")
            return
        set_error("")
        draft.set({**draft.value, "game": values})

    solara.Select(
        "stage game (mutuality of interests)",
        values=[*GAMES, CUSTOM_GAME],
        value=CUSTOM_GAME if custom else game,
        dense=True,
        disabled=disabled,
        on_value=choose,
    )
    if custom:
        solara.InputText(
            "payoffs T, R, P, S",
            value=", ".join(f"{x:g}" for x in game),
            on_value=set_payoffs,
            disabled=disabled,
            continuous_update=False,
        )
        solara.Text(f"a {class_label(get_game(game).classify())}", style={"font-size": "0.85em"})
    if error:
        solara.Warning(error, dense=True)


@solara.component
def MixControl(draft: solara.Reactive[dict]):
    """The strategy mix as text: ``TitForTat: 2, AllD: 1`` (empty: the scenario's default)."""
    error, set_error = solara.use_state("")

    def set_mix(text: str) -> None:
        try:
            mix = parse_mix(text) if text.strip() else None
        except ValueError as err:
            set_error(f"strategies: {err}")
            return
        set_error("")
        draft.set({**draft.value, "strategies": mix})

    solara.InputText(
        "strategy mix (rule: weight, …)",
        value=mix_text(draft.value["strategies"]),
        on_value=set_mix,
        continuous_update=False,
    )
    if error:
        solara.Warning(error, dense=True)


@solara.component
def Controls(
    view: TabView, version: int, draft: solara.Reactive[dict], apply, load_preset, busy: bool
):
    """The sidebar: scenario, the shadow of the future, institutions, flexibility, seed.
    (``version``, like the other panels': the view's change counter, so they re-render.)"""
    d = draft.value
    config = view.session.config
    collective = d["mode"] == "collective"
    fixed_n = config.countries is not None
    Prose("### Scenario")
    solara.Select(
        "preset",
        values=list(PRESETS),
        value=view.session.name if view.session.name in PRESETS else None,
        dense=True,
        on_value=load_preset,
        disabled=busy,
    )
    Choice(draft, "mode", "mode: pairwise games or the collective plan", ["pairwise", "collective"])
    GameControls(draft, disabled=collective)
    MixControl(draft)
    Slider(
        draft,
        "n_countries",
        "N — number of countries",
        "int",
        # presets such as `evolution` have more; collective mode has a lower limit
        (2, MAX_COUNTRIES_COLLECTIVE if collective else max(100, int(d["n_countries"])), 1),
        fixed="set by the preset" if fixed_n else "",
    )
    Choice(draft, "network", "network", NETWORKS)
    inert = inert_fields(d, set_only=False)  # e.g. no degree to choose on a complete network
    Slider(
        draft,
        "degree",
        "partners per country",
        "int",
        (2, 10, 1),
        fixed="fixed by this network" if "degree" in inert else "",
    )
    Prose("### Shadow of the future")
    for field, label, kind, options in SHADOW:
        Slider(draft, field, label, kind, options)
    Prose("### Institutions")
    Choice(
        draft,
        "regime",
        "coordination regime",
        ["none", "plurilateral", "supranational", "minilateral"],
        disabled=not collective,
    )
    Choice(
        draft, "hegemon", "hegemon", ["none", "cooperative", "coercive"], disabled=not collective
    )
    for field, label, kind, options in INSTITUTION_RATES:
        Slider(draft, field, label, kind, options, disabled=field in inert)
    Choice(draft, "evolution", "strategy evolution", ["none", "imitation", "moran"])
    Prose("### Triple flexibility")
    Switch(
        draft,
        "compositional",
        "compositional (opt out of single initiatives)",
        disabled=not collective,
    )
    Switch(
        draft, "longitudinal", "longitudinal (renegotiate after elections)", disabled=not collective
    )
    Switch(
        draft,
        "directional",
        "directional (re-plan after technology shocks)",
        disabled=not collective,
    )
    for field, label, kind, options in FLEX_RATES:
        Slider(draft, field, label, kind, options, disabled=not collective)
    solara.InputInt("seed", value=int(d["seed"]), on_value=lambda v: draft.set({**d, "seed": v}))
    if d != _draft(config, view.session.seed):
        solara.Button(
            "Reset to apply changes", on_click=apply, color="primary", disabled=busy, block=True
        )
    solara.Text(
        LIMITS_TEXT, classes=["pacts-limits"], style={"font-size": "0.8em", "color": "#666"}
    )


@solara.component
def TheoryPanel(view: TabView, version: int):
    """The game each country faces and the analytic critical δ next to the chosen δ."""
    th = view.theory
    with solara.Card("Theory", style={"height": "100%"}, classes=["pacts-theory"]):
        Prose(f"**Chosen δ = {th.delta:.2f}** · game: **{class_label(th.game_class)}**")
        if th.critical:
            rows = "\n".join(
                f"| {rule} | {_fmt(star)} | {'yes' if th.delta >= star else 'no'} |"
                for rule, star in th.critical.items()
            )
            Prose(f"| rule | critical δ* | δ ≥ δ*? |\n|---|---|---|\n{rows}")
        Plain(th.sentence)  # it names countries: plain text, never Markdown
        Plain(th.era)
        if th.rows:
            arrangement = view.session.config.regime != "none"  # "none": nobody is a member
            with solara.Div(style={"max-height": "260px", "overflow-y": "auto"}):
                TextTable(
                    ["country", "game under the plan", "δ*", "member", "last move"],
                    [
                        [
                            r["country"],
                            r["game"],
                            _fmt(r["critical δ"]),
                            "✓" if r["member"] and arrangement else "–",
                            "C" if r["follows plan"] else "D",
                        ]
                        for r in th.rows
                    ],
                )


@solara.component
def LessonPanel(view: TabView, version: int, lesson: solara.Reactive[str], load_scene, busy: bool):
    """Pick a lesson, read its story, load each of its settings."""
    with solara.Card("Lessons"):
        titles = {NO_LESSON: "", **{les.title: name for name, les in LESSONS.items()}}
        current = next((t for t, n in titles.items() if n == lesson.value), NO_LESSON)

        def choose(title: str) -> None:
            lesson.value = titles[title]
            if titles[title]:
                load_scene(titles[title], 0)

        solara.Select("lesson", values=list(titles), value=current, on_value=choose, disabled=busy)
        if not lesson.value:
            Prose(
                "Nine guided lessons walk from the prisoner's dilemma of industrial policy to "
                "Axelrod's tournament. Each loads its settings here; `pacts demo NAME` draws "
                "its figures from the command line."
            )
            return
        chosen = LESSONS[lesson.value]
        Prose(chosen.narrative)
        Prose(f"*Figure (`pacts demo {chosen.name}`):* {chosen.figure}")
        with solara.Row(style={"flex-wrap": "wrap"}):
            for k, scene in enumerate(chosen.scenes):
                solara.Button(
                    f"Load: {scene.label}",
                    outlined=True,
                    disabled=busy,
                    on_click=lambda k=k: load_scene(chosen.name, k),
                )


@solara.component
def Page(query: str | None = None):
    """One browser tab: its own model, controls, figures, theory and lessons.

    ``query`` is the scenario as an address's query (``"preset=classroom"``,
    ``"n_countries=30&continuation=0.6"``) when the page is shown outside the server, e.g.
    inline in a notebook; by default the browser's address."""
    router = solara.use_router()
    view = solara.use_memo(lambda: TabView(router.search if query is None else query), [])
    tick = solara.use_reactive(0)  # bumped whenever the view changed
    draft = solara.use_reactive(_draft(view.session.config, view.session.seed))
    lesson = solara.use_reactive(view.lesson)
    playing = solara.use_reactive(False)
    error = solara.use_reactive(view.message)
    tab = solara.use_reactive(0)  # 0: time series, 1: the economy (built only while shown)
    solara.use_effect(lambda: view.close, [])  # the tab closed: stop its work, free its model

    def guarded(action, reset_draft: bool = False) -> None:
        """Run an action on the view, show its error if any, and re-render."""
        try:
            action()
            error.value = ""
        except ValueError as err:
            error.value = str(err)
        except Exception as err:  # keep the page alive; the server log has the traceback
            traceback.print_exc()
            error.value = f"unexpected error: {err!r}"
        if reset_draft:  # the sidebar shows the new scenario
            draft.value = _draft(view.session.config, view.session.seed)
        tick.value += 1

    def follow() -> None:
        """The address follows the settings: a link (or a reload) reopens this very setting."""
        if router.set_path is not None and query is None:  # served, not shown in a notebook
            router.push(f"{router.path or '/'}?{view.query()}")

    def apply() -> None:
        def run():
            values = dict(draft.value)
            seed = int(values.pop("seed"))
            config = view.session.config
            # the sidebar keeps the values of the controls it disables (e.g. the hegemon in
            # pairwise mode): a field refused for having no effect goes back to its default
            values = without_inert({**{k: getattr(config, k) for k in DEFAULTS}, **values})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InertFieldWarning)
                view.reset(config.replace(**values), seed)

        guarded(run)
        follow()

    def load_preset(name: str) -> None:
        lesson.value = ""
        guarded(lambda: view.load_preset(name), reset_draft=True)
        follow()

    def load_scene(name: str, scene: int) -> None:
        guarded(lambda: view.load_scene(name, scene), reset_draft=True)
        follow()

    def play_loop() -> None:
        while playing.value and not view.closed and view.session.running:
            start = time.perf_counter()
            guarded(view.step)
            time.sleep(max(0.0, PLAY_INTERVAL - (time.perf_counter() - start)))
        playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def show_tab(index: int) -> None:
        tab.value = index
        guarded(lambda: view.show_economy(index == 1))

    # The view is mutated in place, so children get this version number as a prop: a
    # component whose props are unchanged is not re-rendered.
    version = tick.value
    s = view.session
    busy = playing.value
    solara.Title("Pacts")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("Pacts · regional industrial-policy coordination")
    with solara.Sidebar():
        LessonPanel(view, version, lesson, load_scene, busy)
        Controls(view, version, draft, apply, load_preset, busy)
    with solara.Column(style={"padding": "8px"}):
        if error.value:
            solara.Error(error.value)
        pending = draft.value != _draft(s.config, s.seed)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                "Reset", on_click=apply, disabled=busy, color="warning" if pending else None
            )
            solara.Button(
                "Step",
                on_click=lambda: guarded(view.step),
                color="primary",
                disabled=busy or not s.running,
            )
            solara.Button(
                "Pause" if busy else "Play",
                color="secondary",
                on_click=lambda: playing.set(not playing.value),
                disabled=not s.running,
            )
            if pending:
                solara.Text(
                    "Settings changed: press Reset to apply them",
                    classes=["pacts-pending"],
                    style={"color": "#b26a00", "font-weight": "bold", "margin": "0 8px"},
                )
            solara.Text(
                f"Round {s.round}",
                classes=["pacts-round"],
                style={"font-size": "1.3em", "font-weight": "bold", "margin": "0 12px"},
            )
            solara.Text(f"of {s.config.rounds} · {s.config.mode} · seed {s.seed}")
            if not math.isnan(view.step_ms):
                solara.Text(
                    f"· step {view.step_ms:.0f} ms",
                    classes=["pacts-step-ms"],
                    style={"color": "#888", "margin-left": "6px", "font-size": "0.85em"},
                )
        with solara.Columns([5, 4]):
            with solara.Card("Country network"):
                solara.Image(view.network_png, width="100%", classes=["pacts-network"])
            TheoryPanel(view, version)
        with solara.Card():
            with solara.lab.Tabs(value=tab.value, on_value=show_tab, lazy=True):
                with solara.lab.Tab("Time series"):
                    solara.Image(view.series_png, width="100%", classes=["pacts-series"])
                title = "Economy: plan, plants, payoffs" if s.collective else "Payoffs per country"
                with solara.lab.Tab(title):
                    EconomyPanel(view, version)
                with solara.lab.Tab("Compare"):
                    ComparePanel(view, version)
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):  # export, share
            stem = f"pacts-{s.name}-seed{s.seed}-round{s.round}"
            solara.FileDownload(
                lambda: s.csv().encode(), filename=f"{stem}.csv", label="Rounds (CSV)"
            )
            solara.FileDownload(
                lambda: s.parameters_csv().encode(),
                filename=f"{stem}-parameters.csv",
                label="Parameters (CSV)",
            )
            solara.FileDownload(
                lambda: view.network_png, filename=f"{stem}-network.png", label="Network (PNG)"
            )
            solara.FileDownload(
                lambda: view.series_png, filename=f"{stem}-series.png", label="Charts (PNG)"
            )
            CopyLink.element()
        with solara.Details("Guide for the class: plain words and a 90-minute plan"):
            Prose(guide_markdown())
