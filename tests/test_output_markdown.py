"""Markdown for a pull-request comment: totals and a row per unit first, statuses per rule, then
the findings that need attention; table cells escaped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kl21rules.batch import run_check
from kl21rules.check import CheckOptions
from kl21rules.config import WaiverSpec
from kl21rules.output import markdown
from kl21rules.packs import Registry, load_registry

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
THPT = SAMPLES / "chi-bo-truong-thpt-hoc-muon-2022.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def table_rows(md: str, header_start: str) -> list[list[str]]:
    lines = md.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def test_summary_first_then_units_then_details(registry: Registry) -> None:
    report = run_check([str(SAMPLES)], registry, CheckOptions(as_of=dt.date(2023, 12, 31)))
    md = markdown.render(report, "en")
    assert md.startswith("## Plan 40-KH/ĐUK check report")
    assert md.index("**Total**") < md.index("### By rule") < md.index("### Details")
    units = table_rows(md, "| File |")
    assert [r[0].strip("`") for r in units] == [f.path for f in report.files]
    fail_col = 3 + 1  # file, unit, as of, then statuses in order error, fail, ...
    assert [r[fail_col] for r in units] == [str(f.summary()["fail"]) if f.summary()["fail"] else "·"
                                            for f in report.files]
    by_rule = {r[0]: r[1:] for r in table_rows(md, "| Rule |")}
    # THPT misses 5 monthly or quarterly meetings, the Excel sample (chi bộ Văn phòng Sở Nội vụ) 2
    assert by_rule["KL21-11"][1] == "7"


def test_details_list_what_needs_attention_only(registry: Registry) -> None:
    report = run_check([str(THPT)], registry, CheckOptions())
    md = markdown.render(report, "en", fail_on="warning")
    details = md[md.index("### Details"):]
    rows = table_rows(details, "| Status |")
    statuses = [r[0] for r in rows]
    assert all(any(word in s for word in ("fail", "late", "pending")) for s in statuses)
    assert len(rows) == sum(1 for f in report.files[0].findings if f.status in ("fail", "late", "pending", "error"))
    # Fails that make the exit code 1 are marked; with fail-on error none of these warnings is.
    assert sum("‼" in s for s in statuses) == report.files[0].summary()["fail"]
    default = markdown.render(report, "en").split("### Details")[1]
    assert not any("‼" in r[0] for r in table_rows(default, "| Status |"))
    assert "_pass " in details and "n/a " in details  # counted, not listed


def test_cells_are_escaped(registry: Registry, tmp_path: Path) -> None:
    odd = tmp_path / "a|b.yaml"
    odd.write_text(THPT.read_text(encoding="utf-8").replace(
        'name: "Chi bộ Trường THPT Nguyễn Trãi"', 'name: "Chi bộ | <script>x</script> *đậm*"'), encoding="utf-8")
    md = markdown.render(run_check([str(odd)], registry, CheckOptions()), "vi")
    row = table_rows(md, "| Tệp |")[0]
    assert len(row) == 3 + 6 + 1  # the pipe in the name did not split the row
    assert "\\<script\\>" in md and "<script>" not in md and "\\*đậm\\*" in md
    assert "a\\|b.yaml" in md


def test_waivers_and_problems(registry: Registry) -> None:
    waiver = WaiverSpec("KL21-11", "Sáp nhập", dt.date(2030, 1, 1), period="2022-07")
    stale = WaiverSpec("KL21-02", "cũ", dt.date(2030, 1, 1), unit="KCQ.THPTNT", period="2031")
    md = markdown.render(run_check([str(THPT)], registry, CheckOptions(), waivers=[waiver, stale]))
    assert "_(miễn trừ: Sáp nhập (đến 2030-01-01))_" in md
    assert "### Vấn đề" in md and "không khớp" in md
