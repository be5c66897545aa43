"""The JSON report, ``kl21rules/report/v1`` (spec/cli.md): stable, versioned, sorted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kl21rules.diagnostics import InputError
from kl21rules.findings import Finding
from kl21rules.report import REPORT_SCHEMA, FileReport, Notice, Report


def finding_dict(f: Finding, lang: str) -> dict[str, Any]:
    """One finding as the JSON report writes it."""
    out: dict[str, Any] = {
        "rule": f.rule,
        "status": f.status,
        "severity": f.severity,
        "period": f.period,
        "item": f.item,
        "due": f.due.isoformat() if f.due else None,
        "refs": list(f.refs),
        "message": f.message(lang),
        "evidence": list(f.evidence),
    }
    if f.waived is not None:
        out["waived"] = {
            "reason": f.waived.reason,
            "expires": f.waived.expires.isoformat() if f.waived.expires else None,
            "approver": f.waived.approver,
        }
    return out


def error_dict(e: InputError, lang: str) -> dict[str, Any]:
    return {"pointer": e.pointer, "line": e.line, "code": e.code, "message": e.message(lang)}


def notice_dict(n: Notice, lang: str) -> dict[str, Any]:
    return {"code": n.code, "pointer": n.pointer, "message": n.message(lang)}


def file_dict(f: FileReport, lang: str) -> dict[str, Any]:
    return {
        "path": f.path,
        "unit": f.unit,
        "as_of": f.as_of.isoformat() if f.as_of else None,
        "errors": [error_dict(e, lang) for e in f.errors],
        "notices": [notice_dict(n, lang) for n in f.notices],
        "findings": [finding_dict(x, lang) for x in f.findings],
        "summary": f.summary(),
    }


def report_dict(report: Report, lang: str) -> dict[str, Any]:
    """The whole report as plain data (the JSON report, before serialisation); reads a streamed
    report's files, so call it once."""
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "kl21rules", "version": report.version, "packs": report.packs},
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "files": [file_dict(f, lang) for f in report.files],
        "problems": [notice_dict(p, lang) for p in report.problems],
        "summary": report.summary(),
    }


def render(report: Report, lang: str = "vi", **_: Any) -> str:
    """Serialise deterministically: fixed key order, UTF-8 text kept as is, newline at the end."""
    return "".join(stream(report, lang))


def stream(report: Report, lang: str = "vi", **_: Any) -> Iterator[str]:
    """The same bytes as ``json.dumps(report_dict(report), indent=2)``, written one file at a time.

    A JSON string never holds a raw newline, so indenting a file's own dump line by line gives
    exactly what the whole dump would (a test holds this).
    """
    head = {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "kl21rules", "version": report.version, "packs": report.packs},
        "as_of": report.as_of.isoformat() if report.as_of else None,
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    yield text[: text.rfind("\n")] + ",\n"  # the head's members, without its closing brace
    first = True
    for f in report.iter_files():
        body = json.dumps(file_dict(f, lang), ensure_ascii=False, indent=2)
        yield ('  "files": [\n' if first else ",\n") + _indent(body, 4)
        first = False
    yield '  "files": []' if first else "\n  ]"
    problems = json.dumps([notice_dict(p, lang) for p in report.problems], ensure_ascii=False, indent=2)
    summary = json.dumps(report.summary(), ensure_ascii=False, indent=2)
    yield ",\n  \"problems\": " + _indent(problems, 2)[2:] + ",\n  \"summary\": " + _indent(summary, 2)[2:] + "\n}\n"


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.split("\n"))
