"""The submission model, ``kl21rules/submission/v1`` (see ``spec/submission.md``).

A submission is one unit's report of what it has done to implement the plan. The model is strict:
unknown fields are errors (a typo must not pass silently), numbers are numbers, booleans are
booleans. Dates accept ISO and the Vietnamese day-first forms (:mod:`kl21rules.dates`).

Packs may add activity types (hook ``kl21rules_activity_types``); :func:`submission_model` builds
the discriminated union over the built-in types plus those.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from kl21rules import vocab
from kl21rules.dates import DateError, parse_date

SCHEMA_ID = "kl21rules/submission/v1"


def _to_date(value: Any) -> Any:
    # Most dates are ISO text: the C parser takes them ten times faster than parse_date. Only the
    # exact shape NNNN-NN-NN goes this way, and anything it refuses falls through to parse_date,
    # so what is accepted and every message stay parse_date's.
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, (str, _dt.date)):
        try:
            return parse_date(value)
        except DateError as exc:
            raise PydanticCustomError("date", "{en}", {"vi": exc.vi, "en": exc.en}) from None
    return value  # let strict date validation report the wrong type


Day = Annotated[
    _dt.date,
    BeforeValidator(_to_date),
    WithJsonSchema(
        {
            "type": "string",
            # The forms kl21rules.dates accepts: ASCII digits, one separator used twice.
            "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}|[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4})$",
            "description": "Ngày / date: 2022-03-18, 18/3/2022, 18/03/2022, 18-3-2022, 18.3.2022 (ngày trước / day first)",
        }
    ),
]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _accept(key: str) -> BeforeValidator:
    """An enumerated field takes its Vietnamese and English labels as input, as people type them
    (:func:`kl21rules.vocab.parse_label`); anything else is an ``enum_label`` error."""
    codes = vocab.codes(key)

    def coerce(value: Any) -> Any:
        if type(value) is str and value in codes:
            return value
        code = vocab.parse_label(key, value)
        if code is not None:
            return code
        near = vocab.suggest(key, value)
        hint = f" Did you mean '{near}'?" if near else ""
        raise PydanticCustomError(
            "enum_label",
            "{en}",
            {"key": key, "en": f"Invalid value {_shown(value)}.{hint} Valid: {', '.join(codes)}"},
        )

    return BeforeValidator(coerce)


def _schema(key: str) -> WithJsonSchema:
    """An enumerated field in the JSON Schema: its codes and labels, the labels described."""
    labels = vocab.FIELDS[key]
    spellings: list[str] = []
    for code, lab in labels.items():
        for spelling in (code, lab.vi, lab.en):
            if spelling not in spellings:
                spellings.append(spelling)
    listing = "; ".join(f"{code} = {lab.vi} ({lab.en})" for code, lab in labels.items())
    schema = {
        "type": "string",
        "enum": spellings,
        "description": (
            f"{listing}. Ghi mã hoặc nhãn tiếng Việt, có dấu hoặc không dấu, chữ hoa hay thường đều "
            "được / the code or a label, in any case, with or without diacritics"
        ),
    }
    return WithJsonSchema(schema)


Count = Annotated[int, Field(ge=0)]
Year = Annotated[int, Field(ge=1945, le=2100)]
Text = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    """Base of every submission model: strict types, unknown fields refused, read-only once
    validated (frozen): the rules of one pack cannot change what another pack's rules read."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True, frozen=True)


class Period(Model):
    """Kỳ báo cáo: the period a report covers (used by monthly and quarterly rules)."""

    start: Day
    end: Day


class ReportInfo(Model):
    """Thông tin báo cáo: number, date (the default evaluation date) and period."""

    number: str | None = None
    date: Day | None = None
    period: Period | None = None


class Term(Model):
    """Nhiệm kỳ đại hội: the unit's congress term."""

    start: Day
    end: Day | None = None


UnitKind = Annotated[
    Literal["chi_bo_co_so", "dang_bo_co_so", "chi_bo_truc_thuoc", "department"],
    _accept("unit.kind"), _schema("unit.kind"),
]
Department = Annotated[
    Literal["tochuc", "ubkt", "tuyengiao", "vanphong", "doanthe"], _accept("unit.department"), _schema("unit.department")
]


