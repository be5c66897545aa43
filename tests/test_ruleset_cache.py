"""The cache of loaded ruleset files (kl21rules.packs): same rules as a fresh load, never a hidden
ruleset error, and a damaged or stale entry is ignored."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pytest

from kl21rules import PackInfo, Text, hookimpl
from kl21rules.packs import Registry, discover, load_registry

RULESET = """\
pack: dept
rules:
  - id: DEPT-01
    title: {vi: "Sinh hoạt chuyên đề hằng năm", en: "Yearly thematic meeting"}
    expect: {vi: buổi sinh hoạt chuyên đề, en: a thematic meeting}
    refs: [II.8]
    severity: warning
    obligation:
      kind: recurring
      schedules:
        - every: year
          match:
            type: branch_meeting
            where: {thematic: true}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.delenv("KL21RULES_NO_CACHE", raising=False)
    monkeypatch.setenv("KL21RULES_CACHE_DIR", str(directory))
    return directory


def _load(ruleset: Path) -> Registry:
    class Dept:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo("dept", Text(vi="Gói thử", en="Test pack"), "1.0")

        @hookimpl
        def kl21rules_rulesets(self) -> list[Path]:
            return [ruleset]

    return load_registry(entry_points=discover() + [("dept", Dept, "kl21rules-dept", "1.0")])


def _rules(registry: Registry) -> list[tuple[str, object, str | None]]:
    return [(r.id, r.spec, r.source) for r in registry.rules]


def test_a_cached_load_gives_the_same_rules_as_a_fresh_one(cache: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    first = _load(ruleset)
    entries = sorted(cache.glob("ruleset-*.json"))
    assert len(entries) == 7  # six built-in ruleset files and this one
    second = _load(ruleset)
    monkeypatch.setenv("KL21RULES_NO_CACHE", "1")
    fresh = _load(ruleset)
    assert first.errors == second.errors == fresh.errors == []
    assert _rules(second) == _rules(fresh) == _rules(first)
    assert second.rule("DEPT-01") is not None
    assert sorted(cache.glob("ruleset-*.json")) == entries


def test_a_changed_file_is_loaded_again(cache: Path, tmp_path: Path) -> None:
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    assert _load(ruleset).rule("DEPT-01").spec.severity == "warning"
    ruleset.write_text(RULESET.replace("severity: warning", "severity: error"), encoding="utf-8")
    assert _load(ruleset).rule("DEPT-01").spec.severity == "error"


def test_a_bad_ruleset_is_never_cached_and_reported_every_time(cache: Path, tmp_path: Path) -> None:
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET.replace("every: year", "every: week"), encoding="utf-8")
    for _ in range(2):
        registry = _load(ruleset)
        errors = [e for e in registry.errors if e.pack == "dept"]
        assert len(errors) == 1 and errors[0].file == str(ruleset) and errors[0].line == 11, errors
        assert registry.rule("DEPT-01") is None
    assert len(list(cache.glob("ruleset-*.json"))) == 6  # the built-in files only


def test_a_damaged_entry_is_ignored_and_rebuilt(cache: Path, tmp_path: Path) -> None:
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    fresh = _rules(_load(ruleset))
    for entry in cache.glob("ruleset-*.json"):
        entry.write_bytes(b"not JSON")
    assert _rules(_load(ruleset)) == fresh
    assert all(e.read_bytes() != b"not JSON" for e in cache.glob("ruleset-*.json"))


def test_an_unwritable_cache_directory_only_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.delenv("KL21RULES_NO_CACHE", raising=False)
    monkeypatch.setenv("KL21RULES_CACHE_DIR", str(blocker / "cache"))
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    registry = _load(ruleset)
    assert registry.errors == [] and registry.rule("DEPT-01") is not None


def _tamper(cache: Path) -> None:
    """Rewrite every entry with the rules made errors (a valid entry, but not what the files say)."""
    import json

    for entry in cache.glob("ruleset-*.json"):
        data = json.loads(entry.read_bytes())
        for rule, _source in data["rules"]:
            rule["severity"] = "error"
        entry.write_text(json.dumps(data), encoding="utf-8")


def test_the_entries_are_what_is_read(cache: Path, tmp_path: Path) -> None:
    """The control for the next test: a private directory's entries are used as they are."""
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    assert _load(ruleset).rule("DEPT-01").spec.severity == "warning"
    _tamper(cache)
    assert _load(ruleset).rule("DEPT-01").spec.severity == "error"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_a_cache_others_may_write_is_never_read(cache: Path, tmp_path: Path) -> None:
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    _load(ruleset)
    _tamper(cache)
    cache.chmod(0o777)
    assert _load(ruleset).rule("DEPT-01").spec.severity == "warning"


