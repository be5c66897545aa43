"""Checking submissions: bytes -> document -> Submission -> facts -> findings -> file report.

:func:`check_bytes` is the one per-file function: batches map it over files (in one process or
several), so a file is always checked the same way, independently of every other.
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kl21rules.dates import report_date_error, today_vn
from kl21rules.diagnostics import InputError, bounded
from kl21rules.fsutil import os_reason
from kl21rules.loader import MAX_JSON_BYTES, MAX_YAML_BYTES, _too_large, detect_format, load_bytes
from kl21rules.packs import Registry
from kl21rules.report import FileReport, Notice, finding_pointer
from kl21rules.rules.engine import CompiledRule, evaluate, fmt_date
from kl21rules.rules.facts import Dated, build_facts
from kl21rules.validate import limit_errors, validate_bounded, validate_document

SUFFIXES = (".json", ".yaml", ".yml", ".xlsx")
#: Keys of which a submission has at least one: a mapping with none of them is not a submission.
SUBMISSION_KEYS = frozenset({"schema", "unit", "activities", "report"})


def not_a_submission(data: object) -> bool:
    """Whether parsed data is plainly not a submission: a mapping with neither a ``schema`` key
    nor any key of a submission (``unit``, ``activities``, ``report``), like a CI workflow or a
    tool's configuration found beside the reports. Anything else (a list, a scalar, a mapping
    with any of those keys) is a submission to check, and its faults are input errors."""
    return isinstance(data, dict) and SUBMISSION_KEYS.isdisjoint(data)


@dataclass
class CheckOptions:
    """What a check run was asked for (already resolved from the command line and configuration)."""

    as_of: _dt.date | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the day of the run in Vietnam (Asia/Ho_Chi_Minh), whatever the machine's time zone.
    today: _dt.date = field(default_factory=today_vn)
    #: keep the lines of the places findings point to (for outputs that show file and line).
    lines: bool = False
    #: ``reference`` or ``durable`` (:mod:`kl21rules.durable_engine`, checked against the reference).
    engine: str = "reference"
    #: seconds a pack's Python rule may take on one file (``--rule-timeout``); 0: no limit.
    rule_timeout: float = 10.0


def selected(rules: Sequence[CompiledRule], select: Sequence[str], ignore: Sequence[str]) -> list[CompiledRule]:
    """Rules chosen by ``--select``/``--ignore``: ids, id prefixes (``KL21-0``) or pack names."""

    def hit(rule: CompiledRule, tokens: Sequence[str]) -> bool:
        return any(rule.id == t or rule.id.startswith(t) or rule.spec.pack == t for t in tokens)

    chosen = [r for r in rules if not select or hit(r, select)]
    return [r for r in chosen if not hit(r, ignore)]


def iter_paths(targets: Sequence[str]) -> Iterator[tuple[str, str | Path | InputError | None]]:
    """Files to check, in the order given; folders searched recursively, sorted by path.

    Yields (label, path); ``-`` yields ("-", None) for standard input. A target that does not
    exist is yielded as is so that its error is reported in order. Folders are walked lazily (one
    directory's names at a time), so a batch of any size is never listed whole in memory.
    A place of a folder that is not read — a sub-folder that cannot be listed, a symbolic link
    that leads out of the folder given — is yielded with an :class:`InputError` instead of a path.
    Labels are fit to print: bytes of a name that are not UTF-8 show as U+FFFD.

    A file found in a folder is yielded as a plain ``str`` path, never a :class:`~pathlib.Path`:
    a ``Path`` interns every part of its name for the rest of the run (``sys.intern``), so the
    names of 100,000 files stayed in memory (about 9 MB); it also costs a few µs per file to
    build and to send to a worker process. Its label is what ``Path(path).as_posix()`` gives.
    """
    for target in targets:
        if target == "-":
            yield "-", None
            continue
        path = Path(target)
        if path.is_dir():
            root = os.path.realpath(target)
            top = str(path)
            for found in _walk_sorted(top):
                if isinstance(found, _Blocked):
                    label = shown_name(_posix_label(found.path, top))
                    yield label, _blocked_error(label, found.why)
                    continue
                label = shown_name(_posix_label(found, top))
                if isinstance(found, _Link) and not _inside(found, root):
                    yield label, _blocked_error(label, "outside")
                    continue
                yield label, str(found)
        else:
            yield shown_name(target), path


def _posix_label(found: str, top: str) -> str:
    """``Path(found).as_posix()`` for a path the walk of ``top`` (already as ``Path`` writes it)
    made by joining plain names to it: only a leading ``./`` goes (``Path`` drops a ``.`` part),
    and on Windows the separators become ``/``."""
    if top == "." and found.startswith("." + os.sep):
        found = found[2:]
    if os.sep != "/":
        found = found.replace(os.sep, "/")
    return found


def shown_name(name: str) -> str:
    """A file name as reports show it: bytes that are not UTF-8 (kept by Python as lone
    surrogates) become U+FFFD, so that every output format can be written."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace").encode(
            "utf-8", "replace").decode("utf-8")
    return name


