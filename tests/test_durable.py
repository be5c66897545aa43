"""The second engine (durable-rules) against the reference engine.

Both must give identical findings — status, period, item, due date, evidence and message — on
every sample (as of its report date and as of 2023-12-31), on every rule case of every loaded
pack, and on generated submissions. The durable engine checks its own verdicts against the
reference engine's and turns any difference into an ``error`` finding, so identical findings
also mean durable-rules agreed. Skipped when durable-rules cannot be imported (Python 3.13+),
except the tests of what happens then.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kl21rules import durable_engine
from kl21rules.cli import app
from kl21rules.findings import Finding
from kl21rules.loader import detect_format, load_bytes
from kl21rules.packs import Registry, load_registry
from kl21rules.rules.engine import CompiledRule, evaluate
from kl21rules.rules.facts import Facts, build_facts
from kl21rules.submission import Submission
from kl21rules.testing import RuleCase, load_case_file
from kl21rules.validate import validate_document
from submission_strategies import EDGES, submissions

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in (".json", ".yaml", ".yml"))
REASON = durable_engine.unavailable_reason()
needs_durable = pytest.mark.skipif(REASON is not None, reason=f"durable-rules cannot be imported: {REASON}")
REGISTRY: Registry = load_registry()


def _submission(path: Path) -> Submission:
    raw = path.read_bytes()
    document, errors = load_bytes(raw, detect_format(path.name, raw) or "json")
    assert document is not None, errors
    submission, errors = validate_document(document.data, document.line_of, REGISTRY.activity_types)
    assert submission is not None, errors
    return submission


def _both(facts: Facts, rules: list[CompiledRule], overrides: dict[str, Any] | None = None
          ) -> tuple[list[Finding], list[Finding]]:
    return evaluate(facts, rules, overrides), durable_engine.evaluate(facts, rules, overrides)


def _explain(reference: list[Finding], durable: list[Finding]) -> str:
    for a, b in zip(reference, durable):
        if a != b:
            return f"reference: {a}\ndurable:   {b}"
    return f"{len(reference)} findings against {len(durable)}"


def _cases() -> list[RuleCase]:
    cases: list[RuleCase] = []
    for pack in REGISTRY.packs:
        for path in pack.case_files:
            cases.extend(load_case_file(path))
    return cases


CASES = _cases()


# --------------------------------------------------------------------------- what it compiles


def test_every_declarative_kind_but_each_is_compiled_for_durable_rules() -> None:
    compiled = {r.id for r in REGISTRY.rules if durable_engine.why_not(r.spec) is None}
    expected = {r.id for r in REGISTRY.rules if r.spec.obligation.kind in durable_engine.KINDS}
    assert compiled == expected and compiled, "a rule of a compiled kind falls back"
    falling = dict(durable_engine.fallbacks(REGISTRY.rules))
    assert falling == {r.id: ("Python rule" if r.spec.obligation.kind == "python" else f"kind '{r.spec.obligation.kind}'")
                       for r in REGISTRY.rules if r.id not in compiled}


@needs_durable
def test_a_compiled_rule_is_judged_by_durable_rules() -> None:
    """The twin of a compiled rule has its own judge; a fallback rule is the rule itself."""
    for rule in REGISTRY.rules:
        twin = durable_engine.twin(rule)
        assert (twin is rule) == (durable_engine.why_not(rule.spec) is not None)
        assert twin.spec is rule.spec and twin.unit_filter is rule.unit_filter


# --------------------------------------------------------------------------- same findings


@needs_durable
@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
@pytest.mark.parametrize("as_of", ["report", "2023-12-31"])
def test_both_engines_agree_on_every_sample(path: Path, as_of: str) -> None:
    submission = _submission(path)
    day = submission.report.date if as_of == "report" else _dt.date.fromisoformat(as_of)
    assert day is not None
    reference, durable = _both(build_facts(submission, day), REGISTRY.rules)
    assert reference == durable, _explain(reference, durable)
    assert not [f for f in durable if f.status == "error"]


@needs_durable
@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}:{c.name}" for c in CASES])
def test_both_engines_agree_on_every_rule_case(case: RuleCase) -> None:
    rule = REGISTRY.rule(case.rule)
    assert rule is not None
    submission, errors = validate_document(case.submission, None, REGISTRY.activity_types)
    assert submission is not None, errors
    overrides = {case.rule: case.params} if case.params else None
    reference, durable = _both(build_facts(submission, case.as_of), [rule], overrides)
    assert reference == durable, _explain(reference, durable)


@needs_durable
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions(), st.one_of(st.sampled_from(EDGES), st.dates(_dt.date(2022, 1, 1), _dt.date(2025, 6, 30))))
def test_both_engines_agree_on_generated_submissions(doc: dict[str, Any], as_of: _dt.date) -> None:
    submission, errors = validate_document(doc, None, REGISTRY.activity_types)
    assert submission is not None, errors
    reference, durable = _both(build_facts(submission, as_of), REGISTRY.rules)
    assert reference == durable, _explain(reference, durable)


@needs_durable
def test_the_order_facts_reach_durable_rules_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trigger fact asserted last makes absence order-free (durable-rules issue #402)."""
    submission = _submission(REPO / "samples" / "dang-bo-so-y-te-tin-hieu-2023.json")
    facts = build_facts(submission, _dt.date(2023, 12, 31))
    forward = durable_engine.evaluate(facts, REGISTRY.rules)
    encode = durable_engine._encoded

    def reversed_facts(f: Facts) -> Any:
        enc = encode(f)
        enc.json_facts = list(reversed(enc.json_facts))
        return enc

    monkeypatch.setattr(durable_engine, "_encoded", reversed_facts)
    monkeypatch.setattr(durable_engine, "_last", [])
    assert durable_engine.evaluate(build_facts(submission, _dt.date(2023, 12, 31)), REGISTRY.rules) == forward


