"""JUnit XML, for CI dashboards (GitLab, Jenkins, GitHub test-report actions).

One ``<testsuite>`` per file; one ``<testcase>`` per finding: ``classname`` is ``unit/file``,
``name`` is the rule with its period and item (``KL21-11 2022-07``), with ``file`` and ``line``
attributes. Dashboards turn red on ``<failure>`` and ``<error>``, so those are kept for exactly
what fails the run (the exit code), and everything else is told without turning it red:

========================================== ==========================================
finding                                    testcase
========================================== ==========================================
fail at or above ``--fail-on``, not waived ``<failure>`` (type = severity)
rule ``error``                             ``<error type="rule-error">``
fail below ``--fail-on``                   ``<skipped>`` saying it failed, below the threshold
fail that is waived                        ``<skipped>`` with the waiver's reason
pending, not_applicable                    ``<skipped>`` with the message
late                                       passed, the message in ``<system-out>`` (done, late:
                                           the plan's obligation is met; it does not fail the run)
pass                                       passed
========================================== ==========================================

Input errors of a file are one ``<testcase name="input">`` with an ``<error>`` listing them.
Problems outside any file come last in a suite ``kl21rules``: a pack that failed to load is an
``<error>``; waivers that expired or matched nothing are written to its ``<system-err>``.
The root carries no totals so that files can be written as they are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kl21rules.findings import Finding
from kl21rules.output import file_parts
from kl21rules.output._common import (
    SEVERITY_LABEL,
    STATUS_LABEL,
    WORDS,
    counts_fail,
    lang_of,
    waived_note,
)
from kl21rules.report import FileReport, Report

# Characters XML 1.0 cannot hold, even escaped; a submission may contain them in a name.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# Text that needs no escaping at all: no & < > (nor " ' for an attribute, nor tab or line breaks,
# which quoteattr writes as character references) and nothing XML cannot hold. Most messages are
# such text, and testing for it is much cheaper than quoteattr's seven replacements.
_ATTR_PLAIN = re.compile("[\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_TEXT_PLAIN = re.compile("[\t\n\r\x20-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _attr(value: object) -> str:
    text = value if type(value) is str else str(value)
    if _ATTR_PLAIN.fullmatch(text):
        return f'"{text}"'  # what quoteattr gives for such text
    return quoteattr(_clean(text))


def _text(value: str) -> str:
    if _TEXT_PLAIN.fullmatch(value):
        return value  # what escape gives for such text
    return escape(_clean(value))


def render(report: Report, lang: str = "vi", **kw: Any) -> str:
    """The whole JUnit XML document."""
    return "".join(stream(report, lang, **kw))


def stream(report: Report, lang: str = "vi", *, fail_on: str = "error", **_: Any) -> Iterator[str]:
    """The document one ``<testsuite>`` (file) at a time."""
    lang = lang_of(lang)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<testsuites name="kl21rules" version={_attr(report.version)}>\n'
    yield from file_parts(report, _suite, lang, fail_on)
    yield _problems_suite(report, lang)
    yield "</testsuites>\n"


def testcase_name(f: Finding) -> str:
    """``KL21-11 2022-07``: the rule, then its period and item when it has them."""
    return " ".join(x for x in (f.rule, f.period, f.item) if x)


def _classname(file: FileReport) -> str:
    unit_id = file.unit.get("id") if file.unit else None
    return f"{unit_id}/{file.path}" if unit_id else file.path


def _case(file: FileReport, f: Finding, lang: str, fail_on: str, where: tuple[str, str]) -> tuple[str, str]:
    """(kind, xml) of one finding: kind is failure, error, skipped or passed; ``where`` is the
    file's classname and file attributes, escaped once per file."""
    labels, sev = STATUS_LABEL[lang], SEVERITY_LABEL[lang]
    words = WORDS[lang]
    line = file.line_of(f)
    attrs = (f"classname={where[0]} name={_attr(testcase_name(f))} "
             f"file={where[1]}" + (f' line="{line}"' if line else ""))
    message = f.message(lang)
    if f.status == "error":
        kind, body = "error", f'<error type="rule-error" message={_attr(message)}>{_text(message)}</error>'
    elif f.status == "fail" and counts_fail(f, fail_on):
        kind, body = "failure", (f"<failure type={_attr(f.severity)} message={_attr(message)}>"
                                 f"{_text(message)}</failure>")
    elif f.status == "fail" and f.waived is not None:
        note = f"{labels['fail']} ({waived_note(f, lang)}): {message}"
        kind, body = "skipped", f"<skipped message={_attr(note)}/>"
    elif f.status == "fail":
        note = f"{labels['fail']} ({sev[f.severity]}, {words['below']} {fail_on}): {message}"
        kind, body = "skipped", f"<skipped message={_attr(note)}/>"
    elif f.status in ("pending", "not_applicable"):
        note = f" ({waived_note(f, lang)})" if f.waived else ""
        kind, body = "skipped", f"<skipped message={_attr(labels[f.status] + note + ': ' + message)}/>"
    elif f.status == "late":
        note = f" ({waived_note(f, lang)})" if f.waived else ""
        kind, body = "passed", f"<system-out>{_text(labels['late'] + note + ': ' + message)}</system-out>"
    else:
        kind, body = "passed", ""
    if body:
        return kind, f"    <testcase {attrs}>\n      {body}\n    </testcase>\n"
    return kind, f"    <testcase {attrs}/>\n"


