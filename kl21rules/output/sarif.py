"""SARIF 2.1.0, for code-scanning dashboards (GitHub, Azure DevOps, VS Code's SARIF viewer).

``tool.driver.rules`` lists the rules that were run, with their title, how each reads the plan
(help) and the plan's clauses; each pack is a ``tool.extensions`` entry with its version.
Results are what needs a reader's attention: ``fail``, ``late``, rule ``error`` and input errors
(a pseudo-rule ``input-error``). ``pass``, ``pending`` and ``not_applicable`` are left out (a
dashboard would show them as alerts). A result is located by file and the line of the place it
is about: its evidence, or, for a missing activity, the list it belongs in (``/activities``).
Levels follow the rule's severity (error, warning, note); ``late`` is a ``note``. A waived finding
carries ``suppressions`` with the waiver's reason as justification (dashboards hide it as
accepted). Problems outside any file (a pack that failed to load, expired or unmatched waivers)
are ``invocations[0].toolExecutionNotifications``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from kl21rules.findings import Finding
from kl21rules.output import file_parts
from kl21rules.output._common import WORDS, lang_of
from kl21rules.report import FileReport, Report, finding_pointer

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INPUT_RULE = "input-error"
SHOWN = ("fail", "late", "error")


def render(report: Report, lang: str = "vi", **kw: Any) -> str:
    """The whole SARIF log."""
    return "".join(stream(report, lang, **kw))


def artifact_uri(path: str) -> str:
    """A file's path as a URI reference: relative paths stay relative (to the folder the check
    ran in, as dashboards expect), absolute ones become ``file://`` URIs."""
    if PureWindowsPath(path).drive:
        return PureWindowsPath(path).as_uri()
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return PurePosixPath(posix).as_uri()
    return quote(posix, safe="/-._~")


def _dump(value: Any, indent: int) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    pad = " " * indent
    return text.replace("\n", "\n" + pad)


def _rules(report: Report, lang: str) -> list[dict[str, Any]]:
    clause = "Kế hoạch 40-KH/ĐUK, mục" if lang == "vi" else "Plan 40-KH/ĐUK, clause"
    out = []
    for r in report.rules:
        refs = ", ".join(r.refs)
        help_text = f"{r.help(lang)} ({clause} {refs})"
        out.append({
            "id": r.id,
            "name": r.id.replace("-", ""),
            "shortDescription": {"text": r.title(lang)},
            "fullDescription": {"text": help_text},
            "help": {"text": help_text, "markdown": f"**{r.title(lang)}**\n\n{r.help(lang)}\n\n*{clause} {refs}*"},
            "defaultConfiguration": {"level": LEVEL[r.severity]},
            "properties": {"pack": r.pack, "clauses": list(r.refs), "tags": [r.pack, *r.refs]},
        })
    text = "Tệp báo cáo không đọc được hoặc sai định dạng kl21rules/submission/v1." if lang == "vi" else \
        "The submission cannot be read or does not follow kl21rules/submission/v1."
    out.append({
        "id": INPUT_RULE,
        "name": "InputError",
        "shortDescription": {"text": WORDS[lang]["errors"]},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "defaultConfiguration": {"level": "error"},
    })
    return out


def _location(file: FileReport, line: int | None, pointer: str | None) -> list[dict[str, Any]]:
    if file.path == "-":
        return []
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(file.path)}}
    if line:
        physical["region"] = {"startLine": line}
    loc: dict[str, Any] = {"physicalLocation": physical}
    if pointer is not None:
        loc["logicalLocations"] = [{"fullyQualifiedName": pointer or "/", "kind": "value"}]
    return [loc]


def _result(file: FileReport, f: Finding, index: dict[str, int], lang: str) -> dict[str, Any]:
    pointer = finding_pointer(f)
    unit_id = file.unit.get("id") if file.unit else None
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "kind": "fail",
        "level": "error" if f.status == "error" else ("note" if f.status == "late" else LEVEL[f.severity]),
        "message": {"text": f.message(lang)},
    }
    if f.rule in index:
        out["ruleIndex"] = index[f.rule]
    locations = _location(file, file.line_of(f), pointer)
    if locations:
        out["locations"] = locations
    # Stable across runs and line moves: what the finding is about, not where it sits.
    out["partialFingerprints"] = {"kl21rules/v1": "|".join([unit_id or file.path, f.rule, f.period or "", f.item or ""])}
    props: dict[str, Any] = {"status": f.status, "severity": f.severity, "unit": unit_id,
                             "period": f.period, "item": f.item,
                             "due": f.due.isoformat() if f.due else None, "clauses": list(f.refs)}
    out["properties"] = props
    if f.waived is not None:
        justification = f.waived.reason
        extra = [x for x in (f.waived.approver, f.waived.expires.isoformat() if f.waived.expires else None) if x]
        if extra:
            justification += f" ({', '.join(extra)})"
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return out


def _input_results(file: FileReport, index: dict[str, int], lang: str) -> list[dict[str, Any]]:
    out = []
    for e in file.errors:
        item: dict[str, Any] = {"ruleId": INPUT_RULE, "ruleIndex": index[INPUT_RULE], "kind": "fail", "level": "error",
                                "message": {"text": e.message(lang)}}
        locations = _location(file, e.line, e.pointer)
        if locations:
            item["locations"] = locations
        item["properties"] = {"code": e.code}
        out.append(item)
    return out


def _file_results(f: FileReport, index: dict[str, int], lang: str) -> str:
    """A file's results, indented in place and joined (``""`` when it has none)."""
    items = _input_results(f, index, lang)
    items += [_result(f, x, index, lang) for x in f.findings if x.status in SHOWN]
    return ",\n".join("        " + _dump(item, 8) for item in items)


def stream(report: Report, lang: str = "vi", **_: Any) -> Iterator[str]:
    """The SARIF log, results one file at a time."""
    lang = lang_of(lang)
    rules = _rules(report, lang)
    index = {r["id"]: i for i, r in enumerate(rules)}
    tool = {
        "driver": {
            "name": "kl21rules",
            "version": report.version,
            "semanticVersion": report.version,
            "rules": rules,
        },
        "extensions": [{"name": name, "version": version} for name, version in sorted(report.packs.items())],
    }
    yield ("{\n"
           f'  "$schema": "{SARIF_SCHEMA}",\n'
           '  "version": "2.1.0",\n'
           '  "runs": [\n'
           "    {\n"
           f'      "tool": {_dump(tool, 6)},\n'
           '      "results": [')
    first = True
    for part in file_parts(report, _file_results, index, lang):
        if part:
            yield ("\n" if first else ",\n") + part
            first = False
    yield "]" if first else "\n      ]"
    tally = report.tally()
    notes = [{"level": "error" if p.code == "pack-error" else "warning", "message": {"text": p.message(lang)},
              "descriptor": {"id": p.code}} for p in report.problems]
    invocation: dict[str, Any] = {
        "executionSuccessful": not tally.rule_errors and not any(p.code == "pack-error" for p in report.problems),
        "toolExecutionNotifications": notes,
    }
    if report.as_of:
        invocation["properties"] = {"as_of": report.as_of.isoformat()}
    # What the run left out (packs disabled, rules not checked): run properties, only when any.
    narrowed = (f',\n      "properties": {_dump({f"kl21rules/{k}": v for k, v in report.narrowed.items()}, 6)}'
                if report.narrowed else "")
    yield (",\n"
           f'      "invocations": [\n        {_dump(invocation, 8)}\n      ],\n'
           '      "columnKind": "unicodeCodePoints"'
           f"{narrowed}\n"
           "    }\n  ]\n}\n")
