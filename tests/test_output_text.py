"""The text report: per unit, grouped by status with failures first; colours on a terminal only;
Vietnamese by default, English with --lang en; a summary across files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kl21rules.batch import run_check
from kl21rules.check import CheckOptions
from kl21rules.config import WaiverSpec
from kl21rules.cli import app
from kl21rules.output import text
from kl21rules.output._common import STATUS_LABEL, STATUS_ORDER
from kl21rules.packs import Registry, load_registry

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
THPT = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
BTC = SAMPLES / "ban-to-chuc-duk-2022.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def status_of_line(line: str, lang: str) -> str | None:
    for status, label in sorted(STATUS_LABEL[lang].items(), key=lambda kv: -len(kv[1])):
        if line.startswith(f"  {label} "):
            return status
    return None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_plain_text_groups_by_status_failures_first(registry: Registry, lang: str) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(as_of=dt.date(2023, 12, 31)))
    out = text.render(report, lang)
    assert not ANSI.search(out)
    seen = [s for s in (status_of_line(x, lang) for x in out.splitlines()) if s]
    order = [STATUS_ORDER.index(s) for s in seen]
    assert order == sorted(order) and seen[0] == "fail"
    # Every finding is there: one line each, rules not applicable for one reason share a line.
    findings = report.files[0].findings
    shown = [x for x in out.splitlines() if status_of_line(x, lang) not in (None, "not_applicable")]
    assert len(shown) == sum(1 for f in findings if f.status != "not_applicable")
    for f in findings:
        if f.status == "not_applicable":
            assert any(f.rule in x and status_of_line(x, lang) == "not_applicable" for x in out.splitlines())


def test_vietnamese_by_default_english_on_request(registry: Registry) -> None:
    report = run_check([str(BTC)], registry, CheckOptions(as_of=dt.date(2023, 12, 31)))
    vi, en = text.render(report), text.render(report, "en")
    assert "Đơn vị:" in vi and "trễ hạn" in vi and "Tổng cộng:" in vi
    assert "Unit:" in en and "  late " in en and "Total:" in en and "Tổng cộng" not in en


def test_summary_across_files_by_rule(registry: Registry) -> None:
    report = run_check([str(THPT), str(BTC)], registry, CheckOptions(as_of=dt.date(2023, 12, 31)))
    out = text.render(report, "en")
    head = out.index("By rule:")
    rows = {line.split()[0]: line.split()[1:] for line in out[head:].splitlines()[2:] if line.startswith("  KL21")}
    # Columns follow STATUS_ORDER: error, fail, late, pending, pass, n/a.
    assert rows["KL21-11"][STATUS_ORDER.index("fail")] == "5"
    assert rows["KL21-D03"][STATUS_ORDER.index("late")] == "1"
    assert rows["KL21-01"][STATUS_ORDER.index("not_applicable")] == "1"  # the department
    assert "Total: 2 files, 2 units, 0 input errors" in out
    single = text.render(run_check([str(BTC)], registry, CheckOptions()), "en")
    assert "By rule:" not in single  # one file: its own counts say it all


def test_waived_finding_and_problems_are_shown(registry: Registry) -> None:
    waiver = WaiverSpec("KL21-11", "Sáp nhập chi bộ", dt.date(2030, 1, 1), period="2022-07")
    stale = WaiverSpec("KL21-02", "cũ", dt.date(2030, 1, 1), unit="NOPE")
    report = run_check([str(THPT)], registry, CheckOptions(), waivers=[waiver, stale])
    out = text.render(report)
    line = next(x for x in out.splitlines() if "KL21-11" in x and "2022-07" in x)
    assert line.startswith("  không đạt") and "[miễn trừ: Sáp nhập chi bộ (đến 2030-01-01)]" in line
    assert "Vấn đề:" in out and "không khớp" in out


def test_input_errors_with_lines(registry: Registry, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema": "kl21rules/submission/v1",\n  "unit": 5\n}\n', encoding="utf-8")
    out = text.render(run_check([str(bad)], registry, CheckOptions()), "en")
    assert "Input errors:" in out and "/unit (line 3)" in out


def test_colour_on_a_terminal(registry: Registry) -> None:
    report = run_check([str(THPT), str(BTC)], registry, CheckOptions(as_of=dt.date(2023, 12, 31)))
    out = text.render(report, "vi", color=True, width=120)
    assert ANSI.search(out)
    plain = ANSI.sub("", out)
    assert "không đạt" in plain and "Theo quy tắc" in plain and "Tổng cộng: 2 tệp" in plain
    assert max(len(x) for x in plain.splitlines()) <= 120
    # Failures first inside each unit's table too.
    assert plain.index("không đạt") < plain.index("trễ hạn") < plain.index("chưa đến hạn")


@pytest.mark.parametrize(
    ("isatty", "env", "expected"),
    [(True, {}, True), (False, {}, False), (True, {"NO_COLOR": "1"}, False), (True, {"TERM": "dumb"}, False),
     (True, {"NO_COLOR": ""}, True)],
)
def test_want_color(isatty: bool, env: dict[str, str], expected: bool) -> None:
    assert text.want_color(isatty, env) is expected


def test_cli_output_is_plain_when_piped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", str(THPT), "--lang", "en"])
    assert not ANSI.search(result.stdout) and "Unit:" in result.stdout
