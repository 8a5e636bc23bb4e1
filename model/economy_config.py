"""Supply-chain economies from scenario tables (``[economy]`` and ``[[countries]]`` in TOML).

A preset (``model/presets/*.toml``) may describe its regional economy next to the
:class:`~model.config.ModelConfig` fields. The schema (parsed with ``tomllib``; nothing is
evaluated)::

    [economy]
    sectors = "battery_solar"   # the built-in chain (BATTERY_SOLAR_SECTORS / _INPUTS), or a
                                # list of sector tables, or give [[economy.sector]] tables instead
    kappa = 0.5                 # κ ∈ [0, 1], capacity exponent             (default 0.5)
    chain_bonus = 0.1           # γ ≥ 0, unit-cost bonus per regional input  (default 0.1)
    shortfall_cost = 0.05       # ρ ≥ 0, cost of a missing needed sector     (default 0.05)
    # inputs = [["supplier", "user"], ...]   # supply-chain edges (a DAG); default: the built-in
    #                                        # chain's edges, or none for a custom chain

    # a custom chain (instead of sectors = "battery_solar"):
    [[economy.sector]]
    name = "wings"              # required, distinct
    market = 8.0                # M_k ≥ 0, required
    fixed_cost = 3.0            # F_k ≥ 0                                   (default 0)
    unit_cost = 0.7             # c_k ≥ 0                                   (default 0)
    elasticity = 2.0            # ε_k > 0, or "inf" (price-taker)           (default "inf")
    premium = 0.3               # v_k ≥ 0                                   (default 0)
    needed = true               # shortfall if no regional producer         (default true)

    [[countries]]
    name = "Brazil"             # required, distinct
    gdp = 2174                  # > 0, required; sizes w_i are GDP shares gdp_i / Σ gdp
    budget = 3                  # B_i, integer ≥ 0: the most plants it can build (default 2)
    strengths = { lithium_mining = 1.6 }   # θ_ik > 0 per sector (default 1.0 everywhere)

Every problem is one ``ValueError`` naming the origin, the field path and what is allowed, e.g.
``mercosur.toml: countries[2].gdp = -3: allowed: a number > 0``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from model.economy import BATTERY_SOLAR_INPUTS, BATTERY_SOLAR_SECTORS, Economy, Sector
from model.toml_files import read_toml

__all__ = [
    "COUNTRY_KEYS",
    "ECONOMY_KEYS",
    "SECTOR_KEYS",
    "economy_from_tables",
    "load_economy",
]

BUILTIN_CHAINS: dict[str, tuple[tuple[Sector, ...], tuple[tuple[str, str], ...]]] = {
    "battery_solar": (BATTERY_SOLAR_SECTORS, BATTERY_SOLAR_INPUTS),
}
"""Named sector chains usable as ``sectors = "<name>"``."""

ECONOMY_KEYS = ("chain_bonus", "inputs", "kappa", "sector", "sectors", "shortfall_cost")
SECTOR_KEYS = ("elasticity", "fixed_cost", "market", "name", "needed", "premium", "unit_cost")
COUNTRY_KEYS = ("budget", "gdp", "name", "rule", "strengths")
_SECTOR_REQUIRED = ("name", "market")
_COUNTRY_REQUIRED = ("name", "gdp")

DEFAULT_KAPPA = 0.5
DEFAULT_CHAIN_BONUS = 0.1
DEFAULT_SHORTFALL_COST = 0.05
DEFAULT_BUDGET = 2


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Checker:
    """Builds error messages prefixed with the origin (file name or 'scenario')."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, path: str, message: str) -> ValueError:
        return ValueError(f"{self.origin}: {path}{message}")

    def bad(self, path: str, value: Any, allowed: str) -> ValueError:
        return self.fail(path, f" = {value!r}: allowed: {allowed}")

    def table(self, path: str, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.bad(path, value, "a table")
        return value

    def keys(
        self,
        path: str,
        table: Mapping[str, Any],
        allowed: Sequence[str],
        required: Sequence[str] = (),
    ) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{path}.{key}", f": unknown key; allowed: {', '.join(allowed)}")
        for key in required:
            if key not in table:
                raise self.fail(f"{path}.{key}", f": missing; required keys: {', '.join(required)}")

    def number(
        self,
        path: str,
        value: Any,
        *,
        low: float = 0.0,
        high: float = math.inf,
        strict: bool = False,
    ) -> float:
        ok = _is_number(value) and math.isfinite(value) and value <= high
        ok = ok and (value > low if strict else value >= low)
        if not ok:
            if high < math.inf:
                allowed = f"a number in [{low:g}, {high:g}]"
            else:
                allowed = f"a number {'>' if strict else '>='} {low:g}"
            raise self.bad(path, value, allowed)
        return float(value)

    def name(self, path: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.bad(path, value, "a non-empty string")
        return value


def _sector(check: _Checker, path: str, raw: Any) -> Sector:
    table = check.table(path, raw)
    check.keys(path, table, SECTOR_KEYS, _SECTOR_REQUIRED)
    name = check.name(f"{path}.name", table["name"])
    values: dict[str, Any] = {"market": check.number(f"{path}.market", table["market"])}
    for key in ("fixed_cost", "unit_cost", "premium"):
        if key in table:
            values[key] = check.number(f"{path}.{key}", table[key])
    if "elasticity" in table:
        eps = table["elasticity"]
        if isinstance(eps, str) and eps.strip().lower() == "inf":
            eps = math.inf
        if not (_is_number(eps) and eps > 0 and not math.isnan(eps)):
            raise check.bad(
                f"{path}.elasticity",
                table["elasticity"],
                'a number > 0, or "inf" for a price-taker',
            )
        values["elasticity"] = float(eps)
    if "needed" in table:
        if not isinstance(table["needed"], bool):
            raise check.bad(f"{path}.needed", table["needed"], "true or false")
        values["needed"] = table["needed"]
    try:
        return Sector(name, **values)
    except ValueError as err:  # pragma: no cover - the checks above cover Sector's own
        raise check.fail(path, f": {err}") from None


def _sectors(
    check: _Checker, economy: Mapping[str, Any]
) -> tuple[tuple[Sector, ...], tuple[tuple[str, str], ...]]:
    """The sectors and their default inputs (the built-in chain's edges, or none)."""
    if "sectors" in economy and "sector" in economy:
        raise check.fail("economy", ": give either sectors or [[economy.sector]] tables, not both")
    if "sector" in economy:
        path, spec = "economy.sector", economy["sector"]
    else:
        path, spec = "economy.sectors", economy.get("sectors", "battery_solar")
    if isinstance(spec, str):
        if spec not in BUILTIN_CHAINS:
            raise check.bad(
                path,
                spec,
                f"{', '.join(repr(k) for k in BUILTIN_CHAINS)} or a "
                "list of sector tables ([[economy.sector]])",
            )
        sectors, inputs = BUILTIN_CHAINS[spec]
        return sectors, inputs
    if isinstance(spec, Sequence) and spec and all(isinstance(s, Mapping) for s in spec):
        sectors = tuple(_sector(check, f"{path}[{k}]", s) for k, s in enumerate(spec))
        seen: dict[str, int] = {}
        for k, s in enumerate(sectors):
            if s.name in seen:
                raise check.fail(
                    f"{path}[{k}].name",
                    f" = {s.name!r}: duplicate of "
                    f"{path}[{seen[s.name]}].name; allowed: distinct names",
                )
            seen[s.name] = k
        return sectors, ()
    raise check.bad(
        path,
        spec,
        f"{', '.join(repr(k) for k in BUILTIN_CHAINS)} or a non-empty "
        "list of sector tables ([[economy.sector]])",
    )


def _inputs(check: _Checker, raw: Any, names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    path = "economy.inputs"
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise check.bad(path, raw, 'a list of [supplier, user] pairs, e.g. [["wings", "final"]]')
    known = set(names)
    edges = []
    for e, pair in enumerate(raw):
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise check.bad(f"{path}[{e}]", pair, "a pair [supplier, user] of sector names")
        for end, name in enumerate(pair):
            if name not in known:
                raise check.fail(
                    f"{path}[{e}][{end}]",
                    f" = {name!r}: unknown sector; allowed: {', '.join(names)}",
                )
        edges.append((pair[0], pair[1]))
    graph = nx.DiGraph(edges)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [a for a, _ in nx.find_cycle(graph)]
        raise check.fail(
            path,
            f": the supply chain must be acyclic (a DAG); cycle {' -> '.join([*cycle, cycle[0]])}",
        )
    return tuple(edges)


def economy_from_tables(
    economy: Mapping[str, Any], countries: Sequence[Mapping[str, Any]], *, origin: str = "scenario"
) -> Economy:
    """Build an :class:`~model.economy.Economy` from an ``[economy]`` table and the
    ``[[countries]]`` tables (see the module docstring for the schema).

    Sizes are GDP shares; capabilities default to 1.0 and are overridden by ``strengths``.
    Any problem raises one ``ValueError`` naming ``origin`` and the field path.
    """
    check = _Checker(origin)
    economy = check.table("economy", economy)
    check.keys("economy", economy, ECONOMY_KEYS)
    sectors, inputs = _sectors(check, economy)
    names = [s.name for s in sectors]
    if "inputs" in economy:
        inputs = _inputs(check, economy["inputs"], names)
    kappa = check.number("economy.kappa", economy.get("kappa", DEFAULT_KAPPA), high=1.0)
    chain_bonus = check.number(
        "economy.chain_bonus", economy.get("chain_bonus", DEFAULT_CHAIN_BONUS)
    )
    shortfall_cost = check.number(
        "economy.shortfall_cost", economy.get("shortfall_cost", DEFAULT_SHORTFALL_COST)
    )

    if isinstance(countries, str | Mapping) or not isinstance(countries, Sequence) or not countries:
        raise check.bad("countries", countries, "a non-empty array of [[countries]] tables")
    index = {n: k for k, n in enumerate(names)}
    capability = np.ones((len(countries), len(sectors)))
    country_names: list[str] = []
    gdp: list[float] = []
    budgets: list[int] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(countries):
        path = f"countries[{i}]"
        table = check.table(path, raw)
        check.keys(path, table, COUNTRY_KEYS, _COUNTRY_REQUIRED)
        name = check.name(f"{path}.name", table["name"])
        if name in seen:
            raise check.fail(
                f"{path}.name",
                f" = {name!r}: duplicate of countries[{seen[name]}].name; allowed: distinct names",
            )
        seen[name] = i
        country_names.append(name)
        gdp.append(check.number(f"{path}.gdp", table["gdp"], strict=True))
        budget = table.get("budget", DEFAULT_BUDGET)
        if not (isinstance(budget, int) and not isinstance(budget, bool) and budget >= 0):
            raise check.bad(f"{path}.budget", budget, "an integer >= 0 (the most plants)")
        budgets.append(budget)
        strengths = check.table(f"{path}.strengths", table.get("strengths", {}))
        for sector, theta in strengths.items():
            if sector not in index:
                raise check.fail(
                    f"{path}.strengths.{sector}", f": unknown sector; allowed: {', '.join(names)}"
                )
            capability[i, index[sector]] = check.number(
                f"{path}.strengths.{sector}", theta, strict=True
            )
    sizes = np.asarray(gdp) / sum(gdp)
    try:
        return Economy(
            sectors,
            inputs,
            sizes=sizes,
            capability=capability,
            budgets=budgets,
            kappa=kappa,
            chain_bonus=chain_bonus,
            shortfall_cost=shortfall_cost,
            countries=country_names,
        )
    except ValueError as err:
        raise ValueError(f"{origin}: {err}") from None


def load_economy(path_or_mapping: str | Path | Mapping[str, Any]) -> Economy:
    """The :class:`Economy` of a scenario: a TOML file path, or an already parsed document.

    Reads its ``[economy]`` table (optional: defaults to the battery/solar chain) and its
    ``[[countries]]`` tables (required). A top-level ``n_countries``, if given, must equal the
    number of countries.
    """
    if isinstance(path_or_mapping, Mapping):
        data, origin = path_or_mapping, "scenario"
    else:
        origin = str(path_or_mapping)
        data = read_toml(path_or_mapping)
    if "countries" not in data:
        raise ValueError(
            f"{origin}: countries: missing; allowed: a non-empty array of "
            "[[countries]] tables (name, gdp, budget, strengths)"
        )
    econ = economy_from_tables(data.get("economy", {}), data["countries"], origin=origin)
    n = data.get("n_countries")
    if n is not None and n != econ.N:
        raise ValueError(
            f"{origin}: n_countries = {n!r} but there are {econ.N} [[countries]]; "
            "allowed: n_countries equal to the number of countries (or omit it)"
        )
    return econ
