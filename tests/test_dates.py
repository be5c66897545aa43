"""Dates as units write them (spec/submission.md, "Values")."""

from __future__ import annotations

import datetime as dt

import pytest

from kl21rules.dates import DateError, format_vi, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-18", dt.date(2022, 3, 18)),
        ("18/3/2022", dt.date(2022, 3, 18)),
        ("18/03/2022", dt.date(2022, 3, 18)),
        ("18-03-2022", dt.date(2022, 3, 18)),
        ("18-3-2022", dt.date(2022, 3, 18)),
        ("18.3.2022", dt.date(2022, 3, 18)),
        ("31.03.2022", dt.date(2022, 3, 31)),
        ("1/1/2023", dt.date(2023, 1, 1)),
        ("01/01/2023", dt.date(2023, 1, 1)),
        ("  18/3/2022\n", dt.date(2022, 3, 18)),
        ("\t2022-03-18 ", dt.date(2022, 3, 18)),
        ("29/2/2024", dt.date(2024, 2, 29)),
        ("31/12/2022", dt.date(2022, 12, 31)),
    ],
)
def test_accepted_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_day_first_never_month_first() -> None:
    assert parse_date("03/04/2022") == dt.date(2022, 4, 3)
    assert parse_date("12/01/2022") == dt.date(2022, 1, 12)
    # 13 cannot be a month, and it is not silently read as one either way round
    assert parse_date("13/01/2022") == dt.date(2022, 1, 13)
    with pytest.raises(DateError):
        parse_date("01/13/2022")


def test_date_object_passes_through() -> None:
    day = dt.date(2022, 3, 18)
    assert parse_date(day) is day


def test_datetime_is_refused() -> None:
    with pytest.raises(DateError) as info:
        parse_date(dt.datetime(2022, 3, 18, 10, 30))
    assert "giờ" in info.value.vi
    assert "time" in info.value.en


@pytest.mark.parametrize(
    ("text", "vi_part", "en_part"),
    [
        ("31/2/2022", "ngày 31 không có trong tháng 2/2022", "February 2022 has no day 31"),
        ("2022-02-30", "ngày 30 không có trong tháng 2/2022", "February 2022 has no day 30"),
        ("29/2/2023", "ngày 29 không có trong tháng 2/2023", "February 2023 has no day 29"),
        ("31-04-2022", "ngày 31 không có trong tháng 4/2022", "April 2022 has no day 31"),
        ("0/1/2022", "ngày 0 không có trong tháng 1/2022", "January 2022 has no day 0"),
        ("1/13/2022", "không có tháng 13", "there is no month 13"),
        ("2022-00-10", "không có tháng 0", "there is no month 0"),
        ("1/1/0000", "không có năm 0", "there is no year 0"),
    ],
)
def test_impossible_dates_are_refused(text: str, vi_part: str, en_part: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    error = info.value
    assert vi_part in error.vi
    assert en_part in error.en
    assert error.vi.startswith("Ngày không hợp lệ: ")
    assert "18/3/2022" in error.vi and "18/3/2022" in error.en  # says which forms to use


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "2022/03/18",
        "18.3/2022",  # two different separators
        "18/3/22",
        "18/03-2022",  # two different separators
        "2022-3-18",  # ISO has two-digit month and day
        "18/3/2022 10:00",
        "18/3/2022x",
        "ngày 18 tháng 3 năm 2022",
        "１８/３/２０２２",  # full-width digits
        "١٨/٣/٢٠٢٢",  # Arabic-Indic digits: \d would take them
        "123/3/2022",
        "18/3/20222",
        20220318,
        None,
        True,
        18.3,
        ["18/3/2022"],
    ],
)
def test_other_values_are_refused(value: object) -> None:
    with pytest.raises(DateError) as info:
        parse_date(value)
    assert info.value.vi and info.value.en
    assert info.value.vi != info.value.en


def test_date_error_is_a_value_error_in_vietnamese_first() -> None:
    with pytest.raises(ValueError) as info:
        parse_date("31/2/2022")
    assert isinstance(info.value, DateError)
    assert str(info.value) == info.value.vi


def test_long_value_is_cut_short_in_the_message() -> None:
    with pytest.raises(DateError) as info:
        parse_date("x" * 10_000)
    assert len(info.value.vi) < 300 and len(info.value.en) < 300


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2022, 3, 18), "18/3/2022"),
        (dt.date(2022, 1, 1), "1/1/2022"),
        (dt.date(2025, 12, 31), "31/12/2025"),
    ],
)
def test_format_vi(day: dt.date, text: str) -> None:
    assert format_vi(day) == text


def test_format_vi_reads_back() -> None:
    day = dt.date(2020, 1, 1)
    while day.year < 2026:
        assert parse_date(format_vi(day)) == day
        assert parse_date(day.isoformat()) == day
        day += dt.timedelta(days=1)


def test_today_is_the_date_in_vietnam() -> None:
    from kl21rules.dates import today_vn

    # 18:30 UTC on 31 March is already 1 April in Hà Nội (UTC+7); 16:59 UTC is still 31 March.
    assert today_vn(dt.datetime(2022, 3, 31, 18, 30, tzinfo=dt.timezone.utc)) == dt.date(2022, 4, 1)
    assert today_vn(dt.datetime(2022, 3, 31, 16, 59, tzinfo=dt.timezone.utc)) == dt.date(2022, 3, 31)


def test_as_of_today_is_accepted() -> None:
    from typer.testing import CliRunner

    from kl21rules.cli import app
    from kl21rules.dates import today_vn

    import json
    from pathlib import Path

    sample = str(Path(__file__).resolve().parents[1] / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml")
    for word in ("today", "Hôm nay"):
        before = today_vn()
        result = CliRunner().invoke(app, ["check", sample, "--as-of", word, "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        as_of = json.loads(result.stdout)["files"][0]["as_of"]
        assert as_of in (before.isoformat(), today_vn().isoformat())  # a run across midnight
