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


#: Started by a small Python process rather than by pytest itself: a child's peak memory
#: (ru_maxrss) includes the memory of the process that forked it, and pytest's grows with the
#: tests run before (a 400 MB pytest made a 120 MB check measure 397 MB).
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
out = proc.stdout.read()
_pid, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss * 1024}")
sys.stdout.buffer.write(out)
"""


def run_measured(args: list[str], cwd: Path) -> tuple[int, str, float, int]:
    """Run kl21rules; its exit code, standard output, CPU seconds and peak memory (bytes) — of
    that process alone (os.wait4, in a small parent of its own), so the figures depend neither on
    other tests' processes nor on the test process's own size."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, script(), *args], cwd=cwd, capture_output=True,
                          env=env(), stdin=subprocess.DEVNULL, check=True)
    code, cpu, memory = done.stderr.decode().split()
    return int(code), done.stdout.decode("utf-8"), float(cpu), int(memory)


def invoke(*args: str) -> Any:
    """Run ``kl21rules ARGS`` in this process (typer's CliRunner); never an exception but exit."""
    from typer.testing import CliRunner

    from kl21rules.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result
