"""Repeated-game strategies as vectorised decision rules over directed edges.

Every rule maps what a country has *observed* about one partner (an :class:`Observed` record of
arrays, one element per directed edge i→j and replicate) to the probability that it *intends* to
cooperate this round. Implementation noise (the engine flips an intended action with probability
``noise``) is applied afterwards, and the action recorded, observed and scored is the one after the
flip — as in the reference IPD library (Axelrod-Python, Knight et al. 2016).

What a rule may look at (the engine keeps exactly this, per directed edge):

``first``        no observation of this partner has arrived yet (round 0, or the first ``d``
                 rounds under an observation delay ``d``);
``my_last``      own action in the round that the latest observation refers to;
``opp_last``     the partner's latest observed action (possibly misread with probability ε);
``defect_run``   consecutive observed defections, capped at :data:`RUN_CAP`;
``defect_age``   observations since the latest observed defection (0 = the latest was a D),
                 capped at :data:`AGE_CAP`; :data:`NEVER` if the partner was never seen to defect.

Because this state space is small and finite, the engine evaluates each rule once on the whole
grid (:func:`state_grid`) and then plays by table look-up — one gather for all strategies at once.
Forward-looking rules whose choice also depends on this round's stake (``Calculating``) declare
``gated = True`` and split into a table part and a per-replicate :meth:`Strategy.gate`.

Users add rules by subclassing :class:`Strategy` or, for memory-one rules, with
``MemoryOne(p_first, p_cc, p_cd, p_dc, p_dd)`` (Nowak & Sigmund 1993 notation: probability of
cooperating after (my move, partner's move) = CC, CD, DC, DD).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "AGES",
    "AGE_CAP",
    "HISTORY_STATES",
    "NEVER",
    "RUN_CAP",
    "STRATEGIES",
    "Context",
    "MemoryOne",
    "Observed",
    "Strategy",
    "get_strategy",
    "history_transition",
    "state_grid",
]

RUN_CAP = 3
"""Observed defection runs are counted up to this value (``3`` means "three or more")."""
AGE_CAP = 8
"""Ages of the latest observed defection are exact below this value, then "old"."""
NEVER = AGE_CAP + 1
"""``defect_age`` of a partner never seen to defect."""
AGES = AGE_CAP + 2
HISTORY_STATES = (RUN_CAP + 1) * AGES
"""Number of (defect_run, defect_age) codes; code = defect_run * AGES + defect_age."""
INITIAL_HISTORY = NEVER
"""History code before any observation: no run, never defected."""


@dataclass(frozen=True)
class Observed:
    """What a country has observed about its partners; arrays of one shape (or scalars)."""

    first: np.ndarray
    my_last: np.ndarray
    defect_run: np.ndarray
    defect_age: np.ndarray

    @property
    def opp_last(self) -> np.ndarray:
        """The partner's latest observed action (True = cooperate)."""
        return self.defect_run == 0


@dataclass(frozen=True)
class Context:
    """The game and the shadow of the future as a rule sees them.

    ``stake`` is this round's stake multiplier per replicate (``None`` while the engine builds its
    look-up tables: only gated rules read it).
    """

    T: float
    R: float
    P: float
    S: float
    continuation: float = 0.0
    observation_delay: int = 0
    observation_error: float = 0.0
    mean_stake: float = 1.0
    stake: np.ndarray | None = None


def state_grid() -> tuple[Observed, Observed]:
    """All observed states: (the first-round state, the grid of later states).

    The grid is ordered so that flat index = my_last * HISTORY_STATES + history code, where
    history code = defect_run * AGES + defect_age — the engine's indexing.
    """
    my, run, age = np.meshgrid(
        np.array([False, True]), np.arange(RUN_CAP + 1), np.arange(AGES), indexing="ij"
    )
    later = Observed(
        first=np.zeros(my.size, bool),
        my_last=my.ravel(),
        defect_run=run.ravel(),
        defect_age=age.ravel(),
    )
    first = Observed(
        first=np.ones(1, bool),
        my_last=np.ones(1, bool),
        defect_run=np.zeros(1, int),
        defect_age=np.full(1, NEVER),
    )
    return first, later


def history_transition() -> np.ndarray:
    """Table ``next[observed_c, code]`` of history codes after one more observation.

    Observing C ends a defection run and ages the latest defection; observing D extends the run
    (capped) and resets the age to 0.
    """
    run, age = np.divmod(np.arange(HISTORY_STATES), AGES)
    after_c = np.where(age == NEVER, NEVER, np.minimum(age + 1, AGE_CAP))  # run resets to 0
    after_d = np.minimum(run + 1, RUN_CAP) * AGES  # age 0
    return np.stack([after_d, after_c]).astype(np.intp)


