"""Every value from a submission is escaped for the format it goes into (issue 9, item 6).

Once: a unit name containing a newline and ``::warning::…`` or an ANSI escape was printed raw into
the text, markdown and ``github`` outputs (workflow-command injection).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from io_helpers import SAMPLES, run

from kl21rules.output._common import visible
from kl21rules.output.github import command, escape_data, escape_property

PAYLOAD = "X\n::warning file=evil::INJECTED\x1b[31mRED\x1b[0m | <b>b</b>\r\n::error::INJ2\u202eevil\x07%0A::error::INJ3"


@pytest.fixture()
def evil(tmp_path: Path) -> Path:
    document = yaml.safe_load((SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml").read_text(encoding="utf-8"))
    document["unit"]["name"] = "Chi bộ " + PAYLOAD
    for activity in document["activities"]:
        if activity.get("id") == "THPT-QT-01":  # named in a KL21-02 fail
            activity["id"] = "QT" + PAYLOAD
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(document, default=str, ensure_ascii=False), encoding="utf-8")
    return path


def _out(evil: Path, fmt: str) -> str:
    result = run("check", evil.name, "--format", fmt, "--as-of", "2024-06-30", "--lang", "en", cwd=evil.parent)
    assert result.returncode == 1, result.stderr
    return result.stdout.decode("utf-8")


def _no_raw_controls(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), repr(text[:200])


def test_github_annotations_cannot_start_a_command(evil: Path) -> None:
    out = _out(evil, "github")
    assert "QT" in out  # the payload reached the output, escaped
    for line in out.splitlines():
        if line.startswith("::"):
            assert re.match(r"::(error|warning|notice)( [^:]*)?::", line), line
            assert "::warning file=evil" not in line.split("::", 2)[1]
        else:
            assert line.startswith("kl21rules:"), line  # the totals
    assert not any(line.startswith(("::warning file=evil::", "::error::INJ")) for line in out.splitlines())
    assert "%0A::warning file=evil::INJECTED" in out
    assert "%250A::error::INJ3" in out  # a literal %0A in the data is not a newline for GitHub
    _no_raw_controls(out)


def test_text_shows_controls_and_escapes_visibly(evil: Path) -> None:
    out = _out(evil, "text")
    _no_raw_controls(out)
    assert "\n::warning" not in out and "\n::error" not in out
    assert "X\\n::warning file=evil::INJECTED\\x1b[31mRED\\x1b[0m" in out
    assert "\\u202eevil\\x07" in out


def test_markdown_cells_are_escaped(evil: Path) -> None:
    out = _out(evil, "markdown")
    _no_raw_controls(out)
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert rows
    for row in rows:  # one row a line, its pipes escaped: the columns are the table's
        assert row.endswith("|"), row
        assert "<b>" not in row
    assert "\\| \\<b\\>b\\</b\\>" in out
    assert not any(line.startswith(("::", "<b>")) for line in out.splitlines())


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "html"])
def test_structured_formats_stay_well_formed(evil: Path, fmt: str) -> None:
    out = _out(evil, fmt)
    if fmt in ("json", "sarif"):
        json.loads(out)
    elif fmt == "junit":
        import xml.etree.ElementTree as ET

        ET.fromstring(out)
    else:
        assert "<b>b</b>" not in out and "&lt;b&gt;" in out


def test_escape_functions() -> None:
    assert visible("a\nb\x1b[0m\u202e\t") == "a\\nb\\x1b[0m\\u202e\\t"
    assert visible("Chi bộ Sở Tài chính") == "Chi bộ Sở Tài chính"
    assert escape_data("a\r\nb%c\x1b") == "a\\r%0Ab%25c\\x1b"
    assert escape_property("f:1,2\n") == "f%3A1%2C2%0A"
    line = command("error", "x\n::error::y", file="a,b:c.json", line=3, title="t\n::x")
    assert line.count("\n") == 1 and line.endswith("\n")
    assert line == "::error file=a%2Cb%3Ac.json,line=3,title=t%0A%3A%3Ax::x%0A::error::y\n"
