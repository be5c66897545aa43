"""``--format xlsx --output FILE.xlsx``: the Excel report, opened again with openpyxl."""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from kl21rules.cli import app
from kl21rules.output import _sink
from kl21rules.check import CheckOptions, check_bytes
from kl21rules.output._common import SEVERITY_LABEL, STATUS_LABEL, STATUS_ORDER, place
from kl21rules.packs import load_registry

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["check", *args])


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def day(value: Any) -> str | None:
    if value is None:
        return None
    assert isinstance(value, (_dt.date, _dt.datetime))
    return (value.date() if isinstance(value, _dt.datetime) else value).isoformat()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rows_equal_the_json_reports_findings(tmp_path: Path, lang: str) -> None:
    result = run(str(SAMPLES), "--format", "json", "--output", "r.json", "--lang", lang)
    assert result.exit_code == 1, result.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    result = run(str(SAMPLES), "--format", "xlsx", "--output", "r.xlsx", "--lang", lang)
    assert result.exit_code == 1, result.output
    titles = {r["id"]: r["title"] for r in json.loads(
        CliRunner().invoke(app, ["rules", "--format", "json", "--lang", lang]).stdout)}
    results = "Kết quả" if lang == "vi" else "Results"
    got = rows(tmp_path / "r.xlsx", results)
    header, body = got[0], got[1:]
    assert header[0] in ("Tệp", "File") and len(header) == 14
    status_of = {v: k for k, v in STATUS_LABEL[lang].items()}
    severity_of = {v: k for k, v in SEVERITY_LABEL[lang].items()}
    registry = load_registry()

    def names(path: str) -> dict[str, str]:  # the ids the text report names items by
        return check_bytes(path, Path(path).read_bytes(), registry, CheckOptions()).names

    def named(pointer: str | None, known: dict[str, str]) -> str | None:
        return place(pointer, known, lang) if pointer and pointer.startswith("/") else pointer

    expected = [
        (f["path"], f["unit"]["id"], f["unit"]["name"], f["as_of"], x["rule"], titles[x["rule"]], x["status"],
         x["severity"], x["period"], named(x["item"], known), x["due"], x["message"],
         "\n".join(named(e, known) or e for e in x["evidence"]) or None)
        for f in data["files"] for known in [names(f["path"])] for x in f["findings"]
    ]
    actual = [
        (r[0], r[1], r[2], day(r[3]), r[4], r[5], status_of[r[6]], severity_of[r[7]], r[8], r[9], day(r[10]),
         r[11], r[12])
        for r in body
    ]
    assert len(actual) == len(expected) > 100
    assert actual == expected
    assert any(r[9] and "(" in r[9] for r in body), "items named by their id"
    summary = "Tổng hợp" if lang == "vi" else "Summary"
    table = rows(tmp_path / "r.xlsx", summary)
    per_rule: dict[str, dict[str, int]] = {}
    for f in data["files"]:
        for x in f["findings"]:
            per_rule.setdefault(x["rule"], dict.fromkeys(STATUS_ORDER, 0))[x["status"]] += 1
    for line in table[1:1 + len(per_rule)]:
        counts = per_rule[line[0]]
        assert list(line[2:2 + len(STATUS_ORDER)]) == [counts[s] for s in STATUS_ORDER]
        assert line[-1] == sum(counts.values())


def test_header_frozen_filtered_and_statuses_coloured(tmp_path: Path) -> None:
    assert run(str(SAMPLES), "--format", "xlsx", "--output", "r.xlsx").exit_code == 1
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[:3] == ["Kết quả", "Tổng hợp", "Lỗi đầu vào"]
    ws = book["Kết quả"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:N{ws.max_row}"
    fills = {}
    for (status,) in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        fills.setdefault(status.value, status.fill.fgColor.rgb)
    # every status has its own colour, and its cell says the status in words
    assert {"không đạt", "đạt", "trễ hạn"} <= set(fills)
    assert len(set(fills.values())) == len(fills)
    due = next(c for (c,) in ws.iter_rows(min_row=2, min_col=11, max_col=11) if c.value is not None)
    assert due.number_format == "DD/MM/YYYY"


def test_refused_without_output(tmp_path: Path) -> None:
    result = run(str(SAMPLES), "--format", "xlsx")
    assert result.exit_code == 2
    assert "--output" in result.stderr and result.stdout == ""
    result = run(str(SAMPLES), "--format", "xlsx", "--lang", "en")
    assert "writes a file" in result.stderr


def test_same_bytes_every_time_and_with_jobs(tmp_path: Path) -> None:
    assert run(str(SAMPLES), "--format", "xlsx", "--output", "a.xlsx").exit_code == 1
    assert run(str(SAMPLES), "--format", "xlsx", "--output", "b.xlsx", "--jobs", "2").exit_code == 1
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_input_errors_have_their_own_sheet_and_text_never_becomes_a_formula(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "schema: kl21rules/submission/v1\nunit: {id: '=HYPERLINK(\"x\")', name: '=1+1', kind: chi_bo_co_so}\n"
        "activities:\n  - {type: study_session, date: 2022-13-45}\n", encoding="utf-8")
    result = run("bad.yaml", "--format", "xlsx", "--output", "r.xlsx", "--lang", "en")
    assert result.exit_code == 2
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book["Results"].max_row == 1
    errors = [r for r in book["Input errors"].iter_rows(min_row=2)]
    assert len(errors) == 1
    file, unit, pointer, _line, code, message = errors[0]
    assert (file.value, pointer.value, code.value) == ("bad.yaml", "/activities/0/date", "date")
    assert unit.value == '=HYPERLINK("x")' and unit.data_type == "s"
    assert "date" in message.value


def test_failing_write_leaves_an_existing_report_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_sink.os, "fsync", full_disk)
    result = run(str(SAMPLES), "--format", "xlsx", "--output", str(target), "--lang", "en")
    assert result.exit_code == 2 and "Cannot write" in result.stderr
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]