class Unit(Model):
    """Đơn vị: the reporting unit (grassroots organisation or a department of the bloc)."""

    id: Text
    name: Text
    kind: UnitKind
    department: Department | None = None
    parent: str | None = None
    members: Count | None = None
    term: Term | None = None
    sensitive_areas: list[Slug] = Field(default_factory=list)


SignalKind = Annotated[
    Literal["degradation", "disunity", "violation", "group_interest", "corruption", "public_outcry"],
    _accept("signal.kind"), _schema("signal.kind"),
]


class Signal(Model):
    """Biểu hiện, vụ việc: a sign of degradation, disunity, violation, ... (II.4, II.8)."""

    id: Text
    kind: SignalKind
    date: Day
    summary: str | None = None
    ref: str | None = None
    note: str | None = None


def _activity_schema(schema: dict[str, Any], model: type[Any]) -> None:
    """An activity type in the JSON Schema: described by its Vietnamese and English labels."""
    try:
        code = activity_type_name(model)
    except (TypeError, KeyError):
        return  # a base class, not a type
    label = vocab.FIELDS["activity.type"].get(code)
    vi = label.vi if label is not None else str(getattr(model, "vi", "") or code)
    text = f"{vi} / {label.en}" if label is not None else vi
    schema["description"] = text
    kind = schema.get("properties", {}).get("type")
    if isinstance(kind, dict):
        kind["description"] = f"Loại hoạt động / activity type: {text}"


class Activity(Model):
    """Hoạt động: something the unit did. Subclasses fix ``type`` and add their fields.

    ``dated_by_year`` types may give ``year`` instead of ``date``; an undated one is taken to have
    happened on 31/12 of its year (never earlier, so it can never make a deadline pass early).
    """

    type: str
    date: Day
    id: Text | None = None
    ref: str | None = None
    note: str | None = None

    vi: ClassVar[str] = ""
    dated_by_year: ClassVar[bool] = False

    model_config = ConfigDict(json_schema_extra=_activity_schema)

    def effective_date(self) -> _dt.date:
        """The date the activity counts as done on."""
        return self.date


class YearActivity(Activity):
    """An activity about a year (``year``), dated or not.

    ``replaces`` names (by ``id``) an earlier record of the same type and year that this one
    corrects: the replaced record is not judged (see ``build_facts``).
    """

    # may be left out for `year`, unlike Activity.date (assignment); read it via effective_date()
    date: Day | None = None  # type: ignore[assignment]
    year: Year
    replaces: Text | None = Field(
        default=None,
        description="Mã (id) của bản ghi cùng loại, cùng năm mà bản ghi này thay thế (sửa); bản ghi bị thay không "
        "được xét / the id of a record of the same type and year that this one corrects; the replaced record "
        "is not judged",
    )
    dated_by_year: ClassVar[bool] = True

    def effective_date(self) -> _dt.date:
        return self.date if self.date is not None else _dt.date(self.year, 12, 31)


class StudySession(Activity):
    vi = "hội nghị nghiên cứu, quán triệt"
    type: Literal["study_session"]
    mode: Annotated[Literal["in_person", "online", "combined"], _accept("study_session.mode"), _schema("study_session.mode")] | None = None
    expected: Count | None = None
    attendees: Count | None = None
    makeup: bool = False


#: text shaped like a date (digits and one kind of separator): it must be a real date
_DATE_SHAPED = re.compile(r"\s*[0-9]{1,4}([/.-])[0-9]{1,2}\1[0-9]{1,4}\s*")


def _to_timeline(value: Any) -> Any:
    # A date, or text shaped like one, is read as a date (31/2/2022 stays an input error);
    # other text is kept as written: KL21-04 judges whether it says when (kl21rules.timing).
    if isinstance(value, _dt.date) or (isinstance(value, str) and _DATE_SHAPED.fullmatch(value)):
        return _to_date(value)
    if type(value) is int:
        return str(value)  # YAML reads "due: 2023" as a number: the year, as text
    if not isinstance(value, str):
        shown = repr(value)[:60]
        raise PydanticCustomError("date", "{en}", {
            "vi": f"Tiến độ (due) phải là một ngày hoặc một đoạn văn bản như 'Quý I/2022', 'Hằng năm', không phải {shown}.",
            "en": f"The timeline (due) must be a date or text such as 'Quý I/2022', 'Hằng năm', not {shown}.",
        })
    return value


