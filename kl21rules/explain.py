"""``kl21rules explain RULE``: one rule in full, generated from its metadata and its cases.

The helpers here (the plan's words per clause, a rule's obligation in words, its examples) are
shared with :mod:`kl21rules.docs`, which writes the same content for every rule into
``docs/rules.md``: nothing about a rule is written twice.
"""

from __future__ import annotations

import datetime as _dt
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kl21rules.paths import PLAN_CLAUSES_FILE
from kl21rules.rules.engine import CompiledRule
from kl21rules.rules.model import Match, RuleSpec

if TYPE_CHECKING:
    from kl21rules.packs import Registry


@lru_cache(maxsize=1)
def _plan_quotes() -> tuple[tuple[str, str], ...]:
    import yaml

    if not PLAN_CLAUSES_FILE.exists():
        return ()
    data = yaml.safe_load(PLAN_CLAUSES_FILE.read_text(encoding="utf-8")) or {}
    return tuple((str(k), _flat(str(v))) for k, v in data.items())


def plan_quotes() -> dict[str, str]:
    """The plan's words per clause (``II.1`` -> text), kept beside the rulesets.

    Items of sections I and II are quoted whole; for III.1–III.6, the department's name and its
    relevant duties, each verbatim, joined by `` … ``.
    """
    return dict(_plan_quotes())


def rule_examples(rule: CompiledRule, registry: Registry) -> tuple[Any, Any]:
    """A passing and a failing case of the rule, from its pack's case files (either may be None).

    The passing one is the first case whose findings are all ``pass``; the failing one the
    first case with a ``fail`` among them.
    """
    from kl21rules.testing import load_case_file

    passing = failing = None
    for pack in registry.packs:
        for path in pack.case_files:
            for case in _cases(str(path), load_case_file):
                if case.rule != rule.id:
                    continue
                statuses = {e.get("status") for e in case.expect}
                if passing is None and statuses == {"pass"}:
                    passing = case
                if failing is None and "fail" in statuses:
                    failing = case
    return passing, failing


def _cases(path: str, loader: Any) -> list[Any]:
    if path not in _case_cache:
        _case_cache[path] = loader(Path(path))
    return _case_cache[path]


# Case files are read once per process (the docs generator asks for every rule's examples).
_case_cache: dict[str, list[Any]] = {}


# --- A rule's metadata in words --------------------------------------------------------------

_EVERY = {"year": ("năm", "year"), "quarter": ("quý", "quarter"), "month": ("tháng", "month")}
_UNIT_KINDS = {
    "chi_bo_co_so": ("chi bộ cơ sở", "grassroots party cell"),
    "dang_bo_co_so": ("đảng bộ cơ sở", "grassroots party committee"),
    "chi_bo_truc_thuoc": ("chi bộ trực thuộc", "subordinate party cell"),
    "department": ("ban, đoàn thể của Đảng ủy Khối", "department of the bloc"),
}


def fmt_day(day: _dt.date, lang: str) -> str:
    """A date as messages write it: ``31/3/2022`` in Vietnamese, ISO in English."""
    return day.isoformat() if lang == "en" else f"{day.day}/{day.month}/{day.year}"


def flow(value: Any) -> str:
    """A condition value as a YAML flow snippet (``{in: [a, b]}``), stable and short."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def match_text(match: Match, lang: str) -> str:
    """What a match admits: its label (if any), its types and its conditions."""
    types = ", ".join(f"`{t}`" for t in match.types())
    cond = ", ".join(f"`{k}: {flow(v)}`" for k, v in match.where.items())
    joiner = " where " if lang == "en" else " với "
    code = types + (joiner + cond if cond else "")
    return f"{match.label.get(lang)} ({code})" if match.label is not None else code


def _matches(match: Match | None, all_of: list[Match] | None, lang: str) -> str:
    if all_of:
        head = "each of: " if lang == "en" else "đủ các loại: "
        return head + "; ".join(match_text(m, lang) for m in all_of)
    return match_text(match, lang) if match is not None else "?"


def _number(value: Any, spec: RuleSpec, lang: str) -> str:
    """A number, or a parameter's name with its default."""
    if isinstance(value, str) and value in spec.params:
        default = spec.params[value].default
        return f"`{value}` ({'default' if lang == 'en' else 'mặc định'} {default})"
    return str(value)


