"""The language of every command: --lang, else KL21RULES_LANG, else the configuration's lang, else vi."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kl21rules.cli import app

REPO = Path(__file__).resolve().parents[1]
SAMPLE = str(REPO / "samples" / "doan-thanh-nien-khoi-2023.yaml")

# (command, a text only the English output has, a text only the Vietnamese one has)
COMMANDS = [
    (["rules"], "Hold a conference to study", "Tổ chức hội nghị nghiên cứu"),
    (["explain", "KL21-01"], "Obligation", "Nghĩa vụ"),
    (["plugins"], "Grassroots", "Các cấp ủy"),
    (["check", SAMPLE], "Verdict:", "Kết luận:"),
    (["waivers"], "No waivers.", "Không có miễn trừ nào."),
]


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KL21RULES_LANG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("args", "en", "vi"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_every_command_follows_the_language(args: list[str], en: str, vi: str, tmp_path: Path) -> None:
    default = _run(args)
    assert vi in default and en not in default
    assert en in _run([*args, "--lang", "en"])
    assert en in _run(args, env={"KL21RULES_LANG": "en"})
    (tmp_path / "kl21rules.toml").write_text('lang = "en"\n', encoding="utf-8")
    assert en in _run(args)
    assert vi in _run([*args, "--lang", "vi"])  # the option wins over the configuration
    assert vi in _run(args, env={"KL21RULES_LANG": "vi"})  # and so does the variable


def test_a_bad_language_is_named_with_its_source() -> None:
    result = CliRunner().invoke(app, ["rules"], env={"KL21RULES_LANG": "fr"})
    assert result.exit_code == 2
    assert "KL21RULES_LANG phải là vi hoặc en, không phải 'fr'." in result.stderr
