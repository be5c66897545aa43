"""Excel submissions: the template, a workbook filled in as people do, conversion without loss.

Workbooks are built and edited with openpyxl here, as Excel would leave them: date cells and
dates typed as text, numbers stored as text, spaces around values, empty rows, merged headers,
Vietnamese labels typed without diacritics, and wrong values (each reported by its cell).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from kl21rules.check import CheckOptions, check_bytes
from kl21rules.cli import app
from kl21rules.convert import read_submission, render
from kl21rules.output.jsonfmt import error_dict, finding_dict
from kl21rules.packs import load_registry
from kl21rules.starter import STARTER
from kl21rules.xlsx import write_workbook

from submission_strategies import submissions

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (REPO / "samples").iterdir() if p.suffix in (".json", ".yaml", ".yml"))
AS_OF = _dt.date(2024, 12, 31)
#: the day of the run: after every generated report's date (a report dated after the day of the
#: run is an input error, issue 9).
TODAY = _dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def registry() -> Any:
    return load_registry()


def findings(label: str, raw: bytes, registry: Any, as_of: _dt.date | None = None) -> Any:
    report = check_bytes(label, raw, registry, CheckOptions(as_of=as_of, today=TODAY))
    return ([error_dict(e, "vi") for e in report.errors],
            [finding_dict(f, lang) for f in report.findings for lang in ("vi", "en")], report.unit)


def three_forms(label: str, raw: bytes, registry: Any) -> None:
    """The file, and it converted to each form, read back to the same submission and judged the same."""
    types = registry.activity_types
    original, errors = read_submission(label, raw, types)
    assert original is not None, errors
    expected = findings(label, raw, registry)
    assert expected[0] == [] and expected[1]
    for fmt in ("xlsx", "yaml", "json"):
        data = render(original, fmt, types)
        again, errors = read_submission(f"converted.{fmt}", data, types)
        assert errors == [], (label, fmt, errors[:3])
        assert again is not None and again.model_dump() == original.model_dump(), (label, fmt)
        assert findings(f"converted.{fmt}", data, registry) == expected, (label, fmt)
        if fmt == "xlsx":  # and back: xlsx -> yaml gives the same text as the direct conversion
            assert render(again, "yaml", types) == render(original, "yaml", types)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_survives_each_form_with_identical_findings(sample: Path, registry: Any) -> None:
    three_forms(sample.name, sample.read_bytes(), registry)


def judged(submission: Any, registry: Any) -> Any:
    """The findings of a validated submission, as ``check`` makes them after reading a file."""
    from kl21rules.check import _judge
    from kl21rules.report import FileReport

    report = FileReport("x")
    data = submission.model_dump(by_alias=True)
    _judge(report, submission, data, lambda _p: None, registry, CheckOptions(today=TODAY), None)
    return [finding_dict(f, lang) for f in report.findings for lang in ("vi", "en")], report.unit


@pytest.mark.parametrize("chunk", range(5))
def test_500_generated_submissions_survive_each_form(chunk: int, registry: Any) -> None:
    """The same as for the samples over 500 generated units; the workbook is read once (for the
    submission, then judged as ``check`` judges it: the reading itself is held to ``check`` above)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    types = registry.activity_types
    for index in range(chunk * 100, chunk * 100 + 100):
        name, raw = generate.submission(11, index)
        original, errors = read_submission(name, raw, types)
        assert original is not None, errors
        expected = findings(name, raw, registry)
        assert expected[0] == [] and expected[1]
        for fmt in ("xlsx", "yaml", "json"):
            data = render(original, fmt, types)
            again, errors = read_submission(f"converted.{fmt}", data, types)
            assert errors == [] and again is not None, (name, fmt, errors[:3])
            assert again.model_dump() == original.model_dump(), (name, fmt)
            if fmt == "xlsx":
                assert judged(again, registry) == (expected[1], expected[2]), name
            else:
                assert findings(f"converted.{fmt}", data, registry) == expected, (name, fmt)


# --- the template, filled in as in Excel ---------------------------------------------------


