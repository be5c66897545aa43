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

__all__ = ["DateError", "parse_date", "format_vi", "today_vn", "VIETNAM"]

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

_FORMS_VI = "dùng dạng 2022-03-18 hoặc 18/3/2022 (ngày trước, tháng sau)"
_FORMS_EN = "use 2022-03-18 or 18/3/2022 (day first, then month)"

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
