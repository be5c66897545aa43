"""The labels of every enumerated value of the submission model, in Vietnamese and English.

This module is the single source of those labels: the submission model (which accepts them as
input), the JSON Schema's descriptions, the error messages ("Có phải là …?"), the Excel
template's drop-down lists and the glossary in the docs all read them from here.

A field is named by a key (see :data:`FIELDS`):

=================================  ==========================================================
key                                 where in a submission
=================================  ==========================================================
``unit.kind``                       ``unit.kind``
``unit.department``                 ``unit.department``
``signal.kind``                     ``signals[].kind``
``activity.type``                   ``activities[].type`` (the built-in types; packs add theirs)
``study_session.mode``              ``mode`` of an activity of type ``study_session``
``quality_rating.organisation``     ``organisation`` of an activity of type ``quality_rating``
``discipline.outcome``              ``outcome`` of an activity of type ``discipline``
``report.kind``                     ``kind`` of an activity of type ``report``
``outreach.channel``                ``channel`` of an activity of type ``outreach``
=================================  ==========================================================

For each key, :data:`FIELDS` maps the value as stored (the code, ``in_person``) to a
:class:`Label`: the Vietnamese label people write (``Trực tiếp``), the English one
(``in person``) and other spellings that are accepted too (``aliases``).

:func:`parse_label` reads what a person typed — the code, the Vietnamese label, the English
label or an alias, in any case, with or without diacritics, with extra spaces, ``_`` or ``-``
(``truc tiep``, ``Trực Tiếp``, ``TRUC_TIEP``, ``in person``) — and returns the code, or ``None``.
:func:`suggest` gives the nearest code for a value that is none of these (for "did you mean").

Example::

    >>> parse_label("study_session.mode", "  Trực Tiếp ")
    'in_person'
    >>> parse_label("unit.kind", "chi bo co so")
    'chi_bo_co_so'
    >>> label("quality_rating.organisation", "good", "vi")
    'Tốt'
    >>> suggest("unit.department", "tuyen_giao")
    'tuyengiao'

``python -m kl21rules.vocab`` writes the glossary of these labels, ``docs/glossary.md``
(:func:`glossary`); ``tests/test_vocab.py`` fails when it is stale.
"""

from __future__ import annotations

import difflib
import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FIELDS",
    "Label",
    "choices",
    "codes",
    "label",
    "normalise",
    "parse_label",
    "suggest",
]


@dataclass(frozen=True)
class Label:
    """How a value is written for people: Vietnamese first, English, and other accepted forms."""

    vi: str
    en: str
    aliases: tuple[str, ...] = ()

    def get(self, lang: str) -> str:
        """The label in ``lang`` (``"en"``; anything else is Vietnamese)."""
        return self.en if lang == "en" else self.vi


