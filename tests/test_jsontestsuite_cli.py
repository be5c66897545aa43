"""Hostile input through the command line: every file of JSONTestSuite's ``test_parsing`` and the
loader's own hard cases (empty, garbage, deep nesting, bad UTF-8, BOM + CRLF, NFD text).

None of them is a submission, so each must give exit code 2 and an input error — never a
traceback, a hang or a crash — and one bad file must not stop the others of the run from being
checked. The suite is kept in ``tests/data/jsontestsuite`` (with its licence) and checked in one
in-process run; a few files also go through a real ``kl21rules`` process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kl21rules.cli import app

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / "tests" / "data" / "jsontestsuite" / "test_parsing"
SAMPLE = REPO / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
SAMPLE_JSON = REPO / "samples" / "dang-bo-so-tai-chinh-2022.json"

ERROR_KEYS = {"pointer", "line", "code", "message"}


def script() -> str:
    """The installed ``kl21rules`` console script (beside this Python, else on PATH)."""
    beside = Path(sys.executable).with_name("kl21rules")
    found = str(beside) if beside.exists() else shutil.which("kl21rules")
    assert found, "the kl21rules script is not installed (pip install -e '.[dev]')"
    return found


def suite_files() -> list[Path]:
    assert SUITE.is_dir(), f"JSONTestSuite not found at {SUITE} (tests/data/jsontestsuite)"
    return sorted(SUITE.iterdir())


def run_cli(args: list[str], stdin: bytes | None = None) -> tuple[int, dict[str, Any], str]:
    """``kl21rules check ARGS --format json`` in this process: exit code, report, stderr."""
    result = CliRunner().invoke(app, ["check", *args, "--format", "json"], input=stdin)
    # A traceback would show up as an exception other than the SystemExit of typer.Exit.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout), result.stderr


def files_by_path(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in report["files"]}


def assert_input_error(entry: dict[str, Any]) -> None:
    """A file entry carries at least one well-formed input error and no findings."""
    assert entry["errors"], entry["path"]
    assert entry["findings"] == []
    for error in entry["errors"]:
        assert ERROR_KEYS <= set(error), error
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["pointer"], str)
        assert error["line"] is None or (isinstance(error["line"], int) and error["line"] >= 1)
        assert isinstance(error["message"], str) and error["message"]


def test_suite_has_318_files() -> None:
    files = suite_files()
    assert len(files) == 318
    assert {f.name[0] for f in files} == {"i", "n", "y"}


def test_every_suite_file_gives_an_input_error_in_one_run() -> None:
    files = suite_files()
    code, report, stderr = run_cli([str(f) for f in files])
    assert code == 2
    assert "Traceback" not in stderr
    entries = report["files"]
    assert [e["path"] for e in entries] == [str(f) for f in files]  # the order given
    for entry in entries:
        assert_input_error(entry)
    assert report["summary"]["files"] == 318
    assert report["summary"]["input_errors"] >= 318
    assert sum(report["summary"][s] for s in ("pass", "late", "fail", "pending", "not_applicable")) == 0


def test_suite_errors_name_what_is_wrong() -> None:
    """Spot checks of the error code for files whose fault is plain from their name."""
    chosen = {
        "n_structure_100000_opening_arrays.json": "too-deep",
        "n_object_trailing_comma.json": "json-syntax",
        "n_single_space.json": "empty",
        "y_object_duplicated_key.json": "duplicate-key",
        "i_string_UTF-16LE_with_BOM.json": "encoding",
        "n_array_invalid_utf8.json": "encoding",
        "i_string_invalid_utf-8.json": "encoding",
        "y_array_empty.json": "type",            # valid JSON, but not an object
        "y_object_simple.json": "schema-version",  # an object without 'schema'
    }
    assert all((SUITE / name).is_file() for name in chosen)
    code, report, _ = run_cli([str(SUITE / name) for name in chosen])
    assert code == 2
    got = {Path(e["path"]).name: [err["code"] for err in e["errors"]] for e in report["files"]}
    for name, expected in chosen.items():
        assert expected in got[name], (name, got[name])


@pytest.mark.parametrize(
    "name",
    [
        "n_structure_100000_opening_arrays.json",
        "n_array_invalid_utf8.json",
        "i_object_key_lone_2nd_surrogate.json",
        "y_structure_lonely_null.json",
        "n_structure_open_array_object.json",
    ],
)
def test_suite_file_in_a_real_process(name: str) -> None:
    assert (SUITE / name).is_file()
    result = subprocess.run(
        [script(), "check", str(SUITE / name), "--format", "json"],
        capture_output=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 2, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    report = json.loads(result.stdout.decode("utf-8"))
    (entry,) = report["files"]
    assert_input_error(entry)


# --- The loader's hard cases, next to a good file -------------------------------------------


@pytest.fixture()
def hard_cases(tmp_path: Path) -> dict[str, Path]:
    """Hostile files written to a temporary folder, by what each one tests."""
    good = SAMPLE.read_bytes()
    cases = {
        "empty.json": b"",
        "empty.yaml": b"",
        "blank.yaml": b" \r\n\t\n",
        "garbage.json": bytes(range(256)) * 8,
        "garbage.yaml": bytes(range(255, -1, -1)) * 8,
        "nested.json": b"[" * 100_000 + b"]" * 100_000,
        "nested-objects.json": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "nested.yaml": b"[" * 100_000 + b"]" * 100_000,
        "nested-block.yaml": b"".join(b"  " * i + b"- \n" for i in range(2_000)),
        "latin1.yaml": good.replace("Nguyễn Trãi".encode(), "Nguy\xe9n".encode("latin-1"), 1),
        "truncated.yaml": good[: len(good) // 2] + b"\xe1\xbb",
        "nul.json": b'{"schema": "kl21rules/submission/v1"\x00}',
    }
    paths = {}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        paths[name] = path
    return paths


def test_hard_cases_each_give_an_input_error_and_the_good_file_is_checked(hard_cases: dict[str, Path]) -> None:
    names = sorted(hard_cases)
    half = len(names) // 2
    args = [str(hard_cases[n]) for n in names[:half]] + [str(SAMPLE)] + [str(hard_cases[n]) for n in names[half:]]
    code, report, stderr = run_cli(args)
    assert code == 2
    entries = files_by_path(report)
    assert len(entries) == len(args)
    for name in names:
        assert_input_error(entries[str(hard_cases[name])])
    good = entries[str(SAMPLE)]
    assert good["errors"] == []
    assert good["findings"], "the good file between bad ones must still be judged"
    assert good["unit"]["id"] == "KCQ.THPTNT"
    codes = {name: {e["code"] for e in entries[str(hard_cases[name])]["errors"]} for name in names}
    assert codes["empty.json"] == codes["empty.yaml"] == codes["blank.yaml"] == {"empty"}
    assert codes["nested.json"] == codes["nested-objects.json"] == {"too-deep"}
    # PyYAML's own flow-depth guard answers first for YAML; either code says what is wrong.
    assert codes["nested.yaml"] in ({"too-deep"}, {"yaml-syntax"})
    assert codes["latin1.yaml"] == {"encoding"}
    latin1 = entries[str(hard_cases["latin1.yaml"])]["errors"][0]
    expected_line = SAMPLE.read_bytes().split("Nguyễn Trãi".encode())[0].count(b"\n") + 1
    assert latin1["line"] == expected_line


def test_hard_case_through_standard_input() -> None:
    code, report, _ = run_cli(["-"], stdin=b"[" * 100_000)
    assert code == 2
    (entry,) = report["files"]
    assert entry["path"] == "-"
    assert_input_error(entry)


def test_missing_and_unknown_files_next_to_a_good_one(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("không phải báo cáo", encoding="utf-8")
    missing = tmp_path / "missing.json"
    code, report, _ = run_cli([str(missing), str(SAMPLE_JSON), str(other)])
    assert code == 2
    entries = files_by_path(report)
    assert [e["code"] for e in entries[str(missing)]["errors"]] == ["not-found"]
    assert [e["code"] for e in entries[str(other)]["errors"]] == ["format"]
    assert entries[str(SAMPLE_JSON)]["errors"] == []
    assert entries[str(SAMPLE_JSON)]["findings"]


def _findings(entry: dict[str, Any]) -> list[Any]:
    return [(f["rule"], f["status"], f["period"], f["item"], f["due"], f["evidence"]) for f in entry["findings"]]


def test_bom_and_crlf_file_is_valid_and_judged_the_same(tmp_path: Path) -> None:
    for sample in (SAMPLE, SAMPLE_JSON):
        text = sample.read_bytes()
        assert b"\r\n" not in text
        windows = tmp_path / ("windows-" + sample.name)
        windows.write_bytes(b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
        code, report, _ = run_cli([str(sample), str(windows), "--as-of", "2023-12-31"])
        original, converted = report["files"]
        assert converted["errors"] == []
        assert converted["unit"] == original["unit"]
        assert _findings(converted) == _findings(original)
        assert converted["findings"]


def test_nfd_text_is_read_as_nfc(tmp_path: Path) -> None:
    for sample in (SAMPLE, SAMPLE_JSON):
        text = sample.read_text(encoding="utf-8")
        decomposed = unicodedata.normalize("NFD", text)
        assert decomposed != text
        nfd = tmp_path / ("nfd-" + sample.name)
        nfd.write_text(decomposed, encoding="utf-8")
        code, report, _ = run_cli([str(sample), str(nfd), "--as-of", "2023-12-31"])
        original, converted = report["files"]
        assert converted["errors"] == []
        assert converted["unit"] == original["unit"]  # names come back NFC, equal to the original
        assert unicodedata.is_normalized("NFC", converted["unit"]["name"])
        assert _findings(converted) == _findings(original)


def test_nfd_and_nfc_ids_refer_to_each_other(tmp_path: Path) -> None:
    """A signal id written NFD (macOS) and referred to in NFC (Windows) is the same id."""
    nfc_id = "VV-Đảng-01"
    doc = {
        "schema": "kl21rules/submission/v1",
        "unit": {"id": "KCQ.T", "name": "Đảng bộ thử", "kind": "dang_bo_co_so", "members": 10},
        "signals": [{"id": unicodedata.normalize("NFD", nfc_id), "kind": "violation", "date": "2022-05-02"}],
        "activities": [{"type": "discipline", "date": "2022-06-01", "signal": nfc_id, "outcome": "warning"}],
    }
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert unicodedata.normalize("NFD", nfc_id).encode() in path.read_bytes()
    code, report, _ = run_cli([str(path), "--as-of", "2022-12-31"])
    (entry,) = report["files"]
    assert entry["errors"] == []


def test_console_script_on_a_bad_and_a_good_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = subprocess.run([script(), "check", str(bad), str(SAMPLE), "--format", "json"],
                            capture_output=True, timeout=120, cwd=REPO)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["files"][0]["errors"] and report["files"][1]["findings"]
