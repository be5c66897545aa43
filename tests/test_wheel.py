"""The built wheel carries everything a check needs: built with ``pip wheel --no-deps`` from a copy
of the checkout, installed (not editable) into a fresh venv (``tests/freshenv.py``), it gives the
same report on the samples as the checkout, reading its rulesets from inside the installed package.

The design card keeps the built-in rulesets in the top-level ``rulesets/`` folder;
``pyproject.toml`` maps that folder into the package as ``kl21rules/rulesets``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from freshenv import make_venv, pip, run

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _packages_listed() -> list[str]:
    with (REPO / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["tool"]["setuptools"]["packages"])


def test_every_folder_of_the_package_is_listed_in_pyproject() -> None:
    found = {".".join(p.relative_to(REPO).parts) for p in (REPO / "kl21rules").rglob("*")
             if p.is_dir() and p.name != "__pycache__" and any(c.is_file() for c in p.iterdir())}
    found.add("kl21rules")
    listed = set(_packages_listed())
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
    assert {"kl21rules.rulesets", "kl21rules.rulesets.cases"} <= listed
    assert not (REPO / "kl21rules" / "rulesets").exists()  # the rulesets live at the top level


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    made = make_venv(tmp_path_factory.mktemp("wheel"))
    root = made["root"]
    src = root / "src"  # a copy, so the checkout gets no build/ or egg-info folders
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "build", "dist", "__pycache__", "tests", "examples", "benchmarks",
        ".hypothesis", ".pytest_cache"))
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(root / "dist"), str(src)],
                root, made["env"])
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = sorted((root / "dist").glob("kl21rules-*.whl"))
    assert len(wheels) == 1, wheels
    installed = pip(made, "install", "--no-deps", "--no-index", "--find-links", str(root / "dist"), "--quiet",
                    "kl21rules")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    shutil.rmtree(src)  # nothing of the checkout's copy can be read after this
    made["wheel"] = wheels[0]
    return made


def test_the_wheel_holds_the_rulesets_inside_the_package(wheel_venv: dict[str, Any]) -> None:
    names = set(zipfile.ZipFile(wheel_venv["wheel"]).namelist())
    expected = {f"kl21rules/rulesets/{p.relative_to(REPO / 'rulesets').as_posix()}"
                for p in (REPO / "rulesets").rglob("*.yaml")}
    assert "kl21rules/rulesets/plan_clauses.yaml" in expected and "kl21rules/rulesets/cases/coso.yaml" in expected
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith("rulesets/") for n in names)  # no top-level package named rulesets
    assert {"kl21rules/schema/submission-v1.json", "kl21rules/py.typed"} <= names


def test_the_installed_copy_reads_its_own_files(wheel_venv: dict[str, Any]) -> None:
    proc = run([str(wheel_venv["python"]), "-c",
                "import kl21rules, kl21rules.paths as p; print(kl21rules.__file__); print(p.RULESETS_DIR)"],
               wheel_venv["root"], wheel_venv["env"])
    assert proc.returncode == 0, proc.stderr
    module, rulesets = proc.stdout.split()
    assert Path(module).is_relative_to(wheel_venv["site"]), module
    assert Path(rulesets) == Path(module).parent / "rulesets"


@pytest.mark.parametrize("args", [["--format", "json", "--lang", "en"], ["--all"]], ids=["json-en", "text-vi"])
def test_the_installed_wheel_reports_the_samples_as_the_checkout(wheel_venv: dict[str, Any], args: list[str]) -> None:
    cmd = ["check", str(SAMPLES), "--as-of", "2023-06-30", *args]
    installed = run([str(wheel_venv["script"]), *cmd], wheel_venv["root"], wheel_venv["env"])
    here = subprocess.run([str(Path(sys.executable).with_name("kl21rules")), *cmd], cwd=wheel_venv["root"],
                          capture_output=True, text=True, timeout=300)
    assert installed.returncode == here.returncode and here.returncode in (0, 1), installed.stderr + here.stderr
    assert installed.stderr == here.stderr
    assert installed.stdout == here.stdout
    if "--format" in args:  # every finding is in the JSON report: the built-in packs judged
        assert '"rule": "KL21-01"' in installed.stdout and '"rule": "KL21-D01"' in installed.stdout
    explained = run([str(wheel_venv["script"]), "explain", "KL21-01"], wheel_venv["root"], wheel_venv["env"])
    assert explained.returncode == 0 and "quán triệt Kết luận số 21-KL/TW" in explained.stdout  # plan_clauses.yaml
