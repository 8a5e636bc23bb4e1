"""`ModelConfig`: every parameter of a Pacts run, validated, with its range and meaning.

The meaning column uses the paper's vocabulary: the four factors of Axelrod & Keohane's (1985)
*shadow of the future* are ``continuation`` (long time horizons), ``stake_sigma`` (regularity of
stakes), ``observation_error`` (reliability of information) and ``observation_delay`` (speed of
feedback); *mutuality of interests* is the stage ``game``; *number of participants* is
``n_countries``.

A bad value raises one ``ValueError`` that names the field, the value and what is allowed.
A field set where it has no effect (:data:`INERT`, e.g. a hegemon in pairwise mode) raises one
naming the setting and what to change, or warns (:class:`InertFieldWarning`) where such a
superset is commonly harmless.

Validation, in order: each field against its declaration (:func:`_check_value`, from the
metadata the ``_num``/``_choice``/``_flag``/``_structured`` helpers write), the structured fields
(game, strategies, economy and countries), then the combinations (:func:`_check_settings`:
:data:`REQUIRED` and :data:`INERT`).
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from agents.strategies import Strategy, get_strategy, rules_by_name
from model.economy import Economy
from model.economy_config import economy_from_tables
from model.games import GAMES, MatrixGame, get_game
from model.network import NETWORK_KINDS
from model.toml_files import read_toml

CLASSIC_SEVEN = (
    "AllC",
    "AllD",
    "TitForTat",
    "Grim",
    "WinStayLoseShift",
    "TitForTwoTats",
    "SuspiciousTitForTat",
)
"""The seven classic strategies of the foundation round-robin (Axelrod 1984)."""

MAX_WEIGHT = 1e300
"""Largest strategy weight: N × weight and the sum of the weights stay finite."""
HORIZONS = ("eras", "fixed", "geometric")
EVOLUTION = ("none", "imitation", "moran")
IMITATION_SCOPES = ("neighbours", "well_mixed")
FORWARD_LOOKING = "Calculating"
"""The rule of a government whose scenario states none (DESIGN §4: forward-looking)."""
MODES = ("pairwise", "collective")
REGIMES = ("none", "plurilateral", "supranational", "minilateral")
HEGEMONS = ("none", "cooperative", "coercive")


# ---- how a field is declared: its default, meaning and allowed values, in its metadata (read by
# the per-field check, the error messages, ``describe`` and the README's parameter table)
def _num(default: float, meaning: str, low: float, high: float, kind: type = float) -> Any:
    """A number (``kind`` float or int) in [low, high]."""
    return _declare(default, meaning, (low, high), kind)


def _flag(default: bool, meaning: str) -> Any:
    """True or false."""
    return _declare(default, meaning, (False, True), bool)


def _choice(default: str, meaning: str, allowed: tuple[str, ...]) -> Any:
    """One of the names in ``allowed``."""
    return _declare(default, meaning, allowed, str)


def _structured(default: Any, meaning: str, allowed: Any) -> Any:
    """A value with its own structured check (the game, the strategies, the economy tables);
    ``allowed`` says what is accepted."""
    return _declare(default, meaning, allowed, None)


def _declare(default: Any, meaning: str, allowed: Any, kind: type | None) -> Any:
    return field(default=default, metadata={"meaning": meaning, "allowed": allowed, "kind": kind})


# ---- settings in which a field has no effect (read from the engines in model/engine/)
class InertFieldWarning(UserWarning):
    """A field is set to a value that has no effect in the chosen setting, where that is
    commonly harmless (a preset or a sweep that sets a superset); see :data:`INERT`."""


@dataclass(frozen=True)
class Inert:
    """A setting in which a field has no effect on a run: ``when`` holds for the config's values
    (a mapping of every field); ``setting`` says it in words (formatted with the values),
    ``change`` what to change for the field to take effect. ``warn``: only a warning
    (:class:`InertFieldWarning`), not a ``ValueError``."""

    when: Callable[[Mapping[str, Any]], bool]
    setting: str
    change: str
    warn: bool = False

    def message(self, name: str, values: Mapping[str, Any], default: Any) -> str:
        return (
            f"{name} = {_shown(values[name])} has no effect when "
            f"{self.setting.format_map(values)}; for it to take effect set {self.change}, "
            f"otherwise leave {name} at its default {default!r}"
        )


# An error where setting the field there is a mistake (what was asked for cannot happen: e.g. a
# hegemon in pairwise mode); a warning where presets, lessons or sweeps commonly set a superset
# harmlessly (e.g. one set of supranational parameters while the regime varies).
_PAIRWISE = Inert(
    lambda c: c["mode"] == "pairwise",
    "mode = 'pairwise' (every relationship is the 2×2 `game`: no plan, economy or institutions)",
    "mode = 'collective'",
)
# a collective preset's country tables, kept when it is run in pairwise mode (--set mode=...)
_PAIRWISE_TABLES = replace(_PAIRWISE, warn=True)
_COLLECTIVE = Inert(
    lambda c: c["mode"] == "collective",
    "mode = 'collective' (each country's game is implied by the plan and the economy)",
    "mode = 'pairwise'",
)
# institutional sweeps compare regimes (and hegemons) with one set of each regime's parameters
_NO_COORDINATOR = Inert(
    lambda c: c["regime"] == "none",
    "regime = 'none' (no coordinator: each country plans alone)",
    "regime = 'plurilateral', 'supranational' or 'minilateral'",
    warn=True,
)
_NOT_SUPRANATIONAL = Inert(
    lambda c: c["regime"] != "supranational",
    "regime = {regime!r}",
    "regime = 'supranational'",
    warn=True,
)
_NOT_COOPERATIVE_HEGEMON = Inert(
    lambda c: c["hegemon"] != "cooperative",
    "hegemon = {hegemon!r}",
    "hegemon = 'cooperative'",
    warn=True,
)
# presets with evolution parameters are compared with evolution = 'none' (a frozen mix)
_NO_EVOLUTION = Inert(
    lambda c: c["evolution"] == "none",
    "evolution = 'none' (rules are never revised)",
    "evolution = 'imitation' or 'moran'",
    warn=True,
)
# flexibility sweeps lower the shock rates to 0 with the rest of the shock kept
_NO_ELECTIONS = Inert(
    lambda c: c["election_rate"] == 0, "election_rate = 0", "election_rate > 0", warn=True
)
_NO_TECH_SHOCKS = Inert(
    lambda c: c["tech_shock_rate"] == 0, "tech_shock_rate = 0", "tech_shock_rate > 0", warn=True
)

INERT: dict[str, tuple[Inert, ...]] = {
    # network sweeps vary the kind with one degree and rewiring (model/network.py)
    "degree": (
        Inert(
            lambda c: c["network"] in ("complete", "lattice"),
            "network = {network!r} (its partners do not depend on the degree)",
            "network = 'ring', 'watts_strogatz', 'barabasi_albert' or 'erdos_renyi'",
            warn=True,
        ),
    ),
    "rewiring": (
        Inert(
            lambda c: c["network"] != "watts_strogatz",
            "network = {network!r}",
            "network = 'watts_strogatz'",
            warn=True,
        ),
    ),
    "game": (_COLLECTIVE,),  # the collective engine never reads the stage game
    **dict.fromkeys(
        ("imitation_scope", "selection", "evolution_interval", "evolution_rate", "mutation"),
        (_NO_EVOLUTION,),
    ),
    # collective mode only (model/engine/collective.py); the pairwise engine reads none of them
    "regime": (_PAIRWISE,),
    "hegemon": (_PAIRWISE,),
    "reciprocity_threshold": (_PAIRWISE,),
    "replan_interval": (_PAIRWISE,),  # without a coordinator too: national plans are redrawn
    "submissions": (_PAIRWISE, _NO_COORDINATOR),  # members submit to the council only
    "information_noise": (
        _PAIRWISE,
        Inert(
            lambda c: c["regime"] != "none",
            "regime = {regime!r} (the coordinator plans from true values)",
            "regime = 'none'",
            warn=True,
        ),
    ),
    "transparency": (_PAIRWISE, _NO_COORDINATOR),  # the council's meetings
    "fine": (  # supranational fines, or a coercive hegemon's punishment
        _PAIRWISE,
        Inert(
            lambda c: c["regime"] != "supranational" and c["hegemon"] != "coercive",
            "regime = {regime!r} and hegemon = {hegemon!r}",
            "regime = 'supranational' or hegemon = 'coercive'",
            warn=True,
        ),
    ),
    "enforcement": (_PAIRWISE, _NOT_SUPRANATIONAL),
    "sovereignty_cost": (_PAIRWISE, _NOT_SUPRANATIONAL),
    "coordination_cost": (_PAIRWISE, _NO_COORDINATOR),
    "hegemon_patience": (_PAIRWISE, _NOT_COOPERATIVE_HEGEMON),
    "hegemon_budget": (  # side payments are paid only through a coordinator's arrangement
        _PAIRWISE,
        _NOT_COOPERATIVE_HEGEMON,
        replace(_NO_COORDINATOR, change="a regime other than 'none'"),
    ),
    # an error: with the [[countries]] tables the economy is given, so a seed asks for nothing
    "seed_economy": (
        _PAIRWISE,
        Inert(
            lambda c: c["countries"] is not None,
            "the [[countries]] tables give the economy",
            "no [[countries]] tables (the stylised default economy)",
        ),
    ),
    "election_rate": (_PAIRWISE,),
    "election_sigma": (_PAIRWISE, _NO_ELECTIONS),
    "longitudinal": (_PAIRWISE, _NO_ELECTIONS, _NO_COORDINATOR),  # renegotiation by a council
    "tech_shock_rate": (_PAIRWISE,),
    "tech_shock_sigma": (_PAIRWISE, _NO_TECH_SHOCKS),
    "compositional": (_PAIRWISE, _NO_COORDINATOR),  # opting out of a council's initiatives
    "directional": (_PAIRWISE, _NO_TECH_SHOCKS),  # without a coordinator too: plans redrawn
    "economy": (_PAIRWISE_TABLES,),
    "countries": (_PAIRWISE_TABLES,),
}
"""Field -> the settings in which it has no effect (the first that holds is reported). A field
set to a value other than its default in such a setting is a ``ValueError`` or, where ``warn``,
an :class:`InertFieldWarning`. Not listed, though it may look inert: ``continuation`` under
``horizon = 'fixed'`` (it is still the δ of the rules' forward-looking gate and of the
collective countries' patience) and ``replan_interval`` / ``directional`` without a coordinator
(each country's own plan is redrawn at every revision)."""

# ---- combinations that must hold (a ValueError otherwise), formatted with the values
REQUIRED: tuple[tuple[Callable[[Mapping[str, Any]], bool], str], ...] = (
    (
        lambda c: not (c["horizon"] == "geometric" and c["continuation"] >= 1.0),
        "continuation = 1.0 with horizon = 'geometric' never ends; "
        "allowed: continuation in [0, 1) for a geometric horizon",
    ),
    (
        lambda c: (
            c["network"] != "lattice" or math.isqrt(c["n_countries"]) ** 2 == c["n_countries"]
        ),
        "n_countries = {n_countries} with network = 'lattice': "
        "allowed: a perfect square (e.g. 9, 16, 2500) for the square torus",
    ),
    (
        lambda c: c["network"] in ("complete", "lattice") or c["degree"] < c["n_countries"],
        "degree = {degree} with n_countries = {n_countries} on a {network!r} network: "
        "allowed: degree < n_countries (or network = 'complete')",
    ),
    (
        lambda c: c["network"] not in ("ring", "watts_strogatz") or c["degree"] % 2 == 0,
        "degree = {degree} with network = {network!r}: allowed: an even number",
    ),
)


def inert_fields(values: Mapping[str, Any], *, set_only: bool = True) -> dict[str, Inert]:
    """The fields that have no effect in the setting of ``values`` (field -> value; a missing
    field takes its default), each with the first setting of :data:`INERT` that makes it
    inert; with ``set_only`` only those set to a value other than their default."""
    c = {**DEFAULTS, **values}
    out = {}
    for name, settings in INERT.items():
        if set_only and c[name] == DEFAULTS[name]:
            continue
        hit = next((s for s in settings if s.when(c)), None)
        if hit is not None:
            out[name] = hit
    return out


def without_inert(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with every field that would be refused for having no effect in their setting
    back at its default (for a form that keeps the values of the controls it disables, e.g.
    the app's sidebar); fields that are only harmlessly inert (warnings) are kept."""
    out = dict(values)
    for name, inert in inert_fields({k: v for k, v in values.items() if k in DEFAULTS}).items():
        if not inert.warn:
            out[name] = DEFAULTS[name]
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class ModelConfig:
    """All parameters of a run. Construct with keywords; invalid values raise ``ValueError``.

    ``ModelConfig.describe()`` lists every field with its range and meaning; the Parameters
    section below is generated from the same declarations.
    """

    n_countries: int = _num(12, "N, the number of participants (countries)", 2, 100_000, int)
    network: str = _choice("watts_strogatz", "who plays whom: the country network", NETWORK_KINDS)
    degree: int = _num(
        4,
        "mean number of partners per country (ring, small-world, scale-free, random networks)",
        2,
        10_000,
        int,
    )
    rewiring: float = _num(
        0.1, "Watts–Strogatz rewiring probability (small-world networks)", 0.0, 1.0
    )
    game: str | tuple[float, float, float, float] = _structured(
        "prisoners_dilemma",
        "mutuality of interests: the stage game, a class name or payoffs (T, R, P, S)",
        tuple(GAMES),
    )
    strategies: Mapping[str | Strategy, float] | tuple[str | Strategy, ...] | None = _structured(
        None,
        "strategy mix {name: weight} (shares, countries shuffled by the seed) or one name "
        "per country; default: the seven classics (pairwise), each country's stated `rule` "
        "or else the forward-looking 'Calculating' (collective)",
        "strategy names from agents.strategies.STRATEGIES (or, in Python, Strategy instances)",
    )
    rounds: int = _num(
        200,
        "number of rounds (fixed horizon) or the cap on a geometric horizon",
        1,
        1_000_000,
        int,
    )
    horizon: str = _choice(
        "eras",
        "'eras': a relationship (pairwise: a pair of partners; collective: the regional "
        "agreement) ends after each round with probability 1 − `continuation` and a new one "
        "starts with cleared histories, for `rounds` rounds; 'fixed': one relationship of "
        "`rounds` rounds; 'geometric': one relationship that ends with probability "
        "1 − `continuation` after each round (capped at `rounds`)",
        HORIZONS,
    )
    continuation: float = _num(
        0.95, "δ, the shadow of the future: continuation probability / discount factor", 0.0, 1.0
    )
    stake_sigma: float = _num(
        0.0,
        "regularity of stakes: spread of the lognormal stake multiplier (mean 1; 0 = regular)",
        0.0,
        3.0,
    )
    noise: float = _num(
        0.0, "implementation error: probability that an intended action is flipped", 0.0, 0.5
    )
    observation_error: float = _num(
        0.0, "ε, reliability of information: probability a partner's action is misread", 0.0, 0.5
    )
    observation_delay: int = _num(
        0, "d, speed of feedback: rounds before a partner's action is seen", 0, 100, int
    )
    evolution: str = _choice(
        "imitation",
        "how countries revise their rule by payoffs: 'imitation' (Fermi rule: copy a "
        "better-off model), 'moran' (death–birth: models compete for the vacancy by "
        "payoff) or 'none'",
        EVOLUTION,
    )
    imitation_scope: str = _choice(
        "neighbours",
        "whom a revising country imitates: its 'neighbours' on the network or anyone "
        "('well_mixed')",
        IMITATION_SCOPES,
    )
    selection: float = _num(
        1.0, "intensity of selection β in the evolution rules (0 = random drift)", 0.0, 1000.0
    )
    evolution_interval: int = _num(
        10,
        "rounds between evolution steps (payoffs are accumulated over the interval)",
        1,
        1_000_000,
        int,
    )
    evolution_rate: float = _num(
        0.3, "share of countries that revise their strategy at each evolution step", 0.0, 1.0
    )
    mutation: float = _num(
        0.0,
        "probability that a revising country picks a random strategy from the mix instead",
        0.0,
        1.0,
    )
    trust_memory: float = _num(
        0.1,
        "weight of the newest observation in a country's trust in a partner (moving average)",
        0.0,
        1.0,
    )
    initial_trust: float = _num(
        0.5, "trust in every partner before any observation (a prior)", 0.0, 1.0
    )

    # ---- collective mode: the economy, the coordinator and institutions (DESIGN §3, §5, §6)
    mode: str = _choice(
        "pairwise",
        "'pairwise': each relationship is the 2×2 stage `game`; 'collective': countries follow "
        "or leave the regional specialisation plan and the supply-chain economy scores it",
        MODES,
    )
    regime: str = _choice(
        "plurilateral",
        "coordination regime: 'none' (each plans alone from a noisy view), 'plurilateral' "
        "(a broker, voluntary), 'supranational' (binding plan: fines, sovereignty costs), "
        "'minilateral' (a club coordinates, outsiders go alone)",
        REGIMES,
    )
    hegemon: str = _choice(
        "none",
        "collective mode: the largest country leads: 'cooperative' (pays side payments and the "
        "coordinator's costs, forgives) or 'coercive' (punishes defection)",
        HEGEMONS,
    )
    reciprocity_threshold: float = _num(
        1.0,
        "a reciprocating country follows the plan while at least this weighted share of its "
        "partners in the arrangement is seen to comply (1: any seen defection breaks the "
        "agreement, the trigger the forward-looking thresholds assume)",
        0.0,
        1.0,
    )
    replan_interval: int = _num(
        10, "rounds between the coordinator's scheduled plan revisions", 1, 1_000_000, int
    )
    submissions: int = _num(
        8, "M, the best feasible portfolios each member submits to the coordinator", 1, 256, int
    )
    information_noise: float = _num(
        0.3,
        "without a coordinator: spread of each country's misperception of market sizes and of "
        "the other countries' capabilities",
        0.0,
        3.0,
    )
    transparency: float = _num(
        0.5,
        "how much the coordinator lowers members' observation error (council meetings)",
        0.0,
        1.0,
    )
    fine: float = _num(2.0, "supranational fine per observed defection", 0.0, 1e6)
    enforcement: float = _num(
        0.5, "probability that an observed defection is fined (supranational)", 0.0, 1.0
    )
    sovereignty_cost: float = _num(
        0.1, "per-round cost to each member of a binding (supranational) plan", 0.0, 1e6
    )
    coordination_cost: float = _num(
        0.05, "per-round cost to each member of running the coordinator", 0.0, 1e6
    )
    hegemon_patience: float = _num(
        0.99,
        "a cooperative hegemon's discount factor: its commitment to a long-term regional "
        "strategy (Pedersen 2002)",
        0.0,
        1.0,
    )
    hegemon_budget: float = _num(
        1.0, "side payments a cooperative hegemon can pay per round", 0.0, 1e6
    )
    seed_economy: int = _num(
        0, "seed of the stylised default economy (when the scenario gives none)", 0, 2**31, int
    )

    # ---- triple flexibility (paper Table 3) and the shocks it answers
    election_rate: float = _num(
        0.0,
        "per country and round: probability of an election, which brings a government with its "
        "own sector priorities (and a rule drawn from the scenario's mix, if it has one)",
        0.0,
        1.0,
    )
    election_sigma: float = _num(
        0.0,
        "spread of a new government's sector priorities (lognormal multiplier of its "
        "capabilities, mean 1; 0: it values the plan as its predecessor did)",
        0.0,
        3.0,
    )
    tech_shock_rate: float = _num(
        0.0,
        "per round: probability of a technology shock that rescales one sector's market",
        0.0,
        1.0,
    )
    tech_shock_sigma: float = _num(
        0.5, "spread of a technology shock (lognormal market multiplier, mean 1)", 0.0, 3.0
    )
    compositional: bool = _flag(
        False,
        "compositional flexibility: a dissatisfied member opts out of single sector initiatives "
        "and the rest proceed ('ASEAN minus X'); off: it leaves the arrangement",
    )
    longitudinal: bool = _flag(
        False,
        "longitudinal flexibility: a newly elected government renegotiates its share of the "
        "plan at once; off: the plan stands, and it leaves if it would not follow it",
    )
    directional: bool = _flag(
        False,
        "directional flexibility: after a technology shock the coordinator re-plans at once; "
        "off: the plan stays stale until its next scheduled revision",
    )

    economy: Mapping[str, Any] | None = _structured(
        None,
        "the supply chain ([economy] table: sectors, kappa, chain_bonus, shortfall_cost); "
        "default: the stylised battery/EV and solar chains",
        "see model/economy_config.py",
    )
    countries: tuple[Mapping[str, Any], ...] | None = _structured(
        None,
        "the countries ([[countries]] tables: name, gdp, budget, strengths); default: "
        "stylised random countries drawn from seed_economy",
        "see model/economy_config.py",
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_value(f.name, getattr(self, f.name), f.metadata)
        self._check_game()
        self._check_strategies()
        self._check_economy()
        _check_settings(self._values())

    def _values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def _check_game(self) -> None:
        try:
            get_game(self.game)
        except (TypeError, ValueError) as err:
            raise ValueError(f"game = {self.game!r}: {err}") from None
        if isinstance(self.game, list):
            object.__setattr__(self, "game", tuple(self.game))

    def _check_strategies(self) -> None:
        s = self.strategies
        if s is None:
            return
        if isinstance(s, str) or not isinstance(s, Mapping | Sequence):
            raise ValueError(
                f"strategies = {s!r}: allowed: a mapping {{name: weight}} "
                "or a list of one name per country"
            )
        names = list(s)
        if not names:
            raise ValueError("strategies is empty: name at least one strategy")
        try:
            rules_by_name(names, once=isinstance(s, Mapping))
        except ValueError as err:
            raise ValueError(f"strategies: {err}") from None
        if isinstance(s, Mapping):
            for name, w in s.items():
                if (
                    isinstance(w, bool)
                    or not isinstance(w, int | float)
                    or not (math.isfinite(w) and 0 <= w <= MAX_WEIGHT)
                ):
                    raise ValueError(
                        f"strategies[{name!r}] = {w!r}: allowed: a weight in [0, {MAX_WEIGHT:g}] "
                        "(only the ratios matter)"
                    )
            if sum(s.values()) <= 0:
                raise ValueError("strategies: the weights sum to 0; give at least one weight > 0")
        else:
            object.__setattr__(self, "strategies", tuple(s))
            if len(s) != self.n_countries:
                raise ValueError(
                    f"strategies lists {len(s)} names but n_countries = "
                    f"{self.n_countries}; allowed: one name per country, or a mix"
                )

    def _check_economy(self) -> None:
        if self.countries is None:
            if self.economy is not None:
                raise ValueError(
                    "economy is given without countries: add the [[countries]] "
                    "tables (name, gdp, budget, strengths)"
                )
            return
        if isinstance(self.countries, Mapping) or not isinstance(self.countries, Sequence):
            raise ValueError("countries: allowed: a list of [[countries]] tables")
        object.__setattr__(self, "countries", tuple(self.countries))
        if len(self.countries) != self.n_countries:
            raise ValueError(
                f"n_countries = {self.n_countries} but {len(self.countries)} "
                "[[countries]] are given; allowed: the same number"
            )
        self.build_economy()
        self._check_country_rules()

    def _check_country_rules(self) -> None:
        """Each government's ``rule`` (DESIGN §4): stated for every country or for none, and a
        known rule; a name in a preset is never dealt a rule by lot."""
        stated = [c.get("rule") if isinstance(c, Mapping) else None for c in self.countries]
        if all(r is None for r in stated):
            return
        for i, (c, r) in enumerate(zip(self.countries, stated, strict=True)):
            name = c.get("name", i)
            if r is None:
                given = next(j for j, x in enumerate(stated) if x is not None)
                raise ValueError(
                    f"countries[{i}].rule ({name}): missing; allowed: a rule for every country "
                    f"(countries[{given}] states one) or for none (then each is forward-looking "
                    f"'{FORWARD_LOOKING}')"
                )
            try:
                get_strategy(r)
            except ValueError as err:
                raise ValueError(f"countries[{i}].rule ({name}): {err}") from None

    def build_economy(self) -> Economy:
        """The collective mode's economy: from the ``economy``/``countries`` tables, or the
        stylised battery/solar default for ``n_countries`` (drawn from ``seed_economy``)."""
        if self.countries is None:
            return Economy.default(self.n_countries, seed=self.seed_economy)
        return economy_from_tables(self.economy or {}, self.countries, origin="scenario")

    @property
    def rules(self) -> Mapping[str, float] | tuple[str, ...]:
        """The rules the countries start with: ``strategies`` if given; otherwise the seven
        classics in pairwise mode and, in collective mode, each country's stated ``rule`` (all
        or none of the [[countries]] state one) or the forward-looking :data:`FORWARD_LOOKING`."""
        if self.strategies is not None:
            return self.strategies
        if self.mode == "pairwise":
            return dict.fromkeys(CLASSIC_SEVEN, 1.0)
        stated = [c.get("rule") for c in self.countries or ()]
        if any(r is not None for r in stated):
            return tuple(stated)
        return {FORWARD_LOOKING: 1.0}

    @property
    def matrix_game(self) -> MatrixGame:
        """The stage game as a :class:`~model.games.MatrixGame`."""
        return get_game(self.game)

    @classmethod
    def _known(cls, names: Iterable[str], origin: str, extra: frozenset = frozenset()) -> set:
        """The field names; a name that is neither a field nor in ``extra`` is an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(names) - known - extra)
        if unknown:
            raise ValueError(
                f"{origin}unknown field(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(known))}"
            )
        return known

    def replace(self, **changes: Any) -> ModelConfig:
        """A copy with some fields changed (validated again); unknown names are an error."""
        self._known(changes, "")
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str = "config") -> ModelConfig:
        """Build from a plain mapping (e.g. a TOML table); unknown keys are an error."""
        known = cls._known(data, f"{origin}: ", frozenset({"description", "name"}))
        values = {
            k: (tuple(v) if isinstance(v, list) and k == "game" else v)
            for k, v in data.items()
            if k in known
        }
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> ModelConfig:
        """Read a scenario file (TOML, parsed with tomllib; nothing is evaluated)."""
        return cls.from_mapping(read_toml(path, "config file"), origin=str(path))

    @classmethod
    def markdown_table(cls) -> str:
        """The README's parameter table (kept in sync by a test)."""
        rows = ["| field | default | allowed | meaning |", "| --- | --- | --- | --- |"]
        for name, default, allowed, meaning in cls.describe():
            if name == "strategies":
                default, allowed = "by mode (see meaning)", "strategy names"
            elif default is None:
                default = "stylised default"
            rows.append(f"| `{name}` | {default} | {allowed} | {meaning} |")
        return "\n".join(rows) + "\n"

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str, str]]:
        """(field, default, allowed, meaning) for every field — for --help and the README."""
        rows = []
        for f in fields(cls):
            default = f.default_factory() if f.default is MISSING else f.default
            allowed = f.metadata["allowed"]
            if isinstance(allowed, tuple) and len(allowed) == 2 and not isinstance(allowed[0], str):
                allowed = f"[{allowed[0]}, {allowed[1]}]"
            elif isinstance(allowed, tuple):
                allowed = ", ".join(allowed)
            rows.append((f.name, default, str(allowed), f.metadata["meaning"]))
        return rows


def _check_value(name: str, value: Any, meta: Mapping[str, Any]) -> None:
    """One field against its declaration (its metadata); structured fields (kind None) have
    their own checks."""
    kind, allowed = meta["kind"], meta["allowed"]
    if kind is None:
        return
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} = {value!r}: allowed: true or false ({meta['meaning']})")
        return
    if kind is str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"{name} = {value!r}: allowed: {', '.join(allowed)}")
        return
    ok_type = (
        (isinstance(value, int) and not isinstance(value, bool))
        if kind is int
        else (isinstance(value, int | float) and not isinstance(value, bool))
    )
    low, high = allowed
    if not ok_type or not (math.isfinite(value) and low <= value <= high):
        what = "an integer" if kind is int else "a number"
        raise ValueError(
            f"{name} = {value!r}: allowed: {what} in [{low}, {high}] ({meta['meaning']})"
        )


def _check_settings(values: Mapping[str, Any]) -> None:
    """The combinations of fields: :data:`REQUIRED` (a ``ValueError`` if one fails), then
    :data:`INERT` (a field that has no effect in this setting: a ``ValueError`` naming the
    field, its value, the setting and what to change, or an :class:`InertFieldWarning`)."""
    for holds, message in REQUIRED:
        if not holds(values):
            raise ValueError(message.format_map(values))
    for name, inert in inert_fields(values).items():
        message = inert.message(name, values, DEFAULTS[name])
        if not inert.warn:
            raise ValueError(message)
        warnings.warn(message, InertFieldWarning, stacklevel=4)


DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(ModelConfig)}
"""Field -> its default."""


_EXAMPLES = """
Examples
--------
>>> from model import ModelConfig
>>> config = ModelConfig(n_countries=20, continuation=0.9, strategies={"TitForTat": 0.5,
...                      "AllD": 0.5})
>>> config.replace(continuation=0.4).continuation
0.4
>>> ModelConfig(continuation=1.5)
Traceback (most recent call last):
...
ValueError: continuation = 1.5: allowed: ...
>>> ModelConfig(hegemon="cooperative")  # only the collective engine has hegemons
Traceback (most recent call last):
...
ValueError: hegemon = 'cooperative' has no effect when mode = 'pairwise'...
"""


def _parameters_section() -> str:
    """numpydoc's Parameters section of :class:`ModelConfig`, from the fields' declarations."""
    lines = ["", "Parameters", "----------"]
    for name, default, allowed, meaning in ModelConfig.describe():
        lines.append(f"{name} : default {default!r}")
        lines.append(f"    {meaning}. Allowed: {allowed}.")
    return "\n".join(lines) + "\n"


ModelConfig.__doc__ = (
    inspect.cleandoc(ModelConfig.__doc__ or "") + "\n" + _parameters_section() + _EXAMPLES
)