def obligation_text(spec: RuleSpec, lang: str = "vi") -> str:
    """The rule's obligation in one or two sentences, from its kind's data."""
    ob = spec.obligation
    en = lang == "en"
    # tested on ob.kind itself, so mypy narrows ob to the kind's model
    if ob.kind == "deadline":
        what = _matches(ob.match, ob.all_of, lang)
        due = fmt_day(ob.due, lang)
        if en:
            since = f", not before {fmt_day(ob.not_before, lang)}" if ob.not_before else ""
            return f"{what}, on or before {due}{since}. After that day: `late`; none by then: `fail`."
        since = f", không tính hoạt động trước {fmt_day(ob.not_before, lang)}" if ob.not_before else ""
        return f"Có {what} trong hạn {due}{since}. Sau hạn: `late` (trễ hạn); không có: `fail`."
    if ob.kind == "recurring":
        parts = []
        for s in ob.schedules:
            every_vi, every_en = _EVERY[s.every]
            what = _matches(s.match, s.all_of, lang)
            if s.due is not None:
                due = f"{s.due.day}/{s.due.month}" if not en else f"day {s.due.day} of month {s.due.month}"
            else:
                due = "the end of the period" if en else "cuối kỳ"
            by = ""
            if s.by == "year":
                by = " (counted for its `year`, else its date's year)" if en else " (xếp kỳ theo trường `year`, không có thì theo năm của ngày)"
            if en:
                parts.append(f"every {every_en}: {what}{by}, due {due}")
            else:
                parts.append(f"mỗi {every_vi}: có {what}{by}, hạn {due}")
        if ob.span == "report_period":
            span = ("Periods inside `report.period` (else the year of `as_of`)" if en
                    else "Các kỳ trong `report.period` (không có thì năm của ngày xét)")
        else:
            span = f"From {ob.from_year}" if en else f"Từ năm {ob.from_year}"
        return f"{span}, " + "; ".join(parts) + "."
    if ob.kind == "term_window":
        what = match_text(ob.match, lang)
        n = _number("term_year", spec, lang) if "term_year" in spec.params else "N"
        if en:
            return (f"{what} in year {n} of the unit's term (the calendar year `term.start` + N; the "
                    f"congress year is year 0). After it: `late`; before it: does not count.")
        return (f"Có {what} trong năm thứ {n} của nhiệm kỳ (năm của `term.start` + N; năm đại hội là "
                f"năm 0). Sau đó: `late`; trước đó: không tính.")
    if ob.kind == "follow_up":
        trigger = ob.trigger.label.get(lang)
        if ob.trigger.signals:
            kinds = ", ".join(f"`{k}`" for k in ob.trigger.signals)
            trigger += f" ({'signal kinds' if en else 'loại'} {kinds})"
        elif ob.trigger.activities is not None:
            trigger += f" ({match_text(ob.trigger.activities, lang)})"
        needs = []
        for req in ob.require:
            link = ", ".join(f"`{a}` = `{b}`" for a, b in req.link.items())
            needs.append(f"{match_text(req.match, lang)} [{link}]")
        need = (" and " if en else " và ").join(needs)
        if ob.before:
            when = "on or before its date" if en else "trước hoặc trong ngày đó"
        else:
            days = _number(ob.within_days, spec, lang)
            when = f"within {days} days after it" if en else f"trong {days} ngày sau đó"
        if en:
            return f"For every {trigger}: {need}, {when}. Later: `late`; none: `fail` or `pending`."
        return f"Với mỗi {trigger}: có {need}, {when}. Muộn hơn: `late`; chưa có: `fail` hoặc `pending`."
    if ob.kind == "each":
        over = match_text(ob.over, lang)
        fields = ", ".join(ob.field_labels[f].get(lang) if f in ob.field_labels else f"`{f}`" for f in ob.fields)
        if ob.items:
            if en:
                return f"Every item of `{ob.items}` of each {over} names: {fields}. One finding per item that lacks any."
            return f"Mỗi mục `{ob.items}` của {over} phải ghi: {fields}. Một kết quả cho mỗi mục thiếu."
        if en:
            return f"Every {over} names: {fields}."
        return f"Mỗi {over} phải ghi: {fields}."
    return ("Judged in Python by its pack (see how it is judged)." if en
            else "Xét bằng Python trong gói quy tắc (xem cách xét).")


