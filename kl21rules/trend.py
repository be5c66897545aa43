"""The trend of a run (``--trend month|quarter``): every file judged again as of each period end
from the plan's start (March 2022) to the evaluation date, its findings (obligations) counted by
status — as the report's summary counts them. (Cells of the matrix would not do: a yearly rule's
cell turns from "pass" to "pending" each January, when the new year's obligation appears.)

Each file is read and validated once and judged at every period end up to its own evaluation
date; for a later period end of the run (another file was judged later) it counts as it stood on
its own evaluation date. Waivers are not applied here: the lines show what was done, not what
was excused. The reference engine judges (the durable engine gives the same findings).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kl21rules.check import CheckOptions, iter_paths, read_target, selected
from kl21rules.matrix import WORST_FIRST
from kl21rules.packs import Registry

#: the plan was issued on 3 March 2022; its first period ends with that month.
START = _dt.date(2022, 3, 31)


def period_ends(every: str, until: _dt.date) -> list[_dt.date]:
    """Month or quarter ends from March 2022 up to ``until``, then ``until`` itself when it is not
    one of them (the last point is always the evaluation date)."""
    step = {"month": 1, "quarter": 3}[every]
    out = []
    year, month = 2022, 3
    while True:
        nxt_year, nxt_month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = _dt.date(nxt_year, nxt_month, 1) - _dt.timedelta(days=1)
        if end > until:
            break
        out.append(end)
        month += step
        while month > 12:
            month -= 12
            year += 1
    if until >= START and (not out or out[-1] != until):
        out.append(until)
    return out


@dataclass
class Trend:
    """Period ends and, per status, the number of findings (obligations) with it at each."""

    every: str
    dates: list[_dt.date] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)
    units: list[int] = field(default_factory=list)


def _submission(label: str, raw: bytes, registry: Registry) -> Any:
    """The valid submission in a file (JSON, YAML or a workbook, read as the check reads it), or
    ``None`` when the file has input errors."""
    from kl21rules.check import is_xlsx
    from kl21rules.loader import detect_format, load_bytes
    from kl21rules.validate import validate_document

    if is_xlsx(label, raw):
        from kl21rules.xlsx import read_workbook

        workbook = read_workbook(raw, registry.activity_types)
        if workbook.data is None or workbook.errors:
            return None
        submission, errors = validate_document(workbook.data, None, registry.activity_types)
        return None if errors else submission
    fmt = detect_format(label, raw)
    if fmt is None:
        return None
    document, _dups = load_bytes(raw, fmt)
    if document is None:
        return None
    submission, _errors = validate_document(document.data, document.line_of, registry.activity_types)
    return submission


def compute_trend(targets: Sequence[str], registry: Registry, options: CheckOptions, every: str) -> Trend:
    """Judge every readable submission of ``targets`` at each period end (see the module's doc)."""
    from kl21rules.rules.engine import evaluate
    from kl21rules.rules.facts import build_facts

    rules = selected(registry.rules, options.select, options.ignore)
    at: dict[_dt.date, dict[str, int]] = {}
    at_units: dict[_dt.date, int] = {}
    finals: list[tuple[_dt.date, dict[str, int]]] = []

    def cells(submission: object, day: _dt.date) -> dict[str, int]:
        facts = build_facts(submission, day)  # type: ignore[arg-type]
        out = dict.fromkeys(WORST_FIRST, 0)
        for f in evaluate(facts, rules, options.params):
            out[f.status] += 1
        return out

    for label, path in iter_paths(targets):
        if path is None:
            continue  # standard input was read by the check itself
        raw, _ = read_target(label, path)
        if raw is None:
            continue
        submission = _submission(label, raw, registry)
        if submission is None:
            continue  # an input error: the check reports it
        own = options.as_of or submission.report.date or options.today
        for day in period_ends(every, own):
            if day == own:
                break
            row = at.setdefault(day, dict.fromkeys(WORST_FIRST, 0))
            for status, n in cells(submission, day).items():
                row[status] += n
            at_units[day] = at_units.get(day, 0) + 1
        finals.append((own, cells(submission, own)))
    trend = Trend(every)
    if not finals:
        return trend
    end = options.as_of or max(day for day, _ in finals)
    trend.dates = period_ends(every, end)
    trend.counts = {s: [] for s in WORST_FIRST}
    for day in trend.dates:
        row = dict(at.get(day, dict.fromkeys(WORST_FIRST, 0)))
        units = at_units.get(day, 0)
        for own, counts in finals:
            if own <= day:
                units += 1
                for status, n in counts.items():
                    row[status] += n
        for status in WORST_FIRST:
            trend.counts[status].append(row[status])
        trend.units.append(units)
    return trend