#: a plan task's timeline: a date, or the plan's own words for one ("Quý I/2022", "Hằng năm")
Timeline = Annotated[
    Union[_dt.date, str],
    BeforeValidator(_to_timeline),
    WithJsonSchema(
        {
            "type": "string",
            "description": "Tiến độ: một ngày (31/3/2022), một kỳ (Tháng 5/2022, Quý I/2022, Năm 2023) hoặc mốc "
            "định kỳ (Thường xuyên, Hằng năm, Hằng quý, Hằng tháng) / the timeline: a date, a period or a "
            "recurring timing",
        }
    ),
]


class PlanTask(Model):
    """One task of an implementation plan; KL21-04 ("5 rõ") judges which fields it names."""

    task: str | None = None
    owner: str | None = None
    due: Timeline | None = None
    outcome: str | None = None
    accountable: str | None = None


class ImplementationPlan(Activity):
    vi = "kế hoạch thực hiện"
    type: Literal["implementation_plan"]
    number: str | None = None
    tasks: list[PlanTask] = Field(default_factory=list)


class _Oversight(Activity):
    topics: list[Slug] = Field(default_factory=list)
    areas: list[Slug] = Field(default_factory=list)
    target: str | None = None
    remediation: str | None = None


class Inspection(_Oversight):
    vi = "kiểm tra"
    type: Literal["inspection"]


class Supervision(_Oversight):
    vi = "giám sát"
    type: Literal["supervision"]


class InspectionProgramme(YearActivity):
    vi = "chương trình kiểm tra, giám sát năm"
    type: Literal["inspection_programme"]
    includes_kl21: bool = False


class TheoryTraining(Activity):
    vi = "bồi dưỡng lý luận chính trị"
    type: Literal["theory_training"]
    participants: Count | None = None


class SelfCriticism(YearActivity):
    vi = "kiểm điểm tự phê bình, phê bình"
    type: Literal["self_criticism"]
    collective: bool = False
    members: bool = False


Rating = Annotated[
    Literal["excellent", "good", "complete", "incomplete"], _accept("quality_rating.organisation"), _schema("quality_rating.organisation")
]


class MemberRatings(Model):
    """Số đảng viên theo mức xếp loại."""

    excellent: Count = 0
    good: Count = 0
    complete: Count = 0
    incomplete: Count = 0

    def total(self) -> int:
        return self.excellent + self.good + self.complete + self.incomplete


class QualityRating(YearActivity):
    vi = "đánh giá, xếp loại chất lượng"
    type: Literal["quality_rating"]
    organisation: Rating | None = None
    members: MemberRatings | None = None


class BranchMeeting(Activity):
    vi = "sinh hoạt chi bộ"
    type: Literal["branch_meeting"]
    thematic: bool = False
    attendees: Count | None = None


class ConfidenceVote(Activity):
    vi = "lấy phiếu tín nhiệm"
    type: Literal["confidence_vote"]
    persons: Count | None = None
    low_confidence: Count | None = None


class AssetDeclaration(YearActivity):
    vi = "kê khai tài sản, thu nhập"
    type: Literal["asset_declaration"]
    obligated: Count
    declared: Count


class Appointment(Activity):
    vi = "bổ nhiệm, giới thiệu ứng cử"
    type: Literal["appointment"]
    person: Text


class PoliticalVetting(Activity):
    vi = "thẩm định tiêu chuẩn chính trị"
    type: Literal["political_vetting"]
    person: Text


class ResponsibilityReview(Activity):
    vi = "kiểm điểm làm rõ trách nhiệm"
    type: Literal["responsibility_review"]
    signal: Text


class RemediationPlan(Activity):
    vi = "kế hoạch sửa chữa, khắc phục"
    type: Literal["remediation_plan"]
    signal: Text


