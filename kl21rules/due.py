"""What is due next: obligations not yet met whose due date falls within a window after the
evaluation date (``kl21rules due``), as text, JSON or an iCalendar file (RFC 5545).

An obligation is *due* when a rule judged it ``pending`` (not done yet, its due date not passed),
or ``fail`` with a due date still ahead, and no waiver covers it. Each item is one finding; the
dashboard (``--format html``) lists the same items in its "upcoming deadlines" part.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kl21rules.findings import Finding
from kl21rules.report import FileReport

DUE_SCHEMA = "kl21rules/due/v1"
#: statuses of an obligation that is not met yet.
OPEN = ("pending", "fail")


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """What the due list says about a rule: its title and what it expects, in both languages."""

    pack: str
    title_vi: str
    title_en: str
    expect_vi: str
    expect_en: str
    #: for a recurring rule whose schedules repeat over periods of different kinds (KL21-11: a
    #: meeting every month, a thematic one every quarter), what each kind of period expects:
    #: (every, vi, en), from the schedule's label
    per_period: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DueItem:
    """One obligation coming due."""

    path: str
    unit_id: str
    unit_name: str
    unit_kind: str
    rule: str
    severity: str
    status: str
    period: str | None
    item: str | None
    due: _dt.date
    as_of: _dt.date
    refs: tuple[str, ...]
    message_vi: str
    message_en: str

    @property
    def days_left(self) -> int:
        return (self.due - self.as_of).days

    def sort_key(self) -> tuple[Any, ...]:
        return (self.due, self.unit_id, self.rule, self.period or "", self.item or "", self.path)

    def uid(self) -> str:
        """The same obligation gives the same UID on every run and every evaluation date, so a
        calendar app updates an imported event rather than adding a second one."""
        key = "\x1f".join((self.unit_id, self.rule, self.period or "", self.item or ""))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + "@kl21rules"


def rule_meta(rules: Iterable[Any]) -> dict[str, RuleMeta]:
    """Rule id -> :class:`RuleMeta`, from compiled rules (``registry.rules``)."""
    out = {}
    for r in rules:
        s = r.spec
        out[r.id] = RuleMeta(s.pack, s.title.vi, s.title.en, " ".join(s.expect.vi.split()), " ".join(s.expect.en.split()),
                             _per_period(s))
    return out


def _per_period(spec: Any) -> tuple[tuple[str, str, str], ...]:
    schedules = getattr(spec.obligation, "schedules", None) or ()
    if len({sc.every for sc in schedules}) < 2:
        return ()
    return tuple((sc.every, " ".join(sc.match.label.vi.split()), " ".join(sc.match.label.en.split()))
                 for sc in schedules if sc.match is not None and sc.match.label is not None)


_PERIOD_KIND = ((re.compile(r"\d{4}-Q[1-4]"), "quarter"), (re.compile(r"\d{4}-\d{2}"), "month"), (re.compile(r"\d{4}"), "year"))


def _period_kind(period: str | None) -> str | None:
    for pattern, every in _PERIOD_KIND:
        if period is not None and pattern.fullmatch(period):
            return every
    return None


def is_due(f: Finding, as_of: _dt.date, within: int) -> bool:
    """Whether a finding is an obligation not yet met, due within ``within`` days of ``as_of``."""
    return (f.status in OPEN and f.waived is None and f.due is not None
            and 0 <= (f.due - as_of).days <= within)


def due_items(file: FileReport, within: int) -> list[DueItem]:
    """The file's obligations due within ``within`` days of its evaluation date (a module
    function of the file alone, so a batch's workers can compute it)."""
    if file.as_of is None or not file.unit:
        return []
    unit = file.unit
    out = []
    for f in file.findings:
        if f.due is not None and is_due(f, file.as_of, within):
            out.append(DueItem(file.path, str(unit.get("id") or ""), str(unit.get("name") or ""),
                               str(unit.get("kind") or ""), f.rule, f.severity, f.status, f.period, f.item,
                               f.due, file.as_of, tuple(f.refs), f.message_vi, f.message_en))
    return out


