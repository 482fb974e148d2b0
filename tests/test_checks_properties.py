"""Property tests of the check stage: a consistent document stays consistent when every
figure is scaled by the same factor, or rounded to fewer digits. Such documents may get
no `error` (warnings are allowed: they say "cannot decide")."""
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.checks import run_checks
from factcheck.pipeline import Pipeline

PIPELINE = Pipeline()


@dataclass
class Facts:
    """Exact values of a document in which every relation holds."""

    trade_2009: float       # 亿美元
    growth: float           # %
    export_share: float
    deal_2009: float        # 亿元
    deal_rise: float
    gdp: float              # 亿元
    primary: float          # share of gdp
    secondary: float
    population: float       # 万人
    urban: float            # share of population
    export_share_2009: float

    def values(self) -> dict:
        trade = self.trade_2009 * (1 + self.growth / 100)
        export = trade * self.export_share
        export_2009 = self.trade_2009 * self.export_share_2009   # a part of that year's trade
        gdp = self.gdp
        a1, a2 = gdp * self.primary, gdp * self.secondary
        return {
            "P": self.trade_2009, "C": trade, "g": self.growth, "E": export, "I": trade - export,
            "S0": self.deal_2009, "S1": self.deal_2009 * (1 + self.deal_rise),
            "Y": gdp, "A1": a1, "A2": a2, "A3": gdp - a1 - a2,
            "N": self.population, "U": self.population * self.urban, "s": self.urban * 100,
            "E1": export_2009, "g2": (export / export_2009 - 1) * 100,
            "PC": gdp * 1e8 / (self.population * 1e4),   # 元 per person
        }


RATES = ("g", "g2", "s")
CURRENCY = ("P", "C", "E", "I", "S0", "S1", "Y", "A1", "A2", "A3", "E1", "PC")
COUNTS = ("N", "U")

TEMPLATE = (
    "2010年全省国民经济和社会发展统计公报\n"
    "2009年，全省进出口总额{P}亿美元。\n"
    "2010年，全省实现进出口总额{C}亿美元，比上年{g}。其中，出口{E}亿美元，进口{I}亿美元。\n"
    "本届西博会共签约投资总额{S1}亿元，在去年{S0}亿元的基础上再创新高。\n"
    "2010年，全省生产总值{Y}亿元。其中，第一产业增加值{A1}亿元，第二产业增加值{A2}亿元，第三产业增加值{A3}亿元。\n"
    "年末全省常住人口{N}万人。其中，城镇人口{U}万人，占常住人口的比重为{s}%。\n"
    "2010年，全省出口总额{E}亿美元，比上年的{E1}亿美元{g2}。\n"
)
PER_CAPITA = "2010年，全省生产总值{Y}亿元，年末常住人口{N}万人，人均地区生产总值{PC}元。\n"


def number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def rate(value: float, decimals: int) -> str:
    text = number(abs(value), decimals)
    return f"{'下降' if value < 0 and float(text) != 0 else '增长'}{text}%"


def render(values: dict, decimals: dict, template: str = TEMPLATE) -> str:
    fields = {}
    for key, value in values.items():
        d = decimals.get(key, 4)
        fields[key] = rate(value, d) if key in ("g", "g2") else number(value, d)
    return template.format(**fields)


def errors(text: str) -> list:
    result = PIPELINE.run_text(text, reference_year=2010)
    return [f for f in run_checks(result) if f.severity == "error"]


facts = st.builds(
    Facts,
    trade_2009=st.floats(10, 5000), growth=st.floats(-40, 150), export_share=st.floats(0.05, 0.95),
    deal_2009=st.floats(100, 9000), deal_rise=st.floats(0.01, 0.8), gdp=st.floats(1000, 50000),
    primary=st.floats(0.05, 0.3), secondary=st.floats(0.2, 0.5), population=st.floats(100, 12000),
    urban=st.floats(0.1, 0.9), export_share_2009=st.floats(0.05, 0.95),
)
KEYS = RATES + CURRENCY + COUNTS
decimals = st.fixed_dictionaries({key: st.integers(0, 3) for key in KEYS})


def _messages(found) -> str:
    return "\n".join(f.message for f in found)


def test_the_template_is_checked_at_all():
    """Not vacuous: the template's relations are linked, and breaking one is an error."""
    values = Facts(200, 10, 0.6, 5000, 0.2, 16000, 0.15, 0.45, 8000, 0.43, 0.55).values()
    text = render(values, {})
    assert errors(text) == []
    for key, factor, check in (("E", 1.2, "sum"), ("A3", 1.2, "sum"), ("s", 1.2, "share"),
                               ("g", 1.2, "implied_prior"), ("E1", 0.95, "growth_vs_prior"),
                               ("E1", 1.5, "direction"), ("U", 1.2, "share")):
        broken = dict(values)
        broken[key] = values[key] * factor
        assert check in {f.check for f in errors(render(broken, {}))}, key
    broken = dict(values)
    broken["S1"] = values["S0"] * 0.9
    assert {f.check for f in errors(render(broken, {}))} == {"direction"}
    with_capita = render(values, {}, TEMPLATE + PER_CAPITA)
    assert errors(with_capita) == []
    broken = dict(values)
    broken["PC"] = values["PC"] * 1.1
    assert "derived" in {f.check for f in errors(render(broken, {}, TEMPLATE + PER_CAPITA))}


@settings(max_examples=60, deadline=None)
@given(facts, decimals)
def test_rounding_to_fewer_digits_never_creates_an_error(fact, digits):
    text = render(fact.values(), digits, TEMPLATE + PER_CAPITA)
    assert errors(text) == [], text + _messages(errors(text))


@settings(max_examples=60, deadline=None)
@given(facts, st.floats(0.001, 1000), decimals)
def test_scaling_every_figure_never_creates_an_error(fact, factor, digits):
    """Every amount and count times the same factor: sums, growth rates, shares, parts and
    directions are unchanged (the per-capita ratio is not in this document: scaling both
    its terms and itself by one factor does not keep it)."""
    values = fact.values()
    scaled = {k: (v * factor if k in CURRENCY + COUNTS else v) for k, v in values.items()}
    text = render(scaled, digits)
    assert errors(text) == [], text + _messages(errors(text))


@settings(max_examples=60, deadline=None)
@given(facts, st.floats(0.001, 1000), decimals)
def test_scaling_every_amount_keeps_per_capita_consistent(fact, factor, digits):
    """Every amount (a change of currency unit) times the same factor, per capita included."""
    values = fact.values()
    scaled = {k: (v * factor if k in CURRENCY else v) for k, v in values.items()}
    text = render(scaled, digits, TEMPLATE + PER_CAPITA)
    assert errors(text) == [], text + _messages(errors(text))
