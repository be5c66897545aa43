"""Pack ``so_tai_chinh``: the local rules of the Department of Finance's Party committee
(Đảng bộ Sở Tài chính), on top of Plan 40-KH/ĐUK.

* ``STC-01`` (declarative, ``rules.yaml``): a thematic meeting on preventing corruption and
  negativity every quarter from 2023 — an activity type this pack adds, ``thematic_meeting``.
* ``STC-02`` (Python, below): every year from 2023, attendances at political theory training add
  up to at least half of the unit's members — arithmetic over counts, which a ruleset cannot say.

Everything the pack uses from kl21rules is its public API (``kl21rules.__all__``) and its
testing kit; the rules' metadata lives in ``rules.yaml``, the rule cases in ``cases/so_tai_chinh.yaml``.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from kl21rules import Activity, Context, Finding, Msg, PackInfo, PythonRule, Text, hookimpl

__version__ = "0.1.0"
NAME = "so_tai_chinh"
HERE = Path(__file__).resolve().parent


class ThematicMeeting(Activity):
    """Sinh hoạt chuyên đề: a thematic meeting of the Party committee or a cell, with its topics."""

    vi: ClassVar[str] = "sinh hoạt chuyên đề"
    type: Literal["thematic_meeting"]
    topics: list[str] = Field(default_factory=list)
    attendees: int | None = Field(default=None, ge=0)


@hookimpl
def kl21rules_pack() -> PackInfo:
    return PackInfo(NAME, Text(vi="Quy định riêng của Đảng bộ Sở Tài chính",
                               en="Local rules of the Department of Finance's Party committee"), __version__)


@hookimpl
def kl21rules_rulesets() -> list[Path]:
    return [HERE / "rules.yaml"]


@hookimpl
def kl21rules_rule_cases() -> list[Path]:
    return [HERE / "cases" / "so_tai_chinh.yaml"]


@hookimpl
def kl21rules_activity_types() -> list[type[Activity]]:
    return [ThematicMeeting]


@hookimpl
def kl21rules_rules() -> list[PythonRule]:
    return [PythonRule("STC-02", judge_theory_attendance)]


def judge_theory_attendance(ctx: Context) -> list[Finding]:
    """STC-02: each year, theory-training attendances reach ``min_share`` % of the members.

    The share is rounded up (half of 25 members is 13). A year still running is ``pending`` until
    the share is reached; a year that ended short of it is ``fail``. Without ``unit.members`` the
    share cannot be judged: ``fail``, saying what is missing.
    """
    share = ctx.param_int("min_share", "min_share")
    first = ctx.param_int("from_year", "from_year")
    assert share is not None and first is not None
    members = ctx.facts.unit.members
    trainings = ctx.facts.activities(("theory_training",))
    out: list[Finding] = []
    for year in range(first, ctx.as_of.year + 1):
        period, due = str(year), _dt.date(year, 12, 31)
        held = [t for t in trainings if t.date.year == year]
        evidence = [t.pointer for t in held]
        if members is None:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: báo cáo không ghi số đảng viên (unit.members) nên không xét được tỷ lệ {s}%.",
                "{y}: the submission gives no member count (unit.members), so the {s}% share cannot be judged.",
                y=year, s=share), period=period, due=due, evidence=evidence))
            continue
        if members == 0:
            out.append(ctx.finding("not_applicable", Msg("năm {y}: đơn vị không có đảng viên.",
                                                         "{y}: the unit has no members.", y=year), period=period))
            continue
        need = -(-members * share // 100)  # rounded up
        got = sum(t.obj.participants or 0 for t in held)
        values = dict(y=year, got=got, need=need, m=members, s=share, due=due)
        if got >= need:
            out.append(ctx.finding("pass", Msg(
                "năm {y}: {got} lượt đảng viên dự bồi dưỡng lý luận chính trị, đủ {need} ({s}% của {m}).",
                "{y}: {got} attendances at theory training, reaching {need} ({s}% of {m}).", **values),
                period=period, due=due, evidence=evidence))
        elif ctx.as_of > due:
            out.append(ctx.finding("fail", Msg(
                "năm {y}: chỉ {got} lượt đảng viên dự bồi dưỡng lý luận chính trị, cần {need} ({s}% của {m}).",
                "{y}: only {got} attendances at theory training; {need} needed ({s}% of {m}).", **values),
                period=period, due=due, evidence=evidence))
        else:
            out.append(ctx.finding("pending", Msg(
                "năm {y}: mới {got} lượt đảng viên dự bồi dưỡng lý luận chính trị, cần {need} ({s}% của {m}) đến {due}.",
                "{y}: {got} attendances at theory training so far; {need} needed ({s}% of {m}) by {due}.", **values),
                period=period, due=due, evidence=evidence))
    return out
