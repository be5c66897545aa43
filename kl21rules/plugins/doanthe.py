"""Pack ``doanthe``: Mass organisations of the bloc (Các đoàn thể trực thuộc Đảng ủy Khối)."""

from __future__ import annotations

from pathlib import Path

from kl21rules._version import __version__
from kl21rules.hookspecs import hookimpl
from kl21rules.packs import PackInfo, PythonRule
from kl21rules.plugins import _builtin
from kl21rules.rules.model import Text

NAME = "doanthe"


@hookimpl
def kl21rules_pack() -> PackInfo:
    return PackInfo(NAME, Text(vi="Các đoàn thể trực thuộc Đảng ủy Khối", en="Mass organisations of the bloc"), __version__)


@hookimpl
def kl21rules_rulesets() -> list[Path]:
    return _builtin.ruleset(NAME)


@hookimpl
def kl21rules_rule_cases() -> list[Path]:
    return _builtin.cases(NAME)


@hookimpl
def kl21rules_rules() -> list[PythonRule]:
    return []
