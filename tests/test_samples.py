"""The bundled samples: each one is a valid submission, judged without a rule error as of its own
report date, and together they exercise the whole model (issue 2, item 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kl21rules.cli import app
from kl21rules.dates import parse_date
from kl21rules.loader import detect_format, load_bytes
from kl21rules.submission import BUILTIN_ACTIVITY_TYPES, activity_type_name

REPO = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO / "samples"
SAMPLES = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in (".json", ".yaml", ".yml"))


def data_of(path: Path) -> Any:
    raw = path.read_bytes()
    fmt = detect_format(path.name, raw)
    assert fmt is not None
    document, errors = load_bytes(raw, fmt)
    assert document is not None and errors == []
    return document.data


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    """One ``kl21rules check samples/ --format json`` run, each file as of its report date."""
    result = CliRunner().invoke(app, ["check", str(SAMPLES_DIR), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return json.loads(result.stdout)


def test_at_least_six_samples() -> None:
    assert len(SAMPLES) >= 6
    assert {p.suffix for p in SAMPLES} >= {".json", ".yaml"}


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_is_valid_and_has_no_rule_error(sample: Path, report: dict[str, Any]) -> None:
    entries = {Path(f["path"]).name: f for f in report["files"]}
    entry = entries[sample.name]
    assert entry["errors"] == [], entry["errors"]
    assert entry["findings"], "a valid sample is judged"
    written = data_of(sample)["report"]["date"]
    assert entry["as_of"] == parse_date(written).isoformat(), "judged as of its own report date"
    rule_errors = [f for f in entry["findings"] if f["status"] == "error"]
    assert rule_errors == []
    assert entry["notices"] == [] or all(n.get("code") != "pack-error" for n in entry["notices"])


def test_no_problems_outside_the_files(report: dict[str, Any]) -> None:
    assert report["summary"]["input_errors"] == 0
    assert report["summary"]["error"] == 0
    assert report.get("problems", []) == []


def test_samples_exercise_the_whole_model() -> None:
    docs = [data_of(p) for p in SAMPLES]
    types = {a["type"] for d in docs for a in d.get("activities", [])}
    assert types == {activity_type_name(t) for t in BUILTIN_ACTIVITY_TYPES}
    kinds = {d["unit"]["kind"] for d in docs}
    assert kinds == {"chi_bo_co_so", "dang_bo_co_so", "chi_bo_truc_thuoc", "department"}
    assert any(d.get("signals") for d in docs)

    def years(doc: Any) -> set[int]:
        return {a["year"] if "year" in a else parse_date(a["date"]).year for a in doc.get("activities", [])}

    assert any(len(years(d)) >= 3 for d in docs), "a multi-year report (2022-2024)"
    ids = [d["unit"]["id"] for d in docs]
    assert len(ids) == len(set(ids)), "each sample is a different unit"


def test_samples_use_day_first_dates_somewhere() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    assert any("/2022" in t for t in texts)


def test_every_sample_is_described_in_the_samples_readme() -> None:
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for sample in SAMPLES:
        assert f"`{sample.name}`" in readme, f"{sample.name} is not described in samples/README.md"
