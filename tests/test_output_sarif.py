"""SARIF 2.1.0: valid against the OASIS schema, rules described with their clauses, results at the
file and line of the place they are about, waived findings as suppressions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from kl21rules.batch import run_check
from kl21rules.check import CheckOptions
from kl21rules.config import WaiverSpec
from kl21rules.loader import load_bytes
from kl21rules.output import sarif
from kl21rules.packs import Registry, load_registry
from kl21rules.report import Notice

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
THPT = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
SCHEMA_FILE = REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    assert SCHEMA_FILE.is_file(), f"the SARIF schema is kept in the repository at {SCHEMA_FILE}"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def run_log(report: object, lang: str = "vi") -> dict:
    return json.loads(sarif.render(report, lang))  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_valid_sarif_for_every_sample_and_input_errors(
    registry: Registry, validator: jsonschema.Draft4Validator, tmp_path: Path, lang: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: kl21rules/submission/v1\nunit:\n  id: [\n", encoding="utf-8")
    waiver = WaiverSpec("KL21-11", "Sáp nhập", dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2022-07",
                        approver="Ban Tổ chức")
    report = run_check([str(SAMPLES), str(bad), str(tmp_path / "nope.json")], registry,
                       CheckOptions(as_of=dt.date(2023, 12, 31), lines=True), waivers=[waiver])
    report.problems.append(Notice("pack-error", None, "gói hỏng", "broken pack"))
    log = run_log(report, lang)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0].message
    run = log["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["level"] == "error"


def test_rules_carry_help_and_clauses(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(lines=True))
    rules = {r["id"]: r for r in run_log(report, "en")["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {r.id for r in registry.rules} | {"input-error"}
    kl02 = rules["KL21-02"]
    assert kl02["properties"]["clauses"] == ["II.1", "III.6"] and kl02["properties"]["pack"] == "tuyengiao"
    assert "make-up" in kl02["help"]["text"] and "II.1, III.6" in kl02["help"]["text"]
    assert kl02["defaultConfiguration"]["level"] == "warning"


def test_results_only_for_what_needs_attention(registry: Registry) -> None:
    report = run_check([str(SAMPLES)], registry, CheckOptions(as_of=dt.date(2023, 12, 31), lines=True))
    results = run_log(report)["runs"][0]["results"]
    expected = [(f.rule, f.status) for file in report.files for f in file.findings if f.status in ("fail", "late")]
    assert [(r["ruleId"], r["properties"]["status"]) for r in results] == expected
    levels = {(r["properties"]["status"], r["properties"]["severity"]): r["level"] for r in results}
    assert levels[("fail", "warning")] == "warning" and levels[("fail", "error")] == "error"
    assert {lvl for (status, _), lvl in levels.items() if status == "late"} == {"note"}


def test_results_are_located_at_the_line_of_their_place(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(lines=True))
    document, _ = load_bytes(THPT.read_bytes(), "yaml")
    assert document is not None
    results = run_log(report)["runs"][0]["results"]
    lines = THPT.read_text(encoding="utf-8").splitlines()

    def where(rule: str, period: str | None = None) -> tuple[str, int]:
        r = next(r for r in results if r["ruleId"] == rule and r["properties"]["period"] == period)
        loc = r["locations"][0]
        return loc["logicalLocations"][0]["fullyQualifiedName"], loc["physicalLocation"]["region"]["startLine"]

    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(THPT).lstrip("/") or
               r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == THPT.as_uri() for r in results)
    # Evidence: the late study session, activity 0.
    pointer, line = where("KL21-01")
    assert (pointer, line) == ("/activities/0", document.line_of("/activities/0"))
    assert lines[line - 1].strip() == "- id: THPT-QT-01"
    # The item at fault: the second task of the plan.
    pointer, line = where("KL21-04")
    assert pointer == "/activities/1/tasks/1" and lines[line - 1].lstrip().startswith("- task:")
    # A missing monthly meeting: the list it is missing from.
    pointer, line = where("KL21-11", "2022-07")
    assert pointer == "/activities" and lines[line - 1].startswith("activities:")


def test_input_errors_are_results_at_their_line(registry: Registry, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema": "kl21rules/submission/v1",\n  "unit": 5\n}\n', encoding="utf-8")
    results = run_log(run_check([str(bad)], registry, CheckOptions(lines=True)))["runs"][0]["results"]
    unit = next(r for r in results if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/unit")
    assert unit["ruleId"] == "input-error" and unit["level"] == "error"
    assert unit["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_waived_findings_are_suppressed_with_justification(registry: Registry) -> None:
    waiver = WaiverSpec("KL21-11", "Sáp nhập chi bộ", dt.date(2030, 1, 1), period="2022-07", approver="ĐUK")
    report = run_check([str(THPT)], registry, CheckOptions(lines=True), waivers=[waiver])
    results = run_log(report)["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["properties"]["period"]) for r in suppressed] == [("KL21-11", "2022-07")]
    assert suppressed[0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "Sáp nhập chi bộ (ĐUK, 2030-01-01)"}]


@pytest.mark.parametrize(
    ("path", "uri"),
    [("samples/a b.json", "samples/a%20b.json"), ("báo cáo/x.yaml", "b%C3%A1o%20c%C3%A1o/x.yaml"),
     ("/srv/r/x.json", "file:///srv/r/x.json")],
)
def test_artifact_uris(path: str, uri: str) -> None:
    assert sarif.artifact_uri(path) == uri


def test_same_findings_same_fingerprints(registry: Registry) -> None:
    a = run_log(run_check([str(THPT)], registry, CheckOptions(lines=True)))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["kl21rules/v1"] for r in a]
    assert len(prints) == len(set(prints))
    assert "KCQ.THPTNT|KL21-11|2022-07|" in prints
