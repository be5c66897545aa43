"""The dashboard (``--format html``) opened from disk in headless Chromium: no console error,
one row per unit and one cell per rule, the department control hides the other departments'
columns, the filters and sorting work, a click on a failing cell shows its message, the print
stylesheet applies (A4 landscape, header rows repeated), no serious or critical axe-core
violation, and untrusted text shows as text with no script of its own running."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kl21rules.cli import app

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
THPT = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
PAYLOAD = '<script>window.__pwned=1</script>"\'</td><img src=x onerror="window.__pwned=2">'


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.stdout


def build(tmp_path: Path, *args: str, name: str = "tonghop.html") -> Path:
    out = tmp_path / name
    run("check", *args, "--format", "html", "--output", str(out))
    assert out.exists()
    return out


class Opened:
    def __init__(self, page: Any, messages: list[tuple[str, str]]) -> None:
        self.page, self.messages = page, messages

    def errors(self) -> list[tuple[str, str]]:
        return [m for m in self.messages if m[0] in ("error", "pageerror")]


def open_page(browser: Any, path: Path, *, bypass_csp: bool = False, width: int = 1400) -> Opened:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    messages: list[tuple[str, str]] = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready]")
    assert all(u.startswith("file:") for u in requests), requests  # nothing fetched
    return Opened(page, messages)


@pytest.fixture(scope="module")
def samples_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("dash"), str(SAMPLES), "--as-of", "2023-11-15", "--trend", "quarter")


@pytest.fixture()
def opened(browser: Any, samples_page: Path) -> Iterator[Opened]:
    o = open_page(browser, samples_page)
    yield o
    o.page.context.close()


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run("check", str(SAMPLES), "--as-of", "2023-11-15", "--format", "json"))
    rules = json.loads(run("rules", "--format", "json"))
    return {"report": data, "rules": rules}


def visible_rule_heads(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(
        "#m tr.rules th.r", "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.textContent)"))


def test_loads_without_console_errors_one_row_per_unit_one_cell_per_rule(
        opened: Opened, expected: dict[str, Any], artifacts: Path) -> None:
    page = opened.page
    units = [f["unit"]["id"] for f in expected["report"]["files"]]
    rows = page.eval_on_selector_all("#m tbody tr", "rs => rs.map(r => [r.querySelector('.ui').textContent, r.cells.length])")
    assert [r[0].split(" · ")[0] for r in rows] == units
    assert all(n == 1 + len(expected["rules"]) for _, n in rows)  # the unit's header and a cell per rule
    assert sorted(visible_rule_heads(page)) == sorted(r["id"] for r in expected["rules"])
    assert page.text_content("#shown") == f"Đang hiện {len(units)}/{len(units)} đơn vị"
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert opened.errors() == []


def test_department_control_shows_only_its_rules(opened: Opened, expected: dict[str, Any], artifacts: Path) -> None:
    page = opened.page
    own = sorted(r["id"] for r in expected["rules"] if r["pack"] == "tochuc")
    page.check('input[name="dept"][value="tochuc"]')
    assert sorted(visible_rule_heads(page)) == own
    # every row shows its unit and exactly the department's cells
    shown = page.eval_on_selector_all(
        "#m tbody tr", "rs => rs.map(r => Array.from(r.cells).filter(c => getComputedStyle(c).display !== 'none').length)")
    assert set(shown) == {1 + len(own)}
    groups = page.eval_on_selector_all(
        "#m tr.packs th", "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.dataset.p)")
    assert groups == ["tochuc"]
    page.screenshot(path=str(artifacts / "dashboard-tochuc.png"))
    page.check('input[name="dept"][value=""]')
    assert len(visible_rule_heads(page)) == len(expected["rules"])
    # keyboard: arrow keys move between the radio buttons
    page.focus('input[name="dept"][value=""]')
    page.keyboard.press("ArrowRight")
    assert len(visible_rule_heads(page)) < len(expected["rules"])
    assert opened.errors() == []


def test_filters_by_kind_status_and_name_and_sorting(opened: Opened, expected: dict[str, Any]) -> None:
    page = opened.page
    files = expected["report"]["files"]

    def visible_units() -> list[str]:
        return list(page.eval_on_selector_all(
            "#m tbody tr", "rs => rs.map(r => r.querySelector('.ui').textContent.split(' · ')[0])"))

    page.select_option("#f-kind", "dang_bo_co_so")
    assert visible_units() == [f["unit"]["id"] for f in files if f["unit"]["kind"] == "dang_bo_co_so"]
    page.select_option("#f-kind", "")
    page.select_option("#f-status", "f")  # units with a failing cell
    with_fail = [f["unit"]["id"] for f in files if any(x["status"] == "fail" for x in f["findings"])]
    assert visible_units() == with_fail and with_fail
    # a status filter looks at the chosen department's rules only
    page.check('input[name="dept"][value="doanthe"]')
    doanthe = {r["id"] for r in expected["rules"] if r["pack"] == "doanthe"}
    assert visible_units() == [f["unit"]["id"] for f in files
                               if any(x["status"] == "fail" and x["rule"] in doanthe for x in f["findings"])]
    page.check('input[name="dept"][value=""]')
    page.select_option("#f-status", "")
    page.fill("#f-q", "sở y")
    assert visible_units() == ["KCQ.SYT"]
    page.fill("#f-q", "")
    page.select_option("#f-sort", "fail")
    order = visible_units()
    fails = {f["unit"]["id"]: sum(x["status"] in ("fail", "error") for x in f["findings"]) for f in files}
    assert [fails[u] for u in order] == sorted(fails.values(), reverse=True)
    page.select_option("#f-sort", "")
    assert visible_units() == [f["unit"]["id"] for f in files]
    assert opened.errors() == []


def test_clicking_a_failing_cell_shows_its_findings(opened: Opened, expected: dict[str, Any], artifacts: Path) -> None:
    page = opened.page
    cell = page.locator("#m tbody td.f").first
    unit, rule = page.evaluate("""td => {
        const tr = td.parentNode;
        const head = document.querySelectorAll('#m tr.rules th.r')[td.cellIndex - 1];
        return [tr.querySelector('.ui').textContent.split(' · ')[0], head.textContent];
    }""", cell.element_handle())
    cell.click()
    dialog = page.locator("#dlg")
    assert dialog.is_visible()
    text = dialog.inner_text()
    file = next(f for f in expected["report"]["files"] if f["unit"]["id"] == unit)
    findings = [x for x in file["findings"] if x["rule"] == rule]
    assert any(x["status"] == "fail" for x in findings)
    for x in findings:
        assert x["message"] in text
        assert all(p in text for p in x["evidence"])
    assert rule in text and "Kế hoạch 40-KH/ĐUK, mục" in text
    page.screenshot(path=str(artifacts / "dashboard-details.png"))
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # keyboard: the matrix is one tab stop; focus came back to the cell, arrows move, Enter opens
    assert page.evaluate("document.activeElement.tagName") == "TD"
    assert page.evaluate("document.querySelectorAll('#m td[tabindex]').length") == 1
    page.keyboard.press("Enter")
    assert dialog.is_visible() and rule in page.inner_text("#dlg-t")
    page.click("#dlg-x")
    assert not dialog.is_visible()
    page.keyboard.press("ArrowRight")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    nxt = page.evaluate("document.querySelectorAll('#m tr.rules th.r')[document.activeElement.cellIndex - 1].textContent")
    assert nxt != rule and label.startswith(nxt + ": ")
    page.keyboard.press("Enter")
    assert dialog.is_visible() and nxt in page.inner_text("#dlg-t")
    page.keyboard.press("Escape")
    assert opened.errors() == []


def test_print_stylesheet(opened: Opened, artifacts: Path) -> None:
    page = opened.page
    page.emulate_media(media="print")
    style = page.evaluate("""() => ({
        controls: getComputedStyle(document.querySelector('fieldset.controls')).display,
        thead: getComputedStyle(document.querySelector('#m thead')).display,
        sticky: getComputedStyle(document.querySelector('#m thead th')).position,
        scroll: getComputedStyle(document.querySelector('.scroll')).overflow,
        page: Array.from(document.styleSheets[0].cssRules).filter(r => r instanceof CSSPageRule).map(r => r.style.size),
    })""")
    assert style == {"controls": "none", "thead": "table-header-group", "sticky": "static", "scroll": "visible",
                     "page": ["a4 landscape"]}
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    path = artifacts / "dashboard.pdf"
    path.write_bytes(pdf)
    assert b"/MediaBox [0 0 841.91998 594.95996]" in pdf or b"/MediaBox [0 0 842 595]" in pdf  # A4 landscape
    page.emulate_media(media="screen")
    assert page.evaluate("getComputedStyle(document.querySelector('fieldset.controls')).display") != "none"


def test_axe_finds_no_serious_or_critical_violation(browser: Any, samples_page: Path, axe_source: str) -> None:
    o = open_page(browser, samples_page, bypass_csp=True)  # the page's CSP would refuse axe's script
    try:
        o.page.add_script_tag(content=axe_source)
        for dept in ("", "ubkt"):
            o.page.check(f'input[name="dept"][value="{dept}"]')
            result = o.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert result["testEngine"]["name"] == "axe-core" and result["passes"]
            bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert bad == [], bad
        o.page.check('input[name="dept"][value=""]')
        o.page.locator("#m tbody td.f").first.click()
        result = o.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], bad
    finally:
        o.page.context.close()


def test_untrusted_text_shows_as_text_and_runs_nothing(browser: Any, tmp_path: Path, artifacts: Path) -> None:
    data = yaml.safe_load(THPT.read_text(encoding="utf-8"))
    data["unit"]["name"] = "Chi bộ " + PAYLOAD
    data["activities"][0]["id"] = "QT-" + PAYLOAD  # appears in KL21-02's message
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    o = open_page(browser, build(tmp_path, str(evil)))
    page = o.page
    try:
        assert page.evaluate("window.__pwned") is None
        assert page.text_content("#m tbody .un") == "Chi bộ " + PAYLOAD
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert page.evaluate("document.querySelectorAll('script').length") == 3
        assert page.evaluate("document.querySelectorAll('#m tbody tr')[0].cells.length") == 1 + len(
            json.loads(run("rules", "--format", "json")))
        page.locator("#m tbody td").nth(1).click()  # KL21-02: its message names the activity
        text = page.inner_text("#dlg")
        assert "QT-" + PAYLOAD in text and page.evaluate("window.__pwned") is None
        page.screenshot(path=str(artifacts / "dashboard-injection.png"))
        assert o.errors() == []
    finally:
        page.context.close()


def test_a_large_batch_draws_rows_as_scrolled_and_filters_them_all(browser: Any, tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    folder = tmp_path / "units"
    generate.generate(230, folder, seed=3)
    data = json.loads(run("check", str(folder), "--as-of", "2024-06-30", "--format", "json"))
    units = [f["unit"]["id"] for f in data["files"] if f["unit"]]
    assert len(units) == 230
    o = open_page(browser, build(tmp_path, str(folder), "--as-of", "2024-06-30"))
    page = o.page
    try:
        def drawn() -> list[str]:
            return list(page.eval_on_selector_all(
                "#m tbody tr", "rs => rs.map(r => r.querySelector('.ui').textContent.split(' · ')[0])"))

        assert drawn() == units[:200]
        assert page.text_content("#shown") == "Đang hiện 230/230 đơn vị"
        page.evaluate("document.querySelector('.scroll').scrollTop = 1e9")
        page.wait_for_function("document.querySelectorAll('#m tbody tr').length === 230")
        assert drawn() == units
        # a filter and a sort see the rows that were never drawn too
        kind = [f["unit"]["id"] for f in data["files"] if f["unit"]["kind"] == "chi_bo_truc_thuoc"]
        page.select_option("#f-kind", "chi_bo_truc_thuoc")
        assert drawn() == kind and page.text_content("#shown") == f"Đang hiện {len(kind)}/230 đơn vị"
        page.select_option("#f-kind", "")
        page.select_option("#f-sort", "fail")
        fails = {f["unit"]["id"]: sum(x["status"] in ("fail", "error") for x in f["findings"]) for f in data["files"]}
        top = drawn()
        assert len(top) == 200 and [fails[u] for u in top] == sorted(fails.values(), reverse=True)[:200]
        # keyboard: moving down past the last drawn row draws more
        page.locator("#m tbody tr").nth(199).locator("td").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowDown")
        assert len(drawn()) == 230
        assert o.errors() == []
    finally:
        page.context.close()
