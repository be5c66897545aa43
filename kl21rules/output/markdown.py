"""Markdown, for a pull-request comment or a printed report.

The totals and a table of units come first (what a reviewer reads), then statuses per rule
across files, then, per unit, the findings that need attention (rule errors, fails, late and
pending) with their waivers; passes and rules not applicable are counted, not listed. Because
the summary comes first, the per-unit sections are kept as text until the last file is checked
(a comment has to be short anyway; for very large batches use json, sarif or junit).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kl21rules.output import file_parts
from kl21rules.output._common import (
    SEVERITY_LABEL,
    STATUS_LABEL,
    STATUS_ORDER,
    WORDS,
    by_status,
    counts_fail,
    counts_line,
    lang_of,
    totals_phrase,
    visible,
    waived_note,
    where,
)
from kl21rules.report import FileReport, Report

ICON = {"error": "💥", "fail": "❌", "late": "⚠️", "pending": "⏳", "pass": "✅", "not_applicable": "➖"}
ATTENTION = ("error", "fail", "late", "pending")
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def cell(text: object) -> str:
    """Text made safe for a table cell: markdown and HTML characters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", visible(" ".join(str(text).split())))


def code(text: object) -> str:
    """Text as inline code (no escapes apply there; a pipe is escaped for GFM tables)."""
    return "`" + visible(str(text)).replace("`", "'").replace("|", "\\|") + "`"


def render(report: Report, lang: str = "vi", **kw: Any) -> str:
    """The whole markdown report."""
    return "".join(stream(report, lang, **kw))


def _unit_row(f: FileReport, lang: str) -> str:
    unit = f.unit or {}
    counts = f.summary()
    name = f"{unit.get('name')} ({unit.get('id')})" if unit else "—"
    cells = [code(f.path), cell(name), f.as_of.isoformat() if f.as_of else "—"]
    cells += [str(counts[s]) if counts[s] else "·" for s in STATUS_ORDER]
    cells.append(str(len(f.errors)) if f.errors else "·")
    return "| " + " | ".join(cells) + " |"


def _file_part(f: FileReport, lang: str, fail_on: str) -> tuple[str, str | None]:
    """A file's row in the table of units and, if it has anything needing attention, its section."""
    section = None
    if f.errors or any(x.status in ATTENTION for x in f.findings) or f.notices:
        section = _section(f, lang, fail_on)
    return _unit_row(f, lang), section


def _section(f: FileReport, lang: str, fail_on: str) -> str:
    w, labels, sev = WORDS[lang], STATUS_LABEL[lang], SEVERITY_LABEL[lang]
    unit = f.unit or {}
    title = code(f.path) + (f" — {cell(unit.get('name'))} ({cell(unit.get('id'))})" if unit else "")
    out = [f"#### {title}", ""]
    if f.errors:
        out.append(f"**{w['errors']}**:")
        out.append("")
        for e in f.errors:
            at = (e.pointer or "/") + (f" ({w['line']} {e.line})" if e.line else "")
            out.append(f"- {code(at)}: {cell(e.message(lang))}")
        out.append("")
    rows = []
    for status, group in by_status(f.findings):
        if status not in ATTENTION:
            continue
        for x in group:
            note = waived_note(x, lang)
            mark = " ‼" if counts_fail(x, fail_on) else ""
            rows.append(f"| {ICON[status]} {labels[status]}{mark} | {x.rule} | {sev[x.severity]} | {cell(where(x))} | "
                        f"{cell(x.message(lang))}{' _(' + cell(note) + ')_' if note else ''} |")
    if rows:
        out.append(f"| {w['status']} | {w['rule']} | {w['severity']} | {w['where']} | {w['message']} |")
        out.append("|---|---|---|---|---|")
        out.extend(rows)
        out.append("")
    rest = {s: c for s, c in f.summary().items() if s not in ATTENTION}
    line = counts_line(rest, lang)
    if line:
        out.append(f"_{line}_")
        out.append("")
    if f.notices:
        out.append(f"<details><summary>{w['notices']} ({len(f.notices)})</summary>")
        out.append("")
        out.extend(f"- {cell(n.message(lang))}" for n in f.notices)
        out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out) + "\n"


def stream(report: Report, lang: str = "vi", *, fail_on: str = "error", **_: Any) -> Iterator[str]:
    """The markdown report (sections are assembled once the totals are known)."""
    lang = lang_of(lang)
    w, labels = WORDS[lang], STATUS_LABEL[lang]
    rows: list[str] = []
    sections: list[str] = []
    for row, section in file_parts(report, _file_part, lang, fail_on):
        rows.append(row)
        if section is not None:
            sections.append(section)
    tally = report.tally()
    s = tally.summary()
    counts = counts_line(s, lang)
    out = [f"## {w['report']}", ""]
    if report.as_of:
        out += [f"{w['as_of'].capitalize()}: {report.as_of.isoformat()}", ""]
    out += [f"**{w['total']}**: {totals_phrase(s, lang)}" + (f"; {counts}" if counts else ""), ""]
    heads = [w["file"], w["unit"], w["as_of"]] + [f"{ICON[x]} {labels[x]}" for x in STATUS_ORDER] + [w["input_errors"]]
    out.append("| " + " | ".join(heads) + " |")
    out.append("|" + "---|" * 3 + "---:|" * (len(STATUS_ORDER) + 1))
    out += rows
    out.append("")
    if tally.files > 1 and tally.per_rule:
        out += [f"### {w['by_rule']}", ""]
        out.append(f"| {w['rule']} | " + " | ".join(f"{ICON[x]} {labels[x]}" for x in STATUS_ORDER) + " |")
        out.append("|---|" + "---:|" * len(STATUS_ORDER))
        for rule_id in sorted(tally.per_rule):
            row = tally.per_rule[rule_id]
            out.append(f"| {rule_id} | " + " | ".join(str(row[x]) if row[x] else "·" for x in STATUS_ORDER) + " |")
        out.append("")
    if report.problems:
        out += [f"### {w['problems']}", ""]
        out += [f"- ⚠️ {cell(p.message(lang))}" for p in report.problems]
        out.append("")
    yield "\n".join(out) + "\n"
    if sections:
        yield f"### {w['details']}\n\n_‼ {w['counts']} {fail_on}_\n\n"
        yield from sections
