"""Waivers (miễn trừ): known, accepted exceptions, governed: a unit (or ``"*"``), a reason, an
approver and an expiry at most a year after the evaluation date are required
(:func:`kl21rules.config.parse_waiver`, :func:`kl21rules.config.check_waiver_expiry`).

A waived finding keeps its status and gains the waiver; it no longer counts toward the exit code.
A waiver is judged against each file's evaluation date (not the wall clock), so the same input
and ``--as-of`` always give the same report: past its ``expires`` date it stops applying and is
reported; a waiver that matched nothing is reported too, never silently ignored.

Only findings that are not met (``fail``, ``late``, ``pending``) are waived: a waiver whose
finding now passes matched nothing, and saying so tells the user it can be removed. A rule
``error`` is a fault of the tool or a pack, never waived.

Waivers come from the configuration (``[[tool.kl21rules.waivers]]``) or from a separate file
(``--waivers FILE``, TOML or YAML) holding a list of waivers.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kl21rules.config import ConfigError, WaiverSpec, parse_waiver
from kl21rules.fsutil import os_reason
from kl21rules.findings import Finding, Waived
from kl21rules.report import FileReport, Notice, Report

#: statuses a waiver applies to.
WAIVABLE = ("fail", "late", "pending")


def matches(w: WaiverSpec, unit_id: str | None, f: Finding) -> bool:
    """Whether waiver ``w`` is about finding ``f`` of unit ``unit_id`` (fields left out match any)."""
    return (
        f.rule == w.rule
        and (w.unit is None or w.unit == unit_id)
        and (w.period is None or w.period == f.period)
        and (w.item is None or w.item == f.item)
    )


def describe(w: WaiverSpec) -> str:
    """A waiver's target in a few words: ``KL21-11 KCQ.STC 2022-07``."""
    return " ".join(x for x in (w.rule, w.unit, w.period, w.item) if x)


@dataclass
class WaiverState:
    """What became of one waiver in a run."""

    waiver: WaiverSpec
    #: findings it waived.
    applied: int = 0
    #: findings it matched on a date past its expiry (so it did not waive them).
    expired_hits: int = 0

    def state(self, when: _dt.date | None = None) -> str:
        """``live`` (it waived something), ``expired`` or ``unmatched``. With no files checked,
        pass ``when``: ``live`` or ``expired`` as of that date."""
        if when is not None:
            return "expired" if when > self.waiver.expires else "live"
        if self.expired_hits:
            return "expired" if not self.applied else "live"
        return "live" if self.applied else "unmatched"


class WaiverBook:
    """Applies waivers file by file and remembers what each did (for a streamed batch).

    ``rules``: the ids of the rules the run evaluates (``None``: all). A waiver that matched
    nothing is reported only when the run could have matched it: its rule was run, and its unit
    (or, for a waiver naming no unit, any unit) was checked without input errors. A partial run
    (a few files, ``--select``) thus says nothing of waivers about other units or rules.
    """

    def __init__(self, waivers: Sequence[WaiverSpec], today: _dt.date, rules: set[str] | None = None) -> None:
        self.states = [WaiverState(w) for w in waivers]
        self.today = today
        self.rules = rules
        self._waiver_units = {w.unit for w in waivers if w.unit is not None}
        self.units_seen: set[str] = set()
        self.any_unit = False

    def __bool__(self) -> bool:
        return bool(self.states)

    def note_unit(self, unit_id: str) -> None:
        """Note that a unit was checked (its file read without input errors)."""
        self.any_unit = True
        if unit_id in self._waiver_units:
            self.units_seen.add(unit_id)

    def could_match(self, w: WaiverSpec) -> bool:
        """Whether this run checked what ``w`` is about (see the class's doc)."""
        if self.rules is not None and w.rule not in self.rules:
            return False
        return w.unit in self.units_seen if w.unit is not None else self.any_unit

    def apply(self, file: FileReport) -> None:
        """Mark the waived findings of one file, as of the file's evaluation date."""
        unit_id = file.unit.get("id") if file.unit else None
        if unit_id is not None and not file.errors:
            self.note_unit(unit_id)
        if not self.states or not file.findings:
            return
        when = file.as_of or self.today
        for f in file.findings:
            if f.status not in WAIVABLE:
                continue
            for st in self.states:
                w = st.waiver
                if not matches(w, unit_id, f):
                    continue
                if when > w.expires:
                    st.expired_hits += 1
                    continue
                if f.waived is None:
                    f.waived = Waived(w.reason, w.expires, w.approver)
                    st.applied += 1

    def notices(self) -> list[Notice]:
        """Warnings for waivers that expired (where they would have applied) or matched nothing."""
        out = []
        for st in self.states:
            w = st.waiver
            what, day = describe(w), w.expires.isoformat()
            if st.expired_hits:
                out.append(Notice(
                    "waiver-expired", None,
                    f"Miễn trừ {what} ({w.source}) đã hết hạn ngày {day}, không còn áp dụng cho "
                    f"{st.expired_hits} kết quả.",
                    f"Waiver {what} ({w.source}) expired on {day} and no longer applies to "
                    f"{st.expired_hits} finding(s).",
                ))
            elif not st.applied and self.could_match(w):
                out.append(Notice(
                    "waiver-unmatched", None,
                    f"Miễn trừ {what} ({w.source}) không khớp với kết quả chưa đạt nào.",
                    f"Waiver {what} ({w.source}) matched no finding that is not met.",
                ))
        return out


