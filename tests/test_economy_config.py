"""Scenario economies from TOML tables: the seven regional presets and the loader's validation."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from model.economy import BATTERY_SOLAR_INPUTS, BATTERY_SOLAR_SECTORS
from model.economy_config import economy_from_tables, load_economy

PRESET_DIR = Path(__file__).parents[1] / "model" / "presets"
REGIONAL = (
    "classroom",
    "mercosur",
    "andean",
    "pacific-alliance",
    "asean",
    "sadc-batteries",
    "airbus",
)


def _raw(name: str) -> dict:
    return tomllib.loads((PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the presets


@pytest.mark.parametrize("name", REGIONAL)
def test_preset_loads_and_matches_its_tables(name):
    raw = _raw(name)
    econ = load_economy(PRESET_DIR / f"{name}.toml")
    countries = raw["countries"]
    assert econ.N == len(countries) >= 4
    if "n_countries" in raw:
        assert raw["n_countries"] == econ.N
    assert econ.countries == [c["name"] for c in countries]
    assert math.isclose(econ.sizes.sum(), 1.0)
    gdp = np.array([c["gdp"] for c in countries], float)
    np.testing.assert_allclose(econ.sizes, gdp / gdp.sum())
    assert list(econ.budgets) == [c["budget"] for c in countries]
    assert all(1 <= b <= 4 for b in econ.budgets)
    sector_names = [s.name for s in econ.sectors]
    expected = np.ones((econ.N, econ.K))
    for i, c in enumerate(countries):
        for sector, theta in c.get("strengths", {}).items():
            assert sector in sector_names, f"{name}: {c['name']} strength {sector}"
            expected[i, sector_names.index(sector)] = theta
    np.testing.assert_array_equal(econ.capability, expected)
    description = raw["description"]
    assert isinstance(description, str) and len(description) > 40 and "\n" not in description


@pytest.mark.parametrize("name", REGIONAL)
def test_preset_budgets_grow_with_size(name):
    if name == "classroom":
        pytest.skip("the classroom's budgets are chosen for its teaching mix of games, not size")
    econ = load_economy(PRESET_DIR / f"{name}.toml")
    order = np.argsort(econ.sizes)
    assert np.all(np.diff(econ.budgets[order]) >= 0)


@pytest.mark.parametrize("name", REGIONAL)
def test_preset_files_cite_gdp_source_and_stylised_capabilities(name):
    text = (PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert "STYLISED" in text
    if name == "classroom":
        assert "FICTIONAL" in text
    else:
        assert "IMF World Economic Outlook, October 2024, nominal GDP 2023" in text
        assert "approximate" in text


def test_pacific_alliance_mexico_share_by_hand():
    econ = load_economy(PRESET_DIR / "pacific-alliance.toml")
    # Chile 335, Colombia 364, Mexico 1789, Peru 268 (US$ bn, as written in the file)
    mexico = econ.countries.index("Mexico")
    assert econ.sizes[mexico] == pytest.approx(1789 / (335 + 364 + 1789 + 268))
    assert econ.sizes[mexico] == pytest.approx(0.6491, abs=1e-4)


def test_classroom_sizes_are_percentages():
    econ = load_economy(PRESET_DIR / "classroom.toml")
    np.testing.assert_allclose(econ.sizes, [0.40, 0.25, 0.15, 0.10, 0.06, 0.04])


def test_mercosur_includes_bolivia_and_asean_has_ten_members():
    assert "Bolivia" in load_economy(PRESET_DIR / "mercosur.toml").countries
    assert set(load_economy(PRESET_DIR / "asean.toml").countries) == {
        "Brunei", "Cambodia", "Indonesia", "Laos", "Malaysia",
        "Myanmar", "Philippines", "Singapore", "Thailand", "Vietnam",
    }  # fmt: skip


def test_battery_presets_use_the_builtin_chain():
    for name in REGIONAL:
        if name == "airbus":
            continue
        econ = load_economy(PRESET_DIR / f"{name}.toml")
        assert econ.sectors == BATTERY_SOLAR_SECTORS
        assert set(econ.chain.edges) == set(BATTERY_SOLAR_INPUTS)
        # the classroom's stronger complementarity and shortfall make its teaching mix
        expected = (0.5, 0.15, 0.177) if name == "classroom" else (0.5, 0.1, 0.05)
        assert (econ.kappa, econ.chain_bonus, econ.shortfall_cost) == expected


def test_airbus_custom_chain():
    econ = load_economy(PRESET_DIR / "airbus.toml")
    names = [s.name for s in econ.sectors]
    assert names == [
        "aluminium", "composites", "wings", "fuselage", "tail", "engines", "avionics",
        "final_assembly",
    ]  # fmt: skip
    assert econ.sectors[0].elasticity == math.inf  # written as "inf"
    assert econ.sectors[0].needed is False
    assert set(econ.chain.predecessors("final_assembly")) == {
        "wings", "fuselage", "tail", "engines", "avionics",
    }  # fmt: skip
    uk = econ.countries.index("United Kingdom")
    assert econ.capability[uk, names.index("wings")] == 1.6


# welfare with nobody investing: W = Σ_i −ρ·w_i·Σ_k need_k·M_k = −ρ·Σ_k need_k·M_k (Σ w_i = 1)
BATTERY_NEEDED_MARKET = 4 + 5 + 6 + 3 + 10 + 8 + 20 + 3 + 3 + 4 + 6  # = 72, all needed
AIRBUS_NEEDED_MARKET = 4 + 8 + 8 + 3 + 12 + 5 + 20  # = 60, aluminium (4) is not needed


@pytest.mark.parametrize("name", REGIONAL)
def test_welfare_with_no_investment_is_the_shortfall(name):
    econ = load_economy(PRESET_DIR / f"{name}.toml")
    needed = AIRBUS_NEEDED_MARKET if name == "airbus" else BATTERY_NEEDED_MARKET
    nothing = np.zeros((econ.N, econ.K), bool)
    rho = econ.shortfall_cost  # 0.05, the classroom's 0.177
    assert econ.welfare(nothing) == pytest.approx(-rho * needed)
    np.testing.assert_allclose(econ.payoffs(nothing), -rho * econ.sizes * needed)


def test_airbus_division_of_labour_beats_everyone_assembling():
    econ = load_economy(PRESET_DIR / "airbus.toml")
    names = [s.name for s in econ.sectors]

    def profile(plants):
        x = np.zeros((econ.N, econ.K), bool)
        for country, sectors in plants.items():
            for s in sectors:
                x[econ.countries.index(country), names.index(s)] = True
        return x

    division = profile({
        "France": ["final_assembly", "avionics", "aluminium"],
        "Germany": ["fuselage"],
        "United Kingdom": ["wings", "engines"],
        "Spain": ["tail", "composites"],
    })  # fmt: skip
    everyone = profile({
        "France": ["final_assembly", "avionics", "engines"],
        "Germany": ["final_assembly", "fuselage", "engines"],
        "United Kingdom": ["final_assembly", "wings", "engines"],
        "Spain": ["final_assembly", "tail"],
    })  # fmt: skip
    assert econ.duplication(division) == 0 and econ.shortfall(division) == 0
    assert np.all(econ.payoffs(division) > 0)
    assert econ.welfare(division) > econ.welfare(everyone) + 10


def test_mapping_input_and_defaults():
    econ = load_economy({"countries": [{"name": "A", "gdp": 3}, {"name": "B", "gdp": 1}]})
    assert econ.sectors == BATTERY_SOLAR_SECTORS
    np.testing.assert_allclose(econ.sizes, [0.75, 0.25])
    assert list(econ.budgets) == [2, 2]
    np.testing.assert_array_equal(econ.capability, np.ones((2, 11)))
    assert (econ.kappa, econ.chain_bonus, econ.shortfall_cost) == (0.5, 0.1, 0.05)


def test_sector_list_forms_are_equivalent():
    table = {"name": "ore", "market": 2, "elasticity": "inf"}, {"name": "metal", "market": 3}
    countries = [{"name": "A", "gdp": 1, "strengths": {"metal": 2.0}}]
    a = economy_from_tables({"sectors": list(table), "inputs": [["ore", "metal"]]}, countries)
    b = economy_from_tables({"sector": list(table), "inputs": [["ore", "metal"]]}, countries)
    for econ in (a, b):
        assert [s.name for s in econ.sectors] == ["ore", "metal"]
        assert econ.sectors[0].elasticity == math.inf
        assert list(econ.chain.edges) == [("ore", "metal")]
        assert econ.capability.tolist() == [[1.0, 2.0]]


# ------------------------------------------------------------------ malformed scenarios

GOOD = """
[economy]
sectors = "battery_solar"

