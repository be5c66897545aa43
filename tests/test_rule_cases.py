"""Every YAML rule case of every loaded pack, run through the public testing kit.

Each case becomes one test (id ``RULE:case name``), so a failure names the rule and the case.
The coverage tests keep the catalogue honest: a rule without a case that expects ``fail`` (and
one that expects ``pass``) is a rule nobody has shown to judge both ways.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kl21rules.packs import Registry, load_registry
from kl21rules.testing import RuleCase, load_case_file, run_case

# Loaded once at collection: parametrisation needs the cases before any fixture runs.
REGISTRY: Registry = load_registry()


def _all_cases() -> list[RuleCase]:
    cases: list[RuleCase] = []
    for pack in REGISTRY.packs:
        for path in pack.case_files:
            cases.extend(load_case_file(path))
    return cases


CASES = _all_cases()


def _case_id(case: RuleCase) -> str:
    return f"{case.rule}:{case.name}"


def test_case_ids_are_unique() -> None:
    """Two cases of one rule with the same name would hide each other in a report."""
    dupes = [name for name, n in Counter(_case_id(c) for c in CASES).items() if n > 1]
    assert not dupes, f"duplicate case names: {dupes}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule_case(case: RuleCase) -> None:
    problems = run_case(case, REGISTRY)
    if problems:
        print(f"{case.source}: {case.rule} / {case.name} (as_of {case.as_of})")
        for p in problems:
            print("  " + p)
    assert not problems, "\n".join(problems)


def test_registry_loads_without_errors() -> None:
    assert not REGISTRY.errors, "\n".join(e.describe("en") for e in REGISTRY.errors)
    assert REGISTRY.rules, "no rule was loaded"


def test_every_case_names_a_loaded_rule() -> None:
    loaded = {r.id for r in REGISTRY.rules}
    unknown = sorted({c.rule for c in CASES} - loaded)
    assert not unknown, f"cases for rules that are not loaded: {unknown}"


@pytest.mark.parametrize("status", ["fail", "pass"])
def test_every_rule_has_a_case_expecting(status: str) -> None:
    covered = {c.rule for c in CASES if any(e.get("status") == status for e in c.expect)}
    missing = sorted(r.id for r in REGISTRY.rules if r.id not in covered)
    assert not missing, f"rules with no case expecting '{status}': {missing}"


def test_every_builtin_pack_ships_cases() -> None:
    without = sorted(p.name for p in REGISTRY.packs if p.origin == "built-in" and not p.case_files)
    assert not without, f"built-in packs without a case file: {without}"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_case_with_unknown_key_is_rejected(tmp_path: Path) -> None:
    # 'expected' instead of 'expect': silently ignored, the case would expect nothing.
    path = _write(tmp_path, (
        "cases:\n"
        "  - rule: KL21-01\n"
        "    name: typo\n"
        "    as_of: 2022-04-01\n"
        "    expected: [{status: fail}]\n"
    ))
    with pytest.raises(ValueError, match="expected"):
        load_case_file(path)


def test_case_file_with_unknown_top_level_key_is_rejected(tmp_path: Path) -> None:
    # 'case:' instead of 'cases:' would otherwise load no case at all, and test nothing.
    path = _write(tmp_path, (
        "case:\n"
        "  - rule: KL21-01\n"
        "    name: typo\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{status: fail}]\n"
    ))
    with pytest.raises(ValueError, match="case"):
        load_case_file(path)


def test_expected_finding_with_unknown_field_is_rejected(tmp_path: Path) -> None:
    # 'stauts' would compare a missing attribute and fail with a misleading message.
    path = _write(tmp_path, (
        "cases:\n"
        "  - rule: KL21-01\n"
        "    name: typo\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{stauts: fail}]\n"
    ))
    with pytest.raises(ValueError, match="stauts"):
        load_case_file(path)


def test_run_case_reports_a_wrong_expectation(tmp_path: Path) -> None:
    """The kit must be able to fail: a case expecting the opposite verdict gives problems."""
    path = _write(tmp_path, (
        "cases:\n"
        "  - rule: KL21-01\n"
        "    name: nothing done, wrongly expected to pass\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{status: pass}]\n"
        "  - rule: KL21-01\n"
        "    name: wrong count of findings\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{status: fail}, {status: fail}]\n"
    ))
    wrong_status, wrong_count = load_case_file(path)
    assert any("status is 'fail', expected 'pass'" in p for p in run_case(wrong_status, REGISTRY))
    assert any("expected 2 finding(s), got 1" in p for p in run_case(wrong_count, REGISTRY))
