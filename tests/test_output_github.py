"""GitHub Actions workflow commands: annotations at file and line, levels following --fail-on,
values escaped as GitHub reads them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kl21rules.batch import run_check
from kl21rules.check import CheckOptions
from kl21rules.config import WaiverSpec
from kl21rules.output import github
from kl21rules.packs import Registry, load_registry
from kl21rules.report import Notice

REPO = Path(__file__).resolve().parents[1]
THPT = REPO / "samples" / "chi-bo-truong-thpt-hoc-muon-2022.yaml"
COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::(.*)$")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for line in out.splitlines():
        m = COMMAND.match(line)
        if m:
            props = dict(p.split("=", 1) for p in (m.group(2) or "").strip().split(",") if p)
            found.append((m.group(1), props, m.group(3)))
    return found


def test_levels_follow_fail_on_and_status(registry: Registry) -> None:
    waiver = WaiverSpec("KL21-11", "Sáp nhập", dt.date(2030, 1, 1), period="2022-07")
    report = run_check([str(THPT)], registry, CheckOptions(lines=True), waivers=[waiver])
    by_title = {p["title"]: level for level, p, _ in commands(github.render(report, "en"))}
    assert by_title["KL21-02 THPT-QT-01 (fail)"] == "warning"  # below --fail-on error
    assert by_title["KL21-01 (late)"] == "notice"
    assert by_title["KL21-11 2022-07 (fail)"] == "notice"  # waived
    assert not any("(pass)" in t or "(pending)" in t or "(n%2Fa)" in t for t in by_title)
    strict = {p["title"]: level for level, p, _ in commands(github.render(report, "en", fail_on="warning"))}
    assert strict["KL21-02 THPT-QT-01 (fail)"] == "error"
    assert strict["KL21-11 2022-07 (fail)"] == "notice"  # a waived fail never fails the run


def test_annotations_carry_file_and_line(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions(lines=True))
    found = commands(github.render(report, "en"))
    kl01 = next(p for _, p, _ in found if p["title"].startswith("KL21-01 "))
    assert kl01["file"] == str(THPT).replace(":", "%3A").replace(",", "%2C") and kl01["line"] == "25"
    assert github.render(report, "en").splitlines()[-1].startswith("kl21rules: 1 file, 1 unit, 0 input errors")


def test_input_errors_and_problems(registry: Registry, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema": "kl21rules/submission/v1",\n  "unit": 5\n}\n', encoding="utf-8")
    report = run_check([str(bad)], registry, CheckOptions(lines=True))
    report.problems.append(Notice("waiver-expired", None, "hết hạn", "expired"))
    found = commands(github.render(report, "en"))
    assert any(level == "error" and p.get("line") == "3" and msg.startswith("/unit:") for level, p, msg in found)
    assert ("warning", {"title": "kl21rules%3A waiver-expired"}, "expired") in found


def test_escaping() -> None:
    line = github.command("error", "50% done\nnext line", file="a,b:c.json", line=4, title="T: x, y")
    assert line == "::error file=a%2Cb%3Ac.json,line=4,title=T%3A x%2C y::50%25 done%0Anext line\n"