class Strategy:
    """A decision rule: probability of intending to cooperate given what was observed.

    Subclasses implement :meth:`base_probability` (a vectorised function of an
    :class:`Observed` and a :class:`Context`). Rules whose choice also depends on this round's
    stake set ``gated = True`` and implement :meth:`gate`; they cooperate with probability
    ``base_probability × gate``.
    """

    name: str = "Strategy"
    source: str = ""
    gated: bool = False

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        """Probability of intending C, ignoring any stake gate."""
        raise NotImplementedError

    def gate(self, ctx: Context) -> np.ndarray:
        """Per-replicate willingness (bool) at this round's stake; gated rules only."""
        raise NotImplementedError

    def probability(self, h: Observed, ctx: Context) -> np.ndarray:
        """Probability of intending to cooperate (the full rule)."""
        p = np.broadcast_to(np.asarray(self.base_probability(h, ctx), float), np.shape(h.first))
        if self.gated:
            p = p * self.gate(ctx)
        return p

    def __repr__(self) -> str:
        return self.name


class MemoryOne(Strategy):
    """Memory-one rule (p_first, p_cc, p_cd, p_dc, p_dd) — Nowak & Sigmund (1993).

    ``p_xy`` is the probability of cooperating after a round in which I played x and the partner
    (as observed) played y; ``p_first`` is used before any observation.
    """

    def __init__(
        self,
        p_first: float,
        p_cc: float,
        p_cd: float,
        p_dc: float,
        p_dd: float,
        *,
        name: str | None = None,
        source: str = "Nowak & Sigmund (1993)",
    ):
        probs = (p_first, p_cc, p_cd, p_dc, p_dd)
        for field, p in zip(("p_first", "p_cc", "p_cd", "p_dc", "p_dd"), probs, strict=True):
            if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
                raise ValueError(f"MemoryOne {field} = {p!r}: must be a probability in [0, 1]")
        self.vector = tuple(float(p) for p in probs)
        self.name = name or "MemoryOne({})".format(", ".join(f"{p:g}" for p in self.vector))
        self.source = source

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        p_first, p_cc, p_cd, p_dc, p_dd = self.vector
        after = np.where(
            h.my_last, np.where(h.opp_last, p_cc, p_cd), np.where(h.opp_last, p_dc, p_dd)
        )
        return np.where(h.first, p_first, after)


class GenerousTitForTat(MemoryOne):
    """TFT that forgives an observed D with probability q — Nowak & Sigmund (1992), Molander (1985).

    Memory-one (1, 1, q, 1, q). With ``generosity=None`` q is recomputed for the game in use:
    q = min(1 − (T−R)/(R−S), (R−P)/(T−P)) (1/3 for the classic PD (5, 3, 1, 0)).
    """

    def __init__(self, generosity: float | None = None):
        super().__init__(
            1,
            1,
            0,
            1,
            0,
            name="GenerousTitForTat",
            source="Nowak & Sigmund (1992); Molander (1985)",
        )
        if generosity is not None:
            if not 0.0 <= generosity <= 1.0:
                raise ValueError(
                    f"GenerousTitForTat generosity = {generosity!r}: must be in [0, 1]"
                )
            self.name = f"GenerousTitForTat({generosity:g})"
        self.generosity = generosity

    @staticmethod
    def generosity_for(ctx: Context) -> float:
        """The largest forgiveness that still deters defection, clipped to [0, 1].

        Outside the prisoner's dilemma a term whose denominator is not positive sets no limit
        (e.g. a stag hunt with T = P has no temptation to deter: q = 1).
        """
        bounds = [1.0]
        if ctx.R > ctx.S:
            bounds.append(1 - (ctx.T - ctx.R) / (ctx.R - ctx.S))
        if ctx.T > ctx.P:
            bounds.append((ctx.R - ctx.P) / (ctx.T - ctx.P))
        return float(np.clip(min(bounds), 0.0, 1.0))

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        q = self.generosity if self.generosity is not None else self.generosity_for(ctx)
        return np.where(h.first | h.opp_last, 1.0, q)


class TitForTwoTats(Strategy):
    """Defect only after two consecutive observed defections — Axelrod (1984)."""

    name = "TitForTwoTats"
    source = "Axelrod (1984), The Evolution of Cooperation"

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.defect_run < 2).astype(float)


class Grim(Strategy):
    """Cooperate until the partner has ever been observed to defect — Friedman (1971)."""

    name = "Grim"
    source = "Friedman (1971), grim trigger"

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.defect_age == NEVER).astype(float)


