"""Outputs never destroy data (issue 9, item 5).

Once: ``--output`` equal to an input replaced the submission with the report; as root,
``--output /dev/stdout`` replaced the ``/dev/stdout`` link with a regular file; Ctrl-C during
``--jobs 2 --output`` hung in 2 of 3 tries and SIGTERM left a 136 MB ``.tmp`` file; with
``PYTHONIOENCODING=cp1258`` and stdout redirected, and with a file name that is not UTF-8,
``check`` died with an internal UnicodeEncodeError.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from io_helpers import SAMPLES, env, run, script

SAMPLE = SAMPLES / "ban-to-chuc-duk-2022.json"


def _digest(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize("how", ["same-file", "in-folder", "hard-link", "symlink", "report-option"])
def test_output_that_is_an_input_is_refused(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    submission = folder / "a.json"
    shutil.copy(SAMPLE, submission)
    before = _digest(submission)
    target, output = str(submission), str(submission)
    if how == "in-folder":
        target = str(folder)
    elif how == "hard-link":
        os.link(submission, tmp_path / "report.txt")
        output = str(tmp_path / "report.txt")
    elif how == "symlink":
        (tmp_path / "report.json").symlink_to(submission)
        output = str(tmp_path / "report.json")
    if how == "report-option":  # every report written is protected, not only --output's
        result = run("check", str(folder), "--report", f"json:{submission}", "--lang", "en", cwd=tmp_path)
    else:
        result = run("check", target, "--output", output, "--format", "json", "--lang", "en", cwd=tmp_path)
    assert result.returncode == 2
    assert b"would overwrite a submission" in result.stderr
    assert _digest(submission) == before
    assert sorted(p.name for p in folder.iterdir()) == ["a.json"]  # no temporary file either


def test_a_report_beside_the_inputs_is_still_written(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a.json")
    (tmp_path / "report.txt").write_text("old", encoding="utf-8")  # not a submission: replaced
    result = run("check", "a.json", "--output", "report.txt", "--lang", "en", "--as-of", "2024-06-30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.txt").read_text(encoding="utf-8").startswith("a.json")


def test_dev_stdout_is_written_to_not_replaced(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a.json")
    was_link = os.path.islink("/dev/stdout")
    with (tmp_path / "captured.json").open("wb") as captured:
        code = subprocess.run([script(), "check", "a.json", "--output", "/dev/stdout", "--format", "json"],
                              cwd=tmp_path, stdout=captured, stderr=subprocess.PIPE, env=env(), timeout=120,
                              check=False).returncode
    assert code == 0
    assert os.path.islink("/dev/stdout") == was_link
    assert json.loads((tmp_path / "captured.json").read_text(encoding="utf-8"))["files"][0]["path"] == "a.json"
    result = run("check", "a.json", "--output", "/dev/null", cwd=tmp_path)
    assert result.returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_a_fifo_output_is_written_to_not_replaced(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a.json")
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("check", "a.json", "--output", str(fifo), "--format", "json", cwd=tmp_path, timeout=60)
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["files"][0]["path"] == "a.json"


def test_a_symlinked_report_keeps_its_link(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a.json")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "latest.txt").write_text("old", encoding="utf-8")
    (tmp_path / "report.txt").symlink_to("reports/latest.txt")
    result = run("check", "a.json", "--output", "report.txt", "--lang", "en", "--as-of", "2024-06-30", cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "report.txt").is_symlink()
    assert (tmp_path / "reports" / "latest.txt").read_text(encoding="utf-8").startswith("a.json")


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough files that a run with --jobs 2 takes several seconds."""
    root = tmp_path_factory.mktemp("big")
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".json", ".yaml"))
    for i in range(300):
        sub = root / f"d{i:03d}"
        sub.mkdir()
        for j, sample in enumerate(samples):
            shutil.copy(sample, sub / f"{j}{sample.suffix}")
    return root


@pytest.mark.parametrize("sig,group", [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True),
                                       (signal.SIGINT, False)],
                         ids=["ctrl-c", "sigterm", "sigterm-group", "sigint"])
def test_an_interrupted_run_stops_at_once_and_leaves_the_previous_output(
        tmp_path: Path, big_folder: Path, sig: int, group: bool) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report = out_dir / "report.json"
    report.write_text("PREVIOUS", encoding="utf-8")
    proc = subprocess.Popen([script(), "check", str(big_folder), "--jobs", "2", "--output", str(report),
                             "--format", "json"], cwd=tmp_path, start_new_session=True, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".tmp") for p in out_dir.iterdir()):  # writing has begun
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        start = time.monotonic()
        if group:  # a Ctrl-C at a terminal reaches every process of the group
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        code = proc.wait(timeout=20)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert code == 128 + sig
    assert took <= 2.0, f"{took:.2f} s"
    assert report.read_text(encoding="utf-8") == "PREVIOUS"
    assert [p.name for p in out_dir.iterdir()] == ["report.json"]
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert b"Traceback" not in err, err[-2000:]
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker left behind
        os.killpg(proc.pid, 0)


def test_stdout_is_utf8_whatever_the_console_encoding(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a.json")
    for fmt in ("text", "json", "markdown", "github"):
        result = run("check", "a.json", "--format", fmt, "--as-of", "2024-06-30", cwd=tmp_path,
                     PYTHONIOENCODING="cp1258")
        assert result.returncode == 0, (fmt, result.stderr)
        assert "Ban Tổ chức" in result.stdout.decode("utf-8") or fmt == "github", fmt


def test_names_that_are_not_utf8_never_break_an_output(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    raw_name = os.path.join(os.fsencode(folder), b"b\xe1o-c\xe1o.json")
    shutil.copy(SAMPLE, raw_name)
    shutil.copy(SAMPLE, folder / "ok.json")
    for fmt in ("json", "sarif", "junit", "text", "markdown", "github", "html"):
        out = tmp_path / f"report.{fmt}"
        result = run("check", str(folder), "--format", fmt, "--output", str(out), "--as-of", "2024-06-30",
                     cwd=tmp_path)
        assert result.returncode in (0, 1), (fmt, result.stderr)
        text = out.read_text(encoding="utf-8")  # valid UTF-8
        # shown with U+FFFD (SARIF's URIs percent-encode it)
        assert "b\ufffdo-c\ufffdo.json" in text or "b%EF%BF%BDo-c%EF%BF%BDo.json" in text, fmt
        if fmt in ("json", "sarif"):
            json.loads(text)
        elif fmt == "junit":
            ET.fromstring(text)
        shown = run("check", str(folder), "--format", fmt, "--as-of", "2024-06-30", cwd=tmp_path)
        assert shown.returncode in (0, 1), (fmt, shown.stderr)
        shown.stdout.decode("utf-8")
