"""The cache of loaded ruleset files (kl21rules.packs): same rules as a fresh load, never a hidden
ruleset error, and a damaged or stale entry is ignored."""

from __future__ import annotations

import os
from pathlib import Path

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
