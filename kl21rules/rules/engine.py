"""The reference engine: compiled rules evaluated in plain Python.

Every verdict of kl21rules is defined by this module. A rule is compiled once from its
:class:`~kl21rules.rules.model.RuleSpec` into a :class:`CompiledRule` whose ``judge`` function
turns :class:`~kl21rules.rules.facts.Facts` into findings. Rules never read the clock: the
evaluation date is part of the facts.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import traceback
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kl21rules.dates import add_days, format_vi, year_bounds
from kl21rules.findings import Finding
from kl21rules.findings import _natural as natural_key
from kl21rules.rules.facts import Dated, Facts, field_of
from kl21rules.rules.filters import ALWAYS, Predicate, Scope, compile_where, get_path
from kl21rules.rules.model import (
    Deadline,
    Each,
    FollowUp,
    Match,
    Recurring,
    RuleSpec,
    Schedule,
    TermWindow,
    Text,
)

Judge = Callable[["Context"], list[Finding]]

UNIT_KIND_LABEL = {
    "chi_bo_co_so": Text(vi="chi bộ cơ sở", en="grassroots party cell"),
    "dang_bo_co_so": Text(vi="đảng bộ cơ sở", en="grassroots party committee"),
    "chi_bo_truc_thuoc": Text(vi="chi bộ trực thuộc", en="subordinate party cell"),
    "department": Text(vi="ban của Đảng ủy Khối", en="department of the bloc"),
}
DEPARTMENT_LABEL = {
    "tochuc": Text(vi="Ban Tổ chức", en="Organisation Department"),
    "ubkt": Text(vi="Ủy ban Kiểm tra", en="Inspection Committee"),
    "tuyengiao": Text(vi="Ban Tuyên giáo", en="Propaganda and Education Department"),
    "vanphong": Text(vi="Văn phòng", en="Office"),
    "doanthe": Text(vi="các đoàn thể", en="mass organisations"),
}
ROMAN = ("I", "II", "III", "IV")
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def fmt_date(day: _dt.date | None, lang: str) -> str:
    """A date as a Vietnamese reader writes it (18/3/2022), or ISO in English."""
    if day is None:
        return "—"
    return day.isoformat() if lang == "en" else format_vi(day)


class Msg:
    """A message in two languages built from templates and values.

    Values that are dates or :class:`Text` are rendered per language; other values as they are.
    """

    __slots__ = ("vi_tpl", "en_tpl", "values")

    def __init__(self, vi: str, en: str, **values: Any) -> None:
        self.vi_tpl, self.en_tpl, self.values = vi, en, values

    def render(self, lang: str) -> str:
        """The message in ``lang`` (Vietnamese unless ``en``): what :meth:`render_both` gives for it."""
        en = lang == "en"
        out: dict[str, str] = {}
        # The common kinds inline, as in render_both; the rest as _render.
        for k, v in self.values.items():
            kind = type(v)
            if kind is str:
                out[k] = v
            elif kind is Text:
                out[k] = v.en if en else v.vi
            elif kind is _dt.date:
                out[k] = v.isoformat() if en else f"{v.day}/{v.month}/{v.year}"  # fmt_date, inlined
            elif kind is Msg:
                out[k] = v.render(lang)
            elif kind is int:
                out[k] = str(v)
            else:
                out[k] = _render(v, lang)
        return (self.en_tpl if en else self.vi_tpl).format_map(out)

    def render_both(self) -> tuple[str, str]:
        """``(render("vi"), render("en"))`` in one walk over the values (every finding needs both)."""
        vi: dict[str, str] = {}
        en: dict[str, str] = {}
        # The common kinds inline (this is the engine's hottest loop), the rest as _render_both.
        for k, v in self.values.items():
            kind = type(v)
            if kind is str:
                vi[k] = en[k] = v
            elif kind is Text:
                vi[k], en[k] = v.vi, v.en
            elif kind is _dt.date:
                vi[k], en[k] = f"{v.day}/{v.month}/{v.year}", v.isoformat()  # format_vi, inlined
            elif kind is Msg:
                vi[k], en[k] = v.render_both()
            elif kind is int:
                vi[k] = en[k] = str(v)
            else:
                vi[k], en[k] = _render_both(v)
        return self.vi_tpl.format_map(vi), self.en_tpl.format_map(en)


def joined(items: Sequence[Any]) -> Any:
    """Items as a reader lists them: "a, b và c" / "a, b and c".

    A bare comma is ambiguous when an item has one of its own ("kiểm điểm làm rõ trách nhiệm, kế
    hoạch sửa chữa, khắc phục" reads as three things).
    """
    items = list(items)
    if len(items) < 2:
        return items[0] if items else ""
    keys = {f"i{n}": v for n, v in enumerate(items)}
    head = ", ".join("{i%d}" % n for n in range(len(items) - 1))
    last = "{i%d}" % (len(items) - 1)
    return Msg(f"{head} và {last}", f"{head} and {last}", **keys)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


#: per rule spec (by identity, the spec kept alive with its entry): its refs as a tuple and the
#: clause note added to every late, fail or pending message — the same for each of its findings.
_CITATIONS: dict[int, tuple[RuleSpec, tuple[str, ...], str, str, tuple[str, str]]] = {}


def _citation(spec: RuleSpec) -> tuple[RuleSpec, tuple[str, ...], str, str, tuple[str, str]]:
    refs = tuple(spec.refs)
    joined_refs = ", ".join(refs)
    vi, en = f" (Kế hoạch 40-KH/ĐUK, mục {joined_refs})", f" (Plan 40-KH/ĐUK, clause {joined_refs})"
    got = (spec, refs, vi, en, (vi, en))
    if len(_CITATIONS) > 4096:  # registries come and go (tests load many): never grow without bound
        _CITATIONS.clear()
    _CITATIONS[id(spec)] = got
    return got


def _render(value: Any, lang: str) -> str:
    if isinstance(value, _dt.date):
        return fmt_date(value, lang)
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        sep = ", "
        return sep.join(_render(v, lang) for v in value)
    return str(value)


def _render_both(value: Any) -> tuple[str, str]:
    """``(_render(value, "vi"), _render(value, "en"))``; the common types are told apart by their
    exact type first (messages are a third of the engine's time), then as :func:`_render` does."""
    kind = type(value)
    if kind is str:
        return value, value
    if kind is Msg:
        msg: Msg = value  # `kind is Msg` does not narrow for mypy
        return msg.render_both()
    if kind is Text:
        return value.vi, value.en
    if kind is _dt.date:
        return format_vi(value), value.isoformat()
    if isinstance(value, _dt.date):
        return fmt_date(value, "vi"), fmt_date(value, "en")
    if isinstance(value, Text):
        return value.get("vi"), value.get("en")
    if isinstance(value, Msg):
        return value.render_both()
    if isinstance(value, (list, tuple)):
        pairs = [_render_both(v) for v in value]
        return ", ".join(p[0] for p in pairs), ", ".join(p[1] for p in pairs)
    text = str(value)
    return text, text


#: the statuses whose messages cite the plan's clauses
_CITED = ("late", "fail", "pending")


@dataclass(slots=True)
class Context:
    """What a rule's judge sees: the facts, the rule, its parameters and a finding factory."""

    facts: Facts
    spec: RuleSpec
    params: dict[str, Any]
    scope: Scope
    #: render messages only when read (:meth:`Finding.deferred`): the engine's own rules and the
    #: built-in packs', whose messages are made of values that always render. A pack's Python
    #: rule gets its messages rendered at once, so that one that cannot be rendered is that
    #: rule's error, as it always was, and never an output's.
    lazy: bool = False
    #: what every finding of a lazy rule without wording of its own takes from the rule, worked out
    #: once: (spec, id, severity, refs, clause notes for late, fail and pending)
    plan: tuple[RuleSpec, str, str, tuple[str, ...], tuple[str, str]] | None = None

    @property
    def as_of(self) -> _dt.date:
        return self.facts.as_of

    def finding(
        self,
        status: str,
        message: Msg,
        *,
        period: str | None = None,
        item: str | None = None,
        due: _dt.date | None = None,
        evidence: Iterable[str] = (),
    ) -> Finding:
        """A finding of this rule; the plan's clauses are added to every message but a pass."""
        plan = self.plan
        if plan is not None and plan[0] is self.spec:
            # the common case, in short: a lazy rule with no wording of its own (see below)
            if type(evidence) is list and len(evidence) < 2:
                shown = tuple(evidence)
            else:
                shown = tuple(dict.fromkeys(evidence))
            return Finding.deferred(plan[1], status, plan[2], period, item, due, plan[3], message,
                                    plan[4] if status in _CITED else None, shown)
        spec = self.spec
        # status is a plain str in this public signature; messages is keyed by the Status literal
        override = spec.messages.get(status) if spec.messages else None  # type: ignore[call-overload]
        cited = _CITATIONS.get(id(spec))
        if cited is None or cited[0] is not spec:
            cited = _citation(spec)
        if override is None and self.lazy:
            return Finding.deferred(spec.id, status, spec.severity, period, item, due, cited[1], message,
                                    cited[4] if status in _CITED else None,
                                    tuple(dict.fromkeys(evidence)))
        if override is not None:
            # rendered at once: a rule's own wording is checked where it is used, as it always was
            message = Msg(override.vi, override.en, **message.values)
        vi, en = message.render_both()
        vi = vi[:1].upper() + vi[1:]  # _sentence, inlined: once per finding
        en = en[:1].upper() + en[1:]
        refs = cited[1]
        if status in ("late", "fail", "pending"):
            vi += cited[2]
            en += cited[3]
        return Finding(
            rule=spec.id,
            status=status,
            severity=spec.severity,
            period=period,
            item=item,
            due=due,
            refs=refs,
            message_vi=vi,
            message_en=en,
            evidence=tuple(dict.fromkeys(evidence)),  # one activity may satisfy several parts
        )

    def verdict(self, on_time: bool, done: bool, due: _dt.date) -> str:
        """The status of an obligation from whether it was done (on time) and its due date."""
        if on_time:
            return "pass"
        if done:
            return "late"
        return "fail" if self.as_of > due else "pending"

    def param_int(self, value: int | str | None, name: str) -> int | None:
        """A number given in the rule, or read from the parameter it names."""
        if value is None or isinstance(value, int):
            return value
        got = self.params.get(value)
        if isinstance(got, bool) or not isinstance(got, int):
            raise ValueError(f"parameter {value!r} of {self.spec.id} must be a whole number ({name})")
        return got


@dataclass(slots=True)
class CompiledRule:
    """A rule ready to run: its spec, how it is judged, and its applicability test."""

    spec: RuleSpec
    judge: Judge
    unit_filter: Predicate
    source: str = ""
    python: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    #: whether its findings' messages may be rendered when read (see :attr:`Context.lazy`)
    lazy: bool = field(init=False, default=False)
    #: (spec, its unit kinds, its refs) when a unit of another kind gets its ``not_applicable``
    #: finding straight from :func:`evaluate` (lazy, and no wording of its own for that status)
    quick_na: tuple[RuleSpec, frozenset[str], tuple[str, ...]] | None = field(init=False, default=None)

    #: :attr:`Context.plan` for this rule (None when its findings are rendered at once or it has
    #: wording of its own)
    plan: tuple[RuleSpec, str, str, tuple[str, ...], tuple[str, str]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.lazy = not self.python or _builtin(self.judge)
        spec = self.spec
        own = spec.messages.get("not_applicable") if spec.messages else None
        self.quick_na = (spec, frozenset(spec.applies_to.unit_kinds), tuple(spec.refs)) if self.lazy and own is None else None
        if self.lazy and not spec.messages:
            cited = _citation(spec)
            self.plan = (spec, spec.id, spec.severity, cited[1], cited[4])

    @property
    def id(self) -> str:
        return self.spec.id


def _builtin(judge: Judge) -> bool:
    """Whether a Python rule is one of kl21rules' own packs' (its function, under the guard that
    every pack's Python rule runs in, is defined in ``kl21rules.plugins``)."""
    inner = getattr(judge, "__wrapped__", judge)
    return str(getattr(inner, "__module__", "")).startswith("kl21rules.plugins.")


# --------------------------------------------------------------------------- matching


@dataclass(slots=True)
class CompiledMatch:
    """A :class:`Match` compiled: the types it reads and the predicate on each activity."""

    types: tuple[str, ...]
    predicate: Predicate
    label: Text | None
    #: (condition, note): see :class:`~kl21rules.rules.model.Caveat`
    caveat: tuple[Predicate, Text] | None = None
    #: (condition, note): see :class:`~kl21rules.rules.model.Uncounted`
    uncounted: tuple[Predicate, Text] | None = None

    def select(self, facts: Facts, scope: Scope) -> list[Dated]:
        pred = self.predicate
        if pred is ALWAYS:  # no filter: every activity of the types
            return list(facts.activities(self.types))
        return [d for d in facts.activities(self.types) if pred(d.obj, scope)]


def compile_match(match: Match, place: str) -> CompiledMatch:
    caveat = (None if match.caveat is None
              else (compile_where(match.caveat.unless, f"{place}.caveat.unless"), match.caveat.note))
    uncounted = (None if match.uncounted is None
                 else (compile_where(match.uncounted.when, f"{place}.uncounted.when"), match.uncounted.note))
    return CompiledMatch(match.types(), compile_where(match.where, f"{place}.where"), match.label, caveat, uncounted)


def uncounted_in(group: CompiledMatch, facts: Facts, scope: Scope, lo: _dt.date | None,
                 hi: _dt.date | None) -> list[Dated]:
    """The activities of ``group``'s types in [lo, hi] that its ``uncounted.when`` picks (none
    without it): what a fail or pending finding names when nothing counts."""
    if group.uncounted is None:
        return []
    when = group.uncounted[0]
    return [d for d in facts.activities(group.types)
            if (lo is None or d.date >= lo) and (hi is None or d.date <= hi) and when(d.obj, scope)]


def _groups(match: Match | None, all_of: Sequence[Match] | None, place: str) -> list[CompiledMatch]:
    groups: list[Match] = []
    if match is not None:
        groups.append(match)
    if all_of:
        groups.extend(all_of)
    if not groups:
        raise ValueError(f"{place}: give 'match' or 'all_of'")
    return [compile_match(m, f"{place}[{i}]") for i, m in enumerate(groups)]


def _labels(groups: Sequence[CompiledMatch], missing: Sequence[int], spec: RuleSpec) -> list[Text]:
    return [groups[i].label or spec.expect for i in missing]


# --------------------------------------------------------------------------- kinds


def _deadline(spec: RuleSpec, ob: Deadline) -> Judge:
    groups = _groups(ob.match, ob.all_of, f"{spec.id}.obligation")

    def judge(ctx: Context) -> list[Finding]:
        return [_judge_window(ctx, groups, ctx.facts, lo=ob.not_before, hi=None, due=ob.due, period=None, lead=None,
                              explain_lo=True, explain_uncounted=True)]

    return judge


def _judge_window(
    ctx: Context,
    groups: Sequence[CompiledMatch],
    facts: Facts,
    *,
    lo: _dt.date | None,
    hi: _dt.date | None,
    due: _dt.date,
    period: str | None,
    lead: Msg | Text | None,
    year: int | None = None,
    explain_lo: bool = False,
    matched: Sequence[list[Dated]] | None = None,
    explain_uncounted: bool = False,
) -> Finding:
    """Judge 'each group has a matching activity, dated in [lo, hi], on or before due'.

    With ``year`` set, activities are placed by their ``year`` field instead of their date.
    With ``explain_lo``, a fail or pending message names the matching activities dated before
    ``lo`` that were not counted (a deadline's ``not_before``). ``matched`` is what each group
    selects, when the caller has it already (one selection serves every period of a rule). With
    ``explain_uncounted``, a group with nothing counted names what its ``uncounted`` picks.
    """
    firsts: list[Dated | None] = []
    on_time_all = True
    evidence: list[str] = []
    too_early: dict[str, Dated] = {}
    notes: list[Text] = []
    for i, group in enumerate(groups):
        found = matched[i] if matched is not None else group.select(facts, ctx.scope)
        if explain_lo and lo is not None:
            too_early.update((d.pointer, d) for d in found if d.date < lo)
        if year is not None:
            found = [d for d in found if year_of(d) == year]
        else:
            found = [d for d in found if (lo is None or d.date >= lo) and (hi is None or d.date <= hi)]
        on_time_all = _first_of(ctx, group, found, due, firsts, evidence, notes) and on_time_all
    uncounted: list[tuple[Text, list[Dated]]] = []
    if explain_uncounted:
        for group, first in zip(groups, firsts, strict=True):
            if first is None and group.uncounted is not None:
                named = uncounted_in(group, facts, ctx.scope, lo, hi)
                if named:
                    uncounted.append((group.uncounted[1], named))
    return _window_finding(ctx, groups, firsts, on_time_all, evidence, too_early, notes, lo, due, period, lead,
                           uncounted)


def _first_of(ctx: Context, group: CompiledMatch, found: Sequence[Dated], due: _dt.date,
              firsts: list[Dated | None], evidence: list[str], notes: list[Text]) -> bool:
    """A group's part of a window: its first activity done on time, else its first (into
    ``firsts`` and ``evidence``, None when there is none), its caveat's note; whether on time."""
    if not found:
        firsts.append(None)
        return False
    if group.caveat is not None and not any(group.caveat[0](d.obj, ctx.scope) for d in found):
        notes.append(group.caveat[1])
    # The first one done on time, else the first one (found is sorted by date, so the first
    # is usually the answer and the rest need not be looked at).
    first = found[0]
    on_time = True
    if first.date > due:
        first = next((d for d in found if d.date <= due), first)
        if first.date > due:
            on_time = False
    firsts.append(first)
    evidence.append(first.pointer)
    return on_time


def _window_finding(
    ctx: Context,
    groups: Sequence[CompiledMatch],
    firsts: list[Dated | None],
    on_time_all: bool,
    evidence: list[str],
    too_early: dict[str, Dated],
    notes: list[Text],
    lo: _dt.date | None,
    due: _dt.date,
    period: str | None,
    lead: Msg | Text | None,
    uncounted: Sequence[tuple[Text, list[Dated]]] = (),
) -> Finding:
    """The finding of a window from each group's first activity (see :func:`_judge_window`);
    ``uncounted``: each group's ``uncounted`` note and what it picks, named when it fails."""
    done = len(evidence) == len(firsts)  # a pointer for each group that has a first activity
    status = ctx.verdict(on_time_all and done, done, due)
    expect = groups[0].label if len(groups) == 1 and groups[0].label else ctx.spec.expect
    prefix = lead or _NO_LEAD
    if status == "pass" or status == "late":
        last = max(f.date for f in firsts if f is not None)
        if status == "pass":
            msg = Msg("{p}đã có {expect} ngày {done} (hạn {due}).", "{p}{expect} done on {done} (due {due}).",
                      p=prefix, expect=expect, done=last, due=due)
        else:
            msg = Msg("{p}có {expect} ngày {done}, sau hạn {due}.", "{p}{expect} done on {done}, after the due date {due}.",
                      p=prefix, expect=expect, done=last, due=due)
    else:
        missing = [i for i, f in enumerate(firsts) if f is None]
        what: Any = expect if len(groups) == 1 else joined(_labels(groups, missing, ctx.spec))
        if status == "fail":
            msg = Msg("{p}chưa có {what}; hạn {due} đã qua.", "{p}no record of {what}; it was due by {due}.",
                      p=prefix, what=what, due=due)
        else:
            msg = Msg("{p}chưa có {what}; hạn {due}, chưa đến hạn.", "{p}no record yet of {what}; due by {due}, not due yet.",
                      p=prefix, what=what, due=due)
        if too_early:
            # The unit did record something: say why it does not count, or "no record" reads as a contradiction.
            dates = sorted(d.date for d in too_early.values())
            if len(dates) == 1:
                note = Msg(" Không tính hoạt động ngày {d} vì có trước ngày {lo}.",
                           " The one dated {d} does not count: it is before {lo}.", d=dates, lo=lo)
            else:
                note = Msg(" Không tính các hoạt động ngày {d} vì có trước ngày {lo}.",
                           " Those dated {d} do not count: they are before {lo}.", d=dates, lo=lo)
            msg = Msg("{m}{n}", "{m}{n}", m=msg, n=note, **msg.values)  # values kept for message overrides
        for text, named in uncounted:
            extra = Msg(" " + text.vi, " " + text.en, d=[d.date for d in named])
            msg = Msg("{m}{n}", "{m}{n}", m=msg, n=extra, **msg.values)  # values kept for message overrides
            evidence = evidence + [d.pointer for d in named if d.pointer not in evidence]
    if notes and status in ("pass", "late"):
        for caveat in notes:
            msg = Msg("{m} {n}", "{m} {n}", m=msg, n=caveat, **msg.values)  # values kept for message overrides
    return ctx.finding(status, msg, period=period, due=due, evidence=evidence)


_NO_LEAD = Text(vi="", en="")


def year_of(d: Dated) -> int:
    """The year an activity is for: its ``year`` where it gives one, else the year of its date."""
    y = field_of(d.obj, "year")
    return y if y is not None else d.date.year


def period_bounds(every: str, start: _dt.date) -> tuple[str, _dt.date, _dt.date]:
    """The period (label, first day, last day) of kind ``every`` that contains ``start``."""
    y = start.year
    if every == "year":
        return str(y), _dt.date(y, 1, 1), _dt.date(y, 12, 31)
    if every == "quarter":
        q = (start.month - 1) // 3
        first = _dt.date(y, 3 * q + 1, 1)
        return f"{y}-Q{q + 1}", first, _month_end(y, 3 * q + 3)
    m = start.month
    return f"{y}-{m:02d}", _dt.date(y, m, 1), _month_end(y, m)


def _month_end(y: int, m: int) -> _dt.date:
    if m == 12:
        return _dt.date(y, 12, 31)
    return _dt.date(y, m + 1, 1) - _dt.timedelta(days=1)


def periods(every: str, first: _dt.date, last: _dt.date) -> list[tuple[str, _dt.date, _dt.date]]:
    """Every period of kind ``every`` that starts on or before ``last``, from the one holding ``first``."""
    return list(_periods(every, first, last))


@functools.lru_cache(maxsize=1024)  # files share their spans (a year, up to the report's date)
def _periods(every: str, first: _dt.date, last: _dt.date) -> tuple[tuple[str, _dt.date, _dt.date], ...]:
    out = []
    day = first
    while day <= last:
        label, lo, hi = period_bounds(every, day)
        out.append((label, lo, hi))
        if hi == _dt.date.max:  # the calendar's last period (an --as-of in December 9999)
            break
        day = hi + _dt.timedelta(days=1)
    return tuple(out)


def period_label(every: str, label: str) -> Text:
    """'năm 2022' / 'in 2022', 'tháng 7/2022' / 'July 2022', 'quý III/2022' / 'Q3 2022'."""
    got = _PERIOD_LABELS.get((every, label))
    if got is None:
        # Rendered once per period, not once per finding: every unit's findings for it share it.
        vi, en = _period_label(every, label).render_both()
        if len(_PERIOD_LABELS) > 4096:  # bounded whatever dates the files give
            _PERIOD_LABELS.clear()
        got = _PERIOD_LABELS[(every, label)] = Text(vi=vi, en=en)
    return got


_PERIOD_LABELS: dict[tuple[str, str], Text] = {}


def _period_label(every: str, label: str) -> Msg:
    if every == "year":
        return Msg("năm {y}: ", "{y}: ", y=label)
    if every == "quarter":
        y, q = label.split("-Q")
        return Msg("quý {r}/{y}: ", "Q{q} {y}: ", r=ROMAN[int(q) - 1], q=q, y=y)
    y, m = label.split("-")
    return Msg("tháng {m}/{y}: ", "{name} {y}: ", m=int(m), name=MONTHS_EN[int(m) - 1], y=y)


def _span(ctx: Context, ob: Recurring) -> tuple[_dt.date, _dt.date, bool]:
    """(first, last, ahead): the days a recurring rule judges periods over. When the span starts
    after the evaluation date (a report period still to come, or an --as-of before from_year),
    ``ahead`` is true and last is first: the first period of each schedule is judged, so the rule
    says what is coming (pending) instead of giving no finding at all."""
    as_of = ctx.as_of
    if ob.span == "report_period":
        rp = ctx.facts.submission.report.period
        if rp is not None:
            first, last = rp.start, min(rp.end, as_of)
        else:
            first, last = _dt.date(as_of.year, 1, 1), as_of
    else:
        first, last = _dt.date(ob.from_year, 1, 1), as_of
    if first > last:
        return first, first, True
    return first, last, False


def _recurring(spec: RuleSpec, ob: Recurring, *, inline: bool = True) -> Judge:
    """A recurring rule's judge; ``inline=False`` gives the general one even where the shorter
    one applies (the tests compare the two)."""
    compiled = [
        (sched, _groups(sched.match, sched.all_of, f"{spec.id}.schedules[{i}]"))
        for i, sched in enumerate(ob.schedules)
    ]

    def judge(ctx: Context) -> list[Finding]:
        as_of = ctx.as_of
        first, last, ahead = _span(ctx, ob)
        out: list[Finding] = []
        no_early: dict[str, Dated] = {}
        for sched, groups in compiled:
            matched = [g.select(ctx.facts, ctx.scope) for g in groups]
            # Each period's activities of a group, as _judge_window's filters give them: by year,
            # grouped once; by date, a slice between two bisections of the dates (in order).
            by_year = sched.by == "year"
            years = [_years_of(m) for m in matched] if by_year else None
            dates = None if by_year else [_dates_of(m) for m in matched]
            for label, lo, hi in _periods(sched.every, first, last):
                year = lo.year
                if not in_force(ctx, year):
                    out.append(not_in_force(ctx, label, year))
                    continue
                due = hi if sched.due is None else _dt.date(year, sched.due.month, sched.due.day)
                lead: Msg | Text = period_label(sched.every, label)
                if ahead:
                    lead = _ahead_lead(lead, ob.span == "report_period", first, as_of)
                firsts: list[Dated | None] = []
                evidence: list[str] = []
                notes: list[Text] = []
                on_time_all = True
                for i, group in enumerate(groups):
                    found: Sequence[Dated]
                    m = matched[i]
                    if years is not None:
                        per_year = years[i]
                        found = (per_year.get(year, ()) if per_year is not None
                                 else [d for d in m if year_of(d) == year])
                    else:
                        assert dates is not None
                        ds = dates[i]
                        found = (m[bisect_left(ds, lo):bisect_right(ds, hi)] if ds is not None
                                 else [d for d in m if d.date >= lo and d.date <= hi])
                    on_time_all = _first_of(ctx, group, found, due, firsts, evidence, notes) and on_time_all
                out.append(_window_finding(ctx, groups, firsts, on_time_all, evidence, no_early, notes, None, due,
                                           label, lead))
        return out

    def judge_one(ctx: Context) -> list[Finding]:
        """``judge`` where every schedule has one group and no caveat (most rules): the same
        findings, each period judged in line rather than through _first_of and _window_finding."""
        as_of = ctx.as_of
        first, last, ahead = _span(ctx, ob)
        out: list[Finding] = []
        finding = ctx.finding
        always = ctx.spec.effective is None  # in_force() is then true of every year
        for sched, groups in compiled:
            group = groups[0]
            expect = group.label or ctx.spec.expect  # _window_finding's for one group
            m = group.select(ctx.facts, ctx.scope)
            by_year = sched.by == "year"
            per_year = _years_of(m) if by_year else None
            ds = None if by_year else _dates_of(m)
            sched_due = sched.due
            for label, lo, hi in _periods(sched.every, first, last):
                year = lo.year
                if not always and not in_force(ctx, year):
                    out.append(not_in_force(ctx, label, year))
                    continue
                due = hi if sched_due is None else _dt.date(year, sched_due.month, sched_due.day)
                lead: Msg | Text = period_label(sched.every, label)
                if ahead:
                    lead = _ahead_lead(lead, ob.span == "report_period", first, as_of)
                found: Sequence[Dated]
                if by_year:
                    found = (per_year.get(year, ()) if per_year is not None
                             else [d for d in m if year_of(d) == year])
                elif ds is not None:
                    found = m[bisect_left(ds, lo):bisect_right(ds, hi)]
                else:
                    found = [d for d in m if d.date >= lo and d.date <= hi]
                prefix = lead or _NO_LEAD
                if found:
                    # the first one done on time, else the first one (as _first_of)
                    chosen = found[0]
                    if chosen.date > due:
                        chosen = next((d for d in found if d.date <= due), chosen)
                    if chosen.date <= due:
                        out.append(finding("pass", Msg(
                            "{p}đã có {expect} ngày {done} (hạn {due}).", "{p}{expect} done on {done} (due {due}).",
                            p=prefix, expect=expect, done=chosen.date, due=due), period=label, due=due,
                            evidence=[chosen.pointer]))
                    else:
                        out.append(finding("late", Msg(
                            "{p}có {expect} ngày {done}, sau hạn {due}.",
                            "{p}{expect} done on {done}, after the due date {due}.",
                            p=prefix, expect=expect, done=chosen.date, due=due), period=label, due=due,
                            evidence=[chosen.pointer]))
                elif as_of > due:
                    out.append(finding("fail", Msg(
                        "{p}chưa có {what}; hạn {due} đã qua.", "{p}no record of {what}; it was due by {due}.",
                        p=prefix, what=expect, due=due), period=label, due=due, evidence=[]))
                else:
                    out.append(finding("pending", Msg(
                        "{p}chưa có {what}; hạn {due}, chưa đến hạn.",
                        "{p}no record yet of {what}; due by {due}, not due yet.",
                        p=prefix, what=expect, due=due), period=label, due=due, evidence=[]))
        return out

    if inline and all(len(groups) == 1 and groups[0].caveat is None for _, groups in compiled):
        return judge_one
    return judge


def _years_of(items: list[Dated]) -> dict[int, list[Dated]] | None:
    """Items by :func:`year_of`, in their order; None unless every year is an ``int`` (then a
    look-up by year finds exactly the items whose year equals it)."""
    out: dict[int, list[Dated]] = {}
    for d in items:
        y = year_of(d)
        if type(y) is not int:
            return None
        got = out.get(y)
        if got is None:
            out[y] = [d]
        else:
            got.append(d)
    return out


def _dates_of(items: list[Dated]) -> list[_dt.date] | None:
    """The items' dates, when they are in order (they are, from Facts): then the items dated in
    [lo, hi] are those between ``bisect_left(dates, lo)`` and ``bisect_right(dates, hi)``."""
    dates = [d.date for d in items]
    if any(type(day) is not _dt.date for day in dates) or any(a > b for a, b in zip(dates, dates[1:])):
        return None
    return dates


def _ahead_lead(lead: Msg | Text, report_period: bool, start: _dt.date, as_of: _dt.date) -> Msg:
    """A period's lead when the whole span starts after the evaluation date, saying so."""
    if report_period:
        return Msg("{p}kỳ báo cáo bắt đầu ngày {start}, sau ngày xét {as_of}; ",
                   "{p}the report period starts on {start}, after the evaluation date {as_of}; ",
                   p=lead, start=start, as_of=as_of)
    return Msg("{p}quy tắc xét từ ngày {start}, sau ngày xét {as_of}; ",
               "{p}the rule judges from {start}, after the evaluation date {as_of}; ",
               p=lead, start=start, as_of=as_of)


def in_force(ctx: Context, year: int) -> bool:
    eff = ctx.spec.effective
    if eff is None:
        return True
    lo = ctx.param_int(eff.from_year, "from_year")
    hi = ctx.param_int(eff.until_year, "until_year")
    return (lo is None or year >= lo) and (hi is None or year <= hi)


def not_in_force(ctx: Context, label: str, year: int) -> Finding:
    eff = ctx.spec.effective
    why = eff.why if eff is not None and eff.why is not None else Text(vi="", en="")
    msg = Msg("năm {y}: quy tắc không còn (hoặc chưa) áp dụng. {why}",
              "{y}: the rule is not in force that year. {why}", y=year, why=why)
    return ctx.finding("not_applicable", msg, period=label)


def _term_window(spec: RuleSpec, ob: TermWindow) -> Judge:
    group = compile_match(ob.match, f"{spec.id}.obligation.match")

    def judge(ctx: Context) -> list[Finding]:
        term = ctx.facts.unit.term
        n = ctx.param_int(ctx.params.get("term_year", 3) if "term_year" in ctx.params else 3, "term_year")
        assert n is not None
        window = ctx.params.get("window")
        if window:
            lo, hi = _as_date(window["start"]), _as_date(window["end"])
            lead = Msg("cửa sổ {lo}–{hi}: ", "window {lo}–{hi}: ", lo=lo, hi=hi)
        elif term is None:
            msg = Msg(
                "báo cáo không ghi nhiệm kỳ (unit.term) nên không xác định được năm thứ {n} của nhiệm kỳ để xét {expect}.",
                "the submission gives no term (unit.term), so year {n} of the term, when {expect} is due, is unknown.",
                n=n, expect=spec.expect)
            return [ctx.finding("fail", msg)]
        else:
            year = term.start.year + n
            lo, hi = year_bounds(year)
            if term.end is not None and term.end < lo:
                # A term that ended before its year N has no year N: nothing is due.
                return [ctx.finding("not_applicable", Msg(
                    "nhiệm kỳ {start}–{end} đã kết thúc trước năm thứ {n} ({y}) nên không có {expect} giữa nhiệm kỳ để xét.",
                    "the term {start}–{end} ended before its year {n} ({y}), so there is no mid-term {expect} to judge.",
                    start=term.start, end=term.end, n=n, y=year, expect=spec.expect))]
            lead = Msg("nhiệm kỳ bắt đầu {start}; năm thứ {n} là {y}; ",
                       "term started {start}; year {n} of the term is {y}; ",
                       start=term.start, n=n, y=year)
        matching = group.select(ctx.facts, ctx.scope)
        early = [d.date for d in matching if d.date < lo]
        found = [d for d in matching if d.date >= lo]
        inside = [d for d in found if d.date <= hi]
        chosen = inside[0] if inside else (found[0] if found else None)
        status = ctx.verdict(bool(inside), bool(found), hi)
        # "pass" and "late" mean found is not empty, so chosen is not None (union-attr)
        if status == "pass":
            msg = Msg("{p}đã có {expect} ngày {done}.", "{p}{expect} done on {done}.", p=lead, expect=spec.expect, done=chosen.date)  # type: ignore[union-attr]
        elif status == "late":
            msg = Msg("{p}{expect} ngày {done}, sau thời hạn {due}.", "{p}{expect} on {done}, after {due}.", p=lead, expect=spec.expect, done=chosen.date, due=hi)  # type: ignore[union-attr]
        elif status == "fail":
            msg = Msg("{p}chưa có {expect}; hạn {due} đã qua.", "{p}no record of {expect}; it was due by {due}.", p=lead, expect=spec.expect, due=hi)
        else:
            msg = Msg("{p}chưa có {expect}; hạn {due}, chưa đến hạn.", "{p}no record yet of {expect}; due by {due}.", p=lead, expect=spec.expect, due=hi)
        if early and status in ("fail", "pending"):
            # The unit did record one: say why it does not count, or "no record" reads as a contradiction.
            note = Msg(" Không tính {expect} ngày {d} vì có trước ngày {lo}.",
                       " The one dated {d} does not count: it is before {lo}.", expect=spec.expect, d=joined(early), lo=lo)
            msg = Msg("{m}{n}", "{m}{n}", m=msg, n=note, **msg.values)  # values kept for message overrides
        return [ctx.finding(status, msg, due=hi, evidence=[chosen.pointer] if chosen else [])]

    return judge


def _as_date(value: Any) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    from kl21rules.dates import parse_date

    return parse_date(value)


def _follow_up(spec: RuleSpec, ob: FollowUp) -> Judge:
    trig = ob.trigger
    trig_match = compile_match(trig.activities, f"{spec.id}.trigger") if trig.activities else None
    kinds = set(trig.signals or ())
    reqs = [
        (compile_match(r.match, f"{spec.id}.require[{i}]"), tuple(r.link.items()))
        for i, r in enumerate(ob.require)
    ]

    def judge(ctx: Context) -> list[Finding]:
        facts = ctx.facts
        if trig_match is not None:
            triggers = trig_match.select(facts, ctx.scope)
        else:
            triggers = [s for s in facts.signals if s.obj.kind in kinds]
        days = ctx.param_int(ob.within_days, "within_days") if not ob.before else 0
        out: list[Finding] = []
        for t in triggers:
            due = add_days(t.date, days or 0)
            scope = ctx.scope.with_trigger(t.obj)
            evidence: list[str] = []
            missing: list[Text] = []
            late: list[Text] = []
            unlinkable: list[tuple[str, str]] = []
            last: _dt.date | None = None
            for cm, link in reqs:
                cands = [
                    d for d in cm.select(facts, scope)
                    if all(_same(get_path(d.obj, (a,)), get_path(t.obj, (b,))) for a, b in link)
                    and (ob.before or d.date >= t.date)
                ]
                label = cm.label or spec.expect
                if not cands:
                    missing.append(label)
                    unlinkable.extend((a, b) for a, b in link if get_path(t.obj, (b,)) is None)
                    continue
                ok = [d for d in cands if d.date <= due]
                chosen = ok[0] if ok else cands[0]
                evidence.append(chosen.pointer)
                last = chosen.date if last is None or chosen.date > last else last
                if not ok:
                    late.append(label)
            done = not missing
            status = ctx.verdict(done and not late, done, due)
            lead = Msg("{label} {ref} ({date}): ", "{label} {ref} ({date}): ",
                       label=trig.label, ref=t.ref, date=t.date)
            when = (Msg("trước hoặc trong ngày {due}", "on or before {due}", due=due) if ob.before
                    else Msg("trong {n} ngày (đến {due})", "within {n} days (by {due})", n=days, due=due))
            if status == "pass":
                msg = Msg("{p}đã có {what} {when}.", "{p}{what} done {when}.", p=lead, what=joined([cm.label or spec.expect for cm, _ in reqs]), when=when)
            elif status == "late":
                msg = Msg("{p}có {what} nhưng sau hạn: cần có {when}.", "{p}{what} done, but not {when}.", p=lead, what=joined(late), when=when)
            elif status == "fail":
                msg = Msg("{p}chưa có {what}; cần có {when}, hạn đã qua.", "{p}no record of {what}; needed {when}, now overdue.", p=lead, what=joined(missing), when=when)
            else:
                msg = Msg("{p}chưa có {what}; cần có {when}, chưa đến hạn.", "{p}no record yet of {what}; needed {when}, not due yet.", p=lead, what=joined(missing), when=when)
            for a, b in dict.fromkeys(unlinkable):
                # e.g. a remediation plan without an id: nothing can ever name it, so say how to fix it.
                note = Msg(" Lưu ý: {label} này không ghi {b} nên không hoạt động nào ghi tên được nó (trường {a}).",
                           " Note: this {label} gives no {b}, so no activity can name it (field {a}).",
                           label=trig.label, a=a, b=b)
                msg = Msg("{m}{n}", "{m}{n}", m=msg, n=note, **msg.values)
            out.append(ctx.finding(status, msg, item=t.ref, due=due, evidence=evidence))
        if not out:
            msg = Msg("không có {label} nào đến ngày {as_of}, nên không có gì phải theo dõi.",
                      "no {label} up to {as_of}, so nothing to follow up.", label=trig.label, as_of=ctx.as_of)
            out.append(ctx.finding("not_applicable", msg))
        return out

    return judge


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, str) and isinstance(b, str):
        from kl21rules.rules.filters import normalise

        return normalise(a) == normalise(b)
    return bool(a == b)


def _each(spec: RuleSpec, ob: Each) -> Judge:
    over = compile_match(ob.over, f"{spec.id}.over")
    labels = ob.field_labels
    # The items are named in messages by the label of their list field (``field_labels: {tasks:
    # ...}``), so a secretary reads "nhiệm vụ thứ 2" rather than a JSON pointer.
    noun = labels.get(ob.items or "", Text(vi="mục", en="item"))
    # Worked out once: each field's path and its label (its name where field_labels has none).
    # The same labels as before, made once rather than for every item (labels are read-only).
    paths = {f: tuple(f.split(".")) for f in ob.fields}
    label_of = {f: labels[f] if f in labels else Text(vi=f, en=f) for f in ob.fields}

    def judge(ctx: Context) -> list[Finding]:
        parents = over.select(ctx.facts, ctx.scope)
        if not parents:
            msg = Msg("không có {what} nào đến ngày {as_of}.", "no {what} up to {as_of}.",
                      what=over.label or spec.expect, as_of=ctx.as_of)
            return [ctx.finding("not_applicable", msg)]
        out: list[Finding] = []
        for parent in parents:
            if ob.items is None:
                children = [(parent.pointer, parent.obj)]
            else:
                seq = getattr(parent.obj, ob.items, None) or []
                children = [(f"{parent.pointer}/{ob.items}/{i}", c) for i, c in enumerate(seq)]
            owner = Msg("{what} {ref}", "{what} {ref}", what=over.label or spec.expect, ref=parent.ref)
            if not children:
                msg = Msg("{o} không nêu {noun} nào.", "{o} lists no {noun}.", o=owner, noun=noun)
                out.append(ctx.finding("fail", msg, item=parent.ref, evidence=[parent.pointer]))
                continue
            bad = 0
            for k, (pointer, child) in enumerate(children, start=1):
                values = {f: get_path(child, paths[f]) for f in ob.fields}
                lacking = [f for f in ob.fields if _blank(values[f])]
                unclear = [f for f in ob.fields if f not in lacking and f in ob.checks
                           and not _CHECKS[ob.checks[f]](values[f])]
                if lacking or unclear:
                    bad += 1
                    names = [label_of[f] for f in lacking]
                    parts: list[Msg] = []
                    if lacking:
                        parts.append(Msg("thiếu {names}", "missing {names}", names=names))
                    for f in unclear:
                        parts.append(Msg(
                            "{label} ghi {v}, không phải một ngày, một kỳ (tháng, quý, năm) hay một mốc định kỳ "
                            "(thường xuyên, hằng năm, hằng quý, hằng tháng)",
                            "{label} says {v}, which is not a date, a period (month, quarter, year) or a recurring "
                            "timing (thường xuyên, hằng năm, hằng quý, hằng tháng)",
                            label=label_of[f], v=_quoted(values[f])))
                    what = Msg("{a}", "{a}", a=parts[0]) if len(parts) == 1 else Msg(
                        "; ".join("{p%d}" % i for i in range(len(parts))),
                        "; ".join("{p%d}" % i for i in range(len(parts))),
                        **{f"p{i}": part for i, part in enumerate(parts)})
                    if ob.items is None:
                        msg = Msg("{o}: {what}.", "{o}: {what}.", o=owner, what=what, names=names)
                    else:
                        msg = Msg("{o}, {noun} thứ {k}: {what}.", "{o}, {noun} {k}: {what}.",
                                  o=owner, noun=noun, k=k, what=what, names=names)
                    out.append(ctx.finding("fail", msg, item=pointer, evidence=[pointer]))
            if not bad:
                names = [label_of[f] for f in ob.fields]
                n = len(children)
                if ob.items is None:
                    msg = Msg("{o}: nêu đủ {names}.", "{o}: gives {names}.", o=owner, names=names)
                elif n == 1:
                    msg = Msg("{o}: {noun} duy nhất nêu đủ {names}.", "{o}: its only {noun} gives {names}.",
                              o=owner, noun=noun, names=names)
                else:
                    msg = Msg("{o}: cả {n} {noun} đều nêu đủ {names}.", "{o}: every {noun} ({n} in all) gives {names}.",
                              o=owner, noun=noun, n=n, names=names)
                out.append(ctx.finding("pass", msg, item=parent.ref, evidence=[parent.pointer]))
        return out

    return judge


def _quoted(value: Any) -> str:
    text = str(value)
    return "'" + (text if len(text) <= 60 else text[:57] + "...") + "'"


def _is_timeline(value: Any) -> bool:
    from kl21rules.timing import timing_kind

    return timing_kind(value) is not None


_CHECKS: dict[str, Callable[[Any], bool]] = {"timeline": _is_timeline}


def _blank(value: Any) -> bool:
    """A field left out, or given only as blanks ("  " names no one)."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == []


KIND_COMPILERS: dict[str, Callable[[RuleSpec, Any], Judge]] = {
    "deadline": _deadline,
    "recurring": _recurring,
    "term_window": _term_window,
    "follow_up": _follow_up,
    "each": _each,
}


def compile_rule(spec: RuleSpec, python_judge: Judge | None = None, source: str = "") -> CompiledRule:
    """Compile a rule: its obligation kind into a judge (or the pack's Python function)."""
    kind = spec.obligation.kind
    if kind == "python":
        if python_judge is None:
            raise ValueError(f"{spec.id}: kind 'python' needs a Python function from its pack")
        judge = python_judge
    else:
        judge = KIND_COMPILERS[kind](spec, spec.obligation)
    unit_filter = compile_where(spec.applies_to.unit, f"{spec.id}.applies_to.unit")
    return CompiledRule(spec, judge, unit_filter, source=source, python=kind == "python",
                        params=spec.param_defaults())


# --------------------------------------------------------------------------- evaluation


#: the message of applicability() for a unit of a kind the rule is not for, one per kind
_NOT_FOR_KIND = {
    kind: Msg("quy tắc không áp dụng cho {kind}.", "the rule does not apply to a {kind}.", kind=label)
    for kind, label in UNIT_KIND_LABEL.items()
}


def applicability(rule: CompiledRule, facts: Facts, scope: Scope) -> Msg | None:
    """Why the rule does not apply to this unit, or ``None`` when it does."""
    unit = facts.unit
    applies = rule.spec.applies_to
    if unit.kind not in applies.unit_kinds:
        return Msg("quy tắc không áp dụng cho {kind}.", "the rule does not apply to a {kind}.",
                   kind=UNIT_KIND_LABEL[unit.kind])
    if applies.departments is not None and unit.department not in applies.departments:
        dept = DEPARTMENT_LABEL.get(unit.department or "", Text(vi="ban này", en="this department"))
        return Msg("quy tắc là nhiệm vụ của ban khác, không áp dụng cho {d}.",
                   "the rule is another department's duty, not the {d}'s.", d=dept)
    if not rule.unit_filter(unit, scope):
        why = applies.unless or Text(vi="điều kiện áp dụng không thỏa.", en="its conditions do not hold.")
        return Msg("quy tắc không áp dụng: {why}", "the rule does not apply: {why}", why=why)
    return None


def evaluate(
    facts: Facts,
    rules: Sequence[CompiledRule],
    overrides: dict[str, dict[str, Any]] | None = None,
) -> list[Finding]:
    """Every rule on one unit as of ``facts.as_of``: findings sorted by rule, period, item.

    A rule that raises gives one ``error`` finding naming it; the other rules still run.
    """
    findings: list[Finding] = []
    overrides = overrides or {}
    unit = facts.unit
    kind = unit.kind
    not_for_kind = _NOT_FOR_KIND.get(kind)
    for rule in rules:
        spec = rule.spec
        quick = rule.quick_na
        if quick is not None and not_for_kind is not None and quick[0] is spec and kind not in quick[1]:
            # what applicability() and ctx.finding() give for a unit of another kind, made directly
            findings.append(Finding.deferred(spec.id, "not_applicable", spec.severity, None, None, None, quick[2],
                                             not_for_kind, None, ()))
            continue
        params = rule.params
        if spec.id in overrides:
            params = {**params, **overrides[spec.id]}
        scope = Scope(unit, params)
        ctx = Context(facts, spec, params, scope, rule.lazy, rule.plan)
        try:
            # a rule for every unit of the kinds it names applies to this one (quick[1] holds them)
            if not (quick is not None and quick[0] is spec and kind in quick[1] and rule.unit_filter is ALWAYS
                    and spec.applies_to.departments is None):
                why = applicability(rule, facts, scope)
                if why is not None:
                    findings.append(ctx.finding("not_applicable", why))
                    continue
            findings.extend(rule.judge(ctx))
        except Exception as exc:  # a broken rule must not take the others down
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            # The file's base name only: the same input must give the same report on any machine.
            at = f" ({os.path.basename(where.filename)}:{where.lineno})" if where else ""
            msg = Msg(
                "lỗi khi xét quy tắc {rule} của gói {pack}: {exc}{at}",
                "rule {rule} of pack {pack} raised {exc}{at}",
                rule=rule.id, pack=rule.spec.pack, exc=f"{type(exc).__name__}: {exc}", at=at,
            )
            findings.append(ctx.finding("error", msg))
            if os.environ.get("KL21RULES_DEBUG", "") not in ("", "0"):
                _debug_traceback(rule, exc, where)
    # sorted as by findings.sort(key=Finding.sort_key): the index last keeps equal keys in their order
    natural = _natural
    keyed = [(f.rule, natural(f.period), natural(f.item), i) for i, f in enumerate(findings)]
    keyed.sort()
    return [findings[k[3]] for k in keyed]


_DEBUG_SHOWN: set[tuple[str, str, int]] = set()


def _debug_traceback(rule: CompiledRule, exc: Exception, where: traceback.FrameSummary | None) -> None:
    """``--debug``: the traceback of a rule that raised, on stderr, once per rule and place."""
    import sys

    key = (rule.id, where.filename if where else "", where.lineno or 0 if where else 0)
    if key in _DEBUG_SHOWN:
        return
    _DEBUG_SHOWN.add(key)
    sys.stderr.write(f"kl21rules: traceback of rule {rule.id} of pack {rule.spec.pack} (KL21RULES_DEBUG):\n")
    sys.stderr.write("".join(traceback.format_exception(exc)))
    sys.stderr.flush()


@functools.lru_cache(maxsize=8192)
def _natural(text: str | None) -> tuple[Any, ...]:
    """:func:`kl21rules.findings._natural` remembered: the same few periods (and item names)
    come back in every file."""
    return natural_key(text)
