"""Attacks on time: an evaluation date at the end of the calendar, a report dated in year 1 or in
the future, and a machine in another time zone.

``--as-of 9999-06-01`` gave OverflowError rule errors; a ``report.date`` of ``0001-01-01`` made
every obligation "not yet due" and exited 0; a file with no ``report.date`` was judged as of the
runner's local date, so two CI runners in different time zones disagreed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kl21rules.check import CheckOptions, check_bytes
from kl21rules.cli import app
from kl21rules.dates import add_days, today_vn, year_bounds
from kl21rules.packs import load_registry

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"

# A follow-up (signal then review) and a term window whose year is after 9999, on the calendar's edge.
EDGE = """\
schema: kl21rules/submission/v1
report: {number: "1-BC/CB", date: 2024-06-30, period: {start: 2024-01-01, end: 2024-12-31}}
unit: {id: "T.CB", name: "Chi bộ thử", kind: chi_bo_co_so, parent: "T", members: 9,
       term: {start: 9998-04-16, end: 9999-04-30}, sensitive_areas: []}
signals:
  - {id: S1, kind: violation, date: 9999-12-29, summary: "x"}
activities:
  - {id: QT-01, type: study_session, date: 9999-12-20, mode: in_person, expected: 9, attendees: 8, makeup: false}
"""


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def _errors(stdout: str) -> list[str]:
    data = json.loads(stdout)
    return [f["message"] for file in data["files"] for f in file["findings"] if f["status"] == "error"]


def _rule_errors(raw: bytes, as_of: str, engine: str) -> tuple[list[str], list[str]]:
    options = CheckOptions(as_of=_dt.date.fromisoformat(as_of), engine=engine)
    report = check_bytes("r.yaml", raw, load_registry(), options)
    return [e.en for e in report.errors], [f.message.en for f in report.findings if f.status == "error"]


@pytest.mark.parametrize(("as_of", "engine"), [
    *((d, "reference") for d in ("2021-10-25", "2022-03-03", "9999-06-01", "9999-12-30", "9999-12-31")),
    ("2021-10-25", "durable"), ("9999-12-30", "durable"),  # the second engine is slow over 8,000 years
])
def test_any_evaluation_date_gives_no_rule_error(as_of: str, engine: str) -> None:
    if engine == "durable":
        pytest.importorskip("durable_rules_engine")
    raw = (SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml").read_bytes()
    assert _rule_errors(raw, as_of, engine) == ([], [])


@pytest.mark.parametrize("engine", ["reference", "durable"])
def test_dates_at_the_end_of_the_calendar_give_no_rule_error(engine: str) -> None:
    if engine == "durable":
        pytest.importorskip("durable_rules_engine")
    assert _rule_errors(EDGE.encode("utf-8"), "9999-12-30", engine) == ([], [])


def test_the_command_line_takes_the_last_evaluation_date(tmp_path: Path) -> None:
    (tmp_path / "edge.yaml").write_text(EDGE, encoding="utf-8")
    code, stdout, stderr = _run("check", str(tmp_path / "edge.yaml"), "--as-of", "9999-12-30",
                                "--format", "json", "--select", "ubkt,KL21-08")
    assert _errors(stdout) == [] and json.loads(stdout)["files"][0]["errors"] == []
    assert code in (0, 1), stderr


def test_calendar_arithmetic_is_held_within_the_calendar() -> None:
    assert add_days(_dt.date(9999, 12, 20), 30) == _dt.date.max
    assert add_days(_dt.date(2022, 3, 3), 30) == _dt.date(2022, 4, 2)
    assert year_bounds(10001) == (_dt.date.max, _dt.date.max)
    assert year_bounds(2024) == (_dt.date(2024, 1, 1), _dt.date(2024, 12, 31))


def _with_report_date(day: str) -> bytes:
    text = (SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml").read_text(encoding="utf-8")
    start = text.index("date:", text.index("report:"))
    end = text.index("\n", start)
    line = text[start:end]
    value = line.split(":", 1)[1].split(",")[0].split("}")[0].strip()
    return text.replace(line, line.replace(value, day, 1), 1).encode("utf-8")


@pytest.mark.parametrize(("day", "words"), [("0001-01-01", "before Plan 40-KH/ĐUK"),
                                            ("2022-03-02", "before Plan 40-KH/ĐUK"),
                                            ("2026-12-01", "after today")])
def test_a_report_date_outside_the_plan_and_today_is_an_input_error(day: str, words: str) -> None:
    registry = load_registry()
    options = CheckOptions(today=_dt.date(2026, 11, 30))
    report = check_bytes("r.yaml", _with_report_date(day), registry, options)
    assert [e.code for e in report.errors] == ["report-date"], report.errors
    assert words in report.errors[0].en and "--as-of" in report.errors[0].en
    assert "Kế hoạch 40-KH/ĐUK" in report.errors[0].vi or "hôm nay" in report.errors[0].vi
    assert report.errors[0].pointer == "/report/date" and report.errors[0].line is not None
    assert report.findings == []
    # With --as-of the date is the user's choice: the file is judged.
    judged = check_bytes("r.yaml", _with_report_date(day), registry,
                         CheckOptions(as_of=_dt.date(2024, 6, 30), today=_dt.date(2026, 11, 30)))
    assert judged.errors == [] and judged.findings


@pytest.mark.parametrize("day", ["2022-03-03", "2026-11-30"])
def test_report_dates_from_the_plan_to_today_are_judged(day: str) -> None:
    report = check_bytes("r.yaml", _with_report_date(day), load_registry(),
                         CheckOptions(today=_dt.date(2026, 11, 30)))
    assert report.errors == [] and report.as_of == _dt.date.fromisoformat(day)


def test_report_date_in_year_one_exits_2_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_bytes(_with_report_date("0001-01-01"))
    code, stdout, _ = _run("check", str(tmp_path / "r.yaml"), "--lang", "en")
    assert code == 2
    assert "report.date 0001-01-01 is before Plan 40-KH/ĐUK" in stdout


def test_today_is_the_date_in_vietnam() -> None:
    # 23:30 UTC on 30/11 is already 1/12 in Hà Nội (UTC+7).
    late = _dt.datetime(2026, 11, 30, 23, 30, tzinfo=_dt.timezone.utc)
    assert today_vn(late) == _dt.date(2026, 12, 1)
    assert today_vn(_dt.datetime(2026, 11, 30, 16, 59, tzinfo=_dt.timezone.utc)) == _dt.date(2026, 11, 30)
    assert CheckOptions().today == today_vn()


@pytest.mark.skipif(not hasattr(__import__("time"), "tzset"), reason="TZ is read by POSIX systems")
def test_runners_in_different_time_zones_agree() -> None:
    script = "from kl21rules.check import CheckOptions; print(CheckOptions().today)"
    days = set()
    for tz in ("Pacific/Kiritimati", "Etc/GMT+12", "UTC", "Asia/Ho_Chi_Minh"):
        out = subprocess.run([sys.executable, "-c", script], env={**os.environ, "TZ": tz},
                             capture_output=True, text=True, timeout=60, check=True)
        days.add(out.stdout.strip())
    assert len(days) == 1 or days == {str(today_vn())}, days
