"""The JSON Schema of ruleset files (``kl21rules schema --rules``), generated from the rule model.

Editors use it to complete and check rule files: a ruleset names it in a first-line comment
``# yaml-language-server: $schema=PATH`` (``kl21rules new-pack`` writes one). The schema is the
rule model's (:mod:`kl21rules.rules.model`) with what the model leaves open filled in: the
activity types known (built in, and those of the installed packs), the plan's clauses, the signal
kinds and the filter language (fields, operators, ``any``/``all``/``not``). Field names inside a
filter and parameter references are checked when rules load (:mod:`kl21rules.rules.lint`), not
here. ``python -m kl21rules.ruleschema`` rewrites the committed copy
(``kl21rules/schema/ruleset-v1.json``, built-in types only); ``tests/test_ruleschema.py`` fails
when it is stale.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from kl21rules.rules.filters import OPERATORS

RULESET_SCHEMA_URL = "https://kl21rules.invalid/schema/ruleset-v1.json"
RULESET_SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "ruleset-v1.json"

_OPERAND = {"description": "A value, or $unit.FIELD, $param.NAME, $trigger.FIELD"}
_CONDITION: dict[str, Any] = {
    "description": "A value (equals) or operators: " + ", ".join(OPERATORS),
    "anyOf": [
        {"type": ["string", "number", "boolean", "null", "array"]},
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {
                **{op: dict(_OPERAND) for op in OPERATORS if op not in ("exists", "in", "not_in", "contains_any")},
                "exists": {"type": "boolean"},
                "in": {"type": ["array", "string"]},
                "not_in": {"type": ["array", "string"]},
                "contains_any": {"type": ["array", "string"]},
            },
        },
    ],
}
_FILTER: dict[str, Any] = {
    "description": "Field (dotted for nested: members.good) to condition; any/all (lists of filters) "
                   "and not (a filter) combine filters.",
    "type": "object",
    "properties": {
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Filter"}},
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Filter"}},
        "not": {"$ref": "#/$defs/Filter"},
    },
    "additionalProperties": {"$ref": "#/$defs/Condition"},
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}], "default": None}


def ruleset_schema(activity_types: tuple[type, ...] = ()) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a ruleset file, knowing the built-in activity types plus
    ``activity_types``."""
    from kl21rules.rules.lint import vocabulary
    from kl21rules.rules.model import RuleSpec

    vocab = vocabulary(tuple(activity_types))
    rule = copy.deepcopy(RuleSpec.model_json_schema(mode="validation"))
    defs: dict[str, Any] = rule.pop("$defs", {})
    rule["required"] = [name for name in rule.get("required", []) if name != "pack"]
    rule["properties"]["pack"]["description"] = "Filled in from the file's pack; may be left out."
    sections = sorted({c.split(".")[0] for c in vocab.clauses})
    clauses = sorted(vocab.clauses | set(sections), key=_clause_key)
    if clauses:
        rule["properties"]["refs"]["items"] = {"enum": clauses, "type": "string"}
    types = sorted(vocab.activities)
    defs["Match"]["properties"]["type"] = {
        "description": "Activity type(s) (built in, or added by a pack)",
        "anyOf": [{"enum": types, "type": "string"},
                  {"type": "array", "minItems": 1, "items": {"enum": types, "type": "string"}}],
    }
    defs["Match"]["properties"]["where"] = {"$ref": "#/$defs/Filter"}
    if "Caveat" in defs:
        defs["Caveat"]["properties"]["unless"] = {"$ref": "#/$defs/Filter"}
    defs["AppliesTo"]["properties"]["unit"] = {"$ref": "#/$defs/Filter",
                                               "description": "Conditions on the unit's fields"}
    defs["Trigger"]["properties"]["signals"] = _nullable(
        {"type": "array", "items": {"enum": list(vocab.signal_kinds), "type": "string"}})
    defs["Filter"] = _FILTER
    defs["Condition"] = _CONDITION
    defs["Rule"] = rule
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RULESET_SCHEMA_URL,
        "title": "kl21rules ruleset file",
        "description": "A pack's declarative rules (docs/rule-language.md).",
        "type": "object",
        "additionalProperties": False,
        "required": ["pack", "rules"],
        "properties": {
            "pack": {"type": "string", "description": "The pack's name (kl21rules_pack)"},
            "rules": {"type": "array", "items": {"$ref": "#/$defs/Rule"}},
        },
        "$defs": dict(sorted(defs.items())),
    }


def _clause_key(ref: str) -> tuple[int, int]:
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
    head, _, tail = ref.partition(".")
    return roman.get(head, 99), int(tail) if tail.isdigit() else 0


def ruleset_schema_text(activity_types: tuple[type, ...] = ()) -> str:
    """The schema as stable JSON text (sorted keys, newline at the end)."""
    return json.dumps(ruleset_schema(activity_types), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Rewrite :data:`RULESET_SCHEMA_FILE` (built-in types only); print whether it changed."""
    text = ruleset_schema_text()
    old = RULESET_SCHEMA_FILE.read_text(encoding="utf-8") if RULESET_SCHEMA_FILE.exists() else None
    if old == text:
        sys.stdout.write(f"{RULESET_SCHEMA_FILE}: up to date\n")
        return 0
    RULESET_SCHEMA_FILE.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{RULESET_SCHEMA_FILE}: written\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
