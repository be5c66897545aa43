"""The first command's output shown in README.md and docs/report.md is what the command prints
today: every line shown (a line ending in "..." is a shortened one) is a line of the output of
``kl21rules check samples/`` — so a new rule or a changed verdict cannot leave the docs behind."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kl21rules.cli import app

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```\n(.*?)^```", re.S | re.M)


@pytest.fixture(scope="module")
def output() -> list[str]:
    old = os.getcwd()
    os.chdir(REPO)
    try:
        result = CliRunner().invoke(app, ["check", "samples/", "--isolated"], env={"KL21RULES_LANG": "vi"})
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    return result.stdout.splitlines()


def _shown(doc: str, after: str) -> list[str]:
    text = (REPO / doc).read_text(encoding="utf-8")
    text = text[text.index(after):] if after else text
    lines = []
    for block in FENCE.findall(text):
        if "Tổng cộng:" not in block and "Kết luận:" not in block:
            continue
        lines += [line for line in block.splitlines() if line.strip() and line.strip() != "..."]
    return lines


@pytest.mark.parametrize("doc,after", [("README.md", "## What the first command printed"), ("docs/report.md", "")])
def test_every_line_shown_is_printed(output: list[str], doc: str, after: str) -> None:
    shown = _shown(doc, after)
    assert len(shown) >= 8, shown
    for line in shown:
        if line.endswith("..."):
            prefix = line[:-3].rstrip()
            assert any(o.startswith(prefix) for o in output), f"{doc}: no printed line starts with {prefix!r}"
        else:
            assert line in output, f"{doc}: {line!r} is not printed by kl21rules check samples/"
