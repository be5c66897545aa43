"""``--output FILE``: the report is written whole or not at all."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kl21rules.cli import app
from kl21rules.output import _sink

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_report_written_to_file_not_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(SAMPLES), "--format", "json", "--output", "r.json"])
    assert result.exit_code in (0, 1) and result.stdout == ""
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["summary"]["files"] == len(data["files"]) > 1
    assert leftovers(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    # A new report gets the mode any new file would, not mkstemp's private 0600.
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_failing_write_leaves_an_existing_report_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.sarif"
    target.write_text("the previous report\n", encoding="utf-8")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_sink.os, "fsync", full_disk)
    result = CliRunner().invoke(app, ["check", str(SAMPLES), "--format", "sarif", "--output", str(target),
                                      "--lang", "en"])
    assert result.exit_code == 2
    assert "Cannot write" in result.stderr and "No space left" in result.stderr
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert leftovers(tmp_path) == []


def test_rendering_that_fails_midway_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old\n", encoding="utf-8")

    def chunks() -> Iterator[str]:
        yield "first part\n"
        raise RuntimeError("renderer broke")

    with pytest.raises(RuntimeError):
        _sink.write_file_atomic(target, chunks())
    assert target.read_text(encoding="utf-8") == "old\n"
    assert leftovers(tmp_path) == []
    _sink.write_file_atomic(target, iter(["new ", "report\n"]))
    assert target.read_text(encoding="utf-8") == "new report\n"


def test_output_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(SAMPLES), "--output", "no/such/dir/r.txt"])
    assert result.exit_code == 2 and "Không ghi được" in result.stderr
    # the system's reason in Vietnamese, not the C library's English
    assert "không có thư mục hoặc tệp này" in result.stderr and "No such file" not in result.stderr
    english = CliRunner().invoke(app, ["check", str(SAMPLES), "--output", "no/such/dir/r.txt", "--lang", "en"])
    assert english.exit_code == 2 and "Cannot write" in english.stderr and "No such file or directory" in english.stderr


def test_os_reasons_in_vietnamese() -> None:
    import errno

    from kl21rules.fsutil import os_reason

    for code, words in ((errno.EACCES, "quyền"), (errno.ENOSPC, "đầy"), (errno.EISDIR, "thư mục"), (errno.EROFS, "chỉ")):
        exc = OSError(code, os.strerror(code))
        assert words in os_reason(exc, "vi") and os_reason(exc, "en") == os.strerror(code)
    assert os_reason(OSError(errno.ECHILD, os.strerror(errno.ECHILD)), "vi") == f"lỗi hệ thống số {errno.ECHILD}"
