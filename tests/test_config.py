"""Configuration: where it is found, what each key does, and every mistake refused with a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kl21rules.cli import app
from kl21rules.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]
WARNINGS_ONLY = REPO / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml"

# A main session on 16/3 with one absentee reached by a make-up session 40 days later: late with
# the default 30-day window, on time with 45 days.
MAKEUP_40_DAYS = """\
schema: kl21rules/submission/v1
report: {number: "1-BC/CB", date: 2022-12-28, period: {start: 2022-01-01, end: 2022-12-31}}
unit: {id: "T.CB", name: "Chi bộ thử", kind: chi_bo_truc_thuoc, parent: "T", members: 9,
       term: {start: 2020-04-16, end: 2025-04-30}, sensitive_areas: []}
signals: []
activities:
  - {id: QT-01, type: study_session, date: 2022-03-16, mode: in_person, expected: 9, attendees: 8, makeup: false}
  - {id: QT-02, type: study_session, date: 2022-04-25, mode: in_person, expected: 1, attendees: 1, makeup: true}
"""


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def statuses(result: Result, rule: str) -> list[str]:
    data = json.loads(result.stdout)
    return [f["status"] for file in data["files"] for f in file["findings"] if f["rule"] == rule]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(MAKEUP_40_DAYS, encoding="utf-8")
    return tmp_path


def test_rule_parameter_changes_the_verdict(here: Path) -> None:
    assert statuses(run("check", "s.yaml", "--format", "json"), "KL21-02") == ["late"]
    (here / "kl21rules.toml").write_text('[rules."KL21-02"]\nmakeup_within_days = 45\n', encoding="utf-8")
    assert statuses(run("check", "s.yaml", "--format", "json"), "KL21-02") == ["pass"]


def test_pyproject_section_is_found_upward(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.kl21rules.rules."KL21-02"]\nmakeup_within_days = 45\n', encoding="utf-8")
    deeper = here / "a" / "b"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    assert statuses(run("check", str(here / "s.yaml"), "--format", "json"), "KL21-02") == ["pass"]


def test_kl21rules_toml_comes_before_pyproject_in_the_same_folder(here: Path) -> None:
    (here / "pyproject.toml").write_text('[tool.kl21rules]\nlang = "en"\n', encoding="utf-8")
    (here / "kl21rules.toml").write_text('lang = "vi"\n', encoding="utf-8")
    assert load_config(None, here).lang == "vi"
    (here / "kl21rules.toml").unlink()
    assert load_config(None, here).lang == "en"


def test_nearest_file_wins_and_pyproject_without_section_ends_the_search(here: Path) -> None:
    (here / "kl21rules.toml").write_text('lang = "en"\n', encoding="utf-8")
    sub = here / "sub"
    sub.mkdir()
    assert load_config(None, sub).lang == "en"
    # A pyproject.toml marks a project's root: the search stops there (issue 9), section or not.
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(None, sub).lang is None
    (sub / "kl21rules.toml").write_text('[tool.kl21rules]\nlang = "vi"\n', encoding="utf-8")
    assert load_config(None, sub).lang == "vi"


def test_explicit_config_file(here: Path) -> None:
    other = here / "elsewhere.toml"
    other.write_text('[rules."KL21-02"]\nmakeup_within_days = 45\n', encoding="utf-8")
    (here / "kl21rules.toml").write_text('lang = "en"\n', encoding="utf-8")  # not read with --config
    result = run("check", "s.yaml", "--format", "json", "--config", str(other))
    assert statuses(result, "KL21-02") == ["pass"]
    messages = [f["message"] for f in json.loads(result.stdout)["files"][0]["findings"] if f["rule"] == "KL21-02"]
    assert messages and messages[0].startswith("Hội nghị")  # kl21rules.toml (lang = "en") was not read


def test_explicit_pyproject_without_section_is_an_error(here: Path) -> None:
    (here / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    result = run("check", "s.yaml", "--config", "pyproject.toml")
    assert result.exit_code == 2
    assert "[tool.kl21rules]" in result.stderr


def test_lang_fail_on_select_ignore_from_config(here: Path) -> None:
    config = 'lang = "en"\nfail-on = "warning"\nselect = ["KL21-0"]\nignore = ["KL21-02"]\n'
    (here / "kl21rules.toml").write_text(config, encoding="utf-8")
    result = run("check", str(WARNINGS_ONLY), "--format", "json")
    data = json.loads(result.stdout)
    rules = {f["rule"] for f in data["files"][0]["findings"]}
    assert rules == {f"KL21-0{n}" for n in range(1, 10)} - {"KL21-02"}
    assert "done on" in data["files"][0]["findings"][0]["message"]  # English
    assert result.exit_code == 1  # KL21-04 fails with severity warning, and fail-on is warning
    # The command line wins over the configuration.
    assert run("check", str(WARNINGS_ONLY), "--fail-on", "error").exit_code == 0


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('fail_on = "warning"\n', "Did you mean 'fail-on'?"),
        ('langu = "en"\n', "Did you mean 'lang'?"),
        ('[rules."KL21-99"]\nwithin_days = 3\n', "unknown rule"),
        ('[rules."KL21-02"]\nmakeup_days = 45\n', "valid parameters: makeup_within_days"),
        ('[rules."KL21-02"]\nmakeup_within_days = "45"\n', "must be a whole number"),
        ('[rules."KL21-02"]\nmakeup_within_days = true\n', "must be a whole number"),
        ('lang = "fr"\n', "'lang' must be one of vi, en"),
        ('fail-on = "fatal"\n', "'fail-on' must be one of"),
        ('select = "KL21-01"\n', "must be a list of strings"),
        ('ignore = ["KL21-77"]\n', "matches no rule or pack"),
        ("lang = \n", "not valid TOML"),
        ('[[waivers]]\nrule = "KL21-11"\nunit = "*"\napprover = "BTC"\nexpires = 2022-01-01\n',
         "a waiver needs a non-blank 'reason'"),
        ('[[waivers]]\nrule = "KL21-11"\nunit = "*"\napprover = "BTC"\nreason = "x"\n',
         "a waiver needs a non-blank 'expires'"),
        ('[[waivers]]\nrule = "KL21-11"\nunit = "*"\napprover = "BTC"\nreason = "x"\nexpires = "soon"\n', "expires"),
        ('[[waivers]]\nrule = "KL21-11"\nreason = "x"\nexpires = 2030-01-01\nperiode = "2022"\n',
         "Did you mean 'period'?"),
        ('[[waivers]]\nrule = "KL21-111"\nunit = "*"\napprover = "BTC"\nreason = "x"\nexpires = 2022-01-01\n',
         "unknown rule 'KL21-111'"),
    ],
)
def test_configuration_mistakes_exit_2_with_a_hint(here: Path, text: str, needle: str) -> None:
    (here / "kl21rules.toml").write_text(text, encoding="utf-8")
    result = run("check", "s.yaml", "--lang", "en")
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert result.stdout == ""


def test_configuration_errors_in_vietnamese_by_default(here: Path) -> None:
    (here / "kl21rules.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    result = run("check", "s.yaml")
    assert "Có phải là 'fail-on'?" in result.stderr


def test_missing_explicit_config(here: Path) -> None:
    with pytest.raises(ConfigError):
        load_config(here / "nope.toml", here)
    assert run("check", "s.yaml", "--config", "nope.toml").exit_code == 2


def test_no_configuration_anywhere_is_empty(here: Path) -> None:
    cfg = load_config(None, here)
    assert (cfg.lang, cfg.fail_on, cfg.waivers, cfg.rule_params) == (None, None, [], {})
