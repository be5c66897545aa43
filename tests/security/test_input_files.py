"""Hostile files and folders: only regular files are read, reads are bounded, nothing outside the
folder given is read through a link, and what cannot be read is an error (issue 9, item 4).

Once: ``kl21rules check /dev/zero``, a committed symlink ``r.yaml -> /dev/urandom`` and a FIFO
named ``f.json`` read without bound or hung; a symlink to ``/etc/passwd`` was read and its text
reached the SARIF output; an unreadable sub-folder was skipped in silence (exit 0).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from io_helpers import SAMPLES, env, run, script

from kl21rules.check import iter_paths, read_target
from kl21rules.loader import MAX_JSON_BYTES

SAMPLE = SAMPLES / "ban-to-chuc-duk-2022.json"


def _errors(out: bytes) -> dict[str, list[dict[str, object]]]:
    return {f["path"]: f["errors"] for f in json.loads(out)["files"]}


def test_a_device_is_an_input_error_without_reading(tmp_path: Path) -> None:
    start = time.monotonic()
    result = run("check", "/dev/zero", "--format", "json", "--lang", "en", cwd=tmp_path, timeout=30)
    assert time.monotonic() - start < 20
    assert result.returncode == 2
    (error,) = _errors(result.stdout)["/dev/zero"]
    assert error["code"] == "not-a-file" and "device" in str(error["message"])


def test_fifo_socket_and_links_to_devices_never_block(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "ok.json")
    os.mkfifo(folder / "f.json")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "s.json"))
        (folder / "r.yaml").symlink_to("/dev/urandom")
        start = time.monotonic()
        result = run("check", str(folder), "--format", "json", "--lang", "en", "--as-of", "2024-06-30",
                     cwd=tmp_path, timeout=60)
        assert time.monotonic() - start < 30
        # named directly, a link to a device is refused for what it is
        direct = run("check", str(folder / "r.yaml"), "--format", "json", "--lang", "en", cwd=tmp_path, timeout=30)
    finally:
        sock.close()
    assert result.returncode == 2
    errors = _errors(result.stdout)
    assert errors[f"{folder.as_posix()}/ok.json"] == []
    assert "FIFO" in str(errors[f"{folder.as_posix()}/f.json"][0]["message"])
    assert "socket" in str(errors[f"{folder.as_posix()}/s.json"][0]["message"])
    assert errors[f"{folder.as_posix()}/r.yaml"][0]["code"] == "outside-folder"
    assert direct.returncode == 2
    assert "device" in str(_errors(direct.stdout)[str(folder / "r.yaml")][0]["message"])


def test_fifo_named_directly_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.json")
    result = run("check", "f.json", "--format", "json", "--lang", "en", cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert _errors(result.stdout)["f.json"][0]["code"] == "not-a-file"


def test_a_link_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "s.json").write_text('{"schema": "SECRET-TEXT-42"}', encoding="utf-8")
    folder = tmp_path / "repo"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "ok.json")
    (folder / "passwd.json").symlink_to("/etc/passwd")
    (folder / "leak.json").symlink_to(secret / "s.json")
    (folder / "sub" / "inside.json").symlink_to("../ok.json")  # stays inside: read
    for fmt in ("sarif", "json", "text"):
        result = run("check", "repo", "--format", fmt, "--lang", "en", "--as-of", "2024-06-30", cwd=tmp_path)
        assert result.returncode == 2, fmt
        assert b"SECRET-TEXT-42" not in result.stdout and b"root:" not in result.stdout, fmt
    result = run("check", "repo", "--format", "json", "--lang", "en", "--as-of", "2024-06-30", cwd=tmp_path)
    errors = _errors(result.stdout)
    assert errors["repo/passwd.json"][0]["code"] == "outside-folder"
    assert errors["repo/leak.json"][0]["code"] == "outside-folder"
    assert errors["repo/sub/inside.json"] == []
    # The person running kl21rules may name a file anywhere: it is read.
    named = run("check", str(secret / "s.json"), "--format", "json", "--lang", "en", cwd=tmp_path)
    assert b"SECRET-TEXT-42" in named.stdout


def test_an_unreadable_folder_is_an_error_in_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Permissions do not stop root (CI runs as root), so listing the folder is made to fail.
    folder = tmp_path / "repo"
    (folder / "b-locked").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "a.json")
    shutil.copy(SAMPLE, folder / "c.json")
    real = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("b-locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = [(label, getattr(p, "code", None)) for label, p in iter_paths([str(folder)])]
    assert found == [(f"{folder.as_posix()}/a.json", None), (f"{folder.as_posix()}/b-locked", "unreadable"),
                     (f"{folder.as_posix()}/c.json", None)]
    from typer.testing import CliRunner

    from kl21rules.cli import app

    result = CliRunner().invoke(app, ["check", str(folder), "--format", "json", "--lang", "en",
                                      "--as-of", "2024-06-30"])
    assert result.exit_code == 2
    errors = _errors(result.stdout.encode())
    assert "Cannot read the folder" in str(errors[f"{folder.as_posix()}/b-locked"][0]["message"])


def test_reads_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:  # sparse: a huge size costs no disk
        handle.truncate(50 * MAX_JSON_BYTES)
    raw, error = read_target("big.json", big)
    assert raw is None and error is not None and error.code == "too-large"
    assert "200.0 MB" in error.en

    class Endless:
        asked = 0

        def read(self, n: int = -1) -> bytes:
            assert n > 0, "an unbounded read"
            self.asked += n
            return b" " * n

    stream = Endless()
    raw, error = read_target("-", None, stdin=stream)
    assert raw is not None and len(raw) == MAX_JSON_BYTES + 1 and stream.asked == MAX_JSON_BYTES + 1
    zero = os.open("/dev/zero", os.O_RDONLY)  # standard input that never ends
    try:
        proc = subprocess.run([script(), "check", "-", "--format", "json", "--lang", "en"], stdin=zero,
                              capture_output=True, env=env(), timeout=60, check=False)
    finally:
        os.close(zero)
    assert proc.returncode == 2
    assert _errors(proc.stdout)["-"][0]["code"] == "too-large"