class CooperativeHegemon(Strategy):
    """Cooperative hegemony (Pedersen 2002): cooperate, forgive, punish only persistent defection.

    Defects only while the partner has defected ``patience`` observed rounds in a row. In the
    economy (collective mode) the hegemon also pays side payments from a budget.
    """

    source = "Pedersen (2002), cooperative hegemony; Keohane (1984), After Hegemony"

    def __init__(self, patience: int = RUN_CAP):
        if not 1 <= patience <= RUN_CAP:
            raise ValueError(f"CooperativeHegemon patience = {patience!r}: must be in 1..{RUN_CAP}")
        self.patience = patience
        self.name = (
            "CooperativeHegemon" if patience == RUN_CAP else f"CooperativeHegemon({patience})"
        )

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.defect_run < self.patience).astype(float)


class CoerciveHegemon(Strategy):
    """Coercive hegemony: every observed defection is punished with ``punishment`` rounds of D.

    A defection seen during a punishment restarts it (so a persistent defector is punished for
    ever). Contrast: TitForTat punishes one round, Grim for ever.
    """

    source = "Pedersen (2002); Snidal (1985), The limits of hegemonic stability theory"

    def __init__(self, punishment: int = 4):
        if not 1 <= punishment <= AGE_CAP:
            raise ValueError(
                f"CoerciveHegemon punishment = {punishment!r}: must be in 1..{AGE_CAP}"
            )
        self.punishment = punishment
        self.name = "CoerciveHegemon" if punishment == 4 else f"CoerciveHegemon({punishment})"

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.defect_age >= self.punishment).astype(float)


class Calculating(Strategy):
    """Forward-looking folk-theorem test (Friedman 1971; Axelrod & Keohane 1985).

    Cooperates with a partner last seen cooperating (or not seen yet) iff the discounted value of
    continued cooperation beats deviating now. It believes the partner reciprocates like a trigger
    strategy: a defection is punished with P for ever once it is seen, ``d`` rounds late; while it
    cooperates, a false alarm (probability ε a round) also ends cooperation. At today's stake s_t
    and mean stake E[s] it cooperates iff

        (T−R)·(s_t + E[s]·Σ_{k=1..d} δ^k)  ≤  (R−P)·E[s]·Σ_{k≥d+1} δ^k (1−ε)^(k−d)
                                           =  (R−P)·E[s]·δ^(d+1)(1−ε) / (1 − δ(1−ε)).

    With constant stakes this is δ^(d+1) ≥ (T−R)/(T−P) for ε = 0 (the grim threshold with a
    detection delay) and δ(1−ε) ≥ (T−R)/(T−P) for d = 0; at s_t = s_max it is the irregular-stakes
    condition s_max(T−R) ≤ δ/(1−δ)·E[s]·(R−P). Beliefs default to the model's true δ, d and ε;
    pass ``belief_*`` to model myopic or over-confident governments.
    """

    gated = True
    source = "Friedman (1971); Axelrod & Keohane (1985), Achieving cooperation under anarchy"

    def __init__(
        self,
        belief_continuation: float | None = None,
        belief_delay: int | None = None,
        belief_error: float | None = None,
    ):
        for field, value, high in (
            ("belief_continuation", belief_continuation, 1.0),
            ("belief_error", belief_error, 1.0),
        ):
            if value is not None and not 0.0 <= value <= high:
                raise ValueError(f"Calculating {field} = {value!r}: must be in [0, {high:g}]")
        if belief_delay is not None and (not isinstance(belief_delay, int) or belief_delay < 0):
            raise ValueError(f"Calculating belief_delay = {belief_delay!r}: must be an int >= 0")
        self.beliefs = (belief_continuation, belief_delay, belief_error)
        given = [f"{v:g}" for v in self.beliefs if v is not None]
        self.name = "Calculating" if not given else f"Calculating({', '.join(given)})"

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.first | h.opp_last).astype(float)

    def gate(self, ctx: Context) -> np.ndarray:
        delta, d, eps = (
            ctx_value if belief is None else belief
            for belief, ctx_value in zip(
                self.beliefs,
                (ctx.continuation, ctx.observation_delay, ctx.observation_error),
                strict=True,
            )
        )
        stake = np.asarray(1.0 if ctx.stake is None else ctx.stake, float)
        m = ctx.mean_stake
        head = d if delta == 1.0 else delta * (1 - delta**d) / (1 - delta)  # Σ_{k=1..d} δ^k
        survive = delta * (1 - eps)
        tail = math.inf if survive >= 1.0 else delta ** (d + 1) * (1 - eps) / (1 - survive)
        gain = (ctx.T - ctx.R) * (stake + m * head)
        keep = (ctx.R - ctx.P) * m * tail
        return gain <= keep


