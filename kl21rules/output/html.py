"""The bloc's dashboard (tổng hợp), ``--format html``: one self-contained page (CSS and script
inline, nothing fetched) for a department head in a meeting.

As of the run's evaluation date it shows the totals, the units × rules matrix (symbol and colour
per cell; rows sorted and filtered by kind and status, columns grouped by department pack with
one control per department; a click on a cell opens the unit's findings for that rule), bars of
units per status for each rule, the obligations due in the next 30, 60 and 90 days, and, with
``--trend``, the cells per status at each period end since March 2022.

Every value from a submission reaches the page through Jinja2's autoescaping (text) or through a
JSON block whose ``<``, ``>`` and ``&`` are escaped (the findings shown on a click, written into
the page with ``textContent``); the page's own script is allowed by its hash in a
Content-Security-Policy, so no other script runs even if one got in.

Each file's row is drawn where the file is checked (in the workers with ``--jobs``); the page
is assembled once the totals are known, so its rows and findings are held in memory (a page of
2,000 units is about 8 MB). The page draws its first :data:`FIRST_ROWS` rows; the others wait in
a ``<template>`` and are drawn as the matrix is scrolled, so a large batch opens quickly.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kl21rules.due import DueItem, due_items
from kl21rules.findings import Finding
from kl21rules.matrix import SHOWN, SYMBOL, WORST_FIRST, Matrix, UnitRow, grouped_rules, met_share, unit_row
from kl21rules.output import file_parts
from kl21rules.output._common import SEVERITY_LABEL, STATUS_LABEL, lang_of, visible
from kl21rules.report import FileReport, Report

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from kl21rules.trend import Trend

#: the upcoming deadlines part: windows in days after the evaluation date.
WINDOWS = (30, 60, 90)
#: rows drawn when the page opens; the others wait, parsed but not laid out, in a <template>
#: and are drawn as the matrix is scrolled (the filters and sorting see all of them).
FIRST_ROWS = 200
#: a cell's class per status (short: a page of 2,000 units has 60,000 cells).
CLASS = {"pass": "p", "late": "l", "fail": "f", "pending": "w", "not_applicable": "n", "error": "e"}

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Tổng hợp kết quả thực hiện Kế hoạch 40-KH/ĐUK",
        "subtitle": "Thực hiện Kết luận số 21-KL/TW — theo từng đơn vị, từng quy tắc",
        "as_of": "Ngày xét", "as_of_each": "ngày xét của từng báo cáo", "units": "Đơn vị",
        "units_n": "{n} đơn vị", "files_n": "({n} tệp)", "met": "Nghĩa vụ đã đến hạn được thực hiện",
        "findings": "Kết quả xét (số nghĩa vụ)", "met_on_time": "đúng hạn", "met_any": "kể cả trễ hạn", "nothing_due": "chưa có nghĩa vụ nào đến hạn",
        "input_errors": "Lỗi dữ liệu đầu vào", "problems": "Vấn đề khác", "none": "không có",
        "files_bad": "{n} tệp không đọc được", "filters": "Lọc và sắp xếp", "kind": "Loại đơn vị",
        "all_kinds": "Tất cả các loại", "status": "Có ô", "any_status": "Bất kỳ trạng thái",
        "department": "Ban phụ trách (hiện các quy tắc của ban)", "all_departments": "Tất cả",
        "search": "Tìm đơn vị", "sort": "Sắp xếp", "sort_file": "Theo thứ tự tệp",
        "sort_name": "Theo tên đơn vị", "sort_kind": "Theo loại đơn vị", "sort_fail": "Nhiều ô không đạt nhất",
        "showing": "Đang hiện {shown}/{total} đơn vị", "matrix": "Ma trận đơn vị × quy tắc",
        "matrix_caption": "Mỗi ô: trạng thái xấu nhất của quy tắc với đơn vị. Bấm vào ô để xem chi tiết.",
        "keyboard": "Bàn phím: Tab vào bảng, phím mũi tên để di chuyển, Enter để xem.",
        "unit": "Đơn vị", "legend": "Chú giải", "waived": "miễn trừ", "no_finding": "quy tắc không cho kết quả",
        "by_rule": "Số đơn vị theo trạng thái, từng quy tắc", "rule": "Quy tắc", "rule_title": "Nội dung",
        "chart": "Biểu đồ", "upcoming": "Sắp đến hạn",
        "window": "Trong {a}–{b} ngày tới", "window0": "Trong {b} ngày tới", "due": "Hạn",
        "days_left": "Còn (ngày)", "period": "Kỳ / mục", "units_col": "Đơn vị phải thực hiện",
        "nothing_upcoming": "Không có nghĩa vụ nào đến hạn.",
        "trend": "Diễn biến", "trend_month": "theo tháng", "trend_quarter": "theo quý",
        "trend_note": "Số nghĩa vụ theo trạng thái, mỗi tệp được xét lại tại cuối từng kỳ từ 3/2022 "
                      "(không tính miễn trừ).",
        "trend_table": "Số liệu", "period_end": "Cuối kỳ",
        "close": "Đóng", "evidence": "Căn cứ trong báo cáo", "clause": "Kế hoạch 40-KH/ĐUK, mục",
        "severity": "Mức", "finding_due": "Hạn", "no_details": "Không có kết quả.",
        "file": "Tệp", "generated": "Tạo bởi kl21rules {v}", "print": "In",
        "skip": "Đến ma trận",
    },
    "en": {
        "title": "Plan 40-KH/ĐUK: the bloc's roll-up",
        "subtitle": "Implementing Conclusion 21-KL/TW — by unit and by rule",
        "as_of": "As of", "as_of_each": "each report's own evaluation date", "units": "Units",
        "units_n": "{n} units", "files_n": "({n} files)", "met": "Obligations already due that were met",
        "findings": "Verdicts (obligations)", "met_on_time": "on time", "met_any": "late included", "nothing_due": "nothing was due yet",
        "input_errors": "Input errors", "problems": "Other problems", "none": "none",
        "files_bad": "{n} files could not be read", "filters": "Filter and sort", "kind": "Kind of unit",
        "all_kinds": "All kinds", "status": "With a cell", "any_status": "Any status",
        "department": "Department (shows its rules)", "all_departments": "All",
        "search": "Find a unit", "sort": "Sort", "sort_file": "File order",
        "sort_name": "Unit name", "sort_kind": "Kind of unit", "sort_fail": "Most failing cells",
        "showing": "Showing {shown} of {total} units", "matrix": "Units × rules",
        "matrix_caption": "Each cell: the rule's worst status for the unit. Click a cell for its findings.",
        "keyboard": "Keyboard: Tab into the table, arrow keys to move, Enter to open.",
        "unit": "Unit", "legend": "Legend", "waived": "waived", "no_finding": "no finding from the rule",
        "by_rule": "Units by status, per rule", "rule": "Rule", "rule_title": "Duty",
        "chart": "Chart", "upcoming": "Coming due",
        "window": "In {a}–{b} days", "window0": "In the next {b} days", "due": "Due",
        "days_left": "Days left", "period": "Period / item", "units_col": "Units to act",
        "nothing_upcoming": "Nothing falls due.",
        "trend": "Trend", "trend_month": "by month", "trend_quarter": "by quarter",
        "trend_note": "Obligations by status, every file judged again at each period end since 3/2022 "
                      "(waivers not applied).",
        "trend_table": "Figures", "period_end": "Period end",
        "close": "Close", "evidence": "Evidence in the report", "clause": "Plan 40-KH/ĐUK, clause",
        "severity": "Severity", "finding_due": "Due", "no_details": "No findings.",
        "file": "File", "generated": "Made by kl21rules {v}", "print": "Print",
        "skip": "Skip to the matrix",
    },
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("kl21rules", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["d"] = _date
    return env


def _template(name: str) -> Template:
    return _env().get_template(name)


def _date(day: _dt.date | None, lang: str = "vi") -> str:
    from kl21rules.rules.engine import fmt_date

    return fmt_date(day, lang)


def json_for_script(value: Any) -> str:
    """JSON that can stand inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    (so no ``</script>`` or ``<!--``), and no U+2028/U+2029."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _kind_label(kind: str, lang: str) -> str:
    from kl21rules import vocab

    try:
        return vocab.label("unit.kind", kind, lang)
    except (KeyError, ValueError):
        return kind


