"""Pack ``tuyengiao``: Propaganda and Education Department (Ban Tuyên giáo Đảng ủy Khối)."""

from __future__ import annotations

from datetime import date

from kl21rules.dates import add_days
from kl21rules.findings import Finding
from kl21rules.packs import PythonRule
from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.engine import Context, Msg
from kl21rules.rules.facts import Dated
from kl21rules.rules.model import Text

NAME = "tuyengiao"


#: The day Conclusion 21-KL/TW was issued. A session before it was not about the Conclusion, so it is
#: not a main session to make up for (KL21-01 does not count it either).
CONCLUSION_ISSUED = date(2021, 10, 25)


def judge_makeup(ctx: Context) -> list[Finding]:
    """KL21-02: the absentees of each main study session are covered by make-up sessions.

    A make-up session's attendees are counted once: when a unit held several main sessions, they
    are shared out (main sessions in date order, each taking the earliest make-ups in its window),
    so one make-up of five people cannot cover five absentees of two sessions each.
    """
    days = ctx.param_int("makeup_within_days", "makeup_within_days") or 0
    sessions = ctx.facts.activities(("study_session",))
    mains = [s for s in sessions if not s.obj.makeup and s.date >= CONCLUSION_ISSUED]
    makeups = [s for s in sessions if s.obj.makeup]
    if not mains:
        older = any(not s.obj.makeup for s in sessions)
        why = (Msg(" (hội nghị trước ngày {c} không phải hội nghị về Kết luận)",
                   " (a session before {c} was not about the Conclusion)", c=CONCLUSION_ISSUED)
               if older else Msg("", ""))
        return [ctx.finding("not_applicable", Msg(
            "chưa có hội nghị nghiên cứu, quán triệt chính nào đến ngày {d}{why}; KL21-01 xét việc này.",
            "no main study session up to {d}{why}; KL21-01 reports that.", d=ctx.as_of, why=why))]

    left = {m.pointer: m.obj.attendees or 0 for m in makeups}
    short: dict[str, int] = {}
    used: dict[str, list[Dated]] = {m.pointer: [] for m in mains}
    on_time: dict[str, int] = {m.pointer: 0 for m in mains}
    later: dict[str, int] = {m.pointer: 0 for m in mains}
    for main in mains:
        if main.obj.expected is not None and main.obj.attendees is not None:
            short[main.pointer] = max(0, main.obj.expected - main.obj.attendees)

    def share(main: Dated, last_day: date | None, tally: dict[str, int]) -> None:
        for mk in makeups:
            need = short[main.pointer] - on_time[main.pointer] - later[main.pointer]
            if need <= 0:
                return
            if mk.date < main.date or (last_day is not None and mk.date > last_day) or left[mk.pointer] <= 0:
                continue
            take = min(need, left[mk.pointer])
            left[mk.pointer] -= take
            tally[main.pointer] += take
            used[main.pointer].append(mk)

    # Make-ups inside the windows first (windows all have the same length, so taking them in date
    # order is the best sharing), then what is left, after the windows, for sessions still short.
    judged = [m for m in mains if m.pointer in short]
    for main in judged:
        share(main, add_days(main.date, days), on_time)
    for main in judged:
        share(main, None, later)

    out = []
    for main in mains:
        obj = main.obj
        due = add_days(main.date, days)
        lead = Msg("hội nghị {ref} ({d}): ", "session {ref} ({d}): ", ref=main.ref, d=main.date)
        if main.pointer not in short:
            out.append(ctx.finding("fail", Msg(
                "{p}thiếu số người phải dự (expected) hoặc số người dự (attendees) nên không xét được việc học bù.",
                "{p}expected or attendees is missing, so coverage cannot be judged.", p=lead),
                item=main.ref, due=due, evidence=[main.pointer]))
            continue
        absent = short[main.pointer]
        if absent == 0:
            out.append(ctx.finding("pass", Msg("{p}dự đủ {n}/{n} người.", "{p}all {n} attended.", p=lead, n=obj.expected),
                                   item=main.ref, due=due, evidence=[main.pointer]))
            continue
        covered = on_time[main.pointer]
        covered_all = covered + later[main.pointer]
        status = ctx.verdict(covered >= absent, covered_all >= absent, due)
        so_far = covered_all if status in ("fail", "pending") else covered
        # "mới" (only) where the number falls short; "đã" (already) for progress while the window is open.
        word = "đã" if status == "pending" else "mới"
        reached = (Msg(word + " học bù {k} người", "{k} reached", k=so_far) if so_far
                   else Msg("chưa học bù cho ai", "none reached"))
        values = dict(p=lead, absent=absent, covered=covered, reached=reached, n=days, due=due)
        if status == "pass":
            msg = Msg("{p}vắng {absent} người, đã học bù {covered} người trong {n} ngày (đến {due}).",
                      "{p}{absent} absent, {covered} reached by make-up sessions within {n} days (by {due}).", **values)
        elif status == "late":
            msg = Msg("{p}vắng {absent} người, đã học bù đủ nhưng trong {n} ngày (đến {due}) {reached}.",
                      "{p}{absent} absent, all covered, but within {n} days (by {due}) {reached}.", **values)
        elif status == "fail":
            msg = Msg("{p}vắng {absent} người, {reached}; hạn học bù {due} đã qua.",
                      "{p}{absent} absent, {reached} by make-up sessions; the window closed on {due}.", **values)
        else:
            msg = Msg("{p}vắng {absent} người, {reached}; còn hạn học bù đến {due}.",
                      "{p}{absent} absent, {reached} so far; make-up sessions are due by {due}.", **values)
        evidence = [main.pointer] + [m.pointer for m in sorted(used[main.pointer], key=lambda d: (d.date, d.index))]
        out.append(ctx.finding(status, msg, item=main.ref, due=due,
                               evidence=evidence if status in ("pass", "late") else [main.pointer]))
    return out


plugin = BuiltinPack(
    NAME,
    Text(vi="Ban Tuyên giáo Đảng ủy Khối", en="Propaganda and Education Department"),
    lambda: [
        PythonRule("KL21-02", judge_makeup),
    ],
)