#: Every enumerated field of the submission model: key -> {code: Label}, codes in the model's order.
FIELDS: dict[str, dict[str, Label]] = {
    "unit.kind": {
        "chi_bo_co_so": Label("Chi bộ cơ sở", "grassroots party cell"),
        "dang_bo_co_so": Label("Đảng bộ cơ sở", "grassroots party committee"),
        "chi_bo_truc_thuoc": Label("Chi bộ trực thuộc", "subordinate party cell"),
        "department": Label(
            "Ban của Đảng ủy Khối", "department of the bloc", ("Ban", "Ban, đoàn thể của Đảng ủy Khối")
        ),
    },
    "unit.department": {
        "tochuc": Label("Ban Tổ chức", "Organisation Department", ("Tổ chức",)),
        "ubkt": Label("Ủy ban Kiểm tra", "Inspection Committee", ("Ủy ban kiểm tra Đảng ủy Khối", "UBKT")),
        "tuyengiao": Label("Ban Tuyên giáo", "Propaganda and Education Department", ("Tuyên giáo",)),
        "vanphong": Label("Văn phòng", "Office", ("Văn phòng Đảng ủy Khối",)),
        "doanthe": Label("Các đoàn thể", "mass organisations", ("Đoàn thể",)),
    },
    "signal.kind": {
        "degradation": Label(
            "Suy thoái", "degradation", ("Suy thoái về tư tưởng chính trị, đạo đức, lối sống",)
        ),
        "disunity": Label("Mất đoàn kết", "disunity", ("Mất đoàn kết nội bộ",)),
        "violation": Label("Vi phạm", "violation"),
        "group_interest": Label("Lợi ích nhóm", "group interest"),
        "corruption": Label("Tham nhũng, tiêu cực", "corruption", ("Tham nhũng",)),
        "public_outcry": Label("Dư luận bức xúc", "public outcry", ("Gây bức xúc dư luận",)),
    },
    "activity.type": {
        "study_session": Label("Hội nghị nghiên cứu, quán triệt", "study session"),
        "implementation_plan": Label("Kế hoạch thực hiện", "implementation plan"),
        "inspection": Label("Kiểm tra", "inspection"),
        "supervision": Label("Giám sát", "supervision"),
        "inspection_programme": Label(
            "Chương trình kiểm tra, giám sát năm", "inspection programme"
        ),
        "theory_training": Label("Bồi dưỡng lý luận chính trị", "theory training"),
        "self_criticism": Label("Kiểm điểm tự phê bình, phê bình", "self-criticism review"),
        "quality_rating": Label("Đánh giá, xếp loại chất lượng", "quality rating"),
        "branch_meeting": Label("Sinh hoạt chi bộ", "branch meeting"),
        "confidence_vote": Label("Lấy phiếu tín nhiệm", "confidence vote"),
        "asset_declaration": Label("Kê khai tài sản, thu nhập", "asset declaration"),
        "appointment": Label("Bổ nhiệm, giới thiệu ứng cử", "appointment"),
        "political_vetting": Label("Thẩm định tiêu chuẩn chính trị", "political vetting"),
        "responsibility_review": Label("Kiểm điểm làm rõ trách nhiệm", "responsibility review"),
        "remediation_plan": Label("Kế hoạch sửa chữa, khắc phục", "remediation plan"),
        "discipline": Label("Xử lý kỷ luật", "discipline"),
        "report": Label("Báo cáo sơ kết, tổng kết", "report"),
        "outreach": Label("Tuyên truyền", "outreach"),
        "commendation": Label("Biểu dương, khen thưởng", "commendation"),
        "deliverable": Label("Văn bản, sản phẩm của ban", "deliverable"),
    },
    "study_session.mode": {
        "in_person": Label("Trực tiếp", "in person"),
        "online": Label("Trực tuyến", "online"),
        "combined": Label("Kết hợp", "combined", ("Trực tiếp kết hợp trực tuyến",)),
    },
    "quality_rating.organisation": {
        "excellent": Label("Xuất sắc", "excellent", ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV")),
        "good": Label("Tốt", "good", ("Hoàn thành tốt nhiệm vụ", "HTTNV")),
        "complete": Label("Hoàn thành", "complete", ("Hoàn thành nhiệm vụ", "HTNV")),
        "incomplete": Label(
            "Không hoàn thành", "incomplete", ("Không hoàn thành nhiệm vụ", "KHTNV")
        ),
    },
    "discipline.outcome": {
        "reprimand": Label("Khiển trách", "reprimand"),
        "warning": Label("Cảnh cáo", "warning"),
        "dismissal": Label("Cách chức", "dismissal"),
        "expulsion": Label("Khai trừ", "expulsion"),
        "no_action": Label("Không kỷ luật", "no action", ("Không xử lý kỷ luật",)),
    },
    "report.kind": {
        "annual": Label("Báo cáo năm", "annual", ("Hằng năm", "Hàng năm", "Năm")),
        "interim": Label("Sơ kết", "interim", ("Báo cáo sơ kết",)),
        "final": Label("Tổng kết", "final", ("Báo cáo tổng kết",)),
    },
    "outreach.channel": {
        "meeting": Label("Hội nghị, buổi họp", "meeting", ("Hội nghị", "Buổi họp")),
        "website": Label("Trang thông tin điện tử", "website", ("Trang web",)),
        "fanpage": Label("Fanpage", "fanpage", ("Trang Facebook",)),
        "zalo": Label("Zalo", "Zalo", ("Nhóm Zalo",)),
        "newsletter": Label("Bản tin", "newsletter"),
    },
}


_SEPARATORS = re.compile(r"[\s_\-.,;:/]+")


def normalise(text: str) -> str:
    """``text`` as compared with labels: lower case, no diacritics (``đ`` → ``d``), and every run
    of spaces, ``_``, ``-`` and punctuation made one space (``'  Trực_Tiếp '`` → ``'truc tiep'``)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", bare.replace("đ", "d")).strip()


@functools.lru_cache(maxsize=None)
def _index(field: str) -> dict[str, str]:
    """Normalised spelling -> code, for every code, label and alias of ``field``."""
    index: dict[str, str] = {}
    for code, lab in FIELDS[field].items():
        for spelling in (code, lab.vi, lab.en, *lab.aliases):
            key = normalise(spelling)
            other = index.setdefault(key, code)
            if other != code:  # a test keeps this from happening; fail loudly if it does
                raise ValueError(f"{field}: {spelling!r} is a spelling of both {other} and {code}")
    return index


def codes(field: str) -> tuple[str, ...]:
    """The codes of ``field`` as stored in a submission, in the model's order."""
    return tuple(FIELDS[field])


def label(field: str, code: str, lang: str = "vi") -> str:
    """The label of ``code`` in ``lang``; the code itself if it has none (a pack's value)."""
    lab = FIELDS.get(field, {}).get(code)
    return lab.get(lang) if lab is not None else code


def choices(field: str, lang: str = "vi") -> list[str]:
    """The labels of ``field`` in ``lang``, in the model's order (e.g. for a drop-down list)."""
    return [lab.get(lang) for lab in FIELDS[field].values()]


def parse_label(field: str, text: object) -> str | None:
    """The code that ``text`` names in ``field``, or ``None`` if it names none.

    ``text`` may be the code, the Vietnamese or English label or an alias, typed in any case,
    with or without diacritics and with any spacing. A value that is not text gives ``None``.
    """
    if not isinstance(text, str):
        return None
    table = FIELDS[field]
    if text in table:  # the common case: the code as stored
        return text
    return _index(field).get(normalise(text))


def suggest(field: str, text: object) -> str | None:
    """The code whose code or label is nearest to ``text`` (for "Có phải là …?"), or ``None``."""
    if not isinstance(text, str) or not text.strip():
        return None
    index = _index(field)
    near = difflib.get_close_matches(normalise(text), list(index), n=1, cutoff=0.6)
    return index[near[0]] if near else None


#: Where the glossary lives in a source checkout.
GLOSSARY_DOC = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"

#: Each key's field as the glossary names it: (Vietnamese, English, where in a submission).
_FIELD_NAMES: dict[str, tuple[str, str, str]] = {
    "unit.kind": ("Loại đơn vị", "kind of unit", "`unit.kind`"),
    "unit.department": ("Ban của Đảng ủy Khối", "department", "`unit.department`"),
    "signal.kind": ("Loại vụ việc", "kind of signal", "`signals[].kind`"),
    "activity.type": ("Loại hoạt động", "activity type", "`activities[].type`"),
    "study_session.mode": ("Hình thức hội nghị", "conference mode", "`mode` (`study_session`)"),
    "quality_rating.organisation": (
        "Xếp loại tổ chức", "organisation's rating", "`organisation` (`quality_rating`)"
    ),
    "discipline.outcome": ("Hình thức kỷ luật", "disciplinary outcome", "`outcome` (`discipline`)"),
    "report.kind": ("Loại báo cáo", "kind of report", "`kind` (`report`)"),
    "outreach.channel": ("Kênh tuyên truyền", "outreach channel", "`channel` (`outreach`)"),
}


def glossary() -> str:
    """``docs/glossary.md``: every enumerated field, its codes and labels (vi, en, other forms)."""
    out = [
        "# Bảng thuật ngữ: giá trị và nhãn — Glossary of values and labels",
        "",
        "<!-- Sinh tự động bởi `python -m kl21rules.vocab` từ kl21rules/vocab.py; đừng sửa tay.",
        "     Generated by `python -m kl21rules.vocab` from kl21rules/vocab.py; do not edit by hand. -->",
        "",
        "Các trường chỉ nhận một trong một số giá trị. Ở mọi dạng báo cáo (YAML, JSON, Excel) có thể",
        "ghi **mã** (cột đầu) hoặc **nhãn tiếng Việt**, nhãn tiếng Anh hay một cách viết khác trong",
        "bảng; chữ hoa hay thường, có dấu hay không dấu, thêm dấu cách, `_` hay `-` đều được:",
        "`trực tiếp`, `Trực Tiếp`, `truc tiep` và `in_person` là một. Giá trị không khớp được báo lỗi,",
        "kèm gợi ý \"Có phải là …?\" khi gần giống một giá trị. Báo cáo kiểm tra và các tệp kết quả",
        "luôn ghi mã.",
        "",
        "Fields that take one of a few values accept, in every input format, the **code** (first",
        "column), the **Vietnamese label**, the English label or another spelling listed, in any case,",
        "with or without diacritics, with extra spaces, `_` or `-`: `trực tiếp`, `Trực Tiếp`,",
        "`truc tiep` and `in_person` are the same value. Anything else is an input error, with a",
        "\"Did you mean …?\" when it is close to a value. Reports and outputs always use the code.",
        "",
        "Ngày / dates: `2022-03-31`, `31/3/2022`, `31/03/2022`, `31-3-2022`, `31.3.2022` (ngày trước,",
        "tháng sau / day first); `--as-of today` (hoặc `hôm nay`) là ngày hôm nay theo giờ Việt Nam",
        "(UTC+7) / today in Vietnam.",
    ]
    for key, labels in FIELDS.items():
        vi, en, where = _FIELD_NAMES[key]
        out += ["", f"## {vi} — {en}", "", f"Trường / field: {where}", ""]
        out += ["| mã / code | nhãn tiếng Việt | English | cũng nhận / also accepted |", "|---|---|---|---|"]
        for code, lab in labels.items():
            also = "; ".join(lab.aliases) if lab.aliases else ""
            out.append(f"| `{code}` | {lab.vi} | {lab.en} | {also} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/glossary.md`` (or the path given); ``--check`` only compares (exit 1 if stale)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else GLOSSARY_DOC
    text = glossary()
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == text:
        sys.stdout.write(f"{path}: up to date\n")
        return 0
    if check:
        sys.stdout.write(f"{path}: stale; run python -m kl21rules.vocab\n")
        return 1
    path.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{path}: written\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
