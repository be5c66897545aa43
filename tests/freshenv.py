"""Fresh virtual environments for tests that install kl21rules (or a pack) the way a user does.

A fresh venv is made without pip and without ``--system-site-packages``; pip of the running
interpreter installs into it (``pip --python``). kl21rules's runtime dependencies (pydantic, typer,
pluggy, PyYAML, rich and what they need) are made visible through a folder of links to exactly
those installed distributions (a ``.pth`` file), so no index is needed for them and kl21rules's own
checkout or editable install is never on the path.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def runtime_distributions(roots: tuple[str, ...] = ("kl21rules",)) -> list[md.Distribution]:
    """The runtime dependencies of ``roots``, and theirs, as installed here (extras left out);
    kl21rules itself is never among them."""
    env = {"extra": ""}
    todo, seen, out = list(roots), set(), []
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        dist = md.distribution(name)
        if name != "kl21rules":
            out.append(dist)
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate(env):
                todo.append(req.name)
    return out


def link_dependencies(folder: Path, extra: tuple[str, ...] = ()) -> None:
    """A folder with links to exactly the files of kl21rules's dependencies (and of ``extra`` with
    theirs)."""
    folder.mkdir()
    for dist in runtime_distributions(("kl21rules", *extra)):
        for top in sorted({Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}):
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (folder / top).exists() and top != "__pycache__":
                (folder / top).symlink_to(source)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def make_venv(root: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """A new venv under ``root`` seeing only kl21rules's dependencies (and ``extra``), not kl21rules."""
    target = root / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)],
                          capture_output=True, text=True, timeout=120)
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if made.returncode != 0 or not python.exists():
        pytest.skip(f"cannot create a venv here: {made.stderr.strip()}")
    env = clean_env()
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, env=env, check=True).stdout.strip())
    link_dependencies(root / "deps", extra)
    (site / "kl21rules-test-deps.pth").write_text(str(root / "deps") + "\n", encoding="utf-8")
    script = python.with_name("kl21rules.exe" if os.name == "nt" else "kl21rules")
    return {"root": root, "venv": target, "python": python, "script": script, "env": env, "site": site}


def pip(venv: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    """pip of this interpreter, installing into ``venv``."""
    return run([sys.executable, "-m", "pip", "--python", str(venv["python"]), *args], venv["root"], venv["env"])
