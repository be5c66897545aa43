"""The Excel report, ``--format xlsx --output FILE.xlsx``: findings a secretary can sort and filter.

Sheets (names in the chosen language):

- **Kết quả** / Results: one row per finding, in the order of the JSON report (file, unit id and
  name, rule, title, status, severity, period, item, due date, message, evidence, waiver); items
  and evidence are named as in the text report (``hoạt động thứ 2 (KH-01)``, counted from 1). The
  header is frozen and filtered; each status cell is coloured *and* says its status in words,
  so the sheet reads the same printed in black and white.
- **Tổng hợp** / Summary: counts per rule and status, the run's totals and its problems.
- **Lỗi đầu vào** / Input errors: one row per input error (file, place, code, message).
- **Ma trận** / Matrix: the units × rules matrix of the HTML dashboard (:mod:`kl21rules.matrix`,
  computed once per file for both): one row per unit, one column per rule grouped by department
  pack, each cell the worst status of the rule's findings as a symbol on the status's colour,
  then the number of units per status under each rule.

The workbook is written by kl21rules' own small SpreadsheetML writer
(:mod:`kl21rules.output._xlsxwriter`: string joins, shared strings, deflate as it goes), one file's
rows at a time (each file's rows are made where it was checked, by :func:`file_part`, in a worker
with ``--jobs``), so memory stays bounded with the batch; past Excel's million rows a sheet
continues in "Kết quả (2)". Its bytes depend only on the report (not on which XML library is
installed). Texts are always text, never formulas (a name starting with ``=`` stays as written).

To add a sheet, subclass :class:`SheetBuilder` and add it to :data:`EXTRA_SHEETS` or pass it to
:func:`write_report`: a builder sees every file's :class:`FilePart` in order, then the report, and
writes its sheet. ``start`` receives kl21rules' own :class:`~kl21rules.output._xlsxwriter.Book`
(``book.add_sheet(name, widths, freeze)`` returns a sheet with ``append(row)``), not an openpyxl
``Workbook`` as up to 0.2.0. A further sheet that fails (a name Excel refuses, such as another
sheet's name in any case, or an exception in its code) raises :class:`SheetError` naming the
builder's module; the command reports it as that pack's error (exit 2) and writes no workbook.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import IO, Any, NamedTuple

from kl21rules.interrupt import Interrupted
from kl21rules.matrix import SHOWN, SYMBOL, UnitRow, grouped_rules, unit_row
from kl21rules.output._common import (_ITEM, SEVERITY_LABEL, STATUS_LABEL, STATUS_ORDER, lang_of, place,
                                      waived_note)
from kl21rules.output._xlsxwriter import Book, Cell, Sheet, column, serial
from kl21rules.report import FileReport, Report

#: Rows of one sheet, the header included: Excel's limit.
MAX_ROWS = 1_048_576

#: Fill (RGB) of the headers.
HEAD_FILL = "DDEBF7"
#: Fill (RGB) of each status's cell; the text of the cell names the status too.
STATUS_FILL = {
    "error": "D9B3FF", "fail": "FFB3B3", "late": "FFD9A6", "pending": "FFF2A6",
    "pass": "C6EFCE", "not_applicable": "E7E6E6",
}

WORDS = {
    "vi": {
        "results": "Kết quả", "summary": "Tổng hợp", "errors": "Lỗi đầu vào",
        "file": "Tệp", "unit_id": "Mã đơn vị", "unit_name": "Tên đơn vị", "as_of": "Ngày xét",
        "rule": "Quy tắc", "title": "Tên quy tắc", "status": "Trạng thái", "severity": "Mức",
        "period": "Kỳ", "item": "Mục", "due": "Hạn", "message": "Nội dung", "evidence": "Căn cứ",
        "waived": "Miễn trừ", "total": "Tổng", "pointer": "Vị trí", "line": "Dòng", "code": "Mã lỗi",
        "files": "Số tệp", "units": "Số đơn vị", "input_errors": "Lỗi đầu vào", "problems": "Vấn đề",
        "run": "Cả đợt kiểm tra", "all_rules": "Tất cả quy tắc",
        "matrix": "Ma trận", "kind": "Loại đơn vị", "units_with": "Số đơn vị", "legend": "Chú giải",
        "waived_mark": "* miễn trừ", "no_finding": "(trống) không xét",
    },
    "en": {
        "results": "Results", "summary": "Summary", "errors": "Input errors",
        "file": "File", "unit_id": "Unit id", "unit_name": "Unit name", "as_of": "As of",
        "rule": "Rule", "title": "Title", "status": "Status", "severity": "Severity",
        "period": "Period", "item": "Item", "due": "Due", "message": "Message", "evidence": "Evidence",
        "waived": "Waived", "total": "Total", "pointer": "Place", "line": "Line", "code": "Code",
        "files": "Files", "units": "Units", "input_errors": "Input errors", "problems": "Problems",
        "run": "The whole run", "all_rules": "All rules",
        "matrix": "Matrix", "kind": "Kind of unit", "units_with": "Units", "legend": "Legend",
        "waived_mark": "* waived", "no_finding": "(empty) not judged",
    },
}

#: The columns of the results sheet: (key of WORDS, width).
RESULT_COLUMNS = (
    ("file", 28), ("unit_id", 14), ("unit_name", 30), ("as_of", 11), ("rule", 10), ("title", 36),
    ("status", 14), ("severity", 10), ("period", 10), ("item", 16), ("due", 11), ("message", 80),
    ("evidence", 24), ("waived", 24),
)
ERROR_COLUMNS = (("file", 28), ("unit_id", 14), ("pointer", 24), ("line", 7), ("code", 16), ("message", 100))


class FindingRow(NamedTuple):
    """One finding as the results sheet shows it (values, not yet labels), picklable."""

    path: str
    unit_id: str | None
    unit_name: str | None
    as_of: _dt.date | None
    rule: str
    status: str
    severity: str
    period: str | None
    item: str | None
    due: _dt.date | None
    message: str
    evidence: tuple[str, ...]
    waived: str


class ErrorRow(NamedTuple):
    """One input error of a file."""

    path: str
    unit_id: str | None
    pointer: str
    line: int | None
    code: str
    message: str


class FilePart(NamedTuple):
    """What the workbook needs of one file (made where the file was checked)."""

    findings: tuple[FindingRow, ...]
    errors: tuple[ErrorRow, ...]
    #: the file's row of the units × rules matrix (``None``: not read as a submission).
    matrix: UnitRow | None = None


def file_part(file: FileReport, lang: str, rule_ids: tuple[str, ...] = ()) -> FilePart:
    """One file's rows (a module function of picklable arguments, so a worker can make them)."""
    unit: dict[str, Any] = file.unit or {}
    uid, name = unit.get("id"), unit.get("name")
    names = file.names or {}
    items = _ITEM[lang_of(lang)]
    known: dict[str, str] = {}

    def named(pointer: str) -> str:
        # for people, as the text report says it: counted from 1, items named by their id
        text = known.get(pointer)
        if text is None:
            if not pointer.startswith("/"):
                return pointer
            head, slash, index = pointer[1:].partition("/")
            if slash and head and index.isdigit() and "~" not in head:  # /activities/3, as place() says it
                text = items.get(head, items[""]).format(n=int(index) + 1)
                ident = names.get(pointer)
                if ident:
                    text = f"{text} ({ident})"
            else:
                text = place(pointer, names, lang)
            known[pointer] = text
        return text

    evidences: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}

    def evidence(pointers: tuple[str, ...]) -> tuple[str, ...]:
        shown = evidences.get(pointers)
        if shown is None:
            shown = evidences[pointers] = tuple(named(e) for e in pointers)
        return shown

    path, as_of = file.path, file.as_of
    message = attrgetter("message_en" if lang == "en" else "message_vi")  # as Finding.message(lang)
    row = tuple.__new__  # FindingRow(...) without its Python-level __new__: one per finding
    findings = tuple([
        row(FindingRow, (path, uid, name, as_of, f.rule, f.status, f.severity, f.period,
                         None if f.item is None else named(f.item), f.due, message(f),
                         evidence(tuple(f.evidence)), "" if f.waived is None else waived_note(f, lang)))
        for f in file.findings
    ])
    errors = tuple(ErrorRow(path, uid, e.pointer, e.line, e.code, e.message(lang)) for e in file.errors)
    return FilePart(findings, errors, unit_row(file, rule_ids) if rule_ids else None)