def template() -> openpyxl.Workbook:
    result = CliRunner().invoke(app, ["init", "-"])  # the YAML starter, for reference
    assert result.exit_code == 0
    return openpyxl.load_workbook(io.BytesIO(write_workbook(None)))


def columns(ws: Any) -> dict[str, int]:
    """Field key -> column index, from the header row (``Ngày (date)``)."""
    out = {}
    for cell in ws[2]:
        if isinstance(cell.value, str) and cell.value.rstrip(" *").endswith(")"):
            out[cell.value.rstrip(" *").rsplit("(", 1)[1][:-1]] = cell.column
    return out


def report_rows(ws: Any) -> dict[str, int]:
    return {ws.cell(r, 4).value: r for r in range(3, ws.max_row + 1) if ws.cell(r, 4).value}


TWIN = """\
schema: kl21rules/submission/v1
report: {number: "07-BC/CB", date: 2022-12-20}
unit: {id: KCQ.TEST, name: Chi bộ Thử nghiệm, kind: chi_bo_co_so, members: 12,
       term: {start: 2020-06-01, end: 2025-06-30}}
activities:
  - {type: study_session, id: HN-01, date: 2022-03-31, mode: in_person, expected: 12, attendees: 11}
  - {type: implementation_plan, id: KH-01, date: 2022-04-05, number: "03-KH/CB",
     tasks: [{task: Quán triệt, owner: Bí thư, due: 2022-04-30}, {task: Rà soát, owner: Phó Bí thư, due: Quý II/2022}]}
  - {type: quality_rating, date: 2022-12-15, year: 2022, organisation: good,
     members: {excellent: 2, good: 8, complete: 2}}
  - {type: branch_meeting, date: 2022-05-10, thematic: true}
"""


