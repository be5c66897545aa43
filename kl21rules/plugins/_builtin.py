"""What the built-in packs share: one plugin class, and where their ruleset and case files live.

Each built-in pack module creates one :class:`BuiltinPack` named ``plugin``; its entry point
(``kl21rules.plugins.coso:plugin``) is found and registered exactly like an installed pack's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kl21rules._version import __version__
from kl21rules.hookspecs import hookimpl
from kl21rules.packs import PackInfo, PythonRule
from kl21rules.paths import RULESETS_DIR
from kl21rules.rules.model import Text

RULESETS = RULESETS_DIR


class BuiltinPack:
    """A department's pack: its ruleset ``rulesets/NAME.yaml``, its cases ``rulesets/cases/NAME.yaml``
    and the Python rules it passes in."""

    def __init__(self, name: str, title: Text, rules: Callable[[], list[PythonRule]] | None = None) -> None:
        self.name = name
        self.title = title
        self._rules = rules

    @hookimpl
    def kl21rules_pack(self) -> PackInfo:
        return PackInfo(self.name, self.title, __version__)

    @hookimpl
    def kl21rules_rulesets(self) -> list[Path]:
        return [RULESETS / f"{self.name}.yaml"]

    @hookimpl
    def kl21rules_rule_cases(self) -> list[Path]:
        path = RULESETS / "cases" / f"{self.name}.yaml"
        return [path] if path.exists() else []

    @hookimpl
    def kl21rules_rules(self) -> list[PythonRule]:
        return self._rules() if self._rules is not None else []
