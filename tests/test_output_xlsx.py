"""``--format xlsx --output FILE.xlsx``: the Excel report, opened again with openpyxl."""

from __future__ import annotations

import datetime as _dt
import errno
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import benchscripts
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


# --- the own writer against openpyxl's (tests/xlsx_reference.py, the writer of 0.2.0), cell by cell

def _generator() -> Any:
    return benchscripts.load("generate")


def _awkward(tmp: Path) -> list[str]:
    """Files whose texts test the writer: formulas, XML's specials, outer spaces, input errors."""
    (tmp / "formula.yaml").write_text(
        "schema: kl21rules/submission/v1\n"
        "unit: {id: '=HYPERLINK(\"http://x\")', name: '  =1+1 <b>&amp; \"quoted\" ''single'' > ]]>  ',"
        " kind: chi_bo_co_so}\n"
        "activities:\n  - {type: study_session, date: 2022-03-10, note: '@SUM(A1) +1 -1'}\n", encoding="utf-8")
    (tmp / "broken.yaml").write_text("schema: kl21rules/submission/v1\nunit: {id: X\n", encoding="utf-8")
    (tmp / "invalid.json").write_text('{"schema": "kl21rules/submission/v1", "unit": {"id": "=U"}}',
                                      encoding="utf-8")
    return [str(tmp / "formula.yaml"), str(tmp / "broken.yaml"), str(tmp / "invalid.json"), str(tmp / "missing.json")]


