"""Properties of judging, over generated valid submissions (hypothesis).

* The order of activities and signals in a file is not information: shuffling them never changes
  the findings. Pointers do change (``/activities/3`` becomes ``/activities/7``), so findings are
  compared with every pointer replaced by the content it points to, evidence as a set.
* An activity or signal dated after ``as_of`` has not happened yet: adding one never changes the
  findings as of that date.
* The same input and ``as_of`` give the same findings, in the same order, in every run — also in
  separate processes with different hash seeds, byte for byte.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kl21rules.findings import Finding
from kl21rules.packs import load_registry
from kl21rules.rules.engine import evaluate
from kl21rules.rules.facts import build_facts
from kl21rules.validate import validate_document
from submission_strategies import EDGES, _activity, canonical, record_submissions, submissions

REGISTRY = load_registry()
RULES = REGISTRY.rules
AS_OF = st.one_of(st.sampled_from(EDGES), st.dates(_dt.date(2022, 1, 1), _dt.date(2025, 6, 30)))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def judge(doc: dict[str, Any], as_of: _dt.date) -> list[Finding]:
    submission, errors = validate_document(doc, None, REGISTRY.activity_types)
    assert submission is not None, [f"{e.pointer}: {e.en}" for e in errors]
    return evaluate(build_facts(submission, as_of), RULES)


def test_the_generator_reaches_every_status() -> None:
    """The properties below mean little if generated submissions only ever fail: collect what a
    few hundred of them give and require every status but ``error``, and every rule judged."""
    seen: set[str] = set()
    judged: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(submissions(), AS_OF)
    def collect(doc: dict[str, Any], as_of: _dt.date) -> None:
        for f in judge(doc, as_of):
            seen.add(f.status)
            if f.status != "not_applicable":
                judged.add(f.rule)

    collect()
    assert seen >= {"pass", "late", "fail", "pending", "not_applicable"}
    assert "error" not in seen
    assert judged == {r.id for r in RULES}


@PROPERTY
@given(submissions(), AS_OF, st.data())
def test_shuffling_activities_and_signals_never_changes_the_findings(
    doc: dict[str, Any], as_of: _dt.date, data: st.DataObject
) -> None:
    shuffled = copy.deepcopy(doc)
    shuffled["activities"] = data.draw(st.permutations(doc["activities"]), label="activities")
    shuffled["signals"] = data.draw(st.permutations(doc["signals"]), label="signals")
    assert canonical(judge(shuffled, as_of), shuffled) == canonical(judge(doc, as_of), doc)


def _later(as_of: _dt.date) -> st.SearchStrategy[_dt.date]:
    return st.dates(as_of + _dt.timedelta(days=1), as_of + _dt.timedelta(days=800))


@PROPERTY
@given(submissions(), AS_OF, st.data())
def test_an_activity_dated_after_as_of_never_changes_the_findings(
    doc: dict[str, Any], as_of: _dt.date, data: st.DataObject
) -> None:
    signal_ids = [s["id"] for s in doc["signals"]]
    plan_ids = [a["id"] for a in doc["activities"] if a["type"] == "remediation_plan" and "id" in a]
    extra = data.draw(_activity(signal_ids, plan_ids), label="activity")
    extra["date"] = data.draw(_later(as_of), label="date").isoformat()
    if extra["type"] in ("report", "deliverable", "inspection_programme", "self_criticism", "quality_rating",
                         "asset_declaration") and "year" in extra:
        extra["year"] = int(extra["date"][:4])  # a document's or record's year is next to its date (validation)
    extra["id"] = "LATE-1"
    where = data.draw(st.integers(0, len(doc["activities"])), label="position")
    later = copy.deepcopy(doc)
    later["activities"].insert(where, extra)
    if data.draw(st.booleans(), label="also a signal"):
        later["signals"].append({"id": "S-LATE", "kind": "violation",
                                 "date": data.draw(_later(as_of), label="signal date").isoformat()})
    assert canonical(judge(later, as_of), later) == canonical(judge(doc, as_of), doc)


@PROPERTY
@given(submissions(), AS_OF)
def test_judging_twice_gives_the_same_findings_in_the_same_order(doc: dict[str, Any], as_of: _dt.date) -> None:
    first = judge(doc, as_of)
    again = judge(copy.deepcopy(doc), as_of)
    assert first == again
    assert first == sorted(first, key=Finding.sort_key)


@settings(max_examples=1, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(submissions(), min_size=12, max_size=12))
def test_reports_are_byte_identical_across_processes(docs: list[dict[str, Any]]) -> None:
    """Two processes with different hash seeds (set and dict orders differ) write the same bytes."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, doc in enumerate(docs):
            (folder / f"unit-{i:02d}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        script = Path(sys.executable).with_name("kl21rules")
        outputs = []
        for seed in ("0", "12345"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            proc = subprocess.run([str(script), "check", str(folder), "--as-of", "2023-12-31", "--format", "json"],
                                  capture_output=True, env=env, timeout=300)
            assert proc.returncode in (0, 1), proc.stderr.decode()
            outputs.append(proc.stdout)
        assert outputs[0] == outputs[1]
        assert len(json.loads(outputs[0])["files"]) == len(docs)


# --------------------------------------------------------------------------- every record counts

#: a record judged as of these dates: inside the years of the records and after them
RECORD_AS_OF = st.one_of(st.sampled_from([_dt.date(2022, 6, 30), _dt.date(2022, 12, 31), _dt.date(2023, 1, 1),
                                          _dt.date(2023, 12, 31), _dt.date(2024, 3, 1)]),
                         st.dates(_dt.date(2022, 1, 1), _dt.date(2024, 6, 30)))
RECORD_RULES = [r for r in RULES if r.id in ("KL21-10", "KL21-13", "KL21-21")]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_submissions(), RECORD_AS_OF, st.data())
def test_the_order_of_records_never_decides_a_verdict(doc: dict[str, Any], as_of: _dt.date, data: st.DataObject) -> None:
    """Issue #10: several records of one year (some impossible, some replaced) in any order of
    the file give the same findings — over 2,000 generated submissions."""
    shuffled = copy.deepcopy(doc)
    shuffled["activities"] = data.draw(st.permutations(doc["activities"]), label="activities")
    # every rule's findings: the reports compared, not only the three rules that read records
    assert canonical(judge(shuffled, as_of), shuffled) == canonical(judge(doc, as_of), doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_submissions(), RECORD_AS_OF)
def test_an_impossible_record_always_fails_its_year_and_is_named(doc: dict[str, Any], as_of: _dt.date) -> None:
    """Whatever else the year holds, a record that cannot be right (and that nothing replaces)
    makes its year fail, with the record among the evidence."""
    submission, errors = validate_document(doc, None, REGISTRY.activity_types)
    assert submission is not None, errors
    facts = build_facts(submission, as_of)
    findings = {(f.rule, f.period): f for f in evaluate(facts, RECORD_RULES)}
    members = doc["unit"]["members"]
    for d in facts.activities(("quality_rating",)):
        m = d.obj.members
        if m is None or not 2022 <= d.obj.year <= as_of.year:
            continue
        if m.total() > members:
            f = findings[("KL21-10", str(d.obj.year))]
            assert f.status == "fail" and d.pointer in f.evidence, (d, f)
        if m.excellent > m.good * 20 // 100 and d.obj.year <= 2023:
            f = findings[("KL21-21", str(d.obj.year))]
            assert f.status == "fail" and d.pointer in f.evidence, (d, f)
    for d in facts.activities(("asset_declaration",)):
        # KL21-13 is not for subordinate cells (no * in the catalogue)
        if d.obj.declared > d.obj.obligated and 2022 <= d.obj.year <= as_of.year and doc["unit"]["kind"] != "chi_bo_truc_thuoc":
            f = findings[("KL21-13", str(d.obj.year))]
            assert f.status == "fail" and d.pointer in f.evidence, (d, f)
