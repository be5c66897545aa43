"""``replaces``: a record that corrects another of the same type and year (issue #10).

The field is validated (the id exists, same type, same year, not itself, one replacement per
record, no cycle); a replaced record is not judged by any rule, and the report says which
record replaced which.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from kl21rules.check import CheckOptions, check_bytes
from kl21rules.packs import load_registry
from kl21rules.rules.facts import build_facts
from kl21rules.validate import validate_document

REGISTRY = load_registry()


def doc(*activities: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": "kl21rules/submission/v1",
        "unit": {"id": "T.1", "name": "Chi bộ thử", "kind": "chi_bo_co_so", "members": 40},
        "activities": list(activities),
    }


def rating(ident: str | None, day: str, good: int, year: int = 2022, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "quality_rating", "date": day, "year": year, "organisation": "good",
                           "members": {"good": good}, **extra}
    if ident is not None:
        out["id"] = ident
    return out


def errors_of(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    submission, errors = validate_document(data, None, REGISTRY.activity_types)
    assert (submission is None) == bool(errors)
    return [(e.pointer, e.vi, e.en) for e in errors]


def test_a_valid_replacement_is_accepted_and_the_replaced_record_is_not_a_fact() -> None:
    data = doc(rating("A", "2022-06-01", 45), rating("B", "2022-12-01", 40, replaces="A"))
    submission, errors = validate_document(data, None, REGISTRY.activity_types)
    assert submission is not None, errors
    facts = build_facts(submission, dt.date(2022, 12, 31))
    assert [d.pointer for d in facts.activities(("quality_rating",))] == ["/activities/1"]
    assert [(old.pointer, new.pointer) for old, new in facts.replaced] == [("/activities/0", "/activities/1")]


def test_a_replacement_after_as_of_does_not_replace_yet() -> None:
    data = doc(rating("A", "2022-06-01", 45), rating("B", "2022-12-01", 40, replaces="A"))
    submission, _ = validate_document(data, None, REGISTRY.activity_types)
    assert submission is not None
    facts = build_facts(submission, dt.date(2022, 11, 30))
    assert [d.pointer for d in facts.activities(("quality_rating",))] == ["/activities/0"]
    assert facts.replaced == ()


def test_a_chain_keeps_only_its_last_record() -> None:
    data = doc(rating("C", "2022-12-20", 40, replaces="B"), rating("A", "2022-06-01", 45),
               rating("B", "2022-09-01", 41, replaces="A"))
    submission, errors = validate_document(data, None, REGISTRY.activity_types)
    assert submission is not None, errors
    facts = build_facts(submission, dt.date(2022, 12, 31))
    assert [d.pointer for d in facts.activities(("quality_rating",))] == ["/activities/0"]
    # as of a day between the second and the third: B replaces A, B stands
    facts = build_facts(submission, dt.date(2022, 10, 1))
    assert [d.pointer for d in facts.activities(("quality_rating",))] == ["/activities/2"]


@pytest.mark.parametrize(
    ("activities", "pointer", "words"),
    [
        pytest.param([rating("A", "2022-06-01", 40, replaces="A")], "/activities/0/replaces", "itself",
                     id="self"),
        pytest.param([rating("A", "2022-06-01", 40), rating("B", "2022-07-01", 40, replaces="Z")],
                     "/activities/1/replaces", "No activity with id 'Z'", id="unknown id"),
        pytest.param([{"type": "self_criticism", "id": "A", "year": 2022, "collective": True},
                      rating("B", "2022-07-01", 40, replaces="A")],
                     "/activities/1/replaces", "its own type", id="other type"),
        pytest.param([{"type": "commendation", "id": "A", "date": "2022-05-01"},
                      rating("B", "2022-07-01", 40, replaces="A")],
                     "/activities/1/replaces", "its own type", id="a type without years"),
        pytest.param([rating("A", "2022-06-01", 40, year=2021), rating("B", "2022-07-01", 40, replaces="A")],
                     "/activities/1/replaces", "same year", id="other year"),
        pytest.param([rating("A", "2022-06-01", 40), rating("B", "2022-07-01", 40, replaces="A"),
                      rating("C", "2022-08-01", 40, replaces="A")],
                     "/activities/2/replaces", "already replaced by /activities/1", id="two replace one"),
    ],
)
def test_a_wrong_replacement_is_an_input_error(activities: list[dict[str, Any]], pointer: str, words: str) -> None:
    errors = errors_of(doc(*activities))
    assert [p for p, _, _ in errors] == [pointer]
    assert words in errors[0][2]
    assert errors[0][1]  # Vietnamese too


def test_a_cycle_is_an_input_error_on_each_of_its_records() -> None:
    # same dates: a cycle of dated records is otherwise refused as "dated before" first
    errors = errors_of(doc(rating("A", "2022-06-01", 40, replaces="C"), rating("B", "2022-06-01", 40, replaces="A"),
                           rating("C", "2022-06-01", 40, replaces="B")))
    assert [p for p, _, _ in errors] == ["/activities/0/replaces", "/activities/1/replaces", "/activities/2/replaces"]
    assert all("cycle (A → C → B → A)" in en for _, _, en in errors)
    assert all("vòng" in vi for _, vi, _ in errors)


def test_a_two_record_cycle_is_refused() -> None:
    undated = [{"type": "quality_rating", "id": i, "year": 2022, "replaces": r} for i, r in (("A", "B"), ("B", "A"))]
    errors = errors_of(doc(*undated))
    assert [p for p, _, _ in errors] == ["/activities/0/replaces", "/activities/1/replaces"]


def test_replaces_is_refused_on_a_type_that_is_not_a_yearly_record() -> None:
    data = doc({"type": "commendation", "date": "2022-05-01", "replaces": "X"})
    errors = errors_of(data)
    assert [p for p, _, _ in errors] == ["/activities/0/replaces"]


def test_an_error_is_reported_for_a_file_with_other_errors_too() -> None:
    data = doc(rating("A", "2022-06-01", 40, replaces="A"), {"type": "outreach", "date": "31/2/2022"})
    pointers = [p for p, _, _ in errors_of(data)]
    assert "/activities/0/replaces" in pointers and "/activities/1/date" in pointers


@pytest.mark.parametrize("lang_word", [("vi", "đã được thay bằng"), ("en", "replaced by")])
def test_the_report_says_which_record_replaced_which(lang_word: tuple[str, str]) -> None:
    lang, word = lang_word
    data = doc(rating(None, "2022-12-20", 40, replaces="A"), rating("A", "2022-06-01", 45))
    report = check_bytes("unit.json", json.dumps(data).encode(), REGISTRY,
                         CheckOptions(as_of=dt.date(2022, 12, 31)))
    assert not report.errors
    notices = [n for n in report.notices if n.code == "replaced"]
    assert len(notices) == 1
    assert notices[0].pointer == "/activities/1"
    text = notices[0].message(lang)
    assert word in text and "/activities/1 (A)" in text and "/activities/0" in text
    kl21_10 = [f for f in report.findings if f.rule == "KL21-10"]
    assert [f.status for f in kl21_10] == ["pass"]


def test_without_the_replacement_the_same_records_fail() -> None:
    """The control of the test above: the impossible record counts when nothing replaces it."""
    data = doc(rating(None, "2022-12-20", 40), rating("A", "2022-06-01", 45))
    report = check_bytes("unit.json", json.dumps(copy.deepcopy(data)).encode(), REGISTRY,
                         CheckOptions(as_of=dt.date(2022, 12, 31)))
    assert [f.status for f in report.findings if f.rule == "KL21-10"] == ["fail"]
    assert not [n for n in report.notices if n.code == "replaced"]


def test_a_correction_dated_before_the_record_it_replaces_is_refused() -> None:
    errors = errors_of(doc(rating("A", "2022-12-10", 45), rating("B", "2022-06-01", 40, replaces="A")))
    assert [p for p, _, _ in errors] == ["/activities/1/replaces"]
    assert "can only correct an earlier one" in errors[0][2]
    # undated records (taken as 31/12) are not compared: the order of dates is unknown
    assert errors_of(doc({"type": "quality_rating", "id": "A", "year": 2022, "organisation": "good"},
                         rating("B", "2022-06-01", 40, replaces="A"))) == []


@pytest.mark.parametrize(("kind", "extra", "allowed"), [
    ("deliverable", {"code": "btv_example_plan"}, (2021, 2022, 2023)),
    ("report", {"subject": "kl21", "sent_to": "btv_duk"}, (2021, 2022)),  # never about a year to come
])
def test_the_year_of_a_report_or_deliverable_is_its_dates_or_next_to_it(kind: str, extra: dict[str, Any],
                                                                        allowed: tuple[int, ...]) -> None:
    for year in range(2020, 2025):
        ok = year in allowed
        errors = errors_of(doc({"type": kind, "date": "2022-12-20", "year": year, **extra}))
        assert (errors == []) is ok, (year, errors)
        if not ok:
            assert [p for p, _, _ in errors] == ["/activities/0/year"]


def test_the_example_of_docs_records_md_is_valid_and_passes() -> None:
    import re
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "records.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    data = doc(*yaml.safe_load(block.group(1))["activities"])
    report = check_bytes("unit.yaml", yaml.safe_dump(data, allow_unicode=True).encode(), REGISTRY,
                         CheckOptions(as_of=dt.date(2022, 12, 31)))
    assert not report.errors
    assert [f.status for f in report.findings if f.rule == "KL21-10"] == ["pass"]
    assert [n.pointer for n in report.notices if n.code == "replaced"] == ["/activities/0"]
