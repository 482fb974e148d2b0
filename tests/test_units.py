"""factcheck/data/units.yaml against the pint registry (factcheck/data/units.txt)."""
from collections import Counter
from importlib import resources

import pint
import pytest
import yaml

from factcheck.lexicon import convert, lexicon, unit_registry
from factcheck.normalize import normalize

UNITS = yaml.safe_load(
    resources.files("factcheck").joinpath("data").joinpath("units.yaml").read_text(encoding="utf-8")
)["units"]
NAMES = [u["name"] for u in UNITS]

# dimension in units.yaml -> pint dimensionality (as a plain dict), for the non-named ones
DIMENSIONALITY = {
    "area": {"[length]": 2},
    "length": {"[length]": 1},
    "volume": {"[length]": 3},
    "mass": {"[mass]": 1},
    "time": {"[time]": 1},
    "energy": {"[mass]": 1, "[length]": 2, "[time]": -2},
    "power": {"[mass]": 1, "[length]": 2, "[time]": -3},
    "temperature": {"[temperature]": 1},
    "age": {"[age]": 1},
    "information": {"[information]": 1},
    "frequency": {"[time]": -1},
    "percent": {"[percent]": 1},
    "percentage_point": {"[percentage_point]": 1},
    "multiple": {"[multiple]": 1},
    "passenger_distance": {"[passenger_distance]": 1},
    "freight_distance": {"[freight_distance]": 1},
    "concentration": {"[mass]": 1, "[length]": -3},
    "sound_level": {"[sound_level]": 1},
}


def _dimensionality(name: str) -> dict:
    return {str(k): v for k, v in dict(unit_registry().Unit(name).dimensionality).items()}


def test_units_yaml_is_not_empty():
    assert len(UNITS) > 30
    assert {"CNY", "USD", "percent", "percentage_point", "m**2", "mu", "person"} <= set(NAMES)


@pytest.mark.parametrize("entry", UNITS, ids=NAMES)
def test_unit_exists_in_registry(entry):
    unit_registry().Unit(entry["name"])  # raises UndefinedUnitError if missing
    assert unit_registry().Quantity(1, entry["name"]).magnitude == 1


@pytest.mark.parametrize("entry", UNITS, ids=NAMES)
def test_dimension_agrees_with_pint(entry):
    dims = _dimensionality(entry["name"])
    dimension = entry["dimension"]
    if dimension == "currency":
        # every currency is a base dimension of its own
        assert dims == {f"[currency_{entry['name']}]": 1}
    elif dimension == "count":
        assert list(dims.values()) == [1]
        (base,) = dims
        assert base.startswith("[count_")
        if base != f"[count_{entry['name']}]":
            # a unit that counts several of another: 一打 is 12 个
            root = unit_registry().Quantity(1, entry["name"]).to_root_units()
            assert root.magnitude > 1 and base == f"[count_{root.units}]"
    else:
        assert dimension in DIMENSIONALITY, f"no expected dimensionality for {dimension!r}"
        assert dims == DIMENSIONALITY[dimension]


@pytest.mark.parametrize("entry", UNITS, ids=NAMES)
def test_role_is_known(entry):
    assert entry["role"] in {"level", "growth", "share", "count"}
    if entry["dimension"] == "count":
        assert entry["role"] == "count"


def test_every_count_unit_is_distinct():
    # people never convert into households or items; a unit that counts several of one
    # thing (打 = 12 个) is the only one sharing its dimension
    counts = [u for u in UNITS if u["dimension"] == "count"]
    own = [u for u in counts if unit_registry().Quantity(1, u["name"]).to_root_units().magnitude == 1]
    bases = [next(iter(_dimensionality(u["name"]))) for u in own]
    assert len(bases) == len(set(bases))
    assert len(own) >= len(counts) - 1


# (value, from, to, expected)
CONVERSIONS = [
    (3, "mu", "m**2", 2000.0),
    (15, "mu", "hectare", 1.0),
    (1, "km**2", "hectare", 100.0),
    (1, "hectare", "m**2", 10000.0),
    (2.5, "tonne", "kg", 2500.0),
    (1, "jin", "kg", 0.5),
    (1, "km", "m", 1000.0),
    (1, "m**3", "liter", 1000.0),
    (1, "kW*h", "joule", 3.6e6),
    (1, "MW", "kW", 1000.0),
    (2, "hour", "minute", 120.0),
    (1, "week", "day", 7.0),
    (5, "permille", "percent", 0.5),
    (1, "tce", "kW*h", 29307600000 / 3.6e6),
]


@pytest.mark.parametrize("value,source,target,expected", CONVERSIONS)
def test_convert(value, source, target, expected):
    assert convert(value, source, target) == pytest.approx(expected, rel=1e-9)


def test_mu_to_square_metres_is_2000_for_3():
    assert convert(3, "mu", "m**2") == pytest.approx(2000)


CURRENCIES = [u["name"] for u in UNITS if u["dimension"] == "currency"]


@pytest.mark.parametrize("source", CURRENCIES)
def test_currencies_do_not_convert(source):
    for target in CURRENCIES:
        if target == source:
            assert convert(7, source, target) == 7
            continue
        with pytest.raises(pint.DimensionalityError):
            convert(1, source, target)


INCOMPATIBLE = [
    ("percent", "percentage_point"),
    ("person", "person_time"),
    ("CNY", "person"),
    ("mu", "km"),
    ("year_of_age", "hour"),
    ("item", "piece"),
]


@pytest.mark.parametrize("source,target", INCOMPATIBLE)
def test_incompatible_units_raise(source, target):
    with pytest.raises(pint.DimensionalityError):
        convert(1, source, target)


def test_no_alias_is_given_to_two_units():
    aliases = Counter(a for u in UNITS for a in u["aliases"])
    assert [a for a, n in aliases.items() if n > 1] == []


def test_lexicon_units_map_every_alias():
    units = lexicon().units
    for entry in UNITS:
        for alias in entry["aliases"]:
            assert units[alias].name == entry["name"]
            assert units[alias].dimension == entry["dimension"]
            assert units[alias].role == entry["role"]


@pytest.mark.parametrize("entry", UNITS, ids=NAMES)
def test_every_alias_survives_normalization(entry):
    # the grammar runs on normalized text: an alias that normalizes to something else
    # can match only if that something is an alias of the same unit (m² -> m2)
    units = lexicon().units
    for alias in entry["aliases"]:
        norm = normalize(alias).norm
        assert norm in units, (alias, norm)
        assert units[norm].name == entry["name"]


def test_unit_prefixes_name_units():
    lex = lexicon()
    names = {u["name"] for u in UNITS}
    for word, code in lex.unit_prefixes.items():
        assert code in names, word
    currencies = {u["name"] for u in UNITS if u["dimension"] == "currency"}
    assert lex.unit_prefixes["新台币"] in currencies and lex.unit_prefixes["华氏"] == "degF"
