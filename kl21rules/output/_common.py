"""Words and orderings shared by the formats for people (text, markdown) and CI (junit, github, sarif)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kl21rules.findings import Finding
from kl21rules.report import FileReport

#: failures first: what needs doing, then what is waiting, then what is fine.
STATUS_ORDER = ("error", "fail", "late", "pending", "pass", "not_applicable")
STATUS_LABEL = {
    "vi": {"pass": "đạt", "late": "trễ hạn", "fail": "không đạt", "pending": "chưa đến hạn",
           "not_applicable": "không áp dụng", "error": "lỗi quy tắc"},
    "en": {"pass": "pass", "late": "late", "fail": "fail", "pending": "pending",
           "not_applicable": "n/a", "error": "error"},
}
SEVERITY_LABEL = {
    "vi": {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
WORDS = {
    "vi": {
        "unit": "Đơn vị", "as_of": "ngày xét", "errors": "Lỗi dữ liệu đầu vào", "line": "dòng",
        "total": "Tổng cộng", "files": "tệp", "units": "đơn vị", "waived": "miễn trừ",
        "until": "đến", "problems": "Vấn đề", "status": "Trạng thái", "rule": "Quy tắc",
        "severity": "Mức", "where": "Kỳ / mục", "message": "Nội dung", "file": "Tệp",
        "by_rule": "Theo quy tắc", "report": "Báo cáo kiểm tra Kế hoạch 40-KH/ĐUK",
        "input_errors": "lỗi đầu vào", "details": "Chi tiết", "none": "không có",
        "notices": "Ghi chú", "below": "dưới ngưỡng --fail-on",
        "counts": "không đạt tính vào mã thoát với --fail-on",
        "hidden": "đạt và không áp dụng không liệt kê; xem --all",
        "verdict": "Kết luận", "ok": "ĐẠT", "not_ok": "CHƯA ĐẠT",
    },
    "en": {
        "unit": "Unit", "as_of": "as of", "errors": "Input errors", "line": "line",
        "total": "Total", "files": "files", "units": "units", "waived": "waived",
        "until": "until", "problems": "Problems", "status": "Status", "rule": "Rule",
        "severity": "Severity", "where": "Period / item", "message": "Message", "file": "File",
        "by_rule": "By rule", "report": "Plan 40-KH/ĐUK check report",
        "input_errors": "input errors", "details": "Details", "none": "none",
        "notices": "Notes", "below": "below --fail-on",
        "counts": "a fail that counts toward the exit code with --fail-on",
        "hidden": "passes and n/a not listed; see --all",
        "verdict": "Verdict", "ok": "COMPLIANT", "not_ok": "NOT COMPLIANT",
    },
}


_ITEM = {
    "vi": {"activities": "hoạt động thứ {n}", "signals": "vụ việc thứ {n}", "tasks": "nhiệm vụ thứ {n}",
           "": "mục thứ {n}"},
    "en": {"activities": "activity {n}", "signals": "signal {n}", "tasks": "task {n}", "": "item {n}"},
}


#: Characters a report never prints as they are: C0 and C1 controls (newline, carriage return,
#: ESC that starts an ANSI sequence, BEL, ...), DEL, and the invisible and bidirectional
#: formatting characters that can make a line read otherwise than it is (U+202E).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` with every control, ANSI-escape and invisible formatting character written as an
    escape (``\\n``, ``\\x1b``, ``\\u202e``): a value from a submission can neither break a line
    of a report, colour a terminal, nor hide what follows it."""
    if _INVISIBLE.search(text) is None:
        return text
    return _INVISIBLE.sub(_escape_one, text)


def place(pointer: str, names: dict[str, str] | None = None, lang: str = "vi") -> str:
    """A JSON pointer as people read it, positions counted from 1 and items named by their id:
    ``/activities/2/mode`` -> ``hoạt động thứ 3 (A03) › mode`` (``activity 3 (A03) › mode``).

    :param names: ids by the pointer of their list item (:attr:`FileReport.names`).
    """
    lang = lang_of(lang)
    if not pointer or pointer == "/":
        return "toàn tệp" if lang == "vi" else "whole file"
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    parts: list[str] = []
    prefix = ""
    previous = ""
    for token in tokens:
        raw = token.replace("~", "~0").replace("/", "~1")
        prefix += "/" + raw
        if token.isdigit() and previous:
            template = _ITEM[lang].get(previous, _ITEM[lang][""])
            text = template.format(n=int(token) + 1)
            name = (names or {}).get(prefix)
            if parts and parts[-1] == previous:
                parts.pop()
            parts.append(f"{text} ({name})" if name else text)
        else:
            parts.append(token)
        previous = token
    return " › ".join(parts)