#: One file's part: (matrix row, its <tr>, its findings per column, its due items, its input
#: errors as (path, unit label, [messages])).
Part = tuple[UnitRow | None, str | None, dict[int, list[Finding]] | None, list[DueItem],
             tuple[str, str, list[str]] | None]


class Strings:
    """The page's texts, each written once: the findings shown on a click refer to them by
    number (2,000 units have 110,000 findings but about 13,000 distinct messages)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.texts: list[str] = []

    def __call__(self, text: str) -> int:
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.texts)
            self.texts.append(text)
        return i


def _details(found: dict[int, list[Finding]], lang: str, s: Strings) -> dict[str, list[list[Any]]]:
    """A row's findings per column as the page's script reads them: [class, status, severity,
    period/item, due, message, [evidence], clauses, waiver], texts as numbers into ``s``."""
    labels, sev = STATUS_LABEL[lang], SEVERITY_LABEL[lang]
    out: dict[str, list[list[Any]]] = {}
    for col, findings in found.items():
        cell = out[str(col)] = []
        for f in findings:
            note = ""
            if f.waived is not None:
                note = f.waived.reason + (f" ({f.waived.expires.isoformat()})" if f.waived.expires else "")
            cell.append([CLASS[f.status], s(labels[f.status]), s(sev.get(f.severity, f.severity)),
                         s(visible(" ".join(x for x in (f.period, f.item) if x))),
                         s(_date(f.due, lang) if f.due else ""), s(visible(f.message(lang))),
                         [s(visible(e)) for e in f.evidence], s(", ".join(f.refs)), s(visible(note))])
    return out


def file_part(file: FileReport, lang: str, rule_ids: tuple[str, ...]) -> Part:
    """One file's part of the page (a module function of the file alone: workers draw it)."""
    bad = None
    if file.errors:
        unit = file.unit or {}
        label = f"{unit.get('name')} ({unit.get('id')})" if unit else ""
        bad = (visible(file.path), visible(label), [visible(
            (e.pointer or "/") + (f" ({'line' if lang == 'en' else 'dòng'} {e.line})" if e.line else "")
            + ": " + e.message(lang)) for e in file.errors])
    row = unit_row(file, rule_ids)
    if row is None:
        return None, None, None, [], bad
    cells = [("x", "") if status is None else (CLASS[status] + (" v" if waived else ""), SYMBOL[status])
             for status, waived in zip(row.cells, row.waived, strict=True)]
    tr = _template("dashboard_row.html.j2").render(
        row=row, name=visible(row.name), unit_id=visible(row.unit_id), path=visible(row.path),
        cells=cells, kind_label=_kind_label(row.kind, lang),
        fails=row.counts.get("fail", 0) + row.counts.get("error", 0))
    index = {r: i for i, r in enumerate(rule_ids)}
    details: dict[int, list[Finding]] = {}
    for f in file.findings:
        col = index.get(f.rule)
        if col is not None:
            details.setdefault(col, []).append(f)
    return row, tr, details, due_items(file, max(WINDOWS)), bad


