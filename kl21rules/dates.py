"""Dates as units write them: ISO ``2022-03-18`` or Vietnamese day-first ``18/3/2022``.

Submissions come from Word, Excel and hand-typed YAML, so a date may arrive as a
:class:`datetime.date` (a YAML timestamp) or as text in one of the forms the spec allows
(``spec/submission.md``, "Values"). Day-first is the only reading of ``03/04/2022``: it is
3 April, never 4 March, because that is how every Vietnamese document writes dates.
"""

from __future__ import annotations

import calendar
import datetime
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kl21rules.diagnostics import InputError

__all__ = ["DateError", "parse_date", "format_vi", "today_vn", "VIETNAM", "add_days", "year_bounds", "PLAN_DATE", "report_date_error"]

#: Vietnam's time zone (Asia/Ho_Chi_Minh): UTC+7 all year, no daylight saving since 1975, so a
#: fixed offset is exact and needs no time-zone database (Windows has none for zoneinfo).
VIETNAM = datetime.timezone(datetime.timedelta(hours=7), "ICT")

# One compiled pattern, matched once per value: this runs on every date of every submission,
# and strptime (locale machinery, one format at a time) costs several times more.
# ASCII digits only: ``\d`` would also accept Arabic-Indic or full-width digits.
_DATE_RE = re.compile(
    r"(?P<iy>[0-9]{4})-(?P<im>[0-9]{2})-(?P<id>[0-9]{2})"
    r"|(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})"
)

_FORMS_VI = "dùng dạng 2022-03-18, 18/3/2022 hoặc 18.3.2022 (ngày trước, tháng sau)"
_FORMS_EN = "use 2022-03-18, 18/3/2022 or 18.3.2022 (day first, then month)"

_MONTHS_EN = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class DateError(ValueError):
    """A value that is not a valid date; carries the message in Vietnamese and English.

    ``str(error)`` is the Vietnamese message, so that a pydantic validator raising it shows
    the user's language by default; :attr:`en` holds the English one.
    """

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.vi = vi
        self.en = en


def _shown(value: object) -> str:
    """The value as quoted in a message, cut short: a message must not carry a whole file."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_date(value: object) -> datetime.date:
    """Read a date from a submission value.

    Accepts a :class:`datetime.date` as it is, ISO ``2022-03-18``, and the day-first forms
    ``18/3/2022``, ``18/03/2022``, ``18-03-2022``, ``18-3-2022``, ``18.3.2022`` (day and month of one or two
    digits, a four-digit year, one separator used twice); surrounding whitespace is ignored.

    :raises DateError: for a date with a time (``datetime.datetime``), another type, text in
        another form, or a day that does not exist (``31/2/2022``, ``2022-02-30``).
    """
    # datetime is a subclass of date: test it first, a time part is a mistake worth naming.
    if isinstance(value, datetime.datetime):
        raise DateError(
            f"Cần một ngày không kèm giờ, nhận được {_shown(value.isoformat())}; {_FORMS_VI}",
            f"Expected a date without a time, got {_shown(value.isoformat())}; {_FORMS_EN}",
        )
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise DateError(
            f"Cần một ngày (văn bản), nhận được {_shown(value)}; {_FORMS_VI}",
            f"Expected a date (text), got {_shown(value)}; {_FORMS_EN}",
        )
    match = _DATE_RE.fullmatch(value.strip())
    if match is None:
        raise DateError(
            f"Ngày không đúng dạng: {_shown(value)}; {_FORMS_VI}",
            f"Not a date: {_shown(value)}; {_FORMS_EN}",
        )
    iso_year = match["iy"]
    if iso_year is not None:
        year, month, day = int(iso_year), int(match["im"]), int(match["id"])
    else:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    try:
        return datetime.date(year, month, day)
    except ValueError:
        pass
    # The slow path only runs for a bad date: say exactly what is wrong with it.
    if not 1 <= month <= 12:
        why_vi, why_en = f"không có tháng {month}", f"there is no month {month}"
    elif year < datetime.MINYEAR:
        why_vi, why_en = f"không có năm {year}", f"there is no year {year}"
    else:
        last = calendar.monthrange(year, month)[1]
        why_vi = f"ngày {day} không có trong tháng {month}/{year}, tháng này có {last} ngày"
        why_en = f"{_MONTHS_EN[month]} {year} has no day {day}, it has {last} days"
    raise DateError(
        f"Ngày không hợp lệ: {_shown(value)} ({why_vi}); {_FORMS_VI}",
        f"Invalid date: {_shown(value)} ({why_en}); {_FORMS_EN}",
    )


def today_vn(now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in Vietnam (Asia/Ho_Chi_Minh), whatever the machine's time zone.

    :param now: an aware moment to take instead of the clock (for tests).
    """
    moment = now if now is not None else datetime.datetime.now(datetime.timezone.utc)
    return moment.astimezone(VIETNAM).date()


def format_vi(d: datetime.date) -> str:
    """A date as Vietnamese messages write it: ``18/3/2022``, without leading zeros."""
    return f"{d.day}/{d.month}/{d.year}"


def add_days(day: datetime.date, days: int) -> datetime.date:
    """``day`` plus ``days``, held within the calendar (a due date past 31/12/9999 is that day):
    evaluation dates reach 9999-12-30 (``--as-of``) and a window after them must not overflow."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``year``, held within the calendar (a year after 9999 is its last
    day, 31/12/9999, so nothing can be due in it before then)."""
    if year > datetime.MAXYEAR:
        return datetime.date.max, datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min, datetime.date.min
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


#: The day of Kế hoạch 40-KH/ĐUK: a report dated before it cannot report on it.
PLAN_DATE = datetime.date(2022, 3, 3)


def report_date_error(day: datetime.date, today: datetime.date, line: int | None) -> InputError | None:
    """An input error when a report's date, used as its evaluation date, is before the plan or
    after the day of the run: either would judge the file as of a day it was not written (a date
    in year 1 makes every obligation "not yet due"). ``--as-of`` lifts the check."""
    if PLAN_DATE <= day <= today:
        return None
    from kl21rules.diagnostics import InputError

    shown, plan, now = day.isoformat(), PLAN_DATE.isoformat(), today.isoformat()
    if day < PLAN_DATE:
        vi = f"Ngày báo cáo (report.date) {shown} trước ngày ban hành Kế hoạch 40-KH/ĐUK ({plan})"
        en = f"report.date {shown} is before Plan 40-KH/ĐUK was issued ({plan})"
    else:
        vi = f"Ngày báo cáo (report.date) {shown} sau hôm nay ({now}, giờ Việt Nam)"
        en = f"report.date {shown} is after today ({now}, Vietnam time)"
    return InputError("report-date", "/report/date", line,
                      f"{vi}; sửa ngày báo cáo, hoặc nêu ngày xét bằng --as-of.",
                      f"{en}; correct the date, or give the evaluation date with --as-of.")
