"""GitHub Actions workflow commands: each finding that needs attention becomes an annotation on
its file and line in the pull request (``::error file=…,line=…,title=…::message``).

``error`` for a fail that makes the run fail (at or above ``--fail-on``, not waived), a rule error
or an input error; ``warning`` for a fail below ``--fail-on``; ``notice`` for ``late`` and for a
waived fail (with the waiver's reason). ``pass``, ``pending`` and ``not_applicable`` are not
annotated. Problems outside any file are annotations without a file. The last line is the totals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kl21rules.findings import Finding
from kl21rules.output import file_parts
from kl21rules.output._common import (
    STATUS_LABEL,
    WORDS,
    counts_fail,
    counts_line,
    lang_of,
    totals_phrase,
    visible,
    waived_note,
)
from kl21rules.report import FileReport, Report


def escape_data(text: str) -> str:
    """The message part of a workflow command (GitHub's own escaping: ``%``, CR and LF), with the
    other control characters (an ANSI escape in the log) written visibly: a value from a
    submission can never end the command and start another (``\n::error::…``)."""
    text = "\n".join(visible(part) for part in text.split("\n")) if "\n" in text else visible(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): also ``:`` and ``,``, which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, *, file: str | None = None, line: int | None = None,
            title: str | None = None) -> str:
    """One workflow command line."""
    props = []
    if file is not None:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level}" + (" " + ",".join(props) if props else "")
    return f"{head}::{escape_data(message)}\n"


def render(report: Report, lang: str = "vi", **kw: Any) -> str:
    """All the workflow commands."""
    return "".join(stream(report, lang, **kw))


def _level(f: Finding, fail_on: str) -> str | None:
    if f.status == "error" or counts_fail(f, fail_on):
        return "error"
    if f.status == "fail":
        return "notice" if f.waived is not None else "warning"
    if f.status == "late":
        return "notice"
    return None


def _file_part(file: FileReport, lang: str, fail_on: str) -> str:
    return "".join(_file(file, lang, fail_on))


def _file(file: FileReport, lang: str, fail_on: str) -> Iterator[str]:
    labels = STATUS_LABEL[lang]
    where = None if file.path == "-" else file.path
    for e in file.errors:
        yield command("error", f"{e.pointer or '/'}: {e.message(lang)}", file=where, line=e.line,
                      title=f"kl21rules: {WORDS[lang]['errors']}")
    for f in file.findings:
        level = _level(f, fail_on)
        if level is None:
            continue
        note = waived_note(f, lang)
        title = " ".join(x for x in (f.rule, f.period, f.item) if x) + f" ({labels[f.status]})"
        message = f.message(lang) + (f" [{note}]" if note else "")
        yield command(level, message, file=where, line=file.line_of(f), title=title)


def stream(report: Report, lang: str = "vi", *, fail_on: str = "error", **_: Any) -> Iterator[str]:
    """Workflow commands, one file at a time."""
    lang = lang_of(lang)
    w = WORDS[lang]
    yield from file_parts(report, _file_part, lang, fail_on)
    for p in report.problems:
        yield command("error" if p.code == "pack-error" else "warning", p.message(lang), title=f"kl21rules: {p.code}")
    s = report.summary()
    counts = counts_line(s, lang)
    yield f"kl21rules: {totals_phrase(s, lang)}" + (f"; {counts}" if counts else "") + "\n"
