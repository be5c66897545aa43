"""The XLSX results report as kl21rules wrote it with openpyxl's write-only mode (up to 0.2.0),
kept as the reference that tests/test_output_xlsx.py compares the own writer's workbooks with,
cell by cell. Test code only: not shipped, not kept in step with new features of the report.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

from kl21rules.matrix import SHOWN, SYMBOL, grouped_rules
from kl21rules.matrix import unit_row
from kl21rules.output._common import SEVERITY_LABEL, STATUS_LABEL, STATUS_ORDER, lang_of, place, waived_note
from kl21rules.output.xlsx import (ERROR_COLUMNS, MAX_ROWS, RESULT_COLUMNS, STATUS_FILL, WORDS, ErrorRow,
                                   FilePart, FindingRow)
from kl21rules.report import FileReport, Report

if TYPE_CHECKING:
    from openpyxl import Workbook

#: openpyxl's write-only worksheet (its type stubs lack column_dimensions and auto_filter).
WriteOnlyWorksheet = Any


def file_part(file: FileReport, lang: str, rule_ids: tuple[str, ...] = ()) -> FilePart:
    """One file's rows (a module function of picklable arguments, so a worker can make them)."""
    unit: dict[str, Any] = file.unit or {}
    uid, name = unit.get("id"), unit.get("name")
    def named(pointer: str | None) -> str | None:
        # for people, as the text report says it: counted from 1, items named by their id
        if pointer is None or not pointer.startswith("/"):
            return pointer
        return place(pointer, file.names, lang)

    findings = tuple(
        FindingRow(file.path, uid, name, file.as_of, f.rule, f.status, f.severity, f.period, named(f.item), f.due,
                   f.message(lang), tuple(named(e) or e for e in f.evidence), waived_note(f, lang))
        for f in file.findings
    )
    errors = tuple(ErrorRow(file.path, uid, e.pointer, e.line, e.code, e.message(lang)) for e in file.errors)
    return FilePart(findings, errors, unit_row(file, rule_ids) if rule_ids else None)


class SheetBuilder:
    """One sheet of the report: sees each file's part in order, then writes at the end.

    ``start`` runs before any file (create the sheet there to fix its place in the workbook),
    ``add`` once per file, ``finish`` after the last file, when ``report.tally()`` is complete.
    """

    def start(self, book: Workbook, lang: str) -> None:
        pass

    def add(self, part: FilePart) -> None:
        pass

    def finish(self, report: Report) -> None:
        pass


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "head_font": Font(bold=True),
        "head_fill": PatternFill("solid", fgColor="DDEBF7"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
        "fills": {s: PatternFill("solid", fgColor=c) for s, c in STATUS_FILL.items()},
        "bold": Font(bold=True),
    }


def _cell(ws: WriteOnlyWorksheet, value: Any, **style: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    for key, item in style.items():
        setattr(cell, key, item)
    return cell


def _header(ws: WriteOnlyWorksheet, columns: Sequence[tuple[str, int]], words: dict[str, str],
            styles: dict[str, Any]) -> None:
    from openpyxl.utils import get_column_letter

    for i, (_key, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, words[key], font=styles["head_font"], fill=styles["head_fill"]) for key, _ in columns])


def _safe(ws: WriteOnlyWorksheet, row: list[Any]) -> list[Any]:
    """The row with every text that openpyxl would write as a formula (``=...``) kept as text:
    names and messages come from untrusted files and must never become formulas."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    out = []
    for value in row:
        if type(value) is str and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            value = cell
        elif isinstance(value, Cell) and type(value.value) is str and value.value.startswith("="):
            value.data_type = "s"
        out.append(value)
    return out


class ResultsSheet(SheetBuilder):
    """Kết quả: one row per finding; continues on a new sheet past Excel's row limit."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles
        self.rows = 0
        self.sheets: list[WriteOnlyWorksheet] = []

    def start(self, book: Workbook, lang: str) -> None:
        self.book, self.lang = book, lang_of(lang)
        self.words = WORDS[self.lang]
        self.styles = _styles()
        self.status = STATUS_LABEL[self.lang]
        self.severity = SEVERITY_LABEL[self.lang]
        self._new_sheet()

    def _new_sheet(self) -> None:
        name = self.words["results"] + (f" ({len(self.sheets) + 1})" if self.sheets else "")
        ws = self.book.create_sheet(name)
        _header(ws, RESULT_COLUMNS, self.words, self.styles)
        self.sheets.append(ws)
        self.rows = 1

    def add(self, part: FilePart) -> None:
        styles = self.styles
        for r in part.findings:
            if self.rows >= MAX_ROWS:
                self._close_sheet()
                self._new_sheet()
            ws = self.sheets[-1]
            fill = styles["fills"].get(r.status)
            status = _cell(ws, self.status.get(r.status, r.status), alignment=styles["top"])
            if fill is not None:
                status.fill = fill
            if r.status in ("fail", "error"):
                status.font = styles["bold"]
            ws.append(_safe(ws, [
                r.path, r.unit_id, r.unit_name, _date_cell(ws, r.as_of), r.rule, self.titles.get(r.rule, ""),
                status, self.severity.get(r.severity, r.severity), r.period, r.item, _date_cell(ws, r.due),
                _cell(ws, r.message, alignment=styles["wrap"]), "\n".join(r.evidence), r.waived or None,
            ]))
            self.rows += 1

    def _close_sheet(self) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.sheets[-1]
        ws.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_COLUMNS))}{max(self.rows, 2)}"

    def finish(self, report: Report) -> None:
        self._close_sheet()