def _suite(file: FileReport, lang: str, fail_on: str) -> str:
    counts = {"failure": 0, "error": 0, "skipped": 0, "passed": 0}
    cases: list[str] = []
    if file.errors:
        w = WORDS[lang]
        lines = []
        for e in file.errors:
            at = (e.pointer or "/") + (f" ({w['line']} {e.line})" if e.line else "")
            lines.append(f"{at}: {e.message(lang)}")
        first = file.errors[0]
        head = f"{w['errors']}: {len(file.errors)}"
        line_attr = f' line="{first.line}"' if first.line else ""
        cases.append(
            f"    <testcase classname={_attr(file.path)} name=\"input\" file={_attr(file.path)}{line_attr}>\n"
            f"      <error type=\"input-error\" message={_attr(head)}>{_text(chr(10).join(lines))}</error>\n"
            f"    </testcase>\n"
        )
        counts["error"] += 1
    where = (_attr(_classname(file)), _attr(file.path))
    for f in file.findings:
        kind, xml = _case(file, f, lang, fail_on, where)
        counts[kind] += 1
        cases.append(xml)
    total = sum(counts.values())
    props = ""
    if file.unit or file.as_of:
        items = []
        if file.unit:
            items.append(f'      <property name="unit" value={_attr(file.unit.get("id"))}/>\n')
        if file.as_of:
            items.append(f'      <property name="as_of" value="{file.as_of.isoformat()}"/>\n')
        props = "    <properties>\n" + "".join(items) + "    </properties>\n"
    return (f"  <testsuite name={_attr(file.path)} tests=\"{total}\" failures=\"{counts['failure']}\" "
            f"errors=\"{counts['error']}\" skipped=\"{counts['skipped']}\">\n{props}" + "".join(cases) + "  </testsuite>\n")


def _problems_suite(report: Report, lang: str) -> str:
    errors = [p for p in report.problems if p.code == "pack-error"]
    others = [p for p in report.problems if p.code != "pack-error"]
    if not report.problems:
        return ""
    cases = "".join(
        f"    <testcase classname=\"kl21rules\" name={_attr(p.code + ' ' + str(i + 1))}>\n"
        f"      <error type={_attr(p.code)} message={_attr(p.message(lang))}/>\n    </testcase>\n"
        for i, p in enumerate(errors)
    )
    err = ""
    if others:
        err = "    <system-err>" + _text("\n".join(f"{p.code}: {p.message(lang)}" for p in others)) + "</system-err>\n"
    return (f"  <testsuite name=\"kl21rules\" tests=\"{len(errors)}\" failures=\"0\" errors=\"{len(errors)}\" "
            f"skipped=\"0\">\n{cases}{err}  </testsuite>\n")
