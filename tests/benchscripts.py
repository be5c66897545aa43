"""The scripts of benchmarks/ (generate.py, identity.py) loaded as modules, for the tests that
use them (they are scripts, not a package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name: str) -> Any:
    """``benchmarks/<name>.py`` as a fresh module named ``kl21_bench_<name>``."""
    spec = importlib.util.spec_from_file_location(f"kl21_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