def filled_in(**wrong: Any) -> bytes:
    """The twin's data typed into the template the way people do, plus ``wrong`` cells."""
    book = template()
    rep = book["Báo cáo"]
    rows = report_rows(rep)
    for key, value in {"report.number": "07-BC/CB", "report.date": "20/12/2022", "unit.id": "KCQ.TEST  ",
                       "unit.name": " Chi bộ Thử nghiệm", "unit.kind": "chi bo co so", "unit.members": " 12 ",
                       "unit.term.start": _dt.datetime(2020, 6, 1), "unit.term.end": "30/6/2025",
                       "unit.parent": None, "unit.department": None, "report.period.start": None,
                       "report.period.end": None, "unit.sensitive_areas": None}.items():
        rep.cell(rows[key], 2).value = value
    acts = book["Hoạt động"]
    col = columns(acts)
    for r in range(3, acts.max_row + 1):  # the starter's example rows out
        for c in range(1, acts.max_column + 1):
            acts.cell(r, c).value = None
    data_rows = [
        {"type": "Hội nghị nghiên cứu, quán triệt", "id": "HN-01", "date": "31/3/2022", "mode": "Trực Tiếp ",
         "expected": "12", "attendees": 11.0},
        {"type": "ke hoach thuc hien", "id": "KH-01", "date": _dt.datetime(2022, 4, 5), "number": "03-KH/CB"},
        {},  # an empty row in the middle
        {"type": "Đánh giá, xếp loại chất lượng", "date": "15/12/2022", "year": "2022", "organisation": "tốt",
         "members.excellent": 2, "members.good": "8", "members.complete": 2},
        {"type": "sinh hoạt chi bộ", "date": "10/5/2022", "thematic": "có"},
    ]
    # a two-row header: the headers merged down over an empty sub-header row
    acts.insert_rows(3)
    for c in (col["type"], col["id"]):
        acts.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    for i, values in enumerate(data_rows):
        for key, value in values.items():
            acts.cell(4 + i, col[key]).value = value
    tasks = book["Nhiệm vụ"]
    tcol = columns(tasks)
    for r in range(3, tasks.max_row + 1):
        for c in range(1, tasks.max_column + 1):
            tasks.cell(r, c).value = None
    for key, value in {"plan": "KH-01", "task": "Quán triệt ", "owner": "Bí thư", "due": "30/04/2022"}.items():
        tasks.cell(3, tcol[key]).value = value
    for key, value in {"plan": "dòng 5", "task": "Rà soát", "owner": "Phó Bí thư", "due": " Quý II/2022"}.items():
        tasks.cell(4, tcol[key]).value = value  # the plan named by its row (after the inserted header row)
    for (sheet, key, row), value in wrong.get("cells", {}).items():
        ws = book[sheet]
        if sheet == "Báo cáo":  # a labelled cell: the row of the field, column B
            ws.cell(report_rows(ws)[key], 2).value = value
        else:
            ws.cell(row, columns(ws)[key]).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_has_drop_downs_dates_frozen_headers_and_instructions() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_workbook(None)))
    assert book.sheetnames[:2] == ["Hướng dẫn", "Báo cáo"]
    assert {"Vụ việc", "Hoạt động", "Nhiệm vụ", "Danh mục"} <= set(book.sheetnames)
    acts = book["Hoạt động"]
    col = columns(acts)
    assert acts.freeze_panes == "B3" and book["Báo cáo"].freeze_panes == "A3"
    assert acts.column_dimensions[openpyxl.utils.get_column_letter(col["date"])].number_format == "DD/MM/YYYY"
    lists = book["Danh mục"]
    validated = {}
    for dv in acts.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            validated[rng.min_col] = dv
    for key in ("type", "mode", "organisation", "outcome", "kind", "channel", "makeup", "date"):
        assert col[key] in validated, key
    mode = validated[col["mode"]].formula1
    ref = mode.split("!")[1].replace("$", "")
    labels = [c.value for row in lists[ref] for c in row]
    assert labels == ["Trực tiếp", "Trực tuyến", "Kết hợp"]
    rep = book["Báo cáo"]
    kind_row = report_rows(rep)["unit.kind"]
    dv = next(d for d in rep.data_validations.dataValidation if f"B{kind_row}" in str(d.sqref))
    ref = dv.formula1.split("!")[1].replace("$", "")
    assert [c.value for row in lists[ref] for c in row] == ["Chi bộ cơ sở", "Đảng bộ cơ sở", "Chi bộ trực thuộc",
                                                            "Ban của Đảng ủy Khối"]
    guide = " ".join(str(c.value) for row in book["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "Hoạt động!D7" in guide and "31/3/2022" in guide
    assert all(acts.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in col.values())


def test_a_workbook_filled_in_as_in_excel_checks_like_its_yaml_twin(registry: Any) -> None:
    raw = filled_in()
    got = findings("bao-cao.xlsx", raw, registry)
    assert got[0] == [], got[0]
    assert got == findings("twin.yaml", TWIN.encode(), registry)
    assert got[2] == {"id": "KCQ.TEST", "name": "Chi bộ Thử nghiệm", "kind": "chi_bo_co_so"}


def test_each_wrong_cell_is_named_with_the_value_found(registry: Any) -> None:
    raw = filled_in(cells={("Hoạt động", "mode", 4): "truc tiepp", ("Hoạt động", "attendees", 4): "mười một",
                           ("Hoạt động", "date", 5): "31/2/2022", ("Hoạt động", "type", 8): "hop chi bo",
                           ("Báo cáo", "report.date", 0): "tháng ba"})
    errors, found, _unit = findings("bao-cao.xlsx", raw, registry)
    assert found == []
    messages = [e["message"] for e in errors]
    text = "\n".join(messages)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    col = columns(book["Hoạt động"])
    letter = openpyxl.utils.get_column_letter
    assert f"Hoạt động!{letter(col['mode'])}4 (giá trị 'truc tiepp')" in text
    assert f"Hoạt động!{letter(col['attendees'])}4 (giá trị 'mười một')" in text
    assert f"Hoạt động!{letter(col['date'])}5 (giá trị '31/2/2022')" in text
    assert f"Hoạt động!{letter(col['type'])}8 (giá trị 'hop chi bo')" in text
    assert f"Báo cáo!B{report_rows(book['Báo cáo'])['report.date']} (giá trị 'tháng ba')" in text
    assert all(m.startswith("Ô ") for m in messages), messages
    pointers = {e["pointer"] for e in errors}
    assert {"/activities/0/mode", "/activities/0/attendees", "/activities/1/date"} <= pointers


def test_formulas_unknown_columns_and_task_without_plan_are_named(registry: Any, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled_in()))
    acts = book["Hoạt động"]
    col = columns(acts)
    acts.cell(4, col["expected"]).value = "=10+2"
    free = acts.max_column + 2
    acts.cell(2, free).value = "Cột thêm"
    acts.cell(5, free).value = "ghi chú riêng"
    tasks = book["Nhiệm vụ"]
    tasks.cell(5, columns(tasks)["plan"]).value = "KH-99"
    tasks.cell(5, columns(tasks)["task"]).value = "Việc khác"
    out = io.BytesIO()
    book.save(out)
    errors, found, _unit = findings("x.xlsx", out.getvalue(), registry)
    text = "\n".join(e["message"] for e in errors)
    letter = openpyxl.utils.get_column_letter
    assert f"Hoạt động!{letter(col['expected'])}4 chứa công thức (=10+2)" in text
    assert f"Hoạt động!{letter(free)}5 (giá trị 'ghi chú riêng'): Cột 'Cột thêm' không có trong mẫu" in text
    assert "Nhiệm vụ!A5 (giá trị 'KH-99')" in text
    assert found == []


def hostile_zip(member_size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * member_size)
    return out.getvalue()


def test_hostile_workbooks_are_input_errors_and_other_files_are_still_checked(tmp_path: Path) -> None:
    (tmp_path / "bomb.xlsx").write_bytes(hostile_zip(80 * 1024 * 1024))
    (tmp_path / "notzip.xlsx").write_bytes(b"hello, not a workbook")
    (tmp_path / "broken.xlsx").write_bytes(write_workbook(None)[:3000])
    (tmp_path / "garbage.xlsx").write_bytes(hostile_zip(10))
    (tmp_path / "big.xlsx").write_bytes(b"PK" + b"\0" * (5 * 1024 * 1024))
    (tmp_path / "~$ok.xlsx").write_bytes(b"Excel's lock file")
    (tmp_path / "ok.xlsx").write_bytes(filled_in())
    budget = openpyxl.Workbook()
    budget.active["A1"] = "Dự toán 2022"  # a workbook of another kind: skipped when found in a folder
    budget.save(tmp_path / "du-toan.xlsx")
    result = CliRunner().invoke(app, ["check", str(tmp_path), "--format", "json", "--lang", "en"])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert sorted(by_name) == ["big.xlsx", "bomb.xlsx", "broken.xlsx", "garbage.xlsx", "notzip.xlsx", "ok.xlsx"]
    assert by_name["ok.xlsx"]["errors"] == [] and by_name["ok.xlsx"]["findings"]
    assert any("du-toan.xlsx" in p["message"] for p in report["problems"])  # skipped, and said so
    assert "too large uncompressed" in by_name["bomb.xlsx"]["errors"][0]["message"]
    assert "not an Excel .xlsx workbook" in by_name["notzip.xlsx"]["errors"][0]["message"]
    assert "File too large: 5.0 MB, over the 4 MB limit for XLSX" in by_name["big.xlsx"]["errors"][0]["message"]
    for name in ("broken.xlsx", "garbage.xlsx"):
        assert by_name[name]["errors"] and by_name[name]["findings"] == [], name


def test_init_writes_the_template_by_extension(tmp_path: Path, registry: Any) -> None:
    runner = CliRunner()
    for name in ("t.xlsx", "t.json", "t.yaml"):
        result = runner.invoke(app, ["init", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    yaml_findings = findings("t.yaml", STARTER.encode(), registry)
    for name in ("t.xlsx", "t.json", "t.yaml"):
        assert findings(name, (tmp_path / name).read_bytes(), registry) == yaml_findings, name
    assert runner.invoke(app, ["init", str(tmp_path / "t.xlsx")]).exit_code == 2  # exists


def test_convert_command(tmp_path: Path) -> None:
    runner = CliRunner()
    sample = REPO / "samples" / "dang-bo-so-y-te-tin-hieu-2023.json"
    assert runner.invoke(app, ["convert", str(sample), str(tmp_path / "a.xlsx")]).exit_code == 0
    assert runner.invoke(app, ["convert", str(tmp_path / "a.xlsx"), str(tmp_path / "a.yaml")]).exit_code == 0
    assert yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))["signals"]
    result = runner.invoke(app, ["convert", str(sample), str(tmp_path / "a.xlsx")])
    assert result.exit_code == 2 and "--force" in result.stderr
    result = runner.invoke(app, ["convert", str(sample), str(tmp_path / "a.txt"), "--lang", "en"])
    assert result.exit_code == 2 and ".xlsx, .yaml, .yml or .json" in result.stderr
    (tmp_path / "bad.yaml").write_text(TWIN.replace("mode: in_person", "mode: by_post"), encoding="utf-8")
    result = runner.invoke(app, ["convert", str(tmp_path / "bad.yaml"), str(tmp_path / "bad.xlsx")])
    assert result.exit_code == 2 and "/activities/0/mode" in result.stderr and "(dòng 6)" in result.stderr
    assert not (tmp_path / "bad.xlsx").exists()
    # a list value that one cell cannot hold is refused, not silently split
    (tmp_path / "comma.yaml").write_text(
        TWIN + "  - {type: inspection, date: 2022-06-01, topics: ['kl21, finance']}\n", encoding="utf-8")
    result = runner.invoke(app, ["convert", str(tmp_path / "comma.yaml"), str(tmp_path / "comma.xlsx"),
                                 "--lang", "en"])
    assert result.exit_code == 2 and "comma" in result.stderr
    assert not (tmp_path / "comma.xlsx").exists()


def test_report_sheet_labels_are_read(registry: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled_in()))
    rep = book["Báo cáo"]
    rows = report_rows(rep)
    rep.cell(rows["unit.kind"], 2).value = "Ban của Đảng ủy Khối"
    rep.cell(rows["unit.department"], 2).value = "ban tuyen giao"
    out = io.BytesIO()
    book.save(out)
    errors, found, unit = findings("x.xlsx", out.getvalue(), registry)
    assert errors == [] and found and unit == {"id": "KCQ.TEST", "name": "Chi bộ Thử nghiệm", "kind": "department"}


