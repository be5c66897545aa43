"""The text report: per unit, grouped by status with failures first; colours on a terminal only;
Vietnamese by default, English with --lang en; a summary across files."""

from __future__ import annotations

import json

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
    out = text.render(report, lang, show_all=True)
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
    stale = WaiverSpec("KL21-02", "cũ", dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2031")
    report = run_check([str(THPT)], registry, CheckOptions(), waivers=[waiver, stale])
    out = text.render(report)
    line = next(x for x in out.splitlines() if "KL21-11" in x and "2022-07" in x)
    assert line.startswith("  không đạt") and "[miễn trừ: Sáp nhập chi bộ (đến 2030-01-01)]" in line
    assert "Vấn đề:" in out and "không khớp" in out


def test_input_errors_with_lines(registry: Registry, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema": "kl21rules/submission/v1",\n  "unit": 5\n}\n', encoding="utf-8")
    out = text.render(run_check([str(bad)], registry, CheckOptions()), "en")
    assert "Input errors:" in out and "\n    unit (line 3): " in out
    assert "Verdict: NOT COMPLIANT — 1 input error: the report could not be judged" in out
    assert out.endswith("Total: 1 file, 0 units, 1 input error\n1 input error, so the exit code is 2.\n")


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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_by_default_only_what_needs_attention_is_listed(registry: Registry, lang: str) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(as_of=dt.date(2022, 12, 20)))
    out = text.render(report, lang)
    lines = out.splitlines()
    listed = [s for s in (status_of_line(x, lang) for x in lines) if s]
    findings = report.files[0].findings
    assert sorted(listed) == sorted(f.status for f in findings if f.status in ("error", "fail", "late", "pending"))
    assert "pass" not in listed and "not_applicable" not in listed
    hidden = "(đạt và không áp dụng không liệt kê; xem --all)" if lang == "vi" else "(passes and n/a not listed; see --all)"
    assert lines[-5].endswith(hidden) and lines[-5].startswith("  = ")
    fails = sum(1 for f in findings if f.status == "fail")
    assert fails == 8
    if lang == "vi":
        assert lines[-4] == "  Kết luận: CHƯA ĐẠT — 8 nghĩa vụ không đạt (8 ở mức cảnh báo); 2 làm trễ hạn; 3 chưa đến hạn."
        assert lines[-1] == "8 nghĩa vụ không đạt ở mức cảnh báo — dưới ngưỡng --fail-on error, nên mã thoát là 0."
    else:
        assert lines[-4] == "  Verdict: NOT COMPLIANT — 8 obligations failed (8 at warning level); 2 done late; 3 not due yet."
        assert lines[-1] == "8 obligations failed at warning level — below --fail-on error, so the exit code is 0."
    # named positions counted from 1, not JSON pointers
    assert ("hoạt động thứ 2 (THPT-KH-05) › nhiệm vụ thứ 2" if lang == "vi" else "activity 2 (THPT-KH-05) › task 2") in out
    assert "/activities/" not in out


def test_exit_sentence_follows_fail_on(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(as_of=dt.date(2022, 12, 20)))
    out = text.render(report, "vi", fail_on="warning")
    assert out.splitlines()[-1] == "8 nghĩa vụ không đạt ở mức cảnh báo — từ ngưỡng --fail-on warning trở lên, nên mã thoát là 1."
    compliant = run_check([str(SAMPLES / "doan-thanh-nien-khoi-2023.yaml")], registry, CheckOptions())
    out = text.render(compliant, "en")
    assert "Verdict: COMPLIANT" in out
    assert out.splitlines()[-1] == "No obligation failed, so the exit code is 0."


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".xlsx")))
def test_each_sample_fits_one_screen(sample: str, lang: str) -> None:
    result = CliRunner().invoke(app, ["check", str(SAMPLES / sample), "--lang", lang])
    lines = result.stdout.splitlines()
    assert len(lines) <= 40, result.stdout
    verdicts = [x for x in lines if x.startswith(("  Kết luận: ", "  Verdict: "))]
    assert len(verdicts) == 1
    code_word = f"{result.exit_code}."
    assert lines[-1].endswith(code_word) and ("mã thoát" in lines[-1] or "exit code" in lines[-1])
    assert ("ĐẠT" in verdicts[0]) if lang == "vi" else ("COMPLIANT" in verdicts[0])


