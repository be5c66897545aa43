"""The units × rules matrix of a run: one row per checked unit, one cell per rule holding the
worst status of that rule's findings for the unit. Computed once, drawn by the HTML dashboard
(``--format html``) and the spreadsheet's "Ma trận" sheet alike.

:func:`unit_row` is a function of one file alone (a batch's workers compute it); :class:`Matrix`
adds the rows up: units by kind, units per rule and status (the dashboard's bars), the run's
evaluation dates.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from kl21rules.findings import Finding
from kl21rules.report import FileReport, RuleInfo

#: worst first: a cell shows the first of these among its findings.
WORST_FIRST = ("error", "fail", "late", "pending", "pass", "not_applicable")
_RANK = {s: i for i, s in enumerate(WORST_FIRST)}
#: the symbol of each status; colour is never the only sign.
SYMBOL = {"error": "!", "fail": "✗", "late": "⏱", "pending": "…", "pass": "✓", "not_applicable": "–"}
#: the order of the dashboard's legend and bars: done, late, not done, waiting, not applicable.
SHOWN = ("pass", "late", "fail", "pending", "not_applicable", "error")
#: the rows' sort order of kinds (the model's order).
KINDS = ("dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc", "department")


def grouped_rules(rules: Sequence[RuleInfo]) -> list[RuleInfo]:
    """The matrix's columns: the run's rules grouped by pack (packs in the order of their first
    rule, rules sorted by id), by id within a pack."""
    first: dict[str, int] = {}
    for i, r in enumerate(rules):
        first.setdefault(r.pack, i)
    return sorted(rules, key=lambda r: (first[r.pack], r.id))


def worst(findings: Sequence[Finding]) -> str | None:
    """The worst status among findings; a waived fail counts after the unwaived statuses but
    before a pass (it is still not done, only excused)."""
    best: str | None = None
    for f in findings:
        if best is None or _RANK[f.status] < _RANK[best]:
            best = f.status
    return best


@dataclass(slots=True)
class UnitRow:
    """One unit's row: its cells in the matrix's column order (``None``: the rule gave no finding)."""

    path: str
    unit_id: str
    name: str
    kind: str
    as_of: _dt.date | None
    cells: tuple[str | None, ...]
    #: per cell, whether every finding of the cell's worst status is waived.
    waived: tuple[bool, ...]
    counts: dict[str, int]
    errors: int = 0


def unit_row(file: FileReport, rule_ids: Sequence[str]) -> UnitRow | None:
    """The matrix row of one checked file, or ``None`` when the file could not be read as a
    submission (its input errors are listed apart)."""
    if file.as_of is None or not file.unit:
        return None
    # one pass (it runs for every file): each rule's worst status, and which (rule, status) have
    # a finding that is not waived; the same cells as worst() over each rule's findings
    rank = _RANK
    worst_of: dict[str, str] = {}
    open_: set[tuple[str, str]] = set()
    for f in file.findings:
        rule, status = f.rule, f.status
        current = worst_of.get(rule)
        if current is None or rank[status] < rank[current]:
            worst_of[rule] = status
        if f.waived is None:
            open_.add((rule, status))
    cells = [worst_of.get(rule) for rule in rule_ids]
    waived = [status is not None and (rule, status) not in open_ for rule, status in zip(rule_ids, cells)]
    unit = file.unit
    return UnitRow(file.path, str(unit.get("id") or ""), str(unit.get("name") or ""), str(unit.get("kind") or ""),
                   file.as_of, tuple(cells), tuple(waived), file.summary(), len(file.errors))


@dataclass
class Matrix:
    """The rows of a run and their totals."""

    rule_ids: tuple[str, ...]
    rows: list[UnitRow] = field(default_factory=list)
    #: unit kind -> number of distinct units of that kind (a unit with several files counts once)
    kinds: dict[str, int] = field(default_factory=dict)
    _seen: set[tuple[str, str]] = field(default_factory=set, repr=False)
    #: rule id -> status -> number of units whose cell shows that status.
    per_rule: dict[str, dict[str, int]] = field(default_factory=dict)
    as_of_min: _dt.date | None = None
    as_of_max: _dt.date | None = None

    def __post_init__(self) -> None:
        for r in self.rule_ids:
            self.per_rule.setdefault(r, dict.fromkeys(WORST_FIRST, 0))

    def add(self, row: UnitRow) -> None:
        self.rows.append(row)
        key = (row.kind, row.unit_id or "\x00" + row.path)  # a file without a unit id is its own
        if key not in self._seen:
            self._seen.add(key)
            self.kinds[row.kind] = self.kinds.get(row.kind, 0) + 1
        for rule, status in zip(self.rule_ids, row.cells, strict=True):
            if status is not None:
                self.per_rule[rule][status] += 1
        if row.as_of is not None:
            if self.as_of_min is None or row.as_of < self.as_of_min:
                self.as_of_min = row.as_of
            if self.as_of_max is None or row.as_of > self.as_of_max:
                self.as_of_max = row.as_of

    def kinds_in_order(self) -> list[tuple[str, int]]:
        known = [(k, self.kinds[k]) for k in KINDS if k in self.kinds]
        return known + sorted((k, n) for k, n in self.kinds.items() if k not in KINDS)


def met_share(counts: dict[str, int]) -> tuple[float | None, float | None]:
    """(done on time, done at all) as shares of the obligations already due (pass, late, fail);
    ``None`` when nothing was due yet."""
    due = counts.get("pass", 0) + counts.get("late", 0) + counts.get("fail", 0)
    if not due:
        return None, None
    return counts.get("pass", 0) / due, (counts.get("pass", 0) + counts.get("late", 0)) / due
