"""Submissions in Excel: the template workbook, reading a filled-in one, writing one from data.

A submission workbook has these sheets (``kl21rules init bao-cao.xlsx`` writes one):

- **Hướng dẫn**: how to fill it in, and every column explained;
- **Báo cáo**: the report and the unit, one labelled cell per field (column B; the field's key
  in column D, which is what the reader goes by);
- **Vụ việc** (signals), **Hoạt động** (activities), **Nhiệm vụ** (the tasks of implementation
  plans): one row per record under a row of Vietnamese headers, each ending with the field's key
  in brackets (``Ngày (date)``). The activity sheet has the columns of every activity type; a
  row fills those of its type. A task names its plan by the plan's id (or ``dòng 7``: its row);
- **Danh mục**: the lists of the drop-downs (the Vietnamese labels of :mod:`kl21rules.vocab`).

Reading (:func:`read_workbook`) turns a workbook into the same plain data a JSON or YAML file
gives, so the one model and the same rules judge all three forms; the place of every value is
kept, so each input error names its cell (``Hoạt động!D7``) and the value found there. Cells as
people leave them are read as meant: dates as date cells or text (``31/3/2022``), numbers stored
as text, spaces around a value, empty rows in between, headers in merged cells, labels instead of
codes in any case and with or without diacritics (``truc tiep``). Formulas are refused (never
evaluated: the cell says what to type instead); external links are not loaded. The file is
checked before openpyxl opens it (:mod:`kl21rules._xlsxio`: size, parts, uncompressed size).

openpyxl's read-only mode streams the sheets' XML, which is several times faster and lighter
than loading whole workbooks; it does not report merged ranges, which the reader does not need:
a merged range's value is in its first cell and the others read as empty.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kl21rules import submission as sm
from kl21rules.diagnostics import InputError, make_pointer

__all__ = ["XlsxDocument", "Layout", "layout", "read_workbook", "write_workbook", "place_errors"]

#: Most rows read from one sheet, and most columns: a unit with thousands of activities fits.
MAX_SHEET_ROWS = 20_000
MAX_COLUMNS = 120
#: Rows of the template given drop-downs and date formats beyond the data written.
SPARE_ROWS = 300

SHEET_GUIDE = "Hướng dẫn"
SHEET_REPORT = "Báo cáo"
SHEET_SIGNALS = "Vụ việc"
SHEET_ACTIVITIES = "Hoạt động"
SHEET_LISTS = "Danh mục"
#: the sheet of each list of records inside an activity (field name -> sheet)
CHILD_SHEETS = {"tasks": "Nhiệm vụ"}
#: the column of a child sheet naming its parent activity
PARENT_KEY = "plan"
HEADER_ROW = 2  # row 1 is the sheet's title, merged across its columns

#: Vietnamese labels of fields by key (a field of a record, or a dotted path on the report sheet).
LABELS: dict[str, str] = {
    "schema": "Mẫu báo cáo (không sửa)", "$schema": "Đường dẫn JSON Schema (không bắt buộc)",
    "report.number": "Số hiệu báo cáo", "report.date": "Ngày báo cáo (ngày xét mặc định)",
    "report.period.start": "Kỳ báo cáo: từ ngày", "report.period.end": "Kỳ báo cáo: đến ngày",
    "unit.id": "Mã đơn vị", "unit.name": "Tên đơn vị", "unit.kind": "Loại đơn vị",
    "unit.department": "Ban (chỉ khi là ban của Đảng ủy Khối)", "unit.parent": "Đơn vị cấp trên",
    "unit.members": "Số đảng viên", "unit.term.start": "Nhiệm kỳ: từ ngày", "unit.term.end": "Nhiệm kỳ: đến ngày",
    "unit.sensitive_areas": "Lĩnh vực dễ xảy ra tham nhũng, tiêu cực",
    "type": "Loại hoạt động", "id": "Mã", "date": "Ngày", "year": "Năm", "ref": "Văn bản, biên bản",
    "note": "Ghi chú", "mode": "Hình thức", "expected": "Số người phải dự", "attendees": "Số người dự",
    "makeup": "Học bù", "number": "Số hiệu", "topics": "Nội dung", "areas": "Lĩnh vực",
    "target": "Đối tượng", "remediation": "Mã kế hoạch khắc phục", "includes_kl21": "Có nội dung Kết luận 21",
    "participants": "Số người tham gia", "collective": "Kiểm điểm tập thể", "members": "Kiểm điểm đảng viên",
    "organisation": "Xếp loại tổ chức", "members.excellent": "Số đảng viên HTXSNV",
    "members.good": "Số đảng viên HTTNV", "members.complete": "Số đảng viên HTNV",
    "members.incomplete": "Số đảng viên KHTNV", "thematic": "Chuyên đề", "persons": "Số người được lấy phiếu",
    "low_confidence": "Số người tín nhiệm thấp", "obligated": "Số người phải kê khai",
    "declared": "Số người đã kê khai", "person": "Người", "signal": "Mã vụ việc", "outcome": "Kết quả",
    "reason": "Lý do", "subject": "Chủ đề", "sent_to": "Gửi tới", "kind": "Loại", "channel": "Kênh",
    "recipients": "Số người được khen", "code": "Mã sản phẩm", "summary": "Tóm tắt",
    "task": "Nhiệm vụ", "owner": "Người thực hiện", "due": "Hạn", "accountable": "Người chịu trách nhiệm",
    PARENT_KEY: "Kế hoạch (mã hoặc dòng)", "replaces": "Thay cho bản ghi (mã)",
    # a field of one kind of record, where the name alone would say too little
    "activity.kind": "Loại báo cáo", "signal.kind": "Loại vụ việc", "activity.outcome": "Hình thức kỷ luật",
    "task.outcome": "Kết quả cần đạt", "activity.number": "Số hiệu kế hoạch",
    "activity.subject": "Nội dung báo cáo", "activity.target": "Đối tượng kiểm tra, giám sát",
    "activity.person": "Người được bổ nhiệm, thẩm định", "signal.summary": "Tóm tắt vụ việc",
}
_TITLES = {
    SHEET_REPORT: "Thông tin chung của báo cáo và đơn vị — điền cột B",
    SHEET_SIGNALS: "Biểu hiện, vụ việc (suy thoái, mất đoàn kết, vi phạm, ...) — mỗi dòng một vụ việc",
    SHEET_ACTIVITIES: "Những việc đơn vị đã làm — mỗi dòng một hoạt động; điền các cột của loại hoạt động đó",
    "Nhiệm vụ": "Nhiệm vụ của kế hoạch thực hiện (\"5 rõ\") — mỗi dòng một nhiệm vụ",
}
_YES = frozenset({"co", "x", "dung", "true", "yes", "1", "v", "√"})
_NO = frozenset({"khong", "false", "no", "0", "sai"})
_ROW_REF = re.compile(r"^(?:dong|row)\s*([0-9]+)$")
_KEY_IN_HEADER = re.compile(r"\(([A-Za-z_$][A-Za-z0-9_.$]*)\)[\s*]*$")


# --- What the model looks like, as columns ----------------------------------------------------


@dataclass
class Column:
    """One field of a record as a column (or, on the report sheet, as a labelled cell).

    :param key: the field (``date``; ``members.excellent`` for a field of a nested object).
    :param kind: ``text``, ``int``, ``bool``, ``date``, ``timeline`` (a date or words for one),
        ``enum`` or ``list`` (of texts).
    :param codes: for ``enum``: record type (``""`` outside activities) -> the codes allowed.
    :param types: the activity types that have the field (empty outside activities).
    """

    key: str
    kind: str
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)
    required: bool = False
    record: str = ""

    @property
    def label(self) -> str:
        """The Vietnamese name of the field (for its kind of record, where that says more)."""
        return LABELS.get(f"{self.record}.{self.key}") or LABELS.get(self.key, self.key)

    @property
    def header(self) -> str:
        return f"{self.label} ({self.key})"

    def vocab_key(self, record: str, rtype: str | None) -> str | None:
        """The :mod:`kl21rules.vocab` key of this field for a record of type ``rtype``."""
        from kl21rules.vocab import FIELDS

        if self.key in FIELDS:  # a field of the report sheet: unit.kind, unit.department
            return self.key
        if record == "activity":
            key = "activity.type" if self.key == "type" else f"{rtype}.{self.key}"
        else:
            key = f"{record}.{self.key}"
        return key if key in FIELDS else None


@dataclass
class Table:
    """The columns of one sheet of records."""

    sheet: str
    record: str  # "signal", "activity", "task"
    columns: list[Column]

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass
class Layout:
    """Every sheet of a submission workbook, for one set of activity types."""

    report: list[Column]
    signals: Table
    activities: Table
    children: dict[str, Table]  # activity field -> its sheet
    types: list[str]  # activity type codes


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type inside Optional/Annotated, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, optional
            annotation = args[0]
        else:
            return annotation, optional


def _columns_of(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, tuple[str, ...], bool, Any]]:
    """(key, kind, enum codes, required, child model) of each field of ``model``, nested models
    flattened (``members.excellent``); a list of models is kind ``rows`` with its model."""
    for name, info in model.model_fields.items():
        key = prefix + (info.alias or name)
        inner, _optional = _unwrap(info.annotation)
        origin = typing.get_origin(inner)
        required = info.is_required()
        if origin is typing.Literal:
            yield key, "enum", tuple(str(a) for a in typing.get_args(inner)), required, None
        elif origin is list:
            item, _ = _unwrap(typing.get_args(inner)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                yield key, "rows", (), required, item
            else:
                yield key, "list", (), required, None
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from _columns_of(inner, key + ".")
        elif inner is bool:
            yield key, "bool", (), required, None
        elif inner is int:
            yield key, "int", (), required, None
        elif inner is _dt.date:
            yield key, "date", (), required, None
        elif set(typing.get_args(inner)) == {_dt.date, str}:  # a date or words for one ("Quý I/2022")
            yield key, "timeline", (), required, None
        else:
            yield key, "text", (), required, None


def _table(sheet: str, record: str, models: Sequence[tuple[str, type[BaseModel]]],
           children: dict[str, Table] | None = None) -> Table:
    columns: dict[str, Column] = {}
    for rtype, model in models:
        for key, kind, codes, required, child in _columns_of(model):
            if kind == "rows":
                if children is not None and key not in children:
                    children[key] = _table(CHILD_SHEETS.get(key, key), key.rstrip("s"), [("", child)])
                    children[key].columns.insert(0, Column(PARENT_KEY, "text", required=True))
                continue
            col = columns.get(key)
            if col is None:
                col = columns[key] = Column(key, kind, required=required)
            elif col.kind != kind:
                kind_key = f"{rtype}.{key}"  # the same name with another kind of value: its own column
                col = columns.setdefault(kind_key, Column(kind_key, kind, required=required))
            if kind == "enum" and key != "type":
                col.codes[rtype] = codes
            if rtype:
                col.types.append(rtype)
    for col in columns.values():
        col.record = record
    return Table(sheet, record, list(columns.values()))


def layout(extra_types: tuple[type[sm.Activity], ...] = ()) -> Layout:
    """The sheets and columns of a workbook for the built-in activity types plus ``extra_types``."""
    acts = [(sm.activity_type_name(m), m) for m in (*sm.BUILTIN_ACTIVITY_TYPES, *extra_types)]
    report = [Column("schema", "text", required=True), Column("$schema", "text")]
    for prefix, model in (("report.", sm.ReportInfo), ("unit.", sm.Unit)):
        for key, kind, codes, required, _child in _columns_of(model, prefix):
            report.append(Column(key, kind, {"": codes} if kind == "enum" else {}, required=required))
    children: dict[str, Table] = {}
    activities = _table(SHEET_ACTIVITIES, "activity", acts, children)
    # common columns first, in the order of Activity; then each type's own, in the types' order
    type_col = activities.column("type")
    assert type_col is not None
    type_col.codes = {"": tuple(t for t, _ in acts)}
    return Layout(report, _table(SHEET_SIGNALS, "signal", [("", sm.Signal)]), activities, children,
                  [t for t, _ in acts])


# --- Reading --------------------------------------------------------------------------------


@dataclass
class XlsxDocument:
    """A workbook read as submission data.

    :param data: the document (``None`` if the workbook could not be read at all).
    :param places: JSON pointer -> (``Sheet!Cell``, the value found there as text or ``None``).
    :param errors: problems of the workbook itself (unreadable, formulas, unknown columns, ...).
    """

    data: dict[str, Any] | None
    places: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    #: the submission's sheets the workbook has (none: it is not a submission workbook)
    sheets: list[str] = field(default_factory=list)
    #: row number of the activity sheet -> index of the activity (for tasks naming "dòng 7")
    activity_rows: dict[int, int] = field(default_factory=dict)

    #: JSON pointer of a record -> (sheet, row, {column key: column index}): where its fields are
    rows: dict[str, tuple[str, int, dict[str, int]]] = field(default_factory=dict)

    def place_of(self, pointer: str) -> tuple[str, str | None] | None:
        """The cell of ``pointer`` and what it holds; for a field left empty, the cell where it
        belongs; else the nearest ancestor's (a record's first cell)."""
        at = pointer
        while True:
            found = self.places.get(at)
            if found is not None:
                return found
            row = self.rows.get(at)
            if row is not None:
                sheet, number, columns = row
                rest = pointer[len(at) + 1:].split("/") if pointer != at else []
                for depth in range(len(rest), 0, -1):
                    index = columns.get(".".join(rest[:depth]))
                    if index is not None:
                        return f"{sheet}!{_letter(index)}{number}", None
                return f"{sheet}!{_letter(min(columns.values()))}{number}", None
            if not at:
                return None
            at = at[: at.rfind("/")]


def place_errors(doc: XlsxDocument, errors: Iterable[InputError]) -> list[InputError]:
    """Errors of the model about ``doc``, each saying which cell it is about and what it holds."""
    out = []
    for e in errors:
        pointer = e.pointer
        if re.fullmatch(r"/activities/[0-9]+", pointer) and e.code in ("unknown-activity-type", "missing-field"):
            pointer += "/type"  # about the activity's type: its cell, not the row's first
        found = doc.place_of(pointer)
        out.append(_at(e, found) if found is not None else e)
    return out


def _shown(value: str | None) -> tuple[str, str]:
    if value is None:
        return "ô trống", "empty cell"
    text = value if len(value) <= 60 else value[:57] + "..."
    return f"giá trị '{text}'", f"value '{text}'"


def _at(e: InputError, found: tuple[str, str | None]) -> InputError:
    place, value = found
    vi, en = _shown(value)
    return InputError(e.code, e.pointer, e.line, f"Ô {place} ({vi}): {e.vi}", f"Cell {place} ({en}): {e.en}")


def _error(code: str, pointer: str, place: str | None, value: str | None, vi: str, en: str) -> InputError:
    e = InputError(code, pointer, None, vi, en)
    return _at(e, (place, value)) if place is not None else e


def _cell_text(value: Any) -> str | None:
    """A cell's value as the user sees it, for messages."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return f"{value.day}/{value.month}/{value.year}"
        return value.isoformat(sep=" ")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number_text(value: float | int) -> str:
    return str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)


