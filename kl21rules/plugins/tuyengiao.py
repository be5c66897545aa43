"""Pack ``tuyengiao``: Propaganda and Education Department (Ban Tuyên giáo Đảng ủy Khối)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kl21rules._version import __version__
from kl21rules.findings import Finding
from kl21rules.hookspecs import hookimpl
from kl21rules.packs import PackInfo, PythonRule
from kl21rules.plugins import _builtin
from kl21rules.rules.engine import Context, Msg
from kl21rules.rules.model import Text

NAME = "tuyengiao"


@hookimpl
def kl21rules_pack() -> PackInfo:
    return PackInfo(NAME, Text(vi="Ban Tuyên giáo Đảng ủy Khối", en="Propaganda and Education Department"), __version__)


@hookimpl
def kl21rules_rulesets() -> list[Path]:
    return _builtin.ruleset(NAME)


@hookimpl
def kl21rules_rule_cases() -> list[Path]:
    return _builtin.cases(NAME)


@hookimpl
def kl21rules_rules() -> list[PythonRule]:
    return [PythonRule("KL21-02", judge_makeup)]


def judge_makeup(ctx: Context) -> list[Finding]:
    """KL21-02: the absentees of each main study session are covered by make-up sessions."""
    days = ctx.param_int("makeup_within_days", "makeup_within_days") or 0
    sessions = ctx.facts.activities(("study_session",))
    mains = [s for s in sessions if not s.obj.makeup]
    makeups = [s for s in sessions if s.obj.makeup]
    if not mains:
        return [ctx.finding("not_applicable", Msg(
            "chưa có hội nghị nghiên cứu, quán triệt chính nào đến ngày {d} (KL21-01 xét việc này).",
            "no main study session up to {d} (KL21-01 reports that).", d=ctx.as_of))]
    out = []
    for main in mains:
        obj = main.obj
        due = main.date + timedelta(days=days)
        lead = Msg("hội nghị {ref} ({d}): ", "session {ref} ({d}): ", ref=main.ref, d=main.date)
        if obj.expected is None or obj.attendees is None:
            out.append(ctx.finding("fail", Msg(
                "{p}thiếu số người phải dự (expected) hoặc số người dự (attendees) nên không xét được việc học bù.",
                "{p}expected or attendees is missing, so coverage cannot be judged.", p=lead),
                item=main.ref, due=due, evidence=[main.pointer]))
            continue
        absent = obj.expected - obj.attendees
        if absent <= 0:
            out.append(ctx.finding("pass", Msg("{p}dự đủ {n}/{n} người.", "{p}all {n} attended.", p=lead, n=obj.expected),
                                   item=main.ref, due=due, evidence=[main.pointer]))
            continue
        after = [m for m in makeups if m.date >= main.date]
        on_time = [m for m in after if m.date <= due]
        covered = sum(m.obj.attendees or 0 for m in on_time)
        covered_all = sum(m.obj.attendees or 0 for m in after)
        evidence = [main.pointer] + [m.pointer for m in after]
        status = ctx.verdict(covered >= absent, covered_all >= absent, due)
        values = dict(p=lead, absent=absent, covered=covered, all=covered_all, n=days, due=due)
        if status == "pass":
            msg = Msg("{p}vắng {absent} người, đã học bù {covered} người trong {n} ngày (đến {due}).",
                      "{p}{absent} absent, {covered} reached by make-up sessions within {n} days (by {due}).", **values)
        elif status == "late":
            msg = Msg("{p}vắng {absent} người; trong {n} ngày (đến {due}) mới học bù {covered} người, đủ số chỉ sau hạn.",
                      "{p}{absent} absent; only {covered} reached within {n} days (by {due}), the rest later.", **values)
        elif status == "fail":
            msg = Msg("{p}vắng {absent} người, mới học bù {all} người; hạn học bù {due} đã qua.",
                      "{p}{absent} absent, {all} reached by make-up sessions; the window closed on {due}.", **values)
        else:
            msg = Msg("{p}vắng {absent} người, đã học bù {all} người; còn hạn đến {due}.",
                      "{p}{absent} absent, {all} reached so far; make-up sessions are due by {due}.", **values)
        out.append(ctx.finding(status, msg, item=main.ref, due=due,
                               evidence=evidence if status in ("pass", "late") else [main.pointer]))
    return out
