"""The check stage (factcheck.checks): interval arithmetic, run_checks and its options,
rule-file settings and relations, the seed interview, repeated text."""
import math

from pathlib import Path

import pytest
import yaml

from conftest import varied_figures
from factcheck.checks import CHECK_IDS, load_config, run_checks
from factcheck.checks.base import Interval, fmt_interval
from factcheck.models import DocumentResult
from factcheck.pipeline import Pipeline
from factcheck.rules import RuleError, load_rules

PIPELINE = Pipeline()

GROWTH_FAIL = "2010年，全省实现进出口总额242.3亿美元，比上年的221.1亿美元增长12.6%。"
SUM_FAIL = "全年进出口总额146.9亿美元，比上年增长72.1%。其中，出口89.6亿美元，增长45.1%；进口67.3亿美元，增长120.7%。"


def check(text, year=2010, **options):
    return run_checks(PIPELINE.run_text(text, reference_year=year), **options)


# ---- intervals ------------------------------------------------------------------------

def test_interval_arithmetic():
    a, b = Interval(1.0, 2.0), Interval(3.0, 5.0)
    assert a + b == Interval(4.0, 7.0)
    assert b - a == Interval(1.0, 4.0)
    assert a * b == Interval(3.0, 10.0)
    assert b / a == Interval(1.5, 5.0)
    assert Interval(-1.0, 2.0) * Interval(-3.0, 1.0) == Interval(-6.0, 3.0)
    assert (a / Interval(-1.0, 1.0)).lo == -math.inf
    assert a.meets(Interval(2.0, 3.0)) and not a.meets(b)
    assert a.gap(b) == 1.0 and b.gap(a) == 1.0 and a.gap(a) == 0.0
    assert b.above(a) and not a.above(b)
    assert Interval(0.1 + 0.2, 1.0).meets(Interval(0.0, 0.3))   # binary noise is not a gap


def test_interval_of_a_claim_and_tolerance():
    (claim,) = PIPELINE.run_text("出口14151.3亿元").claims
    iv = Interval.of(claim)
    assert iv.lo == pytest.approx(1415125000000.0) and iv.hi == pytest.approx(1415135000000.0)
    wide = Interval.of(claim, 0.01)
    assert wide.lo == pytest.approx(1415125000000.0 - 14151300000.0)
    (open_claim,) = PIPELINE.run_text("突破300亿美元").claims
    assert Interval.of(open_claim).hi == math.inf


def test_interval_writing():
    assert fmt_interval(Interval(14.45, 14.55), "percent", "zh") == "[14.45, 14.55]%"
    assert fmt_interval(Interval(1603795500000.0, 1603796500000.0), "CNY", "zh") == "[16037.955, 16037.965]亿元"
    assert fmt_interval(Interval(30000000000.0, math.inf), "USD", "zh") == "≥ 300亿美元"
    assert fmt_interval(Interval(14685000000.0, 14695000000.0), "USD", "en") == "[14.685, 14.695] billion USD"
    # rounded outwards: the written interval holds the computed one
    assert fmt_interval(Interval(9.5410, 9.6358), "percent", "zh") == "[9.541, 9.636]%"


# ---- run_checks ---------------------------------------------------------------------------

def test_finding_contract():
    (finding,) = check(GROWTH_FAIL)
    data = finding.to_json()
    assert {"id", "check", "severity", "message", "claims", "start", "end", "expected", "actual"} <= set(data)
    assert data["id"] == "f1" and data["check"] == "growth_vs_prior" and data["severity"] == "error"
    assert data["expected"] == "[12.55, 12.65]%" and data["actual"] == "[9.541, 9.636]%"
    assert data["expected_interval"] == pytest.approx([12.55, 12.65])
    assert data["actual_interval"][0] == pytest.approx(242.25 / 221.15 * 100 - 100)
    assert data["gap"] == pytest.approx(12.55 - (242.35 / 221.05 * 100 - 100))
    assert data["unit"] == "percent"
    assert GROWTH_FAIL[data["start"]:data["end"]] == "242.3亿美元，比上年的221.1亿美元增长12.6%"
    assert "相差" in data["message"] and "242.3亿美元" in data["message"]


@pytest.mark.parametrize("path", sorted(str(p) for p in Path("fixtures").glob("*.txt")) + ["fixtures/checks"])
def test_a_documents_line_is_its_contract_dict_dumped(path):
    """`contract_line` encodes a claim at a time: the text json.dumps gives the whole."""
    import json

    paths = sorted(Path(path).glob("*.txt")) if Path(path).is_dir() else [Path(path)]
    for one in paths:
        result = PIPELINE.run_path(str(one))
        run_checks(result)
        result.errors.append("an error, “quoted”")
        assert result.contract_line() == json.dumps(result.to_json(), ensure_ascii=False), one
    assert result.claims


def test_english_messages():
    (finding,) = check(GROWTH_FAIL, lang="en")
    assert finding.message.startswith("'增长12.6%' does not fit '242.3亿美元'")
    assert "off by" in finding.message
    with pytest.raises(ValueError):
        check(GROWTH_FAIL, lang="fr")


def test_result_gets_its_findings_and_ids_are_in_order():
    result = PIPELINE.run_text(SUM_FAIL + GROWTH_FAIL, reference_year=2010)
    findings = run_checks(result)
    assert result.findings == findings
    # the first sentence's 146.9 (2010, up 72.1%) against the second's 221.1 (2009), which a
    # base named by nothing but its metric's name (比上年的221.1亿美元) is the total of
    assert [f.id for f in findings] == ["f1", "f2", "f3"]
    assert [f.check for f in findings] == ["direction", "sum", "growth_vs_prior"]
    assert findings[0].start <= findings[1].start < findings[2].start


def test_claims_with_text_and_claims_alone():
    result = PIPELINE.run_text(GROWTH_FAIL, reference_year=2010)
    with_text = run_checks(list(result.claims), GROWTH_FAIL, reference_year=2010)
    assert [(f.check, f.claims) for f in with_text] == [("growth_vs_prior", ["c1", "c2", "c3"])]
    # without the text there is no 比上年的X to link, but 221.1 is the 2009 figure of the
    # same metric: the rate is weighed against it as an implied prior
    alone = run_checks(list(result.claims))
    assert [(f.check, f.claims) for f in alone] == [("implied_prior", ["c1", "c3", "c2"])]


def test_claims_alone_still_find_conflicting_periods():
    result = PIPELINE.run_text("2009年四川生产总值14151.3亿元。2009年四川生产总值为14511.3亿元。", reference_year=2010)
    alone = run_checks(list(result.claims))
    assert [f.check for f in alone] == ["conflicting_repeat"]


def test_enable_and_disable():
    assert check(SUM_FAIL, disabled=["sum"]) == []
    assert [f.check for f in check(SUM_FAIL + GROWTH_FAIL, enabled=["growth_vs_prior"])] == ["growth_vs_prior"]
    with pytest.raises(ValueError):
        check(SUM_FAIL, enabled=["no_such_check"])


def test_without_sum_the_components_are_weighed_as_parts():
    text = "全年进出口总额146.9亿美元。其中，出口149.6亿美元，进口67.3亿美元。"
    assert [f.check for f in check(text)] == ["sum"]
    assert [f.check for f in check(text, disabled=["sum"])] == ["part_vs_whole"]


def test_run_tolerance():
    assert check(GROWTH_FAIL, tolerance=0.05) == []      # 5 % slack on every figure
    assert len(check(GROWTH_FAIL, tolerance=0.001)) == 1


def test_comparable_prices_warn_instead_of_failing():
    text = "2010年，全省出口总额186.5亿美元，比上年的141.6亿美元增长21.7%（按可比价格计算）。"
    (finding,) = check(text)
    assert finding.severity == "warning" and "可比价格" in finding.message
    (finding,) = check(text.replace("（按可比价格计算）", ""))
    assert finding.severity == "error"
    # counts are not priced: comparable prices change nothing
    (finding,) = check("2010年，全省出口食品7310批，比上年的6310批增长5.4%（按可比价格计算）。")
    assert finding.severity == "error"


def test_a_share_may_exceed_100_percent_of_a_target_but_not_of_a_whole():
    assert check("1-9月全市新增城镇就业5.6万人，完成全年目标的112%。") == []
    (finding,) = check("国际合作馆招展面积达32400平方米，占主展场面积的127%。")
    assert finding.check == "share"


