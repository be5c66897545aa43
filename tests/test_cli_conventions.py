"""The command line as CI staff use it: several reports from one run (``--report FORMAT:FILE``),
the format picked by ``--output``'s name and contradictions refused, ``--exit-zero``, ``--quiet``,
``-h``, ``-V``, shell completion and help that names what each option takes."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kl21rules.cli import _outputs, app, format_of_path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
GDDT = SAMPLES / "dang-bo-so-gd-dt-2022-2024.yaml"  # KL21-09 2023 fails, severity error (exit 1)
KE_TOAN = SAMPLES / "chi-bo-phong-ke-toan-truc-thuoc-2022.yaml"


def script() -> str:
    beside = Path(sys.executable).with_name("kl21rules")
    found = str(beside) if beside.exists() else shutil.which("kl21rules")
    assert found, "the kl21rules script is not installed (pip install -e '.[dev]')"
    return found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    return subprocess.run([script(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300,
                          check=False)


@pytest.fixture()
def reports(tmp_path: Path) -> Path:
    """One failing submission and one with nothing that fails."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(GDDT, folder / "gddt.yaml")
    shutil.copy(KE_TOAN, folder / "ke-toan.yaml")
    return folder


# --- one run, several reports ---------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_reports_of_one_run_are_the_reports_of_separate_runs(reports: Path, tmp_path: Path, jobs: str) -> None:
    (reports / "hong.json").write_text('{"schema": "kl21rules/submission/v1",', encoding="utf-8")
    base = ["check", "reports", "--as-of", "2022-12-31", "--jobs", jobs]
    together = run(*base, "--report", "sarif:out/kl21.sarif", "--report", "junit:out/kl21.xml",
                   "--report", "markdown:out/summary.md", "--report", "json:out/kl21.json", cwd=tmp_path)
    assert together.returncode == 2 and "out/kl21.sarif" in together.stderr  # no such folder: an error
    (tmp_path / "out").mkdir()
    together = run(*base, "--report", "sarif:out/kl21.sarif", "--report", "junit:out/kl21.xml",
                   "--report", "markdown:out/summary.md", "--report", "json:out/kl21.json", cwd=tmp_path)
    assert together.returncode == 2, together.stderr  # the broken file
    # the text report still goes to the console
    assert "Tổng cộng: 3 tệp" in together.stdout and "hong.json" in together.stdout
    for fmt, name in (("sarif", "kl21.sarif"), ("junit", "kl21.xml"), ("markdown", "summary.md"), ("json", "kl21.json")):
        alone = run(*base, "--format", fmt, cwd=tmp_path)
        assert alone.returncode == 2
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == alone.stdout, fmt
    console = run(*base, cwd=tmp_path)
    assert console.stdout == together.stdout


