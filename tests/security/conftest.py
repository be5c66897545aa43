"""Fixtures of the security tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from io_helpers import SAMPLES


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checked-out repository of one report (KL21-11 fails in 2022-07), as the current folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "r.yaml").write_bytes((SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml").read_bytes())
    return tmp_path
