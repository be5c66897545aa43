"""The generated rule reference (docs/rules.md), the plan's words (plan_clauses.yaml) and the
hand-written coverage table (docs/coverage.md) stay true to the rules and to the plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kl21rules import docs
from kl21rules.explain import plan_quotes

REPO = Path(__file__).resolve().parents[1]
RULES_MD = REPO / "docs" / "rules.md"
COVERAGE_MD = REPO / "docs" / "coverage.md"
PLAN = REPO / "tests" / "data" / "plan" / "KH-40-DUK.txt"

RULE_IDS = sorted({f"KL21-{n:02d}" for n in range(1, 22)} | {f"KL21-D{n:02d}" for n in range(1, 13)})
PLAN_ITEMS = ["I.2", "I.4"] + [f"II.{n}" for n in range(1, 10)] + [f"III.{n}" for n in range(1, 7)]


@pytest.fixture(scope="module")
def registry() -> docs.Registry:
    reg = docs.builtin_registry()
    assert reg.errors == []
    return reg


@pytest.fixture(scope="module")
def rendered(registry: docs.Registry) -> str:
    return docs.render_rules(registry)


def flat(text: str) -> str:
    return " ".join(text.split())


# --- docs/rules.md --------------------------------------------------------------------------


def test_rules_md_is_not_stale(rendered: str) -> None:
    assert RULES_MD.exists(), "run: python -m kl21rules.docs"
    assert RULES_MD.read_text(encoding="utf-8") == rendered, "docs/rules.md is stale; run: python -m kl21rules.docs"


def test_rendering_is_deterministic(registry: docs.Registry, rendered: str) -> None:
    assert docs.render_rules(docs.builtin_registry()) == rendered


def sections(text: str) -> dict[str, str]:
    """Each rule's section of the reference, by rule id."""
    parts = re.split(r"^## (KL21-[0-9D]+) — ", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_rule_has_its_section_with_metadata(registry: docs.Registry, rendered: str) -> None:
    found = sections(rendered)
    assert sorted(found) == RULE_IDS
    for rule in registry.rules:
        spec = rule.spec
        body = found[spec.id]
        assert flat(spec.title.vi) in flat(rendered.split(f"## {spec.id} — ")[1].splitlines()[0])
        assert flat(spec.title.en) in flat(body)
        assert f"`{spec.pack}`" in body
        assert f"`{spec.severity}`" in body
        assert f"`{spec.obligation.kind}`" in body
        for ref in spec.refs:
            assert f"[{ref}](#{ref.lower().replace('.', '')})" in body
        for name, param in spec.params.items():
            assert f"`{name}` | `{param.default!r}`" in body
        if spec.notes is not None:
            assert flat(spec.notes.vi) in flat(body) and flat(spec.notes.en) in flat(body)


def test_every_rule_shows_a_passing_and_a_failing_example(rendered: str) -> None:
    for rule_id, body in sections(rendered).items():
        passing = body.split("**Ví dụ đạt / passing example:**", 1)[1].split("**Ví dụ không đạt", 1)[0]
        failing = body.split("**Ví dụ không đạt / failing example:**", 1)[1]
        assert "```yaml" in passing and "=> pass" in passing, rule_id
        assert "```yaml" in failing and "fail" in failing.split("```", 2)[1], rule_id


def test_links_inside_rules_md_resolve(rendered: str) -> None:
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', rendered))
    anchors |= {h.lower().replace(".", "") for h in re.findall(r"^### ([IVX]+\.\d+)$", rendered, flags=re.M)}
    for target in re.findall(r"\]\(#([^)]+)\)", rendered):
        assert target in anchors, target
    for target in re.findall(r"\]\(([a-z]+\.md)\)", rendered):
        assert (RULES_MD.parent / target).exists(), target


def test_docs_main_writes_and_checks(tmp_path: Path, rendered: str) -> None:
    target = tmp_path / "rules.md"
    assert docs.main(["--check", str(target)]) == 1
    assert not target.exists()
    assert docs.main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == rendered
    assert docs.main(["--check", str(target)]) == 0
    target.write_text(rendered.replace("KL21-01", "KL21-1", 1), encoding="utf-8")
    assert docs.main(["--check", str(target)]) == 1


# --- plan_clauses.yaml ----------------------------------------------------------------------


def test_plan_clauses_cover_every_item_the_rules_cite(registry: docs.Registry) -> None:
    quotes = plan_quotes()
    assert set(PLAN_ITEMS) <= set(quotes)
    for rule in registry.rules:
        for ref in rule.spec.refs:
            assert ref in quotes, f"{rule.id} cites {ref}, which plan_clauses.yaml lacks"


def test_plan_clauses_are_the_plans_exact_words() -> None:
    plan = flat(PLAN.read_text(encoding="utf-8"))
    for clause, text in plan_quotes().items():
        for piece in text.split(" … "):
            assert flat(piece) in plan, f"{clause}: not in the plan word for word: {piece[:80]!r}"


def test_plan_clauses_quote_the_right_item() -> None:
    """Each quote of I and II is its item as numbered in the plan (not a neighbour's words)."""
    lines = [flat(line) for line in PLAN.read_text(encoding="utf-8").splitlines()]
    section = None
    items: dict[str, str] = {}
    for line in lines:
        head = re.match(r"^(I|II|III)\. ", line)
        if head:
            section = head.group(1)
            continue
        numbered = re.match(r"^(\d+)\. (.*)", line)
        if numbered and section in ("I", "II"):
            items[f"{section}.{numbered.group(1)}"] = numbered.group(2)
    quotes = plan_quotes()
    for clause in [c for c in PLAN_ITEMS if not c.startswith("III")]:
        assert flat(quotes[clause]) == items[clause], clause


def test_department_excerpts_name_their_department() -> None:
    quotes = plan_quotes()
    heads = {
        "III.1": "Ban Tổ chức Đảng ủy Khối",
        "III.2": "Uỷ ban Kiểm tra Đảng ủy Khối",
        "III.3": "Ban Tuyên giáo Đảng ủy Khối",
        "III.4": "Văn phòng Đảng ủy Khối",
        "III.5": "Các đoàn thể trực thuộc Đảng ủy Khối",
        "III.6": "Các cấp ủy, chi bộ cơ sở",
    }
    for clause, head in heads.items():
        assert quotes[clause].startswith(head + " … "), clause
        assert len(quotes[clause]) < 1500, f"{clause}: an excerpt, not the whole section"


# --- docs/coverage.md -----------------------------------------------------------------------


def coverage_rows() -> list[str]:
    return [line for line in COVERAGE_MD.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]


def test_coverage_names_only_rules_that_exist_and_every_rule() -> None:
    text = COVERAGE_MD.read_text(encoding="utf-8")
    named = set(re.findall(r"KL21-D?\d{2}", text))
    assert named <= set(RULE_IDS), sorted(named - set(RULE_IDS))
    assert named == set(RULE_IDS), f"rules no row of the plan leads to: {sorted(set(RULE_IDS) - named)}"


def test_coverage_has_a_row_for_every_item_of_section_ii_and_iii6() -> None:
    rows = coverage_rows()
    for item in [f"II.{n}" for n in range(1, 10)] + ["III.6"]:
        assert any(row.startswith(f"| {item} ") or row.startswith(f"| {item}.") or f"| {item} |" in row
                   for row in rows), item


def test_coverage_has_each_departments_dated_duties() -> None:
    text = COVERAGE_MD.read_text(encoding="utf-8")
    for clause in ("III.1", "III.2", "III.3", "III.4", "III.5"):
        assert f"| {clause}" in text, clause
    # The duties the plan dates: each must have its row and its rule.
    for words, rule in [("Quy định về công tác quản lý cán bộ", "KL21-D01"),
                        ("Nghị quyết số 18-NQ/TW", "KL21-D02"),
                        ("Hội nghị giao ban", "KL21-D03"),
                        ("chương trình kiểm tra, giám sát", "KL21-D04"),
                        ("hội nghị quán triệt ghép", "KL21-D05"),
                        ("báo cáo viên Trung ương", "KL21-D06"),
                        ("chương trình làm việc của Ban Thường vụ", "KL21-D07"),
                        ("xây dựng kế hoạch thực hiện Kết luận", "KL21-D08"),
                        ("Quyết định 217-QĐ/TW", "KL21-D09"),
                        ("Quy định 124-QĐ/TW", "KL21-D10"),
                        ("kế hoạch học tập, làm theo và nêu gương", "KL21-D11"),
                        ("Chỉ thị 23-CT/TW", "KL21-D12")]:
        row = next((r for r in coverage_rows() if words in r), None)
        assert row is not None, words
        assert rule in row, (words, rule)


def test_coverage_has_no_dated_duty_left_without_a_rule() -> None:
    """Issue #10: the rows that said "no rule yet" have their rules (KL21-D10, KL21-D11)."""
    text = COVERAGE_MD.read_text(encoding="utf-8")
    assert "Chưa có quy tắc" not in text and "No rule yet" not in text


def test_every_coverage_row_has_rules_or_a_reason() -> None:
    for row in coverage_rows():
        cells = [c.strip() for c in row.strip("|").split("|")]
        if not re.match(r"^(I|II|III)\.\d", cells[0]):
            continue  # header rows
        covered = re.search(r"KL21-D?\d{2}", row)
        reason = cells[-1]
        assert covered or len(reason) > 40, f"a row without rules needs a stated reason: {row[:80]}"


def test_coverage_is_vietnamese_then_english() -> None:
    text = COVERAGE_MD.read_text(encoding="utf-8")
    vi = text.find("Không xét được")
    en = text.find("# Coverage")
    assert 0 <= vi < en, "Vietnamese part first, then the English one"


def test_the_new_dated_duties_are_quoted_from_the_plan() -> None:
    """KL21-D10 and KL21-D11 (issue #10): the clauses they cite carry the plan's words for them."""
    quotes = {k: " ".join(v.split()) for k, v in plan_quotes().items()}
    assert "sơ kết 5 năm thực hiện Quy định số 124-QĐ/TW, ngày 02/02/2018" in quotes["III.5"]
    assert "kế hoạch học tập, làm theo và nêu gương của tập thể Ban Thường vụ Đảng ủy Khối nhiệm kỳ và hằng năm" in quotes["III.2"]
    assert "sơ kết 5 năm thực hiện Chỉ thị số 23 - CT/TW, ngày 9/2/2018" in quotes["III.3"]  # KL21-D12
