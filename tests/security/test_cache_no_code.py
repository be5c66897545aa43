"""Attack: a planted ruleset cache entry.

The ruleset cache used to be a pickle: anyone who could put a file in the cache folder (a relative
``KL21RULES_CACHE_DIR``, an ``XDG_CACHE_HOME`` inside the checkout, a ``~/.cache`` restored by a
CI cache step) ran code, with no trace. Entries are now JSON data, validated again as rules when
read: a planted or damaged entry is at worst ignored, and rewritten from the ruleset file.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import kl21rules.packs as packs_module
from kl21rules.packs import Registry, load_registry

MARKER_CODE = "open({marker!r}, 'w').write('ran')"


class _Payload:
    """Unpickling this runs code: what an attacker would plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (MARKER_CODE.format(marker=str(self.marker)),))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.delenv("KL21RULES_NO_CACHE", raising=False)
    monkeypatch.setenv("KL21RULES_CACHE_DIR", str(directory))
    return directory


def _rules(registry: Registry) -> list[tuple[str, object, str | None]]:
    assert registry.errors == []
    return [(r.id, r.spec, r.source) for r in registry.rules]


def _fresh(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object, str | None]]:
    with monkeypatch.context() as m:
        m.setenv("KL21RULES_NO_CACHE", "1")
        return _rules(load_registry())


def test_the_cache_module_holds_no_pickle_or_marshal() -> None:
    source = Path(packs_module.__file__).read_text(encoding="utf-8")
    assert "import pickle" not in source and "import marshal" not in source


def test_a_planted_pickle_runs_nothing_and_is_rebuilt(cache: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _fresh(monkeypatch)
    assert _rules(load_registry()) == expected
    entries = sorted(cache.glob("ruleset-*"))
    assert entries and all(e.suffix == ".json" for e in entries)
    marker = tmp_path / "PWNED"
    payload = pickle.dumps(_Payload(marker))
    for entry in entries:
        entry.write_bytes(payload)
        entry.with_suffix(".pickle").write_bytes(payload)  # the old format's name too
    assert _rules(load_registry()) == expected
    assert not marker.exists()
    for entry in entries:
        assert json.loads(entry.read_bytes())["format"].startswith("kl21rules-ruleset-cache/")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda rule: rule.update(severity="fatal"), id="invalid-severity"),
        pytest.param(lambda rule: rule.update(pack="other"), id="other-pack"),
        pytest.param(lambda rule: rule.update(obligation={"kind": "python", "code": "import os"}), id="extra-field"),
        pytest.param(lambda rule: rule.update(applies_to={"unit": {"kind": {"regex_exec": "x"}}}), id="bad-filter"),
        pytest.param(lambda rule: rule.update(title={"$date": "not a date"}), id="bad-date-tag"),
    ],
)
def test_a_planted_entry_that_is_not_valid_rules_is_ignored(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                            tamper: object) -> None:
    expected = _fresh(monkeypatch)
    load_registry()
    for entry in cache.glob("ruleset-*.json"):
        data = json.loads(entry.read_bytes())
        for rule, _source in data["rules"]:
            tamper(rule)  # type: ignore[operator]
        entry.write_text(json.dumps(data), encoding="utf-8")
    assert _rules(load_registry()) == expected
    assert _rules(load_registry()) == expected  # rewritten: read back from the cache


def test_an_entry_for_another_file_or_with_a_forged_source_is_ignored(cache: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _fresh(monkeypatch)
    load_registry()
    entries = sorted(cache.glob("ruleset-*.json"))
    for entry in entries:
        data = json.loads(entry.read_bytes())
        data["rules"] = [[rule, "https://example.invalid/x:1"] for rule, _ in data["rules"]]
        entry.write_text(json.dumps(data), encoding="utf-8")
    assert _rules(load_registry()) == expected
    first = json.loads(entries[0].read_bytes())
    for entry in entries[1:]:  # each holds another file's (valid) rules under its own name
        entry.write_text(json.dumps(first), encoding="utf-8")
    assert _rules(load_registry()) == expected


def test_a_huge_entry_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _fresh(monkeypatch)
    load_registry()
    for entry in cache.glob("ruleset-*.json"):
        entry.write_bytes(b"[" * (packs_module._CACHE_MAX_BYTES + 10))
    assert _rules(load_registry()) == expected


def test_a_relative_cache_directory_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative directory would be inside whatever folder kl21rules is started in (a checkout)."""
    monkeypatch.delenv("KL21RULES_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KL21RULES_CACHE_DIR", "cache")
    assert packs_module.cache_dir() is None
    load_registry()
    assert list(tmp_path.iterdir()) == []
    monkeypatch.delenv("KL21RULES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert packs_module.cache_dir() != Path("relative") / "kl21rules"
