"""The rule model: what a rule is, as data.

A :class:`RuleSpec` carries a rule's metadata (id, pack, titles, clauses, severity, applicability,
years in force, parameters) and one obligation kind:

========== =====================================================================================
kind       judges
========== =====================================================================================
deadline   a matching activity on or before a date
recurring  a matching activity in every period (year, quarter, month) up to ``as_of``
term_window a matching activity inside year N of the unit's term
follow_up  for every trigger (signal or activity), linked activities before/within N days
each       required fields on every item of a kind (e.g. every task of a plan)
python     judged by a Python function supplied by the pack (same metadata)
========== =====================================================================================

Ruleset files (YAML) are validated against these models; they hold data only, never code.
Filters (``where``) are mappings of field to condition, compiled once by
:mod:`kl21rules.rules.compile`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Severity = Literal["error", "warning", "info"]
Status = Literal["pass", "late", "fail", "pending", "not_applicable", "error"]
STATUSES: tuple[str, ...] = ("pass", "late", "fail", "pending", "not_applicable", "error")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

#: A number, or the name of one of the rule's parameters (so configuration can change it).
NumberOrParam = Union[int, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(_Strict):
    """A text in Vietnamese and English."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang``; Vietnamese unless ``en`` is asked for."""
        return self.en if lang == "en" else self.vi


class Caveat(_Strict):
    """What a finding should say when the activities that count do not meet a condition
    (``unless``, a filter like ``Match.where``): e.g. outreach that does not state its topic."""

    unless: dict[str, Any]
    note: Text


class Uncounted(_Strict):
    """Activities of a match's types that do not count but were recorded (``when``, a filter like
    ``Match.where``): when nothing counts, the fail or pending message adds ``note`` (``{d}``: their
    dates) and names them as evidence, so "no record" does not contradict the submission."""

    when: dict[str, Any]
    note: Text


class Match(_Strict):
    """Which activities count: their ``type`` (one or several) and conditions on their fields.

    ``where`` maps a field (dotted for nested: ``members.good``) to a condition: a plain value
    (equals), or a mapping with one or more of ``eq``, ``ne``, ``in``, ``not_in``, ``contains``,
    ``contains_any``, ``exists``, ``gt``, ``ge``, ``lt``, ``le``. The keys ``any``, ``all`` (lists
    of filters) and ``not`` (a filter) combine filters. A string value ``$unit.FIELD`` refers to the
    unit, ``$param.NAME`` to a rule parameter.
    """

    type: str | list[str]
    where: dict[str, Any] = Field(default_factory=dict)
    label: Text | None = None
    #: a note added to a ``pass`` or ``late`` message when no counted activity of the window
    #: meets ``caveat.unless`` (the verdict is unchanged: the activities still count).
    caveat: Caveat | None = None
    #: named when nothing counts (a ``deadline`` rule): see :class:`Uncounted`
    uncounted: Uncounted | None = None

    def types(self) -> tuple[str, ...]:
        """The activity types this match admits."""
        return (self.type,) if isinstance(self.type, str) else tuple(self.type)


UnitKind = Literal["chi_bo_co_so", "dang_bo_co_so", "chi_bo_truc_thuoc", "department"]


def _grassroots() -> list[UnitKind]:
    """The default of ``AppliesTo.unit_kinds``: grassroots cells and committees."""
    return ["chi_bo_co_so", "dang_bo_co_so"]


class AppliesTo(_Strict):
    """Which units a rule applies to; others get one ``not_applicable`` finding."""

    unit_kinds: list[UnitKind] = Field(default_factory=_grassroots)
    departments: list[Literal["tochuc", "ubkt", "tuyengiao", "vanphong", "doanthe"]] | None = None
    #: conditions on the unit's fields (same language as ``Match.where``).
    unit: dict[str, Any] = Field(default_factory=dict)
    #: why the rule does not apply when ``unit`` conditions fail (shown in the finding).
    unless: Text | None = None


class Effective(_Strict):
    """Years (periods) in which the rule is in force; others are ``not_applicable``."""

    from_year: NumberOrParam | None = None
    until_year: NumberOrParam | None = None
    why: Text | None = None


class Deadline(_Strict):
    """A matching activity on or before ``due``; after it ``late`` (unless ``late`` is false)."""

    kind: Literal["deadline"]
    match: Match | None = None
    all_of: list[Match] | None = None
    due: _dt.date
    #: activities dated before this day do not count (e.g. before the Conclusion was issued).
    not_before: _dt.date | None = None