WORDS = {
    "vi": {
        "head": "Việc đến hạn trong {n} ngày kể từ ngày xét {d}: {c} việc",
        "head_mixed": "Việc đến hạn trong {n} ngày kể từ ngày xét của từng báo cáo: {c} việc",
        "none": "Không có việc nào đến hạn trong {n} ngày.",
        "left": "còn {n} ngày", "today": "hôm nay", "expect": "Cần có", "clause": "Kế hoạch 40-KH/ĐUK, mục",
        "reminder": "Còn 7 ngày đến hạn", "calendar": "Hạn thực hiện Kế hoạch 40-KH/ĐUK",
    },
    "en": {
        "head": "Due within {n} days of {d}: {c} obligations",
        "head_mixed": "Due within {n} days of each report's evaluation date: {c} obligations",
        "none": "Nothing falls due within {n} days.",
        "left": "{n} days left", "today": "today", "expect": "Expected", "clause": "Plan 40-KH/ĐUK, clause",
        "reminder": "Due in 7 days", "calendar": "Plan 40-KH/ĐUK deadlines",
    },
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "vi"


def _title(meta: dict[str, RuleMeta], rule: str, lang: str) -> str:
    m = meta.get(rule)
    if m is None:
        return rule
    return m.title_en if lang == "en" else m.title_vi


def _expect(meta: dict[str, RuleMeta], rule: str, lang: str, period: str | None = None) -> str:
    m = meta.get(rule)
    if m is None:
        return ""
    if m.per_period:
        kind = _period_kind(period)
        for every, vi, en in m.per_period:
            if every == kind:
                return en if lang == "en" else vi
    return m.expect_en if lang == "en" else m.expect_vi


def days_left_text(n: int, lang: str) -> str:
    w = WORDS[_lang(lang)]
    return w["today"] if n == 0 else w["left"].format(n=n)


def item_dict(x: DueItem, meta: dict[str, RuleMeta], lang: str) -> dict[str, Any]:
    """One item as ``due --format json`` writes it (and as the ics events carry it)."""
    return {
        "unit": {"id": x.unit_id, "name": x.unit_name, "kind": x.unit_kind},
        "path": x.path,
        "rule": x.rule,
        "title": _title(meta, x.rule, lang),
        "severity": x.severity,
        "status": x.status,
        "period": x.period,
        "item": x.item,
        "due": x.due.isoformat(),
        "as_of": x.as_of.isoformat(),
        "days_left": x.days_left,
        "expect": _expect(meta, x.rule, lang, x.period),
        "refs": list(x.refs),
        "message": x.message_en if lang == "en" else x.message_vi,
        "uid": x.uid(),
    }


def _single_as_of(items: list[DueItem], as_of: _dt.date | None) -> _dt.date | None:
    if as_of is not None:
        return as_of
    days = {x.as_of for x in items}
    return next(iter(days)) if len(days) == 1 else None


def render_json(items: list[DueItem], meta: dict[str, RuleMeta], lang: str, within: int,
                as_of: _dt.date | None) -> str:
    data = {
        "schema": DUE_SCHEMA,
        "as_of": as_of.isoformat() if as_of else None,
        "within_days": within,
        "items": [item_dict(x, meta, lang) for x in sorted(items, key=DueItem.sort_key)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_text(items: list[DueItem], meta: dict[str, RuleMeta], lang: str, within: int,
                as_of: _dt.date | None) -> str:
    from kl21rules.output._common import visible
    from kl21rules.rules.engine import fmt_date

    lang = _lang(lang)
    w = WORDS[lang]
    items = sorted(items, key=DueItem.sort_key)
    if not items:
        return w["none"].format(n=within) + "\n"
    day = _single_as_of(items, as_of)
    head = (w["head"].format(n=within, d=fmt_date(day, lang), c=len(items)) if day is not None
            else w["head_mixed"].format(n=within, c=len(items)))
    out = [head]
    last_day: _dt.date | None = None
    last_unit: tuple[str, str] | None = None
    for x in items:
        if x.due != last_day:
            out += ["", f"{fmt_date(x.due, lang)} ({days_left_text(x.days_left, lang)})"]
            last_day, last_unit = x.due, None
        if (x.unit_id, x.path) != last_unit:
            out.append(f"  {visible(x.unit_id)} — {visible(x.unit_name)}")
            last_unit = (x.unit_id, x.path)
        where = visible(" ".join(p for p in (x.period, x.item) if p))
        expect = _expect(meta, x.rule, lang, x.period)
        line = f"    {x.rule}{' ' + where if where else ''}  {_title(meta, x.rule, lang)}"
        if expect:
            line += f" — {w['expect'].lower()}: {expect}"
        out.append(line + f" ({w['clause']} {', '.join(x.refs)})")
    return "\n".join(out) + "\n"


def render_ics(items: list[DueItem], meta: dict[str, RuleMeta], lang: str, within: int,
               as_of: _dt.date | None) -> str:
    """An iCalendar file: one all-day event per obligation, a reminder 7 days before, stable
    UIDs; DTSTAMP is the evaluation date (never the clock), so the same input gives the same bytes."""
    from icalendar import Alarm, Calendar, Event

    lang = _lang(lang)
    w = WORDS[lang]
    items = sorted(items, key=DueItem.sort_key)
    cal = Calendar()
    cal.add("prodid", "-//kl21rules//due//" + lang.upper())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", w["calendar"])
    stamp_day = as_of or max((x.as_of for x in items), default=_dt.date(2022, 3, 3))
    stamp = _dt.datetime(stamp_day.year, stamp_day.month, stamp_day.day, tzinfo=_dt.timezone.utc)
    seen: set[str] = set()
    for x in items:
        if x.uid() in seen:  # two files of one unit: one event per obligation
            continue
        seen.add(x.uid())
        d = item_dict(x, meta, lang)
        where = " ".join(p for p in (x.period, x.item) if p)
        ev = Event()
        ev.add("uid", x.uid())
        ev.add("dtstamp", stamp)
        ev.add("dtstart", x.due)
        ev.add("dtend", x.due + _dt.timedelta(days=1))
        ev.add("summary", f"{x.rule}{' ' + where if where else ''} · {x.unit_name}: {d['title']}")
        desc = [f"{x.unit_name} ({x.unit_id})", d["message"]]
        if d["expect"]:
            desc.append(f"{w['expect']}: {d['expect']}")
        desc.append(f"{w['clause']} {', '.join(x.refs)}")
        ev.add("description", "\n".join(desc))
        ev.add("categories", [x.rule, x.unit_id])
        ev.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{w['reminder']}: {d['title']}")
        alarm.add("trigger", _dt.timedelta(days=-7))
        ev.add_component(alarm)
        cal.add_component(ev)
    text: str = cal.to_ical().decode("utf-8")
    return text


RENDERERS = {"text": render_text, "json": render_json, "ics": render_ics}