def applies_text(spec: RuleSpec, lang: str = "vi") -> str:
    """Which units the rule applies to."""
    en = lang == "en"
    kinds = ", ".join(f"{_UNIT_KINDS[k][1 if en else 0]} (`{k}`)" for k in spec.applies_to.unit_kinds)
    out = kinds
    if spec.applies_to.departments:
        out += ": " + ", ".join(f"`{d}`" for d in spec.applies_to.departments)
    if spec.applies_to.unit:
        cond = ", ".join(f"`{k}: {flow(v)}`" for k, v in spec.applies_to.unit.items())
        out += (" with " if en else " có ") + cond
    return out


def effective_text(spec: RuleSpec, lang: str = "vi") -> str | None:
    """The years the rule is in force, or ``None`` when always."""
    eff = spec.effective
    if eff is None or (eff.from_year is None and eff.until_year is None):
        return None
    en = lang == "en"
    parts = []
    if eff.from_year is not None:
        parts.append(("from " if en else "từ năm ") + _number(eff.from_year, spec, lang))
    if eff.until_year is not None:
        parts.append(("until " if en else "đến hết năm ") + _number(eff.until_year, spec, lang))
    text = " ".join(parts)
    if eff.why is not None:
        text += f" — {_flat(eff.why.get(lang))}"
    return text


# --- explain --------------------------------------------------------------------------------


def explain_rule(rule: CompiledRule, registry: Registry, lang: str = "vi") -> str:
    """The rule's title, clauses (quoted from the plan), how it is judged, parameters, examples."""
    spec = rule.spec
    en = lang == "en"
    out = [f"{spec.id} — {spec.title.get(lang)}", ""]
    out.append(f"{'Pack' if en else 'Gói'}: {spec.pack}    {'Severity' if en else 'Mức độ'}: {spec.severity}    "
               f"{'Kind' if en else 'Loại'}: {spec.obligation.kind}")
    out.append(f"{'Applies to' if en else 'Áp dụng cho'}: {_plain(applies_text(spec, lang))}")
    effective = effective_text(spec, lang)
    if effective:
        out.append(f"{'In force' if en else 'Hiệu lực'}: {_plain(effective)}")
    out.append("")
    out.append(f"{'Obligation' if en else 'Nghĩa vụ'}:")
    out.append(_block(_plain(obligation_text(spec, lang)), 2))
    out.append("")
    out.append("Plan clauses (Kế hoạch 40-KH/ĐUK, in Vietnamese):" if en else "Căn cứ (Kế hoạch 40-KH/ĐUK):")
    quotes = plan_quotes()
    for ref in spec.refs:
        text = quotes.get(ref, "")
        out.append(f"  {ref}:")
        if text:
            out.append(_block(f"«{text}»", 4))
    out.append("")
    if spec.notes is not None:
        out.append("How it is judged:" if en else "Cách xét:")
        out.append(_block(_flat(spec.notes.get(lang)), 2))
        out.append("")
    if spec.params:
        out.append("Parameters:" if en else "Tham số:")
        for name, p in spec.params.items():
            bounds = p.bounds_text()
            limit = f" ({'allowed' if en else 'cho phép'} {bounds})" if bounds else ""
            out.append(f"  {name} = {p.default!r}{limit}: {p.doc.get(lang)}")
        out.append("")
    passing, failing = rule_examples(rule, registry)
    for label_vi, label_en, case in (("Ví dụ đạt", "Passing example", passing),
                                      ("Ví dụ không đạt", "Failing example", failing)):
        if case is None:
            continue
        out.append(f"{label_en if en else label_vi}: {case.name} (as_of {case.as_of})")
        out.append(_indent(case.describe()))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _plain(text: str) -> str:
    """Markdown code marks dropped, for the terminal."""
    return text.replace("`", "")


def _block(text: str, indent: int) -> str:
    return textwrap.fill(text, width=100, initial_indent=" " * indent, subsequent_indent=" " * indent,
                         break_long_words=False, break_on_hyphens=False)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
