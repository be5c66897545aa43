"""The report: one data model for every output format (json, text, junit, sarif, ...).

A :class:`Report` holds the run's metadata, its files and the problems outside any file. Its
``files`` is either a list (a report built in memory) or a one-shot stream of
:class:`FileReport` (a batch of any size, rendered file by file); in both cases the totals come
from a :class:`Tally` that a stream fills as it goes, so a renderer reads ``report.summary()``
and ``report.problems`` only after it has gone through ``report.files`` once.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kl21rules.diagnostics import InputError
from kl21rules.findings import Finding
from kl21rules.rules.model import SEVERITY_RANK, STATUSES

if TYPE_CHECKING:
    from kl21rules.rules.engine import CompiledRule

REPORT_SCHEMA = "kl21rules/report/v1"
#: Where a finding that names no item of the submission points: the list the missing activity
#: belongs in (SARIF and GitHub annotations need a line; this is "the missing item's parent").
MISSING_ITEM_PARENT = "/activities"


@dataclass(slots=True)
class Notice:
    """Something the user should know that is not a finding (an activity cut by ``as_of``)."""

    code: str
    pointer: str | None
    vi: str
    en: str

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


def finding_pointer(f: Finding) -> str:
    """The place in the submission a finding is about: its first evidence, the item it names
    when that is a JSON pointer, else the parent of the missing item (``/activities``)."""
    if f.evidence:
        return f.evidence[0]
    if f.item and f.item.startswith("/"):
        return f.item
    return MISSING_ITEM_PARENT


@dataclass(slots=True)
class FileReport:
    """Everything about one submission file."""

    path: str
    unit: dict[str, Any] | None = None
    as_of: _dt.date | None = None
    errors: list[InputError] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    #: lines of the pointers that findings mention (see :func:`finding_pointer`), filled by the
    #: check only when an output format places findings in the file (sarif, github, junit).
    lines: dict[str, int] = field(default_factory=dict)
    #: the ids of the list items its errors, findings and notices point into (``/activities/2``
    #: -> ``A03``), so that the text report can name a position: "hoạt động thứ 3 (A03)".
    names: dict[str, str] = field(default_factory=dict)
    #: found while walking a folder, it parsed but is plainly not a submission (see
    #: :func:`kl21rules.check.not_a_submission`): a batch skips it and counts it, never reports it.
    skipped: bool = False

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for f in self.findings:
            counts[f.status] += 1
        return counts

    def line_of(self, f: Finding) -> int | None:
        """The line of the place a finding is about, when it was computed."""
        return self.lines.get(finding_pointer(f))


@dataclass(slots=True)
class RuleInfo:
    """What outputs say about a rule (SARIF's rule table, JUnit's messages): its metadata only."""

    id: str
    pack: str
    severity: str
    refs: tuple[str, ...]
    title_vi: str
    title_en: str
    help_vi: str
    help_en: str

    def title(self, lang: str = "vi") -> str:
        return self.title_en if lang == "en" else self.title_vi

    def help(self, lang: str = "vi") -> str:
        return self.help_en if lang == "en" else self.help_vi

    @classmethod
    def of(cls, rule: CompiledRule) -> RuleInfo:
        """From a compiled rule: help is the rule's notes (how it reads the plan), else what it expects."""
        spec = rule.spec
        text = spec.notes or spec.expect
        return cls(spec.id, spec.pack, spec.severity, tuple(spec.refs), spec.title.vi, spec.title.en,
                   " ".join(text.vi.split()), " ".join(text.en.split()))


@dataclass
class Tally:
    """Totals of a run, added up file by file (so a streamed batch needs no list of files)."""

    files: int = 0
    units: set[str] = field(default_factory=set)
    input_errors: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    #: rule id -> status -> count, for the summary across files.
    per_rule: dict[str, dict[str, int]] = field(default_factory=dict)
    waived: int = 0
    rule_errors: int = 0
    #: SEVERITY_RANK of the most severe ``fail`` not waived; -1 when there is none.
    worst_fail: int = -1
    #: severity -> number of ``fail`` findings not waived (the text report's closing sentence).
    fails: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})

    def add(self, f: FileReport) -> None:
        """Count one file (after its waivers were applied)."""
        self.files += 1
        if f.unit and f.unit.get("id"):
            self.units.add(f.unit["id"])
        self.input_errors += len(f.errors)
        for finding in f.findings:
            self.counts[finding.status] += 1
            row = self.per_rule.get(finding.rule)
            if row is None:
                row = self.per_rule[finding.rule] = dict.fromkeys(STATUSES, 0)
            row[finding.status] += 1
            if finding.waived is not None:
                self.waived += 1
            if finding.status == "error":
                self.rule_errors += 1
            elif finding.status == "fail" and finding.waived is None:
                self.worst_fail = max(self.worst_fail, SEVERITY_RANK[finding.severity])
                self.fails[finding.severity] = self.fails.get(finding.severity, 0) + 1

    def summary(self) -> dict[str, int]:
        """The summary of the JSON report (spec/cli.md): files, units, input errors, statuses."""
        out: dict[str, int] = {"files": self.files, "units": len(self.units), "input_errors": self.input_errors}
        out.update(self.counts)
        return out

    @classmethod
    def of(cls, files: Iterable[FileReport]) -> Tally:
        tally = cls()
        for f in files:
            tally.add(f)
        return tally


@dataclass(slots=True)
class Report:
    """A whole run: the tool, the packs, every file, and problems outside any file.

    ``files`` is a list, or a one-shot stream that carries its own :class:`Tally` (attribute
    ``tally``) and appends to ``problems`` when it ends (waivers that expired or matched nothing).
    """

    version: str
    packs: dict[str, str]
    as_of: _dt.date | None
    files: Any = field(default_factory=list)
    #: problems that are no file's: packs that failed to load, waivers that expired or matched nothing.
    problems: list[Notice] = field(default_factory=list)
    #: the rules that were run, for outputs that describe them (SARIF).
    rules: list[RuleInfo] = field(default_factory=list)
    #: what the run left out: ``disabledPacks`` and ``rulesNotChecked`` (empty when nothing).
    narrowed: dict[str, list[str]] = field(default_factory=dict)

    def iter_files(self) -> Iterator[FileReport]:
        """The files, in order (a streamed report can be gone through once)."""
        return iter(self.files)

    def tally(self) -> Tally:
        """The totals: kept by a stream as it went, else added up from the list."""
        kept = getattr(self.files, "tally", None)
        if isinstance(kept, Tally):
            return kept
        return Tally.of(self.files)

    def summary(self) -> dict[str, int]:
        return self.tally().summary()


def exit_code(report: Report, fail_on: str, fatal_problems: bool = False) -> int:
    """0: all read and no ``fail`` at or above ``fail_on``; 1: such a fail; 2: input errors, a
    pack that failed to load, or a rule ``error`` (spec/cli.md). A waived fail does not count."""
    tally = report.tally()
    if fatal_problems or tally.input_errors or tally.rule_errors:
        return 2
    return 1 if tally.worst_fail >= SEVERITY_RANK[fail_on] else 0