def test_report_sheet_read_by_its_labels_when_the_key_column_is_gone(registry: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled_in()))
    book["Báo cáo"].delete_cols(4)
    out = io.BytesIO()
    book.save(out)
    assert findings("x.xlsx", out.getvalue(), registry) == findings("twin.yaml", TWIN.encode(), registry)


def test_standard_input_workbook_is_recognised(registry: Any) -> None:
    raw = filled_in()
    assert findings("-", raw, registry) == findings("bao-cao.xlsx", raw, registry)


EXCEL_SAMPLE = REPO / "samples" / "chi-bo-van-phong-so-noi-vu-2022.xlsx"
EXCEL_TWIN = REPO / "examples" / "excel" / "chi-bo-van-phong-so-noi-vu-2022.yaml"


def test_the_excel_sample_is_its_yaml_twin_converted(registry: Any) -> None:
    types = registry.activity_types
    book, errors = read_submission(EXCEL_SAMPLE.name, EXCEL_SAMPLE.read_bytes(), types)
    assert errors == [] and book is not None
    twin, errors = read_submission(EXCEL_TWIN.name, EXCEL_TWIN.read_bytes(), types)
    assert errors == [] and twin is not None
    assert book.model_dump() == twin.model_dump()
    assert findings(EXCEL_SAMPLE.name, EXCEL_SAMPLE.read_bytes(), registry) == \
        findings(EXCEL_TWIN.name, EXCEL_TWIN.read_bytes(), registry)
    assert render(twin, "xlsx", types) == EXCEL_SAMPLE.read_bytes(), (
        "the committed workbook is not what the writer makes now; regenerate it: kl21rules convert "
        "examples/excel/chi-bo-van-phong-so-noi-vu-2022.yaml samples/chi-bo-van-phong-so-noi-vu-2022.xlsx --force")


