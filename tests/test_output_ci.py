"""CI wiring: the pre-commit hook runs through pre-commit itself, and the GitHub Actions example
of docs/ci.md runs as written against the samples."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
COMPLIANT = "dang-bo-so-tai-chinh-2022.json"
FAILING = "dang-bo-so-gd-dt-2022-2024.yaml"  # KL21-09 2023 fails (severity error)
WORKFLOW = REPO / "examples" / "ci" / "github-actions.yml"


def test_hook_manifest() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "kl21rules" and hook["entry"] == "kl21rules check --quiet" and hook["language"] == "python"
    assert hook["require_serial"] is True  # one process: one report, one total
    files = re.compile(hook["files"])
    assert all(files.search(n) for n in ("a.json", "b.yaml", "dir/c.yml", "bao-cao/2022/chi-bo.yaml", "d.xlsx"))
    assert not any(files.search(n) for n in ("a.txt", "b.jsonl", "yaml.md", ".github/workflows/ci.yml",
                                             ".pre-commit-config.yaml", ".gitlab-ci.yml", "web/package.json",
                                             "mkdocs.yml", "a/.hidden/b.yaml"))


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


def _copy_worktree(dest: Path) -> None:
    """The working tree as it is (tracked and new files, not ignored ones), as a repository of its
    own: pre-commit installs a hook repository from a commit."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "hook", cwd=dest)


def _missing(reason: str) -> None:
    """Skip with the reason on a machine without the tool; in CI (``CI`` set) the test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"the pre-commit test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def test_pre_commit_runs_the_hook(tmp_path: Path) -> None:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        _missing("pre-commit is in the dev extra: pip install -e '.[dev]'")
    if shutil.which("git") is None:
        _missing("git is not installed")
    hook, reports = tmp_path / "hook", tmp_path / "reports"
    hook.mkdir()
    reports.mkdir()
    _copy_worktree(hook)
    _git("init", "-q", cwd=reports)
    for name in (COMPLIANT, FAILING):
        shutil.copy(SAMPLES / name, reports / name)
    (reports / "notes.txt").write_text("not a report", encoding="utf-8")
    (reports / ".github" / "workflows").mkdir(parents=True)
    (reports / ".github" / "workflows" / "kl21rules.yml").write_text(
        (REPO / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8"), encoding="utf-8")
    _git("add", "-A", cwd=reports)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    env.pop("CI", None)

    def try_repo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook), "kl21rules", *args],
                              cwd=reports, env=env, capture_output=True, text=True, timeout=900, check=False)

    good = try_repo("--files", COMPLIANT)
    if good.returncode != 0 and "An unexpected error has occurred" in good.stdout + good.stderr \
            and re.search(r"(NewConnectionError|Could not find a version|No matching distribution)", good.stdout):
        _missing("pre-commit could not install the hook's environment (no package index here):\n" + good.stdout)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    bad = try_repo("--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "KL21-09" in bad.stdout and "notes.txt" not in bad.stdout
    # Only the two submissions are checked (not the workflow, not the text file), in one
    # process: one report with one total.
    assert "kl21rules.yml" not in bad.stdout and '"on"' not in bad.stdout and "on:" not in bad.stdout
    assert bad.stdout.count("Tổng cộng:") == 1, bad.stdout
    assert "Tổng cộng: 2 tệp, 2 đơn vị, 0 lỗi đầu vào" in bad.stdout


def _script_dir() -> str:
    beside = Path(sys.executable).with_name("kl21rules")
    found = beside if beside.exists() else Path(shutil.which("kl21rules") or "")
    assert found.name == "kl21rules", "the kl21rules script is not installed (pip install -e '.[dev]')"
    return str(found.parent)


def _simulate_workflow(folder: Path, tmp_path: Path) -> tuple[dict[str, int], Path, subprocess.CompletedProcess[str]]:
    """Run the example workflow's shell steps as the runner would, in order, in ``tmp_path`` with
    the reports in ``bao-cao/``: every step is ``if: always()`` or before any failure, each step's
    ``${{ steps.ID.outputs.NAME }}`` comes from what earlier steps wrote to ``$GITHUB_OUTPUT``.
    The install step is left out (kl21rules is installed here). Returns each step's exit code by
    name, the job summary file and the last step's result."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    shutil.copytree(folder, tmp_path / "bao-cao")
    summary = tmp_path / "summary.md"
    outputs: dict[str, dict[str, str]] = {}
    codes: dict[str, int] = {}
    failed = False
    last: subprocess.CompletedProcess[str] | None = None
    for step in steps:
        if "run" not in step or step["name"] == "Install kl21rules":
            continue
        if failed and "always()" not in str(step.get("if", "")):
            continue
        out_file = tmp_path / f"output-{len(codes)}"
        out_file.write_text("", encoding="utf-8")
        env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(out_file), "CI": "true",
               "PATH": _script_dir() + os.pathsep + os.environ.get("PATH", "")}
        for key, value in (step.get("env") or {}).items():
            env[key] = re.sub(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}",
                              lambda m: outputs.get(m.group(1), {}).get(m.group(2), ""), str(value))
        # GitHub runs "run:" with bash -e {0}
        last = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        codes[step["name"]] = last.returncode
        failed = failed or last.returncode != 0
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines()
                                       if "=" in line)
    assert last is not None
    return codes, summary, last