def test_init_placeholders_left_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["init", "r.yaml"]).exit_code == 0
    out = CliRunner().invoke(app, ["check", "r.yaml"]).stdout
    assert "còn giá trị mẫu của 'kl21rules init' chưa thay: unit › id = 'KCQ.XXX', unit › name = 'Đảng bộ Sở ...'" in out
    filled = (tmp_path / "r.yaml").read_text(encoding="utf-8").replace("KCQ.XXX", "KCQ.STC").replace(
        "Đảng bộ Sở ...", "Đảng bộ Sở Tài chính")
    (tmp_path / "r.yaml").write_text(filled, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "r.yaml", "--lang", "en"])
    assert "placeholder" not in result.stdout and "Verdict:" in result.stdout


@pytest.mark.parametrize("text", [
    "", "XX", "X.X.XX", "..", "XXX", "...", "a.b.c" * 40 + "...", "X" * 3, ".X" * 40 + "XXX", "X" * 17 + "XX",
    "note.", "…", "Sở …", "–", "\\", "KCQ.XX", "." * 16 + "X" + "..", "đ.." + "X" * 20,
])
def test_the_placeholder_test_is_a_plain_substring_test(text: str) -> None:
    """The check walks a file's values for placeholders only when its bytes may hold one: the
    quick test must say so exactly when a substring test would (many Xs or dots, runs at the ends)."""
    from kl21rules.check import _may_hold_placeholders

    for raw in (text.encode(), f'{{"a": "{text}"}}'.encode(), ((text + "\n") * 3).encode()):
        plain = any(s in raw for s in (b"\\", b"XXX", b"...", "…".encode()))
        assert _may_hold_placeholders(raw) == plain, raw


def test_placeholders_written_with_escapes_are_still_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """check skips the walk for placeholders when the text cannot hold one (issue 15); a value
    written with escapes (JSON \\u0058, YAML \\u2026) must still be found."""
    monkeypatch.chdir(tmp_path)
    sample = json.loads((SAMPLES / "dang-bo-so-tai-chinh-2022.json").read_text(encoding="utf-8"))
    sample["unit"]["id"] = "KCQ.XXX"
    text_ = json.dumps(sample, ensure_ascii=False).replace("KCQ.XXX", "KCQ.\\u0058XX")
    assert "XXX" not in text_ and "..." not in text_
    (tmp_path / "r.json").write_text(text_, encoding="utf-8")
    out = CliRunner().invoke(app, ["check", "r.json", "--lang", "en"]).stdout
    assert "unit › id = 'KCQ.XXX'" in out, out
    (tmp_path / "r.json").unlink()
    (tmp_path / "r.yaml").write_text('schema: x\nunit: {id: "KCQ.STC", name: "Sở \\u2026"}\n', encoding="utf-8")
    out = CliRunner().invoke(app, ["check", "r.yaml", "--lang", "en"]).stdout
    assert "left in the file: unit › name = 'Sở …'." in out, out


def test_exit_sentence_with_exit_zero(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(as_of=dt.date(2022, 12, 20)))
    out = text.render(report, "en", fail_on="warning", exit_zero=True)
    assert out.splitlines()[-1] == ("8 obligations failed at warning level — at or above --fail-on warning, "
                                    "but with --exit-zero the exit code is 0.")


def test_notices_name_their_places_in_text_only(registry: Registry) -> None:
    sample = SAMPLES / "dang-bo-so-gd-dt-2022-2024.yaml"
    report = run_check([str(sample)], registry, CheckOptions(as_of=dt.date(2022, 6, 1)))
    notice = report.files[0].notices[0]
    assert notice.vi.startswith("Bỏ qua /activities/4 ngày")  # the JSON report keeps the pointer
    out = text.render(report, "vi")
    assert "  · Bỏ qua hoạt động thứ 5 (GD-BD-2022) ngày 14/7/2022" in out
    assert "/activities/" not in out


def test_a_waived_fail_does_not_make_a_file_non_compliant(registry: Registry) -> None:
    sample = SAMPLES / "dang-bo-so-y-te-tin-hieu-2023.json"
    waiver = WaiverSpec("KL21-07", "Đã có văn bản chấp thuận", dt.date(2030, 1, 1), unit="KCQ.SYT")
    report = run_check([str(sample)], registry, CheckOptions(), waivers=[waiver])
    assert "fail" in [f.status for f in report.files[0].findings if f.rule == "KL21-07" and f.waived]
    out = text.render(report, "vi")
    assert "  Kết luận: ĐẠT — không có nghĩa vụ nào không đạt; 1 không đạt nhưng được miễn trừ" in out
    assert out.splitlines()[-1] == "Không có nghĩa vụ nào không đạt, nên mã thoát là 0."