def test_text_that_looks_like_a_formula_or_a_number_survives_and_control_characters_are_refused(
        registry: Any, tmp_path: Path) -> None:
    text = EXCEL_TWIN.read_text(encoding="utf-8")
    odd = text.replace('name: "Chi bộ Văn phòng Sở Nội vụ"', 'name: "=1+1"').replace('"12-BC/CB"', '"05"')
    original, errors = read_submission("odd.yaml", odd.encode(), ())
    assert original is not None, errors
    again, errors = read_submission("odd.xlsx", render(original, "xlsx"), ())
    assert errors == [] and again is not None
    assert (again.unit.name, again.report.number) == ("=1+1", "05")
    (tmp_path / "ctl.yaml").write_text(text.replace("Chi bộ Văn phòng Sở Nội vụ", "Chi bộ\\x01"),
                                       encoding="utf-8")
    result = CliRunner().invoke(app, ["convert", str(tmp_path / "ctl.yaml"), str(tmp_path / "ctl.xlsx"),
                                      "--lang", "en"])
    assert result.exit_code == 2 and "control character" in result.stderr
    assert not (tmp_path / "ctl.xlsx").exists()


def test_a_sheet_of_the_users_own_is_left_alone(registry: Any) -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled_in()))
    mine = book.create_sheet("Thống kê")
    mine["A1"] = "Tổng số"
    mine["B1"] = "=SUM(1,2)"
    out = io.BytesIO()
    book.save(out)
    assert findings("x.xlsx", out.getvalue(), registry) == findings("twin.yaml", TWIN.encode(), registry)


