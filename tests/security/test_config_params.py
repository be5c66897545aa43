"""Attack: a configuration sets a rule parameter that empties the rule (``within_days = 100000``).

Parameters have declared types and bounds in the rule's metadata; a value outside them is a
configuration error (exit 2), in Vietnamese and English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from io_helpers import invoke as run

from kl21rules.packs import load_registry
from kl21rules.rules.model import Param, Text



@pytest.mark.parametrize(("table", "words"), [
    ('[rules."KL21-07"]\nwithin_days = 100000\n', "must be from 1 to 366, not 100000"),
    ('[rules."KL21-07"]\nwithin_days = 0\n', "must be from 1 to 366, not 0"),
    ('[rules."KL21-07"]\nwithin_days = -5\n', "must be from 1 to 366"),
    ('[rules."KL21-02"]\nmakeup_within_days = 367\n', "must be from 1 to 366, not 367"),
    ('[rules."KL21-08"]\nterm_year = 40\n', "must be from 0 to 5"),
    ('[rules."KL21-08"]\nwindow = "always"\n', "must be a table {start = DATE, end = DATE}"),
    ('[rules."KL21-08"]\nwindow = {start = 2024-01-01, end = 2023-01-01}\n', "start not after end"),
    ('[rules."KL21-08"]\nwindow = {start = 2023-01-01, end = 2023-12-31, extra = 1}\n', "must be a table"),
    ('[rules."KL21-07"]\nwithin_days = 30.5\n', "must be a whole number"),
])
def test_out_of_range_parameters_are_configuration_errors(repo: Path, table: str, words: str) -> None:
    (repo / "kl21rules.toml").write_text(table, encoding="utf-8")
    result = run("check", "r.yaml", "--lang", "en")
    assert result.exit_code == 2
    assert words in result.stderr and result.stdout == ""
    assert "tham số" in run("check", "r.yaml").stderr


def test_values_inside_the_bounds_are_used(repo: Path) -> None:
    (repo / "kl21rules.toml").write_text(
        '[rules."KL21-07"]\nwithin_days = 366\n[rules."KL21-08"]\nwindow = {start = 2023-01-01, end = 2023-12-31}\n',
        encoding="utf-8")
    assert run("check", "r.yaml").exit_code in (0, 1)


def test_every_built_in_day_count_is_bounded() -> None:
    """Every numeric parameter of a built-in rule declares bounds (what this security rests on)."""
    for rule in load_registry().rules:
        for name, param in rule.spec.params.items():
            if isinstance(param.default, (int, float)) and not isinstance(param.default, bool):
                assert param.min is not None and param.max is not None, (rule.id, name)
            if name.endswith("within_days"):
                assert (param.min, param.max) == (1, 366), (rule.id, name)


def test_bounds_are_checked_in_the_rule_metadata_too() -> None:
    doc = Text(vi="x", en="x")
    with pytest.raises(ValueError):
        Param(default=500, doc=doc, type="integer", min=1, max=366)
    with pytest.raises(ValueError):
        Param(default=5, doc=doc, min=10, max=1)
    with pytest.raises(ValueError):
        Param(default=None, doc=doc, type="window", min=1)
    assert Param(default=30, doc=doc, type="integer", min=1, max=366).bounds_text() == "1–366"
