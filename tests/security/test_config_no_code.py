"""Attack: a configuration committed in the checked repository names a module to import.

A ``kl21rules.toml`` with ``plugins = ["evil"]`` and an ``evil.py`` beside it ran that module
when kl21rules was started there with ``PYTHONPATH=.`` (as CI often is). A configuration *found*
by searching is untrusted input: ``plugins`` in it is refused (exit 2) and nothing is imported;
only ``--config FILE`` (named by the person running) or ``-p`` may load a module. ``--isolated``
reads no configuration, and the upward search stops at a repository's root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kl21rules.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml"


def kl21rules(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": ".", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-c", "from kl21rules.cli import main; main()", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A checked repository with a configuration naming a module committed next to it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "r.yaml").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "evil.py").write_text(
        "from pathlib import Path\nPath(__file__).with_name('PWNED').write_text('ran')\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("kl21rules.toml", 'plugins = ["evil"]\n'),
        ("kl21rules.toml", '[tool.kl21rules]\nplugins = ["evil"]\n'),
        ("pyproject.toml", '[project]\nname = "x"\n[tool.kl21rules]\nplugins = ["evil"]\n'),
    ],
)
def test_found_configuration_cannot_import_a_module(planted: Path, name: str, text: str) -> None:
    (planted / name).write_text(text, encoding="utf-8")
    for lang, words in (("vi", "không được dùng trong cấu hình tìm thấy"), ("en", "is not allowed in a configuration found")):
        result = kl21rules(planted, "check", "r.yaml", "--lang", lang)
        assert result.returncode == 2, result.stderr
        assert not (planted / "PWNED").exists()
        assert "plugins" in result.stderr and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_key_beside_the_tool_table_is_refused_not_passed_over(planted: Path) -> None:
    (planted / "kl21rules.toml").write_text('plugins = ["evil"]\n[tool.kl21rules]\nlang = "en"\n', encoding="utf-8")
    result = kl21rules(planted, "check", "r.yaml")
    assert result.returncode == 2
    assert "'plugins'" in result.stderr and "[tool.kl21rules]" in result.stderr
    assert not (planted / "PWNED").exists()


@pytest.mark.parametrize("command", [["waivers"], ["due", "r.yaml"], ["rules"], ["explain", "KL21-01"]])
def test_other_commands_do_not_import_it_either(planted: Path, command: list[str]) -> None:
    (planted / "kl21rules.toml").write_text('plugins = ["evil"]\n', encoding="utf-8")
    result = kl21rules(planted, *command, "--lang", "en")
    assert not (planted / "PWNED").exists()
    if command[0] in ("waivers", "due"):  # the commands that read the configuration refuse it
        assert result.returncode == 2 and "'plugins'" in result.stderr
    assert "Traceback" not in result.stderr


def test_isolated_reads_no_configuration(planted: Path) -> None:
    (planted / "kl21rules.toml").write_text('plugins = ["evil"]\n', encoding="utf-8")
    result = kl21rules(planted, "check", "r.yaml", "--isolated", "--format", "json")
    assert result.returncode == 0, result.stderr  # the sample's fails are warnings
    assert not (planted / "PWNED").exists()
    assert load_config(None, planted, isolated=True).plugins == []
    with pytest.raises(ConfigError):
        load_config(planted / "kl21rules.toml", planted, isolated=True)


def test_plugins_from_a_file_named_on_the_command_line_are_honoured(planted: Path) -> None:
    """The person running chose that file: it is trusted like ``-p``."""
    (planted / "mine.toml").write_text('plugins = ["evil"]\n', encoding="utf-8")
    kl21rules(planted, "check", "r.yaml", "--config", "mine.toml")
    assert (planted / "PWNED").exists()


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "kl21rules.toml").write_text('lang = "en"\n', encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    assert load_config(None, repo / "sub").lang == "en"  # no root marker: the search goes up
    (repo / ".git").mkdir()
    assert load_config(None, repo / "sub").path is None  # stops at the folder holding .git
    (repo / ".git").rmdir()
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(None, repo / "sub").path is None  # ... or pyproject.toml without the section


def test_unknown_top_level_table_in_an_explicit_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[tool.kl21rules]\nlang = "en"\n[tool.other]\nx = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "c.toml", tmp_path)
    assert "tool.other" in caught.value.en
