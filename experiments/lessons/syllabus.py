"""The nine lessons in teaching order (:data:`LESSONS`): each one's story with its sources,
what its figure shows, its scenes and its runner; :func:`get_lesson` looks one up by name."""

from __future__ import annotations

from experiments.lessons.core import Lesson
from experiments.lessons.games import (
    PD_SCENES,
    STAG_SCENES,
    run_prisoners_dilemma,
    run_stag_hunt,
)
from experiments.lessons.information_broker import BROKER_SCENES, run_broker
from experiments.lessons.institutions import (
    FLEX_SCENES,
    HEGEMON_SCENES,
    LEVEL_SCENES,
    run_flexibility,
    run_hegemons,
    run_levels,
)
from experiments.lessons.repeated_games import (
    NOISE_SCENES,
    SHADOW_SCENES,
    run_noise,
    run_shadow,
)
from experiments.lessons.tournament import TOURNAMENT_SCENES, run_tournament

# ====================================================================== the lessons
LESSONS: dict[str, Lesson] = {
    lesson.name: lesson
    for lesson in (
        Lesson(
            name="prisoners-dilemma",
            title="1. The prisoner's dilemma of regional industrial policy",
            summary="each government's best reply is its own battery plant; all of them "
            "going alone duplicates plants and lowers welfare",
            narrative="""\
Two neighbours, Norland and Sudland, both want a battery industry. Norland is better at making
cells, Sudland at assembling packs. A regional plan would give each the stage it is good at —
but whatever its neighbour does, each government earns more by building **both** plants
itself. When both reason this way they duplicate each other's plants, share the same small
market at a lower price, and end up poorer than under the plan. This is a **prisoner's
dilemma** (Rapoport & Chammah 1965; Axelrod 1984) and the paper's *fallacy of composition*
(Albertone & Lebdioui, §1 and §2.4): individually rational industrial policies, collectively
self-defeating.

Pacts computes the 2×2 game each country faces under the plan: R = everybody follows it,
T = I go alone while the others follow, P = everybody goes alone, S = I follow alone. For the
two neighbours T > R > P > S. The classroom preset scales the story up to six countries and two
supply chains: going alone duplicates plants *and* leaves links of the chain missing
(shortfall).

**Try in the app:** load a scene and switch the strategies between AllD (go alone) and AllC
(follow the plan); watch welfare W against the optimum W_opt and the duplicated plants. Then
give the neighbours Grim or TitForTat: can they keep the plan without a referee? (Lesson 3.)""",
            figure="The two neighbours' payoff matrix (a prisoner's dilemma: going alone is the "
            "best reply to anything, yet both going alone is worse than both following the "
            "plan) and regional welfare when everybody goes alone or follows the plan: "
            "duplicated plants and a large gap to the optimum W_opt without the plan.",
            scenes=PD_SCENES,
            run=run_prisoners_dilemma,
        ),
        Lesson(
            name="stag-hunt",
            title="2. The stag hunt: coordination as the objective reality",
            summary="joint projects pay everyone more, but only if enough others join: "
            "trust, risk dominance and basins of attraction",
            narrative="""\
The paper's twist (§2.4): countries *behave* as if in a prisoner's dilemma, but the objective
reality more closely resembles a **stag hunt**. Markets are too small and capabilities too
limited for anyone to build a competitive value chain alone, so a joint project pays each
participant more than going alone (R > T) — yet it is worth joining only if the others join
too. Mutual cooperation is then an equilibrium; the problem is not temptation but trust, or
*assurance* (Skyrms 2004). (In lesson 1's classroom, under the broker's plan, three of the six
countries face a stag hunt.)

Here 40 countries meet pairwise in Skyrms's stag hunt (T, R, P, S) = (3, 4, 3, 0) and imitate
better-scoring partners. Joining (C) is the best reply only if at least p* = 0.75 of the others
join; going alone (D) is **risk dominant** (R − T < P − S; Harsanyi & Selten 1988) and its basin
of attraction is three times as wide. Start above p* and joiners take over; start below and
they die out, although everybody would be better off together. A broker that raises the joint
project's reward (R: 4 → 6) and lowers what two isolated projects earn (P: 3 → 2) cuts p* to
0.40 and makes joining risk dominant.

**Try in the app:** move the AllC/AllD shares around p*; edit the game's payoffs; switch
evolution off and see that nothing moves without imitation.""",
            figure="Left: the share of joiners over time in the three scenes; right: the final "
            "share against the initial share in both stag hunts — a jump at p* = 1 − basin, "
            "the border between the basins of attraction, which the broker moves from 0.75 to "
            "0.40.",
            scenes=STAG_SCENES,
            run=run_stag_hunt,
        ),
        Lesson(
            name="shadow-of-the-future",
            title="3. The shadow of the future",
            summary="short relationships let defectors spread, long ones reciprocators; in "
            "the economy the agreement forms once δ passes its pivotal member's δ*",
            narrative="""\
Cooperation in a *repeated* prisoner's dilemma can pay when the future weighs enough (the
folk theorem: Friedman 1971; Axelrod 1984). Here δ is the chance that a relationship goes on
after each round: it lasts 1/(1 − δ) rounds on average, then a new one starts afresh, and
countries copy the rules of those who earn more.

Scenes 1–2, the default scenario (seven classic rules, Axelrod's game, Grim's δ* = 0.50): at
δ = 0.40 most rounds are first meetings, where AllD and Suspicious TFT exploit the nice rules;
they earn most and are copied, and cooperation unravels. At δ = 0.95 reciprocity pays and
spreads. The figure shows why: TitForTat beats AllD from any share above x*(δ) = (P − S)/(L(R −
P) − (T − P) + (P − S)), L = 1/(1 − δ) — one half at δ = 0.6, 1/17 at δ = 0.9.

Scenes 3–4, the classroom economy: a forward-looking government follows the plan iff δ ≥ δ* of
its own game — long horizons lengthen the shadow of the future (Axelrod & Keohane (1985)).
Carvelia faces a prisoner's dilemma; below its δ* it declines, and without it no plan pays the
others their outside option. Above it the agreement stands.

**Try in the app:** the default scenario at δ = 0.4 and 0.95; the classroom at δ = 0.6 and
0.9 — the theory panel lists every country's δ*.""",
            figure="Left: the final TitForTat share against AllD over (δ, initial share), with "
            "the theoretical basin boundary x*(δ); right: the scenes round by round.",
            scenes=SHADOW_SCENES,
            run=run_shadow,
        ),
        Lesson(
            name="noise-and-feedback",
            title="4. Noise and feedback: echoes, forgiveness and transparency",
            summary="TFT's echo under noise, generous TFT and WSLS repair it; late or "
            "unreliable news raises δ*; a transparent broker helps",
            narrative="""\
Governments misread each other, and their administrations slip. Under such noise Tit-for-Tat
suffers an **echo**: one accidental defection is answered, the answer answered, and two TFT
players fall into alternating retaliation, earning only (R + S + T + P)/4 in the long run
(Molander 1985). Two repairs: **Generous TFT** forgives a defection with probability q = 1/3
(Nowak & Sigmund 1992), and **Win-Stay, Lose-Shift** returns to mutual cooperation after a
single round of mutual defection (Nowak & Sigmund 1993).

Axelrod & Keohane's (1985) other two factors — **reliable information** and **quick feedback**
— move the threshold itself. If a defection is seen d rounds late, the defector enjoys d + 1
rounds of temptation: cooperation needs δ^(d+1) ≥ (T − R)/(T − P), so δ* = 0.71 for d = 1
instead of 0.50. Misreading (Green & Porter 1984), both ways in Pacts, raises it to 0.60 at
ε = 0.1 (`theory.grim_threshold_two_sided`).

The paper's coordinating body is first of all a producer of information (§4.2–4.3): council
meetings make members' actions visible. In Pacts its **transparency** τ cuts the misreading
between members to ε(1 − τ) and the delay to ⌊d(1 − τ)⌋. The last two scenes compare a
classroom region of TFT governments that misread each other 5 % of the time, without and with
a transparent broker.

**Try in the app:** raise the noise with TitForTat, then switch to GenerousTitForTat or
WinStayLoseShift; move transparency; raise the observation delay.""",
            figure="Left: mutual cooperation under 5 % noise — TFT's echo at the predicted 1/4, "
            "WSLS at (1−e)(1−3e+4e²), GTFT high; middle: forward-looking governments need a "
            "longer shadow when news comes late (δ*(d) = 0.50, 0.71, 0.79); right: a "
            "transparent broker keeps misreading TFT governments on the plan.",
            scenes=NOISE_SCENES,
            run=run_noise,
        ),
        Lesson(
            name="information-broker",
            title="5. The information broker and the price of non-coordination",
            summary="W − W_opt by N without a coordinator, with perfect-information best "
            "replies, and with Wang's information broker",
            narrative="""\
Without a coordinator every government plans from its own imperfect view of the regional
market and of its neighbours' capabilities; the plans clash — duplicated plants here, missing
links there. The paper (§4.2) proposes, after Wang (2015, 2017), a coordinating body that
works as an **information broker**: each member submits its M best feasible portfolios, and
the broker picks one per member to maximise regional welfare, forcing nobody. The **price of
non-coordination** is W − W_opt, realised welfare minus the optimum (≤ 0, the paper's sign).

The figure varies the number of participants N in the stylised battery/solar economy (fixed
regional markets: more countries compete for the same markets). Without a broker the region
loses a large share of the attainable welfare at every N — a tenth to four fifths, depending on
how the governments misjudge each other (try other seeds). Perfect information alone does not
save it: best replies (the Nash equilibrium) nearly reach the optimum among three countries
but duplicate more and more as N grows, losing two thirds at N = 48. The broker stays within a
tenth to a fifth of the optimum at every N, its own running costs (0.05 per member a round)
included: the more participants, the more it is worth. Wang's *vanishing* relative gap
concerns the optimisation itself (`pacts sweep price-of-anarchy`).

**Try in the app:** switch regime between none and plurilateral; raise information_noise;
compare N = 6 and N = 48.""",
            figure="The price of non-coordination W − W_opt (left) and as a share of W_opt "
            "(right) against N: large without a broker, growing with N under perfect-information "
            "best replies (Nash), and small at every N with the broker.",
            scenes=BROKER_SCENES,
            run=run_broker,
        ),
        Lesson(
            name="hegemons",
            title="6. Hegemons: cooperative and coercive leadership",
            summary="a large country that carries the costs and forgives, or one that "
            "punishes: participation, equality and who pays (Pedersen 2002)",
            narrative="""\
Regions with a dominant power can cooperate: institutionalisation has often succeeded where one
big state took the initiative (Pedersen 2002). Pedersen calls it **cooperative hegemony**:
power-sharing with smaller states, power aggregation, and commitment to a long-term regional
strategy. The paper (§4.1) reads China's role in East Asian supply chains in this light, and
finds regional coordination in Latin America hard to conceive without Brazil's leadership. The
opposite is a **coercive** hegemon that punishes every defection (on the limits of hegemonic
stability: Keohane 1984; Snidal 1985).

The classroom region has one large economy, Aldoria (40 % of GDP). Here the institution is
expensive — running costs of 1.0 per member a round — enough to make the smallest member,
Fenlandia, to which the plan assigns no plant, better off outside; and one government in four
always goes it alone (AllD). A **cooperative hegemon** carries everybody's running costs,
forgives, and pays side payments from its budget when the plan leaves a member below its
outside option (in the classroom the plan already beats every outside option, so no side
payment is needed). A **coercive hegemon** fines every defection it sees.

**Try in the app:** switch hegemon between none, cooperative and coercive; change
coordination_cost and hegemon_budget; watch participation, the Gini coefficient and Aldoria's
own payoff.""",
            figure="Welfare, participation, inequality (Gini) and the payoff per round of the "
            "leader and of the others without a hegemon, with a cooperative and with a "
            "coercive one: the cooperative hegemon keeps everybody in and equalises payoffs at "
            "its own expense.",
            scenes=HEGEMON_SCENES,
            run=run_hegemons,
        ),
        Lesson(
            name="three-levels",
            title="7. Three levels of coordination: supranational, plurilateral, minilateral",
            summary="the paper's Table 2 in the classroom economy: welfare, participation, "
            "duplication and gaps under each regime",
            narrative="""\
The paper's Table 2 (§3) distinguishes three levels of coordination. **Supranational** (the EU,
the African Union): a central body with binding rules — the largest potential gains, but high
coordination costs, rigidity and a loss of sovereignty that can drive members out.
**Plurilateral** or intergovernmental (ASEAN's councils): a voluntary broker that lowers the
political barriers but enforces little. **Minilateral** (Airbus; a coalition of the willing):
"the smallest number of participants needed to have the largest possible impact" (Naím 2009) —
effective in a narrow domain, limited in reach.

Each scene plays the classroom region — TitForTat and Grim governments, one in four always
going it alone — under one regime. In Pacts a binding supranational plan fines observed
defection (`fine`, `enforcement`), costs every member `sovereignty_cost` a round and is revised
three times less often; a minilateral club (the ⌈N/3⌉ most complementary countries, here two)
coordinates while the outsiders go alone; without coordination each government plans from its
own noisy view.

**Try in the app:** switch regime; raise fine and enforcement under supranational; raise
sovereignty_cost; compare participation and the price of non-coordination W − W_opt.""",
            figure="Welfare (against the optimum), participation, duplicated plants and "
            "shortfall under no coordination and the three levels: the voluntary broker comes "
            "closest to the optimum here, the binding plan loses members, and the two-country "
            "club leaves the rest of the region duplicating.",
            scenes=LEVEL_SCENES,
            run=run_levels,
        ),
        Lesson(
            name="triple-flexibility",
            title="8. Triple flexibility: compositional, longitudinal, directional",
            summary="elections, technology shocks and a costly institution with each "
            "flexibility off and on",
            narrative="""\
Cooperation among sovereign states is "not a one-time act of political will" but must be
continuously reproduced (the paper, §5). Its **triple flexibility** (§4.1, Table 3) answers
three shocks:

- **longitudinal** — a change of government should not derail participation: after an election
  the new government renegotiates its share of the plan (on) instead of leaving (off);
- **directional** — the agenda must follow technology and markets: after a technology shock
  moves a sector's market the coordinator re-plans at once (on) instead of at its next
  scheduled revision (off);
- **compositional** — "ASEAN minus X": a member unhappy with the plan opts out of the single
  sector initiatives that lose it money (on) instead of leaving altogether (off).

Each pair of scenes plays the classroom region with the same shocks (the same seed), the
flexibility off and on: elections (3 % per country a round; the new government's rule is drawn
from TitForTat, Grim and AllD), technology shocks (10 % a round, market multiplier lognormal
σ = 1) with scheduled re-planning only every 30 rounds, and an expensive institution (1.0 per
member a round).

**Try in the app:** load a pair and play both; compare how long cooperation survives and where
participation goes; raise election_rate or tech_shock_rate.""",
            figure="Cooperation and participation (top) and welfare against the optimum "
            "(bottom) over the rounds with each flexibility off (red) and on (green) under the "
            "same shocks: with longitudinal flexibility members stay in after elections and "
            "cooperation lasts about twice as long; re-planning at once keeps the plan closer to "
            "the moving optimum; opting out of single sectors keeps every member in, with about "
            "the same welfare.",
            scenes=FLEX_SCENES,
            run=run_flexibility,
        ),
        Lesson(
            name="tournament",
            title="9. Axelrod's tournament",
            summary="round robin of the classic strategies: nice, retaliatory, forgiving rules "
            "do well; AllD comes last",
            narrative="""\
In 1980 Robert Axelrod invited game theorists to submit rules for an iterated prisoner's
dilemma and played every rule against every other. Tit-for-Tat — the shortest entry, by Anatol
Rapoport — won both rounds. Axelrod (1984) traced its success to four properties: it is
**nice** (never the first to defect), **retaliatory**, **forgiving**, and **clear**. Defecting
rules win single encounters but lose the tournament: they deny themselves the rewards of mutual
cooperation.

The figure replays the round robin with Pacts' seven classics plus Generous TFT: every rule
meets every other and itself for 200 rounds, five times, without and with 5 % noise. Rankings
depend on the field: among so many nice rules even AllC does well, and under noise the
forgiving rules (Generous TFT, Tit-for-Two-Tats, Win-Stay Lose-Shift) overtake TFT (Nowak &
Sigmund 1993).

The scenes put the same rules on a small-world network of twelve countries, and on a 7 × 7
torus where each country imitates better-scoring neighbours — the *ecological* tournament, in
which AllD dwindles away once its victims are gone (Axelrod 1984, ch. 2; Nowak & May 1992).

**Try in the app:** change the strategy shares; add noise; switch evolution on and watch the
strategy shares.""",
            figure="Heat maps of the payoff per round of each rule (row) against each opponent "
            "(column), ranked, without and with noise: AllD wins its own duels but ranks last; "
            "reciprocal rules head the table.",
            scenes=TOURNAMENT_SCENES,
            run=run_tournament,
        ),
    )
}
"""The lessons in teaching order, by name."""


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name`` (a ValueError names the allowed names)."""
    if name not in LESSONS:
        raise ValueError(f"unknown lesson {name!r}; allowed: {', '.join(LESSONS)}")
    return LESSONS[name]
