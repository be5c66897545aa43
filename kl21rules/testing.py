"""The testing kit for rule packs: YAML rule cases, loaded and run by one public helper.

A case file (YAML) holds optional ``bases`` (named submissions) and ``cases``::

    cases:
      - rule: KL21-01
        name: held on the due day
        base: dang_bo_co_so          # a built-in base (see BASES) or one of the file's bases
        as_of: 2022-04-30
        unit: {members: 12}          # merged into the base's unit
        activities:                  # appended to the base's activities
          - {type: study_session, date: 2022-03-31}
        params: {within_days: 45}    # rule parameters, as configuration would set them
        expect:                      # the rule's findings, in report order
          - {status: pass, due: 2022-03-31}

Each expected finding lists only the fields it checks (``status``, ``period``, ``item``, ``due``,
``evidence``, ``severity``, ``message_contains``). pytest collects every ``cases/*.yaml`` file as
one test per case through the plugin :mod:`kl21rules.pytest_plugin` (registered when kl21rules is
installed); :func:`run_case` runs one case from any code.
"""

from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from kl21rules.findings import Finding
    from kl21rules.packs import Registry

BASES: dict[str, dict[str, Any]] = {
    kind: {
        "schema": "kl21rules/submission/v1",
        "unit": {
            "id": f"TEST.{kind.upper()}",
            "name": f"Đơn vị thử ({kind})",
            "kind": kind,
            "members": 30,
            "term": {"start": "2020-06-18", "end": "2025-06-30"},
        },
        "signals": [],
        "activities": [],
    }
    for kind in ("dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc")
}
for _dept in ("tochuc", "ubkt", "tuyengiao", "vanphong", "doanthe"):
    BASES[f"department:{_dept}"] = {
        "schema": "kl21rules/submission/v1",
        "unit": {"id": f"DUK.{_dept.upper()}", "name": f"Ban thử ({_dept})", "kind": "department",
                 "department": _dept},
        "signals": [],
        "activities": [],
    }