def render(report: Report, lang: str = "vi", **kw: Any) -> str:
    """The whole page."""
    return "".join(stream(report, lang, **kw))


@lru_cache(maxsize=1)
def _script() -> str:
    from importlib.resources import files

    return (files("kl21rules") / "templates" / "dashboard.js").read_text(encoding="utf-8")


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def _upcoming(items: Sequence[DueItem], rule_titles: dict[str, str]) -> list[dict[str, Any]]:
    """Due items grouped by window, then by (due date, rule, period/item): the units of each."""
    out = []
    low = -1
    for high in WINDOWS:
        groups: dict[tuple[Any, ...], list[DueItem]] = {}
        for x in items:
            if low < x.days_left <= high:
                where = " ".join(p for p in (x.period, x.item) if p)
                groups.setdefault((x.due, x.rule, where, x.days_left), []).append(x)
        rows = []
        for (due, rule, where, left), units in sorted(groups.items(), key=lambda kv: kv[0]):
            names = sorted({(visible(u.unit_name), visible(u.unit_id)) for u in units})
            rows.append({"due": due, "rule": rule, "title": rule_titles.get(rule, rule), "where": visible(where),
                         "left": left, "units": names})
        out.append({"low": low + 1, "high": high, "rows": rows})
        low = high
    return out