class SheetBuilder:
    """One sheet of the report: sees each file's part in order, then writes at the end.

    ``start`` runs before any file (add the sheet there, ``book.add_sheet``, to fix its place in
    the workbook), ``add`` once per file, ``finish`` after the last file, when ``report.tally()``
    is complete.
    """

    def start(self, book: Book, lang: str) -> None:
        pass

    def add(self, part: FilePart) -> None:
        pass

    def finish(self, report: Report) -> None:
        pass


#: Builders of further sheets, each made fresh per report: ``factory() -> SheetBuilder``.
EXTRA_SHEETS: list[Callable[[], SheetBuilder]] = []


class SheetError(Exception):
    """A further sheet (:data:`EXTRA_SHEETS` or ``extra``) failed; ``module`` names its code."""

    def __init__(self, module: str, exc: BaseException) -> None:
        super().__init__(f"sheet of {module} failed: {type(exc).__name__}: {exc}")
        self.module = module
        self.error = f"{type(exc).__name__}: {exc}"

    def message(self, lang: str) -> str:
        if lang_of(lang) == "en":
            return f"The Excel sheet of pack {self.module} failed: {self.error}"
        return f"Trang tính Excel của gói {self.module} bị lỗi: {self.error}"


def _module_of(obj: Any) -> str:
    return getattr(obj, "__module__", None) or getattr(type(obj), "__module__", None) or "?"


