"""``--format html``: the dashboard as text — one row per unit and one cell per rule holding the
worst status of the JSON report's findings, escaping of untrusted values, the script allowed by
its hash, determinism, --jobs, --lang en and --trend against runs as of each period end.
(The page in a real browser: tests/browser/.)"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from kl21rules.cli import app
from kl21rules.matrix import WORST_FIRST
from kl21rules.trend import period_ends

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
THPT = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
CLASS = {"pass": "p", "late": "l", "fail": "f", "pending": "w", "not_applicable": "n", "error": "e"}
PAYLOAD = '<script>window.__pwned=1</script>"\'</td><img src=x onerror="window.__pwned=2">'


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def page(*args: str) -> str:
    result = invoke("check", *args, "--format", "html")
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def report(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(invoke("check", *args, "--format", "json").stdout)
    return data


class Matrix(HTMLParser):
    """The matrix's column headers and body rows: (unit id text, [cell classes])."""

    def __init__(self) -> None:
        super().__init__()
        self.rules: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []
        self._in_table = self._in_body = self._in_rule_head = False
        self._th: list[str] | None = None
        self._ui = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == "m":
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tbody":
            self._in_body = True
        elif tag == "th" and a.get("class") == "r":
            self._in_rule_head = True
        elif tag == "tr" and self._in_body:
            self.rows.append(("", []))
        elif tag == "td" and self._in_body:
            self.rows[-1][1].append(a.get("class") or "")
        elif tag == "span" and a.get("class") == "ui" and self._in_body:
            self._ui = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "th":
            self._in_rule_head = False
        elif tag == "span":
            self._ui = False

    def handle_data(self, data: str) -> None:
        if self._in_rule_head and data.strip():
            self.rules.append(data.strip())
        elif self._ui:
            unit, cells = self.rows[-1]
            self.rows[-1] = (unit + data.split(" · ")[0], cells)


def parse(html: str) -> Matrix:
    m = Matrix()
    m.feed(html)
    return m


def worst(statuses: list[str]) -> str:
    return min(statuses, key=WORST_FIRST.index)


def test_one_row_per_unit_one_cell_per_rule_with_the_worst_status() -> None:
    html = page(str(SAMPLES), "--as-of", "2023-06-30")
    data = report(str(SAMPLES), "--as-of", "2023-06-30")
    m = parse(html)
    rules = json.loads(invoke("rules", "--format", "json").stdout)
    assert sorted(m.rules) == sorted(r["id"] for r in rules) and len(m.rules) == len(set(m.rules))
    # columns grouped by pack: each pack's rules side by side
    packs = [next(r["pack"] for r in rules if r["id"] == rid) for rid in m.rules]
    assert all(packs.index(p) == i or packs[i - 1] == p for i, p in enumerate(packs))
    assert [u for u, _ in m.rows] == [f["unit"]["id"] for f in data["files"]]
    for (unit, cells), f in zip(m.rows, data["files"], strict=True):
        assert len(cells) == len(m.rules)
        by_rule: dict[str, list[str]] = {}
        for x in f["findings"]:
            by_rule.setdefault(x["rule"], []).append(x["status"])
        for rule, cls in zip(m.rules, cells, strict=True):
            want = CLASS[worst(by_rule[rule])] if rule in by_rule else "x"  # no finding: not judged
            assert cls.split()[0] == want, (unit, rule)


def test_header_totals_and_upcoming_match_the_reports() -> None:
    html = page(str(SAMPLES), "--as-of", "2023-11-15")
    data = report(str(SAMPLES), "--as-of", "2023-11-15")
    s = data["summary"]
    assert "15/11/2023" in html and f"{len(data['files'])} đơn vị" in html
    due = s["pass"] + s["late"] + s["fail"]
    assert f"{round(100 * s['pass'] / due)}% <small>đúng hạn</small>" in html
    assert f"{round(100 * (s['pass'] + s['late']) / due)}% kể cả trễ hạn" in html
    items = json.loads(invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "90",
                              "--format", "json").stdout)["items"]
    upcoming = html[html.index('id="upcoming"'):]
    for x in items:
        assert x["unit"]["name"] in upcoming and x["rule"] in upcoming
    assert "KL21-19</strong> RP-2023-02" in upcoming and "Trong 61–90 ngày tới" in upcoming