@needs_durable
def test_a_disagreement_becomes_an_error_finding_not_a_verdict() -> None:
    """If durable-rules decided otherwise, the rule says so instead of picking either answer."""
    rule = REGISTRY.rule("KL21-05")
    assert rule is not None
    wrong = durable_engine._checked(rule, lambda ctx: [])
    broken = CompiledRule(rule.spec, wrong, rule.unit_filter, params=rule.params)
    facts = build_facts(_submission(REPO / "samples" / "dang-bo-so-tai-chinh-2022.json"), _dt.date(2022, 12, 31))
    findings = evaluate(facts, [broken])
    assert [f.status for f in findings] == ["error"]
    assert "EngineMismatch" in findings[0].message_en and "KL21-05" in findings[0].message_en


@needs_durable
def test_durable_rules_matching_alone_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Break durable's window bound (on the due day itself) and the rule cases catch it: the
    comparison is not vacuous."""
    original = durable_engine._window_rules

    def off_by_one(groups: Any, res: Any) -> dict[str, Any]:
        text = json.dumps(original(groups, res)).replace('{"$lte": {"ord": {"w": "hi"}}}',
                                                         '{"$lt": {"ord": {"w": "hi"}}}')
        return json.loads(text)

    monkeypatch.setattr(durable_engine, "_window_rules", off_by_one)
    monkeypatch.setattr(durable_engine, "_twins", {})
    disagreements = 0
    for case in CASES:
        rule = REGISTRY.rule(case.rule)
        if rule is None or rule.spec.obligation.kind not in ("deadline", "recurring"):
            continue
        submission, _ = validate_document(case.submission, None, REGISTRY.activity_types)
        if submission is None:
            continue
        findings = durable_engine.evaluate(build_facts(submission, case.as_of), [rule],
                                           {case.rule: case.params} if case.params else None)
        disagreements += any(f.status == "error" and "EngineMismatch" in f.message_en for f in findings)
    assert disagreements > 0


# --------------------------------------------------------------------------- the command line


def _check(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["check", str(REPO / "samples"), "--as-of", "2023-12-31",
                                      "--format", "json", "--lang", "en", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, json.loads(result.stdout)


@needs_durable
def test_check_with_engine_durable_gives_the_reference_report_and_names_the_fallbacks() -> None:
    code, reference = _check()
    dcode, durable = _check("--engine", "durable")
    assert dcode == code
    notices = durable.pop("problems")
    assert reference.pop("problems") == []
    assert durable == reference
    assert [n["code"] for n in notices] == ["engine-fallback"]
    assert "KL21-04 (kind 'each')" in notices[0]["message"] and "KL21-13 (Python rule)" in notices[0]["message"]


@needs_durable
def test_engine_durable_from_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kl21rules.toml").write_text('engine = "durable"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, report = _check()
    assert [n["code"] for n in report["problems"]] == ["engine-fallback"]
    _, report = _check("--engine", "reference")  # the command line wins
    assert report["problems"] == []


def test_engine_durable_without_durable_rules_says_so_and_runs_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    code, reference = _check()

    def missing() -> Any:
        raise durable_engine.DurableUnavailable("ModuleNotFoundError: No module named 'durable_rules_engine'")

    monkeypatch.setattr(durable_engine, "_engine", missing)
    dcode, durable = _check("--engine", "durable")
    assert dcode == code
    notices = durable.pop("problems")
    reference.pop("problems")
    assert durable == reference
    assert [n["code"] for n in notices] == ["engine-unavailable"]
    assert "not available" in notices[0]["message"] and "kl21rules[durable]" in notices[0]["message"]
    vi, _ = durable_engine.unavailable_message("x")
    assert "Không dùng được bộ máy durable-rules" in vi


def test_an_unknown_engine_is_a_bad_option() -> None:
    result = CliRunner().invoke(app, ["check", str(REPO / "samples"), "--engine", "drools"])
    assert result.exit_code == 2 and "drools" in result.output


@needs_durable
@pytest.mark.skipif(os.cpu_count() == 1, reason="one processor")
def test_engine_durable_in_worker_processes() -> None:
    """--jobs: each worker judges with durable-rules too (the choice travels in the options)."""
    _, one = _check("--engine", "durable")
    _, many = _check("--engine", "durable", "--jobs", "2")
    assert many == one
