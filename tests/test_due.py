"""``kl21rules due``: obligations not yet met and due within a window, in date order; text, JSON
and an iCalendar file that parses, has stable UIDs and carries the same events as the JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from kl21rules.cli import app

icalendar = pytest.importorskip("icalendar")

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def due_json(*args: str) -> dict[str, Any]:
    result = invoke("due", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def check_json(as_of: str) -> dict[str, Any]:
    result = invoke("check", str(SAMPLES), "--as-of", as_of, "--format", "json")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_items_are_exactly_the_open_findings_in_the_window_in_date_order() -> None:
    data = due_json(str(SAMPLES), "--as-of", "2023-11-15", "--within", "60")
    assert data["schema"] == "kl21rules/due/v1" and data["as_of"] == "2023-11-15" and data["within_days"] == 60
    items = data["items"]
    # Computed independently from the JSON report of the same run.
    expected = set()
    for f in check_json("2023-11-15")["files"]:
        for x in f["findings"]:
            if x["status"] in ("pending", "fail") and x["due"] and "waived" not in x:
                left = (dt.date.fromisoformat(x["due"]) - dt.date(2023, 11, 15)).days
                if 0 <= left <= 60:
                    expected.add((f["unit"]["id"], x["rule"], x["period"], x["item"], x["due"]))
    got = [(i["unit"]["id"], i["rule"], i["period"], i["item"], i["due"]) for i in items]
    assert set(got) == expected and len(got) == len(expected)
    assert [i["due"] for i in items] == sorted(i["due"] for i in items)
    # The sample units' annual reviews and the confidence vote of the third year of the term.
    assert ("KCQ.STC", "KL21-08", None, None, "2023-12-31") in expected
    assert {u for u, r, *_ in got if r == "KL21-09"} >= {"KCQ.STC", "KCQ.SYT", "KCQ.THPTNT", "KCQ.SGDDT"}
    for i in items:
        assert i["days_left"] == (dt.date.fromisoformat(i["due"]) - dt.date(2023, 11, 15)).days
        assert i["title"] and i["expect"] and i["refs"] and i["uid"].endswith("@kl21rules")


def test_window_bounds_and_default() -> None:
    wide = due_json(str(SAMPLES), "--as-of", "2023-11-15", "--within", "90")["items"]
    assert any(i["rule"] == "KL21-19" and i["due"] == "2024-01-21" for i in wide)  # 67 days ahead
    narrow = due_json(str(SAMPLES), "--as-of", "2023-11-15", "--within", "60")["items"]
    assert not any(i["due"] == "2024-01-21" for i in narrow)
    default = due_json(str(SAMPLES), "--as-of", "2023-11-15")["items"]
    assert default == [] and due_json(str(SAMPLES), "--as-of", "2023-12-01")["within_days"] == 30
    same_day = due_json(str(SAMPLES), "--as-of", "2023-12-31", "--within", "0")["items"]
    assert same_day and all(i["days_left"] == 0 for i in same_day)


def test_text_lists_units_under_dates_in_both_languages() -> None:
    vi = invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "90")
    assert vi.exit_code == 0
    lines = vi.stdout.splitlines()
    assert lines[0].startswith("Việc đến hạn trong 90 ngày kể từ ngày xét 15/11/2023")
    dates = [x for x in lines if x and not x.startswith(" ") and "(" in x and x[0].isdigit()]
    # 31/1/2024: the 2024 report of KCQ.SGDDT has a period starting after the evaluation date, so
    # its first month's branch meeting (KL21-11) is what comes due (it gave nothing before).
    assert dates == ["31/12/2023 (còn 46 ngày)", "21/1/2024 (còn 67 ngày)", "31/1/2024 (còn 77 ngày)"]
    assert "  KCQ.SYT — Đảng bộ Sở Y tế" in lines
    en = invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "90", "--lang", "en")
    assert en.stdout.startswith("Due within 90 days of 2023-11-15")
    assert "2023-12-31 (46 days left)" in en.stdout
    none = invoke("due", str(SAMPLES), "--as-of", "2023-11-15")
    assert none.stdout == "Không có việc nào đến hạn trong 30 ngày.\n"


def parse_ics(text: str) -> Any:
    return icalendar.Calendar.from_ical(text)


def test_ics_parses_and_matches_json(tmp_path: Path) -> None:
    out = tmp_path / "han.ics"
    result = invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "90", "--format", "ics",
                    "--output", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert b"\r\n" in raw and raw.startswith(b"BEGIN:VCALENDAR")
    cal = parse_ics(raw.decode("utf-8"))
    events = list(cal.walk("VEVENT"))
    items = due_json(str(SAMPLES), "--as-of", "2023-11-15", "--within", "90")["items"]
    assert len(events) == len(items) > 0
    for ev, item in zip(events, items, strict=True):
        assert str(ev["uid"]) == item["uid"]
        start, end = ev.decoded("dtstart"), ev.decoded("dtend")
        assert type(start) is dt.date and start.isoformat() == item["due"]  # all-day
        assert end == start + dt.timedelta(days=1)
        assert str(ev["summary"]).startswith(item["rule"]) and item["unit"]["name"] in str(ev["summary"])
        assert item["title"] in str(ev["summary"])
        assert item["message"] in str(ev["description"])
        alarms = list(ev.walk("VALARM"))
        assert len(alarms) == 1 and alarms[0].decoded("trigger") == -dt.timedelta(days=7)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_ics_uids_stable_across_runs_and_dates() -> None:
    def uids(as_of: str) -> dict[tuple[str, str, str], str]:
        text = invoke("due", str(SAMPLES), "--as-of", as_of, "--within", "120", "--format", "ics").stdout
        cal = parse_ics(text)
        return {(str(e["categories"].cats[1]), str(e["categories"].cats[0]), e.decoded("dtstart").isoformat()):
                str(e["uid"]) for e in cal.walk("VEVENT")}

    first, again = uids("2023-11-15"), uids("2023-11-15")
    assert first == again
    later = uids("2023-12-01")
    common = set(first) & set(later)
    assert common and all(first[k] == later[k] for k in common)  # a calendar app updates, never duplicates
    a = invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "90", "--format", "ics").stdout
    b = invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "90", "--format", "ics").stdout
    assert a == b  # byte-identical: DTSTAMP is the evaluation date, not the clock


def test_ics_titles_follow_the_language() -> None:
    vi = parse_ics(invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "60", "--format", "ics").stdout)
    en = parse_ics(invoke("due", str(SAMPLES), "--as-of", "2023-11-15", "--within", "60", "--format", "ics",
                          "--lang", "en").stdout)
    vi_titles = [str(e["summary"]) for e in vi.walk("VEVENT")]
    en_titles = [str(e["summary"]) for e in en.walk("VEVENT")]
    assert any("Kiểm điểm tự phê bình" in t for t in vi_titles)
    assert any("self-criticism" in t.lower() or "review" in t.lower() for t in en_titles)
    assert vi_titles != en_titles


def test_bad_input_and_options(tmp_path: Path) -> None:
    bad = tmp_path / "hong.json"
    bad.write_text('{"unit": ', encoding="utf-8")
    good = SAMPLES / "dang-bo-so-y-te-tin-hieu-2023.json"
    result = invoke("due", str(bad), str(good), "--as-of", "2023-11-15", "--within", "90")
    assert result.exit_code == 2
    assert "hong.json" in result.stderr and "Traceback" not in result.output
    assert "KCQ.SYT" in result.stdout  # the other file is still listed
    assert invoke("due", str(good), "--within", "-1").exit_code == 2
    wrong = invoke("due", str(good), "--format", "xml", "--lang", "en")
    assert wrong.exit_code == 2 and "unknown --format 'xml'" in wrong.stderr


def test_what_is_expected_follows_the_kind_of_period() -> None:
    """KL21-11 repeats monthly (a regular meeting) and quarterly (a thematic meeting): a quarter's
    item asks for the thematic meeting, a month's for the regular one, in both languages and in
    the calendar's events, as the finding's own message says."""
    for lang, month_expect, quarter_expect in (("vi", "buổi sinh hoạt chi bộ thường kỳ", "buổi sinh hoạt chuyên đề"),
                                                ("en", "a regular branch meeting", "a thematic branch meeting")):
        items = [i for i in due_json(str(SAMPLES), "--as-of", "2022-11-15", "--within", "60", "--lang", lang)["items"]
                 if i["rule"] == "KL21-11"]
        kinds = {i["period"][4:6] for i in items}
        assert {"-Q", "-1"} <= kinds, kinds  # both a quarter and a month are due
        for item in items:
            expect = quarter_expect if "-Q" in item["period"] else month_expect
            assert item["expect"] == expect, item
            assert expect in item["message"], item
        result = invoke("due", str(SAMPLES), "--as-of", "2022-11-15", "--within", "60", "--lang", lang,
                        "--format", "ics")
        cal = icalendar.Calendar.from_ical(result.stdout)
        events = [e for e in cal.walk("VEVENT") if "KL21-11" in str(e.get("summary"))]
        quarter = [e for e in events if "Q4" in str(e.get("summary")) + str(e.get("description"))]
        assert quarter and all(quarter_expect in str(e.get("description")) for e in quarter)
    # any other rule keeps its one expectation
    other = [i for i in due_json(str(SAMPLES), "--as-of", "2022-11-15", "--within", "60")["items"]
             if i["rule"] != "KL21-11"]
    assert other and all(i["expect"] for i in other)
