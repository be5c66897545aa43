"""The JSON report, ``kl21rules/report/v1`` (spec/cli.md): stable, versioned, sorted."""

from __future__ import annotations

import json
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
    """The whole report as plain data (the JSON report, before serialisation)."""
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
    return json.dumps(report_dict(report, lang), ensure_ascii=False, indent=2) + "\n"