class DayOfYear(_Strict):
    """A day of the period's year (``{month: 3, day: 31}``)."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)


class Schedule(_Strict):
    """One repeating requirement: a matching activity in every ``every`` period.

    ``by: date`` puts an activity in the period its date falls in; ``by: year`` in the period
    named by its ``year`` field, or by the year of its date when it gives none (an annual review
    of 2022 held in January 2023 is then ``late`` for 2022; a 2023 programme adopted in December
    2022 counts for 2023). ``due`` is the period's end unless a day of the year is given.
    """

    every: Literal["year", "quarter", "month"]
    match: Match | None = None
    all_of: list[Match] | None = None
    by: Literal["date", "year"] = "date"
    due: DayOfYear | None = None


class Recurring(_Strict):
    """Requirements that repeat every period from ``from_year`` (or within the report period)."""

    kind: Literal["recurring"]
    schedules: list[Schedule] = Field(min_length=1)
    from_year: int = 2022
    #: ``report_period``: periods inside ``report.period`` (default the calendar year of ``as_of``).
    span: Literal["from_year", "report_period"] = "from_year"


class TermWindow(_Strict):
    """A matching activity in year N of the unit's term (``term.start.year + N``).

    Parameters: ``term_year`` (N) and optionally ``window`` (``{start, end}``) overriding it.
    """

    kind: Literal["term_window"]
    match: Match


class Trigger(_Strict):
    """What starts a follow-up: signals of some kinds, or activities."""

    signals: list[str] | None = None
    activities: Match | None = None
    label: Text


class Requirement(_Strict):
    """A follow-up activity: it must match and be linked to the trigger.

    ``link`` maps a field of the follow-up activity to a field of the trigger (``{signal: id}``).
    """

    match: Match
    link: dict[str, str]


class FollowUp(_Strict):
    """For every trigger, every requirement met within ``within_days`` days after it
    (or, with ``before: true``, on or before its date)."""

    kind: Literal["follow_up"]
    trigger: Trigger
    require: list[Requirement] = Field(min_length=1)
    within_days: NumberOrParam | None = None
    before: bool = False


class Each(_Strict):
    """Every item (``items`` of each matching activity, or the activity itself) names ``fields``."""

    kind: Literal["each"]
    over: Match
    items: str | None = None
    fields: list[str] = Field(min_length=1)
    field_labels: dict[str, Text] = Field(default_factory=dict)
    #: fields whose value must also say something of a kind: ``timeline`` (a date, a period or a
    #: recurring timing, :func:`kl21rules.timing.timing_kind`); other values count as missing.
    checks: dict[str, Literal["timeline"]] = Field(default_factory=dict)


class PythonKind(_Strict):
    """Judged by a Python function of the pack (``kl21rules_rules`` hook)."""

    kind: Literal["python"]


Obligation = Annotated[
    Union[Deadline, Recurring, TermWindow, FollowUp, Each, PythonKind], Field(discriminator="kind")
]


ParamType = Literal["integer", "number", "boolean", "text", "window"]


class Param(_Strict):
    """A rule parameter: its default, what it means, and what values configuration may give it.

    ``type`` is the kind of value (``window``: a table ``{start, end}`` of two dates, start first);
    left out, it is the kind of the default. ``min`` and ``max`` bound a number (both included):
    a configured value outside them is a configuration error, never a silently weakened rule.
    """

    default: Any
    doc: Text
    type: ParamType | None = None
    min: int | float | None = None
    max: int | float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Param:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if (self.min is not None or self.max is not None) and self.type not in (None, "integer", "number"):
            raise ValueError(f"min and max bound numbers, not a parameter of type {self.type}")
        default = self.default
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if (self.min is not None and default < self.min) or (self.max is not None and default > self.max):
                raise ValueError(f"the default {default} is outside min {self.min} and max {self.max}")
        return self

    def bounds_text(self) -> str:
        """``1–366``, ``≥ 0``, ``≤ 100`` or ``""``: the bounds as docs show them."""
        if self.min is not None and self.max is not None:
            return f"{self.min}–{self.max}"
        if self.min is not None:
            return f"≥ {self.min}"
        if self.max is not None:
            return f"≤ {self.max}"
        return ""


class RuleSpec(_Strict):
    """Everything that defines a rule. Docs, ``explain`` and messages are generated from it."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    pack: str
    title: Text
    #: what the rule expects, as a noun phrase for messages ("hội nghị nghiên cứu, quán triệt ...").
    expect: Text
    refs: list[str] = Field(min_length=1)
    severity: Severity
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    effective: Effective | None = None
    params: dict[str, Param] = Field(default_factory=dict)
    obligation: Obligation
    #: how the rule reads the plan, where the catalogue is silent or the plan decides.
    notes: Text | None = None
    #: message templates per status, overriding the kind's defaults.
    messages: dict[Status, Text] = Field(default_factory=dict)

    @field_validator("refs")
    @classmethod
    def _clause_refs(cls, refs: list[str]) -> list[str]:
        import re

        for ref in refs:
            if not re.fullmatch(r"[IVX]+(\.\d+)?", ref):
                raise ValueError(f"clause reference {ref!r} is not like 'II.1' or 'III.6'")
        return refs

    def param_defaults(self) -> dict[str, Any]:
        """The parameters with their default values."""
        return {name: p.default for name, p in self.params.items()}


class RulesetFile(_Strict):
    """A ruleset file: the pack it belongs to and its rules (``pack`` is filled into each rule)."""

    pack: str
    rules: list[dict[str, Any]]
