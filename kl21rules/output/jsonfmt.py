"""The JSON report, ``kl21rules/report/v1`` (spec/cli.md): stable, versioned, sorted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from kl21rules.diagnostics import InputError
from kl21rules.findings import Finding
from kl21rules.output import file_parts
from kl21rules.report import REPORT_SCHEMA, FileReport, Notice, Report


def finding_dict(f: Finding, lang: str) -> dict[str, Any]:
    """One finding as the JSON report writes it."""
    out: dict[str, Any] = {
        "rule": f.rule,
        "status": f.status,
        "severity": f.severity,
        "period": f.period,
        "item": f.item,
        "due": f.due.isoformat() if f.due else None,
        "refs": list(f.refs),
        "message": f.message(lang),
        "evidence": list(f.evidence),
    }
    if f.waived is not None:
        out["waived"] = {
            "reason": f.waived.reason,
            "expires": f.waived.expires.isoformat() if f.waived.expires else None,
            "approver": f.waived.approver,
        }
    return out


def error_dict(e: InputError, lang: str) -> dict[str, Any]:
    return {"pointer": e.pointer, "line": e.line, "code": e.code, "message": e.message(lang)}


def notice_dict(n: Notice, lang: str) -> dict[str, Any]:
    return {"code": n.code, "pointer": n.pointer, "message": n.message(lang)}


def file_dict(f: FileReport, lang: str) -> dict[str, Any]:
    return {
        "path": f.path,
        "unit": f.unit,
        "as_of": f.as_of.isoformat() if f.as_of else None,
        "errors": [error_dict(e, lang) for e in f.errors],
        "notices": [notice_dict(n, lang) for n in f.notices],
        "findings": [finding_dict(x, lang) for x in f.findings],
        "summary": f.summary(),
    }


def file_json(f: FileReport, lang: str) -> str:
    """One file's member of the report's ``files``, indented in place (rendered by the process
    that checked the file)."""
    content = file_dict(f, lang)
    if _orjson is not None and _plain(f, lang):
        try:
            # (indented as bytes, then decoded: a newline byte is never part of a UTF-8 sequence,
            # and replacing in the decoded text costs twice as much)
            return "    " + _orjson.dumps(content, option=_ORJSON_OPTIONS).replace(b"\n", b"\n    ").decode()
        except TypeError:
            pass  # a value orjson does not write as json.dumps does (see _ORJSON_OPTIONS)
    return "    " + dumps_indented(content, "    ")


# orjson (Rust) writes a file's part of the report in about a fifth of dumps_indented's time, and
# its bytes are json.dumps(ensure_ascii=False, indent=2)'s for what a report holds: dicts, lists,
# tuples, text, None, booleans and whole numbers (every code point is escaped alike; a test holds
# this). Some other values it writes differently, or where json.dumps refuses them: a float
# (1e-05, Infinity), an Enum, a UUID, a date. Those never come from kl21rules' own code, but a
# refused file's unit is shown as written, and a pack's Python rule chooses its findings' period,
# item and evidence (and may make its Finding objects itself): _plain lets through only files
# whose findings hold text where text belongs (None where it may), and whose unit holds text,
# None or whole numbers. The options make orjson refuse (TypeError) subclasses of str, int, dict
# and list, dates and dataclasses, as it refuses text with a lone surrogate and numbers over 64
# bits: such a file is written by dumps_indented. Without orjson installed, every file is.
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a required dependency; the report is the same without it
    _orjson = None  # type: ignore[assignment]
else:
    _ORJSON_OPTIONS = (_orjson.OPT_INDENT_2 | _orjson.OPT_PASSTHROUGH_SUBCLASS | _orjson.OPT_PASSTHROUGH_DATETIME
                       | _orjson.OPT_PASSTHROUGH_DATACLASS)

_TEXT = frozenset({str, type(None)})
_UNIT_VALUES = frozenset({str, type(None), int, bool})


def _plain(f: FileReport, lang: str) -> bool:
    """Whether the values of ``f`` that may not come from kl21rules' own code (a refused file's
    unit as written; what a pack's Python rule made its findings of) are all of the types orjson
    writes as json.dumps does. (A finding's ``due`` is written by ``isoformat()``, text.)"""
    if f.unit is not None and not all(type(v) in _UNIT_VALUES for v in f.unit.values()):
        return False
    text = _TEXT
    en = lang == "en"
    for x in f.findings:
        if (type(x.rule) is not str or type(x.status) is not str or type(x.severity) is not str
                or type(x.period) not in text or type(x.item) not in text
                or type(x.message_en if en else x.message_vi) is not str):
            return False
        for e in x.evidence:
            if type(e) is not str:
                return False
        for e in x.refs:
            if type(e) is not str:
                return False
        if x.waived is not None:
            w = x.waived
            if type(w.reason) is not str or type(w.approver) not in text:
                return False
    return True


def report_dict(report: Report, lang: str) -> dict[str, Any]:
    """The whole report as plain data (the JSON report, before serialisation); reads a streamed
    report's files, so call it once."""
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "kl21rules", "version": report.version, "packs": report.packs},
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "files": [file_dict(f, lang) for f in report.files],
        "problems": [notice_dict(p, lang) for p in report.problems],
        "summary": report.summary(),
    }