def test_a_copy_of_a_record_sheet_under_another_name_is_an_error_not_dropped(registry: Any) -> None:
    """Rows left in "Vụ việc (2)" would be missing from the report: a signal dropped in silence
    could turn a fail into not applicable."""
    book = openpyxl.load_workbook(io.BytesIO(filled_in()))
    copy = book.copy_worksheet(book["Vụ việc"])
    copy.title = "Vụ việc (2)"
    out = io.BytesIO()
    book.save(out)
    assert findings("x.xlsx", out.getvalue(), registry)[0] == []  # a copy with no rows is harmless
    copy.cell(3, 1).value = "S-01"
    copy.cell(3, 2).value = "Vi phạm"
    copy.cell(3, 3).value = "1/6/2022"
    out = io.BytesIO()
    book.save(out)
    errors, found, _unit = findings("x.xlsx", out.getvalue(), registry)
    assert found == []
    assert any("Trang 'Vụ việc (2)' có cột như trang 'Vụ việc'" in e["message"] for e in errors), errors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions(max_activities=16))
def test_strategy_submissions_survive_the_workbook(data: dict[str, Any]) -> None:
    """Hypothesis's submissions (crowded dates, replacements, ids in pools) through a workbook;
    one a cell cannot hold as it is (text with spaces around it) is refused, never altered."""
    from kl21rules.xlsx import ConvertError

    original, errors = read_submission("s.json", json.dumps(data, ensure_ascii=False).encode(), ())
    assert original is not None, errors
    try:
        raw = render(original, "xlsx")
    except ConvertError as exc:
        assert "spaces around" in exc.en, exc.en
        assert any(s != s.strip() for s in _texts(data)), exc.en
        return
    again, errors = read_submission("s.xlsx", raw, ())
    assert errors == [] and again is not None, errors[:3]
    assert again.model_dump() == original.model_dump()


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx(registry: Any) -> None:
    errors, found, _unit = findings("bao-cao.xls", b"\xd0\xcf\x11\xe0old", registry)
    assert found == [] and "lưu lại dạng Excel Workbook (.xlsx)" in errors[0]["message"]
