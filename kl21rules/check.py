"""Checking submissions: bytes -> document -> Submission -> facts -> findings -> file report.

:func:`check_bytes` is the one per-file function: batches map it over files (in one process or
several), so a file is always checked the same way, independently of every other.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kl21rules.diagnostics import InputError, bounded
from kl21rules.loader import detect_format, load_bytes
from kl21rules.packs import Registry
from kl21rules.report import FileReport, Notice, finding_pointer
from kl21rules.rules.engine import CompiledRule, evaluate, fmt_date
from kl21rules.rules.facts import Dated, build_facts
from kl21rules.validate import limit_errors, validate_bounded, validate_document

SUFFIXES = (".json", ".yaml", ".yml", ".xlsx")


@dataclass
class CheckOptions:
    """What a check run was asked for (already resolved from the command line and configuration)."""

    as_of: _dt.date | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    today: _dt.date = field(default_factory=_dt.date.today)
    #: keep the lines of the places findings point to (for outputs that show file and line).
    lines: bool = False
    #: ``reference`` or ``durable`` (:mod:`kl21rules.durable_engine`, checked against the reference).
    engine: str = "reference"


def selected(rules: Sequence[CompiledRule], select: Sequence[str], ignore: Sequence[str]) -> list[CompiledRule]:
    """Rules chosen by ``--select``/``--ignore``: ids, id prefixes (``KL21-0``) or pack names."""

    def hit(rule: CompiledRule, tokens: Sequence[str]) -> bool:
        return any(rule.id == t or rule.id.startswith(t) or rule.spec.pack == t for t in tokens)

    chosen = [r for r in rules if not select or hit(r, select)]
    return [r for r in chosen if not hit(r, ignore)]


def iter_paths(targets: Sequence[str]) -> Iterator[tuple[str, Path | None]]:
    """Files to check, in the order given; folders searched recursively, sorted by path.

    Yields (label, path); ``-`` yields ("-", None) for standard input. A target that does not
    exist is yielded as is so that its error is reported in order. Folders are walked lazily (one
    directory's names at a time), so a batch of any size is never listed whole in memory.
    """
    for target in targets:
        if target == "-":
            yield "-", None
            continue
        path = Path(target)
        if path.is_dir():
            for found in _walk_sorted(str(path)):
                p = Path(found)
                yield p.as_posix(), p
        else:
            yield target, path


def count_paths(targets: Sequence[str]) -> int:
    """How many files :func:`iter_paths` yields, by a pass over names only (for a progress bar)."""
    count = 0
    for target in targets:
        if target != "-" and os.path.isdir(target):
            count += sum(1 for _ in _walk_sorted(target))
        else:
            count += 1
    return count


def _walk_sorted(top: str) -> Iterator[str]:
    """The submission files under ``top`` in the order of their full paths, one directory at a time.

    Sorting a directory's entries by name, a sub-directory's as ``name/``, and descending into
    each in its place gives exactly the order of sorting every path found (``a/b-c.json``,
    ``a/b.json``, ``a/b/x.json``, ``a/b0.json``: ``-`` < ``.`` < ``/`` < ``0``), without holding
    them all.
    Like ``os.walk``: a directory that cannot be read is skipped, symbolic links to directories
    are not followed.
    """
    try:
        with os.scandir(top) as it:
            entries = []
            for entry in it:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    try:
                        if entry.is_symlink():
                            continue  # os.walk lists it but does not go into it: nothing to yield
                    except OSError:
                        continue
                    entries.append((entry.name + "/", True))
                elif entry.name.lower().endswith(SUFFIXES) and not entry.name.startswith("~$"):
                    # (~$name.xlsx is the lock file Excel keeps beside a workbook it has open)
                    entries.append((entry.name, False))
    except OSError:
        return
    entries.sort()
    for key, is_dir in entries:
        if is_dir:
            yield from _walk_sorted(os.path.join(top, key[:-1]))
        else:
            yield os.path.join(top, key)


def read_target(label: str, path: Path | None, stdin: Any = None) -> tuple[bytes | None, InputError | None]:
    """The bytes of a file (or standard input), or an input error saying why it cannot be read."""
    import sys

    try:
        if path is None:
            stream = stdin if stdin is not None else sys.stdin.buffer
            return stream.read(), None
        return path.read_bytes(), None
    except FileNotFoundError:
        return None, InputError("not-found", "", None, f"Không tìm thấy tệp '{label}'.", f"File '{label}' not found.")
    except IsADirectoryError:
        return None, InputError("not-a-file", "", None, f"'{label}' không phải là tệp.", f"'{label}' is not a file.")
    except OSError as exc:
        return None, InputError("unreadable", "", None, f"Không đọc được tệp '{label}': {exc.strerror}.",
                                f"Cannot read '{label}': {exc.strerror}.")


def check_bytes(
    label: str,
    raw: bytes,
    registry: Registry,
    options: CheckOptions,
    rules: Sequence[CompiledRule] | None = None,
) -> FileReport:
    """Check one submission given as bytes; never raises for any input."""
    report = FileReport(label)
    if is_xlsx(label, raw):
        return _check_xlsx(report, raw, registry, options, rules)
    fmt = detect_format(label, raw)
    if fmt is None:
        report.errors.append(
            InputError("format", "", None,
                       f"Không nhận ra định dạng của '{label}': cần tệp .json, .yaml, .yml hoặc .xlsx.",
                       f"Unknown format of '{label}': expected a .json, .yaml, .yml or .xlsx file.")
        )
        return report
    # A file whose only fault is a repeated key is still read (the later value wins), so its
    # other errors are reported with it: every error in a file, not just the first.
    document, duplicates = load_bytes(raw, fmt, keep_duplicates=True)
    more = getattr(duplicates, "more", 0)  # repeated keys found but not listed
    if document is None:
        report.errors.extend(_shown_errors(duplicates, more))
        return report
    submission, errors, hidden, exact = validate_bounded(
        document.data, document.line_of, registry.activity_types, size=len(raw), near=document.line_near()
    )
    _note_placeholders(report, document.data)
    if duplicates:
        repeated = {e.pointer for e in duplicates}  # already said: the value there is in doubt
        errors = [*duplicates, *(e for e in errors if e.pointer not in repeated)]
        errors.sort(key=lambda e: (e.line is None, e.line or 0))
        submission = None
    if submission is None:
        report.errors.extend(_shown_errors(errors, hidden + more, exact))
        unit = document.data.get("unit") if isinstance(document.data, dict) else None
        if isinstance(unit, dict) and isinstance(unit.get("id"), str):
            report.unit = {"id": unit["id"], "name": unit.get("name"), "kind": unit.get("kind")}
        name_items(report, document.data, [e.pointer for e in report.errors])
        return report
    _judge(report, submission, document.data, document.line_of, registry, options, rules)
    return report


def is_xlsx(label: str, raw: bytes) -> bool:
    """Whether a file is an Excel workbook: by its name, or for standard input by its content."""
    if label == "-":
        return raw.startswith(b"PK\x03\x04")
    return label.lower().endswith(".xlsx")


def _check_xlsx(report: FileReport, raw: bytes, registry: Registry, options: CheckOptions,
                rules: Sequence[CompiledRule] | None) -> FileReport:
    """Check a submission workbook: read as data (:mod:`kl21rules.xlsx`), then as any other file;
    each error names its cell."""
    from kl21rules.xlsx import place_errors, read_workbook

    document = read_workbook(raw, registry.activity_types)
    if document.data is None:
        report.errors.extend(_shown_errors(document.errors))
        return report
    submission, errors = validate_document(document.data, None, registry.activity_types)
    _note_placeholders(report, document.data)
    errors = [*document.errors, *place_errors(document, errors)]
    if errors:
        report.errors.extend(_shown_errors(errors))
        unit = document.data.get("unit")
        if isinstance(unit, dict) and isinstance(unit.get("id"), str):
            report.unit = {"id": unit["id"], "name": unit.get("name"), "kind": unit.get("kind")}
        name_items(report, document.data, [e.pointer for e in report.errors])
        return report
    assert submission is not None
    _judge(report, submission, document.data, lambda _pointer: None, registry, options, rules)
    return report


def _judge(report: FileReport, submission: Any, data: Any, line_of: Any, registry: Registry,
           options: CheckOptions, rules: Sequence[CompiledRule] | None) -> None:
    """Facts and findings of a valid submission, into ``report``."""
    unit = submission.unit
    report.unit = {"id": unit.id, "name": unit.name, "kind": unit.kind}
    as_of = options.as_of or submission.report.date or options.today
    report.as_of = as_of
    facts = build_facts(submission, as_of)
    for pointer, day in facts.cut:
        report.notices.append(
            Notice(
                "after-as-of",
                pointer,
                f"Bỏ qua {pointer} ngày {fmt_date(day, 'vi')}: sau ngày xét {fmt_date(as_of, 'vi')}, chưa xảy ra vào ngày đó.",
                f"Skipped {pointer} dated {day.isoformat()}: after the evaluation date {as_of.isoformat()}.",
            )
        )
    for old, new in facts.replaced:
        report.notices.append(
            Notice(
                "replaced",
                old.pointer,
                f"Không xét {_named(old)}: đã được thay bằng {_named(new)} (replaces).",
                f"Not judged {_named(old)}: replaced by {_named(new)} (replaces).",
            )
        )
    chosen = rules if rules is not None else selected(registry.rules, options.select, options.ignore)
    if options.engine == "durable":
        from kl21rules.durable_engine import evaluate as evaluate_durable

        report.findings = evaluate_durable(facts, chosen, options.params)
    else:
        report.findings = evaluate(facts, chosen, options.params)
    name_items(report, data, [f.item for f in report.findings if f.item and f.item.startswith("/")])
    from kl21rules.output._common import NOTICE_POINTER

    name_items(report, data, [m.group(1) for n in report.notices for m in NOTICE_POINTER.finditer(n.en)])
    if options.lines:
        for finding in report.findings:
            pointer = finding_pointer(finding)
            if pointer not in report.lines:
                line = line_of(pointer)
                if line is not None:
                    report.lines[pointer] = line


def _shown_errors(errors: list[InputError], hidden: int = 0, exact: bool = True) -> list[InputError]:
    """The errors a report lists for a file: at most ``MAX_ERRORS``, then how many more, each of a
    bounded size (bounded work and output per file, whatever the file holds)."""
    return [bounded(e) for e in limit_errors(errors, hidden, exact)]


def _named(d: Dated) -> str:
    """An activity as a notice names it: its pointer, and its id where it has one."""
    ident = getattr(d.obj, "id", None)
    return f"{d.pointer} ({ident})" if ident else d.pointer


def _note_placeholders(report: FileReport, data: Any) -> None:
    """A notice naming each of ``kl21rules init``'s placeholders left in the file (a warning: the
    values are valid, but a report that still says ``KCQ.XXX`` was not finished)."""
    from kl21rules.output._common import place
    from kl21rules.starter import placeholders

    found = placeholders(data)
    if not found:
        return
    name_items(report, data, [p for p, _ in found])

    def listing(lang: str) -> str:
        shown = [f"{place(p, report.names, lang)} = {v!r}" for p, v in found[:10]]
        more = len(found) - len(shown)
        if more:
            shown.append(f"+{more}")
        return ", ".join(shown)

    report.notices.append(
        Notice(
            "placeholder",
            found[0][0],
            f"Cảnh báo: còn giá trị mẫu của 'kl21rules init' chưa thay: {listing('vi')}. Hãy điền giá trị thật.",
            f"Warning: placeholders from 'kl21rules init' left in the file: {listing('en')}. Replace them with "
            "real values.",
        )
    )


def name_items(report: FileReport, data: Any, pointers: Sequence[str]) -> None:
    """Record in ``report.names`` the ids of the list items (``/activities/2`` -> ``A03``) that
    ``pointers`` go through, read from the document as written (ids that are text only)."""
    for pointer in pointers:
        node = data
        prefix = ""
        for token in pointer.split("/")[1:]:
            key: Any = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    break
                node = node[int(key)]
            elif isinstance(node, dict) and key in node:
                node = node[key]
            else:
                break
            prefix += "/" + token
            if isinstance(node, dict) and token.isdigit():
                ident = node.get("id")
                if isinstance(ident, str) and ident.strip():
                    report.names[prefix] = ident if len(ident) <= 40 else ident[:37] + "..."


def check_target(label: str, path: Path | None, registry: Registry, options: CheckOptions,
                 rules: Sequence[CompiledRule] | None = None) -> FileReport:
    """Read and check one target (file path or standard input)."""
    raw, error = read_target(label, path)
    if raw is None:
        report = FileReport(label)
        if error is not None:
            report.errors.append(error)
        return report
    return check_bytes(label, raw, registry, options, rules)
