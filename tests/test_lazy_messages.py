"""Findings of the engine's rules render their messages when read, one language at a time.

What is read must be exactly what rendering at once gives (the engine did so before), in both
languages, on every sample and on generated files; a finding that is copied, pickled or compared
behaves as one made with its text; and a pack's own Python rule still gets its messages
rendered at once, so that a message it cannot render is that rule's error finding.
"""

from __future__ import annotations

import copy
import datetime as _dt
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from kl21rules.findings import Finding
from kl21rules.loader import detect_format, load_bytes
from kl21rules.packs import load_registry
from kl21rules.rules.engine import CompiledRule, Context, Msg, compile_rule, evaluate
from kl21rules.rules.facts import build_facts
from kl21rules.rules.model import RuleSpec
from kl21rules.submission import Submission
from kl21rules.validate import validate_document

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in (".json", ".yaml", ".yml"))
REGISTRY = load_registry()
sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py)


def _submission(raw: bytes, name: str) -> Submission:
    document, errors = load_bytes(raw, detect_format(name, raw) or "json")
    assert document is not None, errors
    submission, errors = validate_document(document.data, document.line_of, REGISTRY.activity_types)
    assert submission is not None, errors
    return submission


def _eager(rule: CompiledRule) -> CompiledRule:
    twin = CompiledRule(rule.spec, rule.judge, rule.unit_filter, source=rule.source, python=rule.python,
                        params=rule.params)
    twin.lazy = False
    return twin


def _generated(n: int) -> list[tuple[str, bytes]]:
    return [generate.render(3, i, yaml_share=0.2) for i in range(n)]


def test_deferred_messages_read_as_rendered_at_once() -> None:
    lazy_rules = list(REGISTRY.rules)
    assert all(r.lazy for r in lazy_rules)  # the built-in packs' Python rules too
    eager_rules = [_eager(r) for r in lazy_rules]
    inputs = [(p.name, p.read_bytes()) for p in SAMPLES] + _generated(60)
    compared = 0
    for name, raw in inputs:
        submission = _submission(raw, name)
        for as_of in (submission.report.date or _dt.date(2023, 12, 31), _dt.date(2022, 6, 30), _dt.date(2024, 1, 1)):
            facts = build_facts(submission, as_of)
            lazy = evaluate(facts, lazy_rules)
            eager = evaluate(facts, eager_rules)
            # English read first on one side, Vietnamese on the other: the order must not matter
            assert [f.message_en for f in lazy] == [f.message_en for f in eager], name
            assert [f.message("vi") for f in lazy] == [f.message_vi for f in eager], name
            assert lazy == eager
            compared += len(lazy)
    assert compared > 1000


def _spec(rid: str = "T-01", **more: Any) -> RuleSpec:
    return RuleSpec.model_validate({
        **more, "id": rid, "pack": "t", "title": {"vi": "Thử", "en": "Test"}, "expect": {"vi": "việc", "en": "a thing"},
        "refs": ["II.1", "II.8"], "severity": "error", "obligation": {"kind": "python"},
        "applies_to": {"unit_kinds": ["chi_bo_co_so", "dang_bo_co_so", "chi_bo_truc_thuoc", "department"]}})


def _facts() -> Any:
    return build_facts(_submission(SAMPLES[0].read_bytes(), SAMPLES[0].name), _dt.date(2023, 12, 31))


def test_a_deferred_finding_copies_pickles_and_compares_as_text() -> None:
    def judge(ctx: Context) -> list[Finding]:
        return [ctx.finding("fail", Msg("chưa có {x} ngày {d}", "no {x} on {d}", x=ctx.spec.expect,
                                        d=_dt.date(2023, 3, 5)), period="2023", evidence=["/a/1", "/a/1"])]

    judge.__module__ = "kl21rules.plugins.test_only"  # as a built-in pack's rule
    rule = compile_rule(_spec(), judge)
    assert rule.lazy
    (found,) = evaluate(_facts(), [rule])
    made = Finding("T-01", "fail", "error", "2023", None, None, ("II.1", "II.8"),
                   "Chưa có việc ngày 5/3/2023 (Kế hoạch 40-KH/ĐUK, mục II.1, II.8)",
                   "No a thing on 2023-03-05 (Plan 40-KH/ĐUK, clause II.1, II.8)", ("/a/1",))
    for twin in (pickle.loads(pickle.dumps(found)), copy.copy(found), copy.deepcopy(found)):
        assert twin == made and twin == found
        assert twin._deferred is None  # travels as text
    assert found == made and repr(found) == repr(made)
    assert found.message("en") == made.message_en


