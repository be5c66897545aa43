"""The JSON report: its shape checked against the report's JSON Schema, streamed byte for byte
as a whole dump would be, and its totals equal to what the files hold."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from kl21rules.batch import run_check, stream_check
from kl21rules.check import CheckOptions
from kl21rules.config import WaiverSpec
from kl21rules.output import jsonfmt
from kl21rules.packs import Registry, load_registry

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SCHEMA = json.loads((REPO / "kl21rules" / "schema" / "report-v1.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA)


def inputs(tmp: Path) -> list[str]:
    """The samples, a broken file and a missing one: every kind of file entry."""
    broken = tmp / "broken.yaml"
    broken.write_text("schema: kl21rules/submission/v1\nunit: {id: X\n", encoding="utf-8")
    invalid = tmp / "invalid.json"
    invalid.write_text('{"schema": "kl21rules/submission/v1", "unit": {"id": "U"}}', encoding="utf-8")
    return [str(SAMPLES), str(broken), str(invalid), str(tmp / "missing.json")]


@pytest.mark.parametrize("as_of", [None, dt.date(2023, 12, 31)])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_samples_report_validates_against_the_report_schema(
    registry: Registry, validator: jsonschema.protocols.Validator, tmp_path: Path, as_of: dt.date | None, lang: str
) -> None:
    waiver = WaiverSpec("KL21-11", "Sáp nhập", dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2022-07")
    stale = WaiverSpec("KL21-02", "Không khớp", dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2031")
    report = run_check(inputs(tmp_path), registry, CheckOptions(as_of=as_of), waivers=[waiver, stale])
    data = json.loads(jsonfmt.render(report, lang))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, errors[0].message
    # The samples cover what the schema describes: a waived finding, input errors with lines, problems.
    assert any("waived" in f for file in data["files"] for f in file["findings"])
    assert any(e["line"] for file in data["files"] for e in file["errors"])
    assert [p["code"] for p in data["problems"]] == ["waiver-unmatched"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("files", 0, "findings", 0, "status"), "ok"),
        (("files", 0, "findings", 0, "due"), "31/12/2022"),
        (("summary", "bogus"), 1),
        (("schema",), "kl21rules/report/v2"),
        (("files", 0, "errors"), [{"pointer": "unit", "line": 0, "code": "x", "message": "m"}]),
    ],
)
def test_schema_refuses_what_the_report_never_holds(
    registry: Registry, validator: jsonschema.protocols.Validator, path: tuple, value: object
) -> None:
    report = run_check([str(SAMPLES / "dang-bo-so-tai-chinh-2022.json")], registry, CheckOptions())
    data = copy.deepcopy(json.loads(jsonfmt.render(report)))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert list(validator.iter_errors(data))


def test_streamed_json_is_byte_for_byte_the_whole_dump(registry: Registry, tmp_path: Path) -> None:
    for targets in (inputs(tmp_path), [], [str(SAMPLES / "ban-to-chuc-duk-2022.json")]):
        report = run_check(targets, registry, CheckOptions(as_of=dt.date(2023, 6, 1)))
        whole = json.dumps(jsonfmt.report_dict(report, "vi"), ensure_ascii=False, indent=2) + "\n"
        assert jsonfmt.render(report, "vi") == whole
        streamed = stream_check(targets, registry, CheckOptions(as_of=dt.date(2023, 6, 1)))
        assert "".join(jsonfmt.stream(streamed, "vi")) == whole


def test_summary_adds_up_the_files(registry: Registry, tmp_path: Path) -> None:
    data = json.loads(jsonfmt.render(run_check(inputs(tmp_path), registry, CheckOptions())))
    summary = data["summary"]
    assert summary["files"] == len(data["files"])
    assert summary["input_errors"] == sum(len(f["errors"]) for f in data["files"]) >= 3
    assert summary["units"] == len({f["unit"]["id"] for f in data["files"] if f["unit"]})
    for status in ("pass", "late", "fail", "pending", "not_applicable", "error"):
        assert summary[status] == sum(f["summary"][status] for f in data["files"])
        assert summary[status] == sum(1 for f in data["files"] for x in f["findings"] if x["status"] == status)


def test_files_in_the_order_given_then_by_path(registry: Registry) -> None:
    last = SAMPLES / "doan-thanh-nien-khoi-2023.yaml"
    data = json.loads(jsonfmt.render(run_check([str(last), str(SAMPLES)], registry, CheckOptions())))
    paths = [f["path"] for f in data["files"]]
    assert paths[0] == str(last)
    submissions = [p for p in SAMPLES.iterdir() if p.suffix in (".json", ".yaml", ".yml", ".xlsx")]
    assert paths[1:] == sorted(paths[1:]) and len(paths) == 1 + len(submissions)


# --- a file's part of the report: orjson where it writes json.dumps' bytes, else the own encoder


def _as_dumped(f: object, lang: str = "vi") -> str:
    """What ``file_json`` must return: json.dumps of the file's content, indented in place."""
    text = json.dumps(jsonfmt.file_dict(f, lang), ensure_ascii=False, indent=2)  # type: ignore[arg-type]
    return "    " + text.replace("\n", "\n    ")


