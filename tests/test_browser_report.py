"""The HTML report in a real browser: Debian's chromium, headless, driven by playwright.

Skipped (with the reason) when playwright or /usr/bin/chromium is missing, unless
FACTCHECK_REQUIRE_BROWSER=1 (as in .ci/run), where that is a failure. No browser is
downloaded: playwright drives the system's chromium."""
import os

import pytest

from conftest import FIXTURES, SEED

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REQUIRED = os.environ.get("FACTCHECK_REQUIRE_BROWSER") == "1"
WITH_FINDINGS = FIXTURES / "checks" / "direction_fail.hans.txt"


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (FACTCHECK_REQUIRE_BROWSER=1)")
    pytest.skip(f"{reason}; install Debian's chromium (apt-get install chromium) to run the browser test")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} not found")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_report(browser, tmp_path, *sources):
    from factcheck import analyze

    analysis = analyze(list(sources))
    out = tmp_path / "report.html"
    analysis.write_html(str(out))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems, requests = [], []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: requests.append(req.url))
    page.goto(out.as_uri())
    page.wait_for_selector("mark[data-claim]", state="attached")
    return analysis, page, problems, requests, out.as_uri()


MARKS_JS = """() => [...document.querySelectorAll('.raw mark[data-claim]')].map(m => {
    const style = getComputedStyle(m);
    return [m.dataset.claim, m.textContent, style.backgroundColor, m.className];
})"""


def test_seed_every_claim_highlighted_and_a_click_shows_its_value(browser, tmp_path):
    analysis, page, problems, requests, url = open_report(browser, tmp_path, SEED)
    doc = analysis.documents[0]
    try:
        assert page.eval_on_selector(".raw", "el => el.textContent") == doc.raw
        marks = page.evaluate(MARKS_JS)
        assert [m[0] for m in marks] == [c.id for c in doc.result.claims]
        assert [m[1] for m in marks] == [doc.raw[c.start:c.end] for c in doc.result.claims]
        transparent = [m for m in marks if m[2] in ("rgba(0, 0, 0, 0)", "transparent")]
        assert transparent == []                             # every figure is visibly marked
        gdp = next(c for c in doc.result.claims if c.text.startswith("14151.3"))
        page.click(f'mark[data-claim="{gdp.id}"]')
        details = page.inner_text("#details")
        assert "1,415,130,000,000 CNY" in details and "2009" in details and "gdp" in details
        assert page.eval_on_selector(f'mark[data-claim="{gdp.id}"]', "m => m.classList.contains('selected')")
        page.screenshot(path=str(tmp_path / "seed-report.png"))
        assert (tmp_path / "seed-report.png").stat().st_size > 10_000
        assert problems == [] and requests == [url]          # no script error, nothing fetched
    finally:
        page.close()


def test_clicking_a_finding_marks_its_span(browser, tmp_path):
    analysis, page, problems, requests, url = open_report(browser, tmp_path, WITH_FINDINGS)
    result, raw = analysis.results[0], analysis.documents[0].raw
    finding = result.findings[1]
    try:
        assert page.eval_on_selector_all(".active", "els => els.length") == 0
        page.click(f'li.finding[data-finding="{finding.id}"] button')
        active = page.eval_on_selector_all("mark.active", "ms => ms.map(m => m.dataset.claim)")
        assert sorted(active) == sorted(finding.claims)
        # the whole span, from the first claim to the last, is highlighted
        span = page.evaluate("() => [...CSS.highlights.get('fc-finding')].map(r => r.toString())")
        assert span == [raw[finding.start:finding.end]]
        assert page.eval_on_selector(f'li.finding[data-finding="{finding.id}"]',
                                     "li => li.classList.contains('current')")
        assert finding.message in page.inner_text("#details")
        page.screenshot(path=str(tmp_path / "finding-report.png"))
        # another finding moves the marks
        other = result.findings[0]
        page.click(f'li.finding[data-finding="{other.id}"] button')
        active = page.eval_on_selector_all("mark.active", "ms => ms.map(m => m.dataset.claim)")
        assert sorted(active) == sorted(other.claims)
        # n / p step through the findings in the panel's order
        page.keyboard.press("n")
        assert page.get_attribute("li.finding.current", "data-finding") == result.findings[1].id
        page.keyboard.press("p")
        page.keyboard.press("p")
        assert page.get_attribute("li.finding.current", "data-finding") == result.findings[-1].id
        page.click(f'li.finding[data-finding="{other.id}"] button')
        # filters: errors unchecked, the error marks lose their colour and the findings hide
        page.uncheck('.filter-severity[value="error"]')
        marks = {m[0]: m for m in page.evaluate(MARKS_JS)}
        flagged = set(finding.claims) | set(other.claims)
        assert all(marks[c][2] == "rgba(0, 0, 0, 0)" for c in flagged)
        assert not page.is_visible(f'li.finding[data-finding="{finding.id}"]')
        page.check('.filter-severity[value="error"]')
        assert page.is_visible(f'li.finding[data-finding="{finding.id}"]')
        # filter by metric: only that metric's marks keep their colour, its findings and chart stay
        page.select_option("#filter-metric", "export")
        marks = page.evaluate(MARKS_JS)
        metric = {c.id: c.metric for c in result.claims}
        assert {m[0] for m in marks if m[2] != "rgba(0, 0, 0, 0)"} == {c for c, m in metric.items() if m == "export"}
        shown = page.eval_on_selector_all("li.finding", "ls => ls.filter(l => l.offsetParent).map(l => l.dataset.finding)")
        assert shown == [f.id for f in result.findings if any(metric[c] == "export" for c in f.claims)]
        charts = page.eval_on_selector_all("figure.chart", "fs => fs.filter(f => f.offsetParent).map(f => f.dataset.metric)")
        assert charts == ["export"]
        assert problems == [] and requests == [url]
    finally:
        page.close()
