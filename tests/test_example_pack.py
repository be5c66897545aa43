"""The example external pack (``examples/kl21rules-so-tai-chinh``) works as a department would
use it: installed with pip into a fresh environment, it shows in ``kl21rules plugins`` with its
distribution and version, its rules judge in ``kl21rules check``, and its own YAML rule cases pass
with the public testing kit.

The fresh environment (``tests/freshenv.py``) is a new venv into which pip installs, from copies
of their sources and without dependencies, kl21rules itself and the example; kl21rules's runtime
dependencies are linked in, so no network is needed for them; building the two packages may fetch
setuptools for pip's isolated build.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from freshenv import make_venv, pip, run

from kl21rules.packs import discover, load_registry
from kl21rules.testing import load_case_file, run_case

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "kl21rules-so-tai-chinh"
SAMPLE = EXAMPLE / "samples" / "dang-bo-so-tai-chinh-2023.yaml"
PACK, DIST, MODULE = "so_tai_chinh", "kl21rules-so-tai-chinh", "kl21rules_so_tai_chinh"


def _example_version() -> str:
    import tomllib

    with (EXAMPLE / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


# --------------------------------------------------------------------------- in this process


@pytest.fixture()
def registry_with_example(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    yield load_registry(entry_points=discover() + [
        (PACK, lambda: importlib.import_module(MODULE), DIST, _example_version())])
    sys.modules.pop(MODULE, None)


def test_the_example_rule_cases_pass_with_the_testing_kit(registry_with_example: Any) -> None:
    registry = registry_with_example
    assert registry.errors == []
    pack = next(p for p in registry.packs if p.name == PACK)
    assert sorted(r.id for r in pack.rules) == ["STC-01", "STC-02"]
    assert {r.spec.obligation.kind for r in pack.rules} == {"recurring", "python"}  # one of each
    cases = [c for path in pack.case_files for c in load_case_file(path)]
    for status in ("pass", "fail"):
        assert {c.rule for c in cases if any(e.get("status") == status for e in c.expect)} == {"STC-01", "STC-02"}
    failures = {f"{c.rule}: {c.name}": problems for c in cases if (problems := run_case(c, registry))}
    assert failures == {}


# --------------------------------------------------------------------------- a fresh environment


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    made = make_venv(tmp_path_factory.mktemp("fresh"), extra=("pytest",))
    root = made["root"]
    # Build from copies, so the checkout gets no build/ or egg-info folders.
    src = root / "src"
    shutil.copytree(REPO, src / "kl21rules", ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "build", "__pycache__", "tests", "examples", "benchmarks", "docs",
        ".hypothesis", ".pytest_cache"))
    shutil.copytree(EXAMPLE, src / "example", ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    # As the example's README says: both from the repository, kl21rules not being on the index; its
    # dependencies are already there (linked), the example's own (kl21rules) is the local copy.
    installed = pip(made, "install", "--quiet", str(src / "kl21rules"), str(src / "example"))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    made["example"] = src / "example"
    return made


def test_the_readme_says_how_to_install_from_the_repository() -> None:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "pip install . ./examples/kl21rules-so-tai-chinh" in readme  # what the fixture above does


def test_the_installed_pack_passes_its_own_tests(venv: dict[str, Any]) -> None:
    """``pytest`` in the example's folder: its tests, and each of its rule cases as a test of its
    own (kl21rules' pytest plugin, from the installed kl21rules)."""
    proc = run([str(venv["python"]), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA"], venv["example"],
               venv["env"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cases = [c for c in load_case_file(EXAMPLE / "src" / MODULE / "cases" / f"{PACK}.yaml")]
    for c in cases:
        assert f"PASSED src/{MODULE}/cases/{PACK}.yaml::{c.rule}:{c.name}" in proc.stdout
    assert f"{len(cases) + 3} passed" in proc.stdout  # the cases, one load test and two coverage tests
    linted = run([str(venv["script"]), "lint-rules", "src", "--lang", "en"], venv["example"], venv["env"])
    assert linted.returncode == 0 and "1 file(s), 2 rule(s), 0 problem(s)" in linted.stdout, linted.stdout


def test_the_fresh_environment_holds_only_the_installed_copies(venv: dict[str, Any]) -> None:
    proc = run([str(venv["python"]), "-c", "import kl21rules, kl21rules_so_tai_chinh as p, importlib.metadata as m;"
                 "print(kl21rules.__file__); print(p.__file__); print(m.version('kl21rules-so-tai-chinh'))"],
                venv["root"], venv["env"])
    assert proc.returncode == 0, proc.stderr
    core, pack, version = proc.stdout.split()
    for path in (core, pack):
        assert Path(path).is_relative_to(venv["root"] / "venv"), path
    assert version == _example_version()
    assert sysconfig.get_paths()["purelib"] not in proc.stdout


def test_the_installed_pack_appears_in_plugins_with_its_distribution_and_version(venv: dict[str, Any]) -> None:
    proc = run([str(venv["script"]), "plugins", "--format", "json", "--lang", "en"], venv["root"], venv["env"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    packs = {p["name"]: p for p in report["packs"]}
    assert (packs[PACK]["origin"], packs[PACK]["version"], packs[PACK]["rules"]) == (DIST, _example_version(), 2)
    assert {"coso", "doanthe", "tochuc", "tuyengiao", "ubkt", "vanphong"} <= set(packs)
    text = run([str(venv["script"]), "plugins"], venv["root"], venv["env"]).stdout
    assert any(line.split()[:3] == [PACK, DIST, _example_version()] for line in text.splitlines())


def test_the_installed_pack_judges_in_check(venv: dict[str, Any]) -> None:
    proc = run([str(venv["script"]), "check", str(SAMPLE), "--format", "json", "--lang", "en"],
                venv["root"], venv["env"])
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["tool"]["packs"][PACK] == _example_version()
    assert report["files"][0]["errors"] == []  # its activity type, thematic_meeting, is known
    mine = [(f["rule"], f["period"], f["status"]) for f in report["files"][0]["findings"] if f["rule"].startswith("STC-")]
    # as of the report date 2023-12-20: Q2's meeting was on another topic, Q4 is still running
    assert mine == [("STC-01", "2023-Q1", "pass"), ("STC-01", "2023-Q2", "fail"), ("STC-01", "2023-Q3", "pass"),
                    ("STC-01", "2023-Q4", "pending"), ("STC-02", "2023", "pass")]
    assert any(f["rule"] == "KL21-01" for f in report["files"][0]["findings"])  # the built-in packs ran too
    proc = run([str(venv["script"]), "check", str(SAMPLE), "--format", "json", "-p", f"no:{PACK}"],
                venv["root"], venv["env"])
    assert proc.returncode == 2  # without the pack, thematic_meeting is an unknown activity type
    assert PACK not in json.loads(proc.stdout)["tool"]["packs"]


def test_the_installed_pack_is_tested_by_the_kit_from_its_installed_files(venv: dict[str, Any]) -> None:
    code = (
        "from kl21rules.packs import load_registry\n"
        "from kl21rules.testing import load_case_file, run_case\n"
        "reg = load_registry()\n"
        f"pack = next(p for p in reg.packs if p.name == {PACK!r})\n"
        "cases = [c for f in pack.case_files for c in load_case_file(f)]\n"
        "bad = [(c.name, run_case(c, reg)) for c in cases if run_case(c, reg)]\n"
        "print(len(cases), bad, pack.case_files[0])\n"
    )
    proc = run([str(venv["python"]), "-c", code], venv["root"], venv["env"])
    assert proc.returncode == 0, proc.stderr
    count, rest = proc.stdout.split(" ", 1)
    assert int(count) >= 4 and rest.startswith("[] ")
    assert Path(rest.split()[-1]).is_relative_to(venv["root"] / "venv")  # package data was installed
    explained = run([str(venv["script"]), "explain", "STC-02", "--lang", "en"], venv["root"], venv["env"])
    assert explained.returncode == 0 and "STC-02" in explained.stdout
