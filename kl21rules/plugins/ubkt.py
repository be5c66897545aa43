"""Pack ``ubkt``: Inspection Committee (Ủy ban Kiểm tra Đảng ủy Khối)."""

from __future__ import annotations

from datetime import date

from kl21rules.findings import Finding
from kl21rules.packs import PythonRule
from kl21rules.plugins._builtin import BuiltinPack
from kl21rules.rules.engine import Context, Msg
from kl21rules.rules.facts import Dated
from kl21rules.rules.model import Text

NAME = "ubkt"


def judge_asset_declarations(ctx: Context) -> list[Finding]:
    """KL21-13: every year with a record, everyone obliged has declared by 31/12.

    The latest record of a year (by date, up to the evaluation date) says where the year stands.
    When it is complete, the year is on time only if the record in force on 31/12 was already
    complete for the same number of people: a complete record restated in January does not make
    the year late, and people found obliged only after 31/12 do not make it on time.
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
        rec = records[-1]
        obj = rec.obj
        due = date(year, 12, 31)
        values = dict(y=year, o=obj.obligated, dcl=obj.declared, due=due, on=rec.date)
        period = str(year)
        if obj.obligated == 0:
            out.append(ctx.finding("not_applicable", Msg(
                "năm {y}: không có người phải kê khai.", "{y}: no one is obliged to declare.", **values),
                period=period, evidence=[rec.pointer]))
        elif obj.declared > obj.obligated:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: số đã kê khai ({dcl}) lớn hơn số phải kê khai ({o}) — số liệu sai.",
                "{y}: declared ({dcl}) exceeds obliged ({o}) — the data is wrong.", **values),
                period=period, due=due, evidence=[rec.pointer]))
        elif obj.declared == obj.obligated:
            in_force = [r for r in records if r.date <= due]
            on_time = (in_force[-1] if in_force
                       and in_force[-1].obj.declared == in_force[-1].obj.obligated == obj.obligated else None)
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