def convert(col: Column, value: Any, vocab_key: str | None, codes: Sequence[str]) -> Any:
    """A cell's value as the submission writes it, for the column's kind of value. What cannot be
    read is given on as it is (trimmed), for the model to refuse with its message."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if col.kind == "text":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return _number_text(value)
        if isinstance(value, _dt.datetime):
            return _cell_text(value)
        return value
    if col.kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.replace(" ", "")):
            return int(value.replace(" ", ""))
        return value
    if col.kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            from kl21rules.vocab import normalise

            word = normalise(value)
            if word in _YES:
                return True
            if word in _NO:
                return False
        return value
    if col.kind in ("date", "timeline"):
        if isinstance(value, _dt.datetime):
            return value.date() if value.time() == _dt.time(0) else value
        return value
    if col.kind == "enum":
        if not isinstance(value, str):
            return _cell_text(value)
        if vocab_key is not None:
            from kl21rules.vocab import parse_label

            code = parse_label(vocab_key, value)
            if code is not None:
                return code
        if value in codes:
            return value
        from kl21rules.vocab import normalise

        wanted = normalise(value)
        return next((c for c in codes if normalise(c) == wanted), value)
    if col.kind == "list":
        if isinstance(value, str):
            return [p.strip() for p in re.split(r"[,;\n]", value) if p.strip()]
        return [_cell_text(value)]
    return value


class _Sheet:
    """The non-empty rows of one sheet, each as {column index: cell}, read in read-only mode."""

    def __init__(self, ws: Any, errors: list[InputError], max_rows: int = MAX_SHEET_ROWS) -> None:
        self.name = ws.title
        self.rows: list[tuple[int, dict[int, Any]]] = []
        for cells in ws.iter_rows(max_row=max_rows + 1, max_col=MAX_COLUMNS):
            values = {}
            row = None
            for i, cell in enumerate(cells, start=1):
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                row = getattr(cell, "row", row)
                if getattr(cell, "data_type", None) == "f":
                    ref = f"{self.name}!{cell.coordinate}"
                    errors.append(InputError(
                        "xlsx-formula", "", None,
                        f"Ô {ref} chứa công thức ({_clip(str(value))}); kl21rules không tính công thức: "
                        "hãy ghi giá trị (sao chép rồi Dán giá trị / Paste Values).",
                        f"Cell {ref} holds a formula ({_clip(str(value))}); kl21rules does not compute "
                        "formulas: write the value instead (copy, then Paste Values)."))
                    continue
                if isinstance(value, str) and not value.strip():
                    continue
                values[i] = value
            if values and row is not None:
                if row > max_rows:
                    errors.append(InputError(
                        "too-large", "", None,
                        f"Trang '{self.name}' có quá nhiều dòng: tối đa {MAX_SHEET_ROWS:,} dòng được đọc.",
                        f"Sheet '{self.name}' has too many rows: at most {MAX_SHEET_ROWS:,} are read."))
                    break
                self.rows.append((row, values))


def _clip(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _header_key(text: Any, table_keys: dict[str, str]) -> str | None:
    """The field a header names: the key in brackets, the key alone, or the Vietnamese label."""
    if not isinstance(text, str):
        return None
    from kl21rules.vocab import normalise

    found = _KEY_IN_HEADER.search(text)
    if found and found.group(1) in table_keys.values():
        return found.group(1)
    return table_keys.get(normalise(text.rstrip(" *")))  # "Mã đơn vị *": the mark of a required field


def _keys_index(columns: Iterable[Column]) -> dict[str, str]:
    """Normalised spellings of each column's header -> key."""
    from kl21rules.vocab import normalise

    index: dict[str, str] = {}
    for c in columns:
        for spelling in (c.key, c.label, c.header):
            if spelling:
                index.setdefault(normalise(spelling), c.key)
    return index


