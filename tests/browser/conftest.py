"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

Needs the ``browser`` extra (Playwright's Python package; its own browser download is not used),
Chromium at ``/usr/bin/chromium`` (or ``KL21RULES_CHROMIUM``) and axe-core under
``tests/browser/node_modules`` (``npm ci --prefix tests/browser``), all installed by ``.ci/run``.
Without them these tests are skipped with the reason — except in CI (``CI`` set), where a
missing browser is a failure: the browser tests must run there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
AXE = Path(os.environ.get("KL21RULES_AXE", HERE / "node_modules" / "axe-core" / "axe.min.js"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    found = os.environ.get("KL21RULES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return found if Path(found).exists() else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[browser]')")
    path = chromium_path()
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core is not installed ({AXE}; npm ci --prefix tests/browser)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
