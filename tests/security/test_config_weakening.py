"""Attack: a configuration committed in the checked repository weakens the check in silence.

``disable`` every pack, or ``ignore = ["K"]``, exited 0 with no word in the report. Now a run in
which no rule is selected is an error (exit 2), and what a run leaves out (packs disabled, rules
not checked) is said in every output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from io_helpers import invoke as run


PACKS = ["coso", "doanthe", "tochuc", "tuyengiao", "ubkt", "vanphong"]


@pytest.mark.parametrize("config", [
    'ignore = ["K"]\n',
    'ignore = ["KL21"]\n',
    f"disable = {json.dumps(PACKS)}\n",
    'select = ["KL21-01"]\nignore = ["KL21-01"]\n',
])
def test_a_configuration_that_selects_no_rule_is_an_error(repo: Path, config: str) -> None:
    (repo / "kl21rules.toml").write_text(config, encoding="utf-8")
    for lang, words in (("vi", "Không có quy tắc nào được xét"), ("en", "No rule is selected")):
        result = run("check", "r.yaml", "--lang", lang)
        assert result.exit_code == 2
        assert words in result.stderr and result.stdout == ""


def test_no_rule_from_the_command_line_is_an_error_too(repo: Path) -> None:
    assert run("check", "r.yaml", *[a for p in PACKS for a in ("-p", f"no:{p}")]).exit_code == 2


def test_left_out_packs_and_rules_are_said_in_every_output(repo: Path) -> None:
    (repo / "kl21rules.toml").write_text('disable = ["coso"]\nignore = ["KL21-02"]\n', encoding="utf-8")
    outputs = {fmt: run("check", "r.yaml", "--format", fmt, "--lang", "en").stdout
               for fmt in ("text", "json", "sarif", "junit", "markdown", "github")}
    for fmt, text in outputs.items():
        assert "Rule packs disabled, not checked: coso." in text, fmt
        assert "rule(s) not checked (select/ignore): KL21-02" in text, fmt
    problems = {p["code"]: p["message"] for p in json.loads(outputs["json"])["problems"]}
    assert set(problems) >= {"packs-disabled", "rules-not-checked"}
    assert problems["rules-not-checked"].endswith("KL21-02.")
    run_ = json.loads(outputs["sarif"])["runs"][0]
    assert run_["properties"] == {"kl21rules/disabledPacks": ["coso"], "kl21rules/rulesNotChecked": ["KL21-02"]}
    vi = run("check", "r.yaml").stdout
    assert "Các gói quy tắc bị tắt, không xét: coso." in vi and "quy tắc không được xét" in vi


def test_a_full_run_says_nothing_of_the_kind(repo: Path) -> None:
    result = run("check", "r.yaml", "--format", "sarif")
    assert "properties" not in json.loads(result.stdout)["runs"][0]
    assert "packs-disabled" not in result.stdout and "rules-not-checked" not in result.stdout
