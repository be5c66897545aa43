"""The engine's shortcuts for speed give what the plain definitions give.

Filters normalise operands written in a rule once, when compiled, and ``$param`` operands on
every comparison; messages format dates inline rather than through :func:`format_vi`. Each pair
must agree on every value, or a rule would judge differently depending on how it is written.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from typing import Any

import pytest

from kl21rules.dates import format_vi
from kl21rules.rules.engine import Msg
from kl21rules.rules.filters import Scope, compile_where

VALUES: list[Any] = [
    None, "", "  ", "Đạt", "đạt", " ĐẠT  ", unicodedata.normalize("NFD", "Đạt"), "khong dat",
    "Hoàn  thành tốt", "hoàn thành tốt", 3, 3.0, True, ["Đạt", "khác"], ["ĐẠT"], [], ["x"],
]
OPERANDS: list[tuple[str, Any]] = [
    ("eq", "Đạt"), ("eq", unicodedata.normalize("NFD", " đẠt ")), ("ne", "hoàn thành tốt"), ("eq", 3),
    ("in", ["đạt", "Hoàn thành tốt"]), ("not_in", ["ĐẠT"]), ("in", []), ("in", "Đạt"),
    ("contains", "đạt"), ("contains", unicodedata.normalize("NFD", "ĐẠT")),
    ("contains_any", ["x", "đẠt"]), ("ne", None),
]


class _Obj:
    def __init__(self, value: Any) -> None:
        self.outcome = value


def _verdict(where: dict[str, Any], obj: Any, scope: Scope) -> Any:
    try:
        return compile_where(where)(obj, scope)
    except TypeError:
        return TypeError


@pytest.mark.parametrize(("op", "arg"), OPERANDS)
def test_written_operand_judges_as_a_param_operand(op: str, arg: Any) -> None:
    written = {"outcome": {op: arg}}
    referenced = {"outcome": {op: "$param.want"}}
    for value in VALUES:
        for obj in (_Obj(value), {"outcome": value}):
            scope = Scope(unit=None, params={"want": arg})
            assert _verdict(written, obj, scope) == _verdict(referenced, obj, scope), (op, arg, value)


def test_nested_path_and_missing_parent() -> None:
    pred = compile_where({"members.good": {"ge": 2}})
    scope = Scope(unit=None, params={})
    assert pred({"members": {"good": 3}}, scope) is True
    assert pred({"members": None}, scope) is False
    assert compile_where({"outcome": "đạt"})(None, scope) is False


@pytest.mark.parametrize("day", [_dt.date(2022, 3, 18), _dt.date(2023, 12, 1), _dt.date(1, 1, 1)])
def test_message_dates_as_format_vi_and_iso(day: _dt.date) -> None:
    vi, en = Msg("hạn {d}", "due {d}", d=day).render_both()
    assert vi == f"hạn {format_vi(day)}"
    assert en == f"due {day.isoformat()}"
    assert (vi, en) == (Msg("hạn {d}", "due {d}", d=day).render("vi"), Msg("hạn {d}", "due {d}", d=day).render("en"))


def test_field_of_reads_as_getattr() -> None:
    """``field_of`` skips pydantic's exception for a missing attribute only where the class shows
    the attribute cannot exist; a model with extra fields, a property or a private attribute of
    that name, and objects that are not models, are read by ``getattr`` as before."""
    from pydantic import BaseModel, ConfigDict, PrivateAttr

    from kl21rules.rules.facts import field_of
    from kl21rules.submission import StudySession, YearActivity

    class Loose(BaseModel):
        model_config = ConfigDict(extra="allow")
        a: int = 1

    class WithProperty(BaseModel):
        a: int = 1

        @property
        def replaces(self) -> str:
            return "computed"

    class WithPrivate(BaseModel):
        _replaces: str = PrivateAttr(default="hidden")
        year: int | None = None

    class Plain:
        replaces = "class attribute"

    objects: list[Any] = [
        StudySession(type="study_session", date=_dt.date(2022, 3, 1)),
        YearActivity(type="x", year=2022, replaces="A1"),
        YearActivity(type="x", year=2022),
        Loose(a=2, replaces="extra", year=2023), Loose(), WithProperty(), WithPrivate(), Plain(), {"replaces": 1}, None,
    ]
    for obj in objects:
        for name in ("replaces", "year", "id", "_replaces", "a", "missing"):
            assert field_of(obj, name) == getattr(obj, name, None), (obj, name)
            assert field_of(obj, name) == getattr(obj, name, None), (obj, name)  # second time: cached


def test_period_slices_are_the_filtered_activities() -> None:
    """A recurring rule finds a period's activities by bisecting their dates (by date) or by a
    look-up of their year (by year): the same items, in the same order, as filtering them."""
    import random
    from bisect import bisect_left, bisect_right

    from kl21rules.rules.engine import _dates_of, _years_of, year_of
    from kl21rules.rules.facts import Dated

    class Obj:
        def __init__(self, year: Any) -> None:
            self.year = year

    rng = random.Random(5)
    for _ in range(300):
        days = sorted(_dt.date(2022, 1, 1) + _dt.timedelta(days=rng.randrange(900)) for _ in range(rng.randrange(12)))
        years: list[Any] = [rng.choice([None, 2022, 2023, 2024]) for _ in days]
        items = [Dated(f"/activities/{i}", i, day, Obj(y)) for i, (day, y) in enumerate(zip(days, years))]
        dates = _dates_of(items)
        assert dates is not None
        for _ in range(10):
            lo = _dt.date(2022, 1, 1) + _dt.timedelta(days=rng.randrange(-30, 930))
            hi = lo + _dt.timedelta(days=rng.randrange(0, 120))
            assert items[bisect_left(dates, lo):bisect_right(dates, hi)] == [d for d in items if lo <= d.date <= hi]
        by_year = _years_of(items)
        assert by_year is not None
        for year in (2021, 2022, 2023, 2024, 2025):
            assert list(by_year.get(year, ())) == [d for d in items if year_of(d) == year]
    shuffled = [Dated("/a/0", 0, _dt.date(2023, 1, 1), Obj(None)), Dated("/a/1", 1, _dt.date(2022, 1, 1), Obj(None))]
    assert _dates_of(shuffled) is None  # not in order: filtered instead
    assert _years_of([Dated("/a/0", 0, _dt.date(2023, 1, 1), Obj("2023"))]) is None  # not an int: filtered instead
