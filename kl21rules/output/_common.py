"""Words and orderings shared by the formats for people (text, markdown) and CI (junit, github, sarif)."""

from __future__ import annotations

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
    },
}


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


def counts_line(counts: dict[str, int], lang: str) -> str:
    """``không đạt 2, đạt 14`` in the status order, zeros left out."""
    labels = STATUS_LABEL[lang_of(lang)]
    return ", ".join(f"{labels[s]} {counts[s]}" for s in STATUS_ORDER if counts.get(s))


def counts_fail(f: Finding, fail_on: str) -> bool:
    """Whether a finding makes the exit code 1 (an unwaived fail at or above ``--fail-on``)."""
    from kl21rules.rules.model import SEVERITY_RANK

    return f.status == "fail" and f.waived is None and SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on]
