"""Hypothesis strategies for valid submissions, and a way to compare findings across orderings.

Used by the property tests (``test_properties.py``) and by the engine comparison
(``test_durable.py``). The submissions are valid (the model and the cross-field checks accept
them) and crowded around the dates where rules change their mind: the plan's deadline
(31/3/2022), period ends, a signal's 30th and 90th day. Identifiers, persons, topics and codes
come from small pools so that links resolve, people are vetted or not, and ties happen.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from hypothesis import strategies as st

from kl21rules.findings import Finding

D = _dt.date
FIRST, LAST = D(2021, 12, 1), D(2024, 12, 31)
#: days where rules change their mind, drawn often
EDGES = [D(2022, 3, 31), D(2022, 4, 1), D(2022, 3, 1), D(2022, 6, 30), D(2022, 7, 1), D(2022, 12, 31),
         D(2023, 1, 1), D(2023, 3, 31), D(2023, 12, 31), D(2024, 1, 1), D(2024, 6, 30)]
# two in three dates from EDGES: same-day activities (ties) must be common, not rare
days = st.one_of(st.sampled_from(EDGES), st.sampled_from(EDGES), st.dates(FIRST, LAST))
years = st.integers(2021, 2024)
PERSONS = ["Nguyễn Văn An", "nguyễn  văn AN", "Trần Thị Bình", "Lê Văn Cường"]
AREAS = ["procurement", "licensing", "land"]
TOPICS = ["kl21", "finance", "KL21"]
CODES = ["cadre_regulation", "nq18_qd205_review", "delta_conference", "inspection_programme_kl21",
         "combined_conference_list", "central_speaker_talk", "ct23_review", "btv_work_programme", "mass_org_plan",
         "qd217_218_review", "qd124_review", "btv_example_plan", "other"]
#: plan task timelines in words: recognised ones and ones that say no time
TIMINGS = ["Quý I/2022", "Thường xuyên", "hàng năm", "Tháng 5/2022", "Năm 2023", "kịp thời", "Định kỳ", "  "]
SIGNAL_KINDS = ["degradation", "disunity", "violation", "group_interest", "corruption", "public_outcry"]


def _iso(day: _dt.date) -> str:
    return day.isoformat()


def _maybe(draw: Any, strategy: st.SearchStrategy[Any]) -> Any:
    return draw(st.one_of(st.none(), strategy))


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _near_year(iso: str, after: bool = True) -> st.SearchStrategy[int]:
    """The year a report or deliverable may be for: its date's, the one before or (not for a
    report) the one after."""
    y = int(iso[:4])
    return st.integers(y - 1, y + 1 if after else y)


@st.composite
def _activity(draw: Any, signal_ids: list[str], plan_ids: list[str]) -> dict[str, Any]:
    kinds = ["study_session", "implementation_plan", "inspection", "supervision", "inspection_programme",
             "theory_training", "self_criticism", "quality_rating", "branch_meeting", "confidence_vote",
             "asset_declaration", "appointment", "political_vetting", "report", "outreach", "commendation",
             "deliverable"]
    if signal_ids:
        kinds += ["responsibility_review", "remediation_plan", "discipline"]
    kind = draw(st.sampled_from(kinds))
    act: dict[str, Any] = {"type": kind, "date": _iso(draw(days))}
    if kind == "study_session":
        expected = draw(st.integers(0, 40))
        _put(act, "mode", _maybe(draw, st.sampled_from(["in_person", "online", "combined"])))
        if draw(st.booleans()):
            act["expected"] = expected
            act["attendees"] = draw(st.integers(0, expected))
        act["makeup"] = draw(st.booleans())
    elif kind == "implementation_plan":
        fields = ["task", "owner", "due", "outcome", "accountable"]
        tasks = []
        for _ in range(draw(st.integers(0, 3))):
            task = {}
            for f in draw(st.lists(st.sampled_from(fields), unique=True)):
                task[f] = (draw(st.one_of(st.builds(_iso, days), st.sampled_from(TIMINGS))) if f == "due"
                           else draw(st.sampled_from(["Việc A", "Chi ủy", "  "])))
            tasks.append(task)
        act["tasks"] = tasks
    elif kind in ("inspection", "supervision"):
        act["topics"] = draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2))
        act["areas"] = draw(st.lists(st.sampled_from(AREAS), unique=True, max_size=2))
        if kind == "supervision" and plan_ids:
            _put(act, "remediation", _maybe(draw, st.sampled_from(plan_ids)))
    elif kind in ("inspection_programme", "self_criticism", "quality_rating", "asset_declaration"):
        if draw(st.booleans()):
            del act["date"]
            act["year"] = draw(years)
        else:
            # What validation accepts: a review, rating or declaration is never dated before its
            # year; a programme may be adopted late in the year before.
            y = int(act["date"][:4])
            act["year"] = draw(st.integers(min(2021, y), y + (kind == "inspection_programme")))
        if kind == "inspection_programme":
            act["includes_kl21"] = draw(st.booleans())
        elif kind == "self_criticism":
            act["collective"], act["members"] = draw(st.booleans()), draw(st.booleans())
        elif kind == "quality_rating":
            _put(act, "organisation", _maybe(draw, st.sampled_from(["excellent", "good", "complete", "incomplete"])))
            if draw(st.booleans()):
                act["members"] = {k: draw(st.integers(0, 20)) for k in ("excellent", "good", "complete", "incomplete")}
        else:
            act["obligated"] = draw(st.integers(0, 5))
            act["declared"] = draw(st.integers(0, 6))
    elif kind == "theory_training":
        _put(act, "participants", _maybe(draw, st.integers(0, 50)))
    elif kind == "branch_meeting":
        act["thematic"] = draw(st.booleans())
    elif kind == "confidence_vote":
        persons = draw(st.integers(0, 9))
        act["persons"], act["low_confidence"] = persons, draw(st.integers(0, persons))
    elif kind in ("appointment", "political_vetting"):
        act["person"] = draw(st.sampled_from(PERSONS))
    elif kind in ("responsibility_review", "remediation_plan", "discipline"):
        act["signal"] = draw(st.sampled_from(signal_ids))
        if kind == "discipline":
            _put(act, "outcome", _maybe(draw, st.sampled_from(["reprimand", "warning", "no_action"])))
            _put(act, "reason", _maybe(draw, st.sampled_from(["Đã khắc phục", " "])))
    elif kind == "report":
        act["subject"] = draw(st.sampled_from(["kl21", "KL21 ", "other"]))
        act["sent_to"] = draw(st.sampled_from(["btv_duk", "other"]))
        _put(act, "year", _maybe(draw, _near_year(act["date"], after=False)))
    elif kind == "outreach":
        _put(act, "channel", _maybe(draw, st.sampled_from(["meeting", "website", "zalo"])))
        topics = draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2))
        if topics:
            act["topics"] = topics
    elif kind == "commendation":
        _put(act, "recipients", _maybe(draw, st.integers(0, 9)))
    elif kind == "deliverable":
        act["code"] = draw(st.sampled_from(CODES))
        _put(act, "year", _maybe(draw, _near_year(act["date"])))
    if draw(st.booleans()):
        act["note"] = draw(st.sampled_from(["ghi chú", "khác"]))
    return act


@st.composite
def submissions(draw: Any, max_activities: int = 24) -> dict[str, Any]:
    """A valid submission (as parsed JSON: dates as ISO strings)."""
    # each department is as likely as each grassroots kind: every department has its own rules
    kind, _, department = draw(st.sampled_from([
        "dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc", "department:tochuc", "department:ubkt",
        "department:tuyengiao", "department:vanphong", "department:doanthe"])).partition(":")
    unit: dict[str, Any] = {"id": "T.UNIT", "name": "Đơn vị thử", "kind": kind}
    if department:
        unit["department"] = department
    _put(unit, "members", _maybe(draw, st.integers(0, 60)))
    if draw(st.booleans()):
        start = draw(st.dates(D(2015, 1, 1), D(2022, 12, 31)))
        unit["term"] = {"start": _iso(start), "end": _iso(start + _dt.timedelta(days=5 * 365))}
    if draw(st.booleans()):
        unit["sensitive_areas"] = draw(st.lists(st.sampled_from(AREAS), unique=True, min_size=1, max_size=2))
    signals = [
        {"id": f"S{i}", "kind": draw(st.sampled_from(SIGNAL_KINDS)), "date": _iso(draw(days))}
        for i in range(draw(st.integers(0, 3)))
    ]
    signal_ids = [s["id"] for s in signals]
    plans = [
        {"type": "remediation_plan", "id": f"R{i}", "date": _iso(draw(days)), "signal": draw(st.sampled_from(signal_ids))}
        for i in range(draw(st.integers(0, 2)) if signal_ids else 0)
    ]
    # the size drawn first: st.lists alone keeps most lists short, and rules need crowds
    size = draw(st.integers(0, max_activities))
    others = draw(st.lists(_activity(signal_ids, [p["id"] for p in plans]), min_size=size, max_size=size))
    for i, act in enumerate(others):
        if draw(st.booleans()):
            act["id"] = f"A{i}"
    _chain_replacements(None, others)
    activities = draw(st.permutations(plans + others))
    report: dict[str, Any] = {}
    if draw(st.booleans()):
        report["date"] = _iso(draw(days))
    if draw(st.booleans()):
        year = draw(years)
        report["period"] = {"start": f"{year}-01-01", "end": f"{year}-12-31"}
    return {"schema": "kl21rules/submission/v1", "report": report, "unit": unit, "signals": signals,
            "activities": activities}


#: the record types that may correct one another (``replaces``)
RECORDS = ("inspection_programme", "self_criticism", "quality_rating", "asset_declaration")


def _chain_replacements(draw: Any, activities: list[dict[str, Any]]) -> None:
    """Some records with ids correct the previous record of their type and year (a chain).

    Only what validation accepts: the same type and year, one replacement per record, no cycle.
    Without ``draw``, every second candidate does, so the caller's stream of draws is unchanged.
    """
    last: dict[tuple[str, int], dict[str, Any]] = {}
    turn = 0
    for act in activities:
        if act["type"] not in RECORDS or "id" not in act:
            continue
        key = (act["type"], act["year"])
        prev = last.get(key)
        # a correction is never dated before the record it corrects (undated ones are not compared)
        if prev is not None and not ("date" in act and "date" in prev and act["date"] < prev["date"]):
            turn += 1
            if draw(st.integers(0, 2)) == 0 if draw is not None else turn % 2 == 1:
                act["replaces"] = prev["id"]
        last[key] = act


@st.composite
def record_submissions(draw: Any) -> dict[str, Any]:
    """A valid submission crowded with yearly records — several quality ratings and asset
    declarations for the same year, some impossible (more rated than members, more declared than
    obliged, over the excellent quota), some corrected by another (``replaces``) — where the
    order of records must never decide a verdict."""
    kind = draw(st.sampled_from(["dang_bo_co_so", "chi_bo_co_so", "chi_bo_truc_thuoc"]))
    members = draw(st.integers(5, 40))
    unit: dict[str, Any] = {"id": "T.REC", "name": "Đơn vị thử", "kind": kind, "members": members}
    acts: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 9))):
        year = draw(st.sampled_from([2022, 2022, 2023]))
        act: dict[str, Any] = {"type": "quality_rating", "year": year}
        if draw(st.integers(0, 3)):
            act["date"] = _iso(draw(st.one_of(st.sampled_from([e for e in EDGES if e.year >= year]),
                                              st.dates(D(year, 1, 1), D(year + 1, 2, 28)))))
        if draw(st.integers(0, 4)):
            act["organisation"] = draw(st.sampled_from(["excellent", "good", "complete", "incomplete"]))
        if draw(st.integers(0, 4)):
            good = draw(st.integers(0, members))
            act["members"] = {"excellent": draw(st.integers(0, max(1, good // 3))), "good": good,
                              "complete": draw(st.integers(0, max(0, members - good) + 2)),
                              "incomplete": draw(st.integers(0, 1))}
        if draw(st.booleans()):
            act["id"] = f"QR{i}"
        acts.append(act)
    for i in range(draw(st.integers(0, 6))):
        year = draw(st.sampled_from([2022, 2022, 2023]))
        obligated = draw(st.integers(0, 6))
        act = {"type": "asset_declaration", "year": year, "obligated": obligated,
               "declared": draw(st.integers(0, obligated + 1))}
        if draw(st.integers(0, 3)):
            act["date"] = _iso(draw(st.one_of(st.sampled_from([e for e in EDGES if e.year >= year]),
                                              st.dates(D(year, 1, 1), D(year + 1, 2, 28)))))
        if draw(st.booleans()):
            act["id"] = f"KK{i}"
        acts.append(act)
    _chain_replacements(draw, acts)
    return {"schema": "kl21rules/submission/v1", "unit": unit, "signals": [],
            "activities": draw(st.permutations(acts))}


# --------------------------------------------------------------------------- comparing findings

_POINTER = re.compile(r"/(activities|signals)/(\d+)")


def content_keys(submission: dict[str, Any]) -> dict[str, str]:
    """JSON pointer of every activity and signal -> a key made of its content (not its place)."""
    keys: dict[str, str] = {}
    for section in ("activities", "signals"):
        for i, item in enumerate(submission.get(section, [])):
            keys[f"/{section}/{i}"] = section[0] + json.dumps(item, sort_keys=True, ensure_ascii=False)
    return keys


def canonical(findings: list[Finding], submission: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Findings with every pointer replaced by the content it points to, sorted.

    What must not depend on the order of activities: rule, status, severity, period, item, due,
    the message, and which activities are the evidence (as a set of contents: an evidence list's
    order follows dates and groups, and ties between equal dates follow the file).
    """
    keys = content_keys(submission)

    def unpoint(text: str | None) -> str | None:
        if text is None:
            return None
        return _POINTER.sub(lambda m: "<" + keys.get(m.group(0), m.group(0)) + ">", text)

    out = [
        (f.rule, f.status, f.severity, f.period, unpoint(f.item), f.due, unpoint(f.message_vi),
         unpoint(f.message_en), tuple(sorted(unpoint(e) or "" for e in f.evidence)))
        for f in findings
    ]
    return sorted(out, key=repr)
