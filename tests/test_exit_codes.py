"""Exit codes of ``kl21rules check`` exactly as spec/cli.md gives them: 0, 1, and 2 for each of its
causes (an input error, a bad option, a bad configuration, a pack that failed to load, a rule error)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kl21rules.cli import app

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
COMPLIANT = SAMPLES / "dang-bo-so-tai-chinh-2022.json"  # every obligation met or not yet due
WARNINGS_ONLY = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"  # fails, all of severity warning
ERROR_FAIL = SAMPLES / "dang-bo-so-gd-dt-2022-2024.yaml"  # KL21-09 2023 fails (severity error)


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no configuration is found, so only the arguments decide."""
    monkeypatch.chdir(tmp_path)


def test_0_when_every_file_is_read_and_nothing_fails() -> None:
    assert run(str(COMPLIANT)).exit_code == 0


def test_1_for_a_fail_at_the_default_fail_on() -> None:
    result = run(str(ERROR_FAIL))
    assert result.exit_code == 1
    assert "KL21-09" in result.stdout


def test_fail_below_fail_on_gives_0_and_at_it_gives_1() -> None:
    assert run(str(WARNINGS_ONLY)).exit_code == 0
    assert run(str(WARNINGS_ONLY), "--fail-on", "warning").exit_code == 1
    assert run(str(WARNINGS_ONLY), "--fail-on", "info").exit_code == 1


def test_2_for_an_input_error_even_beside_a_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "kl21rules/submission/v1", ', encoding="utf-8")
    assert run(str(broken)).exit_code == 2
    # An input error outranks a fail in another file.
    assert run(str(ERROR_FAIL), str(broken)).exit_code == 2
    assert run(str(tmp_path / "missing.yaml")).exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--fail-on", "critical"],
        ["--format", "pdf"],
        ["--lang", "fr"],
        ["--as-of", "31/02/2023"],
        ["--jobs", "-1"],
        ["--select", "KL21-99"],
        ["--ignore", "nopack"],
        ["--waivers", "no-such-file.toml"],
    ],
)
def test_2_for_a_bad_option(args: list[str]) -> None:
    result = run(str(COMPLIANT), *args)
    assert result.exit_code == 2
    assert result.stdout == ""  # nothing is checked with a bad option


def test_2_for_an_unknown_option_typer_refuses() -> None:
    assert run(str(COMPLIANT), "--no-such-option").exit_code == 2


def test_2_for_a_bad_configuration(tmp_path: Path) -> None:
    (tmp_path / "kl21rules.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    result = run(str(COMPLIANT))
    assert result.exit_code == 2
    assert "fail-on" in result.stderr  # the nearest valid key is suggested


def test_2_for_a_pack_that_fails_to_load() -> None:
    result = run(str(COMPLIANT), "-p", "kl21rules_no_such_pack_module", "--all")
    assert result.exit_code == 2
    # The other packs still ran and their findings are reported.
    assert "KL21-01" in result.stdout
    assert "gói quy tắc hoặc cấu hình không nạp được, nên mã thoát là 2." in result.stdout


RAISING_PACK = '''
from kl21rules import PackInfo, PythonRule, RuleSpec, Text, hookimpl


def judge(ctx):
    raise ZeroDivisionError("boom")


SPEC = RuleSpec.model_validate({
    "id": "TEST-01", "pack": "raising", "title": {"vi": "Thử", "en": "Test"},
    "expect": {"vi": "thử", "en": "a test"}, "refs": ["II.1"], "severity": "info",
    "obligation": {"kind": "python"},
})


@hookimpl
def kl21rules_pack():
    return PackInfo("raising", Text(vi="Gói thử", en="Test pack"), "0.0.1")


@hookimpl
def kl21rules_rules():
    return [PythonRule("TEST-01", judge, SPEC)]
'''


def test_2_for_a_rule_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "raising_pack_mod.py").write_text(textwrap.dedent(RAISING_PACK), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        result = run(str(COMPLIANT), "-p", "raising_pack_mod", "--format", "json")
        assert result.exit_code == 2
        assert '"status": "error"' in result.stdout
        # Without the raising rule the same file exits 0: the rule error alone made it 2.
        assert run(str(COMPLIANT), "-p", "raising_pack_mod", "--ignore", "TEST-01").exit_code == 0
    finally:
        sys.modules.pop("raising_pack_mod", None)
