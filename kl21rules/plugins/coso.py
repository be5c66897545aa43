"""Pack ``coso``: Grassroots party committees and cells (Các cấp ủy, chi bộ cơ sở)."""

from __future__ import annotations

from pathlib import Path

from kl21rules._version import __version__
from kl21rules.hookspecs import hookimpl
from kl21rules.packs import PackInfo, PythonRule
from kl21rules.plugins import _builtin
from kl21rules.rules.model import Text

NAME = "coso"


@hookimpl
def kl21rules_pack() -> PackInfo:
    return PackInfo(NAME, Text(vi="Các cấp ủy, chi bộ cơ sở", en="Grassroots party committees and cells"), __version__)


@hookimpl
def kl21rules_rulesets() -> list[Path]:
    return _builtin.ruleset(NAME)


@hookimpl
def kl21rules_rule_cases() -> list[Path]:
    return _builtin.cases(NAME)


@hookimpl
def kl21rules_rules() -> list[PythonRule]:
    return []