class Discipline(Activity):
    vi = "xử lý kỷ luật"
    type: Literal["discipline"]
    signal: Text
    outcome: Annotated[
        Literal["reprimand", "warning", "dismissal", "expulsion", "no_action"], _accept("discipline.outcome"), _schema("discipline.outcome")
    ] | None = None
    reason: str | None = None


#: the description of the optional ``year`` of a report or a deliverable.
_FOR_YEAR = (
    "Năm mà văn bản được làm cho (chẳng hạn chương trình năm 2023 ban hành tháng 12/2022); không ghi thì là "
    "năm của ngày / the year the work is for (a 2023 programme adopted in December 2022); without it, the "
    "year of the date"
)


class Report(Activity):
    vi = "báo cáo sơ kết, tổng kết"
    type: Literal["report"]
    subject: str | None = None
    sent_to: str | None = None
    kind: Annotated[Literal["annual", "interim", "final"], _accept("report.kind"), _schema("report.kind")] | None = None
    year: Year | None = Field(default=None, description=_FOR_YEAR)


class Outreach(Activity):
    vi = "tuyên truyền"
    type: Literal["outreach"]
    channel: Annotated[
        Literal["meeting", "website", "fanpage", "zalo", "newsletter"], _accept("outreach.channel"), _schema("outreach.channel")
    ] | None = None
    topics: list[Slug] = Field(
        default_factory=list,
        description="Nội dung tuyên truyền (kl21, …), như topics của kiểm tra / what it was about (kl21, …), "
        "like an inspection's topics",
    )


class Commendation(Activity):
    vi = "biểu dương, khen thưởng"
    type: Literal["commendation"]
    recipients: Count | None = None


class Deliverable(Activity):
    vi = "văn bản, sản phẩm của ban"
    type: Literal["deliverable"]
    code: Text
    year: Year | None = Field(default=None, description=_FOR_YEAR)


BUILTIN_ACTIVITY_TYPES: tuple[type[Activity], ...] = (
    StudySession,
    ImplementationPlan,
    Inspection,
    Supervision,
    InspectionProgramme,
    TheoryTraining,
    SelfCriticism,
    QualityRating,
    BranchMeeting,
    ConfidenceVote,
    AssetDeclaration,
    Appointment,
    PoliticalVetting,
    ResponsibilityReview,
    RemediationPlan,
    Discipline,
    Report,
    Outreach,
    Commendation,
    Deliverable,
)


def activity_type_name(model: type[Activity]) -> str:
    """The ``type`` tag of an activity model (its ``Literal`` value)."""
    annotation = model.model_fields["type"].annotation
    args: tuple[Any, ...] = getattr(annotation, "__args__", ())
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"{model.__name__}.type must be a Literal of one string")
    return args[0]


class Submission(Model):
    """Báo cáo của đơn vị: one unit's report. Built per set of activity types by
    :func:`submission_model`; this base declares the fields every variant shares."""

    schema_: Literal["kl21rules/submission/v1"] = Field(alias="schema")
    #: Where an editor finds the JSON Schema (``"$schema": ".../submission-v1.json"``); not read.
    json_schema: str | None = Field(
        default=None,
        alias="$schema",
        description="Đường dẫn tới JSON Schema cho trình soạn thảo / the JSON Schema for editors",
    )
    report: ReportInfo = Field(default_factory=ReportInfo)
    unit: Unit
    signals: list[Signal] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False, frozen=True)


@lru_cache(maxsize=16)
def submission_model(extra_types: tuple[type[Activity], ...] = ()) -> type[Submission]:
    """The submission model whose ``activities`` admit the built-in types plus ``extra_types``.

    Cached: the same tuple of types gives the same class (pydantic builds its validator once).
    """
    types = BUILTIN_ACTIVITY_TYPES + tuple(extra_types)
    names = [activity_type_name(t) for t in types]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"activity type defined twice: {', '.join(dupes)}")
    # a Union of types known only at run time, which no static type can name (valid-type)
    union = Annotated[Union[types], Field(discriminator="type")]  # type: ignore[valid-type]
    return create_model(
        "Submission",
        __base__=Submission,
        __doc__=Submission.__doc__,
        activities=(list[union], Field(default_factory=list)),
    )
