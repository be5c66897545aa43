"""The labels of enumerated values (kl21rules.vocab): one source, every value labelled, parsed as typed."""

from __future__ import annotations

import typing

import pytest

from kl21rules import submission as sm
from kl21rules import vocab
from kl21rules.submission import BUILTIN_ACTIVITY_TYPES, activity_type_name


def _literal_values(annotation: object) -> set[str]:
    values: set[str] = set()
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, str):
            values.add(arg)
        else:
            values |= _literal_values(arg)
    return values


_MODEL_FIELDS = {
    "unit.kind": (sm.Unit, "kind"),
    "unit.department": (sm.Unit, "department"),
    "signal.kind": (sm.Signal, "kind"),
    "study_session.mode": (sm.StudySession, "mode"),
    "quality_rating.organisation": (sm.QualityRating, "organisation"),
    "discipline.outcome": (sm.Discipline, "outcome"),
    "report.kind": (sm.Report, "kind"),
    "outreach.channel": (sm.Outreach, "channel"),
}


@pytest.mark.parametrize("field", sorted(_MODEL_FIELDS))
def test_every_value_of_the_model_has_labels(field: str) -> None:
    model, name = _MODEL_FIELDS[field]
    assert _literal_values(model.model_fields[name].annotation) == set(vocab.codes(field))


def test_every_key_is_a_field_of_the_model() -> None:
    assert set(vocab.FIELDS) == set(_MODEL_FIELDS) | {"activity.type"}


def test_activity_types_labelled_as_the_models_say() -> None:
    assert vocab.codes("activity.type") == tuple(activity_type_name(t) for t in BUILTIN_ACTIVITY_TYPES)
    for t in BUILTIN_ACTIVITY_TYPES:
        assert vocab.label("activity.type", activity_type_name(t)).lower() == t.vi.lower()


@pytest.mark.parametrize("field", sorted(vocab.FIELDS))
def test_no_spelling_names_two_values(field: str) -> None:
    seen: dict[str, str] = {}
    for code, lab in vocab.FIELDS[field].items():
        for spelling in (code, lab.vi, lab.en, *lab.aliases):
            key = vocab.normalise(spelling)
            assert seen.setdefault(key, code) == code, (field, spelling)
            assert vocab.parse_label(field, spelling) == code


@pytest.mark.parametrize(
    ("field", "typed", "code"),
    [
        ("study_session.mode", "truc tiep", "in_person"),
        ("study_session.mode", "Trực Tiếp", "in_person"),
        ("study_session.mode", "  TRỰC   tuyến ", "online"),
        ("study_session.mode", "in person", "in_person"),
        ("study_session.mode", "in-person", "in_person"),
        ("unit.kind", "Chi bộ cơ sở", "chi_bo_co_so"),
        ("unit.kind", "chi bo co so", "chi_bo_co_so"),
        ("unit.kind", "ĐẢNG BỘ CƠ SỞ", "dang_bo_co_so"),
        ("quality_rating.organisation", "tốt", "good"),
        ("quality_rating.organisation", "Hoàn thành tốt nhiệm vụ", "good"),
        ("quality_rating.organisation", "khong hoan thanh", "incomplete"),
        ("discipline.outcome", "khiển trách", "reprimand"),
        ("unit.department", "Ban Tuyên giáo", "tuyengiao"),
        ("activity.type", "sinh hoạt chi bộ", "branch_meeting"),
        ("activity.type", "Hội nghị nghiên cứu quán triệt", "study_session"),
    ],
)
def test_typed_as_people_type(field: str, typed: str, code: str) -> None:
    assert vocab.parse_label(field, typed) == code


@pytest.mark.parametrize(
    ("field", "typed"),
    [("study_session.mode", "truc"), ("study_session.mode", ""), ("unit.kind", 3), ("unit.kind", None),
     ("quality_rating.organisation", "kém")],
)
def test_not_a_value(field: str, typed: object) -> None:
    assert vocab.parse_label(field, typed) is None


def test_did_you_mean() -> None:
    assert vocab.suggest("unit.department", "tuyen_giao") == "tuyengiao"
    assert vocab.suggest("study_session.mode", "truc tiepp") == "in_person"
    assert vocab.suggest("quality_rating.organisation", "xuat xac") == "excellent"
    assert vocab.suggest("study_session.mode", "zzzzzz") is None


def test_labels_by_language() -> None:
    assert vocab.label("study_session.mode", "online", "vi") == "Trực tuyến"
    assert vocab.label("study_session.mode", "online", "en") == "online"
    assert vocab.label("activity.type", "a_pack_type") == "a_pack_type"
    assert vocab.choices("quality_rating.organisation") == ["Xuất sắc", "Tốt", "Hoàn thành", "Không hoàn thành"]


def test_glossary_is_not_stale() -> None:
    assert vocab.GLOSSARY_DOC.read_text(encoding="utf-8") == vocab.glossary(), "run: python -m kl21rules.vocab"


def test_glossary_lists_every_value_and_label() -> None:
    text = vocab.glossary()
    for field, labels in vocab.FIELDS.items():
        for code, lab in labels.items():
            assert f"| `{code}` | {lab.vi} | {lab.en} |" in text, (field, code)


def _bare(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.mark.parametrize("field", sorted(vocab.FIELDS))
def test_every_label_read_as_people_type_it(field: str) -> None:
    for code, lab in vocab.FIELDS[field].items():
        for spelling in (lab.vi, lab.en, *lab.aliases):
            for typed in (spelling.upper(), spelling.lower(), _bare(spelling), f"  {spelling}  ",
                          spelling.replace(" ", "_"), spelling.replace(" ", "  "), _bare(spelling).title(),
                          unicodedata_nfd(spelling)):
                assert vocab.parse_label(field, typed) == code, (field, typed)


def unicodedata_nfd(text: str) -> str:
    """The same text with its diacritics as combining marks (as some keyboards and files have it)."""
    import unicodedata

    return unicodedata.normalize("NFD", text)
