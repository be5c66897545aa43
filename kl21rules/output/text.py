"""The text report, for people: does each unit comply, and what needs attention?

By default each unit lists what needs attention — input errors, rules that could not be judged,
fails, late and pending obligations — and counts the rest; ``show_all`` (``--all``) lists every
finding, passes and rules not applicable too (those for the same reason share one line). Each
unit ends with its verdict (ĐẠT / CHƯA ĐẠT, :func:`~kl21rules.output._common.verdict`), and
the run with its totals and a sentence that explains the exit code in words.

On a terminal (``color=True``) each unit is a table drawn by rich, statuses in colour; piped or
written to a file it is plain text, one finding a line (easy to ``grep``), with no escape codes.
A run of several files shows, before the totals, statuses per rule (the rules with something
to attend to; every rule with ``show_all``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from kl21rules.output import file_parts
from kl21rules.output._common import (
    ATTENTION,
    SEVERITY_LABEL,
    STATUS_LABEL,
    STATUS_ORDER,
    WORDS,
    by_status,
    collapse_not_applicable,
    counts_line,
    exit_sentence,
    lang_of,
    named_places,
    place,
    totals_phrase,
    unit_head,
    verdict,
    visible,
    waived_note,
    where,
)
from kl21rules.report import FileReport, Report, Tally

STATUS_STYLE = {"error": "bold magenta", "fail": "bold red", "late": "yellow", "pending": "cyan",
                "pass": "green", "not_applicable": "dim"}


def want_color(isatty: bool, env: Mapping[str, str]) -> bool:
    """Colours only on a terminal, and never when ``NO_COLOR`` is set to anything (no-color.org)."""
    return isatty and not env.get("NO_COLOR") and env.get("TERM") != "dumb"


def render(report: Report, lang: str = "vi", **kw: Any) -> str:
    """The whole text report."""
    return "".join(stream(report, lang, **kw))


#: what ``quiet`` keeps of a file: the findings that need someone's attention now.
QUIET_STATUSES = frozenset({"fail", "late", "error"})


def stream(report: Report, lang: str = "vi", *, color: bool = False, width: int | None = None,
           show_all: bool = False, fail_on: str = "error", exit_zero: bool = False, quiet: bool = False,
           **_: Any) -> Iterator[str]:
    """The text report piece by piece (one unit at a time).

    :param show_all: list every finding (``--all``), not only what needs attention.
    :param fail_on: the ``--fail-on`` level, for the sentence that explains the exit code.
    :param exit_zero: ``--exit-zero`` was given (fails never make the exit code 1).
    :param quiet: (``check --quiet``) only the problems and the totals — of each file only its input
        errors and its findings ``fail``, ``late`` or ``error`` that are not waived (a file with
        none is left out), no table per rule, then the run's problems, the totals and what made the
        exit code; plain text.
    """
    lang = lang_of(lang)
    if quiet:
        yield from (part for part in file_parts(report, _quiet_part, lang) if part)
        tally = report.tally()
        lines = [f"  ! {p.message(lang)}" for p in report.problems]
        if lines:
            lines.insert(0, f"{WORDS[lang]['problems']}:")
        yield "\n".join([*lines, _totals(tally, lang), exit_sentence(report, fail_on, lang, exit_zero)]) + "\n"
        return
    if color:
        painter = _Rich(lang, width, show_all)
        yield from file_parts(report, _rich_part, lang, painter.width, show_all)
        yield painter.tail(report, fail_on, exit_zero)
        return
    yield from file_parts(report, _plain_part, lang, show_all)
    yield "\n".join(map(visible, _plain_tail(report, lang, show_all, fail_on, exit_zero))) + "\n"


def _plain_part(f: FileReport, lang: str, show_all: bool = False) -> str:
    return "\n".join(map(visible, _plain_file(f, lang, show_all))) + "\n\n"


def _rich_part(f: FileReport, lang: str, width: int, show_all: bool = False) -> str:
    return _Rich(lang, width, show_all).file(f)


def _quiet_part(f: FileReport, lang: str) -> str:
    """A file's problems only (see :func:`stream`); empty when it has none."""
    labels, sev = STATUS_LABEL[lang], SEVERITY_LABEL[lang]
    lines: list[str] = []
    for e in f.errors:
        # A whole-file error (too large, not UTF-8, a zip bomb) has no place: the line names the file.
        at = _error_at(e, f, lang) or os.path.basename(f.path) or f.path
        lines.append(f"  {at}: {e.message(lang)}")
    for status, group in by_status(f.findings):
        if status not in QUIET_STATUSES:
            continue
        for x in group:
            if x.waived is not None:
                continue
            at = _where(x, f, lang)
            lines.append(f"  {labels[status]:<14} {x.rule:<9}{sev[x.severity]:<10}{at + '  ' if at else ''}{x.message(lang)}")
    if not lines:
        return ""
    return "\n".join(map(visible, [unit_head(f, lang), *lines])) + "\n\n"


