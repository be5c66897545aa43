"""Pack ``ubkt``: Inspection Committee (Ủy ban Kiểm tra Đảng ủy Khối)."""

from __future__ import annotations

from datetime import date

from kl21rules.findings import Finding
from kl21rules.packs import PythonRule
from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.engine import Context, Msg, joined
from kl21rules.rules.facts import Dated
from kl21rules.rules.model import Text

NAME = "ubkt"


def _standing(records: list[Dated]) -> Dated:
    """The record that says where a year stands: the latest by date. Records of that same date
    that disagree are read at their least complete (a tie must never be settled in the unit's
    favour, nor by the order of the file): short of declarations first, then complete, then
    "no one obliged"."""
    last = records[-1].date
    tied = [r for r in records if r.date == last]

    def rank(r: Dated) -> int:
        o = r.obj
        return 0 if o.declared < o.obligated else (2 if o.obligated == 0 else 1)

    return min(tied, key=rank)  # min keeps the first of equal ranks: the facts' order (by content)


def judge_asset_declarations(ctx: Context) -> list[Finding]:
    """KL21-13: every year with a record, everyone obliged has declared by 31/12.

    Every record counts: one with more declared than obliged is impossible data and fails its
    year, naming it, whatever the other records of the year say (a unit that corrects a record
    says so with ``replaces``; the replaced record is then not judged). Otherwise the latest
    record of a year (by date, up to the evaluation date) says where the year stands, as
    declarations progress through the year. When it is complete, the year is on time only if the
    record in force on 31/12 was already complete for the same number of people: a complete
    record restated in January does not make the year late, and people found obliged only after
    31/12 do not make it on time.
    """
    by_year: dict[int, list[Dated]] = {}
    for rec in ctx.facts.activities(("asset_declaration",)):
        if 2022 <= rec.obj.year <= ctx.as_of.year:
            by_year.setdefault(rec.obj.year, []).append(rec)  # sorted by date
    if not by_year:
        return [ctx.finding("not_applicable", Msg(
            "không có bản ghi kê khai tài sản (asset_declaration) nào từ năm 2022 đến {d}.",
            "no asset_declaration record from 2022 up to {d}.", d=ctx.as_of))]
    out = []
    for year in sorted(by_year):
        records = by_year[year]
        due = date(year, 12, 31)
        period = str(year)
        impossible = [r for r in records if r.obj.declared > r.obj.obligated]
        if impossible:
            which = joined([Msg("{ref} ({d}/{o})", "{ref} ({d}/{o})", ref=r.ref, d=r.obj.declared, o=r.obj.obligated)
                            for r in impossible])
            hint = (Msg(" Nếu một bản ghi đã được sửa bằng bản ghi khác, ghi replaces: <mã bản ghi cũ> ở bản sửa.",
                        " If a record was corrected by another, give the correction replaces: <id of the old record>.")
                    if len(records) > 1 else Msg("", ""))
            out.append(ctx.finding("fail", Msg(
                "năm {y}: số đã kê khai lớn hơn số phải kê khai ở {which} — số liệu sai.{h}",
                "{y}: more declared than obliged in {which} — the data is wrong.{h}", y=year, which=which, h=hint),
                period=period, due=due, evidence=[r.pointer for r in impossible]))
            continue
        rec = _standing(records)
        obj = rec.obj
        values = dict(y=year, o=obj.obligated, dcl=obj.declared, due=due, on=rec.date)
        if obj.obligated == 0:
            out.append(ctx.finding("not_applicable", Msg(
                "năm {y}: không có người phải kê khai.", "{y}: no one is obliged to declare.", **values),
                period=period, evidence=[rec.pointer]))
        elif obj.declared == obj.obligated:
            in_force = [r for r in records if r.date <= due]
            held = _standing(in_force) if in_force else None
            on_time = (held if held is not None
                       and held.obj.declared == held.obj.obligated == obj.obligated else None)
            if on_time is not None:
                out.append(ctx.finding("pass", Msg(
                    "năm {y}: {dcl}/{o} người đã kê khai (ghi ngày {on}).", "{y}: {dcl}/{o} declared (dated {on}).",
                    **{**values, "on": on_time.date}), period=period, due=due, evidence=[on_time.pointer]))
            else:
                out.append(ctx.finding("late", Msg(
                    "năm {y}: {dcl}/{o} người đã kê khai nhưng ghi ngày {on}, sau hạn {due}.",
                    "{y}: {dcl}/{o} declared, but dated {on}, after the due date {due}.", **values),
                    period=period, due=due, evidence=[rec.pointer]))
        else:
            status = "fail" if ctx.as_of > due else "pending"
            msg = (Msg("năm {y}: mới {dcl}/{o} người kê khai; hạn {due} đã qua.", "{y}: only {dcl}/{o} declared; due by {due}, now overdue.", **values)
                   if status == "fail" else
                   Msg("năm {y}: mới {dcl}/{o} người kê khai; hạn {due}.", "{y}: {dcl}/{o} declared so far; due by {due}.", **values))
            out.append(ctx.finding(status, msg, period=period, due=due, evidence=[rec.pointer]))
    return out


plugin = BuiltinPack(
    NAME,
    Text(vi="Ủy ban Kiểm tra Đảng ủy Khối", en="Inspection Committee"),
    lambda: [
        PythonRule("KL21-13", judge_asset_declarations),
    ],
)
