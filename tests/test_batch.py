"""Batches: folders checked file by file, in one process or several, with the same output bytes;
files are not kept in memory; the progress bar only for a person at a terminal."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kl21rules import cli
from kl21rules.batch import FileStream, effective_jobs, run_check, stream_check
from kl21rules.check import CheckOptions
from kl21rules.output import builtin_streamer
from kl21rules.packs import load_registry
from kl21rules.report import FileReport, Tally

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def script() -> str:
    beside = Path(sys.executable).with_name("kl21rules")
    found = str(beside) if beside.exists() else shutil.which("kl21rules")
    assert found, "the kl21rules script is not installed (pip install -e '.[dev]')"
    return found


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated batch: the samples copied into nested folders, a broken file, a file
    that is not a submission (ignored) and names that sort differently by path and by name."""
    root = tmp_path_factory.mktemp("batch")
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".json", ".yaml", ".yml"))
    for i in range(3):
        for j, sample in enumerate(samples):
            sub = root / f"khoi-{i}" / ("b" if j % 2 else "a")
            sub.mkdir(parents=True, exist_ok=True)
            shutil.copy(sample, sub / f"{j:02d}-{sample.name}")
    (root / "khoi-1" / "hong.json").write_text('{"schema": "kl21rules/submission/v1",', encoding="utf-8")
    (root / "khoi-1" / "ghi-chu.txt").write_text("not a submission", encoding="utf-8")
    return root


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([script(), *args], cwd=cwd, input=stdin, capture_output=True, env=env, timeout=300,
                          check=False)


WAIVERS = """\
[[waivers]]
rule = "KL21-11"
unit = "KCQ.THPTNT"
period = "2022-07"
reason = "Sáp nhập chi bộ, văn bản 12/CV-ĐUK"
approver = "Ban Tổ chức"
expires = 2024-06-30

[[waivers]]
rule = "KL21-11"
unit = "KCQ.THPTNT"
period = "2022-04"
reason = "Đã hết hạn"
approver = "Ban Tổ chức"
expires = 2022-06-30

[[waivers]]
rule = "KL21-11"
unit = "KCQ.THPTNT"
period = "2031-01"
reason = "Không khớp kết quả nào"
approver = "Ban Tổ chức"
expires = 2024-01-01
"""


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "junit", "markdown", "github"])
def test_jobs_give_the_same_bytes_as_one_process(folder: Path, fmt: str) -> None:
    """Workers render each file's part, apply its waivers and count it: the parent must write
    exactly what one process does, waivers (applied, expired, unmatched) and totals included."""
    (folder / "waivers.toml").write_text(WAIVERS, encoding="utf-8")
    args = ["check", ".", "--as-of", "2023-12-31", "--format", fmt, "--waivers", "waivers.toml", "--fail-on", "info"]
    one = run(*args, cwd=folder)
    assert one.returncode == 2  # the broken file
    assert one.stdout.count(b"hong.json") >= 1
    if fmt in ("json", "text", "markdown"):
        # the waiver applied (3 copies of its sample), and the expired and unmatched ones told
        assert one.stdout.count("Sáp nhập chi bộ".encode()) == 3
        assert b"KL21-11 KCQ.THPTNT 2022-04" in one.stdout and b"KCQ.THPTNT 2031-01" in one.stdout
    for jobs in ("2", "0"):
        many = run(*args, "--jobs", jobs, cwd=folder)
        assert many.returncode == one.returncode
        assert many.stdout == one.stdout, f"--jobs {jobs} differs"
        assert many.stderr == one.stderr