[[countries]]
name = "A"
gdp = 10
budget = 2

[[countries]]
name = "B"
gdp = 5
"""

CUSTOM = """
[economy]
inputs = [["ore", "metal"]]

[[economy.sector]]
name = "ore"
market = 2

[[economy.sector]]
name = "metal"
market = 3

[[countries]]
name = "A"
gdp = 1
"""


def _load(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return load_economy(path)


def test_good_scenarios_load(tmp_path):
    assert _load(tmp_path, GOOD).N == 2
    assert _load(tmp_path, CUSTOM).K == 2


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            GOOD.replace("gdp = 5", "gdp = -3"),
            r"bad\.toml: countries\[1\]\.gdp = -3: allowed: a number > 0",
        ),
        (GOOD.replace("gdp = 5", "gdp = 0"), r"countries\[1\]\.gdp = 0: allowed: a number > 0"),
        (GOOD.replace("gdp = 5", 'gdp = "big"'), r"countries\[1\]\.gdp = 'big': allowed"),
        (
            GOOD + "strengths = { lithium_minning = 1.5 }\n",
            r"bad\.toml: countries\[1\]\.strengths\.lithium_minning: unknown sector; "
            r"allowed: lithium_mining, lithium_refining",
        ),
        (
            GOOD + "strengths = { cathode = 0 }\n",
            r"countries\[1\]\.strengths\.cathode = 0: allowed: a number > 0",
        ),
        (
            GOOD.replace("budget = 2", "budget = -1"),
            r"countries\[0\]\.budget = -1: allowed: an integer >= 0",
        ),
        (
            GOOD.replace("budget = 2", "budget = 1.5"),
            r"countries\[0\]\.budget = 1\.5: allowed: an integer >= 0",
        ),
        (
            GOOD.replace("budget = 2", "gpd = 2"),
            r"bad\.toml: countries\[0\]\.gpd: unknown key; allowed: budget, gdp, name, rule, "
            "strengths",
        ),
        (
            GOOD.replace('sectors = "battery_solar"', "kapa = 0.5"),
            r"bad\.toml: economy\.kapa: unknown key; allowed: chain_bonus, inputs, kappa, "
            r"sector, sectors, shortfall_cost",
        ),
        (
            CUSTOM.replace("market = 3", "market = 3\nelastcity = 2"),
            r"economy\.sector\[1\]\.elastcity: unknown key; allowed: elasticity, fixed_cost, "
            r"market, name, needed, premium, unit_cost",
        ),
        (
            GOOD.replace('name = "B"\n', ""),
            r"bad\.toml: countries\[1\]\.name: missing; required keys: name, gdp",
        ),
        (GOOD.replace("gdp = 10\n", ""), r"countries\[0\]\.gdp: missing; required keys"),
        (
            CUSTOM.replace('name = "metal"\n', ""),
            r"economy\.sector\[1\]\.name: missing; required keys: name, market",
        ),
        (
            GOOD.replace('name = "B"', 'name = "A"'),
            r"bad\.toml: countries\[1\]\.name = 'A': duplicate of countries\[0\]\.name; "
            r"allowed: distinct names",
        ),
        (
            CUSTOM.replace('name = "metal"', 'name = "ore"'),
            r"economy\.sector\[1\]\.name = 'ore': duplicate of economy\.sector\[0\]\.name",
        ),
        (
            CUSTOM.replace("market = 3", 'market = 3\nelasticity = "infinite"'),
            r"economy\.sector\[1\]\.elasticity = 'infinite': allowed: a number > 0, "
            r'or "inf" for a price-taker',
        ),
        (
            CUSTOM.replace("market = 3", "market = 3\nelasticity = 0"),
            r"economy\.sector\[1\]\.elasticity = 0: allowed: a number > 0",
        ),
        (
            CUSTOM.replace("market = 3", "market = -3"),
            r"economy\.sector\[1\]\.market = -3: allowed: a number >= 0",
        ),
        (
            CUSTOM.replace("market = 3", 'market = 3\nneeded = "yes"'),
            r"economy\.sector\[1\]\.needed = 'yes': allowed: true or false",
        ),
        (
            CUSTOM.replace('[["ore", "metal"]]', '[["ore", "metal"], ["metal", "ore"]]'),
            r"bad\.toml: economy\.inputs: the supply chain must be acyclic \(a DAG\); "
            r"cycle (ore -> metal -> ore|metal -> ore -> metal)",
        ),
        (
            CUSTOM.replace('[["ore", "metal"]]', '[["ore", "ore"]]'),
            r"economy\.inputs: the supply chain must be acyclic",
        ),
        (
            CUSTOM.replace('[["ore", "metal"]]', '[["ore", "steel"]]'),
            r"economy\.inputs\[0\]\[1\] = 'steel': unknown sector; allowed: ore, metal",
        ),
        (
            CUSTOM.replace('[["ore", "metal"]]', '[["ore"]]'),
            r"economy\.inputs\[0\] = \['ore'\]: allowed: a pair \[supplier, user\]",
        ),
        (
            GOOD.replace('"battery_solar"', '"batteries"'),
            r"economy\.sectors = 'batteries': allowed: 'battery_solar' or a list of sector "
            r"tables",
        ),
        (
            GOOD.replace('"battery_solar"', "3"),
            r"economy\.sectors = 3: allowed: 'battery_solar' or a non-empty list",
        ),
        (
            CUSTOM.replace("[economy]", '[economy]\nsectors = "battery_solar"'),
            r"economy: give either sectors or \[\[economy\.sector\]\] tables, not both",
        ),
        (GOOD + "[economy.extra]\n", r"economy\.extra: unknown key"),
        (
            GOOD.replace('sectors = "battery_solar"', "kappa = 1.5"),
            r"economy\.kappa = 1\.5: allowed: a number in \[0, 1\]",
        ),
        (
            GOOD.replace('sectors = "battery_solar"', "shortfall_cost = -0.1"),
            r"economy\.shortfall_cost = -0\.1: allowed: a number >= 0",
        ),
        (
            "n_countries = 3\n" + GOOD,
            r"bad\.toml: n_countries = 3 but there are 2 \[\[countries\]\]",
        ),
        ('[economy]\nsectors = "battery_solar"\n', r"bad\.toml: countries: missing"),
        ("countries = []\n", r"countries = \[\]: allowed: a non-empty array"),
    ],
)
def test_malformed_scenarios_name_the_field(tmp_path, text, pattern):
    with pytest.raises(ValueError, match=pattern):
        _load(tmp_path, text)


def test_missing_file_and_invalid_toml(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_economy(tmp_path / "nowhere.toml")
    with pytest.raises(ValueError, match="not valid TOML"):
        _load(tmp_path, "[[countries]\nname = 'A'\n")


def test_economy_errors_are_prefixed_with_the_origin(monkeypatch):
    import model.economy_config as ec

    def refuse(*args, **kwargs):
        raise ValueError("sizes: allowed: one number > 0 per country")

    monkeypatch.setattr(ec, "Economy", refuse)
    with pytest.raises(ValueError, match=r"^here\.toml: sizes: allowed"):
        economy_from_tables({}, [{"name": "A", "gdp": 1}], origin="here.toml")
