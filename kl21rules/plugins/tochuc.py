"""Pack ``tochuc``: Organisation Department (Ban Tổ chức Đảng ủy Khối)."""

from __future__ import annotations

from kl21rules.findings import Finding
from kl21rules.packs import PythonRule
from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.engine import KIND_COMPILERS, Context, Judge, Msg, in_force, joined, not_in_force
from kl21rules.rules.facts import Dated
from kl21rules.rules.model import Match, Recurring, Schedule, Text

NAME = "tochuc"


# KL21-10 is a yearly obligation (declarative) plus a consistency check (Python): the yearly part
# is judged by the engine's own recurring kind, so both follow one definition of on time.
_RATING_SCHEDULE = Recurring(
    kind="recurring",
    schedules=[
        Schedule(
            every="year",
            by="year",
            match=Match(
                type="quality_rating",
                where={"organisation": {"exists": True}, "members": {"exists": True}},
            ),
        )
    ],
)
_yearly: dict[str, Judge] = {}


_PARTS = {
    "organisation": Text(vi="xếp loại tổ chức (organisation)", en="the organisation's rating (organisation)"),
    "members": Text(vi="số đảng viên theo từng mức xếp loại (members)", en="the members' ratings (members)"),
}


def judge_quality_rating(ctx: Context) -> list[Finding]:
    """KL21-10: a rating of the organisation and its members every year; counts that add up.

    Timeliness is the engine's recurring kind. On top of it: the latest rating of a year that
    counts members is compared with ``unit.members`` (a later rating corrects an earlier one),
    and a year whose only ratings leave out a part is told which part is missing.
    """
    judge = _yearly.get(ctx.spec.id)
    if judge is None:
        judge = _yearly[ctx.spec.id] = KIND_COMPILERS["recurring"](ctx.spec, _RATING_SCHEDULE)
    findings = judge(ctx)
    members = ctx.facts.unit.members
    out = []
    for f in findings:
        if f.period is None:
            out.append(f)
            continue
        year = int(f.period)
        ratings = [r for r in ctx.facts.activities(("quality_rating",)) if r.obj.year == year]
        if f.status in ("pass", "late") and members is not None:
            counted = [r for r in ratings if r.obj.members is not None]
            r = counted[-1] if counted else None
            if r is not None and r.obj.members.total() > members:
                f = ctx.finding("fail", Msg(
                    "năm {y}: số đảng viên được xếp loại ({n}) lớn hơn số đảng viên của đơn vị ({m}) — số liệu không thể đúng.",
                    "{y}: more members rated ({n}) than the unit has ({m}) — the ratings cannot be right.",
                    y=year, n=r.obj.members.total(), m=members), period=f.period, due=f.due, evidence=[r.pointer])
        elif f.status in ("fail", "pending") and ratings:
            # A rating exists but lacks a part: say which, rather than "no rating".
            r = ratings[-1]
            lacking = [_PARTS[k] for k in ("organisation", "members") if getattr(r.obj, k) is None]
            if not lacking:
                out.append(f)
                continue
            values = dict(y=year, on=r.date, what=joined(lacking), due=f.due)
            if f.status == "fail":
                msg = Msg("năm {y}: bản đánh giá, xếp loại ngày {on} không ghi {what}; hạn {due} đã qua.",
                          "{y}: the rating dated {on} does not give {what}; it was due by {due}.", **values)
            else:
                msg = Msg("năm {y}: bản đánh giá, xếp loại ngày {on} chưa ghi {what}; hạn {due}.",
                          "{y}: the rating dated {on} does not give {what} yet; due by {due}.", **values)
            f = ctx.finding(f.status, msg, period=f.period, due=f.due, evidence=[r.pointer])
        out.append(f)
    return out


def judge_excellent_share(ctx: Context) -> list[Finding]:
    """KL21-21: excellent ≤ excellent_share % of good, rounded down, per rating year."""
    share = ctx.param_int("excellent_share", "excellent_share")
    assert share is not None
    latest: dict[int, Dated] = {}
    for r in ctx.facts.activities(("quality_rating",)):
        latest[r.obj.year] = r  # sorted by date: the last rating of a year wins
    if not latest:
        return [ctx.finding("not_applicable", Msg(
            "không có đánh giá, xếp loại chất lượng nào đến {d}.", "no quality rating up to {d}.", d=ctx.as_of))]
    out = []
    for year in sorted(latest):
        r = latest[year]
        period = str(year)
        if not in_force(ctx, year):
            out.append(not_in_force(ctx, period, year))
            continue
        m = r.obj.members
        if m is None:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: bản xếp loại không ghi số đảng viên theo từng mức (members).",
                "{y}: the rating gives no member counts (members).", y=year), period=period, evidence=[r.pointer]))
            continue
        cap = m.good * share // 100
        values = dict(y=year, e=m.excellent, g=m.good, s=share, cap=cap)
        if m.excellent <= cap:
            out.append(ctx.finding("pass", Msg(
                "năm {y}: {e} đảng viên hoàn thành xuất sắc, trong giới hạn {cap} ({s}% của {g} hoàn thành tốt, làm tròn xuống).",
                "{y}: {e} rated excellent, within the cap of {cap} ({s}% of {g} rated good, rounded down).", **values),
                period=period, evidence=[r.pointer]))
        else:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: {e} đảng viên hoàn thành xuất sắc, vượt giới hạn {cap} ({s}% của {g} hoàn thành tốt, làm tròn xuống).",
                "{y}: {e} rated excellent, above the cap of {cap} ({s}% of {g} rated good, rounded down).", **values),
                period=period, evidence=[r.pointer]))
    return out


plugin = BuiltinPack(
    NAME,
    Text(vi="Ban Tổ chức Đảng ủy Khối", en="Organisation Department"),
    lambda: [
        PythonRule("KL21-10", judge_quality_rating),
        PythonRule("KL21-21", judge_excellent_share),
    ],
)