def test_exit_code_with_jobs_counts_waived_fails_as_one_process(tmp_path: Path) -> None:
    """Exit code 1 comes from the tally the workers send back: a waiver that lifts every fail
    at or above --fail-on must give 0 with --jobs as without."""
    sample = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
    for i in range(4):
        shutil.copy(sample, tmp_path / f"{i}.yaml")
    args = ["check", ".", "--as-of", "2023-12-31", "--format", "json", "--fail-on", "info", "-q"]
    one = run(*args, cwd=tmp_path)
    failing = sorted({f["rule"] for f in json.loads(one.stdout)["files"][0]["findings"] if f["status"] == "fail"})
    assert failing
    (tmp_path / "w.toml").write_text("".join(
        f'[[waivers]]\nrule = "{rule}"\nunit = "*"\nreason = "Chấp thuận"\napprover = "Ban Tổ chức"\n'
        f'expires = 2024-06-30\n' for rule in failing),
        encoding="utf-8")
    waived = [run(*args, "--waivers", "w.toml", "--jobs", j, cwd=tmp_path) for j in ("1", "2")]
    assert one.returncode == 1
    assert [w.returncode for w in waived] == [0, 0]
    assert waived[0].stdout == waived[1].stdout


def test_standard_input_among_files_with_jobs(folder: Path) -> None:
    raw = (SAMPLES / "dang-bo-so-tai-chinh-2022.json").read_bytes()
    args = ["check", "khoi-0/a", "-", "khoi-2/b", "--format", "json"]
    one = run(*args, cwd=folder, stdin=raw)
    many = run(*args, "--jobs", "2", cwd=folder, stdin=raw)
    assert one.stdout == many.stdout and b'"path": "-"' in one.stdout
    assert one.returncode == many.returncode


def test_folders_are_walked_in_the_order_of_their_sorted_paths(tmp_path: Path) -> None:
    """Folders are listed lazily, one directory at a time, yet in the order of every path sorted
    as a whole: ``-`` < ``.`` < ``/`` < ``0``, so a folder's files and sub-folders interleave."""
    from kl21rules.check import iter_paths

    names = ["b-c.json", "b.json", "b/x.json", "b0.json", "b/y/z.yaml", "B.JSON", "b.json2/q.yml", "a b/ü.json",
             "b!/k.json", "x.txt", "é/1.json", "e/1.json", "b/0/a.json", "b/-/a.json", "b/a.json"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    got = [label for label, _ in iter_paths([str(tmp_path), "-", str(tmp_path / "b")])]
    expected = sorted((tmp_path / n).as_posix() for n in names if not n.endswith(".txt"))
    inner = sorted((tmp_path / n).as_posix() for n in names if n.startswith("b/"))
    assert got == [*expected, "-", *inner]
    assert len(stream_check([str(tmp_path)], load_registry(), CheckOptions()).files) == len(expected)


def test_walked_labels_are_those_of_pathlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A walked file is a plain path string; its label is what ``Path(path).as_posix()`` writes,
    for the folder ``.`` (no leading ``./``), ``./x/``, ``x//y`` and an absolute folder alike."""
    from kl21rules.check import iter_paths

    for name in ("a.json", "sub/b.yaml", "sub/deeper/c.yml", "é x/d.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for target in (".", "./", "./sub/", "sub//deeper", str(tmp_path), f"{tmp_path}/./sub"):
        found = list(iter_paths([target]))
        assert found and all(type(p) is str for _, p in found)
        assert [label for label, _ in found] == [Path(p).as_posix() for _, p in found]
        assert all(os.path.isfile(p) for _, p in found)
    assert [label for label, _ in iter_paths(["."])] == ["a.json", "sub/b.yaml", "sub/deeper/c.yml", "é x/d.json"]


def test_folder_order_is_by_path_and_only_submissions(folder: Path) -> None:
    report = run_check([str(folder)], load_registry(), CheckOptions())
    paths = [Path(f.path).relative_to(folder).as_posix() for f in report.files]
    assert paths == sorted(paths)
    assert "khoi-1/ghi-chu.txt" not in paths and "khoi-1/hong.json" in paths
    assert len(paths) == 3 * len([p for p in SAMPLES.iterdir() if p.suffix in (".json", ".yaml")]) + 1


def test_a_stream_does_not_keep_the_files(folder: Path) -> None:
    """Memory must not grow with the number of files: while a report streams, only the file being
    rendered is alive (a list of FileReports would grow to every file of the batch)."""
    alive: list[int] = []

    def count(_: FileReport) -> None:
        gc.collect()
        alive.append(sum(1 for o in gc.get_objects() if isinstance(o, FileReport)))

    report = stream_check([str(folder)], load_registry(), CheckOptions(lines=True), on_file=count)
    for chunk in builtin_streamer("sarif")(report, "vi"):
        assert chunk is not None
    assert len(alive) > 20
    assert max(alive) <= 3


def test_stream_is_gone_through_once_and_tallies_like_a_list(folder: Path) -> None:
    registry = load_registry()
    report = stream_check([str(folder)], registry, CheckOptions())
    stream = report.files
    assert isinstance(stream, FileStream)
    files = list(stream)
    with pytest.raises(RuntimeError):
        list(stream)
    assert report.summary() == Tally.of(files).summary()
    assert report.summary() == run_check([str(folder)], registry, CheckOptions()).summary()


def test_effective_jobs() -> None:
    assert effective_jobs(1, 100) == 1
    assert effective_jobs(4, 2) == 2  # never more processes than files
    assert effective_jobs(3, 0) == 1
    assert effective_jobs(0, 1000) >= 1


@pytest.mark.parametrize(
    ("quiet", "ci", "stderr_tty", "stdout_tty", "output", "shown"),
    [
        (False, None, True, False, None, True),  # piped report, person watching stderr
        (False, None, True, True, Path("r.json"), True),  # report to a file
        (False, None, True, True, None, False),  # the report itself scrolls on the terminal
        (True, None, True, False, None, False),  # --quiet
        (False, "true", True, False, None, False),  # CI
        (False, None, False, False, None, False),  # stderr piped
    ],
)
def test_progress_bar_only_for_a_person(monkeypatch: pytest.MonkeyPatch, quiet: bool, ci: str | None,
                                        stderr_tty: bool, stdout_tty: bool, output: Path | None, shown: bool) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: stderr_tty)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: stdout_tty)
    assert cli._want_progress(quiet, output) is shown