def _shown(f: FileReport, show_all: bool) -> list[tuple[str, list[Any]]]:
    """The status groups the report lists: all of them, or those that need attention."""
    groups = by_status(f.findings)
    return groups if show_all else [(s, g) for s, g in groups if s in ATTENTION]


def _error_at(e: Any, f: FileReport, lang: str) -> str:
    """Where an input error is: its place, named and counted from 1, and its line."""
    line = WORDS[lang]["line"]
    if not e.pointer:  # the whole file (unreadable, a syntax error): its line if known
        return f"{line} {e.line}" if e.line else ""
    return place(e.pointer, f.names, lang) + (f" ({line} {e.line})" if e.line else "")


def _where(x: Any, f: FileReport, lang: str) -> str:
    """The period and item of a finding; an item that is a place in the file, named (from 1)."""
    item = place(x.item, f.names, lang) if x.item and x.item.startswith("/") else x.item
    return " ".join(p for p in (x.period, item) if p)


def _counts(f: FileReport, lang: str, show_all: bool) -> str:
    counts = counts_line(f.summary(), lang)
    hidden = not show_all and any(x.status not in ATTENTION for x in f.findings)
    return counts + (f" ({WORDS[lang]['hidden']})" if hidden else "")


def _plain_file(f: FileReport, lang: str, show_all: bool = False) -> list[str]:
    w, labels, sev = WORDS[lang], STATUS_LABEL[lang], SEVERITY_LABEL[lang]
    lines = [unit_head(f, lang)]
    if f.errors:
        lines.append(f"  {w['errors']}:")
        for e in f.errors:
            at = _error_at(e, f, lang)
            lines.append(f"    {at + ': ' if at else ''}{e.message(lang)}")
    for status, group in _shown(f, show_all):
        if status == "not_applicable":
            for ids, vi, en in collapse_not_applicable(group):
                lines.append(f"  {labels[status]:<14} {', '.join(ids)}: {en if lang == 'en' else vi}")
            continue
        for x in group:
            at = _where(x, f, lang)
            note = waived_note(x, lang)
            lines.append(f"  {labels[status]:<14} {x.rule:<9}{sev[x.severity]:<10}"
                         f"{at + '  ' if at else ''}{x.message(lang)}{'  [' + note + ']' if note else ''}")
    for n in f.notices:
        lines.append(f"  · {named_places(n.message(lang), f.names, lang)}")
    counts = _counts(f, lang, show_all)
    if counts:
        lines.append(f"  = {counts}")
    lines.append(f"  {verdict(f, lang)}")
    return lines


def _totals(tally: Tally, lang: str) -> str:
    w = WORDS[lang]
    s = tally.summary()
    counts = counts_line(s, lang)
    return f"{w['total']}: {totals_phrase(s, lang)}" + (f"; {counts}" if counts else "")


def _table_rules(tally: Tally, show_all: bool) -> list[str]:
    """The rules in the summary across files: every rule, or those with something to attend to."""
    return sorted(r for r, row in tally.per_rule.items() if show_all or any(row[s] for s in ATTENTION))


def _plain_tail(report: Report, lang: str, show_all: bool = False, fail_on: str = "error",
                exit_zero: bool = False) -> list[str]:
    w, labels = WORDS[lang], STATUS_LABEL[lang]
    tally = report.tally()
    lines: list[str] = []
    rule_ids = _table_rules(tally, show_all)
    if tally.files > 1 and rule_ids:
        lines.append(f"{w['by_rule']}:")
        heads = [labels[s] for s in STATUS_ORDER]
        width = max(len(h) for h in heads) + 2
        lines.append(f"  {w['rule']:<9}" + "".join(f"{h:>{width}}" for h in heads))
        for rule_id in rule_ids:
            row = tally.per_rule[rule_id]
            lines.append(f"  {rule_id:<9}" + "".join(f"{row[s]:>{width}}" for s in STATUS_ORDER))
        lines.append("")
    if report.problems:
        lines.append(f"{w['problems']}:")
        for p in report.problems:
            lines.append(f"  ! {p.message(lang)}")
        lines.append("")
    lines.append(_totals(tally, lang))
    lines.append(exit_sentence(report, fail_on, lang, exit_zero))
    return lines