def render(report: Report, lang: str = "vi", **_: Any) -> str:
    """Serialise deterministically: fixed key order, UTF-8 text kept as is, newline at the end."""
    return "".join(stream(report, lang))


def stream(report: Report, lang: str = "vi", **_: Any) -> Iterator[str]:
    """The same bytes as ``json.dumps(report_dict(report), indent=2)``, written one file at a time.

    A JSON string never holds a raw newline, so indenting a file's own dump line by line gives
    exactly what the whole dump would (a test holds this).
    """
    head = {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "kl21rules", "version": report.version, "packs": report.packs},
        "as_of": report.as_of.isoformat() if report.as_of else None,
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    yield text[: text.rfind("\n")] + ",\n"  # the head's members, without its closing brace
    first = True
    for body in file_parts(report, file_json, lang):
        yield ('  "files": [\n' if first else ",\n") + body
        first = False
    yield '  "files": []' if first else "\n  ]"
    problems = json.dumps([notice_dict(p, lang) for p in report.problems], ensure_ascii=False, indent=2)
    summary = json.dumps(report.summary(), ensure_ascii=False, indent=2)
    yield ",\n  \"problems\": " + _indent(problems, 2)[2:] + ",\n  \"summary\": " + _indent(summary, 2)[2:] + "\n}\n"


# json.dumps with indent= runs the encoder written in Python (the C one cannot indent before 3.13);
# on a file's findings that was a quarter of a check's time. dumps_indented gives the same text at
# about twice the speed: plain dicts, lists, strings, ints, booleans and None are written here
# (strings by the C escaper json itself uses), anything else by json.dumps.
_escape = json.encoder.encode_basestring
_KEYS: dict[str, str] = {}


def dumps_indented(value: Any, pad: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` with every line after the first
    prefixed by ``pad`` (the value's own indentation inside an enclosing document)."""
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        parts = []
        for key, item in value.items():
            name = _KEYS.get(key) if type(key) is str else None
            if name is None:
                if type(key) is not str or len(_KEYS) > 10_000:
                    return _slow(value, pad)
                name = _KEYS[key] = _escape(key) + ": "
            parts.append(inner + name + _item(item, inner))
        return "{\n" + ",\n".join(parts) + "\n" + pad + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _item(item, inner) for item in value) + "\n" + pad + "]"
    return _item(value, pad)


def _item(value: Any, pad: str) -> str:
    kind = type(value)
    if kind is str:
        return _escape(value)
    if value is None:
        return "null"
    if kind is dict or kind is list or kind is tuple:
        return dumps_indented(value, pad)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return _slow(value, pad)


def _slow(value: Any, pad: str) -> str:
    # A JSON text never holds a raw newline inside a string, so every newline starts a line.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + pad)


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.split("\n"))
