"""Helpers of the input/output security tests: run the installed kl21rules script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def script() -> str:
    """The kl21rules script of the environment running the tests."""
    beside = Path(sys.executable).with_name("kl21rules")
    found = str(beside) if beside.exists() else shutil.which("kl21rules")
    assert found, "the kl21rules script is not installed (pip install -e '.[dev]')"
    return found


def env(**extra: str) -> dict[str, str]:
    """The test's environment without CI (progress bars are off anyway: no terminal)."""
    return {**{k: v for k, v in os.environ.items() if k != "CI"}, **extra}


def run(*args: str, cwd: Path, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``kl21rules ARGS`` and wait for it (bytes out and err)."""
    return subprocess.run([script(), *args], cwd=cwd, capture_output=True, env=env(**extra), timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)


def run_measured(args: list[str], cwd: Path) -> tuple[int, str, float, int]:
    """Run kl21rules; its exit code, standard output, CPU seconds and peak memory (bytes) — of
    that process alone (os.wait4), so the figures do not depend on other tests' processes."""
    proc = subprocess.Popen([script(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, env=env())
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out.decode("utf-8"), usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def invoke(*args: str) -> Any:
    """Run ``kl21rules ARGS`` in this process (typer's CliRunner); never an exception but exit."""
    from typer.testing import CliRunner

    from kl21rules.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result