def test_github_actions_example_is_one_check_with_every_report() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    checks = [s for s in steps if "kl21rules check" in s.get("run", "")]
    assert len(checks) == 1  # the reports come from one run, not one run per format
    check = checks[0]["run"]
    for report in ("sarif:kl21rules.sarif", "junit:kl21rules-junit.xml", "markdown:kl21rules.md"):
        assert f"--report {report}" in check
    after = steps[steps.index(checks[0]) + 1:]
    assert after and all("always()" in str(s.get("if", "")) for s in after)
    assert steps[-1]["name"] == "Verdict"
    install = next(s for s in steps if s.get("name") == "Install kl21rules")
    assert "$KL21RULES" in install["run"]
    assert "@v0.2.0" in workflow["jobs"]["check"]["env"]["KL21RULES"]
    assert "git+https://" in workflow["jobs"]["check"]["env"]["KL21RULES"]


def test_github_actions_example_runs_as_written_on_the_samples(tmp_path: Path) -> None:
    """The samples hold fails: the reports are written, the verdict fails the job with 1."""
    codes, summary, last = _simulate_workflow(SAMPLES, tmp_path)
    assert codes == {"Check the reports": 0, "Job summary": 0, "Verdict": 1}, codes
    assert "Some units have obligations not met (exit code 1)" in last.stdout
    log = json.loads((tmp_path / "kl21rules.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]
    assert "<failure" in (tmp_path / "kl21rules-junit.xml").read_text(encoding="utf-8")
    assert summary.read_text(encoding="utf-8").startswith("## ")


def test_github_actions_example_with_a_broken_and_a_failing_report(tmp_path: Path) -> None:
    """One broken file and one failing file: SARIF, JUnit and the summary are all there, and the
    job fails with exit code 2, said apart from 1."""
    reports = tmp_path / "input"
    reports.mkdir()
    shutil.copy(SAMPLES / FAILING, reports / FAILING)
    (reports / "hong.yaml").write_text("schema: kl21rules/submission/v1\nunit: {id: KCQ.X, name: [\n",
                                       encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    codes, summary, last = _simulate_workflow(reports, work)
    assert codes == {"Check the reports": 0, "Job summary": 0, "Verdict": 2}, codes
    assert "exit code 2" in last.stdout and "cannot be trusted" in last.stdout
    log = json.loads((work / "kl21rules.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert {"bao-cao/hong.yaml", f"bao-cao/{FAILING}"} <= uris
    junit = (work / "kl21rules-junit.xml").read_text(encoding="utf-8")
    assert "input-error" in junit and "<failure" in junit
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## ") and "hong.yaml" in text
