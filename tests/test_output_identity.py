"""Every report's bytes, pinned: the samples and 200 generated files, every format, both languages.

For optimisation work (issue 15): a faster engine or output must not change a byte of any report.
``tests/data/output-digests.json`` holds the SHA-256 of each report (text, text with ``--all``,
JSON, JUnit, SARIF, Markdown, GitHub, HTML, XLSX), of standard output and error, and the exit code
of ``kl21rules check`` on the samples and on 200 files of ``benchmarks/generate.py`` (seed 7), in
Vietnamese and in English. When a change to a report is intended, re-pin with
``python benchmarks/identity.py --pin tests/data/output-digests.json --n 200`` and say why in the
commit; ``python benchmarks/identity.py --base REV`` compares this tree with any revision on 2,000
files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import benchscripts

ROOT = Path(__file__).resolve().parent.parent
PINNED = ROOT / "tests" / "data" / "output-digests.json"


def _identity() -> Any:
    return benchscripts.load("identity")


def test_every_report_is_byte_identical_to_the_pinned_digests(tmp_path: Path) -> None:
    identity = _identity()
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    inputs = identity.make_inputs(tmp_path / "in", pinned["n"], pinned["seed"])
    now = identity.digests(inputs, tmp_path / "out")
    assert sorted(now) == sorted(pinned["digests"]) and len(now) == 8
    # every report was written (a missing file would be pinned as None)
    assert all(v is not None for run in now.values() for v in run.values())
    diffs = identity.compare(pinned["digests"], now)
    assert not diffs, (
        "reports changed bytes (re-pin with `python benchmarks/identity.py --pin "
        "tests/data/output-digests.json --n 200` only if the change is intended): " + "; ".join(diffs))


def test_the_comparison_sees_a_changed_byte() -> None:
    identity = _identity()
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))["digests"]
    changed = json.loads(json.dumps(pinned))
    changed["generated/en"]["sarif"] = "0" * 64
    assert identity.compare(pinned, changed) == ["generated/en: sarif differs"]
    del changed["samples/vi"]
    assert "samples/vi: json differs" in identity.compare(pinned, changed)