def test_the_script_is_allowed_by_its_hash_and_nothing_is_fetched() -> None:
    html = page(str(SAMPLES))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None and "default-src 'none'" in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp.group(1)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def write_evil(tmp_path: Path) -> Path:
    data = yaml.safe_load(THPT.read_text(encoding="utf-8"))
    data["unit"]["name"] = "Chi bộ " + PAYLOAD
    data["activities"][0]["id"] = "QT-" + PAYLOAD  # appears in KL21-02's message
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    return path


def test_untrusted_values_are_escaped(tmp_path: Path) -> None:
    evil = write_evil(tmp_path)
    html = page(str(evil))
    assert PAYLOAD not in html and "<img" not in html
    assert html.count("<script") == 3  # the two JSON blocks and the page's own script
    assert "Chi bộ &lt;script&gt;window.__pwned=1&lt;/script&gt;&#34;&#39;&lt;/td&gt;" in html
    blocks = re.findall(r'<script type="application/json" id="kl-details">(.*?)</script>', html, re.S)
    assert len(blocks) == 1 and "<" not in blocks[0]
    details = json.loads(blocks[0])
    texts = details["s"]
    assert any(PAYLOAD in texts[f[5]] for cell in details["rows"][0].values() for f in cell)  # intact as data
    assert len(parse(html).rows) == 1


def test_deterministic_and_same_with_jobs(tmp_path: Path) -> None:
    first = page(str(SAMPLES), "--as-of", "2023-11-15")
    assert first == page(str(SAMPLES), "--as-of", "2023-11-15")
    out = tmp_path / "tonghop.html"
    invoke("check", str(SAMPLES), "--as-of", "2023-11-15", "--format", "html", "--jobs", "2", "--output", str(out))
    assert out.read_text(encoding="utf-8") == first


def test_english() -> None:
    html = page(str(SAMPLES), "--lang", "en", "--as-of", "2023-11-15")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "Plan 40-KH/ĐUK: the bloc&#39;s roll-up" in html and "Units × rules" in html
    assert "không đạt" not in html


def test_input_errors_are_listed_and_other_files_still_shown(tmp_path: Path) -> None:
    bad = tmp_path / "hong.yaml"
    bad.write_text("unit: [1,\n", encoding="utf-8")
    result = invoke("check", str(bad), str(THPT), "--format", "html")
    assert result.exit_code == 2
    html = result.stdout
    assert 'id="errors"' in html and "hong.yaml" in html
    assert len(parse(html).rows) == 1


def test_period_ends() -> None:
    assert period_ends("quarter", dt.date(2023, 1, 10)) == [
        dt.date(2022, 3, 31), dt.date(2022, 6, 30), dt.date(2022, 9, 30), dt.date(2022, 12, 31), dt.date(2023, 1, 10)]
    months = period_ends("month", dt.date(2022, 12, 31))
    assert months[0] == dt.date(2022, 3, 31) and months[-1] == dt.date(2022, 12, 31) and len(months) == 10
    assert dt.date(2022, 2, 28) not in months and dt.date(2022, 4, 30) in months
    assert period_ends("month", dt.date(2022, 3, 1)) == []


def test_trend_counts_equal_the_reports_as_of_each_period_end() -> None:
    html = page(str(SAMPLES), "--as-of", "2023-02-15", "--trend", "quarter")
    table = html[html.index('id="trend"'):]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td class="num">\d+</td>)+)</tr>', table)
    heads = re.findall(r'<th scope="col">([^<]+)</th>', table[table.index("<details>"):])
    labels = {"đạt": "pass", "trễ hạn": "late", "không đạt": "fail", "chưa đến hạn": "pending"}
    days = ["31/3/2022", "30/6/2022", "30/9/2022", "31/12/2022", "15/2/2023"]
    assert [r[0] for r in rows] == days
    for (label, cells), iso in zip(rows, ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31", "2023-02-15"],
                                   strict=True):
        numbers = [int(x) for x in re.findall(r"\d+", cells)]
        got = dict(zip(heads[1:], numbers, strict=True))
        data = report(str(SAMPLES), "--as-of", iso)
        expected = data["summary"]  # findings per status, as the report counts them
        assert got["Đơn vị"] == len(data["files"]) >= 7
        for vi, status in labels.items():
            if vi in got:
                assert got[vi] == expected[status], (iso, status)
        assert "<polyline" in table