def test_output_name_picks_the_format(reports: Path, tmp_path: Path) -> None:
    for name in ("r.sarif", "r.xml", "r.json", "r.md"):
        result = run("check", "reports", "--output", name, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
    sarif = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"] == "kl21rules"
    assert ET.parse(tmp_path / "r.xml").getroot().tag == "testsuites"
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["schema"] == "kl21rules/report/v1"
    assert (tmp_path / "r.md").read_text(encoding="utf-8").lstrip().startswith("#")
    other = run("check", "reports", "--output", "r.txt", cwd=tmp_path)  # a name that asks for nothing: text
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == run("check", "reports", cwd=tmp_path).stdout
    assert other.returncode == 1


@pytest.mark.parametrize("args", [
    ["--format", "text", "--output", "kl21.sarif"],
    ["--format", "json", "--output", "kl21.xml"],
    ["--report", "sarif:kl21.xml"],
    ["--report", "kl21.sarif"],
    ["--report", "sarif:"],
    ["--report", "nope:kl21.nope"],
    ["--format", "nope"],
    ["--report", "json:a.json", "--report", "json:./a.json"],
    ["--output", "a.json", "--report", "json:a.json"],
])
def test_contradictions_and_unknown_formats_are_errors(reports: Path, tmp_path: Path, args: list[str]) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("check", "reports", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # nothing checked, nothing written
    assert result.stderr.startswith("kl21rules: ") and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    en = run("check", "reports", *args, "--lang", "en", cwd=tmp_path)
    assert en.returncode == 2 and en.stderr != result.stderr


def test_output_sarif_never_silently_writes_text(reports: Path, tmp_path: Path) -> None:
    result = run("check", "reports", "--format", "text", "--output", "kl21.sarif", "--lang", "en", cwd=tmp_path)
    assert result.returncode == 2
    assert "named for format sarif" in result.stderr and "contradicts format text" in result.stderr
    assert not (tmp_path / "kl21.sarif").exists()


def test_a_format_not_available_is_a_clear_error() -> None:
    """``.html`` and ``.xlsx`` pick their formats; when one is not available, the error says so."""
    formats = {name: print for name in ("text", "json", "sarif", "junit", "markdown", "github")}
    assert format_of_path("site/kl21.HTML") == "html" and format_of_path("kl21.xlsx") == "xlsx"
    assert format_of_path("kl21.sarif.json") == "sarif" and format_of_path("kl21.log") is None
    with pytest.raises(typer.Exit) as raised:
        _outputs(None, Path("kl21.html"), None, formats, "en")
    assert raised.value.exit_code == 2
    assert _outputs(None, Path("kl21.sarif"), ["junit:j.xml"], formats, "en") == [
        ("sarif", Path("kl21.sarif")), ("junit", Path("j.xml"))]
    assert _outputs(None, None, None, formats, "vi") == [("text", None)]


def test_help_of_check_names_what_options_take_and_their_defaults() -> None:
    result = CliRunner().invoke(app, ["check", "-h"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Usage: kl21rules check [OPTIONS] {PATH}..." in text
    for shown in ("--as-of DATE", "--format FORMAT", "--output FILE", "--report FORMAT:FILE", "--select IDS",
                  "--fail-on LEVEL", "--lang LANG", "--config FILE", "--waivers FILE", "--jobs N", "--exit-zero",
                  "--quiet", "-p MODULE|no:PACK", "default: 1", "default: error", "default: text", "default: vi"):
        assert shown in text, shown


def test_short_help_and_version() -> None:
    runner = CliRunner()
    top = runner.invoke(app, ["-h"])
    assert top.exit_code == 0 and "check" in top.stdout and "--install-completion" in top.stdout
    from kl21rules._version import __version__

    version = runner.invoke(app, ["-V"])
    assert version.exit_code == 0 and version.stdout.startswith(f"kl21rules {__version__}\n")


def test_shell_completion_script(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        if os.environ.get("CI"):
            pytest.fail("bash is not installed: the completion test must run in CI", pytrace=False)
        pytest.skip("bash is not installed")
    # typer finds the shell from the parent process: run it from bash, as a user would.
    shown = subprocess.run(["bash", "-c", f"'{script()}' --show-completion"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "_KL21RULES_COMPLETE" in shown.stdout
    # The completion itself: what bash gets for "kl21rules ch<TAB>" and "kl21rules check --fo<TAB>".
    for words, cword, expected in (("kl21rules ch", "1", "check"), ("kl21rules check --fo", "2", "--format"),
                                   ("kl21rules check --ex", "2", "--exit-zero")):
        env = {**os.environ, "_KL21RULES_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
        done = subprocess.run([script()], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60,
                              check=False)
        assert expected in done.stdout.split(), (words, done.stdout)


# --- exit codes and quiet -------------------------------------------------------------------


def test_exit_zero_never_fails_on_findings_but_input_errors_still_exit_2(reports: Path, tmp_path: Path) -> None:
    assert run("check", "reports", cwd=tmp_path).returncode == 1
    zero = run("check", "reports", "--exit-zero", cwd=tmp_path)
    assert zero.returncode == 0
    assert zero.stdout.splitlines()[-1].endswith("0.")  # the text report's last sentence says exit code 0
    assert run("check", "reports", "--exit-zero", "--fail-on", "info", "--format", "json", cwd=tmp_path).returncode == 0
    (reports / "hong.json").write_text("{", encoding="utf-8")
    assert run("check", "reports", "--exit-zero", cwd=tmp_path).returncode == 2
    assert run("check", "khong-co", "--exit-zero", cwd=tmp_path).returncode == 2


def test_quiet_shows_only_problems_and_the_totals(reports: Path, tmp_path: Path) -> None:
    (reports / "hong.json").write_text("{", encoding="utf-8")
    full = run("check", "reports", "--all", cwd=tmp_path)
    quiet = run("check", "reports", "--quiet", cwd=tmp_path)
    assert quiet.returncode == full.returncode == 2
    lines = quiet.stdout.splitlines()
    assert lines[-2:] == full.stdout.splitlines()[-2:]  # the same totals and exit sentence
    assert lines[-2].startswith("Tổng cộng: 3 tệp")
    assert any("hong.json" in x for x in lines) and any("không đạt" in x for x in lines)
    for status in ("  đạt ", "chưa đến hạn ", "không áp dụng "):
        assert not any(x.startswith("  " + status.strip()) for x in lines), status
        assert any(x.startswith("  " + status.strip()) for x in full.stdout.splitlines()), status
    assert "Theo quy tắc" not in quiet.stdout and "Theo quy tắc" in full.stdout
    assert len(lines) < len(full.stdout.splitlines())
    # A file with nothing that needs attention is left out.
    passing = [x for x in full.stdout.splitlines() if x.startswith("ke-toan.yaml") or "ke-toan.yaml —" in x]
    assert passing
    quiet_en = run("check", "reports", "-q", "--lang", "en", cwd=tmp_path)
    assert quiet_en.stdout.splitlines()[-2].startswith("Total: 3 files")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_quiet_names_the_file_of_a_whole_file_error(tmp_path: Path, lang: str) -> None:
    """An error about the whole file (not UTF-8, UTF-16, random bytes) has no place in it: the
    quiet line names the file instead of starting with an empty ``  : ``."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "utf16.yaml").write_bytes("schema: kl21-report/v1\n".encode("utf-16"))
    (folder / "noise.json").write_bytes(bytes(range(128, 256)) * 4)
    (folder / "latin.yaml").write_bytes("unit: {name: caf\xe9}\n".encode("latin-1"))
    quiet = run("check", "in", "-q", "--lang", lang, cwd=tmp_path)
    assert quiet.returncode == 2, quiet.stderr
    lines = quiet.stdout.splitlines()
    assert not [x for x in lines if x.startswith("  :")], quiet.stdout
    assert any(x.startswith("  utf16.yaml: ") for x in lines), quiet.stdout
    assert sum(x.startswith("  ") for x in lines) == 3  # one line per file, each with a place or the file


def test_every_command_names_what_its_options_and_arguments_take() -> None:
    """No bare type names (``--as-of <str>``) nor lower-case argument names in any usage line."""
    command = typer.main.get_command(app)
    names = sorted(getattr(command, "commands", {}))
    assert {"check", "due", "waivers", "rules", "explain", "schema", "init", "plugins"} <= set(names)
    for name in names:
        result = CliRunner().invoke(app, [name, "-h"], terminal_width=200)
        assert result.exit_code == 0, (name, result.output)
        bare = re.findall(r"--[a-z][a-z0-9-]* <[a-z\[\]]+>", result.stdout)
        assert not bare, (name, bare)
        usage = result.stdout.splitlines()[0]
        assert not re.search(r"[\[{][a-z_]+[\]}]", usage), (name, usage)