def test_forecasts_are_not_weighed():
    assert check("2010年全省出口总额120亿美元。2010年全省出口总额预计将突破300亿美元。") == []


def test_change_in_people_against_both_years():
    text = "2009年末全省常住人口7822.2万人。2010年末全省常住人口7869.3万人，比上年末增加57.1万人。"
    (finding,) = check(text)
    assert finding.check == "implied_prior" and finding.severity == "error"
    assert check(text.replace("57.1", "47.1")) == []


def test_a_change_and_a_rate_of_one_figure_must_imply_one_prior():
    (finding,) = check("全年地方财政收入1563.7亿元，比上年增加300.5亿元，增长30.4%。")
    assert finding.check == "implied_prior" and finding.claims == ["c1", "c2", "c3"]
    assert check("全年地方财政收入1563.7亿元，比上年增加300.5亿元，增长23.8%。") == []


def test_a_new_high_stated_before_its_figure():
    (finding,) = check("2009年全省出口总额141.6亿美元。2010年全省出口总额创历史新高，达到128.4亿美元。")
    assert finding.check == "direction" and finding.claims == ["c2", "c1"]
    assert check("2009年全省出口总额141.6亿美元。2010年全省出口总额创历史新高，达到188.4亿美元。") == []


def test_percentage_points_against_both_shares():
    text = "2009年城镇化率为41.9%。2010年城镇化率为43.1%，比上年提高2.2个百分点。"
    rules_text = "id: urban\nmetrics:\n  - id: urbanization\n    names: [城镇化率]\n    dimension: percent\n" \
                 "    role: share\n    examples:\n      - {text: \"城镇化率为43.1%\", value: 43.1}\n"
    import tempfile, os
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "urban.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(rules_text)
        rules = load_rules([path])
        pipeline = Pipeline(rules)
        result = pipeline.run_text(text, reference_year=2010)
        (finding,) = run_checks(result, rules=rules)
        assert finding.check == "implied_prior" and finding.unit == "percent"
        result = pipeline.run_text(text.replace("2.2个", "1.2个"), reference_year=2010)
        assert run_checks(result, rules=rules) == []


# ---- rule files ---------------------------------------------------------------------------