#: A JSON pointer into the lists of a submission inside a notice's message, with the id that may follow it.
NOTICE_POINTER = re.compile(r"(/(?:activities|signals)/[0-9]+(?:/[A-Za-z_][A-Za-z0-9_]*|/[0-9]+)*)( \([^()]*\))?")


def named_places(message: str, names: dict[str, str], lang: str) -> str:
    """A notice's message for people: each JSON pointer in it as a named place counted from 1
    (``/activities/3 (A04)`` -> ``hoạt động thứ 4 (A04)``); JSON and SARIF keep the pointer."""

    def one(match: re.Match[str]) -> str:
        pointer, ident = match.group(1), match.group(2)
        if ident:  # the message names the item itself
            return place(pointer, None, lang) + ident
        return place(pointer, names, lang)

    return NOTICE_POINTER.sub(one, message)


def lang_of(lang: str) -> str:
    return "en" if lang == "en" else "vi"


def by_status(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by status, failures first; each group keeps the report's order."""
    groups: dict[str, list[Finding]] = {s: [] for s in STATUS_ORDER}
    for f in findings:
        groups.setdefault(f.status, []).append(f)
    return [(s, groups[s]) for s in groups if groups[s]]


def collapse_not_applicable(findings: list[Finding]) -> list[tuple[list[str], str, str]]:
    """Rules not applicable for the same reason, together: (rule ids, message vi, message en).

    A unit typically has a score of such rules with one of two reasons; one line each reads better.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        groups.setdefault((f.message_vi, f.message_en), []).append(f.rule)
    return [(ids, vi, en) for (vi, en), ids in groups.items()]


def where(f: Finding) -> str:
    """The period and/or item of a finding, as one short string."""
    return " ".join(x for x in (f.period, f.item) if x)


def waived_note(f: Finding, lang: str) -> str:
    """``miễn trừ: <reason> (đến 2023-06-30)`` for a waived finding, else ``""``."""
    if f.waived is None:
        return ""
    w = WORDS[lang_of(lang)]
    until = f" ({w['until']} {f.waived.expires.isoformat()})" if f.waived.expires else ""
    return f"{w['waived']}: {f.waived.reason}{until}"


def unit_head(file: FileReport, lang: str) -> str:
    """``path — Đơn vị: name (id), ngày xét 2022-12-15``."""
    w = WORDS[lang_of(lang)]
    unit: dict[str, Any] = file.unit or {}
    head = file.path
    if unit:
        head += f" — {w['unit']}: {unit.get('name')} ({unit.get('id')})"
    if file.as_of:
        head += f", {w['as_of']} {file.as_of.isoformat()}"
    return head


def totals_phrase(s: dict[str, int], lang: str) -> str:
    """"8 tệp, 8 đơn vị, 0 lỗi đầu vào" / "1 file, 1 unit, 0 input errors" (English in the singular for one)."""
    w = WORDS[lang]
    singular = lang == "en"
    return ", ".join(f"{s[key]} {w[key][:-1] if singular and s[key] == 1 else w[key]}"
                     for key in ("files", "units", "input_errors"))


def counts_line(counts: dict[str, int], lang: str) -> str:
    """``không đạt 2, đạt 14`` in the status order, zeros left out."""
    labels = STATUS_LABEL[lang_of(lang)]
    return ", ".join(f"{labels[s]} {counts[s]}" for s in STATUS_ORDER if counts.get(s))


def counts_fail(f: Finding, fail_on: str) -> bool:
    """Whether a finding makes the exit code 1 (an unwaived fail at or above ``--fail-on``)."""
    from kl21rules.rules.model import SEVERITY_RANK

    return f.status == "fail" and f.waived is None and SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on]


#: What needs attention: the statuses the text report lists without ``--all``.
ATTENTION = frozenset({"error", "fail", "late", "pending"})
_SEVERITIES = ("error", "warning", "info")


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def verdict(file: FileReport, lang: str) -> str:
    """The file's verdict in one line: ĐẠT (compliant) or CHƯA ĐẠT, and why.

    Not compliant: input errors (the report could not be judged), a rule that could not be
    judged, or an obligation failed and not waived, whatever its severity (``--fail-on`` decides
    the exit code, not whether an obligation was met). Late and pending obligations are named but
    do not make a file non-compliant: late ones were done, pending ones are not due yet.
    """
    lang = lang_of(lang)
    w = WORDS[lang]
    en = lang == "en"
    if file.errors:
        n = len(file.errors)
        why = (f"{_n(n, 'input error', 'input errors')}: the report could not be judged; correct it and check again"
               if en else f"báo cáo có {n} lỗi dữ liệu đầu vào nên chưa xét được; sửa rồi kiểm tra lại")
        return f"{w['verdict']}: {w['not_ok']} — {why}."
    fails = {s: 0 for s in _SEVERITIES}
    errors = waived = late = pending = 0
    for f in file.findings:
        if f.status == "fail":
            if f.waived is not None:
                waived += 1
            else:
                fails[f.severity] = fails.get(f.severity, 0) + 1
        elif f.status == "error":
            errors += 1
        elif f.status == "late":
            late += 1
        elif f.status == "pending":
            pending += 1
    sev = SEVERITY_LABEL[lang]
    failed = sum(fails.values())
    parts: list[str] = []
    if failed:
        at = "at {} level" if en else "ở mức {}"
        levels = ", ".join(f"{n} {at.format(sev[s])}" for s, n in fails.items() if n)
        parts.append(f"{_n(failed, 'obligation failed', 'obligations failed')} ({levels})" if en
                     else f"{failed} nghĩa vụ không đạt ({levels})")
    if errors:
        parts.append(_n(errors, "rule could not be judged", "rules could not be judged") if en
                     else f"{errors} quy tắc không xét được (lỗi quy tắc)")
    ok = not failed and not errors
    if ok:
        parts.append("no obligation failed" if en else "không có nghĩa vụ nào không đạt")
    if waived:
        parts.append(f"{waived} failed but waived" if en else f"{waived} không đạt nhưng được miễn trừ")
    if late:
        parts.append(f"{late} done late" if en else f"{late} làm trễ hạn")
    if pending:
        parts.append(f"{pending} not due yet" if en else f"{pending} chưa đến hạn")
    return f"{w['verdict']}: {w['ok' if ok else 'not_ok']} — {'; '.join(parts)}."


def exit_sentence(report: Any, fail_on: str, lang: str, exit_zero: bool = False) -> str:
    """The run's exit code explained in one sentence, e.g. "2 nghĩa vụ không đạt ở mức cảnh báo —
    dưới ngưỡng --fail-on error, nên mã thoát là 0" (the code is :func:`kl21rules.report.exit_code`'s)."""
    from kl21rules.report import exit_code
    from kl21rules.rules.model import SEVERITY_RANK

    lang = lang_of(lang)
    en = lang == "en"
    tally = report.tally()
    fatal = any(p.code in ("pack-error", "config-error") for p in report.problems)
    code = exit_code(report, fail_on, fatal)
    if code == 2:
        why: list[str] = []
        if tally.input_errors:
            why.append(_n(tally.input_errors, "input error", "input errors") if en
                       else f"{tally.input_errors} lỗi dữ liệu đầu vào")
        if tally.rule_errors:
            why.append(_n(tally.rule_errors, "rule that could not be judged", "rules that could not be judged") if en
                       else f"{tally.rule_errors} quy tắc không xét được")
        if fatal:
            why.append("a rule pack or the configuration could not be loaded" if en
                       else "gói quy tắc hoặc cấu hình không nạp được")
        return (f"{', '.join(why).capitalize()}, so the exit code is 2." if en
                else f"Có {', '.join(why)}, nên mã thoát là 2.")
    sev = SEVERITY_LABEL[lang]
    fails = {s: n for s, n in tally.fails.items() if n}
    threshold = SEVERITY_RANK[fail_on]
    above = {s: n for s, n in fails.items() if SEVERITY_RANK[s] >= threshold}
    below = {s: n for s, n in fails.items() if SEVERITY_RANK[s] < threshold}

    def listing(counts: dict[str, int]) -> str:
        parts = []
        for i, (s, n) in enumerate(sorted(counts.items(), key=lambda kv: -SEVERITY_RANK[kv[0]])):
            if en:
                parts.append(f"{_n(n, 'obligation', 'obligations')} failed at {sev[s]} level" if i == 0
                             else f"{n} at {sev[s]} level")
            else:
                parts.append(f"{n} nghĩa vụ không đạt ở mức {sev[s]}" if i == 0 else f"{n} ở mức {sev[s]}")
        return ", ".join(parts)

    if code == 1 and exit_zero:
        return (f"{listing(above)} — at or above --fail-on {fail_on}, but with --exit-zero the exit code is 0."
                if en else f"{listing(above)} — từ ngưỡng --fail-on {fail_on} trở lên, nhưng có --exit-zero nên mã "
                "thoát là 0.")
    if code == 1:
        head = (f"{listing(above)} — at or above --fail-on {fail_on}, so the exit code is 1" if en
                else f"{listing(above)} — từ ngưỡng --fail-on {fail_on} trở lên, nên mã thoát là 1")
        if below:
            head += (f" ({listing(below)}, below it)" if en else f" (thêm {listing(below)}, dưới ngưỡng)")
        return head + "."
    if below:
        return (f"{listing(below)} — below --fail-on {fail_on}, so the exit code is 0." if en
                else f"{listing(below)} — dưới ngưỡng --fail-on {fail_on}, nên mã thoát là 0.")
    return ("No obligation failed, so the exit code is 0." if en
            else "Không có nghĩa vụ nào không đạt, nên mã thoát là 0.")
