"""docs/rule-language.md can never go stale: every ``yaml`` block is a ruleset file (checked as a
pack's are when loaded, and against the ruleset JSON Schema) or a case file (run against the
document's rules), every ``python`` block is code of the document's pack, and every obligation
kind and filter operator has an example."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kl21rules import PackInfo, PythonRule, Text, hookimpl
from kl21rules.packs import Registry, discover, load_registry
from kl21rules.rules.filters import OPERATORS
from kl21rules.rules.lint import lint_files
from kl21rules.ruleschema import ruleset_schema
from kl21rules.testing import load_case_file, run_case

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "rule-language.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(lang: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(DOC.read_text(encoding="utf-8")) if kind == lang]


class _DocsPack:
    def __init__(self, rulesets: list[Path], cases: list[Path], rules: list[PythonRule]) -> None:
        self.rulesets, self.cases, self.rules = rulesets, cases, rules

    @hookimpl
    def kl21rules_pack(self) -> PackInfo:
        return PackInfo("docs", Text(vi="Ví dụ của tài liệu", en="The document's examples"), "0")

    @hookimpl
    def kl21rules_rulesets(self) -> list[Path]:
        return self.rulesets

    @hookimpl
    def kl21rules_rule_cases(self) -> list[Path]:
        return self.cases

    @hookimpl
    def kl21rules_rules(self) -> list[PythonRule]:
        return self.rules


@pytest.fixture(scope="module")
def documented(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("docs")
    rulesets, cases = [], []
    for n, body in enumerate(_blocks("yaml")):
        data = yaml.safe_load(body)
        assert isinstance(data, dict) and (set(data) == {"pack", "rules"} or set(data) == {"cases"}), \
            f"yaml block {n} is neither a ruleset file nor a case file:\n{body}"
        path = folder / ("rules" if "rules" in data else "cases") / f"block{n:02d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(body, encoding="utf-8")
        (rulesets if "rules" in data else cases).append(path)
    python_rules: list[PythonRule] = []
    for n, body in enumerate(_blocks("python")):
        module = types.ModuleType(f"rule_language_block{n}")
        exec(compile(body, f"{DOC}#python{n}", "exec"), module.__dict__)  # noqa: S102 - the document's own code
        python_rules.extend(module.kl21rules_rules())
    pack = _DocsPack(rulesets, cases, python_rules)
    registry = load_registry(entry_points=discover() + [("docs", lambda: pack, "-p", "0")])
    return {"rulesets": rulesets, "cases": cases, "registry": registry, "python": python_rules}


def test_the_document_has_rules_cases_and_python(documented: dict[str, Any]) -> None:
    assert len(documented["rulesets"]) >= 12 and len(documented["cases"]) >= 12 and documented["python"]


def test_every_ruleset_loads_without_a_problem(documented: dict[str, Any]) -> None:
    registry: Registry = documented["registry"]
    assert [e.describe("en") for e in registry.errors] == []
    problems, count = lint_files([str(p) for p in documented["rulesets"]])
    assert [p.describe("en") for p in problems] == [] and count == len(documented["rulesets"])
    validator = jsonschema.Draft202012Validator(ruleset_schema())
    from test_ruleschema import as_json

    for path in documented["rulesets"]:
        assert [e.message for e in validator.iter_errors(as_json(path))] == [], path.read_text(encoding="utf-8")


def test_every_documented_rule_has_a_case_and_every_case_passes(documented: dict[str, Any]) -> None:
    registry: Registry = documented["registry"]
    pack = next(p for p in registry.packs if p.name == "docs")
    cases = [c for path in documented["cases"] for c in load_case_file(path)]
    assert {r.id for r in pack.rules} == {c.rule for c in cases}
    failures = {f"{c.rule}: {c.name}": problems for c in cases if (problems := run_case(c, registry))}
    assert failures == {}


def test_every_kind_and_operator_is_shown() -> None:
    rules = [r for body in _blocks("yaml") for r in (yaml.safe_load(body).get("rules") or [])]
    kinds = {r["obligation"]["kind"] for r in rules}
    assert kinds == {"deadline", "recurring", "term_window", "follow_up", "each", "python"}
    text = DOC.read_text(encoding="utf-8")
    for op in (*OPERATORS, "any", "all", "not", "$unit.", "$param.", "$trigger.", "caveat", "all_of", "not_before",
               "by: year", "span: report_period", "before: true", "effective", "messages", "applies_to", "unless"):
        assert op in text, op
    for op in OPERATORS:  # in a table row with an example
        assert re.search(rf"^\| [^|]*`{op}`[^|]*\|.*\| `", text, re.MULTILINE), op