def _inside(path: str, root: str) -> bool:
    """Whether ``path`` (a symbolic link) resolves to a place inside the folder ``root`` (resolved)."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class _Blocked(str):
    """A place of a walked folder that is not read, and why (``unreadable`` folder)."""

    why: str
    path: str

    def __new__(cls, path: str, why: str) -> _Blocked:
        self = super().__new__(cls, path)
        self.path, self.why = path, why
        return self


class _Link(str):
    """A path the walker found to be a symbolic link."""


def _blocked_error(label: str, why: str) -> InputError:
    if why == "outside":
        return InputError(
            "outside-folder", "", None,
            f"'{label}' là liên kết tượng trưng (symlink) trỏ ra ngoài thư mục được kiểm tra: không đọc.",
            f"'{label}' is a symbolic link that leads outside the folder being checked: not read.",
        )
    return InputError(
        "unreadable", "", None,
        f"Không đọc được thư mục '{label}' ({why}): các tệp trong đó chưa được kiểm tra.",
        f"Cannot read the folder '{label}' ({why}): the files in it were not checked.",
    )


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
    Symbolic links to directories are not followed; a symbolic link to a file is yielded as a
    :class:`_Link` (to be checked against the folder given). A directory that cannot be read is
    yielded, in its place, as a :class:`_Blocked` (never skipped in silence).
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
                    entries.append((entry.name + "/", True, False))
                elif entry.name.lower().endswith(SUFFIXES) and not entry.name.startswith("~$"):
                    # (~$name.xlsx is the lock file Excel keeps beside a workbook it has open)
                    try:
                        link = entry.is_symlink()
                    except OSError:
                        link = True
                    entries.append((entry.name, False, link))
    except OSError as exc:
        yield _Blocked(top, exc.strerror or type(exc).__name__)
        return
    entries.sort()
    for key, is_dir, link in entries:
        if is_dir:
            yield from _walk_sorted(os.path.join(top, key[:-1]))
        elif link:
            yield _Link(os.path.join(top, key))
        else:
            yield os.path.join(top, key)


#: Bytes read from standard input at most (a file is limited by its format, see read_target).
_STDIN_LIMIT = max(MAX_JSON_BYTES, MAX_YAML_BYTES)


def read_target(label: str, path: str | Path | InputError | None, stdin: Any = None) -> tuple[bytes | None, InputError | None]:
    """The bytes of a file (or standard input), or an input error saying why it cannot be read.

    Reads are bounded: never more than the size limit of the file's format and one byte (enough
    for the loader to say "too large"); a regular file over the limit is not read at all. Only
    regular files are read: a device (``/dev/zero``), a FIFO or a socket is an input error,
    found without blocking (checked before opening, opened non-blocking and checked again).
    """
    import sys

    if isinstance(path, InputError):
        return None, path
    fmt = detect_format(label, b"") if path is not None else None
    if fmt is None and path is not None and label.lower().endswith(".xlsx"):
        fmt = "xlsx"
    limit = MAX_YAML_BYTES if fmt == "yaml" else MAX_JSON_BYTES if fmt == "json" else _STDIN_LIMIT
    if fmt == "xlsx":
        from kl21rules._xlsxio import MAX_XLSX_BYTES

        limit = MAX_XLSX_BYTES
    try:
        if path is None:
            stream = stdin if stdin is not None else sys.stdin.buffer
            return _read_at_most(stream.read, limit + 1), None
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None, _not_regular(label, path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # replaced between the two looks
                return None, _not_regular(label, path)
            if fmt is not None and info.st_size > limit:
                return None, _too_large(info.st_size, limit, fmt)
            return _read_at_most(lambda n: os.read(fd, n), limit + 1), None
        finally:
            os.close(fd)
    except FileNotFoundError:
        return None, InputError("not-found", "", None, f"Không tìm thấy tệp '{label}'.", f"File '{label}' not found.")
    except IsADirectoryError:
        return None, InputError("not-a-file", "", None, f"'{label}' không phải là tệp.", f"'{label}' is not a file.")
    except OSError as exc:
        return None, InputError("unreadable", "", None, f"Không đọc được tệp '{label}': {os_reason(exc, 'vi')}.",
                                f"Cannot read '{label}': {os_reason(exc, 'en')}.")


def _read_at_most(read: Any, size: int) -> bytes:
    """Up to ``size`` bytes from ``read(n)`` (a file descriptor's or a stream's), stopping at the end."""
    parts, left = [], size
    while left > 0:
        chunk = read(min(left, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _not_regular(label: str, path: str | Path) -> InputError:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = 0
    if stat.S_ISDIR(mode):
        return InputError("not-a-file", "", None, f"'{label}' không phải là tệp.", f"'{label}' is not a file.")
    kind_vi, kind_en = (
        ("thiết bị", "a device") if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
        ("FIFO (ống có tên)", "a FIFO (named pipe)") if stat.S_ISFIFO(mode) else
        ("socket", "a socket") if stat.S_ISSOCK(mode) else ("không phải tệp thường", "not a regular file")
    )
    return InputError(
        "not-a-file", "", None,
        f"'{label}' không phải là tệp thường mà là {kind_vi}: không đọc.",
        f"'{label}' is not a regular file but {kind_en}: not read.",
    )


def check_bytes(
    label: str,
    raw: bytes,
    registry: Registry,
    options: CheckOptions,
    rules: Sequence[CompiledRule] | None = None,
    *,
    walked: bool = False,
) -> FileReport:
    """Check one submission given as bytes; never raises for any input.

    ``walked``: the file was found by walking a folder (not named by the user), so if it parses
    and is plainly not a submission (:func:`not_a_submission`) it is marked ``skipped`` and not
    checked. A file named explicitly is always checked.
    """
    report = FileReport(label)
    if is_xlsx(label, raw):
        return _check_xlsx(report, raw, registry, options, rules, walked)
    fmt = detect_format(label, raw)
    if fmt is None:
        hint_vi = hint_en = ""
        if label.lower().endswith((".xls", ".xlsm", ".xlsb", ".ods")):
            hint_vi = " Mở tệp bằng Excel và lưu lại dạng Excel Workbook (.xlsx)."
            hint_en = " Open it in Excel and save it as Excel Workbook (.xlsx)."
        report.errors.append(
            InputError("format", "", None,
                       f"Không nhận ra định dạng của '{label}': cần tệp .json, .yaml, .yml hoặc .xlsx.{hint_vi}",
                       f"Unknown format of '{label}': expected a .json, .yaml, .yml or .xlsx file.{hint_en}")
        )
        return report
    # A file whose only fault is a repeated key is still read (the later value wins), so its
    # other errors are reported with it: every error in a file, not just the first.
    # Found in a folder, a file whose keys are not all text (a CI workflow's "on:") is still
    # read far enough to tell whether it is a submission at all.
    document, duplicates = load_bytes(raw, fmt, keep_duplicates=True, keep_key_errors=walked)
    more = getattr(duplicates, "more", 0)  # repeated keys found but not listed
    if document is None:
        report.errors.extend(_shown_errors(duplicates, more))
        return report
    if walked and not_a_submission(document.data):
        report.skipped = True
        return report
    if any(e.code != "duplicate-key" for e in duplicates):
        report.errors.extend(_shown_errors(duplicates, more))
        return report
    submission, errors, hidden, exact = validate_bounded(
        document.data, document.line_of, registry.activity_types, size=len(raw), near=document.line_near()
    )
    if _may_hold_placeholders(raw):
        _note_placeholders(report, document.data)
    if duplicates:
        repeated = {e.pointer for e in duplicates}  # already said: the value there is in doubt
        errors = [*duplicates, *(e for e in errors if e.pointer not in repeated)]
        errors.sort(key=lambda e: (e.line is None, e.line or 0))
        submission = None
    if submission is None:
        _refused(report, document.data, _shown_errors(errors, hidden + more, exact))
        return report
    _judge(report, submission, document.data, document.line_of, registry, options, rules)
    return report


def is_xlsx(label: str, raw: bytes) -> bool:
    """Whether a file is an Excel workbook: by its name, or for standard input by its content."""
    if label == "-":
        return raw.startswith(b"PK\x03\x04")
    return label.lower().endswith(".xlsx")


def _check_xlsx(report: FileReport, raw: bytes, registry: Registry, options: CheckOptions,
                rules: Sequence[CompiledRule] | None, walked: bool = False) -> FileReport:
    """Check a submission workbook: read as data (:mod:`kl21rules.xlsx`), then as any other file;
    each error names its cell. Found in a folder, a workbook with none of a submission's sheets
    (a budget, a list of members) is skipped like any file that is plainly not a submission."""
    from kl21rules.xlsx import place_errors, read_workbook

    document = read_workbook(raw, registry.activity_types)
    if document.data is None:
        report.errors.extend(_shown_errors(document.errors))
        return report
    if walked and not document.sheets:
        report.skipped = True
        return report
    submission, errors = validate_document(document.data, None, registry.activity_types)
    _note_placeholders(report, document.data)
    errors = [*document.errors, *place_errors(document, errors)]
    if errors:
        _refused(report, document.data, _shown_errors(errors))
        return report
    assert submission is not None
    _judge(report, submission, document.data, lambda _pointer: None, registry, options, rules)
    return report


def _refused(report: FileReport, data: Any, errors: list[InputError]) -> None:
    """A submission with input errors, into ``report``: the errors, the unit as written (when its
    id is text) and the ids of the items the errors point into."""
    report.errors.extend(errors)
    unit = data.get("unit") if isinstance(data, dict) else None
    if isinstance(unit, dict) and isinstance(unit.get("id"), str):
        report.unit = {"id": unit["id"], "name": unit.get("name"), "kind": unit.get("kind")}
    name_items(report, data, [e.pointer for e in report.errors])


def _judge(report: FileReport, submission: Any, data: Any, line_of: Any, registry: Registry,
           options: CheckOptions, rules: Sequence[CompiledRule] | None) -> None:
    """Facts and findings of a valid submission, into ``report``."""
    unit = submission.unit
    report.unit = {"id": unit.id, "name": unit.name, "kind": unit.kind}
    if options.as_of is None and submission.report.date is not None:
        bad_date = report_date_error(submission.report.date, options.today, None)
        if bad_date is not None:  # its line only now: finding it scans the whole JSON text
            bad_date = report_date_error(submission.report.date, options.today, line_of("/report/date"))
            assert bad_date is not None
            report.errors.append(bad_date)
            return
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


def _may_hold_placeholders(raw: bytes) -> bool:
    """Whether a UTF-8 JSON or YAML text can hold one of ``kl21rules init``'s placeholders: a
    value with ``XXX``, ``...`` or ``…`` in it has them in the text too, unless written with an
    escape (a backslash). Most files have none of these, and walking every value costs 0.1 ms."""
    return b"\\" in raw or (b"\xe2" in raw and _ELLIPSIS in raw) or _holds(raw, b"XXX") or _holds(raw, b"...")


_ELLIPSIS = "…".encode()


def _holds(raw: bytes, run: bytes) -> bool:
    """``run in raw`` for a run of one character, by looking at the few places of that character
    (found by memchr) instead of a substring search of the whole text — three times faster on
    a submission, where 'X' and '.' are rare; after 16 places, the substring search."""
    first = run[:1]
    at = raw.find(first)
    for _ in range(16):
        if at < 0:
            return False
        if raw.startswith(run, at):
            return True
        at = raw.find(first, at + 1)
    return run in raw


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


def check_target(label: str, path: str | Path | InputError | None, registry: Registry, options: CheckOptions,
                 rules: Sequence[CompiledRule] | None = None, *, walked: bool = False) -> FileReport:
    """Read and check one target (file path or standard input); ``walked`` as for :func:`check_bytes`."""
    raw, error = read_target(label, path)
    if raw is None:
        report = FileReport(label)
        if error is not None:
            report.errors.append(error)
        return report
    return check_bytes(label, raw, registry, options, rules, walked=walked)