def test_no_progress_output_when_piped(folder: Path) -> None:
    result = run("check", ".", "--format", "json", "--output", "r.json", cwd=folder)
    assert result.returncode == 2 and result.stderr == b""
    (folder / "r.json").unlink()


def test_an_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    """A CI job pointed at the wrong folder must not pass: exit code 2, the folder in the report."""
    from typer.testing import CliRunner

    from kl21rules.cli import app

    (tmp_path / "notes.txt").write_text("not a report", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(tmp_path), "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 2
    assert [f["path"] for f in data["files"]] == [str(tmp_path)]
    assert [e["code"] for e in data["files"][0]["errors"]] == ["no-files"]
    assert data["summary"]["input_errors"] == 1 and data["summary"]["files"] == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_non_submissions_found_in_folders_are_skipped_and_counted(tmp_path: Path, jobs: str) -> None:
    """A CI workflow or a tool's configuration beside the reports is skipped and counted; a file
    that forgot its schema, a wrong schema or a parse error stays an input error; a file named
    explicitly is always checked; a folder of nothing but skipped files is an input error."""
    reports = tmp_path / "reports"
    (reports / ".github" / "workflows").mkdir(parents=True)
    (reports / ".github" / "workflows" / "check.yml").write_text(
        "name: check\non: [push]\njobs: {check: {runs-on: ubuntu-latest}}\n", encoding="utf-8")
    (reports / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    (reports / "package.json").write_text('{"name": "x", "version": "1.0.0"}', encoding="utf-8")
    shutil.copy(SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml", reports / "thpt.yaml")
    forgot = (SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml").read_text(encoding="utf-8")
    forgot = "\n".join(line for line in forgot.splitlines() if not line.startswith("schema:"))
    (reports / "quen-schema.yaml").write_text(forgot, encoding="utf-8")
    (reports / "sai-schema.json").write_text('{"schema": "kl21rules/submission/v9"}', encoding="utf-8")
    (reports / "hong.yaml").write_text("a: [1,\n", encoding="utf-8")
    (reports / "danh-sach.json").write_text("[1, 2]", encoding="utf-8")
    only_ci = tmp_path / "only-ci"
    only_ci.mkdir()
    (only_ci / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    named = reports / ".pre-commit-config.yaml"

    result = run("check", "reports", "only-ci", str(named), "--format", "json", "--jobs", jobs,
                 "--as-of", "2022-12-31", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)
    errors = {f["path"]: [e["code"] for e in f["errors"]] for f in data["files"]}
    assert sorted(errors) == sorted(["reports/danh-sach.json", "reports/hong.yaml", "reports/quen-schema.yaml",
                                     "reports/sai-schema.json", "reports/thpt.yaml", "only-ci", str(named)])
    assert errors["reports/thpt.yaml"] == []
    assert errors["only-ci"] == ["no-files"]
    for path in ("reports/danh-sach.json", "reports/hong.yaml", "reports/quen-schema.yaml",
                 "reports/sai-schema.json", str(named)):
        assert errors[path], path  # input errors, never skipped
    skipped = [p for p in data["problems"] if p["code"] == "skipped"]
    assert len(skipped) == 1
    assert skipped[0]["message"].startswith("Bỏ qua 4 tệp không phải báo cáo")
    for name in ("reports/.github/workflows/check.yml", "reports/.pre-commit-config.yaml", "reports/package.json",
                 "only-ci/ci.yml"):
        assert name in skipped[0]["message"]
    assert data["summary"]["files"] == 7
    en = run("check", "only-ci", "--lang", "en", cwd=tmp_path)
    assert en.returncode == 2
    assert "Skipped 1 file(s) that are not submissions" in en.stdout.decode()
    assert "Folder 'only-ci' holds no submission to check" in en.stdout.decode()


def test_unmatched_waivers_only_for_units_and_rules_the_run_checked(tmp_path: Path) -> None:
    """Checking one unit's file must not warn about waivers of every other unit."""
    (tmp_path / "kl21rules.toml").write_text(
        "[[waivers]]\nrule = \"KL21-11\"\nunit = \"KCQ.KHAC\"\nreason = \"đơn vị khác\"\napprover = \"BTC\"\n"
        "expires = 2026-01-01\n"
        "[[waivers]]\nrule = \"KL21-11\"\nunit = \"KCQ.THPTNT\"\nperiod = \"2031-01\"\nreason = \"không khớp\"\n"
        "approver = \"BTC\"\nexpires = 2026-01-01\n"
        "[[waivers]]\nrule = \"KL21-20\"\nunit = \"*\"\nperiod = \"2031\"\nreason = \"quy tắc không chạy\"\n"
        "approver = \"BTC\"\nexpires = 2026-01-01\n",
        encoding="utf-8")
    shutil.copy(SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml", tmp_path / "thpt.yaml")
    result = run("check", "thpt.yaml", "--format", "json", "--ignore", "KL21-20", cwd=tmp_path)
    problems = [p["message"] for p in json.loads(result.stdout)["problems"] if p["code"] == "waiver-unmatched"]
    assert len(problems) == 1 and "KL21-11 KCQ.THPTNT 2031-01" in problems[0], problems
    everything = run("check", "thpt.yaml", "--format", "json", cwd=tmp_path)
    codes = [p["message"] for p in json.loads(everything.stdout)["problems"] if p["code"] == "waiver-unmatched"]
    assert len(codes) == 2 and any("KL21-20" in m for m in codes), codes


def test_distinct_units_are_counted_exactly_across_packed_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary's unit count is exact however the ids were packed: repeats across runs, a lone
    surrogate or a NUL in an id, the empty id."""
    import random

    from kl21rules.batch import DistinctIds

    monkeypatch.setattr(DistinctIds, "BATCH", 7)
    rng = random.Random(3)
    ids = [f"KCQ.{rng.randint(0, 60)}" for _ in range(300)] + ["\ud800x", "a\x00b", "a", "", "KCQ.1"]
    # ids longer than 127 bytes (lengths of two bytes), sharing prefixes of all lengths
    ids += ["Đ" * n + "x" * rng.randint(0, 3) for n in range(60, 200, 7)] + ["Đ" * 300, "Đ" * 300 + "Đ"]
    units = DistinctIds()
    for i, unit_id in enumerate(ids):
        units.add(unit_id)
        if i % 50 == 0:
            assert len(units) == len(set(ids[: i + 1]))
    assert len(units) == len(set(ids))
    assert len(DistinctIds()) == 0


def test_colour_text_rendered_by_workers_is_the_same(folder: Path) -> None:
    """On a terminal the text report is drawn by rich; workers draw each unit the same way."""
    import datetime as dt

    registry = load_registry()
    outs = []
    for jobs in (1, 2):
        report = stream_check([str(folder)], registry, CheckOptions(as_of=dt.date(2023, 12, 31)), jobs=jobs)
        outs.append("".join(builtin_streamer("text")(report, "en", color=True, width=100)))
    assert "\x1b[" in outs[0] and "hong.json" in outs[0]
    assert outs[1] == outs[0]


def test_file_totals_add_up_as_tally_add() -> None:
    """What a worker sends for a file (file_totals), added in the parent (add_totals), is what
    ``Tally.add`` counts, in the same order of rules, statuses and severities: waived, rule
    errors, fails of every severity, files without a unit or with errors."""
    from kl21rules.batch import add_totals, file_totals
    from kl21rules.diagnostics import InputError
    from kl21rules.findings import Finding, Waived

    def finding(rule: str, status: str, severity: str = "error", waived: bool = False) -> Finding:
        return Finding(rule, status, severity, None, None, None, (), "vi", "en",
                       waived=Waived("lý do", None) if waived else None)

    files = []
    a = FileReport("a.json", unit={"id": "U1", "name": "A", "kind": "x"})
    a.findings = [finding("R2", "fail", "warning"), finding("R1", "pass"), finding("R2", "pass"),
                  finding("R1", "fail", "info"), finding("R3", "error"), finding("R1", "fail", "error", waived=True),
                  finding("R2", "fail", "error"), finding("R4", "not_applicable"), finding("R2", "late")]
    files.append(a)
    b = FileReport("b.json", unit={"id": "", "name": None, "kind": None})
    b.errors.append(InputError("format", "", None, "vi", "en"))
    files.append(b)
    files.append(FileReport("c.json"))
    d = FileReport("d.json", unit={"id": "U1", "name": "A", "kind": "x"})
    d.findings = [finding("R5", "pending"), finding("R2", "fail", "info", waived=True), finding("R1", "late")]
    files.append(d)
    expected, got = Tally(), Tally()
    for f in files:
        expected.add(f)
        add_totals(got, file_totals(f))
    assert got == expected
    assert list(got.per_rule) == list(expected.per_rule)
    assert [list(row) for row in got.per_rule.values()] == [list(row) for row in expected.per_rule.values()]
    assert list(got.fails) == list(expected.fails) and list(got.counts) == list(expected.counts)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_workers_are_forked_on_linux_whatever_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers start with the packs loaded; Python 3.14 makes ``forkserver`` the default."""
    import multiprocessing

    from kl21rules.batch import _start_context

    monkeypatch.setattr(multiprocessing.context._default_context, "_actual_context",
                        multiprocessing.get_context("spawn"))
    assert multiprocessing.get_start_method() == "spawn"
    assert _start_context().get_start_method() == "fork"
