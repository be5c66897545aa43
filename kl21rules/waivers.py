"""Waivers (miễn trừ): known, accepted exceptions, governed (reason and expiry required).

A waived finding keeps its status and gains the waiver; it no longer counts toward the exit code.
A waiver is judged against each file's evaluation date (not the wall clock), so the same input
and ``--as-of`` always give the same report: past its ``expires`` date it stops applying and is
reported; a waiver that matched nothing is reported too, never silently ignored.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from kl21rules.config import WaiverSpec
from kl21rules.findings import Finding, Waived
from kl21rules.report import Notice, Report


def _matches(w: WaiverSpec, unit_id: str | None, f: Finding) -> bool:
    return (
        f.rule == w.rule
        and (w.unit is None or w.unit == unit_id)
        and (w.period is None or w.period == f.period)
        and (w.item is None or w.item == f.item)
    )


def apply_waivers(report: Report, waivers: Sequence[WaiverSpec], today: _dt.date) -> list[Notice]:
    """Mark waived findings in ``report``; return notices for expired and unmatched waivers."""
    used = [False] * len(waivers)
    expired_hit = [False] * len(waivers)
    for file in report.files:
        unit_id = file.unit.get("id") if file.unit else None
        when = file.as_of or today
        for f in file.findings:
            for i, w in enumerate(waivers):
                if not _matches(w, unit_id, f):
                    continue
                if when > w.expires:
                    expired_hit[i] = True
                    continue
                used[i] = True
                if f.waived is None:
                    f.waived = Waived(w.reason, w.expires, w.approver)
    notices = []
    for i, w in enumerate(waivers):
        what = f"{w.rule}" + (f" {w.unit}" if w.unit else "") + (f" {w.period}" if w.period else "") + (f" {w.item}" if w.item else "")
        if expired_hit[i] and not used[i]:
            notices.append(Notice("waiver-expired", None,
                                  f"Miễn trừ {what} ({w.source}) đã hết hạn ngày {w.expires.isoformat()}, không còn áp dụng.",
                                  f"Waiver {what} ({w.source}) expired on {w.expires.isoformat()} and no longer applies."))
        elif not used[i]:
            notices.append(Notice("waiver-unmatched", None,
                                  f"Miễn trừ {what} ({w.source}) không khớp với kết quả nào.",
                                  f"Waiver {what} ({w.source}) matched no finding."))
    return notices
