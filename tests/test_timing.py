"""A plan task's timeline (``tasks[].due``, "rõ tiến độ" of KL21-04): dates, periods and the
recurring timings of the plan are recognised; blank or timeless words are not (issue #10)."""

from __future__ import annotations

import datetime as dt

import pytest

from kl21rules.timing import RECURRING, normalise, timing_kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (dt.date(2022, 3, 31), "date"),
        ("31/3/2022", "date"),
        ("2022-03-31", "date"),
        ("Hạn: 31/3/2022", "date"),
        ("Đến hết 31/12/2022", "date"),
        ("trước 30/6/2022", "date"),
        ("Quý I/2022", "period"),
        ("quý 1/2022", "period"),
        ("QUÝ IV NĂM 2023", "period"),
        ("Q2/2022", "period"),
        ("Tháng 5/2022", "period"),
        ("tháng 05/2022", "period"),
        ("(hoàn thành trong tháng 3/2022)", "period"),
        ("Năm 2023", "period"),
        ("2023", "period"),
        ("thực hiện trong năm 2022", "period"),
        ("6 tháng đầu năm 2022", "period"),
        ("từ năm 2022", "period"),
        ("Cuối năm 2022", "period"),
        ("đầu quý II/2023", "period"),
        ("giữa tháng 6/2022", "period"),
        ("đến năm 2025", "period"),
        ("Thường xuyên", "recurring"),
        ("THƯỜNG XUYÊN", "recurring"),
        ("Hằng năm", "recurring"),
        ("hàng năm", "recurring"),
        ("Hằng quý", "recurring"),
        ("Hằng tháng", "recurring"),
        ("thực hiện hằng năm từ 2022", "recurring"),
        ("(thực hiện thường xuyên hằng năm)", "recurring"),
        ("Định kỳ hằng quý", "recurring"),
        ("Hàng năm, từ năm 2022", "recurring"),
        ("Thu\u0300o\u031b\u0300ng xuye\u0302n", "recurring"),  # NFD, as Word on macOS writes it
    ],
)
def test_the_plans_timings_are_recognised(text: object, kind: str) -> None:
    assert timing_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    ["", "   ", "Định kỳ", "kịp thời", "sớm", "theo yêu cầu của cấp ủy cấp trên", "Quý V/2022", "Tháng 13/2022",
     "năm 1800", "abc 2022", "cuối năm", "cuối cuối năm 2022", "2022 abc", "trong", "31/2/2022", None, 5],
)
def test_blank_or_timeless_words_are_not_a_timeline(text: object) -> None:
    assert timing_kind(text) is None


def test_every_listed_recurring_timing_is_recognised_with_and_without_a_start_year() -> None:
    for words in RECURRING:
        assert timing_kind(words) == "recurring", words
        assert timing_kind(f"{words} từ năm 2022") == "recurring", words


def test_normalise_drops_case_diacritics_and_brackets() -> None:
    assert normalise("(Hằng Năm)") == "hang nam"
    assert normalise("  Đến   hết ") == "den het"


def _plan_with_due(due: object) -> dict[str, object]:
    return {"schema": "kl21rules/submission/v1", "unit": {"id": "T", "name": "Chi bộ", "kind": "chi_bo_co_so"},
            "activities": [{"type": "implementation_plan", "date": "2022-03-10", "tasks": [{"due": due}]}]}


@pytest.mark.parametrize(("due", "kept"), [("31/3/2022", dt.date(2022, 3, 31)), ("Quý I/2022", "Quý I/2022"),
                                           ("kịp thời", "kịp thời"), (2023, "2023")])
def test_the_model_keeps_a_date_as_a_date_and_words_as_written(due: object, kept: object) -> None:
    from kl21rules.validate import validate_document

    submission, errors = validate_document(_plan_with_due(due))
    assert submission is not None, errors
    assert submission.activities[0].tasks[0].due == kept  # type: ignore[attr-defined]


@pytest.mark.parametrize(("due", "words"), [("31/2/2022", "February 2022 has no day 31"),
                                            (True, "must be a date or text"), ([1], "must be a date or text")])
def test_an_impossible_date_or_a_wrong_type_is_still_an_input_error(due: object, words: str) -> None:
    from kl21rules.validate import validate_document

    submission, errors = validate_document(_plan_with_due(due))
    assert submission is None
    assert [e.pointer for e in errors] == ["/activities/0/tasks/0/due"]
    assert words in errors[0].en and errors[0].vi


def test_every_example_of_docs_records_md_is_recognised() -> None:
    """The table of timelines in docs/records.md is what the code accepts."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "records.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith(("| một ngày", "| một kỳ", "| một mốc"))]
    assert len(rows) == 3
    examples = [e for row in rows for e in re.findall(r"`([^`]+)`", row)]
    assert len(examples) >= 20
    for example in examples:
        assert timing_kind(example) is not None, example