def test_trend_options() -> None:
    bad = invoke("check", str(THPT), "--format", "html", "--trend", "week", "--lang", "en")
    assert bad.exit_code == 2 and "--trend must be month or quarter" in bad.stderr
    wrong = invoke("check", str(THPT), "--format", "json", "--trend", "month")
    assert wrong.exit_code == 2 and "--trend" in wrong.stderr


def test_the_spreadsheet_matrix_is_the_dashboards(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    html = parse(page(str(SAMPLES), "--as-of", "2023-06-30", "--lang", "en"))
    out = tmp_path / "tonghop.xlsx"
    result = invoke("check", str(SAMPLES), "--as-of", "2023-06-30", "--format", "xlsx", "--output", str(out),
                    "--lang", "en")
    assert result.exit_code in (0, 1), result.output
    book = openpyxl.load_workbook(out)
    assert "Matrix" in book.sheetnames
    rows = list(book["Matrix"].iter_rows(values_only=True))
    assert list(rows[1][4:]) == html.rules  # same columns, same order (grouped by pack)
    symbol_class = {"✓": "p", "⏱": "l", "✗": "f", "…": "w", "–": "n", "!": "e", None: "x"}
    body = rows[2:2 + len(html.rows)]
    assert [r[0] for r in body] == [u for u, _ in html.rows]
    for r, (_unit, cells) in zip(body, html.rows, strict=True):
        assert [symbol_class[(v or "").rstrip("*") or None] for v in r[4:]] == [c.split()[0] for c in cells]
    # under the rows: units per status for each rule
    counts = {r[1]: r[4:] for r in rows[2 + len(html.rows):] if r[1] and r[1][0] in symbol_class}
    fails = counts["✗ fail"]
    assert list(fails) == [sum(1 for _, cells in html.rows if cells[i].startswith("f")) for i in range(len(html.rules))]


def test_invisible_and_control_characters_are_shown_as_escapes(tmp_path: Path) -> None:
    data = yaml.safe_load(THPT.read_text(encoding="utf-8"))
    data["unit"]["name"] = "Chi bộ \u202eabc\x1b[31m đỏ"
    data["activities"][0]["id"] = "QT-\u2066x\x07"  # appears in KL21-02's message
    path = tmp_path / "bidi.json"
    path.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    html = page(str(path))
    for raw in ("\u202e", "\x1b", "\u2066", "\x07"):
        assert raw not in html
    assert "Chi bộ \\u202eabc\\x1b[31m đỏ" in html
    details = json.loads(re.findall(r'id="kl-details">(.*?)</script>', html, re.S)[0])
    assert any("QT-\\u2066x\\x07" in t for t in details["s"])
    text = invoke("due", str(path), "--as-of", "2022-12-01", "--within", "60").stdout
    assert "\u202e" not in text and "\x1b" not in text and "\\u202eabc\\x1b[31m" in text


def test_a_unit_with_several_files_counts_once_in_the_header(tmp_path: Path) -> None:
    """Three files of one unit (its reports of several years, or copies) and one of another: the
    header says 2 units (4 files), as the text, JSON and Excel reports do, and the kinds add up
    to the units."""
    thpt = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
    for i in range(3):
        (tmp_path / f"thpt-{i}.yaml").write_bytes(thpt.read_bytes())
    (tmp_path / "dtn.yaml").write_bytes((SAMPLES / "doan-thanh-nien-khoi-2023.yaml").read_bytes())
    for lang, units, files in (("vi", "2 đơn vị", "(4 tệp)"), ("en", "2 units", "(4 files)")):
        html = page(str(tmp_path), "--lang", lang)
        data = report(str(tmp_path))
        assert data["summary"]["units"] == 2 and data["summary"]["files"] == 4
        assert f"{units} <small>{files}</small>" in html
        kinds = re.search(r'<span class="v">' + re.escape(units) + r".*?</span>\n<span class=\"k\">(.*?)</span>", html, re.S)
        assert kinds is not None
        assert sum(int(n) for n in re.findall(r": (\d+)", kinds.group(1))) == 2, kinds.group(1)
    one_each = page(str(SAMPLES))
    assert "8 đơn vị</span>" in one_each and "tệp)</small>" not in one_each.split("</header>")[0]
