"""``kl21rules schema --rules``: a JSON Schema of ruleset files for editors. Every built-in ruleset
(and the example pack's) validates against it, typical mistakes do not, and the committed copy
(kl21rules/schema/ruleset-v1.json) is the one the model gives."""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kl21rules.paths import RULESETS_DIR
from kl21rules.ruleschema import RULESET_SCHEMA_FILE, ruleset_schema, ruleset_schema_text

REPO = Path(__file__).resolve().parents[1]
KL21RULES = str(Path(sys.executable).with_name("kl21rules"))
BUILTIN = sorted(p for p in RULESETS_DIR.glob("*.yaml") if p.name != "plan_clauses.yaml")


def as_json(path_or_text: Path | str) -> Any:
    """A YAML file as JSON sees it (dates as ISO text, as an editor's YAML server reads them)."""
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    data = yaml.safe_load(text)
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, _dt.date) else str(v)))


def _validator(schema: dict[str, Any] | None = None) -> jsonschema.Draft202012Validator:
    schema = schema or ruleset_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_copy_is_not_stale() -> None:
    assert RULESET_SCHEMA_FILE.read_text(encoding="utf-8") == ruleset_schema_text(), \
        "run: python -m kl21rules.ruleschema"


@pytest.mark.parametrize("path", BUILTIN, ids=[p.name for p in BUILTIN])
def test_every_built_in_ruleset_validates(path: Path) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(as_json(path))]
    assert errors == []


def test_the_command_prints_the_schema_with_the_packs_types() -> None:
    proc = subprocess.run([KL21RULES, "schema", "--rules"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert schema == ruleset_schema()  # no pack adds a type here
    types = schema["$defs"]["Match"]["properties"]["type"]["anyOf"][0]["enum"]
    assert "outreach" in types and "study_session" in types


BAD = {
    "unknown kind": ("kind: recurring", "kind: recuring"),
    "unknown type": ("type: outreach", "type: outrech"),
    "unknown operator": ("{in: [website]}", "{within: [website]}"),
    "ref outside the plan": ("refs: [II.7]", "refs: [III.9]"),
    "unknown key": ("severity: warning", "severity: warning\n    severty: error"),
    "bad severity": ("severity: warning", "severity: fatal"),
}
GOOD = """\
pack: dept
rules:
  - id: DEPT-01
    title: {vi: Quy tắc thử, en: A test rule}
    expect: {vi: việc thử, en: a test thing}
    refs: [II.7]
    severity: warning
    obligation:
      kind: recurring
      schedules:
        - every: year
          match: {type: outreach, where: {channel: {in: [website]}, any: [{date: {exists: true}}]}}
"""


def test_a_good_ruleset_validates_and_each_mistake_does_not() -> None:
    validator = _validator()
    assert list(validator.iter_errors(as_json(GOOD))) == []
    for name, change in BAD.items():
        text = GOOD.replace(*change)
        assert text != GOOD, name
        assert list(validator.iter_errors(as_json(text))), name
    follow = GOOD.replace("""      kind: recurring
      schedules:
        - every: year
          match: {type: outreach, where: {channel: {in: [website]}, any: [{date: {exists: true}}]}}
""", """      kind: follow_up
      trigger: {signals: [violaton], label: {vi: vụ, en: case}}
      within_days: 30
      require: [{match: {type: discipline}, link: {signal: id}}]
""")
    assert list(validator.iter_errors(as_json(follow.replace("violaton", "violation")))) == []
    assert any("violaton" in e.message for e in validator.iter_errors(as_json(follow)))
