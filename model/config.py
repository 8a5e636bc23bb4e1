"""`ModelConfig`: every parameter of a Pacts run, validated, with its range and meaning.

The meaning column uses the paper's vocabulary: the four factors of Axelrod & Keohane's (1985)
*shadow of the future* are ``continuation`` (long time horizons), ``stake_sigma`` (regularity of
stakes), ``observation_error`` (reliability of information) and ``observation_delay`` (speed of
feedback); *mutuality of interests* is the stage ``game``; *number of participants* is
``n_countries``.

A bad value raises one ``ValueError`` that names the field, the value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
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


def _num(default: float, meaning: str, low: float, high: float, kind: type = float) -> Any:
    return field(default=default, metadata=_spec(meaning, (low, high), kind))


def _flag(default: bool, meaning: str) -> Any:
    return field(default=default, metadata=_spec(meaning, (False, True), bool))


def _choice(default: str, meaning: str, allowed: tuple[str, ...]) -> Any:
    return field(default=default, metadata=_spec(meaning, allowed))


def _spec(
    meaning: str, allowed: Any, kind: type | tuple[type, ...] | None = None, **extra: Any
) -> Any:
    return {"meaning": meaning, "allowed": allowed, "kind": kind, **extra}


@dataclass(frozen=True)
class ModelConfig:
    """All parameters of a run. Construct with keywords; invalid values raise ``ValueError``.

    ``ModelConfig.describe()`` lists every field with its range and meaning.
    """

    n_countries: int = field(
        default=12, metadata=_spec("N, the number of participants (countries)", (2, 100_000), int)
    )
    network: str = field(
        default="watts_strogatz",
        metadata=_spec("who plays whom: the country network", NETWORK_KINDS),
    )
    degree: int = field(
        default=4,
        metadata=_spec(
            "mean number of partners per country (ring, small-world, scale-free, random networks)",
            (2, 10_000),
            int,
        ),
    )
    rewiring: float = field(
        default=0.1,
        metadata=_spec(
            "Watts–Strogatz rewiring probability (small-world networks)", (0.0, 1.0), float
        ),
    )
    game: str | tuple[float, float, float, float] = field(
        default="prisoners_dilemma",
        metadata=_spec(
            "mutuality of interests: the stage game, a class name or payoffs (T, R, P, S)",
            tuple(GAMES),
        ),
    )
    strategies: Mapping[str | Strategy, float] | tuple[str | Strategy, ...] | None = field(
        default=None,
        metadata=_spec(
            "strategy mix {name: weight} (shares, countries shuffled by the seed) or one name "
            "per country; default: the seven classics (pairwise), each country's stated `rule` "
            "or else the forward-looking 'Calculating' (collective)",
            "strategy names from agents.strategies.STRATEGIES (or, in Python, Strategy instances)",
        ),
    )
    rounds: int = field(
        default=200,
        metadata=_spec(
            "number of rounds (fixed horizon) or the cap on a geometric horizon",
            (1, 1_000_000),
            int,
        ),
    )
    horizon: str = field(
        default="eras",
        metadata=_spec(
            "'eras': a relationship (pairwise: a pair of partners; collective: the regional "
            "agreement) ends after each round with probability 1 − `continuation` and a new one "
            "starts with cleared histories, for `rounds` rounds; 'fixed': one relationship of "
            "`rounds` rounds; 'geometric': one relationship that ends with probability "
            "1 − `continuation` after each round (capped at `rounds`)",
            HORIZONS,
        ),
    )
    continuation: float = field(
        default=0.95,
        metadata=_spec(
            "δ, the shadow of the future: continuation probability / discount factor",
            (0.0, 1.0),
            float,
        ),
    )
    stake_sigma: float = field(
        default=0.0,
        metadata=_spec(
            "regularity of stakes: spread of the lognormal stake multiplier (mean 1; 0 = regular)",
            (0.0, 3.0),
            float,
        ),
    )
    noise: float = field(
        default=0.0,
        metadata=_spec(
            "implementation error: probability that an intended action is flipped",
            (0.0, 0.5),
            float,
        ),
    )
    observation_error: float = field(
        default=0.0,
        metadata=_spec(
            "ε, reliability of information: probability a partner's action is misread",
            (0.0, 0.5),
            float,
        ),
    )
    observation_delay: int = field(
        default=0,
        metadata=_spec(
            "d, speed of feedback: rounds before a partner's action is seen", (0, 100), int
        ),
    )
    evolution: str = field(
        default="imitation",
        metadata=_spec(
            "how countries revise their rule by payoffs: 'imitation' (Fermi rule: copy a "
            "better-off model), 'moran' (death–birth: models compete for the vacancy by "
            "payoff) or 'none'",
            EVOLUTION,
        ),
    )
    imitation_scope: str = field(
        default="neighbours",
        metadata=_spec(
            "whom a revising country imitates: its 'neighbours' on the network or anyone "
            "('well_mixed')",
            IMITATION_SCOPES,
        ),
    )
    selection: float = field(
        default=1.0,
        metadata=_spec(
            "intensity of selection β in the evolution rules (0 = random drift)",
            (0.0, 1000.0),
            float,
        ),
    )
    evolution_interval: int = field(
        default=10,
        metadata=_spec(
            "rounds between evolution steps (payoffs are accumulated over the interval)",
            (1, 1_000_000),
            int,
        ),
    )
    evolution_rate: float = field(
        default=0.3,
        metadata=_spec(
            "share of countries that revise their strategy at each evolution step",
            (0.0, 1.0),
            float,
        ),
    )
    mutation: float = field(
        default=0.0,
        metadata=_spec(
            "probability that a revising country picks a random strategy from the mix instead",
            (0.0, 1.0),
            float,
        ),
    )
    trust_memory: float = field(
        default=0.1,
        metadata=_spec(
            "weight of the newest observation in a country's trust in a partner (moving average)",
            (0.0, 1.0),
            float,
        ),
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

    economy: Mapping[str, Any] | None = field(
        default=None,
        metadata=_spec(
            "the supply chain ([economy] table: sectors, kappa, chain_bonus, shortfall_cost); "
            "default: the stylised battery/EV and solar chains",
            "see model/economy_config.py",
        ),
    )
    countries: tuple[Mapping[str, Any], ...] | None = field(
        default=None,
        metadata=_spec(
            "the countries ([[countries]] tables: name, gdp, budget, strengths); default: "
            "stylised random countries drawn from seed_economy",
            "see model/economy_config.py",
        ),
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            _check(f.name, getattr(self, f.name), f.metadata)
        try:
            get_game(self.game)
        except (TypeError, ValueError) as err:
            raise ValueError(f"game = {self.game!r}: {err}") from None
        if isinstance(self.game, list):
            object.__setattr__(self, "game", tuple(self.game))
        if self.horizon == "geometric" and self.continuation >= 1.0:
            raise ValueError(
                "continuation = 1.0 with horizon = 'geometric' never ends; "
                "allowed: continuation in [0, 1) for a geometric horizon"
            )
        self._check_strategies()
        self._check_economy()
        if self.network == "lattice" and math.isqrt(self.n_countries) ** 2 != self.n_countries:
            raise ValueError(
                f"n_countries = {self.n_countries} with network = 'lattice': "
                "allowed: a perfect square (e.g. 9, 16, 2500) for the square torus"
            )
        if (
            self.network != "complete"
            and self.network != "lattice"
            and (self.degree >= self.n_countries)
        ):
            raise ValueError(
                f"degree = {self.degree} with n_countries = {self.n_countries} on a "
                f"{self.network!r} network: allowed: degree < n_countries (or network = "
                "'complete')"
            )
        if self.network in ("ring", "watts_strogatz") and self.degree % 2:
            raise ValueError(
                f"degree = {self.degree} with network = {self.network!r}: allowed: an even number"
            )

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


def _check(name: str, value: Any, meta: Mapping[str, Any]) -> None:
    kind, allowed = meta["kind"], meta["allowed"]
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} = {value!r}: allowed: true or false ({meta['meaning']})")
        return
    if kind is None:
        if (
            isinstance(allowed, tuple)
            and allowed
            and isinstance(allowed[0], str)
            and name != "game"
            and value not in allowed
        ):
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