def write_rules(tmp_path, body, name="mine.yaml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_rule_file_switches_a_check_off_and_a_later_one_on(tmp_path):
    off = write_rules(tmp_path, "id: switch_off\nchecks:\n  growth_vs_prior: {enabled: false}\n", "a_off.yaml")
    on = write_rules(tmp_path, "id: switch_on\nchecks:\n  growth_vs_prior: {enabled: true}\n", "b_on.yaml")
    rules = load_rules([off])
    assert run_checks(Pipeline(rules).run_text(GROWTH_FAIL, reference_year=2010), rules=rules) == []
    rules = load_rules([off, on])
    assert len(run_checks(Pipeline(rules).run_text(GROWTH_FAIL, reference_year=2010), rules=rules)) == 1


def test_a_result_is_checked_with_the_rules_it_was_linked_with(tmp_path):
    rules = load_rules([write_rules(tmp_path, "id: switch_off\nchecks:\n  growth_vs_prior: {enabled: false}\n")])
    assert run_checks(Pipeline(rules).run_text(GROWTH_FAIL, reference_year=2010)) == []


def test_rule_file_tolerance_and_severity_per_check(tmp_path):
    rules = load_rules([write_rules(tmp_path, "id: loose\nchecks:\n  growth_vs_prior: {tolerance: 0.05}\n")])
    assert run_checks(Pipeline(rules).run_text(GROWTH_FAIL, reference_year=2010), rules=rules) == []
    rules = load_rules([write_rules(tmp_path, "id: soft\nchecks:\n  growth_vs_prior: {severity: warning}\n",
                                    "soft.yaml")])
    (finding,) = run_checks(Pipeline(rules).run_text(GROWTH_FAIL, reference_year=2010), rules=rules)
    assert finding.severity == "warning"


def test_rule_file_tolerance_per_metric(tmp_path):
    body = ("id: trade2\nmetrics:\n  - id: trade_total2\n    names: [贸易总额]\n    dimension: currency\n"
            "    tolerance: 0.05\n    examples:\n      - {text: \"贸易总额3亿元\", value: 300000000}\n")
    rules = load_rules([write_rules(tmp_path, body)])
    text = "2010年，全省贸易总额242.3亿美元，比上年的221.1亿美元增长12.6%。"
    assert run_checks(Pipeline(rules).run_text(text, reference_year=2010), rules=rules) == []
    assert len(check(text)) == 1


def test_rule_file_relations(tmp_path):
    body = ("id: hospitals\nmetrics:\n"
            "  - {id: beds, names: [床位], dimension: count, examples: [{text: \"床位3万张\", value: 30000}]}\n"
            "  - {id: hospitals, names: [医院], dimension: count, units: [organization],"
            " examples: [{text: \"医院120家\", value: 120}]}\n"
            "  - {id: beds_per_hospital, names: [平均每家医院床位], dimension: count,"
            " examples: [{text: \"平均每家医院床位250张\", value: 250}]}\n"
            "relations:\n"
            "  - {id: average_beds, kind: ratio, result: beds_per_hospital, numerator: beds, denominator: hospitals}\n")
    rules = load_rules([write_rules(tmp_path, body)])
    config = load_config(rules)
    assert [r.id for r in config.relations][-1] == "average_beds"
    pipeline = Pipeline(rules)
    text = "2010年全市医院120家，床位3.0万张，平均每家医院床位{}张。"
    (finding,) = run_checks(pipeline.run_text(text.format(300), reference_year=2010), rules=rules)
    assert finding.check == "derived" and "average_beds" in finding.message
    assert run_checks(pipeline.run_text(text.format(250), reference_year=2010), rules=rules) == []


def test_check_settings_come_from_the_loaded_rules_not_a_second_read(tmp_path):
    # the config is what load_rules read: a file changed or gone since cannot make the two
    # disagree (and a batch worker parses each rule file once)
    path = write_rules(tmp_path, "id: mine\nchecks:\n  sum: {enabled: false, tolerance: 0.01}\n")
    rules = load_rules([path])
    Path(path).unlink()
    config = load_config(rules)
    assert config.is_enabled("sum") is False and config.tolerance("sum") == 0.01
    assert [where for check, where, _ in rules.check_settings if check == "sum"] == [f"{path}:3"]


@pytest.mark.parametrize("relation,words", [
    ("{id: r, kind: sum, total: gdp, parts: [a, b]}", "unknown metric 'a'"),
    ("{id: r, kind: sum, total: gdp, parts: [export]}", "two components at least"),
    ("{id: r, kind: sum, total: gdp, parts: [export], minus: [export]}", "names a metric twice"),
    ("{id: r, kind: sum, total: gdp, parts: [export, import], optional: [gdp]}", "names a metric twice"),
    ("{id: r, kind: sum, total: gdp, parts: [export], minus: [import], optional: [trade_total]}",
     "optional parts of a difference"),
])
def test_relations_that_cannot_be_weighed_name_file_and_line(tmp_path, relation, words):
    path = write_rules(tmp_path, f"id: bad\n# comment\nrelations:\n  - {relation}\n")
    with pytest.raises(RuleError) as info:
        load_config(load_rules([path]))
    assert str(info.value).startswith(f"{path}:4:") and words in str(info.value)


def test_a_difference_relation_in_a_rule_file(tmp_path):
    metrics = [{"id": metric, "names": [name], "dimension": "count", "units": ["person"]}
               for metric, name in (("moved_in", "迁入人口"), ("moved_out", "迁出人口"), ("net_migration", "净迁入人口"))]
    relation = {"id": "net_in", "kind": "sum", "total": "net_migration", "parts": ["moved_in"], "minus": ["moved_out"]}
    body = yaml.safe_dump({"id": "migration", "metrics": metrics, "relations": [relation]}, allow_unicode=True)
    rules = load_rules([write_rules(tmp_path, body)])
    pipeline = Pipeline(rules)
    text = "2010年全市迁入人口3.2万人，迁出人口2.1万人，净迁入人口{}万人。"
    (finding,) = run_checks(pipeline.run_text(text.format("1.4"), reference_year=2010), rules=rules)
    assert finding.check == "sum" and "net_in" in finding.message and " − " in finding.message
    assert finding.expected_interval == [13500.0, 14500.0] and finding.actual_interval == [10000.0, 12000.0]
    assert run_checks(pipeline.run_text(text.format("1.1"), reference_year=2010), rules=rules) == []
    # a difference's components are not parts of it: 迁入 above 净迁入 is no part_vs_whole
    assert run_checks(pipeline.run_text("2010年全市迁入人口3.2万人，净迁入人口1.1万人。", reference_year=2010),
                      rules=rules) == []


@pytest.mark.parametrize("body,words", [
    ("id: bad\nrelations:\n  - {id: r, kind: sum, total: gdp}\n", "parts"),
    ("id: bad\nrelations:\n  - {id: r, kind: ratio, result: gdp}\n", "numerator"),
    ("id: bad\nchecks:\n  no_such_check: {enabled: false}\n", "no_such_check"),
    ("id: bad\nchecks:\n  sum: {tolerance: -1}\n", "minimum"),
    # NaN passes the schema's minimum, and a NaN or infinite tolerance made every check pass
    ("id: bad\nchecks:\n  sum: {tolerance: .nan}\n", "3: not a finite number (at checks/sum/tolerance)"),
    ("id: bad\nchecks:\n  growth_vs_prior:\n    tolerance: .inf\n", "4: not a finite number"),
    ("id: bad\nrelations:\n  - {id: r, kind: ratio, result: a, numerator: b, denominator: c, factor: .nan}\n",
     "3: not a finite number (at relations/0/factor)"),
    ("id: bad\nchecks:\n  sum: {enabled: false, colour: red}\n", "colour"),
])
def test_invalid_check_settings_are_rule_errors(tmp_path, body, words):
    path = write_rules(tmp_path, body)
    with pytest.raises(RuleError) as info:
        load_rules([path])
    assert words in str(info.value) and str(info.value).startswith(path)


# ---- the seed and repeated text -------------------------------------------------------------

# Every warning the seed interview gets, with the reason it is there. Keep this list in
# step with the closing note of issue 3.
SEED_WARNINGS: list[tuple[str, list[str]]] = []


def test_seed_has_no_error_and_only_the_listed_warnings(pipeline):
    from conftest import SEED

    result = pipeline.run_path(str(SEED))
    findings = run_checks(result)
    texts = {c.id: c.text for c in result.claims}
    assert [f for f in findings if f.severity == "error"] == [], "\n".join(f.message for f in findings)
    assert [(f.check, [texts[c] for c in f.claims]) for f in findings if f.severity == "warning"] == SEED_WARNINGS


def test_identical_repeat_is_merged_not_flagged():
    text = ("2009年，四川全年实现生产总值14151.3亿元，增长14.5%。" + GROWTH_FAIL + "\n") * 2
    findings = check(text)
    assert [f.check for f in findings] == ["growth_vs_prior"]
    (finding,) = findings
    assert finding.claims == ["c3", "c4", "c5"] and finding.repeats == [["c8", "c9", "c10"]]


def test_a_changed_repeat_is_a_conflict():
    text = "2009年，四川全年实现生产总值14151.3亿元。\n" * 2 + "2009年，四川全年实现生产总值14251.3亿元。\n"
    (finding,) = check(text)
    assert finding.check == "conflicting_repeat" and finding.claims == ["c1", "c3"]


def test_each_conflicting_statement_is_reported_once_against_the_first_it_cannot_meet():
    text = ("2010年全省地区生产总值约100亿元。2010年全省地区生产总值98亿元。"
            "2010年全省地区生产总值102亿元。2010年全省地区生产总值120亿元。")
    findings = check(text)
    # 约100 meets 98 and 102; 102 cannot meet 98; 120 meets none, and is told against
    # the first (every pair used to be a finding: four here, n(n-1)/2 in a table)
    assert sorted((f.check, f.claims) for f in findings) == [("conflicting_repeat", ["c1", "c4"]),
                                                             ("conflicting_repeat", ["c2", "c3"])]
    many = check("".join(f"2010年全省地区生产总值{1000 + i}.5亿元。" for i in range(40)))
    assert len(many) == 39
    assert sorted(f.claims[1] for f in many) == sorted(f"c{i}" for i in range(2, 41))


def test_repeat_without_period_is_only_a_warning():
    (finding,) = check("四川人口8724.6万人。四川人口8624.6万人。", year=None)
    assert finding.check == "conflicting_repeat" and finding.severity == "warning"


def test_different_names_of_one_metric_are_not_repeats():
    # 户籍人口 and 常住人口 are two figures (two metrics since the shipped rules split them)
    assert check("年末全省户籍人口8984.7万人，常住人口8185.0万人。") == []
    assert check("城镇居民人均可支配收入15236元；农村居民人均可支配收入6124元。") == []


def test_nominal_and_real_growth_of_one_figure_are_not_a_conflict():
    text = "全年城镇居民人均可支配收入15461元，比上年增长11.0%，扣除价格因素，实际增长7.4%。"
    result = PIPELINE.run_text(text, reference_year=2010)
    info = result.links.info
    assert [info[c.id].comparable for c in result.claims] == [False, False, True]
    assert run_checks(result) == []


def test_a_list_of_shares_is_not_a_list_of_rates():
    assert check("三次产业对经济增长的贡献率分别为3.8%、70.2%和26.0%。") == []


def test_check_ids_are_stable():
    assert CHECK_IDS == ["growth_vs_prior", "implied_prior", "direction", "sum", "part_vs_whole", "share",
                         "derived", "conflicting_repeat", "respectively"]


def test_run_checks_accepts_an_empty_document():
    assert run_checks(DocumentResult(path="x")) == []
    assert run_checks([]) == []


def test_identical_statements_share_one_signature():
    """A document that repeats itself (the seed's interview is printed twice) gives each
    statement one signature, and the claims that others name (whose signatures are kept,
    and held in those of the rates that name them) one tuple for it."""
    from factcheck.checks.base import Context

    result = PIPELINE.run_text(GROWTH_FAIL + "\n" + GROWTH_FAIL, reference_year=2010)
    ctx = Context(claims=result.claims, links=result.links, rules=PIPELINE.rules, config=load_config(PIPELINE.rules))
    first, second = result.claims[:3], result.claims[3:]
    assert [c.text for c in first] == [c.text for c in second]
    for a, b in zip(first, second):
        assert ctx.signature(a) == ctx.signature(b)
        if a.id in ctx.by_id:
            assert ctx.signature(a) is ctx.signature(b)
    assert any(a.id in ctx.by_id for a in first)
    assert ctx.signature(first[0]) != ctx.signature(first[1])


def test_the_checks_look_up_by_id_only_the_claims_that_are_named():
    """Relations and rates name some claims; a dict of every claim was a fifth of the
    checks' peak on figure-dense text."""
    from factcheck.checks.base import Context

    result = PIPELINE.run_text(SUM_FAIL + GROWTH_FAIL + "其中，出口150.2亿美元。", reference_year=2010)
    ctx = Context(claims=result.claims, links=result.links, rules=PIPELINE.rules, config=load_config(PIPELINE.rules))
    links = result.links
    named = ({c.refers_to for c in result.claims if c.refers_to} | {p.part for p in links.parts}
             | {p.whole for p in links.parts} | {p.current for p in links.priors} | {p.prior for p in links.priors})
    assert set(ctx.by_id) == named
    assert all(ctx.by_id[i].id == i for i in named)
    assert len(named) < len(result.claims)   # the rates are named by none


def test_a_part_named_as_its_whole_is_no_repeat():
    """其中 makes the second figure a part of the first, though both are called 出口额."""
    assert check("2010年出口额100亿元，其中出口额60亿元。") == []
    assert [f.check for f in check("2010年出口额100亿元。2010年出口额60亿元。")] == ["conflicting_repeat"]


def test_the_checks_hold_little_per_claim_on_repeated_text():
    """The checks' indexes by claim (by id, signatures, rates, the pairs of linked claims)
    were about 80 bytes a claim at their peak on a bulletin stated again and again, and
    up to twice the claims' own size on the densest text; they hold what relations name."""
    from factcheck.decode import read_input

    bulletin = read_input(str(Path(__file__).parent.parent / "fixtures" / "big5_traditional.txt")).text
    run_checks(PIPELINE.run_text(bulletin))   # what the checks load once
    result = PIPELINE.run_text("\n".join([bulletin] * 60))
    findings, _, peak = traced_checks(result)
    assert findings == [] and len(result.claims) == 60 * 27
    assert peak / len(result.claims) < 55, peak / len(result.claims)   # about 35 now, 85 before

def test_the_checks_hold_little_beyond_their_findings_where_figures_disagree():
    """Figure-dense text whose restatements disagree (the densest fixture 30 times, its
    figures drawn at random): a finding for most restatements. What the checks hold at
    their peak beyond the findings they return was twice the findings: a message in each
    language, a set and a list of claim ids for every finding, the raw findings kept
    while the findings were made. Now a third of them or less. And each message written
    once, for a finding kept, in the language asked for, and what was reported kept by
    the hash of what it says (`statement_key`), took the peak from 1,640 bytes a finding
    to 1,320."""
    bulletin = (Path(__file__).parent.parent / "fixtures" / "checks" / "consistent_bulletin.hans.txt").read_text("utf-8")
    run_checks(PIPELINE.run_text(bulletin))   # what the checks load once
    result = PIPELINE.run_text(varied_figures("\n".join([bulletin] * 30)))
    findings, kept, peak = traced_checks(result)
    assert len(findings) > len(result.claims) / 2
    assert peak / kept < 1.7, peak / kept   # 1.1 now, 2.7 before
    assert peak / len(findings) < 1500, peak / len(findings)


def traced_checks(result) -> tuple[list, int, int]:
    """run_checks(result), with the memory it kept and its peak (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        findings = run_checks(result)
        kept, peak = (m - base for m in tracemalloc.get_traced_memory())
    finally:
        tracemalloc.stop()
    return findings, kept, peak


def test_a_value_of_a_list_of_places_is_checked_against_the_same_place_stated_alone():
    """成都's value in 成都市和绵阳市…分别为 and 成都市地区生产总值 stated alone are one figure:
    the names were 市地区生产总值 (the place's 市 kept) and 地区生产总值, and 绵阳's place
    was taken for both values."""
    text = "2010年，成都市和绵阳市地区生产总值分别为5551亿元和960亿元。2010年成都市地区生产总值{}亿元。"
    result = PIPELINE.run_text(text.format(5751), reference_year=2010)
    (finding,) = run_checks(result)
    by_id = {c.id: c.text for c in result.claims}
    assert finding.check == "conflicting_repeat" and [by_id[i] for i in finding.claims] == ["5551亿元", "5751亿元"]
    assert check(text.format(5551)) == []


@pytest.mark.parametrize("text, checks", [
    # over 2008, not over the year before: not the same rate stated twice
    ("2010年全省出口188.4亿美元，同比增长33.7%，比2008年增长43.9%。", []),
    ("2010年全省出口188.4亿美元，比2005年增长1.2倍，比2008年增长43.9%。", []),
    ("2010年全省出口188.4亿美元，增长33.7%，环比增长5.1%。", []),
    # two year-on-year rates of one figure still are
    ("2010年全省出口188.4亿美元，增长33.7%。2010年全省出口188.4亿美元，增长35.7%。", ["conflicting_repeat"]),
])
def test_rates_over_another_base_are_no_restatement_of_the_yearly_rate(text, checks):
    assert [f.check for f in check(text)] == checks


@pytest.mark.parametrize("text, checks", [
    # no whole named, or "the total": the whole the part is a 其中 part of
    ("2010年全省地区生产总值17185.5亿元，其中第一产业增加值2482.9亿元，占18.4%。", ["share"]),
    ("2010年全省地区生产总值17185.5亿元，其中第一产业增加值2482.9亿元，占14.4%。", []),
    ("年末全省常住人口8045万人，其中城镇人口3231万人，占总人口的45.2%。", ["share"]),
    ("年末全省常住人口8045万人，其中城镇人口3231万人，占总人口的40.2%。", []),
    ("全年进出口总额327.8亿美元，其中出口188.4亿美元，占57.5%；进口139.4亿美元，占42.5%。", []),
    # a whole named otherwise, or of another place, is another figure, not stated here
    ("2010年全省出口188.4亿美元，其中一般贸易出口120.3亿美元，占全国一般贸易出口的1.5%。", []),
    ("2010年成都市出口120亿美元，其中机电产品出口80亿美元，占全省的10%。", []),
    ("2010年全省出口188.4亿美元，其中成都市出口120亿美元，占全省的73.7%。", ["share"]),
])
def test_a_share_after_a_qizhong_part_is_of_its_whole(text, checks):
    """其中X，占Z%: the share was of nothing, and never checked."""
    assert [f.check for f in check(text)] == checks


def test_release_links_lets_go_of_the_text_and_links_before_the_findings_are_made(monkeypatch):
    """`check` and a batch worker need neither after the checks; on figure-dense text
    they were a tenth of the peak, which is where the findings are put together."""
    import factcheck.checks as checks_module

    text = SUM_FAIL + GROWTH_FAIL + "2010年出口额100亿元。2010年出口额60亿元。"
    kept = PIPELINE.run_text(text, reference_year=2010)
    expected = run_checks(kept)
    assert kept.links is not None and kept.text is not None
    released = PIPELINE.run_text(text, reference_year=2010)
    held_while_assembling = []
    assemble = checks_module._assembled
    monkeypatch.setattr(checks_module, "_assembled", lambda raw, lang: (
        held_while_assembling.append((released.text, released.links)), assemble(raw, lang))[1])
    assert run_checks(released, release_links=True) == expected and len(expected) >= 3
    assert held_while_assembling == [(None, None)]
    assert released.findings == expected and released.links is None and released.text is None


@pytest.mark.parametrize("seed", range(8))
def test_searches_find_what_trying_every_earlier_statement_finds(monkeypatch, seed):
    """conflicting_repeat (`_earliest_apart`) and new highs (`_stated_before`) search
    sorted bounds where they tried every earlier statement of a figure: the same
    findings, on random statements of one figure (exact and approximate, some without a
    period, some new highs, some with a rate, the text stated again in reverse), with
    and without a tolerance."""
    import random

    import factcheck.checks.conflicting_repeat as conflicting_repeat
    import factcheck.checks.direction as direction

    draw = random.Random(seed)
    lines = []
    for _ in range(150):
        year = draw.choice(["2008年", "2009年", "2010年", "2010年", ""])
        approx = draw.choice(["", "", "约", "近", "超过", "不到"])
        tail = draw.choice(["", "", "，创历史新高", "，比上年增长2%"])
        lines.append(f"{year}全省常住人口{approx}{draw.randint(7990, 8010)}.{draw.randint(0, 9)}万人{tail}。")
    # stated twice: which of two equal pairs is the finding, and which its repeat, is
    # the first found
    result = PIPELINE.run_text("\n".join(lines + lines[::-1]), reference_year=2010)

    def every_earlier(ctx, record):
        return [c for c in ctx.of_metric(record.metric)
                if c.period and len(c.period) == len(record.period) and c.period < record.period]

    for tolerance in (0.0, 0.0005, 0.01):
        searched = run_checks(result, tolerance=tolerance)
        with monkeypatch.context() as patched:
            patched.setattr(conflicting_repeat, "_earliest_apart", lambda ctx, distinct: lambda k: 0)
            patched.setattr(direction, "_stated_before", every_earlier)
            assert run_checks(result, tolerance=tolerance) == searched
        if tolerance == 0.0:
            checks = [f.check for f in searched]
            assert checks.count("conflicting_repeat") > 20 and "direction" in checks


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_are_the_same_when_every_statement_shares_one_key(monkeypatch, lang):
    """What was reported is kept by a hash (`statement_key`); statements that share one
    are told apart in full. With one key for all, every finding and repeat is as before."""
    import factcheck.checks as checks_module
    import factcheck.checks.base as base_module

    bulletin = (Path(__file__).parent.parent / "fixtures" / "checks" / "consistent_bulletin.hans.txt").read_text("utf-8")
    text = "\n".join([varied_figures("\n".join([bulletin] * 2))] * 3) + "\n" + SUM_FAIL + GROWTH_FAIL
    expected = run_checks(PIPELINE.run_text(text, reference_year=2010), lang=lang)
    monkeypatch.setattr(base_module, "statement_key", lambda statement: 7)
    monkeypatch.setattr(checks_module, "statement_key", lambda statement: 7)
    assert run_checks(PIPELINE.run_text(text, reference_year=2010), lang=lang) == expected
    assert len(expected) > 20 and any(f.repeats for f in expected)
    assert len({f.check for f in expected}) >= 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_statement_is_in_one_finding_once_on_text_stated_again_and_again(lang):
    """Findings assembled a raw finding at a time, their repeats' sets made only for long
    lists (see `append_new`): each finding's repeats are lists of claim ids, none of them
    its own claims or another's, none twice; messages in the language asked for."""
    bulletin = (Path(__file__).parent.parent / "fixtures" / "checks" / "consistent_bulletin.hans.txt").read_text("utf-8")
    varied = varied_figures("\n".join([bulletin] * 3))
    findings = run_checks(PIPELINE.run_text("\n".join([varied] * 12)), lang=lang)
    assert len(findings) > 20 and max(len(f.repeats) for f in findings) == 11
    seen_ids = set()
    for f in findings:
        repeats = [tuple(r) for r in f.repeats]
        assert tuple(f.claims) not in repeats and len(set(repeats)) == len(repeats)
        assert all(isinstance(r, list) for r in f.repeats) and isinstance(f.claims, list)
        seen_ids.update([tuple(f.claims), *repeats])
        message_zh = any("\u4e00" <= ch <= "\u9fff" for ch in f.message[:4])
        assert message_zh == (lang == "zh")
    assert len(seen_ids) == sum(1 + len(f.repeats) for f in findings)   # no statement in two findings


@pytest.mark.parametrize("lists, ids, appended", [
    ([], ("c1",), True),
    ([("c1",)], ("c1",), False),
    ([("c1", "c2")], ("c2", "c1"), True),
    ([(f"c{k}",) for k in range(9)], ("c3",), False),
    ([(f"c{k}",) for k in range(9)], ("c9",), True),
])
def test_append_new_appends_what_is_not_there(lists, ids, appended):
    from factcheck.checks.base import append_new

    index: dict = {}
    lists = list(lists)
    before = list(lists)
    assert append_new(lists, ids, index, "key") is appended
    assert lists == (before + [ids] if appended else before)
    assert append_new(lists, ids, index, "key") is False and lists.count(ids) == 1
    # a list longer than those searched has its set, which holds all of it
    assert ("key" in index) == (appended and len(lists) > 8) and set(lists) == index.get("key", set(lists))


@pytest.mark.parametrize("rate", ["城镇化率为42.1%", "城镇化水平达到42.1%", "常住人口城镇化率42.1%"])
def test_urbanization_rate_is_weighed_as_a_percentage(rate):
    findings = check(f"年末全省常住人口8045万人。其中，城镇人口3231.7万人，{rate}。")
    assert [(f.check, f.unit) for f in findings] == [("derived", "percent")]
    assert findings[0].expected_interval == pytest.approx([42.05, 42.15])
    assert findings[0].actual_interval == pytest.approx([40.1671, 40.1735], abs=1e-4)
    assert findings[0].message.endswith("相差1.877个百分点。")


def test_registered_urbanization_rate_is_not_of_the_resident_population():
    # 户籍人口城镇化率 is of the registered population; a bulletin's 城镇人口 is of 常住人口
    assert check("年末全省常住人口8045万人。其中，城镇人口3231.7万人，户籍人口城镇化率为32.5%。") == []


def test_a_gap_between_percentages_is_in_percentage_points():
    text = "2010年全省进出口总额242.3亿美元，增长12.6%。\n2010年全省进出口总额242.3亿美元，增长9.6%。"
    findings = check(text)
    assert [f.check for f in findings] == ["conflicting_repeat"]
    assert findings[0].message.endswith("相差2.9个百分点。")
    assert check(text, lang="en")[0].message.endswith("off by 2.9 percentage points.")


def test_a_total_dated_by_its_year_meets_parts_after_last_year_compared_with():
    # 由上年的… made every 全年 after it last year's: the total (2011) and its parts
    # (全年 -> 2010) were never weighed against each other
    text = ("2011年全市实现地区生产总值1189.1亿元。三次产业结构由上年的17.9:52.1:30.0调整为16.6:54.6:28.8。\n"
            "全年第一产业增加值197.6亿元，第二产业增加值649.3亿元，第三产业增加值324.2亿元。")
    findings = check(text, year=2011)
    # and the structure's third term (28.8) is not 324.2 / 1189.1 = 27.3%
    assert [f.check for f in findings] == ["sum", "derived"]
    assert findings[0].message.startswith("分项之和与总数不符（gdp_by_industry）")
    assert findings[1].message.startswith("派生比率不符（value_added_tertiary_share）")
    assert check(text.replace("324.2", "342.2"), year=2011) == []


@pytest.mark.parametrize("text,found", [
    ("年末存款余额1854.2亿元，比年初增加236.5亿元，增长16.4%。", True),    # 年初: 1617.7 and 1593.0
    ("年末存款余额1854.2亿元，比年初增加236.5亿元，增长14.6%。", False),
    ("年末存款余额1854.2亿元，比上年增加236.5亿元，增长16.4%。", True),    # year-on-year, as before
    ("年末存款余额1854.2亿元，比年初增加236.5亿元，比上年增长16.4%。", False),  # two bases
])
def test_a_change_and_a_growth_over_one_base_imply_one_prior(text, found):
    findings = check(text, year=2011)
    assert [f.check for f in findings] == (["implied_prior"] if found else [])


@pytest.mark.parametrize("per_capita,found", [("21182元", False), ("21362元", False), ("20500元", True), ("22100元", True)])
def test_gdp_per_capita_allows_the_average_population(per_capita, found):
    # 四川 2010 states 21182元: GDP over the year's average population, not the year-end
    # 8045.0万人 it states (21362元)
    findings = check(f"2010年，全省生产总值17185.48亿元，年末常住人口8045.0万人，人均地区生产总值{per_capita}。")
    assert [f.check for f in findings] == (["derived"] if found else [])


TRADE_RATES = "全年货物进出口总额86.35亿元，比上年增长{}%。其中，出口52.17亿元，增长18.6%；进口34.18亿元，增长25.6%。"


@pytest.mark.parametrize("total_rate,found", [("21.3", False), ("21.2", False), ("12.3", True), ("22.0", True)])
def test_last_years_components_add_up_to_last_years_total(total_rate, found):
    # 52.17/1.186 + 34.18/1.256 = 71.20; 86.35/1.213 = 71.19, /1.123 = 76.89, /1.22 = 70.78
    findings = check(TRADE_RATES.format(total_rate), year=2018)
    assert [f.check for f in findings] == (["sum"] if found else [])
    if found:
        assert findings[0].message.startswith("分项与总数的上期之和不符（trade_total_sum）")
        assert len(findings[0].claims) == 6


@pytest.mark.parametrize("text", [
    # real growth against nominal levels: last year's levels do not follow
    "全年全省生产总值16037.96亿元，按可比价格计算，比上年增长14.6%。其中，第一产业增加值2325.50亿元，增长4.6%；"
    "第二产业增加值7343.19亿元，增长18.7%；第三产业增加值6369.27亿元，增长12.1%。",
    # on a comparable basis (可比口径): the same
    "全年社会消费品零售总额1006.8亿元，按可比口径计算，比上年增长5.0%。城镇消费品零售额812.4亿元，增长10.8%；"
    "乡村消费品零售额194.4亿元，增长11.9%。",
    # a component without a rate
    "全年货物进出口总额86.35亿元，比上年增长12.3%。其中，出口52.17亿元，增长18.6%；进口34.18亿元。",
])
def test_last_years_components_are_weighed_only_at_current_prices_and_with_every_rate(text):
    assert [f for f in check(text, year=2018) if f.check == "sum"] == []


# consistent sentences on which the probes of bulletins and reports found false findings
PROBED_CONSISTENT = [
    # last year's rate in brackets after 比上年末 is of last year (it was a false error)
    "年末全省常住人口6127.00万人，其中城镇人口3664.56万人。常住人口城镇化率为59.81%，比上年末（59.27%）提高0.54个百分点。",
    # a list of changes after 其中 ends at the semicolon as a list of figures does
    "住户贷款余额43215.7亿元，比年初增加2356.2亿元，其中经营贷款增加1427.3亿元，消费贷款（含个人住房贷款）增加928.9亿元；"
    "企（事）业单位贷款余额73412.5亿元，比年初增加7702.3亿元。",
    # a whole named by the same words in another paragraph and with no period is not the
    # share's (the holiday's visitors for the year's)
    "国庆中秋假期8天共接待游客1268.5万人次，按可比口径同比增长6.5%。\n"
    "2023年全市接待国内外游客8652.36万人次。全年A级旅游景区接待游客4862.5万人次，占全市接待游客总数的56.2%。",
    # 同比多增 is how much more the balance rose than a year before, not a change of it
    "2022年9月末存款余额140528.6亿元，同比增长11.8%，比年初增加12687.3亿元，同比多增2143.6亿元。",
    # figures that describe the cities counted are no wholes of the 其中 after them
    "全省16个州（市）中，常住人口超过500万人的州（市）有2个，在300万人至500万人之间的有4个，"
    "在100万人至300万人之间的有7个，少于100万人的有3个。其中，昆明市常住人口8460088人，占全省的17.92%；"
    "曲靖市5765775人，占12.21%。",
    # averages are no parts: 城镇居民's is above 全体居民's
    "全年全体居民人均可支配收入28356元。其中，城镇居民人均可支配收入36218元，农村居民人均可支配收入18695元。",
    # nor wholes: the 其中 is of 31.2万户, not of the daily average
    "全省新登记市场主体31.2万户，日均新登记1143户，其中新登记企业7.9万户。",
    # age groups: the groups' bounds are no figures, each group is its own figure, and a
    # share after a group with a share of the total is of the total too
    "年末全市常住人口556.1万人。0—14岁人口97.8万人，占17.59%；15—59岁人口317.6万人，占57.11%；"
    "60岁及以上人口140.7万人，占25.30%，其中65岁及以上人口107.6万人，占19.35%。",
    # shares of two parts of one whole
    "一般贸易进出口8123.4亿元，占全省进出口总额的61.0%；对“一带一路”沿线国家进出口3934.6亿元，占全省进出口总额的29.6%。",
    # a list of years in a clause of its own before 分别
    "2018年、2019年和2020年，全市地区生产总值（现价）分别为2213.9亿元、2295.4亿元和2404.1亿元。",
    # the figure before 相比 is the base
    "2020年末全市常住人口345.6万人。与2010年第六次全国人口普查的361.6万人相比，十年共减少16.0万人，下降4.42%。",
    # a part of 民营企业进出口 is 民营企业's export, not the city's
    "上半年深圳进出口总值16707.0亿元。其中，出口9613.6亿元，同比增长13.2%。"
    "上半年，深圳民营企业进出口9168.5亿元，增长6.2%。其中，出口6235.8亿元，增长17.5%。"
    "上半年，深圳出口机电产品7215.6亿元，增长8.5%，占深圳出口总值的75.1%。",
    # 比一季度 is a base: the half year's parts stay the half year's
    "上半年全市地区生产总值2856.42亿元，同比增长5.8%，比一季度加快0.4个百分点。一季度全市地区生产总值1352.18亿元。"
    "上半年，第一产业增加值142.36亿元，第二产业增加值1198.73亿元，第三产业增加值1515.33亿元。",
    # gaps to other places' rates are not rates of the figure
    "2023年全市地区生产总值2856.42亿元，增长5.8%，比全国高0.8个百分点，比全省高0.5个百分点。",
    # a rate on the same basis is another fact
    "2023年全市社会消费品零售总额1006.8亿元，同比增长3.2%，按同口径计算增长4.5%。",
    # the whole of a share is of the part's period
    "2023年公司实现营业收入186.52亿元。第四季度营业收入52.36亿元。2023年末应收账款45.3亿元，占营业收入的24.3%。",
    # 其中 in brackets, and a list of parts with commas, end where they end
    "全市有博物馆38个（其中国家一级博物馆4个），乡镇综合文化站168个。",
    "研究生招生3.65万人，其中博士生0.42万人，硕士生3.23万人；在学研究生10.28万人。",
    # a 分别 list of rates pairs with the figures of its semicolon's clause
    "春节假期全市旅游收入42.6亿元；“五一”假期接待游客386.5万人次，旅游收入35.8亿元，按可比口径分别增长86.2%和92.5%。",
    # 人均地区生产总值 is per resident (常住人口), not per registered person (户籍人口)
    "2023年全县地区生产总值268.7亿元。年末常住人口65.9万人，户籍人口72.36万人。按常住人口计算，人均地区生产总值40766元。",
]


@pytest.mark.parametrize("text", PROBED_CONSISTENT)
def test_consistent_sentences_found_false_by_the_probes(text):
    assert check(text, year=2023) == []


def test_a_part_of_the_total_after_an_average_is_still_checked():
    findings = check("全省新登记市场主体31.2万户，日均新登记1143户，其中新登记企业37.9万户。", year=2019)
    assert [(f.check, f.claims) for f in findings] == [("part_vs_whole", findings[0].claims)]
    assert "31.2万户" in findings[0].message


def test_one_parts_share_stated_twice_still_conflicts():
    findings = check("2019年一般贸易进出口8123.4亿元，占全省进出口总额的61.0%。"
                     "2019年一般贸易进出口8123.4亿元，占全省进出口总额的59.0%。", year=2019)
    assert [f.check for f in findings] == ["conflicting_repeat"]


def test_a_qualified_wholes_part_is_still_weighed_against_it():
    findings = check("上半年，深圳民营企业进出口9168.5亿元，增长6.2%。其中，出口9235.8亿元，增长17.5%。", year=2020)
    assert [f.check for f in findings] == ["part_vs_whole"]


def test_values_after_a_list_of_years_get_their_years():
    result = PIPELINE.run_text("2018年、2019年和2020年，全市地区生产总值分别为2213.9亿元、2295.4亿元和2404.1亿元。",
                               reference_year=2020)
    assert [c.period for c in result.claims] == ["2018", "2019", "2020"]


def test_a_list_of_parts_before_a_semicolon_is_still_weighed():
    findings = check("研究生招生3.65万人，其中博士生0.42万人，硕士生4.23万人；在学研究生10.28万人。", year=2023)
    assert [f.check for f in findings] == ["part_vs_whole"] and "4.23万人" in findings[0].message


def test_a_share_of_trade_named_without_货物_is_of_the_goods_total():
    text = "2023年全省货物进出口总额13306.7亿元。一般贸易进出口8123.4亿元，占进出口总额的比重为{}%。"
    assert [f.check for f in check(text.format("60.8"), year=2023)] == ["share"]
    assert check(text.format("61.0"), year=2023) == []


@pytest.mark.parametrize("text,found", [
    ("全年举办展会156场，其中国际性展会12场；举办大型会议286场。", False),   # a new statement
    ("全年举办展会156场，其中国际性展会12场；国内展会164场。", True),        # another part
])
def test_a_其中_list_ends_where_a_new_statement_starts(text, found):
    assert [f.check for f in check(text, year=2023)] == (["part_vs_whole"] if found else [])


@pytest.mark.parametrize("share,found", [("42.0", False), ("36.3", True)])
def test_a_value_added_share_without_占_is_weighed(share, found):
    text = ("2023年全市实现地区生产总值2856.42亿元。其中，第一产业增加值142.36亿元，第二产业增加值1198.73亿元，"
            f"第三产业增加值1515.33亿元。第一产业增加值比重为5.0%，第二产业增加值比重为{share}%，第三产业增加值比重为53.0%。")
    findings = check(text, year=2023)
    assert [f.check for f in findings] == (["derived"] if found else [])
    if found:
        assert findings[0].message.startswith("派生比率不符（value_added_secondary_share）")


@pytest.mark.parametrize("body,line,words", [
    ("id: bad\nratios:\n  - {id: r, names: [结构], metrics: [gdp, nope]}\n", 3, "unknown metric 'nope'"),
    ("id: bad\nratios:\n  - {id: r, names: [结构], metrics: [gdp, export]}\n"
     "  - {id: r, names: [比例], metrics: [gdp, import]}\n", 4, "ratio id 'r' already defined"),
    ("id: bad\nratios:\n  - {id: r, names: [结构], metrics: [gdp]}\n", 3, "too short"),
])
def test_bad_ratio_rows_name_file_and_line(tmp_path, body, line, words):
    path = write_rules(tmp_path, body)
    with pytest.raises(RuleError) as info:
        load_rules([path])
    assert str(info.value).startswith(f"{path}:{line}") and words in str(info.value)


def test_a_ratio_row_in_a_rule_file(tmp_path):
    body = ("id: labour\nmetrics:\n"
            "  - {id: employed_primary_share, names: [第一产业就业比重], dimension: percent, role: share}\n"
            "  - {id: employed_other_share, names: [非农就业比重], dimension: percent, role: share}\n"
            "ratios:\n  - {id: employment_structure, names: [就业结构], metrics: [employed_primary_share, employed_other_share]}\n")
    rules = load_rules([write_rules(tmp_path, body)])
    pipeline = Pipeline(rules)
    result = pipeline.run_text("2010年全市就业结构为30.5:70.5。", reference_year=2010)
    assert [(c.text, c.metric) for c in result.claims] == [("30.5", "employed_primary_share"),
                                                         ("70.5", "employed_other_share")]
    (finding,) = run_checks(result, rules=rules)
    assert finding.check == "sum" and "employment_structure" in finding.message
    assert finding.gap == pytest.approx(0.9)
    assert run_checks(pipeline.run_text("2010年全市就业结构为30.5:69.5。", reference_year=2010), rules=rules) == []


@pytest.mark.parametrize("current,rate,found", [
    ("6900万人次", "增长1.3倍", False),    # 2.3 times 3000万: 增长1.3倍 as releases count it
    ("4500万人次", "增长0.5倍", False),
    ("5000万人次", "增长1.3倍", True),     # 1.67 times
    ("3900万人次", "增长1.3倍", True),     # 1.3 times the prior is 增长0.3倍 (or 是上年的1.3倍)
])
def test_growth_in_multiples_of_the_prior(current, rate, found):
    text = f"2023年全市接待游客{current}，比上年{rate}。2022年全市接待游客3000万人次。"
    findings = check(text, year=2023)
    assert [f.check for f in findings] == (["implied_prior"] if found else [])
    if found:
        assert "倍" in findings[0].message


@pytest.mark.parametrize("text,found", [
    ("全年全省居民人均可支配收入20865元，比上年增长7.3%，其中工资性收入8236元，经营净收入6952元，"
     "财产净收入356元，转移净收入5321元。", False),
    ("城镇居民人均可支配收入40120元，比上年增长5.1%。农村居民人均可支配收入15204元，比上年增长6.8%，"
     "其中工资性收入6012元，经营净收入5037元，财产净收入311元，转移净收入3144元。", True),   # 14504
    ("城镇居民人均可支配收入40120元，比上年增长5.1%。农村居民人均可支配收入14504元，比上年增长6.8%，"
     "其中工资性收入6012元，经营净收入5037元，财产净收入311元，转移净收入3144元。", False),
    ("农民人均纯收入5126元，其中工资性收入2106元，家庭经营纯收入2512元，财产性收入126元，转移性收入382元。", False),
    ("农民人均纯收入5126元，其中工资性收入2106元，家庭经营纯收入2512元，财产性收入126元，转移性收入442元。", True),
])
def test_disposable_income_is_the_sum_of_its_sources(text, found):
    findings = check("2023年" + text, year=2023)
    assert [f.check for f in findings] == (["sum"] if found else [])
    if found:
        assert "income_by_source" in findings[0].message


@pytest.mark.parametrize("text,checks", [
    # 总人口 beside 常住人口 is the registered population: per head is per resident
    ("2016年全省生产总值40471.8亿元，人均生产总值42574元。年末全省总人口10788万人；常住人口9532.42万人。", []),
    ("2016年全省生产总值40471.8亿元，人均生产总值37515元。年末全省总人口10788万人；常住人口9532.42万人。",
     ["derived"]),
    ("2016年全省生产总值40471.8亿元，人均生产总值37515元。年末全省总人口10788万人。", []),
    # rates of the resident population, as Beijing names them
    ("2016年全年常住人口出生率为5.63‰，死亡率为5.67‰，常住人口自然增长率为-0.04‰。", []),
    ("2016年全年常住人口出生率为5.63‰，死亡率为5.67‰，常住人口自然增长率为-0.64‰。", ["sum"]),
    ("2016年全年常住人口出生率为6.23‰，死亡率为5.67‰，常住人口自然增长率为-0.04‰。", ["sum"]),
])
def test_the_resident_population_where_a_bulletin_names_it(text, checks):
    assert [f.check for f in check(text, year=2016)] == checks


@pytest.mark.parametrize("text", [
    # the components of a total in its sentence first: the registered population's rates
    # come after the resident one's total
    "全年人口出生率4.11‰，人口死亡率7.03‰，人口自然增长率-2.92‰。全年户籍人口出生率3.62‰，死亡率7.41‰，自然增长率-3.79‰。",
    "出口20345.7亿元，增长5.1%；进口13454.5亿元，增长2.3%；贸易顺差6891.2亿元。从市场看，对东盟进出口4712.6亿元，"
    "其中出口3120.5亿元，进口1592.1亿元。",
    # a part after 其中 of a metric no rule puts under the whole is not its part
    "全年贸易逆差508.9亿元，比上年扩大102.2亿元。其中，对俄罗斯进出口512.3亿元。",
    "全年全体居民人均可支配收入37452元，人均工资性收入22184元，人均经营净收入5218元，人均财产净收入1326元，"
    "人均转移净收入8724元。城镇居民人均可支配收入44128元。",
])
def test_consistent_bulletin_sentences_of_the_second_probe(text):
    assert check("2022年" + text, year=2022) == []


@pytest.mark.parametrize("change,found", [("下降0.33个千分点", False), ("下降0.53个千分点", True)])
def test_a_change_in_permille_points_implies_last_years_rate(change, found):
    findings = check(f"2023年全年人口出生率为8.85‰，比上年{change}。2022年人口出生率为9.18‰。", year=2023)
    assert [f.check for f in findings] == (["implied_prior"] if found else [])
    if found:
        assert findings[0].expected_interval == pytest.approx([9.37, 9.39])   # 8.85 + 0.53, each ± 0.005


@pytest.mark.parametrize("text", [
    # the third probe's sentences: an aside's rate keeps its year, an average annual rate
    # is not one year's growth, 其中 ends at a new statement after ；, the start of
    # 由X增加到Y with no year is not the figure stated again
    "2023年末全区常住人口729.0万人，比上年末增加0.6万人。其中，城镇常住人口497.6万人，常住人口城镇化率为68.26%（上年为67.64%）。",
    "2021年一般公共预算收入351.4亿元，增长10.7%。五年来，一般公共预算收入由261.5亿元增加到351.4亿元，年均增长6.1%。",
    "2021年全年新签约亿元以上项目412个，其中10亿元以上项目86个；实施省市重点项目1108个。",
    "2020年平均每个家庭户的人口为2.76人，比2010年第六次全国人口普查的3.07人减少0.31人。",
])
def test_consistent_bulletin_sentences_of_the_third_probe(text):
    assert check(text, year=2023) == []


@pytest.mark.parametrize("text,year", [
    ("宁夏回族自治区2023年国民经济和社会发展统计公报\n\n宁夏回族自治区统计局\n2024年4月\n\n全年增长5%。", 2023),
    ("2023年统计公报\n2024年4月28日\n", 2023),
    ("2024年4月，全市进出口增长5%。", 2024),      # a month of the text's own, not a dateline
])
def test_a_dateline_is_not_the_year_reported_on(text, year):
    from factcheck.link import infer_reference_year

    assert infer_reference_year(text) == year


@pytest.mark.parametrize("text,checks", [
    # 猪牛羊禽肉 is the four kinds; 肉类总产量 held other meat too until 2019: no sum of them
    ("全年猪牛羊禽肉产量9641万吨，比上年增长4.5%。其中，猪肉产量5794万吨，增长4.6%；牛肉产量753万吨，增长4.8%；"
     "羊肉产量531万吨，增长1.3%；禽肉产量2563万吨，增长4.9%。", []),
    ("全年猪牛羊禽肉产量9641万吨。其中，猪肉产量5794万吨；牛肉产量753万吨；羊肉产量531万吨；禽肉产量2663万吨。", ["sum"]),
    ("全年肉类总产量682.8万吨，下降1.9%。其中，猪肉产量434.0万吨，牛肉产量83.4万吨，羊肉产量26.1万吨，禽肉产量127.2万吨。", []),
])
def test_meat_by_kind(text, checks):
    assert [f.check for f in check("2023年" + text, year=2023)] == checks


def test_what_no_later_check_reads_is_let_go_and_nothing_changes(monkeypatch):
    """`Context.keep_caches` after each check (a module's CACHES): the sums' components of
    every total no longer held where `conflicting_repeat` runs, the findings the same as
    with every entry kept."""
    import factcheck.checks as checks_module
    from factcheck.checks import conflicting_repeat
    from factcheck.checks.base import Context

    fixtures = Path(__file__).parent.parent / "fixtures" / "checks"
    texts = [path.read_text(encoding="utf-8") for path in sorted(fixtures.glob("*_fail.hans.txt"))]
    assert len(texts) >= 10
    dropped = [[f.to_json() for f in run_checks(PIPELINE.run_text(t))] for t in texts]
    held_at_conflicts = []
    run_conflicts = conflicting_repeat.run
    monkeypatch.setattr(conflicting_repeat, "run", lambda ctx: (held_at_conflicts.append(len(ctx.cache)),
                                                                run_conflicts(ctx))[1])
    run_checks(PIPELINE.run_text((fixtures / "sum_fail.hans.txt").read_text(encoding="utf-8")))
    assert held_at_conflicts == [0]
    monkeypatch.setattr(Context, "keep_caches", lambda self, kinds: None)
    kept = [[f.to_json() for f in run_checks(PIPELINE.run_text(t))] for t in texts]
    assert kept == dropped and any(kept)
    held_at_conflicts.clear()
    run_checks(PIPELINE.run_text((fixtures / "sum_fail.hans.txt").read_text(encoding="utf-8")))
    assert held_at_conflicts[0] > 0   # the sum's components, when nothing is let go
    assert checks_module.CHECKS.index(conflicting_repeat) > checks_module.CHECKS.index(checks_module.sum_check)


# Round 7 of realistic documents (transport, finance, real estate, environment, an
# interview in Traditional characters with pinyin): consistent sentences that drew
# false errors, each with the reason in a comment.
CONSISTENT_ROUND_7 = [
    # 亿人公里 was read as 亿人: passenger turnover weighed against passengers carried
    "2021年，铁路、公路、水路、民航分别完成旅客周转量9567.81亿人公里、3627.54亿人公里、33.11亿人公里和"
    "6529.69亿人公里，分别增长15.7%、下降21.8%、增长0.1%和增长2.9%。民航完成旅客运输量4.41亿人，"
    "比上年的4.18亿人增长5.5%。",
    # 同比多增 is how much more a balance rose than a year before: no whole of the 其中 list
    "全省社会融资规模增量9865.3亿元，同比多增1203.6亿元。其中，对实体经济发放的人民币贷款增加6012.5亿元；"
    "企业债券融资净增加1286.4亿元；政府债券净融资2025.8亿元。",
    # 比9月末 is the change's own base: not the year-on-year rate's
    "10月末，商品房待售面积54233万平方米，比9月末增加524万平方米，同比增长10.6%。",
    # the GDP in brackets is the share's whole, not the 其中 list's
    "全社会环境保护投入86.4亿元，比上年的79.5亿元增长8.7%，占全市地区生产总值（5332.6亿元）的比重为1.62%。"
    "其中，污染治理投资41.3亿元，占47.8%；城市环境基础设施建设投资35.6亿元，占41.2%；生态保护与修复投入9.5亿元，占11.0%。",
    # two figures no words name, of two quantities of one metric (urban and rural income)
    "2010年，城鎮居民人均可支配收入由上年的13122元增加到14736元，農民人均純收入5862元。"
    "2011年，農民人均純收入增長(zhǎng)15%，達到6740元。",
]


@pytest.mark.parametrize("text", CONSISTENT_ROUND_7, ids=[t[:12] for t in CONSISTENT_ROUND_7])
def test_consistent_sentences_of_round_7_draw_no_finding(text):
    assert [(f.check, f.message) for f in check(text, year=None)] == []   # the year from the text


@pytest.mark.parametrize("text, expected", [
    # a prior named by its year, as by 上年
    ("2023年全年社会消费品零售总额4065亿元，比2022年的3498亿元增长18.2%。", "growth_vs_prior"),
    ("零售業總銷貨價值4,065億元，較2022年的3,498億元上升18.2%。", "growth_vs_prior"),
    # the farmers' own prior, not the urban residents' figure stated nearer
    ("2010年，城镇居民人均可支配收入由上年的13122元增加到14736元，农村居民人均可支配收入5862元。"
     "2011年，农村居民人均可支配收入增长25%，达到6740元。", "implied_prior"),
])
def test_round_7_errors_are_found(text, expected):
    assert [f.check for f in check(text, year=2023)] == [expected]


@pytest.mark.parametrize("text, expected", [
    # round 8: a bare share after a 其中 part is of the whole its container's share names
    ("年末常住人口556.2万人。60岁及以上人口140.7万人，占常住人口的25.30%，其中65岁及以上人口107.6万人，占19.35%。",
     []),
    ("年末常住人口556.2万人。60岁及以上人口140.7万人，占常住人口的25.30%，其中65岁及以上人口107.6万人，占21.35%。",
     ["share"]),
    ("年末常住人口556.2万人。60岁及以上人口140.7万人，占25.30%，其中65岁及以上人口107.6万人，占19.35%。", []),
    # the year before named by its number is a year-on-year base, as 上年 is
    ("2023年全县一般公共预算收入186427万元。2024年全县一般公共预算收入197613万元，比2023年增长6.0%。", []),
    ("2023年全县一般公共预算收入186427万元。2024年全县一般公共预算收入197613万元，比2023年增长7.0%。",
     ["implied_prior"]),
    ("2010年全县一般公共预算收入86427万元。2024年全县一般公共预算收入197613万元，比2010年增长128.6%。", []),
])
def test_round_8_shares_of_a_named_whole_and_years_named(text, expected):
    assert [f.check for f in check(text, year=None)] == expected


@pytest.mark.parametrize("text, expected", [
    # a part of the list before is no whole of the next list (研究生 by degree, twice)
    ("研究生招生3.18万人，其中博士生0.41万人，硕士生2.77万人；在学研究生9.04万人，其中博士生1.67万人，"
     "硕士生7.37万人；毕业研究生2.46万人。", []),
    ("进口3.18万吨，其中大豆2.77万吨。出口9.04万吨，其中大豆7.37万吨。", []),
    ("进口3.18万吨，其中大豆2.77万吨。出口9.04万吨，其中大豆9.37万吨。", ["part_vs_whole"]),
    # but a list within the list (其中…，其中…) still has its whole right before it
    ("全年出口额125.6亿元，其中机电产品出口62.3亿元，其中手机出口70.1亿元。", ["part_vs_whole"]),
])
def test_a_part_of_one_list_is_no_whole_of_the_next(text, expected):
    assert [f.check for f in check(text, year=None)] == expected


@pytest.mark.parametrize("text, parts", [
    # a figure named as the list's whole but for its first words is the whole's sibling
    ("轻工业增加值327.64亿元，增长5.1%，其中食品工业128.37亿元，增长6.2%；重工业增加值1384.94亿元，增长6.8%。",
     [("128.37亿元", "327.64亿元")]),
    # the next item of a list of one per segment goes on
    ("全年进出口总额123.4亿元，其中，出口78.9亿元，增长5.2%；进口44.5亿元，增长3.1%。",
     [("78.9亿元", "123.4亿元"), ("44.5亿元", "123.4亿元")]),
    ("年末常住人口556.2万人，其中城镇人口312.3万人；乡村人口243.9万人。",
     [("312.3万人", "556.2万人"), ("243.9万人", "556.2万人")]),
])
def test_a_sibling_of_the_whole_ends_a_list_of_one(text, parts):
    result = PIPELINE.run_text(text)
    texts = {c.id: c.text for c in result.claims}
    assert [(texts[p.part], texts[p.whole]) for p in result.links.parts if p.cue == "其中"] == parts
    assert run_checks(result) == []
