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
cooperating after (my move, partner's move) = CC, CD, DC, DD). A rule instance can be used
directly wherever a rule is accepted; :func:`register_strategy` also makes it known by name
(``ModelConfig.strategies``, :func:`get_strategy`, ``pacts tournament``, scenario files read in
the same process). :data:`STRATEGIES` is a read-only view of the registry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, overload

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
    "register_strategy",
    "rules_by_name",
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
    """What a rule sees of its situation: **the game of the country that uses it** and the shadow
    of the future.

    In pairwise mode the fields are scalars (the configured stage game). In collective mode
    ``T, R, P, S``, ``continuation`` and ``future_advantage`` are arrays over (replicate, country)
    — each country's own implied game (DESIGN §5) and patience — shaped to broadcast against the
    observed states (the engine passes shape (R, N, 1) while it builds its tables and (R, N) for
    gates and decisions). ``stake`` is this round's stake multiplier (``None`` while tables are
    built: only gated rules read it). ``future_advantage`` Φ is the discounted future value a
    country loses by deviating now from a cooperative relationship (at unit stakes), computed by
    the model from the engine's own observation process (:mod:`model.theory`); forward-looking
    rules compare it with today's temptation. ``threshold`` is the collective-mode reciprocity
    threshold: the share of partners that must be seen to comply.
    """

    T: float | np.ndarray
    R: float | np.ndarray
    P: float | np.ndarray
    S: float | np.ndarray
    continuation: float | np.ndarray = 0.0
    observation_delay: int = 0
    observation_error: float | np.ndarray = 0.0
    mean_stake: float = 1.0
    stake: np.ndarray | None = None
    future_advantage: float | np.ndarray | None = None
    threshold: float = 1.0


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

    ``name`` labels the rule in results (``share_<name>`` columns, tournament tables); a subclass
    that sets none is named after its class.

    Examples
    --------
    >>> import numpy as np
    >>> from agents import Strategy
    >>> from experiments import play_match
    >>> class Opener(Strategy):
    ...     source = "cooperate in the first round, then defect"
    ...
    ...     def base_probability(self, h, ctx):
    ...         return np.where(h.first, 1.0, 0.0)
    >>> Opener.name, play_match(Opener(), "TitForTat", rounds=4).actions_a
    ('Opener', 'CDDD')
    """

    name: str = "Strategy"
    source: str = ""
    gated: bool = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        """Probability of intending C, ignoring any stake gate."""
        raise NotImplementedError

    def gate(self, ctx: Context) -> np.ndarray:
        """Per-replicate willingness (bool) at this round's stake; gated rules only."""
        raise NotImplementedError

    def decide(self, votes: np.ndarray, expected: np.ndarray, ctx: Context) -> np.ndarray:
        """Collective mode: the country's intention from its partners (before any gate).

        ``votes`` is the weighted share of its partners inside the arrangement towards whom the
        rule intends C (each drawn from :meth:`base_probability`), ``expected`` the weighted share
        it expects to comply (last observed complying, or not yet observed). Default: reciprocity,
        C iff ``votes >= ctx.threshold`` (a single partner seen to defect breaks it when the
        threshold is 1: the trigger of an n-person prisoner's dilemma, Taylor 1987).
        """
        return votes >= ctx.threshold - 1e-12

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

    Parameters
    ----------
    p_first, p_cc, p_cd, p_dc, p_dd : float
        Probabilities in [0, 1].
    name : str, optional
        Its label (default ``"MemoryOne(p_first, ...)"``).
    source : str, default "Nowak & Sigmund (1993)"
        Where the rule comes from.

    Examples
    --------
    >>> from agents import MemoryOne
    >>> from experiments import play_match
    >>> wsls = MemoryOne(1, 1, 0, 0, 1, name="Pavlov")  # win-stay, lose-shift
    >>> play_match(wsls, "AllD", rounds=5).actions_a  # C, punished: D, mutual D: shift to C
    'CDCDC'
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
    def generosity_for(ctx: Context) -> float | np.ndarray:
        """The largest forgiveness that still deters defection, clipped to [0, 1], for the game
        of the country that uses the rule (an array in collective mode).

        Outside the prisoner's dilemma a term whose denominator is not positive sets no limit
        (e.g. a stag hunt with T = P has no temptation to deter: q = 1).
        """
        T, R, P, S = (np.asarray(v, float) for v in (ctx.T, ctx.R, ctx.P, ctx.S))
        one = np.ones(np.broadcast_shapes(T.shape, R.shape, P.shape, S.shape))
        vs_alternation = 1 - np.divide(T - R, R - S, out=np.zeros_like(one), where=R > S)
        vs_defection = np.divide(R - P, T - P, out=one.copy(), where=T > P)
        q = np.clip(np.minimum(np.where(R > S, vs_alternation, 1.0), vs_defection), 0.0, 1.0)
        return float(q) if q.ndim == 0 else q

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


class ForwardLooking(Strategy):
    """The folk-theorem test shared by forward-looking rules (Friedman 1971; Axelrod & Keohane
    1985): cooperate only while cooperating pays for ever after.

    At today's stake s_t a forward-looking government cooperates iff

        s_t · (T − R)  ≤  E[s] · Φ,

    today's temptation against Φ (``ctx.future_advantage``): the discounted future value it loses
    by deviating now, when its partners punish a seen defection by reverting to the
    non-cooperative outcome (a grim trigger; in collective mode Nash reversion to the status quo,
    the n-person folk theorem). The model computes Φ for **the country's own game** (T, R, P) and
    patience δ, with the engine's own feedback delay d and misreading ε (:mod:`model.theory`), so
    the test is exactly "δ ≥ δ* of its own game" at regular stakes. ``beliefs`` (δ, d, ε) replace
    the model's values in that computation (``None``: the true value) — myopic or over-confident
    governments.
    """

    gated = True
    beliefs: tuple[float | None, int | None, float | None] = (None, None, None)

    def gate(self, ctx: Context) -> np.ndarray:
        if ctx.future_advantage is None:
            raise ValueError(
                f"{self.name} needs ctx.future_advantage (the discounted value of cooperation, "
                "computed by the model from the country's game: see model.theory)"
            )
        stake = np.asarray(1.0 if ctx.stake is None else ctx.stake, float)
        temptation = stake * (np.asarray(ctx.T, float) - np.asarray(ctx.R, float))
        keep = ctx.mean_stake * np.asarray(ctx.future_advantage, float)
        return temptation <= keep + 1e-12 * np.maximum(1.0, np.abs(keep))


def _check_beliefs(
    owner: str,
    continuation: float | None,
    delay: int | None,
    error: float | None,
) -> tuple[float | None, int | None, float | None]:
    for field, value in (("belief_continuation", continuation), ("belief_error", error)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1
        ):
            raise ValueError(f"{owner} {field} = {value!r}: must be in [0, 1]")
    if delay is not None and (not isinstance(delay, int) or isinstance(delay, bool) or delay < 0):
        raise ValueError(f"{owner} belief_delay = {delay!r}: must be an int >= 0")
    return (continuation, delay, error)


class CooperativeHegemon(ForwardLooking):
    """Cooperative hegemony (Pedersen 2002): a patient leader that cooperates, forgives and
    punishes only persistent defection.

    Defects only while the partner has defected ``patience`` observed rounds in a row, and only
    leads while the arrangement pays it at its own long horizon (the forward-looking test of
    :class:`ForwardLooking`; in collective mode the model gives the hegemon its long-term patience
    ``hegemon_patience`` — Pedersen's "commitment to a long-term regionalist policy strategy" —
    and the hegemon pays side payments from a budget).
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


class CoerciveHegemon(ForwardLooking):
    """Coercive hegemony: every observed defection is punished with ``punishment`` rounds of D.

    A defection seen during a punishment restarts it (so a persistent defector is punished for
    ever). Contrast: TitForTat punishes one round, Grim for ever. Like every forward-looking rule
    it leads only while the arrangement pays it (:class:`ForwardLooking`).
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


class Calculating(ForwardLooking):
    """The forward-looking government (Friedman 1971; Axelrod & Keohane 1985): reciprocates like
    TitForTat — C towards a partner last seen cooperating, or not yet seen — and cooperates only
    while δ is long enough for its own game (:class:`ForwardLooking`).

    With regular stakes it cooperates iff δ ≥ δ* of its game, where δ* accounts for the engine's
    feedback delay d and two-sided misreading ε; at a stake s_t above the mean the temptation
    grows (Axelrod & Keohane's irregular stakes). Pass ``belief_*`` to model myopic or
    over-confident governments (they replace δ, d and ε in the model's computation of Φ).
    """

    source = "Friedman (1971); Axelrod & Keohane (1985), Achieving cooperation under anarchy"

    def __init__(
        self,
        belief_continuation: float | None = None,
        belief_delay: int | None = None,
        belief_error: float | None = None,
    ):
        self.beliefs = _check_beliefs(
            "Calculating", belief_continuation, belief_delay, belief_error
        )
        given = [f"{v:g}" for v in self.beliefs if v is not None]
        self.name = "Calculating" if not given else f"Calculating({', '.join(given)})"

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        return (h.first | h.opp_last).astype(float)


class Myopic(Strategy):
    """The one-shot best reply to what the country expects its partners to do, in **its own**
    game (Cournot-style myopic best response; Kandori, Mailath & Rob 1993).

    A partner last seen cooperating, or not yet seen, is expected to cooperate. Pairwise: C iff
    (it expects C and R ≥ T) or (it expects D and S ≥ P). Collective: with p the share of its
    partners expected to comply, C iff p·R + (1 − p)·S ≥ p·T + (1 − p)·P. So it always defects
    in a prisoner's dilemma or deadlock, always cooperates in harmony, follows the majority above
    the mixed equilibrium p* in a stag hunt (Harsanyi & Selten 1988) and anti-coordinates in
    chicken. δ plays no role: the ablation of forward-looking behaviour.
    """

    name = "Myopic"
    source = "Cournot best reply; Kandori, Mailath & Rob (1993)"

    def base_probability(self, h: Observed, ctx: Context) -> np.ndarray:
        R, T, S, P = (np.asarray(v, float) for v in (ctx.R, ctx.T, ctx.S, ctx.P))
        return np.where(h.first | h.opp_last, R >= T, S >= P).astype(float)

    def decide(self, votes: np.ndarray, expected: np.ndarray, ctx: Context) -> np.ndarray:
        R, T, S, P = (np.asarray(v, float) for v in (ctx.R, ctx.T, ctx.S, ctx.P))
        p = expected
        gain = p * (R - T) + (1 - p) * (S - P)
        return gain >= -1e-12 * np.maximum(1.0, np.abs(R))


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


_FACTORIES: dict[str, Callable[..., Strategy]] = {}
"""Name -> factory: called with the numbers of a call such as ``"Random(0.3)"``."""
_DEFAULTS: dict[str, Strategy] = {}
STRATEGIES: Mapping[str, Strategy] = MappingProxyType(_DEFAULTS)
"""The registry: name -> rule with default parameters (DESIGN §4). A read-only live view:
:func:`register_strategy` adds to it, assigning to it raises ``TypeError``. (``MemoryOne`` is
known by name too, but has no default: it needs its five probabilities.)"""

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
_NAME = r"[A-Za-z][A-Za-z0-9_]*"
type _Source = type[Strategy] | Callable[..., Strategy] | Strategy


def _check_new_name(name: object) -> None:
    if not isinstance(name, str) or not re.fullmatch(_NAME, name):
        raise ValueError(
            f"register_strategy: name {name!r}: allowed: a letter, then letters, digits or _ "
            "(e.g. 'MyRule')"
        )
    taken = {k.lower(): k for k in (*_FACTORIES, *_ALIASES)}.get(name.lower())
    if taken is not None:
        owner = f"the alias {taken!r} of {_ALIASES[taken]!r}" if taken in _ALIASES else repr(taken)
        raise ValueError(
            f"register_strategy: the name {name!r} is taken by {owner} (names are "
            "case-insensitive); choose another name: @register_strategy('OtherName'), "
            "register_strategy(rule, name='OtherName') or the rule's `name` attribute"
        )


@overload
def register_strategy[R: _Source](rule: R, name: str | None = None) -> R: ...
@overload
def register_strategy[R: _Source](
    rule: str | None = None, name: str | None = None
) -> Callable[[R], R]: ...
def register_strategy(rule: Any = None, name: str | None = None) -> Any:
    """Make a rule known by name: :func:`get_strategy`, ``ModelConfig(strategies=...)``,
    ``tournament`` and ``pacts tournament`` then accept it like a built-in.

    ``rule`` is a :class:`Strategy` subclass, a factory (called without arguments for the
    default rule, and with the numbers of a call such as ``"Name(0.3)"``) or a rule instance.
    Use as a class decorator, ``@register_strategy`` or ``@register_strategy("Name")``, or as a
    function, ``register_strategy(rule, name=None)``; returns ``rule``. The name defaults to the
    default rule's ``name``; a class that sets no ``name`` of its own takes the one given. A name
    already taken by a rule or an alias (case-insensitive, as in :func:`get_strategy`) raises
    ``ValueError``; registrations last for the process.

    Parameters
    ----------
    rule : Strategy subclass, factory, Strategy or str, optional
        What to register; a string (or nothing) makes a decorator with that name.
    name : str, optional
        The name to register under (default: the rule's own ``name``).

    Returns
    -------
    object
        ``rule`` itself (so it works as a decorator), or the decorator.

    Examples
    --------
    >>> from agents import MemoryOne, get_strategy, register_strategy
    >>> _ = register_strategy(MemoryOne(1, 1, 0, 1, 2 / 3, name="FirmButFair"))  # Frean 1994
    >>> get_strategy("firmbutfair").vector[-1]
    0.6666666666666666
    >>> register_strategy(MemoryOne(1, 1, 1, 1, 1, name="TitForTat"))
    Traceback (most recent call last):
    ...
    ValueError: ...TitForTat...
    """
    if rule is None or isinstance(rule, str):
        if rule is not None and name is not None:
            raise TypeError("register_strategy: give the name once")
        chosen = rule if rule is not None else name
        return lambda r: register_strategy(r, chosen)
    if not isinstance(rule, Strategy) and not callable(rule):
        raise TypeError(
            f"register_strategy: {rule!r}: allowed: a Strategy subclass, a factory or a rule"
        )
    factory = (lambda: rule) if isinstance(rule, Strategy) else rule
    if name is not None:
        _check_new_name(name)
        if isinstance(rule, type) and rule.__dict__.get("name") == rule.__name__:
            rule.name = name  # the class's own name was only the default from __init_subclass__
    default = factory()
    if not isinstance(default, Strategy):
        raise TypeError(f"register_strategy: {rule!r}() gave {default!r}, not a Strategy")
    if name is None:
        name = default.name
        _check_new_name(name)
    elif default.name != name:
        raise ValueError(
            f"register_strategy: the rule is named {default.name!r}, not {name!r}; "
            f"name it {name!r} or register it without a name"
        )
    _FACTORIES[name] = factory
    _DEFAULTS[name] = default
    return rule


for _builtin in (
    _ALL_C,
    _ALL_D,
    _random,
    _TFT,
    _STFT,
    GenerousTitForTat,
    TitForTwoTats,
    Grim,
    _WSLS,
    Calculating,
    Myopic,
    CooperativeHegemon,
    CoerciveHegemon,
    _ALTERNATOR,
):
    register_strategy(_builtin)
_FACTORIES["MemoryOne"] = MemoryOne  # a family without a default: it needs five probabilities
_CALL = re.compile(rf"^\s*({_NAME})\s*(?:\((.*)\))?\s*$")


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
    """A rule from its name, an alias, or a call with numbers.

    Parameters
    ----------
    spec : str or Strategy
        A registered name or alias (case-insensitive), a call such as ``"Random(0.3)"`` or
        ``"MemoryOne(1, 1, 0, 1, 0)"`` (numbers only; nothing is evaluated), or a rule (returned
        as it is).

    Returns
    -------
    Strategy
        The rule; an unknown name raises ValueError listing the allowed ones.

    Examples
    --------
    >>> from agents import get_strategy
    >>> get_strategy("tft").name, get_strategy("Random(0.3)").vector
    ('TitForTat', (0.3, 0.3, 0.3, 0.3, 0.3))
    """
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
        return _DEFAULTS[key]
    try:
        args = [_number(a.strip()) for a in match.group(2).split(",")]
        return _FACTORIES[key](*args)
    except (TypeError, ValueError) as err:
        raise ValueError(f"strategy {spec!r}: {err}") from None


def _same_rule(a: Strategy, b: Strategy) -> bool:
    """One object, or instances of one class with equal parameters (e.g. two
    ``get_strategy("Random(0.3)")``)."""
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(vars(a) == vars(b))
    except (TypeError, ValueError):  # parameters that do not compare (e.g. arrays)
        return False


def rules_by_name(specs: Iterable[str | Strategy], *, once: bool = False) -> dict[str, Strategy]:
    """The distinct rules among ``specs`` (names or instances), keyed by name in order of first
    appearance. Results are labelled by name, so two *different* rules with one name raise
    ``ValueError``; with ``once`` (a mix, a tournament's players) so does a rule given twice."""
    rules: dict[str, Strategy] = {}
    for given, spec in enumerate(specs, 1):
        rule = get_strategy(spec)
        seen = rules.setdefault(rule.name, rule)
        if not _same_rule(seen, rule):
            raise ValueError(
                f"two different rules are named {rule.name!r} (a {type(seen).__name__} and a "
                f"{type(rule).__name__}); give one of them another name (its `name` attribute, "
                "or name=... for MemoryOne)"
            )
        if once and len(rules) < given:
            raise ValueError(
                f"{rule.name!r} is given twice (names and aliases are case-insensitive): "
                "give each rule once"
            )
    return rules
