"""``kl21rules explain RULE``: one rule in full, generated from its metadata and its cases."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kl21rules.rules.engine import CompiledRule

PLAN_CLAUSES_FILE = Path(__file__).resolve().parent / "rulesets" / "plan_clauses.yaml"


def plan_quotes() -> dict[str, str]:
    """The plan's words per clause (``II.1`` -> text), kept beside the rulesets."""
    import yaml

    if not PLAN_CLAUSES_FILE.exists():
        return {}
    data = yaml.safe_load(PLAN_CLAUSES_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def _examples(rule: CompiledRule, registry: Any) -> tuple[Any, Any]:
    """A passing and a failing case of the rule, from its pack's case files."""
    from kl21rules.testing import load_case_file

    passing = failing = None
    for pack in registry.packs:
        for path in pack.case_files:
            for case in load_case_file(path):
                if case.rule != rule.id:
                    continue
                statuses = {e.get("status") for e in case.expect}
                if passing is None and statuses == {"pass"}:
                    passing = case
                if failing is None and "fail" in statuses:
                    failing = case
    return passing, failing


def explain_rule(rule: CompiledRule, registry: Any, lang: str = "vi") -> str:
    """The rule's title, clauses (quoted from the plan), how it is judged, parameters, examples."""
    spec = rule.spec
    en = lang == "en"
    out = [f"{spec.id} — {spec.title.get(lang)}", ""]
    out.append(f"{'Pack' if en else 'Gói'}: {spec.pack}    {'Severity' if en else 'Mức độ'}: {spec.severity}    "
               f"{'Kind' if en else 'Loại'}: {spec.obligation.kind}")
    kinds = spec.applies_to.unit_kinds
    out.append(f"{'Applies to' if en else 'Áp dụng cho'}: {', '.join(kinds)}"
               + (f" ({', '.join(spec.applies_to.departments)})" if spec.applies_to.departments else ""))
    out.append("")
    out.append("Plan clauses (Kế hoạch 40-KH/ĐUK):" if en else "Căn cứ (Kế hoạch 40-KH/ĐUK):")
    quotes = plan_quotes()
    for ref in spec.refs:
        text = quotes.get(ref, "")
        out.append(f"  {ref}: {_wrap(text)}" if text else f"  {ref}")
    out.append("")
    if spec.notes is not None:
        out.append("How it is judged:" if en else "Cách xét:")
        out.append("  " + _wrap(spec.notes.get(lang)))
        out.append("")
    if spec.params:
        out.append("Parameters:" if en else "Tham số:")
        for name, p in spec.params.items():
            out.append(f"  {name} = {p.default!r}: {p.doc.get(lang)}")
        out.append("")
    passing, failing = _examples(rule, registry)
    for label_vi, label_en, case in (("Ví dụ đạt", "Passing example", passing),
                                      ("Ví dụ không đạt", "Failing example", failing)):
        if case is None:
            continue
        out.append(f"{label_en if en else label_vi}: {case.name} (as_of {case.as_of})")
        out.append(_indent(case.describe()))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _wrap(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