def _report_with(texts: list[str]) -> object:
    from kl21rules.diagnostics import InputError
    from kl21rules.findings import Finding, Waived
    from kl21rules.report import FileReport, Notice

    f = FileReport("đơn vị/a.json", unit={"id": texts[0], "name": texts[-1], "kind": None}, as_of=dt.date(2023, 1, 2))
    f.errors.append(InputError("value", "/unit/x", 3, texts[0], texts[-1]))
    f.notices.append(Notice("replaced", None, texts[-1], texts[0]))
    for i, text in enumerate(texts):
        f.findings.append(Finding("KL21-01", "fail", "error", text, "/activities/0" if i % 2 else None,
                                  dt.date(2022, 3, 1) if i % 3 else None, ("I.1", text), text, text,
                                  (text, "/activities/1"), Waived(text, dt.date(2024, 1, 1), None) if i % 4 == 1 else None))
    return f


def test_a_files_part_is_json_dumps_for_every_character() -> None:
    """Every code point (but lone surrogates) in every kind of place, by orjson and without it."""
    chunk = 2048
    texts = ["".join(chr(c) for c in range(start, min(start + chunk, 0x110000)) if not 0xD800 <= c <= 0xDFFF)
             for start in range(0, 0x110000, chunk)]
    texts += ["", '"', "\\", "\n\r\t\b\f\x00\x1f\x7f", "\u2028\u2029", "Chi bộ Trường THPT Nguyễn Trãi"]
    report = _report_with(texts)
    assert jsonfmt._orjson is not None, "orjson is a dependency (pyproject.toml)"
    assert jsonfmt._plain(report, "vi") and jsonfmt._plain(report, "en")  # type: ignore[arg-type]
    for lang in ("vi", "en"):
        assert jsonfmt.file_json(report, lang) == _as_dumped(report, lang)  # type: ignore[arg-type]


def test_a_files_part_without_orjson_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report_with(["a\x01b", "Đảng ủy", "\u00e9\u0301"])
    with_orjson = jsonfmt.file_json(report, "vi")  # type: ignore[arg-type]
    monkeypatch.setattr(jsonfmt, "_orjson", None)
    assert jsonfmt.file_json(report, "vi") == with_orjson == _as_dumped(report)  # type: ignore[arg-type]


class _Text(str):
    pass


@pytest.mark.parametrize(
    "change",
    [
        # a refused file's unit as written: numbers orjson writes otherwise, or refuses
        lambda f: f.unit.update(name=1e-05, kind=float("inf")),
        lambda f: f.unit.update(name=2**70),
        lambda f: f.unit.update(name=True, kind=[1.5, {"a": 1e16}]),
        # what a pack's Python rule may give a finding
        lambda f: setattr(f.findings[0], "period", 2.5),
        lambda f: setattr(f.findings[1], "item", _Text("/activities/0")),
        lambda f: setattr(f.findings[2], "evidence", ("/x", 1e-07)),
        # a Finding a pack's Python rule made itself
        lambda f: setattr(f.findings[0], "message_vi", 1e-05),
        lambda f: setattr(f.findings[1], "rule", float("nan")),
        lambda f: setattr(f.findings[2], "refs", ("I.1", 1e16, 1e-9)),
        lambda f: setattr(f.findings[1].waived, "reason", 1e-05),
        # text orjson refuses: a lone surrogate (json.dumps writes it as is)
        lambda f: setattr(f.findings[0], "message_vi", "x\ud800y"),
        lambda f: setattr(f, "path", _Text("a.json")),
    ],
)
def test_values_orjson_writes_otherwise_are_written_as_json_dumps_does(change: object) -> None:
    report = _report_with(["a", "b", "c"])
    change(report)  # type: ignore[operator]
    assert jsonfmt.file_json(report, "vi") == _as_dumped(report)  # type: ignore[arg-type]
