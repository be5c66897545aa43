"""The text report: one block per file, failures first, in the user's language."""

from __future__ import annotations

from typing import Any

from kl21rules.report import Report

STATUS_ORDER = ("error", "fail", "late", "pending", "pass", "not_applicable")
STATUS_LABEL = {
    "vi": {"pass": "đạt", "late": "trễ hạn", "fail": "không đạt", "pending": "chưa đến hạn",
           "not_applicable": "không áp dụng", "error": "lỗi quy tắc"},
    "en": {"pass": "pass", "late": "late", "fail": "fail", "pending": "pending",
           "not_applicable": "n/a", "error": "error"},
}
WORDS = {
    "vi": {"unit": "Đơn vị", "as_of": "ngày xét", "errors": "Lỗi dữ liệu đầu vào", "line": "dòng",
           "total": "Tổng cộng", "files": "tệp", "waived": "miễn trừ", "problems": "Vấn đề"},
    "en": {"unit": "Unit", "as_of": "as of", "errors": "Input errors", "line": "line",
           "total": "Total", "files": "files", "waived": "waived", "problems": "Problems"},
}


def render(report: Report, lang: str = "vi", **_: Any) -> str:
    """Plain text, readable on a terminal or in a log."""
    w = WORDS["en" if lang == "en" else "vi"]
    labels = STATUS_LABEL["en" if lang == "en" else "vi"]
    lines: list[str] = []
    for f in report.files:
        unit = f.unit or {}
        head = f"{f.path}"
        if unit:
            head += f" — {w['unit']}: {unit.get('name')} ({unit.get('id')})"
        if f.as_of:
            head += f", {w['as_of']} {f.as_of.isoformat()}"
        lines.append(head)
        if f.errors:
            lines.append(f"  {w['errors']}:")
            for e in f.errors:
                where = e.pointer or "/"
                if e.line:
                    where += f" ({w['line']} {e.line})"
                lines.append(f"    [{e.code}] {where}: {e.message(lang)}")
        order = {s: i for i, s in enumerate(STATUS_ORDER)}
        for finding in sorted(f.findings, key=lambda x: (order[x.status], x.sort_key())):
            tag = labels[finding.status]
            where = " ".join(p for p in (finding.period, finding.item) if p)
            waived = f" [{w['waived']}: {finding.waived.reason}]" if finding.waived else ""
            lines.append(f"  {tag:<14} {finding.rule:<9} {finding.severity:<7} {where + ' ' if where else ''}{finding.message(lang)}{waived}")
        for n in f.notices:
            lines.append(f"  · {n.message(lang)}")
        counts = ", ".join(f"{labels[s]} {c}" for s, c in f.summary().items() if c)
        if counts:
            lines.append(f"  = {counts}")
        lines.append("")
    if report.problems:
        lines.append(f"{w['problems']}:")
        for p in report.problems:
            lines.append(f"  ! {p.message(lang)}")
        lines.append("")
    s = report.summary()
    counts = ", ".join(f"{labels[k]} {s[k]}" for k in STATUS_ORDER if s[k])
    lines.append(f"{w['total']}: {s['files']} {w['files']}, {s['input_errors']} {w['errors'].lower()}; {counts}")
    return "\n".join(lines) + "\n"
