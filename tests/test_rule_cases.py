"""The YAML rule cases of every loaded pack, and the testing kit that runs them.

The cases themselves run as tests of their own: pytest collects every ``cases/*.yaml`` file
through kl21rules' pytest plugin (``kl21rules.pytest_plugin``, entry point ``pytest11``), one test
per case named ``RULE:case name``; ``rulesets`` is in ``testpaths`` for the built-in packs'
cases. The tests here check that the plugin is active and collects exactly every case of the
built-in packs, that its failure report is a readable diff, and keep the catalogue honest: a rule
without a case that expects ``fail`` (and one that expects ``pass``) is a rule nobody has shown to
judge both ways.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kl21rules.packs import Registry, load_registry
from kl21rules.paths import RULESETS_DIR
from kl21rules.testing import RuleCase, load_case_file, run_case

REGISTRY: Registry = load_registry()
REPO = Path(__file__).resolve().parents[1]


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


def test_the_pytest_plugin_is_active(pytestconfig: pytest.Config) -> None:
    """Without it (kl21rules installed before the entry point existed: reinstall with
    ``pip install -e .``) the rule cases would silently not run."""
    assert pytestconfig.pluginmanager.has_plugin("kl21rules"), "reinstall kl21rules: pip install -e '.[dev]'"


def _pytest(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_the_plugin_collects_every_case_of_the_built_in_packs_once() -> None:
    builtin = [p for pack in REGISTRY.packs if pack.origin == "built-in" for p in pack.case_files]
    assert builtin and all(p.parent == RULESETS_DIR / "cases" for p in builtin)
    expected = sorted(f"rulesets/cases/{p.name}::{_case_id(c)}" for p in builtin for c in load_case_file(p))
    proc = _pytest("--collect-only", "-q", "rulesets")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    collected = sorted(line for line in proc.stdout.splitlines() if "::" in line)
    assert collected == expected
    assert len(collected) >= 400


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


def test_a_failing_case_shows_expected_against_found(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "mine.yaml").write_text(
        "cases:\n"
        "  - rule: KL21-01\n"
        "    name: nothing done, wrongly expected to pass\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{status: pass, due: 2022-03-31}]\n"
        "  - rule: KL21-01\n"
        "    name: nothing done fails\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{status: fail}]\n"
        "  - rule: KL21-1\n"
        "    name: a typo in the rule id\n"
        "    as_of: 2022-04-01\n"
        "    expect: [{status: fail}]\n", encoding="utf-8")
    (tmp_path / "cases" / "other.yaml").write_text("not: cases\n", encoding="utf-8")  # not collected
    proc = _pytest("-q", "cases", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "2 failed, 1 passed" in out
    assert f"KL21-01 / nothing done, wrongly expected to pass (as_of 2022-04-01) — {tmp_path / 'cases' / 'mine.yaml'}:2" in out
    assert "-{status: pass, due: 2022-03-31}\n+{status: fail, due: 2022-03-31}" in out
    assert "  [fail due 2022-03-31] No record of a conference" in out
    assert "no rule KL21-1 is loaded\n  did you mean KL21-01?" in out or "did you mean KL21-" in out
    assert "FAILED cases/mine.yaml::KL21-01:nothing done, wrongly expected to pass" in out


def test_a_malformed_case_file_is_a_collection_error_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "bad.yaml").write_text(
        "cases:\n  - rule: KL21-01\n    name: typo\n    as_of: 2022-04-01\n    expected: [{status: fail}]\n",
        encoding="utf-8")
    proc = _pytest("-q", "cases", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    assert "not a valid case file:" in proc.stdout and "unknown keys ['expected']" in proc.stdout
    assert "Traceback" not in proc.stdout and "testing.py" not in proc.stdout


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
