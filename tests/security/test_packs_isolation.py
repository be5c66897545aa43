"""Packs cannot hurt each other or the run (issue 9, item 8).

Once: a pack's rule that looped forever never ended; a pack calling ``sys.exit`` gave exit 0 and
no report; a ``KeyboardInterrupt`` raised by a pack stopped the run like a Ctrl-C.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from io_helpers import SAMPLES, run

PACK = '''\
import sys
from kl21rules import Msg, PackInfo, PythonRule, RuleSpec, Text, hookimpl


def spec(rid):
    return RuleSpec.model_validate({
        "id": rid, "pack": "hostile", "title": {"vi": "Quy tắc thử", "en": "A test rule"},
        "expect": {"vi": "điều thử", "en": "a test"}, "refs": ["II.8"], "severity": "error",
        "obligation": {"kind": "python"}})


def loops(ctx):
    while True:
        try:
            pass
        except Exception:  # a rule that swallows what it can
            pass


def exits(ctx):
    sys.exit(0)


def interrupts(ctx):
    raise KeyboardInterrupt


def fine(ctx):
    return [ctx.finding("pass", Msg("được", "fine"))]


@hookimpl
def kl21rules_pack():
    return PackInfo("hostile", Text(vi="Gói thử", en="Test pack"), "0.1")


@hookimpl
def kl21rules_rules():
    return [PythonRule("HOS-01", loops, spec("HOS-01")), PythonRule("HOS-02", exits, spec("HOS-02")),
            PythonRule("HOS-03", interrupts, spec("HOS-03")), PythonRule("HOS-04", fine, spec("HOS-04"))]


def boom(report, lang):
    sys.exit(0)


@hookimpl
def kl21rules_formats():
    return {"boom": boom}
'''


@pytest.fixture()
def pack_dir(tmp_path: Path) -> Path:
    (tmp_path / "hostile_pack.py").write_text(PACK, encoding="utf-8")
    for name in ("dang-bo-so-y-te-tin-hieu-2023.json", "dang-bo-so-tai-chinh-2022.json"):
        (tmp_path / name).write_bytes((SAMPLES / name).read_bytes())
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rule_that_never_ends_exits_or_interrupts_is_an_error_of_its_pack(pack_dir: Path, jobs: str) -> None:
    start = time.monotonic()
    result = run("check", "dang-bo-so-y-te-tin-hieu-2023.json", "dang-bo-so-tai-chinh-2022.json", "-p", "hostile_pack",
                 "--rule-timeout", "1", "--jobs", jobs, "--format", "json", "--lang", "en",
                 "--as-of", "2024-06-30", cwd=pack_dir, timeout=120, PYTHONPATH=str(pack_dir))
    took = time.monotonic() - start
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    assert len(report["files"]) == 2
    for file in report["files"]:
        by_rule = {f["rule"]: f for f in file["findings"]}
        for rid, words in (("HOS-01", "ran longer than 1 s"), ("HOS-02", "SystemExit"),
                           ("HOS-03", "KeyboardInterrupt")):
            assert by_rule[rid]["status"] == "error", rid
            assert "hostile" in by_rule[rid]["message"] and words in by_rule[rid]["message"], by_rule[rid]
        assert by_rule["HOS-04"]["status"] == "pass"  # the pack's other rule, and every other pack, ran
        assert by_rule["KL21-01"]["status"] in ("pass", "late", "fail")
    assert took < 30  # two files, one second each for the rule that loops


def test_a_format_that_fails_is_named(pack_dir: Path) -> None:
    result = run("check", "dang-bo-so-y-te-tin-hieu-2023.json", "-p", "hostile_pack", "--format", "boom", "--lang", "en",
                 "--rule-timeout", "0.5", cwd=pack_dir, timeout=120, PYTHONPATH=str(pack_dir))
    assert result.returncode == 2
    assert b"Format 'boom'" in result.stderr and b"hostile_pack" in result.stderr and b"SystemExit" in result.stderr
    assert b"Traceback" not in result.stderr