def read_workbook(raw: bytes, extra_types: tuple[type[sm.Activity], ...] = ()) -> XlsxDocument:
    """Read a submission workbook's bytes; never raises for any content."""
    from kl21rules._xlsxio import zip_problem

    problem = zip_problem(raw)
    if problem is not None:
        return XlsxDocument(None, errors=[InputError(problem[0], "", None, problem[1], problem[2])])
    import warnings

    from openpyxl import load_workbook

    errors: list[InputError] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of extensions it does not read
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
            try:
                # only the sheets of a submission are read: a sheet of the user's own (notes,
                # sums with formulas) is left alone
                wanted = {_norm(n) for n in (SHEET_REPORT, SHEET_SIGNALS, SHEET_ACTIVITIES, *CHILD_SHEETS.values())}
                sheets = {ws.title: _Sheet(ws, errors) for ws in book.worksheets if _norm(ws.title) in wanted}
                # but a sheet of records under another name ("Hoạt động (2)") must not be dropped
                # in silence: its rows would be missing from the report
                known = {_norm(n) for n in (SHEET_GUIDE, SHEET_LISTS)} | wanted
                others = [_Sheet(ws, [], max_rows=10) for ws in book.worksheets if _norm(ws.title) not in known]
            finally:
                book.close()
    except Exception as exc:  # a damaged part: zipfile, XML and openpyxl's own errors alike
        return XlsxDocument(None, errors=[InputError(
            "xlsx-syntax", "", None,
            f"Không đọc được tệp Excel: {type(exc).__name__}: {_clip(str(exc))}. Hãy mở bằng Excel và lưu lại.",
            f"Cannot read the Excel file: {type(exc).__name__}: {_clip(str(exc))}. Open it in Excel and save it again.")])
    shape = layout(extra_types)
    doc = XlsxDocument({})
    doc.errors = errors
    doc.sheets = list(sheets)
    tables = [shape.signals, shape.activities, *shape.children.values()]
    for other in others:
        for table in tables:
            head = _header_row(other, _keys_index(table.columns))
            if head is not None and any(row > head[0] for row, _ in other.rows):  # a header and rows
                doc.errors.append(InputError(
                    "xlsx-sheet", "", None,
                    f"Trang '{other.name}' có cột như trang '{table.sheet}' nhưng tên khác, nên không được đọc: "
                    f"chép các dòng của nó vào trang '{table.sheet}' (hoặc đổi tên trang).",
                    f"Sheet '{other.name}' has the columns of sheet '{table.sheet}' under another name, so it is "
                    f"not read: move its rows to sheet '{table.sheet}' (or rename the sheet)."))
                break
    by_norm = {_norm(name): s for name, s in sheets.items()}
    report = by_norm.get(_norm(SHEET_REPORT))
    if report is None:
        doc.errors.append(InputError(
            "xlsx-sheet", "", None,
            f"Không có trang '{SHEET_REPORT}' (thông tin báo cáo và đơn vị); hãy dùng mẫu của "
            "'kl21rules init bao-cao.xlsx'.",
            f"No sheet '{SHEET_REPORT}' (the report and the unit); start from the template of "
            "'kl21rules init report.xlsx'."))
    else:
        _read_report(report, shape.report, doc)
    assert doc.data is not None
    sig = by_norm.get(_norm(SHEET_SIGNALS))
    if sig is not None:
        doc.data["signals"] = _read_table(sig, shape.signals, "/signals", doc, shape)
    act = by_norm.get(_norm(SHEET_ACTIVITIES))
    if act is not None:
        doc.data["activities"] = _read_table(act, shape.activities, "/activities", doc, shape)
    for key, table in shape.children.items():
        child = by_norm.get(_norm(table.sheet))
        if child is not None:
            _read_children(child, table, key, doc, shape)
    return doc


