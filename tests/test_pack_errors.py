"""Errors a pack author can act on: ``--debug`` (or ``KL21RULES_DEBUG=1``) prints the traceback of
a failing rule or pack, ``-p`` with an installed pack says so plainly, ``-p`` takes paths (a
``.py`` file, a package folder or its ``__init__.py``), and ``-p no:NAME`` naming no pack is an
error with the nearest name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kl21rules._version import __version__

REPO = Path(__file__).resolve().parents[1]
KL21RULES = str(Path(sys.executable).with_name("kl21rules"))
SAMPLE = REPO / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml"

BOOM = '''\
from kl21rules import PythonRule, hookimpl
from kl21rules.rules.model import RuleSpec

SPEC = RuleSpec.model_validate({"id": "BOOM-01", "pack": "boom", "title": {"vi": "t", "en": "t"},
    "expect": {"vi": "x", "en": "x"}, "refs": ["II.1"], "severity": "error", "obligation": {"kind": "python"}})


def judge(ctx):
    return deeper(ctx)


def deeper(ctx):
    raise ValueError("boom in the judge")


@hookimpl
def kl21rules_rules():
    return [PythonRule("BOOM-01", judge, SPEC)]
'''
BROKEN_IMPORT = "import kl21rules\nraise RuntimeError('broken at import')\n"
BROKEN_HOOK = "from kl21rules import hookimpl\n\n@hookimpl\ndef kl21rules_rulesets():\n    raise KeyError('no such ruleset')\n"


def _run(*args: str, cwd: Path, debug_env: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KL21RULES_DEBUG"}
    if debug_env:
        env["KL21RULES_DEBUG"] = "1"
    return subprocess.run([KL21RULES, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def packs(tmp_path: Path) -> Path:
    (tmp_path / "boom.py").write_text(BOOM, encoding="utf-8")
    (tmp_path / "broken_import.py").write_text(BROKEN_IMPORT, encoding="utf-8")
    (tmp_path / "broken_hook.py").write_text(BROKEN_HOOK, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("how", ["flag-after", "flag-before", "env"])
def test_debug_prints_the_traceback_of_a_failing_rule(packs: Path, how: str) -> None:
    args = ["check", str(SAMPLE), "-p", "./boom.py", "--select", "BOOM-01"]
    if how == "flag-after":
        proc = _run(*args, "--debug", cwd=packs)
    elif how == "flag-before":
        proc = _run("--debug", *args, cwd=packs)
    else:
        proc = _run(*args, cwd=packs, debug_env=True)
    assert proc.returncode == 2, proc.stderr  # a rule error
    assert "kl21rules: traceback of rule BOOM-01 of pack boom (KL21RULES_DEBUG):" in proc.stderr
    assert f'File "{packs / "boom.py"}", line 13, in deeper' in proc.stderr
    assert proc.stderr.rstrip().endswith("ValueError: boom in the judge")
    assert "boom.py:13" in proc.stdout  # the finding names the place, as without --debug


def test_without_debug_there_is_no_traceback(packs: Path) -> None:
    proc = _run("check", str(SAMPLE), "-p", "./boom.py", "-p", "broken_import.py", "--select", "BOOM-01", cwd=packs)
    assert proc.returncode == 2  # the broken pack
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "ValueError: boom in the judge (boom.py:13)" in proc.stdout


def test_debug_prints_the_traceback_of_a_failing_pack(packs: Path) -> None:
    proc = _run("rules", "-p", "./broken_import.py", "-p", "./broken_hook.py", "--debug", cwd=packs)
    assert proc.returncode == 2
    assert "kl21rules: traceback of pack 'broken_import' (-p) (KL21RULES_DEBUG):" in proc.stderr
    assert "RuntimeError: broken at import" in proc.stderr
    assert "kl21rules: traceback of hook kl21rules_rulesets of pack 'broken_hook' (KL21RULES_DEBUG):" in proc.stderr
    assert f'File "{packs / "broken_hook.py"}", line 5, in kl21rules_rulesets' in proc.stderr


def test_p_with_an_installed_pack_is_a_clear_error(tmp_path: Path) -> None:
    proc = _run("plugins", "-p", "kl21rules.plugins.coso", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert (f"'kl21rules.plugins.coso' is pack 'coso', already installed (kl21rules {__version__}) and loaded with the "
            "others: leave out -p kl21rules.plugins.coso (-p no:coso turns the installed pack off)") in proc.stdout
    assert " at 0x" not in proc.stdout and "<module" not in proc.stdout
    vi = _run("plugins", "-p", "kl21rules.plugins.coso", cwd=tmp_path)
    assert "là gói 'coso' đã cài" in vi.stdout
    twice = _run("plugins", "-p", "./boom.py", "-p", "./boom.py", cwd=tmp_path)
    assert " at 0x" not in twice.stdout + twice.stderr


def test_p_takes_paths(packs: Path) -> None:
    pkg = packs / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .rules import *  # noqa\n", encoding="utf-8")  # a relative import
    (pkg / "rules.py").write_text(BOOM, encoding="utf-8")
    for given in ("./mypkg/__init__.py", "mypkg", "./mypkg/", str(pkg)):
        proc = _run("rules", "-p", given, "--format", "json", cwd=packs)
        assert proc.returncode == 0, (given, proc.stdout, proc.stderr)
        assert '"BOOM-01"' in proc.stdout
    proc = _run("rules", "-p", "./boom.py", cwd=packs)
    assert proc.returncode == 0 and "BOOM-01" in proc.stdout
    for given, en in (("./nope/__init__.py", "-p ./nope/__init__.py: no such file or folder"),
                      (".", "the folder is not a Python package (no __init__.py)")):
        proc = _run("rules", "-p", given, "--lang", "en", cwd=packs)
        assert proc.returncode == 2 and en in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_p_no_with_an_unknown_name_suggests_the_nearest(tmp_path: Path) -> None:
    proc = _run("rules", "-p", "no:tuyengio", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no:tuyengio: no pack is named 'tuyengio'; did you mean 'tuyengiao'?" in proc.stderr
    vi = _run("check", str(SAMPLE), "-p", "no:tuyengio", cwd=tmp_path)
    assert vi.returncode == 2 and "không có gói nào tên 'tuyengio'; có phải là 'tuyengiao'?" in vi.stdout
    ok = _run("rules", "-p", "no:tuyengiao", cwd=tmp_path)
    assert ok.returncode == 0 and "KL21-01" not in ok.stdout
