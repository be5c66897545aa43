"""The submission's JSON Schema: generated from the model, committed for editors, never stale,
and in agreement with the model on the samples and on documents that must be refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from kl21rules.cli import app
from kl21rules.loader import detect_format, load_bytes
from kl21rules.schema import SCHEMA_FILE, schema_text, submission_schema
from kl21rules.validate import validate_document

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in (".json", ".yaml", ".yml"))


def as_json_data(value: Any) -> Any:
    """A parsed document as JSON tools see it: YAML dates become the ISO strings they were."""
    if isinstance(value, dict):
        return {k: as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def load(path: Path) -> Any:
    raw = path.read_bytes()
    fmt = detect_format(path.name, raw)
    assert fmt is not None
    document, errors = load_bytes(raw, fmt)
    assert document is not None and not errors
    return document.data


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_committed_schema_is_not_stale() -> None:
    assert SCHEMA_FILE.exists(), "run: python -m kl21rules.schema"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "kl21rules/schema/submission-v1.json is stale; run: python -m kl21rules.schema"
    )


def test_cli_schema_prints_the_committed_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema"]["const"] == "kl21rules/submission/v1"
    assert set(schema["required"]) == {"schema", "unit"}
    assert schema["additionalProperties"] is False


def test_schema_is_package_data() -> None:
    assert SCHEMA_FILE.parent.name == "schema" and SCHEMA_FILE.parent.parent.name == "kl21rules"
    import tomllib

    with (REPO / "pyproject.toml").open("rb") as handle:
        package_data = tomllib.load(handle)["tool"]["setuptools"]["package-data"]
    assert "*.json" in package_data["kl21rules.schema"]  # tests/test_wheel.py checks the built wheel


def test_every_activity_type_is_in_the_schema() -> None:
    schema = submission_schema()
    mapping = schema["properties"]["activities"]["items"]["discriminator"]["mapping"]
    assert len(mapping) == 20
    assert {"study_session", "implementation_plan", "deliverable", "discipline"} <= set(mapping)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_validates_against_the_schema(sample: Path, validator: Any) -> None:
    data = as_json_data(load(sample))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]


BASE = {
    "$schema": "../kl21rules/schema/submission-v1.json",
    "schema": "kl21rules/submission/v1",
    "report": {"date": "15/12/2022", "period": {"start": "2022-01-01", "end": "2022-12-31"}},
    "unit": {"id": "KCQ.STC", "name": "Đảng bộ Sở Tài chính", "kind": "dang_bo_co_so", "members": 86,
             "term": {"start": "18-06-2020", "end": "2025-06-30"}},
    "signals": [{"id": "S-1", "kind": "violation", "date": "2022-06-02"}],
    "activities": [
        {"type": "study_session", "date": "18/3/2022", "expected": 86, "attendees": 80},
        {"type": "quality_rating", "year": 2022, "members": {"excellent": 1, "good": 5}},
        {"type": "discipline", "date": "2022-07-01", "signal": "S-1", "outcome": "warning"},
    ],
}

INVALID = {
    "unknown top-level field": lambda d: d.update(activites=[]),
    "unknown unit field": lambda d: d["unit"].update(memebrs=3),
    "unknown activity field": lambda d: d["activities"][0].update(attendess=3),
    "unknown activity type": lambda d: d["activities"][0].update(type="study_sesion"),
    "string for an int": lambda d: d["unit"].update(members="86"),
    "boolean for an int": lambda d: d["activities"][0].update(expected=True),
    "negative count": lambda d: d["activities"][0].update(attendees=-1),
    "unknown schema version": lambda d: d.update(schema="kl21rules/submission/v2"),
    "no schema": lambda d: d.pop("schema"),
    "no unit": lambda d: d.pop("unit"),
    "unknown unit kind": lambda d: d["unit"].update(kind="dang_bo"),
    "month name date": lambda d: d["activities"][0].update(date="March 18, 2022"),
    "slashes in an ISO date": lambda d: d["activities"][0].update(date="2022/03/18"),
    "mixed separators": lambda d: d["activities"][0].update(date="18/03-2022"),
    "date with a time": lambda d: d["activities"][2].update(date="2022-07-01T08:00:00"),
    "non-ASCII digits": lambda d: d["activities"][0].update(date="١٨/٣/٢٠٢٢"),
    "activity without type": lambda d: d["activities"][1].pop("type"),
    "year as text": lambda d: d["activities"][1].update(year="2022"),
}


def test_base_document_is_valid_for_both(validator: Any) -> None:
    assert list(validator.iter_errors(BASE)) == []
    submission, errors = validate_document(copy.deepcopy(BASE))
    assert errors == [] and submission is not None


@pytest.mark.parametrize("mutate", INVALID.values(), ids=INVALID.keys())
def test_invalid_documents_are_refused_by_schema_and_model(mutate: Any, validator: Any) -> None:
    data = copy.deepcopy(BASE)
    mutate(data)
    assert list(validator.iter_errors(data)), "the schema accepts it"
    submission, errors = validate_document(copy.deepcopy(data))
    assert submission is None and errors, "the model accepts it"
