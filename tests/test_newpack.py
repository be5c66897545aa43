"""``kl21rules new-pack``: the pack it writes passes its own tests untouched — installed for real
(``pip install -e .``) in a fresh virtual environment, ``pytest`` passes and ``kl21rules plugins``
lists it — its ruleset validates against the ruleset schema, and each mistake of the kind that
makes a rule silently never match fails to load with its message, file and line."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from freshenv import make_venv, pip, run

from kl21rules.packs import discover, load_registry
from kl21rules.ruleschema import ruleset_schema
from kl21rules.testing import load_case_file, run_case

REPO = Path(__file__).resolve().parents[1]
KL21RULES = str(Path(sys.executable).with_name("kl21rules"))
ARGS = ["so_y_te", "--prefix", "SYT", "--title-vi", "Quy định của Đảng bộ Sở Y tế",
        "--title-en", "Rules of the Department of Health", "--author", "Ban Tuyên giáo"]
MODULE = "kl21rules_so_y_te"


def _new_pack(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KL21RULES, "new-pack", *args, "--dir", str(where)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture()
def scaffold(tmp_path: Path) -> Path:
    proc = _new_pack(tmp_path, *ARGS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return tmp_path / "kl21rules-so-y-te"


def test_the_scaffold_has_every_part(scaffold: Path) -> None:
    names = sorted(str(p.relative_to(scaffold)) for p in scaffold.rglob("*") if p.is_file())
    assert names == [".github/workflows/ci.yml", ".gitignore", "README.md", "pyproject.toml", "ruleset.schema.json",
                     f"src/{MODULE}/__init__.py", f"src/{MODULE}/cases/so_y_te.yaml", f"src/{MODULE}/py.typed",
                     f"src/{MODULE}/rulesets/so_y_te.yaml", "tests/test_pack.py"]
    pyproject = (scaffold / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.kl21rules]\nso_y_te = "kl21rules_so_y_te"' in pyproject
    ruleset = scaffold / "src" / MODULE / "rulesets" / "so_y_te.yaml"
    first = ruleset.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../ruleset.schema.json"
    assert (ruleset.parent / "../../../ruleset.schema.json").resolve() == (scaffold / "ruleset.schema.json").resolve()
    readme = (scaffold / "README.md").read_text(encoding="utf-8")
    assert "Quy định của Đảng bộ Sở Y tế" in readme and "Rules of the Department of Health" in readme
    ci = yaml.safe_load((scaffold / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    steps = [s.get("run") for s in ci["jobs"]["test"]["steps"]]
    assert "kl21rules lint-rules src/" in steps and "python -m pytest -q" in steps


def test_the_scaffold_ruleset_validates_against_the_schema(scaffold: Path) -> None:
    from test_ruleschema import as_json

    schema = json.loads((scaffold / "ruleset.schema.json").read_text(encoding="utf-8"))
    assert schema == ruleset_schema()
    validator = jsonschema.Draft202012Validator(schema)
    data = as_json(scaffold / "src" / MODULE / "rulesets" / "so_y_te.yaml")
    assert [e.message for e in validator.iter_errors(data)] == []
    assert {r["obligation"]["kind"] for r in data["rules"]} == {"recurring", "python"}


def _load(scaffold: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(scaffold / "src"))
    sys.modules.pop(MODULE, None)
    try:
        return load_registry(entry_points=discover() + [("so_y_te", lambda: importlib.import_module(MODULE), "-p",
                                                          "0.1.0")])
    finally:
        sys.modules.pop(MODULE, None)


def test_the_scaffold_loads_and_its_cases_pass_in_process(scaffold: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = _load(scaffold, monkeypatch)
    assert registry.errors == []
    pack = next(p for p in registry.packs if p.name == "so_y_te")
    assert sorted(r.id for r in pack.rules) == ["SYT-01", "SYT-02"]
    cases = [c for path in pack.case_files for c in load_case_file(path)]
    assert len(cases) == 4
    assert {(c.rule, s) for c in cases for s in ("pass", "fail") if any(e["status"] == s for e in c.expect)} == {
        ("SYT-01", "pass"), ("SYT-01", "fail"), ("SYT-02", "pass"), ("SYT-02", "fail")}
    assert {c.name: run_case(c, registry) for c in cases} == {c.name: [] for c in cases}


MISTAKES = {
    "type": ("type: branch_meeting", "type: branch_meting",
             "unknown activity type 'branch_meting' (neither built in nor added by a loaded pack); "
             "did you mean 'branch_meeting'?"),
    "field": ("where: {thematic: true}", "where: {thematc: true}",
              "has no field 'thematc'; did you mean 'thematic'?"),
    "refs": ("refs: [II.6]", "refs: [III.9]", "'III.9' is not a clause of Plan 40-KH/ĐUK"),
    "param": ("where: {thematic: true}", "where: {thematic: $param.thematic}",
              "$param.thematic: parameter 'thematic' is not declared in params (declared: —)"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_fails_to_load_with_its_message(scaffold: Path, monkeypatch: pytest.MonkeyPatch,
                                                      mistake: str) -> None:
    old, new, message = MISTAKES[mistake]
    ruleset = scaffold / "src" / MODULE / "rulesets" / "so_y_te.yaml"
    text = ruleset.read_text(encoding="utf-8")
    assert text.count(old) == 1
    ruleset.write_text(text.replace(old, new), encoding="utf-8")
    registry = _load(scaffold, monkeypatch)
    [error] = registry.errors
    line = next(n for n, row in enumerate(text.replace(old, new).splitlines(), 1) if new in row)
    assert (error.pack, error.stage, error.file, error.line) == ("so_y_te", "rule", str(ruleset), line)
    assert message in error.describe("en") and "SYT-01" in error.describe("en")
    assert [r.id for p in registry.packs if p.name == "so_y_te" for r in p.rules] == ["SYT-02"]
    lint = subprocess.run([KL21RULES, "lint-rules", str(ruleset.parent), "--lang", "en"], capture_output=True,
                          text=True, timeout=120)
    assert lint.returncode == 2 and f"{ruleset}:{line}: rule SYT-01" in lint.stdout and message in lint.stdout


def test_names_and_prefixes_are_checked(tmp_path: Path) -> None:
    refused = {
        ("so_y_te", "--prefix", "KL21"): "the prefix KL21 belongs to the built-in packs",
        ("KL21", ): "the prefix KL21 belongs to the built-in packs",  # name 'KL21' is refused first
        ("Sở-Y-tế",): "invalid pack name",
        ("so_y_te", "--prefix", "syt"): "invalid prefix 'syt'",
        ("tochuc",): "a pack named 'tochuc' already exists",
    }
    for args, message in refused.items():
        proc = _new_pack(tmp_path, *args, "--lang", "en")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, args
        assert message in proc.stderr or (args == ("KL21",) and "invalid pack name" in proc.stderr), proc.stderr
    assert not any(tmp_path.iterdir())
    ok = _new_pack(tmp_path, "kl21_extra", "--prefix", "KL21", "--allow-kl21-prefix")
    assert ok.returncode == 0, ok.stderr
    assert "id: KL21-01" in (tmp_path / "kl21rules-kl21-extra/src/kl21rules_kl21_extra/rulesets/kl21_extra.yaml"
                             ).read_text(encoding="utf-8")
    again = _new_pack(tmp_path, "kl21_extra", "--prefix", "KL21", "--allow-kl21-prefix")
    assert again.returncode == 2 and "--force" in again.stderr


def test_the_prompts_are_vietnamese_first(tmp_path: Path) -> None:
    proc = subprocess.run([KL21RULES, "new-pack", "so_tu_phap", "--interactive", "--dir", str(tmp_path)],
                          input="Quy định Sở Tư pháp\nRules of the Justice Department\nSTP\nNguyễn Văn A\n",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Tên gói (tiếng Việt) / title (Vietnamese)" in proc.stdout
    init = (tmp_path / "kl21rules-so-tu-phap/src/kl21rules_so_tu_phap/__init__.py").read_text(encoding="utf-8")
    assert 'Text(vi="Quy định Sở Tư pháp", en="Rules of the Justice Department")' in init and 'PREFIX = "STP"' in init
    assert 'authors = [{name = "Nguyễn Văn A"}]' in (tmp_path / "kl21rules-so-tu-phap/pyproject.toml").read_text(
        encoding="utf-8")


# --------------------------------------------------------------------------- for real, in a fresh venv


def test_right_after_scaffolding_install_pytest_and_plugins_pass(tmp_path_factory: pytest.TempPathFactory) -> None:
    made = make_venv(tmp_path_factory.mktemp("newpack"), extra=("pytest",))
    root = made["root"]
    src = root / "kl21rules-src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "build", "dist", "__pycache__", "tests", "examples", "benchmarks", "docs",
        ".hypothesis", ".pytest_cache"))
    installed = pip(made, "install", "--no-deps", "--quiet", str(src))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    script, env = str(made["script"]), made["env"]
    proc = run([script, "new-pack", *ARGS, "--dir", str(root)], root, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pack = root / "kl21rules-so-y-te"
    installed = pip(made, "install", "--quiet", "-e", f"{pack}[test]")  # as the README says
    assert installed.returncode == 0, installed.stdout + installed.stderr
    tested = run([str(made["python"]), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA"], pack, env)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    for case in ("SYT-01:a thematic meeting in the quarter passes", "SYT-02:two inspections in the year pass"):
        assert f"PASSED src/{MODULE}/cases/so_y_te.yaml::{case}" in tested.stdout
    assert "9 passed" in tested.stdout  # 4 cases and 5 tests of tests/test_pack.py
    listed = run([script, "plugins"], pack, env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert any(line.split()[:4] == ["so_y_te", "kl21rules-so-y-te", "0.1.0", "2"] for line in listed.stdout.splitlines())
    linted = run([script, "lint-rules", "src/"], pack, env)
    assert linted.returncode == 0 and "0 lỗi" in linted.stdout, linted.stdout
    # A mistake makes the pack's own tests fail, naming it
    ruleset = pack / "src" / MODULE / "rulesets" / "so_y_te.yaml"
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace("refs: [II.6]", "refs: [III.9]"), encoding="utf-8")
    broken = run([str(made["python"]), "-m", "pytest", "-p", "no:cacheprovider", "-q"], pack, env)
    assert broken.returncode == 1 and "'III.9' is not a clause of Plan 40-KH/ĐUK" in broken.stdout
    assert run([script, "plugins"], pack, env).returncode == 2