def _norm(text: str) -> str:
    from kl21rules.vocab import normalise

    return normalise(text)


def _read_report(sheet: _Sheet, columns: list[Column], doc: XlsxDocument) -> None:
    assert doc.data is not None
    keys = _keys_index(columns)
    by_key = {c.key: c for c in columns}
    seen: dict[str, int] = {}
    for row, cells in sheet.rows:
        key = None
        if isinstance(cells.get(4), str) and cells[4].strip() in by_key:
            key = cells[4].strip()
        elif 1 in cells:
            key = _header_key(cells[1], keys)
        place = f"{sheet.name}!B{row}"
        value = cells.get(2)
        if key is None:
            if value is not None and row > HEADER_ROW:
                label = _cell_text(cells.get(1)) or ""
                doc.errors.append(_error(
                    "unknown-field", "", place, _cell_text(value),
                    f"Không biết dòng '{_clip(label)}' là trường nào: cột D phải ghi tên trường (vd. unit.id).",
                    f"Cannot tell which field row '{_clip(label)}' is: column D must name it (e.g. unit.id)."))
            continue
        if key in seen:
            doc.errors.append(_error(
                "duplicate-key", make_pointer(key.split(".")), place, _cell_text(value),
                f"Trường '{key}' có hai dòng ({seen[key]} và {row}).",
                f"Field '{key}' has two rows ({seen[key]} and {row})."))
            continue
        seen[key] = row
        col = by_key[key]
        path = [key] if key in ("schema", "$schema") else key.split(".")
        pointer = make_pointer(path)
        doc.places[pointer] = (place, _cell_text(value))
        if value is None:
            continue
        vocab_key = col.vocab_key(path[0], None) if col.kind == "enum" else None
        converted = convert(col, value, vocab_key, col.codes.get("", ()))
        if converted is None:
            continue
        node = doc.data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = converted
    # where a missing object or field of the report sheet would be written
    for c in columns:
        steps: list[str | int] = [c.key] if c.key in ("schema", "$schema") else [*c.key.split(".")]
        for depth in range(1, len(steps)):
            pointer = make_pointer(steps[:depth])
            if pointer not in doc.places and c.key in seen:
                doc.places[pointer] = (f"{sheet.name}!B{seen[c.key]}", None)