def apply_waivers(report: Report, waivers: Sequence[WaiverSpec], today: _dt.date) -> list[Notice]:
    """Mark waived findings in a report held in memory; return notices for expired and unmatched waivers."""
    book = WaiverBook(waivers, today)
    for file in report.files:
        book.apply(file)
    return book.notices()


def load_waiver_file(path: Path) -> list[WaiverSpec]:
    """Waivers from a file: TOML (``[[waivers]]``) or YAML (a list, or ``waivers:`` holding one).

    Every problem is a :class:`~kl21rules.config.ConfigError` (exit code 2).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp miễn trừ '{path}': {os_reason(exc, 'vi')}.",
                          f"Cannot read waiver file '{path}': {os_reason(exc, 'en')}.") from None
    name = path.name.lower()
    if name.endswith(".toml"):
        import tomllib

        try:
            data: object = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Tệp miễn trừ '{path}' không đúng cú pháp TOML: {exc}.",
                              f"Waiver file '{path}' is not valid TOML: {exc}.") from None
    elif name.endswith((".yaml", ".yml")):
        import yaml

        try:
            data = yaml.safe_load(raw.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Tệp miễn trừ '{path}' không đúng cú pháp YAML: {exc}.",
                              f"Waiver file '{path}' is not valid YAML: {exc}.") from None
    else:
        raise ConfigError(f"Tệp miễn trừ '{path}' phải là .toml, .yaml hoặc .yml.",
                          f"Waiver file '{path}' must be .toml, .yaml or .yml.")
    if isinstance(data, dict):
        unknown = [k for k in data if k != "waivers"]
        if unknown:
            raise ConfigError(f"{path}: khóa '{unknown[0]}' không có; tệp miễn trừ chỉ có 'waivers'.",
                              f"{path}: unknown key '{unknown[0]}'; a waiver file holds only 'waivers'.")
        data = data.get("waivers", [])
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: cần một danh sách miễn trừ.", f"{path}: expected a list of waivers.")
    return [parse_waiver(w, f"{path} waivers[{i}]") for i, w in enumerate(data)]


def check_rule_ids(waivers: Iterable[WaiverSpec], known: set[str]) -> None:
    """Refuse waivers for rules that do not exist (a typo must not leave a fail unwaived silently)."""
    from kl21rules.config import nearest_rule

    for w in waivers:
        if w.rule not in known:
            near = nearest_rule(w.rule, known)
            vi_hint = f" Có phải là {near}?" if near else ""
            en_hint = f" Did you mean {near}?" if near else ""
            raise ConfigError(f"{w.source}: quy tắc '{w.rule}' không có.{vi_hint}",
                              f"{w.source}: unknown rule '{w.rule}'.{en_hint}")