_ALL_C = MemoryOne(1, 1, 1, 1, 1, name="AllC", source="Axelrod (1984): always cooperate")
_ALL_D = MemoryOne(0, 0, 0, 0, 0, name="AllD", source="Axelrod (1984): always defect")
_TFT = MemoryOne(1, 1, 0, 1, 0, name="TitForTat", source="Rapoport; Axelrod (1984)")
_STFT = MemoryOne(
    0, 1, 0, 1, 0, name="SuspiciousTitForTat", source="Beaufils, Delahaye & Mathieu (1996)"
)
_WSLS = MemoryOne(
    1,
    1,
    0,
    0,
    1,
    name="WinStayLoseShift",
    source="Nowak & Sigmund (1993), Pavlov; Kraines & Kraines (1989)",
)
_ALTERNATOR = MemoryOne(
    1,
    0,
    0,
    1,
    1,
    name="Alternator",
    source="Axelrod-Python: C, D, C, D, ... (plays the opposite of its last move)",
)


def _random(p: float = 0.5) -> MemoryOne:
    """Cooperate with probability p every round (Axelrod 1980's RANDOM entry)."""
    name = "Random" if p == 0.5 else f"Random({p:g})"
    return MemoryOne(p, p, p, p, p, name=name, source="Axelrod (1980), RANDOM")


_FACTORIES: dict[str, Callable[..., Strategy]] = {
    "AllC": lambda: _ALL_C,
    "AllD": lambda: _ALL_D,
    "Random": _random,
    "TitForTat": lambda: _TFT,
    "SuspiciousTitForTat": lambda: _STFT,
    "GenerousTitForTat": GenerousTitForTat,
    "TitForTwoTats": TitForTwoTats,
    "Grim": Grim,
    "WinStayLoseShift": lambda: _WSLS,
    "Calculating": Calculating,
    "CooperativeHegemon": CooperativeHegemon,
    "CoerciveHegemon": CoerciveHegemon,
    "Alternator": lambda: _ALTERNATOR,
    "MemoryOne": MemoryOne,
}
STRATEGIES: dict[str, Strategy] = {
    name: factory() for name, factory in _FACTORIES.items() if name != "MemoryOne"
}
"""The registry: name -> rule with default parameters (DESIGN §4)."""

_ALIASES = {
    "TFT": "TitForTat",
    "STFT": "SuspiciousTitForTat",
    "GTFT": "GenerousTitForTat",
    "TF2T": "TitForTwoTats",
    "WSLS": "WinStayLoseShift",
    "Pavlov": "WinStayLoseShift",
    "GrimTrigger": "Grim",
    "Cooperator": "AllC",
    "Defector": "AllD",
}
_CALL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\((.*)\))?\s*$")


def _number(text: str) -> int | float:
    """A strategy argument: a finite number (never evaluated)."""
    try:
        value = float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"argument {text!r}: allowed: a finite number, e.g. 0.3")
    return value


def get_strategy(spec: str | Strategy) -> Strategy:
    """A rule from its name, an alias, or a call such as ``"Random(0.3)"`` or
    ``"MemoryOne(1, 1, 0, 1, 0)"`` (numbers only; nothing is evaluated)."""
    if isinstance(spec, Strategy):
        return spec
    match = _CALL.match(spec) if isinstance(spec, str) else None
    canonical = {k.lower(): k for k in (*_FACTORIES, *_ALIASES)}
    key = canonical.get(match.group(1).lower()) if match else None
    if key is None:
        allowed = ", ".join(_FACTORIES)
        raise ValueError(
            f"unknown strategy {spec!r}; allowed: {allowed} "
            "(parameters in brackets, e.g. 'Random(0.3)', 'MemoryOne(1,1,0,1,0)')"
        )
    key = _ALIASES.get(key, key)
    if match.group(2) is None or not match.group(2).strip():
        if key == "MemoryOne":
            raise ValueError(
                "strategy 'MemoryOne' needs five probabilities, "
                "e.g. 'MemoryOne(1, 1, 0, 1, 0)' (p_first, p_cc, p_cd, p_dc, p_dd)"
            )
        return STRATEGIES[key]
    try:
        args = [_number(a.strip()) for a in match.group(2).split(",")]
        return _FACTORIES[key](*args)
    except (TypeError, ValueError) as err:
        raise ValueError(f"strategy {spec!r}: {err}") from None
