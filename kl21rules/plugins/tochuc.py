"""Pack ``tochuc``: Organisation Department (Ban Tổ chức Đảng ủy Khối)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def _named(records: list[Dated], detail: Callable[[Dated], Msg]) -> Any:
    """Records as a message names them: "QR-1 (45 người)", by id or else by pointer."""
    return joined([Msg("{ref} ({d})", "{ref} ({d})", ref=r.ref, d=detail(r)) for r in records])


_REPLACE_HINT = Msg(
    " Nếu một bản ghi đã được sửa bằng bản ghi khác, ghi replaces: <mã bản ghi cũ> ở bản sửa.",
    " If a record was corrected by another, give the correction replaces: <id of the old record>.",
)


def judge_quality_rating(ctx: Context) -> list[Finding]:
    """KL21-10: a rating of the organisation and its members every year; counts that add up.

    Timeliness is the engine's recurring kind. On top of it, every rating of a year is judged
    (not only the latest): one that rates more members than ``unit.members`` makes the year
    ``fail``, naming it, whatever the other ratings say — a unit that corrects a rating says so
    with ``replaces`` (the replaced rating is then not judged at all). A year whose only ratings
    leave out a part is told which part is missing.
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
        impossible = ([r for r in ratings if r.obj.members is not None and r.obj.members.total() > members]
                      if members is not None else [])
        if impossible:
            f = ctx.finding("fail", Msg(
                "năm {y}: số đảng viên được xếp loại lớn hơn số đảng viên của đơn vị ({m}) ở {which} — số liệu không thể đúng.{h}",
                "{y}: more members rated than the unit has ({m}) in {which} — the ratings cannot be right.{h}",
                y=year, m=members, h=_REPLACE_HINT if len(ratings) > 1 else Msg("", ""),
                which=_named(impossible, lambda r: Msg("{n} người được xếp loại", "{n} rated", n=r.obj.members.total()))),
                period=f.period, due=f.due, evidence=[r.pointer for r in impossible])
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
    """KL21-21: excellent ≤ excellent_share % of good, rounded down, for every rating of a year.

    Every rating counts: one above the cap fails its year, naming it, whatever the other
    ratings of the year say (a correction says so with ``replaces``).
    """
    share = ctx.param_int("excellent_share", "excellent_share")
    assert share is not None
    by_year: dict[int, list[Dated]] = {}
    for r in ctx.facts.activities(("quality_rating",)):
        by_year.setdefault(r.obj.year, []).append(r)  # sorted by date
    if not by_year:
        return [ctx.finding("not_applicable", Msg(
            "không có đánh giá, xếp loại chất lượng nào đến {d}.", "no quality rating up to {d}.", d=ctx.as_of))]
    out = []
    for year in sorted(by_year):
        ratings = by_year[year]
        period = str(year)
        if not in_force(ctx, year):
            out.append(not_in_force(ctx, period, year))
            continue
        counted = [r for r in ratings if r.obj.members is not None]
        if not counted:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: bản xếp loại không ghi số đảng viên theo từng mức (members).",
                "{y}: the rating gives no member counts (members).", y=year), period=period,
                evidence=[r.pointer for r in ratings]))
            continue

        def cap(r: Dated) -> int:
            return int(r.obj.members.good * share // 100)

        def detail(r: Dated) -> Msg:
            m = r.obj.members
            return Msg("{e} xuất sắc, giới hạn {cap} = {s}% của {g} hoàn thành tốt, làm tròn xuống",
                       "{e} excellent, cap {cap} = {s}% of {g} good, rounded down",
                       e=m.excellent, g=m.good, s=share, cap=cap(r))

        over = [r for r in counted if r.obj.members.excellent > cap(r)]
        if over:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: số đảng viên hoàn thành xuất sắc vượt giới hạn ở {which}.{h}",
                "{y}: members rated excellent above the cap in {which}.{h}",
                y=year, which=_named(over, detail), h=_REPLACE_HINT if len(counted) > 1 else Msg("", "")),
                period=period, evidence=[r.pointer for r in over]))
        elif len(counted) == 1:
            m = counted[0].obj.members
            values = dict(y=year, e=m.excellent, g=m.good, s=share, cap=cap(counted[0]))
            out.append(ctx.finding("pass", Msg(
                "năm {y}: {e} đảng viên hoàn thành xuất sắc, trong giới hạn {cap} ({s}% của {g} hoàn thành tốt, làm tròn xuống).",
                "{y}: {e} rated excellent, within the cap of {cap} ({s}% of {g} rated good, rounded down).", **values),
                period=period, evidence=[counted[0].pointer]))
        else:
            out.append(ctx.finding("pass", Msg(
                "năm {y}: cả {k} bản xếp loại đều trong giới hạn: {which}.",
                "{y}: all {k} ratings are within the cap: {which}.",
                y=year, k=len(counted), which=_named(counted, detail)),
                period=period, evidence=[r.pointer for r in counted]))
    return out


plugin = BuiltinPack(
    NAME,
    Text(vi="Ban Tổ chức Đảng ủy Khối", en="Organisation Department"),
    lambda: [
        PythonRule("KL21-10", judge_quality_rating),
        PythonRule("KL21-21", judge_excellent_share),
    ],
)
