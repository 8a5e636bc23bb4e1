"""The regional supply-chain economy (DESIGN §5), vectorised over investment profiles.

K sectors sit on a supply-chain DAG (``inputs``: an edge j → k means sector j supplies k).
Country i decides investments x_ik ∈ {0, 1} (a plant in sector k) within its budget B_i (the most
plants it can build). With n_k producers in sector k:

* output per plant   q_k(n) = M_k · n^(κ−1)       (κ < 1: more plants, less each; total M_k n^κ)
* world price        p_k(n) = n^(−κ/ε_k)           (terms-of-trade loss of unilateral subsidies —
  more regional entrants push the price down; ε_k = ∞ keeps p = 1; Lashkaripour & Lugovskyy 2023)
* unit cost          c_ik = c_k / θ_ik − γ·a_k(x)  (capability θ_ik: productivity relative to the
  reference; chain bonus γ per unit of output times a_k, the share of k's input sectors with a
  regional producer — complementarities along the chain)
* plant payoff to its government:  π_ik = q_k(n_k)·(p_k(n_k) + v_k − c_ik) − F_k
  (fixed plant cost F_k: lumpy, nonconvex; value-added premium v_k: why governments want plants)
* supply-chain shortfall: a needed sector with no regional producer costs every country
  ρ·w_i·M_k (w_i: the country's size, e.g. its share of regional GDP).

u_i(x) = Σ_k x_ik π_ik(x) − Σ_k [n_k = 0]·need_k·ρ·w_i·M_k and regional welfare W = Σ_i u_i.

The market-sharing game (Wang 2015's example of a price of anarchy) is the special case F = 0,
c = 0, κ = 0, ε = ∞, γ = ρ = v = 0 and one plant each: then π_ik = M_k / n_k
(:meth:`Economy.market_sharing`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import combinations

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class Sector:
    """One sector of the regional supply chain (units: market value at the reference price 1)."""

    name: str
    market: float  # M_k, regional demand served by one plant at n = 1
    fixed_cost: float = 0.0  # F_k, per plant per round
    unit_cost: float = 0.0  # c_k, reference unit cost (capability θ = 1)
    elasticity: float = math.inf  # ε_k, terms-of-trade elasticity (∞: price-taker)
    premium: float = 0.0  # v_k, value-added premium per unit (spill-overs, jobs, learning)
    needed: bool = True  # does a missing regional producer cause a shortfall?

    def __post_init__(self) -> None:
        for field in ("market", "fixed_cost", "unit_cost", "premium"):
            value = getattr(self, field)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"sector {self.name!r}: {field} = {value!r}: allowed: a finite number >= 0"
                )
        if not (isinstance(self.elasticity, int | float) and self.elasticity > 0):
            raise ValueError(
                f"sector {self.name!r}: elasticity = {self.elasticity!r}: allowed: "
                "a number > 0 (inf for a price-taker)"
            )


# A battery/EV chain and a solar chain, stylised (regional demand in $bn a year at the reference
# price; fixed cost = annualised plant cost; unit cost relative to the world price 1).
BATTERY_SOLAR_SECTORS = (
    Sector("lithium_mining", 4.0, 1.0, 0.55, 3.0, 0.05),
    Sector("lithium_refining", 5.0, 1.5, 0.70, 3.0, 0.15),
    Sector("cathode", 6.0, 2.0, 0.70, 3.0, 0.25),
    Sector("anode", 3.0, 1.0, 0.70, 3.0, 0.20),
    Sector("battery_cells", 10.0, 3.5, 0.75, 3.0, 0.35),
    Sector("battery_packs", 8.0, 2.0, 0.80, 4.0, 0.20),
    Sector("electric_vehicles", 20.0, 6.0, 0.85, 4.0, 0.30),
    Sector("polysilicon", 3.0, 1.0, 0.65, 2.5, 0.10),
    Sector("wafers", 3.0, 1.0, 0.70, 2.5, 0.15),
    Sector("solar_cells", 4.0, 1.5, 0.70, 2.5, 0.25),
    Sector("solar_modules", 6.0, 1.0, 0.85, 3.0, 0.15),
)
"""The default sectors: mining → refining → cathode/anode → cells → packs → vehicles, and
polysilicon → wafers → cells → modules."""

BATTERY_SOLAR_INPUTS = (
    ("lithium_mining", "lithium_refining"),
    ("lithium_refining", "cathode"),
    ("lithium_refining", "anode"),
    ("cathode", "battery_cells"),
    ("anode", "battery_cells"),
    ("battery_cells", "battery_packs"),
    ("battery_packs", "electric_vehicles"),
    ("polysilicon", "wafers"),
    ("wafers", "solar_cells"),
    ("solar_cells", "solar_modules"),
)


class Economy:
    """The supply-chain economy of N countries and K sectors.

    Parameters
    ----------
    sectors : the K sectors.
    inputs : supply-chain edges (supplier, user) by sector name; must form a DAG.
    sizes : w_i > 0 per country (shares of regional GDP, or any positive scale).
    capability : θ_ik > 0, shape (N, K) (1 = the reference producer; 2 halves the unit cost).
    budgets : B_i, the most plants country i can build (int ≥ 0).
    kappa : κ ∈ [0, 1], the capacity exponent. chain_bonus : γ ≥ 0. shortfall_cost : ρ ≥ 0.
    countries : names (default "C0", "C1", …).
    """

    def __init__(
        self,
        sectors: Sequence[Sector],
        inputs: Sequence[tuple[str, str]] = (),
        *,
        sizes: Sequence[float],
        capability: np.ndarray | Sequence[Sequence[float]],
        budgets: Sequence[int] | int = 2,
        kappa: float = 0.5,
        chain_bonus: float = 0.0,
        shortfall_cost: float = 0.0,
        countries: Sequence[str] | None = None,
    ):
        self.sectors = tuple(sectors)
        K = self.K = len(self.sectors)
        names = [s.name for s in self.sectors]
        if K == 0 or len(set(names)) != K:
            raise ValueError(f"sectors: allowed: at least one, with distinct names (got {names})")
        graph = nx.DiGraph()
        graph.add_nodes_from(names)
        for a, b in inputs:
            for end in (a, b):
                if end not in graph:
                    raise ValueError(f"inputs: unknown sector {end!r}; allowed: {', '.join(names)}")
            graph.add_edge(a, b)
        if not nx.is_directed_acyclic_graph(graph):
            raise ValueError(
                f"inputs: the supply chain must be acyclic; cycle {nx.find_cycle(graph)}"
            )
        self.chain = graph
        self.sizes = np.asarray(sizes, float)
        N = self.N = self.sizes.size
        if N < 1 or not np.all(np.isfinite(self.sizes) & (self.sizes > 0)):
            raise ValueError(f"sizes: allowed: one number > 0 per country (got {sizes!r})")
        self.capability = np.asarray(capability, float)
        if self.capability.shape != (N, K) or not np.all(
            np.isfinite(self.capability) & (self.capability > 0)
        ):
            raise ValueError(f"capability: allowed: an array of shape ({N}, {K}) of numbers > 0")
        b = np.broadcast_to(np.asarray(budgets), (N,))
        if not np.issubdtype(b.dtype, np.integer) or np.any(b < 0):
            raise ValueError(f"budgets: allowed: integers >= 0, one per country (got {budgets!r})")
        self.budgets = b.astype(int).copy()
        for name, value, high in (
            ("kappa", kappa, 1.0),
            ("chain_bonus", chain_bonus, math.inf),
            ("shortfall_cost", shortfall_cost, math.inf),
        ):
            if not (isinstance(value, int | float) and 0 <= value <= high):
                raise ValueError(f"{name} = {value!r}: allowed: a number in [0, {high}]")
        self.kappa, self.chain_bonus, self.shortfall_cost = (
            float(kappa),
            float(chain_bonus),
            float(shortfall_cost),
        )
        self.countries = list(countries) if countries is not None else [f"C{i}" for i in range(N)]
        if len(self.countries) != N:
            raise ValueError(f"countries: {len(self.countries)} names for {N} countries")

        self.market = np.array([s.market for s in self.sectors])
        self.fixed_cost = np.array([s.fixed_cost for s in self.sectors])
        self.premium = np.array([s.premium for s in self.sectors])
        self.elasticity = np.array([s.elasticity for s in self.sectors], float)
        self.needed = np.array([s.needed for s in self.sectors])
        self.cost = np.array([s.unit_cost for s in self.sectors])[None, :] / self.capability
        index = {n: k for k, n in enumerate(names)}
        self.input_matrix = np.zeros((K, K))  # [j, k] = 1 / (number of inputs of k) if j feeds k
        for a, b in graph.edges:
            self.input_matrix[index[a], index[b]] = 1.0
        indeg = self.input_matrix.sum(axis=0)
        self.input_matrix[:, indeg > 0] /= indeg[indeg > 0]
        # q_k(n) and p_k(n) for n = 0..N (row n = 0: no producer)
        n = np.arange(N + 1, dtype=float)[:, None]
        n1 = np.maximum(n, 1.0)  # row n = 0 is set to 0 below
        exponent = np.where(np.isinf(self.elasticity), 0.0, -self.kappa / self.elasticity)
        self.output_table = np.where(n > 0, self.market * n1 ** (self.kappa - 1.0), 0.0)
        self.price_table = np.where(n > 0, n1**exponent, 0.0)

    # ---------------------------------------------------------------- constructors
    @classmethod
    def market_sharing(cls, values: Sequence[float], n_countries: int) -> Economy:
        """Wang's (2015) market-sharing game: each country picks one market, shares it equally."""
        sectors = [Sector(f"market_{k}", float(v)) for k, v in enumerate(values)]
        return cls(
            sectors,
            sizes=np.ones(n_countries),
            capability=np.ones((n_countries, len(sectors))),
            budgets=1,
            kappa=0.0,
        )

    @classmethod
    def default(
        cls,
        n_countries: int = 6,
        seed: int | None = 0,
        *,
        capability_spread: float = 0.3,
        budget: int = 2,
        kappa: float = 0.5,
        chain_bonus: float = 0.1,
        shortfall_cost: float = 0.05,
    ) -> Economy:
        """The battery/EV and solar chains with stylised random countries (sizes and capabilities
        lognormal, drawn from ``seed``)."""
        rng = np.random.default_rng(seed)
        sizes = rng.lognormal(0.0, 0.5, n_countries)
        capability = rng.lognormal(
            0.0, capability_spread, (n_countries, len(BATTERY_SOLAR_SECTORS))
        )
        return cls(
            BATTERY_SOLAR_SECTORS,
            BATTERY_SOLAR_INPUTS,
            sizes=sizes / sizes.sum(),
            capability=capability,
            budgets=budget,
            kappa=kappa,
            chain_bonus=chain_bonus,
            shortfall_cost=shortfall_cost,
        )

    def derive(
        self, *, sectors: Sequence[Sector] | None = None, capability: np.ndarray | None = None
    ) -> Economy:
        """The same economy with other sectors (same names and chain) or capabilities."""
        return Economy(
            self.sectors if sectors is None else sectors,
            list(self.chain.edges),
            sizes=self.sizes,
            capability=self.capability if capability is None else capability,
            budgets=self.budgets,
            kappa=self.kappa,
            chain_bonus=self.chain_bonus,
            shortfall_cost=self.shortfall_cost,
            countries=self.countries,
        )

    def perceived(
        self, market_scale: np.ndarray, capability_scale: np.ndarray | None = None
    ) -> Economy:
        """The same economy seen with each sector's market multiplied by ``market_scale`` (K,)
        and, optionally, the capabilities by ``capability_scale`` (N, K): a government's noisy
        view of demand and of the others' industrial bases when nobody pools information."""
        sectors = [
            replace(s, market=s.market * float(f))
            for s, f in zip(self.sectors, np.asarray(market_scale, float), strict=True)
        ]
        if capability_scale is None:
            return self.derive(sectors=sectors)
        return self.derive(
            sectors=sectors, capability=self.capability * np.asarray(capability_scale, float)
        )

    # ---------------------------------------------------------------- scoring
    def _as_profile(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.shape[-2:] != (self.N, self.K):
            raise ValueError(
                f"investment profile of shape {x.shape}: allowed: (..., {self.N}, "
                f"{self.K}) — countries × sectors"
            )
        return x.astype(bool)

    def producers(self, x: np.ndarray) -> np.ndarray:
        """n_k, the number of regional producers per sector, shape (..., K)."""
        return self._as_profile(x).sum(axis=-2)

    def plant_payoffs(self, x: np.ndarray) -> np.ndarray:
        """π_ik for every country and sector given the profile (as if i had a plant there)."""
        n = self.producers(x)
        sector = np.arange(self.K)
        q, p = self.output_table[n, sector], self.price_table[n, sector]
        supplied = (n > 0).astype(float)
        chain = supplied @ self.input_matrix  # a_k: share of k's inputs produced in the region
        margin = (
            (p + self.premium)[..., None, :] - self.cost + self.chain_bonus * chain[..., None, :]
        )
        return q[..., None, :] * margin - self.fixed_cost

    def payoffs(self, x: np.ndarray) -> np.ndarray:
        """u_i(x), each country's payoff, shape (..., N)."""
        x = self._as_profile(x)
        n = x.sum(axis=-2)
        plants = np.where(x, self.plant_payoffs(x), 0.0).sum(axis=-1)
        missing = ((n == 0) & self.needed) @ self.market  # Σ_k [n_k = 0]·need_k·M_k
        return plants - self.shortfall_cost * self.sizes * missing[..., None]

    def unilateral_payoffs(
        self, x: np.ndarray, i: int | np.ndarray, candidates: np.ndarray
    ) -> np.ndarray:
        """u_i when country i switches to each of ``candidates`` (P, K) and the others keep their
        rows of x, shape (P,): :meth:`payoffs` of those P profiles for country i, computed from
        the others' producer counts alone (O(P·K) instead of O(P·N·K)). ``i`` may be an array
        of G countries: then shape (G, P), every one of them against the same candidates."""
        x = self._as_profile(x)
        cands = np.asarray(candidates, bool)
        i = np.asarray(i)
        n = (x.sum(axis=0) - x[i])[..., None, :] + cands  # (P, K) or (G, P, K)
        sector = np.arange(self.K)
        q, p = self.output_table[n, sector], self.price_table[n, sector]
        chain = (n > 0).astype(float) @ self.input_matrix
        margin = p + self.premium - self.cost[i][..., None, :] + self.chain_bonus * chain
        plants = np.where(cands, q * margin - self.fixed_cost, 0.0).sum(axis=-1)
        missing = ((n == 0) & self.needed) @ self.market
        return plants - self.shortfall_cost * self.sizes[i][..., None] * missing

    def by_budget(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(countries, their common feasible portfolios) for each budget level."""
        return [
            (np.flatnonzero(self.budgets == b), self._portfolios(int(b)))
            for b in np.unique(self.budgets)
        ]

    def welfare(self, x: np.ndarray) -> np.ndarray:
        """W = Σ_i u_i(x), shape (...)."""
        return self.payoffs(x).sum(axis=-1)

    @cached_property
    def sector_plants(self) -> np.ndarray:
        """n̄_k: plants that maximise a sector's regional surplus at the reference unit cost,
        n·q(n)(p(n) + v − c) − n·F (the smallest maximiser, at least 1)."""
        n = np.arange(self.N + 1)[:, None]
        c_ref = np.array([s.unit_cost for s in self.sectors])
        surplus = (
            n * self.output_table * (self.price_table + self.premium - c_ref) - n * self.fixed_cost
        )
        return np.maximum(np.argmax(surplus, axis=0), 1)

    def duplication(self, x: np.ndarray) -> np.ndarray:
        """Plants beyond what each sector's regional market supports: Σ_k max(0, n_k − n̄_k)."""
        return np.maximum(self.producers(x) - self.sector_plants, 0).sum(axis=-1)

    def shortfall(self, x: np.ndarray) -> np.ndarray:
        """Share of the needed market value with no regional producer, in [0, 1]."""
        missing = (self.producers(x) == 0) & self.needed
        total = self.market[self.needed].sum()
        return (missing @ self.market) / total if total > 0 else np.zeros(missing.shape[:-1])

    # ---------------------------------------------------------------- feasible sets
    def portfolios(self, i: int) -> np.ndarray:
        """Every feasible portfolio of country i (bool, shape (P, K)): all sets of at most B_i
        sectors, the empty one first. Exact enumeration: Σ_{b ≤ B} C(K, b) rows."""
        return self._portfolios(int(self.budgets[i]))

    def _portfolios(self, budget: int) -> np.ndarray:
        cache = self.__dict__.setdefault("_portfolio_cache", {})
        if budget not in cache:
            rows = [np.zeros(self.K, bool)]
            for b in range(1, min(budget, self.K) + 1):
                for combo in combinations(range(self.K), b):
                    row = np.zeros(self.K, bool)
                    row[list(combo)] = True
                    rows.append(row)
            cache[budget] = np.array(rows)
        return cache[budget]

    def __repr__(self) -> str:
        return (
            f"Economy(N={self.N}, K={self.K}, κ={self.kappa:g}, γ={self.chain_bonus:g}, "
            f"ρ={self.shortfall_cost:g})"
        )
