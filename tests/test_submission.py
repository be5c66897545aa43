"""The submission contract (spec/submission.md): the model's fields, its cross-field checks, and
the input errors a unit gets for each mistake — code, JSON pointer and line, in JSON and in YAML.

Documents are written out as text (YAML by PyYAML, JSON by the stdlib) and read back through the
real loader, so the lines checked are the lines a user would see in their editor. The expected
line is found by searching the written text for the key at fault, never typed in by hand.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import Any

import pytest
import yaml

from kl21rules.diagnostics import InputError
from kl21rules.loader import load_bytes
from kl21rules.submission import SCHEMA_ID, Submission
from kl21rules.validate import validate_document

FORMATS = ("yaml", "json")

BASE: dict[str, Any] = {
    "schema": SCHEMA_ID,
    "report": {
        "number": "15-BC/ĐU",
        "date": "2022-12-15",
        "period": {"start": "2022-01-01", "end": "2022-12-31"},
    },
    "unit": {
        "id": "KCQ.STC",
        "name": "Đảng bộ Sở Tài chính",
        "kind": "dang_bo_co_so",
        "parent": "KCQ",
        "members": 86,
        "term": {"start": "2020-06-18", "end": "2025-06-30"},
        "sensitive_areas": ["finance"],
    },
    "signals": [
        {"id": "S-2022-01", "kind": "violation", "date": "2022-06-02", "summary": "Vi phạm quy chế chi tiêu"},
    ],
    "activities": [
        {"id": "HN-01", "type": "study_session", "date": "2022-03-18", "mode": "in_person",
         "expected": 86, "attendees": 80, "ref": "Biên bản 03/BB-ĐU"},
        {"id": "KH-01", "type": "implementation_plan", "date": "2022-03-25", "number": "05-KH/ĐU",
         "tasks": [{"task": "Quán triệt", "owner": "Ban Tuyên giáo", "due": "2022-03-31",
                    "outcome": "100% đảng viên", "accountable": "Bí thư"}]},
        {"id": "RP-01", "type": "remediation_plan", "date": "2022-06-20", "signal": "S-2022-01"},
        {"id": "GS-01", "type": "supervision", "date": "2022-10-10", "topics": ["kl21"],
         "remediation": "RP-01"},
        {"id": "XL-01", "type": "discipline", "date": "2022-07-01", "signal": "S-2022-01",
         "outcome": "reprimand"},
        {"id": "KD-01", "type": "responsibility_review", "date": "2022-06-15", "signal": "S-2022-01"},
        {"id": "XL-02", "type": "quality_rating", "year": 2022, "organisation": "good",
         "members": {"excellent": 5, "good": 60, "complete": 20, "incomplete": 1}},
        {"id": "PT-01", "type": "confidence_vote", "date": "2022-10-01", "persons": 12, "low_confidence": 1},
    ],
}


def base() -> dict[str, Any]:
    """A fresh copy of a valid submission that uses every cross-field feature."""
    return copy.deepcopy(BASE)


def dump(data: Any, fmt: str) -> str:
    """``data`` written as a user's file would be, one key per line."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def validate_text(text: str, fmt: str) -> tuple[Submission | None, list[InputError]]:
    """Load text through the real loader and validate it."""
    document, errors = load_bytes(text.encode("utf-8"), fmt)
    assert document is not None, f"the loader refused the test document: {errors}"
    return validate_document(document.data, document.line_of)


def validate_data(data: Any, fmt: str = "yaml") -> tuple[Submission | None, list[InputError]]:
    return validate_text(dump(data, fmt), fmt)


def line_of_key(text: str, fmt: str, key: str, occurrence: int = 1) -> int:
    """The line of the ``occurrence``-th place where ``key`` is written as a mapping key."""
    pattern = re.compile(rf'"{re.escape(key)}":' if fmt == "json" else rf'(?<![\w"\'-]){re.escape(key)}:')
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"key {key!r} (occurrence {occurrence}) not in the text")


def only_error(data: Any, fmt: str) -> tuple[InputError, str]:
    text = dump(data, fmt)
    submission, errors = validate_text(text, fmt)
    assert submission is None
    assert len(errors) == 1, errors
    return errors[0], text


