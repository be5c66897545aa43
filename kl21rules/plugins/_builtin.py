"""What the built-in packs share: where their ruleset and case files live."""

from __future__ import annotations

from pathlib import Path

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"


def ruleset(name: str) -> list[Path]:
    """The pack's ruleset file."""
    return [RULESETS / f"{name}.yaml"]


def cases(name: str) -> list[Path]:
    """The pack's rule-case file (beside its ruleset)."""
    path = RULESETS / "cases" / f"{name}.yaml"
    return [path] if path.exists() else []
