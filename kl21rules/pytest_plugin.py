"""pytest collects rule cases by itself: every ``cases/*.yaml`` file is a test file, one test per case.

Registered through the ``pytest11`` entry point of kl21rules, so a pack's ``pytest`` runs its
cases with nothing more than its case files in a folder named ``cases`` under one of pytest's
paths (``testpaths``). A file is collected when it is a YAML file in a folder named ``cases``
and has a top-level ``cases:`` key (see :mod:`kl21rules.testing`). Each test is named
``RULE:case name``; a failure shows the expected findings against those found, as a diff.

The rules come from every installed pack (``kl21rules.packs.load_registry``), loaded once per
session; a case whose rule is not loaded fails with the errors of the pack that should have it.
Turn the plugin off with ``-p no:kl21rules``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from kl21rules.findings import Finding
    from kl21rules.packs import Registry
    from kl21rules.testing import RuleCase

_TOP_CASES = re.compile(r"^cases\s*:", re.MULTILINE)
_REGISTRY_KEY = pytest.StashKey["Registry"]()


def _is_case_file(path: Path) -> bool:
    if path.suffix not in (".yaml", ".yml") or path.parent.name != "cases":
        return False
    try:
        return bool(_TOP_CASES.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def registry(config: pytest.Config) -> Registry:
    """Every installed pack, loaded once per test session."""
    got = config.stash.get(_REGISTRY_KEY, None)
    if got is None:
        from kl21rules.packs import load_registry

        got = config.stash[_REGISTRY_KEY] = load_registry()
    return got


class CaseFile(pytest.File):
    """A YAML case file: one :class:`CaseItem` per case."""

    def collect(self) -> Iterator[CaseItem]:
        from kl21rules.testing import load_case_file

        import yaml

        try:
            cases = load_case_file(self.path)
        except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:  # a malformed file: say where, no traceback
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise self.CollectError(f"{self.path}: not a valid case file: {detail}") from None
        lines = _case_lines(self.path)
        for i, case in enumerate(cases):
            yield CaseItem.from_parent(self, name=f"{case.rule}:{case.name}", case=case,
                                       line=lines[i] if i < len(lines) else None)


def _case_lines(path: Path) -> list[int]:
    """The line (0-based) where each case starts."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError):
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "cases" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line for item in value.value]
    return []


class CaseFailed(Exception):
    """A case whose findings differ from what it expects."""

    def __init__(self, case: RuleCase, findings: list[Finding] | None, problems: list[str],
                 registry_errors: list[str], where: str = "") -> None:
        super().__init__("\n".join(problems))
        self.case, self.findings, self.problems, self.registry_errors = case, findings, problems, registry_errors
        self.where = where or case.source


class CaseItem(pytest.Item):
    """One rule case."""

    def __init__(self, *, case: RuleCase, line: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.line = line

    def runtest(self) -> None:
        from kl21rules.testing import case_findings, compare

        reg = registry(self.config)
        findings, problems = case_findings(self.case, reg)
        if findings is not None:
            problems = compare(self.case, findings)
        if problems:
            errors: list[str] = []
            if reg.rule(self.case.rule) is None:
                import difflib

                near = difflib.get_close_matches(self.case.rule, [r.id for r in reg.rules], n=1)
                if near:
                    problems = [*problems[:1], f"did you mean {near[0]}?", *problems[1:]]
                errors = [e.describe("en") for e in reg.errors]
            raise CaseFailed(self.case, findings, problems, errors,
                             f"{self.path}:{self.line + 1}" if self.line is not None else str(self.path))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return describe_failure(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.line, f"{self.case.rule}: {self.case.name}"


# --------------------------------------------------------------------------- the failure report


def _value(value: Any) -> str:
    import datetime as _dt

    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if value is None:
        return "null"
    return str(value)


_SHOWN = ("status", "period", "item", "due")


def _expected_line(want: dict[str, Any]) -> str:
    from kl21rules.testing import expected_value

    parts = []
    for key, value in want.items():
        if key == "message_contains":
            parts.append(f"message ∋ {str(value)!r}")
        else:
            parts.append(f"{key}: {_value(expected_value(key, value))}")
    return "{" + ", ".join(parts) + "}"


def _found_line(found: Finding, want: dict[str, Any] | None) -> str:
    from kl21rules.testing import found_value

    keys = list(want) if want else [k for k in _SHOWN if getattr(found, k, None) is not None]
    parts = []
    for key in keys:
        if key == "message_contains":
            assert want is not None
            needle = str(want[key])
            if needle in found.message_vi + " | " + found.message_en:
                parts.append(f"message ∋ {needle!r}")
            else:
                parts.append(f"message: {found.message_en!r}")
        else:
            parts.append(f"{key}: {_value(found_value(found, key))}")
    return "{" + ", ".join(parts) + "}"


def describe_failure(failure: CaseFailed) -> str:
    """Expected against found findings, as a unified diff of one line per finding, then what was
    found in full (status, period, item, due, message)."""
    import difflib

    case = failure.case
    head = [f"{case.rule} / {case.name} (as_of {case.as_of.isoformat()}) — {failure.where}"]
    if failure.findings is None:
        return "\n".join(head + ["  " + p for p in failure.problems]
                         + (["  pack errors:"] + ["    " + e for e in failure.registry_errors]
                            if failure.registry_errors else []))
    found = failure.findings
    expected = [_expected_line(w) for w in case.expect]
    got = [_found_line(f, case.expect[n] if n < len(case.expect) else None) for n, f in enumerate(found)]
    diff = list(difflib.unified_diff(expected, got, "expected", "found", n=max(len(expected), len(got)),
                                     lineterm=""))
    lines = head + ["", *diff, "", "found / kết quả:"]
    for f in found:
        where = " ".join(x for x in (f.period, f.item) if x)
        due = f" due {f.due.isoformat()}" if f.due else ""
        lines.append(f"  [{f.status}{' ' + where if where else ''}{due}] {f.message_en}")
    if not found:
        lines.append("  (none)")
    lines += ["", "problems:"] + ["  " + p for p in failure.problems]
    return "\n".join(lines)