def test_base_is_valid() -> None:
    for fmt in FORMATS:
        submission, errors = validate_data(base(), fmt)
        assert errors == []
        assert submission is not None
        assert submission.unit.id == "KCQ.STC"
        assert [a.type for a in submission.activities][:2] == ["study_session", "implementation_plan"]


# --- Cross-field checks: one failing input and one passing input each ---------------------------

# (name, mutation, code, pointer, key at fault, its occurrence in the written text)
CROSS_FIELD_FAILURES = [
    (
        "duplicate activity id",
        lambda d: d["activities"][3].update(id="HN-01"),
        "duplicate-id", "/activities/3/id", "id", None,
    ),
    (
        "duplicate signal id",
        lambda d: d["signals"].append({"id": "S-2022-01", "kind": "corruption", "date": "2022-08-01"}),
        "duplicate-id", "/signals/1/id", "id", None,
    ),
    (
        "responsibility_review names no signal",
        lambda d: d["activities"][5].update(signal="S-2099-09"),
        "reference", "/activities/5/signal", "signal", 3,
    ),
    (
        "remediation_plan names no signal",
        lambda d: d["activities"][2].update(signal="S-2099-09"),
        "reference", "/activities/2/signal", "signal", 1,
    ),
    (
        "discipline names no signal",
        lambda d: d["activities"][4].update(signal="S-2099-09"),
        "reference", "/activities/4/signal", "signal", 2,
    ),
    (
        "supervision names no activity",
        lambda d: d["activities"][3].update(remediation="RP-99"),
        "reference", "/activities/3/remediation", "remediation", 1,
    ),
    (
        "supervision names an activity that is not a remediation_plan",
        lambda d: d["activities"][3].update(remediation="HN-01"),
        "reference", "/activities/3/remediation", "remediation", 1,
    ),
    (
        "inspection names no remediation_plan",
        lambda d: d["activities"].append({"type": "inspection", "date": "2022-11-01", "remediation": "KH-01"}),
        "reference", "/activities/8/remediation", "remediation", 2,
    ),
    (
        "more attendees than expected",
        lambda d: d["activities"][0].update(attendees=87),
        "count", "/activities/0/attendees", "attendees", 1,
    ),
    (
        "more low-confidence votes than persons",
        lambda d: d["activities"][7].update(low_confidence=13),
        "count", "/activities/7/low_confidence", "low_confidence", 1,
    ),
    (
        "term ends before it starts",
        lambda d: d["unit"]["term"].update(end="2019-12-31"),
        "term", "/unit/term/end", "end", 2,
    ),
    (
        "term ends the day it starts",
        lambda d: d["unit"]["term"].update(end="18/6/2020"),
        "term", "/unit/term/end", "end", 2,
    ),
    (
        "report period ends before it starts",
        lambda d: d["report"]["period"].update(end="2021-12-31"),
        "period", "/report/period/end", "end", 1,
    ),
    (
        "department unit without department",
        lambda d: d["unit"].update(kind="department"),
        "missing-field", "/unit/department", "unit", 1,
    ),
    (
        "grassroots unit with a department",
        lambda d: d["unit"].update(department="ubkt"),
        "value", "/unit/department", "department", 1,
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "mutate, code, pointer, key, occurrence",
    [case[1:] for case in CROSS_FIELD_FAILURES],
    ids=[case[0] for case in CROSS_FIELD_FAILURES],
)
def test_cross_field_check_fails(fmt: str, mutate: Any, code: str, pointer: str, key: str,
                                 occurrence: int | None) -> None:
    data = base()
    mutate(data)
    error, text = only_error(data, fmt)
    assert (error.code, error.pointer) == (code, pointer)
    if occurrence is None:  # a duplicate id: the line of the second use of the id
        value = error.en.split("'")[1]
        needle = f'"id": "{value}"' if fmt == "json" else f"id: {value}"
        lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
        assert len(lines) == 2
        assert error.line == lines[1]
    else:
        assert error.line == line_of_key(text, fmt, key, occurrence)
    assert error.vi and error.en and error.vi != error.en


CROSS_FIELD_PASSES = [
    ("activities without ids", lambda d: [a.pop("id") for a in d["activities"][:2]]),
    ("the same id for an activity and a signal", lambda d: d["activities"][0].update(id="S-2022-01")),
    ("two signals with different ids",
     lambda d: d["signals"].append({"id": "S-2022-02", "kind": "corruption", "date": "2022-08-01"})),
    ("inspection following up a remediation plan",
     lambda d: d["activities"].append({"type": "inspection", "date": "2022-11-01", "remediation": "RP-01"})),
    ("attendees equal to expected", lambda d: d["activities"][0].update(attendees=86)),
    ("attendees without expected", lambda d: d["activities"][0].pop("expected")),
    ("low confidence equal to persons", lambda d: d["activities"][7].update(low_confidence=12)),
    ("counts of zero", lambda d: d["activities"][0].update(expected=0, attendees=0)),
    ("term without an end", lambda d: d["unit"]["term"].pop("end")),
    ("term one day long", lambda d: d["unit"]["term"].update(start="2020-06-18", end="2020-06-19")),
    ("report period of one day", lambda d: d["report"]["period"].update(start="2022-12-31")),
    ("department unit with its department",
     lambda d: d["unit"].update(kind="department", department="tochuc")),
    ("grassroots unit with department null", lambda d: d["unit"].update(department=None)),
    ("no signals and no references",
     lambda d: (d.update(signals=[]), d.update(activities=d["activities"][:2]))),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mutate", [c[1] for c in CROSS_FIELD_PASSES], ids=[c[0] for c in CROSS_FIELD_PASSES])
def test_cross_field_check_passes(fmt: str, mutate: Any) -> None:
    data = base()
    mutate(data)
    submission, errors = validate_data(data, fmt)
    assert errors == []
    assert submission is not None


COUNT_FIELDS = [
    ("/unit/members", lambda d, v: d["unit"].update(members=v)),
    ("/activities/0/expected", lambda d, v: (d["activities"][0].update(expected=v), d["activities"][0].pop("attendees"))),
    ("/activities/0/attendees", lambda d, v: d["activities"][0].update(attendees=v)),
    ("/activities/6/members/good", lambda d, v: d["activities"][6]["members"].update(good=v)),
    ("/activities/7/persons", lambda d, v: d["activities"][7].update(persons=v, low_confidence=0)),
    ("/activities/7/low_confidence", lambda d, v: d["activities"][7].update(low_confidence=v)),
    ("/activities/8/participants",
     lambda d, v: d["activities"].append({"type": "theory_training", "date": "2022-07-01", "participants": v})),
    ("/activities/8/declared",
     lambda d, v: d["activities"].append({"type": "asset_declaration", "year": 2022, "obligated": 3, "declared": v})),
    ("/activities/8/recipients",
     lambda d, v: d["activities"].append({"type": "commendation", "date": "2022-11-01", "recipients": v})),
]


@pytest.mark.parametrize("pointer, setter", COUNT_FIELDS, ids=[c[0] for c in COUNT_FIELDS])
def test_counts_must_not_be_negative(pointer: str, setter: Any) -> None:
    data = base()
    setter(data, -1)
    submission, errors = validate_data(data)
    assert submission is None
    assert [(e.code, e.pointer) for e in errors] == [("value", pointer)]
    assert "≥ 0" in errors[0].en
    data = base()
    setter(data, 0)
    assert validate_data(data)[1] == []


# --- The schema version ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_schema_version_missing(fmt: str) -> None:
    data = base()
    del data["schema"]
    error, _ = only_error(data, fmt)
    assert (error.code, error.pointer, error.line) == ("schema-version", "", 1)
    assert SCHEMA_ID in error.vi and SCHEMA_ID in error.en


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("version", ["kl21rules/submission/v2", "v1", 1])
def test_schema_version_unknown_is_the_only_error(fmt: str, version: Any) -> None:
    data = base()
    data["schema"] = version
    data["unit"]["memebrs"] = 3  # not reported: the file is judged by a contract it does not use
    error, text = only_error(data, fmt)
    assert (error.code, error.pointer) == ("schema-version", "/schema")
    assert error.line == line_of_key(text, fmt, "schema")
    assert repr(version) in error.en


# --- Unknown fields, with did-you-mean -----------------------------------------------------

UNKNOWN_FIELDS = [
    ("top level", lambda d: d.__setitem__("activites", []), "/activites", "activities"),
    ("report", lambda d: d["report"].__setitem__("nubmer", "x"), "/report/nubmer", "number"),
    ("report period", lambda d: d["report"]["period"].__setitem__("ned", "2022-12-31"),
     "/report/period/ned", "end"),
    ("unit", lambda d: d["unit"].__setitem__("memebrs", 3), "/unit/memebrs", "members"),
    ("unit term", lambda d: d["unit"]["term"].__setitem__("ende", "2025-06-30"), "/unit/term/ende", "end"),
    ("signal", lambda d: d["signals"][0].__setitem__("sumary", "x"), "/signals/0/sumary", "summary"),
    ("activity", lambda d: d["activities"][0].__setitem__("attendess", 3), "/activities/0/attendess",
     "attendees"),
    ("activity field of another type", lambda d: d["activities"][0].__setitem__("participant", 3),
     "/activities/0/participant", None),
    ("plan task", lambda d: d["activities"][1]["tasks"][0].__setitem__("owenr", "x"),
     "/activities/1/tasks/0/owenr", "owner"),
    ("member ratings", lambda d: d["activities"][6]["members"].__setitem__("excelent", 1),
     "/activities/6/members/excelent", "excellent"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "mutate, pointer, suggestion", [c[1:] for c in UNKNOWN_FIELDS], ids=[c[0] for c in UNKNOWN_FIELDS]
)
def test_unknown_field(fmt: str, mutate: Any, pointer: str, suggestion: str | None) -> None:
    data = base()
    mutate(data)
    error, text = only_error(data, fmt)
    field = pointer.rsplit("/", 1)[1]
    assert (error.code, error.pointer) == ("unknown-field", pointer)
    assert error.line == line_of_key(text, fmt, field)
    assert f"'{field}'" in error.vi and f"'{field}'" in error.en
    if suggestion is None:
        assert "Did you mean" not in error.en
    else:
        assert f"Did you mean '{suggestion}'?" in error.en
        assert f"Có phải là '{suggestion}'?" in error.vi


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_activity_type_suggests_the_nearest(fmt: str) -> None:
    data = base()
    data["activities"][3]["type"] = "supervison"
    error, text = only_error(data, fmt)
    assert (error.code, error.pointer) == ("unknown-activity-type", "/activities/3")
    id_line = next(n for n, line in enumerate(text.splitlines(), 1) if "GS-01" in line)
    # The item starts on its first key in YAML ("- id: GS-01"), on its "{" in JSON.
    assert error.line == (id_line if fmt == "yaml" else id_line - 1)
    assert "Did you mean 'supervision'?" in error.en
    assert "Có phải là 'Giám sát' (supervision)?" in error.vi


def test_unknown_activity_type_without_a_near_match_lists_the_types() -> None:
    data = base()
    data["activities"][0]["type"] = "picnic"
    error, _ = only_error(data, "yaml")
    assert error.code == "unknown-activity-type"
    assert "Did you mean" not in error.en
    assert "study_session" in error.en and "deliverable" in error.en


def test_activity_without_type() -> None:
    data = base()
    del data["activities"][2]["type"]
    error, _ = only_error(data, "json")
    assert (error.code, error.pointer) == ("missing-field", "/activities/2")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("tag", [["inspection"], {"a": 1}, 3, None])
def test_activity_type_that_is_not_text(fmt: str, tag: Any) -> None:
    """An error at its place, not a crash (a list or object used to stop the check of the file)."""
    data = base()
    data["activities"][2]["type"] = tag
    data["activities"][2]["replaces"] = "QT-01"
    errors = validate_text(dump(data, fmt), fmt)[1]
    assert [e.pointer for e in errors] == ["/activities/2"], errors
    assert errors[0].code in ("unknown-activity-type", "missing-field")


def test_activity_that_is_not_a_mapping() -> None:
    data = base()
    data["activities"].append("hội nghị")
    error, _ = only_error(data, "yaml")
    assert (error.code, error.pointer) == ("type", "/activities/8")
    assert "activities" in error.en


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_required_field_points_at_its_place_and_the_parents_line(fmt: str) -> None:
    data = base()
    del data["unit"]["name"]
    error, text = only_error(data, fmt)
    assert (error.code, error.pointer) == ("missing-field", "/unit/name")
    assert error.line == line_of_key(text, fmt, "unit")


# --- Strict types ---------------------------------------------------------------------------

STRICT = [
    ("string for an int", lambda d: d["unit"].update(members="80"), "/unit/members", "whole number"),
    ("true for an int", lambda d: d["unit"].update(members=True), "/unit/members", "whole number"),
    ("float for an int", lambda d: d["activities"][0].update(attendees=80.0), "/activities/0/attendees",
     "whole number"),
    ("string for a year", lambda d: d["activities"][6].update(year="2022"), "/activities/6/year",
     "whole number"),
    ("string for a bool", lambda d: d["activities"][0].update(makeup="yes"), "/activities/0/makeup",
     "true or false"),
    ("1 for a bool", lambda d: d["activities"][0].update(makeup=1), "/activities/0/makeup", "true or false"),
    ("number for a text", lambda d: d["unit"].update(id=123), "/unit/id", "text"),
    ("empty text", lambda d: d["unit"].update(name=""), "/unit/name", "empty"),
    ("mapping for a list", lambda d: d.update(signals={}), "/signals", "list"),
    ("value outside a choice", lambda d: d["activities"][0].update(mode="hybrid"), "/activities/0/mode",
     "Allowed values"),
    ("unknown unit kind", lambda d: d["unit"].update(kind="dang_bo"), "/unit/kind", "Allowed values"),
    ("number for a choice", lambda d: d["unit"].update(kind=3), "/unit/kind", "Allowed values"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mutate, pointer, words", [c[1:] for c in STRICT], ids=[c[0] for c in STRICT])
def test_strict_types(fmt: str, mutate: Any, pointer: str, words: str) -> None:
    data = base()
    mutate(data)
    error, text = only_error(data, fmt)
    assert error.pointer == pointer
    assert error.code in ("type", "value")
    assert words in error.en
    assert error.line == line_of_key(text, fmt, pointer.rsplit("/", 1)[1])


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2022-03-18", dt.date(2022, 3, 18)),
        ("18/3/2022", dt.date(2022, 3, 18)),
        ("18/03/2022", dt.date(2022, 3, 18)),
        ("18-03-2022", dt.date(2022, 3, 18)),
        ("18-3-2022", dt.date(2022, 3, 18)),
        ("18.3.2022", dt.date(2022, 3, 18)),
        ("18.03.2022", dt.date(2022, 3, 18)),
        ("03/04/2022", dt.date(2022, 4, 3)),  # day first: 3 April, never 4 March
        ("3/4/2022", dt.date(2022, 4, 3)),
        ("29/2/2024", dt.date(2024, 2, 29)),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_accepted(fmt: str, written: str, expected: dt.date) -> None:
    data = base()
    data["activities"][0]["date"] = written
    data["unit"]["term"]["start"] = written
    submission, errors = validate_data(data, fmt)
    assert errors == []
    assert submission is not None
    assert submission.activities[0].date == expected
    assert submission.unit.term is not None and submission.unit.term.start == expected


@pytest.mark.parametrize("written", ["2022-03-18", "18/3/2022", "18-03-2022", "18.3.2022"])
def test_dates_unquoted_in_yaml(written: str) -> None:
    text = dump(base(), "yaml").replace("date: '2022-03-18'", f"date: {written}")
    assert f"date: {written}" in text
    submission, errors = validate_text(text, "yaml")
    assert errors == []
    assert submission is not None and submission.activities[0].date == dt.date(2022, 3, 18)


@pytest.mark.parametrize(
    "written, words",
    [
        ("31/2/2022", "has no day 31"),
        ("29/2/2023", "has no day 29"),
        ("2022-02-30", "has no day 30"),
        ("18/13/2022", "no month 13"),
        ("2022/03/18", "Not a date"),
        ("18.3-2022", "Not a date"),
        ("March 18, 2022", "Not a date"),
        ("2022-03-18T10:00:00", "Not a date"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_refused(fmt: str, written: str, words: str) -> None:
    data = base()
    data["activities"][2]["date"] = written
    error, text = only_error(data, fmt)
    assert (error.code, error.pointer) == ("date", "/activities/2/date")
    assert words in error.en
    assert written in error.vi
    assert error.line == line_of_key(text, fmt, "date", 5)  # report, signal, activities 0, 1, 2


def test_yaml_timestamp_with_a_time_is_refused() -> None:
    text = dump(base(), "yaml").replace("date: '2022-06-20'", "date: 2022-06-20 08:30:00")
    assert "date: 2022-06-20 08:30:00" in text
    submission, errors = validate_text(text, "yaml")
    assert submission is None
    assert [(e.code, e.pointer) for e in errors] == [("date", "/activities/2/date")]
    assert "without a time" in errors[0].en
    assert errors[0].line == line_of_key(text, "yaml", "date", 5)


def test_number_for_a_date_is_refused() -> None:
    data = base()
    data["activities"][0]["date"] = 20220318
    error, _ = only_error(data, "json")
    assert (error.code, error.pointer) == ("date", "/activities/0/date")


def test_year_activity_needs_year_and_dates_it_31_december() -> None:
    data = base()
    rating = data["activities"][6]
    submission, _ = validate_data(data)
    assert submission is not None and submission.activities[6].effective_date() == dt.date(2022, 12, 31)
    del rating["year"]
    error, _ = only_error(data, "yaml")
    assert (error.code, error.pointer) == ("missing-field", "/activities/6/year")


@pytest.mark.parametrize("kind, extra", [
    ("self_criticism", {"collective": True, "members": True}),
    ("quality_rating", {"organisation": "good"}),
    ("asset_declaration", {"obligated": 2, "declared": 2}),
])
def test_a_yearly_review_dated_before_its_year_is_refused(kind: str, extra: dict[str, Any]) -> None:
    """A 2022 review, rating or declaration dated 31/12/2021 would count as done for 2022 (a wrong
    pass): the year is judged by work done in or after it. Dated 1/1/2022 it is accepted."""
    data = base()
    data["activities"].append({"type": kind, "year": 2022, "date": "2021-12-31", **extra})
    error, _ = only_error(data, "yaml")
    assert (error.code, error.pointer) == ("year", f"/activities/{len(data['activities']) - 1}/year")
    assert "31/12/2021" in error.vi and "2022" in error.vi and "cannot be for 2022" in error.en
    data["activities"][-1]["date"] = "2022-01-01"
    submission, errors = validate_data(data)
    assert errors == [] and submission is not None


def test_a_yearly_programme_may_be_adopted_the_year_before_but_not_earlier() -> None:
    data = base()
    data["activities"].append({"type": "inspection_programme", "year": 2023, "date": "2022-12-20"})
    submission, errors = validate_data(data)
    assert errors == [] and submission is not None
    data["activities"][-1]["year"] = 2024
    error, _ = only_error(data, "json")
    assert (error.code, error.pointer) == ("year", f"/activities/{len(data['activities']) - 1}/year")
    assert "the programme for 2024" in error.en


# --- Every error of a file ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_error_of_a_file_is_reported_in_file_order(fmt: str) -> None:
    data = base()
    data["unit"]["memebrs"] = 86                        # unknown field
    data["activities"][0]["date"] = "31/2/2022"         # impossible date
    data["activities"][4]["signal"] = "S-2099-09"       # a reference to nothing
    text = dump(data, fmt)
    submission, errors = validate_text(text, fmt)
    assert submission is None
    assert [(e.code, e.pointer) for e in errors] == [
        ("unknown-field", "/unit/memebrs"),
        ("date", "/activities/0/date"),
        ("reference", "/activities/4/signal"),
    ]
    assert [e.line for e in errors] == [
        line_of_key(text, fmt, "memebrs"),
        line_of_key(text, fmt, "date", 3),  # after report.date and the signal's date
        line_of_key(text, fmt, "signal", 2),
    ]


def test_cross_field_errors_are_reported_beside_model_errors() -> None:
    data = base()
    data["activities"][0]["attendees"] = "80"           # a type error
    data["activities"][3]["id"] = "HN-01"               # a duplicate id
    data["activities"][7]["low_confidence"] = 20        # more than persons
    data["unit"]["term"]["end"] = "2020-01-01"          # term in the wrong order
    submission, errors = validate_data(data, "json")
    assert submission is None
    assert sorted((e.code, e.pointer) for e in errors) == [
        ("count", "/activities/7/low_confidence"),
        ("duplicate-id", "/activities/3/id"),
        ("term", "/unit/term/end"),
        ("type", "/activities/0/attendees"),
    ]
    lines = [e.line for e in errors]
    assert lines == sorted(lines)


def test_no_cascade_from_a_mistyped_value() -> None:
    """A value the model refuses is not judged again by the cross-field checks."""
    data = base()
    data["activities"][0]["attendees"] = "200"
    data["unit"]["term"]["end"] = "31/2/2025"
    submission, errors = validate_data(data)
    assert submission is None
    assert [(e.code, e.pointer) for e in errors] == [("date", "/unit/term/end"), ("type", "/activities/0/attendees")]


def test_a_document_that_is_not_a_mapping() -> None:
    for value in ([], "text", 3, None):
        submission, errors = validate_document(value)
        assert submission is None
        assert [(e.code, e.pointer) for e in errors] == [("type", "")]


def test_errors_without_a_line_source_have_none() -> None:
    data = base()
    data["unit"]["memebrs"] = 1
    submission, errors = validate_document(data)
    assert submission is None
    assert [(e.pointer, e.line) for e in errors] == [("/unit/memebrs", None)]


# --- Vietnamese labels of enumerated values (kl21rules.vocab) --------------------------------


def _with_labels(d: dict[str, Any]) -> None:
    d["unit"]["kind"] = "Đảng Bộ Cơ Sở"
    d["signals"][0]["kind"] = "vi pham"
    d["activities"][0]["mode"] = "truc tiep"
    d["activities"][0]["type"] = "Hội nghị nghiên cứu, quán triệt"
    d["activities"][4]["outcome"] = "  Khiển   trách "
    d["activities"][6]["organisation"] = "tốt"
    d["activities"][7]["type"] = "lay phieu tin nhiem"


@pytest.mark.parametrize("fmt", FORMATS)
def test_labels_as_typed_give_the_same_submission_as_codes(fmt: str) -> None:
    data = base()
    _with_labels(data)
    submission, errors = validate_data(data, fmt)
    expected, none = validate_data(base(), fmt)
    assert errors == [] and none == []
    assert submission is not None and expected is not None
    assert submission.model_dump() == expected.model_dump()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_labelled_kind_is_cross_checked(fmt: str) -> None:
    data = base()
    data["unit"]["kind"] = "ban cua dang uy khoi"  # department: needs 'department'
    error, _ = only_error(data, fmt)
    assert (error.code, error.pointer) == ("missing-field", "/unit/department")


@pytest.mark.parametrize(
    ("mutate", "pointer", "vi", "en"),
    [
        (lambda d: d["unit"].update(kind="chi bo co sou"), "/unit/kind",
         "Có phải là 'Chi bộ cơ sở' (chi_bo_co_so)?", "Did you mean 'chi_bo_co_so' (grassroots party cell)?"),
        (lambda d: d["activities"][0].update(mode="truc tiepp"), "/activities/0/mode",
         "Có phải là 'Trực tiếp' (in_person)?", "Did you mean 'in_person'?"),
        (lambda d: d["activities"][7].update(type="lay phieu tin nhiemm"), "/activities/7",
         "Có phải là 'Lấy phiếu tín nhiệm' (confidence_vote)?", "Did you mean 'confidence_vote'?"),
    ],
)
def test_a_value_near_a_label_gets_did_you_mean(mutate: Any, pointer: str, vi: str, en: str) -> None:
    data = base()
    mutate(data)
    error, _ = only_error(data, "yaml")
    assert error.pointer == pointer
    assert vi in error.vi and en in error.en
    assert " or " not in error.vi and "expected" not in error.vi