class ErrorsSheet(SheetBuilder):
    """Lỗi đầu vào: one row per input error."""

    def __init__(self) -> None:
        self.rows = 1

    def start(self, book: Workbook, lang: str) -> None:
        self.words = WORDS[lang_of(lang)]
        self.styles = _styles()
        self.ws = book.create_sheet(self.words["errors"])
        _header(self.ws, ERROR_COLUMNS, self.words, self.styles)

    def add(self, part: FilePart) -> None:
        for e in part.errors:
            if self.rows >= MAX_ROWS:
                return  # the summary still counts them all
            self.ws.append(_safe(self.ws, [e.path, e.unit_id, e.pointer or "/", e.line, e.code,
                                           _cell(self.ws, e.message, alignment=self.styles["wrap"])]))
            self.rows += 1

    def finish(self, report: Report) -> None:
        from openpyxl.utils import get_column_letter

        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(ERROR_COLUMNS))}{max(self.rows, 2)}"


class SummarySheet(SheetBuilder):
    """Tổng hợp: statuses per rule (from the run's tally), the totals and the run's problems."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles

    def start(self, book: Workbook, lang: str) -> None:
        self.lang = lang_of(lang)
        self.ws = book.create_sheet(WORDS[self.lang]["summary"])

    def finish(self, report: Report) -> None:
        from openpyxl.utils import get_column_letter

        ws, words, styles = self.ws, WORDS[self.lang], _styles()
        labels = STATUS_LABEL[self.lang]
        widths = [12, 44] + [14] * len(STATUS_ORDER) + [10]
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "C2"
        head = [words["rule"], words["title"], *(labels[s] for s in STATUS_ORDER), words["total"]]
        cells = [_cell(ws, h, font=styles["head_font"], fill=styles["head_fill"]) for h in head]
        for cell, status in zip(cells[2:-1], STATUS_ORDER):
            cell.fill = styles["fills"][status]
        ws.append(cells)
        tally = report.tally()
        totals = dict.fromkeys(STATUS_ORDER, 0)
        for rule in sorted(tally.per_rule):
            row = tally.per_rule[rule]
            for s in STATUS_ORDER:
                totals[s] += row.get(s, 0)
            ws.append([rule, self.titles.get(rule, ""), *(row.get(s, 0) for s in STATUS_ORDER),
                       sum(row.get(s, 0) for s in STATUS_ORDER)])
        ws.append([_cell(ws, words["total"], font=styles["bold"]), words["all_rules"],
                   *(_cell(ws, totals[s], font=styles["bold"]) for s in STATUS_ORDER),
                   _cell(ws, sum(totals.values()), font=styles["bold"])])
        ws.append([])
        summary = report.summary()
        ws.append([_cell(ws, words["run"], font=styles["bold"])])
        ws.append([words["files"], summary["files"]])
        ws.append([words["units"], summary["units"]])
        ws.append([words["input_errors"], summary["input_errors"]])
        if report.problems:
            ws.append([])
            ws.append([_cell(ws, words["problems"], font=styles["bold"])])
            for p in report.problems:
                ws.append(_safe(ws, [p.code, p.message(self.lang)]))


class MatrixSheet(SheetBuilder):
    """Ma trận: the units × rules matrix, as the HTML dashboard draws it."""

    def __init__(self, rules: Sequence[Any], pack_titles: dict[str, str]) -> None:
        self.rules = list(rules)
        self.pack_titles = pack_titles
        self.rows = 2
        self.per_rule = [dict.fromkeys(SHOWN, 0) for _ in self.rules]

    def start(self, book: Workbook, lang: str) -> None:
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        self.lang = lang_of(lang)
        self.words = WORDS[self.lang]
        self.styles = _styles()
        self.center = Alignment(horizontal="center", vertical="center")
        ws = self.ws = book.create_sheet(self.words["matrix"])
        heads = [("unit_id", 14), ("unit_name", 34), ("kind", 18), ("as_of", 11)]
        for i, (_key, width) in enumerate(heads, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for i in range(len(self.rules)):
            ws.column_dimensions[get_column_letter(len(heads) + 1 + i)].width = 9
        ws.freeze_panes = f"{get_column_letter(len(heads) + 1)}3"
        bold, fill = self.styles["head_font"], self.styles["head_fill"]
        groups: list[Any] = [None] * len(heads)
        last = None
        for r in self.rules:
            title = self.pack_titles.get(r.pack, r.pack) if r.pack != last else None
            groups.append(_cell(ws, title, font=bold, fill=fill) if title else _cell(ws, None, fill=fill))
            last = r.pack
        ws.append(groups)
        ws.append([_cell(ws, self.words[k], font=bold, fill=fill) for k, _ in heads]
                  + [_cell(ws, r.id, font=bold, fill=fill, alignment=self.center) for r in self.rules])

    def add(self, part: FilePart) -> None:
        from kl21rules import vocab

        row = part.matrix
        if row is None or self.rows >= MAX_ROWS - len(SHOWN) - 4:
            return
        ws = self.ws
        try:
            kind = vocab.label("unit.kind", row.kind, self.lang)
        except (KeyError, ValueError):
            kind = row.kind
        cells: list[Any] = [row.unit_id, row.name, kind, _date_cell(ws, row.as_of)]
        for i, (status, waived) in enumerate(zip(row.cells, row.waived, strict=True)):
            if status is None:
                cells.append(None)
                continue
            self.per_rule[i][status] += 1
            cells.append(_cell(ws, SYMBOL[status] + ("*" if waived else ""), fill=self.styles["fills"][status],
                               alignment=self.center))
        ws.append(_safe(ws, cells))
        self.rows += 1

    def finish(self, report: Report) -> None:
        from openpyxl.utils import get_column_letter

        ws, words = self.ws, self.words
        labels = STATUS_LABEL[self.lang]
        ws.auto_filter.ref = f"A2:{get_column_letter(4 + len(self.rules))}{max(self.rows, 3)}"
        ws.append([])
        ws.append([_cell(ws, words["units_with"], font=self.styles["bold"])])
        for status in SHOWN:
            counts = [c[status] for c in self.per_rule]
            if status == "error" and not any(counts):
                continue
            ws.append([None, _cell(ws, f"{SYMBOL[status]} {labels[status]}", fill=self.styles["fills"][status]),
                       None, None, *counts])
        ws.append([])
        ws.append([_cell(ws, words["legend"], font=self.styles["bold"]),
                   "  ".join(f"{SYMBOL[s]} {labels[s]}" for s in SHOWN) + f"  {words['waived_mark']}  "
                   + words["no_finding"]])


def _date_cell(ws: WriteOnlyWorksheet, day: _dt.date | None) -> Any:
    if day is None:
        return None
    return _cell(ws, day, number_format="DD/MM/YYYY")


def write_report(report: Report, lang: str, out: IO[bytes],
                 extra: Iterable[SheetBuilder] = (), pack_titles: dict[str, str] | None = None) -> None:
    """Write the Excel report of ``report`` (going through its files once) to ``out``."""
    from openpyxl import Workbook

    from kl21rules._xlsxio import stable_bytes
    from kl21rules.output import file_parts

    lang = lang_of(lang)
    titles = {r.id: r.title(lang) for r in report.rules}
    book = Workbook(write_only=True)
    columns = grouped_rules(report.rules)
    builders: list[SheetBuilder] = [ResultsSheet(titles), SummarySheet(titles), ErrorsSheet(),
                                    MatrixSheet(columns, pack_titles or {}),
                                    *extra]
    for b in builders:
        b.start(book, lang)
    for part in file_parts(report, file_part, lang, tuple(r.id for r in columns)):
        for b in builders:
            b.add(part)
    for b in builders:
        b.finish(report)
    out.write(stable_bytes(book))


def render(report: Report, lang: str = "vi", **_: Any) -> bytes:
    """The workbook's bytes (for a caller that wants them in memory)."""
    import io

    buffer = io.BytesIO()
    write_report(report, lang, buffer)
    return buffer.getvalue()