class _Guarded(SheetBuilder):
    """A further sheet's builder whose failure becomes a :class:`SheetError` naming its module."""

    def __init__(self, made: SheetBuilder | Callable[[], SheetBuilder], is_builder: bool) -> None:
        self.module = _module_of(made)
        self.inner: SheetBuilder = made if is_builder else self._guard(made)  # type: ignore[assignment]

    def _guard(self, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except Interrupted:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a pack's sheet included
            raise SheetError(self.module, exc) from None

    def start(self, book: Book, lang: str) -> None:
        self._guard(self.inner.start, book, lang)

    def add(self, part: FilePart) -> None:
        self._guard(self.inner.add, part)

    def finish(self, report: Report) -> None:
        self._guard(self.inner.finish, report)


class Styles:
    """The report's cell styles, registered in the workbook in one fixed order."""

    def __init__(self, book: Book) -> None:
        style = book.style
        self.head = style(bold=True, fill=HEAD_FILL)
        self.head_fill = style(fill=HEAD_FILL)
        self.head_center = style(bold=True, fill=HEAD_FILL, horizontal="center", vertical="center")
        self.date = style(number_format="DD/MM/YYYY")
        self.wrap = style(vertical="top", wrap=True)
        self.top = style(vertical="top")
        self.top_bold = style(bold=True, vertical="top")
        self.bold = style(bold=True)
        #: a results row's status cell (bold when it fails or errs)
        self.status = {s: style(bold=s in ("fail", "error"), fill=c, vertical="top") for s, c in STATUS_FILL.items()}
        #: a matrix cell
        self.center = {s: style(fill=c, horizontal="center", vertical="center") for s, c in STATUS_FILL.items()}
        #: the summary's header of a status
        self.head_status = {s: style(bold=True, fill=c) for s, c in STATUS_FILL.items()}
        #: the matrix's count of a status
        self.fill = {s: style(fill=c) for s, c in STATUS_FILL.items()}


def _header(book: Book, name: str, columns: Sequence[tuple[str, int]], words: dict[str, str]) -> Sheet:
    ws = book.add_sheet(name, [width for _key, width in columns], freeze="A2")
    head = Styles(book).head
    ws.append([Cell(words[key], head) for key, _ in columns])
    return ws


class ResultsSheet(SheetBuilder):
    """Kết quả: one row per finding; continues on a new sheet past Excel's row limit."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles
        self.sheets: list[Sheet] = []
        #: the pieces of cells E–H by (rule, status, severity)
        self._judged: dict[tuple[str, str, str], list[str]] = {}
        #: the end of a due date's cell (K) by the date
        self._dues: dict[_dt.date, str] = {}

    def start(self, book: Book, lang: str) -> None:
        self.book, self.lang = book, lang_of(lang)
        self.words = WORDS[self.lang]
        self.styles = Styles(book)
        self.status = STATUS_LABEL[self.lang]
        self.severity = SEVERITY_LABEL[self.lang]
        self._new_sheet()

    def _new_sheet(self) -> None:
        name = self.words["results"] + (f" ({len(self.sheets) + 1})" if self.sheets else "")
        self.sheets.append(_header(self.book, name, RESULT_COLUMNS, self.words))

    def add(self, part: FilePart) -> None:
        # Speed matters here (a row per finding): each row is joined from pieces around its number
        # (``n.join(pieces)``); the pieces of a file's first four cells and of a rule's and status's
        # four are made once (cells A–D and E–H), the other six per finding.
        book = self.book
        strings, text = book._strings, book.text
        styles = self.styles
        wrap, date = f' s="{styles.wrap}"', f' s="{styles.date}"'
        ws = self.sheets[-1]
        rows: list[str] = []
        last_path: str | None = None
        last: tuple[Any, ...] = ()
        head: list[str] = []
        dues = self._dues
        judged = self._judged
        for (path, unit_id, unit_name, as_of, rule, status, severity, period, item, due, message, evidence,
             waived) in part.findings:
            if ws.rows >= MAX_ROWS:
                ws.write("".join(rows))
                rows = []
                self._close_sheet()
                self._new_sheet()
                ws = self.sheets[-1]
            ws.rows += 1
            n = str(ws.rows)
            if path is not last_path or (unit_id, unit_name, as_of) != last:
                last_path, last = path, (unit_id, unit_name, as_of)
                head = self._file_pieces(path, unit_id, unit_name, as_of, date)
            mid = judged.get((rule, status, severity))
            if mid is None:
                mid = judged[rule, status, severity] = self._rule_pieces(rule, status, severity)
            cells = [n.join(head), n.join(mid)]
            if period:
                cells.append(f'<c r="I{n}"{strings.get(period) or text(period)}')
            if item:
                cells.append(f'<c r="J{n}"{strings.get(item) or text(item)}')
            if due is not None:
                tail = dues.get(due)
                if tail is None:
                    tail = dues[due] = f'"{date}><v>{serial(due)}</v></c>'
                cells.append(f'<c r="K{n}{tail}')
            if message:
                cells.append(f'<c r="L{n}"{wrap}{strings.get(message) or text(message)}')
            else:
                cells.append(f'<c r="L{n}"{wrap}/>')
            if evidence:
                joined = "\n".join(evidence)
                if joined:
                    cells.append(f'<c r="M{n}"{strings.get(joined) or text(joined)}')
            if waived:
                cells.append(f'<c r="N{n}"{text(waived)}')
            cells.append("</row>")
            rows.append("".join(cells))
        if rows:
            ws.write("".join(rows))

    def _file_pieces(self, path: str, unit_id: str | None, unit_name: str | None, as_of: _dt.date | None,
                     date: str) -> list[str]:
        """The row's start and its cells A–D, in pieces to be joined by the row's number."""
        text = self.book.text
        pieces = ['<row r="', '">']
        for col, value in (("A", path), ("B", unit_id), ("C", unit_name)):
            if value:
                pieces[-1] += f'<c r="{col}'
                pieces.append(f'"{text(value)}')
        if as_of is not None:
            pieces[-1] += '<c r="D'
            pieces.append(f'"{date}><v>{serial(as_of)}</v></c>')
        return pieces

    def _rule_pieces(self, rule: str, status: str, severity: str) -> list[str]:
        """Cells E–H (rule, title, status, severity), in pieces to be joined by the row's number."""
        text = self.book.text
        pieces = [""]
        title = self.titles.get(rule, "")
        for col, value in (("E", rule), ("F", title)):
            if value:
                pieces[-1] += f'<c r="{col}'
                pieces.append(f'"{text(value)}')
        style = self.styles.status.get(status)
        if style is None:
            style = self.styles.top_bold if status in ("fail", "error") else self.styles.top
        label = self.status.get(status, status)
        pieces[-1] += '<c r="G'
        pieces.append(f'" s="{style}"{text(label)}' if label else f'" s="{style}"/>')
        shown = self.severity.get(severity, severity)
        if shown:
            pieces[-1] += '<c r="H'
            pieces.append(f'"{text(shown)}')
        return pieces

    def _close_sheet(self) -> None:
        ws = self.sheets[-1]
        ws.auto_filter = f"A1:{column(len(RESULT_COLUMNS))}{max(ws.rows, 2)}"

    def finish(self, report: Report) -> None:
        self._close_sheet()


class ErrorsSheet(SheetBuilder):
    """Lỗi đầu vào: one row per input error."""

    def start(self, book: Book, lang: str) -> None:
        self.words = WORDS[lang_of(lang)]
        self.styles = Styles(book)
        self.ws = _header(book, self.words["errors"], ERROR_COLUMNS, self.words)

    def add(self, part: FilePart) -> None:
        wrap = self.styles.wrap
        for e in part.errors:
            if self.ws.rows >= MAX_ROWS:
                return  # the summary still counts them all
            self.ws.append([e.path, e.unit_id, e.pointer or "/", e.line, e.code, Cell(e.message, wrap)])

    def finish(self, report: Report) -> None:
        self.ws.auto_filter = f"A1:{column(len(ERROR_COLUMNS))}{max(self.ws.rows, 2)}"


class SummarySheet(SheetBuilder):
    """Tổng hợp: statuses per rule (from the run's tally), the totals and the run's problems."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles

    def start(self, book: Book, lang: str) -> None:
        self.lang = lang_of(lang)
        self.styles = Styles(book)
        widths = [12, 44] + [14] * len(STATUS_ORDER) + [10]
        self.ws = book.add_sheet(WORDS[self.lang]["summary"], widths, freeze="C2")

    def finish(self, report: Report) -> None:
        ws, words, styles = self.ws, WORDS[self.lang], self.styles
        labels = STATUS_LABEL[self.lang]
        ws.append([Cell(words["rule"], styles.head), Cell(words["title"], styles.head),
                   *(Cell(labels[s], styles.head_status[s]) for s in STATUS_ORDER),
                   Cell(words["total"], styles.head)])
        tally = report.tally()
        totals = dict.fromkeys(STATUS_ORDER, 0)
        for rule in sorted(tally.per_rule):
            row = tally.per_rule[rule]
            for s in STATUS_ORDER:
                totals[s] += row.get(s, 0)
            ws.append([rule, self.titles.get(rule, ""), *(row.get(s, 0) for s in STATUS_ORDER),
                       sum(row.get(s, 0) for s in STATUS_ORDER)])
        bold = styles.bold
        ws.append([Cell(words["total"], bold), words["all_rules"], *(Cell(totals[s], bold) for s in STATUS_ORDER),
                   Cell(sum(totals.values()), bold)])
        ws.skip()
        summary = report.summary()
        ws.append([Cell(words["run"], bold)])
        ws.append([words["files"], summary["files"]])
        ws.append([words["units"], summary["units"]])
        ws.append([words["input_errors"], summary["input_errors"]])
        if report.problems:
            ws.skip()
            ws.append([Cell(words["problems"], bold)])
            for p in report.problems:
                ws.append([p.code, p.message(self.lang)])


class MatrixSheet(SheetBuilder):
    """Ma trận: the units × rules matrix, as the HTML dashboard draws it."""

    def __init__(self, rules: Sequence[Any], pack_titles: dict[str, str]) -> None:
        self.rules = list(rules)
        self.pack_titles = pack_titles
        self.per_rule = [dict.fromkeys(SHOWN, 0) for _ in self.rules]

    def start(self, book: Book, lang: str) -> None:
        self.lang = lang_of(lang)
        self.words = WORDS[self.lang]
        styles = self.styles = Styles(book)
        heads = [("unit_id", 14), ("unit_name", 34), ("kind", 18), ("as_of", 11)]
        ws = self.ws = book.add_sheet(self.words["matrix"], [w for _k, w in heads] + [9] * len(self.rules),
                                      freeze=f"{column(len(heads) + 1)}3")
        groups: list[Any] = [None] * len(heads)
        last = None
        for r in self.rules:
            title = self.pack_titles.get(r.pack, r.pack) if r.pack != last else None
            groups.append(Cell(title, styles.head) if title else Cell(None, styles.head_fill))
            last = r.pack
        ws.append(groups)
        ws.append([Cell(self.words[k], styles.head) for k, _ in heads]
                  + [Cell(r.id, styles.head_center) for r in self.rules])
        self.cells = {(status, waived): Cell(SYMBOL[status] + ("*" if waived else ""), styles.center[status])
                      for status in SHOWN for waived in (False, True)}

    def add(self, part: FilePart) -> None:
        from kl21rules import vocab

        row = part.matrix
        if row is None or self.ws.rows >= MAX_ROWS - len(SHOWN) - 4:
            return
        try:
            kind = vocab.label("unit.kind", row.kind, self.lang)
        except (KeyError, ValueError):
            kind = row.kind
        cells: list[Any] = [row.unit_id, row.name, kind, None if row.as_of is None else Cell(row.as_of, self.styles.date)]
        for i, (status, waived) in enumerate(zip(row.cells, row.waived, strict=True)):
            if status is None:
                cells.append(None)
                continue
            self.per_rule[i][status] += 1
            cells.append(self.cells[status, bool(waived)])
        self.ws.append(cells)

    def finish(self, report: Report) -> None:
        ws, words, styles = self.ws, self.words, self.styles
        labels = STATUS_LABEL[self.lang]
        ws.auto_filter = f"A2:{column(4 + len(self.rules))}{max(ws.rows, 3)}"
        ws.skip()
        ws.append([Cell(words["units_with"], styles.bold)])
        for status in SHOWN:
            counts = [c[status] for c in self.per_rule]
            if status == "error" and not any(counts):
                continue
            ws.append([None, Cell(f"{SYMBOL[status]} {labels[status]}", styles.fill[status]), None, None, *counts])
        ws.skip()
        ws.append([Cell(words["legend"], styles.bold),
                   "  ".join(f"{SYMBOL[s]} {labels[s]}" for s in SHOWN) + f"  {words['waived_mark']}  "
                   + words["no_finding"]])


def write_report(report: Report, lang: str, out: IO[bytes],
                 extra: Iterable[SheetBuilder] = (), pack_titles: dict[str, str] | None = None) -> None:
    """Write the Excel report of ``report`` (going through its files once) to ``out``."""
    from kl21rules.output import file_parts

    lang = lang_of(lang)
    titles = {r.id: r.title(lang) for r in report.rules}
    book = Book()
    Styles(book)  # every style in its fixed place, whichever sheets there are
    columns = grouped_rules(report.rules)
    builders: list[SheetBuilder] = [ResultsSheet(titles), SummarySheet(titles), ErrorsSheet(),
                                    MatrixSheet(columns, pack_titles or {}),
                                    *(_Guarded(factory, is_builder=False) for factory in EXTRA_SHEETS),
                                    *(_Guarded(b, is_builder=True) for b in extra)]
    for b in builders:
        b.start(book, lang)
    for part in file_parts(report, file_part, lang, tuple(r.id for r in columns)):
        for b in builders:
            b.add(part)
    for b in builders:
        b.finish(report)
    book.save(out)


def render(report: Report, lang: str = "vi", **_: Any) -> bytes:
    """The workbook's bytes (for a caller that wants them in memory)."""
    import io

    buffer = io.BytesIO()
    write_report(report, lang, buffer)
    return buffer.getvalue()