def _report(tmp: Path, which: str) -> Any:
    from kl21rules.batch import run_check
    from kl21rules.config import WaiverSpec

    if which == "samples":
        targets = [str(SAMPLES), *_awkward(tmp)]
    else:
        _generator().generate(20, tmp / "gen", seed=7, yaml_share=0.2)
        targets = [str(tmp / "gen")]
    waivers = [WaiverSpec("KL21-11", "Sáp nhập", _dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2022-07"),
               WaiverSpec("KL21-02", "Không khớp", _dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2031"),
               WaiverSpec("KL21-19", "Cả quy tắc", _dt.date(2030, 1, 1), unit="KCQ.SYT")]  # a waived matrix cell
    return run_check(targets, load_registry(), CheckOptions(as_of=_dt.date(2024, 11, 15)), waivers=waivers)


def _cells(raw: bytes) -> dict[str, Any]:
    """Everything a user sees of a workbook, as openpyxl reads it."""
    book = openpyxl.load_workbook(io.BytesIO(raw))
    out: dict[str, Any] = {"sheets": book.sheetnames}
    for ws in book:
        out[ws.title] = {
            "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "size": (ws.max_row, ws.max_column),
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "cells": {c.coordinate: (c.value, c.data_type, c.is_date, c.number_format, c.font.b, c.font.name,
                                     c.font.sz, c.fill.fill_type, c.fill.fgColor.rgb, c.alignment.horizontal,
                                     c.alignment.vertical, bool(c.alignment.wrap_text))
                      for row in ws.iter_rows() for c in row if c.value is not None or c.has_style},
        }
    return out


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if old["sheets"] != new["sheets"]:
        return [f"sheets {old['sheets']} != {new['sheets']}"]
    diffs = []
    for sheet in old["sheets"]:
        a, b = old[sheet], new[sheet]
        diffs += [f"{sheet} {key}: {a[key]} != {b[key]}" for key in ("freeze", "filter", "size", "widths")
                  if a[key] != b[key]]
        diffs += [f"{sheet}!{ref}: {a['cells'].get(ref)} != {b['cells'].get(ref)}"
                  for ref in sorted(a["cells"].keys() | b["cells"].keys()) if a["cells"].get(ref) != b["cells"].get(ref)]
    return diffs


@pytest.fixture(scope="module", params=["samples", "generated"])
def checked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _report(tmp_path_factory.mktemp("in"), request.param)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _report(tmp_path_factory.mktemp("in"), "samples")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_same_cells_values_and_styles_as_openpyxls_writer(checked: Any, lang: str) -> None:
    import xlsx_reference

    from kl21rules.output import xlsx

    old, new = _cells(xlsx_reference.render(checked, lang)), _cells(xlsx.render(checked, lang))
    assert not _differences(old, new)
    # what the inputs cover: every sheet has rows, dates, fills, wrapped and bold cells
    cells = [c for s in new["sheets"] for c in new[s]["cells"].values()]
    assert len(new["sheets"]) == 4 and all(new[s]["size"][0] > 1 for s in new["sheets"][:2] + new["sheets"][3:])
    assert any(c[2] for c in cells) and any(c[4] for c in cells) and any(c[11] for c in cells)
    assert len({c[8] for c in cells}) >= 6
    if any("formula.yaml" in str(f.path) for f in checked.files):
        assert any(c[0] == '=HYPERLINK("http://x")' and c[1] == "s" for c in cells)
        assert any(type(c[0]) is str and c[0].startswith("  =1+1 <b>&amp;") and c[0].endswith("]]>  ") for c in cells)
        assert new[new["sheets"][2]]["size"][0] >= 4  # the input errors
        assert any(type(c[0]) is str and "Sáp nhập" in c[0] for c in cells)  # a waived finding


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_file_s_rows_as_before(checked: Any, lang: str) -> None:
    import xlsx_reference

    from kl21rules.findings import Finding
    from kl21rules.matrix import grouped_rules
    from kl21rules.output import xlsx
    from kl21rules.report import FileReport

    ids = tuple(r.id for r in grouped_rules(checked.rules))
    odd = FileReport("odd.json", {"id": "U", "name": "N", "kind": "chi_bo_co_so"}, _dt.date(2024, 1, 2),
                     names={"/activities/2": "A03", "/0/1": "Z", "/signals/01": "S"})
    pointers = ["/activities/2", "/activities/2/date", "/activities/x", "/0/1", "/a~1b/2", "/a~0b/2", "/signals/01",
                "/tasks/0/items/3", "/", "", "/unit", "/activities/", "//3", "/activities/9", "plain", "/x/٣"]
    odd.findings = [Finding("KL21-01", "fail", "error", None, p, None, (), "vi", "en", tuple(pointers[i:i + 3]))
                    for i, p in enumerate(pointers)]
    for file in [*checked.files, odd]:
        assert xlsx.file_part(file, lang, ids) == xlsx_reference.file_part(file, lang, ids)


def test_matrix_rows_are_each_rule_s_worst_status(checked: Any) -> None:
    from kl21rules.matrix import grouped_rules, unit_row, worst

    ids = tuple(r.id for r in grouped_rules(checked.rules))
    seen_waived = False
    for file in checked.files:
        row = unit_row(file, ids)
        if row is None:
            continue
        for rule, cell, waived in zip(ids, row.cells, row.waived, strict=True):
            found = [f for f in file.findings if f.rule == rule]
            assert cell == worst(found)
            assert waived == (cell is not None and all(f.waived is not None for f in found if f.status == cell))
            seen_waived = seen_waived or waived
    assert seen_waived or not any(f.waived for file in checked.files for f in file.findings if file.unit)


def test_the_comparison_sees_a_changed_style_and_value(samples: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsx_reference

    from kl21rules.output import _xlsxwriter, xlsx

    old = _cells(xlsx_reference.render(samples, "vi"))
    monkeypatch.setattr(xlsx, "HEAD_FILL", "DDEBF8")
    diffs = _differences(old, _cells(xlsx.render(samples, "vi")))
    assert diffs and all("DDEBF8" in d for d in diffs)
    monkeypatch.undo()
    monkeypatch.setattr(_xlsxwriter, "serial", lambda day: day.toordinal() - 693593)
    monkeypatch.setattr(xlsx, "serial", lambda day: day.toordinal() - 693593)
    assert any("datetime" in d for d in _differences(old, _cells(xlsx.render(samples, "vi"))))


def test_results_continue_on_a_new_sheet_as_before(samples: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsx_reference

    from kl21rules.output import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 150)
    monkeypatch.setattr(xlsx_reference, "MAX_ROWS", 150)
    new = _cells(xlsx.render(samples, "en"))
    assert new["sheets"][:4] == ["Results", "Summary", "Input errors", "Matrix"]
    assert new["sheets"][4:6] == ["Results (2)", "Results (3)"]  # added as they are needed
    assert not _differences(_cells(xlsx_reference.render(samples, "en")), new)


def test_texts_inline_past_the_shared_table_s_limits(samples: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kl21rules.output import _xlsxwriter, xlsx

    shared = xlsx.render(samples, "vi")
    monkeypatch.setattr(_xlsxwriter, "SHARED_MAX_STRINGS", 50)
    limited = xlsx.render(samples, "vi")
    with zipfile.ZipFile(io.BytesIO(limited)) as z:
        assert z.read("xl/sharedStrings.xml").count(b"<si>") == 50
        assert b"inlineStr" in z.read("xl/worksheets/sheet1.xml")
    assert not _differences(_cells(shared), _cells(limited))
    monkeypatch.setattr(_xlsxwriter, "SHARED_MAX_STRINGS", 10**9)
    monkeypatch.setattr(_xlsxwriter, "SHARED_MAX_CHARS", 1000)
    assert not _differences(_cells(shared), _cells(xlsx.render(samples, "vi")))


# --- the writer itself

def _sheet_values(raw: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("shared", [True, False])
def test_texts_are_written_as_they_are_except_what_xml_cannot_hold(shared: bool) -> None:
    from kl21rules.output._xlsxwriter import MAX_TEXT, Book

    texts = ["=1+1", "=HYPERLINK(\"x\")", "a & b < c > d \"e\" 'f' ]]>", "  outer spaces  ", "\tTab",
             "line\nfeed", "carriage\r\nreturn\r", "Tiếng Việt – ✓ ⏱ 𝔘", "_x0041_", "\u200e\u202e\ufeff", " "]
    book = Book(shared=shared)
    ws = book.add_sheet("S", [10])
    for text in texts:
        ws.append([text, len(text), _dt.date(2024, 2, 29), True])
    ws.append(["bell\x07 nul\x00 esc\x1b vt\x0b ff\x0c us\x1f \ufffe\uffff \ud800 end"])
    ws.append(["x" * (MAX_TEXT + 10)])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = _sheet_values(buffer.getvalue())
    assert [r[0] for r in rows[:len(texts)]] == texts
    assert [r[1] for r in rows[:len(texts)]] == [len(t) for t in texts]
    assert {r[2] for r in rows[:len(texts)]} == {_dt.datetime(2024, 2, 29)}
    assert {r[3] for r in rows[:len(texts)]} == {True}
    assert rows[len(texts)][0] == "bell\\x07 nul\\x00 esc\\x1b vt\\x0b ff\\x0c us\\x1f \\ufffe\\uffff \\ud800 end"
    assert rows[len(texts) + 1][0] == "x" * MAX_TEXT


def test_a_control_character_in_a_submission_is_written_visibly(tmp_path: Path) -> None:
    # openpyxl refused it (IllegalCharacterError): the report failed with an internal error
    (tmp_path / "ctl.json").write_text(
        '{"schema": "kl21rules/submission/v1", "unit": {"id": "X\\u0001Y", "name": "a\\u001bb", '
        '"kind": "chi_bo_co_so"}, "activities": [{"type": "study_session", "date": "2022-03-10"}]}',
        encoding="utf-8")
    result = run("ctl.json", "--format", "xlsx", "--output", "r.xlsx", "--as-of", "2024-11-15")
    assert result.exit_code == 1, result.output
    body = rows(tmp_path / "r.xlsx", "Kết quả")[1:]
    assert body and {(r[1], r[2]) for r in body} == {("X\\x01Y", "a\\x1bb")}


def test_serial_days_as_excel_counts_them() -> None:
    from openpyxl.utils.datetime import to_excel

    from kl21rules.output._xlsxwriter import serial

    for day in (_dt.date(1899, 12, 30), _dt.date(1900, 1, 1), _dt.date(1900, 2, 28), _dt.date(1900, 3, 1),
                _dt.date(2022, 3, 10), _dt.date(9999, 12, 31), _dt.date(1, 1, 1)):
        assert serial(day) == to_excel(day), day


def test_zip_members_in_a_fixed_order_and_dated_1980() -> None:
    from kl21rules.output._xlsxwriter import Book

    book = Book()
    book.add_sheet("A").append(["x"])
    book.add_sheet("B", freeze="B2").append([1])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        assert z.testzip() is None
        assert z.namelist() == [
            "[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/theme/theme1.xml", "xl/sharedStrings.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        assert b"1980-01-01T00:00:00Z" in z.read("docProps/core.xml")
    loaded = openpyxl.load_workbook(buffer)
    assert loaded.sheetnames == ["A", "B"] and loaded["B"].freeze_panes == "B2"


def test_zip64_fields_when_sizes_pass_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from kl21rules.output import _xlsxwriter

    def make() -> bytes:
        book = _xlsxwriter.Book()
        ws = book.add_sheet("Big", [10])
        for i in range(3000):
            ws.append([f"row {i}", i])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    small = make()
    monkeypatch.setattr(_xlsxwriter, "ZIP64_FROM", 2000)  # the sheet and the later offsets pass it
    big = make()
    assert b"PK\x06\x06" in big and b"PK\x06\x06" not in small  # the zip64 end record
    with zipfile.ZipFile(io.BytesIO(big)) as z:
        assert z.testzip() is None
    assert _sheet_values(big) == _sheet_values(small) and len(_sheet_values(big)) == 3000


def test_bytes_do_not_depend_on_lxml_or_openpyxl(tmp_path: Path) -> None:
    """The writer imports neither (so the bytes are the same with lxml installed or not)."""
    script = (
        "import sys\n"
        "if sys.argv[1] == 'blocked':\n"
        "    for name in ('lxml', 'openpyxl', 'et_xmlfile'): sys.modules[name] = None\n"
        "from kl21rules.check import CheckOptions\n"
        "from kl21rules.batch import run_check\n"
        "from kl21rules.packs import load_registry\n"
        "from kl21rules.output import xlsx\n"
        "import datetime, pathlib\n"
        f"files = [str(p) for p in sorted(pathlib.Path({str(SAMPLES)!r}).iterdir()) if p.suffix in ('.json', '.yaml')]\n"
        "report = run_check(files, load_registry(), CheckOptions(as_of=datetime.date(2024, 11, 15)))\n"
        "pathlib.Path(sys.argv[2]).write_bytes(xlsx.render(report, 'vi'))\n"
        "assert not {'lxml', 'openpyxl', 'et_xmlfile'} & {m for m, v in sys.modules.items() if v is not None}\n")
    outs = []
    for mode in ("blocked", "free"):
        target = tmp_path / f"{mode}.xlsx"
        proc = subprocess.run([sys.executable, "-c", script, mode, str(target)], capture_output=True, cwd=tmp_path,
                              check=False)
        assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] and outs[0].startswith(b"PK")


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "a[1]", "x:y", "why?", "all*", "back\\slash", "'quoted'",
                                  "tab\there", "kết quả"])
def test_sheet_names_excel_refuses_are_refused(name: str) -> None:
    from kl21rules.output._xlsxwriter import Book

    book = Book()
    book.add_sheet("Kết quả")
    book.add_sheet("a" * 31)
    with pytest.raises(ValueError, match="sheet name"):
        book.add_sheet(name)


class _PackSheet:
    """A pack's further sheet through the API of the own writer: ``book.add_sheet``."""

    name = "Sổ tay"

    def start(self, book: Any, lang: str) -> None:
        self.ws = book.add_sheet(self.name, [20, 10])
        self.ws.append(["Tệp", "Số phát hiện"])

    def add(self, part: Any) -> None:
        if part.findings:
            self.ws.append([part.findings[0].path, len(part.findings)])

    def finish(self, report: Any) -> None:
        self.ws.append(["Tổng", len(report.files)])


class _ClashingSheet(_PackSheet):
    """The matrix sheet's name in another case."""

    def start(self, book: Any, lang: str) -> None:
        self.name = "MATRIX" if lang == "en" else "Ma Trận"
        super().start(book, lang)


class _BrokenSheet(_PackSheet):
    def add(self, part: Any) -> None:
        raise RuntimeError("boom")


def test_a_packs_extra_sheet_gets_the_own_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kl21rules.output import xlsx

    monkeypatch.setattr(xlsx, "EXTRA_SHEETS", [_PackSheet])
    out = tmp_path / "r.xlsx"
    result = run(str(SAMPLES / "ban-to-chuc-duk-2022.json"), "--as-of", "2024-11-15", "-o", str(out))
    assert result.exit_code in (0, 1), result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-1] == "Sổ tay"
    got = [r for r in book["Sổ tay"].iter_rows(values_only=True)]
    assert got[0] == ("Tệp", "Số phát hiện") and got[-1] == ("Tổng", 1) and len(got) == 3


@pytest.mark.parametrize(("builder", "what"), [(_ClashingSheet, "'Ma Trận'"), (_BrokenSheet, "RuntimeError: boom")])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_packs_failing_sheet_is_named_not_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              builder: Any, what: str, lang: str) -> None:
    from kl21rules.output import xlsx

    monkeypatch.setattr(xlsx, "EXTRA_SHEETS", [builder])
    out = tmp_path / "r.xlsx"
    result = run(str(SAMPLES / "ban-to-chuc-duk-2022.json"), "--as-of", "2024-11-15", "-o", str(out), "--lang", lang)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    said = result.stderr
    what = "'MATRIX'" if builder is _ClashingSheet and lang == "en" else what
    assert __name__ in said and what in said and "Traceback" not in said, said
    if lang == "en":
        assert "The Excel sheet of pack" in said
    else:
        assert "Trang tính Excel của gói" in said
    assert not out.exists() and not list(tmp_path.glob(".r.xlsx*"))


def test_a_failing_extra_builder_passed_to_write_report_names_its_module() -> None:
    from kl21rules.batch import run_check
    from kl21rules.output import xlsx

    report = run_check([str(SAMPLES / "ban-to-chuc-duk-2022.json")], load_registry(),
                       CheckOptions(as_of=_dt.date(2024, 11, 15)))
    with pytest.raises(xlsx.SheetError) as caught:
        xlsx.write_report(report, "vi", io.BytesIO(), extra=[_ClashingSheet()])
    assert caught.value.module == __name__ and "Ma Trận" in caught.value.message("vi")
