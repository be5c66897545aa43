"""The report: one data model for every output format (json, text, junit, sarif, ...)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from kl21rules.diagnostics import InputError
from kl21rules.findings import Finding
from kl21rules.rules.model import SEVERITY_RANK, STATUSES

REPORT_SCHEMA = "kl21rules/report/v1"


@dataclass(slots=True)
class Notice:
    """Something the user should know that is not a finding (an activity cut by ``as_of``)."""

    code: str
    pointer: str | None
    vi: str
    en: str

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


@dataclass(slots=True)
class FileReport:
    """Everything about one submission file."""

    path: str
    unit: dict[str, Any] | None = None
    as_of: _dt.date | None = None
    errors: list[InputError] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for f in self.findings:
            counts[f.status] += 1
        return counts


@dataclass(slots=True)
class Report:
    """A whole run: the tool, the packs, every file, and problems outside any file."""

    version: str
    packs: dict[str, str]
    as_of: _dt.date | None
    files: list[FileReport] = field(default_factory=list)
    #: problems that are no file's: packs that failed to load, waivers that expired or matched nothing.
    problems: list[Notice] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = {
            "files": len(self.files),
            "units": len({f.unit["id"] for f in self.files if f.unit}),
            "input_errors": sum(len(f.errors) for f in self.files),
        }
        for status in STATUSES:
            out[status] = 0
        for f in self.files:
            for k, v in f.summary().items():
                out[k] += v
        return out


def exit_code(report: Report, fail_on: str, fatal_problems: bool = False) -> int:
    """0: all read and no ``fail`` at or above ``fail_on``; 1: such a fail; 2: input errors, a
    pack that failed to load, or a rule ``error`` (spec/cli.md)."""
    if fatal_problems or any(f.errors for f in report.files):
        return 2
    threshold = SEVERITY_RANK[fail_on]
    failed = False
    for f in report.files:
        for finding in f.findings:
            if finding.status == "error":
                return 2
            if (
                finding.status == "fail"
                and finding.waived is None
                and SEVERITY_RANK[finding.severity] >= threshold
            ):
                failed = True
    return 1 if failed else 0