def test_a_packs_python_rule_that_cannot_render_its_message_gets_an_error_finding() -> None:
    def judge(ctx: Context) -> list[Finding]:
        return [ctx.finding("pass", Msg("có {missing}", "has {missing}", other=1))]

    rule = compile_rule(_spec(), judge)
    assert not rule.lazy  # not a built-in pack's
    (found,) = evaluate(_facts(), [rule])
    assert found.status == "error" and "KeyError" in found.message_en


@pytest.mark.parametrize("status", ["pass", "late", "fail", "pending", "not_applicable"])
def test_a_rules_own_wording_is_rendered_at_once(status: str) -> None:
    spec = _spec(messages={status: {"vi": "{nope}", "en": "{nope}"}})

    def judge(ctx: Context) -> list[Finding]:
        return [ctx.finding(status, Msg("x", "x"))]

    judge.__module__ = "kl21rules.plugins.test_only"
    (found,) = evaluate(_facts(), [compile_rule(spec, judge)])
    assert found.status == "error" and "KeyError" in found.message_en


def test_the_inline_recurring_judge_gives_the_general_ones_findings() -> None:
    """Recurring rules whose schedules have one group and no caveat are judged by a shorter
    function (engine._recurring's judge_one); it must give exactly the general judge's findings."""
    from kl21rules.rules.engine import _recurring

    inline = [r for r in REGISTRY.rules if r.spec.obligation.kind == "recurring"]
    general = [compile_rule(r.spec) for r in inline]
    for rule in general:
        rule.judge = _recurring(rule.spec, rule.spec.obligation, inline=False)  # type: ignore[arg-type]
    assert any(r.judge.__name__ == "judge_one" for r in inline)
    assert all(r.judge.__name__ == "judge" for r in general)
    inputs = [(p.name, p.read_bytes()) for p in SAMPLES] + _generated(60)
    for name, raw in inputs:
        submission = _submission(raw, name)
        for as_of in (submission.report.date or _dt.date(2023, 12, 31), _dt.date(2021, 6, 30),
                      _dt.date(2022, 6, 30), _dt.date(2024, 1, 1)):
            facts = build_facts(submission, as_of)
            assert evaluate(facts, inline) == evaluate(facts, general), (name, as_of)


def test_every_built_in_message_names_only_values_it_is_given() -> None:
    """Deferred messages are rendered by the outputs, after the rule ran: a template of the
    engine or of a built-in pack naming a value it is not given would fail there instead of
    being that rule's error finding. Every ``Msg(...)`` written with literal templates and
    keyword values is checked here (calls that pass ``**values`` are checked on their literal
    keywords where the templates need nothing else)."""
    import ast
    import string

    files = [REPO / "kl21rules" / "rules" / "engine.py", *sorted((REPO / "kl21rules" / "plugins").glob("*.py"))]
    checked = 0
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Msg"):
                continue
            if len(node.args) < 2 or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                             for a in node.args[:2]):
                continue  # templates built at run time (joined(), period labels): checked by rendering
            given = {k.arg for k in node.keywords if k.arg is not None}
            spread = any(k.arg is None for k in node.keywords)
            for template in (node.args[0].value, node.args[1].value):
                wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
                missing = wanted - given
                assert spread or not missing, f"{path.name}:{node.lineno}: {sorted(missing)} not given"
            checked += 1
    assert checked > 80
