"""The timeline of a plan task (``tasks[].due``): a date, a period, or a recurring timing.

"Rõ tiến độ" (I.2, judged by KL21-04) asks every task of a unit's plan to say *when*. Plans
write it as the Kế hoạch itself does: a date (``31/3/2022``), a period (``Quý I/2022``,
``Tháng 5/2022``, ``Năm 2023``, ``6 tháng đầu năm 2022``), or a recurring timing
(``Thường xuyên``, ``Hằng năm``, ``Hằng quý từ năm 2022``). :func:`timing_kind` tells which,
or ``None`` for text that says no time at all ("kịp thời", "theo yêu cầu").

Text is compared without case, diacritics (``hàng năm`` = ``hằng năm`` = ``HANG NAM``) or
surrounding brackets and punctuation; leading words such as "thực hiện", "hoàn thành xong",
"trong", "trước", "đến hết" are skipped. The recurring timings accepted are listed in
:data:`RECURRING` (docs: ``docs/rules.md``, KL21-04).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Any, Literal

from kl21rules.dates import DateError, parse_date

TimingKind = Literal["date", "period", "recurring"]

#: The recurring timings a task may give (normalised: lower case, no diacritics), each optionally
#: followed by "từ (năm) YYYY" (from a year) and preceded by "định kỳ".
RECURRING: tuple[str, ...] = (
    "thuong xuyen",        # thường xuyên — ongoing
    "hang nam",            # hằng năm / hàng năm — every year
    "hang quy",            # hằng quý — every quarter
    "hang thang",          # hằng tháng — every month
    "hang tuan",           # hằng tuần — every week
    "thuong xuyen hang nam",
    "thuong xuyen hang quy",
    "thuong xuyen hang thang",
    "moi nam",             # mỗi năm
    "moi quy",             # mỗi quý
    "moi thang",           # mỗi tháng
)

#: Words before the timing that say nothing about it ("thực hiện trong tháng 3/2022").
_LEAD = re.compile(
    r"^(?:(?:thuc hien|hoan thanh xong|hoan thanh|xong|trien khai|to chuc|thoi gian|tien do|han)\b\s*:?\s*)+"
)
_PREP = re.compile(r"^(?:truoc ngay|truoc|den het ngay|den het|den ngay|den|cham nhat|trong|ngay|vao)\b\s*")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"(?P<y>[0-9]{4})"
#: "đầu", "giữa", "cuối" (early, mid, late) before a month, a quarter or a year
_PART = r"(?:(?:dau|giua|cuoi)\s+)?"
_PERIODS = (
    ("month", re.compile(_PART + r"(?:thang\s+)?(?P<m>[0-9]{1,2})\s*(?:/|-|\s+nam\s+)\s*" + _YEAR)),
    ("quarter", re.compile(_PART + r"(?:quy|q)\s*(?P<q>iv|iii|ii|i|[1-4])\s*(?:/|-|\s+nam\s+|\s+)\s*" + _YEAR)),
    ("half", re.compile(r"(?:6|sau) thang (?:dau|cuoi) nam\s+" + _YEAR)),
    ("year", re.compile(_PART + r"(?:nam\s+|ca nam\s+)?" + _YEAR)),
    ("from", re.compile(r"tu\s+(?:nam\s+)?" + _YEAR)),
)
_RECURRING = re.compile(
    r"(?:dinh ky\s+)?(?P<r>" + "|".join(sorted(RECURRING, key=len, reverse=True)) + r")"
    r"(?:\s*,?\s*tu\s+(?:nam\s+)?" + _YEAR + r")?"
)


def normalise(text: str) -> str:
    """Lower case, no diacritics (đ as d), single spaces, no surrounding brackets or punctuation."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d")
    text = " ".join(text.split())
    return text.strip(" ()[].,;:–-")


def _year_ok(y: str | None) -> bool:
    return y is None or 1945 <= int(y) <= 2100


def timing_kind(value: Any) -> TimingKind | None:
    """What kind of timeline ``value`` gives, or ``None`` when it gives none.

    A :class:`datetime.date` is a date. Text is a date (any form :func:`kl21rules.dates.parse_date`
    accepts), a period (a month, a quarter, a half or a whole year, "đầu/giữa/cuối" one of them, or
    "từ năm YYYY"), or one of
    the :data:`RECURRING` timings; anything else (blank, "kịp thời", "theo yêu cầu") is ``None``.
    """
    if isinstance(value, _dt.date):
        return "date"
    if not isinstance(value, str):
        return None
    text = normalise(value)
    text = _LEAD.sub("", text)
    text = _PREP.sub("", text).strip()
    if not text:
        return None
    try:
        parse_date(text)
        return "date"
    except DateError:
        pass
    for kind, pattern in _PERIODS:
        m = pattern.fullmatch(text)
        if m is None or not _year_ok(m["y"]):
            continue
        if kind == "month" and not 1 <= int(m["m"]) <= 12:
            continue
        if kind == "quarter" and m["q"] not in _ROMAN and not m["q"].isdigit():
            continue
        return "period"
    m = _RECURRING.fullmatch(text)
    if m is not None and _year_ok(m["y"]):
        return "recurring"
    return None


__all__ = ["RECURRING", "TimingKind", "normalise", "timing_kind"]