def _trend_chart(trend: Trend, lang: str) -> dict[str, Any]:
    """Coordinates of the trend's lines (an SVG 760 × 280, margins for the axes)."""
    width, height, left, right, top, bottom = 760, 280, 56, 16, 16, 56
    shown = [s for s in ("pass", "late", "fail", "pending") if any(trend.counts.get(s, []))]
    if trend.counts.get("error") and any(trend.counts["error"]):
        shown.append("error")
    peak: int = max([max(trend.counts[s]) for s in shown] + [1])
    step: int = 10 ** max(0, len(str(peak)) - 1)
    top_value = ((peak + step - 1) // step) * step
    n = len(trend.dates)

    def x(i: int) -> float:
        share: float = i / (n - 1) if n > 1 else 0.5
        return left + (width - left - right) * share

    def y(v: int) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    lines = []
    for s in shown:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(trend.counts[s]))
        lines.append({"status": s, "cls": CLASS[s], "points": points,
                      "dots": [(round(x(i), 1), round(y(v), 1), v) for i, v in enumerate(trend.counts[s])]})
    ticks = [(round(y(v), 1), v) for v in (0, top_value // 4, top_value // 2, 3 * top_value // 4, top_value)]
    every = max(1, (n + 11) // 12)
    labels = [(round(x(i), 1), (d.strftime("%m/%Y") if lang != "en" else d.strftime("%Y-%m")))
              for i, d in enumerate(trend.dates) if i % every == 0 or i == n - 1]
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "bottom": height - bottom, "lines": lines, "ticks": ticks, "labels": labels, "shown": shown}


def stream(report: Report, lang: str = "vi", *, pack_titles: dict[str, str] | None = None,
           trend: Trend | None = None, **_: Any) -> Iterator[str]:
    """The page (assembled once every file is checked: the header needs the totals)."""
    from kl21rules._version import __version__

    lang = lang_of(lang)
    rules = grouped_rules(report.rules)
    rule_ids = tuple(r.id for r in rules)
    matrix = Matrix(rule_ids)
    rows: list[str] = []
    details: list[dict[str, list[list[Any]]]] = []
    strings = Strings()
    items: list[DueItem] = []
    bad: list[tuple[str, str, list[str]]] = []
    for row, tr, found, due, errors in file_parts(report, file_part, lang, rule_ids):
        if row is not None and tr is not None and found is not None:
            matrix.add(row)
            rows.append(tr)
            details.append(_details(found, lang, strings))
        items.extend(due)
        if errors is not None:
            bad.append(errors)
    titles = pack_titles or {}
    packs: list[dict[str, Any]] = []
    for i, r in enumerate(rules):
        if not packs or packs[-1]["name"] != r.pack:
            packs.append({"name": r.pack, "title": titles.get(r.pack, r.pack), "rules": []})
        packs[-1]["rules"].append({"i": i, "id": r.id, "title": r.title(lang), "refs": ", ".join(r.refs)})
    summary = report.summary()
    on_time, done = met_share(summary)
    labels = STATUS_LABEL[lang]
    meta = {
        "rules": [{"id": r.id, "pack": r.pack, "title": r.title(lang), "refs": ", ".join(r.refs)} for r in rules],
        "labels": {CLASS[k]: v for k, v in labels.items()},
        "w": {k: WORDS[lang][k] for k in ("showing", "close", "evidence", "clause", "severity", "finding_due",
                                          "no_details", "period", "waived", "file", "no_finding")},
    }
    script = _script()
    page = _template("dashboard.html.j2").render(
        w=WORDS[lang], lang=lang, version=__version__, as_of=report.as_of, matrix=matrix, packs=packs,
        rows=rows, first_rows=FIRST_ROWS, details=json_for_script({"s": strings.texts, "rows": details}),
        meta=json_for_script(meta), script=script, script_hash=_script_hash(script), summary=summary, on_time=on_time, done=done, bad=bad,
        problems=[visible(p.message(lang)) for p in report.problems], labels=labels, symbol=SYMBOL, cls=CLASS,
        shown=SHOWN, worst_first=WORST_FIRST, kinds=[(k, _kind_label(k, lang), n) for k, n in matrix.kinds_in_order()],
        rule_rows=[(r, matrix.per_rule[r.id]) for r in rules], bar_total=max(1, len(matrix.rows)),
        upcoming=_upcoming(items, {r.id: r.title(lang) for r in rules}), windows=WINDOWS,
        trend=trend, chart=_trend_chart(trend, lang) if trend is not None and trend.dates else None,
    )
    yield page