@dataclass
class RuleCase:
    """One case: a rule, a submission (base plus additions), an evaluation date, expected findings."""

    rule: str
    name: str
    as_of: _dt.date
    submission: dict[str, Any]
    expect: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def describe(self) -> str:
        """A short YAML view of what the case adds to its base (used by ``explain``)."""
        shown = {k: v for k, v in self.submission.items() if k in ("signals", "activities") and v}
        unit = self.submission.get("unit", {})
        shown = {"unit": {"kind": unit.get("kind"), **({"term": unit["term"]} if "term" in unit else {})}, **shown}
        text = yaml.safe_dump(shown, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
        statuses = ", ".join(str(e.get("status")) for e in self.expect)
        return text.rstrip() + f"\n=> {statuses}"


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return patch


def _as_date(value: Any) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    from kl21rules.dates import parse_date

    return parse_date(str(value))


#: What an expected finding may check.
EXPECT_KEYS = frozenset({"status", "period", "item", "due", "evidence", "severity", "message_contains"})


def load_case_file(path: Path) -> list[RuleCase]:
    """Every case of a case file, with its submission built from its base.

    Unknown keys (of the file, a case or an expected finding) are refused: a typo such as
    ``case:`` for ``cases:`` would otherwise load no case and test nothing.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a case file is a mapping with 'bases' and 'cases'")
    unknown_top = set(data) - {"bases", "cases"}
    if unknown_top:
        raise ValueError(f"{path}: unknown keys {sorted(unknown_top)}; a case file has 'bases' and 'cases'")
    bases = {**BASES, **(data.get("bases") or {})}
    out = []
    for i, raw in enumerate(data.get("cases") or []):
        known = {"rule", "name", "base", "as_of", "unit", "report", "activities", "signals", "params",
                 "expect", "submission"}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{path}: case {i}: unknown keys {sorted(unknown)}")
        for n, want in enumerate(raw.get("expect") or []):
            bad = set(want) - EXPECT_KEYS if isinstance(want, dict) else {"(not a mapping)"}
            if bad:
                raise ValueError(f"{path}: case {i}: expect[{n}]: unknown keys {sorted(bad)}; "
                                 f"use {', '.join(sorted(EXPECT_KEYS))}")
        if "submission" in raw:
            sub = copy.deepcopy(raw["submission"])
        else:
            base_name = raw.get("base", "dang_bo_co_so")
            if base_name not in bases:
                raise ValueError(f"{path}: case {i}: unknown base {base_name!r}")
            sub = copy.deepcopy(bases[base_name])
            if "unit" in raw:
                sub["unit"] = _merge(sub["unit"], raw["unit"])
                sub["unit"] = {k: v for k, v in sub["unit"].items() if v is not None}
            if "report" in raw:
                sub["report"] = _merge(sub.get("report", {}), raw["report"])
            sub["activities"] = list(sub.get("activities", [])) + list(raw.get("activities") or [])
            sub["signals"] = list(sub.get("signals", [])) + list(raw.get("signals") or [])
        out.append(
            RuleCase(
                rule=raw["rule"],
                name=raw.get("name", f"case {i}"),
                as_of=_as_date(raw["as_of"]),
                submission=sub,
                expect=list(raw.get("expect") or []),
                params=dict(raw.get("params") or {}),
                source=f"{path}#{i}",
            )
        )
    return out


def run_case(case: RuleCase, registry: Registry) -> list[str]:
    """Run one case; return the differences from what it expects (empty when it passes)."""
    findings, problems = case_findings(case, registry)
    if findings is None:
        return problems
    problems = compare(case, findings)
    if problems:
        problems.append("findings: " + "; ".join(
            f"[{f.status} {f.period or ''} {f.item or ''}] {f.message_en}" for f in findings))
    return problems


def case_findings(case: RuleCase, registry: Registry) -> tuple[list[Finding] | None, list[str]]:
    """The findings of the case's rule on the case's submission, or ``None`` and why there are none
    (the rule is not loaded, the submission is invalid)."""
    from kl21rules.rules.engine import evaluate
    from kl21rules.rules.facts import build_facts
    from kl21rules.validate import validate_document

    rule = registry.rule(case.rule)
    if rule is None:
        return None, [f"no rule {case.rule} is loaded"]
    submission, errors = validate_document(_jsonable(case.submission), None, registry.activity_types)
    if submission is None:
        return None, [f"the case's submission is invalid: {e.pointer}: {e.en}" for e in errors]
    facts = build_facts(submission, case.as_of)
    overrides = {case.rule: case.params} if case.params else None
    return [f for f in evaluate(facts, [rule], overrides) if f.rule == case.rule], []


def expected_value(key: str, value: Any) -> Any:
    """An expected value as it compares with a finding's attribute (dates parsed)."""
    if key == "due" and value is not None:
        return _as_date(value)
    return value


def found_value(finding: Finding, key: str) -> Any:
    """A finding's value for an expectation key (``evidence`` as a list)."""
    actual = getattr(finding, key, None)
    if key == "evidence":
        return list(actual or ())
    return actual


def compare(case: RuleCase, findings: list[Finding]) -> list[str]:
    """The differences between the case's expected findings and ``findings`` (empty when equal)."""
    problems: list[str] = []
    if len(findings) != len(case.expect):
        problems.append(f"expected {len(case.expect)} finding(s), got {len(findings)}")
    for n, (want, got) in enumerate(zip(case.expect, findings)):
        for key, value in want.items():
            if key == "message_contains":
                text = got.message_vi + " | " + got.message_en
                if str(value) not in text:
                    problems.append(f"finding {n}: message lacks {value!r}: {text}")
                continue
            actual, value = found_value(got, key), expected_value(key, value)
            if actual != value:
                problems.append(f"finding {n}: {key} is {actual!r}, expected {value!r}")
    return problems


def _jsonable(value: Any) -> Any:
    """YAML gives dates as date objects; the model takes them as they are (no change needed)."""
    return value