# --- the lint checks recorded in an entry ------------------------------------------------------


def _entry_of(cache: Path, ruleset: Path) -> dict[str, object]:
    import json

    for entry in cache.glob("ruleset-*.json"):
        data = json.loads(entry.read_bytes())
        if any(source.startswith(str(ruleset)) for _rule, source in data["rules"]):
            return dict(data)
    raise AssertionError(f"no entry for {ruleset}")


def _counting_lint(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from kl21rules.rules import lint

    seen: list[str] = []
    check = lint.check_spec

    def counted(spec: object, vocab: object) -> object:
        seen.append(getattr(spec, "id", "?"))
        return check(spec, vocab)  # type: ignore[arg-type]

    monkeypatch.setattr(lint, "check_spec", counted)
    return seen


def test_a_rule_with_a_lint_problem_is_reported_from_the_cache_too(cache: Path, tmp_path: Path) -> None:
    """A ruleset the rule model accepts is cached, but a rule naming an unknown activity type is
    refused at every load: its entry does not say it is clean, so the check runs again."""
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET.replace("type: branch_meeting", "type: branch_meetng"), encoding="utf-8")
    for _ in range(2):
        registry = _load(ruleset)
        errors = [e for e in registry.errors if e.pack == "dept"]
        assert len(errors) == 1 and "branch_meetng" in errors[0].message and errors[0].stage == "rule", errors
        assert registry.rule("DEPT-01") is None
    assert _entry_of(cache, ruleset)["lint"] is False


def test_a_clean_entry_skips_the_checks_only_with_the_built_in_vocabulary(cache: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    first = _load(ruleset)  # writes the entries
    assert _entry_of(cache, ruleset)["lint"] is True
    seen = _counting_lint(monkeypatch)
    again = _load(ruleset)
    assert seen == [] and _rules(again) == _rules(first)

    from kl21rules.submission import Activity

    class Visit(Activity):
        type: Literal["dept_visit"]

    class Dept:
        @hookimpl
        def kl21rules_pack(self) -> PackInfo:
            return PackInfo("dept", Text(vi="Gói thử", en="Test pack"), "1.0")

        @hookimpl
        def kl21rules_rulesets(self) -> list[Path]:
            return [ruleset]

        @hookimpl
        def kl21rules_activity_types(self) -> list[type]:
            return [Visit]

    with_types = load_registry(entry_points=discover() + [("dept", Dept, "kl21rules-dept", "1.0")])
    assert with_types.errors == []
    assert sorted(seen) == sorted(r.id for r in with_types.rules)  # every rule checked again


def test_no_cache_checks_every_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KL21RULES_NO_CACHE", "1")
    ruleset = tmp_path / "dept.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    seen = _counting_lint(monkeypatch)
    registry = _load(ruleset)
    assert sorted(seen) == sorted(r.id for r in registry.rules)


def test_the_quick_filter_walk_agrees_with_the_full_one() -> None:
    """``_filters_ok`` (read from a cache entry) finds a problem exactly where ``_filter_problems_in``
    (read from a file, with pointers) does, on every built-in rule and on broken ones."""
    import copy

    from kl21rules.packs import _filter_problems_in, _filters_ok
    from kl21rules.paths import RULESETS_DIR
    from kl21rules.loader import load_bytes

    rules: list[object] = []
    for file in sorted(RULESETS_DIR.glob("*.yaml")):
        document, _ = load_bytes(file.read_bytes(), "yaml")
        if document is not None and isinstance(document.data, dict):
            rules.extend(document.data.get("rules") or [])
    assert len(rules) >= 30
    broken: list[object] = [
        {"obligation": {"match": {"where": {"x": {"nope": 1}}}}},  # an unknown operator
        {"x": {"applies_to": {"unit": {"kind": {"bad": 1}}}}},  # a unit filter, deeper down
        {"where": "text"}, {"where": {"any": []}},
    ]
    for rule in rules:
        bad = copy.deepcopy(rule)
        if isinstance(bad, dict):
            bad.setdefault("applies_to", {})["unit"] = {"kind": {"zz": 1}}
        broken.append(bad)
    fine: list[object] = [
        {"applies_to": [{"unit": {"kind": {"bad": 1}}}]},  # not under applies_to itself: not a filter
        {"unit": {"kind": {"bad": 1}}},  # a top-level 'unit' is not a filter
        {"where": None}, {"where": {"not": {"a": {"gt": 1}}}},
    ]
    for node in [*rules, *broken, *fine]:
        assert _filters_ok(node) == (not _filter_problems_in(node, "")), node
    assert all(_filters_ok(node) for node in [*rules, *fine])
    assert not any(_filters_ok(node) for node in broken)
