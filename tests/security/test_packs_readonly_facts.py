"""Rules receive facts they cannot change (issue 9, item 8).

Once: a pack's rule could change, in place, the facts that the rules after it read — the
activities of a type, the signals, an activity's fields — so one pack could turn another pack's
verdicts (one fail became 36, with no error). Facts are now read-only all the way down: a frozen
dataclass, tuples, a read-only mapping and frozen submission models.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from io_helpers import SAMPLES, run

from kl21rules.loader import load_bytes
from kl21rules.rules.facts import build_facts
from kl21rules.submission import submission_model

SAMPLE = "dang-bo-so-y-te-tin-hieu-2023.json"

TAMPERS: dict[str, str] = {
    "set a field of an activity": "acts[0].obj.date = dt.date(1990, 1, 1)",
    "set a field of a signal": "facts.signals[0].obj.kind = 'other'",
    "empty a type's activities": "facts.by_type[acts[0].obj.type].clear()",
    "drop a type": "del facts.by_type[acts[0].obj.type]",
    "replace the index": "facts.by_type = {}",
    "replace the signals": "facts.signals = ()",
    "move the evaluation date": "facts.as_of = dt.date(2099, 1, 1)",
    "set a field of the unit": "facts.unit.members = 0",
    "empty the submission's activities": "facts.submission.activities = []",
}


def _facts() -> Any:
    document, errors = load_bytes((SAMPLES / SAMPLE).read_bytes(), "json")
    assert document is not None and not errors
    data = document.data
    submission = submission_model().model_validate(data)
    return build_facts(submission, dt.date(2023, 12, 20))


def _view(facts: Any) -> str:
    return repr((facts.as_of, sorted(facts.by_type), [[d.obj.model_dump_json() for d in v]
                 for _, v in sorted(facts.by_type.items())], [s.obj.model_dump_json() for s in facts.signals],
                 facts.unit.model_dump_json(), len(facts.submission.activities)))


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_facts_cannot_be_changed_in_place(name: str) -> None:
    facts = _facts()
    before = _view(facts)
    acts = [d for group in facts.by_type.values() for d in group]
    assert acts and facts.signals
    with pytest.raises(Exception):  # noqa: B017 - whichever error: what counts is that nothing changed
        exec(TAMPERS[name], {"dt": dt, "facts": facts, "acts": acts})
    assert _view(facts) == before


PACK = '''\
import datetime as dt
from kl21rules import Msg, PackInfo, PythonRule, RuleSpec, Text, hookimpl


def spec(rid):
    return RuleSpec.model_validate({
        "id": rid, "pack": "tamper", "title": {"vi": "Quy tắc thử", "en": "A test rule"},
        "expect": {"vi": "điều thử", "en": "a test"}, "refs": ["II.8"], "severity": "error",
        "obligation": {"kind": "python"}})


TAMPERS = %s


def tamper(code):
    def rule(ctx):
        facts = ctx.facts
        acts = [d for group in facts.by_type.values() for d in group]
        exec(code, {"dt": dt, "facts": facts, "acts": acts})
        return [ctx.finding("pass", Msg("đã sửa", "changed"))]
    return rule


@hookimpl
def kl21rules_pack():
    return PackInfo("tamper", Text(vi="Gói thử", en="Test pack"), "0.1")


@hookimpl
def kl21rules_rules():
    return [PythonRule(f"TAM-{i:02d}", tamper(code), spec(f"TAM-{i:02d}"))
            for i, code in enumerate(TAMPERS.values())]
''' % (repr(TAMPERS),)


def test_a_pack_that_changes_facts_gets_errors_and_changes_no_verdict(tmp_path: Path) -> None:
    (tmp_path / "tamper_pack.py").write_text(PACK, encoding="utf-8")
    (tmp_path / SAMPLE).write_bytes((SAMPLES / SAMPLE).read_bytes())
    args = ("check", SAMPLE, "--format", "json", "--lang", "en", "--as-of", "2023-12-20")
    plain = run(*args, cwd=tmp_path)
    tampered = run(*args, "-p", "tamper_pack", cwd=tmp_path, PYTHONPATH=str(tmp_path))
    assert tampered.returncode == 2, tampered.stderr  # rule errors
    findings = json.loads(tampered.stdout)["files"][0]["findings"]
    ours = [f for f in findings if f["rule"].startswith("TAM-")]
    assert len(ours) == len(TAMPERS) and all(f["status"] == "error" for f in ours), ours
    others = [f for f in findings if not f["rule"].startswith("TAM-")]
    assert others == json.loads(plain.stdout)["files"][0]["findings"]
