"""Waivers (miễn trừ): a live one waives, an expired one stops applying and says so, an unmatched
one is reported; from the configuration or a separate TOML or YAML file; the ``waivers`` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kl21rules.cli import app
from kl21rules.config import ConfigError, WaiverSpec
from kl21rules.findings import Finding
from kl21rules.report import FileReport
from kl21rules.waivers import WaiverBook, load_waiver_file

REPO = Path(__file__).resolve().parents[1]
# Judged as of its report date 2024-12-20: KL21-09 2023 fails with severity error (the only one).
GDDT = REPO / "samples" / "dang-bo-so-gd-dt-2022-2024.yaml"

LIVE = {"rule": "KL21-09", "unit": "KCQ.SGDDT", "period": "2023",
        "reason": "Sáp nhập chi bộ, có văn bản chấp thuận số 12/CV-ĐUK", "approver": "Ban Tổ chức",
        "expires": "2025-06-30"}
EXPIRED = {"rule": "KL21-12", "unit": "KCQ.SGDDT", "period": "2024", "reason": "Chờ chương trình mới",
           "approver": "Ban Tuyên giáo", "expires": "2024-06-30"}
# About a unit the run checks, but matching nothing (a waiver about a unit the run did not check
# is not reported: tests/test_batch.py).
UNMATCHED = {"rule": "KL21-02", "unit": "KCQ.SGDDT", "period": "2031", "reason": "Không khớp",
             "approver": "Ban Tuyên giáo", "expires": "2025-06-30"}


def toml_waivers(*waivers: dict[str, str]) -> str:
    out = []
    for w in waivers:
        out.append("[[waivers]]")
        for k, v in w.items():
            out.append(f"{k} = {v}" if k == "expires" else f'{k} = "{v}"')
        out.append("")
    return "\n".join(out)


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def findings(data: dict, rule: str, period: str | None = None) -> list[dict]:
    return [f for file in data["files"] for f in file["findings"]
            if f["rule"] == rule and (period is None or f["period"] == period)]


def test_live_expired_and_unmatched_in_configuration(tmp_path: Path) -> None:
    assert run("check", str(GDDT)).exit_code == 1  # without waivers KL21-09 2023 fails the run
    (tmp_path / "kl21rules.toml").write_text(toml_waivers(LIVE, EXPIRED, UNMATCHED), encoding="utf-8")
    result = run("check", str(GDDT), "--format", "json", "--lang", "en")
    data = json.loads(result.stdout)
    [waived] = findings(data, "KL21-09", "2023")
    assert waived["status"] == "fail"  # keeps its status
    assert waived["waived"] == {"reason": LIVE["reason"], "expires": "2025-06-30", "approver": "Ban Tổ chức"}
    [late] = findings(data, "KL21-12", "2024")
    assert late["status"] == "late" and "waived" not in late  # expired on 2024-06-30, file judged 2024-12-20
    codes = [p["code"] for p in data["problems"]]
    assert codes == ["waiver-expired", "waiver-unmatched"]
    assert "KL21-12 KCQ.SGDDT 2024" in data["problems"][0]["message"]
    assert "2024-06-30" in data["problems"][0]["message"]
    assert "KL21-02 KCQ.SGDDT 2031" in data["problems"][1]["message"]
    assert result.exit_code == 0  # the waived fail no longer counts
    # The warnings reach a person even when the report is JSON.
    assert "expired on 2024-06-30" in result.stderr and "matched no finding" in result.stderr


def test_text_report_shows_the_waiver_and_the_warnings(tmp_path: Path) -> None:
    (tmp_path / "kl21rules.toml").write_text(toml_waivers(LIVE, EXPIRED, UNMATCHED), encoding="utf-8")
    out = run("check", str(GDDT)).stdout
    line = next(x for x in out.splitlines() if "KL21-09" in x and "2023" in x)
    assert "không đạt" in line and f"miễn trừ: {LIVE['reason']} (đến 2025-06-30)" in line
    assert "đã hết hạn ngày 2024-06-30" in out and "không khớp" in out


def test_waiver_judged_as_of_the_evaluation_date_not_the_clock(tmp_path: Path) -> None:
    (tmp_path / "kl21rules.toml").write_text(toml_waivers({**LIVE, "expires": "2024-01-31"}), encoding="utf-8")
    assert run("check", str(GDDT), "--as-of", "2024-01-31").exit_code == 0  # last day: still applies
    result = run("check", str(GDDT), "--as-of", "2024-12-20", "--format", "json")
    assert result.exit_code == 1
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["waiver-expired"]


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
def test_separate_waiver_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"waivers{suffix}"
    if suffix == ".toml":
        path.write_text(toml_waivers(LIVE), encoding="utf-8")
    else:
        import yaml

        path.write_text(yaml.safe_dump({"waivers": [LIVE]}, allow_unicode=True), encoding="utf-8")
    result = run("check", str(GDDT), "--waivers", str(path), "--format", "json")
    assert result.exit_code == 0
    [waived] = findings(json.loads(result.stdout), "KL21-09", "2023")
    assert waived["waived"]["reason"] == LIVE["reason"]


def test_yaml_waiver_file_may_be_a_bare_list_with_day_first_dates(tmp_path: Path) -> None:
    path = tmp_path / "w.yml"
    path.write_text("- rule: KL21-09\n  unit: '*'\n  approver: BTC\n  reason: Lý do\n  expires: 30/6/2025\n",
                    encoding="utf-8")
    [w] = load_waiver_file(path)
    assert (w.rule, w.expires, w.unit) == ("KL21-09", dt.date(2025, 6, 30), None)


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("w.yaml", "- rule: KL21-09\n  unit: U\n  approver: A\n  expires: 2025-06-30\n", "needs a non-blank 'reason'"),
        ("w.yaml", "- rule: KL21-09\n  unit: U\n  approver: A\n  reason: x\n", "needs a non-blank 'expires'"),
        ("w.yaml", "waivers: {rule: KL21-09}\n", "expected a list"),
        ("w.yaml", "waiver: []\n", "unknown key 'waiver'"),
        ("w.yaml", "- [unclosed\n", "not valid YAML"),
        ("w.toml", "[[waivers]\n", "not valid TOML"),
        ("w.json", "[]", "must be .toml, .yaml or .yml"),
    ],
)
def test_bad_waiver_files(tmp_path: Path, name: str, text: str, needle: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_waiver_file(path)
    assert needle in info.value.en
    assert run("check", str(GDDT), "--waivers", str(path)).exit_code == 2


def test_unknown_rule_in_a_waiver_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text(toml_waivers({**LIVE, "rule": "KL21-9"}), encoding="utf-8")
    result = run("check", str(GDDT), "--waivers", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert "unknown rule 'KL21-9'" in result.stderr and "Did you mean KL21-09?" in result.stderr


def _finding(status: str, rule: str = "KL21-11", period: str = "2022-07") -> Finding:
    return Finding(rule, status, "warning", period, None, None, ("II.6",), "vi", "en")


def test_only_unmet_findings_are_waived_and_a_rule_error_never() -> None:
    spec = WaiverSpec("KL21-11", "lý do", dt.date(2030, 1, 1))
    book = WaiverBook([spec], dt.date(2023, 1, 1))
    report = FileReport("a.json", unit={"id": "U"}, as_of=dt.date(2023, 1, 1),
                        findings=[_finding("pass"), _finding("error"), _finding("not_applicable")])
    book.apply(report)
    assert all(f.waived is None for f in report.findings)
    assert [n.code for n in book.notices()] == ["waiver-unmatched"]
    for status in ("fail", "late", "pending"):
        one = FileReport("b.json", unit={"id": "U"}, as_of=dt.date(2023, 1, 1), findings=[_finding(status)])
        WaiverBook([spec], dt.date(2023, 1, 1)).apply(one)
        assert one.findings[0].waived is not None, status


def test_waiver_fields_narrow_the_match() -> None:
    by_unit = WaiverSpec("KL21-11", "r", dt.date(2030, 1, 1), unit="OTHER")
    by_period = WaiverSpec("KL21-11", "r", dt.date(2030, 1, 1), period="2022-08")
    by_item = WaiverSpec("KL21-11", "r", dt.date(2030, 1, 1), item="X")
    any_of_rule = WaiverSpec("KL21-11", "r", dt.date(2030, 1, 1))
    report = FileReport("a.json", unit={"id": "U"}, as_of=dt.date(2023, 1, 1), findings=[_finding("fail")])
    book = WaiverBook([by_unit, by_period, by_item, any_of_rule], dt.date(2023, 1, 1))
    book.apply(report)
    assert [st.applied for st in book.states] == [0, 0, 0, 1]


def test_waivers_command_against_files(tmp_path: Path) -> None:
    (tmp_path / "kl21rules.toml").write_text(toml_waivers(LIVE, EXPIRED, UNMATCHED), encoding="utf-8")
    result = run("waivers", str(GDDT), "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["waivers"]
    assert [(r["rule"], r["state"], r["applied"]) for r in rows] == [
        ("KL21-09", "live", 1), ("KL21-12", "expired", 0), ("KL21-02", "unmatched", 0)]
    text = run("waivers", str(GDDT), "--lang", "en").stdout.splitlines()
    assert [line.split()[0] for line in text] == ["live", "expired", "unmatched"]


def test_waivers_command_without_files_uses_as_of(tmp_path: Path) -> None:
    (tmp_path / "kl21rules.toml").write_text(toml_waivers(LIVE, EXPIRED, UNMATCHED), encoding="utf-8")
    rows = json.loads(run("waivers", "--as-of", "2024-07-01", "--format", "json").stdout)["waivers"]
    assert [r["state"] for r in rows] == ["live", "expired", "live"]
    rows = json.loads(run("waivers", "--as-of", "2024-06-30", "--format", "json").stdout)["waivers"]
    assert [r["state"] for r in rows] == ["live", "live", "live"]
    assert "unmatched" not in rows[0]  # no files: nothing to match against


def test_waivers_command_reads_a_waiver_file_and_says_when_there_are_none(tmp_path: Path) -> None:
    assert "No waivers." in run("waivers", "--lang", "en").stdout
    path = tmp_path / "w.toml"
    path.write_text(toml_waivers(EXPIRED), encoding="utf-8")
    rows = json.loads(run("waivers", "--waivers", str(path), "--format", "json", "--as-of", "2025-01-01").stdout)
    assert [(r["rule"], r["state"]) for r in rows["waivers"]] == [("KL21-12", "expired")]
