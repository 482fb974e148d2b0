"""The language and unit knowledge shipped as data files, loaded once per process."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional

import yaml

# libyaml's loader where PyYAML was built with it: about ten times faster than the pure
# Python one, with the same nodes and lines (an error may name another line: see
# rules._load_file)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class UnitInfo:
    name: str
    dimension: str
    role: str


@dataclass(frozen=True)
class Lexicon:
    scales: dict[str, float]
    prefix_qualifiers: dict[str, str]
    fuzzy_suffixes: dict[str, str]
    suffix_qualifiers: dict[str, str]
    growth_up: tuple[str, ...]
    growth_down: tuple[str, ...]
    range_separators: tuple[str, ...]
    lone_scale_numerals: frozenset[str]
    rank_cues: tuple[str, ...]
    rank_units: frozenset[str]
    numeral_pairs: tuple[str, ...]
    cheng_blockers: tuple[str, ...]
    zhe_blockers: tuple[str, ...]
    minor_currency_units: dict[str, float]
    growth_rate_cues: tuple[str, ...]
    prefix_blockers: dict[str, tuple[str, ...]]
    verb_blockers: dict[str, tuple[str, ...]]
    cue_blockers: dict[str, tuple[str, ...]]
    unit_blockers: dict[str, frozenset[str]]
    unit_prefixes: dict[str, str]
    units: dict[str, UnitInfo]          # surface form -> unit
    points_of: dict[str, str]           # a unit of points -> the rate it is a change of (个千分点: ‰)


def _data(name: str) -> str:
    return resources.files("factcheck").joinpath("data").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = yaml.load(_data("lexicon.yaml"), Loader=YAML_LOADER)
    units: dict[str, UnitInfo] = {}
    points_of: dict[str, str] = {}
    for entry in yaml.load(_data("units.yaml"), Loader=YAML_LOADER)["units"]:
        info = UnitInfo(entry["name"], entry["dimension"], entry["role"])
        if "points_of" in entry:
            points_of[entry["name"]] = entry["points_of"]
        for alias in entry["aliases"]:
            if alias in units:
                raise ValueError(f"units.yaml: alias {alias!r} given to two units")
            units[alias] = info
    return Lexicon(
        scales={k: float(v) for k, v in lex["scales"].items()},
        prefix_qualifiers=lex["prefix_qualifiers"],
        fuzzy_suffixes=lex["fuzzy_suffixes"],
        suffix_qualifiers=lex["suffix_qualifiers"],
        growth_up=tuple(lex["growth_verbs"]["up"]),
        growth_down=tuple(lex["growth_verbs"]["down"]),
        range_separators=tuple(lex["range_separators"]),
        lone_scale_numerals=frozenset(lex["lone_scale_numerals"]),
        rank_cues=tuple(lex["rank_cues"]),
        rank_units=frozenset(lex["rank_units"]),
        numeral_pairs=tuple(lex["numeral_pairs"]),
        cheng_blockers=tuple(lex["cheng_blockers"]),
        zhe_blockers=tuple(lex["zhe_blockers"]),
        minor_currency_units={k: float(v) for k, v in lex["minor_currency_units"].items()},
        growth_rate_cues=tuple(lex["growth_rate_cues"]),
        prefix_blockers={k: tuple(v) for k, v in lex["prefix_blockers"].items()},
        verb_blockers={k: tuple(v) for k, v in lex.get("verb_blockers", {}).items()},
        cue_blockers={k: tuple(v) for k, v in lex.get("cue_blockers", {}).items()},
        unit_blockers={k: frozenset(v) for k, v in lex["unit_blockers"].items()},
        unit_prefixes=dict(lex["unit_prefixes"]),
        units=units,
        points_of=points_of,
    )


def points_of() -> dict[str, str]:
    """A unit of points (个百分点, 个千分点) -> the unit of the rates it changes (%, ‰)."""
    return lexicon().points_of


@lru_cache(maxsize=1)
def unit_registry():
    """The pint registry loaded from the package's definitions file (loaded on first use:
    extraction never needs it, conversions and checks do)."""
    import pint

    path = resources.files("factcheck").joinpath("data").joinpath("units.txt")
    with resources.as_file(path) as real_path:
        return pint.UnitRegistry(str(real_path), autoconvert_offset_to_baseunit=True)


def convert(value: float, unit: str, target: str) -> float:
    """Convert a value between two units of the registry (raises pint's errors on mismatch)."""
    registry = unit_registry()
    return registry.Quantity(value, unit).to(target).magnitude


def base_value(value: float, unit: str) -> Optional[float]:
    """The value in the base unit of its dimension (十打 -> 120 item), or None when the
    registry does not know the unit."""
    try:
        return unit_registry().Quantity(value, unit).to_root_units().magnitude
    except Exception:  # pint: an undefined unit
        return None