class _Rich:
    """Draws units and the summary with rich, into strings (rich is imported only here)."""

    def __init__(self, lang: str, width: int | None, show_all: bool = False) -> None:
        import shutil

        self.lang = lang
        self.show_all = show_all
        self.width = width or shutil.get_terminal_size((100, 24)).columns

    def _console(self) -> Any:
        import io

        from rich.console import Console

        return Console(file=io.StringIO(), force_terminal=True, color_system="standard",
                       width=self.width, highlight=False, emoji=False, markup=False)

    @staticmethod
    def _text(console: Any) -> str:
        text: str = console.file.getvalue()  # the StringIO of _console
        return text

    def file(self, f: FileReport) -> str:
        from rich.table import Table
        from rich.text import Text

        lang = self.lang
        w, labels, sev = WORDS[lang], STATUS_LABEL[lang], SEVERITY_LABEL[lang]
        console = self._console()
        console.print(Text(visible(unit_head(f, lang)), style="bold"))
        for e in f.errors:
            at = _error_at(e, f, lang)
            console.print(Text.assemble(("  ✗ ", "bold red"), (visible(at), "bold"),
                                        f"{': ' if at else ''}{visible(e.message(lang))}"))
        if f.findings:
            table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
            table.add_column(w["status"], no_wrap=True)
            table.add_column(w["rule"], no_wrap=True)
            table.add_column(w["severity"], no_wrap=True)
            table.add_column(w["where"], max_width=22)
            table.add_column(w["message"], ratio=1, min_width=30)
            groups = _shown(f, self.show_all)
            for i, (status, group) in enumerate(groups):
                style = STATUS_STYLE[status]
                if status == "not_applicable":
                    for ids, vi, en in collapse_not_applicable(group):
                        # The ids go with the reason: a long list would widen the rule column.
                        table.add_row(Text(labels[status], style=style), Text(f"({len(ids)})", style=style), "", "",
                                      Text(f"{', '.join(ids)}: {en if lang == 'en' else vi}", style=style))
                else:
                    for x in group:
                        message = Text(visible(x.message(lang)))
                        note = waived_note(x, lang)
                        if note:
                            message.append(f"  [{note}]", style="italic blue")
                        table.add_row(Text(labels[status], style=style), x.rule, sev[x.severity],
                                      visible(_where(x, f, lang)), message)
                if i < len(groups) - 1:
                    table.add_section()
            if groups:
                console.print(table)
        for n in f.notices:
            console.print(Text(visible(f"  · {named_places(n.message(lang), f.names, lang)}"), style="dim"))
        counts = _counts(f, lang, self.show_all)
        if counts:
            console.print(Text(f"  = {counts}"))
        ok = not f.errors and not any(x.status == "error" or (x.status == "fail" and x.waived is None)
                                      for x in f.findings)
        console.print(Text(f"  {verdict(f, lang)}", style="bold green" if ok else "bold red"))
        console.print()
        return self._text(console)

    def tail(self, report: Report, fail_on: str = "error", exit_zero: bool = False) -> str:
        from rich.table import Table
        from rich.text import Text

        lang = self.lang
        w, labels = WORDS[lang], STATUS_LABEL[lang]
        tally = report.tally()
        console = self._console()
        rule_ids = _table_rules(tally, self.show_all)
        if tally.files > 1 and rule_ids:
            table = Table(title=w["by_rule"], title_justify="left", header_style="bold")
            table.add_column(w["rule"], no_wrap=True)
            for s in STATUS_ORDER:
                table.add_column(Text(labels[s], style=STATUS_STYLE[s]), justify="right")
            for rule_id in rule_ids:
                row = tally.per_rule[rule_id]
                table.add_row(rule_id, *(Text(str(row[s]), style=STATUS_STYLE[s] if row[s] else "dim")
                                         for s in STATUS_ORDER))
            console.print(table)
        for p in report.problems:
            console.print(Text(visible(f"! {p.message(lang)}"), style="yellow"))
        console.print(Text(_totals(tally, lang), style="bold"))
        console.print(Text(exit_sentence(report, fail_on, lang, exit_zero)))
        return self._text(console)