def _header_row(sheet: _Sheet, keys: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    """The first row among the first ten that names at least two columns: (row, {index: key})."""
    for row, cells in sheet.rows[:10]:
        found = {i: k for i, v in cells.items() if (k := _header_key(v, keys)) is not None}
        if len(found) >= 2:
            return row, found
    return None


def _read_rows(sheet: _Sheet, table: Table, doc: XlsxDocument) -> Iterator[tuple[int, dict[int, Any], dict[int, str]]]:
    keys = _keys_index(table.columns)
    head = _header_row(sheet, keys)
    if head is None:
        if sheet.rows:
            doc.errors.append(InputError(
                "xlsx-header", "", None,
                f"Trang '{sheet.name}' không có dòng tiêu đề cột (như trong mẫu): không đọc được dòng nào.",
                f"Sheet '{sheet.name}' has no row of column headers (as in the template): no row was read."))
        return
    header_row, columns = head
    seen: dict[str, int] = {}
    for i, key in sorted(columns.items()):
        if key in seen:
            doc.errors.append(InputError(
                "duplicate-key", "", None,
                f"Trang '{sheet.name}': cột '{key}' có hai lần ({_letter(seen[key])} và {_letter(i)}).",
                f"Sheet '{sheet.name}': column '{key}' appears twice ({_letter(seen[key])} and {_letter(i)})."))
        seen[key] = i
    header_cells = next(c for r, c in sheet.rows if r == header_row)
    reported: set[int] = set()
    for row, cells in sheet.rows:
        if row <= header_row:
            continue
        stray = [i for i in cells if i not in columns and i not in reported]
        for i in stray:
            reported.add(i)
            title = _cell_text(header_cells.get(i))
            place = f"{sheet.name}!{_letter(i)}{row}"
            if title is None:
                vi = f"Cột {_letter(i)} có dữ liệu nhưng không có tiêu đề; dùng các cột của mẫu."
                en = f"Column {_letter(i)} holds data but has no header; use the template's columns."
            else:
                vi = f"Cột '{_clip(title)}' không có trong mẫu (tiêu đề phải ghi tên trường trong ngoặc, vd. '(date)')."
                en = f"Column '{_clip(title)}' is not in the template (a header ends with the field in brackets, e.g. '(date)')."
            doc.errors.append(_error("unknown-field", "", place, _cell_text(cells[i]), vi, en))
        yield row, cells, columns


def _record(table: Table, row: int, cells: dict[int, Any], columns: dict[int, str], base: str,
            sheet: str, doc: XlsxDocument, rtype: str | None, skip: Sequence[str] = ()) -> dict[str, Any]:
    """One row as a record; the places of its cells under ``base`` (its JSON pointer)."""
    record: dict[str, Any] = {}
    by_key = {c.key: c for c in table.columns}
    where = {key: i for i, key in columns.items()}
    own = table_types(table)
    doc.rows[base] = (sheet, row, where)
    for i, key in columns.items():
        if key in skip or i not in cells:
            continue
        col = by_key[key]
        value = cells[i]
        name = key
        if "." in key and key.split(".", 1)[0] in own:
            name = key.split(".", 1)[1]  # a type's own column of a name used otherwise elsewhere
        path = name.split(".")
        pointer = make_pointer([*_tokens(base), *path])
        doc.places[pointer] = (f"{sheet}!{_letter(i)}{row}", _cell_text(value))
        vocab_key = col.vocab_key(table.record, rtype) if col.kind == "enum" else None
        codes = col.codes.get(rtype or "", ()) if col.kind == "enum" else ()
        if col.kind == "enum" and not codes:
            codes = tuple(c for cs in col.codes.values() for c in cs)
        converted = convert(col, value, vocab_key, codes)
        if converted is None:
            continue
        node = record
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = converted
    return record


def table_types(table: Table) -> set[str]:
    return {t for c in table.columns for t in c.types}


def _tokens(pointer: str) -> list[str | int]:
    return [int(t) if t.isdigit() else t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _read_table(sheet: _Sheet, table: Table, base: str, doc: XlsxDocument, shape: Layout) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    rows_of: dict[int, int] = {}
    type_col = table.column("type")
    for row, cells, columns in _read_rows(sheet, table, doc):
        rtype = None
        if type_col is not None:
            where = next((i for i, k in columns.items() if k == "type"), None)
            if where is not None and where in cells:
                rtype = convert(type_col, cells[where], "activity.type", type_col.codes.get("", ()))
                rtype = rtype if isinstance(rtype, str) else None
        pointer = f"{base}/{len(out)}"
        rows_of[row] = len(out)
        out.append(_record(table, row, cells, columns, pointer, sheet.name, doc, rtype))
    if table.record == "activity":
        doc.activity_rows = rows_of
    return out


def _read_children(sheet: _Sheet, table: Table, key: str, doc: XlsxDocument, shape: Layout) -> None:
    assert doc.data is not None
    activities: list[dict[str, Any]] = doc.data.get("activities", [])
    rows_of = doc.activity_rows
    ids: dict[str, int] = {}
    for i, act in enumerate(activities):
        aid = act.get("id")
        if isinstance(aid, str):
            ids.setdefault(aid, i)
    for row, cells, columns in _read_rows(sheet, table, doc):
        where = next((i for i, k in columns.items() if k == PARENT_KEY), None)
        raw = cells.get(where) if where is not None else None
        ref = (_cell_text(raw) or "").strip() if raw is not None else None
        target = None
        if ref:
            from kl21rules.vocab import normalise

            m = _ROW_REF.match(normalise(ref))
            if m is not None:
                target = rows_of.get(int(m.group(1)))
            else:
                target = ids.get(ref)
        if target is None:
            place = f"{sheet.name}!{_letter(where)}{row}" if where is not None else f"{sheet.name}!A{row}"
            doc.errors.append(_error(
                "reference", "", place, ref,
                f"Không tìm thấy kế hoạch của nhiệm vụ này: ghi mã (cột 'Mã (id)') của kế hoạch ở trang "
                f"'{SHEET_ACTIVITIES}', hoặc 'dòng N' (số dòng của kế hoạch).",
                f"Cannot find this task's plan: write the plan's id (column 'id') from sheet "
                f"'{SHEET_ACTIVITIES}', or 'row N' (the plan's row number)."))
            continue
        items = activities[target].setdefault(key, [])
        pointer = f"/activities/{target}/{key}/{len(items)}"
        items.append(_record(table, row, cells, columns, pointer, sheet.name, doc, None, skip=(PARENT_KEY,)))


# --- Writing --------------------------------------------------------------------------------


class ConvertError(ValueError):
    """Data that a workbook cannot hold as it is (carries vi and en messages)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.vi, self.en = vi, en


def _display(col: Column, value: Any, rtype: str | None, record: str) -> Any:
    """A value of the submission as the workbook shows it."""
    if value is None:
        return None
    if col.kind == "enum":
        key = col.vocab_key(record, rtype)
        if key is not None:
            from kl21rules.vocab import label

            return label(key, str(value), "vi")
        return value
    if col.kind == "bool":
        return "Có" if value else None
    if col.kind == "list":
        items = [str(v) for v in value]
        for item in items:
            if any(ch in item for ch in ",;\n") or item != item.strip():
                raise ConvertError(
                    f"Giá trị '{_clip(item)}' của '{col.key}' có dấu phẩy, chấm phẩy hoặc xuống dòng: "
                    "không ghi được vào một ô danh sách của Excel.",
                    f"Value '{_clip(item)}' of '{col.key}' holds a comma, semicolon or line break: "
                    "an Excel list cell cannot hold it.")
        return ", ".join(items) or None
    if col.kind == "text" and isinstance(value, str):
        if value != value.strip() or not value:
            raise ConvertError(
                f"Giá trị '{_clip(value)}' của '{col.key}' rỗng hoặc có khoảng trắng ở đầu hay cuối: "
                "Excel không giữ được (kl21rules bỏ khoảng trắng quanh giá trị của ô).",
                f"Value '{_clip(value)}' of '{col.key}' is empty or has spaces around it: kl21rules trims "
                "the cells of a workbook, so it would not survive.")
    return value


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


def write_workbook(data: dict[str, Any] | None, extra_types: tuple[type[sm.Activity], ...] = ()) -> bytes:
    """A submission workbook holding ``data`` (a submission as plain data, dates as dates,
    e.g. ``model_dump(by_alias=True)``), or an empty template if ``data`` is ``None``.

    :raises ConvertError: for a value a cell cannot hold so that it reads back the same.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from kl21rules._xlsxio import stable_bytes

    shape = layout(extra_types)
    data = data or {}
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = SHEET_GUIDE
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    title_font = Font(bold=True, size=13)
    key_font = Font(color="808080", size=9)
    lists = book.create_sheet(SHEET_LISTS)
    list_refs: dict[tuple[str, ...], str] = {}

    def list_formula(values: Sequence[str]) -> str:
        key = tuple(values)
        if key not in list_refs:
            col = _letter(len(list_refs) + 1)
            for r, v in enumerate(values, start=2):
                lists[f"{col}{r}"] = v
            list_refs[key] = f"'{SHEET_LISTS}'!${col}$2:${col}${len(values) + 1}"
        return list_refs[key]

    def labels_of(col: Column, record: str) -> list[str]:
        from kl21rules.vocab import label

        if col.key == "type":
            return [label("activity.type", t, "vi") for t in shape.types]
        seen: list[str] = []
        for rtype, codes in col.codes.items():
            key = col.vocab_key(record, rtype or None)
            for c in codes:
                text = label(key, c, "vi") if key is not None else c
                if text not in seen:
                    seen.append(text)
        return seen

    def validate(ws: Any, col: Column, record: str, ref: str) -> None:
        if col.kind == "enum":
            dv = DataValidation(type="list", formula1=list_formula(labels_of(col, record)), allow_blank=True,
                                errorStyle="warning", showErrorMessage=True,
                                errorTitle="Giá trị ngoài danh sách",
                                error="Nên chọn trong danh sách; kl21rules cũng hiểu chữ không dấu.")
        elif col.kind == "bool":
            dv = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
        elif col.kind == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                errorStyle="warning", showErrorMessage=True, errorTitle="Ngày",
                                error="Ghi ngày dạng 31/3/2022 (ngày trước, tháng sau).")
        else:
            return
        ws.add_data_validation(dv)
        dv.add(ref)

    def put(ws: Any, ref: str, value: Any) -> Any:
        from openpyxl.utils.exceptions import IllegalCharacterError

        cell = ws[ref]
        try:
            cell.value = value
        except IllegalCharacterError:
            raise ConvertError(
                f"Giá trị {_clip(repr(value))} có ký tự điều khiển mà Excel không lưu được.",
                f"Value {_clip(repr(value))} holds a control character that Excel cannot store.") from None
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        if isinstance(value, _dt.date):
            cell.number_format = "DD/MM/YYYY"
        return cell

    # the report sheet: one labelled cell per field
    ws = book.create_sheet(SHEET_REPORT)
    ws.merge_cells("A1:D1")
    ws["A1"] = _TITLES[SHEET_REPORT]
    ws["A1"].font = title_font
    for i, text in enumerate(("Mục", "Giá trị", "Hướng dẫn", "Trường (không sửa)"), start=1):
        c = ws.cell(HEADER_ROW, i, text)
        c.font, c.fill = head_font, head_fill
    flat = _flat({k: v for k, v in data.items() if k in ("report", "unit")})
    flat["schema"] = data.get("schema", sm.SCHEMA_ID)
    flat["$schema"] = data.get("$schema")
    for r, col in enumerate(shape.report, start=HEADER_ROW + 1):
        ws.cell(r, 1, col.label + (" *" if col.required else ""))
        value = _display(col, flat.get(col.key), None, col.key.split(".")[0])
        put(ws, f"B{r}", value)
        if col.kind == "date":
            ws[f"B{r}"].number_format = "DD/MM/YYYY"
        elif col.kind == "text":
            ws[f"B{r}"].number_format = "@"
        ws.cell(r, 3, _hint(col, "report"))
        ws.cell(r, 4, col.key).font = key_font
        validate(ws, col, col.key.split(".")[0], f"B{r}")
    for letter, width in zip("ABCD", (44, 40, 60, 22)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"

    def table_sheet(table: Table, records: list[tuple[int, dict[str, Any], str | None]]) -> None:
        ws = book.create_sheet(table.sheet)
        last = _letter(len(table.columns))
        ws.merge_cells(f"A1:{last}1")
        ws["A1"] = _TITLES.get(table.sheet, table.sheet)
        ws["A1"].font = title_font
        widths = []
        for i, col in enumerate(table.columns, start=1):
            c = ws.cell(HEADER_ROW, i, col.header + (" *" if col.required else ""))
            c.font, c.fill = head_font, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
            widths.append(min(max(len(col.header) * 0.6, 10), 30))
        end = HEADER_ROW + len(records) + SPARE_ROWS
        for i, col in enumerate(table.columns, start=1):
            letter = _letter(i)
            validate(ws, col, table.record, f"{letter}{HEADER_ROW + 1}:{letter}{end}")
            if col.kind in ("date", "timeline"):  # the column's style: a date typed in it shows dd/mm/yyyy
                ws.column_dimensions[letter].number_format = "DD/MM/YYYY"
            elif col.kind == "text":  # typed text stays as typed ("05-KH/CB", "01" keep their form)
                ws.column_dimensions[letter].number_format = "@"
        for r, (_, record, rtype) in enumerate(records, start=HEADER_ROW + 1):
            values = _flat(record)
            for i, col in enumerate(table.columns, start=1):
                name = col.key
                if "." in name and name.split(".", 1)[0] == rtype and name not in values:
                    name = name.split(".", 1)[1]
                elif "." in name and name.split(".", 1)[0] in table_types(table):
                    continue
                value = _display(col, values.get(name), rtype, table.record)
                if value is None:
                    continue
                put(ws, f"{_letter(i)}{r}", value)
                widths[i - 1] = min(max(widths[i - 1], len(str(value)) * 1.1 + 2), 50)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[_letter(i)].width = width
        ws.row_dimensions[HEADER_ROW].height = 45
        ws.freeze_panes = f"B{HEADER_ROW + 1}" if table.record == "activity" else f"A{HEADER_ROW + 1}"

    signals = data.get("signals") or []
    table_sheet(shape.signals, [(i, s, None) for i, s in enumerate(signals)])
    activities = data.get("activities") or []
    rows = []
    children: dict[str, list[tuple[int, dict[str, Any], str | None]]] = {k: [] for k in shape.children}
    for i, act in enumerate(activities):
        row = {k: v for k, v in act.items() if k not in shape.children}
        rows.append((i, row, act.get("type")))
        for key in shape.children:
            for item in act.get(key) or []:
                plan = act.get("id") if isinstance(act.get("id"), str) and _unique_id(activities, act.get("id")) \
                    else f"dòng {HEADER_ROW + 1 + i}"
                children[key].append((i, {PARENT_KEY: plan, **item}, None))
    table_sheet(shape.activities, rows)
    for key, table in shape.children.items():
        table_sheet(table, children[key])
    _write_guide(guide, shape, title_font, head_font, head_fill)
    book.move_sheet(SHEET_LISTS, offset=len(book.sheetnames))
    book.active = 1
    return stable_bytes(book)


def _unique_id(activities: list[dict[str, Any]], aid: Any) -> bool:
    return sum(1 for a in activities if a.get("id") == aid) == 1


def _hint(col: Column, record: str) -> str:
    if col.key == "schema":
        return "Giữ nguyên: kl21rules/submission/v1"
    return {
        "date": "Ngày dạng 31/3/2022 (ngày trước, tháng sau)",
        "timeline": "Ngày (31/3/2022) hoặc thời hạn bằng chữ (Quý I/2022, Hằng năm)",
        "int": "Số nguyên",
        "bool": "Có hoặc để trống",
        "enum": "Chọn trong danh sách",
        "list": "Nhiều giá trị cách nhau bởi dấu phẩy",
        "text": "",
    }.get(col.kind, "")


def _write_guide(ws: Any, shape: Layout, title_font: Any, head_font: Any, head_fill: Any) -> None:
    from kl21rules.vocab import label

    lines = [
        ("Báo cáo thực hiện Kế hoạch 40-KH/ĐUK (Kết luận 21-KL/TW) — mẫu Excel", title_font),
        ("1. Trang 'Báo cáo': điền cột B (thông tin báo cáo và đơn vị). Dấu * là bắt buộc. Không sửa cột D.", None),
        ("2. Trang 'Hoạt động': mỗi dòng một việc đơn vị đã làm. Chọn 'Loại hoạt động', ghi ngày, rồi điền các "
         "cột của loại đó (bảng dưới); để trống các cột khác.", None),
        ("3. Trang 'Nhiệm vụ': các nhiệm vụ của kế hoạch thực hiện; cột 'Kế hoạch' ghi mã của kế hoạch "
         "(cột 'Mã' ở trang Hoạt động) hoặc 'dòng 7' (số dòng của kế hoạch).", None),
        ("4. Trang 'Vụ việc': biểu hiện suy thoái, mất đoàn kết, vi phạm... nếu có.", None),
        ("5. Ngày: gõ 31/3/2022 hoặc chọn ô ngày. Số: gõ số. Danh sách chọn: chọn trong ô thả xuống "
         "(chữ không dấu như 'truc tiep' cũng được). Không dùng công thức.", None),
        ("6. Kiểm tra: kl21rules check <tệp này>. Mỗi lỗi ghi rõ trang và ô (vd. Hoạt động!D7).", None),
        ("", None),
    ]
    for r, (text, font) in enumerate(lines, start=1):
        ws.cell(r, 1, text)
        if font is not None:
            ws.cell(r, 1).font = font
    r = len(lines) + 1
    for i, text in enumerate(("Loại hoạt động", "Mã loại (type)", "Các cột cần điền"), start=1):
        c = ws.cell(r, i, text)
        c.font, c.fill = head_font, head_fill
    common = {"type", "id", "date", "ref", "note"}
    for t in shape.types:
        r += 1
        cols = [c for c in shape.activities.columns if t in c.types and c.key not in common]
        ws.cell(r, 1, label("activity.type", t, "vi"))
        ws.cell(r, 2, t)
        ws.cell(r, 3, ", ".join(c.label + (" *" if c.required else "") for c in cols))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 100
