"""The package type-checks: mypy, configured in pyproject.toml ([tool.mypy]), finds no error.

style.md asks for "type hints throughout, checked"; this is the check. mypy runs in-process with
a fresh cache, so a stale .mypy_cache cannot hide an error (a cold run takes a few seconds).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    stdout, stderr, status = api.run(
        [
            "--config-file", str(PYPROJECT),
            "--cache-dir", str(tmp_path / "mypy_cache"),
            "--no-color-output",
            "--hide-error-context",
            str(ROOT / "kl21rules"),
        ]
    )
    assert status == 0, f"mypy (exit {status}):\n{stdout}{stderr}"
    assert "Success: no issues found" in stdout, stdout


def test_mypy_configuration_is_strict() -> None:
    """The strictness the package is held to cannot be loosened without this test noticing."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config.get("strict") is True
    # strict implies these; a per-option false would override it
    for option in ("disallow_untyped_defs", "check_untyped_defs", "warn_unused_ignores"):
        assert config.get(option, True) is True, option
    assert config.get("no_implicit_optional", True) is True
    assert "pydantic.mypy" in config.get("plugins", [])
    # overrides may only excuse modules that ship no types, never parts of the package
    for override in config.get("overrides", []):
        modules = override["module"]
        for module in [modules] if isinstance(modules, str) else modules:
            assert not module.startswith("kl21rules"), override
